/* Hash joins and UNION ALL (core/join_op.h).
 *
 * Each kept side copies its rows into a row store of column chunks (strings deep-copied into each
 * chunk's arena) and indexes them by encoded join key (core/keys.h) in a byte-keyed map whose
 * values head a chain of row ids. A pushed batch fills an output batch with candidate pairs (values
 * point into the pushed batch or a store: both outlive the push), evaluates the residual condition
 * over the whole output batch at once, and keeps the passing pairs through the selection vector.
 * The hash mode keeps the right side only (built first); the symmetric mode keeps both and prunes
 * them by watermark. */
#include "core/join_op.h"

#include <mimalloc.h>
#include <stdio.h>
#include <string.h>

#include "core/exchange.h"
#include "core/keymap.h"
#include "core/keys.h"
#include "core/strbuf.h"

#define CHUNK_ROWS 2048u
#define NO_ROW     VELO_KEYMAP_NONE

/* The kept rows of one side. */
typedef struct row_store {
    velo_batch **chunks;
    uint32_t nchunks, chunk_cap;
    uint64_t nrows, ndead, rows_cap;
    uint8_t *dead;     /* replaced (table) or pruned (watermark) */
    uint8_t *matched;  /* joined at least once */
    int64_t *time;     /* symmetric mode: event time */
    uint64_t *key_off; /* encoded join key of each row in key_bytes; key_len 0: NULL key, never joins */
    uint32_t *key_len;
    uint64_t *next; /* chain of rows with the same join key (symmetric: newest first) */
    velo_strbuf key_bytes;
    velo_keymap index; /* join key -> first row of its chain */
    int64_t min_time;  /* symmetric: no live row is older (a lower bound) */
    uint8_t *seen;     /* per column: a non-NULL value was stored (else new chunks type it NULL) */
} row_store;

typedef struct join_op join_op;

typedef struct build_input {
    velo_operator base;
    join_op *join;
} build_input;

struct join_op {
    velo_operator base;
    build_input build;
    velo_join_op_kind kind;
    velo_expr **keys[2]; /* left keys, right keys */
    uint32_t nkeys;
    velo_expr *cond;
    velo_expr *mark_value; /* MARK */
    uint32_t ncols[2];
    int32_t right_pk;
    bool right_changelog;
    bool bounded; /* a time bound: lo <= left time - right time <= hi */
    int64_t lo, hi;
    int32_t time_col[2];
    const char *right_name;
    uint64_t max_state_bytes;
    uint32_t capacity;
    velo_row_error_handler on_error[2], on_pair_error;
    velo_join_stream stream;
    velo_join_partition part;
    bool key_is_pk; /* the one join key is the table's primary key column: a key never changes core */

    row_store store[2]; /* hash mode: store[1] only */
    velo_keymap pk;     /* table: primary key -> latest row of store[1] */
    bool built;
    bool finished[2];
    int64_t max_time[2];
    uint64_t state_bytes, late_rows;

    velo_eval_ctx kctx[2], cctx;
    velo_batch *out;
    uint32_t *pair_probe;  /* out row -> row of the pushed batch */
    uint64_t *pair_stored; /* out row -> row of the other side's store */
    uint32_t *ident;       /* 0..capacity-1 */
    uint8_t *probe_matched, *probe_skip;
    uint64_t *probe_rid;  /* symmetric mode: the store row of each pushed row, or NO_ROW */
    uint8_t *probe_mark;  /* MARK: per pushed row, 0 no pair, 1 a pair with a NULL mark value, 2 TRUE */
    velo_batch *mark_out; /* MARK: left columns, mark */
    velo_strbuf kb;
};

static bool is_outer(const join_op *j, int side) {
    return side == 0 ? j->kind == VELO_JOIN_OP_LEFT || j->kind == VELO_JOIN_OP_FULL
                     : j->kind == VELO_JOIN_OP_RIGHT || j->kind == VELO_JOIN_OP_FULL;
}

/* ---- row stores ---- */

static void store_free(row_store *s) {
    for (uint32_t c = 0; c < s->nchunks; c++)
        velo_batch_free(s->chunks[c]);
    mi_free(s->chunks);
    mi_free(s->seen);
    mi_free(s->dead);
    mi_free(s->matched);
    mi_free(s->time);
    mi_free(s->key_off);
    mi_free(s->key_len);
    mi_free(s->next);
    velo_strbuf_free(&s->key_bytes);
    velo_keymap_free(&s->index);
    memset(s, 0, sizeof *s);
}

static uint64_t store_bytes(const row_store *s) {
    uint64_t bytes = s->rows_cap * (sizeof(uint64_t) * 3 + sizeof(int64_t) + sizeof(uint32_t) + 2) +
                     s->key_bytes.cap + velo_keymap_bytes(&s->index);
    for (uint32_t c = 0; c < s->nchunks; c++) {
        const velo_batch *b = s->chunks[c];
        bytes += b->arena.bytes_allocated + (uint64_t)CHUNK_ROWS * sizeof(int64_t);
        for (uint32_t k = 0; k < b->ncols; k++)
            bytes += (uint64_t)CHUNK_ROWS * velo_type_width(b->cols[k].type) + CHUNK_ROWS / 8;
    }
    return bytes;
}

static velo_status state_check(join_op *j, velo_error *err) {
    uint64_t bytes = store_bytes(&j->store[0]) + store_bytes(&j->store[1]) + velo_keymap_bytes(&j->pk);
    j->state_bytes = bytes;
    if (j->max_state_bytes && bytes > j->max_state_bytes)
        return velo_error_set(
            err, VELO_ERR_NOMEM,
            "join state of %s holds %llu bytes after %llu rows, over 'state.max.bytes'=%llu; "
            "raise 'state.max.bytes', filter the joined input, or bound the join with WITHIN",
            j->right_name ? j->right_name : "the right input", (unsigned long long)bytes,
            (unsigned long long)(j->store[0].nrows + j->store[1].nrows),
            (unsigned long long)j->max_state_bytes);
    return VELO_OK;
}

