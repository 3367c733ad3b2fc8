/* Format registry and the pieces every text format shares (connectors/formats/format.h and
 * format_internal.h): value encoders, text -> value parsers and type inference. Keeping them in
 * one place is what makes CSV and JSON lines read and print a value the same way. */
#include "connectors/formats/format.h"

#include <math.h>
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connectors/formats/format_internal.h"
#include "core/decimal.h"
#include "core/json_text.h"
#include "core/temporal.h"
#include "core/utf8.h"

const velo_format_ops *velo_format_lookup(const char *name) {
    if (!name) return NULL;
    if (strcasecmp(name, "csv") == 0) return &velo_csv_format_ops;
    if (strcasecmp(name, "jsonl") == 0 || strcasecmp(name, "json") == 0) return &velo_jsonl_format_ops;
    return NULL;
}

/* ---- UTF-8 ---- */

uint32_t velo_fmt_utf8_seq(const unsigned char *s, uint32_t n) { return velo_utf8_seq(s, n); }

bool velo_fmt_utf8_valid(const char *s, uint32_t n, uint32_t *bad_at) {
    const unsigned char *u = (const unsigned char *)s;
    uint32_t i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t k = velo_fmt_utf8_seq(u + i, n - i);
        if (!k) {
            if (bad_at) *bad_at = i;
            return false;
        }
        i += k;
    }
    return true;
}

/* ---- text -> values ---- */

static void trim(const char **s, uint32_t *n) {
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

velo_num_kind velo_fmt_number(const char *s, uint32_t n, velo_num_info *out) {
    memset(out, 0, sizeof *out);
    trim(&s, &n);
    uint32_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    uint32_t d0 = i;
    uint64_t mag = 0;
    bool too_big = false;
    int sig = 0;
    for (; i < n && is_digit(s[i]); i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (sig || d) sig++;
        if (mag > (UINT64_MAX - d) / 10)
            too_big = true;
        else
            mag = mag * 10 + d;
    }
    if (i == d0) return VELO_NUM_NONE;
    int frac = 0;
    if (i < n && s[i] == '.') {
        uint32_t f0 = ++i;
        while (i < n && is_digit(s[i]))
            i++;
        frac = (int)(i - f0);
        if (frac == 0) return VELO_NUM_NONE;
    }
    bool has_exp = false;
    long ex = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int esign = 1;
        if (i < n && (s[i] == '+' || s[i] == '-')) esign = s[i++] == '-' ? -1 : 1;
        uint32_t e0 = i;
        for (; i < n && is_digit(s[i]); i++)
            if (ex < 1000000) ex = ex * 10 + (s[i] - '0'); /* clamped: only its size matters */
        if (i == e0) return VELO_NUM_NONE;
        ex *= esign;
        has_exp = true;
    }
    if (i != n) return VELO_NUM_NONE;
    long scale = (long)frac - ex;
    out->scale = scale < 0 ? 0 : scale > 1000000 ? 1000000 : (int)scale;
    out->int_digits = sig;
    out->kind = has_exp ? VELO_NUM_EXP : frac ? VELO_NUM_FRAC : VELO_NUM_INT;
    if (out->kind == VELO_NUM_INT && !too_big) {
        if (!neg && mag <= (uint64_t)INT64_MAX) {
            out->fits_i64 = true;
            out->i64 = (int64_t)mag;
        } else if (neg && mag <= (uint64_t)INT64_MAX + 1) {
            out->fits_i64 = true;
            out->i64 = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
        }
    }
    return out->kind;
}

/* A plain number [+-]digits[.digits] (already trimmed) of at most 18 digits: its digits as one
 * integer (*mant), the fraction digits (*frac), the integer digits without leading zeros
 * (*int_digits) and the sign. False for anything else (the general path decides). */
