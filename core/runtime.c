/* The thread-per-core runtime (core/runtime.h). Each core's only place to wait is its io_uring ring:
 * a read on its eventfd doorbell. Wake-ups follow the Dekker pattern: the sleeper publishes
 * `sleeping` then re-checks its condition; a waker publishes its data then reads `sleeping` (both
 * through a sequentially consistent read-modify-write, a full barrier), so one always sees the other. */
#define _GNU_SOURCE
#include "core/runtime.h"

#include <ck_ring.h>
#include <errno.h>
#include <liburing.h>
#include <mimalloc.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "state/tsan.h"

#define CONTROL_SLOTS 64

struct velo_core {
    velo_core_metrics metrics; /* first: its own cache line */
    _Alignas(VELO_CACHE_LINE) _Atomic int sleeping;
    int efd; /* doorbell */
    _Alignas(VELO_CACHE_LINE) uint32_t id;
    int cpu; /* pinned CPU, -1 when not pinned */
    bool read_armed;
    int sleep_limit_ms; /* 0: sleep until woken */
    uint64_t doorbell_value;
    struct io_uring ring;
    bool ring_ok;
    pthread_t thread;
    bool started;
    velo_runtime *rt;
    velo_core_service_fn service;
    void *service_ud;
    struct ck_ring control;
    ck_ring_buffer_t control_buf[CONTROL_SLOTS];
};

struct velo_runtime {
    velo_runtime_config cfg;
    velo_core *cores; /* cfg.ncores, cache-line aligned */
    void (*fn)(velo_core *, void *);
    void *ud;
    int done_efd;
    _Atomic uint32_t finished;
    bool oversubscribed; /* more cores than CPUs: a spinning core must let the others run */
};

uint32_t velo_runtime_available_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    int n = CPU_COUNT(&set);
    return n > 0 ? (uint32_t)n : 1;
}

/* The i-th CPU of the affinity mask (modulo their number), or -1. */
static int allowed_cpu(uint32_t i) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    int n = CPU_COUNT(&set);
    if (n <= 0) return -1;
    int want = (int)(i % (uint32_t)n);
    for (int cpu = 0, k = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &set) && k++ == want) return cpu;
    return -1;
}

velo_status velo_runtime_new(const velo_runtime_config *cfg, velo_runtime **out, velo_error *err) {
    *out = NULL;
    if (cfg->ncores == 0 || cfg->ncores > VELO_MAX_CORES)
        return velo_error_set(err, VELO_ERR_INVALID, "--cores must be between 1 and %d, found %u",
                              VELO_MAX_CORES, cfg->ncores);
    velo_runtime *rt = mi_zalloc(sizeof *rt);
    if (!rt) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    rt->cfg = *cfg;
    rt->done_efd = -1;
    rt->oversubscribed = cfg->ncores > velo_runtime_available_cpus();
    rt->cores = mi_zalloc_aligned(sizeof *rt->cores * cfg->ncores, VELO_CACHE_LINE);
    if (!rt->cores) {
        mi_free(rt);
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < cfg->ncores; i++)
        rt->cores[i].efd = -1;
    velo_status st = VELO_OK;
    rt->done_efd = eventfd(0, EFD_CLOEXEC);
    if (rt->done_efd < 0) st = velo_error_set(err, VELO_ERR_IO, "runtime: eventfd: %s", strerror(errno));
    for (uint32_t i = 0; i < cfg->ncores && !st; i++) {
        velo_core *c = &rt->cores[i];
        c->id = i;
        c->rt = rt;
        c->cpu = -1;
        ck_ring_init(&c->control, CONTROL_SLOTS);
        c->efd = eventfd(0, EFD_CLOEXEC);
        if (c->efd < 0) {
            st = velo_error_set(err, VELO_ERR_IO, "runtime: eventfd for core %u: %s", i, strerror(errno));
            break;
        }
        /* io_uring may be forbidden (container seccomp profiles, kernel.io_uring_disabled): the core
         * then waits in a blocking read of its eventfd, same wake-ups, one syscall more */
        c->ring_ok = io_uring_queue_init(4, &c->ring, 0) == 0;
    }
    if (st) {
        velo_runtime_free(rt);
        return st;
    }
    *out = rt;
    return VELO_OK;
}

