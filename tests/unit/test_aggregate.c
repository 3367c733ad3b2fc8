/* Aggregate accumulators (core/aggregate.h): each aggregate on the types it takes, NULL rules,
 * exact DECIMAL results, overflow errors, retract undoing update, merge agreeing with one stream,
 * numerically stable variance, exact MEDIAN/PERCENTILE_CONT, DISTINCT, HyperLogLog's error bound.
 * Result types come from the catalog (sql/catalog.c), as the planner passes them. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/aggregate.h"
#include "core/decimal.h"
#include "core/scalar.h"
#include "sql/catalog.h"

#define BIGINT    velo_type_make(VELO_TYPE_BIGINT)
#define DOUBLE    velo_type_make(VELO_TYPE_DOUBLE)
#define VARCHAR   velo_type_make(VELO_TYPE_VARCHAR)
#define BOOLEAN   velo_type_make(VELO_TYPE_BOOLEAN)
#define DATE      velo_type_make(VELO_TYPE_DATE)
#define TIMESTAMP velo_type_make(VELO_TYPE_TIMESTAMP)
#define NUL       velo_type_make(VELO_TYPE_NULL)
#define DYN       velo_type_make(VELO_TYPE_ANY)
#define DEC(p, s) velo_type_decimal(p, s)

/* a list of input values as text ("NULL" is NULL): pointer and count */
#define V(...)                                                                                               \
    (const char *const[]){__VA_ARGS__},                                                                      \
        (uint32_t)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))
#define NONE NULL, 0

static velo_error g_err;    /* the last error of agg() */
static char g_out[1 << 16]; /* the last result of agg() as text */

/* ---- building descriptors, vectors and results ---- */

/* The result type the catalog gives `name` over args (what the planner passes). */
static velo_type result_of(const char *name, const velo_type *args, uint32_t nargs) {
    const velo_function *f = velo_function_lookup(name);
    cr_assert_not_null(f, "no catalog entry for %s", name);
    velo_type r;
    char msg[256];
    cr_assert(velo_function_check(f, args, nargs, &r, msg, sizeof msg), "%s", msg);
    return r;
}

/* A descriptor for name(x) (name(*) when nargs is 0); c1 is the constant second argument of
 * PERCENTILE_CONT / STRING_AGG. */
static velo_status make_desc(velo_agg_desc *d, const char *name, velo_type t, uint32_t nargs, bool distinct,
                             const velo_value *c1, velo_error *err) {
    velo_type args[2] = {t, c1 ? c1->type : t};
    velo_value consts[2] = {velo_value_null(), c1 ? *c1 : velo_value_null()};
    velo_type res = result_of(name, args, nargs);
    return velo_agg_desc_make(name, args, nargs, distinct, res, c1 ? consts : NULL, d, err);
}

static void make_ok(velo_agg_desc *d, const char *name, velo_type t, bool distinct, const velo_value *c1) {
    velo_error err;
    velo_status st = make_desc(d, name, t, 1 + (c1 != NULL), distinct, c1, &err);
    cr_assert_eq(st, VELO_OK, "%s: %s", name, err.message);
}

static void fill(velo_vector *v, velo_type t, const char *const *items, uint32_t n) {
    velo_error err;
    cr_assert_eq(velo_vector_init(v, t, n ? n : 1, &err), VELO_OK);
    for (uint32_t i = 0; i < n; i++) {
        if (!strcmp(items[i], "NULL")) continue;
        velo_vector_set_valid(v, i);
        switch (t.id) {
        case VELO_TYPE_BIGINT:
        case VELO_TYPE_TIMESTAMP: VELO_VEC(v, int64_t)[i] = strtoll(items[i], NULL, 10); break;
        case VELO_TYPE_DATE: VELO_VEC(v, int32_t)[i] = (int32_t)strtol(items[i], NULL, 10); break;
        case VELO_TYPE_BOOLEAN: VELO_VEC(v, uint8_t)[i] = !strcmp(items[i], "true"); break;
        case VELO_TYPE_DOUBLE: VELO_VEC(v, double)[i] = strtod(items[i], NULL); break;
        case VELO_TYPE_DECIMAL:
            cr_assert_eq(velo_decimal_parse_as(items[i], strlen(items[i]), t.precision, t.scale,
                                               &VELO_VEC(v, velo_i128)[i], &err),
                         VELO_OK, "%s", err.message);
            break;
        case VELO_TYPE_VARCHAR:
            VELO_VEC(v, velo_str)[i] = (velo_str){items[i], (uint32_t)strlen(items[i])};
            break;
        default: cr_assert_fail("fill: unsupported type");
        }
    }
}

static uint32_t *iota(uint32_t n) {
    uint32_t *rows = malloc((n ? n : 1) * sizeof *rows);
    for (uint32_t i = 0; i < n; i++)
        rows[i] = i;
    return rows;
}

/* Folds rows [from, to) of v into one state (update, or retract when `back`). */
static velo_status fold(const velo_agg_desc *d, void *state, const velo_vector *v, uint32_t from, uint32_t to,
                        bool back, velo_error *err) {
    if (to <= from) return VELO_OK;
    uint32_t n = to - from, *rows = malloc(n * sizeof *rows);
    void **states = malloc(n * sizeof *states);
    for (uint32_t i = 0; i < n; i++)
        rows[i] = from + i, states[i] = state;
    velo_vector args[2] = {*v, *v};
    velo_status st = (back ? d->retract : d->update)(d, states, args, rows, n, err);
    free(rows);
    free(states);
    return st;
}

/* The state's result as text: "NULL", an integer, a shortest round-trip double, a decimal, a string. */
static velo_status result_text(const velo_agg_desc *d, const void *state, char *buf, size_t len,
                               velo_error *err) {
    velo_vector out;
    velo_arena arena;
    velo_arena_init(&arena, 1024);
    cr_assert_eq(velo_vector_init(&out, d->result, 1, err), VELO_OK);
    velo_vector_set_valid(&out, 0); /* finalize must set NULL itself */
    velo_status st = d->finalize(d, state, &out, 0, &arena, err);
    if (st == VELO_OK) {
        if (!velo_vector_is_valid(&out, 0)) {
            snprintf(buf, len, "NULL");
        } else {
            switch (d->result.id) {
            case VELO_TYPE_BIGINT: snprintf(buf, len, "%lld", (long long)VELO_VEC(&out, int64_t)[0]); break;
            case VELO_TYPE_DOUBLE: velo_double_format(VELO_VEC(&out, double)[0], buf); break;
            case VELO_TYPE_DECIMAL:
                velo_decimal_format(VELO_VEC(&out, velo_i128)[0], d->result.scale, buf);
                break;
            case VELO_TYPE_VARCHAR: {
                velo_str s = VELO_VEC(&out, velo_str)[0];
                snprintf(buf, len, "%.*s", (int)s.len, s.ptr);
                break;
            }
            case VELO_TYPE_DATE: snprintf(buf, len, "%d", VELO_VEC(&out, int32_t)[0]); break;
            case VELO_TYPE_TIMESTAMP:
                snprintf(buf, len, "%lld", (long long)VELO_VEC(&out, int64_t)[0]);
                break;
            case VELO_TYPE_BOOLEAN: snprintf(buf, len, VELO_VEC(&out, uint8_t)[0] ? "true" : "false"); break;
            default: snprintf(buf, len, "?");
            }
        }
    }
    velo_vector_free(&out);
    velo_arena_free(&arena);
    return st;
}

