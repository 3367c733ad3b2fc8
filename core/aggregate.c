/* Aggregate accumulators (core/aggregate.h): one small state struct per family (count, sums,
 * min/max/first/last slots, Welford moments, value lists, distinct sets, HyperLogLog, text) and
 * type-specialised loops over a vector. The type switch happens once, in velo_agg_desc_make, which
 * picks the loop; rows then go through a tight loop with no boxing and no per-row dispatch.
 * 128-bit values live in states as bytes (ld128/st128): state blocks are only 8-byte aligned. */
#include "core/aggregate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/decimal.h"

#define ROWS_LOOP(vec, ...)                                                                                  \
    for (uint32_t k = 0; k < n; k++) {                                                                       \
        uint32_t r = rows[k];                                                                                \
        if (!velo_vector_is_valid((vec), r)) continue;                                                       \
        __VA_ARGS__                                                                                          \
    }

static inline velo_i128 ld128(const void *p) {
    velo_i128 v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void st128(void *p, velo_i128 v) { memcpy(p, &v, sizeof v); }

static velo_status nomem(velo_error *err, const char *agg) {
    return velo_error_set(err, VELO_ERR_NOMEM, "%s: out of memory growing the aggregate state", agg);
}

/* Grows a heap buffer to hold `need` elements of `w` bytes (doubling); false when out of memory. */
static bool grow(void **buf, uint32_t *cap, uint32_t need, size_t w) {
    if (need <= *cap) return true;
    uint32_t c = *cap ? *cap : 8;
    while (c < need)
        c = c > UINT32_MAX / 2 ? need : c * 2;
    void *p = realloc(*buf, (size_t)c * w);
    if (!p) return false;
    *buf = p;
    *cap = c;
    return true;
}

/* ---- writing results ---- */

static void put_i64(velo_vector *out, uint32_t row, int64_t v) {
    VELO_VEC(out, int64_t)[row] = v;
    velo_vector_set_valid(out, row);
}
static void put_f64(velo_vector *out, uint32_t row, double v) {
    VELO_VEC(out, double)[row] = v;
    velo_vector_set_valid(out, row);
}
static void put_dec(velo_vector *out, uint32_t row, velo_i128 v) {
    VELO_VEC(out, velo_i128)[row] = v;
    velo_vector_set_valid(out, row);
}
static velo_status put_str(velo_vector *out, uint32_t row, const char *p, uint32_t len, velo_arena *arena,
                           velo_error *err, const char *agg) {
    char *copy = velo_arena_strndup(arena, p ? p : "", len);
    if (!copy) return nomem(err, agg);
    VELO_VEC(out, velo_str)[row] = (velo_str){copy, len};
    velo_vector_set_valid(out, row);
    return VELO_OK;
}

/* ---- COUNT ---- */

typedef struct count_state {
    int64_t n;
} count_state;

static void zero_init(const velo_agg_desc *d, void *state) { memset(state, 0, d->state_size); }

static velo_status count_star_update(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                     const uint32_t *rows, uint32_t n, velo_error *err) {
    for (uint32_t k = 0; k < n; k++)
        ((count_state *)states[k])->n++;
    return VELO_OK;
}
static velo_status count_star_retract(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                      const uint32_t *rows, uint32_t n, velo_error *err) {
    for (uint32_t k = 0; k < n; k++)
        ((count_state *)states[k])->n--;
    return VELO_OK;
}
static velo_status count_update(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                const uint32_t *rows, uint32_t n, velo_error *err) {
    ROWS_LOOP(&args[0], ((count_state *)states[k])->n++;)
    return VELO_OK;
}
static velo_status count_retract(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                 const uint32_t *rows, uint32_t n, velo_error *err) {
    ROWS_LOOP(&args[0], ((count_state *)states[k])->n--;)
    return VELO_OK;
}
static velo_status count_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    ((count_state *)dst)->n += ((const count_state *)src)->n;
    return VELO_OK;
}
static velo_status count_finalize(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                                  velo_arena *arena, velo_error *err) {
    put_i64(out, row, ((const count_state *)state)->n);
    return VELO_OK;
}

/* ---- SUM / AVG of BIGINT: SUM checks overflow, AVG sums in 128 bits and cannot overflow ---- */

typedef struct sum_i64_state {
    int64_t sum;
    int64_t n; /* non-NULL inputs: 0 means the result is NULL */
} sum_i64_state;

static velo_status i64_overflow(velo_error *err, const char *agg, int64_t a, int64_t b, char op) {
    return velo_error_set(err, VELO_ERR_OVERFLOW,
                          "%s overflow: %lld %c %lld does not fit BIGINT; sum CAST(x AS DECIMAL(38,0)) for "
                          "an exact wider range",
                          agg, (long long)a, op, (long long)b);
}

static inline velo_status sum_i64_add(const velo_agg_desc *d, sum_i64_state *s, int64_t x, velo_error *err) {
    int64_t t;
    if (__builtin_add_overflow(s->sum, x, &t)) return i64_overflow(err, d->name, s->sum, x, '+');
    s->sum = t;
    s->n++;
    return VELO_OK;
}

static velo_status sum_i64_update(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                  const uint32_t *rows, uint32_t n, velo_error *err) {
    const int64_t *x = VELO_VEC(&args[0], int64_t);
    ROWS_LOOP(&args[0], {
        sum_i64_state *s = states[k];
        int64_t t;
        if (__builtin_add_overflow(s->sum, x[r], &t)) return i64_overflow(err, d->name, s->sum, x[r], '+');
        s->sum = t;
        s->n++;
    })
    return VELO_OK;
}
static velo_status sum_i64_retract(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                   const uint32_t *rows, uint32_t n, velo_error *err) {
    const int64_t *x = VELO_VEC(&args[0], int64_t);
    ROWS_LOOP(&args[0], {
        sum_i64_state *s = states[k];
        int64_t t;
        if (__builtin_sub_overflow(s->sum, x[r], &t)) return i64_overflow(err, d->name, s->sum, x[r], '-');
        s->sum = t;
        s->n--;
    })
    return VELO_OK;
}
static velo_status sum_i64_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    sum_i64_state *a = dst;
    const sum_i64_state *b = src;
    int64_t t;
    if (__builtin_add_overflow(a->sum, b->sum, &t)) return i64_overflow(err, d->name, a->sum, b->sum, '+');
    a->sum = t;
    a->n += b->n;
    return VELO_OK;
}
static velo_status sum_i64_finalize(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                                    velo_arena *arena, velo_error *err) {
    const sum_i64_state *s = state;
    if (s->n == 0)
        velo_vector_set_null(out, row);
    else
        put_i64(out, row, s->sum);
    return VELO_OK;
}

/* A 128-bit sum and a count: exact SUM/AVG of DECIMAL, and AVG of BIGINT (|sum| < 2^63 * 2^63). */
typedef struct sum128_state {
    unsigned char sum[16]; /* velo_i128 */
    int64_t n;
} sum128_state;

static velo_status avg_i64_update(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                  const uint32_t *rows, uint32_t n, velo_error *err) {
    const int64_t *x = VELO_VEC(&args[0], int64_t);
    ROWS_LOOP(&args[0], {
        sum128_state *s = states[k];
        st128(s->sum, ld128(s->sum) + x[r]);
        s->n++;
    })
    return VELO_OK;
}
static velo_status avg_i64_retract(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                   const uint32_t *rows, uint32_t n, velo_error *err) {
    const int64_t *x = VELO_VEC(&args[0], int64_t);
    ROWS_LOOP(&args[0], {
        sum128_state *s = states[k];
        st128(s->sum, ld128(s->sum) - x[r]);
        s->n--;
    })
    return VELO_OK;
}
static velo_status avg_i64_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    sum128_state *a = dst;
    const sum128_state *b = src;
    st128(a->sum, ld128(a->sum) + ld128(b->sum));
    a->n += b->n;
    return VELO_OK;
}
static velo_status avg_i64_finalize(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                                    velo_arena *arena, velo_error *err) {
    const sum128_state *s = state;
    if (s->n == 0)
        velo_vector_set_null(out, row);
    else
        put_f64(out, row, (double)((long double)ld128(s->sum) / (long double)s->n));
    return VELO_OK;
}

/* ---- SUM / AVG of DECIMAL: exact, |sum| < 10^38 at the argument's scale ---- */

