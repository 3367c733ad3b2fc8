/* Randomized properties of state/window.h (fixed seeds, ~100k events each): session windows built
 * from out-of-order events equal those built from the sorted events, and the states a caller keeps
 * per session (moved on every reported merge) count exactly the events inside each session;
 * TUMBLING/SLIDING assignment returns exactly the windows a brute-force scan finds. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state/window.h"

#define EVENTS 100000

static uint64_t rng_state;

static uint64_t rnd(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static int64_t rnd_in(int64_t lo, int64_t hi) { return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1)); }

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* ---- sessions ---- */

/* What an operator keeps per session: its bounds and an aggregate (here a row count), sorted by start. */
typedef struct tracked {
    velo_win w;
    int64_t rows;
} tracked;

typedef struct tracker {
    tracked *items;
    uint32_t count;
} tracker;

static uint32_t tracker_find(const tracker *tr, int64_t start) {
    uint32_t lo = 0, hi = tr->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tr->items[mid].w.start < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Applies a change the way the operator must: fold the states of merged[] into result's state. */
static void tracker_apply(tracker *tr, const velo_session_change *c) {
    if (c->created) {
        uint32_t k = tracker_find(tr, c->result.start);
        memmove(tr->items + k + 1, tr->items + k, (tr->count - k) * sizeof *tr->items);
        tr->items[k] = (tracked){c->result, 1};
        tr->count++;
        return;
    }
    uint32_t at[2];
    for (uint32_t i = 0; i < c->nmerged; i++) {
        at[i] = tracker_find(tr, c->merged[i].start);
        cr_assert(at[i] < tr->count && tr->items[at[i]].w.end == c->merged[i].end,
                  "merged session [%lld, %lld) is not one the caller knows", (long long)c->merged[i].start,
                  (long long)c->merged[i].end);
    }
    if (c->nmerged == 0) {
        uint32_t k = tracker_find(tr, c->result.start);
        cr_assert(k < tr->count && tr->items[k].w.end == c->result.end, "unchanged session unknown");
        tr->items[k].rows++;
        return;
    }
    /* sessions are disjoint, so the result takes the place of the earliest merged one */
    uint32_t first = at[0], last = at[0];
    if (c->nmerged == 2) {
        first = at[0] < at[1] ? at[0] : at[1];
        last = at[0] < at[1] ? at[1] : at[0];
        cr_assert_eq(last, first + 1, "a bridge merges neighbours");
    }
    int64_t rows = tr->items[first].rows + 1 + (last != first ? tr->items[last].rows : 0);
    if (last != first) {
        memmove(tr->items + last, tr->items + last + 1, (tr->count - last - 1) * sizeof *tr->items);
        tr->count--;
    }
    tr->items[first] = (tracked){c->result, rows};
}

static void build_sessions(const int64_t *t, uint32_t n, int64_t gap, velo_sessions *s, tracker *tr) {
    for (uint32_t i = 0; i < n; i++) {
        velo_session_change c;
        velo_error err;
        cr_assert_eq(velo_sessions_add(s, gap, t[i], &c, &err), VELO_OK, "%s", err.message);
        cr_assert(c.result.start <= t[i] && t[i] < c.result.end);
        cr_assert(c.nmerged <= 2);
        cr_assert(!c.created || c.nmerged == 0);
        if (tr) tracker_apply(tr, &c);
    }
}

/* Shuffles with bounded displacement (disorder up to `window` positions), or fully when window = 0. */
static void disorder(int64_t *t, uint32_t n, uint32_t window) {
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t lo = window && i > window ? i - window : 0;
        uint32_t j = lo + (uint32_t)(rnd() % (i - lo + 1));
        int64_t x = t[i];
        t[i] = t[j];
        t[j] = x;
    }
}

static void check_sessions_property(uint64_t seed, int64_t span, int64_t gap, uint32_t window) {
    rng_state = seed;
    int64_t *t = malloc(EVENTS * sizeof *t), *sorted = malloc(EVENTS * sizeof *t);
    cr_assert(t && sorted);
    for (uint32_t i = 0; i < EVENTS; i++)
        t[i] = rnd_in(-span / 2, span / 2);
    memcpy(sorted, t, EVENTS * sizeof *t);
    qsort(sorted, EVENTS, sizeof *sorted, cmp_i64);
    disorder(t, EVENTS, window);

    velo_sessions in_order = {0}, out_of_order = {0};
    tracker tr = {malloc(EVENTS * sizeof(tracked)), 0};
    cr_assert(tr.items);
    build_sessions(sorted, EVENTS, gap, &in_order, NULL);
    build_sessions(t, EVENTS, gap, &out_of_order, &tr);

    cr_assert_eq(out_of_order.count, in_order.count, "seed %llu: %u sessions, in order %u",
                 (unsigned long long)seed, out_of_order.count, in_order.count);
    cr_assert_gt(in_order.count, 10, "the property needs many sessions");
    cr_assert_lt(in_order.count, EVENTS / 2, "the property needs merging");
    cr_assert_eq(tr.count, in_order.count);
    uint32_t e = 0;
    for (uint32_t i = 0; i < in_order.count; i++) {
        velo_win a = in_order.items[i], b = out_of_order.items[i];
        cr_assert(a.start == b.start && a.end == b.end, "session %u: [%lld, %lld) vs in order [%lld, %lld)",
                  i, (long long)b.start, (long long)b.end, (long long)a.start, (long long)a.end);
        if (i) cr_assert_leq(in_order.items[i - 1].end, a.start, "sessions overlap");
        /* the in-order definition: consecutive sorted events less than gap apart share a session */
        cr_assert_eq(sorted[e], a.start);
        int64_t rows = 0;
        while (e < EVENTS && sorted[e] < a.end)
            rows++, e++;
        cr_assert_eq(sorted[e - 1] + gap, a.end);
        cr_assert_eq(tr.items[i].rows, rows, "session %u: the merged states count %lld rows, want %lld", i,
                     (long long)tr.items[i].rows, (long long)rows);
    }
    cr_assert_eq(e, EVENTS);

    /* closing in steps returns every session once, in end order, each only when closed */
    int64_t lateness = gap / 2, prev_end = INT64_MIN;
    uint32_t closed = 0;
    velo_win out[64];
    for (int64_t wm = -span; wm <= span + gap + lateness; wm += span / 97) {
        uint32_t n;
        while ((n = velo_sessions_close(&out_of_order, wm, lateness, out, 64)) > 0)
            for (uint32_t i = 0; i < n; i++) {
                cr_assert_leq(out[i].end + lateness, wm);
                cr_assert_gt(out[i].end, prev_end);
                prev_end = out[i].end;
                closed++;
            }
        if (out_of_order.count) cr_assert_gt(out_of_order.items[0].end + lateness, wm);
    }
    closed += velo_sessions_close(&out_of_order, INT64_MAX, lateness, out, 64);
    cr_assert_eq(closed, in_order.count);
    cr_assert_eq(out_of_order.count, 0);

    velo_sessions_free(&in_order);
    velo_sessions_free(&out_of_order);
    free(tr.items);
    free(t);
    free(sorted);
}

