/* Vectorized expression evaluation (core/expr.h). Typed fast paths for the common numeric and
 * boolean operators; everything else goes row by row through the boxed reference semantics of
 * core/scalar.c, which is also what the fast paths must agree with. */
#include "core/expr.h"

#include <mimalloc.h>
#include <stdio.h>
#include <string.h>

#include "core/decimal.h"
#include "core/functions.h"
#include "core/keymap.h"
#include "core/keys.h"

velo_expr *velo_expr_new(velo_expr_kind kind, velo_type type, uint32_t nargs) {
    velo_expr *e = mi_zalloc(sizeof *e);
    if (!e) return NULL;
    e->kind = kind;
    e->type = type;
    e->nargs = nargs;
    if (nargs) {
        e->args = mi_zalloc(sizeof *e->args * nargs);
        if (!e->args) {
            mi_free(e);
            return NULL;
        }
    }
    e->strict = true;
    return e;
}

static void in_set_free(void *set);

void velo_expr_free(velo_expr *e) {
    if (!e) return;
    for (uint32_t i = 0; i < e->nargs; i++)
        velo_expr_free(e->args[i]);
    mi_free(e->args);
    velo_vector_free(&e->out);
    if (e->kind == VELO_EXPR_SUBQUERY && e->subplan && e->subplan_free) e->subplan_free(e->subplan);
    if (e->in_set) in_set_free(e->in_set);
    if ((e->kind == VELO_EXPR_CONST || e->kind == VELO_EXPR_FIELD) && !e->constant.is_null &&
        (e->constant.type.id == VELO_TYPE_VARCHAR || e->constant.type.id == VELO_TYPE_BYTES))
        mi_free((void *)e->constant.u.str.ptr);
    mi_free(e);
}

static void *in_set_copy(const void *from);

velo_expr *velo_expr_copy(const velo_expr *e) {
    if (!e) return NULL;
    /* a subquery that has not run owns a plan: not copyable (not executable either) */
    if (e->kind == VELO_EXPR_SUBQUERY && (e->subplan || !e->in_set)) return NULL;
    velo_expr *c = mi_malloc(sizeof *c);
    if (!c) return NULL;
    *c = *e;
    memset(&c->out, 0, sizeof c->out); /* its own result vector, made by velo_expr_prepare */
    c->args = NULL;
    c->nargs = 0;
    c->in_set = NULL;
    if (e->in_set && !(c->in_set = in_set_copy(e->in_set))) {
        velo_expr_free(c);
        return NULL;
    }
    if ((c->kind == VELO_EXPR_CONST || c->kind == VELO_EXPR_FIELD) && !c->constant.is_null &&
        (c->constant.type.id == VELO_TYPE_VARCHAR || c->constant.type.id == VELO_TYPE_BYTES)) {
        uint32_t n = e->constant.u.str.len;
        char *s = mi_malloc(n + 1);
        if (!s) {
            c->constant.is_null = true;
            velo_expr_free(c);
            return NULL;
        }
        memcpy(s, e->constant.u.str.ptr, n);
        s[n] = 0;
        c->constant.u.str.ptr = s;
    }
    if (e->nargs) {
        c->args = mi_zalloc(sizeof *c->args * e->nargs);
        if (!c->args) {
            velo_expr_free(c);
            return NULL;
        }
        c->nargs = e->nargs;
        for (uint32_t i = 0; i < e->nargs; i++)
            if (e->args[i] && !(c->args[i] = velo_expr_copy(e->args[i]))) {
                velo_expr_free(c);
                return NULL;
            }
    }
    return c;
}

bool velo_expr_executable(const velo_expr *e, const char **what) {
    switch (e->kind) {
    case VELO_EXPR_FUNC:
        if (!e->fn) {
            if (what) *what = e->fn_name;
            return false;
        }
        break;
    case VELO_EXPR_FIELD:
        if (what) *what = "nested field access (a.b)";
        return false;
    case VELO_EXPR_SUBSCRIPT:
        if (what) *what = "subscripts (a[i], m['k'])";
        return false;
    case VELO_EXPR_SUBQUERY:
        if (e->in_set && !e->subplan) break;
        if (what)
            *what = e->subquery_kind == VELO_SUBQUERY_IN       ? "a correlated IN (subquery)"
                    : e->subquery_kind == VELO_SUBQUERY_EXISTS ? "a correlated EXISTS (subquery)"
                                                               : "a correlated scalar subquery";
        return false;
    case VELO_EXPR_COLUMN:
        if (e->outer_depth) {
            if (what) *what = "a correlated subquery";
            return false;
        }
        break;
    default: break;
    }
    for (uint32_t i = 0; i < e->nargs; i++)
        if (!velo_expr_executable(e->args[i], what)) return false;
    return true;
}

