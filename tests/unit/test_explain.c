/* explain: plans built by hand (one per node kind) printed as text and JSON, compared with golden
 * strings; the expression printer's precedence, quoting and constant forms. */
#include <criterion/criterion.h>
#include <mimalloc.h>
#include <string.h>

#include "core/decimal.h"
#include "sql/explain.h"
#include "sql/plan.h"

/* ---- building blocks ---- */

static velo_type T(velo_type_id id) { return velo_type_make(id); }

static velo_schema *schema_of(const char *const *names, const velo_type_id *types, uint32_t n) {
    velo_schema *s = velo_schema_new(n);
    for (uint32_t i = 0; i < n; i++)
        velo_schema_set(s, i, names[i], T(types[i]));
    return s;
}

static velo_expr *col(uint32_t i, velo_type_id t) {
    velo_expr *e = velo_expr_new(VELO_EXPR_COLUMN, T(t), 0);
    e->column = i;
    return e;
}

static velo_expr *i64(int64_t v) {
    velo_expr *e = velo_expr_new(VELO_EXPR_CONST, T(VELO_TYPE_BIGINT), 0);
    e->constant = velo_value_i64(v);
    return e;
}

static velo_expr *str(const char *s) {
    velo_expr *e = velo_expr_new(VELO_EXPR_CONST, T(VELO_TYPE_VARCHAR), 0);
    e->constant = velo_value_str(mi_strdup(s), (uint32_t)strlen(s));
    return e;
}

static velo_expr *node(velo_expr_kind k, velo_type_id t, uint32_t n, ...) {
    velo_expr *e = velo_expr_new(k, T(t), n);
    va_list ap;
    va_start(ap, n);
    for (uint32_t i = 0; i < n; i++)
        e->args[i] = va_arg(ap, velo_expr *);
    va_end(ap);
    return e;
}

static velo_expr *arith(velo_arith_op op, velo_expr *a, velo_expr *b) {
    velo_expr *e = node(VELO_EXPR_ARITH, VELO_TYPE_BIGINT, 2, a, b);
    e->arith = op;
    return e;
}

static velo_expr *cmp(velo_cmp_op op, velo_expr *a, velo_expr *b) {
    velo_expr *e = node(VELO_EXPR_CMP, VELO_TYPE_BOOLEAN, 2, a, b);
    e->cmp = op;
    return e;
}

static velo_expr **exprs(uint32_t n, ...) {
    velo_expr **v = mi_zalloc(sizeof *v * n);
    va_list ap;
    va_start(ap, n);
    for (uint32_t i = 0; i < n; i++)
        v[i] = va_arg(ap, velo_expr *);
    va_end(ap);
    return v;
}

static velo_plan *plan(velo_plan_kind k, velo_schema *s, velo_plan *input) {
    velo_plan *p = mi_zalloc(sizeof *p);
    p->kind = k;
    p->schema = s;
    p->input = input;
    p->within_us = -1;
    p->source.event_time_column = -1;
    return p;
}

/* trades(symbol, side, price, quantity, ts, venue, id) from file://trades.csv, bounded */
static const char *const TRADE_COLS[] = {"symbol", "side", "price", "quantity", "ts", "venue", "id"};
static const velo_type_id TRADE_TYPES[] = {VELO_TYPE_VARCHAR, VELO_TYPE_VARCHAR,   VELO_TYPE_BIGINT,
                                           VELO_TYPE_BIGINT,  VELO_TYPE_TIMESTAMP, VELO_TYPE_VARCHAR,
                                           VELO_TYPE_BIGINT};

static velo_plan *scan_trades(void) {
    velo_plan *p = plan(VELO_PLAN_SCAN, schema_of(TRADE_COLS, TRADE_TYPES, 7), NULL);
    p->source.name = mi_strdup("trades");
    p->source.uri = mi_strdup("file://trades.csv");
    p->source.scheme = mi_strdup("file");
    velo_kv_init(&p->source.options);
    velo_kv_set(&p->source.options, "header", "true");
    p->source.bounded = true;
    return p;
}

static velo_schema *copy_schema(const velo_plan *p) { return velo_schema_copy(p->schema); }

/* Frees what these tests allocate (velo_plan_free lives with the planner). */
static void free_plan(velo_plan *p);

static void free_exprs(velo_expr **v, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        velo_expr_free(v[i]);
    mi_free(v);
}

static void free_sort(velo_sort_key *k, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        velo_expr_free(k[i].expr);
    mi_free(k);
}

static void free_plan_void(void *p) { free_plan(p); }

