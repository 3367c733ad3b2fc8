/* The REST API of `velo-sql serve` (docs/rest-api.md) and the node's life: start the HTTP thread,
 * restore jobs (readiness waits for it), serve until told to stop, then stop jobs without
 * recording them as stopped so that the next start runs them again. Handlers run on the HTTP
 * thread and never wait for a job: a stop is asked for and answered with 202. */
#include "net/serve.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <mimalloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/http_server.h"
#include "net/job_spec.h"
#include "net/jobs.h"
#include "net/metrics.h"
#include "net/sql_check.h"

typedef struct node {
    const velo_serve_options *opts;
    velo_jobs *jobs;
    velo_http_server *http;
    double start_time;
    char restore_problems[1024]; /* unreadable job records, for /health/ready */
    bool tls, auth;
} node;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* ---- JSON helpers ---- */

static json_t *time_json(int64_t ms) {
    if (!ms) return json_null();
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char buf[96];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
    return json_string(buf);
}

static void put_json(velo_http_response *resp, int status, json_t *j) {
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text) {
        velo_http_problem(resp, 500, "Internal Server Error", "out of memory");
        return;
    }
    velo_strbuf_clear(&resp->body);
    velo_strbuf_puts(&resp->body, text);
    velo_strbuf_putc(&resp->body, '\n');
    free(text);
    resp->status = status;
    resp->content_type = "application/json";
}

/* 0 Healthy, 1 Degraded, 2 Unhealthy (level_names), and why. */
static int job_health(const velo_job_info *j, char *reason, size_t n) {
    if (!strcmp(j->rec.state, "failed")) {
        snprintf(reason, n, "failed: %s", j->rec.error ? j->rec.error : "no message");
        return 2;
    }
    if (j->degraded) { /* a connector cannot reach its broker: the job waits and retries */
        snprintf(reason, n, "%s", j->broker_error[0] ? j->broker_error : "a broker is unreachable");
        return 1;
    }
    if (j->rows_rejected) {
        snprintf(reason, n, "%llu records rejected (dead-letter queue)",
                 (unsigned long long)j->rows_rejected);
        return 1;
    }
    if (j->paused_partitions) { /* healthy: waiting for its output is what backpressure is */
        snprintf(reason, n, "%s; backpressure: %u Kafka partitions paused while the output is backlogged",
                 j->rec.state, j->paused_partitions);
        return 0;
    }
    snprintf(reason, n, "%s", j->rec.state);
    return 0;
}

static const char *const level_names[] = {"Healthy", "Degraded", "Unhealthy"};

static json_t *job_json(const velo_job_info *j, bool detail) {
    json_t *props = json_object();
    for (uint32_t i = 0; i < j->rec.properties.count; i++)
        json_object_set_new(props, j->rec.properties.items[i].key,
                            json_string(j->rec.properties.items[i].value));
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:n, s:o, s:o, s:o, s:i, s:o}", "id", j->rec.id, "name",
                  j->rec.name, "state", j->rec.state, "records_in", (json_int_t)j->rows_in, "records_out",
                  (json_int_t)j->rows_out, "errors", (json_int_t)j->rows_rejected, "lag", "submitted_at",
                  time_json(j->rec.submitted_ms), "started_at", time_json(j->rec.started_ms), "ended_at",
                  time_json(j->rec.ended_ms), "restarts", (int)j->rec.restarts, "properties", props);
    if (!o) return NULL;
    json_object_set_new(o, "error", j->rec.error ? json_string(j->rec.error) : json_null());
    if (j->nlag) { /* Kafka sources: records behind the ends of the partitions read */
        int64_t lag = 0;
        for (uint32_t i = 0; i < j->nlag; i++)
            lag += j->lag[i].lag;
        json_object_set_new(o, "lag", json_integer(lag));
    }
    char reason[600];
    int level = job_health(j, reason, sizeof reason);
    json_object_set_new(o, "health", json_pack("{s:s, s:s}", "status", level_names[level], "reason", reason));
    if (detail) {
        json_t *plan = j->plan_json ? json_loads(j->plan_json, 0, NULL) : NULL;
        json_object_set_new(o, "sql", json_string(j->rec.sql ? j->rec.sql : ""));
        json_object_set_new(o, "plan", plan ? plan : json_array());
        json_object_set_new(o, "plan_text", json_string(j->plan_text ? j->plan_text : ""));
        /* per-operator counters arrive with the core runtime; today the source and the sink */
        json_object_set_new(o, "operators",
                            json_pack("[{s:s, s:I}, {s:s, s:I, s:I}]", "operator", "source", "records_out",
                                      (json_int_t)j->rows_in, "operator", "sink", "records_in",
                                      (json_int_t)j->rows_out, "errors", (json_int_t)j->rows_rejected));
        json_object_set_new(o, "messages", json_string(j->diagnostics ? j->diagnostics : ""));
    }
    return o;
}

