/* state/window.h: which TUMBLING/SLIDING windows contain a time, how session intervals of one key
 * are created, extended and merged, when windows close under the watermark, and option durations.
 * Times are microseconds; S, M, H below are seconds, minutes and hours in µs. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "state/window.h"

#define S INT64_C(1000000)
#define M (60 * S)
#define H (60 * M)

static velo_win_spec tumbling(int64_t size, int64_t offset) {
    return (velo_win_spec){VELO_WIN_TUMBLING, size, size, offset};
}

static velo_win_spec sliding(int64_t size, int64_t advance) {
    return (velo_win_spec){VELO_WIN_SLIDING, size, advance, 0};
}

static void expect_one(velo_win_spec s, int64_t t, int64_t start, int64_t end) {
    velo_win w[4];
    uint32_t n = velo_win_assign(&s, t, w, 4);
    cr_assert_eq(n, 1, "t=%lld: %u windows", (long long)t, n);
    cr_assert_eq(w[0].start, start, "t=%lld: start %lld", (long long)t, (long long)w[0].start);
    cr_assert_eq(w[0].end, end, "t=%lld: end %lld", (long long)t, (long long)w[0].end);
}

/* The starts of the windows containing t, oldest first, must be exactly `starts`. */
static void expect_starts(velo_win_spec s, int64_t t, const int64_t *starts, uint32_t n) {
    velo_win w[64];
    uint32_t got = velo_win_assign(&s, t, w, 64);
    cr_assert_eq(got, n, "t=%lld: %u windows, want %u", (long long)t, got, n);
    for (uint32_t i = 0; i < n; i++) {
        cr_assert_eq(w[i].start, starts[i], "t=%lld window %u: start %lld want %lld", (long long)t, i,
                     (long long)w[i].start, (long long)starts[i]);
        cr_assert_eq(w[i].end, starts[i] + s.size_us, "t=%lld window %u: end", (long long)t, i);
    }
}

/* ---- TUMBLING ---- */

Test(window_tumbling, start_of_window_is_inside) { expect_one(tumbling(10, 0), 20, 20, 30); }
Test(window_tumbling, end_of_window_is_in_the_next) { expect_one(tumbling(10, 0), 30, 30, 40); }
Test(window_tumbling, last_microsecond_is_inside) { expect_one(tumbling(10, 0), 29, 20, 30); }
Test(window_tumbling, epoch_is_a_boundary) { expect_one(tumbling(M, 0), 0, 0, M); }
Test(window_tumbling, minus_one_is_in_the_window_before_the_epoch) {
    expect_one(tumbling(10, 0), -1, -10, 0);
}
Test(window_tumbling, negative_boundary_is_a_start) { expect_one(tumbling(10, 0), -10, -10, 0); }
Test(window_tumbling, negative_times_use_floor_division) { expect_one(tumbling(10, 0), -11, -20, -10); }
Test(window_tumbling, offset_shifts_boundaries) { expect_one(tumbling(10, 3), 12, 3, 13); }
Test(window_tumbling, offset_boundary_is_a_start) { expect_one(tumbling(10, 3), 13, 13, 23); }
Test(window_tumbling, offset_larger_than_size_is_taken_modulo) { expect_one(tumbling(10, 23), 12, 3, 13); }
Test(window_tumbling, negative_offset) { expect_one(tumbling(10, -3), 5, -3, 7); }
Test(window_tumbling, offset_with_negative_time) { expect_one(tumbling(10, 3), -8, -17, -7); }
Test(window_tumbling, hour_windows_align_to_the_epoch) {
    expect_one(tumbling(H, 0), 5 * H + 17 * M, 5 * H, 6 * H);
}
Test(window_tumbling, advance_field_is_ignored) {
    velo_win_spec s = {VELO_WIN_TUMBLING, 10, 3, 0};
    expect_one(s, 25, 20, 30);
}

Test(window_tumbling, near_int64_min_saturates_start) {
    velo_win w[2];
    velo_win_spec s = tumbling(1000, 0);
    cr_assert_eq(velo_win_assign(&s, INT64_MIN, w, 2), 1);
    cr_assert_eq(w[0].start, INT64_MIN);
    cr_assert(w[0].end > INT64_MIN && w[0].end <= INT64_MIN + 1000);
    cr_assert_eq(w[0].end % 1000, 0);
}

