/* `explain`: a logical plan (sql/plan.h) as an indented tree for people and as a JSON document for
 * tools. Both walk the same per-node description (label, details, state kept), so the two outputs
 * never say different things. Expressions print from the bound trees, with column names taken
 * from the schema of the node's input; subquery plans print below the node that uses them, and
 * their correlated columns name the enclosing node's columns ("outer.symbol"). */
#include "sql/explain.h"

#include <inttypes.h>
#include <mimalloc.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "connectors/formats/format.h"
#include "core/decimal.h"
#include "core/temporal.h"
#include "sql/parser.h"
#include "sql/plan.h"

/* The schemas of the enclosing queries, innermost first, for correlated columns. */
typedef struct outer_scope {
    const velo_schema *schema;
    const struct outer_scope *up;
} outer_scope;

typedef struct expr_printer {
    const velo_schema *input;
    const outer_scope *outer;
    velo_strbuf *out;
} expr_printer;

enum { P_OR = 1, P_AND, P_NOT, P_CMP, P_CONCAT, P_ADD, P_MUL, P_UNARY, P_POSTFIX, P_PRIMARY };

static void put(velo_strbuf *o, const char *s) { velo_strbuf_puts(o, s); }

/* ---- durations and names ---- */

void velo_duration_print(int64_t us, velo_strbuf *out) {
    static const struct {
        int64_t micros;
        const char *unit;
    } units[] = {
        {VELO_MICROS_PER_DAY, "d"}, {INT64_C(3600000000), "h"}, {INT64_C(60000000), "m"},
        {VELO_MICROS_PER_SEC, "s"}, {INT64_C(1000), "ms"},      {1, "us"},
    };
    if (us == 0) {
        put(out, "0s");
        return;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (us % units[i].micros == 0) {
            velo_strbuf_printf(out, "%" PRId64 "%s", us / units[i].micros, units[i].unit);
            return;
        }
    }
}

static void print_ident(const char *s, velo_strbuf *o) { velo_sql_print_ident(s ? s : "", o); }

static void print_column_name(const velo_schema *s, uint32_t i, velo_strbuf *o) {
    if (s && i < s->ncols && s->fields[i].name)
        print_ident(s->fields[i].name, o);
    else
        velo_strbuf_printf(o, "#%u", i);
}

static const char *type_name(velo_type t, char *buf, uint32_t n) { return velo_type_format(t, buf, n); }

/* ---- expressions ---- */

static void print_quoted(const char *s, uint32_t len, velo_strbuf *o) {
    velo_strbuf_putc(o, '\'');
    for (uint32_t i = 0; i < len; i++) {
        if (s[i] == '\'') velo_strbuf_putc(o, '\'');
        velo_strbuf_putc(o, s[i]);
    }
    velo_strbuf_putc(o, '\'');
}

static void print_value(const velo_value *v, velo_strbuf *o) {
    char buf[64];
    if (v->is_null) {
        put(o, "NULL");
        return;
    }
    switch (v->type.id) {
    case VELO_TYPE_BOOLEAN: put(o, v->u.b ? "TRUE" : "FALSE"); break;
    case VELO_TYPE_BIGINT: velo_strbuf_printf(o, "%" PRId64, v->u.i64); break;
    case VELO_TYPE_DOUBLE:
        velo_double_format(v->u.f64, buf);
        put(o, buf);
        break;
    case VELO_TYPE_DECIMAL:
        velo_decimal_format(v->u.dec, v->type.scale, buf);
        put(o, buf);
        break;
    case VELO_TYPE_VARCHAR: print_quoted(v->u.str.ptr, v->u.str.len, o); break;
    case VELO_TYPE_BYTES:
        put(o, "X'");
        for (uint32_t i = 0; i < v->u.str.len; i++)
            velo_strbuf_printf(o, "%02X", (unsigned char)v->u.str.ptr[i]);
        velo_strbuf_putc(o, '\'');
        break;
    case VELO_TYPE_TIMESTAMP:
        velo_format_timestamp(v->u.i64, buf);
        velo_strbuf_printf(o, "TIMESTAMP '%s'", buf);
        break;
    case VELO_TYPE_DATE:
        velo_format_date(v->u.date, buf);
        velo_strbuf_printf(o, "DATE '%s'", buf);
        break;
    case VELO_TYPE_INTERVAL:
        if (v->u.iv.months == 0 && v->u.iv.days == 0) {
            put(o, "INTERVAL ");
            velo_duration_print(v->u.iv.micros, o);
        } else {
            velo_format_interval(v->u.iv, buf);
            velo_strbuf_printf(o, "INTERVAL '%s'", buf);
        }
        break;
    case VELO_TYPE_LIST:
    case VELO_TYPE_MAP:
    case VELO_TYPE_STRUCT:
        velo_strbuf_putc(o, v->type.id == VELO_TYPE_LIST ? '[' : '{');
        for (uint32_t i = 0; i < v->u.nested.count; i++) {
            if (i) put(o, ", ");
            if (v->u.nested.names) {
                print_quoted(v->u.nested.names[i].ptr, v->u.nested.names[i].len, o);
                put(o, ": ");
            }
            print_value(&v->u.nested.items[i], o);
        }
        velo_strbuf_putc(o, v->type.id == VELO_TYPE_LIST ? ']' : '}');
        break;
    default: put(o, type_name(v->type, buf, sizeof buf)); break;
    }
}

