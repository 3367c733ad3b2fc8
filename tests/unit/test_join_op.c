/* Hash join and UNION ALL operators (core/join_op.h): matching on keys with NULL keys never equal,
 * outer rows with NULLs, a table's latest row per primary key, SEMI/ANTI, the state limit and the
 * union's finish. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/exchange.h"
#include "core/join_op.h"
#include "core/operator.h"

#define CAP  16
#define NONE INT64_MIN /* stands for NULL in the test rows */

typedef struct collected {
    int64_t c[4][64];
    uint32_t n, ncols;
    bool finished;
} collected;

typedef struct rejected {
    uint32_t n;
    char last[256];
} rejected;

static velo_status collect(void *ud, const velo_batch *b, velo_error *err) {
    (void)err;
    collected *c = ud;
    c->ncols = b->ncols;
    for (uint32_t k = 0; k < velo_batch_live(b); k++) {
        uint32_t i = velo_batch_row(b, k);
        for (uint32_t col = 0; col < b->ncols && col < 4 && c->n < 64; col++)
            c->c[col][c->n] =
                velo_vector_is_valid(&b->cols[col], i) ? VELO_VEC(&b->cols[col], int64_t)[i] : NONE;
        c->n++;
    }
    return VELO_OK;
}

static velo_status collect_end(void *ud, velo_error *err) {
    (void)err;
    ((collected *)ud)->finished = true;
    return VELO_OK;
}

static velo_status on_reject(void *ud, const velo_batch *b, uint32_t row, const char *message,
                             velo_error *err) {
    (void)b, (void)row, (void)err;
    rejected *r = ud;
    r->n++;
    snprintf(r->last, sizeof r->last, "%s", message);
    return VELO_OK;
}

static velo_batch *rows2(const int64_t *key, const int64_t *payload, uint32_t n) {
    velo_type t[2] = {velo_type_make(VELO_TYPE_BIGINT), velo_type_make(VELO_TYPE_BIGINT)};
    velo_batch *b = velo_batch_new_types(2, t, CAP);
    for (uint32_t i = 0; i < n; i++) {
        if (key[i] != NONE) {
            VELO_VEC(&b->cols[0], int64_t)[i] = key[i];
            velo_vector_set_valid(&b->cols[0], i);
        }
        if (payload[i] != NONE) {
            VELO_VEC(&b->cols[1], int64_t)[i] = payload[i];
            velo_vector_set_valid(&b->cols[1], i);
        }
        b->origin[i] = i + 1;
    }
    b->count = n;
    return b;
}

static velo_expr *col(uint32_t i) {
    velo_expr *e = velo_expr_new(VELO_EXPR_COLUMN, velo_type_make(VELO_TYPE_BIGINT), 0);
    e->column = i;
    return e;
}

typedef struct fixture {
    velo_schema *schema;
    velo_operator *join, *sink;
    collected out;
    rejected rej;
} fixture;

/* Builds the join of cfg over two inputs (k BIGINT, v BIGINT), its output collected in f->out. */
static void start_join(fixture *f, velo_join_config *cfg) {
    memset(f, 0, sizeof *f);
    f->schema = velo_schema_new(2);
    velo_schema_set(f->schema, 0, "k", velo_type_make(VELO_TYPE_BIGINT));
    velo_schema_set(f->schema, 1, "v", velo_type_make(VELO_TYPE_BIGINT));
    cfg->left = cfg->right = f->schema;
    cfg->capacity = CAP;
    velo_error err;
    f->join = velo_join_op_new(cfg, &err);
    cr_assert(f->join, "%s", err.message);
    f->sink = velo_sink_op_new((velo_sink_fns){collect, collect_end, &f->out});
    f->join->next = f->sink;
}

static void make_join_part(fixture *f, velo_join_op_kind kind, int32_t right_pk, uint64_t max_bytes,
                           velo_join_partition part) {
    velo_expr *lk = col(0), *rk = col(0);
    velo_join_config cfg = {.kind = kind,
                            .left_keys = &lk,
                            .right_keys = &rk,
                            .nkeys = 1,
                            .within_us = -1,
                            .left_time = -1,
                            .right_time = -1,
                            .right_pk = right_pk,
                            .right_name = "t",
                            .max_state_bytes = max_bytes,
                            .on_right_error = {on_reject, &f->rej}, /* f->rej is zeroed, not moved */
                            .build_part = part};
    start_join(f, &cfg);
}

