/* JSON_EXTRACT, JSON_VALUE, JSON_QUERY and JSON_EXISTS on JSON text (or a nested value, as its JSON
 * text), with a small path language: `$`, then `.key`, `["key"]` / `['key']` and `[index]` (0-based)
 * steps; `.0` also indexes an array, as the original Velostream's paths did. The reader only scans:
 * it validates the document, then walks to the addressed value and returns its span, so no tree is
 * built. connectors/formats/jsonl.c has a JSON parser, but it is private to the format layer and
 * decodes into batch columns; core may not depend on connectors, hence this compact reader. */
#include <stdlib.h>
#include <string.h>

#include "core/decimal.h"
#include "core/functions.h"
#include "core/utf8.h"

#define JSON_MAX_DEPTH 256
#define PATH_MAX_STEPS 64

typedef struct jtext {
    const char *s;
    uint32_t n;
} jtext;

typedef struct path_step {
    velo_str key;  /* raw key text (no escapes), or ptr NULL for an index */
    int64_t index; /* for [n], and for a .key of digits (the original's '$.tags.0') */
    bool index_ok; /* the step may address an array element */
} path_step;

static void ws(jtext t, uint32_t *i) {
    while (*i < t.n && (t.s[*i] == ' ' || t.s[*i] == '\t' || t.s[*i] == '\n' || t.s[*i] == '\r'))
        (*i)++;
}

static bool skip_value(jtext t, uint32_t *i, int depth);

/* A string starting at the quote s[*i]; leaves *i after the closing quote. */
static bool skip_string(jtext t, uint32_t *i) {
    for ((*i)++; *i < t.n; (*i)++) {
        unsigned char c = (unsigned char)t.s[*i];
        if (c == '"') {
            (*i)++;
            return true;
        }
        if (c < 0x20) return false;
        if (c == '\\') {
            if (++*i >= t.n) return false;
            if (t.s[*i] == 'u') {
                for (int k = 0; k < 4; k++)
                    if (++*i >= t.n || !strchr("0123456789abcdefABCDEF", t.s[*i]) || !t.s[*i]) return false;
            } else if (!strchr("\"\\/bfnrt", t.s[*i]) || !t.s[*i]) {
                return false;
            }
        }
    }
    return false;
}

static bool skip_number(jtext t, uint32_t *i) {
    uint32_t start = *i, digits = 0;
    if (*i < t.n && t.s[*i] == '-') (*i)++;
    while (*i < t.n && (strchr("0123456789+-.eE", t.s[*i]) && t.s[*i]))
        digits += t.s[*i] >= '0' && t.s[*i] <= '9', (*i)++;
    return *i > start && digits > 0;
}

static bool skip_container(jtext t, uint32_t *i, int depth, char close) {
    (*i)++;
    ws(t, i);
    if (*i < t.n && t.s[*i] == close) return ++*i, true;
    for (;;) {
        if (close == '}') {
            if (*i >= t.n || t.s[*i] != '"' || !skip_string(t, i)) return false;
            ws(t, i);
            if (*i >= t.n || t.s[(*i)++] != ':') return false;
        }
        if (!skip_value(t, i, depth + 1)) return false;
        ws(t, i);
        if (*i >= t.n) return false;
        char c = t.s[(*i)++];
        if (c == close) return true;
        if (c != ',') return false;
        ws(t, i);
    }
}

/* Skips one value (after white space); false when the text is not JSON there. */
static bool skip_value(jtext t, uint32_t *i, int depth) {
    ws(t, i);
    if (*i >= t.n || depth > JSON_MAX_DEPTH) return false;
    switch (t.s[*i]) {
    case '{': return skip_container(t, i, depth, '}');
    case '[': return skip_container(t, i, depth, ']');
    case '"': return skip_string(t, i);
    case 't': return *i + 4 <= t.n && !memcmp(t.s + *i, "true", 4) && (*i += 4, true);
    case 'f': return *i + 5 <= t.n && !memcmp(t.s + *i, "false", 5) && (*i += 5, true);
    case 'n': return *i + 4 <= t.n && !memcmp(t.s + *i, "null", 4) && (*i += 4, true);
    default: return skip_number(t, i);
    }
}

