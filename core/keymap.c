/* Byte-keyed hash map (core/keymap.h): linear probing over a power-of-two slot array. */
#include "core/keymap.h"

#include <mimalloc.h>
#include <string.h>
#include <xxhash.h>

void velo_keymap_init(velo_keymap *m) {
    memset(m, 0, sizeof *m);
    velo_strbuf_init(&m->keys);
}

void velo_keymap_free(velo_keymap *m) {
    mi_free(m->slots);
    velo_strbuf_free(&m->keys);
    memset(m, 0, sizeof *m);
}

uint64_t velo_keymap_hash(const char *k, uint32_t len) { return XXH3_64bits(k, len); }

static bool grow(velo_keymap *m) {
    uint64_t n = m->nslots ? m->nslots * 2 : 1024;
    velo_keymap_slot *ns = mi_zalloc(sizeof *ns * n);
    if (!ns) return false;
    for (uint64_t i = 0; i < m->nslots; i++) {
        if (!m->slots[i].len) continue;
        uint64_t j = m->slots[i].hash & (n - 1);
        while (ns[j].len)
            j = (j + 1) & (n - 1);
        ns[j] = m->slots[i];
    }
    mi_free(m->slots);
    m->slots = ns;
    m->nslots = n;
    return true;
}

velo_keymap_slot *velo_keymap_find(const velo_keymap *m, const char *k, uint32_t len, uint64_t h) {
    if (!m->nslots) return NULL;
    for (uint64_t j = h & (m->nslots - 1);; j = (j + 1) & (m->nslots - 1)) {
        velo_keymap_slot *s = &m->slots[j];
        if (!s->len) return NULL;
        if (s->hash == h && s->len == len && !memcmp(m->keys.data + s->off, k, len)) return s;
    }
}

velo_keymap_slot *velo_keymap_upsert(velo_keymap *m, const char *k, uint32_t len, uint64_t h, bool *found) {
    velo_keymap_slot *s = velo_keymap_find(m, k, len, h);
    *found = s != NULL;
    if (s) return s;
    if ((m->nused + 1) * 2 > m->nslots && !grow(m)) return NULL;
    uint64_t j = h & (m->nslots - 1);
    while (m->slots[j].len)
        j = (j + 1) & (m->nslots - 1);
    m->slots[j] = (velo_keymap_slot){h, m->keys.len, len, VELO_KEYMAP_NONE};
    velo_strbuf_append(&m->keys, k, len);
    m->nused++;
    return &m->slots[j];
}

uint64_t velo_keymap_bytes(const velo_keymap *m) {
    return m->nslots * sizeof(velo_keymap_slot) + m->keys.cap;
}