static int expr_prec(const velo_expr *e) {
    switch (e->kind) {
    case VELO_EXPR_OR: return P_OR;
    case VELO_EXPR_AND: return P_AND;
    case VELO_EXPR_NOT: return P_NOT;
    case VELO_EXPR_CMP:
    case VELO_EXPR_IS_NULL:
    case VELO_EXPR_IS_DISTINCT:
    case VELO_EXPR_IN_LIST:
    case VELO_EXPR_LIKE: return P_CMP;
    case VELO_EXPR_CONCAT: return P_CONCAT;
    case VELO_EXPR_ARITH: return e->arith == VELO_ARITH_ADD || e->arith == VELO_ARITH_SUB ? P_ADD : P_MUL;
    case VELO_EXPR_NEG: return P_UNARY;
    case VELO_EXPR_FIELD:
    case VELO_EXPR_SUBSCRIPT: return P_POSTFIX;
    case VELO_EXPR_SUBQUERY:
        if (e->subquery_kind == VELO_SUBQUERY_IN) return P_CMP;
        return e->subquery_kind == VELO_SUBQUERY_EXISTS && e->negated ? P_NOT : P_PRIMARY;
    case VELO_EXPR_CONST:
        /* a negative number reads as a unary minus: keep "-(-1)" and "(-1).x" unambiguous */
        if (e->constant.is_null) return P_PRIMARY;
        if (e->constant.type.id == VELO_TYPE_BIGINT && e->constant.u.i64 < 0) return P_UNARY;
        if (e->constant.type.id == VELO_TYPE_DOUBLE && e->constant.u.f64 < 0) return P_UNARY;
        if (e->constant.type.id == VELO_TYPE_DECIMAL && e->constant.u.dec < 0) return P_UNARY;
        return P_PRIMARY;
    default: return P_PRIMARY;
    }
}

static void pexpr(const expr_printer *p, const velo_expr *e, int min);

static void plist(const expr_printer *p, velo_expr *const *args, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        if (i) put(p->out, ", ");
        pexpr(p, args[i], 0);
    }
}

static void pbinary(const expr_printer *p, const velo_expr *e, const char *op, int prec, bool assoc) {
    pexpr(p, e->args[0], prec);
    velo_strbuf_printf(p->out, " %s ", op);
    /* left-associative operators need parentheses around a right operand of the same level */
    pexpr(p, e->args[1], assoc ? prec : prec + 1);
}

static void pcolumn(const expr_printer *p, const velo_expr *e) {
    if (e->outer_depth == 0) {
        print_column_name(p->input, e->column, p->out);
        return;
    }
    const outer_scope *s = p->outer;
    for (uint32_t d = 1; s && d < e->outer_depth; d++)
        s = s->up;
    put(p->out, "outer.");
    print_column_name(s ? s->schema : NULL, e->column, p->out);
}

static void pcase(const expr_printer *p, const velo_expr *e) {
    put(p->out, "CASE");
    uint32_t pairs = (e->nargs - (e->has_else ? 1 : 0)) / 2;
    for (uint32_t i = 0; i < pairs; i++) {
        put(p->out, " WHEN ");
        pexpr(p, e->args[2 * i], 0);
        put(p->out, " THEN ");
        pexpr(p, e->args[2 * i + 1], 0);
    }
    if (e->has_else) {
        put(p->out, " ELSE ");
        pexpr(p, e->args[e->nargs - 1], 0);
    }
    put(p->out, " END");
}

static void psubquery(const expr_printer *p, const velo_expr *e) {
    switch (e->subquery_kind) {
    case VELO_SUBQUERY_SCALAR: put(p->out, "(subquery)"); break;
    case VELO_SUBQUERY_IN:
        if (e->nargs) pexpr(p, e->args[0], P_CMP + 1);
        put(p->out, e->negated ? " NOT IN (subquery)" : " IN (subquery)");
        break;
    case VELO_SUBQUERY_EXISTS: put(p->out, e->negated ? "NOT EXISTS (subquery)" : "EXISTS (subquery)"); break;
    }
}

static void pexpr(const expr_printer *p, const velo_expr *e, int min) {
    static const char *const arith[] = {"+", "-", "*", "/", "%"};
    static const char *const cmp[] = {"=", "<>", "<", "<=", ">", ">="};
    velo_strbuf *o = p->out;
    if (!e) {
        put(o, "?");
        return;
    }
    int prec = expr_prec(e);
    bool paren = prec < min;
    if (paren) velo_strbuf_putc(o, '(');
    char tbuf[64];
    switch (e->kind) {
    case VELO_EXPR_CONST: print_value(&e->constant, o); break;
    case VELO_EXPR_COLUMN: pcolumn(p, e); break;
    case VELO_EXPR_CAST:
        put(o, e->try_cast ? "TRY_CAST(" : "CAST(");
        pexpr(p, e->args[0], 0);
        velo_strbuf_printf(o, " AS %s)", type_name(e->type, tbuf, sizeof tbuf));
        break;
    case VELO_EXPR_ARITH: pbinary(p, e, arith[e->arith], prec, false); break;
    case VELO_EXPR_NEG:
        velo_strbuf_putc(o, '-');
        pexpr(p, e->args[0], P_UNARY + 1);
        break;
    case VELO_EXPR_CMP: pbinary(p, e, cmp[e->cmp], P_CMP + 1, false); break;
    case VELO_EXPR_AND: pbinary(p, e, "AND", P_AND, true); break;
    case VELO_EXPR_OR: pbinary(p, e, "OR", P_OR, true); break;
    case VELO_EXPR_CONCAT: pbinary(p, e, "||", P_CONCAT, true); break;
    case VELO_EXPR_NOT:
        put(o, "NOT ");
        pexpr(p, e->args[0], P_NOT);
        break;
    case VELO_EXPR_IS_NULL:
        pexpr(p, e->args[0], P_CMP + 1);
        put(o, e->negated ? " IS NOT NULL" : " IS NULL");
        break;
    case VELO_EXPR_IS_DISTINCT:
        pbinary(p, e, e->negated ? "IS NOT DISTINCT FROM" : "IS DISTINCT FROM", P_CMP + 1, false);
        break;
    case VELO_EXPR_CASE: pcase(p, e); break;
    case VELO_EXPR_IN_LIST:
        pexpr(p, e->args[0], P_CMP + 1);
        put(o, e->negated ? " NOT IN (" : " IN (");
        plist(p, e->args + 1, e->nargs - 1);
        velo_strbuf_putc(o, ')');
        break;
    case VELO_EXPR_LIKE:
        pexpr(p, e->args[0], P_CMP + 1);
        velo_strbuf_printf(o, " %s%s ", e->negated ? "NOT " : "", e->ilike ? "ILIKE" : "LIKE");
        pexpr(p, e->args[1], P_CMP + 1);
        if (e->nargs > 2) {
            put(o, " ESCAPE ");
            pexpr(p, e->args[2], P_CMP + 1);
        }
        break;
    case VELO_EXPR_FUNC:
        put(o, e->fn_name ? e->fn_name : "?");
        velo_strbuf_putc(o, '(');
        plist(p, e->args, e->nargs);
        velo_strbuf_putc(o, ')');
        break;
    case VELO_EXPR_FIELD:
        pexpr(p, e->args[0], P_POSTFIX);
        velo_strbuf_putc(o, '.');
        print_ident(e->fn_name, o);
        break;
    case VELO_EXPR_SUBSCRIPT:
        pexpr(p, e->args[0], P_POSTFIX);
        velo_strbuf_putc(o, '[');
        pexpr(p, e->args[1], 0);
        velo_strbuf_putc(o, ']');
        break;
    case VELO_EXPR_SUBQUERY: psubquery(p, e); break;
    }
    if (paren) velo_strbuf_putc(o, ')');
}

