/* librdkafka configuration for kafka:// connectors (kafka_conf.h). */
#include "connectors/kafka/kafka_conf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Plain option names that are librdkafka properties, per role (others need the 'kafka.' prefix). */
static const char *const COMMON_PASS[] = {"bootstrap.servers", "client.id",       "security.protocol",
                                          "sasl.mechanism",    "sasl.mechanisms", "sasl.username",
                                          "sasl.password"};
static const char *const CONSUMER_PASS[] = {"group.id", "auto.offset.reset", "isolation.level"};
static const char *const PRODUCER_PASS[] = {"acks", "compression.type", "transactional.id"};

static bool in(const char *key, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(key, list[i])) return true;
    return false;
}
#define IN(k, l) in(k, l, sizeof l / sizeof *l)

static velo_status set(rd_kafka_conf_t *conf, const char *key, const char *value, const char *as_written,
                       const char *name, velo_error *err) {
    char errstr[512];
    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
        return velo_error_set(err, VELO_ERR_INVALID, "kafka '%s': option '%s'='%s': %s", name, as_written,
                              value, errstr);
    return VELO_OK;
}

/* The consumer group of a source in one query: its own group unless another reader of the same
 * query (a self-join reads one stream twice) already has it; then "<group>-r2", "-r3"... so that
 * each reader is an independent consumer that reads every partition, as a Flink or ksqlDB source
 * operator is. `buf` may hold `g` itself. */
static bool is_group_key(const char *k) {
    return !strcasecmp(k, "group.id") || !strcasecmp(k, "group_id") || !strcasecmp(k, "kafka.group.id");
}

static const char *claim_group(const velo_connector_args *args, const char *g, char *buf, size_t n) {
    char base[400], key[1024];
    snprintf(base, sizeof base, "%.399s", g);
    for (unsigned reader = 1;; reader++) {
        if (reader == 1)
            snprintf(buf, n, "%s", base);
        else
            snprintf(buf, n, "%.380s-r%u", base, reader);
        snprintf(key, sizeof key, "kafka.group.id %.200s %.500s", args->uri->authority, buf);
        if (!velo_kv_get(args->claims, key)) break;
    }
    velo_kv_set(args->claims, key, "1");
    return buf;
}

velo_status velo_kafka_conf(const velo_connector_args *args, velo_kafka_role role, rd_kafka_conf_t **out,
                            velo_error *err) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *name = args->name ? args->name : args->uri->text;
    velo_status st = set(conf, "bootstrap.servers", args->uri->authority, "brokers", name, err);
    /* librdkafka's own connection logs repeat what the connector reports once, in its words */
    if (!st) st = set(conf, "log_level", "2", "log_level", name, err);
    if (!st && role != VELO_KAFKA_PRODUCER) {
        char group[512];
        const char *g = velo_kv_get(args->options, "kafka.group.id");
        if (!g) g = velo_kv_get(args->options, "group.id");
        if (!g) g = velo_kv_get(args->options, "group_id");
        if (!g) {
            snprintf(group, sizeof group, "velo-sql-%s", args->uri->path);
            g = group;
        }
        if (role == VELO_KAFKA_CONSUMER && args->claims) g = claim_group(args, g, group, sizeof group);
        st = set(conf, "group.id", g, "group.id", name, err);
        if (!st) st = set(conf, "enable.auto.commit", "false", "enable.auto.commit", name, err);
        if (!st) st = set(conf, "enable.auto.offset.store", "false", "enable.auto.offset.store", name, err);
        if (!st) st = set(conf, "auto.offset.reset", "earliest", "auto.offset.reset", name, err);
        /* librdkafka counts queued.min.messages (default 100000) over the consumer queue that all
         * partitions forward to, and once it is reached its fetcher looks again only about a second
         * later: reading stalled ~1 s every 100k records. The prefetch stays bounded by
         * queued.max.messages.kbytes (64 MiB by default). */
        if (!st && role == VELO_KAFKA_CONSUMER)
            st = set(conf, "queued.min.messages", "1000000", "queued.min.messages", name, err);
    }
    if (!st && role == VELO_KAFKA_PRODUCER)
        st = set(conf, "partitioner", "murmur2_random", "partitioner", name, err);
    for (uint32_t i = 0; !st && i < args->options->count; i++) {
        const char *k = args->options->items[i].key, *v = args->options->items[i].value;
        bool consumer = role != VELO_KAFKA_PRODUCER;
        /* the group was chosen above (a reader's own, see claim_group) */
        if (consumer && is_group_key(k)) continue;
        if (!strncasecmp(k, "kafka.", 6))
            st = set(conf, k + 6, v, k, name, err);
        else if (IN(k, COMMON_PASS) || (consumer && IN(k, CONSUMER_PASS)) ||
                 (!consumer && IN(k, PRODUCER_PASS)))
            st = set(conf, k, v, k, name, err);
    }
    if (st) {
        rd_kafka_conf_destroy(conf);
        return st;
    }
    *out = conf;
    return VELO_OK;
}

velo_status velo_kafka_topics(const velo_uri *uri, rd_kafka_topic_partition_list_t **out, velo_error *err) {
    const char *path = uri->path[0] == '/' ? uri->path + 1 : uri->path;
    if (!*path)
        return velo_error_set(err, VELO_ERR_INVALID,
                              "'%s': a kafka URI needs a topic: kafka://host:9092/topic", uri->text);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);
    if (path[0] == '^') { /* a pattern: commas may be part of the regex */
        rd_kafka_topic_partition_list_add(l, path, RD_KAFKA_PARTITION_UA);
    } else {
        for (const char *p = path; *p;) {
            const char *c = strchr(p, ',');
            size_t n = c ? (size_t)(c - p) : strlen(p);
            char topic[256];
            if (n >= sizeof topic) {
                rd_kafka_topic_partition_list_destroy(l);
                return velo_error_set(err, VELO_ERR_INVALID, "'%s': topic name too long", uri->text);
            }
            memcpy(topic, p, n);
            topic[n] = '\0';
            if (n) rd_kafka_topic_partition_list_add(l, topic, RD_KAFKA_PARTITION_UA);
            p = c ? c + 1 : p + n;
        }
    }
    *out = l;
    return VELO_OK;
}
