/* Job records on disk (net/job_store.h), as JSON through jansson. Only whole-file renames
 * publish a record; stray temporary files of an interrupted write are ignored at load. */
#include "net/job_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/job_spec.h"

void velo_job_record_init(velo_job_record *r) {
    memset(r, 0, sizeof *r);
    velo_kv_init(&r->properties);
}

void velo_job_record_free(velo_job_record *r) {
    mi_free(r->sql);
    mi_free(r->base_dir);
    mi_free(r->error);
    velo_kv_free(&r->properties);
    memset(r, 0, sizeof *r);
}

static void jobs_dir(const char *dir, char *out, size_t n) { snprintf(out, n, "%s/jobs", dir); }

velo_status velo_job_store_open(const char *dir, velo_error *err) {
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return velo_error_set(err, VELO_ERR_IO, "cannot create data dir '%s': %s", dir, strerror(errno));
    char jd[4096];
    jobs_dir(dir, jd, sizeof jd);
    if (mkdir(jd, 0755) != 0 && errno != EEXIST)
        return velo_error_set(err, VELO_ERR_IO, "cannot create '%s': %s", jd, strerror(errno));
    if (access(jd, W_OK) != 0)
        return velo_error_set(err, VELO_ERR_IO, "data dir '%s' is not writable: %s", jd, strerror(errno));
    return VELO_OK;
}

static json_t *record_to_json(const velo_job_record *r) {
    json_t *props = json_object();
    for (uint32_t i = 0; i < r->properties.count; i++)
        json_object_set_new(props, r->properties.items[i].key, json_string(r->properties.items[i].value));
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:I, s:I, s:i, s:I, s:I, s:I, s:s?}", "id", r->id,
                     "name", r->name, "sql", r->sql ? r->sql : "", "properties", props, "base_dir",
                     r->base_dir ? r->base_dir : ".", "state", r->state, "submitted_ms",
                     (json_int_t)r->submitted_ms, "started_ms", (json_int_t)r->started_ms, "ended_ms",
                     (json_int_t)r->ended_ms, "restarts", (int)r->restarts, "records_in",
                     (json_int_t)r->rows_in, "records_out", (json_int_t)r->rows_out, "records_rejected",
                     (json_int_t)r->rows_rejected, "error", r->error);
}

static velo_status sync_dir(const char *path, velo_error *err) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return velo_error_set(err, VELO_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    int rc = fsync(fd);
    close(fd);
    if (rc) return velo_error_set(err, VELO_ERR_IO, "cannot sync '%s': %s", path, strerror(errno));
    return VELO_OK;
}

velo_status velo_job_store_save(const char *dir, const velo_job_record *r, velo_error *err) {
    char jd[4096], tmp[4200], final[4200];
    jobs_dir(dir, jd, sizeof jd);
    snprintf(tmp, sizeof tmp, "%s/.%s.json.tmp", jd, r->id);
    snprintf(final, sizeof final, "%s/%s.json", jd, r->id);
    json_t *j = record_to_json(r);
    char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    if (!text) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory saving job %s", r->id);
    velo_status st = VELO_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        st = velo_error_set(err, VELO_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
        goto out;
    }
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            st = velo_error_set(err, VELO_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
            break;
        }
        off += (size_t)n;
    }
    if (!st && fsync(fd) != 0)
        st = velo_error_set(err, VELO_ERR_IO, "cannot sync '%s': %s", tmp, strerror(errno));
    close(fd);
    if (!st && rename(tmp, final) != 0)
        st = velo_error_set(err, VELO_ERR_IO, "cannot rename '%s' to '%s': %s", tmp, final, strerror(errno));
    if (!st) st = sync_dir(jd, err);
    if (st) unlink(tmp);
out:
    free(text);
    return st;
}

velo_status velo_job_store_remove(const char *dir, const char *id, velo_error *err) {
    char jd[4096], path[4200];
    jobs_dir(dir, jd, sizeof jd);
    snprintf(path, sizeof path, "%s/%s.json", jd, id);
    if (unlink(path) != 0 && errno != ENOENT)
        return velo_error_set(err, VELO_ERR_IO, "cannot remove '%s': %s", path, strerror(errno));
    return sync_dir(jd, err);
}

