/* Jobs of `velo-sql serve` (net/jobs.h). One mutex guards the list and every job's record; the
 * counters are atomics the job thread updates per batch. A job is persisted when it starts and
 * when it ends; at a restart a job persisted as running is run again. */
#include "net/jobs.h"

#include <errno.h>
#include <limits.h>
#include <mimalloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "engine/job.h"

#define MAX_JOBS 256

typedef enum job_state {
    JOB_RUNNING,
    JOB_STOPPING,
    JOB_FINISHED,
    JOB_STOPPED,
    JOB_CANCELLED,
    JOB_FAILED
} job_state;

static const char *const state_names[] = {"running", "stopping",  "finished",
                                          "stopped", "cancelled", "failed"};

typedef struct job {
    velo_jobs *owner;
    velo_job_record rec; /* rec.state mirrors state */
    job_state state;
    atomic_bool stop;  /* read by the engine between batches */
    atomic_bool ended; /* the thread has left velo_run_script */
    bool force, shutdown, thread_started;
    pthread_t thread;
    velo_run_progress progress;
    char *plan_text, *plan_json, *diagnostics;
} job;

struct velo_jobs {
    pthread_mutex_t mu;
    char *data_dir, *cwd;
    job **items;
    uint32_t count, cap;
    atomic_bool ready;
    int cores; /* serve --cores: the cores each job runs on */
};

static int64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static bool is_live(job_state s) { return s == JOB_RUNNING || s == JOB_STOPPING; }

static void set_state(job *j, job_state s) {
    j->state = s;
    snprintf(j->rec.state, sizeof j->rec.state, "%s", state_names[s]);
}

static char *dup_or_null(const char *s) { return s ? mi_strdup(s) : NULL; }

static void job_free(job *j) {
    velo_job_record_free(&j->rec);
    mi_free(j->plan_text);
    mi_free(j->plan_json);
    free(j->diagnostics); /* open_memstream's buffer: malloc */
    mi_free(j);
}

/* Saves the record; the caller holds the lock. A failure is logged, not fatal for a running job. */
static velo_status persist(velo_jobs *js, job *j, velo_error *err) {
    if (!js->data_dir) return VELO_OK;
    velo_error e;
    velo_error_clear(&e);
    velo_status st = velo_job_store_save(js->data_dir, &j->rec, &e);
    if (st) {
        fprintf(stderr, "velo-sql serve: job %s: %s\n", j->rec.id, e.message);
        if (err) *err = e;
    }
    return st;
}

/* The last non-empty line of the job's messages: the reason a failed job shows. */
static char *last_line(const char *text) {
    if (!text || !*text) return NULL;
    const char *end = text + strlen(text);
    while (end > text && (end[-1] == '\n' || end[-1] == ' '))
        end--;
    const char *start = end;
    while (start > text && start[-1] != '\n')
        start--;
    /* a caret line or a source line belongs to the message above it: use the first error line */
    const char *first = strstr(text, ": error: ");
    if (first) {
        start = first;
        while (start > text && start[-1] != '\n')
            start--;
        end = strchr(start, '\n');
        if (!end) end = start + strlen(start);
    }
    return mi_strndup(start, (size_t)(end - start));
}

