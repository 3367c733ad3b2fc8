/* Checkpoint snapshots on disk (state/snapshot.h), encoded with msgpack-c.
 *
 * A state file is a sequence of msgpack objects: a header map {magic, version, checkpoint}, per
 * section a map {section, sig, watermark, max_event, rows} followed by `rows` arrays
 * [key bin, window start, window end, states bin], and a trailer map {end: sections}. The manifest
 * (chk-<id>.manifest) is one map {magic, version, id, created_us, offsets: [[topic, partition,
 * offset]...], files: [[name, size, checksum]...]}. Files are named chk-<id>-<name>.state. */
#include "state/snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <mimalloc.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#define STATE_MAGIC    "velo-state"
#define MANIFEST_MAGIC "velo-checkpoint"
#define FORMAT_VERSION 1
#define WRITE_CHUNK    (1u << 20)

void velo_snap_manifest_free(velo_snap_manifest *m) {
    if (!m) return;
    for (uint32_t i = 0; i < m->noffsets; i++)
        mi_free(m->offsets[i].topic);
    for (uint32_t i = 0; i < m->nfiles; i++)
        mi_free(m->files[i].name);
    mi_free(m->offsets);
    mi_free(m->files);
    mi_free(m);
}

velo_status velo_snap_mkdirs(const char *dir, velo_error *err) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return velo_error_set(err, VELO_ERR_INVALID, "state directory path too long: %s", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p) continue;
        char c = *p;
        *p = 0;
        if (mkdir(path, 0755) && errno != EEXIST)
            return velo_error_set(err, VELO_ERR_IO, "cannot create the state directory %s: %s", path,
                                  strerror(errno));
        *p = c;
        if (!c) break;
    }
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode))
        return velo_error_set(err, VELO_ERR_IO, "the state directory %s is not a directory", dir);
    return VELO_OK;
}

static velo_status fsync_dir(const char *dir, velo_error *err) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0 || fsync(fd)) {
        int e = errno;
        if (fd >= 0) close(fd);
        return velo_error_set(err, VELO_ERR_IO, "cannot sync the state directory %s: %s", dir, strerror(e));
    }
    close(fd);
    return VELO_OK;
}

/* ---- writing ---- */

struct velo_snap_writer {
    char dir[4096];
    char name[256]; /* final file name */
    char tmp[4400]; /* full path of the temporary */
    int fd;
    msgpack_packer pk;
    char *buf; /* pending bytes (flushed at WRITE_CHUNK) */
    size_t len;
    uint64_t size;
    XXH3_state_t *hash;
    int io_errno; /* a failed write, reported at the next call */
    uint64_t sections, rows_left;
};

static int w_flush(velo_snap_writer *w) {
    size_t off = 0;
    while (off < w->len) {
        ssize_t n = write(w->fd, w->buf + off, w->len - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            w->io_errno = errno;
            return -1;
        }
        off += (size_t)n;
    }
    w->len = 0;
    return 0;
}

static int w_write(void *data, const char *p, size_t n) {
    velo_snap_writer *w = data;
    if (w->io_errno) return -1;
    XXH3_64bits_update(w->hash, p, n);
    w->size += n;
    while (n) {
        size_t take = WRITE_CHUNK - w->len < n ? WRITE_CHUNK - w->len : n;
        memcpy(w->buf + w->len, p, take);
        w->len += take, p += take, n -= take;
        if (w->len == WRITE_CHUNK && w_flush(w)) return -1;
    }
    return 0;
}

