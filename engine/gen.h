/* `velo-sql gen`: writes a synthetic event stream (the Nexmark generator, connectors/gen/) through
 * any sink connector (file:// today, kafka:// when it is registered), as a job would: the source
 * connector's batches go straight to the sink. */
#ifndef VELO_ENGINE_GEN_H
#define VELO_ENGINE_GEN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct velo_gen_options {
    const char *generator; /* "nexmark" */
    uint64_t events;
    uint64_t seed;
    uint64_t rate;           /* events per second of event time (0: the generator's default) */
    bool paced;              /* also emit at `rate` events per second of wall-clock time */
    const char *out_uri;     /* sink URI; file paths relative to the current folder */
    const atomic_bool *stop; /* optional: stop early (SIGINT), flushing what was written */
    FILE *diag_out;
    int quiet;
} velo_gen_options;

/* Returns a VELO_EXIT_* code (engine/job.h): 0, or 2 for a bad URI / unwritable output. */
int velo_gen_run(const velo_gen_options *o);

#endif
