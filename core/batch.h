/* Column batches: the unit that moves through operators and between cores. Up to `capacity`
 * rows stored column by column (typed vector + validity bitmap), a selection vector so a filter
 * marks rows instead of copying them, and a per-batch arena owning strings and boxed values. */
#ifndef VELO_CORE_BATCH_H
#define VELO_CORE_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/value.h"
#include "state/arena.h"
#include "velo/error.h"
#include "velo/types.h"

#define VELO_BATCH_DEFAULT_CAPACITY 2048

typedef struct velo_field {
    char *name;
    velo_type type;
    bool hidden; /* metadata columns (_key, _offset...) are hidden from SELECT * */
} velo_field;

typedef struct velo_schema {
    uint32_t ncols;
    velo_field *fields; /* owned by the schema (names too) */
} velo_schema;

velo_schema *velo_schema_new(uint32_t ncols);
/* Takes a copy of name. */
void velo_schema_set(velo_schema *s, uint32_t i, const char *name, velo_type type);
int velo_schema_find(const velo_schema *s, const char *name); /* case-insensitive; -1 if absent */
velo_schema *velo_schema_copy(const velo_schema *s);
void velo_schema_free(velo_schema *s);

typedef struct velo_vector {
    velo_type type;
    uint64_t *validity; /* bit i set = row i is not NULL; capacity bits */
    void *data;         /* capacity * velo_type_width(type) bytes */
} velo_vector;

typedef struct velo_batch {
    uint32_t ncols;
    uint32_t count; /* physical rows filled */
    uint32_t capacity;
    velo_vector *cols;
    /* Selection: when has_sel, only sel[0..sel_count) are live rows (ascending). */
    bool has_sel;
    uint32_t sel_count;
    uint32_t *sel;
    /* Where each row came from (e.g. the input line number), for error messages and the DLQ. */
    int64_t *origin;
    /* Per row, when a source makes per-partition watermarks (Kafka with 'watermark.delay'): the
     * watermark of the row's partition before the row arrived (INT64_MIN: none yet). NULL
     * otherwise; allocated by velo_batch_row_wm, kept across resets, carried with the row by
     * velo_batch_append_rows and the projection. */
    int64_t *row_wm;
    velo_arena arena; /* strings and boxed values of this batch's rows */
} velo_batch;

/* The column types are taken from the schema; the schema is not referenced afterwards. */
velo_batch *velo_batch_new(const velo_schema *schema, uint32_t capacity);
velo_batch *velo_batch_new_types(uint32_t ncols, const velo_type *types, uint32_t capacity);
void velo_batch_free(velo_batch *b);
/* Empties the batch for reuse: count = 0, no selection, all NULL, arena reset. */
void velo_batch_reset(velo_batch *b);
/* Number of live rows (sel_count or count). */
static inline uint32_t velo_batch_live(const velo_batch *b) { return b->has_sel ? b->sel_count : b->count; }
/* Physical index of the k-th live row. */
static inline uint32_t velo_batch_row(const velo_batch *b, uint32_t k) { return b->has_sel ? b->sel[k] : k; }

static inline bool velo_vector_is_valid(const velo_vector *v, uint32_t i) {
    return (v->validity[i >> 6] >> (i & 63)) & 1u;
}
static inline void velo_vector_set_valid(velo_vector *v, uint32_t i) {
    v->validity[i >> 6] |= (uint64_t)1 << (i & 63);
}
static inline void velo_vector_set_null(velo_vector *v, uint32_t i) {
    v->validity[i >> 6] &= ~((uint64_t)1 << (i & 63));
}
#define VELO_VEC(vec, T) ((T *)(vec)->data)

/* The batch's row_wm array (allocated on first use: capacity entries); NULL when out of memory. */
int64_t *velo_batch_row_wm(velo_batch *b);

/* Appends the physical rows rows[0..n) of src to dst (same column types; dst->count + n <=
 * capacity), column by column, copying strings and nested values into dst's arena so that dst
 * owns everything it points at. */
void velo_batch_append_rows(velo_batch *dst, const velo_batch *src, const uint32_t *rows, uint32_t n);

/* Allocates a vector of `capacity` rows, all NULL, with malloc'd storage (free with velo_vector_free). */
velo_status velo_vector_init(velo_vector *v, velo_type type, uint32_t capacity, velo_error *err);
void velo_vector_free(velo_vector *v);
/* Stores a boxed value into row i, converting nothing: v->type must match value (or be ANY/nested,
 * in which case the value is copied into `arena`). */
void velo_vector_set_value(velo_vector *v, uint32_t i, const velo_value *val, velo_arena *arena);
/* Reads row i as a boxed value (strings and nested values point into the batch). */
void velo_vector_get_value(const velo_vector *v, uint32_t i, velo_value *out);
/* Deep-copies a boxed value (strings, nested items) into arena. */
velo_value *velo_value_copy(const velo_value *src, velo_arena *arena);

#endif
