/* The exchange mesh (core/exchange.h). Ring (p, c) is written only by core p and read only by core
 * c, so ck_ring's SPSC operations need no lock. After an enqueue the producer rings the consumer's
 * doorbell if it sleeps; after a dequeue the consumer rings the producer's (it may be stopped by
 * that full ring). Consumer-side bookkeeping (watermarks, ends) lives with the consumer. */
#include "core/exchange.h"

#include <ck_ring.h>
#include <mimalloc.h>
#include <stdatomic.h>
#include <string.h>

#include "core/keys.h"
#include "core/part_watermarks.h"
#include "core/strbuf.h"
#include "state/tsan.h"

#include <xxhash.h>

typedef struct pair_ring {
    _Alignas(VELO_CACHE_LINE) struct ck_ring ring; /* producer -> consumer: messages */
    ck_ring_buffer_t *buf;
    /* consumer -> producer: batch messages the consumer is done with, for the producer to fill again
     * (no allocation and no zeroing of fresh column vectors per batch on the data path) */
    _Alignas(VELO_CACHE_LINE) struct ck_ring back;
    ck_ring_buffer_t *back_buf;
} pair_ring;

typedef struct consumer_state {
    _Alignas(VELO_CACHE_LINE) uint32_t next; /* round-robin start */
    uint32_t nended;
    int64_t *wm; /* per producer; INT64_MIN = none yet */
    bool *ended; /* per producer */
} consumer_state;

struct velo_exchange {
    velo_runtime *rt;
    uint32_t n, level, slots;
    pair_ring *rings; /* [from * n + to] */
    consumer_state *cons;
    _Atomic bool aborted;
};

velo_status velo_exchange_new(velo_runtime *rt, uint32_t level, uint32_t slots, velo_exchange **out,
                              velo_error *err) {
    uint32_t n = velo_runtime_ncores(rt);
    uint32_t size = 4;
    while (size < slots && size < (1u << 20))
        size <<= 1;
    velo_exchange *x = mi_zalloc(sizeof *x);
    if (!x) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    x->rt = rt;
    x->n = n;
    x->level = level;
    x->slots = size;
    x->rings = mi_zalloc_aligned(sizeof *x->rings * n * n, VELO_CACHE_LINE);
    x->cons = mi_zalloc_aligned(sizeof *x->cons * n, VELO_CACHE_LINE);
    if (!x->rings || !x->cons) goto nomem;
    for (uint32_t i = 0; i < n * n; i++) {
        ck_ring_init(&x->rings[i].ring, size);
        ck_ring_init(&x->rings[i].back, size);
        if (!(x->rings[i].buf = mi_zalloc(sizeof(ck_ring_buffer_t) * size))) goto nomem;
        if (!(x->rings[i].back_buf = mi_zalloc(sizeof(ck_ring_buffer_t) * size))) goto nomem;
    }
    for (uint32_t c = 0; c < n; c++) {
        x->cons[c].wm = mi_malloc(sizeof(int64_t) * n);
        x->cons[c].ended = mi_zalloc(sizeof(bool) * n);
        if (!x->cons[c].wm || !x->cons[c].ended) goto nomem;
        for (uint32_t p = 0; p < n; p++)
            x->cons[c].wm[p] = INT64_MIN;
    }
    *out = x;
    return VELO_OK;
nomem:
    velo_exchange_free(x);
    return velo_error_set(err, VELO_ERR_NOMEM, "out of memory creating an exchange of %u cores", n);
}

static void bytes_free(velo_strbuf *b) {
    if (!b) return;
    velo_strbuf_free(b);
    mi_free(b);
}

void velo_xmsg_free(velo_xmsg *m) {
    if (!m) return;
    velo_batch_free(m->batch);
    bytes_free(m->bytes);
    VELO_TSAN_FREEING();
    mi_free(m);
}

