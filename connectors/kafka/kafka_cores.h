/* A Kafka source read on several cores (ARCHITECTURE §2): one consumer per node in the job's group,
 * and per core a librdkafka queue that the partitions it owns are forwarded to
 * (rd_kafka_queue_get_partition + rd_kafka_queue_forward, set up in the rebalance callback before
 * assign). librdkafka writes to the core's wake-up eventfd when the queue gets records, which wakes
 * the core's io_uring. The rebalance callback runs on core 0; it tells the other cores what they own
 * through per-core SPSC rings of notes (no lock on the data path). */
#ifndef VELO_CONNECTORS_KAFKA_CORES_H
#define VELO_CONNECTORS_KAFKA_CORES_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdint.h>

#include "velo/error.h"

typedef struct velo_kcores velo_kcores;

typedef enum velo_kcores_note_kind {
    VELO_KCORES_ASSIGN = 1, /* the core owns (topic, partition) from now on; lo/hi: its offsets then */
    VELO_KCORES_REVOKE,     /* the core owns it no longer */
    VELO_KCORES_ASSIGNED,   /* the group's assignment is complete (maybe nothing for this core) */
    VELO_KCORES_UNASSIGNED, /* a rebalance began: no assignment until the next ASSIGNED */
} velo_kcores_note_kind;

typedef struct velo_kcores_note {
    velo_kcores_note_kind kind;
    int32_t partition;
    int64_t lo, hi; /* ASSIGN in bounded mode: the partition's low and high watermarks; else -1 */
    char topic[];   /* ASSIGN, REVOKE */
} velo_kcores_note;

/* Slice 0, after creating the consumer: the per-core queues of `n` cores. */
velo_status velo_kcores_new(rd_kafka_t *rk, uint32_t n, velo_kcores **out, velo_error *err);
/* Slice 0, before rd_kafka_destroy (the queues hold references on the handle); notes not taken are
 * freed. */
void velo_kcores_free(velo_kcores *kc);

uint32_t velo_kcores_n(const velo_kcores *kc);
/* The queue core `slice` reads its partitions' records from (owned by kc). */
rd_kafka_queue_t *velo_kcores_queue(velo_kcores *kc, uint32_t slice);
/* On opening slice `slice`: librdkafka writes to wake_fd (an eventfd; -1: none, the core busy-polls)
 * when that core's queue, or for slice 0 the consumer queue (rebalances), gets something. */
void velo_kcores_attach(velo_kcores *kc, uint32_t slice, int wake_fd);

/* Slice 0 closing: librdkafka writes to no core's descriptor any more. */
void velo_kcores_attach_none(velo_kcores *kc);

/* The core that owns a partition: (partition + a hash of the topic) % n, the same in every
 * generation of the group, so a partition revoked and assigned back returns to the core it left. */
uint32_t velo_kcores_owner(const velo_kcores *kc, const char *topic, int32_t partition);

/* Core 0, in the rebalance callback. forward(): before rd_kafka_assign, each partition's queue goes to
 * its owner's queue; unforward(): before the empty assign of a revocation. */
void velo_kcores_forward(velo_kcores *kc, const rd_kafka_topic_partition_list_t *parts);
void velo_kcores_unforward(velo_kcores *kc, const rd_kafka_topic_partition_list_t *parts);
/* Core 0: a note for core `slice` (which wakes up for it). False when out of memory or its ring is full. */
bool velo_kcores_post(velo_kcores *kc, uint32_t slice, velo_kcores_note_kind kind, const char *topic,
                      int32_t partition, int64_t lo, int64_t hi);

/* Core `slice`: its next note (the caller frees it with mi_free), or NULL. */
velo_kcores_note *velo_kcores_next(velo_kcores *kc, uint32_t slice);
/* Core `slice`: records or notes wait for it (slice 0: or a rebalance, or every slice ended). */
bool velo_kcores_ready(velo_kcores *kc, uint32_t slice);
/* Core `slice`, which stops reading: it ends once. Slice 0 reads on (serving the group's
 * rebalances) until every slice ended: returns true when this slice may report its end. */
bool velo_kcores_slice_done(velo_kcores *kc, uint32_t slice);
/* Core `slice`: messages to process -- slice 0 first serves the consumer queue (rebalance callbacks
 * run there; a record that reached it before its partition was forwarded is returned too), then
 * reads its own queue. Never waits. */
ssize_t velo_kcores_consume(velo_kcores *kc, uint32_t slice, rd_kafka_message_t **msgs, size_t cap);

#endif
