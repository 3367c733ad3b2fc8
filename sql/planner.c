/* The planner (sql/planner.h): session declarations, FROM resolution, and one SELECT at a time
 * turned into SCAN -> JOIN -> FILTER -> AGGREGATE -> FILTER -> ANALYTIC -> PROJECT -> DISTINCT ->
 * SORT -> LIMIT. Expressions are bound by sql/binder.c through hooks: a `scope` decides what a
 * column name or an aggregate call means at each level (FROM columns, GROUP BY keys, window calls).
 *
 * The one idea needed to read it: schemaless ("open") sources grow a column on its first reference,
 * so column indexes over the FROM relations are only final once the whole SELECT is bound. Column
 * nodes bound against FROM are recorded as (relation, local index) fixups and patched at the end. */
#include "sql/planner.h"
#include "core/strbuf.h" /* plan.h uses velo_strbuf without including it */

#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connectors/options.h"
#include "sql/binder.h"
#include "sql/parser.h"

#define MAX_RELS 32

/* ---- session ---- */

typedef struct decl {
    char *name;
    char *uri; /* NULL for a created stream without INTO */
    velo_kv options;
    velo_schema *schema; /* declared columns / created stream output; NULL: unknown */
    bool is_table;
    bool created; /* CREATE STREAM|TABLE ... AS: read back with scheme "stream" */
    char *primary_key;
    uint32_t line; /* of the declaring statement, for "already declared" */
    const sql_query
        *query; /* CREATE TABLE ... AS without INTO: planned where it is read (the script's AST) */
} decl;

struct velo_planner {
    velo_planner_options opts;
    decl *decls;
    uint32_t ndecls;
    velo_kv set; /* --config defaults, then SET */
};

/* ---- per-statement and per-select state ---- */

typedef struct pctx {
    velo_planner *p;
    velo_diags *diags;
    velo_kv stmt_with; /* statement WITH / trailing query WITH */
    uint32_t depth;    /* plan_query nesting: primary keys come from the outermost query */
    char **pk;
    uint32_t npk;
    const sql_cte *ctes[64];
    uint32_t nctes;
} pctx;

typedef struct rel {
    const char *alias; /* alias, or the source name; NULL for a bare URI */
    velo_plan *plan;   /* SCAN, or a subquery / CTE plan */
    bool open, is_table, bounded;
    uint32_t offset;
} rel;

typedef struct fixup {
    velo_expr *x;
    int32_t rel; /* -1: after every relation (ANALYTIC calls over FROM) */
    uint32_t local;
} fixup;

typedef struct scope scope;

typedef struct selctx {
    pctx *pc;
    rel rels[MAX_RELS];
    uint32_t nrels;
    uint32_t nvisible; /* relations visible to names (grows join by join) */
    fixup *fix;
    uint32_t nfix, capfix;
    scope *outer; /* the enclosing query's scope (correlated subqueries), or NULL */
    const sql_select *sel;
} selctx;

typedef enum scope_kind { SC_FROM, SC_AGG, SC_OUTPUT } scope_kind;

struct scope {
    scope_kind kind;
    selctx *sc;
    /* SC_AGG: what the AGGREGATE node outputs */
    char **key_text;
    int32_t *key_rel; /* a plain column key: its relation and local index, else -1 */
    uint32_t *key_local;
    uint32_t nkeys;
    char **agg_text;
    uint32_t naggs;
    bool windowed;
    const velo_schema *agg_out; /* AGGREGATE output schema (types of key / aggregate references) */
    const velo_type *call_types;
    /* ANALYTIC calls above this level (bound by printed text) */
    char **call_text;
    uint32_t ncalls;
    /* SC_OUTPUT */
    const velo_schema *out_schema;
    /* rules */
    const char *agg_forbidden; /* "WHERE", "GROUP BY"... : aggregates are an error here */
    bool in_agg_arg;           /* inside an aggregate's arguments: nested aggregates are an error */
    bool window_ok;            /* OVER calls are mapped to ANALYTIC columns */
    bool join_on;              /* binding a JOIN condition: a = b pairs must be comparable */
    uint32_t alias_upto;       /* the aliases of select items [0, alias_upto) may be named (select_alias) */
};

static velo_status plan_query(pctx *pc, const sql_query *q, scope *outer, velo_plan **out);
static const velo_bind_hooks hooks;

/* A call aggregating a group: an aggregate, or FIRST_VALUE / LAST_VALUE without OVER. */
static const velo_function *aggregate_fn(const sql_expr *e) {
    if (e->kind != SQL_EXPR_FUNCTION || e->u.func.over) return NULL;
    const velo_function *f = velo_function_lookup(e->u.func.name);
    return f && (f->kind == VELO_FN_AGGREGATE || f->aggregate_too) ? f : NULL;
}

/* ---- small helpers ---- */

static char *xdup(const char *s) { return s ? mi_strdup(s) : NULL; }

static void diag(pctx *pc, sql_pos pos, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void diag(pctx *pc, sql_pos pos, const char *code, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    velo_diags_add(pc->diags, VELO_SEV_ERROR, code, pos.line, pos.col, "%s", msg);
}

static void warn(pctx *pc, sql_pos pos, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void warn(pctx *pc, sql_pos pos, const char *code, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    velo_diags_add(pc->diags, VELO_SEV_WARNING, code, pos.line, pos.col, "%s", msg);
}

static char *expr_text(const sql_expr *e) {
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    velo_sql_print_expr(e, &sb);
    char *s = mi_strdup(sb.data ? sb.data : "");
    velo_strbuf_free(&sb);
    return s;
}

static velo_plan *plan_new(velo_plan_kind kind, sql_pos pos) {
    velo_plan *p = mi_zalloc(sizeof *p);
    p->kind = kind;
    p->pos = pos;
    p->within_us = -1;
    p->source.event_time_column = -1;
    p->window.time_column = -1;
    velo_kv_init(&p->source.options);
    return p;
}

static void plan_free_void(void *p) { velo_plan_free(p); }

static void schema_append(velo_schema *s, const char *name, velo_type t, bool hidden) {
    s->fields = mi_realloc(s->fields, sizeof *s->fields * (s->ncols + 1));
    memset(&s->fields[s->ncols], 0, sizeof *s->fields);
    s->ncols++;
    velo_schema_set(s, s->ncols - 1, name, t);
    s->fields[s->ncols - 1].hidden = hidden;
}

static velo_type type_or_varchar(velo_type t) {
    return t.id == VELO_TYPE_NULL ? velo_type_make(VELO_TYPE_VARCHAR) : t;
}

static bool is_window_col(const char *n) {
    return !strcasecmp(n, "window_start") || !strcasecmp(n, "window_end") ||
           !strcasecmp(n, "_window_start") || !strcasecmp(n, "_window_end");
}

static bool is_end_col(const char *n) {
    return !strcasecmp(n, "window_end") || !strcasecmp(n, "_window_end");
}

static velo_expr *column_node(uint32_t idx, velo_type t, const sql_expr *at) {
    velo_expr *x = velo_binder_node(VELO_EXPR_COLUMN, t, 0, at);
    x->column = idx;
    return x;
}

/* Deep copy for join keys (never called on SUBQUERY nodes: those keys are not extracted). */
static velo_expr *expr_clone(const velo_expr *e) {
    velo_expr *x = velo_expr_new(e->kind, e->type, e->nargs);
    velo_expr **args = x->args;
    *x = *e;
    x->args = args;
    memset(&x->out, 0, sizeof x->out);
    for (uint32_t i = 0; i < e->nargs; i++)
        x->args[i] = expr_clone(e->args[i]);
    if ((e->kind == VELO_EXPR_CONST || e->kind == VELO_EXPR_FIELD) && !e->constant.is_null &&
        (e->constant.type.id == VELO_TYPE_VARCHAR || e->constant.type.id == VELO_TYPE_BYTES)) {
        char *s = mi_malloc(e->constant.u.str.len + 1);
        memcpy(s, e->constant.u.str.ptr, e->constant.u.str.len);
        s[e->constant.u.str.len] = 0;
        x->constant.u.str.ptr = s;
        if (e->kind == VELO_EXPR_FIELD) x->fn_name = s;
    }
    return x;
}

static bool expr_has_subquery(const velo_expr *e) {
    if (e->kind == VELO_EXPR_SUBQUERY) return true;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (expr_has_subquery(e->args[i])) return true;
    return false;
}

/* ---- name resolution over FROM relations ---- */

static void add_fixup(selctx *sc, velo_expr *x, int32_t r, uint32_t local) {
    if (sc->nfix == sc->capfix) {
        sc->capfix = sc->capfix ? sc->capfix * 2 : 32;
        sc->fix = mi_realloc(sc->fix, sizeof *sc->fix * sc->capfix);
    }
    sc->fix[sc->nfix++] = (fixup){x, r, local};
}

typedef struct colref {
    selctx *sc;
    uint32_t depth;
    int32_t rel;
    uint32_t local;
    velo_type type;
    uint32_t used;   /* name parts consumed (1, or 2 with a qualifier) */
    bool event_time; /* `_event_time` read from the source's event-time column: a TIMESTAMP of it */
} colref;

static int find_rel(selctx *sc, const char *alias) {
    for (uint32_t r = 0; r < sc->nvisible; r++)
        if (sc->rels[r].alias && !strcasecmp(sc->rels[r].alias, alias)) return (int)r;
    return -1;
}

static bool rel_can_grow(const rel *r) { return r->open && r->plan->kind == VELO_PLAN_SCAN; }

static uint32_t rel_add_column(rel *r, const char *name, velo_type t, bool hidden) {
    schema_append(r->plan->schema, name, t, hidden);
    return r->plan->schema->ncols - 1;
}

static int rel_find(const rel *r, const char *name) { return velo_schema_find(r->plan->schema, name); }

/* _event_time, and _timestamp where the source has no record timestamp of its own (files; Kafka
 * declares it): a hidden TIMESTAMP column of the scan, read from the row's field of that name (NULL
 * when it has none). */
static bool time_sys_col(const char *name) {
    return !strcasecmp(name, "_event_time") || !strcasecmp(name, "_timestamp");
}

/* The source's declared event time ('event.time.field'; a Kafka record's timestamp by default), or -1. */
static int rel_event_time(const rel *r) {
    if (r->plan->kind != VELO_PLAN_SCAN) return -1;
    int c = r->plan->source.event_time_column;
    return c >= 0 && (uint32_t)c < r->plan->schema->ncols ? c : -1;
}

/* `_event_time` of a source that declares its event time is that time, as ksqlDB's ROWTIME and
 * Flink's rowtime attribute: the column windows and watermarks read, as a TIMESTAMP. 1 found (also
 * for `alias._event_time`), 0 when no source in reach declares one, -1 error reported. */
static int lookup_event_time(selctx *sc, velo_binder *b, const sql_expr *e, colref *out) {
    char **parts = e->u.column.parts;
    uint32_t np = e->u.column.nparts;
    int r = -1;
    if (np >= 2) {
        if (strcasecmp(parts[1], "_event_time") || (r = find_rel(sc, parts[0])) < 0) return 0;
        if (rel_event_time(&sc->rels[r]) < 0) return 0;
    } else {
        if (strcasecmp(parts[0], "_event_time")) return 0;
        char list[256] = "";
        uint32_t nfound = 0;
        for (uint32_t i = 0; i < sc->nvisible; i++) {
            if (rel_event_time(&sc->rels[i]) < 0) continue;
            if (nfound++ == 0) r = (int)i;
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s._event_time", l ? ", " : "",
                     sc->rels[i].alias ? sc->rels[i].alias : "<source>");
        }
        if (nfound > 1) {
            velo_binder_fail(b, e, VELO_ERR_BIND, "bind.ambiguous_column",
                             "column '_event_time' is ambiguous: it could be %s", list);
            return -1;
        }
        if (nfound == 0) return 0;
    }
    int idx = rel_event_time(&sc->rels[r]);
    *out =
        (colref){sc, 0, r, (uint32_t)idx, sc->rels[r].plan->schema->fields[idx].type, np >= 2 ? 2 : 1, true};
    return 1;
}

/* Looks `e` up in one select's relations (no outer scopes). 1 found, 0 not found, -1 error reported. */
static int lookup_here(selctx *sc, velo_binder *b, const sql_expr *e, bool grow, colref *out) {
    char **parts = e->u.column.parts;
    uint32_t np = e->u.column.nparts;
    int et = lookup_event_time(sc, b, e, out);
    if (et) return et;
    if (np >= 2) {
        int r = find_rel(sc, parts[0]);
        if (r >= 0) {
            int idx = rel_find(&sc->rels[r], parts[1]);
            if (idx < 0 && grow && time_sys_col(parts[1]) && sc->rels[r].plan->kind == VELO_PLAN_SCAN)
                idx = (int)rel_add_column(&sc->rels[r], parts[1], velo_type_make(VELO_TYPE_TIMESTAMP), true);
            if (idx < 0 && grow && rel_can_grow(&sc->rels[r]))
                idx = (int)rel_add_column(&sc->rels[r], parts[1], velo_type_make(VELO_TYPE_ANY), false);
            if (idx < 0) {
                const velo_schema *s = sc->rels[r].plan->schema;
                const char *cands[256];
                uint32_t nc = 0;
                for (uint32_t i = 0; i < s->ncols && nc < 256; i++)
                    cands[nc++] = s->fields[i].name;
                const char *hint = velo_closest_name(parts[1], cands, nc);
                velo_binder_fail(b, e, VELO_ERR_BIND, "bind.unknown_column", "unknown column '%s.%s'%s%s%s",
                                 parts[0], parts[1], hint ? "; did you mean '" : "", hint ? hint : "",
                                 hint ? "'?" : "");
                return -1;
            }
            *out = (colref){sc, 0, r, (uint32_t)idx, sc->rels[r].plan->schema->fields[idx].type, 2, false};
            return 1;
        }
    }
    int found = -1, fidx = -1;
    char list[256] = "";
    uint32_t nfound = 0;
    for (uint32_t r = 0; r < sc->nvisible; r++) {
        int idx = rel_find(&sc->rels[r], parts[0]);
        if (idx < 0) continue;
        if (nfound++ == 0) found = (int)r, fidx = idx;
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s.%s", l ? ", " : "",
                 sc->rels[r].alias ? sc->rels[r].alias : "<source>", parts[0]);
    }
    if (nfound > 1) {
        velo_binder_fail(b, e, VELO_ERR_BIND, "bind.ambiguous_column",
                         "column '%s' is ambiguous: it could be %s", parts[0], list);
        return -1;
    }
    if (nfound == 1) {
        *out =
            (colref){sc, 0, found, (uint32_t)fidx, sc->rels[found].plan->schema->fields[fidx].type, 1, false};
        return 1;
    }
    return 0;
}

/* The first relation that takes unknown names: schemaless sources grow on first reference. */
static int growable_rel(selctx *sc) {
    for (uint32_t r = 0; r < sc->nvisible; r++)
        if (rel_can_grow(&sc->rels[r])) return (int)r;
    return -1;
}

