/* The GROUP BY / window operator (core/group_op.h).
 *
 * Groups live in a chained hash table (gtable) whose records have one fixed size and sit in
 * chunks of GT_CHUNK records (growing never copies them): a 16-byte header (32-bit hash, chain
 * link, key length, flags), window bounds only when windowed, the encoded key inline (a pointer
 * to a heap copy when a key is longer than the inline room) and the accumulator states. No
 * allocation per group; a BIGINT key with COUNT + SUM costs 56 bytes + ~4-8 bytes of bucket
 * (docs/sql/aggregates.md, "Memory"). Freed records (closed windows) are reused through a free
 * list threaded through the chain link. Keys are encoded into bytes by core/keys.h so that equal SQL
 * values have equal bytes; hashing uses xxHash (XXH3) from Debian's libxxhash. SESSION windows
 * keep, per key, the session index of state/window.h in a second gtable. */
#include "core/group_op.h"

#include <math.h>
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "core/exchange.h"
#include "core/keys.h"
#include "core/part_watermarks.h"
#include "core/strbuf.h"
#include "core/temporal.h"

/* ---- the table ---- */

#define GT_CHUNK_BITS     14
#define GT_CHUNK          (1u << GT_CHUNK_BITS)
#define GT_KEY_MAX_INLINE 64

enum { REC_LIVE = 1, REC_DIRTY = 2, REC_KEY_HEAP = 4 };

typedef struct grec {
    uint32_t hash;    /* low 32 bits of XXH3(key, seed = window start) */
    uint32_t next;    /* bucket chain (free list when not live): record index + 1, 0 = end */
    uint32_t key_len; /* bytes of the encoded key */
    uint8_t flags;
    uint8_t pad[3];
} grec; /* then [int64 win_start, win_end] when windowed, the key area, the payload */

typedef struct gtable {
    bool windowed;
    uint32_t payload;  /* bytes of payload per record (8-aligned) */
    uint32_t key_off;  /* offset of the key area */
    uint32_t kcap;     /* inline key bytes (set on the first insert from that key's length) */
    uint32_t rec_size; /* 0 until the first insert */
    char **chunks;
    uint32_t nchunks, chunks_cap;
    uint32_t nrecs;     /* records handed out so far (live or free) */
    uint32_t free_head; /* record index + 1 */
    uint32_t *buckets;
    uint32_t nbuckets; /* power of two */
    uint32_t live;
} gtable;

static void gt_init(gtable *t, bool windowed, uint32_t payload) {
    memset(t, 0, sizeof *t);
    t->windowed = windowed;
    t->payload = (payload + 7) & ~7u;
    t->key_off = sizeof(grec) + (windowed ? 16u : 0u);
}

static inline grec *gt_rec(const gtable *t, uint32_t idx) {
    return (grec *)(t->chunks[idx >> GT_CHUNK_BITS] + (size_t)(idx & (GT_CHUNK - 1)) * t->rec_size);
}
static inline int64_t *rec_win(grec *r) { return (int64_t *)(r + 1); } /* [start, end] */
static inline int64_t rec_ws(const gtable *t, grec *r) { return t->windowed ? rec_win(r)[0] : 0; }
static inline const char *rec_key(const gtable *t, grec *r) {
    char *k = (char *)r + t->key_off;
    if (r->flags & REC_KEY_HEAP) {
        char *p;
        memcpy(&p, k, sizeof p);
        return p;
    }
    return k;
}
static inline char *rec_payload(const gtable *t, grec *r) { return (char *)r + t->key_off + t->kcap; }

static uint32_t gt_hash(const char *key, uint32_t len, int64_t ws) {
    return (uint32_t)XXH3_64bits_withSeed(key, len, (uint64_t)ws);
}

static uint32_t gt_find(const gtable *t, const char *key, uint32_t len, int64_t ws, uint32_t h) {
    if (!t->nbuckets) return UINT32_MAX;
    for (uint32_t i = t->buckets[h & (t->nbuckets - 1)]; i;) {
        grec *r = gt_rec(t, i - 1);
        if (r->hash == h && r->key_len == len && rec_ws(t, r) == ws && !memcmp(rec_key(t, r), key, len))
            return i - 1;
        i = r->next;
    }
    return UINT32_MAX;
}

static void gt_link(gtable *t, uint32_t idx) {
    grec *r = gt_rec(t, idx);
    uint32_t b = r->hash & (t->nbuckets - 1);
    r->next = t->buckets[b];
    t->buckets[b] = idx + 1;
}

static void gt_unlink(gtable *t, uint32_t idx) {
    grec *r = gt_rec(t, idx);
    uint32_t *link = &t->buckets[r->hash & (t->nbuckets - 1)];
    while (*link && *link != idx + 1)
        link = &gt_rec(t, *link - 1)->next;
    if (*link) *link = r->next;
}

static velo_status gt_grow_buckets(gtable *t, velo_error *err) {
    uint32_t nb = t->nbuckets ? t->nbuckets * 2 : 1024;
    uint32_t *b = mi_zalloc(sizeof *b * nb);
    if (!b || nb < t->nbuckets) {
        mi_free(b);
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the GROUP BY table");
    }
    mi_free(t->buckets);
    t->buckets = b;
    t->nbuckets = nb;
    for (uint32_t i = 0; i < t->nrecs; i++)
        if (gt_rec(t, i)->flags & REC_LIVE) gt_link(t, i);
    return VELO_OK;
}

/* A new live record for key + window (payload uninitialised); its index, or UINT32_MAX (err set). */
static uint32_t gt_insert(gtable *t, const char *key, uint32_t len, int64_t ws, int64_t we, uint32_t h,
                          velo_error *err) {
    if (!t->rec_size) {
        uint32_t k = (len + 7) & ~7u;
        t->kcap = k < 8 ? 8 : k > GT_KEY_MAX_INLINE ? GT_KEY_MAX_INLINE : k;
        t->rec_size = t->key_off + t->kcap + t->payload;
    }
    if (t->live + 1 > t->nbuckets && gt_grow_buckets(t, err)) return UINT32_MAX;
    char *heap_key = NULL;
    if (len > t->kcap && !(heap_key = mi_malloc(len))) {
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory for a new group");
        return UINT32_MAX;
    }
    uint32_t idx;
    if (t->free_head) {
        idx = t->free_head - 1;
        t->free_head = gt_rec(t, idx)->next;
    } else {
        if ((t->nrecs >> GT_CHUNK_BITS) == t->nchunks) {
            if (t->nchunks == t->chunks_cap) {
                uint32_t nc = t->chunks_cap ? t->chunks_cap * 2 : 16;
                char **cs = mi_realloc(t->chunks, sizeof *cs * nc);
                if (!cs) goto nomem;
                t->chunks = cs;
                t->chunks_cap = nc;
            }
            if (!(t->chunks[t->nchunks] = mi_malloc((size_t)GT_CHUNK * t->rec_size))) goto nomem;
            t->nchunks++;
        }
        idx = t->nrecs++;
    }
    grec *r = gt_rec(t, idx);
    r->hash = h;
    r->key_len = len;
    r->flags = REC_LIVE;
    char *k = (char *)r + t->key_off;
    if (heap_key) {
        memcpy(heap_key, key, len);
        memcpy(k, &heap_key, sizeof heap_key);
        r->flags |= REC_KEY_HEAP;
    } else if (len) {
        memcpy(k, key, len);
    }
    if (t->windowed) rec_win(r)[0] = ws, rec_win(r)[1] = we;
    gt_link(t, idx);
    t->live++;
    return idx;
nomem:
    mi_free(heap_key);
    velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the GROUP BY table");
    return UINT32_MAX;
}

/* Unlinks and frees a record (its payload already destroyed by the caller). */
static void gt_remove(gtable *t, uint32_t idx) {
    grec *r = gt_rec(t, idx);
    gt_unlink(t, idx);
    if (r->flags & REC_KEY_HEAP) mi_free((void *)rec_key(t, r));
    r->flags = 0;
    r->next = t->free_head;
    t->free_head = idx + 1;
    t->live--;
}

/* Moves a live record to new window bounds (a session that grew at its start). */
static void gt_rewindow(gtable *t, uint32_t idx, int64_t ws, int64_t we) {
    grec *r = gt_rec(t, idx);
    if (rec_win(r)[0] != ws) {
        gt_unlink(t, idx);
        r->hash = gt_hash(rec_key(t, r), r->key_len, ws);
        rec_win(r)[0] = ws;
        gt_link(t, idx);
    }
    rec_win(r)[1] = we;
}

static void gt_free(gtable *t) {
    for (uint32_t i = 0; i < t->nrecs; i++) {
        grec *r = gt_rec(t, i);
        if ((r->flags & REC_LIVE) && (r->flags & REC_KEY_HEAP)) mi_free((void *)rec_key(t, r));
    }
    for (uint32_t c = 0; c < t->nchunks; c++)
        mi_free(t->chunks[c]);
    mi_free(t->chunks);
    mi_free(t->buckets);
    memset(t, 0, sizeof *t);
}

/* Bytes held by the table (chunks, bucket array, heap keys not counted). */
static uint64_t gt_bytes(const gtable *t) {
    return (uint64_t)t->nchunks * GT_CHUNK * t->rec_size + (uint64_t)t->nbuckets * 4 +
           (uint64_t)t->chunks_cap * sizeof(char *);
}

