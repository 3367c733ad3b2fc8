/* The GROUP BY / window operator on hand-made batches: results must not depend on how rows are cut
 * into batches, EMIT CHANGES sends one update per group and batch, late rows are dropped, and a
 * global aggregate over no rows has its one SQL row. */
#include <criterion/criterion.h>
#include <mimalloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/group_op.h"
#include "core/scalar.h"

#define MAXOUT 256

typedef struct collected {
    int64_t rows[MAXOUT][5]; /* key, window_start (or 0), sum, count, window_end (or 0) */
    uint32_t n;
    bool windowed, global;
} collected;

static velo_status collect(void *ud, const velo_batch *b, velo_error *err) {
    collected *c = ud;
    for (uint32_t k = 0; k < velo_batch_live(b); k++) {
        uint32_t r = velo_batch_row(b, k);
        cr_assert_lt(c->n, MAXOUT);
        int64_t *o = c->rows[c->n++];
        uint32_t col = 0;
        o[0] = c->global ? 0 : VELO_VEC(&b->cols[col++], int64_t)[r];
        o[1] = c->windowed ? VELO_VEC(&b->cols[col++], int64_t)[r] : 0;
        o[4] = c->windowed ? VELO_VEC(&b->cols[col++], int64_t)[r] : 0;
        o[2] = velo_vector_is_valid(&b->cols[col], r) ? VELO_VEC(&b->cols[col], int64_t)[r] : -999;
        col++;
        o[3] = VELO_VEC(&b->cols[col], int64_t)[r];
    }
    return VELO_OK;
}
static velo_status no_flush(void *ud, velo_error *err) { return VELO_OK; }

/* window_start, COUNT(*) of a global processing-time window */
typedef struct pt_rows {
    int64_t rows[4][2];
    uint32_t n;
} pt_rows;

static velo_status collect_pt(void *ud, const velo_batch *b, velo_error *err) {
    pt_rows *u = ud;
    for (uint32_t k = 0; k < velo_batch_live(b); k++) {
        uint32_t r = velo_batch_row(b, k);
        cr_assert_lt(u->n, 4);
        u->rows[u->n][0] = VELO_VEC(&b->cols[0], int64_t)[r];
        u->rows[u->n][1] = VELO_VEC(&b->cols[2], int64_t)[r];
        u->n++;
    }
    return VELO_OK;
}

/* GROUP BY nothing WINDOW TUMBLING(1h) without a time column (processing time): COUNT(*), into `out`. */
static velo_operator *make_pt_op(bool use_watermark, pt_rows *out) {
    velo_type bi = velo_type_make(VELO_TYPE_BIGINT);
    velo_group_agg *aggs = calloc(1, sizeof *aggs);
    velo_error err = {0};
    cr_assert_eq(velo_agg_desc_make("COUNT", NULL, 0, false, bi, NULL, &aggs[0].desc, &err), VELO_OK);
    velo_schema *s = velo_schema_new(3);
    velo_schema_set(s, 0, "window_start", velo_type_make(VELO_TYPE_TIMESTAMP));
    velo_schema_set(s, 1, "window_end", velo_type_make(VELO_TYPE_TIMESTAMP));
    velo_schema_set(s, 2, "n", bi);
    velo_group_config cfg = {
        .aggs = aggs,
        .naggs = 1,
        .windowed = true,
        .window = {.kind = VELO_WIN_TUMBLING, .size_us = 3600000000LL, .advance_us = 3600000000LL},
        .time_column = -1,
        .use_watermark = use_watermark,
        .output = s,
        .capacity = 64,
        .file = "t.sql"};
    velo_operator *op = velo_group_op_new(&cfg, &err);
    cr_assert_not_null(op, "%s", err.message);
    free(aggs);
    velo_schema_free(s);
    op->next = velo_sink_op_new((velo_sink_fns){collect_pt, no_flush, out});
    return op;
}

static velo_expr *column(uint32_t i, velo_type_id t) {
    velo_expr *e = velo_expr_new(VELO_EXPR_COLUMN, velo_type_make(t), 0);
    e->column = i;
    return e;
}

