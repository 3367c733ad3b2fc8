/* Prometheus text rendering (net/metrics.h). Written by hand: the format is a few lines of
 * `name{label="value"} number` under # HELP / # TYPE headers, and Debian ships no C client
 * library for it. Label values are escaped as the format requires (\\, \", \n). */
#include "net/metrics.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static void header(velo_strbuf *o, const char *name, const char *type, const char *help) {
    velo_strbuf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void label_value(velo_strbuf *o, const char *v) {
    velo_strbuf_putc(o, '"');
    for (const char *p = v; *p; p++) {
        if (*p == '\\' || *p == '"') {
            velo_strbuf_putc(o, '\\');
            velo_strbuf_putc(o, *p);
        } else if (*p == '\n') {
            velo_strbuf_puts(o, "\\n");
        } else {
            velo_strbuf_putc(o, *p);
        }
    }
    velo_strbuf_putc(o, '"');
}

/* name{velo_job="x",job_id="y" (the caller adds more labels, closes the brace and gives the value) */
static void job_labels(velo_strbuf *o, const char *name, const velo_job_info *j) {
    velo_strbuf_printf(o, "%s{velo_job=", name);
    label_value(o, j->rec.name);
    velo_strbuf_puts(o, ",job_id=");
    label_value(o, j->rec.id);
}

/* name{velo_job="x"[,extra]} value */
static void job_sample(velo_strbuf *o, const char *name, const velo_job_info *j, const char *extra_key,
                       const char *extra_val, uint64_t v) {
    job_labels(o, name, j);
    if (extra_key) {
        velo_strbuf_printf(o, ",%s=", extra_key);
        label_value(o, extra_val);
    }
    velo_strbuf_printf(o, "} %llu\n", (unsigned long long)v);
}

static bool is_live(const velo_job_info *j) {
    return !strcmp(j->rec.state, "running") || !strcmp(j->rec.state, "stopping");
}

static void job_metrics(velo_strbuf *o, const velo_job_info *jobs, uint32_t n) {
    header(o, "velo_records_in_total", "counter", "Records read by a job's sources.");
    for (uint32_t i = 0; i < n; i++)
        job_sample(o, "velo_records_in_total", &jobs[i], "operator", "source", jobs[i].rows_in);
    header(o, "velo_records_out_total", "counter", "Records written by a job's sink.");
    for (uint32_t i = 0; i < n; i++)
        job_sample(o, "velo_records_out_total", &jobs[i], "operator", "sink", jobs[i].rows_out);
    header(o, "velo_errors_total", "counter",
           "Errors of a job by kind: decode (records the source could not decode), evaluation (rows that "
           "failed to evaluate), late (rows behind the watermark), sink (failed sink writes), job (1 for a "
           "failed run).");
    for (uint32_t i = 0; i < n; i++) {
        const velo_job_info *j = &jobs[i];
        job_sample(o, "velo_errors_total", j, "kind", "decode", j->decode_errors);
        job_sample(o, "velo_errors_total", j, "kind", "evaluation", j->eval_errors);
        job_sample(o, "velo_errors_total", j, "kind", "late", j->late_rows);
        job_sample(o, "velo_errors_total", j, "kind", "sink", j->sink_errors);
        job_sample(o, "velo_errors_total", j, "kind", "job", !strcmp(j->rec.state, "failed"));
    }
    header(o, "velo_dlq_records_total", "counter", "Records a job sent to its dead-letter queue.");
    for (uint32_t i = 0; i < n; i++)
        job_sample(o, "velo_dlq_records_total", &jobs[i], NULL, NULL, jobs[i].rows_rejected);
    header(o, "velo_job_restarts_total", "counter", "Times a job was restored after a restart of the node.");
    for (uint32_t i = 0; i < n; i++)
        job_sample(o, "velo_job_restarts_total", &jobs[i], NULL, NULL, jobs[i].rec.restarts);
    header(o, "velo_job_running", "gauge", "1 while the job runs (or stops), else 0.");
    for (uint32_t i = 0; i < n; i++)
        job_sample(o, "velo_job_running", &jobs[i], NULL, NULL, is_live(&jobs[i]));
    header(o, "velo_job_degraded", "gauge",
           "Connectors of a running job that cannot reach their broker now (see /health/ready for why).");
    for (uint32_t i = 0; i < n; i++)
        job_sample(o, "velo_job_degraded", &jobs[i], NULL, NULL, jobs[i].degraded);
    static const char *const states[] = {"running", "stopping", "finished", "stopped", "cancelled", "failed"};
    header(o, "velo_jobs", "gauge", "Jobs known to the node by state.");
    for (size_t s = 0; s < sizeof states / sizeof states[0]; s++) {
        uint64_t c = 0;
        for (uint32_t i = 0; i < n; i++)
            c += !strcmp(jobs[i].rec.state, states[s]);
        velo_strbuf_printf(o, "velo_jobs{state=\"%s\"} %llu\n", states[s], (unsigned long long)c);
    }
}

