/* Key encoding (core/row_key.h): a tag byte (0 NULL, 1 value), then fixed-width numbers or a
 * length-prefixed string. -0.0 is encoded as 0.0 and every NaN as one NaN, so equal keys of SQL's
 * GROUP BY / PARTITION BY have equal bytes. */
#include "core/row_key.h"

#include <math.h>
#include <string.h>

velo_status velo_row_key_encode(velo_strbuf *b, const velo_vector *v, uint32_t row, velo_error *err) {
    if (!velo_vector_is_valid(v, row)) {
        velo_strbuf_putc(b, 0);
        return VELO_OK;
    }
    velo_strbuf_putc(b, 1);
    switch (v->type.id) {
    case VELO_TYPE_BOOLEAN: velo_strbuf_putc(b, (char)VELO_VEC(v, uint8_t)[row]); break;
    case VELO_TYPE_BIGINT:
    case VELO_TYPE_TIMESTAMP: velo_strbuf_append(b, (const char *)&VELO_VEC(v, int64_t)[row], 8); break;
    case VELO_TYPE_DATE: velo_strbuf_append(b, (const char *)&VELO_VEC(v, int32_t)[row], 4); break;
    case VELO_TYPE_DOUBLE: {
        double d = VELO_VEC(v, double)[row];
        if (d == 0) d = 0;     /* -0.0 and 0.0 are one group */
        if (isnan(d)) d = NAN; /* one NaN */
        velo_strbuf_append(b, (const char *)&d, 8);
        break;
    }
    case VELO_TYPE_DECIMAL: velo_strbuf_append(b, (const char *)&VELO_VEC(v, velo_i128)[row], 16); break;
    case VELO_TYPE_INTERVAL:
        velo_strbuf_append(b, (const char *)&VELO_VEC(v, velo_interval)[row], sizeof(velo_interval));
        break;
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: {
        velo_str s = VELO_VEC(v, velo_str)[row];
        velo_strbuf_append(b, (const char *)&s.len, 4);
        velo_strbuf_append(b, s.ptr, s.len);
        break;
    }
    default: {
        char tn[64];
        return velo_error_set(err, VELO_ERR_UNSUPPORTED,
                              "grouping by a %s value (GROUP BY, PARTITION BY) is not supported yet",
                              velo_type_format(v->type, tn, sizeof tn));
    }
    }
    return VELO_OK;
}

const char *velo_row_key_decode(const char *p, velo_vector *out, uint32_t row, velo_arena *arena) {
    if (*p++ == 0) {
        velo_vector_set_null(out, row);
        return p;
    }
    velo_vector_set_valid(out, row);
    switch (out->type.id) {
    case VELO_TYPE_BOOLEAN: VELO_VEC(out, uint8_t)[row] = (uint8_t)*p; return p + 1;
    case VELO_TYPE_BIGINT:
    case VELO_TYPE_TIMESTAMP: memcpy(&VELO_VEC(out, int64_t)[row], p, 8); return p + 8;
    case VELO_TYPE_DATE: memcpy(&VELO_VEC(out, int32_t)[row], p, 4); return p + 4;
    case VELO_TYPE_DOUBLE: memcpy(&VELO_VEC(out, double)[row], p, 8); return p + 8;
    case VELO_TYPE_DECIMAL: memcpy(&VELO_VEC(out, velo_i128)[row], p, 16); return p + 16;
    case VELO_TYPE_INTERVAL:
        memcpy(&VELO_VEC(out, velo_interval)[row], p, sizeof(velo_interval));
        return p + sizeof(velo_interval);
    default: {
        uint32_t len;
        memcpy(&len, p, 4);
        p += 4;
        char *s = velo_arena_strndup(arena, p, len);
        VELO_VEC(out, velo_str)[row] = (velo_str){s, len};
        return p + len;
    }
    }
}
