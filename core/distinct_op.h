/* The SELECT DISTINCT operator: passes each distinct row the first time it is seen and drops its
 * repeats. It remembers every distinct row, so on an unbounded input its state only grows. */
#ifndef VELO_CORE_DISTINCT_OP_H
#define VELO_CORE_DISTINCT_OP_H

#include <stdint.h>

#include "core/operator.h"

/* Rows are the same when columns key_cols[0..nkeys) are (NULL equals NULL); the other columns
 * (the planner's hidden ORDER BY columns) ride along with the first row. The array is copied. A
 * value without a key encoding (LIST, MAP...) fails the push with VELO_ERR_UNSUPPORTED. */
velo_operator *velo_distinct_op_new(const uint32_t *key_cols, uint32_t nkeys, velo_error *err);

#endif
