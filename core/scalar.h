/* Scalar semantics of SQL operators on boxed values: casts, arithmetic, comparison, concatenation.
 * This is the reference meaning of each operator; the vectorized kernels in core/expr.c are fast
 * paths that must agree with it, and dynamically typed (ANY) values always go through here. */
#ifndef VELO_CORE_SCALAR_H
#define VELO_CORE_SCALAR_H

#include <stdbool.h>

#include "core/value.h"
#include "state/arena.h"
#include "velo/error.h"

typedef enum velo_arith_op {
    VELO_ARITH_ADD,
    VELO_ARITH_SUB,
    VELO_ARITH_MUL,
    VELO_ARITH_DIV,
    VELO_ARITH_MOD
} velo_arith_op;
typedef enum velo_cmp_op {
    VELO_CMP_EQ,
    VELO_CMP_NE,
    VELO_CMP_LT,
    VELO_CMP_LE,
    VELO_CMP_GT,
    VELO_CMP_GE
} velo_cmp_op;

/* Result type of `a op b` for statically known operand types; VELO_ERR_BIND if the operator does
 * not apply (the message names both types). ANY operands give ANY. */
velo_status velo_arith_result_type(velo_arith_op op, velo_type a, velo_type b, velo_type *out,
                                   velo_error *err);
/* The common type two values are compared in (e.g. BIGINT vs DECIMAL -> DECIMAL); error if incomparable. */
velo_status velo_common_type(velo_type a, velo_type b, velo_type *out, velo_error *err);

/* True when velo_value_cast can ever turn a `from` value into `to` (its matrix): the binder rejects
 * CAST(x AS t) at once when no value could succeed (TIMESTAMP -> BOOLEAN). NULL and ANY always pass. */
bool velo_type_can_cast(velo_type from, velo_type to);

/* Casts `in` to `target`. Strings are copied into arena when they must outlive the input.
 * Invalid conversions are VELO_ERR_CAST naming the value and the target type; out-of-range
 * numbers are VELO_ERR_OVERFLOW. NULL stays NULL. */
velo_status velo_value_cast(const velo_value *in, velo_type target, velo_arena *arena, velo_value *out,
                            velo_error *err);

/* a op b with SQL NULL semantics (NULL if either is NULL). `result` is the static result type, or
 * ANY to choose it from the runtime types. */
velo_status velo_value_arith(velo_arith_op op, const velo_value *a, const velo_value *b, velo_type result,
                             velo_arena *arena, velo_value *out, velo_error *err);
/* Three-way comparison of two non-NULL values (converted to their common type). */
velo_status velo_value_compare(const velo_value *a, const velo_value *b, int *cmp, velo_error *err);
/* Equality used for grouping and IS DISTINCT FROM: NULL equals NULL. */
bool velo_value_equal_nullsafe(const velo_value *a, const velo_value *b);

velo_value velo_value_bool(bool b);
velo_value velo_value_i64(int64_t v);
velo_value velo_value_f64(double v);
velo_value velo_value_str(const char *s, uint32_t len);
velo_value velo_value_dec(velo_i128 unscaled, uint8_t precision, uint8_t scale);

/* Text of a value as CAST(x AS VARCHAR) gives it; allocated in arena. */
velo_status velo_value_to_text(const velo_value *v, velo_arena *arena, velo_str *out, velo_error *err);

/* Shortest round-trip text of a double ("0.1", "100", "1e+300", "NaN", "-Infinity"); buf >= 32 bytes. */
uint32_t velo_double_format(double d, char *buf);

#endif
