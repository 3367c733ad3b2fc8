/* DECIMAL(p,s): parsing and canonical text, result types, exact arithmetic across scales, rounding
 * half away from zero, and overflow as an error that names the operands (never a wrap). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/decimal.h"

#define OUT   96
#define MAX38 "99999999999999999999999999999999999999"

static velo_decimal dec(const char *text) {
    velo_decimal d;
    velo_error err;
    velo_status st = velo_decimal_parse(text, strlen(text), &d, &err);
    cr_assert_eq(st, VELO_OK, "parse '%s': %s", text, err.message);
    return d;
}

/* Formats v at scale s into a static buffer (tests only). */
static const char *fmt(velo_i128 v, uint8_t s) {
    static char buf[VELO_DECIMAL_STR_MAX];
    velo_decimal_format(v, s, buf);
    return buf;
}

/* a op b in the result type of velo_decimal_result_type; returns the text with that type. */
static velo_status calc(velo_decimal_op op, const char *a, const char *b, char *out, velo_error *err) {
    velo_decimal x = dec(a), y = dec(b);
    uint8_t p, s;
    velo_status st = velo_decimal_result_type(op, x.precision, x.scale, y.precision, y.scale, &p, &s, err);
    if (st) return st;
    velo_i128 r;
    st = velo_decimal_arith(op, x, y, p, s, &r, err);
    if (st) return st;
    char t[VELO_DECIMAL_STR_MAX];
    velo_decimal_format(r, s, t);
    snprintf(out, OUT, "%s DECIMAL(%d,%d)", t, p, s);
    return VELO_OK;
}

static void expect_parsed(const char *text, velo_i128 unscaled, uint8_t precision, uint8_t scale) {
    velo_decimal d = dec(text);
    cr_assert(d.unscaled == unscaled, "'%s' -> unscaled %s", text, fmt(d.unscaled, 0));
    cr_assert_eq(d.precision, precision, "'%s' -> precision %d", text, d.precision);
    cr_assert_eq(d.scale, scale, "'%s' -> scale %d", text, d.scale);
}

static void expect_calc(velo_decimal_op op, const char *a, const char *b, const char *want) {
    char got[OUT];
    velo_error err;
    velo_status st = calc(op, a, b, got, &err);
    cr_assert_eq(st, VELO_OK, "%s op %s: %s", a, b, err.message);
    cr_assert_str_eq(got, want, "%s op %s", a, b);
}

static const char neg_max38[] = "-" MAX38, frac_max38[] = "0." MAX38;

Test(decimal, parse_and_format_round_trip_keeps_written_scale) {
    const char *texts[] = {
        "123.45", "-0.001",  "1.50",    "0", "0.00", "7", "-12345678901234567890.123456789",
        MAX38,    neg_max38, frac_max38};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        velo_decimal d = dec(texts[i]);
        cr_assert_str_eq(fmt(d.unscaled, d.scale), texts[i]);
    }
    expect_parsed("1.50", 150, 3, 2);
}

Test(decimal, parse_accepts_sign_spaces_and_leading_zeros) {
    expect_parsed("  +007.50 ", 750, 3, 2);
    expect_parsed("\t-0.001\n", -1, 3, 3);
    expect_parsed(".5", 5, 1, 1);
    expect_parsed("5.", 5, 1, 0);
}

Test(decimal, parse_exponent_forms) {
    expect_parsed("1E+3", 1000, 4, 0);
    expect_parsed("1.5E-2", 15, 3, 3);
    expect_parsed("1.5e3", 1500, 4, 0);
    expect_parsed("12.50E1", 1250, 4, 1);
    expect_parsed("-0.001e-2", -1, 5, 5);
    expect_parsed("0E+100", 0, 1, 0);
}

Test(decimal, parse_rejects_text_that_is_not_a_number) {
    const char *bad[] = {"",  " ", ".",  "1.2.3", "abc", "1e",  "NaN",   "Infinity",
                         "+", "-", "e5", "1e+",   "1 2", "--1", "1_000", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        velo_decimal d;
        velo_error err;
        cr_assert_eq(velo_decimal_parse(bad[i], strlen(bad[i]), &d, &err), VELO_ERR_CAST, "'%s'", bad[i]);
    }
    velo_decimal d;
    velo_error err;
    velo_decimal_parse("abc", 3, &d, &err);
    cr_assert_str_eq(err.message, "invalid DECIMAL 'abc'");
}

