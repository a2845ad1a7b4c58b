/*
 * lex.h — the lexer shared by the `.pg` schema and `.gq` query languages
 * (spec/languages.md §1).
 *
 * Invariants:
 *  - Pull lexer with no backtracking: og_lex_next returns one token at a time;
 *    og_lex_peek looks one token ahead without consuming. Work is linear in
 *    the input.
 *  - A leading UTF-8 BOM is skipped (offsets still count it).
 *  - Whitespace (space, tab, CR, LF) and comments (`// …` to end of line,
 *    `/ * … * /` not nested) are skipped.
 *  - Words are maximal munch: `true_count`, `nowhere`, `dates` are one
 *    identifier; only the whole words `true` / `false` are bool tokens. No
 *    other keyword is special to the lexer: parsers compare word text
 *    (og_tok_is).
 *  - Every token carries its 1-based line and column (columns count UTF-8
 *    code points) and its byte span [off, off+len) in the source.
 *  - String tokens hold their decoded value (escapes \" \\ \n \r \t), NUL
 *    terminated, allocated in the arena given to og_lex_init; the arena
 *    outlives the tokens. Other escapes fail with
 *    "parse error: unsupported escape sequence: \q".
 *  - Every error is OG_EPARSE with a message starting "parse error: " and a
 *    position (og_err_set_pos). After an error the lexer keeps returning it.
 *  - Numbers: `[0-9]+` is INT, `[0-9]+ "." [0-9]+` is FLOAT (`1.` is INT DOT,
 *    `1..3` is INT DOTDOT INT). No sign: `-` is its own token. An INT that
 *    does not fit in u64 sets `overflow` (value then is UINT64_MAX).
 */
#ifndef OG_LANG_LEX_H
#define OG_LANG_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "og_status.h"
#include "util/util.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum og_tok_kind {
  OG_TK_EOF = 0,
  OG_TK_TYPENAME, /* [A-Z][A-Za-z0-9_]* */
  OG_TK_IDENT,    /* [a-z_][A-Za-z0-9_]* (not the words true/false) */
  OG_TK_VAR,      /* "$" ident; text/len include the '$', str is the name without it */
  OG_TK_INT,      /* [0-9]+ */
  OG_TK_FLOAT,    /* [0-9]+ "." [0-9]+ */
  OG_TK_STRING,   /* "..." decoded into str/str_len */
  OG_TK_TRUE,
  OG_TK_FALSE,
  OG_TK_LBRACE,   /* { */
  OG_TK_RBRACE,   /* } */
  OG_TK_LPAREN,   /* ( */
  OG_TK_RPAREN,   /* ) */
  OG_TK_LBRACK,   /* [ */
  OG_TK_RBRACK,   /* ] */
  OG_TK_COMMA,    /* , */
  OG_TK_COLON,    /* : */
  OG_TK_SEMI,     /* ; */
  OG_TK_DOT,      /* . */
  OG_TK_DOTDOT,   /* .. */
  OG_TK_QUESTION, /* ? */
  OG_TK_AT,       /* @ */
  OG_TK_EQ,       /* = */
  OG_TK_NE,       /* != */
  OG_TK_LT,       /* < */
  OG_TK_LE,       /* <= */
  OG_TK_GT,       /* > */
  OG_TK_GE,       /* >= */
  OG_TK_ARROW,    /* -> */
  OG_TK_LARROW,   /* <- */
  OG_TK_PIPE,     /* | */
  OG_TK_PLUS,     /* + */
  OG_TK_MINUS,    /* - */
  OG_TK_STAR,     /* * */
  OG_TK_SLASH,    /* / */
  OG_TK_BANG,     /* ! (not followed by =) */
  OG_TK__COUNT
} og_tok_kind;

typedef struct og_token {
  og_tok_kind kind;
  int line;          /* 1-based */
  int col;           /* 1-based, in code points */
  size_t off;        /* byte offset of the first byte */
  size_t len;        /* byte length of the source text */
  const char *text;  /* source text (NOT NUL-terminated), = src + off */
  /* STRING: decoded value; VAR: name without '$'; TYPENAME/IDENT: a
   * NUL-terminated copy of the word. Arena-owned. NULL for other kinds. */
  const char *str;
  size_t str_len;
  uint64_t uval;     /* INT value (UINT64_MAX when overflow) */
  bool overflow;     /* INT did not fit in u64 */
  double fval;       /* FLOAT value (also set for INT) */
} og_token;

typedef struct og_lexer {
  const char *src;
  size_t len;
  size_t pos;
  int line, col;
  og_arena *arena;
  bool has_peek;
  og_token peek;
  og_status peek_rc;
  og_error peek_err;
  og_status sticky;  /* first error, repeated afterwards */
  og_error sticky_err;
} og_lexer;

/* `arena` receives decoded strings and word copies; it must outlive every
 * token. `src` need not be NUL-terminated. */
void og_lex_init(og_lexer *lx, const char *src, size_t len, og_arena *arena);
/* Consume the next token (EOF repeats at the end). */
og_status og_lex_next(og_lexer *lx, og_token *tok, og_error *err);
/* Look at the next token without consuming it. */
og_status og_lex_peek(og_lexer *lx, og_token *tok, og_error *err);
/* Schema enum values are atomic `[A-Za-z0-9_-]+` words (`in-progress`, `1a`),
 * which the token rules would split. Scan one such word at the current
 * position (skipping whitespace/comments first). Must not be called while a
 * token is peeked. Returns OG_EPARSE (without consuming) when no such word
 * starts there; the token kind is TYPENAME/IDENT/INT as lexed would suggest,
 * but callers should only use str/str_len/line/col. */
og_status og_lex_enum_word(og_lexer *lx, og_token *tok, og_error *err);

/* True when tok is a TYPENAME or IDENT whose text equals `word`. */
bool og_tok_is(const og_token *tok, const char *word);
/* Human description for messages: "'{'", "identifier", "end of input". */
const char *og_tok_kind_name(og_tok_kind k);
/* Write a short rendering of the token for "unexpected …" messages into out:
 * `'foo'`, `'{'`, `end of input`. */
void og_tok_describe(const og_token *tok, char *out, size_t cap);

/* Tokenize a whole input (test and tooling helper). On success *toks holds
 * *n tokens, the last one EOF; the array is allocated in `arena`. */
og_status og_lex_all(const char *src, size_t len, og_arena *arena, og_token **toks, size_t *n,
                     og_error *err);

#ifdef __cplusplus
}
#endif
#endif
