/* file:// sources and sinks, and the stdout:// sink.
 *
 * Source: one file or a glob (sorted), read in 1 MiB chunks with read(2); the format frames
 * records (lines, or CSV records with quoted newlines) and decodes them into the batch. Each row's
 * origin is the line number its record starts on, so errors and the dead-letter queue can name
 * "in.csv:17". Without declared columns the schema is inferred from the first records of the
 * first file (docs/connectors/file.md).
 * Slices (one per core): a glob is split by file (file i goes to slice i mod n); one file by byte
 * range: slice k reads the records that start in [size*k/n, size*(k+1)/n). Every slice frames the
 * bytes before its range (no decoding) so that record boundaries, quoted CSV newlines and line
 * numbers are exactly those of a whole-file read.
 * Sink: truncates (or appends with append=true) and writes encoded rows through a 1 MiB buffer. A
 * named pipe is written without blocking: while its reader lags, its backlog pauses the source.
 * Rows of several cores may be encoded on their own cores (an encoder each, with its own format
 * instance) and appended as bytes by the sink's core (write_encoded). */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connectors/connector.h"
#include "connectors/formats/format.h"
#include "core/strbuf.h"

#define FILE_CHUNK        (1u << 20)
#define FILE_PIPE_MAX     (8u << 20) /* a pipe's unwritten output beyond which a write waits */
#define INFER_MAX_RECORDS 1000u
#define INFER_MAX_BYTES   (4u << 20)

extern const velo_source_ops velo_file_source_ops;
extern const velo_sink_ops velo_file_sink_ops, velo_stdout_sink_ops;

/* The format named by the 'format' option, else by the file extension. */
static velo_status pick_format(const velo_kv *options, const char *path, const velo_format_ops **out,
                               velo_error *err) {
    const char *name = velo_kv_get(options, "format");
    if (!name) {
        const char *dot = strrchr(path, '.');
        const char *slash = strrchr(path, '/');
        if (dot && (!slash || dot > slash)) {
            if (!strcasecmp(dot, ".csv"))
                name = "csv";
            else if (!strcasecmp(dot, ".jsonl") || !strcasecmp(dot, ".json") || !strcasecmp(dot, ".ndjson"))
                name = "jsonl";
        }
        if (!name)
            return velo_error_set(
                err, VELO_ERR_INVALID,
                "cannot tell the format of '%s': add ?format=csv or ?format=jsonl to the URI", path);
    }
    if (!strcasecmp(name, "parquet"))
        return velo_error_set(err, VELO_ERR_UNSUPPORTED, "format 'parquet' is not supported yet");
    *out = velo_format_lookup(name);
    if (!*out)
        return velo_error_set(err, VELO_ERR_INVALID, "unknown format '%s' (known: csv, jsonl, json)", name);
    return VELO_OK;
}

/* The path as the user knows it: relative to the SQL file's folder when it is inside it. */
static const char *display_path(const char *base_dir, const char *path) {
    size_t n = base_dir ? strlen(base_dir) : 0;
    if (n && strcmp(base_dir, ".") && !strncmp(path, base_dir, n) && path[n] == '/') return path + n + 1;
    return path;
}

/* ------------------------------------------------------------------ source */

typedef struct file_source {
    velo_source base;
    const velo_format_ops *fops;
    velo_format *fmt;
    velo_schema *schema;
    velo_dlq *dlq;
    char **paths;
    size_t npaths, next_path;
    const char *base_dir;
    int fd;        /* current file, -1 when none */
    char *display; /* current file's name for messages */
    char *buf;     /* buffered bytes buf[pos..len) */
    uint32_t pos, len, cap;
    bool at_eof;      /* current file fully read into buf */
    bool stream;      /* current file is a pipe or device: a read waits for the writer */
    bool skip_header; /* next record of the current file is a header */
    int64_t line;     /* line number of buf[pos] */
    int64_t off;      /* file offset of buf[pos] */
    uint32_t slice, nslices;
    bool by_file;   /* a glob split by file (else one file split by byte range) */
    int64_t lo, hi; /* this slice reads the records starting in [lo, hi) of the current file */
} file_source;

