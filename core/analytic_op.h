/* The window-function operator (OVER (...)): passes every input row through with one more column per
 * call (ROW_NUMBER, RANK, LAG, ..., or an aggregate over a frame).
 *
 * Two modes. A bounded input is computed exactly as SQL does over the whole input: rows are kept,
 * each call sorts them by (PARTITION BY, ORDER BY) at the end of the input and the rows are emitted
 * then, in arrival order. An unbounded input emits each row on arrival, computed over the rows of
 * its partition seen so far (placed by their ORDER BY value), keeping only what the frames need;
 * see docs/sql/streaming-semantics.md "Window functions". */
#ifndef VELO_CORE_ANALYTIC_OP_H
#define VELO_CORE_ANALYTIC_OP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/aggregate.h"
#include "core/operator.h"

typedef enum velo_analytic_kind {
    VELO_ANALYTIC_ROW_NUMBER,
    VELO_ANALYTIC_RANK,
    VELO_ANALYTIC_DENSE_RANK,
    VELO_ANALYTIC_PERCENT_RANK,
    VELO_ANALYTIC_CUME_DIST,
    VELO_ANALYTIC_NTILE,
    VELO_ANALYTIC_LAG,
    VELO_ANALYTIC_LEAD,
    VELO_ANALYTIC_FIRST_VALUE,
    VELO_ANALYTIC_LAST_VALUE,
    VELO_ANALYTIC_NTH_VALUE,
    VELO_ANALYTIC_AGGREGATE, /* any accumulator of core/aggregate.h over the frame */
} velo_analytic_kind;

/* The window function `name` (upper or lower case); false for aggregates and unknown names. */
bool velo_analytic_kind_from_name(const char *name, velo_analytic_kind *out);

typedef enum velo_frame_edge {
    VELO_EDGE_UNBOUNDED_PRECEDING,
    VELO_EDGE_PRECEDING,
    VELO_EDGE_CURRENT_ROW,
    VELO_EDGE_FOLLOWING,
    VELO_EDGE_UNBOUNDED_FOLLOWING,
} velo_frame_edge;

typedef struct velo_analytic_frame {
    bool range; /* RANGE: offsets in units of the one ORDER BY key (µs for TIMESTAMP); else ROWS */
    velo_frame_edge start, end;
    int64_t start_offset, end_offset;
} velo_analytic_frame;

typedef struct velo_analytic_key {
    velo_expr *expr; /* owned by the operator after velo_analytic_op_new */
    bool desc, nulls_first;
} velo_analytic_key;

typedef struct velo_analytic_fn {
    velo_analytic_kind kind;
    velo_agg_desc desc; /* AGGREGATE: from velo_agg_desc_make */
    velo_expr **args;   /* owned; args[0..nargs) evaluated per row */
    uint32_t nargs;
    uint32_t nparams;         /* constant arguments after them (aggregate parameters): owned, not evaluated */
    velo_expr **partition_by; /* owned */
    uint32_t npartition;
    velo_analytic_key *order_by; /* owned */
    uint32_t norder;
    velo_analytic_frame frame; /* SQL default without a frame clause: RANGE UNBOUNDED PRECEDING ..
                                  CURRENT ROW with ORDER BY, the whole partition without */
    velo_type type;            /* result type */
} velo_analytic_fn;

typedef struct velo_analytic_config {
    velo_analytic_fn *calls; /* array copied */
    uint32_t ncalls;
    bool bounded;              /* the input ends: compute over all of it (batch semantics) */
    const velo_schema *input;  /* input columns (copied) */
    const velo_schema *output; /* input columns..., one per call (copied) */
    uint32_t capacity;
    const char *file;
    velo_row_error_handler on_error;
} velo_analytic_config;

/* On success the operator owns the calls' expressions (cfg->ncalls is set to 0). Returns NULL with
 * err set, the caller keeping the expressions, when a call cannot run (e.g. a RANGE offset over a
 * VARCHAR key, or a function that needs the partition's total on an unbounded input). */
velo_operator *velo_analytic_op_new(velo_analytic_config *cfg, velo_error *err);

#endif
