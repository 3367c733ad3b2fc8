/* The runtime and the exchange on real threads: per-producer order, a full ring stopping its
 * producer until the consumer takes, END and watermarks reaching every consumer, control messages
 * reaching a core, encoded rows (bytes) arriving with their row count. */
#include <criterion/criterion.h>
#include <mimalloc.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/exchange.h"
#include "core/part_watermarks.h"
#include "core/runtime.h"

#define NBATCH 500

typedef struct test_job {
    velo_runtime *rt;
    velo_exchange *x;
    uint32_t ncores;
    uint32_t consumer;         /* core that consumes (order test), or all (broadcast test) */
    _Atomic int order_errors;  /* a batch out of its producer's order */
    _Atomic uint64_t received; /* batches taken */
    _Atomic int ends_seen[8];
    _Atomic int64_t wm_when_all_sent[8];
    _Atomic int stops;
    bool wait_for_full; /* the consumer starts only once a producer was stopped by the full ring */
} test_job;

static velo_batch *numbered_batch(int64_t seq) {
    velo_type t = velo_type_make(VELO_TYPE_BIGINT);
    velo_batch *b = velo_batch_new_types(1, &t, 4);
    b->origin[0] = seq;
    b->count = 1;
    return b;
}

static bool has_message(void *ud) {
    test_job *j = ((void **)ud)[0];
    velo_core *c = ((void **)ud)[1];
    return velo_exchange_pending(j->x, velo_core_id(c));
}

static void consume_all(test_job *j, velo_core *core) {
    uint32_t id = velo_core_id(core);
    int64_t next_seq[8] = {0};
    int wms = 0;
    while (!velo_exchange_done(j->x, id)) {
        velo_xmsg *m = velo_exchange_poll(j->x, core);
        if (!m) {
            void *ud[2] = {j, core};
            velo_core_sleep(core, has_message, ud);
            continue;
        }
        if (m->kind == VELO_XMSG_BATCH) {
            if (m->batch->origin[0] != next_seq[m->from]) atomic_fetch_add(&j->order_errors, 1);
            next_seq[m->from] = m->batch->origin[0] + 1;
            atomic_fetch_add(&j->received, 1);
        } else if (m->kind == VELO_XMSG_WATERMARK && ++wms == (int)j->ncores) {
            atomic_store(&j->wm_when_all_sent[id], velo_exchange_watermark(j->x, id));
        } else if (m->kind == VELO_XMSG_END) {
            atomic_fetch_add(&j->ends_seen[id], 1);
        }
        velo_xmsg_free(m);
    }
}

static void order_core(velo_core *core, void *ud) {
    test_job *j = ud;
    uint32_t id = velo_core_id(core);
    if (id == j->consumer) {
        /* every core is a producer of the mesh: the consumer's own (empty) stream ends too */
        cr_assert(velo_exchange_broadcast(j->x, core, VELO_XMSG_END, 0));
        if (j->wait_for_full)
            while (atomic_load(&velo_runtime_metrics(j->rt, 1)->full_waits) == 0)
                sched_yield();
        consume_all(j, core);
        return;
    }
    for (int64_t s = 0; s < NBATCH; s++)
        cr_assert(velo_exchange_send_batch(j->x, core, j->consumer, numbered_batch(s)));
    cr_assert(velo_exchange_broadcast(j->x, core, VELO_XMSG_END, 0));
}

