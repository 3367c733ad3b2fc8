/* The control plane's pieces without HTTP: request bodies (net/job_spec.c), the SQL check of a
 * submitted job (net/sql_check.c), job records on disk (net/job_store.c) and the Prometheus text
 * (net/metrics.c). The HTTP server itself is tested end to end in tests/serve. */
#include <criterion/criterion.h>
#include <mimalloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connectors/status.h"
#include "net/job_spec.h"
#include "net/job_store.h"
#include "net/metrics.h"
#include "net/sql_check.h"

static velo_status parse(const char *body, const char *ct, velo_job_spec *spec, velo_error *err) {
    velo_job_spec_init(spec);
    velo_error_clear(err);
    return velo_job_spec_parse(body, strlen(body), ct, spec, err);
}

Test(job_spec, sql_text_body_is_the_sql) {
    velo_job_spec s;
    velo_error e;
    cr_assert_eq(parse("SELECT a FROM t", NULL, &s, &e), VELO_OK);
    cr_expect_str_eq(s.sql, "SELECT a FROM t");
    cr_expect_eq(s.sql_len, 15);
    cr_expect_str_eq(s.name, "");
    velo_job_spec_free(&s);
}

Test(job_spec, json_body_gives_name_sql_and_properties) {
    velo_job_spec s;
    velo_error e;
    cr_assert_eq(
        parse("{\"name\":\"big_buys\",\"sql\":\"SELECT 1\",\"properties\":{\"bind.t\":\"file://t.csv\","
              "\"retries\":3,\"strict\":true}}",
              "application/json", &s, &e),
        VELO_OK, "%s", e.message);
    cr_expect_str_eq(s.name, "big_buys");
    cr_expect_str_eq(s.sql, "SELECT 1");
    cr_expect_str_eq(velo_kv_get(&s.properties, "retries"), "3");
    cr_expect_str_eq(velo_kv_get(&s.properties, "strict"), "true");
    velo_kv binds;
    velo_kv_init(&binds);
    velo_job_spec_binds(&s, &binds);
    cr_expect_eq(binds.count, 1);
    cr_expect_str_eq(velo_kv_get(&binds, "t"), "file://t.csv");
    velo_kv_free(&binds);
    velo_job_spec_free(&s);
}

Test(job_spec, json_is_recognised_without_content_type) {
    velo_job_spec s;
    velo_error e;
    cr_assert_eq(parse("  \n{\"sql\":\"SELECT 2\"}", NULL, &s, &e), VELO_OK);
    cr_expect_str_eq(s.sql, "SELECT 2");
    velo_job_spec_free(&s);
}

