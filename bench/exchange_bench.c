/* Exchange microbenchmark: batches/s and per-hop latency (p50/p99, ns) from core 1 to core 0 of a
 * two-core runtime (pinned), through the ck_ring exchange with io_uring doorbells, with busy
 * polling, and through a mutex + condition variable queue between two threads pinned the same way.
 * Throughput: a stream of batches; latency: one message in flight at a time (a hop, not a queue).
 * usage: bench_exchange [MESSAGES]   (default 200000) */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/exchange.h"
#include "core/runtime.h"

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct run {
    long n;
    bool one_in_flight;
    velo_exchange *x;
    uint64_t *lat; /* per message, consumer side */
    _Atomic long taken;
    uint64_t t0, t1;
} run;

static bool pending(void *ud) {
    void **p = ud;
    return velo_exchange_pending(p[0], velo_core_id(p[1]));
}

static void ring_core(velo_core *core, void *ud) {
    run *r = ud;
    velo_type t = velo_type_make(VELO_TYPE_BIGINT);
    if (velo_core_id(core) == 1) {
        r->t0 = now_ns();
        for (long i = 0; i < r->n; i++) {
            if (r->one_in_flight)
                while (atomic_load_explicit(&r->taken, memory_order_acquire) < i)
                    __builtin_ia32_pause();
            velo_batch *b = velo_batch_new_types(1, &t, 1);
            b->origin[0] = (int64_t)now_ns();
            velo_exchange_send_batch(r->x, core, 0, b);
        }
        velo_exchange_broadcast(r->x, core, VELO_XMSG_END, 0);
        return;
    }
    velo_exchange_broadcast(r->x, core, VELO_XMSG_END, 0);
    long got = 0;
    while (!velo_exchange_done(r->x, 0)) {
        velo_xmsg *m = velo_exchange_poll(r->x, core);
        if (!m) {
            void *p[2] = {r->x, core};
            velo_core_sleep(core, pending, p);
            continue;
        }
        if (m->kind == VELO_XMSG_BATCH) {
            r->lat[got++] = now_ns() - (uint64_t)m->batch->origin[0];
            atomic_store_explicit(&r->taken, got, memory_order_release);
        }
        velo_xmsg_free(m);
    }
    r->t1 = now_ns();
}

static void report(const char *what, run *r) {
    qsort(r->lat, (size_t)r->n, sizeof *r->lat, cmp_u64);
    if (r->one_in_flight)
        printf("  %-26s latency p50 %7llu ns  p99 %8llu ns\n", what, (unsigned long long)r->lat[r->n / 2],
               (unsigned long long)r->lat[r->n * 99 / 100]);
    else
        printf("  %-26s %10.0f batches/s\n", what, r->n / ((r->t1 - r->t0) / 1e9));
}

static void ring_run(const char *what, long n, bool busy, bool one) {
    velo_runtime *rt;
    velo_error err;
    velo_runtime_config cfg = {.ncores = 2, .busy_poll = busy, .pin = true};
    run r = {.n = n, .one_in_flight = one, .lat = calloc((size_t)n, sizeof(uint64_t))};
    if (velo_runtime_new(&cfg, &rt, &err) || velo_exchange_new(rt, 1, 64, &r.x, &err)) {
        fprintf(stderr, "bench_exchange: %s\n", err.message);
        exit(1);
    }
    velo_runtime_start(rt, ring_core, &r, &err);
    while (!velo_runtime_wait(rt, 1000))
        ;
    report(what, &r);
    velo_exchange_free(r.x);
    velo_runtime_free(rt);
    free(r.lat);
}

/* ---- baseline: a mutex + condition variable queue of the same capacity ---- */

typedef struct mq {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    velo_batch *slot[64];
    unsigned head, tail; /* head - tail = items */
    run *r;
} mq;

static void pin(int i) {
    cpu_set_t all, one;
    sched_getaffinity(0, sizeof all, &all);
    int n = CPU_COUNT(&all), k = 0;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &all) && k++ == i % n) {
            CPU_ZERO(&one);
            CPU_SET(c, &one);
            pthread_setaffinity_np(pthread_self(), sizeof one, &one);
            return;
        }
}

static void *mq_producer(void *ud) {
    mq *q = ud;
    run *r = q->r;
    velo_type t = velo_type_make(VELO_TYPE_BIGINT);
    pin(1);
    r->t0 = now_ns();
    for (long i = 0; i < r->n; i++) {
        if (r->one_in_flight)
            while (atomic_load_explicit(&r->taken, memory_order_acquire) < i)
                __builtin_ia32_pause();
        velo_batch *b = velo_batch_new_types(1, &t, 1);
        b->origin[0] = (int64_t)now_ns();
        pthread_mutex_lock(&q->mu);
        while (q->head - q->tail == 64)
            pthread_cond_wait(&q->not_full, &q->mu);
        q->slot[q->head++ % 64] = b;
        pthread_cond_signal(&q->not_empty);
        pthread_mutex_unlock(&q->mu);
    }
    return NULL;
}

static void mq_run(long n, bool one) {
    run r = {.n = n, .one_in_flight = one, .lat = calloc((size_t)n, sizeof(uint64_t))};
    mq q = {.r = &r};
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.not_empty, NULL);
    pthread_cond_init(&q.not_full, NULL);
    pthread_t th;
    pthread_create(&th, NULL, mq_producer, &q);
    pin(0);
    for (long got = 0; got < n;) {
        pthread_mutex_lock(&q.mu);
        while (q.head == q.tail)
            pthread_cond_wait(&q.not_empty, &q.mu);
        velo_batch *b = q.slot[q.tail++ % 64];
        pthread_cond_signal(&q.not_full);
        pthread_mutex_unlock(&q.mu);
        r.lat[got++] = now_ns() - (uint64_t)b->origin[0];
        atomic_store_explicit(&r.taken, got, memory_order_release);
        velo_batch_free(b);
    }
    r.t1 = now_ns();
    pthread_join(th, NULL);
    report(one ? "mutex+condvar queue" : "mutex+condvar queue", &r);
    free(r.lat);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 200000;
    printf("exchange, core 1 -> core 0, %ld messages (1-row batches), %u CPUs available\n", n,
           velo_runtime_available_cpus());
    printf(" throughput (a stream, ring of 64):\n");
    ring_run("ck_ring + io_uring doorbell", n, false, false);
    ring_run("ck_ring, --busy-poll", n, true, false);
    mq_run(n, false);
    long m = n / 10 > 200 ? n / 10 : 200;
    printf(" per-hop latency (one message in flight, %ld messages):\n", m);
    ring_run("ck_ring + io_uring doorbell", m, false, true);
    ring_run("ck_ring, --busy-poll", m, true, true);
    mq_run(m, true);
    return 0;
}
