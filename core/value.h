/* Boxed scalar values: one SQL value of any type, used where a value is handled alone (literals,
 * nested LIST/MAP/STRUCT elements, dynamically typed JSON fields). Column vectors hold unboxed
 * physical values; only nested and ANY columns point to velo_value. */
#ifndef VELO_CORE_VALUE_H
#define VELO_CORE_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "state/arena.h"
#include "velo/error.h"
#include "velo/types.h"

typedef struct velo_value velo_value;

struct velo_value {
    velo_type type;   /* for a NULL of a known type, type.id is that type and is_null is set */
    bool is_null;
    union {
        bool b;
        int64_t i64;   /* BIGINT, TIMESTAMP (µs) */
        int32_t date;  /* DATE (days) */
        double f64;
        velo_i128 dec; /* DECIMAL unscaled */
        velo_str str;  /* VARCHAR, BYTES */
        velo_interval iv;
        struct {
            velo_value *items;
            velo_str *names; /* STRUCT field names / MAP keys (as strings); NULL for LIST */
            uint32_t count;
        } nested;        /* LIST, MAP, STRUCT */
    } u;
};

static inline velo_value velo_value_null(void) {
    velo_value v;
    v.type = velo_type_make(VELO_TYPE_NULL);
    v.is_null = true;
    v.u.i64 = 0;
    return v;
}

#endif
