/* Exact DECIMAL(p,s) arithmetic on 128-bit unscaled integers (see core/decimal.h).
 * Every operation works on sign + magnitude: the exact result is built as an unsigned 256-bit
 * magnitude at some scale, then one function (fit) rounds it half away from zero to the target
 * scale and checks it against 10^precision. Nothing wraps and nothing allocates. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decimal.h"

typedef unsigned __int128 u128;

/* A 256-bit unsigned magnitude as two 128-bit halves. Hand-written because intermediates of
 * 38-digit operands (a product, a dividend rescaled by up to 10^76, values aligned to a common
 * scale) need up to 77 digits: no Debian C library offers a 256-bit integer with overflow checks,
 * and GMP would allocate in the per-row path. */
typedef struct u256 {
    u128 hi, lo;
} u256;

#define E19    10000000000000000000ULL
#define P19(k) ((u128)E19 * k##ULL)

/* 10^0 .. 10^38; 10^38 < 2^127, so every entry is also a valid velo_i128. */
static const u128 pow10_table[39] = {
    1ULL,
    10ULL,
    100ULL,
    1000ULL,
    10000ULL,
    100000ULL,
    1000000ULL,
    10000000ULL,
    100000000ULL,
    1000000000ULL,
    10000000000ULL,
    100000000000ULL,
    1000000000000ULL,
    10000000000000ULL,
    100000000000000ULL,
    1000000000000000ULL,
    10000000000000000ULL,
    100000000000000000ULL,
    1000000000000000000ULL,
    E19,
    P19(10),
    P19(100),
    P19(1000),
    P19(10000),
    P19(100000),
    P19(1000000),
    P19(10000000),
    P19(100000000),
    P19(1000000000),
    P19(10000000000),
    P19(100000000000),
    P19(1000000000000),
    P19(10000000000000),
    P19(100000000000000),
    P19(1000000000000000),
    P19(10000000000000000),
    P19(100000000000000000),
    P19(1000000000000000000),
    P19(10000000000000000000),
};

#define MAXP VELO_DECIMAL_MAX_PRECISION

velo_i128 velo_decimal_pow10(int n) { return n >= 0 && n <= MAXP ? (velo_i128)pow10_table[n] : 0; }

/* |v| without overflow: the magnitude of INT128_MIN is 2^127, which fits a u128. */
static u128 magnitude(velo_i128 v) { return v < 0 ? (u128)0 - (u128)v : (u128)v; }

static int digits_u128(u128 m) {
    int n = 1;
    while (n <= MAXP && m >= pow10_table[n])
        n++;
    return n;
}

int velo_decimal_digits(velo_i128 v) { return digits_u128(magnitude(v)); }

/* ---- 256-bit helpers ------------------------------------------------------------------------ */

static u256 u256_of(u128 v) { return (u256){0, v}; }
static bool u256_is_zero(u256 a) { return a.hi == 0 && a.lo == 0; }

static int u256_cmp(u256 a, u256 b) {
    if (a.hi != b.hi) return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo) return a.lo < b.lo ? -1 : 1;
    return 0;
}

static u256 u256_add(u256 a, u256 b) { /* callers guarantee no carry out of 256 bits */
    u256 r = {a.hi + b.hi, a.lo + b.lo};
    if (r.lo < a.lo) r.hi++;
    return r;
}

static u256 u256_sub(u256 a, u256 b) { /* requires a >= b */
    u256 r = {a.hi - b.hi, a.lo - b.lo};
    if (a.lo < b.lo) r.hi--;
    return r;
}

/* Full 128 x 128 -> 256 product, by 64-bit limbs. */
static u256 u128_mul_wide(u128 a, u128 b) {
    const u128 m64 = (u128)UINT64_MAX;
    u128 a0 = a & m64, a1 = a >> 64, b0 = b & m64, b1 = b >> 64;
    u128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    u128 mid = (p00 >> 64) + (p01 & m64) + (p10 & m64); /* < 3 * 2^64, no overflow */
    u256 r;
    r.lo = (p00 & m64) | (mid << 64);
    r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    return r;
}

