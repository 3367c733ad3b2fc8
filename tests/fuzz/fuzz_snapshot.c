/* libFuzzer target for checkpoint files (state/snapshot.c): any bytes, read as a state file (every
 * section and row) and as a manifest, must decode or be rejected with a message, never crash; what
 * decodes stays within the input. The first byte picks which decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0 || size > (1u << 20)) return 0;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    velo_error err;
    velo_error_clear(&err);
    velo_status st;
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
