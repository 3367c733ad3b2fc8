/* The window-function operator (core/analytic_op.h).
 *
 * Rows are copied into a column store (one growable vector per input column, per evaluated
 * argument / PARTITION BY / ORDER BY expression, and per call result). A call works on a
 * partition as an array of store row indices sorted by ORDER BY; every function is computed for
 * a position of that array, so the bounded mode (whole partitions, at the end) and the streaming
 * mode (one new position, on arrival) share the same code. Frames are found with pointers that
 * only move forward, and aggregates slide over them with retract where the accumulator has it. */
#include "core/analytic_op.h"

#include <math.h>
#include <mimalloc.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <xxhash.h>

#include "core/keys.h"
#include "core/scalar.h"
#include "core/strbuf.h"

/* ---- the column store ---- */

typedef struct row_store {
    uint32_t ncols, count, cap;
    velo_vector *cols;
    int64_t *origin;
    uint64_t *pending; /* streaming: bit ci set = call ci (a LEAD) has no value yet */
    uint32_t *refs;    /* streaming: partitions holding the row, + 1 until it is emitted */
    velo_arena arena;  /* strings and boxed values of the stored rows */
} row_store;

static velo_status store_reserve(row_store *s, uint32_t n, velo_error *err) {
    if (n <= s->cap) return VELO_OK;
    uint32_t nc = s->cap ? s->cap : 1024;
    while (nc < n)
        nc *= 2;
    for (uint32_t c = 0; c < s->ncols; c++) {
        velo_vector *v = &s->cols[c];
        size_t words = (nc + 63) / 64, old = (s->cap + 63) / 64;
        void *d = mi_realloc(v->data, (size_t)velo_type_width(v->type) * nc);
        if (d) v->data = d;
        uint64_t *val = mi_realloc(v->validity, words * 8);
        if (val) v->validity = val;
        if (!d || !val)
            return velo_error_set(err, VELO_ERR_NOMEM, "out of memory keeping rows for a window function");
        memset(val + old, 0, (words - old) * 8);
    }
    int64_t *o = mi_realloc(s->origin, sizeof *o * nc);
    if (o) s->origin = o;
    uint64_t *pend = mi_realloc(s->pending, sizeof *pend * nc);
    if (pend) s->pending = pend;
    uint32_t *refs = mi_realloc(s->refs, sizeof *refs * nc);
    if (refs) s->refs = refs;
    if (!o || !pend || !refs)
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory keeping rows for a window function");
    s->cap = nc;
    return VELO_OK;
}

static void store_free(row_store *s) {
    for (uint32_t c = 0; c < s->ncols; c++) {
        mi_free(s->cols[c].data);
        mi_free(s->cols[c].validity);
    }
    mi_free(s->cols);
    mi_free(s->origin);
    mi_free(s->pending);
    mi_free(s->refs);
    velo_arena_free(&s->arena);
}

/* dst[di] = src[si] (same type). With an arena, strings and boxed values are copied into it;
 * without, dst points to src's. */
static void copy_cell(velo_vector *dst, uint32_t di, const velo_vector *src, uint32_t si, velo_arena *arena) {
    if (!velo_vector_is_valid(src, si)) {
        velo_vector_set_null(dst, di);
        return;
    }
    velo_vector_set_valid(dst, di);
    uint32_t w = velo_type_width(src->type);
    switch (src->type.id) {
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: {
        velo_str s = VELO_VEC(src, velo_str)[si];
        if (arena) s.ptr = velo_arena_strndup(arena, s.ptr, s.len);
        VELO_VEC(dst, velo_str)[di] = s;
        break;
    }
    case VELO_TYPE_LIST:
    case VELO_TYPE_MAP:
    case VELO_TYPE_STRUCT:
    case VELO_TYPE_ANY: {
        velo_value *v = VELO_VEC(src, velo_value *)[si];
        VELO_VEC(dst, velo_value *)[di] = arena && v ? velo_value_copy(v, arena) : v;
        break;
    }
    default: memcpy((char *)dst->data + (size_t)w * di, (const char *)src->data + (size_t)w * si, w);
    }
}

static bool same_type(velo_type a, velo_type b) {
    return a.id == b.id && (a.id != VELO_TYPE_DECIMAL || (a.precision == b.precision && a.scale == b.scale));
}

/* dst[di] = src[si] converted to dst's type (LAG(qty, 1, 0.5) is a DECIMAL). */
static velo_status put_value(velo_vector *dst, uint32_t di, const velo_vector *src, uint32_t si,
                             velo_arena *arena, velo_error *err) {
    if (same_type(dst->type, src->type) || !velo_vector_is_valid(src, si)) {
        copy_cell(dst, di, src, si, NULL);
        return VELO_OK;
    }
    velo_value in, out;
    velo_vector_get_value(src, si, &in);
    velo_status st = velo_value_cast(&in, dst->type, arena, &out, err);
    if (st) return st;
    velo_vector_set_value(dst, di, &out, arena);
    return VELO_OK;
}

/* ---- ordering ---- */

#define CMP_AS(T)                                                                                            \
    do {                                                                                                     \
        T x_ = VELO_VEC(v, T)[a], y_ = VELO_VEC(v, T)[b];                                                    \
        return (x_ > y_) - (x_ < y_);                                                                        \
    } while (0)

static int cmp_cell(const velo_vector *v, uint32_t a, uint32_t b) {
    switch (v->type.id) {
    case VELO_TYPE_BOOLEAN: CMP_AS(uint8_t);
    case VELO_TYPE_BIGINT:
    case VELO_TYPE_TIMESTAMP: CMP_AS(int64_t);
    case VELO_TYPE_DATE: CMP_AS(int32_t);
    case VELO_TYPE_DECIMAL: CMP_AS(velo_i128);
    case VELO_TYPE_DOUBLE: {
        double x = VELO_VEC(v, double)[a], y = VELO_VEC(v, double)[b];
        if (isnan(x) || isnan(y)) return (int)isnan(x) - (int)isnan(y); /* NaN sorts last, equal to NaN */
        return (x > y) - (x < y);
    }
    case VELO_TYPE_INTERVAL: {
        velo_interval x = VELO_VEC(v, velo_interval)[a], y = VELO_VEC(v, velo_interval)[b];
        if (x.months != y.months) return x.months < y.months ? -1 : 1;
        if (x.days != y.days) return x.days < y.days ? -1 : 1;
        return (x.micros > y.micros) - (x.micros < y.micros);
    }
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: {
        velo_str x = VELO_VEC(v, velo_str)[a], y = VELO_VEC(v, velo_str)[b];
        int c = memcmp(x.ptr, y.ptr, x.len < y.len ? x.len : y.len);
        return c ? c : (x.len > y.len) - (x.len < y.len);
    }
    default: {
        velo_value x, y;
        velo_vector_get_value(v, a, &x);
        velo_vector_get_value(v, b, &y);
        int c = 0;
        velo_error e;
        if (velo_value_compare(&x, &y, &c, &e)) return 0;
        return c;
    }
    }
}

