/* Event-time windows and watermarks (state/window.h). All arithmetic on timestamps saturates at
 * INT64_MIN/INT64_MAX instead of wrapping: a window near the end of time is clipped, never moved
 * to the other end. Window starts are computed in 128 bits so that floor division is exact. */
#include "state/window.h"

#include <mimalloc.h>
#include <string.h>

/* ---- saturating arithmetic ---- */

static int64_t sat_add(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static int64_t sat_sub(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r)) return b > 0 ? INT64_MIN : INT64_MAX;
    return r;
}

static int64_t clamp128(__int128 v) {
    if (v > INT64_MAX) return INT64_MAX;
    if (v < INT64_MIN) return INT64_MIN;
    return (int64_t)v;
}

static __int128 floor_mod128(__int128 a, __int128 m) {
    __int128 r = a % m;
    return r < 0 ? r + m : r;
}

/* ---- TUMBLING / SLIDING ---- */

uint32_t velo_win_assign(const velo_win_spec *s, int64_t t, velo_win *out, uint32_t max) {
    if (!s || s->kind == VELO_WIN_SESSION || s->size_us <= 0) return 0;
    int64_t size = s->size_us;
    int64_t advance = s->kind == VELO_WIN_TUMBLING ? size : s->advance_us;
    if (advance <= 0) return 0;
    /* newest start: the largest start <= t with start = offset (mod advance) */
    __int128 r = floor_mod128((__int128)t - s->offset_us, advance);
    __int128 newest = (__int128)t - r;
    /* starts in (t - size, t]: newest - k*advance for k*advance < size - r */
    __int128 span = (__int128)size - r;
    if (span <= 0) return 0; /* t falls in a gap between windows (advance > size) */
    __int128 n128 = (span + advance - 1) / advance;
    uint32_t n = n128 > max ? max : (uint32_t)n128;
    __int128 oldest = newest - (n128 - 1) * advance;
    for (uint32_t i = 0; i < n; i++) {
        __int128 start = oldest + (__int128)i * advance;
        out[i].start = clamp128(start);
        out[i].end = clamp128(start + size);
    }
    return n;
}

/* ---- SESSION ---- */

static velo_status sessions_reserve(velo_sessions *s, velo_error *err) {
    if (s->count < s->cap) return VELO_OK;
    uint32_t cap = s->cap ? s->cap * 2 : 4;
    if (cap <= s->cap)
        return velo_error_set(err, VELO_ERR_NOMEM, "session windows: too many sessions for one key");
    velo_win *items = mi_realloc(s->items, (size_t)cap * sizeof *items);
    if (!items)
        return velo_error_set(err, VELO_ERR_NOMEM, "session windows: out of memory growing to %u sessions",
                              cap);
    s->items = items;
    s->cap = cap;
    return VELO_OK;
}

/* Index of the first session whose end is after t (ends are sorted: sessions are disjoint). */
static uint32_t first_ending_after(const velo_sessions *s, int64_t t) {
    uint32_t lo = 0, hi = s->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->items[mid].end > t)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

