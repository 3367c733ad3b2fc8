/* Running a SQL script (engine/job.h). One statement at a time: declarations register named
 * sources; each query becomes source -> [filter] -> project -> sink and runs until its bounded
 * input ends. Relative file paths in URIs resolve against the folder of the SQL file. */
#include "engine/job.h"

#include <libgen.h>
#include <limits.h>
#include <mimalloc.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connectors/connector.h"
#include "connectors/formats/format.h"
#include "core/operator.h"
#include "core/strbuf.h"
#include "sql/binder.h"
#include "sql/parser.h"

/* A source declared in the script: CREATE STREAM|TABLE name (cols) WITH ('uri'=...). */
typedef struct declared_source {
    char *name;
    char *uri;
    velo_kv options;
    velo_schema *schema;
} declared_source;

typedef struct run_state {
    const velo_run_options *opts;
    const velo_sql_script *script;
    char base_dir[PATH_MAX];
    declared_source *decls;
    uint32_t ndecls;
    velo_kv settings; /* SET 'k'='v' */
    velo_run_report *report;
} run_state;

static void print_error(run_state *rs, const velo_error *err) {
    if (err->line) {
        velo_diags d;
        velo_diags_init(&d);
        velo_diags_add(&d, VELO_SEV_ERROR, "run", err->line, err->col, "%s", err->message);
        velo_strbuf sb;
        velo_strbuf_init(&sb);
        velo_diags_render(&d, rs->opts->file, rs->opts->text, (uint32_t)rs->opts->text_len, &sb);
        fputs(sb.data, rs->opts->diag_out);
        velo_strbuf_free(&sb);
        velo_diags_free(&d);
    } else {
        fprintf(rs->opts->diag_out, "velo-sql: error: %s\n", err->message);
    }
}

static int exit_code_for(velo_status st) {
    switch (st) {
    case VELO_ERR_PARSE:
    case VELO_ERR_BIND:
    case VELO_ERR_UNSUPPORTED: return VELO_EXIT_SQL_ERROR;
    case VELO_ERR_NOT_FOUND:
    case VELO_ERR_IO:
    case VELO_ERR_INVALID: return VELO_EXIT_IO_ERROR;
    default: return VELO_EXIT_RUNTIME_ERROR;
    }
}

static void add_props(velo_kv *kv, const sql_props *p) {
    for (uint32_t i = 0; i < p->count; i++) velo_kv_set(kv, p->items[i].key, p->items[i].value);
}

static declared_source *find_decl(run_state *rs, const char *name) {
    for (uint32_t i = 0; i < rs->ndecls; i++)
        if (strcasecmp(rs->decls[i].name, name) == 0) return &rs->decls[i];
    return NULL;
}

static velo_status declare_source(run_state *rs, const sql_stmt *st, velo_error *err) {
    velo_kv opts;
    velo_kv_init(&opts);
    add_props(&opts, &st->with);
    const char *uri = velo_kv_get(&opts, "uri");
    if (!uri) {
        velo_kv_free(&opts);
        return velo_error_set_at(err, VELO_ERR_BIND, st->pos.line, st->pos.col,
                                 "source '%s' needs a 'uri' property, e.g. WITH ('uri'='file://in.csv')", st->name);
    }
    declared_source *d = mi_realloc(rs->decls, sizeof *d * (rs->ndecls + 1));
    if (!d) {
        velo_kv_free(&opts);
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    }
    rs->decls = d;
    d = &rs->decls[rs->ndecls++];
    d->name = mi_strdup(st->name);
    d->uri = mi_strdup(uri);
    d->options = opts;
    d->schema = NULL;
    if (st->ncolumns) {
        d->schema = velo_schema_new(st->ncolumns);
        for (uint32_t i = 0; i < st->ncolumns; i++)
            velo_schema_set(d->schema, i, st->columns[i].name, st->columns[i].type->type);
    }
    return VELO_OK;
}

/* The URI and options a FROM item or INTO target refers to. */
typedef struct endpoint {
    velo_uri uri;
    velo_kv options;
    const velo_schema *declared;
    char name[256];
} endpoint;