static int cmp_key(const velo_vector *v, uint32_t a, uint32_t b, bool desc, bool nulls_first) {
    bool va = velo_vector_is_valid(v, a), vb = velo_vector_is_valid(v, b);
    if (!va || !vb) return va == vb ? 0 : (!va == nulls_first ? -1 : 1);
    int c = cmp_cell(v, a, b);
    return desc ? -c : c;
}

/* ---- the operator ---- */

typedef struct call_cols {
    uint32_t args, part, order, result; /* first store column of each */
} call_cols;

/* Streaming: one call's partition, found by its encoded PARTITION BY key. */
typedef struct partition {
    uint64_t hash;
    char *key;
    uint32_t key_len;
    uint32_t next;  /* next partition index + 1 in the bucket chain */
    uint32_t *rows; /* kept rows, in window order */
    uint32_t n, cap;
    uint64_t dropped; /* rows dropped from the front */
    int64_t dropped_groups;
    void *base_state; /* AGGREGATE with an unbounded frame start: the dropped rows folded */
} partition;

typedef struct part_table {
    partition *parts;
    uint32_t nparts, cap;
    uint32_t *buckets;
    uint32_t nbuckets; /* power of two */
} part_table;

typedef struct analytic_op {
    velo_operator base;
    velo_analytic_config cfg;
    velo_analytic_fn *calls;
    call_cols *cols;
    uint32_t ninput;
    row_store st;
    velo_eval_ctx ctx;
    velo_batch *out;
    velo_schema *output;
    void **agg_state; /* per call: one accumulator state (AGGREGATE) */
    void **states;    /* scratch: agg_state repeated, for update/retract */
    uint32_t *perm, *tmp;
    uint32_t scratch_cap;
    part_table *tables; /* streaming: per call */
    velo_strbuf keybuf;
    uint64_t live; /* streaming: stored rows still referenced */
} analytic_op;

static int cmp_partition(const analytic_op *a, uint32_t ci, uint32_t x, uint32_t y) {
    const velo_analytic_fn *f = &a->calls[ci];
    for (uint32_t k = 0; k < f->npartition; k++) {
        int c = cmp_key(&a->st.cols[a->cols[ci].part + k], x, y, false, true);
        if (c) return c;
    }
    return 0;
}

static int cmp_order(const analytic_op *a, uint32_t ci, uint32_t x, uint32_t y) {
    const velo_analytic_fn *f = &a->calls[ci];
    for (uint32_t k = 0; k < f->norder; k++) {
        int c = cmp_key(&a->st.cols[a->cols[ci].order + k], x, y, f->order_by[k].desc,
                        f->order_by[k].nulls_first);
        if (c) return c;
    }
    return 0;
}

static int cmp_rows(const analytic_op *a, uint32_t ci, uint32_t x, uint32_t y) {
    int c = cmp_partition(a, ci, x, y);
    return c ? c : cmp_order(a, ci, x, y);
}

/* Stable merge sort of v[0..n) (tmp: n scratch entries): rows that tie keep arrival order. */
static void sort_rows(const analytic_op *a, uint32_t ci, uint32_t *v, uint32_t *tmp, uint32_t n) {
    for (uint32_t w = 1; w < n; w *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * w) {
            uint32_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            uint32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = cmp_rows(a, ci, v[j], v[i]) < 0 ? v[j++] : v[i++];
            while (i < mid)
                tmp[k++] = v[i++];
            while (j < hi)
                tmp[k++] = v[j++];
        }
        memcpy(v, tmp, sizeof *v * n);
    }
}

/* ---- frames ---- */

#define FAR ((__int128)1 << 100)

/* How far row q lies after row p in window order, in ORDER BY key units (p's key is not NULL). */
static __int128 key_dist(const analytic_op *a, uint32_t ci, uint32_t p, uint32_t q) {
    const velo_analytic_key *k = &a->calls[ci].order_by[0];
    const velo_vector *v = &a->st.cols[a->cols[ci].order];
    if (!velo_vector_is_valid(v, q)) return k->nulls_first ? -FAR : FAR;
    __int128 d = (__int128)VELO_VEC(v, int64_t)[q] - VELO_VEC(v, int64_t)[p];
    return k->desc ? -d : d;
}

static bool order_key_null(const analytic_op *a, uint32_t ci, uint32_t r) {
    return a->calls[ci].norder && !velo_vector_is_valid(&a->st.cols[a->cols[ci].order], r);
}

/* A partition being computed: rows[0..m) sorted, position p, its peers [ps, pe). */
typedef struct part_pos {
    const uint32_t *rows;
    uint32_t m, p, ps, pe;
} part_pos;

/* First position of the frame; `hint` is the previous position's answer (frames only move on). */
static uint32_t frame_start(const analytic_op *a, uint32_t ci, const part_pos *pp, uint32_t hint) {
    const velo_analytic_frame *fr = &a->calls[ci].frame;
    uint32_t p = pp->p, r = pp->rows[p];
    int64_t off = fr->start_offset;
    switch (fr->start) {
    case VELO_EDGE_UNBOUNDED_PRECEDING: return 0;
    case VELO_EDGE_CURRENT_ROW: return fr->range ? pp->ps : p;
    case VELO_EDGE_PRECEDING:
        if (!fr->range) return (int64_t)p > off ? (uint32_t)(p - off) : 0;
        if (order_key_null(a, ci, r)) return pp->ps;
        for (hint = hint < pp->ps ? hint : pp->ps;
             hint < pp->ps && key_dist(a, ci, r, pp->rows[hint]) < -off;)
            hint++;
        return hint;
    case VELO_EDGE_FOLLOWING:
        if (!fr->range) return (int64_t)(pp->m - p) > off ? (uint32_t)(p + off) : pp->m;
        if (order_key_null(a, ci, r)) return pp->ps;
        if (hint < pp->ps) hint = pp->ps;
        while (hint < pp->m && key_dist(a, ci, r, pp->rows[hint]) < off)
            hint++;
        return hint;
    case VELO_EDGE_UNBOUNDED_FOLLOWING: return pp->m;
    }
    return 0;
}

