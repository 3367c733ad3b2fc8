/* The function catalog table (sql/catalog.h) and the checks every call goes through: arity, the
 * class of each argument, then the result type (a `ret` rule or a typer). An entry with
 * impl == NULL binds and type-checks but reports "not supported yet" when a job runs it.
 * docs/sql/functions.md is generated from this table (tests/tools/gen_functions_doc.c). */
#include "sql/catalog.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/functions.h"
#include "core/scalar.h"

#define VAR 255 /* max_args of a variadic function */

/* ---- typers: result types the simple `ret` rules cannot express ---- */

static bool is_dynamic(velo_type t) { return t.id == VELO_TYPE_ANY; }

static const char *tname(velo_type t, char *buf) { return velo_type_format(t, buf, 32); }

/* SUM(BIGINT) -> BIGINT (overflow is an error, never a wrap), SUM(DECIMAL(p,s)) -> DECIMAL(38,s),
 * SUM(DOUBLE) -> DOUBLE. */
static bool type_sum(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    if (a[0].id == VELO_TYPE_DECIMAL)
        *ret = velo_type_decimal(VELO_DECIMAL_MAX_PRECISION, a[0].scale);
    else if (a[0].id == VELO_TYPE_DOUBLE || is_dynamic(a[0]))
        *ret = a[0];
    else
        *ret = velo_type_make(VELO_TYPE_BIGINT); /* BIGINT, or a bare NULL */
    return true;
}

/* AVG stays exact on DECIMAL: DECIMAL(38, max(s, 6)), rounded half away from zero at that scale.
 * BIGINT and DOUBLE average as DOUBLE. */
static bool type_avg(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    if (a[0].id == VELO_TYPE_DECIMAL)
        *ret = velo_type_decimal(VELO_DECIMAL_MAX_PRECISION, a[0].scale > 6 ? a[0].scale : 6);
    else
        *ret = velo_type_make(is_dynamic(a[0]) ? VELO_TYPE_ANY : VELO_TYPE_DOUBLE);
    return true;
}

/* MEDIAN of DECIMAL(p,s) is exact at scale s+1: the mean of the two middle values only ever adds
 * a trailing 5. PERCENTILE_CONT shares the type and rounds its interpolation at that scale. */
static bool type_median(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    if (a[0].id == VELO_TYPE_DECIMAL) {
        uint8_t s = a[0].scale < VELO_DECIMAL_MAX_PRECISION ? a[0].scale + 1 : a[0].scale;
        *ret = velo_type_decimal(VELO_DECIMAL_MAX_PRECISION, s);
    } else {
        *ret = velo_type_make(is_dynamic(a[0]) ? VELO_TYPE_ANY : VELO_TYPE_DOUBLE);
    }
    return true;
}

/* CEIL/FLOOR(DECIMAL(p,s)) -> DECIMAL(p-s+1, 0): the fraction goes, and rounding up may carry into
 * one more integer digit (9.5 -> 10). Other numbers keep their type. */
static bool type_ceil(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    *ret = a[0];
    if (a[0].id == VELO_TYPE_DECIMAL && a[0].scale > 0) {
        int p = a[0].precision - a[0].scale + 1;
        *ret =
            velo_type_decimal((uint8_t)(p > VELO_DECIMAL_MAX_PRECISION ? VELO_DECIMAL_MAX_PRECISION : p), 0);
    }
    return true;
}

/* SIGN is -1, 0 or 1: BIGINT for BIGINT and DECIMAL (DECIMAL(2,2) could not hold 1), DOUBLE for
 * DOUBLE (NaN stays NaN). */
static bool type_sign(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    *ret = a[0].id == VELO_TYPE_DOUBLE || is_dynamic(a[0]) ? a[0] : velo_type_make(VELO_TYPE_BIGINT);
    return true;
}

/* MOD(a, b) has the type of a % b. */
static bool type_mod(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    velo_error err;
    if (velo_arith_result_type(VELO_ARITH_MOD, a[0], a[1], ret, &err) == VELO_OK) return true;
    snprintf(msg, len, "has no result type: %s", err.message);
    return false;
}

static bool common_of(velo_type x, velo_type y, velo_type *out, const char *what, char *msg, size_t len) {
    velo_error err;
    if (velo_common_type(x, y, out, &err) == VELO_OK) return true;
    snprintf(msg, len, "%s: %s", what, err.message);
    return false;
}

/* LAG/LEAD(x, offset, default): the default must fit the type of x; the result is their common
 * type (LAG(BIGINT, 1, 0.5) -> DECIMAL). */
static bool type_lag(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    *ret = a[0];
    return n < 3 || common_of(a[0], a[2], ret, "the default (argument 3) must match argument 1", msg, len);
}

/* NULLIF(a, b) compares a with b and returns a. */
static bool type_nullif(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    velo_type common;
    *ret = a[0];
    return common_of(a[0], a[1], &common, "compares its arguments", msg, len);
}

/* IF(cond, then, else) -> common type of then and else. */
static bool type_if(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    return common_of(a[1], a[2], ret, "arguments 2 and 3 have no common type", msg, len);
}

static bool passes(velo_type t) { return t.id == VELO_TYPE_NULL || t.id == VELO_TYPE_ANY; }

static bool wrong_arg(uint32_t i, const char *want, velo_type t, char *msg, size_t len) {
    char b[32];
    snprintf(msg, len, "expects %s as argument %u, found %s", want, i + 1, tname(t, b));
    return false;
}

/* EXTRACT(field, x) reads a TIMESTAMP, a DATE, an INTERVAL (EXTRACT(EPOCH FROM end - start)) or a
 * BIGINT of epoch milliseconds (the original dialect's timestamps). */