Test(decimal, parse_of_39_significant_digits_is_overflow) {
    velo_decimal d;
    velo_error err;
    const char *t39 = "123456789012345678901234567890123456789";
    cr_assert_eq(velo_decimal_parse(t39, strlen(t39), &d, &err), VELO_ERR_OVERFLOW);
    cr_assert(strstr(err.message, t39) != NULL, "%s", err.message);
    cr_assert_eq(velo_decimal_parse("1E+38", 5, &d, &err), VELO_ERR_OVERFLOW);
    cr_assert_eq(velo_decimal_parse("1E-39", 5, &d, &err), VELO_ERR_OVERFLOW);
    cr_assert_eq(velo_decimal_parse("1E999999999999999999", 20, &d, &err), VELO_ERR_OVERFLOW);
    /* leading zeros are not significant */
    const char *lead = "000000" MAX38;
    cr_assert_eq(velo_decimal_parse(lead, strlen(lead), &d, &err), VELO_OK);
}

Test(decimal, parse_as_rounds_half_away_from_zero_and_checks_integer_digits) {
    velo_i128 r;
    velo_error err;
    cr_assert_eq(velo_decimal_parse_as("3.14159", 7, 10, 2, &r, &err), VELO_OK);
    cr_assert(r == 314);
    cr_assert_eq(velo_decimal_parse_as("-2.675", 6, 10, 2, &r, &err), VELO_OK);
    cr_assert(r == -268);
    cr_assert_eq(velo_decimal_parse_as("1E-50", 5, 10, 2, &r, &err), VELO_OK);
    cr_assert(r == 0);
    cr_assert_eq(velo_decimal_parse_as("999.995", 7, 5, 2, &r, &err), VELO_ERR_OVERFLOW);
    cr_assert_str_eq(err.message, "DECIMAL overflow: '999.995' does not fit DECIMAL(5,2)");
}

Test(decimal, format_is_canonical_and_never_negative_zero) {
    char buf[VELO_DECIMAL_STR_MAX];
    cr_assert_eq(velo_decimal_format(150, 2, buf), 4);
    cr_assert_str_eq(buf, "1.50");
    cr_assert_str_eq(fmt(-1, 3), "-0.001");
    cr_assert_str_eq(fmt(0, 2), "0.00");
    cr_assert_str_eq(fmt(0, 0), "0");
    velo_decimal z = dec("-0.00");
    cr_assert_str_eq(fmt(z.unscaled, z.scale), "0.00");
    char got[OUT];
    velo_error err;
    cr_assert_eq(calc(VELO_DEC_MUL, "-0.01", "0", got, &err), VELO_OK);
    cr_assert_str_eq(got, "0.00 DECIMAL(3,2)");
    /* the most negative 128-bit value formats without overflow */
    velo_i128 min = (velo_i128)((unsigned __int128)1 << 127);
    cr_assert_str_eq(fmt(min, 38), "-1.70141183460469231731687303715884105728");
}

Test(decimal, add_and_compare_across_scales) {
    expect_calc(VELO_DEC_ADD, "1.5", "1.50", "3.00 DECIMAL(4,2)");
    expect_calc(VELO_DEC_SUB, "1.5", "1.50", "0.00 DECIMAL(4,2)");
    expect_calc(VELO_DEC_ADD, "0.001", "-100", "-99.999 DECIMAL(7,3)");
    velo_decimal a = dec("1.5"), b = dec("1.50"), c = dec("1.49999");
    cr_assert_eq(velo_decimal_cmp(a.unscaled, a.scale, b.unscaled, b.scale), 0);
    cr_assert_eq(velo_decimal_cmp(c.unscaled, c.scale, a.unscaled, a.scale), -1);
    cr_assert_eq(velo_decimal_cmp(-a.unscaled, a.scale, -c.unscaled, c.scale), -1);
    velo_decimal big = dec(MAX38), tiny = dec("0.00000000000000000000000000000000000001");
    cr_assert_eq(velo_decimal_cmp(big.unscaled, big.scale, tiny.unscaled, tiny.scale), 1);
}

