/* Scalar functions of the catalog, called as the evaluator calls them: through the catalog entry
 * (its impl, its strict flag) with the result type velo_function_check computes, so every test also
 * checks that the value has exactly that type. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/decimal.h"
#include "core/functions.h"
#include "core/scalar.h"
#include "core/temporal.h"
#include "sql/catalog.h"

static velo_arena arena;

static void setup(void) { velo_arena_init(&arena, 4096); }
static void teardown(void) { velo_arena_free(&arena); }

TestSuite(functions, .init = setup, .fini = teardown);

typedef struct result {
    velo_status st;
    velo_value v;
    velo_type type; /* what the catalog says the call returns */
    char msg[VELO_ERROR_MSG_MAX];
} result;

static result call(const char *name, const velo_value *args, uint32_t n) {
    result r;
    memset(&r, 0, sizeof r);
    const velo_function *f = velo_function_lookup(name);
    cr_assert_not_null(f, "no function %s", name);
    cr_assert_not_null(f->impl, "%s has no implementation", name);
    velo_type types[64];
    cr_assert_leq(n, 64);
    for (uint32_t i = 0; i < n; i++)
        types[i] = args[i].is_null ? velo_type_make(VELO_TYPE_NULL) : args[i].type;
    char msg[256];
    cr_assert(velo_function_check(f, types, n, &r.type, msg, sizeof msg), "%s", msg);
    bool any_null = false;
    for (uint32_t i = 0; i < n; i++)
        any_null |= args[i].is_null;
    if (f->strict && any_null) {
        r.v = velo_value_null();
        return r;
    }
    velo_error err = {0};
    r.st = f->impl(args, n, r.type, &arena, &r.v, &err);
    if (r.st) {
        memcpy(r.msg, err.message, sizeof r.msg);
    } else if (!r.v.is_null && r.type.id != VELO_TYPE_ANY && r.type.id != VELO_TYPE_NULL) {
        char a[32], b[32];
        cr_assert(velo_type_equal(r.v.type, r.type), "%s returned %s, the catalog says %s", name,
                  velo_type_format(r.v.type, a, sizeof a), velo_type_format(r.type, b, sizeof b));
    }
    return r;
}

#define ARGV(...)       ((velo_value[]){__VA_ARGS__})
#define CALL(name, ...) call(name, ARGV(__VA_ARGS__), sizeof ARGV(__VA_ARGS__) / sizeof(velo_value))
#define CALL0(name)     call(name, NULL, 0)

static velo_value S(const char *s) { return velo_value_str(s, (uint32_t)strlen(s)); }
static velo_value I(int64_t v) { return velo_value_i64(v); }
static velo_value F(double v) { return velo_value_f64(v); }
static velo_value B(bool v) { return velo_value_bool(v); }
static velo_value N(void) { return velo_value_null(); }
static velo_value DEC(const char *text) {
    velo_decimal d;
    velo_error err;
    cr_assert_eq(velo_decimal_parse(text, strlen(text), &d, &err), VELO_OK);
    return velo_value_dec(d.unscaled, d.precision, d.scale);
}
static velo_value DECT(const char *text, uint8_t p, uint8_t s) {
    velo_value v = velo_value_dec(0, p, s);
    velo_error err;
    cr_assert_eq(velo_decimal_parse_as(text, strlen(text), p, s, &v.u.dec, &err), VELO_OK);
    return v;
}
static velo_value TS(const char *text) {
    velo_value v = velo_value_i64(0);
    v.type = velo_type_make(VELO_TYPE_TIMESTAMP);
    cr_assert(velo_parse_timestamp(text, strlen(text), &v.u.i64), "bad timestamp %s", text);
    return v;
}
static velo_value DATE(const char *text) {
    velo_value v = velo_value_i64(0);
    v.type = velo_type_make(VELO_TYPE_DATE);
    cr_assert(velo_parse_date(text, strlen(text), &v.u.date));
    return v;
}
static velo_value IV(int32_t months, int32_t days, int64_t micros) {
    velo_value v = velo_value_i64(0);
    v.type = velo_type_make(VELO_TYPE_INTERVAL);
    v.u.iv = (velo_interval){months, days, micros};
    return v;
}

static void ok(result r) { cr_assert_eq(r.st, VELO_OK, "unexpected error: %s", r.msg); }
static void is_null(result r) {
    ok(r);
    cr_assert(r.v.is_null || r.v.type.id == VELO_TYPE_NULL, "expected NULL");
}
static void is_str(result r, const char *want) {
    ok(r);
    cr_assert(!r.v.is_null, "expected '%s', got NULL", want);
    cr_assert_eq(r.v.type.id, VELO_TYPE_VARCHAR);
    cr_assert(r.v.u.str.len == strlen(want) && memcmp(r.v.u.str.ptr, want, r.v.u.str.len) == 0,
              "expected '%s', got '%.*s'", want, (int)r.v.u.str.len, r.v.u.str.ptr);
}
static void is_i64(result r, int64_t want) {
    ok(r);
    cr_assert(!r.v.is_null, "expected %lld, got NULL", (long long)want);
    cr_assert_eq(r.v.type.id, VELO_TYPE_BIGINT);
    cr_assert_eq(r.v.u.i64, want, "expected %lld, got %lld", (long long)want, (long long)r.v.u.i64);
}
static void is_f64(result r, double want) {
    ok(r);
    cr_assert(!r.v.is_null);
    cr_assert_eq(r.v.type.id, VELO_TYPE_DOUBLE);
    cr_assert(fabs(r.v.u.f64 - want) <= 1e-12 * fmax(1, fabs(want)), "expected %.17g, got %.17g", want,
              r.v.u.f64);
}
static void is_bool(result r, bool want) {
    ok(r);
    cr_assert(!r.v.is_null, "expected a BOOLEAN, got NULL");
    cr_assert_eq(r.v.type.id, VELO_TYPE_BOOLEAN);
    cr_assert_eq(r.v.u.b, want);
}
/* exact text and exact type DECIMAL(p,s) */
static void is_dec(result r, const char *want, uint8_t p, uint8_t s) {
    ok(r);
    cr_assert(!r.v.is_null);
    char buf[VELO_DECIMAL_STR_MAX], tb[32];
    cr_assert(velo_type_equal(r.v.type, velo_type_decimal(p, s)), "type %s, expected DECIMAL(%u,%u)",
              velo_type_format(r.v.type, tb, sizeof tb), p, s);
    velo_decimal_format(r.v.u.dec, r.v.type.scale, buf);
    cr_assert_str_eq(buf, want);
}
static void is_ts(result r, const char *want) {
    ok(r);
    cr_assert(!r.v.is_null);
    cr_assert_eq(r.v.type.id, VELO_TYPE_TIMESTAMP);
    char buf[48];
    velo_format_timestamp(r.v.u.i64, buf);
    cr_assert_str_eq(buf, want);
}
static void is_err(result r, const char *substring) {
    cr_assert_neq(r.st, VELO_OK, "expected an error containing '%s'", substring);
    cr_assert(strstr(r.msg, substring), "message '%s' lacks '%s'", r.msg, substring);
}
static void is_list_of(result r, uint32_t n, const char *const *items) {
    ok(r);
    cr_assert_eq(r.v.type.id, VELO_TYPE_LIST);
    cr_assert_eq(r.v.u.nested.count, n);
    for (uint32_t i = 0; i < n; i++) {
        velo_str s = r.v.u.nested.items[i].u.str;
        cr_assert(s.len == strlen(items[i]) && !memcmp(s.ptr, items[i], s.len), "item %u is '%.*s'", i,
                  (int)s.len, s.ptr);
    }
}