void velo_expr_print(const velo_expr *e, const velo_schema *input, velo_strbuf *out) {
    expr_printer p = {input, NULL, out};
    pexpr(&p, e, 0);
}

/* ---- per-node description, shared by text and JSON ---- */

/* Everything a printer needs about where a node sits: its input schema for expressions and the
 * enclosing scopes for correlated columns. */
typedef struct node_ctx {
    const velo_plan *node;
    const outer_scope *outer;
} node_ctx;

static const velo_schema *input_schema(const velo_plan *n) { return n->input ? n->input->schema : NULL; }

static void expr_text(const node_ctx *c, const velo_expr *e, const velo_schema *in, velo_strbuf *o) {
    expr_printer p = {in, c->outer, o};
    pexpr(&p, e, 0);
}

static const char *kind_name(velo_plan_kind k) {
    static const char *const n[] = {
        [VELO_PLAN_SCAN] = "SCAN",         [VELO_PLAN_FILTER] = "FILTER",
        [VELO_PLAN_PROJECT] = "PROJECT",   [VELO_PLAN_AGGREGATE] = "AGGREGATE",
        [VELO_PLAN_ANALYTIC] = "ANALYTIC", [VELO_PLAN_JOIN] = "JOIN",
        [VELO_PLAN_SORT] = "SORT",         [VELO_PLAN_LIMIT] = "LIMIT",
        [VELO_PLAN_DISTINCT] = "DISTINCT", [VELO_PLAN_UNION_ALL] = "UNION ALL",
    };
    return n[k];
}

static void signed_duration(int64_t us, velo_strbuf *o) {
    if (us < 0) velo_strbuf_putc(o, '-');
    if (us == 0)
        velo_strbuf_putc(o, '0');
    else
        velo_duration_print(us < 0 ? -us : us, o);
}

static const char *join_kind_name(velo_join_kind k) {
    static const char *const n[] = {
        [VELO_JOIN_INNER] = "INNER", [VELO_JOIN_LEFT] = "LEFT", [VELO_JOIN_RIGHT] = "RIGHT",
        [VELO_JOIN_FULL] = "FULL",   [VELO_JOIN_SEMI] = "SEMI", [VELO_JOIN_ANTI] = "ANTI",
        [VELO_JOIN_MARK] = "MARK"};
    return n[k];
}

static const char *window_kind_name(velo_window_kind k) {
    return k == VELO_WINDOW_TUMBLING ? "TUMBLING" : k == VELO_WINDOW_SLIDING ? "SLIDING" : "SESSION";
}

/* "TUMBLING 1m on ts", "SLIDING 10m every 1m on source event time", "SESSION gap 5m on ts by user". */
static void window_text(const node_ctx *c, const velo_window_spec *w, velo_strbuf *o) {
    const velo_schema *in = input_schema(c->node);
    put(o, window_kind_name(w->kind));
    put(o, w->kind == VELO_WINDOW_SESSION ? " gap " : " ");
    velo_duration_print(w->size_us, o);
    if (w->kind == VELO_WINDOW_SLIDING) {
        put(o, " every ");
        velo_duration_print(w->advance_us, o);
    }
    put(o, " on ");
    if (w->time_column >= 0)
        print_column_name(in, (uint32_t)w->time_column, o);
    else
        put(o, "source event time");
    if (w->session_key) {
        put(o, " by ");
        expr_text(c, w->session_key, in, o);
    }
}

static void bound_text(velo_frame_bound_kind k, int64_t off, bool range, velo_strbuf *o) {
    switch (k) {
    case VELO_BOUND_UNBOUNDED_PRECEDING: put(o, "UNBOUNDED PRECEDING"); return;
    case VELO_BOUND_UNBOUNDED_FOLLOWING: put(o, "UNBOUNDED FOLLOWING"); return;
    case VELO_BOUND_CURRENT_ROW: put(o, "CURRENT ROW"); return;
    case VELO_BOUND_PRECEDING:
    case VELO_BOUND_FOLLOWING:
        if (range)
            velo_duration_print(off, o);
        else
            velo_strbuf_printf(o, "%" PRId64, off);
        put(o, k == VELO_BOUND_PRECEDING ? " PRECEDING" : " FOLLOWING");
        return;
    }
}

/* "ROWS BETWEEN 2 PRECEDING AND CURRENT ROW", "RANGE BETWEEN 5m PRECEDING AND CURRENT ROW",
 * "BUFFER 100 ROWS"; empty when the call has no explicit frame. */
static void frame_text(const velo_frame *f, velo_strbuf *o) {
    if (f->present) {
        put(o, f->range ? "RANGE BETWEEN " : "ROWS BETWEEN ");
        bound_text(f->start_kind, f->start_offset, f->range, o);
        put(o, " AND ");
        bound_text(f->end_kind, f->end_offset, f->range, o);
    }
    if (f->buffer_rows > 0)
        velo_strbuf_printf(o, "%sBUFFER %" PRId64 " ROWS", f->present ? " " : "", f->buffer_rows);
}

/* "SUM(DISTINCT price)", "COUNT(*)": a call's name and arguments over the node's input. */
static void call_head(const node_ctx *c, const velo_function *fn, bool distinct, bool star,
                      velo_expr *const *args, uint32_t nargs, velo_strbuf *o) {
    put(o, fn ? fn->name : "?");
    velo_strbuf_putc(o, '(');
    if (distinct) put(o, "DISTINCT ");
    if (star) velo_strbuf_putc(o, '*');
    for (uint32_t i = 0; i < nargs; i++) {
        if (i) put(o, ", ");
        expr_text(c, args[i], input_schema(c->node), o);
    }
    velo_strbuf_putc(o, ')');
}