velo_status velo_expr_prepare(velo_expr *e, uint32_t capacity, velo_error *err) {
    for (uint32_t i = 0; i < e->nargs; i++) {
        velo_status st = velo_expr_prepare(e->args[i], capacity, err);
        if (st) return st;
    }
    if (e->kind == VELO_EXPR_COLUMN) return VELO_OK;
    velo_vector_free(&e->out);
    return velo_vector_init(
        &e->out, e->type.id == VELO_TYPE_NULL ? velo_type_make(VELO_TYPE_BOOLEAN) : e->type, capacity, err);
}

velo_status velo_eval_ctx_init(velo_eval_ctx *ctx, uint32_t capacity, const char *file, velo_error *err) {
    memset(ctx, 0, sizeof *ctx);
    ctx->capacity = capacity;
    ctx->file = file;
    ctx->errors.flag = mi_zalloc(capacity);
    ctx->errors.message = mi_zalloc(sizeof(char *) * capacity);
    velo_arena_init(&ctx->errors.arena, 4096);
    velo_arena_init(&ctx->scratch, 16384);
    if (!ctx->errors.flag || !ctx->errors.message)
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory allocating the evaluation context");
    return VELO_OK;
}

void velo_eval_ctx_reset(velo_eval_ctx *ctx) {
    if (ctx->errors.count) {
        memset(ctx->errors.flag, 0, ctx->capacity);
        memset(ctx->errors.message, 0, sizeof(char *) * ctx->capacity);
        ctx->errors.count = 0;
        velo_arena_reset(&ctx->errors.arena);
    }
    velo_arena_reset(&ctx->scratch);
}

void velo_eval_ctx_free(velo_eval_ctx *ctx) {
    mi_free(ctx->errors.flag);
    mi_free(ctx->errors.message);
    velo_arena_free(&ctx->errors.arena);
    velo_arena_free(&ctx->scratch);
}

/* Marks row `row` as failed with the error's message, prefixed by the expression's SQL position. */
static void row_fail(velo_eval_ctx *ctx, const velo_expr *e, uint32_t row, const velo_error *err) {
    velo_vector_set_null(&((velo_expr *)e)->out, row);
    if (ctx->errors.flag[row]) return;
    ctx->errors.flag[row] = 1;
    ctx->errors.count++;
    char buf[VELO_ERROR_MSG_MAX + 64];
    if (e->line)
        snprintf(buf, sizeof buf, "%s:%u:%u: %s", ctx->file ? ctx->file : "<sql>", e->line, e->col,
                 err->message);
    else
        snprintf(buf, sizeof buf, "%s", err->message);
    ctx->errors.message[row] = velo_arena_strdup(&ctx->errors.arena, buf);
}

static inline bool valid(const velo_vector *v, uint32_t i) { return velo_vector_is_valid(v, i); }

/* ---- generic row-at-a-time path ---- */

typedef velo_status (*row_op)(velo_expr *e, const velo_value *args, velo_arena *arena, velo_value *out,
                              velo_error *err);

static velo_status eval_args(velo_expr *e, velo_batch *in, const uint32_t *sel, uint32_t n,
                             velo_eval_ctx *ctx, velo_vector **res, velo_error *err) {
    for (uint32_t a = 0; a < e->nargs; a++) {
        velo_status st = velo_expr_eval(e->args[a], in, sel, n, ctx, &res[a], err);
        if (st) return st;
    }
    return VELO_OK;
}

static velo_status eval_rowwise(velo_expr *e, velo_batch *in, const uint32_t *sel, uint32_t n,
                                velo_eval_ctx *ctx, bool strict, row_op op, velo_error *err) {
    velo_vector *stack_res[8];
    velo_value stack_vals[8];
    velo_vector **res = e->nargs <= 8 ? stack_res : mi_malloc(sizeof *res * e->nargs);
    velo_value *vals = e->nargs <= 8 ? stack_vals : mi_malloc(sizeof *vals * e->nargs);
    velo_status st = (res && vals) ? eval_args(e, in, sel, n, ctx, res, err) : VELO_ERR_NOMEM;
    if (st == VELO_ERR_NOMEM && !(res && vals)) velo_error_set(err, st, "out of memory");
    for (uint32_t k = 0; st == VELO_OK && k < n; k++) {
        uint32_t i = sel[k];
        if (ctx->errors.flag[i]) {
            velo_vector_set_null(&e->out, i);
            continue;
        }
        bool any_null = false;
        for (uint32_t a = 0; a < e->nargs; a++) {
            velo_vector_get_value(res[a], i, &vals[a]);
            any_null |= vals[a].is_null;
        }
        if (strict && any_null) {
            velo_vector_set_null(&e->out, i);
            continue;
        }
        velo_value out;
        velo_error rerr;
        velo_status rs = op(e, vals, &in->arena, &out, &rerr);
        if (rs == VELO_ERR_NOMEM || rs == VELO_ERR_INTERNAL) {
            if (err) *err = rerr;
            st = rs;
        } else if (rs) {
            row_fail(ctx, e, i, &rerr);
        } else if (out.is_null || out.type.id == VELO_TYPE_NULL) {
            velo_vector_set_null(&e->out, i);
        } else if (e->type.id != VELO_TYPE_ANY && !velo_type_equal(out.type, e->type) &&
                   !(e->type.id == out.type.id && e->type.id != VELO_TYPE_DECIMAL)) {
            /* a function that returned another type than its catalog entry says: convert */
            velo_value conv;
            rs = velo_value_cast(&out, e->type, &in->arena, &conv, &rerr);
            if (rs)
                row_fail(ctx, e, i, &rerr);
            else
                velo_vector_set_value(&e->out, i, &conv, &in->arena);
        } else {
            velo_vector_set_value(&e->out, i, &out, &in->arena);
        }
    }
    if (res != stack_res) mi_free(res);
    if (vals != stack_vals) mi_free(vals);
    return st;
}

