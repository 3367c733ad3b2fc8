/* `velo-sql dev-kafka`: an embedded Kafka-protocol broker for demos, tests and laptops, built on
 * librdkafka's mock cluster. The mock brokers listen on ephemeral loopback ports (librdkafka 2.0
 * offers no way to choose them), so a small forwarder listens on the fixed bootstrap port and
 * relays to broker 1; clients then follow the metadata to the brokers' own ports. */
#ifndef VELO_CONNECTORS_KAFKA_DEV_KAFKA_H
#define VELO_CONNECTORS_KAFKA_DEV_KAFKA_H

#include <stdatomic.h>
#include <stdio.h>

#include "velo/error.h"

typedef struct velo_dev_kafka_options {
    int port;           /* bootstrap port on 127.0.0.1; 0: no forwarder, print the broker's own */
    int partitions;     /* partitions of the topics created at start (default 4) */
    int brokers;        /* mock brokers (default 1) */
    const char *topics; /* comma-separated topics created at start, or NULL */
} velo_dev_kafka_options;

typedef struct velo_dev_kafka velo_dev_kafka;

velo_status velo_dev_kafka_start(const velo_dev_kafka_options *opts, velo_dev_kafka **out, velo_error *err);
/* "127.0.0.1:9092": the address to give clients as bootstrap.servers. */
const char *velo_dev_kafka_bootstrap(const velo_dev_kafka *dk);
/* The mock cluster (rd_kafka_mock_cluster_t *), for tests that inject faults. */
void *velo_dev_kafka_mock(velo_dev_kafka *dk);
void velo_dev_kafka_stop(velo_dev_kafka *dk);

/* The whole command: starts the broker, prints its bootstrap address as one line on `out`
 * (and what it is on `info`), and runs until *stop becomes true. */
velo_status velo_dev_kafka_run(const velo_dev_kafka_options *opts, const atomic_bool *stop, FILE *out,
                               FILE *info, velo_error *err);

#endif