static void unknown_column(selctx *sc, velo_binder *b, const sql_expr *e) {
    const char *name = e->u.column.parts[0];
    const char *cands[512];
    uint32_t nc = 0;
    for (uint32_t r = 0; r < sc->nvisible; r++) {
        const velo_schema *s = sc->rels[r].plan->schema;
        for (uint32_t i = 0; i < s->ncols && nc < 512; i++)
            cands[nc++] = s->fields[i].name;
    }
    if (e->u.column.nparts >= 2 && find_rel(sc, name) < 0 && sc->nvisible) {
        const char *acands[MAX_RELS];
        uint32_t na = 0;
        for (uint32_t r = 0; r < sc->nvisible; r++)
            if (sc->rels[r].alias) acands[na++] = sc->rels[r].alias;
        const char *hint = velo_closest_name(name, acands, na);
        velo_binder_fail(b, e, VELO_ERR_BIND, "bind.unknown_source", "unknown table or alias '%s'%s%s%s",
                         name, hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
        return;
    }
    const char *hint = velo_closest_name(name, cands, nc);
    if (hint)
        velo_binder_fail(b, e, VELO_ERR_BIND, "bind.unknown_column",
                         "unknown column '%s'; did you mean '%s'?", name, hint);
    else
        velo_binder_fail(b, e, VELO_ERR_BIND, "bind.unknown_column", "unknown column '%s'", name);
}

/* On a schemaless source any name binds, so a misspelt metadata column would silently read NULL:
 * a '_' name close to a metadata / system column is taken for a typo of it. */
static bool misspelt_metadata(velo_binder *b, const sql_expr *e, const char *name) {
    static const char *const meta[] = {"_key",     "_topic",      "_partition",    "_offset",    "_timestamp",
                                       "_headers", "_event_time", "_window_start", "_window_end"};
    const uint32_t n = sizeof meta / sizeof *meta;
    if (name[0] != '_') return false;
    for (uint32_t i = 0; i < n; i++)
        if (!strcasecmp(name, meta[i])) return false;
    const char *hint = velo_closest_name(name, meta, n);
    if (!hint || velo_edit_distance(name, hint) > 2) return false;
    velo_binder_fail(b, e, VELO_ERR_BIND, "bind.unknown_column",
                     "unknown metadata column '%s'; did you mean '%s'?", name, hint);
    return true;
}

/* Resolves a column name: this select's relations, then (correlation) enclosing ones. Unknown names
 * go to the nearest schemaless source. Returns 1 found, -1 error reported. */
static int resolve(scope *s, velo_binder *b, const sql_expr *e, bool grow, colref *out) {
    uint32_t depth = 0;
    for (selctx *sc = s->sc; sc; sc = sc->outer ? sc->outer->sc : NULL, depth++) {
        int r = lookup_here(sc, b, e, grow, out);
        if (r < 0) return -1;
        if (r > 0) {
            out->depth = depth;
            return 1;
        }
        const char *name = e->u.column.parts[0];
        int g = growable_rel(sc);
        if (grow && g >= 0 && !(e->u.column.nparts >= 2 && (find_rel(sc, name) >= 0))) {
            if (misspelt_metadata(b, e, name)) return -1;
            bool sys = time_sys_col(name);
            uint32_t idx = rel_add_column(&sc->rels[g], name,
                                          velo_type_make(sys ? VELO_TYPE_TIMESTAMP : VELO_TYPE_ANY), sys);
            *out = (colref){sc, depth, g, idx, sc->rels[g].plan->schema->fields[idx].type, 1, false};
            return 1;
        }
        if (time_sys_col(name) && grow && sc->nvisible && sc->rels[0].plan->kind == VELO_PLAN_SCAN) {
            uint32_t idx = rel_add_column(&sc->rels[0], name, velo_type_make(VELO_TYPE_TIMESTAMP), true);
            *out = (colref){sc, depth, 0, idx, velo_type_make(VELO_TYPE_TIMESTAMP), 1, false};
            return 1;
        }
    }
    unknown_column(s->sc, b, e);
    return -1;
}

/* A COLUMN node for a resolved reference, with the remaining name parts as field accesses. */
static velo_status column_expr(velo_binder *b, const sql_expr *e, const colref *r, velo_expr *base,
                               velo_expr **out) {
    velo_expr *x = base;
    if (!x) {
        x = column_node(r->local, r->type, e);
        x->outer_depth = r->depth;
        add_fixup(r->sc, x, r->rel, r->local);
        if (r->event_time && r->type.id != VELO_TYPE_TIMESTAMP) {
            /* epoch milliseconds or ISO-8601 text, read as windows read them */
            const velo_function *f = velo_function_lookup("EVENT_TIME_OF");
            velo_expr *c = velo_binder_node(VELO_EXPR_FUNC, velo_type_make(VELO_TYPE_TIMESTAMP), 1, e);
            c->args[0] = x;
            c->fn = f->impl;
            c->fn_name = f->name;
            c->strict = f->strict;
            x = c;
        }
    }
    for (uint32_t i = r->used; i < e->u.column.nparts; i++) {
        velo_status st = velo_binder_field(b, e, x, e->u.column.parts[i], &x);
        if (st) return st;
    }
    *out = x;
    return VELO_OK;
}

/* ---- binder hooks ---- */

static int find_text(char **texts, uint32_t n, const char *t) {
    for (uint32_t i = 0; i < n; i++)
        if (!strcmp(texts[i], t)) return (int)i;
    return -1;
}

/* Where the AGGREGATE puts things: keys..., [window_start, window_end,] aggs... */
static uint32_t agg_base(const scope *s) { return s->nkeys + (s->windowed ? 2 : 0); }

/* The original dialect (like DuckDB and MySQL) lets HAVING and later select items name a select
 * alias: a one-part name that no relation of this select has and that is the alias of an earlier
 * item (any item, in HAVING) binds as that item's expression. Returns the item's index, or -1. */
static int select_alias(const scope *s, const sql_expr *e) {
    const selctx *sc = s->sc;
    if (e->u.column.nparts != 1 || !sc->sel || s->kind == SC_OUTPUT || !s->alias_upto) return -1;
    const char *name = e->u.column.parts[0];
    for (uint32_t r = 0; r < sc->nvisible; r++)
        if (rel_find(&sc->rels[r], name) >= 0) return -1;
    for (uint32_t i = 0; i < s->alias_upto && i < sc->sel->nitems; i++) {
        const sql_select_item *it = &sc->sel->items[i];
        if (it->alias && it->expr && it->expr->kind != SQL_EXPR_STAR && !strcasecmp(it->alias, name))
            return (int)i;
    }
    return -1;
}

static velo_status hook_column(velo_binder *b, const sql_expr *e, velo_expr **out) {
    scope *s = b->ud;
    const char *name = e->u.column.parts[0];
    int item = select_alias(s, e);
    if (item >= 0) {
        /* within item k only the aliases before k: no cycles */
        uint32_t saved = s->alias_upto;
        s->alias_upto = (uint32_t)item;
        velo_status st = velo_binder_bind(b, s->sc->sel->items[item].expr, out);
        s->alias_upto = saved;
        return st;
    }
    if (s->kind == SC_OUTPUT) {
        int idx = velo_schema_find(s->out_schema, e->u.column.parts[e->u.column.nparts - 1]);
        if (idx < 0) {
            velo_binder_fail(b, e, VELO_ERR_BIND, "bind.unknown_column", "unknown column '%s' in ORDER BY",
                             e->u.column.parts[e->u.column.nparts - 1]);
            return VELO_ERR_BIND;
        }
        *out = column_node((uint32_t)idx, s->out_schema->fields[idx].type, e);
        return VELO_OK;
    }
    if (s->kind == SC_AGG && e->u.column.nparts == 1 && is_window_col(name)) {
        if (!s->windowed)
            return velo_binder_fail(b, e, VELO_ERR_BIND, "bind.window", "'%s' needs a WINDOW clause", name);
        *out = column_node(s->nkeys + (is_end_col(name) ? 1 : 0), velo_type_make(VELO_TYPE_TIMESTAMP), e);
        return VELO_OK;
    }
    colref r;
    if (resolve(s, b, e, true, &r) < 0) return VELO_ERR_BIND;
    if (s->kind == SC_AGG && r.depth == 0) {
        for (uint32_t k = 0; k < s->nkeys; k++)
            if (s->key_rel[k] == r.rel && s->key_local[k] == r.local) {
                velo_expr *key = column_node(k, r.type, e);
                return column_expr(b, e, &r, key, out);
            }
        return velo_binder_fail(b, e, VELO_ERR_BIND, "bind.group_by",
                                "column '%s' must appear in GROUP BY or be used in an aggregate",
                                e->u.column.parts[e->u.column.nparts - 1]);
    }
    return column_expr(b, e, &r, NULL, out);
}

static velo_status bind_in(scope *s, const sql_expr *e, velo_expr **out);

static bool hook_subquery(velo_binder *b, const sql_expr *e, velo_expr **out, velo_status *st) {
    scope *s = b->ud;
    pctx *pc = s->sc->pc;
    const sql_query *q = e->kind == SQL_EXPR_SUBQUERY ? e->u.subquery.query
                         : e->kind == SQL_EXPR_EXISTS ? e->u.exists.query
                                                      : e->u.in_subquery.query;
    velo_expr *arg = NULL;
    if (e->kind == SQL_EXPR_IN_SUBQUERY && (*st = velo_binder_bind(b, e->u.in_subquery.arg, &arg)))
        return true;
    velo_plan *p = NULL;
    uint32_t before = pc->diags->nerrors;
    plan_query(pc, q, s, &p);
    if (!p || pc->diags->nerrors != before) {
        velo_plan_free(p);
        velo_expr_free(arg);
        *st = VELO_ERR_BIND;
        return true;
    }
    uint32_t ncols = 0;
    for (uint32_t i = 0; i < p->schema->ncols; i++)
        ncols += !p->schema->fields[i].hidden;
    velo_expr *x = velo_binder_node(VELO_EXPR_SUBQUERY, velo_type_make(VELO_TYPE_BOOLEAN),
                                    e->kind == SQL_EXPR_IN_SUBQUERY ? 1 : 0, e);
    x->subplan = p;
    x->subplan_free = plan_free_void;
    if (e->kind == SQL_EXPR_EXISTS) {
        x->subquery_kind = VELO_SUBQUERY_EXISTS;
        x->negated = e->u.exists.negated;
    } else if (ncols != 1) {
        velo_expr_free(x);
        velo_expr_free(arg);
        *st = velo_binder_fail(b, e, VELO_ERR_BIND, "bind.subquery",
                               "%s subquery must return one column, found %u",
                               e->kind == SQL_EXPR_SUBQUERY ? "a scalar" : "an IN", ncols);
        return true;
    } else if (e->kind == SQL_EXPR_SUBQUERY) {
        x->subquery_kind = VELO_SUBQUERY_SCALAR;
        x->type = type_or_varchar(p->schema->fields[0].type);
    } else {
        velo_type common;
        velo_error err;
        if (velo_common_type(arg->type, p->schema->fields[0].type, &common, &err)) {
            char ta[32], tb[32];
            *st = velo_binder_fail(b, e, VELO_ERR_BIND, "bind.subquery",
                                   "IN subquery returns %s, which cannot be compared with %s",
                                   velo_type_format(p->schema->fields[0].type, tb, sizeof tb),
                                   velo_type_format(arg->type, ta, sizeof ta));
            velo_expr_free(x);
            velo_expr_free(arg);
            return true;
        }
        x->subquery_kind = VELO_SUBQUERY_IN;
        x->negated = e->u.in_subquery.negated;
        /* the engine compares encoded values: the tested value and the subquery's column in one type */
        if (!velo_type_equal(arg->type, common)) arg = velo_binder_cast(b, arg, common, e->u.in_subquery.arg);
        if (!velo_type_equal(p->schema->fields[0].type, common) && p->kind == VELO_PLAN_PROJECT &&
            p->nexprs >=
                1) { /* cast the selected value itself: the subquery keeps its decorrelatable shape */
            p->exprs[0] = velo_binder_cast(NULL, p->exprs[0], common, NULL);
            p->schema->fields[0].type = common;
        } else if (!velo_type_equal(p->schema->fields[0].type, common)) {
            velo_plan *pj = plan_new(VELO_PLAN_PROJECT, p->pos);
            pj->input = p;
            pj->nexprs = 1;
            pj->exprs = mi_zalloc(sizeof *pj->exprs);
            pj->exprs[0] =
                velo_binder_cast(NULL, column_node(0, p->schema->fields[0].type, NULL), common, NULL);
            pj->schema = velo_schema_new(1);
            velo_schema_set(pj->schema, 0, p->schema->fields[0].name, common);
            x->subplan = pj;
        }
        x->args[0] = arg;
    }
    *out = x;
    *st = VELO_OK;
    return true;
}

static bool hook_node(velo_binder *b, const sql_expr *e, velo_expr **out, velo_status *st) {
    scope *s = b->ud;
    if (e->kind == SQL_EXPR_SUBQUERY || e->kind == SQL_EXPR_EXISTS || e->kind == SQL_EXPR_IN_SUBQUERY)
        return hook_subquery(b, e, out, st);
    if (e->kind == SQL_EXPR_FUNCTION) {
        if (e->u.func.over) {
            int k = s->window_ok ? -1 : -2;
            if (s->window_ok) {
                char *t = expr_text(e);
                k = find_text(s->call_text, s->ncalls, t);
                mi_free(t);
            }
            if (k < 0) {
                *st = velo_binder_fail(b, e, VELO_ERR_BIND, "bind.window",
                                       "window function %s(...) OVER is not allowed %s%s", e->u.func.name,
                                       s->agg_forbidden ? "in " : "here",
                                       s->agg_forbidden ? s->agg_forbidden : "");
                return true;
            }
            velo_type ct = s->call_types ? s->call_types[k] : velo_type_make(VELO_TYPE_ANY);
            /* the call's column follows every input column of the ANALYTIC node */
            velo_expr *x;
            if (s->kind == SC_FROM) {
                x = column_node((uint32_t)k, ct, e);
                add_fixup(s->sc, x, -1, (uint32_t)k);
            } else {
                x = column_node(agg_base(s) + s->naggs + (uint32_t)k, ct, e);
            }
            *out = x;
            *st = VELO_OK;
            return true;
        }
        const velo_function *f = aggregate_fn(e);
        if (f) {
            if (s->in_agg_arg) {
                *st = velo_binder_fail(b, e, VELO_ERR_BIND, "bind.aggregate",
                                       "aggregate %s cannot be nested inside another aggregate", f->name);
                return true;
            }
            if (s->kind == SC_AGG) {
                char *t = expr_text(e);
                int k = find_text(s->agg_text, s->naggs, t);
                mi_free(t);
                if (k >= 0) {
                    uint32_t idx = agg_base(s) + (uint32_t)k;
                    *out = column_node(
                        idx, s->agg_out ? s->agg_out->fields[idx].type : velo_type_make(VELO_TYPE_ANY), e);
                    *st = VELO_OK;
                    return true;
                }
            }
            if (s->agg_forbidden)
                *st = velo_binder_fail(
                    b, e, VELO_ERR_BIND,
                    !strcmp(s->agg_forbidden, "WHERE") ? "bind.aggregate_in_where" : "bind.aggregate",
                    "aggregate function %s is not allowed in %s", f->name, s->agg_forbidden);
            else
                *st = velo_binder_fail(b, e, VELO_ERR_BIND, "bind.aggregate",
                                       "aggregate function %s is not allowed here", f->name);
            return true;
        }
        f = velo_function_lookup(e->u.func.name);
        if (f && f->kind == VELO_FN_WINDOW) {
            *st = velo_binder_fail(b, e, VELO_ERR_BIND, "bind.window", "window function %s needs OVER (...)",
                                   f->name);
            return true;
        }
    }
    if (s->kind == SC_AGG && e->kind != SQL_EXPR_LITERAL && e->kind != SQL_EXPR_COLUMN) {
        char *t = expr_text(e);
        int k = find_text(s->key_text, s->nkeys, t);
        mi_free(t);
        if (k >= 0) {
            *out = column_node((uint32_t)k,
                               s->agg_out ? s->agg_out->fields[k].type : velo_type_make(VELO_TYPE_ANY), e);
            *st = VELO_OK;
            return true;
        }
    }
    if (s->join_on && e->kind == SQL_EXPR_BINARY && e->u.binary.op == SQL_OP_EQ) {
        velo_expr *l = NULL, *r = NULL;
        if ((*st = velo_binder_bind(b, e->u.binary.left, &l))) return true;
        if ((*st = velo_binder_bind(b, e->u.binary.right, &r))) {
            velo_expr_free(l);
            return true;
        }
        velo_type common;
        velo_error err;
        if (velo_common_type(l->type, r->type, &common, &err)) {
            char ta[32], tb[32];
            *st = velo_binder_fail(
                b, e, VELO_ERR_BIND, "bind.join", "join keys are not comparable: %s and %s",
                velo_type_format(l->type, ta, sizeof ta), velo_type_format(r->type, tb, sizeof tb));
            velo_expr_free(l);
            velo_expr_free(r);
            return true;
        }
        *st = velo_binder_compare(b, e, VELO_CMP_EQ, l, r, out);
        return true;
    }
    return false;
}

static const velo_bind_hooks hooks = {hook_node, hook_column};

static velo_status bind_in(scope *s, const sql_expr *e, velo_expr **out) {
    velo_binder b = {.diags = s->sc->pc->diags, .hooks = &hooks, .ud = s, .allow_unimplemented = true};
    return velo_binder_bind(&b, e, out);
}

/* ---- FROM ---- */

static decl *find_decl(velo_planner *p, const char *name) {
    for (uint32_t i = 0; i < p->ndecls; i++)
        if (!strcasecmp(p->decls[i].name, name)) return &p->decls[i];
    return NULL;
}

static bool known_scheme(const char *s) {
    static const char *const schemes[] = {"file",     "kafka",      "stdout", "stream",  "postgresql",
                                          "postgres", "clickhouse", "s3",     "iceberg", "nexmark"};
    for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++)
        if (!strcasecmp(s, schemes[i])) return true;
    return false;
}

/* Parses and checks a connector URI; reports at pos. */
static bool check_uri(pctx *pc, const char *text, sql_pos pos, velo_uri *uri) {
    velo_error err;
    if (velo_uri_parse(text, uri, &err)) {
        diag(pc, pos, "bind.uri", "%s", err.message);
        return false;
    }
    if (!known_scheme(uri->scheme)) {
        diag(pc, pos, "bind.uri",
             "unknown scheme '%s://' in '%s'; supported: file, kafka (planned: postgresql, clickhouse, s3, "
             "iceberg)",
             uri->scheme, text);
        velo_uri_free(uri);
        return false;
    }
    if (!strcmp(uri->scheme, "kafka") && (!uri->authority[0] || !uri->path[0])) {
        diag(pc, pos, "bind.uri",
             "'%s': a kafka URI needs brokers and a topic, e.g. 'kafka://localhost:9092/orders'", text);
        velo_uri_free(uri);
        return false;
    }
    return true;
}

static void add_props(velo_kv *kv, const sql_props *p) {
    for (uint32_t i = 0; p && i < p->count; i++)
        velo_kv_set(kv, p->items[i].key, p->items[i].value);
}

static void add_kv(velo_kv *kv, const velo_kv *from) {
    for (uint32_t i = 0; from && i < from->count; i++)
        velo_kv_set(kv, from->items[i].key, from->items[i].value);
}

static void add_kafka_metadata(velo_schema *s) {
    static const struct {
        const char *name;
        velo_type_id t;
    } meta[] = {{"_key", VELO_TYPE_VARCHAR},         {"_topic", VELO_TYPE_VARCHAR},
                {"_partition", VELO_TYPE_BIGINT},    {"_offset", VELO_TYPE_BIGINT},
                {"_timestamp", VELO_TYPE_TIMESTAMP}, {"_headers", VELO_TYPE_MAP}};
    for (size_t i = 0; i < sizeof meta / sizeof *meta; i++)
        if (velo_schema_find(s, meta[i].name) < 0)
            schema_append(s, meta[i].name, velo_type_make(meta[i].t), true);
}

/* A file row's `_timestamp` / `_event_time` fields stand for record metadata (docs/sql/reference.md):
 * hidden TIMESTAMP columns whatever type the first rows suggested (epoch milliseconds or ISO-8601
 * text decode into a TIMESTAMP), as when the binder adds them to a source without them. */
static void time_fields_as_timestamps(velo_schema *s) {
    for (uint32_t i = 0; i < s->ncols; i++)
        if (time_sys_col(s->fields[i].name)) {
            s->fields[i].type = velo_type_make(VELO_TYPE_TIMESTAMP);
            s->fields[i].hidden = true;
        }
}

static const sql_cte *find_cte(pctx *pc, const char *name) {
    for (uint32_t i = pc->nctes; i-- > 0;)
        if (!strcasecmp(pc->ctes[i]->name, name)) return pc->ctes[i];
    return NULL;
}

static char *uri_from_props(const velo_kv *kv);

/* The original dialect names a source or sink in the statement's WITH (or SET) instead of declaring
 * it: '<name>.type'='kafka_source', '<name>.topic', ... -> its URI (malloc'd), or NULL. */
static char *uri_from_settings(pctx *pc, const char *name) {
    velo_kv mine;
    velo_kv_init(&mine);
    size_t n = strlen(name);
    const velo_kv *from[2] = {&pc->p->set, &pc->stmt_with};
    for (int k = 0; k < 2; k++)
        for (uint32_t i = 0; i < from[k]->count; i++) {
            const char *key = from[k]->items[i].key;
            if (!strncasecmp(key, name, n) && key[n] == '.' && key[n + 1])
                velo_kv_set(&mine, key + n + 1, from[k]->items[i].value);
        }
    char *uri = mine.count ? uri_from_props(&mine) : NULL;
    velo_kv_free(&mine);
    return uri;
}

static bool planned_scheme(const char *s) {
    static const char *const planned[] = {"postgresql", "postgres", "clickhouse", "s3", "iceberg"};
    for (size_t i = 0; i < sizeof planned / sizeof *planned; i++)
        if (!strcasecmp(s, planned[i])) return true;
    return false;
}

/* Checks the options a source or sink gets from its URI and the statement's WITH (a declaration's
 * own WITH is checked where it is declared); a planned connector is a warning, not an error, so that
 * scripts written for it validate. */
static void check_connector(pctx *pc, const velo_uri *uri, bool uri_here, sql_pos pos, const char *what) {
    if (planned_scheme(uri->scheme))
        warn(pc, pos, "warn.not_supported", "%s:// %s are not supported yet", uri->scheme, what);
    if (uri_here) velo_options_check(uri->scheme, &uri->params, pc->diags, pos.line, pos.col);
    /* the statement's WITH serves every source and sink of it: a key one connector knows is meant
     * for that one, so only keys no connector knows are reported */
    static const char *const schemes[] = {"file", "kafka", "stdout"};
    velo_kv unknown;
    velo_kv_init(&unknown);
    for (uint32_t i = 0; i < pc->stmt_with.count; i++) {
        bool known = false;
        for (size_t k = 0; k < sizeof schemes / sizeof *schemes; k++)
            known |= velo_option_known(schemes[k], pc->stmt_with.items[i].key);
        if (!known) velo_kv_set(&unknown, pc->stmt_with.items[i].key, pc->stmt_with.items[i].value);
    }
    velo_options_check(uri->scheme, &unknown, pc->diags, pos.line, pos.col);
    velo_kv_free(&unknown);
}

