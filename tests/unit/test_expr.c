/* Expression evaluation: SQL NULL logic, CASE laziness, LIKE, IN, row errors instead of aborts. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/expr.h"
#include "core/operator.h"

#define CAP 16

static velo_batch *batch_i64(const int64_t *vals, const bool *nulls, uint32_t n) {
    velo_type t = velo_type_make(VELO_TYPE_BIGINT);
    velo_batch *b = velo_batch_new_types(1, &t, CAP);
    for (uint32_t i = 0; i < n; i++) {
        if (nulls && nulls[i]) {
            velo_vector_set_null(&b->cols[0], i);
        } else {
            VELO_VEC(&b->cols[0], int64_t)[i] = vals[i];
            velo_vector_set_valid(&b->cols[0], i);
        }
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

static velo_expr *const_i64(int64_t v) {
    velo_expr *e = velo_expr_new(VELO_EXPR_CONST, velo_type_make(VELO_TYPE_BIGINT), 0);
    e->constant = velo_value_i64(v);
    return e;
}

static velo_expr *const_null_bool(void) {
    velo_expr *e = velo_expr_new(VELO_EXPR_CONST, velo_type_make(VELO_TYPE_BOOLEAN), 0);
    e->constant = velo_value_null();
    e->constant.type = velo_type_make(VELO_TYPE_BOOLEAN);
    return e;
}

static velo_expr *const_bool(bool v) {
    velo_expr *e = velo_expr_new(VELO_EXPR_CONST, velo_type_make(VELO_TYPE_BOOLEAN), 0);
    e->constant = velo_value_bool(v);
    return e;
}

static velo_expr *binop(velo_expr_kind k, velo_type t, velo_expr *a, velo_expr *b) {
    velo_expr *e = velo_expr_new(k, t, 2);
    e->args[0] = a;
    e->args[1] = b;
    return e;
}

typedef struct {
    velo_eval_ctx ctx;
    velo_vector *res;
    uint32_t sel[CAP];
} evalrun;

static void run(evalrun *r, velo_expr *e, velo_batch *b) {
    cr_assert_eq(velo_expr_prepare(e, CAP, NULL), VELO_OK);
    cr_assert_eq(velo_eval_ctx_init(&r->ctx, CAP, "t.sql", NULL), VELO_OK);
    for (uint32_t i = 0; i < b->count; i++)
        r->sel[i] = i;
    velo_error err;
    cr_assert_eq(velo_expr_eval(e, b, r->sel, b->count, &r->ctx, &r->res, &err), VELO_OK);
}

static int tri(const velo_vector *v, uint32_t i) { /* -1 NULL, 0 false, 1 true */
    return velo_vector_is_valid(v, i) ? VELO_VEC(v, uint8_t)[i] : -1;
}

Test(expr, and_with_null_is_false_when_other_side_false) {
    int64_t x = 0;
    velo_batch *b = batch_i64(&x, NULL, 1);
    velo_type bt = velo_type_make(VELO_TYPE_BOOLEAN);
    velo_expr *cases[4][3] = {
        {binop(VELO_EXPR_AND, bt, const_null_bool(), const_bool(false)), NULL, NULL},
        {binop(VELO_EXPR_AND, bt, const_null_bool(), const_bool(true)), NULL, NULL},
        {binop(VELO_EXPR_OR, bt, const_null_bool(), const_bool(true)), NULL, NULL},
        {binop(VELO_EXPR_OR, bt, const_null_bool(), const_bool(false)), NULL, NULL},
    };
    int expect[4] = {0, -1, 1, -1};
    for (int k = 0; k < 4; k++) {
        evalrun r;
        run(&r, cases[k][0], b);
        cr_expect_eq(tri(r.res, 0), expect[k], "case %d", k);
        velo_eval_ctx_free(&r.ctx);
        velo_expr_free(cases[k][0]);
    }
    velo_batch_free(b);
}

