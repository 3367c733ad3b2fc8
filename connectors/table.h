/* Tables read as changelogs (docs/sql/reference.md "Tables"): a CREATE TABLE over a Kafka topic
 * (the message key is the PRIMARY KEY, a record without a value deletes it) or over a watched file
 * ('watch'='true': reloaded when it changes, keys that disappeared are deleted). The source's rows
 * are the table's columns plus one trailing BOOLEAN column, TRUE for a deletion (only the primary
 * key is set then). poll() sets *eof once the table's current contents were read (the bootstrap:
 * the topic up to its end at open, the file once); an unbounded table then goes on returning the
 * changes (never eof again, and without waiting: the caller polls it between other inputs). */
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