/* The declared, CTE or bound name closest to `name` (a likely typo), or NULL. */
static const char *closest_known(pctx *pc, const char *name) {
    const char *cands[256];
    uint32_t nc = 0;
    for (uint32_t i = 0; i < pc->p->ndecls && nc < 256; i++)
        cands[nc++] = pc->p->decls[i].name;
    for (uint32_t i = 0; i < pc->nctes && nc < 256; i++)
        cands[nc++] = pc->ctes[i]->name;
    for (uint32_t i = 0; pc->p->opts.binds && i < pc->p->opts.binds->count && nc < 256; i++)
        cands[nc++] = pc->p->opts.binds->items[i].key;
    return velo_closest_name(name, cands, nc);
}

/* A stream or table name nobody declares or binds outside FROM (INSERT INTO, DESCRIBE, DROP):
 * an error, or with undeclared_open (validate) and no close declared name a warning; returns true
 * for the warning. */
static bool undeclared_name(pctx *pc, sql_pos pos, const char *what, const char *name) {
    const char *hint = closest_known(pc, name);
    if (pc->p->opts.undeclared_open && !hint) {
        warn(pc, pos, "warn.undeclared_source",
             "%sunknown stream or table '%s': not checked; declare it with CREATE STREAM %s (...) or pass "
             "--bind %s=URI",
             what, name, name, name);
        return true;
    }
    diag(pc, pos, "bind.unknown_source", "%sunknown stream or table '%s'%s%s%s", what, name,
         hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
    return false;
}

/* Reports a bare source name nobody declares or binds. Returns true when it is only a warning
 * (validate without a catalog, no close declared name): the caller binds it as an open source. */
static bool unknown_source(pctx *pc, const char *name, sql_pos pos) {
    const char *hint = closest_known(pc, name);
    if (pc->p->opts.undeclared_open && !hint) {
        warn(pc, pos, "warn.undeclared_source",
             "unknown source '%s': its columns are not checked; declare it with CREATE STREAM %s (...) "
             "WITH ('uri'=...) or pass --bind %s=URI",
             name, name, name);
        return true;
    }
    diag(pc, pos, "bind.unknown_source",
         "unknown source '%s'%s%s%s declare it with CREATE STREAM %s (...) WITH ('uri'=...) or pass --bind "
         "%s=URI",
         name, hint ? "; did you mean '" : ";", hint ? hint : "", hint ? "'?" : "", name, name);
    return false;
}

/* A SCAN of a URI / declared / created source. Returns NULL after reporting an error. */
static velo_plan *plan_scan(pctx *pc, const sql_source *src) {
    velo_planner *p = pc->p;
    const char *uri_text = NULL;
    char *settings_uri = NULL;
    decl *d = NULL;
    if (src->kind == SQL_SOURCE_URI)
        uri_text = src->uri;
    else {
        /* --bind NAME=URI replaces only where a declared stream reads from: its columns, event time
         * and other options stay (a stream created by a statement is replaced whole) */
        uri_text = p->opts.binds ? velo_kv_get(p->opts.binds, src->name) : NULL;
        d = find_decl(p, src->name);
        if (uri_text && d && d->created) d = NULL;
        if (!uri_text && d) uri_text = d->uri;
        if (!uri_text && !d) uri_text = settings_uri = uri_from_settings(pc, src->name);
    }
    velo_plan *n = plan_new(VELO_PLAN_SCAN, src->pos);
    n->source.name = src->kind == SQL_SOURCE_NAME ? xdup(src->name) : NULL;
    n->source.alias = xdup(src->alias);
    velo_uri uri;
    bool have_uri = false;
    if (d && d->created && !uri_text) {
        n->source.uri = mi_strdup("stream://");
        n->source.scheme = mi_strdup("stream");
    } else if (d && d->created) {
        /* a created stream is read as a stream, whatever its sink */
        n->source.uri = xdup(uri_text);
        n->source.scheme = mi_strdup("stream");
    } else if (uri_text) {
        bool parsed = check_uri(pc, uri_text, src->pos, &uri);
        if (parsed) check_connector(pc, &uri, !d, src->pos, "sources");
        if (parsed) n->source.uri = xdup(uri_text);
        mi_free(settings_uri);
        if (!parsed) {
            velo_plan_free(n);
            return NULL;
        }
        have_uri = true;
        n->source.scheme = xdup(uri.scheme);
        add_kv(&n->source.options, &uri.params);
    } else if (!d && !unknown_source(pc, src->name, src->pos)) {
        /* a bare name nobody declared is a typo or a missing declaration: run never guesses */
        velo_plan_free(n);
        return NULL;
    }
    /* options: URI query < declaration WITH < SET < statement WITH */
    if (d) add_kv(&n->source.options, &d->options);
    add_kv(&n->source.options, &p->set);
    add_kv(&n->source.options, &pc->stmt_with);
    n->source.is_table = d && d->is_table;
    n->source.primary_key = d ? xdup(d->primary_key) : NULL;
    const char *scheme = n->source.scheme ? n->source.scheme : "";
    const char *watch = velo_kv_get(&n->source.options, "watch");
    n->source.bounded =
        !strcmp(scheme, "file") && !(watch && (!strcasecmp(watch, "true") || !strcmp(watch, "1")));

    const velo_schema *declared = d ? d->schema : NULL;
    if (have_uri && p->opts.resolve) {
        velo_source_info info = {0};
        velo_error err = {0};
        if (p->opts.resolve(p->opts.resolve_ud, &uri, &n->source.options, declared, &info, &err)) {
            diag(pc, src->pos, "bind.source", "%s", err.message);
            velo_uri_free(&uri);
            velo_plan_free(n);
            return NULL;
        }
        n->schema = info.schema;
        n->source.open = info.open || !info.schema;
        n->source.bounded = info.bounded;
    } else if (declared) {
        n->schema = velo_schema_copy(declared);
    } else {
        n->source.open = true;
    }
    if (!n->schema) n->schema = velo_schema_new(0);
    if (have_uri) velo_uri_free(&uri);
    if (!strcmp(scheme, "kafka"))
        add_kafka_metadata(n->schema);
    else if (!declared)
        time_fields_as_timestamps(n->schema);
    const char *etf = velo_kv_get(&n->source.options, "event.time.field");
    if (etf) {
        int idx = velo_schema_find(n->schema, etf);
        if (idx < 0 && n->source.open) {
            schema_append(n->schema, etf, velo_type_make(VELO_TYPE_ANY), false);
            idx = (int)n->schema->ncols - 1;
        }
        n->source.event_time_column = idx;
    } else if (!strcmp(scheme, "kafka")) {
        /* a Kafka record's event time is its timestamp unless 'event.time.field' names a column */
        n->source.event_time_column = velo_schema_find(n->schema, "_timestamp");
    }
    return n;
}

/* A subquery or CTE ends when every source under it ends (bounded files, tables). */
static bool plan_bounded(const velo_plan *n) {
    if (!n) return true;
    if (n->kind == VELO_PLAN_SCAN) return n->source.bounded || n->source.is_table;
    for (uint32_t i = 0; i < n->ninputs; i++)
        if (!plan_bounded(n->inputs[i])) return false;
    return plan_bounded(n->input) && plan_bounded(n->right);
}

/* One FROM item -> a relation. */
static bool plan_from_item(selctx *sc, const sql_source *src, scope *outer) {
    pctx *pc = sc->pc;
    if (sc->nrels == MAX_RELS) {
        diag(pc, src->pos, "bind.join", "too many sources in one SELECT (at most %d)", MAX_RELS);
        return false;
    }
    rel *r = &sc->rels[sc->nrels];
    memset(r, 0, sizeof *r);
    r->alias = src->alias ? src->alias : src->kind == SQL_SOURCE_NAME ? src->name : NULL;
    const sql_cte *cte = src->kind == SQL_SOURCE_NAME ? find_cte(pc, src->name) : NULL;
    const decl *def = NULL; /* a table defined by CREATE TABLE ... AS (no INTO): its query runs here */
    if (src->kind == SQL_SOURCE_NAME && !cte &&
        !(pc->p->opts.binds && velo_kv_get(pc->p->opts.binds, src->name))) {
        def = find_decl(pc->p, src->name);
        if (def && !def->query) def = NULL;
    }
    if (def) {
        velo_plan *sub = NULL;
        uint32_t before = pc->diags->nerrors;
        uint32_t saved = pc->nctes;
        pc->nctes = 0; /* the definition sees what its own statement saw: no CTE of this query */
        plan_query(pc, def->query, NULL, &sub);
        pc->nctes = saved;
        if (!sub || pc->diags->nerrors != before) {
            velo_plan_free(sub);
            return false;
        }
        r->plan = sub;
        r->is_table = true;
        r->bounded = plan_bounded(sub);
    } else if (src->kind == SQL_SOURCE_SUBQUERY || cte) {
        velo_plan *sub = NULL;
        uint32_t before = pc->diags->nerrors;
        /* a CTE is planned where it is used, seeing only the CTEs before it */
        uint32_t saved = pc->nctes;
        if (cte)
            for (uint32_t i = 0; i < pc->nctes; i++)
                if (pc->ctes[i] == cte) pc->nctes = i;
        plan_query(pc, cte ? cte->query : src->query, cte ? NULL : outer, &sub);
        pc->nctes = saved;
        if (!sub || pc->diags->nerrors != before) {
            velo_plan_free(sub);
            return false;
        }
        r->plan = sub;
        r->bounded = plan_bounded(sub);
    } else {
        r->plan = plan_scan(pc, src);
        if (!r->plan) return false;
        r->open = r->plan->source.open;
        r->is_table = r->plan->source.is_table;
        r->bounded = r->plan->source.bounded;
    }
    sc->nrels++;
    return true;
}

/* ---- aggregate and window-call discovery (syntax walks; subqueries are their own queries) ---- */

typedef void (*visit_fn)(void *ud, const sql_expr *e);

static void walk(const sql_expr *e, visit_fn fn, void *ud) {
    if (!e) return;
    fn(ud, e);
    switch (e->kind) {
    case SQL_EXPR_UNARY: walk(e->u.unary.arg, fn, ud); break;
    case SQL_EXPR_BINARY:
        walk(e->u.binary.left, fn, ud);
        walk(e->u.binary.right, fn, ud);
        break;
    case SQL_EXPR_FUNCTION:
        /* aggregate / window arguments are bound by their node, not walked for outer calls */
        if (e->u.func.over || aggregate_fn(e)) break;
        for (uint32_t i = 0; i < e->u.func.nargs; i++)
            walk(e->u.func.args[i], fn, ud);
        break;
    case SQL_EXPR_CASE:
        walk(e->u.case_.operand, fn, ud);
        for (uint32_t i = 0; i < e->u.case_.nwhens; i++) {
            walk(e->u.case_.whens[i], fn, ud);
            walk(e->u.case_.thens[i], fn, ud);
        }
        walk(e->u.case_.else_expr, fn, ud);
        break;
    case SQL_EXPR_CAST: walk(e->u.cast.arg, fn, ud); break;
    case SQL_EXPR_BETWEEN:
        walk(e->u.between.arg, fn, ud);
        walk(e->u.between.low, fn, ud);
        walk(e->u.between.high, fn, ud);
        break;
    case SQL_EXPR_IN_LIST:
        walk(e->u.in_list.arg, fn, ud);
        for (uint32_t i = 0; i < e->u.in_list.nitems; i++)
            walk(e->u.in_list.items[i], fn, ud);
        break;
    case SQL_EXPR_IN_SUBQUERY: walk(e->u.in_subquery.arg, fn, ud); break;
    case SQL_EXPR_LIKE:
        walk(e->u.like.arg, fn, ud);
        walk(e->u.like.pattern, fn, ud);
        walk(e->u.like.escape, fn, ud);
        break;
    case SQL_EXPR_IS_NULL: walk(e->u.is_null.arg, fn, ud); break;
    case SQL_EXPR_IS_DISTINCT:
        walk(e->u.is_distinct.left, fn, ud);
        walk(e->u.is_distinct.right, fn, ud);
        break;
    case SQL_EXPR_IS_BOOL: walk(e->u.is_bool.arg, fn, ud); break;
    case SQL_EXPR_EXTRACT: walk(e->u.extract.arg, fn, ud); break;
    case SQL_EXPR_SUBSCRIPT:
        walk(e->u.subscript.base, fn, ud);
        walk(e->u.subscript.index, fn, ud);
        break;
    case SQL_EXPR_FIELD: walk(e->u.field.base, fn, ud); break;
    default: break;
    }
}

typedef struct calls {
    const sql_expr **e;
    char **text;
    uint32_t n, cap;
    bool want_over; /* collect OVER calls (else aggregate calls) */
} calls;

static void collect(void *ud, const sql_expr *e) {
    calls *c = ud;
    if (e->kind != SQL_EXPR_FUNCTION) return;
    if (c->want_over != (e->u.func.over != NULL)) return;
    if (!c->want_over && !aggregate_fn(e)) return;
    char *t = expr_text(e);
    if (find_text(c->text, c->n, t) >= 0) {
        mi_free(t);
        return;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->e = mi_realloc(c->e, sizeof *c->e * c->cap);
        c->text = mi_realloc(c->text, sizeof *c->text * c->cap);
    }
    c->e[c->n] = e;
    c->text[c->n++] = t;
}

static void calls_free(calls *c) {
    for (uint32_t i = 0; i < c->n; i++)
        mi_free(c->text[i]);
    mi_free(c->text);
    mi_free(c->e);
}

/* ---- one SELECT ---- */

typedef struct agg_part {
    velo_expr **keys;
    char **key_names;
    velo_agg_call *aggs;
    velo_window_spec window;
    velo_expr *window_time; /* COLUMN over FROM, turned into an index after fixups */
} agg_part;

static velo_status bind_sort(scope *s, const sql_order_item *it, velo_sort_key *k) {
    k->desc = it->desc;
    k->nulls_first = it->nulls_first == 1; /* unspecified: NULLS LAST, as DuckDB */
    return bind_in(s, it->expr, &k->expr);
}

static velo_type agg_result(scope *from, const sql_expr *e, const velo_function *f, velo_agg_call *a,
                            bool *ok) {
    velo_binder b = {.diags = from->sc->pc->diags, .hooks = &hooks, .ud = from, .allow_unimplemented = true};
    velo_type t = velo_type_make(VELO_TYPE_NULL);
    *ok = !velo_function_bind_check(&b, e, f, a->args, a->nargs, &t);
    if (t.id == VELO_TYPE_NULL) {
        if (f->ret == VELO_RET_FIXED)
            t = velo_type_make(f->fixed);
        else
            t = a->nargs ? a->args[0]->type : velo_type_make(VELO_TYPE_BIGINT);
    }
    return type_or_varchar(t);
}

static bool bind_agg_call(scope *from, const sql_expr *e, char *text, velo_agg_call *a) {
    const velo_function *f = velo_function_lookup(e->u.func.name);
    memset(a, 0, sizeof *a);
    a->fn = f;
    a->text = text;
    a->star = e->u.func.star;
    a->distinct = e->u.func.distinct;
    a->nargs = e->u.func.nargs;
    a->args = mi_zalloc(sizeof *a->args * (a->nargs + 1));
    bool ok = true;
    from->in_agg_arg = true;
    for (uint32_t i = 0; i < a->nargs; i++)
        if (bind_in(from, e->u.func.args[i], &a->args[i])) ok = false;
    if (e->u.func.filter) {
        velo_binder b = {
            .diags = from->sc->pc->diags, .hooks = &hooks, .ud = from, .allow_unimplemented = true};
        if (bind_in(from, e->u.func.filter, &a->filter) ||
            velo_binder_require_bool(&b, &a->filter, e->u.func.filter, "FILTER condition"))
            ok = false;
    }
    if (e->u.func.norder) {
        a->norder = e->u.func.norder;
        a->order_by = mi_zalloc(sizeof *a->order_by * a->norder);
        for (uint32_t i = 0; i < a->norder; i++)
            if (bind_sort(from, &e->u.func.order_by[i], &a->order_by[i])) ok = false;
    }
    from->in_agg_arg = false;
    if (!ok) return false;
    /* PERCENTILE_CONT(f) WITHIN GROUP (ORDER BY x) is checked and run as (x, f) */
    if (f && !strcasecmp(f->name, "PERCENTILE_CONT") && a->nargs == 1 && a->norder == 1 &&
        !a->order_by[0].desc) {
        velo_expr **args = mi_zalloc(sizeof *args * 3);
        if (!args) return false;
        args[0] = a->order_by[0].expr;
        args[1] = a->args[0];
        mi_free(a->args);
        mi_free(a->order_by);
        a->args = args;
        a->nargs = 2;
        a->order_by = NULL;
        a->norder = 0;
    }
    bool tok;
    a->type = agg_result(from, e, f, a, &tok);
    return tok;
}

static bool interval_us(pctx *pc, const sql_expr *e, sql_pos at, const char *what, int64_t *us) {
    velo_error err;
    if (!e || velo_sql_interval_micros(e, us, &err)) {
        diag(pc, e ? e->pos : at, "bind.window", "%s: %s", what, e ? err.message : "missing duration");
        return false;
    }
    if (*us <= 0) {
        diag(pc, e->pos, "bind.window", "%s must be greater than zero", what);
        return false;
    }
    return true;
}

static bool plan_window(scope *from, const sql_window *w, agg_part *ap) {
    pctx *pc = from->sc->pc;
    velo_window_spec *ws = &ap->window;
    ws->kind = w->kind == SQL_WINDOW_TUMBLING  ? VELO_WINDOW_TUMBLING
               : w->kind == SQL_WINDOW_SLIDING ? VELO_WINDOW_SLIDING
                                               : VELO_WINDOW_SESSION;
    ws->time_column = -1;
    const char *what = w->kind == SQL_WINDOW_SESSION ? "session gap" : "window size";
    if (!interval_us(pc, w->size, w->pos, what, &ws->size_us)) return false;
    ws->advance_us = ws->size_us;
    if (w->kind == SQL_WINDOW_SLIDING) {
        if (!interval_us(pc, w->advance, w->pos, "window advance", &ws->advance_us)) return false;
        if (ws->advance_us > ws->size_us) {
            diag(pc, w->advance->pos, "bind.window",
                 "SLIDING advance (%lld us) must not be larger than the window size (%lld us)",
                 (long long)ws->advance_us, (long long)ws->size_us);
            return false;
        }
    }
    if (w->time_column) {
        if (w->time_column->kind != SQL_EXPR_COLUMN) {
            diag(pc, w->time_column->pos, "bind.window", "the window's time column must be a column name");
            return false;
        }
        if (bind_in(from, w->time_column, &ap->window_time)) return false;
        velo_type_id id = ap->window_time->type.id;
        if (id != VELO_TYPE_TIMESTAMP && id != VELO_TYPE_ANY && id != VELO_TYPE_BIGINT &&
            id != VELO_TYPE_DATE) {
            char tb[32];
            diag(pc, w->time_column->pos, "bind.window",
                 "the window's time column must be a TIMESTAMP, found %s",
                 velo_type_format(ap->window_time->type, tb, sizeof tb));
            return false;
        }
    }
    if (w->session_key && bind_in(from, w->session_key, &ws->session_key)) return false;
    return true;
}

static bool frame_offset(pctx *pc, const sql_frame_bound *fb, bool range, int64_t *off, bool *is_interval) {
    *off = 0;
    *is_interval = false;
    if (fb->kind != SQL_BOUND_PRECEDING && fb->kind != SQL_BOUND_FOLLOWING) return true;
    const sql_expr *e = fb->offset;
    if (e && e->kind == SQL_EXPR_LITERAL && e->u.lit.kind == SQL_LIT_INTERVAL) {
        if (!range) {
            diag(pc, e->pos, "bind.window",
                 "ROWS frames count rows: use an integer offset, or RANGE for an INTERVAL");
            return false;
        }
        *is_interval = true;
        velo_error err;
        if (velo_sql_interval_micros(e, off, &err)) {
            diag(pc, e->pos, "bind.window", "%s", err.message);
            return false;
        }
        return true;
    }
    if (!e || e->kind != SQL_EXPR_LITERAL || e->u.lit.kind != SQL_LIT_INTEGER) {
        diag(pc, e ? e->pos : (sql_pos){0, 0, 0}, "bind.window",
             "a frame offset must be an integer or an INTERVAL");
        return false;
    }
    *off = strtoll(e->u.lit.text, NULL, 10);
    return true;
}

static velo_frame_bound_kind bound_kind(sql_bound_kind k) {
    switch (k) {
    case SQL_BOUND_UNBOUNDED_PRECEDING: return VELO_BOUND_UNBOUNDED_PRECEDING;
    case SQL_BOUND_PRECEDING: return VELO_BOUND_PRECEDING;
    case SQL_BOUND_CURRENT_ROW: return VELO_BOUND_CURRENT_ROW;
    case SQL_BOUND_FOLLOWING: return VELO_BOUND_FOLLOWING;
    default: return VELO_BOUND_UNBOUNDED_FOLLOWING;
    }
}

/* Where a frame bound lies relative to the current row (ROWS: rows, RANGE: microseconds). */
static int64_t bound_position(velo_frame_bound_kind k, int64_t off) {
    switch (k) {
    case VELO_BOUND_UNBOUNDED_PRECEDING: return INT64_MIN;
    case VELO_BOUND_PRECEDING: return -off;
    case VELO_BOUND_CURRENT_ROW: return 0;
    case VELO_BOUND_FOLLOWING: return off;
    default: return INT64_MAX;
    }
}

/* A frame must not start after it ends (BETWEEN CURRENT ROW AND 2 PRECEDING is empty for every row). */
static bool frame_in_order(pctx *pc, const sql_over *o, const velo_frame *fr, bool iv1, bool iv2) {
    const char *why = NULL;
    if (fr->start_kind == VELO_BOUND_UNBOUNDED_FOLLOWING)
        why = ": UNBOUNDED FOLLOWING cannot start a frame";
    else if (fr->end_kind == VELO_BOUND_UNBOUNDED_PRECEDING)
        why = ": UNBOUNDED PRECEDING cannot end a frame";
    else if ((iv1 == iv2 || fr->start_offset == 0 || fr->end_offset == 0) &&
             bound_position(fr->start_kind, fr->start_offset) > bound_position(fr->end_kind, fr->end_offset))
        why = "";
    if (!why) return true;
    diag(pc, o->pos, "bind.window",
         "window frame starts after it ends%s; put the earlier bound first, e.g. BETWEEN 2 PRECEDING AND "
         "CURRENT ROW",
         why);
    return false;
}

static bool bind_analytic(scope *base, const sql_expr *e, char *text, velo_analytic_call *c) {
    pctx *pc = base->sc->pc;
    memset(c, 0, sizeof *c);
    c->text = text;
    const velo_function *f = velo_function_lookup(e->u.func.name);
    if (!f) {
        velo_expr *x = NULL;
        /* reports the unknown name with its closest match */
        sql_expr plain = *e;
        plain.u.func.over = NULL;
        bind_in(base, &plain, &x);
        velo_expr_free(x);
        return false;
    }
    if (f->kind == VELO_FN_SCALAR) {
        diag(pc, e->pos, "bind.window", "%s is not a window or aggregate function and cannot have OVER (...)",
             f->name);
        return false;
    }
    c->fn = f;
    c->star = e->u.func.star;
    const sql_over *o = e->u.func.over;
    bool ok = true;
    bool saved = base->window_ok;
    base->window_ok = false;
    c->nargs = e->u.func.nargs;
    c->args = mi_zalloc(sizeof *c->args * (c->nargs + 1));
    for (uint32_t i = 0; i < c->nargs; i++)
        if (bind_in(base, e->u.func.args[i], &c->args[i])) ok = false;
    c->npartition = o->npartition;
    c->partition_by = mi_zalloc(sizeof *c->partition_by * (o->npartition + 1));
    for (uint32_t i = 0; i < o->npartition; i++)
        if (bind_in(base, o->partition_by[i], &c->partition_by[i])) ok = false;
    c->norder = o->norder;
    c->order_by = mi_zalloc(sizeof *c->order_by * (o->norder + 1));
    for (uint32_t i = 0; i < o->norder; i++)
        if (bind_sort(base, &o->order_by[i], &c->order_by[i])) ok = false;
    base->window_ok = saved;
    if (!ok) return false;
    velo_frame *fr = &c->frame;
    fr->buffer_rows = o->buffer_rows;
    fr->start_kind = VELO_BOUND_UNBOUNDED_PRECEDING;
    fr->end_kind = VELO_BOUND_CURRENT_ROW;
    if (o->frame_unit != SQL_FRAME_NONE) {
        fr->present = true;
        fr->range = o->frame_unit == SQL_FRAME_RANGE;
        fr->start_kind = bound_kind(o->frame_start.kind);
        fr->end_kind = bound_kind(o->frame_end.kind);
        bool iv1, iv2;
        if (!frame_offset(pc, &o->frame_start, fr->range, &fr->start_offset, &iv1) ||
            !frame_offset(pc, &o->frame_end, fr->range, &fr->end_offset, &iv2))
            return false;
        if (!frame_in_order(pc, o, fr, iv1, iv2)) return false;
        if ((iv1 || iv2) && (c->norder != 1 || (c->order_by[0].expr->type.id != VELO_TYPE_TIMESTAMP &&
                                                c->order_by[0].expr->type.id != VELO_TYPE_ANY))) {
            char tb[32] = "nothing";
            if (c->norder == 1) velo_type_format(c->order_by[0].expr->type, tb, sizeof tb);
            diag(pc, o->pos, "bind.window",
                 "RANGE with an INTERVAL offset needs exactly one ORDER BY key of type TIMESTAMP (found %u "
                 "key%s%s%s)",
                 c->norder, c->norder == 1 ? "" : "s", c->norder == 1 ? " of type " : "",
                 c->norder == 1 ? tb : "");
            return false;
        }
    }
    velo_binder b = {.diags = pc->diags, .hooks = &hooks, .ud = base, .allow_unimplemented = true};
    velo_type t = velo_type_make(VELO_TYPE_NULL);
    if (velo_function_bind_check(&b, e, f, c->args, c->nargs, &t)) return false;
    if (t.id == VELO_TYPE_NULL)
        t = f->ret == VELO_RET_FIXED ? velo_type_make(f->fixed)
            : c->nargs               ? c->args[0]->type
                                     : velo_type_make(VELO_TYPE_BIGINT);
    c->type = type_or_varchar(t);
    return true;
}

/* ---- building the node tree once indexes are final ---- */

static velo_schema *concat_schema(const velo_schema *a, const velo_schema *b) {
    velo_schema *s = velo_schema_new(a->ncols + b->ncols);
    for (uint32_t i = 0; i < a->ncols + b->ncols; i++) {
        const velo_field *f = i < a->ncols ? &a->fields[i] : &b->fields[i - a->ncols];
        velo_schema_set(s, i, f->name, f->type);
        s->fields[i].hidden = f->hidden;
    }
    return s;
}

static bool refs_within(const velo_expr *e, uint32_t lo, uint32_t hi) {
    if (e->kind == VELO_EXPR_COLUMN && e->outer_depth == 0 && (e->column < lo || e->column >= hi))
        return false;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (!refs_within(e->args[i], lo, hi)) return false;
    return true;
}

static bool has_column(const velo_expr *e) {
    if (e->kind == VELO_EXPR_COLUMN && e->outer_depth == 0) return true;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (has_column(e->args[i])) return true;
    return false;
}

/* True when e reads a column of this query (depth 0). */
static bool refs_depth0(const velo_expr *e) { return has_column(e); }

static void shift_up(velo_expr *e, uint32_t by) {
    if (e->kind == VELO_EXPR_COLUMN && e->outer_depth == 0) e->column += by;
    for (uint32_t i = 0; i < e->nargs; i++)
        shift_up(e->args[i], by);
}

static void shift_columns(velo_expr *e, uint32_t by) {
    if (e->kind == VELO_EXPR_COLUMN && e->outer_depth == 0) e->column -= by;
    for (uint32_t i = 0; i < e->nargs; i++)
        shift_columns(e->args[i], by);
}

/* AND of a = b pairs where one side reads only the left input and the other only the right:
 * left keys over the left input, right keys over the right input. */
static void extract_keys(velo_plan *j, const velo_expr *c, uint32_t lw, uint32_t total) {
    if (c->kind == VELO_EXPR_AND) {
        extract_keys(j, c->args[0], lw, total);
        extract_keys(j, c->args[1], lw, total);
        return;
    }
    if (c->kind != VELO_EXPR_CMP || c->cmp != VELO_CMP_EQ || expr_has_subquery(c)) return;
    const velo_expr *a = c->args[0], *b = c->args[1];
    if (!has_column(a) || !has_column(b)) return;
    if (refs_within(b, 0, lw) && refs_within(a, lw, total)) {
        const velo_expr *t = a;
        a = b, b = t;
    }
    if (!refs_within(a, 0, lw) || !refs_within(b, lw, total)) return;
    /* the hash join compares encoded values: both keys in one type (DECIMAL scales included) */
    velo_type common;
    velo_error err;
    if (velo_common_type(a->type, b->type, &common, &err)) return;
    j->left_keys = mi_realloc(j->left_keys, sizeof *j->left_keys * (j->njoin_keys + 1));
    j->right_keys = mi_realloc(j->right_keys, sizeof *j->right_keys * (j->njoin_keys + 1));
    velo_expr *l = expr_clone(a);
    if (!velo_type_equal(l->type, common)) l = velo_binder_cast(NULL, l, common, NULL);
    j->left_keys[j->njoin_keys] = l;
    velo_expr *r = expr_clone(b);
    shift_columns(r, lw);
    if (!velo_type_equal(r->type, common)) r = velo_binder_cast(NULL, r, common, NULL);
    j->right_keys[j->njoin_keys++] = r;
}

/* ---- time bounds: a predicate on both event times bounds a stream-stream join ---- */

/* e is `column [+|- INTERVAL ...]...` over a TIMESTAMP column of this query (fixed intervals only):
 * its column and offset. */
static bool time_term(const velo_expr *e, uint32_t *col, int64_t *off) {
    if (e->kind == VELO_EXPR_COLUMN && !e->outer_depth && e->type.id == VELO_TYPE_TIMESTAMP) {
        *col = e->column;
        *off = 0;
        return true;
    }
    if (e->kind != VELO_EXPR_ARITH || e->nargs != 2 ||
        (e->arith != VELO_ARITH_ADD && e->arith != VELO_ARITH_SUB))
        return false;
    const velo_expr *t = e->args[0], *iv = e->args[1];
    if (e->arith == VELO_ARITH_ADD && t->kind == VELO_EXPR_CONST) t = e->args[1], iv = e->args[0];
    if (iv->kind != VELO_EXPR_CONST || iv->type.id != VELO_TYPE_INTERVAL || iv->constant.is_null ||
        iv->constant.u.iv.months)
        return false;
    if (!time_term(t, col, off)) return false;
    int64_t d = (int64_t)iv->constant.u.iv.days * 86400000000LL + iv->constant.u.iv.micros;
    *off += e->arith == VELO_ARITH_ADD ? d : -d;
    return true;
}

/* The conjuncts of c of the form `left time [+ i] op right time [+ j]` (op one of = >= > <= <, either
 * side first; BETWEEN is a >= / <= pair) over one left and one right TIMESTAMP column bound
 * left - right from below and above: when both bounds are found the join is time-bounded (Flink's
 * interval join), and state on each side can be pruned by its own bound. */
typedef struct time_bound {
    int32_t l, r; /* the columns (join row indexes), -1 until the first bound fixes them */
    bool has_lo, has_hi;
    int64_t lo, hi;
} time_bound;

static void collect_time_bounds(const velo_expr *c, uint32_t lw, uint32_t total, time_bound *tb) {
    if (c->kind == VELO_EXPR_AND) {
        for (uint32_t i = 0; i < c->nargs; i++)
            collect_time_bounds(c->args[i], lw, total, tb);
        return;
    }
    if (c->kind != VELO_EXPR_CMP || c->nargs != 2) return;
    uint32_t ca, cb;
    int64_t oa, ob;
    if (!time_term(c->args[0], &ca, &oa) || !time_term(c->args[1], &cb, &ob) || ca >= total || cb >= total)
        return;
    velo_cmp_op op = c->cmp;
    int64_t k;
    uint32_t l, r;
    if (ca < lw && cb >= lw) { /* l + oa op r + ob  <=>  l - r op ob - oa */
        l = ca, r = cb, k = ob - oa;
    } else if (cb < lw && ca >= lw) { /* r + oa op l + ob  <=>  l - r op' oa - ob (op mirrored) */
        l = cb, r = ca, k = oa - ob;
        op = op == VELO_CMP_GE   ? VELO_CMP_LE
             : op == VELO_CMP_GT ? VELO_CMP_LT
             : op == VELO_CMP_LE ? VELO_CMP_GE
             : op == VELO_CMP_LT ? VELO_CMP_GT
                                 : op;
    } else {
        return;
    }
    if (tb->l < 0) tb->l = (int32_t)l, tb->r = (int32_t)r;
    if ((int32_t)l != tb->l || (int32_t)r != tb->r) return; /* another pair of columns: not this bound */
    /* timestamps are whole microseconds: a strict bound is the next microsecond */
    bool lo = op == VELO_CMP_GE || op == VELO_CMP_GT || op == VELO_CMP_EQ;
    bool hi = op == VELO_CMP_LE || op == VELO_CMP_LT || op == VELO_CMP_EQ;
    if (!lo && !hi) return;
    if (lo) {
        int64_t v = op == VELO_CMP_GT ? k + 1 : k;
        if (!tb->has_lo || v > tb->lo) tb->lo = v;
        tb->has_lo = true;
    }
    if (hi) {
        int64_t v = op == VELO_CMP_LT ? k - 1 : k;
        if (!tb->has_hi || v < tb->hi) tb->hi = v;
        tb->has_hi = true;
    }
}

/* Sets j's time bound from cond (its ON condition, or the WHERE over a row that starts with j's
 * columns; the left input lw columns wide), when cond has one. */
static void find_time_bound(velo_plan *j, const velo_expr *cond, uint32_t lw) {
    if (j->join_kind > VELO_JOIN_FULL) return;
    time_bound tb = {-1, -1, false, false, 0, 0};
    collect_time_bounds(cond, lw, j->schema->ncols, &tb);
    if (!tb.has_lo || !tb.has_hi) return;
    j->time_bound = true;
    j->bound_lo_us = tb.lo;
    j->bound_hi_us = tb.hi;
    j->bound_left_time = tb.l;
    j->bound_right_time = tb.r - (int32_t)lw;
}

/* ---- WHERE conjuncts below hash joins ----
 *
 * A conjunct of WHERE that reads the columns of one side of an INNER join only filters that side
 * before the join: the same pairs come out, but the side kept by the join (the build side) holds
 * only the rows that can pass, and the probe side probes less (Nexmark q3/q4 filter each stream by
 * event_type: without this every event of the file was joined). Only through hash joins (the right
 * side ends and is read first, no WITHIN): a stream-stream join keeps a watermark from the rows it
 * sees, which a filter below it would change. Not into a TABLE side (latest row per key: a filter
 * before the key replacement would keep an older row), and only conjuncts that cannot fail on a
 * row (a row error on a row that never joins would be new). */

static void split_and(velo_expr *e, velo_expr ***v, uint32_t *n);
static velo_expr *and_of(velo_expr *a, velo_expr *b);
static velo_plan *wrap(velo_plan_kind kind, velo_plan *input, sql_pos pos);

static bool cannot_fail(const velo_expr *e) {
    switch (e->kind) {
    case VELO_EXPR_CONST:
    case VELO_EXPR_COLUMN:
        if (e->kind == VELO_EXPR_COLUMN && e->outer_depth) return false;
        return true;
    case VELO_EXPR_CMP:
    case VELO_EXPR_AND:
    case VELO_EXPR_OR:
    case VELO_EXPR_NOT:
    case VELO_EXPR_IS_NULL:
    case VELO_EXPR_IS_DISTINCT:
    case VELO_EXPR_IN_LIST: break;
    case VELO_EXPR_CAST: { /* widening numeric casts only */
        velo_type_id from = e->args[0]->type.id, to = e->type.id;
        bool from_int = from == VELO_TYPE_BIGINT || from == VELO_TYPE_BOOLEAN;
        if (!(e->try_cast || (from_int && to == VELO_TYPE_DOUBLE))) return false;
        break;
    }
    default: return false;
    }
    for (uint32_t i = 0; i < e->nargs; i++)
        if (!cannot_fail(e->args[i])) return false;
    return true;
}

static bool hash_inner_join(const velo_plan *p) {
    return p->kind == VELO_PLAN_JOIN && p->join_kind == VELO_JOIN_INNER && p->within_us < 0 &&
           plan_bounded(p->right);
}

static bool is_table_scan(const velo_plan *p) { return p->kind == VELO_PLAN_SCAN && p->source.is_table; }

/* Puts conjunct c (over *slot's columns) as deep as it goes; false (c untouched) when it stays. */
static bool push_conjunct(velo_plan **slot, velo_expr *c, sql_pos pos) {
    velo_plan *p = *slot;
    if (hash_inner_join(p)) {
        uint32_t lw = p->input->schema->ncols, total = p->schema->ncols;
        if (refs_within(c, 0, lw)) return push_conjunct(&p->input, c, pos);
        if (refs_within(c, lw, total) && !p->right_is_table && !is_table_scan(p->right)) {
            shift_columns(c, lw);
            if (push_conjunct(&p->right, c, pos)) return true;
            shift_up(c, lw);
        }
        return false;
    }
    if (is_table_scan(p)) return false;
    if (p->kind == VELO_PLAN_FILTER) {
        p->predicate = and_of(p->predicate, c);
        return true;
    }
    velo_plan *f = wrap(VELO_PLAN_FILTER, p, pos);
    f->predicate = c;
    *slot = f;
    return true;
}

/* Returns what is left of `where` once the conjuncts that go below the joins of *top went there. */
static velo_expr *push_below_joins(velo_plan **top, velo_expr *where, sql_pos pos) {
    if (!where || !hash_inner_join(*top)) return where;
    velo_expr **parts = NULL, *rest = NULL;
    uint32_t n = 0;
    split_and(where, &parts, &n);
    for (uint32_t i = 0; i < n; i++) {
        velo_expr *c = parts[i];
        if (!has_column(c) || !cannot_fail(c) || !push_conjunct(top, c, pos)) rest = and_of(rest, c);
    }
    mi_free(parts);
    return rest;
}

/* ---- decorrelation: [NOT] EXISTS / IN (correlated subquery) in WHERE -> SEMI / ANTI join ---- */

/* Largest outer_depth of a column in e; UINT32_MAX when e holds a subquery (not decorrelated). */
static uint32_t outer_depth_of(const velo_expr *e) {
    if (e->kind == VELO_EXPR_SUBQUERY) return UINT32_MAX;
    uint32_t d = e->kind == VELO_EXPR_COLUMN ? e->outer_depth : 0;
    for (uint32_t i = 0; i < e->nargs; i++) {
        uint32_t a = outer_depth_of(e->args[i]);
        if (a > d) d = a;
    }
    return d;
}

static bool expr_refs_outer(const velo_expr *e);
static bool plan_refs_outer(const velo_plan *p) {
    if (!p) return false;
    const velo_expr *roots[4] = {p->predicate, p->condition, NULL, NULL};
    for (uint32_t i = 0; i < 2; i++)
        if (roots[i] && expr_refs_outer(roots[i])) return true;
    for (uint32_t i = 0; i < p->nexprs; i++)
        if (expr_refs_outer(p->exprs[i])) return true;
    for (uint32_t i = 0; i < p->nkeys; i++)
        if (expr_refs_outer(p->keys[i])) return true;
    for (uint32_t i = 0; i < p->naggs; i++) {
        for (uint32_t k = 0; k < p->aggs[i].nargs; k++)
            if (expr_refs_outer(p->aggs[i].args[k])) return true;
        if (p->aggs[i].filter && expr_refs_outer(p->aggs[i].filter)) return true;
    }
    for (uint32_t i = 0; i < p->ncalls; i++)
        for (uint32_t k = 0; k < p->calls[i].nargs; k++)
            if (expr_refs_outer(p->calls[i].args[k])) return true;
    for (uint32_t i = 0; i < p->nsort; i++)
        if (expr_refs_outer(p->sort[i].expr)) return true;
    if (plan_refs_outer(p->input) || plan_refs_outer(p->right)) return true;
    for (uint32_t i = 0; i < p->ninputs; i++)
        if (plan_refs_outer(p->inputs[i])) return true;
    return false;
}

static bool expr_refs_outer(const velo_expr *e) {
    if (e->kind == VELO_EXPR_COLUMN && e->outer_depth) return true;
    if (e->kind == VELO_EXPR_SUBQUERY && e->subplan && plan_refs_outer(e->subplan)) return true;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (expr_refs_outer(e->args[i])) return true;
    return false;
}

/* Subquery columns move behind the outer row's (left columns..., right columns...); outer columns
 * (depth 1) become the left columns they name. */
static void remap_correlated(velo_expr *e, uint32_t lw) {
    if (e->kind == VELO_EXPR_COLUMN) {
        if (e->outer_depth)
            e->outer_depth--;
        else
            e->column += lw;
    }
    for (uint32_t i = 0; i < e->nargs; i++)
        remap_correlated(e->args[i], lw);
}

static void split_and(velo_expr *e, velo_expr ***v, uint32_t *n) {
    if (e->kind == VELO_EXPR_AND && e->nargs == 2) {
        split_and(e->args[0], v, n);
        split_and(e->args[1], v, n);
        e->nargs = 0;
        velo_expr_free(e);
        return;
    }
    *v = mi_realloc(*v, sizeof **v * (*n + 1));
    (*v)[(*n)++] = e;
}

static velo_expr *and_of(velo_expr *a, velo_expr *b) {
    if (!a) return b;
    if (!b) return a;
    velo_expr *x = velo_expr_new(VELO_EXPR_AND, velo_type_make(VELO_TYPE_BOOLEAN), 2);
    x->args[0] = a;
    x->args[1] = b;
    return x;
}

/* True when the [NOT] EXISTS / IN (subquery) node sq can be taken apart by split_exists_in: a
 * PROJECT -> [FILTER] -> X subquery where only the FILTER (and IN's selected value) read the
 * enclosing row, one level out. */
static bool exists_in_shape(const velo_expr *sq) {
    if (sq->kind != VELO_EXPR_SUBQUERY || !sq->subplan || sq->subquery_kind == VELO_SUBQUERY_SCALAR)
        return false;
    const velo_plan *proj = sq->subplan;
    if (proj->kind != VELO_PLAN_PROJECT || !proj->input) return false;
    const velo_plan *filter = proj->input->kind == VELO_PLAN_FILTER ? proj->input : NULL;
    const velo_plan *x = filter ? filter->input : proj->input;
    if (!x || plan_refs_outer(x)) return false;
    if (sq->subquery_kind == VELO_SUBQUERY_IN &&
        (proj->nexprs < 1 || outer_depth_of(proj->exprs[0]) > 1 || outer_depth_of(sq->args[0]) > 0))
        return false;
    if (filter && outer_depth_of(filter->predicate) > 1) return false;
    return filter || sq->subquery_kind == VELO_SUBQUERY_IN; /* else uncorrelated: materialized */
}

/* Takes apart the subquery of sq (exists_in_shape) to join it to a row of lw columns: returns its
 * input X (or the FILTER of its uncorrelated conditions over X), *corr the correlated conditions
 * over (outer row..., X row...), and for IN *eq the pair's `value = selected value` (else NULL). */
static velo_plan *split_exists_in(velo_expr *sq, uint32_t lw, velo_expr **corr, velo_expr **eq) {
    velo_plan *proj = sq->subplan;
    velo_plan *filter = proj->input->kind == VELO_PLAN_FILTER ? proj->input : NULL;
    velo_plan *x = filter ? filter->input : proj->input;
    velo_expr *cond = NULL, *keep = NULL;
    *eq = NULL;
    if (filter) {
        velo_expr **parts = NULL;
        uint32_t n = 0;
        split_and(filter->predicate, &parts, &n);
        filter->predicate = NULL;
        for (uint32_t i = 0; i < n; i++) {
            if (outer_depth_of(parts[i]) == 1) {
                remap_correlated(parts[i], lw);
                cond = and_of(cond, parts[i]);
            } else {
                keep = and_of(keep, parts[i]);
            }
        }
        mi_free(parts);
        if (keep) {
            filter->predicate = keep;
        } else {
            filter->input = NULL; /* X moves under the join: the FILTER has nothing left to do */
            proj->input = x;
            velo_plan_free(filter);
            filter = NULL;
        }
    }
    if (sq->subquery_kind == VELO_SUBQUERY_IN) {
        velo_expr *v = proj->exprs[0];
        proj->exprs[0] = NULL;
        proj->nexprs = 0; /* the rest of the select list is never evaluated */
        remap_correlated(v, lw);
        velo_expr *e = velo_expr_new(VELO_EXPR_CMP, velo_type_make(VELO_TYPE_BOOLEAN), 2);
        e->cmp = VELO_CMP_EQ;
        e->line = sq->line, e->col = sq->col;
        e->args[0] = sq->args[0];
        sq->args[0] = NULL;
        sq->nargs = 0;
        e->args[1] = v;
        *eq = e;
    }
    proj->input = NULL;
    *corr = cond;
    return filter ? filter : x;
}

/* The SEMI/ANTI join for conjunct c of a WHERE over `left`, or NULL when c is not a decorrelatable
 * [NOT] EXISTS / IN (subquery) (NOT IN is not: its NULLs need a mark join). On success c is consumed. */
static velo_plan *decorrelate_one(velo_plan *left, velo_expr *c) {
    velo_expr *sq = c;
    bool anti = false;
    if (sq->kind == VELO_EXPR_NOT && sq->nargs == 1 && sq->args[0]->kind == VELO_EXPR_SUBQUERY) {
        sq = sq->args[0];
        anti = true;
    }
    if (!exists_in_shape(sq)) return NULL;
    if (sq->subquery_kind == VELO_SUBQUERY_IN && (anti || sq->negated)) return NULL; /* NOT IN: NULLs */
    anti = anti != (sq->subquery_kind == VELO_SUBQUERY_EXISTS && sq->negated);
    uint32_t lw = left->schema->ncols;
    velo_expr *cond, *eq;
    velo_plan *right = split_exists_in(sq, lw, &cond, &eq);
    cond = and_of(cond, eq);
    sql_pos pos = {sq->line, sq->col, 0};
    velo_plan *jp = plan_new(VELO_PLAN_JOIN, pos);
    jp->join_kind = anti ? VELO_JOIN_ANTI : VELO_JOIN_SEMI;
    jp->input = left;
    jp->right = right;
    jp->schema = velo_schema_copy(left->schema);
    jp->condition = cond;
    if (cond) extract_keys(jp, cond, lw, lw + right->schema->ncols);
    velo_expr_free(c);
    return jp;
}

/* Replaces the node e by `by` (a fresh node, consumed), keeping e's SQL position. */
static void replace_node(velo_expr *e, velo_expr *by) {
    if (e->subplan && e->subplan_free) e->subplan_free(e->subplan);
    for (uint32_t i = 0; i < e->nargs; i++)
        velo_expr_free(e->args[i]);
    mi_free(e->args);
    uint32_t line = e->line, col = e->col;
    *e = *by;
    mi_free(by);
    e->line = line, e->col = col;
}

/* A correlated [NOT] EXISTS / [NOT] IN (subquery) anywhere in an expression (under OR, NOT IN with
 * its NULLs, the select list) becomes a MARK join of *cur with the subquery's input, and the node
 * the mark column (NOT mark when negated). False (nothing changed) for any other shape. */
static bool decorrelate_mark(velo_plan **cur, velo_expr *sq) {
    if (!exists_in_shape(sq)) return false;
    uint32_t lw = (*cur)->schema->ncols;
    velo_expr *cond, *eq;
    velo_plan *right = split_exists_in(sq, lw, &cond, &eq);
    sql_pos pos = {sq->line, sq->col, 0};
    velo_plan *jp = plan_new(VELO_PLAN_JOIN, pos);
    jp->join_kind = VELO_JOIN_MARK;
    jp->input = *cur;
    jp->right = right;
    jp->schema = velo_schema_copy((*cur)->schema);
    schema_append(jp->schema, "$mark", velo_type_make(VELO_TYPE_BOOLEAN), true);
    jp->condition = cond;
    if (eq) {
        jp->exprs = mi_zalloc(sizeof *jp->exprs);
        jp->exprs[0] = eq;
        jp->nexprs = 1;
    }
    if (cond) extract_keys(jp, cond, lw, lw + right->schema->ncols);
    *cur = jp;
    velo_expr *m = column_node(lw, velo_type_make(VELO_TYPE_BOOLEAN), NULL);
    if (sq->negated) {
        velo_expr *n = velo_expr_new(VELO_EXPR_NOT, velo_type_make(VELO_TYPE_BOOLEAN), 1);
        n->args[0] = m;
        m = n;
    }
    replace_node(sq, m);
    return true;
}

/* In the select-list expression of a decorrelated scalar subquery (aggregate i at column first + i
 * of the joined row), COUNT(...) columns read `CASE WHEN c IS NULL THEN 0 ELSE c END`: an outer row
 * without a group gets NULL from the LEFT JOIN, but COUNT over no row is 0. */
static void coalesce_counts(velo_expr *e, uint32_t first, const velo_plan *agg) {
    for (uint32_t i = 0; i < e->nargs; i++)
        coalesce_counts(e->args[i], first, agg);
    if (e->kind != VELO_EXPR_COLUMN || e->outer_depth || e->column < first || e->column >= first + agg->naggs)
        return;
    const velo_agg_call *a = &agg->aggs[e->column - first];
    if (strcasecmp(a->fn->name, "COUNT")) return;
    velo_type t = e->type;
    velo_expr *isnull = velo_expr_new(VELO_EXPR_IS_NULL, velo_type_make(VELO_TYPE_BOOLEAN), 1);
    isnull->args[0] = column_node(e->column, t, NULL);
    velo_expr *zero = velo_expr_new(VELO_EXPR_CONST, t, 0);
    zero->constant.type = t;
    zero->constant.is_null = false;
    zero->constant.u.i64 = 0;
    velo_expr *c = velo_expr_new(VELO_EXPR_CASE, t, 3);
    c->args[0] = isnull;
    c->args[1] = zero;
    c->args[2] = column_node(e->column, t, NULL);
    c->has_else = true;
    replace_node(e, c);
}

/* The correlated scalar subquery `(SELECT agg(...) FROM X WHERE x.k = t.k [AND ...])` becomes a
 * LEFT JOIN of *cur with `SELECT x.k, agg(...) FROM X WHERE ... GROUP BY x.k` on t.k = x.k, and the
 * subquery node the select-list expression over the joined columns. Only aggregates that give
 * NULL over no row (not COUNT): an outer row without a group then sees what an empty group gives.
 * Returns false (nothing changed) for any other shape. */
static bool decorrelate_scalar(velo_plan **cur, velo_expr *sq) {
    velo_plan *proj = sq->subplan;
    if (proj->kind != VELO_PLAN_PROJECT || proj->nexprs < 1 || !proj->input) return false;
    velo_plan *agg = proj->input;
    if (agg->kind != VELO_PLAN_AGGREGATE || agg->nkeys || agg->windowed || !agg->naggs || !agg->input)
        return false;
    for (uint32_t i = 0; i < agg->naggs; i++)
        if (agg->aggs[i].filter || agg->aggs[i].norder) return false;
    velo_plan *filter = agg->input->kind == VELO_PLAN_FILTER ? agg->input : NULL;
    velo_plan *x = filter ? filter->input : agg->input;
    if (!filter || !x || plan_refs_outer(x) || outer_depth_of(filter->predicate) > 1 ||
        outer_depth_of(proj->exprs[0]) > 0)
        return false;
    for (uint32_t i = 0; i < agg->naggs; i++)
        for (uint32_t k = 0; k < agg->aggs[i].nargs; k++)
            if (outer_depth_of(agg->aggs[i].args[k]) > 0) return false;
    /* every correlated conjunct must be inner = outer: the inner sides become the GROUP BY keys */
    velo_expr **parts = NULL;
    uint32_t n = 0;
    split_and(filter->predicate, &parts, &n);
    filter->predicate = NULL;
    bool ok = true;
    for (uint32_t i = 0; i < n && ok; i++) {
        const velo_expr *c = parts[i];
        if (outer_depth_of(c) == 0) continue;
        ok = c->kind == VELO_EXPR_CMP && c->cmp == VELO_CMP_EQ &&
             ((outer_depth_of(c->args[0]) == 0 && has_column(c->args[0]) && !refs_depth0(c->args[1])) ||
              (outer_depth_of(c->args[1]) == 0 && has_column(c->args[1]) && !refs_depth0(c->args[0])));
    }
    if (!ok) {
        for (uint32_t i = 0; i < n; i++)
            filter->predicate = and_of(filter->predicate, parts[i]);
        mi_free(parts);
        return false;
    }
    velo_expr *keep = NULL, **inner = NULL, **outer = NULL;
    uint32_t nk = 0;
    for (uint32_t i = 0; i < n; i++) {
        velo_expr *c = parts[i];
        if (outer_depth_of(c) == 0) {
            keep = and_of(keep, c);
            continue;
        }
        bool left_inner =
            outer_depth_of(c->args[0]) == 0 && has_column(c->args[0]) && !refs_depth0(c->args[1]);
        inner = mi_realloc(inner, sizeof *inner * (nk + 1));
        outer = mi_realloc(outer, sizeof *outer * (nk + 1));
        inner[nk] = c->args[left_inner ? 0 : 1];
        outer[nk] = c->args[left_inner ? 1 : 0];
        nk++;
        c->nargs = 0; /* the sides moved out */
        velo_expr_free(c);
    }
    mi_free(parts);
    if (keep) {
        filter->predicate = keep;
    } else {
        filter->input = NULL;
        agg->input = x;
        velo_plan_free(filter);
    }
    /* GROUP BY the inner keys: output keys..., aggs... */
    velo_schema *as = velo_schema_new(nk + agg->naggs);
    for (uint32_t i = 0; i < nk; i++) {
        char name[32];
        snprintf(name, sizeof name, "$corr%u", i);
        velo_schema_set(as, i, name, type_or_varchar(inner[i]->type));
    }
    for (uint32_t i = 0; i < agg->naggs; i++)
        velo_schema_set(as, nk + i, agg->schema->fields[i].name, agg->schema->fields[i].type);
    velo_schema_free(agg->schema);
    agg->schema = as;
    agg->keys = inner;
    agg->nkeys = nk;
    proj->input = NULL;
    uint32_t lw = (*cur)->schema->ncols;
    velo_expr *cond = NULL;
    for (uint32_t i = 0; i < nk; i++) {
        remap_correlated(outer[i], 0); /* depth 1 -> the row of *cur */
        velo_expr *eq = velo_expr_new(VELO_EXPR_CMP, velo_type_make(VELO_TYPE_BOOLEAN), 2);
        eq->cmp = VELO_CMP_EQ;
        eq->args[0] = outer[i];
        eq->args[1] = column_node(lw + i, as->fields[i].type, NULL);
        cond = and_of(cond, eq);
    }
    mi_free(outer);
    sql_pos pos = {sq->line, sq->col, 0};
    velo_plan *jp = plan_new(VELO_PLAN_JOIN, pos);
    jp->join_kind = VELO_JOIN_LEFT;
    jp->input = *cur;
    jp->right = agg;
    jp->schema = concat_schema((*cur)->schema, agg->schema);
    jp->condition = cond;
    extract_keys(jp, cond, lw, jp->schema->ncols);
    *cur = jp;
    /* the subquery node becomes its select-list expression over the joined aggregate columns */
    velo_expr *v = proj->exprs[0];
    proj->exprs[0] = NULL;
    proj->nexprs = 0;
    shift_up(v, lw + nk);
    coalesce_counts(v, lw + nk, agg);
    velo_type t = sq->type;
    sq->subplan_free(sq->subplan);
    sq->subplan = NULL;
    for (uint32_t i = 0; i < sq->nargs; i++)
        velo_expr_free(sq->args[i]);
    mi_free(sq->args);
    uint32_t line = sq->line, col = sq->col;
    *sq = *v;
    mi_free(v);
    if (!velo_type_equal(sq->type, t) && t.id != VELO_TYPE_VARCHAR) sq->type = t;
    sq->line = line, sq->col = col;
    return true;
}

/* Decorrelates the correlated subqueries anywhere in e (an expression over the rows of *cur): scalar
 * ones into LEFT JOINs, [NOT] EXISTS / IN into MARK joins, each adding columns at the end of *cur. */
static void decorrelate_exprs(velo_plan **cur, velo_expr *e) {
    if (!e) return;
    for (uint32_t i = 0; i < e->nargs; i++)
        decorrelate_exprs(cur, e->args[i]);
    if (e->kind != VELO_EXPR_SUBQUERY || !e->subplan || !plan_refs_outer(e->subplan)) return;
    if (e->subquery_kind == VELO_SUBQUERY_SCALAR)
        decorrelate_scalar(cur, e);
    else
        decorrelate_mark(cur, e);
}

/* Calls fn on every expression root of p and of the nodes below it (not into subqueries). */
static void plan_each_expr(velo_plan *p, void (*fn)(velo_expr *e, void *ud), void *ud) {
    if (!p) return;
    velo_expr *roots[3] = {p->predicate, p->condition, p->window.session_key};
    for (uint32_t i = 0; i < 3; i++)
        if (roots[i]) fn(roots[i], ud);
    for (uint32_t i = 0; i < p->nexprs; i++)
        if (p->exprs[i]) fn(p->exprs[i], ud);
    for (uint32_t i = 0; i < p->nkeys; i++)
        fn(p->keys[i], ud);
    for (uint32_t i = 0; i < p->njoin_keys; i++) {
        fn(p->left_keys[i], ud);
        fn(p->right_keys[i], ud);
    }
    for (uint32_t i = 0; i < p->naggs; i++) {
        for (uint32_t k = 0; k < p->aggs[i].nargs; k++)
            fn(p->aggs[i].args[k], ud);
        if (p->aggs[i].filter) fn(p->aggs[i].filter, ud);
        for (uint32_t k = 0; k < p->aggs[i].norder; k++)
            fn(p->aggs[i].order_by[k].expr, ud);
    }
    for (uint32_t i = 0; i < p->ncalls; i++) {
        const velo_analytic_call *c = &p->calls[i];
        for (uint32_t k = 0; k < c->nargs; k++)
            fn(c->args[k], ud);
        for (uint32_t k = 0; k < c->npartition; k++)
            fn(c->partition_by[k], ud);
        for (uint32_t k = 0; k < c->norder; k++)
            fn(c->order_by[k].expr, ud);
    }
    for (uint32_t i = 0; i < p->nsort; i++)
        fn(p->sort[i].expr, ud);
    plan_each_expr(p->input, fn, ud);
    plan_each_expr(p->right, fn, ud);
    for (uint32_t i = 0; i < p->ninputs; i++)
        plan_each_expr(p->inputs[i], fn, ud);
}

/* Correlated columns of a subquery in the HAVING or select list of a grouped query name the FROM
 * columns of the enclosing query; above its AGGREGATE they must read the GROUP BY key columns. */
typedef struct key_remap {
    velo_expr **keys; /* the AGGREGATE's keys over FROM */
    uint32_t nkeys;
    uint32_t depth;       /* outer_depth that names the grouped query at this level */
    const velo_expr *bad; /* a correlated column that is no plain GROUP BY key */
} key_remap;

static void remap_expr_to_keys(velo_expr *e, void *ud) {
    key_remap *m = ud;
    if (e->kind == VELO_EXPR_COLUMN && m->depth && e->outer_depth == m->depth) {
        uint32_t k = 0;
        while (k < m->nkeys && !(m->keys[k]->kind == VELO_EXPR_COLUMN && !m->keys[k]->outer_depth &&
                                 m->keys[k]->column == e->column))
            k++;
        if (k < m->nkeys)
            e->column = k;
        else if (!m->bad)
            m->bad = e;
    }
    for (uint32_t i = 0; i < e->nargs; i++)
        remap_expr_to_keys(e->args[i], ud);
    if (e->kind == VELO_EXPR_SUBQUERY && e->subplan) {
        m->depth++;
        plan_each_expr(e->subplan, remap_expr_to_keys, m);
        m->depth--;
    }
}

/* Remaps the correlated columns of the subqueries in e (HAVING / select list of a grouped query) to
 * the AGGREGATE's key columns; false (with a diagnostic) when one reads a column that is not a key. */
static bool remap_to_keys(pctx *pc, velo_expr *e, velo_expr **keys, uint32_t nkeys) {
    if (!e) return true;
    key_remap m = {keys, nkeys, 0, NULL};
    remap_expr_to_keys(e, &m); /* depth 0: the query's own columns are aggregate columns already */
    if (m.bad) {
        sql_pos pos = {m.bad->line, m.bad->col, 0};
        diag(pc, pos, "bind.group_by",
             "a correlated subquery of a grouped query may only read the enclosing query's GROUP BY "
             "columns (or use them inside its own aggregates)");
        return false;
    }
    return true;
}

/* Keeps the first `width` columns of *cur (drops those the decorrelation joins added), so that the
 * nodes above see the columns they were bound against. */
static void trim_to(velo_plan **cur, uint32_t width, sql_pos pos) {
    const velo_schema *in = (*cur)->schema;
    if (in->ncols <= width) return;
    velo_plan *pj = plan_new(VELO_PLAN_PROJECT, pos);
    pj->input = *cur;
    pj->nexprs = width;
    pj->exprs = mi_zalloc(sizeof *pj->exprs * (width + 1));
    pj->schema = velo_schema_new(width);
    for (uint32_t i = 0; i < width; i++) {
        pj->exprs[i] = column_node(i, in->fields[i].type, NULL);
        velo_schema_set(pj->schema, i, in->fields[i].name, in->fields[i].type);
        pj->schema->fields[i].hidden = in->fields[i].hidden;
    }
    *cur = pj;
}

/* Turns the decorrelatable conjuncts of `where` into joins over *cur; returns what is left of it. */
static velo_expr *decorrelate_where(velo_plan **cur, velo_expr *where) {
    velo_expr **parts = NULL;
    uint32_t n = 0;
    split_and(where, &parts, &n);
    velo_expr *rest = NULL;
    for (uint32_t i = 0; i < n; i++) {
        velo_plan *j = expr_refs_outer(parts[i]) ? decorrelate_one(*cur, parts[i]) : NULL;
        if (j)
            *cur = j;
        else
            rest = and_of(rest, parts[i]);
    }
    mi_free(parts);
    return rest;
}

static velo_plan *wrap(velo_plan_kind kind, velo_plan *input, sql_pos pos) {
    velo_plan *n = plan_new(kind, pos);
    n->input = input;
    n->schema = velo_schema_copy(input->schema);
    return n;
}

/* True when some window call must keep every row of its partition: an aggregate or a
 * distribution function (NTILE, PERCENT_RANK, CUME_DIST, NTH_VALUE, LAST_VALUE) whose frame has no
 * bounded start. LAG/LEAD/ROW_NUMBER/RANK/DENSE_RANK keep a few rows per partition. */
static bool analytic_keeps_all_rows(const velo_analytic_call *calls, uint32_t n) {
    static const char *const bounded_fns[] = {"LAG", "LEAD", "ROW_NUMBER", "RANK", "DENSE_RANK"};
    for (uint32_t i = 0; i < n; i++) {
        const velo_analytic_call *c = &calls[i];
        if (!c->fn) continue;
        bool small = false;
        for (size_t k = 0; k < sizeof bounded_fns / sizeof *bounded_fns; k++)
            if (!strcasecmp(c->fn->name, bounded_fns[k])) small = true;
        if (small) continue;
        if (c->frame.present && c->frame.start_kind == VELO_BOUND_PRECEDING)
            continue; /* n rows or an interval */
        if (c->frame.buffer_rows > 0) continue;
        return true;
    }
    return false;
}

static bool any_unbounded(const selctx *sc) {
    for (uint32_t r = 0; r < sc->nrels; r++)
        if (!sc->rels[r].bounded && !sc->rels[r].is_table) return true;
    return false;
}

/* Plans one SELECT with (when it is the whole query) its ORDER BY and LIMIT. */
static velo_plan *plan_select(pctx *pc, const sql_select *sel, const sql_order_item *order, uint32_t norder,
                              scope *outer, char ***pk_out, uint32_t *npk_out) {
    velo_diags *dg = pc->diags;
    uint32_t errors0 = dg->nerrors;
    selctx *sc = mi_zalloc(sizeof *sc);
    sc->pc = pc;
    sc->outer = outer;
    sc->sel = sel;
    scope from = {.kind = SC_FROM, .sc = sc};
    velo_plan *result = NULL;

    /* FROM and JOIN sources */
    bool from_ok = true;
    if (sel->from) {
        from_ok = plan_from_item(sc, sel->from, outer);
        for (uint32_t j = 0; j < sel->njoins && from_ok; j++)
            from_ok = plan_from_item(sc, &sel->joins[j].source, outer);
    }
    if (!from_ok) goto cleanup_early;
    sc->nvisible = 1;
    if (!sel->from) sc->nvisible = 0;

    /* JOIN ... ON: each condition sees the sources up to its own */
    velo_expr *conds[MAX_RELS] = {0};
    int64_t within[MAX_RELS];
    bool unbounded_join[MAX_RELS] = {0};
    for (uint32_t j = 0; j < sel->njoins; j++) {
        const sql_join *jn = &sel->joins[j];
        sc->nvisible = j + 2;
        within[j] = -1;
        if (jn->on) {
            scope on = from;
            on.agg_forbidden = "JOIN ... ON";
            on.join_on = true;
            velo_binder b = {.diags = dg, .hooks = &hooks, .ud = &on, .allow_unimplemented = true};
            if (!bind_in(&on, jn->on, &conds[j]))
                velo_binder_require_bool(&b, &conds[j], jn->on, "JOIN condition");
        }
        if (jn->within) interval_us(pc, jn->within, jn->pos, "JOIN ... WITHIN", &within[j]);
        const rel *lr = &sc->rels[0], *rr = &sc->rels[j + 1];
        /* said once the plan is built, unless ON holds a time bound on both event times */
        unbounded_join[j] = !jn->within && !lr->bounded && !lr->is_table && !rr->bounded && !rr->is_table;
    }
    sc->nvisible = sc->nrels;

    /* WHERE */
    velo_expr *where = NULL;
    if (sel->where) {
        scope w = from;
        w.agg_forbidden = "WHERE";
        velo_binder b = {.diags = dg, .hooks = &hooks, .ud = &w, .allow_unimplemented = true};
        if (!bind_in(&w, sel->where, &where))
            velo_binder_require_bool(&b, &where, sel->where, "WHERE condition");
    }

    /* aggregation: GROUP BY, WINDOW, aggregate calls in SELECT / HAVING / ORDER BY */
    calls aggs = {0}, wins = {.want_over = true};
    for (uint32_t i = 0; i < sel->nitems; i++)
        walk(sel->items[i].expr, collect, &aggs);
    walk(sel->having, collect, &aggs);
    for (uint32_t i = 0; i < norder; i++)
        walk(order[i].expr, collect, &aggs);
    for (uint32_t i = 0; i < sel->nitems; i++)
        walk(sel->items[i].expr, collect, &wins);
    for (uint32_t i = 0; i < norder; i++)
        walk(order[i].expr, collect, &wins);
    bool is_agg = sel->ngroup || sel->window || sel->having || aggs.n;

    agg_part ap = {0};
    scope agg = {.kind = SC_AGG, .sc = sc};
    uint32_t nkeys = 0;
    const sql_expr **key_ast = mi_zalloc(sizeof *key_ast * (sel->ngroup + 1));
    if (is_agg) {
        ap.keys = mi_zalloc(sizeof *ap.keys * (sel->ngroup + 1));
        ap.key_names = mi_zalloc(sizeof *ap.key_names * (sel->ngroup + 1));
        agg.key_text = mi_zalloc(sizeof *agg.key_text * (sel->ngroup + 1));
        agg.key_rel = mi_zalloc(sizeof *agg.key_rel * (sel->ngroup + 1));
        agg.key_local = mi_zalloc(sizeof *agg.key_local * (sel->ngroup + 1));
        for (uint32_t g = 0; g < sel->ngroup; g++) {
            const sql_expr *ge = sel->group_by[g];
            const char *name = NULL;
            if (ge->kind == SQL_EXPR_LITERAL && ge->u.lit.kind == SQL_LIT_INTEGER) {
                long n = strtol(ge->u.lit.text, NULL, 10);
                if (n < 1 || (uint32_t)n > sel->nitems || sel->items[n - 1].expr->kind == SQL_EXPR_STAR) {
                    diag(pc, ge->pos, "bind.group_by",
                         "GROUP BY %ld does not name a select-list item (1..%u)", n, sel->nitems);
                    continue;
                }
                name = sel->items[n - 1].alias;
                ge = sel->items[n - 1].expr;
            } else if (ge->kind == SQL_EXPR_COLUMN && ge->u.column.nparts == 1) {
                const char *cn = ge->u.column.parts[0];
                if (is_window_col(cn)) {
                    if (!sel->window)
                        diag(pc, ge->pos, "bind.window", "GROUP BY %s needs a WINDOW clause", cn);
                    continue;
                }
                colref r;
                velo_diags quiet;
                velo_diags_init(&quiet);
                velo_binder qb = {.diags = &quiet};
                bool known = lookup_here(sc, &qb, ge, false, &r) > 0;
                velo_diags_free(&quiet);
                for (uint32_t i = 0; !known && i < sel->nitems; i++)
                    if (sel->items[i].alias && !strcasecmp(sel->items[i].alias, cn)) {
                        name = sel->items[i].alias;
                        ge = sel->items[i].expr;
                        break;
                    }
            }
            velo_expr *k = NULL;
            scope ks = from;
            ks.agg_forbidden = "GROUP BY";
            if (bind_in(&ks, ge, &k)) continue;
            key_ast[nkeys] = ge;
            ap.keys[nkeys] = k;
            agg.key_text[nkeys] = expr_text(ge);
            agg.key_rel[nkeys] = -1;
            if (ge->kind == SQL_EXPR_COLUMN) {
                colref r;
                velo_binder qb = {.diags = dg};
                if (resolve(&from, &qb, ge, false, &r) > 0 && r.depth == 0 && r.used == ge->u.column.nparts) {
                    agg.key_rel[nkeys] = r.rel;
                    agg.key_local[nkeys] = r.local;
                }
                if (!name) name = ge->u.column.parts[ge->u.column.nparts - 1];
            }
            /* a select item that is this key gives it its name */
            for (uint32_t i = 0; !name && i < sel->nitems; i++) {
                char *t = expr_text(sel->items[i].expr);
                if (!strcmp(t, agg.key_text[nkeys])) name = sel->items[i].alias;
                mi_free(t);
            }
            ap.key_names[nkeys] = mi_strdup(name ? name : agg.key_text[nkeys]);
            nkeys++;
        }
        /* SESSION(time, gap, key): the session key groups like a GROUP BY key */
        const sql_expr *sk = sel->window ? sel->window->session_key : NULL;
        if (sk && sk->kind == SQL_EXPR_COLUMN) {
            char *t = expr_text(sk);
            colref r;
            /* quiet: plan_window binds the key again and reports an unknown name once */
            velo_diags quiet;
            velo_diags_init(&quiet);
            velo_binder qb = {.diags = &quiet};
            velo_expr *k = NULL;
            bool have = find_text(agg.key_text, nkeys, t) >= 0;
            if (!have && resolve(&from, &qb, sk, true, &r) > 0 && r.depth == 0) {
                for (uint32_t i = 0; i < nkeys; i++)
                    have |= agg.key_rel[i] == r.rel && agg.key_local[i] == r.local;
                if (!have && !bind_in(&from, sk, &k)) {
                    ap.keys[nkeys] = k;
                    agg.key_text[nkeys] = t;
                    t = NULL;
                    agg.key_rel[nkeys] = r.rel;
                    agg.key_local[nkeys] = r.local;
                    ap.key_names[nkeys] = mi_strdup(sk->u.column.parts[sk->u.column.nparts - 1]);
                    nkeys++;
                }
            }
            velo_diags_free(&quiet);
            mi_free(t);
        }
        agg.nkeys = nkeys;
        agg.windowed = sel->window != NULL;
        if (sel->window) plan_window(&from, sel->window, &ap);
        ap.aggs = mi_zalloc(sizeof *ap.aggs * (aggs.n + 1));
        for (uint32_t i = 0; i < aggs.n; i++) {
            bind_agg_call(&from, aggs.e[i], aggs.text[i], &ap.aggs[i]);
            aggs.text[i] = NULL;
        }
        agg.agg_text = mi_zalloc(sizeof *agg.agg_text * (aggs.n + 1));
        for (uint32_t i = 0; i < aggs.n; i++)
            agg.agg_text[i] = ap.aggs[i].text;
        agg.naggs = aggs.n;
        if (!sel->window && any_unbounded(sc) && (sel->ngroup || aggs.n))
            warn(pc, sel->ngroup ? sel->group_by[0]->pos : sel->pos, "warn.unbounded_state",
                 "GROUP BY on an unbounded source without a WINDOW clause keeps state for every group "
                 "forever; "
                 "add WINDOW TUMBLING(...) or emit changes deliberately");
    }

    /* the AGGREGATE output schema, needed to type references to it */
    velo_schema *agg_schema = NULL;
    if (is_agg) {
        agg_schema = velo_schema_new(nkeys + (sel->window ? 2 : 0) + aggs.n);
        uint32_t c = 0;
        for (uint32_t k = 0; k < nkeys; k++)
            velo_schema_set(agg_schema, c++, ap.key_names[k], type_or_varchar(ap.keys[k]->type));
        if (sel->window) {
            velo_schema_set(agg_schema, c++, "window_start", velo_type_make(VELO_TYPE_TIMESTAMP));
            velo_schema_set(agg_schema, c++, "window_end", velo_type_make(VELO_TYPE_TIMESTAMP));
        }
        for (uint32_t i = 0; i < aggs.n; i++)
            velo_schema_set(agg_schema, c++, ap.aggs[i].text ? ap.aggs[i].text : "agg",
                            ap.aggs[i].type.id ? ap.aggs[i].type : velo_type_make(VELO_TYPE_ANY));
    }
    agg.agg_out = agg_schema;
    scope *base = is_agg ? &agg : &from;

    /* HAVING */
    velo_expr *having = NULL;
    if (sel->having) {
        scope hs = agg;
        hs.agg_forbidden = NULL;
        hs.alias_upto = sel->nitems;
        velo_binder b = {.diags = dg, .hooks = &hooks, .ud = &hs, .allow_unimplemented = true};
        if (!bind_in(&hs, sel->having, &having))
            velo_binder_require_bool(&b, &having, sel->having, "HAVING condition");
    }

    /* window functions -> ANALYTIC */
    velo_analytic_call *acalls = mi_zalloc(sizeof *acalls * (wins.n + 1));
    velo_type *call_types = mi_zalloc(sizeof *call_types * (wins.n + 1));
    for (uint32_t i = 0; i < wins.n; i++) {
        if (bind_analytic(base, wins.e[i], wins.text[i], &acalls[i]))
            call_types[i] = acalls[i].type;
        else
            call_types[i] = velo_type_make(VELO_TYPE_ANY);
        wins.text[i] = NULL;
    }
    if (wins.n && !sel->window && any_unbounded(sc) && analytic_keeps_all_rows(acalls, wins.n))
        warn(pc, wins.e[0]->pos, "warn.unbounded_state",
             "window functions on an unbounded source without a WINDOW clause keep every partition's rows; "
             "add a frame (ROWS BETWEEN ...) or a WINDOW clause");
    char **call_texts = mi_zalloc(sizeof *call_texts * (wins.n + 1));
    for (uint32_t i = 0; i < wins.n; i++)
        call_texts[i] = acalls[i].text;
    scope top = *base;
    top.call_text = call_texts;
    top.ncalls = wins.n;
    top.window_ok = true;
    top.call_types = call_types;
    top.agg_forbidden = NULL;

    /* SELECT list */
    uint32_t cap = sel->nitems + 8, nproj = 0, nnames = 0;
    velo_expr **proj = mi_zalloc(sizeof *proj * cap);
    char **names = mi_zalloc(sizeof *names * cap);
    bool *from_star = mi_zalloc(sizeof *from_star * cap);
    char **pk = NULL;
    uint32_t npk = 0;
#define GROW()                                                                                               \
    do {                                                                                                     \
        if (nproj == cap) {                                                                                  \
            cap *= 2;                                                                                        \
            proj = mi_realloc(proj, sizeof *proj * cap);                                                     \
            names = mi_realloc(names, sizeof *names * cap);                                                  \
            from_star = mi_realloc(from_star, sizeof *from_star * cap);                                      \
        }                                                                                                    \
    } while (0)
    for (uint32_t i = 0; i < sel->nitems; i++) {
        const sql_select_item *it = &sel->items[i];
        if (it->expr->kind == SQL_EXPR_STAR) {
            const char *q = it->expr->u.star.qualifier;
            if (is_agg) {
                if (!sel->ngroup && !aggs.n && sel->window)
                    diag(pc, it->expr->pos, "bind.group_by",
                         "SELECT * cannot be used with a WINDOW clause: a window groups rows; select "
                         "aggregates per window (COUNT(*), SUM(x)...), or drop the WINDOW clause");
                else
                    diag(pc, it->expr->pos, "bind.group_by",
                         "SELECT * cannot be used with GROUP BY or aggregates");
                continue;
            }
            if (q && find_rel(sc, q) < 0) {
                diag(pc, it->expr->pos, "bind.unknown_source", "unknown table or alias '%s'", q);
                continue;
            }
            for (uint32_t r = 0; r < sc->nrels; r++) {
                if (q && (!sc->rels[r].alias || strcasecmp(q, sc->rels[r].alias))) continue;
                const velo_schema *s = sc->rels[r].plan->schema;
                for (uint32_t c = 0; c < s->ncols; c++) {
                    if (s->fields[c].hidden) continue;
                    GROW();
                    velo_expr *x = column_node(c, s->fields[c].type, it->expr);
                    add_fixup(sc, x, (int32_t)r, c);
                    proj[nproj] = x;
                    from_star[nproj] = true;
                    if (sc->nrels > 1 && sc->rels[r].alias) {
                        /* the same name from two sources: qualify the later one */
                        bool dup = false;
                        for (uint32_t k = 0; k < nproj; k++)
                            if (!strcasecmp(names[k], s->fields[c].name)) dup = true;
                        if (dup) {
                            char buf[256];
                            snprintf(buf, sizeof buf, "%s.%s", sc->rels[r].alias, s->fields[c].name);
                            names[nproj++] = mi_strdup(buf);
                            continue;
                        }
                    }
                    names[nproj++] = mi_strdup(s->fields[c].name);
                }
            }
            continue;
        }
        velo_expr *x = NULL;
        top.alias_upto = i;
        if (bind_in(&top, it->expr, &x)) continue;
        GROW();
        proj[nproj] = x;
        from_star[nproj] = false;
        names[nproj] = velo_select_item_name(it);
        if (it->primary_key) {
            pk = mi_realloc(pk, sizeof *pk * (npk + 1));
            pk[npk++] = mi_strdup(names[nproj]);
        }
        nproj++;
    }
    for (uint32_t i = 0; i < nproj; i++)
        for (uint32_t j = 0; j < i; j++)
            if (!strcasecmp(names[i], names[j]) && !from_star[i]) {
                diag(pc, sel->pos, "bind.duplicate_name",
                     "duplicate output column name '%s'; give one of them an alias", names[i]);
                j = i;
            }
    uint32_t nvisible_out = nproj;

    /* ORDER BY: an output column (ordinal, name, same expression), else an extra hidden column */
    velo_sort_key *sort = mi_zalloc(sizeof *sort * (norder + 1));
    for (uint32_t i = 0; i < norder; i++) {
        const sql_expr *oe = order[i].expr;
        sort[i].desc = order[i].desc;
        /* unspecified: NULLS LAST in both directions, as DuckDB does */
        sort[i].nulls_first = order[i].nulls_first == 1;
        int idx = -1;
        if (oe->kind == SQL_EXPR_LITERAL && oe->u.lit.kind == SQL_LIT_INTEGER) {
            long n = strtol(oe->u.lit.text, NULL, 10);
            if (n < 1 || (uint32_t)n > nvisible_out) {
                diag(pc, oe->pos, "bind.order_by", "ORDER BY %ld does not name an output column (1..%u)", n,
                     nvisible_out);
                continue;
            }
            idx = (int)n - 1;
        } else if (oe->kind == SQL_EXPR_COLUMN && oe->u.column.nparts == 1) {
            for (uint32_t k = 0; k < nvisible_out && idx < 0; k++)
                if (!strcasecmp(names[k], oe->u.column.parts[0])) idx = (int)k;
        }
        if (idx < 0) {
            char *t = expr_text(oe);
            for (uint32_t k = 0; k < sel->nitems && idx < 0; k++) {
                if (sel->items[k].expr->kind == SQL_EXPR_STAR) continue;
                char *u = expr_text(sel->items[k].expr);
                if (!strcmp(t, u))
                    for (uint32_t m = 0; m < nvisible_out; m++)
                        if (!strcmp(names[m], sel->items[k].alias ? sel->items[k].alias : u) ||
                            (sel->items[k].expr->kind == SQL_EXPR_COLUMN &&
                             !strcasecmp(names[m],
                                         sel->items[k]
                                             .expr->u.column.parts[sel->items[k].expr->u.column.nparts - 1])))
                            idx = (int)m;
                mi_free(u);
            }
            mi_free(t);
        }
        if (idx < 0 && sel->distinct) { /* which of a distinct row's source rows would give the key? */
            diag(pc, oe->pos, "bind.order_by",
                 "with SELECT DISTINCT, ORDER BY expressions must appear in the select list");
            continue;
        }
        if (idx < 0) {
            velo_expr *x = NULL;
            if (bind_in(&top, oe, &x)) continue;
            GROW();
            proj[nproj] = x;
            from_star[nproj] = false;
            names[nproj] = mi_strdup("$order");
            idx = (int)nproj++;
        }
        sort[i].expr = column_node((uint32_t)idx, proj[idx]->type, oe);
    }

    if (dg->nerrors != errors0) {
        nnames = nproj;
        goto cleanup;
    }

    /* indexes are final: patch FROM column references */
    {
        uint32_t off = 0;
        for (uint32_t r = 0; r < sc->nrels; r++) {
            sc->rels[r].offset = off;
            off += sc->rels[r].plan->schema->ncols;
        }
        for (uint32_t i = 0; i < sc->nfix; i++) {
            fixup *f = &sc->fix[i];
            f->x->column = f->rel < 0 ? off + f->local : sc->rels[f->rel].offset + f->local;
            if (f->rel >= 0) f->x->type = sc->rels[f->rel].plan->schema->fields[f->local].type;
        }
    }
    for (uint32_t i = 0; i < norder; i++)
        if (sort[i].expr) sort[i].expr->type = proj[sort[i].expr->column]->type;

    /* build: SCAN [JOIN...] */
    velo_plan *cur = NULL;
    velo_plan *jps[MAX_RELS];
    bool all_inner = true;
    if (sc->nrels) {
        cur = sc->rels[0].plan;
        sc->rels[0].plan = NULL;
        for (uint32_t j = 1; j < sc->nrels; j++) {
            const sql_join *jn = &sel->joins[j - 1];
            velo_plan *jp = plan_new(VELO_PLAN_JOIN, jn->pos);
            jp->join_kind = (velo_join_kind)jn->kind;
            jp->input = cur;
            jp->right = sc->rels[j].plan;
            jp->right_is_table = sc->rels[j].is_table;
            sc->rels[j].plan = NULL;
            jp->schema = concat_schema(cur->schema, jp->right->schema);
            jp->condition = conds[j - 1];
            conds[j - 1] = NULL;
            jp->within_us = within[j - 1];
            if (jp->condition) extract_keys(jp, jp->condition, cur->schema->ncols, jp->schema->ncols);
            if (jp->condition && jp->within_us < 0 && !jp->right_is_table)
                find_time_bound(jp, jp->condition, cur->schema->ncols);
            all_inner &= jp->join_kind == VELO_JOIN_INNER;
            jps[j - 1] = jp;
            cur = jp;
        }
        /* inner joins only: a pair the WHERE rejects is never output, so its time bound bounds them too */
        for (uint32_t j = 1; j < sc->nrels && where && all_inner; j++)
            if (!jps[j - 1]->time_bound && jps[j - 1]->within_us < 0 && !jps[j - 1]->right_is_table)
                find_time_bound(jps[j - 1], where, jps[j - 1]->input->schema->ncols);
        for (uint32_t j = 1; j < sc->nrels; j++)
            if (unbounded_join[j - 1] && !jps[j - 1]->time_bound)
                warn(pc, sel->joins[j - 1].pos, "warn.unbounded_state",
                     "stream-stream join without WITHIN keeps every row of both sides; add WITHIN INTERVAL "
                     "'...' or bound both event times in ON (r.ts BETWEEN l.ts AND l.ts + INTERVAL '...')");
    } else {
        cur = plan_new(VELO_PLAN_PROJECT, sel->pos); /* SELECT without FROM: one empty row */
        cur->schema = velo_schema_new(0);
    }
    /* correlated subqueries become joins over the rows they see: semi / anti joins for the [NOT]
     * EXISTS / IN conjuncts of WHERE (HAVING), LEFT JOINs for scalar aggregates and MARK joins for
     * the rest, whose columns come after the row's and are dropped once they were used; WHERE
     * conjuncts of one side of a join first go below it */
    uint32_t width = cur->schema->ncols;
    if (where && sc->nrels > 1) where = push_below_joins(&cur, where, sel->where->pos);
    if (where && sc->nrels) {
        where = decorrelate_where(&cur, where);
        decorrelate_exprs(&cur, where);
    }
    if (where) {
        cur = wrap(VELO_PLAN_FILTER, cur, sel->where->pos);
        cur->predicate = where;
        where = NULL;
    }
    trim_to(&cur, width, sel->pos);
    if (is_agg && sc->nrels) {
        bool ok = remap_to_keys(pc, having, ap.keys, nkeys);
        for (uint32_t i = 0; i < nproj && ok; i++)
            ok = remap_to_keys(pc, proj[i], ap.keys, nkeys);
        if (!ok) {
            velo_plan_free(cur);
            goto cleanup;
        }
    }
    if (is_agg) {
        velo_plan *a = plan_new(VELO_PLAN_AGGREGATE, sel->ngroup ? sel->group_by[0]->pos : sel->pos);
        a->input = cur;
        a->schema = agg_schema;
        agg_schema = NULL;
        a->keys = ap.keys;
        a->nkeys = nkeys;
        ap.keys = NULL;
        a->aggs = ap.aggs;
        a->naggs = aggs.n;
        ap.aggs = NULL;
        a->windowed = sel->window != NULL;
        a->window = ap.window;
        ap.window.session_key = NULL;
        if (ap.window_time) a->window.time_column = (int32_t)ap.window_time->column;
        cur = a;
        width = cur->schema->ncols;
        if (having && sc->nrels) {
            having = decorrelate_where(&cur, having);
            decorrelate_exprs(&cur, having);
        }
        if (having) {
            cur = wrap(VELO_PLAN_FILTER, cur, sel->having->pos);
            cur->predicate = having;
            having = NULL;
        }
        trim_to(&cur, width, sel->having ? sel->having->pos : sel->pos);
    }
    if (wins.n) {
        velo_plan *an = plan_new(VELO_PLAN_ANALYTIC, wins.e[0]->pos);
        an->input = cur;
        an->schema = velo_schema_new(cur->schema->ncols);
        for (uint32_t i = 0; i < cur->schema->ncols; i++) {
            velo_schema_set(an->schema, i, cur->schema->fields[i].name, cur->schema->fields[i].type);
            an->schema->fields[i].hidden = cur->schema->fields[i].hidden;
        }
        for (uint32_t i = 0; i < wins.n; i++)
            schema_append(an->schema, acalls[i].text, acalls[i].type, false);
        an->calls = acalls;
        an->ncalls = wins.n;
        acalls = NULL;
        cur = an;
    }
    for (uint32_t i = 0; i < nproj && sc->nrels; i++)
        decorrelate_exprs(&cur, proj[i]);
    {
        velo_plan *pj = plan_new(VELO_PLAN_PROJECT, sel->pos);
        pj->input = cur;
        pj->exprs = proj;
        pj->nexprs = nproj;
        pj->schema = velo_schema_new(nproj);
        for (uint32_t i = 0; i < nproj; i++) {
            velo_schema_set(pj->schema, i, names[i], type_or_varchar(proj[i]->type));
            pj->schema->fields[i].hidden = i >= nvisible_out;
        }
        proj = NULL;
        nnames = nproj;
        nproj = 0;
        cur = pj;
    }
    if (sel->distinct) {
        cur = wrap(VELO_PLAN_DISTINCT, cur, sel->pos);
        if (!sel->window && any_unbounded(sc))
            warn(pc, sel->pos, "warn.unbounded_state",
                 "SELECT DISTINCT on an unbounded source without a WINDOW clause remembers every row it has "
                 "seen");
    }
    if (norder) {
        if (!sel->window && any_unbounded(sc))
            warn(pc, order[0].expr->pos, "warn.unbounded_state",
                 "ORDER BY on an unbounded source without a WINDOW clause never emits: a sort waits for the "
                 "end of its input; add a WINDOW clause, or read a bounded source (running it is rejected)");
        cur = wrap(VELO_PLAN_SORT, cur, order[0].expr->pos);
        cur->sort = sort;
        cur->nsort = norder;
        sort = NULL;
    }
    result = cur;
    if (pk_out) {
        *pk_out = pk;
        *npk_out = npk;
        pk = NULL;
        npk = 0;
    }

cleanup:
    velo_expr_free(where);
    velo_expr_free(having);
    for (uint32_t j = 0; j < MAX_RELS; j++)
        velo_expr_free(conds[j]);
    if (ap.keys)
        for (uint32_t k = 0; k < nkeys; k++)
            velo_expr_free(ap.keys[k]);
    mi_free(ap.keys);
    if (ap.key_names)
        for (uint32_t k = 0; k < nkeys; k++)
            mi_free(ap.key_names[k]);
    mi_free(ap.key_names);
    if (ap.aggs) {
        velo_plan tmp = {.aggs = ap.aggs, .naggs = aggs.n};
        velo_plan *t = mi_zalloc(sizeof *t);
        *t = tmp;
        velo_plan_free(t);
    }
    velo_expr_free(ap.window.session_key);
    velo_expr_free(ap.window_time);
    for (uint32_t k = 0; k < nkeys; k++)
        mi_free(agg.key_text[k]);
    mi_free(agg.key_text);
    mi_free(agg.key_rel);
    mi_free(agg.key_local);
    mi_free(agg.agg_text);
    mi_free(key_ast);
    velo_schema_free(agg_schema);
    if (acalls) {
        velo_plan *t = mi_zalloc(sizeof *t);
        t->calls = acalls;
        t->ncalls = wins.n;
        velo_plan_free(t);
    }
    mi_free(call_texts);
    mi_free(call_types);
    for (uint32_t i = 0; i < nproj; i++)
        velo_expr_free(proj[i]);
    mi_free(proj);
    if (nproj) nnames = nproj;
    for (uint32_t i = 0; i < nnames; i++)
        mi_free(names[i]);
    mi_free(names);
    mi_free(from_star);
    if (sort)
        for (uint32_t i = 0; i < norder; i++)
            velo_expr_free(sort[i].expr);
    mi_free(sort);
    for (uint32_t i = 0; i < npk; i++)
        mi_free(pk[i]);
    mi_free(pk);
    calls_free(&aggs);
    calls_free(&wins);
cleanup_early:
    for (uint32_t r = 0; r < sc->nrels; r++)
        velo_plan_free(sc->rels[r].plan);
    mi_free(sc->fix);
    mi_free(sc);
#undef GROW
    return result;
}

/* ---- queries: CTEs, UNION ALL, ORDER BY / LIMIT ---- */

static uint32_t visible_cols(const velo_schema *s) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->ncols; i++)
        n += !s->fields[i].hidden;
    return n;
}

