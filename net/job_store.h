/* Job persistence in the data dir: one JSON file per job (DIR/jobs/ID.json), written to a
 * temporary file, fsync'ed and renamed over the old one, so a crash (kill -9, power loss) leaves
 * either the old or the new record, never half of one. The server restores from these at start. */
#ifndef VELO_NET_JOB_STORE_H
#define VELO_NET_JOB_STORE_H

#include <stdint.h>

#include "connectors/uri.h"
#include "core/strbuf.h"
#include "velo/error.h"

#define VELO_JOB_ID_LEN 16

/* What survives a restart. Strings are owned (mi_malloc); velo_job_record_free releases them. */
typedef struct velo_job_record {
    char id[VELO_JOB_ID_LEN + 1];
    char name[65];
    char *sql;
    velo_kv properties;
    char *base_dir;                             /* relative file:// paths of the job resolve against it */
    char state[16];                             /* "running", "finished", "stopped", "cancelled", "failed" */
    int64_t submitted_ms, started_ms, ended_ms; /* Unix time in ms; 0 = not yet */
    uint32_t restarts;                          /* times the job was restored after a restart */
    uint64_t rows_in, rows_out, rows_rejected;  /* last known counters of an ended job */
    char *error;                                /* why it failed, or NULL */
} velo_job_record;

void velo_job_record_init(velo_job_record *r);
void velo_job_record_free(velo_job_record *r);

/* Creates DIR/jobs when missing and checks that it is writable. */
velo_status velo_job_store_open(const char *dir, velo_error *err);
velo_status velo_job_store_save(const char *dir, const velo_job_record *r, velo_error *err);
velo_status velo_job_store_remove(const char *dir, const char *id, velo_error *err);
/* Loads every record (sorted by submission time). A file that cannot be read is skipped and named
 * in `problems` (one line each) rather than failing the start of the server. */
velo_status velo_job_store_load(const char *dir, velo_job_record **out, uint32_t *count,
                                velo_strbuf *problems, velo_error *err);

#endif
