/* Offline checking and planning of submitted SQL (net/sql_check.h). Two passes: the planner's
 * check_script collects every bind error of every statement; when there are none, each statement
 * is planned again in order to print its plan and to apply the server-job rules. */
#include "net/sql_check.h"

#include <stdio.h>
#include <string.h>

#include "net/job_spec.h"
#include "sql/parser.h"
#include "sql/plan.h"
#include "sql/planner.h"

void velo_sql_check_init(velo_sql_check *c) {
    memset(c, 0, sizeof *c);
    velo_diags_init(&c->diags);
    velo_strbuf_init(&c->plan_text);
    velo_strbuf_init(&c->plan_json);
}

void velo_sql_check_free(velo_sql_check *c) {
    velo_diags_free(&c->diags);
    velo_strbuf_free(&c->plan_text);
    velo_strbuf_free(&c->plan_json);
}

/* Job rules on one parsed statement, before planning. */
static void job_rules(velo_sql_check *c, const sql_stmt *st) {
    const char *so = velo_sql_server_statement(st->kind);
    if (so)
        velo_diags_add(&c->diags, VELO_SEV_ERROR, "job.statement", st->pos.line, st->pos.col,
                       "%s cannot be part of a job: use the REST API (GET /v1/jobs, DELETE /v1/jobs/ID)", so);
    else if (st->kind == SQL_STMT_EXPLAIN)
        velo_diags_add(
            &c->diags, VELO_SEV_ERROR, "job.statement", st->pos.line, st->pos.col,
            "EXPLAIN cannot be part of a job: POST /v1/validate or GET /v1/jobs/ID shows the plan");
}

static void plan_all(velo_sql_check *c, const char *file, const velo_sql_script *script, const velo_kv *binds,
                     bool for_job) {
    /* validating (not a job): an undeclared source is a warning, as in `velo-cli validate` */
    velo_planner_options po = {.file = file, .binds = binds, .undeclared_open = !for_job};
    velo_planner *planner = velo_planner_new(&po);
    if (!planner) {
        velo_diags_add(&c->diags, VELO_SEV_ERROR, "internal", 0, 0, "out of memory");
        return;
    }
    velo_strbuf_putc(&c->plan_json, '[');
    for (uint32_t i = 0; i < script->nstmts; i++) {
        const sql_stmt *st = script->stmts[i];
        if (for_job) job_rules(c, st);
        bool explain = st->kind == SQL_STMT_EXPLAIN; /* already an error in a job: no sink rule */
        if (explain && st->explained) st = st->explained;
        velo_diags scratch; /* check_script reported these already */
        velo_diags_init(&scratch);
        velo_query_plan *qp = NULL;
        velo_status status = velo_planner_plan(planner, st, &qp, &scratch);
        velo_diags_free(&scratch);
        if (status || !qp) {
            velo_query_plan_free(qp);
            continue;
        }
        if (!c->name[0] && qp->name && velo_job_name_valid(qp->name))
            snprintf(c->name, sizeof c->name, "%s", qp->name);
        if (for_job && !explain && !qp->sink_uri)
            velo_diags_add(&c->diags, VELO_SEV_ERROR, "job.stdout_sink", st->pos.line, st->pos.col,
                           "a job's results need a sink: add INTO 'file://...' (standard output belongs "
                           "to the server)");
        if (c->nqueries) {
            velo_strbuf_putc(&c->plan_text, '\n');
            velo_strbuf_putc(&c->plan_json, ',');
        }
        velo_plan_explain_text(qp, &c->plan_text);
        size_t before = c->plan_json.len;
        velo_plan_explain_json(qp, &c->plan_json);
        /* the printer ends its document with a newline: inside an array it is not wanted */
        if (c->plan_json.len > before && c->plan_json.data[c->plan_json.len - 1] == '\n')
            c->plan_json.data[--c->plan_json.len] = '\0';
        c->nqueries++;
        velo_query_plan_free(qp);
    }
    velo_strbuf_putc(&c->plan_json, ']');
    velo_planner_free(planner);
    if (for_job && c->nqueries == 0 && c->diags.nerrors == 0)
        velo_diags_add(
            &c->diags, VELO_SEV_ERROR, "job.no_query", 1, 1,
            "the job has no statement that produces rows (CREATE STREAM ... AS SELECT ... INTO ...)");
}

void velo_sql_check_run(velo_sql_check *c, const char *file, const char *text, size_t len,
                        const velo_kv *binds, bool for_job) {
    if (len > UINT32_MAX) {
        velo_diags_add(&c->diags, VELO_SEV_ERROR, "io.read", 0, 0, "SQL larger than 4 GiB");
        return;
    }
    velo_sql_script *script = velo_sql_parse(file, text, len, &c->diags);
    if (!script) {
        velo_diags_add(&c->diags, VELO_SEV_ERROR, "internal", 0, 0, "out of memory");
        return;
    }
    /* binding a script that did not parse would report the parser's recovery, not the user's SQL */
    if (c->diags.nerrors == 0) {
        velo_planner_options po = {.file = file, .binds = binds, .undeclared_open = !for_job};
        velo_planner *pl = velo_planner_new(&po);
        if (pl) {
            velo_planner_check_script(pl, script, &c->diags);
            velo_planner_free(pl);
        } else {
            velo_diags_add(&c->diags, VELO_SEV_ERROR, "internal", 0, 0, "out of memory");
        }
    }
    if (c->diags.nerrors == 0) plan_all(c, file, script, binds, for_job);
    velo_sql_script_free(script);
}
