/* Backpressure between a job's source and its sink: a source is read only while the sink has room.
 * When the sink says it is backlogged (a pipe nobody reads, a Kafka producer queue near its limit)
 * the source is paused (Kafka: its partitions, so librdkafka stops fetching and its prefetch is
 * released) and kept alive, and the wait ends as soon as the sink has room. Memory then stays
 * bounded by the source's prefetch limits and the sink's buffer, whatever the input rate. */
#ifndef VELO_ENGINE_BACKPRESSURE_H
#define VELO_ENGINE_BACKPRESSURE_H

#include "connectors/connector.h"

/* How long one call waits for a backlogged sink before it returns an empty batch (the run loop
 * then sees stop requests and lets time pass in its operators). */
#define VELO_BACKPRESSURE_WAIT_MS 100

/* Used by the run loops in place of src->ops->poll for a source whose rows end in `sink` (NULL:
 * plain poll). The sink full: the source is paused (or, without a pause, not polled) and the call
 * waits up to VELO_BACKPRESSURE_WAIT_MS for room; a paused source is still polled (it returns no
 * rows read after the pause; a Kafka consumer stays in its group). Once the sink is clear again
 * (nothing waits), the source resumes. Rows a poll returns are the caller's, as with a plain poll. */
velo_status velo_backpressure_poll(velo_sink *sink, velo_source *src, velo_batch *out, bool *eof,
                                   velo_error *err);

/* The same for a source on another core than the sink's: `level` is what the sink's core last
 * published (velo_backpressure_level). FULL pauses the source (without a pause: not polled), CLEAR
 * resumes it; the call never waits (the caller's core sleeps while nothing comes). Sets *held when
 * the source was not polled or returned nothing because of the backlog. */
velo_status velo_backpressure_poll_level(velo_sink_backlog level, velo_source *src, velo_batch *out,
                                         bool *eof, bool *held, velo_error *err);

/* The sink's backlog, after waiting up to wait_ms for it to be no longer full (0: now); CLEAR for
 * NULL or a sink that does not say. Only the sink's own core calls it. */
velo_sink_backlog velo_backpressure_level(velo_sink *sink, int wait_ms);

/* Whether some of the sink's output waits (VELO_SINK_PENDING or FULL). A periodic commit point
 * waits while it does: committing flushes the sink, which would block the loop (and the source's
 * polling) for as long as the output is stuck. */
bool velo_backpressure_backlogged(velo_sink *sink);

#endif
