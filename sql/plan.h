/* The logical plan: what the binder/planner (sql/planner.h) makes of a query, and what the engine
 * runs (engine/) and `explain` prints. A tree of nodes, each with its output schema; expressions are
 * compiled core expressions (core/expr.h) over the node's input schema, with every type resolved.
 *
 * Aggregate calls and window-function calls never appear inside expressions: the planner moves
 * them into AGGREGATE / ANALYTIC nodes, whose output gains one column per call, and the
 * expressions above refer to those columns. Subqueries appear as VELO_EXPR_SUBQUERY expressions
 * that own their own plan (velo_plan *), or as SEMI/ANTI joins when the planner decorrelates them.
 *
 * Ownership: a velo_plan owns its schema, expressions, children and strings (malloc/mimalloc);
 * velo_plan_free frees the whole tree. */
#ifndef VELO_SQL_PLAN_H
#define VELO_SQL_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "connectors/uri.h"
#include "core/batch.h"
#include "core/expr.h"
#include "core/strbuf.h"
#include "sql/ast.h"
#include "sql/catalog.h"

typedef enum velo_plan_kind {
    VELO_PLAN_SCAN,      /* reads a source */
    VELO_PLAN_FILTER,    /* keeps rows where `predicate` is TRUE */
    VELO_PLAN_PROJECT,   /* computes `exprs` (output column i = exprs[i]) */
    VELO_PLAN_AGGREGATE, /* GROUP BY keys [+ window] -> keys..., [window_start, window_end,] aggs... */
    VELO_PLAN_ANALYTIC,  /* window functions OVER (...): input columns..., one column per call */
    VELO_PLAN_JOIN,      /* left columns..., right columns... (SEMI/ANTI: left columns only) */
    VELO_PLAN_SORT,      /* ORDER BY */
    VELO_PLAN_LIMIT,     /* LIMIT n */
    VELO_PLAN_DISTINCT,  /* SELECT DISTINCT */
    VELO_PLAN_UNION_ALL, /* inputs[0..ninputs) with the same column types */
} velo_plan_kind;

/* Where a SCAN reads from. */
typedef struct velo_plan_source {
    char *name;                /* the name used in FROM (declared / --bind / CTE), or NULL for a URI */
    char *alias;               /* FROM ... alias, or NULL */
    char *uri;                 /* resolved URI text (after --bind / declaration) */
    char *scheme;              /* "file", "kafka", ... */
    velo_kv options;           /* merged: URI query < declaration WITH < SET < statement WITH */
    bool open;                 /* schemaless (e.g. JSON topic): columns not in `schema` bind as ANY */
    bool is_table;             /* declared with CREATE TABLE: a keyed changelog, latest value per key */
    char *primary_key;         /* declared PRIMARY KEY column, or NULL */
    int32_t event_time_column; /* index into the node schema of 'event.time.field', or -1 */
    bool bounded;              /* a file without watch=true: the input ends */
} velo_plan_source;

typedef struct velo_sort_key {
    velo_expr *expr;
    bool desc;
    bool nulls_first;
} velo_sort_key;

typedef struct velo_agg_call {
    const velo_function *fn; /* catalog entry (kind AGGREGATE, or a window function used as one) */
    velo_expr **args;        /* over the AGGREGATE's input; COUNT(*) has nargs == 0 and star */
    uint32_t nargs;
    bool star;
    bool distinct;
    velo_expr *filter;       /* agg(...) FILTER (WHERE ...), or NULL */
    velo_sort_key *order_by; /* STRING_AGG(x, ',' ORDER BY y), or NULL */
    uint32_t norder;
    velo_type type; /* result type */
    char *text;     /* printed call, e.g. "SUM(price * qty)" (explain, default names) */
} velo_agg_call;

typedef enum velo_window_kind {
    VELO_WINDOW_TUMBLING,
    VELO_WINDOW_SLIDING,
    VELO_WINDOW_SESSION
} velo_window_kind;

typedef struct velo_window_spec {
    velo_window_kind kind;
    int64_t size_us;        /* TUMBLING/SLIDING size; SESSION gap */
    int64_t advance_us;     /* SLIDING advance (== size for TUMBLING) */
    int32_t time_column;    /* input column holding event time, or -1 (source event time / processing time) */
    velo_expr *session_key; /* SESSION(time, gap, key) third argument, or NULL */
} velo_window_spec;

typedef enum velo_frame_bound_kind {
    VELO_BOUND_UNBOUNDED_PRECEDING,
    VELO_BOUND_PRECEDING, /* offset rows, or offset_us for RANGE INTERVAL */
    VELO_BOUND_CURRENT_ROW,
    VELO_BOUND_FOLLOWING,
    VELO_BOUND_UNBOUNDED_FOLLOWING,
} velo_frame_bound_kind;

typedef struct velo_frame {
    bool present; /* an explicit ROWS/RANGE clause was written */
    bool range;   /* RANGE (else ROWS) */
    velo_frame_bound_kind start_kind, end_kind;
    int64_t start_offset, end_offset; /* rows, or microseconds for RANGE with INTERVAL */
    int64_t buffer_rows;              /* original dialect: ROWS WINDOW BUFFER n ROWS (0: none) */
} velo_frame;