static void latency_histogram(velo_strbuf *o, const velo_job_info *jobs, uint32_t n) {
    header(o, "velo_processing_latency_seconds", "histogram",
           "Per batch that reached the sink: time from the start of its read to the end of its sink write.");
    static const int64_t bounds[] = VELO_LATENCY_BOUNDS_US;
    for (uint32_t i = 0; i < n; i++) {
        const velo_job_info *j = &jobs[i];
        uint64_t cum = 0;
        for (int b = 0; b < VELO_LATENCY_BUCKETS; b++) {
            cum += j->latency_buckets[b];
            job_labels(o, "velo_processing_latency_seconds_bucket", j);
            if (b < VELO_LATENCY_BUCKETS - 1)
                velo_strbuf_printf(o, ",le=\"%g\"} %llu\n", (double)bounds[b] / 1e6, (unsigned long long)cum);
            else
                velo_strbuf_printf(o, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
        }
        job_labels(o, "velo_processing_latency_seconds_sum", j);
        velo_strbuf_printf(o, "} %.6f\n", (double)j->latency_sum_us / 1e6);
        job_labels(o, "velo_processing_latency_seconds_count", j);
        velo_strbuf_printf(o, "} %llu\n", (unsigned long long)cum);
    }
}

static void engine_metrics(velo_strbuf *o, const velo_job_info *jobs, uint32_t n) {
    header(o, "velo_late_records_total", "counter",
           "Rows behind the watermark (window closed, or behind a join's watermark): dropped or sent to the "
           "dead-letter queue.");
    for (uint32_t i = 0; i < n; i++)
        job_sample(o, "velo_late_records_total", &jobs[i], NULL, NULL, jobs[i].late_rows);
    latency_histogram(o, jobs, n);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    double now_s = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    header(o, "velo_watermark_lag_seconds", "gauge",
           "Wall clock minus the event-time watermark of a running job (jobs with a watermark only).");
    for (uint32_t i = 0; i < n; i++) {
        if (!is_live(&jobs[i]) || !jobs[i].has_watermark) continue;
        job_labels(o, "velo_watermark_lag_seconds", &jobs[i]);
        velo_strbuf_printf(o, "} %.3f\n", now_s - (double)jobs[i].watermark_us / 1e6);
    }
    header(o, "velo_kafka_consumer_lag", "gauge",
           "Records between a running Kafka source's position and the end of each topic partition.");
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t k = 0; k < jobs[i].nlag; k++) {
            char part[16];
            snprintf(part, sizeof part, "%d", (int)jobs[i].lag[k].partition);
            job_labels(o, "velo_kafka_consumer_lag", &jobs[i]);
            velo_strbuf_puts(o, ",topic=");
            label_value(o, jobs[i].lag[k].topic);
            velo_strbuf_puts(o, ",partition=");
            label_value(o, part);
            velo_strbuf_printf(o, "} %lld\n", (long long)jobs[i].lag[k].lag);
        }
    }
    header(
        o, "velo_kafka_paused_partitions", "gauge",
        "Kafka partitions a running job's sources paused because its output is backlogged (backpressure).");
    for (uint32_t i = 0; i < n; i++)
        if (is_live(&jobs[i]))
            job_sample(o, "velo_kafka_paused_partitions", &jobs[i], NULL, NULL, jobs[i].paused_partitions);
    header(o, "velo_backpressure_pauses_total", "counter",
           "Times a job's source paused because its output was backlogged (backpressure).");
    for (uint32_t i = 0; i < n; i++)
        job_sample(o, "velo_backpressure_pauses_total", &jobs[i], NULL, NULL, jobs[i].pauses);
    header(
        o, "velo_core_wakeups_total", "counter",
        "Sleeps of a job's core (statements run on the cores) by how they ended: doorbell (its eventfd was "
        "written: records, rows from another core, a control message) or timeout (its sleep limit passed "
        "with nothing to wake it).");
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t c = 0; c < jobs[i].cores && c < VELO_PROGRESS_CORES; c++) {
            char core[16];
            snprintf(core, sizeof core, "%u", c);
            for (int t = 0; t < 2; t++) {
                job_labels(o, "velo_core_wakeups_total", &jobs[i]);
                velo_strbuf_puts(o, ",core=");
                label_value(o, core);
                velo_strbuf_printf(
                    o, ",cause=\"%s\"} %llu\n", t ? "timeout" : "doorbell",
                    (unsigned long long)(t ? jobs[i].core_sleep_timeouts[c] : jobs[i].core_wakeups[c]));
            }
        }
    header(o, "velo_state_bytes", "gauge",
           "Bytes of operator state (group tables, join row stores) of a job's running statement.");
    for (uint32_t i = 0; i < n; i++)
        job_sample(o, "velo_state_bytes", &jobs[i], NULL, NULL, jobs[i].state_bytes);
    header(o, "velo_circuit_breaker_state", "gauge",
           "Sink circuit breaker: 0 closed, 1 half-open, 2 open (no breaker yet: always 0).");
    velo_strbuf_puts(o, "velo_circuit_breaker_state 0\n");
}

