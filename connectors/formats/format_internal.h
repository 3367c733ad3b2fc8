/* Pieces shared by the text formats (csv.c, jsonl.c), implemented in format.c: the format
 * registry entries, UTF-8 checks, the text -> value parsers every format accepts the same way,
 * and the type inference lattice, so CSV and JSON infer and read numbers identically. */
#ifndef VELO_CONNECTORS_FORMAT_INTERNAL_H
#define VELO_CONNECTORS_FORMAT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "connectors/formats/format.h"
#include "core/scalar.h"
#include "core/strbuf.h"
#include "velo/types.h"

extern const velo_format_ops velo_csv_format_ops;
extern const velo_format_ops velo_jsonl_format_ops;

/* Length of the valid UTF-8 sequence at s[0..n) (1..4), or 0 if it is not valid UTF-8
 * (overlong forms, surrogates and code points above U+10FFFF are invalid). */
uint32_t velo_fmt_utf8_seq(const unsigned char *s, uint32_t n);
/* True if s[0..n) is valid UTF-8; otherwise *bad_at is the offset of the first bad byte. */
bool velo_fmt_utf8_valid(const char *s, uint32_t n, uint32_t *bad_at);

/* Numbers as text: [+-]digits[.digits][(e|E)[+-]digits], spaces and tabs around ignored. */
typedef enum velo_num_kind {
    VELO_NUM_NONE = 0, /* not a number */
    VELO_NUM_INT,      /* no fraction, no exponent */
    VELO_NUM_FRAC,     /* a fraction, no exponent */
    VELO_NUM_EXP,      /* an exponent */
} velo_num_kind;

typedef struct velo_num_info {
    velo_num_kind kind;
    int scale;      /* digits after the point minus the exponent, at least 0 */
    int int_digits; /* significant digits before the point (leading zeros not counted) */
    bool fits_i64;  /* INT only: the value fits a BIGINT (then i64 holds it) */
    int64_t i64;
} velo_num_info;

velo_num_kind velo_fmt_number(const char *s, uint32_t n, velo_num_info *out);

/* Text -> value conversions shared by all text formats. All ignore surrounding spaces/tabs. */
bool velo_fmt_parse_bool(const char *s, uint32_t n, bool *out); /* true/false, any case */
bool velo_fmt_parse_i64(const char *s, uint32_t n, int64_t *out);
/* A number, or NaN / Infinity / -Infinity; false on overflow to infinity. */
bool velo_fmt_parse_double(const char *s, uint32_t n, double *out);
/* ISO-8601 (core/temporal.h) limited to years 0000..9999, so every value read can be written
 * back and read again. */
bool velo_fmt_parse_timestamp(const char *s, uint32_t n, int64_t *out);
bool velo_fmt_timestamp_in_range(int64_t micros);

typedef enum velo_fmt_dec_result {
    VELO_FMT_DEC_OK = 0,
    VELO_FMT_DEC_BAD,      /* not a number */
    VELO_FMT_DEC_SCALE,    /* more fraction digits than the type's scale (we never round input) */
    VELO_FMT_DEC_OVERFLOW, /* the integer part does not fit the precision */
} velo_fmt_dec_result;
velo_fmt_dec_result velo_fmt_parse_decimal(const char *s, uint32_t n, velo_type t, velo_i128 *out);

/* Standard base64 with padding (BYTES in JSON). decode returns false on bad input; out must hold
 * n / 4 * 3 bytes. */
void velo_fmt_base64_encode(const unsigned char *s, uint32_t n, velo_strbuf *out);
bool velo_fmt_base64_decode(const char *s, uint32_t n, unsigned char *out, uint32_t *out_len);

/* A value excerpt for error messages: at most 60 bytes, control bytes shown as '?'. */
const char *velo_fmt_excerpt(const char *s, uint32_t n, char *buf, uint32_t size);

/* Type inference over sampled values: each value marks what it looks like; the column type is
 * the narrowest type every non-NULL value reads as (docs/connectors/formats.md). */
enum {
    VELO_SEEN_INT = 1,
    VELO_SEEN_FRAC = 2,
    VELO_SEEN_EXP = 4,
    VELO_SEEN_BOOL = 8,
    VELO_SEEN_TIMESTAMP = 16,
    VELO_SEEN_DATE = 32,
    VELO_SEEN_TEXT = 64,
    VELO_SEEN_NESTED = 128,
};

typedef struct velo_fmt_infer_col {
    unsigned seen;
    int max_scale;
    int max_int_digits;
    bool big_int; /* an integer that does not fit BIGINT */
} velo_fmt_infer_col;

void velo_fmt_infer_number(velo_fmt_infer_col *c, const velo_num_info *ni);
/* Text from a CSV field: number, boolean, date, timestamp or text. */
void velo_fmt_infer_text(velo_fmt_infer_col *c, const char *s, uint32_t n);
velo_type velo_fmt_infer_type(const velo_fmt_infer_col *c);

/* JSON text of a boxed value (nested values as arrays/objects). */
void velo_fmt_json_boxed(const velo_value *v, velo_strbuf *out);

#endif
