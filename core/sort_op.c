/* The ORDER BY operator (core/sort_op.h).
 *
 * Rows are copied as they arrive into "runs": batches holding the output columns followed by the
 * evaluated sort keys, so the input batch can be reused at once and a key is evaluated once per
 * row. At the end of input an index of (run, row) pairs is merge-sorted, which keeps equal keys
 * in arrival order, and the rows are emitted in that order. */
#include "core/sort_op.h"

#include <math.h>
#include <mimalloc.h>
#include <string.h>

#include "core/scalar.h"

typedef struct sort_ref {
    uint32_t run, row;
} sort_ref;

typedef struct sort_op {
    velo_operator base;
    velo_sort_spec *keys;
    uint32_t nkeys;
    uint32_t *out_cols;
    uint32_t nout;
    velo_type *run_types; /* output columns..., keys... */
    uint32_t capacity;
    velo_batch **runs;
    uint32_t nruns, cap_runs;
    sort_ref *refs;
    size_t nrefs, cap_refs;
    velo_batch *out;
    velo_eval_ctx ctx;
    velo_row_error_handler on_error;
} sort_op;

/* ---- buffering ---- */

static velo_batch *writable_run(sort_op *s) {
    if (s->nruns && s->runs[s->nruns - 1]->count < s->capacity) return s->runs[s->nruns - 1];
    if (s->nruns == s->cap_runs) {
        uint32_t nc = s->cap_runs ? s->cap_runs * 2 : 16;
        velo_batch **nr = mi_realloc(s->runs, sizeof *nr * nc);
        if (!nr) return NULL;
        s->runs = nr;
        s->cap_runs = nc;
    }
    velo_batch *r = velo_batch_new_types(s->nout + s->nkeys, s->run_types, s->capacity);
    if (r) s->runs[s->nruns++] = r;
    return r;
}

static void copy_value(const velo_vector *src, uint32_t i, velo_vector *dst, uint32_t o, velo_arena *arena) {
    velo_value v;
    velo_vector_get_value(src, i, &v);
    velo_vector_set_value(dst, o, &v, arena);
}

static velo_status sort_push(velo_operator *o, velo_batch *b, velo_error *err) {
    sort_op *s = (sort_op *)o;
    velo_eval_ctx_reset(&s->ctx);
    uint32_t n = velo_batch_live(b);
    uint32_t *sel = b->sel;
    if (!b->has_sel)
        for (uint32_t k = 0; k < n; k++)
            sel[k] = k; /* the selection array is the batch's scratch until has_sel is set */
    velo_vector **keyv = velo_arena_alloc(&s->ctx.scratch, sizeof *keyv * (s->nkeys ? s->nkeys : 1));
    if (!keyv) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t k = 0; k < s->nkeys; k++) {
        velo_status st = velo_expr_eval(s->keys[k].expr, b, sel, n, &s->ctx, &keyv[k], err);
        if (st) return st;
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (s->ctx.errors.count && s->ctx.errors.flag[i]) {
            o->rows_failed++;
            velo_status st = s->on_error.fn
                                 ? s->on_error.fn(s->on_error.ud, b, i, s->ctx.errors.message[i], err)
                                 : VELO_OK;
            if (st) return st;
            continue;
        }
        velo_batch *r = writable_run(s);
        if (s->nrefs == s->cap_refs) {
            size_t nc = s->cap_refs ? s->cap_refs * 2 : 4096;
            sort_ref *nr = mi_realloc(s->refs, sizeof *nr * nc);
            if (!nr)
                r = NULL;
            else
                s->refs = nr, s->cap_refs = nc;
        }
        if (!r || s->nrefs == s->cap_refs)
            return velo_error_set(err, VELO_ERR_NOMEM, "out of memory buffering rows for ORDER BY");
        uint32_t row = r->count++;
        for (uint32_t c = 0; c < s->nout; c++)
            copy_value(&b->cols[s->out_cols[c]], i, &r->cols[c], row, &r->arena);
        for (uint32_t c = 0; c < s->nkeys; c++)
            copy_value(keyv[c], i, &r->cols[s->nout + c], row, &r->arena);
        r->origin[row] = b->origin[i];
        s->refs[s->nrefs++] = (sort_ref){s->nruns - 1, row};
    }
    return VELO_OK;
}

/* ---- ordering ---- */

#define CMP3(a, b) (((a) > (b)) - ((a) < (b)))

/* Three-way comparison of two non-NULL values of one column type. NaN sorts after every other
 * DOUBLE (as in DuckDB and PostgreSQL); strings compare by bytes, which for UTF-8 is code point order. */
static int compare_cell(const velo_vector *va, uint32_t a, const velo_vector *vb, uint32_t b) {
    switch (va->type.id) {
    case VELO_TYPE_BOOLEAN: return CMP3(VELO_VEC(va, uint8_t)[a], VELO_VEC(vb, uint8_t)[b]);
    case VELO_TYPE_BIGINT:
    case VELO_TYPE_TIMESTAMP: return CMP3(VELO_VEC(va, int64_t)[a], VELO_VEC(vb, int64_t)[b]);
    case VELO_TYPE_DATE: return CMP3(VELO_VEC(va, int32_t)[a], VELO_VEC(vb, int32_t)[b]);
    case VELO_TYPE_DECIMAL: return CMP3(VELO_VEC(va, velo_i128)[a], VELO_VEC(vb, velo_i128)[b]);
    case VELO_TYPE_DOUBLE: {
        double x = VELO_VEC(va, double)[a], y = VELO_VEC(vb, double)[b];
        if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
        return CMP3(x, y);
    }
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: {
        velo_str x = VELO_VEC(va, velo_str)[a], y = VELO_VEC(vb, velo_str)[b];
        int c = memcmp(x.ptr, y.ptr, x.len < y.len ? x.len : y.len);
        return c ? (c > 0) - (c < 0) : CMP3(x.len, y.len);
    }
    default: { /* INTERVAL, ANY: the scalar reference comparison; incomparable values tie */
        velo_value x, y;
        velo_vector_get_value(va, a, &x);
        velo_vector_get_value(vb, b, &y);
        velo_error e;
        int c = 0;
        if (velo_value_compare(&x, &y, &c, &e)) return 0;
        return (c > 0) - (c < 0);
    }
    }
}

