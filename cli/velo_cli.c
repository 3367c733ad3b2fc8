/* velo-cli: the operator's command line. `validate` parses and binds SQL files offline (no
 * connector is opened: sources without declared columns bind as schemaless), or on a node with
 * --remote, and reports every error and warning with its position. health, status, jobs, submit
 * and stop talk to a node's REST API (cli/velo_cli_remote.c); `kafka` asks a Kafka cluster
 * (connectors/kafka/kafka_admin.c). */
#include <dirent.h>
#include <errno.h>
#include <mimalloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "cli/velo_cli_remote.h"
#include "connectors/formats/format.h"
#include "connectors/kafka/kafka_admin.h"
#include "connectors/uri.h"
#include "core/strbuf.h"
#include "sql/diag.h"
#include "sql/parser.h"
#include "sql/planner.h"

#define VELO_VERSION "0.1.0"

enum { EXIT_VALID = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

static void usage(FILE *out) {
    fputs("usage: velo-cli COMMAND [OPTIONS]\n"
          "\n"
          "commands:\n"
          "  validate FILE|DIR... [--strict] [--format text|json] [--config FILE] [--bind NAME=URI]...\n"
          "                 parse and bind SQL files offline (a folder: every *.sql below it);\n"
          "                 with --remote the node checks them\n"
          "  health         the node's readiness (exit 0 healthy, 1 not)\n"
          "  status [--refresh SECONDS] [--count N]\n"
          "                 the node and its jobs (--refresh redraws until Ctrl-C)\n"
          "  jobs           the node's jobs\n"
          "  submit FILE.sql [--name NAME] [--bind NAME=URI]...\n"
          "                 run a job on the node\n"
          "  stop ID [--force] [--wait SECONDS]\n"
          "                 stop a job (graceful: drains and flushes; waits up to 30 s)\n"
          "  kafka topics|groups|lag [--kafka-brokers HOST:PORT[,...]] [--group NAME] [--topic NAME]\n"
          "                 topics with partitions and message counts, consumer groups, a group's lag\n"
          "  version        print the version\n"
          "  help           this text\n"
          "\n"
          "connection options (any command): --sql-host HOST (127.0.0.1) --sql-port PORT (8080)\n"
          "  --token TOKEN (or $VELO_TOKEN) --tls --cacert FILE --insecure --remote\n"
          "output: --format text|json (tables by default)\n"
          "\n"
          "exit codes of validate: 0 valid (warnings allowed unless --strict), 1 invalid, 2 usage error,\n"
          "  3 node unreachable (--remote)\n"
          "exit codes of health: 0 healthy, 1 not (or unreachable); of status, jobs, submit, stop: 0 ok,\n"
          "  1 the node refused (invalid SQL, unknown job...), 2 usage error, 3 node unreachable\n",
          out);
}

/* ---- inputs ---- */

typedef struct path_list {
    char **items;
    uint32_t count, cap;
} path_list;

static void paths_add(path_list *l, const char *p) {
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->items = mi_reallocn(l->items, l->cap, sizeof *l->items);
        if (!l->items) {
            fputs("velo-cli: out of memory\n", stderr);
            exit(EXIT_USAGE);
        }
    }
    l->items[l->count++] = mi_strdup(p);
}

static void paths_free(path_list *l) {
    for (uint32_t i = 0; i < l->count; i++)
        mi_free(l->items[i]);
    mi_free(l->items);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool ends_with_sql(const char *name) {
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".sql") == 0;
}

/* Every *.sql file below dir, recursively; the caller sorts. */
static bool collect_dir(const char *dir, path_list *out) {
    DIR *d = opendir(dir);
    if (!d) return false;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* ., .., hidden files and folders */
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = mi_malloc(n);
        snprintf(p, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        struct stat st;
        if (stat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                collect_dir(p, out);
            else if (S_ISREG(st.st_mode) && ends_with_sql(e->d_name))
                paths_add(out, p);
        }
        mi_free(p);
    }
    closedir(d);
    return true;
}