Test(window_tumbling, near_int64_max_saturates_end) {
    velo_win w[2];
    velo_win_spec s = tumbling(1000, 0);
    cr_assert_eq(velo_win_assign(&s, INT64_MAX, w, 2), 1);
    cr_assert_eq(w[0].end, INT64_MAX);
    cr_assert(w[0].start <= INT64_MAX && w[0].start > INT64_MAX - 1000);
    cr_assert_eq(w[0].start % 1000, 0);
}

Test(window_tumbling, huge_size_does_not_overflow) {
    velo_win w[2];
    velo_win_spec s = tumbling(INT64_MAX, 0);
    cr_assert_eq(velo_win_assign(&s, -5, w, 2), 1);
    cr_assert_eq(w[0].start, -INT64_MAX);
    cr_assert_eq(w[0].end, 0);
}

Test(window_assign, zero_or_negative_size_gives_no_window) {
    velo_win w[2];
    velo_win_spec s = tumbling(0, 0);
    cr_assert_eq(velo_win_assign(&s, 5, w, 2), 0);
    s = tumbling(-10, 0);
    cr_assert_eq(velo_win_assign(&s, 5, w, 2), 0);
    s = sliding(10, 0);
    cr_assert_eq(velo_win_assign(&s, 5, w, 2), 0);
}

Test(window_assign, session_spec_gives_no_window) {
    velo_win w[2];
    velo_win_spec s = {VELO_WIN_SESSION, 10, 10, 0};
    cr_assert_eq(velo_win_assign(&s, 5, w, 2), 0);
}

/* ---- SLIDING ---- */

Test(window_sliding, size_10_advance_5_two_windows) {
    int64_t want[] = {5, 10};
    expect_starts(sliding(10, 5), 12, want, 2);
}

Test(window_sliding, size_10_advance_5_at_boundary) {
    int64_t want[] = {5, 10};
    expect_starts(sliding(10, 5), 10, want, 2);
}

Test(window_sliding, size_10_advance_5_negative_time) {
    int64_t want[] = {-10, -5};
    expect_starts(sliding(10, 5), -3, want, 2);
}

Test(window_sliding, size_10_advance_3_four_windows) {
    /* starts in (2, 12] aligned to 3: 3, 6, 9, 12 */
    int64_t want[] = {3, 6, 9, 12};
    expect_starts(sliding(10, 3), 12, want, 4);
}

Test(window_sliding, size_10_advance_3_three_windows) {
    /* starts in (3, 13] aligned to 3: 6, 9, 12 (3 + 10 = 13 excludes 13) */
    int64_t want[] = {6, 9, 12};
    expect_starts(sliding(10, 3), 13, want, 3);
}

Test(window_sliding, size_10_advance_3_at_zero) {
    int64_t want[] = {-9, -6, -3, 0};
    expect_starts(sliding(10, 3), 0, want, 4);
}

Test(window_sliding, size_10_advance_3_negative_time) {
    /* starts in (-15, -5] aligned to 3: -12, -9, -6 */
    int64_t want[] = {-12, -9, -6};
    expect_starts(sliding(10, 3), -5, want, 3);
}

Test(window_sliding, hour_by_minute_has_sixty_windows) {
    velo_win w[64];
    velo_win_spec s = sliding(H, M);
    int64_t t = 10 * H + 30 * M + 7 * S;
    cr_assert_eq(velo_win_assign(&s, t, w, 64), 60);
    cr_assert_eq(w[0].start, 9 * H + 31 * M);
    cr_assert_eq(w[59].start, 10 * H + 30 * M);
    for (uint32_t i = 0; i < 60; i++) {
        cr_assert(w[i].start <= t && t < w[i].end);
        if (i) cr_assert_eq(w[i].start - w[i - 1].start, M);
    }
}

Test(window_sliding, max_truncates_to_the_oldest) {
    velo_win w[2];
    velo_win_spec s = sliding(10, 3);
    cr_assert_eq(velo_win_assign(&s, 12, w, 2), 2);
    cr_assert_eq(w[0].start, 3);
    cr_assert_eq(w[1].start, 6);
}

Test(window_sliding, advance_equal_to_size_is_tumbling) {
    int64_t want[] = {20};
    expect_starts(sliding(10, 10), 25, want, 1);
}

