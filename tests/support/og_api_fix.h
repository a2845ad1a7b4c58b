/*
 * og_api_fix.h — helpers for tests that go through the public C API
 * (include/omnigraph.h). Header-only because og_testsupport (linked by
 * every test) depends on util only: include it only from tests that link
 * the api layer.
 */
#ifndef OG_API_FIX_H
#define OG_API_FIX_H

#include "og_test.h"

#include <stdlib.h>
#include <string.h>

#include "omnigraph.h"

static int og_afix_cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every row of `r` as a "cell,cell\n" line of JSON cells, lines sorted
 * (og_free; "" for no rows). `r` stays the caller's. */
static __attribute__((unused)) char *og_afix_rows_text(og_result *r) {
  size_t n = og_result_row_count(r), nc = og_result_column_count(r);
  char **lines = og_calloc(n + 1, sizeof *lines);
  assert_non_null(lines);
  for (size_t i = 0; i < n; i++) {
    og_buf l = OG_BUF_INIT;
    for (size_t c = 0; c < nc; c++) {
      char *cell = og_result_cell_json(r, i, c);
      og_buf_printf(&l, "%s%s", c ? "," : "", cell);
      og_string_free(cell);
    }
    lines[i] = og_buf_detach(&l, NULL);
  }
  qsort(lines, n, sizeof *lines, og_afix_cmp_str);
  og_buf b = OG_BUF_INIT;
  for (size_t i = 0; i < n; i++) {
    og_buf_printf(&b, "%s\n", lines[i]);
    og_free(lines[i]);
  }
  og_free(lines);
  og_buf_puts(&b, "");
  return og_buf_detach(&b, NULL);
}

#endif