typedef struct group_op {
    velo_operator base;
    velo_group_config cfg;
    velo_group_agg *aggs;
    velo_schema *output;
    uint32_t *state_off; /* per aggregate: offset of its state in the record's payload */
    uint32_t states_size;
    gtable groups;
    gtable sessions; /* SESSION: key -> velo_sessions (the key's open sessions) */
    uint32_t *dirty; /* records marked REC_DIRTY since the last emission (EMIT CHANGES) */
    uint32_t ndirty, dirty_cap;
    int64_t max_event;     /* max event time seen (or advanced by ticks: processing time, idle.timeout) */
    int64_t last_input_us; /* wall clock of the last push (idle.timeout), 0 before any */
    int64_t watermark;
    int64_t min_open_end; /* lower bound of the window ends among live records (windowed) */
    velo_eval_ctx ctx;
    velo_batch *out;
    velo_strbuf keybuf;
    velo_strbuf batchkeys; /* unwindowed: the batch's encoded keys, back to back */
    uint32_t *key_off;     /* per batch position: offset in batchkeys, length, hash */
    uint32_t *key_len, *key_hash;
    uint32_t key_cap;
    velo_group_stats stats;
    /* two-phase (see "two-phase" below) */
    uint64_t local_rows;       /* PARTIAL: rows folded since the table was last emitted */
    uint64_t passthrough_left; /* PARTIAL: rows still to emit batch by batch before trying the table again */
    char *merge_state;         /* MERGE: one aligned copy of a partial row's states */
    /* per-batch scratch (grown as needed) */
    void **states;
    uint32_t *rows;
    uint32_t *pair_entry;
    uint32_t scratch_cap;
    /* SLIDING windows by panes (see group_pane_eligible): the records of `groups` are panes */
    bool panes;
    int64_t closed_upto; /* windows ending at or before it have been emitted */
    uint64_t seq;        /* rows folded so far: the pane record keeps its first row's number */
    gtable wins;         /* the windows being closed, combined from their panes */
} group_op;

static char *states_of(group_op *g, uint32_t idx) { return rec_payload(&g->groups, gt_rec(&g->groups, idx)); }

static void free_entry(group_op *g, uint32_t idx) {
    char *states = states_of(g, idx);
    for (uint32_t a = 0; a < g->cfg.naggs; a++)
        if (g->aggs[a].desc.destroy) g->aggs[a].desc.destroy(&g->aggs[a].desc, states + g->state_off[a]);
    gt_remove(&g->groups, idx);
}

/* Finds or creates the group for key bytes + window (h = gt_hash(key, len, ws)); returns its index
 * or UINT32_MAX (err set). */
static uint32_t find_or_insert_h(group_op *g, const char *key, uint32_t len, int64_t ws, int64_t we,
                                 uint32_t h, velo_error *err) {
    uint32_t idx = gt_find(&g->groups, key, len, ws, h);
    if (idx != UINT32_MAX) return idx;
    idx = gt_insert(&g->groups, key, len, ws, we, h, err);
    if (idx == UINT32_MAX) return idx;
    char *states = states_of(g, idx);
    for (uint32_t a = 0; a < g->cfg.naggs; a++)
        g->aggs[a].desc.init(&g->aggs[a].desc, states + g->state_off[a]);
    g->stats.groups_total++;
    if (g->cfg.windowed && we < g->min_open_end) g->min_open_end = we;
    return idx;
}

static uint32_t find_or_insert(group_op *g, const char *key, uint32_t len, int64_t ws, int64_t we,
                               velo_error *err) {
    return find_or_insert_h(g, key, len, ws, we, gt_hash(key, len, ws), err);
}

/* Unwindowed GROUP BY over a table larger than the caches spends its time waiting for the bucket
 * and the record of each row. So the keys of a batch are encoded and hashed first (their buckets
 * prefetched), and the main loop prefetches the chain head of the row PREFETCH_AHEAD rows on. */
#define PREFETCH_AHEAD 8

static velo_status mark_dirty(group_op *g, uint32_t idx, velo_error *err) {
    grec *r = gt_rec(&g->groups, idx);
    if (r->flags & REC_DIRTY) return VELO_OK;
    r->flags |= REC_DIRTY;
    if (!g->cfg.emit_changes) return VELO_OK; /* the flag alone: nothing emits per batch */
    if (g->ndirty == g->dirty_cap) {
        uint32_t nc = g->dirty_cap ? g->dirty_cap * 2 : 1024;
        uint32_t *d = mi_realloc(g->dirty, sizeof *d * nc);
        if (!d) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        g->dirty = d;
        g->dirty_cap = nc;
    }
    g->dirty[g->ndirty++] = idx;
    return VELO_OK;
}

/* ---- emission ---- */

static velo_status flush_out(group_op *g, velo_error *err) {
    return velo_operator_emit(&g->base, g->out, err);
}

/* One output row from an encoded key, window bounds and the aggregate states. */
static velo_status emit_parts(group_op *g, const char *p, int64_t ws, int64_t we, const char *states,
                              velo_error *err) {
    if (g->out->count == g->out->capacity) {
        velo_status st = flush_out(g, err);
        if (st) return st;
    }
    uint32_t row = g->out->count;
    uint32_t c = 0;
    for (; c < g->cfg.nkeys; c++)
        p = velo_key_decode(p, &g->out->cols[c], row, &g->out->arena);
    if (g->cfg.windowed) {
        velo_vector_set_valid(&g->out->cols[c], row);
        VELO_VEC(&g->out->cols[c], int64_t)[row] = ws;
        c++;
        velo_vector_set_valid(&g->out->cols[c], row);
        VELO_VEC(&g->out->cols[c], int64_t)[row] = we;
        c++;
    }
    for (uint32_t a = 0; a < g->cfg.naggs; a++, c++) {
        velo_status st = g->aggs[a].desc.finalize(&g->aggs[a].desc, states + g->state_off[a],
                                                  &g->out->cols[c], row, &g->out->arena, err);
        if (st) return st;
    }
    g->out->origin[row] = -1;
    g->out->count++;
    return VELO_OK;
}

static velo_status emit_rec(group_op *g, const gtable *t, uint32_t idx, velo_error *err) {
    grec *r = gt_rec(t, idx);
    return emit_parts(g, rec_key(t, r), t->windowed ? rec_win(r)[0] : 0, t->windowed ? rec_win(r)[1] : 0,
                      rec_payload(t, r), err);
}

