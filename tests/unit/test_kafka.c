/* Kafka connectors under faults: the real source and sink (connectors/kafka/kafka.c) against
 * librdkafka's mock cluster (started through dev-kafka's module), with faults injected through
 * rd_kafka_mock_*: a broker down and up mid-stream, produce errors, offset commit errors. Each
 * test states what was sent and what arrived. */
#include <criterion/criterion.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "connectors/connector.h"
#include "connectors/kafka/dev_kafka.h"
#include "connectors/kafka/kafka_conf.h"

#define API_PRODUCE       0
#define API_FETCH         1
#define API_OFFSET_COMMIT 8

typedef struct fixture {
    velo_dev_kafka *dk;
    rd_kafka_mock_cluster_t *mock;
    char brokers[128];
    velo_uri uri;
    velo_kv options;
    velo_schema *schema;
    velo_dlq dlq;
} fixture;

/* A mock cluster with `topics` (comma-separated); the fixture's URI reads the first one. */
static void fixture_start_n(fixture *f, const char *topics, int partitions, int brokers) {
    memset(f, 0, sizeof *f);
    velo_dev_kafka_options o = {.port = 0, .partitions = partitions, .brokers = brokers, .topics = topics};
    velo_error err = {0};
    cr_assert_eq(velo_dev_kafka_start(&o, &f->dk, &err), VELO_OK, "%s", err.message);
    f->mock = velo_dev_kafka_mock(f->dk);
    snprintf(f->brokers, sizeof f->brokers, "%s", velo_dev_kafka_bootstrap(f->dk));
    char text[256];
    snprintf(text, sizeof text, "kafka://%s/%.*s", f->brokers, (int)strcspn(topics, ","), topics);
    cr_assert_eq(velo_uri_parse(text, &f->uri, &err), VELO_OK, "%s", err.message);
    velo_kv_init(&f->options);
    velo_kv_set(&f->options, "kafka.session.timeout.ms", "6000");
    f->schema = velo_schema_new(1);
    velo_schema_set(f->schema, 0, "id", velo_type_make(VELO_TYPE_BIGINT));
    velo_dlq_open(&f->dlq, NULL, ".", NULL);
}

static void fixture_start(fixture *f, const char *topics, int partitions) {
    fixture_start_n(f, topics, partitions, 1);
}

static void fixture_stop(fixture *f) {
    velo_dlq_close(&f->dlq);
    velo_schema_free(f->schema);
    velo_kv_free(&f->options);
    velo_uri_free(&f->uri);
    velo_dev_kafka_stop(f->dk);
}