char *velo_cli_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    velo_strbuf sb;
    velo_strbuf_init(&sb);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        velo_strbuf_append(&sb, chunk, got);
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        velo_strbuf_free(&sb);
        return NULL;
    }
    if (!sb.data) velo_strbuf_puts(&sb, "");
    *len = sb.len;
    return sb.data;
}

/* ---- --config FILE (YAML: flat `key: value` options and a `binds:` mapping) ---- */

static bool yaml_fail(const char *file, const yaml_event_t *ev, const char *what) {
    fprintf(stderr, "velo-cli: %s:%zu: %s\n", file, ev ? ev->start_mark.line + 1 : (size_t)0, what);
    return false;
}

static bool next_event(yaml_parser_t *p, yaml_event_t *ev, const char *file) {
    if (yaml_parser_parse(p, ev)) return true;
    fprintf(stderr, "velo-cli: %s:%zu: %s\n", file, p->problem_mark.line + 1,
            p->problem ? p->problem : "invalid YAML");
    return false;
}

/* Reads the mapping of `binds:` (NAME: URI scalars) into binds. */
static bool load_binds(yaml_parser_t *p, const char *file, velo_kv *binds) {
    yaml_event_t k, v;
    for (;;) {
        if (!next_event(p, &k, file)) return false;
        if (k.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&k);
            return true;
        }
        if (k.type != YAML_SCALAR_EVENT) {
            bool r = yaml_fail(file, &k, "'binds' must map names to URIs, e.g. trades: file://trades.csv");
            yaml_event_delete(&k);
            return r;
        }
        if (!next_event(p, &v, file)) {
            yaml_event_delete(&k);
            return false;
        }
        bool ok = v.type == YAML_SCALAR_EVENT;
        if (ok)
            velo_kv_set(binds, (const char *)k.data.scalar.value, (const char *)v.data.scalar.value);
        else
            yaml_fail(file, &v, "a bind must be NAME: URI");
        yaml_event_delete(&k);
        yaml_event_delete(&v);
        if (!ok) return false;
    }
}

/* Options of the top-level mapping go to config; `binds:` to binds (command-line --bind wins: the
 * caller applies those afterwards). */
