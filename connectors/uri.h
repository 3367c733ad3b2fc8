/* Connector URIs: scheme://authority/path?k=v&k2=v2, percent-decoded, and key/value option lists
 * (URI query parameters merged with WITH (...) properties). */
#ifndef VELO_CONNECTORS_URI_H
#define VELO_CONNECTORS_URI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "velo/error.h"

typedef struct velo_kv_item {
    char *key;
    char *value;
} velo_kv_item;

/* An ordered list of options; later set() of the same key (case-insensitive) replaces the value. */
typedef struct velo_kv {
    velo_kv_item *items;
    uint32_t count, cap;
} velo_kv;

void velo_kv_init(velo_kv *kv);
void velo_kv_free(velo_kv *kv);
void velo_kv_set(velo_kv *kv, const char *key, const char *value);
const char *velo_kv_get(const velo_kv *kv, const char *key); /* NULL if absent */
const char *velo_kv_get_or(const velo_kv *kv, const char *key, const char *dflt);
/* Parses "true/false/1/0/yes/no"; anything else is an error naming the key. */
velo_status velo_kv_get_bool(const velo_kv *kv, const char *key, bool dflt, bool *out, velo_error *err);
velo_status velo_kv_get_int(const velo_kv *kv, const char *key, int64_t dflt, int64_t *out, velo_error *err);

typedef struct velo_uri {
    char *scheme;    /* lower-cased: "file", "kafka", ... */
    char *authority; /* host:port[,host:port] for kafka; "" for file:///abs and file://rel */
    char *path;      /* file: the path ("/abs/in.csv" or "in.csv" for file://in.csv); kafka: topic */
    velo_kv params;  /* query parameters, percent-decoded */
    char *text;      /* the URI as written */
} velo_uri;

/* file://in.csv (relative), file:///data/in.csv (absolute), file://./in.csv, kafka://h:9092/topic?x=y.
 * An error names the URI and says what is wrong. */
velo_status velo_uri_parse(const char *text, velo_uri *out, velo_error *err);
void velo_uri_free(velo_uri *uri);

/* Resolves a file URI's path: absolute paths stay, relative ones are joined to base_dir (the
 * folder of the SQL file). Returns false when the result does not fit out_size. */
bool velo_path_resolve(const char *base_dir, const char *path, char *out, size_t out_size);

#endif