Test(expr, not_null_is_null) {
    int64_t x = 0;
    velo_batch *b = batch_i64(&x, NULL, 1);
    velo_expr *e = velo_expr_new(VELO_EXPR_NOT, velo_type_make(VELO_TYPE_BOOLEAN), 1);
    e->args[0] = const_null_bool();
    evalrun r;
    run(&r, e, b);
    cr_expect_eq(tri(r.res, 0), -1);
    velo_eval_ctx_free(&r.ctx);
    velo_expr_free(e);
    velo_batch_free(b);
}

Test(expr, comparison_with_null_column_is_null) {
    int64_t v[2] = {5, 0};
    bool nulls[2] = {false, true};
    velo_batch *b = batch_i64(v, nulls, 2);
    velo_type it = velo_type_make(VELO_TYPE_BIGINT);
    velo_expr *e = binop(VELO_EXPR_CMP, velo_type_make(VELO_TYPE_BOOLEAN), col(0, it), const_i64(3));
    e->cmp = VELO_CMP_GT;
    evalrun r;
    run(&r, e, b);
    cr_expect_eq(tri(r.res, 0), 1);
    cr_expect_eq(tri(r.res, 1), -1);
    velo_eval_ctx_free(&r.ctx);
    velo_expr_free(e);
    velo_batch_free(b);
}

Test(expr, bigint_overflow_marks_the_row_failed_not_the_batch) {
    int64_t v[3] = {1, INT64_MAX, 2};
    velo_batch *b = batch_i64(v, NULL, 3);
    velo_type it = velo_type_make(VELO_TYPE_BIGINT);
    velo_expr *e = binop(VELO_EXPR_ARITH, it, col(0, it), const_i64(1));
    e->arith = VELO_ARITH_ADD;
    e->line = 2;
    e->col = 9;
    evalrun r;
    run(&r, e, b);
    cr_expect_eq(r.ctx.errors.count, 1);
    cr_expect_eq(r.ctx.errors.flag[1], 1);
    cr_expect(strstr(r.ctx.errors.message[1], "t.sql:2:9:") != NULL, "%s", r.ctx.errors.message[1]);
    cr_expect(strstr(r.ctx.errors.message[1], "9223372036854775807 + 1") != NULL, "%s",
              r.ctx.errors.message[1]);
    cr_expect_eq(VELO_VEC(r.res, int64_t)[0], 2);
    cr_expect_eq(VELO_VEC(r.res, int64_t)[2], 3);
    velo_eval_ctx_free(&r.ctx);
    velo_expr_free(e);
    velo_batch_free(b);
}

Test(expr, case_evaluates_then_branch_only_for_matching_rows) {
    /* CASE WHEN x = 0 THEN 0 ELSE 10 / x END: no division by zero */
    int64_t v[3] = {0, 5, 2};
    velo_batch *b = batch_i64(v, NULL, 3);
    velo_type it = velo_type_make(VELO_TYPE_BIGINT);
    velo_expr *when = binop(VELO_EXPR_CMP, velo_type_make(VELO_TYPE_BOOLEAN), col(0, it), const_i64(0));
    when->cmp = VELO_CMP_EQ;
    velo_expr *div = binop(VELO_EXPR_ARITH, it, const_i64(10), col(0, it));
    div->arith = VELO_ARITH_DIV;
    velo_expr *e = velo_expr_new(VELO_EXPR_CASE, it, 3);
    e->has_else = true;
    e->args[0] = when;
    e->args[1] = const_i64(0);
    e->args[2] = div;
    evalrun r;
    run(&r, e, b);
    cr_expect_eq(r.ctx.errors.count, 0);
    cr_expect_eq(VELO_VEC(r.res, int64_t)[0], 0);
    cr_expect_eq(VELO_VEC(r.res, int64_t)[1], 2);
    cr_expect_eq(VELO_VEC(r.res, int64_t)[2], 5);
    velo_eval_ctx_free(&r.ctx);
    velo_expr_free(e);
    velo_batch_free(b);
}