static void process_metrics(velo_strbuf *o, const velo_server_stats *s) {
    long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    unsigned long utime = 0, stime = 0, vsize = 0;
    long rss = 0;
    FILE *f = fopen("/proc/self/stat", "r");
    if (f) {
        char buf[1024];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
        if (p)
            sscanf(p + 2,
                   "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d %*u %lu %ld",
                   &utime, &stime, &vsize, &rss);
    }
    uint64_t fds = 0;
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            fds += e->d_name[0] != '.';
        closedir(d);
        fds--; /* the directory's own descriptor */
    }
    struct rlimit rl = {0};
    getrlimit(RLIMIT_NOFILE, &rl);
    header(o, "process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.");
    velo_strbuf_printf(o, "process_cpu_seconds_total %.2f\n",
                       tick > 0 ? (double)(utime + stime) / (double)tick : 0.0);
    header(o, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    velo_strbuf_printf(o, "process_resident_memory_bytes %lld\n", (long long)rss * page);
    header(o, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    velo_strbuf_printf(o, "process_virtual_memory_bytes %lu\n", vsize);
    header(o, "process_open_fds", "gauge", "Number of open file descriptors.");
    velo_strbuf_printf(o, "process_open_fds %llu\n", (unsigned long long)fds);
    header(o, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
    velo_strbuf_printf(o, "process_max_fds %llu\n", (unsigned long long)rl.rlim_cur);
    header(o, "process_start_time_seconds", "gauge",
           "Start time of the process since unix epoch in seconds.");
    velo_strbuf_printf(o, "process_start_time_seconds %.3f\n", s->start_time_s);
}

void velo_metrics_render(velo_strbuf *o, const velo_job_info *jobs, uint32_t n, const velo_server_stats *s) {
    header(o, "velo_build_info", "gauge", "Version of the node (value 1).");
    velo_strbuf_printf(o, "velo_build_info{version=\"%s\"} 1\n", s->version);
    header(o, "velo_ready", "gauge", "1 when /health/ready answers 200.");
    velo_strbuf_printf(o, "velo_ready %d\n", s->ready);
    header(o, "velo_cores", "gauge", "Cores the node was started with (--cores).");
    velo_strbuf_printf(o, "velo_cores %d\n", s->cores);
    header(o, "velo_http_responses_total", "counter", "HTTP responses of the control plane by status class.");
    for (int c = 1; c <= 5; c++)
        velo_strbuf_printf(o, "velo_http_responses_total{code=\"%dxx\"} %llu\n", c,
                           (unsigned long long)s->http_responses[c]);
    job_metrics(o, jobs, n);
    engine_metrics(o, jobs, n);
    process_metrics(o, s);
}