/* ---- math ---- */

Test(functions, ceil_of_decimal_carries_into_a_new_digit) { is_dec(CALL("CEIL", DEC("9.5")), "10", 2, 0); }
Test(functions, ceil_of_negative_decimal_goes_toward_zero) { is_dec(CALL("CEIL", DEC("-1.5")), "-1", 2, 0); }
Test(functions, ceiling_is_ceil) { is_dec(CALL("CEILING", DEC("1.01")), "2", 2, 0); }
Test(functions, ceil_of_whole_decimal_keeps_value) { is_dec(CALL("CEIL", DECT("3", 10, 2)), "3", 9, 0); }
Test(functions, ceil_of_scale_zero_decimal_keeps_type) { is_dec(CALL("CEIL", DECT("42", 5, 0)), "42", 5, 0); }
Test(functions, ceil_of_bigint_is_itself) { is_i64(CALL("CEIL", I(-7)), -7); }
Test(functions, ceil_of_double) { is_f64(CALL("CEIL", F(1.2)), 2.0); }
Test(functions, ceil_of_null_is_null) { is_null(CALL("CEIL", N())); }
Test(functions, ceil_at_max_precision_stays_38) {
    is_dec(CALL("CEIL", DECT("0.5", 38, 37)), "1", 2, 0);
    is_dec(CALL("CEIL", DECT("1.5", 38, 1)), "2", 38, 0);
}
Test(functions, floor_of_negative_decimal_goes_down) { is_dec(CALL("FLOOR", DEC("-1.5")), "-2", 2, 0); }
Test(functions, floor_of_positive_decimal) { is_dec(CALL("FLOOR", DEC("12.99")), "12", 3, 0); }
Test(functions, floor_of_double) { is_f64(CALL("FLOOR", F(-0.5)), -1.0); }
Test(functions, truncate_decimal_keeps_type_and_scale) {
    is_dec(CALL("TRUNCATE", DEC("12.345"), I(1)), "12.300", 5, 3);
}
Test(functions, truncate_negative_decimal_goes_toward_zero) {
    is_dec(CALL("TRUNC", DEC("-12.345")), "-12.000", 5, 3);
}
Test(functions, truncate_with_negative_digits) {
    is_dec(CALL("TRUNCATE", DEC("187.5"), I(-1)), "180.0", 4, 1);
    is_i64(CALL("TRUNCATE", I(1234), I(-2)), 1200);
}
Test(functions, truncate_digits_beyond_scale_change_nothing) {
    is_dec(CALL("TRUNCATE", DEC("1.25"), I(5)), "1.25", 3, 2);
}
Test(functions, truncate_double) { is_f64(CALL("TRUNCATE", F(-2.789), I(2)), -2.78); }
Test(functions, truncate_null_digits_is_null) { is_null(CALL("TRUNCATE", DEC("1.5"), N())); }
Test(functions, round_keeps_decimal_type) { is_dec(CALL("ROUND", DEC("2.345"), I(2)), "2.350", 4, 3); }
/* the binder narrows ROUND(DECIMAL(p,s), 2) to DECIMAL(p,2); the function then writes that scale */
Test(functions, round_writes_the_narrower_scale_the_binder_chose) {
    velo_value args[] = {DECT("123.456", 10, 3), I(2)}, out;
    velo_error err;
    cr_assert_eq(velo_fn_round(args, 2, velo_type_decimal(10, 2), &arena, &out, &err), VELO_OK);
    char buf[VELO_DECIMAL_STR_MAX];
    velo_decimal_format(out.u.dec, out.type.scale, buf);
    cr_assert_str_eq(buf, "123.46");
    cr_assert(velo_type_equal(out.type, velo_type_decimal(10, 2)));
    velo_value neg[] = {DECT("-125.5", 10, 1), I(-1)};
    cr_assert_eq(velo_fn_round(neg, 2, velo_type_decimal(10, 0), &arena, &out, &err), VELO_OK);
    velo_decimal_format(out.u.dec, out.type.scale, buf);
    cr_assert_str_eq(buf, "-130");
}
Test(functions, round_of_a_dynamic_decimal_drops_the_digits_past_n) {
    velo_value args[] = {DECT("9.995", 4, 3), I(2)}, out;
    velo_error err;
    cr_assert_eq(velo_fn_round(args, 2, velo_type_make(VELO_TYPE_ANY), &arena, &out, &err), VELO_OK);
    char buf[VELO_DECIMAL_STR_MAX];
    velo_decimal_format(out.u.dec, out.type.scale, buf);
    cr_assert_str_eq(buf, "10.00");
}
Test(functions, round_with_negative_digits_rounds_to_tens_and_hundreds_half_away_from_zero) {
    is_dec(CALL("ROUND", DEC("396.25"), I(-2)), "400.00", 5, 2);
    is_dec(CALL("ROUND", DEC("12345.678"), I(-2)), "12300.000", 8, 3);
    is_i64(CALL("ROUND", I(1250), I(-2)), 1300);
    is_i64(CALL("ROUND", I(-1250), I(-2)), -1300);
    is_i64(CALL("ROUND", I(1249), I(-2)), 1200);
    is_i64(CALL("ROUND", I(42), I(-40)), 0);
}
Test(functions, round_that_carries_past_the_precision_is_an_overflow_error) {
    is_err(CALL("ROUND", DEC("9.99"), I(1)), "does not fit DECIMAL(3,2)");
    is_err(CALL("ROUND", I(INT64_MAX), I(-1)), "does not fit BIGINT");
}
Test(functions, sign_of_decimal_is_bigint) {
    is_i64(CALL("SIGN", DEC("-0.01")), -1);
    is_i64(CALL("SIGN", DEC("0.00")), 0);
}
Test(functions, sign_of_bigint) { is_i64(CALL("SIGN", I(42)), 1); }
Test(functions, sign_of_double_is_double) { is_f64(CALL("SIGN", F(-3.5)), -1.0); }
Test(functions, mod_has_the_sign_of_the_dividend) { is_i64(CALL("MOD", I(-7), I(3)), -1); }
Test(functions, mod_of_decimals_is_exact) { is_dec(CALL("MOD", DEC("10.5"), DEC("3")), "1.5", 2, 1); }
Test(functions, mod_by_zero_is_a_row_error) { cr_assert_neq(CALL("MOD", I(1), I(0)).st, VELO_OK); }
Test(functions, power_is_double) { is_f64(CALL("POWER", I(2), I(10)), 1024.0); }
Test(functions, pow_of_decimal_base) { is_f64(CALL("POW", DEC("1.5"), I(2)), 2.25); }
Test(functions, power_overflow_is_a_row_error) { is_err(CALL("POWER", F(10), F(400)), "overflows"); }
Test(functions, power_of_negative_base_to_fraction_is_an_error) {
    is_err(CALL("POWER", I(-8), F(0.5)), "negative");
}
Test(functions, power_of_zero_to_negative_is_an_error) { is_err(CALL("POWER", I(0), I(-1)), "zero"); }
Test(functions, power_null_is_null) { is_null(CALL("POWER", N(), I(2))); }
Test(functions, sqrt_of_bigint) { is_f64(CALL("SQRT", I(16)), 4.0); }
Test(functions, sqrt_of_negative_is_a_row_error) { is_err(CALL("SQRT", I(-1)), "SQRT of a negative number"); }
Test(functions, exp_of_one) { is_f64(CALL("EXP", I(1)), M_E); }
Test(functions, exp_overflow_is_a_row_error) { is_err(CALL("EXP", F(1000)), "overflows"); }
Test(functions, ln_of_e) { is_f64(CALL("LN", F(M_E)), 1.0); }
Test(functions, ln_of_zero_is_a_row_error) { is_err(CALL("LN", I(0)), "LN of zero"); }
Test(functions, ln_of_negative_is_a_row_error) { is_err(CALL("LN", DEC("-2.5")), "negative"); }
Test(functions, log_is_base_ten) { is_f64(CALL("LOG", I(1000)), 3.0); }
Test(functions, log_with_base) { is_f64(CALL("LOG", I(2), I(1024)), 10.0); }
Test(functions, log_of_negative_is_a_row_error) { is_err(CALL("LOG", I(-10)), "negative"); }
Test(functions, log_with_base_one_is_a_row_error) { is_err(CALL("LOG", I(1), I(5)), "base 1"); }
Test(functions, log10_of_hundred) { is_f64(CALL("LOG10", DEC("100.0")), 2.0); }