void velo_exchange_free(velo_exchange *x) {
    if (!x) return;
    for (uint32_t i = 0; x->rings && i < x->n * x->n; i++) {
        void *m;
        if (x->rings[i].buf)
            while (ck_ring_dequeue_spsc(&x->rings[i].ring, x->rings[i].buf, &m))
                velo_xmsg_free(m);
        if (x->rings[i].back_buf)
            while (ck_ring_dequeue_spsc(&x->rings[i].back, x->rings[i].back_buf, &m))
                velo_xmsg_free(m);
        mi_free(x->rings[i].buf);
        mi_free(x->rings[i].back_buf);
    }
    for (uint32_t c = 0; x->cons && c < x->n; c++) {
        mi_free(x->cons[c].wm);
        mi_free(x->cons[c].ended);
    }
    mi_free(x->rings);
    mi_free(x->cons);
    mi_free(x);
}

uint32_t velo_exchange_level(const velo_exchange *x) { return x->level; }

typedef struct space_wait {
    velo_exchange *x;
    pair_ring *r;
} space_wait;

static bool ring_has_space(void *ud) {
    space_wait *w = ud;
    VELO_TSAN_IGNORE_BEGIN();
    bool space = ck_ring_size(&w->r->ring) < ck_ring_capacity(&w->r->ring) - 1;
    VELO_TSAN_IGNORE_END();
    return space || atomic_load(&w->x->aborted);
}

static bool try_enqueue(pair_ring *r, velo_xmsg *m) {
    VELO_TSAN_RELEASE(r);
    VELO_TSAN_IGNORE_BEGIN();
    bool ok = ck_ring_enqueue_spsc(&r->ring, r->buf, m);
    VELO_TSAN_IGNORE_END();
    return ok;
}

/* Puts m on ring (from, to), waiting while it is full; takes ownership of m. */
static bool send_msg(velo_exchange *x, velo_core *from, uint32_t to, velo_xmsg *m) {
    uint32_t p = velo_core_id(from);
    pair_ring *r = &x->rings[p * x->n + to];
    m->from = p;
    bool waited = false;
    while (!try_enqueue(r, m)) {
        if (atomic_load(&x->aborted)) {
            velo_xmsg_free(m);
            return false;
        }
        if (!waited) {
            velo_metric_add(&velo_core_metrics_of(from)->full_waits, 1);
            waited = true;
        }
        /* while stopped, do the work of this and later stages: their consumers never send to this level */
        if (velo_core_service(from, x->level)) continue;
        space_wait w = {x, r};
        velo_core_sleep(from, ring_has_space, &w);
    }
    if (m->kind == VELO_XMSG_BATCH || m->kind == VELO_XMSG_BYTES)
        velo_metric_add(&velo_core_metrics_of(from)->batches_sent, 1);
    velo_core_wake(velo_runtime_core(x->rt, to));
    return true;
}

bool velo_exchange_send_batch(velo_exchange *x, velo_core *from, uint32_t to, velo_batch *b) {
    velo_xmsg *m = mi_zalloc(sizeof *m);
    VELO_TSAN_ALLOCATED();
    if (!m || atomic_load(&x->aborted)) {
        mi_free(m);
        velo_batch_free(b);
        return false;
    }
    m->kind = VELO_XMSG_BATCH;
    m->batch = b;
    return send_msg(x, from, to, m);
}

bool velo_exchange_send_bytes(velo_exchange *x, velo_core *from, uint32_t to, velo_strbuf *bytes,
                              uint32_t rows) {
    velo_xmsg *m = mi_zalloc(sizeof *m);
    VELO_TSAN_ALLOCATED();
    if (!m || atomic_load(&x->aborted)) {
        mi_free(m);
        bytes_free(bytes);
        return false;
    }
    m->kind = VELO_XMSG_BYTES;
    m->bytes = bytes;
    m->value = rows;
    return send_msg(x, from, to, m);
}

bool velo_exchange_broadcast(velo_exchange *x, velo_core *from, velo_xmsg_kind kind, int64_t value) {
    for (uint32_t to = 0; to < x->n; to++) {
        velo_xmsg *m = mi_zalloc(sizeof *m);
        VELO_TSAN_ALLOCATED();
        if (!m) return false;
        m->kind = kind;
        m->value = value;
        if (!send_msg(x, from, to, m)) return false;
    }
    return true;
}

