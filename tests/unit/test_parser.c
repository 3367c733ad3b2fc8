/* Tests of the SQL front end: lexer, parser, error messages and recovery, rendering with a caret,
 * the canonical printer's round trip, and durations. Round trips also run over the original
 * README's queries and the compat cases' SQL (tests/compat, copied from the shared compat data). */
#include <criterion/criterion.h>

#include "corpus.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/parser.h"

#ifndef VELO_SHARED_DIR
#define VELO_SHARED_DIR VELO_SOURCE_DIR "/tests/compat"
#endif

typedef struct parsed {
    velo_diags d;
    velo_sql_script *s;
} parsed;

static parsed parse(const char *sql) {
    parsed p;
    velo_diags_init(&p.d);
    p.s = velo_sql_parse("q.sql", sql, strlen(sql), &p.d);
    cr_assert_not_null(p.s);
    return p;
}

static void done(parsed *p) {
    velo_sql_script_free(p->s);
    velo_diags_free(&p->d);
}

static void print_script(const velo_sql_script *s, velo_strbuf *o) {
    for (uint32_t i = 0; i < s->nstmts; i++) {
        velo_sql_print_stmt(s->stmts[i], o);
        velo_strbuf_puts(o, ";\n");
    }
}

/* parse -> print -> parse -> print: both prints equal, no errors; returns the canonical text */
static char *roundtrip_text(const char *sql, const char *label) {
    parsed a = parse(sql);
    velo_strbuf d1;
    velo_strbuf_init(&d1);
    velo_diags_render(&a.d, label, sql, (uint32_t)strlen(sql), &d1);
    cr_assert_eq(a.d.nerrors, 0, "%s: %s", label, d1.data);
    velo_strbuf_free(&d1);
    velo_strbuf p1, p2;
    velo_strbuf_init(&p1);
    velo_strbuf_init(&p2);
    print_script(a.s, &p1);
    parsed b = parse(p1.data ? p1.data : "");
    velo_strbuf d2;
    velo_strbuf_init(&d2);
    velo_diags_render(&b.d, "printed", p1.data, (uint32_t)p1.len, &d2);
    cr_assert_eq(b.d.nerrors, 0, "%s: printed text does not parse: %s\n%s", label, p1.data, d2.data);
    velo_strbuf_free(&d2);
    cr_assert_eq(b.s->nstmts, a.s->nstmts, "%s", label);
    print_script(b.s, &p2);
    cr_assert_str_eq(p1.data ? p1.data : "", p2.data ? p2.data : "", "%s: round trip differs", label);
    char *out = strdup(p1.data ? p1.data : "");
    velo_strbuf_free(&p1);
    velo_strbuf_free(&p2);
    done(&a);
    done(&b);
    return out;
}

static void roundtrip(const char *sql) { free(roundtrip_text(sql, sql)); }

/* canonical text of a single statement (without the trailing ";\n") */
static void expect_canonical(const char *sql, const char *want) {
    char *got = roundtrip_text(sql, sql);
    size_t n = strlen(got);
    if (n >= 2) got[n - 2] = 0;
    cr_assert_str_eq(got, want, "canonical form of: %s", sql);
    free(got);
}

static void expect_error(const char *sql, uint32_t line, uint32_t col, const char *message) {
    parsed p = parse(sql);
    cr_assert_geq(p.d.nerrors, 1, "no error for: %s", sql);
    cr_assert_str_eq(p.d.items[0].message, message, "for: %s", sql);
    cr_assert_eq(p.d.items[0].line, line, "line for: %s (got %u)", sql, p.d.items[0].line);
    cr_assert_eq(p.d.items[0].col, col, "col for: %s (got %u)", sql, p.d.items[0].col);
    done(&p);
}

static const sql_expr *first_item(const velo_sql_script *s) {
    return s->stmts[0]->query->selects[0]->items[0].expr;
}

/* ---- errors ---- */

Test(parser, misspelled_from_after_item_names_from) {
    expect_error("SELECT a FORM t", 1, 10, "expected FROM, found 'FORM'");
    expect_error("CREATE STREAM s AS SELECT a FORM 'file://x'", 1, 29, "expected FROM, found 'FORM'");
}

