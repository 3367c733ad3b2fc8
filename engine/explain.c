/* `velo-sql explain` (engine/job.h): parse, plan offline, print. The planner gets no schema
 * resolver, so sources without declared columns are schemaless and nothing is opened: explaining a
 * job is safe against production URIs. Statements are planned in order, as run would, so that
 * declarations and SET reach the queries after them; the first failing statement stops it. */
#include <stdio.h>

#include "core/strbuf.h"
#include "engine/job.h"
#include "sql/diag.h"
#include "sql/parser.h"
#include "sql/plan.h"
#include "sql/planner.h"

static void render(const velo_run_options *opts, const velo_diags *d) {
    if (d->count == 0) return;
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_diags_render(d, opts->file, opts->text, (uint32_t)opts->text_len, &sb);
    fputs(sb.data, opts->diag_out);
    velo_strbuf_free(&sb);
}

int velo_explain_script(const velo_run_options *opts, bool json) {
    velo_diags diags;
    velo_diags_init(&diags);
    int code = VELO_EXIT_OK;
    velo_sql_script *script = velo_sql_parse(opts->file, opts->text, opts->text_len, &diags);
    if (!script || diags.nerrors) {
        render(opts, &diags);
        if (!script) fputs("velo-sql: out of memory\n", opts->diag_out);
        code = VELO_EXIT_SQL_ERROR;
        goto out;
    }
    velo_planner_options po = {.file = opts->file, .binds = &opts->binds};
    velo_planner *planner = velo_planner_new(&po);
    if (!planner) {
        fputs("velo-sql: out of memory\n", opts->diag_out);
        code = VELO_EXIT_SQL_ERROR;
        goto out;
    }
    velo_strbuf out;
    velo_strbuf_init(&out);
    uint32_t printed = 0;
    for (uint32_t i = 0; i < script->nstmts && code == VELO_EXIT_OK; i++) {
        const sql_stmt *st = script->stmts[i];
        if (st->kind == SQL_STMT_EXPLAIN && st->explained) st = st->explained;
        velo_diags sd;
        velo_diags_init(&sd);
        velo_query_plan *qp = NULL;
        velo_status status = velo_planner_plan(planner, st, &qp, &sd);
        render(opts, &sd); /* warnings too: explain is where one looks at unbounded state */
        if (status || sd.nerrors) {
            code = VELO_EXIT_SQL_ERROR;
        } else if (qp) {
            velo_strbuf_clear(&out);
            if (json) {
                velo_plan_explain_json(qp, &out);
            } else {
                if (printed) velo_strbuf_putc(&out, '\n');
                velo_plan_explain_text(qp, &out);
                if (opts->cores) velo_explain_cores(qp, opts->cores, &out);
            }
            fwrite(out.data, 1, out.len, stdout);
            printed++;
        }
        if (qp) velo_query_plan_free(qp);
        velo_diags_free(&sd);
    }
    velo_strbuf_free(&out);
    velo_planner_free(planner);
out:
    if (script) velo_sql_script_free(script);
    velo_diags_free(&diags);
    return code;
}
