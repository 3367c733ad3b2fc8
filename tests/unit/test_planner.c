/* Tests of the planner (sql/planner.h): plan shapes per clause, name and type rules, GROUP BY,
 * windows and frames, joins, subqueries, UNION, sources and sinks, warnings; and every seed-readme
 * query and compat parse_ok case binds. Each test parses a script and plans its statements offline. */
#include <criterion/criterion.h>

#include "corpus.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "engine/pushdown.h"
#include "sql/parser.h"
#include "sql/planner.h"
#include <mimalloc.h>

typedef struct run {
    velo_diags d;
    velo_sql_script *s;
    velo_planner *p;
    velo_query_plan *qp; /* plan of the last row-producing statement */
} run;

static run plan_opts(const char *sql, const velo_planner_options *o) {
    run r = {0};
    velo_diags_init(&r.d);
    r.s = velo_sql_parse("q.sql", sql, strlen(sql), &r.d);
    cr_assert_not_null(r.s);
    cr_assert_eq(r.d.nerrors, 0, "parse error: %s", r.d.count ? r.d.items[0].message : "");
    velo_planner_options none = {0};
    r.p = velo_planner_new(o ? o : &none);
    for (uint32_t i = 0; i < r.s->nstmts; i++) {
        velo_query_plan *qp = NULL;
        velo_planner_plan(r.p, r.s->stmts[i], &qp, &r.d);
        if (qp) {
            velo_query_plan_free(r.qp);
            r.qp = qp;
        }
    }
    return r;
}

/* Adds a bind for the name of the first "unknown source 'NAME'" error; false if there is none. */
static bool bind_first_unknown(const velo_diags *d, velo_kv *binds, const char *scheme, const char *query) {
    static const char lead[] = "unknown source '";
    for (uint32_t i = 0; i < d->count; i++) {
        const char *m = d->items[i].message;
        if (d->items[i].severity != VELO_SEV_ERROR || strncmp(m, lead, sizeof lead - 1)) continue;
        char name[256], uri[512];
        const char *b = m + sizeof lead - 1, *e = strchr(b, '\'');
        if (!e || (size_t)(e - b) >= sizeof name) return false;
        memcpy(name, b, (size_t)(e - b));
        name[e - b] = 0;
        if (velo_kv_get(binds, name)) return false;
        snprintf(uri, sizeof uri, "%s%s%s", scheme, name, query);
        velo_kv_set(binds, name, uri);
        return true;
    }
    return false;
}

/* Offline planning of a snippet that reads bare names it does not declare (FROM orders): each such
 * name is bound to a schemaless unbounded source of that name, as `--bind orders=URI` would. */
static velo_kv test_binds;
static run plan(const char *sql) {
    velo_kv_free(&test_binds);
    velo_kv_init(&test_binds);
    velo_planner_options o = {.binds = &test_binds};
    for (;;) {
        run r = plan_opts(sql, &o);
        if (!bind_first_unknown(&r.d, &test_binds, "file://", ".jsonl?watch=true")) return r;
        velo_query_plan_free(r.qp);
        velo_planner_free(r.p);
        velo_sql_script_free(r.s);
        velo_diags_free(&r.d);
    }
}

static void done(run *r) {
    velo_query_plan_free(r->qp);
    velo_planner_free(r->p);
    velo_sql_script_free(r->s);
    velo_diags_free(&r->d);
}

static const velo_diag *first_error(const run *r) {
    for (uint32_t i = 0; i < r->d.count; i++)
        if (r->d.items[i].severity == VELO_SEV_ERROR) return &r->d.items[i];
    return NULL;
}

__attribute__((unused)) static bool has_warning(const run *r, const char *code) {
    for (uint32_t i = 0; i < r->d.count; i++)
        if (r->d.items[i].severity == VELO_SEV_WARNING && !strcmp(r->d.items[i].code, code)) return true;
    return false;
}

/* plans without errors; returns the root */
static const velo_plan *ok(run *r) {
    const velo_diag *e = first_error(r);
    cr_assert_null(e, "unexpected error %s: %s", e ? e->code : "", e ? e->message : "");
    cr_assert_not_null(r->qp);
    return r->qp->root;
}

/* the first error has this code and its message contains `msg` */
static void expect_error(const char *sql, const char *code, const char *msg) {
    run r = plan(sql);
    const velo_diag *e = first_error(&r);
    cr_assert_not_null(e, "expected %s for: %s", code, sql);
    cr_assert_str_eq(e->code, code, "got %s: %s", e->code, e->message);
    if (msg) cr_assert(strstr(e->message, msg), "message '%s' lacks '%s'", e->message, msg);
    done(&r);
}

/* node kinds from the root down (following input) */
static void expect_shape(const velo_plan *p, const velo_plan_kind *kinds, size_t n) {
    for (size_t i = 0; i < n; i++) {
        cr_assert_not_null(p, "plan shorter than expected at %zu", i);
        cr_assert_eq(p->kind, kinds[i], "node %zu: kind %d, expected %d", i, p->kind, kinds[i]);
        p = p->input;
    }
}
#define SHAPE(p, ...)                                                                                        \
    do {                                                                                                     \
        const velo_plan_kind k_[] = {__VA_ARGS__};                                                           \
        expect_shape(p, k_, sizeof k_ / sizeof *k_);                                                         \
    } while (0)

static void expect_col(const velo_schema *s, uint32_t i, const char *name, velo_type_id t) {
    cr_assert_lt(i, s->ncols);
    cr_assert_str_eq(s->fields[i].name, name);
    cr_assert_eq(s->fields[i].type.id, t, "column %s: type %d, expected %d", name, s->fields[i].type.id, t);
}

static const velo_plan *find(const velo_plan *p, velo_plan_kind k) {
    while (p && p->kind != k)
        p = p->input;
    return p;
}

#define DECL                                                                                                 \
    "CREATE STREAM trades (symbol VARCHAR, price DECIMAL(18,4), qty BIGINT, ts TIMESTAMP) WITH "             \
    "('uri'='file://t.csv?watch=true');\n"
#define DECL_FILE "CREATE STREAM bounded (a BIGINT, b VARCHAR) WITH ('uri'='file://b.csv');\n"
#define DECL_TABLE                                                                                           \
    "CREATE TABLE positions (symbol VARCHAR, size BIGINT, PRIMARY KEY (symbol)) WITH "                       \
    "('uri'='file://p.csv?watch=true');\n"

/* ---- plan shapes ---- */

Test(shape, select_star_is_project_over_scan) {
    run r = plan(DECL "SELECT * FROM trades");
    const velo_plan *p = ok(&r);
    SHAPE(p, VELO_PLAN_PROJECT, VELO_PLAN_SCAN);
    cr_assert_eq(p->schema->ncols, 4);
    expect_col(p->schema, 1, "price", VELO_TYPE_DECIMAL);
    done(&r);
}

Test(shape, where_adds_filter) {
    run r = plan(DECL "SELECT symbol FROM trades WHERE price > 10");
    SHAPE(ok(&r), VELO_PLAN_PROJECT, VELO_PLAN_FILTER, VELO_PLAN_SCAN);
    done(&r);
}

Test(shape, group_by_adds_aggregate) {
    run r = plan(DECL "SELECT symbol, SUM(qty) AS total FROM trades GROUP BY symbol");
    const velo_plan *p = ok(&r);
    SHAPE(p, VELO_PLAN_PROJECT, VELO_PLAN_AGGREGATE, VELO_PLAN_SCAN);
    expect_col(p->schema, 0, "symbol", VELO_TYPE_VARCHAR);
    expect_col(p->schema, 1, "total", VELO_TYPE_BIGINT);
    cr_assert_eq(p->input->nkeys, 1);
    cr_assert_eq(p->input->naggs, 1);
    done(&r);
}

Test(shape, having_is_filter_above_aggregate) {
    run r = plan(DECL "SELECT symbol, COUNT(*) FROM trades GROUP BY symbol HAVING COUNT(*) > 5");
    SHAPE(ok(&r), VELO_PLAN_PROJECT, VELO_PLAN_FILTER, VELO_PLAN_AGGREGATE, VELO_PLAN_SCAN);
    done(&r);
}

Test(shape, distinct_sort_limit_on_top) {
    run r = plan(DECL "SELECT DISTINCT symbol FROM trades ORDER BY symbol LIMIT 5");
    const velo_plan *p = ok(&r);
    SHAPE(p, VELO_PLAN_LIMIT, VELO_PLAN_SORT, VELO_PLAN_DISTINCT, VELO_PLAN_PROJECT, VELO_PLAN_SCAN);
    cr_assert_eq(p->limit, 5);
    done(&r);
}

Test(shape, window_function_adds_analytic) {
    run r =
        plan(DECL "SELECT symbol, LAG(price, 1) OVER (PARTITION BY symbol ORDER BY ts) AS prev FROM trades");
    SHAPE(ok(&r), VELO_PLAN_PROJECT, VELO_PLAN_ANALYTIC, VELO_PLAN_SCAN);
    done(&r);
}

Test(shape, aggregate_used_over_a_partition_is_analytic) {
    run r = plan(DECL "SELECT symbol, AVG(price) OVER (PARTITION BY symbol) AS a FROM trades");
    const velo_plan *p = ok(&r);
    SHAPE(p, VELO_PLAN_PROJECT, VELO_PLAN_ANALYTIC, VELO_PLAN_SCAN);
    cr_assert_eq(p->input->ncalls, 1);
    cr_assert_eq(p->input->calls[0].npartition, 1);
    cr_assert_eq(p->input->schema->ncols, 5);
    done(&r);
}

Test(shape, analytic_column_reference_points_past_input) {
    run r = plan(DECL "SELECT SUM(qty) OVER (PARTITION BY symbol) AS s FROM trades");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->exprs[0]->kind, VELO_EXPR_COLUMN);
    cr_assert_eq(p->exprs[0]->column, 4);
    cr_assert_eq(p->exprs[0]->type.id, VELO_TYPE_BIGINT);
    done(&r);
}

Test(shape, select_without_from_plans) {
    run r = plan("SELECT 1 + 2 AS three");
    const velo_plan *p = ok(&r);
    expect_col(p->schema, 0, "three", VELO_TYPE_BIGINT);
    done(&r);
}

Test(shape, limit_alone) {
    run r = plan(DECL "SELECT * FROM trades LIMIT 3");
    SHAPE(ok(&r), VELO_PLAN_LIMIT, VELO_PLAN_PROJECT, VELO_PLAN_SCAN);
    done(&r);
}

Test(shape, order_by_ordinal_and_desc) {
    run r = plan(DECL "SELECT symbol, price FROM trades ORDER BY 2 DESC");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->kind, VELO_PLAN_SORT);
    cr_assert_eq(p->sort[0].expr->column, 1);
    cr_assert(p->sort[0].desc);
    done(&r);
}

Test(shape, order_by_unselected_column_is_a_hidden_projection) {
    run r = plan(DECL "SELECT symbol FROM trades ORDER BY qty");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->input->kind, VELO_PLAN_PROJECT);
    cr_assert_eq(p->input->schema->ncols, 2);
    cr_assert(p->input->schema->fields[1].hidden);
    cr_assert_eq(p->sort[0].expr->column, 1);
    done(&r);
}

Test(shape, order_by_alias) {
    run r = plan(DECL "SELECT price * qty AS notional FROM trades ORDER BY notional");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->sort[0].expr->column, 0);
    cr_assert_eq(p->input->schema->ncols, 1);
    done(&r);
}

Test(shape, order_by_aggregate_of_select) {
    run r = plan(DECL "SELECT symbol, SUM(qty) FROM trades GROUP BY symbol ORDER BY SUM(qty) DESC");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->sort[0].expr->column, 1);
    done(&r);
}

Test(shape, expression_names_default_to_text) {
    run r = plan(DECL "SELECT price * qty FROM trades");
    cr_assert_str_eq(ok(&r)->schema->fields[0].name, "price * qty");
    done(&r);
}

/* ---- types ---- */