static json_t *findings_json(const velo_diags *d, velo_severity sev) {
    json_t *a = json_array();
    for (uint32_t i = 0; i < d->count; i++) {
        const velo_diag *g = &d->items[i];
        if (g->severity != sev) continue;
        json_array_append_new(a,
                              json_pack("{s:i, s:i, s:s, s:s, s:s}", "line", (int)g->line, "col", (int)g->col,
                                        "severity", sev == VELO_SEV_ERROR ? "error" : "warning", "code",
                                        g->code, "message", g->message));
    }
    return a;
}

/* ---- request bodies ---- */

/* Parses the body into spec and checks its SQL; false when a 400 was written. */
static bool read_job(const velo_http_request *req, velo_http_response *resp, velo_job_spec *spec,
                     velo_sql_check *check, bool for_job) {
    velo_error err;
    velo_error_clear(&err);
    if (velo_job_spec_parse(req->body, req->body_len, req->content_type, spec, &err)) {
        velo_http_problem(resp, 400, "Bad Request", err.message);
        return false;
    }
    velo_kv binds;
    velo_kv_init(&binds);
    velo_job_spec_binds(spec, &binds);
    const char *file = spec->name[0] ? spec->name : "job.sql";
    velo_sql_check_run(check, file, spec->sql, spec->sql_len, &binds, for_job);
    velo_kv_free(&binds);
    return true;
}

static void invalid_sql(velo_http_response *resp, const velo_sql_check *c) {
    char detail[256];
    snprintf(detail, sizeof detail, "the SQL has %u error%s", c->diags.nerrors,
             c->diags.nerrors == 1 ? "" : "s");
    json_t *j = json_pack("{s:s, s:s, s:i, s:s, s:o, s:o}", "type", "about:blank", "title", "Invalid SQL",
                          "status", 400, "detail", detail, "errors", findings_json(&c->diags, VELO_SEV_ERROR),
                          "warnings", findings_json(&c->diags, VELO_SEV_WARNING));
    put_json(resp, 400, j);
    resp->content_type = "application/problem+json";
}

/* ---- handlers ---- */

static void post_job(node *n, const velo_http_request *req, velo_http_response *resp) {
    velo_job_spec spec;
    velo_job_spec_init(&spec);
    velo_sql_check check;
    velo_sql_check_init(&check);
    if (!read_job(req, resp, &spec, &check, true)) goto out;
    if (check.diags.nerrors) {
        invalid_sql(resp, &check);
        goto out;
    }
    velo_job_info info;
    velo_error err;
    velo_error_clear(&err);
    velo_status st = velo_jobs_submit(n->jobs, &spec, &check, &info, &err);
    if (st == VELO_ERR_INVALID) {
        velo_http_problem(resp, 409, "Conflict", err.message);
    } else if (st == VELO_ERR_NOMEM) {
        velo_http_problem(resp, 503, "Service Unavailable", err.message);
    } else if (st) {
        velo_http_problem(resp, 500, "Internal Server Error", err.message);
    } else {
        json_t *j = job_json(&info, false);
        json_object_set_new(j, "warnings", findings_json(&check.diags, VELO_SEV_WARNING));
        put_json(resp, 201, j);
        snprintf(resp->location, sizeof resp->location, "/v1/jobs/%s", info.rec.id);
        velo_job_info_free(&info);
    }
out:
    velo_sql_check_free(&check);
    velo_job_spec_free(&spec);
}