static void pack_str(msgpack_packer *pk, const char *s) {
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static velo_status w_check(velo_snap_writer *w, velo_error *err) {
    if (!w->io_errno) return VELO_OK;
    return velo_error_set(err, VELO_ERR_IO, "cannot write the checkpoint file %s: %s", w->tmp,
                          strerror(w->io_errno));
}

velo_status velo_snap_writer_open(const char *dir, uint64_t id, const char *name, velo_snap_writer **out,
                                  velo_error *err) {
    *out = NULL;
    velo_snap_writer *w = mi_zalloc(sizeof *w);
    if (!w || !(w->buf = mi_malloc(WRITE_CHUNK)) || !(w->hash = XXH3_createState())) {
        if (w) mi_free(w->buf);
        mi_free(w);
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory writing a checkpoint");
    }
    XXH3_64bits_reset(w->hash);
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    snprintf(w->name, sizeof w->name, "chk-%012" PRIu64 "-%s.state", id, name);
    snprintf(w->tmp, sizeof w->tmp, "%s/%s.tmp", dir, w->name);
    w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        velo_status st = velo_error_set(err, VELO_ERR_IO, "cannot create the checkpoint file %s: %s", w->tmp,
                                        strerror(errno));
        XXH3_freeState(w->hash);
        mi_free(w->buf);
        mi_free(w);
        return st;
    }
    msgpack_packer_init(&w->pk, w, w_write);
    msgpack_pack_map(&w->pk, 3);
    pack_str(&w->pk, "magic");
    pack_str(&w->pk, STATE_MAGIC);
    pack_str(&w->pk, "version");
    msgpack_pack_uint32(&w->pk, FORMAT_VERSION);
    pack_str(&w->pk, "checkpoint");
    msgpack_pack_uint64(&w->pk, id);
    *out = w;
    return w_check(w, err);
}

velo_status velo_snap_writer_section(velo_snap_writer *w, const velo_snap_section *s, velo_error *err) {
    if (w->rows_left)
        return velo_error_set(err, VELO_ERR_INTERNAL, "checkpoint section ended %" PRIu64 " rows short",
                              w->rows_left);
    msgpack_pack_map(&w->pk, 5);
    pack_str(&w->pk, "section");
    pack_str(&w->pk, s->name);
    pack_str(&w->pk, "sig");
    pack_str(&w->pk, s->sig);
    pack_str(&w->pk, "watermark");
    msgpack_pack_int64(&w->pk, s->watermark);
    pack_str(&w->pk, "max_event");
    msgpack_pack_int64(&w->pk, s->max_event);
    pack_str(&w->pk, "rows");
    msgpack_pack_uint64(&w->pk, s->nrows);
    w->sections++;
    w->rows_left = s->nrows;
    return w_check(w, err);
}

velo_status velo_snap_writer_row(velo_snap_writer *w, const velo_snap_row *r, velo_error *err) {
    if (!w->rows_left)
        return velo_error_set(err, VELO_ERR_INTERNAL, "checkpoint section has more rows than it announced");
    w->rows_left--;
    msgpack_pack_array(&w->pk, 4);
    msgpack_pack_bin(&w->pk, r->key_len);
    msgpack_pack_bin_body(&w->pk, r->key, r->key_len);
    msgpack_pack_int64(&w->pk, r->ws);
    msgpack_pack_int64(&w->pk, r->we);
    msgpack_pack_bin(&w->pk, r->states_len);
    msgpack_pack_bin_body(&w->pk, r->states, r->states_len);
    return w_check(w, err);
}

static void w_free(velo_snap_writer *w) {
    if (w->fd >= 0) close(w->fd);
    XXH3_freeState(w->hash);
    mi_free(w->buf);
    mi_free(w);
}

void velo_snap_writer_abort(velo_snap_writer *w) {
    if (!w) return;
    unlink(w->tmp);
    w_free(w);
}

velo_status velo_snap_writer_finish(velo_snap_writer *w, velo_snap_file *file, velo_error *err) {
    velo_status st = VELO_OK;
    if (w->rows_left)
        st = velo_error_set(err, VELO_ERR_INTERNAL, "checkpoint section ended %" PRIu64 " rows short",
                            w->rows_left);
    if (!st) {
        msgpack_pack_map(&w->pk, 1);
        pack_str(&w->pk, "end");
        msgpack_pack_uint64(&w->pk, w->sections);
        if (!w->io_errno) w_flush(w);
        st = w_check(w, err);
    }
    if (!st && fsync(w->fd))
        st = velo_error_set(err, VELO_ERR_IO, "cannot sync the checkpoint file %s: %s", w->tmp,
                            strerror(errno));
    char final[4400];
    snprintf(final, sizeof final, "%s/%s", w->dir, w->name);
    if (!st && rename(w->tmp, final))
        st = velo_error_set(err, VELO_ERR_IO, "cannot rename %s to %s: %s", w->tmp, final, strerror(errno));
    if (!st && !(file->name = mi_strdup(w->name)))
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory writing a checkpoint");
    if (st) {
        velo_snap_writer_abort(w);
        return st;
    }
    file->size = w->size;
    file->checksum = XXH3_64bits_digest(w->hash);
    w_free(w);
    return VELO_OK;
}