static void free_plan(velo_plan *p) {
    if (!p) return;
    velo_schema_free(p->schema);
    free_plan(p->input);
    free_plan(p->right);
    for (uint32_t i = 0; i < p->ninputs; i++)
        free_plan(p->inputs[i]);
    mi_free(p->inputs);
    mi_free(p->source.name);
    mi_free(p->source.alias);
    mi_free(p->source.uri);
    mi_free(p->source.scheme);
    mi_free(p->source.primary_key);
    velo_kv_free(&p->source.options);
    velo_expr_free(p->predicate);
    free_exprs(p->exprs, p->nexprs);
    free_exprs(p->keys, p->nkeys);
    for (uint32_t i = 0; i < p->naggs; i++) {
        free_exprs(p->aggs[i].args, p->aggs[i].nargs);
        velo_expr_free(p->aggs[i].filter);
        free_sort(p->aggs[i].order_by, p->aggs[i].norder);
        mi_free(p->aggs[i].text);
    }
    mi_free(p->aggs);
    velo_expr_free(p->window.session_key);
    for (uint32_t i = 0; i < p->ncalls; i++) {
        free_exprs(p->calls[i].args, p->calls[i].nargs);
        free_exprs(p->calls[i].partition_by, p->calls[i].npartition);
        free_sort(p->calls[i].order_by, p->calls[i].norder);
        mi_free(p->calls[i].text);
    }
    mi_free(p->calls);
    velo_expr_free(p->condition);
    free_exprs(p->left_keys, p->njoin_keys);
    free_exprs(p->right_keys, p->njoin_keys);
    free_sort(p->sort, p->nsort);
    mi_free(p);
}

static velo_query_plan query(velo_plan *root, const char *name, velo_emit_mode emit, const char *sink) {
    velo_query_plan qp = {0};
    qp.root = root;
    qp.name = (char *)name;
    qp.emit = emit;
    qp.sink_uri = (char *)sink;
    return qp;
}

static void expect_text(const velo_query_plan *qp, const char *want) {
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_plan_explain_text(qp, &sb);
    cr_expect_str_eq(sb.data, want);
    velo_strbuf_free(&sb);
}

static void expect_json(const velo_query_plan *qp, const char *want) {
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_plan_explain_json(qp, &sb);
    cr_expect_str_eq(sb.data, want);
    velo_strbuf_free(&sb);
}

static void expect_expr(const velo_expr *e, const velo_schema *s, const char *want) {
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_expr_print(e, s, &sb);
    cr_expect_str_eq(sb.data, want);
    velo_strbuf_free(&sb);
}

/* SCAN -> FILTER -> PROJECT, the example of docs/cli.md */
static velo_plan *big_buys(void) {
    velo_plan *scan = scan_trades();
    velo_plan *filter = plan(VELO_PLAN_FILTER, copy_schema(scan), scan);
    filter->predicate =
        node(VELO_EXPR_AND, VELO_TYPE_BOOLEAN, 2, cmp(VELO_CMP_EQ, col(1, VELO_TYPE_VARCHAR), str("BUY")),
             cmp(VELO_CMP_GE, col(3, VELO_TYPE_BIGINT), i64(1000)));
    const char *names[] = {"symbol", "notional"};
    const velo_type_id types[] = {VELO_TYPE_VARCHAR, VELO_TYPE_BIGINT};
    velo_plan *project = plan(VELO_PLAN_PROJECT, schema_of(names, types, 2), filter);
    project->exprs = exprs(2, col(0, VELO_TYPE_VARCHAR),
                           arith(VELO_ARITH_MUL, col(2, VELO_TYPE_BIGINT), col(3, VELO_TYPE_BIGINT)));
    project->nexprs = 2;
    return project;
}

Test(explain, scan_filter_project_prints_an_indented_tree) {
    velo_query_plan qp = query(big_buys(), "big_buys", VELO_EMIT_CHANGES, "file://out.jsonl");
    expect_text(&qp, "CREATE STREAM big_buys  emit=changes  sink=file://out.jsonl\n"
                     "└─ PROJECT symbol, price * quantity AS notional\n"
                     "   └─ FILTER side = 'BUY' AND quantity >= 1000\n"
                     "      └─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n");
    free_plan(qp.root);
}

Test(explain, bare_select_prints_stdout_sink_and_no_emit) {
    velo_query_plan qp = query(scan_trades(), NULL, VELO_EMIT_DEFAULT, NULL);
    expect_text(&qp, "SELECT  sink=stdout\n"
                     "└─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n");
    free_plan(qp.root);
}