static void list_jobs(node *n, velo_http_response *resp) {
    velo_job_info *infos;
    uint32_t count = velo_jobs_list(n->jobs, &infos);
    json_t *a = json_array();
    for (uint32_t i = 0; i < count; i++)
        json_array_append_new(a, job_json(&infos[i], false));
    velo_job_infos_free(infos, count);
    put_json(resp, 200, json_pack("{s:o}", "jobs", a));
}

static void job_by_id(node *n, const velo_http_request *req, velo_http_response *resp, const char *id) {
    velo_job_info info;
    velo_error err;
    velo_error_clear(&err);
    velo_status st;
    if (!strcmp(req->method, "GET")) {
        st = velo_jobs_get(n->jobs, id, true, &info, &err);
    } else {
        const char *force = velo_http_query(req, "force"), *purge = velo_http_query(req, "purge");
        bool f = force && (!strcmp(force, "true") || !strcmp(force, "1") || !*force);
        bool p = purge && (!strcmp(purge, "true") || !strcmp(purge, "1") || !*purge);
        st = velo_jobs_stop(n->jobs, id, f, p, &info, &err);
    }
    if (st == VELO_ERR_NOT_FOUND) {
        velo_http_problem(resp, 404, "Not Found", err.message);
        return;
    }
    if (st == VELO_ERR_INVALID) {
        velo_http_problem(resp, 409, "Conflict", err.message);
        return;
    }
    if (st) {
        velo_http_problem(resp, 500, "Internal Server Error", err.message);
        return;
    }
    bool stopping = !strcmp(req->method, "DELETE") && !strcmp(info.rec.state, "stopping");
    put_json(resp, stopping ? 202 : 200, job_json(&info, !strcmp(req->method, "GET")));
    velo_job_info_free(&info);
}

static void validate(const velo_http_request *req, velo_http_response *resp) {
    velo_job_spec spec;
    velo_job_spec_init(&spec);
    velo_sql_check check;
    velo_sql_check_init(&check);
    if (read_job(req, resp, &spec, &check, false)) {
        json_t *plans = check.diags.nerrors
                            ? NULL
                            : json_loads(check.plan_json.data ? check.plan_json.data : "[]", 0, NULL);
        json_t *findings = findings_json(&check.diags, VELO_SEV_ERROR);
        json_array_extend(findings, findings_json(&check.diags, VELO_SEV_WARNING));
        put_json(resp, 200,
                 json_pack("{s:b, s:i, s:i, s:o, s:o}", "valid", check.diags.nerrors == 0, "errors",
                           (int)check.diags.nerrors, "warnings", (int)check.diags.nwarnings, "findings",
                           findings, "plans", plans ? plans : json_array()));
    }
    velo_sql_check_free(&check);
    velo_job_spec_free(&spec);
}

static void info(node *n, velo_http_response *resp) {
    const char *build =
#ifdef NDEBUG
        "release";
#else
        "debug";
#endif
    bool sanitize =
#ifdef VELO_SANITIZE
        true;
#else
        false;
#endif
    put_json(resp, 200,
             json_pack("{s:s, s:i, s:f, s:o, s:{s:s, s:b, s:s}, s:s, s:i, s:b, s:b, s:s?, s:I}", "version",
                       n->opts->version, "cores", n->opts->cores, "uptime_seconds", now_s() - n->start_time,
                       "started_at", time_json((int64_t)(n->start_time * 1000)), "build", "type", build,
                       "sanitize", sanitize, "compiler", __VERSION__, "listen", n->opts->listen, "port",
                       (int)velo_http_port(n->http), "tls", n->tls, "auth", n->auth, "data_dir",
                       n->opts->data_dir, "max_body_bytes", (json_int_t)n->opts->max_body));
}

static json_t *component(const char *name, int level, const char *reason) {
    return json_pack("{s:s, s:s, s:s?}", "name", name, "status", level_names[level], "reason", reason);
}

