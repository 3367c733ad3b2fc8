/* The plug-in interface of sources and sinks (like a VFS): a connector is a struct of function
 * pointers registered under a URI scheme. Formats (CSV, JSON lines...) plug into file and Kafka
 * connectors through connectors/formats/format.h. Adding a connector touches its own file and
 * one line in connectors/registry.c. */
#ifndef VELO_CONNECTORS_CONNECTOR_H
#define VELO_CONNECTORS_CONNECTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "connectors/dlq.h"
#include "connectors/status.h"
#include "connectors/uri.h"
#include "core/batch.h"
#include "core/strbuf.h"
#include "velo/error.h"

/* Everything a connector is opened with: the parsed URI, the merged options (URI query parameters
 * overridden by WITH (...) keys), the folder relative file paths resolve against, and the
 * dead-letter queue for records that cannot be decoded. */
typedef struct velo_source velo_source;
typedef struct velo_sink velo_sink;

typedef struct velo_connector_args {
    const velo_uri *uri;
    const velo_kv *options;      /* merged: URI query + WITH; keys as written, lookup case-insensitive */
    const char *base_dir;        /* folder of the SQL file ("." for stdin) */
    const velo_schema *declared; /* declared columns (CREATE STREAM t (...)), or NULL */
    velo_dlq *dlq;               /* never NULL: a DLQ that only counts when none is configured */
    const char *name;            /* source/sink name for messages ("trades", or the URI) */
    /* Projection pushdown, sources only: per column of `declared`, nonzero when the query reads it;
     * NULL = every column. A source may leave unread columns NULL (and skip decoding them). */
    const uint8_t *used_columns;
    /* Optional (NULL: not observed). The job's connector status: a connector with a broker reports
     * losing and regaining it, and a source its lag per partition (connectors/status.h). */
    velo_connector_status *status;
    /* Sources: read only part `slice` of `nslices` of the input (one per core); nslices 0 or 1:
     * all of it. How a source splits is its own (file: by file for globs, else by byte range). */
    uint32_t slice, nslices;
    /* With nslices > 1: the reading core's wake-up eventfd (velo_core_wake_fd; -1 when it busy-polls).
     * A source that signals arrivals through it polls without blocking and has a ready() op. */
    int wake_fd;
    /* Slices 1..n-1: slice 0's source, opened first. Slices that share one connection attach to it
     * (Kafka: one consumer per node, each core reading the partitions it owns). */
    velo_source *first_slice;
    /* Optional, sources only (NULL: none). Names the sources of one query have reserved, so that
     * two readers of one query never share what must be theirs alone (Kafka: the consumer group of
     * a source read twice, as in a self-join). A connector reads and adds its own keys. */
    velo_kv *claims;
} velo_connector_args;

typedef struct velo_source velo_source;
typedef struct velo_sink velo_sink;

/* How much output a sink holds that it could not hand on yet (velo_sink_ops.backlog). */
typedef enum velo_sink_backlog {
    VELO_SINK_CLEAR,   /* nothing waits */
    VELO_SINK_PENDING, /* some output waits: a flush would block now (a periodic commit waits) */
    VELO_SINK_FULL,    /* more than it takes before its next write: the source pauses */
} velo_sink_backlog;

/* Where a source stands in one partition of its input: the offset of the next record it reads
 * (checkpoints record these and a restored job resumes from them). */
typedef struct velo_source_position {
    const char *topic; /* borrowed from the source (valid while it is open) */
    int32_t partition;
    int64_t offset;
} velo_source_position;

typedef struct velo_source_ops {
    const char *scheme; /* "file", "kafka" */
    /* Opens the source and determines its schema: the declared one, the format's own, or one
     * inferred from a sample (CSV header + inference, JSON sampling: see docs/connectors/file.md). */
    velo_status (*open)(const velo_connector_args *args, velo_source **out, velo_error *err);
    /* The schema rows will have. Owned by the source. */
    const velo_schema *(*schema)(velo_source *src);
    /* Fills `out` (created with the source's schema, reset by the caller) with up to
     * out->capacity rows. Malformed records go to the DLQ and are skipped. Sets *eof when a
     * bounded input is exhausted (the batch may still hold rows). */
    velo_status (*poll)(velo_source *src, velo_batch *out, bool *eof, velo_error *err);
    /* Optional (NULL: nothing to commit). Marks every record polled so far as processed (Kafka:
     * commits the consumer group's offsets). The run loop calls it only after the sink's flush
     * succeeded and no operator holds rows back, so a restart never skips an undelivered record
     * (at-least-once). */
    velo_status (*commit)(velo_source *src, velo_error *err);
    /* Optional (NULL: bounded unless 'watch'=true, as files). Whether the input ends. */
    bool (*is_bounded)(velo_source *src);
    /* Optional (NULL: the source is simply not polled while its output is backlogged). Backpressure
     * (engine/backpressure.h): paused, the source stops fetching but keeps its place and its
     * connection (Kafka: rd_kafka_pause_partitions, still polled so the group keeps it), and poll
     * returns no rows read after the pause; resumed, it reads on from where it stopped. Idempotent. */
    void (*pause)(velo_source *src, bool paused);
    void (*close)(velo_source *src);
    /* Optional: whether poll() has something to do. A slice (nslices > 1) with this op polls without
     * blocking and its core sleeps on its io_uring until this is true, woken through wake_fd (or
     * every 100 ms at most). NULL, or a source opened unsliced: poll() itself waits a little when
     * nothing comes and the core loops on it. */
    bool (*ready)(velo_source *src);
    /* Optional, for slices whose rows reach the sink on another core (the commit is made there):
     * snapshot() is what commit() would commit now (NULL: nothing new), owned by the caller;
     * commit_snapshot() on any slice of the same source, once the sink flushed every row read before
     * the snapshot, commits it and frees it; free_snapshot() frees one never committed. */
    void *(*snapshot)(velo_source *src);
    velo_status (*commit_snapshot)(velo_source *src, void *snap, velo_error *err);
    void (*free_snapshot)(void *snap);
    /* Optional, for checkpoints (engine/checkpoint.h; NULL: the source cannot be checkpointed).
     * positions(): per partition, the offset after the last record polled (or the one it was told
     * to resume at and has not read past); *out is mi_malloc'ed, mi_free it. resume(): called after
     * open and before the first poll: the partitions named start at those offsets when assigned
     * (instead of the group's committed offsets). */
    velo_status (*positions)(velo_source *src, velo_source_position **out, uint32_t *n, velo_error *err);
    velo_status (*resume)(velo_source *src, const velo_source_position *pos, uint32_t n, velo_error *err);
    /* Optional (Kafka): per-partition event-time watermarks (core/part_watermarks.h), asked for before
     * the first poll: column `time_column` of the source's schema holds event time (TIMESTAMP, BIGINT
     * epoch milliseconds or ISO-8601 text). From then on poll() stamps every row with its partition's
     * watermark before it (velo_batch.row_wm), and watermark() is the source's (this slice's)
     * watermark: the minimum over its live partitions, INT64_MIN while unknown, VELO_WATERMARK_IDLE
     * when none is live. `idle_us` ('watermark.idle.timeout', 0: never) leaves quiet partitions out. */
    velo_status (*watermarks)(velo_source *src, int32_t time_column, int64_t delay_us, int64_t idle_us,
                              velo_error *err);
    int64_t (*watermark)(velo_source *src);
} velo_source_ops;