/* GROUP BY k [WINDOW kind(t, 10s)]: SUM(v), COUNT(*) over input (k BIGINT, v BIGINT, t TIMESTAMP). */
static velo_operator *make_op_adv(collected *out, bool windowed, bool watermark, bool changes, bool global,
                                  velo_win_kind kind, int64_t idle_us, int64_t advance_us) {
    velo_type bi = velo_type_make(VELO_TYPE_BIGINT);
    velo_group_agg *aggs = calloc(2, sizeof *aggs);
    velo_error err = {0};
    cr_assert_eq(velo_agg_desc_make("SUM", &bi, 1, false, bi, NULL, &aggs[0].desc, &err), VELO_OK, "%s",
                 err.message);
    cr_assert_eq(velo_agg_desc_make("COUNT", NULL, 0, false, bi, NULL, &aggs[1].desc, &err), VELO_OK, "%s",
                 err.message);
    aggs[0].args = mi_calloc(1, sizeof(velo_expr *)); /* the operator frees it (mimalloc) */
    aggs[0].args[0] = column(1, VELO_TYPE_BIGINT);
    aggs[0].nargs = 1;
    uint32_t nout = (global ? 0 : 1) + (windowed ? 2 : 0) + 2;
    velo_schema *s = velo_schema_new(nout);
    uint32_t c = 0;
    if (!global) velo_schema_set(s, c++, "k", bi);
    if (windowed) {
        velo_schema_set(s, c++, "window_start", velo_type_make(VELO_TYPE_TIMESTAMP));
        velo_schema_set(s, c++, "window_end", velo_type_make(VELO_TYPE_TIMESTAMP));
    }
    velo_schema_set(s, c++, "s", bi);
    velo_schema_set(s, c++, "n", bi);
    velo_expr **keys = calloc(1, sizeof *keys);
    keys[0] = column(0, VELO_TYPE_BIGINT);
    velo_group_config cfg = {.keys = keys,
                             .nkeys = global ? 0 : 1,
                             .aggs = aggs,
                             .naggs = 2,
                             .windowed = windowed,
                             .window = {.kind = kind, .size_us = 10000000, .advance_us = advance_us},
                             .time_column = 2,
                             .use_watermark = watermark,
                             .idle_us = idle_us,
                             .emit_changes = changes,
                             .output = s,
                             .capacity = 64,
                             .file = "t.sql"};
    if (global) {
        velo_expr_free(keys[0]);
    }
    velo_operator *op = velo_group_op_new(&cfg, &err);
    cr_assert_not_null(op, "%s", err.message);
    free(keys);
    free(aggs);
    velo_schema_free(s);
    out->windowed = windowed;
    out->global = global;
    op->next = velo_sink_op_new((velo_sink_fns){collect, no_flush, out});
    return op;
}

static velo_operator *make_op_idle(collected *out, bool windowed, bool watermark, bool changes, bool global,
                                   velo_win_kind kind, int64_t idle_us) {
    return make_op_adv(out, windowed, watermark, changes, global, kind, idle_us, 10000000);
}

static velo_operator *make_op_kind(collected *out, bool windowed, bool watermark, bool changes, bool global,
                                   velo_win_kind kind) {
    return make_op_idle(out, windowed, watermark, changes, global, kind, 0);
}

static velo_operator *make_op(collected *out, bool windowed, bool watermark, bool changes, bool global) {
    return make_op_kind(out, windowed, watermark, changes, global, VELO_WIN_TUMBLING);
}

/* rows: k, v, t (seconds) */
static void push_rows(velo_operator *op, const int64_t (*rows)[3], uint32_t n, uint32_t batch) {
    velo_type types[3] = {velo_type_make(VELO_TYPE_BIGINT), velo_type_make(VELO_TYPE_BIGINT),
                          velo_type_make(VELO_TYPE_TIMESTAMP)};
    velo_batch *b = velo_batch_new_types(3, types, 64);
    velo_error err = {0};
    for (uint32_t i = 0; i < n; i += batch) {
        velo_batch_reset(b);
        for (uint32_t j = i; j < n && j < i + batch; j++) {
            uint32_t r = b->count++;
            for (uint32_t c = 0; c < 3; c++) {
                velo_vector_set_valid(&b->cols[c], r);
                VELO_VEC(&b->cols[c], int64_t)[r] = c == 2 ? rows[j][2] * 1000000 : rows[j][c];
            }
            b->origin[r] = j;
        }
        cr_assert_eq(velo_operator_push(op, b, &err), VELO_OK, "%s", err.message);
    }
    velo_batch_free(b);
}

static int cmp_rows(const void *a, const void *b) { return memcmp(a, b, sizeof(int64_t) * 5); }