Test(explain, json_has_the_same_content) {
    velo_query_plan qp = query(big_buys(), "big_buys", VELO_EMIT_CHANGES, "file://out.jsonl");
    expect_json(
        &qp,
        "{\"statement\":\"CREATE STREAM big_buys\",\"name\":\"big_buys\",\"emit\":\"changes\","
        "\"sink\":\"file://out.jsonl\",\"plan\":{\"op\":\"PROJECT\",\"exprs\":[\"symbol\",\"price * "
        "quantity\"],\"schema\":[{\"name\":\"symbol\",\"type\":\"VARCHAR\"},{\"name\":\"notional\","
        "\"type\":\"BIGINT\"}],\"input\":{\"op\":\"FILTER\",\"predicate\":\"side = 'BUY' AND quantity >= "
        "1000\",\"schema\":[{\"name\":\"symbol\",\"type\":\"VARCHAR\"},{\"name\":\"side\",\"type\":"
        "\"VARCHAR\"},{\"name\":\"price\",\"type\":\"BIGINT\"},{\"name\":\"quantity\",\"type\":\"BIGINT\"},"
        "{\"name\":\"ts\",\"type\":\"TIMESTAMP\"},{\"name\":\"venue\",\"type\":\"VARCHAR\"},{\"name\":"
        "\"id\",\"type\":\"BIGINT\"}],\"input\":{\"op\":\"SCAN\",\"source\":{\"name\":\"trades\","
        "\"alias\":null,\"uri\":\"file://trades.csv\",\"scheme\":\"file\",\"options\":{\"header\":"
        "\"true\"},\"open\":false,\"table\":false,\"primary_key\":null,\"event_time\":null,\"bounded\":"
        "true},\"schema\":[{\"name\":\"symbol\",\"type\":\"VARCHAR\"},{\"name\":\"side\",\"type\":"
        "\"VARCHAR\"},{\"name\":\"price\",\"type\":\"BIGINT\"},{\"name\":\"quantity\",\"type\":\"BIGINT\"},"
        "{\"name\":\"ts\",\"type\":\"TIMESTAMP\"},{\"name\":\"venue\",\"type\":\"VARCHAR\"},{\"name\":"
        "\"id\",\"type\":\"BIGINT\"}]}}}}\n");
    free_plan(qp.root);
}

Test(explain, json_strings_are_escaped) {
    velo_plan *scan = scan_trades();
    velo_plan *filter = plan(VELO_PLAN_FILTER, copy_schema(scan), scan);
    filter->predicate = cmp(VELO_CMP_EQ, col(5, VELO_TYPE_VARCHAR), str("say \"hi\"\n\\"));
    velo_query_plan qp = query(filter, "q\"x", VELO_EMIT_DEFAULT, NULL);
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_plan_explain_json(&qp, &sb);
    cr_expect(strstr(sb.data, "\"name\":\"q\\\"x\"") != NULL, "%s", sb.data);
    cr_expect(strstr(sb.data, "\"predicate\":\"venue = 'say \\\"hi\\\"\\u000a\\\\'\"") != NULL, "%s",
              sb.data);
    cr_expect(strstr(sb.data, "\"sink\":null") != NULL, "%s", sb.data);
    velo_strbuf_free(&sb);
    free_plan(qp.root);
}

static velo_agg_call agg(const char *text, velo_type_id t, velo_expr *arg) {
    velo_agg_call a = {0};
    a.text = mi_strdup(text);
    a.type = T(t);
    if (arg) {
        a.args = exprs(1, arg);
        a.nargs = 1;
    } else {
        a.star = true;
    }
    return a;
}

Test(explain, aggregate_shows_keys_window_calls_and_state) {
    velo_plan *scan = scan_trades();
    const char *names[] = {"symbol", "window_start", "window_end", "total", "trades"};
    const velo_type_id types[] = {VELO_TYPE_VARCHAR, VELO_TYPE_TIMESTAMP, VELO_TYPE_TIMESTAMP,
                                  VELO_TYPE_BIGINT, VELO_TYPE_BIGINT};
    velo_plan *a = plan(VELO_PLAN_AGGREGATE, schema_of(names, types, 5), scan);
    a->keys = exprs(1, col(0, VELO_TYPE_VARCHAR));
    a->nkeys = 1;
    a->aggs = mi_zalloc(sizeof *a->aggs * 2);
    a->aggs[0] = agg("SUM(price * quantity)", VELO_TYPE_BIGINT,
                     arith(VELO_ARITH_MUL, col(2, VELO_TYPE_BIGINT), col(3, VELO_TYPE_BIGINT)));
    a->aggs[1] = agg("COUNT(*)", VELO_TYPE_BIGINT, NULL);
    a->naggs = 2;
    a->windowed = true;
    a->window = (velo_window_spec){VELO_WINDOW_TUMBLING, 60000000, 60000000, 4, NULL};
    velo_query_plan qp = query(a, "totals", VELO_EMIT_FINAL, "file://totals.jsonl");
    expect_text(&qp, "CREATE STREAM totals  emit=final  sink=file://totals.jsonl\n"
                     "└─ AGGREGATE keys=symbol  window=TUMBLING 1m on ts\n"
                     "   │ aggregate SUM(price * quantity) AS total\n"
                     "   │ aggregate COUNT(*) AS trades\n"
                     "   │ state: one accumulator per key per window\n"
                     "   └─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n");
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_plan_explain_json(&qp, &sb);
    cr_expect(strstr(sb.data,
                     "\"keys\":[\"symbol\"],\"aggregates\":[{\"call\":\"SUM(price * quantity)\",\"name\":"
                     "\"total\",\"type\":\"BIGINT\"},{\"call\":\"COUNT(*)\",\"name\":\"trades\",\"type\":"
                     "\"BIGINT\"}],\"window\":{\"kind\":\"TUMBLING\",\"size\":\"1m\",\"time_column\":"
                     "\"ts\",\"text\":\"TUMBLING 1m on ts\"},\"state\":\"one accumulator per key per "
                     "window\"") != NULL,
              "%s", sb.data);
    velo_strbuf_free(&sb);
    free_plan(qp.root);
}

