/* JSON lines: one JSON object per line. The parser is hand-written because the C JSON libraries
 * packaged by Debian (jansson, json-c) turn numbers into int64/double on parsing, and a DECIMAL
 * column must be read from the number's exact text ("0.10" is 10 at scale 2, not 0.1000000000000000055).
 * Here a number stays a span of the record until the column type decides how to read it. */
#include <mimalloc.h>
#include <stdarg.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connectors/formats/format.h"
#include "connectors/formats/format_internal.h"
#include "core/decimal.h"
#include "core/temporal.h"
#include "core/utf8.h"

#define JSON_MAX_DEPTH 64

/* Member name -> column: names are matched case-insensitively; a bucket by (length, first and
 * last letter folded to lower case) holds the few candidate columns, so a member is found with one
 * or two comparisons and no strlen. */
#define JMAP_BUCKETS 64

typedef struct jsonl_format {
    velo_format base;
    velo_strbuf key; /* unescaped key being looked up */
    velo_strbuf str; /* unescaped string value being read */
    uint8_t *used;   /* projection (format.h project): NULL = every column is read */
    uint32_t nused;
    /* the member map of the schema decode last saw (rebuilt when the schema changes) */
    const velo_schema *map_schema;
    uint32_t map_ncols;
    uint32_t *name_len;         /* per column */
    int32_t *next;              /* per column: next column in the same bucket, -1 = end */
    int32_t head[JMAP_BUCKETS]; /* first column of each bucket, -1 = empty */
    /* the date part of the last ISO-8601 timestamp read ("2024-01-31"), and its midnight in µs:
     * consecutive records are mostly from the same day */
    char date_key[10];
    bool date_ok;
    int64_t date_us;
    bool omit_nulls; /* nulls=omit: a NULL column is left out of the written object */
    /* encode: each column's key already quoted and followed by ':' ("\"name\":"), for the schema
     * encode last saw (rebuilt when the schema changes): escaping every name on every row was
     * ~10% of a pass-through query's time */
    const velo_schema *enc_schema;
    uint32_t enc_ncols;
    velo_strbuf enc_keys;
    uint32_t *enc_off; /* per column: start of its key in enc_keys; [ncols] = the end */
} jsonl_format;

/* A cursor over one record; errors name the byte offset (0-based) in the record. */
typedef struct jcur {
    const char *s;
    uint32_t n, i;
    velo_error *err;
} jcur;

typedef enum jkind { J_STR, J_NUM, J_TRUE, J_FALSE, J_NULL, J_OBJ, J_ARR } jkind;