Test(window_property, sessions_from_shuffled_events_equal_sessions_from_sorted_events) {
    check_sessions_property(42, 40000000, 1000, 0);
}

Test(window_property, sessions_from_slightly_late_events_equal_sessions_from_sorted_events) {
    check_sessions_property(7, 40000000, 1000, 50);
}

Test(window_property, sessions_with_dense_events_and_bridges) {
    check_sessions_property(2024, 5000000, 150, 200);
}

/* ---- TUMBLING / SLIDING ---- */

/* Every window of s (start = offset + k*advance) that contains t, oldest first, by scanning k. */
static uint32_t brute_force(const velo_win_spec *s, int64_t t, velo_win *out) {
    int64_t adv = s->kind == VELO_WIN_TUMBLING ? s->size_us : s->advance_us;
    /* a k just below any window that could contain t (t - size - adv), floor-divided */
    __int128 from = (__int128)t - s->size_us - adv - s->offset_us;
    __int128 k = from / adv - (from % adv < 0 ? 1 : 0);
    uint32_t n = 0;
    for (;; k++) {
        __int128 start = (__int128)s->offset_us + k * adv;
        if (start > t) break;
        if (start <= t && t < start + s->size_us)
            out[n++] = (velo_win){(int64_t)start, (int64_t)(start + s->size_us)};
    }
    return n;
}

static void check_assignment(velo_win_spec s, uint64_t seed, int64_t range) {
    rng_state = seed;
    velo_win got[256], want[256];
    for (uint32_t i = 0; i < EVENTS / 4; i++) {
        int64_t t = rnd_in(-range, range);
        uint32_t n = velo_win_assign(&s, t, got, 256);
        uint32_t m = brute_force(&s, t, want);
        cr_assert_eq(n, m, "size %lld advance %lld offset %lld t %lld: %u windows, want %u",
                     (long long)s.size_us, (long long)s.advance_us, (long long)s.offset_us, (long long)t, n,
                     m);
        for (uint32_t j = 0; j < n; j++)
            cr_assert(got[j].start == want[j].start && got[j].end == want[j].end,
                      "t %lld window %u: [%lld, %lld) want [%lld, %lld)", (long long)t, j,
                      (long long)got[j].start, (long long)got[j].end, (long long)want[j].start,
                      (long long)want[j].end);
    }
}

Test(window_property, tumbling_assigns_exactly_the_containing_window) {
    check_assignment((velo_win_spec){VELO_WIN_TUMBLING, 1000, 1000, 0}, 1, 1000000);
    check_assignment((velo_win_spec){VELO_WIN_TUMBLING, 7, 7, 3}, 2, 1000);
    check_assignment((velo_win_spec){VELO_WIN_TUMBLING, 3600000000, 3600000000, -1800000000}, 3,
                     INT64_C(100000000000000));
}

Test(window_property, sliding_assigns_exactly_the_containing_windows) {
    check_assignment((velo_win_spec){VELO_WIN_SLIDING, 10, 3, 0}, 4, 1000);
    check_assignment((velo_win_spec){VELO_WIN_SLIDING, 10, 5, 0}, 5, 1000);
    check_assignment((velo_win_spec){VELO_WIN_SLIDING, 3600000000, 60000000, 0}, 6, INT64_C(100000000000000));
    check_assignment((velo_win_spec){VELO_WIN_SLIDING, 1000, 7, 5}, 7, 100000);
    check_assignment((velo_win_spec){VELO_WIN_SLIDING, 5, 10, 1}, 8, 1000); /* gaps between windows */
}

Test(window_property, random_specs_assign_exactly_the_containing_windows) {
    rng_state = 99;
    for (int i = 0; i < 20; i++) {
        int64_t advance = rnd_in(1, 50);
        int64_t size = rnd_in(1, 100 * advance > 5000 ? 5000 : 100 * advance);
        int64_t offset = rnd_in(-10000, 10000);
        velo_win_kind kind = rnd() % 4 ? VELO_WIN_SLIDING : VELO_WIN_TUMBLING;
        uint64_t seed = rnd(), next = rng_state;
        check_assignment((velo_win_spec){kind, size, kind == VELO_WIN_TUMBLING ? size : advance, offset},
                         seed, 100000);
        rng_state = next;
    }
}
