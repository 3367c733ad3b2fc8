/* The dead-letter queue: counts rejected records, reports the first few on stderr, and writes
 * them as JSON lines to a file when one is configured. */
#include "connectors/dlq.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/formats/format_internal.h"
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

static void put_locked(velo_dlq *dlq, const char *source, int64_t line, const char *reason,
                       const char *record, uint32_t record_len);

void velo_dlq_put(velo_dlq *dlq, const char *source, int64_t line, const char *reason, const char *record,
                  uint32_t record_len) {
    if (dlq->lock) pthread_mutex_lock(dlq->lock);
    put_locked(dlq, source, line, reason, record, record_len);
    if (dlq->lock) pthread_mutex_unlock(dlq->lock);
}

static void put_locked(velo_dlq *dlq, const char *source, int64_t line, const char *reason,
                       const char *record, uint32_t record_len) {
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
    uint32_t bad_at;
    if (record && !velo_fmt_utf8_valid(record, record_len, &bad_at)) {
        /* "record" above shows it readably (invalid bytes as U+FFFD); this keeps the exact bytes */
        velo_strbuf_puts(&b, ",\"record_base64\":\"");
        velo_fmt_base64_encode((const unsigned char *)record, record_len, &b);
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
