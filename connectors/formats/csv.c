/* CSV (RFC 4180) records: framing at newlines outside quotes, header + value type inference,
 * decoding into typed columns and encoding with minimal quoting. A record is first split into
 * field spans (so a wrong field count is reported before any value), then each span is converted. */
#include <mimalloc.h>
#include <string.h>
#include <strings.h>

#include "connectors/formats/format.h"
#include "connectors/formats/format_internal.h"
#include "core/temporal.h"

typedef struct csv_field {
    uint32_t off, len; /* into the record, or into scratch when unescaped */
    bool quoted;
    bool in_scratch; /* a quoted field with doubled quotes, copied with the quotes undoubled */
} csv_field;

typedef struct csv_format {
    velo_format base;
    char delim, quote;
    bool header;
    csv_field *fields;
    uint32_t fields_cap;
    velo_strbuf scratch;
    uint8_t *used; /* projection (format.h project): NULL = every column is read */
    uint32_t nused;
} csv_format;

static velo_status one_char_option(const velo_kv *options, const char *key, char dflt, char *out,
                                   velo_error *err) {
    const char *v = options ? velo_kv_get(options, key) : NULL;
    if (!v) {
        *out = dflt;
        return VELO_OK;
    }
    if (strcmp(v, "\\t") == 0 || strcasecmp(v, "tab") == 0) v = "\t";
    if (strlen(v) != 1 || v[0] == '\n' || v[0] == '\r')
        return velo_error_set(err, VELO_ERR_INVALID,
                              "csv option '%s' must be a single character (or 'tab'), got '%s'", key, v);
    *out = v[0];
    return VELO_OK;
}

static velo_status csv_create(const velo_kv *options, velo_format **out, velo_error *err) {
    csv_format *f = mi_zalloc(sizeof *f);
    if (!f) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory creating a csv format");
    f->base.ops = &velo_csv_format_ops;
    velo_strbuf_init(&f->scratch);
    velo_status st = VELO_OK;
    f->header = true;
    if (options) st = velo_kv_get_bool(options, "header", true, &f->header, err);
    if (!st) st = one_char_option(options, "delimiter", ',', &f->delim, err);
    if (!st) st = one_char_option(options, "quote", '"', &f->quote, err);
    if (!st && f->delim == f->quote)
        st = velo_error_set(err, VELO_ERR_INVALID, "csv options 'delimiter' and 'quote' must differ");
    if (st) {
        mi_free(f);
        return st;
    }
    *out = &f->base;
    return VELO_OK;
}

static void csv_destroy(velo_format *base) {
    csv_format *f = (csv_format *)base;
    if (!f) return;
    mi_free(f->fields);
    mi_free(f->used);
    velo_strbuf_free(&f->scratch);
    mi_free(f);
}

static void csv_project(velo_format *base, const uint8_t *used, uint32_t ncols) {
    csv_format *f = (csv_format *)base;
    mi_free(f->used);
    f->used = mi_malloc(ncols + 1u);
    f->nused = f->used ? ncols : 0; /* out of memory: decode every column */
    if (f->used) memcpy(f->used, used, ncols);
}

static bool csv_has_header(velo_format *base) { return ((csv_format *)base)->header; }

/* Where a record ends: the first \n outside a quoted field. A quote opens a quoted field only
 * at the start of a field, exactly as csv_split reads it, so framing and decoding agree. */
static uint32_t record_end(const csv_format *f, const char *buf, uint32_t len) {
    enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED } st = FIELD_START;
    for (uint32_t i = 0; i < len; i++) {
        char ch = buf[i];
        switch (st) {
        case QUOTED:
            if (ch == f->quote) st = QUOTE_IN_QUOTED;
            break;
        case QUOTE_IN_QUOTED:
            if (ch == f->quote) {
                st = QUOTED; /* a doubled quote */
                break;
            }
            __attribute__((fallthrough)); /* the field was closed */
        case FIELD_START:
        case UNQUOTED:
            if (ch == '\n') return i;
            if (ch == f->delim)
                st = FIELD_START;
            else if (ch == f->quote && st == FIELD_START)
                st = QUOTED;
            else
                st = UNQUOTED;
            break;
        }
    }
    return UINT32_MAX;
}

