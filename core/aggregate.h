/* Aggregate accumulators: the state of one aggregate call (SUM(price), COUNT(DISTINCT x)...) for
 * one group, and the functions that fold rows into it, merge two of them, and produce the result.
 * Used by the GROUP BY / window operator (one state per group and call, in the per-core arena)
 * and by window functions OVER (...) (retract, where available, slides a frame without recompute).
 *
 * States are fixed-size blocks of `state_size` bytes owned by the caller; accumulators that need
 * more (MEDIAN's values, COUNT(DISTINCT)'s set, STRING_AGG's text) keep a pointer to heap memory
 * inside the block and free it in `destroy`. Exact types stay exact: SUM/AVG of DECIMAL use 128-bit
 * (256-bit where needed) arithmetic and overflow is an error naming the aggregate, never a wrap. */
#ifndef VELO_CORE_AGGREGATE_H
#define VELO_CORE_AGGREGATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/batch.h"
#include "core/strbuf.h"
#include "velo/error.h"
#include "velo/types.h"

typedef struct velo_agg_desc velo_agg_desc;

struct velo_agg_desc {
    const char *name;  /* "SUM", "COUNT"... (upper case) */
    velo_type result;  /* result type (as the catalog's typer computed it) */
    velo_type args[2]; /* argument types (COUNT(*) has nargs == 0) */
    uint32_t nargs;
    bool distinct;         /* COUNT(DISTINCT x), SUM(DISTINCT x) */
    uint32_t state_size;   /* bytes of one state block (8-byte aligned) */
    double percentile;     /* PERCENTILE_CONT fraction (constant argument), 0.5 for MEDIAN */
    const char *separator; /* STRING_AGG separator (constant argument) */

    void (*init)(const velo_agg_desc *d, void *state);
    /* Folds rows rows[0..n) of the argument vectors into states[0..n) (states[k] belongs to row
     * rows[k]; several k may share one state). NULL arguments are skipped (COUNT(*) counts rows). */
    velo_status (*update)(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                          const uint32_t *rows, uint32_t n, velo_error *err);
    /* Undoes update for the same rows (sliding frames); NULL when the accumulator cannot retract
     * (MIN/MAX, MEDIAN...): the caller then recomputes the frame. */
    velo_status (*retract)(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                           const uint32_t *rows, uint32_t n, velo_error *err);
    /* dst += src (partial states from two cores, or two sessions that merge). */
    velo_status (*merge)(const velo_agg_desc *d, void *dst, const void *src, velo_error *err);
    /* Writes the result into row `row` of `out` (a vector of d->result's type; strings into arena). */
    velo_status (*finalize)(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                            velo_arena *arena, velo_error *err);
    void (*destroy)(const velo_agg_desc *d, void *state); /* frees heap parts; may be NULL */
};

/* Fills `d` for the aggregate `name` over argument types args[0..nargs) with the given result type.
 * `consts` carries constant arguments (PERCENTILE_CONT fraction, STRING_AGG separator) or NULL:
 * consts[i] is argument i's value, so both read consts[1]. A separator's text must be
 * NUL-terminated and outlive `d` (d->separator points to it: plan literals, in the plan's arena).
 * Unknown names or argument types are VELO_ERR_UNSUPPORTED naming the aggregate. */
velo_status velo_agg_desc_make(const char *name, const velo_type *args, uint32_t nargs, bool distinct,
                               velo_type result, const velo_value *consts, velo_agg_desc *d, velo_error *err);

/* True when the state is plain bytes that can be copied to another core and merged there (merge
 * exists, no heap parts: COUNT, SUM/AVG, MIN/MAX of fixed-width types, moments...). False for
 * states that own memory (COUNT(DISTINCT), MEDIAN, STRING_AGG, MIN/MAX of text, HLL): the
 * two-phase GROUP BY (core/group_op.h) then keeps sending rows. */
bool velo_agg_state_flat(const velo_agg_desc *d);

/* Checkpoints (state/snapshot.h). plain: the state block holds no pointer (its bytes are the
 * state). savable: plain, or one whose heap parts save_state can write (text MIN/MAX/FIRST/LAST,
 * MEDIAN/PERCENTILE_CONT, DISTINCT sets, APPROX_COUNT_DISTINCT, STRING_AGG). save appends the state
 * as bytes to out; load fills a state fresh from init with what save wrote (bytes that do not fit
 * the aggregate are VELO_ERR_DECODE). */
bool velo_agg_state_plain(const velo_agg_desc *d);
bool velo_agg_state_savable(const velo_agg_desc *d);
velo_status velo_agg_state_save(const velo_agg_desc *d, const void *state, velo_strbuf *out, velo_error *err);
velo_status velo_agg_state_load(const velo_agg_desc *d, void *state, const char *p, uint32_t len,
                                velo_error *err);

/* Error bound of APPROX_COUNT_DISTINCT (relative standard error), for the docs. */
double velo_approx_count_distinct_error(void);

#endif
