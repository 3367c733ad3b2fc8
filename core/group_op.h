/* The GROUP BY / window operator: folds rows into one accumulator state per group (and per
 * event-time window) and emits result rows: keys..., [window_start, window_end,] aggregates...
 *
 * Emission: EMIT CHANGES sends the current row of every group a batch changed, after that batch
 * (updates are coalesced per batch, like Flink's mini-batches); otherwise a group's row is sent once,
 * when its window closes (the watermark passed end + allowed lateness) or at the end of a bounded
 * input. Late rows (their every window already closed) are counted and dropped, or handed to the
 * row-error handler ('late.records'='dlq'). Closed windows free their state. */
#ifndef VELO_CORE_GROUP_OP_H
#define VELO_CORE_GROUP_OP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/aggregate.h"
#include "core/operator.h"
#include "state/snapshot.h"
#include "state/window.h"

typedef struct velo_group_agg {
    velo_agg_desc desc; /* from velo_agg_desc_make */
    velo_expr **args;   /* over the input; owned by the operator after velo_group_op_new */
    uint32_t nargs;     /* evaluated per row */
    uint32_t nparams;   /* constant arguments after them (STRING_AGG separator...): owned, not evaluated */
    velo_expr *filter;  /* FILTER (WHERE ...) or NULL; owned */
} velo_group_agg;

/* Two-phase (local then global) aggregation of a GROUP BY split over cores (unwindowed, or
 * TUMBLING/SLIDING windows on event time that close at the end of input):
 * PARTIAL runs where the rows are read and folds them into a bounded local table, emitting one
 * partial row per group (velo_group_partial_schema: the encoded key and the aggregates' state
 * bytes) when the table reaches `local_max_groups` and at the end of input; when a full table
 * shows a poor reduction (fewer than 2 rows per group) it turns rows straight into partial rows
 * for a while instead. MERGE runs on the key's owner core: its input is partial rows, whose
 * states it merges (aggregates' merge) into its groups; its output is the ordinary one. Only for
 * aggregates whose states are flat (velo_agg_state_flat) and whose result ignores row order. */
typedef enum velo_group_phase { VELO_GROUP_FULL, VELO_GROUP_PARTIAL, VELO_GROUP_MERGE } velo_group_phase;

typedef struct velo_group_config {
    velo_expr **keys; /* over the input; owned by the operator */
    uint32_t nkeys;
    velo_group_agg *aggs; /* array copied; expressions owned */
    uint32_t naggs;
    bool windowed;
    velo_win_spec window; /* TUMBLING, SLIDING or SESSION (size_us = gap) */
    int32_t time_column;  /* input column (TIMESTAMP) holding event time; -1: processing time */
    bool use_watermark;   /* false: windows close only at the end of input */
    int64_t delay_us;     /* watermark.delay */
    int64_t lateness_us;  /* allowed.lateness */
    int64_t idle_us;      /* idle.timeout: after this long without input (ticks), event time advances
                             with the wall clock so the last windows close (0: never) */
    bool late_to_dlq;     /* 'late.records'='dlq' (else drop) */
    /* The watermark comes from the source's partitions (core/part_watermarks.h): a row is late by
     * its own partition's watermark (velo_batch.row_wm), windows close by the watermark handed down
     * (velo_operator_watermark), not by the event times this operator saw. TUMBLING and SLIDING. */
    bool source_watermarks;
    bool emit_changes;
    const velo_schema *output; /* keys..., [window_start, window_end,] aggs... (copied) */
    uint32_t capacity;
    const char *file;
    velo_row_error_handler on_error;
    uint64_t max_state_bytes;  /* 'state.max.bytes': a group table past it fails the job; 0: no limit */
    const char *state_name;    /* names the operator in that message ("GROUP BY", "WINDOW TUMBLING") */
    uint32_t line, col;        /* the SQL of the operator, for that message */
    velo_group_phase phase;    /* FULL unless two-phase (no EMIT CHANGES, no watermark, no SESSION) */
    uint32_t local_max_groups; /* PARTIAL: groups held before the table is flushed (0: 65,536) */
} velo_group_config;

/* The schema of partial rows: "_key" (BYTES, the encoded GROUP BY key, core/keys.h) and
 * "_states" (BYTES, the aggregates' state blocks back to back, as the operator lays them out;
 * windowed, preceded by the window's start and end, two int64). */
velo_schema *velo_group_partial_schema(void);

/* Returns NULL with err set when the configuration cannot run (e.g. a key type without an encoding). */
velo_operator *velo_group_op_new(velo_group_config *cfg, velo_error *err);

/* Counters for the job summary. */
typedef struct velo_group_stats {
    uint64_t groups_live, groups_total, late_rows, windows_closed;
    uint64_t table_bytes;        /* bytes held by the group table (records, buckets), for memory reports */
    uint64_t late_rows_rejected; /* of late_rows, those handed to the row-error handler (DLQ) */
    uint64_t partial_rows;       /* PARTIAL: partial rows emitted */
    uint64_t partial_flushes;    /* PARTIAL: times the local table was emitted and emptied */
    uint64_t passthrough_rows;   /* PARTIAL: rows sent as their own partial row (poor reduction) */
    int64_t watermark; /* event time (microseconds) the windows have closed up to; INT64_MIN: none */
} velo_group_stats;
void velo_group_op_stats(const velo_operator *op, velo_group_stats *out);

/* ---- checkpoints (state/snapshot.h) ----
 * A GROUP BY's state is saved as one section of rows (encoded key, window bounds, the aggregates'
 * state bytes) plus its watermark; restoring it on `core` of `ncores` keeps the rows whose key that
 * core owns (velo_exchange_route), so a job may restart with another core count. Aggregates save
 * their heap parts through velo_agg_state_save; SESSION windows and sliding panes cannot be saved yet. */
/* VELO_OK when the operator's state can be checkpointed, else why not (VELO_ERR_UNSUPPORTED). */
velo_status velo_group_op_checkpointable(const velo_operator *op, velo_error *err);
/* Writes the operator's state as section `name` of w. */
velo_status velo_group_op_save(const velo_operator *op, const char *name, velo_snap_writer *w,
                               velo_error *err);
/* Reads the rows of section s (just read from r) into the operator: an error when the section was
 * written by an operator of another shape (the signature differs). */
velo_status velo_group_op_restore(velo_operator *op, const velo_snap_section *s, velo_snap_reader *r,
                                  uint32_t core, uint32_t ncores, velo_error *err);

#endif
