/* The property both format fuzz targets check: frame + infer + decode every record of the input;
 * every row that decodes must encode to one record that frames whole and decodes back to the
 * same values, and a decode with a projection (every other column read) must accept it too and
 * give the same values in the columns it reads. abort() on any difference so libFuzzer keeps the
 * input. */
#ifndef VELO_FUZZ_FORMAT_ROUNDTRIP_H
#define VELO_FUZZ_FORMAT_ROUNDTRIP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/formats/format.h"

#define FUZZ_MAX_RECORDS 4096
#define FUZZ_SAMPLE      100

static void fuzz_fail(const char *what, const char *detail) {
    fprintf(stderr, "round trip failed: %s: %s\n", what, detail);
    abort();
}

static void fuzz_same_value(const velo_vector *v, uint32_t a, uint32_t b, const char *col) {
    bool va = velo_vector_is_valid(v, a), vb = velo_vector_is_valid(v, b);
    if (va != vb) fuzz_fail("NULL changed", col);
    if (!va) return;
    bool same = true;
    switch (v->type.id) {
    case VELO_TYPE_BOOLEAN: same = VELO_VEC(v, uint8_t)[a] == VELO_VEC(v, uint8_t)[b]; break;
    case VELO_TYPE_BIGINT:
    case VELO_TYPE_TIMESTAMP: same = VELO_VEC(v, int64_t)[a] == VELO_VEC(v, int64_t)[b]; break;
    case VELO_TYPE_DATE: same = VELO_VEC(v, int32_t)[a] == VELO_VEC(v, int32_t)[b]; break;
    case VELO_TYPE_DECIMAL: same = VELO_VEC(v, velo_i128)[a] == VELO_VEC(v, velo_i128)[b]; break;
    case VELO_TYPE_DOUBLE: {
        double x = VELO_VEC(v, double)[a], y = VELO_VEC(v, double)[b];
        same = (x != x && y != y) || memcmp(&x, &y, sizeof x) == 0;
        break;
    }
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: {
        velo_str x = VELO_VEC(v, velo_str)[a], y = VELO_VEC(v, velo_str)[b];
        same = x.len == y.len && (x.len == 0 || memcmp(x.ptr, y.ptr, x.len) == 0);
        break;
    }
    default: { /* boxed values: JSON has one number type, so compare what would be written */
        velo_strbuf x, y;
        velo_strbuf_init(&x);
        velo_strbuf_init(&y);
        velo_format_json_value(v, a, &x);
        velo_format_json_value(v, b, &y);
        same = x.len == y.len && memcmp(x.data, y.data, x.len) == 0;
        velo_strbuf_free(&x);
        velo_strbuf_free(&y);
        break;
    }
    }
    if (!same) fuzz_fail("value changed", col);
}

/* Encoding the header and inferring from it alone must give back the same names. */
static void fuzz_header_roundtrip(velo_format *f, const velo_schema *s) {
    if (!f->ops->encode_header || !f->ops->has_header(f)) return;
    velo_strbuf out;
    velo_strbuf_init(&out);
    f->ops->encode_header(f, s, &out);
    uint32_t rl, used;
    if (!f->ops->frame(f, out.data, (uint32_t)out.len, true, &rl, &used) || used != out.len)
        fuzz_fail("header does not frame as one record", out.data);
    const char *rec = out.data;
    velo_schema *again = NULL;
    if (f->ops->infer(f, &rec, &rl, 1, &again, NULL) != VELO_OK)
        fuzz_fail("header does not read back", out.data);
    if (again->ncols != s->ncols) fuzz_fail("header column count changed", out.data);
    for (uint32_t i = 0; i < s->ncols; i++)
        if (strcmp(again->fields[i].name, s->fields[i].name) != 0) fuzz_fail("header name changed", out.data);
    velo_schema_free(again);
    velo_strbuf_free(&out);
}

