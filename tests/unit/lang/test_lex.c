/* Lexer unit tests (spec/languages.md §1). */
#include "og_test.h"

#include <string.h>

#include "lang/lex.h"

typedef struct lex_case {
  const char *src;
  og_tok_kind kinds[16]; /* terminated by OG_TK_EOF */
} lex_case;

static void test_kinds(void **state) {
  (void)state;
  static const lex_case cases[] = {
      {"node Person { name: String }",
       {OG_TK_IDENT, OG_TK_TYPENAME, OG_TK_LBRACE, OG_TK_IDENT, OG_TK_COLON, OG_TK_TYPENAME,
        OG_TK_RBRACE, OG_TK_EOF}},
      {"true_count true false falsey", {OG_TK_IDENT, OG_TK_TRUE, OG_TK_FALSE, OG_TK_IDENT, OG_TK_EOF}},
      {"1..3 1.5 1. .5 10..", {OG_TK_INT, OG_TK_DOTDOT, OG_TK_INT, OG_TK_FLOAT, OG_TK_INT, OG_TK_DOT,
                                OG_TK_DOT, OG_TK_INT, OG_TK_INT, OG_TK_DOTDOT, OG_TK_EOF}},
      {"-> <- <= >= != = < > | + - * / ; ?",
       {OG_TK_ARROW, OG_TK_LARROW, OG_TK_LE, OG_TK_GE, OG_TK_NE, OG_TK_EQ, OG_TK_LT, OG_TK_GT,
        OG_TK_PIPE, OG_TK_PLUS, OG_TK_MINUS, OG_TK_STAR, OG_TK_SLASH, OG_TK_SEMI, OG_TK_QUESTION,
        OG_TK_EOF}},
      {"$p $_ $x1 // comment\n /* block \n comment */ x", {OG_TK_VAR, OG_TK_VAR, OG_TK_VAR, OG_TK_IDENT, OG_TK_EOF}},
      {"@ [ ] ( ) { } , : . !", {OG_TK_AT, OG_TK_LBRACK, OG_TK_RBRACK, OG_TK_LPAREN, OG_TK_RPAREN, OG_TK_LBRACE,
                               OG_TK_RBRACE, OG_TK_COMMA, OG_TK_COLON, OG_TK_DOT, OG_TK_BANG, OG_TK_EOF}},
      {"-40.0..60.0", {OG_TK_MINUS, OG_TK_FLOAT, OG_TK_DOTDOT, OG_TK_FLOAT, OG_TK_EOF}},
      {"", {OG_TK_EOF}},
      {"\xEF\xBB\xBFnode", {OG_TK_IDENT, OG_TK_EOF}},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    og_arena a = OG_ARENA_INIT;
    og_error err = OG_ERROR_INIT;
    og_token *toks;
    size_t n;
    OG_ASSERT_OK(og_lex_all(cases[i].src, strlen(cases[i].src), &a, &toks, &n, &err), &err);
    size_t k = 0;
    while (cases[i].kinds[k] != OG_TK_EOF) k++;
    if (n != k + 1) fail_msg("case %zu: %zu tokens, expected %zu", i, n, k + 1);
    for (size_t j = 0; j < n; j++)
      if (toks[j].kind != cases[i].kinds[j]) fail_msg("case %zu tok %zu kind %d", i, j, toks[j].kind);
    og_arena_dispose(&a);
  }
}