static void agg_call_text(const node_ctx *c, const velo_agg_call *a, velo_strbuf *o) {
    if (a->text) {
        put(o, a->text);
        return;
    }
    const velo_schema *in = input_schema(c->node);
    call_head(c, a->fn, a->distinct, a->star, a->args, a->nargs, o);
    if (a->filter) {
        put(o, " FILTER (WHERE ");
        expr_text(c, a->filter, in, o);
        velo_strbuf_putc(o, ')');
    }
}

static void analytic_call_text(const node_ctx *c, const velo_analytic_call *a, velo_strbuf *o) {
    if (a->text) {
        put(o, a->text);
        return;
    }
    const velo_schema *in = input_schema(c->node);
    call_head(c, a->fn, false, a->star, a->args, a->nargs, o);
    put(o, " OVER (");
    if (a->npartition) put(o, "PARTITION BY ");
    for (uint32_t i = 0; i < a->npartition; i++) {
        if (i) put(o, ", ");
        expr_text(c, a->partition_by[i], in, o);
    }
    if (a->norder) put(o, a->npartition ? " ORDER BY " : "ORDER BY ");
    for (uint32_t i = 0; i < a->norder; i++) {
        if (i) put(o, ", ");
        expr_text(c, a->order_by[i].expr, in, o);
        if (a->order_by[i].desc) put(o, " DESC");
    }
    velo_strbuf_putc(o, ')');
}

static void sort_key_text(const node_ctx *c, const velo_sort_key *k, velo_strbuf *o) {
    expr_text(c, k->expr, input_schema(c->node), o);
    if (k->desc) put(o, " DESC");
    /* only the choice that differs from the default (NULLS LAST in both directions) is shown */
    if (k->nulls_first) put(o, " NULLS FIRST");
}

/* The join's condition sees left columns then right columns: a schema of both, for printing. */
static velo_schema *join_schema(const velo_plan *n) {
    const velo_schema *l = n->input ? n->input->schema : NULL, *r = n->right ? n->right->schema : NULL;
    uint32_t nl = l ? l->ncols : 0, nr = r ? r->ncols : 0;
    velo_schema *s = velo_schema_new(nl + nr);
    if (!s) return NULL;
    for (uint32_t i = 0; i < nl; i++)
        velo_schema_set(s, i, l->fields[i].name ? l->fields[i].name : "", l->fields[i].type);
    for (uint32_t i = 0; i < nr; i++)
        velo_schema_set(s, nl + i, r->fields[i].name ? r->fields[i].name : "", r->fields[i].type);
    return s;
}

/* True when every source under n ends (files without watch). */
static bool ends(const velo_plan *n) {
    if (!n) return true;
    if (n->kind == VELO_PLAN_SCAN) return n->source.bounded;
    for (uint32_t i = 0; i < n->ninputs; i++)
        if (!ends(n->inputs[i])) return false;
    return ends(n->input) && ends(n->right);
}

/* What state the operator keeps, in the user's words; NULL for stateless operators. */
static void state_text(const velo_plan *n, velo_strbuf *o) {
    switch (n->kind) {
    case VELO_PLAN_AGGREGATE:
        put(o, n->nkeys ? "one accumulator per key" : "one accumulator");
        if (n->windowed) put(o, " per window");
        break;
    case VELO_PLAN_ANALYTIC: put(o, "rows of each partition within the frame"); break;
    case VELO_PLAN_JOIN:
        if (n->within_us >= 0) { /* stream-stream: both sides kept, pruned by watermark */
            put(o, "rows of each side for ");
            velo_duration_print(n->within_us, o);
            put(o, " (WITHIN)");
        } else if (n->time_bound) {
            put(o, "rows of each side until the watermark passes their bound");
        } else if (ends(n->right)) { /* lookup: the right side is read first and kept */
            put(o, n->right_is_table ? "latest row per key of the table side (loaded first)"
                                     : "every row of the right side (read first)");
        } else if (n->right_is_table && n->right->kind == VELO_PLAN_SCAN) { /* a changelog table */
            put(o, "latest row per key of the table side (read to its end first, then updated)");
        } else {
            put(o, "every row of both sides (unbounded: add WITHIN)");
        }
        break;
    case VELO_PLAN_SORT: put(o, "every row until the input ends"); break;
    case VELO_PLAN_DISTINCT: put(o, "every distinct row"); break;
    default: break;
    }
}

/* Name of the output column that a call of an AGGREGATE/ANALYTIC node produces. */
static const char *call_output_name(const velo_plan *n, uint32_t i) {
    uint32_t at;
    if (n->kind == VELO_PLAN_AGGREGATE)
        at = n->nkeys + (n->windowed ? 2 : 0) + i;
    else
        at = (input_schema(n) ? input_schema(n)->ncols : 0) + i;
    return n->schema && at < n->schema->ncols ? n->schema->fields[at].name : NULL;
}

/* " AS name" when the column's name is not already what the expression prints as. */
static void as_name(const char *name, const char *printed, velo_strbuf *o) {
    if (!name || strcasecmp(name, printed) == 0) return;
    put(o, " AS ");
    print_ident(name, o);
}

/* ---- text ---- */

