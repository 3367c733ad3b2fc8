/* Running a SQL script (engine/job.h). The planner (sql/planner.h) binds one statement at a time,
 * asking us for the schema of each source (we open the connector to read it: CSV header and
 * inference); each row-producing plan runs on the cores of a runtime (core/runtime.h) until its
 * bounded inputs end: a one-input plan in per-core stages joined by exchanges (see "the per-core
 * pipelines"), a plan with several inputs (joins, UNION ALL, subqueries) as a tree of push operators
 * on core 0 (see "the operator tree"). Every other plan is reported as not supported yet at the SQL
 * position of the node that is missing. Relative file paths in URIs resolve against the folder of
 * the SQL file. */
#include "engine/job.h"
#include "engine/pushdown.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <mimalloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "connectors/connector.h"
#include "connectors/formats/format.h"
#include "connectors/table.h"
#include "core/analytic_op.h"
#include "core/distinct_op.h"
#include "core/exchange.h"
#include "core/group_op.h"
#include "core/join_op.h"
#include "core/operator.h"
#include "core/part_watermarks.h"
#include "core/runtime.h"
#include "core/sort_op.h"
#include "core/strbuf.h"
#include "engine/backpressure.h"
#include "engine/checkpoint.h"
#include "engine/gather.h"
#include "sql/explain.h"
#include "sql/parser.h"
#include "sql/planner.h"

typedef struct run_state {
    const velo_run_options *opts;
    char base_dir[PATH_MAX];
    velo_run_report *report;
    velo_status resolve_status; /* why the last source could not be resolved (IO: exit code 2) */
    uint32_t source_wm_node;    /* run_plan_cores: the AGGREGATE node (index) whose windows take the
                                   source's per-partition watermarks (source_watermarks_for); 0: none */
    bool source_watermarks;     /* build_chain: the node being built is that one */
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
                              d->source_name, (long long)velo_dlq_line(d->dlq, b->origin[row]));
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

typedef struct sink_ctx {
    velo_sink *sink;
    velo_run_progress *progress; /* counts failed writes and flushes; may be NULL */
} sink_ctx;

