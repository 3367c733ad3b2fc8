/* The function catalog: every function of the issue list and of the compat cases has an entry,
 * velo_function_check gives the exact arity and class messages, and result types follow the
 * documented rules (exact DECIMAL aggregates, common types, window functions). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/functions.h"
#include "sql/catalog.h"

#define BIGINT    velo_type_make(VELO_TYPE_BIGINT)
#define DOUBLE    velo_type_make(VELO_TYPE_DOUBLE)
#define VARCHAR   velo_type_make(VELO_TYPE_VARCHAR)
#define BOOLEAN   velo_type_make(VELO_TYPE_BOOLEAN)
#define TIMESTAMP velo_type_make(VELO_TYPE_TIMESTAMP)
#define DATE      velo_type_make(VELO_TYPE_DATE)
#define INTERVAL  velo_type_make(VELO_TYPE_INTERVAL)
#define LIST      velo_type_make(VELO_TYPE_LIST)
#define MAP       velo_type_make(VELO_TYPE_MAP)
#define NUL       velo_type_make(VELO_TYPE_NULL)
#define DYN       velo_type_make(VELO_TYPE_ANY)
#define DEC(p, s) velo_type_decimal(p, s)

/* an argument list: pointer and count */
#define ARGV(...)                                                                                            \
    (velo_type[]){__VA_ARGS__}, (uint32_t)(sizeof((velo_type[]){__VA_ARGS__}) / sizeof(velo_type))
#define NOARGS NULL, 0

static const velo_function *fn(const char *name) {
    const velo_function *f = velo_function_lookup(name);
    cr_assert_not_null(f, "no catalog entry for %s", name);
    return f;
}

static void expect_type(const char *name, const velo_type *args, uint32_t n, velo_type want) {
    char msg[256] = "", a[32], b[32];
    velo_type got;
    cr_assert(velo_function_check(fn(name), args, n, &got, msg, sizeof msg), "%s: %s", name, msg);
    cr_assert(velo_type_equal(got, want), "%s: got %s, want %s", name, velo_type_format(got, a, 32),
              velo_type_format(want, b, 32));
}

static void expect_error(const char *name, const velo_type *args, uint32_t n, const char *want) {
    char msg[256] = "";
    velo_type got;
    cr_assert_not(velo_function_check(fn(name), args, n, &got, msg, sizeof msg), "%s should fail", name);
    if (want) cr_assert_str_eq(msg, want);
}

static void expect_kind(const char *const *names, velo_fn_kind kind) {
    for (const char *const *n = names; *n; n++)
        cr_assert_eq(fn(*n)->kind, kind, "%s has the wrong kind", *n);
}

static void expect_category(const char *const *names, const char *category) {
    for (const char *const *n = names; *n; n++)
        cr_assert_str_eq(fn(*n)->category, category, "%s is not in '%s'", *n, category);
}

/* ---- every listed function exists ---- */

Test(catalog, issue_aggregates_are_aggregates) {
    static const char *const names[] = {"COUNT",
                                        "SUM",
                                        "AVG",
                                        "MIN",
                                        "MAX",
                                        "STDDEV",
                                        "STDDEV_POP",
                                        "STDDEV_SAMP",
                                        "VARIANCE",
                                        "VAR_POP",
                                        "VAR_SAMP",
                                        "MEDIAN",
                                        "PERCENTILE_CONT",
                                        "APPROX_COUNT_DISTINCT",
                                        "STRING_AGG",
                                        "LISTAGG",
                                        "COUNT_DISTINCT",
                                        NULL};
    expect_kind(names, VELO_FN_AGGREGATE);
    expect_category(names, "aggregate");
}

Test(catalog, issue_window_functions_are_window_functions) {
    static const char *const names[] = {"LAG",          "LEAD",        "ROW_NUMBER", "RANK",
                                        "DENSE_RANK",   "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE",
                                        "PERCENT_RANK", "CUME_DIST",   "NTILE",      NULL};
    expect_kind(names, VELO_FN_WINDOW);
    expect_category(names, "window");
}

Test(catalog, first_and_last_value_are_also_aggregates) {
    cr_assert(fn("FIRST_VALUE")->aggregate_too);
    cr_assert(fn("LAST_VALUE")->aggregate_too);
    cr_assert_not(fn("LAG")->aggregate_too);
    cr_assert_not(fn("SUM")->aggregate_too);
}

Test(catalog, issue_math_functions_are_scalars) {
    static const char *const names[] = {"ABS",   "ROUND", "CEIL",     "CEILING", "FLOOR", "MOD",
                                        "POWER", "POW",   "SQRT",     "EXP",     "LN",    "LOG",
                                        "LOG10", "SIGN",  "TRUNCATE", "TRUNC",   NULL};
    expect_kind(names, VELO_FN_SCALAR);
    expect_category(names, "math");
}

Test(catalog, issue_string_functions_are_scalars) {
    static const char *const names[] = {
        "LENGTH",  "LEN",         "CHAR_LENGTH", "UPPER",    "LOWER",      "TRIM",           "LTRIM",
        "RTRIM",   "SUBSTRING",   "SUBSTR",      "POSITION", "REPLACE",    "CONCAT",         "CONCAT_WS",
        "LEFT",    "RIGHT",       "LPAD",        "RPAD",     "SPLIT_PART", "REGEXP_MATCHES", "REGEXP_REPLACE",
        "REVERSE", "STARTS_WITH", NULL};
    expect_kind(names, VELO_FN_SCALAR);
    expect_category(names, "string");
}