static bool type_extract(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    velo_type_id t = a[1].id;
    *ret = velo_type_make(VELO_TYPE_BIGINT);
    if (passes(a[1]) || t == VELO_TYPE_TIMESTAMP || t == VELO_TYPE_DATE || t == VELO_TYPE_INTERVAL ||
        t == VELO_TYPE_BIGINT)
        return true;
    return wrong_arg(1, "a TIMESTAMP, DATE, INTERVAL or BIGINT epoch milliseconds", a[1], msg, len);
}

/* DATEDIFF(unit, t1, t2): the original dialect also takes epoch milliseconds as BIGINT. */
static bool type_datediff(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    *ret = velo_type_make(VELO_TYPE_BIGINT);
    for (uint32_t i = 1; i < 3; i++) {
        velo_type_id t = a[i].id;
        if (!passes(a[i]) && t != VELO_TYPE_TIMESTAMP && t != VELO_TYPE_DATE && t != VELO_TYPE_BIGINT)
            return wrong_arg(i, "a TIMESTAMP, DATE or BIGINT (epoch milliseconds)", a[i], msg, len);
    }
    return true;
}

/* TO_TIMESTAMP(text [, format]) or TO_TIMESTAMP(epoch seconds). */
static bool type_to_timestamp(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    *ret = velo_type_make(VELO_TYPE_TIMESTAMP);
    if (passes(a[0]) || a[0].id == VELO_TYPE_VARCHAR || velo_type_is_numeric(a[0])) return true;
    return wrong_arg(0, "VARCHAR or a number", a[0], msg, len);
}

/* EVENT_TIME_OF(x): what 'event.time.field' accepts (a TIMESTAMP, BIGINT epoch milliseconds,
 * ISO-8601 text), and a DATE (its midnight). */
static bool type_event_time_of(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    velo_type_id t = a[0].id;
    *ret = velo_type_make(VELO_TYPE_TIMESTAMP);
    if (passes(a[0]) || t == VELO_TYPE_TIMESTAMP || t == VELO_TYPE_DATE || t == VELO_TYPE_BIGINT ||
        t == VELO_TYPE_VARCHAR)
        return true;
    return wrong_arg(0, "a TIMESTAMP, BIGINT epoch milliseconds or ISO-8601 VARCHAR", a[0], msg, len);
}

/* MAP(k1, v1, k2, v2, ...) */
static bool type_map(const velo_type *a, uint32_t n, velo_type *ret, char *msg, size_t len) {
    *ret = velo_type_make(VELO_TYPE_MAP);
    if (n % 2 == 0) return true;
    snprintf(msg, len, "expects key, value pairs (an even number of arguments), found %u", n);
    return false;
}

/* ---- the table ---- */

/* ROW(name, alias_of, kind, min, max, ret rule, strict, impl, typer, argument classes, signature,
 * summary); the category comes from the section the row is in. A function with aliases has its
 * rules in one macro, so the spellings cannot drift apart. */
#define ROW(n, alias, k, lo, hi, rule, strict_, impl_, typer_, classes, sig, sum)                            \
    {                                                                                                        \
        .name = n, .kind = k, .min_args = lo, .max_args = hi, rule, .strict = strict_, .impl = impl_,        \
        .signature = sig, .summary = sum, .category = CATEGORY, .args = classes, .typer = typer_,            \
        .alias_of = alias                                                                                    \
    }
#define S      VELO_FN_SCALAR
#define A      VELO_FN_AGGREGATE
#define W      VELO_FN_WINDOW
#define WA     VELO_FN_WINDOW, .aggregate_too = true
#define FIX(t) .ret = VELO_RET_FIXED, .fixed = VELO_TYPE_##t
#define ARG0   .ret = VELO_RET_ARG0
#define NUM0   .ret = VELO_RET_NUMERIC_ARG0
#define COMMON .ret = VELO_RET_COMMON
#define ARGS(...)                                                                                            \
    { __VA_ARGS__ }
#define C_ANY   VELO_ARG_ANY
#define C_NUM   VELO_ARG_NUMERIC
#define C_INT   VELO_ARG_INTEGER
#define C_STR   VELO_ARG_STRING
#define C_BOOL  VELO_ARG_BOOLEAN
#define C_TEMP  VELO_ARG_TEMPORAL
#define C_LIST  VELO_ARG_LIST
#define C_MAP   VELO_ARG_MAP
#define C_KEYED VELO_ARG_KEYED
#define C_CMP   VELO_ARG_COMPARABLE

#define STRING_AGG_ROW(n, alias, sig, sum)                                                                   \
    ROW(n, alias, A, 2, 2, FIX(VARCHAR), false, NULL, NULL, ARGS(C_STR, C_STR), sig, sum)
#define CEIL_ROW(n, alias, sig, sum)                                                                         \
    ROW(n, alias, S, 1, 1, NUM0, true, velo_fn_ceil, type_ceil, ARGS(C_NUM), sig, sum)
#define POWER_ROW(n, alias, sig, sum)                                                                        \
    ROW(n, alias, S, 2, 2, FIX(DOUBLE), true, velo_fn_power, NULL, ARGS(C_NUM, C_NUM), sig, sum)
#define TRUNCATE_ROW(n, alias, sig, sum)                                                                     \
    ROW(n, alias, S, 1, 2, NUM0, true, velo_fn_truncate, NULL, ARGS(C_NUM, C_INT), sig, sum)
#define LENGTH_ROW(n, alias, sig, sum)                                                                       \
    ROW(n, alias, S, 1, 1, FIX(BIGINT), true, velo_fn_length, NULL, ARGS(C_STR), sig, sum)
#define SUBSTRING_ROW(n, alias, sig, sum)                                                                    \
    ROW(n, alias, S, 2, 3, FIX(VARCHAR), true, velo_fn_substring, NULL, ARGS(C_STR, C_INT, C_INT), sig, sum)
#define NOW_ROW(n, alias, sig, sum)                                                                          \
    ROW(n, alias, S, 0, 0, FIX(TIMESTAMP), false, velo_fn_now, NULL, ARGS(C_ANY), sig, sum)