/* Runs name(x) over the items in one state; the text result lands in g_out, an error in g_err. */
static velo_status agg_full(const char *name, velo_type t, bool distinct, const velo_value *c1,
                            const char *const *items, uint32_t n) {
    velo_agg_desc d;
    make_ok(&d, name, t, distinct, c1);
    velo_vector v;
    fill(&v, t, items, n);
    void *state = calloc(1, d.state_size);
    d.init(&d, state);
    velo_status st = fold(&d, state, &v, 0, n, false, &g_err);
    if (st == VELO_OK) st = result_text(&d, state, g_out, sizeof g_out, &g_err);
    if (d.destroy) d.destroy(&d, state);
    free(state);
    velo_vector_free(&v);
    return st;
}

static const char *agg(const char *name, velo_type t, const char *const *items, uint32_t n) {
    velo_status st = agg_full(name, t, false, NULL, items, n);
    cr_assert_eq(st, VELO_OK, "%s: %s", name, g_err.message);
    return g_out;
}
static const char *agg_distinct(const char *name, velo_type t, const char *const *items, uint32_t n) {
    velo_status st = agg_full(name, t, true, NULL, items, n);
    cr_assert_eq(st, VELO_OK, "%s: %s", name, g_err.message);
    return g_out;
}
static const char *percentile(double f, velo_type t, const char *const *items, uint32_t n) {
    velo_value c = velo_value_f64(f);
    velo_status st = agg_full("PERCENTILE_CONT", t, false, &c, items, n);
    cr_assert_eq(st, VELO_OK, "%s", g_err.message);
    return g_out;
}
static const char *string_agg(const char *name, const char *sep, const char *const *items, uint32_t n) {
    velo_value c = sep ? velo_value_str(sep, (uint32_t)strlen(sep)) : velo_value_null();
    if (!sep) c.type = VARCHAR;
    velo_status st = agg_full(name, VARCHAR, false, &c, items, n);
    cr_assert_eq(st, VELO_OK, "%s", g_err.message);
    return g_out;
}

/* ---- COUNT ---- */

Test(aggregate, count_star_counts_every_row_including_null) {
    velo_agg_desc d;
    velo_error err;
    cr_assert_eq(make_desc(&d, "COUNT", BIGINT, 0, false, NULL, &err), VELO_OK, "%s", err.message);
    velo_vector v;
    fill(&v, BIGINT, V("1", "NULL", "3"));
    int64_t state = -1;
    d.init(&d, &state);
    cr_assert_eq(fold(&d, &state, &v, 0, 3, false, &err), VELO_OK);
    cr_assert_eq(state, 3);
    velo_vector_free(&v);
}
Test(aggregate, count_skips_nulls) { cr_assert_str_eq(agg("COUNT", BIGINT, V("1", "NULL", "3")), "2"); }
Test(aggregate, count_of_all_nulls_is_zero) {
    cr_assert_str_eq(agg("COUNT", BIGINT, V("NULL", "NULL")), "0");
}
Test(aggregate, count_of_empty_group_is_zero) { cr_assert_str_eq(agg("COUNT", BIGINT, NONE), "0"); }
Test(aggregate, count_varchar) { cr_assert_str_eq(agg("COUNT", VARCHAR, V("a", "", "NULL", "b")), "3"); }
Test(aggregate, count_decimal) { cr_assert_str_eq(agg("COUNT", DEC(10, 2), V("1.00", "NULL")), "1"); }
Test(aggregate, count_double) { cr_assert_str_eq(agg("COUNT", DOUBLE, V("NaN", "1")), "2"); }

/* ---- SUM ---- */

Test(aggregate, sum_bigint) { cr_assert_str_eq(agg("SUM", BIGINT, V("1", "2", "NULL", "-10")), "-7"); }
Test(aggregate, sum_bigint_all_null_is_null) {
    cr_assert_str_eq(agg("SUM", BIGINT, V("NULL", "NULL")), "NULL");
}
Test(aggregate, sum_of_empty_group_is_null) { cr_assert_str_eq(agg("SUM", BIGINT, NONE), "NULL"); }
Test(aggregate, sum_bigint_at_the_limit_fits) {
    cr_assert_str_eq(agg("SUM", BIGINT, V("9223372036854775806", "1")), "9223372036854775807");
}
Test(aggregate, sum_bigint_overflow_is_an_error) {
    cr_assert_eq(agg_full("SUM", BIGINT, false, NULL, V("9223372036854775807", "1")), VELO_ERR_OVERFLOW);
    cr_assert(strstr(g_err.message, "SUM overflow: 9223372036854775807 + 1 does not fit BIGINT"), "%s",
              g_err.message);
}
Test(aggregate, sum_bigint_negative_overflow_is_an_error) {
    cr_assert_eq(agg_full("SUM", BIGINT, false, NULL, V("-9223372036854775807", "-2")), VELO_ERR_OVERFLOW);
    cr_assert(strstr(g_err.message, "does not fit BIGINT"), "%s", g_err.message);
}
Test(aggregate, sum_bigint_overflow_that_comes_back_is_still_an_error) {
    /* a running sum that leaves BIGINT is an error even if later rows would bring it back */
    cr_assert_eq(agg_full("SUM", BIGINT, false, NULL, V("9223372036854775807", "1", "-1")),
                 VELO_ERR_OVERFLOW);
}
Test(aggregate, sum_double) { cr_assert_str_eq(agg("SUM", DOUBLE, V("1.5", "2.25", "NULL")), "3.75"); }
Test(aggregate, sum_double_all_null_is_null) { cr_assert_str_eq(agg("SUM", DOUBLE, V("NULL")), "NULL"); }
Test(aggregate, sum_double_is_compensated) {
    /* 1 + 1e100 + 1 - 1e100: naive summation gives 0, compensated gives 2 */
    cr_assert_str_eq(agg("SUM", DOUBLE, V("1", "1e100", "1", "-1e100")), "2");
}
Test(aggregate, sum_double_tenths_rounds_once) {
    cr_assert_str_eq(
        agg("SUM", DOUBLE, V("0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1")), "1");
}
Test(aggregate, sum_double_infinity_stays_infinite) {
    cr_assert_str_eq(agg("SUM", DOUBLE, V("1e308", "1e308")), "Infinity");
}
Test(aggregate, sum_decimal_tenths_is_exactly_one) {
    cr_assert_str_eq(
        agg("SUM", DEC(10, 1), V("0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1")),
        "1.0");
}
Test(aggregate, sum_decimal_keeps_the_scale) {
    cr_assert_str_eq(agg("SUM", DEC(10, 2), V("1.25", "-0.05", "NULL")), "1.20");
}
Test(aggregate, sum_decimal_result_type_is_decimal_38_s) {
    velo_agg_desc d;
    make_ok(&d, "SUM", DEC(10, 3), false, NULL);
    cr_assert_eq(d.result.id, VELO_TYPE_DECIMAL);
    cr_assert_eq(d.result.precision, 38);
    cr_assert_eq(d.result.scale, 3);
}
Test(aggregate, sum_decimal_all_null_is_null) { cr_assert_str_eq(agg("SUM", DEC(10, 2), V("NULL")), "NULL"); }
Test(aggregate, sum_decimal_beyond_bigint_is_exact) {
    cr_assert_str_eq(agg("SUM", DEC(38, 0), V("9223372036854775807", "9223372036854775807", "1")),
                     "18446744073709551615");
}
Test(aggregate, sum_decimal_overflow_is_an_error) {
    cr_assert_eq(agg_full("SUM", DEC(38, 0), false, NULL, V("99999999999999999999999999999999999999", "1")),
                 VELO_ERR_OVERFLOW);
    cr_assert(strstr(g_err.message, "SUM overflow") && strstr(g_err.message, "DECIMAL(38,0)"), "%s",
              g_err.message);
}
Test(aggregate, sum_decimal_overflow_beyond_i128_is_an_error) {
    /* 2 * (10^38 - 1) does not even fit 128 bits: still an error, not a wrap */
    cr_assert_eq(
        agg_full("SUM", DEC(38, 0), false, NULL,
                 V("99999999999999999999999999999999999999", "99999999999999999999999999999999999999")),
        VELO_ERR_OVERFLOW);
}