static velo_status jerr(jcur *c, uint32_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static velo_status jerr(jcur *c, uint32_t at, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return velo_error_set(c->err, VELO_ERR_DECODE, "at byte %u: %s", at, msg);
}

static void ws(jcur *c) {
    while (c->i < c->n &&
           (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\r' || c->s[c->i] == '\n'))
        c->i++;
}

/* After a value inside an object or array: ',' (more follows) or the closing bracket (*done). */
static velo_status jafter_value(jcur *c, char close, bool *done) {
    ws(c);
    *done = false;
    if (c->i < c->n && c->s[c->i] == ',') {
        c->i++;
        ws(c);
        return VELO_OK;
    }
    if (c->i < c->n && c->s[c->i] == close) {
        c->i++;
        *done = true;
        return VELO_OK;
    }
    return jerr(c, c->i, "expected ',' or '%c'", close);
}

static bool hex4(const char *s, uint32_t n, uint32_t at, uint32_t *out) {
    if (at + 4 > n) return false;
    uint32_t v = 0;
    for (uint32_t k = 0; k < 4; k++) {
        char h = s[at + k];
        int d = h >= '0' && h <= '9'   ? h - '0'
                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                       : -1;
        if (d < 0) return false;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return true;
}

/* \uXXXX at c->i (just after the 'u'), with a following low surrogate when it is a high one. */
static velo_status junicode(jcur *c, uint32_t at, velo_strbuf *buf) {
    uint32_t cp, lo;
    if (!hex4(c->s, c->n, c->i, &cp)) return jerr(c, at, "invalid \\u escape (needs 4 hex digits)");
    c->i += 4;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return jerr(c, at, "unpaired UTF-16 surrogate \\u%04x", cp);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (c->i + 6 > c->n || c->s[c->i] != '\\' || c->s[c->i + 1] != 'u' ||
            !hex4(c->s, c->n, c->i + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
            return jerr(c, at, "unpaired UTF-16 surrogate \\u%04x", cp);
        c->i += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    char u[4];
    velo_strbuf_append(buf, u, velo_utf8_encode(cp, u));
    return VELO_OK;
}

/* Index of the first byte at or after i that needs a look in a JSON string: '"', '\\', a control
 * byte or a non-ASCII byte (UTF-8 to validate). Eight bytes at a time; the lowest flagged byte of
 * each test is exact (borrows only run upwards from a flagged byte). */
static inline uint32_t plain_run(const char *s, uint32_t i, uint32_t n) {
#if defined(__SSE2__) /* 16 bytes at a time: most keys and short values end in the first block */
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        /* signed: bytes >= 0x80 are negative, so "< 0x20" flags them and the control bytes */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                 _mm_cmplt_epi8(v, space));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits) return i + (uint32_t)__builtin_ctz(bits);
        i += 16;
    }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
        uint64_t m = (w & high) | ((w - ones * 0x20) & ~w & high) | ((q - ones) & ~q & high) |
                     ((b - ones) & ~b & high);
        if (m) return i + (uint32_t)(__builtin_ctzll(m) >> 3);
        i += 8;
    }
#endif
    while (i < n) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\' || ch < 0x20 || ch >= 0x80) break;
        i++;
    }
    return i;
}

/* Index of the first '"' or '\\' at or after i (skimming a string nobody reads). */
static inline uint32_t skim_run(const char *s, uint32_t i, uint32_t n) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned bits =
            (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
        if (bits) return i + (uint32_t)__builtin_ctz(bits);
        i += 16;
    }
#endif
    while (i < n && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

/* The string at c->i (a '"'). *out is a span of the record when it has no escapes, else the
 * unescaped copy in buf (valid until buf is next used). */
static velo_status jstring(jcur *c, velo_strbuf *buf, velo_str *out) {
    const char *s = c->s;
    uint32_t open = c->i++, run = c->i;
    bool copied = false;
    velo_strbuf_clear(buf);
    while (c->i < c->n) {
        c->i = plain_run(s, c->i, c->n);
        if (c->i >= c->n) break;
        unsigned char ch = (unsigned char)s[c->i];
        if (ch == '"') {
            if (copied) {
                velo_strbuf_append(buf, s + run, c->i - run);
                *out = (velo_str){buf->data, (uint32_t)buf->len};
            } else {
                *out = (velo_str){s + run, c->i - run};
            }
            c->i++;
            return VELO_OK;
        }
        if (ch < 0x20) return jerr(c, c->i, "control character 0x%02x in a string (must be escaped)", ch);
        if (ch >= 0x80) {
            uint32_t k = velo_fmt_utf8_seq((const unsigned char *)s + c->i, c->n - c->i);
            if (!k) return jerr(c, c->i, "invalid UTF-8");
            c->i += k;
            continue;
        }
        if (ch != '\\') {
            c->i++;
            continue;
        }
        copied = true;
        velo_strbuf_append(buf, s + run, c->i - run);
        uint32_t at = c->i++;
        if (c->i >= c->n) break;
        char e = s[c->i++];
        switch (e) {
        case '"':
        case '\\':
        case '/': velo_strbuf_putc(buf, e); break;
        case 'b': velo_strbuf_putc(buf, '\b'); break;
        case 'f': velo_strbuf_putc(buf, '\f'); break;
        case 'n': velo_strbuf_putc(buf, '\n'); break;
        case 'r': velo_strbuf_putc(buf, '\r'); break;
        case 't': velo_strbuf_putc(buf, '\t'); break;
        case 'u': {
            velo_status st = junicode(c, at, buf);
            if (st) return st;
            break;
        }
        default:
            if (e > 0x20 && e < 0x7f) return jerr(c, at, "invalid escape '\\%c'", e);
            return jerr(c, at, "invalid escape");
        }
        run = c->i;
    }
    return jerr(c, open, "unterminated string");
}

static bool digit_at(const jcur *c) { return c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9'; }

/* JSON's number grammar (no '+', no leading zeros, digits on both sides of the point). */
static velo_status jnumber(jcur *c, velo_str *span) {
    uint32_t start = c->i;
    if (c->s[c->i] == '-') c->i++;
    if (c->i < c->n && c->s[c->i] == '0')
        c->i++;
    else if (digit_at(c))
        while (digit_at(c))
            c->i++;
    else
        return jerr(c, start, "invalid number");
    if (c->i < c->n && c->s[c->i] == '.') {
        c->i++;
        if (!digit_at(c)) return jerr(c, start, "invalid number (no digits after the point)");
        while (digit_at(c))
            c->i++;
    }
    if (c->i < c->n && (c->s[c->i] == 'e' || c->s[c->i] == 'E')) {
        c->i++;
        if (c->i < c->n && (c->s[c->i] == '+' || c->s[c->i] == '-')) c->i++;
        if (!digit_at(c)) return jerr(c, start, "invalid number (no digits in the exponent)");
        while (digit_at(c))
            c->i++;
    }
    *span = (velo_str){c->s + start, c->i - start};
    return VELO_OK;
}

static velo_status jliteral(jcur *c, const char *word, jkind k, jkind *out) {
    size_t n = strlen(word);
    if (c->n - c->i < n || memcmp(c->s + c->i, word, n) != 0) return jerr(c, c->i, "unexpected character");
    c->i += (uint32_t)n;
    *out = k;
    return VELO_OK;
}

static velo_status jskip(jcur *c, velo_strbuf *buf, int depth);

/* Reads one value. Strings give their contents, everything else its JSON text (objects and
 * arrays are validated and skipped). */
static velo_status jtoken(jcur *c, velo_strbuf *buf, int depth, jkind *k, velo_str *text) {
    if (c->i >= c->n) return jerr(c, c->i, "expected a value");
    uint32_t start = c->i;
    velo_status st;
    switch (c->s[c->i]) {
    case '"': *k = J_STR; return jstring(c, buf, text);
    case '{':
    case '[':
        *k = c->s[c->i] == '{' ? J_OBJ : J_ARR;
        st = jskip(c, buf, depth);
        break;
    case 't': st = jliteral(c, "true", J_TRUE, k); break;
    case 'f': st = jliteral(c, "false", J_FALSE, k); break;
    case 'n': st = jliteral(c, "null", J_NULL, k); break;
    default:
        if (c->s[c->i] != '-' && !digit_at(c)) return jerr(c, c->i, "unexpected character");
        *k = J_NUM;
        st = jnumber(c, text);
        break;
    }
    if (!st) *text = (velo_str){c->s + start, c->i - start};
    return st;
}

static velo_status jskip(jcur *c, velo_strbuf *buf, int depth) {
    if (depth > JSON_MAX_DEPTH) return jerr(c, c->i, "nested deeper than %d levels", JSON_MAX_DEPTH);
    char close = c->s[c->i] == '{' ? '}' : ']';
    c->i++;
    ws(c);
    if (c->i < c->n && c->s[c->i] == close) {
        c->i++;
        return VELO_OK;
    }
    for (;;) {
        velo_str t = {0};
        jkind k = J_NULL;
        velo_status st;
        if (close == '}') {
            if (c->i >= c->n || c->s[c->i] != '"') return jerr(c, c->i, "expected a key string");
            if ((st = jstring(c, buf, &t))) return st;
            ws(c);
            if (c->i >= c->n || c->s[c->i] != ':') return jerr(c, c->i, "expected ':' after a key");
            c->i++;
            ws(c);
        }
        if ((st = jtoken(c, buf, depth + 1, &k, &t))) return st;
        bool done;
        if ((st = jafter_value(c, close, &done))) return st;
        if (done) return VELO_OK;
    }
}

/* ---- boxed values (ANY and nested columns) ---- */

static velo_status jbox(jsonl_format *f, jcur *c, velo_arena *a, int depth, velo_value *out);

static velo_status nomem(jcur *c) {
    return velo_error_set(c->err, VELO_ERR_NOMEM, "out of memory reading JSON");
}

static velo_status box_number(jcur *c, velo_str span, velo_value *out) {
    velo_num_info ni;
    velo_fmt_number(span.ptr, span.len, &ni);
    if (ni.kind == VELO_NUM_INT && ni.fits_i64) {
        out->type = velo_type_make(VELO_TYPE_BIGINT);
        out->u.i64 = ni.i64;
        return VELO_OK;
    }
    velo_decimal d;
    if (ni.kind != VELO_NUM_EXP && ni.int_digits + ni.scale <= VELO_DECIMAL_MAX_PRECISION &&
        velo_decimal_parse(span.ptr, span.len, &d, NULL) == VELO_OK) {
        out->type = velo_type_decimal(d.precision, d.scale); /* exact, as written */
        out->u.dec = d.unscaled;
        return VELO_OK;
    }
    out->type = velo_type_make(VELO_TYPE_DOUBLE);
    if (!velo_fmt_parse_double(span.ptr, span.len, &out->u.f64))
        return jerr(c, (uint32_t)(span.ptr - c->s), "number out of range for DOUBLE");
    return VELO_OK;
}

/* Array items or object members, collected in the arena (growing by doubling). */
static velo_status box_container(jsonl_format *f, jcur *c, velo_arena *a, int depth, velo_value *out) {
    bool obj = c->s[c->i] == '{';
    char close = obj ? '}' : ']';
    uint32_t cap = 0, count = 0;
    velo_value *items = NULL;
    velo_str *names = NULL;
    out->type = velo_type_make(obj ? VELO_TYPE_STRUCT : VELO_TYPE_LIST);
    c->i++;
    ws(c);
    bool empty = c->i < c->n && c->s[c->i] == close;
    if (empty) c->i++;
    while (!empty) {
        if (count == cap) {
            uint32_t ncap = cap ? cap * 2 : 4;
            velo_value *ni = velo_arena_alloc(a, sizeof *ni * ncap);
            velo_str *nn = obj ? velo_arena_alloc(a, sizeof *nn * ncap) : NULL;
            if (!ni || (obj && !nn)) return nomem(c);
            if (count) memcpy(ni, items, sizeof *ni * count);
            if (count && obj) memcpy(nn, names, sizeof *nn * count);
            items = ni, names = nn, cap = ncap;
        }
        velo_status st;
        if (obj) {
            velo_str key = {0};
            if (c->i >= c->n || c->s[c->i] != '"') return jerr(c, c->i, "expected a key string");
            if ((st = jstring(c, &f->key, &key))) return st;
            char *copy = velo_arena_strndup(a, key.ptr, key.len);
            if (!copy) return nomem(c);
            names[count] = (velo_str){copy, key.len};
            ws(c);
            if (c->i >= c->n || c->s[c->i] != ':') return jerr(c, c->i, "expected ':' after a key");
            c->i++;
            ws(c);
        }
        if ((st = jbox(f, c, a, depth + 1, &items[count]))) return st;
        count++;
        bool done;
        if ((st = jafter_value(c, close, &done))) return st;
        if (done) break;
    }
    out->u.nested.items = items;
    out->u.nested.names = names;
    out->u.nested.count = count;
    return VELO_OK;
}

static velo_status jbox(jsonl_format *f, jcur *c, velo_arena *a, int depth, velo_value *out) {
    if (depth > JSON_MAX_DEPTH) return jerr(c, c->i, "nested deeper than %d levels", JSON_MAX_DEPTH);
    *out = velo_value_null();
    out->is_null = false;
    if (c->i < c->n && (c->s[c->i] == '{' || c->s[c->i] == '[')) return box_container(f, c, a, depth, out);
    jkind k = J_NULL;
    velo_str t = {0};
    velo_status st = jtoken(c, &f->str, depth, &k, &t);
    if (st) return st;
    switch (k) {
    case J_STR: {
        char *copy = velo_arena_strndup(a, t.ptr, t.len);
        if (!copy) return nomem(c);
        out->type = velo_type_make(VELO_TYPE_VARCHAR);
        out->u.str = (velo_str){copy, t.len};
        return VELO_OK;
    }
    case J_NUM: return box_number(c, t, out);
    case J_TRUE:
    case J_FALSE:
        out->type = velo_type_make(VELO_TYPE_BOOLEAN);
        out->u.b = k == J_TRUE;
        return VELO_OK;
    default: *out = velo_value_null(); return VELO_OK;
    }
}

/* ---- decode ---- */

static velo_status mismatch(jcur *c, const velo_field *fl, uint32_t at, const char *why) {
    char tb[32], ex[72];
    return velo_error_set(c->err, VELO_ERR_DECODE, "column '%s': expected %s, found %s%s", fl->name,
                          velo_type_format(fl->type, tb, sizeof tb),
                          velo_fmt_excerpt(c->s + at, c->i - at, ex, sizeof ex), why);
}

static velo_status put_str(jcur *c, velo_vector *v, uint32_t row, velo_str t, velo_batch *b) {
    char *copy = velo_arena_strndup(&b->arena, t.ptr, t.len);
    if (!copy) return nomem(c);
    VELO_VEC(v, velo_str)[row] = (velo_str){copy, t.len};
    return VELO_OK;
}

static velo_status put_bytes(jcur *c, const velo_field *fl, uint32_t at, velo_vector *v, uint32_t row,
                             velo_str t, velo_batch *b) {
    unsigned char *p = velo_arena_alloc(&b->arena, t.len / 4 * 3 + 1);
    uint32_t n;
    if (!p) return nomem(c);
    if (!velo_fmt_base64_decode(t.ptr, t.len, p, &n))
        return mismatch(c, fl, at, " (BYTES are base64 strings)");
    VELO_VEC(v, velo_str)[row] = (velo_str){(const char *)p, n};
    return VELO_OK;
}

static inline bool two_digits(const char *p, unsigned *out) {
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return false;
    *out = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
    return true;
}

/* "YYYY-MM-DDTHH:MM:SS[.f+]Z", the shape writers use, with the date looked up in a one-entry
 * cache; anything else (offsets, spaces, a leap second...) goes to velo_fmt_parse_timestamp,
 * which gives the same value for what is read here. */
static bool jtimestamp(jsonl_format *f, velo_str t, int64_t *out) {
    const char *s = t.ptr;
    uint32_t n = t.len;
    unsigned hh, mm, ss;
    if (n < 20 || s[10] != 'T' || s[n - 1] != 'Z' || s[13] != ':' || s[16] != ':' ||
        !two_digits(s + 11, &hh) || !two_digits(s + 14, &mm) || !two_digits(s + 17, &ss) || hh > 23 ||
        mm > 59 || ss > 59)
        return velo_fmt_parse_timestamp(s, n, out);
    int64_t frac = 0;
    uint32_t i = 19;
    if (s[i] == '.') {
        int nd = 0;
        for (i++; i < n - 1 && s[i] >= '0' && s[i] <= '9'; i++)
            if (nd < 6) frac = frac * 10 + (s[i] - '0'), nd++;
        if (!nd) return velo_fmt_parse_timestamp(s, n, out);
        while (nd < 6)
            frac *= 10, nd++;
    }
    if (i != n - 1) return velo_fmt_parse_timestamp(s, n, out);
    if (!f->date_ok || memcmp(f->date_key, s, 10)) {
        int64_t d;
        if (s[0] < '0' || s[0] > '9' || !velo_fmt_parse_timestamp(s, 10, &d))
            return velo_fmt_parse_timestamp(s, n, out);
        memcpy(f->date_key, s, 10);
        f->date_us = d;
        f->date_ok = true;
    }
    /* the date is within years 0000-9999 and a time of day stays within its day: in range */
    *out = f->date_us + ((int64_t)hh * 3600 + mm * 60 + ss) * 1000000 + frac;
    return true;
}

static velo_status epoch_millis(jcur *c, const velo_field *fl, uint32_t at, velo_str t, int64_t *out) {
    int64_t ms;
    if (!velo_fmt_parse_i64(t.ptr, t.len, &ms) || __builtin_mul_overflow(ms, 1000, out) ||
        !velo_fmt_timestamp_in_range(*out))
        return mismatch(c, fl, at, " (epoch milliseconds within years 0000-9999)");
    return VELO_OK;
}

/* Reads the value at c->i into column v (type of fl). */
static velo_status jcolumn(jsonl_format *f, jcur *c, const velo_field *fl, velo_vector *v, uint32_t row,
                           velo_batch *b) {
    uint32_t at = c->i;
    velo_type_id id = fl->type.id;
    if (id == VELO_TYPE_ANY || id == VELO_TYPE_LIST || id == VELO_TYPE_MAP || id == VELO_TYPE_STRUCT) {
        velo_value *box = velo_arena_alloc(&b->arena, sizeof *box);
        if (!box) return nomem(c);
        velo_status st = jbox(f, c, &b->arena, 1, box);
        if (st) return st;
        if (box->is_null || box->type.id == VELO_TYPE_NULL) return VELO_OK;
        bool fits = id == VELO_TYPE_ANY || box->type.id == id ||
                    (id == VELO_TYPE_MAP && box->type.id == VELO_TYPE_STRUCT);
        if (!fits) return mismatch(c, fl, at, "");
        if (id == VELO_TYPE_MAP) box->type = fl->type;
        VELO_VEC(v, velo_value *)[row] = box;
        velo_vector_set_valid(v, row);
        return VELO_OK;
    }
    jkind k = J_NULL;
    velo_str t = {0};
    velo_status st = jtoken(c, &f->str, 1, &k, &t);
    if (st) return st;
    if (k == J_NULL) return VELO_OK;
    bool text = k == J_STR || k == J_NUM; /* numeric columns also read numbers quoted as strings */
    char ex[72];
    switch (id) {
    case VELO_TYPE_BOOLEAN:
        if (k != J_TRUE && k != J_FALSE) return mismatch(c, fl, at, "");
        VELO_VEC(v, uint8_t)[row] = k == J_TRUE;
        break;
    case VELO_TYPE_BIGINT:
        if (!text || !velo_fmt_parse_i64(t.ptr, t.len, &VELO_VEC(v, int64_t)[row]))
            return mismatch(c, fl, at, "");
        break;
    case VELO_TYPE_DOUBLE:
        if (!text || !velo_fmt_parse_double(t.ptr, t.len, &VELO_VEC(v, double)[row]))
            return mismatch(c, fl, at, "");
        break;
    case VELO_TYPE_DECIMAL:
        switch (text ? velo_fmt_parse_decimal(t.ptr, t.len, fl->type, &VELO_VEC(v, velo_i128)[row])
                     : VELO_FMT_DEC_BAD) {
        case VELO_FMT_DEC_OK: break;
        case VELO_FMT_DEC_BAD: return mismatch(c, fl, at, "");
        case VELO_FMT_DEC_SCALE:
            return velo_error_set(c->err, VELO_ERR_DECODE,
                                  "column '%s': value '%s' has more than %u decimal places", fl->name,
                                  velo_fmt_excerpt(t.ptr, t.len, ex, sizeof ex), fl->type.scale);
        case VELO_FMT_DEC_OVERFLOW: return mismatch(c, fl, at, " (too many integer digits)");
        }
        break;
    case VELO_TYPE_VARCHAR:
        if ((st = put_str(c, v, row, t, b))) return st; /* numbers, booleans, objects: their JSON text */
        break;
    case VELO_TYPE_BYTES:
        if (k != J_STR) return mismatch(c, fl, at, "");
        if ((st = put_bytes(c, fl, at, v, row, t, b))) return st;
        break;
    case VELO_TYPE_TIMESTAMP:
        if (k == J_NUM) {
            if ((st = epoch_millis(c, fl, at, t, &VELO_VEC(v, int64_t)[row]))) return st;
        } else if (k != J_STR || !jtimestamp(f, t, &VELO_VEC(v, int64_t)[row])) {
            return mismatch(c, fl, at, "");
        }
        break;
    case VELO_TYPE_DATE:
        if (k != J_STR || !velo_parse_date(t.ptr, t.len, &VELO_VEC(v, int32_t)[row]))
            return mismatch(c, fl, at, "");
        break;
    default: return mismatch(c, fl, at, " (this type cannot be read from JSON)");
    }
    velo_vector_set_valid(v, row);
    return VELO_OK;
}

/* Calls member(ctx, key, c) for each member of the object that is the whole record. */
typedef velo_status (*member_fn)(void *ctx, velo_str key, jcur *c);

static velo_status jobject(jsonl_format *f, jcur *c, member_fn member, void *ctx) {
    ws(c);
    if (c->i >= c->n || c->s[c->i] != '{') return jerr(c, c->i, "expected a JSON object");
    c->i++;
    ws(c);
    if (c->i < c->n && c->s[c->i] == '}') {
        c->i++;
    } else {
        for (;;) {
            velo_str key = {0};
            velo_status st;
            if (c->i >= c->n || c->s[c->i] != '"') return jerr(c, c->i, "expected a key string");
            if ((st = jstring(c, &f->key, &key))) return st;
            ws(c);
            if (c->i >= c->n || c->s[c->i] != ':') return jerr(c, c->i, "expected ':' after a key");
            c->i++;
            ws(c);
            if ((st = member(ctx, key, c))) return st;
            ws(c);
            if (c->i < c->n && c->s[c->i] == ',') {
                c->i++;
                ws(c);
                continue;
            }
            if (c->i < c->n && c->s[c->i] == '}') {
                c->i++;
                break;
            }
            return jerr(c, c->i, "expected ',' or '}'");
        }
    }
    ws(c);
    if (c->i != c->n) return jerr(c, c->i, "unexpected text after the JSON object");
    return VELO_OK;
}

static velo_status jskip_value(jsonl_format *f, jcur *c) {
    jkind k = J_NULL;
    velo_str t = {0};
    return jtoken(c, &f->str, 1, &k, &t);
}

/* ---- decode: the fast path ---- */

static inline unsigned lower(unsigned char ch) { return ch >= 'A' && ch <= 'Z' ? ch + 32u : ch; }

static inline uint32_t jmap_bucket(const char *name, uint32_t len) {
    if (!len) return 0;
    return (len * 7u + lower((unsigned char)name[0]) * 3u + lower((unsigned char)name[len - 1])) &
           (JMAP_BUCKETS - 1);
}

static velo_status jmap_build(jsonl_format *f, const velo_schema *s, velo_error *err) {
    mi_free(f->name_len);
    mi_free(f->next);
    f->map_schema = NULL;
    f->name_len = mi_malloc(sizeof *f->name_len * (s->ncols + 1));
    f->next = mi_malloc(sizeof *f->next * (s->ncols + 1));
    if (!f->name_len || !f->next) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory reading JSON");
    for (uint32_t b = 0; b < JMAP_BUCKETS; b++)
        f->head[b] = -1;
    for (uint32_t j = s->ncols; j-- > 0;) { /* pushed from the back: each chain in schema order */
        const char *name = s->fields[j].name;
        f->name_len[j] = name ? (uint32_t)strlen(name) : UINT32_MAX;
        if (!name) continue;
        uint32_t b = jmap_bucket(name, f->name_len[j]);
        f->next[j] = f->head[b];
        f->head[b] = (int32_t)j;
    }
    f->map_schema = s;
    f->map_ncols = s->ncols;
    return VELO_OK;
}

/* The column named key (case-insensitive), or -1. `hint` is the column after the last match:
 * members usually come in schema order, so it is tried first with one exact comparison. */
/* Member names are short: a byte loop beats a call to memcmp. */
static inline bool same_bytes(const char *a, const char *b, uint32_t n) {
    if (n >= 8) { /* 8-byte words, the last one overlapping: no per-byte branches */
        uint64_t x, y, diff = 0;
        for (uint32_t i = 0; i + 8 <= n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            diff |= x ^ y;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return !(diff | (x ^ y));
    }
    if (n >= 4) {
        uint32_t x, y, u, v;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        memcpy(&u, a + n - 4, 4);
        memcpy(&v, b + n - 4, 4);
        return !((x ^ y) | (u ^ v));
    }
    for (uint32_t i = 0; i < n; i++)
        if (a[i] != b[i]) return false;
    return true;
}

static inline int jmap_find(const jsonl_format *f, const velo_schema *s, velo_str key, uint32_t hint) {
    if (hint < s->ncols && f->name_len[hint] == key.len && same_bytes(s->fields[hint].name, key.ptr, key.len))
        return (int)hint;
    for (int32_t j = f->head[jmap_bucket(key.ptr, key.len)]; j >= 0; j = f->next[j])
        if (f->name_len[j] == key.len && (same_bytes(s->fields[j].name, key.ptr, key.len) ||
                                          !strncasecmp(s->fields[j].name, key.ptr, key.len)))
            return j;
    return -1;
}

/* A member key at c->i (a '"'): a span of the record when it is plain ASCII without escapes, else
 * through jstring (escapes, UTF-8 validation). */
static inline velo_status jkey(jsonl_format *f, jcur *c, velo_str *out) {
    uint32_t i = plain_run(c->s, c->i + 1, c->n);
    if (i < c->n && c->s[i] == '"') {
        *out = (velo_str){c->s + c->i + 1, i - c->i - 1};
        c->i = i + 1;
        return VELO_OK;
    }
    return jstring(c, &f->key, out);
}

/* Skims a value of a column the query does not read: strings are only searched for their closing
 * quote (no UTF-8 or escape checks), scalars are checked by jtoken, objects and arrays by jskip. */
static velo_status jskim(jsonl_format *f, jcur *c) {
    if (c->i < c->n && c->s[c->i] == '"') {
        uint32_t open = c->i, i = c->i + 1;
        for (;;) {
            i = skim_run(c->s, i, c->n);
            if (i >= c->n) return jerr(c, open, "unterminated string");
            char ch = c->s[i];
            if (ch == '"') break;
            i += ch == '\\' ? 2 : 1; /* an escaped quote does not close */
        }
        c->i = i + 1;
        return VELO_OK;
    }
    /* a plain integer (-?[1-9][0-9]*) followed by ',' or '}': nothing more to check */
    uint32_t i = c->i + (c->i < c->n && c->s[c->i] == '-');
    if (i < c->n && c->s[i] >= '1' && c->s[i] <= '9') {
        while (i < c->n && c->s[i] >= '0' && c->s[i] <= '9')
            i++;
        if (i < c->n && (c->s[i] == ',' || c->s[i] == '}')) {
            c->i = i;
            return VELO_OK;
        }
    }
    jkind k = J_NULL;
    velo_str t = {0};
    return jtoken(c, &f->str, 1, &k, &t);
}

static const int64_t pow10_i64[19] = {1,
                                      10,
                                      100,
                                      1000,
                                      10000,
                                      100000,
                                      1000000,
                                      10000000,
                                      100000000,
                                      1000000000,
                                      10000000000LL,
                                      100000000000LL,
                                      1000000000000LL,
                                      10000000000000LL,
                                      100000000000000LL,
                                      1000000000000000LL,
                                      10000000000000000LL,
                                      100000000000000000LL,
                                      1000000000000000000LL};

/* Exact integer/decimal reading without the generic classifier: a JSON number -?(0|[1-9][0-9]*)
 * [.[0-9]+] of at most 18 digits, not followed by an exponent. Sets *mant (all digits as one
 * integer, signed), *frac (digits after the point), *int_digits (significant integer digits) and
 * moves c->i past it; false (c->i unchanged) when the number needs the general path. */
static inline bool fast_number(jcur *c, int64_t *mant, uint32_t *frac, uint32_t *int_digits) {
    const char *s = c->s;
    uint32_t i = c->i, n = c->n;
    bool neg = i < n && s[i] == '-';
    i += neg;
    if (i >= n || s[i] < '0' || s[i] > '9') return false;
    uint32_t d0 = i;
    uint64_t v = 0;
    if (s[i] == '0') {
        i++;
    } else {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            v = v * 10 + (uint64_t)(s[i++] - '0');
    }
    uint32_t nint = i - d0, nfrac = 0;
    if (i < n && s[i] == '.') {
        uint32_t f0 = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            v = v * 10 + (uint64_t)(s[i++] - '0');
        nfrac = i - f0;
        if (!nfrac) return false;
    }
    if (nint + nfrac > 18) return false; /* v may have wrapped: the general path decides */
    if (i < n && (s[i] == 'e' || s[i] == 'E' || (s[i] >= '0' && s[i] <= '9'))) return false;
    *mant = neg ? -(int64_t)v : (int64_t)v;
    *frac = nfrac;
    *int_digits = s[d0] == '0' ? 0 : nint;
    c->i = i;
    return true;
}

/* BIGINT and DECIMAL columns from a plain JSON number; false = use jcolumn. */
static inline bool fast_numeric(jcur *c, const velo_field *fl, velo_vector *v, uint32_t row) {
    uint32_t save = c->i, frac, nint;
    int64_t m;
    if (!fast_number(c, &m, &frac, &nint)) return false;
    if (fl->type.id == VELO_TYPE_BIGINT) {
        if (frac) goto slow;
        VELO_VEC(v, int64_t)[row] = m;
    } else { /* DECIMAL(p, s): at most s fraction digits and p - s integer digits */
        if (frac > fl->type.scale || nint > (uint32_t)(fl->type.precision - fl->type.scale)) goto slow;
        uint32_t up = fl->type.scale - frac;
        velo_i128 x = m;
        while (up > 18) {
            x *= pow10_i64[18];
            up -= 18;
        }
        VELO_VEC(v, velo_i128)[row] = x * pow10_i64[up];
    }
    velo_vector_set_valid(v, row);
    return true;
slow: /* the general path gives the same value or the same error message */
    c->i = save;
    return false;
}

static velo_status jsonl_decode(velo_format *base, const char *rec, uint32_t len, const velo_schema *schema,
                                velo_batch *b, uint32_t row, velo_error *err) {
    jsonl_format *f = (jsonl_format *)base;
    if (f->map_schema != schema || f->map_ncols != schema->ncols) {
        velo_status st = jmap_build(f, schema, err);
        if (st) return st;
    }
    const uint8_t *used = f->used && f->nused == schema->ncols ? f->used : NULL;
    for (uint32_t j = 0; j < schema->ncols; j++)
        velo_vector_set_null(&b->cols[j], row); /* absent = NULL */
    jcur cur = {rec, len, 0, err}, *c = &cur;
    uint32_t hint = 0;
    velo_status st = VELO_OK;
    ws(c);
    if (c->i >= c->n || c->s[c->i] != '{') {
        st = jerr(c, c->i, "expected a JSON object");
        goto fail;
    }
    c->i++;
    ws(c);
    if (c->i < c->n && c->s[c->i] == '}') {
        c->i++;
    } else {
        for (;;) {
            velo_str key = {0};
            if (c->i >= c->n || c->s[c->i] != '"') {
                st = jerr(c, c->i, "expected a key string");
                goto fail;
            }
            if ((st = jkey(f, c, &key))) goto fail;
            ws(c);
            if (c->i >= c->n || c->s[c->i] != ':') {
                st = jerr(c, c->i, "expected ':' after a key");
                goto fail;
            }
            c->i++;
            ws(c);
            int j = jmap_find(f, schema, key, hint);
            if (j >= 0) hint = (uint32_t)j + 1;
            if (j < 0 || (used && !used[j])) {
                st = jskim(f, c); /* unknown keys are ignored; unread columns skimmed */
            } else {
                velo_vector *v = &b->cols[j];
                const velo_field *fl = &schema->fields[j];
                velo_vector_set_null(v, row); /* a repeated key: the last one wins */
                if (!((fl->type.id == VELO_TYPE_BIGINT || fl->type.id == VELO_TYPE_DECIMAL) &&
                      fast_numeric(c, fl, v, row)))
                    st = jcolumn(f, c, fl, v, row, b);
            }
            if (st) goto fail;
            if (c->i < c->n && c->s[c->i] == ',') { /* the common case, without the call */
                c->i++;
                ws(c);
                continue;
            }
            bool done;
            if ((st = jafter_value(c, '}', &done))) goto fail;
            if (done) break;
        }
    }
    ws(c);
    if (c->i != c->n) {
        st = jerr(c, c->i, "unexpected text after the JSON object");
        goto fail;
    }
    return VELO_OK;
fail:
    for (uint32_t j = 0; j < schema->ncols; j++)
        velo_vector_set_null(&b->cols[j], row);
    return st;
}

static void jsonl_project(velo_format *base, const uint8_t *used, uint32_t ncols) {
    jsonl_format *f = (jsonl_format *)base;
    mi_free(f->used);
    f->used = mi_malloc(ncols + 1u);
    f->nused = f->used ? ncols : 0; /* out of memory: decode every column */
    if (f->used) memcpy(f->used, used, ncols);
}

/* ---- infer ---- */

typedef struct infer_ctx {
    jsonl_format *f;
    char **names; /* first-seen spelling of each key */
    velo_fmt_infer_col *cols;
    uint32_t n, cap;
} infer_ctx;

static int infer_key(infer_ctx *x, velo_str key, jcur *c) {
    for (uint32_t j = 0; j < x->n; j++)
        if (strlen(x->names[j]) == key.len && strncasecmp(x->names[j], key.ptr, key.len) == 0) return (int)j;
    if (x->n == x->cap) {
        uint32_t cap = x->cap ? x->cap * 2 : 16;
        char **nn = mi_realloc(x->names, sizeof *nn * cap);
        if (nn) x->names = nn;
        velo_fmt_infer_col *nc = mi_realloc(x->cols, sizeof *nc * cap);
        if (nc) x->cols = nc;
        if (!nn || !nc) return nomem(c), -2;
        x->cap = cap;
    }
    char *name = mi_strndup(key.ptr, key.len);
    if (!name) return nomem(c), -2;
    x->names[x->n] = name;
    memset(&x->cols[x->n], 0, sizeof x->cols[x->n]);
    return (int)x->n++;
}

static velo_status infer_member(void *ctx, velo_str key, jcur *c) {
    infer_ctx *x = ctx;
    if (key.len && memchr(key.ptr, '\0', key.len)) return jskip_value(x->f, c); /* cannot be a column name */
    int j = infer_key(x, key, c);
    if (j < 0) return VELO_ERR_NOMEM;
    jkind k = J_NULL;
    velo_str t = {0};
    velo_status st = jtoken(c, &x->f->str, 1, &k, &t);
    if (st) return st;
    velo_fmt_infer_col *col = &x->cols[j];
    velo_num_info ni;
    switch (k) {
    case J_STR: col->seen |= VELO_SEEN_TEXT; break; /* no guessing of timestamps from strings */
    case J_NUM:
        velo_fmt_number(t.ptr, t.len, &ni);
        velo_fmt_infer_number(col, &ni);
        break;
    case J_TRUE:
    case J_FALSE: col->seen |= VELO_SEEN_BOOL; break;
    case J_OBJ:
    case J_ARR: col->seen |= VELO_SEEN_NESTED; break;
    case J_NULL: break;
    }
    return VELO_OK;
}

static velo_status jsonl_infer(velo_format *base, const char *const *recs, const uint32_t *lens, uint32_t n,
                               velo_schema **out, velo_error *err) {
    jsonl_format *f = (jsonl_format *)base;
    infer_ctx x = {f, NULL, NULL, 0, 0};
    velo_error first_err = {0};
    uint32_t good = 0, bad = 0;
    velo_status st = VELO_OK;
    for (uint32_t r = 0; r < n; r++) {
        if (lens[r] == 0) continue;
        velo_error e;
        jcur c = {recs[r], lens[r], 0, &e};
        st = jobject(f, &c, infer_member, &x);
        if (st == VELO_ERR_NOMEM) break;
        if (st && !bad++) first_err = e; /* a malformed sample record is left for the DLQ */
        if (!st) good++;
        st = VELO_OK;
    }
    if (!st && !good) {
        if (bad) {
            st = velo_error_set(err, VELO_ERR_DECODE,
                                "jsonl: no sampled record is a valid JSON object (first: %s)",
                                first_err.message);
        } else {
            st = velo_error_set(err, VELO_ERR_DECODE,
                                "jsonl: no records to infer the columns from; declare the "
                                "columns instead");
        }
    } else if (!st && x.n == 0) {
        st = velo_error_set(err, VELO_ERR_DECODE,
                            "jsonl: the sampled objects have no keys; declare the columns instead");
    } else if (st) {
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory inferring a JSON schema");
    }
    velo_schema *s = st ? NULL : velo_schema_new(x.n);
    if (!st && !s) st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t j = 0; j < x.n; j++) {
        if (s) velo_schema_set(s, j, x.names[j], velo_fmt_infer_type(&x.cols[j]));
        mi_free(x.names[j]);
    }
    mi_free(x.names);
    mi_free(x.cols);
    if (!st) *out = s;
    return st;
}

/* ---- encode ---- */

/* The quoted keys of `schema`'s columns, built once per schema. False when out of memory. */
static bool jsonl_enc_keys(jsonl_format *f, const velo_schema *schema) {
    if (f->enc_schema == schema && f->enc_ncols == schema->ncols) return true;
    uint32_t *off = mi_realloc(f->enc_off, sizeof *off * ((size_t)schema->ncols + 1));
    if (!off) return false;
    f->enc_off = off;
    velo_strbuf_clear(&f->enc_keys);
    for (uint32_t j = 0; j < schema->ncols; j++) {
        off[j] = (uint32_t)f->enc_keys.len;
        const char *name = schema->fields[j].name ? schema->fields[j].name : "";
        velo_format_json_string(name, (uint32_t)strlen(name), &f->enc_keys);
        velo_strbuf_putc(&f->enc_keys, ':');
    }
    off[schema->ncols] = (uint32_t)f->enc_keys.len;
    f->enc_schema = schema;
    f->enc_ncols = schema->ncols;
    return true;
}

static velo_status jsonl_encode(velo_format *base, const velo_schema *schema, const velo_batch *b,
                                uint32_t row, velo_strbuf *out, velo_error *err) {
    jsonl_format *f = (jsonl_format *)base;
    bool omit_nulls = f->omit_nulls, first = true;
    if (!jsonl_enc_keys(f, schema)) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory encoding JSON");
    velo_strbuf_putc(out, '{');
    for (uint32_t j = 0; j < schema->ncols; j++) {
        if (omit_nulls && !velo_vector_is_valid(&b->cols[j], row)) continue;
        if (!first) velo_strbuf_putc(out, ',');
        first = false;
        velo_strbuf_append(out, f->enc_keys.data + f->enc_off[j], f->enc_off[j + 1] - f->enc_off[j]);
        velo_format_json_value(&b->cols[j], row, out);
    }
    velo_strbuf_append(out, "}\n", 2);
    return VELO_OK;
}

/* ---- framing, lifecycle ---- */

/* One record per line; a blank line is an empty record (rec_len 0), which readers skip. */
static bool jsonl_frame(velo_format *base, const char *buf, uint32_t len, bool at_eof, uint32_t *rec_len,
                        uint32_t *consumed) {
    (void)base;
    const char *nl = memchr(buf, '\n', len);
    uint32_t end;
    if (nl) {
        end = (uint32_t)(nl - buf);
        *consumed = end + 1;
    } else {
        if (!at_eof || len == 0) return false;
        end = *consumed = len;
    }
    if (end > 0 && buf[end - 1] == '\r') end--;
    uint32_t k = 0;
    while (k < end && (buf[k] == ' ' || buf[k] == '\t' || buf[k] == '\r'))
        k++;
    *rec_len = k == end ? 0 : end;
    return true;
}

static velo_status jsonl_create(const velo_kv *options, velo_format **out, velo_error *err) {
    const char *nulls = velo_kv_get_or(options, "nulls", "write");
    if (strcasecmp(nulls, "write") && strcasecmp(nulls, "omit"))
        return velo_error_set(err, VELO_ERR_INVALID, "option 'nulls' must be write or omit, found '%s'",
                              nulls);
    jsonl_format *f = mi_zalloc(sizeof *f);
    if (!f) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory creating a jsonl format");
    f->omit_nulls = !strcasecmp(nulls, "omit");
    f->base.ops = &velo_jsonl_format_ops;
    velo_strbuf_init(&f->key);
    velo_strbuf_init(&f->str);
    velo_strbuf_init(&f->enc_keys);
    *out = &f->base;
    return VELO_OK;
}

static void jsonl_destroy(velo_format *base) {
    jsonl_format *f = (jsonl_format *)base;
    if (!f) return;
    velo_strbuf_free(&f->key);
    velo_strbuf_free(&f->str);
    velo_strbuf_free(&f->enc_keys);
    mi_free(f->enc_off);
    mi_free(f->used);
    mi_free(f->name_len);
    mi_free(f->next);
    mi_free(f);
}

static bool jsonl_has_header(velo_format *base) {
    (void)base;
    return false;
}

const velo_format_ops velo_jsonl_format_ops = {
    .name = "jsonl",
    .create = jsonl_create,
    .destroy = jsonl_destroy,
    .frame = jsonl_frame,
    .infer = jsonl_infer,
    .has_header = jsonl_has_header,
    .decode = jsonl_decode,
    .project = jsonl_project,
    .encode_header = NULL,
    .encode = jsonl_encode,
};
