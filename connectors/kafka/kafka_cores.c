/* Kafka partitions forwarded to the cores that own them (connectors/kafka/kafka_cores.h).
 *
 * Who touches what: the per-core queues are librdkafka objects (thread-safe); forwarding is set up
 * by core 0 in the rebalance callback; notes go from core 0 to core i over core i's SPSC ck_ring
 * (producer core 0, consumer core i); `done` flags are written once by their slice and read by
 * slice 0. Wake-ups: librdkafka writes an 8-byte count to a core's eventfd when its queue turns
 * non-empty (an eventfd write blocks only on counter overflow, so the runtime's blocking eventfd
 * is fine where librdkafka asks for a non-blocking descriptor); core 0 writes the same way when it
 * posts a note. */
#include "connectors/kafka/kafka_cores.h"

#include <ck_ring.h>
#include <mimalloc.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "state/tsan.h"

#define NOTE_SLOTS 4096

typedef struct kcore {
    _Alignas(64) struct ck_ring notes; /* core 0 -> this core */
    ck_ring_buffer_t *notes_buf;
    rd_kafka_queue_t *queue;
    int wake_fd;
    atomic_bool done;
} kcore;

struct velo_kcores {
    rd_kafka_t *rk;
    uint32_t n;
    kcore *cores;
    rd_kafka_queue_t *consumer; /* rebalance events (core 0) */
    _Atomic uint32_t ndone;
};

velo_status velo_kcores_new(rd_kafka_t *rk, uint32_t n, velo_kcores **out, velo_error *err) {
    *out = NULL;
    velo_kcores *kc = mi_zalloc(sizeof *kc);
    if (!kc) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    kc->rk = rk;
    kc->n = n;
    kc->cores = mi_zalloc_aligned(sizeof *kc->cores * n, 64);
    kc->consumer = rd_kafka_queue_get_consumer(rk);
    if (!kc->cores || !kc->consumer) goto nomem;
    for (uint32_t i = 0; i < n; i++) {
        kcore *c = &kc->cores[i];
        c->wake_fd = -1;
        ck_ring_init(&c->notes, NOTE_SLOTS);
        if (!(c->notes_buf = mi_zalloc(sizeof(ck_ring_buffer_t) * NOTE_SLOTS))) goto nomem;
        if (!(c->queue = rd_kafka_queue_new(rk))) goto nomem;
    }
    *out = kc;
    return VELO_OK;
nomem:
    velo_kcores_free(kc);
    return velo_error_set(err, VELO_ERR_NOMEM, "out of memory creating the queues of %u cores", n);
}

void velo_kcores_free(velo_kcores *kc) {
    if (!kc) return;
    for (uint32_t i = 0; kc->cores && i < kc->n; i++) {
        kcore *c = &kc->cores[i];
        velo_kcores_note *note;
        while (c->notes_buf && (note = velo_kcores_next(kc, i)))
            mi_free(note);
        mi_free(c->notes_buf);
        if (c->queue) {
            rd_kafka_queue_io_event_enable(c->queue, -1, NULL, 0);
            rd_kafka_queue_destroy(c->queue);
        }
    }
    if (kc->consumer) {
        rd_kafka_queue_io_event_enable(kc->consumer, -1, NULL, 0);
        rd_kafka_queue_destroy(kc->consumer);
    }
    mi_free(kc->cores);
    mi_free(kc);
}

uint32_t velo_kcores_n(const velo_kcores *kc) { return kc->n; }
rd_kafka_queue_t *velo_kcores_queue(velo_kcores *kc, uint32_t slice) { return kc->cores[slice].queue; }

void velo_kcores_attach(velo_kcores *kc, uint32_t slice, int wake_fd) {
    kcore *c = &kc->cores[slice];
    c->wake_fd = wake_fd;
    if (wake_fd < 0) return; /* busy polling: the core's loop asks the queue */
    static const uint64_t one = 1;
    rd_kafka_queue_io_event_enable(c->queue, wake_fd, &one, sizeof one);
    if (slice == 0) rd_kafka_queue_io_event_enable(kc->consumer, wake_fd, &one, sizeof one);
}

void velo_kcores_attach_none(velo_kcores *kc) {
    for (uint32_t i = 0; i < kc->n; i++) {
        kc->cores[i].wake_fd = -1;
        rd_kafka_queue_io_event_enable(kc->cores[i].queue, -1, NULL, 0);
    }
    rd_kafka_queue_io_event_enable(kc->consumer, -1, NULL, 0);
}

