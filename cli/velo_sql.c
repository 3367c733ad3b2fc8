/* velo-sql: the engine's command line. Argument parsing only; the work is in engine/. */
#include <errno.h>
#include <mimalloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/kafka/dev_kafka.h"
#include "connectors/uri.h"
#include "engine/gen.h"
#include "engine/job.h"
#include "net/serve.h"

#define VELO_VERSION "0.1.0"

static void usage(FILE *out) {
    fputs("usage: velo-sql COMMAND [OPTIONS]\n"
          "\n"
          "commands:\n"
          "  run FILE.sql [--bind NAME=URI]... [--quiet] [--cores N] [--busy-poll] [--state-dir DIR]\n"
          "                 run every statement of FILE.sql ('-' reads standard input) on N\n"
          "                 worker cores (default: the CPUs the process may use); --state-dir:\n"
          "                 where 'checkpoint.interval' checkpoints go without 'state.dir'\n"
          "  explain FILE.sql [--format text|json] [--bind NAME=URI]... [--cores N]\n"
          "                 print the plan of every query of FILE.sql without running it\n"
          "                 (--cores N, text: and which nodes run on which of N cores)\n"
          "  gen nexmark --events N [--seed S] [--rate R] [--paced] --out URI\n"
          "                 write N Nexmark events (JSON lines) to a sink URI (file://...)\n"
          "  dev-kafka [--port 9092] [--partitions N] [--topics a,b]\n"
          "                 run an embedded Kafka-protocol broker (librdkafka's mock cluster) for\n"
          "                 demos and tests; prints its bootstrap address; stops on Ctrl-C\n"
          "  serve [--port 8080] [--listen 127.0.0.1] [--data-dir DIR] [--auth-token-file F]\n"
          "        [--tls-cert F --tls-key F] [--cores N] [--max-body BYTES]\n"
          "                 run the node: REST job API, health and metrics (docs/rest-api.md)\n"
          "  version        print the version\n"
          "  help           this text\n"
          "\n"
          "exit codes of run: 0 ok, 1 SQL error, 2 input/output or usage error,\n"
          "                   3 finished but records were rejected (dead-letter queue), 4 job failed\n",
          out);
}

/* Set by SIGINT/SIGTERM: the running job stops reading, drains, flushes and exits 0. A signal
 * handler can only reach a global; this is the one piece of global mutable state, and it lives in
 * main's file. */
static atomic_bool stop_requested;

static void on_stop_signal(int sig) {
    (void)sig;
    atomic_store(&stop_requested, true);
}

static void install_stop_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Reads a whole file (or stdin for "-") into a NUL-terminated buffer. */
static char *read_all(const char *path, size_t *len) {
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = mi_malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
        if (n + 1 == cap) {
            char *nb = mi_realloc(buf, cap * 2);
            if (!nb) {
                mi_free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int failed = ferror(f);
    if (f != stdin) fclose(f);
    if (!buf || failed) {
        mi_free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* What run and explain read from their command line. */
typedef struct cmd_args {
    velo_run_options opts;
    bool json; /* explain --format json */
} cmd_args;

/* Parses `FILE.sql [--bind NAME=URI]... [--quiet] [--format text|json]` (--quiet for run, --format
 * for explain). Returns false on a usage error, already reported. */
static bool parse_args(const char *cmd, int argc, char **argv, cmd_args *ca) {
    bool is_run = strcmp(cmd, "run") == 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--bind") == 0 || strncmp(a, "--bind=", 7) == 0) {
            const char *spec = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
            const char *eq = spec ? strchr(spec, '=') : NULL;
            if (!eq || eq == spec) {
                fprintf(stderr, "velo-sql: --bind needs NAME=URI, e.g. --bind trades=file://trades.csv\n");
                return false;
            }
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(eq - spec), spec);
            velo_kv_set(&ca->opts.binds, name, eq + 1);
        } else if (is_run && (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)) {
            ca->opts.quiet = 1;
        } else if (strcmp(a, "--cores") == 0 || strncmp(a, "--cores=", 8) == 0) {
            const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
            char *end = NULL;
            long n = v ? strtol(v, &end, 10) : 0;
            if (!v || !*v || *end || n < 1 || n > 256) {
                fprintf(stderr, "velo-sql: --cores needs a number of cores from 1 to 256, e.g. --cores 4\n");
                return false;
            }
            ca->opts.cores = (uint32_t)n;
        } else if (is_run && strcmp(a, "--busy-poll") == 0) {
            ca->opts.busy_poll = true;
        } else if (is_run && (strcmp(a, "--state-dir") == 0 || strncmp(a, "--state-dir=", 12) == 0)) {
            const char *v = a[11] == '=' ? a + 12 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || !*v) {
                fprintf(stderr, "velo-sql: --state-dir needs a directory, e.g. --state-dir /var/lib/velo\n");
                return false;
            }
            ca->opts.state_dir = v;
        } else if (!is_run && (strcmp(a, "--format") == 0 || strncmp(a, "--format=", 9) == 0)) {
            const char *v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || (strcmp(v, "text") && strcmp(v, "json"))) {
                fprintf(stderr, "velo-sql: --format must be text or json\n");
                return false;
            }
            ca->json = strcmp(v, "json") == 0;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "velo-sql: unknown option '%s' for %s\n", a, cmd);
            return false;
        } else if (!ca->opts.file) {
            ca->opts.file = a;
        } else {
            fprintf(stderr, "velo-sql: %s takes one SQL file, found '%s' too\n", cmd, a);
            return false;
        }
    }
    if (!ca->opts.file) {
        fprintf(stderr, "velo-sql: %s needs a SQL file: velo-sql %s FILE.sql\n", cmd, cmd);
        return false;
    }
    return true;
}

