/* The SQL syntax tree produced by sql/parser.c and consumed by the binder and the pretty-printer.
 * Every node lives in the arena of its velo_sql_script and carries the position of its first
 * token, so that any later stage can report `file:line:col`. Identifiers are stored as written
 * (quoted identifiers keep their case; unquoted ones too, comparisons are case-insensitive). */
#ifndef VELO_SQL_AST_H
#define VELO_SQL_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "state/arena.h"
#include "velo/error.h"
#include "velo/types.h"

typedef struct sql_pos {
    uint32_t line; /* 1-based */
    uint32_t col;  /* 1-based, in characters */
    uint32_t offset; /* byte offset in the script text */
} sql_pos;

typedef struct sql_expr sql_expr;
typedef struct sql_select sql_select;
typedef struct sql_query sql_query;

/* A property list: WITH ('k' = 'v', ...) or SET 'k' = 'v'. */
typedef struct sql_prop {
    char *key;
    char *value;
    sql_pos pos;
} sql_prop;

typedef struct sql_props {
    sql_prop *items;
    uint32_t count;
} sql_props;

/* A type as written: INTEGER, DECIMAL(18,4), VARCHAR(20), ARRAY<INT>, MAP<VARCHAR, INT>... */
typedef struct sql_type_name {
    velo_type type;      /* resolved scalar type (INTEGER/INT/BIGINT -> BIGINT, FLOAT/REAL -> DOUBLE,
                            STRING/TEXT -> VARCHAR, DATETIME -> TIMESTAMP, NUMERIC -> DECIMAL) */
    char *written;       /* the name as written, e.g. "INTEGER", for messages and printing */
    bool has_params;     /* DECIMAL(p,s) / VARCHAR(n) had parentheses */
    struct sql_type_name *elem;  /* LIST element or MAP value type */
    struct sql_type_name *key;   /* MAP key type */
    sql_pos pos;
    uint32_t length;     /* VARCHAR(n): n (0 when not given) */
} sql_type_name;

typedef enum sql_lit_kind {
    SQL_LIT_NULL,
    SQL_LIT_BOOL,     /* text "true"/"false" */
    SQL_LIT_INTEGER,  /* digits only: BIGINT (DECIMAL if it does not fit in 64 bits) */
    SQL_LIT_DECIMAL,  /* digits with a point: exact DECIMAL, text kept as written */
    SQL_LIT_DOUBLE,   /* with an exponent: DOUBLE */
    SQL_LIT_STRING,   /* quotes removed, '' unescaped */
    SQL_LIT_INTERVAL, /* INTERVAL '5' MINUTE, INTERVAL 5 MINUTES, or a short duration 5m / 100ms */
    SQL_LIT_TIMESTAMP,/* TIMESTAMP '2024-01-01 00:00:00' (text = the string) */
    SQL_LIT_DATE,     /* DATE '2024-01-01' */
} sql_lit_kind;

typedef enum sql_interval_unit {
    SQL_UNIT_MICROSECOND,
    SQL_UNIT_MILLISECOND,
    SQL_UNIT_SECOND,
    SQL_UNIT_MINUTE,
    SQL_UNIT_HOUR,
    SQL_UNIT_DAY,
    SQL_UNIT_WEEK,
    SQL_UNIT_MONTH,
    SQL_UNIT_QUARTER,
    SQL_UNIT_YEAR,
} sql_interval_unit;

typedef enum sql_op {
    /* binary */
    SQL_OP_ADD, SQL_OP_SUB, SQL_OP_MUL, SQL_OP_DIV, SQL_OP_MOD,
    SQL_OP_EQ, SQL_OP_NE, SQL_OP_LT, SQL_OP_LE, SQL_OP_GT, SQL_OP_GE,
    SQL_OP_AND, SQL_OP_OR,
    SQL_OP_CONCAT, /* || */
    /* unary */
    SQL_OP_NOT, SQL_OP_NEG, SQL_OP_PLUS,
} sql_op;