/* A \r before the \n is not part of the record. */
static bool csv_frame(velo_format *base, const char *buf, uint32_t len, bool at_eof, uint32_t *rec_len,
                      uint32_t *consumed) {
    csv_format *f = (csv_format *)base;
    const char *nl = memchr(buf, '\n', len);
    uint32_t end;
    if (nl && !memchr(buf, f->quote, (size_t)(nl - buf)))
        end = (uint32_t)(nl - buf); /* no quote: fast path */
    else
        end = record_end(f, buf, len);
    if (end == UINT32_MAX) {
        if (!at_eof || len == 0) return false;
        *consumed = len;
        end = len; /* last record without a newline (or an unterminated quote: decode reports it) */
    } else {
        *consumed = end + 1;
    }
    if (end > 0 && buf[end - 1] == '\r') end--;
    *rec_len = end;
    return true;
}

static bool grow_fields(csv_format *f, uint32_t need) {
    if (need <= f->fields_cap) return true;
    uint32_t cap = f->fields_cap ? f->fields_cap * 2 : 16;
    while (cap < need)
        cap *= 2;
    csv_field *p = mi_realloc(f->fields, sizeof *p * cap);
    if (!p) return false;
    f->fields = p;
    f->fields_cap = cap;
    return true;
}

/* Splits rec into f->fields[0..*nfields). */
static velo_status csv_split(csv_format *f, const char *rec, uint32_t len, uint32_t *nfields,
                             velo_error *err) {
    velo_strbuf_clear(&f->scratch);
    uint32_t i = 0, k = 0;
    for (;;) {
        if (!grow_fields(f, k + 1))
            return velo_error_set(err, VELO_ERR_NOMEM, "out of memory splitting a csv record");
        csv_field *fd = &f->fields[k++];
        memset(fd, 0, sizeof *fd);
        if (i < len && rec[i] == f->quote) {
            uint32_t open = i++, start = i, end;
            bool doubled = false;
            for (;;) {
                const char *q = memchr(rec + i, f->quote, len - i);
                if (!q)
                    return velo_error_set(err, VELO_ERR_DECODE, "at byte %u: unterminated quoted field",
                                          open);
                uint32_t j = (uint32_t)(q - rec);
                if (j + 1 < len && rec[j + 1] == f->quote) {
                    doubled = true;
                    i = j + 2;
                    continue;
                }
                end = j;
                i = j + 1;
                break;
            }
            fd->quoted = true;
            if (!doubled) {
                fd->off = start;
                fd->len = end - start;
            } else {
                fd->in_scratch = true;
                fd->off = (uint32_t)f->scratch.len;
                for (uint32_t j = start; j < end; j++) {
                    velo_strbuf_putc(&f->scratch, rec[j]);
                    if (rec[j] == f->quote) j++; /* the second of a doubled quote */
                }
                fd->len = (uint32_t)f->scratch.len - fd->off;
            }
            if (i < len && rec[i] != f->delim)
                return velo_error_set(
                    err, VELO_ERR_DECODE,
                    "at byte %u: expected '%c' or the end of the record after a closing quote", i, f->delim);
        } else {
            const char *d = memchr(rec + i, f->delim, len - i);
            uint32_t end = d ? (uint32_t)(d - rec) : len;
            fd->off = i;
            fd->len = end - i;
            i = end;
        }
        if (i < len) { /* rec[i] is the delimiter */
            i++;
            continue;
        }
        break;
    }
    *nfields = k;
    return VELO_OK;
}

static const char *field_ptr(const csv_format *f, const char *rec, const csv_field *fd) {
    return fd->in_scratch ? f->scratch.data + fd->off : rec + fd->off;
}

/* ---- infer ---- */