/* run and explain: read the arguments and the SQL file, then hand over to engine/. */
static int cmd_script(const char *cmd, int argc, char **argv) {
    cmd_args ca = {0};
    velo_kv_init(&ca.opts.binds);
    ca.opts.diag_out = stderr;
    int code = VELO_EXIT_IO_ERROR;
    if (!parse_args(cmd, argc, argv, &ca)) goto out;
    char *text = read_all(ca.opts.file, &ca.opts.text_len);
    if (!text) {
        fprintf(stderr, "velo-sql: cannot read SQL file '%s': %s\n", ca.opts.file,
                strerror(errno ? errno : EIO));
        goto out;
    }
    ca.opts.text = text;
    if (strcmp(cmd, "run") == 0) {
        velo_run_report report;
        ca.opts.stop = &stop_requested;
        install_stop_handlers();
        code = velo_run_script(&ca.opts, &report);
    } else {
        code = velo_explain_script(&ca.opts, ca.json);
    }
    mi_free(text);
out:
    velo_kv_free(&ca.opts.binds);
    return code;
}

/* Reads a non-negative integer option value; false (reported) when it is not one. */
static bool parse_count(const char *opt, const char *v, uint64_t *out) {
    char *end = NULL;
    errno = 0;
    unsigned long long x = v && *v && *v != '-' ? strtoull(v, &end, 10) : 0;
    if (!v || !end || *end || errno) {
        fprintf(stderr, "velo-sql gen: %s needs a non-negative integer, found '%s'\n", opt, v ? v : "");
        return false;
    }
    *out = x;
    return true;
}

/* gen GENERATOR --events N [--seed S] [--rate R] [--paced] --out URI */
static int cmd_gen(int argc, char **argv) {
    velo_gen_options o = {.diag_out = stderr};
    bool have_events = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        char opt[32];
        snprintf(opt, sizeof opt, "%.*s", eq && a[0] == '-' ? (int)(eq - a) : (int)strlen(a), a);
        const char *v = eq && a[0] == '-' ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
        bool takes = !strcmp(opt, "--events") || !strcmp(opt, "--seed") || !strcmp(opt, "--rate") ||
                     !strcmp(opt, "--out");
        if (takes && !eq) i++;
        if (!strcmp(opt, "--events")) {
            if (!parse_count(opt, v, &o.events)) return VELO_EXIT_IO_ERROR;
            have_events = true;
        } else if (!strcmp(opt, "--seed")) {
            if (!parse_count(opt, v, &o.seed)) return VELO_EXIT_IO_ERROR;
        } else if (!strcmp(opt, "--rate")) {
            if (!parse_count(opt, v, &o.rate) || o.rate == 0) {
                fprintf(stderr, "velo-sql gen: --rate must be at least 1 event per second\n");
                return VELO_EXIT_IO_ERROR;
            }
        } else if (!strcmp(opt, "--out")) {
            o.out_uri = v;
        } else if (!strcmp(opt, "--paced")) {
            o.paced = true;
        } else if (!strcmp(opt, "--quiet") || !strcmp(opt, "-q")) {
            o.quiet = 1;
        } else if (a[0] != '-' && !o.generator) {
            o.generator = a;
        } else {
            fprintf(stderr, "velo-sql gen: unknown argument '%s'\n", a);
            return VELO_EXIT_IO_ERROR;
        }
    }
    if (!o.generator || !have_events || !o.out_uri) {
        fprintf(stderr, "usage: velo-sql gen nexmark --events N [--seed S] [--rate R] [--paced] --out URI\n"
                        "  e.g. velo-sql gen nexmark --events 1000000 --seed 42 --out file://events.jsonl\n");
        return VELO_EXIT_IO_ERROR;
    }
    o.stop = &stop_requested;
    install_stop_handlers();
    return velo_gen_run(&o);
}

/* dev-kafka [--port N] [--partitions N] [--topics a,b] [--brokers N]: the broker lives in
 * connectors/kafka/dev_kafka.c. */