static void make_join(fixture *f, velo_join_op_kind kind, int32_t right_pk, uint64_t max_bytes) {
    make_join_part(f, kind, right_pk, max_bytes, (velo_join_partition){0, 0});
}

static void push(velo_operator *op, const int64_t *k, const int64_t *v, uint32_t n) {
    velo_batch *b = rows2(k, v, n);
    velo_error err;
    cr_assert_eq(velo_operator_push(op, b, &err), VELO_OK, "%s", err.message);
    velo_batch_free(b);
}

static void finish(fixture *f) {
    velo_error err;
    cr_assert_eq(velo_operator_finish(velo_join_op_build_input(f->join), &err), VELO_OK);
    cr_assert_eq(velo_operator_finish(f->join, &err), VELO_OK);
    cr_assert(f->out.finished);
}

static void drop(fixture *f) {
    velo_operator_destroy_chain(f->join);
    velo_schema_free(f->schema);
}

/* The sum of v over output rows whose column `c` equals key (NONE = NULL), to check rows without order. */
static uint32_t count_rows(const collected *c, uint32_t colk, int64_t key, uint32_t colv, int64_t v) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n; i++)
        n += c->c[colk][i] == key && c->c[colv][i] == v;
    return n;
}

Test(join_op, inner_join_matches_equal_keys_and_null_keys_never_match) {
    fixture f;
    make_join(&f, VELO_JOIN_OP_INNER, -1, 0);
    push(velo_join_op_build_input(f.join), (int64_t[]){1, 1, 2, NONE}, (int64_t[]){10, 11, 20, 99}, 4);
    push(f.join, (int64_t[]){1, 3, NONE, 2}, (int64_t[]){100, 300, 999, 200}, 4);
    finish(&f);
    cr_assert_eq(f.out.n, 3);
    cr_assert_eq(f.out.ncols, 4);
    cr_assert_eq(count_rows(&f.out, 1, 100, 3, 10), 1);
    cr_assert_eq(count_rows(&f.out, 1, 100, 3, 11), 1);
    cr_assert_eq(count_rows(&f.out, 1, 200, 3, 20), 1);
    drop(&f);
}

Test(join_op, left_join_keeps_unmatched_left_rows_with_nulls) {
    fixture f;
    make_join(&f, VELO_JOIN_OP_LEFT, -1, 0);
    push(velo_join_op_build_input(f.join), (int64_t[]){1}, (int64_t[]){10}, 1);
    push(f.join, (int64_t[]){1, 3, NONE}, (int64_t[]){100, 300, 999}, 3);
    finish(&f);
    cr_assert_eq(f.out.n, 3);
    cr_assert_eq(count_rows(&f.out, 1, 100, 3, 10), 1);
    cr_assert_eq(count_rows(&f.out, 1, 300, 3, NONE), 1);
    cr_assert_eq(count_rows(&f.out, 1, 999, 2, NONE), 1);
    drop(&f);
}

Test(join_op, full_join_emits_unmatched_right_rows_when_the_left_side_finishes) {
    fixture f;
    make_join(&f, VELO_JOIN_OP_FULL, -1, 0);
    push(velo_join_op_build_input(f.join), (int64_t[]){1, 2, NONE}, (int64_t[]){10, 20, 99}, 3);
    push(f.join, (int64_t[]){1, 3}, (int64_t[]){100, 300}, 2);
    cr_assert_eq(f.out.n, 2, "matched and unmatched left rows go out at once");
    finish(&f);
    cr_assert_eq(f.out.n, 4);
    cr_assert_eq(count_rows(&f.out, 1, NONE, 3, 20), 1);
    cr_assert_eq(count_rows(&f.out, 1, NONE, 3, 99), 1, "a NULL-key right row is unmatched, not lost");
    drop(&f);
}

Test(join_op, table_keeps_the_latest_row_per_primary_key_and_rejects_null_keys) {
    fixture f;
    make_join(&f, VELO_JOIN_OP_INNER, 0, 0);
    push(velo_join_op_build_input(f.join), (int64_t[]){1, 2, NONE, 1}, (int64_t[]){10, 20, 99, 11}, 4);
    push(f.join, (int64_t[]){1, 2}, (int64_t[]){100, 200}, 2);
    finish(&f);
    cr_assert_eq(f.out.n, 2);
    cr_assert_eq(count_rows(&f.out, 1, 100, 3, 11), 1, "the later row for key 1 replaced the first");
    cr_assert_eq(f.rej.n, 1);
    cr_assert(strstr(f.rej.last, "NULL primary key"), "%s", f.rej.last);
    drop(&f);
}

