/* The pretty-printer (sql/parser.h): syntax tree -> canonical SQL on one line. Keywords are upper
 * case, identifiers are quoted only when they would not read back as the same name, and parentheses
 * appear exactly where the parser's precedence would otherwise build a different tree. Printing,
 * parsing and printing again gives the same text: tests and the fuzzer hold this. */
#include <string.h>

#include "sql/lexer.h"
#include "sql/parser.h"

enum { P_OR = 1, P_AND, P_NOT, P_CMP, P_CONCAT, P_ADD, P_MUL, P_UNARY, P_CAST, P_POSTFIX, P_PRIMARY };

static void print_query(const sql_query *q, velo_strbuf *o);
static void print_expr(const sql_expr *e, int min, velo_strbuf *o);
static void print_stmt(const sql_stmt *st, velo_strbuf *o);

static void put(velo_strbuf *o, const char *s) { velo_strbuf_puts(o, s); }

static void print_ident(const char *s, velo_strbuf *o) {
    if (!velo_sql_ident_needs_quotes(s)) {
        put(o, s);
        return;
    }
    velo_strbuf_putc(o, '"');
    for (const char *c = s; *c; c++) {
        if (*c == '"') velo_strbuf_putc(o, '"');
        velo_strbuf_putc(o, *c);
    }
    velo_strbuf_putc(o, '"');
}

void velo_sql_print_ident(const char *name, velo_strbuf *out) { print_ident(name, out); }

static void print_string(const char *s, velo_strbuf *o) {
    velo_strbuf_putc(o, '\'');
    for (const char *c = s ? s : ""; *c; c++) {
        if (*c == '\'') velo_strbuf_putc(o, '\'');
        velo_strbuf_putc(o, *c);
    }
    velo_strbuf_putc(o, '\'');
}

static void print_upper(const char *s, velo_strbuf *o) {
    for (const char *c = s; *c; c++)
        velo_strbuf_putc(o, *c >= 'a' && *c <= 'z' ? (char)(*c - 32) : *c);
}

static int op_prec(sql_op op) {
    switch (op) {
    case SQL_OP_OR: return P_OR;
    case SQL_OP_AND: return P_AND;
    case SQL_OP_EQ:
    case SQL_OP_NE:
    case SQL_OP_LT:
    case SQL_OP_LE:
    case SQL_OP_GT:
    case SQL_OP_GE: return P_CMP;
    case SQL_OP_CONCAT: return P_CONCAT;
    case SQL_OP_ADD:
    case SQL_OP_SUB: return P_ADD;
    case SQL_OP_MUL:
    case SQL_OP_DIV:
    case SQL_OP_MOD: return P_MUL;
    case SQL_OP_NOT: return P_NOT;
    case SQL_OP_NEG:
    case SQL_OP_PLUS: return P_UNARY;
    }
    return P_PRIMARY;
}

static const char *op_text(sql_op op) {
    static const char *const t[] = {
        [SQL_OP_ADD] = "+",  [SQL_OP_SUB] = "-",     [SQL_OP_MUL] = "*",   [SQL_OP_DIV] = "/",
        [SQL_OP_MOD] = "%",  [SQL_OP_EQ] = "=",      [SQL_OP_NE] = "<>",   [SQL_OP_LT] = "<",
        [SQL_OP_LE] = "<=",  [SQL_OP_GT] = ">",      [SQL_OP_GE] = ">=",   [SQL_OP_AND] = "AND",
        [SQL_OP_OR] = "OR",  [SQL_OP_CONCAT] = "||", [SQL_OP_NOT] = "NOT", [SQL_OP_NEG] = "-",
        [SQL_OP_PLUS] = "+",
    };
    return t[op];
}

static int expr_prec(const sql_expr *e) {
    switch (e->kind) {
    case SQL_EXPR_BINARY: return op_prec(e->u.binary.op);
    case SQL_EXPR_UNARY: return op_prec(e->u.unary.op);
    case SQL_EXPR_BETWEEN:
    case SQL_EXPR_IN_LIST:
    case SQL_EXPR_IN_SUBQUERY:
    case SQL_EXPR_LIKE:
    case SQL_EXPR_IS_NULL:
    case SQL_EXPR_IS_DISTINCT:
    case SQL_EXPR_IS_BOOL: return P_CMP;
    case SQL_EXPR_EXISTS: return e->u.exists.negated ? P_NOT : P_PRIMARY;
    case SQL_EXPR_CAST: return e->u.cast.colon_form ? P_CAST : P_PRIMARY;
    case SQL_EXPR_SUBSCRIPT:
    case SQL_EXPR_FIELD: return P_POSTFIX;
    default: return P_PRIMARY;
    }
}