static velo_status resolve_endpoint(run_state *rs, const char *text, bool is_uri, const sql_pos *pos,
                                    const velo_kv *job_options, endpoint *ep, velo_error *err) {
    memset(ep, 0, sizeof *ep);
    velo_kv_init(&ep->options);
    const char *uri_text = text;
    const velo_kv *decl_opts = NULL;
    if (!is_uri) {
        const char *bound = velo_kv_get(&rs->opts->binds, text);
        declared_source *d = bound ? NULL : find_decl(rs, text);
        if (bound) uri_text = bound;
        else if (d) {
            uri_text = d->uri;
            decl_opts = &d->options;
            ep->declared = d->schema;
        } else {
            return velo_error_set_at(err, VELO_ERR_BIND, pos->line, pos->col,
                                     "unknown source '%s'; declare it with CREATE STREAM %s (...) WITH ('uri'='...') "
                                     "or pass --bind %s=URI",
                                     text, text, text);
        }
    }
    snprintf(ep->name, sizeof ep->name, "%s", text);
    velo_status st = velo_uri_parse(uri_text, &ep->uri, err);
    if (st) {
        if (err && pos) {
            err->line = pos->line;
            err->col = pos->col;
        }
        return st;
    }
    /* messages name a file the way its reader does: "in.csv:3", not "file://in.csv?format=csv:3" */
    if (is_uri && !strcmp(ep->uri.scheme, "file")) snprintf(ep->name, sizeof ep->name, "%s", ep->uri.path);
    for (uint32_t i = 0; i < ep->uri.params.count; i++)
        velo_kv_set(&ep->options, ep->uri.params.items[i].key, ep->uri.params.items[i].value);
    if (decl_opts)
        for (uint32_t i = 0; i < decl_opts->count; i++)
            velo_kv_set(&ep->options, decl_opts->items[i].key, decl_opts->items[i].value);
    if (job_options)
        for (uint32_t i = 0; i < job_options->count; i++)
            velo_kv_set(&ep->options, job_options->items[i].key, job_options->items[i].value);
    return VELO_OK;
}

static void endpoint_free(endpoint *ep) {
    velo_uri_free(&ep->uri);
    velo_kv_free(&ep->options);
}

/* ---- row errors -> dead-letter queue ---- */

typedef struct dlq_ctx {
    velo_dlq *dlq;
    const velo_schema *input;
    const char *source_name;
    bool fail_job;
    uint64_t row_errors; /* rows that decoded but failed to evaluate */
    velo_strbuf buf;
} dlq_ctx;

static velo_status on_row_error(void *ud, const velo_batch *b, uint32_t row, const char *message, velo_error *err) {
    dlq_ctx *d = ud;
    if (d->fail_job)
        return velo_error_set(err, VELO_ERR_ROW, "%s (row from %s line %lld; 'on.error'='fail')", message,
                              d->source_name, (long long)b->origin[row]);
    d->row_errors++;
    velo_strbuf_clear(&d->buf);
    velo_strbuf_putc(&d->buf, '{');
    bool first = true;
    for (uint32_t c = 0; c < d->input->ncols && c < b->ncols; c++) {
        if (d->input->fields[c].hidden) continue;
        if (!first) velo_strbuf_putc(&d->buf, ',');
        first = false;
        velo_format_json_string(d->input->fields[c].name, (uint32_t)strlen(d->input->fields[c].name), &d->buf);
        velo_strbuf_putc(&d->buf, ':');
        velo_format_json_value(&b->cols[c], row, &d->buf);
    }
    velo_strbuf_putc(&d->buf, '}');
    velo_dlq_put(d->dlq, d->source_name, b->origin[row], message, d->buf.data, (uint32_t)d->buf.len);
    return VELO_OK;
}

/* ---- sink adapter ---- */

static velo_status sink_write(void *ud, const velo_batch *b, velo_error *err) {
    velo_sink *s = ud;
    return s->ops->write(s, b, err);
}
static velo_status sink_flush(void *ud, velo_error *err) {
    velo_sink *s = ud;
    return s->ops->flush(s, err);
}

static const char *stmt_label(const sql_stmt *st) { return st->name ? st->name : "query"; }

