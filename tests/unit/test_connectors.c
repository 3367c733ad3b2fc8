/* URIs, option lists, the dead-letter queue and the file connector, on real files. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connectors/connector.h"
#include "connectors/dlq.h"
#include "connectors/uri.h"

static char tmpdir[256];

static void make_tmpdir(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/velo-conn-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void cleanup_tmpdir(void) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

static void write_file(const char *name, const char *content) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f);
    fputs(content, f);
    fclose(f);
}

static char *read_file(const char *name) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "rb");
    cr_assert_not_null(f, "%s missing", p);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

Test(uri, file_uri_with_two_slashes_is_relative_and_three_is_absolute) {
    velo_uri u;
    velo_error err = {0};
    cr_assert_eq(velo_uri_parse("file://data/in.csv?format=csv&header=false", &u, &err), VELO_OK);
    cr_expect_str_eq(u.scheme, "file");
    cr_expect_str_eq(u.path, "data/in.csv");
    cr_expect_str_eq(velo_kv_get(&u.params, "FORMAT"), "csv");
    cr_expect_str_eq(velo_kv_get(&u.params, "header"), "false");
    velo_uri_free(&u);
    cr_assert_eq(velo_uri_parse("file:///var/x%20y.jsonl", &u, &err), VELO_OK);
    cr_expect_str_eq(u.path, "/var/x y.jsonl");
    velo_uri_free(&u);
}

Test(uri, kafka_uri_splits_brokers_and_topic) {
    velo_uri u;
    velo_error err = {0};
    cr_assert_eq(velo_uri_parse("KAFKA://b1:9092,b2:9092/trades?group.id=g", &u, &err), VELO_OK);
    cr_expect_str_eq(u.scheme, "kafka");
    cr_expect_str_eq(u.authority, "b1:9092,b2:9092");
    cr_expect_str_eq(u.path, "trades");
    cr_expect_str_eq(velo_kv_get(&u.params, "group.id"), "g");
    velo_uri_free(&u);
}

Test(uri, errors_name_the_uri) {
    velo_uri u;
    velo_error err = {0};
    cr_expect_eq(velo_uri_parse("in.csv", &u, &err), VELO_ERR_INVALID);
    cr_expect(strstr(err.message, "'in.csv' is not a connector URI") != NULL, "%s", err.message);
    cr_expect_eq(velo_uri_parse("file://x.csv?format", &u, &err), VELO_ERR_INVALID);
    cr_expect(strstr(err.message, "must be key=value") != NULL, "%s", err.message);
    cr_expect_eq(velo_uri_parse("file://x%zz.csv", &u, &err), VELO_ERR_INVALID);
}

Test(kv, later_set_replaces_case_insensitively_and_bools_are_checked) {
    velo_kv kv;
    velo_kv_init(&kv);
    velo_kv_set(&kv, "Header", "true");
    velo_kv_set(&kv, "header", "no");
    cr_expect_eq(kv.count, 1);
    bool b = true;
    velo_error err = {0};
    cr_expect_eq(velo_kv_get_bool(&kv, "HEADER", true, &b, &err), VELO_OK);
    cr_expect(!b);
    velo_kv_set(&kv, "append", "maybe");
    cr_expect_eq(velo_kv_get_bool(&kv, "append", false, &b, &err), VELO_ERR_INVALID);
    cr_expect(strstr(err.message, "'append' must be true or false, found 'maybe'") != NULL, "%s",
              err.message);
    velo_kv_free(&kv);
}

Test(path, relative_paths_join_the_sql_folder_and_absolute_stay) {
    char out[128];
    cr_assert(velo_path_resolve("/srv/jobs", "data/t.csv", out, sizeof out));
    cr_expect_str_eq(out, "/srv/jobs/data/t.csv");
    cr_assert(velo_path_resolve("/srv/jobs", "/abs/t.csv", out, sizeof out));
    cr_expect_str_eq(out, "/abs/t.csv");
    cr_expect(!velo_path_resolve("/srv/jobs", "a-very-long-name", out, 8));
}

Test(dlq, writes_one_json_object_per_rejected_record_and_counts, .init = make_tmpdir,
     .fini = cleanup_tmpdir) {
    velo_dlq d;
    velo_error err = {0};
    cr_assert_eq(velo_dlq_open(&d, "file://dead.jsonl", tmpdir, &err), VELO_OK, "%s", err.message);
    velo_dlq_put(&d, "in.csv", 3, "expected 3 fields, found 2", "3,\"a\"", 5);
    velo_dlq_put(&d, "in.csv", -1, "bad", NULL, 0);
    cr_expect_eq(d.count, 2);
    velo_dlq_close(&d);
    cr_expect_str_eq(read_file("dead.jsonl"), "{\"source\":\"in.csv\",\"line\":3,\"error\":\"expected 3 "
                                              "fields, found 2\",\"record\":\"3,\\\"a\\\"\"}\n"
                                              "{\"source\":\"in.csv\",\"error\":\"bad\",\"record\":null}\n");
}

enum { DLQ_PUTS = 20000 };
static void *put_many(void *arg) {
    for (int i = 0; i < DLQ_PUTS; i++)
        velo_dlq_put(arg, "in.csv", i, "bad", NULL, 0);
    return NULL;
}

/* Several cores share one queue (under its lock) while the job's control thread reads the count
 * without it (engine/job.c relay_progress): `count` is _Atomic, so both sides are atomic accesses
 * (no data race) and the reader sees it only grow, to the exact total. */
