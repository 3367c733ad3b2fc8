/* The dead-letter queue: counts rejected records, reports the first few on stderr, and writes
 * them as JSON lines to a file when one is configured. */
#include "connectors/dlq.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#define ORIGIN_MAX_IDS  (1u << 20)
#define ORIGIN_REL_MASK (((int64_t)1 << VELO_ORIGIN_ID_SHIFT) - 1)

bool velo_dlq_defer_lines(velo_dlq *dlq, const char *path, int64_t start, int64_t *origin_base) {
    bool ok = false;
    if (dlq->lock) pthread_mutex_lock(dlq->lock);
    if (dlq->nbases == dlq->capbases && dlq->nbases < ORIGIN_MAX_IDS) {
        uint32_t nc = dlq->capbases ? dlq->capbases * 2 : 8;
        velo_dlq_base *b = realloc(dlq->bases, sizeof *b * nc);
        if (b) dlq->bases = b, dlq->capbases = nc;
    }
    char *copy = dlq->nbases < dlq->capbases ? strdup(path) : NULL;
    if (copy) {
        dlq->bases[dlq->nbases] = (velo_dlq_base){copy, start, -1};
        *origin_base = VELO_ORIGIN_DEFERRED | ((int64_t)dlq->nbases << VELO_ORIGIN_ID_SHIFT) | 1;
        dlq->nbases++;
        ok = true;
    }
    if (dlq->lock) pthread_mutex_unlock(dlq->lock);
    return ok;
}

/* Newlines in path's first `end` bytes (-1 when the file cannot be read). */
static int64_t count_newlines_before(const char *path, int64_t end) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char *buf = malloc(1 << 20);
    int64_t n = 0, off = 0;
    while (buf && off < end) {
        size_t want = end - off < (1 << 20) ? (size_t)(end - off) : (size_t)1 << 20;
        ssize_t got = pread(fd, buf, want, off);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        for (const char *p = buf, *e = buf + got; (p = memchr(p, '\n', (size_t)(e - p))); p++)
            n++;
        off += got;
    }
    free(buf);
    close(fd);
    return off == end ? n : -1;
}

static int64_t line_locked(velo_dlq *dlq, int64_t origin) {
    if (origin < 0 || !(origin & VELO_ORIGIN_DEFERRED)) return origin;
    uint32_t id = (uint32_t)((origin & ~VELO_ORIGIN_DEFERRED) >> VELO_ORIGIN_ID_SHIFT);
    if (id >= dlq->nbases) return -1;
    velo_dlq_base *b = &dlq->bases[id];
    if (b->newlines < 0) b->newlines = count_newlines_before(b->path, b->start);
    return b->newlines < 0 ? -1 : b->newlines + (origin & ORIGIN_REL_MASK);
}

int64_t velo_dlq_line(velo_dlq *dlq, int64_t origin) {
    if (origin < 0 || !(origin & VELO_ORIGIN_DEFERRED)) return origin;
    if (dlq->lock) pthread_mutex_lock(dlq->lock);
    int64_t line = line_locked(dlq, origin);
    if (dlq->lock) pthread_mutex_unlock(dlq->lock);
    return line;
}

void velo_dlq_put(velo_dlq *dlq, const char *source, int64_t line, const char *reason, const char *record,
                  uint32_t record_len) {
    if (dlq->lock) pthread_mutex_lock(dlq->lock);
    put_locked(dlq, source, line_locked(dlq, line), reason, record, record_len);
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
    for (uint32_t i = 0; i < dlq->nbases; i++)
        free(dlq->bases[i].path);
    free(dlq->bases);
    free(dlq->path);
    memset(dlq, 0, sizeof *dlq);
}