Test(window_sliding, advance_larger_than_size_leaves_gaps) {
    velo_win w[2];
    velo_win_spec s = sliding(5, 10);
    cr_assert_eq(velo_win_assign(&s, 3, w, 2), 1);
    cr_assert_eq(velo_win_assign(&s, 7, w, 2), 0);
}

Test(window_sliding, offset_applies_to_sliding) {
    velo_win_spec s = {VELO_WIN_SLIDING, 10, 5, 2};
    int64_t want[] = {2, 7};
    expect_starts(s, 11, want, 2);
}

Test(window_sliding, near_int64_min_keeps_distinct_ends) {
    velo_win w[4];
    velo_win_spec s = sliding(10, 5);
    uint32_t n = velo_win_assign(&s, INT64_MIN + 2, w, 4);
    cr_assert_eq(n, 2);
    cr_assert_eq(w[0].start, INT64_MIN);
    cr_assert(w[0].end < w[1].end);
    cr_assert(w[1].end > INT64_MIN + 2);
}

/* ---- SESSION ---- */

static velo_session_change add(velo_sessions *s, int64_t gap, int64_t t) {
    velo_session_change c;
    velo_error err;
    cr_assert_eq(velo_sessions_add(s, gap, t, &c, &err), VELO_OK, "%s", err.message);
    return c;
}

static void expect_sessions(const velo_sessions *s, const int64_t (*want)[2], uint32_t n) {
    cr_assert_eq(s->count, n, "%u sessions, want %u", s->count, n);
    for (uint32_t i = 0; i < n; i++) {
        cr_assert_eq(s->items[i].start, want[i][0], "session %u start %lld", i, (long long)s->items[i].start);
        cr_assert_eq(s->items[i].end, want[i][1], "session %u end %lld", i, (long long)s->items[i].end);
    }
}

Test(window_session, first_event_creates_a_session) {
    velo_sessions s = {0};
    velo_session_change c = add(&s, 10, 100);
    cr_assert(c.created);
    cr_assert_eq(c.nmerged, 0);
    cr_assert_eq(c.result.start, 100);
    cr_assert_eq(c.result.end, 110);
    velo_sessions_free(&s);
}

Test(window_session, event_within_gap_extends) {
    velo_sessions s = {0};
    add(&s, 10, 100);
    velo_session_change c = add(&s, 10, 105);
    cr_assert_not(c.created);
    cr_assert_eq(c.nmerged, 1);
    cr_assert_eq(c.merged[0].start, 100);
    cr_assert_eq(c.merged[0].end, 110);
    cr_assert_eq(c.result.start, 100);
    cr_assert_eq(c.result.end, 115);
    velo_sessions_free(&s);
}

Test(window_session, event_inside_without_change_reports_nothing_merged) {
    velo_sessions s = {0};
    add(&s, 10, 100);
    add(&s, 10, 108);
    velo_session_change c = add(&s, 10, 103);
    cr_assert_not(c.created);
    cr_assert_eq(c.nmerged, 0);
    cr_assert_eq(c.result.start, 100);
    cr_assert_eq(c.result.end, 118);
    velo_sessions_free(&s);
}

Test(window_session, event_exactly_gap_later_starts_a_new_session) {
    velo_sessions s = {0};
    add(&s, 10, 100);
    velo_session_change c = add(&s, 10, 110);
    cr_assert(c.created);
    int64_t want[][2] = {{100, 110}, {110, 120}};
    expect_sessions(&s, want, 2);
    velo_sessions_free(&s);
}

Test(window_session, event_one_before_gap_extends) {
    velo_sessions s = {0};
    add(&s, 10, 100);
    velo_session_change c = add(&s, 10, 109);
    cr_assert_not(c.created);
    int64_t want[][2] = {{100, 119}};
    expect_sessions(&s, want, 1);
    velo_sessions_free(&s);
}

Test(window_session, out_of_order_event_before_a_session_extends_its_start) {
    velo_sessions s = {0};
    add(&s, 10, 100);
    velo_session_change c = add(&s, 10, 95);
    cr_assert_eq(c.nmerged, 1);
    cr_assert_eq(c.merged[0].start, 100);
    int64_t want[][2] = {{95, 110}};
    expect_sessions(&s, want, 1);
    velo_sessions_free(&s);
}

