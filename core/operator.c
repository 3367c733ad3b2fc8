/* Filter, projection, LIMIT and sink-adapter operators (core/operator.h). */
#include "core/operator.h"

#include <mimalloc.h>
#include <string.h>

velo_status velo_operator_push(velo_operator *op, velo_batch *b, velo_error *err) {
    op->rows_in += velo_batch_live(b);
    return op->ops->push(op, b, err);
}

velo_status velo_operator_finish(velo_operator *op, velo_error *err) { return op->ops->finish(op, err); }

velo_status velo_operator_tick(velo_operator *op, int64_t now_us, velo_error *err) {
    /* operators without timers are skipped; the first with one forwards the tick itself */
    while (op && !op->ops->tick)
        op = op->next;
    return op ? op->ops->tick(op, now_us, err) : VELO_OK;
}

velo_status velo_operator_watermark(velo_operator *op, int64_t wm_us, velo_error *err) {
    while (op && !op->ops->watermark)
        op = op->next;
    return op ? op->ops->watermark(op, wm_us, err) : VELO_OK;
}

void velo_operator_destroy_chain(velo_operator *op) {
    while (op) {
        velo_operator *next = op->next;
        op->ops->destroy(op);
        op = next;
    }
}

velo_status velo_operator_finish_next(velo_operator *op, velo_error *err) {
    return op->next ? velo_operator_finish(op->next, err) : VELO_OK;
}

velo_status velo_operator_emit(velo_operator *op, velo_batch *out, velo_error *err) {
    if (!out->count) return VELO_OK;
    op->rows_out += out->count;
    velo_status st = op->next ? velo_operator_push(op->next, out, err) : VELO_OK;
    velo_batch_reset(out);
    return st;
}

/* Hands every failed row of `ctx` among sel[0..n) to the handler. */
static velo_status report_failed(velo_operator *op, velo_eval_ctx *ctx, velo_row_error_handler h,
                                 const velo_batch *b, const uint32_t *sel, uint32_t n, velo_error *err) {
    for (uint32_t k = 0; k < n && ctx->errors.count; k++) {
        uint32_t i = sel[k];
        if (!ctx->errors.flag[i]) continue;
        op->rows_failed++;
        if (h.fn) {
            velo_status st = h.fn(h.ud, b, i, ctx->errors.message[i], err);
            if (st) return st;
        }
    }
    return VELO_OK;
}

/* Dense index list of the live rows of b, in scratch memory of ctx. */
static uint32_t *live_rows(velo_batch *b, velo_eval_ctx *ctx, uint32_t *n) {
    *n = velo_batch_live(b);
    if (b->has_sel) return b->sel;
    uint32_t *sel = velo_arena_alloc(&ctx->scratch, sizeof(uint32_t) * (*n ? *n : 1));
    for (uint32_t k = 0; sel && k < *n; k++)
        sel[k] = k;
    return sel;
}

/* ---- filter ---- */

typedef struct filter_op {
    velo_operator base;
    velo_expr *pred;
    velo_eval_ctx ctx;
    velo_row_error_handler on_error;
} filter_op;

static velo_status filter_push(velo_operator *o, velo_batch *b, velo_error *err) {
    filter_op *f = (filter_op *)o;
    velo_eval_ctx_reset(&f->ctx);
    uint32_t n;
    uint32_t *sel = live_rows(b, &f->ctx, &n);
    if (!sel) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    velo_vector *res;
    velo_status st = velo_expr_eval(f->pred, b, sel, n, &f->ctx, &res, err);
    if (st) return st;
    if ((st = report_failed(o, &f->ctx, f->on_error, b, sel, n, err))) return st;
    /* compact in place: sel may be b->sel itself, and writes never overtake reads */
    uint32_t kept = 0;
    const uint8_t *v = VELO_VEC(res, uint8_t);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!f->ctx.errors.flag[i] && velo_vector_is_valid(res, i) && v[i]) b->sel[kept++] = i;
    }
    b->has_sel = true;
    b->sel_count = kept;
    o->rows_out += kept;
    if (!kept || !o->next) return VELO_OK;
    return velo_operator_push(o->next, b, err);
}