Test(types, decimal_times_bigint_is_decimal) {
    run r = plan(DECL "SELECT price * qty AS n FROM trades");
    cr_assert_eq(ok(&r)->schema->fields[0].type.id, VELO_TYPE_DECIMAL);
    done(&r);
}

Test(types, timestamp_minus_interval_is_timestamp) {
    run r = plan(DECL "SELECT ts - INTERVAL '1' HOUR AS t FROM trades");
    cr_assert_eq(ok(&r)->schema->fields[0].type.id, VELO_TYPE_TIMESTAMP);
    done(&r);
}

Test(types, adding_varchar_to_number_is_an_error) {
    expect_error(DECL "SELECT symbol + 1 FROM trades", "bind.type", NULL);
}

Test(types, where_must_be_boolean) {
    expect_error(DECL "SELECT * FROM trades WHERE qty", "bind.type", "WHERE");
}

Test(types, cast_gives_its_type) {
    run r = plan(DECL "SELECT CAST(qty AS DOUBLE) AS d FROM trades");
    cr_assert_eq(ok(&r)->schema->fields[0].type.id, VELO_TYPE_DOUBLE);
    done(&r);
}

Test(types, case_branches_meet_in_common_type) {
    run r = plan(DECL "SELECT CASE WHEN qty > 1 THEN 1 ELSE 2.5 END AS c FROM trades");
    cr_assert_eq(ok(&r)->schema->fields[0].type.id, VELO_TYPE_DECIMAL);
    done(&r);
}

Test(types, extract_is_a_bigint_function) {
    run r = plan(DECL "SELECT EXTRACT(HOUR FROM ts) AS h FROM trades");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->exprs[0]->kind, VELO_EXPR_FUNC);
    cr_assert_str_eq(p->exprs[0]->fn_name, "EXTRACT");
    cr_assert_eq(p->schema->fields[0].type.id, VELO_TYPE_BIGINT);
    done(&r);
}

Test(types, extract_quoted_form) {
    run r = plan(DECL "SELECT EXTRACT('YEAR', ts) AS y FROM trades");
    cr_assert_str_eq(ok(&r)->exprs[0]->fn_name, "EXTRACT");
    done(&r);
}

Test(types, extract_of_bigint_binds_as_epoch_ms_but_decimal_does_not) {
    run r = plan(DECL "SELECT EXTRACT(YEAR FROM qty), qty + INTERVAL '1' HOUR AS later FROM trades");
    cr_assert_eq(ok(&r)->schema->fields[1].type.id, VELO_TYPE_BIGINT);
    done(&r);
    expect_error(DECL "SELECT EXTRACT(YEAR FROM price) FROM trades", "bind.type", "EXTRACT");
}

Test(names, select_alias_in_having_and_later_items) {
    run r = plan(DECL
                 "SELECT symbol, SUM(qty) AS total, CASE WHEN total > 10 THEN 'big' ELSE 'small' END AS size "
                 "FROM trades GROUP BY symbol HAVING total > 1");
    ok(&r);
    done(&r);
    /* an alias of a later item is not visible: no cycles */
    expect_error(DECL "SELECT y + 1 AS x, qty AS y FROM trades", "bind.unknown_column", "y");
    /* a source column wins over an alias of the same name */
    run r2 = plan(DECL "SELECT qty * 2 AS price, price + 1 AS p FROM trades");
    cr_assert_eq(ok(&r2)->schema->fields[1].type.id, VELO_TYPE_DECIMAL);
    done(&r2);
}

Test(names, timestamp_and_event_time_of_a_file_source_are_timestamps) {
    run r = plan(DECL "SELECT t._timestamp AS a, _event_time AS b FROM trades t");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->schema->fields[0].type.id, VELO_TYPE_TIMESTAMP);
    cr_assert_eq(p->schema->fields[1].type.id, VELO_TYPE_TIMESTAMP);
    done(&r);
}

Test(types, impossible_cast_is_an_error) {
    expect_error(DECL "SELECT CAST(ts AS BOOLEAN) FROM trades", "bind.cast",
                 "cannot cast TIMESTAMP to BOOLEAN");
    expect_error(DECL "SELECT CAST(ts AS DOUBLE) FROM trades", "bind.cast",
                 "cannot cast TIMESTAMP to DOUBLE");
    expect_error(DECL "SELECT CAST(CAST(ts AS DATE) AS BIGINT) FROM trades", "bind.cast",
                 "cannot cast DATE to BIGINT");
}

Test(types, possible_casts_bind) {
    run r = plan(DECL "SELECT CAST(qty AS BOOLEAN), CAST(qty AS TIMESTAMP), CAST(ts AS VARCHAR), "
                      "CAST(symbol AS DATE), CAST(price AS BIGINT) FROM trades");
    ok(&r);
    done(&r);
}

Test(types, like_on_a_number_is_an_error) {
    expect_error(DECL "SELECT * FROM trades WHERE qty LIKE '1%'", "bind.type",
                 "LIKE needs VARCHAR operands, found BIGINT");
    expect_error(DECL "SELECT * FROM trades WHERE symbol ILIKE qty", "bind.type",
                 "ILIKE needs VARCHAR operands, found BIGINT");
}

Test(types, like_on_varchar_null_and_dynamic_binds) {
    run r = plan(DECL "SELECT * FROM trades WHERE symbol LIKE 'A%' OR NULL LIKE 'x' OR symbol LIKE NULL");
    ok(&r);
    done(&r);
}

Test(types, unknown_unit_or_field_is_an_error) {
    expect_error(DECL "SELECT EXTRACT(FORTNIGHT FROM ts) FROM trades", "bind.unit", "'FORTNIGHT'");
    expect_error(DECL "SELECT DATEDIFF('fortnight', ts, ts) FROM trades", "bind.unit", "'fortnight'");
    expect_error(DECL "SELECT DATE_ADD('eon', 1, ts) FROM trades", "bind.unit", "'eon'");
    expect_error(DECL "SELECT DATE_TRUNC('decade', ts) FROM trades", "bind.unit", "'decade'");
}

Test(types, known_units_and_fields_bind) {
    run r = plan(DECL "SELECT EXTRACT(YEAR FROM ts), DATEDIFF('hours', ts, ts), DATE_TRUNC('day', ts) "
                      "FROM trades");
    ok(&r);
    done(&r);
}

Test(types, now_is_a_timestamp) {
    run r = plan(DECL "SELECT NOW() - ts AS age FROM trades");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->schema->fields[0].type.id, VELO_TYPE_INTERVAL);
    done(&r);
}

Test(types, field_access_on_varchar_is_an_error) {
    expect_error(DECL "SELECT symbol.x FROM trades", "bind.type", "field 'x'");
}

Test(types, subscript_on_bigint_is_an_error) {
    expect_error(DECL "SELECT qty[1] FROM trades", "bind.type", NULL);
}

/* ---- names ---- */

Test(names, unknown_column_suggests_closest) {
    expect_error(DECL "SELECT pricee FROM trades", "bind.unknown_column",
                 "unknown column 'pricee'; did you mean 'price'?");
}

Test(names, unknown_column_without_close_name) {
    expect_error(DECL "SELECT zzzzzz FROM trades", "bind.unknown_column", "unknown column 'zzzzzz'");
}

Test(names, error_has_position) {
    run r = plan(DECL "SELECT\n  pricee FROM trades");
    const velo_diag *e = first_error(&r);
    cr_assert_eq(e->line, 3);
    cr_assert_eq(e->col, 3);
    done(&r);
}

Test(names, qualified_by_alias) {
    run r = plan(DECL "SELECT t.price FROM trades t");
    ok(&r);
    done(&r);
}

Test(names, qualified_by_source_name) {
    run r = plan(DECL "SELECT trades.price FROM trades");
    ok(&r);
    done(&r);
}

Test(names, unknown_qualifier) {
    expect_error(DECL "SELECT x.price FROM trades t", "bind.unknown_source", "unknown table or alias 'x'");
}

Test(names, unknown_function_suggests_closest) {
    expect_error(DECL "SELECT UPPR(symbol) FROM trades", "bind.unknown_function", "did you mean 'UPPER'?");
}

Test(names, wrong_arity_comes_from_catalog) {
    expect_error(DECL "SELECT UPPER(symbol, symbol) FROM trades", "bind.arity", "UPPER");
}

Test(names, duplicate_output_names) {
    expect_error(DECL "SELECT symbol, symbol FROM trades", "bind.duplicate_name", "symbol");
}

Test(names, star_skips_hidden_kafka_metadata) {
    run r = plan("SELECT * FROM 'kafka://localhost:9092/orders'");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->schema->ncols, 0);
    const velo_plan *s = find(p, VELO_PLAN_SCAN);
    cr_assert(s->source.open);
    cr_assert_eq(s->schema->ncols, 6);
    cr_assert(s->schema->fields[0].hidden);
    done(&r);
}

Test(names, kafka_metadata_columns_have_types) {
    run r = plan("SELECT _key, _topic, _partition, _offset, _timestamp, _headers FROM 'kafka://h:9092/t'");
    const velo_plan *p = ok(&r);
    expect_col(p->schema, 0, "_key", VELO_TYPE_VARCHAR);
    expect_col(p->schema, 2, "_partition", VELO_TYPE_BIGINT);
    expect_col(p->schema, 3, "_offset", VELO_TYPE_BIGINT);
    expect_col(p->schema, 4, "_timestamp", VELO_TYPE_TIMESTAMP);
    expect_col(p->schema, 5, "_headers", VELO_TYPE_MAP);
    done(&r);
}

Test(names, declared_source_has_no_metadata_unless_kafka) {
    run r = plan(DECL "SELECT _key FROM trades");
    cr_assert_not_null(first_error(&r));
    done(&r);
}

Test(names, event_time_system_column) {
    run r = plan(DECL "SELECT _event_time FROM trades");
    cr_assert_eq(ok(&r)->schema->fields[0].type.id, VELO_TYPE_TIMESTAMP);
    done(&r);
}

/* ---- schemaless sources ---- */

Test(open, columns_bind_as_any_and_grow_the_scan) {
    run r = plan("SELECT a, b FROM 'file://x.json'");
    const velo_plan *p = ok(&r);
    expect_col(p->schema, 0, "a", VELO_TYPE_ANY);
    const velo_plan *s = find(p, VELO_PLAN_SCAN);
    cr_assert_eq(s->schema->ncols, 2);
    expect_col(s->schema, 1, "b", VELO_TYPE_ANY);
    done(&r);
}

Test(open, repeated_name_is_one_column) {
    run r = plan("SELECT a, a + 1 AS b FROM 'file://x.json' WHERE a > 1");
    cr_assert_eq(find(ok(&r), VELO_PLAN_SCAN)->schema->ncols, 1);
    done(&r);
}

Test(open, nested_access_is_field) {
    run r = plan("SELECT user.address.city AS c FROM 'file://x.json'");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->exprs[0]->kind, VELO_EXPR_FIELD);
    cr_assert_str_eq(p->exprs[0]->fn_name, "city");
    cr_assert_eq(p->exprs[0]->args[0]->kind, VELO_EXPR_FIELD);
    done(&r);
}

Test(open, subscripts) {
    run r = plan("SELECT m['k'] AS v, arr[1] AS w FROM 'file://x.json'");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->exprs[0]->kind, VELO_EXPR_SUBSCRIPT);
    cr_assert_eq(p->exprs[1]->type.id, VELO_TYPE_ANY);
    done(&r);
}

/* the first error of planning `sql` offline without any bind */
static void expect_error_unbound(const char *sql, const char *code, const char *msg) {
    run r = plan_opts(sql, NULL);
    const velo_diag *e = first_error(&r);
    cr_assert_not_null(e, "expected %s for: %s", code, sql);
    cr_assert_str_eq(e->code, code, "got %s: %s", e->code, e->message);
    if (msg) cr_assert(strstr(e->message, msg), "message '%s' lacks '%s'", e->message, msg);
    done(&r);
}

