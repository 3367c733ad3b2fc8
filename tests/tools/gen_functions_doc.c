/* Prints docs/sql/functions.md from the function catalog (sql/catalog.c), so the reference cannot
 * disagree with what the binder accepts: the docs_functions test diffs this output against the
 * committed file. Usage: build/gen_functions_doc > docs/sql/functions.md */
#include <stdio.h>
#include <string.h>

#include "core/aggregate.h"
#include "core/analytic_op.h"
#include "core/scalar.h"
#include "sql/catalog.h"

static const char *const intro =
    "# SQL functions\n"
    "\n"
    "<!-- Generated from sql/catalog.c by tests/tools/gen_functions_doc.c: do not edit by hand.\n"
    "     Regenerate with build/gen_functions_doc > docs/sql/functions.md -->\n"
    "\n"
    "Every function the SQL front end knows, one section per category. Names are case-insensitive.\n"
    "A function whose *Runs today* column says **not yet** parses, binds and type-checks (so\n"
    "`velo-cli validate` accepts it), but a job that uses it stops with \"not supported yet\".\n"
    "\n"
    "Argument checks: a wrong number of arguments is an error (\"ROUND expects 1 or 2 arguments,\n"
    "found 3\"), and so is an argument of the wrong kind (\"UPPER expects VARCHAR as argument 1,\n"
    "found BIGINT\"): numbers are not turned into text implicitly, write `CAST(x AS VARCHAR)`.\n"
    "Arguments shown as `x`, `any`, `name` or `value` (CONCAT, SET_HEADER...) take any value. A bare\n"
    "`NULL` fits any argument, and a dynamically typed (ANY) value from a schemaless source is checked\n"
    "per record instead.\n"
    "\n"
    "Result types stay exact on DECIMAL:\n"
    "\n"
    "- `SUM(DECIMAL(p,s))` is `DECIMAL(38,s)`; `SUM(BIGINT)` is `BIGINT` (overflow is an error, never a\n"
    "  wrap); `SUM(DOUBLE)` is `DOUBLE`.\n"
    "- `AVG(DECIMAL(p,s))` is `DECIMAL(38,max(s,6))`, rounded half away from zero; `AVG` of `BIGINT` or\n"
    "  `DOUBLE` is `DOUBLE`.\n"
    "- `MEDIAN(DECIMAL(p,s))` is `DECIMAL(38,s+1)`: the mean of the two middle values needs at most one\n"
    "  more digit. `PERCENTILE_CONT` has the same type and rounds its interpolation at that scale.\n"
    "  Both are `DOUBLE` for `BIGINT` and `DOUBLE`.\n"
    "- `CEIL`/`FLOOR(DECIMAL(p,s))` is `DECIMAL(p-s+1,0)` (rounding up may carry a digit: 9.5 -> 10);\n"
    "  `TRUNCATE` and `ABS` keep the type of their argument, and so does `ROUND`, except that\n"
    "  `ROUND(DECIMAL(p,s), n)` with a constant `n < s` is `DECIMAL(p, max(n,0))` (as in PostgreSQL and\n"
    "  DuckDB: `ROUND(123.456, 2)` is `123.46`, not `123.460`); `SIGN` is `BIGINT` (`DOUBLE` for\n"
    "  `DOUBLE`); `MOD(a, b)` has the type of `a % b`; `POWER`, `SQRT`, `EXP`, `LN`, `LOG`, `LOG10` and\n"
    "  the statistics (`STDDEV*`, `VAR*`) are `DOUBLE`.\n"
    "\n"
    "A LIST, MAP or STRUCT turned into text (`CAST(x AS VARCHAR)`, `CONCAT`, `||`) is its JSON text:\n"
    "`[1,2,3]`, `{\"key1\":\"value1\",\"key2\":42}`. A `json` argument of the JSON functions is JSON\n"
    "text or such a nested value (an object or array read from JSON lines). Two LISTs compare element\n"
    "by element; two MAPs (or STRUCTs) compare entry by entry in key order, so `MAP('a', 1, 'b', 2) =\n"
    "MAP('b', 2, 'a', 1)`.\n"
    "\n"
    "The unit of `DATEDIFF`, `DATE_ADD` and `DATE_TRUNC` is one of microsecond, millisecond, second,\n"
    "minute, hour, day, week, month, quarter, year (any case, singular or plural). `EXTRACT(YEAR FROM x)`\n"
    "and `EXTRACT('YEAR', x)` are the same call; its fields are YEAR, QUARTER, MONTH, WEEK, DAY, DOW,\n"
    "DOY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, NANOSECOND and EPOCH.\n";

