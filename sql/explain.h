/* Printing compiled expressions and durations for `explain` (sql/explain.c). The plan printers
 * themselves are declared with the plan (sql/plan.h); these helpers are shared with anything else
 * that shows a bound expression to a user (validate messages, the job status page). */
#ifndef VELO_SQL_EXPLAIN_H
#define VELO_SQL_EXPLAIN_H

#include <stdint.h>

#include "core/batch.h"
#include "core/expr.h"
#include "core/strbuf.h"

/* Compact SQL-like text of a bound expression: column indexes become the names of `input` (may be
 * NULL: "#3"), constants print canonically ('it''s', 1.50, TIMESTAMP '2024-01-01T00:00:00Z'),
 * parentheses appear only where precedence needs them. A correlated column (outer_depth > 0)
 * prints as "outer.#N": this function does not know the enclosing schemas. */
void velo_expr_print(const velo_expr *e, const velo_schema *input, velo_strbuf *out);

/* A duration in the largest unit that divides it exactly: "1m", "90s", "1h", "250ms", "7d". */
void velo_duration_print(int64_t micros, velo_strbuf *out);

#endif
