/* The expression binder: resolves names and types of SQL expressions and compiles them into core
 * expressions (core/expr.h) with every cast explicit. The planner (sql/planner.h) drives it
 * through hooks for everything that needs more than one source's schema (joins, aggregates moved
 * into AGGREGATE nodes, window calls, subqueries, schemaless sources). */
#ifndef VELO_SQL_BINDER_H
#define VELO_SQL_BINDER_H

#include <stdbool.h>

#include "core/batch.h"
#include "core/expr.h"
#include "sql/ast.h"
#include "sql/catalog.h"
#include "sql/diag.h"

/* A bound source: what FROM refers to, and its schema. */
typedef struct velo_bound_source {
    const velo_schema *schema; /* owned by the resolver */
    bool open;                 /* schemaless: unknown columns are ANY, checked per record at run time */
    const char *alias;         /* alias, or the source name; may be NULL for a URI without alias */
} velo_bound_source;


/* Binds one expression against a schema (tests, constant folding). */
velo_status velo_bind_expr(const sql_expr *e, const velo_bound_source *src, velo_expr **out,
                           velo_diags *diags);

/* The expression binder itself, for callers that resolve names their own way (the planner: many
 * sources, aggregates moved into AGGREGATE nodes, subqueries). `node` runs first for every node
 * and may bind it itself (returning true); `column` resolves column references. Without hooks,
 * columns resolve against `src`. */
typedef struct velo_binder velo_binder;
typedef struct velo_bind_hooks {
    bool (*node)(velo_binder *b, const sql_expr *e, velo_expr **out, velo_status *st);
    velo_status (*column)(velo_binder *b, const sql_expr *e, velo_expr **out);
} velo_bind_hooks;

struct velo_binder {
    const velo_bound_source *src;
    velo_diags *diags;
    const velo_bind_hooks *hooks; /* may be NULL */
    void *ud;                     /* for the hooks */
    /* functions without an implementation bind (they fail when run) instead of being an error */
    bool allow_unimplemented;
};

velo_status velo_binder_bind(velo_binder *b, const sql_expr *e, velo_expr **out);
/* Adds an error at e's position; returns code. */
velo_status velo_binder_fail(velo_binder *b, const sql_expr *e, velo_status code, const char *codename,
                             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* x cast to t (x itself when it already has that type). */
velo_expr *velo_binder_cast(velo_binder *b, velo_expr *x, velo_type t, const sql_expr *at);
velo_status velo_binder_require_bool(velo_binder *b, velo_expr **x, const sql_expr *at, const char *what);
/* l cmp r in their common type; takes ownership of l and r (freed on error). */
velo_status velo_binder_compare(velo_binder *b, const sql_expr *at, velo_cmp_op op, velo_expr *l,
                                velo_expr *r, velo_expr **out);
/* base.name (STRUCT / MAP / ANY -> ANY); takes ownership of base. */
velo_status velo_binder_field(velo_binder *b, const sql_expr *at, velo_expr *base, const char *name,
                              velo_expr **out);
/* Arity and argument classes of a call through the catalog (velo_function_check); *ret is its
 * result type (NULL type when the catalog leaves it to the entry's `ret` rule). */
velo_status velo_function_bind_check(velo_binder *b, const sql_expr *e, const velo_function *f,
                                     velo_expr **args, uint32_t n, velo_type *ret);
/* A node at the position of `at`. */
velo_expr *velo_binder_node(velo_expr_kind kind, velo_type type, uint32_t nargs, const sql_expr *at);
/* Output name of a select item: its alias, a column's own name, or the expression's text (malloc'd). */
char *velo_select_item_name(const sql_select_item *it);

/* Case-insensitive Levenshtein distance (99 for names over 63 bytes). */
uint32_t velo_edit_distance(const char *a, const char *b);
/* Levenshtein-closest candidate within a small distance, for "did you mean" hints; NULL if none. */
const char *velo_closest_name(const char *name, const char *const *candidates, uint32_t n);

#endif
