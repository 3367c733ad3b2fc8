/* The job runner end to end, in-process, on real temp files: relative paths, bind, exit codes. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/job.h"

static char dir[PATH_MAX];

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/velo-engine-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void write_file(const char *rel, const char *text) {
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "%s", p);
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *rel) {
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "r");
    if (!f) return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int cmp_line(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The lines of a file sorted (each with its newline): rows from several cores (the default core
 * count) come in no promised order across slices, only as a multiset. */
static char *read_sorted_lines(const char *rel) {
    char *text = read_file(rel);
    if (!text) return NULL;
    static char copy[65536], out[65536];
    char *lines[1024];
    size_t n = 0;
    strcpy(copy, text);
    for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l && n < 1024; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    qsort(lines, n, sizeof *lines, cmp_line);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strcat(out, lines[i]);
        strcat(out, "\n");
    }
    return out;
}

static int run_sql(const char *rel_sql, const char *text, velo_kv *binds, char *diag, size_t diag_len) {
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", dir, rel_sql);
    write_file(rel_sql, text);
    velo_run_options o = {0};
    o.file = p;
    o.text = text;
    o.text_len = strlen(text);
    if (binds)
        o.binds = *binds;
    else
        velo_kv_init(&o.binds);
    FILE *mem = fmemopen(diag, diag_len, "w");
    o.diag_out = mem;
    velo_run_report rep;
    int code = velo_run_script(&o, &rep);
    fclose(mem);
    if (!binds) velo_kv_free(&o.binds);
    return code;
}

TestSuite(engine, .init = setup);

Test(engine, relative_paths_resolve_against_the_sql_files_folder) {
    char sub[PATH_MAX + 8];
    snprintf(sub, sizeof sub, "%s/jobs", dir);
    mkdir(sub, 0755);
    write_file("jobs/in.csv", "id,price\n1,10.50\n2,3.25\n");
    char diag[4096] = "";
    /* the process cwd is not the SQL file's folder */
    cr_assert_eq(chdir("/"), 0);
    int code =
        run_sql("jobs/q.sql",
                "CREATE STREAM s AS SELECT id, price * 2 AS p2 FROM 'file://in.csv?format=csv&header=true' "
                "INTO 'file://out.jsonl?format=jsonl';",
                NULL, diag, sizeof diag);
    cr_assert_eq(code, 0, "%s", diag);
    char *out = read_sorted_lines("jobs/out.jsonl");
    cr_assert_not_null(out);
    cr_expect_str_eq(out, "{\"id\":1,\"p2\":21.00}\n{\"id\":2,\"p2\":6.50}\n");
}

Test(engine, bind_maps_a_bare_source_name_to_a_uri) {
    write_file("trades.csv", "sym,qty\nAAPL,5\nMSFT,0\n");
    velo_kv binds;
    velo_kv_init(&binds);
    velo_kv_set(&binds, "trades", "file://trades.csv");
    char diag[4096] = "";
    int code = run_sql("q.sql", "SELECT sym FROM trades WHERE qty > 0 INTO 'file://o.jsonl';", &binds, diag,
                       sizeof diag);
    velo_kv_free(&binds);
    cr_assert_eq(code, 0, "%s", diag);
    cr_expect_str_eq(read_file("o.jsonl"), "{\"sym\":\"AAPL\"}\n");
}

Test(engine, unknown_bare_source_explains_how_to_bind_it) {
    char diag[4096] = "";
    int code = run_sql("q.sql", "SELECT a FROM trades;", NULL, diag, sizeof diag);
    cr_expect_eq(code, 1);
    cr_expect(strstr(diag, "unknown source 'trades'") != NULL, "%s", diag);
    cr_expect(strstr(diag, "--bind trades=URI") != NULL, "%s", diag);
}

Test(engine, missing_input_file_is_exit_2_and_names_the_path) {
    char diag[4096] = "";
    int code =
        run_sql("q.sql", "SELECT a FROM 'file://nope.csv' INTO 'file://o.jsonl';", NULL, diag, sizeof diag);
    cr_expect_eq(code, 2);
    cr_expect(strstr(diag, "nope.csv") != NULL, "%s", diag);
}

Test(engine, syntax_error_is_exit_1_with_position) {
    char diag[4096] = "";
    int code = run_sql("q.sql", "SELECT a FORM t;", NULL, diag, sizeof diag);
    cr_expect_eq(code, 1);
    cr_expect(strstr(diag, "q.sql:1:10: error:") != NULL, "%s", diag);
}

Test(engine, row_errors_go_to_the_dead_letter_file_and_exit_3) {
    write_file("in.csv", "a,b\n10,2\n5,0\n9,3\n");
    char diag[4096] = "";
    int code = run_sql(
        "q.sql",
        "SELECT a / b AS r FROM 'file://in.csv' INTO 'file://o.jsonl' WITH ('dlq'='file://bad.jsonl');", NULL,
        diag, sizeof diag);
    cr_expect_eq(code, 3, "%s", diag);
    cr_expect_str_eq(read_sorted_lines("o.jsonl"), "{\"r\":3}\n{\"r\":5}\n");
    char *bad = read_file("bad.jsonl");
    cr_assert_not_null(bad);
    cr_expect(strstr(bad, "division by zero") != NULL, "%s", bad);
    cr_expect(strstr(bad, "q.sql:1:10") != NULL, "%s", bad);
    cr_expect(strstr(bad, "\"line\":3") != NULL, "%s", bad);
}

Test(engine, on_error_fail_stops_the_job_with_exit_4) {
    write_file("in.csv", "a,b\n10,2\n5,0\n");
    char diag[4096] = "";
    int code = run_sql(
        "q.sql", "SELECT a / b AS r FROM 'file://in.csv' INTO 'file://o.jsonl' WITH ('on.error'='fail');",
        NULL, diag, sizeof diag);
    cr_expect_eq(code, 4, "%s", diag);
    cr_expect(strstr(diag, "division by zero") != NULL, "%s", diag);
}

Test(engine, declared_source_with_columns_is_usable_by_name) {
    write_file("t.csv", "id,amount\n1,1.5\n2,2.25\n");
    char diag[4096] = "";
    int code = run_sql("q.sql",
                       "CREATE STREAM t (id BIGINT, amount DECIMAL(10,2)) WITH ('uri'='file://t.csv');\n"
                       "SELECT id, amount FROM t INTO 'file://o.jsonl';",
                       NULL, diag, sizeof diag);
    cr_assert_eq(code, 0, "%s", diag);
    cr_expect_str_eq(read_sorted_lines("o.jsonl"),
                     "{\"id\":1,\"amount\":1.50}\n{\"id\":2,\"amount\":2.25}\n");
}