/* a * m; returns false when the product does not fit 256 bits. */
static bool u256_mul(u256 a, u128 m, u256 *out) {
    u256 lo = u128_mul_wide(a.lo, m);
    u256 hi = u128_mul_wide(a.hi, m);
    if (hi.hi != 0) return false;
    u128 top = lo.hi + hi.lo;
    if (top < lo.hi) return false;
    *out = (u256){top, lo.lo};
    return true;
}

/* a * 10^n for any n >= 0; false on overflow of 256 bits. */
static bool u256_mul_pow10(u256 a, int n, u256 *out) {
    while (n > 0) {
        int k = n > MAXP ? MAXP : n;
        if (!u256_mul(a, pow10_table[k], &a)) return false;
        n -= k;
    }
    *out = a;
    return true;
}

/* Quotient and remainder of a / d for d != 0. The high half goes through native division; the
 * low half is long division by bits, where the running remainder stays below d < 2^128. */
static u256 u256_divmod(u256 a, u128 d, u128 *rem) {
    u256 q = {a.hi / d, 0};
    u128 r = a.hi % d;
    if (r == 0) {
        q.lo = a.lo / d;
        *rem = a.lo % d;
        return q;
    }
    for (int i = 127; i >= 0; i--) {
        bool carry = (r >> 127) != 0; /* r < d; 2r + bit may need 129 bits */
        r = (r << 1) | ((a.lo >> i) & 1);
        if (carry || r >= d) {
            r -= d;
            q.lo |= (u128)1 << i;
        }
    }
    *rem = r;
    return q;
}

/* a / 10^n truncated, for any n >= 0. floor(floor(a/x)/y) == floor(a/(x*y)), so steps compose. */
static u256 u256_div_pow10(u256 a, int n) {
    u128 rem;
    while (n > 0 && !u256_is_zero(a)) {
        int k = n > MAXP ? MAXP : n;
        a = u256_divmod(a, pow10_table[k], &rem);
        n -= k;
    }
    return n > 0 ? u256_of(0) : a;
}

/* ---- the single place where results are rounded and checked -------------------------------- */

/* Rounds neg * m / 10^scale half away from zero to `rs` digits of scale and checks it fits
 * DECIMAL(rp, rs). Returns false on overflow. */
static bool fit(bool neg, u256 m, int scale, int rp, int rs, velo_i128 *out) {
    if (rp < 1 || rp > MAXP || rs > rp) return false;
    if (rs >= scale) {
        if (!u256_mul_pow10(m, rs - scale, &m)) return false;
    } else {
        /* keep one extra digit: the first dropped digit decides rounding (>= 5 rounds up) */
        u256 t = u256_div_pow10(m, scale - rs - 1);
        u128 last;
        m = u256_divmod(t, 10, &last);
        if (last >= 5) m = u256_add(m, u256_of(1));
    }
    if (m.hi != 0 || m.lo >= pow10_table[rp]) return false;
    *out = neg ? -(velo_i128)m.lo : (velo_i128)m.lo;
    return true;
}

/* ---- text ----------------------------------------------------------------------------------- */