static velo_status dec_overflow(const velo_agg_desc *d, velo_i128 a, velo_i128 b, char op, velo_error *err) {
    char x[VELO_DECIMAL_STR_MAX], y[VELO_DECIMAL_STR_MAX];
    velo_decimal_format(a, d->args[0].scale, x);
    velo_decimal_format(b, d->args[0].scale, y);
    return velo_error_set(err, VELO_ERR_OVERFLOW, "%s overflow: %s %c %s does not fit DECIMAL(38,%d)",
                          d->name, x, op, y, d->args[0].scale);
}

/* a + b (or a - b) within DECIMAL(38): |result| < 10^38. */
static inline bool dec_add_ok(velo_i128 a, velo_i128 b, bool sub, velo_i128 *out) {
    const velo_i128 lim = velo_decimal_pow10(VELO_DECIMAL_MAX_PRECISION);
    bool ovf = sub ? __builtin_sub_overflow(a, b, out) : __builtin_add_overflow(a, b, out);
    return !ovf && *out<lim && * out> - lim;
}

static inline velo_status sum_dec_add(const velo_agg_desc *d, sum128_state *s, velo_i128 x, velo_error *err) {
    velo_i128 a = ld128(s->sum), r;
    if (!dec_add_ok(a, x, false, &r)) return dec_overflow(d, a, x, '+', err);
    st128(s->sum, r);
    s->n++;
    return VELO_OK;
}

static velo_status sum_dec_update(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                  const uint32_t *rows, uint32_t n, velo_error *err) {
    const velo_i128 *x = VELO_VEC(&args[0], velo_i128);
    ROWS_LOOP(&args[0], {
        velo_status st = sum_dec_add(d, states[k], x[r], err);
        if (st) return st;
    })
    return VELO_OK;
}
static velo_status sum_dec_retract(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                   const uint32_t *rows, uint32_t n, velo_error *err) {
    const velo_i128 *x = VELO_VEC(&args[0], velo_i128);
    ROWS_LOOP(&args[0], {
        sum128_state *s = states[k];
        velo_i128 a = ld128(s->sum), res;
        if (!dec_add_ok(a, x[r], true, &res)) return dec_overflow(d, a, x[r], '-', err);
        st128(s->sum, res);
        s->n--;
    })
    return VELO_OK;
}
static velo_status sum_dec_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    sum128_state *a = dst;
    const sum128_state *b = src;
    velo_i128 x = ld128(a->sum), y = ld128(b->sum), r;
    if (!dec_add_ok(x, y, false, &r)) return dec_overflow(d, x, y, '+', err);
    st128(a->sum, r);
    a->n += b->n;
    return VELO_OK;
}
static velo_status sum_dec_finalize(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                                    velo_arena *arena, velo_error *err) {
    const sum128_state *s = state;
    if (s->n == 0) {
        velo_vector_set_null(out, row);
        return VELO_OK;
    }
    velo_i128 v;
    velo_status st =
        velo_decimal_rescale(ld128(s->sum), d->args[0].scale, d->result.precision, d->result.scale, &v, err);
    if (st) return st;
    put_dec(out, row, v);
    return VELO_OK;
}
/* sum / n, exact and rounded half away from zero at the result's scale. */
static velo_status avg_dec_finalize(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                                    velo_arena *arena, velo_error *err) {
    const sum128_state *s = state;
    if (s->n == 0) {
        velo_vector_set_null(out, row);
        return VELO_OK;
    }
    velo_decimal sum = {ld128(s->sum), VELO_DECIMAL_MAX_PRECISION, d->args[0].scale};
    velo_decimal cnt = {s->n, 19, 0};
    velo_i128 v;
    velo_status st =
        velo_decimal_arith(VELO_DEC_DIV, sum, cnt, d->result.precision, d->result.scale, &v, err);
    if (st) return st;
    put_dec(out, row, v);
    return VELO_OK;
}

/* ---- SUM / AVG of DOUBLE: Neumaier's compensated sum (the error does not grow with n) ---- */

typedef struct sum_f64_state {
    double sum;
    double comp; /* running compensation: the low-order bits the sum lost */
    int64_t n;
} sum_f64_state;

static inline void neumaier_add(sum_f64_state *s, double x) {
    double t = s->sum + x;
    if (fabs(s->sum) >= fabs(x))
        s->comp += (s->sum - t) + x;
    else
        s->comp += (x - t) + s->sum;
    s->sum = t;
}
static double neumaier_value(const sum_f64_state *s) {
    return isfinite(s->sum) ? s->sum + s->comp : s->sum; /* Inf/NaN: the compensation is meaningless */
}

static velo_status sum_f64_update(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                  const uint32_t *rows, uint32_t n, velo_error *err) {
    const double *x = VELO_VEC(&args[0], double);
    ROWS_LOOP(&args[0], {
        sum_f64_state *s = states[k];
        neumaier_add(s, x[r]);
        s->n++;
    })
    return VELO_OK;
}
static velo_status sum_f64_retract(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                   const uint32_t *rows, uint32_t n, velo_error *err) {
    const double *x = VELO_VEC(&args[0], double);
    ROWS_LOOP(&args[0], {
        sum_f64_state *s = states[k];
        neumaier_add(s, -x[r]);
        if (--s->n == 0) s->sum = s->comp = 0; /* an empty frame starts exactly from zero again */
    })
    return VELO_OK;
}
static velo_status sum_f64_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    sum_f64_state *a = dst;
    const sum_f64_state *b = src;
    neumaier_add(a, b->sum);
    a->comp += b->comp;
    a->n += b->n;
    return VELO_OK;
}
static velo_status sum_f64_finalize(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                                    velo_arena *arena, velo_error *err) {
    const sum_f64_state *s = state;
    if (s->n == 0)
        velo_vector_set_null(out, row);
    else
        put_f64(out, row, neumaier_value(s));
    return VELO_OK;
}
static velo_status avg_f64_finalize(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                                    velo_arena *arena, velo_error *err) {
    const sum_f64_state *s = state;
    if (s->n == 0)
        velo_vector_set_null(out, row);
    else
        put_f64(out, row, neumaier_value(s) / (double)s->n);
    return VELO_OK;
}

/* ---- one-value slots: MIN, MAX, FIRST_VALUE, LAST_VALUE ---- */

typedef struct slot_state {
    union {
        int64_t i64; /* BIGINT, TIMESTAMP */
        double f64;
        int32_t date;
        uint8_t b;
        unsigned char raw[16]; /* DECIMAL (velo_i128), INTERVAL */
        struct {
            char *ptr; /* heap copy owned by the state: outlives the input batch */
            uint32_t len, cap;
        } str;
    } v;
    uint8_t has;     /* a value (MIN/MAX) or a row (FIRST/LAST) has been taken */
    uint8_t is_null; /* FIRST/LAST: the taken row was NULL */
} slot_state;

static bool is_text(velo_type t) { return t.id == VELO_TYPE_VARCHAR || t.id == VELO_TYPE_BYTES; }

static void slot_destroy(const velo_agg_desc *d, void *state) {
    slot_state *s = state;
    if (is_text(d->args[0])) free(s->v.str.ptr);
    memset(s, 0, sizeof *s);
}

/* Copies a string into the slot's heap buffer (reused while it is large enough). */
static bool slot_set_str(slot_state *s, const char *p, uint32_t len) {
    void *buf = s->v.str.ptr;
    if (!grow(&buf, &s->v.str.cap, len ? len : 1, 1)) return false;
    s->v.str.ptr = buf;
    if (len) memcpy(s->v.str.ptr, p, len);
    s->v.str.len = len;
    return true;
}

static int str_cmp(const char *a, uint32_t la, const char *b, uint32_t lb) {
    uint32_t m = la < lb ? la : lb;
    int c = m ? memcmp(a, b, m) : 0;
    return c ? c : (la > lb) - (la < lb);
}
/* NaN sorts above every number (as in PostgreSQL), so MIN/MAX/MEDIAN are deterministic with NaN. */
static inline int f64_cmp(double a, double b) {
    if (isnan(a) || isnan(b)) return isnan(a) - isnan(b);
    return (a > b) - (a < b);
}
#define NUM_CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* Order of two slot values of type t (both present). */
static int slot_cmp(velo_type t, const slot_state *a, const slot_state *b) {
    switch (t.id) {
    case VELO_TYPE_BOOLEAN: return NUM_CMP(a->v.b, b->v.b);
    case VELO_TYPE_BIGINT:
    case VELO_TYPE_TIMESTAMP: return NUM_CMP(a->v.i64, b->v.i64);
    case VELO_TYPE_DATE: return NUM_CMP(a->v.date, b->v.date);
    case VELO_TYPE_DOUBLE: return f64_cmp(a->v.f64, b->v.f64);
    case VELO_TYPE_DECIMAL: return NUM_CMP(ld128(a->v.raw), ld128(b->v.raw));
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: return str_cmp(a->v.str.ptr, a->v.str.len, b->v.str.ptr, b->v.str.len);
    default: return 0;
    }
}

