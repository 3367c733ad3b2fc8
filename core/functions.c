/* Scalar SQL functions on boxed values. Strings are UTF-8 and lengths/positions count characters. */
#include "core/functions.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <wctype.h>

#include "core/decimal.h"
#include "core/strbuf.h"
#include "core/utf8.h"

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
        o += velo_utf8_encode(cp, p + o);
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
/* v rounded to a multiple of 10^k (k >= 1), half away from zero; false on overflow. */
static bool round_to_pow10(velo_i128 v, int k, velo_i128 *out) {
    if (k > 38) {
        *out = 0;
        return true;
    }
    velo_i128 step = velo_decimal_pow10(k);
    velo_i128 q = v / step, r = v % step;
    velo_i128 ar = r < 0 ? -r : r;
    if (ar * 2 >= step) q += v < 0 ? -1 : 1;
    return !__builtin_mul_overflow(q, step, out);
}

VELO_SCALAR_FN(velo_fn_round) {
    int64_t digits = nargs > 1 ? args[1].u.i64 : 0;
    if (digits < -38) digits = -39; /* everything rounds to 0 */
    switch (args[0].type.id) {
    case VELO_TYPE_BIGINT: {
        *out = args[0];
        if (digits >= 0) return VELO_OK;
        velo_i128 r;
        if (!round_to_pow10(args[0].u.i64, (int)-digits, &r) || r > INT64_MAX || r < INT64_MIN)
            return velo_error_set(err, VELO_ERR_OVERFLOW, "ROUND(%lld, %lld) does not fit BIGINT",
                                  (long long)args[0].u.i64, (long long)digits);
        out->u.i64 = (int64_t)r;
        return VELO_OK;
    }
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
        /* the result scale: the bound type's (the binder narrows ROUND(x, 2) to scale 2), or
         * max(digits, 0) for a dynamically typed argument; s when digits is not a constant */
        uint8_t rs = result.id == VELO_TYPE_DECIMAL ? result.scale : (uint8_t)(digits < 0 ? 0 : digits);
        if (rs > s || rs < digits) rs = s;
        velo_i128 r;
        /* round the unscaled value to a multiple of 10^(s - digits), then drop the zeros past rs */
        bool ok = round_to_pow10(args[0].u.dec, (int)(s - digits), &r);
        if (ok) r /= velo_decimal_pow10(s - rs);
        if (!ok || velo_decimal_digits(r) > p) {
            char buf[VELO_DECIMAL_STR_MAX];
            velo_decimal_format(args[0].u.dec, s, buf);
            return velo_error_set(err, VELO_ERR_OVERFLOW, "ROUND(%s, %lld) does not fit DECIMAL(%u,%u)", buf,
                                  (long long)digits, p, rs);
        }
        *out = velo_value_dec(r, p, rs);
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

/* CONCAT skips NULL arguments (as PostgreSQL and DuckDB do); `||` does not. CONCAT() is ''.
 * Nested values join as their JSON text. */
VELO_SCALAR_FN(velo_fn_concat) {
    velo_str stack[16], *parts = nargs <= 16 ? stack : velo_arena_alloc(arena, sizeof *parts * nargs);
    if (!parts) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    uint32_t total = 0, np = 0;
    for (uint32_t i = 0; i < nargs; i++) {
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

/* ---- shared argument helpers ---- */

static velo_status nomem(velo_error *err) { return velo_error_set(err, VELO_ERR_NOMEM, "out of memory"); }

/* A VARCHAR argument as a string; a dynamically typed scalar (ANY) is taken as its text. */
static velo_status text_arg(const velo_value *v, velo_arena *arena, velo_str *out, velo_error *err) {
    if (v->type.id == VELO_TYPE_VARCHAR || v->type.id == VELO_TYPE_BYTES) {
        *out = v->u.str;
        return VELO_OK;
    }
    return velo_value_to_text(v, arena, out, err);
}

static velo_status int_arg(const velo_value *v, velo_arena *arena, int64_t *out, velo_error *err) {
    if (v->type.id == VELO_TYPE_BIGINT) {
        *out = v->u.i64;
        return VELO_OK;
    }
    velo_value c;
    velo_status st = velo_value_cast(v, velo_type_make(VELO_TYPE_BIGINT), arena, &c, err);
    if (!st) *out = c.u.i64;
    return st;
}

static velo_status double_arg(const char *fn, const velo_value *v, double *out, velo_error *err) {
    switch (v->type.id) {
    case VELO_TYPE_BIGINT: *out = (double)v->u.i64; return VELO_OK;
    case VELO_TYPE_DOUBLE: *out = v->u.f64; return VELO_OK;
    case VELO_TYPE_DECIMAL: *out = velo_decimal_to_double(v->u.dec, v->type.scale); return VELO_OK;
    default: return velo_error_set(err, VELO_ERR_CAST, "%s needs a number", fn);
    }
}

/* Arguments 0..n-1 must be VARCHAR: a dynamically typed (ANY) value is checked per record. */
static velo_status need_text(const char *fn, const velo_value *args, uint32_t n, velo_error *err) {
    for (uint32_t i = 0; i < n; i++)
        if (!args[i].is_null && args[i].type.id != VELO_TYPE_VARCHAR) {
            char b[32];
            return velo_error_set(err, VELO_ERR_CAST, "%s needs VARCHAR as argument %u, found %s", fn, i + 1,
                                  velo_type_format(args[i].type, b, sizeof b));
        }
    return VELO_OK;
}

static char *arena_cstr(velo_arena *arena, velo_str s) { return velo_arena_strndup(arena, s.ptr, s.len); }

/* Characters are counted, so clamp a BIGINT count to the string's character length. */
static uint32_t clamp_chars(int64_t n, uint32_t max) {
    return n < 0 ? 0u : n > (int64_t)max ? max : (uint32_t)n;
}

/* ---- math ---- */

/* CEIL/FLOOR: on DECIMAL(p,s) the fraction goes and the result is DECIMAL(p-s+1,0) (type_ceil in
 * sql/catalog.c); the quotient by 10^s truncates toward zero, then moves one step if needed. */
static velo_status ceil_floor(const velo_value *a, bool up, velo_value *out, velo_error *err) {
    switch (a->type.id) {
    case VELO_TYPE_BIGINT: *out = *a; return VELO_OK;
    case VELO_TYPE_DOUBLE: *out = velo_value_f64(up ? ceil(a->u.f64) : floor(a->u.f64)); return VELO_OK;
    case VELO_TYPE_DECIMAL: {
        uint8_t s = a->type.scale, p = a->type.precision;
        if (s == 0) {
            *out = *a;
            return VELO_OK;
        }
        velo_i128 f = velo_decimal_pow10(s), q = a->u.dec / f, r = a->u.dec % f;
        if (up && r > 0) q++;
        if (!up && r < 0) q--;
        int rp = p - s + 1;
        *out = velo_value_dec(q, (uint8_t)(rp > VELO_DECIMAL_MAX_PRECISION ? VELO_DECIMAL_MAX_PRECISION : rp),
                              0);
        return VELO_OK;
    }
    default: return velo_error_set(err, VELO_ERR_CAST, "%s needs a number", up ? "CEIL" : "FLOOR");
    }
}

VELO_SCALAR_FN(velo_fn_ceil) { return ceil_floor(&args[0], true, out, err); }
VELO_SCALAR_FN(velo_fn_floor) { return ceil_floor(&args[0], false, out, err); }

/* TRUNCATE(x [, digits]): toward zero; negative digits clear integer digits (TRUNCATE(123, -1) = 120).
 * A DECIMAL keeps its type exactly. */
VELO_SCALAR_FN(velo_fn_truncate) {
    int64_t d = 0;
    if (nargs > 1 && int_arg(&args[1], arena, &d, err)) return VELO_ERR_CAST;
    switch (args[0].type.id) {
    case VELO_TYPE_BIGINT: {
        *out = args[0];
        if (d >= 0) return VELO_OK;
        int64_t f = 1;
        for (int64_t k = 0; k < -d && f <= INT64_MAX / 10; k++)
            f *= 10;
        out->u.i64 = -d >= 19 ? 0 : args[0].u.i64 - args[0].u.i64 % f;
        return VELO_OK;
    }
    case VELO_TYPE_DOUBLE: {
        if (d > 300 || d < -300) {
            *out = velo_value_f64(d > 0 ? args[0].u.f64 : 0.0);
            return VELO_OK;
        }
        double f = pow(10.0, (double)d), x = args[0].u.f64, y = x * f;
        /* a double too large to scale has no fraction digits left to cut */
        *out = velo_value_f64(isfinite(y) ? trunc(y) / f : x);
        return VELO_OK;
    }
    case VELO_TYPE_DECIMAL: {
        int64_t drop = (int64_t)args[0].type.scale - d; /* digits to clear */
        *out = args[0];
        if (drop <= 0) return VELO_OK;
        if (drop > VELO_DECIMAL_MAX_PRECISION) {
            out->u.dec = 0;
            return VELO_OK;
        }
        out->u.dec = args[0].u.dec - args[0].u.dec % velo_decimal_pow10((int)drop);
        return VELO_OK;
    }
    default: return velo_error_set(err, VELO_ERR_CAST, "TRUNCATE needs a number");
    }
}

/* SIGN: BIGINT for BIGINT and DECIMAL, DOUBLE for DOUBLE (as type_sign in sql/catalog.c). */
VELO_SCALAR_FN(velo_fn_sign) {
    switch (args[0].type.id) {
    case VELO_TYPE_BIGINT: *out = velo_value_i64((args[0].u.i64 > 0) - (args[0].u.i64 < 0)); return VELO_OK;
    case VELO_TYPE_DECIMAL: *out = velo_value_i64((args[0].u.dec > 0) - (args[0].u.dec < 0)); return VELO_OK;
    case VELO_TYPE_DOUBLE: {
        double x = args[0].u.f64;
        *out = velo_value_f64(isnan(x) ? x : (double)((x > 0) - (x < 0)));
        return VELO_OK;
    }
    default: return velo_error_set(err, VELO_ERR_CAST, "SIGN needs a number");
    }
}

VELO_SCALAR_FN(velo_fn_mod) {
    velo_value r;
    velo_status st = velo_value_arith(VELO_ARITH_MOD, &args[0], &args[1], result, arena, &r, err);
    if (st || r.is_null || result.id == VELO_TYPE_ANY || velo_type_equal(r.type, result)) return *out = r, st;
    return velo_value_cast(&r, result, arena, out, err); /* the exact type type_mod promised */
}

/* The DOUBLE functions: a result that is not a finite number is a row error, never NaN or Inf. */
static velo_status finite_result(const char *fn, double r, velo_value *out, velo_error *err) {
    if (isnan(r)) return velo_error_set(err, VELO_ERR_INVALID, "%s: argument out of its domain", fn);
    if (isinf(r)) return velo_error_set(err, VELO_ERR_OVERFLOW, "%s: result overflows DOUBLE", fn);
    *out = velo_value_f64(r);
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_power) {
    double a = 0, b = 0;
    velo_status st = double_arg("POWER", &args[0], &a, err);
    if (!st) st = double_arg("POWER", &args[1], &b, err);
    if (st) return st;
    if (a == 0 && b < 0)
        return velo_error_set(err, VELO_ERR_DIV_ZERO, "POWER: zero raised to a negative power");
    if (a < 0 && b != floor(b))
        return velo_error_set(err, VELO_ERR_INVALID,
                              "POWER: a negative number raised to a non-integer power");
    double r = pow(a, b);
    if (isinf(r) && isfinite(a) && isfinite(b))
        return velo_error_set(err, VELO_ERR_OVERFLOW, "POWER(%g, %g) overflows DOUBLE", a, b);
    return finite_result("POWER", r, out, err);
}

VELO_SCALAR_FN(velo_fn_sqrt) {
    double x = 0;
    velo_status st = double_arg("SQRT", &args[0], &x, err);
    if (st) return st;
    if (x < 0) return velo_error_set(err, VELO_ERR_INVALID, "SQRT of a negative number (%g)", x);
    return finite_result("SQRT", sqrt(x), out, err);
}

VELO_SCALAR_FN(velo_fn_exp) {
    double x = 0;
    velo_status st = double_arg("EXP", &args[0], &x, err);
    if (st) return st;
    double r = exp(x);
    if (isinf(r) && isfinite(x)) return velo_error_set(err, VELO_ERR_OVERFLOW, "EXP(%g) overflows DOUBLE", x);
    return finite_result("EXP", r, out, err);
}

static velo_status log_arg(const char *fn, const velo_value *v, double *x, velo_error *err) {
    velo_status st = double_arg(fn, v, x, err);
    if (st) return st;
    if (*x == 0) return velo_error_set(err, VELO_ERR_INVALID, "%s of zero", fn);
    if (*x < 0) return velo_error_set(err, VELO_ERR_INVALID, "%s of a negative number (%g)", fn, *x);
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_ln) {
    double x = 0;
    velo_status st = log_arg("LN", &args[0], &x, err);
    return st ? st : finite_result("LN", log(x), out, err);
}

VELO_SCALAR_FN(velo_fn_log10) {
    double x = 0;
    velo_status st = log_arg("LOG10", &args[0], &x, err);
    return st ? st : finite_result("LOG10", log10(x), out, err);
}

/* LOG(x) is base 10; LOG(base, x) as in PostgreSQL. */
VELO_SCALAR_FN(velo_fn_log) {
    double x = 0, b = 10;
    velo_status st = log_arg("LOG", &args[nargs - 1], &x, err);
    if (!st && nargs > 1) st = log_arg("LOG", &args[0], &b, err);
    if (st) return st;
    if (b == 1) return velo_error_set(err, VELO_ERR_DIV_ZERO, "LOG with base 1");
    return finite_result("LOG", nargs > 1 ? log(x) / log(b) : log10(x), out, err);
}

/* ---- strings ---- */

VELO_SCALAR_FN(velo_fn_ltrim) {
    if (need_text("LTRIM", args, 1, err)) return VELO_ERR_CAST;
    const char *s = args[0].u.str.ptr;
    uint32_t n = args[0].u.str.len, i = 0;
    while (i < n && s[i] == ' ')
        i++;
    *out = velo_value_str(s + i, n - i);
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_rtrim) {
    if (need_text("RTRIM", args, 1, err)) return VELO_ERR_CAST;
    const char *s = args[0].u.str.ptr;
    uint32_t n = args[0].u.str.len;
    while (n && s[n - 1] == ' ')
        n--;
    *out = velo_value_str(s, n);
    return VELO_OK;
}

/* Byte offset of needle in s at or after byte `from`, or -1. */
static int64_t find_bytes(velo_str s, uint32_t from, velo_str needle) {
    if (needle.len == 0) return from <= s.len ? (int64_t)from : -1;
    for (uint32_t i = from; i + needle.len <= s.len; i++)
        if (s.ptr[i] == needle.ptr[0] && memcmp(s.ptr + i, needle.ptr, needle.len) == 0) return i;
    return -1;
}

/* POSITION(needle, s [, start]): 1-based character position, 0 when absent. */
VELO_SCALAR_FN(velo_fn_position) {
    velo_str needle, s;
    int64_t start = 1;
    velo_status st = text_arg(&args[0], arena, &needle, err);
    if (!st) st = text_arg(&args[1], arena, &s, err);
    if (!st && nargs > 2) st = int_arg(&args[2], arena, &start, err);
    if (st) return st;
    uint32_t nchars = utf8_chars(s.ptr, s.len);
    if (start < 1) start = 1;
    if (start - 1 > (int64_t)nchars) {
        *out = velo_value_i64(0);
        return VELO_OK;
    }
    int64_t at = find_bytes(s, utf8_offset(s.ptr, s.len, (uint32_t)(start - 1)), needle);
    *out = velo_value_i64(at < 0 ? 0 : (int64_t)utf8_chars(s.ptr, (uint32_t)at) + 1);
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_replace) {
    if (need_text("REPLACE", args, 3, err)) return VELO_ERR_CAST;
    velo_str s = args[0].u.str, from = args[1].u.str, to = args[2].u.str;
    if (from.len == 0) {
        *out = args[0];
        return VELO_OK;
    }
    uint64_t count = 0;
    for (int64_t at = find_bytes(s, 0, from); at >= 0; at = find_bytes(s, (uint32_t)at + from.len, from))
        count++;
    uint64_t total = s.len + count * to.len - count * from.len;
    if (total > UINT32_MAX)
        return velo_error_set(err, VELO_ERR_OVERFLOW, "REPLACE: result longer than 4 GiB");
    char *p = velo_arena_alloc(arena, total + 1);
    if (!p) return nomem(err);
    uint32_t o = 0, i = 0;
    for (int64_t at = find_bytes(s, 0, from); at >= 0; at = find_bytes(s, i, from)) {
        memcpy(p + o, s.ptr + i, (uint32_t)at - i);
        o += (uint32_t)at - i;
        memcpy(p + o, to.ptr, to.len);
        o += to.len;
        i = (uint32_t)at + from.len;
    }
    memcpy(p + o, s.ptr + i, s.len - i);
    o += s.len - i;
    p[o] = '\0';
    *out = velo_value_str(p, o);
    return VELO_OK;
}

/* CONCAT_WS(sep, ...) (and JOIN): NULL values are skipped; a NULL separator gives NULL (PostgreSQL). */
VELO_SCALAR_FN(velo_fn_concat_ws) {
    if (args[0].is_null) {
        *out = velo_value_null();
        return VELO_OK;
    }
    velo_str sep, part;
    velo_status st = text_arg(&args[0], arena, &sep, err);
    if (st) return st;
    velo_str *parts = velo_arena_alloc(arena, sizeof *parts * nargs);
    if (!parts) return nomem(err);
    uint64_t total = 0;
    uint32_t np = 0;
    for (uint32_t i = 1; i < nargs; i++) {
        if (args[i].is_null) continue;
        if ((st = text_arg(&args[i], arena, &part, err))) return st;
        total += part.len + (np ? sep.len : 0);
        parts[np++] = part;
    }
    if (total > UINT32_MAX)
        return velo_error_set(err, VELO_ERR_OVERFLOW, "CONCAT_WS: result longer than 4 GiB");
    char *p = velo_arena_alloc(arena, total + 1);
    if (!p) return nomem(err);
    uint32_t o = 0;
    for (uint32_t i = 0; i < np; i++) {
        if (i) memcpy(p + o, sep.ptr, sep.len), o += sep.len;
        memcpy(p + o, parts[i].ptr, parts[i].len);
        o += parts[i].len;
    }
    p[o] = '\0';
    *out = velo_value_str(p, o);
    return VELO_OK;
}

/* LEFT(s, n) keeps the first n characters, RIGHT(s, n) the last n; a negative n drops |n| from the
 * other end (PostgreSQL). */
static velo_status take_chars(const velo_value *args, bool left, velo_arena *arena, velo_value *out,
                              velo_error *err) {
    if (need_text(left ? "LEFT" : "RIGHT", args, 1, err)) return VELO_ERR_CAST;
    velo_str s = args[0].u.str;
    int64_t n;
    velo_status st = int_arg(&args[1], arena, &n, err);
    if (st) return st;
    uint32_t chars = utf8_chars(s.ptr, s.len);
    uint32_t keep = n >= 0 ? clamp_chars(n, chars) : clamp_chars((int64_t)chars + n, chars);
    uint32_t b = left ? 0 : utf8_offset(s.ptr, s.len, chars - keep);
    uint32_t e = left ? utf8_offset(s.ptr, s.len, keep) : s.len;
    *out = velo_value_str(s.ptr + b, e - b);
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_left) { return take_chars(args, true, arena, out, err); }
VELO_SCALAR_FN(velo_fn_right) { return take_chars(args, false, arena, out, err); }

/* Padding targets are capped so one row cannot ask for gigabytes. */
#define PAD_MAX_CHARS (1u << 20)

/* LPAD/RPAD(s, n [, fill]): exactly n characters: s cut to n, or filled with repeats of fill
 * (PostgreSQL); an empty fill leaves a short s as it is. */
static velo_status pad(const velo_value *args, uint32_t nargs, bool left, velo_arena *arena, velo_value *out,
                       velo_error *err) {
    velo_str s = args[0].u.str, fill = {" ", 1};
    int64_t n;
    velo_status st = need_text(left ? "LPAD" : "RPAD", args, 1, err);
    if (!st) st = int_arg(&args[1], arena, &n, err);
    if (!st && nargs > 2) st = text_arg(&args[2], arena, &fill, err);
    if (st) return st;
    if (n > PAD_MAX_CHARS)
        return velo_error_set(err, VELO_ERR_INVALID, "%s length %lld is larger than the limit %u",
                              left ? "LPAD" : "RPAD", (long long)n, PAD_MAX_CHARS);
    uint32_t want = n < 0 ? 0 : (uint32_t)n, chars = utf8_chars(s.ptr, s.len);
    if (chars >= want || fill.len == 0) {
        *out = velo_value_str(s.ptr, utf8_offset(s.ptr, s.len, want < chars ? want : chars));
        return VELO_OK;
    }
    uint32_t fill_chars = utf8_chars(fill.ptr, fill.len), missing = want - chars;
    char *p = velo_arena_alloc(arena, (size_t)s.len + (size_t)(missing / fill_chars + 1) * fill.len + 1);
    if (!p) return nomem(err);
    uint32_t o = 0;
    if (!left) memcpy(p, s.ptr, s.len), o = s.len;
    for (uint32_t k = 0; k < missing;) {
        uint32_t take = missing - k < fill_chars ? missing - k : fill_chars;
        uint32_t b = utf8_offset(fill.ptr, fill.len, take);
        memcpy(p + o, fill.ptr, b);
        o += b;
        k += take;
    }
    if (left) memcpy(p + o, s.ptr, s.len), o += s.len;
    p[o] = '\0';
    *out = velo_value_str(p, o);
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_lpad) { return pad(args, nargs, true, arena, out, err); }
VELO_SCALAR_FN(velo_fn_rpad) { return pad(args, nargs, false, arena, out, err); }

/* Fields of s split at delim; an empty delim leaves s whole; an empty s has no fields. Writes up
 * to `max` fields into f (if not NULL) and returns the number of fields. */
static uint32_t split_fields(velo_str s, velo_str delim, velo_str *f, uint32_t max) {
    if (s.len == 0) return 0;
    uint32_t n = 0, i = 0;
    int64_t at;
    while (delim.len && (at = find_bytes(s, i, delim)) >= 0) {
        if (f && n < max) f[n] = (velo_str){s.ptr + i, (uint32_t)at - i};
        n++;
        i = (uint32_t)at + delim.len;
    }
    if (f && n < max) f[n] = (velo_str){s.ptr + i, s.len - i};
    return n + 1;
}

/* SPLIT_PART(s, delim, n): 1-based; a negative n counts from the end; '' past the end and for n = 0
 * (as DuckDB and the original Velostream answer; PostgreSQL raises an error). */
VELO_SCALAR_FN(velo_fn_split_part) {
    if (need_text("SPLIT_PART", args, 2, err)) return VELO_ERR_CAST;
    velo_str s = args[0].u.str, delim = args[1].u.str;
    int64_t n;
    velo_status st = int_arg(&args[2], arena, &n, err);
    if (st) return st;
    uint32_t count = split_fields(s, delim, NULL, 0);
    int64_t idx = n > 0 ? n - 1 : (int64_t)count + n;
    if (n == 0 || idx < 0 || idx >= count) {
        *out = velo_value_str("", 0);
        return VELO_OK;
    }
    velo_str *f = velo_arena_alloc(arena, sizeof *f * count);
    if (!f) return nomem(err);
    split_fields(s, delim, f, count);
    *out = velo_value_str(f[idx].ptr, f[idx].len);
    return VELO_OK;
}

static velo_value nested_value(velo_type_id id, velo_value *items, velo_str *names, uint32_t count) {
    velo_value v;
    v.type = velo_type_make(id);
    v.is_null = false;
    v.u.nested.items = items;
    v.u.nested.names = names;
    v.u.nested.count = count;
    return v;
}

/* SPLIT(s, delim) -> LIST of VARCHAR ('' gives an empty list, as string_to_array does). */
VELO_SCALAR_FN(velo_fn_split) {
    if (need_text("SPLIT", args, 2, err)) return VELO_ERR_CAST;
    velo_str s = args[0].u.str, delim = args[1].u.str;
    uint32_t count = split_fields(s, delim, NULL, 0);
    velo_str *f = velo_arena_alloc(arena, sizeof *f * (count + 1));
    velo_value *items = velo_arena_alloc(arena, sizeof *items * (count + 1));
    if (!f || !items) return nomem(err);
    split_fields(s, delim, f, count);
    for (uint32_t i = 0; i < count; i++)
        items[i] = velo_value_str(f[i].ptr, f[i].len);
    *out = nested_value(VELO_TYPE_LIST, items, NULL, count);
    return VELO_OK;
}

/* REVERSE: by characters, so multi-byte UTF-8 sequences stay intact. */
VELO_SCALAR_FN(velo_fn_reverse) {
    if (need_text("REVERSE", args, 1, err)) return VELO_ERR_CAST;
    velo_str s = args[0].u.str;
    char *p = velo_arena_alloc(arena, (size_t)s.len + 1);
    if (!p) return nomem(err);
    uint32_t o = s.len;
    for (uint32_t i = 0; i < s.len;) {
        uint32_t start = i;
        i++;
        while (i < s.len && ((unsigned char)s.ptr[i] & 0xC0) == 0x80)
            i++;
        o -= i - start;
        memcpy(p + o, s.ptr + start, i - start);
    }
    p[s.len] = '\0';
    *out = velo_value_str(p, s.len);
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_starts_with) {
    if (need_text("STARTS_WITH", args, 2, err)) return VELO_ERR_CAST;
    velo_str s = args[0].u.str, prefix = args[1].u.str;
    *out = velo_value_bool(prefix.len <= s.len && memcmp(s.ptr, prefix.ptr, prefix.len) == 0);
    return VELO_OK;
}

/* ---- regular expressions: POSIX extended (regcomp/regexec) ----
 * They run under the C.UTF-8 locale of this thread (uselocale), so `.` and bracket expressions
 * match whole characters. The function signature has no per-call-site state, so the pattern is
 * compiled on every call: correct, but a cache belongs in the expression node later. */

typedef struct regex_call {
    regex_t re;
    locale_t saved;
    char *subject;
} regex_call;

static velo_status regex_flags(const char *fn, const velo_value *v, velo_arena *arena, bool allow_g,
                               int *cflags, bool *global, velo_error *err) {
    velo_str f;
    velo_status st = text_arg(v, arena, &f, err);
    if (st) return st;
    for (uint32_t i = 0; i < f.len; i++) {
        if (f.ptr[i] == 'i')
            *cflags |= REG_ICASE;
        else if (f.ptr[i] == 'g' && allow_g)
            *global = true;
        else if (f.ptr[i] != 'c')
            return velo_error_set(err, VELO_ERR_INVALID, "%s does not know the flag '%c': use %s", fn,
                                  f.ptr[i],
                                  allow_g ? "'g' (all matches), 'i' (ignore case), 'c' (case-sensitive)"
                                          : "'i' (ignore case), 'c' (case-sensitive)");
    }
    return VELO_OK;
}

/* Compiles the pattern; on success the caller must call regex_end. */
static velo_status regex_begin(regex_call *rc, velo_str subject, velo_str pattern, int cflags,
                               velo_arena *arena, velo_error *err) {
    char *pat = arena_cstr(arena, pattern);
    rc->subject = arena_cstr(arena, subject);
    if (!pat || !rc->subject) return nomem(err);
    pthread_once(&utf8_locale_once, utf8_locale_init);
    rc->saved = utf8_locale ? uselocale(utf8_locale) : (locale_t)0;
    int rcode = regcomp(&rc->re, pat, REG_EXTENDED | cflags);
    if (rcode != 0) {
        char why[256];
        regerror(rcode, &rc->re, why, sizeof why);
        if (rc->saved) uselocale(rc->saved);
        return velo_error_set(err, VELO_ERR_INVALID, "invalid regular expression '%s': %s", pat, why);
    }
    return VELO_OK;
}

static void regex_end(regex_call *rc) {
    regfree(&rc->re);
    if (rc->saved) uselocale(rc->saved);
}

VELO_SCALAR_FN(velo_fn_regexp_matches) {
    if (need_text("REGEXP_MATCHES", args, 2, err)) return VELO_ERR_CAST;
    int cflags = REG_NOSUB;
    bool global = false;
    regex_call rc;
    velo_status st =
        nargs > 2 ? regex_flags("REGEXP_MATCHES", &args[2], arena, false, &cflags, &global, err) : 0;
    if (!st) st = regex_begin(&rc, args[0].u.str, args[1].u.str, cflags, arena, err);
    if (st) return st;
    bool hit = regexec(&rc.re, rc.subject, 0, NULL, 0) == 0;
    regex_end(&rc);
    *out = velo_value_bool(hit);
    return VELO_OK;
}

/* The replacement with \0..\9 replaced by the (sub)match and \\ by a backslash. */
static void append_replacement(velo_strbuf *b, velo_str repl, const char *subject, const regmatch_t *m) {
    for (uint32_t i = 0; i < repl.len; i++) {
        char c = repl.ptr[i];
        if (c == '\\' && i + 1 < repl.len && repl.ptr[i + 1] >= '0' && repl.ptr[i + 1] <= '9') {
            const regmatch_t *g = &m[repl.ptr[++i] - '0'];
            if (g->rm_so >= 0) velo_strbuf_append(b, subject + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
        } else if (c == '\\' && i + 1 < repl.len && repl.ptr[i + 1] == '\\') {
            velo_strbuf_putc(b, '\\');
            i++;
        } else {
            velo_strbuf_putc(b, c);
        }
    }
}

/* REGEXP_REPLACE(s, pattern, replacement [, flags]): the first match, or all with 'g'. */
VELO_SCALAR_FN(velo_fn_regexp_replace) {
    if (need_text("REGEXP_REPLACE", args, 3, err)) return VELO_ERR_CAST;
    int cflags = 0;
    bool global = false;
    regex_call rc;
    velo_status st =
        nargs > 3 ? regex_flags("REGEXP_REPLACE", &args[3], arena, true, &cflags, &global, err) : 0;
    if (!st) st = regex_begin(&rc, args[0].u.str, args[1].u.str, cflags, arena, err);
    if (st) return st;
    velo_strbuf b;
    velo_strbuf_init(&b);
    const char *s = rc.subject;
    size_t n = args[0].u.str.len, i = 0;
    regmatch_t m[10];
    while (i <= n && regexec(&rc.re, s + i, 10, m, i ? REG_NOTBOL : 0) == 0) {
        for (int k = 0; k < 10; k++)
            if (m[k].rm_so >= 0) m[k].rm_so += (regoff_t)i, m[k].rm_eo += (regoff_t)i;
        velo_strbuf_append(&b, s + i, (size_t)m[0].rm_so - i);
        append_replacement(&b, args[2].u.str, s, m);
        i = (size_t)m[0].rm_eo;
        if (m[0].rm_eo == m[0].rm_so) { /* an empty match: keep the next character and move past it */
            if (i >= n) {
                i = n + 1;
                break;
            }
            size_t next = i + 1;
            while (next < n && ((unsigned char)s[next] & 0xC0) == 0x80)
                next++;
            velo_strbuf_append(&b, s + i, next - i);
            i = next;
        }
        if (!global) break;
    }
    if (i < n) velo_strbuf_append(&b, s + i, n - i);
    regex_end(&rc);
    char *p = velo_arena_strndup(arena, b.data ? b.data : "", b.len);
    uint32_t len = (uint32_t)b.len;
    velo_strbuf_free(&b);
    if (!p) return nomem(err);
    *out = velo_value_str(p, len);
    return VELO_OK;
}

/* ---- conditional ---- */

/* The result in the call's static type (the common type the catalog chose), or as it is when the
 * type is only known per record (ANY). */
static velo_status as_result(const velo_value *v, velo_type result, velo_arena *arena, velo_value *out,
                             velo_error *err) {
    if (v->is_null || result.id == VELO_TYPE_ANY || result.id == VELO_TYPE_NULL) {
        *out = *v;
        return VELO_OK;
    }
    return velo_value_cast(v, result, arena, out, err);
}

/* GREATEST/LEAST skip NULLs (PostgreSQL); all NULL gives NULL. */
static velo_status extreme(const velo_value *args, uint32_t nargs, int want, velo_type result,
                           velo_arena *arena, velo_value *out, velo_error *err) {
    const velo_value *best = NULL;
    for (uint32_t i = 0; i < nargs; i++) {
        if (args[i].is_null) continue;
        int c = 0;
        if (best) {
            velo_status st = velo_value_compare(&args[i], best, &c, err);
            if (st) return st;
        }
        if (!best || c == want) best = &args[i];
    }
    if (!best) {
        *out = velo_value_null();
        return VELO_OK;
    }
    return as_result(best, result, arena, out, err);
}

VELO_SCALAR_FN(velo_fn_greatest) { return extreme(args, nargs, 1, result, arena, out, err); }
VELO_SCALAR_FN(velo_fn_least) { return extreme(args, nargs, -1, result, arena, out, err); }

/* IF(cond, a, b): a NULL condition counts as false, as in CASE WHEN. */
VELO_SCALAR_FN(velo_fn_if) {
    bool yes = !args[0].is_null && args[0].type.id == VELO_TYPE_BOOLEAN && args[0].u.b;
    if (!args[0].is_null && args[0].type.id != VELO_TYPE_BOOLEAN)
        return velo_error_set(err, VELO_ERR_CAST, "IF needs a BOOLEAN condition");
    return as_result(&args[yes ? 1 : 2], result, arena, out, err);
}

/* ---- collections: LIST, MAP and STRUCT values are boxed (core/value.h) ---- */

static velo_status copy_items(const velo_value *args, uint32_t nargs, velo_arena *arena, velo_value **items,
                              velo_error *err) {
    *items = velo_arena_alloc(arena, sizeof **items * (nargs ? nargs : 1));
    if (!*items) return nomem(err);
    if (nargs) memcpy(*items, args, sizeof **items * nargs);
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_array) {
    velo_value *items;
    velo_status st = copy_items(args, nargs, arena, &items, err);
    if (!st) *out = nested_value(VELO_TYPE_LIST, items, NULL, nargs);
    return st;
}

/* MAP(k1, v1, ...): keys are kept as text; a NULL key is a row error. */
VELO_SCALAR_FN(velo_fn_map) {
    uint32_t n = nargs / 2;
    velo_value *items = velo_arena_alloc(arena, sizeof *items * (n ? n : 1));
    velo_str *names = velo_arena_alloc(arena, sizeof *names * (n ? n : 1));
    if (!items || !names) return nomem(err);
    for (uint32_t i = 0; i < n; i++) {
        if (args[2 * i].is_null) return velo_error_set(err, VELO_ERR_INVALID, "MAP key %u is NULL", i + 1);
        velo_status st = text_arg(&args[2 * i], arena, &names[i], err);
        if (st) return st;
        items[i] = args[2 * i + 1];
    }
    *out = nested_value(VELO_TYPE_MAP, items, names, n);
    return VELO_OK;
}

/* STRUCT(x, ...): the call cannot see the argument names, so fields are named col1, col2, ... */
VELO_SCALAR_FN(velo_fn_struct) {
    velo_value *items;
    velo_str *names = velo_arena_alloc(arena, sizeof *names * (nargs ? nargs : 1));
    velo_status st = names ? copy_items(args, nargs, arena, &items, err) : nomem(err);
    if (st) return st;
    for (uint32_t i = 0; i < nargs; i++) {
        char buf[16];
        int len = snprintf(buf, sizeof buf, "col%u", i + 1);
        names[i].ptr = velo_arena_strndup(arena, buf, (size_t)len);
        names[i].len = (uint32_t)len;
        if (!names[i].ptr) return nomem(err);
    }
    *out = nested_value(VELO_TYPE_STRUCT, items, names, nargs);
    return VELO_OK;
}

/* A MAP argument may also be a STRUCT with named fields (a JSON object read into an ANY column):
 * its field names are the keys. */
static velo_status need_nested(const char *fn, const velo_value *v, velo_type_id id, velo_error *err) {
    if (v->type.id == id) return VELO_OK;
    if (id == VELO_TYPE_MAP && v->type.id == VELO_TYPE_STRUCT && (v->u.nested.names || !v->u.nested.count))
        return VELO_OK;
    return velo_error_set(err, VELO_ERR_CAST, "%s needs a %s", fn,
                          id == VELO_TYPE_LIST ? "LIST" : "MAP (or a STRUCT, a JSON object)");
}

VELO_SCALAR_FN(velo_fn_array_length) {
    velo_status st = need_nested("ARRAY_LENGTH", &args[0], VELO_TYPE_LIST, err);
    if (!st) *out = velo_value_i64(args[0].u.nested.count);
    return st;
}

/* ARRAY_CONTAINS(list, x): TRUE if an element equals x; NULL (unknown) when none does but an element
 * is NULL, as x IN (...) answers. Elements that cannot be compared with x are not equal to it. */
VELO_SCALAR_FN(velo_fn_array_contains) {
    velo_status st = need_nested("ARRAY_CONTAINS", &args[0], VELO_TYPE_LIST, err);
    if (st) return st;
    bool saw_null = false;
    for (uint32_t i = 0; i < args[0].u.nested.count; i++) {
        const velo_value *e = &args[0].u.nested.items[i];
        if (e->is_null) {
            saw_null = true;
            continue;
        }
        int c;
        velo_error ignored;
        if (velo_value_compare(e, &args[1], &c, &ignored) == VELO_OK && c == 0) {
            *out = velo_value_bool(true);
            return VELO_OK;
        }
    }
    *out = saw_null ? velo_value_null() : velo_value_bool(false);
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_map_keys) {
    velo_status st = need_nested("MAP_KEYS", &args[0], VELO_TYPE_MAP, err);
    if (st) return st;
    uint32_t n = args[0].u.nested.count;
    velo_value *items = velo_arena_alloc(arena, sizeof *items * (n ? n : 1));
    if (!items) return nomem(err);
    for (uint32_t i = 0; i < n; i++)
        items[i] = velo_value_str(args[0].u.nested.names[i].ptr, args[0].u.nested.names[i].len);
    *out = nested_value(VELO_TYPE_LIST, items, NULL, n);
    return VELO_OK;
}

/* Kafka headers: the binder appends the record's _headers MAP as the last argument (HEADER('h')
 * -> HEADER('h', _headers)). A record without that column (not a Kafka source) has no headers. */
static const velo_value *header_find(const velo_value *headers, velo_str name) {
    if (headers->is_null || headers->type.id != VELO_TYPE_MAP || !headers->u.nested.names) return NULL;
    for (uint32_t i = 0; i < headers->u.nested.count; i++)
        if (headers->u.nested.names[i].len == name.len &&
            !memcmp(headers->u.nested.names[i].ptr, name.ptr, name.len))
            return &headers->u.nested.items[i];
    return NULL;
}

VELO_SCALAR_FN(velo_fn_header) {
    velo_str name;
    velo_status st = text_arg(&args[0], arena, &name, err);
    if (st) return st;
    const velo_value *h = nargs > 1 ? header_find(&args[nargs - 1], name) : NULL;
    *out = h && !h->is_null ? velo_value_str(h->u.str.ptr, h->u.str.len) : velo_value_null();
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_has_header) {
    velo_str name;
    velo_status st = text_arg(&args[0], arena, &name, err);
    if (st) return st;
    *out = velo_value_bool(nargs > 1 && header_find(&args[nargs - 1], name) != NULL);
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_header_keys) {
    const velo_value *h = nargs ? &args[nargs - 1] : NULL;
    uint32_t n = h && !h->is_null && h->type.id == VELO_TYPE_MAP && h->u.nested.names ? h->u.nested.count : 0;
    velo_value *items = velo_arena_alloc(arena, sizeof *items * (n ? n : 1));
    if (!items) return nomem(err);
    for (uint32_t i = 0; i < n; i++)
        items[i] = velo_value_str(h->u.nested.names[i].ptr, h->u.nested.names[i].len);
    *out = nested_value(VELO_TYPE_LIST, items, NULL, n);
    return VELO_OK;
}

/* SET_HEADER / REMOVE_HEADER: a new headers MAP, the last argument's (the record's _headers, or the
 * headers passed) with `name` set or removed. Names are case-sensitive, as Kafka's. SET keeps the
 * place of the first header of that name and drops its repeats, or appends; a NULL value is a
 * header without value. A NULL name changes nothing. */
static velo_status header_edit(const velo_value *name_arg, const velo_value *value, const velo_value *h,
                               velo_arena *arena, velo_value *out, velo_error *err) {
    uint32_t n = h && !h->is_null && h->type.id == VELO_TYPE_MAP && h->u.nested.names ? h->u.nested.count : 0;
    velo_value *items = velo_arena_alloc(arena, sizeof *items * (n + 1));
    velo_str *names = velo_arena_alloc(arena, sizeof *names * (n + 1));
    if (!items || !names) return nomem(err);
    velo_str name = {0};
    if (!name_arg->is_null) {
        velo_status st = text_arg(name_arg, arena, &name, err);
        if (st) return st;
    }
    velo_value v = velo_value_null();
    v.type = velo_type_make(VELO_TYPE_VARCHAR);
    if (value && !value->is_null) {
        velo_str t;
        velo_status st = text_arg(value, arena, &t, err);
        if (st) return st;
        v = velo_value_str(t.ptr, t.len);
    }
    uint32_t k = 0;
    bool placed = false;
    for (uint32_t i = 0; i < n; i++) {
        const velo_str *hn = &h->u.nested.names[i];
        if (!name_arg->is_null && hn->len == name.len && !memcmp(hn->ptr, name.ptr, name.len)) {
            if (value && !placed) names[k] = name, items[k++] = v, placed = true;
            continue;
        }
        names[k] = *hn;
        items[k++] = h->u.nested.items[i];
    }
    if (value && !placed && !name_arg->is_null) names[k] = name, items[k++] = v;
    *out = nested_value(VELO_TYPE_MAP, items, names, k);
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_set_header) {
    return header_edit(&args[0], &args[1], nargs > 2 ? &args[2] : NULL, arena, out, err);
}

VELO_SCALAR_FN(velo_fn_remove_header) {
    return header_edit(&args[0], NULL, nargs > 1 ? &args[1] : NULL, arena, out, err);
}

VELO_SCALAR_FN(velo_fn_map_values) {
    velo_status st = need_nested("MAP_VALUES", &args[0], VELO_TYPE_MAP, err);
    if (st) return st;
    velo_value *items;
    st = copy_items(args[0].u.nested.items, args[0].u.nested.count, arena, &items, err);
    if (!st) *out = nested_value(VELO_TYPE_LIST, items, NULL, args[0].u.nested.count);
    return st;
}