Test(parser, error_names_expected_token_and_found_text) {
    expect_error("SELECT * FROM t WHERE price BETWEEN 10 100", 1, 40, "expected AND, found '100'");
    expect_error("SELECT * FROM t WHERE", 1, 22, "expected an expression, found end of input");
    expect_error("SELECT CASE WHEN a = 1 FROM t", 1, 24, "expected THEN, found 'FROM'");
    expect_error("SELECT a FROM t EMIT SOON", 1, 22, "expected CHANGES or FINAL, found 'SOON'");
    expect_error("CREATE STREAM s SELECT * FROM t", 1, 17, "expected AS, found 'SELECT'");
    expect_error("CREATE STREAM s AS", 1, 19, "expected SELECT, found end of input");
    expect_error("PAUSE test", 1, 7, "expected JOB, found 'test'");
    expect_error("SELECT f(a FROM t", 1, 12, "expected ')', found 'FROM'");
    expect_error("SELECT a FROM 'x' GRUOP BY a", 1, 19, "expected GROUP, found 'GRUOP'");
}

Test(parser, reserved_word_as_column_suggests_quoting) {
    expect_error(
        "SELECT a, order FROM t", 1, 11,
        "expected an expression, found 'order' (ORDER is a reserved word; to use it as a name, quote it: "
        "\"order\")");
    parsed p = parse("SELECT a, \"order\" FROM t");
    cr_assert_eq(p.d.nerrors, 0);
    done(&p);
}

Test(parser, string_token_is_shown_with_its_own_quotes) {
    expect_error("SELECT a b 'x' FROM t", 1, 12, "expected ',' or FROM, found 'x'");
}

Test(parser, errors_carry_line_and_utf8_column) {
    expect_error("SELECT\n  'é', a FORM t", 2, 10, "expected FROM, found 'FORM'");
    expect_error("SELECT 'ü' + ", 1, 14, "expected an expression, found end of input");
}

Test(parser, recovery_reports_one_error_per_bad_statement) {
    parsed p = parse("SELECT a FORM t;\nSELECT ok FROM t;\nSELECT b FROM t WHERE;\nSHOW STREAMS");
    cr_assert_eq(p.d.nerrors, 2);
    cr_assert_eq(p.d.items[0].line, 1);
    cr_assert_eq(p.d.items[1].line, 3);
    cr_assert_eq(p.s->nstmts, 2, "the good statements are kept");
    cr_assert_eq(p.s->stmts[1]->kind, SQL_STMT_SHOW);
    done(&p);
}

Test(parser, lexical_errors_have_positions) {
    expect_error("SELECT 'abc", 1, 8, "unterminated string: missing closing quote (')");
    expect_error("SELECT a /* x", 1, 10, "unterminated comment: '/*' has no matching '*/'");
    expect_error("SELECT \xff", 1, 8, "invalid UTF-8 byte 0xFF");
    expect_error("SELECT a ? b", 1, 10, "unexpected character '?'");
    parsed p = parse("SELECT 'abc");
    cr_assert_eq(p.d.nerrors, 1, "the parser does not repeat the lexer's error");
    done(&p);
}

Test(parser, interval_value_must_be_a_number) {
    expect_error("SELECT INTERVAL 'abc' MINUTES FROM t", 1, 17,
                 "invalid interval value 'abc': expected a number, e.g. INTERVAL '5' MINUTE");
}

Test(parser, unknown_type_is_named) {
    parsed p = parse("CREATE STREAM t (id INVALID_TYPE) AS SELECT * FROM o");
    cr_assert_eq(p.d.nerrors, 1);
    cr_assert(strstr(p.d.items[0].message, "unknown type 'INVALID_TYPE'"));
    done(&p);
    expect_error("CREATE STREAM t (id,) AS SELECT * FROM o", 1, 20, "expected a type, found ','");
}

Test(parser, window_needs_arguments) {
    expect_error("SELECT COUNT(*) FROM e WINDOW TUMBLING()", 1, 40, "expected an expression, found ')'");
    expect_error("SELECT COUNT(*) FROM e WINDOW SLIDING(1m)", 1, 38,
                 "SLIDING takes ([time_column,] size, advance), found 1 argument");
}

Test(parser, deep_nesting_is_an_error_not_a_crash) {
    char sql[4096] = "SELECT ";
    for (int i = 0; i < 1000; i++)
        strcat(sql, "(");
    parsed p = parse(sql);
    cr_assert_eq(p.d.nerrors, 1);
    cr_assert(strstr(p.d.items[0].message, "nested too deeply"));
    done(&p);
}

/* ---- rendering ---- */

