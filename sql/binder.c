/* The binder (sql/binder.h): names -> column indexes, literals -> typed constants, operators ->
 * typed expression nodes with explicit casts. Every error carries the SQL position of the node. */
#include "sql/binder.h"

#include <mimalloc.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/decimal.h"
#include "core/functions.h"
#include "sql/catalog.h"
#include "sql/parser.h"

typedef velo_binder binder;

static char *xstrdup(const char *s) { return mi_strdup(s ? s : ""); }

#define fail velo_binder_fail
velo_status velo_binder_fail(binder *b, const sql_expr *e, velo_status code, const char *codename,
                             const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    velo_diags_add(b->diags, VELO_SEV_ERROR, codename, e ? e->pos.line : 0, e ? e->pos.col : 0, "%s", msg);
    return code;
}

uint32_t velo_edit_distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > 63 || m > 63) return 99;
    uint32_t prev[64], cur[64];
    for (size_t j = 0; j <= m; j++)
        prev[j] = (uint32_t)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (uint32_t)i;
        for (size_t j = 1; j <= m; j++) {
            int ca = a[i - 1] | 32, cb = b[j - 1] | 32;
            uint32_t sub = prev[j - 1] + (ca != cb);
            uint32_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, sizeof(uint32_t) * (m + 1));
    }
    return prev[m];
}

const char *velo_closest_name(const char *name, const char *const *candidates, uint32_t n) {
    const char *best = NULL;
    uint32_t best_d = 99;
    size_t len = strlen(name);
    uint32_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t d = velo_edit_distance(name, candidates[i]);
        if (d < best_d) best_d = d, best = candidates[i];
    }
    return best_d <= limit ? best : NULL;
}

velo_expr *velo_binder_node(velo_expr_kind kind, velo_type type, uint32_t nargs, const sql_expr *at) {
    velo_expr *e = velo_expr_new(kind, type, nargs);
    if (e && at) {
        e->line = at->pos.line;
        e->col = at->pos.col;
    }
    return e;
}

static velo_status bind(binder *b, const sql_expr *e, velo_expr **out);
#define new_node(b, kind, type, nargs, at) velo_binder_node(kind, type, nargs, at)

/* Wraps x in a CAST to t unless it already has that type. */
#define cast_to velo_binder_cast
velo_expr *velo_binder_cast(binder *b, velo_expr *x, velo_type t, const sql_expr *at) {
    if (velo_type_equal(x->type, t) || t.id == VELO_TYPE_ANY) return x;
    if (x->kind == VELO_EXPR_CONST && x->constant.is_null) {
        x->type = t;
        x->constant.type = t;
        return x;
    }
    velo_expr *c = new_node(b, VELO_EXPR_CAST, t, 1, at);
    if (!c) return x;
    c->args[0] = x;
    return c;
}

static velo_status bind_column(binder *b, const sql_expr *e, velo_expr **out) {
    if (b->hooks && b->hooks->column) return b->hooks->column(b, e, out);
    const velo_schema *s = b->src->schema;
    uint32_t np = e->u.column.nparts;
    const char *name = e->u.column.parts[np - 1];
    if (np == 2) {
        const char *q = e->u.column.parts[0];
        if (!b->src->alias || strcasecmp(q, b->src->alias) != 0)
            return fail(b, e, VELO_ERR_BIND, "bind.unknown_source", "unknown table or alias '%s'%s%s%s", q,
                        b->src->alias ? "; did you mean '" : "", b->src->alias ? b->src->alias : "",
                        b->src->alias ? "'?" : "");
    } else if (np > 2) {
        return fail(b, e, VELO_ERR_UNSUPPORTED, "bind.unsupported",
                    "nested field access is not supported yet");
    }
    int idx = velo_schema_find(s, name);
    if (idx < 0) {
        const char *cands[256];
        uint32_t nc = 0;
        for (uint32_t i = 0; i < s->ncols && nc < 256; i++)
            cands[nc++] = s->fields[i].name;
        const char *hint = velo_closest_name(name, cands, nc);
        if (hint)
            return fail(b, e, VELO_ERR_BIND, "bind.unknown_column", "unknown column '%s'; did you mean '%s'?",
                        name, hint);
        return fail(b, e, VELO_ERR_BIND, "bind.unknown_column", "unknown column '%s'", name);
    }
    velo_type t = (uint32_t)idx < s->ncols ? s->fields[idx].type : velo_type_make(VELO_TYPE_ANY);
    velo_expr *x = new_node(b, VELO_EXPR_COLUMN, t, 0, e);
    if (!x) return fail(b, e, VELO_ERR_NOMEM, "internal", "out of memory");
    x->column = (uint32_t)idx;
    *out = x;
    return VELO_OK;
}