uint32_t velo_kcores_owner(const velo_kcores *kc, const char *topic, int32_t partition) {
    uint32_t h = 2166136261u; /* FNV-1a: spreads the partitions of several topics over the cores */
    for (const unsigned char *p = (const unsigned char *)topic; *p; p++)
        h = (h ^ *p) * 16777619u;
    return (uint32_t)(((uint64_t)h + (uint32_t)partition) % kc->n);
}

static void forward(velo_kcores *kc, const rd_kafka_topic_partition_list_t *parts, bool on) {
    for (int i = 0; i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *tp = &parts->elems[i];
        rd_kafka_queue_t *q = rd_kafka_queue_get_partition(kc->rk, tp->topic, tp->partition);
        if (!q) continue;
        rd_kafka_queue_forward(q,
                               on ? kc->cores[velo_kcores_owner(kc, tp->topic, tp->partition)].queue : NULL);
        rd_kafka_queue_destroy(q);
    }
}

void velo_kcores_forward(velo_kcores *kc, const rd_kafka_topic_partition_list_t *parts) {
    forward(kc, parts, true);
}
void velo_kcores_unforward(velo_kcores *kc, const rd_kafka_topic_partition_list_t *parts) {
    forward(kc, parts, false);
}

static void wake(int fd) {
    if (fd < 0) return;
    uint64_t one = 1;
    ssize_t w = write(fd, &one, sizeof one);
    (void)w;
}

bool velo_kcores_post(velo_kcores *kc, uint32_t slice, velo_kcores_note_kind kind, const char *topic,
                      int32_t partition, int64_t lo, int64_t hi) {
    size_t tl = topic ? strlen(topic) : 0;
    velo_kcores_note *note = mi_malloc(sizeof *note + tl + 1);
    VELO_TSAN_ALLOCATED();
    if (!note) return false;
    note->kind = kind;
    note->partition = partition;
    note->lo = lo;
    note->hi = hi;
    memcpy(note->topic, topic ? topic : "", tl + 1);
    kcore *c = &kc->cores[slice];
    VELO_TSAN_RELEASE(&c->notes);
    VELO_TSAN_IGNORE_BEGIN();
    bool ok = ck_ring_enqueue_spsc(&c->notes, c->notes_buf, note);
    VELO_TSAN_IGNORE_END();
    if (!ok) {
        mi_free(note);
        return false;
    }
    if (slice != 0) wake(c->wake_fd);
    return true;
}

velo_kcores_note *velo_kcores_next(velo_kcores *kc, uint32_t slice) {
    kcore *c = &kc->cores[slice];
    void *v;
    VELO_TSAN_IGNORE_BEGIN();
    bool got = ck_ring_dequeue_spsc(&c->notes, c->notes_buf, &v);
    VELO_TSAN_IGNORE_END();
    if (!got) return NULL;
    VELO_TSAN_ACQUIRE(&c->notes);
    return v;
}

bool velo_kcores_ready(velo_kcores *kc, uint32_t slice) {
    kcore *c = &kc->cores[slice];
    VELO_TSAN_IGNORE_BEGIN();
    bool notes = ck_ring_size(&c->notes) > 0;
    VELO_TSAN_IGNORE_END();
    if (notes || rd_kafka_queue_length(c->queue) > 0) return true;
    if (slice != 0) return false;
    return rd_kafka_queue_length(kc->consumer) > 0 ||
           (atomic_load(&c->done) && atomic_load(&kc->ndone) == kc->n);
}

bool velo_kcores_slice_done(velo_kcores *kc, uint32_t slice) {
    kcore *c = &kc->cores[slice];
    if (!atomic_exchange(&c->done, true)) {
        atomic_fetch_add(&kc->ndone, 1);
        if (slice != 0) wake(kc->cores[0].wake_fd); /* slice 0 may be waiting for this one */
    }
    return slice != 0 || atomic_load(&kc->ndone) == kc->n;
}

ssize_t velo_kcores_consume(velo_kcores *kc, uint32_t slice, rd_kafka_message_t **msgs, size_t cap) {
    if (slice == 0) {
        ssize_t n = rd_kafka_consume_batch_queue(kc->consumer, 0, msgs, cap);
        if (n != 0) return n;
    }
    return rd_kafka_consume_batch_queue(kc->cores[slice].queue, 0, msgs, cap);
}
