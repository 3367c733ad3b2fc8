/* libmicrohttpd glue (net/http_server.h). A request arrives in several calls of the access
 * handler: the first with the headers (authentication and the declared size are checked there and
 * a rejection is queued at once), then the body in pieces, then a last call with no data, where the
 * handler runs. Bodies past the limit are discarded as they arrive, so a large upload costs no
 * memory; slow clients are cut by the connection timeout. */
#include "net/http_server.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <mimalloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CONNECTION_LIMIT   256
#define CONNECTION_TIMEOUT 30 /* seconds of silence before a connection is closed */

struct velo_http_server {
    struct MHD_Daemon *daemon;
    velo_http_options opts;
    char *token, *cert, *key; /* copies: libmicrohttpd keeps pointers to the PEM text */
    uint16_t port;
    _Atomic uint64_t counts[6];
};

typedef struct request_ctx {
    velo_strbuf body;
    bool too_large;
} request_ctx;

const char *velo_http_query(const velo_http_request *req, const char *key) {
    return MHD_lookup_connection_value((struct MHD_Connection *)req->conn, MHD_GET_ARGUMENT_KIND, key);
}

void velo_http_problem(velo_http_response *resp, int status, const char *title, const char *detail) {
    json_t *j = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title", title, "status", status,
                          "detail", detail ? detail : title);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    velo_strbuf_clear(&resp->body);
    velo_strbuf_puts(&resp->body, text ? text : "{}");
    velo_strbuf_putc(&resp->body, '\n');
    free(text);
    resp->status = status;
    resp->content_type = "application/problem+json";
}

static enum MHD_Result send_response(velo_http_server *s, struct MHD_Connection *c,
                                     velo_http_response *resp) {
    struct MHD_Response *r = MHD_create_response_from_buffer(
        resp->body.len, resp->body.data ? resp->body.data : (char *)"", MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            resp->content_type ? resp->content_type : "text/plain");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (resp->allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
    if (resp->location[0]) MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, resp->location);
    if (resp->status == 401)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"velo\"");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    int cls = resp->status / 100;
    if (cls >= 1 && cls <= 5) atomic_fetch_add(&s->counts[cls], 1);
    return ret;
}

static enum MHD_Result send_problem(velo_http_server *s, struct MHD_Connection *c, int status,
                                    const char *title, const char *detail) {
    velo_http_response resp = {0};
    velo_strbuf_init(&resp.body);
    velo_http_problem(&resp, status, title, detail);
    enum MHD_Result r = send_response(s, c, &resp);
    velo_strbuf_free(&resp.body);
    return r;
}

/* Constant-time comparison: the time taken does not tell how much of a guessed token was right. */
static bool token_ok(const velo_http_server *s, struct MHD_Connection *c) {
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7)) return false;
    h += 7;
    while (*h == ' ')
        h++;
    size_t n = strlen(s->token), m = strlen(h);
    unsigned char diff = (unsigned char)(n != m);
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(s->token[i] ^ (i < m ? h[i] : 0));
    return diff == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    velo_http_server *s = cls;
    request_ctx *ctx = *con_cls;
    if (!ctx) { /* headers only: reject early what will not be served */
        if (s->token && strncmp(url, "/health/", 8) && !token_ok(s, c))
            return send_problem(
                s, c, 401, "Unauthorized",
                "this node needs 'Authorization: Bearer TOKEN' (the token of --auth-token-file)");
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->opts.max_body) {
            char d[128];
            snprintf(d, sizeof d, "the request body is larger than the limit of %zu bytes", s->opts.max_body);
            return send_problem(s, c, 413, "Content Too Large", d);
        }
        ctx = mi_zalloc(sizeof *ctx);
        if (!ctx) return MHD_NO;
        velo_strbuf_init(&ctx->body);
        *con_cls = ctx;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!ctx->too_large && ctx->body.len + *upload_data_size <= s->opts.max_body)
            velo_strbuf_append(&ctx->body, upload_data, *upload_data_size);
        else
            ctx->too_large = true; /* keep reading (and dropping) to answer cleanly */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (ctx->too_large) {
        char d[128];
        snprintf(d, sizeof d, "the request body is larger than the limit of %zu bytes", s->opts.max_body);
        return send_problem(s, c, 413, "Content Too Large", d);
    }
    velo_http_request req = {
        .method = method,
        .path = url,
        .content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        .body = ctx->body.data ? ctx->body.data : "",
        .body_len = ctx->body.len,
        .conn = c,
    };
    velo_http_response resp = {.status = 200, .content_type = "application/json"};
    velo_strbuf_init(&resp.body);
    s->opts.handler(s->opts.ud, &req, &resp);
    enum MHD_Result r = send_response(s, c, &resp);
    velo_strbuf_free(&resp.body);
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    request_ctx *ctx = *con_cls;
    if (!ctx) return;
    velo_strbuf_free(&ctx->body);
    mi_free(ctx);
    *con_cls = NULL;
}

velo_http_server *velo_http_start(const velo_http_options *opts, velo_error *err) {
    velo_http_server *s = mi_zalloc(sizeof *s);
    if (!s) {
        velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->opts = *opts;
    const char *listen = opts->listen ? opts->listen : "127.0.0.1";
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (strchr(listen, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(opts->port);
        if (inet_pton(AF_INET6, listen, &a->sin6_addr) != 1) goto bad_addr;
        flags |= MHD_USE_IPv6;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(opts->port);
        if (inet_pton(AF_INET, listen, &a->sin_addr) != 1) goto bad_addr;
    }
    if (opts->token) s->token = mi_strdup(opts->token);
    struct MHD_OptionItem tls[3] = {
        {MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}};
    if (opts->tls_cert_pem) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            velo_error_set(err, VELO_ERR_UNSUPPORTED, "this libmicrohttpd has no TLS support");
            goto fail;
        }
        s->cert = mi_strdup(opts->tls_cert_pem);
        s->key = mi_strdup(opts->tls_key_pem);
        tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert};
        tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->key};
        flags |= MHD_USE_TLS;
    }
    s->daemon =
        MHD_start_daemon(flags, opts->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                         (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    if (!s->daemon) {
        velo_error_set(
            err, VELO_ERR_IO, "cannot listen on %s:%u (in use, or not an address of this machine?)%s", listen,
            (unsigned)opts->port, opts->tls_cert_pem ? "; or the TLS certificate/key is invalid" : "");
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : opts->port;
    return s;
bad_addr:
    velo_error_set(err, VELO_ERR_INVALID, "--listen '%s' is not an IPv4 or IPv6 address", listen);
fail:
    mi_free(s->token);
    mi_free(s->cert);
    mi_free(s->key);
    mi_free(s);
    return NULL;
}

uint16_t velo_http_port(const velo_http_server *s) { return s->port; }

void velo_http_counts(const velo_http_server *s, uint64_t out[6]) {
    for (int i = 0; i < 6; i++)
        out[i] = atomic_load(&((velo_http_server *)s)->counts[i]);
}

void velo_http_stop(velo_http_server *s) {
    if (!s) return;
    MHD_stop_daemon(s->daemon);
    mi_free(s->token);
    mi_free(s->cert);
    mi_free(s->key);
    mi_free(s);
}