/* clang-format off */
static const velo_function catalog[] = {
#define CATEGORY "aggregate"
    ROW("COUNT", NULL, A, 0, 1, FIX(BIGINT), false, NULL, NULL, ARGS(C_ANY),
        "COUNT(*) | COUNT(x) -> BIGINT", "number of rows / of non-NULL values"),
    ROW("COUNT_DISTINCT", NULL, A, 1, 1, FIX(BIGINT), false, NULL, NULL, ARGS(C_ANY),
        "COUNT_DISTINCT(x) -> BIGINT", "number of distinct non-NULL values, as COUNT(DISTINCT x)"),
    ROW("APPROX_COUNT_DISTINCT", NULL, A, 1, 1, FIX(BIGINT), false, NULL, NULL, ARGS(C_ANY),
        "APPROX_COUNT_DISTINCT(x) -> BIGINT", "estimated number of distinct non-NULL values"),
    ROW("SUM", NULL, A, 1, 1, ARG0, false, NULL, type_sum, ARGS(C_NUM),
        "SUM(number) -> BIGINT | DECIMAL(38,s) | DOUBLE", "sum; BIGINT overflow is an error"),
    ROW("AVG", NULL, A, 1, 1, FIX(DOUBLE), false, NULL, type_avg, ARGS(C_NUM),
        "AVG(number) -> DOUBLE | DECIMAL(38,max(s,6))", "average; exact on DECIMAL"),
    ROW("MIN", NULL, A, 1, 1, ARG0, false, NULL, NULL, ARGS(C_CMP),
        "MIN(x) -> type of x", "smallest value"),
    ROW("MAX", NULL, A, 1, 1, ARG0, false, NULL, NULL, ARGS(C_CMP),
        "MAX(x) -> type of x", "largest value"),
    ROW("STDDEV", NULL, A, 1, 1, FIX(DOUBLE), false, NULL, NULL, ARGS(C_NUM),
        "STDDEV(number) -> DOUBLE", "sample standard deviation (as STDDEV_SAMP)"),
    ROW("STDDEV_SAMP", NULL, A, 1, 1, FIX(DOUBLE), false, NULL, NULL, ARGS(C_NUM),
        "STDDEV_SAMP(number) -> DOUBLE", "sample standard deviation"),
    ROW("STDDEV_POP", NULL, A, 1, 1, FIX(DOUBLE), false, NULL, NULL, ARGS(C_NUM),
        "STDDEV_POP(number) -> DOUBLE", "population standard deviation"),
    ROW("VARIANCE", NULL, A, 1, 1, FIX(DOUBLE), false, NULL, NULL, ARGS(C_NUM),
        "VARIANCE(number) -> DOUBLE", "sample variance (as VAR_SAMP)"),
    ROW("VAR_SAMP", NULL, A, 1, 1, FIX(DOUBLE), false, NULL, NULL, ARGS(C_NUM),
        "VAR_SAMP(number) -> DOUBLE", "sample variance"),
    ROW("VAR_POP", NULL, A, 1, 1, FIX(DOUBLE), false, NULL, NULL, ARGS(C_NUM),
        "VAR_POP(number) -> DOUBLE", "population variance"),
    ROW("MEDIAN", NULL, A, 1, 1, FIX(DOUBLE), false, NULL, type_median, ARGS(C_NUM),
        "MEDIAN(number) -> DOUBLE | DECIMAL(38,s+1)", "middle value; mean of the two middle values"),
    ROW("PERCENTILE_CONT", NULL, A, 2, 2, FIX(DOUBLE), false, NULL, type_median, ARGS(C_NUM, C_NUM),
        "PERCENTILE_CONT(f) WITHIN GROUP (ORDER BY x) -> DOUBLE | DECIMAL(38,s+1)",
        "interpolated percentile f of x; checked as (x, f)"),
    STRING_AGG_ROW("STRING_AGG", NULL,
        "STRING_AGG(VARCHAR, VARCHAR separator) -> VARCHAR", "values joined by the separator"),
    STRING_AGG_ROW("LISTAGG", "STRING_AGG",
        "LISTAGG(VARCHAR, VARCHAR separator) -> VARCHAR", "STRING_AGG"),
#undef CATEGORY
#define CATEGORY "window"
    ROW("ROW_NUMBER", NULL, W, 0, 0, FIX(BIGINT), false, NULL, NULL, ARGS(C_ANY),
        "ROW_NUMBER() -> BIGINT", "1, 2, 3... in window order"),
    ROW("RANK", NULL, W, 0, 0, FIX(BIGINT), false, NULL, NULL, ARGS(C_ANY),
        "RANK() -> BIGINT", "rank with gaps after ties"),
    ROW("DENSE_RANK", NULL, W, 0, 0, FIX(BIGINT), false, NULL, NULL, ARGS(C_ANY),
        "DENSE_RANK() -> BIGINT", "rank without gaps"),
    ROW("PERCENT_RANK", NULL, W, 0, 0, FIX(DOUBLE), false, NULL, NULL, ARGS(C_ANY),
        "PERCENT_RANK() -> DOUBLE", "(rank - 1) / (rows - 1)"),
    ROW("CUME_DIST", NULL, W, 0, 0, FIX(DOUBLE), false, NULL, NULL, ARGS(C_ANY),
        "CUME_DIST() -> DOUBLE", "fraction of rows up to and including peers"),
    ROW("NTILE", NULL, W, 1, 1, FIX(BIGINT), false, NULL, NULL, ARGS(C_INT),
        "NTILE(BIGINT n) -> BIGINT", "bucket 1..n of the row"),
    ROW("LAG", NULL, W, 1, 3, ARG0, false, NULL, type_lag, ARGS(C_ANY, C_INT, C_ANY),
        "LAG(x [, BIGINT offset [, default]]) -> type of x", "x from offset rows before (default 1)"),
    ROW("LEAD", NULL, W, 1, 3, ARG0, false, NULL, type_lag, ARGS(C_ANY, C_INT, C_ANY),
        "LEAD(x [, BIGINT offset [, default]]) -> type of x", "x from offset rows after (default 1)"),
    ROW("FIRST_VALUE", NULL, WA, 1, 1, ARG0, false, NULL, NULL, ARGS(C_ANY),
        "FIRST_VALUE(x) -> type of x", "first x of the frame; also an aggregate (first of the group)"),
    ROW("LAST_VALUE", NULL, WA, 1, 1, ARG0, false, NULL, NULL, ARGS(C_ANY),
        "LAST_VALUE(x) -> type of x", "last x of the frame; also an aggregate (last of the group)"),
    ROW("NTH_VALUE", NULL, W, 2, 2, ARG0, false, NULL, NULL, ARGS(C_ANY, C_INT),
        "NTH_VALUE(x, BIGINT n) -> type of x", "n-th x of the frame (1-based)"),
#undef CATEGORY
#define CATEGORY "math"
    ROW("ABS", NULL, S, 1, 1, NUM0, true, velo_fn_abs, NULL, ARGS(C_NUM),
        "ABS(number) -> same type", "absolute value"),
    ROW("ROUND", NULL, S, 1, 2, NUM0, true, velo_fn_round, NULL, ARGS(C_NUM, C_INT),
        "ROUND(number [, BIGINT digits]) -> same type", "rounds half away from zero"),
    TRUNCATE_ROW("TRUNCATE", NULL,
        "TRUNCATE(number [, BIGINT digits]) -> same type", "rounds toward zero"),
    TRUNCATE_ROW("TRUNC", "TRUNCATE",
        "TRUNC(number [, BIGINT digits]) -> same type", "TRUNCATE"),
    CEIL_ROW("CEIL", NULL,
        "CEIL(number) -> same type | DECIMAL(p-s+1,0)", "smallest integer not below x"),
    CEIL_ROW("CEILING", "CEIL",
        "CEILING(number) -> same type | DECIMAL(p-s+1,0)", "CEIL"),
    ROW("FLOOR", NULL, S, 1, 1, NUM0, true, velo_fn_floor, type_ceil, ARGS(C_NUM),
        "FLOOR(number) -> same type | DECIMAL(p-s+1,0)", "largest integer not above x"),
    ROW("SIGN", NULL, S, 1, 1, FIX(BIGINT), true, velo_fn_sign, type_sign, ARGS(C_NUM),
        "SIGN(number) -> BIGINT | DOUBLE", "-1, 0 or 1"),
    ROW("MOD", NULL, S, 2, 2, NUM0, true, velo_fn_mod, type_mod, ARGS(C_NUM, C_NUM),
        "MOD(a, b) -> type of a % b", "remainder with the sign of a; b = 0 is an error"),
    POWER_ROW("POWER", NULL,
        "POWER(number, number) -> DOUBLE", "a raised to b"),
    POWER_ROW("POW", "POWER",
        "POW(number, number) -> DOUBLE", "POWER"),
    ROW("SQRT", NULL, S, 1, 1, FIX(DOUBLE), true, velo_fn_sqrt, NULL, ARGS(C_NUM),
        "SQRT(number) -> DOUBLE", "square root"),
    ROW("EXP", NULL, S, 1, 1, FIX(DOUBLE), true, velo_fn_exp, NULL, ARGS(C_NUM),
        "EXP(number) -> DOUBLE", "e raised to x"),
    ROW("LN", NULL, S, 1, 1, FIX(DOUBLE), true, velo_fn_ln, NULL, ARGS(C_NUM),
        "LN(number) -> DOUBLE", "natural logarithm"),
    ROW("LOG", NULL, S, 1, 2, FIX(DOUBLE), true, velo_fn_log, NULL, ARGS(C_NUM, C_NUM),
        "LOG(x) | LOG(base, x) -> DOUBLE", "logarithm, base 10 unless given"),
    ROW("LOG10", NULL, S, 1, 1, FIX(DOUBLE), true, velo_fn_log10, NULL, ARGS(C_NUM),
        "LOG10(number) -> DOUBLE", "base-10 logarithm"),
#undef CATEGORY
#define CATEGORY "string"
    LENGTH_ROW("LENGTH", NULL,
        "LENGTH(VARCHAR) -> BIGINT", "length in characters"),
    LENGTH_ROW("LEN", "LENGTH",
        "LEN(VARCHAR) -> BIGINT", "LENGTH"),
    LENGTH_ROW("CHAR_LENGTH", "LENGTH",
        "CHAR_LENGTH(VARCHAR) -> BIGINT", "LENGTH"),
    ROW("UPPER", NULL, S, 1, 1, FIX(VARCHAR), true, velo_fn_upper, NULL, ARGS(C_STR),
        "UPPER(VARCHAR) -> VARCHAR", "upper case, Unicode simple case mapping (ß stays ß)"),
    ROW("LOWER", NULL, S, 1, 1, FIX(VARCHAR), true, velo_fn_lower, NULL, ARGS(C_STR),
        "LOWER(VARCHAR) -> VARCHAR", "lower case, Unicode simple case mapping"),
    ROW("TRIM", NULL, S, 1, 1, FIX(VARCHAR), true, velo_fn_trim, NULL, ARGS(C_STR),
        "TRIM(VARCHAR) -> VARCHAR", "removes leading and trailing spaces"),
    ROW("LTRIM", NULL, S, 1, 1, FIX(VARCHAR), true, velo_fn_ltrim, NULL, ARGS(C_STR),
        "LTRIM(VARCHAR) -> VARCHAR", "removes leading spaces"),
    ROW("RTRIM", NULL, S, 1, 1, FIX(VARCHAR), true, velo_fn_rtrim, NULL, ARGS(C_STR),
        "RTRIM(VARCHAR) -> VARCHAR", "removes trailing spaces"),
    SUBSTRING_ROW("SUBSTRING", NULL,
        "SUBSTRING(VARCHAR, BIGINT start [, BIGINT length]) -> VARCHAR", "characters from a 1-based position"),
    SUBSTRING_ROW("SUBSTR", "SUBSTRING",
        "SUBSTR(VARCHAR, BIGINT start [, BIGINT length]) -> VARCHAR", "SUBSTRING"),
    ROW("POSITION", NULL, S, 2, 3, FIX(BIGINT), true, velo_fn_position, NULL, ARGS(C_STR, C_STR, C_INT),
        "POSITION(VARCHAR needle, VARCHAR s [, BIGINT start]) -> BIGINT", "1-based position of needle in s, 0 if absent"),
    ROW("REPLACE", NULL, S, 3, 3, FIX(VARCHAR), true, velo_fn_replace, NULL, ARGS(C_STR, C_STR, C_STR),
        "REPLACE(VARCHAR s, VARCHAR from, VARCHAR to) -> VARCHAR", "every occurrence of from replaced by to"),
    ROW("CONCAT", NULL, S, 0, VAR, FIX(VARCHAR), false, velo_fn_concat, NULL, ARGS(C_ANY),
        "CONCAT(any, ...) -> VARCHAR",
        "concatenation of the values as text (LIST/MAP/STRUCT as JSON text); NULL arguments are skipped; "
        "CONCAT() is ''"),
    ROW("CONCAT_WS", NULL, S, 2, VAR, FIX(VARCHAR), false, velo_fn_concat_ws, NULL, ARGS(C_STR, C_ANY),
        "CONCAT_WS(VARCHAR separator, any, ...) -> VARCHAR", "values as text joined by the separator; NULLs skipped"),
    /* the original Velostream's JOIN(sep, a, b, ...) string function (compat pok_088) */
    ROW("JOIN", "CONCAT_WS", S, 2, VAR, FIX(VARCHAR), false, velo_fn_concat_ws, NULL, ARGS(C_STR, C_ANY),
        "JOIN(VARCHAR separator, any, ...) -> VARCHAR", "CONCAT_WS"),
    ROW("LEFT", NULL, S, 2, 2, FIX(VARCHAR), true, velo_fn_left, NULL, ARGS(C_STR, C_INT),
        "LEFT(VARCHAR, BIGINT n) -> VARCHAR", "first n characters"),
    ROW("RIGHT", NULL, S, 2, 2, FIX(VARCHAR), true, velo_fn_right, NULL, ARGS(C_STR, C_INT),
        "RIGHT(VARCHAR, BIGINT n) -> VARCHAR", "last n characters"),
    ROW("LPAD", NULL, S, 2, 3, FIX(VARCHAR), true, velo_fn_lpad, NULL, ARGS(C_STR, C_INT, C_STR),
        "LPAD(VARCHAR, BIGINT n [, VARCHAR fill]) -> VARCHAR", "padded on the left to n characters (fill ' ')"),
    ROW("RPAD", NULL, S, 2, 3, FIX(VARCHAR), true, velo_fn_rpad, NULL, ARGS(C_STR, C_INT, C_STR),
        "RPAD(VARCHAR, BIGINT n [, VARCHAR fill]) -> VARCHAR", "padded on the right to n characters (fill ' ')"),
    ROW("SPLIT_PART", NULL, S, 3, 3, FIX(VARCHAR), true, velo_fn_split_part, NULL, ARGS(C_STR, C_STR, C_INT),
        "SPLIT_PART(VARCHAR, VARCHAR delimiter, BIGINT n) -> VARCHAR", "n-th field (1-based, negative from the end); '' past the end and for 0"),
    ROW("SPLIT", NULL, S, 2, 2, FIX(LIST), true, velo_fn_split, NULL, ARGS(C_STR, C_STR),
        "SPLIT(VARCHAR, VARCHAR delimiter) -> LIST", "the fields as a list of VARCHAR"),
    ROW("REGEXP_MATCHES", NULL, S, 2, 3, FIX(BOOLEAN), true, velo_fn_regexp_matches, NULL, ARGS(C_STR, C_STR, C_STR),
        "REGEXP_MATCHES(VARCHAR, VARCHAR pattern [, VARCHAR flags]) -> BOOLEAN", "whether the POSIX extended regex (UTF-8 aware) matches anywhere; flag 'i' ignores case"),
    ROW("REGEXP_REPLACE", NULL, S, 3, 4, FIX(VARCHAR), true, velo_fn_regexp_replace, NULL, ARGS(C_STR, C_STR, C_STR, C_STR),
        "REGEXP_REPLACE(VARCHAR, VARCHAR pattern, VARCHAR replacement [, VARCHAR flags]) -> VARCHAR",
        "matches of a POSIX extended regex replaced (\\1..\\9 insert groups); flags 'g' (all), 'i' (ignore case)"),
    ROW("REVERSE", NULL, S, 1, 1, FIX(VARCHAR), true, velo_fn_reverse, NULL, ARGS(C_STR),
        "REVERSE(VARCHAR) -> VARCHAR", "characters in reverse order"),
    ROW("STARTS_WITH", NULL, S, 2, 2, FIX(BOOLEAN), true, velo_fn_starts_with, NULL, ARGS(C_STR, C_STR),
        "STARTS_WITH(VARCHAR, VARCHAR prefix) -> BOOLEAN", "whether s begins with prefix"),
#undef CATEGORY
#define CATEGORY "time"
    NOW_ROW("NOW", NULL,
        "NOW() -> TIMESTAMP",
        "processing time: the wall clock (CLOCK_REALTIME, UTC) when the row is evaluated, not event time"),
    NOW_ROW("CURRENT_TIMESTAMP", "NOW",
        "CURRENT_TIMESTAMP() -> TIMESTAMP", "NOW"),
    ROW("TIMESTAMP", NULL, S, 0, 0, FIX(TIMESTAMP), false, NULL, NULL, ARGS(C_ANY),
        "TIMESTAMP() -> TIMESTAMP", "the timestamp of the record being processed"),
    ROW("DATE_TRUNC", NULL, S, 2, 2, FIX(TIMESTAMP), true, velo_fn_date_trunc, NULL, ARGS(C_STR, C_TEMP),
        "DATE_TRUNC(VARCHAR unit, TIMESTAMP | DATE) -> TIMESTAMP", "start of the unit ('hour', 'day', 'month'...)"),
    ROW("DATE_FORMAT", NULL, S, 2, 2, FIX(VARCHAR), true, velo_fn_date_format, NULL, ARGS(C_TEMP, C_STR),
        "DATE_FORMAT(TIMESTAMP | DATE, VARCHAR format) -> VARCHAR", "strftime-style text: %Y %m %d %H %M %S, %f (6-digit microseconds), %j (day of year), %a (Mon), %b (Jan), %%"),
    ROW("TO_TIMESTAMP", NULL, S, 1, 2, FIX(TIMESTAMP), true, velo_fn_to_timestamp, type_to_timestamp, ARGS(C_ANY, C_STR),
        "TO_TIMESTAMP(VARCHAR [, VARCHAR format]) | TO_TIMESTAMP(number) -> TIMESTAMP",
        "parses ISO-8601 text (or text in a DATE_FORMAT format), or converts epoch seconds"),
    ROW("EVENT_TIME_OF", NULL, S, 1, 1, FIX(TIMESTAMP), true, velo_fn_event_time_of, type_event_time_of, ARGS(C_ANY),
        "EVENT_TIME_OF(TIMESTAMP | BIGINT | VARCHAR) -> TIMESTAMP",
        "x read as an event time, as 'event.time.field' is read: a TIMESTAMP, BIGINT epoch milliseconds or ISO-8601 text"),
    ROW("FROM_UNIXTIME", NULL, S, 1, 1, FIX(TIMESTAMP), true, velo_fn_from_unixtime, NULL, ARGS(C_NUM),
        "FROM_UNIXTIME(number) -> TIMESTAMP", "timestamp of epoch seconds (fractions allowed)"),
    ROW("UNIX_TIMESTAMP", NULL, S, 0, 1, FIX(BIGINT), true, velo_fn_unix_timestamp, NULL, ARGS(C_TEMP),
        "UNIX_TIMESTAMP([TIMESTAMP | DATE]) -> BIGINT", "epoch seconds of x, or of now"),
    ROW("DATEDIFF", NULL, S, 3, 3, FIX(BIGINT), true, velo_fn_datediff, type_datediff, ARGS(C_STR, C_ANY, C_ANY),
        "DATEDIFF(VARCHAR unit, t1, t2) -> BIGINT", "whole units from t1 to t2 (t2 - t1, toward zero); t may be epoch milliseconds"),
    ROW("DATE_ADD", NULL, S, 3, 3, FIX(TIMESTAMP), true, velo_fn_date_add, NULL, ARGS(C_STR, C_INT, C_TEMP),
        "DATE_ADD(VARCHAR unit, BIGINT n, TIMESTAMP | DATE) -> TIMESTAMP", "t moved by n units"),
    ROW("EXTRACT", NULL, S, 2, 2, FIX(BIGINT), true, velo_fn_extract, type_extract, ARGS(C_STR, C_ANY),
        "EXTRACT(field FROM x) | EXTRACT('field', x) -> BIGINT", "a field (YEAR, HOUR, EPOCH...) of a TIMESTAMP, DATE, INTERVAL or BIGINT epoch milliseconds; DOW 0 = Sunday, WEEK is ISO, MILLISECOND includes the seconds"),
#undef CATEGORY
#define CATEGORY "conditional"
    ROW("COALESCE", NULL, S, 1, VAR, COMMON, false, velo_fn_coalesce, NULL, ARGS(C_ANY),
        "COALESCE(x, ...) -> common type", "first non-NULL argument"),
    ROW("NULLIF", NULL, S, 2, 2, ARG0, false, velo_fn_nullif, type_nullif, ARGS(C_ANY, C_ANY),
        "NULLIF(a, b) -> type of a", "NULL if a = b, else a"),
    ROW("GREATEST", NULL, S, 1, VAR, COMMON, false, velo_fn_greatest, NULL, ARGS(C_CMP, C_CMP, C_CMP, C_CMP),
        "GREATEST(x, ...) -> common type", "largest non-NULL argument"),
    ROW("LEAST", NULL, S, 1, VAR, COMMON, false, velo_fn_least, NULL, ARGS(C_CMP, C_CMP, C_CMP, C_CMP),
        "LEAST(x, ...) -> common type", "smallest non-NULL argument"),
    ROW("IF", NULL, S, 3, 3, COMMON, false, velo_fn_if, type_if, ARGS(C_BOOL, C_ANY, C_ANY),
        "IF(BOOLEAN, a, b) -> common type of a and b", "a when the condition is true, else b"),
#undef CATEGORY
#define CATEGORY "json"
    ROW("JSON_EXTRACT", NULL, S, 2, 2, FIX(ANY), true, velo_fn_json_extract, NULL, ARGS(C_ANY, C_STR),
        "JSON_EXTRACT(json, VARCHAR path) -> ANY",
        "the value at a JSONPath ('$.a.b', '$.a[0]', '$.a.0'): a string, number or boolean as that SQL value "
        "(VARCHAR, BIGINT, DECIMAL, BOOLEAN), an object or array as JSON text"),
    ROW("JSON_VALUE", NULL, S, 2, 2, FIX(VARCHAR), true, velo_fn_json_value, NULL, ARGS(C_ANY, C_STR),
        "JSON_VALUE(json, VARCHAR path) -> VARCHAR", "the scalar at a JSONPath as text; NULL for objects and arrays"),
    ROW("JSON_QUERY", NULL, S, 2, 2, FIX(VARCHAR), true, velo_fn_json_query, NULL, ARGS(C_ANY, C_STR),
        "JSON_QUERY(json, VARCHAR path) -> VARCHAR", "the object or array at a JSONPath as JSON text"),
    ROW("JSON_EXISTS", NULL, S, 2, 2, FIX(BOOLEAN), true, velo_fn_json_exists, NULL, ARGS(C_ANY, C_STR),
        "JSON_EXISTS(json, VARCHAR path) -> BOOLEAN", "whether the JSONPath matches"),
#undef CATEGORY
#define CATEGORY "collection"
    ROW("ARRAY", NULL, S, 0, VAR, FIX(LIST), false, velo_fn_array, NULL, ARGS(C_ANY),
        "ARRAY(x, ...) -> LIST", "a list of the arguments"),
    ROW("MAP", NULL, S, 0, VAR, FIX(MAP), false, velo_fn_map, type_map, ARGS(C_ANY),
        "MAP(key, value, ...) -> MAP", "a map of key, value pairs"),
    ROW("STRUCT", NULL, S, 0, VAR, FIX(STRUCT), false, velo_fn_struct, NULL, ARGS(C_ANY),
        "STRUCT(x, ...) -> STRUCT", "a struct of the arguments, fields named col1, col2, ..."),
    ROW("ARRAY_LENGTH", NULL, S, 1, 1, FIX(BIGINT), true, velo_fn_array_length, NULL, ARGS(C_LIST),
        "ARRAY_LENGTH(LIST) -> BIGINT", "number of elements"),
    ROW("ARRAY_CONTAINS", NULL, S, 2, 2, FIX(BOOLEAN), true, velo_fn_array_contains, NULL, ARGS(C_LIST, C_ANY),
        "ARRAY_CONTAINS(LIST, x) -> BOOLEAN", "whether an element equals x"),
    ROW("MAP_KEYS", NULL, S, 1, 1, FIX(LIST), true, velo_fn_map_keys, NULL, ARGS(C_KEYED),
        "MAP_KEYS(MAP) -> LIST", "the keys (of a STRUCT: the field names)"),
    ROW("MAP_VALUES", NULL, S, 1, 1, FIX(LIST), true, velo_fn_map_values, NULL, ARGS(C_KEYED),
        "MAP_VALUES(MAP) -> LIST", "the values (of a STRUCT: the field values)"),
#undef CATEGORY
#define CATEGORY "kafka"
    ROW("HEADER", NULL, S, 1, 1, FIX(VARCHAR), true, velo_fn_header, NULL, ARGS(C_STR),
        "HEADER(VARCHAR name) -> VARCHAR", "value of a Kafka header of the record, NULL if absent"),
    ROW("HAS_HEADER", NULL, S, 1, 1, FIX(BOOLEAN), false, velo_fn_has_header, NULL, ARGS(C_STR),
        "HAS_HEADER(VARCHAR name) -> BOOLEAN", "whether the record has the header"),
    ROW("HEADER_KEYS", NULL, S, 0, 0, FIX(LIST), false, velo_fn_header_keys, NULL, ARGS(C_ANY),
        "HEADER_KEYS() -> LIST", "names of the record's headers"),
    ROW("SET_HEADER", NULL, S, 2, 3, FIX(MAP), false, velo_fn_set_header, NULL, ARGS(C_ANY, C_ANY, C_MAP),
        "SET_HEADER(name, value [, MAP headers]) -> MAP",
        "the record's headers (or `headers`) with `name` set to `value` as text; `AS _headers` sends them"),
    ROW("REMOVE_HEADER", NULL, S, 1, 2, FIX(MAP), false, velo_fn_remove_header, NULL, ARGS(C_ANY, C_MAP),
        "REMOVE_HEADER(name [, MAP headers]) -> MAP",
        "the record's headers (or `headers`) without `name`; `AS _headers` sends them"),
#undef CATEGORY
};
/* clang-format on */

