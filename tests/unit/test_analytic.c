/* The window-function operator (core/analytic_op.h) on small inputs: each function and frame over
 * a bounded input (exact SQL: partitions sorted at the end) and over an unbounded one (rows emitted
 * on arrival, LEAD when the next row comes, state pruned to what the frames need).
 * Input rows are (ts, sym, v); the output is written as "v=result" per row in emission order. */
#include <criterion/criterion.h>
#include <mimalloc.h>
#include <string.h>

#include "core/aggregate.h"
#include "core/analytic_op.h"
#include "core/strbuf.h"

#define TS     velo_type_make(VELO_TYPE_TIMESTAMP)
#define BIGINT velo_type_make(VELO_TYPE_BIGINT)
#define VCHAR  velo_type_make(VELO_TYPE_VARCHAR)
#define DOUBLE velo_type_make(VELO_TYPE_DOUBLE)
#define SEC    1000000LL

typedef struct in_row {
    int64_t ts;
    const char *sym;
    int64_t v;
} in_row;

static velo_strbuf g_out;

static velo_expr *col(uint32_t i, velo_type t) {
    velo_expr *e = velo_expr_new(VELO_EXPR_COLUMN, t, 0);
    e->column = i;
    return e;
}

static velo_expr *lit(int64_t x) {
    velo_expr *e = velo_expr_new(VELO_EXPR_CONST, BIGINT, 0);
    e->constant.type = BIGINT;
    e->constant.is_null = false;
    e->constant.u.i64 = x;
    return e;
}

static velo_expr **exprs(uint32_t n, velo_expr *a, velo_expr *b, velo_expr *c) {
    velo_expr **v = mi_zalloc(sizeof *v * (n + 1));
    velo_expr *all[3] = {a, b, c};
    for (uint32_t i = 0; i < n; i++)
        v[i] = all[i];
    return v;
}

/* fn OVER (PARTITION BY sym ORDER BY ts) with the given frame; args over (ts, sym, v). */
static velo_analytic_fn call(velo_analytic_kind k, velo_type type, uint32_t nargs, velo_expr **args,
                             velo_analytic_frame fr) {
    velo_analytic_fn f = {0};
    f.kind = k;
    f.type = type;
    f.args = args ? args : exprs(0, NULL, NULL, NULL);
    f.nargs = nargs;
    f.partition_by = exprs(1, col(1, VCHAR), NULL, NULL);
    f.npartition = 1;
    f.order_by = mi_zalloc(sizeof *f.order_by);
    f.order_by[0] = (velo_analytic_key){col(0, TS), false, false};
    f.norder = 1;
    f.frame = fr;
    return f;
}

static velo_analytic_fn agg_call(const char *name, velo_analytic_frame fr) {
    velo_analytic_fn f = call(VELO_ANALYTIC_AGGREGATE, BIGINT, 1, exprs(1, col(2, BIGINT), NULL, NULL), fr);
    velo_type args[1] = {BIGINT};
    velo_error err;
    cr_assert_eq(velo_agg_desc_make(name, args, 1, false, BIGINT, NULL, &f.desc, &err), VELO_OK, "%s",
                 err.message);
    return f;
}

static const velo_analytic_frame DEFAULT_FRAME = {true, VELO_EDGE_UNBOUNDED_PRECEDING, VELO_EDGE_CURRENT_ROW,
                                                  0, 0};

static velo_status sink_write(void *ud, const velo_batch *b, velo_error *err) {
    uint32_t last = b->ncols - 1;
    for (uint32_t k = 0; k < velo_batch_live(b); k++) {
        uint32_t r = velo_batch_row(b, k);
        const velo_vector *res = &b->cols[last];
        velo_strbuf_printf(&g_out, "%s%lld=", g_out.len ? " " : "",
                           (long long)VELO_VEC(&b->cols[2], int64_t)[r]);
        if (!velo_vector_is_valid(res, r))
            velo_strbuf_puts(&g_out, "null");
        else if (res->type.id == VELO_TYPE_DOUBLE)
            velo_strbuf_printf(&g_out, "%g", VELO_VEC(res, double)[r]);
        else
            velo_strbuf_printf(&g_out, "%lld", (long long)VELO_VEC(res, int64_t)[r]);
    }
    return VELO_OK;
}