static const char *unit_name(sql_interval_unit u) {
    static const char *const n[] = {
        [SQL_UNIT_MICROSECOND] = "MICROSECOND",
        [SQL_UNIT_MILLISECOND] = "MILLISECOND",
        [SQL_UNIT_SECOND] = "SECOND",
        [SQL_UNIT_MINUTE] = "MINUTE",
        [SQL_UNIT_HOUR] = "HOUR",
        [SQL_UNIT_DAY] = "DAY",
        [SQL_UNIT_WEEK] = "WEEK",
        [SQL_UNIT_MONTH] = "MONTH",
        [SQL_UNIT_QUARTER] = "QUARTER",
        [SQL_UNIT_YEAR] = "YEAR",
    };
    return n[u];
}

static const char *short_unit(sql_interval_unit u) {
    switch (u) {
    case SQL_UNIT_MILLISECOND: return "ms";
    case SQL_UNIT_SECOND: return "s";
    case SQL_UNIT_MINUTE: return "m";
    case SQL_UNIT_HOUR: return "h";
    case SQL_UNIT_WEEK: return "w";
    default: return "d";
    }
}

static void print_literal(const sql_expr *e, velo_strbuf *o) {
    const char *t = e->u.lit.text ? e->u.lit.text : "";
    switch (e->u.lit.kind) {
    case SQL_LIT_NULL: put(o, "NULL"); break;
    case SQL_LIT_BOOL: put(o, t[0] == 't' || t[0] == 'T' ? "TRUE" : "FALSE"); break;
    case SQL_LIT_INTEGER:
    case SQL_LIT_DECIMAL:
    case SQL_LIT_DOUBLE: put(o, t); break;
    case SQL_LIT_STRING: print_string(t, o); break;
    case SQL_LIT_INTERVAL:
        if (e->u.lit.short_form) {
            put(o, t);
            put(o, short_unit(e->u.lit.unit));
            break;
        }
        put(o, "INTERVAL ");
        print_string(t, o);
        velo_strbuf_putc(o, ' ');
        put(o, unit_name(e->u.lit.unit));
        if (e->u.lit.unit_to != e->u.lit.unit) {
            put(o, " TO ");
            put(o, unit_name(e->u.lit.unit_to));
        }
        break;
    case SQL_LIT_TIMESTAMP:
        put(o, "TIMESTAMP ");
        print_string(t, o);
        break;
    case SQL_LIT_DATE:
        put(o, "DATE ");
        print_string(t, o);
        break;
    }
}

static void print_type(const sql_type_name *t, velo_strbuf *o) {
    print_upper(t->written, o);
    switch (t->type.id) {
    case VELO_TYPE_DECIMAL:
        if (t->has_params) velo_strbuf_printf(o, "(%u,%u)", t->type.precision, t->type.scale);
        break;
    case VELO_TYPE_VARCHAR:
        if (t->has_params) velo_strbuf_printf(o, "(%u)", t->length);
        break;
    case VELO_TYPE_LIST:
    case VELO_TYPE_MAP:
        velo_strbuf_putc(o, '<');
        if (t->key) {
            print_type(t->key, o);
            put(o, ", ");
        }
        if (t->elem) print_type(t->elem, o);
        velo_strbuf_putc(o, '>');
        break;
    default: break;
    }
}

static void print_list(sql_expr *const *items, uint32_t n, velo_strbuf *o) {
    for (uint32_t i = 0; i < n; i++) {
        if (i) put(o, ", ");
        print_expr(items[i], P_OR, o);
    }
}

static void print_order(const sql_order_item *items, uint32_t n, velo_strbuf *o) {
    for (uint32_t i = 0; i < n; i++) {
        if (i) put(o, ", ");
        print_expr(items[i].expr, P_OR, o);
        if (items[i].desc) put(o, " DESC");
        if (items[i].nulls_first >= 0) put(o, items[i].nulls_first ? " NULLS FIRST" : " NULLS LAST");
    }
}

