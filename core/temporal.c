/* Calendar conversions and ISO-8601 text (core/temporal.h). The day/civil conversions follow the
 * well-known era-based algorithm for the proleptic Gregorian calendar (public-domain arithmetic,
 * written here from the description: 400-year eras of 146097 days). */
#include "core/temporal.h"

#include <stdio.h>
#include <string.h>

int64_t velo_days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void velo_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, size_t n, size_t at, size_t count, unsigned *out) {
    if (at + count > n) return false;
    unsigned v = 0;
    for (size_t i = 0; i < count; i++) {
        char c = s[at + i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (unsigned)(c - '0');
    }
    *out = v;
    return true;
}

static unsigned days_in_month(int64_t y, unsigned m) {
    static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

static bool parse_ymd(const char *s, size_t n, int64_t *days) {
    unsigned y, m, d;
    if (!digits(s, n, 0, 4, &y) || n < 10 || s[4] != '-' || !digits(s, n, 5, 2, &m) || s[7] != '-' ||
        !digits(s, n, 8, 2, &d))
        return false;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return false;
    *days = velo_days_from_civil(y, m, d);
    return true;
}

bool velo_parse_date(const char *s, size_t n, int32_t *days) {
    while (n && (s[n - 1] == ' '))
        n--;
    while (n && *s == ' ')
        s++, n--;
    int64_t dd;
    if (n != 10 || !parse_ymd(s, n, &dd)) return false;
    *days = (int32_t)dd;
    return true;
}

bool velo_parse_timestamp(const char *s, size_t n, int64_t *micros) {
    while (n && (s[n - 1] == ' '))
        n--;
    while (n && *s == ' ')
        s++, n--;
    int64_t days;
    if (!parse_ymd(s, n, &days)) return false;
    int64_t t = days * VELO_MICROS_PER_DAY;
    size_t i = 10;
    if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
        unsigned hh, mm, ss = 0;
        if (!digits(s, n, i + 1, 2, &hh) || i + 3 >= n || s[i + 3] != ':' || !digits(s, n, i + 4, 2, &mm))
            return false;
        i += 6;
        if (i < n && s[i] == ':') {
            if (!digits(s, n, i + 1, 2, &ss)) return false;
            i += 3;
        }
        if (hh > 23 || mm > 59 || ss > 60) return false;
        t += ((int64_t)hh * 3600 + mm * 60 + ss) * VELO_MICROS_PER_SEC;
        if (i < n && (s[i] == '.' || s[i] == ',')) {
            i++;
            int64_t frac = 0;
            int nd = 0;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (nd < 6) frac = frac * 10 + (s[i] - '0'), nd++;
                i++;
            }
            if (nd == 0) return false;
            while (nd < 6)
                frac *= 10, nd++;
            t += frac;
        }
        if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < n && (s[i] == '+' || s[i] == '-')) {
            int sign = s[i] == '-' ? -1 : 1;
            unsigned oh, om = 0;
            if (!digits(s, n, i + 1, 2, &oh)) return false;
            i += 3;
            if (i < n && s[i] == ':') i++;
            if (i + 2 <= n && digits(s, n, i, 2, &om)) i += 2;
            t -= sign * ((int64_t)oh * 3600 + om * 60) * VELO_MICROS_PER_SEC;
        }
    }
    if (i != n) return false;
    *micros = t;
    return true;
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

/* Writes v as exactly `width` decimal digits (zero-padded; v < 10^width) and advances *p. */
static void put_digits(char **p, uint64_t v, int width) {
    for (int i = width - 1; i >= 0; i--, v /= 10)
        (*p)[i] = (char)('0' + v % 10);
    *p += width;
}