static velo_status sink_write(void *ud, const velo_batch *b, velo_error *err) {
    sink_ctx *c = ud;
    velo_status st = c->sink->ops->write(c->sink, b, err);
    if (st && c->progress) atomic_fetch_add(&c->progress->sink_errors, 1);
    return st;
}
static velo_status sink_flush(void *ud, velo_error *err) {
    sink_ctx *c = ud;
    velo_status st = c->sink->ops->flush(c->sink, err);
    if (st && c->progress) atomic_fetch_add(&c->progress->sink_errors, 1);
    return st;
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
    /* 'watch' is for the reader of a watched table (connectors/table.c): the file gives the schema */
    velo_kv unwatched;
    velo_kv_init(&unwatched);
    for (uint32_t i = 0; !strcmp(uri->scheme, "file") && i < options->count; i++)
        if (strcasecmp(options->items[i].key, "watch"))
            velo_kv_set(&unwatched, options->items[i].key, options->items[i].value);
    velo_connector_args args = {.uri = uri,
                                .options = !strcmp(uri->scheme, "file") ? &unwatched : options,
                                .base_dir = rs->base_dir,
                                .declared = declared,
                                .dlq = &dlq,
                                .name = uri->text};
    velo_source *src = NULL;
    velo_status st = ops->open(&args, &src, err);
    velo_dlq_close(&dlq);
    velo_kv_free(&unwatched);
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

/* A CREATE TABLE read by connectors/table.c: a Kafka topic as a changelog (upserts by message key,
 * tombstones), or a watched file. */
static bool table_reader(const velo_plan *p) {
    if (!p || p->kind != VELO_PLAN_SCAN || !p->source.is_table || !p->source.scheme) return false;
    return !strcmp(p->source.scheme, "kafka") || (!strcmp(p->source.scheme, "file") && !p->source.bounded);
}

/* True when every source under p ends (files without watch, tables loaded from files). A join with
 * a table read as a changelog ends with its stream: the table follows it. */
static bool plan_bounded(const velo_plan *p) {
    if (!p) return true;
    if (p->kind == VELO_PLAN_SCAN) return p->source.bounded;
    if (p->kind == VELO_PLAN_JOIN && p->right_is_table && table_reader(p->right) && p->within_us < 0)
        return plan_bounded(p->input);
    if (p->kind == VELO_PLAN_UNION_ALL) {
        for (uint32_t i = 0; i < p->ninputs; i++)
            if (!plan_bounded(p->inputs[i])) return false;
        return true;
    }
    return plan_bounded(p->input) && plan_bounded(p->right);
}

/* The first SCAN under p, following left inputs: its columns come first in a join's rows. */
static const velo_plan *leftmost_scan(const velo_plan *p) {
    while (p && p->kind != VELO_PLAN_SCAN)
        p = p->kind == VELO_PLAN_UNION_ALL ? (p->ninputs ? p->inputs[0] : NULL) : p->input;
    return p;
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

/* Checks that every node of the plan tree can run, naming what is missing at the SQL position of
 * its node. Multi-input plans (JOIN, UNION ALL, FROM (subquery)) run as a tree of push operators:
 * see run_tree. */
static velo_status check_node(const velo_plan *p, bool all_bounded, velo_error *err) {
    velo_status st = VELO_OK;
    switch (p->kind) {
    case VELO_PLAN_SCAN: return VELO_OK;
    case VELO_PLAN_FILTER: st = check_exprs(&p->predicate, 1, &p->pos, err); break;
    case VELO_PLAN_PROJECT: st = check_exprs(p->exprs, p->nexprs, &p->pos, err); break;
    case VELO_PLAN_AGGREGATE:
        if (p->windowed && p->window.kind == VELO_WINDOW_SESSION && p->window.session_key)
            return unsupported_at(&p->pos, err,
                                  "SESSION(time, gap, key) with a key argument (GROUP BY the key)");
        if ((st = check_exprs(p->keys, p->nkeys, &p->pos, err))) return st;
        for (uint32_t i = 0; i < p->naggs && !st; i++) {
            st = check_exprs(p->aggs[i].args, p->aggs[i].nargs, &p->pos, err);
            if (!st && p->aggs[i].filter) st = check_exprs(&p->aggs[i].filter, 1, &p->pos, err);
            if (!st && p->aggs[i].norder) st = unsupported_at(&p->pos, err, "ORDER BY inside an aggregate");
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
        if (table_reader(p->right) && !p->right->source.primary_key)
            return velo_error_set_at(err, VELO_ERR_BIND, p->right->pos.line, p->right->pos.col,
                                     "table '%s' is read as a changelog (%s) and needs a PRIMARY KEY: CREATE "
                                     "TABLE t (k TYPE PRIMARY KEY, ...)",
                                     p->right->source.name ? p->right->source.name : p->right->source.uri,
                                     strcmp(p->right->source.scheme, "kafka") ? "'watch'='true'"
                                                                              : "its message key is the key");
        if (table_reader(p->right) && p->within_us >= 0)
            return unsupported_at(&p->pos, err, "JOIN ... WITHIN with a table read as a changelog");
        if (!plan_bounded(p->right) && p->right_is_table && !table_reader(p->right))
            return unsupported_at(&p->pos, err,
                                  p->right->kind == VELO_PLAN_SCAN
                                      ? "a table read as a changelog (watch=true or Kafka)"
                                      : "joining a CREATE TABLE ... AS over an unbounded stream");
        if (p->condition) st = check_exprs(&p->condition, 1, &p->pos, err);
        if (!st) st = check_node(p->right, all_bounded, err);
        break;
    case VELO_PLAN_SORT:
        for (uint32_t i = 0; i < p->nsort && !st; i++)
            st = check_exprs(&p->sort[i].expr, 1, &p->pos, err);
        if (!st && !all_bounded) {
            for (const velo_plan *q = p->input; q; q = q->input)
                if (q->kind == VELO_PLAN_AGGREGATE && q->windowed)
                    return unsupported_at(&p->pos, err, "ORDER BY over the windows of an unbounded stream");
            return velo_error_set_at(err, VELO_ERR_BIND, p->pos.line, p->pos.col,
                                     "ORDER BY on an unbounded stream never finishes; add a WINDOW clause or "
                                     "read a bounded source");
        }
        break;
    case VELO_PLAN_LIMIT:
    case VELO_PLAN_DISTINCT: break;
    case VELO_PLAN_UNION_ALL:
        for (uint32_t i = 0; i < p->ninputs && !st; i++)
            st = check_node(p->inputs[i], all_bounded, err);
        return st;
    }
    if (st) return st;
    return p->input ? check_node(p->input, all_bounded, err) : VELO_OK;
}

static velo_status check_plan(const velo_query_plan *qp, velo_error *err) {
    const sql_pos *spos = qp->stmt ? &qp->stmt->pos : &qp->root->pos;
    bool sorted = false;
    for (const velo_plan *p = qp->root; p && !sorted; p = p->input)
        sorted = p->kind == VELO_PLAN_SORT;
    for (uint32_t i = 0; i < qp->root->schema->ncols && !sorted; i++) /* the SORT drops hidden columns */
        if (qp->root->schema->fields[i].hidden) return unsupported_at(spos, err, "ORDER BY");
    return VELO_OK; /* the nodes are checked once the subqueries ran (run_tree) */
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

/* 'state.max.bytes' (a job option: bytes, or 64KB / 512MB / 2GB); 0 when not set. */
static velo_status state_max_bytes(const velo_query_plan *qp, uint64_t *out, velo_error *err) {
    *out = 0;
    const char *max_state = velo_kv_get(&qp->job_options, "state.max.bytes");
    if (!max_state) return VELO_OK;
    char *end = NULL;
    unsigned long long v = strtoull(max_state, &end, 10);
    if (end && (*end == 'k' || *end == 'K'))
        v <<= 10, end++;
    else if (end && (*end == 'm' || *end == 'M'))
        v <<= 20, end++;
    else if (end && (*end == 'g' || *end == 'G'))
        v <<= 30, end++;
    if (end && (*end == 'b' || *end == 'B')) end++;
    if (!end || end == max_state || *end || !v)
        return velo_error_set(
            err, VELO_ERR_INVALID,
            "'state.max.bytes' must be a positive byte count (e.g. 1048576 or 512MB), found '%s'", max_state);
    *out = v;
    return VELO_OK;
}

/* The GROUP BY / window operator for an AGGREGATE node; takes the node's expressions. */
static velo_operator *build_aggregate(run_state *rs, const velo_query_plan *qp, velo_plan *agg,
                                      const velo_plan *scan, velo_row_error_handler h, velo_group_phase phase,
                                      uint32_t local_max_groups, velo_error *err) {
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
    if ((st = state_max_bytes(qp, &cfg.max_state_bytes, err))) goto fail;
    cfg.state_name = !agg->windowed                            ? "GROUP BY"
                     : agg->window.kind == VELO_WINDOW_SLIDING ? "WINDOW SLIDING"
                     : agg->window.kind == VELO_WINDOW_SESSION ? "WINDOW SESSION"
                                                               : "WINDOW TUMBLING";
    cfg.line = agg->pos.line;
    cfg.col = agg->pos.col;
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
        velo_type_id tt =
            cfg.time_column >= 0 ? scan->schema->fields[cfg.time_column].type.id : VELO_TYPE_TIMESTAMP;
        if (tt != VELO_TYPE_TIMESTAMP && tt != VELO_TYPE_BIGINT && tt != VELO_TYPE_VARCHAR) {
            velo_error_set_at(
                err, VELO_ERR_UNSUPPORTED, agg->pos.line, agg->pos.col,
                "the window's time column '%s' must be a TIMESTAMP, epoch milliseconds (BIGINT) "
                "or ISO-8601 text (VARCHAR)",
                scan->schema->fields[cfg.time_column].name);
            goto fail;
        }
        bool delay_given = false;
        const velo_kv *wkv = velo_kv_get(opts, "watermark.delay") ? opts : sopts;
        if ((st = duration_option(wkv, "watermark.delay", 0, &cfg.delay_us, &delay_given, err))) goto fail;
        /* idle.timeout: after this long without a row, event time advances with the wall clock (the
         * run loops tick the operators when a poll brings nothing: docs/sql/streaming-semantics.md) */
        const velo_kv *ikv = velo_kv_get(opts, "idle.timeout") ? opts : sopts;
        if ((st = duration_option(ikv, "idle.timeout", 0, &cfg.idle_us, NULL, err))) goto fail;
        const velo_kv *lkv = velo_kv_get(opts, "allowed.lateness") ? opts : sopts;
        if ((st = duration_option(lkv, "allowed.lateness", 0, &cfg.lateness_us, NULL, err))) goto fail;
        /* a bounded input without an explicit watermark closes its windows at its end: exact, whatever the
         * order */
        cfg.use_watermark = delay_given || !scan->source.bounded;
        const char *late = velo_kv_get(opts, "late.records");
        if (!late) late = velo_kv_get(sopts, "late.records");
        cfg.late_to_dlq = late && !strcasecmp(late, "dlq");
        cfg.source_watermarks = rs->source_watermarks && cfg.use_watermark; /* source_watermarks_for */
    }
    /* CREATE TABLE ... AS: an upsert changelog keyed by the GROUP BY keys, so every change is sent
     * (unless the query asks for EMIT FINAL) */
    cfg.emit_changes =
        qp->emit == VELO_EMIT_CHANGES ||
        (qp->emit == VELO_EMIT_DEFAULT && (qp->is_table || (!agg->windowed && !scan->source.bounded)));
    cfg.phase = phase;
    cfg.local_max_groups = local_max_groups;
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

static int64_t wall_clock_us(void) { /* processing time, µs since the epoch */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
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

#define MAX_PIPELINE 16 /* nodes of a one-input plan run on several cores */

/* ---- the per-core pipelines ----
 *
 * A plan runs on the cores of a runtime (core/runtime.h) in up to three stages:
 *   A  on every core: its slice of the source -> the nodes before the first keyed stateful one
 *   B  on every core: that keyed operator (GROUP BY keys, or the PARTITION BY keys of bounded
 *      window functions: analytic_on_cores) and what follows it up to a node that needs all rows;
 *      its input comes over exchange 1, partitioned by hash(keys) % cores
 *   C  on core 0: the nodes that need all rows (global aggregate, ORDER BY, LIMIT, DISTINCT,
 *      other window functions) and the sink; its input is gathered over the last exchange
 * Plans whose result would depend on how rows of different slices interleave (event-time
 * watermarks over a file, EMIT CHANGES over a file, LIMIT without ORDER BY, other window functions)
 * run every node on core 0 ("single"); over Kafka, windows on per-partition watermarks and
 * unwindowed EMIT CHANGES spread over the cores (source_watermarks_for, kafka_on_cores); plans with
 * order-sensitive aggregates or window functions keep their exchange but read the source unsplit
 * on core 0, so each key's rows keep their input order (docs/sql/streaming-semantics.md). */

typedef struct plan_layout {
    bool single;    /* everything on core 0, no exchange */
    bool split;     /* every core reads a slice of the source (else core 0 reads all of it) */
    uint32_t a_end; /* stage A: nodes[1, a_end) */
    bool keyed;     /* exchange 1 partitions by nodes[a_end]'s keys; stage B: nodes[a_end, b_end) */
    uint32_t b_end; /* stage C: nodes[b_end, n) (b_end == a_end without a keyed stage) */
    uint32_t nx;    /* exchanges: 0, 1 (gather) or 2 (keyed, then gather) */
    bool kafka;     /* a Kafka source whose partitions are spread over the cores (kafka_on_cores) */
    bool per_core;  /* kafka: every core runs the whole chain into its own sink (producer), no exchange */
} plan_layout;

static bool is_windowed_with_watermark(const velo_query_plan *qp, const velo_plan *agg,
                                       const velo_plan *scan) {
    if (!agg->windowed) return false;
    return velo_kv_get(&qp->job_options, "watermark.delay") ||
           velo_kv_get(&scan->source.options, "watermark.delay") || !scan->source.bounded;
}

/* ---- per-partition watermarks (core/part_watermarks.h, docs/sql/streaming-semantics.md) ----
 *
 * A TUMBLING or SLIDING window on event time with a watermark over a Kafka source takes its
 * watermark from the source's partitions, as Flink's per-partition watermarks: the source stamps
 * every row with its partition's watermark before it (a row is late by that one: it depends only on
 * its partition's order), and windows close once every partition's watermark passed them (the
 * minimum, over the exchange's producers on several cores). Late rows and results then come out the
 * same however the partitions interleave -- on one core or many. SESSION windows keep the operator's
 * own watermark on core 0: whether a row joins a session or is late depends on the sessions other
 * partitions' rows opened by then. A file has no partitions: its rows have one order, read on core 0
 * (a split file's slices would interleave, so windows with a watermark stay on core 0). */

/* The index of the AGGREGATE node whose windows take source watermarks, else 0 (none). */
static uint32_t source_watermarks_for(const velo_query_plan *qp, velo_plan **nodes, uint32_t n,
                                      const velo_source_ops *sops) {
    const velo_plan *scan = nodes[0];
    if (!scan->source.scheme || strcmp(scan->source.scheme, "kafka") || !sops || !sops->watermarks ||
        !sops->watermark)
        return 0;
    for (uint32_t i = 1; i < n; i++) {
        const velo_plan *p = nodes[i];
        if (p->kind == VELO_PLAN_AGGREGATE) {
            if (!is_windowed_with_watermark(qp, p, scan) || p->window.kind == VELO_WINDOW_SESSION) return 0;
            int32_t tc = p->window.time_column >= 0 ? p->window.time_column : scan->source.event_time_column;
            /* the source reads event time from its own column: the same one the window reads */
            if (tc < 0 || (uint32_t)tc >= scan->schema->ncols ||
                (uint32_t)tc >= nodes[i - 1]->schema->ncols ||
                strcmp(scan->schema->fields[tc].name, nodes[i - 1]->schema->fields[tc].name))
                return 0;
            return i;
        }
        if (p->kind != VELO_PLAN_FILTER && p->kind != VELO_PLAN_PROJECT) return 0;
    }
    return 0;
}

/* Aggregates whose result does not depend on the order rows arrive in: exact-typed sums and
 * averages, counts, MIN/MAX, and those that sort their values (MEDIAN, PERCENTILE_CONT). */
static bool agg_order_insensitive(const velo_agg_call *c) {
    static const char *const always[] = {"COUNT", "COUNT_DISTINCT", "APPROX_COUNT_DISTINCT", "MIN",
                                         "MAX",   "MEDIAN",         "PERCENTILE_CONT"};
    for (size_t i = 0; i < sizeof always / sizeof *always; i++)
        if (!strcasecmp(c->fn->name, always[i])) return true;
    if (!strcasecmp(c->fn->name, "SUM") || !strcasecmp(c->fn->name, "AVG")) {
        /* DOUBLE addition is not associative: a different order rounds differently */
        for (uint32_t i = 0; i < c->nargs; i++)
            if (c->args[i]->type.id == VELO_TYPE_DOUBLE || c->args[i]->type.id == VELO_TYPE_ANY) return false;
        return true;
    }
    return false; /* FIRST_VALUE, LAST_VALUE, STRING_AGG, STDDEV (floating point) ... */
}

/* The GROUP BY sends every change of a group (EMIT CHANGES; by default a table, or an unwindowed
 * GROUP BY over an unbounded input), as build_aggregate decides. */
static bool agg_emits_changes(const velo_query_plan *qp, const velo_plan *agg, const velo_plan *scan) {
    return qp->emit == VELO_EMIT_CHANGES ||
           (qp->emit == VELO_EMIT_DEFAULT && (qp->is_table || (!agg->windowed && !scan->source.bounded)));
}

/* A Kafka source read on several cores (connectors/kafka/kafka_cores.c: each partition's records go
 * to the core that owns it, so a key's rows -- one partition's -- stay on one core, in order):
 * bounded reads under the same rules as a split file, unbounded stateless pipelines (FILTER,
 * PROJECT), and unbounded ones with one keyed GROUP BY whose result does not depend on how the
 * partitions interleave (windows on source watermarks; EMIT CHANGES, a key's changes in its
 * partition's order). Other unbounded stateful ones stay on core 0, as do exactly-once sinks (one
 * transaction carries all the offsets). */
static bool kafka_on_cores(const velo_query_plan *qp, velo_plan **nodes, uint32_t n) {
    const velo_plan *scan = nodes[0];
    if (!scan->source.scheme || strcmp(scan->source.scheme, "kafka")) return false;
    const char *guarantee = velo_kv_get(&qp->sink_options, "processing.guarantee");
    if (guarantee && !strcasecmp(guarantee, "exactly_once")) return false;
    if (scan->source.bounded) return true;
    /* unbounded: stateless, or one keyed GROUP BY whose result does not depend on how partitions
     * interleave: windows on source watermarks, or EMIT CHANGES without windows (a key's changes in
     * its partition's order) */
    bool agg = false;
    for (uint32_t i = 1; i < n; i++) {
        const velo_plan *p = nodes[i];
        if (p->kind == VELO_PLAN_FILTER || p->kind == VELO_PLAN_PROJECT) continue;
        if (p->kind != VELO_PLAN_AGGREGATE || agg || p->nkeys == 0 || qp->is_table) return false;
        agg = true;
        if (p->windowed ? source_watermarks_for(qp, nodes, n, velo_source_lookup("kafka")) != i
                        : !agg_emits_changes(qp, p, scan))
            return false;
    }
    return true;
}

/* ---- window functions on the cores ----
 *
 * A bounded ANALYTIC node can run on every core behind the keyed exchange when all its windows
 * share a partition key: every row of one partition then reaches one core, and the operator
 * computes each partition exactly as on one core. Two things must hold for the result to be the
 * one core's:
 *  - the rows of a partition reach their core in input order where the result depends on it: the
 *    operator sorts stably, so rows that tie on ORDER BY keep their arrival order, and ROW_NUMBER,
 *    NTILE, LAG/LEAD, FIRST/LAST/NTH_VALUE and ROWS frames see that order. Such plans read the
 *    source unsplit on core 0 (one producer: the exchange keeps each partition's rows in order);
 *  - the other calls (RANK, DENSE_RANK, PERCENT_RANK, CUME_DIST, and order-insensitive aggregates
 *    -- COUNT, MIN, MAX, exact SUM/AVG -- over a RANGE frame or the whole partition) depend only on
 *    the ORDER BY values, so every core may read a slice of the source.
 * Only an ANALYTIC that is the first node after the source's FILTER/PROJECT qualifies (after a
 * GROUP BY the rows' order would be the cores' interleaving); unbounded inputs, Kafka sources and
 * windows without PARTITION BY stay on core 0 (docs/sql/streaming-semantics.md). */

/* True when column `col` is a bare PARTITION BY key of call c. */
static bool analytic_partitions_by_column(const velo_analytic_call *c, uint32_t col) {
    for (uint32_t k = 0; k < c->npartition; k++) {
        const velo_expr *e = c->partition_by[k];
        if (e->kind == VELO_EXPR_COLUMN && e->outer_depth == 0 && e->column == col) return true;
    }
    return false;
}

/* The keys the exchange routes an ANALYTIC node's rows by (*n of them), NULL when its windows share
 * none: one call's PARTITION BY list; with several calls, every key of the first call's list when
 * all the calls partition by the same bare columns, else one bare column they all partition by. */
static velo_expr *const *analytic_exchange_keys(const velo_plan *p, uint32_t *n) {
    *n = 0;
    if (p->kind != VELO_PLAN_ANALYTIC || p->ncalls == 0 || p->calls[0].npartition == 0) return NULL;
    const velo_analytic_call *c0 = &p->calls[0];
    if (p->ncalls == 1) {
        *n = c0->npartition;
        return c0->partition_by;
    }
    bool all = true;
    int32_t common = -1;
    for (uint32_t k = 0; k < c0->npartition; k++) {
        const velo_expr *e = c0->partition_by[k];
        bool shared = e->kind == VELO_EXPR_COLUMN && e->outer_depth == 0;
        for (uint32_t i = 1; shared && i < p->ncalls; i++)
            shared = analytic_partitions_by_column(&p->calls[i], e->column);
        if (shared && common < 0) common = (int32_t)k;
        all = all && shared;
    }
    for (uint32_t i = 1; all && i < p->ncalls; i++)
        all = p->calls[i].npartition == c0->npartition;
    if (all) {
        *n = c0->npartition;
        return c0->partition_by;
    }
    if (common < 0) return NULL;
    *n = 1;
    return &c0->partition_by[common];
}

/* True when call c's values depend only on the partition's ORDER BY values, not on the order of
 * rows that tie on them (see above). Unknown functions count as order-dependent. */
static bool analytic_call_order_free(const velo_analytic_call *c) {
    static const char *const ranks[] = {"RANK", "DENSE_RANK", "PERCENT_RANK", "CUME_DIST"};
    for (size_t i = 0; i < sizeof ranks / sizeof *ranks; i++)
        if (!strcasecmp(c->fn->name, ranks[i])) return true;
    velo_analytic_kind kind;
    if (velo_analytic_kind_from_name(c->fn->name, &kind)) return false; /* ROW_NUMBER, LAG, ... */
    static const char *const aggs[] = {"COUNT", "MIN", "MAX", "SUM", "AVG"};
    bool known = false;
    for (size_t i = 0; i < sizeof aggs / sizeof *aggs; i++)
        known = known || !strcasecmp(c->fn->name, aggs[i]);
    if (!known) return false;
    for (uint32_t i = 0; i < c->nargs; i++) /* DOUBLE addition rounds differently in another order */
        if (c->args[i]->type.id == VELO_TYPE_DOUBLE || c->args[i]->type.id == VELO_TYPE_ANY) return false;
    const velo_frame *fr = &c->frame;
    if (!fr->present) return fr->buffer_rows <= 0; /* RANGE UNBOUNDED PRECEDING .. CURRENT ROW */
    if (fr->range) return true;                    /* a RANGE frame takes every peer or none */
    return fr->start_kind == VELO_BOUND_UNBOUNDED_PRECEDING && fr->end_kind == VELO_BOUND_UNBOUNDED_FOLLOWING;
}

/* Whether nodes[at] (an ANALYTIC) may run on the cores behind the keyed exchange, and whether the
 * source may then be split (*split). */
static bool analytic_on_cores(velo_plan *const *nodes, uint32_t n, uint32_t at, bool kafka, bool *split) {
    const velo_plan *an = nodes[at];
    *split = false;
    if (kafka || !nodes[0]->source.bounded) return false;
    for (uint32_t i = 1; i < at; i++)
        if (nodes[i]->kind != VELO_PLAN_FILTER && nodes[i]->kind != VELO_PLAN_PROJECT) return false;
    for (uint32_t i = at + 1; i < n; i++)
        if (nodes[i]->kind == VELO_PLAN_ANALYTIC) return false;
    uint32_t nkeys;
    if (!analytic_exchange_keys(an, &nkeys)) return false;
    *split = true;
    for (uint32_t i = 0; i < an->ncalls; i++)
        *split = *split && analytic_call_order_free(&an->calls[i]);
    return true;
}

static void plan_layout_for(const velo_query_plan *qp, velo_plan **nodes, uint32_t n, uint32_t ncores,
                            bool commits, plan_layout *lay) {
    memset(lay, 0, sizeof *lay);
    bool kafka = ncores > 1 && kafka_on_cores(qp, nodes, n);
    /* Kafka: windows on source watermarks and unwindowed EMIT CHANGES spread over the cores
     * (kafka_on_cores); files and the rest stay on core 0 */
    uint32_t src_wm = kafka ? source_watermarks_for(qp, nodes, n, velo_source_lookup("kafka")) : 0;
    const velo_plan *scan = nodes[0];
    bool has_sort = false, order_sensitive = false;
    for (uint32_t i = 1; i < n; i++) {
        const velo_plan *p = nodes[i];
        if (p->kind == VELO_PLAN_SORT) has_sort = true;
        bool an_split = false;
        if (p->kind == VELO_PLAN_ANALYTIC && !analytic_on_cores(nodes, n, i, kafka, &an_split))
            lay->single = true;
        if (p->kind == VELO_PLAN_ANALYTIC && !an_split) order_sensitive = true;
        if (p->kind == VELO_PLAN_LIMIT && !has_sort) lay->single = true;
        if (p->kind == VELO_PLAN_AGGREGATE) {
            /* a watermark over a file (or a SESSION window) is the operator's own, made by the rows
             * in the order it sees them: one reader, one core. A file has no partitions whose own
             * order could decide lateness as Kafka's do (source_watermarks_for): its slices
             * interleave at random, and a core owning some keys sees only their rows' times. */
            if (is_windowed_with_watermark(qp, p, scan) && nodes[src_wm] != p) lay->single = true;
            /* a window on processing time: the wall clock at the operator decides */
            if (p->windowed && p->window.time_column < 0 && scan->source.event_time_column < 0)
                lay->single = true;
            if (agg_emits_changes(qp, p, scan) && !(kafka && !p->windowed && p->nkeys > 0 && !qp->is_table))
                lay->single = true;
            for (uint32_t k = 0; k < p->naggs; k++)
                if (!agg_order_insensitive(&p->aggs[k]) || p->aggs[k].norder) order_sensitive = true;
        }
    }
    /* CREATE TABLE ... AS: an upsert changelog, where the last row per key wins: keep input order */
    if (qp->is_table) lay->single = true;
    /* a source or sink that commits (Kafka) commits what one poll loop read, after its sink flushed */
    if (commits && !kafka) lay->single = true;
    if (ncores == 1 ||
        (!kafka && (!scan->source.bounded || !scan->source.scheme || strcmp(scan->source.scheme, "file"))))
        lay->single = true;
    if (lay->single) {
        lay->a_end = lay->b_end = n;
        return;
    }
    lay->split = !order_sensitive;
    lay->kafka = kafka;
    uint32_t i = 1;
    while (i < n && (nodes[i]->kind == VELO_PLAN_FILTER || nodes[i]->kind == VELO_PLAN_PROJECT))
        i++;
    lay->a_end = lay->b_end = i;
    /* Kafka to Kafka, stateless: a producer per core writes what its partitions brought (a key's
     * rows keep their order: one partition, one core, one producer) */
    if (kafka && i == n && qp->sink_uri && qp->sink_scheme && !strcmp(qp->sink_scheme, "kafka")) {
        lay->per_core = true;
        return;
    }
    if (i < n && ((nodes[i]->kind == VELO_PLAN_AGGREGATE && nodes[i]->nkeys > 0) ||
                  nodes[i]->kind == VELO_PLAN_ANALYTIC)) {
        lay->keyed = true;
        uint32_t j = i + 1;
        while (j < n && (nodes[j]->kind == VELO_PLAN_FILTER || nodes[j]->kind == VELO_PLAN_PROJECT))
            j++;
        lay->b_end = j;
    }
    lay->nx = lay->keyed ? 2 : 1;
}

typedef struct core_pipe {
    velo_source *source;         /* this core's slice (NULL: none) */
    velo_sink *sink;             /* per_core layout: this core's sink (core 0: the job's) */
    velo_operator *sink_op;      /* per_core layout: the end of chain_a */
    int64_t last_commit_us;      /* the last periodic commit point of this core */
    bool uncommitted;            /* rows pushed since that commit point */
    velo_batch *batch;           /* the source's batch */
    velo_operator *chain_a;      /* stage A (single: the whole chain down to the sink) */
    velo_operator *in_chain[2];  /* consumer of exchange i on this core (NULL: none) */
    velo_operator *group_ops[2]; /* for the summary (late rows) */
    velo_operator *limit_op;     /* LIMIT on this core's chain_a (single): stop reading */
    struct core_join *join;      /* a lookup join on the cores: its build side (see core_join_new) */
    dlq_ctx dctx[MAX_PIPELINE];  /* row errors of the rows going into node i (shaped like node i-1) */
    bool src_done, a_finished, in_finished[2];
    int64_t wm_sent; /* source watermarks: the last one handed to chain_a (INT64_MIN: none) */
    bool bp_held;    /* gathered: the source waits for core 0's sink (job_run.out_level) */
    velo_status status;
    velo_error err;
    /* What this core's operators measured (publish_core), summed by the control thread. Last and
     * on its own cache lines (core_pipe is cache-line aligned), so the reads never slow the core. */
    struct {
        _Alignas(VELO_CACHE_LINE) _Atomic uint64_t late_rows;
        _Atomic uint64_t late_rows_rejected, row_errors, state_bytes;
        _Atomic int64_t watermark_us;
        atomic_bool has_watermark;
    } obs;
} core_pipe;

typedef struct job_run {
    run_state *rs;
    velo_query_plan *qp;
    velo_plan **nodes;
    uint32_t nnodes;
    plan_layout lay;
    const velo_source_ops *sops;
    velo_runtime *rt;
    velo_exchange *x[2];
    core_pipe *cores;
    velo_operator *sink_op;
    velo_sink *sink;
    bool commits;            /* the source or the sink commits (Kafka) */
    int64_t commit_every_us; /* 'commit.interval' of a stateless pipeline, else 0 */
    velo_ckpt *ckpt;         /* 'checkpoint.interval': checkpoints of core 0's operators (single), or NULL */
    bool sleepy;             /* sliced sources poll without blocking: cores sleep until ready() */
    void **snaps;            /* kafka, gathered: per core, its latest offsets received by core 0 */
    atomic_bool failed;
    /* the job's sink on core 0 while other cores' rows end in it (gathered, partitioned): its
     * backlog (velo_sink_backlog) as core 0 last saw it; the other cores' sources pause on FULL */
    _Atomic int out_level;
    bool encode_out; /* the cores encode their rows for core 0's sink (gather_encodes) */
} job_run;

/* The operator of one single-input plan node (FILTER, PROJECT, AGGREGATE, ANALYTIC, SORT, DISTINCT,
 * LIMIT) over rows from `scan`; NULL with err set (or out of memory) when it cannot be built. The
 * node's expressions move into the operator. Both run paths (cores, tree) build through here. */
static velo_operator *build_operator(run_state *rs, const velo_query_plan *qp, velo_plan *p,
                                     const velo_plan *scan, velo_row_error_handler h, velo_error *err) {
    const uint32_t cap = VELO_BATCH_DEFAULT_CAPACITY;
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
    case VELO_PLAN_AGGREGATE: op = build_aggregate(rs, qp, p, scan, h, VELO_GROUP_FULL, 0, err); break;
    case VELO_PLAN_SORT: op = build_sort(rs, p, h, err); break;
    case VELO_PLAN_DISTINCT: op = build_distinct(p, err); break;
    case VELO_PLAN_ANALYTIC: op = build_analytic(rs, p, scan, h, err); break;
    case VELO_PLAN_LIMIT: op = velo_limit_new(p->limit); break;
    default: break;
    }
    return op;
}

/* Builds nodes[from, to) in front of `tail` and returns the head (tail when from == to). With
 * `copies` each node's expressions are copied first (the same stage runs on several cores), else
 * the operators take the plan's own. The one place that turns plan nodes into operators. */
static velo_operator *core_join_op(core_pipe *cp, velo_error *err);

static velo_operator *build_chain(run_state *rs, const velo_query_plan *qp, velo_plan **nodes, uint32_t from,
                                  uint32_t to, velo_operator *tail, bool copies, core_pipe *cp,
                                  velo_error *err) {
    velo_plan *scan = nodes[0];
    velo_operator *chain = tail;
    for (uint32_t i = to; i-- > from;) {
        if (nodes[i]->kind == VELO_PLAN_JOIN) { /* built per core with its own build side */
            velo_operator *op = core_join_op(cp, err);
            if (!op) {
                velo_operator_destroy_chain(chain);
                return NULL;
            }
            op->next = chain;
            chain = op;
            continue;
        }
        velo_plan *p = copies ? velo_plan_node_copy(nodes[i]) : nodes[i];
        if (!p) {
            velo_error_set(err, VELO_ERR_NOMEM, "out of memory copying the plan for a core");
            velo_operator_destroy_chain(chain);
            return NULL;
        }
        /* the rows going into node i have node i-1's shape (set up in run_plan_cores) */
        velo_row_error_handler h = {on_row_error, &cp->dctx[i]};
        rs->source_watermarks = rs->source_wm_node && i == rs->source_wm_node;
        velo_operator *op = build_operator(rs, qp, p, scan, h, err);
        rs->source_watermarks = false;
        if (op && p->kind == VELO_PLAN_AGGREGATE) cp->group_ops[cp->group_ops[0] ? 1 : 0] = op;
        if (op && p->kind == VELO_PLAN_LIMIT) cp->limit_op = op;
        if (copies) velo_plan_node_copy_free(p);
        if (!op) {
            if (!err->code) velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the operators");
            velo_operator_destroy_chain(chain);
            return NULL;
        }
        op->next = chain;
        chain = op;
    }
    return chain;
}

/* ---- two-phase GROUP BY (local then global aggregation) ----
 *
 * A keyed GROUP BY whose file is split over the cores (order-insensitive aggregates) can fold each
 * core's rows locally first and send only per-key partial states through exchange 1; the owner of
 * the key merges them (core/group_op.h, VELO_GROUP_PARTIAL / VELO_GROUP_MERGE). That needs every
 * aggregate's state to be flat bytes with a merge (velo_agg_state_flat): COUNT(DISTINCT), MEDIAN,
 * STRING_AGG, MIN/MAX of text keep sending rows. 'group.local.max.groups' bounds the local table
 * (0 turns the local phase off). */

#define TWO_PHASE_OPTION "group.local.max.groups"

/* The local table bound from the job options (*n = 0: default; *off: the option is 0). */
static velo_status local_max_groups_option(const velo_query_plan *qp, uint32_t *n, bool *off,
                                           velo_error *err) {
    *n = 0;
    *off = false;
    const char *v = velo_kv_get(&qp->job_options, TWO_PHASE_OPTION);
    if (!v) return VELO_OK;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-' || x > UINT32_MAX)
        return velo_error_set(err, VELO_ERR_INVALID,
                              "'" TWO_PHASE_OPTION "' must be a number of groups (0 turns the local "
                              "aggregation off), found '%s'",
                              v);
    *n = (uint32_t)x;
    *off = x == 0;
    return VELO_OK;
}

/* True when the keyed stage of this layout can run in two phases. */
static bool two_phase_for(const velo_query_plan *qp, velo_plan **nodes, const plan_layout *lay) {
    if (!lay->keyed || !lay->split || lay->single || lay->kafka) return false;
    const velo_plan *agg = nodes[lay->a_end];
    if (agg->kind != VELO_PLAN_AGGREGATE) return false; /* a keyed join stage */
    /* split windowed plans close their windows at the end of input (no watermark: plan_layout_for);
     * sessions from two cores may have to merge into one, which partial states cannot say */
    if (agg->nkeys == 0 || (agg->windowed && agg->window.kind == VELO_WINDOW_SESSION)) return false;
    uint32_t n;
    bool off;
    velo_error e = {0};
    if (local_max_groups_option(qp, &n, &off, &e) || off) return false;
    for (uint32_t i = 0; i < agg->naggs; i++) {
        const velo_agg_call *c = &agg->aggs[i];
        velo_agg_desc d;
        uint32_t nvalue;
        if (c->norder ||
            agg_desc_for(c->fn, c->args, c->nargs, c->star, c->distinct, c->type, &d, &nvalue, &e) ||
            !velo_agg_state_flat(&d))
            return false;
    }
    return true;
}

/* Builds core cp's two stages for a two-phase GROUP BY: stage A = nodes[1, a_end) -> PARTIAL
 * GROUP BY -> exchange 1 (by the encoded key), stage B = MERGE GROUP BY -> nodes(a_end, b_end) ->
 * exchange 2. */
static velo_operator *gather_op_new(struct job_run *j, velo_core *core, velo_exchange *x,
                                    const velo_schema *schema, velo_error *err);

static velo_status build_two_phase(run_state *rs, const velo_query_plan *qp, velo_plan **nodes,
                                   const plan_layout *lay, core_pipe *cp, velo_core *core, velo_exchange *x1,
                                   velo_exchange *x2, struct job_run *j, velo_error *err) {
    const uint32_t cap = VELO_BATCH_DEFAULT_CAPACITY;
    velo_plan *scan = nodes[0];
    uint32_t local_max;
    bool off;
    velo_status st = local_max_groups_option(qp, &local_max, &off, err);
    if (st) return st;
    velo_row_error_handler h = {on_row_error, &cp->dctx[lay->a_end]};
    velo_operator *partial = NULL, *merge = NULL, *xa = NULL, *tail = NULL;
    velo_plan *p1 = velo_plan_node_copy(nodes[lay->a_end]);
    if (p1) partial = build_aggregate(rs, qp, p1, scan, h, VELO_GROUP_PARTIAL, local_max, err);
    velo_plan_node_copy_free(p1);
    velo_schema *ps = velo_group_partial_schema();
    velo_expr **keys = mi_zalloc(sizeof *keys);
    if (keys && (keys[0] = velo_expr_new(VELO_EXPR_COLUMN, velo_type_make(VELO_TYPE_BYTES), 0)))
        keys[0]->column = 0; /* "_key": the exchange hashes the encoded key */
    if (partial && ps && keys && keys[0] &&
        (xa = velo_exchange_op_new(x1, core, keys, 1, 0, ps, cap, rs->opts->file)))
        keys[0] = NULL;
    if (keys) velo_expr_free(keys[0]);
    mi_free(keys);
    velo_schema_free(ps);
    if (!xa) goto fail;
    partial->next = xa;
    xa = NULL;
    cp->group_ops[0] = partial;
    cp->chain_a = build_chain(rs, qp, nodes, 1, lay->a_end, partial, true, cp, err);
    partial = NULL; /* in chain_a, or destroyed by build_chain */
    if (!cp->chain_a) {
        cp->group_ops[0] = NULL;
        goto fail;
    }

    velo_operator *xb = gather_op_new(j, core, x2, nodes[lay->b_end - 1]->schema, err);
    if (!xb || !(tail = build_chain(rs, qp, nodes, lay->a_end + 1, lay->b_end, xb, true, cp, err))) goto fail;
    velo_plan *p2 = velo_plan_node_copy(nodes[lay->a_end]);
    if (p2) merge = build_aggregate(rs, qp, p2, scan, h, VELO_GROUP_MERGE, 0, err);
    velo_plan_node_copy_free(p2);
    if (!merge) {
        velo_operator_destroy_chain(tail);
        goto fail;
    }
    merge->next = tail;
    cp->in_chain[0] = merge;
    cp->group_ops[1] = merge;
    return VELO_OK;
fail:
    velo_operator_destroy_chain(partial);
    velo_operator_destroy_chain(xa);
    if (!err->code) velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the operators");
    return err->code;
}

static velo_status core_join_build(core_pipe *cp);

static void core_fail(job_run *j, core_pipe *cp, velo_status st) {
    cp->status = st ? st : VELO_ERR_INTERNAL;
    if (!atomic_exchange(&j->failed, true))
        for (uint32_t i = 0; i < j->lay.nx; i++)
            velo_exchange_abort(j->x[i]);
}

/* Takes what waits on exchanges of level >= `level` for this core and runs it through the stage
 * that consumes it; finishes that stage once every producer ended. */
/* Rows of several cores end in core 0's sink (not a producer per core, not everything on core 0). */
static bool shared_sink(const job_run *j) { return !j->lay.per_core && !j->lay.single && j->sink; }
/* ... straight over one exchange (no keyed stage between) from slices that poll without blocking
 * (Kafka: each core sleeps at most 100 ms): core 0 may leave them in the rings while its sink is full */
static bool gathered_to_sink(const job_run *j) { return shared_sink(j) && j->lay.nx == 1 && j->sleepy; }

/* How backlogged the output of core `id`'s source is, for a job whose rows end in core 0's sink:
 * the sink's level as core 0 last published it, FULL too while the ring to core 0 lacks room for
 * what one source batch may send (the core must never block on it: its consumer is still polled). */
static velo_sink_backlog core_out_level(job_run *j, uint32_t id) {
    velo_sink_backlog level = (velo_sink_backlog)atomic_load_explicit(&j->out_level, memory_order_acquire);
    if (gathered_to_sink(j) && velo_exchange_room(j->x[0], id, 0) < 8) level = VELO_SINK_FULL;
    return level;
}

static bool publish_out_level(job_run *j);

/* ---- encoding on the producing cores (engine/gather.h) ----
 * When nothing but the sink follows the last exchange (stage C is the sink alone), every core
 * encodes its own rows with the sink's encoder and the bytes cross the exchange: core 0 appends
 * them (the formatting, the larger part of a pass-through's sink, runs on all cores). The
 * messages, their order per producer and the backpressure are those of the batches they replace. */
static bool gather_encodes(const job_run *j) {
    return !j->lay.single && !j->lay.per_core && j->lay.nx > 0 && j->lay.b_end == j->nnodes &&
           velo_gather_can_encode(j->sink);
}

/* The operator at the end of a core's last stage: the gathering exchange to core 0, of rows or
 * (encode_out) of the sink's bytes. */
static velo_operator *gather_op_new(job_run *j, velo_core *core, velo_exchange *x, const velo_schema *schema,
                                    velo_error *err) {
    if (!j->encode_out)
        return velo_exchange_op_new(x, core, NULL, 0, 0, schema, VELO_BATCH_DEFAULT_CAPACITY,
                                    j->rs->opts->file);
    velo_sink_encoder *enc = NULL;
    /* direct writes from the cores: unless a commit point relies on core 0's flush covering the rows */
    if (j->sink->ops->encoder_new(j->sink, j->commits ? 0 : VELO_ENCODER_DIRECT, &enc, err)) return NULL;
    return velo_gather_encode_op_new(x, core, 0, enc);
}

/* Core 0: bytes a core encoded, into the job's sink (counted as the sink operator's rows). */
static velo_status gather_write(job_run *j, const velo_xmsg *m, velo_error *err) {
    velo_status st = velo_gather_write(j->sink, j->sink_op, m, err);
    if (st && j->rs->opts->progress) atomic_fetch_add(&j->rs->opts->progress->sink_errors, 1);
    return st;
}

static bool service_exchanges(velo_core *core, uint32_t level, void *ud) {
    job_run *j = ud;
    uint32_t id = velo_core_id(core);
    core_pipe *cp = &j->cores[id];
    bool progress = false;
    /* gathered to core 0's sink and that sink full: the rows wait in the rings (bounded: their
     * producers stop producing, core_out_level), not in the sink. Not when core 0 itself waits for
     * room in a ring (level > 0): it takes what it must. */
    if (id == 0 && level == 0 && gathered_to_sink(j) &&
        atomic_load_explicit(&j->out_level, memory_order_acquire) == VELO_SINK_FULL)
        return false;
    for (uint32_t i = 0; i < j->lay.nx && !cp->status; i++) {
        velo_exchange *x = j->x[i];
        if (velo_exchange_level(x) < level || cp->in_finished[i]) continue;
        velo_xmsg *m;
        bool stop_taking = false;
        for (int taken = 0; taken < 64 && !cp->status && !stop_taking && (m = velo_exchange_poll(x, core));
             taken++) {
            progress = true;
            if ((m->kind == VELO_XMSG_BATCH || m->kind == VELO_XMSG_BYTES) && cp->in_chain[i]) {
                velo_status st = m->kind == VELO_XMSG_BYTES
                                     ? gather_write(j, m, &cp->err)
                                     : velo_operator_push(cp->in_chain[i], m->batch, &cp->err);
                if (st) core_fail(j, cp, st);
                /* one batch at a time into a sink that may fill: a write beyond the sink's limit
                 * would block core 0 (a pipe: beyond 8 MiB) */
                if (id == 0 && level == 0 && gathered_to_sink(j)) stop_taking = publish_out_level(j);
            } else if (m->kind == VELO_XMSG_WATERMARK && cp->in_chain[i]) {
                /* every producer's watermark (the minimum) goes on to the windows of this core */
                int64_t w = velo_exchange_watermark(x, id);
                velo_status st = w == INT64_MIN || w == VELO_WATERMARK_IDLE || w == INT64_MAX
                                     ? VELO_OK
                                     : velo_operator_watermark(cp->in_chain[i], w, &cp->err);
                if (st) core_fail(j, cp, st);
            } else if (m->kind == VELO_XMSG_BARRIER && j->snaps && m->value) {
                /* a core's Kafka offsets, behind the rows they cover: core 0 commits them after its
                 * sink flushed (the latest snapshot of a core holds all its partitions) */
                if (j->snaps[m->from]) j->sops->free_snapshot(j->snaps[m->from]);
                j->snaps[m->from] = (void *)(uintptr_t)m->value;
            }
            velo_exchange_release(x, core, m); /* the batch goes back to its producer */
        }
        if (!cp->status && velo_exchange_done(x, id)) {
            cp->in_finished[i] = true;
            progress = true;
            velo_status st = cp->in_chain[i] ? velo_operator_finish(cp->in_chain[i], &cp->err) : VELO_OK;
            if (st) core_fail(j, cp, st);
        }
    }
    return progress;
}

typedef struct idle_check {
    job_run *j;
    uint32_t id;
} idle_check;

static bool core_has_work(void *ud) {
    idle_check *c = ud;
    if (atomic_load(&c->j->failed)) return true;
    const core_pipe *cp = &c->j->cores[c->id];
    /* core 0 leaves the rings alone while its sink is full: it looks again at its next wake-up */
    if (c->id == 0 && gathered_to_sink(c->j) &&
        atomic_load_explicit(&c->j->out_level, memory_order_acquire) == VELO_SINK_FULL)
        return false;
    if (cp->bp_held && c->id != 0 && core_out_level(c->j, c->id) != VELO_SINK_FULL) return true;
    if (c->j->sleepy && cp->source && !cp->src_done && c->j->sops->ready(cp->source)) return true;
    for (uint32_t i = 0; i < c->j->lay.nx; i++)
        if (velo_exchange_pending(c->j->x[i], c->id)) return true;
    return false;
}

static bool core_finished(job_run *j, core_pipe *cp) {
    if (!cp->a_finished) return false;
    for (uint32_t i = 0; i < j->lay.nx; i++)
        if (!cp->in_finished[i]) return false;
    return true;
}

static uint64_t core_join_row_errors(const core_pipe *cp);
static uint64_t core_join_state_bytes(const core_pipe *cp);

/* The per-core half of the progress publishing (the control thread sums it in run_plan_cores):
 * this core's late rows, row errors, group state and watermark; on core 0 of a single-core layout
 * (read and sink on the same core) the batch latency too. Relaxed stores: one writer per block. */
static void publish_core(job_run *j, core_pipe *cp, uint32_t id, uint64_t rows_out_before,
                         int64_t batch_start_us) {
    velo_run_progress *p = j->rs->opts->progress;
    if (!p) return;
    uint64_t late = 0, late_rejected = 0, state = 0, row_errors = 0;
    int64_t wm = INT64_MIN;
    for (uint32_t g = 0; g < 2; g++)
        if (cp->group_ops[g]) {
            velo_group_stats gs;
            velo_group_op_stats(cp->group_ops[g], &gs);
            late += gs.late_rows, late_rejected += gs.late_rows_rejected, state += gs.table_bytes;
            if (gs.watermark != INT64_MIN && (wm == INT64_MIN || gs.watermark < wm)) wm = gs.watermark;
        }
    for (uint32_t i = 0; i < MAX_PIPELINE; i++)
        row_errors += cp->dctx[i].row_errors;
    row_errors += core_join_row_errors(cp);
    state += core_join_state_bytes(cp);
    atomic_store_explicit(&cp->obs.late_rows, late, memory_order_relaxed);
    atomic_store_explicit(&cp->obs.late_rows_rejected, late_rejected, memory_order_relaxed);
    atomic_store_explicit(&cp->obs.row_errors, row_errors, memory_order_relaxed);
    atomic_store_explicit(&cp->obs.state_bytes, state, memory_order_relaxed);
    atomic_store_explicit(&cp->obs.watermark_us, wm, memory_order_relaxed);
    atomic_store_explicit(&cp->obs.has_watermark, wm != INT64_MIN, memory_order_relaxed);
    if (id == 0 && j->lay.single && batch_start_us && j->sink_op && j->sink_op->rows_out > rows_out_before) {
        static const int64_t bounds[] = VELO_LATENCY_BOUNDS_US;
        int64_t us = monotonic_us() - batch_start_us;
        uint32_t b = 0;
        while (b < VELO_LATENCY_BUCKETS - 1 && us > bounds[b])
            b++;
        atomic_fetch_add_explicit(&p->latency_buckets[b], 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&p->latency_sum_us, (uint64_t)us, memory_order_relaxed);
    }
}

/* The periodic commit point of a core after it pushed rows (at-least-once: offsets are committed only
 * once every row read before them reached the sink). One core: flush the sink, commit. Kafka on
 * several cores with a producer each: the same, per core, for its own partitions. Gathered to core
 * 0's sink: the core's offsets follow its rows over the exchange; core 0 commits them (below). */
static velo_status core_commit_point(job_run *j, velo_core *core, core_pipe *cp) {
    cp->last_commit_us = monotonic_us();
    if (!j->lay.kafka) return commit_point(j->sink, j->sops, cp->source, &cp->err);
    if (j->lay.per_core) return commit_point(cp->sink, j->sops, cp->source, &cp->err);
    void *snap = j->snaps ? j->sops->snapshot(cp->source) : NULL;
    if (snap && !velo_exchange_send(j->x[0], core, 0, VELO_XMSG_BARRIER, (int64_t)(uintptr_t)snap))
        j->sops->free_snapshot(snap); /* aborted: the job fails */
    return VELO_OK;
}

/* Core 0 of a gathered Kafka layout: every 'commit.interval', flush the sink, then commit the offsets
 * the cores sent (each arrived behind the rows it covers, all of them now flushed). */
static velo_status core0_commit_snapshots(job_run *j, core_pipe *c0) {
    if (!j->snaps || monotonic_us() - c0->last_commit_us < j->commit_every_us) return VELO_OK;
    uint32_t n = velo_runtime_ncores(j->rt);
    bool any = false;
    for (uint32_t c = 0; c < n; c++)
        any |= j->snaps[c] != NULL;
    /* a flush would block core 0 (and its consumer's polling) while the output is stuck */
    if (!any || velo_backpressure_backlogged(j->sink)) return VELO_OK;
    velo_status st = j->sink->ops->flush(j->sink, &c0->err);
    for (uint32_t c = 0; c < n && !st; c++)
        if (j->snaps[c]) {
            st = j->sops->commit_snapshot(c0->source, j->snaps[c], &c0->err);
            j->snaps[c] = NULL;
        }
    return st;
}

/* Core 0 of a layout whose rows end in its sink: publishes the sink's backlog for the other cores'
 * sources and wakes them once it is no longer full (core_has_work sees it too). True: full. */
static bool publish_out_level(job_run *j) {
    /* full (gathered: core 0 leaves the rings and its paused slice alone): wait for room in the sink
     * itself, not for the core's next wake-up, as velo_backpressure_poll does on one core */
    bool full = atomic_load_explicit(&j->out_level, memory_order_acquire) == VELO_SINK_FULL;
    int level =
        (int)velo_backpressure_level(j->sink, full && gathered_to_sink(j) ? VELO_BACKPRESSURE_WAIT_MS : 0);
    int was = atomic_exchange_explicit(&j->out_level, level, memory_order_acq_rel);
    if (was == VELO_SINK_FULL && level != VELO_SINK_FULL)
        for (uint32_t c = 1; c < velo_runtime_ncores(j->rt); c++)
            velo_core_wake(velo_runtime_core(j->rt, c));
    return level == VELO_SINK_FULL;
}

static void job_checkpoint(job_run *j, core_pipe *cp);
static velo_status job_checkpoint_open(job_run *j, velo_error *err);
static velo_status job_checkpoint_restore(job_run *j, velo_error *err);
static void job_checkpoint_trigger(job_run *j, int64_t *last_us);
static velo_status checkpoint_unsupported(const velo_query_plan *qp, const char *what, velo_error *err);
static void checkpoint_layout(const velo_query_plan *qp, uint32_t nnodes, plan_layout *lay);
/* Core 0 with nothing else to do while its shared sink is full (a pipe whose reader lags, the
 * other cores paused on it): it waits for room in the sink (at most
 * VELO_BACKPRESSURE_WAIT_MS), not on its ring, which nobody rings when the reader takes bytes; the
 * paused cores resume once the sink is no longer full. False (no wait) when the sink is not full. */
static bool core0_wait_output(job_run *j) {
    if (atomic_load_explicit(&j->out_level, memory_order_acquire) != VELO_SINK_FULL) return false;
    int level = (int)velo_backpressure_level(j->sink, VELO_BACKPRESSURE_WAIT_MS);
    int was = atomic_exchange_explicit(&j->out_level, level, memory_order_acq_rel);
    if (was == VELO_SINK_FULL && level != VELO_SINK_FULL)
        for (uint32_t c = 1; c < velo_runtime_ncores(j->rt); c++)
            velo_core_wake(velo_runtime_core(j->rt, c));
    return true;
}

/* Source watermarks: this core's reader's watermark, when it moved, goes down its chain (to the
 * windows on one core, to every consumer of the exchange on several). */
static velo_status core_source_watermark(job_run *j, core_pipe *cp) {
    int64_t w = j->sops->watermark(cp->source);
    if (w == INT64_MIN || w == cp->wm_sent) return VELO_OK;
    cp->wm_sent = w;
    return velo_operator_watermark(cp->chain_a, w, &cp->err);
}

/* Asks every reader of the job for per-partition watermarks ('watermark.delay',
 * 'watermark.idle.timeout': job option, else the source's). */
static velo_status source_watermarks_setup(const velo_query_plan *qp, velo_plan **nodes, uint32_t agg,
                                           const velo_source_ops *sops, core_pipe *cores, uint32_t ncores,
                                           velo_error *err) {
    const velo_plan *scan = nodes[0], *a = nodes[agg];
    const velo_kv *opts = &qp->job_options, *sopts = &scan->source.options;
    int64_t delay = 0, idle = 0;
    const velo_kv *dkv = velo_kv_get(opts, "watermark.delay") ? opts : sopts;
    velo_status st = duration_option(dkv, "watermark.delay", 0, &delay, NULL, err);
    const velo_kv *ikv = velo_kv_get(opts, "watermark.idle.timeout") ? opts : sopts;
    if (!st) st = duration_option(ikv, "watermark.idle.timeout", 0, &idle, NULL, err);
    int32_t tc = a->window.time_column >= 0 ? a->window.time_column : scan->source.event_time_column;
    for (uint32_t c = 0; c < ncores && !st; c++) {
        cores[c].wm_sent = INT64_MIN;
        if (cores[c].source) st = sops->watermarks(cores[c].source, tc, delay, idle, err);
    }
    return st;
}

/* A core's event loop: read a batch of its slice, push it through stage A, take what the
 * exchanges brought, sleep on the io_uring ring when there is nothing to do. */
static void core_run(velo_core *core, void *ud) {
    job_run *j = ud;
    uint32_t id = velo_core_id(core);
    core_pipe *cp = &j->cores[id];
    velo_core_metrics *met = velo_core_metrics_of(core);
    velo_core_set_service(core, service_exchanges, j);
    /* a Kafka consumer is polled now and then even when nothing comes (the group's poll interval) */
    if (j->sleepy) velo_core_set_sleep_limit(core, 100);
    velo_operator *own_sink = cp->sink_op ? cp->sink_op : id == 0 ? j->sink_op : NULL;
    /* the sink this core's chain ends in, if any (one core; a producer per core): its source waits
     * while it is backlogged, and periodic commits wait for it (another core's sink is not ours) */
    velo_sink *own_out = j->lay.per_core ? cp->sink : id == 0 ? j->sink : NULL;
    /* rows of several cores end in core 0's sink: core 0 publishes its backlog for the others */
    bool shared_out = shared_sink(j);
    cp->last_commit_us = monotonic_us();
    velo_status bst;
    if (cp->join && (bst = core_join_build(cp))) core_fail(j, cp, bst); /* before the stream slice */
    while (!cp->status && !atomic_load(&j->failed) && !core_finished(j, cp)) {
        bool progress = false;
        velo_control_kind ck;
        while ((ck = velo_core_control_poll(core)))
            if (ck == VELO_CONTROL_STOP)
                cp->src_done = true; /* stop reading; drain as at end of input */
            else if (ck == VELO_CONTROL_CHECKPOINT && !cp->src_done)
                job_checkpoint(j, cp);
        if (cp->status) break;
        /* LIMIT without ORDER BY runs on one core (single): once it has its rows, stop reading */
        if (j->lay.single && cp->limit_op && velo_limit_done(cp->limit_op)) cp->src_done = true;
        int64_t batch_start_us = j->rs->opts->progress ? monotonic_us() : 0;
        uint64_t rows_out_before = id == 0 && own_sink ? own_sink->rows_out : 0;
        if (!cp->src_done && cp->source) {
            velo_batch_reset(cp->batch);
            bool eof = false;
            /* a chain that ends in this core's sink: the source waits while the sink is backlogged;
             * in core 0's sink: while core 0 says it is full (it pauses, still serving its consumer) */
            velo_status st = shared_out && (id != 0 || gathered_to_sink(j))
                                 ? velo_backpressure_poll_level(core_out_level(j, id), cp->source, cp->batch,
                                                                &eof, &cp->bp_held, &cp->err)
                                 : velo_backpressure_poll(own_out, cp->source, cp->batch, &eof, &cp->err);
            if (st) {
                core_fail(j, cp, st);
                break;
            }
            if (eof) cp->src_done = true;
            /* nothing came: let time pass (processing-time windows, idle.timeout) */
            if (!cp->batch->count && !eof && cp->chain_a &&
                (st = velo_operator_tick(cp->chain_a, wall_clock_us(), &cp->err))) {
                core_fail(j, cp, st);
                break;
            }
            /* windows on source watermarks behind the exchange: time passes for them too */
            for (uint32_t x = 0; x < j->lay.nx && j->rs->source_wm_node && !cp->batch->count && !eof; x++)
                if (cp->in_chain[x] && !cp->in_finished[x] &&
                    (st = velo_operator_tick(cp->in_chain[x], wall_clock_us(), &cp->err))) {
                    core_fail(j, cp, st);
                    break;
                }
            if (st) break;
            if (cp->batch->count) {
                velo_metric_add(&met->rows_in, cp->batch->count);
                if ((st = velo_operator_push(cp->chain_a, cp->batch, &cp->err))) {
                    core_fail(j, cp, st);
                    break;
                }
                cp->uncommitted = true;
            }
            /* at-least-once: the sink flushed, then the source commits what it polled. Also when
             * nothing came since: the last rows read before the input went quiet would otherwise
             * wait (unflushed in the sink, uncommitted) until more input arrives */
            if (cp->uncommitted && j->commit_every_us > 0 &&
                monotonic_us() - cp->last_commit_us >= j->commit_every_us &&
                !velo_backpressure_backlogged(own_out)) {
                cp->uncommitted = false;
                if ((st = core_commit_point(j, core, cp))) {
                    core_fail(j, cp, st);
                    break;
                }
            }
            if (j->rs->source_wm_node && !eof && (st = core_source_watermark(j, cp))) {
                core_fail(j, cp, st);
                break;
            }
            /* a slice that polls without blocking made progress only if something came */
            progress = (!j->sleepy && !cp->bp_held) || cp->batch->count || eof;
        } else if (!cp->source) {
            cp->src_done = true;
        }
        if (cp->src_done && !cp->a_finished) {
            cp->a_finished = true;
            progress = true;
            /* the input ended or the job stops: a last checkpoint of the state before its finish */
            job_checkpoint(j, cp);
            if (cp->status) break;
            velo_status st = cp->chain_a ? velo_operator_finish(cp->chain_a, &cp->err) : VELO_OK;
            /* a committing plan on core 0 alone: its chain ends in the sink (Kafka on several cores:
             * the control thread commits every slice once the cores are done) */
            if (!st && j->commits && j->lay.single && cp->source)
                st = commit_point(j->sink, j->sops, cp->source, &cp->err);
            if (st) {
                core_fail(j, cp, st);
                break;
            }
        }
        if (id == 0 && shared_out) publish_out_level(j);
        if (service_exchanges(core, 0, j)) progress = true;
        if (id == 0 && j->snaps) {
            velo_status st = core0_commit_snapshots(j, cp);
            if (st) {
                core_fail(j, cp, st);
                break;
            }
        }
        if (own_sink) atomic_store_explicit(&met->rows_out, own_sink->rows_out, memory_order_relaxed);
        if (progress) publish_core(j, cp, id, rows_out_before, batch_start_us);
        if (!progress && !core_finished(j, cp) && id == 0 && shared_out && core0_wait_output(j)) continue;
        if (!progress && !core_finished(j, cp)) {
            idle_check ic = {j, id};
            velo_core_sleep(core, core_has_work, &ic);
        }
    }
    if (own_sink) atomic_store_explicit(&met->rows_out, own_sink->rows_out, memory_order_relaxed);
}

/* ---- the operator tree ----
 *
 * A plan runs as a tree of push operators built from the sink down: each SCAN becomes one input
 * (a source read to its end, then finished), a JOIN an operator whose build input receives the
 * right subtree, a UNION ALL an operator that finishes downstream after its last input. Inputs are
 * read one after another, the right side of every join before its left side: a file table is
 * loaded whole before the stream that joins it starts. */

#define MAX_INPUTS 32

typedef struct tree_input {
    velo_plan *scan;
    int phase;            /* inputs run phase by phase, lowest first; one phase's inputs take turns */
    bool one_row;         /* SELECT without FROM: one row of no columns (scan is NULL) */
    bool changelog;       /* a table read by connectors/table.c (its batches carry a deletion flag) */
    bool follow;          /* ... that goes on after its bootstrap: polled between the other inputs */
    velo_operator *first; /* where its batches go */
    char name[256];       /* messages name a file the way its reader does: "in.csv:3" */
    uint64_t rows;        /* rows decoded */
} tree_input;

typedef struct op_tree {
    run_state *rs;
    const velo_query_plan *qp;
    velo_dlq *dlq;
    bool fail_job;
    uint64_t max_state_bytes;
    velo_operator **ops; /* every operator made (each destroyed alone: a join is reached twice) */
    uint32_t nops, capops;
    dlq_ctx **ctxs;
    uint32_t nctxs, capctxs;
    tree_input inputs[MAX_INPUTS];
    uint32_t ninputs;
    velo_operator *group_op, *limit_op;
    velo_operator *joins[MAX_INPUTS]; /* for their late-row counts */
    uint32_t njoins;
    uint64_t sub_rows, sub_row_errors; /* rows decoded / failed by the subqueries run first */
    velo_scan_mask masks[MAX_INPUTS];  /* projection pushdown: the SCANs reading only some columns */
    uint32_t nmasks;
    velo_sink *sink; /* the query's sink (NULL for a subquery): commit points flush it */
    bool stateless;  /* a one-input plan of FILTER / PROJECT only: no operator holds rows back */
    velo_kv claims;  /* what the query's sources reserved (velo_connector_args.claims) */
} op_tree;

static velo_status tree_add(op_tree *t, velo_operator *op, velo_error *err) {
    if (!op)
        return err && err->code ? err->code
                                : velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the operators");
    if (t->nops == t->capops) {
        uint32_t n = t->capops ? t->capops * 2 : 16;
        velo_operator **no = mi_realloc(t->ops, sizeof *no * n);
        if (!no) {
            op->ops->destroy(op);
            return velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the operators");
        }
        t->ops = no;
        t->capops = n;
    }
    t->ops[t->nops++] = op;
    return VELO_OK;
}

static void scan_name(const velo_plan *scan, char *out, size_t n) {
    const velo_plan_source *ps = &scan->source;
    velo_uri u;
    if (ps->uri && !velo_uri_parse(ps->uri, &u, NULL)) {
        snprintf(out, n, "%s", !strcmp(u.scheme, "file") ? u.path : ps->name ? ps->name : ps->uri);
        velo_uri_free(&u);
    } else {
        snprintf(out, n, "%s", ps->name ? ps->name : ps->uri ? ps->uri : "?");
    }
}

/* A row-error handler for rows shaped like `input`, coming from the sources under `under`. */
static velo_row_error_handler tree_handler(op_tree *t, const velo_schema *input, const velo_plan *under) {
    velo_row_error_handler h = {on_row_error, NULL};
    if (t->nctxs == t->capctxs) {
        uint32_t n = t->capctxs ? t->capctxs * 2 : 16;
        dlq_ctx **nc = mi_realloc(t->ctxs, sizeof *nc * n);
        if (!nc) return (velo_row_error_handler){0};
        t->ctxs = nc;
        t->capctxs = n;
    }
    dlq_ctx *d = mi_zalloc(sizeof *d + 256);
    if (!d) return (velo_row_error_handler){0};
    char *name = (char *)(d + 1);
    const velo_plan *scan = leftmost_scan(under);
    if (scan) scan_name(scan, name, 256);
    d->dlq = t->dlq;
    d->input = input;
    d->source_name = name;
    d->fail_job = t->fail_job;
    for (uint32_t i = 0; i < t->nmasks; i++)
        if (input == t->masks[i].scan->schema) d->used = t->masks[i].used;
    velo_strbuf_init(&d->buf);
    t->ctxs[t->nctxs++] = d;
    h.ud = d;
    return h;
}

static velo_status materialize_subqueries(op_tree *t, velo_plan *p, velo_error *err);

/* The join operator's kind for a plan's join kind. */
static velo_join_op_kind join_op_kind(velo_join_kind k) {
    switch (k) {
    case VELO_JOIN_LEFT: return VELO_JOIN_OP_LEFT;
    case VELO_JOIN_RIGHT: return VELO_JOIN_OP_RIGHT;
    case VELO_JOIN_FULL: return VELO_JOIN_OP_FULL;
    case VELO_JOIN_SEMI: return VELO_JOIN_OP_SEMI;
    case VELO_JOIN_ANTI: return VELO_JOIN_OP_ANTI;
    case VELO_JOIN_MARK: return VELO_JOIN_OP_MARK;
    default: return VELO_JOIN_OP_INNER;
    }
}

static velo_status build_join(op_tree *t, velo_plan *p, velo_operator *down, int phase, velo_operator **out,
                              velo_error *err);

/* Builds the operators of p (and below), which send their rows to `down`; its inputs run in `phase`. */
static velo_status build_node(op_tree *t, velo_plan *p, velo_operator *down, int phase, velo_error *err) {
    run_state *rs = t->rs;
    velo_status st;
    if (p->kind == VELO_PLAN_SCAN) {
        if (t->ninputs == MAX_INPUTS)
            return unsupported_at(&p->pos, err, "more than 32 sources in one query");
        tree_input *in = &t->inputs[t->ninputs++];
        memset(in, 0, sizeof *in);
        in->scan = p;
        in->phase = phase;
        in->first = down;
        scan_name(p, in->name, sizeof in->name);
        return VELO_OK;
    }
    if (p->kind == VELO_PLAN_PROJECT && !p->input) { /* SELECT without FROM */
        if (t->ninputs == MAX_INPUTS)
            return unsupported_at(&p->pos, err, "more than 32 sources in one query");
        tree_input *in = &t->inputs[t->ninputs++];
        memset(in, 0, sizeof *in);
        in->phase = phase;
        in->first = down;
        in->one_row = true;
        snprintf(in->name, sizeof in->name, "SELECT without FROM");
        return VELO_OK;
    }
    if (p->kind == VELO_PLAN_UNION_ALL) {
        velo_operator *u = velo_union_op_new(p->ninputs);
        if ((st = tree_add(t, u, err))) return st;
        u->next = down;
        for (uint32_t i = 0; i < p->ninputs; i++)
            if ((st = build_node(t, p->inputs[i], u, phase, err))) return st;
        return VELO_OK;
    }
    const velo_plan *scan = leftmost_scan(p);
    velo_row_error_handler h =
        p->input ? tree_handler(t, p->input->schema, p->input) : (velo_row_error_handler){0};
    velo_operator *op = NULL;
    if (p->kind == VELO_PLAN_JOIN) return build_join(t, p, down, phase, &op, err);
    op = build_operator(rs, t->qp, p, scan, h, err);
    if (op && p->kind == VELO_PLAN_AGGREGATE) t->group_op = op;
    if (op && p->kind == VELO_PLAN_LIMIT && !t->limit_op)
        t->limit_op = op; /* the outermost LIMIT: once done, reading stops */
    if ((st = tree_add(t, op, err))) return st;
    op->next = down;
    return build_node(t, p->input, op, phase, err);
}

/* A duration job option, else the source's ('watermark.delay'); *given says whether either had it. */
static velo_status join_side_delay(const op_tree *t, const velo_plan *side, int64_t *out, bool *given,
                                   velo_error *err) {
    const velo_kv *opts = &t->qp->job_options;
    const velo_plan *scan = leftmost_scan(side);
    const velo_kv *kv = velo_kv_get(opts, "watermark.delay") || !scan ? opts : &scan->source.options;
    bool g = false;
    velo_status st = duration_option(kv, "watermark.delay", 0, out, &g, err);
    *given |= g;
    return st;
}

static velo_status build_join(op_tree *t, velo_plan *p, velo_operator *down, int phase, velo_operator **out,
                              velo_error *err) {
    velo_join_config cfg = {0};
    cfg.kind = join_op_kind(p->join_kind);
    cfg.left_keys = p->left_keys;
    cfg.right_keys = p->right_keys;
    cfg.nkeys = p->njoin_keys;
    cfg.condition = p->condition;
    cfg.left = p->input->schema;
    cfg.right = p->right->schema;
    cfg.right_pk = -1;
    cfg.within_us = p->within_us;
    cfg.left_time = cfg.right_time = -1;
    if (p->time_bound && p->within_us < 0) { /* a predicate on both event times: its columns */
        cfg.time_bound = true;
        cfg.bound_lo_us = p->bound_lo_us;
        cfg.bound_hi_us = p->bound_hi_us;
        cfg.left_time = p->bound_left_time;
        cfg.right_time = p->bound_right_time;
    } else if (p->within_us >= 0) {
        const velo_plan *ls = leftmost_scan(p->input);
        if (ls) cfg.left_time = ls->source.event_time_column;
        if (p->right->kind == VELO_PLAN_SCAN) cfg.right_time = p->right->source.event_time_column;
        if (cfg.left_time < 0 || cfg.right_time < 0 ||
            cfg.left->fields[cfg.left_time].type.id != VELO_TYPE_TIMESTAMP ||
            cfg.right->fields[cfg.right_time].type.id != VELO_TYPE_TIMESTAMP)
            return velo_error_set_at(err, VELO_ERR_BIND, p->pos.line, p->pos.col,
                                     "JOIN ... WITHIN compares the event times of both sides: set "
                                     "'event.time.field' to a TIMESTAMP column on both sources");
    }
    const velo_plan *rscan = p->right->kind == VELO_PLAN_SCAN ? p->right : NULL;
    if (rscan && rscan->source.is_table) {
        cfg.right_name = rscan->source.name;
        if (rscan->source.primary_key)
            cfg.right_pk = velo_schema_find(rscan->schema, rscan->source.primary_key);
    }
    if (!cfg.right_name) cfg.right_name = "the right side of the JOIN";
    /* a table read as a changelog: upserts and deletions applied to the built side as they come */
    cfg.right_changelog = table_reader(rscan) && p->within_us < 0;
    /* stream-stream: both sides kept and read in turns; otherwise the right side is built first */
    cfg.stream.symmetric =
        p->within_us >= 0 || cfg.time_bound || (!plan_bounded(p->right) && !cfg.right_changelog);
    if (cfg.stream.symmetric) {
        bool given = false;
        velo_status st = join_side_delay(t, p->input, &cfg.stream.delay_us[0], &given, err);
        if (!st) st = join_side_delay(t, p->right, &cfg.stream.delay_us[1], &given, err);
        if (st) return st;
        /* a bounded join without an explicit watermark keeps everything to the end: exact, whatever the order
         */
        cfg.stream.use_watermark = given || !plan_bounded(p);
        const char *late = velo_kv_get(&t->qp->job_options, "late.records");
        cfg.stream.late_to_dlq = late && !strcasecmp(late, "dlq");
    }
    cfg.max_state_bytes = t->max_state_bytes;
    cfg.capacity = VELO_BATCH_DEFAULT_CAPACITY;
    cfg.file = t->rs->opts->file;
    cfg.on_left_error = tree_handler(t, p->input->schema, p->input);
    cfg.on_right_error = tree_handler(t, p->right->schema, p->right);
    /* SEMI/ANTI/MARK: the left columns of the pair */
    cfg.on_pair_error =
        tree_handler(t, p->join_kind == VELO_JOIN_MARK ? p->input->schema : p->schema, p->input);
    if (p->join_kind == VELO_JOIN_MARK && p->nexprs) { /* the planner keeps the mark value in exprs[0] */
        cfg.mark_value = p->exprs[0];
        p->exprs[0] = NULL;
    }
    velo_operator *op = velo_join_op_new(&cfg, err);
    /* the operator took the expressions, whatever happened */
    p->left_keys = p->right_keys = NULL;
    p->njoin_keys = 0;
    p->condition = NULL;
    if (!op && !err->line) err->line = p->pos.line, err->col = p->pos.col;
    velo_status st = tree_add(t, op, err);
    if (st) return st;
    *out = op;
    op->next = down;
    if (t->njoins < MAX_INPUTS) t->joins[t->njoins++] = op;
    /* hash join: the right side's inputs are read (and its state built) before the left's */
    if (cfg.stream.symmetric) { /* stream-stream: the same phase, left input first in each turn */
        if ((st = build_node(t, p->input, op, phase, err))) return st;
        return build_node(t, p->right, velo_join_op_build_input(op), phase, err);
    }
    if ((st = build_node(t, p->right, velo_join_op_build_input(op), phase - 1, err))) return st;
    if (cfg.right_changelog) { /* the input just added reads the table */
        tree_input *in = &t->inputs[t->ninputs - 1];
        in->changelog = true;
        in->follow = !rscan->source.bounded;
    }
    return build_node(t, p->input, op, phase, err);
}

static uint64_t tree_rows_decoded(const op_tree *t) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < t->ninputs; i++)
        n += t->inputs[i].rows;
    return n;
}

/* An input being read. */
typedef struct open_input {
    tree_input *in;
    const velo_source_ops *ops;
    velo_source *source;
    velo_batch *batch;
    velo_uri uri;
    bool have_uri, eof;
    int64_t commit_every_us, last_commit_us; /* at-least-once sources (Kafka): periodic commit points */
} open_input;

/* The columns `scan` decodes (projection pushdown), NULL = every column. */
static const uint8_t *scan_used(const op_tree *t, const velo_plan *scan) {
    for (uint32_t i = 0; i < t->nmasks; i++)
        if (t->masks[i].scan == scan) return t->masks[i].used;
    return NULL;
}

static velo_status open_one(op_tree *t, tree_input *in, open_input *oi, velo_error *err) {
    run_state *rs = t->rs;
    oi->in = in;
    if (in->one_row) {
        oi->batch = velo_batch_new_types(0, NULL, 1);
        return oi->batch ? VELO_OK : velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    }
    const velo_plan_source *psrc = &in->scan->source;
    if (!psrc->uri) return unsupported_at(&in->scan->pos, err, "reading a stream that no statement writes");
    oi->ops = velo_source_lookup(psrc->scheme ? psrc->scheme : "");
    if (!oi->ops) {
        char what[64];
        snprintf(what, sizeof what, "%s:// sources", psrc->scheme ? psrc->scheme : "?");
        return unsupported_at(&in->scan->pos, err, what);
    }
    velo_status st = velo_uri_parse(psrc->uri, &oi->uri, err);
    if (st) return st;
    oi->have_uri = true;
    velo_connector_args sargs = {.uri = &oi->uri,
                                 .options = &psrc->options,
                                 .base_dir = rs->base_dir,
                                 .declared =
                                     in->scan->schema, /* as bound: declared, or read from the source */
                                 .dlq = t->dlq,
                                 .name = in->name,
                                 .used_columns = scan_used(t, in->scan),
                                 .status = rs->opts->progress ? &rs->opts->progress->connectors : NULL,
                                 .claims = &t->claims};
    if (in->changelog) { /* connectors/table.c: the table's columns and a deletion flag */
        if ((st = velo_table_source_open(&sargs, psrc->primary_key, &oi->source, err))) return st;
        oi->ops = oi->source->ops;
        oi->batch = velo_batch_new(oi->ops->schema(oi->source), VELO_BATCH_DEFAULT_CAPACITY);
        return oi->batch ? VELO_OK : velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    }
    if ((st = oi->ops->open(&sargs, &oi->source, err))) return st;
    oi->batch = velo_batch_new(in->scan->schema, VELO_BATCH_DEFAULT_CAPACITY);
    if (!oi->batch) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    /* At-least-once (sources with commit, e.g. Kafka): every 'commit.interval' the sink is flushed
     * and then the source commits what it has polled. Only while no operator holds rows back (a
     * stateless pipeline); otherwise the one commit is after the input finished. */
    if (t->sink && t->stateless && (oi->ops->commit || t->sink->ops->commit))
        st = duration_option(&psrc->options, "commit.interval", 1000000, &oi->commit_every_us, NULL, err);
    return st;
}

static void close_one(open_input *oi) {
    velo_batch_free(oi->batch);
    if (oi->source) oi->source->ops->close(oi->source);
    if (oi->have_uri) velo_uri_free(&oi->uri);
    memset(oi, 0, sizeof *oi);
}

/* The one place the run loop tells the control plane how the statement is doing (velo_run_progress):
 * counters are `base` (earlier statements of the script) plus this tree's, stored with relaxed
 * atomics; batch_start_us (0: none) is when the batch just pushed was read: when the sink wrote
 * rows since the last call, the time since then goes into the latency histogram. */
typedef struct progress_base {
    uint64_t rows_in, rows_out, rows_rejected, decode, eval, late;
} progress_base;

static void publish_progress(const op_tree *t, const velo_operator *sink_op, const progress_base *base,
                             int64_t batch_start_us) {
    velo_run_progress *p = t->rs->opts->progress;
    if (!p || !sink_op) return; /* not observed, or a subquery (its rows count in its query) */
    uint64_t row_errors = 0, late = 0, late_rejected = 0, state = 0;
    for (uint32_t i = 0; i < t->nctxs; i++)
        row_errors += t->ctxs[i]->row_errors;
    int64_t wm = INT64_MIN;
    if (t->group_op) {
        velo_group_stats gs;
        velo_group_op_stats(t->group_op, &gs);
        late += gs.late_rows, late_rejected += gs.late_rows_rejected, state += gs.table_bytes;
        wm = gs.watermark;
    }
    for (uint32_t i = 0; i < t->njoins; i++) {
        velo_join_stats js;
        velo_join_op_stats(t->joins[i], &js);
        late += js.late_rows, late_rejected += js.late_rows_rejected, state += js.state_bytes;
        if (js.watermark != INT64_MIN && (wm == INT64_MIN || js.watermark < wm)) wm = js.watermark;
    }
    uint64_t out = base->rows_out + sink_op->rows_out;
    if (batch_start_us && out > atomic_load_explicit(&p->rows_out, memory_order_relaxed)) {
        static const int64_t bounds[] = VELO_LATENCY_BOUNDS_US;
        int64_t us = monotonic_us() - batch_start_us;
        uint32_t b = 0;
        while (b < VELO_LATENCY_BUCKETS - 1 && us > bounds[b])
            b++;
        atomic_fetch_add_explicit(&p->latency_buckets[b], 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&p->latency_sum_us, (uint64_t)us, memory_order_relaxed);
    }
    atomic_store_explicit(&p->rows_in, base->rows_in + tree_rows_decoded(t), memory_order_relaxed);
    atomic_store_explicit(&p->rows_out, out, memory_order_relaxed);
    atomic_store_explicit(&p->rows_rejected, base->rows_rejected + t->dlq->count, memory_order_relaxed);
    atomic_store_explicit(&p->decode_errors, base->decode + (t->dlq->count - row_errors),
                          memory_order_relaxed);
    atomic_store_explicit(&p->eval_errors, base->eval + (row_errors - late_rejected), memory_order_relaxed);
    atomic_store_explicit(&p->late_rows, base->late + late, memory_order_relaxed);
    atomic_store_explicit(&p->state_bytes, state, memory_order_relaxed);
    atomic_store_explicit(&p->watermark_us, wm, memory_order_relaxed);
    atomic_store_explicit(&p->has_watermark, wm != INT64_MIN, memory_order_relaxed);
}

/* How the cores' sleeps ended (doorbell or sleep limit), per core, for the metrics. */
static void relay_core_wakeups(job_run *j, velo_run_progress *p) {
    uint32_t n = velo_runtime_ncores(j->rt);
    if (n > VELO_PROGRESS_CORES) n = VELO_PROGRESS_CORES;
    for (uint32_t c = 0; c < n; c++) {
        const velo_core_metrics *m = velo_runtime_metrics(j->rt, c);
        atomic_store_explicit(&p->core_wakeups[c], atomic_load_explicit(&m->wakeups, memory_order_relaxed),
                              memory_order_relaxed);
        atomic_store_explicit(&p->core_sleep_timeouts[c],
                              atomic_load_explicit(&m->sleep_timeouts, memory_order_relaxed),
                              memory_order_relaxed);
    }
    atomic_store_explicit(&p->cores, n, memory_order_release);
}

/* The control thread's half for plans on the cores: sums what each core published (core_run
 * counters, publish_core) into the job's progress, as publish_progress does for the tree. */
static void relay_progress(job_run *j, const progress_base *base, const velo_dlq *dlq) {
    velo_run_progress *p = j->rs->opts->progress;
    if (!p) return;
    uint32_t ncores = velo_runtime_ncores(j->rt);
    uint64_t in = 0, out = 0, late = 0, late_rejected = 0, row_errors = 0, state = 0;
    int64_t wm = INT64_MIN;
    for (uint32_t c = 0; c < ncores; c++) {
        const core_pipe *cp = &j->cores[c];
        in += atomic_load_explicit(&velo_runtime_metrics(j->rt, c)->rows_in, memory_order_relaxed);
        out += atomic_load_explicit(&velo_runtime_metrics(j->rt, c)->rows_out, memory_order_relaxed);
        late += atomic_load_explicit(&cp->obs.late_rows, memory_order_relaxed);
        late_rejected += atomic_load_explicit(&cp->obs.late_rows_rejected, memory_order_relaxed);
        row_errors += atomic_load_explicit(&cp->obs.row_errors, memory_order_relaxed);
        state += atomic_load_explicit(&cp->obs.state_bytes, memory_order_relaxed);
        int64_t w = atomic_load_explicit(&cp->obs.watermark_us, memory_order_relaxed);
        if (atomic_load_explicit(&cp->obs.has_watermark, memory_order_relaxed) && (wm == INT64_MIN || w < wm))
            wm = w; /* the job's watermark: the lowest of its cores' */
    }
    uint64_t dlq_count = dlq->count, evaluated = row_errors > late_rejected ? row_errors - late_rejected : 0;
    atomic_store_explicit(&p->rows_in, base->rows_in + in, memory_order_relaxed);
    atomic_store_explicit(&p->rows_out, base->rows_out + out, memory_order_relaxed);
    atomic_store_explicit(&p->rows_rejected, base->rows_rejected + dlq_count, memory_order_relaxed);
    atomic_store_explicit(&p->decode_errors,
                          base->decode + (dlq_count > row_errors ? dlq_count - row_errors : 0),
                          memory_order_relaxed);
    atomic_store_explicit(&p->eval_errors, base->eval + evaluated, memory_order_relaxed);
    atomic_store_explicit(&p->late_rows, base->late + late, memory_order_relaxed);
    atomic_store_explicit(&p->state_bytes, state, memory_order_relaxed);
    atomic_store_explicit(&p->watermark_us, wm, memory_order_relaxed);
    atomic_store_explicit(&p->has_watermark, wm != INT64_MIN, memory_order_relaxed);
    relay_core_wakeups(j, p);
}

static bool input_commits(const op_tree *t, const open_input *oi) {
    return t->sink && oi->source && (oi->ops->commit || t->sink->ops->commit);
}

/* Tables read as changelogs, once bootstrapped, follow the later phases: before each batch of the
 * other inputs goes on, every follower hands over what changed (without waiting; at most a few
 * batches, so a busy table cannot starve the stream). A stream row thus joins the table as it is
 * when the row is processed. */
static velo_status poll_followers(op_tree *t, open_input *follow, uint32_t nfollow, velo_error *err) {
    for (uint32_t k = 0; k < nfollow; k++) {
        open_input *oi = &follow[k];
        for (int turn = 0; turn < 8; turn++) {
            bool eof = false;
            velo_batch_reset(oi->batch);
            velo_status st = oi->ops->poll(oi->source, oi->batch, &eof, err);
            if (st) return st;
            if (!oi->batch->count) break;
            oi->in->rows += velo_batch_live(oi->batch);
            if ((st = velo_operator_push(oi->in->first, oi->batch, err))) return st;
        }
    }
    return VELO_OK;
}

/* Reads the inputs phase by phase (the right sides of hash joins first); the inputs of one phase
 * take turns, a batch each, and each is finished when it ends (a changelog table's end is that of
 * its bootstrap: it then follows, see poll_followers). A source that commits (Kafka) and ends
 * before the last phase (a hash join's build side) stays open and commits with the query's last
 * commit: its rows sit in operator state until then, so committing earlier would skip them after
 * a crash. */
static velo_status run_inputs(op_tree *t, velo_operator *sink_op, velo_error *err) {
    run_state *rs = t->rs;
    velo_status status = VELO_OK;
    velo_run_progress *progress = rs->opts->progress;
    progress_base base = {.rows_in = rs->report->rows_in, .rows_out = rs->report->rows_out};
    if (progress) {
        base.rows_rejected = atomic_load(&progress->rows_rejected);
        base.decode = atomic_load(&progress->decode_errors);
        base.eval = atomic_load(&progress->eval_errors);
        base.late = atomic_load(&progress->late_rows);
    }
    open_input open[MAX_INPUTS], kept[MAX_INPUTS], follow[MAX_INPUTS];
    memset(open, 0, sizeof open);
    uint32_t nkept = 0, nfollow = 0;
    int phase = INT32_MIN, last_phase = INT32_MIN;
    for (uint32_t k = 0; k < t->ninputs; k++)
        if (t->inputs[k].phase > last_phase) last_phase = t->inputs[k].phase;
    for (;;) {
        int next = INT32_MAX; /* the lowest phase above the one just run */
        for (uint32_t k = 0; k < t->ninputs; k++)
            if (t->inputs[k].phase > phase && t->inputs[k].phase < next) next = t->inputs[k].phase;
        if (next == INT32_MAX) break;
        phase = next;
        uint32_t n = 0;
        for (uint32_t k = 0; k < t->ninputs && !status; k++)
            if (t->inputs[k].phase == phase) status = open_one(t, &t->inputs[k], &open[n++], err);
        uint32_t running = n;
        while (!status && running) {
            /* LIMIT reached or stop requested: stop reading, then drain and flush as at end of input */
            bool stop = (t->limit_op && velo_limit_done(t->limit_op)) ||
                        (rs->opts->stop && atomic_load(rs->opts->stop));
            for (uint32_t k = 0; k < n && !status; k++) {
                open_input *oi = &open[k];
                if (oi->eof) continue;
                int64_t batch_start_us = progress ? monotonic_us() : 0;
                if (!stop) {
                    velo_batch_reset(oi->batch);
                    if (oi->in->one_row) {
                        oi->batch->count = 1;
                        oi->eof = true;
                    } else if ((status =
                                    velo_backpressure_poll(t->sink, oi->source, oi->batch, &oi->eof, err))) {
                        break;
                    }
                    if (nfollow && (status = poll_followers(t, follow, nfollow, err))) break;
                    if (oi->batch->count) {
                        if (!oi->in->one_row) oi->in->rows += velo_batch_live(oi->batch);
                        if ((status = velo_operator_push(oi->in->first, oi->batch, err))) break;
                    } else if (!oi->eof &&
                               (status = velo_operator_tick(oi->in->first, wall_clock_us(), err))) {
                        break; /* nothing came: let time pass (processing-time windows, idle.timeout) */
                    }
                    if (oi->commit_every_us > 0 &&
                        monotonic_us() - oi->last_commit_us >= oi->commit_every_us &&
                        !velo_backpressure_backlogged(t->sink)) {
                        if ((status = commit_point(t->sink, oi->ops, oi->source, err))) break;
                        oi->last_commit_us = monotonic_us();
                    }
                }
                if (stop || oi->eof) {
                    oi->eof = true;
                    running--;
                    status = velo_operator_finish(oi->in->first, err);
                    if (!status && phase == last_phase && input_commits(t, oi))
                        status = commit_point(t->sink, oi->ops, oi->source, err);
                    if (!status && !stop && oi->in->follow) { /* bootstrapped: it follows from now on */
                        follow[nfollow++] = *oi;
                        memset(oi, 0, sizeof *oi);
                        oi->eof = true;
                    }
                }
                publish_progress(t, sink_op, &base, batch_start_us);
            }
        }
        for (uint32_t k = 0; k < n; k++) {
            if (!status && phase != last_phase && input_commits(t, &open[k])) {
                kept[nkept++] = open[k];
                memset(&open[k], 0, sizeof open[k]);
            } else {
                close_one(&open[k]);
            }
        }
        if (status) break;
    }
    for (uint32_t k = 0; k < nkept; k++) {
        if (!status) status = commit_point(t->sink, kept[k].ops, kept[k].source, err);
        close_one(&kept[k]);
    }
    for (uint32_t k = 0; k < nfollow; k++)
        close_one(&follow[k]);
    return status;
}

static void tree_free(op_tree *t) {
    velo_kv_free(&t->claims);
    for (uint32_t i = 0; i < t->nops; i++)
        t->ops[i]->ops->destroy(t->ops[i]);
    mi_free(t->ops);
    for (uint32_t i = 0; i < t->nctxs; i++) {
        velo_strbuf_free(&t->ctxs[i]->buf);
        mi_free(t->ctxs[i]);
    }
    mi_free(t->ctxs);
    for (uint32_t i = 0; i < t->nmasks; i++)
        mi_free(t->masks[i].used);
}

static uint64_t tree_row_errors(const op_tree *t) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < t->nctxs; i++)
        n += t->ctxs[i]->row_errors;
    return n;
}

