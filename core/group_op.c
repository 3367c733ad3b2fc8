/* The GROUP BY / window operator (core/group_op.h).
 *
 * Groups live in a chained hash table: `buckets` hold entry index + 1, entries sit in one growing
 * array (freed slots are reused). Each entry owns one allocation holding the encoded key and the
 * accumulator states of every aggregate call, so closing a window frees everything it kept.
 * Keys are encoded into bytes by core/row_key.h so that equal SQL values have equal bytes; hashing
 * uses xxHash (XXH3) from Debian's libxxhash. */
#include "core/group_op.h"

#include <math.h>
#include <mimalloc.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#include "core/row_key.h"
#include "core/strbuf.h"
#include "core/temporal.h"

typedef struct group_entry {
    uint64_t hash;
    char *mem; /* key bytes, then the states (8-byte aligned) */
    uint32_t key_len;
    uint32_t next; /* next entry index + 1 in the bucket chain, 0 = end */
    int64_t win_start, win_end;
    bool live, dirty;
} group_entry;

typedef struct group_op {
    velo_operator base;
    velo_group_config cfg;
    velo_group_agg *aggs;
    velo_schema *output;
    uint32_t *state_off; /* per aggregate: offset of its state in the entry's state area */
    uint32_t states_size;
    group_entry *entries;
    uint32_t nentries, cap_entries;
    uint32_t *free_list;
    uint32_t nfree;
    uint32_t *buckets;
    uint32_t nbuckets; /* power of two */
    uint32_t live;
    int64_t max_event; /* max event time seen */
    int64_t watermark;
    int64_t min_open_end; /* smallest window end among live entries (windowed) */
    velo_eval_ctx ctx;
    velo_batch *out;
    velo_strbuf keybuf;
    velo_group_stats stats;
    /* per-batch scratch (grown as needed) */
    void **states;
    uint32_t *rows;
    uint32_t *pair_entry;
    uint32_t scratch_cap;
} group_op;

/* ---- the hash table ---- */

static velo_status grow_buckets(group_op *g, velo_error *err) {
    uint32_t nb = g->nbuckets ? g->nbuckets * 2 : 1024;
    uint32_t *b = mi_zalloc(sizeof *b * nb);
    if (!b) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the GROUP BY table");
    for (uint32_t i = 0; i < g->nentries; i++) {
        group_entry *e = &g->entries[i];
        if (!e->live) continue;
        uint32_t h = (uint32_t)(e->hash & (nb - 1));
        e->next = b[h];
        b[h] = i + 1;
    }
    mi_free(g->buckets);
    g->buckets = b;
    g->nbuckets = nb;
    return VELO_OK;
}

static void unlink_entry(group_op *g, uint32_t idx) {
    group_entry *e = &g->entries[idx];
    uint32_t *link = &g->buckets[e->hash & (g->nbuckets - 1)];
    while (*link && *link != idx + 1)
        link = &g->entries[*link - 1].next;
    if (*link) *link = e->next;
}

static void free_entry(group_op *g, uint32_t idx) {
    group_entry *e = &g->entries[idx];
    char *states = e->mem + ((e->key_len + 7) & ~7u);
    for (uint32_t a = 0; a < g->cfg.naggs; a++)
        if (g->aggs[a].desc.destroy) g->aggs[a].desc.destroy(&g->aggs[a].desc, states + g->state_off[a]);
    mi_free(e->mem);
    e->mem = NULL;
    e->live = false;
    g->free_list[g->nfree++] = idx;
    g->live--;
}

/* Finds or creates the entry for key bytes + window; returns its index or UINT32_MAX (err set). */
static uint32_t find_or_insert(group_op *g, const char *key, uint32_t len, int64_t ws, int64_t we,
                               velo_error *err) {
    uint64_t h = XXH3_64bits_withSeed(key, len, (uint64_t)ws);
    if (g->nbuckets) {
        for (uint32_t i = g->buckets[h & (g->nbuckets - 1)]; i; i = g->entries[i - 1].next) {
            group_entry *e = &g->entries[i - 1];
            if (e->hash == h && e->key_len == len && e->win_start == ws && !memcmp(e->mem, key, len))
                return i - 1;
        }
    }
    if (g->live + 1 > g->nbuckets && grow_buckets(g, err)) return UINT32_MAX;
    uint32_t idx;
    if (g->nfree) {
        idx = g->free_list[--g->nfree];
    } else {
        if (g->nentries == g->cap_entries) {
            uint32_t nc = g->cap_entries ? g->cap_entries * 2 : 1024;
            group_entry *ne = mi_realloc(g->entries, sizeof *ne * nc);
            uint32_t *nf = mi_realloc(g->free_list, sizeof *nf * nc);
            if (!ne || !nf) {
                if (ne) g->entries = ne;
                if (nf) g->free_list = nf;
                velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the GROUP BY table");
                return UINT32_MAX;
            }
            g->entries = ne;
            g->free_list = nf;
            g->cap_entries = nc;
        }
        idx = g->nentries++;
    }
    group_entry *e = &g->entries[idx];
    uint32_t koff = (len + 7) & ~7u;
    e->mem = mi_malloc(koff + g->states_size + 1);
    if (!e->mem) {
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory for a new group");
        return UINT32_MAX;
    }
    memcpy(e->mem, key, len);
    for (uint32_t a = 0; a < g->cfg.naggs; a++)
        g->aggs[a].desc.init(&g->aggs[a].desc, e->mem + koff + g->state_off[a]);
    e->hash = h;
    e->key_len = len;
    e->win_start = ws;
    e->win_end = we;
    e->live = true;
    e->dirty = false;
    uint32_t b = (uint32_t)(h & (g->nbuckets - 1));
    e->next = g->buckets[b];
    g->buckets[b] = idx + 1;
    g->live++;
    g->stats.groups_total++;
    if (g->cfg.windowed && we < g->min_open_end) g->min_open_end = we;
    return idx;
}