static void *job_main(void *arg) {
    job *j = arg;
    velo_jobs *js = j->owner;
    char *buf = NULL;
    size_t blen = 0;
    FILE *diag = open_memstream(&buf, &blen);
    velo_run_options o;
    memset(&o, 0, sizeof o);
    velo_kv_init(&o.binds);
    for (uint32_t i = 0; i < j->rec.properties.count; i++) {
        const velo_kv_item *it = &j->rec.properties.items[i];
        if (!strncmp(it->key, "bind.", 5) && it->key[5]) velo_kv_set(&o.binds, it->key + 5, it->value);
    }
    /* the engine resolves relative paths against the folder of the script's file name */
    char file[PATH_MAX + 80];
    snprintf(file, sizeof file, "%s/%s.sql", j->rec.base_dir, j->rec.name);
    o.file = file;
    o.text = j->rec.sql;
    o.text_len = strlen(j->rec.sql);
    o.diag_out = diag ? diag : stderr;
    o.stop = &j->stop;
    o.progress = &j->progress;
    o.cores = (uint32_t)js->cores; /* serve --cores (0: the CPUs the process may use) */
    /* checkpoints of a job without its own 'state.dir' live in the data dir, by job id (stable across
     * node restarts, so a restored job resumes from its checkpoint) */
    char state_dir[PATH_MAX + 80];
    if (js->data_dir) {
        snprintf(state_dir, sizeof state_dir, "%s/state/%s", js->data_dir, j->rec.id);
        o.state_dir = state_dir;
    }
    velo_run_report report;
    int code = velo_run_script(&o, &report);
    if (diag) fclose(diag);
    velo_kv_free(&o.binds);

    pthread_mutex_lock(&js->mu);
    j->rec.rows_in = report.rows_in;
    j->rec.rows_out = report.rows_out;
    j->rec.rows_rejected = report.rows_rejected;
    atomic_store(&j->progress.rows_in, report.rows_in);
    atomic_store(&j->progress.rows_out, report.rows_out);
    atomic_store(&j->progress.rows_rejected, report.rows_rejected);
    free(j->diagnostics);
    j->diagnostics = buf;
    if (!j->shutdown && j->state != JOB_CANCELLED) {
        j->rec.ended_ms = now_ms();
        if (code == VELO_EXIT_OK || code == VELO_EXIT_ROWS_REJECTED) {
            set_state(j, j->state == JOB_STOPPING ? JOB_STOPPED : JOB_FINISHED);
        } else {
            set_state(j, JOB_FAILED);
            mi_free(j->rec.error);
            j->rec.error = last_line(buf);
            if (!j->rec.error) j->rec.error = mi_strdup("the job failed without a message");
        }
        persist(js, j, NULL);
    } else if (j->state == JOB_CANCELLED) {
        persist(js, j, NULL); /* keep the final counters */
    }
    atomic_store(&j->ended, true);
    pthread_mutex_unlock(&js->mu);
    return NULL;
}

/* Starts j's thread; the caller holds the lock. Here the cores will take over the job. */
static velo_status start_thread(job *j, velo_error *err) {
    atomic_store(&j->ended, false);
    int rc = pthread_create(&j->thread, NULL, job_main, j);
    if (rc)
        return velo_error_set(err, VELO_ERR_NOMEM, "cannot start a thread for job %s: %s", j->rec.id,
                              strerror(rc));
    j->thread_started = true;
    return VELO_OK;
}

void velo_jobs_set_cores(velo_jobs *js, int cores) { js->cores = cores; }

velo_jobs *velo_jobs_new(const char *data_dir, const char *cwd, velo_error *err) {
    if (data_dir && velo_job_store_open(data_dir, err)) return NULL;
    velo_jobs *js = mi_zalloc(sizeof *js);
    if (!js) {
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&js->mu, NULL);
    js->data_dir = dup_or_null(data_dir);
    js->cwd = mi_strdup(cwd);
    return js;
}

const char *velo_jobs_data_dir(const velo_jobs *jobs) { return jobs->data_dir; }

bool velo_jobs_ready(velo_jobs *jobs) { return atomic_load(&jobs->ready); }

static bool add_job(velo_jobs *js, job *j) {
    if (js->count == js->cap) {
        uint32_t ncap = js->cap ? js->cap * 2 : 16;
        job **ni = mi_reallocn(js->items, ncap, sizeof *ni);
        if (!ni) return false;
        js->items = ni;
        js->cap = ncap;
    }
    js->items[js->count++] = j;
    return true;
}

/* Plans for a restored job are printed again from its SQL (they are not persisted). */
static void attach_plans(job *j, const velo_sql_check *c) {
    mi_free(j->plan_text);
    mi_free(j->plan_json);
    j->plan_text = mi_strdup(c->plan_text.data ? c->plan_text.data : "");
    j->plan_json = mi_strdup(c->plan_json.data ? c->plan_json.data : "[]");
}

static void check_record(job *j) {
    velo_sql_check c;
    velo_sql_check_init(&c);
    velo_kv binds;
    velo_kv_init(&binds);
    for (uint32_t i = 0; i < j->rec.properties.count; i++) {
        const velo_kv_item *it = &j->rec.properties.items[i];
        if (!strncmp(it->key, "bind.", 5) && it->key[5]) velo_kv_set(&binds, it->key + 5, it->value);
    }
    velo_sql_check_run(&c, j->rec.name, j->rec.sql, strlen(j->rec.sql), &binds, true);
    attach_plans(j, &c);
    velo_kv_free(&binds);
    velo_sql_check_free(&c);
}