#define CATALOG_SIZE (sizeof catalog / sizeof catalog[0])

const velo_function *velo_function_lookup(const char *name) {
    for (uint32_t i = 0; i < CATALOG_SIZE; i++)
        if (strcasecmp(catalog[i].name, name) == 0) return &catalog[i];
    return NULL;
}

const velo_function *velo_function_at(uint32_t i) { return i < CATALOG_SIZE ? &catalog[i] : NULL; }

/* ---- checks ---- */

static bool arity_ok(const velo_function *f, uint32_t n) {
    return n >= f->min_args && (f->max_args == VAR || n <= f->max_args);
}

/* "expects 1 argument", "expects 1 or 2 arguments", "expects at least 2 arguments"... */
static void arity_message(const velo_function *f, uint32_t n, char *msg, size_t len) {
    unsigned lo = f->min_args, hi = f->max_args;
    char want[48];
    if (hi == VAR)
        snprintf(want, sizeof want, "at least %u argument%s", lo, lo == 1 ? "" : "s");
    else if (lo == hi)
        snprintf(want, sizeof want, "%u argument%s", lo, lo == 1 ? "" : "s");
    else if (hi == lo + 1)
        snprintf(want, sizeof want, "%u or %u arguments", lo, hi);
    else
        snprintf(want, sizeof want, "%u to %u arguments", lo, hi);
    snprintf(msg, len, "%s expects %s, found %u", f->name, want, n);
}