Test(open, undeclared_name_is_an_error_offline) {
    expect_error_unbound(
        "SELECT amount FROM orders", "bind.unknown_source",
        "unknown source 'orders'; declare it with CREATE STREAM orders (...) WITH ('uri'=...) "
        "or pass --bind orders=URI");
}

Test(open, misspelt_source_gets_a_hint) {
    expect_error_unbound(
        DECL "SELECT symbol FROM tardes", "bind.unknown_source",
        "unknown source 'tardes'; did you mean 'trades'? declare it with CREATE STREAM tardes");
}

Test(open, bound_created_and_cte_names_are_known) {
    velo_kv binds;
    velo_kv_init(&binds);
    velo_kv_set(&binds, "orders", "kafka://h:9092/orders");
    velo_planner_options o = {.binds = &binds};
    run r = plan_opts("CREATE STREAM big AS SELECT amount FROM orders;\n"
                      "WITH c AS (SELECT amount FROM big) SELECT amount FROM c",
                      &o);
    ok(&r);
    done(&r);
    velo_kv_free(&binds);
}

Test(open, dialect_settings_declare_a_source_and_a_sink) {
    run r = plan_opts("CREATE STREAM t AS SELECT * FROM src INTO out WITH ('src.type' = 'kafka_source', "
                      "'src.bootstrap.servers' = 'b:9092', 'src.topic' = 'trades', 'out.type' = 'file_sink', "
                      "'out.path' = 'out.jsonl')",
                      NULL);
    ok(&r);
    cr_assert_str_eq(find(r.qp->root, VELO_PLAN_SCAN)->source.uri, "kafka://b:9092/trades");
    cr_assert_str_eq(r.qp->sink_uri, "file://out.jsonl");
    cr_assert_eq(r.d.nwarnings, 0, "%s", r.d.count ? r.d.items[0].message : "");
    done(&r);
}

Test(open, misspelt_metadata_column_is_an_error) {
    expect_error("SELECT _offest FROM 'file://x.json'", "bind.unknown_column",
                 "unknown metadata column '_offest'; did you mean '_offset'?");
    expect_error("SELECT _evnt_time FROM 'file://x.json'", "bind.unknown_column", "'_event_time'");
}

Test(open, other_underscore_columns_bind) {
    run r = plan("SELECT _offset, _event_time, _my_own_field FROM 'file://x.json'");
    ok(&r);
    done(&r);
}

static velo_status fixed_resolver(void *ud, const velo_uri *uri, const velo_kv *options,
                                  const velo_schema *declared, velo_source_info *out, velo_error *err) {
    out->schema = velo_schema_new(2);
    velo_schema_set(out->schema, 0, "id", velo_type_make(VELO_TYPE_BIGINT));
    velo_schema_set(out->schema, 1, "name", velo_type_make(VELO_TYPE_VARCHAR));
    out->bounded = true;
    (*(int *)ud)++;
    return VELO_OK;
}

Test(open, resolver_supplies_the_schema) {
    int calls = 0;
    velo_planner_options o = {.resolve = fixed_resolver, .resolve_ud = &calls};
    run r = plan_opts("SELECT id, name FROM 'file://in.csv'", &o);
    const velo_plan *p = ok(&r);
    expect_col(p->schema, 0, "id", VELO_TYPE_BIGINT);
    cr_assert_eq(calls, 1);
    cr_assert(find(p, VELO_PLAN_SCAN)->source.bounded);
    done(&r);
}

Test(open, resolver_schema_is_closed) {
    int calls = 0;
    velo_planner_options o = {.resolve = fixed_resolver, .resolve_ud = &calls};
    run r = plan_opts("SELECT nme FROM 'file://in.csv'", &o);
    cr_assert_str_eq(first_error(&r)->message, "unknown column 'nme'; did you mean 'name'?");
    done(&r);
}

Test(open, undeclared_name_is_an_error_when_resolving) {
    int calls = 0;
    velo_planner_options o = {.resolve = fixed_resolver, .resolve_ud = &calls};
    run r = plan_opts("SELECT * FROM orders", &o);
    cr_assert_str_eq(first_error(&r)->code, "bind.unknown_source");
    done(&r);
}

/* ---- GROUP BY ---- */

Test(group_by, non_key_column_is_an_error) {
    expect_error(DECL "SELECT symbol, qty, COUNT(*) FROM trades GROUP BY symbol", "bind.group_by",
                 "column 'qty' must appear in GROUP BY or be used in an aggregate");
}

Test(group_by, qualified_key_matches_unqualified_use) {
    run r = plan(DECL "SELECT t.symbol, COUNT(*) FROM trades t GROUP BY symbol");
    ok(&r);
    done(&r);
}

Test(group_by, expression_key_matches_same_expression) {
    run r = plan(DECL "SELECT UPPER(symbol) AS s, COUNT(*) AS n FROM trades GROUP BY UPPER(symbol)");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->exprs[0]->kind, VELO_EXPR_COLUMN);
    cr_assert_eq(p->exprs[0]->column, 0);
    done(&r);
}

Test(group_by, select_alias_as_key) {
    run r = plan(DECL "SELECT UPPER(symbol) AS s, COUNT(*) AS n FROM trades GROUP BY s");
    cr_assert_str_eq(find(ok(&r), VELO_PLAN_AGGREGATE)->schema->fields[0].name, "s");
    done(&r);
}

Test(group_by, ordinal_key) {
    run r = plan(DECL "SELECT symbol, COUNT(*) AS n FROM trades GROUP BY 1");
    cr_assert_eq(find(ok(&r), VELO_PLAN_AGGREGATE)->nkeys, 1);
    done(&r);
}

Test(group_by, ordinal_out_of_range) {
    expect_error(DECL "SELECT symbol, COUNT(*) FROM trades GROUP BY 3", "bind.group_by", "GROUP BY 3");
}

Test(group_by, aggregate_in_where_is_an_error) {
    expect_error(DECL "SELECT symbol FROM trades WHERE SUM(qty) > 1", "bind.aggregate_in_where", "WHERE");
}

Test(group_by, nested_aggregates_are_an_error) {
    expect_error(DECL "SELECT SUM(COUNT(qty)) FROM trades", "bind.aggregate", "nested");
}

Test(group_by, aggregate_in_group_by_is_an_error) {
    expect_error(DECL "SELECT COUNT(*) FROM trades GROUP BY SUM(qty)", "bind.aggregate", "GROUP BY");
}

Test(group_by, identical_calls_are_one_aggregate) {
    run r = plan(
        DECL
        "SELECT symbol, SUM(qty) AS a, SUM(qty) * 2 AS b FROM trades GROUP BY symbol HAVING SUM(qty) > 0");
    cr_assert_eq(find(ok(&r), VELO_PLAN_AGGREGATE)->naggs, 1);
    done(&r);
}

Test(group_by, count_star_and_distinct) {
    run r = plan(DECL "SELECT COUNT(*) AS a, COUNT(DISTINCT symbol) AS b FROM trades");
    const velo_plan *a = find(ok(&r), VELO_PLAN_AGGREGATE);
    cr_assert_eq(a->naggs, 2);
    cr_assert(a->aggs[0].star);
    cr_assert(a->aggs[1].distinct);
    cr_assert_eq(a->aggs[0].type.id, VELO_TYPE_BIGINT);
    done(&r);
}

Test(group_by, aggregate_filter_clause) {
    run r = plan(DECL "SELECT COUNT(*) FILTER (WHERE qty > 10) AS big FROM trades");
    cr_assert_not_null(find(ok(&r), VELO_PLAN_AGGREGATE)->aggs[0].filter);
    done(&r);
}

Test(group_by, aggregate_filter_must_be_boolean) {
    expect_error(DECL "SELECT COUNT(*) FILTER (WHERE qty) FROM trades", "bind.type", "FILTER");
}

Test(group_by, aggregate_text_is_printed_call) {
    run r = plan(DECL "SELECT SUM(price * qty) FROM trades");
    const velo_plan *a = find(ok(&r), VELO_PLAN_AGGREGATE);
    cr_assert_str_eq(a->aggs[0].text, "SUM(price * qty)");
    done(&r);
}

Test(group_by, having_on_non_key_is_an_error) {
    expect_error(DECL "SELECT symbol FROM trades GROUP BY symbol HAVING qty > 1", "bind.group_by", "qty");
}

Test(group_by, star_with_group_by_is_an_error) {
    expect_error(DECL "SELECT * FROM trades GROUP BY symbol", "bind.group_by", NULL);
}

Test(group_by, aggregate_without_group_by_is_global) {
    run r = plan(DECL "SELECT COUNT(*) AS n FROM trades");
    const velo_plan *a = find(ok(&r), VELO_PLAN_AGGREGATE);
    cr_assert_eq(a->nkeys, 0);
    done(&r);
}

Test(group_by, key_reference_has_key_type) {
    run r = plan(DECL "SELECT qty + 1 AS q, COUNT(*) AS n FROM trades GROUP BY qty");
    cr_assert_eq(ok(&r)->schema->fields[0].type.id, VELO_TYPE_BIGINT);
    done(&r);
}

/* ---- WINDOW ---- */

Test(window, tumbling_size_in_micros) {
    run r = plan(DECL "SELECT symbol, COUNT(*) FROM trades GROUP BY symbol WINDOW TUMBLING(5m)");
    const velo_plan *a = find(ok(&r), VELO_PLAN_AGGREGATE);
    cr_assert(a->windowed);
    cr_assert_eq(a->window.kind, VELO_WINDOW_TUMBLING);
    cr_assert_eq(a->window.size_us, 300000000LL);
    cr_assert_eq(a->window.advance_us, 300000000LL);
    cr_assert_eq(a->window.time_column, -1);
    done(&r);
}

Test(window, tumbling_with_time_column) {
    run r = plan(DECL "SELECT COUNT(*) FROM trades WINDOW TUMBLING(ts, INTERVAL '1' HOUR)");
    const velo_plan *a = find(ok(&r), VELO_PLAN_AGGREGATE);
    cr_assert_eq(a->window.time_column, 3);
    cr_assert_eq(a->window.size_us, 3600000000LL);
    done(&r);
}

Test(window, sliding_size_and_advance) {
    run r = plan(DECL "SELECT COUNT(*) FROM trades WINDOW SLIDING(10m, 5m)");
    const velo_plan *a = find(ok(&r), VELO_PLAN_AGGREGATE);
    cr_assert_eq(a->window.kind, VELO_WINDOW_SLIDING);
    cr_assert_eq(a->window.advance_us, 300000000LL);
    done(&r);
}

Test(window, sliding_advance_larger_than_size_is_an_error) {
    expect_error(DECL "SELECT COUNT(*) FROM trades WINDOW SLIDING(5m, 10m)", "bind.window", "advance");
}

Test(window, session_gap) {
    run r = plan(DECL "SELECT COUNT(*) FROM trades GROUP BY symbol WINDOW SESSION(30s)");
    const velo_plan *a = find(ok(&r), VELO_PLAN_AGGREGATE);
    cr_assert_eq(a->window.kind, VELO_WINDOW_SESSION);
    cr_assert_eq(a->window.size_us, 30000000LL);
    done(&r);
}

Test(window, zero_size_is_an_error) {
    expect_error(DECL "SELECT COUNT(*) FROM trades WINDOW TUMBLING(0s)", "bind.window", NULL);
}

Test(window, month_size_is_an_error) {
    expect_error(DECL "SELECT COUNT(*) FROM trades WINDOW TUMBLING(INTERVAL '1' MONTH)", "bind.window", NULL);
}

Test(window, window_bounds_are_output_columns) {
    run r = plan(
        DECL
        "SELECT symbol, window_start, window_end, COUNT(*) AS n FROM trades GROUP BY symbol, window_start "
        "WINDOW TUMBLING(1h)");
    const velo_plan *p = ok(&r);
    expect_col(p->schema, 1, "window_start", VELO_TYPE_TIMESTAMP);
    expect_col(p->schema, 2, "window_end", VELO_TYPE_TIMESTAMP);
    const velo_plan *a = find(p, VELO_PLAN_AGGREGATE);
    cr_assert_eq(a->nkeys, 1);
    expect_col(a->schema, 1, "window_start", VELO_TYPE_TIMESTAMP);
    cr_assert_eq(p->exprs[2]->column, 2);
    done(&r);
}

