/* Hash join and UNION ALL operators (core/join_op.h): matching on keys with NULL keys never equal,
 * outer rows with NULLs, a table's latest row per primary key, SEMI/ANTI, the state limit and the
 * union's finish. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

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
        VELO_VEC(&b->cols[1], int64_t)[i] = payload[i];
        velo_vector_set_valid(&b->cols[1], i);
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

static void make_join(fixture *f, velo_join_op_kind kind, int32_t right_pk, uint64_t max_bytes) {
    memset(f, 0, sizeof *f);
    f->schema = velo_schema_new(2);
    velo_schema_set(f->schema, 0, "k", velo_type_make(VELO_TYPE_BIGINT));
    velo_schema_set(f->schema, 1, "v", velo_type_make(VELO_TYPE_BIGINT));
    velo_expr *lk = col(0), *rk = col(0);
    velo_join_config cfg = {.kind = kind,
                            .left_keys = &lk,
                            .right_keys = &rk,
                            .nkeys = 1,
                            .left = f->schema,
                            .right = f->schema,
                            .within_us = -1,
                            .left_time = -1,
                            .right_time = -1,
                            .right_pk = right_pk,
                            .right_name = "t",
                            .max_state_bytes = max_bytes,
                            .capacity = CAP,
                            .on_right_error = {on_reject, &f->rej}};
    velo_error err;
    f->join = velo_join_op_new(&cfg, &err);
    cr_assert(f->join, "%s", err.message);
    f->sink = velo_sink_op_new((velo_sink_fns){collect, collect_end, &f->out});
    f->join->next = f->sink;
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