Test(join_op, semi_and_anti_pass_each_left_row_once) {
    fixture f;
    make_join(&f, VELO_JOIN_OP_SEMI, -1, 0);
    push(velo_join_op_build_input(f.join), (int64_t[]){1, 1, 2}, (int64_t[]){10, 11, 20}, 3);
    push(f.join, (int64_t[]){1, 3, NONE}, (int64_t[]){100, 300, 999}, 3);
    finish(&f);
    cr_assert_eq(f.out.n, 1, "two matches, one row");
    cr_assert_eq(f.out.ncols, 2, "left columns only");
    cr_assert_eq(f.out.c[1][0], 100);
    drop(&f);

    make_join(&f, VELO_JOIN_OP_ANTI, -1, 0);
    push(velo_join_op_build_input(f.join), (int64_t[]){1}, (int64_t[]){10}, 1);
    push(f.join, (int64_t[]){1, 3, NONE}, (int64_t[]){100, 300, 999}, 3);
    finish(&f);
    cr_assert_eq(f.out.n, 2);
    cr_assert_eq(count_rows(&f.out, 1, 300, 1, 300), 1);
    cr_assert_eq(count_rows(&f.out, 1, 999, 1, 999), 1, "NOT EXISTS keeps a NULL-key row");
    drop(&f);
}

/* MARK output marks in row order: -1 NULL, else 0 / 1. */
typedef struct marks {
    int m[16];
    uint32_t n, ncols;
} marks;

static velo_status collect_marks(void *ud, const velo_batch *b, velo_error *err) {
    (void)err;
    marks *c = ud;
    c->ncols = b->ncols;
    for (uint32_t k = 0; k < velo_batch_live(b) && c->n < 16; k++) {
        uint32_t i = velo_batch_row(b, k);
        c->m[c->n++] = velo_vector_is_valid(&b->cols[2], i) ? VELO_VEC(&b->cols[2], uint8_t)[i] : -1;
    }
    return VELO_OK;
}

Test(join_op, mark_join_gives_in_subquery_three_valued_marks) {
    /* l.x IN (SELECT r.x FROM r WHERE r.g = l.g): the correlation g (column 1) is the hash key, x
     * (column 0) the tested value; each left row comes out once with SQL's IN over its set */
    velo_schema *s = velo_schema_new(2);
    velo_schema_set(s, 0, "x", velo_type_make(VELO_TYPE_BIGINT));
    velo_schema_set(s, 1, "g", velo_type_make(VELO_TYPE_BIGINT));
    velo_expr *lk = col(1), *rk = col(1);
    velo_expr *eq = velo_expr_new(VELO_EXPR_CMP, velo_type_make(VELO_TYPE_BOOLEAN), 2);
    eq->cmp = VELO_CMP_EQ;
    eq->args[0] = col(0);
    eq->args[1] = col(2);
    velo_join_config cfg = {.kind = VELO_JOIN_OP_MARK,
                            .left_keys = &lk,
                            .right_keys = &rk,
                            .nkeys = 1,
                            .mark_value = eq,
                            .left = s,
                            .right = s,
                            .within_us = -1,
                            .left_time = -1,
                            .right_time = -1,
                            .right_pk = -1,
                            .capacity = CAP};
    velo_error err;
    velo_operator *j = velo_join_op_new(&cfg, &err);
    cr_assert(j, "%s", err.message);
    marks out = {0};
    j->next = velo_sink_op_new((velo_sink_fns){collect_marks, NULL, &out});
    /* the sets: g 10 -> {1}, g 20 -> {NULL}, g 30 -> {3}; g 40 -> {} */
    push(velo_join_op_build_input(j), (int64_t[]){1, NONE, 3}, (int64_t[]){10, 20, 30}, 3);
    cr_assert_eq(velo_operator_finish(velo_join_op_build_input(j), &err), VELO_OK);
    push(j, (int64_t[]){1, 2, 2, NONE, 5, NONE}, (int64_t[]){10, 10, 20, 30, 40, 40}, 6);
    cr_assert_eq(out.n, 6, "every left row once");
    cr_assert_eq(out.ncols, 3, "left columns and the mark");
    int want[6] = {1, 0, -1, -1, 0, 0}; /* found; not found; NULL in the set; NULL x; empty set (twice) */
    for (int i = 0; i < 6; i++)
        cr_assert_eq(out.m[i], want[i], "row %d: mark %d, want %d", i, out.m[i], want[i]);
    velo_operator_destroy_chain(j);
    velo_schema_free(s);
}