static const int64_t ROWS[][3] = {{1, 10, 1}, {2, 5, 3},  {1, 7, 12}, {1, 1, 9},  {2, 2, 15}, {3, 4, 21},
                                  {1, 3, 8},  {2, 6, 25}, {3, 9, 29}, {1, 2, 31}, {2, 8, 18}, {1, 5, 40}};
#define NROWS (sizeof ROWS / sizeof *ROWS)

static void run_windowed(collected *c, uint32_t batch) {
    memset(c, 0, sizeof *c);
    velo_operator *op = make_op(c, true, true, false, false);
    push_rows(op, ROWS, NROWS, batch);
    velo_error err = {0};
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK, "%s", err.message);
    velo_operator_destroy_chain(op);
    qsort(c->rows, c->n, sizeof c->rows[0], cmp_rows);
}

Test(group_op, windowed_results_do_not_depend_on_batch_size) {
    collected one, three, all;
    run_windowed(&one, 1);
    run_windowed(&three, 3);
    run_windowed(&all, 12);
    cr_assert_eq(one.n, all.n);
    cr_assert_eq(three.n, all.n);
    cr_assert_eq(memcmp(one.rows, all.rows, sizeof(int64_t) * 5 * all.n), 0);
    cr_assert_eq(memcmp(three.rows, all.rows, sizeof(int64_t) * 5 * all.n), 0);
}

Test(group_op, rows_behind_the_watermark_are_late_and_dropped) {
    collected c;
    run_windowed(&c, 5);
    /* watermark = max event time before the row (delay 0): {1,1,9} arrives after t=12 (window [0,10)
     * closed) and {1,3,8} after t=21, {2,8,18} after t=31: three late rows */
    int64_t total = 0;
    for (uint32_t i = 0; i < c.n; i++)
        total += c.rows[i][3];
    cr_assert_eq(total, (int64_t)NROWS - 3);
    /* key 1, window [0,10): only {1,10,1} */
    cr_assert_eq(c.rows[0][0], 1);
    cr_assert_eq(c.rows[0][1], 0);
    cr_assert_eq(c.rows[0][2], 10);
    cr_assert_eq(c.rows[0][3], 1);
}

Test(group_op, without_watermark_every_row_counts_and_windows_close_at_the_end) {
    collected c = {0};
    velo_operator *op = make_op(&c, true, false, false, false);
    push_rows(op, ROWS, NROWS, 4);
    cr_assert_eq(c.n, 0, "nothing may be emitted before the end of a bounded input");
    velo_error err = {0};
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK);
    velo_operator_destroy_chain(op);
    int64_t total = 0, sum = 0;
    for (uint32_t i = 0; i < c.n; i++)
        total += c.rows[i][3], sum += c.rows[i][2];
    cr_assert_eq(total, (int64_t)NROWS);
    cr_assert_eq(sum, 62);
}

Test(group_op, emit_changes_sends_one_update_per_changed_group_and_batch) {
    collected c = {0};
    velo_operator *op = make_op(&c, false, false, true, false);
    static const int64_t b1[][3] = {{1, 10, 1}, {1, 5, 2}, {2, 1, 3}};
    static const int64_t b2[][3] = {{1, 2, 4}};
    push_rows(op, b1, 3, 3);
    cr_assert_eq(c.n, 2); /* groups 1 and 2, once each */
    push_rows(op, b2, 1, 1);
    cr_assert_eq(c.n, 3); /* group 1 again, with its new value */
    cr_assert_eq(c.rows[2][0], 1);
    cr_assert_eq(c.rows[2][2], 17);
    cr_assert_eq(c.rows[2][3], 3);
    velo_error err = {0};
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK);
    cr_assert_eq(c.n, 3, "finish sends nothing new");
    velo_operator_destroy_chain(op);
}

Test(group_op, global_aggregate_over_no_rows_has_one_row) {
    collected c = {0};
    velo_operator *op = make_op(&c, false, false, false, true);
    velo_error err = {0};
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK);
    velo_operator_destroy_chain(op);
    cr_assert_eq(c.n, 1);
    cr_assert_eq(c.rows[0][2], -999, "SUM over no rows is NULL");
    cr_assert_eq(c.rows[0][3], 0, "COUNT(*) over no rows is 0");
}

/* ---- SESSION windows (gap 10 s) ---- */

