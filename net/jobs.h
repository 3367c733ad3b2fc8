/* The server's jobs: submitted scripts, each run by velo_run_script() on its own thread (until the
 * thread-per-core runtime takes jobs over: then start_thread() hands the plan to the cores), with
 * live counters, graceful or forced stop, persistence in the data dir and restore at start.
 * All functions are thread-safe: the HTTP thread calls them while job threads run. */
#ifndef VELO_NET_JOBS_H
#define VELO_NET_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/job.h"
#include "net/job_spec.h"
#include "net/job_store.h"
#include "net/sql_check.h"
#include "velo/error.h"

typedef struct velo_jobs velo_jobs;

/* One topic partition's consumer lag (records behind the partition's end). */
typedef struct velo_job_lag {
    char topic[VELO_STATUS_TOPIC_MAX];
    int32_t partition;
    int64_t lag;
} velo_job_lag;

/* A copy of one job's state, owned by the caller (velo_job_info_free). */
typedef struct velo_job_info {
    velo_job_record rec; /* id, name, state, times, restarts, error; sql only with detail */
    uint64_t rows_in, rows_out, rows_rejected; /* live while running */
    /* what the running job measures (engine/job.h velo_run_progress); errors by kind */
    uint64_t decode_errors, eval_errors, late_rows, sink_errors, state_bytes;
    bool has_watermark;
    int64_t watermark_us;
    uint64_t latency_buckets[VELO_LATENCY_BUCKETS], latency_sum_us;
    /* live jobs only: connectors that cannot reach their broker (then broker_error says why), and
     * the consumer lag of each partition a Kafka source reads */
    uint32_t degraded;
    char broker_error[VELO_STATUS_ERROR_MAX];
    uint32_t nlag;
    velo_job_lag lag[VELO_STATUS_LAG_SLOTS];
    /* backpressure: source partitions paused now (the output is backlogged), pauses so far */
    uint32_t paused_partitions;
    uint64_t pauses;
    /* per core of a statement run on the cores: sleeps ended by its doorbell, by its sleep limit */
    uint32_t cores;
    uint64_t core_wakeups[VELO_PROGRESS_CORES], core_sleep_timeouts[VELO_PROGRESS_CORES];
    char *plan_text, *plan_json; /* detail only, else NULL */
    char *diagnostics;           /* detail only: what the job printed (summary, errors) */
} velo_job_info;

void velo_job_info_free(velo_job_info *info);
void velo_job_infos_free(velo_job_info *infos, uint32_t n);

/* data_dir NULL: jobs live in memory only. cwd: where relative paths of submitted jobs resolve. */
velo_jobs *velo_jobs_new(const char *data_dir, const char *cwd, velo_error *err);
/* `serve --cores N`: the cores each job runs on (velo_run_options.cores). */
void velo_jobs_set_cores(velo_jobs *jobs, int cores);
/* Loads the data dir and runs again every job that was running when the server stopped (file
 * sources re-read from their start). Unreadable records are listed in problems. */
velo_status velo_jobs_restore(velo_jobs *jobs, velo_strbuf *problems, velo_error *err);
/* True once velo_jobs_restore() has started every restored job. */
bool velo_jobs_ready(velo_jobs *jobs);
/* Starts a job from a checked spec (check->diags has no error). VELO_ERR_INVALID: the name is taken
 * by a running job; VELO_ERR_NOMEM: the job limit is reached; VELO_ERR_IO: it could not be saved. */
velo_status velo_jobs_submit(velo_jobs *jobs, const velo_job_spec *spec, const velo_sql_check *check,
                             velo_job_info *out, velo_error *err);
/* Every job, oldest first. */
uint32_t velo_jobs_list(velo_jobs *jobs, velo_job_info **out);
/* One job by id (or by name when exactly one job has it). VELO_ERR_NOT_FOUND when none. */
velo_status velo_jobs_get(velo_jobs *jobs, const char *id, bool detail, velo_job_info *out, velo_error *err);
/* Stops a running job: graceful (drain, flush, end) or forced (marked cancelled at once). On an
 * ended job it does nothing, or with purge removes the job from the list and the data dir. */
velo_status velo_jobs_stop(velo_jobs *jobs, const char *id, bool force, bool purge, velo_job_info *out,
                           velo_error *err);
/* Server shutdown: stops running jobs without recording them as stopped (they run again at the
 * next start), waits up to wait_ms for them, and frees everything whose thread has ended. */
void velo_jobs_free(velo_jobs *jobs, int wait_ms);

const char *velo_jobs_data_dir(const velo_jobs *jobs);

#endif