static bool class_accepts(velo_arg_class c, velo_type t) {
    velo_type_id id = t.id;
    if (passes(t)) return true; /* a NULL literal fits anywhere; ANY is checked per record */
    switch (c) {
    case VELO_ARG_ANY: return true;
    case VELO_ARG_NUMERIC: return velo_type_is_numeric(t);
    case VELO_ARG_INTEGER: return id == VELO_TYPE_BIGINT;
    case VELO_ARG_STRING: return id == VELO_TYPE_VARCHAR;
    case VELO_ARG_BOOLEAN: return id == VELO_TYPE_BOOLEAN;
    case VELO_ARG_TEMPORAL: return id == VELO_TYPE_TIMESTAMP || id == VELO_TYPE_DATE;
    case VELO_ARG_TIMESTAMP: return id == VELO_TYPE_TIMESTAMP;
    case VELO_ARG_INTERVAL: return id == VELO_TYPE_INTERVAL;
    case VELO_ARG_LIST: return id == VELO_TYPE_LIST;
    case VELO_ARG_MAP: return id == VELO_TYPE_MAP;
    case VELO_ARG_KEYED: return id == VELO_TYPE_MAP || id == VELO_TYPE_STRUCT; /* field names as keys */
    case VELO_ARG_COMPARABLE: return id != VELO_TYPE_LIST && id != VELO_TYPE_MAP && id != VELO_TYPE_STRUCT;
    }
    return false;
}

