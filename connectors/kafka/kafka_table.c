/* Kafka topics read as a table's changelog (connectors/table.h), like a Kafka Streams global table:
 * every partition from its start, no consumer group; the end offsets at open are the bootstrap's
 * target, then new records follow. As in ksqlDB the message key is the PRIMARY KEY, the value the
 * other columns; a tombstone (key, no value) deletes; no key or an unreadable record goes to the
 * DLQ. */
#include <librdkafka/rdkafka.h>
#include <mimalloc.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "connectors/formats/format.h"
#include "connectors/formats/format_internal.h"
#include "connectors/kafka/kafka_conf.h"
#include "connectors/table.h"

#define WAIT_MS 100 /* longest wait for a record while bootstrapping (alone in its phase) */

enum { M_KEY, M_TOPIC, M_PARTITION, M_OFFSET, M_TIMESTAMP, M_HEADERS, M_N };
static const char *const M_NAMES[M_N] = {"_key", "_topic", "_partition", "_offset", "_timestamp", "_headers"};

typedef struct kt_part {
    char *topic;
    int32_t partition;
    int64_t end; /* high watermark at open: the bootstrap reads up to here */
    bool done;   /* bootstrapped */
} kt_part;

typedef struct kafka_table {
    velo_source base;
    rd_kafka_t *rk;
    rd_kafka_queue_t *queue;
    velo_schema *schema; /* the table's columns + the deletion flag */
    uint32_t ncols;
    int32_t pk;
    int meta[M_N];
    velo_schema *value; /* the columns the message value holds */
    uint32_t *value_col;
    velo_vector *view_cols;
    const velo_format_ops *fops;
    velo_format *fmt;
    bool raw;
    kt_part *parts;
    uint32_t nparts;
    bool bounded, bootstrapped, trouble_reported;
    rd_kafka_message_t **msgs;
    velo_dlq *dlq;
    char name[256];
} kafka_table;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void kt_close(velo_source *src) {
    kafka_table *k = (kafka_table *)src;
    if (k->queue) rd_kafka_queue_destroy(k->queue);
    if (k->rk) rd_kafka_destroy(k->rk);
    if (k->fmt) k->fops->destroy(k->fmt);
    velo_schema_free(k->schema);
    velo_schema_free(k->value);
    mi_free(k->value_col);
    mi_free(k->view_cols);
    for (uint32_t i = 0; i < k->nparts; i++)
        mi_free(k->parts[i].topic);
    mi_free(k->parts);
    mi_free(k->msgs);
    mi_free(k);
}

static const velo_schema *kt_schema(velo_source *src) { return ((kafka_table *)src)->schema; }
static bool kt_bounded(velo_source *src) { return ((kafka_table *)src)->bounded; }

/* The message key's text as the PRIMARY KEY column's type (Kafka's string serializer). */
static bool key_value(const rd_kafka_message_t *m, velo_type t, velo_value *v, char *why, size_t n) {
    const char *s = m->key;
    uint32_t len = (uint32_t)m->key_len;
    memset(v, 0, sizeof *v);
    v->type = t;
    uint32_t bad;
    switch (t.id) {
    case VELO_TYPE_VARCHAR:
        if (!velo_fmt_utf8_valid(s, len, &bad)) {
            snprintf(why, n, "the message key is not UTF-8 (byte %u): declare the PRIMARY KEY as BYTES", bad);
            return false;
        }
        v->u.str = (velo_str){s, len};
        return true;
    case VELO_TYPE_BYTES: v->u.str = (velo_str){s, len}; return true;
    case VELO_TYPE_BIGINT:
        if (velo_fmt_parse_i64(s, len, &v->u.i64)) return true;
        break;
    case VELO_TYPE_DOUBLE:
        if (velo_fmt_parse_double(s, len, &v->u.f64)) return true;
        break;
    case VELO_TYPE_BOOLEAN:
        if (velo_fmt_parse_bool(s, len, &v->u.b)) return true;
        break;
    case VELO_TYPE_TIMESTAMP:
        if (velo_fmt_parse_timestamp(s, len, &v->u.i64)) return true;
        break;
    case VELO_TYPE_DECIMAL:
        if (velo_fmt_parse_decimal(s, len, t, &v->u.dec) == VELO_FMT_DEC_OK) return true;
        break;
    default: snprintf(why, n, "a PRIMARY KEY of this type cannot be read from a message key"); return false;
    }
    char ex[64];
    snprintf(why, n, "the message key '%s' is not a valid value for the PRIMARY KEY column",
             velo_fmt_excerpt(s, len, ex, sizeof ex));
    return false;
}

