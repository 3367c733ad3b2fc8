/* Checkpoints of a running job: every 'checkpoint.interval' the job's stateful operators (GROUP BY
 * / windows) save their state under 'state.dir' (state/snapshot.h) together with the source's
 * offsets, and only then are those offsets committed to the consumer group. A job that starts
 * restores the newest complete checkpoint and resumes reading from its offsets. The job driver
 * (engine/job.c) calls these at a barrier: between two batches on the core that runs the plan, when
 * every row read before has gone through the operators and the sink has flushed its output. */
#ifndef VELO_ENGINE_CHECKPOINT_H
#define VELO_ENGINE_CHECKPOINT_H

#include <stdint.h>
#include <stdio.h>

#include "connectors/connector.h"
#include "core/operator.h"
#include "velo/error.h"

typedef struct velo_ckpt velo_ckpt;

/* From the job options 'checkpoint.interval' (a duration; absent or 0: off) and 'state.dir' (else
 * cli_state_dir: `velo-sql run --state-dir`; relative to base_dir). The checkpoints of statement
 * `job` live in <state.dir>/<job>. *out is NULL when checkpoints are off. */
velo_status velo_ckpt_open(const velo_kv *options, const char *cli_state_dir, const char *base_dir,
                           const char *job, velo_ckpt **out, velo_error *err);
void velo_ckpt_free(velo_ckpt *c);
int64_t velo_ckpt_interval_us(const velo_ckpt *c);
const char *velo_ckpt_dir(const velo_ckpt *c);
/* Id of the last checkpoint restored or taken (0: none). */
uint64_t velo_ckpt_last_id(const velo_ckpt *c);

/* Whether the operators of a plan can be checkpointed and the source can resume: VELO_OK, else an
 * error naming what cannot. `groups` are the plan's GROUP BY operators (group0, group1...). */
velo_status velo_ckpt_check(velo_operator *const *groups, uint32_t ngroups, const velo_source_ops *sops,
                            velo_error *err);

/* Before the first poll: restores the newest checkpoint, if any, into the GROUP BY operators (the
 * keys core `core` of `ncores` owns) and tells the source where to resume. Says what it restored on
 * `diag` (NULL: nothing). */
velo_status velo_ckpt_restore(velo_ckpt *c, velo_operator *const *groups, uint32_t ngroups, uint32_t core,
                              uint32_t ncores, const velo_source_ops *sops, velo_source *src, FILE *diag,
                              velo_error *err);

/* Takes a checkpoint at a barrier: the sink has flushed everything the rows before it produced.
 * Writes the operators' state and a manifest with the source's positions; the checkpoint is complete
 * (durable) when this returns VELO_OK, and the caller may then commit the source's offsets. */
velo_status velo_ckpt_take(velo_ckpt *c, velo_operator *const *groups, uint32_t ngroups,
                           const velo_source_ops *sops, velo_source *src, velo_error *err);

#endif