/* dst's value = src's value (strings copied). */
static bool slot_copy(velo_type t, slot_state *dst, const slot_state *src) {
    dst->has = src->has;
    dst->is_null = src->is_null;
    if (is_text(t)) return src->is_null || slot_set_str(dst, src->v.str.ptr, src->v.str.len);
    memcpy(&dst->v, &src->v, sizeof dst->v);
    return true;
}

/* Takes row r of vector v into the slot (FIRST/LAST): any type, NULL included. */
static bool slot_take_row(velo_type t, slot_state *s, const velo_vector *v, uint32_t r) {
    s->has = 1;
    s->is_null = !velo_vector_is_valid(v, r);
    if (s->is_null) return true;
    if (is_text(t)) {
        velo_str x = VELO_VEC(v, velo_str)[r];
        return slot_set_str(s, x.ptr, x.len);
    }
    uint32_t w = velo_type_width(t);
    memcpy(s->v.raw, (const char *)v->data + (size_t)r * w, w);
    return true;
}

static velo_status slot_finalize(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                                 velo_arena *arena, velo_error *err) {
    const slot_state *s = state;
    if (!s->has || s->is_null) {
        velo_vector_set_null(out, row);
        return VELO_OK;
    }
    if (is_text(d->result)) return put_str(out, row, s->v.str.ptr, s->v.str.len, arena, err, d->name);
    uint32_t w = velo_type_width(d->result);
    memcpy((char *)out->data + (size_t)row * w, s->v.raw, w);
    velo_vector_set_valid(out, row);
    return VELO_OK;
}

/* MIN and MAX loops per physical type; `sign` is 1 for MAX, -1 for MIN (x wins when sign*cmp > 0). */
#define MINMAX_FIXED(fname, T, field, CMP, sign)                                                             \
    static velo_status fname(const velo_agg_desc *d, void *const *states, const velo_vector *args,           \
                             const uint32_t *rows, uint32_t n, velo_error *err) {                            \
        const T *x = VELO_VEC(&args[0], T);                                                                  \
        ROWS_LOOP(&args[0], {                                                                                \
            slot_state *s = states[k];                                                                       \
            if (!s->has || (sign)*CMP(x[r], s->v.field) > 0) {                                               \
                s->v.field = x[r];                                                                           \
                s->has = 1;                                                                                  \
            }                                                                                                \
        })                                                                                                   \
        return VELO_OK;                                                                                      \
    }
MINMAX_FIXED(min_i64_update, int64_t, i64, NUM_CMP, -1)
MINMAX_FIXED(max_i64_update, int64_t, i64, NUM_CMP, 1)
MINMAX_FIXED(min_f64_update, double, f64, f64_cmp, -1)
MINMAX_FIXED(max_f64_update, double, f64, f64_cmp, 1)
MINMAX_FIXED(min_date_update, int32_t, date, NUM_CMP, -1)
MINMAX_FIXED(max_date_update, int32_t, date, NUM_CMP, 1)
MINMAX_FIXED(min_bool_update, uint8_t, b, NUM_CMP, -1)
MINMAX_FIXED(max_bool_update, uint8_t, b, NUM_CMP, 1)

#define MINMAX_DEC(fname, sign)                                                                              \
    static velo_status fname(const velo_agg_desc *d, void *const *states, const velo_vector *args,           \
                             const uint32_t *rows, uint32_t n, velo_error *err) {                            \
        const velo_i128 *x = VELO_VEC(&args[0], velo_i128);                                                  \
        ROWS_LOOP(&args[0], {                                                                                \
            slot_state *s = states[k];                                                                       \
            if (!s->has || (sign)*NUM_CMP(x[r], ld128(s->v.raw)) > 0) {                                      \
                st128(s->v.raw, x[r]);                                                                       \
                s->has = 1;                                                                                  \
            }                                                                                                \
        })                                                                                                   \
        return VELO_OK;                                                                                      \
    }
MINMAX_DEC(min_dec_update, -1)
MINMAX_DEC(max_dec_update, 1)

#define MINMAX_STR(fname, sign)                                                                              \
    static velo_status fname(const velo_agg_desc *d, void *const *states, const velo_vector *args,           \
                             const uint32_t *rows, uint32_t n, velo_error *err) {                            \
        const velo_str *x = VELO_VEC(&args[0], velo_str);                                                    \
        ROWS_LOOP(&args[0], {                                                                                \
            slot_state *s = states[k];                                                                       \
            if (!s->has || (sign)*str_cmp(x[r].ptr, x[r].len, s->v.str.ptr, s->v.str.len) > 0) {             \
                if (!slot_set_str(s, x[r].ptr, x[r].len)) return nomem(err, d->name);                        \
                s->has = 1;                                                                                  \
            }                                                                                                \
        })                                                                                                   \
        return VELO_OK;                                                                                      \
    }
MINMAX_STR(min_str_update, -1)
MINMAX_STR(max_str_update, 1)

static velo_status minmax_merge(const velo_agg_desc *d, void *dst, const void *src, int sign,
                                velo_error *err) {
    slot_state *a = dst;
    const slot_state *b = src;
    if (!b->has) return VELO_OK;
    if (!a->has || sign * slot_cmp(d->args[0], b, a) > 0)
        if (!slot_copy(d->args[0], a, b)) return nomem(err, d->name);
    return VELO_OK;
}
static velo_status min_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    return minmax_merge(d, dst, src, -1, err);
}
static velo_status max_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    return minmax_merge(d, dst, src, 1, err);
}

/* FIRST_VALUE / LAST_VALUE take rows in update order, NULL included (a NULL first row makes
 * FIRST_VALUE NULL). */
static velo_status first_update(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                const uint32_t *rows, uint32_t n, velo_error *err) {
    for (uint32_t k = 0; k < n; k++) {
        slot_state *s = states[k];
        if (!s->has && !slot_take_row(d->args[0], s, &args[0], rows[k])) return nomem(err, d->name);
    }
    return VELO_OK;
}
static velo_status last_update(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                               const uint32_t *rows, uint32_t n, velo_error *err) {
    for (uint32_t k = 0; k < n; k++)
        if (!slot_take_row(d->args[0], states[k], &args[0], rows[k])) return nomem(err, d->name);
    return VELO_OK;
}
/* Merge assumes dst's rows precede src's: dst keeps its first row, and takes src's last. */
static velo_status first_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    slot_state *a = dst;
    const slot_state *b = src;
    if (!a->has && b->has && !slot_copy(d->args[0], a, b)) return nomem(err, d->name);
    return VELO_OK;
}
static velo_status last_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    slot_state *a = dst;
    const slot_state *b = src;
    if (b->has && !slot_copy(d->args[0], a, b)) return nomem(err, d->name);
    return VELO_OK;
}

/* ---- variance family: Welford's running mean and M2 (no cancellation on large values) ---- */

typedef struct moments_state {
    int64_t n;
    double mean;
    double m2; /* sum of squared deviations from the mean */
} moments_state;

static const double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* DECIMAL to DOUBLE, correctly rounded: one exact division when both operands are exact doubles,
 * else through the canonical text. */
static inline double dec_to_f64(velo_i128 v, uint8_t scale) {
    const velo_i128 lim = (velo_i128)1 << 53;
    if (scale <= 22 && v < lim && v > -lim) return (double)(int64_t)v / exact_pow10[scale];
    return velo_decimal_to_double(v, scale);
}

static inline void welford_add(moments_state *s, double x) {
    s->n++;
    double delta = x - s->mean;
    s->mean += delta / (double)s->n;
    s->m2 += delta * (x - s->mean);
}
static inline void welford_remove(moments_state *s, double x) {
    if (s->n <= 1) {
        s->n = 0, s->mean = 0, s->m2 = 0;
        return;
    }
    double mean_before = s->mean;
    s->n--;
    s->mean -= (x - s->mean) / (double)s->n;
    s->m2 -= (x - mean_before) * (x - s->mean);
    if (s->m2 < 0) s->m2 = 0; /* rounding may leave a tiny negative */
}

