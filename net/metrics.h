/* GET /metrics: the node's state in the Prometheus text exposition format (version 0.0.4).
 * Job counters come from the jobs' live progress; process_* from /proc/self. Metrics the engine
 * does not measure yet are exported with their type and help saying so (see docs/rest-api.md). */
#ifndef VELO_NET_METRICS_H
#define VELO_NET_METRICS_H

#include <stdint.h>

#include "core/strbuf.h"
#include "net/jobs.h"

/* What the server knows besides its jobs. */
typedef struct velo_server_stats {
    double start_time_s;        /* Unix time the node started */
    uint64_t http_responses[6]; /* by status class: [1] 1xx ... [5] 5xx */
    int ready;                  /* /health/ready would answer 200 */
    int cores;                  /* --cores */
    const char *version;
} velo_server_stats;

void velo_metrics_render(velo_strbuf *out, const velo_job_info *jobs, uint32_t njobs,
                         const velo_server_stats *s);

#endif