Test(explain, global_sliding_and_session_windows_read_in_units) {
    velo_plan *scan = scan_trades();
    const char *names[] = {"window_start", "window_end", "n"};
    const velo_type_id types[] = {VELO_TYPE_TIMESTAMP, VELO_TYPE_TIMESTAMP, VELO_TYPE_BIGINT};
    velo_plan *a = plan(VELO_PLAN_AGGREGATE, schema_of(names, types, 3), scan);
    a->aggs = mi_zalloc(sizeof *a->aggs);
    a->aggs[0] = agg("COUNT(*)", VELO_TYPE_BIGINT, NULL);
    a->naggs = 1;
    a->windowed = true;
    a->window = (velo_window_spec){VELO_WINDOW_SLIDING, INT64_C(3600000000), INT64_C(90000000), -1, NULL};
    velo_query_plan qp = query(a, NULL, VELO_EMIT_DEFAULT, NULL);
    expect_text(&qp, "SELECT  sink=stdout\n"
                     "└─ AGGREGATE global  window=SLIDING 1h every 90s on source event time\n"
                     "   │ aggregate COUNT(*) AS n\n"
                     "   │ state: one accumulator per window\n"
                     "   └─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n");
    a->window = (velo_window_spec){VELO_WINDOW_SESSION, 250000, 250000, 4, col(5, VELO_TYPE_VARCHAR)};
    expect_text(&qp, "SELECT  sink=stdout\n"
                     "└─ AGGREGATE global  window=SESSION gap 250ms on ts by venue\n"
                     "   │ aggregate COUNT(*) AS n\n"
                     "   │ state: one accumulator per window\n"
                     "   └─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n");
    free_plan(qp.root);
}

Test(explain, analytic_shows_calls_with_frames_and_state) {
    velo_plan *scan = scan_trades();
    velo_schema *s = velo_schema_new(9);
    for (uint32_t i = 0; i < 7; i++)
        velo_schema_set(s, i, TRADE_COLS[i], T(TRADE_TYPES[i]));
    velo_schema_set(s, 7, "prev_price", T(VELO_TYPE_BIGINT));
    velo_schema_set(s, 8, "avg_5m", T(VELO_TYPE_DOUBLE));
    velo_plan *a = plan(VELO_PLAN_ANALYTIC, s, scan);
    a->calls = mi_zalloc(sizeof *a->calls * 2);
    a->ncalls = 2;
    a->calls[0].text = mi_strdup("LAG(price, 1) OVER (PARTITION BY symbol ORDER BY ts)");
    a->calls[0].type = T(VELO_TYPE_BIGINT);
    a->calls[0].frame.buffer_rows = 100;
    a->calls[1].text = NULL; /* printed from the call itself */
    a->calls[1].fn = velo_function_lookup("AVG");
    a->calls[1].args = exprs(1, col(2, VELO_TYPE_BIGINT));
    a->calls[1].nargs = 1;
    a->calls[1].partition_by = exprs(1, col(0, VELO_TYPE_VARCHAR));
    a->calls[1].npartition = 1;
    a->calls[1].order_by = mi_zalloc(sizeof(velo_sort_key));
    a->calls[1].order_by[0].expr = col(4, VELO_TYPE_TIMESTAMP);
    a->calls[1].norder = 1;
    a->calls[1].frame =
        (velo_frame){true, true, VELO_BOUND_PRECEDING, VELO_BOUND_CURRENT_ROW, 300000000, 0, 0};
    a->calls[1].type = T(VELO_TYPE_DOUBLE);
    velo_query_plan qp = query(a, NULL, VELO_EMIT_DEFAULT, NULL);
    const velo_function *avg = velo_function_lookup("AVG");
    const char *want =
        avg ? "SELECT  sink=stdout\n"
              "└─ ANALYTIC\n"
              "   │ call LAG(price, 1) OVER (PARTITION BY symbol ORDER BY ts) AS prev_price  frame=BUFFER "
              "100 ROWS\n"
              "   │ call AVG(price) OVER (PARTITION BY symbol ORDER BY ts) AS avg_5m  frame=RANGE "
              "BETWEEN 5m PRECEDING AND CURRENT ROW\n"
              "   │ state: rows of each partition within the frame\n"
              "   └─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n"
            : "SELECT  sink=stdout\n"
              "└─ ANALYTIC\n"
              "   │ call LAG(price, 1) OVER (PARTITION BY symbol ORDER BY ts) AS prev_price  frame=BUFFER "
              "100 ROWS\n"
              "   │ call ?(price) OVER (PARTITION BY symbol ORDER BY ts) AS avg_5m  frame=RANGE "
              "BETWEEN 5m PRECEDING AND CURRENT ROW\n"
              "   │ state: rows of each partition within the frame\n"
              "   └─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n";
    expect_text(&qp, want);
    a->calls[0].frame =
        (velo_frame){true, false, VELO_BOUND_UNBOUNDED_PRECEDING, VELO_BOUND_FOLLOWING, 0, 2, 0};
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_plan_explain_text(&qp, &sb);
    cr_expect(strstr(sb.data, "frame=ROWS BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING\n") != NULL, "%s",
              sb.data);
    velo_strbuf_free(&sb);
    free_plan(qp.root);
}