static void run_sessions(collected *c, const int64_t (*rows)[3], uint32_t n, uint32_t batch, bool watermark,
                         bool changes) {
    memset(c, 0, sizeof *c);
    velo_operator *op = make_op_kind(c, true, watermark, changes, false, VELO_WIN_SESSION);
    push_rows(op, rows, n, batch);
    velo_error err = {0};
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK, "%s", err.message);
    velo_operator_destroy_chain(op);
    if (!changes) qsort(c->rows, c->n, sizeof c->rows[0], cmp_rows);
}

Test(group_op, session_windows_merge_when_row_bridges_gap) {
    /* key 1: t=0 -> [0,10), t=18 -> [18,28); t=9 overlaps both: one session [0,28) */
    static const int64_t rows[][3] = {{1, 1, 0}, {1, 2, 18}, {2, 100, 5}, {1, 4, 9}};
    collected c;
    run_sessions(&c, rows, 4, 1, false, false);
    cr_assert_eq(c.n, 2);
    cr_assert_eq(c.rows[0][0], 1);
    cr_assert_eq(c.rows[0][1], 0);
    cr_assert_eq(c.rows[0][4], 28000000, "window_end = last row + gap");
    cr_assert_eq(c.rows[0][2], 7, "the two partial SUMs are merged");
    cr_assert_eq(c.rows[0][3], 3);
    cr_assert_eq(c.rows[1][0], 2);
    cr_assert_eq(c.rows[1][1], 5000000);
    cr_assert_eq(c.rows[1][4], 15000000);
}

Test(group_op, session_row_exactly_gap_after_the_last_starts_a_new_session) {
    static const int64_t rows[][3] = {{1, 1, 0}, {1, 2, 10}, {1, 3, 19}};
    collected c;
    run_sessions(&c, rows, 3, 3, false, false);
    cr_assert_eq(c.n, 2);
    cr_assert_eq(c.rows[0][1], 0);
    cr_assert_eq(c.rows[0][4], 10000000);
    cr_assert_eq(c.rows[0][3], 1);
    cr_assert_eq(c.rows[1][1], 10000000);
    cr_assert_eq(c.rows[1][4], 29000000);
    cr_assert_eq(c.rows[1][2], 5);
}

Test(group_op, session_results_do_not_depend_on_arrival_order_or_batch_size) {
    static const int64_t sorted[][3] = {{1, 1, 0},  {2, 1, 1},  {1, 2, 5},  {1, 3, 14}, {2, 2, 20},
                                        {1, 4, 30}, {2, 3, 29}, {1, 5, 38}, {1, 6, 47}, {3, 7, 50}};
    static const int64_t shuffled[][3] = {{1, 6, 47}, {2, 3, 29}, {1, 1, 0},  {3, 7, 50}, {1, 4, 30},
                                          {2, 1, 1},  {1, 3, 14}, {2, 2, 20}, {1, 5, 38}, {1, 2, 5}};
    collected a, b, d;
    run_sessions(&a, sorted, 10, 10, false, false);
    run_sessions(&b, shuffled, 10, 1, false, false);
    run_sessions(&d, shuffled, 10, 4, false, false);
    cr_assert_eq(a.n, b.n);
    cr_assert_eq(a.n, d.n);
    cr_assert_eq(memcmp(a.rows, b.rows, sizeof a.rows[0] * a.n), 0);
    cr_assert_eq(memcmp(a.rows, d.rows, sizeof a.rows[0] * a.n), 0);
    /* key 1: [0,24) {0,5,14}, [30,57) {30,38,47}; key 2: [1,11), [20,39); key 3: [50,60) */
    cr_assert_eq(a.n, 5);
}

Test(group_op, session_emit_changes_sends_the_merged_session) {
    static const int64_t rows[][3] = {{1, 1, 0}, {1, 2, 18}, {1, 4, 9}};
    collected c;
    run_sessions(&c, rows, 3, 1, false, true);
    cr_assert_eq(c.n, 3, "one update per batch that changed the key");
    cr_assert_eq(c.rows[2][1], 0);
    cr_assert_eq(c.rows[2][4], 28000000);
    cr_assert_eq(c.rows[2][2], 7);
    cr_assert_eq(c.rows[2][3], 3);
}