/* Parses "chk-<id>.manifest" / "chk-<id>-....state" / their .tmp: the id, or 0. */
static uint64_t file_id(const char *name, bool *manifest) {
    if (strncmp(name, "chk-", 4)) return 0;
    char *end;
    errno = 0;
    unsigned long long id = strtoull(name + 4, &end, 10);
    if (errno || end == name + 4) return 0;
    *manifest = !strcmp(end, ".manifest");
    return id;
}

/* Removes the files of checkpoints older than `keep_from`, and temporaries of any. */
static void remove_old(const char *dir, uint64_t keep_from) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        bool manifest = false;
        uint64_t id = file_id(e->d_name, &manifest);
        size_t n = strlen(e->d_name);
        bool tmp = n > 4 && !strcmp(e->d_name + n - 4, ".tmp");
        if (!id || (id >= keep_from && !tmp)) continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

velo_status velo_snap_commit(const char *dir, const velo_snap_manifest *m, velo_error *err) {
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 6);
    pack_str(&pk, "magic");
    pack_str(&pk, MANIFEST_MAGIC);
    pack_str(&pk, "version");
    msgpack_pack_uint32(&pk, FORMAT_VERSION);
    pack_str(&pk, "id");
    msgpack_pack_uint64(&pk, m->id);
    pack_str(&pk, "created_us");
    msgpack_pack_int64(&pk, m->created_us);
    pack_str(&pk, "offsets");
    msgpack_pack_array(&pk, m->noffsets);
    for (uint32_t i = 0; i < m->noffsets; i++) {
        msgpack_pack_array(&pk, 3);
        pack_str(&pk, m->offsets[i].topic);
        msgpack_pack_int32(&pk, m->offsets[i].partition);
        msgpack_pack_int64(&pk, m->offsets[i].offset);
    }
    pack_str(&pk, "files");
    msgpack_pack_array(&pk, m->nfiles);
    for (uint32_t i = 0; i < m->nfiles; i++) {
        msgpack_pack_array(&pk, 3);
        pack_str(&pk, m->files[i].name);
        msgpack_pack_uint64(&pk, m->files[i].size);
        msgpack_pack_uint64(&pk, m->files[i].checksum);
    }
    char tmp[4410], final[4400];
    snprintf(final, sizeof final, "%s/chk-%012" PRIu64 ".manifest", dir, m->id);
    snprintf(tmp, sizeof tmp, "%s.tmp", final);
    velo_status st = VELO_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t off = 0;
    while (fd >= 0 && off < sb.size) {
        ssize_t n = write(fd, sb.data + off, sb.size - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        off += (size_t)n;
    }
    if (fd < 0 || off < sb.size || fsync(fd))
        st = velo_error_set(err, VELO_ERR_IO, "cannot write the checkpoint manifest %s: %s", tmp,
                            strerror(errno));
    if (fd >= 0) close(fd);
    msgpack_sbuffer_destroy(&sb);
    if (!st && rename(tmp, final))
        st = velo_error_set(err, VELO_ERR_IO, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
    if (st) {
        unlink(tmp);
        return st;
    }
    if ((st = fsync_dir(dir, err))) return st;
    if (m->id > VELO_SNAP_KEEP - 1) remove_old(dir, m->id - (VELO_SNAP_KEEP - 1));
    return VELO_OK;
}

/* ---- reading ---- */

static uint64_t be(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* True when data[0..len) starts with one whole msgpack object whose every array and map claims no
 * more elements than bytes are left. Written by hand because msgpack-c's unpacker allocates what a
 * container header claims (up to 2^32 entries) before it reads a byte of it: a few corrupted bytes
 * would make it ask for gigabytes. Walks the headers without allocating (a count of items still due,
 * no recursion). */
static bool mp_fits(const char *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    size_t pos = 0;
    uint64_t due = 1;
    while (due) {
        if (pos >= len) return false;
        unsigned b = p[pos];
        size_t left = len - pos;
        uint64_t head = 1, body = 0, items = 0;
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
        } else if (b >= 0x80 && b <= 0x8f) {
            items = 2 * (uint64_t)(b & 0x0f);
        } else if (b >= 0x90 && b <= 0x9f) {
            items = b & 0x0f;
        } else if (b >= 0xa0 && b <= 0xbf) {
            body = b & 0x1f;
        } else {
            static const signed char sizes[32] = {
                /* c0 */ 0, -1, 0, 0, 1, 2, 4, 1, 2,  4, 4, 8, 1, 2, 4, 8,
                /* d0 */ 1, 2,  4, 8, 2, 3, 5, 9, 17, 1, 2, 4, 2, 4, 2, 4};
            int n = sizes[b - 0xc0];
            if (n < 0 || left < (size_t)1 + (size_t)n) return false;
            head = 1 + (uint64_t)n;
            if ((b >= 0xca && b <= 0xd3) || (b >= 0xd4 && b <= 0xd8)) { /* numbers, fixext */
                head = 1, body = (uint64_t)n;
            } else {
                int lb = b == 0xc7 ? 1 : b == 0xc8 ? 2 : b == 0xc9 ? 4 : n; /* ext: length, then type */
                uint64_t v = be(p + pos + 1, lb);
                if (b >= 0xc7 && b <= 0xc9) head = 2 + (uint64_t)lb; /* + the ext type byte */
                if (b >= 0xdc && b <= 0xdd)
                    items = v;
                else if (b >= 0xde)
                    items = 2 * v;
                else
                    body = v;
            }
        }
        if (head > left || body > left - head || items > left - head) return false;
        pos += head + body;
        due = due - 1 + items;
    }
    return true;
}

static velo_status read_file(const char *path, char **data, size_t *len, velo_error *err) {
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        int e = errno;
        if (fd >= 0) close(fd);
        return velo_error_set(err, e == ENOENT ? VELO_ERR_NOT_FOUND : VELO_ERR_IO,
                              "cannot read the checkpoint file %s: %s", path, strerror(e));
    }
    char *buf = mi_malloc((size_t)st.st_size + 1);
    size_t off = 0;
    while (buf && off < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        off += (size_t)n;
    }
    close(fd);
    if (!buf) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory reading %s", path);
    *data = buf;
    *len = off;
    return VELO_OK;
}

