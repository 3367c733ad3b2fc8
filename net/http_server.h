/* The HTTP layer of the control plane on libmicrohttpd: one internal polling thread (the control
 * thread), bodies collected up to a size limit, bearer-token check on everything but /health/...,
 * optional TLS. Requests reach one handler with the whole body; it fills a response. */
#ifndef VELO_NET_HTTP_SERVER_H
#define VELO_NET_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "velo/error.h"

typedef struct velo_http_request {
    const char *method;
    const char *path;         /* without the query string */
    const char *content_type; /* NULL when absent */
    const char *body;         /* NUL-terminated, body_len bytes */
    size_t body_len;
    void *conn; /* the libmicrohttpd connection, for velo_http_query */
} velo_http_request;

typedef struct velo_http_response {
    int status;
    const char *content_type; /* static string */
    velo_strbuf body;
    const char *allow;  /* Allow header of a 405, static */
    char location[128]; /* Location header of a 201, "" for none */
} velo_http_response;

/* A query parameter (percent-decoded), NULL when absent. */
const char *velo_http_query(const velo_http_request *req, const char *key);

/* Fills resp with an RFC 9457 problem document (application/problem+json). */
void velo_http_problem(velo_http_response *resp, int status, const char *title, const char *detail);

typedef void (*velo_http_handler)(void *ud, const velo_http_request *req, velo_http_response *resp);

typedef struct velo_http_options {
    const char *listen;                     /* IPv4 or IPv6 address, "127.0.0.1" by default */
    uint16_t port;                          /* 0: any free port (velo_http_port tells which) */
    const char *tls_cert_pem, *tls_key_pem; /* both or neither: PEM text */
    const char *token;                      /* NULL: no authentication */
    size_t max_body;                        /* larger bodies get 413 */
    velo_http_handler handler;
    void *ud;
} velo_http_options;

typedef struct velo_http_server velo_http_server;

velo_http_server *velo_http_start(const velo_http_options *opts, velo_error *err);
uint16_t velo_http_port(const velo_http_server *s);
/* Responses sent so far by status class: out[1] = 1xx ... out[5] = 5xx. */
void velo_http_counts(const velo_http_server *s, uint64_t out[6]);
void velo_http_stop(velo_http_server *s);

#endif
