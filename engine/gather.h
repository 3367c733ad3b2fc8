/* Rows of several cores into one sink, encoded where they are produced: at the end of each core's
 * last stage an operator encodes its rows with the sink's encoder (velo_sink_encoder) and sends
 * the bytes over the gathering exchange, so the sink's core (core 0) only appends bytes; into a
 * regular file each core writes its own bytes at ranges it reserves, lock-free. Used when nothing
 * but the sink follows the gather (engine/job.c, docs/architecture.md). */
#ifndef VELO_ENGINE_GATHER_H
#define VELO_ENGINE_GATHER_H

#include "connectors/connector.h"
#include "core/exchange.h"
#include "core/operator.h"

/* Whether `sink` can take rows encoded on other cores (it has an encoder and write_encoded). */
bool velo_gather_can_encode(const velo_sink *sink);

/* The operator at the end of core `from`'s last stage: each pushed batch's live rows, encoded by
 * `enc` (taken over, freed with the operator), go to core `to` over x as one VELO_XMSG_BYTES
 * message; finish() sends END to every consumer. An encoder that writes itself (enc->write: a
 * regular file) gets the rows in ~1 MiB pieces written from this core, and `to` only their count
 * (a VELO_XMSG_BYTES without bytes). NULL when out of memory (enc is freed). */
velo_operator *velo_gather_encode_op_new(velo_exchange *x, velo_core *from, uint32_t to,
                                         velo_sink_encoder *enc);

/* On the sink's core: appends the bytes of a VELO_XMSG_BYTES message to `sink` and counts its rows
 * as written by `sink_op` (the job's sink operator, whose counts the run reports). */
velo_status velo_gather_write(velo_sink *sink, velo_operator *sink_op, const velo_xmsg *m, velo_error *err);

#endif
