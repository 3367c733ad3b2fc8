/* ORDER BY, LIMIT and SELECT DISTINCT operators: ordering with NULLs and NaN, stability across
 * batches, hidden columns dropped, LIMIT stopping, DISTINCT keeping first occurrences. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "core/distinct_op.h"
#include "core/operator.h"
#include "core/sort_op.h"

#define CAP  16
#define NONE INT64_MIN /* stands for NULL in the test rows */

/* What reached the sink: how many live rows, and columns 0 and 1 of the first 256 as int64 (NONE for NULL).
 */
typedef struct collected {
    int64_t c0[256], c1[256];
    uint32_t n, ncols, batches;
    bool finished;
} collected;

static int64_t cell(const velo_vector *v, uint32_t i) {
    if (!velo_vector_is_valid(v, i)) return NONE;
    if (v->type.id == VELO_TYPE_DOUBLE) return (int64_t)VELO_VEC(v, double)[i];
    if (v->type.id == VELO_TYPE_VARCHAR) return VELO_VEC(v, velo_str)[i].ptr[0];
    return VELO_VEC(v, int64_t)[i];
}

static velo_status collect(void *ud, const velo_batch *b, velo_error *err) {
    (void)err;
    collected *c = ud;
    c->ncols = b->ncols;
    c->batches++;
    for (uint32_t k = 0; k < velo_batch_live(b); k++) {
        uint32_t i = velo_batch_row(b, k);
        if (c->n < 256) {
            c->c0[c->n] = cell(&b->cols[0], i);
            c->c1[c->n] = b->ncols > 1 ? cell(&b->cols[1], i) : 0;
        }
        c->n++;
    }
    return VELO_OK;
}

static velo_status collect_end(void *ud, velo_error *err) {
    (void)err;
    ((collected *)ud)->finished = true;
    return VELO_OK;
}

static velo_operator *sink(collected *c) {
    return velo_sink_op_new((velo_sink_fns){collect, collect_end, c});
}

/* Two BIGINT columns: a key (NONE = NULL) and a payload. */
static velo_batch *rows2(const int64_t *key, const int64_t *payload, uint32_t n) {
    velo_type t[2] = {velo_type_make(VELO_TYPE_BIGINT), velo_type_make(VELO_TYPE_BIGINT)};
    velo_batch *b = velo_batch_new_types(2, t, CAP);
    for (uint32_t i = 0; i < n; i++) {
        if (key[i] != NONE) {
            VELO_VEC(&b->cols[0], int64_t)[i] = key[i];
            velo_vector_set_valid(&b->cols[0], i);
        }
        VELO_VEC(&b->cols[1], int64_t)[i] = payload[i];
        velo_vector_set_valid(&b->cols[1], i);
        b->origin[i] = i + 1;
    }
    b->count = n;
    return b;
}

static velo_expr *col(uint32_t i, velo_type t) {
    velo_expr *e = velo_expr_new(VELO_EXPR_COLUMN, t, 0);
    e->column = i;
    return e;
}

static velo_schema *schema2(velo_type_id a, velo_type_id b) {
    velo_schema *s = velo_schema_new(2);
    velo_schema_set(s, 0, "k", velo_type_make(a));
    velo_schema_set(s, 1, "v", velo_type_make(b));
    return s;
}

/* A sort on column 0 (of type t) writing columns out_cols to a collecting sink. */
static velo_operator *sort_on_col0(const velo_schema *in, bool desc, bool nulls_first,
                                   const uint32_t *out_cols, uint32_t nout, collected *c) {
    velo_sort_spec key = {col(0, in->fields[0].type), desc, nulls_first};
    velo_error err = {0};
    velo_sort_config cfg = {.keys = &key,
                            .nkeys = 1,
                            .input = in,
                            .out_cols = out_cols,
                            .nout = nout,
                            .capacity = CAP,
                            .file = "t.sql"};
    velo_operator *op = velo_sort_op_new(&cfg, &err);
    cr_assert(op, "%s", err.message);
    op->next = sink(c);
    return op;
}

static const uint32_t BOTH[2] = {0, 1};

Test(sort, ascending_puts_nulls_last_and_emits_only_at_finish) {
    velo_schema *s = schema2(VELO_TYPE_BIGINT, VELO_TYPE_BIGINT);
    collected c = {0};
    velo_operator *op = sort_on_col0(s, false, false, BOTH, 2, &c);
    velo_error err = {0};
    velo_batch *b = rows2((int64_t[]){3, NONE, 1, 2}, (int64_t[]){30, 0, 10, 20}, 4);
    cr_assert_eq(velo_operator_push(op, b, &err), VELO_OK);
    cr_expect_eq(c.n, 0, "a sort emits nothing before the end of its input");
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK);
    cr_assert_eq(c.n, 4);
    int64_t want[4] = {1, 2, 3, NONE};
    for (int i = 0; i < 4; i++)
        cr_expect_eq(c.c0[i], want[i], "row %d", i);
    cr_expect(c.finished);
    velo_batch_free(b);
    velo_operator_destroy_chain(op);
    velo_schema_free(s);
}