Test(expr, division_by_zero_is_a_row_error) {
    int64_t v[2] = {0, 4};
    velo_batch *b = batch_i64(v, NULL, 2);
    velo_type it = velo_type_make(VELO_TYPE_BIGINT);
    velo_expr *e = binop(VELO_EXPR_ARITH, it, const_i64(8), col(0, it));
    e->arith = VELO_ARITH_DIV;
    evalrun r;
    run(&r, e, b);
    cr_expect_eq(r.ctx.errors.count, 1);
    cr_expect(strstr(r.ctx.errors.message[0], "division by zero") != NULL);
    cr_expect_eq(VELO_VEC(r.res, int64_t)[1], 2);
    velo_eval_ctx_free(&r.ctx);
    velo_expr_free(e);
    velo_batch_free(b);
}

Test(expr, in_list_without_match_but_with_null_is_null) {
    int64_t v[2] = {1, 7};
    velo_batch *b = batch_i64(v, NULL, 2);
    velo_type it = velo_type_make(VELO_TYPE_BIGINT);
    velo_expr *e = velo_expr_new(VELO_EXPR_IN_LIST, velo_type_make(VELO_TYPE_BOOLEAN), 3);
    e->args[0] = col(0, it);
    e->args[1] = const_i64(1);
    e->args[2] = velo_expr_new(VELO_EXPR_CONST, it, 0);
    e->args[2]->constant = velo_value_null();
    evalrun r;
    run(&r, e, b);
    cr_expect_eq(tri(r.res, 0), 1);
    cr_expect_eq(tri(r.res, 1), -1);
    velo_eval_ctx_free(&r.ctx);
    velo_expr_free(e);
    velo_batch_free(b);
}

static bool like_ci(const char *s, const char *p, bool ci) {
    velo_type vt = velo_type_make(VELO_TYPE_VARCHAR);
    velo_batch *b = velo_batch_new_types(1, &vt, CAP);
    velo_value sv = velo_value_str(s, (uint32_t)strlen(s));
    velo_vector_set_value(&b->cols[0], 0, &sv, &b->arena);
    b->count = 1;
    velo_expr *e = velo_expr_new(VELO_EXPR_LIKE, velo_type_make(VELO_TYPE_BOOLEAN), 2);
    e->ilike = ci;
    e->args[0] = col(0, vt);
    e->args[1] = velo_expr_new(VELO_EXPR_CONST, vt, 0);
    char *pc = strdup(p);
    e->args[1]->constant = velo_value_str(pc, (uint32_t)strlen(p));
    evalrun r;
    run(&r, e, b);
    bool m = tri(r.res, 0) == 1;
    velo_eval_ctx_free(&r.ctx);
    e->args[1]->constant = velo_value_null();
    free(pc);
    velo_expr_free(e);
    velo_batch_free(b);
    return m;
}

static bool like(const char *s, const char *p) { return like_ci(s, p, false); }

Test(expr, ilike_folds_case_beyond_ascii_like_lower_does) {
    cr_expect(like_ci("Zoë", "zoË", true));
    cr_expect(like_ci("ZÜRICH", "%ürich", true));
    cr_expect(like_ci("AAPL", "aa_l", true));
    cr_expect(!like_ci("Zoë", "zoË", false));
    cr_expect(!like_ci("Zoë", "zoe", true));
}

Test(expr, like_percent_and_underscore_match_utf8_characters) {
    cr_expect(like("AAPL", "AA%"));
    cr_expect(like("AAPL", "%PL"));
    cr_expect(like("AAPL", "A_PL"));
    cr_expect(!like("AAPL", "A_L"));
    cr_expect(like("Zürich", "Z_rich"));
    cr_expect(like("", "%"));
    cr_expect(!like("abc", "ab"));
    cr_expect(like("a%b", "a%%b"));
}

static velo_status count_failed(void *ud, const velo_batch *b, uint32_t row, const char *msg,
                                velo_error *err) {
    (*(int *)ud)++;
    return VELO_OK;
}