Test(catalog, issue_time_functions_are_scalars) {
    static const char *const names[] = {"NOW",
                                        "CURRENT_TIMESTAMP",
                                        "DATE_TRUNC",
                                        "DATE_FORMAT",
                                        "TO_TIMESTAMP",
                                        "FROM_UNIXTIME",
                                        "UNIX_TIMESTAMP",
                                        "DATEDIFF",
                                        "DATE_ADD",
                                        "EXTRACT",
                                        NULL};
    expect_kind(names, VELO_FN_SCALAR);
    expect_category(names, "time");
}

Test(catalog, issue_conditional_json_collection_and_kafka_functions_exist) {
    static const char *const cond[] = {"COALESCE", "NULLIF", "GREATEST", "LEAST", "IF", NULL};
    static const char *const json[] = {"JSON_EXTRACT", "JSON_VALUE", NULL};
    static const char *const coll[] = {"ARRAY_LENGTH", "ARRAY_CONTAINS", "MAP_KEYS", "MAP_VALUES", NULL};
    static const char *const kafka[] = {"HEADER", "HAS_HEADER", "HEADER_KEYS", NULL};
    expect_category(cond, "conditional");
    expect_category(json, "json");
    expect_category(coll, "collection");
    expect_category(kafka, "kafka");
    expect_kind(cond, VELO_FN_SCALAR);
    expect_kind(kafka, VELO_FN_SCALAR);
}

/* every function the vendored compat cases call (tests/compat/cases/<category>/<id>.json) */
Test(catalog, compat_case_functions_all_exist) {
    static const char *const names[] = {"ABS",
                                        "APPROX_COUNT_DISTINCT",
                                        "ARRAY",
                                        "ARRAY_CONTAINS",
                                        "ARRAY_LENGTH",
                                        "AVG",
                                        "CEIL",
                                        "CEILING",
                                        "COALESCE",
                                        "CONCAT",
                                        "COUNT",
                                        "CUME_DIST",
                                        "DATEDIFF",
                                        "DATE_FORMAT",
                                        "DENSE_RANK",
                                        "EXTRACT",
                                        "FIRST_VALUE",
                                        "FLOOR",
                                        "FROM_UNIXTIME",
                                        "GREATEST",
                                        "JSON_EXISTS",
                                        "JSON_EXTRACT",
                                        "JSON_QUERY",
                                        "JSON_VALUE",
                                        "LAG",
                                        "LAST_VALUE",
                                        "LEAD",
                                        "LEAST",
                                        "LEFT",
                                        "LEN",
                                        "LENGTH",
                                        "LISTAGG",
                                        "LOWER",
                                        "LTRIM",
                                        "MAP",
                                        "MAP_KEYS",
                                        "MAP_VALUES",
                                        "MAX",
                                        "MEDIAN",
                                        "MIN",
                                        "MOD",
                                        "NOW",
                                        "NTILE",
                                        "NULLIF",
                                        "PERCENT_RANK",
                                        "POSITION",
                                        "POW",
                                        "POWER",
                                        "RANK",
                                        "REGEXP_REPLACE",
                                        "REMOVE_HEADER",
                                        "REPLACE",
                                        "RIGHT",
                                        "ROUND",
                                        "ROW_NUMBER",
                                        "RTRIM",
                                        "SET_HEADER",
                                        "SPLIT",
                                        "SPLIT_PART",
                                        "SQRT",
                                        "STDDEV",
                                        "STDDEV_POP",
                                        "STDDEV_SAMP",
                                        "STRUCT",
                                        "SUBSTRING",
                                        "SUM",
                                        "TIMESTAMP",
                                        "TRIM",
                                        "UNIX_TIMESTAMP",
                                        "UPPER",
                                        "VARIANCE",
                                        "VAR_POP",
                                        "VAR_SAMP",
                                        NULL};
    for (const char *const *n = names; *n; n++)
        fn(*n);
}

Test(catalog, unknown_function_is_not_found) {
    cr_assert_null(velo_function_lookup("UNKNOWN_FUNCTION"));
    cr_assert_null(velo_function_lookup(""));
}

Test(catalog, lookup_is_case_insensitive) {
    cr_assert_eq(velo_function_lookup("json_extract"), fn("JSON_EXTRACT"));
    cr_assert_eq(velo_function_lookup("Json_Extract"), fn("JSON_EXTRACT"));
    cr_assert_eq(velo_function_lookup("tImEsTaMp"), fn("TIMESTAMP"));
}

Test(catalog, aliases_resolve_case_insensitively_to_their_own_entry) {
    cr_assert_str_eq(fn("ceiling")->name, "CEILING");
    cr_assert_str_eq(fn("ceiling")->alias_of, "CEIL");
    cr_assert_str_eq(fn("Pow")->alias_of, "POWER");
    cr_assert_str_eq(fn("len")->alias_of, "LENGTH");
    cr_assert_str_eq(fn("char_length")->alias_of, "LENGTH");
    cr_assert_str_eq(fn("substr")->alias_of, "SUBSTRING");
    cr_assert_str_eq(fn("trunc")->alias_of, "TRUNCATE");
    cr_assert_str_eq(fn("listagg")->alias_of, "STRING_AGG");
    cr_assert_str_eq(fn("current_timestamp")->alias_of, "NOW");
    cr_assert_null(fn("CEIL")->alias_of);
}