/* ---- strings ---- */

Test(functions, ltrim_removes_leading_spaces) { is_str(CALL("LTRIM", S("  a b  ")), "a b  "); }
Test(functions, rtrim_removes_trailing_spaces) { is_str(CALL("RTRIM", S("  a b  ")), "  a b"); }
Test(functions, rtrim_of_null_is_null) { is_null(CALL("RTRIM", N())); }
Test(functions, position_counts_characters) { is_i64(CALL("POSITION", S("ß"), S("Straße")), 5); }
Test(functions, position_absent_is_zero) { is_i64(CALL("POSITION", S("x"), S("abc")), 0); }
Test(functions, position_with_start) { is_i64(CALL("POSITION", S("a"), S("banana"), I(3)), 4); }
Test(functions, position_of_empty_needle_is_one) { is_i64(CALL("POSITION", S(""), S("abc")), 1); }
Test(functions, replace_every_occurrence) { is_str(CALL("REPLACE", S("a-b-c"), S("-"), S("+=")), "a+=b+=c"); }
Test(functions, replace_utf8) { is_str(CALL("REPLACE", S("über über"), S("ü"), S("u")), "uber uber"); }
Test(functions, replace_empty_from_changes_nothing) {
    is_str(CALL("REPLACE", S("abc"), S(""), S("x")), "abc");
}
Test(functions, replace_null_is_null) { is_null(CALL("REPLACE", S("abc"), N(), S("x"))); }
Test(functions, concat_ws_skips_nulls) {
    is_str(CALL("CONCAT_WS", S(", "), S("a"), N(), I(3), DEC("1.50")), "a, 3, 1.50");
}
Test(functions, concat_ws_null_separator_is_null) { is_null(CALL("CONCAT_WS", N(), S("a"))); }
Test(functions, concat_ws_all_null_is_empty) { is_str(CALL("CONCAT_WS", S("-"), N(), N()), ""); }
Test(functions, concat_ws_many_arguments) {
    velo_value a[21];
    a[0] = S("");
    for (int i = 1; i < 21; i++)
        a[i] = S("x");
    is_str(call("CONCAT_WS", a, 21), "xxxxxxxxxxxxxxxxxxxx");
}
Test(functions, join_is_concat_ws) { is_str(CALL("JOIN", S("|"), S("a"), S("b")), "a|b"); }
Test(functions, left_counts_characters) { is_str(CALL("LEFT", S("héllo"), I(2)), "hé"); }
Test(functions, left_negative_drops_from_the_end) { is_str(CALL("LEFT", S("hello"), I(-2)), "hel"); }
Test(functions, left_longer_than_string) { is_str(CALL("LEFT", S("ab"), I(10)), "ab"); }
Test(functions, right_counts_characters) { is_str(CALL("RIGHT", S("naïve"), I(3)), "ïve"); }
Test(functions, right_negative_drops_from_the_start) { is_str(CALL("RIGHT", S("hello"), I(-1)), "ello"); }
Test(functions, right_of_null_is_null) { is_null(CALL("RIGHT", N(), I(1))); }
Test(functions, lpad_with_spaces) { is_str(CALL("LPAD", S("7"), I(3)), "  7"); }
Test(functions, lpad_with_multichar_fill) { is_str(CALL("LPAD", S("x"), I(6), S("ab")), "ababax"); }
Test(functions, lpad_cuts_a_longer_string) { is_str(CALL("LPAD", S("hello"), I(2)), "he"); }
Test(functions, lpad_utf8_fill_counts_characters) { is_str(CALL("LPAD", S("é"), I(3), S("ü")), "üüé"); }
Test(functions, rpad_with_fill) { is_str(CALL("RPAD", S("ab"), I(5), S(".")), "ab..."); }
Test(functions, rpad_negative_length_is_empty) { is_str(CALL("RPAD", S("ab"), I(-1)), ""); }
Test(functions, rpad_huge_length_is_a_row_error) {
    is_err(CALL("RPAD", S("ab"), I(INT64_C(1) << 40)), "limit");
}
Test(functions, split_part_second_field) { is_str(CALL("SPLIT_PART", S("a,b,c"), S(","), I(2)), "b"); }
Test(functions, split_part_past_the_end_is_empty) { is_str(CALL("SPLIT_PART", S("a,b"), S(","), I(5)), ""); }
Test(functions, split_part_negative_counts_from_end) {
    is_str(CALL("SPLIT_PART", S("a,b,c"), S(","), I(-1)), "c");
}
Test(functions, split_part_zero_is_empty) { is_str(CALL("SPLIT_PART", S("a,b"), S(","), I(0)), ""); }
Test(functions, split_part_multibyte_delimiter) { is_str(CALL("SPLIT_PART", S("x→y→z"), S("→"), I(3)), "z"); }
Test(functions, split_gives_a_list) {
    const char *want[] = {"a", "", "c"};
    is_list_of(CALL("SPLIT", S("a,,c"), S(",")), 3, want);
}
Test(functions, split_of_empty_string_is_empty_list) { is_list_of(CALL("SPLIT", S(""), S(",")), 0, NULL); }
Test(functions, split_with_empty_delimiter_keeps_string) {
    const char *want[] = {"abc"};
    is_list_of(CALL("SPLIT", S("abc"), S("")), 1, want);
}
Test(functions, reverse_keeps_utf8_characters) { is_str(CALL("REVERSE", S("aé€😀")), "😀€éa"); }
Test(functions, reverse_empty) { is_str(CALL("REVERSE", S("")), ""); }
Test(functions, starts_with_true_and_false) {
    is_bool(CALL("STARTS_WITH", S("kafka://x"), S("kafka")), true);
    is_bool(CALL("STARTS_WITH", S("ka"), S("kafka")), false);
}
Test(functions, starts_with_null_is_null) { is_null(CALL("STARTS_WITH", S("a"), N())); }
Test(functions, substr_is_substring_in_characters) { is_str(CALL("SUBSTR", S("Grüße"), I(3), I(2)), "üß"); }
Test(functions, len_and_char_length_count_characters) {
    is_i64(CALL("LEN", S("日本語")), 3);
    is_i64(CALL("CHAR_LENGTH", S("日本語")), 3);
}

/* ---- regular expressions ---- */

