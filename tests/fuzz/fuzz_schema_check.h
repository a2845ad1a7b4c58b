/*
 * fuzz_schema_check.h — the invariants one `.pg` input must satisfy, shared
 * by the libFuzzer target (fuzz_schema.c) and the deterministic regression
 * test (tests/unit/lang/test_schema_fuzz.c). Header-only, static.
 *
 *  - no crash, no leak (ASan), no UB (UBSan);
 *  - a failure is OG_EPARSE (or OG_ENOMEM) with "parse error: " /
 *    "catalog error: " and a 1-based line:column;
 *  - a compiled catalog renders to canonical .pg that compiles to the same
 *    hash, and its IR JSON reads back to the same hash;
 *  - planning a catalog against itself yields a supported, empty plan.
 */
#ifndef OG_FUZZ_SCHEMA_CHECK_H
#define OG_FUZZ_SCHEMA_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/schema.h"

static void og_fuzz_schema_fail(const char *what, const char *detail, const uint8_t *data, size_t size) {
  fprintf(stderr, "schema fuzz invariant failed: %s: %s\ninput (%zu bytes):\n%.*s\n", what, detail, size,
          (int)(size > 4000 ? 4000 : size), (const char *)data);
  abort();
}

/* Inputs starting with '{' exercise the IR reader (the engine's open path):
 * failures are OG_ECORRUPT / OG_EPARSE / OG_ENOMEM; an accepted IR re-reads
 * from its own canonical JSON to the same hash and renders valid .pg. */
static void og_fuzz_schema_ir(const uint8_t *data, size_t size) {
  og_error err = OG_ERROR_INIT;
  og_catalog *c = NULL, *c2 = NULL, *c3 = NULL;
  og_buf b = OG_BUF_INIT;
  og_status rc = og_catalog_from_ir((const char *)data, size, &c, &err);
  if (rc != OG_OK) {
    if (rc != OG_ECORRUPT && rc != OG_EPARSE && rc != OG_ENOMEM)
      og_fuzz_schema_fail("IR: unexpected status", err.message, data, size);
    goto done;
  }
  rc = og_catalog_from_ir(c->ir_json, c->ir_json_len, &c2, &err);
  if (rc == OG_ENOMEM) goto done;
  if (rc != OG_OK) og_fuzz_schema_fail("IR: canonical JSON does not re-read", err.message, data, size);
  if (strcmp(c->hash, c2->hash) != 0) og_fuzz_schema_fail("IR: hash changed on re-read", c->ir_json, data, size);
  if (og_catalog_render_pg(c, &b, &err) != OG_OK || b.oom) goto done;
  /* rendering is total; compiling it may still fail on rules the IR does not
   * re-check (e.g. a key on a nullable property), but never crashes */
  rc = og_catalog_compile(b.ptr ? b.ptr : "", b.len, &c3, &err);
  if (rc != OG_OK && rc != OG_EPARSE && rc != OG_ENOMEM)
    og_fuzz_schema_fail("IR: rendered .pg: unexpected status", err.message, data, size);
done:
  og_buf_dispose(&b);
  og_catalog_free(c);
  og_catalog_free(c2);
  og_catalog_free(c3);
}

static void og_fuzz_schema_one(const uint8_t *data, size_t size) {
  if (size > 0 && data[0] == '{') {
    og_fuzz_schema_ir(data, size);
    return;
  }
  og_error err = OG_ERROR_INIT;
  og_catalog *c = NULL, *c2 = NULL, *c3 = NULL;
  og_plan *plan = NULL;
  og_buf b = OG_BUF_INIT;
  og_status rc = og_catalog_compile((const char *)data, size, &c, &err);
  if (rc != OG_OK) {
    if (rc == OG_ENOMEM) goto done;
    if (rc != OG_EPARSE) og_fuzz_schema_fail("unexpected status", err.message, data, size);
    if (strncmp(err.message, "parse error: ", 13) != 0 && strncmp(err.message, "catalog error: ", 15) != 0)
      og_fuzz_schema_fail("message prefix", err.message, data, size);
    if (err.line < 1 || err.column < 1) og_fuzz_schema_fail("error without position", err.message, data, size);
    if (strncmp(err.details, "{\"span\":{\"start\":", 17) != 0)
      og_fuzz_schema_fail("error without span", err.message, data, size);
    goto done;
  }
#define OG_FUZZ_STEP(expr, what, detail)                                  \
  do {                                                                    \
    og_status og__r = (expr);                                             \
    if (og__r == OG_ENOMEM) goto done; /* allocation-failure runs */      \
    if (og__r != OG_OK) og_fuzz_schema_fail(what, detail, data, size);    \
  } while (0)
  OG_FUZZ_STEP(og_catalog_render_pg(c, &b, &err), "render_pg", err.message);
  if (b.oom) goto done;
  OG_FUZZ_STEP(og_catalog_compile(b.ptr ? b.ptr : "", b.len, &c2, &err), "canonical .pg does not compile",
               err.message);
  if (strcmp(c->hash, c2->hash) != 0) og_fuzz_schema_fail("canonical .pg changes the hash", b.ptr, data, size);
  OG_FUZZ_STEP(og_catalog_from_ir(c->ir_json, c->ir_json_len, &c3, &err), "IR does not read back", err.message);
  if (strcmp(c->hash, c3->hash) != 0) og_fuzz_schema_fail("IR read-back changes the hash", c->ir_json, data, size);
  OG_FUZZ_STEP(og_plan_build(c, c2, false, &plan, &err), "plan", err.message);
  if (!plan->supported || plan->n_steps != 0) og_fuzz_schema_fail("self-plan not empty", c->ir_json, data, size);
#undef OG_FUZZ_STEP
done:
  og_plan_free(plan);
  og_buf_dispose(&b);
  og_catalog_free(c);
  og_catalog_free(c2);
  og_catalog_free(c3);
}

#endif