static velo_status bind_literal(binder *b, const sql_expr *e, velo_expr **out) {
    velo_value v = velo_value_null();
    velo_error err;
    const char *text = e->u.lit.text;
    switch (e->u.lit.kind) {
    case SQL_LIT_NULL: break;
    case SQL_LIT_BOOL: v = velo_value_bool(strcasecmp(text, "true") == 0); break;
    case SQL_LIT_INTEGER:
    case SQL_LIT_DECIMAL: {
        velo_decimal d;
        if (velo_decimal_parse(text, strlen(text), &d, &err))
            return fail(b, e, VELO_ERR_BIND, "bind.literal", "%s", err.message);
        if (e->u.lit.kind == SQL_LIT_INTEGER && d.scale == 0 && d.unscaled >= INT64_MIN &&
            d.unscaled <= INT64_MAX)
            v = velo_value_i64((int64_t)d.unscaled);
        else
            v = velo_value_dec(d.unscaled, d.precision, d.scale);
        break;
    }
    case SQL_LIT_DOUBLE: {
        velo_value s = velo_value_str(text, (uint32_t)strlen(text));
        if (velo_value_cast(&s, velo_type_make(VELO_TYPE_DOUBLE), NULL, &v, &err))
            return fail(b, e, VELO_ERR_BIND, "bind.literal", "%s", err.message);
        break;
    }
    case SQL_LIT_STRING: {
        size_t n = strlen(text);
        char *copy = mi_malloc(n + 1);
        if (!copy) return fail(b, e, VELO_ERR_NOMEM, "internal", "out of memory");
        memcpy(copy, text, n + 1);
        v = velo_value_str(copy, (uint32_t)n);
        break;
    }
    case SQL_LIT_INTERVAL: {
        int64_t us;
        if (velo_sql_interval_micros(e, &us, &err))
            return fail(b, e, VELO_ERR_BIND, "bind.literal", "%s", err.message);
        v.type = velo_type_make(VELO_TYPE_INTERVAL);
        v.is_null = false;
        v.u.iv = (velo_interval){0, 0, us};
        break;
    }
    case SQL_LIT_TIMESTAMP:
    case SQL_LIT_DATE: {
        velo_value s = velo_value_str(text, (uint32_t)strlen(text));
        velo_type t = velo_type_make(e->u.lit.kind == SQL_LIT_DATE ? VELO_TYPE_DATE : VELO_TYPE_TIMESTAMP);
        if (velo_value_cast(&s, t, NULL, &v, &err))
            return fail(b, e, VELO_ERR_BIND, "bind.literal", "%s", err.message);
        break;
    }
    }
    velo_expr *x = new_node(b, VELO_EXPR_CONST, v.type, 0, e);
    if (!x) return fail(b, e, VELO_ERR_NOMEM, "internal", "out of memory");
    x->constant = v;
    *out = x;
    return VELO_OK;
}

static velo_status bind_args(binder *b, velo_expr *x, const sql_expr *const *args, uint32_t n,
                             uint32_t first) {
    for (uint32_t i = 0; i < n; i++) {
        velo_status st = bind(b, args[i], &x->args[first + i]);
        if (st) return st;
    }
    return VELO_OK;
}

#define require_bool velo_binder_require_bool
velo_status velo_binder_require_bool(binder *b, velo_expr **x, const sql_expr *at, const char *what) {
    velo_type_id id = (*x)->type.id;
    if (id == VELO_TYPE_BOOLEAN || id == VELO_TYPE_NULL) return VELO_OK;
    if (id == VELO_TYPE_ANY) {
        *x = cast_to(b, *x, velo_type_make(VELO_TYPE_BOOLEAN), at);
        return VELO_OK;
    }
    char tb[32];
    return fail(b, at, VELO_ERR_BIND, "bind.type", "%s must be BOOLEAN, found %s", what,
                velo_type_format((*x)->type, tb, sizeof tb));
}

#define bind_comparison velo_binder_compare
velo_status velo_binder_compare(binder *b, const sql_expr *at, velo_cmp_op op, velo_expr *l, velo_expr *r,
                                velo_expr **out) {
    velo_type common;
    velo_error err;
    if (velo_common_type(l->type, r->type, &common, &err)) {
        velo_expr_free(l);
        velo_expr_free(r);
        return fail(b, at, VELO_ERR_BIND, "bind.type", "%s", err.message);
    }
    /* DECIMAL operands keep their own scales (compared exactly); other types meet in the common one */
    if (common.id != VELO_TYPE_DECIMAL) {
        l = cast_to(b, l, common, at);
        r = cast_to(b, r, common, at);
    }
    velo_expr *x = new_node(b, VELO_EXPR_CMP, velo_type_make(VELO_TYPE_BOOLEAN), 2, at);
    x->cmp = op;
    x->args[0] = l;
    x->args[1] = r;
    *out = x;
    return VELO_OK;
}

