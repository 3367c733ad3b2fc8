/* Reference semantics of SQL operators on boxed values (core/scalar.h). Numbers: BIGINT op BIGINT
 * stays BIGINT (overflow is an error, division truncates toward zero as in PostgreSQL), anything
 * with DOUBLE is DOUBLE, otherwise DECIMAL with the rules of core/decimal.h. */
#include "core/scalar.h"

#include <errno.h>
#include <math.h>
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/decimal.h"
#include "core/json_text.h"
#include "core/temporal.h"

velo_value velo_value_bool(bool b) {
    velo_value v = {.type = velo_type_make(VELO_TYPE_BOOLEAN), .is_null = false};
    v.u.b = b;
    return v;
}
velo_value velo_value_i64(int64_t x) {
    velo_value v = {.type = velo_type_make(VELO_TYPE_BIGINT), .is_null = false};
    v.u.i64 = x;
    return v;
}
velo_value velo_value_f64(double x) {
    velo_value v = {.type = velo_type_make(VELO_TYPE_DOUBLE), .is_null = false};
    v.u.f64 = x;
    return v;
}
velo_value velo_value_str(const char *s, uint32_t len) {
    velo_value v = {.type = velo_type_make(VELO_TYPE_VARCHAR), .is_null = false};
    v.u.str.ptr = s;
    v.u.str.len = len;
    return v;
}
velo_value velo_value_dec(velo_i128 unscaled, uint8_t precision, uint8_t scale) {
    velo_value v = {.type = velo_type_decimal(precision, scale), .is_null = false};
    v.u.dec = unscaled;
    return v;
}

static const char *tname(velo_type t, char *buf) { return velo_type_format(t, buf, 32); }

/* BIGINT seen as a decimal: 19 digits hold every int64. */
static velo_type as_decimal(velo_type t) {
    if (t.id == VELO_TYPE_BIGINT) return velo_type_decimal(19, 0);
    return t;
}

static bool is_temporal(velo_type_id id) {
    return id == VELO_TYPE_TIMESTAMP || id == VELO_TYPE_DATE || id == VELO_TYPE_INTERVAL;
}

velo_status velo_arith_result_type(velo_arith_op op, velo_type a, velo_type b, velo_type *out,
                                   velo_error *err) {
    static const char *const sym[] = {"+", "-", "*", "/", "%"};
    char b1[32], b2[32];
    if (a.id == VELO_TYPE_ANY || b.id == VELO_TYPE_ANY) {
        *out = velo_type_make(VELO_TYPE_ANY);
        return VELO_OK;
    }
    if (a.id == VELO_TYPE_NULL) a = b.id == VELO_TYPE_NULL ? velo_type_make(VELO_TYPE_BIGINT) : b;
    if (b.id == VELO_TYPE_NULL) b = a;
    if (velo_type_is_numeric(a) && velo_type_is_numeric(b)) {
        if (a.id == VELO_TYPE_DOUBLE || b.id == VELO_TYPE_DOUBLE) {
            *out = velo_type_make(VELO_TYPE_DOUBLE);
        } else if (a.id == VELO_TYPE_BIGINT && b.id == VELO_TYPE_BIGINT) {
            *out = a;
        } else {
            velo_type da = as_decimal(a), db = as_decimal(b);
            uint8_t p, s;
            static const velo_decimal_op dop[] = {VELO_DEC_ADD, VELO_DEC_SUB, VELO_DEC_MUL, VELO_DEC_DIV,
                                                  VELO_DEC_MOD};
            velo_status st = velo_decimal_result_type(dop[op], da.precision, da.scale, db.precision, db.scale,
                                                      &p, &s, err);
            if (st) return st;
            *out = velo_type_decimal(p, s);
        }
        return VELO_OK;
    }
    if (is_temporal(a.id) || is_temporal(b.id)) {
        velo_type_id x = a.id, y = b.id;
        if (op == VELO_ARITH_ADD || op == VELO_ARITH_SUB) {
            if ((x == VELO_TYPE_TIMESTAMP && y == VELO_TYPE_INTERVAL) ||
                (op == VELO_ARITH_ADD && x == VELO_TYPE_INTERVAL && y == VELO_TYPE_TIMESTAMP)) {
                *out = velo_type_make(VELO_TYPE_TIMESTAMP);
                return VELO_OK;
            }
            if (x == VELO_TYPE_TIMESTAMP && y == VELO_TYPE_TIMESTAMP && op == VELO_ARITH_SUB) {
                *out = velo_type_make(VELO_TYPE_INTERVAL);
                return VELO_OK;
            }
            if (x == VELO_TYPE_INTERVAL && y == VELO_TYPE_INTERVAL) {
                *out = a;
                return VELO_OK;
            }
            if (x == VELO_TYPE_DATE && (y == VELO_TYPE_BIGINT || y == VELO_TYPE_INTERVAL)) {
                *out = velo_type_make(y == VELO_TYPE_BIGINT ? VELO_TYPE_DATE : VELO_TYPE_TIMESTAMP);
                return VELO_OK;
            }
            if (x == VELO_TYPE_DATE && y == VELO_TYPE_DATE && op == VELO_ARITH_SUB) {
                *out = velo_type_make(VELO_TYPE_BIGINT);
                return VELO_OK;
            }
            /* the original dialect's epoch milliseconds: BIGINT +/- INTERVAL -> BIGINT epoch ms */
            if ((x == VELO_TYPE_BIGINT && y == VELO_TYPE_INTERVAL) ||
                (op == VELO_ARITH_ADD && x == VELO_TYPE_INTERVAL && y == VELO_TYPE_BIGINT)) {
                *out = velo_type_make(VELO_TYPE_BIGINT);
                return VELO_OK;
            }
        }
        if (op == VELO_ARITH_MUL && ((x == VELO_TYPE_INTERVAL && y == VELO_TYPE_BIGINT) ||
                                     (y == VELO_TYPE_INTERVAL && x == VELO_TYPE_BIGINT))) {
            *out = velo_type_make(VELO_TYPE_INTERVAL);
            return VELO_OK;
        }
    }
    return velo_error_set(err, VELO_ERR_BIND, "operator %s does not apply to %s and %s", sym[op],
                          tname(a, b1), tname(b, b2));
}

