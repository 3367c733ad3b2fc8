/* Hash joins and UNION ALL (core/join_op.h).
 *
 * The build side copies its rows into a row store of column chunks (strings deep-copied into each
 * chunk's arena) and encodes each row's join key (core/keys.h); when it finishes, the live rows are
 * indexed by key in an open-addressing table whose slots head a chain of row ids. A probe batch
 * fills an output batch with candidate pairs (left values point into the probe batch, right values
 * into the store: both outlive the push), evaluates the residual condition over the whole output
 * batch at once, and keeps the passing pairs through the selection vector. */
#include "core/join_op.h"

#include <mimalloc.h>
#include <stdio.h>
#include <string.h>

#include "core/keymap.h"
#include "core/keys.h"
#include "core/strbuf.h"

#define CHUNK_ROWS 2048u
#define NO_ROW     VELO_KEYMAP_NONE

typedef struct join_op join_op;

typedef struct build_input {
    velo_operator base;
    join_op *join;
} build_input;

struct join_op {
    velo_operator base;
    build_input build;
    velo_join_op_kind kind;
    velo_expr **lkeys, **rkeys;
    uint32_t nkeys;
    velo_expr *cond;
    uint32_t nleft, nright;
    int32_t right_pk;
    int64_t within_us;
    int32_t left_time, right_time;
    const char *right_name;
    uint64_t max_state_bytes;
    uint32_t capacity;
    velo_row_error_handler on_left_error, on_right_error, on_pair_error;

    /* the row store */
    velo_batch **chunks;
    uint32_t nchunks, chunk_cap;
    uint64_t nrows;
    uint8_t *dead;     /* replaced by a later row with the same primary key */
    uint8_t *matched;  /* RIGHT / FULL: joined at least once */
    uint64_t *key_off; /* encoded join key of each row in rkey_bytes; key_len 0: NULL key, never joins */
    uint32_t *key_len;
    uint64_t rows_cap;
    velo_strbuf rkey_bytes;
    velo_keymap pk;    /* table: primary key -> latest row */
    velo_keymap index; /* join key -> first row of its chain */
    uint64_t *next;    /* chain of rows with the same join key */
    bool built;
    uint64_t state_bytes;

    /* probing */
    velo_eval_ctx kctx, cctx, bctx;
    velo_batch *out;
    uint32_t *pair_left;  /* out row -> probe batch row (physical) */
    uint64_t *pair_right; /* out row -> store row, or NO_ROW */
    uint32_t *ident;      /* 0..capacity-1 */
    uint8_t *left_matched;
    uint8_t *left_failed;
    velo_strbuf kb;
};

/* ---- the row store ---- */

static velo_status state_check(join_op *j, velo_error *err) {
    uint64_t bytes = j->rows_cap * (sizeof(uint64_t) * 2 + sizeof(uint32_t) + 2) + j->rkey_bytes.cap +
                     velo_keymap_bytes(&j->pk) + velo_keymap_bytes(&j->index);
    for (uint32_t c = 0; c < j->nchunks; c++) {
        const velo_batch *b = j->chunks[c];
        bytes += b->arena.bytes_allocated + (uint64_t)CHUNK_ROWS * sizeof(int64_t);
        for (uint32_t k = 0; k < b->ncols; k++)
            bytes += (uint64_t)CHUNK_ROWS * velo_type_width(b->cols[k].type) + CHUNK_ROWS / 8;
    }
    j->state_bytes = bytes;
    if (j->max_state_bytes && bytes > j->max_state_bytes)
        return velo_error_set(
            err, VELO_ERR_NOMEM,
            "join state of %s holds %llu bytes after %llu rows, over 'state.max.bytes'=%llu; "
            "raise 'state.max.bytes', filter the joined input, or bound the join with WITHIN",
            j->right_name ? j->right_name : "the right input", (unsigned long long)bytes,
            (unsigned long long)j->nrows, (unsigned long long)j->max_state_bytes);
    return VELO_OK;
}

