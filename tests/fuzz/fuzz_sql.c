/* libFuzzer target for the SQL front end: any bytes must lex and parse without crashing, and a
 * script that parses without errors must print to text that parses to the same printed text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/parser.h"

static void print_script(const velo_sql_script *s, velo_strbuf *o) {
    for (uint32_t i = 0; i < s->nstmts; i++) {
        velo_sql_print_stmt(s->stmts[i], o);
        velo_strbuf_puts(o, ";\n");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    velo_diags d;
    velo_diags_init(&d);
    velo_sql_script *s = velo_sql_parse("fuzz", (const char *)data, size, &d);
    velo_strbuf out;
    velo_strbuf_init(&out);
    velo_diags_render(&d, "fuzz", (const char *)data, (uint32_t)size, &out);
    if (s && d.nerrors == 0) {
        velo_strbuf p1, p2;
        velo_strbuf_init(&p1);
        velo_strbuf_init(&p2);
        print_script(s, &p1);
        velo_diags d2;
        velo_diags_init(&d2);
        velo_sql_script *s2 = velo_sql_parse("printed", p1.data ? p1.data : "", p1.len, &d2);
        if (!s2) abort();
        print_script(s2, &p2);
        if (d2.nerrors || s2->nstmts != s->nstmts || p1.len != p2.len ||
            (p1.len && memcmp(p1.data, p2.data, p1.len))) {
            fprintf(stderr, "round trip mismatch\n--- first print:\n%s\n--- second print:\n%s\n",
                    p1.data ? p1.data : "", p2.data ? p2.data : "");
            if (d2.count) fprintf(stderr, "error: %s\n", d2.items[0].message);
            abort();
        }
        velo_sql_script_free(s2);
        velo_diags_free(&d2);
        velo_strbuf_free(&p1);
        velo_strbuf_free(&p2);
    }
    velo_strbuf_free(&out);
    velo_sql_script_free(s);
    velo_diags_free(&d);
    return 0;
}
