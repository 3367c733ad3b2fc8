/* kafka:// sources and sinks on librdkafka (docs/connectors/kafka.md).
 *
 * Source: one consumer in the job's consumer group, subscribed to the URI's topics (a list, or a
 * regex starting with '^'); messages are decoded by the shared formats into the batch, and the
 * metadata columns (_key, _topic, _partition, _offset, _timestamp, _headers) are filled from the
 * record. Offsets are never committed by librdkafka: the run loop calls commit() after the sink
 * confirmed delivery of everything polled so far (at-least-once). A record that cannot be decoded
 * goes to the dead-letter topic ('dlq.topic') and the counted DLQ; its offset still advances.
 * Sink: one producer; payload encoded by the format, key from 'key.field' or a _key column,
 * headers from a _headers column, timestamp from a _timestamp column; murmur2 partitioning. */
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "connectors/connector.h"
#include "connectors/formats/format.h"
#include "connectors/formats/format_internal.h"
#include "connectors/kafka/kafka_conf.h"
#include "connectors/kafka/kafka_cores.h"
#include "core/part_watermarks.h"
#include "core/strbuf.h"
#include "core/temporal.h"

#define SAMPLE_MAX_RECORDS 1000u
#define POLL_WAIT_MS       100
#define PAUSE_AFTER_MS     500 /* backpressure: a stall this long pauses the partitions */

extern const velo_source_ops velo_kafka_source_ops;
extern const velo_sink_ops velo_kafka_sink_ops;

enum { META_KEY, META_TOPIC, META_PARTITION, META_OFFSET, META_TIMESTAMP, META_HEADERS, META_N };
static const char *const META_NAMES[META_N] = {"_key",    "_topic",     "_partition",
                                               "_offset", "_timestamp", "_headers"};

static int meta_index(const char *name) {
    for (int i = 0; i < META_N; i++)
        if (!strcasecmp(name, META_NAMES[i])) return i;
    return -1;
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The format of message payloads: 'format' option, JSON by default; "raw" is handled here. */
static velo_status kafka_format(const velo_kv *options, const velo_format_ops **fops, velo_format **fmt,
                                bool *raw, velo_error *err) {
    const char *name = velo_kv_get(options, "value.format");
    if (!name) name = velo_kv_get_or(options, "format", "json");
    *raw = !strcasecmp(name, "raw");
    *fops = NULL;
    *fmt = NULL;
    if (*raw) return VELO_OK;
    *fops = velo_format_lookup(name);
    if (!*fops)
        return velo_error_set(err, VELO_ERR_INVALID, "unknown format '%s' for kafka (known: json, csv, raw)",
                              name);
    /* one message is one record: a CSV payload has no header line unless 'header'='true' */
    velo_kv o;
    velo_kv_init(&o);
    for (uint32_t i = 0; i < options->count; i++)
        velo_kv_set(&o, options->items[i].key, options->items[i].value);
    if (!velo_kv_get(&o, "header")) velo_kv_set(&o, "header", "false");
    velo_status st = (*fops)->create(&o, fmt, err);
    velo_kv_free(&o);
    if (st) *fmt = NULL;
    return st;
}

/* ---- broker reachability for the control plane (connectors/status.h) ----
 * Down: librdkafka reports a transport error (connection refused, resolution failure, all brokers
 * down). Up again: its statistics (every second) show a broker connection in state UP. librdkafka
 * keeps retrying by itself; this only tells the job's status what is going on. */

typedef struct broker_health {
    velo_connector_status *status; /* NULL: not observed */
    bool down;
    char text[1024];
} broker_health;

static bool is_transport_error(int code) {
    return code == RD_KAFKA_RESP_ERR__TRANSPORT || code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
           code == RD_KAFKA_RESP_ERR__RESOLVE || code == RD_KAFKA_RESP_ERR__AUTHENTICATION;
}

static void health_error(broker_health *h, const char *who, const char *brokers, int code,
                         const char *reason) {
    if (!h->status || !is_transport_error(code)) return;
    /* keep the cause ("Connect to ... failed: Connection refused") over the summary */
    if (h->down && code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) return;
    char text[sizeof h->text];
    snprintf(text, sizeof text, "%s: brokers %s unreachable (librdkafka: %s); retrying", who, brokers,
             reason);
    if (h->down && !strcmp(text, h->text)) return;
    memcpy(h->text, text, sizeof text);
    if (h->down)
        velo_connector_status_text(h->status, text); /* still down: a newer cause */
    else
        velo_connector_status_set(h->status, true, text);
    h->down = true;
}

static void health_up(broker_health *h) {
    if (!h->down) return;
    velo_connector_status_set(h->status, false, NULL);
    h->down = false;
}

/* statistics JSON: {"brokers": {"name": {"state": "UP", "source": "learned", ...}, ...}, ...} */
static void health_stats(broker_health *h, const char *json, size_t len) {
    if (!h->status || !h->down) return;
    json_t *root = json_loadb(json, len, 0, NULL);
    json_t *brokers = json_object_get(root, "brokers"), *b;
    const char *name;
    bool up = false;
    json_object_foreach(brokers, name, b) {
        /* real connections only: the internal broker is always "UP", a logical one (the group
         * coordinator) mirrors a real one */
        const char *state = json_string_value(json_object_get(b, "state"));
        const char *source = json_string_value(json_object_get(b, "source"));
        up |= state && !strcmp(state, "UP") && source &&
              (!strcmp(source, "learned") || !strcmp(source, "configured"));
    }
    json_decref(root);
    if (up) health_up(h);
}

static void health_close(broker_health *h) {
    if (h->status && h->down) velo_connector_status_set(h->status, false, NULL);
    h->down = false;
}

static void health_conf(broker_health *h, velo_connector_status *status, rd_kafka_conf_t *conf) {
    h->status = status;
    if (!status) return;
    char errstr[256];
    /* unless the user chose an interval ('kafka.statistics.interval.ms') */
    size_t n = 0;
    if (rd_kafka_conf_get(conf, "statistics.interval.ms", NULL, &n) == RD_KAFKA_CONF_OK && n) {
        char v[32] = "";
        n = sizeof v;
        rd_kafka_conf_get(conf, "statistics.interval.ms", v, &n);
        if (strcmp(v, "0")) return;
    }
    rd_kafka_conf_set(conf, "statistics.interval.ms", "1000", errstr, sizeof errstr);
}

/* ------------------------------------------------------------------ source */

typedef struct part_state {
    char *topic;
    int32_t partition;
    int64_t next;      /* offset after the last record handed to a batch; -1 none yet */
    int64_t committed; /* what commit() last committed; -1 none */
    int64_t snapped;   /* on several cores: `next` at the last snapshot (ksrc_snapshot); -1 none */
    int64_t end;       /* bounded mode: high watermark seen at assignment */
    int64_t resume_at; /* a restored checkpoint's offset: start here when assigned, until a commit; -1 none */
    bool done;         /* bounded mode: reached `end` (or the partition's end) */
    bool assigned;
    velo_partition_lag *lag; /* its slot in the job's status, or NULL */
} part_state;

typedef struct kafka_source {
    velo_source base;
    rd_kafka_t *rk;
    rd_kafka_queue_t *queue;
    rd_kafka_topic_partition_list_t *subscription;
    bool subscribed;
    velo_schema *schema;
    const velo_format_ops *fops;
    velo_format *fmt;
    bool raw;
    bool json;            /* decodes by column name: the full schema can be passed */
    velo_schema *payload; /* non-metadata columns, a prefix of schema (CSV, raw) */
    int meta_col[META_N];
    velo_dlq *dlq;
    char *name;
    char *brokers;
    bool bounded;
    part_state *parts;
    uint32_t nparts, capparts;
    bool has_assignment; /* the group gave this consumer its partitions (maybe none) */
    bool assign_all;     /* bounded, named topics: every partition assigned, no group join */
    bool assigned_all;
    rd_kafka_message_t **msgs;
    /* backpressure: asked to pause, the source stops taking records; after PAUSE_AFTER_MS it
     * pauses its assigned partitions (librdkafka stops fetching and drops its prefetch) */
    int64_t pause_asked_ms; /* 0: not asked */
    bool paused, pause_reported;
    int32_t npaused; /* partitions counted in the status as paused */
    int64_t paused_ms;
    /* dead-letter topic */
    rd_kafka_t *dlq_rk;
    char *dlq_topic;
    /* broker trouble, reported once until it clears */
    char last_error[512];
    bool error_reported;
    bool commit_failing;
    int64_t started_ms;
    velo_status fatal;
    char fatal_msg[512];
    broker_health health;
    char who[300]; /* "kafka source 'name'" */
    /* read on several cores (kafka_cores.c): slice 0 owns rk and `cores`, slices > 0 borrow them */
    velo_kcores *cores;
    uint32_t slice;
    int64_t lag_ms; /* slices > 0: when they last updated their partitions' lag */
    /* per-partition watermarks (velo_source_ops.watermarks), by index in `parts` */
    bool wm_on;
    int32_t wm_col;
    velo_part_watermarks wm;
    int64_t wm_now; /* monotonic clock at the start of the current poll */
} kafka_source;

static part_state *part_find(kafka_source *s, const char *topic, int32_t partition, bool create) {
    for (uint32_t i = 0; i < s->nparts; i++)
        if (s->parts[i].partition == partition && !strcmp(s->parts[i].topic, topic)) return &s->parts[i];
    if (!create) return NULL;
    if (s->nparts == s->capparts) {
        uint32_t cap = s->capparts ? s->capparts * 2 : 16;
        part_state *np = mi_realloc(s->parts, sizeof *np * cap);
        if (!np) return NULL;
        s->parts = np;
        s->capparts = cap;
    }
    part_state *p = &s->parts[s->nparts];
    p->topic = mi_strdup(topic);
    if (!p->topic) return NULL;
    s->nparts++;
    p->partition = partition;
    p->next = p->committed = p->end = p->snapped = p->resume_at = -1;
    p->done = p->assigned = false;
    p->lag = velo_connector_status_lag_slot(s->health.status, topic, partition);
    return p;
}

static void ksrc_error_cb(rd_kafka_t *rk, int code, const char *reason, void *opaque) {
    kafka_source *s = opaque;
    /* keep the cause ("Connect to ... failed: Connection refused") over the summary */
    if (code != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || !s->last_error[0])
        snprintf(s->last_error, sizeof s->last_error, "%s", reason);
    health_error(&s->health, s->who, s->brokers, code, reason);
    if (code == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[256];
        rd_kafka_fatal_error(rk, buf, sizeof buf);
        s->fatal = VELO_ERR_IO;
        snprintf(s->fatal_msg, sizeof s->fatal_msg, "kafka source '%s': fatal error: %s", s->name, buf);
    }
}

/* Every statistics interval: reachability, and each partition's lag from the high watermark
 * librdkafka last saw (cached by its fetches: no request is made here). */
static void ksrc_update_lag(kafka_source *s, rd_kafka_t *rk) {
    for (uint32_t i = 0; i < s->nparts; i++) {
        part_state *p = &s->parts[i];
        int64_t lo = -1, hi = -1;
        if (!p->lag || !p->assigned ||
            rd_kafka_get_watermark_offsets(rk, p->topic, p->partition, &lo, &hi) !=
                RD_KAFKA_RESP_ERR_NO_ERROR ||
            hi < 0)
            continue;
        int64_t pos = p->next >= 0 ? p->next : p->committed >= 0 ? p->committed : lo;
        atomic_store_explicit(&p->lag->lag, hi > pos && pos >= 0 ? hi - pos : 0, memory_order_relaxed);
    }
}

static int ksrc_stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
    kafka_source *s = opaque;
    health_stats(&s->health, json, len);
    ksrc_update_lag(s, rk); /* on several cores: slice 0's partitions; the others update their own */
    return 0;               /* librdkafka frees json */
}