static velo_status store_reserve(row_store *s, velo_error *err) {
    if (s->nrows < s->rows_cap) return VELO_OK;
    uint64_t n = s->rows_cap ? s->rows_cap * 2 : CHUNK_ROWS;
    uint8_t *dead = mi_realloc(s->dead, n), *matched = mi_realloc(s->matched, n);
    if (dead) s->dead = dead;
    if (matched) s->matched = matched;
    int64_t *time = mi_realloc(s->time, n * sizeof *time);
    if (time) s->time = time;
    uint64_t *off = mi_realloc(s->key_off, n * sizeof *off);
    if (off) s->key_off = off;
    uint32_t *len = mi_realloc(s->key_len, n * sizeof *len);
    if (len) s->key_len = len;
    uint64_t *next = mi_realloc(s->next, n * sizeof *next);
    if (next) s->next = next;
    if (!dead || !matched || !time || !off || !len || !next)
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the join state");
    s->rows_cap = n;
    return VELO_OK;
}

static inline velo_batch *row_chunk(const row_store *s, uint64_t r, uint32_t *row) {
    *row = (uint32_t)(r % CHUNK_ROWS);
    return s->chunks[r / CHUNK_ROWS];
}

/* Appends row i of b to the store (deep copy) with its encoded key (NULL: none); returns its id. */
static velo_status store_append(row_store *s, const velo_batch *b, uint32_t i, const velo_strbuf *key,
                                int64_t t, uint64_t *rid, velo_error *err) {
    velo_status st = store_reserve(s, err);
    if (st) return st;
    if (s->nrows == (uint64_t)s->nchunks * CHUNK_ROWS) {
        if (s->nchunks == s->chunk_cap) {
            uint32_t n = s->chunk_cap ? s->chunk_cap * 2 : 16;
            velo_batch **nc = mi_realloc(s->chunks, sizeof *nc * n);
            if (!nc) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the join state");
            s->chunks = nc;
            s->chunk_cap = n;
        }
        /* a column with no value yet (one the query does not read: the source skips it) takes a
         * byte per row until a value comes */
        if (!s->seen && !(s->seen = mi_zalloc(b->ncols + 1u)))
            return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the join state");
        velo_type *types = mi_malloc(sizeof *types * (b->ncols + 1));
        for (uint32_t c = 0; types && c < b->ncols; c++)
            types[c] = s->seen[c] ? b->cols[c].type : velo_type_make(VELO_TYPE_NULL);
        velo_batch *nb = types ? velo_batch_new_types(b->ncols, types, CHUNK_ROWS) : NULL;
        mi_free(types);
        if (!nb) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the join state");
        s->chunks[s->nchunks++] = nb;
    }
    uint32_t row;
    velo_batch *ch = row_chunk(s, s->nrows, &row);
    for (uint32_t c = 0; c < b->ncols; c++) {
        const velo_vector *src = &b->cols[c];
        velo_vector *dst = &ch->cols[c];
        if (!velo_vector_is_valid(src, i)) continue; /* the chunk starts all NULL */
        if (dst->type.id != src->type.id) {          /* the column's first value in this chunk */
            velo_vector_free(dst);
            if ((st = velo_vector_init(dst, src->type, CHUNK_ROWS, err))) return st;
            if (s->seen) s->seen[c] = 1;
        }
        velo_type_id ty = src->type.id;
        if (ty == VELO_TYPE_VARCHAR || ty == VELO_TYPE_BYTES || ty == VELO_TYPE_LIST || ty == VELO_TYPE_MAP ||
            ty == VELO_TYPE_STRUCT || ty == VELO_TYPE_ANY) {
            velo_value v;
            velo_vector_get_value(src, i, &v);
            velo_vector_set_value(dst, row, &v, &ch->arena);
        } else {
            uint32_t w = velo_type_width(src->type);
            memcpy((char *)dst->data + (size_t)row * w, (const char *)src->data + (size_t)i * w, w);
            velo_vector_set_valid(dst, row);
        }
    }
    ch->origin[row] = b->origin[i];
    ch->count = row + 1;
    uint64_t r = s->nrows++;
    s->dead[r] = 0;
    s->matched[r] = 0;
    s->time[r] = t;
    s->next[r] = NO_ROW;
    s->key_len[r] = 0;
    if (key) {
        s->key_off[r] = s->key_bytes.len;
        s->key_len[r] = (uint32_t)key->len;
        velo_strbuf_append(&s->key_bytes, key->data, key->len);
    }
    if (t < s->min_time || s->nrows - s->ndead == 1) s->min_time = t;
    *rid = r;
    return VELO_OK;
}

/* Adds row r to the key index, at the head of its chain (the chain's order does not matter). */
static velo_status store_index(row_store *s, uint64_t r, velo_error *err) {
    if (!s->key_len[r]) return VELO_OK;
    const char *k = s->key_bytes.data + s->key_off[r];
    bool found;
    velo_keymap_slot *slot =
        velo_keymap_upsert(&s->index, k, s->key_len[r], velo_keymap_hash(k, s->key_len[r]), &found);
    if (!slot) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory indexing the join state");
    s->next[r] = found ? slot->val : NO_ROW;
    slot->val = r;
    return VELO_OK;
}

/* The first live row with key kb, or NO_ROW; walk on with store_next. */
static uint64_t store_first(const row_store *s, const velo_strbuf *kb) {
    const velo_keymap_slot *slot = velo_keymap_find(&s->index, kb->data, (uint32_t)kb->len,
                                                    velo_keymap_hash(kb->data, (uint32_t)kb->len));
    uint64_t r = slot ? slot->val : NO_ROW;
    while (r != NO_ROW && s->dead[r])
        r = s->next[r];
    return r;
}