Test(sort, descending_with_nulls_first) {
    velo_schema *s = schema2(VELO_TYPE_BIGINT, VELO_TYPE_BIGINT);
    collected c = {0};
    velo_operator *op = sort_on_col0(s, true, true, BOTH, 2, &c);
    velo_error err = {0};
    velo_batch *b = rows2((int64_t[]){3, NONE, 1, 2}, (int64_t[]){30, 0, 10, 20}, 4);
    velo_operator_push(op, b, &err);
    velo_operator_finish(op, &err);
    int64_t want[4] = {NONE, 3, 2, 1};
    for (int i = 0; i < 4; i++)
        cr_expect_eq(c.c0[i], want[i], "row %d", i);
    velo_batch_free(b);
    velo_operator_destroy_chain(op);
    velo_schema_free(s);
}

Test(sort, equal_keys_keep_arrival_order_across_many_batches) {
    velo_schema *s = schema2(VELO_TYPE_BIGINT, VELO_TYPE_BIGINT);
    collected c = {0};
    velo_operator *op = sort_on_col0(s, false, false, BOTH, 2, &c);
    velo_error err = {0};
    /* 10 batches of 16 rows (more than one buffered run and one output batch): key = payload % 3 */
    for (int64_t batch = 0; batch < 10; batch++) {
        int64_t key[CAP], payload[CAP];
        for (int64_t i = 0; i < CAP; i++) {
            payload[i] = batch * CAP + i;
            key[i] = (CAP * 10 - payload[i]) % 3;
        }
        velo_batch *b = rows2(key, payload, CAP);
        cr_assert_eq(velo_operator_push(op, b, &err), VELO_OK);
        velo_batch_free(b);
    }
    cr_assert_eq(velo_operator_finish(op, &err), VELO_OK);
    cr_assert_eq(c.n, 160);
    cr_expect_gt(c.batches, 1);
    for (uint32_t i = 1; i < c.n; i++) {
        cr_expect_leq(c.c0[i - 1], c.c0[i], "keys ascend at %u", i);
        if (c.c0[i - 1] == c.c0[i])
            cr_expect_lt(c.c1[i - 1], c.c1[i], "equal keys keep arrival order at %u", i);
    }
    velo_operator_destroy_chain(op);
    velo_schema_free(s);
}

Test(sort, output_leaves_out_hidden_columns) {
    velo_schema *s = schema2(VELO_TYPE_BIGINT, VELO_TYPE_BIGINT);
    collected c = {0};
    /* ORDER BY the hidden column 0, output only column 1 */
    velo_operator *op = sort_on_col0(s, true, false, (uint32_t[]){1}, 1, &c);
    velo_error err = {0};
    velo_batch *b = rows2((int64_t[]){1, 3, 2}, (int64_t[]){10, 30, 20}, 3);
    velo_operator_push(op, b, &err);
    velo_operator_finish(op, &err);
    cr_expect_eq(c.ncols, 1);
    cr_expect_eq(c.c0[0], 30);
    cr_expect_eq(c.c0[1], 20);
    cr_expect_eq(c.c0[2], 10);
    velo_batch_free(b);
    velo_operator_destroy_chain(op);
    velo_schema_free(s);
}

Test(sort, strings_order_by_code_point_and_nan_sorts_last) {
    velo_schema *s = schema2(VELO_TYPE_VARCHAR, VELO_TYPE_DOUBLE);
    velo_type t[2] = {s->fields[0].type, s->fields[1].type};
    velo_batch *b = velo_batch_new_types(2, t, CAP);
    const char *words[4] = {"\xe5\x8c\x97", "b", "Z", "\xc3\xa9"}; /* 北, b, Z, é */
    double nums[4] = {NAN, 2.0, -1.0, 7.0};
    for (uint32_t i = 0; i < 4; i++) {
        VELO_VEC(&b->cols[0], velo_str)[i] = (velo_str){(char *)words[i], (uint32_t)strlen(words[i])};
        velo_vector_set_valid(&b->cols[0], i);
        VELO_VEC(&b->cols[1], double)[i] = nums[i];
        velo_vector_set_valid(&b->cols[1], i);
    }
    b->count = 4;
    collected c = {0};
    velo_operator *op = sort_on_col0(s, false, false, BOTH, 2, &c);
    velo_error err = {0};
    velo_operator_push(op, b, &err);
    velo_operator_finish(op, &err);
    cr_assert_eq(c.n, 4);
    /* first bytes: Z (0x5a) < b (0x62) < é (0xc3) < 北 (0xe5) */
    cr_expect_eq(c.c0[0], 'Z');
    cr_expect_eq(c.c0[1], 'b');
    cr_expect_eq((char)c.c0[2], (char)0xc3);
    cr_expect_eq((char)c.c0[3], (char)0xe5);
    velo_operator_destroy_chain(op);

    /* the same rows by the DOUBLE column: -1, 2, 7, NaN */
    velo_sort_spec key = {col(1, t[1]), false, false};
    velo_sort_config cfg = {
        .keys = &key, .nkeys = 1, .input = s, .out_cols = (uint32_t[]){1}, .nout = 1, .capacity = CAP};
    collected d = {0};
    op = velo_sort_op_new(&cfg, &err);
    op->next = sink(&d);
    velo_operator_push(op, b, &err);
    velo_operator_finish(op, &err);
    cr_assert_eq(d.n, 4);
    cr_expect_eq(d.c0[0], -1);
    cr_expect_eq(d.c0[1], 2);
    cr_expect_eq(d.c0[2], 7);
    velo_operator_destroy_chain(op);
    velo_batch_free(b);
    velo_schema_free(s);
}

