/* Checkpoint snapshots (state/snapshot.h) and the GROUP BY state saved in them (core/group_op.h):
 * files round-trip, a truncated or corrupted file or manifest is rejected with a clear message, the
 * state directory is created, the last two checkpoints are kept, and an operator restored from a
 * checkpoint (on one core or split over two) ends with the results of an uninterrupted run. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/exchange.h"
#include "core/group_op.h"
#include "state/snapshot.h"

static char *temp_dir(void) {
    char tmpl[] = "/tmp/velo-snap-XXXXXX";
    char *d = mkdtemp(tmpl);
    cr_assert_not_null(d);
    return strdup(d);
}

static void rm_rf(const char *dir) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static uint32_t count_files(const char *dir, const char *suffix) {
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    uint32_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name), s = strlen(suffix);
        if (l > s && !strcmp(e->d_name + l - s, suffix)) n++;
    }
    closedir(d);
    return n;
}

/* Writes checkpoint `id` in dir: one section "group0" of 3 rows, offsets of two partitions. */
static void write_checkpoint(const char *dir, uint64_t id) {
    velo_error err = {0};
    velo_snap_writer *w;
    cr_assert_eq(velo_snap_writer_open(dir, id, "core0", &w, &err), VELO_OK, "%s", err.message);
    velo_snap_section s = {.watermark = 1234, .max_event = 5678, .nrows = 3};
    strcpy(s.name, "group0");
    strcpy(s.sig, "keys(BIGINT) aggs(COUNT)");
    cr_assert_eq(velo_snap_writer_section(w, &s, &err), VELO_OK, "%s", err.message);
    for (int i = 0; i < 3; i++) {
        char key[8], states[16];
        memset(key, 'a' + i, sizeof key);
        memset(states, i, sizeof states);
        velo_snap_row r = {key, (uint32_t)(i + 1), i * 10, i * 10 + 5, states, 16};
        cr_assert_eq(velo_snap_writer_row(w, &r, &err), VELO_OK, "%s", err.message);
    }
    velo_snap_file f = {0};
    cr_assert_eq(velo_snap_writer_finish(w, &f, &err), VELO_OK, "%s", err.message);
    velo_snap_offset offs[2] = {{"in", 0, 100 + (int64_t)id}, {"in", 3, 7}};
    velo_snap_manifest m = {
        .id = id, .created_us = 42, .offsets = offs, .noffsets = 2, .files = &f, .nfiles = 1};
    cr_assert_eq(velo_snap_commit(dir, &m, &err), VELO_OK, "%s", err.message);
    mi_free(f.name);
}

static char *file_path(const char *dir, const velo_snap_manifest *m) {
    static char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, m->files[0].name);
    return p;
}

Test(snapshot, a_checkpoint_round_trips_through_its_files) {
    char *dir = temp_dir();
    write_checkpoint(dir, 1);
    velo_error err = {0};
    velo_snap_manifest *m;
    cr_assert_eq(velo_snap_latest(dir, &m, &err), VELO_OK, "%s", err.message);
    cr_assert_not_null(m);
    cr_assert_eq(m->id, 1);
    cr_assert_eq(m->noffsets, 2);
    cr_assert_str_eq(m->offsets[0].topic, "in");
    cr_assert_eq(m->offsets[0].offset, 101);
    cr_assert_eq(m->offsets[1].partition, 3);
    cr_assert_eq(m->nfiles, 1);
    velo_snap_reader *r;
    cr_assert_eq(velo_snap_reader_open(dir, &m->files[0], &r, &err), VELO_OK, "%s", err.message);
    velo_snap_section s;
    bool more;
    cr_assert_eq(velo_snap_reader_section(r, &s, &more, &err), VELO_OK, "%s", err.message);
    cr_assert(more);
    cr_assert_str_eq(s.name, "group0");
    cr_assert_str_eq(s.sig, "keys(BIGINT) aggs(COUNT)");
    cr_assert_eq(s.watermark, 1234);
    cr_assert_eq(s.max_event, 5678);
    cr_assert_eq(s.nrows, 3);
    for (int i = 0; i < 3; i++) {
        velo_snap_row row;
        cr_assert_eq(velo_snap_reader_row(r, &row, &more, &err), VELO_OK, "%s", err.message);
        cr_assert(more);
        cr_assert_eq(row.key_len, (uint32_t)i + 1);
        cr_assert_eq(row.key[0], 'a' + i);
        cr_assert_eq(row.ws, i * 10);
        cr_assert_eq(row.we, i * 10 + 5);
        cr_assert_eq(row.states_len, 16);
        cr_assert_eq(row.states[15], i);
    }
    velo_snap_row row;
    cr_assert_eq(velo_snap_reader_row(r, &row, &more, &err), VELO_OK);
    cr_assert_not(more);
    cr_assert_eq(velo_snap_reader_section(r, &s, &more, &err), VELO_OK, "%s", err.message);
    cr_assert_not(more);
    velo_snap_reader_free(r);
    velo_snap_manifest_free(m);
    rm_rf(dir);
    free(dir);
}

