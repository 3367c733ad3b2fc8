/* The HTTP client of `velo-cli` (libcurl): one request to a node, the status and the body back,
 * and a message that says what to check when the node cannot be reached. */
#ifndef VELO_NET_HTTP_CLIENT_H
#define VELO_NET_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/strbuf.h"
#include "velo/error.h"

typedef struct velo_http_client {
    const char *host;   /* default 127.0.0.1 */
    int port;           /* default 8080 */
    const char *token;  /* bearer token, or NULL */
    bool tls;           /* https:// */
    bool insecure;      /* do not verify the node's certificate (self-signed test nodes) */
    const char *cacert; /* CA bundle to verify it with, or NULL for the system's */
    long timeout_s;     /* whole request; default 10 */
} velo_http_client;

typedef struct velo_http_reply {
    long status;
    velo_strbuf body;
} velo_http_reply;

/* Sends one request. VELO_ERR_IO when the node cannot be reached (the message names the URL and
 * the cause); any HTTP status is a success here, the caller judges it. */
velo_status velo_http_call(const velo_http_client *c, const char *method, const char *path, const char *body,
                           size_t body_len, const char *content_type, velo_http_reply *out, velo_error *err);

#endif