static bool any_window(const sql_query *q) {
    for (uint32_t i = 0; i < q->nselects; i++)
        if (q->selects[i]->window) return true;
    return false;
}

/* The branches of a UNION meet in the common type of each column. */
static velo_plan *plan_union(pctx *pc, const sql_query *q, velo_plan **br, uint32_t n) {
    uint32_t ncols = visible_cols(br[0]->schema);
    bool ok = true;
    for (uint32_t i = 1; i < n; i++)
        if (visible_cols(br[i]->schema) != ncols) {
            diag(pc, q->selects[i]->pos, "bind.union",
                 "UNION branches have different column counts: %u and %u", ncols,
                 visible_cols(br[i]->schema));
            ok = false;
        }
    velo_type *types = mi_zalloc(sizeof *types * (ncols + 1));
    for (uint32_t c = 0; ok && c < ncols; c++) {
        velo_type t = velo_type_make(VELO_TYPE_NULL);
        for (uint32_t i = 0; i < n && ok; i++) {
            velo_error err;
            if (velo_common_type(t, br[i]->schema->fields[c].type, &t, &err)) {
                diag(pc, q->selects[i]->pos, "bind.union",
                     "column %u ('%s') of the UNION has incompatible types: %s", c + 1,
                     br[0]->schema->fields[c].name, err.message);
                ok = false;
            }
        }
        types[c] = type_or_varchar(t);
    }
    if (!ok) {
        for (uint32_t i = 0; i < n; i++)
            velo_plan_free(br[i]);
        mi_free(types);
        return NULL;
    }
    velo_plan *u = plan_new(VELO_PLAN_UNION_ALL, q->pos);
    u->inputs = mi_zalloc(sizeof *u->inputs * n);
    u->ninputs = n;
    for (uint32_t i = 0; i < n; i++) {
        velo_plan *b = br[i];
        bool differs = false;
        for (uint32_t c = 0; c < ncols; c++)
            differs |= !velo_type_equal(b->schema->fields[c].type, types[c]);
        if (differs) {
            velo_plan *pj = plan_new(VELO_PLAN_PROJECT, q->selects[i]->pos);
            pj->input = b;
            pj->nexprs = ncols;
            pj->exprs = mi_zalloc(sizeof *pj->exprs * ncols);
            pj->schema = velo_schema_new(ncols);
            for (uint32_t c = 0; c < ncols; c++) {
                velo_expr *x = column_node(c, b->schema->fields[c].type, NULL);
                pj->exprs[c] = velo_binder_cast(NULL, x, types[c], NULL);
                velo_schema_set(pj->schema, c, b->schema->fields[c].name, types[c]);
            }
            b = pj;
        }
        u->inputs[i] = b;
    }
    u->schema = velo_schema_new(ncols);
    for (uint32_t c = 0; c < ncols; c++)
        velo_schema_set(u->schema, c, br[0]->schema->fields[c].name, types[c]);
    mi_free(types);
    bool distinct = false;
    for (uint32_t i = 0; i + 1 < n; i++)
        distinct |= !q->union_all[i];
    if (distinct) u = wrap(VELO_PLAN_DISTINCT, u, q->pos);
    return u;
}

