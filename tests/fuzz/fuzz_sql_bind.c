/* libFuzzer target for parse + bind: any bytes must go through the parser and the planner
 * (offline, like `velo-cli validate`) without crashing, leaking or tripping the sanitizers, and
 * rendering every diagnostic must work. Row-producing statements also get their plan printed. */
#include <stdint.h>
#include <stdlib.h>

#include "sql/parser.h"
#include "sql/planner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    velo_diags d;
    velo_diags_init(&d);
    velo_sql_script *s = velo_sql_parse("fuzz.sql", (const char *)data, size, &d);
    if (s) {
        velo_planner_options po = {.file = "fuzz.sql"};
        velo_planner *p = velo_planner_new(&po);
        if (p) {
            velo_strbuf out;
            velo_strbuf_init(&out);
            for (uint32_t i = 0; i < s->nstmts; i++) {
                velo_query_plan *qp = NULL;
                if (velo_planner_plan(p, s->stmts[i], &qp, &d) == VELO_OK && qp) {
                    velo_plan_explain_text(qp, &out);
                    velo_plan_explain_json(qp, &out);
                }
                velo_query_plan_free(qp);
            }
            velo_diags_render(&d, "fuzz.sql", (const char *)data, (uint32_t)size, &out);
            velo_strbuf_free(&out);
            velo_planner_free(p);
        }
        velo_sql_script_free(s);
    }
    velo_diags_free(&d);
    return 0;
}