velo_status velo_jobs_restore(velo_jobs *js, velo_strbuf *problems, velo_error *err) {
    if (!js->data_dir) {
        atomic_store(&js->ready, true);
        return VELO_OK;
    }
    velo_job_record *recs = NULL;
    uint32_t n = 0;
    velo_status st = velo_job_store_load(js->data_dir, &recs, &n, problems, err);
    if (st) return st;
    pthread_mutex_lock(&js->mu);
    for (uint32_t i = 0; i < n; i++) {
        job *j = mi_zalloc(sizeof *j);
        if (!j || !add_job(js, j)) {
            mi_free(j);
            velo_job_record_free(&recs[i]);
            continue;
        }
        j->owner = js;
        j->rec = recs[i]; /* moves the strings */
        check_record(j);
        if (!strcmp(j->rec.state, "running")) {
            set_state(j, JOB_RUNNING);
            j->rec.restarts++;
            j->rec.started_ms = now_ms();
            persist(js, j, NULL);
            velo_error e;
            if (start_thread(j, &e)) {
                set_state(j, JOB_FAILED);
                j->rec.error = mi_strdup(e.message);
                atomic_store(&j->ended, true);
            }
        } else if (!strcmp(j->rec.state, "stopping")) {
            /* the stop was asked for before the crash: honour it rather than run again */
            set_state(j, JOB_STOPPED);
            j->rec.ended_ms = now_ms();
            persist(js, j, NULL);
            atomic_store(&j->ended, true);
        } else {
            job_state s = JOB_FAILED;
            for (int k = JOB_FINISHED; k <= JOB_FAILED; k++)
                if (!strcmp(j->rec.state, state_names[k])) s = (job_state)k;
            set_state(j, s);
            atomic_store(&j->progress.rows_in, j->rec.rows_in);
            atomic_store(&j->progress.rows_out, j->rec.rows_out);
            atomic_store(&j->progress.rows_rejected, j->rec.rows_rejected);
            atomic_store(&j->ended, true);
        }
    }
    pthread_mutex_unlock(&js->mu);
    mi_free(recs);
    atomic_store(&js->ready, true);
    return VELO_OK;
}

static void new_id(char out[VELO_JOB_ID_LEN + 1]) {
    uint8_t b[VELO_JOB_ID_LEN / 2];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        uint64_t t = (uint64_t)now_ms() ^ ((uint64_t)getpid() << 40);
        memcpy(b, &t, sizeof b);
    }
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static job *find(velo_jobs *js, const char *id) {
    for (uint32_t i = 0; i < js->count; i++)
        if (!strcmp(js->items[i]->rec.id, id)) return js->items[i];
    job *by_name = NULL;
    for (uint32_t i = 0; i < js->count; i++) {
        if (strcmp(js->items[i]->rec.name, id)) continue;
        if (by_name) return NULL; /* ambiguous: ask for the id */
        by_name = js->items[i];
    }
    return by_name;
}

/* The measurements of the job's progress block (atomics and a seqlock: no lock of the job's). */
static void copy_observed(const job *j, velo_job_info *out) {
    const velo_run_progress *p = &j->progress;
    out->decode_errors = atomic_load(&p->decode_errors);
    out->eval_errors = atomic_load(&p->eval_errors);
    out->late_rows = atomic_load(&p->late_rows);
    out->sink_errors = atomic_load(&p->sink_errors);
    out->state_bytes = atomic_load(&p->state_bytes);
    out->has_watermark = atomic_load(&p->has_watermark);
    out->watermark_us = atomic_load(&p->watermark_us);
    for (int b = 0; b < VELO_LATENCY_BUCKETS; b++)
        out->latency_buckets[b] = atomic_load(&p->latency_buckets[b]);
    out->latency_sum_us = atomic_load(&p->latency_sum_us);
    out->pauses = atomic_load(&p->connectors.pauses);
    out->cores = atomic_load_explicit(&p->cores, memory_order_acquire);
    for (uint32_t c = 0; c < out->cores && c < VELO_PROGRESS_CORES; c++) {
        out->core_wakeups[c] = atomic_load(&p->core_wakeups[c]);
        out->core_sleep_timeouts[c] = atomic_load(&p->core_sleep_timeouts[c]);
    }
    if (!is_live(j->state)) return;
    const velo_connector_status *cs = &p->connectors;
    out->paused_partitions = atomic_load(&cs->paused_partitions);
    out->degraded = atomic_load(&cs->degraded);
    if (out->degraded) velo_connector_status_error(cs, out->broker_error, sizeof out->broker_error);
    uint32_t n = atomic_load(&cs->nlag);
    for (uint32_t i = 0; i < n && i < VELO_STATUS_LAG_SLOTS; i++) {
        const velo_partition_lag *l = &cs->lag[i];
        if (!atomic_load_explicit(&l->ready, memory_order_acquire)) continue;
        velo_job_lag *o = &out->lag[out->nlag++];
        memcpy(o->topic, l->topic, sizeof o->topic);
        o->partition = l->partition;
        o->lag = atomic_load_explicit(&l->lag, memory_order_relaxed);
    }
}