/* The one-line label of a node: "FILTER side = 'BUY'", "SCAN trades  uri=...  bounded". */
static void node_label(const node_ctx *c, velo_strbuf *o) {
    const velo_plan *n = c->node;
    const velo_schema *in = input_schema(n);
    velo_strbuf tmp;
    velo_strbuf_init(&tmp);
    put(o, kind_name(n->kind));
    switch (n->kind) {
    case VELO_PLAN_SCAN: {
        const velo_plan_source *s = &n->source;
        velo_strbuf_putc(o, ' ');
        put(o, s->name ? s->name : s->uri ? s->uri : "?");
        if (s->alias) velo_strbuf_printf(o, " AS %s", s->alias);
        if (s->name && s->uri) velo_strbuf_printf(o, "  uri=%s", s->uri);
        if (s->open)
            put(o, "  columns=open");
        else
            velo_strbuf_printf(o, "  columns=%u", n->schema ? n->schema->ncols : 0);
        if (s->is_table) velo_strbuf_printf(o, "  table key=%s", s->primary_key ? s->primary_key : "?");
        if (s->event_time_column >= 0) {
            put(o, "  event_time=");
            print_column_name(n->schema, (uint32_t)s->event_time_column, o);
        }
        put(o, s->bounded ? "  bounded" : "  unbounded");
        break;
    }
    case VELO_PLAN_FILTER:
        velo_strbuf_putc(o, ' ');
        expr_text(c, n->predicate, in, o);
        break;
    case VELO_PLAN_PROJECT:
        for (uint32_t i = 0; i < n->nexprs; i++) {
            put(o, i ? ", " : " ");
            velo_strbuf_clear(&tmp);
            expr_text(c, n->exprs[i], in, &tmp);
            put(o, tmp.data);
            as_name(n->schema && i < n->schema->ncols ? n->schema->fields[i].name : NULL, tmp.data, o);
        }
        break;
    case VELO_PLAN_AGGREGATE:
        put(o, n->nkeys ? " keys=" : " global");
        for (uint32_t i = 0; i < n->nkeys; i++) {
            if (i) put(o, ", ");
            expr_text(c, n->keys[i], in, o);
        }
        if (n->windowed) {
            put(o, "  window=");
            window_text(c, &n->window, o);
        }
        break;
    case VELO_PLAN_JOIN:
        velo_strbuf_printf(o, " %s", join_kind_name(n->join_kind));
        if (n->njoin_keys) put(o, "  keys=");
        for (uint32_t i = 0; i < n->njoin_keys; i++) {
            if (i) put(o, ", ");
            expr_text(c, n->left_keys[i], n->input ? n->input->schema : NULL, o);
            put(o, " = ");
            expr_text(c, n->right_keys[i], n->right ? n->right->schema : NULL, o);
        }
        if (n->within_us >= 0) {
            put(o, "  within=");
            velo_duration_print(n->within_us, o);
        }
        if (n->time_bound) { /* left time - right time in [lo, hi] */
            put(o, "  time bound: left - right in [");
            signed_duration(n->bound_lo_us, o);
            put(o, ", ");
            signed_duration(n->bound_hi_us, o);
            put(o, "]");
        }
        if (n->right_is_table) put(o, "  stream-table");
        break;
    case VELO_PLAN_SORT:
        for (uint32_t i = 0; i < n->nsort; i++) {
            put(o, i ? ", " : " ");
            sort_key_text(c, &n->sort[i], o);
        }
        break;
    case VELO_PLAN_LIMIT: velo_strbuf_printf(o, " %" PRId64, n->limit); break;
    case VELO_PLAN_ANALYTIC:
    case VELO_PLAN_DISTINCT:
    case VELO_PLAN_UNION_ALL: break;
    }
    velo_strbuf_free(&tmp);
}

/* Detail lines under a node's label (calls, join condition, state). */
typedef void (*line_fn)(void *ud, const char *line);

static void node_details(const node_ctx *c, line_fn emit, void *ud) {
    const velo_plan *n = c->node;
    velo_strbuf l;
    velo_strbuf_init(&l);
    if (n->kind == VELO_PLAN_AGGREGATE) {
        for (uint32_t i = 0; i < n->naggs; i++) {
            velo_strbuf_clear(&l);
            put(&l, "aggregate ");
            size_t start = l.len;
            agg_call_text(c, &n->aggs[i], &l);
            as_name(call_output_name(n, i), l.data + start, &l);
            emit(ud, l.data);
        }
    } else if (n->kind == VELO_PLAN_ANALYTIC) {
        for (uint32_t i = 0; i < n->ncalls; i++) {
            velo_strbuf_clear(&l);
            put(&l, "call ");
            size_t start = l.len;
            analytic_call_text(c, &n->calls[i], &l);
            as_name(call_output_name(n, i), l.data + start, &l);
            if (n->calls[i].frame.present || n->calls[i].frame.buffer_rows > 0) {
                put(&l, "  frame=");
                frame_text(&n->calls[i].frame, &l);
            }
            emit(ud, l.data);
        }
    } else if (n->kind == VELO_PLAN_JOIN && n->condition) {
        velo_schema *js = join_schema(n);
        velo_strbuf_clear(&l);
        put(&l, "on ");
        expr_text(c, n->condition, js, &l);
        if (n->join_kind == VELO_JOIN_MARK && n->nexprs) {
            put(&l, "  mark ");
            expr_text(c, n->exprs[0], js, &l);
        }
        velo_schema_free(js);
        emit(ud, l.data);
    }
    velo_strbuf_clear(&l);
    state_text(n, &l);
    if (l.len) {
        velo_strbuf tmp;
        velo_strbuf_init(&tmp);
        velo_strbuf_printf(&tmp, "state: %s", l.data);
        emit(ud, tmp.data);
        velo_strbuf_free(&tmp);
    }
    velo_strbuf_free(&l);
}

/* Subquery expressions of a node, in the order they appear. */
typedef void (*subquery_fn)(void *ud, const velo_expr *sub);

static void find_subqueries(const velo_expr *e, subquery_fn fn, void *ud) {
    if (!e) return;
    if (e->kind == VELO_EXPR_SUBQUERY && e->subplan) fn(ud, e);
    for (uint32_t i = 0; i < e->nargs; i++)
        find_subqueries(e->args[i], fn, ud);
}

static void node_subqueries(const velo_plan *n, subquery_fn fn, void *ud) {
    find_subqueries(n->predicate, fn, ud);
    for (uint32_t i = 0; i < n->nexprs; i++)
        find_subqueries(n->exprs[i], fn, ud);
    for (uint32_t i = 0; i < n->nkeys; i++)
        find_subqueries(n->keys[i], fn, ud);
    for (uint32_t i = 0; i < n->naggs; i++) {
        for (uint32_t j = 0; j < n->aggs[i].nargs; j++)
            find_subqueries(n->aggs[i].args[j], fn, ud);
        find_subqueries(n->aggs[i].filter, fn, ud);
    }
    find_subqueries(n->condition, fn, ud);
}

static void count_one(void *ud, const velo_expr *sub) {
    (void)sub;
    (*(uint32_t *)ud)++;
}