Test(window, underscore_window_columns) {
    run r = plan(DECL "SELECT _window_start AS ws, COUNT(*) AS n FROM trades WINDOW TUMBLING(1h)");
    cr_assert_eq(ok(&r)->exprs[0]->column, 0);
    done(&r);
}

Test(window, window_start_without_window_is_an_error) {
    expect_error(DECL "SELECT window_start, COUNT(*) FROM trades GROUP BY window_start", "bind.window", NULL);
}

Test(window, time_column_must_be_a_timestamp) {
    expect_error(DECL "SELECT COUNT(*) FROM trades WINDOW TUMBLING(symbol, 1m)", "bind.window", "TIMESTAMP");
}

Test(window, aggregate_columns_follow_window_bounds) {
    run r = plan(DECL "SELECT COUNT(*) AS n FROM trades GROUP BY symbol WINDOW TUMBLING(1m)");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->exprs[0]->column, 3);
    done(&r);
}

/* ---- OVER frames ---- */

Test(frame, rows_between_offsets) {
    run r = plan(
        DECL "SELECT SUM(qty) OVER (ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS s FROM trades");
    const velo_analytic_call *c = &find(ok(&r), VELO_PLAN_ANALYTIC)->calls[0];
    cr_assert(c->frame.present);
    cr_assert(!c->frame.range);
    cr_assert_eq(c->frame.start_kind, VELO_BOUND_PRECEDING);
    cr_assert_eq(c->frame.start_offset, 3);
    cr_assert_eq(c->frame.end_kind, VELO_BOUND_CURRENT_ROW);
    done(&r);
}

Test(frame, range_interval_in_micros) {
    run r =
        plan(DECL "SELECT AVG(price) OVER (PARTITION BY symbol ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR "
                  "PRECEDING AND CURRENT ROW) AS a FROM trades");
    const velo_analytic_call *c = &find(ok(&r), VELO_PLAN_ANALYTIC)->calls[0];
    cr_assert(c->frame.range);
    cr_assert_eq(c->frame.start_offset, 3600000000LL);
    done(&r);
}

Test(frame, range_interval_needs_timestamp_order_key) {
    expect_error(DECL
                 "SELECT AVG(price) OVER (ORDER BY qty RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT "
                 "ROW) FROM trades",
                 "bind.window", "TIMESTAMP");
}

Test(frame, range_interval_needs_exactly_one_order_key) {
    expect_error(DECL
                 "SELECT AVG(price) OVER (ORDER BY ts, qty RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND "
                 "CURRENT ROW) FROM trades",
                 "bind.window", "exactly one");
}

Test(frame, no_frame_is_not_present) {
    run r = plan(DECL "SELECT SUM(qty) OVER (PARTITION BY symbol) AS s FROM trades");
    cr_assert(!find(ok(&r), VELO_PLAN_ANALYTIC)->calls[0].frame.present);
    done(&r);
}

Test(frame, start_after_end_is_an_error) {
    static const char *const frames[] = {"ROWS BETWEEN CURRENT ROW AND 1 PRECEDING",
                                         "ROWS BETWEEN 1 FOLLOWING AND 1 PRECEDING",
                                         "ROWS BETWEEN 3 PRECEDING AND 5 PRECEDING",
                                         "ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW",
                                         "ROWS BETWEEN CURRENT ROW AND UNBOUNDED PRECEDING",
                                         "RANGE BETWEEN INTERVAL '1' MINUTE FOLLOWING AND CURRENT ROW"};
    for (size_t i = 0; i < sizeof frames / sizeof *frames; i++) {
        char sql[512];
        snprintf(sql, sizeof sql, DECL "SELECT SUM(price) OVER (ORDER BY ts %s) FROM trades", frames[i]);
        expect_error(sql, "bind.window", "window frame starts after it ends");
    }
}

Test(frame, ordered_frames_bind) {
    run r =
        plan(DECL "SELECT SUM(price) OVER (ORDER BY ts ROWS BETWEEN 5 PRECEDING AND 3 PRECEDING), "
                  "SUM(price) OVER (ORDER BY ts ROWS BETWEEN CURRENT ROW AND CURRENT ROW), "
                  "SUM(price) OVER (ORDER BY ts ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), "
                  "SUM(price) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) "
                  "FROM trades");
    ok(&r);
    done(&r);
}

Test(frame, last_value_without_over_is_an_aggregate) {
    run r = plan(DECL "CREATE TABLE latest AS SELECT symbol PRIMARY KEY, LAST_VALUE(price) AS price, "
                      "FIRST_VALUE(qty) AS q FROM trades GROUP BY symbol");
    const velo_plan *a = find(ok(&r), VELO_PLAN_AGGREGATE);
    cr_assert_eq(a->naggs, 2);
    cr_assert_str_eq(a->aggs[0].fn->name, "LAST_VALUE");
    done(&r);
}

Test(frame, window_function_in_where_is_an_error) {
    expect_error(DECL "SELECT symbol FROM trades WHERE SUM(qty) OVER (PARTITION BY symbol) > 1",
                 "bind.window", "WHERE");
}

Test(frame, scalar_function_with_over_is_an_error) {
    expect_error(DECL "SELECT UPPER(symbol) OVER (PARTITION BY symbol) FROM trades", "bind.window", "UPPER");
}

Test(frame, identical_window_calls_are_one) {
    run r = plan(
        DECL "SELECT SUM(qty) OVER (PARTITION BY symbol) AS a, SUM(qty) OVER (PARTITION BY symbol) + 1 AS b "
             "FROM trades");
    cr_assert_eq(find(ok(&r), VELO_PLAN_ANALYTIC)->ncalls, 1);
    done(&r);
}

Test(frame, window_over_grouped_rows) {
    run r = plan(
        DECL
        "SELECT symbol, SUM(qty) AS s, SUM(SUM(qty)) OVER (ORDER BY symbol) AS running FROM trades GROUP "
        "BY symbol");
    SHAPE(ok(&r), VELO_PLAN_PROJECT, VELO_PLAN_ANALYTIC, VELO_PLAN_AGGREGATE, VELO_PLAN_SCAN);
    done(&r);
}

/* ---- joins ---- */

Test(join, inner_join_keys_extracted) {
    run r =
        plan(DECL DECL_TABLE "SELECT t.symbol, p.size FROM trades t JOIN positions p ON t.symbol = p.symbol");
    const velo_plan *j = find(ok(&r), VELO_PLAN_JOIN);
    cr_assert_eq(j->join_kind, VELO_JOIN_INNER);
    cr_assert_eq(j->njoin_keys, 1);
    cr_assert_eq(j->left_keys[0]->column, 0);
    cr_assert_eq(j->right_keys[0]->column, 0);
    cr_assert(j->right_is_table);
    cr_assert_eq(j->schema->ncols, 6);
    done(&r);
}

Test(join, keys_swapped_when_written_right_first) {
    run r = plan(DECL DECL_TABLE "SELECT t.qty FROM trades t JOIN positions p ON p.size = t.qty");
    const velo_plan *j = find(ok(&r), VELO_PLAN_JOIN);
    cr_assert_eq(j->left_keys[0]->column, 2);
    cr_assert_eq(j->right_keys[0]->column, 1);
    done(&r);
}

Test(join, two_keys_from_and) {
    run r = plan(DECL DECL_TABLE
                 "SELECT t.qty FROM trades t LEFT JOIN positions p ON t.symbol = p.symbol AND t.qty = "
                 "p.size AND t.price > 0");
    const velo_plan *j = find(ok(&r), VELO_PLAN_JOIN);
    cr_assert_eq(j->join_kind, VELO_JOIN_LEFT);
    cr_assert_eq(j->njoin_keys, 2);
    done(&r);
}

Test(join, right_columns_follow_left) {
    run r = plan(DECL DECL_TABLE "SELECT p.size FROM trades t JOIN positions p ON t.symbol = p.symbol");
    cr_assert_eq(ok(&r)->exprs[0]->column, 5);
    done(&r);
}

Test(join, ambiguous_column_lists_candidates) {
    expect_error(DECL DECL_TABLE "SELECT symbol FROM trades t JOIN positions p ON t.symbol = p.symbol",
                 "bind.ambiguous_column", "t.symbol, p.symbol");
}

Test(join, incomparable_keys_are_an_error) {
    expect_error(DECL DECL_TABLE "SELECT t.qty FROM trades t JOIN positions p ON t.symbol = p.size",
                 "bind.join", "not comparable");
}

Test(join, within_in_micros) {
    run r = plan(
        DECL "SELECT a.qty FROM trades a JOIN trades b ON a.symbol = b.symbol WITHIN INTERVAL '5' MINUTE");
    const velo_plan *j = find(ok(&r), VELO_PLAN_JOIN);
    cr_assert_eq(j->within_us, 300000000LL);
    cr_assert(!has_warning(&r, "warn.unbounded_state"));
    done(&r);
}

Test(join, stream_stream_without_within_warns) {
    run r = plan(DECL "SELECT a.qty FROM trades a JOIN trades b ON a.symbol = b.symbol");
    ok(&r);
    cr_assert(has_warning(&r, "warn.unbounded_state"));
    cr_assert_eq(find(r.qp->root, VELO_PLAN_JOIN)->within_us, -1);
    done(&r);
}

Test(join, between_on_both_event_times_is_a_time_bound) {
    run r =
        plan(DECL "SELECT a.qty FROM trades a JOIN trades b ON a.symbol = b.symbol AND b.ts BETWEEN a.ts AND "
                  "a.ts + INTERVAL '5' MINUTE");
    const velo_plan *j = find(ok(&r), VELO_PLAN_JOIN);
    cr_assert(j->time_bound);
    cr_assert_eq(j->bound_lo_us, -300000000LL, "a.ts - b.ts >= -5 min");
    cr_assert_eq(j->bound_hi_us, 0);
    cr_assert_eq(j->bound_left_time, 3, "a.ts");
    cr_assert_eq(j->bound_right_time, 3, "b.ts, over the right input");
    cr_assert(!has_warning(&r, "warn.unbounded_state"), "a time bound: no unbounded-state warning");
    done(&r);
}

Test(join, comparison_pair_either_way_round_is_a_time_bound_strict_ones_a_microsecond_in) {
    run r = plan(DECL "SELECT a.qty FROM trades a JOIN trades b ON b.ts - INTERVAL '1' MINUTE < a.ts AND "
                      "a.ts <= b.ts + INTERVAL '30' SECOND");
    const velo_plan *j = find(ok(&r), VELO_PLAN_JOIN);
    cr_assert(j->time_bound);
    cr_assert_eq(j->bound_lo_us, -60000000LL + 1);
    cr_assert_eq(j->bound_hi_us, 30000000LL);
    done(&r);
}

Test(join, where_bounds_an_inner_join_but_not_an_outer_one) {
    run r =
        plan(DECL "SELECT a.qty FROM trades a JOIN trades b ON a.symbol = b.symbol WHERE a.ts >= b.ts AND "
                  "a.ts <= b.ts + INTERVAL '1' SECOND");
    cr_assert(find(ok(&r), VELO_PLAN_JOIN)->time_bound);
    cr_assert(!has_warning(&r, "warn.unbounded_state"));
    done(&r);
    r = plan(DECL
             "SELECT a.qty FROM trades a LEFT JOIN trades b ON a.symbol = b.symbol WHERE a.ts >= b.ts AND "
             "a.ts <= b.ts + INTERVAL '1' SECOND");
    cr_assert(!find(ok(&r), VELO_PLAN_JOIN)->time_bound,
              "only a SELECT of INNER joins takes a bound from WHERE");
    done(&r);
}