size_t velo_decimal_format(velo_i128 unscaled, uint8_t scale, char *buf) {
    if (scale > MAXP) { /* not a valid DECIMAL type; refuse rather than overrun buf */
        memcpy(buf, "?", 2);
        return 1;
    }
    char digits[48];
    int n = 0;
    u128 m = magnitude(unscaled);
    do {
        digits[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m != 0);
    while (n <= scale)
        digits[n++] = '0'; /* at least one digit before the point */
    size_t len = 0;
    if (unscaled < 0) buf[len++] = '-'; /* zero never gets a sign: no "-0" */
    for (int i = n - 1; i >= 0; i--) {
        buf[len++] = digits[i];
        if (i == scale && scale > 0) buf[len++] = '.';
    }
    buf[len] = '\0';
    return len;
}

/* A number as written: significant digits text[dig..] (leading zeros skipped, the point skipped),
 * nsig of them, and value = digits * 10^exp10. */
typedef struct numtext {
    bool neg;
    const char *p, *end; /* digits region, may contain one '.' */
    int64_t nsig;        /* significant digits, counting from the first non-zero one */
    int64_t exp10;       /* exponent applying to the last digit */
} numtext;

static bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Exponents are clamped far beyond anything meaningful so that arithmetic on them never overflows;
 * a clamped exponent still yields the right answer (0 or an overflow). */
#define EXP_CLAMP 1000000000LL

static bool scan_number(const char *s, size_t len, numtext *nt) {
    size_t i = 0, n = len;
    while (n > 0 && is_space(s[n - 1]))
        n--;
    while (i < n && is_space(s[i]))
        i++;
    nt->neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) nt->neg = s[i++] == '-';
    nt->p = s + i;
    int64_t ndig = 0, nfrac = 0;
    bool point = false;
    nt->nsig = 0;
    for (; i < n; i++) {
        if (is_digit(s[i])) {
            ndig++;
            if (point) nfrac++;
            if (nt->nsig > 0 || s[i] != '0') nt->nsig++;
        } else if (s[i] == '.' && !point) {
            point = true;
        } else {
            break;
        }
    }
    nt->end = s + i;
    if (ndig == 0) return false;
    int64_t e = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        if (i >= n || !is_digit(s[i])) return false;
        for (; i < n && is_digit(s[i]); i++)
            if (e < EXP_CLAMP) e = e * 10 + (s[i] - '0');
        if (eneg) e = -e;
    }
    if (i != n) return false;
    nt->exp10 = e - nfrac;
    return true;
}

/* Accumulates the first `count` significant digits (count <= 39, so the value fits a u128) and
 * reports the digit right after them (0 when there is none), which decides rounding. */
static u128 take_digits(const numtext *nt, int64_t count, int *next) {
    u128 v = 0;
    int64_t taken = 0;
    bool started = false;
    *next = 0;
    for (const char *c = nt->p; c < nt->end; c++) {
        if (*c == '.') continue;
        if (!started && *c == '0') continue;
        started = true;
        if (taken == count) {
            *next = *c - '0';
            break;
        }
        v = v * 10 + (u128)(*c - '0');
        taken++;
    }
    return v;
}

static int clip_len(size_t len) { return len > 120 ? 120 : (int)len; }

static velo_status invalid_text(const char *text, size_t len, velo_error *err) {
    return velo_error_set(err, VELO_ERR_CAST, "invalid DECIMAL '%.*s'", clip_len(len), text);
}

velo_status velo_decimal_parse(const char *text, size_t len, velo_decimal *out, velo_error *err) {
    numtext nt;
    if (!scan_number(text, len, &nt)) return invalid_text(text, len, err);
    int64_t scale = nt.exp10 < 0 ? -nt.exp10 : 0;
    int64_t shift = nt.exp10 + scale; /* >= 0: zeros appended to the significant digits */
    int64_t digits = nt.nsig == 0 ? 1 : nt.nsig + shift;
    int64_t precision = digits > scale ? digits : scale;
    if (precision > MAXP)
        return velo_error_set(
            err, VELO_ERR_OVERFLOW,
            "DECIMAL overflow: '%.*s' needs more than %d digits (DECIMAL(38,s) is the widest)", clip_len(len),
            text, MAXP);
    int next;
    u128 m = take_digits(&nt, nt.nsig, &next) * (nt.nsig == 0 ? 1 : pow10_table[shift]);
    out->unscaled = nt.neg ? -(velo_i128)m : (velo_i128)m;
    out->precision = (uint8_t)precision;
    out->scale = (uint8_t)scale;
    return VELO_OK;
}

