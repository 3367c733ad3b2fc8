/* Time functions of the catalog (core/functions.h). A TIMESTAMP is µs since the epoch in UTC and a
 * DATE counts days; both are read as µs here (a DATE is its midnight). Calendar arithmetic uses the
 * proleptic Gregorian conversions of core/temporal.h, with floor division so instants before 1970
 * fall into the right day. NOW() is processing time: the wall clock (CLOCK_REALTIME) at evaluation. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/decimal.h"
#include "core/functions.h"
#include "core/strbuf.h"
#include "core/temporal.h"

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

static velo_status nomem(velo_error *err) { return velo_error_set(err, VELO_ERR_NOMEM, "out of memory"); }

/* The civil fields of an instant. */
typedef struct civil {
    int64_t year, days; /* days since the epoch */
    unsigned month, day, hour, minute, second;
    int64_t micro; /* within the second */
} civil;

static civil civil_of(int64_t us) {
    civil c;
    c.days = floor_div(us, VELO_MICROS_PER_DAY);
    int64_t rem = us - c.days * VELO_MICROS_PER_DAY;
    velo_civil_from_days(c.days, &c.year, &c.month, &c.day);
    c.hour = (unsigned)(rem / (3600 * VELO_MICROS_PER_SEC));
    c.minute = (unsigned)(rem / (60 * VELO_MICROS_PER_SEC) % 60);
    c.second = (unsigned)(rem / VELO_MICROS_PER_SEC % 60);
    c.micro = rem % VELO_MICROS_PER_SEC;
    return c;
}

static unsigned day_of_year(const civil *c) {
    return (unsigned)(c->days - velo_days_from_civil(c->year, 1, 1)) + 1;
}
/* 0 = Sunday ... 6 = Saturday; 1970-01-01 was a Thursday */
static unsigned day_of_week(int64_t days) { return (unsigned)((days % 7 + 7 + 4) % 7); }

/* ISO 8601 week number: the week with the year's first Thursday is week 1; weeks start on Monday. */
static unsigned iso_week(const civil *c) {
    int64_t monday = c->days - (day_of_week(c->days) + 6) % 7;
    int64_t thursday = monday + 3, y;
    unsigned m, d;
    velo_civil_from_days(thursday, &y, &m, &d);
    return (unsigned)((thursday - velo_days_from_civil(y, 1, 1)) / 7) + 1;
}

/* A TIMESTAMP, a DATE (its midnight) or text in ISO-8601 form (dynamically typed input) as µs. */
static velo_status instant_arg(const char *fn, const velo_value *v, int64_t *us, velo_error *err) {
    switch (v->type.id) {
    case VELO_TYPE_TIMESTAMP: *us = v->u.i64; return VELO_OK;
    case VELO_TYPE_DATE: *us = (int64_t)v->u.date * VELO_MICROS_PER_DAY; return VELO_OK;
    case VELO_TYPE_BIGINT: /* epoch milliseconds, as the original dialect reads integers */
        if (__builtin_mul_overflow(v->u.i64, 1000, us))
            return velo_error_set(err, VELO_ERR_OVERFLOW, "%s: %lld epoch milliseconds out of range", fn,
                                  (long long)v->u.i64);
        return VELO_OK;
    case VELO_TYPE_VARCHAR:
        if (velo_parse_timestamp(v->u.str.ptr, v->u.str.len, us)) return VELO_OK;
        return velo_error_set(err, VELO_ERR_CAST, "%s: '%.*s' is not a timestamp", fn,
                              (int)(v->u.str.len > 60 ? 60 : v->u.str.len), v->u.str.ptr);
    default: return velo_error_set(err, VELO_ERR_CAST, "%s needs a TIMESTAMP or DATE", fn);
    }
}

static velo_value ts_value(int64_t us) {
    velo_value v = velo_value_i64(us);
    v.type = velo_type_make(VELO_TYPE_TIMESTAMP);
    return v;
}

/* ---- units: 'hour', 'HOURS' ... (sql/catalog.c checks literal units when binding) ---- */

typedef enum unit {
    U_MICRO,
    U_MILLI,
    U_SECOND,
    U_MINUTE,
    U_HOUR,
    U_DAY,
    U_WEEK,
    U_MONTH,
    U_QUARTER,
    U_YEAR,
    U_NONE
} unit;