Test(diag, render_puts_caret_under_utf8_column) {
    const char *sql = "SELECT 'é', a\n  FORM t";
    parsed p = parse("SELECT 'é', a FORM t");
    done(&p);
    velo_diags d;
    velo_diags_init(&d);
    velo_diags_add(&d, VELO_SEV_ERROR, "parse.expected", 1, 13, "expected FROM, found 'a'");
    velo_strbuf o;
    velo_strbuf_init(&o);
    velo_diag_render(&d.items[0], "q.sql", sql, (uint32_t)strlen(sql), &o);
    cr_assert_str_eq(o.data, "q.sql:1:13: error: expected FROM, found 'a'\n"
                             "    SELECT 'é', a\n"
                             "                ^\n");
    velo_strbuf_free(&o);
    velo_diags_free(&d);
}

Test(diag, render_keeps_tabs_in_caret_line) {
    const char *sql = "SELECT a\n\tFORM t";
    parsed p = parse(sql);
    velo_strbuf o;
    velo_strbuf_init(&o);
    velo_diags_render(&p.d, "q.sql", sql, (uint32_t)strlen(sql), &o);
    cr_assert_str_eq(o.data, "q.sql:2:2: error: expected FROM, found 'FORM'\n"
                             "    \tFORM t\n"
                             "    \t^\n");
    velo_strbuf_free(&o);
    done(&p);
}

Test(diag, to_error_maps_code_prefix) {
    velo_diags d;
    velo_diags_init(&d);
    velo_error err;
    cr_assert_eq(velo_diags_to_error(&d, &err), VELO_OK);
    velo_diags_add(&d, VELO_SEV_WARNING, "bind.unbounded", 1, 1, "warn");
    velo_diags_add(&d, VELO_SEV_ERROR, "bind.unknown_column", 3, 7, "unknown column 'x'");
    cr_assert_eq(velo_diags_to_error(&d, &err), VELO_ERR_BIND);
    cr_assert_eq(err.line, 3);
    cr_assert_eq(err.col, 7);
    cr_assert_str_eq(err.message, "unknown column 'x'");
    velo_diags_free(&d);
    velo_diags_init(&d);
    velo_diags_add(&d, VELO_SEV_ERROR, "parse.expected", 2, 4, "expected FROM, found 'FORM'");
    cr_assert_eq(velo_diags_to_error(&d, &err), VELO_ERR_PARSE);
    cr_assert_eq(err.code, VELO_ERR_PARSE);
    velo_diags_free(&d);
}

/* ---- lexing and trees ---- */

Test(parser, precedence_and_binds_tighter_than_or) {
    parsed p = parse("SELECT a OR b AND c");
    const sql_expr *e = first_item(p.s);
    cr_assert_eq(e->kind, SQL_EXPR_BINARY);
    cr_assert_eq(e->u.binary.op, SQL_OP_OR);
    cr_assert_eq(e->u.binary.right->u.binary.op, SQL_OP_AND);
    done(&p);
    expect_canonical("SELECT (a OR b) AND c", "SELECT (a OR b) AND c");
    expect_canonical("SELECT a OR (b AND c)", "SELECT a OR b AND c");
}

Test(parser, precedence_unary_minus_binds_tighter_than_mul) {
    parsed p = parse("SELECT -a*b");
    const sql_expr *e = first_item(p.s);
    cr_assert_eq(e->u.binary.op, SQL_OP_MUL);
    cr_assert_eq(e->u.binary.left->kind, SQL_EXPR_UNARY);
    cr_assert_eq(e->u.binary.left->u.unary.op, SQL_OP_NEG);
    done(&p);
    expect_canonical("SELECT -(a*b)", "SELECT -(a * b)");
    expect_canonical("SELECT - -a", "SELECT - -a");
    expect_canonical("SELECT a - (b - c), (a - b) - c", "SELECT a - (b - c), a - b - c");
}

Test(parser, precedence_concat_below_comparison_operands) {
    parsed p = parse("SELECT a||b = c");
    const sql_expr *e = first_item(p.s);
    cr_assert_eq(e->u.binary.op, SQL_OP_EQ);
    cr_assert_eq(e->u.binary.left->u.binary.op, SQL_OP_CONCAT);
    done(&p);
    expect_canonical("SELECT 'a' || 'b' + 'c'", "SELECT 'a' || 'b' + 'c'");
    expect_canonical("SELECT NOT a = b, (NOT a) = b", "SELECT NOT a = b, (NOT a) = b");
}

