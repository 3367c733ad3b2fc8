/* velo-cli remote commands (cli/velo_cli_remote.h). Each command makes one or a few requests,
 * then prints either the node's JSON unchanged (--format json) or a table. Messages from the node
 * (application/problem+json) are shown as `velo-cli: <title>: <detail>`. */
#include "cli/velo_cli_remote.h"

#include <errno.h>
#include <jansson.h>
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/strbuf.h"

/* ---- options ---- */

bool velo_cli_opt_is(const char *a, const char *opt) {
    size_t n = strlen(opt);
    return !strncmp(a, opt, n) && (a[n] == '\0' || a[n] == '=');
}

const char *velo_cli_opt_value(int argc, char **argv, int *i, const char *opt) {
    const char *a = argv[*i];
    size_t n = strlen(opt);
    if (a[n] == '=') return a + n + 1;
    if (*i + 1 < argc) return argv[++*i];
    fprintf(stderr, "velo-cli: %s needs a value\n", opt);
    return NULL;
}

int velo_cli_remote_option(int argc, char **argv, int *i, velo_cli_remote *r) {
    const char *a = argv[*i], *v;
    if (!strcmp(a, "--remote")) {
        r->remote = true;
    } else if (!strcmp(a, "--tls")) {
        r->http.tls = true;
    } else if (!strcmp(a, "--insecure")) {
        r->http.insecure = true;
    } else if (velo_cli_opt_is(a, "--sql-host")) {
        if (!(v = velo_cli_opt_value(argc, argv, i, "--sql-host"))) return -1;
        r->http.host = v;
    } else if (velo_cli_opt_is(a, "--sql-port")) {
        if (!(v = velo_cli_opt_value(argc, argv, i, "--sql-port"))) return -1;
        char *end;
        long p = strtol(v, &end, 10);
        if (*end || p < 1 || p > 65535) {
            fprintf(stderr, "velo-cli: --sql-port must be 1..65535, found '%s'\n", v);
            return -1;
        }
        r->http.port = (int)p;
    } else if (velo_cli_opt_is(a, "--token")) {
        if (!(v = velo_cli_opt_value(argc, argv, i, "--token"))) return -1;
        r->http.token = v;
    } else if (velo_cli_opt_is(a, "--cacert")) {
        if (!(v = velo_cli_opt_value(argc, argv, i, "--cacert"))) return -1;
        r->http.cacert = v;
        r->http.tls = true;
    } else {
        return 0;
    }
    return 1;
}

/* Parses `--format text|json` and the options named in `flags`/`valued` of a command; positional
 * arguments go to pos (up to maxpos). Returns false on a usage error (reported). */
typedef struct cmd_opts {
    bool json;
    const char *pos[4];
    int npos;
    double refresh; /* status --refresh */
    long count;     /* status --count */
    bool force;     /* stop --force */
    double wait;    /* stop --wait */
    const char *name;
    velo_kv binds;
} cmd_opts;

static bool parse_cmd(const char *cmd, int argc, char **argv, int maxpos, cmd_opts *o) {
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v;
        if (velo_cli_opt_is(a, "--format")) {
            if (!(v = velo_cli_opt_value(argc, argv, &i, "--format"))) return false;
            if (strcmp(v, "text") && strcmp(v, "json")) {
                fprintf(stderr, "velo-cli: --format must be text or json, found '%s'\n", v);
                return false;
            }
            o->json = !strcmp(v, "json");
        } else if (!strcmp(cmd, "status") &&
                   (velo_cli_opt_is(a, "--refresh") || velo_cli_opt_is(a, "--count"))) {
            bool refresh = velo_cli_opt_is(a, "--refresh");
            if (!(v = velo_cli_opt_value(argc, argv, &i, refresh ? "--refresh" : "--count"))) return false;
            char *end;
            double d = strtod(v, &end);
            if (*end || d <= 0 || (refresh && d < 0.1)) {
                fprintf(stderr, "velo-cli: %s needs a positive number%s, found '%s'\n",
                        refresh ? "--refresh" : "--count", refresh ? " of seconds (at least 0.1)" : "", v);
                return false;
            }
            if (refresh)
                o->refresh = d;
            else
                o->count = (long)d;
        } else if (!strcmp(cmd, "stop") && !strcmp(a, "--force")) {
            o->force = true;
        } else if (!strcmp(cmd, "stop") && velo_cli_opt_is(a, "--wait")) {
            if (!(v = velo_cli_opt_value(argc, argv, &i, "--wait"))) return false;
            char *end;
            o->wait = strtod(v, &end);
            if (*end || o->wait < 0) {
                fprintf(stderr, "velo-cli: --wait needs seconds (0 = do not wait), found '%s'\n", v);
                return false;
            }
        } else if (!strcmp(cmd, "submit") && velo_cli_opt_is(a, "--name")) {
            if (!(o->name = velo_cli_opt_value(argc, argv, &i, "--name"))) return false;
        } else if (!strcmp(cmd, "submit") && velo_cli_opt_is(a, "--bind")) {
            if (!(v = velo_cli_opt_value(argc, argv, &i, "--bind"))) return false;
            const char *eq = strchr(v, '=');
            if (!eq || eq == v) {
                fprintf(stderr,
                        "velo-cli: --bind needs NAME=URI, e.g. --bind trades=file:///data/trades.csv\n");
                return false;
            }
            char key[300];
            snprintf(key, sizeof key, "bind.%.*s", (int)(eq - v), v);
            velo_kv_set(&o->binds, key, eq + 1);
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "velo-cli: unknown option '%s' for %s\n", a, cmd);
            return false;
        } else if (o->npos < maxpos) {
            o->pos[o->npos++] = a;
        } else {
            fprintf(stderr, "velo-cli: %s takes %d argument%s, found '%s' too\n", cmd, maxpos,
                    maxpos == 1 ? "" : "s", a);
            return false;
        }
    }
    return true;
}