Test(catalog, aliases_have_the_same_rules_as_their_target) {
    for (uint32_t i = 0; velo_function_at(i); i++) {
        const velo_function *a = velo_function_at(i);
        if (!a->alias_of) continue;
        const velo_function *t = fn(a->alias_of);
        cr_assert_null(t->alias_of, "%s is an alias of an alias", a->name);
        cr_assert(a->kind == t->kind && a->min_args == t->min_args && a->max_args == t->max_args &&
                      a->ret == t->ret && a->fixed == t->fixed && a->strict == t->strict &&
                      a->impl == t->impl && a->typer == t->typer &&
                      !memcmp(a->args, t->args, sizeof a->args) && !strcmp(a->category, t->category),
                  "%s differs from %s", a->name, t->name);
    }
}

Test(catalog, an_alias_reports_errors_under_its_own_name) {
    expect_error("CEILING", ARGV(VARCHAR), "CEILING expects a number as argument 1, found VARCHAR");
}

Test(catalog, names_are_unique) {
    for (uint32_t i = 0; velo_function_at(i); i++)
        cr_assert_eq(velo_function_lookup(velo_function_at(i)->name), velo_function_at(i), "%s twice",
                     velo_function_at(i)->name);
}

Test(catalog, every_entry_is_documented) {
    uint32_t n = 0;
    for (; velo_function_at(n); n++) {
        const velo_function *f = velo_function_at(n);
        cr_assert(f->signature && f->signature[0] && f->summary && f->summary[0] && f->category, "%s",
                  f->name);
        cr_assert(!strncmp(f->signature, f->name, strlen(f->name)), "signature of %s", f->name);
        cr_assert_leq(f->min_args, f->max_args, "%s", f->name);
    }
    cr_assert_geq(n, 100);
    cr_assert_null(velo_function_at(n));
}

Test(catalog, implemented_functions_keep_their_implementation) {
    cr_assert_eq(fn("UPPER")->impl, velo_fn_upper);
    cr_assert_eq(fn("LOWER")->impl, velo_fn_lower);
    cr_assert_eq(fn("LENGTH")->impl, velo_fn_length);
    cr_assert_eq(fn("LEN")->impl, velo_fn_length);
    cr_assert_eq(fn("ABS")->impl, velo_fn_abs);
    cr_assert_eq(fn("ROUND")->impl, velo_fn_round);
    cr_assert_eq(fn("COALESCE")->impl, velo_fn_coalesce);
    cr_assert_eq(fn("NULLIF")->impl, velo_fn_nullif);
    cr_assert_eq(fn("CONCAT")->impl, velo_fn_concat);
    cr_assert_eq(fn("SUBSTRING")->impl, velo_fn_substring);
    cr_assert_eq(fn("TRIM")->impl, velo_fn_trim);
}

Test(catalog, aggregates_and_window_functions_do_not_run_as_scalars) {
    for (uint32_t i = 0; velo_function_at(i); i++)
        if (velo_function_at(i)->kind != VELO_FN_SCALAR) cr_assert_null(velo_function_at(i)->impl);
}

/* ---- arity messages ---- */

Test(catalog_arity, one_or_two) {
    expect_error("ROUND", ARGV(DOUBLE, BIGINT, BIGINT), "ROUND expects 1 or 2 arguments, found 3");
}

Test(catalog_arity, exactly_one) { expect_error("UPPER", NOARGS, "UPPER expects 1 argument, found 0"); }

Test(catalog_arity, exactly_three) {
    expect_error("REPLACE", ARGV(VARCHAR, VARCHAR), "REPLACE expects 3 arguments, found 2");
}

Test(catalog_arity, exactly_zero) {
    expect_error("ROW_NUMBER", ARGV(BIGINT), "ROW_NUMBER expects 0 arguments, found 1");
}

Test(catalog_arity, a_range) {
    expect_error("LAG", ARGV(BIGINT, BIGINT, BIGINT, VARCHAR), "LAG expects 1 to 3 arguments, found 4");
}

Test(catalog_arity, at_least_one) {
    expect_error("COALESCE", NOARGS, "COALESCE expects at least 1 argument, found 0");
}

Test(catalog_arity, at_least_two) {
    expect_error("CONCAT_WS", ARGV(VARCHAR), "CONCAT_WS expects at least 2 arguments, found 1");
}

Test(catalog_arity, variadic_accepts_many) {
    velo_type args[40];
    for (int i = 0; i < 40; i++)
        args[i] = BIGINT;
    expect_type("GREATEST", args, 40, BIGINT);
    expect_type("ARRAY", args, 40, LIST);
}

Test(catalog_arity, count_star_and_count_x) {
    expect_type("COUNT", NOARGS, BIGINT);
    expect_type("COUNT", ARGV(VARCHAR), BIGINT);
    expect_error("COUNT", ARGV(VARCHAR, VARCHAR), "COUNT expects 0 or 1 arguments, found 2");
}

/* ---- the original dialect's compat cases ---- */

Test(catalog_compat, from_unixtime_without_arguments_fails) { /* perr_013 */
    expect_error("FROM_UNIXTIME", NOARGS, "FROM_UNIXTIME expects 1 argument, found 0");
}