static void ready(node *n, velo_http_response *resp) {
    int worst = 0;
    bool restored = velo_jobs_ready(n->jobs);
    json_t *comps = json_array();
    json_array_append_new(comps, component("http", 0, NULL));
    json_array_append_new(comps, component("jobs.restore", restored ? 0 : 2,
                                           restored ? NULL : "restoring the jobs of the data dir"));
    worst = restored ? 0 : 2;
    const char *dd = n->opts->data_dir;
    if (!dd) {
        json_array_append_new(comps, component("data_dir", 0, "no --data-dir: jobs are kept in memory only"));
    } else {
        char jd[PATH_MAX];
        snprintf(jd, sizeof jd, "%s/jobs", dd);
        if (access(jd, W_OK) != 0) {
            char why[PATH_MAX + 64];
            snprintf(why, sizeof why, "'%s' is not writable: %s", jd, strerror(errno));
            json_array_append_new(comps, component("data_dir", 2, why));
            worst = 2;
        } else if (n->restore_problems[0]) {
            json_array_append_new(comps, component("data_dir", 1, n->restore_problems));
            if (worst < 1) worst = 1;
        } else {
            json_array_append_new(comps, component("data_dir", 0, NULL));
        }
    }
    velo_job_info *infos;
    uint32_t count = velo_jobs_list(n->jobs, &infos);
    json_t *jobs = json_array();
    for (uint32_t i = 0; i < count; i++) {
        const velo_job_info *j = &infos[i];
        char reason[600];
        int level = job_health(j, reason, sizeof reason);
        /* a job's trouble degrades the node; it does not make it unready */
        if (level && worst < 1) worst = 1;
        json_array_append_new(jobs, json_pack("{s:s, s:s, s:s, s:s}", "id", j->rec.id, "name", j->rec.name,
                                              "status", level_names[level], "reason", reason));
    }
    velo_job_infos_free(infos, count);
    put_json(resp, worst == 2 ? 503 : 200,
             json_pack("{s:s, s:b, s:o, s:o}", "status", level_names[worst], "ready", worst != 2,
                       "components", comps, "jobs", jobs));
}

static void metrics(node *n, velo_http_response *resp) {
    velo_server_stats st = {
        .start_time_s = n->start_time, .cores = n->opts->cores, .version = n->opts->version};
    velo_http_counts(n->http, st.http_responses);
    st.ready = velo_jobs_ready(n->jobs);
    velo_job_info *infos;
    uint32_t count = velo_jobs_list(n->jobs, &infos);
    velo_metrics_render(&resp->body, infos, count, &st);
    velo_job_infos_free(infos, count);
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

/* ---- routing ---- */

static void not_allowed(velo_http_response *resp, const char *allow) {
    velo_http_problem(resp, 405, "Method Not Allowed", NULL);
    resp->allow = allow;
}

/* True when the request uses `m`; otherwise writes a 405 naming the allowed method. */
static bool method_is(const velo_http_request *req, const char *m, velo_http_response *resp) {
    if (!strcmp(req->method, m)) return true;
    not_allowed(resp, m);
    return false;
}

static void route(void *ud, const velo_http_request *req, velo_http_response *resp) {
    node *n = ud;
    const char *p = req->path;
    if (!strcmp(p, "/health/live")) {
        if (method_is(req, "GET", resp)) put_json(resp, 200, json_pack("{s:s}", "status", "Healthy"));
    } else if (!strcmp(p, "/health/ready")) {
        if (method_is(req, "GET", resp)) ready(n, resp);
    } else if (!strcmp(p, "/metrics")) {
        if (method_is(req, "GET", resp)) metrics(n, resp);
    } else if (!strcmp(p, "/v1/info")) {
        if (method_is(req, "GET", resp)) info(n, resp);
    } else if (!strcmp(p, "/v1/validate")) {
        if (method_is(req, "POST", resp)) validate(req, resp);
    } else if (!strcmp(p, "/v1/jobs") || !strcmp(p, "/v1/jobs/")) {
        if (!strcmp(req->method, "GET"))
            list_jobs(n, resp);
        else if (!strcmp(req->method, "POST"))
            post_job(n, req, resp);
        else
            not_allowed(resp, "GET, POST");
    } else if (!strncmp(p, "/v1/jobs/", 9) && p[9] && !strchr(p + 9, '/')) {
        if (!strcmp(req->method, "GET") || !strcmp(req->method, "DELETE"))
            job_by_id(n, req, resp, p + 9);
        else
            not_allowed(resp, "GET, DELETE");
    } else {
        velo_http_problem(
            resp, 404, "Not Found",
            "no such endpoint: see docs/rest-api.md (/v1/jobs, /v1/validate, /v1/info, /health/live, "
            "/health/ready, /metrics)");
    }
}

/* ---- start and stop ---- */

static char *read_text_file(const char *path, const char *what, FILE *log) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(log, "velo-sql serve: cannot read %s '%s': %s\n", what, path, strerror(errno));
        return NULL;
    }
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && sb.len < (1u << 20))
        velo_strbuf_append(&sb, chunk, got);
    fclose(f);
    if (!sb.data) velo_strbuf_puts(&sb, "");
    return sb.data;
}

