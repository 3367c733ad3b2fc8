/* Byte encoding of SQL values for hash keys: GROUP BY groups and DISTINCT rows. Two values SQL
 * treats as the same group (NULL with NULL, -0.0 with 0.0, NaN with NaN) encode to equal bytes,
 * so a key is compared with memcmp and hashed as bytes. */
#ifndef VELO_CORE_KEYS_H
#define VELO_CORE_KEYS_H

#include <stdint.h>

#include "core/batch.h"
#include "core/strbuf.h"
#include "velo/error.h"

/* Appends the encoding of row `row` of v to b. A type without an encoding (LIST, MAP, STRUCT,
 * ANY) is VELO_ERR_UNSUPPORTED: "<what> on a <type> value is not supported yet". */
velo_status velo_key_encode(velo_strbuf *b, const velo_vector *v, uint32_t row, const char *what,
                            velo_error *err);
/* Decodes one value at p into row `row` of out (strings copied into arena); returns the byte after it. */
const char *velo_key_decode(const char *p, velo_vector *out, uint32_t row, velo_arena *arena);

#endif