Test(catalog_compat, from_unixtime_of_varchar_fails) { /* perr_011 */
    expect_error("FROM_UNIXTIME", ARGV(VARCHAR),
                 "FROM_UNIXTIME expects a number as argument 1, found VARCHAR");
}

Test(catalog_compat, from_unixtime_takes_integer_or_fractional_seconds) { /* pok_098, pok_099 */
    expect_type("FROM_UNIXTIME", ARGV(BIGINT), TIMESTAMP);
    expect_type("FROM_UNIXTIME", ARGV(DOUBLE), TIMESTAMP);
    expect_type("FROM_UNIXTIME", ARGV(NUL), TIMESTAMP);
}

Test(catalog_compat, unix_timestamp_of_varchar_fails) { /* perr_012 */
    expect_error("UNIX_TIMESTAMP", ARGV(VARCHAR),
                 "UNIX_TIMESTAMP expects a TIMESTAMP or DATE as argument 1, found VARCHAR");
}

Test(catalog_compat, unix_timestamp_with_two_arguments_fails) { /* perr_014 */
    expect_error("UNIX_TIMESTAMP", ARGV(TIMESTAMP, BIGINT),
                 "UNIX_TIMESTAMP expects 0 or 1 arguments, found 2");
}

Test(catalog_compat, unix_timestamp_with_zero_or_one_argument_is_bigint) { /* pok_101, pok_102 */
    expect_type("UNIX_TIMESTAMP", NOARGS, BIGINT);
    expect_type("UNIX_TIMESTAMP", ARGV(TIMESTAMP), BIGINT);
}

Test(catalog_compat, datediff_with_two_arguments_fails) { /* perr_016 */
    expect_error("DATEDIFF", ARGV(VARCHAR, BIGINT), "DATEDIFF expects 3 arguments, found 2");
}

Test(catalog_compat, datediff_with_an_unknown_unit_literal_fails) { /* perr_017, date_013 */
    char msg[256] = "";
    cr_assert_not(velo_function_check_literal(fn("DATEDIFF"), 0, "invalid_unit", msg, sizeof msg));
    cr_assert(strstr(msg, "DATEDIFF does not know the unit 'invalid_unit'"), "%s", msg);
}

Test(catalog_compat, datediff_takes_timestamps_or_epoch_milliseconds) { /* nf_058, date_008 */
    expect_type("DATEDIFF", ARGV(VARCHAR, BIGINT, BIGINT), BIGINT);
    expect_type("DATEDIFF", ARGV(VARCHAR, TIMESTAMP, TIMESTAMP), BIGINT);
    expect_error(
        "DATEDIFF", ARGV(VARCHAR, VARCHAR, TIMESTAMP),
        "DATEDIFF expects a TIMESTAMP, DATE or BIGINT (epoch milliseconds) as argument 2, found VARCHAR");
}

Test(catalog_compat, position_with_one_argument_fails) { /* perr_018 */
    expect_error("POSITION", ARGV(VARCHAR), "POSITION expects 2 or 3 arguments, found 1");
}

Test(catalog_compat, position_with_four_arguments_fails) { /* perr_019 */
    expect_error("POSITION", ARGV(VARCHAR, VARCHAR, BIGINT, VARCHAR),
                 "POSITION expects 2 or 3 arguments, found 4");
}

Test(catalog_compat, position_is_bigint) { expect_type("POSITION", ARGV(VARCHAR, VARCHAR), BIGINT); }

Test(catalog_compat, listagg_with_one_argument_fails) { /* perr_020 */
    expect_error("LISTAGG", ARGV(VARCHAR), "LISTAGG expects 2 arguments, found 1");
    expect_type("LISTAGG", ARGV(VARCHAR, VARCHAR), VARCHAR);
}

Test(catalog_compat, lag_and_lead_need_a_value) { /* wfm_017, wfm_020 */
    expect_error("LAG", NOARGS, "LAG expects 1 to 3 arguments, found 0");
    expect_error("LEAD", NOARGS, "LEAD expects 1 to 3 arguments, found 0");
}

Test(catalog_compat, first_value_needs_a_value) { /* wfm_025 */
    expect_error("FIRST_VALUE", NOARGS, "FIRST_VALUE expects 1 argument, found 0");
}

/* hdr_011..013: the original's wrong calls are still errors; a third argument must be a headers MAP */
Test(catalog_compat, set_header_takes_a_name_a_value_and_maybe_headers) {
    expect_error("SET_HEADER", NOARGS, "SET_HEADER expects 2 or 3 arguments, found 0");
    expect_error("SET_HEADER", ARGV(VARCHAR), "SET_HEADER expects 2 or 3 arguments, found 1");
    expect_error("SET_HEADER", ARGV(VARCHAR, VARCHAR, VARCHAR),
                 "SET_HEADER expects a MAP as argument 3, found VARCHAR");
    expect_type("SET_HEADER", ARGV(VARCHAR, VARCHAR, MAP), MAP);
}

/* hdr_003, hdr_016: any name and value (as text); the result is the headers MAP (docs/sql/compatibility.md)
 */
Test(catalog_compat, set_header_takes_any_key_and_value) {
    expect_type("SET_HEADER", ARGV(BIGINT, VARCHAR), MAP);
    expect_type("SET_HEADER", ARGV(VARCHAR, DEC(5, 2)), MAP);
}