static void fs_close_file(file_source *s) {
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    free(s->display);
    s->display = NULL;
}

/* JSON lines: every newline ends a record, so a slice starting at byte lo begins after the first
 * newline at or after lo - 1. Its rows' line numbers are those after the newlines before it: not
 * counted here (a pass over what another core reads, before this one's first row) but registered
 * with the dead-letter queue, which counts them if an error ever names a line (connectors/dlq.h);
 * without a queue they are counted with memchr over a read-only mapping. False (nothing changed)
 * when the file cannot be mapped, and the caller frames as for any format. */
static bool fs_skip_to_slice_lines(file_source *s, const char *path, int64_t size) {
    if (s->lo <= 0 || s->lo >= size || strcmp(s->fops->name, "jsonl")) return false;
    char *m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, s->fd, 0);
    if (m == MAP_FAILED) return false;
    const char *nl = memchr(m + s->lo - 1, '\n', (size_t)(size - s->lo + 1));
    int64_t start = nl ? nl - m + 1 : size;
    int64_t lines = 1;
    if (!s->dlq || !velo_dlq_defer_lines(s->dlq, path, start, &lines))
        for (const char *p = m, *end = m + start; (p = memchr(p, '\n', (size_t)(end - p))); p++)
            lines++;
    munmap(m, (size_t)size);
    if (lseek(s->fd, start, SEEK_SET) != start) return false;
    s->off = start;
    s->line = lines;
    return true;
}

static velo_status fs_open_next(file_source *s, bool *none_left, velo_error *err) {
    fs_close_file(s);
    *none_left = s->next_path >= s->npaths;
    if (*none_left) return VELO_OK;
    const char *p = s->paths[s->next_path++];
    if (s->nslices > 1 && !s->by_file && s->slice > 0) {
        /* a pipe or device has no byte ranges (and two readers would steal each other's bytes):
         * slice 0 reads all of it, the others nothing */
        struct stat pst;
        if (stat(p, &pst) == 0 && !S_ISREG(pst.st_mode)) {
            *none_left = true;
            return VELO_OK;
        }
    }
    s->fd = open(p, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0)
        return velo_error_set(err, VELO_ERR_IO, "cannot open input file '%s': %s", p, strerror(errno));
    struct stat stt = {0};
    if (fstat(s->fd, &stt) == 0 && S_ISDIR(stt.st_mode))
        return velo_error_set(err, VELO_ERR_IO, "input '%s' is a directory, not a file", p);
    s->display = strdup(display_path(s->base_dir, p));
    if (!s->display) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    s->pos = s->len = 0;
    s->at_eof = false;
    s->stream = !S_ISREG(stt.st_mode);
    s->line = 1;
    s->off = 0;
    s->lo = 0;
    s->hi = INT64_MAX;
    if (s->nslices > 1 && !s->by_file && S_ISREG(stt.st_mode)) {
        int64_t size = (int64_t)stt.st_size;
        s->lo = size * s->slice / s->nslices;
        if (s->slice + 1 < s->nslices) s->hi = size * (s->slice + 1) / s->nslices;
        fs_skip_to_slice_lines(s, p, size);
    }
    /* the header is the record at offset 0: only the slice whose range starts there skips it */
    s->skip_header = s->lo == 0 && s->fops->has_header && s->fops->has_header(s->fmt);
    return VELO_OK;
}

