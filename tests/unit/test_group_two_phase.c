/* The two-phase GROUP BY (core/group_op.h): PARTIAL operators fold slices of the rows into bounded
 * local tables and emit per-key states, a MERGE operator merges them; for every aggregate whose
 * state is flat the result must equal the one-phase GROUP BY's, whatever the local bound (tables
 * flushed early, or rows passed batch by batch when keys hardly repeat). */
#include <criterion/criterion.h>
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/group_op.h"
#include "core/scalar.h"

#define NROWS  300
#define MAXOUT 1000

/* input: k BIGINT, v BIGINT, d DECIMAL(12,2), f DOUBLE, dt DATE, ts TIMESTAMP, b BOOLEAN, s VARCHAR */
enum { C_K, C_V, C_D, C_F, C_DT, C_TS, C_B, C_S, NCOLS };
static velo_type col_type(uint32_t c) {
    switch (c) {
    case C_D: return velo_type_decimal(12, 2);
    case C_F: return velo_type_make(VELO_TYPE_DOUBLE);
    case C_DT: return velo_type_make(VELO_TYPE_DATE);
    case C_TS: return velo_type_make(VELO_TYPE_TIMESTAMP);
    case C_B: return velo_type_make(VELO_TYPE_BOOLEAN);
    case C_S: return velo_type_make(VELO_TYPE_VARCHAR);
    default: return velo_type_make(VELO_TYPE_BIGINT);
    }
}

typedef struct agg_spec {
    const char *name;
    int col; /* -1: COUNT(*) */
    velo_type result;
    bool filtered; /* FILTER (WHERE b) */
} agg_spec;

static velo_expr *column(uint32_t i) {
    velo_expr *e = velo_expr_new(VELO_EXPR_COLUMN, col_type(i), 0);
    e->column = i;
    return e;
}

/* rows k % nkeys, every fifth value NULL; values mixed in sign so MIN/MAX and sums move */
static velo_batch *make_batch(uint32_t from, uint32_t n, uint32_t nkeys) {
    velo_type types[NCOLS];
    for (uint32_t c = 0; c < NCOLS; c++)
        types[c] = col_type(c);
    velo_batch *b = velo_batch_new_types(NCOLS, types, 64);
    for (uint32_t i = from; i < from + n; i++) {
        uint32_t r = b->count++;
        int64_t x = (int64_t)((i * 7919u) % 1000) - 400;
        for (uint32_t c = 0; c < NCOLS; c++)
            if (c == C_K || (i + c) % 5) velo_vector_set_valid(&b->cols[c], r);
        VELO_VEC(&b->cols[C_K], int64_t)[r] = i % nkeys;
        VELO_VEC(&b->cols[C_V], int64_t)[r] = x;
        VELO_VEC(&b->cols[C_D], velo_i128)[r] = (velo_i128)x * 1000003 + 17;
        VELO_VEC(&b->cols[C_F], double)[r] = (double)x / 8;
        VELO_VEC(&b->cols[C_DT], int32_t)[r] = (int32_t)(19000 + x);
        VELO_VEC(&b->cols[C_TS], int64_t)[r] = 1700000000000000LL + x * 1000;
        VELO_VEC(&b->cols[C_B], uint8_t)[r] = (uint8_t)(x & 1);
        char *s = velo_arena_alloc(&b->arena, 8);
        int len = snprintf(s, 8, "s%03d", (int)(x + 400) % 97);
        VELO_VEC(&b->cols[C_S], velo_str)[r] = (velo_str){s, (uint32_t)len};
        b->origin[r] = i;
    }
    return b;
}

/* collects output rows as text lines "k|agg" */
typedef struct lines {
    char *row[MAXOUT];
    uint32_t n;
} lines;

static velo_status collect_text(void *ud, const velo_batch *b, velo_error *err) {
    lines *l = ud;
    velo_arena a;
    velo_arena_init(&a, 4096);
    for (uint32_t k = 0; k < velo_batch_live(b); k++) {
        uint32_t r = velo_batch_row(b, k);
        char buf[512] = "";
        for (uint32_t c = 0; c < b->ncols; c++) {
            velo_value v;
            velo_str t = {"NULL", 4};
            if (velo_vector_is_valid(&b->cols[c], r)) {
                velo_vector_get_value(&b->cols[c], r, &v);
                cr_assert_eq(velo_value_to_text(&v, &a, &t, err), VELO_OK);
            }
            size_t len = strlen(buf);
            snprintf(buf + len, sizeof buf - len, "%s%.*s", c ? "|" : "", (int)t.len, t.ptr);
        }
        cr_assert_lt(l->n, MAXOUT);
        l->row[l->n++] = strdup(buf);
    }
    velo_arena_free(&a);
    return VELO_OK;
}