static uint64_t store_next(const row_store *s, uint64_t r) {
    r = s->next[r];
    while (r != NO_ROW && s->dead[r])
        r = s->next[r];
    return r;
}

/* Keeps only the live rows (after pruning), re-indexed. */
static velo_status store_compact(row_store *s, velo_error *err) {
    row_store n = {0};
    velo_strbuf_init(&n.key_bytes);
    velo_keymap_init(&n.index);
    velo_strbuf key;
    velo_strbuf_init(&key);
    velo_status st = VELO_OK;
    for (uint64_t r = 0; r < s->nrows && !st; r++) {
        if (s->dead[r]) continue;
        uint32_t row;
        const velo_batch *ch = row_chunk(s, r, &row);
        velo_strbuf_clear(&key);
        velo_strbuf_append(&key, s->key_bytes.data + s->key_off[r], s->key_len[r]);
        uint64_t nr;
        st = store_append(&n, ch, row, s->key_len[r] ? &key : NULL, s->time[r], &nr, err);
        if (!st) {
            n.matched[nr] = s->matched[r];
            st = store_index(&n, nr, err);
        }
    }
    velo_strbuf_free(&key);
    if (st) {
        store_free(&n);
        return st;
    }
    store_free(s);
    *s = n;
    return VELO_OK;
}

/* Encodes the key of row i (columns `vecs`) into kb; *null_key when a value is NULL (never equal). */
static velo_status encode_key(velo_strbuf *kb, velo_vector **vecs, uint32_t n, uint32_t i, bool *null_key,
                              velo_error *err) {
    velo_strbuf_clear(kb);
    *null_key = false;
    for (uint32_t c = 0; c < n; c++) {
        if (!velo_vector_is_valid(vecs[c], i)) {
            *null_key = true;
            return VELO_OK;
        }
        velo_status st = velo_key_encode(kb, vecs[c], i, "JOIN", err);
        if (st) return st;
    }
    return VELO_OK;
}

/* ---- output ---- */

static inline void copy_value(const velo_vector *src, uint32_t i, velo_vector *dst, uint32_t o) {
    if (!velo_vector_is_valid(src, i)) return; /* out starts all NULL */
    uint32_t w = velo_type_width(src->type);
    memcpy((char *)dst->data + (size_t)o * w, (const char *)src->data + (size_t)i * w, w);
    velo_vector_set_valid(dst, o);
}

/* Adds the pair (left row li of lb, or none) x (right row ri of rb, or none) to the output batch;
 * probe / stored say which rows to mark matched when the pair passes. */
static void add_pair(join_op *j, const velo_batch *lb, uint32_t li, const velo_batch *rb, uint32_t ri,
                     uint32_t probe, uint64_t stored) {
    velo_batch *out = j->out;
    uint32_t o = out->count++;
    if (lb)
        for (uint32_t c = 0; c < j->ncols[0]; c++)
            copy_value(&lb->cols[c], li, &out->cols[c], o);
    if (rb)
        for (uint32_t c = 0; c < j->ncols[1]; c++)
            copy_value(&rb->cols[c], ri, &out->cols[j->ncols[0] + c], o);
    out->origin[o] = lb ? lb->origin[li] : rb ? rb->origin[ri] : 0;
    j->pair_probe[o] = probe;
    j->pair_stored[o] = stored;
}

/* Sends the output batch on: with `check`, only the pairs whose condition is TRUE, marking the
 * pushed row (probe_matched) and the stored row of `other` matched. */
static velo_status flush(join_op *j, bool check, int other, velo_error *err) {
    velo_batch *out = j->out;
    uint32_t n = out->count;
    if (!n) return VELO_OK;
    uint32_t kept = n;
    if (check) {
        kept = 0;
        const uint8_t *pass = NULL;
        velo_vector *res = NULL, *mres = NULL;
        velo_eval_ctx_reset(&j->cctx);
        if (j->cond) {
            velo_status st = velo_expr_eval(j->cond, out, j->ident, n, &j->cctx, &res, err);
            if (st) return st;
            pass = VELO_VEC(res, uint8_t);
        }
        if (j->mark_value) {
            velo_status st = velo_expr_eval(j->mark_value, out, j->ident, n, &j->cctx, &mres, err);
            if (st) return st;
        }
        for (uint32_t o = 0; o < n; o++) {
            if (j->cond || j->mark_value) {
                if (j->cctx.errors.count && j->cctx.errors.flag[o]) {
                    j->base.rows_failed++;
                    velo_status st;
                    if (j->on_pair_error.fn && (st = j->on_pair_error.fn(j->on_pair_error.ud, out, o,
                                                                         j->cctx.errors.message[o], err)))
                        return st;
                    continue;
                }
                if (j->cond && (!velo_vector_is_valid(res, o) || !pass[o])) continue;
            }
            if (j->kind == VELO_JOIN_OP_MARK) {
                uint8_t m = !mres                            ? 2
                            : !velo_vector_is_valid(mres, o) ? 1
                            : VELO_VEC(mres, uint8_t)[o]     ? 2
                                                             : 0;
                uint8_t *pm = &j->probe_mark[j->pair_probe[o]];
                if (m > *pm) *pm = m;
                continue;
            }
            j->probe_matched[j->pair_probe[o]] = 1;
            j->store[other].matched[j->pair_stored[o]] = 1;
            if (j->probe_rid[j->pair_probe[o]] != NO_ROW) /* symmetric: the pushed row is kept already */
                j->store[1 - other].matched[j->probe_rid[j->pair_probe[o]]] = 1;
            out->sel[kept++] = o;
        }
        out->has_sel = true;
        out->sel_count = kept;
    }
    velo_status st = VELO_OK;
    if (j->kind == VELO_JOIN_OP_SEMI || j->kind == VELO_JOIN_OP_ANTI ||
        j->kind == VELO_JOIN_OP_MARK) { /* the pairs only mark rows */
        velo_batch_reset(out);
        return VELO_OK;
    }
    j->base.rows_out += kept;
    if (kept && j->base.next) st = velo_operator_push(j->base.next, out, err);
    velo_batch_reset(out);
    return st;
}