static velo_plan *scan_quotes(void) {
    const char *names[] = {"symbol", "bid", "ts"};
    const velo_type_id types[] = {VELO_TYPE_VARCHAR, VELO_TYPE_DOUBLE, VELO_TYPE_TIMESTAMP};
    velo_plan *p = plan(VELO_PLAN_SCAN, schema_of(names, types, 3), NULL);
    p->source.name = mi_strdup("quotes");
    p->source.alias = mi_strdup("q");
    p->source.uri = mi_strdup("kafka://broker:9092/quotes");
    p->source.scheme = mi_strdup("kafka");
    velo_kv_init(&p->source.options);
    p->source.event_time_column = 2;
    return p;
}

static velo_plan *join_of(velo_plan *l, velo_plan *r) {
    velo_schema *s = velo_schema_new(l->schema->ncols + r->schema->ncols);
    for (uint32_t i = 0; i < l->schema->ncols; i++)
        velo_schema_set(s, i, l->schema->fields[i].name, l->schema->fields[i].type);
    for (uint32_t i = 0; i < r->schema->ncols; i++)
        velo_schema_set(s, l->schema->ncols + i, r->schema->fields[i].name, r->schema->fields[i].type);
    velo_plan *j = plan(VELO_PLAN_JOIN, s, l);
    j->right = r;
    return j;
}

Test(explain, join_shows_kind_keys_within_and_state) {
    velo_plan *j = join_of(scan_trades(), scan_quotes());
    j->join_kind = VELO_JOIN_LEFT;
    j->left_keys = exprs(1, col(0, VELO_TYPE_VARCHAR));
    j->right_keys = exprs(1, col(0, VELO_TYPE_VARCHAR));
    j->njoin_keys = 1;
    j->condition = cmp(VELO_CMP_EQ, col(0, VELO_TYPE_VARCHAR), col(7, VELO_TYPE_VARCHAR));
    j->within_us = 300000000;
    velo_query_plan qp = query(j, "enriched", VELO_EMIT_DEFAULT, "kafka://broker:9092/enriched");
    expect_text(
        &qp, "CREATE STREAM enriched  sink=kafka://broker:9092/enriched\n"
             "└─ JOIN LEFT  keys=symbol = symbol  within=5m\n"
             "   │ on symbol = symbol\n"
             "   │ state: rows of each side for 5m (WITHIN)\n"
             "   ├─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n"
             "   └─ SCAN quotes AS q  uri=kafka://broker:9092/quotes  columns=3  event_time=ts  unbounded\n");
    j->within_us = -1;
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_plan_explain_text(&qp, &sb);
    cr_expect(strstr(sb.data, "│ state: every row of both sides (unbounded: add WITHIN)\n") != NULL, "%s",
              sb.data);
    velo_strbuf_clear(&sb);
    velo_plan_explain_json(&qp, &sb);
    cr_expect(strstr(sb.data,
                     "\"join\":\"LEFT\",\"keys\":[{\"left\":\"symbol\",\"right\":\"symbol\"}],"
                     "\"condition\":\"symbol = symbol\",\"within\":null,\"stream_table\":false") != NULL,
              "%s", sb.data);
    cr_expect(strstr(sb.data, "\"left\":{\"op\":\"SCAN\"") != NULL, "%s", sb.data);
    cr_expect(strstr(sb.data, "\"right\":{\"op\":\"SCAN\"") != NULL, "%s", sb.data);
    velo_strbuf_free(&sb);
    free_plan(qp.root);
}

Test(explain, stream_table_join_keeps_the_latest_row_per_key) {
    velo_plan *r = scan_quotes();
    r->source.is_table = true;
    r->source.primary_key = mi_strdup("symbol");
    r->source.bounded = true;
    velo_plan *j = join_of(scan_trades(), r);
    j->right_is_table = true;
    velo_query_plan qp = query(j, NULL, VELO_EMIT_DEFAULT, NULL);
    expect_text(&qp, "SELECT  sink=stdout\n"
                     "└─ JOIN INNER  stream-table\n"
                     "   │ state: latest row per key of the table side (loaded first)\n"
                     "   ├─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n"
                     "   └─ SCAN quotes AS q  uri=kafka://broker:9092/quotes  columns=3  table key=symbol  "
                     "event_time=ts  bounded\n");
    free_plan(qp.root);
}