static void put_meta(kafka_table *k, velo_batch *b, uint32_t row, const rd_kafka_message_t *m) {
    for (int i = 0; i < M_N; i++) {
        int c = k->meta[i];
        if (c < 0 || c == k->pk || i == M_HEADERS) continue; /* _headers: NULL in a table */
        velo_vector *v = &b->cols[c];
        velo_value val;
        memset(&val, 0, sizeof val);
        switch (i) {
        case M_KEY:
            val.type = velo_type_make(VELO_TYPE_VARCHAR);
            val.u.str = (velo_str){m->key, (uint32_t)m->key_len};
            break;
        case M_TOPIC: {
            const char *t = rd_kafka_topic_name(m->rkt);
            val.type = velo_type_make(VELO_TYPE_VARCHAR);
            val.u.str = (velo_str){t, (uint32_t)strlen(t)};
            break;
        }
        case M_PARTITION:
            val.type = velo_type_make(VELO_TYPE_BIGINT);
            val.u.i64 = m->partition;
            break;
        case M_OFFSET:
            val.type = velo_type_make(VELO_TYPE_BIGINT);
            val.u.i64 = m->offset;
            break;
        case M_TIMESTAMP: {
            rd_kafka_timestamp_type_t tt;
            int64_t ms = rd_kafka_message_timestamp(m, &tt);
            if (ms < 0) continue;
            val.type = velo_type_make(VELO_TYPE_TIMESTAMP);
            val.u.i64 = ms * 1000;
            break;
        }
        }
        velo_type_id want = v->type.id;
        if (want != VELO_TYPE_ANY && want != val.type.id &&
            !(want == VELO_TYPE_BYTES && val.type.id == VELO_TYPE_VARCHAR))
            continue; /* a declared metadata column of another type reads NULL */
        if (want == VELO_TYPE_BYTES) val.type = velo_type_make(VELO_TYPE_BYTES);
        velo_vector_set_value(v, row, &val, &b->arena);
    }
}

static void reject(kafka_table *k, const rd_kafka_message_t *m, const char *why) {
    char origin[512];
    snprintf(origin, sizeof origin, "%s[%d]@%lld", rd_kafka_topic_name(m->rkt), (int)m->partition,
             (long long)m->offset);
    velo_dlq_put(k->dlq, origin, -1, why, m->payload, (uint32_t)m->len);
}

/* One record into row `row` (an upsert or a deletion); false when it went to the dead-letter queue. */
static bool kt_decode(kafka_table *k, const rd_kafka_message_t *m, velo_batch *b, uint32_t row) {
    char why[512];
    if (!m->key) {
        snprintf(why, sizeof why,
                 "table '%s': a record without a key cannot be stored (the message key is the table's "
                 "PRIMARY KEY '%s')",
                 k->name, k->schema->fields[k->pk].name);
        reject(k, m, why);
        return false;
    }
    velo_value key;
    if (!key_value(m, k->schema->fields[k->pk].type, &key, why, sizeof why)) {
        char msg[1024];
        snprintf(msg, sizeof msg, "table '%.200s': %.700s", k->name, why);
        reject(k, m, msg);
        return false;
    }
    bool tombstone = !m->payload || m->len == 0;
    if (!tombstone) {
        velo_error derr = {0};
        velo_status st = VELO_OK;
        if (k->raw) { /* the one value column (checked at open) */
            uint32_t bad;
            const velo_vector *v = &b->cols[k->value_col[0]];
            if (v->type.id == VELO_TYPE_VARCHAR && !velo_fmt_utf8_valid(m->payload, (uint32_t)m->len, &bad)) {
                st = velo_error_set(&derr, VELO_ERR_DECODE,
                                    "byte %u: invalid UTF-8 for VARCHAR column '%s' (declare it BYTES)", bad,
                                    k->value->fields[0].name);
            } else {
                velo_value s = {.type = v->type};
                s.u.str = (velo_str){m->payload, (uint32_t)m->len};
                velo_vector_set_value(&b->cols[k->value_col[0]], row, &s, &b->arena);
            }
        } else {
            const char *p = m->payload;
            uint32_t len = (uint32_t)m->len;
            while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
                len--;
            /* the value's columns are not contiguous in the row: decode into a view of them */
            velo_batch view = *b;
            for (uint32_t j = 0; j < k->value->ncols; j++)
                k->view_cols[j] = b->cols[k->value_col[j]];
            view.cols = k->view_cols;
            view.ncols = k->value->ncols;
            st = k->fops->decode(k->fmt, p, len, k->value, &view, row, &derr);
            b->arena = view.arena;
        }
        if (st) {
            for (uint32_t c = 0; c < b->ncols; c++)
                velo_vector_set_null(&b->cols[c], row);
            snprintf(why, sizeof why, "table '%.100s': %.400s", k->name, derr.message);
            reject(k, m, why);
            return false;
        }
    }
    velo_vector_set_value(&b->cols[k->pk], row, &key, &b->arena);
    put_meta(k, b, row, m);
    VELO_VEC(&b->cols[k->ncols], uint8_t)[row] = tombstone;
    velo_vector_set_valid(&b->cols[k->ncols], row);
    b->origin[row] = m->offset;
    return true;
}