static bool all_finished(void *ud) {
    velo_runtime *rt = ud;
    return atomic_load(&rt->finished) >= rt->cfg.ncores;
}

/* Counts n more cores as finished; the last one wakes every core waiting to exit, and the control
 * thread. */
static void finish_core(velo_runtime *rt, uint32_t n) {
    if (atomic_fetch_add(&rt->finished, n) + n == rt->cfg.ncores)
        for (uint32_t i = 0; i < rt->cfg.ncores; i++)
            velo_core_wake(&rt->cores[i]); /* (a core never started has nobody to wake: harmless) */
    uint64_t one = 1;
    ssize_t w = write(rt->done_efd, &one, sizeof one);
    (void)w;
}

static void *core_main(void *arg) {
    velo_core *c = arg;
    velo_runtime *rt = c->rt;
    if (rt->cfg.pin && (c->cpu = allowed_cpu(c->id)) >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(c->cpu, &set);
        if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) c->cpu = -1;
    }
    rt->fn(c, rt->ud);
    finish_core(rt, 1);
    /* The thread outlives its function until every core's has returned: an exiting thread abandons
     * its mimalloc heap to the threads still running (a hand-over ThreadSanitizer cannot see), and a
     * core that ends early (a failed job) must not hand memory to one still at work. */
    while (atomic_load(&rt->finished) < rt->cfg.ncores) {
        while (velo_core_control_poll(c)) {
        } /* a late STOP: nothing left to stop */
        velo_core_sleep(c, all_finished, rt);
    }
    return NULL;
}

velo_status velo_runtime_start(velo_runtime *rt, void (*fn)(velo_core *core, void *ud), void *ud,
                               velo_error *err) {
    rt->fn = fn;
    rt->ud = ud;
    for (uint32_t i = 0; i < rt->cfg.ncores; i++) {
        velo_core *c = &rt->cores[i];
        int rc = pthread_create(&c->thread, NULL, core_main, c);
        if (rc) {
            /* the cores already started run to their end as if they had no input */
            finish_core(rt, rt->cfg.ncores - i);
            return velo_error_set(err, VELO_ERR_IO, "runtime: cannot start the thread of core %u: %s", i,
                                  strerror(rc));
        }
        c->started = true;
    }
    return VELO_OK;
}

bool velo_runtime_wait(velo_runtime *rt, int timeout_ms) {
    if (atomic_load(&rt->finished) == rt->cfg.ncores) return true;
    struct pollfd p = {.fd = rt->done_efd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) > 0) {
        uint64_t v;
        ssize_t r = read(rt->done_efd, &v, sizeof v);
        (void)r;
    }
    return atomic_load(&rt->finished) == rt->cfg.ncores;
}

void velo_runtime_free(velo_runtime *rt) {
    if (!rt) return;
    for (uint32_t i = 0; i < rt->cfg.ncores; i++) /* all first: the last core to finish wakes every core */
        if (rt->cores[i].started) pthread_join(rt->cores[i].thread, NULL);
    for (uint32_t i = 0; i < rt->cfg.ncores; i++) {
        velo_core *c = &rt->cores[i];
        if (c->ring_ok) io_uring_queue_exit(&c->ring);
        if (c->efd >= 0) close(c->efd);
    }
    if (rt->done_efd >= 0) close(rt->done_efd);
    mi_free(rt->cores);
    mi_free(rt);
}

uint32_t velo_runtime_ncores(const velo_runtime *rt) { return rt->cfg.ncores; }
velo_core *velo_runtime_core(velo_runtime *rt, uint32_t i) { return &rt->cores[i]; }
const velo_core_metrics *velo_runtime_metrics(const velo_runtime *rt, uint32_t i) {
    return &rt->cores[i].metrics;
}

bool velo_runtime_control(velo_runtime *rt, uint32_t i, velo_control_kind kind) {
    velo_core *c = &rt->cores[i];
    VELO_TSAN_RELEASE(&c->control);
    VELO_TSAN_IGNORE_BEGIN();
    bool ok = ck_ring_enqueue_spsc(&c->control, c->control_buf, (void *)(uintptr_t)kind);
    VELO_TSAN_IGNORE_END();
    if (!ok) return false;
    velo_core_wake(c);
    return true;
}

uint32_t velo_core_id(const velo_core *c) { return c->id; }
velo_runtime *velo_core_runtime(velo_core *c) { return c->rt; }
velo_core_metrics *velo_core_metrics_of(velo_core *c) { return &c->metrics; }