Test(snapshot, a_truncated_state_file_is_rejected_naming_it) {
    char *dir = temp_dir();
    write_checkpoint(dir, 1);
    velo_error err = {0};
    velo_snap_manifest *m;
    cr_assert_eq(velo_snap_latest(dir, &m, &err), VELO_OK);
    const char *path = file_path(dir, m);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(truncate(path, st.st_size - 3), 0);
    velo_snap_reader *r = NULL;
    cr_assert_eq(velo_snap_reader_open(dir, &m->files[0], &r, &err), VELO_ERR_DECODE);
    cr_assert_null(r);
    cr_assert(strstr(err.message, "truncated") && strstr(err.message, m->files[0].name), "%s", err.message);
    cr_assert(strstr(err.message, "remove"), "says what to do: %s", err.message);
    velo_snap_manifest_free(m);
    rm_rf(dir);
    free(dir);
}

Test(snapshot, a_corrupted_state_file_is_rejected_by_its_checksum) {
    char *dir = temp_dir();
    write_checkpoint(dir, 1);
    velo_error err = {0};
    velo_snap_manifest *m;
    cr_assert_eq(velo_snap_latest(dir, &m, &err), VELO_OK);
    int fd = open(file_path(dir, m), O_RDWR);
    cr_assert_geq(fd, 0);
    char c;
    cr_assert_eq(pread(fd, &c, 1, 40), 1);
    c ^= 0x5a;
    cr_assert_eq(pwrite(fd, &c, 1, 40), 1);
    close(fd);
    velo_snap_reader *r = NULL;
    cr_assert_eq(velo_snap_reader_open(dir, &m->files[0], &r, &err), VELO_ERR_DECODE);
    cr_assert(strstr(err.message, "checksum"), "%s", err.message);
    velo_snap_manifest_free(m);
    rm_rf(dir);
    free(dir);
}

Test(snapshot, a_corrupted_manifest_is_rejected_with_a_clear_error) {
    char *dir = temp_dir();
    write_checkpoint(dir, 1);
    char path[512];
    snprintf(path, sizeof path, "%s/chk-000000000001.manifest", dir);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(truncate(path, st.st_size / 2), 0);
    velo_error err = {0};
    velo_snap_manifest *m = NULL;
    cr_assert_eq(velo_snap_latest(dir, &m, &err), VELO_ERR_DECODE);
    cr_assert_null(m);
    cr_assert(strstr(err.message, "manifest") && strstr(err.message, "corrupted") &&
                  strstr(err.message, path),
              "%s", err.message);
    rm_rf(dir);
    free(dir);
}

Test(snapshot, garbage_in_memory_is_an_error_not_a_crash) {
    static const char junk[] = "\x93\x01\x02\xc4\xff not msgpack at all";
    velo_error err = {0};
    velo_snap_reader *r;
    cr_assert_eq(velo_snap_reader_open_mem(junk, sizeof junk - 1, "junk", &r, &err), VELO_OK);
    velo_snap_section s;
    bool more;
    cr_assert_eq(velo_snap_reader_section(r, &s, &more, &err), VELO_ERR_DECODE);
    cr_assert(strstr(err.message, "junk"), "%s", err.message);
    velo_snap_reader_free(r);
    velo_snap_manifest *m = NULL;
    cr_assert_eq(velo_snap_manifest_decode(junk, sizeof junk - 1, "junk", &m, &err), VELO_ERR_DECODE);
    cr_assert_null(m);
    /* a container header claiming 2^32 entries in 5 bytes: rejected before anything is allocated */
    static const char huge[] = "\xdf\xff\xff\xff\xff\x01";
    cr_assert_eq(velo_snap_manifest_decode(huge, sizeof huge - 1, "huge", &m, &err), VELO_ERR_DECODE);
    cr_assert_eq(velo_snap_reader_open_mem(huge, sizeof huge - 1, "huge", &r, &err), VELO_OK);
    cr_assert_eq(velo_snap_reader_section(r, &s, &more, &err), VELO_ERR_DECODE);
    velo_snap_reader_free(r);
}