static void ksrc_post(kafka_source *s, uint32_t slice, velo_kcores_note_kind kind, const char *topic,
                      int32_t partition, int64_t lo, int64_t hi);
static void ksrc_notes(kafka_source *s);
static velo_status ksrc_join_slices(kafka_source *s, const velo_connector_args *args, velo_error *err);

/* Partitions being assigned that a restored checkpoint names start at its offsets (ksrc_resume). */
static void ksrc_apply_resume(kafka_source *s, rd_kafka_topic_partition_list_t *parts) {
    for (int i = 0; i < parts->cnt; i++) {
        part_state *p = part_find(s, parts->elems[i].topic, parts->elems[i].partition, false);
        if (p && p->resume_at >= 0) parts->elems[i].offset = p->resume_at;
    }
}

/* This consumer reads (topic, partition) from now on; bounded mode: up to `hi` (-1: unknown). */
static void part_assign(kafka_source *s, const char *topic, int32_t partition, int64_t lo, int64_t hi) {
    part_state *p = part_find(s, topic, partition, true);
    if (!p) return;
    p->assigned = true;
    p->done = false;
    if (s->bounded && hi >= 0) {
        p->end = hi;
        p->done = hi <= lo || (p->next >= 0 && p->next >= hi);
    }
}

/* Bounded mode: the low and high offset watermarks of every partition of `parts` (lo[i], hi[i]; -1 where
 * unknown) in two batched ListOffsets requests, earliest and latest (one request per broker each),
 * rather than one synchronous round trip per partition. */
static void ksrc_offset_bounds(rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *parts, int64_t *lo,
                               int64_t *hi) {
    for (int i = 0; i < parts->cnt; i++)
        lo[i] = hi[i] = -1;
    for (int pass = 0; pass < 2; pass++) {
        rd_kafka_topic_partition_list_t *q = rd_kafka_topic_partition_list_copy(parts);
        if (!q) return;
        for (int i = 0; i < q->cnt; i++) /* ListOffsets' "timestamps" -2: earliest, -1: latest */
            q->elems[i].offset = pass ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING;
        if (!rd_kafka_offsets_for_times(rk, q, 10000))
            for (int i = 0; i < q->cnt; i++)
                if (!q->elems[i].err && q->elems[i].offset >= 0) (pass ? hi : lo)[i] = q->elems[i].offset;
        rd_kafka_topic_partition_list_destroy(q);
    }
}

/* The one place this consumer takes partitions: from the group's rebalance callback, or all of them
 * at once (ksrc_assign_all). Bounded mode learns where each one ends first. On one core this
 * reader owns them; on several, each partition's queue is forwarded to its owner core's queue and
 * that core told with a note, before rd_kafka_assign starts fetching (kafka_cores.c). An offset of
 * RD_KAFKA_OFFSET_INVALID starts from the group's committed offset, else 'auto.offset.reset'. */
static rd_kafka_resp_err_t ksrc_take(kafka_source *s, rd_kafka_topic_partition_list_t *parts) {
    int64_t *lo = NULL, *hi = NULL;
    if (s->bounded && parts->cnt) {
        lo = mi_malloc(sizeof *lo * (size_t)parts->cnt);
        hi = mi_malloc(sizeof *hi * (size_t)parts->cnt);
        if (lo && hi) ksrc_offset_bounds(s->rk, parts, lo, hi);
    }
    for (int i = 0; i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *tp = &parts->elems[i];
        /* ends unknown (out of memory, no answer): the partition ends at its EOF */
        int64_t l = lo && hi ? lo[i] : -1, h = lo && hi ? hi[i] : -1;
        if (s->cores)
            ksrc_post(s, velo_kcores_owner(s->cores, tp->topic, tp->partition), VELO_KCORES_ASSIGN, tp->topic,
                      tp->partition, l, h);
        else
            part_assign(s, tp->topic, tp->partition, l, h);
    }
    mi_free(lo);
    mi_free(hi);
    if (s->cores) velo_kcores_forward(s->cores, parts);
    ksrc_apply_resume(s, parts); /* a restored checkpoint's offsets, not the group's */
    rd_kafka_resp_err_t e = rd_kafka_assign(s->rk, parts);
    if (s->cores) {
        for (uint32_t c = 0; c < velo_kcores_n(s->cores); c++)
            ksrc_post(s, c, VELO_KCORES_ASSIGNED, NULL, -1, -1, -1);
        return e;
    }
    s->has_assignment = true;
    if (s->paused && parts->cnt) { /* still backlogged: the new partitions wait too */
        rd_kafka_pause_partitions(s->rk, parts);
        velo_connector_status_paused(s->health.status, parts->cnt, false);
        s->npaused += parts->cnt;
    }
    return e;
}

/* The group revokes `parts`: records polled but not yet committed are read again by the next owner
 * (at-least-once: a duplicate, never a loss). On several cores a core stops reading a revoked
 * partition when it takes its note; the queues are unforwarded before the empty assignment. */
static void ksrc_drop(kafka_source *s, const rd_kafka_topic_partition_list_t *parts) {
    if (s->cores) {
        for (int i = 0; i < parts->cnt; i++)
            ksrc_post(s, velo_kcores_owner(s->cores, parts->elems[i].topic, parts->elems[i].partition),
                      VELO_KCORES_REVOKE, parts->elems[i].topic, parts->elems[i].partition, -1, -1);
        for (uint32_t c = 0; c < velo_kcores_n(s->cores); c++)
            ksrc_post(s, c, VELO_KCORES_UNASSIGNED, NULL, -1, -1, -1);
        velo_kcores_unforward(s->cores, parts);
    } else {
        for (int i = 0; i < parts->cnt; i++) {
            part_state *p = part_find(s, parts->elems[i].topic, parts->elems[i].partition, false);
            if (p) p->assigned = false;
        }
        s->has_assignment = false; /* until the next assignment: not "done" in between */
        velo_connector_status_paused(s->health.status, -s->npaused, false);
        s->npaused = 0;
    }
    rd_kafka_assign(s->rk, NULL);
}

static void ksrc_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t e, rd_kafka_topic_partition_list_t *parts,
                              void *opaque) {
    (void)rk;
    kafka_source *s = opaque;
    if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        ksrc_take(s, parts);
    else
        ksrc_drop(s, parts);
}

/* Bounded mode ends once the group assigned this consumer its partitions (possibly none: a
 * pattern matching no topic, more members than partitions) and each one is read to its end. */
static bool bounded_done(kafka_source *s) {
    if (!s->has_assignment) return false;
    for (uint32_t i = 0; i < s->nparts; i++)
        if (s->parts[i].assigned && !s->parts[i].done) return false;
    return true;
}

/* Bounded mode: this reader is done (on several cores: and slice 0 waits for the others, serving the
 * group's rebalances meanwhile). */
static bool ksrc_ended(kafka_source *s) {
    if (!bounded_done(s)) return false;
    return !s->cores || velo_kcores_slice_done(s->cores, s->slice);
}

/* Backpressure (velo_source_ops.pause). Asked to pause, the source first only stops taking records
 * (librdkafka's prefetch, bounded by queued.max.messages.kbytes, waits for it): a short stall costs
 * nothing. Still asked after PAUSE_AFTER_MS, it pauses its assigned partitions: librdkafka stops
 * fetching and drops what it prefetched for them, and on resume fetches again from the record
 * after the last one this source took, so nothing is skipped. The consumer keeps being polled
 * meanwhile (one that stops polling for max.poll.interval.ms leaves its group). */
/* The partitions this reader pauses and resumes: the consumer's assignment, or on several cores
 * (one consumer shared by the cores' slices) only the partitions this slice owns. */
static rd_kafka_topic_partition_list_t *ksrc_own_partitions(kafka_source *s) {
    rd_kafka_topic_partition_list_t *l = NULL;
    if (!s->cores) {
        if (rd_kafka_assignment(s->rk, &l) != RD_KAFKA_RESP_ERR_NO_ERROR) l = NULL;
        return l;
    }
    l = rd_kafka_topic_partition_list_new(8);
    for (uint32_t i = 0; i < s->nparts; i++)
        if (s->parts[i].assigned)
            rd_kafka_topic_partition_list_add(l, s->parts[i].topic, s->parts[i].partition);
    return l;
}

static void ksrc_pause_partitions(kafka_source *s) {
    rd_kafka_topic_partition_list_t *l = ksrc_own_partitions(s);
    if (l && l->cnt) rd_kafka_pause_partitions(s->rk, l);
    s->paused = true;
    s->paused_ms = now_ms();
    s->npaused = l ? l->cnt : 0;
    if (l) rd_kafka_topic_partition_list_destroy(l);
    velo_connector_status_paused(s->health.status, s->npaused, true);
}