Test(functions, regexp_matches_anywhere) {
    is_bool(CALL("REGEXP_MATCHES", S("order-123"), S("[0-9]+$")), true);
}
Test(functions, regexp_matches_no_match) { is_bool(CALL("REGEXP_MATCHES", S("abc"), S("^b")), false); }
Test(functions, regexp_matches_ignore_case_flag) {
    is_bool(CALL("REGEXP_MATCHES", S("ABC"), S("^abc$"), S("i")), true);
}
Test(functions, regexp_matches_dot_is_one_utf8_character) {
    is_bool(CALL("REGEXP_MATCHES", S("é"), S("^.$")), true);
}
Test(functions, regexp_bad_pattern_is_a_row_error) {
    is_err(CALL("REGEXP_MATCHES", S("abc"), S("a(b")), "invalid regular expression 'a(b': ");
}
Test(functions, regexp_unknown_flag_is_a_row_error) {
    is_err(CALL("REGEXP_MATCHES", S("a"), S("a"), S("x")), "flag 'x'");
}
Test(functions, regexp_replace_first_only) {
    is_str(CALL("REGEXP_REPLACE", S("a1b22c"), S("[0-9]+"), S("#")), "a#b22c");
}
Test(functions, regexp_replace_global) {
    is_str(CALL("REGEXP_REPLACE", S("a1b22c"), S("[0-9]+"), S("#"), S("g")), "a#b#c");
}
Test(functions, regexp_replace_groups) {
    is_str(CALL("REGEXP_REPLACE", S("2024-03-15"), S("([0-9]+)-([0-9]+)-([0-9]+)"), S("\\3/\\2/\\1")),
           "15/03/2024");
}
Test(functions, regexp_replace_empty_matches_terminate) {
    is_str(CALL("REGEXP_REPLACE", S("ab"), S("x*"), S("-"), S("g")), "-a-b-");
}
Test(functions, regexp_replace_ignore_case_global) {
    is_str(CALL("REGEXP_REPLACE", S("Aa"), S("a"), S("b"), S("gi")), "bb");
}
Test(functions, regexp_replace_bad_pattern_is_a_row_error) {
    is_err(CALL("REGEXP_REPLACE", S("a"), S("["), S("b")), "invalid regular expression '['");
}
Test(functions, regexp_replace_null_is_null) { is_null(CALL("REGEXP_REPLACE", S("a"), S("a"), N())); }

/* ---- conditional ---- */

Test(functions, greatest_of_bigints) { is_i64(CALL("GREATEST", I(3), I(9), I(-1)), 9); }
Test(functions, greatest_skips_nulls) { is_i64(CALL("GREATEST", N(), I(2), N()), 2); }
Test(functions, greatest_all_null_is_null) { is_null(CALL("GREATEST", N(), N())); }
Test(functions, greatest_mixed_numbers_is_common_decimal) {
    is_dec(CALL("GREATEST", I(1), DEC("2.5")), "2.5", 20, 1);
}
Test(functions, least_of_strings) { is_str(CALL("LEAST", S("pear"), S("apple"), S("fig")), "apple"); }
Test(functions, least_of_timestamps) {
    is_ts(CALL("LEAST", TS("2024-01-02T00:00:00Z"), TS("2023-12-31T00:00:00Z")), "2023-12-31T00:00:00Z");
}
Test(functions, if_true_takes_the_first) { is_str(CALL("IF", B(true), S("yes"), S("no")), "yes"); }
Test(functions, if_null_condition_takes_the_second) { is_str(CALL("IF", N(), S("yes"), S("no")), "no"); }
Test(functions, if_result_has_common_type) { is_dec(CALL("IF", B(false), I(1), DEC("0.5")), "0.5", 20, 1); }
Test(functions, if_may_return_null) { is_null(CALL("IF", B(true), N(), I(1))); }
Test(functions, coalesce_first_non_null) { is_i64(CALL("COALESCE", N(), I(4)), 4); }

/* ---- time ---- */