Test(group_op, session_closes_on_the_watermark_and_late_rows_are_dropped) {
    /* watermark = max event time before the row: after t=40 the session [0,15) of key 1 is closed,
     * so t=3 is late; t=35 joins nothing closed and opens [35,45) */
    static const int64_t rows[][3] = {{1, 1, 0}, {1, 2, 5}, {2, 1, 40}, {1, 9, 3}, {1, 4, 35}};
    collected c;
    memset(&c, 0, sizeof c);
    velo_operator *op = make_op_kind(&c, true, true, false, false, VELO_WIN_SESSION);
    push_rows(op, rows, 3, 3);
    cr_assert_eq(c.n, 1, "[0,15) closes once the watermark passes 15");
    cr_assert_eq(c.rows[0][2], 3);
    push_rows(op, rows + 3, 2, 2);
    velo_error err = {0};
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK);
    velo_group_stats gs;
    velo_group_op_stats(op, &gs);
    cr_assert_eq(gs.late_rows, 1);
    velo_operator_destroy_chain(op);
    cr_assert_eq(c.n, 3);
}

Test(group_op, many_groups_grow_the_table_in_chunks_and_stay_compact) {
    collected c = {0};
    velo_operator *op = make_op(&c, false, false, false, false);
    enum { N = 100000 };
    int64_t(*rows)[3] = malloc(sizeof *rows * N);
    for (int64_t i = 0; i < N; i++)
        rows[i][0] = i, rows[i][1] = 1, rows[i][2] = 0;
    push_rows(op, (const int64_t(*)[3])rows, N, 64);
    velo_group_stats gs;
    velo_group_op_stats(op, &gs);
    cr_assert_eq(gs.groups_live, N);
    /* BIGINT key + SUM + COUNT: 16 header + 16 key + 24 states = 56 bytes, plus buckets and the
     * last chunk's unused tail */
    cr_assert_leq(gs.table_bytes / N, 72, "%llu bytes per group", (unsigned long long)(gs.table_bytes / N));
    free(rows);
    velo_operator_destroy_chain(op); /* no finish: MAXOUT would overflow */
}

Test(group_op, without_a_time_column_windows_use_processing_time) {
    pt_rows got = {0};
    velo_operator *op = make_pt_op(false, &got);
    velo_error err = {0};
    static const int64_t rows[][3] = {{1, 1, -5}, {2, 1, 999999}, {3, 1, 0}};
    push_rows(op, rows, 3, 3); /* the t column is ignored */
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK);
    velo_operator_destroy_chain(op);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t total = 0;
    for (uint32_t i = 0; i < got.n; i++) {
        total += got.rows[i][1];
        cr_assert_leq(got.rows[i][0], (int64_t)ts.tv_sec * 1000000, "the window of the wall clock, not of t");
        cr_assert_gt(got.rows[i][0], ((int64_t)ts.tv_sec - 7200) * 1000000);
    }
    cr_assert_eq(total, 3);
}

static int64_t wall_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