static const msgpack_object *map_get(const msgpack_object *o, const char *key) {
    if (o->type != MSGPACK_OBJECT_MAP) return NULL;
    size_t n = strlen(key);
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object *k = &o->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && !memcmp(k->via.str.ptr, key, n))
            return &o->via.map.ptr[i].val;
    }
    return NULL;
}

static bool obj_i64(const msgpack_object *o, int64_t *out) {
    if (!o) return false;
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX) {
        *out = (int64_t)o->via.u64;
        return true;
    }
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = o->via.i64;
        return true;
    }
    return false;
}

static bool obj_u64(const msgpack_object *o, uint64_t *out) {
    if (!o || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER) return false;
    *out = o->via.u64;
    return true;
}

/* Copies a str object into buf (NUL-terminated); false when it is no str or too long. */
static bool obj_str(const msgpack_object *o, char *buf, size_t cap) {
    if (!o || o->type != MSGPACK_OBJECT_STR || o->via.str.size >= cap) return false;
    memcpy(buf, o->via.str.ptr, o->via.str.size);
    buf[o->via.str.size] = 0;
    return true;
}

static char *obj_strdup(const msgpack_object *o) {
    if (!o || o->type != MSGPACK_OBJECT_STR || memchr(o->via.str.ptr, 0, o->via.str.size)) return NULL;
    char *s = mi_malloc(o->via.str.size + 1);
    if (!s) return NULL;
    memcpy(s, o->via.str.ptr, o->via.str.size);
    s[o->via.str.size] = 0;
    return s;
}

