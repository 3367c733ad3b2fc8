/* Compiled expressions, evaluated a whole vector at a time. The binder (sql/binder.c) builds the
 * tree with every type resolved and casts made explicit; evaluation writes each node's result into
 * its own vector at the physical row indices of the input batch, for the selected rows only.
 * A row whose evaluation fails (division by zero, overflow, bad cast) is marked in the row-error
 * table instead of stopping the batch; the operator then dead-letters it (or fails the job). */
#ifndef VELO_CORE_EXPR_H
#define VELO_CORE_EXPR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/batch.h"
#include "core/scalar.h"
#include "velo/error.h"

typedef enum velo_expr_kind {
    VELO_EXPR_CONST,
    VELO_EXPR_COLUMN,
    VELO_EXPR_CAST,  /* args[0] -> type; try_cast: NULL instead of an error */
    VELO_EXPR_ARITH, /* args[0] op args[1] */
    VELO_EXPR_NEG,
    VELO_EXPR_CMP, /* args[0] cmp args[1] (operands already in a comparable type) */
    VELO_EXPR_AND,
    VELO_EXPR_OR,
    VELO_EXPR_NOT,
    VELO_EXPR_IS_NULL,     /* negated: IS NOT NULL */
    VELO_EXPR_IS_DISTINCT, /* negated: IS NOT DISTINCT FROM */
    VELO_EXPR_CASE,        /* args: when0, then0, when1, then1, ..., [else] (has_else) */
    VELO_EXPR_CONCAT,      /* args[0] || args[1], both VARCHAR */
    VELO_EXPR_IN_LIST,     /* args[0] IN (args[1..]); negated */
    VELO_EXPR_LIKE,        /* args[0] LIKE args[1] [ESCAPE args[2]]; negated; ilike */
    VELO_EXPR_FUNC,        /* scalar function: fn(args) row at a time on boxed values */
    VELO_EXPR_FIELD,       /* args[0].name (STRUCT field / JSON key); name in fn_name */
    VELO_EXPR_SUBSCRIPT,   /* args[0][args[1]]: LIST index (1-based) or MAP key */
    VELO_EXPR_SUBQUERY,    /* scalar / IN / EXISTS subquery; owns `subplan` (a sql velo_plan) */
} velo_expr_kind;

typedef enum velo_subquery_kind {
    VELO_SUBQUERY_SCALAR,
    VELO_SUBQUERY_IN,
    VELO_SUBQUERY_EXISTS
} velo_subquery_kind;

typedef struct velo_eval_ctx velo_eval_ctx;

/* A scalar function on boxed values. `args` are never NULL pointers; NULL values are passed
 * unless the catalog entry says the function is strict (then the evaluator returns NULL itself). */
typedef velo_status (*velo_scalar_fn)(const velo_value *args, uint32_t nargs, velo_type result,
                                      velo_arena *arena, velo_value *out, velo_error *err);

typedef struct velo_expr velo_expr;
struct velo_expr {
    velo_expr_kind kind;
    velo_type type; /* result type */
    velo_expr **args;
    uint32_t nargs;
    uint32_t column;     /* COLUMN: input column index */
    velo_value constant; /* CONST (strings owned by the expression's arena) */
    velo_arith_op arith;
    velo_cmp_op cmp;
    bool negated;
    bool ilike;
    bool try_cast;
    bool has_else;
    bool strict; /* FUNC: NULL in any argument gives NULL without calling fn */
    velo_scalar_fn fn;
    const char *fn_name;
    uint32_t line, col;   /* SQL position, for row errors ("q.sql:3:14: division by zero") */
    uint32_t outer_depth; /* COLUMN: 0 = this query's input; n = the n-th enclosing query (correlation) */
    velo_subquery_kind subquery_kind; /* SUBQUERY (IN: args[0] is the tested value; negated) */
    void *subplan;                    /* SUBQUERY: velo_plan * (freed through subplan_free) */
    void (*subplan_free)(void *subplan);
    void *in_set;    /* SUBQUERY IN once the engine ran the subquery: its values (subplan then NULL) */
    velo_vector out; /* result vector (capacity of the batches it evaluates) */
};

/* Per-row errors of one batch evaluation. */
typedef struct velo_row_errors {
    uint8_t *flag;  /* capacity entries: 1 = row failed */
    char **message; /* message of the first error of each failed row (in `arena`) */
    uint32_t count;
    velo_arena arena;
} velo_row_errors;

struct velo_eval_ctx {
    velo_row_errors errors;
    uint32_t capacity;
    velo_arena scratch; /* per batch temporaries (reset by velo_eval_ctx_reset) */
    const char *file;   /* SQL file name for error positions */
};

velo_status velo_eval_ctx_init(velo_eval_ctx *ctx, uint32_t capacity, const char *file, velo_error *err);
void velo_eval_ctx_reset(velo_eval_ctx *ctx);
void velo_eval_ctx_free(velo_eval_ctx *ctx);

/* Allocates result vectors for the tree (capacity rows). Called once after building. */
velo_status velo_expr_prepare(velo_expr *e, uint32_t capacity, velo_error *err);
void velo_expr_free(velo_expr *e);

/* Evaluates e for the rows sel[0..n) of `in` (physical indices). *result points to a vector holding
 * the values at those indices (e->out, or the input column itself for a column reference).
 * Row errors go into ctx->errors; the status is an error only for failures that are not a row's
 * (out of memory, a bug). */
velo_status velo_expr_eval(velo_expr *e, velo_batch *in, const uint32_t *sel, uint32_t n, velo_eval_ctx *ctx,
                           velo_vector **result, velo_error *err);

/* False when the tree holds a node that cannot run yet (a catalog function without an
 * implementation, FIELD/SUBSCRIPT, SUBQUERY, an outer column); *what names it ("function MEDIAN"). */
bool velo_expr_executable(const velo_expr *e, const char **what);

/* A deep copy with its own result vectors (unprepared), for running the same expression on another
 * core: constants (a scalar subquery's result too) and a materialized IN (subquery)'s value set are
 * copied, so no core shares anything mutable. NULL when out of memory or the tree holds a subquery
 * that has not run. */
velo_expr *velo_expr_copy(const velo_expr *e);

/* Materialized subqueries: the engine runs an uncorrelated subquery first, then turns its node into
 * a constant (scalar: the one value or NULL; EXISTS: TRUE/FALSE) or, for IN, into a set of the
 * values (same type as the tested value; NULLs remembered for SQL's three-valued IN). */
void velo_expr_subquery_to_const(velo_expr *e, const velo_value *v);
velo_status velo_expr_in_set_begin(velo_expr *e, velo_error *err);
velo_status velo_expr_in_set_add(velo_expr *e, const velo_vector *v, uint32_t row, velo_error *err);
void velo_expr_in_set_done(velo_expr *e);

/* Constructors used by the binder; nodes are malloc'd, freed by velo_expr_free. */
velo_expr *velo_expr_new(velo_expr_kind kind, velo_type type, uint32_t nargs);

#endif