static void ksrc_pause(velo_source *src, bool pause) {
    kafka_source *s = (kafka_source *)src;
    if (pause) {
        if (!s->pause_asked_ms) s->pause_asked_ms = now_ms();
        return;
    }
    s->pause_asked_ms = 0;
    if (!s->paused) return;
    rd_kafka_topic_partition_list_t *l = ksrc_own_partitions(s);
    if (l && l->cnt) rd_kafka_resume_partitions(s->rk, l);
    if (l) rd_kafka_topic_partition_list_destroy(l);
    velo_connector_status_paused(s->health.status, -s->npaused, false);
    if (s->pause_reported)
        fprintf(stderr,
                "velo-sql: kafka source '%s': output has room again: resumed %d partitions after %.1f s\n",
                s->name, (int)s->npaused, (double)(now_ms() - s->paused_ms) / 1000.0);
    s->paused = s->pause_reported = false;
    s->npaused = 0;
}

/* A bounded read of named topics takes every partition itself (rd_kafka_assign) instead of joining
 * the consumer group: no group join (about 3 s on the dev broker), no rebalance. The start offset
 * of each partition is RD_KAFKA_OFFSET_INVALID, which librdkafka resolves to the group's committed
 * offset (fetched without joining), else 'auto.offset.reset'; commits still go to the group. The
 * end is each partition's high watermark now. On several cores slice 0 does this, and the
 * partitions go to their owner cores as a rebalance's would (ksrc_take). False (and no error)
 * while the brokers do not answer yet: the caller retries at its next poll. */
static bool ksrc_assign_all(kafka_source *s, velo_status *st, velo_error *err) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
    *st = VELO_OK;
    for (int t = 0; t < s->subscription->cnt && !*st; t++) {
        const char *topic = s->subscription->elems[t].topic;
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(s->rk, topic, NULL);
        const rd_kafka_metadata_t *md = NULL;
        rd_kafka_resp_err_t e = rkt ? rd_kafka_metadata(s->rk, 0, rkt, &md, 1000) : rd_kafka_last_error();
        if (!e && (md->topic_cnt < 1 || md->topics[0].err)) {
            rd_kafka_resp_err_t te =
                md->topic_cnt < 1 ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART : md->topics[0].err;
            *st = velo_error_set(err, VELO_ERR_NOT_FOUND,
                                 "kafka source '%s': topic '%s': %s (create the topic, or check the name)",
                                 s->name, topic, rd_kafka_err2str(te));
        } else if (!e) {
            for (int i = 0; i < md->topics[0].partition_cnt; i++)
                rd_kafka_topic_partition_list_add(l, topic, md->topics[0].partitions[i].id)->offset =
                    RD_KAFKA_OFFSET_INVALID;
        }
        if (md) rd_kafka_metadata_destroy(md);
        if (rkt) rd_kafka_topic_destroy(rkt);
        if (e) { /* not reachable yet: said once by the caller after a while, retried */
            if (!s->last_error[0]) snprintf(s->last_error, sizeof s->last_error, "%s", rd_kafka_err2str(e));
            rd_kafka_topic_partition_list_destroy(l);
            return false;
        }
    }
    rd_kafka_resp_err_t e = *st ? RD_KAFKA_RESP_ERR_NO_ERROR : ksrc_take(s, l);
    if (e)
        *st = velo_error_set(err, VELO_ERR_IO, "kafka source '%s': cannot assign its partitions: %s", s->name,
                             rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_destroy(l);
    if (!*st) s->assigned_all = true;
    return true;
}

static velo_status ksrc_subscribe(kafka_source *s, velo_error *err) {
    rd_kafka_resp_err_t e = rd_kafka_subscribe(s->rk, s->subscription);
    if (e)
        return velo_error_set(err, VELO_ERR_IO, "kafka source '%s': cannot subscribe: %s", s->name,
                              rd_kafka_err2str(e));
    s->subscribed = true;
    s->started_ms = now_ms();
    return VELO_OK;
}

/* Writes the metadata column `m` of row `row` from the message. */
static void put_meta(kafka_source *s, velo_batch *b, uint32_t row, int m, const rd_kafka_message_t *msg) {
    int c = s->meta_col[m];
    if (c < 0) return;
    velo_vector *v = &b->cols[c];
    velo_value val;
    memset(&val, 0, sizeof val);
    val.is_null = false;
    velo_value items[64]; /* _headers: read by velo_vector_set_value after the switch */
    velo_str names[64];
    switch (m) {
    case META_KEY:
        if (!msg->key) {
            velo_vector_set_null(v, row);
            return;
        }
        val.type = velo_type_make(VELO_TYPE_VARCHAR);
        val.u.str = (velo_str){msg->key, (uint32_t)msg->key_len};
        break;
    case META_TOPIC: {
        const char *t = rd_kafka_topic_name(msg->rkt);
        val.type = velo_type_make(VELO_TYPE_VARCHAR);
        val.u.str = (velo_str){t, (uint32_t)strlen(t)};
        break;
    }
    case META_PARTITION:
        val.type = velo_type_make(VELO_TYPE_BIGINT);
        val.u.i64 = msg->partition;
        break;
    case META_OFFSET:
        val.type = velo_type_make(VELO_TYPE_BIGINT);
        val.u.i64 = msg->offset;
        break;
    case META_TIMESTAMP: {
        rd_kafka_timestamp_type_t tt;
        int64_t ms = rd_kafka_message_timestamp(msg, &tt);
        if (ms < 0) {
            velo_vector_set_null(v, row);
            return;
        }
        val.type = velo_type_make(VELO_TYPE_TIMESTAMP);
        val.u.i64 = ms * 1000;
        break;
    }
    case META_HEADERS: {
        rd_kafka_headers_t *hdrs = NULL;
        size_t n = 0;
        if (rd_kafka_message_headers(msg, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) n = rd_kafka_header_cnt(hdrs);
        if (n > 64) n = 64;
        for (size_t i = 0; i < n; i++) {
            const char *name;
            const void *hv;
            size_t hl;
            rd_kafka_header_get_all(hdrs, i, &name, &hv, &hl);
            names[i] = (velo_str){name, (uint32_t)strlen(name)};
            memset(&items[i], 0, sizeof items[i]);
            items[i].type = velo_type_make(VELO_TYPE_VARCHAR);
            items[i].is_null = hv == NULL;
            items[i].u.str = (velo_str){hv ? hv : "", (uint32_t)hl};
        }
        val.type = velo_type_make(VELO_TYPE_MAP);
        val.u.nested.items = items;
        val.u.nested.names = names;
        val.u.nested.count = (uint32_t)n;
        break;
    }
    }
    /* a declared metadata column of another type reads NULL rather than a wrong value */
    velo_type_id want = v->type.id;
    if (want != VELO_TYPE_ANY && want != val.type.id &&
        !(want == VELO_TYPE_BYTES && val.type.id == VELO_TYPE_VARCHAR)) {
        velo_vector_set_null(v, row);
        return;
    }
    if (want == VELO_TYPE_BYTES) val.type = velo_type_make(VELO_TYPE_BYTES);
    velo_vector_set_value(v, row, &val, &b->arena);
}

/* Sends a record that could not be decoded to the dead-letter topic, with headers naming the
 * error and where the record came from. */
static void ksrc_dead_letter(kafka_source *s, const rd_kafka_message_t *msg, const char *reason) {
    char origin[512];
    snprintf(origin, sizeof origin, "%s[%d]@%lld", rd_kafka_topic_name(msg->rkt), (int)msg->partition,
             (long long)msg->offset);
    velo_dlq_put(s->dlq, origin, -1, reason, msg->payload, (uint32_t)msg->len);
    if (!s->dlq_rk) return;
    rd_kafka_headers_t *h = rd_kafka_headers_new(4);
    char part[16], off[32];
    snprintf(part, sizeof part, "%d", (int)msg->partition);
    snprintf(off, sizeof off, "%lld", (long long)msg->offset);
    rd_kafka_header_add(h, "velo.error", -1, reason, -1);
    rd_kafka_header_add(h, "velo.source.topic", -1, rd_kafka_topic_name(msg->rkt), -1);
    rd_kafka_header_add(h, "velo.source.partition", -1, part, -1);
    rd_kafka_header_add(h, "velo.source.offset", -1, off, -1);
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            s->dlq_rk, RD_KAFKA_V_TOPIC(s->dlq_topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_VALUE(msg->payload, msg->len), RD_KAFKA_V_KEY(msg->key, msg->key_len),
            RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(s->dlq_rk, 50);
            continue;
        }
        if (e) rd_kafka_headers_destroy(h);
        break;
    }
    rd_kafka_poll(s->dlq_rk, 0);
}

/* Decodes one message into row `row`; false when it went to the dead-letter queue. */
static bool ksrc_decode(kafka_source *s, const rd_kafka_message_t *msg, velo_batch *b, uint32_t row) {
    velo_error derr = {0};
    velo_status st = VELO_OK;
    const char *p = msg->payload ? msg->payload : "";
    uint32_t len = (uint32_t)msg->len;
    if (s->raw) { /* the value is column 0 (checked at open) */
        uint32_t bad = 0;
        char *copy = msg->payload ? velo_arena_strndup(&b->arena, p, len) : NULL;
        if (msg->payload && b->cols[0].type.id == VELO_TYPE_VARCHAR && !velo_fmt_utf8_valid(p, len, &bad)) {
            st = velo_error_set(&derr, VELO_ERR_DECODE,
                                "byte %u: invalid UTF-8 for VARCHAR column '%s' (declare it BYTES)", bad,
                                s->payload->fields[0].name);
        } else if (msg->payload && !copy) {
            st = velo_error_set(&derr, VELO_ERR_NOMEM, "out of memory");
        } else if (copy) {
            VELO_VEC(&b->cols[0], velo_str)[row] = (velo_str){copy, len};
            velo_vector_set_valid(&b->cols[0], row);
        }
    } else {
        while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
            len--; /* a producer that wrote JSON lines */
        if (!msg->payload)
            st = velo_error_set(&derr, VELO_ERR_DECODE, "the record has no value (a tombstone)");
        else
            st = s->fops->decode(s->fmt, p, len, s->json ? s->schema : s->payload, b, row, &derr);
    }
    if (st) {
        for (uint32_t c = 0; c < b->ncols; c++)
            velo_vector_set_null(&b->cols[c], row);
        ksrc_dead_letter(s, msg, derr.message);
        return false;
    }
    for (int m = 0; m < META_N; m++)
        put_meta(s, b, row, m, msg);
    b->origin[row] = msg->offset;
    return true;
}

