/* Freeing logical plans (sql/plan.h). A plan owns everything it points to except `stmt` (the
 * parsed statement stays in its script's arena); the printers live in sql/explain.c. */
#include "sql/plan.h"
#include "core/strbuf.h" /* plan.h uses velo_strbuf without including it */

#include <mimalloc.h>

static void free_exprs(velo_expr **xs, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        velo_expr_free(xs[i]);
    mi_free(xs);
}

static void free_sort(velo_sort_key *k, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        velo_expr_free(k[i].expr);
    mi_free(k);
}

static void free_source(velo_plan_source *s) {
    mi_free(s->name);
    mi_free(s->alias);
    mi_free(s->uri);
    mi_free(s->scheme);
    mi_free(s->primary_key);
    velo_kv_free(&s->options);
}

void velo_plan_free(velo_plan *p) {
    if (!p) return;
    velo_plan_free(p->input);
    velo_plan_free(p->right);
    for (uint32_t i = 0; i < p->ninputs; i++)
        velo_plan_free(p->inputs[i]);
    mi_free(p->inputs);
    velo_schema_free(p->schema);
    free_source(&p->source);
    velo_expr_free(p->predicate);
    free_exprs(p->exprs, p->nexprs);
    free_exprs(p->keys, p->nkeys);
    for (uint32_t i = 0; i < p->naggs; i++) {
        velo_agg_call *a = &p->aggs[i];
        free_exprs(a->args, a->nargs);
        velo_expr_free(a->filter);
        free_sort(a->order_by, a->norder);
        mi_free(a->text);
    }
    mi_free(p->aggs);
    velo_expr_free(p->window.session_key);
    for (uint32_t i = 0; i < p->ncalls; i++) {
        velo_analytic_call *c = &p->calls[i];
        free_exprs(c->args, c->nargs);
        free_exprs(c->partition_by, c->npartition);
        free_sort(c->order_by, c->norder);
        mi_free(c->text);
    }
    mi_free(p->calls);
    velo_expr_free(p->condition);
    free_exprs(p->left_keys, p->njoin_keys);
    free_exprs(p->right_keys, p->njoin_keys);
    free_sort(p->sort, p->nsort);
    mi_free(p);
}

void velo_query_plan_free(velo_query_plan *qp) {
    if (!qp) return;
    velo_plan_free(qp->root);
    mi_free(qp->name);
    for (uint32_t i = 0; i < qp->nprimary_key; i++)
        mi_free(qp->primary_key[i]);
    mi_free(qp->primary_key);
    mi_free(qp->sink_uri);
    mi_free(qp->sink_scheme);
    velo_kv_free(&qp->sink_options);
    velo_kv_free(&qp->job_options);
    mi_free(qp);
}

/* ---- per-core copies of one node ---- */

static bool copy_exprs(velo_expr ***dst, velo_expr *const *src, uint32_t n) {
    *dst = NULL;
    if (!src) return true;
    if (!(*dst = mi_zalloc(sizeof **dst * (n + 1)))) return false;
    for (uint32_t i = 0; i < n; i++)
        if (src[i] && !((*dst)[i] = velo_expr_copy(src[i]))) return false;
    return true;
}

static bool copy_sort(velo_sort_key **dst, const velo_sort_key *src, uint32_t n) {
    *dst = NULL;
    if (!src) return true;
    if (!(*dst = mi_zalloc(sizeof **dst * (n + 1)))) return false;
    for (uint32_t i = 0; i < n; i++) {
        (*dst)[i] = src[i];
        if (src[i].expr && !((*dst)[i].expr = velo_expr_copy(src[i].expr))) return false;
    }
    return true;
}

static char *dup_text(const char *s) { return s ? mi_strdup(s) : NULL; }

velo_plan *velo_plan_node_copy(const velo_plan *p) {
    velo_plan *c = mi_zalloc(sizeof *c);
    if (!c) return NULL;
    c->kind = p->kind;
    c->schema = p->schema; /* shared */
    c->input = p->input;   /* shared */
    c->pos = p->pos;
    c->windowed = p->windowed;
    c->window = p->window;
    c->window.session_key = NULL;
    c->limit = p->limit;
    c->join_kind = p->join_kind;
    c->within_us = p->within_us;
    c->time_bound = p->time_bound;
    c->bound_lo_us = p->bound_lo_us;
    c->bound_hi_us = p->bound_hi_us;
    c->bound_left_time = p->bound_left_time;
    c->bound_right_time = p->bound_right_time;
    c->right_is_table = p->right_is_table;
    bool ok = true;
    if (p->predicate) ok = (c->predicate = velo_expr_copy(p->predicate)) != NULL;
    c->nexprs = p->nexprs;
    ok = ok && copy_exprs(&c->exprs, p->exprs, p->nexprs);
    c->nkeys = p->nkeys;
    ok = ok && copy_exprs(&c->keys, p->keys, p->nkeys);
    if (ok && p->naggs) {
        ok = (c->aggs = mi_zalloc(sizeof *c->aggs * p->naggs)) != NULL;
        for (uint32_t i = 0; ok && i < p->naggs; i++) {
            const velo_agg_call *a = &p->aggs[i];
            velo_agg_call *d = &c->aggs[i];
            c->naggs = i + 1;
            *d = *a;
            d->args = NULL;
            d->filter = NULL;
            d->order_by = NULL;
            d->text = dup_text(a->text);
            ok = copy_exprs(&d->args, a->args, a->nargs) && copy_sort(&d->order_by, a->order_by, a->norder);
            if (ok && a->filter) ok = (d->filter = velo_expr_copy(a->filter)) != NULL;
        }
    }
    if (ok && p->ncalls) {
        ok = (c->calls = mi_zalloc(sizeof *c->calls * p->ncalls)) != NULL;
        for (uint32_t i = 0; ok && i < p->ncalls; i++) {
            const velo_analytic_call *a = &p->calls[i];
            velo_analytic_call *d = &c->calls[i];
            c->ncalls = i + 1;
            *d = *a;
            d->args = d->partition_by = NULL;
            d->order_by = NULL;
            d->text = dup_text(a->text);
            ok = copy_exprs(&d->args, a->args, a->nargs) &&
                 copy_exprs(&d->partition_by, a->partition_by, a->npartition) &&
                 copy_sort(&d->order_by, a->order_by, a->norder);
        }
    }
    c->nsort = p->nsort;
    ok = ok && copy_sort(&c->sort, p->sort, p->nsort);
    if (!ok) {
        velo_plan_node_copy_free(c);
        return NULL;
    }
    return c;
}

void velo_plan_node_copy_free(velo_plan *c) {
    if (!c) return;
    c->schema = NULL;
    c->input = NULL;
    velo_plan_free(c);
}