#define MOMENTS_LOOP(fname, T, CONV, OP)                                                                     \
    static velo_status fname(const velo_agg_desc *d, void *const *states, const velo_vector *args,           \
                             const uint32_t *rows, uint32_t n, velo_error *err) {                            \
        const T *x = VELO_VEC(&args[0], T);                                                                  \
        uint8_t scale = d->args[0].scale;                                                                    \
        (void)scale;                                                                                         \
        ROWS_LOOP(&args[0], OP(states[k], CONV(x[r]));)                                                      \
        return VELO_OK;                                                                                      \
    }
#define CONV_I64(v) ((double)(v))
#define CONV_F64(v) (v)
#define CONV_DEC(v) dec_to_f64((v), scale)
MOMENTS_LOOP(moments_i64_update, int64_t, CONV_I64, welford_add)
MOMENTS_LOOP(moments_f64_update, double, CONV_F64, welford_add)
MOMENTS_LOOP(moments_dec_update, velo_i128, CONV_DEC, welford_add)
MOMENTS_LOOP(moments_i64_retract, int64_t, CONV_I64, welford_remove)
MOMENTS_LOOP(moments_f64_retract, double, CONV_F64, welford_remove)
MOMENTS_LOOP(moments_dec_retract, velo_i128, CONV_DEC, welford_remove)

/* Chan, Golub and LeVeque's pairwise combination of two (n, mean, M2) summaries. */
static velo_status moments_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    moments_state *a = dst;
    const moments_state *b = src;
    if (b->n == 0) return VELO_OK;
    if (a->n == 0) {
        *a = *b;
        return VELO_OK;
    }
    double na = (double)a->n, nb = (double)b->n, nt = na + nb;
    double delta = b->mean - a->mean;
    a->mean += delta * nb / nt;
    a->m2 += b->m2 + delta * delta * na * nb / nt;
    a->n += b->n;
    return VELO_OK;
}

static velo_status moments_finish(const void *state, bool sample, bool root, velo_vector *out, uint32_t row) {
    const moments_state *s = state;
    if (s->n < (sample ? 2 : 1)) {
        velo_vector_set_null(out, row);
        return VELO_OK;
    }
    double var = s->m2 / (double)(sample ? s->n - 1 : s->n);
    put_f64(out, row, root ? sqrt(var) : var);
    return VELO_OK;
}
static velo_status var_samp_finalize(const velo_agg_desc *d, const void *state, velo_vector *out,
                                     uint32_t row, velo_arena *arena, velo_error *err) {
    return moments_finish(state, true, false, out, row);
}
static velo_status var_pop_finalize(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                                    velo_arena *arena, velo_error *err) {
    return moments_finish(state, false, false, out, row);
}
static velo_status stddev_samp_finalize(const velo_agg_desc *d, const void *state, velo_vector *out,
                                        uint32_t row, velo_arena *arena, velo_error *err) {
    return moments_finish(state, true, true, out, row);
}
static velo_status stddev_pop_finalize(const velo_agg_desc *d, const void *state, velo_vector *out,
                                       uint32_t row, velo_arena *arena, velo_error *err) {
    return moments_finish(state, false, true, out, row);
}

/* ---- MEDIAN / PERCENTILE_CONT: every value kept (exact), sorted at finalize ---- */

typedef struct values_state {
    void *vals; /* int64_t, double or velo_i128 (as 16 bytes) per value, heap */
    uint32_t n, cap;
} values_state;

static void values_destroy(const velo_agg_desc *d, void *state) {
    values_state *s = state;
    free(s->vals);
    memset(s, 0, sizeof *s);
}

static velo_status values_update(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                 const uint32_t *rows, uint32_t n, velo_error *err) {
    uint32_t w = velo_type_width(d->args[0]);
    const char *x = args[0].data;
    ROWS_LOOP(&args[0], {
        values_state *s = states[k];
        if (!grow(&s->vals, &s->cap, s->n + 1, w)) return nomem(err, d->name);
        memcpy((char *)s->vals + (size_t)s->n * w, x + (size_t)r * w, w);
        s->n++;
    })
    return VELO_OK;
}
static velo_status values_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    values_state *a = dst;
    const values_state *b = src;
    uint32_t w = velo_type_width(d->args[0]);
    if (!b->n) return VELO_OK;
    if (!grow(&a->vals, &a->cap, a->n + b->n, w)) return nomem(err, d->name);
    memcpy((char *)a->vals + (size_t)a->n * w, b->vals, (size_t)b->n * w);
    a->n += b->n;
    return VELO_OK;
}

static int qcmp_i64(const void *a, const void *b) {
    return NUM_CMP(*(const int64_t *)a, *(const int64_t *)b);
}
static int qcmp_f64(const void *a, const void *b) { return f64_cmp(*(const double *)a, *(const double *)b); }
static int qcmp_dec(const void *a, const void *b) { return NUM_CMP(ld128(a), ld128(b)); }

/* frac * diff at the result's scale, both >= 0 (so half away from zero rounds up). */
static velo_status scaled_part(const velo_agg_desc *d, velo_i128 frac, int fs, velo_i128 diff, velo_i128 *out,
                               velo_error *err) {
    uint8_t P = VELO_DECIMAL_MAX_PRECISION;
    return velo_decimal_arith(VELO_DEC_MUL, (velo_decimal){frac, (uint8_t)fs, (uint8_t)fs},
                              (velo_decimal){diff, P, d->args[0].scale}, P, d->result.scale, out, err);
}

/* True when frac * diff (scales fs and s, both >= 0) lies exactly halfway between two multiples of
 * 10^-rs: its digits past rs are 5000... Computed as (frac * diff) mod 10^k by doubling, since
 * k = fs + s - rs <= 27 keeps every step below 2^91. */
static bool is_tie(velo_i128 frac, int fs, velo_i128 diff, int s, int rs) {
    int k = fs + s - rs;
    if (k <= 0) return false;
    unsigned __int128 m = (unsigned __int128)velo_decimal_pow10(k), a = (unsigned __int128)frac % m,
                      b = (unsigned __int128)diff, r = 0;
    for (; b; b >>= 1) {
        if (b & 1) r = r + a >= m ? r + a - m : r + a;
        a = a + a >= m ? a + a - m : a + a;
    }
    return r == m / 2;
}

/* Linear interpolation between the two values around position f * (n - 1), exactly: the fraction
 * is taken as the shortest decimal that round-trips it (0.9 is 9/10), and the result e is rounded
 * once, half away from zero, to the result's scale. A = vlo + up(frac * diff) is e rounded half up;
 * when frac * diff does not fit, B = vhi - up((1 - frac) * diff) is e rounded half down. The two
 * differ from half away from zero only on an exact tie, which is_tie detects. */
static velo_status percentile_dec(const velo_agg_desc *d, const unsigned char *sorted, uint32_t n,
                                  velo_i128 *out, velo_error *err) {
    const int fs = 27; /* fraction scale: f * (n - 1) < 2^32 still fits 38 digits */
    velo_i128 f;
    velo_status st = velo_decimal_from_double(d->percentile, 28, (uint8_t)fs, &f, err);
    if (st) return st;
    velo_i128 pos = f * (velo_i128)(n - 1), one = velo_decimal_pow10(fs);
    uint32_t lo = (uint32_t)(pos / one);
    velo_i128 frac = pos % one;
    uint8_t s = d->args[0].scale, P = VELO_DECIMAL_MAX_PRECISION, rs = d->result.scale,
            rp = d->result.precision;
    velo_i128 vlo = ld128(sorted + (size_t)lo * 16);
    if (frac == 0) return velo_decimal_rescale(vlo, s, rp, rs, out, err);
    velo_i128 vhi = ld128(sorted + (size_t)(lo + 1) * 16), diff, part;
    st = velo_decimal_arith(VELO_DEC_SUB, (velo_decimal){vhi, P, s}, (velo_decimal){vlo, P, s}, P, s, &diff,
                            err);
    if (st) return st;
    bool tie = is_tie(frac, fs, diff, s, rs);
    velo_i128 unit = 1;
    if (scaled_part(d, frac, fs, diff, &part, err) == VELO_OK) {
        st = velo_decimal_arith(VELO_DEC_ADD, (velo_decimal){vlo, P, s}, (velo_decimal){part, P, rs}, P, rs,
                                out, err);
        if (!st && tie && *out <= 0) *out -= unit; /* e < 0 on a tie: away from zero is down */
    } else {
        st = scaled_part(d, one - frac, fs, diff, &part, err);
        if (!st)
            st = velo_decimal_arith(VELO_DEC_SUB, (velo_decimal){vhi, P, s}, (velo_decimal){part, P, rs}, P,
                                    rs, out, err);
        if (!st && tie && *out >= 0) *out += unit; /* e > 0 on a tie: away from zero is up */
    }
    if (!st) st = velo_decimal_rescale(*out, rs, rp, rs, out, err); /* checks the result's precision */
    return st;
}