/* Emits the stored rows of `side` that never matched, with NULLs for the other side (rows at or
 * above `upto` in time are kept when pruning); marks them dead. */
static velo_status emit_unmatched(join_op *j, int side, bool prune, int64_t horizon, velo_error *err) {
    row_store *s = &j->store[side];
    velo_status st;
    int64_t min_time = INT64_MAX;
    for (uint64_t r = 0; r < s->nrows; r++) {
        if (s->dead[r]) continue;
        if (prune && s->time[r] >= horizon) {
            if (s->time[r] < min_time) min_time = s->time[r];
            continue;
        }
        if (prune) {
            s->dead[r] = 1;
            s->ndead++;
        }
        if (s->matched[r] || !is_outer(j, side)) continue;
        if (j->out->count == j->capacity && (st = flush(j, false, 0, err))) return st;
        uint32_t row;
        const velo_batch *ch = row_chunk(s, r, &row);
        if (side == 0)
            add_pair(j, ch, row, NULL, 0, 0, NO_ROW);
        else
            add_pair(j, NULL, 0, ch, row, 0, NO_ROW);
    }
    if (prune) s->min_time = min_time;
    if ((st = flush(j, false, 0, err))) return st;
    if (prune && s->ndead > CHUNK_ROWS && s->ndead * 2 > s->nrows) return store_compact(s, err);
    return VELO_OK;
}

/* ---- symmetric mode: watermark ---- */

static int64_t side_watermark(const join_op *j, int side) {
    if (j->finished[side]) return INT64_MAX;
    if (!j->stream.use_watermark || j->max_time[side] == INT64_MIN) return INT64_MIN;
    return j->max_time[side] - j->stream.delay_us[side];
}

static int64_t join_watermark(const join_op *j) {
    int64_t a = side_watermark(j, 0), b = side_watermark(j, 1);
    return a < b ? a : b;
}

/* Rows of `side` whose time is below this can match no row still to come, whose times are at least
 * the watermark wm: a left row needs a right time in [t - hi, t - lo], so it is done once
 * t - lo < wm; a right row needs a left time in [t + lo, t + hi], done once t + hi < wm. */
static int64_t side_horizon(const join_op *j, int side, int64_t wm) {
    if (wm == INT64_MAX || wm == INT64_MIN) return wm;
    int64_t by = side == 0 ? j->lo : -j->hi, h;
    if (__builtin_add_overflow(wm, by, &h)) return by > 0 ? INT64_MAX : INT64_MIN;
    return h;
}

/* Drops the rows that can match nothing more (behind their side's horizon), emitting outer ones. */
static velo_status prune(join_op *j, velo_error *err) {
    int64_t wm = join_watermark(j);
    if (wm == INT64_MIN) return VELO_OK;
    for (int side = 0; side < 2; side++) {
        row_store *s = &j->store[side];
        int64_t horizon = side_horizon(j, side, wm);
        if (s->nrows == s->ndead) continue;
        if (wm != INT64_MAX && (!j->bounded || s->min_time >= horizon)) continue;
        velo_status st = emit_unmatched(j, side, true, horizon, err);
        if (st) return st;
    }
    return VELO_OK;
}

/* ---- pushing a batch into one side ---- */

/* Live rows of b into sel (scratch memory of ctx), their keys evaluated into kv. */
static velo_status eval_keys(join_op *j, int side, velo_batch *b, uint32_t **sel_out, uint32_t *n_out,
                             velo_vector ***kv_out, velo_error *err) {
    velo_eval_ctx *ctx = &j->kctx[side];
    velo_eval_ctx_reset(ctx);
    uint32_t n = velo_batch_live(b);
    uint32_t *sel = velo_arena_alloc(&ctx->scratch, sizeof *sel * (n ? n : 1));
    velo_vector **kv = velo_arena_alloc(&ctx->scratch, sizeof *kv * (j->nkeys + 1));
    if (!sel || !kv) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t k = 0; k < n; k++)
        sel[k] = velo_batch_row(b, k);
    for (uint32_t c = 0; c < j->nkeys; c++) {
        velo_status st = velo_expr_eval(j->keys[side][c], b, sel, n, ctx, &kv[c], err);
        if (st) return st;
    }
    *sel_out = sel;
    *n_out = n;
    *kv_out = kv;
    return VELO_OK;
}

static velo_status reject(join_op *j, int side, velo_batch *b, uint32_t i, const char *msg, velo_error *err) {
    velo_operator *o = side == 0 ? &j->base : &j->build.base;
    o->rows_failed++;
    return j->on_error[side].fn ? j->on_error[side].fn(j->on_error[side].ud, b, i, msg, err) : VELO_OK;
}

/* Hash mode, build side: store the row (a table replaces the row with the same primary key). */
static velo_status build_push(velo_operator *o, velo_batch *b, velo_error *err);

/* Sends the pending pairs on, then drops what the watermark passed. */
static velo_status advance(join_op *j, int other, velo_error *err) {
    velo_status st = flush(j, true, other, err);
    return st ? st : prune(j, err);
}

/* A row that can never join (NULL key or time): out at once with NULLs when its side is outer. */
static velo_status emit_alone(join_op *j, int side, const velo_batch *b, uint32_t i, velo_error *err) {
    if (!is_outer(j, side)) return VELO_OK;
    velo_status st = flush(j, true, 1 - side, err); /* pending pairs first: they need the condition */
    if (st) return st;
    if (side == 0)
        add_pair(j, b, i, NULL, 0, 0, NO_ROW);
    else
        add_pair(j, NULL, 0, b, i, 0, NO_ROW);
    return flush(j, false, 0, err);
}