Test(window_session, out_of_order_event_far_before_creates_an_earlier_session) {
    velo_sessions s = {0};
    add(&s, 10, 100);
    velo_session_change c = add(&s, 10, 50);
    cr_assert(c.created);
    int64_t want[][2] = {{50, 60}, {100, 110}};
    expect_sessions(&s, want, 2);
    velo_sessions_free(&s);
}

Test(window_session, bridging_event_merges_two_sessions) {
    velo_sessions s = {0};
    add(&s, 10, 100); /* [100, 110) */
    add(&s, 10, 115); /* [115, 125) */
    velo_session_change c = add(&s, 10, 108);
    cr_assert_not(c.created);
    cr_assert_eq(c.nmerged, 2);
    cr_assert_eq(c.merged[0].start, 100);
    cr_assert_eq(c.merged[0].end, 110);
    cr_assert_eq(c.merged[1].start, 115);
    cr_assert_eq(c.merged[1].end, 125);
    cr_assert_eq(c.result.start, 100);
    cr_assert_eq(c.result.end, 125);
    int64_t want[][2] = {{100, 125}};
    expect_sessions(&s, want, 1);
    velo_sessions_free(&s);
}

Test(window_session, bridge_keeps_sessions_on_both_sides) {
    velo_sessions s = {0};
    add(&s, 10, 0);
    add(&s, 10, 100);
    add(&s, 10, 115);
    add(&s, 10, 300);
    add(&s, 10, 108);
    int64_t want[][2] = {{0, 10}, {100, 125}, {300, 310}};
    expect_sessions(&s, want, 3);
    velo_sessions_free(&s);
}

Test(window_session, event_touching_two_sessions_at_points_creates_a_third) {
    velo_sessions s = {0};
    add(&s, 10, 100); /* [100, 110) */
    add(&s, 10, 130); /* [130, 140) */
    velo_session_change c = add(&s, 10, 120);
    cr_assert(c.created); /* [120, 130) shares only the point 130 */
    int64_t want[][2] = {{100, 110}, {120, 130}, {130, 140}};
    expect_sessions(&s, want, 3);
    velo_sessions_free(&s);
}

Test(window_session, many_sessions_grow_the_array) {
    velo_sessions s = {0};
    for (int64_t i = 0; i < 1000; i++)
        add(&s, 10, (999 - i) * 100);
    cr_assert_eq(s.count, 1000);
    for (uint32_t i = 1; i < s.count; i++)
        cr_assert(s.items[i - 1].end <= s.items[i].start);
    velo_sessions_free(&s);
    cr_assert_eq(s.count, 0);
    cr_assert_null(s.items);
}

Test(window_session, zero_gap_is_an_error) {
    velo_sessions s = {0};
    velo_session_change c;
    velo_error err;
    cr_assert_eq(velo_sessions_add(&s, 0, 5, &c, &err), VELO_ERR_INVALID);
    cr_assert(strstr(err.message, "gap") != NULL, "%s", err.message);
    cr_assert_eq(s.count, 0);
}

Test(window_session, event_near_int64_max_saturates_end) {
    velo_sessions s = {0};
    velo_session_change c = add(&s, 100, INT64_MAX - 10);
    cr_assert_eq(c.result.end, INT64_MAX);
    c = add(&s, 100, INT64_MAX);
    cr_assert_eq(s.count, 1);
    velo_sessions_free(&s);
}

Test(window_session, close_returns_sessions_in_end_order) {
    velo_sessions s = {0};
    add(&s, 10, 300);
    add(&s, 10, 100);
    add(&s, 10, 200);
    velo_win out[4];
    cr_assert_eq(velo_sessions_close(&s, 250, 0, out, 4), 2);
    cr_assert_eq(out[0].end, 110);
    cr_assert_eq(out[1].end, 210);
    int64_t want[][2] = {{300, 310}};
    expect_sessions(&s, want, 1);
    velo_sessions_free(&s);
}

Test(window_session, close_at_exact_end) {
    velo_sessions s = {0};
    add(&s, 10, 100);
    velo_win out[1];
    cr_assert_eq(velo_sessions_close(&s, 109, 0, out, 1), 0);
    cr_assert_eq(velo_sessions_close(&s, 110, 0, out, 1), 1);
    cr_assert_eq(s.count, 0);
    velo_sessions_free(&s);
}

Test(window_session, close_waits_for_allowed_lateness) {
    velo_sessions s = {0};
    add(&s, 10, 100);
    velo_win out[1];
    cr_assert_eq(velo_sessions_close(&s, 114, 5, out, 1), 0);
    cr_assert_eq(velo_sessions_close(&s, 115, 5, out, 1), 1);
    velo_sessions_free(&s);
}

