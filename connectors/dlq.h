/* The dead-letter queue: where records that cannot be decoded or evaluated go, with the reason.
 * Every record sent here is counted; when a DLQ sink is configured ('dlq'='file://...') it is also
 * written there as one JSON object per line:
 *   {"source":"in.csv","line":3,"error":"column 'price': bad number 'x1'","record":"..."} */
#ifndef VELO_CONNECTORS_DLQ_H
#define VELO_CONNECTORS_DLQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "velo/error.h"

/* Line numbers not counted yet: a slice of a file that starts mid-file (JSON lines on several
 * cores) numbers its rows relative to its start rather than counting the newlines before it first
 * (a pass over the part of the file another core reads, before the first row). Such an origin is
 * VELO_ORIGIN_DEFERRED | id << VELO_ORIGIN_ID_SHIFT | line-within-the-slice (from 1), where id
 * names a (file, start offset) registered with velo_dlq_defer_lines; the error path turns it into
 * the file's line number (velo_dlq_line), counting that file's newlines once. */
#define VELO_ORIGIN_DEFERRED ((int64_t)1 << 62)
#define VELO_ORIGIN_ID_SHIFT 40

typedef struct velo_dlq_base {
    char *path;
    int64_t start;    /* byte offset the slice starts at */
    int64_t newlines; /* newlines before it, once counted (-1: not yet) */
} velo_dlq_base;

typedef struct velo_dlq {
    FILE *out; /* NULL: count and report only */
    char *path;
    _Atomic uint64_t count; /* read by the control thread while cores run */
    /* Set (by the engine) when several cores share this queue: velo_dlq_put takes it. Rejected
     * records are the error path, never the data path. */
    pthread_mutex_t *lock;
    uint32_t reported; /* messages printed to stderr so far (capped, see max_report) */
    uint32_t max_report;
    velo_dlq_base *bases; /* deferred line numbers (under lock) */
    uint32_t nbases, capbases;
} velo_dlq;

/* uri may be NULL (count only). Relative file paths resolve against base_dir. */
velo_status velo_dlq_open(velo_dlq *dlq, const char *uri, const char *base_dir, velo_error *err);
/* Records one rejected record: `origin` names where it came from ("in.csv:3"), `line` its
 * line/offset number (or -1), `record` its raw bytes (may be NULL). Also prints
 * "velo-sql: in.csv:3: <reason>" to stderr for the first max_report records. */
void velo_dlq_put(velo_dlq *dlq, const char *source, int64_t line, const char *reason, const char *record,
                  uint32_t record_len);
void velo_dlq_close(velo_dlq *dlq);

/* Registers a slice of `path` starting at byte `start` whose line numbers are counted only if an
 * error needs one; *origin_base is the origin of its first line (count on from there). False when
 * it cannot (out of memory, too many): the caller counts the lines itself. Any thread. */
bool velo_dlq_defer_lines(velo_dlq *dlq, const char *path, int64_t start, int64_t *origin_base);
/* The line number an origin stands for (deferred ones resolved; others unchanged). Any thread. */
int64_t velo_dlq_line(velo_dlq *dlq, int64_t origin);

#endif