typedef enum sql_expr_kind {
    SQL_EXPR_LITERAL,
    SQL_EXPR_COLUMN,      /* a, t.a, t.a.b (nested field access resolved by the binder) */
    SQL_EXPR_STAR,        /* * or t.* (only in select lists and COUNT(*)) */
    SQL_EXPR_UNARY,
    SQL_EXPR_BINARY,
    SQL_EXPR_FUNCTION,    /* name(args) [FILTER (WHERE ...)] [OVER (...)] */
    SQL_EXPR_CASE,
    SQL_EXPR_CAST,        /* CAST(x AS T), TRY_CAST(x AS T), x::T */
    SQL_EXPR_BETWEEN,
    SQL_EXPR_IN_LIST,
    SQL_EXPR_IN_SUBQUERY,
    SQL_EXPR_EXISTS,
    SQL_EXPR_SUBQUERY,    /* scalar subquery */
    SQL_EXPR_LIKE,        /* LIKE / ILIKE */
    SQL_EXPR_IS_NULL,
    SQL_EXPR_IS_DISTINCT, /* IS [NOT] DISTINCT FROM */
    SQL_EXPR_IS_BOOL,     /* IS [NOT] TRUE / FALSE */
    SQL_EXPR_EXTRACT,     /* EXTRACT(YEAR FROM x) and EXTRACT('YEAR', x) */
    SQL_EXPR_SUBSCRIPT,   /* base[index]: m['k'], arr[1] */
    SQL_EXPR_FIELD,       /* (expr).name: field access on a non-column expression */
} sql_expr_kind;

typedef enum sql_frame_unit { SQL_FRAME_NONE, SQL_FRAME_ROWS, SQL_FRAME_RANGE } sql_frame_unit;

typedef enum sql_bound_kind {
    SQL_BOUND_UNBOUNDED_PRECEDING,
    SQL_BOUND_PRECEDING,   /* <offset> PRECEDING (an integer or an INTERVAL for RANGE) */
    SQL_BOUND_CURRENT_ROW,
    SQL_BOUND_FOLLOWING,
    SQL_BOUND_UNBOUNDED_FOLLOWING,
} sql_bound_kind;

typedef struct sql_frame_bound {
    sql_bound_kind kind;
    sql_expr *offset; /* for PRECEDING / FOLLOWING */
} sql_frame_bound;

typedef struct sql_order_item {
    sql_expr *expr;
    bool desc;
    int nulls_first; /* -1 unspecified, 0 NULLS LAST, 1 NULLS FIRST */
} sql_order_item;

/* OVER (...) */
typedef struct sql_over {
    sql_expr **partition_by;
    uint32_t npartition;
    sql_order_item *order_by;
    uint32_t norder;
    sql_frame_unit frame_unit;
    sql_frame_bound frame_start;
    sql_frame_bound frame_end; /* when the frame is `ROWS x` alone, end is CURRENT ROW */
    int64_t buffer_rows;       /* original dialect: ROWS WINDOW BUFFER n ROWS (0 if absent) */
    sql_pos pos;
    sql_expr *expire_after;    /* original dialect: ... EXPIRE AFTER <interval> INACTIVITY, or NULL */
} sql_over;

struct sql_expr {
    sql_expr_kind kind;
    sql_pos pos;
    bool parenthesized; /* written inside ( ), kept for faithful printing */
    union {
        struct {
            sql_lit_kind kind;
            char *text;               /* as written (numbers), unescaped (strings), value (interval) */
            sql_interval_unit unit;   /* INTERVAL: its unit */
            sql_interval_unit unit_to;/* INTERVAL '1-2' YEAR TO MONTH style: end unit (= unit if none) */
            bool short_form;          /* INTERVAL written as a short duration: 5m, 100ms */
        } lit;
        struct {
            char **parts; /* a.b.c -> {"a","b","c"} */
            uint32_t nparts;
        } column;
        struct {
            char *qualifier; /* NULL for plain * */
        } star;
        struct {
            sql_op op;
            sql_expr *arg;
        } unary;
        struct {
            sql_op op;
            sql_expr *left, *right;
        } binary;
        struct {
            char *name;        /* as written; lookup is case-insensitive */
            sql_expr **args;
            uint32_t nargs;
            bool distinct;     /* COUNT(DISTINCT x) */
            bool star;         /* COUNT(*) */
            sql_expr *filter;  /* FILTER (WHERE ...) */
            sql_over *over;    /* OVER (...) or NULL */
            sql_order_item *order_by; /* STRING_AGG(x, ',' ORDER BY y) / WITHIN GROUP (ORDER BY) */
            uint32_t norder;
        } func;
        struct {
            sql_expr *operand; /* simple CASE x WHEN ... ; NULL for searched CASE */
            sql_expr **whens;
            sql_expr **thens;
            uint32_t nwhens;
            sql_expr *else_expr; /* may be NULL */
        } case_;
        struct {
            sql_expr *arg;
            sql_type_name *type;
            bool try_cast;    /* TRY_CAST: NULL instead of an error */
            bool colon_form;  /* written x::T */
        } cast;
        struct {
            sql_expr *arg, *low, *high;
            bool negated;
        } between;
        struct {
            sql_expr *arg;
            sql_expr **items;
            uint32_t nitems;
            bool negated;
        } in_list;
        struct {
            sql_expr *arg;
            sql_query *query;
            bool negated;
        } in_subquery;
        struct {
            sql_query *query;
            bool negated;
        } exists;
        struct {
            sql_query *query;
        } subquery;
        struct {
            sql_expr *arg, *pattern, *escape; /* escape may be NULL */
            bool negated;
            bool ilike;
        } like;
        struct {
            sql_expr *arg;
            bool negated; /* IS NOT NULL */
        } is_null;
        struct {
            sql_expr *left, *right;
            bool negated; /* IS NOT DISTINCT FROM */
        } is_distinct;
        struct {
            sql_expr *arg;
            bool value;   /* IS TRUE / IS FALSE */
            bool negated;
        } is_bool;
        struct {
            char *field;       /* upper-cased: YEAR, MONTH, ..., EPOCH, DOW, DOY, WEEK, QUARTER */
            sql_expr *arg;
            bool quoted_form;  /* EXTRACT('YEAR', x) */
        } extract;
        struct {
            sql_expr *base, *index;
        } subscript;
        struct {
            sql_expr *base;
            char *name;
        } field;
    } u;
};