Test(decimal, result_types_follow_duckdb_for_add_and_spark_for_div) {
    uint8_t p, s;
    velo_error err;
    cr_assert_eq(velo_decimal_result_type(VELO_DEC_ADD, 5, 2, 7, 4, &p, &s, &err), VELO_OK);
    cr_assert(p == 8 && s == 4, "add: DECIMAL(%d,%d)", p, s);
    velo_decimal_result_type(VELO_DEC_ADD, 38, 0, 38, 0, &p, &s, &err);
    cr_assert(p == 38 && s == 0);
    velo_decimal_result_type(VELO_DEC_MUL, 5, 2, 7, 4, &p, &s, &err);
    cr_assert(p == 12 && s == 6, "mul: DECIMAL(%d,%d)", p, s);
    velo_decimal_result_type(VELO_DEC_MUL, 38, 10, 38, 10, &p, &s, &err);
    cr_assert(p == 38 && s == 6, "mul loses scale down to 6: DECIMAL(%d,%d)", p, s);
    velo_decimal_result_type(VELO_DEC_DIV, 10, 2, 5, 1, &p, &s, &err);
    cr_assert(p == 17 && s == 8, "div: DECIMAL(%d,%d)", p, s); /* s = 2+5+1, p = 8+1+8 */
    velo_decimal_result_type(VELO_DEC_DIV, 1, 0, 1, 0, &p, &s, &err);
    cr_assert(p == 7 && s == 6, "div keeps 6 scale digits: DECIMAL(%d,%d)", p, s);
    velo_decimal_result_type(VELO_DEC_DIV, 38, 2, 10, 0, &p, &s, &err);
    cr_assert(p == 38 && s == 6, "div adjusted: DECIMAL(%d,%d)", p, s);
    velo_decimal_result_type(VELO_DEC_MOD, 10, 2, 5, 3, &p, &s, &err);
    cr_assert(p == 5 && s == 3, "mod: DECIMAL(%d,%d)", p, s);
}

Test(decimal, mul_and_div_are_exact_then_rounded_to_the_result_type) {
    expect_calc(VELO_DEC_MUL, "1.5", "2.25", "3.375 DECIMAL(5,3)");
    expect_calc(VELO_DEC_DIV, "1", "3", "0.333333 DECIMAL(7,6)");
    expect_calc(VELO_DEC_DIV, "2", "3", "0.666667 DECIMAL(7,6)");
    expect_calc(VELO_DEC_DIV, "-2", "3", "-0.666667 DECIMAL(7,6)");
    expect_calc(VELO_DEC_MOD, "-7", "4", "-3 DECIMAL(1,0)");
    expect_calc(VELO_DEC_MOD, "7.5", "-2", "1.5 DECIMAL(2,1)");
    /* a 256-bit intermediate: 38 x 38 digits, rounded back to 38 */
    expect_calc(VELO_DEC_MUL, "0." MAX38, "0." MAX38,
                "0.99999999999999999999999999999999999998 DECIMAL(38,38)");
}

Test(decimal, rounding_is_half_away_from_zero) {
    velo_i128 r;
    velo_error err;
    cr_assert_eq(velo_decimal_rescale(25, 1, 5, 0, &r, &err), VELO_OK);
    cr_assert(r == 3, "2.5 -> %s", fmt(r, 0));
    cr_assert_eq(velo_decimal_rescale(-25, 1, 5, 0, &r, &err), VELO_OK);
    cr_assert(r == -3, "-2.5 -> %s", fmt(r, 0));
    cr_assert_eq(velo_decimal_rescale(-24999, 4, 5, 0, &r, &err), VELO_OK);
    cr_assert(r == -2);
    cr_assert_eq(velo_decimal_rescale(15, 1, 5, 0, &r, &err), VELO_OK);
    cr_assert(r == 2, "not banker's rounding: 1.5 -> 2");
    int64_t i;
    cr_assert_eq(velo_decimal_to_i64(25, 1, &i, &err), VELO_OK);
    cr_assert_eq(i, 3);
    cr_assert_eq(velo_decimal_to_i64(-25, 1, &i, &err), VELO_OK);
    cr_assert_eq(i, -3);
}

Test(decimal, division_by_zero_is_an_error) {
    char got[OUT];
    velo_error err;
    cr_assert_eq(calc(VELO_DEC_DIV, "1.5", "0.00", got, &err), VELO_ERR_DIV_ZERO);
    cr_assert_str_eq(err.message, "division by zero");
    cr_assert_eq(calc(VELO_DEC_MOD, "1", "0", got, &err), VELO_ERR_DIV_ZERO);
}

Test(decimal, add_overflow_at_the_38_digit_edge_names_the_operands) {
    char got[OUT];
    velo_error err;
    cr_assert_eq(calc(VELO_DEC_ADD, MAX38, "1", got, &err), VELO_ERR_OVERFLOW);
    cr_assert_str_eq(err.message, "DECIMAL overflow: " MAX38 " + 1 does not fit DECIMAL(38,0)");
    cr_assert_eq(calc(VELO_DEC_SUB, "-" MAX38, "1", got, &err), VELO_ERR_OVERFLOW);
    expect_calc(VELO_DEC_ADD, MAX38, "-1", "99999999999999999999999999999999999998 DECIMAL(38,0)");
}

