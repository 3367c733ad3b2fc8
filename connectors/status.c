/* Connector status for the control plane (connectors/status.h). The error text is a seqlock of
 * relaxed atomic bytes: writers (rare: a broker going away or coming back) take the odd sequence
 * by compare-and-swap, readers copy and retry while the sequence was odd or moved. */
#include "connectors/status.h"

#include <stdio.h>
#include <string.h>

static void write_error(velo_connector_status *s, const char *text) {
    uint32_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
    for (;;) {
        if (!(seq & 1) && atomic_compare_exchange_weak_explicit(&s->seq, &seq, seq + 1, memory_order_acquire,
                                                                memory_order_relaxed))
            break;
        seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
    }
    atomic_thread_fence(memory_order_release);
    size_t i = 0;
    for (; text[i] && i + 1 < VELO_STATUS_ERROR_MAX; i++)
        atomic_store_explicit(&s->error[i], text[i], memory_order_relaxed);
    atomic_store_explicit(&s->error[i], '\0', memory_order_relaxed);
    atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
}

void velo_connector_status_set(velo_connector_status *s, bool down, const char *text) {
    if (!s) return;
    if (text && *text) write_error(s, text);
    if (down)
        atomic_fetch_add(&s->degraded, 1);
    else if (atomic_load(&s->degraded))
        atomic_fetch_sub(&s->degraded, 1);
}

void velo_connector_status_text(velo_connector_status *s, const char *text) {
    if (s && text) write_error(s, text);
}

size_t velo_connector_status_error(const velo_connector_status *s, char *out, size_t n) {
    if (!n) return 0;
    for (;;) {
        uint32_t before = atomic_load_explicit(&s->seq, memory_order_acquire);
        size_t i = 0;
        if (!(before & 1)) {
            for (; i + 1 < n && i < VELO_STATUS_ERROR_MAX; i++) {
                char c = atomic_load_explicit(&s->error[i], memory_order_relaxed);
                if (!c) break;
                out[i] = c;
            }
            out[i] = '\0';
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load_explicit(&s->seq, memory_order_relaxed) == before) return i;
        }
    }
}

void velo_connector_status_paused(velo_connector_status *s, int32_t delta, bool new_pause) {
    if (!s) return;
    if (new_pause) atomic_fetch_add(&s->pauses, 1);
    if (delta > 0) {
        atomic_fetch_add(&s->paused_partitions, (uint32_t)delta);
    } else if (delta < 0) {
        atomic_fetch_sub(&s->paused_partitions, (uint32_t)-delta);
    }
}

velo_partition_lag *velo_connector_status_lag_slot(velo_connector_status *s, const char *topic,
                                                   int32_t partition) {
    if (!s) return NULL;
    /* a later statement of the job (or a reassignment) reading the same partition reuses its slot */
    uint32_t n = atomic_load(&s->nlag);
    for (uint32_t k = 0; k < n && k < VELO_STATUS_LAG_SLOTS; k++)
        if (atomic_load_explicit(&s->lag[k].ready, memory_order_acquire) &&
            s->lag[k].partition == partition && !strcmp(s->lag[k].topic, topic))
            return &s->lag[k];
    uint32_t i = atomic_fetch_add(&s->nlag, 1);
    if (i >= VELO_STATUS_LAG_SLOTS) return NULL;
    velo_partition_lag *p = &s->lag[i];
    snprintf(p->topic, sizeof p->topic, "%s", topic);
    p->partition = partition;
    atomic_store(&p->lag, 0);
    atomic_store_explicit(&p->ready, true, memory_order_release);
    return p;
}