static void test_positions_and_values(void **state) {
  (void)state;
  og_arena a = OG_ARENA_INIT;
  og_error err = OG_ERROR_INIT;
  og_token *t;
  size_t n;
  const char *src = "a\n  \"h\\\"i\\n\\t\\\\\" 42\n  é x 18446744073709551616 $who";
  OG_ASSERT_OK(og_lex_all(src, 20, &a, &t, &n, &err), &err);
  assert_int_equal(n, 4);
  assert_int_equal(t[0].line, 1);
  assert_int_equal(t[0].col, 1);
  assert_string_equal(t[0].str, "a");
  assert_int_equal(t[1].kind, OG_TK_STRING);
  assert_int_equal(t[1].line, 2);
  assert_int_equal(t[1].col, 3);
  assert_int_equal(t[1].off, 4);
  assert_string_equal(t[1].str, "h\"i\n\t\\");
  assert_int_equal(t[2].uval, 42);
  (void)0;
  og_arena_dispose(&a);
  /* é is not a valid character outside strings */
  og_arena_init(&a, 0);
  assert_int_equal(og_lex_all(src, strlen(src), &a, &t, &n, &err), OG_EPARSE);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 3);
  og_arena_dispose(&a);
  const char *s2 = "x 18446744073709551616 18446744073709551615 $who \"é\" y";
  og_arena_init(&a, 0);
  OG_ASSERT_OK(og_lex_all(s2, strlen(s2), &a, &t, &n, &err), &err);
  assert_true(t[1].overflow);
  assert_false(t[2].overflow);
  assert_true(t[2].uval == UINT64_MAX);
  assert_string_equal(t[3].str, "who");
  assert_string_equal(t[4].str, "é");
  assert_int_equal(t[5].col, 54);
  og_arena_dispose(&a);
}

static void test_errors(void **state) {
  (void)state;
  static const struct {
    const char *src;
    const char *msg;
    int line, col;
    const char *span;
  } cases[] = {
      {"\"a\\qb\"", "parse error: unsupported escape sequence: \\q", 1, 3, "{\"span\":{\"start\":2,\"end\":3}}"},
      {"x \"abc", "parse error: unterminated string literal", 1, 3, "{\"span\":{\"start\":2,\"end\":3}}"},
      {"x\n /* abc", "parse error: unterminated block comment", 2, 2, "{\"span\":{\"start\":3,\"end\":4}}"},
      {"x # y", "parse error: unexpected character '#'", 1, 3, "{\"span\":{\"start\":2,\"end\":3}}"},
      {"$ x", "parse error: expected variable name after '$'", 1, 1, "{\"span\":{\"start\":0,\"end\":1}}"},
      {"$X", "parse error: expected variable name after '$'", 1, 1, "{\"span\":{\"start\":0,\"end\":1}}"},
      {"x \"\xff\"", "parse error: invalid UTF-8 in string literal", 1, 3, "{\"span\":{\"start\":2,\"end\":3}}"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    og_arena a = OG_ARENA_INIT;
    og_error err = OG_ERROR_INIT;
    og_token *t;
    size_t n;
    assert_int_equal(og_lex_all(cases[i].src, strlen(cases[i].src), &a, &t, &n, &err), OG_EPARSE);
    assert_string_equal(err.message, cases[i].msg);
    assert_int_equal(err.line, cases[i].line);
    assert_int_equal(err.column, cases[i].col);
    assert_string_equal(err.details, cases[i].span);
    og_arena_dispose(&a);
  }
}

static void test_peek_enum_word(void **state) {
  (void)state;
  og_arena a = OG_ARENA_INIT;
  og_error err = OG_ERROR_INIT;
  og_lexer lx;
  og_token t, p;
  const char *src = "( in-progress, p1 ,1a)";
  og_lex_init(&lx, src, strlen(src), &a);
  OG_ASSERT_OK(og_lex_next(&lx, &t, &err), &err);
  assert_int_equal(t.kind, OG_TK_LPAREN);
  OG_ASSERT_OK(og_lex_enum_word(&lx, &t, &err), &err);
  assert_string_equal(t.str, "in-progress");
  OG_ASSERT_OK(og_lex_peek(&lx, &p, &err), &err);
  assert_int_equal(p.kind, OG_TK_COMMA);
  OG_ASSERT_OK(og_lex_next(&lx, &t, &err), &err);
  assert_int_equal(t.kind, OG_TK_COMMA);
  OG_ASSERT_OK(og_lex_enum_word(&lx, &t, &err), &err);
  assert_string_equal(t.str, "p1");
  OG_ASSERT_OK(og_lex_next(&lx, &t, &err), &err);
  OG_ASSERT_OK(og_lex_enum_word(&lx, &t, &err), &err);
  assert_string_equal(t.str, "1a");
  assert_int_equal(og_lex_enum_word(&lx, &t, &err), OG_EPARSE);
  OG_ASSERT_OK(og_lex_next(&lx, &t, &err), &err);
  assert_int_equal(t.kind, OG_TK_RPAREN);
  og_arena_dispose(&a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kinds),
      cmocka_unit_test(test_positions_and_values),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_peek_enum_word),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