/* Symmetric mode, row after row: late check against the join's watermark, probe the other side's
 * store within the time bound, keep the row, and prune when the watermark moved. */
static velo_status symmetric_push(join_op *j, int side, velo_batch *b, velo_error *err) {
    uint32_t *sel, n;
    velo_vector **kv;
    velo_status st = eval_keys(j, side, b, &sel, &n, &kv, err);
    if (st) return st;
    velo_eval_ctx *ctx = &j->kctx[side];
    int other = 1 - side;
    row_store *s = &j->store[side], *os = &j->store[other];
    const velo_vector *tv = j->time_col[side] >= 0 ? &b->cols[j->time_col[side]] : NULL;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        j->probe_matched[i] = 0;
        j->probe_rid[i] = NO_ROW;
        if (ctx->errors.count && ctx->errors.flag[i]) {
            if ((st = reject(j, side, b, i, ctx->errors.message[i], err))) return st;
            continue;
        }
        bool has_time = !tv || velo_vector_is_valid(tv, i);
        int64_t t = tv && has_time ? VELO_VEC(tv, int64_t)[i] : 0;
        int64_t wm = join_watermark(j);
        if (tv && has_time && wm != INT64_MIN && t < wm) {
            j->late_rows++;
            if (j->stream.late_to_dlq &&
                (st = reject(j, side, b, i, "late row: its event time is behind the join's watermark", err)))
                return st;
            continue;
        }
        bool null_key = false;
        if ((st = encode_key(&j->kb, kv, j->nkeys, i, &null_key, err))) return st;
        if (!j->nkeys) velo_strbuf_append(&j->kb, "", 1); /* no equality: every row in one chain */
        if (null_key || !has_time) {
            if ((st = emit_alone(j, side, b, i, err))) return st;
            continue;
        }
        for (uint64_t r = store_first(os, &j->kb); r != NO_ROW; r = store_next(os, r)) {
            if (j->bounded) {
                int64_t d = side == 0 ? t - os->time[r] : os->time[r] - t; /* left time - right time */
                if (d < j->lo || d > j->hi) continue;
            }
            if (j->out->count == j->capacity && (st = flush(j, true, other, err))) return st;
            uint32_t row;
            const velo_batch *ch = row_chunk(os, r, &row);
            if (side == 0)
                add_pair(j, b, i, ch, row, i, r);
            else
                add_pair(j, ch, row, b, i, i, r);
        }
        uint64_t rid;
        if ((st = store_append(s, b, i, &j->kb, t, &rid, err))) return st;
        s->matched[rid] = j->probe_matched[i];
        j->probe_rid[i] = rid;
        if ((st = store_index(s, rid, err))) return st;
        if (t > j->max_time[side]) {
            j->max_time[side] = t;
            int64_t nwm = join_watermark(j);
            /* a finite watermark (neither side unseen nor finished) that moved: prune when it passed a row */
            bool finite = nwm != INT64_MIN && nwm != INT64_MAX;
            if (finite && nwm > wm && j->bounded &&
                ((s->nrows > s->ndead && s->min_time < side_horizon(j, side, nwm)) ||
                 (os->nrows > os->ndead && os->min_time < side_horizon(j, other, nwm))) &&
                (st = advance(j, other, err)))
                return st;
        }
    }
    if ((st = flush(j, true, other, err))) return st;
    if ((st = state_check(j, err))) return st;
    return prune(j, err);
}

static velo_status symmetric_finish(join_op *j, int side, velo_error *err) {
    j->finished[side] = true;
    velo_status st = prune(j, err);
    if (st || !j->finished[0] || !j->finished[1]) return st;
    return velo_operator_finish_next(&j->base, err);
}

/* Whether this core keeps build row i (velo_join_partition). */
static bool build_row_mine(join_op *j, const velo_batch *b, velo_vector **kv, uint32_t i) {
    if (j->part.n <= 1) return true;
    uint32_t owner = 0;
    const velo_eval_ctx *ctx = &j->kctx[1];
    bool ok = !(ctx->errors.count && ctx->errors.flag[i]) && j->nkeys;
    if (ok && j->right_pk >= 0) ok = velo_vector_is_valid(&b->cols[j->right_pk], i);
    for (uint32_t c = 0; ok && c < j->nkeys; c++)
        ok = velo_vector_is_valid(kv[c], i);
    if (ok) owner = velo_exchange_route(kv, j->nkeys, i, j->part.n, &j->kb);
    return owner == j->part.self;
}

/* A changelog table: drops the dead rows once they are most of the store, and maps each primary key
 * to its row again (store_compact renumbers them). */
static velo_status table_compact(join_op *j, velo_error *err) {
    row_store *s = &j->store[1];
    if (s->ndead <= CHUNK_ROWS || s->ndead * 2 <= s->nrows) return VELO_OK;
    velo_status st = store_compact(s, err);
    if (st) return st;
    velo_keymap_free(&j->pk);
    velo_keymap_init(&j->pk);
    for (uint64_t r = 0; r < s->nrows; r++) {
        uint32_t row;
        const velo_batch *ch = row_chunk(s, r, &row);
        velo_strbuf_clear(&j->kb);
        if ((st = velo_key_encode(&j->kb, &ch->cols[j->right_pk], row, "a table's PRIMARY KEY", err)))
            return st;
        bool found;
        velo_keymap_slot *slot =
            velo_keymap_upsert(&j->pk, j->kb.data, (uint32_t)j->kb.len,
                               velo_keymap_hash(j->kb.data, (uint32_t)j->kb.len), &found);
        if (!slot) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the table");
        slot->val = r;
    }
    return VELO_OK;
}

