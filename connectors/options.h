/* The options each connector understands, so that a misspelt WITH key or URI parameter is reported
 * ("unknown option 'heder' for file:// (did you mean 'header'?)") instead of silently ignored.
 * Warnings, not errors: a key the table does not know yet must never stop a job. */
#ifndef VELO_CONNECTORS_OPTIONS_H
#define VELO_CONNECTORS_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "connectors/uri.h"
#include "sql/diag.h"

/* True when `key` is an option of `scheme` (or one every connector shares: uri, format, on.error,
 * dlq, event time and lateness settings). Case-insensitive. Accepted too: "kafka.<anything>"
 * (passed to librdkafka) and the original dialect's "<name>.<option>" keys, e.g.
 * 'trades.type'='kafka_source' or 'trades.bootstrap.servers'. An unknown scheme knows every key. */
bool velo_option_known(const char *scheme, const char *key);

/* Adds a warning (code "bind.unknown_option") at line:col for every key of `options` that
 * `scheme` does not know, with the closest known key as a hint. */
void velo_options_check(const char *scheme, const velo_kv *options, velo_diags *diags, uint32_t line,
                        uint32_t col);

#endif