static char *dup_str(const char *s) { return s ? mi_strdup(s) : NULL; }

/* Fills r from j; false when a required field is missing or has the wrong type. */
static bool record_from_json(json_t *j, velo_job_record *r, json_error_t *jerr) {
    const char *id = NULL, *name = NULL, *sql = NULL, *base = NULL, *state = NULL;
    json_t *props = NULL, *error = NULL; /* error is null for a job that did not fail */
    json_int_t sub = 0, start = 0, end = 0, in = 0, out = 0, rej = 0;
    int restarts = 0;
    if (json_unpack_ex(j, jerr, 0, "{s:s, s:s, s:s, s?o, s:s, s:s, s?I, s?I, s?I, s?i, s?I, s?I, s?I, s?o}",
                       "id", &id, "name", &name, "sql", &sql, "properties", &props, "base_dir", &base,
                       "state", &state, "submitted_ms", &sub, "started_ms", &start, "ended_ms", &end,
                       "restarts", &restarts, "records_in", &in, "records_out", &out, "records_rejected",
                       &rej, "error", &error))
        return false;
    snprintf(jerr->text, sizeof jerr->text, "a bad id, name or state");
    if (strlen(id) != VELO_JOB_ID_LEN || !velo_job_name_valid(name) || strlen(state) >= sizeof r->state)
        return false;
    snprintf(r->id, sizeof r->id, "%s", id);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->state, sizeof r->state, "%s", state);
    r->sql = dup_str(sql);
    r->base_dir = dup_str(base);
    r->error = dup_str(json_string_value(error));
    r->submitted_ms = sub;
    r->started_ms = start;
    r->ended_ms = end;
    r->restarts = (uint32_t)(restarts < 0 ? 0 : restarts);
    r->rows_in = (uint64_t)in;
    r->rows_out = (uint64_t)out;
    r->rows_rejected = (uint64_t)rej;
    if (json_is_object(props)) {
        const char *k;
        json_t *v;
        json_object_foreach(props, k, v) {
            if (json_is_string(v)) velo_kv_set(&r->properties, k, json_string_value(v));
        }
    }
    return r->sql && r->base_dir;
}

static int by_submission(const void *a, const void *b) {
    const velo_job_record *x = a, *y = b;
    if (x->submitted_ms != y->submitted_ms) return x->submitted_ms < y->submitted_ms ? -1 : 1;
    return strcmp(x->id, y->id);
}

velo_status velo_job_store_load(const char *dir, velo_job_record **out, uint32_t *count,
                                velo_strbuf *problems, velo_error *err) {
    *out = NULL;
    *count = 0;
    char jd[4096];
    jobs_dir(dir, jd, sizeof jd);
    DIR *d = opendir(jd);
    if (!d) return velo_error_set(err, VELO_ERR_IO, "cannot read '%s': %s", jd, strerror(errno));
    velo_job_record *recs = NULL;
    uint32_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json")) continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", jd, e->d_name);
        json_error_t jerr;
        json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            velo_job_record *nr = mi_reallocn(recs, cap, sizeof *recs);
            if (!nr) {
                json_decref(j);
                break;
            }
            recs = nr;
        }
        velo_job_record_init(&recs[n]);
        if (!j) {
            velo_strbuf_printf(problems, "%s: not valid JSON (line %d: %s)\n", path, jerr.line, jerr.text);
        } else if (!record_from_json(j, &recs[n], &jerr)) {
            velo_strbuf_printf(problems, "%s: not a job record (%s)\n", path, jerr.text);
            velo_job_record_free(&recs[n]);
        } else {
            n++;
        }
        json_decref(j);
    }
    closedir(d);
    if (n) qsort(recs, n, sizeof *recs, by_submission);
    *out = recs;
    *count = n;
    return VELO_OK;
}