static velo_status emit_entry(group_op *g, uint32_t idx, velo_error *err) {
    return emit_rec(g, &g->groups, idx, err);
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* EMIT CHANGES: the current row of every group changed since the last call, in table order. */
static velo_status emit_dirty(group_op *g, velo_error *err) {
    if (g->ndirty > 1) qsort(g->dirty, g->ndirty, sizeof *g->dirty, cmp_u32);
    for (uint32_t k = 0; k < g->ndirty; k++) {
        grec *r = gt_rec(&g->groups, g->dirty[k]);
        if (!(r->flags & REC_LIVE) || !(r->flags & REC_DIRTY)) continue;
        r->flags &= (uint8_t)~REC_DIRTY;
        velo_status st = emit_entry(g, g->dirty[k], err);
        if (st) return st;
    }
    g->ndirty = 0;
    return flush_out(g, err);
}

/* Removes the session [ws, ...) of the key from the key's session index (SESSION windows). */
static void forget_session(group_op *g, const char *key, uint32_t len, int64_t ws) {
    uint32_t h = gt_hash(key, len, 0);
    uint32_t si = gt_find(&g->sessions, key, len, 0, h);
    if (si == UINT32_MAX) return;
    velo_sessions *ss = (velo_sessions *)rec_payload(&g->sessions, gt_rec(&g->sessions, si));
    for (uint32_t k = 0; k < ss->count; k++)
        if (ss->items[k].start == ws) {
            memmove(ss->items + k, ss->items + k + 1, (size_t)(ss->count - k - 1) * sizeof *ss->items);
            ss->count--;
            break;
        }
    if (!ss->count) {
        velo_sessions_free(ss);
        gt_remove(&g->sessions, si);
    }
}

static velo_status close_panes(group_op *g, int64_t limit, velo_error *err);

/* Emits (unless EMIT CHANGES already did) and frees every window that ends at or before `limit`. */
static velo_status close_windows(group_op *g, int64_t limit, velo_error *err) {
    if (g->panes) return close_panes(g, limit, err);
    if (g->min_open_end > limit) return VELO_OK;
    int64_t next_min = INT64_MAX;
    bool session = g->cfg.window.kind == VELO_WIN_SESSION;
    for (uint32_t i = 0; i < g->groups.nrecs; i++) {
        grec *r = gt_rec(&g->groups, i);
        if (!(r->flags & REC_LIVE)) continue;
        int64_t end = rec_win(r)[1];
        if (end > limit) {
            if (end < next_min) next_min = end;
            continue;
        }
        if (!g->cfg.emit_changes || (r->flags & REC_DIRTY)) {
            velo_status st = emit_entry(g, i, err);
            if (st) return st;
        }
        if (session) forget_session(g, rec_key(&g->groups, r), r->key_len, rec_win(r)[0]);
        free_entry(g, i);
        g->stats.windows_closed++;
    }
    g->min_open_end = next_min;
    g->ndirty = 0; /* every dirty record was emitted or is still flagged (emit_dirty ran first) */
    return flush_out(g, err);
}

/* ---- push ---- */

static velo_status ensure_scratch(group_op *g, uint32_t n, velo_error *err) {
    if (n <= g->scratch_cap) return VELO_OK;
    mi_free(g->states);
    mi_free(g->rows);
    mi_free(g->pair_entry);
    g->states = mi_malloc(sizeof *g->states * n);
    g->rows = mi_malloc(sizeof *g->rows * n);
    g->pair_entry = mi_malloc(sizeof *g->pair_entry * n);
    if (!g->states || !g->rows || !g->pair_entry) {
        g->scratch_cap = 0;
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    }
    g->scratch_cap = n;
    return VELO_OK;
}

static bool vec_true(const velo_vector *v, uint32_t row) {
    return velo_vector_is_valid(v, row) && VELO_VEC(v, uint8_t)[row];
}

/* One update call per aggregate over the (row, group) pairs collected so far. */
static velo_status fold_pairs(group_op *g, uint32_t npairs, const velo_vector *argv,
                              velo_vector *const *filtv, velo_error *err) {
    for (uint32_t a = 0, ai = 0; a < g->cfg.naggs; ai += g->aggs[a].nargs, a++) {
        uint32_t m = 0;
        uint32_t *rows = velo_arena_alloc(&g->ctx.scratch, sizeof *rows * (npairs + 1));
        if (!rows) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        for (uint32_t k = 0; k < npairs; k++) {
            if (filtv[a] && !vec_true(filtv[a], g->rows[k])) continue;
            g->states[m] = states_of(g, g->pair_entry[k]) + g->state_off[a];
            rows[m++] = g->rows[k];
        }
        velo_status st;
        if (m && (st = g->aggs[a].desc.update(&g->aggs[a].desc, g->states, &argv[ai], rows, m, err)))
            return st;
    }
    return VELO_OK;
}

/* ---- SLIDING windows by panes ----
 *
 * A sliding window of size S every A (S a multiple of A) is S/A consecutive panes of length A. A
 * row is folded into the one pane holding its event time, instead of into each of its S/A windows
 * (Flink's "slicing"); when windows close, each is combined from its panes with the aggregates'
 * merge. The same rows reach the same windows: a row goes only into windows not yet emitted
 * (closed_upto), and when the row's own watermark passed a window not yet emitted, that window is
 * emitted before the row is added (the per-window path leaves the row out of it). Rows of the
 * windows closed together come out in the order the per-window path creates their records (first
 * row of the key in the window, then window start). Only aggregates whose merge gives exactly
 * the per-row result whatever the order of the rows: COUNT, SUM/AVG of BIGINT and DECIMAL,
 * MIN/MAX of non-floating types, none DISTINCT; not with EMIT CHANGES (a row would change S/A
 * rows). */

static bool group_pane_eligible(const velo_group_config *c) {
    if (!c->windowed || c->emit_changes || c->window.kind != VELO_WIN_SLIDING) return false;
    /* source watermarks: a row's partition may be past a window the others still feed, which a pane
     * (shared by all its windows) cannot leave the row out of */
    if (c->source_watermarks) return false;
    int64_t size = c->window.size_us, adv = c->window.advance_us;
    if (adv <= 0 || size <= adv || size % adv || size / adv > 64) return false;
    for (uint32_t a = 0; a < c->naggs; a++) {
        const velo_agg_desc *d = &c->aggs[a].desc;
        if (d->distinct || !d->merge) return false;
        velo_type_id t = d->nargs ? d->args[0].id : VELO_TYPE_NULL;
        bool exact = t == VELO_TYPE_BIGINT || t == VELO_TYPE_DECIMAL;
        if (!strcmp(d->name, "COUNT")) continue;
        if ((!strcmp(d->name, "SUM") || !strcmp(d->name, "AVG")) && exact) continue;
        if ((!strcmp(d->name, "MIN") || !strcmp(d->name, "MAX")) &&
            (exact || t == VELO_TYPE_TIMESTAMP || t == VELO_TYPE_DATE || t == VELO_TYPE_VARCHAR ||
             t == VELO_TYPE_BOOLEAN))
            continue;
        return false;
    }
    return true;
}

static uint64_t *rec_seq(group_op *g, const gtable *t, grec *r) {
    return (uint64_t *)(rec_payload(t, r) + g->states_size);
}

static void destroy_states(group_op *g, char *states) {
    for (uint32_t a = 0; a < g->cfg.naggs; a++)
        if (g->aggs[a].desc.destroy) g->aggs[a].desc.destroy(&g->aggs[a].desc, states + g->state_off[a]);
}

/* Empties the table of windows being closed (keeps its memory); `moved`: the states were moved out
 * (their heap parts belong to the copy). */
static void pane_clear_states(group_op *g, bool moved) {
    gtable *w = &g->wins;
    for (uint32_t i = 0; i < w->nrecs; i++) {
        grec *r = gt_rec(w, i);
        if (!(r->flags & REC_LIVE)) continue;
        if (!moved) destroy_states(g, rec_payload(w, r));
        if (r->flags & REC_KEY_HEAP) mi_free((void *)rec_key(w, r));
        r->flags = 0;
    }
    if (w->nbuckets) memset(w->buckets, 0, sizeof *w->buckets * w->nbuckets);
    w->nrecs = w->live = w->free_head = 0;
}

static void pane_clear(group_op *g) { pane_clear_states(g, false); }

typedef struct pane_out {
    uint64_t seq;
    int64_t ws;
    uint32_t idx;
} pane_out;

static int cmp_pane_out(const void *a, const void *b) {
    const pane_out *x = a, *y = b;
    if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
    return x->ws < y->ws ? -1 : x->ws > y->ws;
}

/* close_windows for panes: combines, emits and frees the windows ending in (closed_upto, limit];
 * frees the panes no open window needs. */
typedef struct pane_res { /* a combined window, followed by its states */
    uint64_t seq;
    int64_t ws, we;
    const char *key;
} pane_res;

typedef struct pane_ref {
    int64_t ps;
    uint32_t idx;
} pane_ref;

static int cmp_pane_ref(const void *a, const void *b) {
    const pane_ref *x = a, *y = b;
    if (x->ps != y->ps) return x->ps < y->ps ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_win(const void *a, const void *b) {
    const velo_win *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Merges pane record `pi` into the record of window w in the table of closing windows. */
static velo_status pane_merge(group_op *g, uint32_t pi, velo_win w, velo_error *err) {
    gtable *pt = &g->groups, *wt = &g->wins;
    grec *r = gt_rec(pt, pi);
    const char *key = rec_key(pt, r);
    uint64_t seq = *rec_seq(g, pt, r);
    uint32_t h = gt_hash(key, r->key_len, w.start);
    uint32_t k = gt_find(wt, key, r->key_len, w.start, h);
    if (k == UINT32_MAX) {
        if ((k = gt_insert(wt, key, r->key_len, w.start, w.end, h, err)) == UINT32_MAX) return VELO_ERR_NOMEM;
        char *dst = rec_payload(wt, gt_rec(wt, k));
        for (uint32_t a = 0; a < g->cfg.naggs; a++)
            g->aggs[a].desc.init(&g->aggs[a].desc, dst + g->state_off[a]);
        *rec_seq(g, wt, gt_rec(wt, k)) = seq;
        *(const char **)(dst + g->states_size + 8) = key; /* the pane's key: outlives wt's */
    }
    grec *wr = gt_rec(wt, k);
    char *dst = rec_payload(wt, wr), *src = rec_payload(pt, r);
    if (seq < *rec_seq(g, wt, wr)) *rec_seq(g, wt, wr) = seq;
    for (uint32_t a = 0; a < g->cfg.naggs; a++) {
        velo_status st =
            g->aggs[a].desc.merge(&g->aggs[a].desc, dst + g->state_off[a], src + g->state_off[a], err);
        if (st) return st;
    }
    return VELO_OK;
}

/* close_windows for panes: combines, emits and frees the windows ending in (closed_upto, limit];
 * frees the panes no open window needs. Window after window (the panes sorted by start), so the
 * records of the window being combined stay in the cache. */
static velo_status close_panes(group_op *g, int64_t limit, velo_error *err) {
    if (limit <= g->closed_upto) return VELO_OK;
    if (g->min_open_end > limit) { /* no window with rows ends by then */
        g->closed_upto = limit;
        return VELO_OK;
    }
    gtable *pt = &g->groups, *wt = &g->wins;
    int64_t next_min = INT64_MAX;
    velo_win ws[64];
    velo_status st = VELO_OK;
    pane_ref *panes = mi_malloc(sizeof *panes * (pt->live + 1));
    velo_win *wins = NULL;
    uint32_t np = 0, nwins = 0, wcap = 0;
    if (!panes) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory closing windows");
    for (uint32_t i = 0; i < pt->nrecs; i++)
        if (gt_rec(pt, i)->flags & REC_LIVE) panes[np++] = (pane_ref){rec_win(gt_rec(pt, i))[0], i};
    bool sorted = true; /* records are made in arrival order: mostly by start already */
    for (uint32_t i = 1; i < np && sorted; i++)
        sorted = cmp_pane_ref(&panes[i - 1], &panes[i]) < 0;
    if (!sorted) qsort(panes, np, sizeof *panes, cmp_pane_ref);
    /* the closing windows (once per distinct pane start), and where the other windows end */
    for (uint32_t i = 0; i < np && !st; i++) {
        uint32_t nw = velo_win_assign(&g->cfg.window, panes[i].ps, ws, 64);
        bool first = i == 0 || panes[i].ps != panes[i - 1].ps;
        for (uint32_t w = 0; w < nw; w++) {
            if (ws[w].end <= g->closed_upto) continue; /* emitted before */
            if (ws[w].end > limit) {
                if (ws[w].end < next_min) next_min = ws[w].end;
                continue;
            }
            if (!first) continue;
            if (nwins == wcap) {
                wcap = wcap ? wcap * 2 : 64;
                velo_win *nw2 = mi_realloc(wins, sizeof *wins * wcap);
                if (!nw2) {
                    st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory closing windows");
                    break;
                }
                wins = nw2;
            }
            wins[nwins++] = ws[w];
        }
    }
    if (!st && nwins > 1) { /* ascending, each once */
        qsort(wins, nwins, sizeof *wins, cmp_win);
        uint32_t u = 1;
        for (uint32_t k = 1; k < nwins; k++)
            if (wins[k].start != wins[u - 1].start) wins[u++] = wins[k];
        nwins = u;
    }
    /* each window is combined in the (small) table wt, then its records move to `res`: key (the pane
     * record's, kept until the end), bounds and states; all are emitted in creation order at the end */
    size_t rsize = sizeof(pane_res) + ((g->states_size + 7) & ~(size_t)7);
    char *res = NULL;
    uint32_t n = 0, rcap = 0, lo = 0;
    for (uint32_t k = 0; k < nwins && !st; k++) {
        while (lo < np && panes[lo].ps < wins[k].start)
            lo++;
        for (uint32_t i = lo; i < np && panes[i].ps < wins[k].end && !st; i++)
            st = pane_merge(g, panes[i].idx, wins[k], err);
        if (!st && n + wt->live > rcap) {
            uint32_t nc = rcap ? rcap * 2 : 1024;
            while (nc < n + wt->live)
                nc *= 2;
            char *nr = mi_realloc(res, rsize * nc);
            if (!nr)
                st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory closing windows");
            else
                res = nr, rcap = nc;
        }
        for (uint32_t i = 0; !st && i < wt->nrecs; i++) {
            grec *r = gt_rec(wt, i);
            if (!(r->flags & REC_LIVE)) continue;
            pane_res *o = (pane_res *)(res + rsize * n++);
            o->seq = *rec_seq(g, wt, r);
            o->ws = rec_win(r)[0];
            o->we = rec_win(r)[1];
            o->key = *(const char **)(rec_payload(wt, r) + g->states_size + 8);
            memcpy(o + 1, rec_payload(wt, r), g->states_size);
        }
        pane_clear_states(g, !st);
    }
    pane_out *order = st || !n ? NULL : mi_malloc(sizeof *order * n);
    if (!st && n && !order) st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory closing windows");
    for (uint32_t k = 0; order && k < n; k++) {
        const pane_res *o = (const pane_res *)(res + rsize * k);
        order[k] = (pane_out){o->seq, o->ws, k};
    }
    if (order && n > 1) qsort(order, n, sizeof *order, cmp_pane_out);
    for (uint32_t k = 0; order && k < n && !st; k++) {
        const pane_res *o = (const pane_res *)(res + rsize * order[k].idx);
        st = emit_parts(g, o->key, o->ws, o->we, (const char *)(o + 1), err);
    }
    for (uint32_t k = 0; k < n; k++)
        destroy_states(g, res + rsize * k + sizeof(pane_res));
    g->stats.windows_closed += n;
    mi_free(order);
    mi_free(res);
    /* a pane whose every window has closed goes (after the emission: the rows point at its key) */
    for (uint32_t i = 0; i < np && !st; i++) {
        uint32_t nw = velo_win_assign(&g->cfg.window, panes[i].ps, ws, 64);
        if (!nw || ws[nw - 1].end <= limit) free_entry(g, panes[i].idx);
    }
    mi_free(panes);
    mi_free(wins);
    if (st) return st;
    g->closed_upto = limit;
    g->min_open_end = next_min;
    return flush_out(g, err);
}

/* velo_win_assign + the open-window filter of group_push for panes (size a multiple of advance:
 * always size/advance windows), without listing them: *open, wins[0] (the oldest open window) and
 * wins[*open - 1] (the newest). False near the ends of the time range (bounds clamped): the
 * general path then. */
static bool pane_windows(const velo_win_spec *s, int64_t t, bool closing, int64_t limit, velo_win *wins,
                         uint32_t *open) {
    int64_t adv = s->advance_us, size = s->size_us, n = size / adv;
    __int128 r = ((__int128)t - s->offset_us) % adv;
    if (r < 0) r += adv;
    __int128 newest = (__int128)t - r, oldest = newest - (__int128)(n - 1) * adv;
    if (oldest < INT64_MIN || newest + size > INT64_MAX) return false;
    int64_t k0 = 0;
    if (closing && oldest + size <= limit) {
        __int128 k = ((__int128)limit - (oldest + size)) / adv + 1;
        k0 = k > n ? n : (int64_t)k;
    }
    *open = (uint32_t)(n - k0);
    if (*open) {
        int64_t first = (int64_t)(oldest + (__int128)k0 * adv);
        wins[0] = (velo_win){first, first + size};
        wins[*open - 1] = (velo_win){(int64_t)newest, (int64_t)newest + size};
    }
    return true;
}

/* Folds the row into its pane (wins[0..nw): its open windows, the newest last); first emits the
 * windows the row's own watermark (limit) passed. */
static velo_status pane_add(group_op *g, const velo_win *wins, uint32_t nw, bool closing, int64_t limit,
                            uint32_t *npairs, const velo_vector *argv, velo_vector *const *filtv,
                            uint32_t row, velo_error *err) {
    velo_status st;
    if (closing && limit > g->closed_upto && g->min_open_end <= limit) {
        if ((st = fold_pairs(g, *npairs, argv, filtv, err))) return st;
        *npairs = 0;
        if ((st = close_panes(g, limit, err))) return st;
    }
    int64_t ps = wins[nw - 1].start, pe;
    if (__builtin_add_overflow(ps, g->cfg.window.advance_us, &pe)) pe = INT64_MAX;
    const char *key = g->keybuf.data ? g->keybuf.data : "";
    uint64_t before = g->stats.groups_total;
    uint32_t idx = find_or_insert(g, key, (uint32_t)g->keybuf.len, ps, pe, err);
    if (idx == UINT32_MAX) return VELO_ERR_NOMEM;
    uint64_t seq = g->seq++;
    if (g->stats.groups_total != before) *rec_seq(g, &g->groups, gt_rec(&g->groups, idx)) = seq;
    if (wins[0].end < g->min_open_end) g->min_open_end = wins[0].end;
    g->pair_entry[*npairs] = idx;
    g->rows[*npairs] = row;
    (*npairs)++;
    return VELO_OK;
}

/* SESSION: puts event time t of the key in keybuf into its session; returns the group record of
 * that session in *idx, or UINT32_MAX when the row is late (its session would be closed already).
 * A row that bridges two sessions merges the later one's states into the earlier one's, after
 * folding the pairs collected so far (they may point at the record that goes away). */
static velo_status session_assign(group_op *g, int64_t t, int64_t limit, uint32_t *npairs,
                                  const velo_vector *argv, velo_vector *const *filtv, uint32_t *idx,
                                  velo_error *err) {
    const char *key = g->keybuf.data ? g->keybuf.data : "";
    uint32_t len = (uint32_t)g->keybuf.len;
    uint32_t h = gt_hash(key, len, 0);
    uint32_t si = gt_find(&g->sessions, key, len, 0, h);
    if (si == UINT32_MAX) {
        if ((si = gt_insert(&g->sessions, key, len, 0, 0, h, err)) == UINT32_MAX) return VELO_ERR_NOMEM;
        memset(rec_payload(&g->sessions, gt_rec(&g->sessions, si)), 0, sizeof(velo_sessions));
    }
    velo_sessions *ss = (velo_sessions *)rec_payload(&g->sessions, gt_rec(&g->sessions, si));
    int64_t t_end;
    if (__builtin_add_overflow(t, g->cfg.window.size_us, &t_end)) t_end = INT64_MAX;
    if (t_end <= limit) {
        /* the row's own [t, t + gap) is closed: it is late unless it joins a session still open */
        bool joins_open = false;
        for (uint32_t k = 0; k < ss->count && !joins_open; k++)
            joins_open = ss->items[k].start < t_end && ss->items[k].end > t && ss->items[k].end > limit;
        if (!joins_open) {
            if (!ss->count) {
                velo_sessions_free(ss);
                gt_remove(&g->sessions, si);
            }
            *idx = UINT32_MAX;
            return VELO_OK;
        }
    }
    velo_session_change chg;
    velo_status st = velo_sessions_add(ss, g->cfg.window.size_us, t, &chg, err);
    if (st) return st;
    if (chg.created) {
        *idx = find_or_insert(g, key, len, chg.result.start, chg.result.end, err);
        return *idx == UINT32_MAX ? VELO_ERR_NOMEM : VELO_OK;
    }
    if (chg.nmerged == 0) {
        *idx = gt_find(&g->groups, key, len, chg.result.start, gt_hash(key, len, chg.result.start));
    } else {
        *idx = gt_find(&g->groups, key, len, chg.merged[0].start, gt_hash(key, len, chg.merged[0].start));
        if (chg.nmerged == 2) {
            uint32_t other =
                gt_find(&g->groups, key, len, chg.merged[1].start, gt_hash(key, len, chg.merged[1].start));
            if ((st = fold_pairs(g, *npairs, argv, filtv, err))) return st;
            *npairs = 0;
            if (*idx != UINT32_MAX && other != UINT32_MAX) {
                char *dst = states_of(g, *idx), *src = states_of(g, other);
                for (uint32_t a = 0; a < g->cfg.naggs; a++)
                    if ((st = g->aggs[a].desc.merge(&g->aggs[a].desc, dst + g->state_off[a],
                                                    src + g->state_off[a], err)))
                        return st;
                free_entry(g, other);
            }
        }
        if (*idx != UINT32_MAX) gt_rewindow(&g->groups, *idx, chg.result.start, chg.result.end);
    }
    if (*idx == UINT32_MAX) /* the index and the table disagree: a bug, not bad input */
        return velo_error_set(err, VELO_ERR_INTERNAL, "session window state lost for a key");
    return VELO_OK;
}

/* A row's event time in µs from its time column: a TIMESTAMP, epoch milliseconds (BIGINT) or
 * ISO-8601 text (VARCHAR), as 'event.time.field' allows. False when the value cannot be one. */
static bool event_time_of(const velo_vector *tv, uint32_t row, int64_t *out) {
    switch (tv->type.id) {
    case VELO_TYPE_BIGINT: {
        int64_t ms = VELO_VEC(tv, int64_t)[row];
        return !__builtin_mul_overflow(ms, 1000, out);
    }
    case VELO_TYPE_VARCHAR: {
        velo_str sv = VELO_VEC(tv, velo_str)[row];
        return velo_parse_timestamp(sv.ptr, sv.len, out);
    }
    default: *out = VELO_VEC(tv, int64_t)[row]; return true;
    }
}

static velo_status merge_push(group_op *g, velo_batch *b, velo_error *err);
static velo_status partial_after_push(group_op *g, uint32_t n, velo_error *err);
static velo_status partial_flush(group_op *g, velo_error *err);

/* 'state.max.bytes': a group table that grew past it fails the job with a message naming the operator,
 * rather than exhausting memory (checked after each batch, when the table is at its largest). */
static velo_status state_check(const group_op *g, velo_error *err) {
    const velo_group_config *c = &g->cfg;
    if (!c->max_state_bytes) return VELO_OK;
    uint64_t bytes = gt_bytes(&g->groups) + gt_bytes(&g->sessions);
    if (bytes <= c->max_state_bytes) return VELO_OK;
    return velo_error_set_at(err, VELO_ERR_NOMEM, c->line, c->col,
                             "%s state holds %llu bytes in %llu groups, over 'state.max.bytes'=%llu; raise "
                             "'state.max.bytes', %s",
                             c->state_name ? c->state_name : "GROUP BY", (unsigned long long)bytes,
                             (unsigned long long)g->groups.live, (unsigned long long)c->max_state_bytes,
                             c->windowed ? "use smaller windows or a smaller watermark delay"
                                         : "add a WINDOW clause, or group by fewer distinct keys");
}

static velo_status group_push(velo_operator *o, velo_batch *b, velo_error *err) {
    group_op *g = (group_op *)o;
    const velo_group_config *c = &g->cfg;
    if (c->phase == VELO_GROUP_MERGE) return merge_push(g, b, err);
    velo_eval_ctx_reset(&g->ctx);
    uint32_t n = velo_batch_live(b);
    if (!n) return VELO_OK;
    uint32_t *sel = velo_arena_alloc(&g->ctx.scratch, sizeof *sel * n);
    if (!sel) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t k = 0; k < n; k++)
        sel[k] = velo_batch_row(b, k);

    /* evaluate keys, aggregate arguments and filters for the whole batch */
    velo_vector **keyv = velo_arena_alloc(&g->ctx.scratch, sizeof *keyv * (c->nkeys + 1));
    for (uint32_t i = 0; i < c->nkeys; i++) {
        velo_status st = velo_expr_eval(c->keys[i], b, sel, n, &g->ctx, &keyv[i], err);
        if (st) return st;
    }
    uint32_t total_args = 0;
    for (uint32_t a = 0; a < c->naggs; a++)
        total_args += g->aggs[a].nargs;
    velo_vector *argv = velo_arena_alloc(&g->ctx.scratch, sizeof *argv * (total_args + 1));
    velo_vector **filtv = velo_arena_alloc(&g->ctx.scratch, sizeof *filtv * (c->naggs + 1));
    for (uint32_t a = 0, ai = 0; a < c->naggs; a++) {
        for (uint32_t j = 0; j < g->aggs[a].nargs; j++, ai++) {
            velo_vector *r;
            velo_status st = velo_expr_eval(g->aggs[a].args[j], b, sel, n, &g->ctx, &r, err);
            if (st) return st;
            argv[ai] = *r;
        }
        filtv[a] = NULL;
        if (g->aggs[a].filter) {
            velo_status st = velo_expr_eval(g->aggs[a].filter, b, sel, n, &g->ctx, &filtv[a], err);
            if (st) return st;
        }
    }

    velo_win wins[64];
    bool session = c->windowed && c->window.kind == VELO_WIN_SESSION;
    uint32_t maxw = c->windowed && !session
                        ? (uint32_t)((c->window.size_us + c->window.advance_us - 1) / c->window.advance_us)
                        : 1;
    if (maxw > 64) maxw = 64;
    velo_status st = ensure_scratch(g, n * maxw, err);
    if (st) return st;

    bool single = !c->windowed && c->nkeys == 0; /* one group: nothing to encode or look up per row */
    uint32_t single_idx = UINT32_MAX;
    bool pre = !single && !c->windowed && n > 1; /* keys encoded and hashed ahead (see PREFETCH_AHEAD) */
    if (pre && n > g->key_cap) {
        mi_free(g->key_off);
        mi_free(g->key_len);
        mi_free(g->key_hash);
        g->key_off = mi_malloc(sizeof *g->key_off * n);
        g->key_len = mi_malloc(sizeof *g->key_len * n);
        g->key_hash = mi_malloc(sizeof *g->key_hash * n);
        g->key_cap = g->key_off && g->key_len && g->key_hash ? n : 0;
        if (!g->key_cap) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    }
    if (pre) {
        velo_strbuf_clear(&g->batchkeys);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t row = sel[k];
            g->key_off[k] = (uint32_t)g->batchkeys.len;
            if (g->ctx.errors.count && g->ctx.errors.flag[row]) { /* reported in the main loop */
                g->key_len[k] = 0;
                continue;
            }
            for (uint32_t i = 0; i < c->nkeys; i++)
                if ((st = velo_key_encode(&g->batchkeys, keyv[i], row, "GROUP BY", err))) return st;
            g->key_len[k] = (uint32_t)g->batchkeys.len - g->key_off[k];
        }
        for (uint32_t k = 0; k < n; k++) {
            g->key_hash[k] =
                gt_hash(g->batchkeys.data ? g->batchkeys.data + g->key_off[k] : "", g->key_len[k], 0);
            if (g->groups.nbuckets)
                __builtin_prefetch(&g->groups.buckets[g->key_hash[k] & (g->groups.nbuckets - 1)]);
        }
    }
    int64_t now_us = 0; /* processing time: one reading of the wall clock per batch */
    if (c->windowed && c->time_column < 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    }
    uint32_t npairs = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t row = sel[k];
        if (g->ctx.errors.count && g->ctx.errors.flag[row]) {
            o->rows_failed++;
            if (c->on_error.fn &&
                (st = c->on_error.fn(c->on_error.ud, b, row, g->ctx.errors.message[row], err)))
                return st;
            continue;
        }
        if (single) {
            if (single_idx == UINT32_MAX) {
                if ((single_idx = find_or_insert(g, "", 0, 0, 0, err)) == UINT32_MAX) return VELO_ERR_NOMEM;
                if ((st = mark_dirty(g, single_idx, err))) return st;
            }
            g->pair_entry[npairs] = single_idx;
            g->rows[npairs] = row;
            npairs++;
            continue;
        }
        if (pre) {
            if (k + PREFETCH_AHEAD < n && g->groups.nbuckets) {
                uint32_t head = g->groups.buckets[g->key_hash[k + PREFETCH_AHEAD] & (g->groups.nbuckets - 1)];
                if (head) __builtin_prefetch(gt_rec(&g->groups, head - 1));
            }
            uint32_t idx = find_or_insert_h(g, g->batchkeys.data ? g->batchkeys.data + g->key_off[k] : "",
                                            g->key_len[k], 0, 0, g->key_hash[k], err);
            if (idx == UINT32_MAX) return VELO_ERR_NOMEM;
            if ((st = mark_dirty(g, idx, err))) return st;
            g->pair_entry[npairs] = idx;
            g->rows[npairs] = row;
            npairs++;
            continue;
        }
        velo_strbuf_clear(&g->keybuf);
        for (uint32_t i = 0; i < c->nkeys; i++)
            if ((st = velo_key_encode(&g->keybuf, keyv[i], row, "GROUP BY", err))) return st;
        uint32_t nw = 1;
        wins[0] = (velo_win){0, 0};
        uint32_t sidx = UINT32_MAX;
        if (c->windowed) {
            const velo_vector *tv = c->time_column >= 0 ? &b->cols[c->time_column] : NULL;
            if (tv && !velo_vector_is_valid(tv, row)) {
                o->rows_failed++;
                if (c->on_error.fn &&
                    (st = c->on_error.fn(c->on_error.ud, b, row,
                                         "the row's event time is NULL: no window to put it in", err)))
                    return st;
                continue;
            }
            int64_t t = now_us;
            if (tv && !event_time_of(tv, row, &t)) {
                o->rows_failed++;
                if (c->on_error.fn &&
                    (st = c->on_error.fn(c->on_error.ud, b, row,
                                         tv->type.id == VELO_TYPE_BIGINT
                                             ? "the row's event time (epoch milliseconds) is out of range"
                                             : "the row's event time is not an ISO-8601 timestamp",
                                         err)))
                    return st;
                continue;
            }
            /* the watermark a row sees is the one its predecessors made (per row, so that results do
             * not depend on how rows are cut into batches) */
            int64_t wm = g->max_event == INT64_MIN ? INT64_MIN : g->max_event - c->delay_us;
            /* source watermarks: the row's own partition's watermark before it, or the one the
             * windows closed by if higher (a partition that joined late, or came back from idle) */
            if (c->source_watermarks) {
                wm = b->row_wm && b->row_wm[row] > g->watermark ? b->row_wm[row] : g->watermark;
                if (wm == VELO_WATERMARK_IDLE) wm = INT64_MIN;
            }
            bool closing = c->use_watermark && wm != INT64_MIN;
            int64_t limit = closing ? wm - c->lateness_us : INT64_MIN;
            uint32_t open = 0;
            if (session) {
                if ((st = session_assign(g, t, limit, &npairs, argv, filtv, &sidx, err))) return st;
                open = sidx != UINT32_MAX;
            } else if (!(g->panes && pane_windows(&c->window, t, closing, limit, wins, &open))) {
                nw = velo_win_assign(&c->window, t, wins, maxw);
                for (uint32_t w = 0; w < nw; w++)
                    if (!(closing && wins[w].end <= limit)) wins[open++] = wins[w];
            }
            if (!open) { /* every window of this row has closed */
                g->stats.late_rows++;
                if (c->late_to_dlq && c->on_error.fn) {
                    char msg[200], ts[40], wms[40];
                    velo_format_timestamp(t, ts);
                    velo_format_timestamp(wm, wms);
                    snprintf(msg, sizeof msg,
                             "late row: event time %s is behind the watermark %s, its window closed", ts,
                             wms);
                    if ((st = c->on_error.fn(c->on_error.ud, b, row, msg, err))) return st;
                }
                continue;
            }
            nw = open;
            if (t > g->max_event) g->max_event = t;
            if (g->panes) {
                if ((st = pane_add(g, wins, nw, closing, limit, &npairs, argv, filtv, row, err))) return st;
                continue;
            }
        }
        for (uint32_t w = 0; w < nw; w++) {
            uint32_t idx = sidx != UINT32_MAX
                               ? sidx
                               : find_or_insert(g, g->keybuf.data ? g->keybuf.data : "",
                                                (uint32_t)g->keybuf.len, wins[w].start, wins[w].end, err);
            if (idx == UINT32_MAX) return VELO_ERR_NOMEM;
            if ((st = mark_dirty(g, idx, err))) return st;
            g->pair_entry[npairs] = idx;
            g->rows[npairs] = row;
            npairs++;
        }
    }

    if ((st = fold_pairs(g, npairs, argv, filtv, err))) return st;
    if ((st = state_check(g, err))) return st;
    if (c->emit_changes && (st = emit_dirty(g, err))) return st;
    if (c->windowed && c->idle_us > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        g->last_input_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    }
    if (c->windowed && c->use_watermark && !c->source_watermarks && g->max_event != INT64_MIN) {
        g->watermark = g->max_event - c->delay_us;
        if ((st = close_windows(g, g->watermark - c->lateness_us, err))) return st;
    }
    if (c->phase == VELO_GROUP_PARTIAL) return partial_after_push(g, npairs, err);
    return VELO_OK;
}