Test(decimal, mul_and_div_overflow_are_errors_not_wraps) {
    char got[OUT];
    velo_error err;
    cr_assert_eq(calc(VELO_DEC_MUL, MAX38, MAX38, got, &err), VELO_ERR_OVERFLOW);
    cr_assert_str_eq(err.message, "DECIMAL overflow: " MAX38 " * " MAX38 " does not fit DECIMAL(38,0)");
    cr_assert_eq(calc(VELO_DEC_DIV, MAX38, "0.1", got, &err), VELO_ERR_OVERFLOW);
    cr_assert(strstr(err.message, " / 0.1 does not fit DECIMAL(38,") != NULL, "%s", err.message);
}

Test(decimal, to_i64_overflows_just_beyond_int64) {
    int64_t v;
    velo_error err;
    velo_decimal d = dec("9223372036854775807.4");
    cr_assert_eq(velo_decimal_to_i64(d.unscaled, d.scale, &v, &err), VELO_OK);
    cr_assert_eq(v, INT64_MAX);
    d = dec("9223372036854775807.5");
    cr_assert_eq(velo_decimal_to_i64(d.unscaled, d.scale, &v, &err), VELO_ERR_OVERFLOW);
    cr_assert_str_eq(err.message, "BIGINT overflow: 9223372036854775807.5 does not fit BIGINT");
    d = dec("9223372036854775808");
    cr_assert_eq(velo_decimal_to_i64(d.unscaled, d.scale, &v, &err), VELO_ERR_OVERFLOW);
    d = dec("-9223372036854775808");
    cr_assert_eq(velo_decimal_to_i64(d.unscaled, d.scale, &v, &err), VELO_OK);
    cr_assert_eq(v, INT64_MIN);
    d = dec("-9223372036854775809");
    cr_assert_eq(velo_decimal_to_i64(d.unscaled, d.scale, &v, &err), VELO_ERR_OVERFLOW);
    d = dec("-9223372036854775808.5");
    cr_assert_eq(velo_decimal_to_i64(d.unscaled, d.scale, &v, &err), VELO_ERR_OVERFLOW);
}

Test(decimal, from_i64_handles_int64_min_and_checks_precision) {
    velo_i128 r;
    velo_error err;
    cr_assert_eq(velo_decimal_from_i64(INT64_MIN, 19, 0, &r, &err), VELO_OK);
    cr_assert_str_eq(fmt(r, 0), "-9223372036854775808");
    cr_assert_eq(velo_decimal_from_i64(INT64_MIN, 21, 2, &r, &err), VELO_OK);
    cr_assert_str_eq(fmt(r, 2), "-9223372036854775808.00");
    cr_assert_eq(velo_decimal_from_i64(INT64_MIN, 20, 2, &r, &err), VELO_ERR_OVERFLOW);
    cr_assert_str_eq(err.message, "DECIMAL overflow: -9223372036854775808 does not fit DECIMAL(20,2)");
}

Test(decimal, double_casts_use_shortest_round_trip_text) {
    velo_i128 r;
    velo_error err;
    cr_assert_eq(velo_decimal_from_double(0.1, 10, 5, &r, &err), VELO_OK);
    cr_assert_str_eq(fmt(r, 5), "0.10000");
    cr_assert_eq(velo_decimal_from_double(2.675, 10, 2, &r, &err), VELO_OK);
    cr_assert_str_eq(fmt(r, 2), "2.68", "the text 2.675 rounds up, not the binary 2.67499...");
    cr_assert_eq(velo_decimal_from_double(-2.5, 10, 0, &r, &err), VELO_OK);
    cr_assert(r == -3);
    cr_assert_eq(velo_decimal_from_double(1e300, 38, 0, &r, &err), VELO_ERR_OVERFLOW);
    cr_assert_eq(velo_decimal_from_double(NAN, 10, 2, &r, &err), VELO_ERR_CAST);
    cr_assert_eq(velo_decimal_from_double(INFINITY, 10, 2, &r, &err), VELO_ERR_CAST);
    cr_assert(velo_decimal_to_double(1, 1) == 0.1);
    cr_assert(velo_decimal_to_double(-150, 2) == -1.5);
}

Test(decimal, digits_and_pow10) {
    cr_assert_eq(velo_decimal_digits(0), 1);
    cr_assert_eq(velo_decimal_digits(-999), 3);
    cr_assert_eq(velo_decimal_digits(velo_decimal_pow10(38) - 1), 38);
    cr_assert_eq(velo_decimal_digits(velo_decimal_pow10(38)), 39);
    cr_assert(velo_decimal_pow10(0) == 1);
    cr_assert(velo_decimal_pow10(19) == (velo_i128)10000000000000000000ULL);
}
