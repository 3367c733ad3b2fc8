/* CSV and JSON lines formats: framing, inference, decoding rules (NULL vs empty, exact decimals,
 * error messages) and encoding of every type. Each test names the rule it pins down. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "connectors/formats/format.h"
#include "core/temporal.h"

/* ---- helpers ---- */

/* Creates a format; opts is "key=value" pairs, NULL-terminated. */
static velo_format *fmt_new(const char *name, const char *const *opts) {
    velo_kv kv;
    velo_kv_init(&kv);
    for (; opts && *opts; opts++) {
        char key[64];
        const char *eq = strchr(*opts, '=');
        snprintf(key, sizeof key, "%.*s", (int)(eq - *opts), *opts);
        velo_kv_set(&kv, key, eq + 1);
    }
    const velo_format_ops *ops = velo_format_lookup(name);
    cr_assert_not_null(ops, "format %s", name);
    velo_format *f = NULL;
    velo_error err = {0};
    cr_assert_eq(ops->create(&kv, &f, &err), VELO_OK, "%s", err.message);
    velo_kv_free(&kv);
    return f;
}

/* Frames all of text (at EOF) into records; returns how many (empty records included). */
static uint32_t frame_all(velo_format *f, const char *text, const char **recs, uint32_t *lens, uint32_t max) {
    uint32_t n = 0, off = 0, len = (uint32_t)strlen(text), rl, used;
    while (n < max && f->ops->frame(f, text + off, len - off, true, &rl, &used)) {
        recs[n] = text + off;
        lens[n++] = rl;
        off += used;
    }
    return n;
}

static velo_schema *infer(velo_format *f, const char *text) {
    const char *recs[32];
    uint32_t lens[32];
    uint32_t n = frame_all(f, text, recs, lens, 32);
    velo_schema *s = NULL;
    velo_error err = {0};
    cr_assert_eq(f->ops->infer(f, recs, lens, n, &s, &err), VELO_OK, "%s", err.message);
    return s;
}

static velo_status decode(velo_format *f, const velo_schema *s, velo_batch *b, uint32_t row, const char *rec,
                          velo_error *err) {
    return f->ops->decode(f, rec, (uint32_t)strlen(rec), s, b, row, err);
}

static void decode_ok(velo_format *f, const velo_schema *s, velo_batch *b, uint32_t row, const char *rec) {
    velo_error err = {0};
    cr_assert_eq(decode(f, s, b, row, rec, &err), VELO_OK, "decoding [%s]: %s", rec, err.message);
    if (b->count <= row) b->count = row + 1;
}

static void decode_fails(velo_format *f, const velo_schema *s, const char *rec, const char *msg) {
    velo_batch *b = velo_batch_new(s, 4);
    velo_error err = {0};
    cr_assert_eq(decode(f, s, b, 0, rec, &err), VELO_ERR_DECODE, "decoding [%s] should fail", rec);
    cr_assert_str_eq(err.message, msg);
    velo_batch_free(b);
}

/* Encodes row into a NUL-terminated string (owned by the caller's strbuf). */
static const char *encode(velo_format *f, const velo_schema *s, const velo_batch *b, uint32_t row,
                          velo_strbuf *out) {
    velo_strbuf_clear(out);
    velo_error err = {0};
    cr_assert_eq(f->ops->encode(f, s, b, row, out, &err), VELO_OK);
    return out->data;
}

static velo_schema *schema_of(uint32_t n, const char *const *names, const velo_type *types) {
    velo_schema *s = velo_schema_new(n);
    for (uint32_t i = 0; i < n; i++)
        velo_schema_set(s, i, names[i], types[i]);
    return s;
}

static velo_str str_at(const velo_batch *b, uint32_t col, uint32_t row) {
    return VELO_VEC(&b->cols[col], velo_str)[row];
}