Test(catalog_compat, remove_header_takes_a_name_and_maybe_headers) { /* hdr_014, hdr_015 */
    expect_error("REMOVE_HEADER", NOARGS, "REMOVE_HEADER expects 1 or 2 arguments, found 0");
    expect_error("REMOVE_HEADER", ARGV(VARCHAR, VARCHAR),
                 "REMOVE_HEADER expects a MAP as argument 2, found VARCHAR");
    expect_type("REMOVE_HEADER", ARGV(VARCHAR), MAP);
}

Test(catalog_compat, median_needs_one_number) { /* nf_080, nf_081, nf_076 */
    expect_error("MEDIAN", NOARGS, "MEDIAN expects 1 argument, found 0");
    expect_error("MEDIAN", ARGV(VARCHAR), "MEDIAN expects a number as argument 1, found VARCHAR");
    expect_type("MEDIAN", ARGV(NUL), DOUBLE);
}

Test(catalog_compat, collection_functions_reject_scalars) { /* advt_019, advt_020 */
    expect_error("ARRAY_CONTAINS", ARGV(VARCHAR, VARCHAR),
                 "ARRAY_CONTAINS expects a LIST as argument 1, found VARCHAR");
    expect_error("MAP_KEYS", ARGV(VARCHAR), "MAP_KEYS expects a MAP or STRUCT as argument 1, found VARCHAR");
}

Test(catalog_compat, map_needs_key_value_pairs) { /* advt_021 */
    expect_error("MAP", ARGV(VARCHAR, VARCHAR, VARCHAR),
                 "MAP expects key, value pairs (an even number of arguments), found 3");
    expect_type("MAP", ARGV(VARCHAR, BIGINT), MAP);
    expect_type("MAP", NOARGS, MAP);
}

Test(catalog_compat, round_with_text_digits_fails) { /* nf_043 */
    expect_error("ROUND", ARGV(DOUBLE, VARCHAR), "ROUND expects an integer as argument 2, found VARCHAR");
}

Test(catalog_compat, timestamp_takes_no_arguments) { /* pok_086 */
    expect_type("TIMESTAMP", NOARGS, TIMESTAMP);
    expect_error("TIMESTAMP", ARGV(VARCHAR), "TIMESTAMP expects 0 arguments, found 1");
}

Test(catalog_compat, greatest_of_strings) { /* nf_055 */
    expect_type("GREATEST", ARGV(VARCHAR, VARCHAR, VARCHAR), VARCHAR);
}

/* ---- argument classes ---- */

Test(catalog_class, upper_of_bigint) {
    expect_error("UPPER", ARGV(BIGINT), "UPPER expects VARCHAR as argument 1, found BIGINT");
}

Test(catalog_class, abs_of_varchar) {
    expect_error("ABS", ARGV(VARCHAR), "ABS expects a number as argument 1, found VARCHAR");
}

Test(catalog_class, left_length_must_be_an_integer) {
    expect_error("LEFT", ARGV(VARCHAR, DEC(10, 2)),
                 "LEFT expects an integer as argument 2, found DECIMAL(10,2)");
}

Test(catalog_class, if_condition_must_be_boolean) {
    expect_error("IF", ARGV(BIGINT, BIGINT, BIGINT), "IF expects BOOLEAN as argument 1, found BIGINT");
}

Test(catalog_class, date_format_needs_a_timestamp_or_date) {
    expect_error("DATE_FORMAT", ARGV(VARCHAR, VARCHAR),
                 "DATE_FORMAT expects a TIMESTAMP or DATE as argument 1, found VARCHAR");
    expect_type("DATE_FORMAT", ARGV(DATE, VARCHAR), VARCHAR);
}

Test(catalog_class, array_length_needs_a_list) {
    expect_error("ARRAY_LENGTH", ARGV(MAP), "ARRAY_LENGTH expects a LIST as argument 1, found MAP");
}

Test(catalog_class, map_values_needs_a_map) {
    expect_error("MAP_VALUES", ARGV(LIST), "MAP_VALUES expects a MAP or STRUCT as argument 1, found LIST");
}

Test(catalog_class, max_needs_a_comparable_value) {
    expect_error("MAX", ARGV(LIST), "MAX expects a comparable value as argument 1, found LIST");
    expect_type("MAX", ARGV(BOOLEAN), BOOLEAN);
}

Test(catalog_class, variadic_positions_past_four_use_the_last_class) {
    expect_error("GREATEST", ARGV(BIGINT, BIGINT, BIGINT, BIGINT, MAP),
                 "GREATEST expects a comparable value as argument 5, found MAP");
}

Test(catalog_class, numbers_do_not_pass_as_text) {
    expect_error("LENGTH", ARGV(DOUBLE), "LENGTH expects VARCHAR as argument 1, found DOUBLE");
    expect_error("STRING_AGG", ARGV(BIGINT, VARCHAR),
                 "STRING_AGG expects VARCHAR as argument 1, found BIGINT");
}

Test(catalog_class, concat_takes_any_value) {
    expect_type("CONCAT", ARGV(VARCHAR, BIGINT, DEC(5, 2), BOOLEAN, TIMESTAMP), VARCHAR);
    expect_type("CONCAT_WS", ARGV(VARCHAR, BIGINT, DOUBLE), VARCHAR);
    expect_error("CONCAT_WS", ARGV(BIGINT, VARCHAR), "CONCAT_WS expects VARCHAR as argument 1, found BIGINT");
}