/* keeps copies of the partial batches a PARTIAL operator emits */
typedef struct batches {
    velo_batch *b[MAXOUT];
    uint32_t n;
} batches;

static velo_status keep_batch(void *ud, const velo_batch *b, velo_error *err) {
    batches *k = ud;
    velo_schema *ps = velo_group_partial_schema();
    velo_batch *copy = velo_batch_new(ps, b->capacity);
    velo_schema_free(ps);
    uint32_t rows[2048];
    for (uint32_t i = 0; i < velo_batch_live(b); i++)
        rows[i] = velo_batch_row(b, i);
    velo_batch_append_rows(copy, b, rows, velo_batch_live(b));
    cr_assert_lt(k->n, MAXOUT);
    k->b[k->n++] = copy;
    return VELO_OK;
}
static velo_status no_flush(void *ud, velo_error *err) { return VELO_OK; }

/* 0: no window; else TUMBLING (100 ms) or SLIDING (200 ms every 100 ms) on ts, closing at the end */
static int window_kind = 0;

static velo_operator *make_op(const agg_spec *a, velo_group_phase phase, uint32_t bound, velo_error *err) {
    velo_group_agg *aggs = calloc(1, sizeof *aggs);
    velo_type at = a->col >= 0 ? col_type((uint32_t)a->col) : velo_type_make(VELO_TYPE_NULL);
    velo_status st =
        velo_agg_desc_make(a->name, &at, a->col >= 0 ? 1 : 0, false, a->result, NULL, &aggs[0].desc, err);
    cr_assert_eq(st, VELO_OK, "%s: %s", a->name, err->message);
    if (a->col >= 0) {
        aggs[0].args = mi_calloc(1, sizeof(velo_expr *));
        aggs[0].args[0] = column((uint32_t)a->col);
        aggs[0].nargs = 1;
    }
    if (a->filtered) { /* FILTER (WHERE b) */
        aggs[0].filter = column(C_B);
    }
    velo_schema *s = velo_schema_new(window_kind ? 4 : 2);
    uint32_t c = 0;
    velo_schema_set(s, c++, "k", velo_type_make(VELO_TYPE_BIGINT));
    if (window_kind) {
        velo_schema_set(s, c++, "window_start", velo_type_make(VELO_TYPE_TIMESTAMP));
        velo_schema_set(s, c++, "window_end", velo_type_make(VELO_TYPE_TIMESTAMP));
    }
    velo_schema_set(s, c++, "a", a->result);
    velo_expr **keys = calloc(1, sizeof *keys);
    keys[0] = column(C_K);
    velo_group_config cfg = {.keys = keys,
                             .nkeys = 1,
                             .aggs = aggs,
                             .naggs = 1,
                             .output = s,
                             .capacity = 64,
                             .file = "t.sql",
                             .phase = phase,
                             .local_max_groups = bound,
                             .windowed = window_kind != 0,
                             .window = {.kind = window_kind == 2 ? VELO_WIN_SLIDING : VELO_WIN_TUMBLING,
                                        .size_us = window_kind == 2 ? 200000 : 100000,
                                        .advance_us = 100000},
                             .time_column = C_TS};
    velo_operator *op = velo_group_op_new(&cfg, err);
    if (!op) { /* the operator did not take them */
        velo_expr_free(keys[0]);
        if (a->col >= 0) velo_expr_free(aggs[0].args[0]);
        mi_free(aggs[0].args);
        velo_expr_free(aggs[0].filter);
    }
    free(keys);
    free(aggs);
    velo_schema_free(s);
    return op;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void free_lines(lines *l) {
    for (uint32_t i = 0; i < l->n; i++)
        free(l->row[i]);
}

static void push_range(velo_operator *op, uint32_t from, uint32_t to, uint32_t step, uint32_t nkeys) {
    velo_error err = {0};
    for (uint32_t i = from; i < to; i += step) {
        velo_batch *b = make_batch(i, to - i < step ? to - i : step, nkeys);
        cr_assert_eq(velo_operator_push(op, b, &err), VELO_OK, "%s", err.message);
        velo_batch_free(b);
    }
}

/* one phase over all rows */
static void run_one_phase(const agg_spec *a, uint32_t nkeys, lines *out) {
    velo_error err = {0};
    velo_operator *op = make_op(a, VELO_GROUP_FULL, 0, &err);
    cr_assert_not_null(op, "%s", err.message);
    op->next = velo_sink_op_new((velo_sink_fns){collect_text, no_flush, out});
    push_range(op, 0, NROWS, 37, nkeys);
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK, "%s", err.message);
    velo_operator_destroy_chain(op);
    qsort(out->row, out->n, sizeof *out->row, cmp_str);
}

/* two PARTIAL operators (first and second half of the rows) and a MERGE of what they emitted,
 * taken in turns; returns the partial rows emitted and the PARTIAL operators' stats summed */