/* ---- emission ---- */

static velo_status flush_out(group_op *g, velo_error *err) {
    return velo_operator_emit(&g->base, g->out, err);
}

static velo_status emit_entry(group_op *g, const group_entry *e, velo_error *err) {
    if (g->out->count == g->out->capacity) {
        velo_status st = flush_out(g, err);
        if (st) return st;
    }
    uint32_t row = g->out->count;
    const char *p = e->mem;
    uint32_t c = 0;
    for (; c < g->cfg.nkeys; c++)
        p = velo_row_key_decode(p, &g->out->cols[c], row, &g->out->arena);
    if (g->cfg.windowed) {
        velo_vector_set_valid(&g->out->cols[c], row);
        VELO_VEC(&g->out->cols[c], int64_t)[row] = e->win_start;
        c++;
        velo_vector_set_valid(&g->out->cols[c], row);
        VELO_VEC(&g->out->cols[c], int64_t)[row] = e->win_end;
        c++;
    }
    const char *states = e->mem + ((e->key_len + 7) & ~7u);
    for (uint32_t a = 0; a < g->cfg.naggs; a++, c++) {
        velo_status st = g->aggs[a].desc.finalize(&g->aggs[a].desc, states + g->state_off[a],
                                                  &g->out->cols[c], row, &g->out->arena, err);
        if (st) return st;
    }
    g->out->origin[row] = -1;
    g->out->count++;
    return VELO_OK;
}

static velo_status emit_dirty(group_op *g, velo_error *err) {
    for (uint32_t i = 0; i < g->nentries; i++) {
        group_entry *e = &g->entries[i];
        if (!e->live || !e->dirty) continue;
        e->dirty = false;
        velo_status st = emit_entry(g, e, err);
        if (st) return st;
    }
    return flush_out(g, err);
}

/* Emits (unless EMIT CHANGES already did) and frees every window that ends at or before `limit`. */
static velo_status close_windows(group_op *g, int64_t limit, velo_error *err) {
    if (g->min_open_end > limit) return VELO_OK;
    int64_t next_min = INT64_MAX;
    for (uint32_t i = 0; i < g->nentries; i++) {
        group_entry *e = &g->entries[i];
        if (!e->live) continue;
        if (e->win_end > limit) {
            if (e->win_end < next_min) next_min = e->win_end;
            continue;
        }
        if (!g->cfg.emit_changes || e->dirty) {
            velo_status st = emit_entry(g, e, err);
            if (st) return st;
        }
        unlink_entry(g, i);
        free_entry(g, i);
        g->stats.windows_closed++;
    }
    g->min_open_end = next_min;
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

static velo_status group_push(velo_operator *o, velo_batch *b, velo_error *err) {
    group_op *g = (group_op *)o;
    const velo_group_config *c = &g->cfg;
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
    uint32_t maxw =
        c->windowed ? (uint32_t)((c->window.size_us + c->window.advance_us - 1) / c->window.advance_us) : 1;
    if (maxw > 64) maxw = 64;
    velo_status st = ensure_scratch(g, n * maxw, err);
    if (st) return st;

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
        velo_strbuf_clear(&g->keybuf);
        for (uint32_t i = 0; i < c->nkeys; i++)
            if ((st = velo_row_key_encode(&g->keybuf, keyv[i], row, err))) return st;
        uint32_t nw = 1;
        wins[0] = (velo_win){0, 0};
        if (c->windowed) {
            const velo_vector *tv = &b->cols[c->time_column];
            if (!velo_vector_is_valid(tv, row)) {
                o->rows_failed++;
                if (c->on_error.fn &&
                    (st = c->on_error.fn(c->on_error.ud, b, row,
                                         "the row's event time is NULL: no window to put it in", err)))
                    return st;
                continue;
            }
            int64_t t = VELO_VEC(tv, int64_t)[row];
            nw = velo_win_assign(&c->window, t, wins, maxw);
            uint32_t open = 0;
            /* the watermark a row sees is the one its predecessors made (per row, so that results do
             * not depend on how rows are cut into batches) */
            int64_t wm = g->max_event == INT64_MIN ? INT64_MIN : g->max_event - c->delay_us;
            for (uint32_t w = 0; w < nw; w++)
                if (!(c->use_watermark && wm != INT64_MIN && wins[w].end <= wm - c->lateness_us))
                    wins[open++] = wins[w];
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
        }
        for (uint32_t w = 0; w < nw; w++) {
            uint32_t idx = find_or_insert(g, g->keybuf.data ? g->keybuf.data : "", (uint32_t)g->keybuf.len,
                                          wins[w].start, wins[w].end, err);
            if (idx == UINT32_MAX) return VELO_ERR_NOMEM;
            g->entries[idx].dirty = true;
            g->pair_entry[npairs] = idx;
            g->rows[npairs] = row;
            npairs++;
        }
    }

    /* fold: one update call per aggregate over all (row, group) pairs of the batch */
    for (uint32_t a = 0, ai = 0; a < c->naggs; ai += g->aggs[a].nargs, a++) {
        uint32_t m = 0;
        uint32_t *rows = velo_arena_alloc(&g->ctx.scratch, sizeof *rows * (npairs + 1));
        if (!rows) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        for (uint32_t k = 0; k < npairs; k++) {
            if (filtv[a] && !vec_true(filtv[a], g->rows[k])) continue;
            group_entry *e = &g->entries[g->pair_entry[k]];
            g->states[m] = e->mem + ((e->key_len + 7) & ~7u) + g->state_off[a];
            rows[m++] = g->rows[k];
        }
        if (m && (st = g->aggs[a].desc.update(&g->aggs[a].desc, g->states, &argv[ai], rows, m, err)))
            return st;
    }

    if (c->emit_changes && (st = emit_dirty(g, err))) return st;
    if (c->windowed && c->use_watermark && g->max_event != INT64_MIN) {
        g->watermark = g->max_event - c->delay_us;
        if ((st = close_windows(g, g->watermark - c->lateness_us, err))) return st;
    }
    return VELO_OK;
}