static bool load_config(const char *file, velo_kv *config, velo_kv *binds) {
    FILE *f = fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "velo-cli: cannot read config file '%s': %s\n", file, strerror(errno));
        return false;
    }
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_file(&p, f);
    bool ok = true, in_map = false, done = false;
    while (ok && !done) {
        yaml_event_t ev;
        if (!next_event(&p, &ev, file)) {
            ok = false;
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_START_EVENT:
        case YAML_DOCUMENT_END_EVENT: break;
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_MAPPING_START_EVENT:
            if (in_map) ok = yaml_fail(file, &ev, "options must be flat 'key: value' pairs");
            in_map = true;
            break;
        case YAML_MAPPING_END_EVENT: in_map = false; break;
        case YAML_SCALAR_EVENT: {
            if (!in_map) {
                /* an empty file is a null scalar document: no options */
                if (ev.data.scalar.length) ok = yaml_fail(file, &ev, "expected 'key: value' pairs");
                break;
            }
            char *key = mi_strdup((const char *)ev.data.scalar.value);
            yaml_event_t v;
            if (!next_event(&p, &v, file)) {
                mi_free(key);
                ok = false;
                break;
            }
            if (strcmp(key, "binds") == 0 && v.type == YAML_MAPPING_START_EVENT)
                ok = load_binds(&p, file, binds);
            else if (v.type == YAML_SCALAR_EVENT)
                velo_kv_set(config, key, (const char *)v.data.scalar.value);
            else
                ok = yaml_fail(file, &v,
                               "options must be flat 'key: value' pairs (only 'binds' is a mapping)");
            yaml_event_delete(&v);
            mi_free(key);
            break;
        }
        default: ok = yaml_fail(file, &ev, "expected 'key: value' pairs"); break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    fclose(f);
    return ok;
}

/* ---- validate ---- */

typedef struct validate_opts {
    velo_cli_remote *remote; /* --remote: the node validates */
    bool strict, json;
    velo_kv binds, config;
    path_list files;
} validate_opts;

typedef struct totals {
    uint32_t files, errors, warnings;
} totals;

static void json_str(velo_strbuf *o, const char *s) { velo_format_json_string(s, (uint32_t)strlen(s), o); }

static void json_findings(velo_strbuf *o, const char *file, const velo_diags *d, bool valid) {
    velo_strbuf_puts(o, "{\"file\":");
    json_str(o, file);
    velo_strbuf_printf(o, ",\"valid\":%s,\"findings\":[", valid ? "true" : "false");
    for (uint32_t i = 0; i < d->count; i++) {
        const velo_diag *g = &d->items[i];
        if (i) velo_strbuf_putc(o, ',');
        velo_strbuf_puts(o, "{\"file\":");
        json_str(o, file);
        velo_strbuf_printf(o, ",\"line\":%u,\"col\":%u,\"severity\":\"%s\",\"code\":", g->line, g->col,
                           g->severity == VELO_SEV_ERROR ? "error" : "warning");
        json_str(o, g->code);
        velo_strbuf_puts(o, ",\"message\":");
        json_str(o, g->message);
        velo_strbuf_putc(o, '}');
    }
    velo_strbuf_puts(o, "]}");
}

/* Parses and binds one file (locally, or on the node with --remote); appends its report (text or
 * one JSON object) to out. Returns false when the node could not be asked. */
static bool validate_file(const validate_opts *vo, const char *file, velo_strbuf *out, totals *t) {
    velo_diags diags;
    velo_diags_init(&diags);
    size_t len = 0;
    char *text = velo_cli_read_file(file, &len);
    if (!text) {
        velo_diags_add(&diags, VELO_SEV_ERROR, "io.read", 0, 0, "cannot read: %s",
                       strerror(errno ? errno : EIO));
    } else if (len > UINT32_MAX) {
        velo_diags_add(&diags, VELO_SEV_ERROR, "io.read", 0, 0, "file larger than 4 GiB");
    } else if (vo->remote && vo->remote->remote) {
        int rc = velo_cli_validate_remote(vo->remote, file, text, len, &vo->binds, &diags);
        if (rc) {
            mi_free(text);
            velo_diags_free(&diags);
            return false;
        }
    } else {
        velo_sql_script *script = velo_sql_parse(file, text, len, &diags);
        /* binding a script that did not parse would report the parser's recovery, not the user's SQL */
        if (script && diags.nerrors == 0) {
            velo_planner_options po = {
                .file = file, .binds = &vo->binds, .config = &vo->config, .undeclared_open = true};
            velo_planner *pl = velo_planner_new(&po);
            if (pl) {
                velo_planner_check_script(pl, script, &diags);
                velo_planner_free(pl);
            } else {
                velo_diags_add(&diags, VELO_SEV_ERROR, "internal", 0, 0, "out of memory");
            }
        }
        if (script) velo_sql_script_free(script);
    }
    bool valid = diags.nerrors == 0 && !(vo->strict && diags.nwarnings);
    if (vo->json) {
        if (t->files) velo_strbuf_putc(out, ',');
        json_findings(out, file, &diags, valid);
    } else {
        velo_diags_render(&diags, file, text, (uint32_t)len, out);
    }
    t->files++;
    t->errors += diags.nerrors;
    t->warnings += diags.nwarnings;
    mi_free(text);
    velo_diags_free(&diags);
    return true;
}

static const char *plural(uint32_t n) { return n == 1 ? "" : "s"; }

static bool parse_bind(const char *spec, velo_kv *binds) {
    const char *eq = spec ? strchr(spec, '=') : NULL;
    if (!eq || eq == spec) {
        fprintf(stderr, "velo-cli: --bind needs NAME=URI, e.g. --bind trades=file://trades.csv\n");
        return false;
    }
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(eq - spec), spec);
    velo_kv_set(binds, name, eq + 1);
    return true;
}