static kt_part *part_of(kafka_table *k, const rd_kafka_message_t *m) {
    const char *t = rd_kafka_topic_name(m->rkt);
    for (uint32_t i = 0; i < k->nparts; i++)
        if (k->parts[i].partition == m->partition && !strcmp(k->parts[i].topic, t)) return &k->parts[i];
    return NULL;
}

static bool all_done(const kafka_table *k) {
    for (uint32_t i = 0; i < k->nparts; i++)
        if (!k->parts[i].done) return false;
    return true;
}

static velo_status kt_poll(velo_source *src, velo_batch *out, bool *eof, velo_error *err) {
    kafka_table *k = (kafka_table *)src;
    *eof = false;
    if (k->bootstrapped && k->bounded) {
        *eof = true;
        return VELO_OK;
    }
    int64_t deadline = now_ms() + (k->bootstrapped ? 0 : WAIT_MS);
    while (out->count < out->capacity) {
        rd_kafka_poll(k->rk, 0); /* serves kt_error_cb */
        ssize_t n = rd_kafka_consume_batch_queue(k->queue, 0, k->msgs, out->capacity - out->count);
        int64_t left = deadline - now_ms();
        if (n == 0 && !out->count && left > 0 && !(k->bootstrapped == false && all_done(k)))
            n = rd_kafka_consume_batch_queue(k->queue, (int)left, k->msgs, 1);
        if (n < 0)
            return velo_error_set(err, VELO_ERR_IO, "kafka table '%s': %s", k->name,
                                  rd_kafka_err2str(rd_kafka_last_error()));
        for (ssize_t i = 0; i < n; i++) {
            rd_kafka_message_t *m = k->msgs[i];
            kt_part *p = m->rkt ? part_of(k, m) : NULL;
            if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                if (p) p->done = true;
            } else if (m->err) {
                if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                    m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
                    velo_status st = velo_error_set(err, VELO_ERR_NOT_FOUND, "kafka table '%s': %s", k->name,
                                                    rd_kafka_message_errstr(m));
                    for (ssize_t j = i; j < n; j++)
                        rd_kafka_message_destroy(k->msgs[j]);
                    return st;
                }
                if (!k->trouble_reported) {
                    fprintf(stderr, "velo-sql: kafka table '%s': %s; retrying\n", k->name,
                            rd_kafka_message_errstr(m));
                    k->trouble_reported = true;
                }
            } else {
                if (kt_decode(k, m, out, out->count)) out->count++;
                if (p && m->offset + 1 >= p->end) p->done = true;
            }
            rd_kafka_message_destroy(m);
        }
        if (!k->bootstrapped && all_done(k)) {
            k->bootstrapped = true;
            *eof = true;
            break;
        }
        if (n == 0 && (out->count || now_ms() >= deadline)) break;
    }
    return VELO_OK;
}