velo_status velo_common_type(velo_type a, velo_type b, velo_type *out, velo_error *err) {
    char b1[32], b2[32];
    if (a.id == VELO_TYPE_ANY || b.id == VELO_TYPE_ANY) {
        *out = velo_type_make(VELO_TYPE_ANY);
        return VELO_OK;
    }
    if (a.id == VELO_TYPE_NULL) {
        *out = b;
        return VELO_OK;
    }
    if (b.id == VELO_TYPE_NULL || velo_type_equal(a, b)) {
        *out = a;
        return VELO_OK;
    }
    if (velo_type_is_numeric(a) && velo_type_is_numeric(b)) {
        if (a.id == VELO_TYPE_DOUBLE || b.id == VELO_TYPE_DOUBLE) {
            *out = velo_type_make(VELO_TYPE_DOUBLE);
        } else {
            velo_type da = as_decimal(a), db = as_decimal(b);
            int s = da.scale > db.scale ? da.scale : db.scale;
            int ia = da.precision - da.scale, ib = db.precision - db.scale;
            int p = (ia > ib ? ia : ib) + s;
            if (p > VELO_DECIMAL_MAX_PRECISION) p = VELO_DECIMAL_MAX_PRECISION;
            if (s > p) s = p;
            *out = velo_type_decimal((uint8_t)p, (uint8_t)s);
        }
        return VELO_OK;
    }
    velo_type_id x = a.id, y = b.id;
    if ((x == VELO_TYPE_TIMESTAMP && (y == VELO_TYPE_VARCHAR || y == VELO_TYPE_DATE)) ||
        (y == VELO_TYPE_TIMESTAMP && (x == VELO_TYPE_VARCHAR || x == VELO_TYPE_DATE))) {
        *out = velo_type_make(VELO_TYPE_TIMESTAMP);
        return VELO_OK;
    }
    if ((x == VELO_TYPE_DATE && y == VELO_TYPE_VARCHAR) || (y == VELO_TYPE_DATE && x == VELO_TYPE_VARCHAR)) {
        *out = velo_type_make(VELO_TYPE_DATE);
        return VELO_OK;
    }
    if ((x == VELO_TYPE_VARCHAR && y == VELO_TYPE_BYTES) ||
        (x == VELO_TYPE_BYTES && y == VELO_TYPE_VARCHAR)) {
        *out = velo_type_make(VELO_TYPE_BYTES);
        return VELO_OK;
    }
    return velo_error_set(err, VELO_ERR_BIND, "cannot compare %s with %s", tname(a, b1), tname(b, b2));
}

/* ---- text ---- */