/* Reads the command line into vo; false on a usage error (already reported). */
static bool parse_validate_args(int argc, char **argv, validate_opts *vo) {
    velo_kv cli_binds;
    velo_kv_init(&cli_binds);
    path_list inputs = {0};
    const char *config_file = NULL;
    bool ok = true;
    for (int i = 0; ok && i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "--strict") == 0) {
            vo->strict = true;
        } else if (velo_cli_opt_is(a, "--format")) {
            ok = (v = velo_cli_opt_value(argc, argv, &i, "--format")) != NULL;
            if (ok && strcmp(v, "json") && strcmp(v, "text")) {
                fprintf(stderr, "velo-cli: --format must be text or json, found '%s'\n", v);
                ok = false;
            }
            if (ok) vo->json = strcmp(v, "json") == 0;
        } else if (velo_cli_opt_is(a, "--config")) {
            ok = (config_file = velo_cli_opt_value(argc, argv, &i, "--config")) != NULL;
        } else if (velo_cli_opt_is(a, "--bind")) {
            ok = (v = velo_cli_opt_value(argc, argv, &i, "--bind")) != NULL && parse_bind(v, &cli_binds);
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "velo-cli: unknown option '%s' for validate\n", a);
            ok = false;
        } else {
            paths_add(&inputs, a);
        }
    }
    if (ok && inputs.count == 0) {
        fprintf(stderr, "velo-cli: validate needs SQL files or folders: velo-cli validate FILE.sql\n");
        ok = false;
    }
    if (ok && config_file) ok = load_config(config_file, &vo->config, &vo->binds);
    for (uint32_t i = 0; ok && i < cli_binds.count; i++)
        velo_kv_set(&vo->binds, cli_binds.items[i].key, cli_binds.items[i].value);
    /* every input must exist before anything is validated: a typo is a usage error, not a finding */
    for (uint32_t i = 0; ok && i < inputs.count; i++) {
        struct stat st;
        if (stat(inputs.items[i], &st) != 0) {
            fprintf(stderr, "velo-cli: cannot read '%s': %s\n", inputs.items[i], strerror(errno));
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            path_list found = {0};
            collect_dir(inputs.items[i], &found);
            if (found.count) qsort(found.items, found.count, sizeof *found.items, cmp_str);
            for (uint32_t k = 0; k < found.count; k++)
                paths_add(&vo->files, found.items[k]);
            paths_free(&found);
        } else {
            paths_add(&vo->files, inputs.items[i]);
        }
    }
    velo_kv_free(&cli_binds);
    paths_free(&inputs);
    return ok;
}

static int cmd_validate(velo_cli_remote *remote, int argc, char **argv) {
    validate_opts vo = {.remote = remote};
    velo_kv_init(&vo.binds);
    velo_kv_init(&vo.config);
    int code = EXIT_USAGE;
    if (parse_validate_args(argc, argv, &vo)) {
        totals t = {0};
        velo_strbuf out;
        velo_strbuf_init(&out);
        if (vo.json) velo_strbuf_puts(&out, "{\"files\":[");
        bool reached = true;
        for (uint32_t i = 0; reached && i < vo.files.count; i++) {
            reached = validate_file(&vo, vo.files.items[i], &out, &t);
            if (out.len) fwrite(out.data, 1, out.len, stdout); /* stream: a big folder shows progress */
            velo_strbuf_clear(&out);
        }
        if (vo.json)
            velo_strbuf_printf(&out, "],\"errors\":%u,\"warnings\":%u}\n", t.errors, t.warnings);
        else
            velo_strbuf_printf(&out, "validate: %u file%s, %u error%s, %u warning%s\n", t.files,
                               plural(t.files), t.errors, plural(t.errors), t.warnings, plural(t.warnings));
        fwrite(out.data, 1, out.len, stdout);
        velo_strbuf_free(&out);
        code = t.errors || (vo.strict && t.warnings) ? EXIT_INVALID : EXIT_VALID;
        if (!reached) code = REMOTE_UNREACHABLE;
    }
    velo_kv_free(&vo.binds);
    velo_kv_free(&vo.config);
    paths_free(&vo.files);
    return code;
}

/* Connection options may stand anywhere (before or after the command); --format before the
 * command is moved after it. What is left is `velo-cli COMMAND ARGS...` in args. */