/* Time passes without input. Processing-time windows close when the wall clock passes their end
 * (+ delay + lateness); with 'idle.timeout', once no row came for that long, event time is taken to
 * advance with the wall clock from the last event time seen, so a quiet stream's last windows close
 * instead of waiting for a row that may never come. A row that arrives later behind the advanced
 * watermark is late like any other. */
static velo_status group_tick(velo_operator *o, int64_t now_us, velo_error *err) {
    group_op *g = (group_op *)o;
    const velo_group_config *c = &g->cfg;
    if (c->windowed && c->use_watermark) {
        int64_t advanced = INT64_MIN;
        if (c->time_column < 0)
            advanced = now_us;
        else if (c->idle_us > 0 && g->max_event != INT64_MIN && g->last_input_us &&
                 now_us - g->last_input_us >= c->idle_us)
            advanced = g->max_event + (now_us - g->last_input_us);
        if (advanced != INT64_MIN && advanced > g->max_event) {
            if (c->time_column >= 0) g->last_input_us = now_us; /* advance by the time since this tick next */
            g->max_event = advanced;
            g->watermark = advanced - c->delay_us;
            velo_status st = close_windows(g, g->watermark - c->lateness_us, err);
            if (st) return st;
        }
    }
    return g->base.next ? velo_operator_tick(g->base.next, now_us, err) : VELO_OK;
}