static const char *subquery_label(const velo_expr *e) {
    switch (e->subquery_kind) {
    case VELO_SUBQUERY_SCALAR: return "SUBQUERY scalar";
    case VELO_SUBQUERY_IN: return e->negated ? "SUBQUERY NOT IN" : "SUBQUERY IN";
    case VELO_SUBQUERY_EXISTS: return e->negated ? "SUBQUERY NOT EXISTS" : "SUBQUERY EXISTS";
    }
    return "SUBQUERY";
}

typedef struct text_walk {
    velo_strbuf *out;
    velo_strbuf prefix; /* drawn in front of this node's children */
} text_walk;

static void text_node(text_walk *w, const velo_plan *n, const outer_scope *outer, bool last,
                      const char *label);

typedef struct detail_ctx {
    text_walk *w;
    bool has_children;
} detail_ctx;

static void text_detail(void *ud, const char *line) {
    detail_ctx *d = ud;
    velo_strbuf_printf(d->w->out, "%s%s%s\n", d->w->prefix.data, d->has_children ? "│ " : "  ", line);
}

typedef struct sub_walk {
    text_walk *w;
    const outer_scope *outer;
    uint32_t left; /* children still to print after this one */
} sub_walk;

static void text_subquery(void *ud, const velo_expr *sub) {
    sub_walk *s = ud;
    s->left--;
    text_node(s->w, sub->subplan, s->outer, s->left == 0, subquery_label(sub));
}

static void text_node(text_walk *w, const velo_plan *n, const outer_scope *outer, bool last,
                      const char *label) {
    size_t saved = w->prefix.len;
    velo_strbuf_printf(w->out, "%s%s", w->prefix.data, last ? "└─ " : "├─ ");
    if (label) velo_strbuf_printf(w->out, "%s: ", label);
    node_ctx c = {n, outer};
    node_label(&c, w->out);
    velo_strbuf_putc(w->out, '\n');
    put(&w->prefix, last ? "   " : "│  ");

    uint32_t nsub = 0;
    node_subqueries(n, count_one, &nsub);
    uint32_t nchildren =
        nsub +
        (n->kind == VELO_PLAN_UNION_ALL ? n->ninputs : (uint32_t)(n->input != NULL) + (n->right != NULL));
    detail_ctx d = {w, nchildren > 0};
    node_details(&c, text_detail, &d);

    uint32_t left = nchildren;
    if (n->kind == VELO_PLAN_UNION_ALL) {
        for (uint32_t i = 0; i < n->ninputs; i++)
            text_node(w, n->inputs[i], outer, --left == 0, NULL);
    } else {
        if (n->input) text_node(w, n->input, outer, --left == 0, NULL);
        if (n->right) text_node(w, n->right, outer, --left == 0, NULL);
    }
    /* a subquery's correlated columns refer to the columns this node reads */
    outer_scope inner = {input_schema(n) ? input_schema(n) : n->schema, outer};
    sub_walk s = {w, &inner, left};
    node_subqueries(n, text_subquery, &s);

    w->prefix.len = saved;
    w->prefix.data[saved] = '\0';
}

static const char *emit_name(velo_emit_mode m) {
    return m == VELO_EMIT_CHANGES ? "changes" : m == VELO_EMIT_FINAL ? "final" : "default";
}

static void statement_text(const velo_query_plan *qp, velo_strbuf *o) {
    sql_stmt_kind k = qp->stmt   ? qp->stmt->kind
                      : qp->name ? (qp->is_table ? SQL_STMT_CREATE_TABLE_AS : SQL_STMT_CREATE_STREAM_AS)
                                 : SQL_STMT_SELECT;
    const char *name = qp->name ? qp->name : "?";
    switch (k) {
    case SQL_STMT_CREATE_STREAM_AS: velo_strbuf_printf(o, "CREATE STREAM %s", name); break;
    case SQL_STMT_CREATE_TABLE_AS: velo_strbuf_printf(o, "CREATE TABLE %s", name); break;
    case SQL_STMT_INSERT: velo_strbuf_printf(o, "INSERT INTO %s", name); break;
    case SQL_STMT_START_JOB: velo_strbuf_printf(o, "START JOB %s", name); break;
    case SQL_STMT_DEPLOY_JOB: velo_strbuf_printf(o, "DEPLOY JOB %s", name); break;
    default: put(o, "SELECT"); break;
    }
}

void velo_plan_explain_text(const velo_query_plan *qp, velo_strbuf *out) {
    statement_text(qp, out);
    if (qp->emit != VELO_EMIT_DEFAULT) velo_strbuf_printf(out, "  emit=%s", emit_name(qp->emit));
    velo_strbuf_printf(out, "  sink=%s", qp->sink_uri ? qp->sink_uri : "stdout");
    if (qp->nprimary_key) {
        put(out, "  key=");
        for (uint32_t i = 0; i < qp->nprimary_key; i++)
            velo_strbuf_printf(out, "%s%s", i ? "," : "", qp->primary_key[i]);
    }
    velo_strbuf_putc(out, '\n');
    if (!qp->root) return;
    text_walk w = {out, {0}};
    velo_strbuf_init(&w.prefix);
    velo_strbuf_puts(&w.prefix, ""); /* printed with %s before anything else is appended */
    text_node(&w, qp->root, NULL, true, NULL);
    velo_strbuf_free(&w.prefix);
}

/* ---- JSON ---- */

static void jstr(velo_strbuf *o, const char *s) {
    if (!s) {
        put(o, "null");
        return;
    }
    velo_format_json_string(s, (uint32_t)strlen(s), o);
}

static void jkey(velo_strbuf *o, const char *k) {
    velo_strbuf_putc(o, ',');
    jstr(o, k);
    velo_strbuf_putc(o, ':');
}

/* "key":"<printed expression>" */
static void jexpr(const node_ctx *c, velo_strbuf *o, const velo_expr *e, const velo_schema *in) {
    velo_strbuf t;
    velo_strbuf_init(&t);
    expr_text(c, e, in, &t);
    jstr(o, t.data ? t.data : "");
    velo_strbuf_free(&t);
}

static void jschema(velo_strbuf *o, const velo_schema *s) {
    char tbuf[64];
    velo_strbuf_putc(o, '[');
    for (uint32_t i = 0; s && i < s->ncols; i++) {
        if (i) velo_strbuf_putc(o, ',');
        put(o, "{\"name\":");
        jstr(o, s->fields[i].name ? s->fields[i].name : "");
        put(o, ",\"type\":");
        jstr(o, velo_type_format(s->fields[i].type, tbuf, sizeof tbuf));
        if (s->fields[i].hidden) put(o, ",\"hidden\":true");
        velo_strbuf_putc(o, '}');
    }
    velo_strbuf_putc(o, ']');
}