Test(join, one_sided_time_predicate_is_no_bound_and_warns) {
    run r = plan(DECL "SELECT a.qty FROM trades a JOIN trades b ON a.symbol = b.symbol AND b.ts >= a.ts");
    cr_assert(!find(ok(&r), VELO_PLAN_JOIN)->time_bound);
    cr_assert(has_warning(&r, "warn.unbounded_state"));
    done(&r);
}

Test(join, stream_table_join_does_not_warn) {
    run r = plan(DECL DECL_TABLE "SELECT t.qty FROM trades t JOIN positions p ON t.symbol = p.symbol");
    ok(&r);
    cr_assert(!has_warning(&r, "warn.unbounded_state"));
    done(&r);
}

Test(join, full_and_right_kinds) {
    run r = plan(DECL DECL_TABLE "SELECT t.qty FROM trades t FULL JOIN positions p ON t.symbol = p.symbol");
    cr_assert_eq(find(ok(&r), VELO_PLAN_JOIN)->join_kind, VELO_JOIN_FULL);
    done(&r);
    r = plan(DECL DECL_TABLE "SELECT t.qty FROM trades t RIGHT JOIN positions p ON t.symbol = p.symbol");
    cr_assert_eq(find(ok(&r), VELO_PLAN_JOIN)->join_kind, VELO_JOIN_RIGHT);
    done(&r);
}

Test(join, qualified_star_expands_one_side) {
    run r = plan(DECL DECL_TABLE "SELECT p.* FROM trades t JOIN positions p ON t.symbol = p.symbol");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->schema->ncols, 2);
    cr_assert_eq(p->exprs[0]->column, 4);
    done(&r);
}

Test(join, star_qualifies_repeated_names) {
    run r = plan(DECL DECL_TABLE "SELECT * FROM trades t JOIN positions p ON t.symbol = p.symbol");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->schema->ncols, 6);
    cr_assert_str_eq(p->schema->fields[4].name, "p.symbol");
    done(&r);
}

Test(join, three_way_join_is_left_deep) {
    run r = plan(DECL DECL_TABLE
                 "SELECT a.qty FROM trades a JOIN positions p ON a.symbol = p.symbol JOIN trades b ON "
                 "b.symbol = a.symbol WITHIN 1m");
    const velo_plan *j = find(ok(&r), VELO_PLAN_JOIN);
    cr_assert_eq(j->input->kind, VELO_PLAN_JOIN);
    cr_assert_eq(j->schema->ncols, 10);
    cr_assert_eq(j->left_keys[0]->column, 0);
    cr_assert_eq(j->right_keys[0]->column, 0);
    done(&r);
}

Test(join, open_sources_grow_in_place) {
    run r = plan("SELECT o.id, c.name FROM 'file://o.json' o JOIN 'file://c.json' c ON o.cid = c.id");
    const velo_plan *p = ok(&r);
    const velo_plan *j = find(p, VELO_PLAN_JOIN);
    cr_assert_eq(j->input->schema->ncols, 2);
    cr_assert_eq(p->exprs[1]->column, 3);
    cr_assert_eq(j->left_keys[0]->column, 0) /* cid: the ON condition is bound before the select list */;
    cr_assert_eq(j->right_keys[0]->column, 0);
    done(&r);
}

/* ---- subqueries ---- */

Test(subquery, in_subquery_node_owns_plan) {
    run r = plan(DECL DECL_TABLE "SELECT qty FROM trades WHERE symbol IN (SELECT symbol FROM positions)");
    const velo_plan *f = find(ok(&r), VELO_PLAN_FILTER);
    cr_assert_eq(f->predicate->kind, VELO_EXPR_SUBQUERY);
    cr_assert_eq(f->predicate->subquery_kind, VELO_SUBQUERY_IN);
    cr_assert_not_null(f->predicate->subplan);
    done(&r);
}

Test(subquery, scalar_subquery_has_its_column_type) {
    run r = plan(DECL "SELECT qty, (SELECT MAX(qty) FROM trades) AS m FROM trades");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->exprs[1]->subquery_kind, VELO_SUBQUERY_SCALAR);
    cr_assert_eq(p->schema->fields[1].type.id, VELO_TYPE_BIGINT);
    done(&r);
}

Test(subquery, scalar_subquery_must_return_one_column) {
    expect_error(DECL "SELECT (SELECT qty, price FROM trades) FROM trades", "bind.subquery", "one column");
}

Test(subquery, in_subquery_type_must_be_comparable) {
    expect_error(DECL "SELECT qty FROM trades WHERE qty IN (SELECT symbol FROM trades)", "bind.subquery",
                 NULL);
}

Test(subquery, exists_is_boolean) {
    run r = plan(DECL "SELECT qty FROM trades WHERE NOT EXISTS (SELECT 1 FROM trades)");
    ok(&r);
    done(&r);
}

Test(subquery, correlated_reference_has_outer_depth) {
    run r = plan(DECL DECL_TABLE
                 "SELECT (SELECT p.size FROM positions p WHERE p.symbol = t.symbol) AS m FROM trades t");
    const velo_plan *pj = find(ok(&r), VELO_PLAN_PROJECT);
    const velo_plan *sub = pj->exprs[0]->subplan;
    const velo_plan *sf = find(sub, VELO_PLAN_FILTER);
    const velo_expr *cmp = sf->predicate;
    cr_assert_eq(cmp->args[0]->outer_depth, 0);
    cr_assert_eq(cmp->args[1]->outer_depth, 1);
    cr_assert_eq(cmp->args[1]->column, 0);
    done(&r);
}

Test(subquery, correlated_scalar_max_becomes_a_left_join_to_a_grouped_subquery) {
    run r = plan(
        DECL DECL_TABLE
        "SELECT qty, (SELECT MAX(p.size) FROM positions p WHERE p.symbol = t.symbol) AS m FROM trades t");
    const velo_plan *pj = find(ok(&r), VELO_PLAN_PROJECT);
    const velo_plan *j = find(pj, VELO_PLAN_JOIN);
    cr_assert(j);
    cr_assert_eq(j->join_kind, VELO_JOIN_LEFT);
    cr_assert_eq(j->right->kind, VELO_PLAN_AGGREGATE);
    cr_assert_eq(j->right->nkeys, 1, "grouped by the correlated column p.symbol");
    cr_assert_eq(j->njoin_keys, 1);
    cr_assert_eq(pj->exprs[1]->kind, VELO_EXPR_COLUMN, "the subquery is now the joined MAX column");
    cr_assert_eq(pj->exprs[1]->column, j->input->schema->ncols + 1);
    done(&r);
}

Test(subquery, correlated_exists_in_where_becomes_a_semi_join) {
    run r = plan(DECL DECL_TABLE
                 "SELECT qty FROM trades t WHERE EXISTS (SELECT 1 FROM positions p WHERE p.symbol = "
                 "t.symbol AND p.size > 0)");
    const velo_plan *j = find(ok(&r), VELO_PLAN_JOIN);
    cr_assert(j);
    cr_assert_eq(j->join_kind, VELO_JOIN_SEMI);
    cr_assert_eq(j->schema->ncols, j->input->schema->ncols, "a semi join outputs the left columns");
    cr_assert_eq(j->njoin_keys, 1);
    cr_assert_eq(j->left_keys[0]->column, 0);  /* t.symbol */
    cr_assert_eq(j->right_keys[0]->column, 0); /* p.symbol, over the right input */
    cr_assert_eq(j->right->kind, VELO_PLAN_FILTER, "the uncorrelated p.size > 0 stays on the right");
    cr_assert_null(find(ok(&r), VELO_PLAN_FILTER), "nothing is left of the WHERE");
    done(&r);
}

Test(subquery, correlated_not_exists_becomes_an_anti_join) {
    run r = plan(DECL DECL_TABLE
                 "SELECT qty FROM trades t WHERE qty > 1 AND NOT EXISTS (SELECT 1 FROM positions p WHERE "
                 "p.symbol = t.symbol)");
    const velo_plan *f = find(ok(&r), VELO_PLAN_FILTER);
    cr_assert(f, "qty > 1 stays a filter");
    const velo_plan *j = find(f, VELO_PLAN_JOIN);
    cr_assert_eq(j->join_kind, VELO_JOIN_ANTI);
    cr_assert_eq(j->right->kind, VELO_PLAN_SCAN);
    done(&r);
}

Test(subquery, correlated_not_in_becomes_a_mark_join_read_through_not) {
    run r = plan(DECL DECL_TABLE
                 "SELECT qty FROM trades t WHERE qty NOT IN (SELECT p.size FROM positions p WHERE p.symbol = "
                 "t.symbol)");
    const velo_plan *f = find(ok(&r), VELO_PLAN_FILTER);
    cr_assert(f);
    cr_assert_eq(f->predicate->kind, VELO_EXPR_NOT, "keeps the rows whose mark is FALSE");
    cr_assert_eq(f->predicate->args[0]->kind, VELO_EXPR_COLUMN);
    const velo_plan *j = find(f, VELO_PLAN_JOIN);
    cr_assert_eq(j->join_kind, VELO_JOIN_MARK);
    cr_assert_eq(f->predicate->args[0]->column, j->input->schema->ncols, "the mark follows the left row");
    cr_assert_eq(j->njoin_keys, 1, "hashed on the correlation, not on the NULL-sensitive value");
    cr_assert_eq(j->nexprs, 1, "the mark value qty = p.size");
    done(&r);
}

Test(subquery, correlated_exists_under_or_becomes_a_mark_join) {
    run r =
        plan(DECL DECL_TABLE
             "SELECT qty FROM trades t WHERE qty > 5 OR EXISTS (SELECT 1 FROM positions p WHERE p.symbol = "
             "t.symbol)");
    const velo_plan *f = find(ok(&r), VELO_PLAN_FILTER);
    cr_assert_eq(f->predicate->kind, VELO_EXPR_OR);
    const velo_plan *j = find(f, VELO_PLAN_JOIN);
    cr_assert_eq(j->join_kind, VELO_JOIN_MARK);
    cr_assert_eq(j->nexprs, 0, "EXISTS: any matching row marks TRUE");
    done(&r);
}

Test(subquery, correlated_count_reads_zero_for_a_row_without_a_group) {
    run r = plan(DECL DECL_TABLE
                 "SELECT (SELECT COUNT(*) FROM positions p WHERE p.symbol = t.symbol) AS n FROM trades t");
    const velo_plan *pj = find(ok(&r), VELO_PLAN_PROJECT);
    cr_assert_eq(find(pj, VELO_PLAN_JOIN)->join_kind, VELO_JOIN_LEFT);
    cr_assert_eq(pj->exprs[0]->kind, VELO_EXPR_CASE, "CASE WHEN count IS NULL THEN 0 ELSE count END");
    cr_assert_eq(pj->exprs[0]->args[1]->kind, VELO_EXPR_CONST);
    cr_assert_eq(pj->exprs[0]->args[1]->constant.u.i64, 0);
    done(&r);
}

Test(subquery, correlated_scalar_in_a_grouped_select_list_joins_on_the_group_key) {
    run r =
        plan(DECL DECL_TABLE
             "SELECT symbol, SUM(qty) AS q, (SELECT MAX(p.size) FROM positions p WHERE p.symbol = t.symbol) "
             "AS m FROM trades t GROUP BY symbol");
    const velo_plan *pj = find(ok(&r), VELO_PLAN_PROJECT);
    const velo_plan *j = pj->input;
    cr_assert_eq(j->kind, VELO_PLAN_JOIN, "joined above the AGGREGATE");
    cr_assert_eq(j->input->kind, VELO_PLAN_AGGREGATE);
    cr_assert_eq(j->left_keys[0]->column, 0, "t.symbol is the aggregate's key column 0");
    done(&r);
}

Test(subquery, correlated_column_that_is_not_grouped_is_an_error) {
    expect_error(DECL DECL_TABLE
                 "SELECT symbol, COUNT(*) AS n FROM trades t GROUP BY symbol HAVING EXISTS (SELECT 1 FROM "
                 "positions p WHERE p.size = t.qty)",
                 "bind.group_by", "GROUP BY columns");
}

