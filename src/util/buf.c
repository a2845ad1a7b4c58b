/* Growable byte buffers and bounded little-endian cursors. */
#include "util/util.h"

#include <stdio.h>
#include <string.h>

og_status og_buf_grow(og_buf *b, size_t extra) {
  if (b->oom) return OG_ENOMEM;
  if (extra > SIZE_MAX - b->len - 1) goto oom;
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return OG_OK;
  size_t ncap = b->cap ? b->cap : 64;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2) {
      ncap = need;
      break;
    }
    ncap *= 2;
  }
  char *p = og_realloc(b->ptr, ncap);
  if (!p) goto oom;
  b->ptr = p;
  b->cap = ncap;
  return OG_OK;
oom:
  b->oom = true;
  return OG_ENOMEM;
}

og_status og_buf_put(og_buf *b, const void *data, size_t n) {
  if (og_buf_grow(b, n)) return OG_ENOMEM;
  if (n) memcpy(b->ptr + b->len, data, n);
  b->len += n;
  b->ptr[b->len] = '\0';
  return OG_OK;
}

og_status og_buf_puts(og_buf *b, const char *s) { return og_buf_put(b, s, strlen(s)); }

og_status og_buf_putc(og_buf *b, char c) { return og_buf_put(b, &c, 1); }

og_status og_buf_vprintf(og_buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return OG_EINVAL;
  if (og_buf_grow(b, (size_t)n)) return OG_ENOMEM;
  vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return OG_OK;
}

og_status og_buf_printf(og_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  og_status rc = og_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return rc;
}

og_status og_buf_put_u8(og_buf *b, uint8_t v) { return og_buf_put(b, &v, 1); }
og_status og_buf_put_u16le(og_buf *b, uint16_t v) {
  uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  return og_buf_put(b, x, 2);
}
og_status og_buf_put_u32le(og_buf *b, uint32_t v) {
  uint8_t x[4];
  og_put_u32le(x, v);
  return og_buf_put(b, x, 4);
}
og_status og_buf_put_u64le(og_buf *b, uint64_t v) {
  uint8_t x[8];
  og_put_u64le(x, v);
  return og_buf_put(b, x, 8);
}
og_status og_buf_put_varint(og_buf *b, uint64_t v) {
  uint8_t x[10];
  size_t n = 0;
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    if (v) byte |= 0x80;
    x[n++] = byte;
  } while (v);
  return og_buf_put(b, x, n);
}

/* serde_json's escaping; runs of plain bytes are copied at once (schema IR
 * rendering and JSON output are hot). */
og_status og_buf_put_json_str(og_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t i = 0;
  og_buf_putc(b, '"');
  while (i < n) {
    size_t j = i;
    while (j < n) {
      unsigned char c = (unsigned char)s[j];
      if (c < 0x20 || c == '"' || c == '\\') break;
      j++;
    }
    if (j > i) og_buf_put(b, s + i, j - i);
    if (j == n) break;
    unsigned char c = (unsigned char)s[j];
    switch (c) {
    case '"': og_buf_puts(b, "\\\""); break;
    case '\\': og_buf_puts(b, "\\\\"); break;
    case '\n': og_buf_puts(b, "\\n"); break;
    case '\r': og_buf_puts(b, "\\r"); break;
    case '\t': og_buf_puts(b, "\\t"); break;
    case '\b': og_buf_puts(b, "\\b"); break;
    case '\f': og_buf_puts(b, "\\f"); break;
    default: {
      char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      og_buf_put(b, e, 6);
    }
    }
    i = j + 1;
  }
  return og_buf_putc(b, '"');
}

void og_buf_clear(og_buf *b) {
  b->len = 0;
  b->oom = false;
  if (b->ptr) b->ptr[0] = '\0';
}

char *og_buf_detach(og_buf *b, size_t *len_out) {
  char *p = b->ptr;
  if (len_out) *len_out = b->len;
  if (b->oom) {
    og_free(p);
    p = NULL;
  }
  b->ptr = NULL;
  b->len = b->cap = 0;
  b->oom = false;
  return p;
}

void og_buf_dispose(og_buf *b) {
  if (!b) return;
  og_free(b->ptr);
  b->ptr = NULL;
  b->len = b->cap = 0;
  b->oom = false;
}

/*==================== cursor ====================*/

void og_cursor_init(og_cursor *c, const void *data, size_t len) {
  c->p = data;
  c->end = c->p + len;
  c->bad = false;
}

size_t og_cursor_left(const og_cursor *c) { return (size_t)(c->end - c->p); }

const uint8_t *og_cursor_bytes(og_cursor *c, size_t n) {
  if (c->bad || og_cursor_left(c) < n) {
    c->bad = true;
    return NULL;
  }
  const uint8_t *p = c->p;
  c->p += n;
  return p;
}

uint8_t og_cursor_u8(og_cursor *c) {
  const uint8_t *p = og_cursor_bytes(c, 1);
  return p ? p[0] : 0;
}
uint16_t og_cursor_u16le(og_cursor *c) {
  const uint8_t *p = og_cursor_bytes(c, 2);
  return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}
uint32_t og_cursor_u32le(og_cursor *c) {
  const uint8_t *p = og_cursor_bytes(c, 4);
  return p ? og_get_u32le(p) : 0;
}
uint64_t og_cursor_u64le(og_cursor *c) {
  const uint8_t *p = og_cursor_bytes(c, 8);
  return p ? og_get_u64le(p) : 0;
}
uint64_t og_cursor_varint(og_cursor *c) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const uint8_t *p = og_cursor_bytes(c, 1);
    if (!p) return 0;
    v |= (uint64_t)(p[0] & 0x7f) << shift;
    if (!(p[0] & 0x80)) return v;
  }
  c->bad = true; /* over-long varint */
  return 0;
}