/* Broker trouble (unreachable, unknown topic): said once on stderr while nothing is assigned. */
static velo_status ksrc_report_trouble(kafka_source *s, rd_kafka_resp_err_t e, const char *text,
                                       velo_error *err) {
    if (e == RD_KAFKA_RESP_ERR__PARTITION_EOF) return VELO_OK;
    if (e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || e == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
        if (s->bounded)
            return velo_error_set(err, VELO_ERR_NOT_FOUND,
                                  "kafka source '%s': %s (create the topic, or check the name)", s->name,
                                  text);
    }
    if (!s->error_reported) {
        fprintf(stderr, "velo-sql: kafka source '%s': %s (brokers %s); retrying\n", s->name, text,
                s->brokers);
        s->error_reported = true;
    }
    return VELO_OK;
}

/* ---- per-partition watermarks (velo_source_ops.watermarks, core/part_watermarks.h) ---- */

static int64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static velo_status ksrc_watermarks(velo_source *src, int32_t time_column, int64_t delay_us, int64_t idle_us,
                                   velo_error *err) {
    kafka_source *s = (kafka_source *)src;
    if (time_column < 0 || (uint32_t)time_column >= s->schema->ncols)
        return velo_error_set(err, VELO_ERR_INTERNAL,
                              "kafka source '%s': no event-time column for watermarks", s->name);
    s->wm_on = true;
    s->wm_col = time_column;
    velo_part_watermarks_init(&s->wm, delay_us, idle_us);
    return VELO_OK;
}

/* The tracker follows the reader's assignment (assigned, read to its end) as `parts` says now. */
static velo_status ksrc_wm_sync(kafka_source *s, int64_t now, velo_error *err) {
    for (uint32_t i = 0; i < s->nparts; i++) {
        if (!s->parts[i].assigned) {
            velo_part_watermarks_revoke(&s->wm, i);
            continue;
        }
        velo_status st = velo_part_watermarks_assign(&s->wm, i, now, err);
        if (st) return st;
        if (s->parts[i].done) velo_part_watermarks_end(&s->wm, i);
    }
    return VELO_OK;
}

/* Row `row` (from parts[idx]) gets its partition's watermark before it. A row without a readable event
 * time leaves the partition as it was (the window operator reports it). */
static velo_status ksrc_stamp(kafka_source *s, velo_batch *b, uint32_t row, int64_t idx, velo_error *err) {
    int64_t *w = velo_batch_row_wm(b);
    if (!w) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    w[row] = INT64_MIN;
    if (idx < 0) return VELO_OK;
    int64_t now = s->wm_now; /* the poll's clock: idleness is measured at poll granularity */
    if ((uint32_t)idx >= s->wm.nparts || !s->wm.parts[idx].active) {
        velo_status st = ksrc_wm_sync(s, now, err);
        if (st) return st;
        if ((st = velo_part_watermarks_assign(&s->wm, (uint32_t)idx, now, err))) return st;
    }
    const velo_vector *tv = &b->cols[s->wm_col];
    int64_t t = 0;
    bool ok = velo_vector_is_valid(tv, row);
    if (ok) switch (tv->type.id) {
        case VELO_TYPE_BIGINT: ok = !__builtin_mul_overflow(VELO_VEC(tv, int64_t)[row], 1000, &t); break;
        case VELO_TYPE_VARCHAR: {
            velo_str sv = VELO_VEC(tv, velo_str)[row];
            ok = velo_parse_timestamp(sv.ptr, sv.len, &t);
            break;
        }
        case VELO_TYPE_TIMESTAMP: t = VELO_VEC(tv, int64_t)[row]; break;
        default: ok = false; break;
        }
    const velo_part_wm *p = &s->wm.parts[idx];
    w[row] = ok                          ? velo_part_watermarks_row(&s->wm, (uint32_t)idx, t, now)
             : p->max_event == INT64_MIN ? INT64_MIN
                                         : p->max_event - s->wm.delay_us;
    return VELO_OK;
}

static int64_t ksrc_watermark(velo_source *src) {
    kafka_source *s = (kafka_source *)src;
    if (!s->wm_on) return INT64_MIN;
    int64_t now = mono_us();
    velo_error e = {0};
    if (ksrc_wm_sync(s, now, &e)) return INT64_MIN;
    bool own = false;
    for (uint32_t i = 0; i < s->nparts && !own; i++)
        own = s->parts[i].assigned;
    /* assigned nothing (more cores or members than partitions): it holds nobody back */
    if (s->has_assignment && !own) return VELO_WATERMARK_IDLE;
    return velo_part_watermarks_current(&s->wm, now);
}

static velo_status ksrc_poll(velo_source *src, velo_batch *out, bool *eof, velo_error *err) {
    kafka_source *s = (kafka_source *)src;
    *eof = false;
    velo_status st = VELO_OK;
    if (s->wm_on) s->wm_now = mono_us();
    if (s->assign_all && s->slice == 0 && !s->assigned_all) {
        if (!s->started_ms) s->started_ms = now_ms();
        if (!ksrc_assign_all(s, &st, err)) {
            if (!s->error_reported && now_ms() - s->started_ms > 2000)
                ksrc_report_trouble(s, RD_KAFKA_RESP_ERR__TRANSPORT, s->last_error, err);
            rd_kafka_poll(s->rk, 0);
            return VELO_OK;
        }
        if (st) return st;
    } else if (!s->assign_all && !s->subscribed && (st = ksrc_subscribe(s, err))) {
        return st;
    }
    if (s->pause_asked_ms) {
        if (!s->paused && now_ms() - s->pause_asked_ms >= PAUSE_AFTER_MS) ksrc_pause_partitions(s);
        if (!s->paused) { /* a short stall: leave the records in librdkafka's queue */
            rd_kafka_poll(s->rk, 0);
            return VELO_OK;
        }
    }
    /* slices never wait (their core sleeps); paused: no waiting, only serve the consumer */
    int64_t deadline = now_ms() + (s->cores || s->paused ? 0 : POLL_WAIT_MS);
    if (s->paused && !s->pause_reported && deadline - s->paused_ms >= 1000) {
        fprintf(
            stderr,
            "velo-sql: kafka source '%s': the output is backlogged: %d partitions paused (backpressure)\n",
            s->name, (int)s->npaused);
        s->pause_reported = true;
    }
    const rd_kafka_topic_t *last_rkt = NULL; /* the partition of the previous record */
    int32_t last_partition = -1;
    int64_t last = -1;
    while (out->count < out->capacity) {
        if (s->fatal) return velo_error_set(err, s->fatal, "%s", s->fatal_msg);
        if (s->cores) ksrc_notes(s);
        if (s->bounded && ksrc_ended(s)) {
            *eof = true;
            return VELO_OK;
        }
        if (s->slice == 0) rd_kafka_poll(s->rk, 0); /* error_cb (served by the core of slice 0) */
        int64_t left = deadline - now_ms();
        if (left < 0) left = 0;
        /* take what is queued without waiting; with nothing yet, wait for one record only (a
         * batch call with a timeout would wait for a full batch: latency at low rates) */
        ssize_t n = s->cores ? velo_kcores_consume(s->cores, s->slice, s->msgs, out->capacity - out->count)
                             : rd_kafka_consume_batch_queue(s->queue, 0, s->msgs, out->capacity - out->count);
        if (n == 0 && !out->count && left > 0)
            n = rd_kafka_consume_batch_queue(s->queue, (int)left, s->msgs, 1);
        if (n < 0)
            return velo_error_set(err, VELO_ERR_IO, "kafka source '%s': %s", s->name,
                                  rd_kafka_err2str(rd_kafka_last_error()));
        for (ssize_t i = 0; i < n; i++) {
            rd_kafka_message_t *m = s->msgs[i];
            if (m->err) {
                st = VELO_OK;
                if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && m->rkt) {
                    part_state *p = part_find(s, rd_kafka_topic_name(m->rkt), m->partition, false);
                    if (p) p->done = true;
                } else {
                    st = ksrc_report_trouble(s, m->err, rd_kafka_message_errstr(m), err);
                }
                rd_kafka_message_destroy(m);
                if (st) {
                    for (ssize_t j = i + 1; j < n; j++)
                        rd_kafka_message_destroy(s->msgs[j]);
                    return st;
                }
                continue;
            }
            if (s->error_reported) {
                fprintf(stderr, "velo-sql: kafka source '%s': receiving again\n", s->name);
                s->error_reported = false;
            }
            health_up(&s->health); /* a record came: a broker is reachable */
            uint32_t row = out->count;
            bool decoded = ksrc_decode(s, m, out, row);
            if (decoded) out->count++;
            /* records come in runs from one partition: look it up once per run */
            if (m->rkt != last_rkt || m->partition != last_partition) {
                part_state *found = part_find(s, rd_kafka_topic_name(m->rkt), m->partition, true);
                last = found ? (int64_t)(found - s->parts) : -1;
                last_rkt = m->rkt;
                last_partition = m->partition;
            }
            part_state *p = last >= 0 ? &s->parts[last] : NULL;
            if (decoded && s->wm_on && (st = ksrc_stamp(s, out, row, last, err))) {
                for (ssize_t j = i; j < n; j++)
                    rd_kafka_message_destroy(s->msgs[j]);
                return st;
            }
            if (p) {
                p->next = m->offset + 1;
                if (s->bounded && p->end >= 0 && p->next >= p->end) p->done = true;
            }
            rd_kafka_message_destroy(m);
        }
        /* nothing assigned for a while with an error seen: the brokers are unreachable */
        if (n == 0 && !s->has_assignment && s->last_error[0] && !s->error_reported &&
            now_ms() - s->started_ms > 2000)
            ksrc_report_trouble(s, RD_KAFKA_RESP_ERR__TRANSPORT, s->last_error, err);
        if (n == 0 && (out->count || now_ms() >= deadline)) break;
    }
    if (s->cores) ksrc_notes(s);
    if (s->bounded && ksrc_ended(s)) *eof = true;
    return VELO_OK;
}