/* One past the last position of the frame. */
static uint32_t frame_end(const analytic_op *a, uint32_t ci, const part_pos *pp, uint32_t hint) {
    const velo_analytic_frame *fr = &a->calls[ci].frame;
    uint32_t p = pp->p, r = pp->rows[p];
    int64_t off = fr->end_offset;
    switch (fr->end) {
    case VELO_EDGE_UNBOUNDED_PRECEDING: return 0;
    case VELO_EDGE_CURRENT_ROW: return fr->range ? pp->pe : p + 1;
    case VELO_EDGE_PRECEDING:
        if (!fr->range) return (int64_t)p + 1 > off ? (uint32_t)(p + 1 - off) : 0;
        if (order_key_null(a, ci, r)) return pp->pe;
        while (hint < pp->m && key_dist(a, ci, r, pp->rows[hint]) <= -off)
            hint++;
        return hint;
    case VELO_EDGE_FOLLOWING:
        if (!fr->range) return (int64_t)(pp->m - p - 1) > off ? (uint32_t)(p + 1 + off) : pp->m;
        if (order_key_null(a, ci, r)) return pp->pe;
        if (hint < pp->pe) hint = pp->pe;
        while (hint < pp->m && key_dist(a, ci, r, pp->rows[hint]) <= off)
            hint++;
        return hint;
    case VELO_EDGE_UNBOUNDED_FOLLOWING: return pp->m;
    }
    return pp->m;
}

/* ---- the functions ---- */

static void put_i64(velo_vector *v, uint32_t r, int64_t x) {
    velo_vector_set_valid(v, r);
    VELO_VEC(v, int64_t)[r] = x;
}

static void put_f64(velo_vector *v, uint32_t r, double x) {
    velo_vector_set_valid(v, r);
    VELO_VEC(v, double)[r] = x;
}

/* Reads a BIGINT argument of row r; false when NULL. */
static bool arg_i64(const analytic_op *a, uint32_t ci, uint32_t k, uint32_t r, int64_t *out) {
    const velo_vector *v = &a->st.cols[a->cols[ci].args + k];
    if (!velo_vector_is_valid(v, r)) return false;
    *out = VELO_VEC(v, int64_t)[r];
    return true;
}

/* NTILE as DuckDB and PostgreSQL split m rows into n buckets: the first m % n buckets get one more. */
static int64_t ntile_bucket(int64_t n, int64_t m, int64_t p) {
    if (n > m) n = m;
    int64_t size = m / n, large = m - n * size, small_start = large * (size + 1);
    return p < small_start ? 1 + p / (size + 1) : 1 + large + (p - small_start) / size;
}

/* The aggregate's state slid to the frame [fs, fe): adds rows entering, retracts rows leaving, or
 * starts over when it cannot (no retract, or the frame jumped). */
typedef struct agg_slide {
    uint32_t a, b; /* positions the state holds */
    bool inited;
} agg_slide;

static void agg_reset(analytic_op *a, uint32_t ci, agg_slide *s) {
    const velo_agg_desc *d = &a->calls[ci].desc;
    if (s->inited && d->destroy) d->destroy(d, a->agg_state[ci]);
    d->init(d, a->agg_state[ci]);
    s->inited = true;
}

static velo_status agg_fold(analytic_op *a, uint32_t ci, const uint32_t *rows, uint32_t n, bool retract,
                            velo_error *err) {
    const velo_agg_desc *d = &a->calls[ci].desc;
    if (!n) return VELO_OK;
    for (uint32_t i = 0; i < n; i++)
        a->states[i] = a->agg_state[ci];
    const velo_vector *args = &a->st.cols[a->cols[ci].args];
    return (retract ? d->retract : d->update)(d, a->states, args, rows, n, err);
}

/* What a streaming partition dropped from its front: rows and peer groups (ROW_NUMBER, RANK and
 * DENSE_RANK count them) and, for aggregates whose frame starts UNBOUNDED PRECEDING, their state. */
typedef struct part_base {
    uint64_t rows;
    int64_t groups;
    void *state;
} part_base;

static velo_status agg_slide_to(analytic_op *a, uint32_t ci, agg_slide *s, const uint32_t *rows, uint32_t fs,
                                uint32_t fe, const part_base *base, velo_error *err) {
    const velo_agg_desc *d = &a->calls[ci].desc;
    velo_status st;
    /* retract only where it is exact: a DOUBLE result (STDDEV, SUM of DOUBLE) drifts when rows are
     * taken out again, so such frames are recomputed */
    bool can_retract = d->retract && d->result.id != VELO_TYPE_DOUBLE;
    if (!s->inited || fe <= fs || fs < s->a || fe < s->b || fs >= s->b || (fs > s->a && !can_retract)) {
        agg_reset(a, ci, s);
        s->a = s->b = fs;
        /* streaming: the rows the partition dropped from its front come first */
        if (base && base->state && fs == 0 && (st = d->merge(d, a->agg_state[ci], base->state, err)))
            return st;
    }
    if (fe > s->b && (st = agg_fold(a, ci, rows + s->b, fe - s->b, false, err))) return st;
    if (fs > s->a && (st = agg_fold(a, ci, rows + s->a, fs - s->a, true, err))) return st;
    if (fe > fs) {
        s->a = fs;
        s->b = fe;
    }
    return VELO_OK;
}

/* Computes the call's column for positions [from, to) of the sorted partition rows[0..m).
 * `base` (streaming, else NULL) says what the partition dropped from its front. */