/* ---- AVG ---- */

Test(aggregate, avg_bigint_is_double) { cr_assert_str_eq(agg("AVG", BIGINT, V("1", "2", "NULL")), "1.5"); }
Test(aggregate, avg_bigint_does_not_overflow) {
    cr_assert_str_eq(agg("AVG", BIGINT, V("9223372036854775807", "9223372036854775807")),
                     "9.223372036854776e+18");
}
Test(aggregate, avg_double) { cr_assert_str_eq(agg("AVG", DOUBLE, V("1", "2", "4")), "2.3333333333333335"); }
Test(aggregate, avg_all_null_is_null) { cr_assert_str_eq(agg("AVG", DOUBLE, V("NULL", "NULL")), "NULL"); }
Test(aggregate, avg_bigint_all_null_is_null) { cr_assert_str_eq(agg("AVG", BIGINT, NONE), "NULL"); }
Test(aggregate, avg_decimal_rounds_at_scale_6) {
    cr_assert_str_eq(agg("AVG", DEC(5, 2), V("1.00", "2.00", "2.00")), "1.666667");
}
Test(aggregate, avg_decimal_rounds_half_away_from_zero) {
    /* -1/8 = -0.125 exactly at scale 3... at scale 6 exact; use thirds for rounding down */
    cr_assert_str_eq(agg("AVG", DEC(5, 0), V("-1", "-1", "0")), "-0.666667");
    cr_assert_str_eq(agg("AVG", DEC(10, 7), V("0.0000005", "0.0000010")), "0.0000008");
    cr_assert_str_eq(agg("AVG", DEC(10, 7), V("-0.0000005", "-0.0000010")), "-0.0000008");
}
Test(aggregate, avg_decimal_keeps_a_larger_scale) {
    cr_assert_str_eq(agg("AVG", DEC(12, 8), V("0.00000001", "0.00000002")), "0.00000002");
}
Test(aggregate, avg_decimal_all_null_is_null) { cr_assert_str_eq(agg("AVG", DEC(5, 2), V("NULL")), "NULL"); }
Test(aggregate, avg_decimal_of_huge_values_is_exact) {
    cr_assert_str_eq(
        agg("AVG", DEC(38, 0), V("10000000000000000000000000000000", "20000000000000000000000000000000")),
        "15000000000000000000000000000000.000000");
}

/* ---- MIN / MAX ---- */

Test(aggregate, min_bigint) { cr_assert_str_eq(agg("MIN", BIGINT, V("3", "NULL", "-2", "7")), "-2"); }
Test(aggregate, max_bigint) { cr_assert_str_eq(agg("MAX", BIGINT, V("3", "NULL", "-2", "7")), "7"); }
Test(aggregate, min_double) { cr_assert_str_eq(agg("MIN", DOUBLE, V("3.5", "-0.25")), "-0.25"); }
Test(aggregate, max_double_nan_is_largest) {
    cr_assert_str_eq(agg("MAX", DOUBLE, V("1", "NaN", "2")), "NaN");
}
Test(aggregate, min_double_ignores_nan_order) {
    cr_assert_str_eq(agg("MIN", DOUBLE, V("NaN", "2", "1")), "1");
}
Test(aggregate, min_decimal) { cr_assert_str_eq(agg("MIN", DEC(10, 2), V("1.50", "-3.25", "2")), "-3.25"); }
Test(aggregate, max_decimal) { cr_assert_str_eq(agg("MAX", DEC(10, 2), V("1.50", "-3.25", "2")), "2.00"); }
Test(aggregate, min_varchar) {
    cr_assert_str_eq(agg("MIN", VARCHAR, V("pear", "apple", "NULL", "zoo")), "apple");
}
Test(aggregate, max_varchar) {
    cr_assert_str_eq(agg("MAX", VARCHAR, V("pear", "apple", "zoo", "zo")), "zoo");
}
Test(aggregate, min_varchar_prefix_sorts_first) {
    cr_assert_str_eq(agg("MIN", VARCHAR, V("ab", "a", "abc")), "a");
}
Test(aggregate, max_varchar_empty_string_is_a_value) {
    cr_assert_str_eq(agg("MAX", VARCHAR, V("", "NULL")), "");
}
Test(aggregate, min_all_null_is_null) { cr_assert_str_eq(agg("MIN", VARCHAR, V("NULL", "NULL")), "NULL"); }
Test(aggregate, max_all_null_is_null) { cr_assert_str_eq(agg("MAX", BIGINT, V("NULL")), "NULL"); }
Test(aggregate, min_date) { cr_assert_str_eq(agg("MIN", DATE, V("19000", "18000", "20000")), "18000"); }
Test(aggregate, max_timestamp) { cr_assert_str_eq(agg("MAX", TIMESTAMP, V("5", "9", "1")), "9"); }
Test(aggregate, max_boolean) { cr_assert_str_eq(agg("MAX", BOOLEAN, V("false", "true", "false")), "true"); }

