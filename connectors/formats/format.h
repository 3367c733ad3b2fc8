/* Record formats (CSV, JSON lines, later Avro/Protobuf/msgpack): decode one record into a batch
 * row, encode one batch row into bytes. The framing of records in a byte stream (lines, quoted
 * CSV newlines) is the format's job too, so file and Kafka connectors share the decoders. */
#ifndef VELO_CONNECTORS_FORMAT_H
#define VELO_CONNECTORS_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include "connectors/uri.h"
#include "core/batch.h"
#include "core/strbuf.h"
#include "velo/error.h"

typedef struct velo_format velo_format;

typedef struct velo_format_ops {
    const char *name; /* "csv", "jsonl" ("json" is an alias), ... */
    velo_status (*create)(const velo_kv *options, velo_format **out, velo_error *err);
    void (*destroy)(velo_format *f);
    /* Finds the end of the first record in buf[0..len): sets *rec_len (without the terminator)
     * and *consumed (with it). Returns false when buf holds no complete record yet (and !at_eof). */
    bool (*frame)(velo_format *f, const char *buf, uint32_t len, bool at_eof, uint32_t *rec_len,
                  uint32_t *consumed);
    /* Infers a schema from sample records (CSV: header + value inference; JSON: keys of the
     * sampled objects, in first-seen order). May be NULL when the format needs a declared schema. */
    velo_status (*infer)(velo_format *f, const char *const *recs, const uint32_t *lens, uint32_t n,
                         velo_schema **out, velo_error *err);
    /* For formats with a header record (CSV header=true): true if the next record is the header
     * and must be skipped by the reader after infer. */
    bool (*has_header)(velo_format *f);
    /* Decodes one record into row `row` of b (whose columns follow `schema`). Strings are copied
     * into b->arena. A record that does not fit (wrong column count, bad number, invalid UTF-8,
     * a JSON fraction with more digits than the column's scale) is an VELO_ERR_DECODE error. */
    velo_status (*decode)(velo_format *f, const char *rec, uint32_t len, const velo_schema *schema,
                          velo_batch *b, uint32_t row, velo_error *err);
    /* Projection pushdown (may be NULL): used[j] == 0 for the columns of the decode schema that
     * the query never reads. decode may then leave them NULL and only check the record's framing
     * and syntax there (JSON: a fast skim; CSV: no conversion). ncols is the schema's width. */
    void (*project)(velo_format *f, const uint8_t *used, uint32_t ncols);
    /* Writes the header (CSV header=true) for `schema`; may be NULL. */
    void (*encode_header)(velo_format *f, const velo_schema *schema, velo_strbuf *out);
    /* Appends one encoded row of b (physical index `row`) plus the record terminator ("\n"). */
    velo_status (*encode)(velo_format *f, const velo_schema *schema, const velo_batch *b, uint32_t row,
                          velo_strbuf *out, velo_error *err);
} velo_format_ops;

struct velo_format {
    const velo_format_ops *ops;
};

/* "csv", "jsonl", "json" (alias of jsonl); NULL if unknown. */
const velo_format_ops *velo_format_lookup(const char *name);

/* Shared value encoders so every text format prints values the same way (canonical decimals,
 * ISO-8601 timestamps "2024-01-01T00:00:00.123456Z" with trailing zero groups dropped...). */
void velo_format_value_text(const velo_vector *v, uint32_t row, velo_strbuf *out);
void velo_format_json_value(const velo_vector *v, uint32_t row, velo_strbuf *out);
void velo_format_json_string(const char *s, uint32_t len, velo_strbuf *out);

#endif