bool velo_exchange_send(velo_exchange *x, velo_core *from, uint32_t to, velo_xmsg_kind kind, int64_t value) {
    velo_xmsg *m = mi_zalloc(sizeof *m);
    VELO_TSAN_ALLOCATED();
    if (!m) return false;
    m->kind = kind;
    m->value = value;
    return send_msg(x, from, to, m);
}

velo_xmsg *velo_exchange_poll(velo_exchange *x, velo_core *to) {
    uint32_t c = velo_core_id(to);
    consumer_state *cs = &x->cons[c];
    for (uint32_t k = 0; k < x->n; k++) {
        uint32_t p = (cs->next + k) % x->n;
        pair_ring *r = &x->rings[p * x->n + c];
        void *v;
        VELO_TSAN_IGNORE_BEGIN();
        bool got = ck_ring_dequeue_spsc(&r->ring, r->buf, &v);
        VELO_TSAN_IGNORE_END();
        if (!got) continue;
        VELO_TSAN_ACQUIRE(r);
        velo_xmsg *m = v;
        /* the producer may be stopped by this ring being full */
        velo_core_wake(velo_runtime_core(x->rt, p));
        /* stay on this producer while it has messages: fewer ring switches, same per-pair order */
        cs->next = p;
        switch (m->kind) {
        case VELO_XMSG_WATERMARK: /* a producer back from idle may send one lower than its IDLE */
            if (m->value > cs->wm[p] || cs->wm[p] == VELO_WATERMARK_IDLE) cs->wm[p] = m->value;
            break;
        case VELO_XMSG_END:
            if (!cs->ended[p]) {
                cs->ended[p] = true;
                cs->nended++;
            }
            cs->next = (p + 1) % x->n;
            break;
        case VELO_XMSG_BATCH:
        case VELO_XMSG_BYTES: velo_metric_add(&velo_core_metrics_of(to)->batches_received, 1); break;
        case VELO_XMSG_BARRIER: break;
        }
        return m;
    }
    return NULL;
}

void velo_exchange_release(velo_exchange *x, velo_core *to, velo_xmsg *m) {
    if (!m) return;
    if (((m->kind == VELO_XMSG_BATCH && m->batch) || (m->kind == VELO_XMSG_BYTES && m->bytes)) &&
        !atomic_load(&x->aborted)) {
        pair_ring *r = &x->rings[m->from * x->n + velo_core_id(to)];
        VELO_TSAN_RELEASE(&r->back);
        VELO_TSAN_IGNORE_BEGIN();
        bool ok = ck_ring_enqueue_spsc(&r->back, r->back_buf, m);
        VELO_TSAN_IGNORE_END();
        if (ok) return;
    }
    velo_xmsg_free(m);
}

/* The next message a consumer of `from` sent back (any of its rings), or NULL. */
static velo_xmsg *take_returned(velo_exchange *x, velo_core *from) {
    uint32_t p = velo_core_id(from);
    for (uint32_t c = 0; c < x->n; c++) {
        pair_ring *r = &x->rings[p * x->n + c];
        void *v;
        VELO_TSAN_IGNORE_BEGIN();
        bool got = ck_ring_dequeue_spsc(&r->back, r->back_buf, &v);
        VELO_TSAN_IGNORE_END();
        if (!got) continue;
        VELO_TSAN_ACQUIRE(&r->back);
        return v;
    }
    return NULL;
}

velo_batch *velo_exchange_reuse_batch(velo_exchange *x, velo_core *from) {
    velo_xmsg *m;
    while ((m = take_returned(x, from))) {
        velo_batch *b = m->batch;
        m->batch = NULL;
        velo_xmsg_free(m);
        if (!b) continue; /* not a batch (a producer sends one kind on an exchange) */
        velo_batch_reset(b);
        return b;
    }
    return NULL;
}

velo_strbuf *velo_exchange_reuse_bytes(velo_exchange *x, velo_core *from) {
    velo_xmsg *m;
    while ((m = take_returned(x, from))) {
        velo_strbuf *b = m->bytes;
        m->bytes = NULL;
        velo_xmsg_free(m);
        if (!b) continue;
        velo_strbuf_clear(b);
        return b;
    }
    return NULL;
}