static long double percentile_at(const void *sorted, bool is_int, uint32_t i) {
    return is_int ? (long double)((const int64_t *)sorted)[i] : (long double)((const double *)sorted)[i];
}

static velo_status values_finalize(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                                   velo_arena *arena, velo_error *err) {
    const values_state *s = state;
    if (s->n == 0) {
        velo_vector_set_null(out, row);
        return VELO_OK;
    }
    /* finalize leaves the state as it was (it may be called again as a window frame grows): sort a copy */
    uint32_t w = velo_type_width(d->args[0]);
    void *sorted = malloc((size_t)s->n * w);
    if (!sorted) return nomem(err, d->name);
    memcpy(sorted, s->vals, (size_t)s->n * w);
    velo_type_id t = d->args[0].id;
    qsort(sorted, s->n, w, t == VELO_TYPE_DECIMAL ? qcmp_dec : t == VELO_TYPE_DOUBLE ? qcmp_f64 : qcmp_i64);
    velo_status st = VELO_OK;
    if (t == VELO_TYPE_DECIMAL) {
        velo_i128 v;
        st = percentile_dec(d, sorted, s->n, &v, err);
        if (!st) put_dec(out, row, v);
    } else {
        long double pos = (long double)d->percentile * (long double)(s->n - 1);
        uint32_t lo = (uint32_t)floorl(pos);
        long double frac = pos - lo, vlo = percentile_at(sorted, t == VELO_TYPE_BIGINT, lo);
        long double v =
            frac == 0 ? vlo : vlo + frac * (percentile_at(sorted, t == VELO_TYPE_BIGINT, lo + 1) - vlo);
        put_f64(out, row, (double)v);
    }
    free(sorted);
    return st;
}

/* ---- value keys: canonical bytes of a value, and their 64-bit hash ---- */

/* Canonical bytes of row r: equal values give equal bytes (-0.0 is 0.0, every NaN one NaN;
 * DECIMAL values of one column share a scale, so the unscaled integer is canonical). Fixed-width
 * keys go into buf; strings point into the vector. */
static uint32_t key_of(velo_type t, const velo_vector *v, uint32_t r, unsigned char buf[16],
                       const void **key) {
    *key = buf;
    switch (t.id) {
    case VELO_TYPE_DOUBLE: {
        double x = VELO_VEC(v, double)[r];
        if (x == 0) x = 0;
        if (isnan(x)) x = NAN;
        memcpy(buf, &x, 8);
        return 8;
    }
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: {
        velo_str s = VELO_VEC(v, velo_str)[r];
        *key = s.ptr;
        return s.len;
    }
    default: {
        uint32_t w = velo_type_width(t);
        memcpy(buf, (const char *)v->data + (size_t)r * w, w);
        return w;
    }
    }
}

/* MurmurHash64A over the bytes, then a splitmix64 finaliser so every output bit depends on every
 * input bit (HyperLogLog reads the top 12 bits for the register and the rest for the rank). */
static uint64_t hash_bytes(const void *p, uint32_t len) {
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    const unsigned char *d = p;
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)len * m);
    for (; len >= 8; d += 8, len -= 8) {
        uint64_t k;
        memcpy(&k, d, 8);
        k *= m, k ^= k >> 47, k *= m;
        h ^= k, h *= m;
    }
    if (len) {
        uint64_t k = 0;
        memcpy(&k, d, len);
        h ^= k, h *= m;
    }
    h ^= h >> 33, h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33, h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

/* ---- DISTINCT: an open-addressing hash set of canonical bytes ---- */

typedef struct dset_entry {
    uint64_t hash;
    uint32_t len;
    uint32_t used;
    union {
        unsigned char inl[16]; /* keys up to 16 bytes (every fixed-width type) */
        char *heap;            /* longer strings */
    } k;
} dset_entry;

typedef struct dset {
    dset_entry *slots;
    uint32_t cap, count; /* cap a power of two; count <= 0.7 cap */
} dset;

typedef struct distinct_state {
    dset *set; /* NULL until the first value */
} distinct_state;

static const unsigned char *entry_key(const dset_entry *e) {
    return e->len <= 16 ? e->k.inl : (const unsigned char *)e->k.heap;
}

static void dset_free(dset *s) {
    if (!s) return;
    for (uint32_t i = 0; i < s->cap; i++)
        if (s->slots[i].used && s->slots[i].len > 16) free(s->slots[i].k.heap);
    free(s->slots);
    free(s);
}

static dset_entry *dset_find(const dset *s, uint64_t h, const void *key, uint32_t len) {
    for (uint32_t i = (uint32_t)h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        dset_entry *e = &s->slots[i];
        if (!e->used || (e->hash == h && e->len == len && (!len || !memcmp(entry_key(e), key, len))))
            return e;
    }
}

static bool dset_grow(dset *s) {
    uint32_t cap = s->cap ? s->cap * 2 : 16;
    dset_entry *old = s->slots;
    uint32_t oldcap = s->cap;
    s->slots = calloc(cap, sizeof *s->slots);
    if (!s->slots) {
        s->slots = old;
        return false;
    }
    s->cap = cap;
    for (uint32_t i = 0; i < oldcap; i++)
        if (old[i].used) *dset_find(s, old[i].hash, entry_key(&old[i]), old[i].len) = old[i];
    free(old);
    return true;
}

/* Adds a key (copied); false when out of memory. */
static bool dset_add(distinct_state *st, const void *key, uint32_t len, uint64_t h) {
    dset *s = st->set;
    if (!s && !(s = st->set = calloc(1, sizeof *s))) return false;
    if ((uint64_t)(s->count + 1) * 10 > (uint64_t)s->cap * 7 && !dset_grow(s)) return false;
    dset_entry *e = dset_find(s, h, key, len);
    if (e->used) return true;
    e->hash = h;
    e->len = len;
    if (len > 16) {
        if (!(e->k.heap = malloc(len))) return false;
        memcpy(e->k.heap, key, len);
    } else if (len) {
        memcpy(e->k.inl, key, len);
    }
    e->used = 1;
    s->count++;
    return true;
}

static void distinct_destroy(const velo_agg_desc *d, void *state) {
    distinct_state *s = state;
    dset_free(s->set);
    s->set = NULL;
}

static velo_status distinct_update(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                                   const uint32_t *rows, uint32_t n, velo_error *err) {
    unsigned char buf[16];
    const void *key;
    ROWS_LOOP(&args[0], {
        uint32_t len = key_of(d->args[0], &args[0], r, buf, &key);
        if (!dset_add(states[k], key, len, hash_bytes(key, len))) return nomem(err, d->name);
    })
    return VELO_OK;
}
static velo_status distinct_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    const dset *b = ((const distinct_state *)src)->set;
    for (uint32_t i = 0; b && i < b->cap; i++) {
        const dset_entry *e = &b->slots[i];
        if (e->used && !dset_add(dst, entry_key(e), e->len, e->hash)) return nomem(err, d->name);
    }
    return VELO_OK;
}
static velo_status count_distinct_finalize(const velo_agg_desc *d, const void *state, velo_vector *out,
                                           uint32_t row, velo_arena *arena, velo_error *err) {
    const dset *s = ((const distinct_state *)state)->set;
    put_i64(out, row, s ? s->count : 0);
    return VELO_OK;
}

