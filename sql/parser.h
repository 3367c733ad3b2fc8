/* The SQL parser: text -> syntax tree (sql/ast.h). Hand-written recursive descent with precedence
 * climbing: the dialect mixes standard SQL with the original Velostream's forms (WINDOW after
 * GROUP BY, EXTRACT('YEAR', x), short durations like 5m) that a generated grammar would fight. */
#ifndef VELO_SQL_PARSER_H
#define VELO_SQL_PARSER_H

#include <stddef.h>

#include "core/strbuf.h"
#include "sql/ast.h"
#include "sql/diag.h"

/* Parses every statement of `text`. On a syntax error the parser records a diagnostic
 * ("expected FROM, found 'FORM'"), skips to the next ';' and goes on, so that every error of a
 * file is reported. Returns the script (also when there were errors: check diags->nerrors), or
 * NULL when out of memory. `file` and `text` must outlive the script. */
velo_sql_script *velo_sql_parse(const char *file, const char *text, size_t len, velo_diags *diags);
void velo_sql_script_free(velo_sql_script *script);
/* The statements about a running server's catalog and jobs (SHOW, DESCRIBE, DROP, STOP/PAUSE/
 * RESUME/ROLLBACK JOB): their name as written, or NULL for any other kind. A one-shot run and a
 * submitted job both refuse them. */
const char *velo_sql_server_statement(sql_stmt_kind k);

/* Pretty-printer: canonical SQL text of a statement / query / expression. Printing a parsed
 * statement and parsing the result again gives the same tree (round-trip property). */
void velo_sql_print_stmt(const sql_stmt *stmt, velo_strbuf *out);
void velo_sql_print_query(const sql_query *q, velo_strbuf *out);
void velo_sql_print_expr(const sql_expr *e, velo_strbuf *out);
/* A name as SQL must write it: bare when it reads back as itself, else "quoted" ("" doubled). */
void velo_sql_print_ident(const char *name, velo_strbuf *out);

/* Parses a duration: short form "100ms", "30s", "5m", "1h", "1d" or an INTERVAL literal node;
 * returns microseconds. Months/years in an interval are an error here (durations are fixed). */
velo_status velo_sql_interval_micros(const sql_expr *lit, int64_t *micros, velo_error *err);

#endif
