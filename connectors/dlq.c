/* The dead-letter queue: counts rejected records, reports the first few on stderr, and writes
 * them as JSON lines to a file when one is configured. */
#include "connectors/dlq.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/formats/format.h"
#include "connectors/uri.h"
#include "core/strbuf.h"

velo_status velo_dlq_open(velo_dlq *dlq, const char *uri, const char *base_dir, velo_error *err) {
    memset(dlq, 0, sizeof *dlq);
    dlq->max_report = 10;
    if (!uri || !uri[0]) return VELO_OK;
    velo_uri u;
    velo_status st = velo_uri_parse(uri, &u, err);
    if (st) {
        velo_error_prefix(err, "'dlq': ");
        return st;
    }
    if (strcmp(u.scheme, "file")) {
        velo_error_set(err, VELO_ERR_UNSUPPORTED,
                       "'dlq'='%s': only file:// dead-letter queues are supported yet", uri);
        velo_uri_free(&u);
        return VELO_ERR_UNSUPPORTED;
    }
    char path[4096];
    if (!velo_path_resolve(base_dir, u.path, path, sizeof path)) {
        velo_uri_free(&u);
        return velo_error_set(err, VELO_ERR_IO, "dead-letter path too long: '%s'", uri);
    }
    bool append = false;
    st = velo_kv_get_bool(&u.params, "append", false, &append, err);
    velo_uri_free(&u);
    if (st) return st;
    dlq->out = fopen(path, append ? "ab" : "wb");
    if (!dlq->out)
        return velo_error_set(err, VELO_ERR_IO, "cannot open dead-letter file '%s': %s", path,
                              strerror(errno));
    dlq->path = strdup(path);
    return VELO_OK;
}

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
static bool utf8_valid(const unsigned char *s, uint32_t n) {
    for (uint32_t i = 0; i < n;) {
        unsigned char c = s[i];
        uint32_t len, cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c >> 5) == 6) {
            len = 2, cp = c & 0x1F;
        } else if ((c >> 4) == 14) {
            len = 3, cp = c & 0x0F;
        } else if ((c >> 3) == 30) {
            len = 4, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n) return false;
        for (uint32_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

/* Base64 (RFC 4648) so that a record that is not UTF-8 survives in the JSON dead-letter file byte
 * for byte; a dozen lines, not worth a library dependency. */
static void put_base64(velo_strbuf *b, const unsigned char *s, uint32_t n) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (uint32_t i = 0; i < n; i += 3) {
        uint32_t v =
            (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
        char q[4] = {tab[v >> 18], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
                     i + 2 < n ? tab[v & 63] : '='};
        velo_strbuf_append(b, q, 4);
    }
}

void velo_dlq_put(velo_dlq *dlq, const char *source, int64_t line, const char *reason, const char *record,
                  uint32_t record_len) {
    dlq->count++;
    if (dlq->reported < dlq->max_report) {
        dlq->reported++;
        if (line >= 0)
            fprintf(stderr, "velo-sql: %s:%lld: %s\n", source ? source : "?", (long long)line, reason);
        else
            fprintf(stderr, "velo-sql: %s: %s\n", source ? source : "?", reason);
        if (dlq->reported == dlq->max_report)
            fprintf(stderr, "velo-sql: %s: further rejected records are counted but not printed\n",
                    source ? source : "?");
    }
    if (!dlq->out) return;
    velo_strbuf b;
    velo_strbuf_init(&b);
    velo_strbuf_puts(&b, "{\"source\":");
    const char *src = source ? source : "";
    velo_format_json_string(src, (uint32_t)strlen(src), &b);
    if (line >= 0) velo_strbuf_printf(&b, ",\"line\":%lld", (long long)line);
    velo_strbuf_puts(&b, ",\"error\":");
    velo_format_json_string(reason, (uint32_t)strlen(reason), &b);
    velo_strbuf_puts(&b, ",\"record\":");
    if (record)
        velo_format_json_string(record, record_len, &b);
    else
        velo_strbuf_puts(&b, "null");
    if (record && !utf8_valid((const unsigned char *)record, record_len)) {
        /* "record" above shows it readably (invalid bytes as U+FFFD); this keeps the exact bytes */
        velo_strbuf_puts(&b, ",\"record_base64\":\"");
        put_base64(&b, (const unsigned char *)record, record_len);
        velo_strbuf_putc(&b, '"');
    }
    velo_strbuf_puts(&b, "}\n");
    fwrite(b.data, 1, b.len, dlq->out);
    velo_strbuf_free(&b);
}

void velo_dlq_close(velo_dlq *dlq) {
    if (dlq->out) fclose(dlq->out);
    free(dlq->path);
    memset(dlq, 0, sizeof *dlq);
}
