/* Checkpoint snapshots on disk: a job's operator state (rows of key, window, aggregate states) in
 * msgpack files under a state directory, and one manifest per checkpoint naming its id, the source
 * offsets per partition it covers and its files (size + XXH3 checksum). Every file is written to a
 * temporary name, fsynced and renamed; the manifest is renamed last, so a checkpoint exists once its
 * manifest does. The last VELO_SNAP_KEEP checkpoints are kept. Readers reject a truncated or
 * corrupted file with a message naming it and what to do. */
#ifndef VELO_STATE_SNAPSHOT_H
#define VELO_STATE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "velo/error.h"

#define VELO_SNAP_KEEP 2

/* Where a source resumes: the next offset of one partition (Kafka: topic, partition, offset). */
typedef struct velo_snap_offset {
    char *topic;
    int32_t partition;
    int64_t offset;
} velo_snap_offset;

typedef struct velo_snap_file {
    char *name; /* file name inside the checkpoint directory */
    uint64_t size, checksum;
} velo_snap_file;

typedef struct velo_snap_manifest {
    uint64_t id;
    int64_t created_us; /* wall clock, µs since the epoch */
    velo_snap_offset *offsets;
    uint32_t noffsets;
    velo_snap_file *files;
    uint32_t nfiles;
} velo_snap_manifest;

void velo_snap_manifest_free(velo_snap_manifest *m);

/* The state of one operator: a header, then `nrows` rows. */
typedef struct velo_snap_section {
    char name[64]; /* which operator of the plan ("group0") */
    char sig[512]; /* what its state means (keys, window, aggregates): a restore checks it */
    int64_t watermark, max_event;
    uint64_t nrows;
} velo_snap_section;

/* One group: its encoded key (core/keys.h), window bounds (0 unwindowed), aggregate state bytes.
 * Read rows point into the reader's buffer (valid until its next call). */
typedef struct velo_snap_row {
    const char *key;
    uint32_t key_len;
    int64_t ws, we;
    const char *states;
    uint32_t states_len;
} velo_snap_row;

/* Creates dir and its missing parents (mode 0755). */
velo_status velo_snap_mkdirs(const char *dir, velo_error *err);

/* ---- writing ---- */
typedef struct velo_snap_writer velo_snap_writer;

/* Starts state file `name` of checkpoint `id` in dir (written to a temporary name first). */
velo_status velo_snap_writer_open(const char *dir, uint64_t id, const char *name, velo_snap_writer **out,
                                  velo_error *err);
velo_status velo_snap_writer_section(velo_snap_writer *w, const velo_snap_section *s, velo_error *err);
velo_status velo_snap_writer_row(velo_snap_writer *w, const velo_snap_row *r, velo_error *err);
/* Ends the file (trailer, fsync, rename) and describes it in *file (name owned by the caller). */
velo_status velo_snap_writer_finish(velo_snap_writer *w, velo_snap_file *file, velo_error *err);
/* Drops an unfinished file (its temporary is removed). */
void velo_snap_writer_abort(velo_snap_writer *w);

/* Writes the manifest of checkpoint m->id (temporary, fsync, rename, fsync of dir): from then on the
 * checkpoint is complete. Then removes the files of checkpoints older than the last VELO_SNAP_KEEP. */
velo_status velo_snap_commit(const char *dir, const velo_snap_manifest *m, velo_error *err);

/* ---- reading ---- */

/* The manifest of the newest checkpoint in dir (*out NULL when there is none, or no dir). A
 * manifest that cannot be decoded is an error naming it. */
velo_status velo_snap_latest(const char *dir, velo_snap_manifest **out, velo_error *err);
/* Decodes a manifest from memory (`what` names it in messages). */
velo_status velo_snap_manifest_decode(const char *data, size_t len, const char *what,
                                      velo_snap_manifest **out, velo_error *err);

typedef struct velo_snap_reader velo_snap_reader;
/* Opens file f of a checkpoint: its size and checksum must match the manifest's. */
velo_status velo_snap_reader_open(const char *dir, const velo_snap_file *f, velo_snap_reader **out,
                                  velo_error *err);
/* Reads a state file from memory (copied); no checksum check (the fuzz target). */
velo_status velo_snap_reader_open_mem(const char *data, size_t len, const char *what, velo_snap_reader **out,
                                      velo_error *err);
/* The next section's header; *more false at the end of the file (its trailer checked). The rows of
 * the previous section must all have been read. */
velo_status velo_snap_reader_section(velo_snap_reader *r, velo_snap_section *s, bool *more, velo_error *err);
/* The next row of the current section; *more false after its last. */
velo_status velo_snap_reader_row(velo_snap_reader *r, velo_snap_row *row, bool *more, velo_error *err);
void velo_snap_reader_free(velo_snap_reader *r);

#endif