Test(catalog_class, extract_reads_timestamps_dates_intervals_and_epoch_ms) {
    expect_type("EXTRACT", ARGV(VARCHAR, TIMESTAMP), BIGINT);
    expect_type("EXTRACT", ARGV(VARCHAR, BIGINT), BIGINT); /* date_001: epoch milliseconds */
    expect_type("EXTRACT", ARGV(VARCHAR, DATE), BIGINT);
    expect_type("EXTRACT", ARGV(VARCHAR, INTERVAL), BIGINT); /* pok_003: EXTRACT(EPOCH FROM end - start) */
    expect_error("EXTRACT", ARGV(VARCHAR, VARCHAR),
                 "EXTRACT expects a TIMESTAMP, DATE, INTERVAL or BIGINT epoch milliseconds as argument 2, "
                 "found VARCHAR");
}

Test(catalog_class, to_timestamp_takes_text_or_a_number) {
    expect_type("TO_TIMESTAMP", ARGV(VARCHAR, VARCHAR), TIMESTAMP);
    expect_type("TO_TIMESTAMP", ARGV(DOUBLE), TIMESTAMP);
    expect_error("TO_TIMESTAMP", ARGV(BOOLEAN),
                 "TO_TIMESTAMP expects VARCHAR or a number as argument 1, found BOOLEAN");
}

/* A bare NULL and a dynamically typed value pass every class of every function. */
static void expect_all_accept(velo_type t) {
    for (uint32_t i = 0; velo_function_at(i); i++) {
        const velo_function *f = velo_function_at(i);
        velo_type args[4] = {t, t, t, t};
        uint32_t n = f->min_args ? f->min_args : (f->max_args ? 1 : 0);
        if (!strcmp(f->name, "MAP") && n % 2) n++;
        char msg[256] = "";
        velo_type ret;
        cr_assert(velo_function_check(f, args, n, &ret, msg, sizeof msg), "%s: %s", f->name, msg);
    }
}

Test(catalog_class, null_arguments_pass_every_function) { expect_all_accept(NUL); }

Test(catalog_class, dynamic_arguments_pass_every_function) { expect_all_accept(DYN); }

/* ---- result types ---- */

Test(catalog_type, sum_bigint_is_bigint) { expect_type("SUM", ARGV(BIGINT), BIGINT); }
Test(catalog_type, sum_decimal_widens_to_38) { expect_type("SUM", ARGV(DEC(10, 2)), DEC(38, 2)); }
Test(catalog_type, sum_double_is_double) { expect_type("SUM", ARGV(DOUBLE), DOUBLE); }
Test(catalog_type, sum_dynamic_is_dynamic) { expect_type("SUM", ARGV(DYN), DYN); }
Test(catalog_type, sum_of_varchar_fails) {
    expect_error("SUM", ARGV(VARCHAR), "SUM expects a number as argument 1, found VARCHAR");
}

Test(catalog_type, avg_bigint_and_double_are_double) {
    expect_type("AVG", ARGV(BIGINT), DOUBLE);
    expect_type("AVG", ARGV(DOUBLE), DOUBLE);
}

Test(catalog_type, avg_decimal_keeps_at_least_six_digits) {
    expect_type("AVG", ARGV(DEC(10, 2)), DEC(38, 6));
    expect_type("AVG", ARGV(DEC(20, 8)), DEC(38, 8));
}

Test(catalog_type, median_decimal_adds_one_digit) {
    expect_type("MEDIAN", ARGV(DEC(10, 2)), DEC(38, 3));
    expect_type("MEDIAN", ARGV(DEC(38, 38)), DEC(38, 38));
    expect_type("MEDIAN", ARGV(BIGINT), DOUBLE);
}

Test(catalog_type, percentile_cont_follows_median) {
    expect_type("PERCENTILE_CONT", ARGV(DEC(12, 4), DOUBLE), DEC(38, 5));
    expect_type("PERCENTILE_CONT", ARGV(DOUBLE, DOUBLE), DOUBLE);
}

Test(catalog_type, statistics_are_double) {
    expect_type("STDDEV", ARGV(DEC(10, 2)), DOUBLE);
    expect_type("VAR_POP", ARGV(BIGINT), DOUBLE);
}

Test(catalog_type, min_and_max_keep_the_type) {
    expect_type("MIN", ARGV(DEC(9, 3)), DEC(9, 3));
    expect_type("MAX", ARGV(TIMESTAMP), TIMESTAMP);
}

Test(catalog_type, counts_are_bigint) {
    expect_type("APPROX_COUNT_DISTINCT", ARGV(VARCHAR), BIGINT);
    expect_type("COUNT_DISTINCT", ARGV(VARCHAR), BIGINT);
}

Test(catalog_type, string_agg_is_varchar) { expect_type("STRING_AGG", ARGV(VARCHAR, VARCHAR), VARCHAR); }

Test(catalog_type, round_abs_truncate_keep_the_type) {
    expect_type("ROUND", ARGV(DEC(10, 4), BIGINT), DEC(10, 4));
    expect_type("ROUND", ARGV(BIGINT), BIGINT);
    expect_type("ABS", ARGV(DOUBLE), DOUBLE);
    expect_type("TRUNC", ARGV(DEC(10, 4), BIGINT), DEC(10, 4));
}