static void print_bound(const sql_frame_bound *b, velo_strbuf *o) {
    switch (b->kind) {
    case SQL_BOUND_UNBOUNDED_PRECEDING: put(o, "UNBOUNDED PRECEDING"); break;
    case SQL_BOUND_UNBOUNDED_FOLLOWING: put(o, "UNBOUNDED FOLLOWING"); break;
    case SQL_BOUND_CURRENT_ROW: put(o, "CURRENT ROW"); break;
    case SQL_BOUND_PRECEDING:
    case SQL_BOUND_FOLLOWING:
        print_expr(b->offset, P_ADD, o);
        put(o, b->kind == SQL_BOUND_PRECEDING ? " PRECEDING" : " FOLLOWING");
        break;
    }
}

static void print_over(const sql_over *w, velo_strbuf *o) {
    put(o, " OVER (");
    const char *sep = "";
    if (w->buffer_rows) {
        velo_strbuf_printf(o, "ROWS WINDOW BUFFER %lld ROWS", (long long)w->buffer_rows);
        sep = " ";
    }
    if (w->npartition) {
        put(o, sep);
        put(o, "PARTITION BY ");
        print_list(w->partition_by, w->npartition, o);
        sep = " ";
    }
    if (w->norder) {
        put(o, sep);
        put(o, "ORDER BY ");
        print_order(w->order_by, w->norder, o);
        sep = " ";
    }
    if (w->frame_unit != SQL_FRAME_NONE) {
        put(o, sep);
        put(o, w->frame_unit == SQL_FRAME_ROWS ? "ROWS BETWEEN " : "RANGE BETWEEN ");
        print_bound(&w->frame_start, o);
        put(o, " AND ");
        print_bound(&w->frame_end, o);
        sep = " ";
    }
    if (w->expire_after) {
        put(o, sep);
        put(o, "EXPIRE AFTER ");
        print_expr(w->expire_after, P_ADD, o);
        put(o, " INACTIVITY");
    }
    velo_strbuf_putc(o, ')');
}

static void print_function(const sql_expr *e, velo_strbuf *o) {
    print_upper(e->u.func.name, o);
    velo_strbuf_putc(o, '(');
    if (e->u.func.star) put(o, "*");
    if (e->u.func.distinct) put(o, "DISTINCT ");
    print_list(e->u.func.args, e->u.func.nargs, o);
    if (e->u.func.norder) {
        put(o, " ORDER BY ");
        print_order(e->u.func.order_by, e->u.func.norder, o);
    }
    velo_strbuf_putc(o, ')');
    if (e->u.func.filter) {
        put(o, " FILTER (WHERE ");
        print_expr(e->u.func.filter, P_OR, o);
        velo_strbuf_putc(o, ')');
    }
    if (e->u.func.over) print_over(e->u.func.over, o);
}

/* A field access reads back as part of a column name (a.b) or a number (1.x) unless its base is
 * a call, a subscript or another field: otherwise the base gets parentheses. */
static bool field_base_needs_parens(const sql_expr *b) {
    switch (b->kind) {
    case SQL_EXPR_FUNCTION:
    case SQL_EXPR_SUBSCRIPT:
    case SQL_EXPR_FIELD:
    case SQL_EXPR_CASE:
    case SQL_EXPR_EXTRACT:
    case SQL_EXPR_SUBQUERY: return false;
    case SQL_EXPR_CAST: return b->u.cast.colon_form;
    default: return true;
    }
}

static void print_not(bool negated, velo_strbuf *o) {
    if (negated) put(o, " NOT");
}

