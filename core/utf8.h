/* UTF-8 encoding of one code point, shared by the string functions, the JSON functions and the
 * JSON-lines decoder (\uXXXX escapes). */
#ifndef VELO_CORE_UTF8_H
#define VELO_CORE_UTF8_H

#include <stdint.h>

/* Writes cp (<= 0x10FFFF) as 1 to 4 bytes at out; returns how many. */
static inline uint32_t velo_utf8_encode(uint32_t cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the valid UTF-8 sequence at s (n bytes available): 1-4, or 0 when the bytes there are
 * not valid UTF-8 (overlong forms, surrogates and code points above U+10FFFF are invalid). */
static inline uint32_t velo_utf8_seq(const unsigned char *s, uint32_t n) {
    unsigned c = s[0];
#define VELO_UTF8_CONT(b) (((b)&0xC0) == 0x80)
    uint32_t k = 0;
    if (c < 0x80) {
        k = 1;
    } else if (c < 0xC2) {
        k = 0; /* continuation byte or overlong 2-byte lead */
    } else if (c < 0xE0) {
        k = n >= 2 && VELO_UTF8_CONT(s[1]) ? 2 : 0;
    } else if (c < 0xF0) {
        k = n >= 3 && VELO_UTF8_CONT(s[1]) && VELO_UTF8_CONT(s[2]) && !(c == 0xE0 && s[1] < 0xA0) &&
                    !(c == 0xED && s[1] >= 0xA0) /* overlong; UTF-16 surrogates */
                ? 3
                : 0;
    } else if (c < 0xF5) {
        k = n >= 4 && VELO_UTF8_CONT(s[1]) && VELO_UTF8_CONT(s[2]) && VELO_UTF8_CONT(s[3]) &&
                    !(c == 0xF0 && s[1] < 0x90) && !(c == 0xF4 && s[1] >= 0x90) /* overlong; > U+10FFFF */
                ? 4
                : 0;
    }
#undef VELO_UTF8_CONT
    return k;
}

#endif
