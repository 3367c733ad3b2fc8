/* Push-based operators: a batch goes in with push(), results go to `next`; finish() flushes at end
 * of input. No per-row virtual call: each operator handles a whole batch. Rows whose evaluation
 * failed are handed to the job's row-error handler (dead-letter queue or job failure). */
#ifndef VELO_CORE_OPERATOR_H
#define VELO_CORE_OPERATOR_H

#include <stdbool.h>
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
    /* Optional: processing time is now `now_us` (µs since the epoch, wall clock) and no input came
     * since the last push. Operators with timers act (processing-time windows close, an idle
     * source's event time advances: 'idle.timeout'); NULL means "nothing to do, pass it on". */
    velo_status (*tick)(velo_operator *op, int64_t now_us, velo_error *err);
    /* Optional: the event-time watermark of everything pushed so far is now `wm_us` (a source's
     * per-partition watermarks: core/part_watermarks.h). The window operator closes its windows by
     * it, the exchange operator sends it to every consumer; NULL means "pass it on". */
    velo_status (*watermark)(velo_operator *op, int64_t wm_us, velo_error *err);
} velo_operator_ops;

struct velo_operator {
    const velo_operator_ops *ops;
    velo_operator *next;
    uint64_t rows_in, rows_out, rows_failed;
};

velo_status velo_operator_push(velo_operator *op, velo_batch *b, velo_error *err);
velo_status velo_operator_finish(velo_operator *op, velo_error *err);
/* Lets time pass through the chain starting at op (see velo_operator_ops.tick): each operator's tick
 * runs, in order; an operator that acts on it forwards it downstream itself. Called by a source's
 * loop when a poll brought nothing. */
velo_status velo_operator_tick(velo_operator *op, int64_t now_us, velo_error *err);
/* Hands a watermark down the chain starting at op to the first operator that takes watermarks
 * (velo_operator_ops.watermark); OK when none does. */
velo_status velo_operator_watermark(velo_operator *op, int64_t wm_us, velo_error *err);
/* For operators that fill their own output batch: pushes `out` downstream when it holds rows
 * (counting them as op's output), then empties it for reuse. */
velo_status velo_operator_emit(velo_operator *op, velo_batch *out, velo_error *err);
/* finish() of an operator with nothing to flush: finishes the operators downstream. */
velo_status velo_operator_finish_next(velo_operator *op, velo_error *err);
/* Destroys op and everything downstream. */
void velo_operator_destroy_chain(velo_operator *op);

/* Filter: keeps the live rows where pred is TRUE (not FALSE, not NULL). Takes ownership of pred. */
velo_operator *velo_filter_new(velo_expr *pred, uint32_t capacity, const char *file,
                               velo_row_error_handler h);
/* Projection: evaluates exprs into a new batch of the output schema. Takes ownership of exprs
 * (the array is copied). */
velo_operator *velo_project_new(velo_expr **exprs, uint32_t n, const velo_schema *output, uint32_t capacity,
                                const char *file, velo_row_error_handler h);

/* LIMIT n: passes the first n live rows and drops the rest. */
velo_operator *velo_limit_new(int64_t n);
/* True once n rows have passed: the job may stop reading its source. */
bool velo_limit_done(const velo_operator *op);

/* Sink adapter: calls write(ud, batch) for each pushed batch and flush(ud) at finish. */
typedef struct velo_sink_fns {
    velo_status (*write)(void *ud, const velo_batch *b, velo_error *err);
    velo_status (*flush)(void *ud, velo_error *err);
    void *ud;
} velo_sink_fns;
velo_operator *velo_sink_op_new(velo_sink_fns fns);

#endif