/* Waits until the dead-letter topic has every record sent to it so far. */
static void ksrc_flush_dlq(kafka_source *s) {
    if (s->dlq_rk)
        while (rd_kafka_outq_len(s->dlq_rk) > 0)
            rd_kafka_flush(s->dlq_rk, 1000);
}

/* What a commit covers: per assigned partition, the offset after the last record polled. */
static rd_kafka_topic_partition_list_t *ksrc_pending(kafka_source *s) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)s->nparts);
    for (uint32_t i = 0; i < s->nparts; i++) {
        part_state *p = &s->parts[i];
        if (p->next < 0 || p->next == p->committed || !p->assigned) continue;
        rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = p->next;
    }
    return l;
}

static void ksrc_mark_committed(kafka_source *s, const rd_kafka_topic_partition_list_t *l) {
    for (int i = 0; i < l->cnt; i++) {
        part_state *p = part_find(s, l->elems[i].topic, l->elems[i].partition, false);
        if (p && !l->elems[i].err) p->committed = l->elems[i].offset, p->resume_at = -1;
    }
}

/* Commits the pending offsets (the run loop calls this only after the sink confirmed delivery of
 * those records: at-least-once). */
static void ksrc_commit_list(kafka_source *s, rd_kafka_topic_partition_list_t *l);
static velo_status ksrc_commit(velo_source *src, velo_error *err) {
    kafka_source *s = (kafka_source *)src;
    ksrc_flush_dlq(s);
    ksrc_commit_list(s, ksrc_pending(s));
    return VELO_OK;
}

/* Commits l (and frees it). */
static void ksrc_commit_list(kafka_source *s, rd_kafka_topic_partition_list_t *l) {
    if (l->cnt) {
        rd_kafka_resp_err_t e = rd_kafka_commit(s->rk, l, 0);
        if (!e) ksrc_mark_committed(s, l);
        /* A failed commit loses nothing: the records are delivered, and the next commit (or, after
         * a crash, a re-read from the previous commit) covers them. Said once per failure streak. */
        if (e && !s->commit_failing)
            fprintf(stderr,
                    "velo-sql: kafka source '%s': offset commit failed: %s; retrying at the next commit\n",
                    s->name, rd_kafka_err2str(e));
        s->commit_failing = e != RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static const velo_schema *ksrc_schema(velo_source *src) { return ((kafka_source *)src)->schema; }

static bool ksrc_bounded(velo_source *src) { return ((kafka_source *)src)->bounded; }

static void ksrc_free(kafka_source *s) {
    velo_connector_status_paused(s->health.status, -s->npaused, false);
    if (s->rk && s->slice == 0) {                        /* slices > 0 borrow slice 0's consumer */
        if (s->cores) velo_kcores_attach_none(s->cores); /* no wake-up from here on */
        if (s->subscribed || s->assigned_all) rd_kafka_consumer_close(s->rk);
        if (s->queue) rd_kafka_queue_destroy(s->queue);
        velo_kcores_free(s->cores);
        rd_kafka_destroy(s->rk);
    }
    health_close(&s->health);
    if (s->dlq_rk) {
        rd_kafka_flush(s->dlq_rk, 10000);
        rd_kafka_destroy(s->dlq_rk);
    }
    if (s->subscription) rd_kafka_topic_partition_list_destroy(s->subscription);
    if (s->fmt) s->fops->destroy(s->fmt);
    velo_schema_free(s->schema);
    velo_schema_free(s->payload);
    for (uint32_t i = 0; i < s->nparts; i++)
        mi_free(s->parts[i].topic);
    mi_free(s->parts);
    velo_part_watermarks_free(&s->wm);
    mi_free(s->msgs);
    mi_free(s->name);
    mi_free(s->brokers);
    mi_free(s->dlq_topic);
    mi_free(s);
}

static void ksrc_close(velo_source *src) { ksrc_free((kafka_source *)src); }

/* Reads up to SAMPLE_MAX_RECORDS messages from the start of every partition of the named topics
 * (no group join, nothing committed) and lets the format infer the columns. */
static velo_status ksrc_infer(kafka_source *s, const velo_connector_args *args, velo_error *err) {
    if (!s->fops || !s->fops->infer)
        return velo_error_set(
            err, VELO_ERR_INVALID,
            "kafka source '%s': format %s needs declared columns: CREATE STREAM name (col TYPE, "
            "...) WITH ('uri'='%s')",
            s->name, s->raw ? "raw" : s->fops->name, args->uri->text);
    int64_t timeout_ms = 5000;
    velo_status st = velo_kv_get_int(args->options, "schema.sample.timeout.ms", 5000, &timeout_ms, err);
    if (st) return st;
    char errstr[512];
    rd_kafka_conf_t *conf = NULL;
    if ((st = velo_kafka_conf(args, VELO_KAFKA_SAMPLER, &conf, err))) return st;
    rd_kafka_conf_set(conf, "enable.partition.eof", "true", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return velo_error_set(err, VELO_ERR_INVALID, "kafka source '%s': %s", s->name, errstr);
    }
    rd_kafka_topic_partition_list_t *assign = rd_kafka_topic_partition_list_new(8);
    char **recs = mi_zalloc(sizeof *recs * SAMPLE_MAX_RECORDS);
    uint32_t *lens = mi_zalloc(sizeof *lens * SAMPLE_MAX_RECORDS);
    uint32_t n = 0;
    for (int t = 0; t < s->subscription->cnt && !st; t++) {
        const char *topic = s->subscription->elems[t].topic;
        if (topic[0] == '^') {
            st = velo_error_set(
                err, VELO_ERR_INVALID,
                "kafka source '%s': a topic pattern needs declared columns: CREATE STREAM name "
                "(col TYPE, ...) WITH ('uri'='%s')",
                s->name, args->uri->text);
            break;
        }
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
        const rd_kafka_metadata_t *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, (int)timeout_ms);
        if (e || md->topic_cnt < 1 || md->topics[0].err) {
            rd_kafka_resp_err_t te = e                   ? e
                                     : md->topic_cnt < 1 ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
                                                         : md->topics[0].err;
            st = velo_error_set(err, e ? VELO_ERR_IO : VELO_ERR_NOT_FOUND,
                                "kafka source '%s': cannot read the partitions of topic '%s' from %s: %s%s",
                                s->name, topic, s->brokers, rd_kafka_err2str(te),
                                e ? " (is the broker running? start one with: velo-sql dev-kafka)" : "");
        } else {
            for (int p = 0; p < md->topics[0].partition_cnt; p++)
                rd_kafka_topic_partition_list_add(assign, topic, md->topics[0].partitions[p].id)->offset =
                    RD_KAFKA_OFFSET_BEGINNING;
        }
        if (md) rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
    }
    if (!st && assign->cnt) {
        rd_kafka_assign(rk, assign);
        int eofs = 0;
        int64_t deadline = now_ms() + timeout_ms;
        while (n < SAMPLE_MAX_RECORDS && eofs < assign->cnt && now_ms() < deadline) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
            if (!m) continue;
            if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
                eofs++;
            else if (!m->err && m->payload) {
                uint32_t len = (uint32_t)m->len;
                const char *p = m->payload;
                while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
                    len--;
                recs[n] = mi_malloc(len + 1);
                if (recs[n]) {
                    memcpy(recs[n], p, len);
                    recs[n][len] = '\0';
                    lens[n++] = len;
                }
            }
            rd_kafka_message_destroy(m);
        }
    }
    if (!st && n == 0)
        st = velo_error_set(
            err, VELO_ERR_DECODE,
            "kafka source '%s': cannot infer the columns: no message in the topic within %lld ms; "
            "declare them with CREATE STREAM name (col TYPE, ...) WITH ('uri'='%s')",
            s->name, (long long)timeout_ms, args->uri->text);
    velo_schema *inferred = NULL;
    if (!st) st = s->fops->infer(s->fmt, (const char *const *)recs, lens, n, &inferred, err);
    if (!st) s->schema = inferred;
    for (uint32_t i = 0; i < n; i++)
        mi_free(recs[i]);
    mi_free(recs);
    mi_free(lens);
    rd_kafka_topic_partition_list_destroy(assign);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return st;
}

/* The payload columns (non-metadata) must come first for positional formats (CSV, raw). */
static velo_status ksrc_columns(kafka_source *s, velo_error *err) {
    uint32_t npay = 0;
    for (int m = 0; m < META_N; m++)
        s->meta_col[m] = -1;
    for (uint32_t i = 0; i < s->schema->ncols; i++) {
        int m = meta_index(s->schema->fields[i].name);
        if (m >= 0)
            s->meta_col[m] = (int)i;
        else if (npay != i && !s->json)
            return velo_error_set(
                err, VELO_ERR_INVALID,
                "kafka source '%s': declare the metadata column '%s' after the payload columns", s->name,
                s->schema->fields[i - 1].name);
        else
            npay++;
    }
    s->payload = velo_schema_new(npay);
    if (!s->payload) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0, j = 0; i < s->schema->ncols; i++)
        if (meta_index(s->schema->fields[i].name) < 0)
            velo_schema_set(s->payload, j++, s->schema->fields[i].name, s->schema->fields[i].type);
    velo_type_id t0 = npay ? s->payload->fields[0].type.id : VELO_TYPE_NULL;
    if (s->raw && (npay != 1 || meta_index(s->schema->fields[0].name) >= 0 ||
                   (t0 != VELO_TYPE_VARCHAR && t0 != VELO_TYPE_BYTES)))
        return velo_error_set(
            err, VELO_ERR_INVALID,
            "kafka source '%s': format raw has one column, the value as VARCHAR or BYTES, declared "
            "first",
            s->name);
    return VELO_OK;
}