static void jduration(velo_strbuf *o, int64_t us) {
    velo_strbuf t;
    velo_strbuf_init(&t);
    velo_duration_print(us, &t);
    jstr(o, t.data);
    velo_strbuf_free(&t);
}

static void jtext(velo_strbuf *o, void (*fn)(const node_ctx *, const void *, velo_strbuf *),
                  const node_ctx *c, const void *arg) {
    velo_strbuf t;
    velo_strbuf_init(&t);
    fn(c, arg, &t);
    jstr(o, t.data ? t.data : "");
    velo_strbuf_free(&t);
}

static void agg_text_fn(const node_ctx *c, const void *a, velo_strbuf *o) { agg_call_text(c, a, o); }
static void analytic_text_fn(const node_ctx *c, const void *a, velo_strbuf *o) {
    analytic_call_text(c, a, o);
}
static void window_text_fn(const node_ctx *c, const void *w, velo_strbuf *o) { window_text(c, w, o); }
static void frame_text_fn(const node_ctx *c, const void *f, velo_strbuf *o) {
    (void)c;
    frame_text(f, o);
}

static void json_node(velo_strbuf *o, const velo_plan *n, const outer_scope *outer);

static void json_scan(velo_strbuf *o, const velo_plan *n) {
    const velo_plan_source *s = &n->source;
    jkey(o, "source");
    put(o, "{\"name\":");
    jstr(o, s->name);
    jkey(o, "alias");
    jstr(o, s->alias);
    jkey(o, "uri");
    jstr(o, s->uri);
    jkey(o, "scheme");
    jstr(o, s->scheme);
    jkey(o, "options");
    velo_strbuf_putc(o, '{');
    for (uint32_t i = 0; i < s->options.count; i++) {
        if (i) velo_strbuf_putc(o, ',');
        jstr(o, s->options.items[i].key);
        velo_strbuf_putc(o, ':');
        jstr(o, s->options.items[i].value);
    }
    velo_strbuf_putc(o, '}');
    velo_strbuf_printf(o, ",\"open\":%s,\"table\":%s", s->open ? "true" : "false",
                       s->is_table ? "true" : "false");
    jkey(o, "primary_key");
    jstr(o, s->primary_key);
    jkey(o, "event_time");
    jstr(o, s->event_time_column >= 0 && n->schema && (uint32_t)s->event_time_column < n->schema->ncols
                ? n->schema->fields[s->event_time_column].name
                : NULL);
    velo_strbuf_printf(o, ",\"bounded\":%s}", s->bounded ? "true" : "false");
}

static void json_aggregate(velo_strbuf *o, const node_ctx *c) {
    const velo_plan *n = c->node;
    char tbuf[64];
    jkey(o, "keys");
    velo_strbuf_putc(o, '[');
    for (uint32_t i = 0; i < n->nkeys; i++) {
        if (i) velo_strbuf_putc(o, ',');
        jexpr(c, o, n->keys[i], input_schema(n));
    }
    velo_strbuf_putc(o, ']');
    jkey(o, "aggregates");
    velo_strbuf_putc(o, '[');
    for (uint32_t i = 0; i < n->naggs; i++) {
        if (i) velo_strbuf_putc(o, ',');
        put(o, "{\"call\":");
        jtext(o, agg_text_fn, c, &n->aggs[i]);
        jkey(o, "name");
        jstr(o, call_output_name(n, i));
        jkey(o, "type");
        jstr(o, velo_type_format(n->aggs[i].type, tbuf, sizeof tbuf));
        velo_strbuf_putc(o, '}');
    }
    velo_strbuf_putc(o, ']');
    jkey(o, "window");
    if (!n->windowed) {
        put(o, "null");
        return;
    }
    const velo_window_spec *w = &n->window;
    put(o, "{\"kind\":");
    jstr(o, window_kind_name(w->kind));
    jkey(o, w->kind == VELO_WINDOW_SESSION ? "gap" : "size");
    jduration(o, w->size_us);
    if (w->kind == VELO_WINDOW_SLIDING) {
        jkey(o, "advance");
        jduration(o, w->advance_us);
    }
    jkey(o, "time_column");
    const velo_schema *in = input_schema(n);
    jstr(o, w->time_column >= 0 && in && (uint32_t)w->time_column < in->ncols
                ? in->fields[w->time_column].name
                : NULL);
    if (w->session_key) {
        jkey(o, "session_key");
        jexpr(c, o, w->session_key, in);
    }
    jkey(o, "text");
    jtext(o, window_text_fn, c, w);
    velo_strbuf_putc(o, '}');
}

static void json_analytic(velo_strbuf *o, const node_ctx *c) {
    const velo_plan *n = c->node;
    char tbuf[64];
    jkey(o, "calls");
    velo_strbuf_putc(o, '[');
    for (uint32_t i = 0; i < n->ncalls; i++) {
        const velo_analytic_call *a = &n->calls[i];
        if (i) velo_strbuf_putc(o, ',');
        put(o, "{\"call\":");
        jtext(o, analytic_text_fn, c, a);
        jkey(o, "name");
        jstr(o, call_output_name(n, i));
        jkey(o, "type");
        jstr(o, velo_type_format(a->type, tbuf, sizeof tbuf));
        jkey(o, "frame");
        if (a->frame.present || a->frame.buffer_rows > 0)
            jtext(o, frame_text_fn, c, &a->frame);
        else
            put(o, "null");
        velo_strbuf_putc(o, '}');
    }
    velo_strbuf_putc(o, ']');
}

