/* Type descriptors: widths and canonical names of the SQL types (include/velo/types.h). */
#include <stdio.h>

#include "core/value.h"
#include "velo/types.h"

uint32_t velo_type_width(velo_type t) {
    switch (t.id) {
    case VELO_TYPE_NULL: return 1;
    case VELO_TYPE_BOOLEAN: return 1;
    case VELO_TYPE_BIGINT: return 8;
    case VELO_TYPE_DOUBLE: return 8;
    case VELO_TYPE_DECIMAL: return 16;
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: return sizeof(velo_str);
    case VELO_TYPE_TIMESTAMP: return 8;
    case VELO_TYPE_DATE: return 4;
    case VELO_TYPE_INTERVAL: return sizeof(velo_interval);
    case VELO_TYPE_LIST:
    case VELO_TYPE_MAP:
    case VELO_TYPE_STRUCT:
    case VELO_TYPE_ANY: return sizeof(velo_value *);
    case VELO_TYPE__COUNT: break;
    }
    return 0;
}

const char *velo_type_format(velo_type t, char *buf, uint32_t n) {
    static const char *const names[VELO_TYPE__COUNT] = {
        [VELO_TYPE_NULL] = "NULL",           [VELO_TYPE_BOOLEAN] = "BOOLEAN",
        [VELO_TYPE_BIGINT] = "BIGINT",       [VELO_TYPE_DOUBLE] = "DOUBLE",
        [VELO_TYPE_DECIMAL] = "DECIMAL",     [VELO_TYPE_VARCHAR] = "VARCHAR",
        [VELO_TYPE_BYTES] = "BYTES",         [VELO_TYPE_TIMESTAMP] = "TIMESTAMP",
        [VELO_TYPE_DATE] = "DATE",           [VELO_TYPE_INTERVAL] = "INTERVAL",
        [VELO_TYPE_LIST] = "LIST",           [VELO_TYPE_MAP] = "MAP",
        [VELO_TYPE_STRUCT] = "STRUCT",       [VELO_TYPE_ANY] = "ANY",
    };
    if (t.id == VELO_TYPE_DECIMAL)
        snprintf(buf, n, "DECIMAL(%u,%u)", t.precision, t.scale);
    else
        snprintf(buf, n, "%s", t.id < VELO_TYPE__COUNT ? names[t.id] : "?");
    return buf;
}

bool velo_type_equal(velo_type a, velo_type b) {
    if (a.id != b.id) return false;
    if (a.id == VELO_TYPE_DECIMAL) return a.precision == b.precision && a.scale == b.scale;
    return true;
}

bool velo_type_is_numeric(velo_type t) {
    return t.id == VELO_TYPE_BIGINT || t.id == VELO_TYPE_DOUBLE || t.id == VELO_TYPE_DECIMAL;
}