Test(explain, sort_and_limit) {
    velo_plan *scan = scan_trades();
    velo_plan *sort = plan(VELO_PLAN_SORT, copy_schema(scan), scan);
    sort->sort = mi_zalloc(sizeof *sort->sort * 2);
    sort->sort[0] = (velo_sort_key){col(2, VELO_TYPE_BIGINT), true, false}; /* NULLS LAST: the default */
    sort->sort[1] = (velo_sort_key){col(0, VELO_TYPE_VARCHAR), false, true};
    sort->nsort = 2;
    velo_plan *limit = plan(VELO_PLAN_LIMIT, copy_schema(scan), sort);
    limit->limit = 10;
    velo_query_plan qp = query(limit, NULL, VELO_EMIT_DEFAULT, NULL);
    expect_text(&qp, "SELECT  sink=stdout\n"
                     "└─ LIMIT 10\n"
                     "   └─ SORT price DESC, symbol NULLS FIRST\n"
                     "      │ state: every row until the input ends\n"
                     "      └─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n");
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_plan_explain_json(&qp, &sb);
    cr_expect(strstr(sb.data, "{\"op\":\"LIMIT\",\"limit\":10,") != NULL, "%s", sb.data);
    cr_expect(strstr(sb.data, "\"keys\":[{\"expr\":\"price\",\"desc\":true,\"nulls_first\":false},{\"expr\":"
                              "\"symbol\",\"desc\":false,\"nulls_first\":true}]") != NULL,
              "%s", sb.data);
    velo_strbuf_free(&sb);
    free_plan(qp.root);
}

Test(explain, distinct_keeps_every_distinct_row) {
    velo_plan *scan = scan_trades();
    velo_plan *d = plan(VELO_PLAN_DISTINCT, copy_schema(scan), scan);
    velo_query_plan qp = query(d, "uniq", VELO_EMIT_CHANGES, NULL);
    expect_text(&qp, "CREATE STREAM uniq  emit=changes  sink=stdout\n"
                     "└─ DISTINCT\n"
                     "   │ state: every distinct row\n"
                     "   └─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n");
    free_plan(qp.root);
}

Test(explain, union_all_draws_every_input) {
    velo_plan *u = plan(VELO_PLAN_UNION_ALL, NULL, NULL);
    u->inputs = mi_zalloc(sizeof *u->inputs * 3);
    u->inputs[0] = scan_trades();
    u->inputs[1] = scan_trades();
    u->inputs[2] = scan_trades();
    u->ninputs = 3;
    u->schema = copy_schema(u->inputs[0]);
    velo_plan *f = plan(VELO_PLAN_FILTER, copy_schema(u->inputs[1]), u->inputs[1]);
    f->predicate = node(VELO_EXPR_IS_NULL, VELO_TYPE_BOOLEAN, 1, col(5, VELO_TYPE_VARCHAR));
    u->inputs[1] = f;
    velo_query_plan qp = query(u, NULL, VELO_EMIT_DEFAULT, NULL);
    qp.is_table = false;
    expect_text(&qp, "SELECT  sink=stdout\n"
                     "└─ UNION ALL\n"
                     "   ├─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n"
                     "   ├─ FILTER venue IS NULL\n"
                     "   │  └─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n"
                     "   └─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n");
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_plan_explain_json(&qp, &sb);
    cr_expect(strstr(sb.data, "{\"op\":\"UNION ALL\",\"schema\":") != NULL, "%s", sb.data);
    cr_expect(strstr(sb.data, "\"inputs\":[{\"op\":\"SCAN\"") != NULL, "%s", sb.data);
    velo_strbuf_free(&sb);
    free_plan(qp.root);
}

Test(explain, statement_kinds_and_table_keys) {
    velo_query_plan qp = query(scan_trades(), "latest", VELO_EMIT_CHANGES, NULL);
    qp.is_table = true;
    char *key[] = {"symbol", "venue"};
    qp.primary_key = key;
    qp.nprimary_key = 2;
    expect_text(&qp, "CREATE TABLE latest  emit=changes  sink=stdout  key=symbol,venue\n"
                     "└─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n");
    sql_stmt st = {0};
    st.kind = SQL_STMT_INSERT;
    qp.stmt = &st;
    qp.is_table = false;
    qp.nprimary_key = 0;
    qp.emit = VELO_EMIT_DEFAULT;
    expect_text(&qp, "INSERT INTO latest  sink=stdout\n"
                     "└─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n");
    st.kind = SQL_STMT_START_JOB;
    expect_text(&qp, "START JOB latest  sink=stdout\n"
                     "└─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n");
    free_plan(qp.root);
}

