/* A Kafka source opened as slices, one per core (connectors/kafka/kafka_cores.c), against a real
 * Kafka-protocol broker (librdkafka's mock cluster through dev_kafka): each slice reads only the
 * partitions its core owns, every record once; librdkafka wakes a slice's core through its eventfd;
 * bounded slices end, slice 0 last. The "cores" are polled in turn from the test's thread. */
#include <criterion/criterion.h>
#include <librdkafka/rdkafka.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "connectors/connector.h"
#include "connectors/kafka/dev_kafka.h"

#define NSLICES 2

typedef struct fixture {
    velo_dev_kafka *dk;
    char brokers[128];
    velo_uri uri;
    velo_kv options;
    velo_schema *schema;
    velo_dlq dlq;
    velo_source *src[NSLICES];
    velo_batch *batch[NSLICES];
    int efd[NSLICES];
} fixture;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A 4-partition topic "in" and NSLICES slices of a source reading it in group `group`. */
static void start(fixture *f, const char *group, bool bounded) {
    memset(f, 0, sizeof *f);
    velo_dev_kafka_options o = {.port = 0, .partitions = 4, .brokers = 1, .topics = "in"};
    velo_error err = {0};
    cr_assert_eq(velo_dev_kafka_start(&o, &f->dk, &err), VELO_OK, "%s", err.message);
    snprintf(f->brokers, sizeof f->brokers, "%s", velo_dev_kafka_bootstrap(f->dk));
    char text[256];
    snprintf(text, sizeof text, "kafka://%s/in", f->brokers);
    cr_assert_eq(velo_uri_parse(text, &f->uri, &err), VELO_OK, "%s", err.message);
    velo_kv_init(&f->options);
    velo_kv_set(&f->options, "group.id", group);
    velo_kv_set(&f->options, "kafka.session.timeout.ms", "6000");
    if (bounded) velo_kv_set(&f->options, "scan.bounded.mode", "latest-offset");
    f->schema = velo_schema_new(2);
    velo_schema_set(f->schema, 0, "id", velo_type_make(VELO_TYPE_BIGINT));
    velo_schema_set(f->schema, 1, "_partition", velo_type_make(VELO_TYPE_BIGINT));
    velo_dlq_open(&f->dlq, NULL, ".", NULL);
    const velo_source_ops *ops = velo_source_lookup("kafka");
    for (uint32_t i = 0; i < NSLICES; i++) {
        f->efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        cr_assert_geq(f->efd[i], 0);
        velo_connector_args a = {.uri = &f->uri,
                                 .options = &f->options,
                                 .base_dir = ".",
                                 .declared = f->schema,
                                 .dlq = &f->dlq,
                                 .name = "test",
                                 .slice = i,
                                 .nslices = NSLICES,
                                 .wake_fd = f->efd[i],
                                 .first_slice = i ? f->src[0] : NULL};
        cr_assert_eq(ops->open(&a, &f->src[i], &err), VELO_OK, "%s", err.message);
        cr_assert_not_null(f->src[i]->ops->ready, "a sliced kafka source says when it has work");
        f->batch[i] = velo_batch_new(f->schema, 256);
    }
}

static void stop(fixture *f) {
    for (uint32_t i = 0; i < NSLICES; i++) { /* slice 0 first: it owns what the others borrow */
        f->src[i]->ops->close(f->src[i]);
        velo_batch_free(f->batch[i]);
    }
    for (uint32_t i = 0; i < NSLICES; i++)
        close(f->efd[i]);
    velo_dlq_close(&f->dlq);
    velo_schema_free(f->schema);
    velo_kv_free(&f->options);
    velo_uri_free(&f->uri);
    velo_dev_kafka_stop(f->dk);
}