static void fuzz_format_roundtrip(const char *format, const velo_kv *options, const char *data,
                                  uint32_t size) {
    const velo_format_ops *ops = velo_format_lookup(format);
    velo_format *f = NULL;
    if (!ops || ops->create(options, &f, NULL) != VELO_OK) return;
    static const char *recs[FUZZ_MAX_RECORDS];
    static uint32_t lens[FUZZ_MAX_RECORDS];
    uint32_t n = 0, off = 0, rl, used;
    while (n < FUZZ_MAX_RECORDS && off < size && ops->frame(f, data + off, size - off, true, &rl, &used)) {
        if (used == 0 || used > size - off || rl > used) fuzz_fail("bad frame", format);
        recs[n] = data + off;
        lens[n++] = rl;
        off += used;
    }
    velo_schema *s = NULL;
    if (ops->infer(f, recs, lens, n < FUZZ_SAMPLE ? n : FUZZ_SAMPLE, &s, NULL) != VELO_OK) {
        ops->destroy(f);
        return;
    }
    fuzz_header_roundtrip(f, s);
    velo_batch *b = velo_batch_new(s, 2);
    /* the same format with a projection: columns j with (j + size) odd are not read */
    velo_format *fp = NULL;
    velo_batch *bp = velo_batch_new(s, 1);
    uint8_t *mask = calloc(s->ncols + 1, 1);
    if (ops->project && ops->create(options, &fp, NULL) == VELO_OK) {
        for (uint32_t j = 0; j < s->ncols; j++)
            mask[j] = (uint8_t)((j + size) % 2 == 0);
        ops->project(fp, mask, s->ncols);
    }
    velo_strbuf out;
    velo_strbuf_init(&out);
    bool header = ops->has_header(f);
    for (uint32_t r = 0; r < n; r++) {
        if (lens[r] == 0) continue; /* readers skip empty records */
        if (header) {               /* the first non-empty record was the header */
            header = false;
            continue;
        }
        velo_batch_reset(b);
        if (ops->decode(f, recs[r], lens[r], s, b, 0, NULL) != VELO_OK) continue;
        b->count = 1;
        if (fp) {
            velo_batch_reset(bp);
            velo_error perr;
            if (ops->decode(fp, recs[r], lens[r], s, bp, 0, &perr) != VELO_OK)
                fuzz_fail("a projected decode rejects a record the full decode accepts", perr.message);
            for (uint32_t j = 0; j < s->ncols; j++) {
                if (!mask[j]) continue;
                bool va = velo_vector_is_valid(&b->cols[j], 0), vb = velo_vector_is_valid(&bp->cols[j], 0);
                if (va != vb) fuzz_fail("projected decode: NULL differs", s->fields[j].name);
                if (va) { /* compared as written: boxed values included */
                    velo_strbuf x, y;
                    velo_strbuf_init(&x);
                    velo_strbuf_init(&y);
                    velo_format_json_value(&b->cols[j], 0, &x);
                    velo_format_json_value(&bp->cols[j], 0, &y);
                    if (x.len != y.len || memcmp(x.data, y.data, x.len))
                        fuzz_fail("projected decode: value differs", s->fields[j].name);
                    velo_strbuf_free(&x);
                    velo_strbuf_free(&y);
                }
            }
        }
        velo_strbuf_clear(&out);
        velo_error err;
        if (ops->encode(f, s, b, 0, &out, &err) != VELO_OK) fuzz_fail("encode failed", err.message);
        if (!ops->frame(f, out.data, (uint32_t)out.len, true, &rl, &used) || used != out.len)
            fuzz_fail("encoded row does not frame as one record", out.data);
        if (rl == 0) continue; /* a single NULL CSV column encodes as an empty line (documented) */
        if (ops->decode(f, out.data, rl, s, b, 1, &err) != VELO_OK) fuzz_fail(err.message, out.data);
        for (uint32_t j = 0; j < s->ncols; j++)
            fuzz_same_value(&b->cols[j], 0, 1, s->fields[j].name);
    }
    velo_strbuf_free(&out);
    velo_batch_free(b);
    velo_batch_free(bp);
    free(mask);
    if (fp) ops->destroy(fp);
    velo_schema_free(s);
    ops->destroy(f);
}

#endif
