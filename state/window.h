/* Event-time windows and watermarks: which windows a row belongs to (TUMBLING, SLIDING, SESSION),
 * when a window may close, and which rows are late. Pure logic on int64 microsecond timestamps,
 * shared by the GROUP BY/window operator and window functions; no rows are stored here except the
 * session index (which sessions exist for a key and how they merge).
 *
 * Watermark = max event time seen - watermark.delay (bounded out-of-orderness), held back by no
 * partition once it has been idle for idle.timeout; processing time when no event-time field.
 * A window [start, end) closes when watermark >= end + allowed.lateness. A row is late when its
 * window has already closed. */
#ifndef VELO_STATE_WINDOW_H
#define VELO_STATE_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "velo/error.h"

typedef enum velo_win_kind { VELO_WIN_TUMBLING, VELO_WIN_SLIDING, VELO_WIN_SESSION } velo_win_kind;

typedef struct velo_win_spec {
    velo_win_kind kind;
    int64_t size_us;    /* TUMBLING/SLIDING size; SESSION gap */
    int64_t advance_us; /* SLIDING advance; == size for TUMBLING */
    int64_t offset_us;  /* alignment offset (0: windows start at multiples of advance since the epoch) */
} velo_win_spec;

typedef struct velo_win {
    int64_t start, end; /* [start, end) in µs */
} velo_win;

/* Windows of a TUMBLING/SLIDING spec that contain event time t, oldest first; returns how many
 * (up to max; SLIDING has ceil(size/advance), or one less when advance does not divide size; the
 * oldest max when there are more). Starts are offset + k*advance for an integer k, so the windows
 * containing t are those with start in (t - size, t]; correct for negative t (floor division).
 * Bounds saturate at INT64_MIN/INT64_MAX. 0 for SESSION or a size/advance <= 0. */
uint32_t velo_win_assign(const velo_win_spec *s, int64_t t, velo_win *out, uint32_t max);

/* Sessions of one key: a sorted list of disjoint [start, end) intervals where start = first event
 * and end = last event + gap. An event at t is the interval [t, t + gap); it joins every session it
 * overlaps (sharing more than a point), so an event exactly gap after the last one starts a new
 * session, and a row that bridges two sessions merges them. Events may arrive in any order: the
 * sessions are the same as for the sorted events. Zero-initialise; free with velo_sessions_free. */
typedef struct velo_sessions {
    velo_win *items;
    uint32_t count, cap;
} velo_sessions;

typedef struct velo_session_change {
    velo_win result;     /* the session the event now belongs to */
    velo_win merged[2];  /* previous bounds of the sessions folded into result: the caller moves or
                            merges the state it keeps under each of them into result's state */
    uint32_t nmerged;    /* 0: new, or inside a session that did not change (result is that session);
                            1: one session grew (merged[0] = its old bounds); 2: a bridge merged two */
    bool created;        /* a new session (nmerged == 0) */
} velo_session_change;

/* gap_us > 0 and the same for every call on s (else VELO_ERR_INVALID); VELO_ERR_NOMEM leaves s as
 * it was. */
velo_status velo_sessions_add(velo_sessions *s, int64_t gap_us, int64_t t, velo_session_change *chg,
                              velo_error *err);
/* Removes and returns (in out, up to max, in end order) sessions with end + lateness <= watermark
 * (saturating); sessions past max stay for the next call. */
uint32_t velo_sessions_close(velo_sessions *s, int64_t watermark, int64_t lateness_us, velo_win *out, uint32_t max);
void velo_sessions_free(velo_sessions *s);

/* Watermark tracking over the partitions (Kafka partitions, files) of a source slice. */
typedef struct velo_watermark {
    int64_t delay_us;      /* watermark.delay */
    int64_t lateness_us;   /* allowed.lateness */
    int64_t idle_us;       /* idle.timeout (0: never idle) */
    uint32_t npartitions;
    int64_t *max_event;    /* per partition: max event time seen (INT64_MIN: none yet) */
    int64_t *last_seen;    /* per partition: processing time of its last record (or of the first
                              observe/tick, so a partition that never sends anything goes idle too) */
    int64_t current;       /* the watermark (INT64_MIN until every active partition has data; with
                              every partition idle, the max over all partitions - delay) */
    uint64_t late_rows;    /* rows classified late (counted by the operator through velo_wm_is_late) */
} velo_watermark;

velo_status velo_wm_init(velo_watermark *w, uint32_t npartitions, int64_t delay_us, int64_t lateness_us,
                         int64_t idle_us, velo_error *err);
void velo_wm_free(velo_watermark *w);
/* Records an event of partition p at processing time now; returns true when the watermark advanced.
 * The watermark never moves backwards: a partition that resumes behind it makes its rows late. */
bool velo_wm_observe(velo_watermark *w, uint32_t p, int64_t event_us, int64_t now_us);
/* Re-evaluates idleness at processing time now (an idle partition stops holding the watermark back). */
bool velo_wm_tick(velo_watermark *w, int64_t now_us);
/* End of a bounded input: the watermark jumps to +infinity (INT64_MAX) and every window closes. */
void velo_wm_finish(velo_watermark *w);
/* A window that ends at `end` is closed (results final): watermark >= end + lateness (saturating). */
bool velo_wm_window_closed(const velo_watermark *w, int64_t end);
/* A row whose newest window ends at `end` is late when that window is closed; counts it in late_rows
 * (the operator then drops it or sends it to the DLQ per 'late.records'). */
bool velo_wm_is_late(velo_watermark *w, int64_t end);
/* Parses the options watermark.delay / allowed.lateness / idle.timeout: a non-negative integer with a
 * lower-case unit us, ms, s, m (minutes), h, d, w ("5s", "100ms", "1m", "2h", "1d", "1w"), or a bare
 * integer, which is milliseconds as in Flink and ksqlDB ("0", "250"). Errors name the text. */
velo_status velo_duration_parse(const char *text, int64_t *us, velo_error *err);

#endif