Test(subquery, from_subquery_is_the_input) {
    run r = plan(
        DECL "SELECT s.n FROM (SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol) s WHERE s.n > 1");
    const velo_plan *p = ok(&r);
    SHAPE(p, VELO_PLAN_PROJECT, VELO_PLAN_FILTER, VELO_PLAN_PROJECT, VELO_PLAN_AGGREGATE, VELO_PLAN_SCAN);
    cr_assert_eq(p->schema->fields[0].type.id, VELO_TYPE_BIGINT);
    done(&r);
}

Test(subquery, errors_inside_are_reported) {
    expect_error(DECL "SELECT qty FROM trades WHERE qty IN (SELECT qtyy FROM trades)", "bind.unknown_column",
                 "qtyy");
}

/* ---- UNION ---- */

Test(union_all, branches_meet_in_common_type) {
    run r = plan(DECL "SELECT qty AS v FROM trades UNION ALL SELECT price AS v FROM trades");
    const velo_plan *p = ok(&r);
    cr_assert_eq(p->kind, VELO_PLAN_UNION_ALL);
    cr_assert_eq(p->ninputs, 2);
    cr_assert_eq(p->schema->fields[0].type.id, VELO_TYPE_DECIMAL);
    done(&r);
}

Test(union_all, column_count_mismatch) {
    expect_error(DECL "SELECT qty FROM trades UNION ALL SELECT qty, price FROM trades", "bind.union",
                 "column counts");
}

Test(union_all, incompatible_types) {
    expect_error(DECL "SELECT qty FROM trades UNION ALL SELECT symbol FROM trades", "bind.union",
                 "incompatible");
}

Test(union_all, union_distinct_adds_distinct) {
    run r = plan(DECL "SELECT qty FROM trades UNION SELECT qty FROM trades");
    cr_assert_eq(ok(&r)->kind, VELO_PLAN_DISTINCT);
    done(&r);
}

Test(union_all, order_by_and_limit_apply_to_union) {
    run r = plan(DECL "SELECT qty FROM trades UNION ALL SELECT qty FROM trades ORDER BY qty LIMIT 2");
    SHAPE(ok(&r), VELO_PLAN_LIMIT, VELO_PLAN_SORT, VELO_PLAN_UNION_ALL);
    done(&r);
}

/* ---- CTEs and streams created earlier ---- */

Test(cte, with_query_is_planned_where_used) {
    run r = plan(DECL "WITH big AS (SELECT symbol, qty FROM trades WHERE qty > 100) SELECT symbol FROM big");
    SHAPE(ok(&r), VELO_PLAN_PROJECT, VELO_PLAN_PROJECT, VELO_PLAN_FILTER, VELO_PLAN_SCAN);
    done(&r);
}

Test(cte, unknown_column_of_cte) {
    expect_error(DECL "WITH big AS (SELECT symbol FROM trades) SELECT qty FROM big", "bind.unknown_column",
                 "qty");
}

Test(cte, later_cte_sees_earlier) {
    run r = plan(DECL "WITH a AS (SELECT qty FROM trades), b AS (SELECT qty FROM a) SELECT qty FROM b");
    ok(&r);
    done(&r);
}

Test(stream, created_stream_is_readable_with_its_schema) {
    run r = plan(DECL "CREATE STREAM big AS SELECT symbol, qty * 2 AS dbl FROM trades;\nSELECT dbl FROM big");
    const velo_plan *p = ok(&r);
    const velo_plan *s = find(p, VELO_PLAN_SCAN);
    cr_assert_str_eq(s->source.scheme, "stream");
    cr_assert(!s->source.open);
    cr_assert_eq(p->schema->fields[0].type.id, VELO_TYPE_BIGINT);
    done(&r);
}

Test(stream, created_stream_columns_are_checked) {
    expect_error(DECL "CREATE STREAM big AS SELECT symbol FROM trades;\nSELECT qty FROM big",
                 "bind.unknown_column", "qty");
}

Test(stream, create_stream_plan_has_name_and_sink) {
    run r = plan(DECL "CREATE STREAM out AS SELECT * FROM trades INTO 'file://out.jsonl?format=jsonl'");
    ok(&r);
    cr_assert_str_eq(r.qp->name, "out");
    cr_assert_str_eq(r.qp->sink_scheme, "file");
    cr_assert_str_eq(velo_kv_get(&r.qp->sink_options, "format"), "jsonl");
    done(&r);
}

Test(stream, bare_select_sinks_to_stdout) {
    run r = plan(DECL "SELECT * FROM trades");
    ok(&r);
    cr_assert_null(r.qp->sink_uri);
    cr_assert_null(r.qp->name);
    done(&r);
}

Test(stream, into_declared_name_uses_its_uri) {
    run r = plan(
        DECL "CREATE STREAM sink1 (a BIGINT) WITH ('uri'='kafka://h:9092/out');\nSELECT qty FROM trades INTO "
             "sink1");
    ok(&r);
    cr_assert_str_eq(r.qp->sink_uri, "kafka://h:9092/out");
    done(&r);
}

Test(stream, insert_into_declared_sink) {
    run r = plan(
        DECL "CREATE STREAM sink1 (a BIGINT) WITH ('uri'='file://o.csv');\nINSERT INTO sink1 SELECT qty FROM "
             "trades");
    ok(&r);
    cr_assert_str_eq(r.qp->sink_uri, "file://o.csv");
    done(&r);
}

Test(stream, insert_into_unknown_is_an_error) {
    expect_error(DECL "INSERT INTO nowhere SELECT qty FROM trades", "bind.unknown_source", "nowhere");
}

Test(stream, emit_final_needs_window) {
    expect_error("SELECT customer_id, COUNT(*) FROM orders GROUP BY customer_id EMIT FINAL", "bind.emit",
                 "EMIT FINAL needs a WINDOW clause");
}

Test(stream, emit_final_with_window) {
    run r =
        plan(DECL "SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol WINDOW TUMBLING(1m) EMIT FINAL");
    ok(&r);
    cr_assert_eq(r.qp->emit, VELO_EMIT_FINAL);
    done(&r);
}

Test(stream, emit_changes_mode) {
    run r = plan(DECL "SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol EMIT CHANGES");
    ok(&r);
    cr_assert_eq(r.qp->emit, VELO_EMIT_CHANGES);
    done(&r);
}

Test(table, key_from_group_by) {
    run r = plan(DECL "CREATE TABLE totals AS SELECT symbol, SUM(qty) AS q FROM trades GROUP BY symbol");
    ok(&r);
    cr_assert(r.qp->is_table);
    cr_assert_eq(r.qp->nprimary_key, 1);
    cr_assert_str_eq(r.qp->primary_key[0], "symbol");
    done(&r);
}

Test(table, key_from_primary_key_mark) {
    run r = plan(DECL "CREATE TABLE latest AS SELECT symbol PRIMARY KEY, price FROM trades");
    ok(&r);
    cr_assert_eq(r.qp->nprimary_key, 1);
    cr_assert_str_eq(r.qp->primary_key[0], "symbol");
    cr_assert(!has_warning(&r, "warn.table_key"));
    done(&r);
}

Test(table, without_key_warns) {
    run r = plan(DECL "CREATE TABLE t2 AS SELECT symbol, price FROM trades");
    ok(&r);
    cr_assert(has_warning(&r, "warn.table_key"));
    done(&r);
}

Test(table, created_table_is_a_table_when_joined) {
    run r = plan(DECL "CREATE TABLE tot AS SELECT symbol, SUM(qty) AS q FROM trades GROUP BY symbol;\n"
                      "SELECT t.price, x.q FROM trades t JOIN tot x ON t.symbol = x.symbol");
    cr_assert(find(ok(&r), VELO_PLAN_JOIN)->right_is_table);
    done(&r);
}

/* ---- warnings ---- */

Test(warn, group_by_on_unbounded_source_without_window) {
    run r = plan(DECL "SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol");
    ok(&r);
    cr_assert(has_warning(&r, "warn.unbounded_state"));
    done(&r);
}

Test(warn, group_by_with_window_does_not_warn) {
    run r = plan(DECL "SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol WINDOW TUMBLING(1m)");
    ok(&r);
    cr_assert(!has_warning(&r, "warn.unbounded_state"));
    done(&r);
}

Test(warn, group_by_on_bounded_file_does_not_warn) {
    run r = plan(DECL_FILE "SELECT b, COUNT(*) AS n FROM bounded GROUP BY b");
    ok(&r);
    cr_assert(!has_warning(&r, "warn.unbounded_state"));
    cr_assert(find(r.qp->root, VELO_PLAN_SCAN)->source.bounded);
    done(&r);
}

Test(warn, distinct_on_unbounded_source) {
    run r = plan(DECL "SELECT DISTINCT symbol FROM trades");
    ok(&r);
    cr_assert(has_warning(&r, "warn.unbounded_state"));
    done(&r);
}

Test(warn, window_function_on_unbounded_source) {
    run r = plan(DECL "SELECT SUM(qty) OVER (PARTITION BY symbol) AS s FROM trades");
    ok(&r);
    cr_assert(has_warning(&r, "warn.unbounded_state"));
    done(&r);
}

Test(warn, order_by_on_unbounded_source_never_emits) {
    run r = plan("SELECT * FROM 'kafka://broker:9092/trades' ORDER BY price");
    ok(&r);
    cr_assert(has_warning(&r, "warn.unbounded_state"));
    cr_assert(
        strstr(r.d.items[0].message, "ORDER BY on an unbounded source without a WINDOW clause never emits"));
    done(&r);
    run b = plan(DECL_FILE "SELECT a FROM bounded ORDER BY a");
    ok(&b);
    cr_assert_not(has_warning(&b, "warn.unbounded_state"));
    done(&b);
}

Test(warn, session_key_error_is_reported_once) {
    run r = plan(DECL "SELECT COUNT(*) FROM trades GROUP BY symbol WINDOW SESSION(ts, 30s, symbl)");
    cr_assert_eq(r.d.nerrors, 1);
    cr_assert(strstr(first_error(&r)->message, "unknown column 'symbl'; did you mean 'symbol'?"));
    done(&r);
}

Test(warn, cte_over_a_bounded_file_is_bounded) {
    run r = plan(DECL_FILE "WITH c AS (SELECT a, b FROM bounded) SELECT b, COUNT(*) AS n FROM c GROUP BY b");
    ok(&r);
    cr_assert_not(has_warning(&r, "warn.unbounded_state"));
    done(&r);
    run u = plan(DECL "WITH c AS (SELECT * FROM trades) SELECT symbol, COUNT(*) AS n FROM c GROUP BY symbol");
    ok(&u);
    cr_assert(has_warning(&u, "warn.unbounded_state"));
    done(&u);
}

Test(warn, warnings_do_not_fail_the_statement) {
    velo_diags d;
    velo_diags_init(&d);
    const char *sql = DECL "SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol";
    velo_sql_script *s = velo_sql_parse("q.sql", sql, strlen(sql), &d);
    velo_planner *p = velo_planner_new(NULL);
    cr_assert_eq(velo_planner_check_script(p, s, &d), 0);
    cr_assert_gt(d.nwarnings, 0);
    velo_planner_free(p);
    velo_sql_script_free(s);
    velo_diags_free(&d);
}

/* ---- sources, URIs, options ---- */

Test(source, unknown_scheme_is_an_error_with_position) {
    run r = plan("SELECT * FROM\n  'foo://x/y'");
    const velo_diag *e = first_error(&r);
    cr_assert_str_eq(e->code, "bind.uri");
    cr_assert(strstr(e->message, "foo"));
    cr_assert_eq(e->line, 2);
    done(&r);
}

Test(source, kafka_uri_needs_topic) {
    expect_error("SELECT * FROM 'kafka://localhost:9092'", "bind.uri", "topic");
}

Test(source, file_uri_needs_path) { expect_error("SELECT * FROM 'file://'", "bind.uri", NULL); }