static velo_status build_push(velo_operator *o, velo_batch *b, velo_error *err) {
    join_op *j = ((build_input *)o)->join;
    if (j->stream.symmetric) return symmetric_push(j, 1, b, err);
    bool live = j->built; /* a changelog's update: indexed at once */
    if (live && !j->right_changelog)
        return velo_error_set(err, VELO_ERR_INTERNAL,
                              "join: a build row arrived after the build side finished");
    uint32_t *sel, n;
    velo_vector **kv;
    velo_status st = eval_keys(j, 1, b, &sel, &n, &kv, err);
    if (st) return st;
    velo_eval_ctx *ctx = &j->kctx[1];
    row_store *s = &j->store[1];
    const velo_vector *deleted = j->right_changelog ? &b->cols[j->ncols[1]] : NULL;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        bool mine = build_row_mine(j, b, kv, i);
        if (!mine && j->key_is_pk && !deleted) continue; /* no version of this key is ever ours */
        bool del = deleted && velo_vector_is_valid(deleted, i) && VELO_VEC(deleted, uint8_t)[i];
        if (!del && ctx->errors.count && ctx->errors.flag[i]) {
            if (mine && (st = reject(j, 1, b, i, ctx->errors.message[i], err))) return st;
            continue;
        }
        uint64_t replaced = NO_ROW;
        velo_keymap_slot *pks = NULL;
        if (j->right_pk >= 0) {
            const velo_vector *pv = &b->cols[j->right_pk];
            if (!mine && !velo_vector_is_valid(pv, i)) continue; /* core 0 reports it */
            if (!velo_vector_is_valid(pv, i)) {
                char msg[256];
                snprintf(msg, sizeof msg, "table '%s': a row with a NULL primary key cannot be stored",
                         j->right_name ? j->right_name : "?");
                if ((st = reject(j, 1, b, i, msg, err))) return st;
                continue;
            }
            velo_strbuf_clear(&j->kb);
            if ((st = velo_key_encode(&j->kb, pv, i, "a table's PRIMARY KEY", err))) return st;
            bool found;
            pks = velo_keymap_upsert(&j->pk, j->kb.data, (uint32_t)j->kb.len,
                                     velo_keymap_hash(j->kb.data, (uint32_t)j->kb.len), &found);
            if (!pks) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the table");
            if (found) replaced = pks->val; /* NO_ROW: deleted before, or kept by another core */
        }
        if (replaced != NO_ROW) {
            s->dead[replaced] = 1;
            s->ndead++;
        }
        if (del || !mine) { /* a tombstone: the key is gone; not mine: its latest row is elsewhere */
            if (pks) pks->val = NO_ROW;
            continue;
        }
        bool null_key;
        if ((st = encode_key(&j->kb, kv, j->nkeys, i, &null_key, err))) return st;
        uint64_t rid = 0;
        if ((st = store_append(s, b, i, null_key || !j->nkeys ? NULL : &j->kb, 0, &rid, err))) return st;
        if (pks) pks->val = rid; /* the slot pointer is stable: nothing was inserted since */
        if (live && (st = store_index(s, rid, err))) return st;
    }
    if (live && (st = table_compact(j, err))) return st;
    return state_check(j, err);
}

/* Indexes the live rows by join key. */
static velo_status build_index(join_op *j, velo_error *err) {
    j->built = true;
    row_store *s = &j->store[1];
    /* newest first within a chain: index from the last row back, so chains keep arrival order */
    for (uint64_t r = s->nrows; r-- > 0;) {
        if (s->dead[r]) continue;
        velo_status st = store_index(s, r, err);
        if (st) return st;
    }
    return state_check(j, err);
}

static velo_status build_finish(velo_operator *o, velo_error *err) {
    join_op *j = ((build_input *)o)->join;
    if (j->stream.symmetric) return symmetric_finish(j, 1, err);
    return j->built ? VELO_OK : build_index(j, err);
}

static void build_destroy(velo_operator *o) { (void)o; }

static const velo_operator_ops build_ops = {
    .name = "join build", .push = build_push, .finish = build_finish, .destroy = build_destroy};

/* ---- hash mode, probe side ---- */

/* MARK: every pushed row that did not fail, with its mark (TRUE / NULL / FALSE) after its columns. */
static velo_status emit_marks(join_op *j, velo_batch *b, const uint32_t *sel, uint32_t n, velo_error *err) {
    velo_batch *out = j->mark_out;
    velo_vector *mv = &out->cols[j->ncols[0]];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (j->probe_skip[i]) continue;
        uint32_t o = out->count++;
        for (uint32_t c = 0; c < j->ncols[0]; c++)
            copy_value(&b->cols[c], i, &out->cols[c], o);
        out->origin[o] = b->origin[i];
        if (j->probe_mark[i] != 1) {
            VELO_VEC(mv, uint8_t)[o] = j->probe_mark[i] == 2;
            velo_vector_set_valid(mv, o);
        }
    }
    j->base.rows_out += out->count;
    velo_status st = out->count && j->base.next ? velo_operator_push(j->base.next, out, err) : VELO_OK;
    velo_batch_reset(out);
    return st;
}