static uint32_t hex4(const char *s) {
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v = v * 16 + (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* The text of a validated JSON string span (quotes included), escapes decoded, into the arena. */
static bool decode_string(velo_str raw, velo_arena *arena, velo_str *out) {
    char *p = velo_arena_alloc(arena, raw.len + 1); /* decoding never lengthens the text */
    if (!p) return false;
    uint32_t o = 0;
    for (uint32_t i = 1; i + 1 < raw.len; i++) {
        char c = raw.ptr[i];
        if (c != '\\') {
            p[o++] = c;
            continue;
        }
        c = raw.ptr[++i];
        switch (c) {
        case 'b': p[o++] = '\b'; break;
        case 'f': p[o++] = '\f'; break;
        case 'n': p[o++] = '\n'; break;
        case 'r': p[o++] = '\r'; break;
        case 't': p[o++] = '\t'; break;
        case 'u': {
            uint32_t cp = hex4(raw.ptr + i + 1);
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < raw.len && raw.ptr[i + 1] == '\\' &&
                raw.ptr[i + 2] == 'u') {
                uint32_t lo = hex4(raw.ptr + i + 3);
                if (lo >= 0xDC00 && lo < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00), i += 6;
            }
            if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD; /* a lone surrogate */
            o += velo_utf8_encode(cp, p + o);
            break;
        }
        default: p[o++] = c; break; /* \" \\ \/ */
        }
    }
    p[o] = '\0';
    *out = (velo_str){p, o};
    return true;
}

static velo_status bad_path(const char *fn, velo_str path, const char *why, velo_error *err) {
    return velo_error_set(err, VELO_ERR_INVALID,
                          "%s: invalid JSON path '%.*s': %s (use $.a.b, $.a[0], $[\"k\"])", fn,
                          (int)(path.len > 80 ? 80 : path.len), path.ptr, why);
}

static velo_status parse_path(const char *fn, velo_str p, path_step *steps, uint32_t *count,
                              velo_error *err) {
    uint32_t i = 0, n = 0;
    if (!p.len || p.ptr[0] != '$') return bad_path(fn, p, "it must start with $", err);
    for (i = 1; i < p.len;) {
        if (n == PATH_MAX_STEPS) return bad_path(fn, p, "too many steps", err);
        path_step *st = &steps[n++];
        if (p.ptr[i] == '.') {
            uint32_t start = ++i;
            while (i < p.len && p.ptr[i] != '.' && p.ptr[i] != '[')
                i++;
            if (i == start) return bad_path(fn, p, "an empty key after '.'", err);
            if (p.ptr[start] == '*') return bad_path(fn, p, "wildcards are not supported", err);
            st->key = (velo_str){p.ptr + start, i - start};
            st->index = 0;
            st->index_ok = i - start <= 9;
            for (uint32_t k = start; st->index_ok && k < i; k++) {
                st->index_ok = p.ptr[k] >= '0' && p.ptr[k] <= '9';
                st->index = st->index * 10 + (p.ptr[k] - '0');
            }
        } else if (p.ptr[i] == '[' && i + 1 < p.len && (p.ptr[i + 1] == '"' || p.ptr[i + 1] == '\'')) {
            char q = p.ptr[i + 1];
            uint32_t start = i + 2, end = start;
            while (end < p.len && p.ptr[end] != q)
                end++;
            if (end + 1 >= p.len || p.ptr[end + 1] != ']')
                return bad_path(fn, p, "an unclosed [\"key\"]", err);
            st->key = (velo_str){p.ptr + start, end - start};
            st->index_ok = false;
            i = end + 2;
        } else if (p.ptr[i] == '[') {
            int64_t v = 0;
            uint32_t start = ++i;
            while (i < p.len && p.ptr[i] >= '0' && p.ptr[i] <= '9' && v < INT32_MAX)
                v = v * 10 + (p.ptr[i++] - '0');
            if (i == start || i >= p.len || p.ptr[i] != ']')
                return bad_path(fn, p, "an index must be a number in [ ]", err);
            i++;
            st->key = (velo_str){NULL, 0};
            st->index = v;
            st->index_ok = true;
        } else {
            return bad_path(fn, p, "expected '.' or '['", err);
        }
    }
    *count = n;
    return VELO_OK;
}

/* Whether the raw JSON string span (quotes included) spells `key`. */
static bool key_equals(velo_str raw, velo_str key, velo_arena *arena) {
    velo_str k = {raw.ptr + 1, raw.len - 2};
    if (memchr(k.ptr, '\\', k.len) && !decode_string(raw, arena, &k)) return false;
    return k.len == key.len && memcmp(k.ptr, key.ptr, key.len) == 0;
}

/* Moves *i from the value it is at to the child the step names; false if there is none. A .key
 * of digits addresses an object member of that name, or else an array element. */
static bool step_into(jtext t, uint32_t *i, const path_step *st, velo_arena *arena) {
    ws(t, i);
    if (*i >= t.n) return false;
    char open = t.s[*i];
    if (!(open == '{' && st->key.ptr) && !(open == '[' && st->index_ok)) return false;
    (*i)++;
    for (int64_t k = 0;; k++) {
        ws(t, i);
        if (t.s[*i] == (open == '{' ? '}' : ']')) return false;
        if (open == '{') {
            uint32_t ks = *i;
            skip_string(t, i);
            bool hit = key_equals((velo_str){t.s + ks, *i - ks}, st->key, arena);
            ws(t, i);
            (*i)++; /* ':' (the document was validated) */
            if (hit) return true;
        } else if (k == st->index) {
            return true;
        }
        skip_value(t, i, 0);
        ws(t, i);
        if (t.s[(*i)++] != ',') return false; /* the end of the container: no such child */
    }
}

/* A JSON scalar as the SQL value it spells: a string as VARCHAR, true/false as BOOLEAN, null as
 * NULL, an integer as BIGINT, another number as DECIMAL as written (DOUBLE with an exponent or
 * beyond 38 digits). */
static velo_status scalar_value(velo_str span, velo_arena *arena, velo_value *out, velo_error *err) {
    char c = span.ptr[0];
    if (c == '"') {
        if (!decode_string(span, arena, &span)) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        *out = velo_value_str(span.ptr, span.len);
    } else if (c == 't' || c == 'f') {
        *out = velo_value_bool(c == 't');
    } else if (c == 'n') {
        *out = velo_value_null();
    } else {
        bool exp = memchr(span.ptr, 'e', span.len) || memchr(span.ptr, 'E', span.len);
        velo_decimal d;
        if (!exp && velo_decimal_parse(span.ptr, span.len, &d, NULL) == VELO_OK) {
            if (d.scale == 0 && d.unscaled >= INT64_MIN && d.unscaled <= INT64_MAX)
                *out = velo_value_i64((int64_t)d.unscaled);
            else
                *out = velo_value_dec(d.unscaled, d.precision, d.scale);
        } else {
            char *z = velo_arena_strndup(arena, span.ptr, span.len); /* strtod needs a NUL */
            if (!z) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
            *out = velo_value_f64(strtod(z, NULL));
        }
    }
    return VELO_OK;
}

typedef enum json_fn { J_EXTRACT, J_VALUE, J_QUERY, J_EXISTS } json_fn;
static const char *const json_fn_names[] = {"JSON_EXTRACT", "JSON_VALUE", "JSON_QUERY", "JSON_EXISTS"};

static velo_status json_call(json_fn which, const velo_value *args, velo_arena *arena, velo_value *out,
                             velo_error *err) {
    const char *fn = json_fn_names[which];
    velo_str doc; /* JSON text as given, or a nested value (a JSON-lines object) as its JSON text */
    velo_status st = velo_value_to_text(&args[0], arena, &doc, err);
    if (st) return st;
    if (args[1].type.id != VELO_TYPE_VARCHAR)
        return velo_error_set(err, VELO_ERR_CAST, "%s needs a VARCHAR path", fn);
    path_step steps[PATH_MAX_STEPS];
    uint32_t nsteps = 0;
    if ((st = parse_path(fn, args[1].u.str, steps, &nsteps, err))) return st;
    jtext t = {doc.ptr, doc.len};
    uint32_t i = 0;
    bool valid = skip_value(t, &i, 0);
    ws(t, &i);
    if (!valid || i != t.n)
        return velo_error_set(err, VELO_ERR_INVALID, "%s: the text is not valid JSON (at byte %u)", fn,
                              i + 1);
    i = 0;
    bool found = true;
    for (uint32_t k = 0; found && k < nsteps; k++)
        found = step_into(t, &i, &steps[k], arena);
    if (which == J_EXISTS) {
        *out = velo_value_bool(found);
        return VELO_OK;
    }
    *out = velo_value_null();
    if (!found) return VELO_OK;
    ws(t, &i);
    uint32_t start = i;
    skip_value(t, &i, 0);
    velo_str span = {t.s + start, i - start};
    char c = t.s[start];
    bool container = c == '{' || c == '[';
    if (which == J_EXTRACT && !container) {
        return scalar_value(span, arena, out, err);
    } else if (which == J_EXTRACT || (which == J_QUERY && container)) {
        *out = velo_value_str(span.ptr, span.len);
    } else if (which == J_VALUE && !container && c != 'n') {
        if (c == '"' && !decode_string(span, arena, &span))
            return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        *out = velo_value_str(span.ptr, span.len);
    }
    return VELO_OK;
}

VELO_SCALAR_FN(velo_fn_json_extract) { return json_call(J_EXTRACT, args, arena, out, err); }
VELO_SCALAR_FN(velo_fn_json_value) { return json_call(J_VALUE, args, arena, out, err); }
VELO_SCALAR_FN(velo_fn_json_query) { return json_call(J_QUERY, args, arena, out, err); }
VELO_SCALAR_FN(velo_fn_json_exists) { return json_call(J_EXISTS, args, arena, out, err); }