/* Shortest text that reads back as the same double; plain digits below 1e16, NaN/Infinity spelled out. */
uint32_t velo_double_format(double d, char *out) {
    /* formatted in a local buffer: GCC's format-truncation check cannot see the caller's size */
    char buf[32];
    int n = 0;
    if (isnan(d)) {
        n = snprintf(buf, sizeof buf, "NaN");
    } else if (isinf(d)) {
        n = snprintf(buf, sizeof buf, "%s", d < 0 ? "-Infinity" : "Infinity");
    } else {
        for (int prec = 1; prec <= 17; prec++) {
            n = snprintf(buf, sizeof buf, "%.*g", prec, d);
            if (strtod(buf, NULL) == d) break;
        }
        /* %g switches to an exponent once the digits run out ("1e+02" for 100): below 1e16 plain
         * digits read better and still round-trip */
        char *e = strchr(buf, 'e');
        if (e && atoi(e + 1) >= 0 && atoi(e + 1) < 16) {
            char plain[32];
            int m = snprintf(plain, sizeof plain, "%.0f", d);
            if (strtod(plain, NULL) == d) {
                memcpy(buf, plain, (size_t)m + 1);
                n = m;
            }
        }
    }
    memcpy(out, buf, (size_t)n + 1);
    return (uint32_t)n;
}

velo_status velo_value_to_text(const velo_value *v, velo_arena *arena, velo_str *out, velo_error *err) {
    char buf[64];
    size_t n = 0;
    switch (v->type.id) {
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: *out = v->u.str; return VELO_OK;
    case VELO_TYPE_BOOLEAN: n = (size_t)snprintf(buf, sizeof buf, "%s", v->u.b ? "true" : "false"); break;
    case VELO_TYPE_BIGINT: n = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)v->u.i64); break;
    case VELO_TYPE_DOUBLE: n = velo_double_format(v->u.f64, buf); break;
    case VELO_TYPE_DECIMAL: n = velo_decimal_format(v->u.dec, v->type.scale, buf); break;
    case VELO_TYPE_TIMESTAMP: n = velo_format_timestamp(v->u.i64, buf); break;
    case VELO_TYPE_DATE: n = velo_format_date(v->u.date, buf); break;
    case VELO_TYPE_INTERVAL: n = velo_format_interval(v->u.iv, buf); break;
    case VELO_TYPE_LIST:
    case VELO_TYPE_MAP:
    case VELO_TYPE_STRUCT: return velo_json_text(v, arena, out, err); /* ["a",1], {"k":"v"} */
    default: return velo_error_set(err, VELO_ERR_CAST, "cannot convert a value of this type to text");
    }
    char *p = velo_arena_strndup(arena, buf, n);
    if (!p) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    out->ptr = p;
    out->len = (uint32_t)n;
    return VELO_OK;
}

/* ---- casts ---- */

static velo_status cast_error(const velo_value *in, velo_type target, velo_error *err) {
    char b1[32], shown[80];
    if (in->type.id == VELO_TYPE_VARCHAR)
        snprintf(shown, sizeof shown, "'%.*s'", (int)(in->u.str.len > 60 ? 60 : in->u.str.len),
                 in->u.str.ptr);
    else
        snprintf(shown, sizeof shown, "a %s value", tname(in->type, b1));
    char b2[32];
    return velo_error_set(err, VELO_ERR_CAST, "cannot cast %s to %s", shown, tname(target, b2));
}

static bool parse_bool_text(const char *s, uint32_t n, bool *out) {
    while (n && s[0] == ' ')
        s++, n--;
    while (n && s[n - 1] == ' ')
        n--;
    static const char *const t[] = {"true", "t", "yes", "y", "1", "on"};
    static const char *const f[] = {"false", "f", "no", "n", "0", "off"};
    for (unsigned i = 0; i < 6; i++) {
        if (strlen(t[i]) == n && strncasecmp(s, t[i], n) == 0) return *out = true, true;
        if (strlen(f[i]) == n && strncasecmp(s, f[i], n) == 0) return *out = false, true;
    }
    return false;
}

static velo_status cast_to_bigint(const velo_value *in, int64_t *out, velo_error *err) {
    switch (in->type.id) {
    case VELO_TYPE_BIGINT: *out = in->u.i64; return VELO_OK;
    case VELO_TYPE_BOOLEAN: *out = in->u.b; return VELO_OK;
    case VELO_TYPE_DOUBLE: {
        double r = round(in->u.f64); /* half away from zero, as for decimals */
        if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
            return velo_error_set(err, VELO_ERR_OVERFLOW, "DOUBLE value %g is out of range for BIGINT",
                                  in->u.f64);
        *out = (int64_t)r;
        return VELO_OK;
    }
    case VELO_TYPE_DECIMAL: return velo_decimal_to_i64(in->u.dec, in->type.scale, out, err);
    case VELO_TYPE_VARCHAR: {
        velo_decimal d;
        if (velo_decimal_parse(in->u.str.ptr, in->u.str.len, &d, NULL) != VELO_OK)
            return cast_error(in, velo_type_make(VELO_TYPE_BIGINT), err);
        return velo_decimal_to_i64(d.unscaled, d.scale, out, err);
    }
    default: return cast_error(in, velo_type_make(VELO_TYPE_BIGINT), err);
    }
}

