/* The dead-letter queue: where records that cannot be decoded or evaluated go, with the reason.
 * Every record sent here is counted; when a DLQ sink is configured ('dlq'='file://...') it is also
 * written there as one JSON object per line:
 *   {"source":"in.csv","line":3,"error":"column 'price': bad number 'x1'","record":"..."} */
#ifndef VELO_CONNECTORS_DLQ_H
#define VELO_CONNECTORS_DLQ_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "velo/error.h"

typedef struct velo_dlq {
    FILE *out; /* NULL: count and report only */
    char *path;
    _Atomic uint64_t count; /* read by the control thread while cores run */
    /* Set (by the engine) when several cores share this queue: velo_dlq_put takes it. Rejected
     * records are the error path, never the data path. */
    pthread_mutex_t *lock;
    uint32_t reported; /* messages printed to stderr so far (capped, see max_report) */
    uint32_t max_report;
} velo_dlq;

/* uri may be NULL (count only). Relative file paths resolve against base_dir. */
velo_status velo_dlq_open(velo_dlq *dlq, const char *uri, const char *base_dir, velo_error *err);
/* Records one rejected record: `origin` names where it came from ("in.csv:3"), `line` its
 * line/offset number (or -1), `record` its raw bytes (may be NULL). Also prints
 * "velo-sql: in.csv:3: <reason>" to stderr for the first max_report records. */
void velo_dlq_put(velo_dlq *dlq, const char *source, int64_t line, const char *reason, const char *record,
                  uint32_t record_len);
void velo_dlq_close(velo_dlq *dlq);

#endif