Test(parser, cast_and_postfix_bind_tightest) {
    parsed p = parse("SELECT -x::INT, m['k'][1], (f(x)).name, x BETWEEN 1 + 1 AND 5");
    const sql_select *s = p.s->stmts[0]->query->selects[0];
    cr_assert_eq(s->items[0].expr->kind, SQL_EXPR_UNARY);
    cr_assert_eq(s->items[0].expr->u.unary.arg->kind, SQL_EXPR_CAST);
    cr_assert_eq(s->items[1].expr->kind, SQL_EXPR_SUBSCRIPT);
    cr_assert_eq(s->items[1].expr->u.subscript.base->kind, SQL_EXPR_SUBSCRIPT);
    cr_assert_eq(s->items[2].expr->kind, SQL_EXPR_FIELD);
    cr_assert_str_eq(s->items[2].expr->u.field.name, "name");
    cr_assert_eq(s->items[3].expr->kind, SQL_EXPR_BETWEEN);
    done(&p);
    expect_canonical("select (-x)::int, (a+b)::decimal(10,2), cast(a as varchar(20))",
                     "SELECT (-x)::INT, (a + b)::DECIMAL(10,2), CAST(a AS VARCHAR(20))");
}

Test(parser, comments_are_skipped_and_annotations_kept) {
    parsed p =
        parse("-- @metric: trades_total\n-- plain comment\n/* block\n comment */ SELECT a -- tail\nFROM t");
    cr_assert_eq(p.d.nerrors, 0);
    cr_assert_eq(p.s->nstmts, 1);
    cr_assert_eq(p.s->stmts[0]->nannotations, 1);
    cr_assert_str_eq(p.s->stmts[0]->annotations[0].name, "metric");
    cr_assert_str_eq(p.s->stmts[0]->annotations[0].value, "trades_total");
    cr_assert_eq(p.s->stmts[0]->pos.line, 4);
    cr_assert_eq(p.s->stmts[0]->pos.col, 13);
    done(&p);
}

Test(parser, quoted_identifiers_keep_case_and_quote_when_printed) {
    parsed p = parse("SELECT \"A b\", `Sel\"x`, t.\"from\" FROM \"My Stream\" s");
    const sql_select *s = p.s->stmts[0]->query->selects[0];
    cr_assert_str_eq(s->items[0].expr->u.column.parts[0], "A b");
    cr_assert_str_eq(s->items[1].expr->u.column.parts[0], "Sel\"x");
    cr_assert_str_eq(s->items[2].expr->u.column.parts[1], "from");
    cr_assert_str_eq(s->from->name, "My Stream");
    cr_assert_str_eq(s->from->alias, "s");
    done(&p);
    expect_canonical("SELECT \"A b\", `Sel\"x`, t.\"from\", \"timestamp\" FROM \"My Stream\" s",
                     "SELECT \"A b\", \"Sel\"\"x\", t.\"from\", \"timestamp\" FROM \"My Stream\" AS s");
}

Test(parser, literals_keep_exact_text) {
    parsed p = parse("SELECT 123.4500, 1e-3, 99999999999999999999, 'it''s', 100ms, INTERVAL '90' SECOND, "
                     "DATE '2024-01-01', TIMESTAMP '2024-01-01 00:00:00', NULL, TRUE");
    const sql_select *s = p.s->stmts[0]->query->selects[0];
    cr_assert_eq(s->items[0].expr->u.lit.kind, SQL_LIT_DECIMAL);
    cr_assert_str_eq(s->items[0].expr->u.lit.text, "123.4500");
    cr_assert_eq(s->items[1].expr->u.lit.kind, SQL_LIT_DOUBLE);
    cr_assert_eq(s->items[2].expr->u.lit.kind, SQL_LIT_INTEGER);
    cr_assert_str_eq(s->items[3].expr->u.lit.text, "it's");
    cr_assert_eq(s->items[4].expr->u.lit.kind, SQL_LIT_INTERVAL);
    cr_assert(s->items[4].expr->u.lit.short_form);
    cr_assert_eq(s->items[4].expr->u.lit.unit, SQL_UNIT_MILLISECOND);
    cr_assert_eq(s->items[5].expr->u.lit.unit, SQL_UNIT_SECOND);
    cr_assert_eq(s->items[6].expr->u.lit.kind, SQL_LIT_DATE);
    cr_assert_eq(s->items[7].expr->u.lit.kind, SQL_LIT_TIMESTAMP);
    done(&p);
}

Test(parser, words_that_are_also_functions_or_columns) {
    expect_canonical("SELECT timestamp, TIMESTAMP(), date, JOIN(', ', a, b), LEFT(s, 2) FROM t",
                     "SELECT \"timestamp\", TIMESTAMP(), \"date\", JOIN(', ', a, b), LEFT(s, 2) FROM t");
}

/* ---- statements ---- */

