/* Backpressure between a job's source and its sink (engine/backpressure.h). */
#include "engine/backpressure.h"

velo_sink_backlog velo_backpressure_level(velo_sink *sink, int wait_ms) {
    velo_sink_backlog level = VELO_SINK_CLEAR;
    velo_error err = {0};
    if (sink && sink->ops->backlog && sink->ops->backlog(sink, wait_ms, &level, &err)) return VELO_SINK_CLEAR;
    return level; /* an error shows at the sink's next write or flush */
}

bool velo_backpressure_backlogged(velo_sink *sink) {
    return velo_backpressure_level(sink, 0) != VELO_SINK_CLEAR;
}

velo_status velo_backpressure_poll_level(velo_sink_backlog level, velo_source *src, velo_batch *out,
                                         bool *eof, bool *held, velo_error *err) {
    const velo_source_ops *sops = src->ops;
    *eof = false;
    *held = false;
    if (sops->pause && level != VELO_SINK_PENDING) sops->pause(src, level == VELO_SINK_FULL);
    if (level == VELO_SINK_FULL && !sops->pause) {
        *held = true;
        return VELO_OK;
    }
    velo_status st = sops->poll(src, out, eof, err);
    *held = !st && !out->count && !*eof && level == VELO_SINK_FULL;
    return st;
}

velo_status velo_backpressure_poll(velo_sink *sink, velo_source *src, velo_batch *out, bool *eof,
                                   velo_error *err) {
    const velo_source_ops *sops = src->ops;
    *eof = false;
    if (!sink || !sink->ops->backlog) return sops->poll(src, out, eof, err);
    velo_sink_backlog level = VELO_SINK_CLEAR;
    velo_status st = sink->ops->backlog(sink, 0, &level, err);
    if (st) return st;
    /* paused when full, resumed only once everything went out: a reader just a little slower
     * than the source does not make it pause and resume at every batch */
    if (sops->pause && level != VELO_SINK_PENDING) sops->pause(src, level == VELO_SINK_FULL);
    if (level == VELO_SINK_FULL && !sops->pause)
        return sink->ops->backlog(sink, VELO_BACKPRESSURE_WAIT_MS, &level, err);
    /* a paused source returns at once, without the rows read after the pause; it keeps its
     * connection served (a Kafka consumer that stops polling leaves its group) */
    st = sops->poll(src, out, eof, err);
    if (!st && !out->count && !*eof && level != VELO_SINK_CLEAR)
        st = sink->ops->backlog(sink, VELO_BACKPRESSURE_WAIT_MS, &level, err);
    return st;
}