/* Reads more of the current file, keeping unconsumed bytes. */
static velo_status fs_fill(file_source *s, velo_error *err) {
    if (s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->pos = 0;
    }
    if (s->cap - s->len < FILE_CHUNK) {
        /* A record longer than the buffer: grow (records are bounded by memory, not by the chunk). */
        uint32_t ncap = s->cap ? s->cap * 2 : 2 * FILE_CHUNK;
        if (ncap < s->cap)
            return velo_error_set(err, VELO_ERR_DECODE, "%s: record larger than 2 GiB", s->display);
        char *nb = realloc(s->buf, ncap);
        if (!nb) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory reading '%s'", s->display);
        s->buf = nb;
        s->cap = ncap;
    }
    for (;;) {
        ssize_t n = read(s->fd, s->buf + s->len, s->cap - s->len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return velo_error_set(err, VELO_ERR_IO, "error reading '%s': %s", s->display, strerror(errno));
        if (n == 0) s->at_eof = true;
        s->len += (uint32_t)n;
        return VELO_OK;
    }
}

static uint32_t count_newlines(const char *p, uint32_t n) {
    uint32_t c = 0;
    const char *end = p + n;
    while ((p = memchr(p, '\n', (size_t)(end - p)))) {
        c++;
        p++;
    }
    return c;
}

/* Next complete record of the current file, with the line it starts on; *got is false at the end
 * of the file. With `would_wait` set, a read that could block (a pipe holding no complete record)
 * is not made: *would_wait becomes true and *got false. */
static velo_status fs_next_record(file_source *s, const char **rec, uint32_t *rec_len, int64_t *line,
                                  int64_t *off, bool *got, bool *would_wait, velo_error *err) {
    for (;;) {
        uint32_t consumed = 0;
        if (s->pos < s->len || s->at_eof) {
            if (s->pos == s->len && s->at_eof) {
                *got = false;
                return VELO_OK;
            }
            if (s->fops->frame(s->fmt, s->buf + s->pos, s->len - s->pos, s->at_eof, rec_len, &consumed)) {
                *rec = s->buf + s->pos;
                *line = s->line;
                *off = s->off;
                s->off += consumed;
                s->line += count_newlines(s->buf + s->pos, consumed);
                s->pos += consumed;
                *got = true;
                return VELO_OK;
            }
            if (s->at_eof) { /* defensive: a format that cannot frame the tail */
                *got = false;
                return VELO_OK;
            }
        }
        if (would_wait) {
            *would_wait = true;
            *got = false;
            return VELO_OK;
        }
        velo_status st = fs_fill(s, err);
        if (st) return st;
    }
}

static const velo_schema *fs_schema(velo_source *src) { return ((file_source *)src)->schema; }

static void fs_free(file_source *s) {
    fs_close_file(s);
    if (s->fmt) s->fops->destroy(s->fmt);
    velo_schema_free(s->schema);
    for (size_t i = 0; i < s->npaths; i++)
        free(s->paths[i]);
    free(s->paths);
    free(s->buf);
    free(s);
}

static void fs_close(velo_source *src) { fs_free((file_source *)src); }

static velo_status fs_poll(velo_source *src, velo_batch *out, bool *eof, velo_error *err) {
    file_source *s = (file_source *)src;
    *eof = false;
    while (out->count < out->capacity) {
        if (s->fd < 0) {
            bool none_left;
            velo_status st = fs_open_next(s, &none_left, err);
            if (st) return st;
            if (none_left) {
                *eof = true;
                return VELO_OK;
            }
        }
        const char *rec;
        uint32_t len;
        int64_t line, off;
        bool got;
        /* a pipe's rows go on as soon as no complete record is buffered, rather than when the batch
         * is full: at 20k rows/s a full batch would hold its first row back ~100 ms */
        bool waiting = false;
        velo_status st = fs_next_record(s, &rec, &len, &line, &off, &got,
                                        s->stream && out->count > 0 ? &waiting : NULL, err);
        if (st) return st;
        if (waiting) return VELO_OK;
        if (!got || off >= s->hi) { /* end of the file, or of this slice's range */
            fs_close_file(s);
            continue;
        }
        if (off < s->lo) continue; /* before this slice's range: framed, not decoded */
        if (s->skip_header) {
            s->skip_header = false;
            continue;
        }
        if (len == 0) continue; /* blank line */
        uint32_t row = out->count;
        velo_error derr; /* not zeroed: a message-sized memset per record costs ~5 % of a JSON read */
        derr.code = VELO_OK;
        derr.message[0] = '\0';
        if (s->fops->decode(s->fmt, rec, len, s->schema, out, row, &derr)) {
            for (uint32_t c = 0; c < out->ncols; c++)
                velo_vector_set_null(&out->cols[c], row);
            velo_dlq_put(s->dlq, s->display, line, derr.message, rec, len);
            continue;
        }
        out->origin[row] = line;
        out->count++;
    }
    return VELO_OK;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static velo_status fs_expand_paths(file_source *s, const char *pattern, const char *as_written,
                                   velo_error *err) {
    if (!strpbrk(pattern, "*?[")) {
        s->paths = malloc(sizeof *s->paths);
        if (!s->paths || !(s->paths[0] = strdup(pattern)))
            return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        s->npaths = 1;
        if (access(pattern, R_OK) != 0) {
            if (strcmp(as_written, pattern))
                return velo_error_set(err, VELO_ERR_IO, "cannot open input file '%s' (resolved to '%s'): %s",
                                      as_written, pattern, strerror(errno));
            return velo_error_set(err, VELO_ERR_IO, "cannot open input file '%s': %s", pattern,
                                  strerror(errno));
        }
        return VELO_OK;
    }
    glob_t g;
    int rc = glob(pattern, GLOB_ERR, NULL, &g);
    if (rc == GLOB_NOMATCH)
        return velo_error_set(err, VELO_ERR_IO, "no input file matches '%s' (resolved to '%s')", as_written,
                              pattern);
    if (rc) {
        globfree(&g);
        return velo_error_set(err, VELO_ERR_IO, "cannot list files matching '%s'", pattern);
    }
    s->paths = calloc(g.gl_pathc, sizeof *s->paths);
    if (!s->paths) {
        globfree(&g);
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < g.gl_pathc; i++) {
        s->paths[i] = strdup(g.gl_pathv[i]);
        if (!s->paths[i]) {
            globfree(&g);
            return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        }
        s->npaths++;
    }
    globfree(&g);
    qsort(s->paths, s->npaths, sizeof *s->paths, cmp_str);
    return VELO_OK;
}

/* Infers the schema from the first records of the first file, then rewinds it. */
static velo_status fs_infer(file_source *s, velo_error *err) {
    bool none_left;
    velo_status st = fs_open_next(s, &none_left, err);
    if (st) return st;
    const char **recs = calloc(INFER_MAX_RECORDS, sizeof *recs);
    uint32_t *lens = calloc(INFER_MAX_RECORDS, sizeof *lens);
    uint32_t *offs = calloc(INFER_MAX_RECORDS, sizeof *offs);
    if (!recs || !lens || !offs) {
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* Read up to INFER_MAX_BYTES into the buffer without consuming, then frame records from it. */
    while (!s->at_eof && s->len < INFER_MAX_BYTES)
        if ((st = fs_fill(s, err))) goto out;
    uint32_t n = 0, pos = 0;
    while (n < INFER_MAX_RECORDS && pos < s->len) {
        uint32_t rl, used;
        bool at_end = s->at_eof;
        if (!s->fops->frame(s->fmt, s->buf + pos, s->len - pos, at_end, &rl, &used)) break;
        if (rl > 0 || (n == 0 && s->fops->has_header && s->fops->has_header(s->fmt))) {
            offs[n] = pos;
            lens[n] = rl;
            n++;
        }
        pos += used;
    }
    for (uint32_t i = 0; i < n; i++)
        recs[i] = s->buf + offs[i];
    if (n == 0)
        st = velo_error_set(
            err, VELO_ERR_DECODE,
            "cannot infer the columns of '%s': it is empty; declare them with CREATE STREAM name (col "
            "TYPE, ...) WITH ('uri'='...')",
            s->display);
    else
        st = s->fops->infer(s->fmt, recs, lens, n, &s->schema, err);
    if (st) velo_error_prefix(err, "%s: ", s->display);
out:
    free(recs);
    free(lens);
    free(offs);
    /* rewind: the first file is read again from its start by poll */
    if (s->fd >= 0) s->next_path--;
    fs_close_file(s);
    s->pos = s->len = 0;
    s->at_eof = false;
    return st;
}

static velo_status fs_open(const velo_connector_args *args, velo_source **out, velo_error *err) {
    bool watch = false;
    velo_status st = velo_kv_get_bool(args->options, "watch", false, &watch, err);
    if (st) return st;
    if (watch)
        return velo_error_set(err, VELO_ERR_UNSUPPORTED,
                              "'%s': watch=true (following a growing file) is not supported yet",
                              args->uri->text);
    char path[4096];
    if (!velo_path_resolve(args->base_dir, args->uri->path, path, sizeof path))
        return velo_error_set(err, VELO_ERR_IO, "path too long: '%s'", args->uri->path);
    file_source *s = calloc(1, sizeof *s);
    if (!s) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    s->base.ops = NULL;
    s->fd = -1;
    s->dlq = args->dlq;
    s->base_dir = args->base_dir;
    if ((st = pick_format(args->options, path, &s->fops, err))) goto fail;
    if ((st = s->fops->create(args->options, &s->fmt, err))) {
        s->fmt = NULL;
        goto fail;
    }
    if ((st = fs_expand_paths(s, path, args->uri->path, err))) goto fail;
    s->slice = args->nslices > 1 ? args->slice : 0;
    s->nslices = args->nslices > 1 ? args->nslices : 1;
    if (s->nslices > 1 && s->npaths > 1) { /* a glob: whole files per slice */
        s->by_file = true;
        size_t keep = 0;
        for (size_t i = 0; i < s->npaths; i++) {
            if (i % s->nslices == s->slice)
                s->paths[keep++] = s->paths[i];
            else
                free(s->paths[i]);
        }
        s->npaths = keep;
    }
    if (args->declared) {
        s->schema = velo_schema_copy(args->declared);
        if (!s->schema) {
            st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
            goto fail;
        }
    } else {
        if (!s->fops->infer) {
            st = velo_error_set(err, VELO_ERR_INVALID, "format '%s' needs declared columns", s->fops->name);
            goto fail;
        }
        if ((st = fs_infer(s, err))) goto fail;
    }
    if (args->declared && args->used_columns && s->fops->project)
        s->fops->project(s->fmt, args->used_columns, s->schema->ncols);
    s->base.ops = &velo_file_source_ops;
    *out = &s->base;
    return VELO_OK;
fail:
    fs_free(s);
    return st;
}

const velo_source_ops velo_file_source_ops = {
    .scheme = "file", .open = fs_open, .schema = fs_schema, .poll = fs_poll, .close = fs_close};

/* ------------------------------------------------------------------ sinks */

typedef struct file_sink {
    velo_sink base;
    const velo_format_ops *fops;
    velo_format *fmt;
    velo_schema *schema;
    FILE *fp; /* NULL for stdout */
    int fd;
    bool is_stdout;
    bool pipe; /* a named pipe or socket we opened: written without blocking (backpressure) */
    char *path;
    velo_strbuf buf;
    velo_kv options; /* as opened: each encoder creates its own format instance from them */
    /* Direct (encoders made with VELO_ENCODER_DIRECT on a regular file opened without O_APPEND):
     * every writer, the encoders on their cores and this sink alike, reserves its range with an
     * atomic add on `end` and pwrite()s it there. Lock-free, and each piece stays whole. */
    bool direct;
    _Atomic int64_t end; /* direct: the offset where the next piece goes */
} file_sink;

/* Direct mode: writes bytes at a range reserved for them (short writes resume inside the range). */
static velo_status ks_pwrite_reserved(file_sink *k, const char *bytes, size_t len, velo_error *err) {
    int64_t off = atomic_fetch_add_explicit(&k->end, (int64_t)len, memory_order_relaxed);
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(k->fd, bytes + done, len - done, (off_t)(off + (int64_t)done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return velo_error_set(err, VELO_ERR_IO, "error writing '%s': %s", k->path, strerror(errno));
        done += (size_t)n;
    }
    return VELO_OK;
}

/* Writes buffered output until at most `keep` bytes are left. A pipe is non-blocking: it waits for
 * room (poll) only while more than `keep` bytes are buffered, and at most wait_ms (-1: no limit)
 * once it is short of that. */
static velo_status ks_drain_to(file_sink *k, size_t keep, int wait_ms, velo_error *err) {
    if (k->direct) {
        velo_status st = k->buf.len ? ks_pwrite_reserved(k, k->buf.data, k->buf.len, err) : VELO_OK;
        if (!st) velo_strbuf_clear(&k->buf);
        return st;
    }
    size_t off = 0;
    while (off < k->buf.len) {
        ssize_t n = write(k->fd, k->buf.data + off, k->buf.len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            bool over = k->buf.len - off > keep;
            if (!over && wait_ms == 0) break;
            struct pollfd pfd = {.fd = k->fd, .events = POLLOUT};
            int r = poll(&pfd, 1, over ? -1 : wait_ms);
            if (r == 0) break; /* waited wait_ms: the rest stays buffered */
            if (r < 0 && errno != EINTR)
                return velo_error_set(err, VELO_ERR_IO, "error waiting to write '%s': %s", k->path,
                                      strerror(errno));
            if (!over) wait_ms = 0; /* room came: write what fits, then return */
            continue;
        }
        if (n < 0)
            return velo_error_set(err, VELO_ERR_IO, "error writing '%s': %s", k->path, strerror(errno));
        off += (size_t)n;
    }
    if (off == k->buf.len) {
        velo_strbuf_clear(&k->buf);
    } else if (off) {
        memmove(k->buf.data, k->buf.data + off, k->buf.len - off);
        k->buf.len -= off;
        k->buf.data[k->buf.len] = '\0';
    }
    return VELO_OK;
}

static velo_status ks_drain(file_sink *k, velo_error *err) { return ks_drain_to(k, 0, -1, err); }

static velo_status ks_write(velo_sink *sink, const velo_batch *b, velo_error *err) {
    file_sink *k = (file_sink *)sink;
    uint32_t live = velo_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t row = velo_batch_row(b, i);
        velo_status st = k->fops->encode(k->fmt, k->schema, b, row, &k->buf, err);
        if (st) return st;
        /* a pipe keeps up to FILE_PIPE_MAX unwritten: the run loop pauses the source before more */
        if (k->buf.len >= FILE_CHUNK && (st = ks_drain_to(k, k->pipe ? FILE_PIPE_MAX : 0, 0, err))) return st;
    }
    /* stdout is interactive: show each batch as soon as it is complete */
    if (k->is_stdout) return ks_drain(k, err);
    return VELO_OK;
}

static velo_status ks_flush(velo_sink *sink, velo_error *err) {
    file_sink *k = (file_sink *)sink;
    velo_status st = ks_drain(k, err);
    /* direct: the descriptor's offset goes to the end of what was written (a later statement's
     * output to the same stdout follows it) */
    if (!st && k->direct && lseek(k->fd, (off_t)atomic_load(&k->end), SEEK_SET) < 0)
        st = velo_error_set(err, VELO_ERR_IO, "error writing '%s': %s", k->path, strerror(errno));
    return st;
}

/* Rows another core encoded (ks_encoder): appended and drained as ks_write does. */
static velo_status ks_write_encoded(velo_sink *sink, const char *bytes, size_t len, uint64_t rows,
                                    velo_error *err) {
    (void)rows;
    file_sink *k = (file_sink *)sink;
    velo_strbuf_append(&k->buf, bytes, len);
    velo_status st = VELO_OK;
    if (k->buf.len >= FILE_CHUNK && (st = ks_drain_to(k, k->pipe ? FILE_PIPE_MAX : 0, 0, err))) return st;
    if (k->is_stdout) return ks_drain(k, err);
    return VELO_OK;
}

struct ks_encoder {
    velo_sink_encoder base;
    file_sink *sink;
    const velo_format_ops *fops;
    velo_format *fmt;
    velo_schema *schema;
};

typedef struct ks_encoder ks_encoder;
static velo_status ks_encoder_write(velo_sink_encoder *enc, const char *bytes, size_t len, velo_error *err);

static velo_status ks_encode(velo_sink_encoder *enc, const velo_batch *b, velo_strbuf *out, velo_error *err) {
    ks_encoder *e = (ks_encoder *)enc;
    uint32_t live = velo_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        velo_status st = e->fops->encode(e->fmt, e->schema, b, velo_batch_row(b, i), out, err);
        if (st) return st;
    }
    return VELO_OK;
}

static void ks_encoder_free(velo_sink_encoder *enc) {
    ks_encoder *e = (ks_encoder *)enc;
    if (!e) return;
    if (e->fmt) e->fops->destroy(e->fmt);
    velo_schema_free(e->schema);
    free(e);
}

static velo_status ks_encoder_write(velo_sink_encoder *enc, const char *bytes, size_t len, velo_error *err) {
    return ks_pwrite_reserved(((ks_encoder *)enc)->sink, bytes, len, err);
}

/* Whether the sink can be written by several threads at reserved offsets: a regular file (or a
 * stdout redirected to one) whose descriptor does not append (O_APPEND would ignore the offsets). */
static bool ks_can_write_direct(file_sink *k) {
    struct stat stt;
    int fl = fcntl(k->fd, F_GETFL);
    return fl >= 0 && !(fl & O_APPEND) && fstat(k->fd, &stt) == 0 && S_ISREG(stt.st_mode) &&
           lseek(k->fd, 0, SEEK_CUR) >= 0;
}

static velo_status ks_encoder_new(velo_sink *sink, unsigned flags, velo_sink_encoder **out, velo_error *err) {
    file_sink *k = (file_sink *)sink;
    velo_status st = VELO_OK;
    if ((flags & VELO_ENCODER_DIRECT) && !k->direct && ks_can_write_direct(k)) {
        /* what is buffered (the header) goes first, at the descriptor's offset; the rest is reserved */
        if ((st = ks_drain(k, err))) return st;
        off_t at = lseek(k->fd, 0, SEEK_CUR);
        if (at < 0)
            return velo_error_set(err, VELO_ERR_IO, "error writing '%s': %s", k->path, strerror(errno));
        atomic_store(&k->end, (int64_t)at);
        k->direct = true;
    }
    ks_encoder *e = calloc(1, sizeof *e);
    if (!e) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    e->base.encode = ks_encode;
    e->base.write = k->direct && (flags & VELO_ENCODER_DIRECT) ? ks_encoder_write : NULL;
    e->base.free = ks_encoder_free;
    e->sink = k;
    e->fops = k->fops;
    if (!(e->schema = velo_schema_copy(k->schema)))
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    else if ((st = k->fops->create(&k->options, &e->fmt, err)))
        e->fmt = NULL;
    if (st) {
        ks_encoder_free(&e->base);
        return st;
    }
    *out = &e->base;
    return VELO_OK;
}

/* A pipe's output its reader has not taken yet: pending, and full from a chunk on. */
static velo_status ks_backlog(velo_sink *sink, int wait_ms, velo_sink_backlog *level, velo_error *err) {
    file_sink *k = (file_sink *)sink;
    velo_status st = k->pipe && k->buf.len ? ks_drain_to(k, SIZE_MAX, wait_ms, err) : VELO_OK;
    *level = !k->pipe || !k->buf.len    ? VELO_SINK_CLEAR
             : k->buf.len >= FILE_CHUNK ? VELO_SINK_FULL
                                        : VELO_SINK_PENDING;
    return st;
}

static void ks_close(velo_sink *sink) {
    file_sink *k = (file_sink *)sink;
    if (k->buf.len || k->direct) ks_flush(sink, &(velo_error){0});
    if (!k->is_stdout && k->fd >= 0) close(k->fd);
    if (k->fmt) k->fops->destroy(k->fmt);
    velo_schema_free(k->schema);
    velo_strbuf_free(&k->buf);
    velo_kv_free(&k->options);
    free(k->path);
    free(k);
}

static velo_status ks_open_common(const velo_connector_args *args, const velo_schema *schema,
                                  const char *path, bool is_stdout, velo_sink **out, velo_error *err) {
    file_sink *k = calloc(1, sizeof *k);
    if (!k) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    k->fd = -1;
    k->is_stdout = is_stdout;
    velo_strbuf_init(&k->buf);
    velo_kv_init(&k->options);
    for (uint32_t i = 0; args->options && i < args->options->count; i++)
        velo_kv_set(&k->options, args->options->items[i].key, args->options->items[i].value);
    velo_status st;
    k->path = strdup(is_stdout ? "stdout" : path);
    k->schema = velo_schema_copy(schema);
    if (!k->path || !k->schema) {
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (is_stdout) {
        const char *fname = velo_kv_get_or(args->options, "format", "jsonl");
        k->fops = velo_format_lookup(fname);
        if (!k->fops) {
            st =
                velo_error_set(err, VELO_ERR_INVALID, "unknown format '%s' (known: csv, jsonl, json)", fname);
            goto fail;
        }
    } else if ((st = pick_format(args->options, path, &k->fops, err))) {
        goto fail;
    }
    if ((st = k->fops->create(args->options, &k->fmt, err))) {
        k->fmt = NULL;
        goto fail;
    }
    bool append = false;
    if ((st = velo_kv_get_bool(args->options, "append", false, &append, err))) goto fail;
    bool write_header = true;
    if (is_stdout) {
        k->fd = STDOUT_FILENO;
    } else {
        k->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
        if (k->fd < 0) {
            if (strcmp(path, args->uri->path))
                st = velo_error_set(err, VELO_ERR_IO, "cannot open output file '%s' (resolved to '%s'): %s",
                                    args->uri->path, path, strerror(errno));
            else
                st = velo_error_set(err, VELO_ERR_IO, "cannot open output file '%s': %s", path,
                                    strerror(errno));
            goto fail;
        }
        struct stat stt;
        if (fstat(k->fd, &stt) == 0) {
            if (append && stt.st_size > 0) write_header = false;
            /* our own open file description: O_NONBLOCK affects no other writer (not so stdout) */
            if ((S_ISFIFO(stt.st_mode) || S_ISSOCK(stt.st_mode)) &&
                fcntl(k->fd, F_SETFL, fcntl(k->fd, F_GETFL) | O_NONBLOCK) == 0)
                k->pipe = true;
        }
    }
    if (write_header && k->fops->encode_header) k->fops->encode_header(k->fmt, k->schema, &k->buf);
    k->base.ops = is_stdout ? &velo_stdout_sink_ops : &velo_file_sink_ops;
    *out = &k->base;
    return VELO_OK;
fail:
    ks_close(&k->base);
    return st;
}

static velo_status ks_open(const velo_connector_args *args, const velo_schema *schema, velo_sink **out,
                           velo_error *err) {
    if (strpbrk(args->uri->path, "*?["))
        return velo_error_set(err, VELO_ERR_INVALID, "output '%s' cannot be a glob", args->uri->text);
    char path[4096];
    if (!velo_path_resolve(args->base_dir, args->uri->path, path, sizeof path))
        return velo_error_set(err, VELO_ERR_IO, "path too long: '%s'", args->uri->path);
    return ks_open_common(args, schema, path, false, out, err);
}

static velo_status stdout_open(const velo_connector_args *args, const velo_schema *schema, velo_sink **out,
                               velo_error *err) {
    return ks_open_common(args, schema, NULL, true, out, err);
}

const velo_sink_ops velo_file_sink_ops = {.scheme = "file",
                                          .open = ks_open,
                                          .write = ks_write,
                                          .flush = ks_flush,
                                          .backlog = ks_backlog,
                                          .close = ks_close,
                                          .encoder_new = ks_encoder_new,
                                          .write_encoded = ks_write_encoded};
const velo_sink_ops velo_stdout_sink_ops = {.scheme = "stdout",
                                            .open = stdout_open,
                                            .write = ks_write,
                                            .flush = ks_flush,
                                            .close = ks_close,
                                            .encoder_new = ks_encoder_new,
                                            .write_encoded = ks_write_encoded};
