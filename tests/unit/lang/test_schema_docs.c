/*
 * test_schema_docs.c — the examples of docs/schema.md: every ```pg block
 * compiles (and its canonical rendering compiles to the same hash); every
 * ```pg-error block fails with the message on its first line
 * ("// <expected message>"); the migration example's ```text block is the
 * plan between the "accepted" and "desired" ```pg blocks.
 */
#include <stdio.h>
#include <string.h>

#include "og_test.h"
#include "lang/schema.h"

/* Next fenced block with exactly the given info string; returns its body. */
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

static char *load_doc(void) {
  size_t len = 0;
  char *doc = og_test_read_file(og_test_source_path("docs/schema.md"), &len);
  if (!doc) fail_msg("docs/schema.md not found");
  return doc;
}

static void test_pg_blocks(void **state) {
  (void)state;
  char *doc = load_doc();
  const char *cur = doc;
  char *pg;
  size_t n = 0;
  while ((pg = next_block(&cur, "pg")) != NULL) {
    og_error err = OG_ERROR_INIT;
    og_catalog *c = NULL, *c2 = NULL;
    if (og_catalog_compile(pg, strlen(pg), &c, &err) != OG_OK)
      fail_msg("docs block %zu: %s (%d:%d)\n%s", n, err.message, err.line, err.column, pg);
    og_buf b = OG_BUF_INIT;
    OG_ASSERT_OK(og_catalog_render_pg(c, &b, &err), &err);
    OG_ASSERT_OK(og_catalog_compile(b.ptr ? b.ptr : "", b.len, &c2, &err), &err);
    assert_string_equal(c->hash, c2->hash);
    og_buf_dispose(&b);
    og_catalog_free(c);
    og_catalog_free(c2);
    og_free(pg);
    n++;
  }
  assert_true(n >= 10);
  og_free(doc);
}

static void test_error_blocks(void **state) {
  (void)state;
  char *doc = load_doc();
  const char *cur = doc;
  char *pg;
  size_t n = 0;
  while ((pg = next_block(&cur, "pg-error")) != NULL) {
    if (strncmp(pg, "// ", 3) != 0) fail_msg("pg-error block without expected message:\n%s", pg);
    const char *nl = strchr(pg, '\n');
    char *want = og_strndup(pg + 3, (size_t)(nl - pg - 3));
    og_error err = OG_ERROR_INIT;
    og_catalog *c = NULL;
    if (og_catalog_compile(pg, strlen(pg), &c, &err) == OG_OK) fail_msg("docs error block compiled:\n%s", pg);
    if (strcmp(err.message, want) != 0) fail_msg("docs error block: got '%s'\nwant '%s'", err.message, want);
    assert_true(err.line > 0 && err.column > 0);
    og_free(want);
    og_free(pg);
    n++;
  }
  assert_true(n >= 10);
  og_free(doc);
}

static void test_migration_example(void **state) {
  (void)state;
  char *doc = load_doc();
  const char *cur = doc;
  char *pg, *accepted = NULL, *desired = NULL;
  while ((pg = next_block(&cur, "pg")) != NULL) {
    if (og_str_startswith(pg, "// accepted schema")) accepted = pg;
    else if (og_str_startswith(pg, "// … desired schema")) desired = pg;
    else og_free(pg);
  }
  assert_non_null(accepted);
  assert_non_null(desired);
  cur = strstr(doc, "The plan for this pair is:");
  assert_non_null(cur);
  char *want = next_block(&cur, "text");
  assert_non_null(want);
  og_error err = OG_ERROR_INIT;
  og_catalog *a = NULL, *d = NULL;
  og_plan *p = NULL;
  OG_ASSERT_OK(og_catalog_compile(accepted, strlen(accepted), &a, &err), &err);
  OG_ASSERT_OK(og_catalog_compile(desired, strlen(desired), &d, &err), &err);
  OG_ASSERT_OK(og_plan_build(a, d, false, &p, &err), &err);
  og_buf b = OG_BUF_INIT;
  for (size_t i = 0; i < p->n_steps; i++) {
    og_plan_step_text(&p->steps[i], &b);
    og_buf_putc(&b, '\n');
  }
  assert_true(p->supported);
  assert_string_equal(b.ptr, want);
  og_buf_dispose(&b);
  og_plan_free(p);
  og_catalog_free(a);
  og_catalog_free(d);
  og_free(want);
  og_free(accepted);
  og_free(desired);
  og_free(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pg_blocks),
      cmocka_unit_test(test_error_blocks),
      cmocka_unit_test(test_migration_example),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