static bool magic_is(const msgpack_object *o, const char *magic) {
    char buf[32];
    return obj_str(map_get(o, "magic"), buf, sizeof buf) && !strcmp(buf, magic);
}

#define BAD_MANIFEST(detail)                                                                                 \
    velo_error_set(err, VELO_ERR_DECODE,                                                                     \
                   "checkpoint manifest %s is corrupted (%s): remove it to restore the previous "            \
                   "checkpoint, or remove the state directory to start over",                                \
                   what, detail)

velo_status velo_snap_manifest_decode(const char *data, size_t len, const char *what,
                                      velo_snap_manifest **out, velo_error *err) {
    *out = NULL;
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    velo_status st = VELO_OK;
    velo_snap_manifest *m = NULL;
    msgpack_unpack_return r =
        mp_fits(data, len) ? msgpack_unpack_next(&u, data, len, &off) : MSGPACK_UNPACK_CONTINUE;
    if (r != MSGPACK_UNPACK_SUCCESS || off != len) {
        st = BAD_MANIFEST(r == MSGPACK_UNPACK_CONTINUE ? "truncated" : "not one msgpack object");
        goto done;
    }
    const msgpack_object *o = &u.data;
    uint64_t version = 0;
    if (!magic_is(o, MANIFEST_MAGIC)) {
        st = BAD_MANIFEST("not a Velostream checkpoint manifest");
        goto done;
    }
    if (!obj_u64(map_get(o, "version"), &version) || version != FORMAT_VERSION) {
        st = velo_error_set(err, VELO_ERR_UNSUPPORTED,
                            "checkpoint manifest %s has format version %" PRIu64 ", this build reads %d: "
                            "remove the state directory to start over",
                            what, version, FORMAT_VERSION);
        goto done;
    }
    const msgpack_object *offs = map_get(o, "offsets"), *files = map_get(o, "files");
    if (!(m = mi_zalloc(sizeof *m))) {
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory reading %s", what);
        goto done;
    }
    if (!obj_u64(map_get(o, "id"), &m->id) || !m->id || !obj_i64(map_get(o, "created_us"), &m->created_us) ||
        !offs || offs->type != MSGPACK_OBJECT_ARRAY || !files || files->type != MSGPACK_OBJECT_ARRAY) {
        st = BAD_MANIFEST("id, created_us, offsets or files missing");
        goto done;
    }
    m->offsets = mi_zalloc(sizeof *m->offsets * (offs->via.array.size + 1));
    m->files = mi_zalloc(sizeof *m->files * (files->via.array.size + 1));
    if (!m->offsets || !m->files) {
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory reading %s", what);
        goto done;
    }
    for (uint32_t i = 0; i < offs->via.array.size; i++) {
        const msgpack_object *e = &offs->via.array.ptr[i];
        int64_t part, at;
        if (e->type != MSGPACK_OBJECT_ARRAY || e->via.array.size != 3 ||
            !obj_i64(&e->via.array.ptr[1], &part) || part < 0 || part > INT32_MAX ||
            !obj_i64(&e->via.array.ptr[2], &at) || at < 0 ||
            !(m->offsets[i].topic = obj_strdup(&e->via.array.ptr[0]))) {
            st = BAD_MANIFEST("an offset is not [topic, partition, offset]");
            goto done;
        }
        m->offsets[i].partition = (int32_t)part;
        m->offsets[i].offset = at;
        m->noffsets++;
    }
    for (uint32_t i = 0; i < files->via.array.size; i++) {
        const msgpack_object *e = &files->via.array.ptr[i];
        velo_snap_file *f = &m->files[i];
        if (e->type != MSGPACK_OBJECT_ARRAY || e->via.array.size != 3 ||
            !obj_u64(&e->via.array.ptr[1], &f->size) || !obj_u64(&e->via.array.ptr[2], &f->checksum) ||
            !(f->name = obj_strdup(&e->via.array.ptr[0])) || strchr(f->name, '/') || !strcmp(f->name, "..")) {
            st = BAD_MANIFEST("a file is not [name, size, checksum]");
            goto done;
        }
        m->nfiles++;
    }
done:
    msgpack_unpacked_destroy(&u);
    if (st) {
        velo_snap_manifest_free(m);
        return st;
    }
    *out = m;
    return VELO_OK;
}

