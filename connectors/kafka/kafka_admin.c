/* `velo-cli kafka topics|groups|lag` (kafka_admin.h). */
#include "connectors/kafka/kafka_admin.h"

#include <librdkafka/rdkafka.h>
#include <mimalloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static velo_status connect_to(const velo_kafka_admin_options *o, const char *group, rd_kafka_t **out,
                              velo_error *err) {
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", o->brokers, errstr, sizeof errstr) ||
        rd_kafka_conf_set(conf, "log_level", "2", errstr, sizeof errstr) ||
        (group && rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof errstr))) {
        rd_kafka_conf_destroy(conf);
        return velo_error_set(err, VELO_ERR_INVALID, "kafka: %s", errstr);
    }
    *out = rd_kafka_new(group ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!*out) {
        rd_kafka_conf_destroy(conf);
        return velo_error_set(err, VELO_ERR_INVALID, "kafka: %s", errstr);
    }
    return VELO_OK;
}

static velo_status metadata(rd_kafka_t *rk, const velo_kafka_admin_options *o, const rd_kafka_metadata_t **md,
                            velo_error *err) {
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, md, o->timeout_ms);
    if (e)
        return velo_error_set(err, VELO_ERR_IO,
                              "kafka: cannot read the cluster metadata from %s: %s (is the broker running?)",
                              o->brokers, rd_kafka_err2str(e));
    return VELO_OK;
}

static int cmp_topic(const void *a, const void *b) {
    return strcmp((*(const rd_kafka_metadata_topic_t *const *)a)->topic,
                  (*(const rd_kafka_metadata_topic_t *const *)b)->topic);
}

/* The metadata's topics sorted by name (an array of pointers into md; free with mi_free). */
static const rd_kafka_metadata_topic_t **sorted_topics(const rd_kafka_metadata_t *md) {
    const rd_kafka_metadata_topic_t **t = mi_malloc(sizeof *t * ((size_t)md->topic_cnt + 1));
    if (!t) return NULL;
    for (int i = 0; i < md->topic_cnt; i++)
        t[i] = &md->topics[i];
    qsort(t, (size_t)md->topic_cnt, sizeof *t, cmp_topic);
    return t;
}

static bool wanted(const velo_kafka_admin_options *o, const char *topic) {
    if (o->topic) return !strcmp(o->topic, topic);
    return strncmp(topic, "__", 2) != 0; /* internal topics (__consumer_offsets) */
}

velo_status velo_kafka_topics_print(const velo_kafka_admin_options *o, FILE *out, velo_error *err) {
    rd_kafka_t *rk;
    velo_status st = connect_to(o, NULL, &rk, err);
    if (st) return st;
    const rd_kafka_metadata_t *md = NULL;
    if (!(st = metadata(rk, o, &md, err))) {
        const rd_kafka_metadata_topic_t **topics = sorted_topics(md);
        if (!topics)
            st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        else
            fprintf(out, "%-40s %10s %12s\n", "TOPIC", "PARTITIONS", "MESSAGES");
        for (int t = 0; topics && t < md->topic_cnt; t++) {
            const rd_kafka_metadata_topic_t *tp = topics[t];
            if (!wanted(o, tp->topic)) continue;
            int64_t total = 0;
            for (int p = 0; p < tp->partition_cnt; p++) {
                int64_t lo = 0, hi = 0;
                if (!rd_kafka_query_watermark_offsets(rk, tp->topic, tp->partitions[p].id, &lo, &hi,
                                                      o->timeout_ms))
                    total += hi - lo;
            }
            fprintf(out, "%-40s %10d %12lld\n", tp->topic, tp->partition_cnt, (long long)total);
        }
        mi_free(topics);
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_destroy(rk);
    return st;
}

velo_status velo_kafka_groups_print(const velo_kafka_admin_options *o, FILE *out, velo_error *err) {
    rd_kafka_t *rk;
    velo_status st = connect_to(o, NULL, &rk, err);
    if (st) return st;
    const struct rd_kafka_group_list *gl = NULL;
    rd_kafka_resp_err_t e = rd_kafka_list_groups(rk, o->group, &gl, o->timeout_ms);
    if (e) {
        st = velo_error_set(err, VELO_ERR_IO, "kafka: cannot list the consumer groups of %s: %s%s",
                            o->brokers, rd_kafka_err2str(e),
                            e == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE
                                ? " (velo-sql dev-kafka, librdkafka's mock cluster, cannot list groups; "
                                  "'velo-cli kafka lag --group NAME' works there)"
                                : "");
    } else {
        fprintf(out, "%-40s %-12s %-10s %8s\n", "GROUP", "STATE", "PROTOCOL", "MEMBERS");
        for (int i = 0; i < gl->group_cnt; i++) {
            const struct rd_kafka_group_info *g = &gl->groups[i];
            fprintf(out, "%-40s %-12s %-10s %8d\n", g->group, g->state ? g->state : "",
                    g->protocol ? g->protocol : "", g->member_cnt);
        }
        rd_kafka_group_list_destroy(gl);
    }
    rd_kafka_destroy(rk);
    return st;
}

velo_status velo_kafka_lag_print(const velo_kafka_admin_options *o, FILE *out, velo_error *err) {
    if (!o->group) return velo_error_set(err, VELO_ERR_INVALID, "kafka lag needs --group NAME");
    rd_kafka_t *rk;
    velo_status st = connect_to(o, o->group, &rk, err);
    if (st) return st;
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
    if ((st = metadata(rk, o, &md, err))) goto out;
    const rd_kafka_metadata_topic_t **topics = sorted_topics(md);
    if (!topics) {
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int t = 0; t < md->topic_cnt; t++)
        if (wanted(o, topics[t]->topic))
            for (int p = 0; p < topics[t]->partition_cnt; p++)
                rd_kafka_topic_partition_list_add(l, topics[t]->topic, topics[t]->partitions[p].id);
    mi_free(topics);
    rd_kafka_resp_err_t e = rd_kafka_committed(rk, l, o->timeout_ms);
    if (e) {
        st = velo_error_set(err, VELO_ERR_IO, "kafka: cannot read the offsets of group '%s': %s", o->group,
                            rd_kafka_err2str(e));
        goto out;
    }
    fprintf(out, "%-40s %9s %12s %12s %10s\n", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG");
    int64_t total = 0;
    for (int i = 0; i < l->cnt; i++) {
        rd_kafka_topic_partition_t *tp = &l->elems[i];
        if (tp->offset < 0) continue; /* the group never committed here: not its topic */
        int64_t lo = 0, hi = 0;
        rd_kafka_query_watermark_offsets(rk, tp->topic, tp->partition, &lo, &hi, o->timeout_ms);
        int64_t lag = hi > tp->offset ? hi - tp->offset : 0;
        total += lag;
        fprintf(out, "%-40s %9d %12lld %12lld %10lld\n", tp->topic, (int)tp->partition, (long long)tp->offset,
                (long long)hi, (long long)lag);
    }
    fprintf(out, "total lag of group '%s': %lld\n", o->group, (long long)total);
out:
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
    return st;
}
