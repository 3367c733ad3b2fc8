/* The function catalog table (sql/catalog.h). An entry with impl == NULL binds and type-checks but
 * reports "not supported yet" when a job runs it. */
#include "sql/catalog.h"

#include <strings.h>

#include "core/functions.h"

#define S   VELO_FN_SCALAR
#define A   VELO_FN_AGGREGATE
#define W   VELO_FN_WINDOW
#define VAR 255

static const velo_function catalog[] = {
    /* string */
    {"UPPER", S, 1, 1, VELO_RET_FIXED, VELO_TYPE_VARCHAR, true, velo_fn_upper, "UPPER(VARCHAR) -> VARCHAR",
     "ASCII upper case"},
    {"LOWER", S, 1, 1, VELO_RET_FIXED, VELO_TYPE_VARCHAR, true, velo_fn_lower, "LOWER(VARCHAR) -> VARCHAR",
     "ASCII lower case"},
    {"LENGTH", S, 1, 1, VELO_RET_FIXED, VELO_TYPE_BIGINT, true, velo_fn_length, "LENGTH(VARCHAR) -> BIGINT",
     "length in characters"},
    {"CONCAT", S, 1, VAR, VELO_RET_FIXED, VELO_TYPE_VARCHAR, false, velo_fn_concat,
     "CONCAT(any, ...) -> VARCHAR", "concatenation; NULL arguments are skipped"},
    {"SUBSTRING", S, 2, 3, VELO_RET_FIXED, VELO_TYPE_VARCHAR, true, velo_fn_substring,
     "SUBSTRING(VARCHAR, BIGINT [, BIGINT]) -> VARCHAR", "characters from a 1-based position"},
    {"TRIM", S, 1, 1, VELO_RET_FIXED, VELO_TYPE_VARCHAR, true, velo_fn_trim, "TRIM(VARCHAR) -> VARCHAR",
     "removes leading and trailing spaces"},
    /* math */
    {"ABS", S, 1, 1, VELO_RET_ARG0, VELO_TYPE_NULL, true, velo_fn_abs, "ABS(number) -> same type",
     "absolute value"},
    {"ROUND", S, 1, 2, VELO_RET_ARG0, VELO_TYPE_NULL, true, velo_fn_round,
     "ROUND(number [, BIGINT]) -> same type", "rounds half away from zero"},
    /* conditional */
    {"COALESCE", S, 1, VAR, VELO_RET_COMMON, VELO_TYPE_NULL, false, velo_fn_coalesce,
     "COALESCE(x, ...) -> common type", "first non-NULL argument"},
    {"NULLIF", S, 2, 2, VELO_RET_ARG0, VELO_TYPE_NULL, false, velo_fn_nullif, "NULLIF(a, b) -> type of a",
     "NULL if a = b, else a"},
    /* aggregates (execution arrives with the streaming execution issue) */
    {"COUNT", A, 0, 1, VELO_RET_FIXED, VELO_TYPE_BIGINT, false, NULL, "COUNT(*) | COUNT(x) -> BIGINT",
     "number of rows / non-NULL values"},
    {"SUM", A, 1, 1, VELO_RET_ARG0, VELO_TYPE_NULL, false, NULL, "SUM(number) -> number", "sum"},
    {"AVG", A, 1, 1, VELO_RET_ARG0, VELO_TYPE_NULL, false, NULL, "AVG(number) -> number", "average"},
    {"MIN", A, 1, 1, VELO_RET_ARG0, VELO_TYPE_NULL, false, NULL, "MIN(x) -> type of x", "minimum"},
    {"MAX", A, 1, 1, VELO_RET_ARG0, VELO_TYPE_NULL, false, NULL, "MAX(x) -> type of x", "maximum"},
};

const velo_function *velo_function_lookup(const char *name) {
    for (uint32_t i = 0; i < sizeof catalog / sizeof catalog[0]; i++)
        if (strcasecmp(catalog[i].name, name) == 0) return &catalog[i];
    return NULL;
}

const velo_function *velo_function_at(uint32_t i) {
    return i < sizeof catalog / sizeof catalog[0] ? &catalog[i] : NULL;
}
