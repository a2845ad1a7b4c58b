/*
 * test_query_docs.c — every ```gq block of docs/queries.md parses and
 * type-checks against the doc's ```pg schema, and lowers to an IR.
 */
#include <stdio.h>
#include <string.h>

#include "og_test.h"
#include "lang/query.h"
#include "lang/schema.h"

/* Next fenced block with the given info string; returns its body (heap). */
static char *next_block(const char **cursor, const char *lang) {
  char fence[32];
  snprintf(fence, sizeof fence, "```%s\n", lang);
  const char *s = strstr(*cursor, fence);
  if (!s) return NULL;
  s += strlen(fence);
  const char *e = strstr(s, "\n```");
  if (!e) fail_msg("unterminated ```%s block", lang);
  *cursor = e + 4;
  return og_strndup(s, (size_t)(e - s + 1));
}

static void test_doc_examples(void **state) {
  (void)state;
  size_t len = 0;
  char *doc = og_test_read_file(og_test_source_path("docs/queries.md"), &len);
  if (!doc) fail_msg("docs/queries.md not found");
  const char *cur = doc;
  char *schema = next_block(&cur, "pg");
  assert_non_null(schema);
  og_catalog *cat = NULL;
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_catalog_compile(schema, strlen(schema), &cat, &err), &err);
  cur = doc;
  size_t blocks = 0, queries = 0;
  char *gq;
  while ((gq = next_block(&cur, "gq")) != NULL) {
    og_qfile *f = NULL;
    if (og_qfile_parse(gq, strlen(gq), &f, &err) != OG_OK) fail_msg("doc block %zu: %s\n%s", blocks, err.message, gq);
    for (size_t k = 0; k < f->n_decls; k++) {
      og_qtyped *t = NULL;
      og_qir *ir = NULL;
      if (og_query_check(cat, &f->decls[k], &t, &err) != OG_OK)
        fail_msg("doc query `%s`: %s", f->decls[k].name, err.message);
      OG_ASSERT_OK(og_query_lower(t, &ir, &err), &err);
      og_qir_free(ir);
      og_qtyped_free(t);
      queries++;
    }
    og_qfile_free(f);
    og_free(gq);
    blocks++;
  }
  assert_true(blocks >= 10);
  assert_true(queries >= 20);
  og_catalog_free(cat);
  og_free(schema);
  og_free(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_doc_examples)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