/* Projection pushdown for a one-input plan (a chain of single-input nodes down to its SCAN): the
 * source decodes only the columns the query reads. Not when a dead-letter file wants whole rows. */
static void pushdown(op_tree *t, velo_plan *root) {
    velo_plan *nodes[64];
    uint32_t n = 0;
    for (velo_plan *p = root; p && n < 64; p = p->input) {
        if (p->kind == VELO_PLAN_JOIN || p->kind == VELO_PLAN_UNION_ALL) { /* several inputs */
            if (!(t->dlq && t->dlq->path)) t->nmasks = velo_plan_scan_masks(root, t->masks, MAX_INPUTS);
            return;
        }
        nodes[n++] = p;
    }
    t->stateless = n && nodes[n - 1]->kind == VELO_PLAN_SCAN;
    for (uint32_t i = 0; i + 1 < n; i++)
        t->stateless &= nodes[i]->kind == VELO_PLAN_FILTER || nodes[i]->kind == VELO_PLAN_PROJECT;
    if (!n || nodes[n - 1]->kind != VELO_PLAN_SCAN || (t->dlq && t->dlq->path)) return;
    for (uint32_t i = 0; i < n / 2; i++) { /* scan first */
        velo_plan *x = nodes[i];
        nodes[i] = nodes[n - 1 - i];
        nodes[n - 1 - i] = x;
    }
    uint8_t *used = used_columns(nodes, n);
    if (used) t->masks[t->nmasks++] = (velo_scan_mask){nodes[0], used};
}

