/* librdkafka configuration for kafka:// connectors: brokers from the URI, the connector's defaults
 * (no auto-commit, murmur2 partitioning, quiet logs), then every 'kafka.<property>' option and the
 * plain librdkafka names the connector accepts, passed through unchanged. */
#ifndef VELO_CONNECTORS_KAFKA_CONF_H
#define VELO_CONNECTORS_KAFKA_CONF_H

#include <librdkafka/rdkafka.h>

#include "connectors/connector.h"

typedef enum velo_kafka_role { VELO_KAFKA_CONSUMER, VELO_KAFKA_SAMPLER, VELO_KAFKA_PRODUCER } velo_kafka_role;

/* A new configuration (*out, caller owns it until rd_kafka_new takes it). An option librdkafka
 * rejects is an error naming the key and librdkafka's reason. */
velo_status velo_kafka_conf(const velo_connector_args *args, velo_kafka_role role, rd_kafka_conf_t **out,
                            velo_error *err);

/* The topics of a URI path: "a", "a,b" or a regex "^orders-.*" (librdkafka pattern subscription). */
velo_status velo_kafka_topics(const velo_uri *uri, rd_kafka_topic_partition_list_t **out, velo_error *err);

#endif