velo_status velo_sessions_add(velo_sessions *s, int64_t gap_us, int64_t t, velo_session_change *chg,
                              velo_error *err) {
    if (gap_us <= 0)
        return velo_error_set(err, VELO_ERR_INVALID,
                              "session window: gap must be greater than zero (got %lld us)",
                              (long long)gap_us);
    velo_win ev = {t, sat_add(t, gap_us)};
    if (ev.end == ev.start) ev.start = INT64_MAX - 1; /* t = INT64_MAX: keep the interval non-empty */
    uint32_t i = first_ending_after(s, ev.start);
    uint32_t j = i; /* [i, j) overlap ev: half-open intervals that share more than a point */
    while (j < s->count && s->items[j].start < ev.end)
        j++;
    if (j - i > 2)
        return velo_error_set(err, VELO_ERR_INVALID,
                              "session window: an event overlaps %u sessions; the gap must be the same for "
                              "every event of a key",
                              j - i);
    memset(chg, 0, sizeof *chg);
    if (i == j) {
        velo_status st = sessions_reserve(s, err);
        if (st) return st;
        memmove(s->items + i + 1, s->items + i, (size_t)(s->count - i) * sizeof *s->items);
        s->items[i] = ev;
        s->count++;
        chg->result = ev;
        chg->created = true;
        return VELO_OK;
    }
    velo_win merged = {ev.start < s->items[i].start ? ev.start : s->items[i].start,
                       ev.end > s->items[j - 1].end ? ev.end : s->items[j - 1].end};
    for (uint32_t k = i; k < j; k++)
        if (s->items[k].start != merged.start || s->items[k].end != merged.end)
            chg->merged[chg->nmerged++] = s->items[k];
    s->items[i] = merged;
    if (j - i == 2) {
        memmove(s->items + i + 1, s->items + j, (size_t)(s->count - j) * sizeof *s->items);
        s->count--;
    }
    chg->result = merged;
    return VELO_OK;
}

uint32_t velo_sessions_close(velo_sessions *s, int64_t watermark, int64_t lateness_us, velo_win *out,
                             uint32_t max) {
    /* ends are sorted, so the closed sessions are a prefix */
    uint32_t n = 0;
    while (n < s->count && n < max && sat_add(s->items[n].end, lateness_us) <= watermark) {
        out[n] = s->items[n];
        n++;
    }
    if (n) {
        memmove(s->items, s->items + n, (size_t)(s->count - n) * sizeof *s->items);
        s->count -= n;
    }
    return n;
}

void velo_sessions_free(velo_sessions *s) {
    mi_free(s->items);
    s->items = NULL;
    s->count = s->cap = 0;
}

/* ---- watermark ---- */

velo_status velo_wm_init(velo_watermark *w, uint32_t npartitions, int64_t delay_us, int64_t lateness_us,
                         int64_t idle_us, velo_error *err) {
    memset(w, 0, sizeof *w);
    if (npartitions == 0)
        return velo_error_set(err, VELO_ERR_INVALID, "watermark: a source needs at least one partition");
    if (delay_us < 0 || lateness_us < 0 || idle_us < 0)
        return velo_error_set(err, VELO_ERR_INVALID,
                              "watermark: watermark.delay, allowed.lateness and idle.timeout must not be "
                              "negative (got %lld, %lld, %lld us)",
                              (long long)delay_us, (long long)lateness_us, (long long)idle_us);
    w->max_event = mi_malloc((size_t)npartitions * sizeof *w->max_event);
    w->last_seen = mi_malloc((size_t)npartitions * sizeof *w->last_seen);
    if (!w->max_event || !w->last_seen) {
        velo_wm_free(w);
        return velo_error_set(err, VELO_ERR_NOMEM, "watermark: out of memory for %u partitions", npartitions);
    }
    for (uint32_t p = 0; p < npartitions; p++)
        w->max_event[p] = w->last_seen[p] = INT64_MIN;
    w->npartitions = npartitions;
    w->delay_us = delay_us;
    w->lateness_us = lateness_us;
    w->idle_us = idle_us;
    w->current = INT64_MIN;
    return VELO_OK;
}

void velo_wm_free(velo_watermark *w) {
    mi_free(w->max_event);
    mi_free(w->last_seen);
    w->max_event = w->last_seen = NULL;
    w->npartitions = 0;
}

/* A partition's idle clock starts the first time the tracker sees a processing time, so a partition
 * that never produces a record becomes idle idle.timeout after the start. */
static void start_clocks(velo_watermark *w, int64_t now) {
    if (w->npartitions && w->last_seen[0] != INT64_MIN) return; /* fast path: started */
    for (uint32_t p = 0; p < w->npartitions; p++)
        if (w->last_seen[p] == INT64_MIN) w->last_seen[p] = now;
}

