/* SQL tokenizer (sql/lexer.h). One pass over the bytes; the position (line, column in UTF-8
 * characters) is advanced byte by byte so that every token and every error knows where it is. */
#include "sql/lexer.h"

#include <string.h>
#include <strings.h>

typedef struct lexer {
    const char *s;
    uint32_t n, i;
    uint32_t line, col;
    velo_arena *arena;
    velo_diags *diags;
    sql_tokens *out;
    uint32_t cap, ann_cap;
    bool oom;
} lexer;

static bool is_ident_start(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_ident_char(unsigned char c) { return is_ident_start(c) || is_digit(c) || c == '$'; }

/* Length of the valid UTF-8 sequence at s[i] (1..4), or 0 if the bytes there are not valid UTF-8. */
static uint32_t utf8_seq_len(const char *s, uint32_t i, uint32_t n) {
    const unsigned char *u = (const unsigned char *)s + i;
    uint32_t avail = n - i;
    if (u[0] < 0x80) return 1;
    uint32_t len;
    uint32_t cp;
    if (u[0] >= 0xC2 && u[0] <= 0xDF)
        len = 2, cp = u[0] & 0x1F;
    else if (u[0] >= 0xE0 && u[0] <= 0xEF)
        len = 3, cp = u[0] & 0x0F;
    else if (u[0] >= 0xF0 && u[0] <= 0xF4)
        len = 4, cp = u[0] & 0x07;
    else
        return 0;
    if (avail < len) return 0;
    for (uint32_t k = 1; k < len; k++) {
        if ((u[k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (u[k] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

static sql_pos here(const lexer *lx) { return (sql_pos){lx->line, lx->col, lx->i}; }

/* Moves over one byte, keeping line and column (columns count characters, not bytes). */
static void advance(lexer *lx) {
    unsigned char c = (unsigned char)lx->s[lx->i++];
    if (c == '\n') {
        lx->line++;
        lx->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        lx->col++;
    }
}

static void advance_n(lexer *lx, uint32_t k) {
    while (k-- && lx->i < lx->n)
        advance(lx);
}

/* Moves over one character inside a string, identifier or comment, reporting invalid UTF-8. */
static void advance_char_checked(lexer *lx) {
    uint32_t k = utf8_seq_len(lx->s, lx->i, lx->n);
    if (k == 0) {
        velo_diags_add(lx->diags, VELO_SEV_ERROR, "parse.utf8", lx->line, lx->col,
                       "invalid UTF-8 byte 0x%02X", (unsigned char)lx->s[lx->i]);
        k = 1;
        lx->col++; /* the stray byte counts as one character, even if it looks like a continuation */
        lx->i++;
        return;
    }
    advance_n(lx, k);
}

static sql_token *push(lexer *lx, sql_tok_kind kind, sql_pos pos) {
    sql_tokens *o = lx->out;
    if (o->count == lx->cap) {
        uint32_t nc = lx->cap ? lx->cap * 2 : 64;
        sql_token *t = velo_arena_alloc(lx->arena, sizeof *t * nc);
        if (!t) {
            lx->oom = true;
            return NULL;
        }
        if (o->count) memcpy(t, o->items, sizeof *t * o->count);
        o->items = t;
        lx->cap = nc;
    }
    sql_token *t = &o->items[o->count++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->pos = pos;
    t->len = lx->i - pos.offset;
    return t;
}

static char *dup(lexer *lx, const char *s, size_t n) {
    char *d = velo_arena_strndup(lx->arena, s, n);
    if (!d) lx->oom = true;
    return d;
}

static void add_annotation(lexer *lx, sql_pos pos, const char *body, uint32_t n) {
    /* body is what follows "--"; an annotation is "@name: value" after optional spaces */
    uint32_t k = 0;
    while (k < n && (body[k] == ' ' || body[k] == '\t'))
        k++;
    if (k >= n || body[k] != '@') return;
    uint32_t name_start = ++k;
    while (k < n && body[k] != ':' && body[k] != ' ' && body[k] != '\t' && body[k] != '\r')
        k++;
    uint32_t name_end = k;
    if (name_end == name_start) return;
    while (k < n && (body[k] == ' ' || body[k] == '\t'))
        k++;
    if (k < n && body[k] == ':') k++;
    while (k < n && (body[k] == ' ' || body[k] == '\t'))
        k++;
    uint32_t vend = n;
    while (vend > k && (body[vend - 1] == ' ' || body[vend - 1] == '\t' || body[vend - 1] == '\r'))
        vend--;
    sql_tokens *o = lx->out;
    if (o->nannotations == lx->ann_cap) {
        uint32_t nc = lx->ann_cap ? lx->ann_cap * 2 : 8;
        sql_lex_annotation *a = velo_arena_alloc(lx->arena, sizeof *a * nc);
        if (!a) {
            lx->oom = true;
            return;
        }
        if (o->nannotations) memcpy(a, o->annotations, sizeof *a * o->nannotations);
        o->annotations = a;
        lx->ann_cap = nc;
    }
    sql_lex_annotation *a = &o->annotations[o->nannotations++];
    a->a.name = dup(lx, body + name_start, name_end - name_start);
    a->a.value = dup(lx, body + k, vend - k);
    a->a.pos = pos;
    a->offset = pos.offset;
}

/* Skips spaces and comments. Returns false at the end of input. */
static void skip_space(lexer *lx) {
    while (lx->i < lx->n) {
        char c = lx->s[lx->i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            advance(lx);
        } else if (c == '-' && lx->i + 1 < lx->n && lx->s[lx->i + 1] == '-') {
            sql_pos pos = here(lx);
            advance_n(lx, 2);
            uint32_t body = lx->i;
            while (lx->i < lx->n && lx->s[lx->i] != '\n')
                advance_char_checked(lx);
            add_annotation(lx, pos, lx->s + body, lx->i - body);
        } else if (c == '/' && lx->i + 1 < lx->n && lx->s[lx->i + 1] == '*') {
            sql_pos pos = here(lx);
            advance_n(lx, 2);
            bool closed = false;
            while (lx->i < lx->n) {
                if (lx->s[lx->i] == '*' && lx->i + 1 < lx->n && lx->s[lx->i + 1] == '/') {
                    advance_n(lx, 2);
                    closed = true;
                    break;
                }
                advance_char_checked(lx);
            }
            if (!closed)
                velo_diags_add(lx->diags, VELO_SEV_ERROR, "parse.unterminated", pos.line, pos.col,
                               "unterminated comment: '/*' has no matching '*/'");
        } else {
            return;
        }
    }
}

/* 'text' with '' for a quote, or "ident" / `ident` with the quote doubled. */
static void lex_quoted(lexer *lx, char q, sql_tok_kind kind) {
    sql_pos pos = here(lx);
    advance(lx);
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    bool closed = false;
    while (lx->i < lx->n) {
        char c = lx->s[lx->i];
        if (c == q) {
            if (lx->i + 1 < lx->n && lx->s[lx->i + 1] == q) {
                velo_strbuf_putc(&sb, q);
                advance_n(lx, 2);
                continue;
            }
            advance(lx);
            closed = true;
            break;
        }
        uint32_t start = lx->i;
        advance_char_checked(lx);
        velo_strbuf_append(&sb, lx->s + start, lx->i - start);
    }
    if (!closed) {
        velo_diags_add(lx->diags, VELO_SEV_ERROR, "parse.unterminated", pos.line, pos.col,
                       kind == TK_STRING ? "unterminated string: missing closing quote (')"
                                         : "unterminated quoted identifier: missing closing %c",
                       q);
        push(lx, TK_ERROR, pos);
    } else if (kind == TK_QIDENT && sb.len == 0) {
        velo_diags_add(lx->diags, VELO_SEV_ERROR, "parse.empty_identifier", pos.line, pos.col,
                       "empty quoted identifier");
        push(lx, TK_ERROR, pos);
    } else {
        sql_token *t = push(lx, kind, pos);
        if (t) t->value = dup(lx, sb.data ? sb.data : "", sb.len);
    }
    velo_strbuf_free(&sb);
}

/* The unit of a short duration right after the digits at s[i], or -1. */
static int duration_unit(const lexer *lx, uint32_t i, uint32_t *ulen) {
    const char *s = lx->s;
    uint32_t n = lx->n;
    int unit = -1;
    if (i + 1 < n && (s[i] == 'm' || s[i] == 'M') && (s[i + 1] == 's' || s[i + 1] == 'S'))
        unit = SQL_UNIT_MILLISECOND, *ulen = 2;
    else if (i < n) {
        *ulen = 1;
        switch (s[i] | 0x20) {
        case 's': unit = SQL_UNIT_SECOND; break;
        case 'm': unit = SQL_UNIT_MINUTE; break;
        case 'h': unit = SQL_UNIT_HOUR; break;
        case 'd': unit = SQL_UNIT_DAY; break;
        case 'w': unit = SQL_UNIT_WEEK; break;
        default: return -1;
        }
    }
    if (unit >= 0 && i + *ulen < n && is_ident_char((unsigned char)s[i + *ulen])) return -1;
    return unit;
}

static void lex_number(lexer *lx) {
    sql_pos pos = here(lx);
    const char *s = lx->s;
    uint32_t n = lx->n;
    sql_tok_kind kind = TK_INTEGER;
    while (lx->i < n && is_digit((unsigned char)s[lx->i]))
        advance(lx);
    if (lx->i < n && s[lx->i] == '.' && !(lx->i + 1 < n && s[lx->i + 1] == '.')) {
        kind = TK_DECIMAL;
        advance(lx);
        while (lx->i < n && is_digit((unsigned char)s[lx->i]))
            advance(lx);
    }
    if (lx->i < n && (s[lx->i] | 0x20) == 'e') {
        uint32_t k = lx->i + 1;
        if (k < n && (s[k] == '+' || s[k] == '-')) k++;
        if (k < n && is_digit((unsigned char)s[k])) {
            kind = TK_DOUBLE;
            advance_n(lx, k - lx->i);
            while (lx->i < n && is_digit((unsigned char)s[lx->i]))
                advance(lx);
        }
    }
    uint32_t ulen = 0;
    int unit = kind == TK_INTEGER ? duration_unit(lx, lx->i, &ulen) : -1;
    uint32_t digits_end = lx->i;
    if (unit >= 0) {
        advance_n(lx, ulen);
        kind = TK_DURATION;
    }
    sql_token *t = push(lx, kind, pos);
    if (!t) return;
    t->value = dup(lx, s + pos.offset, digits_end - pos.offset);
    if (unit >= 0) t->unit = (sql_interval_unit)unit;
}

static void lex_word(lexer *lx) {
    sql_pos pos = here(lx);
    while (lx->i < lx->n) {
        unsigned char c = (unsigned char)lx->s[lx->i];
        if (is_ident_char(c)) {
            advance(lx);
        } else if (c >= 0x80) {
            uint32_t k = utf8_seq_len(lx->s, lx->i, lx->n);
            if (!k) break;
            advance_n(lx, k);
        } else {
            break;
        }
    }
    push(lx, TK_WORD, pos);
}

static bool lex_operator(lexer *lx) {
    sql_pos pos = here(lx);
    char c = lx->s[lx->i];
    char d = lx->i + 1 < lx->n ? lx->s[lx->i + 1] : 0;
    sql_tok_kind k;
    uint32_t len = 1;
    switch (c) {
    case '=': k = TK_EQ; break;
    case '<':
        if (d == '>')
            k = TK_NE, len = 2;
        else if (d == '=')
            k = TK_LE, len = 2;
        else
            k = TK_LT;
        break;
    case '>':
        if (d == '=')
            k = TK_GE, len = 2;
        else
            k = TK_GT;
        break;
    case '!':
        if (d != '=') return false;
        k = TK_NE, len = 2;
        break;
    case '|':
        if (d != '|') return false;
        k = TK_CONCAT, len = 2;
        break;
    case ':':
        if (d != ':') return false;
        k = TK_DCOLON, len = 2;
        break;
    case '+': k = TK_PLUS; break;
    case '-': k = TK_MINUS; break;
    case '*': k = TK_STAR; break;
    case '/': k = TK_SLASH; break;
    case '%': k = TK_PERCENT; break;
    case '.': k = TK_DOT; break;
    case ',': k = TK_COMMA; break;
    case ';': k = TK_SEMI; break;
    case '(': k = TK_LPAREN; break;
    case ')': k = TK_RPAREN; break;
    case '[': k = TK_LBRACKET; break;
    case ']': k = TK_RBRACKET; break;
    default: return false;
    }
    advance_n(lx, len);
    push(lx, k, pos);
    return true;
}

bool velo_sql_lex(const char *text, uint32_t len, velo_arena *arena, velo_diags *diags, sql_tokens *out) {
    memset(out, 0, sizeof *out);
    lexer lx = {.s = text, .n = len, .line = 1, .col = 1, .arena = arena, .diags = diags, .out = out};
    for (;;) {
        skip_space(&lx);
        if (lx.oom) return false;
        if (lx.i >= lx.n) break;
        unsigned char c = (unsigned char)text[lx.i];
        unsigned char d = lx.i + 1 < lx.n ? (unsigned char)text[lx.i + 1] : 0;
        if (c == '\'')
            lex_quoted(&lx, '\'', TK_STRING);
        else if (c == '"' || c == '`')
            lex_quoted(&lx, (char)c, TK_QIDENT);
        else if (is_digit(c) || (c == '.' && is_digit(d)))
            lex_number(&lx);
        else if (is_ident_start(c))
            lex_word(&lx);
        else if (c >= 0x80 && utf8_seq_len(text, lx.i, lx.n))
            lex_word(&lx);
        else if (!lex_operator(&lx)) {
            sql_pos pos = here(&lx);
            if (c >= 0x80) {
                velo_diags_add(diags, VELO_SEV_ERROR, "parse.utf8", pos.line, pos.col,
                               "invalid UTF-8 byte 0x%02X", c);
                lx.i++;
                lx.col++;
            } else {
                velo_diags_add(
                    diags, VELO_SEV_ERROR, "parse.character", pos.line, pos.col,
                    c >= 0x20 && c < 0x7F ? "unexpected character '%c'" : "unexpected character 0x%02X", c);
                advance(&lx);
            }
            push(&lx, TK_ERROR, pos);
        }
        if (lx.oom) return false;
    }
    sql_token *eof = push(&lx, TK_EOF, here(&lx));
    if (eof) eof->len = 0;
    return !lx.oom;
}

/* Words that never name a column, a source or an alias without quotes. */
static const char *const reserved_words[] = {
    "ALL",   "AND",      "AS",     "BETWEEN",  "BY",    "CASE",   "CAST", "CROSS",  "DISTINCT", "ELSE",
    "EMIT",  "END",      "ESCAPE", "EXISTS",   "FALSE", "FILTER", "FROM", "FULL",   "GROUP",    "HAVING",
    "ILIKE", "IN",       "INNER",  "INTERVAL", "INTO",  "IS",     "JOIN", "LEFT",   "LIKE",     "LIMIT",
    "NOT",   "NULL",     "ON",     "OR",       "ORDER", "OUTER",  "OVER", "RIGHT",  "SELECT",   "THEN",
    "TRUE",  "TRY_CAST", "UNION",  "WHEN",     "WHERE", "WINDOW", "WITH", "WITHIN",
};

bool velo_sql_word_is_reserved(const char *s, size_t n) {
    for (size_t k = 0; k < sizeof reserved_words / sizeof *reserved_words; k++)
        if (strlen(reserved_words[k]) == n && strncasecmp(s, reserved_words[k], n) == 0) return true;
    return false;
}

/* Words that are names in most places but have a meaning in some clause (ORDER BY x NULLS FIRST,
 * ROWS 5 PRECEDING, DATE '...'): the printer quotes them so that its output never depends on context. */
static const char *const context_words[] = {
    "ASC",     "BUFFER",    "CHANGES",   "CURRENT", "DATE",    "DESC",    "EXTRACT",   "FINAL",
    "FIRST",   "FOLLOWING", "FORCE",     "KEY",     "LAST",    "NULLS",   "PARTITION", "PRECEDING",
    "PRIMARY", "RANGE",     "ROW",       "ROWS",    "SESSION", "SLIDING", "STRATEGY",  "TIMESTAMP",
    "TO",      "TUMBLING",  "UNBOUNDED", "VALUES",  "VERSION",
};

bool velo_sql_ident_needs_quotes(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || !is_ident_start((unsigned char)s[0])) return true;
    for (size_t k = 1; k < n; k++)
        if (!is_ident_char((unsigned char)s[k])) return true;
    if (velo_sql_word_is_reserved(s, n)) return true;
    for (size_t k = 0; k < sizeof context_words / sizeof *context_words; k++)
        if (strcasecmp(s, context_words[k]) == 0) return true;
    return false;
}

const char *velo_sql_tok_name(sql_tok_kind k) {
    switch (k) {
    case TK_EOF: return "end of input";
    case TK_ERROR: return "an invalid token";
    case TK_WORD: return "identifier";
    case TK_QIDENT: return "quoted identifier";
    case TK_STRING: return "string";
    case TK_INTEGER:
    case TK_DECIMAL:
    case TK_DOUBLE: return "number";
    case TK_DURATION: return "duration";
    case TK_EQ: return "'='";
    case TK_NE: return "'<>'";
    case TK_LT: return "'<'";
    case TK_LE: return "'<='";
    case TK_GT: return "'>'";
    case TK_GE: return "'>='";
    case TK_PLUS: return "'+'";
    case TK_MINUS: return "'-'";
    case TK_STAR: return "'*'";
    case TK_SLASH: return "'/'";
    case TK_PERCENT: return "'%'";
    case TK_CONCAT: return "'||'";
    case TK_DCOLON: return "'::'";
    case TK_DOT: return "'.'";
    case TK_COMMA: return "','";
    case TK_SEMI: return "';'";
    case TK_LPAREN: return "'('";
    case TK_RPAREN: return "')'";
    case TK_LBRACKET: return "'['";
    case TK_RBRACKET: return "']'";
    }
    return "token";
}
