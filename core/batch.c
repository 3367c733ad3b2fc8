/* Column batches (core/batch.h): allocation, reset, and boxed get/set for cold paths. */
#include "core/batch.h"
#include "state/tsan.h"

#include <mimalloc.h>
#include <string.h>
#include <strings.h>

velo_schema *velo_schema_new(uint32_t ncols) {
    velo_schema *s = mi_zalloc(sizeof *s);
    if (!s) return NULL;
    s->ncols = ncols;
    s->fields = ncols ? mi_zalloc(sizeof *s->fields * ncols) : NULL;
    return s;
}

void velo_schema_set(velo_schema *s, uint32_t i, const char *name, velo_type type) {
    mi_free(s->fields[i].name);
    s->fields[i].name = mi_strdup(name);
    s->fields[i].type = type;
}

int velo_schema_find(const velo_schema *s, const char *name) {
    for (uint32_t i = 0; i < s->ncols; i++)
        if (s->fields[i].name && strcasecmp(s->fields[i].name, name) == 0) return (int)i;
    return -1;
}

velo_schema *velo_schema_copy(const velo_schema *s) {
    velo_schema *c = velo_schema_new(s->ncols);
    if (!c) return NULL;
    for (uint32_t i = 0; i < s->ncols; i++) {
        c->fields[i] = s->fields[i];
        c->fields[i].name = mi_strdup(s->fields[i].name ? s->fields[i].name : "");
    }
    return c;
}

void velo_schema_free(velo_schema *s) {
    if (!s) return;
    for (uint32_t i = 0; i < s->ncols; i++)
        mi_free(s->fields[i].name);
    mi_free(s->fields);
    mi_free(s);
}

static uint32_t validity_words(uint32_t capacity) { return (capacity + 63) / 64; }

velo_status velo_vector_init(velo_vector *v, velo_type type, uint32_t capacity, velo_error *err) {
    v->type = type;
    v->validity = mi_zalloc(validity_words(capacity) * sizeof(uint64_t));
    v->data = mi_zalloc_aligned((size_t)capacity * velo_type_width(type) + 16, 16);
    VELO_TSAN_ALLOCATED();
    if (!v->validity || !v->data) {
        velo_vector_free(v);
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory allocating a column of %u rows", capacity);
    }
    return VELO_OK;
}

void velo_vector_free(velo_vector *v) {
    VELO_TSAN_FREEING(); /* the vector's memory is not touched after this */
    mi_free(v->validity);
    mi_free(v->data);
    v->validity = NULL;
    v->data = NULL;
}

velo_batch *velo_batch_new_types(uint32_t ncols, const velo_type *types, uint32_t capacity) {
    if (capacity == 0) capacity = VELO_BATCH_DEFAULT_CAPACITY;
    velo_batch *b = mi_zalloc(sizeof *b);
    VELO_TSAN_ALLOCATED(); /* after each allocation of memory that may have been freed on another core */
    if (!b) return NULL;
    b->ncols = ncols;
    b->capacity = capacity;
    b->cols = mi_zalloc(sizeof *b->cols * (ncols ? ncols : 1));
    b->sel = mi_malloc(sizeof *b->sel * capacity);
    b->origin = mi_zalloc(sizeof *b->origin * capacity);
    VELO_TSAN_ALLOCATED();
    velo_arena_init(&b->arena, 64 * 1024);
    if (!b->cols || !b->sel || !b->origin) goto fail;
    for (uint32_t i = 0; i < ncols; i++)
        if (velo_vector_init(&b->cols[i], types[i], capacity, NULL) != VELO_OK) goto fail;
    VELO_TSAN_ALLOCATED();
    return b;
fail:
    velo_batch_free(b);
    return NULL;
}

int64_t *velo_batch_row_wm(velo_batch *b) {
    if (!b->row_wm) {
        b->row_wm = mi_malloc(sizeof *b->row_wm * b->capacity);
        VELO_TSAN_ALLOCATED();
    }
    return b->row_wm;
}

