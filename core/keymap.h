/* Byte-keyed hash map to one 64-bit value: the join index and primary-key map of core/join_op.c and
 * the value set of a materialized IN (subquery). Keys are encoded SQL values (core/keys.h), hashed
 * with XXH3, stored back to back in one growing buffer; open addressing, at most half full. */
#ifndef VELO_CORE_KEYMAP_H
#define VELO_CORE_KEYMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/strbuf.h"

#define VELO_KEYMAP_NONE UINT64_MAX

typedef struct velo_keymap_slot {
    uint64_t hash;
    uint64_t off; /* key bytes at keys.data + off; empty slot when len == 0 (a key is never empty) */
    uint32_t len;
    uint64_t val;
} velo_keymap_slot;

typedef struct velo_keymap {
    velo_keymap_slot *slots;
    uint64_t nslots, nused;
    velo_strbuf keys;
} velo_keymap;

void velo_keymap_init(velo_keymap *m);
void velo_keymap_free(velo_keymap *m);
uint64_t velo_keymap_hash(const char *k, uint32_t len);
/* The slot of key k, or NULL. */
velo_keymap_slot *velo_keymap_find(const velo_keymap *m, const char *k, uint32_t len, uint64_t h);
/* The slot of key k, inserted with val VELO_KEYMAP_NONE when absent (*found false); NULL when out of
 * memory. The pointer is valid until the next insert. */
velo_keymap_slot *velo_keymap_upsert(velo_keymap *m, const char *k, uint32_t len, uint64_t h, bool *found);
/* Bytes held (state accounting). */
uint64_t velo_keymap_bytes(const velo_keymap *m);

#endif
