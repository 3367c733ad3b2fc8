/* The SELECT DISTINCT operator (core/distinct_op.h).
 *
 * A set of encoded rows (core/keys.h) in a byte-keyed map (core/keymap.h). A pushed batch keeps, through its
 * selection vector, only the rows not seen before, so no row is copied. */
#include "core/distinct_op.h"

#include <mimalloc.h>
#include <string.h>

#include "core/keymap.h"
#include "core/keys.h"
#include "core/strbuf.h"

typedef struct distinct_op {
    velo_operator base;
    uint32_t *key_cols;
    uint32_t nkeys;
    velo_keymap seen; /* the encoded rows seen so far */
    velo_strbuf row;  /* the row being looked up */
} distinct_op;

/* Adds the row in d->row to the set; *added says whether it was new. */
static velo_status remember(distinct_op *d, bool *added, velo_error *err) {
    bool found;
    if (!velo_keymap_upsert(&d->seen, d->row.data, (uint32_t)d->row.len,
                            velo_keymap_hash(d->row.data, (uint32_t)d->row.len), &found))
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory growing the SELECT DISTINCT set");
    *added = !found;
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
        bool added = false;
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
    velo_keymap_free(&d->seen);
    velo_strbuf_free(&d->row);
    mi_free(d);
}

static const velo_operator_ops distinct_ops = {.name = "distinct",
                                               .push = distinct_push,
                                               .finish = velo_operator_finish_next,
                                               .destroy = distinct_destroy};

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
    velo_keymap_init(&d->seen);
    velo_strbuf_init(&d->row);
    return &d->base;
}