static velo_status compute_partition(analytic_op *a, uint32_t ci, const uint32_t *rows, uint32_t m,
                                     uint32_t from, uint32_t to, const part_base *base, velo_error *err) {
    const velo_analytic_fn *f = &a->calls[ci];
    velo_vector *res = &a->st.cols[a->cols[ci].result];
    const velo_vector *x = &a->st.cols[a->cols[ci].args];
    part_pos pp = {rows, m, 0, 0, 0};
    uint32_t fs = 0, fe = 0;
    int64_t dense = base ? base->groups : 0;
    uint64_t before = base ? base->rows : 0;
    agg_slide slide = {0, 0, false};
    velo_status st = VELO_OK;
    for (uint32_t p = 0; p < to && !st; p++) {
        pp.p = p;
        if (p >= pp.pe) { /* a new group of peers */
            pp.ps = p;
            for (pp.pe = p + 1; pp.pe < m && !cmp_order(a, ci, rows[pp.ps], rows[pp.pe]);)
                pp.pe++;
            dense++;
        }
        if (p < from) continue;
        uint32_t r = rows[p];
        bool framed = f->kind >= VELO_ANALYTIC_FIRST_VALUE;
        if (framed) {
            fs = frame_start(a, ci, &pp, fs);
            fe = frame_end(a, ci, &pp, fe);
        }
        int64_t n = 0;
        switch (f->kind) {
        case VELO_ANALYTIC_ROW_NUMBER: put_i64(res, r, (int64_t)(before + p + 1)); break;
        case VELO_ANALYTIC_RANK: put_i64(res, r, (int64_t)(before + pp.ps + 1)); break;
        case VELO_ANALYTIC_DENSE_RANK: put_i64(res, r, dense); break;
        case VELO_ANALYTIC_PERCENT_RANK:
            put_f64(res, r, m > 1 ? (double)pp.ps / (double)(m - 1) : 0.0);
            break;
        case VELO_ANALYTIC_CUME_DIST: put_f64(res, r, (double)pp.pe / (double)m); break;
        case VELO_ANALYTIC_NTILE:
            if (!arg_i64(a, ci, 0, r, &n)) {
                velo_vector_set_null(res, r);
            } else if (n <= 0) {
                st =
                    velo_error_set(err, VELO_ERR_INVALID,
                                   "NTILE: the number of buckets must be positive, found %lld", (long long)n);
            } else {
                put_i64(res, r, ntile_bucket(n, m, p));
            }
            break;
        case VELO_ANALYTIC_LAG:
        case VELO_ANALYTIC_LEAD: {
            n = 1;
            if (f->nargs > 1 && !arg_i64(a, ci, 1, r, &n)) {
                velo_vector_set_null(res, r);
                break;
            }
            int64_t q = f->kind == VELO_ANALYTIC_LAG ? (int64_t)p - n : (int64_t)p + n;
            if (q >= 0 && q < (int64_t)m)
                st = put_value(res, r, x, rows[q], &a->st.arena, err);
            else if (f->nargs > 2)
                st = put_value(res, r, &a->st.cols[a->cols[ci].args + 2], r, &a->st.arena, err);
            else
                velo_vector_set_null(res, r);
            break;
        }
        case VELO_ANALYTIC_FIRST_VALUE:
        case VELO_ANALYTIC_LAST_VALUE:
        case VELO_ANALYTIC_NTH_VALUE: {
            int64_t q = f->kind == VELO_ANALYTIC_FIRST_VALUE  ? fs
                        : f->kind == VELO_ANALYTIC_LAST_VALUE ? (int64_t)fe - 1
                                                              : -1;
            if (f->kind == VELO_ANALYTIC_NTH_VALUE && arg_i64(a, ci, 1, r, &n)) {
                if (n <= 0) {
                    st = velo_error_set(err, VELO_ERR_INVALID, "NTH_VALUE: n must be positive, found %lld",
                                        (long long)n);
                    break;
                }
                q = (int64_t)fs + n - 1;
            }
            if (q >= (int64_t)fs && q < (int64_t)fe)
                st = put_value(res, r, x, rows[q], &a->st.arena, err);
            else
                velo_vector_set_null(res, r);
            break;
        }
        case VELO_ANALYTIC_AGGREGATE:
            if ((st = agg_slide_to(a, ci, &slide, rows, fs, fe, base, err))) break;
            st = f->desc.finalize(&f->desc, a->agg_state[ci], res, r, &a->st.arena, err);
            break;
        }
    }
    if (slide.inited && f->desc.destroy) f->desc.destroy(&f->desc, a->agg_state[ci]);
    return st;
}

/* ---- bounded input: everything at the end ---- */

static velo_status ensure_scratch(analytic_op *a, uint32_t n, velo_error *err) {
    if (n <= a->scratch_cap) return VELO_OK;
    mi_free(a->perm);
    mi_free(a->tmp);
    mi_free(a->states);
    a->perm = mi_malloc(sizeof *a->perm * n);
    a->tmp = mi_malloc(sizeof *a->tmp * n);
    a->states = mi_malloc(sizeof *a->states * n);
    if (!a->perm || !a->tmp || !a->states) {
        a->scratch_cap = 0;
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory computing a window function");
    }
    a->scratch_cap = n;
    return VELO_OK;
}

static velo_status compute_all(analytic_op *a, velo_error *err) {
    uint32_t n = a->st.count;
    velo_status st = ensure_scratch(a, n + 1, err);
    for (uint32_t ci = 0; ci < a->cfg.ncalls && !st; ci++) {
        for (uint32_t i = 0; i < n; i++)
            a->perm[i] = i;
        sort_rows(a, ci, a->perm, a->tmp, n);
        for (uint32_t s = 0, e; s < n && !st; s = e) {
            for (e = s + 1; e < n && !cmp_partition(a, ci, a->perm[s], a->perm[e]);)
                e++;
            st = compute_partition(a, ci, a->perm + s, e - s, 0, e - s, NULL, err);
        }
    }
    return st;
}

static velo_status flush_out(analytic_op *a, velo_error *err) {
    return velo_operator_emit(&a->base, a->out, err);
}

/* Appends stored row r (input columns, then the call results) to the output batch. */
static velo_status emit_row(analytic_op *a, uint32_t r, velo_error *err) {
    if (a->out->count == a->out->capacity) {
        velo_status st = flush_out(a, err);
        if (st) return st;
    }
    uint32_t o = a->out->count++;
    for (uint32_t c = 0; c < a->ninput; c++)
        copy_cell(&a->out->cols[c], o, &a->st.cols[c], r, NULL);
    for (uint32_t ci = 0; ci < a->cfg.ncalls; ci++)
        copy_cell(&a->out->cols[a->ninput + ci], o, &a->st.cols[a->cols[ci].result], r, NULL);
    a->out->origin[o] = a->st.origin[r];
    return VELO_OK;
}

/* ---- unbounded input: each row on arrival ---- */