/* Runs one query: FROM source [WHERE] SELECT ... INTO sink. */
static velo_status run_query(run_state *rs, const sql_stmt *st, const sql_query *q, velo_error *err) {
    const sql_pos *qpos = &q->pos;
    if (q->nselects != 1)
        return velo_error_set_at(err, VELO_ERR_UNSUPPORTED, q->selects[1]->pos.line, q->selects[1]->pos.col,
                                 "UNION is not supported yet");
    if (q->norder)
        return velo_error_set_at(err, VELO_ERR_UNSUPPORTED, q->order_by[0].expr->pos.line,
                                 q->order_by[0].expr->pos.col, "ORDER BY is not supported yet");
    if (q->limit)
        return velo_error_set_at(err, VELO_ERR_UNSUPPORTED, q->limit->pos.line, q->limit->pos.col,
                                 "LIMIT is not supported yet");
    const sql_select *sel = q->selects[0];
    if (!sel->from)
        return velo_error_set_at(err, VELO_ERR_UNSUPPORTED, sel->pos.line, sel->pos.col,
                                 "SELECT without FROM is not supported yet");
    if (sel->from->kind == SQL_SOURCE_SUBQUERY)
        return velo_error_set_at(err, VELO_ERR_UNSUPPORTED, sel->from->pos.line, sel->from->pos.col,
                                 "FROM (subquery) is not supported yet");

    velo_kv job_options;
    velo_kv_init(&job_options);
    for (uint32_t i = 0; i < rs->settings.count; i++)
        velo_kv_set(&job_options, rs->settings.items[i].key, rs->settings.items[i].value);
    add_props(&job_options, &st->with);
    add_props(&job_options, &q->with);

    velo_status status = VELO_OK;
    endpoint src_ep, sink_ep;
    bool have_src = false, have_sink = false;
    velo_dlq dlq = {0};
    bool have_dlq = false;
    velo_source *source = NULL;
    velo_sink *sink = NULL;
    velo_operator *chain = NULL;
    velo_batch *batch = NULL;
    velo_bound_select bound = {0};
    velo_diags diags;
    velo_diags_init(&diags);
    dlq_ctx dctx = {0};
    velo_strbuf_init(&dctx.buf);

    const sql_source *from = sel->from;
    status = resolve_endpoint(rs, from->kind == SQL_SOURCE_URI ? from->uri : from->name, from->kind == SQL_SOURCE_URI,
                              &from->pos, &job_options, &src_ep, err);
    if (status) goto done;
    have_src = true;

    const char *on_error = velo_kv_get_or(&job_options, "on.error", "dlq");
    if (strcasecmp(on_error, "dlq") && strcasecmp(on_error, "skip") && strcasecmp(on_error, "fail")) {
        status = velo_error_set(err, VELO_ERR_INVALID, "'on.error' must be dlq, skip or fail, found '%s'", on_error);
        goto done;
    }
    const char *dlq_uri = strcasecmp(on_error, "dlq") == 0 ? velo_kv_get(&job_options, "dlq") : NULL;
    if ((status = velo_dlq_open(&dlq, dlq_uri, rs->base_dir, err))) goto done;
    have_dlq = true;

    const velo_source_ops *sops = velo_source_lookup(src_ep.uri.scheme);
    if (!sops) {
        status = velo_scheme_is_planned(src_ep.uri.scheme)
                     ? velo_error_set_at(err, VELO_ERR_UNSUPPORTED, from->pos.line, from->pos.col,
                                         "%s:// sources are not supported yet", src_ep.uri.scheme)
                     : velo_error_set_at(err, VELO_ERR_BIND, from->pos.line, from->pos.col,
                                         "unknown source scheme '%s://' in '%s'", src_ep.uri.scheme, src_ep.uri.text);
        goto done;
    }
    velo_connector_args sargs = {.uri = &src_ep.uri,
                                 .options = &src_ep.options,
                                 .base_dir = rs->base_dir,
                                 .declared = src_ep.declared,
                                 .dlq = &dlq,
                                 .name = src_ep.name};
    if ((status = sops->open(&sargs, &source, err))) goto done;
    const velo_schema *in_schema = sops->schema(source);

    velo_bound_source bsrc = {.schema = in_schema,
                              .open = false,
                              .alias = from->alias ? from->alias : (from->kind == SQL_SOURCE_NAME ? from->name : NULL)};
    status = velo_bind_select(sel, &bsrc, rs->opts->file, &bound, &diags);
    if (status || diags.nerrors) {
        velo_strbuf sb;
        velo_strbuf_init(&sb);
        velo_diags_render(&diags, rs->opts->file, rs->opts->text, (uint32_t)rs->opts->text_len, &sb);
        fputs(sb.data, rs->opts->diag_out);
        velo_strbuf_free(&sb);
        if (!status) status = VELO_ERR_BIND;
        velo_error_set(err, status, "%s", "");
        err->message[0] = '\0'; /* already printed */
        goto done;
    }

    /* sink: INTO 'uri' / INTO name, or JSON lines on stdout */
    if (q->into) {
        sql_pos ipos = q->pos;
        if ((status = resolve_endpoint(rs, q->into, q->into_is_uri, &ipos, &job_options, &sink_ep, err))) goto done;
    } else {
        memset(&sink_ep, 0, sizeof sink_ep);
        velo_kv_init(&sink_ep.options);
        if ((status = velo_uri_parse("stdout://", &sink_ep.uri, err))) goto done;
        for (uint32_t i = 0; i < job_options.count; i++)
            velo_kv_set(&sink_ep.options, job_options.items[i].key, job_options.items[i].value);
        snprintf(sink_ep.name, sizeof sink_ep.name, "stdout");
    }
    have_sink = true;
    const velo_sink_ops *kops = velo_sink_lookup(sink_ep.uri.scheme);
    if (!kops) {
        status = velo_scheme_is_planned(sink_ep.uri.scheme)
                     ? velo_error_set_at(err, VELO_ERR_UNSUPPORTED, qpos->line, qpos->col,
                                         "%s:// sinks are not supported yet", sink_ep.uri.scheme)
                     : velo_error_set_at(err, VELO_ERR_BIND, qpos->line, qpos->col, "unknown sink scheme '%s://'",
                                         sink_ep.uri.scheme);
        goto done;
    }
    velo_connector_args kargs = {.uri = &sink_ep.uri,
                                 .options = &sink_ep.options,
                                 .base_dir = rs->base_dir,
                                 .declared = NULL,
                                 .dlq = &dlq,
                                 .name = sink_ep.name};
    if ((status = kops->open(&kargs, bound.output, &sink, err))) goto done;

    /* operator chain: [filter] -> project -> sink */
    dctx.dlq = &dlq;
    dctx.input = in_schema;
    dctx.source_name = src_ep.name;
    dctx.fail_job = strcasecmp(on_error, "fail") == 0;
    velo_row_error_handler h = {on_row_error, &dctx};
    const uint32_t cap = VELO_BATCH_DEFAULT_CAPACITY;
    velo_operator *sink_op = velo_sink_op_new((velo_sink_fns){sink_write, sink_flush, sink});
    velo_operator *proj = velo_project_new(bound.projections, bound.nprojections, bound.output, cap, rs->opts->file, h);
    if (proj) bound.nprojections = 0; /* the projection owns the expressions now */
    velo_operator *filt = NULL;
    if (bound.filter) {
        filt = velo_filter_new(bound.filter, cap, rs->opts->file, h);
        if (filt) bound.filter = NULL;
    }
    if (!sink_op || !proj || (sel->where && !filt)) {
        velo_operator_destroy_chain(sink_op);
        velo_operator_destroy_chain(proj);
        velo_operator_destroy_chain(filt);
        status = velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the operators");
        goto done;
    }
    proj->next = sink_op;
    chain = proj;
    if (filt) {
        filt->next = proj;
        chain = filt;
    }

    batch = velo_batch_new(in_schema, cap);
    if (!batch) {
        status = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto done;
    }
    bool eof = false;
    while (!eof) {
        velo_batch_reset(batch);
        if ((status = sops->poll(source, batch, &eof, err))) goto done;
        if (batch->count == 0) continue;
        if ((status = velo_operator_push(chain, batch, err))) goto done;
    }
    if ((status = velo_operator_finish(chain, err))) goto done;

    /* records read = rows decoded + records the decoder rejected */
    uint64_t rows_read = chain->rows_in + (dlq.count - dctx.row_errors);
    rs->report->rows_in += rows_read;
    rs->report->rows_out += sink_op->rows_out;
    rs->report->rows_rejected += dlq.count;
    rs->report->jobs++;
    if (!rs->opts->quiet) {
        fprintf(rs->opts->diag_out, "velo-sql: %s: %llu rows read, %llu written, %llu rejected%s%s%s\n", stmt_label(st),
                (unsigned long long)rows_read, (unsigned long long)sink_op->rows_out,
                (unsigned long long)dlq.count, dlq.count && dlq.path ? " (dead-letter queue: " : "",
                dlq.count && dlq.path ? dlq.path : "", dlq.count && dlq.path ? ")" : "");
    }

done:
    velo_operator_destroy_chain(chain);
    if (sink) sink->ops->close(sink);
    if (source) source->ops->close(source);
    velo_batch_free(batch);
    velo_bound_select_free(&bound);
    velo_diags_free(&diags);
    if (have_dlq) velo_dlq_close(&dlq);
    if (have_src) endpoint_free(&src_ep);
    if (have_sink) endpoint_free(&sink_ep);
    velo_strbuf_free(&dctx.buf);
    velo_kv_free(&job_options);
    return status;
}