static velo_status op_cast(velo_expr *e, const velo_value *a, velo_arena *arena, velo_value *out,
                           velo_error *err) {
    velo_status st = velo_value_cast(&a[0], e->type, arena, out, err);
    if (st && e->try_cast) {
        *out = velo_value_null();
        return VELO_OK;
    }
    return st;
}
/* CAST of a constant (e.g. DOUBLE * 1.05: the DECIMAL literal as DOUBLE): cast once per batch, not
 * per row; the same values and the same per-row errors as the row-at-a-time path. */
static velo_status eval_const_cast(velo_expr *e, velo_batch *in, const uint32_t *sel, uint32_t n,
                                   velo_eval_ctx *ctx, velo_error *err) {
    const velo_value *c = &e->args[0]->constant;
    velo_value out = velo_value_null();
    velo_error rerr;
    velo_status rs = c->is_null ? VELO_OK : op_cast(e, c, &in->arena, &out, &rerr);
    if (rs == VELO_ERR_NOMEM || rs == VELO_ERR_INTERNAL) {
        if (err) *err = rerr;
        return rs;
    }
    bool null = rs || out.is_null || out.type.id == VELO_TYPE_NULL;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (ctx->errors.flag[i] || null) {
            if (rs && !ctx->errors.flag[i]) row_fail(ctx, e, i, &rerr);
            velo_vector_set_null(&e->out, i);
            continue;
        }
        velo_vector_set_value(&e->out, i, &out, &in->arena);
    }
    return VELO_OK;
}

static velo_status op_arith(velo_expr *e, const velo_value *a, velo_arena *arena, velo_value *out,
                            velo_error *err) {
    return velo_value_arith(e->arith, &a[0], &a[1], e->type, arena, out, err);
}
static velo_status op_neg(velo_expr *e, const velo_value *a, velo_arena *arena, velo_value *out,
                          velo_error *err) {
    velo_value zero;
    switch (a[0].type.id) {
    case VELO_TYPE_BIGINT: zero = velo_value_i64(0); break;
    case VELO_TYPE_DOUBLE: zero = velo_value_f64(0); break;
    case VELO_TYPE_DECIMAL: zero = velo_value_dec(0, 1, 0); break;
    case VELO_TYPE_INTERVAL:
        *out = a[0];
        out->u.iv.months = -out->u.iv.months;
        out->u.iv.days = -out->u.iv.days;
        out->u.iv.micros = -out->u.iv.micros;
        return VELO_OK;
    default: return velo_error_set(err, VELO_ERR_CAST, "cannot negate a non-numeric value");
    }
    velo_type t = e->type;
    if (t.id == VELO_TYPE_ANY) t = a[0].type;
    velo_status st = velo_value_arith(VELO_ARITH_SUB, &zero, &a[0], t, arena, out, err);
    return st;
}
static velo_status op_cmp(velo_expr *e, const velo_value *a, velo_arena *arena, velo_value *out,
                          velo_error *err) {
    int c;
    velo_status st = velo_value_compare(&a[0], &a[1], &c, err);
    if (st) return st;
    bool r = false;
    switch (e->cmp) {
    case VELO_CMP_EQ: r = c == 0; break;
    case VELO_CMP_NE: r = c != 0; break;
    case VELO_CMP_LT: r = c < 0; break;
    case VELO_CMP_LE: r = c <= 0; break;
    case VELO_CMP_GT: r = c > 0; break;
    case VELO_CMP_GE: r = c >= 0; break;
    }
    *out = velo_value_bool(r);
    return VELO_OK;
}
static velo_status op_is_distinct(velo_expr *e, const velo_value *a, velo_arena *arena, velo_value *out,
                                  velo_error *err) {
    bool eq = velo_value_equal_nullsafe(&a[0], &a[1]);
    *out = velo_value_bool(e->negated ? eq : !eq);
    return VELO_OK;
}
static velo_status op_concat(velo_expr *e, const velo_value *a, velo_arena *arena, velo_value *out,
                             velo_error *err) {
    velo_str s[2];
    for (int k = 0; k < 2; k++) {
        velo_status st = velo_value_to_text(&a[k], arena, &s[k], err);
        if (st) return st;
    }
    char *p = velo_arena_alloc(arena, (size_t)s[0].len + s[1].len + 1);
    if (!p) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    memcpy(p, s[0].ptr, s[0].len);
    memcpy(p + s[0].len, s[1].ptr, s[1].len);
    *out = velo_value_str(p, s[0].len + s[1].len);
    return VELO_OK;
}
static velo_status op_func(velo_expr *e, const velo_value *a, velo_arena *arena, velo_value *out,
                           velo_error *err) {
    return e->fn(a, e->nargs, e->type, arena, out, err);
}