static partition *find_partition(analytic_op *a, uint32_t ci, uint32_t r, velo_error *err) {
    part_table *t = &a->tables[ci];
    const velo_analytic_fn *f = &a->calls[ci];
    velo_strbuf_clear(&a->keybuf);
    for (uint32_t k = 0; k < f->npartition; k++)
        if (velo_key_encode(&a->keybuf, &a->st.cols[a->cols[ci].part + k], r, "PARTITION BY", err))
            return NULL;
    const char *key = a->keybuf.data ? a->keybuf.data : "";
    uint32_t len = (uint32_t)a->keybuf.len;
    uint64_t h = XXH3_64bits(key, len);
    if (t->nbuckets)
        for (uint32_t i = t->buckets[h & (t->nbuckets - 1)]; i; i = t->parts[i - 1].next) {
            partition *p = &t->parts[i - 1];
            if (p->hash == h && p->key_len == len && !memcmp(p->key, key, len)) return p;
        }
    if (t->nparts == t->cap) {
        uint32_t nc = t->cap ? t->cap * 2 : 64;
        partition *np = mi_realloc(t->parts, sizeof *np * nc);
        uint32_t *nb = mi_zalloc(sizeof *nb * nc * 2);
        if (!np || !nb) {
            if (np) t->parts = np;
            mi_free(nb);
            velo_error_set(err, VELO_ERR_NOMEM, "out of memory for a window partition");
            return NULL;
        }
        t->parts = np;
        t->cap = nc;
        mi_free(t->buckets);
        t->buckets = nb;
        t->nbuckets = nc * 2;
        for (uint32_t i = 0; i < t->nparts; i++) {
            uint32_t b = (uint32_t)(t->parts[i].hash & (t->nbuckets - 1));
            t->parts[i].next = t->buckets[b];
            t->buckets[b] = i + 1;
        }
    }
    partition *p = &t->parts[t->nparts];
    memset(p, 0, sizeof *p);
    p->key = mi_malloc(len + 1);
    if (!p->key ||
        (f->kind == VELO_ANALYTIC_AGGREGATE && !(p->base_state = mi_zalloc(f->desc.state_size + 8)))) {
        mi_free(p->key);
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory for a window partition");
        return NULL;
    }
    if (p->base_state) f->desc.init(&f->desc, p->base_state);
    memcpy(p->key, key, len);
    p->key_len = len;
    p->hash = h;
    uint32_t b = (uint32_t)(h & (t->nbuckets - 1));
    p->next = t->buckets[b];
    t->buckets[b] = ++t->nparts;
    return p;
}

/* Places row r among the partition's kept rows by its ORDER BY value (after its peers); returns
 * its position. */
static velo_status insert_row(analytic_op *a, uint32_t ci, partition *p, uint32_t r, uint32_t *pos,
                              velo_error *err) {
    if (p->n == p->cap) {
        uint32_t nc = p->cap ? p->cap * 2 : 8;
        uint32_t *nr = mi_realloc(p->rows, sizeof *nr * nc);
        if (!nr) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory for a window partition");
        p->rows = nr;
        p->cap = nc;
    }
    uint32_t i = p->n;
    while (i > 0 && cmp_order(a, ci, p->rows[i - 1], r) > 0)
        i--;
    memmove(p->rows + i + 1, p->rows + i, sizeof *p->rows * (p->n - i));
    p->rows[i] = r;
    p->n++;
    a->st.refs[r]++;
    *pos = i;
    return VELO_OK;
}

static uint32_t last_peers_start(const analytic_op *a, uint32_t ci, const partition *p) {
    uint32_t s = p->n ? p->n - 1 : 0;
    while (s > 0 && !cmp_order(a, ci, p->rows[s - 1], p->rows[p->n - 1]))
        s--;
    return s;
}

static int64_t const_arg(const velo_analytic_fn *f, uint32_t k, int64_t dflt) {
    if (f->nargs <= k || f->args[k]->kind != VELO_EXPR_CONST || f->args[k]->constant.is_null) return dflt;
    return f->args[k]->constant.u.i64;
}

/* The first kept position a row arriving later (in order) can still need. */
static uint32_t keep_from(const analytic_op *a, uint32_t ci, const partition *p) {
    const velo_analytic_fn *f = &a->calls[ci];
    const velo_analytic_frame *fr = &f->frame;
    uint32_t m = p->n, peers = last_peers_start(a, ci, p);
    switch (f->kind) {
    case VELO_ANALYTIC_ROW_NUMBER: return m - 1;
    case VELO_ANALYTIC_LAG: {
        int64_t n = const_arg(f, 1, 1);
        return n >= 0 && (int64_t)m > n ? (uint32_t)(m - n) : 0;
    }
    case VELO_ANALYTIC_LEAD:
        for (uint32_t i = 0; i < m; i++)
            if (a->st.pending[p->rows[i]] & ((uint64_t)1 << ci)) return i;
        return m;
    case VELO_ANALYTIC_FIRST_VALUE:
    case VELO_ANALYTIC_NTH_VALUE:
        if (fr->start == VELO_EDGE_UNBOUNDED_PRECEDING) return 0; /* keeps the partition: see the docs */
        break;
    default: break;
    }
    if (f->kind < VELO_ANALYTIC_FIRST_VALUE || fr->start == VELO_EDGE_UNBOUNDED_PRECEDING) return peers;
    if (fr->start == VELO_EDGE_PRECEDING && !fr->range) {
        uint32_t k = (int64_t)m > fr->start_offset ? (uint32_t)(m - fr->start_offset) : 0;
        return k < peers ? k : peers;
    }
    if (fr->start == VELO_EDGE_PRECEDING && !order_key_null(a, ci, p->rows[m - 1])) {
        uint32_t k = 0;
        while (k < peers && key_dist(a, ci, p->rows[m - 1], p->rows[k]) < -fr->start_offset)
            k++;
        return k;
    }
    return peers;
}

static velo_status emit_row(analytic_op *a, uint32_t r, velo_error *err);

static void unref(analytic_op *a, uint32_t r) {
    if (--a->st.refs[r] == 0) a->live--;
}

/* Drops the rows no later row can need, folding them into the partition's base. */
static velo_status prune(analytic_op *a, uint32_t ci, partition *p, velo_error *err) {
    const velo_analytic_fn *f = &a->calls[ci];
    uint32_t k = keep_from(a, ci, p);
    if (!k) return VELO_OK;
    if (f->kind == VELO_ANALYTIC_AGGREGATE && f->frame.start == VELO_EDGE_UNBOUNDED_PRECEDING) {
        for (uint32_t i = 0; i < k; i++)
            a->states[i] = p->base_state;
        velo_status st = f->desc.update(&f->desc, a->states, &a->st.cols[a->cols[ci].args], p->rows, k, err);
        if (st) return st;
    }
    for (uint32_t i = 0; i < k; i++) {
        if (i == 0 || cmp_order(a, ci, p->rows[i - 1], p->rows[i])) p->dropped_groups++;
        unref(a, p->rows[i]);
    }
    /* a group cut in two counts once: the kept part continues it */
    if (k < p->n && !cmp_order(a, ci, p->rows[k - 1], p->rows[k])) p->dropped_groups--;
    p->dropped += k;
    memmove(p->rows, p->rows + k, sizeof *p->rows * (p->n - k));
    p->n -= k;
    return VELO_OK;
}