Test(functions, now_is_close_to_the_wall_clock) {
    result r = CALL0("NOW");
    ok(r);
    cr_assert_eq(r.v.type.id, VELO_TYPE_TIMESTAMP);
    cr_assert_gt(r.v.u.i64, INT64_C(1700000000) * 1000000); /* after November 2023 */
    ok(CALL0("CURRENT_TIMESTAMP"));
}
Test(functions, unix_timestamp_of_now_and_of_timestamp) {
    ok(CALL0("UNIX_TIMESTAMP"));
    is_i64(CALL("UNIX_TIMESTAMP", TS("2024-01-01T00:00:01.9Z")), 1704067201);
}
Test(functions, unix_timestamp_rounds_negative_down) {
    is_i64(CALL("UNIX_TIMESTAMP", TS("1969-12-31T23:59:59.5Z")), -1);
}
Test(functions, unix_timestamp_of_date) { is_i64(CALL("UNIX_TIMESTAMP", DATE("1970-01-02")), 86400); }
Test(functions, from_unixtime_bigint) { is_ts(CALL("FROM_UNIXTIME", I(1700000000)), "2023-11-14T22:13:20Z"); }
Test(functions, from_unixtime_decimal_is_exact) {
    is_ts(CALL("FROM_UNIXTIME", DEC("1.000001")), "1970-01-01T00:00:01.000001Z");
}
Test(functions, from_unixtime_negative) { is_ts(CALL("FROM_UNIXTIME", I(-86400)), "1969-12-31T00:00:00Z"); }
Test(functions, from_unixtime_out_of_range_is_a_row_error) {
    is_err(CALL("FROM_UNIXTIME", I(INT64_MAX / 10)), "range");
}
Test(functions, event_time_of_reads_epoch_milliseconds_iso_text_and_timestamps) {
    is_ts(CALL("EVENT_TIME_OF", I(1767225609500)), "2026-01-01T00:00:09.500Z");
    is_ts(CALL("EVENT_TIME_OF", S("2026-01-01T00:00:09.5Z")), "2026-01-01T00:00:09.500Z");
    is_ts(CALL("EVENT_TIME_OF", TS("2026-01-01T00:00:09.5Z")), "2026-01-01T00:00:09.500Z");
}
Test(functions, event_time_of_reads_digits_of_a_dynamically_typed_json_number_as_milliseconds) {
    is_ts(CALL("EVENT_TIME_OF", S("1767225600000")), "2026-01-01T00:00:00Z");
    is_ts(CALL("EVENT_TIME_OF", S("-1000")), "1969-12-31T23:59:59Z");
}
Test(functions, event_time_of_other_text_is_a_row_error) {
    is_err(CALL("EVENT_TIME_OF", S("not a time")), "not a timestamp");
    is_err(CALL("EVENT_TIME_OF", I(INT64_MAX / 10)), "out of range");
}
Test(functions, to_timestamp_iso_text) {
    is_ts(CALL("TO_TIMESTAMP", S("2024-02-29 10:00:00")), "2024-02-29T10:00:00Z");
}
Test(functions, to_timestamp_with_format) {
    is_ts(CALL("TO_TIMESTAMP", S("29/02/2024 13:05:09.25"), S("%d/%m/%Y %H:%M:%S.%f")),
          "2024-02-29T13:05:09.250Z");
}
Test(functions, to_timestamp_with_month_name) {
    is_ts(CALL("TO_TIMESTAMP", S("Mar 5 2023"), S("%b %d %Y")), "2023-03-05T00:00:00Z");
}
Test(functions, to_timestamp_february_29_of_common_year_is_an_error) {
    is_err(CALL("TO_TIMESTAMP", S("2023-02-29"), S("%Y-%m-%d")), "does not match");
}
Test(functions, to_timestamp_bad_text_is_a_row_error) {
    is_err(CALL("TO_TIMESTAMP", S("yesterday")), "not a timestamp");
}
Test(functions, to_timestamp_of_epoch_seconds) {
    is_ts(CALL("TO_TIMESTAMP", F(1.5)), "1970-01-01T00:00:01.500Z");
}
Test(functions, date_format_all_codes) {
    is_str(CALL("DATE_FORMAT", TS("2024-02-29T13:45:30.123456Z"), S("%Y-%m-%d %H:%M:%S.%f %j %a %b %%")),
           "2024-02-29 13:45:30.123456 060 Thu Feb %");
}
Test(functions, date_format_of_date) { is_str(CALL("DATE_FORMAT", DATE("2000-12-31"), S("%j")), "366"); }
Test(functions, date_format_before_epoch) {
    is_str(CALL("DATE_FORMAT", TS("1969-12-31T23:59:59.999999Z"), S("%Y%m%d %H%M%S %f %a")),
           "19691231 235959 999999 Wed");
}
Test(functions, date_format_unknown_code_is_a_row_error) {
    is_err(CALL("DATE_FORMAT", DATE("2000-01-01"), S("%Q")), "%Q");
}
Test(functions, date_trunc_hour) {
    is_ts(CALL("DATE_TRUNC", S("hour"), TS("2024-05-05T13:45:30Z")), "2024-05-05T13:00:00Z");
}
Test(functions, date_trunc_plural_and_case) {
    is_ts(CALL("DATE_TRUNC", S("DAYS"), TS("2024-05-05T13:45:30Z")), "2024-05-05T00:00:00Z");
}
Test(functions, date_trunc_week_starts_monday) {
    is_ts(CALL("DATE_TRUNC", S("week"), TS("2024-05-05T13:00:00Z")), "2024-04-29T00:00:00Z");
}
Test(functions, date_trunc_quarter) {
    is_ts(CALL("DATE_TRUNC", S("quarter"), TS("2024-05-05T13:00:00Z")), "2024-04-01T00:00:00Z");
}
Test(functions, date_trunc_year_of_date) {
    is_ts(CALL("DATE_TRUNC", S("year"), DATE("2024-05-05")), "2024-01-01T00:00:00Z");
}
Test(functions, date_trunc_before_epoch_goes_down) {
    is_ts(CALL("DATE_TRUNC", S("minute"), TS("1969-12-31T23:59:30Z")), "1969-12-31T23:59:00Z");
}
Test(functions, date_trunc_bad_unit_is_a_row_error) {
    is_err(CALL("DATE_TRUNC", S("fortnight"), DATE("2024-05-05")), "unit 'fortnight'");
}
Test(functions, datediff_days) {
    is_i64(CALL("DATEDIFF", S("day"), DATE("2024-02-28"), DATE("2024-03-01")), 2);
}
Test(functions, datediff_truncates_toward_zero) {
    is_i64(CALL("DATEDIFF", S("hour"), TS("2024-01-01T00:00:00Z"), TS("2024-01-01T01:59:00Z")), 1);
    is_i64(CALL("DATEDIFF", S("hour"), TS("2024-01-01T01:59:00Z"), TS("2024-01-01T00:00:00Z")), -1);
}
Test(functions, datediff_months_need_whole_months) {
    is_i64(CALL("DATEDIFF", S("month"), DATE("2024-01-31"), DATE("2024-02-29")), 0);
    is_i64(CALL("DATEDIFF", S("month"), DATE("2024-01-15"), DATE("2024-03-15")), 2);
}
Test(functions, datediff_years_across_epoch) {
    is_i64(CALL("DATEDIFF", S("year"), DATE("1960-06-01"), DATE("1980-05-31")), 19);
}
Test(functions, datediff_epoch_milliseconds) { is_i64(CALL("DATEDIFF", S("second"), I(0), I(90500)), 90); }
Test(functions, datediff_null_is_null) { is_null(CALL("DATEDIFF", S("day"), N(), DATE("2024-01-01"))); }
Test(functions, date_add_days) {
    is_ts(CALL("DATE_ADD", S("day"), I(1), DATE("2024-02-28")), "2024-02-29T00:00:00Z");
}
Test(functions, date_add_month_clamps_day) {
    is_ts(CALL("DATE_ADD", S("month"), I(1), DATE("2024-01-31")), "2024-02-29T00:00:00Z");
}
Test(functions, date_add_year_from_leap_day) {
    is_ts(CALL("DATE_ADD", S("years"), I(1), DATE("2024-02-29")), "2025-02-28T00:00:00Z");
}
Test(functions, date_add_negative_hours) {
    is_ts(CALL("DATE_ADD", S("hour"), I(-2), TS("1970-01-01T01:00:00Z")), "1969-12-31T23:00:00Z");
}
Test(functions, date_add_overflow_is_a_row_error) {
    is_err(CALL("DATE_ADD", S("week"), I(INT64_MAX / 100), DATE("2024-01-01")), "range");
}
Test(functions, extract_year_month_day) {
    velo_value t = TS("2024-02-29T13:45:30.123456Z");
    is_i64(CALL("EXTRACT", S("YEAR"), t), 2024);
    is_i64(CALL("EXTRACT", S("MONTH"), t), 2);
    is_i64(CALL("EXTRACT", S("DAY"), t), 29);
}
Test(functions, extract_time_fields) {
    velo_value t = TS("2024-02-29T13:45:30.123456Z");
    is_i64(CALL("EXTRACT", S("HOUR"), t), 13);
    is_i64(CALL("EXTRACT", S("MINUTE"), t), 45);
    is_i64(CALL("EXTRACT", S("SECOND"), t), 30);
    is_i64(CALL("EXTRACT", S("MILLISECOND"), t), 30123);
    is_i64(CALL("EXTRACT", S("MICROSECOND"), t), 30123456);
}
Test(functions, extract_field_is_case_insensitive) {
    is_i64(CALL("EXTRACT", S("year"), DATE("1999-01-01")), 1999);
}
Test(functions, extract_epoch_negative) {
    is_i64(CALL("EXTRACT", S("EPOCH"), TS("1969-12-31T23:59:59.5Z")), -1);
}
Test(functions, extract_dow_doy_quarter) {
    velo_value d = DATE("2024-12-31");
    is_i64(CALL("EXTRACT", S("DOW"), d), 2); /* a Tuesday */
    is_i64(CALL("EXTRACT", S("DOY"), d), 366);
    is_i64(CALL("EXTRACT", S("QUARTER"), d), 4);
}
Test(functions, extract_iso_week_at_year_boundaries) {
    is_i64(CALL("EXTRACT", S("WEEK"), DATE("2024-12-30")), 1); /* belongs to 2025's week 1 */
    is_i64(CALL("EXTRACT", S("WEEK"), DATE("2021-01-03")), 53);
    is_i64(CALL("EXTRACT", S("WEEK"), DATE("2024-05-05")), 18);
}
Test(functions, extract_before_epoch) {
    velo_value t = TS("1900-03-01T00:00:00Z");
    is_i64(CALL("EXTRACT", S("YEAR"), t), 1900);
    is_i64(CALL("EXTRACT", S("DOW"), t), 4); /* 1900-03-01 was a Thursday */
}
Test(functions, extract_of_bigint_reads_epoch_milliseconds) {
    /* 1734652800123 ms = 2024-12-20T00:00:00.123Z, the original dialect's timestamps */
    is_i64(CALL("EXTRACT", S("YEAR"), I(INT64_C(1734652800123))), 2024);
    is_i64(CALL("EXTRACT", S("MONTH"), I(INT64_C(1734652800123))), 12);
    is_i64(CALL("EXTRACT", S("EPOCH"), I(INT64_C(1734652800123))), 1734652800);
    is_i64(CALL("EXTRACT", S("YEAR"), I(-1)), 1969);
}
Test(functions, bigint_epoch_ms_plus_interval_is_epoch_ms) {
    velo_value ms = I(INT64_C(1734652800000)), hour = IV(0, 0, 3600 * INT64_C(1000000)), r;
    velo_error err = {0};
    velo_type bt = velo_type_make(VELO_TYPE_BIGINT), t;
    cr_assert_eq(velo_arith_result_type(VELO_ARITH_ADD, ms.type, hour.type, &t, &err), VELO_OK);
    cr_assert_eq(t.id, VELO_TYPE_BIGINT);
    cr_assert_eq(velo_value_arith(VELO_ARITH_ADD, &ms, &hour, bt, &arena, &r, &err), VELO_OK, "%s",
                 err.message);
    cr_assert_eq(r.u.i64, INT64_C(1734656400000));
    cr_assert_eq(velo_value_arith(VELO_ARITH_SUB, &ms, &hour, bt, &arena, &r, &err), VELO_OK);
    cr_assert_eq(r.u.i64, INT64_C(1734649200000));
    cr_assert_eq(velo_value_arith(VELO_ARITH_ADD, &hour, &ms, bt, &arena, &r, &err), VELO_OK);
    cr_assert_eq(r.u.i64, INT64_C(1734656400000));
    velo_value month = IV(1, 0, 0); /* by the calendar: 2024-12-20 + 1 month = 2025-01-20 */
    cr_assert_eq(velo_value_arith(VELO_ARITH_ADD, &ms, &month, bt, &arena, &r, &err), VELO_OK);
    cr_assert_eq(r.u.i64, INT64_C(1737331200000));
    cr_assert_neq(velo_arith_result_type(VELO_ARITH_SUB, hour.type, ms.type, &t, &err), VELO_OK);
}
Test(functions, extract_epoch_of_interval) {
    is_i64(CALL("EXTRACT", S("EPOCH"), IV(0, 1, 5 * 60 * INT64_C(1000000))), 86700);
}
Test(functions, extract_epoch_of_month_interval) {
    is_i64(CALL("EXTRACT", S("EPOCH"), IV(13, 0, 0)), 31557600 + 30 * 86400);
}
Test(functions, extract_hour_of_interval) {
    is_i64(CALL("EXTRACT", S("HOUR"), IV(0, 0, 7200 * INT64_C(1000000))), 2);
}
Test(functions, extract_dow_of_interval_is_a_row_error) {
    is_err(CALL("EXTRACT", S("DOW"), IV(0, 1, 0)), "INTERVAL");
}
Test(functions, extract_null_is_null) { is_null(CALL("EXTRACT", S("YEAR"), N())); }