static int compare_refs(const sort_op *s, sort_ref x, sort_ref y) {
    const velo_batch *rx = s->runs[x.run], *ry = s->runs[y.run];
    for (uint32_t k = 0; k < s->nkeys; k++) {
        const velo_vector *vx = &rx->cols[s->nout + k], *vy = &ry->cols[s->nout + k];
        bool nx = !velo_vector_is_valid(vx, x.row), ny = !velo_vector_is_valid(vy, y.row);
        int c;
        if (nx || ny)
            c = nx == ny ? 0 : (nx == s->keys[k].nulls_first ? -1 : 1);
        else
            c = s->keys[k].desc ? -compare_cell(vx, x.row, vy, y.row) : compare_cell(vx, x.row, vy, y.row);
        if (c) return c;
    }
    return 0;
}

/* Bottom-up merge sort of s->refs: stable, O(n log n) worst case. */
static velo_status sort_refs(sort_op *s, velo_error *err) {
    if (s->nrefs < 2) return VELO_OK;
    sort_ref *tmp = mi_malloc(sizeof *tmp * s->nrefs);
    if (!tmp) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory sorting rows for ORDER BY");
    sort_ref *src = s->refs, *dst = tmp;
    size_t n = s->nrefs;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                dst[o++] = compare_refs(s, src[j], src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[o++] = src[i++];
            while (j < hi)
                dst[o++] = src[j++];
        }
        sort_ref *t = src;
        src = dst;
        dst = t;
    }
    if (src != s->refs) memcpy(s->refs, src, sizeof *src * n);
    mi_free(tmp);
    return VELO_OK;
}

/* ---- emission ---- */

static velo_status sort_finish(velo_operator *o, velo_error *err) {
    sort_op *s = (sort_op *)o;
    velo_status st = sort_refs(s, err);
    for (size_t k = 0; k < s->nrefs && !st; k++) {
        if (s->out->count == s->out->capacity && (st = velo_operator_emit(o, s->out, err))) break;
        const velo_batch *r = s->runs[s->refs[k].run];
        uint32_t i = s->refs[k].row, row = s->out->count++;
        for (uint32_t c = 0; c < s->nout; c++)
            copy_value(&r->cols[c], i, &s->out->cols[c], row, &s->out->arena);
        s->out->origin[row] = r->origin[i];
    }
    if (!st) st = velo_operator_emit(o, s->out, err);
    if (!st) st = velo_operator_finish_next(o, err);
    return st;
}

static void sort_destroy(velo_operator *o) {
    sort_op *s = (sort_op *)o;
    for (uint32_t k = 0; k < s->nkeys; k++)
        velo_expr_free(s->keys[k].expr);
    for (uint32_t r = 0; r < s->nruns; r++)
        velo_batch_free(s->runs[r]);
    mi_free(s->keys);
    mi_free(s->out_cols);
    mi_free(s->run_types);
    mi_free(s->runs);
    mi_free(s->refs);
    velo_batch_free(s->out);
    velo_eval_ctx_free(&s->ctx);
    mi_free(s);
}

static const velo_operator_ops sort_ops = {
    .name = "sort", .push = sort_push, .finish = sort_finish, .destroy = sort_destroy};

velo_operator *velo_sort_op_new(const velo_sort_config *cfg, velo_error *err) {
    sort_op *s = mi_zalloc(sizeof *s);
    if (!s) goto nomem;
    s->base.ops = &sort_ops;
    s->on_error = cfg->on_error;
    s->capacity = cfg->capacity;
    s->keys = mi_malloc(sizeof *s->keys * (cfg->nkeys + 1));
    s->out_cols = mi_malloc(sizeof *s->out_cols * (cfg->nout + 1));
    s->run_types = mi_malloc(sizeof *s->run_types * (cfg->nout + cfg->nkeys + 1));
    if (!s->keys || !s->out_cols || !s->run_types) goto fail;
    memcpy(s->keys, cfg->keys, sizeof *s->keys * cfg->nkeys);
    s->nkeys = cfg->nkeys;
    memcpy(s->out_cols, cfg->out_cols, sizeof *s->out_cols * cfg->nout);
    s->nout = cfg->nout;
    for (uint32_t c = 0; c < s->nout; c++)
        s->run_types[c] = cfg->input->fields[s->out_cols[c]].type;
    for (uint32_t k = 0; k < s->nkeys; k++)
        s->run_types[s->nout + k] = s->keys[k].expr->type;
    s->out = velo_batch_new_types(s->nout, s->run_types, s->capacity);
    if (!s->out || velo_eval_ctx_init(&s->ctx, s->capacity, cfg->file, err)) goto fail;
    for (uint32_t k = 0; k < s->nkeys; k++)
        if (velo_expr_prepare(s->keys[k].expr, s->capacity, err)) goto fail;
    return &s->base;
fail:
    if (s) {
        s->nkeys = 0; /* on failure the caller keeps the expressions */
        sort_destroy(&s->base);
    }
nomem:
    if (!err->code) velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the ORDER BY operator");
    return NULL;
}