/* Emits row r when its last pending call got its value. */
static velo_status settle(analytic_op *a, uint32_t r, uint32_t ci, velo_error *err) {
    a->st.pending[r] &= ~((uint64_t)1 << ci);
    if (a->st.pending[r]) return VELO_OK;
    velo_status st = emit_row(a, r, err);
    unref(a, r);
    return st;
}

/* LEAD: the rows of the partition that now have their value (or, at the end, never will). */
static velo_status settle_leads(analytic_op *a, uint32_t ci, partition *p, bool at_end, velo_error *err) {
    int64_t n = const_arg(&a->calls[ci], 1, 1);
    uint64_t bit = (uint64_t)1 << ci;
    velo_status st = VELO_OK;
    part_base base = {p->dropped, p->dropped_groups, NULL};
    for (uint32_t i = 0; i < p->n && !st; i++) {
        uint32_t r = p->rows[i];
        if (!(a->st.pending[r] & bit) || (!at_end && (int64_t)i + n >= (int64_t)p->n)) continue;
        if (!(st = compute_partition(a, ci, p->rows, p->n, i, i + 1, &base, err))) st = settle(a, r, ci, err);
    }
    return st;
}

static velo_status stream_row(analytic_op *a, uint32_t r, velo_error *err) {
    velo_status st = VELO_OK;
    a->st.refs[r] = 1; /* until emitted */
    a->st.pending[r] = 0;
    a->live++;
    for (uint32_t ci = 0; ci < a->cfg.ncalls; ci++)
        if (a->calls[ci].kind == VELO_ANALYTIC_LEAD) a->st.pending[r] |= (uint64_t)1 << ci;
    bool leads = a->st.pending[r] != 0;
    /* LEADs last: settling one may emit the row, whose other columns must be there by then */
    for (uint32_t k = 0; k < 2 * a->cfg.ncalls && !st; k++) {
        uint32_t ci = k % a->cfg.ncalls;
        if ((a->calls[ci].kind == VELO_ANALYTIC_LEAD) != (k >= a->cfg.ncalls)) continue;
        partition *p = find_partition(a, ci, r, err);
        uint32_t pos = 0;
        if (!p) return err->code ? err->code : VELO_ERR_NOMEM;
        if ((st = insert_row(a, ci, p, r, &pos, err))) break;
        part_base base = {p->dropped, p->dropped_groups, p->base_state};
        if (a->calls[ci].kind == VELO_ANALYTIC_LEAD)
            st = settle_leads(a, ci, p, false, err);
        else
            st = compute_partition(a, ci, p->rows, p->n, pos, pos + 1, &base, err);
        if (!st) st = prune(a, ci, p, err);
    }
    if (!st && !leads) {
        st = emit_row(a, r, err);
        unref(a, r);
    }
    return st;
}

/* Copies the rows still referenced into a fresh store so that memory follows what is kept. */
static velo_status compact(analytic_op *a, velo_error *err) {
    row_store old = a->st, nw = {0};
    nw.ncols = old.ncols;
    nw.cols = mi_zalloc(sizeof *nw.cols * (old.ncols + 1));
    uint32_t *map = mi_malloc(sizeof *map * (old.count + 1));
    velo_arena_init(&nw.arena, 65536);
    velo_status st = nw.cols && map ? VELO_OK : velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t c = 0; c < old.ncols && !st; c++)
        nw.cols[c].type = old.cols[c].type;
    if (!st) st = store_reserve(&nw, (uint32_t)a->live + 1, err);
    if (st) {
        mi_free(map);
        store_free(&nw);
        return st;
    }
    for (uint32_t r = 0; r < old.count; r++) {
        if (!old.refs[r]) continue;
        uint32_t d = map[r] = nw.count++;
        for (uint32_t c = 0; c < old.ncols; c++)
            copy_cell(&nw.cols[c], d, &old.cols[c], r, &nw.arena);
        nw.origin[d] = old.origin[r];
        nw.pending[d] = old.pending[r];
        nw.refs[d] = old.refs[r];
    }
    for (uint32_t ci = 0; ci < a->cfg.ncalls; ci++)
        for (uint32_t i = 0; i < a->tables[ci].nparts; i++) {
            partition *p = &a->tables[ci].parts[i];
            for (uint32_t k = 0; k < p->n; k++)
                p->rows[k] = map[p->rows[k]];
        }
    mi_free(map);
    store_free(&old);
    a->st = nw;
    return VELO_OK;
}

static velo_status stream_batch(analytic_op *a, uint32_t first, uint32_t count, velo_error *err) {
    velo_status st = ensure_scratch(a, a->st.count + 1, err);
    for (uint32_t r = first; r < first + count && !st; r++)
        st = stream_row(a, r, err);
    if (!st) st = flush_out(a, err);
    if (!st && a->st.count >= 4096 && a->st.count >= 2 * a->live) st = compact(a, err);
    return st;
}

/* End of input: LEAD values that never came are their default (or NULL); the rows that waited for
 * them go out in arrival order. */
static velo_status stream_finish(analytic_op *a, velo_error *err) {
    uint64_t leads = 0;
    velo_status st = VELO_OK;
    for (uint32_t ci = 0; ci < a->cfg.ncalls && !st; ci++) {
        if (a->calls[ci].kind != VELO_ANALYTIC_LEAD) continue;
        leads |= (uint64_t)1 << ci;
        for (uint32_t i = 0; i < a->tables[ci].nparts && !st; i++) {
            partition *p = &a->tables[ci].parts[i];
            part_base base = {p->dropped, p->dropped_groups, NULL};
            for (uint32_t k = 0; k < p->n && !st; k++)
                if (a->st.pending[p->rows[k]] & ((uint64_t)1 << ci))
                    st = compute_partition(a, ci, p->rows, p->n, k, k + 1, &base, err);
        }
    }
    for (uint32_t r = 0; r < a->st.count && !st; r++)
        if (a->st.refs[r] && (a->st.pending[r] & leads)) {
            a->st.pending[r] = 0;
            st = emit_row(a, r, err);
            unref(a, r);
        }
    return st;
}

/* ---- push / finish ---- */

