/* Running a SQL script (engine/job.h). The planner (sql/planner.h) binds one statement at a time,
 * asking us for the schema of each source (we open the connector to read it: CSV header and
 * inference); each row-producing plan that the engine can run today (source -> [filter] -> project
 * -> sink) runs until its bounded input ends, and every other plan is reported as not supported yet
 * at the SQL position of the node that is missing. Relative file paths in URIs resolve against the
 * folder of the SQL file. */
#include "engine/job.h"

#include <libgen.h>
#include <limits.h>
#include <mimalloc.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "connectors/connector.h"
#include "connectors/formats/format.h"
#include "core/analytic_op.h"
#include "core/distinct_op.h"
#include "core/group_op.h"
#include "core/operator.h"
#include "core/sort_op.h"
#include "core/strbuf.h"
#include "sql/parser.h"
#include "sql/planner.h"

typedef struct run_state {
    const velo_run_options *opts;
    char base_dir[PATH_MAX];
    velo_run_report *report;
    velo_status resolve_status; /* why the last source could not be resolved (IO: exit code 2) */
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

/* ---- row errors -> dead-letter queue ---- */

typedef struct dlq_ctx {
    velo_dlq *dlq;
    const velo_schema *input;
    const char *source_name;
    bool fail_job;
    uint64_t row_errors; /* rows that decoded but failed to evaluate */
    velo_strbuf buf;
    const uint8_t *used; /* columns of `input` the query reads (the others were not decoded), or NULL */
} dlq_ctx;

static velo_status on_row_error(void *ud, const velo_batch *b, uint32_t row, const char *message,
                                velo_error *err) {
    dlq_ctx *d = ud;
    if (d->fail_job)
        return velo_error_set(err, VELO_ERR_ROW, "%s (row from %s line %lld; 'on.error'='fail')", message,
                              d->source_name, (long long)b->origin[row]);
    d->row_errors++;
    velo_strbuf_clear(&d->buf);
    velo_strbuf_putc(&d->buf, '{');
    bool first = true;
    for (uint32_t c = 0; c < d->input->ncols && c < b->ncols; c++) {
        if (d->input->fields[c].hidden || (d->used && !d->used[c])) continue;
        if (!first) velo_strbuf_putc(&d->buf, ',');
        first = false;
        velo_format_json_string(d->input->fields[c].name, (uint32_t)strlen(d->input->fields[c].name),
                                &d->buf);
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

/* ---- sources: schemas for the planner ---- */

static velo_status resolve_source(void *ud, const velo_uri *uri, const velo_kv *options,
                                  const velo_schema *declared, velo_source_info *out, velo_error *err) {
    run_state *rs = ud;
    memset(out, 0, sizeof *out);
    const velo_source_ops *ops = velo_source_lookup(uri->scheme);
    if (!ops) {
        /* planned connectors (kafka, postgresql...): bind schemaless; running says "not supported yet" */
        out->schema = declared ? velo_schema_copy(declared) : NULL;
        out->open = !declared;
        return VELO_OK;
    }
    velo_dlq dlq;
    velo_dlq_open(&dlq, NULL, rs->base_dir, NULL);
    velo_connector_args args = {.uri = uri,
                                .options = options,
                                .base_dir = rs->base_dir,
                                .declared = declared,
                                .dlq = &dlq,
                                .name = uri->text};
    velo_source *src = NULL;
    velo_status st = ops->open(&args, &src, err);
    velo_dlq_close(&dlq);
    if (st) {
        rs->resolve_status = st;
        return st;
    }
    out->schema = velo_schema_copy(ops->schema(src));
    bool watch = false;
    velo_kv_get_bool(options, "watch", false, &watch, NULL);
    out->bounded = ops->is_bounded ? ops->is_bounded(src) : !watch;
    ops->close(src);
    if (!out->schema) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    return VELO_OK;
}

/* ---- what runs today ---- */

static velo_status unsupported_at(const sql_pos *pos, velo_error *err, const char *what) {
    return velo_error_set_at(err, VELO_ERR_UNSUPPORTED, pos->line, pos->col, "%s is not supported yet", what);
}

static velo_status check_exprs(velo_expr *const *exprs, uint32_t n, const sql_pos *pos, velo_error *err) {
    for (uint32_t i = 0; i < n; i++) {
        const char *what = NULL;
        if (exprs[i] && !velo_expr_executable(exprs[i], &what)) {
            const velo_expr *e = exprs[i];
            sql_pos p = *pos;
            if (e->line) p.line = e->line, p.col = e->col;
            return unsupported_at(&p, err, what ? what : "this expression");
        }
    }
    return VELO_OK;
}

/* The pipelines the engine runs today: SCAN -> [FILTER] -> [AGGREGATE (GROUP BY, TUMBLING/SLIDING
 * windows) -> [FILTER (HAVING)]] -> PROJECT -> [DISTINCT] -> [SORT] -> [LIMIT]. Anything else names what is
 * missing, at the SQL position of that node. On success nodes[0] is the SCAN and nodes[n-1] the root. */
#define MAX_PIPELINE 16
static velo_status collect_pipeline(const velo_query_plan *qp, velo_plan **nodes, uint32_t *n,
                                    velo_error *err) {
    const sql_pos *spos = qp->stmt ? &qp->stmt->pos : &qp->root->pos;
    uint32_t count = 0;
    velo_plan *stack[MAX_PIPELINE];
    bool below_project = false; /* DISTINCT, SORT and LIMIT run only above the one PROJECT */
    const velo_plan *sort = NULL;
    for (velo_plan *p = qp->root; p; p = p->input) {
        if (count == MAX_PIPELINE) return unsupported_at(&p->pos, err, "a plan this deep");
        stack[count++] = p;
        velo_status st = VELO_OK;
        switch (p->kind) {
        case VELO_PLAN_SCAN:
        case VELO_PLAN_FILTER:
            st = p->kind == VELO_PLAN_FILTER ? check_exprs(&p->predicate, 1, &p->pos, err) : VELO_OK;
            break;
        case VELO_PLAN_PROJECT:
            if (below_project) return unsupported_at(&p->pos, err, "a nested SELECT (FROM (subquery))");
            below_project = true;
            st = check_exprs(p->exprs, p->nexprs, &p->pos, err);
            break;
        case VELO_PLAN_AGGREGATE:
            if (p->windowed && p->window.kind == VELO_WINDOW_SESSION && p->window.session_key)
                return unsupported_at(&p->pos, err,
                                      "SESSION(time, gap, key) with a key argument (GROUP BY the key)");
            if ((st = check_exprs(p->keys, p->nkeys, &p->pos, err))) return st;
            for (uint32_t i = 0; i < p->naggs && !st; i++) {
                st = check_exprs(p->aggs[i].args, p->aggs[i].nargs, &p->pos, err);
                if (!st && p->aggs[i].filter) st = check_exprs(&p->aggs[i].filter, 1, &p->pos, err);
                if (!st && p->aggs[i].norder)
                    st = unsupported_at(&p->pos, err, "ORDER BY inside an aggregate");
            }
            break;
        case VELO_PLAN_ANALYTIC:
            for (uint32_t i = 0; i < p->ncalls && !st; i++) {
                const velo_analytic_call *c = &p->calls[i];
                if (!(st = check_exprs(c->args, c->nargs, &p->pos, err)))
                    st = check_exprs(c->partition_by, c->npartition, &p->pos, err);
                for (uint32_t k = 0; k < c->norder && !st; k++)
                    st = check_exprs(&c->order_by[k].expr, 1, &p->pos, err);
            }
            break;
        case VELO_PLAN_JOIN:
            return unsupported_at(&p->pos, err, p->within_us >= 0 ? "JOIN ... WITHIN" : "JOIN");
        case VELO_PLAN_SORT:
        case VELO_PLAN_LIMIT:
        case VELO_PLAN_DISTINCT:
            if (below_project)
                return unsupported_at(&p->pos, err, "ORDER BY, LIMIT or DISTINCT in a nested SELECT");
            if (p->kind == VELO_PLAN_SORT) sort = p;
            for (uint32_t i = 0; p->kind == VELO_PLAN_SORT && i < p->nsort && !st; i++)
                st = check_exprs(&p->sort[i].expr, 1, &p->pos, err);
            break;
        case VELO_PLAN_UNION_ALL: return unsupported_at(&p->pos, err, "UNION");
        }
        if (st) return st;
    }
    if (count < 2 || stack[count - 1]->kind != VELO_PLAN_SCAN || !below_project)
        return unsupported_at(spos, err, "SELECT without FROM");
    for (uint32_t i = 0; i < qp->root->schema->ncols && !sort; i++) /* the SORT drops hidden columns */
        if (qp->root->schema->fields[i].hidden) return unsupported_at(spos, err, "ORDER BY");
    if (sort && !stack[count - 1]->source.bounded) {
        for (uint32_t i = 0; i < count; i++)
            if (stack[i]->kind == VELO_PLAN_AGGREGATE && stack[i]->windowed)
                return unsupported_at(&sort->pos, err, "ORDER BY over the windows of an unbounded stream");
        return velo_error_set_at(
            err, VELO_ERR_BIND, sort->pos.line, sort->pos.col,
            "ORDER BY on an unbounded stream never finishes; add a WINDOW clause or read a "
            "bounded source");
    }
    for (uint32_t i = 0; i < count; i++)
        nodes[i] = stack[count - 1 - i];
    *n = count;
    return VELO_OK;
}

/* Reads a duration option ('watermark.delay'='5s'); absent: dflt, *given false. */
static velo_status duration_option(const velo_kv *kv, const char *key, int64_t dflt, int64_t *out,
                                   bool *given, velo_error *err) {
    const char *v = velo_kv_get(kv, key);
    if (given) *given = v != NULL;
    if (!v) {
        *out = dflt;
        return VELO_OK;
    }
    velo_status st = velo_duration_parse(v, out, err);
    if (st) velo_error_prefix(err, "option '%s': ", key);
    return st;
}

/* The accumulator for an aggregate call (GROUP BY or OVER): constant second arguments
 * (PERCENTILE_CONT fraction, STRING_AGG separator) are parameters, *nvalue the arguments evaluated
 * per row. */
static velo_status agg_desc_for(const velo_function *fn, velo_expr **args, uint32_t nargs, bool star,
                                bool distinct, velo_type type, velo_agg_desc *d, uint32_t *nvalue,
                                velo_error *err) {
    velo_type types[2] = {velo_type_make(VELO_TYPE_NULL), velo_type_make(VELO_TYPE_NULL)};
    velo_value consts[2];
    memset(consts, 0, sizeof consts);
    *nvalue = nargs;
    for (uint32_t j = 0; j < nargs && j < 2; j++) {
        types[j] = args[j]->type;
        if (args[j]->kind == VELO_EXPR_CONST) consts[j] = args[j]->constant;
    }
    if (nargs == 2 && args[1]->kind == VELO_EXPR_CONST) *nvalue = 1;
    /* consts[i] is argument i: constant second arguments (PERCENTILE_CONT fraction, STRING_AGG separator) */
    return velo_agg_desc_make(fn->name, types, star ? 0 : nargs, distinct, type, nargs > 1 ? consts : NULL, d,
                              err);
}

/* The GROUP BY / window operator for an AGGREGATE node; takes the node's expressions. */
static velo_operator *build_aggregate(run_state *rs, const velo_query_plan *qp, velo_plan *agg,
                                      const velo_plan *scan, velo_row_error_handler h, velo_error *err) {
    velo_group_config cfg = {0};
    velo_group_agg *aggs = mi_zalloc(sizeof *aggs * (agg->naggs + 1));
    if (!aggs) {
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    velo_status st = VELO_OK;
    for (uint32_t i = 0; i < agg->naggs && !st; i++) {
        velo_agg_call *c = &agg->aggs[i];
        uint32_t nvalue_args;
        st = agg_desc_for(c->fn, c->args, c->nargs, c->star, c->distinct, c->type, &aggs[i].desc,
                          &nvalue_args, err);
        if (st) {
            velo_error_prefix(err, "%s: ", c->text ? c->text : c->fn->name);
            err->line = agg->pos.line;
            err->col = agg->pos.col;
            break;
        }
        aggs[i].args = c->args;
        aggs[i].nargs = c->star ? 0 : nvalue_args;
        aggs[i].nparams = c->star ? c->nargs : c->nargs - nvalue_args;
        aggs[i].filter = c->filter;
    }
    if (st) {
        mi_free(aggs);
        return NULL;
    }
    cfg.keys = agg->keys;
    cfg.nkeys = agg->nkeys;
    cfg.aggs = aggs;
    cfg.naggs = agg->naggs;
    cfg.output = agg->schema;
    cfg.capacity = VELO_BATCH_DEFAULT_CAPACITY;
    cfg.file = rs->opts->file;
    cfg.on_error = h;
    const velo_kv *opts = &qp->job_options;
    const velo_kv *sopts = &scan->source.options;
    if (agg->windowed) {
        cfg.windowed = true;
        cfg.window.kind = agg->window.kind == VELO_WINDOW_SLIDING   ? VELO_WIN_SLIDING
                          : agg->window.kind == VELO_WINDOW_SESSION ? VELO_WIN_SESSION
                                                                    : VELO_WIN_TUMBLING;
        cfg.window.size_us = agg->window.size_us;
        cfg.window.advance_us =
            agg->window.kind == VELO_WINDOW_SLIDING ? agg->window.advance_us : agg->window.size_us;
        cfg.time_column =
            agg->window.time_column >= 0 ? agg->window.time_column : scan->source.event_time_column;
        /* no event time: processing time (the wall clock when the operator receives the row) */
        if (cfg.time_column >= 0 && scan->schema->fields[cfg.time_column].type.id != VELO_TYPE_TIMESTAMP) {
            velo_error_set_at(err, VELO_ERR_UNSUPPORTED, agg->pos.line, agg->pos.col,
                              "the window's time column '%s' must be a TIMESTAMP; declare it as TIMESTAMP",
                              scan->schema->fields[cfg.time_column].name);
            goto fail;
        }
        bool delay_given = false;
        const velo_kv *wkv = velo_kv_get(opts, "watermark.delay") ? opts : sopts;
        if ((st = duration_option(wkv, "watermark.delay", 0, &cfg.delay_us, &delay_given, err))) goto fail;
        /* idle.timeout: checked here; a file source is one partition read to its end, so it never
         * holds a watermark back (docs/sql/streaming-semantics.md) */
        int64_t idle_us = 0;
        const velo_kv *ikv = velo_kv_get(opts, "idle.timeout") ? opts : sopts;
        if ((st = duration_option(ikv, "idle.timeout", 0, &idle_us, NULL, err))) goto fail;
        const velo_kv *lkv = velo_kv_get(opts, "allowed.lateness") ? opts : sopts;
        if ((st = duration_option(lkv, "allowed.lateness", 0, &cfg.lateness_us, NULL, err))) goto fail;
        /* a bounded input without an explicit watermark closes its windows at its end: exact, whatever the
         * order */
        cfg.use_watermark = delay_given || !scan->source.bounded;
        const char *late = velo_kv_get(opts, "late.records");
        if (!late) late = velo_kv_get(sopts, "late.records");
        cfg.late_to_dlq = late && !strcasecmp(late, "dlq");
    }
    /* CREATE TABLE ... AS: an upsert changelog keyed by the GROUP BY keys, so every change is sent
     * (unless the query asks for EMIT FINAL) */
    cfg.emit_changes =
        qp->emit == VELO_EMIT_CHANGES ||
        (qp->emit == VELO_EMIT_DEFAULT && (qp->is_table || (!agg->windowed && !scan->source.bounded)));
    velo_operator *op = velo_group_op_new(&cfg, err);
    if (op) {
        /* the operator owns the expressions now */
        agg->nkeys = 0;
        for (uint32_t i = 0; i < agg->naggs; i++) {
            agg->aggs[i].nargs = 0;
            agg->aggs[i].args = NULL;
            agg->aggs[i].filter = NULL;
        }
    }
    mi_free(aggs);
    return op;
fail:
    mi_free(aggs);
    return NULL;
}

/* Indexes of the columns a sink writes (the planner's hidden ORDER BY columns left out); cols has
 * room for s->ncols. Returns how many. */
static uint32_t visible_columns(const velo_schema *s, uint32_t *cols) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->ncols; i++)
        if (!s->fields[i].hidden) cols[n++] = i;
    return n;
}

/* The SORT operator for a SORT node (it drops the hidden columns); takes the key expressions. */
static velo_operator *build_sort(run_state *rs, velo_plan *p, velo_row_error_handler h, velo_error *err) {
    uint32_t *cols = mi_malloc(sizeof *cols * (p->schema->ncols + 1));
    velo_sort_spec *keys = mi_malloc(sizeof *keys * (p->nsort + 1));
    velo_operator *op = NULL;
    if (cols && keys) {
        for (uint32_t k = 0; k < p->nsort; k++)
            keys[k] = (velo_sort_spec){p->sort[k].expr, p->sort[k].desc, p->sort[k].nulls_first};
        velo_sort_config cfg = {.keys = keys,
                                .nkeys = p->nsort,
                                .input = p->input->schema,
                                .out_cols = cols,
                                .nout = visible_columns(p->input->schema, cols),
                                .capacity = VELO_BATCH_DEFAULT_CAPACITY,
                                .file = rs->opts->file,
                                .on_error = h};
        op = velo_sort_op_new(&cfg, err);
        for (uint32_t k = 0; op && k < p->nsort; k++)
            p->sort[k].expr = NULL;
    }
    mi_free(cols);
    mi_free(keys);
    return op;
}

/* The DISTINCT operator: rows compare on their visible columns. */
static velo_operator *build_distinct(const velo_plan *p, velo_error *err) {
    uint32_t *cols = mi_malloc(sizeof *cols * (p->schema->ncols + 1));
    velo_operator *op = cols ? velo_distinct_op_new(cols, visible_columns(p->schema, cols), err) : NULL;
    mi_free(cols);
    return op;
}

/* The window-function operator for an ANALYTIC node; takes the node's expressions. */
static velo_operator *build_analytic(run_state *rs, velo_plan *an, const velo_plan *scan,
                                     velo_row_error_handler h, velo_error *err) {
    velo_analytic_fn *fns = mi_zalloc(sizeof *fns * (an->ncalls + 1));
    if (!fns) {
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    velo_status st = VELO_OK;
    for (uint32_t i = 0; i < an->ncalls && !st; i++) {
        velo_analytic_call *c = &an->calls[i];
        velo_analytic_fn *f = &fns[i];
        f->nargs = c->nargs;
        if (!velo_analytic_kind_from_name(c->fn->name, &f->kind)) {
            f->kind = VELO_ANALYTIC_AGGREGATE;
            st = agg_desc_for(c->fn, c->args, c->nargs, c->star, false, c->type, &f->desc, &f->nargs, err);
            if (c->star) f->nargs = 0;
        }
        f->nparams = c->nargs - f->nargs;
        f->type = c->type;
        const velo_frame *fr = &c->frame;
        f->frame = (velo_analytic_frame){fr->range, (velo_frame_edge)fr->start_kind,
                                         (velo_frame_edge)fr->end_kind, fr->start_offset, fr->end_offset};
        if (!fr->present) {
            /* SQL's default: RANGE UNBOUNDED PRECEDING .. CURRENT ROW (the whole partition without ORDER BY)
             */
            f->frame =
                (velo_analytic_frame){true, VELO_EDGE_UNBOUNDED_PRECEDING, VELO_EDGE_CURRENT_ROW, 0, 0};
            if (fr->buffer_rows > 0) /* ROWS WINDOW BUFFER n ROWS: the last n rows */
                f->frame = (velo_analytic_frame){false, VELO_EDGE_PRECEDING, VELO_EDGE_CURRENT_ROW,
                                                 fr->buffer_rows - 1, 0};
        }
        if (st) {
            velo_error_prefix(err, "%s: ", c->text ? c->text : c->fn->name);
            err->line = an->pos.line;
            err->col = an->pos.col;
        }
    }
    if (st) {
        mi_free(fns);
        return NULL;
    }
    for (uint32_t i = 0; i < an->ncalls; i++) { /* the operator takes the expressions */
        velo_analytic_call *c = &an->calls[i];
        velo_analytic_fn *f = &fns[i];
        f->args = c->args;
        f->partition_by = c->partition_by;
        f->npartition = c->npartition;
        f->order_by = mi_zalloc(sizeof *f->order_by * (c->norder + 1));
        for (uint32_t k = 0; f->order_by && k < c->norder; k++)
            f->order_by[k] =
                (velo_analytic_key){c->order_by[k].expr, c->order_by[k].desc, c->order_by[k].nulls_first};
        f->norder = f->order_by ? c->norder : 0;
    }
    velo_analytic_config cfg = {.calls = fns,
                                .ncalls = an->ncalls,
                                .bounded = scan->source.bounded,
                                .input = an->input->schema,
                                .output = an->schema,
                                .capacity = VELO_BATCH_DEFAULT_CAPACITY,
                                .file = rs->opts->file,
                                .on_error = h};
    velo_operator *op = velo_analytic_op_new(&cfg, err);
    if (op) {
        for (uint32_t i = 0; i < an->ncalls; i++) {
            velo_analytic_call *c = &an->calls[i];
            mi_free(c->order_by);
            c->args = c->partition_by = NULL;
            c->order_by = NULL;
            c->nargs = c->npartition = c->norder = 0;
        }
    } else {
        if (!err->line) err->line = an->pos.line, err->col = an->pos.col;
        for (uint32_t i = 0; i < an->ncalls; i++)
            mi_free(fns[i].order_by);
    }
    mi_free(fns);
    return op;
}

/* A commit point: the sink's commit when it has one (it commits the source's progress with its
 * own output), else flush the sink, then commit the source. */
static velo_status commit_point(velo_sink *sink, const velo_source_ops *sops, velo_source *source,
                                velo_error *err) {
    if (sink->ops->commit) return sink->ops->commit(sink, source, err);
    velo_status st = sink->ops->flush(sink, err);
    if (!st && sops->commit) st = sops->commit(source, err);
    return st;
}

static int64_t monotonic_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- projection pushdown: which source columns the pipeline reads ---- */

static void mark_columns(const velo_expr *e, uint8_t *used, uint32_t ncols, bool *all) {
    if (!e) return;
    if (e->kind == VELO_EXPR_SUBQUERY) *all = true; /* correlated columns: keep it simple */
    if (e->kind == VELO_EXPR_COLUMN && e->outer_depth == 0 && e->column < ncols) used[e->column] = 1;
    for (uint32_t i = 0; i < e->nargs; i++)
        mark_columns(e->args[i], used, ncols, all);
}

/* A mask over the SCAN's columns (nodes[0]): 1 where an expression up to and including the first
 * AGGREGATE reads it (FILTER and ANALYTIC keep the scan's columns as a prefix of theirs, so
 * expressions above them still name scan columns by index), plus the event-time column. NULL when
 * every column is read or on out of memory (then nothing is skipped). */
static uint8_t *used_columns(velo_plan *const *nodes, uint32_t nnodes) {
    const velo_plan *scan = nodes[0];
    uint32_t nc = scan->schema->ncols;
    uint8_t *used = mi_zalloc(nc + 1u);
    if (!used) return NULL;
    bool all = false;
    if (scan->source.event_time_column >= 0 && (uint32_t)scan->source.event_time_column < nc)
        used[scan->source.event_time_column] = 1;
    for (uint32_t i = 1; i < nnodes && !all; i++) {
        const velo_plan *p = nodes[i];
        switch (p->kind) {
        case VELO_PLAN_FILTER: mark_columns(p->predicate, used, nc, &all); continue;
        case VELO_PLAN_PROJECT:
            for (uint32_t k = 0; k < p->nexprs; k++)
                mark_columns(p->exprs[k], used, nc, &all);
            break;
        case VELO_PLAN_ANALYTIC:
            for (uint32_t k = 0; k < p->ncalls; k++) {
                const velo_analytic_call *c = &p->calls[k];
                for (uint32_t a = 0; a < c->nargs; a++)
                    mark_columns(c->args[a], used, nc, &all);
                for (uint32_t a = 0; a < c->npartition; a++)
                    mark_columns(c->partition_by[a], used, nc, &all);
                for (uint32_t a = 0; a < c->norder; a++)
                    mark_columns(c->order_by[a].expr, used, nc, &all);
            }
            continue;
        case VELO_PLAN_AGGREGATE:
            for (uint32_t k = 0; k < p->nkeys; k++)
                mark_columns(p->keys[k], used, nc, &all);
            for (uint32_t k = 0; k < p->naggs; k++) {
                for (uint32_t a = 0; a < p->aggs[k].nargs; a++)
                    mark_columns(p->aggs[k].args[a], used, nc, &all);
                mark_columns(p->aggs[k].filter, used, nc, &all);
            }
            if (p->windowed && p->window.time_column >= 0 && (uint32_t)p->window.time_column < nc)
                used[p->window.time_column] = 1;
            break;
        default: all = true; break;
        }
        break; /* PROJECT / AGGREGATE: the shape changes above */
    }
    uint32_t n = 0;
    for (uint32_t j = 0; j < nc; j++)
        n += used[j];
    if (all || n == nc) {
        mi_free(used);
        return NULL;
    }
    return used;
}

static const char *stmt_label(const velo_query_plan *qp) { return qp->name ? qp->name : "query"; }

/* Runs one plan of the supported shape until its bounded input ends. */
static velo_status run_plan(run_state *rs, velo_query_plan *qp, velo_error *err) {
    velo_plan *nodes[MAX_PIPELINE];
    uint32_t nnodes = 0;
    velo_status status = collect_pipeline(qp, nodes, &nnodes, err);
    if (status) return status;
    velo_plan *scan = nodes[0], *project = nodes[nnodes - 1];
    const velo_plan_source *psrc = &scan->source;
    if (!psrc->uri) return unsupported_at(&scan->pos, err, "reading a stream that no statement writes");
    const velo_source_ops *sops = velo_source_lookup(psrc->scheme ? psrc->scheme : "");
    if (!sops) {
        char what[64];
        snprintf(what, sizeof what, "%s:// sources", psrc->scheme ? psrc->scheme : "?");
        return unsupported_at(&scan->pos, err, what);
    }

    velo_uri src_uri = {0}, sink_uri = {0};
    bool have_src_uri = false, have_sink_uri = false;
    velo_dlq dlq = {0};
    bool have_dlq = false;
    velo_source *source = NULL;
    velo_sink *sink = NULL;
    velo_operator *chain = NULL, *group_op = NULL, *limit_op = NULL;
    velo_schema *sink_schema = NULL;
    velo_batch *batch = NULL;
    uint8_t *used = NULL;               /* projection pushdown mask (NULL: every column) */
    dlq_ctx dctx = {0}, dctx_agg = {0}; /* row errors before / after an aggregate (different row shapes) */
    velo_strbuf_init(&dctx.buf);
    velo_strbuf_init(&dctx_agg.buf);
    char src_name[256];

    if ((status = velo_uri_parse(psrc->uri, &src_uri, err))) goto done;
    have_src_uri = true;
    /* messages name a file the way its reader does: "in.csv:3" */
    snprintf(src_name, sizeof src_name, "%s",
             !strcmp(src_uri.scheme, "file") ? src_uri.path
             : psrc->name                    ? psrc->name
                                             : psrc->uri);

    const char *on_error = velo_kv_get_or(&qp->job_options, "on.error", "dlq");
    if (strcasecmp(on_error, "dlq") && strcasecmp(on_error, "skip") && strcasecmp(on_error, "fail")) {
        status = velo_error_set(err, VELO_ERR_INVALID, "'on.error' must be dlq, skip or fail, found '%s'",
                                on_error);
        goto done;
    }
    const char *dlq_uri = strcasecmp(on_error, "dlq") == 0 ? velo_kv_get(&qp->job_options, "dlq") : NULL;
    if ((status = velo_dlq_open(&dlq, dlq_uri, rs->base_dir, err))) goto done;
    have_dlq = true;

    /* a dead-letter file gets the whole row of a failed or late row: then every column is decoded */
    used = dlq.path ? NULL : used_columns(nodes, nnodes);
    velo_connector_args sargs = {.uri = &src_uri,
                                 .options = &psrc->options,
                                 .base_dir = rs->base_dir,
                                 .declared = scan->schema, /* as bound: declared, or read from the source */
                                 .dlq = &dlq,
                                 .name = src_name,
                                 .used_columns = used};
    if ((status = sops->open(&sargs, &source, err))) goto done;

    /* sink: INTO target, or JSON lines on stdout */
    if ((status = velo_uri_parse(qp->sink_uri ? qp->sink_uri : "stdout://", &sink_uri, err))) goto done;
    have_sink_uri = true;
    const velo_sink_ops *kops = velo_sink_lookup(sink_uri.scheme);
    if (!kops) {
        char what[64];
        snprintf(what, sizeof what, "%s:// sinks", sink_uri.scheme);
        status = unsupported_at(qp->stmt ? &qp->stmt->pos : &qp->root->pos, err, what);
        goto done;
    }
    velo_connector_args kargs = {.uri = &sink_uri,
                                 .options = &qp->sink_options,
                                 .base_dir = rs->base_dir,
                                 .declared = NULL,
                                 .dlq = &dlq,
                                 .name = qp->sink_uri ? qp->sink_uri : "stdout"};
    uint32_t nvisible = 0; /* the sink writes no hidden ORDER BY columns */
    for (uint32_t i = 0; i < project->schema->ncols; i++)
        nvisible += !project->schema->fields[i].hidden;
    sink_schema = velo_schema_new(nvisible);
    for (uint32_t i = 0, j = 0; sink_schema && i < project->schema->ncols; i++)
        if (!project->schema->fields[i].hidden)
            velo_schema_set(sink_schema, j++, project->schema->fields[i].name,
                            project->schema->fields[i].type);
    if (!sink_schema) {
        status = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((status = kops->open(&kargs, sink_schema, &sink, err))) goto done;

    /* operator chain, built from the sink down; the operators take the plan's expressions */
    dctx.dlq = dctx_agg.dlq = &dlq;
    dctx.input = scan->schema;
    dctx.used = used;
    dctx.source_name = dctx_agg.source_name = src_name;
    dctx.fail_job = dctx_agg.fail_job = strcasecmp(on_error, "fail") == 0;
    const uint32_t cap = VELO_BATCH_DEFAULT_CAPACITY;
    velo_operator *sink_op = velo_sink_op_new((velo_sink_fns){sink_write, sink_flush, sink});
    if (!sink_op) {
        status = velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the operators");
        goto done;
    }
    chain = sink_op;
    for (uint32_t i = nnodes - 1; i >= 1; i--) {
        velo_plan *p = nodes[i];
        /* rows above an aggregate have the aggregate's shape */
        bool above_agg = false;
        for (uint32_t j = 1; j < i; j++)
            if (nodes[j]->kind == VELO_PLAN_AGGREGATE || nodes[j]->kind == VELO_PLAN_ANALYTIC) {
                above_agg = true;
                dctx_agg.input = nodes[j]->schema;
            }
        velo_row_error_handler h = {on_row_error, above_agg ? &dctx_agg : &dctx};
        velo_operator *op = NULL;
        switch (p->kind) {
        case VELO_PLAN_PROJECT:
            op = velo_project_new(p->exprs, p->nexprs, p->schema, cap, rs->opts->file, h);
            if (op) p->nexprs = 0;
            break;
        case VELO_PLAN_FILTER:
            op = velo_filter_new(p->predicate, cap, rs->opts->file, h);
            if (op) p->predicate = NULL;
            break;
        case VELO_PLAN_AGGREGATE:
            op = group_op = build_aggregate(rs, qp, p, scan, h, err);
            if (!op) {
                status = err->code ? err->code : VELO_ERR_NOMEM;
                goto done;
            }
            break;
        case VELO_PLAN_SORT:
        case VELO_PLAN_DISTINCT:
            op = p->kind == VELO_PLAN_SORT ? build_sort(rs, p, h, err) : build_distinct(p, err);
            if (!op) {
                status = err->code ? err->code : VELO_ERR_NOMEM;
                goto done;
            }
            break;
        case VELO_PLAN_ANALYTIC:
            if (!(op = build_analytic(rs, p, scan, h, err))) {
                status = err->code ? err->code : VELO_ERR_NOMEM;
                goto done;
            }
            break;
        case VELO_PLAN_LIMIT: op = limit_op = velo_limit_new(p->limit); break;
        default: break;
        }
        if (!op) {
            status = velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the operators");
            goto done;
        }
        op->next = chain;
        chain = op;
    }

    batch = velo_batch_new(scan->schema, cap);
    if (!batch) {
        status = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* At-least-once (sources with commit, e.g. Kafka): every 'commit.interval' the sink is flushed
     * and then the source commits what it has polled. Only while no operator holds rows back (a
     * stateless pipeline); otherwise the one commit is after the final flush. */
    int64_t commit_every_us = 0, last_commit_us = 0;
    bool stateless = true;
    for (uint32_t i = 1; i < nnodes; i++)
        stateless &= nodes[i]->kind == VELO_PLAN_FILTER || nodes[i]->kind == VELO_PLAN_PROJECT;
    bool commits = sops->commit || kops->commit;
    if (commits && stateless &&
        (status = duration_option(&psrc->options, "commit.interval", 1000000, &commit_every_us, NULL, err)))
        goto done;
    bool eof = false;
    velo_run_progress *progress = rs->opts->progress;
    uint64_t base_rejected = progress ? atomic_load(&progress->rows_rejected) : 0;
    /* LIMIT reached or stop requested: stop reading, then drain and flush as at end of input */
    while (!eof && !(limit_op && velo_limit_done(limit_op)) &&
           !(rs->opts->stop && atomic_load(rs->opts->stop))) {
        velo_batch_reset(batch);
        if ((status = sops->poll(source, batch, &eof, err))) goto done;
        if (batch->count == 0) continue;
        if ((status = velo_operator_push(chain, batch, err))) goto done;
        if (commit_every_us > 0 && monotonic_us() - last_commit_us >= commit_every_us) {
            if ((status = commit_point(sink, sops, source, err))) goto done;
            last_commit_us = monotonic_us();
        }
        if (progress) {
            atomic_store(&progress->rows_in, rs->report->rows_in + chain->rows_in);
            atomic_store(&progress->rows_out, rs->report->rows_out + sink_op->rows_out);
            atomic_store(&progress->rows_rejected, base_rejected + dlq.count);
        }
    }
    if ((status = velo_operator_finish(chain, err))) goto done;
    if (commits && (status = commit_point(sink, sops, source, err))) goto done;

    /* records read = rows decoded + records the decoder rejected */
    uint64_t rows_read = chain->rows_in + (dlq.count - dctx.row_errors - dctx_agg.row_errors);
    rs->report->rows_in += rows_read;
    rs->report->rows_out += sink_op->rows_out;
    rs->report->rows_rejected += dlq.count;
    rs->report->jobs++;
    if (progress) {
        atomic_store(&progress->rows_in, rs->report->rows_in);
        atomic_store(&progress->rows_out, rs->report->rows_out);
        atomic_store(&progress->rows_rejected, rs->report->rows_rejected);
    }
    if (!rs->opts->quiet) {
        char late[64] = "";
        if (group_op) {
            velo_group_stats gs;
            velo_group_op_stats(group_op, &gs);
            if (gs.late_rows) snprintf(late, sizeof late, ", %llu late", (unsigned long long)gs.late_rows);
        }
        fprintf(rs->opts->diag_out, "velo-sql: %s: %llu rows read, %llu written, %llu rejected%s%s%s%s\n",
                stmt_label(qp), (unsigned long long)rows_read, (unsigned long long)sink_op->rows_out,
                (unsigned long long)dlq.count, late, dlq.count && dlq.path ? " (dead-letter queue: " : "",
                dlq.count && dlq.path ? dlq.path : "", dlq.count && dlq.path ? ")" : "");
    }

done:
    velo_operator_destroy_chain(chain);
    if (sink) sink->ops->close(sink);
    if (source) source->ops->close(source);
    velo_batch_free(batch);
    if (have_dlq) velo_dlq_close(&dlq);
    if (have_src_uri) velo_uri_free(&src_uri);
    if (have_sink_uri) velo_uri_free(&sink_uri);
    velo_strbuf_free(&dctx.buf);
    velo_strbuf_free(&dctx_agg.buf);
    velo_schema_free(sink_schema);
    mi_free(used);
    return status;
}

/* Statements about a running server's catalog and jobs, which a one-shot run has no use for. */
static const char *server_statement(sql_stmt_kind k) {
    switch (k) {
    case SQL_STMT_SHOW: return "SHOW";
    case SQL_STMT_DESCRIBE: return "DESCRIBE";
    case SQL_STMT_DROP: return "DROP";
    case SQL_STMT_STOP_JOB: return "STOP JOB";
    case SQL_STMT_PAUSE_JOB: return "PAUSE JOB";
    case SQL_STMT_RESUME_JOB: return "RESUME JOB";
    case SQL_STMT_ROLLBACK_JOB: return "ROLLBACK JOB";
    default: return NULL;
    }
}

static void render_diags(run_state *rs, const velo_diags *d) {
    if (!d->count) return;
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_diags_render(d, rs->opts->file, rs->opts->text, (uint32_t)rs->opts->text_len, &sb);
    fputs(sb.data ? sb.data : "", rs->opts->diag_out);
    velo_strbuf_free(&sb);
}

int velo_run_script(const velo_run_options *opts, velo_run_report *report) {
    memset(report, 0, sizeof *report);
    run_state rs = {.opts = opts, .report = report};
    if (strcmp(opts->file, "-") == 0) {
        snprintf(rs.base_dir, sizeof rs.base_dir, ".");
    } else {
        char tmp[PATH_MAX];
        if (!realpath(opts->file, tmp)) snprintf(tmp, sizeof tmp, "%s", opts->file);
        snprintf(rs.base_dir, sizeof rs.base_dir, "%s", dirname(tmp));
    }

    velo_diags diags;
    velo_diags_init(&diags);
    velo_planner *planner = NULL;
    velo_sql_script *script = velo_sql_parse(opts->file, opts->text, opts->text_len, &diags);
    int code = VELO_EXIT_OK;
    if (!script || diags.nerrors) {
        render_diags(&rs, &diags);
        if (!script) fputs("velo-sql: out of memory\n", opts->diag_out);
        code = VELO_EXIT_SQL_ERROR;
        goto out;
    }
    velo_planner_options po = {
        .file = opts->file, .binds = &opts->binds, .resolve = resolve_source, .resolve_ud = &rs};
    planner = velo_planner_new(&po);
    if (!planner) {
        fputs("velo-sql: out of memory\n", opts->diag_out);
        code = VELO_EXIT_RUNTIME_ERROR;
        goto out;
    }
    for (uint32_t i = 0; i < script->nstmts; i++) {
        velo_diags sd;
        velo_diags_init(&sd);
        velo_query_plan *qp = NULL;
        rs.resolve_status = VELO_OK;
        velo_status st = velo_planner_plan(planner, script->stmts[i], &qp, &sd);
        render_diags(&rs, &sd);
        bool failed = st || sd.nerrors;
        velo_diags_free(&sd);
        if (failed) {
            /* a source that cannot be read (missing file) is an I/O error, not a SQL error */
            code = exit_code_for(rs.resolve_status ? rs.resolve_status : VELO_ERR_BIND);
            velo_query_plan_free(qp);
            goto out;
        }
        const sql_stmt *stmt = script->stmts[i];
        velo_error err;
        velo_error_clear(&err);
        if (stmt->kind == SQL_STMT_EXPLAIN) { /* print the plan; do not run it */
            if (qp) {
                velo_strbuf sb;
                velo_strbuf_init(&sb);
                velo_plan_explain_text(qp, &sb);
                fwrite(sb.data, 1, sb.len, stdout);
                velo_strbuf_free(&sb);
            }
            velo_query_plan_free(qp);
            continue;
        }
        const char *session_stmt = server_statement(stmt->kind);
        if (session_stmt) {
            velo_query_plan_free(qp);
            velo_error_set_at(
                &err, VELO_ERR_UNSUPPORTED, stmt->pos.line, stmt->pos.col,
                "%s is not supported by 'velo-sql run' yet: it needs the server (velo-sql serve)",
                session_stmt);
            print_error(&rs, &err);
            code = VELO_EXIT_SQL_ERROR;
            goto out;
        }
        if (!qp) continue; /* declaration, SET, ... */
        st = run_plan(&rs, qp, &err);
        velo_query_plan_free(qp);
        if (st) {
            if (!err.message[0]) /* never end silently: name the status at least */
                velo_error_set(&err, st, "%s (no message: this is a bug, please report it)",
                               velo_status_name(st));
            print_error(&rs, &err);
            code = exit_code_for(st);
            goto out;
        }
    }
    if (report->rows_rejected) code = VELO_EXIT_ROWS_REJECTED;
out:
    velo_planner_free(planner);
    if (script) velo_sql_script_free(script);
    velo_diags_free(&diags);
    return code;
}