static bool str_is(velo_str s, const char *want) {
    return s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

#define T(id) velo_type_make(VELO_TYPE_##id)

/* ---- registry ---- */

Test(formats, lookup_knows_csv_jsonl_and_json_alias) {
    cr_assert_eq(velo_format_lookup("csv"), velo_format_lookup("CSV"));
    cr_assert_not_null(velo_format_lookup("jsonl"));
    cr_assert_eq(velo_format_lookup("json"), velo_format_lookup("jsonl"));
    cr_assert_null(velo_format_lookup("avro"));
}

/* ---- CSV framing ---- */

Test(csv, frame_keeps_newlines_inside_quotes) {
    velo_format *f = fmt_new("csv", NULL);
    const char *recs[4];
    uint32_t lens[4];
    uint32_t n = frame_all(f, "a,\"line1\nline2\",c\nx,y,z\n", recs, lens, 4);
    cr_assert_eq(n, 2);
    cr_assert_eq(lens[0], strlen("a,\"line1\nline2\",c"));
    cr_assert_eq(lens[1], 5);
    f->ops->destroy(f);
}

Test(csv, frame_strips_crlf) {
    velo_format *f = fmt_new("csv", NULL);
    const char *recs[4];
    uint32_t lens[4];
    cr_assert_eq(frame_all(f, "a,b\r\nc,d\r\n", recs, lens, 4), 2);
    cr_assert_eq(lens[0], 3);
    cr_assert_eq(strncmp(recs[1], "c,d", lens[1]), 0);
    cr_assert_eq(lens[1], 3);
    f->ops->destroy(f);
}

Test(csv, frame_waits_for_a_newline_unless_at_eof) {
    velo_format *f = fmt_new("csv", NULL);
    uint32_t rl, used;
    cr_assert_not(f->ops->frame(f, "a,\"b\nc", 6, false, &rl, &used));
    cr_assert(f->ops->frame(f, "a,b", 3, true, &rl, &used));
    cr_assert_eq(rl, 3);
    cr_assert_eq(used, 3);
    cr_assert_not(f->ops->frame(f, "", 0, true, &rl, &used));
    f->ops->destroy(f);
}

Test(csv, quote_inside_an_unquoted_field_is_literal_and_does_not_hide_the_newline) {
    velo_format *f = fmt_new("csv", (const char *[]){"header=false", NULL});
    const char *recs[4];
    uint32_t lens[4];
    cr_assert_eq(frame_all(f, "5\"x,b\nc,d\n", recs, lens, 4), 2);
    velo_schema *s = schema_of(2, (const char *[]){"a", "b"}, (velo_type[]){T(VARCHAR), T(VARCHAR)});
    velo_batch *b = velo_batch_new(s, 4);
    velo_error err = {0};
    cr_assert_eq(f->ops->decode(f, recs[0], lens[0], s, b, 0, &err), VELO_OK, "%s", err.message);
    cr_assert(str_is(str_at(b, 0, 0), "5\"x"));
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

/* ---- CSV inference ---- */

Test(csv, infer_table) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s = infer(f, "i,d,e,b,ts,dt,s,nul,mix,big\n"
                              "1,1.5,1e3,true,2024-01-01T10:00:00Z,2024-01-01,x,,1,99999999999999999999\n"
                              "-7,2.25,2.5E-1,FALSE,2024-01-01 10:00:00.123+02:00,2024-02-29,y,,true,1\n"
                              ",,,,2024-01-01T10:00:00.123456Z,,,,,\n");
    cr_assert_eq(s->ncols, 10);
    const char *names[] = {"i", "d", "e", "b", "ts", "dt", "s", "nul", "mix", "big"};
    velo_type want[] = {T(BIGINT),    velo_type_decimal(38, 2),
                        T(DOUBLE),    T(BOOLEAN),
                        T(TIMESTAMP), T(DATE),
                        T(VARCHAR),   T(VARCHAR),
                        T(VARCHAR),   velo_type_decimal(38, 0)};
    for (uint32_t i = 0; i < 10; i++) {
        char a[32], b[32];
        cr_assert_str_eq(s->fields[i].name, names[i]);
        cr_assert(velo_type_equal(s->fields[i].type, want[i]), "column %s: got %s, want %s", names[i],
                  velo_type_format(s->fields[i].type, a, 32), velo_type_format(want[i], b, 32));
    }
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, infer_mixed_integers_and_decimals_give_decimal_with_max_scale) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s = infer(f, "p\n1\n2.5\n3.125\n");
    cr_assert(velo_type_equal(s->fields[0].type, velo_type_decimal(38, 3)));
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, infer_dates_and_timestamps_mixed_give_timestamp) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s = infer(f, "t\n2024-01-01\n2024-01-02T03:04:05Z\n");
    cr_assert_eq(s->fields[0].type.id, VELO_TYPE_TIMESTAMP);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, infer_without_header_names_columns_c1_c2) {
    velo_format *f = fmt_new("csv", (const char *[]){"header=false", NULL});
    velo_schema *s = infer(f, "1,x\n2,y\n");
    cr_assert_str_eq(s->fields[0].name, "c1");
    cr_assert_str_eq(s->fields[1].name, "c2");
    cr_assert_eq(s->fields[0].type.id, VELO_TYPE_BIGINT);
    cr_assert_not(f->ops->has_header(f));
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, infer_makes_duplicate_and_empty_header_names_unique) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s = infer(f, "a,A,,a_2\n1,2,3,4\n");
    cr_assert_str_eq(s->fields[0].name, "a");
    cr_assert_str_eq(s->fields[1].name, "A_2");
    cr_assert_str_eq(s->fields[2].name, "c3");
    cr_assert_str_eq(s->fields[3].name, "a_2_2");
    velo_schema_free(s);
    f->ops->destroy(f);
}