Test(aggregate, max_varchar_copy_outlives_the_input_batch) {
    velo_agg_desc d;
    make_ok(&d, "MAX", VARCHAR, false, NULL);
    char *text = strdup("zebra");
    velo_vector v;
    fill(&v, VARCHAR, (const char *const[]){text}, 1);
    void *state = calloc(1, d.state_size);
    d.init(&d, state);
    velo_error err;
    cr_assert_eq(fold(&d, state, &v, 0, 1, false, &err), VELO_OK);
    memset(text, 'x', 5); /* the batch is reused... */
    free(text);           /* ...and freed */
    velo_vector_free(&v);
    char buf[64];
    cr_assert_eq(result_text(&d, state, buf, sizeof buf, &err), VELO_OK);
    cr_assert_str_eq(buf, "zebra");
    d.destroy(&d, state);
    free(state);
}

/* ---- variance family ---- */

Test(aggregate, var_samp_bigint) {
    cr_assert_str_eq(agg("VAR_SAMP", BIGINT, V("2", "4", "4", "4", "5", "5", "7", "9")), "4.571428571428571");
}
Test(aggregate, var_pop_bigint) {
    cr_assert_str_eq(agg("VAR_POP", BIGINT, V("2", "4", "4", "4", "5", "5", "7", "9")), "4");
}
Test(aggregate, stddev_pop_double) {
    cr_assert_str_eq(agg("STDDEV_POP", DOUBLE, V("2", "4", "4", "4", "5", "5", "7", "9")), "2");
}
Test(aggregate, stddev_is_sample) {
    cr_assert_str_eq(agg("STDDEV", DOUBLE, V("1", "3")), "1.4142135623730951");
}
Test(aggregate, stddev_samp_decimal) {
    cr_assert_str_eq(agg("STDDEV_SAMP", DEC(5, 1), V("1.0", "3.0")), "1.4142135623730951");
}
Test(aggregate, variance_is_sample) {
    cr_assert_str_eq(agg("VARIANCE", DEC(5, 1), V("1.5", "2.5", "NULL")), "0.5");
}
Test(aggregate, sample_variance_of_one_value_is_null) {
    cr_assert_str_eq(agg("VAR_SAMP", DOUBLE, V("1")), "NULL");
    cr_assert_str_eq(agg("STDDEV_SAMP", DOUBLE, V("1", "NULL")), "NULL");
}
Test(aggregate, population_variance_of_one_value_is_zero) {
    cr_assert_str_eq(agg("VAR_POP", DOUBLE, V("7")), "0");
}
Test(aggregate, variance_of_all_nulls_is_null) {
    cr_assert_str_eq(agg("VAR_POP", BIGINT, V("NULL")), "NULL");
}

/* Welford on values near 1e9 with a variance near 1: the textbook sum-of-squares formula loses
 * every digit here; compare with a two-pass computation in long double. */
Test(aggregate, variance_is_stable_on_large_values_with_small_spread) {
    enum { N = 20000 };
    velo_agg_desc d;
    make_ok(&d, "VAR_SAMP", DOUBLE, false, NULL);
    velo_vector v;
    velo_error err;
    cr_assert_eq(velo_vector_init(&v, DOUBLE, N, &err), VELO_OK);
    srand(7);
    long double mean = 0, m2 = 0;
    for (uint32_t i = 0; i < N; i++) {
        double x = 1e9 + (double)rand() / RAND_MAX;
        VELO_VEC(&v, double)[i] = x;
        velo_vector_set_valid(&v, i);
        mean += x;
    }
    mean /= N;
    for (uint32_t i = 0; i < N; i++)
        m2 += (VELO_VEC(&v, double)[i] - mean) * (VELO_VEC(&v, double)[i] - mean);
    double want = (double)(m2 / (N - 1));
    void *state = calloc(1, d.state_size);
    cr_assert_eq(fold(&d, state, &v, 0, N, false, &err), VELO_OK);
    char buf[64];
    cr_assert_eq(result_text(&d, state, buf, sizeof buf, &err), VELO_OK);
    double got = strtod(buf, NULL);
    cr_assert(fabs(got - want) <= 1e-6 * want, "got %.17g want %.17g", got, want);
    free(state);
    velo_vector_free(&v);
}

/* ---- MEDIAN / PERCENTILE_CONT ---- */

Test(aggregate, median_odd_count_is_the_middle) {
    cr_assert_str_eq(agg("MEDIAN", BIGINT, V("5", "1", "3")), "3");
}
Test(aggregate, median_even_count_is_the_mean_of_the_middle_two) {
    cr_assert_str_eq(agg("MEDIAN", BIGINT, V("4", "1", "3", "2")), "2.5");
}
Test(aggregate, median_double) {
    cr_assert_str_eq(agg("MEDIAN", DOUBLE, V("0.5", "NULL", "-1", "10")), "0.5");
}
Test(aggregate, median_decimal_even_count_is_exact_at_scale_plus_one) {
    cr_assert_str_eq(agg("MEDIAN", DEC(10, 2), V("1.01", "1.02")), "1.015");
}
Test(aggregate, median_decimal_odd_count) {
    cr_assert_str_eq(agg("MEDIAN", DEC(10, 2), V("3.00", "1.00", "2.50")), "2.500");
}
Test(aggregate, median_decimal_negative) {
    cr_assert_str_eq(agg("MEDIAN", DEC(10, 0), V("-1", "-2")), "-1.5");
}
Test(aggregate, median_all_null_is_null) {
    cr_assert_str_eq(agg("MEDIAN", BIGINT, V("NULL", "NULL")), "NULL");
}
Test(aggregate, median_single_value) { cr_assert_str_eq(agg("MEDIAN", DOUBLE, V("42")), "42"); }
Test(aggregate, percentile_cont_interpolates) {
    /* position 0.9 * 3 = 2.7 between 30 and 40 */
    cr_assert_str_eq(percentile(0.9, BIGINT, V("10", "40", "20", "30")), "37");
}
Test(aggregate, percentile_cont_zero_is_min_and_one_is_max) {
    cr_assert_str_eq(percentile(0, DOUBLE, V("3", "1", "2")), "1");
    cr_assert_str_eq(percentile(1, DOUBLE, V("3", "1", "2")), "3");
}
Test(aggregate, percentile_cont_decimal_is_exact) {
    cr_assert_str_eq(percentile(0.25, DEC(10, 2), V("1.00", "2.00")), "1.250");
    cr_assert_str_eq(percentile(0.9, DEC(10, 2), V("10.00", "40.00", "20.00", "30.00")), "37.000");
}
Test(aggregate, percentile_cont_decimal_rounds_half_away_from_zero) {
    /* 0.1 * (1.01 - 1.00) = 0.001 -> scale 3 exact; 0.15 * 0.01 = 0.0015 -> 0.002 */
    cr_assert_str_eq(percentile(0.15, DEC(10, 2), V("1.00", "1.01")), "1.002");
    cr_assert_str_eq(percentile(0.85, DEC(10, 2), V("-1.00", "-1.01")), "-1.002");
}
Test(aggregate, percentile_cont_decimal_rounds_once_at_the_end) {
    /* -1.01 + 0.15 * 0.01 = -1.0085 exactly -> -1.009 (rounding the product first would give -1.008) */
    cr_assert_str_eq(percentile(0.15, DEC(10, 2), V("-1.00", "-1.01")), "-1.009");
}
Test(aggregate, percentile_cont_decimal_when_the_interpolated_part_exceeds_38_digits) {
    /* 0.99 * 10660486.0 needs 39 digits at scale 31, the result only 38: computed from the upper value */
    cr_assert_str_eq(
        percentile(0.99, DEC(38, 30),
                   V("5876270.407441851371209585365990376271", "-4784215.583420855603774883259982201836")),
        "5769665.5475332243014597406797306504899");
}
Test(aggregate, percentile_cont_decimal_tie_rounds_away_from_zero_on_either_path) {
    cr_assert_str_eq(percentile(0.25, DEC(10, 0), V("-1", "-3")), "-2.5");        /* -3 + 0.5, exact */
    cr_assert_str_eq(percentile(0.25, DEC(10, 1), V("0.0", "0.2")), "0.05");      /* exact at scale 2 */
    cr_assert_str_eq(percentile(0.15, DEC(10, 2), V("0.00", "0.01")), "0.002");   /* 0.0015 -> 0.002 */
    cr_assert_str_eq(percentile(0.85, DEC(10, 2), V("-0.01", "0.00")), "-0.002"); /* -0.0015 -> -0.002 */
}
Test(aggregate, percentile_cont_fraction_out_of_range_is_an_error) {
    velo_agg_desc d;
    velo_error err;
    velo_value c = velo_value_f64(1.5);
    cr_assert_eq(make_desc(&d, "PERCENTILE_CONT", DOUBLE, 2, false, &c, &err), VELO_ERR_INVALID);
    cr_assert(strstr(err.message, "between 0 and 1"), "%s", err.message);
}
Test(aggregate, percentile_cont_all_null_is_null) {
    cr_assert_str_eq(percentile(0.5, DOUBLE, V("NULL")), "NULL");
}

