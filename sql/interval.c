/* Durations of the SQL dialect (velo_sql_interval_micros): short forms (5m, 100ms) and INTERVAL
 * literals, as a fixed number of microseconds. Months and years have no fixed length, so they are
 * rejected here: a window size or a join bound must be a duration. */
#include <stdlib.h>
#include <string.h>

#include "sql/parser.h"

static const int64_t unit_micros[] = {
    [SQL_UNIT_MICROSECOND] = 1,
    [SQL_UNIT_MILLISECOND] = 1000,
    [SQL_UNIT_SECOND] = 1000000,
    [SQL_UNIT_MINUTE] = 60LL * 1000000,
    [SQL_UNIT_HOUR] = 3600LL * 1000000,
    [SQL_UNIT_DAY] = 86400LL * 1000000,
    [SQL_UNIT_WEEK] = 7LL * 86400 * 1000000,
};

/* Parses an optionally signed decimal number "12", "-1.5" into value * unit, exactly: the fraction
 * is scaled by the unit and must come out whole. */
static velo_status scaled(const char *s, int64_t unit, int64_t *out, velo_error *err) {
    const char *p = s;
    bool neg = false;
    while (*p == ' ')
        p++;
    if (*p == '-' || *p == '+') neg = *p++ == '-';
    if (!(*p >= '0' && *p <= '9') && !(*p == '.' && p[1] >= '0' && p[1] <= '9'))
        return velo_error_set(err, VELO_ERR_INVALID, "invalid interval value '%s': expected a number", s);
    int64_t whole = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, *p - '0', &whole))
            return velo_error_set(err, VELO_ERR_OVERFLOW, "interval value '%s' is too large", s);
    int64_t total;
    if (__builtin_mul_overflow(whole, unit, &total))
        return velo_error_set(err, VELO_ERR_OVERFLOW, "interval value '%s' is too large", s);
    if (*p == '.') {
        p++;
        int64_t frac_unit = unit;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (frac_unit % 10 != 0) {
                if (*p != '0')
                    return velo_error_set(err, VELO_ERR_INVALID,
                                          "interval value '%s' is finer than a microsecond", s);
                continue;
            }
            frac_unit /= 10;
            if (__builtin_add_overflow(total, (int64_t)(*p - '0') * frac_unit, &total))
                return velo_error_set(err, VELO_ERR_OVERFLOW, "interval value '%s' is too large", s);
        }
    }
    while (*p == ' ')
        p++;
    if (*p) return velo_error_set(err, VELO_ERR_INVALID, "invalid interval value '%s': expected a number", s);
    *out = neg ? -total : total;
    return VELO_OK;
}

velo_status velo_sql_interval_micros(const sql_expr *lit, int64_t *micros, velo_error *err) {
    if (!lit || lit->kind != SQL_EXPR_LITERAL || lit->u.lit.kind != SQL_LIT_INTERVAL)
        return velo_error_set_at(err, VELO_ERR_INVALID, lit ? lit->pos.line : 0, lit ? lit->pos.col : 0,
                                 "expected a duration such as 5m or INTERVAL '5' MINUTE");
    sql_interval_unit u = lit->u.lit.unit;
    if (u > SQL_UNIT_WEEK || lit->u.lit.unit_to > SQL_UNIT_WEEK)
        return velo_error_set_at(err, VELO_ERR_INVALID, lit->pos.line, lit->pos.col,
                                 "durations cannot use MONTH/YEAR (a month or a year has no fixed length); "
                                 "use DAY or WEEK");
    if (lit->u.lit.unit_to != u)
        return velo_error_set_at(err, VELO_ERR_UNSUPPORTED, lit->pos.line, lit->pos.col,
                                 "INTERVAL ... TO ... ranges are not supported as durations yet");
    velo_status st = scaled(lit->u.lit.text ? lit->u.lit.text : "", unit_micros[u], micros, err);
    if (st && err) {
        err->line = lit->pos.line;
        err->col = lit->pos.col;
    }
    return st;
}