/* ---- requests ---- */

/* One request; prints why on failure. Returns REMOTE_OK with the reply, or REMOTE_UNREACHABLE. */
static int call(velo_cli_remote *r, const char *method, const char *path, const char *body, const char *ctype,
                velo_http_reply *rep) {
    velo_error err;
    velo_error_clear(&err);
    if (velo_http_call(&r->http, method, path, body, body ? strlen(body) : 0, ctype, rep, &err)) {
        fprintf(stderr, "velo-cli: %s\n", err.message);
        velo_strbuf_free(&rep->body);
        return REMOTE_UNREACHABLE;
    }
    return REMOTE_OK;
}

/* Prints a non-2xx reply as the node's problem title and detail. */
static void print_problem(const velo_http_reply *rep) {
    json_t *j = json_loads(rep->body.data, 0, NULL);
    const char *title = j ? json_string_value(json_object_get(j, "title")) : NULL;
    const char *detail = j ? json_string_value(json_object_get(j, "detail")) : NULL;
    if (title)
        fprintf(stderr, "velo-cli: the node answered %ld %s: %s\n", rep->status, title, detail ? detail : "");
    else
        fprintf(stderr, "velo-cli: the node answered %ld: %.300s\n", rep->status, rep->body.data);
    if (rep->status == 401) fprintf(stderr, "velo-cli: pass the node's token with --token TOKEN\n");
    json_decref(j);
}

static const char *str(json_t *o, const char *k) {
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

static char *num(json_t *o, const char *k, char *buf, size_t n) {
    json_t *v = json_object_get(o, k);
    if (json_is_integer(v))
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    else
        snprintf(buf, n, "-");
    return buf;
}

/* ---- tables ---- */

#define TABLE_COLS 8

typedef struct table {
    int ncols, nrows;
    char **cells; /* nrows * ncols */
    int width[TABLE_COLS];
} table;

static void table_row(table *t, const char *const *vals) {
    t->cells = mi_reallocn(t->cells, (size_t)(t->nrows + 1) * t->ncols, sizeof *t->cells);
    for (int c = 0; c < t->ncols; c++) {
        const char *v = vals[c] ? vals[c] : "-";
        t->cells[t->nrows * t->ncols + c] = mi_strdup(v);
        int w = (int)strlen(v);
        if (w > t->width[c]) t->width[c] = w;
    }
    t->nrows++;
}

static void table_print(table *t, FILE *out) {
    for (int r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *v = t->cells[r * t->ncols + c];
            if (c == t->ncols - 1)
                fprintf(out, "%s", v);
            else
                fprintf(out, "%-*s  ", t->width[c], v);
        }
        fputc('\n', out);
    }
}

static void table_free(table *t) {
    for (int i = 0; i < t->nrows * t->ncols; i++)
        mi_free(t->cells[i]);
    mi_free(t->cells);
    memset(t, 0, sizeof *t);
}

/* "2026-11-27T14:05:00.123Z" -> "2026-11-27 14:05:00" */
static void short_time(const char *iso, char *out, size_t n) {
    if (!iso || strlen(iso) < 19) {
        snprintf(out, n, "-");
        return;
    }
    snprintf(out, n, "%.10s %.8s", iso, iso + 11);
}

