/* The connector registry: one line per scheme. */
#include <string.h>
#include <strings.h>

#include "connectors/connector.h"

extern const velo_source_ops velo_file_source_ops;
extern const velo_source_ops velo_nexmark_source_ops;
extern const velo_sink_ops velo_file_sink_ops;
extern const velo_sink_ops velo_stdout_sink_ops;
extern const velo_source_ops velo_kafka_source_ops;
extern const velo_sink_ops velo_kafka_sink_ops;

static const velo_source_ops *const sources[] = {&velo_file_source_ops, &velo_kafka_source_ops,
                                                 &velo_nexmark_source_ops};
static const velo_sink_ops *const sinks[] = {&velo_file_sink_ops, &velo_stdout_sink_ops,
                                             &velo_kafka_sink_ops};
static const char *const planned[] = {"postgresql", "postgres", "clickhouse", "s3", "iceberg"};

const velo_source_ops *velo_source_lookup(const char *scheme) {
    for (size_t i = 0; i < sizeof sources / sizeof *sources; i++)
        if (!strcasecmp(sources[i]->scheme, scheme)) return sources[i];
    return NULL;
}

const velo_sink_ops *velo_sink_lookup(const char *scheme) {
    for (size_t i = 0; i < sizeof sinks / sizeof *sinks; i++)
        if (!strcasecmp(sinks[i]->scheme, scheme)) return sinks[i];
    return NULL;
}

bool velo_scheme_is_planned(const char *scheme) {
    for (size_t i = 0; i < sizeof planned / sizeof *planned; i++)
        if (!strcasecmp(planned[i], scheme)) return true;
    return false;
}