static velo_status bind_binary(binder *b, const sql_expr *e, velo_expr **out) {
    velo_expr *l = NULL, *r = NULL;
    velo_status st = bind(b, e->u.binary.left, &l);
    if (!st) st = bind(b, e->u.binary.right, &r);
    if (st) {
        velo_expr_free(l);
        velo_expr_free(r);
        return st;
    }
    sql_op op = e->u.binary.op;
    velo_expr *x;
    velo_error err;
    switch (op) {
    case SQL_OP_ADD:
    case SQL_OP_SUB:
    case SQL_OP_MUL:
    case SQL_OP_DIV:
    case SQL_OP_MOD: {
        velo_arith_op aop = (velo_arith_op)(op - SQL_OP_ADD);
        velo_type t;
        if (velo_arith_result_type(aop, l->type, r->type, &t, &err)) {
            velo_expr_free(l);
            velo_expr_free(r);
            return fail(b, e, VELO_ERR_BIND, "bind.type", "%s", err.message);
        }
        if (t.id == VELO_TYPE_DOUBLE) {
            l = cast_to(b, l, t, e);
            r = cast_to(b, r, t, e);
        }
        x = new_node(b, VELO_EXPR_ARITH, t, 2, e);
        x->arith = aop;
        break;
    }
    case SQL_OP_EQ: return bind_comparison(b, e, VELO_CMP_EQ, l, r, out);
    case SQL_OP_NE: return bind_comparison(b, e, VELO_CMP_NE, l, r, out);
    case SQL_OP_LT: return bind_comparison(b, e, VELO_CMP_LT, l, r, out);
    case SQL_OP_LE: return bind_comparison(b, e, VELO_CMP_LE, l, r, out);
    case SQL_OP_GT: return bind_comparison(b, e, VELO_CMP_GT, l, r, out);
    case SQL_OP_GE: return bind_comparison(b, e, VELO_CMP_GE, l, r, out);
    case SQL_OP_AND:
    case SQL_OP_OR:
        if ((st = require_bool(b, &l, e->u.binary.left,
                               op == SQL_OP_AND ? "operand of AND" : "operand of OR")) ||
            (st = require_bool(b, &r, e->u.binary.right,
                               op == SQL_OP_AND ? "operand of AND" : "operand of OR"))) {
            velo_expr_free(l);
            velo_expr_free(r);
            return st;
        }
        x = new_node(b, op == SQL_OP_AND ? VELO_EXPR_AND : VELO_EXPR_OR, velo_type_make(VELO_TYPE_BOOLEAN), 2,
                     e);
        break;
    case SQL_OP_CONCAT: x = new_node(b, VELO_EXPR_CONCAT, velo_type_make(VELO_TYPE_VARCHAR), 2, e); break;
    default:
        velo_expr_free(l);
        velo_expr_free(r);
        return fail(b, e, VELO_ERR_INTERNAL, "internal", "unexpected binary operator");
    }
    x->args[0] = l;
    x->args[1] = r;
    *out = x;
    return VELO_OK;
}

/* "unknown function 'SUMM'; did you mean 'SUM'?" over every catalog name */
static velo_status unknown_function(binder *b, const sql_expr *e, const char *name) {
    const char *cands[512];
    uint32_t n = 0;
    for (const velo_function *f; n < 512 && (f = velo_function_at(n));)
        cands[n++] = f->name;
    const char *hint = velo_closest_name(name, cands, n);
    if (hint)
        return fail(b, e, VELO_ERR_BIND, "bind.unknown_function", "unknown function '%s'; did you mean '%s'?",
                    name, hint);
    return fail(b, e, VELO_ERR_BIND, "bind.unknown_function", "unknown function '%s'", name);
}

/* The result type by the entry's own rule: the fallback when the catalog's check leaves it open. */
static velo_status rule_type(binder *b, const sql_expr *e, const velo_function *f, velo_expr *x) {
    velo_error err;
    switch (f->ret) {
    case VELO_RET_FIXED: x->type = velo_type_make(f->fixed); break;
    case VELO_RET_ARG0:
    case VELO_RET_NUMERIC_ARG0: x->type = x->nargs ? x->args[0]->type : velo_type_make(VELO_TYPE_NULL); break;
    case VELO_RET_COMMON: {
        velo_type t = velo_type_make(VELO_TYPE_NULL);
        for (uint32_t i = 0; i < x->nargs; i++)
            if (velo_common_type(t, x->args[i]->type, &t, &err))
                return fail(b, e->u.func.args[i], VELO_ERR_BIND, "bind.type", "%s: %s", f->name, err.message);
        x->type = t;
        break;
    }
    }
    return VELO_OK;
}

