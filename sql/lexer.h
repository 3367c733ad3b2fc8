/* The SQL lexer: script text -> an array of tokens with line/column positions. The whole script is
 * tokenized up front so that the parser can look ahead freely (DATE '...' vs date(...) vs a column
 * named date). Keywords are not distinguished here: a word is a word, the parser decides. */
#ifndef VELO_SQL_LEXER_H
#define VELO_SQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sql/ast.h"
#include "sql/diag.h"
#include "state/arena.h"

typedef enum sql_tok_kind {
    TK_EOF,
    TK_ERROR,    /* an invalid character, already reported by the lexer */
    TK_WORD,     /* identifier or keyword */
    TK_QIDENT,   /* "quoted" or `backtick` identifier; value = unescaped name */
    TK_STRING,   /* 'text'; value = unescaped */
    TK_INTEGER,  /* 123 */
    TK_DECIMAL,  /* 1.5, .5, 1. */
    TK_DOUBLE,   /* 1e5, 1.5E-3 */
    TK_DURATION, /* 100ms 30s 5m 1h 1d 1w; value = the digits, unit = the unit */
    TK_EQ,
    TK_NE,
    TK_LT,
    TK_LE,
    TK_GT,
    TK_GE,
    TK_PLUS,
    TK_MINUS,
    TK_STAR,
    TK_SLASH,
    TK_PERCENT,
    TK_CONCAT,
    TK_DCOLON,
    TK_DOT,
    TK_COMMA,
    TK_SEMI,
    TK_LPAREN,
    TK_RPAREN,
    TK_LBRACKET,
    TK_RBRACKET,
} sql_tok_kind;

typedef struct sql_token {
    sql_tok_kind kind;
    sql_pos pos;
    uint32_t len;           /* bytes of the token in the text */
    char *value;            /* QIDENT/STRING/DURATION/numbers: the value (arena); NULL otherwise */
    sql_interval_unit unit; /* DURATION only */
} sql_token;

/* A `-- @name: value` comment, kept so that the parser can attach it to the next statement. */
typedef struct sql_lex_annotation {
    sql_annotation a;
    uint32_t offset;
} sql_lex_annotation;

typedef struct sql_tokens {
    sql_token *items; /* always ends with one TK_EOF */
    uint32_t count;
    sql_lex_annotation *annotations;
    uint32_t nannotations;
} sql_tokens;

/* Tokenizes text into arena memory. Lexical errors (invalid UTF-8, unterminated string or comment,
 * stray character) are reported to diags with their position. Returns false only when out of memory. */
bool velo_sql_lex(const char *text, uint32_t len, velo_arena *arena, velo_diags *diags, sql_tokens *out);

/* True for the words that cannot be a name unless quoted (SELECT, FROM, JOIN...): the parser
 * refuses them as names, the printer quotes them. Case-insensitive; s need not be NUL-terminated. */
bool velo_sql_word_is_reserved(const char *s, size_t n);

/* True when an identifier must be written "quoted" to read back as the same name in any position. */
bool velo_sql_ident_needs_quotes(const char *s);

/* Short text for a token kind in messages: "')'", "end of input". */
const char *velo_sql_tok_name(sql_tok_kind k);

#endif