Test(explain, subquery_plans_print_below_their_node_with_outer_columns) {
    velo_plan *scan = scan_trades();
    velo_plan *filter = plan(VELO_PLAN_FILTER, copy_schema(scan), scan);
    /* price > (SELECT ... FROM quotes q WHERE q.symbol = outer.symbol) */
    velo_plan *inner_scan = scan_quotes();
    velo_plan *inner = plan(VELO_PLAN_FILTER, copy_schema(inner_scan), inner_scan);
    velo_expr *outer_col = col(0, VELO_TYPE_VARCHAR);
    outer_col->outer_depth = 1;
    inner->predicate = cmp(VELO_CMP_EQ, col(0, VELO_TYPE_VARCHAR), outer_col);
    velo_expr *sub = velo_expr_new(VELO_EXPR_SUBQUERY, T(VELO_TYPE_DOUBLE), 0);
    sub->subquery_kind = VELO_SUBQUERY_SCALAR;
    sub->subplan = inner;
    sub->subplan_free = free_plan_void;
    filter->predicate = cmp(VELO_CMP_GT, col(2, VELO_TYPE_BIGINT), sub);
    velo_query_plan qp = query(filter, NULL, VELO_EMIT_DEFAULT, NULL);
    expect_text(&qp, "SELECT  sink=stdout\n"
                     "└─ FILTER price > (subquery)\n"
                     "   ├─ SCAN trades  uri=file://trades.csv  columns=7  bounded\n"
                     "   └─ SUBQUERY scalar: FILTER symbol = outer.symbol\n"
                     "      └─ SCAN quotes AS q  uri=kafka://broker:9092/quotes  columns=3  event_time=ts  "
                     "unbounded\n");
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_plan_explain_json(&qp, &sb);
    cr_expect(strstr(sb.data,
                     "\"subqueries\":[{\"kind\":\"scalar\",\"plan\":{\"op\":\"FILTER\",\"predicate\":"
                     "\"symbol = outer.symbol\"") != NULL,
              "%s", sb.data);
    velo_strbuf_free(&sb);
    free_plan(qp.root);
}

/* ---- the expression printer ---- */

static const char *const E_COLS[] = {"a", "b", "name", "select", "ts", "m"};
static const velo_type_id E_TYPES[] = {VELO_TYPE_BIGINT,  VELO_TYPE_BIGINT,    VELO_TYPE_VARCHAR,
                                       VELO_TYPE_VARCHAR, VELO_TYPE_TIMESTAMP, VELO_TYPE_MAP};

Test(expr_print, parentheses_only_where_precedence_needs_them) {
    velo_schema *s = schema_of(E_COLS, E_TYPES, 6);
    velo_expr *e = arith(VELO_ARITH_MUL, arith(VELO_ARITH_ADD, col(0, 0), col(1, 0)), i64(2));
    expect_expr(e, s, "(a + b) * 2");
    velo_expr_free(e);
    e = arith(VELO_ARITH_ADD, col(0, 0), arith(VELO_ARITH_MUL, col(1, 0), i64(2)));
    expect_expr(e, s, "a + b * 2");
    velo_expr_free(e);
    e = arith(VELO_ARITH_SUB, col(0, 0), arith(VELO_ARITH_SUB, col(1, 0), i64(2)));
    expect_expr(e, s, "a - (b - 2)");
    velo_expr_free(e);
    e = node(VELO_EXPR_AND, VELO_TYPE_BOOLEAN, 2,
             node(VELO_EXPR_OR, VELO_TYPE_BOOLEAN, 2, col(0, 0), col(1, 0)),
             node(VELO_EXPR_NOT, VELO_TYPE_BOOLEAN, 1, cmp(VELO_CMP_NE, col(0, 0), i64(-1))));
    expect_expr(e, s, "(a OR b) AND NOT a <> -1");
    velo_expr_free(e);
    e = node(VELO_EXPR_NEG, VELO_TYPE_BIGINT, 1, i64(-3));
    expect_expr(e, s, "-(-3)");
    velo_expr_free(e);
    e = node(VELO_EXPR_CONCAT, VELO_TYPE_VARCHAR, 2, col(2, 0), str("it's"));
    expect_expr(e, s, "name || 'it''s'");
    velo_expr_free(e);
    velo_schema_free(s);
}

