/* Known option keys per connector scheme (connectors/options.h). One table per scheme plus the keys
 * every source and sink shares; a key is known when it is in either, or when it is namespaced the
 * way the original Velostream wrote them ('<name>.<option>'). */
#include "connectors/options.h"

#include <string.h>
#include <strings.h>

#include "sql/binder.h"

/* Keys of every connector: the declaration's URI, record format, error handling, event time. */
static const char *const COMMON_KEYS[] = {
    "uri",
    "format",
    "on.error",
    "dlq",
    "event.time.field",
    "event.time.format",
    "watermark.delay",
    "allowed.lateness",
    "late.records",
    "idle.timeout",
    "watermark.idle.timeout", /* Kafka: a partition quiet that long leaves the watermark minimum */
    "group.local.max.groups", /* a job option: the two-phase GROUP BY's local table (engine/job.c) */
    "table.mode",             /* CREATE TABLE: 'partitioned' or 'broadcast' over the cores */
    "checkpoint.interval",    /* job options: periodic checkpoints (engine/checkpoint.h) */
    "state.dir",
};

static const char *const FILE_KEYS[] = {"header", "delimiter", "quote",          "append",
                                        "watch",  "path",      "watch.interval", "nulls"};

static const char *const KAFKA_KEYS[] = {
    "bootstrap.servers",
    "group.id",
    "auto.offset.reset",
    "schema.registry.url",
    "key.field",
    "key.format",
    "value.format",
    "topic",
    "partitions",
    "replication.factor",
    "client.id",
    "acks",
    "compression.type",
    "transactional.id",
    "isolation.level",
    "security.protocol",
    "sasl.mechanism",
    "sasl.username",
    "sasl.password",
    "group_id", /* the original Velostream's spelling of group.id, in its README URIs */
    "scan.bounded.mode",
    "dlq.topic",
    "commit.interval",
    "schema.sample.timeout.ms",
    "processing.guarantee",
    "sasl.mechanisms",
    "headers.fields",
};

/* the Nexmark generator (connectors/gen/nexmark.c) */
static const char *const NEXMARK_KEYS[] = {"events", "seed", "rate", "first", "paced"};

static const char *const STDOUT_KEYS[] = {"header", "delimiter", "quote", "nulls"};

/* The original dialect's per-source keys, written after a '<name>.' prefix ('trades.type'). */
static const char *const DIALECT_KEYS[] = {"type", "config_file", "has_headers", "topic",
                                           "path", "datasource",  "sink",        "source"};

typedef struct scheme_keys {
    const char *scheme;
    const char *const *keys;
    uint32_t n;
} scheme_keys;

#define KEYS(a) a, (uint32_t)(sizeof a / sizeof a[0])
static const scheme_keys SCHEMES[] = {
    {"file", KEYS(FILE_KEYS)},
    {"kafka", KEYS(KAFKA_KEYS)},
    {"stdout", KEYS(STDOUT_KEYS)},
    {"nexmark", KEYS(NEXMARK_KEYS)},
};

static const scheme_keys *scheme_table(const char *scheme) {
    for (size_t i = 0; i < sizeof SCHEMES / sizeof SCHEMES[0]; i++)
        if (scheme && strcasecmp(SCHEMES[i].scheme, scheme) == 0) return &SCHEMES[i];
    return NULL;
}

static bool in_list(const char *key, const char *const *keys, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (strcasecmp(key, keys[i]) == 0) return true;
    return false;
}

static bool plain_key_known(const scheme_keys *t, const char *key) {
    return in_list(key, KEYS(COMMON_KEYS)) || in_list(key, t->keys, t->n);
}

bool velo_option_known(const char *scheme, const char *key) {
    const scheme_keys *t = scheme_table(scheme);
    if (!t) return true;
    if (plain_key_known(t, key)) return true;
    if (strcasecmp(t->scheme, "kafka") == 0 && strncasecmp(key, "kafka.", 6) == 0) return true;
    /* '<name>.<option>': whatever precedes the first dot names the source in the original dialect */
    const char *dot = strchr(key, '.');
    if (dot && dot != key && dot[1]) {
        const char *rest = dot + 1;
        if (plain_key_known(t, rest) || in_list(rest, KEYS(DIALECT_KEYS))) return true;
        /* kafka's own dotted keys in the dialect: 'trades.kafka.linger.ms' */
        if (strcasecmp(t->scheme, "kafka") == 0 && strncasecmp(rest, "kafka.", 6) == 0) return true;
    }
    return false;
}

void velo_options_check(const char *scheme, const velo_kv *options, velo_diags *diags, uint32_t line,
                        uint32_t col) {
    const scheme_keys *t = scheme_table(scheme);
    if (!t || !options) return;
    const char *cands[64];
    uint32_t n = 0;
    for (uint32_t i = 0; i < sizeof COMMON_KEYS / sizeof COMMON_KEYS[0]; i++)
        cands[n++] = COMMON_KEYS[i];
    for (uint32_t i = 0; i < t->n && n < 64; i++)
        cands[n++] = t->keys[i];
    for (uint32_t i = 0; i < options->count; i++) {
        const char *key = options->items[i].key;
        if (velo_option_known(scheme, key)) continue;
        const char *hint = velo_closest_name(key, cands, n);
        if (hint)
            velo_diags_add(diags, VELO_SEV_WARNING, "bind.unknown_option", line, col,
                           "unknown option '%s' for %s:// (did you mean '%s'?)", key, t->scheme, hint);
        else
            velo_diags_add(diags, VELO_SEV_WARNING, "bind.unknown_option", line, col,
                           "unknown option '%s' for %s://", key, t->scheme);
    }
}