static velo_status header_names(csv_format *f, const char *rec, uint32_t len, velo_schema **out,
                                velo_error *err) {
    uint32_t nf = 0;
    velo_status st = csv_split(f, rec, len, &nf, err);
    if (st) {
        velo_error_prefix(err, "csv header");
        return st;
    }
    velo_schema *s = velo_schema_new(nf);
    if (!s) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    velo_strbuf name;
    velo_strbuf_init(&name);
    for (uint32_t j = 0; j < nf; j++) {
        const csv_field *fd = &f->fields[j];
        const char *p = f->header ? field_ptr(f, rec, fd) : "";
        uint32_t n = f->header ? fd->len : 0, bad;
        if (!velo_fmt_utf8_valid(p, n, &bad)) {
            velo_strbuf_free(&name);
            velo_schema_free(s);
            return velo_error_set(err, VELO_ERR_DECODE, "csv header: column %u name: invalid UTF-8", j + 1);
        }
        if (memchr(p, '\0', n)) {
            velo_strbuf_free(&name);
            velo_schema_free(s);
            return velo_error_set(err, VELO_ERR_DECODE, "csv header: column %u name contains a NUL byte",
                                  j + 1);
        }
        velo_strbuf_clear(&name);
        if (n)
            velo_strbuf_append(&name, p, n);
        else
            velo_strbuf_printf(&name, "c%u", j + 1);
        /* names must be unique (lookups are case-insensitive): "a", "a_2", "a_3"... */
        size_t base_len = name.len;
        for (uint32_t dup = 2; velo_schema_find(s, name.data) >= 0; dup++) {
            name.len = base_len;
            velo_strbuf_printf(&name, "_%u", dup);
        }
        velo_schema_set(s, j, name.data, velo_type_make(VELO_TYPE_VARCHAR));
    }
    velo_strbuf_free(&name);
    *out = s;
    return VELO_OK;
}

static velo_status csv_infer(velo_format *base, const char *const *recs, const uint32_t *lens, uint32_t n,
                             velo_schema **out, velo_error *err) {
    csv_format *f = (csv_format *)base;
    uint32_t first = 0;
    while (first < n && lens[first] == 0)
        first++; /* the reader skips empty records */
    if (first == n)
        return velo_error_set(err, VELO_ERR_DECODE,
                              "csv: no records to infer the columns from; declare the columns instead");
    velo_schema *s = NULL;
    velo_status st = header_names(f, recs[first], lens[first], &s, err);
    if (st || !s) return st ? st : velo_error_set(err, VELO_ERR_INTERNAL, "csv: no header schema");
    velo_fmt_infer_col *cols = mi_zalloc(sizeof *cols * (s->ncols ? s->ncols : 1));
    if (!cols) {
        velo_schema_free(s);
        return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    }
    for (uint32_t r = f->header ? first + 1 : first; r < n; r++) {
        uint32_t nf = 0;
        if (lens[r] == 0 || csv_split(f, recs[r], lens[r], &nf, NULL) != VELO_OK) continue;
        for (uint32_t j = 0; j < nf && j < s->ncols; j++) {
            const csv_field *fd = &f->fields[j];
            if (!fd->quoted && fd->len == 0) continue; /* NULL says nothing about the type */
            velo_fmt_infer_text(&cols[j], field_ptr(f, recs[r], fd), fd->len);
        }
    }
    for (uint32_t j = 0; j < s->ncols; j++)
        s->fields[j].type = velo_fmt_infer_type(&cols[j]);
    mi_free(cols);
    *out = s;
    return VELO_OK;
}

/* ---- decode ---- */

static velo_status bad_value(const velo_field *fl, const char *p, uint32_t n, velo_error *err) {
    char tb[32], ex[72];
    return velo_error_set(err, VELO_ERR_DECODE, "column '%s': bad %s value '%s'", fl->name,
                          velo_type_format(fl->type, tb, sizeof tb), velo_fmt_excerpt(p, n, ex, sizeof ex));
}

