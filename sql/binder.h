/* The binder: resolves names and types of a parsed query against the schema of its source and
 * compiles its expressions (core/expr.h). It never opens a connector: the caller resolves each
 * FROM item to a schema through a callback, so `validate` can bind offline (schemaless sources
 * are "open": unknown columns bind as dynamically typed ANY) while `run` binds against the real,
 * inferred schema. */
#ifndef VELO_SQL_BINDER_H
#define VELO_SQL_BINDER_H

#include <stdbool.h>

#include "core/batch.h"
#include "core/expr.h"
#include "sql/ast.h"
#include "sql/diag.h"

/* A bound source: what FROM refers to, and its schema. */
typedef struct velo_bound_source {
    const velo_schema *schema; /* owned by the resolver */
    bool open;                 /* schemaless: unknown columns are ANY, checked per record at run time */
    const char *alias;         /* alias, or the source name; may be NULL for a URI without alias */
} velo_bound_source;

/* A compiled SELECT ... FROM one source [WHERE] (projection + filter; the execution of GROUP BY,
 * windows and joins arrives with later issues and is reported as not supported yet). */
typedef struct velo_bound_select {
    velo_expr *filter;       /* NULL if no WHERE */
    velo_expr **projections;
    char **names;            /* output column names (malloc'd) */
    uint32_t nprojections;
    velo_schema *output;     /* names + types of the projections */
    /* Columns of an open source that the query referenced but the schema did not have: the
     * caller appends them (as ANY) to the source schema before running. */
    char **dynamic_columns;
    uint32_t ndynamic;
} velo_bound_select;

/* Binds `sel` (the single SELECT of a query) against `src`. Errors and warnings go to diags
 * with positions; returns VELO_ERR_BIND / VELO_ERR_UNSUPPORTED (first error) or VELO_OK. */
velo_status velo_bind_select(const sql_select *sel, const velo_bound_source *src, const char *file,
                             velo_bound_select *out, velo_diags *diags);
void velo_bound_select_free(velo_bound_select *b);

/* Binds one expression against a schema (tests, constant folding). */
velo_status velo_bind_expr(const sql_expr *e, const velo_bound_source *src, velo_expr **out, velo_diags *diags);

/* Levenshtein-closest candidate within a small distance, for "did you mean" hints; NULL if none. */
const char *velo_closest_name(const char *name, const char *const *candidates, uint32_t n);

#endif