Test(source, planned_schemes_parse) {
    run r = plan("SELECT * FROM 'postgresql://localhost/db?table=c'");
    ok(&r);
    cr_assert_str_eq(find(r.qp->root, VELO_PLAN_SCAN)->source.scheme, "postgresql");
    done(&r);
    r = plan("SELECT * FROM 's3://bucket/key' INTO 'clickhouse://h:8123/db?table=t'");
    ok(&r);
    cr_assert_str_eq(r.qp->sink_scheme, "clickhouse");
    done(&r);
    r = plan("SELECT * FROM 'iceberg://cat/ns/t'");
    ok(&r);
    done(&r);
}

Test(source, unknown_sink_scheme) {
    expect_error(DECL "SELECT * FROM trades INTO 'ftp://x/y'", "bind.uri", "ftp");
}

Test(source, options_merge_in_order) {
    run r = plan(
        "CREATE STREAM s (a BIGINT) WITH ('uri'='file://a.csv?format=csv&x=uri', 'x'='decl', 'y'='decl');\n"
        "SET 'y' = 'set';\nSET 'z' = 'set';\n"
        "SELECT a FROM s WITH ('z' = 'stmt')");
    const velo_plan *s = find(ok(&r), VELO_PLAN_SCAN);
    cr_assert_str_eq(velo_kv_get(&s->source.options, "format"), "csv");
    cr_assert_str_eq(velo_kv_get(&s->source.options, "x"), "decl");
    cr_assert_str_eq(velo_kv_get(&s->source.options, "y"), "set");
    cr_assert_str_eq(velo_kv_get(&s->source.options, "z"), "stmt");
    cr_assert_str_eq(velo_kv_get(&r.qp->job_options, "z"), "stmt");
    done(&r);
}

Test(source, bind_wins_over_declaration) {
    velo_kv binds;
    velo_kv_init(&binds);
    velo_kv_set(&binds, "trades", "file://other.csv");
    velo_planner_options o = {.binds = &binds};
    run r = plan_opts(DECL "SELECT * FROM trades", &o);
    cr_assert_str_eq(find(ok(&r), VELO_PLAN_SCAN)->source.uri, "file://other.csv");
    done(&r);
    velo_kv_free(&binds);
}

Test(source, bind_names_an_undeclared_source) {
    velo_kv binds;
    velo_kv_init(&binds);
    velo_kv_set(&binds, "orders", "kafka://h:9092/orders");
    velo_planner_options o = {.binds = &binds};
    run r = plan_opts("SELECT _offset FROM orders", &o);
    const velo_plan *s = find(ok(&r), VELO_PLAN_SCAN);
    cr_assert_str_eq(s->source.scheme, "kafka");
    cr_assert_str_eq(s->source.name, "orders");
    done(&r);
    velo_kv_free(&binds);
}

Test(source, original_dialect_kafka_properties_build_uri) {
    run r =
        plan("CREATE STREAM market (symbol VARCHAR) WITH ('market.type'='kafka_source', "
             "'bootstrap.servers'='broker:9092', 'market.topic.name'='ticks');\nSELECT symbol FROM market");
    const velo_plan *s = find(ok(&r), VELO_PLAN_SCAN);
    cr_assert_str_eq(s->source.uri, "kafka://broker:9092/ticks");
    cr_assert_str_eq(s->source.scheme, "kafka");
    done(&r);
}

Test(source, declaration_without_uri_is_an_error) {
    expect_error("CREATE STREAM s (a BIGINT) WITH ('format'='csv')", "bind.uri", "needs a 'uri'");
}

Test(source, declared_table_with_primary_key) {
    run r = plan(DECL_TABLE "SELECT size FROM positions");
    const velo_plan *s = find(ok(&r), VELO_PLAN_SCAN);
    cr_assert(s->source.is_table);
    cr_assert_str_eq(s->source.primary_key, "symbol");
    done(&r);
}

Test(source, event_time_field_option) {
    run r = plan(
        "CREATE STREAM s (id BIGINT, ts TIMESTAMP) WITH ('uri'='file://a.csv', 'event.time.field'='ts');\n"
        "SELECT id FROM s");
    cr_assert_eq(find(ok(&r), VELO_PLAN_SCAN)->source.event_time_column, 1);
    done(&r);
}

Test(source, alias_recorded) {
    run r = plan(DECL "SELECT t.qty FROM trades t");
    cr_assert_str_eq(find(ok(&r), VELO_PLAN_SCAN)->source.alias, "t");
    done(&r);
}

/* ---- statements ---- */

Test(stmt, declarations_and_set_make_no_plan) {
    run r = plan(DECL "SET 'a' = 'b'");
    cr_assert_null(first_error(&r));
    cr_assert_null(r.qp);
    done(&r);
}

Test(stmt, describe_unknown_is_an_error) {
    expect_error("DESCRIBE nothing", "bind.unknown_source", "nothing");
}

Test(stmt, drop_unknown_is_an_error) {
    expect_error("DROP STREAM nothing", "bind.unknown_source", "nothing");
}

Test(stmt, drop_if_exists_is_fine) {
    run r = plan("DROP STREAM IF EXISTS nothing");
    cr_assert_null(first_error(&r));
    done(&r);
}

Test(stmt, drop_forgets_the_declaration) {
    expect_error(DECL "DROP STREAM trades;\nDESCRIBE trades", "bind.unknown_source", "trades");
}

Test(stmt, explain_plans_the_inner_statement) {
    run r = plan(DECL "EXPLAIN SELECT symbol FROM trades WHERE qty > 1");
    SHAPE(ok(&r), VELO_PLAN_PROJECT, VELO_PLAN_FILTER, VELO_PLAN_SCAN);
    done(&r);
}

Test(stmt, start_job_plans_with_name) {
    run r = plan(DECL "START JOB j1 AS SELECT symbol FROM trades");
    ok(&r);
    cr_assert_str_eq(r.qp->name, "j1");
    done(&r);
}

Test(stmt, deploy_job_plans) {
    run r = plan(DECL "DEPLOY JOB j2 VERSION '1.0' AS SELECT symbol FROM trades");
    ok(&r);
    done(&r);
}

Test(stmt, show_and_stop_make_no_plan) {
    run r = plan("SHOW STREAMS;\nSTOP JOB x");
    cr_assert_null(first_error(&r));
    cr_assert_null(r.qp);
    done(&r);
}

Test(stmt, check_script_reports_errors_of_every_statement) {
    velo_diags d;
    velo_diags_init(&d);
    const char *sql = DECL "SELECT pricee FROM trades;\nSELECT qtyy FROM trades;\nSELECT qty FROM trades";
    velo_sql_script *s = velo_sql_parse("q.sql", sql, strlen(sql), &d);
    velo_planner *p = velo_planner_new(NULL);
    cr_assert_eq(velo_planner_check_script(p, s, &d), 2);
    cr_assert_eq(d.items[0].line, 2);
    cr_assert_eq(d.items[1].line, 3);
    velo_planner_free(p);
    velo_sql_script_free(s);
    velo_diags_free(&d);
}

Test(stmt, plan_returns_bind_error_status) {
    velo_diags d;
    velo_diags_init(&d);
    const char *sql = "SELECT x + 'a' FROM 'file://a.json' WHERE 1";
    velo_sql_script *s = velo_sql_parse("q.sql", sql, strlen(sql), &d);
    velo_planner *p = velo_planner_new(NULL);
    velo_query_plan *qp = NULL;
    cr_assert_neq(velo_planner_plan(p, s->stmts[0], &qp, &d), VELO_OK);
    cr_assert_null(qp);
    velo_planner_free(p);
    velo_sql_script_free(s);
    velo_diags_free(&d);
}

Test(stmt, second_declaration_of_a_name_is_an_error) {
    expect_error(DECL DECL, "bind.duplicate", "stream 'trades' is already declared (line 1)");
    expect_error(DECL "CREATE STREAM trades AS SELECT symbol FROM trades", "bind.duplicate",
                 "stream 'trades' is already declared (line 1)");
    expect_error(DECL_TABLE "CREATE TABLE positions AS SELECT 1 AS a", "bind.duplicate",
                 "table 'positions' is already declared");
}

Test(stmt, drop_then_declare_again_is_fine) {
    run r = plan(DECL "DROP STREAM trades;\n" DECL "SELECT symbol FROM trades");
    ok(&r);
    done(&r);
}

Test(stmt, insert_column_count_must_match_the_query) {
    expect_error(DECL "CREATE STREAM out (a VARCHAR, b BIGINT) WITH ('uri' = 'file://out.jsonl');\n"
                      "INSERT INTO out (a, b) SELECT symbol FROM trades",
                 "bind.insert", "INSERT INTO out names 2 columns but the query returns 1");
    run r = plan(DECL "CREATE STREAM out (a VARCHAR, b BIGINT) WITH ('uri' = 'file://out.jsonl');\n"
                      "INSERT INTO out (a, b) SELECT symbol, qty FROM trades");
    ok(&r);
    done(&r);
}

Test(stmt, unknown_options_are_warnings) {
    run r = plan("CREATE STREAM k (a BIGINT) WITH ('uri' = 'kafka://b:9092/t', 'bootstrap.server' = 'b');\n"
                 "SELECT a FROM k;\nSELECT * FROM 'file://s.csv?delimter=;';\n"
                 "SELECT * FROM 'file://s.csv' INTO 'file://o.csv' WITH ('heder' = 'true')");
    ok(&r);
    uint32_t n = 0;
    for (uint32_t i = 0; i < r.d.count; i++)
        if (!strcmp(r.d.items[i].code, "bind.unknown_option")) n++;
    cr_assert_eq(n, 4, "unknown_option warnings: %u", n); /* bootstrap.server, delimter, heder x2 */
    done(&r);
}

Test(stmt, planned_connectors_are_warnings) {
    run r = plan("SELECT * FROM 'postgresql://localhost/shop?table=orders' "
                 "INTO 'clickhouse://localhost:8123/a?table=t'");
    ok(&r);
    cr_assert(has_warning(&r, "warn.not_supported"));
    bool src = false, sink = false;
    for (uint32_t i = 0; i < r.d.count; i++) {
        src |= !strcmp(r.d.items[i].message, "postgresql:// sources are not supported yet");
        sink |= !strcmp(r.d.items[i].message, "clickhouse:// sinks are not supported yet");
    }
    cr_assert(src && sink);
    done(&r);
}

Test(stmt, update_is_rejected) { expect_error("UPDATE t SET a = 1", "bind.unsupported", "UPDATE"); }

/* ---- corpora: the original README's queries and the compat parse_ok cases ---- */

/* The "sql" string of a compat case, JSON escapes decoded (\uXXXX up to 3 UTF-8 bytes). */

/* Binds a whole script offline with `binds`; returns the first error (code: message) or NULL. Parse
 * errors are skipped (the parser's own tests cover them). With bind_unknown, every bare name that no
 * statement declares is bound to a Kafka topic of its name first (the compat cases read undeclared
 * names; their runner binds them). */
static char *first_bind_error_with(const char *sql, const char *file, velo_kv *binds, bool bind_unknown) {
    char *res = NULL;
    for (;;) {
        velo_diags d;
        velo_diags_init(&d);
        velo_sql_script *s = velo_sql_parse(file, sql, strlen(sql), &d);
        bool again = false;
        if (s && d.nerrors == 0) {
            velo_planner_options o = {.binds = binds};
            velo_planner *p = velo_planner_new(&o);
            velo_planner_check_script(p, s, &d);
            velo_planner_free(p);
            again = bind_unknown && bind_first_unknown(&d, binds, "kafka://localhost:9092/", "");
            const velo_diag *e = NULL;
            for (uint32_t i = 0; i < d.count && !e; i++)
                if (d.items[i].severity == VELO_SEV_ERROR) e = &d.items[i];
            if (e && !again) {
                char buf[700];
                snprintf(buf, sizeof buf, "%s: %s", e->code, e->message);
                res = strdup(buf);
            }
        }
        velo_sql_script_free(s);
        velo_diags_free(&d);
        if (!again) return res;
    }
}

static char *first_bind_error(const char *sql, const char *file) {
    velo_kv binds;
    velo_kv_init(&binds);
    char *res = first_bind_error_with(sql, file, &binds, true);
    velo_kv_free(&binds);
    return res;
}

