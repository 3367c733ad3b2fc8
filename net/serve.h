/* `velo-sql serve`: the node. Starts the HTTP control plane (net/http_server.h), restores the jobs
 * of the data dir (net/jobs.h) and answers the REST API of docs/rest-api.md until *stop is set. */
#ifndef VELO_NET_SERVE_H
#define VELO_NET_SERVE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>

typedef struct velo_serve_options {
    const char *listen;          /* default 127.0.0.1 */
    int port;                    /* default 8080; 0 picks a free port */
    const char *data_dir;        /* NULL: jobs are not persisted */
    const char *auth_token_file; /* NULL: no authentication */
    const char *tls_cert_file, *tls_key_file;
    int cores;       /* reported; jobs run on one thread each until the core runtime lands */
    size_t max_body; /* request body limit in bytes */
    const char *version;
    const atomic_bool *stop; /* set by SIGINT/SIGTERM */
    FILE *log;               /* start-up line and problems (stderr) */
} velo_serve_options;

/* Runs the node until *stop. Returns 0, or 2 when it cannot start (the reason is logged). */
int velo_serve_run(const velo_serve_options *opts);

#endif