static void print_expr_inner(const sql_expr *e, velo_strbuf *o) {
    switch (e->kind) {
    case SQL_EXPR_LITERAL: print_literal(e, o); break;
    case SQL_EXPR_COLUMN:
        for (uint32_t i = 0; i < e->u.column.nparts; i++) {
            if (i) velo_strbuf_putc(o, '.');
            print_ident(e->u.column.parts[i], o);
        }
        break;
    case SQL_EXPR_STAR:
        if (e->u.star.qualifier) {
            print_ident(e->u.star.qualifier, o);
            velo_strbuf_putc(o, '.');
        }
        velo_strbuf_putc(o, '*');
        break;
    case SQL_EXPR_UNARY: {
        const sql_expr *a = e->u.unary.arg;
        put(o, op_text(e->u.unary.op));
        /* NOT needs a space; "- -x" must not become the comment "--x" */
        if (e->u.unary.op == SQL_OP_NOT || (a->kind == SQL_EXPR_UNARY && a->u.unary.op != SQL_OP_NOT))
            velo_strbuf_putc(o, ' ');
        print_expr(a, op_prec(e->u.unary.op), o);
        break;
    }
    case SQL_EXPR_BINARY: {
        int p = op_prec(e->u.binary.op);
        print_expr(e->u.binary.left, p, o);
        velo_strbuf_putc(o, ' ');
        put(o, op_text(e->u.binary.op));
        velo_strbuf_putc(o, ' ');
        print_expr(e->u.binary.right, p + 1, o);
        break;
    }
    case SQL_EXPR_FUNCTION: print_function(e, o); break;
    case SQL_EXPR_CASE:
        put(o, "CASE");
        if (e->u.case_.operand) {
            velo_strbuf_putc(o, ' ');
            print_expr(e->u.case_.operand, P_OR, o);
        }
        for (uint32_t i = 0; i < e->u.case_.nwhens; i++) {
            put(o, " WHEN ");
            print_expr(e->u.case_.whens[i], P_OR, o);
            put(o, " THEN ");
            print_expr(e->u.case_.thens[i], P_OR, o);
        }
        if (e->u.case_.else_expr) {
            put(o, " ELSE ");
            print_expr(e->u.case_.else_expr, P_OR, o);
        }
        put(o, " END");
        break;
    case SQL_EXPR_CAST:
        if (e->u.cast.colon_form) {
            print_expr(e->u.cast.arg, P_CAST, o);
            put(o, "::");
        } else {
            put(o, e->u.cast.try_cast ? "TRY_CAST(" : "CAST(");
            print_expr(e->u.cast.arg, P_OR, o);
            put(o, " AS ");
        }
        print_type(e->u.cast.type, o);
        if (!e->u.cast.colon_form) velo_strbuf_putc(o, ')');
        break;
    case SQL_EXPR_BETWEEN:
        print_expr(e->u.between.arg, P_CMP, o);
        print_not(e->u.between.negated, o);
        put(o, " BETWEEN ");
        print_expr(e->u.between.low, P_CONCAT, o);
        put(o, " AND ");
        print_expr(e->u.between.high, P_CONCAT, o);
        break;
    case SQL_EXPR_IN_LIST:
        print_expr(e->u.in_list.arg, P_CMP, o);
        print_not(e->u.in_list.negated, o);
        put(o, " IN (");
        print_list(e->u.in_list.items, e->u.in_list.nitems, o);
        velo_strbuf_putc(o, ')');
        break;
    case SQL_EXPR_IN_SUBQUERY:
        print_expr(e->u.in_subquery.arg, P_CMP, o);
        print_not(e->u.in_subquery.negated, o);
        put(o, " IN (");
        print_query(e->u.in_subquery.query, o);
        velo_strbuf_putc(o, ')');
        break;
    case SQL_EXPR_EXISTS:
        put(o, e->u.exists.negated ? "NOT EXISTS (" : "EXISTS (");
        print_query(e->u.exists.query, o);
        velo_strbuf_putc(o, ')');
        break;
    case SQL_EXPR_SUBQUERY:
        velo_strbuf_putc(o, '(');
        print_query(e->u.subquery.query, o);
        velo_strbuf_putc(o, ')');
        break;
    case SQL_EXPR_LIKE:
        print_expr(e->u.like.arg, P_CMP, o);
        print_not(e->u.like.negated, o);
        put(o, e->u.like.ilike ? " ILIKE " : " LIKE ");
        print_expr(e->u.like.pattern, P_CONCAT, o);
        if (e->u.like.escape) {
            put(o, " ESCAPE ");
            print_expr(e->u.like.escape, P_CONCAT, o);
        }
        break;
    case SQL_EXPR_IS_NULL:
        print_expr(e->u.is_null.arg, P_CMP, o);
        put(o, e->u.is_null.negated ? " IS NOT NULL" : " IS NULL");
        break;
    case SQL_EXPR_IS_DISTINCT:
        print_expr(e->u.is_distinct.left, P_CMP, o);
        put(o, e->u.is_distinct.negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
        print_expr(e->u.is_distinct.right, P_CONCAT, o);
        break;
    case SQL_EXPR_IS_BOOL:
        print_expr(e->u.is_bool.arg, P_CMP, o);
        put(o, e->u.is_bool.negated ? " IS NOT " : " IS ");
        put(o, e->u.is_bool.value ? "TRUE" : "FALSE");
        break;
    case SQL_EXPR_EXTRACT:
        put(o, "EXTRACT(");
        if (e->u.extract.quoted_form) {
            print_string(e->u.extract.field, o);
            put(o, ", ");
        } else {
            put(o, e->u.extract.field);
            put(o, " FROM ");
        }
        print_expr(e->u.extract.arg, P_OR, o);
        velo_strbuf_putc(o, ')');
        break;
    case SQL_EXPR_SUBSCRIPT:
        print_expr(e->u.subscript.base, P_POSTFIX, o);
        velo_strbuf_putc(o, '[');
        print_expr(e->u.subscript.index, P_OR, o);
        velo_strbuf_putc(o, ']');
        break;
    case SQL_EXPR_FIELD:
        if (field_base_needs_parens(e->u.field.base)) {
            velo_strbuf_putc(o, '(');
            print_expr(e->u.field.base, P_OR, o);
            velo_strbuf_putc(o, ')');
        } else {
            print_expr(e->u.field.base, P_POSTFIX, o);
        }
        velo_strbuf_putc(o, '.');
        print_ident(e->u.field.name, o);
        break;
    }
}

static void print_expr(const sql_expr *e, int min, velo_strbuf *o) {
    bool parens = expr_prec(e) < min;
    if (parens) velo_strbuf_putc(o, '(');
    print_expr_inner(e, o);
    if (parens) velo_strbuf_putc(o, ')');
}

static void print_props(const sql_props *p, velo_strbuf *o) {
    put(o, "WITH (");
    for (uint32_t i = 0; i < p->count; i++) {
        if (i) put(o, ", ");
        print_string(p->items[i].key, o);
        put(o, " = ");
        print_string(p->items[i].value, o);
    }
    velo_strbuf_putc(o, ')');
}

static void print_source(const sql_source *s, velo_strbuf *o) {
    switch (s->kind) {
    case SQL_SOURCE_URI: print_string(s->uri, o); break;
    case SQL_SOURCE_NAME: print_ident(s->name, o); break;
    case SQL_SOURCE_SUBQUERY:
        velo_strbuf_putc(o, '(');
        print_query(s->query, o);
        velo_strbuf_putc(o, ')');
        break;
    }
    if (s->alias) {
        put(o, " AS ");
        print_ident(s->alias, o);
    }
}

static void print_window(const sql_window *w, velo_strbuf *o) {
    static const char *const names[] = {[SQL_WINDOW_TUMBLING] = "TUMBLING(",
                                        [SQL_WINDOW_SLIDING] = "SLIDING(",
                                        [SQL_WINDOW_SESSION] = "SESSION("};
    put(o, " WINDOW ");
    put(o, names[w->kind]);
    if (w->time_column) {
        print_expr(w->time_column, P_OR, o);
        put(o, ", ");
    }
    print_expr(w->size, P_OR, o);
    if (w->kind == SQL_WINDOW_SLIDING && w->advance) {
        put(o, ", ");
        print_expr(w->advance, P_OR, o);
    }
    if (w->kind == SQL_WINDOW_SESSION && w->session_key) {
        put(o, ", ");
        print_expr(w->session_key, P_OR, o);
    }
    velo_strbuf_putc(o, ')');
}

static void print_select(const sql_select *s, velo_strbuf *o) {
    put(o, s->distinct ? "SELECT DISTINCT " : "SELECT ");
    for (uint32_t i = 0; i < s->nitems; i++) {
        const sql_select_item *it = &s->items[i];
        if (i) put(o, ", ");
        print_expr(it->expr, P_OR, o);
        if (it->alias) {
            put(o, " AS ");
            print_ident(it->alias, o);
        }
        if (it->primary_key) put(o, " PRIMARY KEY");
    }
    if (s->from) {
        put(o, " FROM ");
        print_source(s->from, o);
    }
    static const char *const joins[] = {[SQL_JOIN_INNER] = " INNER JOIN ",
                                        [SQL_JOIN_LEFT] = " LEFT JOIN ",
                                        [SQL_JOIN_RIGHT] = " RIGHT JOIN ",
                                        [SQL_JOIN_FULL] = " FULL JOIN "};
    for (uint32_t i = 0; i < s->njoins; i++) {
        const sql_join *j = &s->joins[i];
        put(o, joins[j->kind]);
        print_source(&j->source, o);
        put(o, " ON ");
        print_expr(j->on, P_OR, o);
        if (j->within) {
            put(o, " WITHIN ");
            print_expr(j->within, P_ADD, o);
        }
    }
    if (s->where) {
        put(o, " WHERE ");
        print_expr(s->where, P_OR, o);
    }
    if (s->ngroup) {
        put(o, " GROUP BY ");
        print_list(s->group_by, s->ngroup, o);
    }
    if (s->window) print_window(s->window, o);
    if (s->having) {
        put(o, " HAVING ");
        print_expr(s->having, P_OR, o);
    }
}

static void print_query(const sql_query *q, velo_strbuf *o) {
    if (q->nctes) {
        put(o, "WITH ");
        for (uint32_t i = 0; i < q->nctes; i++) {
            if (i) put(o, ", ");
            print_ident(q->ctes[i].name, o);
            put(o, " AS (");
            print_query(q->ctes[i].query, o);
            put(o, ") ");
        }
    }
    for (uint32_t i = 0; i < q->nselects; i++) {
        if (i) put(o, q->union_all[i - 1] ? " UNION ALL " : " UNION ");
        print_select(q->selects[i], o);
    }
    if (q->norder) {
        put(o, " ORDER BY ");
        print_order(q->order_by, q->norder, o);
    }
    if (q->limit) {
        put(o, " LIMIT ");
        print_expr(q->limit, P_OR, o);
    }
    if (q->emit != SQL_EMIT_DEFAULT) put(o, q->emit == SQL_EMIT_CHANGES ? " EMIT CHANGES" : " EMIT FINAL");
    if (q->into) {
        put(o, " INTO ");
        if (q->into_is_uri)
            print_string(q->into, o);
        else
            print_ident(q->into, o);
    }
    if (q->with.count) {
        velo_strbuf_putc(o, ' ');
        print_props(&q->with, o);
    }
}

static void print_columns(const sql_stmt *st, bool with_types, velo_strbuf *o) {
    if (!st->ncolumns && !st->nprimary_key) return;
    put(o, " (");
    for (uint32_t i = 0; i < st->ncolumns; i++) {
        const sql_column_def *c = &st->columns[i];
        if (i) put(o, ", ");
        print_ident(c->name, o);
        if (with_types && c->type) {
            velo_strbuf_putc(o, ' ');
            print_type(c->type, o);
        }
        if (c->not_null) put(o, " NOT NULL");
        if (c->primary_key) put(o, " PRIMARY KEY");
    }
    if (st->nprimary_key) {
        put(o, st->ncolumns ? ", PRIMARY KEY (" : "PRIMARY KEY (");
        for (uint32_t i = 0; i < st->nprimary_key; i++) {
            if (i) put(o, ", ");
            print_ident(st->primary_key[i], o);
        }
        velo_strbuf_putc(o, ')');
    }
    velo_strbuf_putc(o, ')');
}

static void print_job(const char *verb, const sql_stmt *st, velo_strbuf *o) {
    put(o, verb);
    put(o, " JOB ");
    print_ident(st->name, o);
}

static void print_stmt(const sql_stmt *st, velo_strbuf *o) {
    switch (st->kind) {
    case SQL_STMT_SELECT: print_query(st->query, o); break;
    case SQL_STMT_CREATE_STREAM_AS:
    case SQL_STMT_CREATE_TABLE_AS:
    case SQL_STMT_CREATE_SOURCE:
        put(o, st->is_table ? "CREATE TABLE " : "CREATE STREAM ");
        if (st->if_exists) put(o, "IF NOT EXISTS ");
        print_ident(st->name, o);
        print_columns(st, true, o);
        if (st->kind == SQL_STMT_CREATE_SOURCE) {
            velo_strbuf_putc(o, ' ');
            print_props(&st->with, o);
        } else {
            put(o, " AS ");
            print_query(st->query, o);
        }
        break;
    case SQL_STMT_INSERT:
        put(o, "INSERT INTO ");
        print_ident(st->name, o);
        print_columns(st, false, o);
        if (st->query) {
            velo_strbuf_putc(o, ' ');
            print_query(st->query, o);
            break;
        }
        put(o, " VALUES ");
        for (uint32_t r = 0; r < st->nvalues_rows; r++) {
            if (r) put(o, ", ");
            velo_strbuf_putc(o, '(');
            print_list(st->values_rows[r], st->nvalues_cols, o);
            velo_strbuf_putc(o, ')');
        }
        break;
    case SQL_STMT_DROP:
        put(o, st->is_table ? "DROP TABLE " : "DROP STREAM ");
        if (st->if_exists) put(o, "IF EXISTS ");
        print_ident(st->name, o);
        break;
    case SQL_STMT_SHOW:
        put(o, "SHOW ");
        put(o, st->show_what);
        if (st->name) {
            velo_strbuf_putc(o, ' ');
            print_ident(st->name, o);
        }
        break;
    case SQL_STMT_DESCRIBE:
        put(o, "DESCRIBE ");
        print_ident(st->name, o);
        break;
    case SQL_STMT_EXPLAIN:
        put(o, "EXPLAIN ");
        print_stmt(st->explained, o);
        break;
    case SQL_STMT_SET:
        put(o, "SET ");
        if (st->with.count) {
            print_string(st->with.items[0].key, o);
            put(o, " = ");
            print_string(st->with.items[0].value, o);
        }
        break;
    case SQL_STMT_START_JOB:
        print_job("START", st, o);
        put(o, " AS ");
        print_query(st->query, o);
        break;
    case SQL_STMT_STOP_JOB:
        print_job("STOP", st, o);
        if (st->force) put(o, " FORCE");
        break;
    case SQL_STMT_PAUSE_JOB: print_job("PAUSE", st, o); break;
    case SQL_STMT_RESUME_JOB: print_job("RESUME", st, o); break;
    case SQL_STMT_DEPLOY_JOB:
        print_job("DEPLOY", st, o);
        put(o, " VERSION ");
        print_string(st->version, o);
        put(o, " AS ");
        if (st->explained)
            print_stmt(st->explained, o);
        else
            print_query(st->query, o);
        if (st->strategy) {
            put(o, " STRATEGY ");
            put(o, st->strategy);
        }
        break;
    case SQL_STMT_ROLLBACK_JOB:
        print_job("ROLLBACK", st, o);
        if (st->version) {
            put(o, " VERSION ");
            print_string(st->version, o);
        }
        break;
    case SQL_STMT_UPDATE:
        put(o, "UPDATE ");
        print_ident(st->name, o);
        put(o, " SET ");
        for (uint32_t i = 0; i < st->nset; i++) {
            if (i) put(o, ", ");
            print_ident(st->set_columns[i], o);
            put(o, " = ");
            print_expr(st->set_values[i], P_OR, o);
        }
        if (st->where) {
            put(o, " WHERE ");
            print_expr(st->where, P_OR, o);
        }
        break;
    case SQL_STMT_DELETE:
        put(o, "DELETE FROM ");
        print_ident(st->name, o);
        if (st->where) {
            put(o, " WHERE ");
            print_expr(st->where, P_OR, o);
        }
        break;
    }
}

void velo_sql_print_stmt(const sql_stmt *stmt, velo_strbuf *out) {
    /* annotations first, one comment line each, so that they read back onto the same statement */
    for (uint32_t i = 0; i < stmt->nannotations; i++)
        velo_strbuf_printf(out, "-- @%s: %s\n", stmt->annotations[i].name, stmt->annotations[i].value);
    print_stmt(stmt, out);
}

void velo_sql_print_query(const sql_query *q, velo_strbuf *out) { print_query(q, out); }

void velo_sql_print_expr(const sql_expr *e, velo_strbuf *out) { print_expr(e, P_OR, out); }