static void json_join(velo_strbuf *o, const node_ctx *c) {
    const velo_plan *n = c->node;
    jkey(o, "join");
    jstr(o, join_kind_name(n->join_kind));
    jkey(o, "keys");
    velo_strbuf_putc(o, '[');
    for (uint32_t i = 0; i < n->njoin_keys; i++) {
        if (i) velo_strbuf_putc(o, ',');
        put(o, "{\"left\":");
        jexpr(c, o, n->left_keys[i], n->input ? n->input->schema : NULL);
        jkey(o, "right");
        jexpr(c, o, n->right_keys[i], n->right ? n->right->schema : NULL);
        velo_strbuf_putc(o, '}');
    }
    velo_strbuf_putc(o, ']');
    jkey(o, "condition");
    if (n->condition) {
        velo_schema *js = join_schema(n);
        jexpr(c, o, n->condition, js);
        velo_schema_free(js);
    } else {
        put(o, "null");
    }
    jkey(o, "within");
    if (n->within_us >= 0)
        jduration(o, n->within_us);
    else
        put(o, "null");
    if (n->time_bound)
        velo_strbuf_printf(o, ",\"time_bound_us\":[%lld,%lld]", (long long)n->bound_lo_us,
                           (long long)n->bound_hi_us);
    velo_strbuf_printf(o, ",\"stream_table\":%s", n->right_is_table ? "true" : "false");
}

static void json_sort(velo_strbuf *o, const node_ctx *c) {
    const velo_plan *n = c->node;
    jkey(o, "keys");
    velo_strbuf_putc(o, '[');
    for (uint32_t i = 0; i < n->nsort; i++) {
        if (i) velo_strbuf_putc(o, ',');
        put(o, "{\"expr\":");
        jexpr(c, o, n->sort[i].expr, input_schema(n));
        velo_strbuf_printf(o, ",\"desc\":%s,\"nulls_first\":%s}", n->sort[i].desc ? "true" : "false",
                           n->sort[i].nulls_first ? "true" : "false");
    }
    velo_strbuf_putc(o, ']');
}

typedef struct json_sub {
    velo_strbuf *o;
    const outer_scope *outer;
    bool first;
} json_sub;

static void json_subquery(void *ud, const velo_expr *sub) {
    json_sub *j = ud;
    if (!j->first) velo_strbuf_putc(j->o, ',');
    j->first = false;
    put(j->o, "{\"kind\":");
    jstr(j->o, sub->subquery_kind == VELO_SUBQUERY_SCALAR ? "scalar"
               : sub->subquery_kind == VELO_SUBQUERY_IN   ? (sub->negated ? "not in" : "in")
                                                          : (sub->negated ? "not exists" : "exists"));
    jkey(j->o, "plan");
    json_node(j->o, sub->subplan, j->outer);
    velo_strbuf_putc(j->o, '}');
}

static void json_node(velo_strbuf *o, const velo_plan *n, const outer_scope *outer) {
    node_ctx c = {n, outer};
    const velo_schema *in = input_schema(n);
    put(o, "{\"op\":");
    jstr(o, kind_name(n->kind));
    switch (n->kind) {
    case VELO_PLAN_SCAN: json_scan(o, n); break;
    case VELO_PLAN_FILTER:
        jkey(o, "predicate");
        jexpr(&c, o, n->predicate, in);
        break;
    case VELO_PLAN_PROJECT:
        jkey(o, "exprs");
        velo_strbuf_putc(o, '[');
        for (uint32_t i = 0; i < n->nexprs; i++) {
            if (i) velo_strbuf_putc(o, ',');
            jexpr(&c, o, n->exprs[i], in);
        }
        velo_strbuf_putc(o, ']');
        break;
    case VELO_PLAN_AGGREGATE: json_aggregate(o, &c); break;
    case VELO_PLAN_ANALYTIC: json_analytic(o, &c); break;
    case VELO_PLAN_JOIN: json_join(o, &c); break;
    case VELO_PLAN_SORT: json_sort(o, &c); break;
    case VELO_PLAN_LIMIT: velo_strbuf_printf(o, ",\"limit\":%" PRId64, n->limit); break;
    case VELO_PLAN_DISTINCT:
    case VELO_PLAN_UNION_ALL: break;
    }
    velo_strbuf st;
    velo_strbuf_init(&st);
    state_text(n, &st);
    if (st.len) {
        jkey(o, "state");
        jstr(o, st.data);
    }
    velo_strbuf_free(&st);
    jkey(o, "schema");
    jschema(o, n->schema);
    uint32_t nsub = 0;
    node_subqueries(n, count_one, &nsub);
    if (nsub) {
        outer_scope inner = {in ? in : n->schema, outer};
        json_sub j = {o, &inner, true};
        jkey(o, "subqueries");
        velo_strbuf_putc(o, '[');
        node_subqueries(n, json_subquery, &j);
        velo_strbuf_putc(o, ']');
    }
    if (n->kind == VELO_PLAN_UNION_ALL) {
        jkey(o, "inputs");
        velo_strbuf_putc(o, '[');
        for (uint32_t i = 0; i < n->ninputs; i++) {
            if (i) velo_strbuf_putc(o, ',');
            json_node(o, n->inputs[i], outer);
        }
        velo_strbuf_putc(o, ']');
    } else if (n->kind == VELO_PLAN_JOIN) {
        jkey(o, "left");
        if (n->input)
            json_node(o, n->input, outer);
        else
            put(o, "null");
        jkey(o, "right");
        if (n->right)
            json_node(o, n->right, outer);
        else
            put(o, "null");
    } else if (n->input) {
        jkey(o, "input");
        json_node(o, n->input, outer);
    }
    velo_strbuf_putc(o, '}');
}

void velo_plan_explain_json(const velo_query_plan *qp, velo_strbuf *out) {
    velo_strbuf t;
    velo_strbuf_init(&t);
    statement_text(qp, &t);
    put(out, "{\"statement\":");
    jstr(out, t.data);
    velo_strbuf_free(&t);
    jkey(out, "name");
    jstr(out, qp->name);
    jkey(out, "emit");
    jstr(out, emit_name(qp->emit));
    jkey(out, "sink");
    jstr(out, qp->sink_uri);
    if (qp->is_table || qp->nprimary_key) {
        jkey(out, "primary_key");
        velo_strbuf_putc(out, '[');
        for (uint32_t i = 0; i < qp->nprimary_key; i++) {
            if (i) velo_strbuf_putc(out, ',');
            jstr(out, qp->primary_key[i]);
        }
        velo_strbuf_putc(out, ']');
    }
    jkey(out, "plan");
    if (qp->root)
        json_node(out, qp->root, NULL);
    else
        put(out, "null");
    put(out, "}\n");
}