static velo_status ksrc_open(const velo_connector_args *args, velo_source **out, velo_error *err) {
    kafka_source *s = mi_zalloc(sizeof *s);
    if (!s) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    velo_status st;
    s->dlq = args->dlq;
    s->name = mi_strdup(args->name ? args->name : args->uri->text);
    s->brokers = mi_strdup(args->uri->authority);
    s->msgs = mi_malloc(sizeof *s->msgs * VELO_BATCH_DEFAULT_CAPACITY * 2);
    if (!s->name || !s->brokers || !s->msgs) {
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    const char *mode = velo_kv_get_or(args->options, "scan.bounded.mode", "unbounded");
    if (!strcasecmp(mode, "latest-offset"))
        s->bounded = true;
    else if (strcasecmp(mode, "unbounded")) {
        st = velo_error_set(
            err, VELO_ERR_INVALID,
            "kafka source '%s': 'scan.bounded.mode' must be unbounded or latest-offset, found '%s'", s->name,
            mode);
        goto fail;
    }
    if ((st = kafka_format(args->options, &s->fops, &s->fmt, &s->raw, err))) goto fail;
    s->json = s->fops && !strcasecmp(s->fops->name, "jsonl");
    if ((st = velo_kafka_topics(args->uri, &s->subscription, err))) goto fail;
    /* a pattern's topics are found by subscribing */
    s->assign_all = s->bounded && s->subscription->cnt && s->subscription->elems[0].topic[0] != '^';
    if (args->declared) {
        s->schema = velo_schema_copy(args->declared);
        if (!s->schema) {
            st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
            goto fail;
        }
    } else if (s->raw) {
        s->schema = velo_schema_new(1);
        if (s->schema) velo_schema_set(s->schema, 0, "value", velo_type_make(VELO_TYPE_VARCHAR));
    } else if ((st = ksrc_infer(s, args, err))) {
        goto fail;
    }
    if ((st = ksrc_columns(s, err))) goto fail;
    /* projection pushdown: the decode schema is the full one (JSON) or its payload prefix */
    if (args->declared && args->used_columns && s->fops && s->fops->project)
        s->fops->project(s->fmt, args->used_columns, s->json ? s->schema->ncols : s->payload->ncols);

    if (args->nslices > 1 && args->slice > 0) { /* a core reading partitions of slice 0's consumer */
        if ((st = ksrc_join_slices(s, args, err))) goto fail;
        goto dlq;
    }
    rd_kafka_conf_t *conf = NULL;
    if ((st = velo_kafka_conf(args, VELO_KAFKA_CONSUMER, &conf, err))) goto fail;
    rd_kafka_conf_set_opaque(conf, s);
    rd_kafka_conf_set_error_cb(conf, ksrc_error_cb);
    rd_kafka_conf_set_rebalance_cb(conf, ksrc_rebalance_cb);
    snprintf(s->who, sizeof s->who, "kafka source '%s'", s->name);
    health_conf(&s->health, args->status, conf);
    if (args->status) rd_kafka_conf_set_stats_cb(conf, ksrc_stats_cb);
    char errstr[512];
    if (s->bounded) rd_kafka_conf_set(conf, "enable.partition.eof", "true", errstr, sizeof errstr);
    s->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!s->rk) {
        rd_kafka_conf_destroy(conf);
        st = velo_error_set(err, VELO_ERR_INVALID, "kafka source '%s': %s", s->name, errstr);
        goto fail;
    }
    /* messages and rebalances arrive on the consumer queue; errors on the main queue, served by
     * rd_kafka_poll in ksrc_poll (not forwarded, so consume_batch_queue sees only records) */
    s->queue = rd_kafka_queue_get_consumer(s->rk);
    if (args->nslices > 1 && (st = ksrc_join_slices(s, args, err))) goto fail;

dlq:;
    const char *dlq_topic = velo_kv_get(args->options, "dlq.topic");
    if (dlq_topic && *dlq_topic) {
        s->dlq_topic = mi_strdup(dlq_topic);
        rd_kafka_conf_t *pconf = NULL;
        if ((st = velo_kafka_conf(args, VELO_KAFKA_PRODUCER, &pconf, err))) goto fail;
        s->dlq_rk = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, errstr, sizeof errstr);
        if (!s->dlq_rk) {
            rd_kafka_conf_destroy(pconf);
            st = velo_error_set(err, VELO_ERR_INVALID, "kafka source '%s': dead-letter producer: %s", s->name,
                                errstr);
            goto fail;
        }
    }
    s->base.ops = &velo_kafka_source_ops;
    *out = &s->base;
    return VELO_OK;
fail:
    ksrc_free(s);
    return st;
}

/* ---- a source read on several cores (kafka_cores.c routes partitions to the cores that own them) ----
 * Slice 0 (core 0) owns the consumer, serves the group's rebalances and tells each core what it owns
 * with notes; every slice reads its own queue, keeps its own partitions' offsets and commits them
 * (its own sink) or hands them as snapshots to the sink's core, which commits them after its flush. */

static void ksrc_post(kafka_source *s, uint32_t slice, velo_kcores_note_kind kind, const char *topic,
                      int32_t partition, int64_t lo, int64_t hi) {
    if (velo_kcores_post(s->cores, slice, kind, topic, partition, lo, hi) || s->fatal) return;
    s->fatal = VELO_ERR_NOMEM;
    snprintf(s->fatal_msg, sizeof s->fatal_msg,
             "kafka source '%s': cannot tell core %u about a rebalance (out of memory, or its note ring is "
             "full)",
             s->name, slice);
}

/* A core takes the notes core 0 left for it. */
static void ksrc_notes(kafka_source *s) {
    /* the statistics callback runs on core 0 for slice 0's partitions: the others' lag, once a second */
    if (s->slice > 0 && s->health.status && now_ms() - s->lag_ms >= 1000) {
        s->lag_ms = now_ms();
        ksrc_update_lag(s, s->rk);
    }
    velo_kcores_note *note;
    while ((note = velo_kcores_next(s->cores, s->slice))) {
        part_state *p;
        switch (note->kind) {
        case VELO_KCORES_ASSIGN: part_assign(s, note->topic, note->partition, note->lo, note->hi); break;
        case VELO_KCORES_REVOKE:
            if ((p = part_find(s, note->topic, note->partition, false))) p->assigned = false;
            break;
        case VELO_KCORES_ASSIGNED: s->has_assignment = true; break;
        case VELO_KCORES_UNASSIGNED: s->has_assignment = false; break;
        }
        mi_free(note);
    }
}

/* Opening slice `args->slice` of `args->nslices`: slice 0 creates the per-core queues of its
 * consumer, the others borrow slice 0's consumer and read their core's queue. */
static velo_status ksrc_join_slices(kafka_source *s, const velo_connector_args *args, velo_error *err) {
    s->slice = args->slice;
    if (args->slice == 0) {
        velo_status st = velo_kcores_new(s->rk, args->nslices, &s->cores, err);
        if (st) return st;
    } else {
        kafka_source *first = (kafka_source *)args->first_slice;
        if (!first || first->base.ops != &velo_kafka_source_ops || !first->cores)
            return velo_error_set(err, VELO_ERR_INTERNAL,
                                  "kafka source '%s': slice %u opened without slice 0", s->name, args->slice);
        s->rk = first->rk;
        s->cores = first->cores;
        s->subscribed = true; /* slice 0 subscribes */
        s->queue = velo_kcores_queue(s->cores, s->slice);
        s->started_ms = now_ms();
        s->health.status = args->status; /* only for its partitions' lag slots (ksrc_notes) */
    }
    velo_kcores_attach(s->cores, s->slice, args->wake_fd);
    return VELO_OK;
}

static bool ksrc_ready(velo_source *src) {
    kafka_source *s = (kafka_source *)src;
    /* slice 0 of an assign-all read: until it took the partitions (it retries while the brokers
     * do not answer; no rebalance event would wake it) */
    if (s->assign_all && s->slice == 0 && !s->assigned_all) return true;
    return !s->cores || s->fatal || velo_kcores_ready(s->cores, s->slice);
}

static void *ksrc_snapshot(velo_source *src) {
    kafka_source *s = (kafka_source *)src;
    bool advanced = false;
    for (uint32_t i = 0; i < s->nparts; i++)
        advanced |= s->parts[i].assigned && s->parts[i].next >= 0 && s->parts[i].next != s->parts[i].snapped;
    if (!advanced) return NULL;
    ksrc_flush_dlq(s);
    /* every partition of this core: the core that commits keeps only a core's latest snapshot */
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)s->nparts);
    for (uint32_t i = 0; i < s->nparts; i++) {
        part_state *p = &s->parts[i];
        if (!p->assigned || p->next < 0) continue;
        rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = p->next;
        p->snapped = p->next;
    }
    return l;
}

static velo_status ksrc_commit_snapshot(velo_source *src, void *snap, velo_error *err) {
    (void)err;
    ksrc_commit_list((kafka_source *)src, snap);
    return VELO_OK;
}

static void ksrc_free_snapshot(void *snap) {
    if (snap) rd_kafka_topic_partition_list_destroy(snap);
}

/* Checkpoints: the next offset of every partition this reader read from or was told to resume at. */
static velo_status ksrc_positions(velo_source *src, velo_source_position **out, uint32_t *n,
                                  velo_error *err) {
    kafka_source *s = (kafka_source *)src;
    *n = 0;
    ksrc_flush_dlq(s); /* the dead letters of the records before the checkpoint are durable too */
    if (!(*out = mi_malloc(sizeof **out * (s->nparts + 1))))
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < s->nparts; i++) {
        part_state *p = &s->parts[i];
        if (p->next < 0 || (!p->assigned && p->resume_at < 0)) continue;
        (*out)[(*n)++] = (velo_source_position){p->topic, p->partition, p->next};
    }
    return VELO_OK;
}

/* Checkpoints: a restored job reads on from the checkpoint's offsets (not the group's, which may be
 * behind it when the job died between the checkpoint and its commit). */
static velo_status ksrc_resume(velo_source *src, const velo_source_position *pos, uint32_t n,
                               velo_error *err) {
    kafka_source *s = (kafka_source *)src;
    for (uint32_t i = 0; i < n; i++) {
        part_state *p = part_find(s, pos[i].topic, pos[i].partition, true);
        if (!p) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        p->resume_at = p->next = pos[i].offset;
    }
    return VELO_OK;
}

const velo_source_ops velo_kafka_source_ops = {.scheme = "kafka",
                                               .open = ksrc_open,
                                               .schema = ksrc_schema,
                                               .poll = ksrc_poll,
                                               .commit = ksrc_commit,
                                               .is_bounded = ksrc_bounded,
                                               .close = ksrc_close,
                                               .ready = ksrc_ready,
                                               .snapshot = ksrc_snapshot,
                                               .commit_snapshot = ksrc_commit_snapshot,
                                               .free_snapshot = ksrc_free_snapshot,
                                               .positions = ksrc_positions,
                                               .resume = ksrc_resume,
                                               .pause = ksrc_pause,
                                               .watermarks = ksrc_watermarks,
                                               .watermark = ksrc_watermark};