static velo_status put_string(velo_vector *v, uint32_t row, const char *p, uint32_t n, velo_batch *b,
                              velo_error *err) {
    char *copy = velo_arena_strndup(&b->arena, p, n);
    if (!copy) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory copying a csv field");
    VELO_VEC(v, velo_str)[row] = (velo_str){copy, n};
    velo_vector_set_valid(v, row);
    return VELO_OK;
}

static velo_status csv_value(const velo_field *fl, velo_vector *v, uint32_t row, const char *p, uint32_t n,
                             velo_batch *b, velo_error *err) {
    char tb[32], ex[72];
    switch (fl->type.id) {
    case VELO_TYPE_VARCHAR: {
        uint32_t bad;
        if (!velo_fmt_utf8_valid(p, n, &bad))
            return velo_error_set(err, VELO_ERR_DECODE,
                                  "column '%s': invalid UTF-8 (at byte %u of the value)", fl->name, bad);
        return put_string(v, row, p, n, b, err);
    }
    case VELO_TYPE_BYTES: return put_string(v, row, p, n, b, err);
    case VELO_TYPE_BOOLEAN: {
        bool x;
        if (!velo_fmt_parse_bool(p, n, &x)) return bad_value(fl, p, n, err);
        VELO_VEC(v, uint8_t)[row] = x;
        break;
    }
    case VELO_TYPE_BIGINT:
        if (!velo_fmt_parse_i64(p, n, &VELO_VEC(v, int64_t)[row])) return bad_value(fl, p, n, err);
        break;
    case VELO_TYPE_DOUBLE:
        if (!velo_fmt_parse_double(p, n, &VELO_VEC(v, double)[row])) return bad_value(fl, p, n, err);
        break;
    case VELO_TYPE_DECIMAL:
        switch (velo_fmt_parse_decimal(p, n, fl->type, &VELO_VEC(v, velo_i128)[row])) {
        case VELO_FMT_DEC_OK: break;
        case VELO_FMT_DEC_BAD: return bad_value(fl, p, n, err);
        case VELO_FMT_DEC_SCALE:
            return velo_error_set(err, VELO_ERR_DECODE,
                                  "column '%s': value '%s' has more than %u decimal places", fl->name,
                                  velo_fmt_excerpt(p, n, ex, sizeof ex), fl->type.scale);
        case VELO_FMT_DEC_OVERFLOW:
            return velo_error_set(err, VELO_ERR_DECODE, "column '%s': value '%s' does not fit %s", fl->name,
                                  velo_fmt_excerpt(p, n, ex, sizeof ex),
                                  velo_type_format(fl->type, tb, sizeof tb));
        }
        break;
    case VELO_TYPE_TIMESTAMP: {
        int64_t ms, *ts = &VELO_VEC(v, int64_t)[row];
        if (velo_fmt_parse_timestamp(p, n, ts)) break;
        /* an integer is epoch milliseconds, as in JSON lines */
        if (!velo_fmt_parse_i64(p, n, &ms) || __builtin_mul_overflow(ms, 1000, ts) ||
            !velo_fmt_timestamp_in_range(*ts))
            return bad_value(fl, p, n, err);
        break;
    }
    case VELO_TYPE_DATE:
        if (!velo_parse_date(p, n, &VELO_VEC(v, int32_t)[row])) return bad_value(fl, p, n, err);
        break;
    case VELO_TYPE_ANY: {
        uint32_t bad;
        if (!velo_fmt_utf8_valid(p, n, &bad))
            return velo_error_set(err, VELO_ERR_DECODE, "column '%s': invalid UTF-8", fl->name);
        velo_value *box = velo_arena_alloc(&b->arena, sizeof *box);
        char *copy = box ? velo_arena_strndup(&b->arena, p, n) : NULL;
        if (!copy) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory copying a csv field");
        box->type = velo_type_make(VELO_TYPE_VARCHAR); /* CSV has no types: ANY holds the text */
        box->is_null = false;
        box->u.str = (velo_str){copy, n};
        VELO_VEC(v, velo_value *)[row] = box;
        break;
    }
    default:
        return velo_error_set(err, VELO_ERR_DECODE, "column '%s': %s columns cannot be read from CSV",
                              fl->name, velo_type_format(fl->type, tb, sizeof tb));
    }
    velo_vector_set_valid(v, row);
    return VELO_OK;
}