static velo_status store_reserve(join_op *j, velo_error *err) {
    if (j->nrows < j->rows_cap) return VELO_OK;
    uint64_t n = j->rows_cap ? j->rows_cap * 2 : CHUNK_ROWS;
    uint8_t *dead = mi_realloc(j->dead, n), *matched = mi_realloc(j->matched, n);
    if (dead) j->dead = dead;
    if (matched) j->matched = matched;
    uint64_t *off = mi_realloc(j->key_off, n * sizeof *off);
    if (off) j->key_off = off;
    uint32_t *len = mi_realloc(j->key_len, n * sizeof *len);
    if (len) j->key_len = len;
    if (!dead || !matched || !off || !len)
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the join state");
    memset(j->dead + j->rows_cap, 0, n - j->rows_cap);
    memset(j->matched + j->rows_cap, 0, n - j->rows_cap);
    j->rows_cap = n;
    return VELO_OK;
}

static inline velo_batch *row_chunk(const join_op *j, uint64_t r, uint32_t *row) {
    *row = (uint32_t)(r % CHUNK_ROWS);
    return j->chunks[r / CHUNK_ROWS];
}

/* Appends row i of b to the store (deep copy); returns its id in *rid. */
static velo_status store_append_row(join_op *j, velo_batch *b, uint32_t i, uint64_t *rid, velo_error *err) {
    velo_status st = store_reserve(j, err);
    if (st) return st;
    if (j->nrows == (uint64_t)j->nchunks * CHUNK_ROWS) {
        if (j->nchunks == j->chunk_cap) {
            uint32_t n = j->chunk_cap ? j->chunk_cap * 2 : 16;
            velo_batch **nc = mi_realloc(j->chunks, sizeof *nc * n);
            if (!nc) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the join state");
            j->chunks = nc;
            j->chunk_cap = n;
        }
        velo_type *types = mi_malloc(sizeof *types * (b->ncols + 1));
        for (uint32_t c = 0; types && c < b->ncols; c++)
            types[c] = b->cols[c].type;
        velo_batch *nb = types ? velo_batch_new_types(b->ncols, types, CHUNK_ROWS) : NULL;
        mi_free(types);
        if (!nb) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the join state");
        j->chunks[j->nchunks++] = nb;
    }
    uint32_t row;
    velo_batch *ch = row_chunk(j, j->nrows, &row);
    for (uint32_t c = 0; c < b->ncols; c++) {
        const velo_vector *src = &b->cols[c];
        velo_vector *dst = &ch->cols[c];
        if (!velo_vector_is_valid(src, i)) continue; /* the chunk starts all NULL */
        velo_type_id t = src->type.id;
        if (t == VELO_TYPE_VARCHAR || t == VELO_TYPE_BYTES || t == VELO_TYPE_LIST || t == VELO_TYPE_MAP ||
            t == VELO_TYPE_STRUCT || t == VELO_TYPE_ANY) {
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
    j->dead[j->nrows] = 0;
    j->matched[j->nrows] = 0;
    j->key_len[j->nrows] = 0;
    *rid = j->nrows++;
    return VELO_OK;
}

/* Encodes the key of row i (columns `vecs`) into kb; false when a key value is NULL (never equal). */
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

/* ---- build side ---- */

static velo_status build_push(velo_operator *o, velo_batch *b, velo_error *err) {
    join_op *j = ((build_input *)o)->join;
    if (j->built)
        return velo_error_set(err, VELO_ERR_INTERNAL,
                              "join: a build row arrived after the build side finished");
    velo_eval_ctx_reset(&j->bctx);
    uint32_t n = velo_batch_live(b);
    uint32_t *sel = velo_arena_alloc(&j->bctx.scratch, sizeof *sel * (n ? n : 1));
    if (!sel) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t k = 0; k < n; k++)
        sel[k] = velo_batch_row(b, k);
    velo_vector **kv = velo_arena_alloc(&j->bctx.scratch, sizeof *kv * (j->nkeys + 1));
    if (!kv) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t c = 0; c < j->nkeys; c++) {
        velo_status st = velo_expr_eval(j->rkeys[c], b, sel, n, &j->bctx, &kv[c], err);
        if (st) return st;
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        velo_status st;
        if (j->bctx.errors.count && j->bctx.errors.flag[i]) {
            o->rows_failed++;
            if (j->on_right_error.fn &&
                (st = j->on_right_error.fn(j->on_right_error.ud, b, i, j->bctx.errors.message[i], err)))
                return st;
            continue;
        }
        uint64_t replaced = NO_ROW;
        velo_keymap_slot *pks = NULL;
        if (j->right_pk >= 0) {
            const velo_vector *pv = &b->cols[j->right_pk];
            if (!velo_vector_is_valid(pv, i)) {
                o->rows_failed++;
                char msg[256];
                snprintf(msg, sizeof msg, "table '%s': a row with a NULL primary key cannot be stored",
                         j->right_name ? j->right_name : "?");
                if (j->on_right_error.fn && (st = j->on_right_error.fn(j->on_right_error.ud, b, i, msg, err)))
                    return st;
                continue;
            }
            velo_strbuf_clear(&j->kb);
            if ((st = velo_key_encode(&j->kb, pv, i, "a table's PRIMARY KEY", err))) return st;
            bool found;
            pks = velo_keymap_upsert(&j->pk, j->kb.data, (uint32_t)j->kb.len,
                                     velo_keymap_hash(j->kb.data, j->kb.len), &found);
            if (!pks) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the table");
            if (found) replaced = pks->val;
        }
        uint64_t rid = 0;
        if ((st = store_append_row(j, b, i, &rid, err))) return st;
        if (pks) pks->val = rid; /* the slot pointer is stable: nothing was inserted since */
        if (replaced != NO_ROW) j->dead[replaced] = 1;
        bool null_key;
        if ((st = encode_key(&j->kb, kv, j->nkeys, i, &null_key, err))) return st;
        if (!null_key && j->nkeys) {
            j->key_off[rid] = j->rkey_bytes.len;
            j->key_len[rid] = (uint32_t)j->kb.len;
            velo_strbuf_append(&j->rkey_bytes, j->kb.data, j->kb.len);
        }
    }
    return state_check(j, err);
}

