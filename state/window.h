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
 * (up to max; SLIDING has ceil(size/advance)). Correct for negative t (floor division). */
uint32_t velo_win_assign(const velo_win_spec *s, int64_t t, velo_win *out, uint32_t max);

/* Sessions of one key: a sorted list of disjoint [start, end) intervals where end = last event +
 * gap. Adding an event extends, creates or merges sessions (a row that bridges two merges them). */
typedef struct velo_sessions {
    velo_win *items;
    uint32_t count, cap;
} velo_sessions;

typedef struct velo_session_change {
    velo_win result;     /* the session the event now belongs to */
    velo_win merged[2];  /* sessions that were folded into it (their state must be merged) */
    uint32_t nmerged;    /* 0: extended or new; 1 or 2: merges */
    bool created;        /* a new session */
} velo_session_change;

velo_status velo_sessions_add(velo_sessions *s, int64_t gap_us, int64_t t, velo_session_change *chg,
                              velo_error *err);
/* Removes and returns (in out, up to max) sessions with end + lateness <= watermark. */
uint32_t velo_sessions_close(velo_sessions *s, int64_t watermark, int64_t lateness_us, velo_win *out, uint32_t max);
void velo_sessions_free(velo_sessions *s);

/* Watermark tracking over the partitions (Kafka partitions, files) of a source slice. */
typedef struct velo_watermark {
    int64_t delay_us;      /* watermark.delay */
    int64_t lateness_us;   /* allowed.lateness */
    int64_t idle_us;       /* idle.timeout (0: never idle) */
    uint32_t npartitions;
    int64_t *max_event;    /* per partition: max event time seen (INT64_MIN: none yet) */
    int64_t *last_seen;    /* per partition: processing time of its last record */
    int64_t current;       /* the watermark (INT64_MIN until every active partition has data) */
    uint64_t late_rows;    /* rows classified late (counted by the operator through velo_wm_is_late) */
} velo_watermark;

velo_status velo_wm_init(velo_watermark *w, uint32_t npartitions, int64_t delay_us, int64_t lateness_us,
                         int64_t idle_us, velo_error *err);
void velo_wm_free(velo_watermark *w);
/* Records an event of partition p at processing time now; returns true when the watermark advanced. */
bool velo_wm_observe(velo_watermark *w, uint32_t p, int64_t event_us, int64_t now_us);
/* Re-evaluates idleness at processing time now (an idle partition stops holding the watermark back). */
bool velo_wm_tick(velo_watermark *w, int64_t now_us);
/* End of a bounded input: the watermark jumps to +infinity (INT64_MAX) and every window closes. */
void velo_wm_finish(velo_watermark *w);
/* A window that ends at `end` is closed (results final) at the current watermark. */
bool velo_wm_window_closed(const velo_watermark *w, int64_t end);
/* Parses "5s", "100ms", "1m", "2h", "1d", "0" (options watermark.delay / allowed.lateness / idle.timeout). */
velo_status velo_duration_parse(const char *text, int64_t *us, velo_error *err);

#endif