/* Builds and runs the tree of `root` into `sink_op` (which the tree then owns). */
static velo_status run_tree(op_tree *t, velo_plan *root, velo_operator *sink_op, velo_error *err) {
    velo_status st = tree_add(t, sink_op, err);
    if (!st) st = materialize_subqueries(t, root, err);
    if (!st) st = check_node(root, plan_bounded(root), err);
    if (!st) pushdown(t, root);
    if (!st) st = build_node(t, root, sink_op, 0, err);
    if (!st) st = run_inputs(t, sink_op, err);
    return st;
}

/* ---- uncorrelated subqueries: run first, then a constant (scalar, EXISTS) or a value set (IN) ---- */

typedef struct collect_op {
    velo_operator base;
    velo_expr *e;
    uint64_t rows;
    velo_value first; /* scalar: the first row's value, copied into arena */
    velo_arena arena;
    const char *file;
} collect_op;

static velo_status collect_push(velo_operator *o, velo_batch *b, velo_error *err) {
    collect_op *c = (collect_op *)o;
    uint32_t n = velo_batch_live(b);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = velo_batch_row(b, k);
        c->rows++;
        if (c->e->subquery_kind == VELO_SUBQUERY_SCALAR) {
            if (c->rows > 1)
                return velo_error_set_at(err, VELO_ERR_ROW, c->e->line, c->e->col,
                                         "a scalar subquery returned more than one row; add a WHERE, an "
                                         "aggregate or LIMIT 1");
            velo_value v;
            velo_vector_get_value(&b->cols[0], i, &v);
            velo_value *copy = velo_value_copy(&v, &c->arena);
            if (!copy) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
            c->first = *copy;
        } else if (c->e->subquery_kind == VELO_SUBQUERY_IN) {
            velo_status st = velo_expr_in_set_add(c->e, &b->cols[0], i, err);
            if (st) return st;
        }
    }
    return VELO_OK;
}

