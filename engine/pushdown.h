/* Projection pushdown for plans with several inputs (joins, UNION ALL): which columns of each SCAN
 * the nodes above it read, found by walking the plan from the root down, so each source decodes
 * only those (the JSON reader skims the others). A one-input chain has its own, older rule in
 * engine/job.c. */
#ifndef VELO_ENGINE_PUSHDOWN_H
#define VELO_ENGINE_PUSHDOWN_H

#include <stdint.h>

#include "sql/plan.h"

typedef struct velo_scan_mask {
    const velo_plan *scan;
    uint8_t *used; /* scan->schema->ncols (+1) bytes, 1 = read; mi_free */
} velo_scan_mask;

/* Fills out[0..max) with one entry per SCAN under root (not those inside subquery expressions)
 * that does not read all its columns; returns how many. On out of memory fewer entries (a SCAN
 * without an entry reads every column). */
uint32_t velo_plan_scan_masks(const velo_plan *root, velo_scan_mask *out, uint32_t max);

#endif