/* Indexes the live rows by join key (chains keep arrival order). */
static velo_status build_index(join_op *j, velo_error *err) {
    j->built = true;
    if (!j->nkeys) return VELO_OK;
    j->next = mi_malloc(sizeof *j->next * (j->nrows + 1));
    if (!j->next) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory indexing the join state");
    uint64_t *tail = mi_malloc(sizeof *tail * (j->nrows + 1)); /* last row of the chain of each row's head */
    if (!tail) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory indexing the join state");
    for (uint64_t r = 0; r < j->nrows; r++) {
        j->next[r] = NO_ROW;
        if (j->dead[r] || !j->key_len[r]) continue;
        const char *k = j->rkey_bytes.data + j->key_off[r];
        bool found;
        velo_keymap_slot *s =
            velo_keymap_upsert(&j->index, k, j->key_len[r], velo_keymap_hash(k, j->key_len[r]), &found);
        if (!s) {
            mi_free(tail);
            return velo_error_set(err, VELO_ERR_NOMEM, "out of memory indexing the join state");
        }
        if (!found) {
            s->val = r;
            tail[r] = r;
        } else {
            j->next[tail[s->val]] = r;
            tail[s->val] = r;
        }
    }
    mi_free(tail);
    return state_check(j, err);
}

static velo_status build_finish(velo_operator *o, velo_error *err) {
    join_op *j = ((build_input *)o)->join;
    return j->built ? VELO_OK : build_index(j, err);
}

static void build_destroy(velo_operator *o) { (void)o; }

static const velo_operator_ops build_ops = {"join build", build_push, build_finish, build_destroy};

/* ---- probe side ---- */

static inline void copy_value(const velo_vector *src, uint32_t i, velo_vector *dst, uint32_t o) {
    if (!velo_vector_is_valid(src, i)) return; /* out starts all NULL */
    uint32_t w = velo_type_width(src->type);
    memcpy((char *)dst->data + (size_t)o * w, (const char *)src->data + (size_t)i * w, w);
    velo_vector_set_valid(dst, o);
}

