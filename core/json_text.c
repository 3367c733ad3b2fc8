/* JSON text of boxed values (core/json_text.h): the one writer behind the JSON-lines sink, CAST of
 * a LIST/MAP/STRUCT to VARCHAR, CONCAT of nested values and the JSON functions on nested input.
 * It lives in core because SQL functions need it and core may not depend on connectors/. */
#include "core/json_text.h"

#include <math.h>
#include <stdio.h>

#include "core/decimal.h"
#include "core/scalar.h"
#include "core/temporal.h"
#include "core/utf8.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void velo_base64_encode(const unsigned char *s, uint32_t n, velo_strbuf *out) {
    velo_strbuf_reserve(out, ((size_t)n + 2) / 3 * 4);
    uint32_t i = 0;
    char q[4];
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        q[0] = b64[v >> 18], q[1] = b64[(v >> 12) & 63], q[2] = b64[(v >> 6) & 63], q[3] = b64[v & 63];
        velo_strbuf_append(out, q, 4);
    }
    if (i < n) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
        q[0] = b64[v >> 18], q[1] = b64[(v >> 12) & 63];
        q[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        q[3] = '=';
        velo_strbuf_append(out, q, 4);
    }
}

void velo_json_write_string(const char *s, uint32_t len, velo_strbuf *out) {
    static const char hex[] = "0123456789abcdef";
    velo_strbuf_reserve(out, (size_t)len + 2);
    velo_strbuf_putc(out, '"');
    uint32_t run = 0, i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        velo_strbuf_append(out, s + run, i - run);
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            velo_strbuf_append(out, e, 2);
            i++;
        } else if (c < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            velo_strbuf_append(out, e, 6);
            i++;
        } else {
            uint32_t k = velo_utf8_seq((const unsigned char *)s + i, len - i);
            /* JSON text must be UTF-8: a stray byte becomes U+FFFD rather than corrupt output */
            if (k)
                velo_strbuf_append(out, s + i, k);
            else
                velo_strbuf_puts(out, "\\ufffd");
            i += k ? k : 1;
        }
        run = i;
    }
    velo_strbuf_append(out, s + run, len - run);
    velo_strbuf_putc(out, '"');
}

/* Numbers and booleans as JSON literals, temporal values as their text in quotes. */
static void write_scalar(const velo_value *v, velo_strbuf *out) {
    char buf[VELO_DECIMAL_STR_MAX > 64 ? VELO_DECIMAL_STR_MAX : 64];
    size_t n = 0;
    bool quoted = false;
    switch (v->type.id) {
    case VELO_TYPE_BOOLEAN: velo_strbuf_puts(out, v->u.b ? "true" : "false"); return;
    case VELO_TYPE_BIGINT: { /* digits by hand: snprintf is most of a pass-through sink's cost */
        uint64_t m = v->u.i64 < 0 ? (uint64_t)0 - (uint64_t)v->u.i64 : (uint64_t)v->u.i64;
        size_t i = sizeof buf;
        do
            buf[--i] = (char)('0' + m % 10), m /= 10;
        while (m);
        if (v->u.i64 < 0) buf[--i] = '-';
        velo_strbuf_append(out, buf + i, sizeof buf - i);
        return;
    }
    case VELO_TYPE_DOUBLE:
        if (!isfinite(v->u.f64)) { /* JSON has no NaN or Infinity */
            velo_strbuf_puts(out, "null");
            return;
        }
        n = velo_double_format(v->u.f64, buf);
        break;
    case VELO_TYPE_DECIMAL: n = velo_decimal_format(v->u.dec, v->type.scale, buf); break;
    case VELO_TYPE_TIMESTAMP: n = velo_format_timestamp(v->u.i64, buf), quoted = true; break;
    case VELO_TYPE_DATE: n = velo_format_date(v->u.date, buf), quoted = true; break;
    case VELO_TYPE_INTERVAL: n = velo_format_interval(v->u.iv, buf), quoted = true; break;
    default: velo_strbuf_puts(out, "null"); return;
    }
    if (quoted) velo_strbuf_putc(out, '"');
    velo_strbuf_append(out, buf, n);
    if (quoted) velo_strbuf_putc(out, '"');
}

void velo_json_write_value(const velo_value *v, velo_strbuf *out) {
    if (v->is_null) {
        velo_strbuf_puts(out, "null");
        return;
    }
    switch (v->type.id) {
    case VELO_TYPE_VARCHAR: velo_json_write_string(v->u.str.ptr, v->u.str.len, out); return;
    case VELO_TYPE_BYTES:
        velo_strbuf_putc(out, '"');
        velo_base64_encode((const unsigned char *)v->u.str.ptr, v->u.str.len, out);
        velo_strbuf_putc(out, '"');
        return;
    case VELO_TYPE_LIST:
        velo_strbuf_putc(out, '[');
        for (uint32_t i = 0; i < v->u.nested.count; i++) {
            if (i) velo_strbuf_putc(out, ',');
            velo_json_write_value(&v->u.nested.items[i], out);
        }
        velo_strbuf_putc(out, ']');
        return;
    case VELO_TYPE_STRUCT:
    case VELO_TYPE_MAP:
        velo_strbuf_putc(out, '{');
        for (uint32_t i = 0; i < v->u.nested.count; i++) {
            if (i) velo_strbuf_putc(out, ',');
            if (v->u.nested.names)
                velo_json_write_string(v->u.nested.names[i].ptr, v->u.nested.names[i].len, out);
            else
                velo_strbuf_printf(out, "\"f%u\"", i + 1);
            velo_strbuf_putc(out, ':');
            velo_json_write_value(&v->u.nested.items[i], out);
        }
        velo_strbuf_putc(out, '}');
        return;
    default: write_scalar(v, out); return;
    }
}

velo_status velo_json_text(const velo_value *v, velo_arena *arena, velo_str *out, velo_error *err) {
    velo_strbuf b;
    velo_strbuf_init(&b);
    velo_json_write_value(v, &b);
    char *p = velo_arena_strndup(arena, b.data ? b.data : "", b.len);
    uint32_t n = (uint32_t)b.len;
    velo_strbuf_free(&b);
    if (!p) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    *out = (velo_str){p, n};
    return VELO_OK;
}