static velo_status plan_query(pctx *pc, const sql_query *q, scope *outer, velo_plan **out) {
    *out = NULL;
    uint32_t errors0 = pc->diags->nerrors;
    uint32_t saved_ctes = pc->nctes;
    for (uint32_t i = 0; i < q->nctes && pc->nctes < 64; i++)
        pc->ctes[pc->nctes++] = &q->ctes[i];
    pc->depth++;
    velo_plan *root = NULL;
    char **pk = NULL;
    uint32_t npk = 0;
    if (q->nselects == 1) {
        root = plan_select(pc, q->selects[0], q->order_by, q->norder, outer, &pk, &npk);
    } else {
        velo_plan **br = mi_zalloc(sizeof *br * q->nselects);
        bool ok = true;
        for (uint32_t i = 0; i < q->nselects; i++) {
            br[i] = plan_select(pc, q->selects[i], NULL, 0, outer, NULL, NULL);
            ok &= br[i] != NULL;
        }
        if (ok)
            root = plan_union(pc, q, br, q->nselects);
        else
            for (uint32_t i = 0; i < q->nselects; i++)
                velo_plan_free(br[i]);
        mi_free(br);
        if (root && q->norder) {
            /* ORDER BY over a UNION names output columns */
            selctx sc = {.pc = pc};
            scope os = {.kind = SC_OUTPUT, .sc = &sc, .out_schema = root->schema};
            velo_sort_key *sort = mi_zalloc(sizeof *sort * q->norder);
            for (uint32_t i = 0; i < q->norder; i++) {
                const sql_expr *oe = q->order_by[i].expr;
                sort[i].desc = q->order_by[i].desc;
                sort[i].nulls_first = q->order_by[i].nulls_first == 1;
                if (oe->kind == SQL_EXPR_LITERAL && oe->u.lit.kind == SQL_LIT_INTEGER) {
                    long n = strtol(oe->u.lit.text, NULL, 10);
                    if (n < 1 || (uint32_t)n > root->schema->ncols)
                        diag(pc, oe->pos, "bind.order_by", "ORDER BY %ld does not name an output column", n);
                    else
                        sort[i].expr = column_node((uint32_t)n - 1, root->schema->fields[n - 1].type, oe);
                } else {
                    bind_in(&os, oe, &sort[i].expr);
                }
            }
            mi_free(sc.fix);
            root = wrap(VELO_PLAN_SORT, root, q->order_by[0].expr->pos);
            root->sort = sort;
            root->nsort = q->norder;
        }
    }
    if (root && q->limit) {
        const sql_expr *l = q->limit;
        if (l->kind != SQL_EXPR_LITERAL || l->u.lit.kind != SQL_LIT_INTEGER) {
            diag(pc, l->pos, "bind.limit", "LIMIT needs a non-negative integer");
        } else {
            root = wrap(VELO_PLAN_LIMIT, root, l->pos);
            root->limit = strtoll(l->u.lit.text, NULL, 10);
        }
    }
    pc->depth--;
    pc->nctes = saved_ctes;
    if (pc->depth == 0 && !pc->pk) {
        pc->pk = pk;
        pc->npk = npk;
    } else {
        for (uint32_t i = 0; i < npk; i++)
            mi_free(pk[i]);
        mi_free(pk);
    }
    if (pc->diags->nerrors != errors0) {
        velo_plan_free(root);
        return VELO_ERR_BIND;
    }
    *out = root;
    return root ? VELO_OK : VELO_ERR_BIND;
}