static velo_status collect_finish(velo_operator *o, velo_error *err) { return VELO_OK; }
static void collect_destroy(velo_operator *o) {
    velo_arena_free(&((collect_op *)o)->arena);
    mi_free(o);
}
static const velo_operator_ops collect_ops = {
    .name = "subquery", .push = collect_push, .finish = collect_finish, .destroy = collect_destroy};

static bool correlated(const velo_plan *p);
static bool expr_correlated(const velo_expr *e) {
    if (!e) return false;
    if (e->kind == VELO_EXPR_COLUMN && e->outer_depth > 0) return true;
    if (e->kind == VELO_EXPR_SUBQUERY && e->subplan && correlated(e->subplan)) return true;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (expr_correlated(e->args[i])) return true;
    return false;
}

/* Calls fn on every expression root held by p (not below). */
static velo_status plan_exprs(velo_plan *p, velo_status (*fn)(velo_expr *e, void *ud, velo_error *err),
                              void *ud, velo_error *err) {
    velo_status st = VELO_OK;
#define VISIT(x)                                                                                             \
    do {                                                                                                     \
        if (!st && (x)) st = fn((x), ud, err);                                                               \
    } while (0)
    VISIT(p->predicate);
    VISIT(p->condition);
    for (uint32_t i = 0; i < p->nexprs; i++)
        VISIT(p->exprs[i]);
    for (uint32_t i = 0; i < p->nkeys; i++)
        VISIT(p->keys[i]);
    for (uint32_t i = 0; i < p->njoin_keys; i++) {
        VISIT(p->left_keys[i]);
        VISIT(p->right_keys[i]);
    }
    for (uint32_t i = 0; i < p->naggs; i++) {
        for (uint32_t k = 0; k < p->aggs[i].nargs; k++)
            VISIT(p->aggs[i].args[k]);
        VISIT(p->aggs[i].filter);
    }
    for (uint32_t i = 0; i < p->ncalls; i++) {
        for (uint32_t k = 0; k < p->calls[i].nargs; k++)
            VISIT(p->calls[i].args[k]);
        for (uint32_t k = 0; k < p->calls[i].npartition; k++)
            VISIT(p->calls[i].partition_by[k]);
        for (uint32_t k = 0; k < p->calls[i].norder; k++)
            VISIT(p->calls[i].order_by[k].expr);
    }
    for (uint32_t i = 0; i < p->nsort; i++)
        VISIT(p->sort[i].expr);
#undef VISIT
    return st;
}