Test(parser, every_statement_kind_parses_and_round_trips) {
    static const struct {
        const char *sql;
        sql_stmt_kind kind;
    } cases[] = {
        {"SELECT 1", SQL_STMT_SELECT},
        {"CREATE STREAM s (id BIGINT, px DECIMAL(18,4), PRIMARY KEY (id)) AS SELECT * FROM t INTO sink EMIT "
         "CHANGES WITH ('a.b' = 'c')",
         SQL_STMT_CREATE_STREAM_AS},
        {"CREATE TABLE tt AS SELECT k, COUNT(*) FROM t GROUP BY k", SQL_STMT_CREATE_TABLE_AS},
        {"CREATE STREAM trades (id INT NOT NULL PRIMARY KEY, sym STRING, tags ARRAY<VARCHAR>, m MAP(STRING, "
         "INT)) "
         "WITH ('uri' = 'kafka://h/t', 'batch.size' = 100)",
         SQL_STMT_CREATE_SOURCE},
        {"CREATE TABLE IF NOT EXISTS p (k VARCHAR, v DOUBLE, PRIMARY KEY (k)) WITH ('uri'='file:///x.csv')",
         SQL_STMT_CREATE_SOURCE},
        {"INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')", SQL_STMT_INSERT},
        {"INSERT INTO t SELECT * FROM u", SQL_STMT_INSERT},
        {"DROP STREAM IF EXISTS s", SQL_STMT_DROP},
        {"DROP TABLE t", SQL_STMT_DROP},
        {"SHOW STREAMS", SQL_STMT_SHOW},
        {"SHOW JOBS", SQL_STMT_SHOW},
        {"SHOW SCHEMA orders", SQL_STMT_SHOW},
        {"DESCRIBE orders", SQL_STMT_DESCRIBE},
        {"EXPLAIN SELECT a FROM t WHERE a > 1", SQL_STMT_EXPLAIN},
        {"SET 'batch.size' = '100'", SQL_STMT_SET},
        {"SET batch.size = 100", SQL_STMT_SET},
        {"START JOB j AS SELECT * FROM t WITH ('x' = 'y')", SQL_STMT_START_JOB},
        {"STOP JOB j FORCE", SQL_STMT_STOP_JOB},
        {"PAUSE JOB j", SQL_STMT_PAUSE_JOB},
        {"RESUME JOB j", SQL_STMT_RESUME_JOB},
        {"DEPLOY JOB j VERSION '1.2.0' AS SELECT * FROM t STRATEGY CANARY(25)", SQL_STMT_DEPLOY_JOB},
        {"DEPLOY JOB p VERSION '1.5.2' AS CREATE STREAM po AS SELECT * FROM o STRATEGY ROLLING",
         SQL_STMT_DEPLOY_JOB},
        {"ROLLBACK JOB j VERSION '1.0.0'", SQL_STMT_ROLLBACK_JOB},
        {"UPDATE t SET a = 1, b = b + 1 WHERE id = 3", SQL_STMT_UPDATE},
        {"DELETE FROM t WHERE id = 3", SQL_STMT_DELETE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        parsed p = parse(cases[i].sql);
        cr_assert_eq(p.d.nerrors, 0, "%s: %s", cases[i].sql, p.d.count ? p.d.items[0].message : "");
        cr_assert_eq(p.s->nstmts, 1, "%s", cases[i].sql);
        cr_assert_eq(p.s->stmts[0]->kind, cases[i].kind, "%s", cases[i].sql);
        done(&p);
        roundtrip(cases[i].sql);
    }
}

Test(parser, statement_fields_are_filled) {
    parsed p = parse(
        "CREATE STREAM s (id BIGINT, px DECIMAL(18,4), PRIMARY KEY (id)) AS SELECT * FROM 'kafka://h/t' "
        "INTO 'file:///o.jsonl' EMIT FINAL WITH ('k' = 'v');\n"
        "DEPLOY JOB j VERSION '2.0' AS SELECT * FROM t STRATEGY canary(10);\n"
        "INSERT INTO t VALUES (1, 2), (3, 4)");
    cr_assert_eq(p.d.nerrors, 0);
    const sql_stmt *c = p.s->stmts[0];
    cr_assert_str_eq(c->name, "s");
    cr_assert_eq(c->ncolumns, 2);
    cr_assert_eq(c->columns[1].type->type.id, VELO_TYPE_DECIMAL);
    cr_assert_eq(c->columns[1].type->type.precision, 18);
    cr_assert_eq(c->columns[1].type->type.scale, 4);
    cr_assert_eq(c->nprimary_key, 1);
    cr_assert_eq(c->query->selects[0]->from->kind, SQL_SOURCE_URI);
    cr_assert(c->query->into_is_uri);
    cr_assert_str_eq(c->query->into, "file:///o.jsonl");
    cr_assert_eq(c->query->emit, SQL_EMIT_FINAL);
    cr_assert_eq(c->query->with.count, 1);
    cr_assert_str_eq(c->query->with.items[0].key, "k");
    cr_assert_eq(c->text_start, 0);
    cr_assert_str_eq(p.s->stmts[1]->version, "2.0");
    cr_assert_str_eq(p.s->stmts[1]->strategy, "CANARY(10)");
    cr_assert_eq(p.s->stmts[2]->nvalues_rows, 2);
    cr_assert_eq(p.s->stmts[2]->nvalues_cols, 2);
    done(&p);
}

Test(parser, type_aliases_resolve) {
    parsed p =
        parse("CREATE STREAM s (a INTEGER, b FLOAT, c STRING, d DATETIME, e NUMERIC(10,2), f TEXT, g REAL) "
              "WITH ('uri' = 'x')");
    const sql_column_def *c = p.s->stmts[0]->columns;
    cr_assert_eq(c[0].type->type.id, VELO_TYPE_BIGINT);
    cr_assert_str_eq(c[0].type->written, "INTEGER");
    cr_assert_eq(c[1].type->type.id, VELO_TYPE_DOUBLE);
    cr_assert_eq(c[2].type->type.id, VELO_TYPE_VARCHAR);
    cr_assert_eq(c[3].type->type.id, VELO_TYPE_TIMESTAMP);
    cr_assert_eq(c[4].type->type.id, VELO_TYPE_DECIMAL);
    cr_assert_eq(c[5].type->type.id, VELO_TYPE_VARCHAR);
    cr_assert_eq(c[6].type->type.id, VELO_TYPE_DOUBLE);
    done(&p);
}

/* ---- select clauses ---- */

Test(parser, select_clauses_round_trip) {
    roundtrip(
        "SELECT DISTINCT t.*, a AS x, b y, c PRIMARY KEY, d AS k PRIMARY KEY FROM 'kafka://h/t' AS t "
        "LEFT OUTER JOIN u ON t.id = u.id WITHIN INTERVAL '5' MINUTE RIGHT JOIN (SELECT * FROM v) w ON 1 = 1 "
        "FULL JOIN z ON TRUE WHERE a IS NOT NULL GROUP BY a, b HAVING COUNT(*) > 1 "
        "ORDER BY a DESC NULLS LAST, b ASC NULLS FIRST LIMIT 10");
    roundtrip("WITH c AS (SELECT a FROM t), d AS (SELECT b FROM u) SELECT * FROM c UNION ALL SELECT * FROM d "
              "UNION SELECT 1");
    roundtrip("SELECT a FROM t WHERE a IN (1, 2) AND b NOT IN (SELECT b FROM u) AND EXISTS (SELECT 1) "
              "AND NOT EXISTS (SELECT 2) AND c NOT LIKE 'x%' ESCAPE '!' AND d ILIKE 'y' "
              "AND e IS DISTINCT FROM f AND g IS NOT DISTINCT FROM h AND i IS TRUE AND j IS NOT FALSE "
              "AND k NOT BETWEEN 1 AND 2 AND (SELECT MAX(x) FROM u) > 3");
    roundtrip("SELECT CASE a WHEN 1 THEN 'x' WHEN 2 THEN 'y' ELSE 'z' END, CASE WHEN a > 1 THEN 1 END, "
              "TRY_CAST(a AS BIGINT), a::DOUBLE, EXTRACT(YEAR FROM ts), EXTRACT('MONTH', ts), "
              "COUNT(DISTINCT a), STRING_AGG(a, ',' ORDER BY b DESC), SUM(a) FILTER (WHERE b > 0), "
              "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x), arr[1], m['k'], (s).f");
}

Test(parser, window_clause_forms) {
    parsed p = parse("SELECT COUNT(*) FROM t GROUP BY k WINDOW TUMBLING(5m);"
                     "SELECT COUNT(*) FROM t WINDOW TUMBLING(ts, INTERVAL '1' MINUTE) GROUP BY k;"
                     "SELECT COUNT(*) FROM t WINDOW SLIDING(10m, 5m) HAVING COUNT(*) > 2;"
                     "SELECT COUNT(*) FROM t WINDOW SLIDING(ts, 10m, 5m);"
                     "SELECT COUNT(*) FROM t WINDOW SESSION(30s);"
                     "SELECT COUNT(*) FROM t p WINDOW SESSION(p.ts, INTERVAL '4' HOUR, p.trader_id)");
    cr_assert_eq(p.d.nerrors, 0, "%s", p.d.count ? p.d.items[0].message : "");
    const sql_window *w0 = p.s->stmts[0]->query->selects[0]->window;
    cr_assert_eq(w0->kind, SQL_WINDOW_TUMBLING);
    cr_assert_null(w0->time_column);
    cr_assert(w0->size->u.lit.short_form);
    cr_assert_eq(p.s->stmts[0]->query->selects[0]->ngroup, 1);
    const sql_window *w1 = p.s->stmts[1]->query->selects[0]->window;
    cr_assert_not_null(w1->time_column);
    cr_assert_eq(w1->size->u.lit.unit, SQL_UNIT_MINUTE);
    const sql_window *w2 = p.s->stmts[2]->query->selects[0]->window;
    cr_assert_eq(w2->kind, SQL_WINDOW_SLIDING);
    cr_assert_not_null(w2->advance);
    cr_assert_not_null(p.s->stmts[2]->query->selects[0]->having);
    cr_assert_not_null(p.s->stmts[3]->query->selects[0]->window->time_column);
    cr_assert_eq(p.s->stmts[4]->query->selects[0]->window->kind, SQL_WINDOW_SESSION);
    cr_assert_not_null(p.s->stmts[5]->query->selects[0]->window->session_key);
    done(&p);
    expect_canonical("SELECT COUNT(*) FROM t WINDOW TUMBLING(1h) GROUP BY k",
                     "SELECT COUNT(*) FROM t GROUP BY k WINDOW TUMBLING(1h)");
    roundtrip("SELECT COUNT(*) FROM t p WINDOW SESSION(p.ts, INTERVAL '4' HOUR, p.trader_id)");
}

Test(parser, over_frames) {
    parsed p = parse(
        "SELECT AVG(x) OVER (PARTITION BY a, b ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND "
        "CURRENT ROW), SUM(x) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING), "
        "ROW_NUMBER() OVER (ROWS 3 PRECEDING), COUNT(*) OVER (ROWS WINDOW BUFFER 100 ROWS PARTITION BY "
        "s ORDER BY ts EXPIRE AFTER INTERVAL '10' SECOND INACTIVITY), LAG(x) OVER ()");
    cr_assert_eq(p.d.nerrors, 0, "%s", p.d.count ? p.d.items[0].message : "");
    const sql_select *s = p.s->stmts[0]->query->selects[0];
    const sql_over *o0 = s->items[0].expr->u.func.over;
    cr_assert_eq(o0->npartition, 2);
    cr_assert_eq(o0->frame_unit, SQL_FRAME_RANGE);
    cr_assert_eq(o0->frame_start.kind, SQL_BOUND_PRECEDING);
    cr_assert_eq(o0->frame_start.offset->u.lit.kind, SQL_LIT_INTERVAL);
    cr_assert_eq(o0->frame_end.kind, SQL_BOUND_CURRENT_ROW);
    const sql_over *o1 = s->items[1].expr->u.func.over;
    cr_assert_eq(o1->frame_unit, SQL_FRAME_ROWS);
    cr_assert_eq(o1->frame_start.kind, SQL_BOUND_UNBOUNDED_PRECEDING);
    cr_assert_eq(o1->frame_end.kind, SQL_BOUND_FOLLOWING);
    const sql_over *o2 = s->items[2].expr->u.func.over;
    cr_assert_eq(o2->frame_end.kind, SQL_BOUND_CURRENT_ROW, "ROWS x alone ends at the current row");
    const sql_over *o3 = s->items[3].expr->u.func.over;
    cr_assert_eq(o3->buffer_rows, 100);
    cr_assert_not_null(o3->expire_after);
    done(&p);
    expect_canonical("SELECT ROW_NUMBER() OVER (ROWS 3 PRECEDING)",
                     "SELECT ROW_NUMBER() OVER (ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)");
}

Test(parser, positions_of_nodes) {
    parsed p = parse("SELECT a,\n       b + c\nFROM t");
    const sql_select *s = p.s->stmts[0]->query->selects[0];
    cr_assert_eq(s->items[1].expr->pos.line, 2);
    cr_assert_eq(s->items[1].expr->pos.col, 10, "a binary node sits at its operator");
    cr_assert_eq(s->items[1].expr->u.binary.left->pos.col, 8);
    cr_assert_eq(s->from->pos.line, 3);
    cr_assert_eq(s->from->pos.col, 6);
    cr_assert_eq(s->from->pos.offset, 28);
    done(&p);
}

/* ---- durations ---- */

static int64_t micros_of(const char *sql, velo_status *st) {
    parsed p = parse(sql);
    cr_assert_eq(p.d.nerrors, 0, "%s", sql);
    int64_t us = 0;
    velo_error err;
    *st = velo_sql_interval_micros(first_item(p.s), &us, &err);
    done(&p);
    return us;
}

Test(interval, short_and_long_forms_in_micros) {
    velo_status st;
    cr_assert_eq(micros_of("SELECT 100ms", &st), 100000);
    cr_assert_eq(micros_of("SELECT 30s", &st), 30000000);
    cr_assert_eq(micros_of("SELECT 5m", &st), 300000000);
    cr_assert_eq(micros_of("SELECT 1h", &st), 3600000000LL);
    cr_assert_eq(micros_of("SELECT 1d", &st), 86400000000LL);
    cr_assert_eq(micros_of("SELECT INTERVAL '5' MINUTE", &st), 300000000);
    cr_assert_eq(micros_of("SELECT INTERVAL '90' SECOND", &st), 90000000);
    cr_assert_eq(micros_of("SELECT INTERVAL 2 HOURS", &st), 7200000000LL);
    cr_assert_eq(micros_of("SELECT INTERVAL '1.5' SECOND", &st), 1500000);
    cr_assert_eq(micros_of("SELECT INTERVAL '500' MILLISECONDS", &st), 500000);
    cr_assert_eq(micros_of("SELECT INTERVAL '7' MICROSECOND", &st), 7);
    cr_assert_eq(micros_of("SELECT INTERVAL '1' WEEK", &st), 604800000000LL);
    cr_assert_eq(st, VELO_OK);
}

Test(interval, month_and_year_are_not_durations) {
    parsed p = parse("SELECT INTERVAL '1' MONTH, INTERVAL '2' YEAR");
    velo_error err;
    int64_t us;
    const sql_select *s = p.s->stmts[0]->query->selects[0];
    cr_assert_eq(velo_sql_interval_micros(s->items[0].expr, &us, &err), VELO_ERR_INVALID);
    cr_assert(strstr(err.message, "durations cannot use MONTH/YEAR"));
    cr_assert_eq(err.line, 1);
    cr_assert_eq(err.col, 8);
    cr_assert_eq(velo_sql_interval_micros(s->items[1].expr, &us, &err), VELO_ERR_INVALID);
    done(&p);
}

Test(interval, overflow_is_an_error) {
    velo_status st;
    micros_of("SELECT INTERVAL '99999999999999' DAY", &st);
    cr_assert_eq(st, VELO_ERR_OVERFLOW);
}

/* ---- corpora ---- */



/* sorted file names in dir ending with suffix; returns count */

Test(corpus, every_seed_readme_query_parses_and_round_trips) {
    char **names;
    size_t n = list_dir(VELO_SHARED_DIR "/seed-readme", ".sql", &names);
    if (n == 0) cr_assert_fail("no seed-readme examples at " VELO_SHARED_DIR);
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/seed-readme/%s", VELO_SHARED_DIR, names[i]);
        char *sql = read_file(path);
        cr_assert_not_null(sql, "%s", path);
        free(roundtrip_text(sql, path));
        free(sql);
        free(names[i]);
    }
    free(names);
    cr_assert_eq(n, 10);
}