velo_status velo_value_cast(const velo_value *in, velo_type target, velo_arena *arena, velo_value *out,
                            velo_error *err) {
    if (in->is_null || in->type.id == VELO_TYPE_NULL) {
        *out = velo_value_null();
        out->type = target;
        return VELO_OK;
    }
    if (target.id == VELO_TYPE_ANY || velo_type_equal(in->type, target)) {
        *out = *in;
        return VELO_OK;
    }
    out->type = target;
    out->is_null = false;
    velo_status st = VELO_OK;
    switch (target.id) {
    case VELO_TYPE_BOOLEAN:
        if (in->type.id == VELO_TYPE_BIGINT)
            out->u.b = in->u.i64 != 0;
        else if (in->type.id == VELO_TYPE_VARCHAR &&
                 parse_bool_text(in->u.str.ptr, in->u.str.len, &out->u.b)) {
        } else
            return cast_error(in, target, err);
        return VELO_OK;
    case VELO_TYPE_BIGINT: return cast_to_bigint(in, &out->u.i64, err);
    case VELO_TYPE_DOUBLE:
        switch (in->type.id) {
        case VELO_TYPE_BIGINT: out->u.f64 = (double)in->u.i64; return VELO_OK;
        case VELO_TYPE_BOOLEAN: out->u.f64 = in->u.b; return VELO_OK;
        case VELO_TYPE_DECIMAL:
            out->u.f64 = velo_decimal_to_double(in->u.dec, in->type.scale);
            return VELO_OK;
        case VELO_TYPE_VARCHAR: {
            char buf[128];
            uint32_t n = in->u.str.len;
            if (n == 0 || n >= sizeof buf) return cast_error(in, target, err);
            memcpy(buf, in->u.str.ptr, n);
            buf[n] = '\0';
            char *end;
            errno = 0;
            double d = strtod(buf, &end);
            while (*end == ' ')
                end++;
            if (*end || end == buf) return cast_error(in, target, err);
            out->u.f64 = d;
            return VELO_OK;
        }
        default: return cast_error(in, target, err);
        }
    case VELO_TYPE_DECIMAL:
        switch (in->type.id) {
        case VELO_TYPE_BIGINT:
            return velo_decimal_from_i64(in->u.i64, target.precision, target.scale, &out->u.dec, err);
        case VELO_TYPE_BOOLEAN:
            return velo_decimal_from_i64(in->u.b, target.precision, target.scale, &out->u.dec, err);
        case VELO_TYPE_DOUBLE:
            return velo_decimal_from_double(in->u.f64, target.precision, target.scale, &out->u.dec, err);
        case VELO_TYPE_DECIMAL:
            return velo_decimal_rescale(in->u.dec, in->type.scale, target.precision, target.scale,
                                        &out->u.dec, err);
        case VELO_TYPE_VARCHAR:
            st = velo_decimal_parse_as(in->u.str.ptr, in->u.str.len, target.precision, target.scale,
                                       &out->u.dec, err);
            if (st == VELO_ERR_CAST) return cast_error(in, target, err);
            return st;
        default: return cast_error(in, target, err);
        }
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: return velo_value_to_text(in, arena, &out->u.str, err);
    case VELO_TYPE_TIMESTAMP:
        switch (in->type.id) {
        case VELO_TYPE_VARCHAR:
            if (!velo_parse_timestamp(in->u.str.ptr, in->u.str.len, &out->u.i64))
                return cast_error(in, target, err);
            return VELO_OK;
        case VELO_TYPE_DATE: out->u.i64 = (int64_t)in->u.date * VELO_MICROS_PER_DAY; return VELO_OK;
        case VELO_TYPE_BIGINT: /* epoch milliseconds, as the original product's timestamps */
            if (__builtin_mul_overflow(in->u.i64, INT64_C(1000), &out->u.i64))
                return velo_error_set(err, VELO_ERR_OVERFLOW,
                                      "epoch milliseconds %lld out of TIMESTAMP range", (long long)in->u.i64);
            return VELO_OK;
        default: return cast_error(in, target, err);
        }
    case VELO_TYPE_DATE:
        switch (in->type.id) {
        case VELO_TYPE_VARCHAR: {
            int64_t ts;
            if (velo_parse_date(in->u.str.ptr, in->u.str.len, &out->u.date)) return VELO_OK;
            if (!velo_parse_timestamp(in->u.str.ptr, in->u.str.len, &ts)) return cast_error(in, target, err);
            out->u.date = (int32_t)(ts >= 0 ? ts / VELO_MICROS_PER_DAY
                                            : -((-ts + VELO_MICROS_PER_DAY - 1) / VELO_MICROS_PER_DAY));
            return VELO_OK;
        }
        case VELO_TYPE_TIMESTAMP: {
            int64_t ts = in->u.i64;
            out->u.date = (int32_t)(ts >= 0 ? ts / VELO_MICROS_PER_DAY
                                            : -((-ts + VELO_MICROS_PER_DAY - 1) / VELO_MICROS_PER_DAY));
            return VELO_OK;
        }
        default: return cast_error(in, target, err);
        }
    default: return cast_error(in, target, err);
    }
}

