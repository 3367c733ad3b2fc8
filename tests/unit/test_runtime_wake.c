/* The runtime's wake-up paths used by sources that signal through a descriptor (Kafka on several
 * cores): a write to a core's wake fd ends its io_uring sleep, and a sleep limit ends a sleep when
 * nothing arrives. Real pinned threads and io_uring rings. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <unistd.h>

#include "core/runtime.h"

typedef struct sleeper {
    atomic_int slept; /* sleeps that returned */
    int limit_ms;
} sleeper;

static bool never(void *ud) {
    (void)ud;
    return false;
}

static void sleep_once(velo_core *core, void *ud) {
    sleeper *s = ud;
    velo_core_set_sleep_limit(core, s->limit_ms);
    velo_core_sleep(core, never, NULL);
    atomic_fetch_add(&s->slept, 1);
}

Test(runtime, a_write_to_a_cores_wake_fd_ends_its_sleep) {
    velo_runtime_config cfg = {.ncores = 1, .busy_poll = false, .pin = false};
    velo_runtime *rt;
    velo_error err = {0};
    cr_assert_eq(velo_runtime_new(&cfg, &rt, &err), VELO_OK, "%s", err.message);
    int fd = velo_core_wake_fd(velo_runtime_core(rt, 0));
    cr_assert_geq(fd, 0);
    sleeper s = {.limit_ms = 0};
    cr_assert_eq(velo_runtime_start(rt, sleep_once, &s, &err), VELO_OK);
    usleep(100000); /* the core is asleep: nothing wakes it but the descriptor */
    cr_assert_eq(atomic_load(&s.slept), 0);
    uint64_t one = 1; /* what librdkafka's queue IO event writes */
    cr_assert_eq(write(fd, &one, sizeof one), (ssize_t)sizeof one);
    cr_assert(velo_runtime_wait(rt, 10000), "the core did not wake up");
    const velo_core_metrics *m = velo_runtime_metrics(rt, 0);
    cr_assert_eq(atomic_load(&m->wakeups), 1, "the sleep ended by the doorbell counts as a wake-up");
    cr_assert_eq(atomic_load(&m->sleep_timeouts), 0);
    velo_runtime_free(rt);
    cr_assert_eq(atomic_load(&s.slept), 1);
}

/* What a Kafka core relies on: with a sleep limit set (cores that read Kafka have one), a write to
 * the wake fd ends the sleep at once and is counted as a doorbell wake-up, not a timeout. */
Test(runtime, a_write_to_the_wake_fd_of_a_core_with_a_sleep_limit_counts_as_a_wakeup_not_a_timeout) {
    velo_runtime_config cfg = {.ncores = 1, .busy_poll = false, .pin = false};
    velo_runtime *rt;
    velo_error err = {0};
    cr_assert_eq(velo_runtime_new(&cfg, &rt, &err), VELO_OK, "%s", err.message);
    int fd = velo_core_wake_fd(velo_runtime_core(rt, 0));
    sleeper s = {.limit_ms = 600000}; /* far beyond the wait below: only the doorbell can end it */
    cr_assert_eq(velo_runtime_start(rt, sleep_once, &s, &err), VELO_OK);
    uint64_t one = 1;
    cr_assert_eq(write(fd, &one, sizeof one), (ssize_t)sizeof one);
    cr_assert(velo_runtime_wait(rt, 10000), "the core did not wake up on its wake fd");
    const velo_core_metrics *m = velo_runtime_metrics(rt, 0);
    cr_assert_eq(atomic_load(&m->sleep_timeouts), 0);
    /* written before the core slept or during its sleep: the eventfd keeps the count, so its read
     * completes either way */
    cr_assert_eq(atomic_load(&m->wakeups), 1);
    velo_runtime_free(rt);
    cr_assert_eq(atomic_load(&s.slept), 1);
}

Test(runtime, a_sleep_limit_ends_a_sleep_that_nothing_wakes) {
    velo_runtime_config cfg = {.ncores = 1, .busy_poll = false, .pin = false};
    velo_runtime *rt;
    velo_error err = {0};
    cr_assert_eq(velo_runtime_new(&cfg, &rt, &err), VELO_OK, "%s", err.message);
    sleeper s = {.limit_ms = 50};
    cr_assert_eq(velo_runtime_start(rt, sleep_once, &s, &err), VELO_OK);
    cr_assert(velo_runtime_wait(rt, 10000), "the sleep did not end by its limit");
    const velo_core_metrics *m = velo_runtime_metrics(rt, 0);
    cr_assert_eq(atomic_load(&m->sleep_timeouts), 1, "the sleep ended by its limit counts as a timeout");
    cr_assert_eq(atomic_load(&m->wakeups), 0);
    velo_runtime_free(rt);
    cr_assert_eq(atomic_load(&s.slept), 1);
}

Test(runtime, busy_polling_cores_have_no_wake_fd) {
    velo_runtime_config cfg = {.ncores = 1, .busy_poll = true, .pin = false};
    velo_runtime *rt;
    velo_error err = {0};
    cr_assert_eq(velo_runtime_new(&cfg, &rt, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(velo_core_wake_fd(velo_runtime_core(rt, 0)), -1);
    velo_runtime_free(rt);
}