static const char *class_name(velo_arg_class c) {
    switch (c) {
    case VELO_ARG_ANY: return "any value";
    case VELO_ARG_NUMERIC: return "a number";
    case VELO_ARG_INTEGER: return "an integer";
    case VELO_ARG_STRING: return "VARCHAR";
    case VELO_ARG_BOOLEAN: return "BOOLEAN";
    case VELO_ARG_TEMPORAL: return "a TIMESTAMP or DATE";
    case VELO_ARG_TIMESTAMP: return "TIMESTAMP";
    case VELO_ARG_INTERVAL: return "INTERVAL";
    case VELO_ARG_LIST: return "a LIST";
    case VELO_ARG_MAP: return "a MAP";
    case VELO_ARG_KEYED: return "a MAP or STRUCT";
    case VELO_ARG_COMPARABLE: return "a comparable value";
    }
    return "?";
}

/* The result type from the `ret` rule alone. */
static bool rule_type(const velo_function *f, const velo_type *args, uint32_t n, velo_type *out, char *msg,
                      size_t len) {
    velo_error err;
    switch (f->ret) {
    case VELO_RET_FIXED: *out = velo_type_make(f->fixed); return true;
    case VELO_RET_ARG0:
    case VELO_RET_NUMERIC_ARG0: *out = n ? args[0] : velo_type_make(VELO_TYPE_NULL); return true;
    case VELO_RET_COMMON:
        *out = velo_type_make(VELO_TYPE_NULL);
        for (uint32_t i = 0; i < n; i++) {
            if (velo_common_type(*out, args[i], out, &err) != VELO_OK) {
                snprintf(msg, len, "%s arguments have no common type: %s", f->name, err.message);
                return false;
            }
        }
        return true;
    }
    return false;
}