static void filter_destroy(velo_operator *o) {
    filter_op *f = (filter_op *)o;
    velo_expr_free(f->pred);
    velo_eval_ctx_free(&f->ctx);
    mi_free(f);
}

static const velo_operator_ops filter_ops = {
    .name = "filter", .push = filter_push, .finish = velo_operator_finish_next, .destroy = filter_destroy};

velo_operator *velo_filter_new(velo_expr *pred, uint32_t capacity, const char *file,
                               velo_row_error_handler h) {
    filter_op *f = mi_zalloc(sizeof *f);
    if (!f) return NULL;
    f->base.ops = &filter_ops;
    f->pred = pred;
    f->on_error = h;
    if (velo_eval_ctx_init(&f->ctx, capacity, file, NULL) || velo_expr_prepare(pred, capacity, NULL)) {
        filter_destroy(&f->base);
        return NULL;
    }
    return &f->base;
}

/* ---- projection ---- */

typedef struct project_op {
    velo_operator base;
    velo_expr **exprs;
    uint32_t n;
    velo_batch *out;
    velo_eval_ctx ctx;
    velo_row_error_handler on_error;
} project_op;

/* Copies rows sel[0..n) of src (skipping failed ones) densely into dst starting at 0. */
static void copy_rows(const velo_vector *src, velo_vector *dst, const uint32_t *sel, uint32_t n,
                      const uint8_t *failed, velo_arena *dst_arena, bool same_arena) {
    uint32_t w = velo_type_width(src->type);
    uint32_t o = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (failed[i]) continue;
        if (!velo_vector_is_valid(src, i)) {
            velo_vector_set_null(dst, o++);
            continue;
        }
        velo_vector_set_valid(dst, o);
        if (same_arena || src->type.id < VELO_TYPE_VARCHAR || src->type.id == VELO_TYPE_TIMESTAMP ||
            src->type.id == VELO_TYPE_DATE || src->type.id == VELO_TYPE_INTERVAL) {
            memcpy((char *)dst->data + (size_t)o * w, (const char *)src->data + (size_t)i * w, w);
        } else {
            velo_value v;
            velo_vector_get_value(src, i, &v);
            velo_vector_set_value(dst, o, &v, dst_arena);
        }
        o++;
    }
}

static velo_status project_push(velo_operator *o, velo_batch *b, velo_error *err) {
    project_op *p = (project_op *)o;
    velo_eval_ctx_reset(&p->ctx);
    uint32_t n;
    uint32_t *sel = live_rows(b, &p->ctx, &n);
    if (!sel) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    velo_batch_reset(p->out);
    velo_vector **res = velo_arena_alloc(&p->ctx.scratch, sizeof *res * (p->n ? p->n : 1));
    if (!res) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t c = 0; c < p->n; c++) {
        velo_status st = velo_expr_eval(p->exprs[c], b, sel, n, &p->ctx, &res[c], err);
        if (st) return st;
    }
    velo_status st = report_failed(o, &p->ctx, p->on_error, b, sel, n, err);
    if (st) return st;
    /* Strings of the results live in the input batch's arena (or the expressions' constants), which
     * stays valid until push returns: the output batch can point at them without copying. */
    for (uint32_t c = 0; c < p->n; c++)
        copy_rows(res[c], &p->out->cols[c], sel, n, p->ctx.errors.flag, &p->out->arena, true);
    uint32_t kept = 0;
    int64_t *wm = b->row_wm || p->out->row_wm ? velo_batch_row_wm(p->out) : NULL;
    if ((b->row_wm || p->out->row_wm) && !wm) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (p->ctx.errors.flag[i]) continue;
        if (wm) wm[kept] = b->row_wm ? b->row_wm[i] : INT64_MIN; /* the row's partition watermark */
        p->out->origin[kept++] = b->origin[i];
    }
    p->out->count = kept;
    o->rows_out += kept;
    if (!kept || !o->next) return VELO_OK;
    return velo_operator_push(o->next, p->out, err);
}