static uint64_t run_two_phase(const agg_spec *a, uint32_t nkeys, uint32_t bound, lines *out,
                              velo_group_stats *ps) {
    velo_error err = {0};
    batches parts[2] = {0};
    memset(ps, 0, sizeof *ps);
    for (uint32_t p = 0; p < 2; p++) {
        velo_operator *op = make_op(a, VELO_GROUP_PARTIAL, bound, &err);
        cr_assert_not_null(op, "%s", err.message);
        op->next = velo_sink_op_new((velo_sink_fns){keep_batch, no_flush, &parts[p]});
        push_range(op, p * NROWS / 2, (p + 1) * NROWS / 2, 23, nkeys);
        cr_assert_eq(velo_operator_finish(op, &err), VELO_OK, "%s", err.message);
        velo_group_stats gs;
        velo_group_op_stats(op, &gs);
        ps->partial_rows += gs.partial_rows;
        ps->partial_flushes += gs.partial_flushes;
        ps->passthrough_rows += gs.passthrough_rows;
        velo_operator_destroy_chain(op);
    }
    velo_operator *m = make_op(a, VELO_GROUP_MERGE, 0, &err);
    cr_assert_not_null(m, "%s", err.message);
    m->next = velo_sink_op_new((velo_sink_fns){collect_text, no_flush, out});
    for (uint32_t i = 0; i < parts[0].n || i < parts[1].n; i++)
        for (uint32_t p = 0; p < 2; p++)
            if (i < parts[p].n) {
                cr_assert_eq(velo_operator_push(m, parts[p].b[i], &err), VELO_OK, "%s", err.message);
                velo_batch_free(parts[p].b[i]);
            }
    cr_assert_eq(velo_operator_finish(m, &err), VELO_OK, "%s", err.message);
    velo_operator_destroy_chain(m);
    qsort(out->row, out->n, sizeof *out->row, cmp_str);
    return ps->partial_rows;
}

static void assert_same(const lines *x, const lines *y, const char *what) {
    cr_assert_eq(x->n, y->n, "%s: %u rows vs %u", what, x->n, y->n);
    for (uint32_t i = 0; i < x->n; i++)
        cr_assert_str_eq(x->row[i], y->row[i], "%s: row %u", what, i);
}

static const agg_spec FLAT[] = {
    {"COUNT", -1, {VELO_TYPE_BIGINT, 0, 0}, false},    {"COUNT", C_V, {VELO_TYPE_BIGINT, 0, 0}, false},
    {"COUNT", C_S, {VELO_TYPE_BIGINT, 0, 0}, true},    {"SUM", C_V, {VELO_TYPE_BIGINT, 0, 0}, false},
    {"SUM", C_V, {VELO_TYPE_BIGINT, 0, 0}, true},      {"AVG", C_V, {VELO_TYPE_DOUBLE, 0, 0}, false},
    {"SUM", C_D, {VELO_TYPE_DECIMAL, 38, 2}, false},   {"AVG", C_D, {VELO_TYPE_DECIMAL, 38, 6}, false},
    {"MIN", C_V, {VELO_TYPE_BIGINT, 0, 0}, false},     {"MAX", C_V, {VELO_TYPE_BIGINT, 0, 0}, false},
    {"MIN", C_D, {VELO_TYPE_DECIMAL, 12, 2}, false},   {"MAX", C_D, {VELO_TYPE_DECIMAL, 12, 2}, false},
    {"MIN", C_F, {VELO_TYPE_DOUBLE, 0, 0}, false},     {"MAX", C_F, {VELO_TYPE_DOUBLE, 0, 0}, false},
    {"MIN", C_DT, {VELO_TYPE_DATE, 0, 0}, false},      {"MAX", C_DT, {VELO_TYPE_DATE, 0, 0}, false},
    {"MIN", C_TS, {VELO_TYPE_TIMESTAMP, 0, 0}, false}, {"MAX", C_TS, {VELO_TYPE_TIMESTAMP, 0, 0}, true},
    {"MIN", C_B, {VELO_TYPE_BOOLEAN, 0, 0}, false},    {"MAX", C_B, {VELO_TYPE_BOOLEAN, 0, 0}, false},
};

Test(group_two_phase, merged_partial_states_equal_the_one_phase_result_for_each_flat_aggregate) {
    static const uint32_t bounds[] = {0, 3, 1};
    for (size_t i = 0; i < sizeof FLAT / sizeof *FLAT; i++) {
        const agg_spec *a = &FLAT[i];
        char what[96];
        lines one = {0};
        run_one_phase(a, 7, &one);
        cr_assert_eq(one.n, 7);
        for (size_t k = 0; k < sizeof bounds / sizeof *bounds; k++) {
            snprintf(what, sizeof what, "%s(col %d)%s, local bound %u", a->name, a->col,
                     a->filtered ? " FILTER" : "", bounds[k]);
            lines two = {0};
            velo_group_stats ps;
            uint64_t partials = run_two_phase(a, 7, bounds[k], &two, &ps);
            assert_same(&one, &two, what);
            if (bounds[k] == 0)
                cr_assert_eq(partials, 14, "%s: one partial row per key and half", what);
            else
                cr_assert_gt(ps.partial_flushes, 2, "%s: the bound flushes the table early", what);
            free_lines(&two);
        }
        free_lines(&one);
    }
}