static void print_jobs_table(json_t *jobs, FILE *out) {
    table t = {.ncols = 7};
    const char *head[] = {"ID", "NAME", "STATE", "IN", "OUT", "ERRORS", "STARTED"};
    table_row(&t, head);
    size_t i;
    json_t *j;
    json_array_foreach(jobs, i, j) {
        char in[32], o[32], e[32], started[32];
        short_time(json_string_value(json_object_get(j, "started_at")), started, sizeof started);
        const char *row[] = {str(j, "id"),
                             str(j, "name"),
                             str(j, "state"),
                             num(j, "records_in", in, sizeof in),
                             num(j, "records_out", o, sizeof o),
                             num(j, "errors", e, sizeof e),
                             started};
        table_row(&t, row);
    }
    if (json_array_size(jobs) == 0) {
        fputs("no jobs\n", out);
        table_free(&t);
        return;
    }
    table_print(&t, out);
    table_free(&t);
    for (i = 0; i < json_array_size(jobs); i++) {
        const char *err = json_string_value(json_object_get(json_array_get(jobs, i), "error"));
        if (err) fprintf(out, "%s: %s\n", str(json_array_get(jobs, i), "id"), err);
    }
}

/* GET path and parse its JSON body; prints problems. *status receives the HTTP status. */
static int get_json(velo_cli_remote *r, const char *path, json_t **out, long *status, velo_strbuf *raw) {
    velo_http_reply rep;
    int rc = call(r, "GET", path, NULL, NULL, &rep);
    if (rc) return rc;
    *status = rep.status;
    *out = json_loads(rep.body.data, 0, NULL);
    if (raw) velo_strbuf_append(raw, rep.body.data, rep.body.len);
    if (!*out && rep.status != 503) {
        print_problem(&rep);
        velo_strbuf_free(&rep.body);
        return REMOTE_REFUSED;
    }
    if (rep.status >= 400 && rep.status != 503) {
        print_problem(&rep);
        json_decref(*out);
        *out = NULL;
        velo_strbuf_free(&rep.body);
        return REMOTE_REFUSED;
    }
    velo_strbuf_free(&rep.body);
    return REMOTE_OK;
}

/* ---- health ---- */

static void print_health(json_t *h, FILE *out) {
    table t = {.ncols = 3};
    const char *head[] = {"COMPONENT", "STATUS", "REASON"};
    table_row(&t, head);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(h, "components"), i, c) {
        const char *row[] = {str(c, "name"), str(c, "status"), str(c, "reason")};
        table_row(&t, row);
    }
    json_array_foreach(json_object_get(h, "jobs"), i, c) {
        char name[128];
        snprintf(name, sizeof name, "job %s (%s)", str(c, "name"), str(c, "id"));
        const char *row[] = {name, str(c, "status"), str(c, "reason")};
        table_row(&t, row);
    }
    table_print(&t, out);
    table_free(&t);
}

int velo_cli_health(velo_cli_remote *r, int argc, char **argv) {
    cmd_opts o = {0};
    velo_kv_init(&o.binds);
    if (!parse_cmd("health", argc, argv, 0, &o)) return REMOTE_USAGE;
    json_t *h = NULL;
    long status = 0;
    velo_strbuf raw;
    velo_strbuf_init(&raw);
    int rc = get_json(r, "/health/ready", &h, &status, &raw);
    if (rc == REMOTE_OK) {
        if (o.json) {
            fwrite(raw.data, 1, raw.len, stdout);
        } else {
            printf("node %s:%d: %s%s\n", r->http.host ? r->http.host : "127.0.0.1",
                   r->http.port ? r->http.port : 8080, h ? str(h, "status") : "unknown",
                   status == 200 ? " (ready)" : " (not ready)");
            if (h) print_health(h, stdout);
        }
        rc = status == 200 ? REMOTE_OK : REMOTE_REFUSED;
    }
    json_decref(h);
    velo_strbuf_free(&raw);
    return rc == REMOTE_OK ? 0 : 1; /* health: 0 healthy, 1 anything else */
}

/* ---- jobs and status ---- */

int velo_cli_jobs(velo_cli_remote *r, int argc, char **argv) {
    cmd_opts o = {0};
    velo_kv_init(&o.binds);
    if (!parse_cmd("jobs", argc, argv, 0, &o)) return REMOTE_USAGE;
    json_t *j = NULL;
    long status = 0;
    velo_strbuf raw;
    velo_strbuf_init(&raw);
    int rc = get_json(r, "/v1/jobs", &j, &status, &raw);
    if (rc == REMOTE_OK) {
        if (o.json)
            fwrite(raw.data, 1, raw.len, stdout);
        else
            print_jobs_table(json_object_get(j, "jobs"), stdout);
    }
    json_decref(j);
    velo_strbuf_free(&raw);
    return rc;
}

