/* velo-sql: the engine's command line. Argument parsing only; the work is in engine/. */
#include <errno.h>
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/uri.h"
#include "engine/job.h"

#define VELO_VERSION "0.1.0"

static void usage(FILE *out) {
    fputs("usage: velo-sql COMMAND [OPTIONS]\n"
          "\n"
          "commands:\n"
          "  run FILE.sql [--bind NAME=URI]... [--quiet]\n"
          "                 run every statement of FILE.sql ('-' reads standard input)\n"
          "  version        print the version\n"
          "  help           this text\n"
          "\n"
          "exit codes of run: 0 ok, 1 SQL error, 2 input/output or usage error,\n"
          "                   3 finished but records were rejected (dead-letter queue), 4 job failed\n",
          out);
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

static int cmd_run(int argc, char **argv) {
    velo_run_options opts = {0};
    velo_kv_init(&opts.binds);
    opts.diag_out = stderr;
    int code = VELO_EXIT_IO_ERROR;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--bind") == 0 || strncmp(a, "--bind=", 7) == 0) {
            const char *spec = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
            const char *eq = spec ? strchr(spec, '=') : NULL;
            if (!eq || eq == spec) {
                fprintf(stderr, "velo-sql: --bind needs NAME=URI, e.g. --bind trades=file://trades.csv\n");
                goto out;
            }
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(eq - spec), spec);
            velo_kv_set(&opts.binds, name, eq + 1);
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            opts.quiet = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "velo-sql: unknown option '%s' for run\n", a);
            goto out;
        } else if (!opts.file) {
            opts.file = a;
        } else {
            fprintf(stderr, "velo-sql: run takes one SQL file, found '%s' too\n", a);
            goto out;
        }
    }
    if (!opts.file) {
        fprintf(stderr, "velo-sql: run needs a SQL file: velo-sql run FILE.sql\n");
        goto out;
    }
    char *text = read_all(opts.file, &opts.text_len);
    if (!text) {
        fprintf(stderr, "velo-sql: cannot read SQL file '%s': %s\n", opts.file, strerror(errno ? errno : EIO));
        goto out;
    }
    opts.text = text;
    velo_run_report report;
    code = velo_run_script(&opts, &report);
    mi_free(text);
out:
    velo_kv_free(&opts.binds);
    return code;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return VELO_EXIT_IO_ERROR;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("velo-sql %s\n", VELO_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "serve") || !strcmp(cmd, "test") || !strcmp(cmd, "explain") || !strcmp(cmd, "dev-kafka")) {
        fprintf(stderr, "velo-sql: '%s' is not supported yet\n", cmd);
        return VELO_EXIT_IO_ERROR;
    }
    fprintf(stderr, "velo-sql: unknown command '%s'\n", cmd);
    usage(stderr);
    return VELO_EXIT_IO_ERROR;
}
