/* The exchange: an N x N mesh of single-producer single-consumer rings (Concurrency Kit ck_ring),
 * one per (producer core, consumer core) pair, carrying message pointers. A batch moves by pointer
 * and its ownership moves with it. A full ring stops its producer (backpressure reaches the
 * source); watermarks, end of input and barriers go to every consumer. Per-pair FIFO order means
 * rows of one key sent by one core arrive in the order they were sent. */
#ifndef VELO_CORE_EXCHANGE_H
#define VELO_CORE_EXCHANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/batch.h"
#include "core/operator.h"
#include "core/runtime.h"
#include "core/strbuf.h"
#include "velo/error.h"

typedef enum velo_xmsg_kind {
    VELO_XMSG_BATCH,     /* batch: rows for the consumer */
    VELO_XMSG_WATERMARK, /* value: the producer's event-time watermark (never moves backwards, but
                            VELO_WATERMARK_IDLE -- idle, holds nobody back -- may be followed by a
                            lower one when the producer is active again) */
    VELO_XMSG_END,       /* the producer sends nothing more */
    VELO_XMSG_BARRIER,   /* value: checkpoint id (aligned barriers, planned) */
    VELO_XMSG_BYTES,     /* bytes: rows already encoded for the consumer's sink; value: how many rows */
} velo_xmsg_kind;

typedef struct velo_xmsg {
    velo_xmsg_kind kind;
    uint32_t from; /* producer core */
    int64_t value;
    velo_batch *batch;  /* BATCH: owned by the message */
    velo_strbuf *bytes; /* BYTES: owned by the message */
} velo_xmsg;

typedef struct velo_exchange velo_exchange;

/* `level` orders the exchanges of a job (source side lowest): a core stopped by a full ring of
 * level L services the exchanges of level L and above (core/runtime.h). `slots` is rounded up to a power of
 * two (>= 4). */
velo_status velo_exchange_new(velo_runtime *rt, uint32_t level, uint32_t slots, velo_exchange **out,
                              velo_error *err);
/* Frees messages still in the rings (and their batches). No core may use it any more. */
void velo_exchange_free(velo_exchange *x);
uint32_t velo_exchange_level(const velo_exchange *x);

/* Producer side (on core `from`). Takes ownership of the batch (freed with velo_batch_free by
 * whoever ends up owning it). Blocks while the ring to `to` is full. Returns false (and frees the
 * batch) when the exchange was aborted. */
bool velo_exchange_send_batch(velo_exchange *x, velo_core *from, uint32_t to, velo_batch *b);
/* The same for rows already encoded (a sink's bytes, `rows` rows; NULL bytes: their count alone, the
 * rows went out another way): takes ownership of `bytes` (a
 * velo_strbuf from mi_malloc; velo_exchange_reuse_bytes gives them back). False when aborted. */
bool velo_exchange_send_bytes(velo_exchange *x, velo_core *from, uint32_t to, velo_strbuf *bytes,
                              uint32_t rows);
/* Sends a WATERMARK, END or BARRIER to every consumer. False when aborted. */
bool velo_exchange_broadcast(velo_exchange *x, velo_core *from, velo_xmsg_kind kind, int64_t value);
/* Sends a BARRIER (or WATERMARK) to consumer `to` alone, behind every batch sent to it before. A
 * barrier's value may carry a pointer whose ownership moves to that consumer (a Kafka source's offsets
 * for the core that commits them). False when aborted. */
bool velo_exchange_send(velo_exchange *x, velo_core *from, uint32_t to, velo_xmsg_kind kind, int64_t value);

/* Consumer side (on core `to`). The next message from any producer (round robin over producers,
 * FIFO per producer), or NULL when none is waiting. The caller owns it: velo_xmsg_free. */
velo_xmsg *velo_exchange_poll(velo_exchange *x, velo_core *to);
/* Producer side (on core `from`): how many more messages ring (from, to) takes now without waiting
 * (a core that may not block checks it before it produces). */
uint32_t velo_exchange_room(velo_exchange *x, uint32_t from, uint32_t to);
/* True when a message is waiting for consumer `to` (any thread may ask). */
bool velo_exchange_pending(velo_exchange *x, uint32_t to);
/* True once every producer's END was taken by consumer `to`. */
bool velo_exchange_done(const velo_exchange *x, uint32_t to);
/* The consumer's watermark: the minimum over producers of the last watermark each sent (a
 * producer that ended, or is idle, counts as +infinity); INT64_MIN until every producer has sent
 * one; VELO_WATERMARK_IDLE when every producer still running is idle. */
int64_t velo_exchange_watermark(const velo_exchange *x, uint32_t to);

/* Any thread: makes every blocked and future send return false and wakes all cores (a failing job). */
void velo_exchange_abort(velo_exchange *x);
bool velo_exchange_aborted(const velo_exchange *x);

void velo_xmsg_free(velo_xmsg *m);
/* Consumer side: done with m. A batch (a byte buffer) goes back to the core that sent it (when that return
 * ring has room), which fills it again instead of allocating; anything else is freed. */
void velo_exchange_release(velo_exchange *x, velo_core *to, velo_xmsg *m);
/* Producer side: an emptied batch that a consumer gave back, or NULL. Only the exchange operator
 * of core `from` sends batches on x, so they all have its schema and capacity. */
velo_batch *velo_exchange_reuse_batch(velo_exchange *x, velo_core *from);

/* Producer side: an emptied byte buffer a consumer gave back (velo_exchange_release), or NULL. */
velo_strbuf *velo_exchange_reuse_bytes(velo_exchange *x, velo_core *from);

/* The core (of n) that owns the key formed by keys[0..nkeys) at `row`: hash(keys) % n, the rule of
 * velo_exchange_op_new's routing; 0 when a value has no key encoding. Whoever must find the rows an
 * exchange routed (a join's partitioned build side) routes its own keys through here. */
uint32_t velo_exchange_route(velo_vector *const *keys, uint32_t nkeys, uint32_t row, uint32_t n,
                             velo_strbuf *scratch);

/* The operator at the end of a core's stage: copies each pushed batch's live rows into batches
 * it sends over x from core `from` -- to the core owning hash(keys) % n when nkeys > 0 (rows whose
 * key fails to evaluate go to core 0, whose stateful operator reports them), else all to core
 * `gather_to`. finish() sends what is pending and END to every consumer. Takes ownership of the
 * key expressions (the array is copied). */
velo_operator *velo_exchange_op_new(velo_exchange *x, velo_core *from, velo_expr **keys, uint32_t nkeys,
                                    uint32_t gather_to, const velo_schema *schema, uint32_t capacity,
                                    const char *file);

#endif