bool velo_function_check(const velo_function *f, const velo_type *args, uint32_t nargs, velo_type *ret,
                         char *msg, size_t msglen) {
    char scratch[1]; /* callers that want no message pass msg = NULL */
    if (!msg || !msglen) msg = scratch, msglen = sizeof scratch;
    if (!arity_ok(f, nargs)) {
        arity_message(f, nargs, msg, msglen);
        return false;
    }
    for (uint32_t i = 0; i < nargs; i++) {
        velo_arg_class c = f->args[i < 4 ? i : 3];
        if (!class_accepts(c, args[i])) {
            char b[32];
            snprintf(msg, msglen, "%s expects %s as argument %u, found %s", f->name, class_name(c), i + 1,
                     tname(args[i], b));
            return false;
        }
    }
    velo_type out;
    if (f->typer) {
        char why[VELO_ERROR_MSG_MAX] = "";
        if (!f->typer(args, nargs, &out, why, sizeof why)) {
            snprintf(msg, msglen, "%s %s", f->name, why);
            return false;
        }
    } else if (!rule_type(f, args, nargs, &out, msg, msglen)) {
        return false;
    }
    if (ret) *ret = out;
    return true;
}

/* ---- literal arguments ---- */

static const char *const time_units[] = {"microsecond", "millisecond", "second",  "minute", "hour", "day",
                                         "week",        "month",       "quarter", "year",   NULL};