static velo_status expr_correlated_cb(velo_expr *e, void *ud, velo_error *err) {
    (void)err;
    if (expr_correlated(e)) *(bool *)ud = true;
    return VELO_OK;
}

static bool correlated(const velo_plan *p) {
    if (!p) return false;
    bool found = false;
    plan_exprs((velo_plan *)p, expr_correlated_cb, &found, NULL);
    if (found || correlated(p->input) || correlated(p->right)) return true;
    for (uint32_t i = 0; i < p->ninputs; i++)
        if (correlated(p->inputs[i])) return true;
    return false;
}

/* Runs the subquery of e (uncorrelated) and turns e into its result. */
static velo_status run_subquery(op_tree *parent, velo_expr *e, velo_error *err) {
    velo_plan *sub = e->subplan;
    if (!plan_bounded(sub))
        return velo_error_set_at(err, VELO_ERR_UNSUPPORTED, e->line, e->col,
                                 "a subquery over an unbounded stream is not supported yet: it never ends; "
                                 "read a table or a bounded file");
    collect_op *c = mi_zalloc(sizeof *c);
    if (!c) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    c->base.ops = &collect_ops;
    c->e = e;
    c->first = velo_value_null();
    velo_arena_init(&c->arena, 1024);
    velo_status st = VELO_OK;
    if (e->subquery_kind == VELO_SUBQUERY_IN) st = velo_expr_in_set_begin(e, err);
    op_tree t = {.rs = parent->rs,
                 .qp = parent->qp,
                 .dlq = parent->dlq,
                 .fail_job = parent->fail_job,
                 .max_state_bytes = parent->max_state_bytes};
    if (st) {
        collect_destroy(&c->base);
    } else {
        st = run_tree(&t, sub, &c->base, err);
        if (!st) {
            if (e->subquery_kind == VELO_SUBQUERY_SCALAR) {
                velo_value v = c->first;
                v.type = e->type;
                if (c->rows == 0) v.is_null = true;
                velo_expr_subquery_to_const(e, &v);
            } else if (e->subquery_kind == VELO_SUBQUERY_EXISTS) {
                velo_value v = velo_value_null();
                v.type = velo_type_make(VELO_TYPE_BOOLEAN);
                v.is_null = false;
                v.u.b = (c->rows > 0) != e->negated;
                velo_expr_subquery_to_const(e, &v);
            } else {
                velo_expr_in_set_done(e);
            }
        }
    }
    parent->sub_rows += tree_rows_decoded(&t) + t.sub_rows;
    parent->sub_row_errors += tree_row_errors(&t) + t.sub_row_errors;
    tree_free(&t);
    return st;
}

static velo_status subquery_cb(velo_expr *e, void *ud, velo_error *err) {
    op_tree *t = ud;
    for (uint32_t i = 0; i < e->nargs; i++) {
        velo_status st = subquery_cb(e->args[i], ud, err);
        if (st) return st;
    }
    if (e->kind != VELO_EXPR_SUBQUERY || !e->subplan || correlated(e->subplan)) return VELO_OK;
    return run_subquery(t, e, err);
}

static velo_status materialize_subqueries(op_tree *t, velo_plan *p, velo_error *err) {
    if (!p) return VELO_OK;
    velo_status st = plan_exprs(p, subquery_cb, t, err);
    if (!st) st = materialize_subqueries(t, p->input, err);
    if (!st) st = materialize_subqueries(t, p->right, err);
    for (uint32_t i = 0; i < p->ninputs && !st; i++)
        st = materialize_subqueries(t, p->inputs[i], err);
    return st;
}

typedef struct tree_run {
    op_tree *t;
    velo_plan *root;
    velo_operator *sink_op;
    bool ran; /* run_tree took sink_op */
    velo_status status;
    velo_error err;
} tree_run;

static void tree_core_run(velo_core *core, void *ud) {
    (void)core;
    tree_run *r = ud;
    r->ran = true;
    r->status = run_tree(r->t, r->root, r->sink_op, &r->err);
}

/* ---- the job's sink ---- */

/* Where a job's rows go: the INTO target, or JSON lines on stdout. */
typedef struct job_sink {
    velo_uri uri;
    bool have_uri;
    velo_schema *schema; /* the visible columns of the rows written */
} job_sink;

/* Opens the sink of qp for rows shaped like `out` (hidden ORDER BY columns are not written). */
static velo_status open_sink(run_state *rs, const velo_query_plan *qp, const velo_schema *out, velo_dlq *dlq,
                             job_sink *js, velo_sink **sink, velo_error *err) {
    velo_status status = velo_uri_parse(qp->sink_uri ? qp->sink_uri : "stdout://", &js->uri, err);
    if (status) return status;
    js->have_uri = true;
    const velo_sink_ops *kops = velo_sink_lookup(js->uri.scheme);
    if (!kops) {
        char what[64];
        snprintf(what, sizeof what, "%s:// sinks", js->uri.scheme);
        return unsupported_at(qp->stmt ? &qp->stmt->pos : &qp->root->pos, err, what);
    }
    velo_connector_args kargs = {.uri = &js->uri,
                                 .options = &qp->sink_options,
                                 .base_dir = rs->base_dir,
                                 .declared = NULL,
                                 .dlq = dlq,
                                 .name = qp->sink_uri ? qp->sink_uri : "stdout",
                                 .status = rs->opts->progress ? &rs->opts->progress->connectors : NULL};
    uint32_t nvisible = 0;
    for (uint32_t i = 0; i < out->ncols; i++)
        nvisible += !out->fields[i].hidden;
    js->schema = velo_schema_new(nvisible);
    if (!js->schema) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0, k = 0; i < out->ncols; i++)
        if (!out->fields[i].hidden)
            velo_schema_set(js->schema, k++, out->fields[i].name, out->fields[i].type);
    return kops->open(&kargs, js->schema, sink, err);
}

static void job_sink_free(job_sink *js) {
    if (js->have_uri) velo_uri_free(&js->uri);
    velo_schema_free(js->schema);
}

/* Runs a plan with several inputs (joins, UNION ALL, subqueries run first, SELECT without FROM) as
 * one operator tree on core 0 alone, whatever --cores says: its result does not depend on it. */
static velo_status run_plan_tree(run_state *rs, velo_query_plan *qp, velo_error *err) {
    velo_status status = check_plan(qp, err);
    if (status) return status;
    velo_plan *root = qp->root;
    job_sink jsink = {0};
    velo_dlq dlq = {0};
    bool have_dlq = false;
    velo_sink *sink = NULL;
    op_tree t = {.rs = rs, .qp = qp};

    const char *on_error = velo_kv_get_or(&qp->job_options, "on.error", "dlq");
    if (strcasecmp(on_error, "dlq") && strcasecmp(on_error, "skip") && strcasecmp(on_error, "fail")) {
        status = velo_error_set(err, VELO_ERR_INVALID, "'on.error' must be dlq, skip or fail, found '%s'",
                                on_error);
        goto done;
    }
    if ((status = state_max_bytes(qp, &t.max_state_bytes, err))) goto done;
    const char *dlq_uri = strcasecmp(on_error, "dlq") == 0 ? velo_kv_get(&qp->job_options, "dlq") : NULL;
    if ((status = velo_dlq_open(&dlq, dlq_uri, rs->base_dir, err))) goto done;
    have_dlq = true;
    t.dlq = &dlq;
    t.fail_job = strcasecmp(on_error, "fail") == 0;

    if ((status = open_sink(rs, qp, root->schema, &dlq, &jsink, &sink, err))) goto done;

    sink_ctx sink_ud = {sink, rs->opts->progress};
    velo_operator *sink_op = velo_sink_op_new((velo_sink_fns){sink_write, sink_flush, &sink_ud});
    t.sink = sink;
    /* the whole tree (subqueries first, then every input phase by phase) runs on core 0 of a one-core
     * runtime; this thread waits. Stop requests and progress go through rs->opts' atomics. */
    tree_run tr = {.t = &t, .root = root, .sink_op = sink_op};
    velo_runtime *rt = NULL;
    velo_runtime_config rcfg = {.ncores = 1, .busy_poll = rs->opts->busy_poll, .pin = true};
    if (!(status = velo_runtime_new(&rcfg, &rt, err))) {
        if (!(status = velo_runtime_start(rt, tree_core_run, &tr, err)))
            while (!velo_runtime_wait(rt, 50)) {
            }
        velo_runtime_free(rt); /* joins core 0 */
    }
    if (!tr.ran && sink_op) sink_op->ops->destroy(sink_op); /* else the tree owns it */
    if (!status && tr.status) {
        *err = tr.err;
        status = tr.status;
    }
    if (status) goto done;

    /* records read = rows decoded + records the decoders rejected */
    uint64_t rows_read =
        tree_rows_decoded(&t) + t.sub_rows + (dlq.count - tree_row_errors(&t) - t.sub_row_errors);
    rs->report->rows_in += rows_read;
    rs->report->rows_out += sink_op->rows_out;
    rs->report->rows_rejected += dlq.count;
    rs->report->jobs++;
    velo_run_progress *progress = rs->opts->progress;
    if (progress) {
        atomic_store(&progress->rows_in, rs->report->rows_in);
        atomic_store(&progress->rows_out, rs->report->rows_out);
        atomic_store(&progress->rows_rejected, rs->report->rows_rejected);
    }
    if (!rs->opts->quiet) {
        char late[64] = "";
        if (t.group_op) {
            velo_group_stats gs;
            velo_group_op_stats(t.group_op, &gs);
            if (gs.late_rows) snprintf(late, sizeof late, ", %llu late", (unsigned long long)gs.late_rows);
        }
        uint64_t join_late = 0;
        for (uint32_t i = 0; i < t.njoins; i++) {
            velo_join_stats js;
            velo_join_op_stats(t.joins[i], &js);
            join_late += js.late_rows;
        }
        if (join_late && !late[0]) snprintf(late, sizeof late, ", %llu late", (unsigned long long)join_late);
        fprintf(rs->opts->diag_out, "velo-sql: %s: %llu rows read, %llu written, %llu rejected%s%s%s%s\n",
                stmt_label(qp), (unsigned long long)rows_read, (unsigned long long)sink_op->rows_out,
                (unsigned long long)dlq.count, late, dlq.count && dlq.path ? " (dead-letter queue: " : "",
                dlq.count && dlq.path ? dlq.path : "", dlq.count && dlq.path ? ")" : "");
    }

done:
    tree_free(&t);
    if (sink) sink->ops->close(sink);
    if (have_dlq) velo_dlq_close(&dlq);
    job_sink_free(&jsink);
    return status;
}

/* ---- lookup joins on the cores ----
 *
 * A stream joined with a bounded build side (a file table, or a bounded stream: lookup mode, no
 * WITHIN) runs on the cores like a one-input plan whose keyed stage is the JOIN: the stream is split
 * over the cores and the build side is read whole, in file order, by every core before its stream
 * slice (core_join_build), so a table's latest row per key is the one-core row everywhere.
 *   partitioned (default): each core keeps the build rows whose join key it owns (hash % N, the
 *     exchange's rule: velo_join_partition); stream rows cross exchange 1 to the owner of their key;
 *   broadcast ('table.mode'='broadcast', and joins without an equality key): each core keeps its own
 *     copy of the whole build side and probes its slice where it was read, no stream row moves.
 * Then, as for GROUP BY, the joined rows are gathered on core 0 for what needs all rows and the
 * sink. Only core 0 reports the build side's rejected rows (the others read the same rows). */

static velo_status has_subquery_cb(velo_expr *e, void *ud, velo_error *err);

typedef struct core_join_spec {
    uint32_t at;    /* nodes[at] is the JOIN */
    bool broadcast; /* every core keeps the whole build side (else the keys it owns) */
} core_join_spec;

typedef struct core_join {
    run_state *rs;
    const velo_query_plan *qp;
    velo_plan *join; /* the plan's JOIN node: read only, its expressions are copied per core */
    uint32_t at, core, ncores;
    bool broadcast;
    op_tree tree;                    /* the build side, read whole on this core */
    velo_plan *copies[MAX_PIPELINE]; /* this core's copies of the build side's FILTER / PROJECT nodes */
    uint32_t ncopies;
    velo_dlq quiet;              /* cores other than 0: the build side's rejects, counted nowhere */
    dlq_ctx right_ctx, pair_ctx; /* the join's rejected build rows (core 0) and joined rows */
    char right_name[256], left_name[256];
    velo_operator *op;
} core_join;

/* Whether key vectors of these types hash alike whenever they are equal (velo_exchange_route). */
static bool routable_key_types(velo_type a, velo_type b) {
    if (a.id != b.id) return false;
    switch (a.id) {
    case VELO_TYPE_DECIMAL: return a.scale == b.scale;
    case VELO_TYPE_BOOLEAN:
    case VELO_TYPE_BIGINT:
    case VELO_TYPE_TIMESTAMP:
    case VELO_TYPE_DATE:
    case VELO_TYPE_DOUBLE:
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: return true;
    default: return false;
    }
}

static bool plan_has_subquery(velo_plan *p) {
    bool sub = false;
    plan_exprs(p, has_subquery_cb, &sub, NULL);
    return sub;
}

/* A plan that can run as a lookup join on the cores: single-input nodes over one JOIN in lookup
 * mode, whose left input is FILTER / PROJECT nodes over a SCAN and whose build side is FILTER /
 * PROJECT nodes over a bounded file; no subquery. Fills nodes (the left SCAN first, the JOIN at
 * js->at) and picks the mode. RIGHT / FULL joins are partitioned only (a broadcast copy on every core
 * would emit each unmatched build row once per core); they stay on core 0 when they cannot be. */
static bool lookup_join_chain(const velo_query_plan *qp, velo_plan **nodes, uint32_t *n, core_join_spec *js) {
    velo_plan *stack[MAX_PIPELINE], *join = NULL;
    uint32_t count = 0;
    for (velo_plan *p = qp->root; p; p = p->input) {
        if (count == MAX_PIPELINE || p->kind == VELO_PLAN_UNION_ALL || p->ninputs || plan_has_subquery(p))
            return false;
        if (p->kind == VELO_PLAN_JOIN) {
            if (join) return false;
            join = p;
        } else if (join && p->kind != VELO_PLAN_FILTER && p->kind != VELO_PLAN_PROJECT &&
                   p->kind != VELO_PLAN_SCAN) {
            return false;
        }
        stack[count++] = p;
    }
    if (!join || count < 2 || stack[count - 1]->kind != VELO_PLAN_SCAN) return false;
    /* a MARK join (a correlated subquery under OR / NOT IN) and a time-bounded join stay on core 0 */
    if (join->within_us >= 0 || join->time_bound || join->join_kind == VELO_JOIN_MARK ||
        !plan_bounded(join->right))
        return false;
    const velo_plan *r = join->right;
    uint32_t depth = 0;
    for (; r && (r->kind == VELO_PLAN_FILTER || r->kind == VELO_PLAN_PROJECT); r = r->input, depth++)
        if (depth == MAX_PIPELINE || plan_has_subquery((velo_plan *)r)) return false;
    if (!r || r->kind != VELO_PLAN_SCAN || !r->source.bounded || !r->source.uri || !r->source.scheme ||
        strcmp(r->source.scheme, "file"))
        return false;
    const char *mode = r->source.is_table ? velo_kv_get(&r->source.options, "table.mode") : NULL;
    js->broadcast = (mode && !strcasecmp(mode, "broadcast")) || join->njoin_keys == 0;
    if (js->broadcast && (join->join_kind == VELO_JOIN_RIGHT || join->join_kind == VELO_JOIN_FULL))
        return false;
    for (uint32_t k = 0; !js->broadcast && k < join->njoin_keys; k++)
        if (!routable_key_types(join->left_keys[k]->type, join->right_keys[k]->type)) return false;
    for (uint32_t i = 0; i < count; i++) {
        nodes[i] = stack[count - 1 - i];
        if (nodes[i] == join) js->at = i;
    }
    *n = count;
    return true;
}

/* The stages of a lookup join on the cores (see above); false when the plan's other nodes need one
 * core (plan_layout_for's rules, with the JOIN left out: it keeps each stream row's matches whatever
 * the interleaving) or an unsplit read. */
static bool join_layout_for(const velo_query_plan *qp, velo_plan **nodes, uint32_t n, uint32_t ncores,
                            bool commits, const core_join_spec *js, plan_layout *lay) {
    velo_plan *rest[MAX_PIPELINE];
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (i != js->at) rest[m++] = nodes[i];
    plan_layout_for(qp, rest, m, ncores, commits, lay);
    if (lay->single || !lay->split) return false;
    uint32_t after = js->at + 1;
    while (after < n && (nodes[after]->kind == VELO_PLAN_FILTER || nodes[after]->kind == VELO_PLAN_PROJECT))
        after++;
    memset(lay, 0, sizeof *lay);
    lay->split = true;
    lay->keyed = !js->broadcast;
    lay->a_end = js->broadcast ? after : js->at;
    lay->b_end = after;
    lay->nx = js->broadcast ? 1 : 2;
    return true;
}