static velo_status group_finish(velo_operator *o, velo_error *err) {
    group_op *g = (group_op *)o;
    velo_status st;
    if (g->cfg.windowed) {
        st = close_windows(g, INT64_MAX, err);
    } else if (g->cfg.emit_changes) {
        st = emit_dirty(g, err);
    } else {
        st = VELO_OK;
        /* SQL: an aggregate without GROUP BY over no rows still has one row (COUNT 0, SUM NULL) */
        if (g->cfg.nkeys == 0 && g->live == 0 && find_or_insert(g, "", 0, 0, 0, err) == UINT32_MAX)
            return VELO_ERR_NOMEM;
        for (uint32_t i = 0; i < g->nentries && !st; i++)
            if (g->entries[i].live) st = emit_entry(g, &g->entries[i], err);
        if (!st) st = flush_out(g, err);
    }
    if (st) return st;
    return g->base.next ? velo_operator_finish(g->base.next, err) : VELO_OK;
}

static void group_destroy(velo_operator *o) {
    group_op *g = (group_op *)o;
    for (uint32_t i = 0; i < g->nentries; i++)
        if (g->entries[i].live) free_entry(g, i);
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
    mi_free(g->entries);
    mi_free(g->free_list);
    mi_free(g->buckets);
    mi_free(g->states);
    mi_free(g->rows);
    mi_free(g->pair_entry);
    velo_batch_free(g->out);
    velo_schema_free(g->output);
    velo_strbuf_free(&g->keybuf);
    velo_eval_ctx_free(&g->ctx);
    mi_free(g);
}

static const velo_operator_ops group_ops = {"group", group_push, group_finish, group_destroy};

velo_operator *velo_group_op_new(velo_group_config *cfg, velo_error *err) {
    group_op *g = mi_zalloc(sizeof *g);
    if (!g) {
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    g->base.ops = &group_ops;
    g->cfg = *cfg;
    g->max_event = INT64_MIN;
    g->watermark = INT64_MIN;
    g->min_open_end = INT64_MAX;
    velo_strbuf_init(&g->keybuf);
    /* take ownership of the expressions; copy the arrays */
    g->aggs = mi_zalloc(sizeof *g->aggs * (cfg->naggs + 1));
    g->state_off = mi_zalloc(sizeof *g->state_off * (cfg->naggs + 1));
    g->output = velo_schema_copy(cfg->output);
    g->out = velo_batch_new(cfg->output, cfg->capacity);
    g->cfg.keys = mi_zalloc(sizeof *g->cfg.keys * (cfg->nkeys + 1));
    if (!g->aggs || !g->state_off || !g->output || !g->out || !g->cfg.keys ||
        velo_eval_ctx_init(&g->ctx, cfg->capacity, cfg->file, err)) {
        group_destroy(&g->base);
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    memcpy(g->cfg.keys, cfg->keys, sizeof *cfg->keys * cfg->nkeys);
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
    out->groups_live = g->live;
}