typedef struct velo_analytic_call {
    const velo_function *fn; /* kind WINDOW or AGGREGATE */
    velo_expr **args;        /* over the ANALYTIC's input */
    uint32_t nargs;
    bool star;
    velo_expr **partition_by;
    uint32_t npartition;
    velo_sort_key *order_by;
    uint32_t norder;
    velo_frame frame;
    velo_type type;
    char *text; /* printed call, e.g. "LAG(price, 1) OVER (PARTITION BY symbol ORDER BY ts)" */
} velo_analytic_call;

typedef enum velo_join_kind {
    VELO_JOIN_INNER,
    VELO_JOIN_LEFT,
    VELO_JOIN_RIGHT,
    VELO_JOIN_FULL,
    VELO_JOIN_SEMI, /* IN / EXISTS decorrelated */
    VELO_JOIN_ANTI, /* NOT IN / NOT EXISTS decorrelated */
    /* [NOT] IN / EXISTS decorrelated where a TRUE/FALSE filter will not do (under OR, NOT IN, select
     * list): left columns..., a BOOLEAN mark. TRUE when a right row passes `condition` and the mark
     * value exprs[0] (IN: `x = y` over the pair; EXISTS: none, nexprs 0) is TRUE for it, else NULL when
     * one gives NULL, else FALSE (core/join_op.h VELO_JOIN_OP_MARK) */
    VELO_JOIN_MARK,
} velo_join_kind;

typedef struct velo_plan velo_plan;
struct velo_plan {
    velo_plan_kind kind;
    velo_schema *schema; /* output columns (names as the next node sees them) */
    sql_pos pos;         /* the SQL the node comes from */
    velo_plan *input;    /* every single-input node; JOIN: left */
    velo_plan *right;    /* JOIN: right */
    velo_plan **inputs;  /* UNION_ALL */
    uint32_t ninputs;

    velo_plan_source source; /* SCAN */
    velo_expr *predicate;    /* FILTER */

    velo_expr **exprs; /* PROJECT */
    uint32_t nexprs;

    velo_expr **keys; /* AGGREGATE: GROUP BY keys over the input */
    uint32_t nkeys;
    velo_agg_call *aggs;
    uint32_t naggs;
    bool windowed; /* AGGREGATE has a WINDOW clause */
    velo_window_spec window;

    velo_analytic_call *calls; /* ANALYTIC */
    uint32_t ncalls;

    velo_join_kind join_kind;            /* JOIN */
    velo_expr *condition;                /* over left columns..., right columns... */
    velo_expr **left_keys, **right_keys; /* equi-join keys found in the condition */
    uint32_t njoin_keys;
    int64_t within_us; /* JOIN ... WITHIN INTERVAL; -1 when absent */
    /* a time bound written as a predicate on both event times in ON (`r.ts BETWEEN l.ts AND l.ts +
     * INTERVAL '5' MINUTE`, or a >= / <= pair): bound_lo_us <= left time - right time <= bound_hi_us,
     * the times in columns bound_left_time of the left input and bound_right_time of the right */
    bool time_bound;
    int64_t bound_lo_us, bound_hi_us;
    int32_t bound_left_time, bound_right_time;
    bool right_is_table; /* stream-table join (right side declared as TABLE) */

    velo_sort_key *sort; /* SORT */
    uint32_t nsort;

    int64_t limit; /* LIMIT */
};

typedef enum velo_emit_mode { VELO_EMIT_DEFAULT, VELO_EMIT_CHANGES, VELO_EMIT_FINAL } velo_emit_mode;

/* A statement that produces rows: bare SELECT, CREATE STREAM/TABLE ... AS SELECT, INSERT INTO ...
 * SELECT, START JOB ... AS SELECT. */
typedef struct velo_query_plan {
    velo_plan *root;
    velo_emit_mode emit;
    char *name;         /* stream/table/job name, or NULL for a bare SELECT */
    bool is_table;      /* CREATE TABLE ... AS: upsert by primary key */
    char **primary_key; /* key columns of a TABLE (select-list PRIMARY KEY marks or GROUP BY keys) */
    uint32_t nprimary_key;
    char *sink_uri; /* resolved INTO target, or NULL: JSON lines on stdout */
    char *sink_scheme;
    velo_kv sink_options;
    velo_kv job_options; /* SET + statement WITH: on.error, dlq, late.records, ... */
    const sql_stmt *stmt;
} velo_query_plan;

void velo_plan_free(velo_plan *p);
void velo_query_plan_free(velo_query_plan *qp);

/* A copy of one node for another core: its own expressions (velo_expr_copy), strings and arrays;
 * schema and input are shared with the original. Free with velo_plan_node_copy_free (never
 * velo_plan_free). NULL when out of memory or an expression cannot be copied. */
velo_plan *velo_plan_node_copy(const velo_plan *p);
void velo_plan_node_copy_free(velo_plan *c);

/* Printers for `velo-sql explain` / EXPLAIN: an indented tree and a JSON document with the same
 * content (operators, expressions, keys, state kept, emit mode). Both end with a newline. */
void velo_plan_explain_text(const velo_query_plan *qp, velo_strbuf *out);
void velo_plan_explain_json(const velo_query_plan *qp, velo_strbuf *out);

#endif