/* Adds (left row i of b, or none) x (store row rid, or none) to the output batch. */
static void add_pair(join_op *j, const velo_batch *b, uint32_t i, uint64_t rid) {
    velo_batch *out = j->out;
    uint32_t o = out->count++;
    if (b)
        for (uint32_t c = 0; c < j->nleft; c++)
            copy_value(&b->cols[c], i, &out->cols[c], o);
    int64_t origin = b ? b->origin[i] : 0;
    if (rid != NO_ROW) {
        uint32_t row;
        const velo_batch *ch = row_chunk(j, rid, &row);
        for (uint32_t c = 0; c < j->nright; c++)
            copy_value(&ch->cols[c], row, &out->cols[j->nleft + c], o);
        if (!b) origin = ch->origin[row];
    }
    out->origin[o] = origin;
    j->pair_left[o] = i;
    j->pair_right[o] = rid;
}

/* Sends the output batch on: with `check`, only the pairs whose condition is TRUE (and marks
 * their rows matched). */
static velo_status flush(join_op *j, bool check, velo_error *err) {
    velo_batch *out = j->out;
    uint32_t n = out->count;
    if (!n) return VELO_OK;
    uint32_t kept = n;
    if (check) {
        kept = 0;
        const uint8_t *pass = NULL;
        velo_vector *res = NULL;
        if (j->cond) {
            velo_eval_ctx_reset(&j->cctx);
            velo_status st = velo_expr_eval(j->cond, out, j->ident, n, &j->cctx, &res, err);
            if (st) return st;
            pass = VELO_VEC(res, uint8_t);
        }
        for (uint32_t o = 0; o < n; o++) {
            if (j->cond) {
                if (j->cctx.errors.count && j->cctx.errors.flag[o]) {
                    j->base.rows_failed++;
                    velo_status st;
                    if (j->on_pair_error.fn && (st = j->on_pair_error.fn(j->on_pair_error.ud, out, o,
                                                                         j->cctx.errors.message[o], err)))
                        return st;
                    continue;
                }
                if (!velo_vector_is_valid(res, o) || !pass[o]) continue;
            }
            if (j->within_us >= 0) { /* event times within the bound (a NULL time never joins) */
                const velo_vector *lt = &out->cols[j->left_time], *rt = &out->cols[j->nleft + j->right_time];
                if (!velo_vector_is_valid(lt, o) || !velo_vector_is_valid(rt, o)) continue;
                int64_t d = VELO_VEC(lt, int64_t)[o] - VELO_VEC(rt, int64_t)[o];
                if (d > j->within_us || d < -j->within_us) continue;
            }
            j->left_matched[j->pair_left[o]] = 1;
            j->matched[j->pair_right[o]] = 1;
            out->sel[kept++] = o;
        }
        out->has_sel = true;
        out->sel_count = kept;
    }
    velo_status st = VELO_OK;
    if (j->kind == VELO_JOIN_OP_SEMI || j->kind == VELO_JOIN_OP_ANTI) { /* the pairs only mark rows */
        velo_batch_reset(out);
        return VELO_OK;
    }
    j->base.rows_out += kept;
    if (kept && j->base.next) st = velo_operator_push(j->base.next, out, err);
    velo_batch_reset(out);
    return st;
}