static void copy_info(const job *j, bool detail, velo_job_info *out) {
    memset(out, 0, sizeof *out);
    velo_job_record_init(&out->rec);
    memcpy(out->rec.id, j->rec.id, sizeof out->rec.id);
    memcpy(out->rec.name, j->rec.name, sizeof out->rec.name);
    memcpy(out->rec.state, j->rec.state, sizeof out->rec.state);
    out->rec.submitted_ms = j->rec.submitted_ms;
    out->rec.started_ms = j->rec.started_ms;
    out->rec.ended_ms = j->rec.ended_ms;
    out->rec.restarts = j->rec.restarts;
    out->rec.error = dup_or_null(j->rec.error);
    out->rec.base_dir = dup_or_null(j->rec.base_dir);
    for (uint32_t i = 0; i < j->rec.properties.count; i++)
        velo_kv_set(&out->rec.properties, j->rec.properties.items[i].key, j->rec.properties.items[i].value);
    out->rows_in = atomic_load(&j->progress.rows_in);
    out->rows_out = atomic_load(&j->progress.rows_out);
    out->rows_rejected = atomic_load(&j->progress.rows_rejected);
    copy_observed(j, out);
    if (detail) {
        out->rec.sql = dup_or_null(j->rec.sql);
        out->plan_text = dup_or_null(j->plan_text);
        out->plan_json = dup_or_null(j->plan_json);
        out->diagnostics = dup_or_null(j->diagnostics);
    }
}

void velo_job_info_free(velo_job_info *info) {
    velo_job_record_free(&info->rec);
    mi_free(info->plan_text);
    mi_free(info->plan_json);
    mi_free(info->diagnostics);
}

void velo_job_infos_free(velo_job_info *infos, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        velo_job_info_free(&infos[i]);
    mi_free(infos);
}

velo_status velo_jobs_submit(velo_jobs *js, const velo_job_spec *spec, const velo_sql_check *check,
                             velo_job_info *out, velo_error *err) {
    const char *name = spec->name[0] ? spec->name : check->name;
    pthread_mutex_lock(&js->mu);
    velo_status st = VELO_OK;
    if (js->count >= MAX_JOBS) {
        st = velo_error_set(
            err, VELO_ERR_NOMEM,
            "the server holds %d jobs, its limit: remove ended ones with DELETE /v1/jobs/ID?purge=true",
            MAX_JOBS);
        goto out;
    }
    for (uint32_t i = 0; name[0] && i < js->count; i++) {
        if (is_live(js->items[i]->state) && !strcmp(js->items[i]->rec.name, name)) {
            st = velo_error_set(err, VELO_ERR_INVALID,
                                "a job named '%s' is already running (id %s): stop it first", name,
                                js->items[i]->rec.id);
            goto out;
        }
    }
    job *j = mi_zalloc(sizeof *j);
    if (!j) {
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto out;
    }
    j->owner = js;
    velo_job_record_init(&j->rec);
    new_id(j->rec.id);
    snprintf(j->rec.name, sizeof j->rec.name, "%s", name[0] ? name : j->rec.id);
    j->rec.sql = mi_strndup(spec->sql, spec->sql_len);
    j->rec.base_dir = mi_strdup(js->cwd);
    for (uint32_t i = 0; i < spec->properties.count; i++)
        velo_kv_set(&j->rec.properties, spec->properties.items[i].key, spec->properties.items[i].value);
    j->rec.submitted_ms = j->rec.started_ms = now_ms();
    set_state(j, JOB_RUNNING);
    attach_plans(j, check);
    if ((st = persist(js, j, err)) || !add_job(js, j)) {
        if (!st) st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        job_free(j);
        goto out;
    }
    if ((st = start_thread(j, err))) {
        js->count--;
        if (js->data_dir) velo_job_store_remove(js->data_dir, j->rec.id, NULL);
        job_free(j);
        goto out;
    }
    copy_info(j, false, out);
out:
    pthread_mutex_unlock(&js->mu);
    return st;
}