/* ---- DISTINCT ---- */

Test(aggregate, count_distinct_bigint) {
    cr_assert_str_eq(agg_distinct("COUNT", BIGINT, V("1", "2", "1", "NULL", "2", "3")), "3");
}
Test(aggregate, count_distinct_spelled_as_a_function) {
    cr_assert_str_eq(agg("COUNT_DISTINCT", BIGINT, V("1", "2", "1")), "2");
}
Test(aggregate, count_distinct_varchar) {
    cr_assert_str_eq(agg_distinct("COUNT", VARCHAR,
                                  V("a", "b", "a", "", "", "a much longer string than sixteen bytes",
                                    "a much longer string than sixteen bytes")),
                     "4");
}
Test(aggregate, count_distinct_double_zero_and_negative_zero_are_equal) {
    cr_assert_str_eq(agg_distinct("COUNT", DOUBLE, V("0", "-0", "NaN", "NaN", "1")), "3");
}
Test(aggregate, count_distinct_decimal) {
    cr_assert_str_eq(agg_distinct("COUNT", DEC(10, 2), V("1.5", "1.50", "2")), "2");
}
Test(aggregate, count_distinct_of_all_nulls_is_zero) {
    cr_assert_str_eq(agg_distinct("COUNT", BIGINT, V("NULL", "NULL")), "0");
}
Test(aggregate, count_distinct_many_values_grows_the_set) {
    enum { N = 5000 };
    velo_agg_desc d;
    make_ok(&d, "COUNT", BIGINT, true, NULL);
    velo_vector v;
    velo_error err;
    cr_assert_eq(velo_vector_init(&v, BIGINT, N, &err), VELO_OK);
    for (uint32_t i = 0; i < N; i++) {
        VELO_VEC(&v, int64_t)[i] = (int64_t)(i % 1234) * 1000003;
        velo_vector_set_valid(&v, i);
    }
    void *state = calloc(1, d.state_size);
    cr_assert_eq(fold(&d, state, &v, 0, N, false, &err), VELO_OK);
    char buf[32];
    cr_assert_eq(result_text(&d, state, buf, sizeof buf, &err), VELO_OK);
    cr_assert_str_eq(buf, "1234");
    d.destroy(&d, state);
    free(state);
    velo_vector_free(&v);
}
Test(aggregate, sum_distinct_bigint) {
    cr_assert_str_eq(agg_distinct("SUM", BIGINT, V("1", "2", "2", "NULL", "3")), "6");
}
Test(aggregate, sum_distinct_decimal) {
    cr_assert_str_eq(agg_distinct("SUM", DEC(10, 2), V("0.10", "0.10", "0.20")), "0.30");
}
Test(aggregate, sum_distinct_double) {
    cr_assert_str_eq(agg_distinct("SUM", DOUBLE, V("0.5", "0.5", "1")), "1.5");
}
Test(aggregate, sum_distinct_all_null_is_null) {
    cr_assert_str_eq(agg_distinct("SUM", BIGINT, V("NULL")), "NULL");
}
Test(aggregate, avg_distinct_decimal) {
    cr_assert_str_eq(agg_distinct("AVG", DEC(10, 2), V("1.00", "1.00", "2.00")), "1.500000");
}
Test(aggregate, avg_distinct_bigint) {
    cr_assert_str_eq(agg_distinct("AVG", BIGINT, V("1", "1", "1", "4")), "2.5");
}
Test(aggregate, sum_distinct_bigint_overflow_is_an_error) {
    cr_assert_eq(agg_full("SUM", BIGINT, true, NULL, V("9223372036854775807", "1")), VELO_ERR_OVERFLOW);
    cr_assert(strstr(g_err.message, "does not fit BIGINT"), "%s", g_err.message);
}

/* ---- APPROX_COUNT_DISTINCT ---- */

static int64_t hll_estimate(uint32_t n, int64_t offset) {
    velo_agg_desc d;
    make_ok(&d, "APPROX_COUNT_DISTINCT", BIGINT, false, NULL);
    velo_vector v;
    velo_error err;
    cr_assert_eq(velo_vector_init(&v, BIGINT, n ? n : 1, &err), VELO_OK);
    for (uint32_t i = 0; i < n; i++) {
        VELO_VEC(&v, int64_t)[i] = offset + i;
        velo_vector_set_valid(&v, i);
    }
    void *state = calloc(1, d.state_size);
    cr_assert_eq(fold(&d, state, &v, 0, n, false, &err), VELO_OK);
    cr_assert_eq(fold(&d, state, &v, 0, n, false, &err), VELO_OK); /* duplicates change nothing */
    char buf[32];
    cr_assert_eq(result_text(&d, state, buf, sizeof buf, &err), VELO_OK);
    d.destroy(&d, state);
    free(state);
    velo_vector_free(&v);
    return strtoll(buf, NULL, 10);
}