static int status_once(velo_cli_remote *r, bool json, bool clear) {
    json_t *info = NULL, *ready = NULL, *jobs = NULL;
    long s1, s2, s3;
    int rc = get_json(r, "/v1/info", &info, &s1, NULL);
    if (!rc) rc = get_json(r, "/health/ready", &ready, &s2, NULL);
    if (!rc) rc = get_json(r, "/v1/jobs", &jobs, &s3, NULL);
    if (!rc) {
        if (json) {
            json_t *all = json_pack("{s:O, s:O, s:O}", "info", info, "health", ready, "jobs",
                                    json_object_get(jobs, "jobs"));
            char *text = json_dumps(all, JSON_COMPACT);
            printf("%s\n", text ? text : "{}");
            free(text);
            json_decref(all);
        } else {
            if (clear) fputs("\033[H\033[2J", stdout);
            json_t *up = json_object_get(info, "uptime_seconds");
            printf("node %s:%d  version %s  cores %lld  uptime %.0fs  %s\n",
                   r->http.host ? r->http.host : "127.0.0.1", r->http.port ? r->http.port : 8080,
                   str(info, "version"), (long long)json_integer_value(json_object_get(info, "cores")),
                   json_number_value(up), str(ready, "status"));
            print_jobs_table(json_object_get(jobs, "jobs"), stdout);
        }
        fflush(stdout);
    }
    json_decref(info);
    json_decref(ready);
    json_decref(jobs);
    return rc;
}

int velo_cli_status(velo_cli_remote *r, int argc, char **argv) {
    cmd_opts o = {0};
    velo_kv_init(&o.binds);
    if (!parse_cmd("status", argc, argv, 0, &o)) return REMOTE_USAGE;
    if (o.refresh <= 0) return status_once(r, o.json, false);
    /* redraw until interrupted (Ctrl-C) or --count redraws */
    for (long n = 0; o.count == 0 || n < o.count; n++) {
        if (n) usleep((useconds_t)(o.refresh * 1e6));
        int rc = status_once(r, o.json, !o.json && isatty(STDOUT_FILENO));
        if (rc) return rc;
    }
    return REMOTE_OK;
}

/* ---- submit ---- */

static char *job_body(const char *name, const char *sql, size_t len, const velo_kv *props) {
    json_t *p = json_object();
    for (uint32_t i = 0; i < props->count; i++)
        json_object_set_new(p, props->items[i].key, json_string(props->items[i].value));
    json_t *j = json_pack("{s:s%, s:o}", "sql", sql, len, "properties", p);
    if (name) json_object_set_new(j, "name", json_string(name));
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return text;
}

/* Findings of a problem document or a validate answer into diags. */
static void findings_to_diags(json_t *arr, velo_diags *d) {
    size_t i;
    json_t *f;
    json_array_foreach(arr, i, f) {
        json_t *line = json_object_get(f, "line"), *col = json_object_get(f, "col");
        velo_diags_add(d, !strcmp(str(f, "severity"), "warning") ? VELO_SEV_WARNING : VELO_SEV_ERROR,
                       str(f, "code"), (uint32_t)json_integer_value(line), (uint32_t)json_integer_value(col),
                       "%s", str(f, "message"));
    }
}