/* {"id": from..to-1}, spread over the partitions by the producer's random partitioner. */
static void produce_ids(fixture *f, int from, int to) {
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", f->brokers, errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    cr_assert_not_null(rk, "%s", errstr);
    for (int i = from; i < to; i++) {
        char v[64];
        int n = snprintf(v, sizeof v, "{\"id\": %d}", i);
        while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("in"), RD_KAFKA_V_PARTITION(i % 4),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(v, (size_t)n),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 10);
    }
    cr_assert_eq(rd_kafka_flush(rk, 20000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
}

/* One poll of slice i: counts ids into seen[], and which slice read each partition into owner[]. */
static uint32_t poll_slice(fixture *f, uint32_t i, int *seen, int nseen, int *owner, bool *eof) {
    velo_batch *b = f->batch[i];
    velo_batch_reset(b);
    velo_error err = {0};
    *eof = false;
    cr_assert_eq(f->src[i]->ops->poll(f->src[i], b, eof, &err), VELO_OK, "%s", err.message);
    for (uint32_t r = 0; r < b->count; r++) {
        int64_t id = VELO_VEC(&b->cols[0], int64_t)[r];
        int64_t part = VELO_VEC(&b->cols[1], int64_t)[r];
        cr_assert(id >= 0 && id < nseen && part >= 0 && part < 4);
        seen[id]++;
        cr_assert(owner[part] < 0 || owner[part] == (int)i, "partition %lld read by slices %d and %u",
                  (long long)part, owner[part], i);
        owner[part] = (int)i;
    }
    return b->count;
}

Test(kafka_cores, each_slice_reads_only_the_partitions_its_core_owns_and_every_record_once) {
    fixture f;
    start(&f, "slices", false);
    enum { N = 4000 };
    static int seen[N];
    memset(seen, 0, sizeof seen);
    int owner[4] = {-1, -1, -1, -1};
    produce_ids(&f, 0, N);
    uint32_t got = 0;
    bool eof;
    for (double end = now_s() + 30; got < N && now_s() < end;)
        for (uint32_t i = 0; i < NSLICES; i++)
            got += poll_slice(&f, i, seen, N, owner, &eof);
    cr_assert_eq(got, N, "read %u of %d records", got, N);
    for (int i = 0; i < N; i++)
        cr_assert_eq(seen[i], 1, "record %d read %d times", i, seen[i]);
    int per_slice[NSLICES] = {0};
    for (int p = 0; p < 4; p++)
        per_slice[owner[p]]++;
    cr_assert(per_slice[0] == 2 && per_slice[1] == 2, "4 partitions over 2 cores: %d and %d", per_slice[0],
              per_slice[1]);
    stop(&f);
}

Test(kafka_cores, librdkafka_wakes_a_core_through_its_eventfd_when_its_partitions_get_records) {
    fixture f;
    start(&f, "wake", false);
    enum { N = 400 };
    static int seen[N];
    memset(seen, 0, sizeof seen);
    int owner[4] = {-1, -1, -1, -1};
    bool eof;
    /* until the group assigned the partitions (slice 0 serves the rebalance) */
    produce_ids(&f, 0, 4);
    uint32_t got = 0;
    for (double end = now_s() + 30; got < 4 && now_s() < end;)
        for (uint32_t i = 0; i < NSLICES; i++)
            got += poll_slice(&f, i, seen, N, owner, &eof);
    cr_assert_eq(got, 4);
    for (uint32_t i = 0; i < NSLICES; i++) { /* nothing waits: the doorbells are drained, not ready */
        uint64_t v;
        while (read(f.efd[i], &v, sizeof v) == sizeof v)
            ;
        poll_slice(&f, i, seen, N, owner, &eof);
        cr_assert_not(f.src[i]->ops->ready(f.src[i]), "slice %u ready with nothing to read", i);
    }
    produce_ids(&f, 4, N);
    for (uint32_t i = 0; i < NSLICES; i++) {
        struct pollfd p = {.fd = f.efd[i], .events = POLLIN};
        cr_assert_eq(poll(&p, 1, 10000), 1, "core %u was not woken by its queue", i);
        cr_assert(f.src[i]->ops->ready(f.src[i]));
    }
    for (double end = now_s() + 30; got < N && now_s() < end;)
        for (uint32_t i = 0; i < NSLICES; i++)
            got += poll_slice(&f, i, seen, N, owner, &eof);
    cr_assert_eq(got, N);
    stop(&f);
}

Test(kafka_cores, bounded_slices_end_and_slice_0_ends_after_every_other_slice) {
    fixture f;
    start(&f, "bounded", true);
    enum { N = 2000 };
    static int seen[N];
    memset(seen, 0, sizeof seen);
    int owner[4] = {-1, -1, -1, -1};
    produce_ids(&f, 0, N);
    bool eof = false;
    uint32_t got = 0;
    /* slice 0 alone: it reads its partitions to their end but waits for slice 1 */
    for (double end = now_s() + 5; now_s() < end;) {
        got += poll_slice(&f, 0, seen, N, owner, &eof);
        cr_assert_not(eof, "slice 0 ended before slice 1");
    }
    bool eof1 = false;
    for (double end = now_s() + 30; !eof1 && now_s() < end;)
        got += poll_slice(&f, 1, seen, N, owner, &eof1);
    cr_assert(eof1, "slice 1 never ended");
    for (double end = now_s() + 10; !eof && now_s() < end;)
        got += poll_slice(&f, 0, seen, N, owner, &eof);
    cr_assert(eof, "slice 0 did not end after slice 1");
    cr_assert_eq(got, N, "read %u of %d", got, N);
    stop(&f);
}