velo_status velo_function_bind_check(velo_binder *b, const sql_expr *e, const velo_function *f,
                                     velo_expr **args, uint32_t n, velo_type *ret) {
    velo_type types[64];
    uint32_t nt = n < 64 ? n : 64;
    for (uint32_t i = 0; i < nt; i++)
        types[i] = args[i]->type;
    char msg[256];
    velo_type t = velo_type_make(VELO_TYPE_NULL);
    if (!velo_function_check(f, types, nt, &t, msg, sizeof msg)) {
        bool arity = n < f->min_args || (f->max_args != 255 && n > f->max_args);
        return fail(b, e, VELO_ERR_BIND, arity ? "bind.arity" : "bind.type", "%s", msg);
    }
    *ret = t;
    return VELO_OK;
}

/* A unit or field only its value makes valid (DATEDIFF('hour', ...), EXTRACT(YEAR FROM ...)). */
static velo_status check_literal(binder *b, const sql_expr *at, const velo_function *f, uint32_t i,
                                 const char *text) {
    char msg[400];
    if (velo_function_check_literal(f, i, text, msg, sizeof msg)) return VELO_OK;
    return fail(b, at, VELO_ERR_BIND, "bind.unit", "%s", msg);
}

/* HEADER('h'), HAS_HEADER('h') and HEADER_KEYS() read the record's headers: the _headers column of
 * the Kafka source is appended to the call as a hidden last argument; so do SET_HEADER(name, value)
 * and REMOVE_HEADER(name) when no headers MAP is passed to them. */
static bool is_header_function(const velo_function *f, uint32_t nargs) {
    if (!strcasecmp(f->name, "SET_HEADER")) return nargs == 2;
    if (!strcasecmp(f->name, "REMOVE_HEADER")) return nargs == 1;
    return !strcasecmp(f->name, "HEADER") || !strcasecmp(f->name, "HAS_HEADER") ||
           !strcasecmp(f->name, "HEADER_KEYS");
}

static velo_status bind_headers_arg(binder *b, const sql_expr *e, velo_expr *x) {
    char name[] = "_headers";
    char *parts[] = {name};
    sql_expr col;
    memset(&col, 0, sizeof col);
    col.kind = SQL_EXPR_COLUMN;
    col.pos = e->pos;
    col.u.column.parts = parts;
    col.u.column.nparts = 1;
    velo_expr *h = NULL;
    /* a source without headers (a file): the calls see none, rather than an unknown column */
    velo_diags *diags = b->diags, scratch;
    velo_diags_init(&scratch);
    b->diags = &scratch;
    velo_status st = bind(b, &col, &h);
    b->diags = diags;
    velo_diags_free(&scratch);
    if (st == VELO_ERR_NOMEM) return st;
    if (st) {
        h = new_node(b, VELO_EXPR_CONST, velo_type_make(VELO_TYPE_MAP), 0, e);
        if (!h) return VELO_ERR_NOMEM;
        h->constant = velo_value_null();
        h->constant.type = velo_type_make(VELO_TYPE_MAP);
    }
    velo_expr **args = mi_realloc(x->args, sizeof *args * (x->nargs + 1));
    if (!args) {
        velo_expr_free(h);
        return VELO_ERR_NOMEM;
    }
    args[x->nargs++] = h;
    x->args = args;
    return VELO_OK;
}

static bool const_i64(const velo_expr *e, int64_t *v) {
    if (e->kind == VELO_EXPR_CONST && !e->constant.is_null && e->constant.type.id == VELO_TYPE_BIGINT) {
        *v = e->constant.u.i64;
        return true;
    }
    if (e->kind == VELO_EXPR_NEG && e->nargs == 1 && const_i64(e->args[0], v) && *v != INT64_MIN) {
        *v = -*v;
        return true;
    }
    return false;
}

/* ROUND(DECIMAL(p,s), n) with a constant n < s is DECIMAL(p, max(n, 0)), as in PostgreSQL and
 * DuckDB: the digits past n are zeros, and ROUND(123.456, 2) reads 123.46, not 123.460. */
static void narrow_round_scale(velo_expr *x) {
    int64_t d;
    if (x->fn != velo_fn_round || x->nargs != 2 || x->type.id != VELO_TYPE_DECIMAL ||
        !const_i64(x->args[1], &d) || d >= x->type.scale)
        return;
    x->type = velo_type_decimal(x->type.precision, (uint8_t)(d < 0 ? 0 : d));
}