Test(expr_print, constants_print_canonically) {
    velo_expr *e = velo_expr_new(VELO_EXPR_CONST, velo_type_decimal(5, 2), 0);
    e->constant = velo_value_dec(150, 5, 2);
    expect_expr(e, NULL, "1.50");
    e->constant = velo_value_dec(-1, 5, 3);
    expect_expr(e, NULL, "-0.001");
    e->constant = velo_value_f64(0.1);
    expect_expr(e, NULL, "0.1");
    e->constant = velo_value_bool(true);
    expect_expr(e, NULL, "TRUE");
    e->constant = velo_value_null();
    expect_expr(e, NULL, "NULL");
    e->constant.is_null = false;
    e->constant.type = T(VELO_TYPE_TIMESTAMP);
    e->constant.u.i64 = INT64_C(1704103200000000);
    expect_expr(e, NULL, "TIMESTAMP '2024-01-01T10:00:00Z'");
    e->constant.type = T(VELO_TYPE_DATE);
    e->constant.u.date = 19723;
    expect_expr(e, NULL, "DATE '2024-01-01'");
    e->constant.type = T(VELO_TYPE_INTERVAL);
    e->constant.u.iv = (velo_interval){0, 0, 300000000};
    expect_expr(e, NULL, "INTERVAL 5m");
    e->constant.u.iv = (velo_interval){1, 0, 0};
    expect_expr(e, NULL, "INTERVAL 'P1M'");
    e->constant = velo_value_null();
    velo_expr_free(e);
}

Test(expr_print, cast_case_in_like_functions_and_fields) {
    velo_schema *s = schema_of(E_COLS, E_TYPES, 6);
    velo_expr *c = node(VELO_EXPR_CAST, VELO_TYPE_DECIMAL, 1, col(2, 0));
    c->type = velo_type_decimal(18, 4);
    expect_expr(c, s, "CAST(name AS DECIMAL(18,4))");
    c->try_cast = true;
    expect_expr(c, s, "TRY_CAST(name AS DECIMAL(18,4))");
    velo_expr_free(c);

    velo_expr *k = node(VELO_EXPR_CASE, VELO_TYPE_VARCHAR, 3, cmp(VELO_CMP_GT, col(0, 0), i64(1)), str("big"),
                        str("small"));
    k->has_else = true;
    expect_expr(k, s, "CASE WHEN a > 1 THEN 'big' ELSE 'small' END");
    velo_expr_free(k);

    velo_expr *in = node(VELO_EXPR_IN_LIST, VELO_TYPE_BOOLEAN, 3, col(2, 0), str("x"), str("y"));
    in->negated = true;
    expect_expr(in, s, "name NOT IN ('x', 'y')");
    velo_expr_free(in);

    velo_expr *like = node(VELO_EXPR_LIKE, VELO_TYPE_BOOLEAN, 3, col(2, 0), str("a!%%"), str("!"));
    like->ilike = true;
    expect_expr(like, s, "name ILIKE 'a!%%' ESCAPE '!'");
    velo_expr_free(like);

    velo_expr *f = node(VELO_EXPR_FUNC, VELO_TYPE_VARCHAR, 2, col(2, 0), i64(3));
    f->fn_name = "SUBSTRING";
    expect_expr(f, s, "SUBSTRING(name, 3)");
    velo_expr_free(f);

    velo_expr *q = col(3, 0);
    expect_expr(q, s, "\"select\"");
    velo_expr_free(q);

    velo_expr *fld = node(VELO_EXPR_FIELD, VELO_TYPE_ANY, 1, col(5, 0));
    fld->fn_name = "price";
    velo_expr *sub = node(VELO_EXPR_SUBSCRIPT, VELO_TYPE_ANY, 2, fld, str("k"));
    expect_expr(sub, s, "m.price['k']");
    velo_expr_free(sub);

    velo_expr *dist = node(VELO_EXPR_IS_DISTINCT, VELO_TYPE_BOOLEAN, 2, col(0, 0), col(1, 0));
    dist->negated = true;
    expect_expr(dist, s, "a IS NOT DISTINCT FROM b");
    velo_expr_free(dist);

    velo_expr *ex = velo_expr_new(VELO_EXPR_SUBQUERY, T(VELO_TYPE_BOOLEAN), 1);
    ex->subquery_kind = VELO_SUBQUERY_IN;
    ex->args[0] = col(0, 0);
    expect_expr(ex, s, "a IN (subquery)");
    ex->subquery_kind = VELO_SUBQUERY_EXISTS;
    ex->negated = true;
    expect_expr(ex, s, "NOT EXISTS (subquery)");
    velo_expr_free(ex);

    velo_expr *out_of_range = col(42, 0);
    expect_expr(out_of_range, s, "#42");
    out_of_range->outer_depth = 1;
    expect_expr(out_of_range, s, "outer.#42");
    velo_expr_free(out_of_range);
    velo_schema_free(s);
}

Test(expr_print, durations_use_the_largest_exact_unit) {
    const struct {
        int64_t us;
        const char *want;
    } cases[] = {{60000000, "1m"},    {90000000, "90s"},           {INT64_C(3600000000), "1h"},
                 {86400000000, "1d"}, {250000, "250ms"},           {7, "7us"},
                 {0, "0s"},           {INT64_C(5400000000), "90m"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        velo_strbuf sb;
        velo_strbuf_init(&sb);
        velo_duration_print(cases[i].us, &sb);
        cr_expect_str_eq(sb.data, cases[i].want);
        velo_strbuf_free(&sb);
    }
}
