/* Tables read as changelogs (connectors/table.h): dispatch by scheme, and watched file tables: the
 * file is read whole, then stat()ed every 'watch.interval' (a metadata poll: no inotify, works on
 * any file system); when its inode, size or mtime changed it is read again, each row an upsert,
 * then the primary keys the new version lacks go out as deletions. */
#include "connectors/table.h"

#include <mimalloc.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "core/keymap.h"
#include "core/keys.h"
#include "state/window.h"

bool velo_table_changelog_scheme(const char *scheme) {
    return scheme && (!strcmp(scheme, "kafka") || !strcmp(scheme, "file"));
}

static int64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One version of the file's keys: encoded primary key -> index of its value in vals. */
typedef struct key_set {
    velo_keymap map;
    velo_value *vals;
    uint64_t n, cap;
    velo_arena arena; /* strings of vals */
} key_set;

static void keys_init(key_set *k) {
    memset(k, 0, sizeof *k);
    velo_keymap_init(&k->map);
    velo_arena_init(&k->arena, 64 * 1024);
}

static void keys_free(key_set *k) {
    velo_keymap_free(&k->map);
    mi_free(k->vals);
    velo_arena_free(&k->arena);
}

typedef struct file_table {
    velo_source base;
    velo_schema *schema; /* declared + the deletion flag */
    uint32_t ncols;      /* declared columns */
    int32_t pk;
    velo_connector_args args; /* for reopening: options without 'watch' */
    velo_uri uri;
    velo_kv options;
    char base_dir[4096];
    char path[4096];
    char name[256];
    const velo_source_ops *fops;
    velo_source *inner; /* the version being read, or NULL */
    struct stat seen;   /* the version read last */
    bool have_seen;
    int64_t interval_us, next_check_us;
    key_set cur, next;
    uint64_t del_cursor; /* slot of cur.map being checked for deletions, when deleting */
    bool deleting, bootstrapped, eof_reported;
    velo_strbuf kb;
} file_table;

static void ft_close(velo_source *src) {
    file_table *f = (file_table *)src;
    if (f->inner) f->inner->ops->close(f->inner);
    velo_schema_free(f->schema);
    velo_uri_free(&f->uri);
    velo_kv_free(&f->options);
    keys_free(&f->cur);
    keys_free(&f->next);
    velo_strbuf_free(&f->kb);
    mi_free(f);
}

static const velo_schema *ft_schema(velo_source *src) { return ((file_table *)src)->schema; }
static bool ft_bounded(velo_source *src) {
    (void)src;
    return false;
}