Test(dlq, count_read_while_cores_put_only_grows_and_ends_exact) {
    velo_dlq d;
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    cr_assert_eq(velo_dlq_open(&d, NULL, ".", NULL), VELO_OK);
    d.lock = &lock;
    d.max_report = 0;
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, put_many, &d), 0);
    uint64_t last = 0;
    while (last < 2 * DLQ_PUTS) {
        uint64_t now = atomic_load_explicit(&d.count, memory_order_relaxed);
        cr_assert_geq(now, last);
        last = now;
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    cr_expect_eq(atomic_load_explicit(&d.count, memory_order_relaxed), 2 * DLQ_PUTS);
    velo_dlq_close(&d);
}

Test(dlq, deferred_line_numbers_resolve_to_the_file_line_only_when_asked, .init = make_tmpdir,
     .fini = cleanup_tmpdir) {
    char path[512];
    snprintf(path, sizeof path, "%s/in.jsonl", tmpdir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n{\"a\":4}\n", f); /* line 3 starts at byte 16 */
    fclose(f);
    velo_dlq d;
    velo_error err = {0};
    cr_assert_eq(velo_dlq_open(&d, "file://dead.jsonl", tmpdir, &err), VELO_OK, "%s", err.message);
    int64_t first;
    cr_assert(velo_dlq_defer_lines(&d, path, 16, &first));
    cr_expect(first & VELO_ORIGIN_DEFERRED);
    cr_expect_eq(velo_dlq_line(&d, first), 3, "the slice's first line is the file's line 3");
    cr_expect_eq(velo_dlq_line(&d, first + 1), 4);
    cr_expect_eq(velo_dlq_line(&d, 7), 7, "ordinary origins stay as they are");
    velo_dlq_put(&d, "in.jsonl", first + 1, "bad", "x", 1);
    velo_dlq_close(&d);
    cr_expect_str_eq(read_file("dead.jsonl"),
                     "{\"source\":\"in.jsonl\",\"line\":4,\"error\":\"bad\",\"record\":\"x\"}\n");
}

Test(dlq, unwritable_dead_letter_path_is_an_io_error_naming_it) {
    velo_dlq d;
    velo_error err = {0};
    cr_expect_eq(velo_dlq_open(&d, "file:///nonexistent-dir/dead.jsonl", ".", &err), VELO_ERR_IO);
    cr_expect(strstr(err.message, "/nonexistent-dir/dead.jsonl") != NULL, "%s", err.message);
}

/* Reads everything a file:// source yields; returns the number of rows, fills the first column's
 * BIGINT values and origins. */
static uint32_t drain(const char *uri_text, velo_dlq *dlq, int64_t *vals, int64_t *origins, velo_error *err,
                      velo_status *st_out) {
    velo_uri u;
    cr_assert_eq(velo_uri_parse(uri_text, &u, err), VELO_OK);
    velo_kv opts;
    velo_kv_init(&opts);
    for (uint32_t i = 0; i < u.params.count; i++)
        velo_kv_set(&opts, u.params.items[i].key, u.params.items[i].value);
    velo_connector_args a = {.uri = &u, .options = &opts, .base_dir = tmpdir, .dlq = dlq, .name = "t"};
    const velo_source_ops *ops = velo_source_lookup("file");
    velo_source *src = NULL;
    uint32_t n = 0;
    *st_out = ops->open(&a, &src, err);
    if (*st_out == VELO_OK) {
        velo_batch *b = velo_batch_new(ops->schema(src), 2); /* tiny batches: rows cross batch ends */
        bool eof = false;
        while (!eof) {
            velo_batch_reset(b);
            if ((*st_out = ops->poll(src, b, &eof, err))) break;
            for (uint32_t r = 0; r < b->count; r++, n++) {
                vals[n] = VELO_VEC(&b->cols[0], int64_t)[r];
                origins[n] = b->origin[r];
            }
        }
        velo_batch_free(b);
        ops->close(src);
    }
    velo_kv_free(&opts);
    velo_uri_free(&u);
    return n;
}

Test(file_source, glob_reads_matching_files_in_name_order_with_line_origins, .init = make_tmpdir,
     .fini = cleanup_tmpdir) {
    write_file("b.csv", "n,v\n3,c\n");
    write_file("a.csv", "n,v\n1,a\n\n2,\"multi\nline\"\n4,d\n");
    write_file("x.txt", "ignored\n");
    velo_dlq dlq;
    velo_error err = {0};
    velo_dlq_open(&dlq, NULL, tmpdir, &err);
    int64_t vals[16], origins[16];
    velo_status st;
    uint32_t n = drain("file://*.csv", &dlq, vals, origins, &err, &st);
    cr_assert_eq(st, VELO_OK, "%s", err.message);
    cr_assert_eq(n, 4);
    int64_t want_vals[] = {1, 2, 4, 3}, want_lines[] = {2, 4, 6, 2};
    for (int i = 0; i < 4; i++) {
        cr_expect_eq(vals[i], want_vals[i], "row %d", i);
        cr_expect_eq(origins[i], want_lines[i], "row %d origin", i);
    }
    cr_expect_eq(dlq.count, 0);
    velo_dlq_close(&dlq);
}

Test(file_source, malformed_records_are_counted_and_skipped_not_fatal, .init = make_tmpdir,
     .fini = cleanup_tmpdir) {
    write_file("in.csv", "n,v\n1,a\n2\n3,c\n");
    velo_dlq dlq;
    velo_error err = {0};
    velo_dlq_open(&dlq, "file://dead.jsonl", tmpdir, &err);
    int64_t vals[16], origins[16];
    velo_status st;
    uint32_t n = drain("file://in.csv", &dlq, vals, origins, &err, &st);
    cr_assert_eq(st, VELO_OK, "%s", err.message);
    cr_expect_eq(n, 2);
    cr_expect_eq(dlq.count, 1);
    velo_dlq_close(&dlq);
    char *dead = read_file("dead.jsonl");
    cr_expect(strstr(dead, "\"line\":3") != NULL, "%s", dead);
    cr_expect(strstr(dead, "\"record\":\"2\"") != NULL, "%s", dead);
}

Test(file_source, missing_file_and_empty_glob_are_io_errors_naming_the_path, .init = make_tmpdir,
     .fini = cleanup_tmpdir) {
    velo_dlq dlq;
    velo_error err = {0};
    velo_dlq_open(&dlq, NULL, tmpdir, &err);
    int64_t vals[4], origins[4];
    velo_status st;
    drain("file://nope.csv", &dlq, vals, origins, &err, &st);
    cr_expect_eq(st, VELO_ERR_IO);
    cr_expect(strstr(err.message, "nope.csv") != NULL, "%s", err.message);
    drain("file://none-*.csv", &dlq, vals, origins, &err, &st);
    cr_expect_eq(st, VELO_ERR_IO);
    cr_expect(strstr(err.message, "no input file matches 'none-*.csv'") != NULL, "%s", err.message);
    drain("file://in.bin", &dlq, vals, origins, &err, &st);
    cr_expect_eq(st, VELO_ERR_INVALID);
    velo_dlq_close(&dlq);
}

Test(file_source, watch_is_rejected_as_not_supported_yet, .init = make_tmpdir, .fini = cleanup_tmpdir) {
    write_file("in.csv", "n\n1\n");
    velo_dlq dlq;
    velo_error err = {0};
    velo_dlq_open(&dlq, NULL, tmpdir, &err);
    int64_t vals[4], origins[4];
    velo_status st;
    drain("file://in.csv?watch=true", &dlq, vals, origins, &err, &st);
    cr_expect_eq(st, VELO_ERR_UNSUPPORTED);
    cr_expect(strstr(err.message, "not supported yet") != NULL, "%s", err.message);
    velo_dlq_close(&dlq);
}

Test(dlq, a_record_that_is_not_utf8_keeps_its_exact_bytes_in_base64, .init = make_tmpdir,
     .fini = cleanup_tmpdir) {
    velo_dlq d;
    velo_error err = {0};
    cr_assert_eq(velo_dlq_open(&d, "file://dead.jsonl", tmpdir, &err), VELO_OK, "%s", err.message);
    velo_dlq_put(&d, "in.csv", 3, "column 'name': invalid UTF-8",
                 "2,bad\xff\xfe"
                 "bytes",
                 12);
    velo_dlq_close(&d);
    char *dead = read_file("dead.jsonl");
    cr_expect(strstr(dead, "\"record_base64\":\"MixiYWT//mJ5dGVz\"") != NULL, "%s", dead);
}

/* ---- watched file tables (connectors/table.h) ---- */

#include "connectors/table.h"

typedef struct change {
    int64_t k, v; /* v INT64_MIN: NULL */
    bool deleted;
} change;

/* Polls the table source once; appends its rows to out. */
static uint32_t poll_changes(velo_source *src, change *out, uint32_t n, bool *eof) {
    velo_batch *b = velo_batch_new(src->ops->schema(src), 64);
    velo_error err = {0};
    cr_assert_eq(src->ops->poll(src, b, eof, &err), VELO_OK, "%s", err.message);
    for (uint32_t i = 0; i < b->count; i++, n++) {
        out[n].k = VELO_VEC(&b->cols[0], int64_t)[i];
        out[n].v = velo_vector_is_valid(&b->cols[1], i) ? VELO_VEC(&b->cols[1], int64_t)[i] : INT64_MIN;
        out[n].deleted = VELO_VEC(&b->cols[2], uint8_t)[i];
    }
    velo_batch_free(b);
    return n;
}

Test(table_source, a_watched_file_is_reloaded_as_upserts_and_deletions_of_vanished_keys, .init = make_tmpdir,
     .fini = cleanup_tmpdir) {
    write_file("t.csv", "k,v\n1,10\n2,20\n");
    velo_schema *s = velo_schema_new(2);
    velo_schema_set(s, 0, "k", velo_type_make(VELO_TYPE_BIGINT));
    velo_schema_set(s, 1, "v", velo_type_make(VELO_TYPE_BIGINT));
    velo_uri u;
    velo_error err = {0};
    cr_assert_eq(velo_uri_parse("file://t.csv?watch=true&watch.interval=1ms", &u, &err), VELO_OK);
    velo_dlq dlq;
    velo_dlq_open(&dlq, NULL, tmpdir, &err);
    velo_connector_args args = {
        .uri = &u, .options = &u.params, .base_dir = tmpdir, .declared = s, .dlq = &dlq, .name = "t"};
    velo_source *src = NULL;
    cr_assert_eq(velo_table_source_open(&args, "k", &src, &err), VELO_OK, "%s", err.message);
    cr_expect_eq(src->ops->schema(src)->ncols, 3, "the table's columns and the deletion flag");
    change c[64];
    uint32_t n = 0;
    bool eof = false;
    for (int i = 0; i < 100 && !eof; i++)
        n = poll_changes(src, c, n, &eof);
    cr_assert(eof, "the first read ends the bootstrap");
    cr_assert_eq(n, 2);
    cr_expect(c[0].k == 1 && c[0].v == 10 && !c[0].deleted);
    cr_expect(c[1].k == 2 && c[1].v == 20 && !c[1].deleted);
    usleep(3000);
    n = poll_changes(src, c, 0, &eof);
    cr_expect_eq(n, 0, "an unchanged file gives nothing");
    cr_expect(!eof, "after the bootstrap the table never ends");
    /* a new version renamed over the old one: 1 changes, 2 vanishes, 3 is new */
    write_file("t.new", "k,v\n1,11\n3,30\n");
    char from[600], to[600];
    snprintf(from, sizeof from, "%s/t.new", tmpdir);
    snprintf(to, sizeof to, "%s/t.csv", tmpdir);
    cr_assert_eq(rename(from, to), 0);
    n = 0;
    for (int i = 0; i < 200 && n < 3; i++) {
        usleep(2000);
        n = poll_changes(src, c, n, &eof);
    }
    cr_assert_eq(n, 3);
    cr_expect(c[0].k == 1 && c[0].v == 11 && !c[0].deleted);
    cr_expect(c[1].k == 3 && c[1].v == 30 && !c[1].deleted);
    cr_expect(c[2].k == 2 && c[2].v == INT64_MIN && c[2].deleted, "the vanished key is deleted last");
    src->ops->close(src);
    velo_dlq_close(&dlq);
    velo_uri_free(&u);
    velo_schema_free(s);
}

/* Backpressure: a file sink on a named pipe whose reader takes nothing yet never blocks a write
 * (up to its 8 MiB buffer) and reports itself full; read, it drains and reports clear again. */
Test(file_sink, a_named_pipe_not_read_reports_backlog_instead_of_blocking, .init = make_tmpdir,
     .fini = cleanup_tmpdir, .timeout = 20) {
    char path[512], text[600];
    snprintf(path, sizeof path, "%s/out.fifo", tmpdir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    int rfd = open(path, O_RDONLY | O_NONBLOCK); /* a reader that reads nothing yet */
    cr_assert(rfd >= 0);
    snprintf(text, sizeof text, "file://%s", path);
    velo_uri uri;
    velo_kv opts;
    velo_kv_init(&opts);
    velo_kv_set(&opts, "format", "csv");
    velo_error err = {0};
    cr_assert_eq(velo_uri_parse(text, &uri, &err), VELO_OK, "%s", err.message);
    velo_dlq dlq;
    velo_dlq_open(&dlq, NULL, tmpdir, NULL);
    velo_connector_args args = {
        .uri = &uri, .options = &opts, .base_dir = tmpdir, .dlq = &dlq, .name = "out"};
    velo_schema *schema = velo_schema_new(1);
    velo_schema_set(schema, 0, "line", velo_type_make(VELO_TYPE_VARCHAR));
    velo_sink *sink = NULL;
    cr_assert_eq(velo_sink_lookup("file")->open(&args, schema, &sink, &err), VELO_OK, "%s", err.message);
    cr_assert_not_null(sink->ops->backlog);
    char row[201];
    memset(row, 'x', 200);
    row[200] = '\0';
    velo_batch *b = velo_batch_new(schema, 1000);
    velo_sink_backlog level = VELO_SINK_CLEAR;
    int batches = 0;
    for (; batches < 40 && level != VELO_SINK_FULL; batches++) { /* 200 KB each */
        velo_batch_reset(b);
        for (uint32_t r = 0; r < 1000; r++) {
            velo_value v = {.type = velo_type_make(VELO_TYPE_VARCHAR), .u.str = {row, 200}};
            velo_vector_set_value(&b->cols[0], b->count++, &v, &b->arena);
        }
        cr_assert_eq(sink->ops->write(sink, b, &err), VELO_OK, "%s", err.message);
        cr_assert_eq(sink->ops->backlog(sink, 0, &level, &err), VELO_OK, "%s", err.message);
    }
    cr_expect_eq(level, VELO_SINK_FULL, "a pipe nobody reads is full after %d batches", batches);
    /* the reader reads: the sink moves its buffer on until nothing waits */
    char buf[65536];
    size_t got = 0;
    for (int i = 0; i < 100000 && level != VELO_SINK_CLEAR; i++) {
        ssize_t n = read(rfd, buf, sizeof buf);
        if (n > 0) got += (size_t)n;
        cr_assert_eq(sink->ops->backlog(sink, 10, &level, &err), VELO_OK, "%s", err.message);
    }
    cr_expect_eq(level, VELO_SINK_CLEAR);
    cr_assert_eq(sink->ops->flush(sink, &err), VELO_OK, "%s", err.message);
    for (ssize_t n; (n = read(rfd, buf, sizeof buf)) > 0;)
        got += (size_t)n;
    cr_expect_eq(got, strlen("line\n") + (size_t)batches * 1000 * 201, "every byte arrives");
    sink->ops->close(sink);
    close(rfd);
    velo_batch_free(b);
    velo_schema_free(schema);
    velo_dlq_close(&dlq);
    velo_kv_free(&opts);
    velo_uri_free(&uri);
}