/* Mirrors the switch of velo_value_cast: keep the two in step. */
bool velo_type_can_cast(velo_type from, velo_type to) {
    velo_type_id f = from.id;
    if (f == VELO_TYPE_NULL || f == VELO_TYPE_ANY || to.id == VELO_TYPE_ANY || f == to.id) return true;
    bool num = f == VELO_TYPE_BIGINT || f == VELO_TYPE_DOUBLE || f == VELO_TYPE_DECIMAL;
    switch (to.id) {
    case VELO_TYPE_BOOLEAN: return f == VELO_TYPE_BIGINT || f == VELO_TYPE_VARCHAR;
    case VELO_TYPE_BIGINT:
    case VELO_TYPE_DOUBLE:
    case VELO_TYPE_DECIMAL: return num || f == VELO_TYPE_BOOLEAN || f == VELO_TYPE_VARCHAR;
    case VELO_TYPE_VARCHAR:
    case VELO_TYPE_BYTES: return true; /* nested values as JSON text */
    case VELO_TYPE_TIMESTAMP: return f == VELO_TYPE_VARCHAR || f == VELO_TYPE_DATE || f == VELO_TYPE_BIGINT;
    case VELO_TYPE_DATE: return f == VELO_TYPE_VARCHAR || f == VELO_TYPE_TIMESTAMP;
    default: return false;
    }
}

/* ---- arithmetic ---- */

static velo_status i64_arith(velo_arith_op op, int64_t a, int64_t b, int64_t *out, velo_error *err) {
    static const char *const sym[] = {"+", "-", "*", "/", "%"};
    bool ovf = false;
    switch (op) {
    case VELO_ARITH_ADD: ovf = __builtin_add_overflow(a, b, out); break;
    case VELO_ARITH_SUB: ovf = __builtin_sub_overflow(a, b, out); break;
    case VELO_ARITH_MUL: ovf = __builtin_mul_overflow(a, b, out); break;
    case VELO_ARITH_DIV:
    case VELO_ARITH_MOD:
        if (b == 0)
            return velo_error_set(err, VELO_ERR_DIV_ZERO, "division by zero: %lld %s 0", (long long)a,
                                  sym[op]);
        if (a == INT64_MIN && b == -1) {
            if (op == VELO_ARITH_MOD) return *out = 0, VELO_OK;
            ovf = true;
            break;
        }
        *out = op == VELO_ARITH_DIV ? a / b : a % b;
        break;
    }
    if (ovf)
        return velo_error_set(err, VELO_ERR_OVERFLOW, "BIGINT overflow: %lld %s %lld does not fit BIGINT",
                              (long long)a, sym[op], (long long)b);
    return VELO_OK;
}

static velo_status f64_arith(velo_arith_op op, double a, double b, double *out, velo_error *err) {
    switch (op) {
    case VELO_ARITH_ADD: *out = a + b; break;
    case VELO_ARITH_SUB: *out = a - b; break;
    case VELO_ARITH_MUL: *out = a * b; break;
    case VELO_ARITH_DIV:
        if (b == 0) return velo_error_set(err, VELO_ERR_DIV_ZERO, "division by zero: %g / 0", a);
        *out = a / b;
        break;
    case VELO_ARITH_MOD:
        if (b == 0) return velo_error_set(err, VELO_ERR_DIV_ZERO, "division by zero: %g %% 0", a);
        *out = fmod(a, b);
        break;
    }
    return VELO_OK;
}

