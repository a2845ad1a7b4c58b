/* ULIDs, clocks, randomness and small string helpers. */
#include "util/util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

uint64_t og_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t og_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

og_status og_random_bytes(void *out, size_t n) {
  unsigned char *p = out;
  while (n) {
    ssize_t r = getrandom(p, n, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return OG_EIO;
    }
    p += r;
    n -= (size_t)r;
  }
  return OG_OK;
}

void og_time_format_rfc3339(uint64_t ms, char out[32]) {
  time_t secs = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(ms % 1000));
}

/* Monotonic within a process: same millisecond → previous randomness + 1. */
static pthread_mutex_t ulid_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t last_ms;
static unsigned char last_rand[10];

/* A forked child must not continue the parent's monotonic sequence: two
 * children in the same millisecond would produce identical ULIDs. */
static void ulid_atfork_child(void) {
  pthread_mutex_init(&ulid_lock, NULL);
  last_ms = 0;
}
static pthread_once_t ulid_once = PTHREAD_ONCE_INIT;
static void ulid_init(void) { pthread_atfork(NULL, NULL, ulid_atfork_child); }

/* r (80-bit big-endian) += v */
static void rand_add(unsigned char r[10], uint32_t v) {
  uint64_t carry = v;
  for (int i = 9; i >= 0 && carry; i--) {
    carry += r[i];
    r[i] = (unsigned char)carry;
    carry >>= 8;
  }
}

og_status og_ulid_new(char out[OG_ULID_LEN + 1]) { return og_ulid_new_block(out, 1); }

og_status og_ulid_new_block(char out[OG_ULID_LEN + 1], uint32_t n) {
  unsigned char r[10];
  if (n == 0) n = 1;
  pthread_once(&ulid_once, ulid_init);
  pthread_mutex_lock(&ulid_lock);
  uint64_t ms = og_now_ms();
  if (ms <= last_ms) {
    ms = last_ms;
    memcpy(r, last_rand, 10);
    rand_add(r, 1);
  } else if (og_random_bytes(r, sizeof r) != OG_OK) {
    pthread_mutex_unlock(&ulid_lock);
    return OG_EIO;
  }
  last_ms = ms;
  memcpy(last_rand, r, 10);
  rand_add(last_rand, n - 1); /* the last id of the block */
  pthread_mutex_unlock(&ulid_lock);

  /* 48-bit time → 10 chars, 80-bit randomness → 16 chars */
  for (int i = 9; i >= 0; i--) {
    out[i] = crockford[ms & 31];
    ms >>= 5;
  }
  unsigned bitbuf = 0;
  int bits = 0, o = 10;
  for (int i = 0; i < 10; i++) {
    bitbuf = (bitbuf << 8) | r[i];
    bits += 8;
    while (bits >= 5) {
      out[o++] = crockford[(bitbuf >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  out[OG_ULID_LEN] = '\0';
  return OG_OK;
}

void og_ulid_incr(char id[OG_ULID_LEN + 1]) {
  /* the 16 chars after the time are the 80 random bits, 5 per char */
  for (int i = OG_ULID_LEN - 1; i >= 10; i--) {
    char c = id[i];
    if (c == 'Z') {
      id[i] = '0';
      continue;
    }
    /* the alphabet skips I, L, O and U */
    id[i] = c == '9' ? 'A' : c == 'H' ? 'J' : c == 'K' ? 'M' : c == 'N' ? 'P' : c == 'T' ? 'V' : (char)(c + 1);
    return;
  }
}

static int crockford_val(char c) {
  const char *p = c ? strchr(crockford, c) : NULL;
  return p ? (int)(p - crockford) : -1;
}

bool og_ulid_valid(const char *s) {
  if (!s || strlen(s) != OG_ULID_LEN) return false;
  if (crockford_val(s[0]) > 7) return false; /* 48-bit time limit */
  for (int i = 0; i < OG_ULID_LEN; i++)
    if (crockford_val(s[i]) < 0) return false;
  return true;
}

uint64_t og_ulid_time_ms(const char *ulid) {
  if (!og_ulid_valid(ulid)) return 0;
  uint64_t ms = 0;
  for (int i = 0; i < 10; i++) ms = (ms << 5) | (uint64_t)crockford_val(ulid[i]);
  return ms;
}

/*==================== strings ====================*/

bool og_str_eq(const char *a, const char *b) {
  if (!a || !b) return a == b;
  return strcmp(a, b) == 0;
}

bool og_str_ieq(const char *a, const char *b) {
  if (!a || !b) return a == b;
  for (; *a && *b; a++, b++) {
    char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
    char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
    if (x != y) return false;
  }
  return *a == *b;
}

bool og_str_startswith(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool og_str_endswith(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool og_utf8_valid(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < n) {
    /* ASCII eight bytes at a time: most stored strings are (ids, names) */
    while (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

og_status og_env_u64(const char *name, uint64_t dflt, uint64_t min, uint64_t max, uint64_t *out,
                     og_error *err) {
  const char *e = getenv(name);
  *out = dflt;
  if (!e || !*e) return OG_OK;
  uint64_t v = 0;
  bool ok = true;
  for (const char *p = e; *p && ok; p++) {
    uint64_t d = (uint64_t)(*p - '0');
    ok = *p >= '0' && *p <= '9' && v <= (UINT64_MAX - d) / 10;
    v = v * 10 + d;
  }
  if (!ok || v < min || v > max)
    return og_err_set(err, OG_EINVAL,
                      "environment variable %s='%s': expected a whole number from %" PRIu64
                      " to %" PRIu64,
                      name, e, min, max);
  *out = v;
  return OG_OK;
}