static void project_destroy(velo_operator *o) {
    project_op *p = (project_op *)o;
    for (uint32_t i = 0; i < p->n; i++)
        velo_expr_free(p->exprs[i]);
    mi_free(p->exprs);
    velo_batch_free(p->out);
    velo_eval_ctx_free(&p->ctx);
    mi_free(p);
}

static const velo_operator_ops project_ops = {
    .name = "project", .push = project_push, .finish = velo_operator_finish_next, .destroy = project_destroy};

velo_operator *velo_project_new(velo_expr **exprs, uint32_t n, const velo_schema *output, uint32_t capacity,
                                const char *file, velo_row_error_handler h) {
    project_op *p = mi_zalloc(sizeof *p);
    if (!p) return NULL;
    p->base.ops = &project_ops;
    p->on_error = h;
    p->exprs = mi_malloc(sizeof *p->exprs * (n ? n : 1));
    if (!p->exprs) {
        mi_free(p);
        return NULL;
    }
    memcpy(p->exprs, exprs, sizeof *p->exprs * n);
    p->n = n;
    p->out = velo_batch_new(output, capacity);
    bool ok = p->out && velo_eval_ctx_init(&p->ctx, capacity, file, NULL) == VELO_OK;
    for (uint32_t i = 0; ok && i < n; i++)
        ok = velo_expr_prepare(exprs[i], capacity, NULL) == VELO_OK;
    if (!ok) {
        project_destroy(&p->base);
        return NULL;
    }
    return &p->base;
}

/* ---- limit ---- */

typedef struct limit_op {
    velo_operator base;
    int64_t remaining;
} limit_op;

static velo_status limit_push(velo_operator *o, velo_batch *b, velo_error *err) {
    limit_op *l = (limit_op *)o;
    uint32_t n = velo_batch_live(b);
    if (l->remaining <= 0 || !n) return VELO_OK;
    if ((int64_t)n > l->remaining) {
        n = (uint32_t)l->remaining;
        if (!b->has_sel)
            for (uint32_t k = 0; k < n; k++)
                b->sel[k] = k;
        b->has_sel = true;
        b->sel_count = n;
    }
    l->remaining -= n;
    o->rows_out += n;
    return o->next ? velo_operator_push(o->next, b, err) : VELO_OK;
}

static void limit_destroy(velo_operator *o) { mi_free(o); }

static const velo_operator_ops limit_ops = {
    .name = "limit", .push = limit_push, .finish = velo_operator_finish_next, .destroy = limit_destroy};

velo_operator *velo_limit_new(int64_t n) {
    limit_op *l = mi_zalloc(sizeof *l);
    if (!l) return NULL;
    l->base.ops = &limit_ops;
    l->remaining = n;
    return &l->base;
}

bool velo_limit_done(const velo_operator *op) {
    return op->ops == &limit_ops && ((const limit_op *)op)->remaining <= 0;
}

/* ---- sink adapter ---- */

typedef struct sink_op {
    velo_operator base;
    velo_sink_fns fns;
} sink_op;

static velo_status sink_push(velo_operator *o, velo_batch *b, velo_error *err) {
    sink_op *s = (sink_op *)o;
    o->rows_out += velo_batch_live(b);
    return s->fns.write(s->fns.ud, b, err);
}
static velo_status sink_finish(velo_operator *o, velo_error *err) {
    sink_op *s = (sink_op *)o;
    return s->fns.flush ? s->fns.flush(s->fns.ud, err) : VELO_OK;
}
static void sink_destroy(velo_operator *o) { mi_free(o); }

static const velo_operator_ops sink_ops = {
    .name = "sink", .push = sink_push, .finish = sink_finish, .destroy = sink_destroy};

velo_operator *velo_sink_op_new(velo_sink_fns fns) {
    sink_op *s = mi_zalloc(sizeof *s);
    if (!s) return NULL;
    s->base.ops = &sink_ops;
    s->fns = fns;
    return &s->base;
}