static velo_status temporal_arith(velo_arith_op op, const velo_value *a, const velo_value *b, velo_value *out,
                                  velo_error *err) {
    velo_type_id x = a->type.id, y = b->type.id;
    int sign = op == VELO_ARITH_SUB ? -1 : 1;
    out->is_null = false;
    if (x == VELO_TYPE_INTERVAL && y == VELO_TYPE_TIMESTAMP) {
        const velo_value *t = a;
        a = b;
        b = t;
        x = VELO_TYPE_TIMESTAMP;
        y = VELO_TYPE_INTERVAL;
    }
    if ((x == VELO_TYPE_TIMESTAMP || x == VELO_TYPE_DATE) && y == VELO_TYPE_INTERVAL) {
        int64_t ts = x == VELO_TYPE_DATE ? (int64_t)a->u.date * VELO_MICROS_PER_DAY : a->u.i64;
        out->type = velo_type_make(VELO_TYPE_TIMESTAMP);
        if (!velo_timestamp_add_interval(ts, b->u.iv, sign, &out->u.i64))
            return velo_error_set(err, VELO_ERR_OVERFLOW, "TIMESTAMP out of range");
        return VELO_OK;
    }
    if (x == VELO_TYPE_TIMESTAMP && y == VELO_TYPE_TIMESTAMP) {
        out->type = velo_type_make(VELO_TYPE_INTERVAL);
        out->u.iv.months = 0;
        out->u.iv.days = 0;
        if (__builtin_sub_overflow(a->u.i64, b->u.i64, &out->u.iv.micros))
            return velo_error_set(err, VELO_ERR_OVERFLOW, "INTERVAL out of range");
        return VELO_OK;
    }
    if (x == VELO_TYPE_INTERVAL && y == VELO_TYPE_INTERVAL) {
        out->type = a->type;
        out->u.iv.months = a->u.iv.months + sign * b->u.iv.months;
        out->u.iv.days = a->u.iv.days + sign * b->u.iv.days;
        out->u.iv.micros = a->u.iv.micros + sign * b->u.iv.micros;
        return VELO_OK;
    }
    if (x == VELO_TYPE_INTERVAL && y == VELO_TYPE_BIGINT && op == VELO_ARITH_ADD) {
        const velo_value *t = a;
        a = b;
        b = t;
        x = VELO_TYPE_BIGINT;
        y = VELO_TYPE_INTERVAL;
    }
    if (x == VELO_TYPE_BIGINT && y == VELO_TYPE_INTERVAL) {
        /* epoch milliseconds: added as a TIMESTAMP (months and days by the calendar, UTC), back to ms */
        int64_t us, r;
        if (__builtin_mul_overflow(a->u.i64, 1000, &us) ||
            !velo_timestamp_add_interval(us, b->u.iv, sign, &r))
            return velo_error_set(err, VELO_ERR_OVERFLOW, "epoch milliseconds out of range");
        *out = velo_value_i64(r / 1000 - (r % 1000 < 0));
        return VELO_OK;
    }
    if (x == VELO_TYPE_DATE && y == VELO_TYPE_BIGINT) {
        out->type = velo_type_make(VELO_TYPE_DATE);
        out->u.date = (int32_t)(a->u.date + sign * b->u.i64);
        return VELO_OK;
    }
    if (x == VELO_TYPE_DATE && y == VELO_TYPE_DATE) {
        *out = velo_value_i64((int64_t)a->u.date - b->u.date);
        return VELO_OK;
    }
    if (op == VELO_ARITH_MUL && (x == VELO_TYPE_INTERVAL || y == VELO_TYPE_INTERVAL)) {
        const velo_value *iv = x == VELO_TYPE_INTERVAL ? a : b;
        int64_t k = x == VELO_TYPE_INTERVAL ? b->u.i64 : a->u.i64;
        out->type = velo_type_make(VELO_TYPE_INTERVAL);
        out->u.iv.months = (int32_t)(iv->u.iv.months * k);
        out->u.iv.days = (int32_t)(iv->u.iv.days * k);
        if (__builtin_mul_overflow(iv->u.iv.micros, k, &out->u.iv.micros))
            return velo_error_set(err, VELO_ERR_OVERFLOW, "INTERVAL out of range");
        return VELO_OK;
    }
    char b1[32], b2[32];
    return velo_error_set(err, VELO_ERR_CAST, "operator does not apply to %s and %s", tname(a->type, b1),
                          tname(b->type, b2));
}