Test(group_op, idle_timeout_closes_the_last_window_of_a_quiet_stream) {
    static collected c;
    memset(&c, 0, sizeof c);
    velo_operator *op = make_op_idle(&c, true, true, false, false, VELO_WIN_TUMBLING, 1000000); /* 1 s */
    static const int64_t rows[][3] = {{1, 10, 1}, {1, 5, 2}, {2, 7, 3}};
    push_rows(op, rows, 3, 3);
    velo_error err = {0};
    int64_t now = wall_now_us();
    cr_assert_eq(velo_operator_tick(op, now + 500000, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(c.n, 0, "idle for less than idle.timeout: the window stays open");
    cr_assert_eq(velo_operator_tick(op, now + 20000000, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(c.n, 2, "idle for 20 s: event time advanced past the window's end [0 s, 10 s)");
    cr_assert_eq(c.rows[0][1] + c.rows[1][1], 0);
    int64_t emitted = c.n;
    static const int64_t late[][3] = {{1, 1, 4}}; /* behind the advanced watermark: late */
    push_rows(op, late, 1, 1);
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(c.n, emitted, "a row behind the advanced watermark is late, not a new window");
    velo_operator_destroy_chain(op);
}

Test(group_op, without_idle_timeout_a_tick_leaves_event_time_windows_open) {
    static collected c;
    memset(&c, 0, sizeof c);
    velo_operator *op = make_op(&c, true, true, false, false);
    static const int64_t rows[][3] = {{1, 10, 1}, {1, 5, 2}};
    push_rows(op, rows, 2, 2);
    velo_error err = {0};
    cr_assert_eq(velo_operator_tick(op, wall_now_us() + 3600000000LL, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(c.n, 0, "event time only moves with rows");
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(c.n, 1);
    velo_operator_destroy_chain(op);
}

Test(group_op, processing_time_windows_close_on_a_tick_without_input) {
    pt_rows got = {0};
    velo_operator *op = make_pt_op(true, &got);
    velo_error err = {0};
    static const int64_t rows[][3] = {{1, 1, 0}, {2, 1, 0}};
    push_rows(op, rows, 2, 2);
    cr_assert_eq(got.n, 0);
    cr_assert_eq(velo_operator_tick(op, wall_now_us() + 2 * 3600000000LL, &err), VELO_OK, "%s", err.message);
    cr_assert_eq(got.n, 1, "the wall clock passed the window's end: it closed before the end of input");
    cr_assert_eq(got.rows[0][1], 2);
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK);
    cr_assert_eq(got.n, 1);
    velo_operator_destroy_chain(op);
}

/* SLIDING(10s, 2s) goes by panes (a row folded into one 2 s pane, windows merged from 5 panes when
 * they close): each (key, window) must hold exactly the rows a per-window reference gives it, with
 * the per-row watermark (a row only reaches its windows that end after the watermark its
 * predecessors made), whatever the batch size. */
static uint32_t sliding_reference(const int64_t (*rows)[3], uint32_t n, bool watermark, int64_t (*out)[5]) {
    uint32_t m = 0;
    int64_t max_t = INT64_MIN;
    for (uint32_t i = 0; i < n; i++) {
        int64_t t = rows[i][2];
        for (int64_t ws = t - t % 2 - 8; ws <= t; ws += 2) {
            if (ws < 0 && t - ws >= 10) continue;
            if (t < ws || t >= ws + 10) continue;
            if (watermark && max_t != INT64_MIN && ws + 10 <= max_t) continue; /* closed for this row */
            uint32_t k = 0;
            while (k < m && !(out[k][0] == rows[i][0] && out[k][1] == ws * 1000000))
                k++;
            if (k == m) {
                out[m][0] = rows[i][0], out[m][1] = ws * 1000000, out[m][2] = 0, out[m][3] = 0;
                out[m][4] = (ws + 10) * 1000000;
                m++;
            }
            out[k][2] += rows[i][1];
            out[k][3]++;
        }
        if (t > max_t) max_t = t;
    }
    qsort(out, m, sizeof *out, cmp_rows);
    return m;
}

Test(group_op, sliding_windows_by_panes_hold_the_rows_of_each_window) {
    static const int64_t OOO[][3] = {{1, 10, 1}, {2, 5, 3},  {1, 7, 12}, {1, 1, 9},  {2, 2, 15}, {3, 4, 21},
                                     {1, 3, 8},  {2, 6, 25}, {3, 9, 29}, {1, 2, 31}, {2, 8, 18}, {1, 5, 40},
                                     {1, 4, 33}, {2, 1, 26}, {3, 3, 30}, {1, 6, 41}, {2, 2, 22}, {1, 1, 44}};
    uint32_t n = sizeof OOO / sizeof *OOO;
    for (int wm = 0; wm < 2; wm++) {
        int64_t want[MAXOUT][5];
        uint32_t nwant = sliding_reference(OOO, n, wm, want);
        uint32_t batches[] = {1, 4, 64};
        for (uint32_t bi = 0; bi < 3; bi++) {
            collected c = {0};
            velo_operator *op = make_op_adv(&c, true, wm, false, false, VELO_WIN_SLIDING, 0, 2000000);
            push_rows(op, OOO, n, batches[bi]);
            velo_error err = {0};
            cr_assert_eq(velo_operator_finish(op, &err), VELO_OK, "%s", err.message);
            velo_operator_destroy_chain(op);
            qsort(c.rows, c.n, sizeof c.rows[0], cmp_rows);
            cr_assert_eq(c.n, nwant, "watermark %d, batch %u: %u rows, want %u", wm, batches[bi], c.n, nwant);
            for (uint32_t i = 0; i < c.n; i++)
                cr_assert_eq(memcmp(c.rows[i], want[i], sizeof want[i]), 0,
                             "watermark %d, batch %u, row %u: key %lld window %lld sum %lld n %lld, want sum "
                             "%lld n %lld",
                             wm, batches[bi], i, (long long)c.rows[i][0], (long long)c.rows[i][1],
                             (long long)c.rows[i][2], (long long)c.rows[i][3], (long long)want[i][2],
                             (long long)want[i][3]);
        }
    }
}