Test(window_session, close_respects_max_and_keeps_the_rest) {
    velo_sessions s = {0};
    for (int64_t t = 0; t < 50; t += 20)
        add(&s, 10, t);
    velo_win out[2];
    cr_assert_eq(velo_sessions_close(&s, INT64_MAX, 0, out, 2), 2);
    cr_assert_eq(out[0].start, 0);
    cr_assert_eq(out[1].start, 20);
    cr_assert_eq(velo_sessions_close(&s, INT64_MAX, 0, out, 2), 1);
    cr_assert_eq(out[0].start, 40);
    cr_assert_eq(s.count, 0);
    velo_sessions_free(&s);
}

Test(window_session, close_with_huge_lateness_saturates) {
    velo_sessions s = {0};
    add(&s, 10, 100);
    velo_win out[1];
    cr_assert_eq(velo_sessions_close(&s, INT64_MAX - 1, INT64_MAX, out, 1), 0);
    cr_assert_eq(velo_sessions_close(&s, INT64_MAX, INT64_MAX, out, 1), 1);
    velo_sessions_free(&s);
}

/* ---- watermark ---- */

static velo_watermark wm(uint32_t n, int64_t delay, int64_t lateness, int64_t idle) {
    velo_watermark w;
    velo_error err;
    cr_assert_eq(velo_wm_init(&w, n, delay, lateness, idle, &err), VELO_OK, "%s", err.message);
    return w;
}

Test(watermark, starts_at_int64_min) {
    velo_watermark w = wm(1, 0, 0, 0);
    cr_assert_eq(w.current, INT64_MIN);
    cr_assert_not(velo_wm_window_closed(&w, INT64_MIN + 1));
    velo_wm_free(&w);
}

Test(watermark, is_max_event_time_minus_delay) {
    velo_watermark w = wm(1, 5 * S, 0, 0);
    cr_assert(velo_wm_observe(&w, 0, 100 * S, 0));
    cr_assert_eq(w.current, 95 * S);
    cr_assert_not(velo_wm_observe(&w, 0, 90 * S, 0)); /* out of order: no move back */
    cr_assert_eq(w.current, 95 * S);
    cr_assert(velo_wm_observe(&w, 0, 101 * S, 0));
    cr_assert_eq(w.current, 96 * S);
    velo_wm_free(&w);
}

Test(watermark, waits_for_every_partition) {
    velo_watermark w = wm(3, 0, 0, 0);
    cr_assert_not(velo_wm_observe(&w, 0, 100, 0));
    cr_assert_not(velo_wm_observe(&w, 1, 200, 0));
    cr_assert_eq(w.current, INT64_MIN);
    cr_assert(velo_wm_observe(&w, 2, 300, 0));
    cr_assert_eq(w.current, 100);
    velo_wm_free(&w);
}

Test(watermark, lagging_partition_holds_it_back) {
    velo_watermark w = wm(3, 10, 0, 0);
    velo_wm_observe(&w, 0, 1000, 0);
    velo_wm_observe(&w, 1, 1000, 0);
    velo_wm_observe(&w, 2, 200, 0);
    cr_assert_eq(w.current, 190);
    velo_wm_observe(&w, 0, 5000, 1);
    velo_wm_observe(&w, 1, 6000, 1);
    cr_assert_eq(w.current, 190);
    cr_assert(velo_wm_observe(&w, 2, 400, 2));
    cr_assert_eq(w.current, 390);
    velo_wm_free(&w);
}

Test(watermark, idle_partition_stops_holding_it_back) {
    velo_watermark w = wm(3, 0, 0, 100);
    velo_wm_observe(&w, 0, 1000, 0);
    velo_wm_observe(&w, 1, 2000, 0);
    velo_wm_observe(&w, 2, 50, 0);
    cr_assert_eq(w.current, 50);
    velo_wm_observe(&w, 0, 1500, 99);
    velo_wm_observe(&w, 1, 2500, 99);
    cr_assert_eq(w.current, 50);
    cr_assert(velo_wm_tick(&w, 100)); /* partition 2 silent for idle.timeout */
    cr_assert_eq(w.current, 1500);
    velo_wm_free(&w);
}