Test(join_op, time_bound_prunes_each_side_by_its_own_end_and_emits_outer_rows_then) {
    /* FULL join on k with 0 <= right time - left time <= 10 (lo = -10, hi = 0 on left - right), the
     * time in column 1 of both sides, watermarks with no delay: a left row is done once the
     * watermark passes its time + 10, a right row as soon as the watermark passes its time */
    fixture f;
    velo_expr *lk = col(0), *rk = col(0);
    velo_join_config cfg = {.kind = VELO_JOIN_OP_FULL,
                            .left_keys = &lk,
                            .right_keys = &rk,
                            .nkeys = 1,
                            .within_us = -1,
                            .time_bound = true,
                            .bound_lo_us = -10,
                            .bound_hi_us = 0,
                            .left_time = 1,
                            .right_time = 1,
                            .right_pk = -1,
                            .stream = {.symmetric = true, .use_watermark = true}};
    start_join(&f, &cfg);
    velo_operator *right = velo_join_op_build_input(f.join);
    push(f.join, (int64_t[]){1, 2}, (int64_t[]){0, 5}, 2);
    push(right, (int64_t[]){1}, (int64_t[]){2}, 1);
    cr_assert_eq(f.out.n, 1, "right 2 is 2 after left 0: joined");
    push(right, (int64_t[]){9}, (int64_t[]){20}, 1);
    cr_assert_eq(f.out.n, 1, "watermark 5: left 5 may still meet a right row up to 15");
    push(f.join, (int64_t[]){3}, (int64_t[]){30}, 1);
    cr_assert_eq(f.out.n, 2, "watermark 20 passed left 5 + 10: out with NULLs");
    cr_assert_eq(count_rows(&f.out, 1, 5, 3, NONE), 1);
    push(right, (int64_t[]){3}, (int64_t[]){31}, 1);
    cr_assert_eq(f.out.n, 4, "joined, and watermark 30 passed right 20 (hi = 0): out with NULLs");
    cr_assert_eq(count_rows(&f.out, 1, 30, 3, 31), 1);
    cr_assert_eq(count_rows(&f.out, 1, NONE, 3, 20), 1);
    push(right, (int64_t[]){3}, (int64_t[]){10}, 1);
    velo_join_stats js;
    velo_join_op_stats(f.join, &js);
    cr_assert_eq(js.late_rows, 1, "time 10 is behind the watermark 30");
    finish(&f);
    cr_assert_eq(f.out.n, 4, "the rest matched: nothing more at the end");
    drop(&f);
}

Test(join_op, time_bound_without_equality_keys_still_matches) {
    fixture f;
    velo_join_config cfg = {.kind = VELO_JOIN_OP_INNER,
                            .within_us = 3,
                            .left_time = 1,
                            .right_time = 1,
                            .right_pk = -1,
                            .stream = {.symmetric = true}};
    start_join(&f, &cfg);
    push(f.join, (int64_t[]){1, 2}, (int64_t[]){0, 10}, 2);
    push(velo_join_op_build_input(f.join), (int64_t[]){7, 8}, (int64_t[]){2, 20}, 2);
    finish(&f);
    cr_assert_eq(f.out.n, 1, "only times 0 and 2 are within 3");
    cr_assert_eq(count_rows(&f.out, 0, 1, 2, 7), 1);
    drop(&f);
}

Test(join_op, state_over_the_limit_fails_with_a_message_naming_it) {
    fixture f;
    make_join(&f, VELO_JOIN_OP_INNER, -1, 1024);
    velo_batch *b = rows2((int64_t[]){1, 2}, (int64_t[]){10, 20}, 2);
    velo_error err;
    cr_assert_eq(velo_operator_push(velo_join_op_build_input(f.join), b, &err), VELO_ERR_NOMEM);
    cr_assert(strstr(err.message, "'state.max.bytes'=1024"), "%s", err.message);
    velo_batch_free(b);
    drop(&f);
}

/* The core (of n) velo_exchange_route sends BIGINT key k to. */
static uint32_t owner_of(int64_t k, uint32_t n) {
    velo_batch *b = rows2(&k, &k, 1);
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_vector *kv = &b->cols[0];
    uint32_t o = velo_exchange_route(&kv, 1, 0, n, &sb);
    velo_strbuf_free(&sb);
    velo_batch_free(b);
    return o;
}

