/* `velo-cli kafka topics|groups|lag`: what an operator asks a Kafka cluster about a job's topics
 * and consumer group, answered with librdkafka's metadata, group and offset APIs. */
#ifndef VELO_CONNECTORS_KAFKA_ADMIN_H
#define VELO_CONNECTORS_KAFKA_ADMIN_H

#include <stdio.h>

#include "velo/error.h"

typedef struct velo_kafka_admin_options {
    const char *brokers; /* bootstrap.servers */
    const char *group;   /* lag: the consumer group */
    const char *topic;   /* topics/lag: only this topic (NULL: all) */
    int timeout_ms;
} velo_kafka_admin_options;

/* Lists topics with their partitions and message counts (high - low watermark summed). */
velo_status velo_kafka_topics_print(const velo_kafka_admin_options *o, FILE *out, velo_error *err);
/* Lists consumer groups with their state and members. */
velo_status velo_kafka_groups_print(const velo_kafka_admin_options *o, FILE *out, velo_error *err);
/* Per partition of the group's topics: committed offset, end offset, lag; then the total. */
velo_status velo_kafka_lag_print(const velo_kafka_admin_options *o, FILE *out, velo_error *err);

#endif
