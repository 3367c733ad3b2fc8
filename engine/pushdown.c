/* Projection pushdown for plans with several inputs: from the root down, each node turns the
 * columns wanted of its output into the columns it reads of its input(s); at a SCAN that is the
 * mask its source decodes. Conservative: an expression holding a subquery, or a node kind not
 * known here, reads every column of its input. */
#include "engine/pushdown.h"

#include <mimalloc.h>
#include <string.h>

typedef struct walk {
    velo_scan_mask *out;
    uint32_t n, max;
} walk;

/* Marks the columns e reads; false when it may read any (a subquery, a column out of range). */
static bool mark(const velo_expr *e, uint8_t *m, uint32_t nc) {
    if (!e) return true;
    if (e->kind == VELO_EXPR_SUBQUERY) return false;
    if (e->kind == VELO_EXPR_COLUMN && e->outer_depth == 0) {
        if (e->column >= nc) return false;
        m[e->column] = 1;
    }
    for (uint32_t i = 0; i < e->nargs; i++)
        if (!mark(e->args[i], m, nc)) return false;
    return true;
}

static bool mark_all(velo_expr *const *es, uint32_t n, uint8_t *m, uint32_t nc) {
    for (uint32_t i = 0; i < n; i++)
        if (!mark(es[i], m, nc)) return false;
    return true;
}

/* A mask of nc columns: a copy of `from` (NULL = every column). NULL on out of memory. */
static uint8_t *mask_new(const uint8_t *from, uint32_t nc) {
    uint8_t *m = mi_malloc(nc + 1u);
    if (m) memset(m, 1, nc + 1u);
    if (m && from) memcpy(m, from, nc);
    return m;
}

static uint8_t *mask_zero(uint32_t nc) { return mi_zalloc(nc + 1u); }

static void need(walk *w, const velo_plan *p, const uint8_t *want);

/* Visits p's input with the mask m (which it frees); m NULL = every column. */
static void down(walk *w, const velo_plan *in, uint8_t *m, bool ok) {
    if (!ok) {
        mi_free(m);
        m = NULL;
    }
    need(w, in, m);
    mi_free(m);
}

static void scan_mask(walk *w, const velo_plan *p, const uint8_t *want) {
    uint32_t nc = p->schema->ncols;
    if (!want || w->n == w->max) return;
    uint8_t *m = mask_new(want, nc);
    if (!m) return;
    if (p->source.event_time_column >= 0 && (uint32_t)p->source.event_time_column < nc)
        m[p->source.event_time_column] = 1;
    if (p->source.primary_key) { /* a table replaces rows by it */
        int k = velo_schema_find(p->schema, p->source.primary_key);
        if (k >= 0) m[k] = 1;
    }
    uint32_t n = 0;
    for (uint32_t j = 0; j < nc; j++)
        n += m[j];
    if (n == nc) {
        mi_free(m);
        return;
    }
    w->out[w->n++] = (velo_scan_mask){p, m};
}

static void need(walk *w, const velo_plan *p, const uint8_t *want) {
    if (!p) return;
    uint32_t nin = p->input ? p->input->schema->ncols : 0;
    uint8_t *m = NULL;
    bool ok = true;
    switch (p->kind) {
    case VELO_PLAN_SCAN: scan_mask(w, p, want); return;
    case VELO_PLAN_FILTER:
        m = mask_new(want, nin);
        ok = m && want && mark(p->predicate, m, nin);
        down(w, p->input, m, ok);
        return;
    case VELO_PLAN_PROJECT:
        m = mask_zero(nin);
        ok = m && mark_all(p->exprs, p->nexprs, m, nin);
        down(w, p->input, m, ok);
        return;
    case VELO_PLAN_AGGREGATE:
        m = mask_zero(nin);
        ok = m && mark_all(p->keys, p->nkeys, m, nin);
        for (uint32_t k = 0; ok && k < p->naggs; k++) {
            const velo_agg_call *a = &p->aggs[k];
            ok = mark_all(a->args, a->nargs, m, nin) && mark(a->filter, m, nin);
            for (uint32_t o = 0; ok && o < a->norder; o++)
                ok = mark(a->order_by[o].expr, m, nin);
        }
        if (ok && p->windowed) {
            if (p->window.time_column >= 0 && (uint32_t)p->window.time_column < nin)
                m[p->window.time_column] = 1;
            ok = mark(p->window.session_key, m, nin);
        }
        down(w, p->input, m, ok);
        return;
    case VELO_PLAN_ANALYTIC:
        m = mask_new(want, nin); /* the input's columns come first in the output */
        ok = m != NULL;
        for (uint32_t k = 0; ok && k < p->ncalls; k++) {
            const velo_analytic_call *c = &p->calls[k];
            ok = mark_all(c->args, c->nargs, m, nin) && mark_all(c->partition_by, c->npartition, m, nin);
            for (uint32_t o = 0; ok && o < c->norder; o++)
                ok = mark(c->order_by[o].expr, m, nin);
        }
        down(w, p->input, m, ok);
        return;
    case VELO_PLAN_SORT:
        m = mask_new(want, nin);
        ok = m && want;
        for (uint32_t o = 0; ok && o < p->nsort; o++)
            ok = mark(p->sort[o].expr, m, nin);
        down(w, p->input, m, ok);
        return;
    case VELO_PLAN_LIMIT: need(w, p->input, want); return;
    case VELO_PLAN_UNION_ALL:
        for (uint32_t i = 0; i < p->ninputs; i++)
            need(w, p->inputs[i], want);
        return;
    case VELO_PLAN_JOIN: {
        uint32_t lw = nin, rw = p->right->schema->ncols, nout = p->schema->ncols;
        uint8_t *both = mask_zero(lw + rw);
        ok = both != NULL;
        for (uint32_t j = 0; ok && j < nout && j < lw + rw; j++)
            both[j] = want ? want[j] : 1;
        ok = ok && mark(p->condition, both, lw + rw);
        uint8_t *l = ok ? mask_new(both, lw) : NULL, *r = ok ? mask_new(both + lw, rw) : NULL;
        bool lok = l && mark_all(p->left_keys, p->njoin_keys, l, lw);
        bool rok = r && mark_all(p->right_keys, p->njoin_keys, r, rw);
        mi_free(both);
        down(w, p->input, l, lok);
        down(w, p->right, r, rok);
        return;
    }
    case VELO_PLAN_DISTINCT:
    default: need(w, p->input, NULL); return;
    }
}

uint32_t velo_plan_scan_masks(const velo_plan *root, velo_scan_mask *out, uint32_t max) {
    walk w = {out, 0, max};
    need(&w, root, NULL);
    return w.n;
}