Test(aggregate, approx_count_distinct_error_bound_is_1_6_percent) {
    cr_assert_float_eq(velo_approx_count_distinct_error(), 1.04 / 64.0, 1e-12);
}
Test(aggregate, approx_count_distinct_within_three_standard_errors_on_100k) {
    int64_t e = hll_estimate(100000, 0);
    double rel = fabs((double)e - 100000.0) / 100000.0;
    cr_assert(rel <= 3 * velo_approx_count_distinct_error(), "estimate %lld", (long long)e);
}
Test(aggregate, approx_count_distinct_small_sets_are_nearly_exact) {
    int64_t e = hll_estimate(100, 12345);
    cr_assert(e >= 97 && e <= 103, "estimate %lld", (long long)e);
}
Test(aggregate, approx_count_distinct_empty_is_zero) { cr_assert_eq(hll_estimate(0, 0), 0); }
Test(aggregate, approx_count_distinct_varchar) {
    cr_assert_str_eq(agg("APPROX_COUNT_DISTINCT", VARCHAR, V("a", "b", "a", "NULL", "c")), "3");
}

/* ---- FIRST_VALUE / LAST_VALUE ---- */

Test(aggregate, first_value_is_the_first_row) {
    cr_assert_str_eq(agg("FIRST_VALUE", BIGINT, V("3", "1", "2")), "3");
}
Test(aggregate, last_value_is_the_last_row) {
    cr_assert_str_eq(agg("LAST_VALUE", BIGINT, V("3", "1", "2")), "2");
}
Test(aggregate, first_value_keeps_a_null_first_row) {
    cr_assert_str_eq(agg("FIRST_VALUE", BIGINT, V("NULL", "1", "2")), "NULL");
}
Test(aggregate, last_value_keeps_a_null_last_row) {
    cr_assert_str_eq(agg("LAST_VALUE", VARCHAR, V("a", "b", "NULL")), "NULL");
}
Test(aggregate, first_value_varchar) { cr_assert_str_eq(agg("FIRST_VALUE", VARCHAR, V("x", "y")), "x"); }
Test(aggregate, last_value_decimal) {
    cr_assert_str_eq(agg("LAST_VALUE", DEC(10, 2), V("1.5", "2.25")), "2.25");
}
Test(aggregate, first_value_of_empty_group_is_null) {
    cr_assert_str_eq(agg("FIRST_VALUE", DOUBLE, NONE), "NULL");
}

/* ---- STRING_AGG / LISTAGG ---- */

Test(aggregate, string_agg_joins_in_update_order) {
    cr_assert_str_eq(string_agg("STRING_AGG", ", ", V("b", "a", "NULL", "c")), "b, a, c");
}
Test(aggregate, listagg_is_string_agg) { cr_assert_str_eq(string_agg("LISTAGG", "|", V("x", "y")), "x|y"); }
Test(aggregate, string_agg_all_null_is_null) {
    cr_assert_str_eq(string_agg("STRING_AGG", ",", V("NULL")), "NULL");
}
Test(aggregate, string_agg_keeps_empty_strings) {
    cr_assert_str_eq(string_agg("STRING_AGG", "-", V("", "", "a")), "--a");
}
Test(aggregate, string_agg_null_separator_joins_with_nothing) {
    cr_assert_str_eq(string_agg("STRING_AGG", NULL, V("a", "b")), "ab");
}
Test(aggregate, string_agg_without_a_constant_separator_is_unsupported) {
    velo_agg_desc d;
    velo_error err;
    velo_type args[2] = {VARCHAR, VARCHAR};
    cr_assert_eq(velo_agg_desc_make("STRING_AGG", args, 2, false, VARCHAR, NULL, &d, &err),
                 VELO_ERR_UNSUPPORTED);
}

/* ---- retract: update then retract returns the state to init ---- */

