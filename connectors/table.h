/* Tables read as changelogs: CREATE TABLE over Kafka (message key = PRIMARY KEY, no value deletes)
 * or a watched file (re-read on change, vanished keys deleted). Rows are the table's columns plus a
 * trailing BOOLEAN deletion flag; poll() sets *eof once, when the current contents were read (the
 * bootstrap), then an unbounded table returns its changes without waiting and never ends. */
#ifndef VELO_CONNECTORS_TABLE_H
#define VELO_CONNECTORS_TABLE_H

#include "connectors/connector.h"

/* Whether a table over this scheme can be read as a changelog (kafka; file with 'watch'). */
bool velo_table_changelog_scheme(const char *scheme);

/* Opens the changelog of the table declared with args->declared (its columns as bound: the
 * declared ones plus, for Kafka, the hidden metadata columns) whose primary key is the column
 * `primary_key`. The source's schema is args->declared plus the deletion flag. */
velo_status velo_table_source_open(const velo_connector_args *args, const char *primary_key,
                                   velo_source **out, velo_error *err);

/* The Kafka reader (connectors/kafka/kafka_table.c): every partition from its start, no consumer group. */
velo_status velo_kafka_table_open(const velo_connector_args *args, const char *primary_key, velo_source **out,
                                  velo_error *err);

#endif
