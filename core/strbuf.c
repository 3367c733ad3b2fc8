/* Growable byte buffer (core/strbuf.h). */
#include "core/strbuf.h"

#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void velo_strbuf_init(velo_strbuf *b) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void velo_strbuf_free(velo_strbuf *b) {
    mi_free(b->data);
    velo_strbuf_init(b);
}

void velo_strbuf_clear(velo_strbuf *b) {
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void velo_strbuf_reserve(velo_strbuf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = mi_realloc(b->data, cap);
    if (!p) {
        fputs("velo: out of memory growing an output buffer\n", stderr);
        abort();
    }
    b->data = p;
    b->cap = cap;
}

void velo_strbuf_append(velo_strbuf *b, const char *s, size_t n) {
    velo_strbuf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void velo_strbuf_puts(velo_strbuf *b, const char *s) { velo_strbuf_append(b, s, strlen(s)); }

void velo_strbuf_putc(velo_strbuf *b, char c) { velo_strbuf_append(b, &c, 1); }

void velo_strbuf_printf(velo_strbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        velo_strbuf_append(b, tmp, (size_t)n);
        return;
    }
    velo_strbuf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}
