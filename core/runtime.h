/* The thread-per-core runtime: one pinned worker thread per core, each waiting only on its own
 * io_uring ring (an eventfd doorbell read), with cache-line-aligned metric counters that the control
 * thread reads and an SPSC control ring (stop, checkpoint) from the control thread. A core touches
 * only its own state; data changes core through an exchange (core/exchange.h). */
#ifndef VELO_CORE_RUNTIME_H
#define VELO_CORE_RUNTIME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "velo/error.h"

#define VELO_CACHE_LINE 64
#define VELO_MAX_CORES  256

typedef struct velo_runtime velo_runtime;
typedef struct velo_core velo_core;

/* Counters of one core: written only by that core (plain store of load+1, no RMW), read by the
 * control thread at any time. One cache line each core, so cores never share a line. */
typedef struct velo_core_metrics {
    _Alignas(VELO_CACHE_LINE) _Atomic uint64_t rows_in; /* rows read from the core's source slice */
    _Atomic uint64_t rows_out;                          /* rows the core's sink wrote */
    _Atomic uint64_t batches_sent;                      /* batches put on exchange rings */
    _Atomic uint64_t batches_received;                  /* batches taken off exchange rings */
    _Atomic uint64_t full_waits;                        /* times a full ring stopped this core */
    _Atomic uint64_t sleeps;                            /* times the core waited on its io_uring */
    /* how the waits ended: the doorbell (an eventfd write: velo_core_wake, an exchange, or a library
     * such as librdkafka writing to velo_core_wake_fd) or the sleep limit (nothing woke the core) */
    _Atomic uint64_t wakeups;
    _Atomic uint64_t sleep_timeouts;
} velo_core_metrics;

static inline void velo_metric_add(_Atomic uint64_t *c, uint64_t n) {
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n, memory_order_relaxed);
}

/* Control messages (control thread -> core). */
typedef enum velo_control_kind {
    VELO_CONTROL_STOP = 1,       /* stop reading sources; drain, flush and end as at end of input */
    VELO_CONTROL_CHECKPOINT = 2, /* a checkpoint barrier: a checkpointed plan's core 0 takes one between
                                    two batches (engine/checkpoint.h) */
} velo_control_kind;

typedef struct velo_runtime_config {
    uint32_t ncores; /* worker threads; may exceed the CPUs (then several share a CPU) */
    bool busy_poll;  /* spin instead of sleeping on io_uring (latency-critical machines) */
    bool pin;        /* pin core i to the i-th allowed CPU (modulo their number) */
} velo_runtime_config;

/* The CPUs this process may run on (sched_getaffinity); at least 1. */
uint32_t velo_runtime_available_cpus(void);

velo_status velo_runtime_new(const velo_runtime_config *cfg, velo_runtime **out, velo_error *err);
/* Starts one thread per core running fn(core, ud). */
velo_status velo_runtime_start(velo_runtime *rt, void (*fn)(velo_core *core, void *ud), void *ud,
                               velo_error *err);
/* Control thread: waits up to timeout_ms for every core's function to return; true when all have. */
bool velo_runtime_wait(velo_runtime *rt, int timeout_ms);
/* Joins the threads (after velo_runtime_wait returned true, or to wait without bound) and frees. */
void velo_runtime_free(velo_runtime *rt);

uint32_t velo_runtime_ncores(const velo_runtime *rt);
velo_core *velo_runtime_core(velo_runtime *rt, uint32_t i);
const velo_core_metrics *velo_runtime_metrics(const velo_runtime *rt, uint32_t i);
/* Control thread: queues a control message for core i and wakes it. False when its ring is full. */
bool velo_runtime_control(velo_runtime *rt, uint32_t i, velo_control_kind kind);

/* ---- on a core ---- */
uint32_t velo_core_id(const velo_core *c);
velo_runtime *velo_core_runtime(velo_core *c);
velo_core_metrics *velo_core_metrics_of(velo_core *c);
/* Next control message for this core, or 0. */
velo_control_kind velo_core_control_poll(velo_core *c);
/* Sleeps until woken (velo_core_wake) unless ready(ud) is true once the core has announced that it
 * sleeps: a producer that enqueues after that announcement sees it and rings the doorbell, so no
 * wake-up is lost. With busy_poll it spins instead. */
void velo_core_sleep(velo_core *c, bool (*ready)(void *ud), void *ud);
/* Wakes core c if it sleeps (after the caller published what it waits for). Any thread. */
void velo_core_wake(velo_core *c);
/* The eventfd the core's io_uring waits on, for a library that signals readiness by writing to a
 * descriptor (librdkafka's queue IO events write 8-byte counts to it: any write wakes the core, a
 * write while it is awake makes its next sleep return at once). -1 with --busy-poll: the core never
 * sleeps, its loop polls. */
int velo_core_wake_fd(const velo_core *c);
/* The core's sleeps last at most `ms` milliseconds (0: until woken), for a loop that must run now and
 * then even when nothing arrives (a Kafka consumer's poll interval, processing-time ticks). */
void velo_core_set_sleep_limit(velo_core *c, int ms);

/* Work a core does while a full ring stops it: the job installs a function that services the
 * exchanges of level `level` and above (the consumer of level L sends only to levels above L, so
 * this cannot deadlock nor re-enter the stage that is stopped). Returns true when it made progress. */
typedef bool (*velo_core_service_fn)(velo_core *c, uint32_t level, void *ud);
void velo_core_set_service(velo_core *c, velo_core_service_fn fn, void *ud);
bool velo_core_service(velo_core *c, uint32_t level);

#endif