Test(snapshot, a_missing_state_dir_is_created_and_has_no_checkpoint) {
    char *dir = temp_dir();
    char nested[512];
    snprintf(nested, sizeof nested, "%s/a/b/c", dir);
    velo_error err = {0};
    velo_snap_manifest *m = (void *)1;
    cr_assert_eq(velo_snap_latest(nested, &m, &err), VELO_OK, "%s", err.message);
    cr_assert_null(m);
    cr_assert_eq(velo_snap_mkdirs(nested, &err), VELO_OK, "%s", err.message);
    struct stat st;
    cr_assert_eq(stat(nested, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(velo_snap_mkdirs(nested, &err), VELO_OK, "exists already: fine");
    cr_assert_eq(velo_snap_latest(nested, &m, &err), VELO_OK);
    cr_assert_null(m);
    rm_rf(dir);
    free(dir);
}

Test(snapshot, only_the_last_two_checkpoints_are_kept) {
    char *dir = temp_dir();
    for (uint64_t id = 1; id <= 4; id++)
        write_checkpoint(dir, id);
    cr_assert_eq(count_files(dir, ".manifest"), 2);
    cr_assert_eq(count_files(dir, ".state"), 2);
    cr_assert_eq(count_files(dir, ".tmp"), 0);
    velo_error err = {0};
    velo_snap_manifest *m;
    cr_assert_eq(velo_snap_latest(dir, &m, &err), VELO_OK);
    cr_assert_eq(m->id, 4);
    cr_assert_eq(m->offsets[0].offset, 104);
    velo_snap_manifest_free(m);
    rm_rf(dir);
    free(dir);
}

/* ---- GROUP BY state ---- */

typedef struct groups {
    int64_t rows[64][5]; /* key, window start, sum, count, window end */
    uint32_t n;
    bool windowed;
} groups;

static velo_status collect(void *ud, const velo_batch *b, velo_error *err) {
    groups *g = ud;
    for (uint32_t k = 0; k < velo_batch_live(b); k++) {
        uint32_t r = velo_batch_row(b, k), c = 0;
        cr_assert_lt(g->n, 64);
        int64_t *o = g->rows[g->n++];
        o[0] = VELO_VEC(&b->cols[c++], int64_t)[r];
        o[1] = g->windowed ? VELO_VEC(&b->cols[c++], int64_t)[r] : 0;
        o[4] = g->windowed ? VELO_VEC(&b->cols[c++], int64_t)[r] : 0;
        o[2] = VELO_VEC(&b->cols[c++], int64_t)[r];
        o[3] = VELO_VEC(&b->cols[c], int64_t)[r];
    }
    return VELO_OK;
}
static velo_status no_flush(void *ud, velo_error *err) { return VELO_OK; }

static velo_expr *column(uint32_t i, velo_type_id t) {
    velo_expr *e = velo_expr_new(VELO_EXPR_COLUMN, velo_type_make(t), 0);
    e->column = i;
    return e;
}

/* GROUP BY k [WINDOW TUMBLING(t, 10s)]: SUM(v), COUNT(*) over (k BIGINT, v BIGINT, t TIMESTAMP). */
static velo_operator *make_op(groups *out, bool windowed, bool count_first) {
    velo_type bi = velo_type_make(VELO_TYPE_BIGINT);
    velo_group_agg aggs[2] = {0};
    velo_error err = {0};
    uint32_t si = count_first ? 1 : 0, ci = count_first ? 0 : 1;
    cr_assert_eq(velo_agg_desc_make("SUM", &bi, 1, false, bi, NULL, &aggs[si].desc, &err), VELO_OK);
    cr_assert_eq(velo_agg_desc_make("COUNT", NULL, 0, false, bi, NULL, &aggs[ci].desc, &err), VELO_OK);
    aggs[si].args = mi_calloc(1, sizeof(velo_expr *));
    aggs[si].args[0] = column(1, VELO_TYPE_BIGINT);
    aggs[si].nargs = 1;
    velo_schema *s = velo_schema_new(windowed ? 5 : 3);
    uint32_t c = 0;
    velo_schema_set(s, c++, "k", bi);
    if (windowed) {
        velo_schema_set(s, c++, "window_start", velo_type_make(VELO_TYPE_TIMESTAMP));
        velo_schema_set(s, c++, "window_end", velo_type_make(VELO_TYPE_TIMESTAMP));
    }
    velo_schema_set(s, c++, count_first ? "n" : "s", bi);
    velo_schema_set(s, c++, count_first ? "s" : "n", bi);
    velo_expr *keys[1] = {column(0, VELO_TYPE_BIGINT)};
    velo_group_config cfg = {
        .keys = keys,
        .nkeys = 1,
        .aggs = aggs,
        .naggs = 2,
        .windowed = windowed,
        .window = {.kind = VELO_WIN_TUMBLING, .size_us = 10000000, .advance_us = 10000000},
        .time_column = 2,
        .use_watermark = windowed,
        .output = s,
        .capacity = 64,
        .file = "t.sql"};
    velo_operator *op = velo_group_op_new(&cfg, &err);
    cr_assert_not_null(op, "%s", err.message);
    velo_schema_free(s);
    out->windowed = windowed;
    op->next = velo_sink_op_new((velo_sink_fns){collect, no_flush, out});
    return op;
}

/* k, v, t (seconds) */
static const int64_t ROWS[][3] = {{1, 10, 1}, {2, 5, 3},   {1, 7, 12},  {1, 1, 9},  {2, 2, 15}, {3, 4, 21},
                                  {1, 3, 28}, {2, 6, 25},  {3, 9, 29},  {1, 2, 31}, {2, 8, 38}, {7, 5, 40},
                                  {9, 1, 41}, {11, 2, 45}, {12, 3, 46}, {4, 4, 47}};
#define NROWS (sizeof ROWS / sizeof *ROWS)

static void push_rows(velo_operator *op, uint32_t from, uint32_t to) {
    velo_type types[3] = {velo_type_make(VELO_TYPE_BIGINT), velo_type_make(VELO_TYPE_BIGINT),
                          velo_type_make(VELO_TYPE_TIMESTAMP)};
    velo_batch *b = velo_batch_new_types(3, types, 64);
    for (uint32_t j = from; j < to; j++) {
        uint32_t r = b->count++;
        for (uint32_t c = 0; c < 3; c++) {
            velo_vector_set_valid(&b->cols[c], r);
            VELO_VEC(&b->cols[c], int64_t)[r] = c == 2 ? ROWS[j][2] * 1000000 : ROWS[j][c];
        }
        b->origin[r] = j;
    }
    velo_error err = {0};
    cr_assert_eq(velo_operator_push(op, b, &err), VELO_OK, "%s", err.message);
    velo_batch_free(b);
}

static int cmp_rows(const void *a, const void *b) { return memcmp(a, b, sizeof(int64_t) * 5); }

static void finish(velo_operator *op, groups *g) {
    velo_error err = {0};
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK, "%s", err.message);
    velo_operator_destroy_chain(op);
    qsort(g->rows, g->n, sizeof g->rows[0], cmp_rows);
}

static void save(velo_operator *op, const char *dir, velo_snap_file *f) {
    velo_error err = {0};
    velo_snap_writer *w;
    cr_assert_eq(velo_snap_writer_open(dir, 1, "core0", &w, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(velo_group_op_save(op, "group0", w, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(velo_snap_writer_finish(w, f, &err), VELO_OK, "%s", err.message);
}

static velo_status restore(velo_operator *op, const char *dir, const velo_snap_file *f, uint32_t core,
                           uint32_t ncores, velo_error *err) {
    velo_snap_reader *r;
    cr_assert_eq(velo_snap_reader_open(dir, f, &r, err), VELO_OK, "%s", err->message);
    velo_snap_section s;
    bool more;
    cr_assert_eq(velo_snap_reader_section(r, &s, &more, err), VELO_OK, "%s", err->message);
    cr_assert(more);
    velo_status st = velo_group_op_restore(op, &s, r, core, ncores, err);
    velo_snap_reader_free(r);
    return st;
}

static void restored_equals_uninterrupted(bool windowed) {
    char *dir = temp_dir();
    groups whole = {0}, before = {0}, after = {0};
    velo_operator *op = make_op(&whole, windowed, false);
    push_rows(op, 0, NROWS);
    finish(op, &whole);
    /* first half, checkpoint, "crash"; a new operator restores and takes the rest */
    op = make_op(&before, windowed, false);
    push_rows(op, 0, NROWS / 2);
    velo_snap_file f = {0};
    save(op, dir, &f);
    velo_operator_destroy_chain(op);
    op = make_op(&after, windowed, false);
    velo_error err = {0};
    cr_assert_eq(restore(op, dir, &f, 0, 1, &err), VELO_OK, "%s", err.message);
    push_rows(op, NROWS / 2, NROWS);
    finish(op, &after);
    /* windowed: what closed before the checkpoint was emitted then, the rest after the restore */
    for (uint32_t i = 0; i < before.n; i++)
        memcpy(after.rows[after.n++], before.rows[i], sizeof before.rows[i]);
    qsort(after.rows, after.n, sizeof after.rows[0], cmp_rows);
    cr_assert_eq(after.n, whole.n);
    for (uint32_t i = 0; i < whole.n; i++)
        cr_assert_arr_eq(after.rows[i], whole.rows[i], sizeof whole.rows[i], "row %u differs", i);
    mi_free(f.name);
    rm_rf(dir);
    free(dir);
}

Test(snapshot, a_group_by_restored_from_a_checkpoint_ends_as_an_uninterrupted_run) {
    restored_equals_uninterrupted(false);
}

Test(snapshot, a_tumbling_window_restored_from_a_checkpoint_ends_as_an_uninterrupted_run) {
    restored_equals_uninterrupted(true);
}

Test(snapshot, restored_on_two_cores_each_key_goes_to_its_owner_once) {
    char *dir = temp_dir();
    groups g = {0}, c0 = {0}, c1 = {0};
    velo_operator *op = make_op(&g, false, false);
    push_rows(op, 0, NROWS);
    velo_snap_file f = {0};
    save(op, dir, &f);
    finish(op, &g);
    velo_error err = {0};
    velo_operator *a = make_op(&c0, false, false), *b = make_op(&c1, false, false);
    cr_assert_eq(restore(a, dir, &f, 0, 2, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(restore(b, dir, &f, 1, 2, &err), VELO_OK, "%s", err.message);
    finish(a, &c0);
    finish(b, &c1);
    cr_assert_eq(c0.n + c1.n, g.n, "every group restored exactly once");
    cr_assert_gt(c0.n, 0);
    cr_assert_gt(c1.n, 0);
    velo_vector *v;
    velo_type bi = velo_type_make(VELO_TYPE_BIGINT);
    velo_batch *kb = velo_batch_new_types(1, &bi, 1);
    velo_strbuf scratch;
    velo_strbuf_init(&scratch);
    v = &kb->cols[0];
    velo_vector_set_valid(v, 0);
    for (uint32_t core = 0; core < 2; core++) {
        const groups *c = core ? &c1 : &c0;
        for (uint32_t i = 0; i < c->n; i++) {
            VELO_VEC(v, int64_t)[0] = c->rows[i][0];
            cr_assert_eq(velo_exchange_route(&v, 1, 0, 2, &scratch), core,
                         "key %lld on the core the exchange routes it to", (long long)c->rows[i][0]);
        }
    }
    velo_strbuf_free(&scratch);
    velo_batch_free(kb);
    mi_free(f.name);
    rm_rf(dir);
    free(dir);
}

Test(snapshot, state_of_another_query_is_rejected) {
    char *dir = temp_dir();
    groups g = {0}, h = {0};
    velo_operator *op = make_op(&g, false, false);
    push_rows(op, 0, NROWS);
    velo_snap_file f = {0};
    save(op, dir, &f);
    velo_operator_destroy_chain(op);
    op = make_op(&h, false, true); /* COUNT before SUM: another layout of the state */
    velo_error err = {0};
    cr_assert_eq(restore(op, dir, &f, 0, 1, &err), VELO_ERR_INVALID);
    cr_assert(strstr(err.message, "another query"), "%s", err.message);
    velo_operator_destroy_chain(op);
    mi_free(f.name);
    rm_rf(dir);
    free(dir);
}

/* ---- aggregate states with heap parts ---- */

/* Folds values into one state of `d`, saves it, loads it into a fresh state; both finalize alike. */
static void state_round_trip(const char *name, velo_type_id arg, bool distinct, velo_type_id result) {
    velo_type at = velo_type_make(arg), rt = velo_type_make(result);
    velo_agg_desc d;
    velo_error err = {0};
    cr_assert_eq(velo_agg_desc_make(name, &at, 1, distinct, rt, NULL, &d, &err), VELO_OK, "%s: %s", name,
                 err.message);
    cr_assert(velo_agg_state_savable(&d), "%s", name);
    void *a = mi_zalloc(d.state_size + 16), *b = mi_zalloc(d.state_size + 16);
    d.init(&d, a);
    d.init(&d, b);
    velo_batch *in = velo_batch_new_types(1, &at, 64);
    static const char *const words[] = {"pear", "apple", "fig", "apple", "a rather long string value", "fig"};
    uint32_t rows[6];
    void *states[6];
    for (uint32_t i = 0; i < 6; i++) {
        velo_vector_set_valid(&in->cols[0], i);
        if (arg == VELO_TYPE_VARCHAR)
            VELO_VEC(&in->cols[0], velo_str)[i] = (velo_str){words[i], (uint32_t)strlen(words[i])};
        else
            VELO_VEC(&in->cols[0], int64_t)[i] = (int64_t)(i * 7 % 4) * 1000003;
        rows[i] = i;
        states[i] = a;
    }
    in->count = 6;
    cr_assert_eq(d.update(&d, states, &in->cols[0], rows, 6, &err), VELO_OK, "%s", err.message);
    velo_strbuf buf;
    velo_strbuf_init(&buf);
    cr_assert_eq(velo_agg_state_save(&d, a, &buf, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(velo_agg_state_load(&d, b, buf.data, (uint32_t)buf.len, &err), VELO_OK, "%s", err.message);
    velo_batch *out = velo_batch_new_types(1, &rt, 2);
    cr_assert_eq(d.finalize(&d, a, &out->cols[0], 0, &out->arena, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(d.finalize(&d, b, &out->cols[0], 1, &out->arena, &err), VELO_OK, "%s", err.message);
    if (result == VELO_TYPE_VARCHAR) {
        velo_str x = VELO_VEC(&out->cols[0], velo_str)[0], y = VELO_VEC(&out->cols[0], velo_str)[1];
        cr_assert(x.len == y.len && !memcmp(x.ptr, y.ptr, x.len), "%s: %.*s vs %.*s", name, (int)x.len, x.ptr,
                  (int)y.len, y.ptr);
    } else {
        cr_assert_eq(
            memcmp(out->cols[0].data, (char *)out->cols[0].data + velo_type_width(rt), velo_type_width(rt)),
            0, "%s: the restored state finalizes to the same value", name);
    }
    /* bytes that cannot be this state are an error, not a crash */
    if (buf.len > 3) {
        velo_agg_desc *dd = &d;
        void *c = mi_zalloc(d.state_size + 16);
        dd->init(dd, c);
        velo_status st = velo_agg_state_load(dd, c, buf.data, 3, &err);
        if (st) cr_assert(strstr(err.message, name), "%s", err.message);
        if (d.destroy) d.destroy(&d, c);
        mi_free(c);
    }
    if (d.destroy) d.destroy(&d, a), d.destroy(&d, b);
    mi_free(a);
    mi_free(b);
    velo_strbuf_free(&buf);
    velo_batch_free(in);
    velo_batch_free(out);
}

Test(snapshot, states_with_heap_parts_save_and_load_to_the_same_result) {
    state_round_trip("COUNT", VELO_TYPE_BIGINT, true, VELO_TYPE_BIGINT);
    state_round_trip("COUNT", VELO_TYPE_VARCHAR, true, VELO_TYPE_BIGINT);
    state_round_trip("SUM", VELO_TYPE_BIGINT, true, VELO_TYPE_BIGINT);
    state_round_trip("MEDIAN", VELO_TYPE_BIGINT, false, VELO_TYPE_DOUBLE);
    state_round_trip("MIN", VELO_TYPE_VARCHAR, false, VELO_TYPE_VARCHAR);
    state_round_trip("MAX", VELO_TYPE_VARCHAR, false, VELO_TYPE_VARCHAR);
    state_round_trip("APPROX_COUNT_DISTINCT", VELO_TYPE_VARCHAR, false, VELO_TYPE_BIGINT);
    state_round_trip("SUM", VELO_TYPE_BIGINT, false, VELO_TYPE_BIGINT);
}