Test(limit, passes_the_first_n_live_rows_then_is_done) {
    collected c = {0};
    velo_operator *op = velo_limit_new(5);
    op->next = sink(&c);
    velo_error err = {0};
    velo_batch *b = rows2((int64_t[]){1, 2, 3, 4}, (int64_t[]){0, 0, 0, 0}, 4);
    velo_operator_push(op, b, &err);
    cr_expect(!velo_limit_done(op));
    velo_batch_free(b);
    b = rows2((int64_t[]){5, 6, 7, 8}, (int64_t[]){0, 0, 0, 0}, 4);
    b->has_sel = true; /* only rows 1 and 3 are live: 6 and 8 */
    b->sel[0] = 1;
    b->sel[1] = 3;
    b->sel_count = 2;
    velo_operator_push(op, b, &err);
    cr_expect(velo_limit_done(op));
    velo_operator_push(op, b, &err);
    velo_operator_finish(op, &err);
    cr_assert_eq(c.n, 5);
    int64_t want[5] = {1, 2, 3, 4, 6};
    for (int i = 0; i < 5; i++)
        cr_expect_eq(c.c0[i], want[i], "row %d", i);
    velo_batch_free(b);
    velo_operator_destroy_chain(op);
}

Test(limit, zero_passes_nothing) {
    collected c = {0};
    velo_operator *op = velo_limit_new(0);
    op->next = sink(&c);
    cr_expect(velo_limit_done(op));
    velo_error err = {0};
    velo_batch *b = rows2((int64_t[]){1}, (int64_t[]){0}, 1);
    velo_operator_push(op, b, &err);
    velo_operator_finish(op, &err);
    cr_expect_eq(c.n, 0);
    cr_expect(c.finished);
    velo_batch_free(b);
    velo_operator_destroy_chain(op);
}

Test(distinct, emits_each_row_the_first_time_it_is_seen_nulls_equal) {
    collected c = {0};
    velo_error err = {0};
    velo_operator *op = velo_distinct_op_new(BOTH, 2, &err);
    cr_assert(op);
    op->next = sink(&c);
    velo_batch *b = rows2((int64_t[]){1, NONE, 1, NONE, 2}, (int64_t[]){7, 7, 7, 7, 7}, 5);
    cr_assert_eq(velo_operator_push(op, b, &err), VELO_OK);
    velo_batch_free(b);
    b = rows2((int64_t[]){2, 1, 3}, (int64_t[]){7, 8, 7}, 3); /* (1, 8) differs from (1, 7) */
    cr_assert_eq(velo_operator_push(op, b, &err), VELO_OK);
    velo_operator_finish(op, &err);
    cr_assert_eq(c.n, 5);
    int64_t want0[5] = {1, NONE, 2, 1, 3}, want1[5] = {7, 7, 7, 8, 7};
    for (int i = 0; i < 5; i++) {
        cr_expect_eq(c.c0[i], want0[i], "row %d", i);
        cr_expect_eq(c.c1[i], want1[i], "row %d", i);
    }
    velo_batch_free(b);
    velo_operator_destroy_chain(op);
}

Test(distinct, compares_only_the_key_columns_and_survives_growth) {
    collected c = {0};
    velo_error err = {0};
    velo_operator *op = velo_distinct_op_new((uint32_t[]){0}, 1, &err);
    op->next = sink(&c);
    /* 10,000 keys (the set grows several times), each sent twice with different payloads */
    for (int round = 0; round < 2; round++)
        for (int64_t base = 0; base < 10000; base += CAP) {
            int64_t key[CAP], payload[CAP];
            for (int64_t i = 0; i < CAP; i++)
                key[i] = base + i, payload[i] = round;
            velo_batch *b = rows2(key, payload, CAP);
            velo_operator_push(op, b, &err);
            velo_batch_free(b);
        }
    velo_operator_finish(op, &err);
    cr_expect_eq(c.n, 10000);
    cr_expect_eq(c.c1[0], 0, "the first occurrence's payload rides along");
    velo_operator_destroy_chain(op);
}
