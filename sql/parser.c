/* The SQL parser (sql/parser.h): recursive descent over the token array of sql/lexer.c, with
 * precedence climbing for expressions. A syntax error records a diagnostic and longjmps back to
 * the statement loop, which skips to the next ';': every node lives in the script's arena, so an
 * abandoned half-built statement needs no cleanup. */
#include "sql/parser.h"

#include <mimalloc.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql/lexer.h"

/* Deeper nesting than this is reported instead of risking the C stack (fuzzers find it). */
#define MAX_DEPTH 200

enum {
    PREC_OR = 1,
    PREC_AND,
    PREC_NOT,
    PREC_CMP, /* = <> < <= > >= IS IN BETWEEN LIKE */
    PREC_CONCAT,
    PREC_ADD,
    PREC_MUL,
    PREC_UNARY,
    PREC_CAST,
    PREC_POSTFIX,
};

typedef struct vec {
    void *items;
    uint32_t n, cap;
} vec;

typedef struct parser {
    velo_sql_script *s;
    velo_arena *a;
    velo_diags *d;
    const char *text;
    sql_token *toks;
    uint32_t ntoks, i;
    uint32_t depth;
    bool oom;
    vec stmts;          /* statements parsed so far */
    uint32_t next_ann;  /* first annotation not yet attached */
    uint32_t alias_tok; /* index of the last alias written without AS (UINT32_MAX: none) */
    jmp_buf jb;
} parser;

/* Words that may be column names but not an alias written without AS (they start a clause). */
static const char *const clause_words[] = {"PRIMARY", "STRATEGY", "VERSION", "ASC", "DESC", "NULLS", "FORCE"};

static bool word_in(const char *s, size_t n, const char *const *list, size_t count) {
    for (size_t k = 0; k < count; k++)
        if (strlen(list[k]) == n && strncasecmp(s, list[k], n) == 0) return true;
    return false;
}

/* ---- tokens ---- */

static sql_token *cur(parser *p) { return &p->toks[p->i]; }
static sql_token *peek(parser *p, uint32_t k) {
    uint32_t j = p->i + k;
    return &p->toks[j < p->ntoks ? j : p->ntoks - 1];
}
static void next(parser *p) {
    if (p->toks[p->i].kind != TK_EOF) p->i++;
}
static const char *tok_text(parser *p, const sql_token *t) { return p->text + t->pos.offset; }

static bool is_kw(parser *p, const sql_token *t, const char *kw) {
    size_t n = strlen(kw);
    return t->kind == TK_WORD && t->len == n && strncasecmp(tok_text(p, t), kw, n) == 0;
}
static bool at_kw(parser *p, const char *kw) { return is_kw(p, cur(p), kw); }
static bool at(parser *p, sql_tok_kind k) { return cur(p)->kind == k; }

static bool tok_reserved(parser *p, const sql_token *t) {
    return t->kind == TK_WORD && velo_sql_word_is_reserved(tok_text(p, t), t->len);
}

/* ---- errors ---- */

static _Noreturn void bail(parser *p) { longjmp(p->jb, 1); }