/* Evaluates every call's expressions on the batch and copies the rows that evaluated into the store. */
static velo_status store_batch(analytic_op *a, velo_batch *b, uint32_t *first, uint32_t *count,
                               velo_error *err) {
    const velo_analytic_config *c = &a->cfg;
    velo_eval_ctx_reset(&a->ctx);
    uint32_t n = velo_batch_live(b);
    *first = a->st.count;
    *count = 0;
    if (!n) return VELO_OK;
    uint32_t *sel = velo_arena_alloc(&a->ctx.scratch, sizeof *sel * n);
    const velo_vector **src = velo_arena_calloc(&a->ctx.scratch, sizeof *src * a->st.ncols);
    if (!sel || !src) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t k = 0; k < n; k++)
        sel[k] = velo_batch_row(b, k);
    for (uint32_t i = 0; i < a->ninput; i++)
        src[i] = &b->cols[i];
    velo_status st = VELO_OK;
    for (uint32_t ci = 0; ci < c->ncalls && !st; ci++) {
        const velo_analytic_fn *f = &a->calls[ci];
        velo_vector *r;
        for (uint32_t j = 0; j < f->nargs && !st; j++)
            if (!(st = velo_expr_eval(f->args[j], b, sel, n, &a->ctx, &r, err)))
                src[a->cols[ci].args + j] = r;
        for (uint32_t j = 0; j < f->npartition && !st; j++)
            if (!(st = velo_expr_eval(f->partition_by[j], b, sel, n, &a->ctx, &r, err)))
                src[a->cols[ci].part + j] = r;
        for (uint32_t j = 0; j < f->norder && !st; j++)
            if (!(st = velo_expr_eval(f->order_by[j].expr, b, sel, n, &a->ctx, &r, err)))
                src[a->cols[ci].order + j] = r;
    }
    if (st) return st;
    if ((st = store_reserve(&a->st, a->st.count + n, err))) return st;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t row = sel[k];
        if (a->ctx.errors.count && a->ctx.errors.flag[row]) {
            a->base.rows_failed++;
            if (c->on_error.fn &&
                (st = c->on_error.fn(c->on_error.ud, b, row, a->ctx.errors.message[row], err)))
                return st;
            continue;
        }
        uint32_t d = a->st.count++;
        for (uint32_t col = 0; col < a->st.ncols; col++) {
            if (src[col])
                copy_cell(&a->st.cols[col], d, src[col], row, &a->st.arena);
            else
                velo_vector_set_null(&a->st.cols[col], d);
        }
        a->st.origin[d] = b->origin ? b->origin[row] : -1;
        (*count)++;
    }
    return VELO_OK;
}

static velo_status analytic_push(velo_operator *o, velo_batch *b, velo_error *err) {
    analytic_op *a = (analytic_op *)o;
    uint32_t first, count;
    velo_status st = store_batch(a, b, &first, &count, err);
    if (st || a->cfg.bounded) return st;
    return stream_batch(a, first, count, err);
}

static velo_status analytic_finish(velo_operator *o, velo_error *err) {
    analytic_op *a = (analytic_op *)o;
    velo_status st;
    if (a->cfg.bounded) {
        st = compute_all(a, err);
        for (uint32_t r = 0; r < a->st.count && !st; r++)
            st = emit_row(a, r, err);
    } else {
        st = stream_finish(a, err);
    }
    if (!st) st = flush_out(a, err);
    if (st) return st;
    return a->base.next ? velo_operator_finish(a->base.next, err) : VELO_OK;
}

static void free_calls(velo_analytic_fn *calls, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        velo_analytic_fn *f = &calls[i];
        for (uint32_t j = 0; j < f->nargs + f->nparams; j++)
            velo_expr_free(f->args[j]);
        mi_free(f->args);
        for (uint32_t j = 0; j < f->npartition; j++)
            velo_expr_free(f->partition_by[j]);
        mi_free(f->partition_by);
        for (uint32_t j = 0; j < f->norder; j++)
            velo_expr_free(f->order_by[j].expr);
        mi_free(f->order_by);
    }
}

static void analytic_destroy(velo_operator *o) {
    analytic_op *a = (analytic_op *)o;
    if (a->calls) {
        free_calls(a->calls, a->cfg.ncalls);
        for (uint32_t i = 0; i < a->cfg.ncalls; i++)
            if (a->agg_state) mi_free(a->agg_state[i]);
    }
    for (uint32_t ci = 0; a->tables && ci < a->cfg.ncalls; ci++) {
        const velo_agg_desc *d = &a->calls[ci].desc;
        for (uint32_t i = 0; i < a->tables[ci].nparts; i++) {
            partition *p = &a->tables[ci].parts[i];
            if (p->base_state && d->destroy) d->destroy(d, p->base_state);
            mi_free(p->base_state);
            mi_free(p->key);
            mi_free(p->rows);
        }
        mi_free(a->tables[ci].parts);
        mi_free(a->tables[ci].buckets);
    }
    mi_free(a->tables);
    velo_strbuf_free(&a->keybuf);
    mi_free(a->calls);
    mi_free(a->cols);
    mi_free(a->agg_state);
    mi_free(a->states);
    mi_free(a->perm);
    mi_free(a->tmp);
    store_free(&a->st);
    velo_batch_free(a->out);
    velo_schema_free(a->output);
    velo_eval_ctx_free(&a->ctx);
    mi_free(a);
}

static const velo_operator_ops analytic_ops = {
    .name = "analytic", .push = analytic_push, .finish = analytic_finish, .destroy = analytic_destroy};

bool velo_analytic_kind_from_name(const char *name, velo_analytic_kind *out) {
    static const struct {
        const char *name;
        velo_analytic_kind kind;
    } fns[] = {
        {"ROW_NUMBER", VELO_ANALYTIC_ROW_NUMBER},
        {"RANK", VELO_ANALYTIC_RANK},
        {"DENSE_RANK", VELO_ANALYTIC_DENSE_RANK},
        {"PERCENT_RANK", VELO_ANALYTIC_PERCENT_RANK},
        {"CUME_DIST", VELO_ANALYTIC_CUME_DIST},
        {"NTILE", VELO_ANALYTIC_NTILE},
        {"LAG", VELO_ANALYTIC_LAG},
        {"LEAD", VELO_ANALYTIC_LEAD},
        {"FIRST_VALUE", VELO_ANALYTIC_FIRST_VALUE},
        {"LAST_VALUE", VELO_ANALYTIC_LAST_VALUE},
        {"NTH_VALUE", VELO_ANALYTIC_NTH_VALUE},
    };
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++)
        if (!strcasecmp(name, fns[i].name)) {
            *out = fns[i].kind;
            return true;
        }
    return false;
}