static const char *const extract_fields[] = {"YEAR",        "QUARTER",     "MONTH",      "WEEK",   "DAY",
                                             "DOW",         "DOY",         "HOUR",       "MINUTE", "SECOND",
                                             "MILLISECOND", "MICROSECOND", "NANOSECOND", "EPOCH",  NULL};

/* Units are accepted in any case, singular or plural ('hour', 'HOURS'). */
static bool unit_known(const char *const *units, const char *text, bool plural_ok) {
    size_t n = strlen(text);
    for (const char *const *u = units; *u; u++) {
        size_t k = strlen(*u);
        if (n == k && strncasecmp(text, *u, k) == 0) return true;
        if (plural_ok && n == k + 1 && strncasecmp(text, *u, k) == 0 &&
            tolower((unsigned char)text[k]) == 's')
            return true;
    }
    return false;
}

static void list_units(const char *const *units, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (const char *const *u = units; *u && used < len; u++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", u == units ? "" : ", ", *u);
}

bool velo_function_check_literal(const velo_function *f, uint32_t i, const char *text, char *msg,
                                 size_t msglen) {
    const char *const *units = NULL;
    bool plural_ok = true;
    char scratch[1];
    if (!msg || !msglen) msg = scratch, msglen = sizeof scratch;
    if (i != 0) return true;
    if (!strcmp(f->name, "DATEDIFF") || !strcmp(f->name, "DATE_ADD") || !strcmp(f->name, "DATE_TRUNC")) {
        units = time_units;
    } else if (!strcmp(f->name, "EXTRACT")) {
        units = extract_fields;
        plural_ok = false;
    }
    if (!units || unit_known(units, text, plural_ok)) return true;
    char known[256];
    list_units(units, known, sizeof known);
    snprintf(msg, msglen, "%s does not know the %s '%s': use one of %s%s", f->name,
             units == extract_fields ? "field" : "unit", text, known,
             plural_ok ? " (singular or plural)" : "");
    return false;
}
