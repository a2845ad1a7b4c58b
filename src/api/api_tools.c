/* Public API: schema and query tools that need no graph (check, render,
 * migration plan, lint). */
#include "omnigraph.h"

#include "lang/query.h"
#include "lang/schema.h"
#include "util/util.h"

const char *og_version(void) { return "0.6.2"; }

void og_string_free(char *s) { og_free(s); }

og_status og_schema_check(const char *src, size_t len, char hash_out[80], og_error *err) {
  og_catalog *cat = NULL;
  og_status rc = og_catalog_compile(src, len, &cat, err);
  if (rc == OG_OK && hash_out) memcpy(hash_out, cat->hash, sizeof cat->hash);
  og_catalog_free(cat);
  return rc;
}

og_status og_schema_render(const char *src, size_t len, char **out, og_error *err) {
  og_catalog *cat = NULL;
  og_buf b = OG_BUF_INIT;
  *out = NULL;
  og_status rc = og_catalog_compile(src, len, &cat, err);
  if (rc) goto cleanup;
  if ((rc = og_catalog_render_pg(cat, &b, err))) goto cleanup;
  *out = og_buf_detach(&b, NULL);
  if (!*out) rc = og_err_oom(err);
cleanup:
  og_buf_dispose(&b);
  og_catalog_free(cat);
  return rc;
}

/*==================== migration plan ====================*/

struct og_schema_plan {
  bool supported;
  size_t n_steps;
  char **step_text;
  char *steps_json;
};

og_status og_schema_plan_new(og_schema_plan **out, const char *from_src, size_t from_len,
                             const char *to_src, size_t to_len, bool allow_data_loss,
                             og_error *err) {
  og_catalog *from = NULL, *to = NULL;
  og_plan *plan = NULL;
  og_schema_plan *p = NULL;
  og_buf b = OG_BUF_INIT;
  og_status rc;
  *out = NULL;
  if ((rc = og_catalog_compile(from_src, from_len, &from, err))) {
    og_err_prefix(err, "accepted schema");
    goto cleanup;
  }
  if ((rc = og_catalog_compile(to_src, to_len, &to, err))) goto cleanup;
  if ((rc = og_plan_build(from, to, allow_data_loss, &plan, err))) goto cleanup;
  p = og_calloc(1, sizeof *p);
  if (!p || !(p->step_text = og_calloc(plan->n_steps ? plan->n_steps : 1, sizeof(char *)))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  p->supported = plan->supported;
  p->n_steps = plan->n_steps;
  for (size_t i = 0; i < plan->n_steps; i++) {
    og_buf_clear(&b);
    og_plan_step_text(&plan->steps[i], &b);
    if (b.oom || !(p->step_text[i] = og_strdup(b.ptr ? b.ptr : ""))) {
      rc = og_err_oom(err);
      goto cleanup;
    }
  }
  og_buf_clear(&b);
  og_buf_putc(&b, '[');
  for (size_t i = 0; i < plan->n_steps; i++) {
    if (i) og_buf_putc(&b, ',');
    og_plan_step_json(&plan->steps[i], &b);
  }
  og_buf_putc(&b, ']');
  if (b.oom || !(p->steps_json = og_strdup(b.ptr))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  *out = p;
  p = NULL;
cleanup:
  og_schema_plan_free(p);
  og_buf_dispose(&b);
  og_plan_free(plan);
  og_catalog_free(to);
  og_catalog_free(from);
  return rc;
}

bool og_schema_plan_supported(const og_schema_plan *p) { return p->supported; }
size_t og_schema_plan_step_count(const og_schema_plan *p) { return p->n_steps; }
const char *og_schema_plan_step_text(const og_schema_plan *p, size_t i) {
  return i < p->n_steps ? p->step_text[i] : NULL;
}
const char *og_schema_plan_steps_json(const og_schema_plan *p) { return p->steps_json; }

void og_schema_plan_free(og_schema_plan *p) {
  if (!p) return;
  for (size_t i = 0; p->step_text && i < p->n_steps; i++) og_free(p->step_text[i]);
  og_free(p->step_text);
  og_free(p->steps_json);
  og_free(p);
}

/*==================== lint ====================*/

struct og_lint_report {
  bool has_errors;
  char *json;
  char *text;
};

og_status og_lint_run(og_lint_report **out, const char *schema_src, size_t schema_len,
                      const char *schema_kind, const char *schema_ref, const char *query_src,
                      size_t query_len, const char *query_path, og_error *err) {
  og_catalog *cat = NULL;
  og_lint_report *r = NULL;
  og_buf json = OG_BUF_INIT, text = OG_BUF_INIT;
  og_status rc;
  *out = NULL;
  if ((rc = og_catalog_compile(schema_src, schema_len, &cat, err))) goto cleanup;
  og_qlint_opts opts = {.schema_kind = schema_kind ? schema_kind : "file", .schema_path = schema_ref,
                        .query_path = query_path};
  bool status_error = false;
  if ((rc = og_qlint(cat, query_src, query_len, &opts, &json, &text, &status_error, err)))
    goto cleanup;
  if (!(r = og_calloc(1, sizeof *r))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  r->has_errors = status_error;
  r->json = og_buf_detach(&json, NULL);
  r->text = og_buf_detach(&text, NULL);
  if (!r->json || !r->text) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  *out = r;
  r = NULL;
cleanup:
  og_lint_report_free(r);
  og_buf_dispose(&json);
  og_buf_dispose(&text);
  og_catalog_free(cat);
  return rc;
}

bool og_lint_has_errors(const og_lint_report *r) { return r->has_errors; }
const char *og_lint_json(const og_lint_report *r) { return r->json; }
const char *og_lint_text(const og_lint_report *r) { return r->text; }

void og_lint_report_free(og_lint_report *r) {
  if (!r) return;
  og_free(r->json);
  og_free(r->text);
  og_free(r);
}