int velo_cli_submit(velo_cli_remote *r, int argc, char **argv) {
    cmd_opts o = {0};
    velo_kv_init(&o.binds);
    int rc = REMOTE_USAGE;
    char *sql = NULL, *body = NULL;
    if (!parse_cmd("submit", argc, argv, 1, &o)) goto out;
    if (o.npos != 1) {
        fprintf(stderr, "velo-cli: submit needs a SQL file: velo-cli submit FILE.sql\n");
        goto out;
    }
    const char *file = o.pos[0];
    size_t len = 0;
    if (!(sql = velo_cli_read_file(file, &len))) {
        fprintf(stderr, "velo-cli: cannot read '%s': %s\n", file, strerror(errno ? errno : EIO));
        goto out;
    }
    body = job_body(o.name, sql, len, &o.binds);
    velo_http_reply rep;
    if ((rc = call(r, "POST", "/v1/jobs", body, "application/json", &rep))) goto out;
    json_t *j = json_loads(rep.body.data, 0, NULL);
    if (rep.status == 201) {
        if (o.json)
            fwrite(rep.body.data, 1, rep.body.len, stdout);
        else
            printf("submitted job %s (%s): %s\n", str(j, "id"), str(j, "name"), str(j, "state"));
        rc = REMOTE_OK;
    } else if (rep.status == 400 && j && json_object_get(j, "errors")) {
        if (o.json) {
            fwrite(rep.body.data, 1, rep.body.len, stdout);
        } else {
            velo_diags d;
            velo_diags_init(&d);
            findings_to_diags(json_object_get(j, "errors"), &d);
            findings_to_diags(json_object_get(j, "warnings"), &d);
            velo_strbuf sb;
            velo_strbuf_init(&sb);
            velo_diags_render(&d, file, sql, (uint32_t)len, &sb);
            fputs(sb.data ? sb.data : "", stderr);
            fprintf(stderr, "velo-cli: the node rejected %s: %u error%s\n", file, d.nerrors,
                    d.nerrors == 1 ? "" : "s");
            velo_strbuf_free(&sb);
            velo_diags_free(&d);
        }
        rc = REMOTE_REFUSED;
    } else {
        print_problem(&rep);
        rc = REMOTE_REFUSED;
    }
    json_decref(j);
    velo_strbuf_free(&rep.body);
out:
    free(body);
    mi_free(sql);
    velo_kv_free(&o.binds);
    return rc;
}

/* ---- stop ---- */

int velo_cli_stop(velo_cli_remote *r, int argc, char **argv) {
    cmd_opts o = {.wait = 30};
    velo_kv_init(&o.binds);
    if (!parse_cmd("stop", argc, argv, 1, &o)) return REMOTE_USAGE;
    if (o.npos != 1) {
        fprintf(stderr, "velo-cli: stop needs a job id: velo-cli stop ID (velo-cli jobs lists them)\n");
        return REMOTE_USAGE;
    }
    char path[512];
    snprintf(path, sizeof path, "/v1/jobs/%s%s", o.pos[0], o.force ? "?force=true" : "");
    velo_http_reply rep;
    int rc = call(r, "DELETE", path, NULL, NULL, &rep);
    if (rc) return rc;
    if (rep.status != 200 && rep.status != 202) {
        print_problem(&rep);
        velo_strbuf_free(&rep.body);
        return REMOTE_REFUSED;
    }
    json_t *j = json_loads(rep.body.data, 0, NULL);
    velo_strbuf_free(&rep.body);
    char id[64];
    snprintf(id, sizeof id, "%s", str(j, "id"));
    /* a graceful stop drains and flushes: wait (bounded) until the job has ended */
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (j && !strcmp(str(j, "state"), "stopping")) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 >= o.wait) break;
        usleep(100 * 1000);
        snprintf(path, sizeof path, "/v1/jobs/%s", id);
        json_decref(j);
        j = NULL;
        long status;
        if ((rc = get_json(r, path, &j, &status, NULL))) return rc;
    }
    if (o.json) {
        char *text = json_dumps(j, JSON_COMPACT);
        printf("%s\n", text ? text : "{}");
        free(text);
    } else {
        char in[32], out[32];
        printf("job %s (%s): %s, %s records in, %s out\n", id, str(j, "name"), str(j, "state"),
               num(j, "records_in", in, sizeof in), num(j, "records_out", out, sizeof out));
        if (!strcmp(str(j, "state"), "stopping"))
            printf("velo-cli: the job is still draining; `velo-cli jobs` shows when it has stopped\n");
    }
    json_decref(j);
    return REMOTE_OK;
}

/* ---- validate --remote ---- */

int velo_cli_validate_remote(velo_cli_remote *r, const char *file, const char *text, size_t len,
                             const velo_kv *binds, velo_diags *diags) {
    velo_kv props;
    velo_kv_init(&props);
    for (uint32_t i = 0; i < binds->count; i++) {
        char key[300];
        snprintf(key, sizeof key, "bind.%s", binds->items[i].key);
        velo_kv_set(&props, key, binds->items[i].value);
    }
    char *body = job_body(NULL, text, len, &props);
    velo_kv_free(&props);
    velo_http_reply rep;
    int rc = call(r, "POST", "/v1/validate", body, "application/json", &rep);
    free(body);
    if (rc) return rc;
    json_t *j = rep.status == 200 ? json_loads(rep.body.data, 0, NULL) : NULL;
    if (!j) {
        fprintf(stderr, "velo-cli: %s: ", file);
        print_problem(&rep);
        rc = REMOTE_REFUSED;
    } else {
        findings_to_diags(json_object_get(j, "findings"), diags);
    }
    json_decref(j);
    velo_strbuf_free(&rep.body);
    return rc;
}