static const struct {
    const char *category, *title, *note;
} titles[] = {
    {"aggregate", "Aggregate functions", NULL},
    {"window", "Window functions", NULL},
    {"math", "Math", NULL},
    {"string", "Strings", NULL},
    {"time", "Date and time", NULL},
    {"conditional", "Conditional", NULL},
    {"json", "JSON", NULL},
    {"collection", "Lists, maps and structs", NULL},
    {"kafka", "Kafka headers",
     "The headers of a Kafka record are its `_headers` column, a MAP of name to value as text (see\n"
     "[Kafka](../connectors/kafka.md#record-metadata)); a source without headers (a file) has none. The\n"
     "readers take the record's. The writers return a new MAP, as Flink's writable `headers` metadata\n"
     "column works: a Kafka sink sends the output column named `_headers` as the message headers.\n"
     "`SET_HEADER(name, value)` is the record's headers with `name` set to `value` as text (NULL: a\n"
     "header without value; the first header of that name keeps its place and its repeats go, a new\n"
     "name is appended; names are case-sensitive), `REMOVE_HEADER(name)` the record's headers without\n"
     "any header of that name; a NULL name changes nothing. Pass a MAP as the last argument to edit it\n"
     "instead of the record's, which chains edits:\n"
     "\n"
     "```sql\n"
     "SELECT id, SET_HEADER('trace', id, REMOVE_HEADER('debug')) AS _headers FROM orders\n"
     "INTO 'kafka://localhost:9092/out';\n"
     "```\n"
     "\n"
     "The original Velostream's SET_HEADER returned the value and changed the output record on the side;\n"
     "see [compatibility](compatibility.md#where-we-differ).\n"},
};

static const char *note_of(const char *category) {
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (!strcmp(titles[i].category, category)) return titles[i].note;
    return NULL;
}

static const char *title_of(const char *category) {
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (!strcmp(titles[i].category, category)) return titles[i].title;
    return category;
}

/* Table cells: a '|' would end the cell, even inside a code span. */
static void put_cell(const char *s) {
    for (; *s; s++) {
        if (*s == '|') putchar('\\');
        putchar(*s);
    }
}

static bool seen_before(uint32_t i) {
    const velo_function *f = velo_function_at(i);
    for (uint32_t j = 0; j < i; j++)
        if (!strcmp(velo_function_at(j)->category, f->category)) return true;
    return false;
}

/* Aggregates run when the accumulator library has them (tried with typical argument types). */
static bool aggregate_runs(const velo_function *f) {
    static const velo_type_id tries[][2] = {{VELO_TYPE_BIGINT, VELO_TYPE_NULL},
                                            {VELO_TYPE_DOUBLE, VELO_TYPE_DOUBLE},
                                            {VELO_TYPE_VARCHAR, VELO_TYPE_VARCHAR},
                                            {VELO_TYPE_BIGINT, VELO_TYPE_DOUBLE}};
    for (size_t t = 0; t < sizeof tries / sizeof *tries; t++) {
        velo_type args[2] = {velo_type_make(tries[t][0]), velo_type_make(tries[t][1])};
        uint32_t n = tries[t][1] == VELO_TYPE_NULL ? 1 : 2;
        velo_type ret;
        char msg[256];
        if (!velo_function_check(f, args, n, &ret, msg, sizeof msg)) continue;
        velo_value consts[2] = {velo_value_null(), velo_value_null()};
        if (n == 2)
            consts[1] = tries[t][1] == VELO_TYPE_DOUBLE ? velo_value_f64(0.5) : velo_value_str(",", 1);
        velo_agg_desc d;
        if (velo_agg_desc_make(f->name, args, n, false, ret, consts, &d, NULL) == VELO_OK) return true;
    }
    return false;
}

/* Window functions run OVER (...) when the window-function operator knows them; aggregates run
 * OVER a frame whenever they run at all. */
static const char *runs_today(const velo_function *f) {
    if (f->impl) return "yes";
    velo_analytic_kind k;
    bool window = velo_analytic_kind_from_name(f->name, &k);
    bool agg = (f->kind == VELO_FN_AGGREGATE || f->aggregate_too) && aggregate_runs(f);
    if (agg && window) return "yes (GROUP BY, OVER)";
    if (agg) return "yes (GROUP BY, windows, OVER)";
    return window ? "yes (OVER)" : "not yet";
}

static void print_row(const velo_function *f) {
    printf("| `%s`", f->name);
    for (uint32_t j = 0; velo_function_at(j); j++) {
        const velo_function *a = velo_function_at(j);
        if (a->alias_of && !strcmp(a->alias_of, f->name)) printf(", `%s`", a->name);
    }
    printf(" | `");
    put_cell(f->signature);
    printf("` | ");
    put_cell(f->summary);
    printf(" | %s |\n", runs_today(f));
}

static void print_section(const char *category) {
    printf("\n## %s\n\n", title_of(category));
    if (note_of(category)) printf("%s\n", note_of(category));
    printf("| Function | Signature | Returns/summary | Runs today |\n");
    printf("|---|---|---|---|\n");
    for (uint32_t i = 0; velo_function_at(i); i++) {
        const velo_function *f = velo_function_at(i);
        if (!strcmp(f->category, category) && !f->alias_of) print_row(f);
    }
}

int main(void) {
    fputs(intro, stdout);
    /* sections in the order the catalog lists its categories */
    for (uint32_t i = 0; velo_function_at(i); i++)
        if (!seen_before(i)) print_section(velo_function_at(i)->category);
    return 0;
}
