/* velo-cli's commands that talk to a node over its REST API (net/http_client.h): health, status,
 * jobs, submit, stop, and validate --remote. Human tables by default, the node's JSON with
 * --format json. */
#ifndef VELO_CLI_REMOTE_H
#define VELO_CLI_REMOTE_H

#include <stdbool.h>

#include "connectors/uri.h"
#include "net/http_client.h"
#include "sql/diag.h"

/* Exit codes of the remote commands (docs/cli-velo-cli.md). */
enum { REMOTE_OK = 0, REMOTE_REFUSED = 1, REMOTE_USAGE = 2, REMOTE_UNREACHABLE = 3 };

typedef struct velo_cli_remote {
    velo_http_client http;
    bool remote; /* --remote: validate on the node */
} velo_cli_remote;

/* Reads a connection option at argv[*i] (--remote, --sql-host, --sql-port, --token, --tls,
 * --insecure, --cacert): 1 when it was one, 0 when not, -1 on a bad value (reported). */
int velo_cli_remote_option(int argc, char **argv, int *i, velo_cli_remote *r);

int velo_cli_health(velo_cli_remote *r, int argc, char **argv);
int velo_cli_status(velo_cli_remote *r, int argc, char **argv);
int velo_cli_jobs(velo_cli_remote *r, int argc, char **argv);
int velo_cli_submit(velo_cli_remote *r, int argc, char **argv);
int velo_cli_stop(velo_cli_remote *r, int argc, char **argv);

/* Command-line options shared by every velo-cli command: is `a` the option `opt` (`--opt` or
 * `--opt=VALUE`), and its value (`--opt VALUE` or `--opt=VALUE`; NULL, with a message, when
 * missing). Defined in cli/velo_cli_remote.c. */
bool velo_cli_opt_is(const char *a, const char *opt);
const char *velo_cli_opt_value(int argc, char **argv, int *i, const char *opt);

/* A whole file as a NUL-terminated mi_malloc'ed buffer, NULL with errno set on failure
 * (cli/velo_cli.c). */
char *velo_cli_read_file(const char *path, size_t *len);

/* validate --remote: the node checks one file's SQL; its findings land in diags. Returns
 * REMOTE_OK, or another code with the reason printed. */
int velo_cli_validate_remote(velo_cli_remote *r, const char *file, const char *text, size_t len,
                             const velo_kv *binds, velo_diags *diags);

#endif