Test(corpus, every_seed_readme_query_binds) {
    char **names;
    size_t n = list_dir(VELO_SOURCE_DIR "/tests/compat/seed-readme", ".sql", &names);
    cr_assert_eq(n, 10);
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/tests/compat/seed-readme/%s", VELO_SOURCE_DIR, names[i]);
        char *sql = read_file(path);
        /* the bare names the README says need a declaration or --bind (seed-readme/README.md) */
        velo_kv binds;
        velo_kv_init(&binds);
        static const char *const bare[] = {"positions_table", "trades", "high_volume_stocks",
                                           "active_traders"};
        for (size_t k = 0; k < sizeof bare / sizeof *bare; k++) {
            char uri[128];
            snprintf(uri, sizeof uri, "kafka://localhost:9092/%s", bare[k]);
            velo_kv_set(&binds, bare[k], uri);
        }
        char *err = first_bind_error_with(sql, names[i], &binds, false);
        velo_kv_free(&binds);
        /* 07.sql selects `price * quantity` next to GROUP BY order_id without aggregating it: the
         * original engine accepted that; the GROUP BY rule rejects it, on purpose. */
        if (!strcmp(names[i], "07.sql"))
            cr_assert(err && strstr(err, "bind.group_by"), "%s: %s", names[i], err ? err : "no error");
        else
            cr_assert(!err, "%s: %s", names[i], err);
        free(err);
        free(sql);
        free(names[i]);
    }
    free(names);
}

/* parse_ok cases that parse but break a semantic rule, and the rule (see the planner report) */
static const struct {
    const char *id, *code;
} rejected[] = {
    {"pok_016", "bind.group_by"},       /* SELECT * ... WINDOW: rows of a window are not grouped */
    {"pok_017", "bind.group_by"},       /* same */
    {"pok_018", "bind.group_by"},       /* same */
    {"pok_019", "bind.window"},         /* TUMBLING(60): a duration needs a unit */
    {"pok_037", "bind.type"},           /* 'a' || 'b' + 'c': + on VARCHAR */
    {"pok_045", "bind.emit"},           /* EMIT FINAL without WINDOW (as perr_005) */
    {"pok_075", "bind.group_by"},       /* trader_id neither grouped nor a session key */
    {"pok_079", "bind.group_by"},       /* symbol neither grouped nor aggregated */
    {"pok_085", "bind.unknown_source"}, /* DESCRIBE of an undeclared name */
    {"pok_089", "bind.group_by"},       /* amount neither grouped nor aggregated */
    {"pok_090", "bind.cast"},           /* CAST(SPLIT(...) AS INTEGER): a LIST never casts to BIGINT */
    {"pok_113", "bind.group_by"},       /* HAVING on a plain column without GROUP BY */
    {"pok_114", "bind.group_by"},       /* same */
    {"pok_129", "bind.arity"},          /* SUBSTRING(msg) */
    {"pok_139", "bind.group_by"},       /* CREATE TABLE ... SUM(amount) without GROUP BY customer_id */
    {"pok_140", "bind.group_by"},       /* same */
    {"pok_148", "bind.group_by"},       /* same */
};

static const char *rejected_code(const char *file) {
    for (size_t i = 0; i < sizeof rejected / sizeof *rejected; i++)
        if (!strncmp(file, rejected[i].id, strlen(rejected[i].id))) return rejected[i].code;
    return NULL;
}

Test(corpus, every_parse_ok_case_binds_except_semantic_rejections) {
    char **names;
    const char *dir = VELO_SOURCE_DIR "/tests/compat/cases/parse_ok";
    size_t n = list_dir(dir, ".json", &names);
    cr_assert_gt(n, 100);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *json = read_file(path);
        char *sql = json ? json_sql(json) : NULL;
        char *err = sql ? first_bind_error(sql, names[i]) : NULL;
        const char *want = rejected_code(names[i]);
        bool good = want ? err && !strncmp(err, want, strlen(want)) : !err;
        if (!good) {
            cr_log_error("%s: %s (expected %s)", names[i], err ? err : "no error", want ? want : "no error");
            bad++;
        }
        free(err);
        free(sql);
        free(json);
        free(names[i]);
    }
    free(names);
    cr_assert_eq(bad, 0);
}

Test(corpus, session_key_groups_like_a_key) {
    run r = plan(
        "SELECT p.trader_id, COUNT(*) AS n FROM trading_positions p WINDOW SESSION (p.event_time, INTERVAL "
        "'4' HOUR, p.trader_id)");
    const velo_plan *a = find(ok(&r), VELO_PLAN_AGGREGATE);
    cr_assert_eq(a->nkeys, 1);
    cr_assert_not_null(a->window.session_key);
    done(&r);
}

Test(corpus, perr_005_emit_final_without_window_is_rejected) {
    char *json = read_file(VELO_SOURCE_DIR "/tests/compat/cases/parse_error/perr_005.json");
    cr_assert_not_null(json);
    char *sql = json_sql(json);
    char *err = first_bind_error(sql, "perr_005");
    cr_assert(err && strstr(err, "bind.emit"), "%s", err ? err : "no error");
    free(err);
    free(sql);
    free(json);
}

/* The compat cases perr_011..020 parse but must not validate: wrong arity, an unknown DATEDIFF unit,
 * a bad INTERVAL, and FROM_UNIXTIME / UNIX_TIMESTAMP of a string. The type errors need the column's
 * type, so test_stream is declared (an open source's columns are ANY, checked per record). */
Test(corpus, perr_011_to_020_are_rejected) {
    static const char decl[] = "CREATE STREAM test_stream (string_field VARCHAR, datetime_field TIMESTAMP, "
                               "unix_timestamp BIGINT) WITH ('uri' = 'file://t.jsonl?watch=true');\n";
    for (int id = 11; id <= 20; id++) {
        char path[512];
        snprintf(path, sizeof path, "%s/tests/compat/cases/parse_error/perr_%03d.json", VELO_SOURCE_DIR, id);
        char *json = read_file(path);
        cr_assert_not_null(json, "%s", path);
        char *sql = json_sql(json);
        char *script = malloc(strlen(decl) + strlen(sql) + 1);
        strcpy(script, decl);
        strcat(script, sql);
        velo_diags d;
        velo_diags_init(&d);
        velo_sql_script *s = velo_sql_parse("perr.sql", script, strlen(script), &d);
        if (s && d.nerrors == 0) {
            char *err = first_bind_error(script, "perr.sql");
            cr_assert(err && !strstr(err, "bind.unknown_source"), "perr_%03d: %s", id,
                      err ? err : "no error");
            free(err);
        }
        velo_sql_script_free(s);
        velo_diags_free(&d);
        free(script);
        free(sql);
        free(json);
    }
}

Test(warn, running_aggregate_over_unbounded_partition_keeps_every_row) {
    run r =
        plan(DECL "SELECT symbol, SUM(qty) OVER (PARTITION BY symbol ORDER BY ts) AS running FROM trades");
    ok(&r);
    cr_assert(has_warning(&r, "warn.unbounded_state"));
    done(&r);
}

Test(warn, lag_and_row_number_keep_a_few_rows_and_do_not_warn) {
    run r = plan(DECL "SELECT symbol, LAG(price) OVER (PARTITION BY symbol ORDER BY ts) AS prev, "
                      "ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts) AS rn FROM trades");
    ok(&r);
    cr_assert(!has_warning(&r, "warn.unbounded_state"));
    done(&r);
}

Test(warn, aggregate_over_a_bounded_rows_frame_does_not_warn) {
    run r = plan(
        DECL "SELECT symbol, AVG(price) OVER (PARTITION BY symbol ORDER BY ts ROWS BETWEEN 9 PRECEDING AND "
             "CURRENT ROW) AS avg10 FROM trades");
    ok(&r);
    cr_assert(!has_warning(&r, "warn.unbounded_state"));
    done(&r);
}

Test(aggregate, percentile_cont_within_group_runs_as_value_then_fraction) {
    run r = plan(
        DECL "SELECT PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY price) AS p FROM trades GROUP BY symbol");
    const velo_plan *a = find(ok(&r), VELO_PLAN_AGGREGATE);
    cr_assert_eq(a->naggs, 1);
    cr_assert_eq(a->aggs[0].nargs, 2);
    cr_assert_eq(a->aggs[0].norder, 0);
    cr_assert_eq(a->aggs[0].args[0]->type.id, VELO_TYPE_DECIMAL);
    cr_assert_eq(a->aggs[0].args[1]->kind, VELO_EXPR_CONST);
    done(&r);
}

/* ---- WHERE below hash joins (sql/planner.c push_below_joins) and per-scan columns ---- */

#define DECL_QUOTES                                                                                          \
    "CREATE STREAM quotes (symbol VARCHAR, bid BIGINT, note VARCHAR) WITH ('uri'='file://q.csv');\n"

Test(join, where_conjuncts_of_one_side_filter_that_side_below_a_hash_join) {
    run r = plan(DECL DECL_QUOTES "SELECT t.qty FROM trades t JOIN quotes q ON t.symbol = q.symbol "
                                  "WHERE t.qty > 5 AND q.bid = 3 AND t.qty > q.bid");
    const velo_plan *j = find(ok(&r), VELO_PLAN_JOIN);
    cr_assert_eq(j->input->kind, VELO_PLAN_FILTER, "the left conjunct filters the left input");
    cr_assert_eq(j->input->input->kind, VELO_PLAN_SCAN);
    cr_assert_eq(j->right->kind, VELO_PLAN_FILTER, "the right conjunct filters the right input");
    cr_assert_eq(j->right->predicate->args[0]->column, 1, "right columns renumbered from 0 (bid)");
    const velo_plan *above = find(r.qp->root, VELO_PLAN_FILTER);
    cr_assert_eq(above->input, j, "the conjunct over both sides stays above the join");
    done(&r);
}

Test(join, where_does_not_go_into_a_table_side_or_below_a_within_join) {
    run r = plan(DECL DECL_TABLE "SELECT t.qty FROM trades t JOIN positions p ON t.symbol = p.symbol "
                                 "WHERE p.size > 1 AND t.qty > 2");
    const velo_plan *j = find(ok(&r), VELO_PLAN_JOIN);
    cr_assert_eq(j->right->kind, VELO_PLAN_SCAN, "a TABLE keeps its latest row per key: no filter before it");
    cr_assert_eq(j->input->kind, VELO_PLAN_FILTER);
    done(&r);
    run w = plan(
        DECL "CREATE STREAM trades2 (symbol VARCHAR, qty BIGINT, ts TIMESTAMP) WITH "
             "('uri'='file://t2.csv?watch=true');\n"
             "SELECT a.qty FROM trades a JOIN trades2 b ON a.symbol = b.symbol WITHIN INTERVAL '1' SECOND "
             "WHERE a.qty > 2");
    j = find(ok(&w), VELO_PLAN_JOIN);
    cr_assert_eq(j->input->kind, VELO_PLAN_SCAN, "a stream-stream join's watermark comes from all its rows");
    done(&w);
}

Test(join, each_scan_under_a_join_reads_only_the_columns_above_it) {
    run r = plan(DECL DECL_QUOTES
                 "SELECT t.qty FROM trades t JOIN quotes q ON t.symbol = q.symbol WHERE q.bid = 3");
    velo_scan_mask m[4];
    uint32_t n = velo_plan_scan_masks(ok(&r), m, 4);
    cr_assert_eq(n, 2);
    for (uint32_t i = 0; i < n; i++) {
        const velo_plan *s = m[i].scan;
        if (!strcmp(s->source.name, "trades")) { /* symbol, qty (price, ts unread) */
            cr_assert(m[i].used[0] && !m[i].used[1] && m[i].used[2] && !m[i].used[3]);
        } else { /* symbol, bid (note unread) */
            cr_assert(m[i].used[0] && m[i].used[1] && !m[i].used[2]);
        }
        mi_free(m[i].used);
    }
    done(&r);
}