/* ------------------------------------------------------------------ sink */

typedef struct kafka_sink {
    velo_sink base;
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    char *name;
    const velo_format_ops *fops;
    velo_format *fmt;
    bool raw;
    velo_schema *payload;   /* the columns written into the message value */
    uint32_t *payload_col;  /* payload column j = output column payload_col[j] */
    velo_vector *view_cols; /* the payload columns of the batch being written */
    int key_col, headers_col, ts_col;
    velo_schema *out_schema; /* the rows written (a copy) */
    uint32_t *header_fields; /* 'headers.fields': columns sent as headers too */
    const char **header_names;
    uint32_t nheader_fields;
    velo_strbuf hval;
    velo_strbuf buf, key;
    bool transactional; /* 'processing.guarantee'='exactly_once' */
    bool in_txn;
    int backlog_max; /* messages waiting for delivery beyond which the sink is backlogged */
    uint64_t failed;
    char first_error[512];
    char last_error[512]; /* librdkafka's last error event (an unreachable broker) */
    broker_health health;
    char who[300]; /* "kafka sink 'name'" */
    char brokers[256];
} kafka_sink;

static void ksink_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    kafka_sink *k = opaque;
    if (!m->err) return;
    if (!k->failed++) snprintf(k->first_error, sizeof k->first_error, "%s", rd_kafka_err2str(m->err));
}

static void ksink_error_cb(rd_kafka_t *rk, int code, const char *reason, void *opaque) {
    kafka_sink *k = opaque;
    if (code != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || !k->last_error[0])
        snprintf(k->last_error, sizeof k->last_error, "%s", reason);
    health_error(&k->health, k->who, k->brokers, code, reason);
}

/* Served by the rd_kafka_poll of write and flush: an idle sink notices its broker's return at its
 * next write. */
static int ksink_stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
    kafka_sink *k = opaque;
    health_stats(&k->health, json, len);
    return 0;
}

static velo_status ksink_failed(kafka_sink *k, velo_error *err) {
    return velo_error_set(err, VELO_ERR_IO, "kafka sink '%s': %llu messages not delivered (first: %s)",
                          k->name, (unsigned long long)k->failed, k->first_error);
}

/* The message headers: the entries of a _headers MAP column, then one header per column named in
 * 'headers.fields' (its value as text; NULL gives a header without value). NULL when none. */
static rd_kafka_headers_t *ksink_headers(kafka_sink *k, const velo_batch *b, uint32_t row) {
    rd_kafka_headers_t *h = NULL;
    if (k->headers_col >= 0 && velo_vector_is_valid(&b->cols[k->headers_col], row)) {
        velo_value m;
        velo_vector_get_value(&b->cols[k->headers_col], row, &m);
        if (!m.is_null && m.type.id == VELO_TYPE_MAP && m.u.nested.names) {
            h = rd_kafka_headers_new(m.u.nested.count + k->nheader_fields + 1);
            for (uint32_t i = 0; i < m.u.nested.count; i++) {
                const velo_value *it = &m.u.nested.items[i];
                const velo_str *name = &m.u.nested.names[i];
                if (it->is_null)
                    rd_kafka_header_add(h, name->ptr, name->len, NULL, 0);
                else if (it->type.id == VELO_TYPE_VARCHAR || it->type.id == VELO_TYPE_BYTES)
                    rd_kafka_header_add(h, name->ptr, name->len, it->u.str.ptr, it->u.str.len);
            }
        }
    }
    for (uint32_t i = 0; i < k->nheader_fields; i++) {
        if (!h) h = rd_kafka_headers_new(k->nheader_fields);
        const velo_vector *v = &b->cols[k->header_fields[i]];
        const char *name = k->header_names[i];
        if (!velo_vector_is_valid(v, row)) {
            rd_kafka_header_add(h, name, -1, NULL, 0);
            continue;
        }
        velo_strbuf_clear(&k->hval);
        velo_format_value_text(v, row, &k->hval);
        rd_kafka_header_add(h, name, -1, k->hval.data ? k->hval.data : "", (ssize_t)k->hval.len);
    }
    return h;
}

static velo_status ksink_write(velo_sink *sink, const velo_batch *b, velo_error *err) {
    kafka_sink *k = (kafka_sink *)sink;
    /* a view of the batch holding only the payload columns, for the format's encoder */
    velo_batch view = *b;
    for (uint32_t j = 0; j < k->payload->ncols; j++)
        k->view_cols[j] = b->cols[k->payload_col[j]];
    view.cols = k->view_cols;
    view.ncols = k->payload->ncols;
    uint32_t live = velo_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t row = velo_batch_row(b, i);
        velo_strbuf_clear(&k->buf);
        if (k->raw) {
            if (velo_vector_is_valid(&view.cols[0], row)) velo_format_value_text(&view.cols[0], row, &k->buf);
        } else {
            velo_status st = k->fops->encode(k->fmt, k->payload, &view, row, &k->buf, err);
            if (st) return st;
            if (k->buf.len && k->buf.data[k->buf.len - 1] == '\n')
                k->buf.len--; /* one message, no terminator */
        }
        const void *key = NULL;
        size_t key_len = 0;
        if (k->key_col >= 0 && velo_vector_is_valid(&b->cols[k->key_col], row)) {
            velo_strbuf_clear(&k->key);
            velo_format_value_text(&b->cols[k->key_col], row, &k->key);
            key = k->key.data ? k->key.data : "";
            key_len = k->key.len;
        }
        int64_t ts = 0;
        if (k->ts_col >= 0 && velo_vector_is_valid(&b->cols[k->ts_col], row))
            ts = VELO_VEC(&b->cols[k->ts_col], int64_t)[row] / 1000;
        rd_kafka_headers_t *h = ksink_headers(k, b, row);
        for (;;) {
            /* librdkafka takes the headers only when the message is accepted */
            rd_kafka_resp_err_t e =
                h ? rd_kafka_producev(k->rk, RD_KAFKA_V_RKT(k->rkt), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_VALUE(k->buf.data ? k->buf.data : "", k->buf.len),
                                      RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_TIMESTAMP(ts),
                                      RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END)
                  : rd_kafka_producev(k->rk, RD_KAFKA_V_RKT(k->rkt), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_VALUE(k->buf.data ? k->buf.data : "", k->buf.len),
                                      RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_TIMESTAMP(ts), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) { /* backpressure: wait for deliveries */
                rd_kafka_poll(k->rk, 50);
                continue;
            }
            if (e) {
                if (h) rd_kafka_headers_destroy(h);
                return velo_error_set(err, VELO_ERR_IO, "kafka sink '%s': cannot produce: %s", k->name,
                                      rd_kafka_err2str(e));
            }
            break;
        }
    }
    rd_kafka_poll(k->rk, 0);
    if (k->failed) return ksink_failed(k, err);
    return VELO_OK;
}

/* Backlogged: half of librdkafka's producer queue ('queue.buffering.max.messages') waits for
 * delivery (a slow or unreachable broker): the source pauses rather than filling it. */
static velo_status ksink_backlog(velo_sink *sink, int wait_ms, velo_sink_backlog *level, velo_error *err) {
    kafka_sink *k = (kafka_sink *)sink;
    /* never just pending: deliveries in flight are normal, and a commit waits for them briefly */
    bool full = rd_kafka_outq_len(k->rk) >= k->backlog_max;
    if (full && wait_ms > 0) {
        rd_kafka_poll(k->rk, wait_ms);
        full = rd_kafka_outq_len(k->rk) >= k->backlog_max;
    }
    *level = full ? VELO_SINK_FULL : VELO_SINK_CLEAR;
    if (k->failed) return ksink_failed(k, err);
    return VELO_OK;
}

/* Waits until every message produced so far is delivered (or failed: then an error). */
static velo_status ksink_flush(velo_sink *sink, velo_error *err) {
    kafka_sink *k = (kafka_sink *)sink;
    int stalled_s = 0;
    for (int left = rd_kafka_outq_len(k->rk); left > 0;) {
        rd_kafka_flush(k->rk, 1000);
        int now = rd_kafka_outq_len(k->rk);
        stalled_s = now < left ? 0 : stalled_s + 1;
        left = now;
        /* waiting on a broker that does not answer: say why, once, rather than hang silently */
        if (stalled_s == 5)
            fprintf(stderr,
                    "velo-sql: kafka sink '%s': %d messages waiting for the brokers%s%s; librdkafka retries "
                    "until 'kafka.message.timeout.ms' (default 300000) and then fails the job\n",
                    k->name, now, k->last_error[0] ? ": " : "", k->last_error);
    }
    if (k->failed) return ksink_failed(k, err);
    return VELO_OK;
}

/* A failed transaction step; an abortable one aborts the transaction: its records are never
 * visible to read_committed consumers and its offsets are not committed, so a restart replays. */
static velo_status ksink_txn_error(kafka_sink *k, rd_kafka_error_t *e, const char *what, velo_error *err) {
    bool abort = rd_kafka_error_txn_requires_abort(e);
    velo_status st = velo_error_set(
        err, VELO_ERR_IO, "kafka sink '%s': %s failed: %s%s", k->name, what, rd_kafka_error_string(e),
        abort ? "; the transaction was aborted: restart the job to replay from the "
                "last committed offsets"
              : "");
    rd_kafka_error_destroy(e);
    if (abort) {
        rd_kafka_error_t *a = rd_kafka_abort_transaction(k->rk, 30000);
        if (a) rd_kafka_error_destroy(a);
        k->in_txn = false;
    }
    return st;
}

/* A commit point. At-least-once: wait for every delivery, then the source commits. Exactly-once:
 * the source's offsets go into this producer's transaction, which commits (output and progress
 * become visible together, or neither), and the next transaction begins. */
