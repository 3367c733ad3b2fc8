/* Scalar SQL functions on boxed values. Strings are UTF-8 and lengths/positions count characters. */
#include "core/functions.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <wctype.h>

#include "core/decimal.h"

static uint32_t utf8_chars(const char *s, uint32_t n) {
    uint32_t c = 0;
    for (uint32_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Byte offset of the character with 0-based index `ch` (n if past the end). */
static uint32_t utf8_offset(const char *s, uint32_t n, uint32_t ch) {
    uint32_t i = 0;
    while (i < n && ch) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        ch--;
    }
    return i;
}

/* Unicode simple case mapping comes from glibc's C.UTF-8 tables (towupper_l): no Debian C library
 * is smaller for this, and hand-made tables would go stale. The locale object is created once and
 * never changes afterwards, so sharing it between cores is safe. */
static locale_t utf8_locale;
static pthread_once_t utf8_locale_once = PTHREAD_ONCE_INIT;
static void utf8_locale_init(void) { utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0); }

/* Decodes one UTF-8 character at s[*i] (advancing *i); invalid bytes come back as themselves. */
static uint32_t utf8_next(const unsigned char *s, uint32_t n, uint32_t *i) {
    uint32_t c = s[*i];
    uint32_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len <= 1 || *i + len > n) {
        (*i)++;
        return len == 1 ? c : 0xFFFFFFFFu;
    }
    uint32_t cp = c & (0x7Fu >> len);
    for (uint32_t k = 1; k < len; k++) {
        if ((s[*i + k] & 0xC0) != 0x80) {
            (*i)++;
            return 0xFFFFFFFFu;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3Fu);
    }
    *i += len;
    return cp;
}

static uint32_t utf8_put(uint32_t cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static velo_status map_case(const velo_value *a, bool upper, velo_arena *arena, velo_value *out,
                            velo_error *err) {
    pthread_once(&utf8_locale_once, utf8_locale_init);
    uint32_t n = a->u.str.len;
    const unsigned char *s = (const unsigned char *)a->u.str.ptr;
    /* a simple case mapping changes a character's UTF-8 length by at most one byte (e.g. U+0131 <-> I) */
    char *p = velo_arena_alloc(arena, 2 * (size_t)n + 1);
    if (!p) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    uint32_t o = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t start = i;
        uint32_t cp = utf8_next(s, n, &i);
        if (cp == 0xFFFFFFFFu) { /* not UTF-8: copy the byte unchanged */
            p[o++] = (char)s[start];
            continue;
        }
        if (cp < 0x80) {
            if (upper && cp >= 'a' && cp <= 'z') cp -= 32;
            if (!upper && cp >= 'A' && cp <= 'Z') cp += 32;
        } else if (utf8_locale) {
            cp =
                (uint32_t)(upper ? towupper_l((wint_t)cp, utf8_locale) : towlower_l((wint_t)cp, utf8_locale));
        }
        o += utf8_put(cp, p + o);
    }
    p[o] = '\0';
    *out = velo_value_str(p, o);
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_upper) { return map_case(&args[0], true, arena, out, err); }
VELO_SCALAR_FN(velo_fn_lower) { return map_case(&args[0], false, arena, out, err); }

VELO_SCALAR_FN(velo_fn_length) {
    *out = velo_value_i64(utf8_chars(args[0].u.str.ptr, args[0].u.str.len));
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_abs) {
    *out = args[0];
    switch (args[0].type.id) {
    case VELO_TYPE_BIGINT:
        if (args[0].u.i64 == INT64_MIN)
            return velo_error_set(err, VELO_ERR_OVERFLOW, "BIGINT overflow: ABS(%lld)",
                                  (long long)args[0].u.i64);
        out->u.i64 = args[0].u.i64 < 0 ? -args[0].u.i64 : args[0].u.i64;
        return VELO_OK;
    case VELO_TYPE_DOUBLE: out->u.f64 = fabs(args[0].u.f64); return VELO_OK;
    case VELO_TYPE_DECIMAL: out->u.dec = args[0].u.dec < 0 ? -args[0].u.dec : args[0].u.dec; return VELO_OK;
    default: return velo_error_set(err, VELO_ERR_CAST, "ABS needs a number");
    }
}

