/* Bump-pointer arenas (state/arena.h). Blocks come from mimalloc; a reset keeps one block so a
 * batch that is reused every cycle does not go back to the allocator. */
#include "state/arena.h"

#include <mimalloc.h>

#include "state/tsan.h"

#ifdef VELO_TSAN
char velo_tsan_heap_sync; /* an address for TSan annotations, never read or written */
#endif
#include <string.h>

struct velo_arena_block {
    velo_arena_block *next;
    size_t size;
    size_t used;
    _Alignas(16) unsigned char data[];
};

void velo_arena_init(velo_arena *a, size_t block_size) {
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
    a->bytes_allocated = 0;
}

static velo_arena_block *block_new(velo_arena *a, size_t min) {
    size_t size = a->block_size > min ? a->block_size : min;
    velo_arena_block *b = mi_malloc(sizeof *b + size);
    VELO_TSAN_ALLOCATED();
    if (!b) return NULL;
    b->size = size;
    b->used = 0;
    b->next = a->head;
    a->head = b;
    a->bytes_allocated += size;
    return b;
}

void *velo_arena_alloc(velo_arena *a, size_t n) {
    size_t align = n >= 16 ? 16 : 8;
    velo_arena_block *b = a->head;
    if (b) {
        size_t off = (b->used + align - 1) & ~(align - 1);
        if (off + n <= b->size) {
            b->used = off + n;
            return b->data + off;
        }
    }
    b = block_new(a, n);
    if (!b) return NULL;
    b->used = n;
    return b->data;
}

void *velo_arena_calloc(velo_arena *a, size_t n) {
    void *p = velo_arena_alloc(a, n);
    if (p) memset(p, 0, n);
    return p;
}

char *velo_arena_strndup(velo_arena *a, const char *s, size_t n) {
    char *p = velo_arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *velo_arena_strdup(velo_arena *a, const char *s) { return velo_arena_strndup(a, s, strlen(s)); }

void velo_arena_reset(velo_arena *a) {
    velo_arena_block *keep = NULL;
    velo_arena_block *b = a->head;
    while (b) {
        velo_arena_block *next = b->next;
        if (!next && b->size == a->block_size) {
            keep = b; /* the oldest default-sized block is reused */
        } else {
            VELO_TSAN_FREEING();
            mi_free(b);
        }
        b = next;
    }
    a->head = keep;
    a->bytes_allocated = 0;
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
        a->bytes_allocated = keep->size;
    }
}

void velo_arena_free(velo_arena *a) {
    velo_arena_block *b = a->head;
    a->head = NULL;
    a->bytes_allocated = 0;
    while (b) {
        velo_arena_block *next = b->next;
        VELO_TSAN_FREEING();
        mi_free(b);
        b = next;
    }
}
