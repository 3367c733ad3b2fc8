/* Parsing job submissions (net/job_spec.h). JSON goes through jansson with duplicate keys and
 * trailing garbage rejected; the SQL itself is only checked for being text here, the SQL front end
 * judges it afterwards. */
#include "net/job_spec.h"

#include <jansson.h>
#include <mimalloc.h>
#include <string.h>
#include <strings.h>

void velo_job_spec_init(velo_job_spec *spec) {
    memset(spec, 0, sizeof *spec);
    velo_kv_init(&spec->properties);
}

void velo_job_spec_free(velo_job_spec *spec) {
    mi_free(spec->sql);
    velo_kv_free(&spec->properties);
    spec->sql = NULL;
}

bool velo_job_name_valid(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || n > VELO_JOB_NAME_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '.'))
            return false;
    }
    return name[0] != '.'; /* no hidden files, no ".." */
}

static bool looks_like_json(const char *body, size_t len, const char *content_type) {
    if (content_type) {
        if (!strncasecmp(content_type, "application/json", 16)) return true;
        if (!strncasecmp(content_type, "application/sql", 15) || !strncasecmp(content_type, "text/", 5))
            return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        return c == '{';
    }
    return false;
}

static velo_status set_sql(velo_job_spec *spec, const char *text, size_t len, velo_error *err) {
    if (memchr(text, '\0', len))
        return velo_error_set(err, VELO_ERR_INVALID, "the SQL contains a NUL byte: send the SQL as text");
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i == len)
        return velo_error_set(err, VELO_ERR_INVALID,
                              "the request has no SQL: send the SQL text, or JSON {\"sql\": \"...\"}");
    spec->sql = mi_malloc(len + 1);
    if (!spec->sql) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    memcpy(spec->sql, text, len);
    spec->sql[len] = '\0';
    spec->sql_len = len;
    return VELO_OK;
}

/* Property values are strings; numbers and booleans are accepted and kept as their JSON text. */
static velo_status read_properties(json_t *props, velo_job_spec *spec, velo_error *err) {
    if (!json_is_object(props))
        return velo_error_set(
            err, VELO_ERR_INVALID,
            "\"properties\" must be an object of strings, e.g. {\"bind.trades\": \"file:///data/t.csv\"}");
    const char *key;
    json_t *v;
    json_object_foreach(props, key, v) {
        char num[64];
        const char *s = NULL;
        if (json_is_string(v)) {
            s = json_string_value(v);
            if (strlen(s) != json_string_length(v))
                return velo_error_set(err, VELO_ERR_INVALID, "property '%s' contains a NUL character", key);
        } else if (json_is_integer(v)) {
            snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            s = num;
        } else if (json_is_real(v)) {
            snprintf(num, sizeof num, "%.17g", json_real_value(v));
            s = num;
        } else if (json_is_boolean(v)) {
            s = json_is_true(v) ? "true" : "false";
        } else {
            return velo_error_set(err, VELO_ERR_INVALID, "property '%s' must be a string, number or boolean",
                                  key);
        }
        if (key[0] == '\0') return velo_error_set(err, VELO_ERR_INVALID, "a property has an empty name");
        if (!strncmp(key, "bind.", 5) && key[5] == '\0')
            return velo_error_set(err, VELO_ERR_INVALID, "property 'bind.' needs a source name: bind.NAME");
        velo_kv_set(&spec->properties, key, s);
    }
    return VELO_OK;
}

static velo_status parse_json(const char *body, size_t len, velo_job_spec *spec, velo_error *err) {
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return velo_error_set(err, VELO_ERR_INVALID, "malformed JSON at line %d, column %d: %s", jerr.line,
                              jerr.column, jerr.text);
    velo_status st = VELO_OK;
    if (!json_is_object(root)) {
        st = velo_error_set(err, VELO_ERR_INVALID,
                            "the body must be a JSON object {\"name\", \"sql\", \"properties\"}");
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "name") && strcmp(key, "sql") && strcmp(key, "properties")) {
            st = velo_error_set(err, VELO_ERR_INVALID,
                                "unknown field \"%s\" (known: \"name\", \"sql\", \"properties\")", key);
            goto out;
        }
    }
    json_t *sql = json_object_get(root, "sql");
    if (!json_is_string(sql)) {
        st = velo_error_set(err, VELO_ERR_INVALID, "\"sql\" is missing or not a string");
        goto out;
    }
    if ((st = set_sql(spec, json_string_value(sql), json_string_length(sql), err))) goto out;
    json_t *name = json_object_get(root, "name");
    if (name && !json_is_null(name)) {
        const char *n = json_is_string(name) ? json_string_value(name) : NULL;
        if (!n || strlen(n) != json_string_length(name) || !velo_job_name_valid(n)) {
            st = velo_error_set(err, VELO_ERR_INVALID,
                                "\"name\" must be 1 to %d characters of letters, digits, '_', '-' and '.'",
                                VELO_JOB_NAME_MAX);
            goto out;
        }
        snprintf(spec->name, sizeof spec->name, "%s", n);
    }
    json_t *props = json_object_get(root, "properties");
    if (props && !json_is_null(props)) st = read_properties(props, spec, err);
out:
    json_decref(root);
    return st;
}

velo_status velo_job_spec_parse(const char *body, size_t len, const char *content_type, velo_job_spec *spec,
                                velo_error *err) {
    if (looks_like_json(body, len, content_type)) return parse_json(body, len, spec, err);
    return set_sql(spec, body, len, err);
}

void velo_job_spec_binds(const velo_job_spec *spec, velo_kv *binds) {
    for (uint32_t i = 0; i < spec->properties.count; i++) {
        const velo_kv_item *it = &spec->properties.items[i];
        if (!strncmp(it->key, "bind.", 5) && it->key[5]) velo_kv_set(binds, it->key + 5, it->value);
    }
}