/* ---- statements ---- */

velo_planner *velo_planner_new(const velo_planner_options *opts) {
    velo_planner *p = mi_zalloc(sizeof *p);
    if (opts) p->opts = *opts;
    velo_kv_init(&p->set);
    add_kv(&p->set, p->opts.config);
    return p;
}

static void decl_free(decl *d) {
    mi_free(d->name);
    mi_free(d->uri);
    velo_kv_free(&d->options);
    velo_schema_free(d->schema);
    mi_free(d->primary_key);
}

void velo_planner_free(velo_planner *p) {
    if (!p) return;
    for (uint32_t i = 0; i < p->ndecls; i++)
        decl_free(&p->decls[i]);
    mi_free(p->decls);
    velo_kv_free(&p->set);
    mi_free(p);
}

static decl *new_decl(velo_planner *p, const char *name) {
    decl *d = find_decl(p, name);
    if (d)
        decl_free(d);
    else {
        p->decls = mi_realloc(p->decls, sizeof *p->decls * (p->ndecls + 1));
        d = &p->decls[p->ndecls++];
    }
    memset(d, 0, sizeof *d);
    d->name = mi_strdup(name);
    velo_kv_init(&d->options);
    return d;
}

/* Ends with `suffix`, case-insensitively. */
static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

/* The original dialect declares Kafka sources with '<name>.type' = 'kafka_source',
 * 'bootstrap.servers' and '<name>.topic.name' instead of a URI. */