/* FROM items */
typedef enum sql_source_kind {
    SQL_SOURCE_URI,      /* FROM 'kafka://...' */
    SQL_SOURCE_NAME,     /* FROM trades */
    SQL_SOURCE_SUBQUERY, /* FROM (SELECT ...) alias */
} sql_source_kind;

typedef struct sql_source {
    sql_source_kind kind;
    char *uri;        /* SQL_SOURCE_URI */
    char *name;       /* SQL_SOURCE_NAME */
    sql_query *query; /* SQL_SOURCE_SUBQUERY */
    char *alias;      /* may be NULL */
    sql_pos pos;
} sql_source;

typedef enum sql_join_kind { SQL_JOIN_INNER, SQL_JOIN_LEFT, SQL_JOIN_RIGHT, SQL_JOIN_FULL } sql_join_kind;

typedef struct sql_join {
    sql_join_kind kind;
    sql_source source;
    sql_expr *on;
    sql_expr *within; /* WITHIN INTERVAL '5' MINUTE, or NULL */
    sql_pos pos;
} sql_join;

typedef enum sql_window_kind { SQL_WINDOW_TUMBLING, SQL_WINDOW_SLIDING, SQL_WINDOW_SESSION } sql_window_kind;

/* WINDOW TUMBLING([time_col,] size) | SLIDING([time_col,] size, advance) | SESSION([time_col,] gap) */
typedef struct sql_window {
    sql_window_kind kind;
    sql_expr *time_column; /* NULL: the source's event time */
    sql_expr *size;        /* an INTERVAL literal (short or long form) */
    sql_expr *advance;     /* SLIDING only */
    sql_pos pos;
    sql_expr *session_key; /* original dialect: SESSION(time_col, gap, key_col); NULL if absent */
} sql_window;

typedef enum sql_emit { SQL_EMIT_DEFAULT, SQL_EMIT_CHANGES, SQL_EMIT_FINAL } sql_emit;

typedef struct sql_select_item {
    sql_expr *expr;
    char *alias;      /* NULL if none */
    bool primary_key; /* original dialect: `symbol PRIMARY KEY` in a CREATE TABLE select list */
    sql_pos pos;
} sql_select_item;

struct sql_select {
    bool distinct;
    sql_select_item *items;
    uint32_t nitems;
    sql_source *from;  /* NULL for SELECT without FROM */
    sql_join *joins;
    uint32_t njoins;
    sql_expr *where;
    sql_expr **group_by;
    uint32_t ngroup;
    sql_expr *having;
    sql_window *window; /* may appear before or after GROUP BY in the text */
    sql_pos pos;
};

/* WITH name AS (query), ... in front of a query. */
typedef struct sql_cte {
    char *name;
    sql_query *query;
    sql_pos pos;
} sql_cte;