static velo_status probe_push(velo_operator *o, velo_batch *b, velo_error *err) {
    join_op *j = (join_op *)o;
    if (j->stream.symmetric) return symmetric_push(j, 0, b, err);
    velo_status st;
    if (!j->built && (st = build_index(j, err))) return st;
    uint32_t *sel, n;
    velo_vector **kv;
    if ((st = eval_keys(j, 0, b, &sel, &n, &kv, err))) return st;
    velo_eval_ctx *ctx = &j->kctx[0];
    row_store *s = &j->store[1];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        j->probe_matched[i] = 0;
        j->probe_mark[i] = 0;
        j->probe_skip[i] = ctx->errors.count && ctx->errors.flag[i];
        if (j->probe_skip[i]) {
            if ((st = reject(j, 0, b, i, ctx->errors.message[i], err))) return st;
            continue;
        }
        uint64_t r;
        if (j->nkeys) {
            bool null_key;
            if ((st = encode_key(&j->kb, kv, j->nkeys, i, &null_key, err))) return st;
            if (null_key) continue;
            r = store_first(s, &j->kb);
        } else {
            for (r = 0; r < s->nrows && s->dead[r]; r++) {
            }
            if (r == s->nrows) r = NO_ROW;
        }
        while (r != NO_ROW) {
            if (j->out->count == j->capacity && (st = flush(j, true, 1, err))) return st;
            uint32_t row;
            const velo_batch *ch = row_chunk(s, r, &row);
            add_pair(j, b, i, ch, row, i, r);
            if (j->nkeys) {
                r = store_next(s, r);
            } else {
                for (r++; r < s->nrows && s->dead[r]; r++) {
                }
                if (r == s->nrows) r = NO_ROW;
            }
        }
    }
    if ((st = flush(j, true, 1, err))) return st;
    if (j->kind == VELO_JOIN_OP_MARK) return emit_marks(j, b, sel, n, err);
    if (j->kind == VELO_JOIN_OP_SEMI || j->kind == VELO_JOIN_OP_ANTI) {
        /* compact the selection in place: writes never overtake reads */
        bool want = j->kind == VELO_JOIN_OP_SEMI;
        uint32_t kept = 0;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!j->probe_skip[i] && (bool)j->probe_matched[i] == want) b->sel[kept++] = i;
        }
        b->has_sel = true;
        b->sel_count = kept;
        o->rows_out += kept;
        return kept && o->next ? velo_operator_push(o->next, b, err) : VELO_OK;
    }
    if (is_outer(j, 0)) {
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (j->probe_matched[i] || j->probe_skip[i]) continue;
            if (j->out->count == j->capacity && (st = flush(j, false, 1, err))) return st;
            add_pair(j, b, i, NULL, 0, 0, NO_ROW);
        }
        if ((st = flush(j, false, 1, err))) return st;
    }
    return VELO_OK;
}

static velo_status probe_finish(velo_operator *o, velo_error *err) {
    join_op *j = (join_op *)o;
    if (j->stream.symmetric) return symmetric_finish(j, 0, err);
    velo_status st;
    if (!j->built && (st = build_index(j, err))) return st;
    if (is_outer(j, 1) && (st = emit_unmatched(j, 1, false, 0, err))) return st;
    return velo_operator_finish_next(o, err);
}

static void probe_destroy(velo_operator *o) {
    join_op *j = (join_op *)o;
    for (int side = 0; side < 2; side++) {
        for (uint32_t c = 0; j->keys[side] && c < j->nkeys; c++)
            velo_expr_free(j->keys[side][c]);
        mi_free(j->keys[side]);
        store_free(&j->store[side]);
        velo_eval_ctx_free(&j->kctx[side]);
    }
    velo_expr_free(j->cond);
    velo_expr_free(j->mark_value);
    velo_batch_free(j->mark_out);
    mi_free(j->probe_mark);
    velo_strbuf_free(&j->kb);
    velo_keymap_free(&j->pk);
    velo_eval_ctx_free(&j->cctx);
    velo_batch_free(j->out);
    mi_free(j->pair_probe);
    mi_free(j->pair_stored);
    mi_free(j->ident);
    mi_free(j->probe_matched);
    mi_free(j->probe_skip);
    mi_free(j->probe_rid);
    mi_free(j);
}

static const velo_operator_ops probe_ops = {
    .name = "join", .push = probe_push, .finish = probe_finish, .destroy = probe_destroy};

