/* Bump-pointer arenas on mimalloc: allocate many small things, free them all at once.
 * Used for per-batch strings, AST nodes, and per-core window state freed when a window closes. */
#ifndef VELO_STATE_ARENA_H
#define VELO_STATE_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct velo_arena_block velo_arena_block;

typedef struct velo_arena {
    velo_arena_block *head;  /* current block (newest first) */
    size_t block_size;       /* default size of a new block */
    size_t bytes_allocated;  /* total bytes of blocks held (for state accounting) */
} velo_arena;

void velo_arena_init(velo_arena *a, size_t block_size);
/* Returns 8-byte (16 for n >= 16) aligned memory, or NULL when out of memory. */
void *velo_arena_alloc(velo_arena *a, size_t n);
void *velo_arena_calloc(velo_arena *a, size_t n);
/* Copies n bytes and returns the copy (NUL-terminated, not counted in n). */
char *velo_arena_strndup(velo_arena *a, const char *s, size_t n);
char *velo_arena_strdup(velo_arena *a, const char *s);
/* Frees every allocation but keeps the first block for reuse. */
void velo_arena_reset(velo_arena *a);
void velo_arena_free(velo_arena *a);

#endif