Test(operators, filter_keeps_true_rows_and_reports_failed_ones) {
    int64_t v[4] = {10, 0, 5, -1};
    velo_batch *b = batch_i64(v, NULL, 4);
    velo_type it = velo_type_make(VELO_TYPE_BIGINT);
    /* 100 / x > 9  -> row0: 10>9 true, row1: error, row2: 20>9 true, row3: -100 false */
    velo_expr *div = binop(VELO_EXPR_ARITH, it, const_i64(100), col(0, it));
    div->arith = VELO_ARITH_DIV;
    velo_expr *gt = binop(VELO_EXPR_CMP, velo_type_make(VELO_TYPE_BOOLEAN), div, const_i64(9));
    gt->cmp = VELO_CMP_GT;
    int failed = 0;
    velo_operator *f = velo_filter_new(gt, CAP, "t.sql", (velo_row_error_handler){count_failed, &failed});
    velo_error err;
    cr_assert_eq(velo_operator_push(f, b, &err), VELO_OK);
    cr_expect_eq(failed, 1);
    cr_expect(b->has_sel);
    cr_expect_eq(b->sel_count, 2);
    cr_expect_eq(b->sel[0], 0);
    cr_expect_eq(b->sel[1], 2);
    velo_operator_destroy_chain(f);
    velo_batch_free(b);
}

/* Per-core copies (velo_expr_copy): a materialized IN (subquery) brings its own value set, a scalar
 * subquery's constant its own string, and a subquery that has not run is not copied. */
static void fake_subplan_free(void *p) { (void)p; }

Test(expr, copy_of_materialized_in_set_owns_its_values) {
    int64_t v[3] = {2, 5, 0};
    bool nulls[3] = {false, false, true};
    velo_batch *b = batch_i64(v, nulls, 3);
    velo_type it = velo_type_make(VELO_TYPE_BIGINT);
    velo_expr *e = velo_expr_new(VELO_EXPR_SUBQUERY, velo_type_make(VELO_TYPE_BOOLEAN), 1);
    e->subquery_kind = VELO_SUBQUERY_IN;
    e->args[0] = col(0, it);
    cr_expect_null(velo_expr_copy(e), "a subquery that has not run (no value set)");
    e->subplan = e; /* any non-NULL plan: not copyable either */
    e->subplan_free = fake_subplan_free;
    cr_expect_null(velo_expr_copy(e));
    velo_error err;
    cr_assert_eq(velo_expr_in_set_begin(e, &err), VELO_OK);
    velo_batch *set = batch_i64((int64_t[]){1, 2, 3}, NULL, 3);
    for (uint32_t i = 0; i < 3; i++)
        cr_assert_eq(velo_expr_in_set_add(e, &set->cols[0], i, &err), VELO_OK);
    velo_expr_in_set_done(e);
    velo_expr *c = velo_expr_copy(e);
    cr_assert_not_null(c);
    cr_expect_neq(c->in_set, e->in_set, "each copy has its own set");
    velo_expr_free(e); /* the copy must not depend on the original */
    evalrun r;
    run(&r, c, b);
    cr_expect_eq(tri(r.res, 0), 1);
    cr_expect_eq(tri(r.res, 1), 0);
    cr_expect_eq(tri(r.res, 2), -1);
    velo_eval_ctx_free(&r.ctx);
    velo_expr_free(c);
    velo_batch_free(set);
    velo_batch_free(b);
}

Test(expr, copy_of_scalar_subquery_constant_owns_its_string) {
    velo_expr *e = velo_expr_new(VELO_EXPR_SUBQUERY, velo_type_make(VELO_TYPE_VARCHAR), 0);
    e->subquery_kind = VELO_SUBQUERY_SCALAR;
    velo_value s = velo_value_str("abc", 3);
    velo_expr_subquery_to_const(e, &s);
    velo_expr *c = velo_expr_copy(e);
    cr_assert_not_null(c);
    cr_expect_eq(c->kind, VELO_EXPR_CONST);
    cr_expect_neq(c->constant.u.str.ptr, e->constant.u.str.ptr);
    velo_expr_free(e);
    cr_expect_eq(memcmp(c->constant.u.str.ptr, "abc", 3), 0);
    velo_expr_free(c);
}