uint32_t velo_jobs_list(velo_jobs *js, velo_job_info **out) {
    pthread_mutex_lock(&js->mu);
    uint32_t n = js->count;
    velo_job_info *infos = n ? mi_calloc(n, sizeof *infos) : NULL;
    if (!infos) n = 0;
    for (uint32_t i = 0; i < n; i++)
        copy_info(js->items[i], false, &infos[i]);
    pthread_mutex_unlock(&js->mu);
    *out = infos;
    return n;
}

velo_status velo_jobs_get(velo_jobs *js, const char *id, bool detail, velo_job_info *out, velo_error *err) {
    pthread_mutex_lock(&js->mu);
    job *j = find(js, id);
    if (j) copy_info(j, detail, out);
    pthread_mutex_unlock(&js->mu);
    if (!j) return velo_error_set(err, VELO_ERR_NOT_FOUND, "no job '%s': GET /v1/jobs lists the jobs", id);
    return VELO_OK;
}

velo_status velo_jobs_stop(velo_jobs *js, const char *id, bool force, bool purge, velo_job_info *out,
                           velo_error *err) {
    pthread_mutex_lock(&js->mu);
    velo_status st = VELO_OK;
    job *j = find(js, id);
    if (!j) {
        st = velo_error_set(err, VELO_ERR_NOT_FOUND, "no job '%s': GET /v1/jobs lists the jobs", id);
        goto out;
    }
    if (is_live(j->state)) {
        if (purge) {
            st = velo_error_set(err, VELO_ERR_INVALID, "job %s is still %s: stop it before purging it",
                                j->rec.id, j->rec.state);
            goto out;
        }
        atomic_store(&j->stop, true);
        if (force) {
            /* the engine has no abort path yet: the thread still ends at its next batch boundary */
            j->force = true;
            set_state(j, JOB_CANCELLED);
            j->rec.ended_ms = now_ms();
        } else {
            set_state(j, JOB_STOPPING);
        }
        st = persist(js, j, err);
        copy_info(j, false, out);
        goto out;
    }
    copy_info(j, false, out);
    if (purge && atomic_load(&j->ended)) {
        if (js->data_dir && (st = velo_job_store_remove(js->data_dir, j->rec.id, err))) goto out;
        for (uint32_t i = 0; i < js->count; i++) {
            if (js->items[i] != j) continue;
            memmove(&js->items[i], &js->items[i + 1], (js->count - i - 1) * sizeof *js->items);
            js->count--;
            break;
        }
        if (j->thread_started) pthread_join(j->thread, NULL);
        job_free(j);
        snprintf(out->rec.state, sizeof out->rec.state, "removed");
    }
out:
    pthread_mutex_unlock(&js->mu);
    return st;
}

void velo_jobs_free(velo_jobs *js, int wait_ms) {
    if (!js) return;
    pthread_mutex_lock(&js->mu);
    for (uint32_t i = 0; i < js->count; i++) {
        job *j = js->items[i];
        if (atomic_load(&j->ended)) continue;
        j->shutdown = true;
        atomic_store(&j->stop, true);
    }
    pthread_mutex_unlock(&js->mu);
    for (int waited = 0;; waited += 10) {
        bool all = true;
        for (uint32_t i = 0; i < js->count; i++)
            all = all && atomic_load(&js->items[i]->ended);
        if (all || waited >= wait_ms) break;
        usleep(10000);
    }
    bool leak = false;
    for (uint32_t i = 0; i < js->count; i++) {
        job *j = js->items[i];
        if (!atomic_load(&j->ended)) {
            /* blocked in its source (a FIFO without writer...): the process exit ends it */
            fprintf(stderr, "velo-sql serve: job %s did not stop in time; it runs again at the next start\n",
                    j->rec.id);
            pthread_detach(j->thread);
            leak = true;
            continue;
        }
        if (j->thread_started) pthread_join(j->thread, NULL);
        job_free(j);
    }
    if (leak) return; /* a running thread still points at js */
    mi_free(js->items);
    mi_free(js->data_dir);
    mi_free(js->cwd);
    pthread_mutex_destroy(&js->mu);
    mi_free(js);
}
