/* Per-partition watermarks of a source (core/part_watermarks.h): a small table by the reader's
 * partition index, updated per record and asked for its minimum after each poll. */
#include "core/part_watermarks.h"

#include <mimalloc.h>
#include <string.h>

void velo_part_watermarks_init(velo_part_watermarks *w, int64_t delay_us, int64_t idle_us) {
    memset(w, 0, sizeof *w);
    w->delay_us = delay_us;
    w->idle_us = idle_us;
}

void velo_part_watermarks_free(velo_part_watermarks *w) {
    mi_free(w->parts);
    memset(w, 0, sizeof *w);
}

velo_status velo_part_watermarks_assign(velo_part_watermarks *w, uint32_t idx, int64_t now_us,
                                        velo_error *err) {
    if (idx >= w->cap) {
        uint32_t cap = w->cap ? w->cap : 8;
        while (cap <= idx)
            cap *= 2;
        velo_part_wm *np = mi_realloc(w->parts, sizeof *np * cap);
        if (!np) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory tracking partition watermarks");
        memset(np + w->cap, 0, sizeof *np * (cap - w->cap));
        w->parts = np;
        w->cap = cap;
    }
    if (idx >= w->nparts) {
        for (uint32_t i = w->nparts; i <= idx; i++)
            w->parts[i] = (velo_part_wm){.max_event = INT64_MIN};
        w->nparts = idx + 1;
    }
    velo_part_wm *p = &w->parts[idx];
    if (!p->active) p->last_us = now_us; /* idle counts from the assignment until a record comes */
    p->active = true;
    p->ended = false;
    return VELO_OK;
}

void velo_part_watermarks_revoke(velo_part_watermarks *w, uint32_t idx) {
    if (idx < w->nparts) w->parts[idx].active = false;
}

void velo_part_watermarks_end(velo_part_watermarks *w, uint32_t idx) {
    if (idx < w->nparts) w->parts[idx].ended = true;
}

int64_t velo_part_watermarks_row(velo_part_watermarks *w, uint32_t idx, int64_t t, int64_t now_us) {
    if (idx >= w->nparts) return INT64_MIN;
    velo_part_wm *p = &w->parts[idx];
    int64_t before = p->max_event == INT64_MIN ? INT64_MIN : p->max_event - w->delay_us;
    if (t > p->max_event) p->max_event = t;
    p->last_us = now_us;
    return before;
}

int64_t velo_part_watermarks_current(const velo_part_watermarks *w, int64_t now_us) {
    int64_t wm = INT64_MAX;
    bool live = false, any = false;
    for (uint32_t i = 0; i < w->nparts; i++) {
        const velo_part_wm *p = &w->parts[i];
        if (!p->active) continue;
        any = true;
        if (p->ended || (w->idle_us > 0 && now_us - p->last_us >= w->idle_us)) continue;
        live = true;
        if (p->max_event == INT64_MIN) return INT64_MIN; /* it may still bring anything */
        int64_t pw = p->max_event - w->delay_us;
        if (pw < wm) wm = pw;
    }
    if (!any) return INT64_MIN;
    return live ? wm : VELO_WATERMARK_IDLE;
}