static bool is_idle(const velo_watermark *w, uint32_t p, int64_t now) {
    return w->idle_us > 0 && sat_sub(now, w->last_seen[p]) >= w->idle_us;
}

/* Min over active partitions (max over all when every partition is idle); never moves backwards. */
static bool recompute(velo_watermark *w, int64_t now) {
    int64_t min_active = INT64_MAX, max_all = INT64_MIN;
    bool any_active = false;
    for (uint32_t p = 0; p < w->npartitions; p++) {
        int64_t m = w->max_event[p];
        if (m > max_all) max_all = m;
        if (is_idle(w, p, now)) continue;
        any_active = true;
        if (m < min_active) min_active = m;
    }
    int64_t base = any_active ? min_active : max_all;
    if (base == INT64_MIN) return false; /* an active partition has no data yet */
    int64_t wm = sat_sub(base, w->delay_us);
    if (wm <= w->current) return false;
    w->current = wm;
    return true;
}

bool velo_wm_observe(velo_watermark *w, uint32_t p, int64_t event_us, int64_t now_us) {
    if (p >= w->npartitions) return false;
    start_clocks(w, now_us);
    bool resumed = is_idle(w, p, now_us);
    bool advanced = event_us > w->max_event[p];
    if (advanced) w->max_event[p] = event_us;
    if (now_us > w->last_seen[p]) w->last_seen[p] = now_us;
    /* the minimum can only move when this partition's maximum grows or it stops being idle */
    if (!advanced && !resumed) return false;
    return recompute(w, now_us);
}

bool velo_wm_tick(velo_watermark *w, int64_t now_us) {
    start_clocks(w, now_us);
    return recompute(w, now_us);
}

void velo_wm_finish(velo_watermark *w) { w->current = INT64_MAX; }

bool velo_wm_window_closed(const velo_watermark *w, int64_t end) {
    return w->current >= sat_add(end, w->lateness_us);
}

bool velo_wm_is_late(velo_watermark *w, int64_t end) {
    if (!velo_wm_window_closed(w, end)) return false;
    w->late_rows++;
    return true;
}

/* ---- durations ---- */

static const struct {
    const char *name;
    int64_t us;
} duration_units[] = {
    {"us", 1},
    {"ms", INT64_C(1000)},
    {"s", INT64_C(1000000)},
    {"m", INT64_C(60000000)},
    {"h", INT64_C(3600000000)},
    {"d", INT64_C(86400000000)},
    {"w", INT64_C(604800000000)},
};

static velo_status bad_duration(velo_error *err, const char *text) {
    return velo_error_set(
        err, VELO_ERR_INVALID,
        "invalid duration '%s': expected a non-negative number with a unit (us, ms, s, m, h, "
        "d, w), e.g. '5s' or '100ms'; a bare number is milliseconds",
        text);
}

velo_status velo_duration_parse(const char *text, int64_t *us, velo_error *err) {
    if (!text) return bad_duration(err, "");
    const char *p = text;
    if (*p < '0' || *p > '9') return bad_duration(err, text);
    int64_t n = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, *p - '0', &n))
            return velo_error_set(err, VELO_ERR_OVERFLOW,
                                  "duration '%s' is too large (the limit is about 292000 years)", text);
    int64_t unit = -1;
    if (*p == '\0') unit = 1000; /* bare number: milliseconds, as Flink and ksqlDB options take */
    for (size_t i = 0; unit < 0 && i < sizeof duration_units / sizeof duration_units[0]; i++)
        if (strcmp(p, duration_units[i].name) == 0) unit = duration_units[i].us;
    if (unit < 0) return bad_duration(err, text);
    if (__builtin_mul_overflow(n, unit, us))
        return velo_error_set(err, VELO_ERR_OVERFLOW,
                              "duration '%s' is too large (the limit is about 292000 years)", text);
    return VELO_OK;
}
