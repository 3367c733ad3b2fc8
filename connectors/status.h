/* The live state of a job's connectors, written by the job's threads and read by the control plane
 * (GET /health/ready, /metrics) at any time: how many connectors cannot reach their broker now, the
 * last such error text, the consumer lag per topic partition, and partitions paused by backpressure. No
 * locks: counters are atomics, the error text is a seqlock (written on state changes only, read by retrying).
 */
#ifndef VELO_CONNECTORS_STATUS_H
#define VELO_CONNECTORS_STATUS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VELO_STATUS_ERROR_MAX 256
#define VELO_STATUS_LAG_SLOTS 32
#define VELO_STATUS_TOPIC_MAX 96

typedef struct velo_partition_lag {
    char topic[VELO_STATUS_TOPIC_MAX]; /* written once, before `ready` */
    int32_t partition;
    _Atomic int64_t lag; /* records between the source's position and the partition's end */
    atomic_bool ready;
} velo_partition_lag;

typedef struct velo_connector_status {
    _Atomic uint32_t degraded; /* connectors that cannot reach their broker now */
    _Atomic uint32_t seq;      /* seqlock over `error`: odd while a writer changes it */
    _Atomic char error[VELO_STATUS_ERROR_MAX];
    _Atomic uint32_t nlag; /* slots of `lag` claimed */
    velo_partition_lag lag[VELO_STATUS_LAG_SLOTS];
    /* backpressure: source partitions paused now because the output is backlogged, and how many
     * times a source paused */
    _Atomic uint32_t paused_partitions;
    _Atomic uint64_t pauses;
} velo_connector_status;

/* A connector's transition between reachable and unreachable (text: why, e.g. librdkafka's error).
 * Each connector calls it with down=true once when it loses its broker and down=false once when
 * it is back, so `degraded` counts the connectors down. The text stays as the last cause. */
void velo_connector_status_set(velo_connector_status *s, bool down, const char *text);
/* Replaces the error text only (a connector still down, with a newer cause). */
void velo_connector_status_text(velo_connector_status *s, const char *text);
/* The last error text, consistent (copied under the seqlock). Returns its length. */
size_t velo_connector_status_error(const velo_connector_status *s, char *out, size_t n);
/* A source paused `delta` more partitions (new_pause: it starts a pause) or resumed -delta of them.
 * s may be NULL. */
void velo_connector_status_paused(velo_connector_status *s, int32_t delta, bool new_pause);
/* A slot for one topic partition's lag, or NULL when all are taken. */
velo_partition_lag *velo_connector_status_lag_slot(velo_connector_status *s, const char *topic,
                                                   int32_t partition);

#endif
