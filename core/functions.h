/* Implementations of scalar SQL functions on boxed values (registered in sql/catalog.c). */
#ifndef VELO_CORE_FUNCTIONS_H
#define VELO_CORE_FUNCTIONS_H

#include "core/expr.h"

#define VELO_SCALAR_FN(name)                                                                                        \
    velo_status name(const velo_value *args, uint32_t nargs, velo_type result, velo_arena *arena, velo_value *out, \
                     velo_error *err)

VELO_SCALAR_FN(velo_fn_upper);
VELO_SCALAR_FN(velo_fn_lower);
VELO_SCALAR_FN(velo_fn_length);
VELO_SCALAR_FN(velo_fn_abs);
VELO_SCALAR_FN(velo_fn_round);
VELO_SCALAR_FN(velo_fn_coalesce);
VELO_SCALAR_FN(velo_fn_nullif);
VELO_SCALAR_FN(velo_fn_concat);
VELO_SCALAR_FN(velo_fn_substring);
VELO_SCALAR_FN(velo_fn_trim);

#endif