/* Broker trouble after the bootstrap does not stop the job (librdkafka keeps retrying and the
 * table keeps its last state): said once on stderr, like the stream source does. */
static void kt_error_cb(rd_kafka_t *rk, int code, const char *reason, void *opaque) {
    (void)rk;
    kafka_table *k = opaque;
    if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && k->trouble_reported) return;
    if (!k->trouble_reported) fprintf(stderr, "velo-sql: kafka table '%s': %s; retrying\n", k->name, reason);
    k->trouble_reported = true;
}

static const velo_source_ops kafka_table_ops = {
    .scheme = "kafka", .schema = kt_schema, .poll = kt_poll, .is_bounded = kt_bounded, .close = kt_close};

static int meta_of(const char *name) {
    for (int i = 0; i < M_N; i++)
        if (!strcasecmp(name, M_NAMES[i])) return i;
    return -1;
}

/* The partitions of every topic and their end offsets (the bootstrap's target). */
static velo_status kt_partitions(kafka_table *k, const velo_connector_args *args, velo_error *err) {
    rd_kafka_topic_partition_list_t *topics = NULL;
    velo_status st = velo_kafka_topics(args->uri, &topics, err);
    if (st) return st;
    int64_t timeout_ms = 10000;
    rd_kafka_topic_partition_list_t *assign = rd_kafka_topic_partition_list_new(8);
    for (int t = 0; t < topics->cnt && !st; t++) {
        const char *topic = topics->elems[t].topic;
        if (topic[0] == '^') {
            st = velo_error_set(err, VELO_ERR_INVALID,
                                "kafka table '%s': a table reads named topics, not a pattern", k->name);
            break;
        }
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(k->rk, topic, NULL);
        const rd_kafka_metadata_t *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(k->rk, 0, rkt, &md, (int)timeout_ms);
        if (e || md->topic_cnt < 1 || md->topics[0].err) {
            rd_kafka_resp_err_t te = e                   ? e
                                     : md->topic_cnt < 1 ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
                                                         : md->topics[0].err;
            st = velo_error_set(err, e ? VELO_ERR_IO : VELO_ERR_NOT_FOUND,
                                "kafka table '%s': cannot read the partitions of topic '%s' from %s: %s%s",
                                k->name, topic, args->uri->authority, rd_kafka_err2str(te),
                                e ? " (is the broker running? start one with: velo-sql dev-kafka)" : "");
        } else {
            int np = md->topics[0].partition_cnt;
            kt_part *nparts = mi_realloc(k->parts, sizeof *nparts * (k->nparts + (uint32_t)np + 1));
            if (!nparts)
                st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
            else
                k->parts = nparts;
            for (int p = 0; p < np && !st; p++) {
                int32_t id = md->topics[0].partitions[p].id;
                int64_t lo = 0, hi = 0;
                e = rd_kafka_query_watermark_offsets(k->rk, topic, id, &lo, &hi, (int)timeout_ms);
                if (e) {
                    st = velo_error_set(err, VELO_ERR_IO, "kafka table '%s': end offset of %s[%d]: %s",
                                        k->name, topic, (int)id, rd_kafka_err2str(e));
                    break;
                }
                kt_part *kp = &k->parts[k->nparts++];
                kp->topic = mi_strdup(topic);
                kp->partition = id;
                kp->end = hi;
                kp->done = hi <= lo;
                rd_kafka_topic_partition_list_add(assign, topic, id)->offset = RD_KAFKA_OFFSET_BEGINNING;
            }
        }
        if (md) rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
    }
    if (!st && assign->cnt) {
        rd_kafka_resp_err_t e = rd_kafka_assign(k->rk, assign);
        if (e) st = velo_error_set(err, VELO_ERR_IO, "kafka table '%s': %s", k->name, rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(assign);
    rd_kafka_topic_partition_list_destroy(topics);
    return st;
}

velo_status velo_kafka_table_open(const velo_connector_args *args, const char *primary_key, velo_source **out,
                                  velo_error *err) {
    kafka_table *k = mi_zalloc(sizeof *k);
    if (!k) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    k->base.ops = &kafka_table_ops;
    k->dlq = args->dlq;
    snprintf(k->name, sizeof k->name, "%s", args->name ? args->name : args->uri->text);
    const velo_schema *d = args->declared;
    k->ncols = d->ncols;
    k->pk = velo_schema_find(d, primary_key);
    velo_status st = VELO_OK;
    const char *mode = velo_kv_get_or(args->options, "scan.bounded.mode", "unbounded");
    k->bounded = !strcasecmp(mode, "latest-offset");
    if (!k->bounded && strcasecmp(mode, "unbounded")) {
        st = velo_error_set(
            err, VELO_ERR_INVALID,
            "kafka table '%s': 'scan.bounded.mode' must be unbounded or latest-offset, found '%s'", k->name,
            mode);
        goto fail;
    }
    /* columns: the key, metadata, and the value's columns in declared order */
    k->schema = velo_schema_new(k->ncols + 1);
    k->value = velo_schema_new(k->ncols);
    k->value_col = mi_zalloc(sizeof *k->value_col * (k->ncols + 1));
    k->view_cols = mi_zalloc(sizeof *k->view_cols * (k->ncols + 1));
    k->msgs = mi_malloc(sizeof *k->msgs * VELO_BATCH_DEFAULT_CAPACITY * 2);
    if (!k->schema || !k->value || !k->value_col || !k->view_cols || !k->msgs) {
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    uint32_t nval = 0;
    for (int m = 0; m < M_N; m++)
        k->meta[m] = -1;
    for (uint32_t c = 0; c < k->ncols; c++) {
        velo_schema_set(k->schema, c, d->fields[c].name, d->fields[c].type);
        int m = meta_of(d->fields[c].name);
        if (m >= 0) k->meta[m] = (int)c;
        if (m < 0 && (int32_t)c != k->pk) {
            velo_schema_set(k->value, nval, d->fields[c].name, d->fields[c].type);
            k->value_col[nval++] = c;
        }
    }
    k->value->ncols = nval;
    velo_schema_set(k->schema, k->ncols, "_deleted", velo_type_make(VELO_TYPE_BOOLEAN));
    /* the value's format: JSON by default, as for streams; a positional format sees the value columns */
    const char *fname = velo_kv_get(args->options, "value.format");
    if (!fname) fname = velo_kv_get_or(args->options, "format", "json");
    k->raw = !strcasecmp(fname, "raw");
    if (k->raw) {
        velo_type_id t0 = nval ? k->value->fields[0].type.id : VELO_TYPE_NULL;
        if (nval != 1 || (t0 != VELO_TYPE_VARCHAR && t0 != VELO_TYPE_BYTES)) {
            st = velo_error_set(
                err, VELO_ERR_INVALID,
                "kafka table '%s': format raw has one value column besides the key, VARCHAR or BYTES",
                k->name);
            goto fail;
        }
    } else {
        k->fops = velo_format_lookup(fname);
        if (!k->fops) {
            st = velo_error_set(err, VELO_ERR_INVALID,
                                "unknown format '%s' for kafka (known: json, csv, raw)", fname);
            goto fail;
        }
        velo_kv o;
        velo_kv_init(&o);
        for (uint32_t i = 0; i < args->options->count; i++)
            velo_kv_set(&o, args->options->items[i].key, args->options->items[i].value);
        if (!velo_kv_get(&o, "header")) velo_kv_set(&o, "header", "false");
        st = k->fops->create(&o, &k->fmt, err);
        velo_kv_free(&o);
        if (st) {
            k->fmt = NULL;
            goto fail;
        }
    }
    rd_kafka_conf_t *conf = NULL;
    if ((st = velo_kafka_conf(args, VELO_KAFKA_SAMPLER, &conf, err))) goto fail;
    char errstr[512];
    rd_kafka_conf_set(conf, "enable.partition.eof", "true", errstr, sizeof errstr);
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_conf_set_error_cb(conf, kt_error_cb);
    k->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!k->rk) {
        rd_kafka_conf_destroy(conf);
        st = velo_error_set(err, VELO_ERR_INVALID, "kafka table '%s': %s", k->name, errstr);
        goto fail;
    }
    k->queue = rd_kafka_queue_get_consumer(k->rk);
    if ((st = kt_partitions(k, args, err))) goto fail;
    *out = &k->base;
    return VELO_OK;
fail:
    kt_close(&k->base);
    return st;
}
