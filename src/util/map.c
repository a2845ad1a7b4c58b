/* Hashing and open-addressing hash maps (linear probing, tombstones). */
#include "util/util.h"

#include <openssl/evp.h>
#include <string.h>
#include <xxhash.h>

uint64_t og_hash64(const void *data, size_t len) { return XXH3_64bits(data, len); }

uint64_t og_hash64_seed(const void *data, size_t len, uint64_t seed) {
  return XXH3_64bits_withSeed(data, len, seed);
}

uint64_t og_fnv1a64(const void *data, size_t len) {
  const unsigned char *p = data;
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

void og_sha256_hex(const void *data, size_t len, char out[65]) {
  static const char hex[] = "0123456789abcdef";
  unsigned char md[32];
  unsigned int mdlen = 0;
  EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
  for (int i = 0; i < 32; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  out[64] = '\0';
}

/*==================== bytes → void* ====================*/

#define TOMB ((char *)&og_map_dispose) /* unique non-NULL marker for a removed slot */

static og_map_entry *find_slot(const og_map *m, const void *key, size_t key_len, uint64_t h,
                               bool for_insert) {
  if (!m->cap) return NULL;
  size_t mask = m->cap - 1;
  og_map_entry *first_tomb = NULL;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    og_map_entry *e = &m->slots[i];
    if (!e->key) return for_insert && first_tomb ? first_tomb : (for_insert ? e : NULL);
    if (e->key == TOMB) {
      if (!first_tomb) first_tomb = e;
      continue;
    }
    if (e->hash == h && e->key_len == key_len && memcmp(e->key, key, key_len) == 0) return e;
  }
}

static og_status rehash(og_map *m, size_t ncap) {
  og_map_entry *old = m->slots;
  size_t ocap = m->cap;
  og_map_entry *slots = og_calloc(ncap, sizeof *slots);
  if (!slots) return OG_ENOMEM;
  m->slots = slots;
  m->cap = ncap;
  m->tombs = 0;
  for (size_t i = 0; i < ocap; i++) {
    og_map_entry *e = &old[i];
    if (!e->key || e->key == TOMB) continue;
    og_map_entry *d = find_slot(m, e->key, e->key_len, e->hash, true);
    *d = *e;
  }
  og_free(old);
  return OG_OK;
}

og_status og_map_put(og_map *m, const void *key, size_t key_len, void *value) {
  if ((m->count + m->tombs + 1) * 4 >= m->cap * 3) {
    size_t ncap = m->cap ? m->cap : 16;
    while ((m->count + 1) * 2 >= ncap) ncap *= 2;
    if (rehash(m, ncap)) return OG_ENOMEM;
  }
  uint64_t h = og_hash64(key, key_len);
  og_map_entry *e = find_slot(m, key, key_len, h, true);
  if (e->key && e->key != TOMB) {
    e->value = value;
    return OG_OK;
  }
  char *copy = og_malloc(key_len + 1);
  if (!copy) return OG_ENOMEM;
  memcpy(copy, key, key_len);
  copy[key_len] = '\0';
  if (e->key == TOMB) m->tombs--;
  e->key = copy;
  e->key_len = key_len;
  e->hash = h;
  e->value = value;
  m->count++;
  return OG_OK;
}

bool og_map_get(const og_map *m, const void *key, size_t key_len, void **value_out) {
  og_map_entry *e = find_slot(m, key, key_len, og_hash64(key, key_len), false);
  if (!e) return false;
  if (value_out) *value_out = e->value;
  return true;
}

bool og_map_remove(og_map *m, const void *key, size_t key_len, void **value_out) {
  og_map_entry *e = find_slot(m, key, key_len, og_hash64(key, key_len), false);
  if (!e) return false;
  if (value_out) *value_out = e->value;
  og_free(e->key);
  e->key = TOMB;
  e->value = NULL;
  m->count--;
  m->tombs++;
  return true;
}

og_map_entry *og_map_next(const og_map *m, size_t *pos) {
  while (*pos < m->cap) {
    og_map_entry *e = &m->slots[(*pos)++];
    if (e->key && e->key != TOMB) return e;
  }
  return NULL;
}

void og_map_dispose(og_map *m) {
  if (!m) return;
  for (size_t i = 0; i < m->cap; i++)
    if (m->slots[i].key && m->slots[i].key != TOMB) og_free(m->slots[i].key);
  og_free(m->slots);
  m->slots = NULL;
  m->cap = m->count = m->tombs = 0;
}

/*==================== u64 → u64 ====================*/

#define U64_EMPTY UINT64_MAX

static inline size_t mix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return (size_t)k;
}

static og_status u64_rehash(og_u64map *m, size_t ncap) {
  uint64_t *keys = og_malloc(ncap * sizeof *keys);
  uint64_t *vals = og_malloc(ncap * sizeof *vals);
  if (!keys || !vals) {
    og_free(keys);
    og_free(vals);
    return OG_ENOMEM;
  }
  memset(keys, 0xff, ncap * sizeof *keys);
  for (size_t i = 0; i < m->cap; i++) {
    if (m->keys[i] == U64_EMPTY) continue;
    size_t j = mix64(m->keys[i]) & (ncap - 1);
    while (keys[j] != U64_EMPTY) j = (j + 1) & (ncap - 1);
    keys[j] = m->keys[i];
    vals[j] = m->vals[i];
  }
  og_free(m->keys);
  og_free(m->vals);
  m->keys = keys;
  m->vals = vals;
  m->cap = ncap;
  return OG_OK;
}

og_status og_u64map_put(og_u64map *m, uint64_t key, uint64_t val) {
  if (key == U64_EMPTY) return OG_EINVAL;
  if ((m->count + 1) * 4 >= m->cap * 3 && u64_rehash(m, m->cap ? m->cap * 2 : 16))
    return OG_ENOMEM;
  size_t mask = m->cap - 1;
  size_t i = mix64(key) & mask;
  while (m->keys[i] != U64_EMPTY && m->keys[i] != key) i = (i + 1) & mask;
  if (m->keys[i] == U64_EMPTY) {
    m->keys[i] = key;
    m->count++;
  }
  m->vals[i] = val;
  return OG_OK;
}

bool og_u64map_get(const og_u64map *m, uint64_t key, uint64_t *val_out) {
  if (!m->cap || key == U64_EMPTY) return false;
  size_t mask = m->cap - 1;
  for (size_t i = mix64(key) & mask; m->keys[i] != U64_EMPTY; i = (i + 1) & mask) {
    if (m->keys[i] == key) {
      if (val_out) *val_out = m->vals[i];
      return true;
    }
  }
  return false;
}

void og_u64map_dispose(og_u64map *m) {
  if (!m) return;
  og_free(m->keys);
  og_free(m->vals);
  m->keys = m->vals = NULL;
  m->cap = m->count = 0;
}
