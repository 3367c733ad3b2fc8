/* A growable byte buffer (like Redis's sds, but plain): output encoding, messages, printing. */
#ifndef VELO_CORE_STRBUF_H
#define VELO_CORE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct velo_strbuf {
    char *data; /* always NUL-terminated when cap > 0 */
    size_t len;
    size_t cap;
} velo_strbuf;

void velo_strbuf_init(velo_strbuf *b);
void velo_strbuf_free(velo_strbuf *b);
void velo_strbuf_clear(velo_strbuf *b);
/* Appends; aborts the process on out-of-memory (the only allocation failure we do not report:
 * output buffers are small and bounded by the batch size). */
void velo_strbuf_append(velo_strbuf *b, const char *s, size_t n);
void velo_strbuf_puts(velo_strbuf *b, const char *s);
void velo_strbuf_putc(velo_strbuf *b, char c);
void velo_strbuf_printf(velo_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void velo_strbuf_reserve(velo_strbuf *b, size_t extra);

#endif
