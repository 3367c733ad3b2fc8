/* Freeing logical plans (sql/plan.h). A plan owns everything it points to except `stmt` (the
 * parsed statement stays in its script's arena); the printers live in sql/explain.c. */
#include "core/strbuf.h" /* plan.h uses velo_strbuf without including it */
#include "sql/plan.h"

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
