/* Implementations of scalar SQL functions on boxed values (registered in sql/catalog.c). */
#ifndef VELO_CORE_FUNCTIONS_H
#define VELO_CORE_FUNCTIONS_H

#include "core/expr.h"

#define VELO_SCALAR_FN(name)                                                                                 \
    velo_status name(const velo_value *args, uint32_t nargs, velo_type result, velo_arena *arena,            \
                     velo_value *out, velo_error *err)

VELO_SCALAR_FN(velo_fn_upper);
VELO_SCALAR_FN(velo_fn_lower);
VELO_SCALAR_FN(velo_fn_length);
VELO_SCALAR_FN(velo_fn_abs);
VELO_SCALAR_FN(velo_fn_round);
VELO_SCALAR_FN(velo_fn_coalesce);
VELO_SCALAR_FN(velo_fn_nullif);
VELO_SCALAR_FN(velo_fn_concat);
VELO_SCALAR_FN(velo_fn_substring);
VELO_SCALAR_FN(velo_fn_trim);

/* math */
VELO_SCALAR_FN(velo_fn_ceil);
VELO_SCALAR_FN(velo_fn_floor);
VELO_SCALAR_FN(velo_fn_truncate);
VELO_SCALAR_FN(velo_fn_sign);
VELO_SCALAR_FN(velo_fn_mod);
VELO_SCALAR_FN(velo_fn_power);
VELO_SCALAR_FN(velo_fn_sqrt);
VELO_SCALAR_FN(velo_fn_exp);
VELO_SCALAR_FN(velo_fn_ln);
VELO_SCALAR_FN(velo_fn_log);
VELO_SCALAR_FN(velo_fn_log10);

/* string */
VELO_SCALAR_FN(velo_fn_ltrim);
VELO_SCALAR_FN(velo_fn_rtrim);
VELO_SCALAR_FN(velo_fn_position);
VELO_SCALAR_FN(velo_fn_replace);
VELO_SCALAR_FN(velo_fn_concat_ws);
VELO_SCALAR_FN(velo_fn_left);
VELO_SCALAR_FN(velo_fn_right);
VELO_SCALAR_FN(velo_fn_lpad);
VELO_SCALAR_FN(velo_fn_rpad);
VELO_SCALAR_FN(velo_fn_split_part);
VELO_SCALAR_FN(velo_fn_split);
VELO_SCALAR_FN(velo_fn_reverse);
VELO_SCALAR_FN(velo_fn_starts_with);
VELO_SCALAR_FN(velo_fn_regexp_matches);
VELO_SCALAR_FN(velo_fn_regexp_replace);

/* conditional */
VELO_SCALAR_FN(velo_fn_greatest);
VELO_SCALAR_FN(velo_fn_least);
VELO_SCALAR_FN(velo_fn_if);

/* collection (LIST/MAP/STRUCT values are boxed) */
VELO_SCALAR_FN(velo_fn_array);
VELO_SCALAR_FN(velo_fn_map);
VELO_SCALAR_FN(velo_fn_struct);
VELO_SCALAR_FN(velo_fn_array_length);
VELO_SCALAR_FN(velo_fn_array_contains);
VELO_SCALAR_FN(velo_fn_map_keys);
VELO_SCALAR_FN(velo_fn_map_values);
/* Kafka headers (the binder appends the _headers column as the last argument) */
VELO_SCALAR_FN(velo_fn_header);
VELO_SCALAR_FN(velo_fn_has_header);
VELO_SCALAR_FN(velo_fn_header_keys);
VELO_SCALAR_FN(velo_fn_set_header);
VELO_SCALAR_FN(velo_fn_remove_header);

/* time (core/functions_time.c): TIMESTAMP is µs since the epoch, UTC */
VELO_SCALAR_FN(velo_fn_now);
VELO_SCALAR_FN(velo_fn_date_trunc);
VELO_SCALAR_FN(velo_fn_date_format);
VELO_SCALAR_FN(velo_fn_to_timestamp);
VELO_SCALAR_FN(velo_fn_from_unixtime);
VELO_SCALAR_FN(velo_fn_event_time_of);
VELO_SCALAR_FN(velo_fn_unix_timestamp);
VELO_SCALAR_FN(velo_fn_datediff);
VELO_SCALAR_FN(velo_fn_date_add);
VELO_SCALAR_FN(velo_fn_extract);

/* JSON on JSON text (core/functions_json.c) */
VELO_SCALAR_FN(velo_fn_json_extract);
VELO_SCALAR_FN(velo_fn_json_value);
VELO_SCALAR_FN(velo_fn_json_query);
VELO_SCALAR_FN(velo_fn_json_exists);

#endif
