/* SQL value types (ARCHITECTURE §1) and their physical representation in column vectors.
 * A velo_type is a small value (id + decimal precision/scale + element types for nested ones). */
#ifndef VELO_TYPES_H
#define VELO_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef __int128 velo_i128;

typedef enum velo_type_id {
    VELO_TYPE_NULL = 0,  /* the type of a bare NULL literal */
    VELO_TYPE_BOOLEAN,   /* physical: uint8_t (0/1) */
    VELO_TYPE_BIGINT,    /* physical: int64_t */
    VELO_TYPE_DOUBLE,    /* physical: double */
    VELO_TYPE_DECIMAL,   /* physical: velo_i128 unscaled value; precision/scale in the type */
    VELO_TYPE_VARCHAR,   /* physical: velo_str (UTF-8) */
    VELO_TYPE_BYTES,     /* physical: velo_str (any bytes) */
    VELO_TYPE_TIMESTAMP, /* physical: int64_t microseconds since 1970-01-01 UTC */
    VELO_TYPE_DATE,      /* physical: int32_t days since 1970-01-01 */
    VELO_TYPE_INTERVAL,  /* physical: velo_interval */
    VELO_TYPE_LIST,      /* physical: velo_value * (boxed, in the batch arena) */
    VELO_TYPE_MAP,       /* physical: velo_value * */
    VELO_TYPE_STRUCT,    /* physical: velo_value * */
    VELO_TYPE_ANY,       /* dynamically typed (schemaless JSON); physical: velo_value * */
    VELO_TYPE__COUNT
} velo_type_id;

#define VELO_DECIMAL_MAX_PRECISION 38
#define VELO_DECIMAL64_MAX_PRECISION 18

typedef struct velo_type {
    velo_type_id id;
    uint8_t precision; /* DECIMAL only: 1..38 */
    uint8_t scale;     /* DECIMAL only: 0..precision */
} velo_type;

typedef struct velo_str {
    const char *ptr; /* not NUL-terminated; owned by a batch arena or the input buffer */
    uint32_t len;    /* bytes */
} velo_str;

typedef struct velo_interval {
    int32_t months;
    int32_t days;
    int64_t micros;
} velo_interval;

static inline velo_type velo_type_make(velo_type_id id) {
    velo_type t = {id, 0, 0};
    return t;
}
static inline velo_type velo_type_decimal(uint8_t precision, uint8_t scale) {
    velo_type t = {VELO_TYPE_DECIMAL, precision, scale};
    return t;
}

/* Size in bytes of one value of this type in a column vector. */
uint32_t velo_type_width(velo_type t);
/* Canonical SQL name, e.g. "DECIMAL(18,4)". Writes at most n bytes; returns buf. */
const char *velo_type_format(velo_type t, char *buf, uint32_t n);
bool velo_type_equal(velo_type a, velo_type b);
bool velo_type_is_numeric(velo_type t);

#ifdef __cplusplus
}
#endif
#endif