velo_status velo_snap_latest(const char *dir, velo_snap_manifest **out, velo_error *err) {
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return VELO_OK;
        return velo_error_set(err, VELO_ERR_IO, "cannot read the state directory %s: %s", dir,
                              strerror(errno));
    }
    uint64_t best = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        bool manifest = false;
        uint64_t id = file_id(e->d_name, &manifest);
        if (manifest && id > best) best = id;
    }
    closedir(d);
    if (!best) return VELO_OK;
    char path[4400];
    snprintf(path, sizeof path, "%s/chk-%012" PRIu64 ".manifest", dir, best);
    char *data;
    size_t len;
    velo_status st = read_file(path, &data, &len, err);
    if (st) return st;
    st = velo_snap_manifest_decode(data, len, path, out, err);
    mi_free(data);
    if (!st && (*out)->id != best) {
        velo_snap_manifest_free(*out);
        *out = NULL;
        return velo_error_set(err, VELO_ERR_DECODE,
                              "checkpoint manifest %s names checkpoint %" PRIu64 ": remove it to restore the "
                              "previous checkpoint, or remove the state directory to start over",
                              path, best);
    }
    return st;
}

struct velo_snap_reader {
    char what[4400];
    char *data;
    size_t len, off;
    msgpack_unpacked u;
    bool header_read, ended;
    uint64_t sections, rows_left;
};

#define BAD_STATE(detail)                                                                                    \
    velo_error_set(err, VELO_ERR_DECODE,                                                                     \
                   "checkpoint file %s is corrupted (%s): remove its manifest to restore the previous "      \
                   "checkpoint, or remove the state directory to start over",                                \
                   r->what, detail)

static velo_status reader_new(char *data, size_t len, const char *what, velo_snap_reader **out,
                              velo_error *err) {
    velo_snap_reader *r = mi_zalloc(sizeof *r);
    if (!r) {
        mi_free(data);
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory reading %s", what);
    }
    snprintf(r->what, sizeof r->what, "%s", what);
    r->data = data;
    r->len = len;
    msgpack_unpacked_init(&r->u);
    *out = r;
    return VELO_OK;
}

velo_status velo_snap_reader_open(const char *dir, const velo_snap_file *f, velo_snap_reader **out,
                                  velo_error *err) {
    *out = NULL;
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, f->name);
    char *data;
    size_t len;
    velo_status st = read_file(path, &data, &len, err);
    if (st) return st;
    if (len != f->size) {
        mi_free(data);
        return velo_error_set(err, VELO_ERR_DECODE,
                              "checkpoint file %s is %s: %zu bytes, its manifest says %" PRIu64
                              ": remove the manifest to restore the previous checkpoint, or remove the "
                              "state directory to start over",
                              path, len < f->size ? "truncated" : "too long", len, f->size);
    }
    if (XXH3_64bits(data, len) != f->checksum) {
        mi_free(data);
        return velo_error_set(err, VELO_ERR_DECODE,
                              "checkpoint file %s is corrupted (checksum mismatch): remove its manifest to "
                              "restore the previous checkpoint, or remove the state directory to start over",
                              path);
    }
    return reader_new(data, len, path, out, err);
}

velo_status velo_snap_reader_open_mem(const char *data, size_t len, const char *what, velo_snap_reader **out,
                                      velo_error *err) {
    *out = NULL;
    char *copy = mi_malloc(len + 1);
    if (!copy) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory reading %s", what);
    if (len) memcpy(copy, data, len);
    return reader_new(copy, len, what, out, err);
}