/* found by fuzz_csv: names are C strings, so a NUL byte would silently truncate one */
Test(csv, header_name_with_a_nul_byte_is_rejected) {
    velo_format *f = fmt_new("csv", NULL);
    const char *rec = "a,b\0c";
    uint32_t len = 5;
    velo_schema *s = NULL;
    velo_error err = {0};
    cr_assert_eq(f->ops->infer(f, &rec, &len, 1, &s, &err), VELO_ERR_DECODE);
    cr_assert_str_eq(err.message, "csv header: column 2 name contains a NUL byte");
    f->ops->destroy(f);
}

/* ---- CSV decode ---- */

Test(csv, empty_unquoted_field_is_null_and_quoted_empty_is_empty_string) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s = schema_of(2, (const char *[]){"a", "b"}, (velo_type[]){T(VARCHAR), T(VARCHAR)});
    velo_batch *b = velo_batch_new(s, 4);
    decode_ok(f, s, b, 0, ",\"\"");
    cr_assert_not(velo_vector_is_valid(&b->cols[0], 0));
    cr_assert(velo_vector_is_valid(&b->cols[1], 0));
    cr_assert_eq(str_at(b, 1, 0).len, 0);
    velo_strbuf out;
    velo_strbuf_init(&out);
    cr_assert_str_eq(encode(f, s, b, 0, &out), ",\"\"\n");
    velo_strbuf_free(&out);
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, quoting_round_trip) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s = schema_of(5, (const char *[]){"a", "b", "c", "d", "e"},
                               (velo_type[]){T(VARCHAR), T(VARCHAR), T(VARCHAR), T(VARCHAR), T(VARCHAR)});
    velo_batch *b = velo_batch_new(s, 4);
    const char *rec = "\"x,y\",\"say \"\"hi\"\"\",\"two\r\nlines\",\" pad \",plain";
    decode_ok(f, s, b, 0, rec);
    cr_assert(str_is(str_at(b, 0, 0), "x,y"));
    cr_assert(str_is(str_at(b, 1, 0), "say \"hi\""));
    cr_assert(str_is(str_at(b, 2, 0), "two\r\nlines"));
    cr_assert(str_is(str_at(b, 3, 0), " pad "));
    velo_strbuf out;
    velo_strbuf_init(&out);
    encode(f, s, b, 0, &out);
    cr_assert_eq(strncmp(out.data, rec, strlen(rec)), 0, "got [%s]", out.data);
    cr_assert_str_eq(out.data + strlen(rec), "\n");
    velo_strbuf_free(&out);
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, wrong_field_count_is_a_decode_error) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s =
        schema_of(3, (const char *[]){"a", "b", "c"}, (velo_type[]){T(BIGINT), T(BIGINT), T(BIGINT)});
    decode_fails(f, s, "1,2", "expected 3 fields, found 2");
    decode_fails(f, s, "1,2,3,4", "expected 3 fields, found 4");
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, bad_value_names_column_type_and_value) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s =
        schema_of(2, (const char *[]){"id", "price"}, (velo_type[]){T(BIGINT), velo_type_decimal(38, 2)});
    decode_fails(f, s, "1,x1", "column 'price': bad DECIMAL(38,2) value 'x1'");
    decode_fails(f, s, "1.5,1", "column 'id': bad BIGINT value '1.5'");
    decode_fails(f, s, "99999999999999999999,1", "column 'id': bad BIGINT value '99999999999999999999'");
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, timestamp_column_reads_iso_text_and_epoch_milliseconds_as_jsonl_does) {
    velo_format *f = fmt_new("csv", (const char *[]){"header=false", NULL});
    velo_schema *s = schema_of(1, (const char *[]){"t"}, (velo_type[]){T(TIMESTAMP)});
    velo_batch *b = velo_batch_new(s, 4);
    decode_ok(f, s, b, 0, "1970-01-01T00:00:01Z");
    decode_ok(f, s, b, 1, "1767225609500");
    decode_ok(f, s, b, 2, "-1000");
    cr_assert_eq(VELO_VEC(&b->cols[0], int64_t)[0], 1000000);
    cr_assert_eq(VELO_VEC(&b->cols[0], int64_t)[1], INT64_C(1767225609500000));
    cr_assert_eq(VELO_VEC(&b->cols[0], int64_t)[2], -1000000);
    decode_fails(f, s, "1.5", "column 't': bad TIMESTAMP value '1.5'");
    decode_fails(f, s, "9223372036854775807", "column 't': bad TIMESTAMP value '9223372036854775807'");
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, decimal_text_is_read_exactly_and_written_canonically) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s = schema_of(1, (const char *[]){"p"}, (velo_type[]){velo_type_decimal(38, 2)});
    velo_batch *b = velo_batch_new(s, 4);
    decode_ok(f, s, b, 0, "0.10");
    decode_ok(f, s, b, 1, "-3");
    cr_assert(VELO_VEC(&b->cols[0], velo_i128)[0] == 10);
    cr_assert(VELO_VEC(&b->cols[0], velo_i128)[1] == -300);
    velo_strbuf out;
    velo_strbuf_init(&out);
    cr_assert_str_eq(encode(f, s, b, 0, &out), "0.10\n");
    cr_assert_str_eq(encode(f, s, b, 1, &out), "-3.00\n");
    velo_strbuf_free(&out);
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, more_decimal_places_than_the_scale_is_an_error_not_rounding) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s = schema_of(1, (const char *[]){"price"}, (velo_type[]){velo_type_decimal(38, 2)});
    decode_fails(f, s, "1.234", "column 'price': value '1.234' has more than 2 decimal places");
    decode_fails(f, s, "1.5e-3", "column 'price': value '1.5e-3' has more than 2 decimal places");
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, invalid_utf8_in_varchar_is_rejected) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s = schema_of(2, (const char *[]){"n", "x"}, (velo_type[]){T(BIGINT), T(VARCHAR)});
    decode_fails(f, s, "1,ab\xC3", "column 'x': invalid UTF-8 (at byte 2 of the value)");
    decode_fails(f, s, "1,\xED\xA0\x80",
                 "column 'x': invalid UTF-8 (at byte 0 of the value)"); /* a surrogate */
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, unterminated_quote_and_text_after_a_closing_quote_are_errors) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s = schema_of(2, (const char *[]){"a", "b"}, (velo_type[]){T(VARCHAR), T(VARCHAR)});
    decode_fails(f, s, "x,\"abc", "at byte 2: unterminated quoted field");
    decode_fails(f, s, "\"a\"b,c", "at byte 3: expected ',' or the end of the record after a closing quote");
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, delimiter_and_quote_options) {
    velo_format *f = fmt_new("csv", (const char *[]){"delimiter=;", "quote='", NULL});
    velo_schema *s = schema_of(2, (const char *[]){"a", "b"}, (velo_type[]){T(VARCHAR), T(BIGINT)});
    velo_batch *b = velo_batch_new(s, 4);
    decode_ok(f, s, b, 0, "'x;''y';5");
    cr_assert(str_is(str_at(b, 0, 0), "x;'y"));
    velo_strbuf out;
    velo_strbuf_init(&out);
    cr_assert_str_eq(encode(f, s, b, 0, &out), "'x;''y';5\n");
    velo_strbuf_free(&out);
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
    f = fmt_new("csv", (const char *[]){"delimiter=tab", NULL});
    s = infer(f, "a\tb\n1\t2\n");
    cr_assert_eq(s->ncols, 2);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, bad_options_are_rejected) {
    velo_kv kv;
    velo_kv_init(&kv);
    velo_kv_set(&kv, "delimiter", ";;");
    velo_format *f = NULL;
    velo_error err = {0};
    cr_assert_eq(velo_format_lookup("csv")->create(&kv, &f, &err), VELO_ERR_INVALID);
    cr_assert_str_eq(err.message, "csv option 'delimiter' must be a single character (or 'tab'), got ';;'");
    velo_kv_free(&kv);
}