/* IN (list): TRUE if equal to an item, NULL if not found and an item (or the operand) is NULL. */
static velo_status op_in_list(velo_expr *e, const velo_value *a, velo_arena *arena, velo_value *out,
                              velo_error *err) {
    if (a[0].is_null) {
        *out = velo_value_null();
        return VELO_OK;
    }
    bool saw_null = false;
    for (uint32_t k = 1; k < e->nargs; k++) {
        if (a[k].is_null) {
            saw_null = true;
            continue;
        }
        int c;
        velo_status st = velo_value_compare(&a[0], &a[k], &c, err);
        if (st) return st;
        if (c == 0) {
            *out = velo_value_bool(!e->negated);
            return VELO_OK;
        }
    }
    if (saw_null)
        *out = velo_value_null();
    else
        *out = velo_value_bool(e->negated);
    return VELO_OK;
}

/* LIKE on UTF-8: '_' matches one character, '%' any run; `esc` escapes the next pattern char. */
static uint32_t utf8_len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }
static int fold(int c, bool ci) { return ci && c >= 'A' && c <= 'Z' ? c + 32 : c; }

static bool like_match(const char *s, uint32_t sn, const char *p, uint32_t pn, int esc, bool ci) {
    uint32_t si = 0, pi = 0, star_p = UINT32_MAX, star_s = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == '%') {
            star_p = ++pi;
            star_s = si;
            continue;
        }
        if (pi < pn) {
            if (p[pi] == '_') {
                si += utf8_len((unsigned char)s[si]);
                pi++;
                continue;
            }
            uint32_t pc = pi;
            if (esc >= 0 && p[pi] == esc && pi + 1 < pn) pc = pi + 1;
            if (fold((unsigned char)p[pc], ci) == fold((unsigned char)s[si], ci)) {
                si++;
                pi = pc + 1;
                continue;
            }
        }
        if (star_p == UINT32_MAX) return false;
        star_s += utf8_len((unsigned char)s[star_s]);
        si = star_s;
        pi = star_p;
    }
    while (pi < pn && p[pi] == '%')
        pi++;
    return pi == pn;
}

static bool ascii_only(velo_str s) {
    for (uint32_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] >= 0x80) return false;
    return true;
}

static velo_status op_like(velo_expr *e, const velo_value *a, velo_arena *arena, velo_value *out,
                           velo_error *err) {
    int esc = -1;
    if (e->nargs > 2) {
        if (a[2].u.str.len != 1)
            return velo_error_set(err, VELO_ERR_INVALID, "LIKE ESCAPE must be one character");
        esc = (unsigned char)a[2].u.str.ptr[0];
    }
    velo_value sv = a[0], pv = a[1];
    bool ci = e->ilike;
    if (ci && (!ascii_only(sv.u.str) || !ascii_only(pv.u.str))) {
        /* ILIKE beyond ASCII: compare the Unicode lower-case forms (the same mapping as LOWER) */
        velo_type vt = velo_type_make(VELO_TYPE_VARCHAR);
        velo_status st = velo_fn_lower(&a[0], 1, vt, arena, &sv, err);
        if (!st) st = velo_fn_lower(&a[1], 1, vt, arena, &pv, err);
        if (st) return st;
        ci = false;
    }
    bool m = like_match(sv.u.str.ptr, sv.u.str.len, pv.u.str.ptr, pv.u.str.len, esc, ci);
    *out = velo_value_bool(e->negated ? !m : m);
    return VELO_OK;
}

/* ---- typed fast paths ---- */

