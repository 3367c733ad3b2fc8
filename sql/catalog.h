/* The function catalog: one table naming every SQL function with its kind, arity, return-type rule
 * and implementation. The binder, `validate` and docs/sql/functions.md all come from it. */
#ifndef VELO_SQL_CATALOG_H
#define VELO_SQL_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/expr.h"
#include "velo/error.h"

typedef enum velo_fn_kind { VELO_FN_SCALAR, VELO_FN_AGGREGATE, VELO_FN_WINDOW } velo_fn_kind;

/* How the result type follows from the argument types. */
typedef enum velo_fn_ret {
    VELO_RET_FIXED,       /* `fixed` */
    VELO_RET_ARG0,        /* type of the first argument */
    VELO_RET_COMMON,      /* common type of all arguments (COALESCE, GREATEST) */
    VELO_RET_NUMERIC_ARG0,/* ROUND/ABS: numeric type of the first argument */
} velo_fn_ret;

typedef struct velo_function {
    const char *name;
    velo_fn_kind kind;
    uint8_t min_args, max_args; /* max 255 = variadic */
    velo_fn_ret ret;
    velo_type_id fixed;
    bool strict;         /* NULL in -> NULL out without calling impl */
    velo_scalar_fn impl; /* NULL: binds, but does not execute yet */
    const char *signature; /* for docs: "UPPER(VARCHAR) -> VARCHAR" */
    const char *summary;
} velo_function;

const velo_function *velo_function_lookup(const char *name);
const velo_function *velo_function_at(uint32_t i); /* NULL past the end */

#endif