static void run_job(test_job *j, uint32_t ncores, uint32_t slots, void (*fn)(velo_core *, void *)) {
    velo_error err = {0};
    velo_runtime_config cfg = {.ncores = ncores, .pin = true};
    j->ncores = ncores;
    cr_assert_eq(velo_runtime_new(&cfg, &j->rt, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(velo_exchange_new(j->rt, 1, slots, &j->x, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(velo_runtime_start(j->rt, fn, j, &err), VELO_OK, "%s", err.message);
    while (!velo_runtime_wait(j->rt, 1000))
        ;
}

static void free_job(test_job *j) {
    velo_exchange_free(j->x);
    velo_runtime_free(j->rt);
}

Test(exchange, batches_from_each_producer_arrive_in_the_order_sent) {
    /* 4 threads, more than the CPUs here: three producers race for one consumer's rings */
    test_job j = {.consumer = 0};
    run_job(&j, 4, 8, order_core);
    cr_assert_eq(atomic_load(&j.order_errors), 0);
    cr_assert_eq(atomic_load(&j.received), 3 * NBATCH);
    cr_assert_eq(atomic_load(&j.ends_seen[0]), 4);
    free_job(&j);
}

Test(exchange, a_full_ring_stops_the_producer_until_the_consumer_takes) {
    test_job j = {.consumer = 0, .wait_for_full = true};
    run_job(&j, 2, 4, order_core);
    cr_assert_geq(atomic_load(&velo_runtime_metrics(j.rt, 1)->full_waits), 1);
    cr_assert_eq(atomic_load(&j.received), NBATCH);
    cr_assert_eq(atomic_load(&j.order_errors), 0);
    free_job(&j);
}

static void broadcast_core(velo_core *core, void *ud) {
    test_job *j = ud;
    uint32_t id = velo_core_id(core);
    cr_assert(velo_exchange_broadcast(j->x, core, VELO_XMSG_WATERMARK, 10 * (int64_t)(id + 1)));
    cr_assert(velo_exchange_broadcast(j->x, core, VELO_XMSG_END, 0));
    consume_all(j, core);
}

Test(exchange, end_and_watermarks_reach_every_consumer_which_keeps_the_minimum) {
    test_job j = {0};
    run_job(&j, 3, 4, broadcast_core);
    for (uint32_t c = 0; c < 3; c++) {
        cr_assert_eq(atomic_load(&j.ends_seen[c]), 3, "core %u saw %d ends", c, atomic_load(&j.ends_seen[c]));
        /* the watermark is the minimum over the producers that have not ended */
        int64_t wm = atomic_load(&j.wm_when_all_sent[c]);
        cr_assert(wm == 10 || wm == 20 || wm == 30 || wm == INT64_MAX, "core %u: watermark %lld", c,
                  (long long)wm);
        cr_assert(velo_exchange_done(j.x, c));
        cr_assert_eq(velo_exchange_watermark(j.x, c), INT64_MAX); /* all ended */
    }
    free_job(&j);
}

static void stop_core(velo_core *core, void *ud) {
    test_job *j = ud;
    for (;;) {
        velo_control_kind k = velo_core_control_poll(core);
        if (k == VELO_CONTROL_STOP) {
            atomic_fetch_add(&j->stops, 1);
            return;
        }
        velo_core_sleep(core, NULL, NULL);
    }
}

Test(runtime, a_stop_message_reaches_a_sleeping_core) {
    test_job j = {0};
    velo_error err = {0};
    velo_runtime_config cfg = {.ncores = 2, .pin = true};
    cr_assert_eq(velo_runtime_new(&cfg, &j.rt, &err), VELO_OK);
    cr_assert_eq(velo_runtime_start(j.rt, stop_core, &j, &err), VELO_OK);
    cr_assert(velo_runtime_control(j.rt, 0, VELO_CONTROL_STOP));
    cr_assert(velo_runtime_control(j.rt, 1, VELO_CONTROL_STOP));
    while (!velo_runtime_wait(j.rt, 1000))
        ;
    cr_assert_eq(atomic_load(&j.stops), 2);
    velo_runtime_free(j.rt);
}

Test(runtime, metric_counters_of_two_cores_never_share_a_cache_line) {
    velo_runtime *rt = NULL;
    velo_error err = {0};
    velo_runtime_config cfg = {.ncores = 2};
    cr_assert_eq(velo_runtime_new(&cfg, &rt, &err), VELO_OK);
    uintptr_t a = (uintptr_t)velo_runtime_metrics(rt, 0), b = (uintptr_t)velo_runtime_metrics(rt, 1);
    cr_assert_eq(a % VELO_CACHE_LINE, 0);
    cr_assert_geq(b > a ? b - a : a - b, VELO_CACHE_LINE);
    velo_runtime_free(rt);
}

/* ---- encoded rows (VELO_XMSG_BYTES): what engine/gather.c sends into one sink ---- */

typedef struct bytes_job {
    velo_exchange *x;
    _Atomic int errors, reused;
} bytes_job;

static void bytes_core(velo_core *core, void *ud) {
    bytes_job *j = ud;
    velo_strbuf *last = NULL;
    for (int s = 0; s < 20; s++) {
        velo_strbuf *b = velo_exchange_reuse_bytes(j->x, core);
        if (b) {
            atomic_fetch_add(&j->reused, 1);
            if (b != last || b->len != 0) atomic_fetch_add(&j->errors, 1);
        } else {
            b = mi_malloc(sizeof *b);
            velo_strbuf_init(b);
        }
        velo_strbuf_printf(b, "{\"row\":%d}\n", s);
        cr_assert(velo_exchange_send_bytes(j->x, core, 0, b, (uint32_t)s + 1));
        /* a count without bytes (rows a core wrote itself) */
        cr_assert(velo_exchange_send_bytes(j->x, core, 0, NULL, 7));
        velo_xmsg *m = velo_exchange_poll(j->x, core);
        char want[32];
        snprintf(want, sizeof want, "{\"row\":%d}\n", s);
        if (!m || m->kind != VELO_XMSG_BYTES || m->value != s + 1 || !m->bytes ||
            strcmp(m->bytes->data, want))
            atomic_fetch_add(&j->errors, 1);
        last = m ? m->bytes : NULL;
        velo_exchange_release(j->x, core, m); /* the buffer goes back to its producer */
        m = velo_exchange_poll(j->x, core);
        if (!m || m->kind != VELO_XMSG_BYTES || m->value != 7 || m->bytes) atomic_fetch_add(&j->errors, 1);
        velo_exchange_release(j->x, core, m);
    }
    cr_assert(velo_exchange_broadcast(j->x, core, VELO_XMSG_END, 0));
    velo_xmsg_free(velo_exchange_poll(j->x, core));
}

Test(exchange, encoded_rows_arrive_with_their_row_count_and_their_buffer_is_reused) {
    velo_runtime *rt;
    velo_error err = {0};
    velo_runtime_config cfg = {.ncores = 1, .pin = true};
    bytes_job j = {0};
    cr_assert_eq(velo_runtime_new(&cfg, &rt, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(velo_exchange_new(rt, 1, 8, &j.x, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(velo_runtime_start(rt, bytes_core, &j, &err), VELO_OK, "%s", err.message);
    while (!velo_runtime_wait(rt, 1000))
        ;
    cr_assert_eq(atomic_load(&j.errors), 0);
    cr_assert_eq(atomic_load(&j.reused), 19);
    velo_exchange_free(j.x);
    velo_runtime_free(rt);
}

/* ---- an idle producer (per-partition watermarks: core/part_watermarks.h) ---- */

typedef struct idle_job {
    test_job base;
    _Atomic int64_t wm_idle_seen; /* core 0's watermark once both producers' first ones arrived */
    _Atomic int64_t wm_back;      /* ... once core 1 came back from idle with a lower one */
    atomic_bool idle_seen;
} idle_job;

static void drain(velo_exchange *x, velo_core *core) {
    velo_xmsg *m;
    while (!velo_exchange_done(x, velo_core_id(core)))
        if ((m = velo_exchange_poll(x, core)))
            velo_xmsg_free(m);
        else
            sched_yield();
}

static void idle_core(velo_core *core, void *ud) {
    idle_job *j = ud;
    velo_exchange *x = j->base.x;
    if (velo_core_id(core) == 1) {
        cr_assert(velo_exchange_broadcast(x, core, VELO_XMSG_WATERMARK, VELO_WATERMARK_IDLE));
        while (!atomic_load(&j->idle_seen))
            sched_yield();
        cr_assert(velo_exchange_broadcast(x, core, VELO_XMSG_WATERMARK, 20)); /* active again, behind */
        cr_assert(velo_exchange_broadcast(x, core, VELO_XMSG_END, 0));
        drain(x, core);
        return;
    }
    cr_assert(velo_exchange_broadcast(x, core, VELO_XMSG_WATERMARK, 50));
    int wms = 0;
    while (!velo_exchange_done(x, 0)) {
        velo_xmsg *m = velo_exchange_poll(x, core);
        if (!m) {
            sched_yield();
            continue;
        }
        if (m->kind == VELO_XMSG_WATERMARK && ++wms == 2) {
            atomic_store(&j->wm_idle_seen, velo_exchange_watermark(x, 0));
            atomic_store(&j->idle_seen, true);
        } else if (m->kind == VELO_XMSG_WATERMARK && wms == 3) {
            atomic_store(&j->wm_back, velo_exchange_watermark(x, 0));
            cr_assert(velo_exchange_broadcast(x, core, VELO_XMSG_END, 0));
        }
        velo_xmsg_free(m);
    }
}

Test(exchange, an_idle_producer_holds_nobody_back_until_it_sends_a_watermark_again) {
    idle_job j = {0};
    run_job(&j.base, 2, 8, idle_core);
    cr_assert_eq(atomic_load(&j.wm_idle_seen), 50, "the idle producer is left out of the minimum");
    cr_assert_eq(atomic_load(&j.wm_back), 20, "back from idle, its lower watermark counts again");
    free_job(&j.base);
}