size_t velo_format_timestamp(int64_t micros, char *buf) {
    int64_t days = floor_div(micros, VELO_MICROS_PER_DAY);
    int64_t rem = micros - days * VELO_MICROS_PER_DAY;
    int64_t y;
    unsigned m, d;
    velo_civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / VELO_MICROS_PER_SEC;
    int64_t frac = rem % VELO_MICROS_PER_SEC;
    if (y >= 0 && y <= 9999) { /* the common case by hand (snprintf dominates a sink's encoding) */
        char *p = buf;
        put_digits(&p, (uint64_t)y, 4);
        *p++ = '-';
        put_digits(&p, m, 2);
        *p++ = '-';
        put_digits(&p, d, 2);
        *p++ = 'T';
        put_digits(&p, (uint64_t)(secs / 3600), 2);
        *p++ = ':';
        put_digits(&p, (uint64_t)(secs / 60 % 60), 2);
        *p++ = ':';
        put_digits(&p, (uint64_t)(secs % 60), 2);
        if (frac) {
            *p++ = '.';
            if (frac % 1000 == 0)
                put_digits(&p, (uint64_t)(frac / 1000), 3);
            else
                put_digits(&p, (uint64_t)frac, 6);
        }
        *p++ = 'Z';
        *p = '\0';
        return (size_t)(p - buf);
    }
    int n = snprintf(buf, 40, "%04lld-%02u-%02uT%02u:%02u:%02u", (long long)y, m, d, (unsigned)(secs / 3600),
                     (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
    if (frac) {
        if (frac % 1000 == 0)
            n += snprintf(buf + n, 40 - (size_t)n, ".%03u", (unsigned)(frac / 1000));
        else
            n += snprintf(buf + n, 40 - (size_t)n, ".%06u", (unsigned)frac);
    }
    buf[n++] = 'Z';
    buf[n] = '\0';
    return (size_t)n;
}

size_t velo_format_date(int32_t days, char *buf) {
    int64_t y;
    unsigned m, d;
    velo_civil_from_days(days, &y, &m, &d);
    if (y >= 0 && y <= 9999) {
        char *p = buf;
        put_digits(&p, (uint64_t)y, 4);
        *p++ = '-';
        put_digits(&p, m, 2);
        *p++ = '-';
        put_digits(&p, d, 2);
        *p = '\0';
        return (size_t)(p - buf);
    }
    return (size_t)snprintf(buf, 16, "%04lld-%02u-%02u", (long long)y, m, d);
}

size_t velo_format_interval(velo_interval iv, char *buf) {
    int n = 0;
    n += snprintf(buf + n, 64 - (size_t)n, "P");
    if (iv.months / 12) n += snprintf(buf + n, 64 - (size_t)n, "%dY", iv.months / 12);
    if (iv.months % 12) n += snprintf(buf + n, 64 - (size_t)n, "%dM", iv.months % 12);
    if (iv.days) n += snprintf(buf + n, 64 - (size_t)n, "%dD", iv.days);
    if (iv.micros || (!iv.months && !iv.days)) {
        int64_t us = iv.micros;
        const char *sign = us < 0 ? "-" : "";
        uint64_t a = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
        uint64_t h = a / 3600000000u, mi = a / 60000000u % 60, s = a / 1000000u % 60, f = a % 1000000u;
        n += snprintf(buf + n, 64 - (size_t)n, "T");
        if (h) n += snprintf(buf + n, 64 - (size_t)n, "%s%lluH", sign, (unsigned long long)h);
        if (mi) n += snprintf(buf + n, 64 - (size_t)n, "%s%lluM", sign, (unsigned long long)mi);
        if (s || f || (!h && !mi)) {
            if (f) {
                char fb[8];
                snprintf(fb, sizeof fb, "%06llu", (unsigned long long)f);
                int k = 6;
                while (k > 0 && fb[k - 1] == '0')
                    fb[--k] = '\0';
                n += snprintf(buf + n, 64 - (size_t)n, "%s%llu.%sS", sign, (unsigned long long)s, fb);
            } else {
                n += snprintf(buf + n, 64 - (size_t)n, "%s%lluS", sign, (unsigned long long)s);
            }
        }
    }
    return (size_t)n;
}

bool velo_timestamp_add_interval(int64_t ts, velo_interval iv, int sign, int64_t *out) {
    int64_t t = ts;
    if (iv.months) {
        int64_t days = floor_div(t, VELO_MICROS_PER_DAY);
        int64_t rem = t - days * VELO_MICROS_PER_DAY;
        int64_t y;
        unsigned m, d;
        velo_civil_from_days(days, &y, &m, &d);
        int64_t total = y * 12 + (m - 1) + (int64_t)sign * iv.months;
        y = floor_div(total, 12);
        m = (unsigned)(total - y * 12) + 1;
        unsigned dim = days_in_month(y, m);
        if (d > dim) d = dim;
        t = velo_days_from_civil(y, m, d) * VELO_MICROS_PER_DAY + rem;
    }
    int64_t delta;
    if (__builtin_mul_overflow((int64_t)iv.days, VELO_MICROS_PER_DAY, &delta)) return false;
    if (__builtin_add_overflow(delta, iv.micros, &delta)) return false;
    if (sign < 0) delta = -delta;
    return !__builtin_add_overflow(t, delta, out);
}
