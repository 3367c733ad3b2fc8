/* The planner: binds every statement of a script (names, types, functions, aggregate/GROUP BY,
 * window and frame rules, join keys) and turns each row-producing statement into a logical plan
 * (sql/plan.h). It never opens a connector itself: the caller supplies the schema of each source
 * through `resolve`, so `velo-cli validate` works offline (declared columns, or a schemaless
 * "open" source whose columns bind as ANY) while `velo-sql run` resolves schemas for real
 * (CSV header inference...). Errors and warnings go to diags with positions and stable codes. */
#ifndef VELO_SQL_PLANNER_H
#define VELO_SQL_PLANNER_H

#include <stdbool.h>

#include "connectors/uri.h"
#include "sql/ast.h"
#include "sql/diag.h"
#include "sql/plan.h"

/* What the planner learns about a source URI from the caller. */
typedef struct velo_source_info {
    velo_schema *schema; /* columns (ownership passes to the planner); NULL with open = true */
    bool open;           /* schemaless: unknown columns bind as ANY */
    bool bounded;        /* the input ends (file without watch) */
} velo_source_info;

/* Resolves the schema of a source given its URI, merged options and declared columns (or NULL).
 * Returning an error adds it to diags at the FROM position. */
typedef velo_status (*velo_source_resolver)(void *ud, const velo_uri *uri, const velo_kv *options,
                                            const velo_schema *declared, velo_source_info *out,
                                            velo_error *err);

typedef struct velo_planner_options {
    const char *file;             /* for messages */
    const velo_kv *binds;         /* --bind NAME=URI; may be NULL */
    const velo_kv *config;        /* --config / SET defaults; may be NULL */
    velo_source_resolver resolve; /* NULL: declared columns, else open (schemaless) */
    void *resolve_ud;
    /* `velo-cli validate`: a bare name nobody declares or binds is a warning and binds as an open
     * (schemaless) source, as the original's catalog-free validator did, unless it is close to a
     * declared name (a typo stays an error). false (run, submit): always an error. */
    bool undeclared_open;
} velo_planner_options;

/* The session: declarations (CREATE STREAM/TABLE name (...) WITH (...)), SET options and the
 * names of created streams, carried from one statement to the next. */
typedef struct velo_planner velo_planner;

velo_planner *velo_planner_new(const velo_planner_options *opts);
void velo_planner_free(velo_planner *p);

/* Plans one statement. For a row-producing statement *out receives the plan (caller frees with
 * velo_query_plan_free); for declarations, SET, DROP, SHOW, DESCRIBE... *out is NULL and the
 * planner records what the statement declares. Returns VELO_OK, or the code of the first error
 * (also in diags). Warnings (unbounded state...) never fail. */
velo_status velo_planner_plan(velo_planner *p, const sql_stmt *stmt, velo_query_plan **out,
                              velo_diags *diags);

/* Binds every statement of a script (what `velo-cli validate` does); returns the number of errors. */
uint32_t velo_planner_check_script(velo_planner *p, const velo_sql_script *script, velo_diags *diags);

#endif