/* ---- JSON ---- */

static const char *doc = "{\"a\": {\"b\": [10, \"x\\u00e9\", {\"c\": null}]}, \"k.y\": true, \"n\": 1.5}";

Test(functions, json_value_nested_path) { is_str(CALL("JSON_VALUE", S(doc), S("$.a.b[0]")), "10"); }
Test(functions, json_value_decodes_strings) { is_str(CALL("JSON_VALUE", S(doc), S("$.a.b[1]")), "xé"); }
Test(functions, json_value_of_object_is_null) { is_null(CALL("JSON_VALUE", S(doc), S("$.a"))); }
Test(functions, json_value_of_json_null_is_null) { is_null(CALL("JSON_VALUE", S(doc), S("$.a.b[2].c"))); }
Test(functions, json_value_bracket_key) { is_str(CALL("JSON_VALUE", S(doc), S("$[\"k.y\"]")), "true"); }
Test(functions, json_value_missing_path_is_null) { is_null(CALL("JSON_VALUE", S(doc), S("$.a.b[7]"))); }
Test(functions, json_extract_of_an_object_or_array_is_json_text) {
    is_str(CALL("JSON_EXTRACT", S(doc), S("$.a.b[2]")), "{\"c\": null}");
    is_str(CALL("JSON_EXTRACT", S(doc), S("$.a.b")), "[10, \"x\\u00e9\", {\"c\": null}]");
}
Test(functions, json_extract_of_a_scalar_is_its_sql_value) {
    is_str(CALL("JSON_EXTRACT", S(doc), S("$.a.b[1]")), "xé");
    is_i64(CALL("JSON_EXTRACT", S(doc), S("$.a.b[0]")), 10);
    is_dec(CALL("JSON_EXTRACT", S(doc), S("$.n")), "1.5", 2, 1);
    is_bool(CALL("JSON_EXTRACT", S(doc), S("$[\"k.y\"]")), true);
    is_null(CALL("JSON_EXTRACT", S(doc), S("$.a.b[2].c")));
    is_f64(CALL("JSON_EXTRACT", S("{\"e\": 2.5e3}"), S("$.e")), 2500.0);
}
Test(functions, json_path_dot_digits_index_an_array_or_name_a_member) {
    is_i64(CALL("JSON_EXTRACT", S(doc), S("$.a.b.0")), 10);
    is_bool(CALL("JSON_EXISTS", S(doc), S("$.a.b.2.c")), true);
    is_bool(CALL("JSON_EXISTS", S(doc), S("$.a.b.3")), false);
    is_str(CALL("JSON_VALUE", S("{\"0\": \"zero\"}"), S("$.0")), "zero");
    is_null(CALL("JSON_VALUE", S("{\"a\": [1]}"), S("$.a[\"0\"]")));
}
Test(functions, json_functions_read_a_nested_value_as_its_json) {
    velo_value m = CALL("MAP", S("user"), CALL("MAP", S("name"), S("Alice")).v, S("tags"),
                        CALL("ARRAY", S("rust"), S("sql")).v)
                       .v;
    is_bool(CALL("JSON_EXISTS", m, S("$.user.name")), true);
    is_bool(CALL("JSON_EXISTS", m, S("$.user.email")), false);
    is_str(CALL("JSON_EXTRACT", m, S("$.user.name")), "Alice");
    is_str(CALL("JSON_VALUE", m, S("$.tags[1]")), "sql");
    is_str(CALL("JSON_QUERY", m, S("$.tags")), "[\"rust\",\"sql\"]");
    is_str(CALL("JSON_EXTRACT", CALL("ARRAY", I(1), I(2)).v, S("$")), "[1,2]");
}
Test(functions, json_extract_root) { is_str(CALL("JSON_EXTRACT", S("[1,2]"), S("$")), "[1,2]"); }
Test(functions, json_query_object_or_null) {
    is_str(CALL("JSON_QUERY", S(doc), S("$.a.b[2]")), "{\"c\": null}");
    is_null(CALL("JSON_QUERY", S(doc), S("$.n")));
}
Test(functions, json_exists_true_false) {
    is_bool(CALL("JSON_EXISTS", S(doc), S("$.a.b[2].c")), true);
    is_bool(CALL("JSON_EXISTS", S(doc), S("$.a.z")), false);
}
Test(functions, json_escaped_key_matches) {
    is_str(CALL("JSON_VALUE", S("{\"\\u0061\": 5}"), S("$.a")), "5");
}
Test(functions, json_invalid_text_is_a_row_error) {
    is_err(CALL("JSON_VALUE", S("{\"a\": }"), S("$.a")), "not valid JSON");
}
Test(functions, json_invalid_path_is_a_row_error) {
    is_err(CALL("JSON_VALUE", S(doc), S("a.b")), "invalid JSON path");
}
Test(functions, json_null_document_is_null) { is_null(CALL("JSON_EXISTS", N(), S("$.a"))); }