static velo_status sink_flush(void *ud, velo_error *err) { return VELO_OK; }

static velo_schema *input_schema(void) {
    velo_schema *s = velo_schema_new(3);
    velo_schema_set(s, 0, "ts", TS);
    velo_schema_set(s, 1, "sym", VCHAR);
    velo_schema_set(s, 2, "v", BIGINT);
    return s;
}

/* Builds the operator for one call; NULL with err set when it cannot run. */
static velo_operator *make_op(velo_analytic_fn f, bool bounded, velo_error *err) {
    velo_schema *in = input_schema();
    velo_schema *out = velo_schema_new(4);
    for (uint32_t i = 0; i < 3; i++)
        velo_schema_set(out, i, in->fields[i].name, in->fields[i].type);
    velo_schema_set(out, 3, "w", f.type);
    velo_analytic_config cfg = {.calls = &f,
                                .ncalls = 1,
                                .bounded = bounded,
                                .input = in,
                                .output = out,
                                .capacity = 64,
                                .file = "t.sql"};
    velo_operator *op = velo_analytic_op_new(&cfg, err);
    if (op) op->next = velo_sink_op_new((velo_sink_fns){sink_write, sink_flush, NULL});
    velo_schema_free(in);
    velo_schema_free(out);
    return op;
}

/* Pushes rows in batches of `per_batch`, then finishes; returns the output text. */
static const char *run(velo_analytic_fn f, bool bounded, const in_row *rows, uint32_t n, uint32_t per_batch) {
    velo_strbuf_clear(&g_out);
    velo_error err;
    velo_operator *op = make_op(f, bounded, &err);
    cr_assert_not_null(op, "%s", err.message);
    velo_schema *in = input_schema();
    velo_batch *b = velo_batch_new(in, 64);
    for (uint32_t i = 0; i < n;) {
        velo_batch_reset(b);
        for (uint32_t k = 0; k < per_batch && i < n; k++, i++) {
            velo_vector_set_valid(&b->cols[0], k);
            VELO_VEC(&b->cols[0], int64_t)[k] = rows[i].ts;
            velo_vector_set_valid(&b->cols[1], k);
            VELO_VEC(&b->cols[1], velo_str)[k] = (velo_str){rows[i].sym, (uint32_t)strlen(rows[i].sym)};
            velo_vector_set_valid(&b->cols[2], k);
            VELO_VEC(&b->cols[2], int64_t)[k] = rows[i].v;
            b->origin[k] = i + 1;
            b->count++;
        }
        cr_assert_eq(velo_operator_push(op, b, &err), VELO_OK, "%s", err.message);
    }
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK, "%s", err.message);
    velo_batch_free(b);
    velo_schema_free(in);
    velo_operator_destroy_chain(op);
    velo_strbuf_putc(&g_out, '\0');
    return g_out.data;
}

#define N(a) (uint32_t)(sizeof(a) / sizeof *(a))

/* A: v 1..4 at t = 0, 10, 5, 20 s (row 3 arrives late); B: v 10, 20 at 3, 3 s (peers) */
static const in_row ROWS[] = {{0, "A", 1},       {10 * SEC, "A", 2}, {3 * SEC, "B", 10},
                              {5 * SEC, "A", 3}, {3 * SEC, "B", 20}, {20 * SEC, "A", 4}};

TestSuite(analytic, .init = NULL);