velo_status velo_value_arith(velo_arith_op op, const velo_value *a, const velo_value *b, velo_type result,
                             velo_arena *arena, velo_value *out, velo_error *err) {
    if (a->is_null || b->is_null || a->type.id == VELO_TYPE_NULL || b->type.id == VELO_TYPE_NULL) {
        *out = velo_value_null();
        out->type = result;
        return VELO_OK;
    }
    if (result.id == VELO_TYPE_ANY) {
        velo_status st = velo_arith_result_type(op, a->type, b->type, &result, err);
        if (st) return st == VELO_ERR_BIND ? VELO_ERR_CAST : st;
    }
    out->type = result;
    out->is_null = false;
    switch (result.id) {
    case VELO_TYPE_BIGINT:
        if (a->type.id == VELO_TYPE_DATE || b->type.id == VELO_TYPE_DATE ||
            a->type.id == VELO_TYPE_INTERVAL || b->type.id == VELO_TYPE_INTERVAL)
            return temporal_arith(op, a, b, out, err);
        return i64_arith(op, a->u.i64, b->u.i64, &out->u.i64, err);
    case VELO_TYPE_DOUBLE: {
        velo_value x, y;
        velo_status st = velo_value_cast(a, result, arena, &x, err);
        if (!st) st = velo_value_cast(b, result, arena, &y, err);
        if (st) return st;
        return f64_arith(op, x.u.f64, y.u.f64, &out->u.f64, err);
    }
    case VELO_TYPE_DECIMAL: {
        velo_decimal x, y;
        if (a->type.id == VELO_TYPE_BIGINT)
            x = (velo_decimal){a->u.i64, 19, 0};
        else
            x = (velo_decimal){a->u.dec, a->type.precision, a->type.scale};
        if (b->type.id == VELO_TYPE_BIGINT)
            y = (velo_decimal){b->u.i64, 19, 0};
        else
            y = (velo_decimal){b->u.dec, b->type.precision, b->type.scale};
        static const velo_decimal_op dop[] = {VELO_DEC_ADD, VELO_DEC_SUB, VELO_DEC_MUL, VELO_DEC_DIV,
                                              VELO_DEC_MOD};
        return velo_decimal_arith(dop[op], x, y, result.precision, result.scale, &out->u.dec, err);
    }
    default: return temporal_arith(op, a, b, out, err);
    }
}

static int cmp3(double a, double b) { return (a > b) - (a < b); }

static bool is_nested(velo_type_id id) {
    return id == VELO_TYPE_LIST || id == VELO_TYPE_MAP || id == VELO_TYPE_STRUCT;
}

static int str_cmp(velo_str a, velo_str b) {
    uint32_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c == 0) c = (a.len > b.len) - (a.len < b.len);
    return (c > 0) - (c < 0);
}

/* Elements in order; a NULL element equals NULL and sorts after any value. */
static velo_status compare_items(const velo_value *a, const velo_value *b, int *cmp, velo_error *err) {
    bool an = a->is_null || a->type.id == VELO_TYPE_NULL, bn = b->is_null || b->type.id == VELO_TYPE_NULL;
    if (an || bn) {
        *cmp = an - bn;
        return VELO_OK;
    }
    return velo_value_compare(a, b, cmp, err);
}

/* Entry order of a MAP/STRUCT by key, as a permutation (insertion sort: objects are small). */
static void sort_by_key(const velo_value *v, uint32_t *perm) {
    for (uint32_t i = 0; i < v->u.nested.count; i++) {
        uint32_t j = i;
        for (; j > 0 && str_cmp(v->u.nested.names[perm[j - 1]], v->u.nested.names[i]) > 0; j--)
            perm[j] = perm[j - 1];
        perm[j] = i;
    }
}

/* LIST with LIST: element by element, then the shorter first. MAP/STRUCT with MAP/STRUCT: the
 * entries in key order (so {a:1,b:2} equals {b:2,a:1}), key then value, then the fewer entries
 * first; unnamed STRUCT fields compare by position. */