velo_batch *velo_batch_new(const velo_schema *schema, uint32_t capacity) {
    velo_type stack_types[64] = {0};
    velo_type *types = schema->ncols <= 64 ? stack_types : mi_malloc(sizeof *types * schema->ncols);
    if (!types) return NULL;
    for (uint32_t i = 0; i < schema->ncols; i++)
        types[i] = schema->fields[i].type;
    velo_batch *b = velo_batch_new_types(schema->ncols, types, capacity);
    if (types != stack_types) mi_free(types);
    return b;
}

void velo_batch_free(velo_batch *b) {
    if (!b) return;
    if (b->cols)
        for (uint32_t i = 0; i < b->ncols; i++)
            velo_vector_free(&b->cols[i]);
    velo_arena_free(&b->arena);
    void *cols = b->cols, *sel = b->sel, *origin = b->origin, *row_wm = b->row_wm;
    VELO_TSAN_FREEING(); /* after the last access, before the memory can be reused elsewhere */
    mi_free(row_wm);
    mi_free(cols);
    mi_free(sel);
    mi_free(origin);
    mi_free(b);
}

void velo_batch_reset(velo_batch *b) {
    uint32_t words = validity_words(b->capacity);
    for (uint32_t i = 0; i < b->ncols; i++)
        memset(b->cols[i].validity, 0, words * sizeof(uint64_t));
    b->count = 0;
    b->has_sel = false;
    b->sel_count = 0;
    velo_arena_reset(&b->arena);
}

velo_value *velo_value_copy(const velo_value *src, velo_arena *arena) {
    velo_value *dst = velo_arena_alloc(arena, sizeof *dst);
    if (!dst) return NULL;
    *dst = *src;
    if (src->is_null) return dst;
    switch (src->type.id) {
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: dst->u.str.ptr = velo_arena_strndup(arena, src->u.str.ptr, src->u.str.len); break;
    case VELO_TYPE_LIST:
    case VELO_TYPE_MAP:
    case VELO_TYPE_STRUCT: {
        uint32_t n = src->u.nested.count;
        dst->u.nested.items = velo_arena_alloc(arena, sizeof(velo_value) * (n ? n : 1));
        dst->u.nested.names = NULL;
        if (src->u.nested.names) {
            dst->u.nested.names = velo_arena_alloc(arena, sizeof(velo_str) * (n ? n : 1));
            for (uint32_t i = 0; i < n; i++) {
                dst->u.nested.names[i].len = src->u.nested.names[i].len;
                dst->u.nested.names[i].ptr =
                    velo_arena_strndup(arena, src->u.nested.names[i].ptr, src->u.nested.names[i].len);
            }
        }
        for (uint32_t i = 0; i < n; i++) {
            velo_value *c = velo_value_copy(&src->u.nested.items[i], arena);
            dst->u.nested.items[i] = *c;
        }
        break;
    }
    default: break;
    }
    return dst;
}

void velo_vector_set_value(velo_vector *v, uint32_t i, const velo_value *val, velo_arena *arena) {
    if (val->is_null || val->type.id == VELO_TYPE_NULL) {
        velo_vector_set_null(v, i);
        return;
    }
    velo_vector_set_valid(v, i);
    switch (v->type.id) {
    case VELO_TYPE_BOOLEAN: VELO_VEC(v, uint8_t)[i] = val->u.b; break;
    case VELO_TYPE_BIGINT:
    case VELO_TYPE_TIMESTAMP: VELO_VEC(v, int64_t)[i] = val->u.i64; break;
    case VELO_TYPE_DOUBLE: VELO_VEC(v, double)[i] = val->u.f64; break;
    case VELO_TYPE_DECIMAL: VELO_VEC(v, velo_i128)[i] = val->u.dec; break;
    case VELO_TYPE_DATE: VELO_VEC(v, int32_t)[i] = val->u.date; break;
    case VELO_TYPE_INTERVAL: VELO_VEC(v, velo_interval)[i] = val->u.iv; break;
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: {
        velo_str s = val->u.str;
        s.ptr = velo_arena_strndup(arena, s.ptr, s.len);
        VELO_VEC(v, velo_str)[i] = s;
        break;
    }
    case VELO_TYPE_LIST:
    case VELO_TYPE_MAP:
    case VELO_TYPE_STRUCT:
    case VELO_TYPE_ANY: VELO_VEC(v, velo_value *)[i] = velo_value_copy(val, arena); break;
    default: velo_vector_set_null(v, i); break;
    }
}