Test(analytic, row_number_on_bounded_input_follows_order_by_not_arrival) {
    const char *out =
        run(call(VELO_ANALYTIC_ROW_NUMBER, BIGINT, 0, NULL, DEFAULT_FRAME), true, ROWS, N(ROWS), 64);
    cr_assert_str_eq(out, "1=1 2=3 10=1 3=2 20=2 4=4");
}

Test(analytic, row_number_on_unbounded_input_is_computed_at_arrival) {
    /* row 3 (t=5) arrives after row 2 (t=10): it is placed before it, number 2, and row 2 keeps its 2 */
    const char *out =
        run(call(VELO_ANALYTIC_ROW_NUMBER, BIGINT, 0, NULL, DEFAULT_FRAME), false, ROWS, N(ROWS), 1);
    cr_assert_str_eq(out, "1=1 2=2 10=1 3=2 20=2 4=4");
}

Test(analytic, rank_and_dense_rank_give_peers_one_rank) {
    in_row rows[] = {{1, "A", 1}, {2, "A", 2}, {2, "A", 3}, {3, "A", 4}};
    cr_assert_str_eq(run(call(VELO_ANALYTIC_RANK, BIGINT, 0, NULL, DEFAULT_FRAME), true, rows, 4, 64),
                     "1=1 2=2 3=2 4=4");
    cr_assert_str_eq(run(call(VELO_ANALYTIC_DENSE_RANK, BIGINT, 0, NULL, DEFAULT_FRAME), true, rows, 4, 64),
                     "1=1 2=2 3=2 4=3");
    cr_assert_str_eq(run(call(VELO_ANALYTIC_DENSE_RANK, BIGINT, 0, NULL, DEFAULT_FRAME), false, rows, 4, 1),
                     "1=1 2=2 3=2 4=3");
}

Test(analytic, lag_with_offset_and_default) {
    velo_analytic_fn f =
        call(VELO_ANALYTIC_LAG, BIGINT, 3, exprs(3, col(2, BIGINT), lit(2), lit(-1)), DEFAULT_FRAME);
    cr_assert_str_eq(run(f, true, ROWS, N(ROWS), 64), "1=-1 2=1 10=-1 3=-1 20=-1 4=3");
}

Test(analytic, lag_on_unbounded_input_reads_the_rows_kept) {
    in_row rows[] = {{1, "A", 1}, {2, "A", 2}, {3, "A", 3}, {4, "A", 4}};
    velo_analytic_fn f =
        call(VELO_ANALYTIC_LAG, BIGINT, 1, exprs(1, col(2, BIGINT), NULL, NULL), DEFAULT_FRAME);
    cr_assert_str_eq(run(f, false, rows, 4, 1), "1=null 2=1 3=2 4=3");
}

Test(analytic, lead_on_bounded_input_ends_with_the_default) {
    velo_analytic_fn f =
        call(VELO_ANALYTIC_LEAD, BIGINT, 3, exprs(3, col(2, BIGINT), lit(1), lit(0)), DEFAULT_FRAME);
    cr_assert_str_eq(run(f, true, ROWS, N(ROWS), 64), "1=3 2=4 10=20 3=2 20=0 4=0");
}

Test(analytic, lead_on_unbounded_input_emits_a_row_when_the_next_arrives) {
    in_row rows[] = {{1, "A", 1}, {1, "B", 10}, {2, "A", 2}, {3, "A", 3}};
    velo_analytic_fn f =
        call(VELO_ANALYTIC_LEAD, BIGINT, 1, exprs(1, col(2, BIGINT), NULL, NULL), DEFAULT_FRAME);
    /* 1 waits for 2, 2 for 3; at the end 10 and 3 go out with NULL, in arrival order */
    cr_assert_str_eq(run(f, false, rows, 4, 1), "1=2 2=3 10=null 3=null");
}