velo_status velo_decimal_parse_as(const char *text, size_t len, uint8_t precision, uint8_t scale,
                                  velo_i128 *out, velo_error *err) {
    numtext nt;
    if (!scan_number(text, len, &nt)) return invalid_text(text, len, err);
    /* target unscaled = digits * 10^shift, rounded */
    int64_t shift = nt.exp10 + scale;
    int64_t keep = nt.nsig + shift; /* digits of the result before rounding */
    u128 m = 0;
    bool ok = true;
    if (nt.nsig > 0 && keep > MAXP) {
        ok = false; /* at least 10^39 before rounding */
    } else if (nt.nsig > 0 && keep > 0) {
        int next;
        m = take_digits(&nt, keep < nt.nsig ? keep : nt.nsig, &next);
        if (shift > 0) m *= pow10_table[shift];
        if (next >= 5) m++;
    } else if (nt.nsig > 0 && keep == 0) {
        int next;
        take_digits(&nt, 0, &next);
        m = next >= 5;
    }
    if (ok) ok = fit(nt.neg, u256_of(m), scale, precision, scale, out);
    if (!ok)
        return velo_error_set(err, VELO_ERR_OVERFLOW, "DECIMAL overflow: '%.*s' does not fit DECIMAL(%d,%d)",
                              clip_len(len), text, precision, scale);
    return VELO_OK;
}

/* ---- types ---------------------------------------------------------------------------------- */

static bool valid_type(int p, int s) { return p >= 1 && p <= MAXP && s >= 0 && s <= p; }

velo_status velo_decimal_result_type(velo_decimal_op op, uint8_t p1, uint8_t s1, uint8_t p2, uint8_t s2,
                                     uint8_t *p, uint8_t *s, velo_error *err) {
    if (!valid_type(p1, s1) || !valid_type(p2, s2))
        return velo_error_set(err, VELO_ERR_INVALID,
                              "invalid DECIMAL operand type DECIMAL(%d,%d) or DECIMAL(%d,%d)", p1, s1, p2,
                              s2);
    int i1 = p1 - s1, i2 = p2 - s2, rp, rs;
    switch (op) {
    case VELO_DEC_ADD:
    case VELO_DEC_SUB: /* DuckDB: one carry digit, precision capped, scale kept */
        rs = s1 > s2 ? s1 : s2;
        rp = (i1 > i2 ? i1 : i2) + rs + 1;
        if (rp > MAXP) rp = MAXP;
        break;
    case VELO_DEC_MUL:
        rp = p1 + p2;
        rs = s1 + s2;
        break;
    case VELO_DEC_DIV: /* Spark / SQL Server */
        rs = s1 + p2 + 1;
        if (rs < 6) rs = 6;
        rp = i1 + s2 + rs;
        break;
    case VELO_DEC_MOD: /* |a % b| < |b| and <= |a|: never more integer digits than either */
        rs = s1 > s2 ? s1 : s2;
        rp = (i1 < i2 ? i1 : i2) + rs;
        break;
    default: return velo_error_set(err, VELO_ERR_INVALID, "unknown DECIMAL operator %d", (int)op);
    }
    if (rp > MAXP) {
        /* Spark's precision-loss adjustment: keep the integer digits, give up scale digits but
         * keep at least 6 of them (or all if fewer). When the integer digits alone exceed 38 the
         * type is still DECIMAL(38, min(s,6)) and large values fail at run time as overflow. */
        int intdigits = rp - rs;
        int keep = MAXP - intdigits;
        if (keep < 6) keep = 6;
        if (rs > keep) rs = keep;
        rp = MAXP;
    }
    *p = (uint8_t)rp;
    *s = (uint8_t)rs;
    return VELO_OK;
}

/* ---- arithmetic ----------------------------------------------------------------------------- */

static const char op_symbol[] = {'+', '-', '*', '/', '%'};