static velo_status csv_decode(velo_format *base, const char *rec, uint32_t len, const velo_schema *schema,
                              velo_batch *b, uint32_t row, velo_error *err) {
    csv_format *f = (csv_format *)base;
    uint32_t nf = 0;
    velo_status st = csv_split(f, rec, len, &nf, err);
    if (st) return st;
    if (nf != schema->ncols)
        return velo_error_set(err, VELO_ERR_DECODE, "expected %u field%s, found %u", schema->ncols,
                              schema->ncols == 1 ? "" : "s", nf);
    for (uint32_t j = 0; j < nf; j++) {
        const csv_field *fd = &f->fields[j];
        velo_vector *v = &b->cols[j];
        if ((!fd->quoted && fd->len == 0) ||            /* empty unquoted = NULL; "" = empty string */
            (f->used && j < f->nused && !f->used[j])) { /* not read by the query */
            velo_vector_set_null(v, row);
            continue;
        }
        st = csv_value(&schema->fields[j], v, row, field_ptr(f, rec, fd), fd->len, b, err);
        if (st) {
            for (uint32_t k = 0; k < schema->ncols; k++)
                velo_vector_set_null(&b->cols[k], row);
            return st;
        }
    }
    return VELO_OK;
}

/* ---- encode ---- */

static void put_field(const csv_format *f, const char *p, size_t n, velo_strbuf *out) {
    bool quote = n == 0 || p[0] == ' ' || p[0] == '\t' || p[n - 1] == ' ' || p[n - 1] == '\t';
    for (size_t i = 0; i < n && !quote; i++)
        quote = p[i] == f->delim || p[i] == f->quote || p[i] == '\n' || p[i] == '\r';
    if (!quote) {
        velo_strbuf_append(out, p, n);
        return;
    }
    velo_strbuf_putc(out, f->quote);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != f->quote) continue;
        velo_strbuf_append(out, p + run, i + 1 - run); /* writes the quote; run restarts at it */
        run = i;
    }
    velo_strbuf_append(out, p + run, n - run);
    velo_strbuf_putc(out, f->quote);
}

static void csv_encode_header(velo_format *base, const velo_schema *schema, velo_strbuf *out) {
    csv_format *f = (csv_format *)base;
    if (!f->header) return;
    for (uint32_t j = 0; j < schema->ncols; j++) {
        if (j) velo_strbuf_putc(out, f->delim);
        const char *name = schema->fields[j].name ? schema->fields[j].name : "";
        put_field(f, name, strlen(name), out);
    }
    velo_strbuf_putc(out, '\n');
}

static velo_status csv_encode(velo_format *base, const velo_schema *schema, const velo_batch *b, uint32_t row,
                              velo_strbuf *out, velo_error *err) {
    (void)err; /* encoding cannot fail */
    csv_format *f = (csv_format *)base;
    for (uint32_t j = 0; j < schema->ncols; j++) {
        if (j) velo_strbuf_putc(out, f->delim);
        const velo_vector *v = &b->cols[j];
        if (!velo_vector_is_valid(v, row)) continue; /* NULL: empty field */
        velo_strbuf_clear(&f->scratch);
        velo_format_value_text(v, row, &f->scratch);
        put_field(f, f->scratch.data ? f->scratch.data : "", f->scratch.len, out);
    }
    velo_strbuf_putc(out, '\n');
    return VELO_OK;
}

const velo_format_ops velo_csv_format_ops = {
    .name = "csv",
    .create = csv_create,
    .destroy = csv_destroy,
    .frame = csv_frame,
    .infer = csv_infer,
    .has_header = csv_has_header,
    .decode = csv_decode,
    .project = csv_project,
    .encode_header = csv_encode_header,
    .encode = csv_encode,
};