static velo_status eval_arith_fast(velo_expr *e, velo_vector *l, velo_vector *r, const uint32_t *sel,
                                   uint32_t n, velo_eval_ctx *ctx, bool *handled) {
    *handled = true;
    velo_vector *o = &e->out;
    velo_type_id lt = l->type.id, rt = r->type.id;
    if (e->type.id == VELO_TYPE_BIGINT && lt == VELO_TYPE_BIGINT && rt == VELO_TYPE_BIGINT &&
        e->arith <= VELO_ARITH_MUL) {
        const int64_t *a = VELO_VEC(l, int64_t), *b = VELO_VEC(r, int64_t);
        int64_t *c = VELO_VEC(o, int64_t);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!valid(l, i) || !valid(r, i)) {
                velo_vector_set_null(o, i);
                continue;
            }
            bool ovf = e->arith == VELO_ARITH_ADD   ? __builtin_add_overflow(a[i], b[i], &c[i])
                       : e->arith == VELO_ARITH_SUB ? __builtin_sub_overflow(a[i], b[i], &c[i])
                                                    : __builtin_mul_overflow(a[i], b[i], &c[i]);
            if (ovf) {
                velo_error rerr;
                velo_value x = velo_value_i64(a[i]), y = velo_value_i64(b[i]), z;
                velo_value_arith(e->arith, &x, &y, e->type, NULL, &z, &rerr);
                row_fail(ctx, e, i, &rerr);
            } else {
                velo_vector_set_valid(o, i);
            }
        }
        return VELO_OK;
    }
    if (e->type.id == VELO_TYPE_DOUBLE && lt == VELO_TYPE_DOUBLE && rt == VELO_TYPE_DOUBLE &&
        e->arith <= VELO_ARITH_MUL) {
        const double *a = VELO_VEC(l, double), *b = VELO_VEC(r, double);
        double *c = VELO_VEC(o, double);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!valid(l, i) || !valid(r, i)) {
                velo_vector_set_null(o, i);
                continue;
            }
            c[i] = e->arith == VELO_ARITH_ADD   ? a[i] + b[i]
                   : e->arith == VELO_ARITH_SUB ? a[i] - b[i]
                                                : a[i] * b[i];
            velo_vector_set_valid(o, i);
        }
        return VELO_OK;
    }
    if (e->type.id == VELO_TYPE_DECIMAL && (lt == VELO_TYPE_DECIMAL || lt == VELO_TYPE_BIGINT) &&
        (rt == VELO_TYPE_DECIMAL || rt == VELO_TYPE_BIGINT)) {
        static const velo_decimal_op dop[] = {VELO_DEC_ADD, VELO_DEC_SUB, VELO_DEC_MUL, VELO_DEC_DIV,
                                              VELO_DEC_MOD};
        velo_i128 *c = VELO_VEC(o, velo_i128);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!valid(l, i) || !valid(r, i)) {
                velo_vector_set_null(o, i);
                continue;
            }
            velo_decimal x = lt == VELO_TYPE_BIGINT ? (velo_decimal){VELO_VEC(l, int64_t)[i], 19, 0}
                                                    : (velo_decimal){VELO_VEC(l, velo_i128)[i],
                                                                     l->type.precision, l->type.scale};
            velo_decimal y = rt == VELO_TYPE_BIGINT ? (velo_decimal){VELO_VEC(r, int64_t)[i], 19, 0}
                                                    : (velo_decimal){VELO_VEC(r, velo_i128)[i],
                                                                     r->type.precision, r->type.scale};
            velo_error rerr;
            if (velo_decimal_arith(dop[e->arith], x, y, e->type.precision, e->type.scale, &c[i], &rerr))
                row_fail(ctx, e, i, &rerr);
            else
                velo_vector_set_valid(o, i);
        }
        return VELO_OK;
    }
    *handled = false;
    return VELO_OK;
}

#define CMP_LOOP(T)                                                                                          \
    do {                                                                                                     \
        const T *a = VELO_VEC(l, T), *b = VELO_VEC(r, T);                                                    \
        for (uint32_t k = 0; k < n; k++) {                                                                   \
            uint32_t i = sel[k];                                                                             \
            if (!valid(l, i) || !valid(r, i)) {                                                              \
                velo_vector_set_null(o, i);                                                                  \
                continue;                                                                                    \
            }                                                                                                \
            bool v;                                                                                          \
            switch (e->cmp) {                                                                                \
            case VELO_CMP_EQ: v = a[i] == b[i]; break;                                                       \
            case VELO_CMP_NE: v = a[i] != b[i]; break;                                                       \
            case VELO_CMP_LT: v = a[i] < b[i]; break;                                                        \
            case VELO_CMP_LE: v = a[i] <= b[i]; break;                                                       \
            case VELO_CMP_GT: v = a[i] > b[i]; break;                                                        \
            default: v = a[i] >= b[i]; break;                                                                \
            }                                                                                                \
            out[i] = v;                                                                                      \
            velo_vector_set_valid(o, i);                                                                     \
        }                                                                                                    \
    } while (0)