/* Exact a / b at scale rs, as a magnitude (the quotient's sign is handled by the caller). */
static bool div_magnitude(u128 am, int sa, u128 bm, int sb, int rs, u256 *q) {
    /* result = am * 10^(sb + rs - sa) / bm, rounded */
    int e = sb + rs - sa;
    u128 rem, d;
    if (e >= 0) {
        u256 n;
        if (!u256_mul_pow10(u256_of(am), e, &n)) return false; /* >= 2^256 / 2^128: far too big */
        d = bm;
        *q = u256_divmod(n, d, &rem);
    } else {
        if (__builtin_mul_overflow(bm, pow10_table[-e], &d)) { /* -e <= 38 as sa <= 38 */
            *q = u256_of(0); /* divisor >= 2^128 > 2 * am: the quotient rounds to 0 */
            return true;
        }
        *q = u256_of(am / d);
        rem = am % d;
    }
    if (rem >= d - rem) *q = u256_add(*q, u256_of(1)); /* remainder >= half: away from zero */
    return true;
}

/* a % b (sign of a) at scale max(sa, sb), as a magnitude. */
static u256 mod_magnitude(u128 am, int sa, u128 bm, int sb, int *scale) {
    u128 rem;
    if (sb >= sa) {
        u256 a;
        u256_mul_pow10(u256_of(am), sb - sa, &a); /* < 2^128 * 10^38: always fits */
        *scale = sb;
        u256_divmod(a, bm, &rem);
        return u256_of(rem);
    }
    *scale = sa;
    u128 b;
    if (__builtin_mul_overflow(bm, pow10_table[sa - sb], &b)) return u256_of(am); /* |b| > |a| */
    return u256_of(am % b);
}

velo_status velo_decimal_arith(velo_decimal_op op, velo_decimal a, velo_decimal b, uint8_t rp, uint8_t rs,
                               velo_i128 *out, velo_error *err) {
    if ((unsigned)op > VELO_DEC_MOD || a.scale > MAXP || b.scale > MAXP || !valid_type(rp, rs))
        return velo_error_set(err, VELO_ERR_INVALID, "invalid DECIMAL operation: result type DECIMAL(%d,%d)",
                              rp, rs);
    bool an = a.unscaled < 0, bn = b.unscaled < 0;
    u128 am = magnitude(a.unscaled), bm = magnitude(b.unscaled);
    bool neg = false, ok = true;
    u256 m = u256_of(0);
    int scale = 0;
    switch (op) {
    case VELO_DEC_ADD:
    case VELO_DEC_SUB: {
        if (op == VELO_DEC_SUB) bn = !bn;
        scale = a.scale > b.scale ? a.scale : b.scale;
        u256 x, y; /* each < 2^128 * 10^38 < 2^255, so their sum fits */
        u256_mul_pow10(u256_of(am), scale - a.scale, &x);
        u256_mul_pow10(u256_of(bm), scale - b.scale, &y);
        if (an == bn) {
            m = u256_add(x, y);
            neg = an;
        } else if (u256_cmp(x, y) >= 0) {
            m = u256_sub(x, y);
            neg = an;
        } else {
            m = u256_sub(y, x);
            neg = bn;
        }
        break;
    }
    case VELO_DEC_MUL:
        m = u128_mul_wide(am, bm);
        scale = a.scale + b.scale;
        neg = an != bn;
        break;
    case VELO_DEC_DIV:
        if (bm == 0) return velo_error_set(err, VELO_ERR_DIV_ZERO, "division by zero");
        ok = div_magnitude(am, a.scale, bm, b.scale, rs, &m);
        scale = rs;
        neg = an != bn;
        break;
    case VELO_DEC_MOD:
        if (bm == 0) return velo_error_set(err, VELO_ERR_DIV_ZERO, "division by zero");
        m = mod_magnitude(am, a.scale, bm, b.scale, &scale);
        neg = an;
        break;
    }
    if (u256_is_zero(m)) neg = false;
    if (ok && fit(neg, m, scale, rp, rs, out)) return VELO_OK;
    char ta[VELO_DECIMAL_STR_MAX], tb[VELO_DECIMAL_STR_MAX];
    velo_decimal_format(a.unscaled, a.scale, ta);
    velo_decimal_format(b.unscaled, b.scale, tb);
    return velo_error_set(err, VELO_ERR_OVERFLOW, "DECIMAL overflow: %s %c %s does not fit DECIMAL(%d,%d)",
                          ta, op_symbol[op], tb, rp, rs);
}

