/* Grouping keys as bytes: GROUP BY and PARTITION BY encode a row's key values into one byte
 * string so that two rows have equal bytes exactly when their keys are equal (NULL equals NULL
 * here, as SQL groups them), then hash and compare the bytes. */
#ifndef VELO_CORE_ROW_KEY_H
#define VELO_CORE_ROW_KEY_H

#include <stdint.h>

#include "core/batch.h"
#include "core/strbuf.h"
#include "velo/error.h"

/* Appends the encoding of v[row] to b; VELO_ERR_UNSUPPORTED for a type without an encoding
 * (LIST, MAP, STRUCT, ANY). */
velo_status velo_row_key_encode(velo_strbuf *b, const velo_vector *v, uint32_t row, velo_error *err);
/* Decodes the value at p into out[row] (strings copied into arena); returns the byte after it. */
const char *velo_row_key_decode(const char *p, velo_vector *out, uint32_t row, velo_arena *arena);

#endif