static _Noreturn void fail_at(parser *p, const sql_token *t, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static _Noreturn void fail_at(parser *p, const sql_token *t, const char *code, const char *fmt, ...) {
    /* a TK_ERROR token was already reported by the lexer: one message per mistake */
    if (t->kind != TK_ERROR) {
        char msg[480];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        velo_diags_add(p->d, VELO_SEV_ERROR, code, t->pos.line, t->pos.col, "%s", msg);
    }
    bail(p);
}

/* "'FORM'", "'file://x'" (a string shows its own quotes), or "end of input"; long tokens shortened */
static void describe(parser *p, const sql_token *t, char *buf, size_t n) {
    if (t->kind == TK_EOF) {
        snprintf(buf, n, "end of input");
        return;
    }
    uint32_t len = t->len;
    bool cut = false;
    if (len > 40) {
        len = 40;
        while (len > 0 && ((unsigned char)tok_text(p, t)[len] & 0xC0) == 0x80)
            len--;
        cut = true;
    }
    if (t->kind == TK_STRING && !cut)
        snprintf(buf, n, "%.*s", (int)len, tok_text(p, t));
    else
        snprintf(buf, n, "'%.*s%s'", (int)len, tok_text(p, t), cut ? "..." : "");
}

/* Edit distance with adjacent transpositions (FORM -> FROM is one edit), case-insensitive. */
static uint32_t edit_distance(const char *a, size_t n, const char *b) {
    size_t m = strlen(b);
    if (n > 15 || m > 15) return 99;
    uint32_t d[16][16];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (uint32_t)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (uint32_t)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            char ca = (char)(a[i - 1] & ~0x20), cb = b[j - 1];
            uint32_t best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == b[j - 2] && (char)(a[i - 2] & ~0x20) == cb &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

/* A clause keyword that `t` looks like a misspelling of (FORM -> FROM), or NULL. */
static const char *misspelled_keyword(parser *p, const sql_token *t) {
    static const char *const kws[] = {"FROM",  "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER",
                                      "LIMIT", "INTO",  "EMIT",  "JOIN",   "UNION",  "WITH"};
    if (t->kind != TK_WORD || t->len < 3) return NULL;
    for (size_t k = 0; k < sizeof kws / sizeof *kws; k++) {
        unsigned d = edit_distance(tok_text(p, t), t->len, kws[k]);
        if (d == 0) return NULL; /* the keyword itself, out of place: not a misspelling */
        if (d <= (t->len <= 4 ? 1u : 2u)) return kws[k];
    }
    return NULL;
}

/* A clause keyword where the statement should end (`... WITH (...) WHERE x`): name the order the
 * clauses go in rather than only "expected ';'". */
static bool is_clause_keyword(parser *p, const sql_token *t) {
    static const char *const kws[] = {"FROM",  "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER",
                                      "LIMIT", "INTO",  "EMIT",  "JOIN",   "UNION"};
    if (t->kind != TK_WORD) return false;
    for (size_t k = 0; k < sizeof kws / sizeof *kws; k++)
        if (t->len == strlen(kws[k]) && strncasecmp(tok_text(p, t), kws[k], t->len) == 0) return true;
    return false;
}

static _Noreturn void fail_expected(parser *p, const char *what) {
    /* `SELECT a FORM t`: FORM was taken as an alias just before the token that does not fit;
     * it was meant to be a keyword, so name that keyword at the alias */
    if (p->i > 0 && p->alias_tok == p->i - 1) {
        const sql_token *a = &p->toks[p->i - 1];
        const char *kw = misspelled_keyword(p, a);
        if (kw) {
            char found[64];
            describe(p, a, found, sizeof found);
            fail_at(p, a, "parse.expected", "expected %s, found %s", kw, found);
        }
    }
    sql_token *t = cur(p);
    char found[64];
    describe(p, t, found, sizeof found);
    if (tok_reserved(p, t) && (strcmp(what, "identifier") == 0 || strcmp(what, "an expression") == 0)) {
        /* words that are never column names; GROUP/ORDER/LIMIT... may well be ("SELECT a, order") */
        static const char *const clause_words[] = {"FROM", "WHERE", "HAVING", "INTO",
                                                   "EMIT", "UNION", "JOIN"};
        /* `SELECT a, FROM t`: a trailing comma, not a column named FROM */
        if (p->i > 0 && p->toks[p->i - 1].kind == TK_COMMA)
            for (size_t k = 0; k < sizeof clause_words / sizeof *clause_words; k++)
                if (t->len == strlen(clause_words[k]) &&
                    strncasecmp(tok_text(p, t), clause_words[k], t->len) == 0)
                    fail_at(p, t, "parse.expected", "expected %s, found %s (remove the ',' before %s?)", what,
                            found, clause_words[k]);
        char up[48];
        size_t n = t->len < sizeof up - 1 ? t->len : sizeof up - 1;
        for (size_t k = 0; k < n; k++)
            up[k] = (char)(tok_text(p, t)[k] & ~0x20);
        up[n] = 0;
        fail_at(p, t, "parse.expected",
                "expected %s, found %s (%s is a reserved word; to use it as a name, quote it: \"%.*s\")",
                what, found, up, (int)t->len, tok_text(p, t));
    }
    fail_at(p, t, "parse.expected", "expected %s, found %s", what, found);
}

static bool accept(parser *p, sql_tok_kind k) {
    if (!at(p, k)) return false;
    next(p);
    return true;
}
static void expect(parser *p, sql_tok_kind k) {
    if (!accept(p, k)) fail_expected(p, velo_sql_tok_name(k));
}
static bool accept_kw(parser *p, const char *kw) {
    if (!at_kw(p, kw)) return false;
    next(p);
    return true;
}
static void expect_kw(parser *p, const char *kw) {
    if (!accept_kw(p, kw)) fail_expected(p, kw);
}

/* ---- memory ---- */

static void *alloc(parser *p, size_t n) {
    void *m = velo_arena_calloc(p->a, n ? n : 1);
    if (!m) {
        p->oom = true;
        bail(p);
    }
    return m;
}
#define NEW(p, T) ((T *)alloc((p), sizeof(T)))

static char *dup(parser *p, const char *s, size_t n) {
    char *d = velo_arena_strndup(p->a, s, n);
    if (!d) {
        p->oom = true;
        bail(p);
    }
    return d;
}

static char *dup_upper(parser *p, const char *s, size_t n) {
    char *d = dup(p, s, n);
    for (char *c = d; *c; c++)
        if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 32);
    return d;
}

static void *vec_push(parser *p, vec *v, size_t elem) {
    if (v->n == v->cap) {
        uint32_t nc = v->cap ? v->cap * 2 : 4;
        void *ni = alloc(p, elem * nc);
        if (v->n) memcpy(ni, v->items, elem * v->n);
        v->items = ni;
        v->cap = nc;
    }
    return (char *)v->items + elem * v->n++;
}
#define PUSH(p, v, T) ((T *)vec_push((p), (v), sizeof(T)))

static void enter(parser *p) {
    if (++p->depth > MAX_DEPTH)
        fail_at(p, cur(p), "parse.too_deep", "expression or query nested too deeply (more than %d levels)",
                MAX_DEPTH);
}
static void leave(parser *p) { p->depth--; }

/* ---- names ---- */

static bool at_ident(parser *p) { return at(p, TK_QIDENT) || (at(p, TK_WORD) && !tok_reserved(p, cur(p))); }

static char *parse_ident(parser *p) {
    sql_token *t = cur(p);
    if (t->kind == TK_QIDENT) {
        next(p);
        return t->value;
    }
    if (t->kind != TK_WORD || tok_reserved(p, t)) fail_expected(p, "identifier");
    next(p);
    return dup(p, tok_text(p, t), t->len);
}

/* An alias written without AS must not be a word that starts the next clause. */
static bool at_implicit_alias(parser *p) {
    sql_token *t = cur(p);
    if (t->kind == TK_QIDENT) return true;
    return t->kind == TK_WORD && !tok_reserved(p, t) &&
           !word_in(tok_text(p, t), t->len, clause_words, sizeof clause_words / sizeof *clause_words);
}

static char *parse_string(parser *p, const char *what) {
    if (!at(p, TK_STRING)) fail_expected(p, what);
    char *v = cur(p)->value;
    next(p);
    return v;
}

/* ---- expressions ---- */

static sql_expr *parse_expr(parser *p);
static sql_expr *parse_prec(parser *p, int min);
static sql_query *parse_query(parser *p);
static sql_type_name *parse_type(parser *p);

static sql_expr *new_expr(parser *p, sql_expr_kind kind, sql_pos pos) {
    sql_expr *e = NEW(p, sql_expr);
    e->kind = kind;
    e->pos = pos;
    return e;
}

static sql_expr **expr_list(parser *p, uint32_t *n) {
    vec v = {0};
    do
        *PUSH(p, &v, sql_expr *) = parse_expr(p);
    while (accept(p, TK_COMMA));
    *n = v.n;
    return v.items;
}

static bool at_query_start(parser *p) {
    return at_kw(p, "SELECT") || (at_kw(p, "WITH") && peek(p, 1)->kind != TK_LPAREN);
}

static const struct {
    const char *name;
    sql_interval_unit unit;
} interval_units[] = {
    {"MICROSECOND", SQL_UNIT_MICROSECOND},
    {"MICROSECONDS", SQL_UNIT_MICROSECOND},
    {"MILLISECOND", SQL_UNIT_MILLISECOND},
    {"MILLISECONDS", SQL_UNIT_MILLISECOND},
    {"SECOND", SQL_UNIT_SECOND},
    {"SECONDS", SQL_UNIT_SECOND},
    {"MINUTE", SQL_UNIT_MINUTE},
    {"MINUTES", SQL_UNIT_MINUTE},
    {"HOUR", SQL_UNIT_HOUR},
    {"HOURS", SQL_UNIT_HOUR},
    {"DAY", SQL_UNIT_DAY},
    {"DAYS", SQL_UNIT_DAY},
    {"WEEK", SQL_UNIT_WEEK},
    {"WEEKS", SQL_UNIT_WEEK},
    {"MONTH", SQL_UNIT_MONTH},
    {"MONTHS", SQL_UNIT_MONTH},
    {"QUARTER", SQL_UNIT_QUARTER},
    {"QUARTERS", SQL_UNIT_QUARTER},
    {"YEAR", SQL_UNIT_YEAR},
    {"YEARS", SQL_UNIT_YEAR},
};

static sql_interval_unit parse_interval_unit(parser *p) {
    for (size_t k = 0; k < sizeof interval_units / sizeof *interval_units; k++)
        if (at_kw(p, interval_units[k].name)) {
            next(p);
            return interval_units[k].unit;
        }
    fail_expected(p, "an interval unit (MILLISECOND, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, YEAR)");
}

static bool interval_text_ok(const char *s, bool range) {
    const char *c = s;
    if (range) {
        if (!*c) return false;
        for (; *c; c++)
            if (!((*c >= '0' && *c <= '9') || *c == '-' || *c == ':' || *c == ' ' || *c == '.')) return false;
        return true;
    }
    if (*c == '-' || *c == '+') c++;
    bool digits = false;
    for (; *c >= '0' && *c <= '9'; c++)
        digits = true;
    if (*c == '.')
        for (c++; *c >= '0' && *c <= '9'; c++)
            digits = true;
    return digits && !*c;
}

/* INTERVAL '5' MINUTE, INTERVAL 5 MINUTES, INTERVAL '1-2' YEAR TO MONTH */
static sql_expr *parse_interval(parser *p) {
    sql_token *kw = cur(p);
    next(p);
    sql_expr *e = new_expr(p, SQL_EXPR_LITERAL, kw->pos);
    e->u.lit.kind = SQL_LIT_INTERVAL;
    sql_token *v = cur(p);
    if (v->kind == TK_STRING || v->kind == TK_INTEGER || v->kind == TK_DECIMAL) {
        e->u.lit.text = v->kind == TK_STRING ? v->value : dup(p, tok_text(p, v), v->len);
        next(p);
    } else {
        fail_expected(p, "an interval value such as '5'");
    }
    e->u.lit.unit = e->u.lit.unit_to = parse_interval_unit(p);
    if (accept_kw(p, "TO")) e->u.lit.unit_to = parse_interval_unit(p);
    if (!interval_text_ok(e->u.lit.text, e->u.lit.unit_to != e->u.lit.unit))
        fail_at(p, v, "parse.interval",
                "invalid interval value '%s': expected a number, e.g. INTERVAL '5' MINUTE", e->u.lit.text);
    return e;
}

static sql_order_item *parse_order_list(parser *p, uint32_t *n) {
    vec v = {0};
    do {
        sql_order_item *o = PUSH(p, &v, sql_order_item);
        o->expr = parse_expr(p);
        o->nulls_first = -1;
        if (accept_kw(p, "DESC"))
            o->desc = true;
        else
            accept_kw(p, "ASC");
        if (accept_kw(p, "NULLS")) {
            if (accept_kw(p, "FIRST"))
                o->nulls_first = 1;
            else if (accept_kw(p, "LAST"))
                o->nulls_first = 0;
            else
                fail_expected(p, "FIRST or LAST");
        }
    } while (accept(p, TK_COMMA));
    *n = v.n;
    return v.items;
}

static sql_frame_bound parse_frame_bound(parser *p) {
    sql_frame_bound b = {0};
    if (accept_kw(p, "UNBOUNDED")) {
        if (accept_kw(p, "PRECEDING"))
            b.kind = SQL_BOUND_UNBOUNDED_PRECEDING;
        else if (accept_kw(p, "FOLLOWING"))
            b.kind = SQL_BOUND_UNBOUNDED_FOLLOWING;
        else
            fail_expected(p, "PRECEDING or FOLLOWING");
        return b;
    }
    if (accept_kw(p, "CURRENT")) {
        expect_kw(p, "ROW");
        b.kind = SQL_BOUND_CURRENT_ROW;
        return b;
    }
    b.offset = parse_prec(p, PREC_ADD);
    if (accept_kw(p, "PRECEDING"))
        b.kind = SQL_BOUND_PRECEDING;
    else if (accept_kw(p, "FOLLOWING"))
        b.kind = SQL_BOUND_FOLLOWING;
    else
        fail_expected(p, "PRECEDING or FOLLOWING");
    return b;
}

/* OVER ( [ROWS WINDOW BUFFER n ROWS] [PARTITION BY ...] [ORDER BY ...] [ROWS|RANGE frame] ) */
static sql_over *parse_over(parser *p) {
    sql_over *o = NEW(p, sql_over);
    o->pos = cur(p)->pos;
    expect(p, TK_LPAREN);
    if (at_kw(p, "ROWS") && is_kw(p, peek(p, 1), "WINDOW")) {
        next(p);
        next(p);
        expect_kw(p, "BUFFER");
        sql_token *n = cur(p);
        expect(p, TK_INTEGER);
        o->buffer_rows = strtoll(n->value, NULL, 10);
        if (o->buffer_rows <= 0 || n->len > 12)
            fail_at(p, n, "parse.buffer", "ROWS WINDOW BUFFER must be 1 to 10^12 rows");
        expect_kw(p, "ROWS");
    }
    if (accept_kw(p, "PARTITION")) {
        expect_kw(p, "BY");
        o->partition_by = expr_list(p, &o->npartition);
    }
    if (accept_kw(p, "ORDER")) {
        expect_kw(p, "BY");
        o->order_by = parse_order_list(p, &o->norder);
    }
    if (at_kw(p, "ROWS") || at_kw(p, "RANGE")) {
        o->frame_unit = at_kw(p, "ROWS") ? SQL_FRAME_ROWS : SQL_FRAME_RANGE;
        next(p);
        if (accept_kw(p, "BETWEEN")) {
            o->frame_start = parse_frame_bound(p);
            expect_kw(p, "AND");
            o->frame_end = parse_frame_bound(p);
        } else {
            o->frame_start = parse_frame_bound(p);
            o->frame_end.kind = SQL_BOUND_CURRENT_ROW;
        }
    }
    if (accept_kw(p, "EXPIRE")) {
        expect_kw(p, "AFTER");
        o->expire_after = parse_prec(p, PREC_ADD);
        expect_kw(p, "INACTIVITY");
    }
    expect(p, TK_RPAREN);
    return o;
}

static sql_expr *parse_function(parser *p) {
    sql_token *name = cur(p);
    sql_expr *e = new_expr(p, SQL_EXPR_FUNCTION, name->pos);
    e->u.func.name = dup(p, tok_text(p, name), name->len);
    next(p);
    expect(p, TK_LPAREN);
    if (at(p, TK_STAR) && peek(p, 1)->kind == TK_RPAREN) {
        next(p);
        e->u.func.star = true;
    } else if (!at(p, TK_RPAREN)) {
        if (accept_kw(p, "DISTINCT"))
            e->u.func.distinct = true;
        else
            accept_kw(p, "ALL");
        e->u.func.args = expr_list(p, &e->u.func.nargs);
        if (accept_kw(p, "ORDER")) {
            expect_kw(p, "BY");
            e->u.func.order_by = parse_order_list(p, &e->u.func.norder);
        }
    }
    expect(p, TK_RPAREN);
    if (at_kw(p, "WITHIN") && is_kw(p, peek(p, 1), "GROUP")) {
        if (e->u.func.norder)
            fail_at(p, cur(p), "parse.order", "ORDER BY given twice: inside the call and in WITHIN GROUP");
        next(p);
        next(p);
        expect(p, TK_LPAREN);
        expect_kw(p, "ORDER");
        expect_kw(p, "BY");
        e->u.func.order_by = parse_order_list(p, &e->u.func.norder);
        expect(p, TK_RPAREN);
    }
    if (at_kw(p, "FILTER") && peek(p, 1)->kind == TK_LPAREN) {
        next(p);
        next(p);
        expect_kw(p, "WHERE");
        e->u.func.filter = parse_expr(p);
        expect(p, TK_RPAREN);
    }
    if (accept_kw(p, "OVER")) e->u.func.over = parse_over(p);
    return e;
}

static sql_expr *parse_case(parser *p) {
    sql_expr *e = new_expr(p, SQL_EXPR_CASE, cur(p)->pos);
    next(p);
    if (!at_kw(p, "WHEN")) e->u.case_.operand = parse_expr(p);
    vec w = {0}, t = {0};
    if (!at_kw(p, "WHEN")) fail_expected(p, "WHEN");
    while (accept_kw(p, "WHEN")) {
        *PUSH(p, &w, sql_expr *) = parse_expr(p);
        expect_kw(p, "THEN");
        *PUSH(p, &t, sql_expr *) = parse_expr(p);
    }
    e->u.case_.whens = w.items;
    e->u.case_.thens = t.items;
    e->u.case_.nwhens = w.n;
    if (accept_kw(p, "ELSE")) e->u.case_.else_expr = parse_expr(p);
    expect_kw(p, "END");
    return e;
}

static sql_expr *parse_cast(parser *p) {
    sql_expr *e = new_expr(p, SQL_EXPR_CAST, cur(p)->pos);
    e->u.cast.try_cast = at_kw(p, "TRY_CAST");
    next(p);
    expect(p, TK_LPAREN);
    e->u.cast.arg = parse_expr(p);
    expect_kw(p, "AS");
    e->u.cast.type = parse_type(p);
    expect(p, TK_RPAREN);
    return e;
}

/* EXTRACT(YEAR FROM x) or the original dialect's EXTRACT('YEAR', x) */
static sql_expr *parse_extract(parser *p) {
    sql_expr *e = new_expr(p, SQL_EXPR_EXTRACT, cur(p)->pos);
    next(p);
    expect(p, TK_LPAREN);
    sql_token *f = cur(p);
    if (f->kind == TK_STRING) {
        e->u.extract.field = dup_upper(p, f->value, strlen(f->value));
        e->u.extract.quoted_form = true;
        next(p);
        expect(p, TK_COMMA);
    } else if (f->kind == TK_WORD) {
        e->u.extract.field = dup_upper(p, tok_text(p, f), f->len);
        next(p);
        if (!accept_kw(p, "FROM")) expect(p, TK_COMMA);
    } else {
        fail_expected(p, "a date part such as YEAR");
    }
    if (!e->u.extract.field[0] ||
        strspn(e->u.extract.field, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != strlen(e->u.extract.field))
        fail_at(p, f, "parse.extract", "unknown date part '%s' in EXTRACT", e->u.extract.field);
    e->u.extract.arg = parse_expr(p);
    expect(p, TK_RPAREN);
    return e;
}

/* a, t.a, "A b".c, t.* */
static sql_expr *parse_column(parser *p) {
    sql_expr *e = new_expr(p, SQL_EXPR_COLUMN, cur(p)->pos);
    vec parts = {0};
    *PUSH(p, &parts, char *) = parse_ident(p);
    while (at(p, TK_DOT)) {
        sql_token *t = peek(p, 1);
        if (t->kind == TK_STAR) {
            if (parts.n != 1) fail_at(p, t, "parse.star", "'*' may follow one qualifier only, as in t.*");
            next(p);
            next(p);
            e->kind = SQL_EXPR_STAR;
            e->u.star.qualifier = ((char **)parts.items)[0];
            return e;
        }
        if (t->kind != TK_WORD && t->kind != TK_QIDENT) break;
        next(p);
        /* after a dot any word is a name: t.from is the column "from" of t */
        *PUSH(p, &parts, char *) = t->kind == TK_QIDENT ? t->value : dup(p, tok_text(p, t), t->len);
        next(p);
    }
    e->u.column.parts = parts.items;
    e->u.column.nparts = parts.n;
    return e;
}

/* Words that cannot name a function even when followed by '(' (they are structure). */
static bool can_be_function(parser *p, const sql_token *t) {
    static const char *const not_functions[] = {
        "ALL",    "AND",   "AS",     "BETWEEN", "BY",   "DISTINCT", "ELSE", "EMIT",     "END",   "ESCAPE",
        "FROM",   "GROUP", "HAVING", "ILIKE",   "IN",   "INTO",     "IS",   "LIKE",     "LIMIT", "NOT",
        "NULL",   "ON",    "OR",     "ORDER",   "OVER", "SELECT",   "THEN", "UNION",    "WHEN",  "WHERE",
        "WINDOW", "WITH",  "WITHIN", "FILTER",  "TRUE", "FALSE",    "CASE", "INTERVAL", "EXISTS"};
    return t->kind == TK_WORD &&
           !word_in(tok_text(p, t), t->len, not_functions, sizeof not_functions / sizeof *not_functions);
}

static sql_expr *literal(parser *p, sql_lit_kind kind, char *text) {
    sql_expr *e = new_expr(p, SQL_EXPR_LITERAL, cur(p)->pos);
    e->u.lit.kind = kind;
    e->u.lit.text = text;
    next(p);
    return e;
}

static sql_expr *parse_primary(parser *p) {
    sql_token *t = cur(p);
    sql_token *t1 = peek(p, 1);
    switch (t->kind) {
    case TK_INTEGER: return literal(p, SQL_LIT_INTEGER, t->value);
    case TK_DECIMAL: return literal(p, SQL_LIT_DECIMAL, t->value);
    case TK_DOUBLE: return literal(p, SQL_LIT_DOUBLE, t->value);
    case TK_STRING: return literal(p, SQL_LIT_STRING, t->value);
    case TK_DURATION: {
        sql_expr *e = literal(p, SQL_LIT_INTERVAL, t->value);
        e->u.lit.unit = e->u.lit.unit_to = t->unit;
        e->u.lit.short_form = true;
        return e;
    }
    case TK_QIDENT: return parse_column(p);
    case TK_LPAREN: {
        next(p);
        if (at_query_start(p)) {
            sql_expr *e = new_expr(p, SQL_EXPR_SUBQUERY, t->pos);
            e->u.subquery.query = parse_query(p);
            expect(p, TK_RPAREN);
            return e;
        }
        sql_expr *e = parse_expr(p);
        expect(p, TK_RPAREN);
        e->parenthesized = true;
        return e;
    }
    case TK_WORD: break;
    default: fail_expected(p, "an expression");
    }
    if (is_kw(p, t, "NULL")) return literal(p, SQL_LIT_NULL, NULL);
    if (is_kw(p, t, "TRUE")) return literal(p, SQL_LIT_BOOL, "true");
    if (is_kw(p, t, "FALSE")) return literal(p, SQL_LIT_BOOL, "false");
    if (is_kw(p, t, "CASE")) return parse_case(p);
    if (is_kw(p, t, "INTERVAL")) return parse_interval(p);
    if ((is_kw(p, t, "CAST") || is_kw(p, t, "TRY_CAST")) && t1->kind == TK_LPAREN) return parse_cast(p);
    if (is_kw(p, t, "EXTRACT") && t1->kind == TK_LPAREN) return parse_extract(p);
    if (is_kw(p, t, "EXISTS") && t1->kind == TK_LPAREN) {
        sql_expr *e = new_expr(p, SQL_EXPR_EXISTS, t->pos);
        next(p);
        next(p);
        e->u.exists.query = parse_query(p);
        expect(p, TK_RPAREN);
        return e;
    }
    if ((is_kw(p, t, "DATE") || is_kw(p, t, "TIMESTAMP")) && t1->kind == TK_STRING) {
        next(p);
        return literal(p, is_kw(p, t, "DATE") ? SQL_LIT_DATE : SQL_LIT_TIMESTAMP, t1->value);
    }
    if (t1->kind == TK_LPAREN && can_be_function(p, t)) return parse_function(p);
    if (is_kw(p, t, "CURRENT_TIMESTAMP") && t1->kind != TK_DOT) {
        /* the standard niladic form, written without parentheses: CURRENT_TIMESTAMP() */
        sql_expr *e = new_expr(p, SQL_EXPR_FUNCTION, t->pos);
        e->u.func.name = dup(p, tok_text(p, t), t->len);
        next(p);
        return e;
    }
    if (tok_reserved(p, t)) fail_expected(p, "an expression");
    return parse_column(p);
}

static sql_expr *binary(parser *p, sql_op op, sql_expr *l, sql_expr *r, sql_pos pos) {
    sql_expr *e = new_expr(p, SQL_EXPR_BINARY, pos);
    e->u.binary.op = op;
    e->u.binary.left = l;
    e->u.binary.right = r;
    return e;
}

static bool binary_op(parser *p, sql_op *op, int *prec) {
    sql_token *t = cur(p);
    switch (t->kind) {
    case TK_EQ: *op = SQL_OP_EQ, *prec = PREC_CMP; return true;
    case TK_NE: *op = SQL_OP_NE, *prec = PREC_CMP; return true;
    case TK_LT: *op = SQL_OP_LT, *prec = PREC_CMP; return true;
    case TK_LE: *op = SQL_OP_LE, *prec = PREC_CMP; return true;
    case TK_GT: *op = SQL_OP_GT, *prec = PREC_CMP; return true;
    case TK_GE: *op = SQL_OP_GE, *prec = PREC_CMP; return true;
    case TK_CONCAT: *op = SQL_OP_CONCAT, *prec = PREC_CONCAT; return true;
    case TK_PLUS: *op = SQL_OP_ADD, *prec = PREC_ADD; return true;
    case TK_MINUS: *op = SQL_OP_SUB, *prec = PREC_ADD; return true;
    case TK_STAR: *op = SQL_OP_MUL, *prec = PREC_MUL; return true;
    case TK_SLASH: *op = SQL_OP_DIV, *prec = PREC_MUL; return true;
    case TK_PERCENT: *op = SQL_OP_MOD, *prec = PREC_MUL; return true;
    default: break;
    }
    if (is_kw(p, t, "AND")) return *op = SQL_OP_AND, *prec = PREC_AND, true;
    if (is_kw(p, t, "OR")) return *op = SQL_OP_OR, *prec = PREC_OR, true;
    return false;
}

/* The comparison-level forms after an operand: IS ..., [NOT] BETWEEN / IN / LIKE / ILIKE. Returns
 * NULL when the current token does not start one. */
static sql_expr *parse_predicate(parser *p, sql_expr *left) {
    sql_token *t = cur(p);
    bool negated = false;
    if (is_kw(p, t, "IS")) {
        next(p);
        negated = accept_kw(p, "NOT");
        if (accept_kw(p, "NULL")) {
            sql_expr *e = new_expr(p, SQL_EXPR_IS_NULL, t->pos);
            e->u.is_null.arg = left;
            e->u.is_null.negated = negated;
            return e;
        }
        if (at_kw(p, "TRUE") || at_kw(p, "FALSE")) {
            sql_expr *e = new_expr(p, SQL_EXPR_IS_BOOL, t->pos);
            e->u.is_bool.arg = left;
            e->u.is_bool.value = at_kw(p, "TRUE");
            e->u.is_bool.negated = negated;
            next(p);
            return e;
        }
        if (accept_kw(p, "DISTINCT")) {
            expect_kw(p, "FROM");
            sql_expr *e = new_expr(p, SQL_EXPR_IS_DISTINCT, t->pos);
            e->u.is_distinct.left = left;
            e->u.is_distinct.right = parse_prec(p, PREC_CONCAT);
            e->u.is_distinct.negated = negated;
            return e;
        }
        fail_expected(p, "NULL, TRUE, FALSE or DISTINCT FROM");
    }
    sql_token *op = t;
    if (is_kw(p, t, "NOT")) {
        sql_token *t1 = peek(p, 1);
        if (!is_kw(p, t1, "BETWEEN") && !is_kw(p, t1, "IN") && !is_kw(p, t1, "LIKE") &&
            !is_kw(p, t1, "ILIKE"))
            return NULL;
        negated = true;
        op = t1;
    }
    if (is_kw(p, op, "BETWEEN")) {
        p->i = (uint32_t)(op - p->toks) + 1;
        sql_expr *e = new_expr(p, SQL_EXPR_BETWEEN, t->pos);
        e->u.between.arg = left;
        e->u.between.negated = negated;
        e->u.between.low = parse_prec(p, PREC_CONCAT);
        expect_kw(p, "AND");
        e->u.between.high = parse_prec(p, PREC_CONCAT);
        return e;
    }
    if (is_kw(p, op, "IN")) {
        p->i = (uint32_t)(op - p->toks) + 1;
        expect(p, TK_LPAREN);
        sql_expr *e;
        if (at_query_start(p)) {
            e = new_expr(p, SQL_EXPR_IN_SUBQUERY, t->pos);
            e->u.in_subquery.arg = left;
            e->u.in_subquery.negated = negated;
            e->u.in_subquery.query = parse_query(p);
        } else {
            e = new_expr(p, SQL_EXPR_IN_LIST, t->pos);
            e->u.in_list.arg = left;
            e->u.in_list.negated = negated;
            e->u.in_list.items = expr_list(p, &e->u.in_list.nitems);
        }
        expect(p, TK_RPAREN);
        return e;
    }
    if (is_kw(p, op, "LIKE") || is_kw(p, op, "ILIKE")) {
        p->i = (uint32_t)(op - p->toks) + 1;
        sql_expr *e = new_expr(p, SQL_EXPR_LIKE, t->pos);
        e->u.like.arg = left;
        e->u.like.negated = negated;
        e->u.like.ilike = is_kw(p, op, "ILIKE");
        e->u.like.pattern = parse_prec(p, PREC_CONCAT);
        if (accept_kw(p, "ESCAPE")) e->u.like.escape = parse_prec(p, PREC_CONCAT);
        return e;
    }
    return NULL;
}

static sql_expr *parse_prec(parser *p, int min) {
    enter(p);
    sql_token *t = cur(p);
    sql_expr *left;
    if (min <= PREC_NOT && is_kw(p, t, "NOT")) {
        next(p);
        left = new_expr(p, SQL_EXPR_UNARY, t->pos);
        left->u.unary.op = SQL_OP_NOT;
        left->u.unary.arg = parse_prec(p, PREC_NOT);
    } else if (min <= PREC_UNARY && (t->kind == TK_MINUS || t->kind == TK_PLUS)) {
        next(p);
        left = new_expr(p, SQL_EXPR_UNARY, t->pos);
        left->u.unary.op = t->kind == TK_MINUS ? SQL_OP_NEG : SQL_OP_PLUS;
        left->u.unary.arg = parse_prec(p, PREC_UNARY);
    } else {
        left = parse_primary(p);
    }
    for (;;) {
        sql_token *o = cur(p);
        sql_op op;
        int prec;
        if (o->kind == TK_LBRACKET) { /* postfix binds tightest: always applies */
            next(p);
            sql_expr *e = new_expr(p, SQL_EXPR_SUBSCRIPT, o->pos);
            e->u.subscript.base = left;
            e->u.subscript.index = parse_expr(p);
            expect(p, TK_RBRACKET);
            left = e;
        } else if (o->kind == TK_DOT && (peek(p, 1)->kind == TK_WORD || peek(p, 1)->kind == TK_QIDENT)) {
            sql_token *n = peek(p, 1);
            next(p);
            next(p);
            sql_expr *e = new_expr(p, SQL_EXPR_FIELD, o->pos);
            e->u.field.base = left;
            e->u.field.name = n->kind == TK_QIDENT ? n->value : dup(p, tok_text(p, n), n->len);
            left = e;
        } else if (o->kind == TK_DCOLON && min <= PREC_CAST) {
            next(p);
            sql_expr *e = new_expr(p, SQL_EXPR_CAST, o->pos);
            e->u.cast.arg = left;
            e->u.cast.type = parse_type(p);
            e->u.cast.colon_form = true;
            left = e;
        } else if (binary_op(p, &op, &prec)) {
            if (prec < min) break;
            next(p);
            /* comparisons take a || level operand on the right: a = b = c is (a = b) = c */
            sql_expr *r = parse_prec(p, prec == PREC_CMP ? PREC_CONCAT : prec + 1);
            left = binary(p, op, left, r, o->pos);
        } else if (min <= PREC_CMP) {
            sql_expr *e = parse_predicate(p, left);
            if (!e) break;
            left = e;
        } else {
            break;
        }
    }
    leave(p);
    return left;
}

static sql_expr *parse_expr(parser *p) { return parse_prec(p, PREC_OR); }

/* ---- types ---- */

static const struct {
    const char *name;
    velo_type_id id;
} type_names[] = {
    {"BOOLEAN", VELO_TYPE_BOOLEAN},    {"BOOL", VELO_TYPE_BOOLEAN},    {"TINYINT", VELO_TYPE_BIGINT},
    {"SMALLINT", VELO_TYPE_BIGINT},    {"INT", VELO_TYPE_BIGINT},      {"INTEGER", VELO_TYPE_BIGINT},
    {"BIGINT", VELO_TYPE_BIGINT},      {"LONG", VELO_TYPE_BIGINT},     {"FLOAT", VELO_TYPE_DOUBLE},
    {"REAL", VELO_TYPE_DOUBLE},        {"DOUBLE", VELO_TYPE_DOUBLE},   {"DECIMAL", VELO_TYPE_DECIMAL},
    {"NUMERIC", VELO_TYPE_DECIMAL},    {"VARCHAR", VELO_TYPE_VARCHAR}, {"STRING", VELO_TYPE_VARCHAR},
    {"TEXT", VELO_TYPE_VARCHAR},       {"CHAR", VELO_TYPE_VARCHAR},    {"BYTES", VELO_TYPE_BYTES},
    {"BINARY", VELO_TYPE_BYTES},       {"VARBINARY", VELO_TYPE_BYTES}, {"TIMESTAMP", VELO_TYPE_TIMESTAMP},
    {"DATETIME", VELO_TYPE_TIMESTAMP}, {"DATE", VELO_TYPE_DATE},       {"INTERVAL", VELO_TYPE_INTERVAL},
    {"ARRAY", VELO_TYPE_LIST},         {"LIST", VELO_TYPE_LIST},       {"MAP", VELO_TYPE_MAP},
    {"STRUCT", VELO_TYPE_STRUCT},      {"ANY", VELO_TYPE_ANY},         {"JSON", VELO_TYPE_ANY},
};

/* DECIMAL without (p,s): the widest precision with a scale that keeps money and rates exact */
#define DEFAULT_DECIMAL_PRECISION 38
#define DEFAULT_DECIMAL_SCALE     9

static uint32_t parse_small_int(parser *p, uint32_t max, const char *what) {
    sql_token *t = cur(p);
    if (t->kind != TK_INTEGER) fail_expected(p, what);
    if (t->len > 9 || strtoul(t->value, NULL, 10) > max)
        fail_at(p, t, "parse.type", "%s must be at most %u, found %s", what, max, t->value);
    next(p);
    return (uint32_t)strtoul(t->value, NULL, 10);
}

static sql_type_name *parse_type(parser *p) {
    enter(p);
    sql_token *t = cur(p);
    if (t->kind != TK_WORD) fail_expected(p, "a type");
    sql_type_name *ty = NEW(p, sql_type_name);
    ty->pos = t->pos;
    ty->written = dup(p, tok_text(p, t), t->len);
    bool found = false;
    for (size_t k = 0; k < sizeof type_names / sizeof *type_names; k++)
        if (is_kw(p, t, type_names[k].name)) {
            ty->type = velo_type_make(type_names[k].id);
            found = true;
        }
    if (!found)
        fail_at(
            p, t, "parse.type",
            "unknown type '%s'; expected BOOLEAN, INTEGER, BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR, TIMESTAMP, "
            "DATE, INTERVAL, ARRAY<T> or MAP<K,V>",
            ty->written);
    next(p);
    velo_type_id id = ty->type.id;
    if (id == VELO_TYPE_DECIMAL) {
        ty->type = velo_type_decimal(DEFAULT_DECIMAL_PRECISION, DEFAULT_DECIMAL_SCALE);
        if (accept(p, TK_LPAREN)) {
            ty->has_params = true;
            sql_token *pt = cur(p);
            uint32_t prec = parse_small_int(p, VELO_DECIMAL_MAX_PRECISION, "DECIMAL precision");
            uint32_t scale = 0;
            if (prec == 0) fail_at(p, pt, "parse.type", "DECIMAL precision must be 1 to 38");
            if (accept(p, TK_COMMA)) {
                sql_token *st = cur(p);
                scale = parse_small_int(p, VELO_DECIMAL_MAX_PRECISION, "DECIMAL scale");
                if (scale > prec)
                    fail_at(p, st, "parse.type", "DECIMAL scale %u exceeds precision %u", scale, prec);
            }
            ty->type = velo_type_decimal((uint8_t)prec, (uint8_t)scale);
            expect(p, TK_RPAREN);
        }
    } else if (id == VELO_TYPE_VARCHAR && at(p, TK_LPAREN)) {
        next(p);
        ty->has_params = true;
        ty->length = parse_small_int(p, 1u << 30, "VARCHAR length");
        expect(p, TK_RPAREN);
    } else if (id == VELO_TYPE_LIST || id == VELO_TYPE_MAP) {
        /* ARRAY<T> / MAP<K, V>, also written with parentheses by the original dialect */
        bool angle = at(p, TK_LT);
        if (!angle && !at(p, TK_LPAREN))
            fail_expected(p, id == VELO_TYPE_LIST ? "'<' element type" : "'<' key type");
        next(p);
        if (id == VELO_TYPE_MAP) {
            ty->key = parse_type(p);
            expect(p, TK_COMMA);
        }
        ty->elem = parse_type(p);
        expect(p, angle ? TK_GT : TK_RPAREN);
    }
    leave(p);
    return ty;
}

/* ---- queries ---- */

static void parse_props(parser *p, sql_props *out) {
    expect(p, TK_LPAREN);
    vec v = {0};
    if (!at(p, TK_RPAREN)) {
        do {
            sql_prop *pr = PUSH(p, &v, sql_prop);
            pr->pos = cur(p)->pos;
            pr->key = parse_string(p, "a property name in quotes ('key')");
            expect(p, TK_EQ);
            sql_token *t = cur(p);
            if (t->kind == TK_STRING)
                pr->value = t->value;
            else if (t->kind == TK_INTEGER || t->kind == TK_DECIMAL || t->kind == TK_DOUBLE ||
                     t->kind == TK_WORD || t->kind == TK_DURATION)
                pr->value = dup(p, tok_text(p, t), t->len);
            else
                fail_expected(p, "a property value ('value')");
            next(p);
        } while (accept(p, TK_COMMA));
    }
    expect(p, TK_RPAREN);
    out->items = v.items;
    out->count = v.n;
}

static void parse_source(parser *p, sql_source *src) {
    sql_token *t = cur(p);
    src->pos = t->pos;
    if (t->kind == TK_STRING) {
        src->kind = SQL_SOURCE_URI;
        src->uri = t->value;
        next(p);
    } else if (t->kind == TK_LPAREN) {
        next(p);
        src->kind = SQL_SOURCE_SUBQUERY;
        src->query = parse_query(p);
        expect(p, TK_RPAREN);
    } else if (at_ident(p)) {
        src->kind = SQL_SOURCE_NAME;
        src->name = parse_ident(p);
    } else {
        fail_expected(p, "a stream name, 'uri' or (subquery)");
    }
    if (accept_kw(p, "AS")) {
        src->alias = parse_ident(p);
    } else if (at_implicit_alias(p)) {
        p->alias_tok = p->i;
        src->alias = parse_ident(p);
    }
}

static bool parse_join_kind(parser *p, sql_join_kind *kind) {
    if (accept_kw(p, "JOIN")) return *kind = SQL_JOIN_INNER, true;
    if (at_kw(p, "INNER"))
        *kind = SQL_JOIN_INNER;
    else if (at_kw(p, "LEFT"))
        *kind = SQL_JOIN_LEFT;
    else if (at_kw(p, "RIGHT"))
        *kind = SQL_JOIN_RIGHT;
    else if (at_kw(p, "FULL"))
        *kind = SQL_JOIN_FULL;
    else
        return false;
    next(p);
    if (*kind != SQL_JOIN_INNER) accept_kw(p, "OUTER");
    expect_kw(p, "JOIN");
    return true;
}

static sql_window *parse_window(parser *p) {
    sql_window *w = NEW(p, sql_window);
    sql_token *k = cur(p);
    w->pos = k->pos;
    uint32_t min_args, max_args;
    if (accept_kw(p, "TUMBLING"))
        w->kind = SQL_WINDOW_TUMBLING, min_args = 1, max_args = 2;
    else if (accept_kw(p, "SLIDING"))
        w->kind = SQL_WINDOW_SLIDING, min_args = 2, max_args = 3;
    else if (accept_kw(p, "SESSION"))
        w->kind = SQL_WINDOW_SESSION, min_args = 1, max_args = 3;
    else
        fail_expected(p, "TUMBLING, SLIDING or SESSION");
    sql_token *open = cur(p);
    expect(p, TK_LPAREN);
    uint32_t n;
    sql_expr **a = expr_list(p, &n);
    if (n < min_args || n > max_args)
        fail_at(p, open, "parse.window", "%s takes %s, found %u argument%s",
                w->kind == SQL_WINDOW_TUMBLING  ? "TUMBLING"
                : w->kind == SQL_WINDOW_SLIDING ? "SLIDING"
                                                : "SESSION",
                w->kind == SQL_WINDOW_TUMBLING  ? "([time_column,] size)"
                : w->kind == SQL_WINDOW_SLIDING ? "([time_column,] size, advance)"
                                                : "([time_column,] gap [, key])",
                n, n == 1 ? "" : "s");
    expect(p, TK_RPAREN);
    switch (w->kind) {
    case SQL_WINDOW_TUMBLING:
        if (n == 2) w->time_column = a[0];
        w->size = a[n - 1];
        break;
    case SQL_WINDOW_SLIDING:
        if (n == 3) w->time_column = a[0];
        w->size = a[n - 2];
        w->advance = a[n - 1];
        break;
    case SQL_WINDOW_SESSION:
        if (n >= 2) w->time_column = a[0];
        w->size = a[n == 1 ? 0 : 1];
        if (n == 3) w->session_key = a[2];
        break;
    }
    return w;
}

/* Words that can end a select list. Anything else after the last item is a mistake. */
static bool at_select_list_end(parser *p) {
    static const char *const follow[] = {"FROM",  "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER",
                                         "LIMIT", "UNION", "INTO",  "EMIT",   "WITH",   "STRATEGY"};
    sql_token *t = cur(p);
    if (t->kind == TK_EOF || t->kind == TK_SEMI || t->kind == TK_RPAREN) return true;
    return t->kind == TK_WORD && word_in(tok_text(p, t), t->len, follow, sizeof follow / sizeof *follow);
}

static sql_select *parse_select(parser *p) {
    enter(p);
    sql_select *s = NEW(p, sql_select);
    s->pos = cur(p)->pos;
    expect_kw(p, "SELECT");
    if (accept_kw(p, "DISTINCT"))
        s->distinct = true;
    else
        accept_kw(p, "ALL");
    vec items = {0};
    do {
        sql_select_item *it = PUSH(p, &items, sql_select_item);
        it->pos = cur(p)->pos;
        if (at(p, TK_STAR)) {
            it->expr = new_expr(p, SQL_EXPR_STAR, cur(p)->pos);
            next(p);
        } else {
            it->expr = parse_expr(p);
        }
        if (accept_kw(p, "AS")) {
            it->alias = parse_ident(p);
        } else if (at_implicit_alias(p)) {
            p->alias_tok = p->i;
            it->alias = parse_ident(p);
        }
        if (at_kw(p, "PRIMARY") && is_kw(p, peek(p, 1), "KEY")) {
            next(p);
            next(p);
            it->primary_key = true;
        }
    } while (accept(p, TK_COMMA));
    s->items = items.items;
    s->nitems = items.n;
    if (!at_select_list_end(p)) {
        const char *kw = misspelled_keyword(p, cur(p));
        fail_expected(p, kw ? kw : "',' or FROM");
    }
    if (accept_kw(p, "FROM")) {
        s->from = NEW(p, sql_source);
        parse_source(p, s->from);
        vec joins = {0};
        sql_join_kind kind;
        for (;;) {
            sql_token *jt = cur(p);
            if (!parse_join_kind(p, &kind)) break;
            sql_join *j = PUSH(p, &joins, sql_join);
            j->pos = jt->pos;
            j->kind = kind;
            parse_source(p, &j->source);
            expect_kw(p, "ON");
            j->on = parse_expr(p);
            if (accept_kw(p, "WITHIN")) j->within = parse_prec(p, PREC_ADD);
        }
        s->joins = joins.items;
        s->njoins = joins.n;
    }
    /* WHERE, GROUP BY, HAVING and WINDOW in any order: the original dialect writes WINDOW after
     * GROUP BY and HAVING after WINDOW */
    for (;;) {
        sql_token *t = cur(p);
        if (accept_kw(p, "WHERE")) {
            if (s->where) fail_at(p, t, "parse.duplicate", "WHERE given twice");
            s->where = parse_expr(p);
        } else if (at_kw(p, "GROUP")) {
            if (s->ngroup) fail_at(p, t, "parse.duplicate", "GROUP BY given twice");
            next(p);
            expect_kw(p, "BY");
            s->group_by = expr_list(p, &s->ngroup);
        } else if (accept_kw(p, "HAVING")) {
            if (s->having) fail_at(p, t, "parse.duplicate", "HAVING given twice");
            s->having = parse_expr(p);
        } else if (accept_kw(p, "WINDOW")) {
            if (s->window) fail_at(p, t, "parse.duplicate", "WINDOW given twice");
            s->window = parse_window(p);
        } else {
            break;
        }
    }
    leave(p);
    return s;
}

static sql_query *parse_query(parser *p) {
    enter(p);
    sql_query *q = NEW(p, sql_query);
    q->pos = cur(p)->pos;
    if (at_kw(p, "WITH")) {
        next(p);
        vec ctes = {0};
        do {
            sql_cte *c = PUSH(p, &ctes, sql_cte);
            c->pos = cur(p)->pos;
            c->name = parse_ident(p);
            expect_kw(p, "AS");
            expect(p, TK_LPAREN);
            c->query = parse_query(p);
            expect(p, TK_RPAREN);
        } while (accept(p, TK_COMMA));
        q->ctes = ctes.items;
        q->nctes = ctes.n;
    }
    vec sels = {0}, alls = {0};
    *PUSH(p, &sels, sql_select *) = parse_select(p);
    while (accept_kw(p, "UNION")) {
        *PUSH(p, &alls, bool) = accept_kw(p, "ALL");
        if (!*((bool *)alls.items + alls.n - 1)) accept_kw(p, "DISTINCT");
        *PUSH(p, &sels, sql_select *) = parse_select(p);
    }
    q->selects = sels.items;
    q->nselects = sels.n;
    q->union_all = alls.items;
    bool seen_emit = false, seen_into = false, seen_with = false, seen_limit = false;
    for (;;) {
        sql_token *t = cur(p);
        if (at_kw(p, "ORDER")) {
            if (q->norder) fail_at(p, t, "parse.duplicate", "ORDER BY given twice");
            next(p);
            expect_kw(p, "BY");
            q->order_by = parse_order_list(p, &q->norder);
        } else if (accept_kw(p, "LIMIT")) {
            if (seen_limit) fail_at(p, t, "parse.duplicate", "LIMIT given twice");
            seen_limit = true;
            q->limit = parse_expr(p);
        } else if (accept_kw(p, "EMIT")) {
            if (seen_emit) fail_at(p, t, "parse.duplicate", "EMIT given twice");
            seen_emit = true;
            if (accept_kw(p, "CHANGES"))
                q->emit = SQL_EMIT_CHANGES;
            else if (accept_kw(p, "FINAL"))
                q->emit = SQL_EMIT_FINAL;
            else
                fail_expected(p, "CHANGES or FINAL");
        } else if (accept_kw(p, "INTO")) {
            if (seen_into) fail_at(p, t, "parse.duplicate", "INTO given twice");
            seen_into = true;
            if (at(p, TK_STRING)) {
                q->into = cur(p)->value;
                q->into_is_uri = true;
                next(p);
            } else if (at_ident(p)) {
                q->into = parse_ident(p);
            } else {
                fail_expected(p, "a sink 'uri' or name");
            }
        } else if (at_kw(p, "WITH") && peek(p, 1)->kind == TK_LPAREN) {
            if (seen_with) fail_at(p, t, "parse.duplicate", "WITH (...) given twice");
            seen_with = true;
            next(p);
            parse_props(p, &q->with);
        } else {
            break;
        }
    }
    leave(p);
    return q;
}

/* ---- statements ---- */

static sql_stmt *parse_stmt(parser *p);

static void parse_column_defs(parser *p, sql_stmt *st) {
    expect(p, TK_LPAREN);
    vec cols = {0};
    do {
        if (at_kw(p, "PRIMARY") && is_kw(p, peek(p, 1), "KEY")) {
            if (st->nprimary_key) fail_at(p, cur(p), "parse.duplicate", "PRIMARY KEY given twice");
            next(p);
            next(p);
            expect(p, TK_LPAREN);
            vec keys = {0};
            do
                *PUSH(p, &keys, char *) = parse_ident(p);
            while (accept(p, TK_COMMA));
            expect(p, TK_RPAREN);
            st->primary_key = keys.items;
            st->nprimary_key = keys.n;
            continue;
        }
        sql_column_def *c = PUSH(p, &cols, sql_column_def);
        c->pos = cur(p)->pos;
        c->name = parse_ident(p);
        c->type = parse_type(p);
        for (;;) {
            if (at_kw(p, "NOT") && is_kw(p, peek(p, 1), "NULL")) {
                next(p);
                next(p);
                c->not_null = true;
            } else if (at_kw(p, "PRIMARY") && is_kw(p, peek(p, 1), "KEY")) {
                next(p);
                next(p);
                c->primary_key = true;
            } else {
                break;
            }
        }
    } while (accept(p, TK_COMMA));
    expect(p, TK_RPAREN);
    st->columns = cols.items;
    st->ncolumns = cols.n;
}

static void parse_create(parser *p, sql_stmt *st) {
    next(p); /* CREATE */
    if (accept_kw(p, "TABLE"))
        st->is_table = true;
    else
        expect_kw(p, "STREAM");
    if (at_kw(p, "IF")) {
        next(p);
        expect_kw(p, "NOT");
        expect_kw(p, "EXISTS");
        st->if_exists = true;
    }
    st->name = parse_ident(p);
    if (at(p, TK_LPAREN)) parse_column_defs(p, st);
    if (accept_kw(p, "AS")) {
        st->kind = st->is_table ? SQL_STMT_CREATE_TABLE_AS : SQL_STMT_CREATE_STREAM_AS;
        st->query = parse_query(p);
    } else if (at_kw(p, "WITH") && peek(p, 1)->kind == TK_LPAREN) {
        st->kind = SQL_STMT_CREATE_SOURCE;
        next(p);
        parse_props(p, &st->with);
    } else {
        fail_expected(p, st->ncolumns ? "AS or WITH" : "AS");
    }
}

static void parse_insert(parser *p, sql_stmt *st) {
    next(p);
    expect_kw(p, "INTO");
    st->name = parse_ident(p);
    if (accept(p, TK_LPAREN)) {
        vec cols = {0};
        do {
            sql_column_def *c = PUSH(p, &cols, sql_column_def);
            c->pos = cur(p)->pos;
            c->name = parse_ident(p);
        } while (accept(p, TK_COMMA));
        expect(p, TK_RPAREN);
        st->columns = cols.items;
        st->ncolumns = cols.n;
    }
    if (accept_kw(p, "VALUES")) {
        vec rows = {0};
        do {
            sql_token *open = cur(p);
            expect(p, TK_LPAREN);
            uint32_t n;
            sql_expr **row = expr_list(p, &n);
            expect(p, TK_RPAREN);
            if (rows.n && n != st->nvalues_cols)
                fail_at(p, open, "parse.values", "VALUES row has %u values, the first row has %u", n,
                        st->nvalues_cols);
            st->nvalues_cols = n;
            *PUSH(p, &rows, sql_expr **) = row;
        } while (accept(p, TK_COMMA));
        st->values_rows = rows.items;
        st->nvalues_rows = rows.n;
    } else if (at_query_start(p)) {
        st->query = parse_query(p);
    } else {
        fail_expected(p, "SELECT or VALUES");
    }
}

static void parse_set(parser *p, sql_stmt *st) {
    next(p);
    sql_prop *pr = NEW(p, sql_prop);
    pr->pos = cur(p)->pos;
    if (at(p, TK_STRING)) {
        pr->key = cur(p)->value;
        next(p);
    } else {
        /* SET batch.size = 100: a dotted name written without quotes */
        sql_token *first = cur(p);
        if (first->kind != TK_WORD) fail_expected(p, "a setting name");
        next(p);
        while (at(p, TK_DOT) && peek(p, 1)->kind == TK_WORD) {
            next(p);
            next(p);
        }
        sql_token *last = &p->toks[p->i - 1];
        pr->key = dup(p, tok_text(p, first), last->pos.offset + last->len - first->pos.offset);
    }
    if (!accept(p, TK_EQ)) expect_kw(p, "TO");
    sql_token *t = cur(p);
    if (t->kind == TK_STRING)
        pr->value = t->value;
    else if (t->kind == TK_WORD || t->kind == TK_INTEGER || t->kind == TK_DECIMAL || t->kind == TK_DOUBLE ||
             t->kind == TK_DURATION)
        pr->value = dup(p, tok_text(p, t), t->len);
    else
        fail_expected(p, "a value");
    next(p);
    st->with.items = pr;
    st->with.count = 1;
}

/* STRATEGY BLUE_GREEN | CANARY(25) | ROLLING: kept as canonical text */
static char *parse_strategy(parser *p) {
    sql_token *t = cur(p);
    if (t->kind != TK_WORD) fail_expected(p, "a deployment strategy");
    next(p);
    if (!accept(p, TK_LPAREN)) return dup_upper(p, tok_text(p, t), t->len);
    sql_token *n = cur(p);
    expect(p, TK_INTEGER);
    expect(p, TK_RPAREN);
    char buf[96];
    snprintf(buf, sizeof buf, "%.*s(%.*s)", (int)(t->len < 40 ? t->len : 40), tok_text(p, t),
             (int)(n->len < 40 ? n->len : 40), tok_text(p, n));
    return dup_upper(p, buf, strlen(buf));
}

static void parse_job(parser *p, sql_stmt *st) {
    sql_token *verb = cur(p);
    next(p);
    expect_kw(p, "JOB");
    st->name = parse_ident(p);
    if (is_kw(p, verb, "START")) {
        st->kind = SQL_STMT_START_JOB;
        expect_kw(p, "AS");
        st->query = parse_query(p);
    } else if (is_kw(p, verb, "STOP")) {
        st->kind = SQL_STMT_STOP_JOB;
        st->force = accept_kw(p, "FORCE");
    } else if (is_kw(p, verb, "PAUSE")) {
        st->kind = SQL_STMT_PAUSE_JOB;
    } else if (is_kw(p, verb, "RESUME")) {
        st->kind = SQL_STMT_RESUME_JOB;
    } else if (is_kw(p, verb, "ROLLBACK")) {
        st->kind = SQL_STMT_ROLLBACK_JOB;
        if (accept_kw(p, "VERSION")) st->version = parse_string(p, "a version string ('1.0.0')");
    } else { /* DEPLOY */
        st->kind = SQL_STMT_DEPLOY_JOB;
        expect_kw(p, "VERSION");
        st->version = parse_string(p, "a version string ('1.0.0')");
        expect_kw(p, "AS");
        if (at_kw(p, "CREATE")) {
            st->explained = parse_stmt(p);
            st->query = st->explained->query;
        } else {
            st->query = parse_query(p);
        }
        if (accept_kw(p, "STRATEGY")) st->strategy = parse_strategy(p);
    }
}

static sql_stmt *parse_stmt(parser *p) {
    enter(p);
    sql_token *t = cur(p);
    sql_stmt *st = NEW(p, sql_stmt);
    st->pos = t->pos;
    st->text_start = t->pos.offset;
    if (at_query_start(p) || (t->kind == TK_LPAREN && is_kw(p, peek(p, 1), "SELECT"))) {
        st->kind = SQL_STMT_SELECT;
        if (t->kind == TK_LPAREN) {
            next(p);
            st->query = parse_query(p);
            expect(p, TK_RPAREN);
        } else {
            st->query = parse_query(p);
        }
    } else if (is_kw(p, t, "CREATE")) {
        parse_create(p, st);
    } else if (is_kw(p, t, "INSERT")) {
        st->kind = SQL_STMT_INSERT;
        parse_insert(p, st);
    } else if (is_kw(p, t, "DROP")) {
        st->kind = SQL_STMT_DROP;
        next(p);
        if (accept_kw(p, "TABLE"))
            st->is_table = true;
        else
            expect_kw(p, "STREAM");
        if (accept_kw(p, "IF")) {
            expect_kw(p, "EXISTS");
            st->if_exists = true;
        }
        st->name = parse_ident(p);
    } else if (is_kw(p, t, "SHOW")) {
        st->kind = SQL_STMT_SHOW;
        next(p);
        sql_token *w = cur(p);
        if (w->kind != TK_WORD) fail_expected(p, "STREAMS, TABLES, JOBS, TOPICS, FUNCTIONS or SCHEMA");
        st->show_what = dup_upper(p, tok_text(p, w), w->len);
        next(p);
        if (at_ident(p))
            st->name = parse_ident(p);
        else if (strcmp(st->show_what, "SCHEMA") == 0)
            fail_expected(p, "identifier");
    } else if (is_kw(p, t, "DESCRIBE") || is_kw(p, t, "DESC")) {
        st->kind = SQL_STMT_DESCRIBE;
        next(p);
        st->name = parse_ident(p);
    } else if (is_kw(p, t, "EXPLAIN")) {
        st->kind = SQL_STMT_EXPLAIN;
        next(p);
        st->explained = parse_stmt(p);
    } else if (is_kw(p, t, "SET")) {
        st->kind = SQL_STMT_SET;
        parse_set(p, st);
    } else if (is_kw(p, t, "START") || is_kw(p, t, "STOP") || is_kw(p, t, "PAUSE") || is_kw(p, t, "RESUME") ||
               is_kw(p, t, "DEPLOY") || is_kw(p, t, "ROLLBACK")) {
        parse_job(p, st);
    } else if (is_kw(p, t, "UPDATE")) {
        st->kind = SQL_STMT_UPDATE;
        next(p);
        st->name = parse_ident(p);
        expect_kw(p, "SET");
        vec cols = {0}, vals = {0};
        do {
            *PUSH(p, &cols, char *) = parse_ident(p);
            expect(p, TK_EQ);
            *PUSH(p, &vals, sql_expr *) = parse_expr(p);
        } while (accept(p, TK_COMMA));
        st->set_columns = cols.items;
        st->set_values = vals.items;
        st->nset = cols.n;
        if (accept_kw(p, "WHERE")) st->where = parse_expr(p);
    } else if (is_kw(p, t, "DELETE")) {
        st->kind = SQL_STMT_DELETE;
        next(p);
        expect_kw(p, "FROM");
        st->name = parse_ident(p);
        if (accept_kw(p, "WHERE")) st->where = parse_expr(p);
    } else {
        fail_expected(
            p, "a statement (SELECT, CREATE, INSERT, DROP, SHOW, DESCRIBE, EXPLAIN, SET or a JOB command)");
    }
    sql_token *last = &p->toks[p->i ? p->i - 1 : 0];
    st->text_end = last->pos.offset + last->len;
    leave(p);
    return st;
}

/* Annotations (-- @name: value) between the previous statement and this one belong to it. */
static void attach_annotations(parser *p, sql_stmt *st, const sql_tokens *tk, uint32_t *next_ann) {
    uint32_t first = *next_ann, k = first;
    while (k < tk->nannotations && tk->annotations[k].offset < st->text_start)
        k++;
    *next_ann = k;
    while (*next_ann < tk->nannotations && tk->annotations[*next_ann].offset < st->text_end)
        (*next_ann)++;
    if (k == first) return;
    st->annotations = alloc(p, sizeof(sql_annotation) * (k - first));
    for (uint32_t j = first; j < k; j++)
        st->annotations[j - first] = tk->annotations[j].a;
    st->nannotations = k - first;
}

velo_sql_script *velo_sql_parse(const char *file, const char *text, size_t len, velo_diags *diags) {
    velo_sql_script *s = mi_zalloc(sizeof *s);
    if (!s) return NULL;
    velo_arena_init(&s->arena, 0);
    s->file = file;
    s->text = text;
    if (len > UINT32_MAX - 1) {
        velo_diags_add(diags, VELO_SEV_ERROR, "parse.too_large", 0, 0, "script larger than 4 GiB");
        return s;
    }
    s->text_len = (uint32_t)len;
    sql_tokens tk;
    if (!velo_sql_lex(text, (uint32_t)len, &s->arena, diags, &tk)) {
        velo_sql_script_free(s);
        return NULL;
    }
    /* the parser state lives on the heap: it is modified between setjmp and longjmp */
    parser *p = mi_zalloc(sizeof *p);
    if (!p) {
        velo_sql_script_free(s);
        return NULL;
    }
    *p = (parser){.s = s,
                  .a = &s->arena,
                  .d = diags,
                  .text = text,
                  .toks = tk.items,
                  .ntoks = tk.count,
                  .alias_tok = UINT32_MAX};
    while (p->toks[p->i].kind != TK_EOF) {
        if (p->toks[p->i].kind == TK_SEMI) {
            p->i++;
            continue;
        }
        uint32_t start = p->i;
        if (setjmp(p->jb) == 0) {
            sql_stmt *st = parse_stmt(p);
            if (!at(p, TK_SEMI) && !at(p, TK_EOF)) {
                if (is_clause_keyword(p, cur(p))) {
                    char found[64];
                    describe(p, cur(p), found, sizeof found);
                    fail_at(
                        p, cur(p), "parse.expected",
                        "expected ';' or end of input, found %s: clauses go in the order FROM, JOIN, WHERE, "
                        "GROUP BY, HAVING, WINDOW, UNION, ORDER BY, LIMIT, EMIT, INTO, WITH (...)",
                        found);
                }
                const char *kw = misspelled_keyword(p, cur(p));
                fail_expected(p, kw ? kw : "';' or end of input");
            }
            attach_annotations(p, st, &tk, &p->next_ann);
            *PUSH(p, &p->stmts, sql_stmt *) = st;
        } else {
            if (p->oom) {
                mi_free(p);
                velo_sql_script_free(s);
                return NULL;
            }
            /* recovery: drop this statement, go on after the next ';' */
            p->depth = 0;
            if (p->i == start) p->i++;
            while (p->toks[p->i].kind != TK_EOF && p->toks[p->i].kind != TK_SEMI)
                p->i++;
        }
    }
    s->stmts = p->stmts.items;
    s->nstmts = p->stmts.n;
    mi_free(p);
    return s;
}

void velo_sql_script_free(velo_sql_script *script) {
    if (!script) return;
    velo_arena_free(&script->arena);
    mi_free(script);
}

const char *velo_sql_server_statement(sql_stmt_kind k) {
    switch (k) {
    case SQL_STMT_SHOW: return "SHOW";
    case SQL_STMT_DESCRIBE: return "DESCRIBE";
    case SQL_STMT_DROP: return "DROP";
    case SQL_STMT_STOP_JOB: return "STOP JOB";
    case SQL_STMT_PAUSE_JOB: return "PAUSE JOB";
    case SQL_STMT_RESUME_JOB: return "RESUME JOB";
    case SQL_STMT_ROLLBACK_JOB: return "ROLLBACK JOB";
    default: return NULL;
    }
}