uint32_t velo_exchange_room(velo_exchange *x, uint32_t from, uint32_t to) {
    pair_ring *r = &x->rings[from * x->n + to];
    VELO_TSAN_IGNORE_BEGIN();
    uint32_t used = ck_ring_size(&r->ring), cap = ck_ring_capacity(&r->ring) - 1;
    VELO_TSAN_IGNORE_END();
    return used < cap ? cap - used : 0;
}

bool velo_exchange_pending(velo_exchange *x, uint32_t to) {
    bool any = false;
    VELO_TSAN_IGNORE_BEGIN();
    for (uint32_t p = 0; p < x->n && !any; p++)
        any = ck_ring_size(&x->rings[p * x->n + to].ring) > 0;
    VELO_TSAN_IGNORE_END();
    return any;
}

bool velo_exchange_done(const velo_exchange *x, uint32_t to) { return x->cons[to].nended == x->n; }

int64_t velo_exchange_watermark(const velo_exchange *x, uint32_t to) {
    const consumer_state *cs = &x->cons[to];
    int64_t wm = INT64_MAX;
    bool idle = false;
    for (uint32_t p = 0; p < x->n; p++) {
        if (cs->ended[p]) continue;             /* an ended producer holds nobody back */
        if (cs->wm[p] == VELO_WATERMARK_IDLE) { /* nor does an idle one */
            idle = true;
            continue;
        }
        if (cs->wm[p] < wm) wm = cs->wm[p];
    }
    return wm == INT64_MAX && idle ? VELO_WATERMARK_IDLE : wm;
}

void velo_exchange_abort(velo_exchange *x) {
    atomic_store(&x->aborted, true);
    for (uint32_t i = 0; i < x->n; i++)
        velo_core_wake(velo_runtime_core(x->rt, i));
}

bool velo_exchange_aborted(const velo_exchange *x) { return atomic_load(&x->aborted); }

/* ---- the exchange operator ---- */

typedef struct exchange_op {
    velo_operator base;
    velo_exchange *x;
    velo_core *from;
    velo_expr **keys;
    uint32_t nkeys, gather_to, capacity;
    uint32_t ncons; /* consumers (cores) */
    velo_schema *schema;
    velo_batch **pending; /* per consumer, NULL when none */
    velo_eval_ctx ctx;
    velo_strbuf keybuf;
    int64_t wm_sent; /* the last watermark sent (INT64_MIN: none) */
} exchange_op;

static velo_status xop_send(exchange_op *e, uint32_t to, velo_error *err) {
    velo_batch *b = e->pending[to];
    e->pending[to] = NULL;
    if (!b) return VELO_OK;
    e->base.rows_out += b->count;
    if (!velo_exchange_send_batch(e->x, e->from, to, b))
        return velo_error_set(err, VELO_ERR_INTERNAL, "exchange aborted: another core failed");
    return VELO_OK;
}

/* Folds key column v at `row` into hash h so that values SQL groups together (as core/keys.c
 * encodes them: NULL with NULL, -0.0 with 0.0, one NaN) hash alike: the same key reaches the same
 * core from every producer. Fixed-width and string types hash their bytes directly (no encoding
 * pass); the rest go through the key encoding. False when the value has no key encoding. */