/* SUM/AVG(DISTINCT x): folds the set's values into the plain accumulator, then finalizes it. */
static velo_status sum_distinct_finalize(const velo_agg_desc *d, const void *state, velo_vector *out,
                                         uint32_t row, velo_arena *arena, velo_error *err) {
    const dset *s = ((const distinct_state *)state)->set;
    bool avg = !strcmp(d->name, "AVG");
    union {
        sum_i64_state i;
        sum128_state q;
        sum_f64_state f;
    } acc;
    memset(&acc, 0, sizeof acc);
    velo_type_id t = d->args[0].id;
    for (uint32_t i = 0; s && i < s->cap; i++) {
        const dset_entry *e = &s->slots[i];
        if (!e->used) continue;
        if (t == VELO_TYPE_DECIMAL) {
            velo_status st = sum_dec_add(d, &acc.q, ld128(e->k.inl), err);
            if (st) return st;
        } else if (t == VELO_TYPE_DOUBLE) {
            double x;
            memcpy(&x, e->k.inl, 8);
            neumaier_add(&acc.f, x);
            acc.f.n++;
        } else {
            int64_t x;
            memcpy(&x, e->k.inl, 8);
            if (avg) {
                st128(acc.q.sum, ld128(acc.q.sum) + x);
                acc.q.n++;
            } else {
                velo_status st = sum_i64_add(d, &acc.i, x, err);
                if (st) return st;
            }
        }
    }
    if (t == VELO_TYPE_DECIMAL)
        return (avg ? avg_dec_finalize : sum_dec_finalize)(d, &acc, out, row, arena, err);
    if (t == VELO_TYPE_DOUBLE)
        return (avg ? avg_f64_finalize : sum_f64_finalize)(d, &acc, out, row, arena, err);
    return (avg ? avg_i64_finalize : sum_i64_finalize)(d, &acc, out, row, arena, err);
}

/* ---- APPROX_COUNT_DISTINCT: HyperLogLog, 2^12 one-byte registers ----
 * Written here rather than taken from a library: no Debian-packaged C library provides HLL, and
 * the algorithm is ~40 lines. Relative standard error 1.04 / sqrt(4096) ~ 1.6%. */

#define HLL_BITS 12
#define HLL_REGS (1u << HLL_BITS)

typedef struct hll_state {
    uint8_t *regs; /* HLL_REGS registers, allocated at the first value */
} hll_state;

bool velo_agg_state_flat(const velo_agg_desc *d) {
    if (!d->merge || d->distinct) return false;
    if (!d->destroy) return true;
    /* MIN/MAX/FIRST/LAST keep fixed-width values inline; only text has a heap copy */
    return d->destroy == slot_destroy && d->nargs == 1 && !is_text(d->args[0]);
}

double velo_approx_count_distinct_error(void) { return 1.04 / sqrt((double)HLL_REGS); }

static void hll_destroy(const velo_agg_desc *d, void *state) {
    hll_state *s = state;
    free(s->regs);
    s->regs = NULL;
}

static inline void hll_add(uint8_t *regs, uint64_t h) {
    uint32_t idx = (uint32_t)(h >> (64 - HLL_BITS));
    uint64_t rest = h << HLL_BITS;
    uint8_t rank = rest ? (uint8_t)(__builtin_clzll(rest) + 1) : (uint8_t)(64 - HLL_BITS + 1);
    if (rank > regs[idx]) regs[idx] = rank;
}

static velo_status hll_update(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                              const uint32_t *rows, uint32_t n, velo_error *err) {
    unsigned char buf[16];
    const void *key;
    ROWS_LOOP(&args[0], {
        hll_state *s = states[k];
        if (!s->regs && !(s->regs = calloc(HLL_REGS, 1))) return nomem(err, d->name);
        uint32_t len = key_of(d->args[0], &args[0], r, buf, &key);
        hll_add(s->regs, hash_bytes(key, len));
    })
    return VELO_OK;
}
static velo_status hll_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    hll_state *a = dst;
    const hll_state *b = src;
    if (!b->regs) return VELO_OK;
    if (!a->regs && !(a->regs = calloc(HLL_REGS, 1))) return nomem(err, d->name);
    for (uint32_t i = 0; i < HLL_REGS; i++)
        if (b->regs[i] > a->regs[i]) a->regs[i] = b->regs[i];
    return VELO_OK;
}
/* Flajolet et al.'s estimate, with linear counting while many registers are still empty. A 64-bit
 * hash needs no large-range correction. */
static velo_status hll_finalize(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                                velo_arena *arena, velo_error *err) {
    const hll_state *s = state;
    if (!s->regs) {
        put_i64(out, row, 0);
        return VELO_OK;
    }
    const double m = HLL_REGS, alpha = 0.7213 / (1.0 + 1.079 / m);
    double sum = 0;
    uint32_t zeros = 0;
    for (uint32_t i = 0; i < HLL_REGS; i++) {
        sum += ldexp(1.0, -s->regs[i]);
        zeros += s->regs[i] == 0;
    }
    double e = alpha * m * m / sum;
    if (e <= 2.5 * m && zeros) e = m * log(m / zeros);
    put_i64(out, row, (int64_t)llround(e));
    return VELO_OK;
}

/* ---- STRING_AGG / LISTAGG: values joined by the constant separator, in update order ---- */

typedef struct text_state {
    char *buf; /* heap */
    uint32_t len, cap;
    uint8_t has; /* at least one value (an empty string counts) */
} text_state;

static void text_destroy(const velo_agg_desc *d, void *state) {
    text_state *s = state;
    free(s->buf);
    memset(s, 0, sizeof *s);
}

static bool text_append(text_state *s, const char *sep, uint32_t seplen, const char *p, uint32_t len) {
    uint32_t add = (s->has ? seplen : 0) + len;
    void *buf = s->buf;
    if ((uint64_t)s->len + add > UINT32_MAX || !grow(&buf, &s->cap, s->len + add, 1)) return false;
    s->buf = buf;
    if (s->has && seplen) memcpy(s->buf + s->len, sep, seplen), s->len += seplen;
    if (len) memcpy(s->buf + s->len, p, len), s->len += len;
    s->has = 1;
    return true;
}

static velo_status text_update(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                               const uint32_t *rows, uint32_t n, velo_error *err) {
    const velo_str *x = VELO_VEC(&args[0], velo_str);
    uint32_t seplen = (uint32_t)strlen(d->separator);
    ROWS_LOOP(&args[0], {
        if (!text_append(states[k], d->separator, seplen, x[r].ptr, x[r].len)) return nomem(err, d->name);
    })
    return VELO_OK;
}
static velo_status text_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    const text_state *b = src;
    if (b->has && !text_append(dst, d->separator, (uint32_t)strlen(d->separator), b->buf, b->len))
        return nomem(err, d->name);
    return VELO_OK;
}
static velo_status text_finalize(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                                 velo_arena *arena, velo_error *err) {
    const text_state *s = state;
    if (!s->has) {
        velo_vector_set_null(out, row);
        return VELO_OK;
    }
    return put_str(out, row, s->buf, s->len, arena, err, d->name);
}

/* ---- a NULL-typed argument (SUM(NULL)): every row is NULL, the result too ---- */

static velo_status null_update(const velo_agg_desc *d, void *const *states, const velo_vector *args,
                               const uint32_t *rows, uint32_t n, velo_error *err) {
    return VELO_OK;
}
static velo_status null_merge(const velo_agg_desc *d, void *dst, const void *src, velo_error *err) {
    return VELO_OK;
}
static velo_status null_finalize(const velo_agg_desc *d, const void *state, velo_vector *out, uint32_t row,
                                 velo_arena *arena, velo_error *err) {
    velo_vector_set_null(out, row);
    return VELO_OK;
}

/* ---- building descriptors ---- */

typedef velo_status (*update_fn)(const velo_agg_desc *, void *const *, const velo_vector *, const uint32_t *,
                                 uint32_t, velo_error *);
typedef velo_status (*merge_fn)(const velo_agg_desc *, void *, const void *, velo_error *);
typedef velo_status (*finalize_fn)(const velo_agg_desc *, const void *, velo_vector *, uint32_t, velo_arena *,
                                   velo_error *);

static void set_ops(velo_agg_desc *d, uint32_t size, update_fn update, update_fn retract, merge_fn merge,
                    finalize_fn finalize, void (*destroy)(const velo_agg_desc *, void *)) {
    d->state_size = (uint32_t)((size + 7) & ~7u);
    d->init = zero_init;
    d->update = update;
    d->retract = retract;
    d->merge = merge;
    d->finalize = finalize;
    d->destroy = destroy;
}

