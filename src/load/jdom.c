/* Flat-array JSON parser for load records (see jdom.h). */
#include "load/jdom.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512

typedef struct parser {
  og_jdoc *d;
  const char *p, *end;
  og_arena *a;
  bool bad;
  bool oom;
  int depth;
} parser;

static void ws(parser *P) {
  while (P->p < P->end && (*P->p == ' ' || *P->p == '\t' || *P->p == '\n' || *P->p == '\r')) P->p++;
}

static uint32_t new_node(parser *P, og_jk k) {
  if (P->d->nodes.count < P->d->nodes.cap) {
    og_jnode *nd = &P->d->nodes.items[P->d->nodes.count++];
    /* the fields a reader may look at before the parse sets them (s, i, d
     * and raw are set with the kind that uses them) */
    nd->k = k;
    nd->next = nd->first = nd->n = 0;
    nd->key = NULL;
    nd->klen = 0;
    nd->s = NULL;
    nd->slen = 0;
    nd->i = 0;
    nd->d = 0;
    return (uint32_t)(P->d->nodes.count - 1);
  }
  og_jnode nd;
  memset(&nd, 0, sizeof nd);
  nd.k = k;
  if (OG_VEC_PUSH(&P->d->nodes, nd)) {
    P->oom = P->bad = true;
    return 0;
  }
  return (uint32_t)(P->d->nodes.count - 1);
}

static int hexv(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool hex4(const char *s, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    int h = hexv(s[i]);
    if (h < 0) return false;
    v = v << 4 | (uint32_t)h;
  }
  *out = v;
  return true;
}

static size_t put_utf8(char *o, uint32_t cp) {
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | cp >> 6);
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | cp >> 12);
    o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | cp >> 18);
  o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* At the opening quote. */
static bool parse_string(parser *P, const char **out, size_t *len) {
  const char *s = ++P->p;
  bool esc = false;
  /* plain bytes eight at a time (no quote, backslash or control byte) */
  while (P->end - P->p >= 8) {
    uint64_t w;
    memcpy(&w, P->p, 8);
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    /* a zero byte in q or b, or a byte below 0x20 (high bits of bytes >= 0x80 masked off) */
    uint64_t hit = (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & highs;
    if (hit) {
      /* the lowest flagged byte is exact (only bytes after it can be
       * flagged falsely): skip to it (little-endian) */
      if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) P->p += __builtin_ctzll(hit) >> 3;
      break;
    }
    P->p += 8;
  }
  while (P->p < P->end && *P->p != '"') {
    unsigned char c = (unsigned char)*P->p;
    if (c < 0x20) return false;
    if (c == '\\') {
      esc = true;
      P->p++;
      if (P->p >= P->end) return false;
    }
    P->p++;
  }
  if (P->p >= P->end) return false;
  const char *e = P->p++;
  if (!esc) {
    *out = s;
    *len = (size_t)(e - s);
    return true;
  }
  char *o = og_arena_alloc(P->a, (size_t)(e - s) + 1);
  if (!o) {
    P->oom = true;
    return false;
  }
  size_t k = 0;
  for (const char *q = s; q < e; q++) {
    if (*q != '\\') {
      o[k++] = *q;
      continue;
    }
    q++;
    switch (*q) {
    case '"': o[k++] = '"'; break;
    case '\\': o[k++] = '\\'; break;
    case '/': o[k++] = '/'; break;
    case 'b': o[k++] = '\b'; break;
    case 'f': o[k++] = '\f'; break;
    case 'n': o[k++] = '\n'; break;
    case 'r': o[k++] = '\r'; break;
    case 't': o[k++] = '\t'; break;
    case 'u': {
      uint32_t cp, lo;
      if (e - q < 5 || !hex4(q + 1, &cp)) return false;
      q += 4;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (e - q < 7 || q[1] != '\\' || q[2] != 'u' || !hex4(q + 3, &lo) || lo < 0xDC00 || lo > 0xDFFF)
          return false;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        q += 6;
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return false;
      }
      if (cp == 0) return false; /* NUL inside strings: let jansson decide */
      k += put_utf8(o + k, cp); /* an escape is >= 6 input bytes, the output <= 4 */
      break;
    }
    default: return false;
    }
  }
  o[k] = '\0';
  *out = o;
  *len = k;
  return true;
}

static bool parse_number(parser *P, og_jnode *nd) {
  const char *s = P->p;
  bool neg = false, real = false;
  if (P->p < P->end && *P->p == '-') {
    neg = true;
    P->p++;
  }
  if (P->p >= P->end) return false;
  if (*P->p == '0') {
    P->p++;
  } else if (*P->p >= '1' && *P->p <= '9') {
    while (P->p < P->end && *P->p >= '0' && *P->p <= '9') P->p++;
  } else {
    return false;
  }
  const char *int_end = P->p;
  if (P->p < P->end && *P->p == '.') {
    real = true;
    P->p++;
    if (P->p >= P->end || *P->p < '0' || *P->p > '9') return false;
    while (P->p < P->end && *P->p >= '0' && *P->p <= '9') P->p++;
  }
  if (P->p < P->end && (*P->p == 'e' || *P->p == 'E')) {
    real = true;
    P->p++;
    if (P->p < P->end && (*P->p == '+' || *P->p == '-')) P->p++;
    if (P->p >= P->end || *P->p < '0' || *P->p > '9') return false;
    while (P->p < P->end && *P->p >= '0' && *P->p <= '9') P->p++;
  }
  size_t n = (size_t)(P->p - s);
  if (!real) {
    uint64_t v = 0;
    for (const char *q = s + neg; q < int_end; q++) {
      uint64_t dgt = (uint64_t)(*q - '0');
      if (v > (UINT64_MAX - dgt) / 10) return false;
      v = v * 10 + dgt;
    }
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX) return false; /* jansson: too big */
    nd->k = OG_J_INT;
    nd->i = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
  }
  char buf[64];
  char *tmp = n < sizeof buf ? buf : og_arena_alloc(P->a, n + 1);
  if (!tmp) {
    P->oom = true;
    return false;
  }
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  nd->k = OG_J_REAL;
  nd->d = strtod(tmp, NULL);
  return true;
}

