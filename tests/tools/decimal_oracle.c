/* Line-oriented driver for the DECIMAL property test (tests/property/decimal_property.py): reads one
 * operation per line on stdin and prints one result line, so a reference implementation can check
 * hundreds of thousands of cases against a single process. Operations:
 *   add|sub|mul|div|mod A B   -> "<value> DECIMAL(p,s)" in the result type of velo_decimal_result_type
 *   cmp A B                   -> -1, 0 or 1
 *   parse TEXT                -> "<value> DECIMAL(p,s)" (TEXT is the rest of the line, spaces kept)
 *   parse_as P S TEXT         -> "<value>"
 *   rescale A P S             -> "<value>"
 *   to_i64 A                  -> integer
 *   from_i64 V P S            -> "<value>"
 *   from_double P S X         -> "<value>" (X is any strtod text, e.g. a hex float)
 *   to_double A               -> "%.17g" of the double
 * Errors print "ERR OVERFLOW", "ERR DIV_ZERO", "ERR CAST" (or "ERR <status name>"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decimal.h"

static int usage(void) { return puts("ERR usage"); }

static int print_error(const velo_error *err) {
    switch (err->code) {
    case VELO_ERR_OVERFLOW: puts("ERR OVERFLOW"); break;
    case VELO_ERR_DIV_ZERO: puts("ERR DIV_ZERO"); break;
    case VELO_ERR_CAST: puts("ERR CAST"); break;
    default: printf("ERR %s\n", velo_status_name(err->code)); break;
    }
    return 0;
}

static void print_value(velo_i128 v, uint8_t scale) {
    char buf[VELO_DECIMAL_STR_MAX];
    velo_decimal_format(v, scale, buf);
    puts(buf);
}

static void print_typed(velo_i128 v, uint8_t p, uint8_t s) {
    char buf[VELO_DECIMAL_STR_MAX];
    velo_decimal_format(v, s, buf);
    printf("%s DECIMAL(%d,%d)\n", buf, p, s);
}

/* Splits off the next space-separated word; returns NULL when there is none. */
static char *next_word(char **cursor) {
    char *p = *cursor;
    while (*p == ' ')
        p++;
    if (!*p) return NULL;
    char *w = p;
    while (*p && *p != ' ')
        p++;
    if (*p) *p++ = '\0';
    *cursor = p;
    return w;
}

static velo_status parse_word(char **cursor, velo_decimal *d, velo_error *err) {
    char *w = next_word(cursor);
    if (!w) return velo_error_set(err, VELO_ERR_INVALID, "missing operand");
    return velo_decimal_parse(w, strlen(w), d, err);
}

static int type_args(char **cursor, uint8_t *p, uint8_t *s) {
    char *wp = next_word(cursor), *ws = next_word(cursor);
    if (!wp || !ws) return -1;
    *p = (uint8_t)atoi(wp);
    *s = (uint8_t)atoi(ws);
    return 0;
}

static void run_arith(velo_decimal_op op, char *rest) {
    velo_error err;
    velo_decimal a = {0}, b = {0};
    uint8_t p, s;
    velo_i128 r;
    if (parse_word(&rest, &a, &err) || parse_word(&rest, &b, &err) ||
        velo_decimal_result_type(op, a.precision, a.scale, b.precision, b.scale, &p, &s, &err) ||
        velo_decimal_arith(op, a, b, p, s, &r, &err)) {
        print_error(&err);
        return;
    }
    print_typed(r, p, s);
}

static int run_line(char *line) {
    char *rest = line;
    char *cmd = next_word(&rest);
    velo_error err;
    velo_decimal a = {0}, b = {0};
    velo_i128 r;
    uint8_t p, s;
    if (!cmd) {
        return puts("ERR empty line");
    }
    static const struct {
        const char *name;
        velo_decimal_op op;
    } ariths[] = {{"add", VELO_DEC_ADD},
                  {"sub", VELO_DEC_SUB},
                  {"mul", VELO_DEC_MUL},
                  {"div", VELO_DEC_DIV},
                  {"mod", VELO_DEC_MOD}};
    for (size_t i = 0; i < sizeof ariths / sizeof ariths[0]; i++) {
        if (strcmp(cmd, ariths[i].name) == 0) {
            run_arith(ariths[i].op, rest);
            return 0;
        }
    }
    if (strcmp(cmd, "cmp") == 0) {
        if (parse_word(&rest, &a, &err) || parse_word(&rest, &b, &err)) return print_error(&err);
        printf("%d\n", velo_decimal_cmp(a.unscaled, a.scale, b.unscaled, b.scale));
    } else if (strcmp(cmd, "parse") == 0) {
        if (velo_decimal_parse(rest, strlen(rest), &a, &err)) return print_error(&err);
        print_typed(a.unscaled, a.precision, a.scale);
    } else if (strcmp(cmd, "parse_as") == 0) {
        if (type_args(&rest, &p, &s)) return usage();
        if (velo_decimal_parse_as(rest, strlen(rest), p, s, &r, &err)) return print_error(&err);
        print_value(r, s);
    } else if (strcmp(cmd, "rescale") == 0) {
        if (parse_word(&rest, &a, &err)) return print_error(&err);
        if (type_args(&rest, &p, &s)) return usage();
        if (velo_decimal_rescale(a.unscaled, a.scale, p, s, &r, &err)) return print_error(&err);
        print_value(r, s);
    } else if (strcmp(cmd, "to_i64") == 0) {
        int64_t v;
        if (parse_word(&rest, &a, &err) || velo_decimal_to_i64(a.unscaled, a.scale, &v, &err))
            return print_error(&err);
        printf("%lld\n", (long long)v);
    } else if (strcmp(cmd, "from_i64") == 0) {
        char *w = next_word(&rest);
        if (!w || type_args(&rest, &p, &s)) return usage();
        if (velo_decimal_from_i64(strtoll(w, NULL, 10), p, s, &r, &err)) return print_error(&err);
        print_value(r, s);
    } else if (strcmp(cmd, "from_double") == 0) {
        if (type_args(&rest, &p, &s)) return usage();
        char *w = next_word(&rest);
        if (!w) return usage();
        if (velo_decimal_from_double(strtod(w, NULL), p, s, &r, &err)) return print_error(&err);
        print_value(r, s);
    } else if (strcmp(cmd, "to_double") == 0) {
        if (parse_word(&rest, &a, &err)) return print_error(&err);
        printf("%.17g\n", velo_decimal_to_double(a.unscaled, a.scale));
    } else {
        printf("ERR unknown operation '%s'\n", cmd);
    }
    return 0;
}

int main(void) {
    static char line[8192];
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
        run_line(line);
    }
    return 0;
}
