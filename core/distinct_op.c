/* The SELECT DISTINCT operator (core/distinct_op.h).
 *
 * A set of encoded rows (core/keys.h) in an open-addressing table hashed with XXH3; the key
 * bytes live in one growing buffer. A pushed batch keeps, through its selection vector, only the
 * rows not seen before, so no row is copied. */
#include "core/distinct_op.h"

#include <mimalloc.h>
#include <string.h>
#include <xxhash.h>

#include "core/keys.h"
#include "core/strbuf.h"

typedef struct seen_slot {
    uint64_t hash;
    uint64_t off; /* key bytes at keys.data + off; slot empty when len == 0 (a key is never empty) */
    uint32_t len;
} seen_slot;

typedef struct distinct_op {
    velo_operator base;
    uint32_t *key_cols;
    uint32_t nkeys;
    seen_slot *slots;
    uint64_t nslots, nused; /* nslots a power of two, at most half used */
    velo_strbuf keys;
    velo_strbuf row; /* the row being looked up */
} distinct_op;

static velo_status grow(distinct_op *d, velo_error *err) {
    uint64_t n = d->nslots ? d->nslots * 2 : 4096;
    seen_slot *ns = mi_zalloc(sizeof *ns * n);
    if (!ns) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the SELECT DISTINCT set");
    for (uint64_t i = 0; i < d->nslots; i++) {
        if (!d->slots[i].len) continue;
        uint64_t j = d->slots[i].hash & (n - 1);
        while (ns[j].len)
            j = (j + 1) & (n - 1);
        ns[j] = d->slots[i];
    }
    mi_free(d->slots);
    d->slots = ns;
    d->nslots = n;
    return VELO_OK;
}

/* Adds the row in d->row to the set; *added says whether it was new. */
static velo_status remember(distinct_op *d, bool *added, velo_error *err) {
    if ((d->nused + 1) * 2 > d->nslots && grow(d, err)) return VELO_ERR_NOMEM;
    uint64_t h = XXH3_64bits(d->row.data, d->row.len);
    uint64_t j = h & (d->nslots - 1);
    for (; d->slots[j].len; j = (j + 1) & (d->nslots - 1)) {
        const seen_slot *s = &d->slots[j];
        if (s->hash == h && s->len == d->row.len && !memcmp(d->keys.data + s->off, d->row.data, s->len)) {
            *added = false;
            return VELO_OK;
        }
    }
    d->slots[j] = (seen_slot){h, d->keys.len, (uint32_t)d->row.len};
    velo_strbuf_append(&d->keys, d->row.data, d->row.len);
    d->nused++;
    *added = true;
    return VELO_OK;
}

static velo_status distinct_push(velo_operator *o, velo_batch *b, velo_error *err) {
    distinct_op *d = (distinct_op *)o;
    uint32_t n = velo_batch_live(b), kept = 0;
    /* compact the selection in place: writes never overtake reads */
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = velo_batch_row(b, k);
        velo_strbuf_clear(&d->row);
        for (uint32_t c = 0; c < d->nkeys; c++) {
            velo_status st = velo_key_encode(&d->row, &b->cols[d->key_cols[c]], i, "SELECT DISTINCT", err);
            if (st) return st;
        }
        bool added;
        if (remember(d, &added, err)) return err->code;
        if (added) b->sel[kept++] = i;
    }
    b->has_sel = true;
    b->sel_count = kept;
    o->rows_out += kept;
    if (!kept || !o->next) return VELO_OK;
    return velo_operator_push(o->next, b, err);
}

static void distinct_destroy(velo_operator *o) {
    distinct_op *d = (distinct_op *)o;
    mi_free(d->key_cols);
    mi_free(d->slots);
    velo_strbuf_free(&d->keys);
    velo_strbuf_free(&d->row);
    mi_free(d);
}

static const velo_operator_ops distinct_ops = {"distinct", distinct_push, velo_operator_finish_next,
                                               distinct_destroy};

velo_operator *velo_distinct_op_new(const uint32_t *key_cols, uint32_t nkeys, velo_error *err) {
    distinct_op *d = mi_zalloc(sizeof *d);
    uint32_t *cols = mi_malloc(sizeof *cols * (nkeys + 1));
    if (!d || !cols) {
        mi_free(d);
        mi_free(cols);
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the SELECT DISTINCT operator");
        return NULL;
    }
    memcpy(cols, key_cols, sizeof *cols * nkeys);
    d->base.ops = &distinct_ops;
    d->key_cols = cols;
    d->nkeys = nkeys;
    velo_strbuf_init(&d->keys);
    velo_strbuf_init(&d->row);
    return &d->base;
}