static velo_status compare_nested(const velo_value *a, const velo_value *b, int *cmp, velo_error *err) {
    uint32_t na = a->u.nested.count, nb = b->u.nested.count, n = na < nb ? na : nb;
    bool keyed = a->type.id != VELO_TYPE_LIST && a->u.nested.names && b->u.nested.names;
    uint32_t stack[32], *pa = NULL, *pb = NULL;
    if (keyed) {
        pa = na + nb <= 32 ? stack : mi_malloc(sizeof *pa * (na + nb));
        if (!pa) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        pb = pa + na;
        sort_by_key(a, pa);
        sort_by_key(b, pb);
    }
    velo_status st = VELO_OK;
    int c = 0;
    for (uint32_t i = 0; !st && c == 0 && i < n; i++) {
        uint32_t ia = keyed ? pa[i] : i, ib = keyed ? pb[i] : i;
        if (keyed) c = str_cmp(a->u.nested.names[ia], b->u.nested.names[ib]);
        if (c == 0) st = compare_items(&a->u.nested.items[ia], &b->u.nested.items[ib], &c, err);
    }
    if (pa && pa != stack) mi_free(pa);
    if (st) return st;
    *cmp = c ? c : (na > nb) - (na < nb);
    return VELO_OK;
}

velo_status velo_value_compare(const velo_value *a, const velo_value *b, int *cmp, velo_error *err) {
    velo_type_id x = a->type.id, y = b->type.id;
    if (x == y) {
        switch (x) {
        case VELO_TYPE_BOOLEAN: *cmp = (int)a->u.b - (int)b->u.b; return VELO_OK;
        case VELO_TYPE_BIGINT:
        case VELO_TYPE_TIMESTAMP: *cmp = (a->u.i64 > b->u.i64) - (a->u.i64 < b->u.i64); return VELO_OK;
        case VELO_TYPE_DATE: *cmp = (a->u.date > b->u.date) - (a->u.date < b->u.date); return VELO_OK;
        case VELO_TYPE_DOUBLE: *cmp = cmp3(a->u.f64, b->u.f64); return VELO_OK;
        case VELO_TYPE_DECIMAL:
            *cmp = velo_decimal_cmp(a->u.dec, a->type.scale, b->u.dec, b->type.scale);
            return VELO_OK;
        case VELO_TYPE_VARCHAR:
        case VELO_TYPE_BYTES: *cmp = str_cmp(a->u.str, b->u.str); return VELO_OK;
        case VELO_TYPE_INTERVAL: {
            /* months as 30 days, as PostgreSQL orders intervals */
            __int128 ma = (__int128)a->u.iv.months * 30 * VELO_MICROS_PER_DAY +
                          (__int128)a->u.iv.days * VELO_MICROS_PER_DAY + a->u.iv.micros;
            __int128 mb = (__int128)b->u.iv.months * 30 * VELO_MICROS_PER_DAY +
                          (__int128)b->u.iv.days * VELO_MICROS_PER_DAY + b->u.iv.micros;
            *cmp = (ma > mb) - (ma < mb);
            return VELO_OK;
        }
        default: break;
        }
    }
    if (is_nested(x) && is_nested(y) && (x == VELO_TYPE_LIST) == (y == VELO_TYPE_LIST))
        return compare_nested(a, b, cmp, err);
    velo_type common;
    velo_status st = velo_common_type(a->type, b->type, &common, err);
    if (st) return st == VELO_ERR_BIND ? VELO_ERR_CAST : st;
    if (common.id == VELO_TYPE_DECIMAL) {
        velo_i128 va = x == VELO_TYPE_BIGINT ? (velo_i128)a->u.i64 : a->u.dec;
        velo_i128 vb = y == VELO_TYPE_BIGINT ? (velo_i128)b->u.i64 : b->u.dec;
        *cmp = velo_decimal_cmp(va, x == VELO_TYPE_BIGINT ? 0 : a->type.scale, vb,
                                y == VELO_TYPE_BIGINT ? 0 : b->type.scale);
        return VELO_OK;
    }
    if (common.id == VELO_TYPE_ANY || (common.id == x && common.id == y)) {
        char b1[32], b2[32];
        return velo_error_set(err, VELO_ERR_CAST, "cannot compare %s with %s", tname(a->type, b1),
                              tname(b->type, b2));
    }
    velo_value ca, cb;
    velo_arena tmp;
    velo_arena_init(&tmp, 256);
    st = velo_value_cast(a, common, &tmp, &ca, err);
    if (!st) st = velo_value_cast(b, common, &tmp, &cb, err);
    if (!st) st = velo_value_compare(&ca, &cb, cmp, err);
    velo_arena_free(&tmp);
    return st;
}

bool velo_value_equal_nullsafe(const velo_value *a, const velo_value *b) {
    bool an = a->is_null || a->type.id == VELO_TYPE_NULL, bn = b->is_null || b->type.id == VELO_TYPE_NULL;
    if (an || bn) return an && bn;
    int c;
    if (velo_value_compare(a, b, &c, NULL) != VELO_OK) return false;
    return c == 0;
}