static bool eval_cmp_fast(velo_expr *e, velo_vector *l, velo_vector *r, const uint32_t *sel, uint32_t n) {
    velo_vector *o = &e->out;
    uint8_t *out = VELO_VEC(o, uint8_t);
    velo_type_id lt = l->type.id, rt = r->type.id;
    if (lt != rt) return false;
    switch (lt) {
    case VELO_TYPE_BIGINT:
    case VELO_TYPE_TIMESTAMP: CMP_LOOP(int64_t); return true;
    case VELO_TYPE_DOUBLE: CMP_LOOP(double); return true;
    case VELO_TYPE_DATE: CMP_LOOP(int32_t); return true;
    case VELO_TYPE_DECIMAL:
        if (l->type.scale != r->type.scale) return false;
        CMP_LOOP(velo_i128);
        return true;
    default: return false;
    }
}

/* ---- boolean logic (three-valued) ---- */

static void eval_and_or(velo_expr *e, velo_vector *l, velo_vector *r, const uint32_t *sel, uint32_t n) {
    velo_vector *o = &e->out;
    const uint8_t *a = VELO_VEC(l, uint8_t), *b = VELO_VEC(r, uint8_t);
    uint8_t *c = VELO_VEC(o, uint8_t);
    bool is_and = e->kind == VELO_EXPR_AND;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        bool la = valid(l, i), rb = valid(r, i);
        /* the dominant value (FALSE for AND, TRUE for OR) wins over NULL */
        bool dom = !is_and;
        if ((la && (bool)a[i] == dom) || (rb && (bool)b[i] == dom)) {
            c[i] = dom;
            velo_vector_set_valid(o, i);
        } else if (la && rb) {
            c[i] = !dom;
            velo_vector_set_valid(o, i);
        } else {
            velo_vector_set_null(o, i);
        }
    }
}

/* CASE: each WHEN is evaluated only on the rows no earlier WHEN took, each THEN only on the rows
 * its WHEN took, so that `CASE WHEN q = 0 THEN 0 ELSE p / q END` never divides by zero. */
static velo_status eval_case(velo_expr *e, velo_batch *in, const uint32_t *sel, uint32_t n,
                             velo_eval_ctx *ctx, velo_error *err) {
    uint32_t *rest = velo_arena_alloc(&ctx->scratch, sizeof(uint32_t) * (n ? n : 1));
    uint32_t *take = velo_arena_alloc(&ctx->scratch, sizeof(uint32_t) * (n ? n : 1));
    if (!rest || !take) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    memcpy(rest, sel, sizeof(uint32_t) * n);
    uint32_t nrest = n;
    uint32_t npairs = (e->nargs - (e->has_else ? 1 : 0)) / 2;
    velo_value v;
    for (uint32_t p = 0; p < npairs && nrest; p++) {
        velo_vector *cond;
        velo_status st = velo_expr_eval(e->args[2 * p], in, rest, nrest, ctx, &cond, err);
        if (st) return st;
        uint32_t ntake = 0, nkeep = 0;
        for (uint32_t k = 0; k < nrest; k++) {
            uint32_t i = rest[k];
            if (valid(cond, i) && VELO_VEC(cond, uint8_t)[i])
                take[ntake++] = i;
            else
                rest[nkeep++] = i;
        }
        nrest = nkeep;
        if (!ntake) continue;
        velo_vector *res;
        st = velo_expr_eval(e->args[2 * p + 1], in, take, ntake, ctx, &res, err);
        if (st) return st;
        for (uint32_t k = 0; k < ntake; k++) {
            velo_vector_get_value(res, take[k], &v);
            velo_vector_set_value(&e->out, take[k], &v, &in->arena);
        }
    }
    if (nrest) {
        if (e->has_else) {
            velo_vector *res;
            velo_status st = velo_expr_eval(e->args[e->nargs - 1], in, rest, nrest, ctx, &res, err);
            if (st) return st;
            for (uint32_t k = 0; k < nrest; k++) {
                velo_vector_get_value(res, rest[k], &v);
                velo_vector_set_value(&e->out, rest[k], &v, &in->arena);
            }
        } else {
            for (uint32_t k = 0; k < nrest; k++)
                velo_vector_set_null(&e->out, rest[k]);
        }
    }
    return VELO_OK;
}

/* ---- materialized subqueries ---- */

/* The values of an IN (subquery), encoded (core/keys.h). */
typedef struct in_set {
    velo_keymap map;
    bool has_null;
    uint64_t count;
    velo_strbuf kb;
} in_set;