static int split_args(int argc, char **argv, velo_cli_remote *r, char **args) {
    int n = 0, cmd_at = -1;
    const char *pre_format = NULL;
    args[n++] = argv[0];
    for (int i = 1; i < argc; i++) {
        int k = velo_cli_remote_option(argc, argv, &i, r);
        if (k < 0) return -1;
        if (k) continue;
        if (cmd_at < 0 && (!strncmp(argv[i], "--format", 8)) && (argv[i][8] == '=' || argv[i][8] == '\0')) {
            pre_format = argv[i][8] == '=' ? argv[i] : (i + 1 < argc ? argv[++i] : NULL);
            if (!pre_format) {
                fprintf(stderr, "velo-cli: --format needs a value\n");
                return -1;
            }
            continue;
        }
        if (cmd_at < 0) cmd_at = n;
        args[n++] = argv[i];
        if (cmd_at == n - 1 && pre_format) {
            if (strncmp(pre_format, "--format=", 9)) args[n++] = "--format";
            args[n++] = (char *)pre_format;
        }
    }
    args[n] = NULL;
    return n;
}

/* kafka topics|groups|lag: argument parsing; the work is in connectors/kafka/kafka_admin.c. */
static int cmd_kafka(int argc, char **argv) {
    const char *sub = argc > 0 ? argv[0] : "";
    velo_kafka_admin_options o = {.brokers = getenv("VELO_KAFKA_BROKERS"), .timeout_ms = 10000};
    if (!o.brokers) o.brokers = "localhost:9092";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = !strcmp(a, "--kafka-brokers") || !strcmp(a, "--brokers") ? &o.brokers
                           : !strcmp(a, "--group")                                  ? &o.group
                           : !strcmp(a, "--topic")                                  ? &o.topic
                                                                                    : NULL;
        if (!dst || i + 1 >= argc) {
            fprintf(stderr, "velo-cli: kafka: %s '%s'\n", dst ? "missing value for" : "unknown option", a);
            return EXIT_USAGE;
        }
        *dst = argv[++i];
    }
    velo_error err = {0};
    velo_status st;
    if (!strcmp(sub, "topics"))
        st = velo_kafka_topics_print(&o, stdout, &err);
    else if (!strcmp(sub, "groups"))
        st = velo_kafka_groups_print(&o, stdout, &err);
    else if (!strcmp(sub, "lag"))
        st = velo_kafka_lag_print(&o, stdout, &err);
    else {
        fprintf(stderr, "velo-cli: kafka needs topics, groups or lag, found '%s'\n", sub);
        return EXIT_USAGE;
    }
    if (st) {
        fprintf(stderr, "velo-cli: %s\n", err.message);
        return st == VELO_ERR_INVALID ? EXIT_USAGE : EXIT_INVALID;
    }
    return EXIT_VALID;
}

static int run_command(velo_cli_remote *remote, int argc, char **argv) {
    const char *cmd = argv[1];
    if (strcmp(cmd, "validate") == 0) return cmd_validate(remote, argc - 2, argv + 2);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("velo-cli %s\n", VELO_VERSION);
        return EXIT_VALID;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return EXIT_VALID;
    }
    if (strcmp(cmd, "health") == 0) return velo_cli_health(remote, argc - 2, argv + 2);
    if (strcmp(cmd, "status") == 0) return velo_cli_status(remote, argc - 2, argv + 2);
    if (strcmp(cmd, "jobs") == 0) return velo_cli_jobs(remote, argc - 2, argv + 2);
    if (strcmp(cmd, "submit") == 0) return velo_cli_submit(remote, argc - 2, argv + 2);
    if (strcmp(cmd, "stop") == 0) return velo_cli_stop(remote, argc - 2, argv + 2);
    if (strcmp(cmd, "kafka") == 0) return cmd_kafka(argc - 2, argv + 2);
    fprintf(stderr, "velo-cli: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}

int main(int argc, char **argv) {
    velo_cli_remote remote = {.http = {.host = "127.0.0.1", .port = 8080, .token = getenv("VELO_TOKEN")}};
    char **args = mi_calloc((size_t)argc + 3, sizeof *args);
    if (!args) return EXIT_USAGE;
    int n = split_args(argc, argv, &remote, args);
    int code = EXIT_USAGE;
    if (n < 0) goto out;
    if (n < 2) {
        usage(stderr);
        goto out;
    }
    code = run_command(&remote, n, args);
out:
    mi_free(args);
    return code;
}