/* Source watermarks: windows close once the watermark of every partition (the minimum, over the
 * exchange's producers on several cores) passed their end + allowed lateness. */
static velo_status group_watermark(velo_operator *o, int64_t wm_us, velo_error *err) {
    group_op *g = (group_op *)o;
    const velo_group_config *c = &g->cfg;
    if (!c->windowed || !c->use_watermark || !c->source_watermarks || wm_us == INT64_MIN ||
        wm_us == VELO_WATERMARK_IDLE || wm_us <= g->watermark)
        return VELO_OK;
    g->watermark = wm_us;
    if (wm_us + c->delay_us > g->max_event) g->max_event = wm_us + c->delay_us; /* idle.timeout from here */
    return close_windows(g, wm_us - c->lateness_us, err);
}

static velo_status group_finish(velo_operator *o, velo_error *err) {
    group_op *g = (group_op *)o;
    velo_status st;
    if (g->cfg.phase == VELO_GROUP_PARTIAL) {
        st = partial_flush(g, err);
    } else if (g->cfg.windowed) {
        st = close_windows(g, INT64_MAX, err);
    } else if (g->cfg.emit_changes) {
        st = emit_dirty(g, err);
    } else {
        st = VELO_OK;
        /* SQL: an aggregate without GROUP BY over no rows still has one row (COUNT 0, SUM NULL) */
        if (g->cfg.nkeys == 0 && g->groups.live == 0 && find_or_insert(g, "", 0, 0, 0, err) == UINT32_MAX)
            return VELO_ERR_NOMEM;
        for (uint32_t i = 0; i < g->groups.nrecs && !st; i++)
            if (gt_rec(&g->groups, i)->flags & REC_LIVE) st = emit_entry(g, i, err);
        if (!st) st = flush_out(g, err);
    }
    if (st) return st;
    return g->base.next ? velo_operator_finish(g->base.next, err) : VELO_OK;
}