Test(group_two_phase, windows_closing_at_the_end_merge_per_key_and_window) {
    static const agg_spec aggs[] = {{"COUNT", -1, {VELO_TYPE_BIGINT, 0, 0}, false},
                                    {"SUM", C_D, {VELO_TYPE_DECIMAL, 38, 2}, false},
                                    {"MAX", C_V, {VELO_TYPE_BIGINT, 0, 0}, true}};
    for (int kind = 1; kind <= 2; kind++) {
        window_kind = kind;
        for (size_t i = 0; i < sizeof aggs / sizeof *aggs; i++) {
            char what[96];
            lines one = {0};
            run_one_phase(&aggs[i], 7, &one);
            cr_assert_gt(one.n, 7 * 5, "several windows per key");
            for (uint32_t bound = 0; bound <= 5; bound += 5) {
                snprintf(what, sizeof what, "%s %s, local bound %u", aggs[i].name,
                         kind == 1 ? "TUMBLING" : "SLIDING", bound);
                lines two = {0};
                velo_group_stats ps;
                run_two_phase(&aggs[i], 7, bound, &two, &ps);
                assert_same(&one, &two, what);
                free_lines(&two);
            }
            free_lines(&one);
        }
    }
    window_kind = 0;
}

Test(group_two_phase, keys_that_hardly_repeat_pass_batch_by_batch_and_still_merge_exactly) {
    /* 300 distinct keys, local bound 8: a full table holds 1 row per group, so rows go on batch by batch */
    const agg_spec a = {"SUM", C_D, {VELO_TYPE_DECIMAL, 38, 2}, false};
    lines one = {0}, two = {0};
    run_one_phase(&a, NROWS, &one);
    velo_group_stats ps;
    run_two_phase(&a, NROWS, 8, &two, &ps);
    assert_same(&one, &two, "distinct keys");
    cr_assert_gt(ps.passthrough_rows, 200, "poor reduction switches to batch-by-batch partials");
    free_lines(&one);
    free_lines(&two);
}

Test(group_two_phase, states_that_own_memory_are_not_flat_and_keep_the_row_path) {
    velo_error err = {0};
    velo_agg_desc d;
    velo_type bi = velo_type_make(VELO_TYPE_BIGINT), vc = velo_type_make(VELO_TYPE_VARCHAR),
              dbl = velo_type_make(VELO_TYPE_DOUBLE), dec = velo_type_decimal(12, 2);
    cr_assert_eq(velo_agg_desc_make("COUNT", &bi, 1, true, bi, NULL, &d, &err), VELO_OK, "%s", err.message);
    cr_assert(!velo_agg_state_flat(&d), "COUNT(DISTINCT) keeps a set");
    cr_assert_eq(velo_agg_desc_make("MEDIAN", &dbl, 1, false, dbl, NULL, &d, &err), VELO_OK, "%s",
                 err.message);
    cr_assert(!velo_agg_state_flat(&d), "MEDIAN keeps every value");
    cr_assert_eq(velo_agg_desc_make("MIN", &vc, 1, false, vc, NULL, &d, &err), VELO_OK, "%s", err.message);
    cr_assert(!velo_agg_state_flat(&d), "MIN(VARCHAR) keeps a heap copy");
    cr_assert_eq(velo_agg_desc_make("APPROX_COUNT_DISTINCT", &bi, 1, false, bi, NULL, &d, &err), VELO_OK,
                 "%s", err.message);
    cr_assert(!velo_agg_state_flat(&d), "HLL registers are on the heap");
    cr_assert_eq(velo_agg_desc_make("SUM", &dec, 1, false, velo_type_decimal(38, 2), NULL, &d, &err),
                 VELO_OK);
    cr_assert(velo_agg_state_flat(&d));
    cr_assert_eq(velo_agg_desc_make("MAX", &dec, 1, false, dec, NULL, &d, &err), VELO_OK);
    cr_assert(velo_agg_state_flat(&d));

    const agg_spec median = {"MEDIAN", C_F, {VELO_TYPE_DOUBLE, 0, 0}, false};
    velo_operator *op = make_op(&median, VELO_GROUP_PARTIAL, 0, &err);
    cr_assert_null(op, "a PARTIAL GROUP BY refuses a state that cannot move between cores");
    cr_assert(strstr(err.message, "MEDIAN"), "%s", err.message);
}