static velo_status run_stmt(run_state *rs, const sql_stmt *st, velo_error *err) {
    switch (st->kind) {
    case SQL_STMT_SELECT:
    case SQL_STMT_CREATE_STREAM_AS: return run_query(rs, st, st->query, err);
    case SQL_STMT_CREATE_SOURCE: return declare_source(rs, st, err);
    case SQL_STMT_SET:
        add_props(&rs->settings, &st->with);
        return VELO_OK;
    case SQL_STMT_CREATE_TABLE_AS:
        return velo_error_set_at(err, VELO_ERR_UNSUPPORTED, st->pos.line, st->pos.col,
                                 "CREATE TABLE ... AS SELECT is not supported yet");
    case SQL_STMT_INSERT:
        return velo_error_set_at(err, VELO_ERR_UNSUPPORTED, st->pos.line, st->pos.col, "INSERT is not supported yet");
    default:
        return velo_error_set_at(err, VELO_ERR_UNSUPPORTED, st->pos.line, st->pos.col,
                                 "this statement is not supported by 'velo-sql run' yet");
    }
}

int velo_run_script(const velo_run_options *opts, velo_run_report *report) {
    memset(report, 0, sizeof *report);
    run_state rs = {.opts = opts, .report = report};
    velo_kv_init(&rs.settings);
    if (strcmp(opts->file, "-") == 0) {
        snprintf(rs.base_dir, sizeof rs.base_dir, ".");
    } else {
        char tmp[PATH_MAX];
        if (!realpath(opts->file, tmp)) snprintf(tmp, sizeof tmp, "%s", opts->file);
        snprintf(rs.base_dir, sizeof rs.base_dir, "%s", dirname(tmp));
    }

    velo_diags diags;
    velo_diags_init(&diags);
    velo_sql_script *script = velo_sql_parse(opts->file, opts->text, opts->text_len, &diags);
    int code = VELO_EXIT_OK;
    if (!script || diags.nerrors) {
        velo_strbuf sb;
        velo_strbuf_init(&sb);
        velo_diags_render(&diags, opts->file, opts->text, (uint32_t)opts->text_len, &sb);
        fputs(sb.data ? sb.data : "velo-sql: out of memory\n", opts->diag_out);
        velo_strbuf_free(&sb);
        code = VELO_EXIT_SQL_ERROR;
        goto out;
    }
    rs.script = script;
    for (uint32_t i = 0; i < script->nstmts; i++) {
        velo_error err;
        velo_error_clear(&err);
        velo_status st = run_stmt(&rs, script->stmts[i], &err);
        if (st) {
            if (err.message[0]) print_error(&rs, &err);
            code = exit_code_for(st);
            goto out;
        }
    }
    if (report->rows_rejected) code = VELO_EXIT_ROWS_REJECTED;
out:
    for (uint32_t i = 0; i < rs.ndecls; i++) {
        mi_free(rs.decls[i].name);
        mi_free(rs.decls[i].uri);
        velo_kv_free(&rs.decls[i].options);
        velo_schema_free(rs.decls[i].schema);
    }
    mi_free(rs.decls);
    velo_kv_free(&rs.settings);
    if (script) velo_sql_script_free(script);
    velo_diags_free(&diags);
    return code;
}