static void in_set_free(void *set) {
    in_set *s = set;
    velo_keymap_free(&s->map);
    velo_strbuf_free(&s->kb);
    mi_free(s);
}

static void drop_subplan(velo_expr *e) {
    if (e->subplan && e->subplan_free) e->subplan_free(e->subplan);
    e->subplan = NULL;
}

void velo_expr_subquery_to_const(velo_expr *e, const velo_value *v) {
    drop_subplan(e);
    for (uint32_t i = 0; i < e->nargs; i++)
        velo_expr_free(e->args[i]);
    mi_free(e->args);
    e->args = NULL;
    e->nargs = 0;
    e->kind = VELO_EXPR_CONST;
    e->constant = *v;
    e->constant.type = e->type;
    if (!v->is_null && (e->type.id == VELO_TYPE_VARCHAR || e->type.id == VELO_TYPE_BYTES)) {
        char *copy = mi_malloc(v->u.str.len + 1);
        if (copy) {
            memcpy(copy, v->u.str.ptr, v->u.str.len);
            copy[v->u.str.len] = 0;
        }
        e->constant.u.str.ptr = copy;
        if (!copy) e->constant.is_null = true;
    } else if (!v->is_null && (e->type.id == VELO_TYPE_LIST || e->type.id == VELO_TYPE_MAP ||
                               e->type.id == VELO_TYPE_STRUCT || e->type.id == VELO_TYPE_ANY)) {
        e->constant.is_null = true; /* nested scalar subquery results are not kept */
    }
}

velo_status velo_expr_in_set_begin(velo_expr *e, velo_error *err) {
    in_set *s = mi_zalloc(sizeof *s);
    if (!s) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    velo_keymap_init(&s->map);
    velo_strbuf_init(&s->kb);
    e->in_set = s;
    return VELO_OK;
}

velo_status velo_expr_in_set_add(velo_expr *e, const velo_vector *v, uint32_t row, velo_error *err) {
    in_set *s = e->in_set;
    s->count++;
    if (!velo_vector_is_valid(v, row)) {
        s->has_null = true;
        return VELO_OK;
    }
    velo_strbuf_clear(&s->kb);
    velo_status st = velo_key_encode(&s->kb, v, row, "IN (subquery)", err);
    if (st) return st;
    bool found;
    if (!velo_keymap_upsert(&s->map, s->kb.data, (uint32_t)s->kb.len,
                            velo_keymap_hash(s->kb.data, (uint32_t)s->kb.len), &found))
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the IN (subquery) set");
    return VELO_OK;
}

void velo_expr_in_set_done(velo_expr *e) { drop_subplan(e); }

/* A copy of a materialized IN set for another core (each core's copy has its own encoding buffer). */
static void *in_set_copy(const void *from) {
    const in_set *f = from;
    in_set *s = mi_zalloc(sizeof *s);
    if (!s) return NULL;
    velo_keymap_init(&s->map);
    velo_strbuf_init(&s->kb);
    s->has_null = f->has_null;
    s->count = f->count;
    for (uint64_t i = 0; i < f->map.nslots; i++) {
        const velo_keymap_slot *sl = &f->map.slots[i];
        bool found;
        if (!sl->len) continue;
        velo_keymap_slot *n =
            velo_keymap_upsert(&s->map, f->map.keys.data + sl->off, sl->len, sl->hash, &found);
        if (!n) {
            in_set_free(s);
            return NULL;
        }
        n->val = sl->val;
    }
    return s;
}

/* x IN (set): TRUE when found; else NULL when x is NULL or the set holds a NULL; FALSE otherwise.
 * An empty set gives FALSE whatever x is. NOT IN negates (NULL stays NULL). */
static velo_status eval_in_set(velo_expr *e, velo_batch *in, const uint32_t *sel, uint32_t n,
                               velo_eval_ctx *ctx, velo_error *err) {
    in_set *s = e->in_set;
    velo_vector *a;
    velo_status st = velo_expr_eval(e->args[0], in, sel, n, ctx, &a, err);
    if (st) return st;
    uint8_t *c = VELO_VEC(&e->out, uint8_t);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        int r; /* 1 true, 0 false, -1 NULL */
        if (!s->count) {
            r = 0;
        } else if (!velo_vector_is_valid(a, i)) {
            r = -1;
        } else {
            velo_strbuf_clear(&s->kb);
            if ((st = velo_key_encode(&s->kb, a, i, "IN (subquery)", err))) return st;
            r = velo_keymap_find(&s->map, s->kb.data, (uint32_t)s->kb.len,
                                 velo_keymap_hash(s->kb.data, (uint32_t)s->kb.len))
                    ? 1
                : s->has_null ? -1
                              : 0;
        }
        if (r < 0) {
            velo_vector_set_null(&e->out, i);
        } else {
            c[i] = (uint8_t)(r != e->negated);
            velo_vector_set_valid(&e->out, i);
        }
    }
    return VELO_OK;
}