static velo_status bind_function(binder *b, const sql_expr *e, velo_expr **out) {
    const char *name = e->u.func.name;
    const velo_function *f = velo_function_lookup(name);
    if (!f && b->allow_unimplemented && e->u.func.nargs == 0 &&
        (!strcasecmp(name, "NOW") || !strcasecmp(name, "CURRENT_TIMESTAMP"))) {
        velo_expr *x = new_node(b, VELO_EXPR_FUNC, velo_type_make(VELO_TYPE_TIMESTAMP), 0, e);
        x->fn_name = "NOW";
        *out = x;
        return VELO_OK;
    }
    if (!f) return unknown_function(b, e, name);
    if (e->u.func.over)
        return fail(b, e, b->allow_unimplemented ? VELO_ERR_BIND : VELO_ERR_UNSUPPORTED,
                    b->allow_unimplemented ? "bind.window" : "bind.unsupported",
                    b->allow_unimplemented ? "window function %s(...) OVER is not allowed here"
                                           : "window function %s(...) OVER is not supported yet",
                    f->name);
    if (f->kind != VELO_FN_SCALAR) {
        if (b->allow_unimplemented)
            return fail(b, e, VELO_ERR_BIND, "bind.aggregate", "%s function %s is not allowed here",
                        f->kind == VELO_FN_WINDOW ? "window" : "aggregate", f->name);
        return fail(b, e, VELO_ERR_UNSUPPORTED, "bind.unsupported",
                    "aggregate function %s is not supported yet (GROUP BY execution arrives with streaming "
                    "execution)",
                    f->name);
    }
    uint32_t n = e->u.func.nargs;
    velo_expr *x = new_node(b, VELO_EXPR_FUNC, velo_type_make(f->fixed), n, e);
    velo_status st = bind_args(b, x, (const sql_expr *const *)e->u.func.args, n, 0);
    velo_type t;
    if (!st) st = velo_function_bind_check(b, e, f, x->args, n, &t);
    for (uint32_t i = 0; !st && i < n; i++) {
        const sql_expr *a = e->u.func.args[i];
        if (a->kind == SQL_EXPR_LITERAL && a->u.lit.kind == SQL_LIT_STRING)
            st = check_literal(b, a, f, i, a->u.lit.text);
    }
    /* a typer has already decided (IF's condition must not join the common type of its branches) */
    if (!st && !f->typer) st = rule_type(b, e, f, x);
    if (st) {
        velo_expr_free(x);
        return st;
    }
    if (t.id != VELO_TYPE_NULL) x->type = t;
    if (!st && is_header_function(f, n)) st = bind_headers_arg(b, e, x);
    if (st) {
        velo_expr_free(x);
        return st;
    }
    if (!f->impl && !b->allow_unimplemented) {
        velo_expr_free(x);
        return fail(b, e, VELO_ERR_UNSUPPORTED, "bind.unsupported", "function %s is not supported yet",
                    f->name);
    }
    x->fn = f->impl;
    x->fn_name = f->name;
    x->strict = f->strict;
    narrow_round_scale(x);
    *out = x;
    return VELO_OK;
}

/* EXTRACT(YEAR FROM x) -> FUNC EXTRACT('YEAR', x); BIGINT unless the catalog says otherwise */
static velo_status bind_extract(binder *b, const sql_expr *e, velo_expr **out) {
    const velo_function *f = velo_function_lookup("EXTRACT");
    if ((!f || !f->impl) && !b->allow_unimplemented)
        return fail(b, e, VELO_ERR_UNSUPPORTED, "bind.unsupported", "EXTRACT is not supported yet");
    const char *field = e->u.extract.field;
    if (f && check_literal(b, e, f, 0, field)) return VELO_ERR_BIND;
    velo_expr *x = new_node(b, VELO_EXPR_FUNC, velo_type_make(VELO_TYPE_BIGINT), 2, e);
    x->args[0] = new_node(b, VELO_EXPR_CONST, velo_type_make(VELO_TYPE_VARCHAR), 0, e);
    x->args[0]->constant = velo_value_str(xstrdup(field), (uint32_t)strlen(field));
    velo_status st = bind(b, e->u.extract.arg, &x->args[1]);
    if (!st) {
        velo_type_id id = x->args[1]->type.id;
        /* a BIGINT is epoch milliseconds (the original dialect's timestamps) */
        if (id != VELO_TYPE_TIMESTAMP && id != VELO_TYPE_DATE && id != VELO_TYPE_ANY &&
            id != VELO_TYPE_NULL && id != VELO_TYPE_INTERVAL && id != VELO_TYPE_VARCHAR &&
            id != VELO_TYPE_BIGINT) {
            char tb[32];
            st = fail(b, e->u.extract.arg, VELO_ERR_BIND, "bind.type",
                      "EXTRACT needs a TIMESTAMP, DATE or BIGINT epoch milliseconds, found %s",
                      velo_type_format(x->args[1]->type, tb, sizeof tb));
        }
    }
    if (st) {
        velo_expr_free(x);
        return st;
    }
    if (f) {
        x->fn = f->impl;
        x->strict = f->strict;
        if (f->ret == VELO_RET_FIXED && f->fixed != VELO_TYPE_NULL) x->type = velo_type_make(f->fixed);
    }
    x->fn_name = "EXTRACT";
    *out = x;
    return VELO_OK;
}