/* The keys exchange 1 routes by: the GROUP BY keys, or a join's left keys. */
static velo_expr *const *exchange_keys_of(const velo_plan *p, uint32_t *n) {
    if (p->kind == VELO_PLAN_JOIN) {
        *n = p->njoin_keys;
        return p->left_keys;
    }
    if (p->kind == VELO_PLAN_ANALYTIC) return analytic_exchange_keys(p, n);
    *n = p->nkeys;
    return p->keys;
}

static void core_join_free(core_join *cj) {
    if (!cj) return;
    tree_free(&cj->tree);
    for (uint32_t i = 0; i < cj->ncopies; i++)
        velo_plan_node_copy_free(cj->copies[i]);
    velo_strbuf_free(&cj->right_ctx.buf);
    velo_strbuf_free(&cj->pair_ctx.buf);
    velo_dlq_close(&cj->quiet);
    mi_free(cj);
}

/* Every core's join state (core_join_op builds its operator from it); fills cp->join. */
static velo_status core_joins_new(job_run *j, const core_join_spec *js, velo_dlq *dlq, bool fail_job,
                                  uint64_t max_state_bytes, velo_error *err) {
    uint32_t ncores = velo_runtime_ncores(j->rt);
    velo_plan *p = j->nodes[js->at];
    const velo_plan *rscan = p->right;
    while (rscan->kind != VELO_PLAN_SCAN)
        rscan = rscan->input;
    for (uint32_t c = 0; c < ncores; c++) {
        core_join *cj = mi_zalloc(sizeof *cj);
        if (!cj) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        j->cores[c].join = cj;
        cj->rs = j->rs;
        cj->qp = j->qp;
        cj->join = p;
        cj->at = js->at;
        cj->core = c;
        cj->ncores = ncores;
        cj->broadcast = js->broadcast;
        velo_dlq_open(&cj->quiet, NULL, j->rs->base_dir, NULL);
        cj->quiet.max_report = 0;
        scan_name(rscan, cj->right_name, sizeof cj->right_name);
        scan_name(j->nodes[0], cj->left_name, sizeof cj->left_name);
        cj->tree = (op_tree){.rs = j->rs,
                             .qp = j->qp,
                             .dlq = c == 0 ? dlq : &cj->quiet,
                             .fail_job = c == 0 && fail_job,
                             .max_state_bytes = max_state_bytes};
        cj->right_ctx = (dlq_ctx){
            .dlq = dlq, .input = p->right->schema, .source_name = cj->right_name, .fail_job = fail_job};
        cj->pair_ctx =
            (dlq_ctx){.dlq = dlq, .input = p->schema, .source_name = cj->left_name, .fail_job = fail_job};
        velo_strbuf_init(&cj->right_ctx.buf);
        velo_strbuf_init(&cj->pair_ctx.buf);
    }
    return VELO_OK;
}

/* This core's join operator, and the operators of its build side (in cp->join->tree), which
 * core_join_build runs before the core reads its stream slice. */
static velo_operator *core_join_op(core_pipe *cp, velo_error *err) {
    core_join *cj = cp->join;
    const velo_plan *p = cj->join;
    velo_join_config cfg = {.nkeys = p->njoin_keys,
                            .left = p->input->schema,
                            .right = p->right->schema,
                            .within_us = -1,
                            .left_time = -1,
                            .right_time = -1,
                            .right_pk = -1,
                            .max_state_bytes = cj->tree.max_state_bytes,
                            .capacity = VELO_BATCH_DEFAULT_CAPACITY,
                            .file = cj->rs->opts->file};
    cfg.kind = join_op_kind(p->join_kind);
    const velo_plan *r = p->right;
    if (r->kind == VELO_PLAN_SCAN && r->source.is_table) {
        cfg.right_name = r->source.name;
        if (r->source.primary_key) cfg.right_pk = velo_schema_find(r->schema, r->source.primary_key);
    }
    if (!cfg.right_name) cfg.right_name = "the right side of the JOIN";
    if (!cj->broadcast) cfg.build_part = (velo_join_partition){cj->ncores, cj->core};
    cfg.on_left_error = (velo_row_error_handler){on_row_error, &cp->dctx[cj->at]};
    cfg.on_pair_error = (velo_row_error_handler){on_row_error, &cj->pair_ctx};
    if (cj->core == 0) cfg.on_right_error = (velo_row_error_handler){on_row_error, &cj->right_ctx};
    velo_expr *lk[MAX_PIPELINE] = {0}, *rk[MAX_PIPELINE] = {0};
    bool ok = cfg.nkeys <= MAX_PIPELINE;
    for (uint32_t k = 0; ok && k < cfg.nkeys; k++)
        ok = (lk[k] = velo_expr_copy(p->left_keys[k])) && (rk[k] = velo_expr_copy(p->right_keys[k]));
    if (ok && p->condition) ok = (cfg.condition = velo_expr_copy(p->condition)) != NULL;
    if (!ok) {
        for (uint32_t k = 0; k < MAX_PIPELINE; k++) {
            velo_expr_free(lk[k]);
            velo_expr_free(rk[k]);
        }
        velo_expr_free(cfg.condition);
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory copying the join for a core");
        return NULL;
    }
    cfg.left_keys = lk;
    cfg.right_keys = rk;
    velo_operator *op = velo_join_op_new(&cfg, err); /* takes the expressions */
    if (!op) return NULL;
    /* the build side: this core's copies of its FILTER / PROJECT nodes over the shared SCAN node
     * (a SCAN is only read) */
    velo_plan *chain[MAX_PIPELINE];
    uint32_t depth = 0;
    for (velo_plan *q = p->right; q->kind != VELO_PLAN_SCAN; q = q->input)
        chain[depth++] = q;
    velo_plan *below = p->right;
    while (below->kind != VELO_PLAN_SCAN)
        below = below->input;
    for (uint32_t i = depth; i-- > 0;) {
        velo_plan *c = velo_plan_node_copy(chain[i]);
        if (!c) {
            op->ops->destroy(op);
            velo_error_set(err, VELO_ERR_NOMEM, "out of memory copying the join for a core");
            return NULL;
        }
        c->input = below;
        cj->copies[cj->ncopies++] = c;
        below = c;
    }
    velo_status st = build_node(&cj->tree, below, velo_join_op_build_input(op), 0, err);
    if (st) {
        op->ops->destroy(op);
        return NULL;
    }
    cj->op = op;
    return op;
}

static uint64_t core_join_row_errors(const core_pipe *cp) {
    const core_join *cj = cp->join;
    if (!cj) return 0;
    /* the build side's own row errors count on core 0 only: the other cores' went nowhere */
    return cj->right_ctx.row_errors + cj->pair_ctx.row_errors +
           (cj->core == 0 ? tree_row_errors(&cj->tree) : 0);
}

static uint64_t core_join_state_bytes(const core_pipe *cp) {
    if (!cp->join || !cp->join->op) return 0;
    velo_join_stats js;
    velo_join_op_stats(cp->join->op, &js);
    return js.state_bytes;
}

/* 'table.mode' is 'partitioned' (the default) or 'broadcast', on a CREATE TABLE only. */
static velo_status check_table_modes(const velo_plan *p, velo_error *err) {
    if (!p) return VELO_OK;
    if (p->kind == VELO_PLAN_SCAN) {
        const char *mode = velo_kv_get(&p->source.options, "table.mode");
        if (mode && !p->source.is_table)
            return velo_error_set_at(err, VELO_ERR_INVALID, p->pos.line, p->pos.col,
                                     "'table.mode' applies to a CREATE TABLE; '%s' is a stream",
                                     p->source.name ? p->source.name : "this source");
        if (mode && strcasecmp(mode, "broadcast") && strcasecmp(mode, "partitioned"))
            return velo_error_set_at(
                err, VELO_ERR_INVALID, p->pos.line, p->pos.col,
                "table '%s': 'table.mode' must be 'partitioned' or 'broadcast', found '%s'",
                p->source.name ? p->source.name : "?", mode);
        return VELO_OK;
    }
    velo_status st = check_table_modes(p->input, err);
    if (!st) st = check_table_modes(p->right, err);
    for (uint32_t i = 0; i < p->ninputs && !st; i++)
        st = check_table_modes(p->inputs[i], err);
    return st;
}

/* A lookup join that runs split over the cores (else it runs on core 0 as a tree). */
static bool lookup_join_on_cores(run_state *rs, const velo_query_plan *qp, velo_plan **nodes, uint32_t *n,
                                 core_join_spec *js) {
    uint32_t ncores = rs->opts->cores ? rs->opts->cores : velo_runtime_available_cpus();
    if (ncores < 2 || !lookup_join_chain(qp, nodes, n, js)) return false;
    const velo_plan_source *ls = &nodes[0]->source;
    const velo_source_ops *sops = velo_source_lookup(ls->scheme ? ls->scheme : "");
    const velo_sink_ops *ksink =
        velo_sink_lookup(qp->sink_uri ? (qp->sink_scheme ? qp->sink_scheme : "") : "stdout");
    if (!sops || !ls->uri) return false;
    bool commits = sops->commit || (ksink && ksink->commit);
    plan_layout lay;
    return join_layout_for(qp, nodes, *n, ncores, commits, js, &lay);
}

/* On the core, before its stream slice: reads the build side to its end into the join. */
static velo_status core_join_build(core_pipe *cp) { return run_inputs(&cp->join->tree, NULL, &cp->err); }