Test(watermark, resumed_partition_cannot_move_it_back) {
    velo_watermark w = wm(2, 0, 0, 100);
    velo_wm_observe(&w, 0, 1000, 0);
    velo_wm_observe(&w, 1, 10, 0);
    velo_wm_observe(&w, 0, 2000, 150);
    cr_assert_eq(w.current, 2000); /* partition 1 idle since 100 */
    cr_assert_not(velo_wm_observe(&w, 1, 500, 160));
    cr_assert_eq(w.current, 2000);
    /* partition 1 holds it again: partition 0 moves ahead, the watermark waits */
    cr_assert_not(velo_wm_observe(&w, 0, 3000, 170));
    cr_assert_eq(w.current, 2000);
    cr_assert(velo_wm_observe(&w, 1, 2600, 180));
    cr_assert_eq(w.current, 2600);
    velo_wm_free(&w);
}

Test(watermark, partition_without_data_goes_idle) {
    velo_watermark w = wm(2, 0, 0, 100);
    velo_wm_observe(&w, 0, 500, 0);
    cr_assert_eq(w.current, INT64_MIN);
    cr_assert_not(velo_wm_tick(&w, 99));
    cr_assert(velo_wm_tick(&w, 100));
    cr_assert_eq(w.current, 500);
    velo_wm_free(&w);
}

Test(watermark, all_idle_follows_the_max_of_all_partitions) {
    velo_watermark w = wm(3, 10, 0, 100);
    velo_wm_observe(&w, 0, 1000, 0);
    velo_wm_observe(&w, 1, 3000, 0);
    velo_wm_observe(&w, 2, 2000, 0);
    cr_assert_eq(w.current, 990);
    cr_assert(velo_wm_tick(&w, 1000));
    cr_assert_eq(w.current, 2990);
    velo_wm_free(&w);
}

Test(watermark, zero_idle_timeout_never_idles) {
    velo_watermark w = wm(2, 0, 0, 0);
    velo_wm_observe(&w, 0, 1000, 0);
    cr_assert_not(velo_wm_tick(&w, INT64_MAX));
    cr_assert_eq(w.current, INT64_MIN);
    velo_wm_free(&w);
}

Test(watermark, finish_closes_every_window) {
    velo_watermark w = wm(2, 5 * S, H, 0);
    velo_wm_observe(&w, 0, 10, 0);
    velo_wm_finish(&w);
    cr_assert_eq(w.current, INT64_MAX);
    cr_assert(velo_wm_window_closed(&w, INT64_MAX));
    cr_assert(velo_wm_window_closed(&w, 0));
    cr_assert_not(velo_wm_observe(&w, 1, 100, 1));
    cr_assert_eq(w.current, INT64_MAX);
    velo_wm_free(&w);
}

Test(watermark, window_closes_at_end_plus_lateness) {
    velo_watermark w = wm(1, 0, 5, 0);
    velo_wm_observe(&w, 0, 104, 0);
    cr_assert_not(velo_wm_window_closed(&w, 100));
    velo_wm_observe(&w, 0, 105, 0);
    cr_assert(velo_wm_window_closed(&w, 100));
    cr_assert_not(velo_wm_window_closed(&w, 101));
    velo_wm_free(&w);
}

Test(watermark, window_closed_saturates_near_int64_max) {
    velo_watermark w = wm(1, 0, H, 0);
    velo_wm_observe(&w, 0, INT64_MAX - 1, 0);
    cr_assert_not(velo_wm_window_closed(&w, INT64_MAX - 10));
    velo_wm_finish(&w);
    cr_assert(velo_wm_window_closed(&w, INT64_MAX - 10));
    velo_wm_free(&w);
}

Test(watermark, delay_saturates_near_int64_min) {
    velo_watermark w = wm(1, H, 0, 0);
    cr_assert_not(velo_wm_observe(&w, 0, INT64_MIN + 5, 0));
    cr_assert_eq(w.current, INT64_MIN);
    velo_wm_free(&w);
}

Test(watermark, late_rows_are_counted) {
    velo_watermark w = wm(1, 0, 0, 0);
    velo_wm_observe(&w, 0, 100, 0);
    cr_assert(velo_wm_is_late(&w, 90));
    cr_assert(velo_wm_is_late(&w, 100));
    cr_assert_not(velo_wm_is_late(&w, 101));
    cr_assert_eq(w.late_rows, 2);
    velo_wm_free(&w);
}

