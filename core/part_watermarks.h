/* Per-partition event-time watermarks of a source (Kafka), as Flink's per-partition watermark
 * generation: each partition's watermark is its own highest event time minus 'watermark.delay'; the
 * source's watermark is the minimum over its partitions that are neither ended nor idle
 * ('watermark.idle.timeout': no record for that long). A row is stamped with its partition's watermark
 * before it, which depends only on that partition's order: late-row decisions then come out the same
 * however partitions interleave, on one core or many (docs/sql/streaming-semantics.md). Not
 * state/window.h's velo_watermark: that one has a fixed partition count, one monotone watermark for
 * the operator and no end or revocation of a partition; a Kafka reader's partitions come and go. */
#ifndef VELO_CORE_PART_WATERMARKS_H
#define VELO_CORE_PART_WATERMARKS_H

#include <stdbool.h>
#include <stdint.h>

#include "velo/error.h"

/* A source's watermark when every live partition is idle: it holds nobody back (as Flink's IDLE
 * status); consumers take the minimum over the others. */
#define VELO_WATERMARK_IDLE INT64_MAX

typedef struct velo_part_wm {
    int64_t max_event;  /* highest event time seen (µs); INT64_MIN: no record yet */
    int64_t last_us;    /* clock of its last record (or of its assignment) */
    bool active, ended; /* assigned to this reader; read to its end (bounded) */
} velo_part_wm;

typedef struct velo_part_watermarks {
    int64_t delay_us, idle_us; /* idle_us 0: partitions never count as idle */
    velo_part_wm *parts;       /* by the reader's partition index */
    uint32_t nparts, cap;
} velo_part_watermarks;

void velo_part_watermarks_init(velo_part_watermarks *w, int64_t delay_us, int64_t idle_us);
void velo_part_watermarks_free(velo_part_watermarks *w);
/* Partition `idx` is read from now on (now_us: any monotonic clock, the same for every call). */
velo_status velo_part_watermarks_assign(velo_part_watermarks *w, uint32_t idx, int64_t now_us,
                                        velo_error *err);
/* Partition `idx` is no longer read by this reader (revoked) or was read to its end. */
void velo_part_watermarks_revoke(velo_part_watermarks *w, uint32_t idx);
void velo_part_watermarks_end(velo_part_watermarks *w, uint32_t idx);
/* A record of event time t (µs) from partition idx: returns the partition's watermark before it
 * (INT64_MIN: none yet) and takes t into account. */
int64_t velo_part_watermarks_row(velo_part_watermarks *w, uint32_t idx, int64_t t, int64_t now_us);
/* The reader's watermark now: the minimum over live (assigned, not ended, not idle) partitions;
 * INT64_MIN while a live partition has no record yet or nothing was ever assigned;
 * VELO_WATERMARK_IDLE when no partition is live any more (all ended or idle). */
int64_t velo_part_watermarks_current(const velo_part_watermarks *w, int64_t now_us);

#endif