Test(catalog_type, ceil_and_floor_drop_the_scale) {
    expect_type("CEIL", ARGV(DEC(10, 2)), DEC(9, 0));
    expect_type("FLOOR", ARGV(DEC(2, 1)), DEC(2, 0));
    expect_type("CEILING", ARGV(DEC(38, 0)), DEC(38, 0));
    expect_type("CEIL", ARGV(BIGINT), BIGINT);
    expect_type("FLOOR", ARGV(DOUBLE), DOUBLE);
}

Test(catalog_type, sign_is_bigint_except_for_double) {
    expect_type("SIGN", ARGV(DEC(2, 2)), BIGINT);
    expect_type("SIGN", ARGV(BIGINT), BIGINT);
    expect_type("SIGN", ARGV(DOUBLE), DOUBLE);
}

Test(catalog_type, mod_follows_arithmetic) {
    expect_type("MOD", ARGV(BIGINT, BIGINT), BIGINT);
    expect_type("MOD", ARGV(BIGINT, DOUBLE), DOUBLE);
    expect_type("MOD", ARGV(DYN, BIGINT), DYN);
    velo_type got;
    char msg[256];
    cr_assert(velo_function_check(fn("MOD"), ARGV(DEC(10, 2), BIGINT), &got, msg, sizeof msg), "%s", msg);
    cr_assert_eq(got.id, VELO_TYPE_DECIMAL);
}

Test(catalog_type, power_and_logarithms_are_double) {
    expect_type("POWER", ARGV(BIGINT, BIGINT), DOUBLE);
    expect_type("POW", ARGV(DEC(5, 1), BIGINT), DOUBLE);
    expect_type("SQRT", ARGV(BIGINT), DOUBLE);
    expect_type("LOG", ARGV(BIGINT, DOUBLE), DOUBLE);
    expect_type("LN", ARGV(DOUBLE), DOUBLE);
}

Test(catalog_type, date_trunc_is_timestamp) {
    expect_type("DATE_TRUNC", ARGV(VARCHAR, TIMESTAMP), TIMESTAMP);
    expect_type("DATE_TRUNC", ARGV(VARCHAR, DATE), TIMESTAMP);
    expect_error("DATE_TRUNC", ARGV(TIMESTAMP, VARCHAR),
                 "DATE_TRUNC expects VARCHAR as argument 1, found TIMESTAMP");
}

Test(catalog_type, date_add_and_now_are_timestamps) {
    expect_type("DATE_ADD", ARGV(VARCHAR, BIGINT, TIMESTAMP), TIMESTAMP);
    expect_type("NOW", NOARGS, TIMESTAMP);
    expect_type("CURRENT_TIMESTAMP", NOARGS, TIMESTAMP);
}

Test(catalog_type, coalesce_is_the_common_type) {
    expect_type("COALESCE", ARGV(BIGINT, DEC(10, 2)), DEC(21, 2));
    expect_type("COALESCE", ARGV(NUL, VARCHAR), VARCHAR);
    expect_type("COALESCE", ARGV(BIGINT, DOUBLE), DOUBLE);
}

Test(catalog_type, coalesce_without_a_common_type_fails) {
    expect_error("COALESCE", ARGV(VARCHAR, BIGINT),
                 "COALESCE arguments have no common type: cannot compare VARCHAR with BIGINT");
}

Test(catalog_type, greatest_and_least_are_the_common_type) {
    expect_type("GREATEST", ARGV(BIGINT, DOUBLE), DOUBLE);
    expect_type("LEAST", ARGV(BIGINT, NUL, BIGINT), BIGINT); /* nf_057 */
    expect_error("GREATEST", ARGV(VARCHAR, BIGINT), NULL);
}

Test(catalog_type, if_is_the_common_type_of_its_branches) {
    expect_type("IF", ARGV(BOOLEAN, BIGINT, DEC(5, 2)), DEC(21, 2));
    expect_error("IF", ARGV(BOOLEAN, VARCHAR, BIGINT),
                 "IF arguments 2 and 3 have no common type: cannot compare VARCHAR with BIGINT");
}

Test(catalog_type, nullif_keeps_the_first_type) {
    expect_type("NULLIF", ARGV(BIGINT, DEC(5, 2)), BIGINT);
    expect_error("NULLIF", ARGV(BIGINT, LIST), NULL);
}

Test(catalog_type, lag_lead_are_the_type_of_their_value) {
    expect_type("LAG", ARGV(DEC(8, 2)), DEC(8, 2));
    expect_type("LEAD", ARGV(VARCHAR, BIGINT), VARCHAR);
    expect_type("LAG", ARGV(BIGINT, BIGINT, BIGINT), BIGINT); /* wfm_004 */
}

Test(catalog_type, lag_default_widens_to_the_common_type) {
    expect_type("LAG", ARGV(BIGINT, BIGINT, DEC(5, 1)), DEC(20, 1));
    expect_error("LEAD", ARGV(VARCHAR, BIGINT, BIGINT),
                 "LEAD the default (argument 3) must match argument 1: cannot compare VARCHAR with BIGINT");
}

Test(catalog_type, lag_offset_must_be_an_integer) {
    expect_error("LAG", ARGV(BIGINT, DOUBLE), "LAG expects an integer as argument 2, found DOUBLE");
}