static velo_status unsupported(const char *name, velo_type t, velo_error *err) {
    char b[32];
    return velo_error_set(err, VELO_ERR_UNSUPPORTED, "%s(%s) is not supported yet", name,
                          velo_type_format(t, b, sizeof b));
}

static bool is_num(velo_type_id t) {
    return t == VELO_TYPE_BIGINT || t == VELO_TYPE_DOUBLE || t == VELO_TYPE_DECIMAL;
}

/* Result type ids the loops write; the exact type (DECIMAL scale) is the catalog's. */
static velo_status check_result(const velo_agg_desc *d, velo_type_id want, velo_error *err) {
    if (d->result.id == want) return VELO_OK;
    char a[32], b[32];
    return velo_error_set(err, VELO_ERR_INTERNAL, "%s(%s): result type %s does not match the catalog's",
                          d->name, velo_type_format(d->args[0], a, sizeof a),
                          velo_type_format(d->result, b, sizeof b));
}

static velo_status make_count(velo_agg_desc *d, velo_error *err) {
    if (d->nargs == 0) {
        set_ops(d, sizeof(count_state), count_star_update, count_star_retract, count_merge, count_finalize,
                NULL);
    } else if (d->distinct) {
        if (d->args[0].id >= VELO_TYPE_LIST) return unsupported("COUNT(DISTINCT)", d->args[0], err);
        set_ops(d, sizeof(distinct_state), distinct_update, NULL, distinct_merge, count_distinct_finalize,
                distinct_destroy);
    } else {
        set_ops(d, sizeof(count_state), count_update, count_retract, count_merge, count_finalize, NULL);
    }
    return check_result(d, VELO_TYPE_BIGINT, err);
}

static velo_status make_sum_avg(velo_agg_desc *d, bool avg, velo_error *err) {
    velo_type_id t = d->args[0].id;
    if (!is_num(t)) return unsupported(d->name, d->args[0], err);
    velo_type_id want = t == VELO_TYPE_DECIMAL ? VELO_TYPE_DECIMAL : avg ? VELO_TYPE_DOUBLE : t;
    if (d->distinct) {
        set_ops(d, sizeof(distinct_state), distinct_update, NULL, distinct_merge, sum_distinct_finalize,
                distinct_destroy);
    } else if (t == VELO_TYPE_BIGINT) {
        if (avg)
            set_ops(d, sizeof(sum128_state), avg_i64_update, avg_i64_retract, avg_i64_merge, avg_i64_finalize,
                    NULL);
        else
            set_ops(d, sizeof(sum_i64_state), sum_i64_update, sum_i64_retract, sum_i64_merge,
                    sum_i64_finalize, NULL);
    } else if (t == VELO_TYPE_DOUBLE) {
        set_ops(d, sizeof(sum_f64_state), sum_f64_update, sum_f64_retract, sum_f64_merge,
                avg ? avg_f64_finalize : sum_f64_finalize, NULL);
    } else {
        set_ops(d, sizeof(sum128_state), sum_dec_update, sum_dec_retract, sum_dec_merge,
                avg ? avg_dec_finalize : sum_dec_finalize, NULL);
    }
    return check_result(d, want, err);
}

static velo_status make_minmax(velo_agg_desc *d, bool max, velo_error *err) {
    update_fn u;
    switch (d->args[0].id) {
    case VELO_TYPE_BOOLEAN: u = max ? max_bool_update : min_bool_update; break;
    case VELO_TYPE_BIGINT:
    case VELO_TYPE_TIMESTAMP: u = max ? max_i64_update : min_i64_update; break;
    case VELO_TYPE_DATE: u = max ? max_date_update : min_date_update; break;
    case VELO_TYPE_DOUBLE: u = max ? max_f64_update : min_f64_update; break;
    case VELO_TYPE_DECIMAL: u = max ? max_dec_update : min_dec_update; break;
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: u = max ? max_str_update : min_str_update; break;
    default: return unsupported(d->name, d->args[0], err);
    }
    set_ops(d, sizeof(slot_state), u, NULL, max ? max_merge : min_merge, slot_finalize, slot_destroy);
    return check_result(d, d->args[0].id, err);
}

static velo_status make_first_last(velo_agg_desc *d, bool last, velo_error *err) {
    if (d->args[0].id >= VELO_TYPE_LIST) return unsupported(d->name, d->args[0], err);
    set_ops(d, sizeof(slot_state), last ? last_update : first_update, NULL, last ? last_merge : first_merge,
            slot_finalize, slot_destroy);
    return check_result(d, d->args[0].id, err);
}

static velo_status make_moments(velo_agg_desc *d, finalize_fn fin, velo_error *err) {
    switch (d->args[0].id) {
    case VELO_TYPE_BIGINT:
        set_ops(d, sizeof(moments_state), moments_i64_update, moments_i64_retract, moments_merge, fin, NULL);
        break;
    case VELO_TYPE_DOUBLE:
        set_ops(d, sizeof(moments_state), moments_f64_update, moments_f64_retract, moments_merge, fin, NULL);
        break;
    case VELO_TYPE_DECIMAL:
        set_ops(d, sizeof(moments_state), moments_dec_update, moments_dec_retract, moments_merge, fin, NULL);
        break;
    default: return unsupported(d->name, d->args[0], err);
    }
    return check_result(d, VELO_TYPE_DOUBLE, err);
}

/* The constant fraction of PERCENTILE_CONT (argument 2), a number in [0, 1]. */
static velo_status percentile_const(velo_agg_desc *d, const velo_value *consts, velo_error *err) {
    const velo_value *c = consts && d->nargs > 1 ? &consts[1] : NULL;
    double f = -1;
    if (c && !c->is_null) {
        switch (c->type.id) {
        case VELO_TYPE_BIGINT: f = (double)c->u.i64; break;
        case VELO_TYPE_DOUBLE: f = c->u.f64; break;
        case VELO_TYPE_DECIMAL: f = velo_decimal_to_double(c->u.dec, c->type.scale); break;
        default: break;
        }
    }
    if (!(f >= 0 && f <= 1))
        return velo_error_set(err, VELO_ERR_INVALID,
                              "PERCENTILE_CONT needs a constant fraction between 0 and 1, e.g. "
                              "PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY x)");
    d->percentile = f;
    return VELO_OK;
}

static velo_status make_percentile(velo_agg_desc *d, bool median, const velo_value *consts, velo_error *err) {
    velo_type_id t = d->args[0].id;
    if (!is_num(t)) return unsupported(d->name, d->args[0], err);
    if (!median) {
        velo_status st = percentile_const(d, consts, err);
        if (st) return st;
    }
    set_ops(d, sizeof(values_state), values_update, NULL, values_merge, values_finalize, values_destroy);
    return check_result(d, t == VELO_TYPE_DECIMAL ? VELO_TYPE_DECIMAL : VELO_TYPE_DOUBLE, err);
}

static velo_status make_string_agg(velo_agg_desc *d, const velo_value *consts, velo_error *err) {
    if (!is_text(d->args[0])) return unsupported(d->name, d->args[0], err);
    const velo_value *c = consts && d->nargs > 1 ? &consts[1] : NULL;
    if (!c || (!c->is_null && c->type.id != VELO_TYPE_VARCHAR))
        return velo_error_set(err, VELO_ERR_UNSUPPORTED,
                              "%s needs a constant VARCHAR separator, e.g. %s(x, ', ')", d->name, d->name);
    d->separator = c->is_null ? "" : c->u.str.ptr; /* a NULL separator joins with nothing */
    set_ops(d, sizeof(text_state), text_update, NULL, text_merge, text_finalize, text_destroy);
    return check_result(d, VELO_TYPE_VARCHAR, err);
}

