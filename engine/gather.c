/* Rows encoded on the producing cores, appended as bytes by the sink's core (engine/gather.h). */
#include "engine/gather.h"

#include <mimalloc.h>

typedef struct encode_op {
    velo_operator base;
    velo_exchange *x;
    velo_core *from;
    uint32_t to;
    velo_sink_encoder *enc;
    /* enc->write (direct): rows encoded here and written from this core; the consumer only gets
     * their count (its sink operator reports them) */
    velo_strbuf direct;
    uint32_t direct_rows;
} encode_op;

/* Direct writes go out in pieces of about this size (the sink's own buffer size). */
#define DIRECT_CHUNK (1u << 20)

/* Direct: writes what is buffered, then tells the consumer how many rows it held. */
static velo_status eop_write_direct(encode_op *e, velo_error *err) {
    if (!e->direct_rows) return VELO_OK;
    velo_status st = e->enc->write(e->enc, e->direct.data, e->direct.len, err);
    if (st) return st;
    velo_strbuf_clear(&e->direct);
    uint32_t rows = e->direct_rows;
    e->direct_rows = 0;
    if (!velo_exchange_send_bytes(e->x, e->from, e->to, NULL, rows))
        return velo_error_set(err, VELO_ERR_INTERNAL, "exchange aborted: another core failed");
    return VELO_OK;
}

bool velo_gather_can_encode(const velo_sink *sink) {
    return sink && sink->ops->encoder_new && sink->ops->write_encoded;
}

static velo_status eop_push(velo_operator *o, velo_batch *b, velo_error *err) {
    encode_op *e = (encode_op *)o;
    uint32_t n = velo_batch_live(b);
    if (!n) return VELO_OK;
    if (e->enc->write) {
        velo_status st = e->enc->encode(e->enc, b, &e->direct, err);
        if (st) return st;
        o->rows_out += n;
        e->direct_rows += n;
        return e->direct.len >= DIRECT_CHUNK ? eop_write_direct(e, err) : VELO_OK;
    }
    /* a buffer the consumer gave back keeps its capacity: no allocation per batch once warm */
    velo_strbuf *out = velo_exchange_reuse_bytes(e->x, e->from);
    if (!out) {
        if (!(out = mi_malloc(sizeof *out))) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        velo_strbuf_init(out);
    }
    velo_status st = e->enc->encode(e->enc, b, out, err);
    if (st) {
        velo_strbuf_free(out);
        mi_free(out);
        return st;
    }
    o->rows_out += n;
    /* what this batch produced leaves now, as the exchange operator does */
    if (!velo_exchange_send_bytes(e->x, e->from, e->to, out, n))
        return velo_error_set(err, VELO_ERR_INTERNAL, "exchange aborted: another core failed");
    return VELO_OK;
}

static velo_status eop_finish(velo_operator *o, velo_error *err) {
    encode_op *e = (encode_op *)o;
    velo_status st = eop_write_direct(e, err);
    if (st) return st;
    if (!velo_exchange_broadcast(e->x, e->from, VELO_XMSG_END, 0))
        return velo_error_set(err, VELO_ERR_INTERNAL, "exchange aborted: another core failed");
    return VELO_OK;
}

static void eop_destroy(velo_operator *o) {
    encode_op *e = (encode_op *)o;
    if (e->enc) e->enc->free(e->enc);
    velo_strbuf_free(&e->direct);
    mi_free(e);
}

static const velo_operator_ops encode_op_ops = {
    .name = "exchange (encoded)", .push = eop_push, .finish = eop_finish, .destroy = eop_destroy};

velo_operator *velo_gather_encode_op_new(velo_exchange *x, velo_core *from, uint32_t to,
                                         velo_sink_encoder *enc) {
    encode_op *e = mi_zalloc(sizeof *e);
    if (!e) {
        enc->free(enc);
        return NULL;
    }
    e->base.ops = &encode_op_ops;
    e->x = x;
    e->from = from;
    e->to = to;
    e->enc = enc;
    velo_strbuf_init(&e->direct);
    return &e->base;
}

velo_status velo_gather_write(velo_sink *sink, velo_operator *sink_op, const velo_xmsg *m, velo_error *err) {
    sink_op->rows_in += (uint64_t)m->value;
    sink_op->rows_out += (uint64_t)m->value;
    if (!m->bytes) return VELO_OK; /* written by the encoder's core (direct): the count alone */
    return sink->ops->write_encoded(sink, m->bytes->data, m->bytes->len, (uint64_t)m->value, err);
}
