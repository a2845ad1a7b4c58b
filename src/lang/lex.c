/*
 * lex.c — shared lexer for `.pg` and `.gq` (see lex.h).
 */
#include "lang/lex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void og_lex_init(og_lexer *lx, const char *src, size_t len, og_arena *arena) {
  memset(lx, 0, sizeof(*lx));
  lx->src = src ? src : "";
  lx->len = src ? len : 0;
  lx->line = 1;
  lx->col = 1;
  lx->arena = arena;
  /* A leading UTF-8 byte-order mark (some editors add one) is not content. */
  if (lx->len >= 3 && memcmp(lx->src, "\xEF\xBB\xBF", 3) == 0) lx->pos = 3;
}

static int lx_at(const og_lexer *lx, size_t i) {
  return i < lx->len ? (unsigned char)lx->src[i] : -1;
}

/* Advance one byte, keeping line/column; continuation bytes of a UTF-8
 * sequence do not count as a column. */
static void lx_adv(og_lexer *lx) {
  unsigned char c = (unsigned char)lx->src[lx->pos++];
  if (c == '\n') {
    lx->line++;
    lx->col = 1;
  } else if ((c & 0xC0) != 0x80) {
    lx->col++;
  }
}

static bool is_word(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
static bool is_digit(int c) { return c >= '0' && c <= '9'; }

static og_status lx_fail(og_lexer *lx, og_error *err, size_t off, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static og_status lx_fail(og_lexer *lx, og_error *err, size_t off, int line, int col, const char *fmt, ...) {
  char msg[OG_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  lx->sticky = og_err_set_pos(&lx->sticky_err, OG_EPARSE, line, col, "parse error: %s", msg);
  og_err_details(&lx->sticky_err, "{\"span\":{\"start\":%zu,\"end\":%zu}}", off, off + 1);
  if (err) *err = lx->sticky_err;
  return lx->sticky;
}

static og_status lx_skip_space(og_lexer *lx, og_error *err) {
  for (;;) {
    int c = lx_at(lx, lx->pos);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      lx_adv(lx);
    } else if (c == '/' && lx_at(lx, lx->pos + 1) == '/') {
      while (lx->pos < lx->len && lx->src[lx->pos] != '\n') lx_adv(lx);
    } else if (c == '/' && lx_at(lx, lx->pos + 1) == '*') {
      int line = lx->line, col = lx->col;
      size_t off = lx->pos;
      lx_adv(lx);
      lx_adv(lx);
      for (;;) {
        if (lx->pos >= lx->len)
          return lx_fail(lx, err, off, line, col, "unterminated block comment");
        if (lx->src[lx->pos] == '*' && lx_at(lx, lx->pos + 1) == '/') {
          lx_adv(lx);
          lx_adv(lx);
          break;
        }
        lx_adv(lx);
      }
    } else {
      return OG_OK;
    }
  }
}

static og_status lx_string(og_lexer *lx, og_token *t, og_error *err) {
  /* First pass finds the end so the decoded copy is allocated once. */
  size_t i = lx->pos + 1;
  while (i < lx->len && lx->src[i] != '"') {
    if (lx->src[i] == '\\') i++;
    i++;
  }
  if (i >= lx->len) return lx_fail(lx, err, t->off, t->line, t->col, "unterminated string literal");
  size_t end = i; /* index of closing quote */
  char *out = og_arena_alloc(lx->arena, end - lx->pos);
  if (!out) return og_err_oom(err);
  size_t n = 0;
  lx_adv(lx); /* opening quote */
  while (lx->pos < end) {
    char c = lx->src[lx->pos];
    if (c == '\\') {
      int line = lx->line, col = lx->col;
      char e = lx->src[lx->pos + 1];
      char d;
      switch (e) {
        case '"': d = '"'; break;
        case '\\': d = '\\'; break;
        case 'n': d = '\n'; break;
        case 'r': d = '\r'; break;
        case 't': d = '\t'; break;
        default: {
          /* Show the whole (possibly multi-byte) escaped character. */
          size_t cl = 1;
          unsigned char u = (unsigned char)e;
          if (u >= 0xF0) cl = 4;
          else if (u >= 0xE0) cl = 3;
          else if (u >= 0xC0) cl = 2;
          if (lx->pos + 1 + cl > end) cl = end - lx->pos - 1;
          return lx_fail(lx, err, lx->pos, line, col, "unsupported escape sequence: \\%.*s", (int)cl,
                         lx->src + lx->pos + 1);
        }
      }
      out[n++] = d;
      lx_adv(lx);
      lx_adv(lx);
    } else {
      out[n++] = c;
      lx_adv(lx);
    }
  }
  out[n] = '\0';
  /* Strings flow into JSON (IR, results): reject malformed UTF-8 here. */
  if (!og_utf8_valid(out, n)) return lx_fail(lx, err, t->off, t->line, t->col, "invalid UTF-8 in string literal");
  lx_adv(lx); /* closing quote */
  t->kind = OG_TK_STRING;
  t->str = out;
  t->str_len = n;
  return OG_OK;
}

static og_status lx_scan(og_lexer *lx, og_token *t, og_error *err) {
  og_status rc;
  memset(t, 0, sizeof(*t));
  if ((rc = lx_skip_space(lx, err)) != OG_OK) return rc;
  t->line = lx->line;
  t->col = lx->col;
  t->off = lx->pos;
  t->text = lx->src + lx->pos;
  if (lx->pos >= lx->len) {
    t->kind = OG_TK_EOF;
    return OG_OK;
  }
  int c = lx_at(lx, lx->pos);
  int c1 = lx_at(lx, lx->pos + 1);
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
    size_t s = lx->pos;
    while (is_word(lx_at(lx, lx->pos))) lx_adv(lx);
    size_t n = lx->pos - s;
    if (n == 4 && memcmp(lx->src + s, "true", 4) == 0) {
      t->kind = OG_TK_TRUE;
    } else if (n == 5 && memcmp(lx->src + s, "false", 5) == 0) {
      t->kind = OG_TK_FALSE;
    } else {
      t->kind = (c >= 'A' && c <= 'Z') ? OG_TK_TYPENAME : OG_TK_IDENT;
      char *w = og_arena_strndup(lx->arena, lx->src + s, n);
      if (!w) return og_err_oom(err);
      t->str = w;
      t->str_len = n;
    }
  } else if (c == '$') {
    int nc = c1;
    if (!((nc >= 'a' && nc <= 'z') || nc == '_'))
      return lx_fail(lx, err, t->off, t->line, t->col, "expected variable name after '$'");
    lx_adv(lx);
    size_t s = lx->pos;
    while (is_word(lx_at(lx, lx->pos))) lx_adv(lx);
    char *w = og_arena_strndup(lx->arena, lx->src + s, lx->pos - s);
    if (!w) return og_err_oom(err);
    t->kind = OG_TK_VAR;
    t->str = w;
    t->str_len = lx->pos - s;
  } else if (is_digit(c)) {
    size_t s = lx->pos;
    while (is_digit(lx_at(lx, lx->pos))) lx_adv(lx);
    if (lx_at(lx, lx->pos) == '.' && is_digit(lx_at(lx, lx->pos + 1))) {
      lx_adv(lx);
      while (is_digit(lx_at(lx, lx->pos))) lx_adv(lx);
      char buf[128];
      size_t n = lx->pos - s;
      if (n >= sizeof(buf)) n = sizeof(buf) - 1; /* absurd literal: value is approximate */
      memcpy(buf, lx->src + s, n);
      buf[n] = '\0';
      t->kind = OG_TK_FLOAT;
      t->fval = strtod(buf, NULL);
    } else {
      uint64_t v = 0;
      bool ovf = false;
      for (size_t i = s; i < lx->pos; i++) {
        unsigned d = (unsigned)(lx->src[i] - '0');
        if (v > (UINT64_MAX - d) / 10) ovf = true;
        else v = v * 10 + d;
      }
      t->kind = OG_TK_INT;
      t->overflow = ovf;
      t->uval = ovf ? UINT64_MAX : v;
      t->fval = (double)t->uval;
    }
  } else if (c == '"') {
    if ((rc = lx_string(lx, t, err)) != OG_OK) return rc;
  } else {
    og_tok_kind k;
    int n = 1;
    switch (c) {
      case '{': k = OG_TK_LBRACE; break;
      case '}': k = OG_TK_RBRACE; break;
      case '(': k = OG_TK_LPAREN; break;
      case ')': k = OG_TK_RPAREN; break;
      case '[': k = OG_TK_LBRACK; break;
      case ']': k = OG_TK_RBRACK; break;
      case ',': k = OG_TK_COMMA; break;
      case ':': k = OG_TK_COLON; break;
      case ';': k = OG_TK_SEMI; break;
      case '.': if (c1 == '.') { k = OG_TK_DOTDOT; n = 2; } else k = OG_TK_DOT; break;
      case '?': k = OG_TK_QUESTION; break;
      case '@': k = OG_TK_AT; break;
      case '=': k = OG_TK_EQ; break;
      case '!': if (c1 == '=') { k = OG_TK_NE; n = 2; } else k = OG_TK_BANG; break;
      case '<':
        if (c1 == '=') { k = OG_TK_LE; n = 2; }
        else if (c1 == '-') { k = OG_TK_LARROW; n = 2; }
        else k = OG_TK_LT;
        break;
      case '>': if (c1 == '=') { k = OG_TK_GE; n = 2; } else k = OG_TK_GT; break;
      case '-': if (c1 == '>') { k = OG_TK_ARROW; n = 2; } else k = OG_TK_MINUS; break;
      case '|': k = OG_TK_PIPE; break;
      case '+': k = OG_TK_PLUS; break;
      case '*': k = OG_TK_STAR; break;
      case '/': k = OG_TK_SLASH; break;
      default:
        if (c >= 0x20 && c < 0x7f)
          return lx_fail(lx, err, t->off, t->line, t->col, "unexpected character '%c'", c);
        return lx_fail(lx, err, t->off, t->line, t->col, "unexpected character (byte 0x%02x)", c);
    }
    t->kind = k;
    for (int i = 0; i < n; i++) lx_adv(lx);
  }
  t->len = lx->pos - t->off;
  return OG_OK;
}

og_status og_lex_next(og_lexer *lx, og_token *tok, og_error *err) {
  if (lx->has_peek) {
    lx->has_peek = false;
    *tok = lx->peek;
    if (lx->peek_rc != OG_OK && err) *err = lx->peek_err;
    return lx->peek_rc;
  }
  if (lx->sticky != OG_OK) {
    memset(tok, 0, sizeof(*tok));
    if (err) *err = lx->sticky_err;
    return lx->sticky;
  }
  return lx_scan(lx, tok, err);
}

og_status og_lex_peek(og_lexer *lx, og_token *tok, og_error *err) {
  if (!lx->has_peek) {
    og_error e = OG_ERROR_INIT;
    lx->peek_rc = og_lex_next(lx, &lx->peek, &e);
    lx->peek_err = e;
    lx->has_peek = true;
  }
  *tok = lx->peek;
  if (lx->peek_rc != OG_OK && err) *err = lx->peek_err;
  return lx->peek_rc;
}

og_status og_lex_enum_word(og_lexer *lx, og_token *tok, og_error *err) {
  og_status rc;
  if (lx->has_peek) return og_err_set(err, OG_ERROR, "og_lex_enum_word called with a peeked token");
  if (lx->sticky != OG_OK) {
    if (err) *err = lx->sticky_err;
    return lx->sticky;
  }
  memset(tok, 0, sizeof(*tok));
  if ((rc = lx_skip_space(lx, err)) != OG_OK) return rc;
  tok->line = lx->line;
  tok->col = lx->col;
  tok->off = lx->pos;
  tok->text = lx->src + lx->pos;
  size_t s = lx->pos, e = s;
  while (is_word(lx_at(lx, e)) || lx_at(lx, e) == '-') e++;
  if (e == s) {
    /* Not consumed: the caller reports what it found via og_lex_peek. */
    return og_err_set_pos(err, OG_EPARSE, tok->line, tok->col, "parse error: expected enum value");
  }
  while (lx->pos < e) lx_adv(lx);
  int c = (unsigned char)lx->src[s];
  tok->kind = is_digit(c) ? OG_TK_INT : (c >= 'A' && c <= 'Z') ? OG_TK_TYPENAME : OG_TK_IDENT;
  char *w = og_arena_strndup(lx->arena, lx->src + s, e - s);
  if (!w) return og_err_oom(err);
  tok->str = w;
  tok->str_len = e - s;
  tok->len = e - s;
  return OG_OK;
}

bool og_tok_is(const og_token *tok, const char *word) {
  if (tok->kind != OG_TK_TYPENAME && tok->kind != OG_TK_IDENT) return false;
  size_t n = strlen(word);
  return tok->len == n && memcmp(tok->text, word, n) == 0;
}

const char *og_tok_kind_name(og_tok_kind k) {
  static const char *const names[OG_TK__COUNT] = {
      "end of input", "type name", "identifier", "variable", "integer", "float", "string",
      "'true'", "'false'", "'{'", "'}'", "'('", "')'", "'['", "']'", "','", "':'", "';'",
      "'.'", "'..'", "'?'", "'@'", "'='", "'!='", "'<'", "'<='", "'>'", "'>='", "'->'",
      "'<-'", "'|'", "'+'", "'-'", "'*'", "'/'", "'!'"};
  if ((int)k < 0 || k >= OG_TK__COUNT) return "token";
  return names[k];
}

void og_tok_describe(const og_token *tok, char *out, size_t cap) {
  if (cap == 0) return;
  switch (tok->kind) {
    case OG_TK_EOF: snprintf(out, cap, "end of input"); break;
    case OG_TK_TYPENAME:
    case OG_TK_IDENT:
    case OG_TK_VAR:
    case OG_TK_INT:
    case OG_TK_FLOAT:
    case OG_TK_TRUE:
    case OG_TK_FALSE: {
      int n = tok->len > 64 ? 64 : (int)tok->len;
      snprintf(out, cap, "'%.*s'", n, tok->text);
      break;
    }
    case OG_TK_STRING: snprintf(out, cap, "string literal"); break;
    default: snprintf(out, cap, "%s", og_tok_kind_name(tok->kind)); break;
  }
}

og_status og_lex_all(const char *src, size_t len, og_arena *arena, og_token **toks, size_t *n,
                     og_error *err) {
  og_lexer lx;
  og_status rc = OG_OK;
  og_token *arr = NULL;
  size_t cnt = 0, cap = 0;
  *toks = NULL;
  *n = 0;
  og_lex_init(&lx, src, len, arena);
  for (;;) {
    og_token t;
    if ((rc = og_lex_next(&lx, &t, err)) != OG_OK) goto cleanup;
    if (cnt == cap) {
      size_t ncap = cap ? cap * 2 : 64;
      og_token *na = og_arena_alloc(arena, ncap * sizeof(*na));
      if (!na) {
        rc = og_err_oom(err);
        goto cleanup;
      }
      if (cnt) memcpy(na, arr, cnt * sizeof(*na));
      arr = na;
      cap = ncap;
    }
    arr[cnt++] = t;
    if (t.kind == OG_TK_EOF) break;
  }
  *toks = arr;
  *n = cnt;
cleanup:
  return rc;
}