velo_operator *velo_join_op_new(const velo_join_config *cfg, velo_error *err) {
    join_op *j = mi_zalloc(sizeof *j);
    uint32_t cap = cfg->capacity ? cfg->capacity : 2048;
    if (!j) {
        for (uint32_t c = 0; c < cfg->nkeys; c++) {
            velo_expr_free(cfg->left_keys[c]);
            velo_expr_free(cfg->right_keys[c]);
        }
        velo_expr_free(cfg->condition);
        velo_expr_free(cfg->mark_value);
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the join");
        return NULL;
    }
    j->base.ops = &probe_ops;
    j->build.base.ops = &build_ops;
    j->build.join = j;
    j->kind = cfg->kind;
    j->nkeys = cfg->nkeys;
    j->keys[0] = mi_malloc(sizeof *j->keys[0] * (cfg->nkeys + 1));
    j->keys[1] = mi_malloc(sizeof *j->keys[1] * (cfg->nkeys + 1));
    if (j->keys[0] && cfg->nkeys) memcpy(j->keys[0], cfg->left_keys, sizeof *j->keys[0] * cfg->nkeys);
    if (j->keys[1] && cfg->nkeys) memcpy(j->keys[1], cfg->right_keys, sizeof *j->keys[1] * cfg->nkeys);
    j->cond = cfg->condition;
    j->mark_value = cfg->mark_value;
    j->ncols[0] = cfg->left->ncols;
    j->ncols[1] = cfg->right->ncols;
    j->right_pk = cfg->right_pk;
    j->right_changelog = cfg->right_changelog && cfg->right_pk >= 0;
    if (cfg->time_bound) {
        j->bounded = true;
        j->lo = cfg->bound_lo_us;
        j->hi = cfg->bound_hi_us;
    } else if (cfg->within_us >= 0) {
        j->bounded = true;
        j->lo = -cfg->within_us;
        j->hi = cfg->within_us;
    }
    j->time_col[0] = cfg->left_time;
    j->time_col[1] = cfg->right_time;
    j->right_name = cfg->right_name;
    j->max_state_bytes = cfg->max_state_bytes;
    j->capacity = cap;
    j->on_error[0] = cfg->on_left_error;
    j->on_error[1] = cfg->on_right_error;
    j->on_pair_error = cfg->on_pair_error;
    j->stream = cfg->stream;
    j->part = cfg->build_part;
    j->key_is_pk = cfg->nkeys == 1 && cfg->right_pk >= 0 && cfg->right_keys[0]->kind == VELO_EXPR_COLUMN &&
                   cfg->right_keys[0]->column == (uint32_t)cfg->right_pk &&
                   cfg->right_keys[0]->outer_depth == 0;
    j->max_time[0] = j->max_time[1] = INT64_MIN;
    velo_strbuf_init(&j->kb);
    velo_keymap_init(&j->pk);
    for (int side = 0; side < 2; side++) {
        velo_strbuf_init(&j->store[side].key_bytes);
        velo_keymap_init(&j->store[side].index);
    }
    if (!j->keys[0] || !j->keys[1]) {
        if (j->keys[0]) {
            for (uint32_t c = 0; c < cfg->nkeys; c++)
                velo_expr_free(cfg->left_keys[c]);
            mi_free(j->keys[0]);
            j->keys[0] = NULL;
        }
        if (j->keys[1]) {
            for (uint32_t c = 0; c < cfg->nkeys; c++)
                velo_expr_free(cfg->right_keys[c]);
            mi_free(j->keys[1]);
            j->keys[1] = NULL;
        }
        goto nomem;
    }
    if (velo_eval_ctx_init(&j->kctx[0], cap, cfg->file, err) ||
        velo_eval_ctx_init(&j->kctx[1], cap, cfg->file, err) ||
        velo_eval_ctx_init(&j->cctx, cap, cfg->file, err))
        goto fail;
    for (uint32_t c = 0; c < j->nkeys; c++)
        if (velo_expr_prepare(j->keys[0][c], cap, err) || velo_expr_prepare(j->keys[1][c], cap, err))
            goto fail;
    if (j->cond && velo_expr_prepare(j->cond, cap, err)) goto fail;
    if (j->mark_value && velo_expr_prepare(j->mark_value, cap, err)) goto fail;
    if (j->kind == VELO_JOIN_OP_MARK) {
        if (j->stream.symmetric || j->bounded) {
            velo_error_set(err, VELO_ERR_UNSUPPORTED,
                           "a correlated subquery over an input that never ends is not supported yet");
            goto fail;
        }
        velo_type *mt = mi_malloc(sizeof *mt * (j->ncols[0] + 1));
        for (uint32_t c = 0; mt && c < j->ncols[0]; c++)
            mt[c] = cfg->left->fields[c].type;
        if (mt) mt[j->ncols[0]] = velo_type_make(VELO_TYPE_BOOLEAN);
        j->mark_out = mt ? velo_batch_new_types(j->ncols[0] + 1, mt, cap) : NULL;
        mi_free(mt);
        if (!j->mark_out) goto nomem;
    }
    velo_type *types = mi_malloc(sizeof *types * (j->ncols[0] + j->ncols[1] + 1));
    for (uint32_t c = 0; types && c < j->ncols[0] + j->ncols[1]; c++)
        types[c] = c < j->ncols[0] ? cfg->left->fields[c].type : cfg->right->fields[c - j->ncols[0]].type;
    j->out = types ? velo_batch_new_types(j->ncols[0] + j->ncols[1], types, cap) : NULL;
    mi_free(types);
    j->pair_probe = mi_malloc(sizeof *j->pair_probe * cap);
    j->pair_stored = mi_malloc(sizeof *j->pair_stored * cap);
    j->ident = mi_malloc(sizeof *j->ident * cap);
    j->probe_matched = mi_zalloc(cap);
    j->probe_skip = mi_zalloc(cap);
    j->probe_rid = mi_malloc(sizeof *j->probe_rid * cap);
    j->probe_mark = mi_zalloc(cap);
    if (!j->probe_mark || !j->out || !j->pair_probe || !j->pair_stored || !j->ident || !j->probe_matched ||
        !j->probe_skip || !j->probe_rid)
        goto nomem;
    for (uint32_t i = 0; i < cap; i++) {
        j->ident[i] = i;
        j->probe_rid[i] = NO_ROW;
    }
    if (j->bounded) j->stream.symmetric = true; /* the time bound is checked on that path */
    for (int side = 0; side < 2; side++)
        if (store_reserve(&j->store[side], err)) goto fail;
    return &j->base;
nomem:
    velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the join");
fail:
    probe_destroy(&j->base);
    return NULL;
}

velo_operator *velo_join_op_build_input(velo_operator *join) { return &((join_op *)join)->build.base; }

void velo_join_op_stats(const velo_operator *join, velo_join_stats *out) {
    const join_op *j = (const join_op *)join;
    out->right_rows = j->store[0].nrows - j->store[0].ndead + j->store[1].nrows - j->store[1].ndead;
    out->state_bytes = j->state_bytes;
    out->late_rows = j->late_rows;
    out->late_rows_rejected = j->stream.late_to_dlq ? j->late_rows : 0;
    int64_t wm = join_watermark(j);
    out->watermark = wm == INT64_MAX ? INT64_MIN : wm; /* both inputs ended: no watermark to lag */
}

/* ---- UNION ALL ---- */

typedef struct union_op {
    velo_operator base;
    uint32_t ninputs, finished;
} union_op;

static velo_status union_push(velo_operator *o, velo_batch *b, velo_error *err) {
    o->rows_out += velo_batch_live(b);
    return o->next ? velo_operator_push(o->next, b, err) : VELO_OK;
}

static velo_status union_finish(velo_operator *o, velo_error *err) {
    union_op *u = (union_op *)o;
    if (++u->finished < u->ninputs) return VELO_OK;
    return velo_operator_finish_next(o, err);
}

static void union_destroy(velo_operator *o) { mi_free(o); }

static const velo_operator_ops union_ops = {
    .name = "union all", .push = union_push, .finish = union_finish, .destroy = union_destroy};

velo_operator *velo_union_op_new(uint32_t ninputs) {
    union_op *u = mi_zalloc(sizeof *u);
    if (!u) return NULL;
    u->base.ops = &union_ops;
    u->ninputs = ninputs;
    return &u->base;
}