static bool changed(const struct stat *a, const struct stat *b) {
    return a->st_ino != b->st_ino || a->st_dev != b->st_dev || a->st_size != b->st_size ||
           a->st_mtim.tv_sec != b->st_mtim.tv_sec || a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

/* Remembers the primary key of row i of b in f->next (NULL keys are the join's to reject). */
static velo_status remember_key(file_table *f, const velo_batch *b, uint32_t i, velo_error *err) {
    const velo_vector *v = &b->cols[f->pk];
    if (!velo_vector_is_valid(v, i)) return VELO_OK;
    velo_strbuf_clear(&f->kb);
    velo_status st = velo_key_encode(&f->kb, v, i, "a table's PRIMARY KEY", err);
    if (st) return st;
    key_set *k = &f->next;
    bool found;
    velo_keymap_slot *s = velo_keymap_upsert(&k->map, f->kb.data, (uint32_t)f->kb.len,
                                             velo_keymap_hash(f->kb.data, (uint32_t)f->kb.len), &found);
    if (!s) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory reading table '%s'", f->name);
    if (found) return VELO_OK;
    if (k->n == k->cap) {
        uint64_t cap = k->cap ? k->cap * 2 : 1024;
        velo_value *nv = mi_realloc(k->vals, sizeof *nv * cap);
        if (!nv) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory reading table '%s'", f->name);
        k->vals = nv;
        k->cap = cap;
    }
    velo_value val;
    velo_vector_get_value(v, i, &val);
    if (val.type.id == VELO_TYPE_VARCHAR || val.type.id == VELO_TYPE_BYTES) {
        char *copy = velo_arena_strndup(&k->arena, val.u.str.ptr ? val.u.str.ptr : "", val.u.str.len);
        if (!copy) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory reading table '%s'", f->name);
        val.u.str.ptr = copy;
    }
    s->val = k->n;
    k->vals[k->n++] = val;
    return VELO_OK;
}

static velo_status open_version(file_table *f, velo_error *err) {
    velo_status st = f->fops->open(&f->args, &f->inner, err);
    if (st) f->inner = NULL;
    return st;
}

/* Deletion rows for the keys of cur that next lacks, from del_cursor on; false when done. */
static velo_status emit_deletions(file_table *f, velo_batch *out, bool *done, velo_error *err) {
    *done = false;
    key_set *cur = &f->cur;
    while (f->del_cursor < cur->map.nslots) {
        if (out->count == out->capacity) return VELO_OK;
        const velo_keymap_slot *s = &cur->map.slots[f->del_cursor++];
        if (!s->len) continue;
        const char *k = cur->map.keys.data + s->off;
        if (velo_keymap_find(&f->next.map, k, s->len, s->hash)) continue;
        uint32_t row = out->count++;
        for (uint32_t c = 0; c < out->ncols; c++)
            velo_vector_set_null(&out->cols[c], row);
        velo_vector_set_value(&out->cols[f->pk], row, &cur->vals[s->val], &out->arena);
        VELO_VEC(&out->cols[f->ncols], uint8_t)[row] = 1;
        velo_vector_set_valid(&out->cols[f->ncols], row);
        out->origin[row] = -1;
    }
    (void)err;
    *done = true;
    return VELO_OK;
}

static velo_status ft_poll(velo_source *src, velo_batch *out, bool *eof, velo_error *err) {
    file_table *f = (file_table *)src;
    *eof = false;
    velo_status st;
    if (!f->inner && !f->deleting) {
        if (!f->bootstrapped)
            return velo_error_set(err, VELO_ERR_INTERNAL, "table '%s': not loaded", f->name);
        int64_t now = mono_us();
        if (now < f->next_check_us) return VELO_OK;
        f->next_check_us = now + f->interval_us;
        struct stat sb;
        if (stat(f->path, &sb) != 0) return VELO_OK; /* being replaced: keep the last version */
        if (f->have_seen && !changed(&sb, &f->seen)) return VELO_OK;
        f->seen = sb;
        f->have_seen = true;
        if (open_version(f, err)) { /* replaced again meanwhile, unreadable: keep the last version */
            fprintf(stderr,
                    "velo-sql: table '%s': cannot read the changed file (%s); keeping the last version\n",
                    f->name, err->message);
            memset(err, 0, sizeof *err);
            f->have_seen = false;
            return VELO_OK;
        }
    }
    if (f->inner) {
        /* the file source fills the table's columns; the deletion flag stays FALSE */
        velo_batch view = *out;
        view.ncols = f->ncols;
        bool inner_eof = false;
        st = f->inner->ops->poll(f->inner, &view, &inner_eof, err);
        out->count = view.count;
        out->arena = view.arena;
        out->has_sel = view.has_sel;
        out->sel_count = view.sel_count;
        if (st) return st;
        for (uint32_t k = 0; k < velo_batch_live(out); k++) {
            uint32_t i = velo_batch_row(out, k);
            VELO_VEC(&out->cols[f->ncols], uint8_t)[i] = 0;
            velo_vector_set_valid(&out->cols[f->ncols], i);
            if ((st = remember_key(f, out, i, err))) return st;
        }
        if (!inner_eof) return VELO_OK;
        f->inner->ops->close(f->inner);
        f->inner = NULL;
        f->deleting = true;
        f->del_cursor = 0;
        if (out->count == out->capacity || out->has_sel) return VELO_OK; /* deletions next time */
    }
    bool done;
    if ((st = emit_deletions(f, out, &done, err)) || !done) return st;
    /* the new version is the current one */
    f->deleting = false;
    keys_free(&f->cur);
    f->cur = f->next;
    keys_init(&f->next);
    if (!f->bootstrapped) {
        f->bootstrapped = true;
        *eof = true;
    }
    return VELO_OK;
}

static const velo_source_ops file_table_ops = {
    .scheme = "file", .schema = ft_schema, .poll = ft_poll, .is_bounded = ft_bounded, .close = ft_close};

static velo_status file_table_open(const velo_connector_args *args, const char *primary_key,
                                   velo_source **out, velo_error *err) {
    const char *name = args->name ? args->name : args->uri->text;
    if (strpbrk(args->uri->path, "*?["))
        return velo_error_set(err, VELO_ERR_INVALID,
                              "table '%s': 'watch'='true' follows one file, not a glob ('%s')", name,
                              args->uri->path);
    file_table *f = mi_zalloc(sizeof *f);
    if (!f) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    f->base.ops = &file_table_ops;
    velo_kv_init(&f->options);
    keys_init(&f->cur);
    keys_init(&f->next);
    velo_strbuf_init(&f->kb);
    snprintf(f->name, sizeof f->name, "%s", name);
    velo_status st = velo_uri_parse(args->uri->text, &f->uri, err);
    if (st) {
        mi_free(f);
        return st;
    }
    for (uint32_t i = 0; i < args->options->count; i++)
        if (strcasecmp(args->options->items[i].key, "watch") &&
            strcasecmp(args->options->items[i].key, "watch.interval"))
            velo_kv_set(&f->options, args->options->items[i].key, args->options->items[i].value);
    const char *iv = velo_kv_get(args->options, "watch.interval");
    f->interval_us = 1000000;
    if (iv && (st = velo_duration_parse(iv, &f->interval_us, err))) {
        velo_error_prefix(err, "table '%s': option 'watch.interval': ", name);
        goto fail;
    }
    if (f->interval_us <= 0) {
        st = velo_error_set(err, VELO_ERR_INVALID, "table '%s': 'watch.interval' must be greater than zero",
                            name);
        goto fail;
    }
    snprintf(f->base_dir, sizeof f->base_dir, "%s", args->base_dir ? args->base_dir : ".");
    if (!velo_path_resolve(f->base_dir, f->uri.path, f->path, sizeof f->path)) {
        st = velo_error_set(err, VELO_ERR_IO, "path too long: '%s'", f->uri.path);
        goto fail;
    }
    f->args = *args;
    f->args.uri = &f->uri;
    f->args.options = &f->options;
    f->args.base_dir = f->base_dir;
    f->args.used_columns = NULL;
    f->args.slice = 0;
    f->args.nslices = 1;
    f->args.status = NULL;
    f->args.name = f->name;
    f->ncols = args->declared->ncols;
    f->pk = velo_schema_find(args->declared, primary_key);
    f->schema = velo_schema_new(f->ncols + 1);
    if (!f->schema) {
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (uint32_t c = 0; c < f->ncols; c++)
        velo_schema_set(f->schema, c, args->declared->fields[c].name, args->declared->fields[c].type);
    velo_schema_set(f->schema, f->ncols, "_deleted", velo_type_make(VELO_TYPE_BOOLEAN));
    f->fops = velo_source_lookup("file");
    /* the first version: its stat first, so a change while it is read is seen at the next check */
    if (stat(f->path, &f->seen) == 0) f->have_seen = true;
    f->next_check_us = mono_us() + f->interval_us;
    if ((st = open_version(f, err))) goto fail;
    *out = &f->base;
    return VELO_OK;
fail:
    ft_close(&f->base);
    return st;
}

velo_status velo_table_source_open(const velo_connector_args *args, const char *primary_key,
                                   velo_source **out, velo_error *err) {
    const char *name = args->name ? args->name : args->uri->text;
    if (!args->declared || !primary_key || velo_schema_find(args->declared, primary_key) < 0)
        return velo_error_set(err, VELO_ERR_INVALID,
                              "table '%s': a table read as a changelog needs declared columns and a PRIMARY "
                              "KEY: CREATE TABLE t (k TYPE PRIMARY KEY, ...) WITH (...)",
                              name);
    int32_t pk = velo_schema_find(args->declared, primary_key);
    velo_type_id t = args->declared->fields[pk].type.id;
    if (t == VELO_TYPE_LIST || t == VELO_TYPE_MAP || t == VELO_TYPE_STRUCT || t == VELO_TYPE_ANY)
        return velo_error_set(err, VELO_ERR_INVALID,
                              "table '%s': PRIMARY KEY '%s' must have a scalar type to read the table as a "
                              "changelog",
                              name, primary_key);
    if (!strcmp(args->uri->scheme, "kafka")) return velo_kafka_table_open(args, primary_key, out, err);
    if (!strcmp(args->uri->scheme, "file")) return file_table_open(args, primary_key, out, err);
    return velo_error_set(err, VELO_ERR_UNSUPPORTED,
                          "table '%s': %s:// tables read as changelogs are not "
                          "supported yet",
                          name, args->uri->scheme);
}