Test(csv, header_is_written_with_quoting) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s = schema_of(2, (const char *[]){"a,b", "c"}, (velo_type[]){T(BIGINT), T(BIGINT)});
    velo_strbuf out;
    velo_strbuf_init(&out);
    f->ops->encode_header(f, s, &out);
    cr_assert_str_eq(out.data, "\"a,b\",c\n");
    velo_strbuf_free(&out);
    velo_schema_free(s);
    f->ops->destroy(f);
}

/* A batch row with one value of every scalar type, used by both encoders. */
static velo_schema *every_type(velo_batch **out) {
    velo_schema *s =
        schema_of(11, (const char *[]){"b", "i", "d", "dec", "s", "ts", "ts_us", "dt", "nan", "inf", "nul"},
                  (velo_type[]){T(BOOLEAN), T(BIGINT), T(DOUBLE), velo_type_decimal(10, 2), T(VARCHAR),
                                T(TIMESTAMP), T(TIMESTAMP), T(DATE), T(DOUBLE), T(DOUBLE), T(BIGINT)});
    velo_batch *b = velo_batch_new(s, 4);
    for (uint32_t i = 0; i < 10; i++)
        velo_vector_set_valid(&b->cols[i], 0);
    VELO_VEC(&b->cols[0], uint8_t)[0] = 1;
    VELO_VEC(&b->cols[1], int64_t)[0] = -42;
    VELO_VEC(&b->cols[2], double)[0] = 1.5;
    VELO_VEC(&b->cols[3], velo_i128)[0] = 150;
    VELO_VEC(&b->cols[4], velo_str)[0] = (velo_str){"a\"b\x01\xC3\xA9", 6};
    int64_t ts;
    cr_assert(velo_parse_timestamp("2024-01-01T10:00:00.123Z", 24, &ts));
    VELO_VEC(&b->cols[5], int64_t)[0] = ts;
    VELO_VEC(&b->cols[6], int64_t)[0] = ts + 456;
    VELO_VEC(&b->cols[7], int32_t)[0] = 19723; /* 2024-01-01 */
    VELO_VEC(&b->cols[8], double)[0] = NAN;
    VELO_VEC(&b->cols[9], double)[0] = -INFINITY;
    b->count = 1;
    *out = b;
    return s;
}

