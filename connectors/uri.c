/* Connector URIs and option lists. */
#include "connectors/uri.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void velo_kv_init(velo_kv *kv) { memset(kv, 0, sizeof *kv); }

void velo_kv_free(velo_kv *kv) {
    for (uint32_t i = 0; i < kv->count; i++) {
        free(kv->items[i].key);
        free(kv->items[i].value);
    }
    free(kv->items);
    memset(kv, 0, sizeof *kv);
}

static char *dup_or_die(const char *s) {
    char *d = strdup(s ? s : "");
    if (!d) abort(); /* option lists are tiny; like strbuf we do not report this OOM */
    return d;
}

void velo_kv_set(velo_kv *kv, const char *key, const char *value) {
    for (uint32_t i = 0; i < kv->count; i++) {
        if (strcasecmp(kv->items[i].key, key) == 0) {
            free(kv->items[i].value);
            kv->items[i].value = dup_or_die(value);
            return;
        }
    }
    if (kv->count == kv->cap) {
        uint32_t cap = kv->cap ? kv->cap * 2 : 8;
        velo_kv_item *items = realloc(kv->items, cap * sizeof *items);
        if (!items) abort();
        kv->items = items;
        kv->cap = cap;
    }
    kv->items[kv->count].key = dup_or_die(key);
    kv->items[kv->count].value = dup_or_die(value);
    kv->count++;
}

const char *velo_kv_get(const velo_kv *kv, const char *key) {
    if (!kv) return NULL;
    for (uint32_t i = 0; i < kv->count; i++)
        if (strcasecmp(kv->items[i].key, key) == 0) return kv->items[i].value;
    return NULL;
}

const char *velo_kv_get_or(const velo_kv *kv, const char *key, const char *dflt) {
    const char *v = velo_kv_get(kv, key);
    return v ? v : dflt;
}

velo_status velo_kv_get_bool(const velo_kv *kv, const char *key, bool dflt, bool *out, velo_error *err) {
    const char *v = velo_kv_get(kv, key);
    if (!v) {
        *out = dflt;
        return VELO_OK;
    }
    if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "on")) {
        *out = true;
        return VELO_OK;
    }
    if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "off")) {
        *out = false;
        return VELO_OK;
    }
    return velo_error_set(err, VELO_ERR_INVALID, "option '%s' must be true or false, found '%s'", key, v);
}

velo_status velo_kv_get_int(const velo_kv *kv, const char *key, int64_t dflt, int64_t *out, velo_error *err) {
    const char *v = velo_kv_get(kv, key);
    if (!v) {
        *out = dflt;
        return VELO_OK;
    }
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end)
        return velo_error_set(err, VELO_ERR_INVALID, "option '%s' must be an integer, found '%s'", key, v);
    *out = n;
    return VELO_OK;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into a new string; '+' stays '+' (these are not form posts). */
static char *pct_decode(const char *s, size_t n, bool *ok) {
    char *d = malloc(n + 1);
    if (!d) abort();
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n) {
                *ok = false;
                break;
            }
            int a = hexval(s[i + 1]), b = hexval(s[i + 2]);
            if (a < 0 || b < 0) {
                *ok = false;
                break;
            }
            d[j++] = (char)(a * 16 + b);
            i += 2;
        } else {
            d[j++] = s[i];
        }
    }
    d[j] = '\0';
    return d;
}

void velo_uri_free(velo_uri *uri) {
    if (!uri) return;
    free(uri->scheme);
    free(uri->authority);
    free(uri->path);
    free(uri->text);
    velo_kv_free(&uri->params);
    memset(uri, 0, sizeof *uri);
}

velo_status velo_uri_parse(const char *text, velo_uri *out, velo_error *err) {
    memset(out, 0, sizeof *out);
    velo_kv_init(&out->params);
    const char *sep = strstr(text, "://");
    if (!sep || sep == text)
        return velo_error_set(err, VELO_ERR_INVALID,
                              "'%s' is not a connector URI: expected scheme://..., e.g. "
                              "'file://in.csv' or 'kafka://localhost:9092/topic'",
                              text);
    for (const char *p = text; p < sep; p++) {
        if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
            return velo_error_set(err, VELO_ERR_INVALID, "'%s': invalid character in the URI scheme", text);
    }
    out->text = dup_or_die(text);
    out->scheme = malloc((size_t)(sep - text) + 1);
    if (!out->scheme) abort();
    for (size_t i = 0; i < (size_t)(sep - text); i++)
        out->scheme[i] = (char)tolower((unsigned char)text[i]);
    out->scheme[sep - text] = '\0';

    const char *rest = sep + 3;
    const char *q = strchr(rest, '?');
    size_t body_len = q ? (size_t)(q - rest) : strlen(rest);
    bool ok = true;
    if (!strcmp(out->scheme, "file")) {
        /* file:///abs -> "/abs"; file://rel/x -> "rel/x" (relative to the SQL file's folder). */
        out->authority = dup_or_die("");
        out->path = pct_decode(rest, body_len, &ok);
    } else {
        const char *slash = memchr(rest, '/', body_len);
        size_t alen = slash ? (size_t)(slash - rest) : body_len;
        out->authority = pct_decode(rest, alen, &ok);
        out->path = slash ? pct_decode(slash + 1, body_len - alen - 1, &ok) : dup_or_die("");
    }
    if (!ok) {
        velo_error_set(err, VELO_ERR_INVALID, "'%s': bad percent-escape", text);
        velo_uri_free(out);
        return VELO_ERR_INVALID;
    }
    if (!strcmp(out->scheme, "file") && out->path[0] == '\0') {
        velo_error_set(err, VELO_ERR_INVALID, "'%s': a file URI needs a path, e.g. 'file://data/in.csv'",
                       text);
        velo_uri_free(out);
        return VELO_ERR_INVALID;
    }
    if (q) {
        const char *p = q + 1;
        while (*p) {
            const char *amp = strchr(p, '&');
            size_t n = amp ? (size_t)(amp - p) : strlen(p);
            if (n) {
                const char *eq = memchr(p, '=', n);
                if (!eq || eq == p) {
                    velo_error_set(err, VELO_ERR_INVALID, "'%s': query parameter '%.*s' must be key=value",
                                   text, (int)n, p);
                    velo_uri_free(out);
                    return VELO_ERR_INVALID;
                }
                char *k = pct_decode(p, (size_t)(eq - p), &ok);
                char *v = pct_decode(eq + 1, n - (size_t)(eq - p) - 1, &ok);
                if (ok) velo_kv_set(&out->params, k, v);
                free(k);
                free(v);
                if (!ok) {
                    velo_error_set(err, VELO_ERR_INVALID, "'%s': bad percent-escape", text);
                    velo_uri_free(out);
                    return VELO_ERR_INVALID;
                }
            }
            if (!amp) break;
            p = amp + 1;
        }
    }
    return VELO_OK;
}

bool velo_path_resolve(const char *base_dir, const char *path, char *out, size_t out_size) {
    int n;
    if (path[0] == '/' || !base_dir || !base_dir[0] || !strcmp(base_dir, "."))
        n = snprintf(out, out_size, "%s", path);
    else
        n = snprintf(out, out_size, "%s/%s", base_dir, path);
    return n >= 0 && (size_t)n < out_size;
}
