/* libFuzzer target for the JSON functions (core/functions_json.c): the input is "path\ndocument".
 * Every function must return a value or a row error, never crash or read out of bounds, and the
 * four must agree: JSON_EXISTS is true exactly when JSON_EXTRACT finds something (a JSON null
 * included), and JSON_VALUE / JSON_QUERY each answer for scalars / containers only. */
#include <stdlib.h>
#include <string.h>

#include "core/functions.h"
#include "core/scalar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > (1u << 16)) return 0;
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    if (!nl) return 0;
    velo_value args[2] = {velo_value_str(nl + 1, (uint32_t)(size - (size_t)(nl + 1 - s))),
                          velo_value_str(s, (uint32_t)(nl - s))};
    velo_arena arena;
    velo_arena_init(&arena, 4096);
    velo_value ex, val, q, x;
    velo_error err;
    velo_type vc = velo_type_make(VELO_TYPE_VARCHAR);
    velo_status se = velo_fn_json_exists(args, 2, velo_type_make(VELO_TYPE_BOOLEAN), &arena, &ex, &err);
    velo_status sx = velo_fn_json_extract(args, 2, velo_type_make(VELO_TYPE_ANY), &arena, &x, &err);
    velo_status sv = velo_fn_json_value(args, 2, vc, &arena, &val, &err);
    velo_status sq = velo_fn_json_query(args, 2, vc, &arena, &q, &err);
    if ((se == VELO_OK) != (sx == VELO_OK) || (se == VELO_OK) != (sv == VELO_OK) ||
        (se == VELO_OK) != (sq == VELO_OK))
        abort(); /* the same document and path are valid or invalid for all four */
    if (se == VELO_OK) {
        if (!ex.u.b && (!val.is_null || !q.is_null)) abort(); /* nothing found: both NULL */
        if (!val.is_null && !q.is_null) abort();              /* a scalar or a container, not both */
        velo_str t;
        if (!x.is_null && velo_value_to_text(&x, &arena, &t, &err) != VELO_OK) abort();
    }
    velo_arena_free(&arena);
    return 0;
}
