/* Exact DECIMAL(p,s) arithmetic on 128-bit unscaled integers (p <= 38). Overflow is an error
 * naming the operands, never a wrap. Result-type rules and rounding are documented in
 * docs/sql/types.md; every function here is pure and allocation-free. */
#ifndef VELO_CORE_DECIMAL_H
#define VELO_CORE_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "velo/error.h"
#include "velo/types.h"

/* A decimal value together with its type: value = unscaled / 10^scale, |unscaled| < 10^precision. */
typedef struct velo_decimal {
    velo_i128 unscaled;
    uint8_t precision;
    uint8_t scale;
} velo_decimal;

typedef enum velo_decimal_op {
    VELO_DEC_ADD,
    VELO_DEC_SUB,
    VELO_DEC_MUL,
    VELO_DEC_DIV,
    VELO_DEC_MOD,
} velo_decimal_op;

/* Largest canonical text: sign, 38 digits, point, leading "0." and NUL. */
#define VELO_DECIMAL_STR_MAX 48

/* 10^n for 0 <= n <= 38. */
velo_i128 velo_decimal_pow10(int n);

/* Parses text ("123.45", "-0.001", "+7", "1E+3", "1.5e-2", surrounding spaces allowed) exactly.
 * Precision and scale are the smallest that hold the value as written ("1.50" -> DECIMAL(3,2),
 * "1E+3" -> 1000 DECIMAL(4,0), "1.5E-2" -> 0.015 DECIMAL(3,3)). More than 38 significant digits
 * is an overflow error; anything that is not a number is a VELO_ERR_CAST error. */
velo_status velo_decimal_parse(const char *text, size_t len, velo_decimal *out, velo_error *err);

/* Parses text into the given type, rounding half away from zero to `scale` digits;
 * an integer part that does not fit in `precision - scale` digits is an overflow error. */
velo_status velo_decimal_parse_as(const char *text, size_t len, uint8_t precision, uint8_t scale,
                                  velo_i128 *out, velo_error *err);

/* Canonical text: "-0.001", "123.45", "1.50" (scale digits always printed), "0" for scale 0.
 * Writes a NUL-terminated string into buf (>= VELO_DECIMAL_STR_MAX bytes); returns its length. */
size_t velo_decimal_format(velo_i128 unscaled, uint8_t scale, char *buf);

/* Result type of `a op b` (see docs/sql/types.md). Returns an error only when no DECIMAL(<=38)
 * type can hold the result. */
velo_status velo_decimal_result_type(velo_decimal_op op, uint8_t p1, uint8_t s1, uint8_t p2,
                                     uint8_t s2, uint8_t *p, uint8_t *s, velo_error *err);

/* a op b, both operands carrying their own type, result in (rp, rs) as chosen by
 * velo_decimal_result_type (or any other target type: the exact result is rounded half away from
 * zero to rs, and must fit in rp digits). Division by zero is VELO_ERR_DIV_ZERO; a result outside
 * DECIMAL(rp,rs) is VELO_ERR_OVERFLOW with a message naming both operands and the type. */
velo_status velo_decimal_arith(velo_decimal_op op, velo_decimal a, velo_decimal b, uint8_t rp,
                               uint8_t rs, velo_i128 *out, velo_error *err);

/* Three-way comparison of values of different scales, exact (never overflows): -1, 0, 1. */
int velo_decimal_cmp(velo_i128 a, uint8_t sa, velo_i128 b, uint8_t sb);

/* Changes scale with rounding half away from zero; checks the result fits `to_precision`. */
velo_status velo_decimal_rescale(velo_i128 v, uint8_t from_scale, uint8_t to_precision,
                                 uint8_t to_scale, velo_i128 *out, velo_error *err);

/* Casts. To BIGINT rounds half away from zero (as PostgreSQL does); out of range is overflow. */
velo_status velo_decimal_from_i64(int64_t v, uint8_t precision, uint8_t scale, velo_i128 *out,
                                  velo_error *err);
velo_status velo_decimal_to_i64(velo_i128 v, uint8_t scale, int64_t *out, velo_error *err);
/* From DOUBLE: the shortest decimal text that round-trips the double (as printed by "%.17g" and
 * shortened), rounded to scale. NaN/Inf are cast errors. */
velo_status velo_decimal_from_double(double d, uint8_t precision, uint8_t scale, velo_i128 *out,
                                     velo_error *err);
/* To DOUBLE: correctly rounded (via the canonical text and strtod). */
double velo_decimal_to_double(velo_i128 v, uint8_t scale);

/* Number of decimal digits of |v| (0 has 1 digit). */
int velo_decimal_digits(velo_i128 v);

#endif