void velo_vector_get_value(const velo_vector *v, uint32_t i, velo_value *out) {
    out->type = v->type;
    out->is_null = !velo_vector_is_valid(v, i);
    out->u.i64 = 0;
    if (out->is_null) return;
    switch (v->type.id) {
    case VELO_TYPE_BOOLEAN: out->u.b = VELO_VEC(v, uint8_t)[i]; break;
    case VELO_TYPE_BIGINT:
    case VELO_TYPE_TIMESTAMP: out->u.i64 = VELO_VEC(v, int64_t)[i]; break;
    case VELO_TYPE_DOUBLE: out->u.f64 = VELO_VEC(v, double)[i]; break;
    case VELO_TYPE_DECIMAL: out->u.dec = VELO_VEC(v, velo_i128)[i]; break;
    case VELO_TYPE_DATE: out->u.date = VELO_VEC(v, int32_t)[i]; break;
    case VELO_TYPE_INTERVAL: out->u.iv = VELO_VEC(v, velo_interval)[i]; break;
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: out->u.str = VELO_VEC(v, velo_str)[i]; break;
    case VELO_TYPE_LIST:
    case VELO_TYPE_MAP:
    case VELO_TYPE_STRUCT:
    case VELO_TYPE_ANY: {
        const velo_value *p = VELO_VEC(v, velo_value *)[i];
        if (p)
            *out = *p;
        else
            out->is_null = true;
        break;
    }
    default: out->is_null = true; break;
    }
}

void velo_batch_append_rows(velo_batch *dst, const velo_batch *src, const uint32_t *rows, uint32_t n) {
    uint32_t base = dst->count;
    for (uint32_t c = 0; c < dst->ncols && c < src->ncols; c++) {
        const velo_vector *sv = &src->cols[c];
        velo_vector *dv = &dst->cols[c];
        switch (sv->type.id) {
        case VELO_TYPE_VARCHAR:
        case VELO_TYPE_BYTES:
            for (uint32_t k = 0; k < n; k++) {
                uint32_t r = rows[k], o = base + k;
                if (!velo_vector_is_valid(sv, r)) {
                    velo_vector_set_null(dv, o);
                    continue;
                }
                velo_str str = VELO_VEC(sv, velo_str)[r];
                str.ptr = velo_arena_strndup(&dst->arena, str.ptr, str.len);
                VELO_VEC(dv, velo_str)[o] = str;
                velo_vector_set_valid(dv, o);
            }
            break;
        case VELO_TYPE_LIST:
        case VELO_TYPE_MAP:
        case VELO_TYPE_STRUCT:
        case VELO_TYPE_ANY: /* nested values point into src's arena: deep copies */
            for (uint32_t k = 0; k < n; k++) {
                velo_value v;
                velo_vector_get_value(sv, rows[k], &v);
                velo_vector_set_value(dv, base + k, &v, &dst->arena);
            }
            break;
        default: {
            uint32_t w = velo_type_width(sv->type);
            for (uint32_t k = 0; k < n; k++) {
                uint32_t r = rows[k], o = base + k;
                if (!velo_vector_is_valid(sv, r)) {
                    velo_vector_set_null(dv, o);
                    continue;
                }
                memcpy((char *)dv->data + (size_t)o * w, (const char *)sv->data + (size_t)r * w, w);
                velo_vector_set_valid(dv, o);
            }
        }
        }
    }
    for (uint32_t k = 0; k < n; k++)
        dst->origin[base + k] = src->origin[rows[k]];
    /* a row's partition watermark moves with it (a batch without one says "none") */
    if (src->row_wm || dst->row_wm) {
        int64_t *w = velo_batch_row_wm(dst);
        for (uint32_t k = 0; w && k < n; k++)
            w[base + k] = src->row_wm ? src->row_wm[rows[k]] : INT64_MIN;
    }
    dst->count = base + n;
}