Test(analytic, running_sum_rows_unbounded_preceding) {
    velo_analytic_frame fr = {false, VELO_EDGE_UNBOUNDED_PRECEDING, VELO_EDGE_CURRENT_ROW, 0, 0};
    cr_assert_str_eq(run(agg_call("SUM", fr), true, ROWS, N(ROWS), 64), "1=1 2=6 10=10 3=4 20=30 4=10");
    cr_assert_str_eq(run(agg_call("SUM", fr), false, ROWS, N(ROWS), 1), "1=1 2=3 10=10 3=4 20=30 4=10");
}

Test(analytic, default_range_frame_includes_peers) {
    /* B's two rows are peers (t=3): both see 10 + 20 */
    cr_assert_str_eq(run(agg_call("SUM", DEFAULT_FRAME), true, ROWS, N(ROWS), 64),
                     "1=1 2=6 10=30 3=4 20=30 4=10");
}

Test(analytic, moving_sum_rows_1_preceding) {
    velo_analytic_frame fr = {false, VELO_EDGE_PRECEDING, VELO_EDGE_CURRENT_ROW, 1, 0};
    cr_assert_str_eq(run(agg_call("SUM", fr), true, ROWS, N(ROWS), 64), "1=1 2=5 10=10 3=4 20=30 4=6");
}

Test(analytic, moving_max_recomputes_without_retract) {
    velo_analytic_frame fr = {false, VELO_EDGE_PRECEDING, VELO_EDGE_CURRENT_ROW, 1, 0};
    in_row rows[] = {{1, "A", 5}, {2, "A", 1}, {3, "A", 2}, {4, "A", 0}};
    cr_assert_str_eq(run(agg_call("MAX", fr), true, rows, 4, 64), "5=5 1=5 2=2 0=2");
    cr_assert_str_eq(run(agg_call("MAX", fr), false, rows, 4, 1), "5=5 1=5 2=2 0=2");
}

Test(analytic, rows_frame_with_following) {
    velo_analytic_frame fr = {false, VELO_EDGE_PRECEDING, VELO_EDGE_FOLLOWING, 1, 1};
    cr_assert_str_eq(run(agg_call("SUM", fr), true, ROWS, N(ROWS), 64), "1=4 2=9 10=30 3=6 20=30 4=6");
}

Test(analytic, range_interval_frame_counts_rows_within_the_interval) {
    /* A at 0, 5, 10, 20 s; 5 s PRECEDING: 1 | 1+3 | 3+2 | 4 */
    velo_analytic_frame fr = {true, VELO_EDGE_PRECEDING, VELO_EDGE_CURRENT_ROW, 5 * SEC, 0};
    cr_assert_str_eq(run(agg_call("SUM", fr), true, ROWS, N(ROWS), 64), "1=1 2=5 10=30 3=4 20=30 4=4");
    /* streaming: row 3 (t=5) arrives when t=0 was already dropped (more than 5 s before t=10) */
    cr_assert_str_eq(run(agg_call("SUM", fr), false, ROWS, N(ROWS), 2), "1=1 2=2 10=10 3=3 20=30 4=4");
}

Test(analytic, ntile_percent_rank_cume_dist_need_the_partition) {
    in_row rows[] = {{1, "A", 1}, {2, "A", 2}, {3, "A", 3}, {4, "A", 4}, {5, "A", 5}};
    velo_analytic_fn f = call(VELO_ANALYTIC_NTILE, BIGINT, 1, exprs(1, lit(2), NULL, NULL), DEFAULT_FRAME);
    cr_assert_str_eq(run(f, true, rows, 5, 64), "1=1 2=1 3=1 4=2 5=2");
    cr_assert_str_eq(run(call(VELO_ANALYTIC_PERCENT_RANK, DOUBLE, 0, NULL, DEFAULT_FRAME), true, rows, 5, 64),
                     "1=0 2=0.25 3=0.5 4=0.75 5=1");
    cr_assert_str_eq(run(call(VELO_ANALYTIC_CUME_DIST, DOUBLE, 0, NULL, DEFAULT_FRAME), true, rows, 5, 64),
                     "1=0.2 2=0.4 3=0.6 4=0.8 5=1");
    velo_error err;
    velo_operator *op = make_op(
        call(VELO_ANALYTIC_NTILE, BIGINT, 1, exprs(1, lit(2), NULL, NULL), DEFAULT_FRAME), false, &err);
    cr_assert_null(op);
    cr_assert(strstr(err.message, "not supported yet on unbounded input"), "%s", err.message);
}