static bool lit(parser *P, const char *w, size_t n) {
  if ((size_t)(P->end - P->p) < n || memcmp(P->p, w, n) != 0) return false;
  P->p += n;
  return true;
}

static uint32_t parse_value(parser *P);

static bool parse_container(parser *P, uint32_t self, bool obj) {
  char close = obj ? '}' : ']';
  P->p++;
  ws(P);
  uint32_t last = 0;
  if (P->p < P->end && *P->p == close) {
    P->p++;
    return true;
  }
  for (;;) {
    const char *key = NULL;
    size_t klen = 0;
    if (obj) {
      ws(P);
      if (P->p >= P->end || *P->p != '"' || !parse_string(P, &key, &klen)) return false;
      ws(P);
      if (P->p >= P->end || *P->p != ':') return false;
      P->p++;
    }
    uint32_t c = parse_value(P);
    if (!c) return false;
    og_jnode *cn = &P->d->nodes.items[c];
    cn->key = key;
    cn->klen = klen;
    og_jnode *sn = &P->d->nodes.items[self];
    if (last) P->d->nodes.items[last].next = c;
    else sn->first = c;
    sn->n++;
    last = c;
    ws(P);
    if (P->p >= P->end) return false;
    if (*P->p == ',') {
      P->p++;
      continue;
    }
    if (*P->p == close) {
      P->p++;
      return true;
    }
    return false;
  }
}

/* Returns the node index, or 0 on failure (the root is parsed separately). */
static uint32_t parse_value(parser *P) {
  ws(P);
  if (P->p >= P->end || P->bad) return 0;
  const char *start = P->p;
  uint32_t idx = new_node(P, OG_J_NULL);
  if (P->bad) return 0;
  bool ok;
  switch (*P->p) {
  case '{':
  case '[':
    if (++P->depth > MAX_DEPTH) return 0;
    P->d->nodes.items[idx].k = *P->p == '{' ? OG_J_OBJ : OG_J_ARR;
    ok = parse_container(P, idx, *P->p == '{');
    P->depth--;
    break;
  case '"': {
    const char *s;
    size_t n;
    ok = parse_string(P, &s, &n);
    if (ok) {
      og_jnode *nd = &P->d->nodes.items[idx];
      nd->k = OG_J_STR;
      nd->s = s;
      nd->slen = n;
    }
    break;
  }
  case 't': ok = lit(P, "true", 4); P->d->nodes.items[idx].k = OG_J_TRUE; break;
  case 'f': ok = lit(P, "false", 5); P->d->nodes.items[idx].k = OG_J_FALSE; break;
  case 'n': ok = lit(P, "null", 4); break;
  default: {
    og_jnode tmp;
    memset(&tmp, 0, sizeof tmp);
    ok = parse_number(P, &tmp);
    if (ok) {
      og_jnode *nd = &P->d->nodes.items[idx];
      nd->k = tmp.k;
      nd->i = tmp.i;
      nd->d = tmp.d;
    }
    break;
  }
  }
  if (!ok) {
    P->bad = true;
    return 0;
  }
  og_jnode *nd = &P->d->nodes.items[idx];
  nd->raw = start;
  nd->rawlen = (size_t)(P->p - start);
  return idx;
}

og_status og_jdoc_parse(og_jdoc *d, const char *text, size_t n, og_arena *a, bool *ok) {
  parser P = {.d = d, .p = text, .end = text + n, .a = a};
  d->nodes.count = 0;
  *ok = false;
  /* index 0 is the root; parse_value's 0 means failure, so the root is a
   * placeholder that the real root value is copied into */
  uint32_t ph = new_node(&P, OG_J_NULL);
  (void)ph;
  if (P.oom) return OG_ENOMEM;
  uint32_t r = parse_value(&P);
  if (P.oom) return OG_ENOMEM;
  if (!r) return OG_OK;
  ws(&P);
  if (P.p != P.end) return OG_OK;
  d->nodes.items[0] = d->nodes.items[r];
  *ok = true;
  return OG_OK;
}

og_status og_jdoc_parse_prefix(og_jdoc *d, const char *text, size_t n, og_arena *a, bool *ok,
                               size_t *used) {
  parser P = {.d = d, .p = text, .end = text + n, .a = a};
  d->nodes.count = 0;
  *ok = false;
  *used = 0;
  (void)new_node(&P, OG_J_NULL); /* the root placeholder (see og_jdoc_parse) */
  if (P.oom) return OG_ENOMEM;
  uint32_t r = parse_value(&P);
  if (P.oom) return OG_ENOMEM;
  if (!r) return OG_OK;
  d->nodes.items[0] = d->nodes.items[r];
  *used = (size_t)(P.p - text);
  *ok = true;
  return OG_OK;
}

void og_jdoc_dispose(og_jdoc *d) {
  if (d) OG_VEC_FREE(&d->nodes);
}

const og_jnode *og_jobj_get(const og_jdoc *d, const og_jnode *obj, const char *key) {
  if (!obj || obj->k != OG_J_OBJ) return NULL;
  size_t kl = strlen(key);
  const og_jnode *found = NULL;
  for (uint32_t c = obj->first; c; c = d->nodes.items[c].next) {
    const og_jnode *m = &d->nodes.items[c];
    if (m->klen == kl && memcmp(m->key, key, kl) == 0) found = m;
  }
  return found;
}
