/*
 * fuzz_query.c — libFuzzer target for the `.gq` front end: parse, render and
 * re-parse (round trip), type-check against a fixed schema, lower, render the
 * IR, and bind the input as JSON params. Build with -DOG_BUILD_FUZZERS=ON
 * (clang). Run: ./fuzz_query -max_len=4096 corpus/
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang/query.h"
#include "lang/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SCHEMA[] =
    "node Person { name: String @key  age: I32?  tags: [String]?  at: DateTime?  on: Date? }\n"
    "node Company { name: String @key }\n"
    "node Doc { slug: String @key  title: String @index  body: String?  emb: Vector(3)?  content: Blob? }\n"
    "edge Knows: Person -> Person { since: Date? }\n"
    "edge WorksAt: Person -> Company { title: String? }\n"
    "edge Wrote: Person -> Doc\n";

static og_catalog *g_cat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  og_error err = OG_ERROR_INIT;
  if (!g_cat && og_catalog_compile(SCHEMA, sizeof SCHEMA - 1, &g_cat, &err) != OG_OK) abort();
  og_qfile *f = NULL;
  og_status rc = og_qfile_parse((const char *)data, size, &f, &err);
  if (rc != OG_OK) {
    if (rc == OG_EPARSE && (err.line < 1 || err.column < 1)) abort(); /* errors carry a position */
    return 0;
  }
  for (size_t k = 0; k < f->n_decls; k++) {
    og_buf b = OG_BUF_INIT;
    og_qdecl_render(&f->decls[k], &b);
    og_qfile *g = NULL;
    if (b.ptr && og_qfile_parse(b.ptr, b.len, &g, &err) != OG_OK) abort(); /* rendering must re-parse */
    og_qfile_free(g);
    og_buf_dispose(&b);
    og_qtyped *t = NULL;
    if (og_query_check(g_cat, &f->decls[k], &t, &err) == OG_OK) {
      og_qir *ir = NULL;
      if (og_query_lower(t, &ir, &err) != OG_OK) abort();
      og_buf r = OG_BUF_INIT;
      og_qir_render(ir, &r);
      og_buf_dispose(&r);
      og_qir_free(ir);
      og_qtyped_free(t);
    } else if (err.code == OG_ETYPE && err.line < 1) {
      abort();
    }
  }
  if (f->n_decls) {
    og_qparams *p = NULL;
    if (og_qparams_bind(&f->decls[0], (const char *)data, size, OG_QBIND_STANDARD, &p, &err) == OG_OK)
      og_qparams_free(p);
  }
  og_buf j = OG_BUF_INIT;
  bool se;
  og_qlint(g_cat, (const char *)data, size, NULL, &j, NULL, &se, &err);
  og_buf_dispose(&j);
  og_qfile_free(f);
  return 0;
}