Test(watermark, unknown_partition_is_ignored) {
    velo_watermark w = wm(1, 0, 0, 0);
    cr_assert_not(velo_wm_observe(&w, 7, 100, 0));
    cr_assert_eq(w.current, INT64_MIN);
    velo_wm_free(&w);
}

Test(watermark, init_rejects_zero_partitions_and_negative_options) {
    velo_watermark w;
    velo_error err;
    cr_assert_eq(velo_wm_init(&w, 0, 0, 0, 0, &err), VELO_ERR_INVALID);
    cr_assert_eq(velo_wm_init(&w, 1, -1, 0, 0, &err), VELO_ERR_INVALID);
    cr_assert(strstr(err.message, "watermark.delay") != NULL, "%s", err.message);
    cr_assert_eq(velo_wm_init(&w, 1, 0, -1, 0, &err), VELO_ERR_INVALID);
    cr_assert_eq(velo_wm_init(&w, 1, 0, 0, -1, &err), VELO_ERR_INVALID);
}

/* ---- durations ---- */

static void expect_duration(const char *text, int64_t want) {
    int64_t us = -1;
    velo_error err;
    cr_assert_eq(velo_duration_parse(text, &us, &err), VELO_OK, "'%s': %s", text, err.message);
    cr_assert_eq(us, want, "'%s' -> %lld", text, (long long)us);
}

static void expect_bad_duration(const char *text, velo_status code) {
    int64_t us;
    velo_error err;
    cr_assert_eq(velo_duration_parse(text, &us, &err), code, "'%s'", text);
    char quoted[64];
    snprintf(quoted, sizeof quoted, "'%s'", text);
    cr_assert(strstr(err.message, quoted) != NULL, "message names the text: %s", err.message);
}

Test(duration, seconds) { expect_duration("5s", 5 * S); }
Test(duration, milliseconds) { expect_duration("100ms", 100000); }
Test(duration, microseconds) { expect_duration("7us", 7); }
Test(duration, minutes) { expect_duration("1m", M); }
Test(duration, hours) { expect_duration("2h", 2 * H); }
Test(duration, days) { expect_duration("1d", 24 * H); }
Test(duration, weeks) { expect_duration("1w", 7 * 24 * H); }
Test(duration, zero) { expect_duration("0", 0); }
Test(duration, zero_with_unit) { expect_duration("0s", 0); }
Test(duration, bare_number_is_milliseconds) { expect_duration("250", 250000); }
Test(duration, unknown_unit_is_an_error) { expect_bad_duration("5x", VELO_ERR_INVALID); }
Test(duration, empty_is_an_error) { expect_bad_duration("", VELO_ERR_INVALID); }
Test(duration, negative_is_an_error) { expect_bad_duration("-1s", VELO_ERR_INVALID); }
Test(duration, unit_alone_is_an_error) { expect_bad_duration("s", VELO_ERR_INVALID); }
Test(duration, space_before_unit_is_an_error) { expect_bad_duration("5 s", VELO_ERR_INVALID); }
Test(duration, upper_case_unit_is_an_error) { expect_bad_duration("5S", VELO_ERR_INVALID); }
Test(duration, fraction_is_an_error) { expect_bad_duration("1.5s", VELO_ERR_INVALID); }
Test(duration, iso_8601_is_an_error) { expect_bad_duration("PT5S", VELO_ERR_INVALID); }
Test(duration, overflow_is_an_error) { expect_bad_duration("9999999999999999999w", VELO_ERR_OVERFLOW); }
Test(duration, unit_overflow_is_an_error) { expect_bad_duration("100000000w", VELO_ERR_OVERFLOW); }
Test(duration, largest_weeks_fit) { expect_duration("15250w", INT64_C(15250) * 7 * 24 * H); }

Test(window_session, changing_the_gap_to_span_three_sessions_is_an_error) {
    velo_sessions s = {0};
    add(&s, 10, 0);
    add(&s, 10, 20);
    add(&s, 10, 40);
    velo_session_change c;
    velo_error err;
    cr_assert_eq(velo_sessions_add(&s, 100, 5, &c, &err), VELO_ERR_INVALID);
    cr_assert(strstr(err.message, "same for every event") != NULL, "%s", err.message);
    cr_assert_eq(s.count, 3);
    velo_sessions_free(&s);
}