/* The value of "sql" in a compat case file (a JSON string: decode its escapes). NULL if absent. */

Test(corpus, compat_sql_parses_and_round_trips_except_parse_error_cases) {
    char **cats;
    DIR *probe = opendir(VELO_SHARED_DIR "/cases");
    if (!probe) cr_assert_fail("no compat cases at " VELO_SHARED_DIR);
    closedir(probe);
    static const char *const categories[] = {"case_when",
                                             "datetime",
                                             "distinct",
                                             "functions_misc",
                                             "functions_string_json",
                                             "headers",
                                             "interval",
                                             "joins",
                                             "parse_ok",
                                             "subqueries",
                                             "types",
                                             "window_emit",
                                             "window_functions",
                                             "window_rows",
                                             "window_session",
                                             "window_tumbling_sliding"};
    size_t total = 0;
    (void)cats;
    for (size_t c = 0; c < sizeof categories / sizeof *categories; c++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/cases/%s", VELO_SHARED_DIR, categories[c]);
        char **names;
        size_t n = list_dir(dir, ".json", &names);
        for (size_t i = 0; i < n; i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            char *json = read_file(path);
            char *sql = json ? json_sql(json) : NULL;
            if (sql) {
                free(roundtrip_text(sql, path));
                total++;
            }
            free(sql);
            free(json);
            free(names[i]);
        }
        free(names);
    }
    cr_assert_gt(total, 500);
}
