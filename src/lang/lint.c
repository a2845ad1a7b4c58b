/*
 * lint.c — query lint (spec/languages.md §9): Q000 on parse failure,
 * per-query typecheck status, the "mutation declares no params" warning and
 * L201 (nullable properties no update query sets), as JSON and human text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/query_int.h"

typedef struct finding {
  int severity; /* 0 error, 1 warning, 2 info */
  const char *code;
  const char *message;
  const char *type_name; /* may be NULL */
  const char *property;
  const char **query_names;
  size_t n_names;
} finding;

typedef struct qresult {
  const char *name;
  bool mutation;
  bool ok;
  const char *error;
  const char *warning; /* at most one per-query warning today */
} qresult;

static const char *const SEV[] = {"error", "warning", "info"};

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_s(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

static int cmp_finding(const void *pa, const void *pb) {
  const finding *a = pa, *b = pb;
  if (a->severity != b->severity) return a->severity - b->severity;
  int c = cmp_s(a->type_name, b->type_name);
  if (c) return c;
  if ((c = cmp_s(a->property, b->property))) return c;
  return cmp_s(a->message, b->message);
}

static void put_str(og_buf *b, const char *s) { og_buf_put_json_str(b, s, strlen(s)); }

static void emit_json(og_buf *b, const og_qlint_opts *o, size_t processed, size_t errors, size_t warnings,
                      size_t infos, const qresult *res, size_t n_res, const finding *fs, size_t n_fs) {
  og_buf_printf(b, "{\"status\":\"%s\",\"schema_source\":{\"kind\":", errors ? "error" : "ok");
  bool graph = o && o->schema_kind && strcmp(o->schema_kind, "graph") == 0;
  put_str(b, graph ? "graph" : "file");
  og_buf_puts(b, graph ? ",\"uri\":" : ",\"path\":");
  if (o && o->schema_path) put_str(b, o->schema_path);
  else og_buf_puts(b, "null");
  og_buf_puts(b, "}");
  if (o && o->query_path) {
    og_buf_puts(b, ",\"query_path\":");
    put_str(b, o->query_path);
  }
  og_buf_printf(b, ",\"queries_processed\":%zu,\"errors\":%zu,\"warnings\":%zu,\"infos\":%zu,\"results\":[", processed,
                errors, warnings, infos);
  for (size_t k = 0; k < n_res; k++) {
    const qresult *r = &res[k];
    og_buf_puts(b, k ? ",{\"name\":" : "{\"name\":");
    put_str(b, r->name);
    og_buf_printf(b, ",\"kind\":\"%s\",\"status\":\"%s\"", r->mutation ? "mutation" : "read", r->ok ? "ok" : "error");
    if (r->warning) {
      og_buf_puts(b, ",\"warnings\":[");
      put_str(b, r->warning);
      og_buf_puts(b, "]");
    }
    if (r->error) {
      og_buf_puts(b, ",\"error\":");
      put_str(b, r->error);
    }
    og_buf_puts(b, "}");
  }
  og_buf_puts(b, "],\"findings\":[");
  for (size_t k = 0; k < n_fs; k++) {
    const finding *f = &fs[k];
    og_buf_printf(b, "%s{\"severity\":\"%s\",\"code\":", k ? "," : "", SEV[f->severity]);
    put_str(b, f->code);
    og_buf_puts(b, ",\"message\":");
    put_str(b, f->message);
    if (f->type_name) {
      og_buf_puts(b, ",\"type_name\":");
      put_str(b, f->type_name);
    }
    if (f->property) {
      og_buf_puts(b, ",\"property\":");
      put_str(b, f->property);
    }
    if (f->n_names) {
      og_buf_puts(b, ",\"query_names\":[");
      for (size_t j = 0; j < f->n_names; j++) {
        if (j) og_buf_putc(b, ',');
        put_str(b, f->query_names[j]);
      }
      og_buf_puts(b, "]");
    }
    og_buf_puts(b, "}");
  }
  og_buf_puts(b, "]}");
}

static void emit_text(og_buf *b, size_t processed, size_t errors, size_t warnings, size_t infos, const qresult *res,
                      size_t n_res, const finding *fs, size_t n_fs) {
  for (size_t k = 0; k < n_res; k++) {
    const qresult *r = &res[k];
    if (r->ok) og_buf_printf(b, "OK    query `%s` (%s)\n", r->name, r->mutation ? "mutation" : "read");
    else og_buf_printf(b, "ERROR query `%s`: %s\n", r->name, r->error);
    if (r->warning) og_buf_printf(b, "WARN  query `%s`: %s\n", r->name, r->warning);
  }
  for (size_t k = 0; k < n_fs; k++)
    og_buf_printf(b, "%s %s\n", fs[k].severity == 0 ? "ERROR" : fs[k].severity == 1 ? "WARN " : "INFO ", fs[k].message);
  og_buf_printf(b, "INFO  Lint complete: %zu queries processed (%zu error(s), %zu warning(s), %zu info item(s))\n",
                processed, errors, warnings, infos);
}

og_status og_qlint(const struct og_catalog *cat, const char *src, size_t len, const og_qlint_opts *opts,
                   og_buf *json_out, og_buf *text_out, bool *status_error, og_error *err) {
  og_status rc = OG_OK;
  og_arena a;
  og_arena_init(&a, 0);
  og_qfile *f = NULL;
  qresult *res = NULL;
  finding *fs = NULL;
  size_t n_res = 0, n_fs = 0, fcap = 0;
  size_t errors = 0, warnings = 0, infos = 0, processed = 0;
  og_error perr = OG_ERROR_INIT;
  og_qcat view;

  if (og_qfile_parse(src, len, &f, &perr) != OG_OK) {
    if (perr.code == OG_ENOMEM) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    finding q0 = {0, "Q000", og_arena_strdup(&a, perr.message), NULL, NULL, NULL, 0};
    if (!q0.message) { rc = og_err_oom(err); goto cleanup; }
    OG_Q_PUSH(&a, fs, n_fs, fcap, q0, { rc = og_err_oom(err); goto cleanup; });
    errors = 1;
    goto output;
  }
  if ((rc = og_qcat_build(&a, cat, &view, err)) != OG_OK) goto cleanup;
  processed = f->n_decls;
  res = og_arena_zalloc(&a, (f->n_decls ? f->n_decls : 1) * sizeof *res);
  if (!res) { rc = og_err_oom(err); goto cleanup; }
  /* per node type: names of successfully checked update queries and the
   * properties they assign */
  size_t nn = view.n_nodes;
  const char ***upd_names = og_arena_zalloc(&a, (nn ? nn : 1) * sizeof *upd_names);
  size_t *upd_n = og_arena_zalloc(&a, (nn ? nn : 1) * sizeof *upd_n);
  size_t *upd_cap = og_arena_zalloc(&a, (nn ? nn : 1) * sizeof *upd_cap);
  bool **set = og_arena_zalloc(&a, (nn ? nn : 1) * sizeof *set);
  if (!upd_names || !upd_n || !upd_cap || !set) { rc = og_err_oom(err); goto cleanup; }
  for (size_t k = 0; k < f->n_decls; k++) {
    const og_qdecl *d = &f->decls[k];
    qresult *r = &res[n_res++];
    r->name = d->name;
    r->mutation = d->is_mutation;
    if (d->is_mutation && d->n_params == 0) {
      r->warning = "mutation declares no params; hardcoded mutations are easy to miss";
      warnings++;
    }
    og_qtyped *t = NULL;
    og_error te = OG_ERROR_INIT;
    og_status trc = og_query_check_view(&view, cat, d, &t, &te);
    if (trc == OG_ENOMEM) { rc = og_err_oom(err); goto cleanup; }
    if (trc != OG_OK) {
      r->ok = false;
      r->error = og_arena_strdup(&a, te.message);
      if (!r->error) { rc = og_err_oom(err); goto cleanup; }
      errors++;
      continue;
    }
    r->ok = true;
    og_qtyped_free(t);
    for (size_t m = 0; m < d->n_muts; m++) {
      const og_qmut *mu = &d->muts[m];
      if (mu->kind != OG_QM_UPDATE) continue;
      const og_qc_type *nt = og_qcat_node(&view, mu->type_name);
      if (!nt) continue;
      size_t ti = (size_t)(nt - view.nodes);
      if (!set[ti]) {
        set[ti] = og_arena_zalloc(&a, (nt->n_props ? nt->n_props : 1) * sizeof(bool));
        if (!set[ti]) { rc = og_err_oom(err); goto cleanup; }
      }
      for (size_t j = 0; j < mu->n_assigns; j++) {
        const og_qc_prop *p = og_qcat_prop(nt, mu->assigns[j].prop);
        if (p) set[ti][p - nt->props] = true;
      }
      /* statements of one query are seen together: comparing with the last
       * name keeps this linear (equal names elsewhere are folded after sorting) */
      bool dup = upd_n[ti] && strcmp(upd_names[ti][upd_n[ti] - 1], d->name) == 0;
      if (!dup) OG_Q_PUSH(&a, upd_names[ti], upd_n[ti], upd_cap[ti], d->name, { rc = og_err_oom(err); goto cleanup; });
    }
  }
  for (size_t ti = 0; ti < nn; ti++) {
    if (!upd_n[ti]) continue;
    const og_qc_type *nt = &view.nodes[ti];
    qsort(upd_names[ti], upd_n[ti], sizeof(char *), cmp_str);
    size_t u = 0;
    for (size_t j = 0; j < upd_n[ti]; j++)
      if (u == 0 || strcmp(upd_names[ti][u - 1], upd_names[ti][j]) != 0) upd_names[ti][u++] = upd_names[ti][j];
    upd_n[ti] = u;
    for (size_t j = 0; j < nt->n_props; j++) {
      const og_qc_prop *p = &nt->props[j];
      if (!p->type.nullable || p->is_key || set[ti][j]) continue;
      bool embed_target = p->embed_src != NULL;
      if (embed_target) continue;
      finding l = {1, "L201", og_arena_printf(&a, "%s.%s exists in schema but no update query sets it", nt->name, p->name),
                   nt->name, p->name, upd_names[ti], upd_n[ti]};
      if (!l.message) { rc = og_err_oom(err); goto cleanup; }
      OG_Q_PUSH(&a, fs, n_fs, fcap, l, { rc = og_err_oom(err); goto cleanup; });
      warnings++;
    }
  }
  if (n_fs > 1) qsort(fs, n_fs, sizeof *fs, cmp_finding);
output:
  if (json_out) emit_json(json_out, opts, processed, errors, warnings, infos, res, n_res, fs, n_fs);
  if (text_out) {
    if (processed == 0 && errors && n_fs) og_buf_printf(text_out, "ERROR %s\n", fs[0].message);
    if (processed || !errors) emit_text(text_out, processed, errors, warnings, infos, res, n_res, fs, n_fs);
    else og_buf_printf(text_out, "INFO  Lint complete: 0 queries processed (%zu error(s), %zu warning(s), %zu info item(s))\n",
                       errors, warnings, infos);
  }
  if (status_error) *status_error = errors > 0;
  if ((json_out && json_out->oom) || (text_out && text_out->oom)) rc = og_err_oom(err);
cleanup:
  og_qfile_free(f);
  og_arena_dispose(&a);
  return rc;
}