static bool hash_key(uint64_t *h, const velo_vector *v, uint32_t row, velo_strbuf *scratch) {
    if (!velo_vector_is_valid(v, row)) {
        *h = XXH3_64bits_withSeed("", 0, *h ^ 0x9e3779b97f4a7c15ull);
        return true;
    }
    switch (v->type.id) {
    case VELO_TYPE_BOOLEAN: *h = XXH3_64bits_withSeed(&VELO_VEC(v, uint8_t)[row], 1, *h); return true;
    case VELO_TYPE_BIGINT:
    case VELO_TYPE_TIMESTAMP: *h = XXH3_64bits_withSeed(&VELO_VEC(v, int64_t)[row], 8, *h); return true;
    case VELO_TYPE_DATE: *h = XXH3_64bits_withSeed(&VELO_VEC(v, int32_t)[row], 4, *h); return true;
    case VELO_TYPE_DECIMAL: *h = XXH3_64bits_withSeed(&VELO_VEC(v, velo_i128)[row], 16, *h); return true;
    case VELO_TYPE_DOUBLE: {
        double d = VELO_VEC(v, double)[row];
        if (d == 0) d = 0;
        if (d != d) d = __builtin_nan("");
        *h = XXH3_64bits_withSeed(&d, 8, *h);
        return true;
    }
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: {
        velo_str str = VELO_VEC(v, velo_str)[row];
        *h = XXH3_64bits_withSeed(str.ptr ? str.ptr : "", str.len, *h);
        return true;
    }
    default: {
        velo_error kerr;
        velo_strbuf_clear(scratch);
        if (velo_key_encode(scratch, v, row, "GROUP BY", &kerr)) return false;
        *h = XXH3_64bits_withSeed(scratch->data ? scratch->data : "", scratch->len, *h);
        return true;
    }
    }
}

uint32_t velo_exchange_route(velo_vector *const *keys, uint32_t nkeys, uint32_t row, uint32_t n,
                             velo_strbuf *scratch) {
    uint64_t h = 0;
    for (uint32_t i = 0; i < nkeys; i++)
        if (!hash_key(&h, keys[i], row, scratch)) return 0;
    /* the high half: a GROUP BY table's buckets use the low bits of the same XXH3 of an encoded
     * key (a two-phase partial row's "_key"), which must stay spread on the owner */
    return (uint32_t)((h >> 32) % n);
}

/* Appends rows[0..n) of b to the batch pending for `to`, sending each batch that fills. */
static velo_status xop_append(exchange_op *e, uint32_t to, const velo_batch *b, const uint32_t *rows,
                              uint32_t n, velo_error *err) {
    while (n) {
        if (!e->pending[to] && !(e->pending[to] = velo_exchange_reuse_batch(e->x, e->from)) &&
            !(e->pending[to] = velo_batch_new(e->schema, e->capacity)))
            return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        velo_batch *p = e->pending[to];
        uint32_t take = e->capacity - p->count < n ? e->capacity - p->count : n;
        velo_batch_append_rows(p, b, rows, take);
        rows += take;
        n -= take;
        if (p->count == e->capacity) {
            velo_status st = xop_send(e, to, err);
            if (st) return st;
        }
    }
    return VELO_OK;
}

static velo_status xop_push(velo_operator *o, velo_batch *b, velo_error *err) {
    exchange_op *e = (exchange_op *)o;
    uint32_t n = velo_batch_live(b);
    uint32_t ncons = e->ncons;
    velo_status st = VELO_OK;
    velo_eval_ctx_reset(&e->ctx);
    uint32_t *sel = velo_arena_alloc(&e->ctx.scratch, sizeof *sel * (n + 1));
    if (!sel) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t k = 0; k < n; k++)
        sel[k] = velo_batch_row(b, k);
    if (e->nkeys == 0) {
        st = xop_append(e, e->gather_to, b, sel, n, err);
    } else {
        velo_vector **kv = velo_arena_alloc(&e->ctx.scratch, sizeof *kv * e->nkeys);
        uint32_t *dest = velo_arena_alloc(&e->ctx.scratch, sizeof *dest * (n + 1));
        uint32_t *count = velo_arena_alloc(&e->ctx.scratch, sizeof *count * (ncons + 1));
        uint32_t *rows = velo_arena_alloc(&e->ctx.scratch, sizeof *rows * (n + 1));
        if (!kv || !dest || !count || !rows) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        for (uint32_t i = 0; i < e->nkeys; i++)
            if ((st = velo_expr_eval(e->keys[i], b, sel, n, &e->ctx, &kv[i], err))) return st;
        memset(count, 0, sizeof *count * (ncons + 1));
        for (uint32_t k = 0; k < n; k++) {
            uint32_t row = sel[k], to = 0;
            if (!(e->ctx.errors.count && e->ctx.errors.flag[row]))
                to = velo_exchange_route(kv, e->nkeys, row, ncons, &e->keybuf);
            dest[k] = to;
            count[to + 1]++;
        }
        /* group the rows by destination, keeping their order (a counting sort) */
        for (uint32_t to = 0; to < ncons; to++)
            count[to + 1] += count[to];
        for (uint32_t k = 0; k < n; k++)
            rows[count[dest[k]]++] = sel[k];
        for (uint32_t to = 0, start = 0; to < ncons && !st; to++) {
            uint32_t end = count[to];
            if (end > start) st = xop_append(e, to, b, rows + start, end - start, err);
            start = end;
        }
    }
    /* what this batch produced leaves now: later stages never wait for a full batch */
    for (uint32_t to = 0; to < ncons && !st; to++)
        st = xop_send(e, to, err);
    return st;
}