/* ROUND(x [, digits]): half away from zero; a DECIMAL keeps its type (digits beyond the scale
 * are zeros), a DOUBLE stays DOUBLE. */
VELO_SCALAR_FN(velo_fn_round) {
    int64_t digits = nargs > 1 ? args[1].u.i64 : 0;
    switch (args[0].type.id) {
    case VELO_TYPE_BIGINT: *out = args[0]; return VELO_OK;
    case VELO_TYPE_DOUBLE: {
        double f = pow(10.0, (double)digits);
        *out = velo_value_f64(round(args[0].u.f64 * f) / f);
        return VELO_OK;
    }
    case VELO_TYPE_DECIMAL: {
        uint8_t s = args[0].type.scale, p = args[0].type.precision;
        if (digits >= s) {
            *out = args[0];
            return VELO_OK;
        }
        if (digits < 0) digits = 0;
        velo_i128 r;
        velo_status st =
            velo_decimal_rescale(args[0].u.dec, s, VELO_DECIMAL_MAX_PRECISION, (uint8_t)digits, &r, err);
        if (st) return st;
        st = velo_decimal_rescale(r, (uint8_t)digits, p, s, &r, err);
        if (st) return st;
        *out = args[0];
        out->u.dec = r;
        return VELO_OK;
    }
    default: return velo_error_set(err, VELO_ERR_CAST, "ROUND needs a number");
    }
}

VELO_SCALAR_FN(velo_fn_coalesce) {
    for (uint32_t i = 0; i < nargs; i++)
        if (!args[i].is_null) return velo_value_cast(&args[i], result, arena, out, err);
    *out = velo_value_null();
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_nullif) {
    if (args[0].is_null || args[1].is_null) {
        *out = args[0];
        return VELO_OK;
    }
    int c;
    velo_status st = velo_value_compare(&args[0], &args[1], &c, err);
    if (st) return st;
    if (c == 0)
        *out = velo_value_null();
    else
        *out = args[0];
    return VELO_OK;
}

/* CONCAT skips NULL arguments (as PostgreSQL and DuckDB do); `||` does not. */
VELO_SCALAR_FN(velo_fn_concat) {
    velo_str parts[16];
    uint32_t total = 0, np = 0;
    for (uint32_t i = 0; i < nargs && np < 16; i++) {
        if (args[i].is_null) continue;
        velo_status st = velo_value_to_text(&args[i], arena, &parts[np], err);
        if (st) return st;
        total += parts[np++].len;
    }
    char *p = velo_arena_alloc(arena, total + 1);
    if (!p) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    uint32_t off = 0;
    for (uint32_t i = 0; i < np; i++) {
        memcpy(p + off, parts[i].ptr, parts[i].len);
        off += parts[i].len;
    }
    *out = velo_value_str(p, total);
    return VELO_OK;
}

/* SUBSTRING(s, start [, count]): 1-based character positions, as in SQL. */
VELO_SCALAR_FN(velo_fn_substring) {
    const char *s = args[0].u.str.ptr;
    uint32_t n = args[0].u.str.len;
    int64_t start = args[1].u.i64;
    int64_t count = nargs > 2 ? args[2].u.i64 : INT64_MAX / 2;
    if (nargs > 2 && count < 0)
        return velo_error_set(err, VELO_ERR_INVALID, "SUBSTRING length must not be negative");
    int64_t end = start + count; /* exclusive, 1-based */
    if (start < 1) start = 1;
    if (end <= start) {
        *out = velo_value_str("", 0);
        return VELO_OK;
    }
    uint32_t b0 = utf8_offset(s, n, (uint32_t)(start - 1 > UINT32_MAX ? UINT32_MAX : start - 1));
    int64_t len_chars = end - start;
    uint32_t b1 =
        b0 + utf8_offset(s + b0, n - b0, (uint32_t)(len_chars > UINT32_MAX ? UINT32_MAX : len_chars));
    *out = velo_value_str(s + b0, b1 - b0);
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_trim) {
    const char *s = args[0].u.str.ptr;
    uint32_t n = args[0].u.str.len, i = 0;
    while (i < n && s[i] == ' ')
        i++;
    while (n > i && s[n - 1] == ' ')
        n--;
    *out = velo_value_str(s + i, n - i);
    return VELO_OK;
}