Test(csv, encode_every_type) {
    velo_format *f = fmt_new("csv", NULL);
    velo_batch *b;
    velo_schema *s = every_type(&b);
    velo_strbuf out;
    velo_strbuf_init(&out);
    cr_assert_str_eq(encode(f, s, b, 0, &out),
                     "true,-42,1.5,1.50,\"a\"\"b\x01\xC3\xA9\",2024-01-01T10:00:00.123Z,"
                     "2024-01-01T10:00:00.123456Z,2024-01-01,NaN,-Infinity,\n");
    VELO_VEC(&b->cols[2], double)[0] = 1e300;
    VELO_VEC(&b->cols[5], int64_t)[0] = 1704103200000000; /* whole seconds: no fraction */
    encode(f, s, b, 0, &out);
    cr_assert(strstr(out.data, ",1e+300,") && strstr(out.data, ",2024-01-01T10:00:00Z,"), "got %s", out.data);
    velo_strbuf_free(&out);
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, doubles_nan_and_infinity_read_back) {
    velo_format *f = fmt_new("csv", NULL);
    velo_schema *s = schema_of(1, (const char *[]){"d"}, (velo_type[]){T(DOUBLE)});
    velo_batch *b = velo_batch_new(s, 4);
    decode_ok(f, s, b, 0, "NaN");
    decode_ok(f, s, b, 1, "-Infinity");
    decode_ok(f, s, b, 2, "0.1");
    cr_assert(isnan(VELO_VEC(&b->cols[0], double)[0]));
    cr_assert(VELO_VEC(&b->cols[0], double)[1] == -INFINITY);
    cr_assert(VELO_VEC(&b->cols[0], double)[2] == 0.1);
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

/* ---- JSON lines ---- */

Test(jsonl, frame_gives_blank_lines_as_empty_records) {
    velo_format *f = fmt_new("jsonl", NULL);
    const char *recs[8];
    uint32_t lens[8];
    cr_assert_eq(frame_all(f, "{\"a\":1}\r\n\n  \n{\"a\":2}", recs, lens, 8), 4);
    cr_assert_eq(lens[0], 7);
    cr_assert_eq(lens[1], 0);
    cr_assert_eq(lens[2], 0);
    cr_assert_eq(lens[3], 7);
    f->ops->destroy(f);
}

Test(jsonl, infer_keys_in_first_seen_order_with_types) {
    velo_format *f = fmt_new("jsonl", NULL);
    velo_schema *s =
        infer(f, "{\"i\":1,\"d\":1.5,\"e\":1e3,\"b\":true,\"s\":\"2024-01-01T10:00:00Z\",\"o\":{\"x\":1}}\n"
                 "{\"n\":null,\"d\":2,\"i\":-3,\"a\":[1,2],\"m\":1,\"d2\":0.125}\n"
                 "{\"m\":\"x\",\"d2\":7}\n");
    const char *names[] = {"i", "d", "e", "b", "s", "o", "n", "a", "m", "d2"};
    velo_type want[] = {
        T(BIGINT),  velo_type_decimal(38, 1), T(DOUBLE), T(BOOLEAN), T(VARCHAR), T(ANY), T(VARCHAR), T(ANY),
        T(VARCHAR), velo_type_decimal(38, 3)};
    cr_assert_eq(s->ncols, 10);
    for (uint32_t i = 0; i < 10; i++) {
        char a[32], b[32];
        cr_assert_str_eq(s->fields[i].name, names[i]);
        cr_assert(velo_type_equal(s->fields[i].type, want[i]), "column %s: got %s, want %s", names[i],
                  velo_type_format(s->fields[i].type, a, 32), velo_type_format(want[i], b, 32));
    }
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, number_with_exponent_is_inferred_as_double) {
    velo_format *f = fmt_new("jsonl", NULL);
    velo_schema *s = infer(f, "{\"x\":1.5}\n{\"x\":2E-3}\n");
    cr_assert_eq(s->fields[0].type.id, VELO_TYPE_DOUBLE);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, decode_absent_keys_are_null_and_unknown_keys_ignored) {
    velo_format *f = fmt_new("jsonl", NULL);
    velo_schema *s = schema_of(2, (const char *[]){"a", "b"}, (velo_type[]){T(BIGINT), T(VARCHAR)});
    velo_batch *b = velo_batch_new(s, 4);
    decode_ok(f, s, b, 0, " { \"zz\" : [1,{\"q\":null}], \"A\" : 5 } ");
    cr_assert_eq(VELO_VEC(&b->cols[0], int64_t)[0], 5);
    cr_assert_not(velo_vector_is_valid(&b->cols[1], 0));
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, record_must_be_an_object) {
    velo_format *f = fmt_new("jsonl", NULL);
    velo_schema *s = schema_of(1, (const char *[]){"a"}, (velo_type[]){T(BIGINT)});
    decode_fails(f, s, "[1]", "at byte 0: expected a JSON object");
    decode_fails(f, s, "{\"a\":1} x", "at byte 8: unexpected text after the JSON object");
    decode_fails(f, s, "{\"a\":1,}", "at byte 7: expected a key string");
    decode_fails(f, s, "{\"a\":01}", "at byte 6: expected ',' or '}'");
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, type_mismatch_names_column_type_and_json_text) {
    velo_format *f = fmt_new("jsonl", NULL);
    velo_schema *s = schema_of(3, (const char *[]){"n", "p", "t"},
                               (velo_type[]){T(BIGINT), velo_type_decimal(38, 2), T(TIMESTAMP)});
    decode_fails(f, s, "{\"n\":\"abc\"}", "column 'n': expected BIGINT, found \"abc\"");
    decode_fails(f, s, "{\"p\":true}", "column 'p': expected DECIMAL(38,2), found true");
    decode_fails(f, s, "{\"t\":{\"x\":1}}", "column 't': expected TIMESTAMP, found {\"x\":1}");
    decode_fails(f, s, "{\"n\":1.5}", "column 'n': expected BIGINT, found 1.5");
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, decimals_are_read_from_their_text_exactly) {
    velo_format *f = fmt_new("jsonl", NULL);
    velo_schema *s = schema_of(1, (const char *[]){"p"}, (velo_type[]){velo_type_decimal(38, 2)});
    velo_batch *b = velo_batch_new(s, 4);
    decode_ok(f, s, b, 0, "{\"p\":0.10}");
    decode_ok(f, s, b, 1, "{\"p\":7}");
    decode_ok(f, s, b, 2, "{\"p\":\"12.5\"}");
    cr_assert(VELO_VEC(&b->cols[0], velo_i128)[0] == 10);
    cr_assert(VELO_VEC(&b->cols[0], velo_i128)[1] == 700);
    cr_assert(VELO_VEC(&b->cols[0], velo_i128)[2] == 1250);
    velo_strbuf out;
    velo_strbuf_init(&out);
    cr_assert_str_eq(encode(f, s, b, 0, &out), "{\"p\":0.10}\n");
    velo_strbuf_free(&out);
    decode_fails(f, s, "{\"p\":1.234}", "column 'p': value '1.234' has more than 2 decimal places");
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, integers_read_into_double_and_numbers_into_varchar_keep_text) {
    velo_format *f = fmt_new("jsonl", NULL);
    velo_schema *s = schema_of(2, (const char *[]){"d", "s"}, (velo_type[]){T(DOUBLE), T(VARCHAR)});
    velo_batch *b = velo_batch_new(s, 4);
    decode_ok(f, s, b, 0, "{\"d\":3,\"s\":1.50e0}");
    cr_assert(VELO_VEC(&b->cols[0], double)[0] == 3.0);
    cr_assert(str_is(str_at(b, 1, 0), "1.50e0"));
    decode_ok(f, s, b, 1, "{\"s\":{\"k\": [true]}}");
    cr_assert(str_is(str_at(b, 1, 1), "{\"k\": [true]}"));
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, unicode_escapes_with_surrogate_pairs_become_utf8) {
    velo_format *f = fmt_new("jsonl", NULL);
    velo_schema *s = schema_of(1, (const char *[]){"s"}, (velo_type[]){T(VARCHAR)});
    velo_batch *b = velo_batch_new(s, 4);
    decode_ok(f, s, b, 0, "{\"s\":\"\\u00e9\\ud83d\\ude00\\n\\\"\"}");
    cr_assert(str_is(str_at(b, 0, 0), "\xC3\xA9\xF0\x9F\x98\x80\n\""));
    velo_batch_free(b);
    decode_fails(f, s, "{\"s\":\"\\ud83dx\"}", "at byte 6: unpaired UTF-16 surrogate \\ud83d");
    decode_fails(f, s, "{\"s\":\"\\ude00\"}", "at byte 6: unpaired UTF-16 surrogate \\ude00");
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, invalid_utf8_bad_escapes_and_control_chars_report_the_byte_offset) {
    velo_format *f = fmt_new("jsonl", NULL);
    velo_schema *s = schema_of(1, (const char *[]){"s"}, (velo_type[]){T(VARCHAR)});
    decode_fails(f, s, "{\"s\":\"ab\xFF\"}", "at byte 8: invalid UTF-8");
    decode_fails(f, s, "{\"s\":\"a\\q\"}", "at byte 7: invalid escape '\\q'");
    decode_fails(f, s, "{\"s\":\"a\tb\"}", "at byte 7: control character 0x09 in a string (must be escaped)");
    decode_fails(f, s, "{\"s\":\"abc", "at byte 5: unterminated string");
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, timestamps_read_iso_text_or_epoch_milliseconds) {
    velo_format *f = fmt_new("jsonl", NULL);
    velo_schema *s = schema_of(2, (const char *[]){"t", "d"}, (velo_type[]){T(TIMESTAMP), T(DATE)});
    velo_batch *b = velo_batch_new(s, 4);
    decode_ok(f, s, b, 0, "{\"t\":\"2024-01-01T10:00:00Z\",\"d\":\"2024-01-01\"}");
    decode_ok(f, s, b, 1, "{\"t\":1704103200000}");
    cr_assert_eq(VELO_VEC(&b->cols[0], int64_t)[0], 1704103200000000);
    cr_assert_eq(VELO_VEC(&b->cols[0], int64_t)[1], 1704103200000000);
    cr_assert_eq(VELO_VEC(&b->cols[1], int32_t)[0], 19723);
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, encode_every_type) {
    velo_format *f = fmt_new("jsonl", NULL);
    velo_batch *b;
    velo_schema *s = every_type(&b);
    velo_strbuf out;
    velo_strbuf_init(&out);
    cr_assert_str_eq(encode(f, s, b, 0, &out),
                     "{\"b\":true,\"i\":-42,\"d\":1.5,\"dec\":1.50,\"s\":\"a\\\"b\\u0001\xC3\xA9\","
                     "\"ts\":\"2024-01-01T10:00:00.123Z\",\"ts_us\":\"2024-01-01T10:00:00.123456Z\","
                     "\"dt\":\"2024-01-01\",\"nan\":null,\"inf\":null,\"nul\":null}\n");
    velo_strbuf_free(&out);
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, any_columns_keep_nested_values_and_write_them_back) {
    velo_format *f = fmt_new("jsonl", NULL);
    velo_schema *s = schema_of(1, (const char *[]){"o"}, (velo_type[]){T(ANY)});
    velo_batch *b = velo_batch_new(s, 4);
    const char *rec = "{\"o\":{\"k\":[1,2.50,\"x\",null,false,1e2],\"e\":{}}}";
    decode_ok(f, s, b, 0, rec);
    velo_strbuf out;
    velo_strbuf_init(&out);
    cr_assert_str_eq(encode(f, s, b, 0, &out), "{\"o\":{\"k\":[1,2.50,\"x\",null,false,100],\"e\":{}}}\n");
    velo_strbuf_free(&out);
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, json_string_escapes_controls_and_keeps_utf8) {
    velo_strbuf out;
    velo_strbuf_init(&out);
    velo_format_json_string("\x1f\\\"\xE2\x82\xAC\xFF", 7, &out);
    cr_assert_str_eq(out.data, "\"\\u001f\\\\\\\"\xE2\x82\xAC\\ufffd\"");
    velo_strbuf_free(&out);
}

/* ---- projection pushdown and the fast decode paths ---- */

Test(jsonl, projection_leaves_unread_columns_null_and_skims_their_values) {
    velo_format *f = fmt_new("jsonl", NULL);
    const char *names[] = {"a", "skip", "b"};
    velo_type types[] = {T(BIGINT), T(BIGINT), T(VARCHAR)};
    velo_schema *s = schema_of(3, names, types);
    const uint8_t used[] = {1, 0, 1};
    f->ops->project(f, used, 3);
    velo_batch *b = velo_batch_new(s, 4);
    /* the unread member holds text that is not a BIGINT and a nested value: only skimmed */
    decode_ok(f, s, b, 0, "{\"a\": 7, \"skip\": \"x\\\"y\", \"b\": \"hé\"}");
    decode_ok(f, s, b, 1, "{\"skip\": {\"n\": [1, {\"m\": \"}\"}]}, \"B\": \"z\", \"A\": -3}");
    cr_assert_eq(VELO_VEC(&b->cols[0], int64_t)[0], 7);
    cr_assert(!velo_vector_is_valid(&b->cols[1], 0));
    cr_assert(str_is(str_at(b, 2, 0), "hé"));
    cr_assert_eq(VELO_VEC(&b->cols[0], int64_t)[1], -3, "names match case-insensitively");
    cr_assert(!velo_vector_is_valid(&b->cols[1], 1));
    cr_assert(str_is(str_at(b, 2, 1), "z"));
    /* syntax is still checked in an unread member */
    decode_fails(f, s, "{\"a\": 1, \"skip\": \"open}", "at byte 17: unterminated string");
    decode_fails(f, s, "{\"a\": 1, \"skip\": tru}", "at byte 17: unexpected character");
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(csv, projection_leaves_unread_columns_null_without_converting_them) {
    velo_format *f = fmt_new("csv", (const char *const[]){"header=false", NULL});
    const char *names[] = {"a", "skip", "b"};
    velo_type types[] = {T(BIGINT), T(BIGINT), T(VARCHAR)};
    velo_schema *s = schema_of(3, names, types);
    f->ops->project(f, (const uint8_t[]){1, 0, 1}, 3);
    velo_batch *b = velo_batch_new(s, 4);
    decode_ok(f, s, b, 0, "5,not a number,x");
    cr_assert_eq(VELO_VEC(&b->cols[0], int64_t)[0], 5);
    cr_assert(!velo_vector_is_valid(&b->cols[1], 0));
    cr_assert(str_is(str_at(b, 2, 0), "x"));
    decode_fails(f, s, "5,6", "expected 3 fields, found 2");
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, fast_integer_and_decimal_paths_agree_with_the_general_reader) {
    velo_format *f = fmt_new("jsonl", NULL);
    const char *names[] = {"i", "d"};
    velo_type types[] = {T(BIGINT), velo_type_decimal(20, 4)};
    velo_schema *s = schema_of(2, names, types);
    velo_batch *b = velo_batch_new(s, 16);
    const char *recs[] = {
        "{\"i\": 0, \"d\": 0}",
        "{\"i\": -0, \"d\": -0.0}",
        "{\"i\": 999999999999999999, \"d\": 12345678901234.5678}",    /* 18 digits: fast */
        "{\"i\": 9223372036854775807, \"d\": 1234567890123456.1234}", /* 19-20 digits: general path */
        "{\"i\": -9223372036854775808, \"d\": -0.0001}",
        "{\"i\": \"42\", \"d\": \"1.5\"}", /* quoted numbers */
        "{\"i\": 1e2, \"d\": 2.5e1}",      /* exponents: general path */
    };
    const int64_t want_i[] = {0, 0, 999999999999999999LL, INT64_MAX, INT64_MIN, 42, 0};
    const velo_i128 want_d[] = {
        0, 0, (velo_i128)123456789012345678LL, (velo_i128)12345678901234561234ULL, -1, 15000, 250000};
    for (uint32_t r = 0; r < 6; r++) {
        decode_ok(f, s, b, r, recs[r]);
        cr_assert_eq(VELO_VEC(&b->cols[0], int64_t)[r], want_i[r], "row %u", r);
        cr_assert(VELO_VEC(&b->cols[1], velo_i128)[r] == want_d[r], "row %u", r);
    }
    decode_fails(f, s, recs[6], "column 'i': expected BIGINT, found 1e2");
    decode_fails(f, s, "{\"d\": 1.23456}", "column 'd': value '1.23456' has more than 4 decimal places");
    decode_fails(f, s, "{\"d\": 1234567890123456789.1}",
                 "column 'd': expected DECIMAL(20,4), found 1234567890123456789.1 (too many integer digits)");
    decode_fails(f, s, "{\"i\": 012}", "at byte 7: expected ',' or '}'");
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}

Test(jsonl, iso_timestamps_with_a_cached_date_match_the_general_parser) {
    velo_format *f = fmt_new("jsonl", NULL);
    const char *names[] = {"ts"};
    velo_type types[] = {T(TIMESTAMP)};
    velo_schema *s = schema_of(1, names, types);
    velo_batch *b = velo_batch_new(s, 16);
    const char *vals[] = {
        "2026-11-24T10:00:59Z",        "2026-11-24T10:00:59.5Z", "2026-11-24T23:59:59.1234567Z",
        "2026-11-25T00:00:00.000001Z", "2024-02-29T12:00:00Z",   "2026-11-24T10:00:59+01:00",
        "2026-11-24 10:00:59",         "2026-11-24T10:00:60Z",   "9999-12-31T23:59:59.999999Z"};
    for (uint32_t r = 0; r < 9; r++) {
        char rec[128];
        snprintf(rec, sizeof rec, "{\"ts\": \"%s\"}", vals[r]);
        decode_ok(f, s, b, r, rec);
        int64_t want;
        cr_assert(velo_parse_timestamp(vals[r], strlen(vals[r]), &want), "%s", vals[r]);
        cr_assert_eq(VELO_VEC(&b->cols[0], int64_t)[r], want, "%s", vals[r]);
    }
    decode_fails(f, s, "{\"ts\": \"2026-02-30T10:00:00Z\"}",
                 "column 'ts': expected TIMESTAMP, found \"2026-02-30T10:00:00Z\"");
    decode_fails(f, s, "{\"ts\": \"2026-11-24T24:00:00Z\"}",
                 "column 'ts': expected TIMESTAMP, found \"2026-11-24T24:00:00Z\"");
    velo_batch_free(b);
    velo_schema_free(s);
    f->ops->destroy(f);
}