/* base.name on a STRUCT, MAP or dynamically typed value; the name lives in `constant` (freed with the node)
 */
velo_status velo_binder_field(velo_binder *b, const sql_expr *at, velo_expr *base, const char *name,
                              velo_expr **out) {
    velo_type_id id = base->type.id;
    if (id != VELO_TYPE_STRUCT && id != VELO_TYPE_MAP && id != VELO_TYPE_ANY) {
        char tb[32];
        velo_type t = base->type;
        velo_expr_free(base);
        return fail(b, at, VELO_ERR_BIND, "bind.type", "cannot access field '%s' of a %s value", name,
                    velo_type_format(t, tb, sizeof tb));
    }
    velo_expr *x = new_node(b, VELO_EXPR_FIELD, velo_type_make(VELO_TYPE_ANY), 1, at);
    x->args[0] = base;
    char *copy = xstrdup(name);
    x->constant = velo_value_str(copy, (uint32_t)strlen(copy));
    x->fn_name = copy;
    *out = x;
    return VELO_OK;
}

static velo_status bind_subscript(binder *b, const sql_expr *e, velo_expr **out) {
    velo_expr *x = new_node(b, VELO_EXPR_SUBSCRIPT, velo_type_make(VELO_TYPE_ANY), 2, e);
    velo_status st = bind(b, e->u.subscript.base, &x->args[0]);
    if (!st) st = bind(b, e->u.subscript.index, &x->args[1]);
    if (!st) {
        velo_type_id id = x->args[0]->type.id;
        if (id != VELO_TYPE_LIST && id != VELO_TYPE_MAP && id != VELO_TYPE_ANY && id != VELO_TYPE_STRUCT) {
            char tb[32];
            st = fail(b, e, VELO_ERR_BIND, "bind.type", "cannot subscript a %s value",
                      velo_type_format(x->args[0]->type, tb, sizeof tb));
        }
    }
    if (st) {
        velo_expr_free(x);
        return st;
    }
    *out = x;
    return VELO_OK;
}

static velo_status bind_case(binder *b, const sql_expr *e, velo_expr **out) {
    uint32_t nw = e->u.case_.nwhens;
    bool has_else = e->u.case_.else_expr != NULL;
    velo_expr *x =
        new_node(b, VELO_EXPR_CASE, velo_type_make(VELO_TYPE_NULL), 2 * nw + (has_else ? 1 : 0), e);
    x->has_else = has_else;
    velo_status st = VELO_OK;
    velo_expr *operand = NULL;
    for (uint32_t i = 0; i < nw && !st; i++) {
        if (e->u.case_.operand) {
            /* simple CASE x WHEN v: compare x = v (x is re-bound per WHEN: it is cheap and side-effect free)
             */
            velo_expr *l = NULL, *r = NULL;
            st = bind(b, e->u.case_.operand, &l);
            if (!st) st = bind(b, e->u.case_.whens[i], &r);
            if (!st)
                st = bind_comparison(b, e->u.case_.whens[i], VELO_CMP_EQ, l, r, &x->args[2 * i]);
            else {
                velo_expr_free(l);
                velo_expr_free(r);
            }
        } else {
            st = bind(b, e->u.case_.whens[i], &x->args[2 * i]);
            if (!st) st = require_bool(b, &x->args[2 * i], e->u.case_.whens[i], "WHEN condition");
        }
        if (!st) st = bind(b, e->u.case_.thens[i], &x->args[2 * i + 1]);
    }
    if (!st && has_else) st = bind(b, e->u.case_.else_expr, &x->args[2 * nw]);
    (void)operand;
    if (st) {
        velo_expr_free(x);
        return st;
    }
    velo_type t = velo_type_make(VELO_TYPE_NULL);
    velo_error err;
    for (uint32_t i = 0; i < x->nargs; i++) {
        if (i < 2 * nw && i % 2 == 0) continue;
        if (velo_common_type(t, x->args[i]->type, &t, &err)) {
            velo_expr_free(x);
            return fail(b, e, VELO_ERR_BIND, "bind.type", "CASE branches have incompatible types: %s",
                        err.message);
        }
    }
    if (t.id == VELO_TYPE_NULL) t = velo_type_make(VELO_TYPE_VARCHAR);
    for (uint32_t i = 0; i < x->nargs; i++) {
        if (i < 2 * nw && i % 2 == 0) continue;
        x->args[i] = cast_to(b, x->args[i], t, e);
    }
    x->type = t;
    *out = x;
    return VELO_OK;
}

velo_status velo_binder_bind(binder *b, const sql_expr *e, velo_expr **out) { return bind(b, e, out); }