velo_control_kind velo_core_control_poll(velo_core *c) {
    void *m;
    VELO_TSAN_IGNORE_BEGIN();
    bool got = ck_ring_dequeue_spsc(&c->control, c->control_buf, &m);
    VELO_TSAN_IGNORE_END();
    if (!got) return 0;
    VELO_TSAN_ACQUIRE(&c->control);
    return (velo_control_kind)(uintptr_t)m;
}

static bool control_pending(velo_core *c) {
    VELO_TSAN_IGNORE_BEGIN();
    bool pending = ck_ring_size(&c->control) > 0;
    VELO_TSAN_IGNORE_END();
    return pending;
}

void velo_core_sleep(velo_core *c, bool (*ready)(void *ud), void *ud) {
    if (c->rt->cfg.busy_poll) {
        for (int spin = 0; spin < 4096; spin++) {
            if ((ready && ready(ud)) || control_pending(c)) return;
            __builtin_ia32_pause();
        }
        /* on dedicated CPUs a yield only hands the CPU to unrelated work for a time slice */
        if (c->rt->oversubscribed) sched_yield();
        return;
    }
    /* a locked read-modify-write: a full barrier between publishing `sleeping` and re-checking */
    atomic_exchange(&c->sleeping, 1);
    if ((ready && ready(ud)) || control_pending(c)) {
        atomic_store(&c->sleeping, 0);
        return;
    }
    if (c->ring_ok && !c->read_armed) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
        if (sqe) {
            io_uring_prep_read(sqe, c->efd, &c->doorbell_value, sizeof c->doorbell_value, 0);
            if (io_uring_submit(&c->ring) >= 1) c->read_armed = true;
        }
    }
    struct io_uring_cqe *cqe = NULL;
    if (!c->ring_ok) {
        struct pollfd p = {.fd = c->efd, .events = POLLIN};
        if (!c->sleep_limit_ms || poll(&p, 1, c->sleep_limit_ms) > 0) {
            uint64_t v;
            ssize_t r = read(c->efd, &v, sizeof v);
            (void)r;
            velo_metric_add(&c->metrics.wakeups, 1);
        } else {
            velo_metric_add(&c->metrics.sleep_timeouts, 1);
        }
    } else if (c->read_armed) {
        int rc;
        struct __kernel_timespec ts = {.tv_sec = c->sleep_limit_ms / 1000,
                                       .tv_nsec = (long long)(c->sleep_limit_ms % 1000) * 1000000};
        do /* on a timeout (-ETIME) the read stays armed for the next sleep */
            rc = c->sleep_limit_ms ? io_uring_wait_cqe_timeout(&c->ring, &cqe, &ts)
                                   : io_uring_wait_cqe(&c->ring, &cqe);
        while (rc == -EINTR);
        if (rc == 0) { /* the only entry ever submitted is the doorbell read */
            io_uring_cqe_seen(&c->ring, cqe);
            c->read_armed = false;
            velo_metric_add(&c->metrics.wakeups, 1);
        } else if (rc == -ETIME) {
            velo_metric_add(&c->metrics.sleep_timeouts, 1);
        }
    } else {
        sched_yield(); /* no ring entry: degrade to polling rather than block forever */
    }
    atomic_store(&c->sleeping, 0);
    velo_metric_add(&c->metrics.sleeps, 1);
}

void velo_core_wake(velo_core *c) {
    if (c->rt->cfg.busy_poll) return;
    /* a read-modify-write, not a plain load: a full barrier after the caller's enqueue */
    if (atomic_fetch_or(&c->sleeping, 0)) {
        uint64_t one = 1;
        ssize_t w = write(c->efd, &one, sizeof one);
        (void)w;
    }
}

int velo_core_wake_fd(const velo_core *c) { return c->rt->cfg.busy_poll ? -1 : c->efd; }
void velo_core_set_sleep_limit(velo_core *c, int ms) { c->sleep_limit_ms = ms > 0 ? ms : 0; }

void velo_core_set_service(velo_core *c, velo_core_service_fn fn, void *ud) {
    c->service = fn;
    c->service_ud = ud;
}

bool velo_core_service(velo_core *c, uint32_t level) {
    return c->service ? c->service(c, level, c->service_ud) : false;
}