static velo_status xop_finish(velo_operator *o, velo_error *err) {
    exchange_op *e = (exchange_op *)o;
    uint32_t ncons = e->ncons;
    for (uint32_t to = 0; to < ncons; to++) {
        velo_status st = xop_send(e, to, err);
        if (st) return st;
    }
    if (!velo_exchange_broadcast(e->x, e->from, VELO_XMSG_END, 0))
        return velo_error_set(err, VELO_ERR_INTERNAL, "exchange aborted: another core failed");
    return VELO_OK;
}

/* A watermark goes to every consumer behind the rows pushed before it (pending rows leave first). */
static velo_status xop_watermark(velo_operator *o, int64_t wm_us, velo_error *err) {
    exchange_op *e = (exchange_op *)o;
    if (wm_us == e->wm_sent) return VELO_OK;
    for (uint32_t to = 0; to < e->ncons; to++) {
        velo_status st = xop_send(e, to, err);
        if (st) return st;
    }
    if (!velo_exchange_broadcast(e->x, e->from, VELO_XMSG_WATERMARK, wm_us))
        return velo_error_set(err, VELO_ERR_INTERNAL, "exchange aborted: another core failed");
    e->wm_sent = wm_us;
    return VELO_OK;
}

static void xop_destroy(velo_operator *o) {
    exchange_op *e = (exchange_op *)o;
    for (uint32_t i = 0; i < e->nkeys; i++)
        velo_expr_free(e->keys[i]);
    mi_free(e->keys);
    if (e->pending)
        for (uint32_t i = 0; i < e->ncons; i++)
            velo_batch_free(e->pending[i]);
    mi_free(e->pending);
    velo_schema_free(e->schema);
    velo_eval_ctx_free(&e->ctx);
    velo_strbuf_free(&e->keybuf);
    mi_free(e);
}

static const velo_operator_ops exchange_op_ops = {.name = "exchange",
                                                  .push = xop_push,
                                                  .finish = xop_finish,
                                                  .destroy = xop_destroy,
                                                  .watermark = xop_watermark};

velo_operator *velo_exchange_op_new(velo_exchange *x, velo_core *from, velo_expr **keys, uint32_t nkeys,
                                    uint32_t gather_to, const velo_schema *schema, uint32_t capacity,
                                    const char *file) {
    exchange_op *e = mi_zalloc(sizeof *e);
    if (!e) return NULL;
    e->base.ops = &exchange_op_ops;
    e->x = x;
    e->from = from;
    e->gather_to = gather_to;
    e->capacity = capacity;
    e->wm_sent = INT64_MIN;
    e->ncons = x->n;
    velo_strbuf_init(&e->keybuf);
    e->keys = mi_zalloc(sizeof *e->keys * (nkeys + 1));
    e->pending = mi_zalloc(sizeof *e->pending * velo_runtime_ncores(x->rt));
    e->schema = velo_schema_copy(schema);
    velo_error err;
    bool ok =
        e->keys && e->pending && e->schema && velo_eval_ctx_init(&e->ctx, capacity, file, &err) == VELO_OK;
    if (e->keys && nkeys) {
        memcpy(e->keys, keys, sizeof *keys * nkeys);
        e->nkeys = nkeys;
    }
    for (uint32_t i = 0; ok && i < nkeys; i++)
        ok = velo_expr_prepare(e->keys[i], capacity, &err) == VELO_OK;
    if (!ok) {
        xop_destroy(&e->base);
        return NULL;
    }
    return &e->base;
}