static velo_status probe_push(velo_operator *o, velo_batch *b, velo_error *err) {
    join_op *j = (join_op *)o;
    velo_status st;
    if (!j->built && (st = build_index(j, err))) return st;
    velo_eval_ctx_reset(&j->kctx);
    uint32_t n = velo_batch_live(b);
    uint32_t *sel = velo_arena_alloc(&j->kctx.scratch, sizeof *sel * (n ? n : 1));
    velo_vector **kv = velo_arena_alloc(&j->kctx.scratch, sizeof *kv * (j->nkeys + 1));
    if (!sel || !kv) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t k = 0; k < n; k++)
        sel[k] = velo_batch_row(b, k);
    for (uint32_t c = 0; c < j->nkeys; c++)
        if ((st = velo_expr_eval(j->lkeys[c], b, sel, n, &j->kctx, &kv[c], err))) return st;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        j->left_matched[i] = 0;
        j->left_failed[i] = j->kctx.errors.count && j->kctx.errors.flag[i];
        if (j->left_failed[i]) {
            o->rows_failed++;
            if (j->on_left_error.fn &&
                (st = j->on_left_error.fn(j->on_left_error.ud, b, i, j->kctx.errors.message[i], err)))
                return st;
            continue;
        }
        uint64_t r = NO_ROW;
        if (j->nkeys) {
            bool null_key;
            if ((st = encode_key(&j->kb, kv, j->nkeys, i, &null_key, err))) return st;
            if (null_key) continue;
            velo_keymap_slot *s = velo_keymap_find(&j->index, j->kb.data, (uint32_t)j->kb.len,
                                                   velo_keymap_hash(j->kb.data, j->kb.len));
            if (!s) continue;
            r = s->val;
        } else {
            r = 0;
            while (r < j->nrows && j->dead[r])
                r++;
            if (r == j->nrows) continue;
        }
        while (r != NO_ROW) {
            if (j->out->count == j->capacity && (st = flush(j, true, err))) return st;
            add_pair(j, b, i, r);
            if (j->nkeys) {
                r = j->next[r];
            } else {
                r++;
                while (r < j->nrows && j->dead[r])
                    r++;
                if (r == j->nrows) r = NO_ROW;
            }
        }
    }
    if ((st = flush(j, true, err))) return st;
    if (j->kind == VELO_JOIN_OP_SEMI || j->kind == VELO_JOIN_OP_ANTI) {
        /* compact the selection in place: writes never overtake reads */
        bool want = j->kind == VELO_JOIN_OP_SEMI;
        uint32_t kept = 0;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!j->left_failed[i] && (bool)j->left_matched[i] == want) b->sel[kept++] = i;
        }
        b->has_sel = true;
        b->sel_count = kept;
        o->rows_out += kept;
        return kept && o->next ? velo_operator_push(o->next, b, err) : VELO_OK;
    }
    if (j->kind == VELO_JOIN_OP_LEFT || j->kind == VELO_JOIN_OP_FULL) {
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (j->left_matched[i] || j->left_failed[i]) continue;
            if (j->out->count == j->capacity && (st = flush(j, false, err))) return st;
            add_pair(j, b, i, NO_ROW);
        }
        if ((st = flush(j, false, err))) return st;
    }
    return VELO_OK;
}

static velo_status probe_finish(velo_operator *o, velo_error *err) {
    join_op *j = (join_op *)o;
    velo_status st;
    if (!j->built && (st = build_index(j, err))) return st;
    if (j->kind == VELO_JOIN_OP_RIGHT || j->kind == VELO_JOIN_OP_FULL) {
        for (uint64_t r = 0; r < j->nrows; r++) {
            if (j->dead[r] || j->matched[r]) continue;
            if (j->out->count == j->capacity && (st = flush(j, false, err))) return st;
            add_pair(j, NULL, 0, r);
        }
        if ((st = flush(j, false, err))) return st;
    }
    return velo_operator_finish_next(o, err);
}

static void probe_destroy(velo_operator *o) {
    join_op *j = (join_op *)o;
    for (uint32_t c = 0; c < j->nkeys; c++) {
        velo_expr_free(j->lkeys[c]);
        velo_expr_free(j->rkeys[c]);
    }
    mi_free(j->lkeys);
    mi_free(j->rkeys);
    velo_expr_free(j->cond);
    for (uint32_t c = 0; c < j->nchunks; c++)
        velo_batch_free(j->chunks[c]);
    mi_free(j->chunks);
    mi_free(j->dead);
    mi_free(j->matched);
    mi_free(j->key_off);
    mi_free(j->key_len);
    mi_free(j->next);
    velo_strbuf_free(&j->rkey_bytes);
    velo_strbuf_free(&j->kb);
    velo_keymap_free(&j->pk);
    velo_keymap_free(&j->index);
    velo_eval_ctx_free(&j->kctx);
    velo_eval_ctx_free(&j->cctx);
    velo_eval_ctx_free(&j->bctx);
    velo_batch_free(j->out);
    mi_free(j->pair_left);
    mi_free(j->pair_right);
    mi_free(j->ident);
    mi_free(j->left_matched);
    mi_free(j->left_failed);
    mi_free(j);
}

static const velo_operator_ops probe_ops = {"join", probe_push, probe_finish, probe_destroy};