Test(catalog_type, ranking_functions) {
    expect_type("NTILE", ARGV(BIGINT), BIGINT);
    expect_type("ROW_NUMBER", NOARGS, BIGINT);
    expect_type("DENSE_RANK", NOARGS, BIGINT);
    expect_type("PERCENT_RANK", NOARGS, DOUBLE);
    expect_type("CUME_DIST", NOARGS, DOUBLE);
    expect_type("NTH_VALUE", ARGV(TIMESTAMP, BIGINT), TIMESTAMP);
    expect_type("FIRST_VALUE", ARGV(VARCHAR), VARCHAR);
}

Test(catalog_type, json_functions) {
    expect_type("JSON_EXTRACT", ARGV(VARCHAR, VARCHAR), DYN); /* a scalar as its SQL value, or JSON text */
    expect_type("JSON_VALUE", ARGV(DYN, VARCHAR), VARCHAR);
    expect_type("JSON_EXISTS", ARGV(VARCHAR, VARCHAR), BOOLEAN);
    expect_error("JSON_VALUE", ARGV(VARCHAR, BIGINT),
                 "JSON_VALUE expects VARCHAR as argument 2, found BIGINT");
}

Test(catalog_type, collection_functions) {
    expect_type("ARRAY_LENGTH", ARGV(LIST), BIGINT);
    expect_type("ARRAY_CONTAINS", ARGV(LIST, BIGINT), BOOLEAN);
    expect_type("MAP_KEYS", ARGV(MAP), LIST);
    expect_type("MAP_KEYS", ARGV(velo_type_make(VELO_TYPE_STRUCT)), LIST); /* field names */
    expect_type("CONCAT", NOARGS, VARCHAR);                                /* CONCAT() is empty */
    expect_type("SPLIT", ARGV(VARCHAR, VARCHAR), LIST);
    expect_type("ARRAY", NOARGS, LIST); /* advt_031 */
}

Test(catalog_type, kafka_header_functions) {
    expect_type("HEADER", ARGV(VARCHAR), VARCHAR);
    expect_type("HAS_HEADER", ARGV(VARCHAR), BOOLEAN);
    expect_type("HEADER_KEYS", NOARGS, LIST);
    expect_error("HEADER", NOARGS, "HEADER expects 1 argument, found 0");
}

Test(catalog_type, string_functions) {
    expect_type("SPLIT_PART", ARGV(VARCHAR, VARCHAR, BIGINT), VARCHAR);
    expect_type("REGEXP_REPLACE", ARGV(VARCHAR, VARCHAR, VARCHAR, VARCHAR), VARCHAR);
    expect_type("REGEXP_MATCHES", ARGV(VARCHAR, VARCHAR), BOOLEAN);
    expect_type("STARTS_WITH", ARGV(VARCHAR, VARCHAR), BOOLEAN);
    expect_type("LPAD", ARGV(VARCHAR, BIGINT, VARCHAR), VARCHAR);
    expect_type("LENGTH", ARGV(VARCHAR), BIGINT);
}

Test(catalog_type, result_and_message_may_be_omitted) {
    cr_assert(velo_function_check(fn("UPPER"), ARGV(VARCHAR), NULL, NULL, 0));
    cr_assert_not(velo_function_check(fn("UPPER"), ARGV(BIGINT), NULL, NULL, 0));
    cr_assert_not(velo_function_check(fn("IF"), ARGV(BOOLEAN, VARCHAR, BIGINT), NULL, NULL, 0));
}

/* ---- literal arguments ---- */

static bool literal_ok(const char *name, uint32_t i, const char *text) {
    char msg[256] = "";
    return velo_function_check_literal(fn(name), i, text, msg, sizeof msg);
}

Test(catalog_literal, datediff_units_in_any_case_singular_or_plural) {
    cr_assert(literal_ok("DATEDIFF", 0, "hours"));
    cr_assert(literal_ok("DATEDIFF", 0, "HOUR"));
    cr_assert(literal_ok("DATEDIFF", 0, "Quarters"));
    cr_assert(literal_ok("DATE_ADD", 0, "day"));
    cr_assert_not(literal_ok("DATEDIFF", 0, "fortnight"));
    cr_assert_not(literal_ok("DATEDIFF", 0, "hourss"));
}

Test(catalog_literal, date_trunc_unit_message_lists_the_units) {
    char msg[256] = "";
    cr_assert_not(velo_function_check_literal(fn("DATE_TRUNC"), 0, "fortnight", msg, sizeof msg));
    cr_assert_str_eq(msg,
                     "DATE_TRUNC does not know the unit 'fortnight': use one of microsecond, millisecond, "
                     "second, minute, hour, day, week, month, quarter, year (singular or plural)");
}

Test(catalog_literal, extract_fields) { /* date_012 */
    cr_assert(literal_ok("EXTRACT", 0, "EPOCH"));
    cr_assert(literal_ok("EXTRACT", 0, "nanosecond"));
    cr_assert_not(literal_ok("EXTRACT", 0, "INVALID_UNIT"));
    cr_assert_not(literal_ok("EXTRACT", 0, "YEARS"));
}

Test(catalog_literal, other_arguments_and_functions_always_pass) {
    cr_assert(literal_ok("DATEDIFF", 1, "anything"));
    cr_assert(literal_ok("UPPER", 0, "anything"));
    cr_assert(velo_function_check_literal(fn("DATEDIFF"), 0, "bogus", NULL, 0) == false);
}
