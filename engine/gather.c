/* Rows encoded on the producing cores, appended as bytes by the sink's core (engine/gather.h). */
#include "engine/gather.h"

#include <mimalloc.h>

typedef struct encode_op {
    velo_operator base;
    velo_exchange *x;
    velo_core *from;
    uint32_t to;
    velo_sink_encoder *enc;
} encode_op;

bool velo_gather_can_encode(const velo_sink *sink) {
    return sink && sink->ops->encoder_new && sink->ops->write_encoded;
}

static velo_status eop_push(velo_operator *o, velo_batch *b, velo_error *err) {
    encode_op *e = (encode_op *)o;
    uint32_t n = velo_batch_live(b);
    if (!n) return VELO_OK;
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
    if (!velo_exchange_broadcast(e->x, e->from, VELO_XMSG_END, 0))
        return velo_error_set(err, VELO_ERR_INTERNAL, "exchange aborted: another core failed");
    return VELO_OK;
}

static void eop_destroy(velo_operator *o) {
    encode_op *e = (encode_op *)o;
    if (e->enc) e->enc->free(e->enc);
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
    return &e->base;
}

velo_status velo_gather_write(velo_sink *sink, velo_operator *sink_op, const velo_xmsg *m, velo_error *err) {
    if (!m->bytes) return VELO_OK;
    sink_op->rows_in += (uint64_t)m->value;
    sink_op->rows_out += (uint64_t)m->value;
    return sink->ops->write_encoded(sink, m->bytes->data, m->bytes->len, (uint64_t)m->value, err);
}
