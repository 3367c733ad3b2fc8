/* The server's jobs: submitted scripts, each run by velo_run_script() on its own thread (until the
 * thread-per-core runtime takes jobs over: then start_thread() hands the plan to the cores), with
 * live counters, graceful or forced stop, persistence in the data dir and restore at start.
 * All functions are thread-safe: the HTTP thread calls them while job threads run. */
#ifndef VELO_NET_JOBS_H
#define VELO_NET_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "net/job_spec.h"
#include "net/job_store.h"
#include "net/sql_check.h"
#include "velo/error.h"

typedef struct velo_jobs velo_jobs;

/* A copy of one job's state, owned by the caller (velo_job_info_free). */
typedef struct velo_job_info {
    velo_job_record rec; /* id, name, state, times, restarts, error; sql only with detail */
    uint64_t rows_in, rows_out, rows_rejected; /* live while running */
    char *plan_text, *plan_json;               /* detail only, else NULL */
    char *diagnostics;                         /* detail only: what the job printed (summary, errors) */
} velo_job_info;

void velo_job_info_free(velo_job_info *info);
void velo_job_infos_free(velo_job_info *infos, uint32_t n);

/* data_dir NULL: jobs live in memory only. cwd: where relative paths of submitted jobs resolve. */
velo_jobs *velo_jobs_new(const char *data_dir, const char *cwd, velo_error *err);
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