static velo_status bind(binder *b, const sql_expr *e, velo_expr **out) {
    *out = NULL;
    velo_status st;
    velo_expr *x;
    if (b->hooks && b->hooks->node && b->hooks->node(b, e, out, &st)) return st;
    switch (e->kind) {
    case SQL_EXPR_LITERAL: return bind_literal(b, e, out);
    case SQL_EXPR_COLUMN: return bind_column(b, e, out);
    case SQL_EXPR_BINARY: return bind_binary(b, e, out);
    case SQL_EXPR_UNARY: {
        velo_expr *a;
        if ((st = bind(b, e->u.unary.arg, &a))) return st;
        if (e->u.unary.op == SQL_OP_PLUS) {
            *out = a;
            return VELO_OK;
        }
        if (e->u.unary.op == SQL_OP_NOT) {
            if ((st = require_bool(b, &a, e->u.unary.arg, "operand of NOT"))) {
                velo_expr_free(a);
                return st;
            }
            x = new_node(b, VELO_EXPR_NOT, velo_type_make(VELO_TYPE_BOOLEAN), 1, e);
        } else {
            if (!velo_type_is_numeric(a->type) && a->type.id != VELO_TYPE_INTERVAL &&
                a->type.id != VELO_TYPE_ANY && a->type.id != VELO_TYPE_NULL) {
                char tb[32];
                velo_type t = a->type;
                velo_expr_free(a);
                return fail(b, e, VELO_ERR_BIND, "bind.type", "cannot negate %s",
                            velo_type_format(t, tb, sizeof tb));
            }
            x = new_node(b, VELO_EXPR_NEG, a->type, 1, e);
        }
        x->args[0] = a;
        *out = x;
        return VELO_OK;
    }
    case SQL_EXPR_FUNCTION: return bind_function(b, e, out);
    case SQL_EXPR_CASE: return bind_case(b, e, out);
    case SQL_EXPR_CAST: {
        velo_expr *a;
        if ((st = bind(b, e->u.cast.arg, &a))) return st;
        if (!velo_type_can_cast(a->type, e->u.cast.type->type)) {
            char ta[32], tb[32];
            velo_type from = a->type;
            velo_expr_free(a);
            return fail(b, e, VELO_ERR_BIND, "bind.cast", "cannot cast %s to %s",
                        velo_type_format(from, ta, sizeof ta),
                        velo_type_format(e->u.cast.type->type, tb, sizeof tb));
        }
        x = new_node(b, VELO_EXPR_CAST, e->u.cast.type->type, 1, e);
        x->args[0] = a;
        x->try_cast = e->u.cast.try_cast;
        *out = x;
        return VELO_OK;
    }
    case SQL_EXPR_BETWEEN: {
        /* x BETWEEN lo AND hi  ==  x >= lo AND x <= hi */
        velo_expr *a1, *a2, *lo, *hi, *ge, *le;
        if ((st = bind(b, e->u.between.arg, &a1))) return st;
        if ((st = bind(b, e->u.between.arg, &a2)) || (st = bind(b, e->u.between.low, &lo))) {
            velo_expr_free(a1);
            return st;
        }
        if ((st = bind(b, e->u.between.high, &hi))) {
            velo_expr_free(a1);
            velo_expr_free(a2);
            velo_expr_free(lo);
            return st;
        }
        if ((st = bind_comparison(b, e, VELO_CMP_GE, a1, lo, &ge))) {
            velo_expr_free(a2);
            velo_expr_free(hi);
            return st;
        }
        if ((st = bind_comparison(b, e, VELO_CMP_LE, a2, hi, &le))) {
            velo_expr_free(ge);
            return st;
        }
        x = new_node(b, VELO_EXPR_AND, velo_type_make(VELO_TYPE_BOOLEAN), 2, e);
        x->args[0] = ge;
        x->args[1] = le;
        if (e->u.between.negated) {
            velo_expr *n = new_node(b, VELO_EXPR_NOT, velo_type_make(VELO_TYPE_BOOLEAN), 1, e);
            n->args[0] = x;
            x = n;
        }
        *out = x;
        return VELO_OK;
    }
    case SQL_EXPR_IN_LIST: {
        x = new_node(b, VELO_EXPR_IN_LIST, velo_type_make(VELO_TYPE_BOOLEAN), e->u.in_list.nitems + 1, e);
        x->negated = e->u.in_list.negated;
        if ((st = bind(b, e->u.in_list.arg, &x->args[0])) ||
            (st = bind_args(b, x, (const sql_expr *const *)e->u.in_list.items, e->u.in_list.nitems, 1))) {
            velo_expr_free(x);
            return st;
        }
        *out = x;
        return VELO_OK;
    }
    case SQL_EXPR_LIKE: {
        uint32_t n = e->u.like.escape ? 3 : 2;
        x = new_node(b, VELO_EXPR_LIKE, velo_type_make(VELO_TYPE_BOOLEAN), n, e);
        x->negated = e->u.like.negated;
        x->ilike = e->u.like.ilike;
        const sql_expr *parts[3] = {e->u.like.arg, e->u.like.pattern, e->u.like.escape};
        if ((st = bind_args(b, x, parts, n, 0))) {
            velo_expr_free(x);
            return st;
        }
        for (uint32_t i = 0; i < n; i++) {
            /* no implicit text conversion: `quantity LIKE '1%'` on a number is a mistake */
            velo_type_id id = x->args[i]->type.id;
            if (id != VELO_TYPE_VARCHAR && id != VELO_TYPE_ANY && id != VELO_TYPE_NULL) {
                char tb[32];
                velo_type_format(x->args[i]->type, tb, sizeof tb);
                velo_expr_free(x);
                return fail(b, parts[i], VELO_ERR_BIND, "bind.type", "%s needs VARCHAR operands, found %s",
                            e->u.like.ilike ? "ILIKE" : "LIKE", tb);
            }
            x->args[i] = cast_to(b, x->args[i], velo_type_make(VELO_TYPE_VARCHAR), e);
        }
        *out = x;
        return VELO_OK;
    }
    case SQL_EXPR_IS_NULL: {
        x = new_node(b, VELO_EXPR_IS_NULL, velo_type_make(VELO_TYPE_BOOLEAN), 1, e);
        x->negated = e->u.is_null.negated;
        if ((st = bind(b, e->u.is_null.arg, &x->args[0]))) {
            velo_expr_free(x);
            return st;
        }
        *out = x;
        return VELO_OK;
    }
    case SQL_EXPR_IS_DISTINCT: {
        x = new_node(b, VELO_EXPR_IS_DISTINCT, velo_type_make(VELO_TYPE_BOOLEAN), 2, e);
        x->negated = e->u.is_distinct.negated;
        if ((st = bind(b, e->u.is_distinct.left, &x->args[0])) ||
            (st = bind(b, e->u.is_distinct.right, &x->args[1]))) {
            velo_expr_free(x);
            return st;
        }
        *out = x;
        return VELO_OK;
    }
    case SQL_EXPR_IS_BOOL: {
        /* x IS TRUE == x IS NOT DISTINCT FROM TRUE (never NULL) */
        x = new_node(b, VELO_EXPR_IS_DISTINCT, velo_type_make(VELO_TYPE_BOOLEAN), 2, e);
        x->negated = !e->u.is_bool.negated;
        if ((st = bind(b, e->u.is_bool.arg, &x->args[0]))) {
            velo_expr_free(x);
            return st;
        }
        x->args[1] = new_node(b, VELO_EXPR_CONST, velo_type_make(VELO_TYPE_BOOLEAN), 0, e);
        x->args[1]->constant = velo_value_bool(e->u.is_bool.value);
        *out = x;
        return VELO_OK;
    }
    case SQL_EXPR_STAR:
        return fail(b, e, VELO_ERR_BIND, "bind.star", "'*' is only allowed in a select list or COUNT(*)");
    case SQL_EXPR_IN_SUBQUERY:
    case SQL_EXPR_EXISTS:
    case SQL_EXPR_SUBQUERY:
        return fail(b, e, VELO_ERR_UNSUPPORTED, "bind.unsupported", "subqueries are not supported yet");
    case SQL_EXPR_EXTRACT: return bind_extract(b, e, out);
    case SQL_EXPR_SUBSCRIPT:
    case SQL_EXPR_FIELD:
        if (!b->allow_unimplemented)
            return fail(b, e, VELO_ERR_UNSUPPORTED, "bind.unsupported",
                        "nested value access is not supported yet");
        if (e->kind == SQL_EXPR_SUBSCRIPT) return bind_subscript(b, e, out);
        if ((st = bind(b, e->u.field.base, &x))) return st;
        return velo_binder_field(b, e, x, e->u.field.name, out);
    }
    return fail(b, e, VELO_ERR_INTERNAL, "internal", "unknown expression kind");
}

velo_status velo_bind_expr(const sql_expr *e, const velo_bound_source *src, velo_expr **out,
                           velo_diags *diags) {
    binder b = {.src = src, .diags = diags};
    return bind(&b, e, out);
}

/* Output name of a select item: its alias, a column's own name, or the expression's text. */
char *velo_select_item_name(const sql_select_item *it) {
    if (it->alias) return xstrdup(it->alias);
    const sql_expr *e = it->expr;
    if (e->kind == SQL_EXPR_COLUMN) return xstrdup(e->u.column.parts[e->u.column.nparts - 1]);
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_sql_print_expr(e, &sb);
    char *s = xstrdup(sb.data);
    velo_strbuf_free(&sb);
    return s;
}
