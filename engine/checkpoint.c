/* Checkpoints of a running job (engine/checkpoint.h): options, restore at start, and taking one at a
 * barrier. The files and their format are state/snapshot.c's; the operators' rows group_op.c's. */
#include "engine/checkpoint.h"

#include <errno.h>
#include <inttypes.h>
#include <mimalloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <xxhash.h>

#include "core/group_op.h"
#include "state/snapshot.h"
#include "state/window.h"

struct velo_ckpt {
    char dir[4096];
    int64_t interval_us;
    uint64_t last_id;
    uint64_t last_positions; /* hash of the positions of the last checkpoint (0: none) */
};

/* A hash of a source's positions: a checkpoint whose positions equal the last one's is skipped
 * (nothing was read since, so no state changed but for windows a tick closed: emitted again after a
 * restore, as at-least-once allows). */
static uint64_t positions_hash(const velo_source_position *pos, uint32_t n) {
    uint64_t h = n + 1;
    for (uint32_t i = 0; i < n; i++) {
        h = XXH3_64bits_withSeed(pos[i].topic, strlen(pos[i].topic), h);
        h = XXH3_64bits_withSeed(&pos[i].partition, sizeof pos[i].partition, h);
        h = XXH3_64bits_withSeed(&pos[i].offset, sizeof pos[i].offset, h);
    }
    return h;
}

