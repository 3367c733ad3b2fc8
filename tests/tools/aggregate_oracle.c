/* Line-oriented driver for the aggregate property test (tests/property/aggregate_property.py): one
 * aggregate over DECIMAL(38,S) values per line on stdin, one result line out, so Python's decimal
 * module can check thousands of groups against a single process. Lines:
 *   sum|avg|median S V1 V2 ...      -> the result as canonical text at the catalog's result scale
 *   pct S F V1 V2 ...               -> PERCENTILE_CONT(F) (F as strtod text)
 * Each group is fed in two halves that are merged, so merge is checked too. Errors print
 * "ERR OVERFLOW" or "ERR <status name>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/aggregate.h"
#include "core/decimal.h"
#include "sql/catalog.h"

#define MAXV 4096

static const char *const names[][2] = {
    {"sum", "SUM"}, {"avg", "AVG"}, {"median", "MEDIAN"}, {"pct", "PERCENTILE_CONT"}};

static void print_error(const velo_error *err) {
    if (err->code == VELO_ERR_OVERFLOW)
        puts("ERR OVERFLOW");
    else
        printf("ERR %s %s\n", velo_status_name(err->code), err->message);
}

/* Runs one line; returns after printing its result. */
static void run(char *line) {
    char *save = NULL, *op = strtok_r(line, " \n", &save), *sc = strtok_r(NULL, " \n", &save);
    if (!op || !sc) return (void)puts("ERR usage");
    const char *name = NULL;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(op, names[i][0])) name = names[i][1];
    if (!name) return (void)puts("ERR usage");
    velo_type args[2] = {velo_type_decimal(38, (uint8_t)atoi(sc)), velo_type_make(VELO_TYPE_DOUBLE)};
    uint32_t nargs = 1;
    velo_value consts[2] = {velo_value_null(), velo_value_null()};
    if (!strcmp(op, "pct")) {
        char *f = strtok_r(NULL, " \n", &save);
        if (!f) return (void)puts("ERR usage");
        consts[1] = velo_value_f64(strtod(f, NULL));
        nargs = 2;
    }
    velo_type res;
    velo_error err;
    if (!velo_function_check(velo_function_lookup(name), args, nargs, &res, err.message, sizeof err.message))
        return (void)printf("ERR %s\n", err.message);
    velo_agg_desc d;
    if (velo_agg_desc_make(name, args, nargs, false, res, consts, &d, &err)) return print_error(&err);
    velo_vector v, out;
    velo_vector_init(&v, args[0], MAXV, &err);
    velo_vector_init(&out, res, 1, &err);
    uint32_t n = 0, rows[MAXV];
    void *a = calloc(1, d.state_size), *b = calloc(1, d.state_size), *states[MAXV];
    for (char *t; n < MAXV && (t = strtok_r(NULL, " \n", &save)); n++) {
        if (velo_decimal_parse_as(t, strlen(t), 38, args[0].scale, &VELO_VEC(&v, velo_i128)[n], &err)) {
            print_error(&err);
            goto done;
        }
        velo_vector_set_valid(&v, n);
        rows[n] = n;
    }
    uint32_t half = n / 2;
    for (uint32_t i = 0; i < n; i++)
        states[i] = i < half ? a : b;
    velo_arena arena;
    velo_arena_init(&arena, 256);
    velo_status st = d.update(&d, states, &v, rows, n, &err);
    if (!st) st = d.merge(&d, a, b, &err);
    if (!st) st = d.finalize(&d, a, &out, 0, &arena, &err);
    if (st) {
        print_error(&err);
    } else if (!velo_vector_is_valid(&out, 0)) {
        puts("NULL");
    } else {
        char buf[VELO_DECIMAL_STR_MAX];
        velo_decimal_format(VELO_VEC(&out, velo_i128)[0], res.scale, buf);
        puts(buf);
    }
    velo_arena_free(&arena);
done:
    if (d.destroy) d.destroy(&d, a), d.destroy(&d, b);
    free(a), free(b);
    velo_vector_free(&v), velo_vector_free(&out);
}

int main(void) {
    static char line[1 << 20];
    while (fgets(line, sizeof line, stdin)) {
        run(line);
        fflush(stdout);
    }
    return 0;
}