static void group_destroy(velo_operator *o) {
    group_op *g = (group_op *)o;
    bool any_destroy = false; /* states with heap parts; nothing else needs a walk over the groups */
    for (uint32_t a = 0; g->aggs && a < g->cfg.naggs; a++)
        any_destroy |= g->aggs[a].desc.destroy != NULL;
    for (uint32_t i = 0; any_destroy && i < g->groups.nrecs; i++) {
        grec *r = gt_rec(&g->groups, i);
        if (!(r->flags & REC_LIVE)) continue;
        char *states = rec_payload(&g->groups, r);
        for (uint32_t a = 0; a < g->cfg.naggs; a++)
            if (g->aggs[a].desc.destroy) g->aggs[a].desc.destroy(&g->aggs[a].desc, states + g->state_off[a]);
    }
    for (uint32_t i = 0; i < g->sessions.nrecs; i++) {
        grec *r = gt_rec(&g->sessions, i);
        if (r->flags & REC_LIVE) velo_sessions_free((velo_sessions *)rec_payload(&g->sessions, r));
    }
    if (g->panes) pane_clear(g);
    gt_free(&g->groups);
    gt_free(&g->sessions);
    gt_free(&g->wins);
    for (uint32_t i = 0; i < g->cfg.nkeys; i++)
        velo_expr_free(g->cfg.keys[i]);
    mi_free(g->cfg.keys);
    for (uint32_t a = 0; a < g->cfg.naggs; a++) {
        for (uint32_t j = 0; j < g->aggs[a].nargs + g->aggs[a].nparams; j++)
            velo_expr_free(g->aggs[a].args[j]);
        mi_free(g->aggs[a].args);
        velo_expr_free(g->aggs[a].filter);
    }
    mi_free(g->aggs);
    mi_free(g->state_off);
    mi_free(g->dirty);
    mi_free(g->states);
    mi_free(g->rows);
    mi_free(g->pair_entry);
    velo_batch_free(g->out);
    velo_schema_free(g->output);
    velo_strbuf_free(&g->keybuf);
    velo_strbuf_free(&g->batchkeys);
    mi_free(g->key_off);
    mi_free(g->key_len);
    mi_free(g->key_hash);
    mi_free(g->merge_state);
    velo_eval_ctx_free(&g->ctx);
    mi_free(g);
}

static const velo_operator_ops group_ops = {.name = "group",
                                            .push = group_push,
                                            .finish = group_finish,
                                            .destroy = group_destroy,
                                            .tick = group_tick,
                                            .watermark = group_watermark};