static char *uri_from_props(const velo_kv *kv) {
    const char *uri = velo_kv_get(kv, "uri");
    if (uri) return mi_strdup(uri);
    const char *type = NULL, *servers = NULL, *topic = NULL, *path = NULL;
    for (uint32_t i = 0; i < kv->count; i++) {
        const char *k = kv->items[i].key, *v = kv->items[i].value;
        if (ends_with(k, "type") && (!strcasecmp(v, "kafka_source") || !strcasecmp(v, "kafka_sink") ||
                                     !strcasecmp(v, "file_source") || !strcasecmp(v, "file_sink")))
            type = v;
        else if (ends_with(k, "bootstrap.servers"))
            servers = v;
        else if (ends_with(k, "topic.name") || !strcasecmp(k, "topic"))
            topic = v;
        else if (ends_with(k, ".path") || !strcasecmp(k, "path"))
            path = v;
    }
    char buf[1024];
    if (type && !strncasecmp(type, "kafka", 5) && topic) {
        snprintf(buf, sizeof buf, "kafka://%s/%s", servers ? servers : "localhost:9092", topic);
        return mi_strdup(buf);
    }
    if (type && !strncasecmp(type, "file", 4) && path) {
        snprintf(buf, sizeof buf, "file://%s", path);
        return mi_strdup(buf);
    }
    return NULL;
}