static const char *const unit_names[] = {"microsecond", "millisecond", "second", "minute",  "hour",
                                         "day",         "week",        "month",  "quarter", "year"};
static const int64_t unit_micros[] = {1,
                                      1000,
                                      VELO_MICROS_PER_SEC,
                                      60 * VELO_MICROS_PER_SEC,
                                      3600 * VELO_MICROS_PER_SEC,
                                      VELO_MICROS_PER_DAY,
                                      7 * VELO_MICROS_PER_DAY};

static velo_status unit_arg(const char *fn, const velo_value *v, unit *u, velo_error *err) {
    velo_str s = v->u.str;
    if (v->type.id != VELO_TYPE_VARCHAR)
        return velo_error_set(err, VELO_ERR_CAST, "%s needs a VARCHAR unit", fn);
    for (unsigned i = 0; i < U_NONE; i++) {
        size_t k = strlen(unit_names[i]);
        if ((s.len == k || (s.len == k + 1 && (s.ptr[k] == 's' || s.ptr[k] == 'S'))) &&
            strncasecmp(s.ptr, unit_names[i], k) == 0) {
            *u = (unit)i;
            return VELO_OK;
        }
    }
    return velo_error_set(
        err, VELO_ERR_INVALID,
        "%s does not know the unit '%.*s': use microsecond, millisecond, second, minute, hour, "
        "day, week, month, quarter or year",
        fn, (int)(s.len > 40 ? 40 : s.len), s.ptr);
}

/* ---- functions ---- */

VELO_SCALAR_FN(velo_fn_now) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    *out = ts_value((int64_t)t.tv_sec * VELO_MICROS_PER_SEC + t.tv_nsec / 1000);
    return VELO_OK;
}

/* DATE_TRUNC(unit, t): weeks start on Monday (ISO, as PostgreSQL). */
VELO_SCALAR_FN(velo_fn_date_trunc) {
    unit u;
    int64_t us;
    velo_status st = unit_arg("DATE_TRUNC", &args[0], &u, err);
    if (!st) st = instant_arg("DATE_TRUNC", &args[1], &us, err);
    if (st) return st;
    civil c = civil_of(us);
    int64_t r;
    switch (u) {
    case U_WEEK: r = (c.days - (day_of_week(c.days) + 6) % 7) * VELO_MICROS_PER_DAY; break;
    case U_MONTH: r = velo_days_from_civil(c.year, c.month, 1) * VELO_MICROS_PER_DAY; break;
    case U_QUARTER:
        r = velo_days_from_civil(c.year, (c.month - 1) / 3 * 3 + 1, 1) * VELO_MICROS_PER_DAY;
        break;
    case U_YEAR: r = velo_days_from_civil(c.year, 1, 1) * VELO_MICROS_PER_DAY; break;
    default: r = floor_div(us, unit_micros[u]) * unit_micros[u]; break;
    }
    *out = ts_value(r);
    return VELO_OK;
}