velo_status velo_expr_eval(velo_expr *e, velo_batch *in, const uint32_t *sel, uint32_t n, velo_eval_ctx *ctx,
                           velo_vector **result, velo_error *err) {
    velo_status st = VELO_OK;
    *result = &e->out;
    switch (e->kind) {
    case VELO_EXPR_COLUMN: *result = &in->cols[e->column]; return VELO_OK;
    case VELO_EXPR_CONST:
        for (uint32_t k = 0; k < n; k++)
            velo_vector_set_value(&e->out, sel[k], &e->constant, &in->arena);
        return VELO_OK;
    case VELO_EXPR_CAST:
        if (e->args[0]->kind == VELO_EXPR_CONST) return eval_const_cast(e, in, sel, n, ctx, err);
        return eval_rowwise(e, in, sel, n, ctx, true, op_cast, err);
    case VELO_EXPR_NEG: return eval_rowwise(e, in, sel, n, ctx, true, op_neg, err);
    case VELO_EXPR_ARITH: {
        velo_vector *l, *r;
        if ((st = velo_expr_eval(e->args[0], in, sel, n, ctx, &l, err))) return st;
        if ((st = velo_expr_eval(e->args[1], in, sel, n, ctx, &r, err))) return st;
        bool handled;
        st = eval_arith_fast(e, l, r, sel, n, ctx, &handled);
        if (handled || st) return st;
        return eval_rowwise(e, in, sel, n, ctx, true, op_arith, err);
    }
    case VELO_EXPR_CMP: {
        velo_vector *l, *r;
        if ((st = velo_expr_eval(e->args[0], in, sel, n, ctx, &l, err))) return st;
        if ((st = velo_expr_eval(e->args[1], in, sel, n, ctx, &r, err))) return st;
        if (eval_cmp_fast(e, l, r, sel, n)) return VELO_OK;
        return eval_rowwise(e, in, sel, n, ctx, true, op_cmp, err);
    }
    case VELO_EXPR_AND:
    case VELO_EXPR_OR: {
        velo_vector *l, *r;
        if ((st = velo_expr_eval(e->args[0], in, sel, n, ctx, &l, err))) return st;
        if ((st = velo_expr_eval(e->args[1], in, sel, n, ctx, &r, err))) return st;
        eval_and_or(e, l, r, sel, n);
        return VELO_OK;
    }
    case VELO_EXPR_NOT:
    case VELO_EXPR_IS_NULL: {
        velo_vector *a;
        if ((st = velo_expr_eval(e->args[0], in, sel, n, ctx, &a, err))) return st;
        uint8_t *c = VELO_VEC(&e->out, uint8_t);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (e->kind == VELO_EXPR_IS_NULL) {
                c[i] = valid(a, i) == e->negated;
                velo_vector_set_valid(&e->out, i);
            } else if (valid(a, i)) {
                c[i] = !VELO_VEC(a, uint8_t)[i];
                velo_vector_set_valid(&e->out, i);
            } else {
                velo_vector_set_null(&e->out, i);
            }
        }
        return VELO_OK;
    }
    case VELO_EXPR_IS_DISTINCT: return eval_rowwise(e, in, sel, n, ctx, false, op_is_distinct, err);
    case VELO_EXPR_CASE: return eval_case(e, in, sel, n, ctx, err);
    case VELO_EXPR_CONCAT: return eval_rowwise(e, in, sel, n, ctx, true, op_concat, err);
    case VELO_EXPR_IN_LIST: return eval_rowwise(e, in, sel, n, ctx, false, op_in_list, err);
    case VELO_EXPR_LIKE: return eval_rowwise(e, in, sel, n, ctx, true, op_like, err);
    case VELO_EXPR_FUNC:
        if (!e->fn)
            return velo_error_set(err, VELO_ERR_UNSUPPORTED, "function %s is not supported yet", e->fn_name);
        return eval_rowwise(e, in, sel, n, ctx, e->strict, op_func, err);
    case VELO_EXPR_SUBQUERY:
        if (e->in_set && !e->subplan) return eval_in_set(e, in, sel, n, ctx, err);
        /* fall through */
    case VELO_EXPR_FIELD:
    case VELO_EXPR_SUBSCRIPT: {
        const char *what = NULL;
        velo_expr_executable(e, &what);
        return velo_error_set(err, VELO_ERR_UNSUPPORTED, "%s is not supported yet", what);
    }
    }
    return velo_error_set(err, VELO_ERR_INTERNAL, "unknown expression kind %d", (int)e->kind);
}