/* The token is the file's first line without surrounding blanks. */
static char *read_token(const char *path, FILE *log) {
    char *t = read_text_file(path, "auth token file", log);
    if (!t) return NULL;
    char *s = t;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strcspn(s, "\r\n");
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *tok = n ? mi_strndup(s, n) : NULL;
    if (!tok) fprintf(log, "velo-sql serve: auth token file '%s' is empty\n", path);
    mi_free(t);
    return tok;
}

int velo_serve_run(const velo_serve_options *opts) {
    FILE *log = opts->log ? opts->log : stderr;
    node n = {.opts = opts, .start_time = now_s()};
    char *token = NULL, *cert = NULL, *key = NULL;
    int code = 2;
    if (opts->auth_token_file && !(token = read_token(opts->auth_token_file, log))) goto out;
    if ((opts->tls_cert_file != NULL) != (opts->tls_key_file != NULL)) {
        fprintf(log, "velo-sql serve: TLS needs both --tls-cert FILE and --tls-key FILE\n");
        goto out;
    }
    if (opts->tls_cert_file && (!(cert = read_text_file(opts->tls_cert_file, "TLS certificate", log)) ||
                                !(key = read_text_file(opts->tls_key_file, "TLS key", log))))
        goto out;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");
    velo_error err;
    velo_error_clear(&err);
    if (!(n.jobs = velo_jobs_new(opts->data_dir, cwd, &err))) {
        fprintf(log, "velo-sql serve: %s\n", err.message);
        goto out;
    }
    velo_jobs_set_cores(n.jobs, opts->cores);
    n.tls = cert != NULL;
    n.auth = token != NULL;
    velo_http_options ho = {.listen = opts->listen,
                            .port = (uint16_t)opts->port,
                            .tls_cert_pem = cert,
                            .tls_key_pem = key,
                            .token = token,
                            .max_body = opts->max_body,
                            .handler = route,
                            .ud = &n};
    if (!(n.http = velo_http_start(&ho, &err))) {
        fprintf(log, "velo-sql serve: %s\n", err.message);
        goto out;
    }
    fprintf(log, "velo-sql serve: listening on %s://%s%s%s:%u (data dir: %s, auth: %s)\n",
            n.tls ? "https" : "http", strchr(opts->listen, ':') ? "[" : "", opts->listen,
            strchr(opts->listen, ':') ? "]" : "", (unsigned)velo_http_port(n.http),
            opts->data_dir ? opts->data_dir : "none, jobs are not persisted",
            token ? "bearer token" : "none");
    fflush(log);
    velo_strbuf problems;
    velo_strbuf_init(&problems);
    if (velo_jobs_restore(n.jobs, &problems, &err)) {
        fprintf(log, "velo-sql serve: %s\n", err.message);
        velo_strbuf_free(&problems);
        goto out;
    }
    if (problems.len) {
        fprintf(log, "velo-sql serve: %s", problems.data);
        snprintf(n.restore_problems, sizeof n.restore_problems, "%.*s", (int)strcspn(problems.data, "\n"),
                 problems.data);
    }
    velo_strbuf_free(&problems);
    while (!atomic_load(opts->stop))
        usleep(50 * 1000);
    fprintf(log, "velo-sql serve: stopping\n");
    code = 0;
out:
    velo_http_stop(n.http);
    velo_jobs_free(n.jobs, 5000);
    mi_free(token);
    mi_free(cert);
    mi_free(key);
    return code;
}
