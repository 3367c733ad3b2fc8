/* Hash joins: INNER / LEFT / RIGHT / FULL on equality keys with an optional residual condition.
 * The operator has two inputs: the build (right) input, returned by velo_join_op_build_input(), is
 * kept whole in a row store (a table keeps only the latest row per primary key), and the probe
 * (left) input, the operator itself, joins each row against what was built. The build input must
 * finish before the first probe batch; the probe input's finish emits the unmatched right rows of
 * RIGHT / FULL joins and finishes downstream. */
#ifndef VELO_CORE_JOIN_OP_H
#define VELO_CORE_JOIN_OP_H

#include <stdint.h>

#include "core/operator.h"

typedef enum velo_join_op_kind {
    VELO_JOIN_OP_INNER,
    VELO_JOIN_OP_LEFT,
    VELO_JOIN_OP_RIGHT,
    VELO_JOIN_OP_FULL,
    VELO_JOIN_OP_SEMI, /* each left row once when some right row matches; output: left columns */
    VELO_JOIN_OP_ANTI, /* each left row that no right row matches; output: left columns */
    VELO_JOIN_OP_MARK, /* each left row once, with a BOOLEAN mark (hash mode only; see mark_value) */
} velo_join_op_kind;

/* Symmetric mode (stream-stream joins, cfg->symmetric): both inputs keep their rows and probe the
 * other side's, in any interleaving; with `use_watermark`, each side's watermark is its largest event
 * time minus its delay, the join's the smaller of the two (an input that finished counts as +inf).
 * A row behind the join's watermark is late: counted and dropped (to on_*_error when late_to_dlq).
 * A kept row that no row still to come can be within the time bound of (a left row once the
 * watermark passes its time - lo, a right row once it passes its time + hi; WITHIN w: lo = -w,
 * hi = w) is dropped, and an outer side's unmatched row is emitted with NULLs then. Without a watermark that
 * happens when both inputs finished. Downstream finishes after both inputs did. */
typedef struct velo_join_stream {
    bool symmetric;
    bool use_watermark;
    int64_t delay_us[2]; /* watermark delay of the left / right input */
    bool late_to_dlq;
} velo_join_stream;

/* A partitioned build side (a join split over cores by key, engine/job.c): every core reads the
 * whole build input in order and keeps the rows it owns, those whose join key routes to `self` of
 * `n` (velo_exchange_route, as the probe rows are routed). Rows whose key is NULL or fails to
 * evaluate, or whose primary key is NULL, belong to core 0, which alone reports them. A table still
 * replaces a kept row when a later row with its primary key is owned by another core. n <= 1: keep
 * every row. */
typedef struct velo_join_partition {
    uint32_t n, self;
} velo_join_partition;

typedef struct velo_join_config {
    velo_join_op_kind kind;
    velo_expr **left_keys;  /* over the left input (the array is copied, the expressions taken) */
    velo_expr **right_keys; /* over the right input, same types as left_keys (ditto) */
    uint32_t nkeys;         /* 0: every right row is a candidate (a nested-loop join) */
    velo_expr *condition;   /* over the output row (left columns..., right columns...), or NULL; taken */
    /* MARK: over the pair like `condition`, or NULL; taken. A left row's mark is TRUE when some pair
     * passing `condition` has mark_value TRUE (or there is no mark_value), else NULL when some such
     * pair has it NULL, else FALSE: SQL's `x IN (subquery)` with mark_value `x = y` (EXISTS: none) */
    velo_expr *mark_value;
    const velo_schema *left, *right; /* output: left ++ right (SEMI / ANTI: left; MARK: left, BOOLEAN) */
    int64_t within_us; /* JOIN ... WITHIN: pairs need |left time - right time| <= within_us; -1: none */
    /* a time bound from ON (e.g. r.ts BETWEEN l.ts AND l.ts + 5 min): pairs need bound_lo_us <= left
     * time - right time <= bound_hi_us; each side's rows are pruned by their own end of it */
    bool time_bound;
    int64_t bound_lo_us, bound_hi_us;
    int32_t left_time, right_time; /* the TIMESTAMP columns of the time bound (left / right input) */
    int32_t right_pk; /* a table: the right column holding its primary key (latest row wins); -1 */
    /* A table read as a changelog (needs right_pk): build rows go on arriving after the build input
     * finished and apply at once (an upsert replaces the row with its primary key); each build
     * batch has one column more than `right`, a BOOLEAN that is TRUE when the row deletes its key. */
    bool right_changelog;
    const char *right_name;   /* names the table in messages */
    uint64_t max_state_bytes; /* 'state.max.bytes'; 0: no limit */
    uint32_t capacity;
    const char *file;                      /* SQL file for row-error positions */
    velo_row_error_handler on_left_error;  /* left rows whose key failed to evaluate */
    velo_row_error_handler on_right_error; /* right rows: key failed, NULL primary key */
    velo_row_error_handler on_pair_error;  /* joined rows whose condition failed */
    velo_join_stream stream;
    velo_join_partition build_part;
} velo_join_config;

/* The probe (left) input. On failure returns NULL with err set; the expressions are freed either way. */
velo_operator *velo_join_op_new(const velo_join_config *cfg, velo_error *err);
/* The build (right) input of a join made by velo_join_op_new; owned by the join (destroying it is a
 * no-op). */
velo_operator *velo_join_op_build_input(velo_operator *join);

typedef struct velo_join_stats {
    uint64_t right_rows;         /* rows kept by the build side (symmetric: by both sides, now) */
    uint64_t state_bytes;        /* bytes of the row stores and their indexes */
    uint64_t late_rows;          /* symmetric mode: rows dropped behind the watermark */
    uint64_t late_rows_rejected; /* of late_rows, those handed to the row-error handlers (DLQ) */
    int64_t watermark; /* symmetric mode: the join's event-time watermark (microseconds); INT64_MIN: none */
} velo_join_stats;
void velo_join_op_stats(const velo_operator *join, velo_join_stats *out);

/* UNION ALL: passes every batch on, and finishes downstream once all `ninputs` inputs finished. */
velo_operator *velo_union_op_new(uint32_t ninputs);

#endif