velo_operator *velo_group_op_new(velo_group_config *cfg, velo_error *err) {
    if (cfg->windowed && cfg->window.kind == VELO_WIN_SESSION) {
        if (cfg->window.size_us <= 0) {
            velo_error_set(err, VELO_ERR_INVALID, "WINDOW SESSION: the gap must be greater than zero");
            return NULL;
        }
        for (uint32_t a = 0; a < cfg->naggs; a++)
            if (!cfg->aggs[a].desc.merge) {
                velo_error_set(err, VELO_ERR_UNSUPPORTED,
                               "%s in a WINDOW SESSION is not supported yet (its state cannot merge when a "
                               "row bridges two sessions)",
                               cfg->aggs[a].desc.name);
                return NULL;
            }
    }
    if (cfg->phase != VELO_GROUP_FULL) {
        if (cfg->emit_changes || cfg->nkeys == 0 ||
            (cfg->windowed &&
             (cfg->use_watermark || cfg->time_column < 0 || cfg->window.kind == VELO_WIN_SESSION))) {
            velo_error_set(err, VELO_ERR_INTERNAL,
                           "two-phase GROUP BY needs keys, no EMIT CHANGES, and windows (not SESSION) on "
                           "event time that close at the end of input");
            return NULL;
        }
        for (uint32_t a = 0; a < cfg->naggs; a++)
            if (!velo_agg_state_flat(&cfg->aggs[a].desc)) {
                velo_error_set(err, VELO_ERR_INTERNAL,
                               "two-phase GROUP BY: the state of %s cannot move between cores",
                               cfg->aggs[a].desc.name);
                return NULL;
            }
    }
    velo_schema *partial = cfg->phase == VELO_GROUP_PARTIAL ? velo_group_partial_schema() : NULL;
    const velo_schema *query_output = cfg->output;
    if (partial) cfg->output = partial; /* partial rows, whatever the query's output */
    group_op *g = mi_zalloc(sizeof *g);
    if (!g) {
        cfg->output = query_output;
        velo_schema_free(partial);
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    g->base.ops = &group_ops;
    g->cfg = *cfg;
    g->max_event = INT64_MIN;
    g->watermark = INT64_MIN;
    g->min_open_end = INT64_MAX;
    velo_strbuf_init(&g->keybuf);
    velo_strbuf_init(&g->batchkeys);
    /* take ownership of the expressions; copy the arrays */
    g->aggs = mi_zalloc(sizeof *g->aggs * (cfg->naggs + 1));
    g->state_off = mi_zalloc(sizeof *g->state_off * (cfg->naggs + 1));
    g->output = velo_schema_copy(cfg->output);
    g->out = velo_batch_new(cfg->output, cfg->capacity);
    if (partial) {
        velo_schema_free(partial);
        cfg->output = query_output;
    }
    g->cfg.keys = mi_zalloc(sizeof *g->cfg.keys * (cfg->nkeys + 1));
    if (!g->aggs || !g->state_off || !g->output || !g->out || !g->cfg.keys ||
        velo_eval_ctx_init(&g->ctx, cfg->capacity, cfg->file, err)) {
        group_destroy(&g->base);
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (cfg->nkeys) memcpy(g->cfg.keys, cfg->keys, sizeof *cfg->keys * cfg->nkeys);
    memcpy(g->aggs, cfg->aggs, sizeof *cfg->aggs * cfg->naggs);
    g->cfg.output = g->output;
    cfg->nkeys = 0;
    cfg->naggs = 0; /* the caller no longer frees them */
    uint32_t off = 0;
    for (uint32_t a = 0; a < g->cfg.naggs; a++) {
        g->state_off[a] = off;
        off += (g->aggs[a].desc.state_size + 7) & ~7u;
    }
    g->states_size = off;
    if (g->cfg.phase == VELO_GROUP_MERGE && !(g->merge_state = mi_malloc_aligned(off ? off : 8, 16))) {
        group_destroy(&g->base);
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    /* two-phase tables hold plain windows: their partial rows carry [start, end] per group */
    g->panes = g->cfg.phase == VELO_GROUP_FULL && group_pane_eligible(&g->cfg);
    g->closed_upto = INT64_MIN;
    gt_init(&g->groups, g->cfg.windowed, off + (g->panes ? 8u : 0u)); /* panes: + first row number */
    gt_init(&g->wins, true, off + 16u); /* + first row number + the pane's key */
    gt_init(&g->sessions, false, sizeof(velo_sessions));
    velo_status st = VELO_OK;
    for (uint32_t i = 0; i < g->cfg.nkeys && !st; i++)
        st = velo_expr_prepare(g->cfg.keys[i], cfg->capacity, err);
    for (uint32_t a = 0; a < g->cfg.naggs && !st; a++) {
        for (uint32_t j = 0; j < g->aggs[a].nargs && !st; j++)
            st = velo_expr_prepare(g->aggs[a].args[j], cfg->capacity, err);
        if (!st && g->aggs[a].filter) st = velo_expr_prepare(g->aggs[a].filter, cfg->capacity, err);
    }
    if (st) {
        group_destroy(&g->base);
        return NULL;
    }
    return &g->base;
}

void velo_group_op_stats(const velo_operator *op, velo_group_stats *out) {
    const group_op *g = (const group_op *)op;
    *out = g->stats;
    out->groups_live = g->groups.live;
    out->table_bytes = gt_bytes(&g->groups) + gt_bytes(&g->sessions);
    out->late_rows_rejected = g->cfg.late_to_dlq && g->cfg.on_error.fn ? g->stats.late_rows : 0;
    out->watermark = g->cfg.windowed && g->cfg.use_watermark ? g->watermark : INT64_MIN;
}

/* ---- two-phase: PARTIAL (local table, emits states) and MERGE (merges them) ----
 *
 * The local table of a PARTIAL operator is emptied in place (its chunks and buckets kept) each time
 * it is emitted, so a core holds at most local_max_groups groups. A table that filled with fewer
 * than PARTIAL_MIN_RATIO rows per group is not worth keeping: the next PASSTHROUGH_ROWS rows are
 * folded and emitted batch by batch (a small, cache-resident table: what is left is the
 * duplicates within a batch), then the table is tried again. */

#define PARTIAL_DEFAULT_GROUPS 65536
#define PARTIAL_MIN_RATIO      2
#define PASSTHROUGH_ROWS       (1u << 20)

velo_schema *velo_group_partial_schema(void) {
    velo_schema *s = velo_schema_new(2);
    if (!s) return NULL;
    velo_schema_set(s, 0, "_key", velo_type_make(VELO_TYPE_BYTES));
    velo_schema_set(s, 1, "_states", velo_type_make(VELO_TYPE_BYTES));
    return s;
}

/* Empties the table for reuse: records and buckets cleared, memory kept. */
static void gt_reset(gtable *t) {
    bool few = t->nbuckets && t->nrecs < t->nbuckets / 8; /* then clear just their buckets */
    for (uint32_t i = 0; i < t->nrecs; i++) {
        grec *r = gt_rec(t, i);
        if (!(r->flags & REC_LIVE)) continue;
        if (few) t->buckets[r->hash & (t->nbuckets - 1)] = 0;
        if (r->flags & REC_KEY_HEAP) mi_free((void *)rec_key(t, r));
    }
    if (t->nbuckets && !few) memset(t->buckets, 0, sizeof *t->buckets * t->nbuckets);
    t->nrecs = 0;
    t->free_head = 0;
    t->live = 0;
}

static velo_status put_bytes(velo_batch *out, uint32_t col, uint32_t row, const char *p, uint32_t len,
                             velo_error *err) {
    char *copy = velo_arena_alloc(&out->arena, len ? len : 1);
    if (!copy) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory emitting partial aggregates");
    if (len) memcpy(copy, p, len);
    VELO_VEC(&out->cols[col], velo_str)[row] = (velo_str){copy, len};
    velo_vector_set_valid(&out->cols[col], row);
    return VELO_OK;
}

/* Emits every group of the local table as a partial row, then empties the table. */
static velo_status partial_flush(group_op *g, velo_error *err) {
    gtable *t = &g->groups;
    velo_status st = VELO_OK;
    for (uint32_t i = 0; i < t->nrecs && !st; i++) {
        grec *r = gt_rec(t, i);
        if (!(r->flags & REC_LIVE)) continue;
        if (g->out->count == g->out->capacity && (st = flush_out(g, err))) return st;
        uint32_t row = g->out->count;
        if ((st = put_bytes(g->out, 0, row, rec_key(t, r), r->key_len, err))) return st;
        if (t->windowed) { /* [window start, end] ahead of the states */
            char *both = velo_arena_alloc(&g->out->arena, 16 + g->states_size);
            if (!both)
                return velo_error_set(err, VELO_ERR_NOMEM, "out of memory emitting partial aggregates");
            memcpy(both, rec_win(r), 16);
            memcpy(both + 16, rec_payload(t, r), g->states_size);
            VELO_VEC(&g->out->cols[1], velo_str)[row] = (velo_str){both, 16 + g->states_size};
            velo_vector_set_valid(&g->out->cols[1], row);
        } else if ((st = put_bytes(g->out, 1, row, rec_payload(t, r), g->states_size, err))) {
            return st;
        }
        g->out->origin[row] = -1;
        g->out->count++;
    }
    if (t->live) g->stats.partial_flushes++;
    g->stats.partial_rows += t->live;
    gt_reset(t);
    g->local_rows = 0;
    return flush_out(g, err);
}

/* After a batch was folded (`n` rows): emit the table when it is full (poor reduction: switch to
 * batch-by-batch emission for a while), or after every batch while passing rows through. */
static velo_status partial_after_push(group_op *g, uint32_t n, velo_error *err) {
    uint32_t max = g->cfg.local_max_groups ? g->cfg.local_max_groups : PARTIAL_DEFAULT_GROUPS;
    g->local_rows += n;
    if (g->passthrough_left) {
        g->stats.passthrough_rows += n;
        g->passthrough_left = g->passthrough_left > n ? g->passthrough_left - n : 0;
        return partial_flush(g, err);
    }
    if (g->groups.live < max) return VELO_OK;
    if (g->local_rows < (uint64_t)g->groups.live * PARTIAL_MIN_RATIO) g->passthrough_left = PASSTHROUGH_ROWS;
    return partial_flush(g, err);
}

/* MERGE: each partial row's states are merged into the group of its key (keys arrive encoded;
 * windowed, the states are preceded by the window's [start, end]). */
static velo_status merge_push(group_op *g, velo_batch *b, velo_error *err) {
    uint32_t n = velo_batch_live(b);
    if (!n) return VELO_OK;
    if (n > g->key_cap) {
        mi_free(g->key_off);
        mi_free(g->key_len);
        mi_free(g->key_hash);
        g->key_off = mi_malloc(sizeof *g->key_off * n);
        g->key_len = mi_malloc(sizeof *g->key_len * n);
        g->key_hash = mi_malloc(sizeof *g->key_hash * n);
        g->key_cap = g->key_off && g->key_len && g->key_hash ? n : 0;
        if (!g->key_cap) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    }
    const velo_str *keys = VELO_VEC(&b->cols[0], velo_str), *states = VELO_VEC(&b->cols[1], velo_str);
    bool windowed = g->cfg.windowed;
    uint32_t win_bytes = windowed ? 16 : 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t row = velo_batch_row(b, k);
        velo_str key = keys[row];
        int64_t ws = 0;
        if (windowed && states[row].len >= 16) memcpy(&ws, states[row].ptr, 8);
        g->key_hash[k] = gt_hash(key.ptr ? key.ptr : "", key.len, ws);
        if (g->groups.nbuckets)
            __builtin_prefetch(&g->groups.buckets[g->key_hash[k] & (g->groups.nbuckets - 1)]);
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t row = velo_batch_row(b, k);
        if (k + PREFETCH_AHEAD < n && g->groups.nbuckets) {
            uint32_t head = g->groups.buckets[g->key_hash[k + PREFETCH_AHEAD] & (g->groups.nbuckets - 1)];
            if (head) __builtin_prefetch(gt_rec(&g->groups, head - 1));
        }
        velo_str key = keys[row], src = states[row];
        if (src.len != win_bytes + g->states_size)
            return velo_error_set(err, VELO_ERR_INTERNAL, "a partial GROUP BY row has %u state bytes, not %u",
                                  src.len, win_bytes + g->states_size);
        int64_t win[2] = {0, 0};
        if (windowed) memcpy(win, src.ptr, 16);
        uint32_t idx =
            find_or_insert_h(g, key.ptr ? key.ptr : "", key.len, win[0], win[1], g->key_hash[k], err);
        if (idx == UINT32_MAX) return VELO_ERR_NOMEM;
        char *dst = states_of(g, idx);
        memcpy(g->merge_state, src.ptr + win_bytes, g->states_size); /* aligned for 128-bit fields */
        for (uint32_t a = 0; a < g->cfg.naggs; a++) {
            velo_status st = g->aggs[a].desc.merge(&g->aggs[a].desc, dst + g->state_off[a],
                                                   g->merge_state + g->state_off[a], err);
            if (st) return st;
        }
    }
    return state_check(g, err);
}

/* ---- checkpoints (core/group_op.h) ---- */

velo_status velo_group_op_checkpointable(const velo_operator *op, velo_error *err) {
    const group_op *g = (const group_op *)op;
    if (g->cfg.phase != VELO_GROUP_FULL)
        return velo_error_set(err, VELO_ERR_UNSUPPORTED,
                              "'checkpoint.interval': a two-phase GROUP BY cannot be checkpointed yet");
    if (g->cfg.windowed && g->cfg.window.kind == VELO_WIN_SESSION)
        return velo_error_set(err, VELO_ERR_UNSUPPORTED,
                              "'checkpoint.interval': WINDOW SESSION state cannot be checkpointed yet");
    if (g->panes)
        return velo_error_set(err, VELO_ERR_UNSUPPORTED,
                              "'checkpoint.interval': WINDOW SLIDING state cannot be checkpointed yet");
    for (uint32_t a = 0; a < g->cfg.naggs; a++)
        if (!velo_agg_state_savable(&g->aggs[a].desc))
            return velo_error_set(err, VELO_ERR_UNSUPPORTED,
                                  "'checkpoint.interval': the state of %s%s cannot be checkpointed yet",
                                  g->aggs[a].desc.name, g->aggs[a].desc.distinct ? "(DISTINCT ...)" : "");
    return VELO_OK;
}

/* True when every aggregate's state is plain bytes: a row's states are the record's block as is;
 * else each state is saved on its own, as [u32 length, bytes] per aggregate. */
static bool group_states_plain(const group_op *g) {
    for (uint32_t a = 0; a < g->cfg.naggs; a++)
        if (!velo_agg_state_plain(&g->aggs[a].desc)) return false;
    return true;
}

/* What the saved bytes mean: key types, window, aggregates with their state sizes. */
static void group_signature(const group_op *g, char *out, size_t n) {
    velo_strbuf b;
    velo_strbuf_init(&b);
    char tb[64];
    velo_strbuf_puts(&b, "keys(");
    for (uint32_t k = 0; k < g->cfg.nkeys; k++)
        velo_strbuf_printf(&b, "%s%s", k ? "," : "",
                           velo_type_format(g->output->fields[k].type, tb, sizeof tb));
    velo_strbuf_puts(&b, ")");
    if (g->cfg.windowed)
        velo_strbuf_printf(&b, " window(%d,%lld,%lld,%lld)", (int)g->cfg.window.kind,
                           (long long)g->cfg.window.size_us, (long long)g->cfg.window.advance_us,
                           (long long)g->cfg.window.offset_us);
    velo_strbuf_puts(&b, " aggs(");
    for (uint32_t a = 0; a < g->cfg.naggs; a++)
        velo_strbuf_printf(&b, "%s%s%s:%s:%u", a ? "," : "", g->aggs[a].desc.name,
                           g->aggs[a].desc.distinct ? " DISTINCT" : "",
                           velo_type_format(g->aggs[a].desc.result, tb, sizeof tb),
                           g->aggs[a].desc.state_size);
    velo_strbuf_puts(&b, group_states_plain(g) ? ") block" : ") parts");
    snprintf(out, n, "%s", b.data ? b.data : "");
    velo_strbuf_free(&b);
}

velo_status velo_group_op_save(const velo_operator *op, const char *name, velo_snap_writer *w,
                               velo_error *err) {
    const group_op *g = (const group_op *)op;
    velo_status st = velo_group_op_checkpointable(op, err);
    if (st) return st;
    velo_snap_section s = {.watermark = g->watermark, .max_event = g->max_event, .nrows = g->groups.live};
    snprintf(s.name, sizeof s.name, "%s", name);
    group_signature(g, s.sig, sizeof s.sig);
    if ((st = velo_snap_writer_section(w, &s, err))) return st;
    const gtable *t = &g->groups;
    bool plain = group_states_plain(g);
    velo_strbuf parts;
    velo_strbuf_init(&parts);
    for (uint32_t i = 0; i < t->nrecs && !st; i++) {
        grec *r = gt_rec(t, i);
        if (!(r->flags & REC_LIVE)) continue;
        velo_snap_row row = {.key = rec_key(t, r),
                             .key_len = r->key_len,
                             .ws = t->windowed ? rec_win(r)[0] : 0,
                             .we = t->windowed ? rec_win(r)[1] : 0,
                             .states = rec_payload(t, r),
                             .states_len = g->states_size};
        if (!plain) {
            velo_strbuf_clear(&parts);
            for (uint32_t a = 0; a < g->cfg.naggs && !st; a++) {
                size_t at = parts.len;
                uint32_t len = 0;
                velo_strbuf_append(&parts, (const char *)&len, 4);
                st = velo_agg_state_save(&g->aggs[a].desc, rec_payload(t, r) + g->state_off[a], &parts, err);
                len = (uint32_t)(parts.len - at - 4);
                memcpy(parts.data + at, &len, 4);
            }
            row.states = parts.data;
            row.states_len = (uint32_t)parts.len;
        }
        if (!st) st = velo_snap_writer_row(w, &row, err);
    }
    velo_strbuf_free(&parts);
    return st;
}

/* The core (of ncores) that owns an encoded key: decoded into kb, routed as the exchange routes. */
static uint32_t restore_owner(const group_op *g, velo_batch *kb, velo_strbuf *scratch, const char *key,
                              uint32_t ncores) {
    velo_batch_reset(kb);
    const char *p = key;
    velo_vector *vecs[64];
    uint32_t nk = g->cfg.nkeys < 64 ? g->cfg.nkeys : 64;
    for (uint32_t c = 0; c < nk; c++) {
        p = velo_key_decode(p, &kb->cols[c], 0, &kb->arena);
        vecs[c] = &kb->cols[c];
    }
    kb->count = 1;
    return velo_exchange_route(vecs, nk, 0, ncores, scratch);
}

velo_status velo_group_op_restore(velo_operator *op, const velo_snap_section *s, velo_snap_reader *r,
                                  uint32_t core, uint32_t ncores, velo_error *err) {
    group_op *g = (group_op *)op;
    velo_status st = velo_group_op_checkpointable(op, err);
    if (st) return st;
    char sig[sizeof s->sig];
    group_signature(g, sig, sizeof sig);
    if (strcmp(sig, s->sig))
        return velo_error_set(err, VELO_ERR_INVALID,
                              "the checkpoint's GROUP BY state '%s' is not this query's '%s': the state "
                              "directory belongs to another query (remove it to start over, or give this "
                              "query its own 'state.dir')",
                              s->sig, sig);
    velo_batch *kb = NULL;
    velo_strbuf scratch;
    velo_strbuf_init(&scratch);
    if (ncores > 1 && g->cfg.nkeys) {
        velo_type types[64];
        uint32_t nk = g->cfg.nkeys < 64 ? g->cfg.nkeys : 64;
        for (uint32_t c = 0; c < nk; c++)
            types[c] = g->output->fields[c].type;
        if (!(kb = velo_batch_new_types(nk, types, 1)))
            return velo_error_set(err, VELO_ERR_NOMEM, "out of memory restoring a checkpoint");
    }
    velo_snap_row row;
    bool more, plain = group_states_plain(g);
    while (!(st = velo_snap_reader_row(r, &row, &more, err)) && more) {
        if (plain && row.states_len != g->states_size) {
            st = velo_error_set(err, VELO_ERR_DECODE,
                                "a checkpoint row of GROUP BY state has %u state bytes, not %u: the state "
                                "directory belongs to another build or query (remove it to start over)",
                                row.states_len, g->states_size);
            break;
        }
        if (ncores > 1 && !g->cfg.nkeys && core != 0) continue; /* a global aggregate lives on core 0 */
        if (kb && restore_owner(g, kb, &scratch, row.key, ncores) != core) continue;
        int64_t ws = g->cfg.windowed ? row.ws : 0, we = g->cfg.windowed ? row.we : 0;
        uint32_t live = g->groups.live;
        uint32_t idx = find_or_insert(g, row.key, row.key_len, ws, we, err);
        if (idx == UINT32_MAX) {
            st = err && err->code ? err->code : VELO_ERR_NOMEM;
            break;
        }
        char *states = states_of(g, idx);
        if (plain) {
            memcpy(states, row.states, g->states_size); /* plain states: their bytes */
            continue;
        }
        if (g->groups.live == live) { /* the key twice: the later row wins */
            destroy_states(g, states);
            for (uint32_t a = 0; a < g->cfg.naggs; a++)
                g->aggs[a].desc.init(&g->aggs[a].desc, states + g->state_off[a]);
        }
        uint32_t off = 0;
        for (uint32_t a = 0; a < g->cfg.naggs && !st; a++) {
            uint32_t len = 0;
            if (row.states_len - off < 4 ||
                (memcpy(&len, row.states + off, 4), len > row.states_len - off - 4)) {
                st = velo_error_set(err, VELO_ERR_DECODE, "a checkpoint row of GROUP BY state is cut short");
                break;
            }
            st = velo_agg_state_load(&g->aggs[a].desc, states + g->state_off[a], row.states + off + 4, len,
                                     err);
            off += 4 + len;
        }
        if (st) break;
    }
    velo_batch_free(kb);
    velo_strbuf_free(&scratch);
    if (st) return st;
    if (s->watermark > g->watermark) g->watermark = s->watermark;
    if (s->max_event > g->max_event) g->max_event = s->max_event;
    return state_check(g, err);
}