static void check_retract_is_identity(const char *name, velo_type t, const char *const *items, uint32_t n) {
    velo_agg_desc d;
    make_ok(&d, name, t, false, NULL);
    cr_assert_not_null(d.retract, "%s has no retract", name);
    velo_vector v;
    fill(&v, t, items, n);
    void *state = calloc(1, d.state_size), *init = calloc(1, d.state_size);
    d.init(&d, state);
    d.init(&d, init);
    velo_error err;
    cr_assert_eq(fold(&d, state, &v, 0, n, false, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(fold(&d, state, &v, 0, n, true, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(memcmp(state, init, d.state_size), 0, "%s: retract did not undo update", name);
    free(state);
    free(init);
    velo_vector_free(&v);
}

Test(aggregate, retract_undoes_count) { check_retract_is_identity("COUNT", BIGINT, V("1", "NULL", "3")); }
Test(aggregate, retract_undoes_sum_bigint) {
    check_retract_is_identity("SUM", BIGINT, V("5", "-7", "NULL", "9"));
}
Test(aggregate, retract_undoes_sum_decimal) {
    check_retract_is_identity("SUM", DEC(10, 2), V("0.10", "2.55", "NULL"));
}
Test(aggregate, retract_undoes_sum_double) {
    check_retract_is_identity("SUM", DOUBLE, V("0.1", "0.2", "1e20"));
}
Test(aggregate, retract_undoes_avg_bigint) { check_retract_is_identity("AVG", BIGINT, V("1", "2", "3")); }
Test(aggregate, retract_undoes_avg_decimal) {
    check_retract_is_identity("AVG", DEC(10, 2), V("1.00", "2.00"));
}
Test(aggregate, retract_undoes_variance) {
    check_retract_is_identity("VAR_SAMP", DOUBLE, V("1", "2", "4", "8"));
}
Test(aggregate, retract_undoes_stddev_decimal) {
    check_retract_is_identity("STDDEV_POP", DEC(6, 2), V("1.5", "2.5"));
}

Test(aggregate, count_star_retract_undoes_update) {
    velo_agg_desc d;
    velo_error err;
    cr_assert_eq(make_desc(&d, "COUNT", BIGINT, 0, false, NULL, &err), VELO_OK);
    velo_vector v;
    fill(&v, BIGINT, V("NULL", "NULL"));
    int64_t s = 0;
    cr_assert_eq(fold(&d, &s, &v, 0, 2, false, &err), VELO_OK);
    cr_assert_eq(s, 2);
    cr_assert_eq(fold(&d, &s, &v, 0, 2, true, &err), VELO_OK);
    cr_assert_eq(s, 0);
    velo_vector_free(&v);
}

/* A sliding frame: update rows 0..4, retract rows 0..1: the result is that of rows 2..4 alone. */
static void check_sliding(const char *name, velo_type t, const char *const *items, uint32_t n) {
    velo_agg_desc d;
    make_ok(&d, name, t, false, NULL);
    velo_vector v;
    fill(&v, t, items, n);
    void *a = calloc(1, d.state_size), *b = calloc(1, d.state_size);
    velo_error err;
    cr_assert_eq(fold(&d, a, &v, 0, n, false, &err), VELO_OK);
    cr_assert_eq(fold(&d, a, &v, 0, 2, true, &err), VELO_OK);
    cr_assert_eq(fold(&d, b, &v, 2, n, false, &err), VELO_OK);
    char x[128], y[128];
    cr_assert_eq(result_text(&d, a, x, sizeof x, &err), VELO_OK);
    cr_assert_eq(result_text(&d, b, y, sizeof y, &err), VELO_OK);
    cr_assert_str_eq(x, y, "%s: sliding %s vs fresh %s", name, x, y);
    free(a);
    free(b);
    velo_vector_free(&v);
}
Test(aggregate, sliding_avg_decimal_matches_fresh) {
    check_sliding("AVG", DEC(10, 2), V("9.99", "1.00", "2.00", "2.00", "1.00"));
}
Test(aggregate, sliding_var_pop_matches_fresh) {
    check_sliding("VAR_POP", BIGINT, V("100", "-3", "2", "4", "6"));
}
Test(aggregate, sliding_sum_double_matches_fresh) {
    check_sliding("SUM", DOUBLE, V("1e16", "3", "0.5", "0.25", "1"));
}
Test(aggregate, sliding_count_matches_fresh) {
    check_sliding("COUNT", VARCHAR, V("a", "NULL", "b", "NULL", "c"));
}

Test(aggregate, min_max_and_median_cannot_retract) {
    velo_agg_desc d;
    make_ok(&d, "MIN", BIGINT, false, NULL);
    cr_assert_null(d.retract);
    make_ok(&d, "MEDIAN", BIGINT, false, NULL);
    cr_assert_null(d.retract);
    make_ok(&d, "COUNT", BIGINT, true, NULL);
    cr_assert_null(d.retract);
}

/* ---- merge: two partial states merged equal one stream ---- */

static void random_items(velo_type t, uint32_t n, unsigned seed, char **texts) {
    srand(seed);
    for (uint32_t i = 0; i < n; i++) {
        texts[i] = malloc(64);
        int r = rand() % 2001 - 1000;
        if (rand() % 10 == 0)
            snprintf(texts[i], 64, "NULL");
        else if (t.id == VELO_TYPE_BIGINT)
            snprintf(texts[i], 64, "%d", r * 1000 + rand() % 1000);
        else if (t.id == VELO_TYPE_DOUBLE)
            snprintf(texts[i], 64, "%d.%03d", r, rand() % 1000);
        else if (t.id == VELO_TYPE_DECIMAL)
            snprintf(texts[i], 64, "%d.%02d", r, rand() % 100);
        else
            snprintf(texts[i], 64, "s%d", r % 50);
    }
}

static void check_merge(const char *name, velo_type t, bool distinct, const velo_value *c1, unsigned seed) {
    enum { N = 301 };
    char *texts[N];
    random_items(t, N, seed, texts);
    velo_agg_desc d;
    make_ok(&d, name, t, distinct, c1);
    velo_vector v;
    fill(&v, t, (const char *const *)texts, N);
    void *whole = calloc(1, d.state_size), *a = calloc(1, d.state_size), *b = calloc(1, d.state_size);
    d.init(&d, whole), d.init(&d, a), d.init(&d, b);
    velo_error err;
    uint32_t cut = (uint32_t)(rand() % N);
    cr_assert_eq(fold(&d, whole, &v, 0, N, false, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(fold(&d, a, &v, 0, cut, false, &err), VELO_OK);
    cr_assert_eq(fold(&d, b, &v, cut, N, false, &err), VELO_OK);
    cr_assert_eq(d.merge(&d, a, b, &err), VELO_OK, "%s", err.message);
    char x[8192], y[8192];
    cr_assert_eq(result_text(&d, whole, x, sizeof x, &err), VELO_OK);
    cr_assert_eq(result_text(&d, a, y, sizeof y, &err), VELO_OK);
    if (d.result.id == VELO_TYPE_DOUBLE) { /* float sums differ in the last bits by grouping */
        double p = strtod(x, NULL), q = strtod(y, NULL);
        cr_assert(fabs(p - q) <= 1e-12 * fmax(1, fabs(p)), "%s: merged %s vs one stream %s", name, y, x);
    } else {
        cr_assert_str_eq(x, y, "%s: merged %s vs one stream %s", name, y, x);
    }
    if (d.destroy) d.destroy(&d, whole), d.destroy(&d, a), d.destroy(&d, b);
    free(whole), free(a), free(b);
    velo_vector_free(&v);
    for (uint32_t i = 0; i < N; i++)
        free(texts[i]);
}

Test(aggregate, merge_count) { check_merge("COUNT", BIGINT, false, NULL, 1); }
Test(aggregate, merge_sum_bigint) { check_merge("SUM", BIGINT, false, NULL, 2); }
Test(aggregate, merge_sum_decimal) { check_merge("SUM", DEC(12, 2), false, NULL, 3); }
Test(aggregate, merge_sum_double) { check_merge("SUM", DOUBLE, false, NULL, 4); }
Test(aggregate, merge_avg_bigint) { check_merge("AVG", BIGINT, false, NULL, 5); }
Test(aggregate, merge_avg_decimal) { check_merge("AVG", DEC(12, 2), false, NULL, 6); }
Test(aggregate, merge_min_varchar) { check_merge("MIN", VARCHAR, false, NULL, 7); }
Test(aggregate, merge_max_decimal) { check_merge("MAX", DEC(12, 2), false, NULL, 8); }
Test(aggregate, merge_max_double) { check_merge("MAX", DOUBLE, false, NULL, 9); }
Test(aggregate, merge_var_samp_chan) { check_merge("VAR_SAMP", DOUBLE, false, NULL, 10); }
Test(aggregate, merge_stddev_pop_bigint) { check_merge("STDDEV_POP", BIGINT, false, NULL, 11); }
Test(aggregate, merge_median_decimal) { check_merge("MEDIAN", DEC(12, 2), false, NULL, 12); }
Test(aggregate, merge_median_double) { check_merge("MEDIAN", DOUBLE, false, NULL, 13); }
Test(aggregate, merge_percentile_cont_bigint) {
    velo_value c = velo_value_f64(0.37);
    check_merge("PERCENTILE_CONT", BIGINT, false, &c, 14);
}
Test(aggregate, merge_count_distinct_unions_sets) { check_merge("COUNT", VARCHAR, true, NULL, 15); }
Test(aggregate, merge_sum_distinct_decimal) { check_merge("SUM", DEC(12, 2), true, NULL, 16); }
Test(aggregate, merge_approx_count_distinct_takes_register_max) {
    check_merge("APPROX_COUNT_DISTINCT", VARCHAR, false, NULL, 17);
}
Test(aggregate, merge_first_value_keeps_dst_first) { check_merge("FIRST_VALUE", VARCHAR, false, NULL, 18); }
Test(aggregate, merge_last_value_takes_src_last) { check_merge("LAST_VALUE", BIGINT, false, NULL, 19); }
Test(aggregate, merge_string_agg_appends_src) {
    velo_value c = velo_value_str(",", 1);
    check_merge("STRING_AGG", VARCHAR, false, &c, 20);
}
Test(aggregate, merge_into_empty_state) {
    velo_agg_desc d;
    make_ok(&d, "VAR_POP", DOUBLE, false, NULL);
    velo_vector v;
    fill(&v, DOUBLE, V("1", "3"));
    void *a = calloc(1, d.state_size), *b = calloc(1, d.state_size);
    velo_error err;
    cr_assert_eq(fold(&d, b, &v, 0, 2, false, &err), VELO_OK);
    cr_assert_eq(d.merge(&d, a, b, &err), VELO_OK);
    char buf[32];
    cr_assert_eq(result_text(&d, a, buf, sizeof buf, &err), VELO_OK);
    cr_assert_str_eq(buf, "1");
    free(a), free(b);
    velo_vector_free(&v);
}
Test(aggregate, merge_sum_bigint_overflow_is_an_error) {
    velo_agg_desc d;
    make_ok(&d, "SUM", BIGINT, false, NULL);
    velo_vector v;
    fill(&v, BIGINT, V("9223372036854775807"));
    void *a = calloc(1, d.state_size), *b = calloc(1, d.state_size);
    velo_error err;
    cr_assert_eq(fold(&d, a, &v, 0, 1, false, &err), VELO_OK);
    cr_assert_eq(fold(&d, b, &v, 0, 1, false, &err), VELO_OK);
    cr_assert_eq(d.merge(&d, a, b, &err), VELO_ERR_OVERFLOW);
    cr_assert(strstr(err.message, "does not fit BIGINT"), "%s", err.message);
    free(a), free(b);
    velo_vector_free(&v);
}

/* ---- several groups in one update call ---- */

Test(aggregate, update_routes_rows_to_their_group_states) {
    velo_agg_desc d;
    make_ok(&d, "SUM", DEC(10, 2), false, NULL);
    velo_vector v;
    fill(&v, DEC(10, 2), V("1.00", "10.00", "2.00", "20.00", "NULL"));
    unsigned char *g = calloc(2, d.state_size);
    void *states[5] = {g, g + d.state_size, g, g + d.state_size, g};
    uint32_t *rows = iota(5);
    velo_error err;
    cr_assert_eq(d.update(&d, states, &v, rows, 5, &err), VELO_OK);
    char buf[64];
    cr_assert_eq(result_text(&d, g, buf, sizeof buf, &err), VELO_OK);
    cr_assert_str_eq(buf, "3.00");
    cr_assert_eq(result_text(&d, g + d.state_size, buf, sizeof buf, &err), VELO_OK);
    cr_assert_str_eq(buf, "30.00");
    free(rows);
    free(g);
    velo_vector_free(&v);
}

/* ---- descriptors: catalog coverage, result types, state sizes ---- */

Test(aggregate, every_catalog_aggregate_has_an_accumulator) {
    const velo_type types[] = {BIGINT, DOUBLE, DEC(10, 2), VARCHAR};
    uint32_t made = 0;
    for (uint32_t i = 0; velo_function_at(i); i++) {
        const velo_function *f = velo_function_at(i);
        if (f->kind != VELO_FN_AGGREGATE && !f->aggregate_too) continue;
        for (size_t k = 0; k < sizeof types / sizeof *types; k++) {
            velo_type args[2] = {
                types[k], f->max_args > 1 ? (f->args[1] == VELO_ARG_STRING ? VARCHAR : DOUBLE) : BIGINT};
            uint32_t nargs = f->max_args > 1 ? 2 : 1;
            velo_type res;
            if (!velo_function_check(f, args, nargs, &res, NULL, 0)) continue;
            velo_value consts[2] = {velo_value_null(), args[1].id == VELO_TYPE_VARCHAR
                                                           ? velo_value_str(",", 1)
                                                           : velo_value_f64(0.5)};
            velo_agg_desc d;
            velo_error err;
            velo_status st = velo_agg_desc_make(f->name, args, nargs, false, res, consts, &d, &err);
            cr_assert_eq(st, VELO_OK, "%s: %s", f->name, err.message);
            cr_assert(velo_type_equal(d.result, res), "%s: result type changed", f->name);
            cr_assert(d.state_size % 8 == 0 && d.state_size > 0);
            cr_assert(d.init && d.update && d.merge && d.finalize);
            made++;
        }
    }
    cr_assert_gt(made, 40);
}
Test(aggregate, count_and_sum_states_fit_64_bytes_per_key) {
    const char *names[] = {"COUNT", "SUM", "AVG", "MIN", "MAX"};
    const velo_type types[] = {BIGINT, DOUBLE, DEC(18, 2)};
    for (size_t i = 0; i < 5; i++)
        for (size_t k = 0; k < 3; k++) {
            velo_agg_desc d;
            make_ok(&d, names[i], types[k], false, NULL);
            cr_assert_leq(d.state_size, 24, "%s: %u bytes", names[i], d.state_size);
        }
    velo_agg_desc d;
    velo_error err;
    cr_assert_eq(make_desc(&d, "COUNT", BIGINT, 0, false, NULL, &err), VELO_OK);
    cr_assert_eq(d.state_size, 8);
}
Test(aggregate, unknown_aggregate_is_unsupported) {
    velo_agg_desc d;
    velo_error err;
    velo_type t = BIGINT;
    cr_assert_eq(velo_agg_desc_make("FROBNICATE", &t, 1, false, t, NULL, &d, &err), VELO_ERR_UNSUPPORTED);
    cr_assert(strstr(err.message, "FROBNICATE"), "%s", err.message);
}
Test(aggregate, names_are_case_insensitive) {
    velo_agg_desc d;
    velo_error err;
    velo_type t = BIGINT;
    cr_assert_eq(velo_agg_desc_make("sum", &t, 1, false, t, NULL, &d, &err), VELO_OK);
    cr_assert_str_eq(d.name, "SUM");
}
Test(aggregate, dynamic_arguments_are_unsupported_yet) {
    velo_agg_desc d;
    velo_error err;
    velo_type t = DYN;
    cr_assert_eq(velo_agg_desc_make("SUM", &t, 1, false, t, NULL, &d, &err), VELO_ERR_UNSUPPORTED);
}
Test(aggregate, sum_of_null_literal_is_null) {
    velo_agg_desc d;
    velo_error err;
    velo_type t = NUL;
    cr_assert_eq(velo_agg_desc_make("SUM", &t, 1, false, BIGINT, NULL, &d, &err), VELO_OK);
    void *s = calloc(1, d.state_size);
    char buf[16];
    cr_assert_eq(result_text(&d, s, buf, sizeof buf, &err), VELO_OK);
    cr_assert_str_eq(buf, "NULL");
    free(s);
}
Test(aggregate, mismatched_result_type_is_an_internal_error) {
    velo_agg_desc d;
    velo_error err;
    velo_type t = BIGINT;
    cr_assert_eq(velo_agg_desc_make("AVG", &t, 1, false, BIGINT, NULL, &d, &err), VELO_ERR_INTERNAL);
}