velo_status velo_ckpt_open(const velo_kv *options, const char *cli_state_dir, const char *base_dir,
                           const char *job, velo_ckpt **out, velo_error *err) {
    *out = NULL;
    const char *iv = velo_kv_get(options, "checkpoint.interval");
    int64_t us = 0;
    if (iv && velo_duration_parse(iv, &us, err)) {
        velo_error_prefix(err, "option 'checkpoint.interval': ");
        return err ? err->code : VELO_ERR_INVALID;
    }
    if (us < 0)
        return velo_error_set(err, VELO_ERR_INVALID, "option 'checkpoint.interval' must not be negative");
    if (!us) return VELO_OK;
    const char *sd = velo_kv_get(options, "state.dir");
    const char *base = sd ? base_dir : ".";
    if (!sd) sd = cli_state_dir;
    if (!sd || !*sd)
        return velo_error_set(err, VELO_ERR_INVALID,
                              "'checkpoint.interval' needs a state directory: add 'state.dir'='/path' to the "
                              "statement's WITH (...), or run with --state-dir /path");
    velo_ckpt *c = mi_zalloc(sizeof *c);
    if (!c) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    c->interval_us = us;
    char name[128];
    size_t n = 0;
    for (const char *p = job && *job ? job : "query"; *p && n < sizeof name - 1; p++)
        name[n++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                            *p == '_' || *p == '-'
                        ? *p
                        : '_';
    name[n] = 0;
    int w = sd[0] == '/' ? snprintf(c->dir, sizeof c->dir, "%s/%s", sd, name)
                         : snprintf(c->dir, sizeof c->dir, "%s/%s/%s", base, sd, name);
    if (w < 0 || (size_t)w >= sizeof c->dir - 64) {
        mi_free(c);
        return velo_error_set(err, VELO_ERR_INVALID, "state directory path too long: %s", sd);
    }
    velo_status st = velo_snap_mkdirs(c->dir, err);
    if (st) {
        mi_free(c);
        return st;
    }
    *out = c;
    return VELO_OK;
}

void velo_ckpt_free(velo_ckpt *c) { mi_free(c); }
int64_t velo_ckpt_interval_us(const velo_ckpt *c) { return c->interval_us; }
const char *velo_ckpt_dir(const velo_ckpt *c) { return c->dir; }
uint64_t velo_ckpt_last_id(const velo_ckpt *c) { return c->last_id; }

velo_status velo_ckpt_check(velo_operator *const *groups, uint32_t ngroups, const velo_source_ops *sops,
                            velo_error *err) {
    if (!sops->positions || !sops->resume)
        return velo_error_set(err, VELO_ERR_UNSUPPORTED,
                              "'checkpoint.interval': %s:// sources cannot resume from a checkpoint yet "
                              "(Kafka sources can)",
                              sops->scheme);
    for (uint32_t i = 0; i < ngroups; i++) {
        velo_status st = velo_group_op_checkpointable(groups[i], err);
        if (st) return st;
    }
    return VELO_OK;
}

static void section_name(uint32_t i, char *out, size_t n) { snprintf(out, n, "group%u", i); }

velo_status velo_ckpt_restore(velo_ckpt *c, velo_operator *const *groups, uint32_t ngroups, uint32_t core,
                              uint32_t ncores, const velo_source_ops *sops, velo_source *src, FILE *diag,
                              velo_error *err) {
    velo_snap_manifest *m = NULL;
    velo_status st = velo_snap_latest(c->dir, &m, err);
    if (st || !m) return st;
    uint64_t rows = 0;
    for (uint32_t f = 0; f < m->nfiles && !st; f++) {
        velo_snap_reader *r = NULL;
        if ((st = velo_snap_reader_open(c->dir, &m->files[f], &r, err))) break;
        velo_snap_section s;
        bool more;
        while (!(st = velo_snap_reader_section(r, &s, &more, err)) && more) {
            uint32_t g = 0;
            char name[64];
            for (; g < ngroups; g++) {
                section_name(g, name, sizeof name);
                if (!strcmp(name, s.name)) break;
            }
            if (g == ngroups) {
                st =
                    velo_error_set(err, VELO_ERR_INVALID,
                                   "the checkpoint in %s holds state '%s' that this query does not have: the "
                                   "state directory belongs to another query (remove it to start over, or "
                                   "give this query its own 'state.dir')",
                                   c->dir, s.name);
                break;
            }
            rows += s.nrows;
            if ((st = velo_group_op_restore(groups[g], &s, r, core, ncores, err))) break;
        }
        velo_snap_reader_free(r);
    }
    if (!st && m->noffsets) {
        velo_source_position *pos = mi_malloc(sizeof *pos * m->noffsets);
        if (!pos) st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        for (uint32_t i = 0; pos && i < m->noffsets; i++)
            pos[i] =
                (velo_source_position){m->offsets[i].topic, m->offsets[i].partition, m->offsets[i].offset};
        if (pos) st = sops->resume(src, pos, m->noffsets, err);
        if (pos) c->last_positions = positions_hash(pos, m->noffsets);
        mi_free(pos);
    }
    if (!st) {
        c->last_id = m->id;
        if (diag) {
            fprintf(diag,
                    "velo-sql: restored checkpoint %" PRIu64 " from %s: %" PRIu64 " groups; resuming at",
                    m->id, c->dir, rows);
            for (uint32_t i = 0; i < m->noffsets; i++)
                fprintf(diag, "%s %s/%d@%" PRId64, i ? "," : "", m->offsets[i].topic,
                        (int)m->offsets[i].partition, m->offsets[i].offset);
            fprintf(diag, "%s\n", m->noffsets ? "" : " the group's offsets (none recorded)");
        }
    }
    velo_snap_manifest_free(m);
    return st;
}

static int64_t now_us(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

velo_status velo_ckpt_take(velo_ckpt *c, velo_operator *const *groups, uint32_t ngroups,
                           const velo_source_ops *sops, velo_source *src, velo_error *err) {
    uint64_t id = c->last_id + 1;
    velo_snap_manifest m = {.id = id, .created_us = now_us()};
    velo_source_position *pos = NULL;
    uint32_t npos = 0;
    velo_snap_file file = {0};
    velo_snap_writer *w = NULL;
    velo_status st = sops->positions(src, &pos, &npos, err);
    uint64_t h = st ? 0 : positions_hash(pos, npos);
    if (!st && (!npos || h == c->last_positions)) { /* nothing read yet, or since the last checkpoint */
        mi_free(pos);
        return VELO_OK;
    }
    if (!st && npos && !(m.offsets = mi_malloc(sizeof *m.offsets * npos)))
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; !st && i < npos; i++)
        m.offsets[i] = (velo_snap_offset){(char *)pos[i].topic, pos[i].partition, pos[i].offset};
    m.noffsets = st ? 0 : npos;
    if (!st) st = velo_snap_writer_open(c->dir, id, "core0", &w, err);
    for (uint32_t g = 0; !st && g < ngroups; g++) {
        char name[64];
        section_name(g, name, sizeof name);
        st = velo_group_op_save(groups[g], name, w, err);
    }
    if (w) {
        if (!st) {
            st = velo_snap_writer_finish(w, &file, err);
        } else {
            velo_snap_writer_abort(w);
        }
    }
    if (!st) {
        m.files = &file;
        m.nfiles = 1;
        st = velo_snap_commit(c->dir, &m, err);
    }
    if (!st) c->last_id = id, c->last_positions = h;
    if (st) velo_error_prefix(err, "checkpoint %" PRIu64 " in %s", id, c->dir);
    mi_free(file.name);
    mi_free(m.offsets);
    mi_free(pos);
    return st;
}