static const char *const month_abbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const day_abbr[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

#define FORMAT_CODES "%Y %m %d %H %M %S %f %j %a %b %%"

/* DATE_FORMAT(t, format): strftime-like codes %Y %m %d %H %M %S, %f (6-digit microseconds),
 * %j (day of year), %a (Mon), %b (Jan), %% ; English names whatever the locale. */
VELO_SCALAR_FN(velo_fn_date_format) {
    int64_t us;
    velo_status st = instant_arg("DATE_FORMAT", &args[0], &us, err);
    if (st) return st;
    if (args[1].type.id != VELO_TYPE_VARCHAR)
        return velo_error_set(err, VELO_ERR_CAST, "DATE_FORMAT needs a VARCHAR format");
    velo_str f = args[1].u.str;
    civil c = civil_of(us);
    velo_strbuf b;
    velo_strbuf_init(&b);
    for (uint32_t i = 0; i < f.len; i++) {
        if (f.ptr[i] != '%') {
            velo_strbuf_putc(&b, f.ptr[i]);
            continue;
        }
        char code = i + 1 < f.len ? f.ptr[++i] : '\0';
        switch (code) {
        case 'Y': velo_strbuf_printf(&b, c.year < 0 ? "%05lld" : "%04lld", (long long)c.year); break;
        case 'm': velo_strbuf_printf(&b, "%02u", c.month); break;
        case 'd': velo_strbuf_printf(&b, "%02u", c.day); break;
        case 'H': velo_strbuf_printf(&b, "%02u", c.hour); break;
        case 'M': velo_strbuf_printf(&b, "%02u", c.minute); break;
        case 'S': velo_strbuf_printf(&b, "%02u", c.second); break;
        case 'f': velo_strbuf_printf(&b, "%06lld", (long long)c.micro); break;
        case 'j': velo_strbuf_printf(&b, "%03u", day_of_year(&c)); break;
        case 'a': velo_strbuf_puts(&b, day_abbr[day_of_week(c.days)]); break;
        case 'b': velo_strbuf_puts(&b, month_abbr[c.month - 1]); break;
        case '%': velo_strbuf_putc(&b, '%'); break;
        default:
            velo_strbuf_free(&b);
            if (!code)
                return velo_error_set(err, VELO_ERR_INVALID, "DATE_FORMAT: the format ends with a lone %%");
            return velo_error_set(err, VELO_ERR_INVALID, "DATE_FORMAT does not know %%%c: use %s", code,
                                  FORMAT_CODES);
        }
    }
    char *p = velo_arena_strndup(arena, b.data ? b.data : "", b.len);
    uint32_t len = (uint32_t)b.len;
    velo_strbuf_free(&b);
    if (!p) return nomem(err);
    *out = velo_value_str(p, len);
    return VELO_OK;
}

/* Reads exactly `width` digits (at most, when `upto`) at s[*i]. */
static bool read_digits(velo_str s, uint32_t *i, unsigned width, bool upto, int64_t *out) {
    int64_t v = 0;
    unsigned k = 0;
    while (k < width && *i < s.len && s.ptr[*i] >= '0' && s.ptr[*i] <= '9')
        v = v * 10 + (s.ptr[(*i)++] - '0'), k++;
    *out = v;
    return upto ? k > 0 : k == width;
}

static bool read_name(velo_str s, uint32_t *i, const char *const *names, unsigned count, int64_t *out) {
    for (unsigned k = 0; k < count; k++)
        if (*i + 3 <= s.len && strncasecmp(s.ptr + *i, names[k], 3) == 0) {
            *i += 3;
            *out = k;
            return true;
        }
    return false;
}

/* Parses text with the DATE_FORMAT codes (%j and %a are read and checked for form only). */
static velo_status parse_with_format(velo_str s, velo_str f, int64_t *us, velo_error *err) {
    int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, micro = 0, ignored;
    uint32_t i = 0;
    bool ok = true;
    for (uint32_t k = 0; ok && k < f.len; k++) {
        if (f.ptr[k] != '%' || k + 1 == f.len) {
            ok = i < s.len && s.ptr[i++] == f.ptr[k];
            continue;
        }
        switch (f.ptr[++k]) {
        case 'Y': ok = read_digits(s, &i, 4, false, &year); break;
        case 'm': ok = read_digits(s, &i, 2, true, &month); break;
        case 'd': ok = read_digits(s, &i, 2, true, &day); break;
        case 'H': ok = read_digits(s, &i, 2, true, &hour); break;
        case 'M': ok = read_digits(s, &i, 2, true, &minute); break;
        case 'S': ok = read_digits(s, &i, 2, true, &second); break;
        case 'f': {
            uint32_t start = i;
            ok = read_digits(s, &i, 6, true, &micro);
            for (uint32_t d = i - start; ok && d < 6; d++)
                micro *= 10; /* "%f" of ".5" is 500000 µs */
            break;
        }
        case 'j': ok = read_digits(s, &i, 3, true, &ignored); break;
        case 'a': ok = read_name(s, &i, day_abbr, 7, &ignored); break;
        case 'b': ok = read_name(s, &i, month_abbr, 12, &month) && (month++, true); break;
        case '%': ok = i < s.len && s.ptr[i++] == '%'; break;
        default:
            return velo_error_set(err, VELO_ERR_INVALID, "TO_TIMESTAMP does not know %%%c: use %s", f.ptr[k],
                                  FORMAT_CODES);
        }
    }
    static const unsigned dim[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    ok = ok && i == s.len && month >= 1 && month <= 12 && day >= 1 && day <= dim[month - 1] && hour < 24 &&
         minute < 60 && second < 60;
    /* 29 February only in leap years: the round trip through days must give the same date */
    if (ok) {
        int64_t days = velo_days_from_civil(year, (unsigned)month, (unsigned)day), y;
        unsigned m, d;
        velo_civil_from_days(days, &y, &m, &d);
        ok = m == month && d == day;
        *us = days * VELO_MICROS_PER_DAY + ((hour * 60 + minute) * 60 + second) * VELO_MICROS_PER_SEC + micro;
    }
    if (!ok)
        return velo_error_set(err, VELO_ERR_CAST, "TO_TIMESTAMP: '%.*s' does not match the format '%.*s'",
                              (int)(s.len > 60 ? 60 : s.len), s.ptr, (int)(f.len > 60 ? 60 : f.len), f.ptr);
    return VELO_OK;
}

/* Epoch seconds (BIGINT, exact DECIMAL, or DOUBLE) as a TIMESTAMP, rounded to the microsecond. */
static velo_status from_epoch_seconds(const char *fn, const velo_value *v, int64_t *us, velo_error *err) {
    switch (v->type.id) {
    case VELO_TYPE_BIGINT:
        if (__builtin_mul_overflow(v->u.i64, VELO_MICROS_PER_SEC, us)) break;
        return VELO_OK;
    case VELO_TYPE_DECIMAL: {
        velo_i128 r;
        velo_error ignored;
        if (velo_decimal_rescale(v->u.dec, v->type.scale, VELO_DECIMAL_MAX_PRECISION, 6, &r, &ignored) ||
            r > INT64_MAX || r < INT64_MIN)
            break;
        *us = (int64_t)r;
        return VELO_OK;
    }
    case VELO_TYPE_DOUBLE: {
        double d = v->u.f64 * 1e6;
        if (!(d > -9.2e18 && d < 9.2e18)) break;
        *us = llround(d);
        return VELO_OK;
    }
    default: return velo_error_set(err, VELO_ERR_CAST, "%s needs a number of seconds", fn);
    }
    return velo_error_set(err, VELO_ERR_OVERFLOW, "%s: the epoch seconds are outside the TIMESTAMP range",
                          fn);
}

VELO_SCALAR_FN(velo_fn_from_unixtime) {
    int64_t us;
    velo_status st = from_epoch_seconds("FROM_UNIXTIME", &args[0], &us, err);
    if (!st) *out = ts_value(us);
    return st;
}

/* Text that is a whole integer ([-]digits, at most 18 of them). */
static bool digits_i64(velo_str s, int64_t *out) {
    uint32_t i = s.len && s.ptr[0] == '-';
    if (i == s.len || s.len - i > 18) return false;
    int64_t x = 0;
    for (; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9') return false;
        x = x * 10 + (s.ptr[i] - '0');
    }
    *out = s.ptr[0] == '-' ? -x : x;
    return true;
}

/* EVENT_TIME_OF(x): an event time as windows read 'event.time.field' (core/group_op.c): a
 * TIMESTAMP, BIGINT epoch milliseconds or ISO-8601 text; `_event_time` of a source whose event-time
 * column is not a TIMESTAMP binds to it. */
VELO_SCALAR_FN(velo_fn_event_time_of) {
    int64_t us;
    velo_value v = args[0];
    if (v.type.id == VELO_TYPE_VARCHAR && !velo_parse_timestamp(v.u.str.ptr, v.u.str.len, &us) &&
        digits_i64(v.u.str, &v.u.i64)) /* a JSON number in a dynamically typed column arrives as text */
        v.type = velo_type_make(VELO_TYPE_BIGINT);
    velo_status st = instant_arg("EVENT_TIME_OF", &v, &us, err);
    if (!st) *out = ts_value(us);
    return st;
}

/* TO_TIMESTAMP(text) reads ISO-8601; TO_TIMESTAMP(text, format) the DATE_FORMAT codes;
 * TO_TIMESTAMP(number) epoch seconds. */
VELO_SCALAR_FN(velo_fn_to_timestamp) {
    int64_t us;
    velo_status st;
    if (args[0].type.id != VELO_TYPE_VARCHAR)
        st = from_epoch_seconds("TO_TIMESTAMP", &args[0], &us, err);
    else if (nargs > 1 && args[1].type.id != VELO_TYPE_VARCHAR)
        st = velo_error_set(err, VELO_ERR_CAST, "TO_TIMESTAMP needs a VARCHAR format");
    else if (nargs > 1)
        st = parse_with_format(args[0].u.str, args[1].u.str, &us, err);
    else
        st = instant_arg("TO_TIMESTAMP", &args[0], &us, err);
    if (!st) *out = ts_value(us);
    return st;
}

/* UNIX_TIMESTAMP([t]): whole epoch seconds, rounded down (so -0.5 s is -1). */
VELO_SCALAR_FN(velo_fn_unix_timestamp) {
    int64_t us;
    velo_value now;
    velo_status st = nargs ? instant_arg("UNIX_TIMESTAMP", &args[0], &us, err) : VELO_OK;
    if (!nargs) velo_fn_now(NULL, 0, result, arena, &now, err), us = now.u.i64;
    if (!st) *out = velo_value_i64(floor_div(us, VELO_MICROS_PER_SEC));
    return st;
}

/* DATEDIFF's operands: a TIMESTAMP, a DATE, or BIGINT epoch milliseconds (the original dialect). */
static velo_status diff_arg(const velo_value *v, int64_t *us, velo_error *err) {
    if (v->type.id != VELO_TYPE_BIGINT) return instant_arg("DATEDIFF", v, us, err);
    if (__builtin_mul_overflow(v->u.i64, INT64_C(1000), us))
        return velo_error_set(err, VELO_ERR_OVERFLOW,
                              "DATEDIFF: epoch milliseconds outside the TIMESTAMP range");
    return VELO_OK;
}

/* Whole calendar months from a to b, toward zero: a month is complete when b reaches a's day
 * and time of month (Jan 31 -> Feb 28 is 0 months). */
static int64_t months_between(int64_t a, int64_t b) {
    civil ca = civil_of(a), cb = civil_of(b);
    int64_t months = (cb.year - ca.year) * 12 + (int64_t)cb.month - (int64_t)ca.month;
    int64_t in_a = a - velo_days_from_civil(ca.year, ca.month, 1) * VELO_MICROS_PER_DAY;
    int64_t in_b = b - velo_days_from_civil(cb.year, cb.month, 1) * VELO_MICROS_PER_DAY;
    if (months > 0 && in_b < in_a) months--;
    if (months < 0 && in_b > in_a) months++;
    return months;
}

/* DATEDIFF(unit, a, b) = b - a in whole units, truncated toward zero. */
VELO_SCALAR_FN(velo_fn_datediff) {
    unit u;
    int64_t a, b, d;
    velo_status st = unit_arg("DATEDIFF", &args[0], &u, err);
    if (!st) st = diff_arg(&args[1], &a, err);
    if (!st) st = diff_arg(&args[2], &b, err);
    if (st) return st;
    if (u >= U_MONTH) {
        int64_t m = months_between(a, b);
        *out = velo_value_i64(u == U_MONTH ? m : u == U_QUARTER ? m / 3 : m / 12);
        return VELO_OK;
    }
    if (__builtin_sub_overflow(b, a, &d)) /* only the microsecond unit can need the full range */
        return velo_error_set(err, VELO_ERR_OVERFLOW, "DATEDIFF: the difference overflows BIGINT");
    *out = velo_value_i64(d / unit_micros[u]);
    return VELO_OK;
}

/* DATE_ADD(unit, n, t): months, quarters and years move on the calendar, clamping the day of month
 * (Jan 31 + 1 month = Feb 28/29); the other units are fixed lengths. */
VELO_SCALAR_FN(velo_fn_date_add) {
    unit u;
    int64_t n = args[1].u.i64, t, r;
    velo_status st = unit_arg("DATE_ADD", &args[0], &u, err);
    if (!st && args[1].type.id != VELO_TYPE_BIGINT)
        st = velo_error_set(err, VELO_ERR_CAST, "DATE_ADD needs a BIGINT count");
    if (!st) st = instant_arg("DATE_ADD", &args[2], &t, err);
    if (st) return st;
    velo_interval iv = {0, 0, 0};
    bool ok;
    if (u >= U_MONTH) {
        int64_t months;
        ok = !__builtin_mul_overflow(n,
                                     u == U_MONTH     ? 1
                                     : u == U_QUARTER ? 3
                                                      : 12,
                                     &months) &&
             months >= INT32_MIN && months <= INT32_MAX;
        iv.months = (int32_t)months;
    } else {
        ok = !__builtin_mul_overflow(n, unit_micros[u], &iv.micros);
    }
    if (!ok || !velo_timestamp_add_interval(t, iv, 1, &r))
        return velo_error_set(err, VELO_ERR_OVERFLOW, "DATE_ADD: the result is outside the TIMESTAMP range");
    *out = ts_value(r);
    return VELO_OK;
}

/* EXTRACT on an INTERVAL reads its parts as PostgreSQL does (EPOCH counts a month as 30 days and a
 * year as 365.25 days). */
static velo_status extract_interval(velo_str field, velo_interval iv, int64_t *r, velo_error *err) {
    int64_t m = iv.micros;
#define IS(name) (field.len == strlen(name) && strncasecmp(field.ptr, name, field.len) == 0)
    if (IS("EPOCH")) {
        int64_t years = iv.months / 12, months = iv.months % 12;
        *r = years * 31557600 + months * 30 * 86400 + (int64_t)iv.days * 86400 + m / VELO_MICROS_PER_SEC;
    } else if (IS("YEAR")) {
        *r = iv.months / 12;
    } else if (IS("QUARTER")) {
        *r = iv.months % 12 / 3 + 1;
    } else if (IS("MONTH")) {
        *r = iv.months % 12;
    } else if (IS("DAY")) {
        *r = iv.days;
    } else if (IS("HOUR")) {
        *r = m / (3600 * VELO_MICROS_PER_SEC);
    } else if (IS("MINUTE")) {
        *r = m / (60 * VELO_MICROS_PER_SEC) % 60;
    } else if (IS("SECOND")) {
        *r = m / VELO_MICROS_PER_SEC % 60;
    } else if (IS("MILLISECOND")) {
        *r = m % (60 * VELO_MICROS_PER_SEC) / 1000;
    } else if (IS("MICROSECOND")) {
        *r = m % (60 * VELO_MICROS_PER_SEC);
    } else {
        return velo_error_set(err, VELO_ERR_INVALID, "EXTRACT(%.*s) does not apply to an INTERVAL",
                              (int)field.len, field.ptr);
    }
    return VELO_OK;
}

/* EXTRACT(field, t). The binder passes the field as a VARCHAR constant in argument 0 (EXTRACT(YEAR
 * FROM t) and EXTRACT('year', t) alike). SECOND is the whole second; MILLISECOND and MICROSECOND
 * include the seconds (PostgreSQL: 12.5 s -> 12500 ms); EPOCH is whole seconds rounded down; DOW is
 * 0 (Sunday) to 6; WEEK is the ISO week. */
VELO_SCALAR_FN(velo_fn_extract) {
    if (args[0].type.id != VELO_TYPE_VARCHAR)
        return velo_error_set(err, VELO_ERR_CAST, "EXTRACT needs a field name");
    velo_str field = args[0].u.str;
    int64_t r = 0, us;
    if (args[1].type.id == VELO_TYPE_INTERVAL) {
        velo_status st = extract_interval(field, args[1].u.iv, &r, err);
        if (!st) *out = velo_value_i64(r);
        return st;
    }
    velo_status st = instant_arg("EXTRACT", &args[1], &us, err);
    if (st) return st;
    civil c = civil_of(us);
    if (IS("YEAR"))
        r = c.year;
    else if (IS("QUARTER"))
        r = (c.month - 1) / 3 + 1;
    else if (IS("MONTH"))
        r = c.month;
    else if (IS("WEEK"))
        r = iso_week(&c);
    else if (IS("DAY"))
        r = c.day;
    else if (IS("DOW"))
        r = day_of_week(c.days);
    else if (IS("DOY"))
        r = day_of_year(&c);
    else if (IS("HOUR"))
        r = c.hour;
    else if (IS("MINUTE"))
        r = c.minute;
    else if (IS("SECOND"))
        r = c.second;
    else if (IS("MILLISECOND"))
        r = c.second * 1000 + c.micro / 1000;
    else if (IS("MICROSECOND"))
        r = c.second * VELO_MICROS_PER_SEC + c.micro;
    else if (IS("NANOSECOND"))
        r = (c.second * VELO_MICROS_PER_SEC + c.micro) * 1000;
    else if (IS("EPOCH"))
        r = floor_div(us, VELO_MICROS_PER_SEC);
    else
        return velo_error_set(
            err, VELO_ERR_INVALID,
            "EXTRACT does not know the field '%.*s': use YEAR, QUARTER, MONTH, WEEK, DAY, DOW, DOY, "
            "HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, NANOSECOND or EPOCH",
            (int)(field.len > 40 ? 40 : field.len), field.ptr);
#undef IS
    *out = velo_value_i64(r);
    return VELO_OK;
}