/* Runs a one-input plan (nodes[0] the SCAN, nodes[n-1] the root) on the cores of a runtime. */
static velo_status run_plan_cores(run_state *rs, velo_query_plan *qp, velo_plan **nodes, uint32_t nnodes,
                                  const core_join_spec *js, velo_error *err) {
    velo_status status = VELO_OK;
    velo_plan *scan = nodes[0], *project = nodes[nnodes - 1];
    const velo_plan_source *psrc = &scan->source;
    if (!psrc->uri) return unsupported_at(&scan->pos, err, "reading a stream that no statement writes");
    const velo_source_ops *sops = velo_source_lookup(psrc->scheme ? psrc->scheme : "");
    if (!sops) {
        char what[64];
        snprintf(what, sizeof what, "%s:// sources", psrc->scheme ? psrc->scheme : "?");
        return unsupported_at(&scan->pos, err, what);
    }

    velo_uri src_uri = {0};
    bool have_src_uri = false;
    job_sink jsink = {0};
    velo_dlq dlq = {0};
    bool have_dlq = false;
    pthread_mutex_t dlq_lock = PTHREAD_MUTEX_INITIALIZER;
    velo_sink *sink = NULL;
    job_sink *jsinks = NULL; /* per_core layout: the sinks of cores 1.. */
    sink_ctx *sink_uds = NULL;
    job_run job = {.rs = rs, .qp = qp, .nodes = nodes, .nnodes = nnodes, .sops = sops};
    uint8_t *used = NULL; /* projection pushdown mask (NULL: every column) */
    char src_name[256];
    uint32_t ncores = rs->opts->cores ? rs->opts->cores : velo_runtime_available_cpus();
    velo_runtime_config rcfg = {.ncores = ncores, .busy_poll = rs->opts->busy_poll, .pin = true};
    if ((status = velo_runtime_new(&rcfg, &job.rt, err))) return status;
    const velo_sink_ops *ksink =
        velo_sink_lookup(qp->sink_uri ? (qp->sink_scheme ? qp->sink_scheme : "") : "stdout");
    job.commits = sops->commit || (ksink && ksink->commit);
    if (!js || !join_layout_for(qp, nodes, nnodes, ncores, job.commits, js, &job.lay))
        plan_layout_for(qp, nodes, nnodes, ncores, job.commits, &job.lay);
    checkpoint_layout(qp, nnodes, &job.lay);
    uint32_t local_max; /* checked at any core count; used by build_two_phase */
    bool local_off;
    if ((status = local_max_groups_option(qp, &local_max, &local_off, err))) goto done;
    job.cores = mi_zalloc_aligned(sizeof *job.cores * ncores, _Alignof(core_pipe));
    if (!job.cores) {
        status = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (uint32_t c = 0; c < ncores; c++)
        for (uint32_t i = 0; i < MAX_PIPELINE; i++)
            velo_strbuf_init(&job.cores[c].dctx[i].buf);
    for (uint32_t i = 0; i < job.lay.nx; i++)
        if ((status = velo_exchange_new(job.rt, i + 1, 64, &job.x[i], err))) goto done;

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
    if (ncores > 1) dlq.lock = &dlq_lock;

    /* a dead-letter file gets the whole row of a failed or late row: then every column is decoded */
    used = dlq.path ? NULL : used_columns(nodes, nnodes);
    /* one source per core that reads: a slice each, or all of it on core 0 */
    uint32_t nreaders = job.lay.split ? ncores : 1;
    for (uint32_t c = 0; c < nreaders; c++) {
        velo_connector_args sargs = {.uri = &src_uri,
                                     .options = &psrc->options,
                                     .base_dir = rs->base_dir,
                                     .declared =
                                         scan->schema, /* as bound: declared, or read from the source */
                                     .dlq = &dlq,
                                     .name = src_name,
                                     .used_columns = used,
                                     .slice = c,
                                     .nslices = nreaders,
                                     .status = rs->opts->progress ? &rs->opts->progress->connectors : NULL,
                                     .wake_fd = velo_core_wake_fd(velo_runtime_core(job.rt, c)),
                                     .first_slice = c ? job.cores[0].source : NULL};
        if ((status = sops->open(&sargs, &job.cores[c].source, err))) goto done;
        job.sleepy = nreaders > 1 && sops->ready;
        if (!(job.cores[c].batch = velo_batch_new(scan->schema, VELO_BATCH_DEFAULT_CAPACITY))) {
            status = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
            goto done;
        }
    }

    uint32_t src_wm_agg = source_watermarks_for(qp, nodes, nnodes, sops);
    if (src_wm_agg &&
        (status = source_watermarks_setup(qp, nodes, src_wm_agg, sops, job.cores, nreaders, err)))
        goto done;
    rs->source_wm_node = src_wm_agg; /* for build_chain and core_run, until the job ends */

    if ((status = open_sink(rs, qp, project->schema, &dlq, &jsink, &sink, err))) goto done;
    job.sink = sink;
    job.encode_out = gather_encodes(&job);
    /* At-least-once (sources with commit, e.g. Kafka): every 'commit.interval' the sink is flushed
     * and then the source commits what it has polled. Only while no operator holds rows back (a
     * stateless pipeline); otherwise the one commit is after the final flush. */
    bool stateless = true;
    for (uint32_t i = 1; i < nnodes; i++)
        stateless &= nodes[i]->kind == VELO_PLAN_FILTER || nodes[i]->kind == VELO_PLAN_PROJECT;
    if (job.commits && stateless &&
        (status =
             duration_option(&psrc->options, "commit.interval", 1000000, &job.commit_every_us, NULL, err)))
        goto done;
    /* Kafka on several cores into core 0's sink: the cores' offsets travel to core 0 behind their rows */
    if (job.lay.kafka && !job.lay.per_core && job.commit_every_us > 0 && sops->snapshot &&
        !(job.snaps = mi_zalloc(sizeof *job.snaps * ncores))) {
        status = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto done;
    }

    /* the operator chains, built from the sink down; the operators take the plan's expressions */
    bool fail_job = strcasecmp(on_error, "fail") == 0;
    if ((status = job_checkpoint_open(&job, err))) goto done;
    for (uint32_t c = 0; c < ncores; c++) {
        core_pipe *cp = &job.cores[c];
        bool scan_rows = true; /* rows still shaped like the source's (only FILTERs so far) */
        for (uint32_t i = 1; i < nnodes; i++) {
            dlq_ctx *d = &cp->dctx[i];
            d->dlq = &dlq;
            d->input = nodes[i - 1]->schema;
            d->used = scan_rows ? used : NULL;
            d->source_name = src_name;
            d->fail_job = fail_job;
            scan_rows &= nodes[i]->kind == VELO_PLAN_FILTER;
        }
    }
    uint64_t max_state_bytes = 0;
    if (js && ((status = state_max_bytes(qp, &max_state_bytes, err)) ||
               (status = core_joins_new(&job, js, &dlq, fail_job, max_state_bytes, err))))
        goto done;
    sink_ctx sink_ud = {sink, rs->opts->progress};
    /* the sink flushes at a checkpoint (job_checkpoint) */
    job.sink_op = velo_sink_op_new((velo_sink_fns){sink_write, sink_flush, &sink_ud});
    if (!job.sink_op) {
        status = velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the operators");
        goto done;
    }
    const plan_layout *lay = &job.lay;
    core_pipe *c0 = &job.cores[0];
    if (lay->per_core) {
        /* Kafka to Kafka: each core's whole chain ends in its own sink; core 0's is the job's */
        if (!(jsinks = mi_zalloc(sizeof *jsinks * ncores)) ||
            !(sink_uds = mi_zalloc(sizeof *sink_uds * ncores))) {
            status = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (uint32_t c = 0; c < ncores; c++) {
            core_pipe *cp = &job.cores[c];
            velo_operator *so = job.sink_op;
            cp->sink = sink;
            if (c > 0) {
                if ((status = open_sink(rs, qp, project->schema, &dlq, &jsinks[c], &cp->sink, err)))
                    goto done;
                sink_uds[c] = (sink_ctx){cp->sink, rs->opts->progress};
                if (!(so = velo_sink_op_new((velo_sink_fns){sink_write, sink_flush, &sink_uds[c]}))) {
                    status = velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the operators");
                    goto done;
                }
            }
            cp->chain_a = build_chain(rs, qp, nodes, 1, nnodes, so, true, cp, err);
            if (c == 0) job.sink_op = cp->chain_a ? job.sink_op : NULL; /* destroyed with the chain */
            if (!cp->chain_a) {
                status = err->code ? err->code : VELO_ERR_NOMEM;
                goto done;
            }
            cp->sink_op = so;
        }
    } else if (lay->single) {
        c0->chain_a = build_chain(rs, qp, nodes, 1, nnodes, job.sink_op, false, c0, err);
        job.sink_op = c0->chain_a ? job.sink_op : NULL; /* destroyed with the chain */
        if (!c0->chain_a) {
            status = err->code ? err->code : VELO_ERR_NOMEM;
            goto done;
        }
    } else {
        /* stage C on core 0, consumer of the last exchange */
        velo_operator *c_chain = build_chain(rs, qp, nodes, lay->b_end, nnodes, job.sink_op, false, c0, err);
        if (!c_chain) {
            job.sink_op = NULL;
            status = err->code ? err->code : VELO_ERR_NOMEM;
            goto done;
        }
        c0->in_chain[lay->nx - 1] = c_chain;
        bool two_phase = two_phase_for(qp, nodes, lay);
        for (uint32_t c = 0; c < ncores; c++) {
            core_pipe *cp = &job.cores[c];
            velo_core *core = velo_runtime_core(job.rt, c);
            if (two_phase) {
                if ((status = build_two_phase(rs, qp, nodes, lay, cp, core, job.x[0], job.x[1], &job, err)))
                    goto done;
                continue;
            }
            const velo_plan *last_a = nodes[lay->a_end - 1];
            velo_expr **keys = NULL;
            uint32_t nkeys = 0;
            uint32_t nwant = 0;
            if (lay->keyed) { /* the GROUP BY (join) keys, evaluated on stage A's output to pick the owner */
                velo_expr *const *want = exchange_keys_of(nodes[lay->a_end], &nwant);
                keys = mi_zalloc(sizeof *keys * (nwant + 1));
                for (uint32_t k = 0; keys && k < nwant; k++, nkeys++)
                    if (!(keys[k] = velo_expr_copy(want[k]))) break;
            }
            velo_operator *xa = lay->keyed
                                    ? velo_exchange_op_new(job.x[0], core, keys, nkeys, 0, last_a->schema,
                                                           VELO_BATCH_DEFAULT_CAPACITY, rs->opts->file)
                                    : gather_op_new(&job, core, job.x[0], last_a->schema, err);
            if (!xa) {
                for (uint32_t k = 0; k < nkeys; k++)
                    velo_expr_free(keys[k]);
            }
            mi_free(keys);
            if (xa && lay->keyed && nkeys < nwant) {
                velo_operator_destroy_chain(xa);
                xa = NULL;
            }
            if (!xa || !(cp->chain_a = build_chain(rs, qp, nodes, 1, lay->a_end, xa, true, cp, err))) {
                if (!err->code) velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the operators");
                status = err->code;
                goto done;
            }
            if (lay->keyed) {
                const velo_plan *last_b = nodes[lay->b_end - 1];
                velo_operator *xb = gather_op_new(&job, core, job.x[1], last_b->schema, err);
                if (!xb || !(cp->in_chain[0] =
                                 build_chain(rs, qp, nodes, lay->a_end, lay->b_end, xb, true, cp, err))) {
                    if (!err->code)
                        velo_error_set(err, VELO_ERR_NOMEM, "out of memory building the operators");
                    status = err->code;
                    goto done;
                }
            }
        }
    }

    if ((status = job_checkpoint_restore(&job, err))) goto done;
    /* the calling thread is the control thread: start the cores, relay stop requests and progress */
    velo_run_progress *progress = rs->opts->progress;
    progress_base base = {.rows_in = rs->report->rows_in, .rows_out = rs->report->rows_out};
    if (progress) {
        base.rows_rejected = atomic_load(&progress->rows_rejected);
        base.decode = atomic_load(&progress->decode_errors);
        base.eval = atomic_load(&progress->eval_errors);
        base.late = atomic_load(&progress->late_rows);
    }
    if ((status = velo_runtime_start(job.rt, core_run, &job, err))) {
        atomic_store(&job.failed, true);
        for (uint32_t i = 0; i < lay->nx; i++)
            velo_exchange_abort(job.x[i]);
    }
    bool stop_sent = false;
    int64_t ckpt_last_us = monotonic_us();
    while (!velo_runtime_wait(job.rt, 50)) {
        job_checkpoint_trigger(&job, &ckpt_last_us);
        if (!stop_sent && rs->opts->stop && atomic_load(rs->opts->stop)) {
            stop_sent = true;
            for (uint32_t c = 0; c < ncores; c++)
                velo_runtime_control(job.rt, c, VELO_CONTROL_STOP);
        }
        relay_progress(&job, &base, &dlq);
    }
    relay_progress(&job, &base, &dlq); /* what the cores measured last (their finish) */
    /* the cores' functions returned (their threads are joined when the runtime is freed, after the
     * sources closed: a Kafka source's queues write to the cores' eventfds until then) */
    if (status) goto done_cores;
    /* the first real failure (other cores only saw the exchange being aborted) */
    for (uint32_t pass = 0; pass < 2 && !status; pass++)
        for (uint32_t c = 0; c < ncores && !status; c++) {
            core_pipe *cp = &job.cores[c];
            if (!cp->status ||
                (pass == 0 && cp->status == VELO_ERR_INTERNAL && strstr(cp->err.message, "exchange aborted")))
                continue;
            *err = cp->err;
            status = cp->status;
        }
    /* Kafka on several cores: every row reached the sink, flushed at its finish; commit each core's
     * partitions (the committing thread is the control thread now that the cores are done) */
    for (uint32_t c = 0; !status && job.lay.kafka && sops->commit && c < ncores; c++)
        if (job.cores[c].source) status = sops->commit(job.cores[c].source, err);
    if (status) goto done_cores;

    /* records read = rows decoded + records the decoder rejected */
    uint64_t decoded = 0, row_errors = 0, late_rows = 0;
    for (uint32_t c = 0; c < ncores; c++) {
        core_pipe *cp = &job.cores[c];
        decoded += cp->chain_a ? cp->chain_a->rows_in : 0;
        for (uint32_t i = 0; i < MAX_PIPELINE; i++)
            row_errors += cp->dctx[i].row_errors;
        row_errors += core_join_row_errors(cp);
        if (c == 0 && cp->join) decoded += tree_rows_decoded(&cp->join->tree); /* the build side, once */
        for (uint32_t g = 0; g < 2; g++)
            if (cp->group_ops[g]) {
                velo_group_stats gs;
                velo_group_op_stats(cp->group_ops[g], &gs);
                late_rows += gs.late_rows;
            }
    }
    uint64_t rows_read = decoded + (dlq.count - row_errors);
    uint64_t rows_out = job.sink_op ? job.sink_op->rows_out : 0;
    for (uint32_t c = 1; c < ncores; c++)
        rows_out += job.cores[c].sink_op ? job.cores[c].sink_op->rows_out : 0;
    rs->report->rows_in += rows_read;
    rs->report->rows_out += rows_out;
    rs->report->rows_rejected += dlq.count;
    rs->report->jobs++;
    if (progress) {
        atomic_store(&progress->rows_in, rs->report->rows_in);
        atomic_store(&progress->rows_out, rs->report->rows_out);
        atomic_store(&progress->rows_rejected, rs->report->rows_rejected);
    }
    if (!rs->opts->quiet) {
        char late[64] = "";
        if (late_rows) snprintf(late, sizeof late, ", %llu late", (unsigned long long)late_rows);
        fprintf(rs->opts->diag_out, "velo-sql: %s: %llu rows read, %llu written, %llu rejected%s%s%s%s\n",
                stmt_label(qp), (unsigned long long)rows_read, (unsigned long long)rows_out,
                (unsigned long long)dlq.count, late, dlq.count && dlq.path ? " (dead-letter queue: " : "",
                dlq.count && dlq.path ? dlq.path : "", dlq.count && dlq.path ? ")" : "");
    }
    goto done_cores;

done:
done_cores:
    rs->source_wm_node = 0;
    /* the sink operator is owned by the chain that ends in it (core 0's) */
    {
        uint32_t n = ncores;
        for (uint32_t c = 0; job.cores && c < n; c++) {
            core_pipe *cp = &job.cores[c];
            velo_operator_destroy_chain(cp->chain_a);
            for (uint32_t i = 0; i < 2; i++)
                velo_operator_destroy_chain(cp->in_chain[i]);
            if (c > 0 && cp->sink) cp->sink->ops->close(cp->sink);
            if (jsinks) job_sink_free(&jsinks[c]);
            if (job.snaps && job.snaps[c]) sops->free_snapshot(job.snaps[c]);
        }
        /* slice 0 of a source first: it owns what the others borrow (their close leaves it alone) */
        for (uint32_t c = 0; job.cores && c < n; c++) {
            core_pipe *cp = &job.cores[c];
            if (cp->source) cp->source->ops->close(cp->source);
            core_join_free(cp->join);
            velo_batch_free(cp->batch);
            for (uint32_t i = 0; i < MAX_PIPELINE; i++)
                velo_strbuf_free(&cp->dctx[i].buf);
        }
        mi_free(job.cores);
        for (uint32_t i = 0; i < 2; i++)
            velo_exchange_free(job.x[i]);
        if (job.rt) velo_runtime_free(job.rt); /* joins the cores */
        mi_free(job.snaps);
        velo_ckpt_free(job.ckpt);
        mi_free(jsinks);
        mi_free(sink_uds);
    }
    if (sink) sink->ops->close(sink);
    if (have_dlq) velo_dlq_close(&dlq);
    if (have_src_uri) velo_uri_free(&src_uri);
    job_sink_free(&jsink);
    mi_free(used);
    return status;
}

/* Statements about a running server's catalog and jobs, which a one-shot run has no use for. */
static velo_status has_subquery_cb(velo_expr *e, void *ud, velo_error *err) {
    (void)err;
    if (e->kind == VELO_EXPR_SUBQUERY) *(bool *)ud = true;
    for (uint32_t i = 0; i < e->nargs && !*(bool *)ud; i++)
        if (e->args[i]) has_subquery_cb(e->args[i], ud, err);
    return VELO_OK;
}

/* A one-input plan: a chain of single-input nodes down to one SCAN, without subqueries; fills nodes
 * with the SCAN first. */
static bool one_input_chain(const velo_query_plan *qp, velo_plan **nodes, uint32_t *n) {
    velo_plan *stack[MAX_PIPELINE];
    uint32_t count = 0;
    for (velo_plan *p = qp->root; p; p = p->input) {
        if (count == MAX_PIPELINE || p->kind == VELO_PLAN_JOIN || p->kind == VELO_PLAN_UNION_ALL ||
            p->right || p->ninputs)
            return false;
        bool sub = false;
        plan_exprs(p, has_subquery_cb, &sub, NULL);
        if (sub) return false;
        stack[count++] = p;
    }
    if (count < 2 || stack[count - 1]->kind != VELO_PLAN_SCAN) return false;
    for (uint32_t i = 0; i < count; i++)
        nodes[i] = stack[count - 1 - i];
    *n = count;
    return true;
}

/* ---- checkpoints (engine/checkpoint.h) ----
 * A plan that runs on core 0 alone (layout single: every unbounded stateful Kafka plan) takes its
 * checkpoints there, between two batches: the barrier is trivially aligned, every row read before it
 * went through the operators. The control thread asks every 'checkpoint.interval' (a CHECKPOINT
 * control message); core 0 flushes the sink, saves the GROUP BY state with the source's positions,
 * and only then commits the source's offsets. */

static uint32_t job_groups(const job_run *j, velo_operator **groups) {
    const core_pipe *c0 = &j->cores[0];
    uint32_t n = 0;
    for (uint32_t g = 0; g < 2; g++)
        if (c0->group_ops[g]) groups[n++] = c0->group_ops[g];
    return n;
}

/* Reads the options; a plan that cannot be checkpointed fails here, before it runs. */
static velo_status job_checkpoint_open(job_run *j, velo_error *err) {
    const velo_query_plan *qp = j->qp;
    velo_status st =
        velo_ckpt_open(&qp->job_options, j->rs->opts->state_dir, j->rs->base_dir, qp->name, &j->ckpt, err);
    if (st || !j->ckpt) return st;
    const char *guarantee = velo_kv_get(&qp->sink_options, "processing.guarantee");
    if (guarantee && !strcasecmp(guarantee, "exactly_once"))
        return velo_error_set(err, VELO_ERR_UNSUPPORTED,
                              "'checkpoint.interval' with 'processing.guarantee'='exactly_once' is not "
                              "supported yet: use the default at-least-once sink");
    if (!j->lay.single) /* checkpoint_layout put it there */
        return velo_error_set(err, VELO_ERR_INTERNAL, "'checkpoint.interval': the plan is not on core 0");
    for (uint32_t i = 1; i < j->nnodes; i++) {
        velo_plan_kind k = j->nodes[i]->kind;
        if (k != VELO_PLAN_FILTER && k != VELO_PLAN_PROJECT && k != VELO_PLAN_AGGREGATE)
            return velo_error_set(err, VELO_ERR_UNSUPPORTED,
                                  "'checkpoint.interval': only GROUP BY and window state can be checkpointed "
                                  "yet, not the state of ORDER BY, DISTINCT, LIMIT or window functions");
    }
    return velo_ckpt_check(NULL, 0, j->sops, err);
}

/* Before the cores start: the operators (built) and the source (open) take the newest checkpoint. */
static velo_status job_checkpoint_restore(job_run *j, velo_error *err) {
    if (!j->ckpt) return VELO_OK;
    velo_operator *groups[2];
    uint32_t n = job_groups(j, groups);
    velo_status st = velo_ckpt_check(groups, n, j->sops, err);
    if (!st)
        st = velo_ckpt_restore(j->ckpt, groups, n, 0, 1, j->sops, j->cores[0].source,
                               j->rs->opts->quiet ? NULL : j->rs->opts->diag_out, err);
    return st;
}

/* Control thread: asks core 0 for a checkpoint every interval. */
static void job_checkpoint_trigger(job_run *j, int64_t *last_us) {
    if (!j->ckpt || monotonic_us() - *last_us < velo_ckpt_interval_us(j->ckpt)) return;
    if (velo_runtime_control(j->rt, 0, VELO_CONTROL_CHECKPOINT)) *last_us = monotonic_us();
}

/* Core 0 at a barrier: sink flushed, state saved with the positions, then the offsets committed. */
static void job_checkpoint(job_run *j, core_pipe *cp) {
    if (!j->ckpt || cp != &j->cores[0] || !cp->source || cp->status) return;
    velo_operator *groups[2];
    uint32_t n = job_groups(j, groups);
    velo_status st = j->sink->ops->flush(j->sink, &cp->err);
    if (!st) st = velo_ckpt_take(j->ckpt, groups, n, j->sops, cp->source, &cp->err);
    if (!st) st = commit_point(j->sink, j->sops, cp->source, &cp->err);
    cp->last_commit_us = monotonic_us();
    if (st) core_fail(j, cp, st);
}

/* A checkpointed plan runs on core 0 alone (the barrier is then aligned between two batches), at any
 * --cores: the state format does not depend on it (rows per key, routed to their owner on restore). */
static void checkpoint_layout(const velo_query_plan *qp, uint32_t nnodes, plan_layout *lay) {
    velo_error e;
    if (!checkpoint_unsupported(qp, "", &e)) return;
    memset(lay, 0, sizeof *lay);
    lay->single = true;
    lay->a_end = lay->b_end = nnodes;
}

/* A plan that does not run on run_plan_cores' core 0 cannot be checkpointed yet. */
static velo_status checkpoint_unsupported(const velo_query_plan *qp, const char *what, velo_error *err) {
    const char *iv = velo_kv_get(&qp->job_options, "checkpoint.interval");
    int64_t us = 0;
    if (!iv || velo_duration_parse(iv, &us, NULL) || us <= 0) return VELO_OK;
    return velo_error_set(err, VELO_ERR_UNSUPPORTED, "'checkpoint.interval' is not supported for %s yet",
                          what);
}

/* Runs one plan until its bounded inputs end (or a stop is requested): a one-input plan on the cores
 * (plan_layout_for decides its stages), anything else as an operator tree on core 0. */
static velo_status run_plan(run_state *rs, velo_query_plan *qp, velo_error *err) {
    velo_plan *nodes[MAX_PIPELINE];
    uint32_t nnodes = 0;
    core_join_spec js;
    velo_status st = check_table_modes(qp->root, err);
    if (st) return st;
    if (lookup_join_on_cores(rs, qp, nodes, &nnodes, &js)) {
        st = check_plan(qp, err);
        if (!st) st = check_node(qp->root, plan_bounded(qp->root), err);
        if (!st) st = run_plan_cores(rs, qp, nodes, nnodes, &js, err);
        return st;
    }
    if (!one_input_chain(qp, nodes, &nnodes)) {
        if ((st = checkpoint_unsupported(qp, "joins, UNION ALL and subqueries", err))) return st;
        return run_plan_tree(rs, qp, err);
    }
    st = check_plan(qp, err);
    if (!st) st = check_node(qp->root, plan_bounded(qp->root), err);
    if (!st) st = run_plan_cores(rs, qp, nodes, nnodes, NULL, err);
    return st;
}

/* ---- `velo-sql explain --cores N`: where each node runs ---- */

static void explain_nodes(velo_plan *const *nodes, uint32_t from, uint32_t to, velo_strbuf *out) {
    static const char *const names[] = {
        [VELO_PLAN_SCAN] = "SCAN",         [VELO_PLAN_FILTER] = "FILTER",
        [VELO_PLAN_PROJECT] = "PROJECT",   [VELO_PLAN_AGGREGATE] = "AGGREGATE",
        [VELO_PLAN_ANALYTIC] = "ANALYTIC", [VELO_PLAN_JOIN] = "JOIN",
        [VELO_PLAN_SORT] = "SORT",         [VELO_PLAN_LIMIT] = "LIMIT",
        [VELO_PLAN_DISTINCT] = "DISTINCT", [VELO_PLAN_UNION_ALL] = "UNION ALL"};
    for (uint32_t i = from; i < to; i++) {
        velo_plan_kind k = nodes[i]->kind;
        velo_strbuf_printf(out, "%s", k < sizeof names / sizeof *names && names[k] ? names[k] : "?");
        if (i + 1 < to) velo_strbuf_puts(out, ", ");
    }
}

void velo_explain_cores(const velo_query_plan *qp, uint32_t ncores, velo_strbuf *out) {
    velo_run_options o = {.cores = ncores};
    run_state rs = {.opts = &o};
    velo_plan *nodes[MAX_PIPELINE];
    uint32_t n = 0;
    core_join_spec js;
    plan_layout lay;
    if (lookup_join_on_cores(&rs, qp, nodes, &n, &js)) {
        const velo_plan_source *ls = &nodes[0]->source;
        const velo_source_ops *sops = velo_source_lookup(ls->scheme ? ls->scheme : "");
        const velo_sink_ops *ksink =
            velo_sink_lookup(qp->sink_uri ? (qp->sink_scheme ? qp->sink_scheme : "") : "stdout");
        join_layout_for(qp, nodes, n, ncores, (sops && sops->commit) || (ksink && ksink->commit), &js, &lay);
    } else if (one_input_chain(qp, nodes, &n)) {
        const velo_plan_source *ls = &nodes[0]->source;
        const velo_source_ops *sops = velo_source_lookup(ls->scheme ? ls->scheme : "");
        const velo_sink_ops *ksink =
            velo_sink_lookup(qp->sink_uri ? (qp->sink_scheme ? qp->sink_scheme : "") : "stdout");
        plan_layout_for(qp, nodes, n, ncores, (sops && sops->commit) || (ksink && ksink->commit), &lay);
        checkpoint_layout(qp, n, &lay); /* a checkpointed plan runs on core 0 */
    } else {
        velo_strbuf_printf(out, "on %u cores: an operator tree on core 0\n", ncores);
        return;
    }
    if (lay.single) {
        velo_strbuf_printf(out, "on %u cores: every node on core 0\n", ncores);
        return;
    }
    velo_strbuf_printf(out, "on %u cores:\n  %s: ", ncores,
                       lay.kafka   ? "every core, its Kafka partitions"
                       : lay.split ? "every core, its slice of the source"
                                   : "core 0, the whole source (unsplit)");
    if (lay.per_core) {
        explain_nodes(nodes, 0, n, out);
        velo_strbuf_puts(out, ", its own sink\n");
        return;
    }
    explain_nodes(nodes, 0, lay.a_end, out);
    if (lay.keyed) {
        uint32_t nkeys = 0;
        velo_expr *const *keys = exchange_keys_of(nodes[lay.a_end], &nkeys);
        velo_strbuf_puts(out, "\n  exchange by hash(");
        for (uint32_t k = 0; k < nkeys; k++) {
            if (k) velo_strbuf_puts(out, ", ");
            velo_expr_print(keys[k], nodes[lay.a_end - 1]->schema, out);
        }
        velo_strbuf_printf(out, ") %% %u%s\n  every core: ", ncores,
                           two_phase_for(qp, nodes, &lay) ? " (two-phase: partial states)" : "");
        explain_nodes(nodes, lay.a_end, lay.b_end, out);
    }
    velo_strbuf_puts(out, "\n  gathered on core 0: ");
    explain_nodes(nodes, lay.b_end, n, out);
    velo_strbuf_puts(out, lay.b_end < n ? ", sink\n" : "sink\n");
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
        const char *session_stmt = velo_sql_server_statement(stmt->kind);
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