/* A sink's row encoder for another thread (velo_sink_ops.encoder_new): it turns rows into exactly
 * the bytes the sink's write() would append for them, touching nothing the sink owns, so the cores
 * whose rows end in one sink encode them and the sink's core only appends bytes (engine/gather.h). */
typedef struct velo_sink_encoder velo_sink_encoder;
struct velo_sink_encoder {
    /* Appends the live rows of b (respecting its selection vector), encoded, to out. */
    velo_status (*encode)(velo_sink_encoder *enc, const velo_batch *b, velo_strbuf *out, velo_error *err);
    /* NULL unless opened with VELO_ENCODER_DIRECT and the output allows it (a regular file): writes
     * bytes of whole rows to the output from the encoder's thread, as one contiguous piece that no
     * other writer's bytes split (lock-free: the file sink reserves the range with an atomic add). */
    velo_status (*write)(velo_sink_encoder *enc, const char *bytes, size_t len, velo_error *err);
    void (*free)(velo_sink_encoder *enc);
};

/* velo_sink_ops.encoder_new flags: the caller lets the encoder write to the output itself (its rows
 * then need no trip to the sink's thread; nothing may depend on a flush of the sink covering them). */
#define VELO_ENCODER_DIRECT 1u

typedef struct velo_sink_ops {
    const char *scheme;
    /* `schema` is the schema of the rows written (names are the output column names). */
    velo_status (*open)(const velo_connector_args *args, const velo_schema *schema, velo_sink **out,
                        velo_error *err);
    /* Writes the live rows of b (respecting its selection vector). */
    velo_status (*write)(velo_sink *sink, const velo_batch *b, velo_error *err);
    velo_status (*flush)(velo_sink *sink, velo_error *err);
    /* Optional (NULL: flush, then the source's commit). A commit point: makes everything written
     * so far durable together with the progress of `src` (Kafka exactly-once: the source's offsets
     * are sent inside the sink's transaction, which then commits). The run loop calls it where it
     * would otherwise flush and call the source's commit. */
    velo_status (*commit)(velo_sink *sink, velo_source *src, velo_error *err);
    /* Optional (NULL: always clear). Moves buffered output on without blocking, waiting at most
     * wait_ms for room, and says how much still waits (*level): FULL when the sink holds more than
     * it takes before its next write (a pipe nobody reads, librdkafka's queue near its limit): the
     * run loop then pauses the source and asks again until the sink has room (engine/backpressure.h). */
    velo_status (*backlog)(velo_sink *sink, int wait_ms, velo_sink_backlog *level, velo_error *err);
    void (*close)(velo_sink *sink);
    /* Optional, both or neither (NULL: rows reach the sink only through write()). encoder_new makes
     * an encoder (owned by the caller, used by one thread at a time, any thread, freed before the
     * sink closes; all made before any is used); write_encoded appends what encoders produced for `rows`
     * rows, as write() would have for those rows (buffering, draining and backlog alike). */
    velo_status (*encoder_new)(velo_sink *sink, unsigned flags, velo_sink_encoder **out, velo_error *err);
    velo_status (*write_encoded)(velo_sink *sink, const char *bytes, size_t len, uint64_t rows,
                                 velo_error *err);
} velo_sink_ops;

struct velo_source {
    const velo_source_ops *ops;
};
struct velo_sink {
    const velo_sink_ops *ops;
};

/* Registry (connectors/registry.c). Returns NULL for an unknown scheme. */
const velo_source_ops *velo_source_lookup(const char *scheme);
const velo_sink_ops *velo_sink_lookup(const char *scheme);
/* Schemes whose URIs are validated but which do not run yet (postgresql, clickhouse, s3, iceberg). */
bool velo_scheme_is_planned(const char *scheme);

#endif
