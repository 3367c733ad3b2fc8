/* libcurl requests for velo-cli (net/http_client.h). One easy handle per call: the CLI makes a
 * few requests per command, so connection reuse would buy nothing. */
#include "net/http_client.h"

#include <curl/curl.h>
#include <string.h>

static size_t on_data(char *p, size_t size, size_t n, void *ud) {
    velo_strbuf_append(ud, p, size * n);
    return size * n;
}

velo_status velo_http_call(const velo_http_client *c, const char *method, const char *path, const char *body,
                           size_t body_len, const char *content_type, velo_http_reply *out, velo_error *err) {
    out->status = 0;
    velo_strbuf_init(&out->body);
    const char *host = c->host ? c->host : "127.0.0.1";
    bool v6 = strchr(host, ':') != NULL;
    char url[1024];
    snprintf(url, sizeof url, "%s://%s%s%s:%d%s", c->tls ? "https" : "http", v6 ? "[" : "", host,
             v6 ? "]" : "", c->port ? c->port : 8080, path);
    CURL *h = curl_easy_init();
    if (!h) return velo_error_set(err, VELO_ERR_NOMEM, "cannot start libcurl");
    struct curl_slist *headers = NULL;
    char auth[1024];
    if (c->token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
        headers = curl_slist_append(headers, auth);
    }
    char ct[256];
    if (content_type) {
        snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
        headers = curl_slist_append(headers, ct);
    }
    headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &out->body);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s > 0 ? c->timeout_s : 10L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*"); /* the node is addressed directly */
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    if (c->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (c->cacert) curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
    CURLcode rc = curl_easy_perform(h);
    velo_status st = VELO_OK;
    if (rc != CURLE_OK) {
        st = velo_error_set(err, VELO_ERR_IO,
                            "cannot reach the node at %s: %s (is `velo-sql serve` running there? check "
                            "--sql-host and --sql-port%s)",
                            url, errbuf[0] ? errbuf : curl_easy_strerror(rc),
                            c->tls ? ", --tls and --cacert" : "");
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    }
    if (!out->body.data) velo_strbuf_puts(&out->body, "");
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    return st;
}
