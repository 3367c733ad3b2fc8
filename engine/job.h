/* Running a SQL script: parse, resolve sources and sinks, bind, build the operator chain and drive
 * it until bounded input ends. The glue between sql/ (plans), core/ (operators) and connectors/. */
#ifndef VELO_ENGINE_JOB_H
#define VELO_ENGINE_JOB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "connectors/status.h"
#include "connectors/uri.h"
#include "velo/error.h"

/* Exit codes of `velo-sql run` (documented in docs/cli.md). */
enum {
    VELO_EXIT_OK = 0,
    VELO_EXIT_SQL_ERROR = 1,     /* the SQL did not parse or bind */
    VELO_EXIT_IO_ERROR = 2,      /* missing input, unwritable output, bad usage */
    VELO_EXIT_ROWS_REJECTED = 3, /* ran to the end, but some records went to the dead-letter queue */
    VELO_EXIT_RUNTIME_ERROR = 4, /* the job failed while running ('on.error'='fail', sink error) */
};

/* Upper bounds (seconds) of the batch latency histogram's buckets; the last bucket is +Inf. */
#define VELO_LATENCY_BUCKETS 10
#define VELO_LATENCY_BOUNDS_US                                                                               \
    { 100, 1000, 5000, 10000, 50000, 100000, 500000, 1000000, 5000000 }

/* Cores whose wake-up counters the progress block carries (velo_run_progress.core_wakeups). */
#define VELO_PROGRESS_CORES 64

/* Live progress of a running script, updated after every batch (engine/job.c publish_progress);
 * another thread (the control plane) may read it at any time. Atomics only: no lock on the data
 * path. Zero-initialised by the owner. */
typedef struct velo_run_progress {
    _Atomic uint64_t rows_in;
    _Atomic uint64_t rows_out;
    _Atomic uint64_t rows_rejected; /* = decode_errors + eval_errors (+ late rows sent to the DLQ) */
    _Atomic uint64_t decode_errors; /* records the sources could not decode */
    _Atomic uint64_t eval_errors;   /* rows that failed to evaluate (not late rows) */
    _Atomic uint64_t late_rows;     /* rows behind the watermark (windows, joins): dropped or DLQ */
    _Atomic uint64_t sink_errors;   /* failed sink writes or flushes */
    _Atomic uint64_t state_bytes;   /* operator state of the running statement (groups, joins) */
    _Atomic int64_t watermark_us;   /* event-time watermark of the running statement */
    atomic_bool has_watermark;      /* false: watermark_us means nothing */
    /* time from the start of reading a batch until the sink wrote what it produced, per batch that
     * reached the sink: counts per bucket (not cumulative), sum in microseconds */
    _Atomic uint64_t latency_buckets[VELO_LATENCY_BUCKETS];
    _Atomic uint64_t latency_sum_us;
    velo_connector_status connectors; /* broker reachability, consumer lag */
    /* Per core of a statement run on the cores (the first VELO_PROGRESS_CORES; core/runtime.h):
     * how its sleeps ended, by its doorbell (eventfd) or by its sleep limit */
    _Atomic uint32_t cores;
    _Atomic uint64_t core_wakeups[VELO_PROGRESS_CORES];
    _Atomic uint64_t core_sleep_timeouts[VELO_PROGRESS_CORES];
} velo_run_progress;

typedef struct velo_run_options {
    const char *file; /* SQL file path (for messages and relative paths); "-" for stdin */
    const char *text; /* SQL text */
    size_t text_len;
    velo_kv binds;  /* --bind NAME=URI */
    FILE *diag_out; /* where errors and the summary go (stderr) */
    int quiet;      /* no summary line */
    /* Optional. When it becomes true the sources stop as at the end of their input: the job drains
     * its operators, flushes its sink and ends normally (SIGINT/SIGTERM, a job stopped over REST). */
    const atomic_bool *stop;
    velo_run_progress *progress; /* optional live counters */
    /* Worker cores (threads pinned to CPUs); 0: as many as the CPUs the process may use. The
     * result does not depend on it (docs/sql/streaming-semantics.md). */
    uint32_t cores;
    bool busy_poll; /* cores spin instead of sleeping on their io_uring ring */
    /* Where checkpoints go when a statement sets 'checkpoint.interval' without 'state.dir'
     * (engine/checkpoint.h); NULL: none. */
    const char *state_dir;
} velo_run_options;

typedef struct velo_run_report {
    uint64_t rows_in;
    uint64_t rows_out;
    uint64_t rows_rejected; /* decode errors + row evaluation errors */
    uint32_t jobs;
} velo_run_report;

/* Runs every statement of the script in order. Returns one of the VELO_EXIT_* codes; messages are
 * printed to opts->diag_out. */
int velo_run_script(const velo_run_options *opts, velo_run_report *report);

/* `velo-sql explain`: plans every row-producing statement of the script (the inner statement of
 * an EXPLAIN too) without opening a connector and prints each plan to stdout, as text (plans
 * separated by a blank line) or as one JSON document per line. Errors and warnings go to
 * opts->diag_out as in run. Returns VELO_EXIT_OK or VELO_EXIT_SQL_ERROR. */
int velo_explain_script(const velo_run_options *opts, bool json);

/* `velo-sql explain --cores N` (text): appends to `out` where each node of the plan runs on `ncores`
 * cores -- the cores that read the source, the keyed exchange and its keys, the nodes behind it,
 * and what is gathered on core 0 -- as run decides it (engine/job.c plan_layout_for). */
struct velo_query_plan;
struct velo_strbuf;
void velo_explain_cores(const struct velo_query_plan *qp, uint32_t ncores, struct velo_strbuf *out);

#endif