static bool plain_number(const char *s, uint32_t n, uint64_t *mant, uint32_t *frac, uint32_t *int_digits,
                         bool *neg) {
    uint32_t i = 0;
    *neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) *neg = s[i++] == '-';
    uint32_t d0 = i;
    uint64_t v = 0;
    while (i < n && is_digit(s[i]))
        v = v * 10 + (uint64_t)(s[i++] - '0');
    uint32_t nint = i - d0, nfrac = 0;
    if (!nint || nint > 18) return false;
    uint32_t lead = 0;
    while (lead < nint && s[d0 + lead] == '0')
        lead++;
    if (i < n && s[i] == '.') {
        uint32_t f0 = ++i;
        while (i < n && is_digit(s[i]) && i - f0 < 19)
            v = v * 10 + (uint64_t)(s[i++] - '0');
        nfrac = i - f0;
        if (!nfrac) return false;
    }
    if (i != n || nint + nfrac > 18) return false;
    *mant = v;
    *frac = nfrac;
    *int_digits = nint - lead;
    return true;
}

static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static bool word_is(const char *s, uint32_t n, const char *w) {
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

bool velo_fmt_parse_bool(const char *s, uint32_t n, bool *out) {
    trim(&s, &n);
    if (word_is(s, n, "true")) return *out = true, true;
    if (word_is(s, n, "false")) return *out = false, true;
    return false;
}

bool velo_fmt_parse_i64(const char *s, uint32_t n, int64_t *out) {
    velo_num_info ni;
    if (velo_fmt_number(s, n, &ni) != VELO_NUM_INT || !ni.fits_i64) return false;
    *out = ni.i64;
    return true;
}

bool velo_fmt_parse_double(const char *s, uint32_t n, double *out) {
    trim(&s, &n);
    uint64_t mant;
    uint32_t frac, nint;
    bool neg;
    if (plain_number(s, n, &mant, &frac, &nint, &neg) && mant <= (1ull << 53)) {
        /* both operands exact doubles: one IEEE division rounds correctly, as strtod does
         * (Clinger's fast path) */
        double d = (double)mant / exact_pow10[frac];
        *out = neg ? -d : d;
        return true;
    }
    if (word_is(s, n, "NaN")) return *out = NAN, true;
    if (word_is(s, n, "Infinity") || word_is(s, n, "+Infinity")) return *out = INFINITY, true;
    if (word_is(s, n, "-Infinity")) return *out = -INFINITY, true;
    velo_num_info ni;
    if (velo_fmt_number(s, n, &ni) == VELO_NUM_NONE) return false;
    char stack[128];
    char *z = n < sizeof stack ? stack : mi_malloc(n + 1); /* strtod wants a terminated string */
    if (!z) return false;
    memcpy(z, s, n);
    z[n] = '\0';
    double d = strtod(z, NULL);
    if (z != stack) mi_free(z);
    if (isinf(d)) return false; /* overflow: the text is not a DOUBLE */
    *out = d;
    return true;
}

bool velo_fmt_timestamp_in_range(int64_t micros) {
    int64_t lo = velo_days_from_civil(0, 1, 1) * VELO_MICROS_PER_DAY;
    int64_t hi = velo_days_from_civil(10000, 1, 1) * VELO_MICROS_PER_DAY;
    return micros >= lo && micros < hi;
}

bool velo_fmt_parse_timestamp(const char *s, uint32_t n, int64_t *out) {
    trim(&s, &n);
    int64_t t;
    if (!velo_parse_timestamp(s, n, &t) || !velo_fmt_timestamp_in_range(t)) return false;
    *out = t;
    return true;
}

velo_fmt_dec_result velo_fmt_parse_decimal(const char *s, uint32_t n, velo_type t, velo_i128 *out) {
    trim(&s, &n);
    uint64_t mant;
    uint32_t frac, nint;
    bool neg;
    if (plain_number(s, n, &mant, &frac, &nint, &neg) && frac <= t.scale &&
        nint <= (uint32_t)(t.precision - t.scale)) { /* exact in 64 bits, then scaled */
        velo_i128 x = neg ? -(velo_i128)mant : (velo_i128)mant;
        for (uint32_t up = t.scale - frac; up; up--)
            x *= 10;
        *out = x;
        return VELO_FMT_DEC_OK;
    }
    velo_num_info ni;
    if (velo_fmt_number(s, n, &ni) == VELO_NUM_NONE) return VELO_FMT_DEC_BAD;
    if (ni.scale > t.scale) return VELO_FMT_DEC_SCALE;
    if (velo_decimal_parse_as(s, n, t.precision, t.scale, out, NULL) != VELO_OK) return VELO_FMT_DEC_OVERFLOW;
    return VELO_FMT_DEC_OK;
}

void velo_fmt_base64_encode(const unsigned char *s, uint32_t n, velo_strbuf *out) {
    velo_base64_encode(s, n, out);
}

static int b64_digit(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

bool velo_fmt_base64_decode(const char *s, uint32_t n, unsigned char *out, uint32_t *out_len) {
    if (n % 4) return false;
    uint32_t o = 0;
    for (uint32_t i = 0; i < n; i += 4) {
        bool last = i + 4 == n;
        int pad = last ? (s[i + 3] == '=') + (s[i + 2] == '=' && s[i + 3] == '=') : 0;
        uint32_t v = 0;
        for (int k = 0; k < 4; k++) {
            int d = k >= 4 - pad ? 0 : b64_digit(s[i + k]);
            if (d < 0) return false;
            v = v << 6 | (uint32_t)d;
        }
        out[o++] = (unsigned char)(v >> 16);
        if (pad < 2) out[o++] = (unsigned char)(v >> 8);
        if (pad < 1) out[o++] = (unsigned char)v;
    }
    *out_len = o;
    return true;
}

const char *velo_fmt_excerpt(const char *s, uint32_t n, char *buf, uint32_t size) {
    uint32_t max = size > 64 ? 60 : size - 4;
    uint32_t k = n > max ? max : n;
    while (k < n && k > 0 && (((unsigned char)s[k] & 0xC0) == 0x80))
        k--; /* do not cut a character */
    for (uint32_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    if (k < n) memcpy(buf + k, "...", 3), k += 3;
    buf[k] = '\0';
    return buf;
}

/* ---- inference ---- */

void velo_fmt_infer_number(velo_fmt_infer_col *c, const velo_num_info *ni) {
    switch (ni->kind) {
    case VELO_NUM_INT: c->seen |= VELO_SEEN_INT; break;
    case VELO_NUM_FRAC: c->seen |= VELO_SEEN_FRAC; break;
    case VELO_NUM_EXP: c->seen |= VELO_SEEN_EXP; return;
    case VELO_NUM_NONE: return;
    }
    if (ni->kind == VELO_NUM_INT && !ni->fits_i64) c->big_int = true;
    if (ni->int_digits > c->max_int_digits) c->max_int_digits = ni->int_digits;
    if (ni->scale > c->max_scale) c->max_scale = ni->scale;
}

void velo_fmt_infer_text(velo_fmt_infer_col *c, const char *s, uint32_t n) {
    velo_num_info ni;
    bool b;
    int32_t days;
    int64_t ts;
    if (velo_fmt_number(s, n, &ni) != VELO_NUM_NONE)
        velo_fmt_infer_number(c, &ni);
    else if (velo_fmt_parse_bool(s, n, &b))
        c->seen |= VELO_SEEN_BOOL;
    else if (velo_parse_date(s, n, &days))
        c->seen |= VELO_SEEN_DATE;
    else if (velo_fmt_parse_timestamp(s, n, &ts))
        c->seen |= VELO_SEEN_TIMESTAMP;
    else
        c->seen |= VELO_SEEN_TEXT;
}

velo_type velo_fmt_infer_type(const velo_fmt_infer_col *c) {
    const unsigned numeric = VELO_SEEN_INT | VELO_SEEN_FRAC | VELO_SEEN_EXP;
    const unsigned temporal = VELO_SEEN_TIMESTAMP | VELO_SEEN_DATE;
    unsigned s = c->seen;
    if (!s) return velo_type_make(VELO_TYPE_VARCHAR);
    if (s & VELO_SEEN_NESTED) return velo_type_make(VELO_TYPE_ANY);
    if (!(s & ~numeric)) {
        if (s & VELO_SEEN_EXP) return velo_type_make(VELO_TYPE_DOUBLE);
        if (!(s & VELO_SEEN_FRAC) && !c->big_int) return velo_type_make(VELO_TYPE_BIGINT);
        /* precision 38 rather than the widest value seen, so that sums do not overflow soon */
        if (c->max_int_digits + c->max_scale <= VELO_DECIMAL_MAX_PRECISION)
            return velo_type_decimal(VELO_DECIMAL_MAX_PRECISION, (uint8_t)c->max_scale);
        return velo_type_make(VELO_TYPE_DOUBLE);
    }
    if (s == VELO_SEEN_BOOL) return velo_type_make(VELO_TYPE_BOOLEAN);
    if (!(s & ~temporal))
        return velo_type_make(s & VELO_SEEN_TIMESTAMP ? VELO_TYPE_TIMESTAMP : VELO_TYPE_DATE);
    return velo_type_make(VELO_TYPE_VARCHAR);
}

/* ---- value encoders ---- */

static void put_i64(int64_t v, velo_strbuf *out) {
    char buf[24];
    int i = 24;
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do
        buf[--i] = (char)('0' + m % 10), m /= 10;
    while (m);
    if (v < 0) buf[--i] = '-';
    velo_strbuf_append(out, buf + i, (size_t)(24 - i));
}

/* Scalar text shared by CSV fields and JSON strings; returns false for nested values. */
static bool scalar_text(const velo_value *v, velo_strbuf *out) {
    char buf[VELO_DECIMAL_STR_MAX > 64 ? VELO_DECIMAL_STR_MAX : 64];
    size_t n;
    switch (v->type.id) {
    case VELO_TYPE_BOOLEAN: velo_strbuf_puts(out, v->u.b ? "true" : "false"); return true;
    case VELO_TYPE_BIGINT: put_i64(v->u.i64, out); return true;
    case VELO_TYPE_DOUBLE: n = velo_double_format(v->u.f64, buf); break;
    case VELO_TYPE_DECIMAL: n = velo_decimal_format(v->u.dec, v->type.scale, buf); break;
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: velo_strbuf_append(out, v->u.str.ptr, v->u.str.len); return true;
    case VELO_TYPE_TIMESTAMP: n = velo_format_timestamp(v->u.i64, buf); break;
    case VELO_TYPE_DATE: n = velo_format_date(v->u.date, buf); break;
    case VELO_TYPE_INTERVAL: n = velo_format_interval(v->u.iv, buf); break;
    default: return false;
    }
    velo_strbuf_append(out, buf, n);
    return true;
}

void velo_format_value_text(const velo_vector *v, uint32_t row, velo_strbuf *out) {
    velo_value val;
    velo_vector_get_value(v, row, &val);
    if (val.is_null) return;
    if (!scalar_text(&val, out)) velo_fmt_json_boxed(&val, out); /* nested values as JSON text */
}

void velo_format_json_string(const char *s, uint32_t len, velo_strbuf *out) {
    velo_json_write_string(s, len, out);
}

void velo_fmt_json_boxed(const velo_value *v, velo_strbuf *out) { velo_json_write_value(v, out); }

void velo_format_json_value(const velo_vector *v, uint32_t row, velo_strbuf *out) {
    velo_value val;
    velo_vector_get_value(v, row, &val);
    velo_fmt_json_boxed(&val, out);
}