/* The next object into r->u. */
static velo_status next_obj(velo_snap_reader *r, velo_error *err) {
    if (!mp_fits(r->data + r->off, r->len - r->off)) return BAD_STATE("truncated or malformed");
    msgpack_unpack_return ret = msgpack_unpack_next(&r->u, r->data, r->len, &r->off);
    if (ret == MSGPACK_UNPACK_SUCCESS || ret == MSGPACK_UNPACK_EXTRA_BYTES) return VELO_OK;
    if (ret == MSGPACK_UNPACK_NOMEM_ERROR)
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory reading %s", r->what);
    return BAD_STATE(ret == MSGPACK_UNPACK_CONTINUE ? "truncated" : "not msgpack");
}

velo_status velo_snap_reader_section(velo_snap_reader *r, velo_snap_section *s, bool *more, velo_error *err) {
    *more = false;
    if (r->ended) return VELO_OK;
    if (r->rows_left)
        return velo_error_set(err, VELO_ERR_INTERNAL, "checkpoint file %s: section read before its rows",
                              r->what);
    velo_status st;
    if (!r->header_read) {
        if ((st = next_obj(r, err))) return st;
        uint64_t version;
        if (!magic_is(&r->u.data, STATE_MAGIC)) return BAD_STATE("not a Velostream state file");
        if (!obj_u64(map_get(&r->u.data, "version"), &version) || version != FORMAT_VERSION)
            return BAD_STATE("unknown format version");
        r->header_read = true;
    }
    if ((st = next_obj(r, err))) return st;
    const msgpack_object *o = &r->u.data;
    uint64_t n;
    if (obj_u64(map_get(o, "end"), &n)) {
        if (n != r->sections) return BAD_STATE("the trailer counts another number of sections");
        if (r->off != r->len) return BAD_STATE("bytes after the trailer");
        r->ended = true;
        return VELO_OK;
    }
    memset(s, 0, sizeof *s);
    if (!obj_str(map_get(o, "section"), s->name, sizeof s->name) ||
        !obj_str(map_get(o, "sig"), s->sig, sizeof s->sig) ||
        !obj_i64(map_get(o, "watermark"), &s->watermark) ||
        !obj_i64(map_get(o, "max_event"), &s->max_event) || !obj_u64(map_get(o, "rows"), &s->nrows))
        return BAD_STATE("a section header lacks section, sig, watermark, max_event or rows");
    /* every row takes at least 5 bytes: a count beyond the file is a lie */
    if (s->nrows > (r->len - r->off) / 5)
        return BAD_STATE("a section announces more rows than the file holds");
    r->sections++;
    r->rows_left = s->nrows;
    *more = true;
    return VELO_OK;
}

velo_status velo_snap_reader_row(velo_snap_reader *r, velo_snap_row *row, bool *more, velo_error *err) {
    *more = false;
    if (!r->rows_left) return VELO_OK;
    velo_status st = next_obj(r, err);
    if (st) return st;
    const msgpack_object *o = &r->u.data;
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 4)
        return BAD_STATE("a row is not an array of 4");
    const msgpack_object *a = o->via.array.ptr;
    if (a[0].type != MSGPACK_OBJECT_BIN || a[3].type != MSGPACK_OBJECT_BIN || !obj_i64(&a[1], &row->ws) ||
        !obj_i64(&a[2], &row->we))
        return BAD_STATE("a row is not [key, window start, window end, states]");
    row->key = a[0].via.bin.ptr;
    row->key_len = a[0].via.bin.size;
    row->states = a[3].via.bin.ptr;
    row->states_len = a[3].via.bin.size;
    r->rows_left--;
    *more = true;
    return VELO_OK;
}

void velo_snap_reader_free(velo_snap_reader *r) {
    if (!r) return;
    msgpack_unpacked_destroy(&r->u);
    mi_free(r->data);
    mi_free(r);
}
