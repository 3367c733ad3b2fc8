/* Push-based operators: a batch goes in with push(), results go to `next`; finish() flushes at end
 * of input. No per-row virtual call: each operator handles a whole batch. Rows whose evaluation
 * failed are handed to the job's row-error handler (dead-letter queue or job failure). */
#ifndef VELO_CORE_OPERATOR_H
#define VELO_CORE_OPERATOR_H

#include <stdint.h>

#include "core/batch.h"
#include "core/expr.h"
#include "velo/error.h"

typedef struct velo_operator velo_operator;

/* Called for each row that failed: `b` and `row` give the input row, `message` the reason with its
 * SQL position. Returning an error stops the job ('on.error'='fail'). */
typedef struct velo_row_error_handler {
    velo_status (*fn)(void *ud, const velo_batch *b, uint32_t row, const char *message, velo_error *err);
    void *ud;
} velo_row_error_handler;

typedef struct velo_operator_ops {
    const char *name;
    /* Consumes b (which stays owned by the caller and is reused after push returns). */
    velo_status (*push)(velo_operator *op, velo_batch *b, velo_error *err);
    velo_status (*finish)(velo_operator *op, velo_error *err);
    void (*destroy)(velo_operator *op);
} velo_operator_ops;

struct velo_operator {
    const velo_operator_ops *ops;
    velo_operator *next;
    uint64_t rows_in, rows_out, rows_failed;
};

velo_status velo_operator_push(velo_operator *op, velo_batch *b, velo_error *err);
velo_status velo_operator_finish(velo_operator *op, velo_error *err);
/* Sends the rows an operator built in `out` downstream (none: nothing), counts them in rows_out and
 * empties `out` for reuse. For operators that emit rows of their own (GROUP BY, window functions). */
velo_status velo_operator_emit(velo_operator *op, velo_batch *out, velo_error *err);
/* Destroys op and everything downstream. */
void velo_operator_destroy_chain(velo_operator *op);

/* Filter: keeps the live rows where pred is TRUE (not FALSE, not NULL). Takes ownership of pred. */
velo_operator *velo_filter_new(velo_expr *pred, uint32_t capacity, const char *file, velo_row_error_handler h);
/* Projection: evaluates exprs into a new batch of the output schema. Takes ownership of exprs
 * (the array is copied). */
velo_operator *velo_project_new(velo_expr **exprs, uint32_t n, const velo_schema *output, uint32_t capacity,
                                const char *file, velo_row_error_handler h);

/* Sink adapter: calls write(ud, batch) for each pushed batch and flush(ud) at finish. */
typedef struct velo_sink_fns {
    velo_status (*write)(void *ud, const velo_batch *b, velo_error *err);
    velo_status (*flush)(void *ud, velo_error *err);
    void *ud;
} velo_sink_fns;
velo_operator *velo_sink_op_new(velo_sink_fns fns);

#endif