/* A query: one or more SELECTs joined by UNION [ALL], then ORDER BY / LIMIT / EMIT / INTO / WITH. */
struct sql_query {
    sql_select **selects;
    uint32_t nselects;
    bool *union_all; /* union_all[i]: between selects[i] and selects[i+1]; false = UNION (distinct) */
    sql_order_item *order_by;
    uint32_t norder;
    sql_expr *limit;
    sql_emit emit;
    char *into;       /* INTO 'uri' or INTO name (see into_is_uri) */
    bool into_is_uri;
    sql_props with;   /* trailing WITH (...) */
    sql_pos pos;
    sql_cte *ctes;    /* leading WITH name AS (...), ... */
    uint32_t nctes;
};

typedef enum sql_stmt_kind {
    SQL_STMT_SELECT,          /* bare query */
    SQL_STMT_CREATE_STREAM_AS,/* CREATE STREAM name [(cols)] AS query */
    SQL_STMT_CREATE_TABLE_AS, /* CREATE TABLE name AS query */
    SQL_STMT_CREATE_SOURCE,   /* CREATE STREAM|TABLE name (cols [, PRIMARY KEY (k)]) WITH (...) */
    SQL_STMT_INSERT,          /* INSERT INTO name [(cols)] query | VALUES (...) */
    SQL_STMT_DROP,            /* DROP STREAM|TABLE [IF EXISTS] name */
    SQL_STMT_SHOW,            /* SHOW STREAMS|TABLES|JOBS|TOPICS|FUNCTIONS|SCHEMA x */
    SQL_STMT_DESCRIBE,
    SQL_STMT_EXPLAIN,
    SQL_STMT_SET,
    SQL_STMT_START_JOB,       /* START JOB name AS query [WITH (...)] */
    SQL_STMT_STOP_JOB,        /* STOP JOB name [FORCE] */
    SQL_STMT_PAUSE_JOB,
    SQL_STMT_RESUME_JOB,
    SQL_STMT_DEPLOY_JOB,      /* DEPLOY JOB name VERSION 'v' AS query [STRATEGY x] */
    SQL_STMT_ROLLBACK_JOB,
    SQL_STMT_UPDATE,          /* parsed for compatibility, rejected at bind time */
    SQL_STMT_DELETE,
} sql_stmt_kind;

typedef struct sql_column_def {
    char *name;
    sql_type_name *type;
    bool not_null;
    bool primary_key;
    sql_pos pos;
} sql_column_def;

/* `-- @name: value` comment annotations preceding a statement (kept as job metadata). */
typedef struct sql_annotation {
    char *name;
    char *value;
    sql_pos pos;
} sql_annotation;

typedef struct sql_stmt sql_stmt;
struct sql_stmt {
    sql_stmt_kind kind;
    sql_pos pos;
    uint32_t text_start, text_end; /* byte range of the statement in the script */
    char *name;                    /* stream/table/job name, DROP/DESCRIBE/SHOW SCHEMA target */
    bool is_table;                 /* CREATE TABLE / DROP TABLE */
    bool if_exists;                /* DROP ... IF EXISTS / CREATE ... IF NOT EXISTS */
    char *show_what;               /* SHOW: upper-cased object kind, e.g. "STREAMS" */
    sql_column_def *columns;       /* CREATE ... (cols), INSERT INTO t (cols): names only */
    uint32_t ncolumns;
    char **primary_key;            /* PRIMARY KEY (a, b) */
    uint32_t nprimary_key;
    sql_query *query;              /* the AS / INSERT / bare query */
    sql_expr ***values_rows;       /* INSERT ... VALUES (...), (...) */
    uint32_t nvalues_rows;
    uint32_t nvalues_cols;
    sql_props with;                /* statement-level WITH (...) / SET 'k'='v' (one item) */
    sql_stmt *explained;           /* EXPLAIN stmt; DEPLOY JOB ... AS CREATE STREAM ...: that statement */
    char *version;                 /* DEPLOY JOB ... VERSION 'v' */
    char *strategy;                /* DEPLOY JOB ... STRATEGY x */
    bool force;                    /* STOP JOB name FORCE */
    sql_annotation *annotations;
    uint32_t nannotations;
    /* UPDATE name SET col = expr, ... [WHERE] / DELETE FROM name [WHERE] */
    char **set_columns;
    sql_expr **set_values;
    uint32_t nset;
    sql_expr *where;
};

/* A parsed file: many statements, one arena. */
typedef struct velo_sql_script {
    velo_arena arena;
    const char *file;   /* file name for messages ("<stdin>", "q.sql") */
    const char *text;   /* the script text (not owned) */
    uint32_t text_len;
    sql_stmt **stmts;
    uint32_t nstmts;
} velo_sql_script;

#endif