static velo_status ksink_commit(velo_sink *sink, velo_source *src, velo_error *err) {
    kafka_sink *k = (kafka_sink *)sink;
    if (!k->transactional) {
        velo_status st = ksink_flush(sink, err);
        if (!st && src->ops->commit) st = src->ops->commit(src, err);
        return st;
    }
    if (src->ops != &velo_kafka_source_ops)
        return velo_error_set(
            err, VELO_ERR_INVALID,
            "kafka sink '%s': 'processing.guarantee'='exactly_once' needs a kafka:// source", k->name);
    kafka_source *s = (kafka_source *)src;
    ksrc_flush_dlq(s);
    rd_kafka_topic_partition_list_t *l = ksrc_pending(s);
    rd_kafka_error_t *e = NULL;
    if (l->cnt) {
        rd_kafka_consumer_group_metadata_t *g = rd_kafka_consumer_group_metadata(s->rk);
        e = rd_kafka_send_offsets_to_transaction(k->rk, l, g, 30000);
        rd_kafka_consumer_group_metadata_destroy(g);
    }
    for (int tries = 0; !e; tries++) {
        e = rd_kafka_commit_transaction(k->rk, 60000); /* also waits for every delivery */
        if (!e || !rd_kafka_error_is_retriable(e) || tries == 5) break;
        rd_kafka_error_destroy(e);
        e = NULL;
    }
    if (e) {
        rd_kafka_topic_partition_list_destroy(l);
        return ksink_txn_error(k, e, "transaction commit", err);
    }
    /* The same offsets again as a plain commit: on Kafka the transaction already committed them
     * (a no-op), but librdkafka 2.0's mock cluster (dev-kafka) does not store transactional offset
     * commits, and without this a restarted job there would replay from its first offset. Never
     * ahead of the transaction: it runs only after the transaction committed. */
    if (l->cnt && rd_kafka_commit(s->rk, l, 0) == RD_KAFKA_RESP_ERR_NO_ERROR) s->commit_failing = false;
    ksrc_mark_committed(s, l);
    rd_kafka_topic_partition_list_destroy(l);
    k->in_txn = false;
    if ((e = rd_kafka_begin_transaction(k->rk))) return ksink_txn_error(k, e, "begin transaction", err);
    k->in_txn = true;
    return VELO_OK;
}

static void ksink_close(velo_sink *sink) {
    kafka_sink *k = (kafka_sink *)sink;
    if (k->in_txn) { /* ended without a commit point (an error): nothing of it becomes visible */
        rd_kafka_error_t *e = rd_kafka_abort_transaction(k->rk, 10000);
        if (e) rd_kafka_error_destroy(e);
    }
    if (k->rkt) rd_kafka_topic_destroy(k->rkt);
    if (k->rk) {
        rd_kafka_flush(k->rk, 10000);
        rd_kafka_destroy(k->rk);
    }
    health_close(&k->health);
    if (k->fmt) k->fops->destroy(k->fmt);
    velo_schema_free(k->payload);
    mi_free(k->payload_col);
    mi_free(k->view_cols);
    velo_strbuf_free(&k->buf);
    velo_strbuf_free(&k->key);
    velo_strbuf_free(&k->hval);
    velo_schema_free(k->out_schema);
    mi_free(k->header_fields);
    mi_free(k->header_names);
    mi_free(k->name);
    mi_free(k);
}

/* 'headers.fields'='a,b': output columns also sent as headers (names point into k->out_schema). */
static velo_status ksink_header_fields(kafka_sink *k, const velo_kv *options, const velo_schema *schema,
                                       velo_error *err) {
    const char *list = velo_kv_get(options, "headers.fields");
    if (!list || !*list) return VELO_OK;
    k->header_fields = mi_zalloc(sizeof *k->header_fields * (schema->ncols + 1));
    k->header_names = mi_zalloc(sizeof *k->header_names * (schema->ncols + 1));
    if (!k->header_fields || !k->header_names) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    for (const char *p = list; *p;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        int col = velo_schema_find(schema, name);
        if (col < 0)
            return velo_error_set(
                err, VELO_ERR_INVALID,
                "kafka sink '%s': 'headers.fields' names '%s', which is not an output column", k->name, name);
        if (k->nheader_fields <= schema->ncols) {
            k->header_fields[k->nheader_fields] = (uint32_t)col;
            k->header_names[k->nheader_fields++] = k->out_schema->fields[col].name;
        }
        p = c ? c + 1 : p + n;
    }
    return VELO_OK;
}

static velo_status ksink_open(const velo_connector_args *args, const velo_schema *schema, velo_sink **out,
                              velo_error *err) {
    kafka_sink *k = mi_zalloc(sizeof *k);
    if (!k) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    velo_strbuf_init(&k->buf);
    velo_strbuf_init(&k->key);
    velo_strbuf_init(&k->hval);
    k->key_col = k->headers_col = k->ts_col = -1;
    velo_status st = VELO_OK;
    k->name = mi_strdup(args->name ? args->name : args->uri->text);
    k->payload_col = mi_zalloc(sizeof *k->payload_col * (schema->ncols + 1));
    k->view_cols = mi_zalloc(sizeof *k->view_cols * (schema->ncols + 1));
    if (!k->name || !k->payload_col || !k->view_cols) {
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (strchr(args->uri->path, ',') || args->uri->path[0] == '^') {
        st = velo_error_set(err, VELO_ERR_INVALID, "kafka sink '%s': a sink writes one topic, found '%s'",
                            k->name, args->uri->path);
        goto fail;
    }
    if ((st = kafka_format(args->options, &k->fops, &k->fmt, &k->raw, err))) goto fail;
    /* _key, _headers and _timestamp columns set the message's own fields, not its value */
    uint32_t npay = 0;
    for (uint32_t i = 0; i < schema->ncols; i++) {
        int m = meta_index(schema->fields[i].name);
        if (m == META_KEY)
            k->key_col = (int)i;
        else if (m == META_HEADERS)
            k->headers_col = (int)i;
        else if (m == META_TIMESTAMP && schema->fields[i].type.id == VELO_TYPE_TIMESTAMP)
            k->ts_col = (int)i;
        else
            k->payload_col[npay++] = i;
    }
    const char *key_field = velo_kv_get(args->options, "key.field");
    if (key_field) {
        k->key_col = velo_schema_find(schema, key_field);
        if (k->key_col < 0) {
            st = velo_error_set(err, VELO_ERR_INVALID,
                                "kafka sink '%s': 'key.field' names '%s', which is not an output column",
                                k->name, key_field);
            goto fail;
        }
    }
    if (!(k->out_schema = velo_schema_copy(schema))) {
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if ((st = ksink_header_fields(k, args->options, schema, err))) goto fail;
    k->payload = velo_schema_new(npay);
    if (!k->payload) {
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (uint32_t j = 0; j < npay; j++)
        velo_schema_set(k->payload, j, schema->fields[k->payload_col[j]].name,
                        schema->fields[k->payload_col[j]].type);
    if (k->raw && npay != 1) {
        st = velo_error_set(err, VELO_ERR_INVALID, "kafka sink '%s': format raw writes one column, found %u",
                            k->name, npay);
        goto fail;
    }
    const char *guarantee = velo_kv_get_or(args->options, "processing.guarantee", "at_least_once");
    k->transactional = !strcasecmp(guarantee, "exactly_once");
    if (!k->transactional && strcasecmp(guarantee, "at_least_once")) {
        st = velo_error_set(
            err, VELO_ERR_INVALID,
            "kafka sink '%s': 'processing.guarantee' must be at_least_once or exactly_once, found '%s'",
            k->name, guarantee);
        goto fail;
    }
    rd_kafka_conf_t *conf = NULL;
    if ((st = velo_kafka_conf(args, VELO_KAFKA_PRODUCER, &conf, err))) goto fail;
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_conf_set_dr_msg_cb(conf, ksink_dr_cb);
    rd_kafka_conf_set_error_cb(conf, ksink_error_cb);
    snprintf(k->who, sizeof k->who, "kafka sink '%s'", k->name);
    snprintf(k->brokers, sizeof k->brokers, "%s", args->uri->authority);
    health_conf(&k->health, args->status, conf);
    if (args->status) rd_kafka_conf_set_stats_cb(conf, ksink_stats_cb);
    char errstr[512], qmax[32] = "";
    size_t qn = sizeof qmax;
    k->backlog_max = 50000;
    if (rd_kafka_conf_get(conf, "queue.buffering.max.messages", qmax, &qn) == RD_KAFKA_CONF_OK &&
        atoi(qmax) > 1)
        k->backlog_max = atoi(qmax) / 2;
    if (k->transactional && !velo_kv_get(args->options, "transactional.id") &&
        !velo_kv_get(args->options, "kafka.transactional.id")) {
        /* stable across restarts, so a restarted job fences its previous incarnation */
        char tid[512];
        snprintf(tid, sizeof tid, "velo-sql-%s", args->uri->path);
        rd_kafka_conf_set(conf, "transactional.id", tid, errstr, sizeof errstr);
    }
    k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!k->rk) {
        rd_kafka_conf_destroy(conf);
        st = velo_error_set(err, VELO_ERR_INVALID, "kafka sink '%s': %s", k->name, errstr);
        goto fail;
    }
    k->rkt = rd_kafka_topic_new(k->rk, args->uri->path, NULL);
    if (!k->rkt) {
        st = velo_error_set(err, VELO_ERR_INVALID, "kafka sink '%s': topic '%s': %s", k->name,
                            args->uri->path, rd_kafka_err2str(rd_kafka_last_error()));
        goto fail;
    }
    if (k->transactional) {
        rd_kafka_error_t *e = rd_kafka_init_transactions(k->rk, 30000);
        if (!e) e = rd_kafka_begin_transaction(k->rk);
        if (e) {
            st = velo_error_set(err, VELO_ERR_IO, "kafka sink '%s': cannot start a transaction on %s: %s",
                                k->name, args->uri->authority, rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
            goto fail;
        }
        k->in_txn = true;
    }
    k->base.ops = &velo_kafka_sink_ops;
    *out = &k->base;
    return VELO_OK;
fail:
    ksink_close(&k->base);
    return st;
}

const velo_sink_ops velo_kafka_sink_ops = {.scheme = "kafka",
                                           .open = ksink_open,
                                           .write = ksink_write,
                                           .flush = ksink_flush,
                                           .commit = ksink_commit,
                                           .backlog = ksink_backlog,
                                           .close = ksink_close};
