/* libFuzzer target for checkpoint files (state/snapshot.c): any bytes, read as a state file (every
 * section and row), as a manifest, or as a saved aggregate state (core/aggregate.c
 * velo_agg_state_load), must decode or be rejected with a message, never crash; what decodes stays
 * within the input. The first byte picks which decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/aggregate.h"
#include "state/snapshot.h"

/* A saved state of one of the aggregates with heap parts, loaded into a fresh state and freed. */
static void agg_load(unsigned pick, const char *p, size_t n) {
    static const struct {
        const char *name;
        velo_type_id arg, result;
        bool distinct;
    } aggs[] = {{"COUNT", VELO_TYPE_BIGINT, VELO_TYPE_BIGINT, true},
                {"COUNT", VELO_TYPE_VARCHAR, VELO_TYPE_BIGINT, true},
                {"MEDIAN", VELO_TYPE_BIGINT, VELO_TYPE_DOUBLE, false},
                {"MIN", VELO_TYPE_VARCHAR, VELO_TYPE_VARCHAR, false},
                {"APPROX_COUNT_DISTINCT", VELO_TYPE_BIGINT, VELO_TYPE_BIGINT, false},
                {"SUM", VELO_TYPE_BIGINT, VELO_TYPE_BIGINT, false}};
    unsigned i = pick % (sizeof aggs / sizeof aggs[0]);
    velo_type at = velo_type_make(aggs[i].arg);
    velo_agg_desc d;
    velo_error err;
    velo_error_clear(&err);
    if (velo_agg_desc_make(aggs[i].name, &at, 1, aggs[i].distinct, velo_type_make(aggs[i].result), NULL, &d,
                           &err))
        abort();
    void *state = calloc(1, d.state_size + 16);
    if (!state) return;
    d.init(&d, state);
    if (velo_agg_state_load(&d, state, p, (uint32_t)n, &err) && !err.message[0]) abort();
    if (d.destroy) d.destroy(&d, state);
    free(state);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0 || size > (1u << 20)) return 0;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    velo_error err;
    velo_error_clear(&err);
    velo_status st;
    if ((data[0] & 3) == 2) {
        agg_load(data[0] >> 2, p, n);
        return 0;
    }
    if (data[0] & 1) {
        velo_snap_manifest *m = NULL;
        st = velo_snap_manifest_decode(p, n, "fuzz", &m, &err);
        if (st == VELO_OK) {
            for (uint32_t i = 0; i < m->noffsets; i++)
                if (!m->offsets[i].topic || m->offsets[i].offset < 0) abort();
            for (uint32_t i = 0; i < m->nfiles; i++)
                if (!m->files[i].name || strchr(m->files[i].name, '/')) abort();
            velo_snap_manifest_free(m);
        } else if (!err.message[0] || m) {
            abort();
        }
        return 0;
    }
    velo_snap_reader *r = NULL;
    if (velo_snap_reader_open_mem(p, n, "fuzz", &r, &err)) return 0;
    velo_snap_section s;
    bool more = true;
    uint64_t total = 0;
    while (!(st = velo_snap_reader_section(r, &s, &more, &err)) && more) {
        velo_snap_row row;
        bool rmore;
        while (!(st = velo_snap_reader_row(r, &row, &rmore, &err)) && rmore) {
            /* touch every byte the row points at (ASan checks they are the reader's) */
            for (uint32_t i = 0; i < row.key_len; i++)
                total += (uint8_t)row.key[i];
            for (uint32_t i = 0; i < row.states_len; i++)
                total += (uint8_t)row.states[i];
        }
        if (st) break;
    }
    if (st && !err.message[0]) abort();
    velo_snap_reader_free(r);
    volatile uint64_t sink = total; /* keeps the reads */
    (void)sink;
    return 0;
}