static velo_connector_args args_of(fixture *f) {
    return (velo_connector_args){.uri = &f->uri,
                                 .options = &f->options,
                                 .base_dir = ".",
                                 .declared = f->schema,
                                 .dlq = &f->dlq,
                                 .name = "test"};
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Produces {"id": from..to-1} with a plain librdkafka producer. */
static void produce_ids(fixture *f, const char *topic, int from, int to) {
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", f->brokers, errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    cr_assert_not_null(rk, "%s", errstr);
    for (int i = from; i < to; i++) {
        char v[64];
        int n = snprintf(v, sizeof v, "{\"id\": %d}", i);
        while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_VALUE(v, (size_t)n),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 10);
    }
    cr_assert_eq(rd_kafka_flush(rk, 20000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
}

/* Polls the source until `want` rows arrived (or `seconds` passed), marking seen[id]. */
static int poll_ids(velo_source *src, velo_batch *b, int *seen, int nseen, int want, double seconds) {
    int got = 0;
    double end = now_s() + seconds;
    while (got < want && now_s() < end) {
        velo_batch_reset(b);
        bool eof = false;
        velo_error err = {0};
        cr_assert_eq(src->ops->poll(src, b, &eof, &err), VELO_OK, "%s", err.message);
        for (uint32_t r = 0; r < b->count; r++) {
            int64_t id = VELO_VEC(&b->cols[0], int64_t)[r];
            cr_assert(id >= 0 && id < nseen);
            seen[id]++;
            got++;
        }
    }
    return got;
}

Test(kafka, source_reads_every_record_across_a_broker_down_and_up) {
    fixture f;
    fixture_start(&f, "in", 2);
    enum { N = 2000 };
    produce_ids(&f, "in", 0, N);
    velo_connector_args a = args_of(&f);
    velo_kv_set(&f.options, "group.id", "down-up");
    velo_kv_set(&f.options, "kafka.max.partition.fetch.bytes",
                "2000"); /* small fetches: still reading when down */
    velo_source *src = NULL;
    velo_error err = {0};
    cr_assert_eq(velo_source_lookup("kafka")->open(&a, &src, &err), VELO_OK, "%s", err.message);
    velo_batch *b = velo_batch_new(f.schema, 256);
    static int seen[N];
    memset(seen, 0, sizeof seen);
    int got = poll_ids(src, b, seen, N, 300, 30);
    cr_assert_geq(got, 300, "nothing arrived before the fault");
    rd_kafka_mock_broker_set_down(f.mock, 1);
    got += poll_ids(src, b, seen, N, N, 2); /* whatever was prefetched */
    rd_kafka_mock_broker_set_up(f.mock, 1);
    got += poll_ids(src, b, seen, N, N - got, 60);
    int missing = 0, dup = 0;
    for (int i = 0; i < N; i++) {
        missing += seen[i] == 0;
        dup += seen[i] > 1 ? seen[i] - 1 : 0;
    }
    printf("broker down/up: sent %d, received %d, missing %d, duplicated %d\n", N, got, missing, dup);
    cr_expect_eq(missing, 0);
    cr_expect_eq(dup, 0);
    velo_batch_free(b);
    src->ops->close(src);
    fixture_stop(&f);
}

/* Writes rows id = from..to-1 through the sink. */
static velo_status write_ids(velo_sink *sink, const velo_schema *schema, int from, int to, velo_error *err) {
    velo_batch *b = velo_batch_new(schema, (uint32_t)(to - from));
    for (int i = from; i < to; i++) {
        uint32_t r = b->count++;
        VELO_VEC(&b->cols[0], int64_t)[r] = i;
        velo_vector_set_valid(&b->cols[0], r);
    }
    velo_status st = sink->ops->write(sink, b, err);
    velo_batch_free(b);
    return st;
}

static int count_topic(fixture *f, const char *topic, int partitions) {
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", f->brokers, errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    int total = 0;
    for (int p = 0; p < partitions; p++) {
        int64_t lo = 0, hi = 0;
        cr_assert_eq(rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000), 0);
        total += (int)(hi - lo);
    }
    rd_kafka_destroy(rk);
    return total;
}

Test(kafka, sink_delivers_everything_despite_retriable_produce_errors) {
    fixture f;
    fixture_start(&f, "out", 1);
    velo_connector_args a = args_of(&f);
    velo_kv_set(&f.options, "kafka.linger.ms", "0");
    velo_sink *sink = NULL;
    velo_error err = {0};
    cr_assert_eq(velo_sink_lookup("kafka")->open(&a, f.schema, &sink, &err), VELO_OK, "%s", err.message);
    rd_kafka_mock_push_request_errors(f.mock, API_PRODUCE, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                      RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
    cr_assert_eq(write_ids(sink, f.schema, 0, 500, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(sink->ops->flush(sink, &err), VELO_OK, "%s", err.message);
    int n = count_topic(&f, "out", 1);
    printf("retriable produce errors: sent 500, in the topic %d\n", n);
    cr_expect_geq(n, 500, "records lost");
    sink->ops->close(sink);
    fixture_stop(&f);
}

Test(kafka, sink_flush_fails_with_the_reason_when_delivery_is_impossible) {
    fixture f;
    fixture_start(&f, "out", 1);
    velo_connector_args a = args_of(&f);
    velo_kv_set(&f.options, "kafka.linger.ms", "0");
    velo_kv_set(&f.options, "kafka.message.timeout.ms", "2000");
    velo_sink *sink = NULL;
    velo_error err = {0};
    cr_assert_eq(velo_sink_lookup("kafka")->open(&a, f.schema, &sink, &err), VELO_OK, "%s", err.message);
    rd_kafka_mock_topic_set_error(f.mock, "out", RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    rd_kafka_mock_push_request_errors(f.mock, API_PRODUCE, 1, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    velo_status st = write_ids(sink, f.schema, 0, 10, &err);
    if (!st) st = sink->ops->flush(sink, &err);
    cr_assert_eq(st, VELO_ERR_IO);
    cr_expect(strstr(err.message, "kafka sink 'test'") && strstr(err.message, "not delivered"), "%s",
              err.message);
    printf("undeliverable: %s\n", err.message);
    sink->ops->close(sink);
    fixture_stop(&f);
}

Test(kafka, failed_offset_commit_is_retried_by_the_next_commit) {
    fixture f;
    fixture_start(&f, "in", 1);
    produce_ids(&f, "in", 0, 100);
    velo_connector_args a = args_of(&f);
    velo_kv_set(&f.options, "group.id", "commit-errors");
    velo_source *src = NULL;
    velo_error err = {0};
    cr_assert_eq(velo_source_lookup("kafka")->open(&a, &src, &err), VELO_OK, "%s", err.message);
    velo_batch *b = velo_batch_new(f.schema, 256);
    static int seen[100];
    memset(seen, 0, sizeof seen);
    cr_assert_eq(poll_ids(src, b, seen, 100, 100, 30), 100);
    rd_kafka_mock_push_request_errors(f.mock, API_OFFSET_COMMIT, 1, RD_KAFKA_RESP_ERR_NOT_COORDINATOR);
    cr_expect_eq(src->ops->commit(src, &err), VELO_OK, "a failed commit must not fail the job");
    cr_expect_eq(src->ops->commit(src, &err), VELO_OK);
    /* what the group committed, as another member of it sees it */
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", f.brokers, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", "commit-errors", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, "in", 0);
    cr_assert_eq(rd_kafka_committed(rk, l, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    printf("commit after an injected OffsetCommit error: committed offset %lld of 100\n",
           (long long)l->elems[0].offset);
    cr_expect_eq(l->elems[0].offset, 100);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
    velo_batch_free(b);
    src->ops->close(src);
    fixture_stop(&f);
}

static int64_t committed_offset(fixture *f, const char *group, const char *topic, int partition) {
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", f->brokers, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition);
    cr_assert_eq(rd_kafka_committed(rk, l, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    int64_t off = l->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
    return off;
}

/* The ids in `topic` partition 0 at offsets [from, to), read uncommitted (the mock cluster does not
 * hide aborted records, so the test itself knows which offset ranges each transaction wrote). */
static void ids_in_range(fixture *f, const char *topic, int64_t from, int64_t to, int *seen, int nseen) {
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", f->brokers, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", "verifier", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "isolation.level", "read_uncommitted", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0)->offset = from;
    rd_kafka_assign(rk, l);
    double end = now_s() + 20;
    for (int64_t next = from; next < to && now_s() < end;) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) continue;
        if (!m->err && m->offset < to) {
            int id = -1;
            sscanf((const char *)m->payload, "{\"id\":%d", &id);
            cr_assert(id >= 0 && id < nseen, "unexpected record at offset %lld", (long long)m->offset);
            seen[id]++;
        }
        if (!m->err) next = m->offset + 1;
        rd_kafka_message_destroy(m);
    }
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

static int64_t end_offset(fixture *f, const char *topic) {
    return count_topic(f, topic, 1); /* one partition, low watermark 0 */
}

/* Reads every available record of the source and writes it to the sink (a pass-through job). */
static int pass_through(velo_source *src, velo_sink *sink, velo_batch *b, int want) {
    int got = 0;
    double end = now_s() + 30;
    while (got < want && now_s() < end) {
        velo_batch_reset(b);
        bool eof = false;
        velo_error err = {0};
        cr_assert_eq(src->ops->poll(src, b, &eof, &err), VELO_OK, "%s", err.message);
        if (!b->count) continue;
        cr_assert_eq(sink->ops->write(sink, b, &err), VELO_OK, "%s", err.message);
        got += (int)b->count;
    }
    return got;
}

Test(kafka, exactly_once_commits_offsets_with_the_output_and_an_aborted_run_replays_exactly) {
    fixture f;
    fixture_start(&f, "in,out", 1);
    velo_error err = {0};
    char text[256];
    velo_uri out_uri;
    snprintf(text, sizeof text, "kafka://%s/out", f.brokers);
    velo_uri_parse(text, &out_uri, &err);
    velo_kv_set(&f.options, "group.id", "eos");
    velo_kv_set(&f.options, "processing.guarantee", "exactly_once");
    velo_connector_args sa = args_of(&f), ka = args_of(&f);
    ka.uri = &out_uri;
    const velo_source_ops *sops = velo_source_lookup("kafka");
    const velo_sink_ops *kops = velo_sink_lookup("kafka");
    velo_batch *b = velo_batch_new(f.schema, 256);
    enum { N = 150 };

    /* run 1: 100 records, one commit point */
    produce_ids(&f, "in", 0, 100);
    velo_source *src = NULL;
    velo_sink *sink = NULL;
    cr_assert_eq(sops->open(&sa, &src, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(kops->open(&ka, f.schema, &sink, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(pass_through(src, sink, b, 100), 100);
    cr_assert_eq(kops->commit(sink, src, &err), VELO_OK, "%s", err.message);
    int64_t txn1_end = end_offset(&f, "out");
    cr_expect_eq(committed_offset(&f, "eos", "in", 0), 100);

    /* run 1 goes on: 50 more records written, then it dies before its next commit point */
    produce_ids(&f, "in", 100, N);
    cr_assert_eq(pass_through(src, sink, b, 50), 50);
    cr_assert_eq(sink->ops->flush(sink, &err), VELO_OK, "%s", err.message); /* written, not committed */
    kops->close(sink); /* the open transaction is aborted */
    sops->close(src);
    int64_t aborted_end = end_offset(&f, "out");
    cr_expect_eq(committed_offset(&f, "eos", "in", 0), 100, "an aborted transaction committed its offsets");

    /* run 2 (restart): resumes at the committed offset and replays the aborted part */
    cr_assert_eq(sops->open(&sa, &src, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(kops->open(&ka, f.schema, &sink, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(pass_through(src, sink, b, 50), 50, "the restart does not resume at offset 100");
    cr_assert_eq(kops->commit(sink, src, &err), VELO_OK, "%s", err.message);
    int64_t txn3_end = end_offset(&f, "out");
    cr_expect_eq(committed_offset(&f, "eos", "in", 0), N);

    /* the verifier: committed transactions wrote [0, txn1_end) and [aborted_end, txn3_end) */
    static int seen[N];
    memset(seen, 0, sizeof seen);
    ids_in_range(&f, "out", 0, txn1_end, seen, N);
    ids_in_range(&f, "out", aborted_end, txn3_end, seen, N);
    int missing = 0, dup = 0, got = 0;
    for (int i = 0; i < N; i++) {
        got += seen[i];
        missing += seen[i] == 0;
        dup += seen[i] > 1 ? seen[i] - 1 : 0;
    }
    printf(
        "exactly-once with an aborted run: sent %d, committed output %d (aborted transaction: %lld records "
        "at offsets %lld..%lld), missing %d, duplicated %d\n",
        N, got, (long long)(aborted_end - txn1_end), (long long)txn1_end, (long long)aborted_end - 1, missing,
        dup);
    cr_expect_eq(missing, 0);
    cr_expect_eq(dup, 0);
    cr_expect_eq(aborted_end - txn1_end, 50);
    velo_batch_free(b);
    kops->close(sink);
    sops->close(src);
    velo_uri_free(&out_uri);
    fixture_stop(&f);
}

Test(kafka, source_reads_every_record_through_fetch_errors_latency_and_a_leader_change) {
    fixture f;
    fixture_start_n(&f, "in", 2, 2);
    enum { N = 3000 };
    produce_ids(&f, "in", 0, N);
    velo_connector_args a = args_of(&f);
    velo_kv_set(&f.options, "group.id", "faults");
    velo_kv_set(&f.options, "kafka.max.partition.fetch.bytes", "2000");
    velo_source *src = NULL;
    velo_error err = {0};
    cr_assert_eq(velo_source_lookup("kafka")->open(&a, &src, &err), VELO_OK, "%s", err.message);
    velo_batch *b = velo_batch_new(f.schema, 256);
    static int seen[N];
    memset(seen, 0, sizeof seen);
    int got = poll_ids(src, b, seen, N, 300, 30);
    cr_assert_geq(got, 300);
    /* retriable fetch errors, 30 ms more per request, then partition 0 moves to the other broker */
    rd_kafka_mock_push_request_errors(
        f.mock, API_FETCH, 4, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE);
    rd_kafka_mock_broker_set_rtt(f.mock, 1, 30);
    rd_kafka_mock_broker_set_rtt(f.mock, 2, 30);
    got += poll_ids(src, b, seen, N, 300, 10);
    rd_kafka_mock_partition_set_leader(f.mock, "in", 0, 2);
    rd_kafka_mock_partition_set_leader(f.mock, "in", 1, 1);
    got += poll_ids(src, b, seen, N, N - got, 60);
    int missing = 0, dup = 0;
    for (int i = 0; i < N; i++) {
        missing += seen[i] == 0;
        dup += seen[i] > 1 ? seen[i] - 1 : 0;
    }
    printf("fetch errors, rtt, leader change: sent %d, received %d, missing %d, duplicated %d\n", N, got,
           missing, dup);
    cr_expect_eq(missing, 0);
    velo_batch_free(b);
    src->ops->close(src);
    fixture_stop(&f);
}

/* The group.id a consumer configuration for `args` gets. */
static void group_of(const velo_connector_args *args, char *out, size_t n) {
    rd_kafka_conf_t *conf = NULL;
    velo_error err = {0};
    cr_assert_eq(velo_kafka_conf(args, VELO_KAFKA_CONSUMER, &conf, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(rd_kafka_conf_get(conf, "group.id", out, &n), RD_KAFKA_CONF_OK);
    rd_kafka_conf_destroy(conf);
}

Test(kafka, readers_of_one_query_get_a_consumer_group_each) {
    velo_uri uri;
    velo_error err = {0};
    cr_assert_eq(velo_uri_parse("kafka://127.0.0.1:1/bid", &uri, &err), VELO_OK, "%s", err.message);
    velo_kv opts, claims, other;
    velo_kv_init(&opts);
    velo_kv_init(&claims);
    velo_kv_init(&other);
    velo_connector_args a = {.uri = &uri, .options = &opts, .name = "bid", .claims = &claims};
    char g1[256], g2[256], g3[256], alone[256];
    group_of(&a, g1, sizeof g1); /* the first reader: the source's own group */
    group_of(&a, g2, sizeof g2); /* a self-join's second reader */
    cr_assert_str_eq(g1, "velo-sql-bid");
    cr_assert_str_eq(g2, "velo-sql-bid-r2");
    /* an explicit group.id (also when given as kafka.group.id) is the first reader's, then -rN */
    velo_kv_set(&opts, "group.id", "risk");
    group_of(&a, g1, sizeof g1);
    velo_kv_set(&opts, "kafka.group.id", "risk");
    group_of(&a, g2, sizeof g2);
    group_of(&a, g3, sizeof g3);
    cr_assert_str_eq(g1, "risk");
    cr_assert_str_eq(g2, "risk-r2");
    cr_assert_str_eq(g3, "risk-r3");
    /* another query (other claims) or no claims at all: the group as configured */
    a.claims = &other;
    group_of(&a, alone, sizeof alone);
    cr_assert_str_eq(alone, "risk");
    a.claims = NULL;
    group_of(&a, alone, sizeof alone);
    cr_assert_str_eq(alone, "risk");
    velo_kv_free(&opts);
    velo_kv_free(&claims);
    velo_kv_free(&other);
    velo_uri_free(&uri);
}