int velo_decimal_cmp(velo_i128 a, uint8_t sa, velo_i128 b, uint8_t sb) {
    int sign_a = (a > 0) - (a < 0), sign_b = (b > 0) - (b < 0);
    if (sign_a != sign_b || sign_a == 0) return sign_a < sign_b ? -1 : sign_a > sign_b;
    int scale = sa > sb ? sa : sb;
    u256 x, y; /* scales are at most 255, but a magnitude times 10^(>77) no longer fits: clamp */
    bool fx = u256_mul_pow10(u256_of(magnitude(a)), scale - sa, &x);
    bool fy = u256_mul_pow10(u256_of(magnitude(b)), scale - sb, &y);
    int c = !fx ? (fy ? 1 : 0) : !fy ? -1 : u256_cmp(x, y);
    return sign_a < 0 ? -c : c;
}

velo_status velo_decimal_rescale(velo_i128 v, uint8_t from_scale, uint8_t to_precision, uint8_t to_scale,
                                 velo_i128 *out, velo_error *err) {
    if (fit(v < 0, u256_of(magnitude(v)), from_scale, to_precision, to_scale, out)) return VELO_OK;
    char t[VELO_DECIMAL_STR_MAX];
    velo_decimal_format(v, from_scale, t);
    return velo_error_set(err, VELO_ERR_OVERFLOW, "DECIMAL overflow: %s does not fit DECIMAL(%d,%d)", t,
                          to_precision, to_scale);
}

/* ---- casts ---------------------------------------------------------------------------------- */

velo_status velo_decimal_from_i64(int64_t v, uint8_t precision, uint8_t scale, velo_i128 *out,
                                  velo_error *err) {
    u128 m = v < 0 ? (u128)0 - (u128)(velo_i128)v : (u128)v;
    if (fit(v < 0, u256_of(m), 0, precision, scale, out)) return VELO_OK;
    return velo_error_set(err, VELO_ERR_OVERFLOW, "DECIMAL overflow: %lld does not fit DECIMAL(%d,%d)",
                          (long long)v, precision, scale);
}

velo_status velo_decimal_to_i64(velo_i128 v, uint8_t scale, int64_t *out, velo_error *err) {
    velo_i128 r;
    /* round to scale 0 within DECIMAL(38,0); 2^63 has 19 digits so the range check follows */
    if (fit(v < 0, u256_of(magnitude(v)), scale, MAXP, 0, &r) && r >= INT64_MIN && r <= INT64_MAX) {
        *out = (int64_t)r;
        return VELO_OK;
    }
    char t[VELO_DECIMAL_STR_MAX];
    velo_decimal_format(v, scale, t);
    return velo_error_set(err, VELO_ERR_OVERFLOW, "BIGINT overflow: %s does not fit BIGINT", t);
}

velo_status velo_decimal_from_double(double d, uint8_t precision, uint8_t scale, velo_i128 *out,
                                     velo_error *err) {
    if (!isfinite(d))
        return velo_error_set(err, VELO_ERR_CAST, "cannot cast DOUBLE %s to DECIMAL(%d,%d)",
                              isnan(d) ? "NaN"
                              : d > 0  ? "Infinity"
                                       : "-Infinity",
                              precision, scale);
    char buf[40];
    int n = 0;
    for (int digits = 1; digits <= 17; digits++) { /* 17 significant digits always round-trip */
        n = snprintf(buf, sizeof buf, "%.*g", digits, d);
        if (strtod(buf, NULL) == d) break;
    }
    return velo_decimal_parse_as(buf, (size_t)n, precision, scale, out, err);
}

double velo_decimal_to_double(velo_i128 v, uint8_t scale) {
    char buf[VELO_DECIMAL_STR_MAX];
    velo_decimal_format(v, scale, buf);
    return strtod(buf, NULL);
}