/* ---- collections ---- */

Test(functions, array_builds_a_list) {
    result r = CALL("ARRAY", I(1), N(), S("x"));
    ok(r);
    cr_assert_eq(r.v.type.id, VELO_TYPE_LIST);
    cr_assert_eq(r.v.u.nested.count, 3);
    cr_assert(r.v.u.nested.items[1].is_null);
}
Test(functions, array_length_counts) { is_i64(CALL("ARRAY_LENGTH", CALL("SPLIT", S("a b c"), S(" ")).v), 3); }
Test(functions, array_contains_finds_element) {
    is_bool(CALL("ARRAY_CONTAINS", CALL("ARRAY", I(1), I(2)).v, DEC("2.0")), true);
}
Test(functions, array_contains_missing_is_false) {
    is_bool(CALL("ARRAY_CONTAINS", CALL("ARRAY", I(1)).v, I(3)), false);
}
Test(functions, array_contains_missing_with_null_element_is_null) {
    is_null(CALL("ARRAY_CONTAINS", CALL("ARRAY", I(1), N()).v, I(3)));
}
Test(functions, map_keys_and_values) {
    velo_value m = CALL("MAP", S("a"), I(1), S("b"), I(2)).v;
    const char *keys[] = {"a", "b"};
    is_list_of(CALL("MAP_KEYS", m), 2, keys);
    result v = CALL("MAP_VALUES", m);
    ok(v);
    cr_assert_eq(v.v.u.nested.count, 2);
    cr_assert_eq(v.v.u.nested.items[1].u.i64, 2);
}
Test(functions, map_keys_and_values_of_a_struct_are_its_fields) {
    velo_value s = CALL("STRUCT", I(1), S("x")).v;
    const char *keys[] = {"col1", "col2"};
    is_list_of(CALL("MAP_KEYS", s), 2, keys);
    result v = CALL("MAP_VALUES", s);
    ok(v);
    cr_assert_eq(v.v.u.nested.count, 2);
    cr_assert_eq(v.v.u.nested.items[0].u.i64, 1);
}
Test(functions, concat_of_nested_values_is_their_json_text) {
    is_str(CALL("CONCAT", S("n: "), CALL("ARRAY", I(1), S("a"), N()).v), "n: [1,\"a\",null]");
    is_str(CALL("CONCAT", CALL("MAP", S("k"), DEC("1.50")).v), "{\"k\":1.50}");
}
Test(functions, concat_of_no_arguments_is_empty) { is_str(CALL0("CONCAT"), ""); }
Test(functions, concat_keeps_every_one_of_many_arguments) {
    velo_value a[20];
    for (int i = 0; i < 20; i++)
        a[i] = S(i % 2 ? "b" : "a");
    is_str(call("CONCAT", a, 20), "abababababababababab");
}
Test(functions, map_null_key_is_a_row_error) { is_err(CALL("MAP", N(), I(1)), "NULL"); }
Test(functions, struct_names_fields_by_position) {
    result r = CALL("STRUCT", I(1), S("x"));
    ok(r);
    cr_assert_eq(r.v.type.id, VELO_TYPE_STRUCT);
    cr_assert_eq(r.v.u.nested.count, 2);
    cr_assert(r.v.u.nested.names[1].len == 4 && !memcmp(r.v.u.nested.names[1].ptr, "col2", 4));
}

/* ---- nested values: comparison and text ---- */

static int cmp(velo_value a, velo_value b) {
    int c = 99;
    velo_error err;
    cr_assert_eq(velo_value_compare(&a, &b, &c, &err), VELO_OK, "%s", err.message);
    return c;
}

Test(functions, lists_compare_element_by_element_then_by_length) {
    cr_assert_eq(cmp(CALL("ARRAY", I(1), I(2), I(3)).v, CALL("ARRAY", I(1), I(2), I(3)).v), 0);
    cr_assert_eq(cmp(CALL("ARRAY", I(1), I(2), I(3)).v, CALL("ARRAY", I(3), I(2), I(1)).v), -1);
    cr_assert_eq(cmp(CALL("ARRAY", I(1), I(2)).v, CALL("ARRAY", I(1)).v), 1);
    cr_assert_eq(cmp(CALL("ARRAY", I(1), DEC("2.0")).v, CALL("ARRAY", DEC("1.00"), I(2)).v), 0);
    cr_assert_eq(cmp(CALL("ARRAY", N()).v, CALL("ARRAY", N()).v), 0);
    cr_assert_eq(cmp(CALL("ARRAY", I(5)).v, CALL("ARRAY", N()).v), -1);
}
Test(functions, maps_are_equal_whatever_the_order_of_their_entries) {
    velo_value ab = CALL("MAP", S("a"), I(1), S("b"), I(2)).v, ba = CALL("MAP", S("b"), I(2), S("a"), I(1)).v;
    cr_assert_eq(cmp(ab, ba), 0);
    cr_assert_neq(cmp(ab, CALL("MAP", S("a"), I(1), S("b"), I(3)).v), 0);
    cr_assert_neq(cmp(ab, CALL("MAP", S("a"), I(1)).v), 0);
    cr_assert_eq(cmp(CALL("STRUCT", I(1), S("x")).v, CALL("MAP", S("col2"), S("x"), S("col1"), I(1)).v), 0);
}
Test(functions, nullif_of_equal_lists_is_null) {
    is_null(CALL("NULLIF", CALL("ARRAY", I(1), I(2)).v, CALL("ARRAY", I(1), I(2)).v));
}
Test(functions, a_list_and_a_map_do_not_compare) {
    int c;
    velo_error err;
    velo_value l = CALL("ARRAY", I(1)).v, m = CALL("MAP", S("a"), I(1)).v;
    cr_assert_neq(velo_value_compare(&l, &m, &c, &err), VELO_OK);
}
Test(functions, cast_of_nested_values_to_varchar_is_json_text) {
    velo_value m = CALL("MAP", S("key1"), S("va\"l"), S("key2"), CALL("ARRAY", I(42), F(0.5), B(true)).v).v,
               out;
    velo_error err;
    cr_assert(velo_type_can_cast(m.type, velo_type_make(VELO_TYPE_VARCHAR)));
    cr_assert_eq(velo_value_cast(&m, velo_type_make(VELO_TYPE_VARCHAR), &arena, &out, &err), VELO_OK);
    cr_assert(out.u.str.len == strlen("{\"key1\":\"va\\\"l\",\"key2\":[42,0.5,true]}") &&
                  !memcmp(out.u.str.ptr, "{\"key1\":\"va\\\"l\",\"key2\":[42,0.5,true]}", out.u.str.len),
              "%.*s", (int)out.u.str.len, out.u.str.ptr);
}

/* ---- the catalog ---- */

