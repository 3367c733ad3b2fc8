/* The SQL front end as the server uses it: parse and bind a submitted script offline (nothing is
 * opened, as `velo-cli validate` does), collect every error and warning with its position, and
 * print the plans (the `velo-sql explain` printers) for GET /v1/jobs/{id}. For a job it also
 * rejects what a server job cannot run: EXPLAIN, results to standard output, SHOW/DESCRIBE/... */
#ifndef VELO_NET_SQL_CHECK_H
#define VELO_NET_SQL_CHECK_H

#include <stdbool.h>

#include "connectors/uri.h"
#include "core/strbuf.h"
#include "sql/diag.h"

typedef struct velo_sql_check {
    velo_diags diags;      /* every error and warning of the script */
    velo_strbuf plan_text; /* the plans as `velo-sql explain` prints them */
    velo_strbuf plan_json; /* a JSON array of the plans as `velo-sql explain --format json` */
    char name[65];         /* name of the first named statement ("" if none): a job's default name */
    uint32_t nqueries;     /* row-producing statements */
} velo_sql_check;

void velo_sql_check_init(velo_sql_check *c);
void velo_sql_check_free(velo_sql_check *c);

/* Checks `text` (len bytes; `file` names it in messages). With for_job, server-job rules apply
 * too. Never fails: problems are diagnostics (c->diags.nerrors > 0 means invalid). */
void velo_sql_check_run(velo_sql_check *c, const char *file, const char *text, size_t len,
                        const velo_kv *binds, bool for_job);

#endif