/* A name is declared once (DROP it first to redeclare): a second declaration is a copy-paste slip. */
static bool already_declared(pctx *pc, const sql_stmt *st) {
    const decl *prev = find_decl(pc->p, st->name);
    if (!prev) return false;
    diag(pc, st->pos, "bind.duplicate", "%s '%s' is already declared (line %u)",
         prev->is_table ? "table" : "stream", st->name, prev->line);
    return true;
}

static void declare_source(pctx *pc, const sql_stmt *st) {
    if (already_declared(pc, st)) return;
    decl *d = new_decl(pc->p, st->name);
    d->line = st->pos.line;
    add_props(&d->options, &st->with);
    d->uri = uri_from_props(&d->options);
    d->is_table = st->is_table;
    if (st->nprimary_key) d->primary_key = mi_strdup(st->primary_key[0]);
    if (st->ncolumns) {
        d->schema = velo_schema_new(st->ncolumns);
        for (uint32_t i = 0; i < st->ncolumns; i++) {
            velo_schema_set(d->schema, i, st->columns[i].name, st->columns[i].type->type);
            if (st->columns[i].primary_key && !d->primary_key)
                d->primary_key = mi_strdup(st->columns[i].name);
        }
    }
    if (!d->uri) {
        diag(pc, st->pos, "bind.uri",
             "source '%s' needs a 'uri' property, e.g. WITH ('uri'='kafka://localhost:9092/%s') "
             "(or '%s.type'='kafka_source' with 'bootstrap.servers' and '%s.topic.name')",
             st->name, st->name, st->name, st->name);
        return;
    }
    velo_uri uri;
    if (check_uri(pc, d->uri, st->pos, &uri)) {
        velo_options_check(uri.scheme, &uri.params, pc->diags, st->pos.line, st->pos.col);
        velo_options_check(uri.scheme, &d->options, pc->diags, st->pos.line, st->pos.col);
        velo_uri_free(&uri);
    }
}

/* INTO 'uri' / INTO name -> the sink of a query plan */
static void plan_sink(pctx *pc, const sql_query *q, velo_query_plan *qp) {
    velo_planner *p = pc->p;
    const char *uri_text = NULL;
    char *settings_uri = NULL;
    decl *d = NULL;
    if (q->into_is_uri)
        uri_text = q->into;
    else {
        uri_text = p->opts.binds ? velo_kv_get(p->opts.binds, q->into) : NULL;
        if (!uri_text && (d = find_decl(p, q->into))) uri_text = d->uri;
        if (!uri_text && !d && (settings_uri = uri_from_settings(pc, q->into))) uri_text = settings_uri;
        if (!uri_text && !d) {
            if (p->opts.resolve)
                diag(pc, q->pos, "bind.unknown_source",
                     "unknown sink '%s'; declare it with CREATE STREAM %s (...) WITH ('uri'='...') or pass "
                     "--bind %s=URI",
                     q->into, q->into, q->into);
            else
                warn(pc, q->pos, "warn.undeclared_sink",
                     "sink '%s' is not declared; pass --bind %s=URI to run", q->into, q->into);
            return;
        }
    }
    if (!uri_text) {
        qp->sink_uri = mi_strdup("stream://");
        qp->sink_scheme = mi_strdup("stream");
    } else {
        velo_uri uri;
        if (!check_uri(pc, uri_text, q->pos, &uri)) {
            mi_free(settings_uri);
            return;
        }
        check_connector(pc, &uri, !d, q->pos, "sinks");
        qp->sink_uri = mi_strdup(uri_text);
        qp->sink_scheme = mi_strdup(uri.scheme);
        add_kv(&qp->sink_options, &uri.params);
        velo_uri_free(&uri);
        mi_free(settings_uri);
    }
    if (d) add_kv(&qp->sink_options, &d->options);
    add_kv(&qp->sink_options, &p->set);
    add_kv(&qp->sink_options, &pc->stmt_with);
}

/* The primary key of a CREATE TABLE ... AS: select-list marks, else the GROUP BY keys. */
static void table_key(pctx *pc, const sql_stmt *st, velo_query_plan *qp) {
    if (pc->npk) {
        qp->primary_key = pc->pk;
        qp->nprimary_key = pc->npk;
        pc->pk = NULL;
        pc->npk = 0;
        return;
    }
    velo_plan *a = qp->root;
    while (a && a->kind != VELO_PLAN_AGGREGATE)
        a = a->input;
    if (a && a->nkeys) {
        qp->primary_key = mi_zalloc(sizeof *qp->primary_key * a->nkeys);
        for (uint32_t i = 0; i < a->nkeys; i++)
            qp->primary_key[i] = mi_strdup(a->schema->fields[i].name);
        qp->nprimary_key = a->nkeys;
        return;
    }
    warn(pc, st->pos, "warn.table_key",
         "table '%s' has no key: mark a column `PRIMARY KEY` in the select list or add GROUP BY; every row "
         "replaces "
         "the last one",
         st->name);
}

static velo_status plan_rows(pctx *pc, const sql_stmt *st, const sql_query *q, velo_query_plan **out) {
    velo_planner *p = pc->p;
    add_props(&pc->stmt_with, &q->with);
    add_props(&pc->stmt_with, &st->with);
    velo_plan *root = NULL;
    uint32_t errors0 = pc->diags->nerrors;
    bool created = st->kind == SQL_STMT_CREATE_STREAM_AS || st->kind == SQL_STMT_CREATE_TABLE_AS;
    bool duplicate = created && already_declared(pc, st);
    plan_query(pc, q, NULL, &root);
    if (st->kind == SQL_STMT_INSERT && st->ncolumns && root && visible_cols(root->schema) != st->ncolumns)
        diag(pc, st->pos, "bind.insert", "INSERT INTO %s names %u column%s but the query returns %u",
             st->name, st->ncolumns, st->ncolumns == 1 ? "" : "s", visible_cols(root->schema));
    if (q->emit == SQL_EMIT_FINAL && !any_window(q))
        diag(pc, q->pos, "bind.emit",
             "EMIT FINAL needs a WINDOW clause: without one no result is ever final");
    if (created && root && !duplicate) {
        /* later statements may read the new stream */
        decl *d = new_decl(p, st->name);
        d->line = st->pos.line;
        d->created = true;
        d->is_table = st->kind == SQL_STMT_CREATE_TABLE_AS;
        d->schema = velo_schema_new(0);
        for (uint32_t i = 0; i < root->schema->ncols; i++)
            if (!root->schema->fields[i].hidden)
                schema_append(d->schema, root->schema->fields[i].name, root->schema->fields[i].type, false);
        if (q->into && q->into_is_uri) d->uri = mi_strdup(q->into);
        if (d->is_table) d->query = q; /* read back by running it, not from its changelog sink */
    }
    velo_query_plan *qp = mi_zalloc(sizeof *qp);
    qp->root = root;
    qp->stmt = st;
    qp->emit = q->emit == SQL_EMIT_FINAL     ? VELO_EMIT_FINAL
               : q->emit == SQL_EMIT_CHANGES ? VELO_EMIT_CHANGES
                                             : VELO_EMIT_DEFAULT;
    qp->name = xdup(st->kind == SQL_STMT_SELECT ? NULL : st->name);
    qp->is_table = st->kind == SQL_STMT_CREATE_TABLE_AS;
    velo_kv_init(&qp->sink_options);
    velo_kv_init(&qp->job_options);
    add_kv(&qp->job_options, &p->set);
    add_kv(&qp->job_options, &pc->stmt_with);
    if (st->kind == SQL_STMT_INSERT) {
        decl *d = find_decl(p, st->name);
        const char *bound = p->opts.binds ? velo_kv_get(p->opts.binds, st->name) : NULL;
        if (!d && !bound)
            undeclared_name(pc, st->pos, "INSERT INTO ", st->name);
        else {
            const char *u = bound ? bound : d->uri;
            qp->sink_uri = xdup(u ? u : "stream://");
            velo_uri uri;
            if (u && check_uri(pc, u, st->pos, &uri)) {
                qp->sink_scheme = mi_strdup(uri.scheme);
                add_kv(&qp->sink_options, &uri.params);
                velo_uri_free(&uri);
            } else if (!u)
                qp->sink_scheme = mi_strdup("stream");
            if (d) add_kv(&qp->sink_options, &d->options);
        }
    } else if (q->into) {
        plan_sink(pc, q, qp);
    }
    if (qp->is_table && root) table_key(pc, st, qp);
    if (pc->diags->nerrors != errors0) {
        velo_query_plan_free(qp);
        return VELO_ERR_BIND;
    }
    *out = qp;
    return VELO_OK;
}

static velo_status plan_stmt(pctx *pc, const sql_stmt *st, velo_query_plan **out) {
    velo_planner *p = pc->p;
    switch (st->kind) {
    case SQL_STMT_SELECT:
    case SQL_STMT_CREATE_STREAM_AS:
    case SQL_STMT_CREATE_TABLE_AS:
    case SQL_STMT_START_JOB: return st->query ? plan_rows(pc, st, st->query, out) : VELO_OK;
    case SQL_STMT_DEPLOY_JOB:
        if (st->explained) return plan_stmt(pc, st->explained, out);
        return st->query ? plan_rows(pc, st, st->query, out) : VELO_OK;
    case SQL_STMT_INSERT:
        if (st->query) return plan_rows(pc, st, st->query, out);
        if (!find_decl(p, st->name) && !(p->opts.binds && velo_kv_get(p->opts.binds, st->name)) &&
            !undeclared_name(pc, st->pos, "INSERT INTO ", st->name))
            return VELO_ERR_BIND;
        return VELO_OK;
    case SQL_STMT_EXPLAIN: return st->explained ? plan_stmt(pc, st->explained, out) : VELO_OK;
    case SQL_STMT_CREATE_SOURCE: declare_source(pc, st); return VELO_OK;
    case SQL_STMT_SET: add_props(&p->set, &st->with); return VELO_OK;
    case SQL_STMT_DROP:
    case SQL_STMT_DESCRIBE: {
        decl *d = st->name ? find_decl(p, st->name) : NULL;
        if (!d && st->name && !st->if_exists && !undeclared_name(pc, st->pos, "", st->name))
            return VELO_ERR_BIND;
        if (d && st->kind == SQL_STMT_DROP) {
            decl_free(d);
            *d = p->decls[--p->ndecls];
        }
        return VELO_OK;
    }
    case SQL_STMT_UPDATE:
    case SQL_STMT_DELETE:
        diag(pc, st->pos, "bind.unsupported",
             "%s is not supported on streams: write the change as a new event",
             st->kind == SQL_STMT_UPDATE ? "UPDATE" : "DELETE");
        return VELO_ERR_BIND;
    default: return VELO_OK;
    }
}

velo_status velo_planner_plan(velo_planner *p, const sql_stmt *stmt, velo_query_plan **out,
                              velo_diags *diags) {
    *out = NULL;
    pctx pc = {.p = p, .diags = diags};
    velo_kv_init(&pc.stmt_with);
    uint32_t errors0 = diags->nerrors;
    velo_status st = plan_stmt(&pc, stmt, out);
    velo_kv_free(&pc.stmt_with);
    for (uint32_t i = 0; i < pc.npk; i++)
        mi_free(pc.pk[i]);
    mi_free(pc.pk);
    if (diags->nerrors != errors0 && !st) st = VELO_ERR_BIND;
    if (st && *out) {
        velo_query_plan_free(*out);
        *out = NULL;
    }
    return st;
}

uint32_t velo_planner_check_script(velo_planner *p, const velo_sql_script *script, velo_diags *diags) {
    uint32_t errors0 = diags->nerrors;
    for (uint32_t i = 0; i < script->nstmts; i++) {
        velo_query_plan *qp = NULL;
        velo_planner_plan(p, script->stmts[i], &qp, diags);
        velo_query_plan_free(qp);
    }
    return diags->nerrors - errors0;
}