velo_operator *velo_join_op_new(const velo_join_config *cfg, velo_error *err) {
    join_op *j = mi_zalloc(sizeof *j);
    uint32_t cap = cfg->capacity ? cfg->capacity : 2048;
    if (!j) goto nomem;
    j->base.ops = &probe_ops;
    j->build.base.ops = &build_ops;
    j->build.join = j;
    j->kind = cfg->kind;
    j->nkeys = cfg->nkeys;
    j->lkeys = mi_malloc(sizeof *j->lkeys * (cfg->nkeys + 1));
    j->rkeys = mi_malloc(sizeof *j->rkeys * (cfg->nkeys + 1));
    if (!j->lkeys || !j->rkeys) {
        j->nkeys = 0;
        goto nomem;
    }
    memcpy(j->lkeys, cfg->left_keys, sizeof *j->lkeys * cfg->nkeys);
    memcpy(j->rkeys, cfg->right_keys, sizeof *j->rkeys * cfg->nkeys);
    j->cond = cfg->condition;
    j->nleft = cfg->left->ncols;
    j->nright = cfg->right->ncols;
    j->right_pk = cfg->right_pk;
    j->within_us = cfg->within_us;
    j->left_time = cfg->left_time;
    j->right_time = cfg->right_time;
    j->right_name = cfg->right_name;
    j->max_state_bytes = cfg->max_state_bytes;
    j->capacity = cap;
    j->on_left_error = cfg->on_left_error;
    j->on_right_error = cfg->on_right_error;
    j->on_pair_error = cfg->on_pair_error;
    velo_strbuf_init(&j->rkey_bytes);
    velo_strbuf_init(&j->kb);
    velo_keymap_init(&j->pk);
    velo_keymap_init(&j->index);
    if (velo_eval_ctx_init(&j->kctx, cap, cfg->file, err) ||
        velo_eval_ctx_init(&j->cctx, cap, cfg->file, err) ||
        velo_eval_ctx_init(&j->bctx, cap, cfg->file, err))
        goto fail;
    for (uint32_t c = 0; c < j->nkeys; c++)
        if (velo_expr_prepare(j->lkeys[c], cap, err) || velo_expr_prepare(j->rkeys[c], cap, err)) goto fail;
    if (j->cond && velo_expr_prepare(j->cond, cap, err)) goto fail;
    velo_type *types = mi_malloc(sizeof *types * (j->nleft + j->nright + 1));
    for (uint32_t c = 0; types && c < j->nleft + j->nright; c++)
        types[c] = c < j->nleft ? cfg->left->fields[c].type : cfg->right->fields[c - j->nleft].type;
    j->out = types ? velo_batch_new_types(j->nleft + j->nright, types, cap) : NULL;
    mi_free(types);
    j->pair_left = mi_malloc(sizeof *j->pair_left * cap);
    j->pair_right = mi_malloc(sizeof *j->pair_right * cap);
    j->ident = mi_malloc(sizeof *j->ident * cap);
    j->left_matched = mi_zalloc(cap);
    j->left_failed = mi_zalloc(cap);
    if (!j->out || !j->pair_left || !j->pair_right || !j->ident || !j->left_matched || !j->left_failed)
        goto nomem;
    for (uint32_t i = 0; i < cap; i++)
        j->ident[i] = i;
    if (store_reserve(j, err)) goto fail;
    return &j->base;
nomem:
    velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the join");
fail:
    if (j) probe_destroy(&j->base);
    return NULL;
}

velo_operator *velo_join_op_build_input(velo_operator *join) { return &((join_op *)join)->build.base; }

void velo_join_op_stats(const velo_operator *join, velo_join_stats *out) {
    const join_op *j = (const join_op *)join;
    out->right_rows = j->nrows;
    out->state_bytes = j->state_bytes;
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

static const velo_operator_ops union_ops = {"union all", union_push, union_finish, union_destroy};

velo_operator *velo_union_op_new(uint32_t ninputs) {
    union_op *u = mi_zalloc(sizeof *u);
    if (!u) return NULL;
    u->base.ops = &union_ops;
    u->ninputs = ninputs;
    return &u->base;
}