Test(analytic, first_last_nth_value_over_the_frame) {
    velo_analytic_frame whole = {false, VELO_EDGE_UNBOUNDED_PRECEDING, VELO_EDGE_UNBOUNDED_FOLLOWING, 0, 0};
    velo_analytic_frame upto = {false, VELO_EDGE_UNBOUNDED_PRECEDING, VELO_EDGE_CURRENT_ROW, 0, 0};
    velo_expr **x = exprs(1, col(2, BIGINT), NULL, NULL);
    cr_assert_str_eq(run(call(VELO_ANALYTIC_FIRST_VALUE, BIGINT, 1, x, upto), true, ROWS, N(ROWS), 64),
                     "1=1 2=1 10=10 3=1 20=10 4=1");
    x = exprs(1, col(2, BIGINT), NULL, NULL);
    cr_assert_str_eq(run(call(VELO_ANALYTIC_LAST_VALUE, BIGINT, 1, x, whole), true, ROWS, N(ROWS), 64),
                     "1=4 2=4 10=20 3=4 20=20 4=4");
    x = exprs(2, col(2, BIGINT), lit(2), NULL);
    cr_assert_str_eq(run(call(VELO_ANALYTIC_NTH_VALUE, BIGINT, 2, x, upto), true, ROWS, N(ROWS), 64),
                     "1=null 2=3 10=null 3=3 20=20 4=3");
}

Test(analytic, unbounded_running_sum_stays_exact_when_rows_are_pruned_and_compacted) {
    /* 20000 in-order rows over two partitions: the store is compacted many times; the running sum
     * keeps the dropped rows folded in its base state */
    enum { M = 20000 };
    static in_row rows[M];
    for (uint32_t i = 0; i < M; i++)
        rows[i] = (in_row){(int64_t)i * SEC, i % 2 ? "B" : "A", 1};
    velo_analytic_frame fr = {false, VELO_EDGE_UNBOUNDED_PRECEDING, VELO_EDGE_CURRENT_ROW, 0, 0};
    const char *out = run(agg_call("COUNT", fr), false, rows, M, 64);
    const char *want = " 1=9999 1=9999 1=10000 1=10000"; /* A's and B's last two rows */
    cr_assert_str_eq(out + strlen(out) - strlen(want), want);
    uint32_t emitted = 0;
    for (const char *p = out; *p; p++)
        emitted += *p == '=';
    cr_assert_eq(emitted, M);
}

Test(analytic, unbounded_input_rejects_frames_that_need_later_rows) {
    velo_analytic_frame fr = {false, VELO_EDGE_PRECEDING, VELO_EDGE_FOLLOWING, 1, 1};
    velo_error err;
    cr_assert_null(make_op(agg_call("SUM", fr), false, &err));
    cr_assert(strstr(err.message, "needs rows after the current one"), "%s", err.message);
}

Test(analytic, range_interval_frame_on_a_descending_key_looks_at_later_times) {
    /* ORDER BY ts DESC: 5 s PRECEDING are the rows up to 5 s later: A 20 | 10 | 10, 5 | 5, 0 */
    velo_analytic_frame fr = {true, VELO_EDGE_PRECEDING, VELO_EDGE_CURRENT_ROW, 5 * SEC, 0};
    velo_analytic_fn f = agg_call("SUM", fr);
    f.order_by[0].desc = true;
    cr_assert_str_eq(run(f, true, ROWS, N(ROWS), 64), "1=4 2=2 10=30 3=5 20=30 4=4");
}