Test(join_op, partitioned_build_keeps_owned_keys_and_drops_a_row_replaced_on_another_core) {
    /* the table's primary key is v (column 1), the join key k (column 0): row v=10 moves from key 1
     * to a key owned by the other core, so the core owning key 1 must forget it */
    int64_t moved = 2;
    while (owner_of(moved, 2) == owner_of(1, 2))
        moved++;
    const int64_t bk[] = {1, 2, 3, 4, 5, NONE, moved}, bv[] = {10, 20, 30, 40, 50, 60, 10};
    uint32_t total = 0, rejects[2] = {0, 0}, whole = 0;
    for (uint32_t self = 0; self < 3; self++) { /* core 0 of 2, core 1 of 2, then one core */
        fixture f;
        velo_join_partition part = self < 2 ? (velo_join_partition){2, self} : (velo_join_partition){0, 0};
        make_join_part(&f, VELO_JOIN_OP_INNER, 1, 0, part);
        push(velo_join_op_build_input(f.join), bk, bv, 7);
        push(velo_join_op_build_input(f.join), (int64_t[]){7}, (int64_t[]){NONE}, 1); /* NULL primary key */
        push(f.join, (int64_t[]){1, 2, 3, 4, 5, moved}, (int64_t[]){100, 200, 300, 400, 500, 600}, 6);
        finish(&f);
        for (uint32_t i = 0; self < 2 && i < f.out.n; i++)
            cr_assert_eq(owner_of(f.out.c[0][i], 2), self, "core %u joined key %lld it does not own", self,
                         (long long)f.out.c[0][i]);
        cr_assert_eq(count_rows(&f.out, 0, 1, 3, 10), 0, "the replaced row of key 1 is gone (%u)", self);
        if (self < 2) {
            total += f.out.n;
            rejects[self] = f.rej.n;
        } else {
            whole = f.out.n;
        }
        drop(&f);
    }
    cr_assert_eq(total, whole, "the two cores' rows add up to the one-core rows");
    cr_assert_eq(rejects[0], 1, "core 0 reports the NULL primary key");
    cr_assert_eq(rejects[1], 0, "the other core reads the same row and says nothing");
}

Test(join_op, union_finishes_downstream_after_its_last_input) {
    collected out = {0};
    velo_operator *u = velo_union_op_new(2);
    u->next = velo_sink_op_new((velo_sink_fns){collect, collect_end, &out});
    push(u, (int64_t[]){1}, (int64_t[]){10}, 1);
    velo_error err;
    cr_assert_eq(velo_operator_finish(u, &err), VELO_OK);
    cr_assert_not(out.finished);
    push(u, (int64_t[]){2}, (int64_t[]){20}, 1);
    cr_assert_eq(velo_operator_finish(u, &err), VELO_OK);
    cr_assert(out.finished);
    cr_assert_eq(out.n, 2);
    velo_operator_destroy_chain(u);
}

/* ---- a table read as a changelog: build rows carry a deletion flag and go on after the build ---- */

static velo_batch *changes(const int64_t *key, const int64_t *payload, const bool *deleted, uint32_t n) {
    velo_type t[3] = {velo_type_make(VELO_TYPE_BIGINT), velo_type_make(VELO_TYPE_BIGINT),
                      velo_type_make(VELO_TYPE_BOOLEAN)};
    velo_batch *b = velo_batch_new_types(3, t, CAP);
    for (uint32_t i = 0; i < n; i++) {
        VELO_VEC(&b->cols[0], int64_t)[i] = key[i];
        velo_vector_set_valid(&b->cols[0], i);
        if (!deleted[i]) {
            VELO_VEC(&b->cols[1], int64_t)[i] = payload[i];
            velo_vector_set_valid(&b->cols[1], i);
        }
        VELO_VEC(&b->cols[2], uint8_t)[i] = deleted[i];
        velo_vector_set_valid(&b->cols[2], i);
    }
    b->count = n;
    return b;
}

static void push_changes(fixture *f, const int64_t *k, const int64_t *v, const bool *del, uint32_t n) {
    velo_batch *b = changes(k, v, del, n);
    velo_error err;
    cr_assert_eq(velo_operator_push(velo_join_op_build_input(f->join), b, &err), VELO_OK, "%s", err.message);
    velo_batch_free(b);
}