velo_status velo_agg_desc_make(const char *name, const velo_type *args, uint32_t nargs, bool distinct,
                               velo_type result, const velo_value *consts, velo_agg_desc *d,
                               velo_error *err) {
    static const char *const names[] = {
        "COUNT",     "COUNT_DISTINCT", "APPROX_COUNT_DISTINCT", "SUM",        "AVG",      "MIN",
        "MAX",       "STDDEV",         "STDDEV_SAMP",           "STDDEV_POP", "VARIANCE", "VAR_SAMP",
        "VAR_POP",   "MEDIAN",         "PERCENTILE_CONT",       "STRING_AGG", "LISTAGG",  "FIRST_VALUE",
        "LAST_VALUE"};
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < sizeof names / sizeof *names && !d->name; i++)
        if (name && !strcasecmp(name, names[i])) d->name = names[i];
    if (!d->name) return velo_error_set(err, VELO_ERR_UNSUPPORTED, "aggregate %s is not supported", name);
    if (nargs > 2 || (nargs == 0 && strcmp(d->name, "COUNT")))
        return velo_error_set(err, VELO_ERR_INVALID, "%s: wrong number of arguments (%u)", d->name, nargs);
    for (uint32_t i = 0; i < nargs; i++)
        d->args[i] = args[i];
    d->nargs = nargs;
    d->result = result;
    d->percentile = 0.5;
    d->separator = "";
    const char *n = d->name;
    if (!strcmp(n, "COUNT_DISTINCT")) {
        d->name = "COUNT";
        distinct = true;
    }
    d->distinct = distinct;
    if (!strcmp(d->name, "COUNT")) return make_count(d, err);
    if (args[0].id == VELO_TYPE_NULL) { /* SUM(NULL), MIN(NULL)...: NULL, like an empty group */
        set_ops(d, 8, null_update, null_update, null_merge, null_finalize, NULL);
        return VELO_OK;
    }
    if (args[0].id == VELO_TYPE_ANY) return unsupported(n, args[0], err);
    if (!strcmp(n, "APPROX_COUNT_DISTINCT")) {
        set_ops(d, sizeof(hll_state), hll_update, NULL, hll_merge, hll_finalize, hll_destroy);
        return args[0].id >= VELO_TYPE_LIST ? unsupported(n, args[0], err)
                                            : check_result(d, VELO_TYPE_BIGINT, err);
    }
    bool distinct_ok = !strcmp(n, "SUM") || !strcmp(n, "AVG") || !strcmp(n, "MIN") || !strcmp(n, "MAX");
    if (distinct && !distinct_ok)
        return velo_error_set(err, VELO_ERR_UNSUPPORTED, "%s(DISTINCT x) is not supported yet", n);
    if (!strcmp(n, "SUM") || !strcmp(n, "AVG")) return make_sum_avg(d, n[0] == 'A', err);
    d->distinct = false; /* MIN/MAX(DISTINCT x) = MIN/MAX(x) */
    if (!strcmp(n, "MIN") || !strcmp(n, "MAX")) return make_minmax(d, n[1] == 'A', err);
    if (!strcmp(n, "FIRST_VALUE") || !strcmp(n, "LAST_VALUE")) return make_first_last(d, n[0] == 'L', err);
    if (!strcmp(n, "STDDEV") || !strcmp(n, "STDDEV_SAMP")) return make_moments(d, stddev_samp_finalize, err);
    if (!strcmp(n, "STDDEV_POP")) return make_moments(d, stddev_pop_finalize, err);
    if (!strcmp(n, "VARIANCE") || !strcmp(n, "VAR_SAMP")) return make_moments(d, var_samp_finalize, err);
    if (!strcmp(n, "VAR_POP")) return make_moments(d, var_pop_finalize, err);
    if (!strcmp(n, "MEDIAN") || !strcmp(n, "PERCENTILE_CONT"))
        return make_percentile(d, n[0] == 'M', consts, err);
    return make_string_agg(d, consts, err); /* STRING_AGG, LISTAGG */
}

/* ---- checkpoints: a state as bytes and back (core/aggregate.h) ---- */

bool velo_agg_state_plain(const velo_agg_desc *d) {
    return !d->destroy || (d->destroy == slot_destroy && d->nargs == 1 && !is_text(d->args[0]));
}

bool velo_agg_state_savable(const velo_agg_desc *d) {
    return velo_agg_state_plain(d) || d->destroy == slot_destroy || d->destroy == values_destroy ||
           d->destroy == distinct_destroy || d->destroy == hll_destroy || d->destroy == text_destroy;
}

static void append_u32(velo_strbuf *b, uint32_t v) { velo_strbuf_append(b, (const char *)&v, 4); }

velo_status velo_agg_state_save(const velo_agg_desc *d, const void *state, velo_strbuf *out,
                                velo_error *err) {
    if (velo_agg_state_plain(d)) {
        velo_strbuf_append(out, state, d->state_size);
    } else if (d->destroy == slot_destroy) { /* text MIN/MAX/FIRST/LAST: flags, then the text */
        const slot_state *s = state;
        char flags[2] = {(char)s->has, (char)s->is_null};
        velo_strbuf_append(out, flags, 2);
        if (s->v.str.ptr && s->v.str.len) velo_strbuf_append(out, s->v.str.ptr, s->v.str.len);
    } else if (d->destroy == values_destroy) { /* the values, back to back */
        const values_state *s = state;
        if (s->n) velo_strbuf_append(out, s->vals, (size_t)s->n * velo_type_width(d->args[0]));
    } else if (d->destroy == distinct_destroy) { /* each key: length, bytes */
        const dset *s = ((const distinct_state *)state)->set;
        for (uint32_t i = 0; s && i < s->cap; i++)
            if (s->slots[i].used) {
                append_u32(out, s->slots[i].len);
                velo_strbuf_append(out, (const char *)entry_key(&s->slots[i]), s->slots[i].len);
            }
    } else if (d->destroy == hll_destroy) { /* the registers, or nothing before the first value */
        const hll_state *s = state;
        if (s->regs) velo_strbuf_append(out, (const char *)s->regs, HLL_REGS);
    } else if (d->destroy == text_destroy) { /* STRING_AGG: has, then the text */
        const text_state *s = state;
        velo_strbuf_putc(out, (char)s->has);
        if (s->len) velo_strbuf_append(out, s->buf, s->len);
    } else {
        return velo_error_set(err, VELO_ERR_UNSUPPORTED, "the state of %s cannot be checkpointed yet",
                              d->name);
    }
    return VELO_OK;
}

velo_status velo_agg_state_load(const velo_agg_desc *d, void *state, const char *p, uint32_t len,
                                velo_error *err) {
    bool ok = true;
    if (velo_agg_state_plain(d)) {
        ok = len == d->state_size;
        if (ok) memcpy(state, p, len);
    } else if (d->destroy == slot_destroy) {
        slot_state *s = state;
        ok = len >= 2;
        if (ok && (len > 2 || p[0]) && !slot_set_str(s, p + 2, len - 2)) return nomem(err, d->name);
        if (ok) s->has = (uint8_t)p[0], s->is_null = (uint8_t)p[1];
    } else if (d->destroy == values_destroy) {
        values_state *s = state;
        uint32_t w = velo_type_width(d->args[0]);
        ok = w && len % w == 0;
        if (ok && len) {
            if (!(s->vals = malloc(len))) return nomem(err, d->name);
            memcpy(s->vals, p, len);
            s->n = s->cap = len / w;
        }
    } else if (d->destroy == distinct_destroy) {
        for (uint32_t off = 0; ok && off < len;) {
            uint32_t kl;
            ok = len - off >= 4;
            if (!ok) break;
            memcpy(&kl, p + off, 4);
            off += 4;
            ok = kl <= len - off;
            if (ok && !dset_add(state, p + off, kl, hash_bytes(p + off, kl))) return nomem(err, d->name);
            off += kl;
        }
    } else if (d->destroy == hll_destroy) {
        hll_state *s = state;
        ok = len == 0 || len == HLL_REGS;
        if (ok && len) {
            if (!(s->regs = malloc(HLL_REGS))) return nomem(err, d->name);
            memcpy(s->regs, p, HLL_REGS);
        }
    } else if (d->destroy == text_destroy) {
        text_state *s = state;
        ok = len >= 1;
        if (ok && len > 1) {
            if (!(s->buf = malloc(len - 1))) return nomem(err, d->name);
            memcpy(s->buf, p + 1, len - 1);
            s->len = s->cap = len - 1;
        }
        if (ok) s->has = (uint8_t)p[0];
    } else {
        return velo_error_set(err, VELO_ERR_UNSUPPORTED, "the state of %s cannot be checkpointed yet",
                              d->name);
    }
    if (!ok)
        return velo_error_set(err, VELO_ERR_DECODE,
                              "a checkpointed state of %s has %u bytes that do not fit it", d->name, len);
    return VELO_OK;
}