Test(job_spec, malformed_or_unexpected_json_is_rejected_with_a_reason) {
    static const char *const bad[][2] = {
        {"{\"sql\": \"x\"", "malformed JSON"},
        {"{\"sql\": 1}", "\"sql\" is missing or not a string"},
        {"{\"name\": \"x\"}", "\"sql\" is missing"},
        {"{\"sql\": \"x\", \"sql\": \"y\"}", "malformed JSON"},
        {"{\"sql\": \"x\", \"extra\": 1}", "unknown field \"extra\""},
        {"{\"sql\": \"x\", \"name\": \"../etc\"}", "\"name\" must be"},
        {"{\"sql\": \"x\", \"name\": \"\"}", "\"name\" must be"},
        {"{\"sql\": \"x\", \"properties\": [1]}", "\"properties\" must be an object"},
        {"{\"sql\": \"x\", \"properties\": {\"a\": {}}}", "property 'a' must be"},
        {"{\"sql\": \"   \"}", "the request has no SQL"},
        {"[\"sql\"]", "the body must be a JSON object"},
        {"{\"sql\": \"a\\u0000b\"}", "malformed JSON"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        velo_job_spec s;
        velo_error e;
        cr_expect_eq(parse(bad[i][0], "application/json", &s, &e), VELO_ERR_INVALID, "%s", bad[i][0]);
        cr_expect(strstr(e.message, bad[i][1]) != NULL, "%s: %s", bad[i][0], e.message);
        velo_job_spec_free(&s);
    }
}

Test(job_spec, empty_body_and_nul_bytes_are_rejected) {
    velo_job_spec s;
    velo_error e;
    cr_expect_eq(parse("", NULL, &s, &e), VELO_ERR_INVALID);
    velo_job_spec_free(&s);
    velo_job_spec_init(&s);
    cr_expect_eq(velo_job_spec_parse("SELECT\0 1", 9, "text/plain", &s, &e), VELO_ERR_INVALID);
    cr_expect(strstr(e.message, "NUL") != NULL);
    velo_job_spec_free(&s);
}

Test(job_spec, job_names_are_safe_file_names) {
    cr_expect(velo_job_name_valid("big_buys-2.v1"));
    cr_expect(!velo_job_name_valid(".hidden"));
    cr_expect(!velo_job_name_valid("a/b"));
    cr_expect(!velo_job_name_valid("a b"));
    cr_expect(!velo_job_name_valid(""));
    char long_name[80];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    cr_expect(!velo_job_name_valid(long_name));
}

Test(sql_check, every_error_is_listed_with_its_position) {
    const char *sql = "CREATE STREAM a AS SELECT UPPERR(x) FROM 'file://in.csv' INTO 'file://o.jsonl';\n"
                      "SELECT y FROM nowhere INTO 'file://p.jsonl';\n";
    velo_sql_check c;
    velo_sql_check_init(&c);
    velo_sql_check_run(&c, "job.sql", sql, strlen(sql), NULL, true);
    cr_assert_eq(c.diags.nerrors, 2);
    cr_expect_eq(c.diags.items[0].line, 1);
    cr_expect_eq(c.diags.items[0].col, 27);
    cr_expect_eq(c.diags.items[1].line, 2);
    cr_expect_eq(c.diags.items[1].col, 15);
    velo_sql_check_free(&c);
}

Test(sql_check, a_job_needs_a_sink_and_gets_a_default_name_and_plan) {
    const char *to_stdout = "SELECT a FROM 'file://in.csv';";
    velo_sql_check c;
    velo_sql_check_init(&c);
    velo_sql_check_run(&c, "job.sql", to_stdout, strlen(to_stdout), NULL, true);
    cr_assert_eq(c.diags.nerrors, 1);
    cr_expect_str_eq(c.diags.items[0].code, "job.stdout_sink");
    velo_sql_check_free(&c);

    const char *ok = "CREATE STREAM big_buys AS SELECT a FROM 'file://in.csv' INTO 'file://o.jsonl';";
    velo_sql_check_init(&c);
    velo_sql_check_run(&c, "job.sql", ok, strlen(ok), NULL, true);
    cr_expect_eq(c.diags.nerrors, 0);
    cr_expect_str_eq(c.name, "big_buys");
    cr_expect_eq(c.nqueries, 1);
    cr_expect(strstr(c.plan_text.data, "SCAN") != NULL);
    cr_expect_eq(c.plan_json.data[0], '[');
    cr_expect_eq(c.plan_json.data[c.plan_json.len - 1], ']');
    velo_sql_check_free(&c);
}

Test(sql_check, explain_and_show_are_not_jobs) {
    const char *sql = "EXPLAIN SELECT a FROM 'file://in.csv';\nSHOW STREAMS;";
    velo_sql_check c;
    velo_sql_check_init(&c);
    velo_sql_check_run(&c, "job.sql", sql, strlen(sql), NULL, true);
    cr_expect_geq(c.diags.nerrors, 2);
    for (uint32_t i = 0; i < c.diags.count; i++)
        if (c.diags.items[i].severity == VELO_SEV_ERROR)
            cr_expect_str_eq(c.diags.items[i].code, "job.statement");
    velo_sql_check_free(&c);
}

Test(job_store, records_survive_a_save_and_load) {
    char dir[] = "/tmp/velo-store-XXXXXX";
    cr_assert(mkdtemp(dir));
    cr_assert_eq(velo_job_store_open(dir, NULL), VELO_OK);
    velo_job_record r;
    velo_job_record_init(&r);
    snprintf(r.id, sizeof r.id, "0123456789abcdef");
    snprintf(r.name, sizeof r.name, "big_buys");
    snprintf(r.state, sizeof r.state, "failed");
    r.sql = mi_strdup("SELECT 1;\n-- \"quoted\" \\ and unicode: \xc3\xa9");
    r.base_dir = mi_strdup("/data");
    r.error = mi_strdup("cannot open input file 'x.csv'");
    velo_kv_set(&r.properties, "bind.trades", "file://t.csv");
    r.submitted_ms = 1700000000123;
    r.restarts = 2;
    r.rows_in = 5000000000ull;
    cr_assert_eq(velo_job_store_save(dir, &r, NULL), VELO_OK);
    /* a stray temporary file of an interrupted write and a corrupt record do not stop a load */
    char p[512];
    snprintf(p, sizeof p, "%s/jobs/.fedcba9876543210.json.tmp", dir);
    FILE *f = fopen(p, "w");
    fputs("{\"id\":", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/jobs/fedcba9876543210.json", dir);
    f = fopen(p, "w");
    fputs("{\"id\": 5}", f);
    fclose(f);
    velo_job_record *recs;
    uint32_t n;
    velo_strbuf problems;
    velo_strbuf_init(&problems);
    cr_assert_eq(velo_job_store_load(dir, &recs, &n, &problems, NULL), VELO_OK);
    cr_assert_eq(n, 1);
    cr_expect(strstr(problems.data, "fedcba9876543210.json: not a job record") != NULL, "%s", problems.data);
    cr_expect_str_eq(recs[0].sql, r.sql);
    cr_expect_str_eq(recs[0].name, "big_buys");
    cr_expect_str_eq(recs[0].state, "failed");
    cr_expect_str_eq(recs[0].error, r.error);
    cr_expect_str_eq(velo_kv_get(&recs[0].properties, "bind.trades"), "file://t.csv");
    cr_expect_eq(recs[0].submitted_ms, 1700000000123);
    cr_expect_eq(recs[0].restarts, 2);
    cr_expect_eq(recs[0].rows_in, 5000000000ull);
    cr_assert_eq(velo_job_store_remove(dir, r.id, NULL), VELO_OK);
    velo_job_record_free(&recs[0]);
    mi_free(recs);
    velo_strbuf_free(&problems);
    velo_job_record_free(&r);
    cr_assert_eq(velo_job_store_load(dir, &recs, &n, &problems, NULL), VELO_OK);
    cr_expect_eq(n, 0);
    mi_free(recs);
    velo_strbuf_free(&problems);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

Test(metrics, label_values_are_escaped_and_every_job_has_its_counters) {
    velo_job_info j;
    memset(&j, 0, sizeof j);
    velo_job_record_init(&j.rec);
    snprintf(j.rec.id, sizeof j.rec.id, "0123456789abcdef");
    snprintf(j.rec.name, sizeof j.rec.name, "a\"b\\c");
    snprintf(j.rec.state, sizeof j.rec.state, "running");
    j.rows_in = 42;
    j.rows_out = 40;
    j.rows_rejected = 2;
    j.decode_errors = 2;
    velo_server_stats st = {.start_time_s = 1.5, .cores = 2, .version = "0.1.0", .ready = 1};
    velo_strbuf out;
    velo_strbuf_init(&out);
    velo_metrics_render(&out, &j, 1, &st);
    cr_expect(strstr(out.data, "velo_records_in_total{velo_job=\"a\\\"b\\\\c\",job_id=\"0123456789abcdef\","
                               "operator=\"source\"} 42\n"),
              "%s", out.data);
    cr_expect(strstr(
        out.data,
        "velo_errors_total{velo_job=\"a\\\"b\\\\c\",job_id=\"0123456789abcdef\",kind=\"decode\"} 2\n"));
    cr_expect(strstr(out.data, "velo_jobs{state=\"running\"} 1\n"));
    cr_expect(strstr(out.data, "# TYPE velo_processing_latency_seconds histogram\n"));
    cr_expect(strstr(out.data, "process_resident_memory_bytes "));
    velo_strbuf_free(&out);
}

Test(metrics, measured_job_values_are_rendered_with_their_labels) {
    velo_job_info j;
    memset(&j, 0, sizeof j);
    velo_job_record_init(&j.rec);
    snprintf(j.rec.id, sizeof j.rec.id, "00000000000000aa");
    snprintf(j.rec.name, sizeof j.rec.name, "w");
    snprintf(j.rec.state, sizeof j.rec.state, "running");
    j.late_rows = 3;
    j.eval_errors = 1;
    j.sink_errors = 4;
    j.state_bytes = 4096;
    j.has_watermark = true;
    j.watermark_us = 0;                              /* 1970: a lag of decades */
    j.latency_buckets[0] = 1;                        /* <= 100 us */
    j.latency_buckets[VELO_LATENCY_BUCKETS - 1] = 2; /* > 5 s */
    j.latency_sum_us = 12000050;
    j.nlag = 1;
    snprintf(j.lag[0].topic, sizeof j.lag[0].topic, "orders");
    j.lag[0].partition = 3;
    j.lag[0].lag = 17;
    j.degraded = 1;
    j.paused_partitions = 6;
    j.pauses = 2;
    velo_server_stats st = {.start_time_s = 1.5, .cores = 2, .version = "0.1.0", .ready = 1};
    velo_strbuf out;
    velo_strbuf_init(&out);
    velo_metrics_render(&out, &j, 1, &st);
#define L "{velo_job=\"w\",job_id=\"00000000000000aa\""
    cr_expect(strstr(out.data, "velo_late_records_total" L "} 3\n"), "%s", out.data);
    cr_expect(strstr(out.data, "velo_errors_total" L ",kind=\"late\"} 3\n"));
    cr_expect(strstr(out.data, "velo_errors_total" L ",kind=\"evaluation\"} 1\n"));
    cr_expect(strstr(out.data, "velo_errors_total" L ",kind=\"sink\"} 4\n"));
    cr_expect(strstr(out.data, "velo_state_bytes" L "} 4096\n"));
    cr_expect(strstr(out.data, "velo_watermark_lag_seconds" L "} 1"));
    cr_expect(strstr(out.data, "velo_processing_latency_seconds_bucket" L ",le=\"0.0001\"} 1\n"));
    cr_expect(strstr(out.data, "velo_processing_latency_seconds_bucket" L ",le=\"5\"} 1\n"));
    cr_expect(strstr(out.data, "velo_processing_latency_seconds_bucket" L ",le=\"+Inf\"} 3\n"));
    cr_expect(strstr(out.data, "velo_processing_latency_seconds_count" L "} 3\n"));
    cr_expect(strstr(out.data, "velo_processing_latency_seconds_sum" L "} 12.000050\n"));
    cr_expect(strstr(out.data, "velo_kafka_consumer_lag" L ",topic=\"orders\",partition=\"3\"} 17\n"));
    cr_expect(strstr(out.data, "velo_job_degraded" L "} 1\n"));
    cr_expect(strstr(out.data, "velo_kafka_paused_partitions" L "} 6\n"));
    cr_expect(strstr(out.data, "velo_backpressure_pauses_total" L "} 2\n"));
#undef L
    velo_strbuf_free(&out);
}

Test(connector_status, paused_partitions_count_what_sources_paused_and_pauses_add_up) {
    static velo_connector_status s;
    memset(&s, 0, sizeof s);
    velo_connector_status_paused(&s, 4, true);  /* a source pauses its 4 partitions */
    velo_connector_status_paused(&s, 2, false); /* then gets 2 more while paused */
    velo_connector_status_paused(&s, 3, true);  /* another source pauses 3 */
    cr_expect_eq(atomic_load(&s.paused_partitions), 9);
    velo_connector_status_paused(&s, -6, false); /* the first resumes */
    cr_expect_eq(atomic_load(&s.paused_partitions), 3);
    cr_expect_eq(atomic_load(&s.pauses), 2);
    velo_connector_status_paused(NULL, 1, true); /* not observed: nothing happens */
}

Test(connector_status, error_text_reads_back_whole_and_degraded_counts_connectors_down) {
    static velo_connector_status s;
    memset(&s, 0, sizeof s);
    velo_connector_status_set(&s, true, "kafka source 'a': brokers x unreachable");
    velo_connector_status_set(&s, true, "kafka sink 'b': brokers y unreachable");
    char text[VELO_STATUS_ERROR_MAX];
    cr_expect_eq(atomic_load(&s.degraded), 2);
    velo_connector_status_error(&s, text, sizeof text);
    cr_expect_str_eq(text, "kafka sink 'b': brokers y unreachable");
    velo_connector_status_set(&s, false, NULL);
    velo_connector_status_set(&s, false, NULL);
    velo_connector_status_set(&s, false, NULL); /* one too many: stays at 0 */
    cr_expect_eq(atomic_load(&s.degraded), 0);
    velo_partition_lag *a = velo_connector_status_lag_slot(&s, "t", 0);
    velo_partition_lag *b = velo_connector_status_lag_slot(&s, "t", 1);
    cr_expect(a && b && a != b);
    cr_expect_eq(velo_connector_status_lag_slot(&s, "t", 0), a, "the same partition reuses its slot");
}

static void *flip_error_text(void *arg) {
    velo_connector_status *s = arg;
    char a[200], b[200];
    memset(a, 'a', sizeof a - 1), a[sizeof a - 1] = '\0';
    memset(b, 'b', sizeof b / 2), b[sizeof b / 2] = '\0';
    for (int i = 0; i < 20000; i++)
        velo_connector_status_text(s, i % 2 ? a : b);
    return NULL;
}

Test(connector_status, a_reader_never_sees_a_half_written_error_text) {
    static velo_connector_status s;
    memset(&s, 0, sizeof s);
    velo_connector_status_text(&s, "b");
    pthread_t writer;
    cr_assert_eq(pthread_create(&writer, NULL, flip_error_text, &s), 0);
    char text[VELO_STATUS_ERROR_MAX];
    for (int i = 0; i < 20000; i++) {
        size_t n = velo_connector_status_error(&s, text, sizeof text);
        for (size_t k = 1; k < n; k++)
            cr_assert_eq(text[k], text[0], "mixed text at %zu: %s", k, text);
        cr_assert(n == 1 || n == 100 || n == 199, "length %zu", n);
    }
    pthread_join(writer, NULL);
}