static void make_changelog_join(fixture *f) {
    memset(f, 0, sizeof *f);
    f->schema = velo_schema_new(2);
    velo_schema_set(f->schema, 0, "k", velo_type_make(VELO_TYPE_BIGINT));
    velo_schema_set(f->schema, 1, "v", velo_type_make(VELO_TYPE_BIGINT));
    velo_expr *lk = col(0), *rk = col(0);
    velo_join_config cfg = {.kind = VELO_JOIN_OP_LEFT,
                            .left_keys = &lk,
                            .right_keys = &rk,
                            .nkeys = 1,
                            .left = f->schema,
                            .right = f->schema,
                            .within_us = -1,
                            .left_time = -1,
                            .right_time = -1,
                            .right_pk = 0,
                            .right_changelog = true,
                            .right_name = "t",
                            .capacity = CAP,
                            .on_right_error = {on_reject, &f->rej}};
    velo_error err;
    f->join = velo_join_op_new(&cfg, &err);
    cr_assert(f->join, "%s", err.message);
    f->sink = velo_sink_op_new((velo_sink_fns){collect, collect_end, &f->out});
    f->join->next = f->sink;
}

Test(join_op, changelog_table_applies_upserts_and_deletions_before_and_after_the_build) {
    fixture f;
    make_changelog_join(&f);
    velo_error err;
    push_changes(&f, (int64_t[]){1, 2, 3, 3}, (int64_t[]){10, 20, 30, 0}, (bool[]){0, 0, 0, 1}, 4);
    cr_assert_eq(velo_operator_finish(velo_join_op_build_input(f.join), &err), VELO_OK); /* bootstrapped */
    push(f.join, (int64_t[]){1, 2, 3}, (int64_t[]){100, 200, 300}, 3);
    cr_assert_eq(f.out.n, 3);
    cr_assert_eq(count_rows(&f.out, 1, 100, 3, 10), 1);
    cr_assert_eq(count_rows(&f.out, 1, 200, 3, 20), 1);
    cr_assert_eq(count_rows(&f.out, 1, 300, 3, NONE), 1, "key 3 was deleted while bootstrapping");
    /* updates after the build: 1 changes, 2 is deleted, 4 is new, 3 comes back */
    push_changes(&f, (int64_t[]){1, 2, 4, 3}, (int64_t[]){11, 0, 40, 33}, (bool[]){0, 1, 0, 0}, 4);
    f.out.n = 0;
    push(f.join, (int64_t[]){1, 2, 3, 4}, (int64_t[]){101, 201, 301, 401}, 4);
    cr_assert_eq(f.out.n, 4);
    cr_assert_eq(count_rows(&f.out, 1, 101, 3, 11), 1, "the update replaced the old value");
    cr_assert_eq(count_rows(&f.out, 1, 201, 3, NONE), 1, "the deleted key matches nothing");
    cr_assert_eq(count_rows(&f.out, 1, 301, 3, 33), 1);
    cr_assert_eq(count_rows(&f.out, 1, 401, 3, 40), 1);
    cr_assert_eq(f.rej.n, 0);
    finish(&f);
    drop(&f);
}

Test(join_op, changelog_table_stays_exact_across_compactions_of_many_updates) {
    fixture f;
    make_changelog_join(&f);
    velo_error err;
    push_changes(&f, (int64_t[]){1}, (int64_t[]){10}, (bool[]){0}, 1);
    cr_assert_eq(velo_operator_finish(velo_join_op_build_input(f.join), &err), VELO_OK);
    int64_t k[CAP], v[CAP];
    bool d[CAP] = {0};
    for (int64_t round = 0; round < 600; round++) { /* 9,600 updates of key 5: the store compacts */
        for (uint32_t i = 0; i < CAP; i++)
            k[i] = 5, v[i] = round * CAP + i;
        push_changes(&f, k, v, d, CAP);
    }
    push(f.join, (int64_t[]){5, 1}, (int64_t[]){500, 100}, 2);
    cr_assert_eq(f.out.n, 2);
    cr_assert_eq(count_rows(&f.out, 1, 500, 3, 599 * CAP + CAP - 1), 1, "the last update of key 5");
    cr_assert_eq(count_rows(&f.out, 1, 100, 3, 10), 1, "key 1 survived the compactions");
    velo_join_stats js;
    velo_join_op_stats(f.join, &js);
    cr_assert_eq(js.right_rows, 2, "one live row per key");
    finish(&f);
    drop(&f);
}