Test(functions, every_scalar_function_but_timestamp_has_an_implementation) {
    for (uint32_t i = 0; velo_function_at(i); i++) {
        const velo_function *f = velo_function_at(i);
        if (f->kind != VELO_FN_SCALAR) continue;
        bool metadata = !strcmp(f->name, "TIMESTAMP");
        if (metadata)
            cr_expect_null(f->impl, "%s", f->name);
        else
            cr_expect_not_null(f->impl, "%s has no implementation", f->name);
    }
}

/* A dynamically typed (ANY) column passes the bind-time checks; its values are checked per record. */
Test(functions, dynamic_non_text_value_is_a_row_error_not_a_crash) {
    velo_value args[] = {I(5), S(",")};
    velo_value out;
    velo_error err;
    cr_assert_eq(velo_fn_reverse(args, 1, velo_type_make(VELO_TYPE_VARCHAR), &arena, &out, &err),
                 VELO_ERR_CAST);
    cr_assert(strstr(err.message, "REVERSE needs VARCHAR as argument 1, found BIGINT"), "%s", err.message);
    cr_assert_neq(velo_fn_split(args, 2, velo_type_make(VELO_TYPE_LIST), &arena, &out, &err), VELO_OK);
}

/* HEADER('h') binds as HEADER('h', _headers): the record's headers MAP is the last argument. */
#define HS(lit) velo_value_str(lit, sizeof lit - 1)

static velo_value headers_map(void) {
    static velo_value items[2];
    static velo_str names[2] = {{"region", 6}, {"trace", 5}};
    items[0] = HS("eu");
    items[1] = velo_value_null();
    items[1].type = velo_type_make(VELO_TYPE_VARCHAR);
    velo_value m;
    memset(&m, 0, sizeof m);
    m.type = velo_type_make(VELO_TYPE_MAP);
    m.u.nested.items = items;
    m.u.nested.names = names;
    m.u.nested.count = 2;
    return m;
}

Test(functions, header_reads_a_kafka_header_and_null_when_absent_or_null) {
    velo_value out;
    velo_error err;
    velo_value args[] = {HS("region"), headers_map()};
    cr_assert_eq(velo_fn_header(args, 2, velo_type_make(VELO_TYPE_VARCHAR), &arena, &out, &err), VELO_OK);
    cr_assert(!out.is_null && out.u.str.len == 2 && !memcmp(out.u.str.ptr, "eu", 2));
    args[0] = HS("trace");
    velo_fn_header(args, 2, velo_type_make(VELO_TYPE_VARCHAR), &arena, &out, &err);
    cr_assert(out.is_null, "a header with a null value reads NULL");
    args[0] = HS("missing");
    velo_fn_header(args, 2, velo_type_make(VELO_TYPE_VARCHAR), &arena, &out, &err);
    cr_assert(out.is_null);
}

Test(functions, has_header_is_true_for_present_headers_even_with_null_value) {
    velo_value out;
    velo_error err;
    velo_value args[] = {HS("trace"), headers_map()};
    velo_fn_has_header(args, 2, velo_type_make(VELO_TYPE_BOOLEAN), &arena, &out, &err);
    cr_assert(!out.is_null && out.u.b);
    args[0] = HS("nope");
    velo_fn_has_header(args, 2, velo_type_make(VELO_TYPE_BOOLEAN), &arena, &out, &err);
    cr_assert(!out.is_null && !out.u.b);
    args[1] = velo_value_null(); /* a record from a source without headers */
    velo_fn_has_header(args, 2, velo_type_make(VELO_TYPE_BOOLEAN), &arena, &out, &err);
    cr_assert(!out.is_null && !out.u.b);
}

/* "name=value,..." of a headers MAP ("name" alone for a header without value). */
static const char *headers_text(const velo_value *m) {
    static char buf[256];
    size_t n = 0;
    buf[0] = '\0';
    cr_assert_eq(m->type.id, VELO_TYPE_MAP);
    for (uint32_t i = 0; i < m->u.nested.count; i++) {
        const velo_value *it = &m->u.nested.items[i];
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%.*s", i ? "," : "", (int)m->u.nested.names[i].len,
                              m->u.nested.names[i].ptr);
        if (!it->is_null)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "=%.*s", (int)it->u.str.len, it->u.str.ptr);
    }
    return buf;
}

Test(functions, set_header_replaces_in_place_or_appends_as_text_and_keeps_the_record_unchanged) {
    velo_value out;
    velo_error err;
    velo_value h = headers_map();
    velo_value args[] = {HS("region"), I(42), h};
    cr_assert_eq(velo_fn_set_header(args, 3, velo_type_make(VELO_TYPE_MAP), &arena, &out, &err), VELO_OK);
    cr_expect_str_eq(headers_text(&out), "region=42,trace");
    args[0] = HS("Region"); /* names are case-sensitive, as Kafka's */
    args[1] = velo_value_null();
    velo_fn_set_header(args, 3, velo_type_make(VELO_TYPE_MAP), &arena, &out, &err);
    cr_expect_str_eq(headers_text(&out), "region=eu,trace,Region", "a NULL value: a header without value");
    cr_expect_str_eq(headers_text(&h), "region=eu,trace", "the input MAP is not changed");
    args[2] = velo_value_null(); /* a record without headers */
    args[1] = HS("v");
    velo_fn_set_header(args, 3, velo_type_make(VELO_TYPE_MAP), &arena, &out, &err);
    cr_expect_str_eq(headers_text(&out), "Region=v");
    args[0] = velo_value_null(); /* no name: nothing changes */
    args[2] = h;
    velo_fn_set_header(args, 3, velo_type_make(VELO_TYPE_MAP), &arena, &out, &err);
    cr_expect_str_eq(headers_text(&out), "region=eu,trace");
}

Test(functions, set_header_leaves_one_header_of_a_repeated_name_and_remove_header_drops_all) {
    static velo_value items[3];
    static velo_str names[3] = {{"a", 1}, {"b", 1}, {"a", 1}};
    items[0] = HS("1"), items[1] = HS("2"), items[2] = HS("3");
    velo_value m = {.type = velo_type_make(VELO_TYPE_MAP)};
    m.u.nested.items = items, m.u.nested.names = names, m.u.nested.count = 3;
    velo_value out;
    velo_error err;
    velo_value set[] = {HS("a"), HS("x"), m};
    velo_fn_set_header(set, 3, velo_type_make(VELO_TYPE_MAP), &arena, &out, &err);
    cr_expect_str_eq(headers_text(&out), "a=x,b=2");
    velo_value rm[] = {HS("a"), m};
    cr_assert_eq(velo_fn_remove_header(rm, 2, velo_type_make(VELO_TYPE_MAP), &arena, &out, &err), VELO_OK);
    cr_expect_str_eq(headers_text(&out), "b=2");
    rm[0] = HS("zz");
    velo_fn_remove_header(rm, 2, velo_type_make(VELO_TYPE_MAP), &arena, &out, &err);
    cr_expect_str_eq(headers_text(&out), "a=1,b=2,a=3");
}

Test(functions, header_keys_lists_header_names_in_record_order) {
    velo_value out;
    velo_error err;
    velo_value args[] = {headers_map()};
    cr_assert_eq(velo_fn_header_keys(args, 1, velo_type_make(VELO_TYPE_LIST), &arena, &out, &err), VELO_OK);
    cr_assert_eq(out.type.id, VELO_TYPE_LIST);
    cr_assert_eq(out.u.nested.count, 2);
    cr_assert(!memcmp(out.u.nested.items[0].u.str.ptr, "region", 6));
    cr_assert(!memcmp(out.u.nested.items[1].u.str.ptr, "trace", 5));
}
