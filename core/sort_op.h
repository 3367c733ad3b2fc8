/* The ORDER BY operator: buffers every row of a bounded input and, at its end, emits them ordered
 * by the sort keys (stable: rows with equal keys keep their arrival order). */
#ifndef VELO_CORE_SORT_OP_H
#define VELO_CORE_SORT_OP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/operator.h"

typedef struct velo_sort_spec {
    velo_expr *expr; /* over the input; owned by the operator after velo_sort_op_new */
    bool desc;
    bool nulls_first; /* NULLs before every value, whatever the direction */
} velo_sort_spec;

typedef struct velo_sort_config {
    velo_sort_spec *keys; /* array copied; expressions owned */
    uint32_t nkeys;
    const velo_schema *input;
    /* Output column i is input column out_cols[i] (drops the planner's hidden `$order` columns);
     * the array is copied. */
    const uint32_t *out_cols;
    uint32_t nout;
    uint32_t capacity;
    const char *file;
    velo_row_error_handler on_error; /* rows whose sort key fails to evaluate */
} velo_sort_config;

/* NULL with err set on failure; the caller then keeps the key expressions. */
velo_operator *velo_sort_op_new(const velo_sort_config *cfg, velo_error *err);

#endif