static const char *kind_name(velo_analytic_kind k) {
    static const char *const names[] = {"ROW_NUMBER",  "RANK",       "DENSE_RANK", "PERCENT_RANK",
                                        "CUME_DIST",   "NTILE",      "LAG",        "LEAD",
                                        "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE",  "an aggregate"};
    return names[k];
}

/* Rejects what a call cannot do, before any row flows. */
static velo_status check_call(const velo_analytic_config *cfg, const velo_analytic_fn *f, velo_error *err) {
    bool offsets =
        f->frame.range && (f->frame.start == VELO_EDGE_PRECEDING || f->frame.start == VELO_EDGE_FOLLOWING ||
                           f->frame.end == VELO_EDGE_PRECEDING || f->frame.end == VELO_EDGE_FOLLOWING);
    if (offsets) {
        velo_type_id t = f->norder == 1 ? f->order_by[0].expr->type.id : VELO_TYPE_NULL;
        if (t != VELO_TYPE_TIMESTAMP && t != VELO_TYPE_BIGINT)
            return velo_error_set(
                err, VELO_ERR_UNSUPPORTED,
                "%s OVER a RANGE frame with an offset needs one ORDER BY key of type TIMESTAMP or "
                "BIGINT; other key types are not supported yet",
                kind_name(f->kind));
    }
    if (cfg->bounded) return VELO_OK;
    const char *why = NULL;
    if (f->kind == VELO_ANALYTIC_NTILE || f->kind == VELO_ANALYTIC_PERCENT_RANK ||
        f->kind == VELO_ANALYTIC_CUME_DIST)
        why = "it needs the partition's total";
    else if (f->kind >= VELO_ANALYTIC_FIRST_VALUE &&
             (f->frame.end == VELO_EDGE_FOLLOWING || f->frame.end == VELO_EDGE_UNBOUNDED_FOLLOWING ||
              f->frame.start == VELO_EDGE_FOLLOWING))
        why = "its frame needs rows after the current one";
    else if ((f->kind == VELO_ANALYTIC_LAG || f->kind == VELO_ANALYTIC_LEAD) && f->nargs > 1 &&
             f->args[1]->kind != VELO_EXPR_CONST)
        why = "its offset is not a constant";
    else if (cfg->ncalls > 64)
        why = "more than 64 window functions";
    if (why)
        return velo_error_set(err, VELO_ERR_UNSUPPORTED,
                              "%s OVER (...) is not supported yet on unbounded input: %s", kind_name(f->kind),
                              why);
    return VELO_OK;
}

velo_operator *velo_analytic_op_new(velo_analytic_config *cfg, velo_error *err) {
    for (uint32_t i = 0; i < cfg->ncalls; i++)
        if (check_call(cfg, &cfg->calls[i], err)) return NULL;
    analytic_op *a = mi_zalloc(sizeof *a);
    if (!a) {
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    a->base.ops = &analytic_ops;
    a->cfg = *cfg;
    a->ninput = cfg->input->ncols;
    a->calls = mi_zalloc(sizeof *a->calls * (cfg->ncalls + 1));
    a->cols = mi_zalloc(sizeof *a->cols * (cfg->ncalls + 1));
    a->agg_state = mi_zalloc(sizeof *a->agg_state * (cfg->ncalls + 1));
    a->output = velo_schema_copy(cfg->output);
    velo_strbuf_init(&a->keybuf);
    if (!cfg->bounded) a->tables = mi_zalloc(sizeof *a->tables * (cfg->ncalls + 1));
    a->out = velo_batch_new(cfg->output, cfg->capacity);
    velo_arena_init(&a->st.arena, 65536);
    if (!a->calls || !a->cols || !a->agg_state || !a->output || !a->out || (!cfg->bounded && !a->tables) ||
        velo_eval_ctx_init(&a->ctx, cfg->capacity, cfg->file, err)) {
        a->cfg.ncalls = 0;
        analytic_destroy(&a->base);
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    memcpy(a->calls, cfg->calls, sizeof *cfg->calls * cfg->ncalls);
    a->cfg.calls = a->calls;
    a->cfg.output = a->output;

    /* store columns: input..., then per call its arguments, partition keys, order keys; then results */
    uint32_t ncols = a->ninput;
    for (uint32_t ci = 0; ci < a->cfg.ncalls; ci++) {
        const velo_analytic_fn *f = &a->calls[ci];
        a->cols[ci].args = ncols;
        a->cols[ci].part = ncols += f->nargs;
        a->cols[ci].order = ncols += f->npartition;
        ncols += f->norder;
    }
    for (uint32_t ci = 0; ci < a->cfg.ncalls; ci++)
        a->cols[ci].result = ncols++;
    a->st.ncols = ncols;
    a->st.cols = mi_zalloc(sizeof *a->st.cols * (ncols + 1));
    velo_status st = a->st.cols ? VELO_OK : velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t c = 0; c < a->ninput && !st; c++)
        a->st.cols[c].type = cfg->input->fields[c].type;
    for (uint32_t ci = 0; ci < a->cfg.ncalls && !st; ci++) {
        velo_analytic_fn *f = &a->calls[ci];
        for (uint32_t j = 0; j < f->nargs && !st; j++) {
            a->st.cols[a->cols[ci].args + j].type = f->args[j]->type;
            st = velo_expr_prepare(f->args[j], cfg->capacity, err);
        }
        for (uint32_t j = 0; j < f->npartition && !st; j++) {
            a->st.cols[a->cols[ci].part + j].type = f->partition_by[j]->type;
            st = velo_expr_prepare(f->partition_by[j], cfg->capacity, err);
        }
        for (uint32_t j = 0; j < f->norder && !st; j++) {
            a->st.cols[a->cols[ci].order + j].type = f->order_by[j].expr->type;
            st = velo_expr_prepare(f->order_by[j].expr, cfg->capacity, err);
        }
        a->st.cols[a->cols[ci].result].type = f->type;
        if (!st && f->kind == VELO_ANALYTIC_AGGREGATE &&
            !(a->agg_state[ci] = mi_zalloc(f->desc.state_size + 8)))
            st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    }
    if (st) { /* the caller keeps the expressions */
        for (uint32_t ci = 0; ci < a->cfg.ncalls; ci++)
            mi_free(a->agg_state[ci]);
        a->cfg.ncalls = 0;
        analytic_destroy(&a->base);
        return NULL;
    }
    cfg->ncalls = 0; /* the caller no longer frees them */
    return &a->base;
}