static int cmd_dev_kafka(int argc, char **argv) {
    velo_dev_kafka_options o = {.port = 9092, .partitions = 4, .brokers = 1};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        const char *names[] = {"--port", "--partitions", "--topics", "--brokers"};
        int which = -1;
        for (int k = 0; k < 4 && which < 0; k++) {
            size_t n = strlen(names[k]);
            if (!strncmp(a, names[k], n) && (a[n] == '\0' || a[n] == '=')) {
                which = k;
                v = a[n] == '=' ? a + n + 1 : (i + 1 < argc ? argv[++i] : NULL);
            }
        }
        if (which < 0 || !v) {
            fprintf(stderr,
                    "velo-sql: dev-kafka: %s '%s'; usage: velo-sql dev-kafka [--port 9092] "
                    "[--partitions N] [--topics a,b] [--brokers N]\n",
                    which < 0 ? "unknown option" : "missing value for", a);
            return VELO_EXIT_IO_ERROR;
        }
        char *end = NULL;
        long n = which == 2 ? 0 : strtol(v, &end, 10);
        if (which != 2 && (!*v || *end || n < 0 || n > 65535)) {
            fprintf(stderr, "velo-sql: dev-kafka: %s needs a number, found '%s'\n", names[which], v);
            return VELO_EXIT_IO_ERROR;
        }
        if (which == 0) o.port = (int)n;
        if (which == 1) o.partitions = (int)n;
        if (which == 2) o.topics = v;
        if (which == 3) o.brokers = (int)n;
    }
    install_stop_handlers();
    velo_error err = {0};
    if (velo_dev_kafka_run(&o, &stop_requested, stdout, stderr, &err)) {
        fprintf(stderr, "velo-sql: %s\n", err.message);
        return VELO_EXIT_IO_ERROR;
    }
    return VELO_EXIT_OK;
}

/* serve: read the options, then hand over to net/serve.c. */
static int cmd_serve(int argc, char **argv) {
    velo_serve_options so = {.listen = "127.0.0.1",
                             .port = 8080,
                             .cores = 1,
                             .max_body = 1 << 20,
                             .version = VELO_VERSION,
                             .stop = &stop_requested,
                             .log = stderr};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        static const char *const with_value[] = {"--port",     "--listen",  "--data-dir", "--auth-token-file",
                                                 "--tls-cert", "--tls-key", "--cores",    "--max-body"};
        size_t k, nk = sizeof with_value / sizeof with_value[0];
        for (k = 0; k < nk; k++) {
            size_t n = strlen(with_value[k]);
            if (!strncmp(a, with_value[k], n) && (a[n] == '\0' || a[n] == '=')) {
                v = a[n] == '=' ? a + n + 1 : (i + 1 < argc ? argv[++i] : NULL);
                break;
            }
        }
        if (k == nk) {
            fprintf(stderr, "velo-sql: unknown option '%s' for serve\n", a);
            return VELO_EXIT_IO_ERROR;
        }
        if (!v) {
            fprintf(stderr, "velo-sql: %s needs a value\n", with_value[k]);
            return VELO_EXIT_IO_ERROR;
        }
        char *end = NULL;
        long num = strtol(v, &end, 10);
        bool numeric = end && end != v && *end == '\0';
        switch (k) {
        case 0:
            if (!numeric || num < 0 || num > 65535) {
                fprintf(stderr, "velo-sql: --port must be 0..65535 (0 picks a free port), found '%s'\n", v);
                return VELO_EXIT_IO_ERROR;
            }
            so.port = (int)num;
            break;
        case 1: so.listen = v; break;
        case 2: so.data_dir = v; break;
        case 3: so.auth_token_file = v; break;
        case 4: so.tls_cert_file = v; break;
        case 5: so.tls_key_file = v; break;
        case 6:
            if (!numeric || num < 1 || num > 256) {
                fprintf(stderr, "velo-sql: --cores must be 1..256, found '%s'\n", v);
                return VELO_EXIT_IO_ERROR;
            }
            so.cores = (int)num;
            break;
        default:
            if (!numeric || num < 1024) {
                fprintf(stderr, "velo-sql: --max-body must be a byte count of at least 1024, found '%s'\n",
                        v);
                return VELO_EXIT_IO_ERROR;
            }
            so.max_body = (size_t)num;
            break;
        }
    }
    install_stop_handlers();
    signal(SIGPIPE, SIG_IGN); /* a client that hangs up must not end the node */
    return velo_serve_run(&so);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return VELO_EXIT_IO_ERROR;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0 || strcmp(cmd, "explain") == 0) return cmd_script(cmd, argc - 2, argv + 2);
    if (strcmp(cmd, "gen") == 0) return cmd_gen(argc - 2, argv + 2);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("velo-sql %s\n", VELO_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "dev-kafka") == 0) return cmd_dev_kafka(argc - 2, argv + 2);
    if (strcmp(cmd, "serve") == 0) return cmd_serve(argc - 2, argv + 2);
    if (!strcmp(cmd, "test")) {
        fprintf(stderr, "velo-sql: '%s' is not supported yet\n", cmd);
        return VELO_EXIT_IO_ERROR;
    }
    fprintf(stderr, "velo-sql: unknown command '%s'\n", cmd);
    usage(stderr);
    return VELO_EXIT_IO_ERROR;
}
