/* Public API: optimize, cleanup, schema plan/apply against a graph
 * (include/omnigraph/maint.h; docs/maintenance.md, docs/schema-evolution.md). */
#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "exec/exec.h"
#include "graph/maint.h"

static const char *branch_or_main(const char *b) { return b && *b ? b : OG_GRAPH_MAIN; }

static og_status emit(json_t *v, char **out, og_error *err) {
  *out = NULL;
  if (!v) return og_err_oom(err);
  char *s = json_dumps(v, JSON_PRESERVE_ORDER | JSON_COMPACT);
  json_decref(v);
  if (!s) return og_err_oom(err);
  *out = og_strdup(s);
  free(s);
  return *out ? OG_OK : og_err_oom(err);
}

/*==================== optimize ====================*/

og_status og_db_optimize(og_db *db, const og_optimize_db_opts *opts, char **json_out,
                         og_error *err) {
  og_optimize_result r = {0};
  const char *branch = branch_or_main(opts ? opts->branch : NULL);
  og_optimize_opts o = {.branch = branch, .actor = opts ? opts->actor : NULL};
  *json_out = NULL;
  og_status rc = og_graph_optimize(db->graph, &o, &r, err);
  if (rc != OG_OK) return rc;
  json_t *root = json_object(), *tables = json_array();
  json_object_set_new(root, "uri", json_string(db->uri));
  json_object_set_new(root, "branch", json_string(branch));
  json_object_set_new(root, "manifest_version", json_integer((json_int_t)r.manifest_version));
  for (size_t i = 0; i < r.count; i++) {
    const og_optimize_stat *s = &r.tables[i];
    json_t *t = json_object();
    json_object_set_new(t, "table_key", json_string(s->table_key));
    json_object_set_new(t, "fragments_removed", json_integer((json_int_t)s->fragments_removed));
    json_object_set_new(t, "fragments_added", json_integer((json_int_t)s->fragments_added));
    json_object_set_new(t, "fragments_before", json_integer((json_int_t)s->fragments_before));
    json_object_set_new(t, "fragments_after", json_integer((json_int_t)s->fragments_after));
    json_object_set_new(t, "rows", json_integer((json_int_t)s->rows));
    json_object_set_new(t, "committed", json_boolean(s->committed));
    json_object_set_new(t, "skipped", s->skipped ? json_string(s->skipped) : json_null());
    json_object_set_new(t, "manifest_version",
                        s->committed ? json_integer((json_int_t)s->manifest_version) : json_null());
    json_object_set_new(t, "lance_head_version", json_null());
    json_array_append_new(tables, t);
  }
  json_object_set_new(root, "tables", tables);
  og_optimize_result_dispose(&r);
  return emit(root, json_out, err);
}

/*==================== schema plan ====================*/

og_status og_db_schema_plan(og_db *db, const char *branch, const char *src, size_t len,
                            bool allow_data_loss, og_schema_plan **out, og_error *err) {
  char *accepted = NULL;
  *out = NULL;
  og_status rc = og_db_schema_source(db, branch_or_main(branch), &accepted, err);
  if (rc == OG_OK)
    rc = og_schema_plan_new(out, accepted, strlen(accepted), src, len, allow_data_loss, err);
  og_free(accepted);
  return rc;
}

/*==================== schema apply ====================*/

void og_schema_apply_result_dispose(og_schema_apply_result *r) {
  if (!r) return;
  for (size_t i = 0; r->step_text && i < r->step_count; i++) og_free(r->step_text[i]);
  og_free(r->step_text);
  og_free(r->steps_json);
  og_free(r->warning);
  memset(r, 0, sizeof *r);
}

static og_status fill_steps(const og_plan *plan, og_schema_apply_result *out, og_error *err) {
  og_buf b = OG_BUF_INIT;
  out->step_count = plan->n_steps;
  out->step_text = og_calloc(plan->n_steps + 1, sizeof *out->step_text);
  if (!out->step_text) return og_err_oom(err);
  og_buf_putc(&b, '[');
  for (size_t i = 0; i < plan->n_steps; i++) {
    og_buf t = OG_BUF_INIT;
    og_plan_step_text(&plan->steps[i], &t);
    out->step_text[i] = t.oom ? NULL : og_strdup(t.ptr ? t.ptr : "");
    og_buf_dispose(&t);
    if (!out->step_text[i]) {
      og_buf_dispose(&b);
      return og_err_oom(err);
    }
    if (i) og_buf_putc(&b, ',');
    og_plan_step_json(&plan->steps[i], &b);
  }
  og_buf_putc(&b, ']');
  if (b.oom || !(out->steps_json = og_strdup(b.ptr))) {
    og_buf_dispose(&b);
    return og_err_oom(err);
  }
  og_buf_dispose(&b);
  return OG_OK;
}

/* The accepted type a desired type takes its rows from: same kind and name,
 * else its @rename_from (the planner validated both). */
static const og_type *source_type(const og_catalog *acc, const og_type *t) {
  const og_type *s = t->kind == OG_KIND_EDGE ? og_catalog_edge(acc, t->name) : og_catalog_node(acc, t->name);
  const char *from = NULL;
  if (!s && og_annot_find(t->annots, t->n_annots, "rename_from", &from) && from)
    s = t->kind == OG_KIND_EDGE ? og_catalog_edge(acc, from) : og_catalog_node(acc, from);
  return s;
}

static const og_prop *source_prop(const og_type *src, const og_prop *p) {
  const og_prop *s = og_type_prop(src, p->name);
  const char *from = NULL;
  if (!s && og_annot_find(p->annots, p->n_annots, "rename_from", &from) && from)
    s = og_type_prop(src, from);
  return s;
}

static og_status new_prefix(og_buf *out, const char *table_key) {
  char ulid[OG_ULID_LEN + 1];
  if (og_ulid_new(ulid) != OG_OK) return OG_ERROR;
  og_buf_puts(out, "t/");
  for (const char *p = table_key; *p; p++) og_buf_putc(out, *p == ':' || *p == '.' ? '-' : *p);
  og_buf_printf(out, "-%s", ulid);
  return out->oom ? OG_ENOMEM : OG_OK;
}

static bool colspec_same(const og_colspec *a, const og_colspec *b) {
  return strcmp(a->name, b->name) == 0 && a->type == b->type && a->elem == b->elem &&
         a->dim == b->dim && a->nullable == b->nullable;
}

typedef OG_VEC(char *) strvec;

static void strvec_free(strvec *v) {
  for (size_t i = 0; i < v->count; i++) og_free(v->items[i]);
  OG_VEC_FREE(v);
}

static og_status strvec_add(strvec *v, const char *s, og_error *err) {
  char *d = og_strdup(s);
  if (!d || OG_VEC_PUSH(v, d) != OG_OK) {
    og_free(d);
    return og_err_oom(err);
  }
  return OG_OK;
}

/* Stage the table effects of moving from `acc` to `des` on write `w`:
 * rewritten, renamed, added and dropped tables. `lost` receives the keys of
 * accepted tables whose data (a table or some columns) leaves the head. */
static og_status stage_tables(og_db *db, og_graph_write *w, const og_catalog *acc,
                              const og_catalog *des, strvec *lost, og_error *err) {
  og_status rc = OG_OK;
  og_exec_tables dt = {0};
  og_snapshot *base = og_graph_write_base(w);
  const og_manifest *bm = og_snapshot_manifest(base);
  og_map used = OG_MAP_INIT; /* accepted table keys that feed a desired table */
  int *src_cols = NULL;
  if ((rc = og_exec_tables_build(des, &dt, err)) != OG_OK) return rc;
  for (size_t i = 0; i < dt.count; i++) {
    const og_type *t = i < des->n_nodes ? &des->nodes[i] : &des->edges[i - des->n_nodes];
    const og_graph_table_spec *spec = &dt.specs[i];
    const og_table_schema *ns = spec->schema;
    const og_type *st = source_type(acc, t);
    og_table *bt = NULL, *nt = NULL;
    og_buf prefix = OG_BUF_INIT;
    char skey[600];
    if (st) og_exec_table_key(st, skey, sizeof skey);
    if (!st || !og_manifest_find(bm, skey)) {
      /* a new type: an empty table of its own */
      if ((rc = new_prefix(&prefix, spec->table_key)) != OG_OK) rc = og_err_oom(err);
      else if ((rc = og_table_create(db->store, prefix.ptr, ns, &nt, err)) == OG_OK)
        rc = og_graph_write_stage(w, spec->table_key, nt, OG_GRAPH_STAGE_STRICT, err);
      goto next;
    }
    if (og_map_sput(&used, skey, NULL) != OG_OK) { rc = og_err_oom(err); goto next; }
    if ((rc = og_snapshot_table(base, skey, &bt, err)) != OG_OK) goto next;
    const og_table_schema *bs = og_table_schema_get(bt);
    og_free(src_cols);
    if (!(src_cols = og_calloc(ns->ncols + 1, sizeof *src_cols))) { rc = og_err_oom(err); goto next; }
    bool same = ns->ncols == bs->ncols && strcmp(skey, spec->table_key) == 0 &&
                ns->key_col == bs->key_col;
    size_t implicit = t->kind == OG_KIND_EDGE ? 3 : 1;
    size_t mapped = 0;
    for (size_t c = 0; c < ns->ncols; c++) {
      const char *sname = ns->cols[c].name;
      if (c >= implicit) {
        const og_prop *sp = source_prop(st, &t->props[c - implicit]);
        sname = sp ? sp->name : NULL;
      }
      src_cols[c] = sname ? og_table_schema_find(bs, sname) : -1;
      if (src_cols[c] >= 0) mapped++;
      if (src_cols[c] != (int)c || !colspec_same(&ns->cols[c], &bs->cols[c < bs->ncols ? c : 0]))
        same = false;
    }
    if (mapped < bs->ncols && (rc = strvec_add(lost, skey, err)) != OG_OK) goto next;
    if (same) goto next; /* metadata or index-only change: the table is untouched */
    bool renamed = strcmp(skey, spec->table_key) != 0;
    if (renamed && new_prefix(&prefix, spec->table_key) != OG_OK) { rc = og_err_oom(err); goto next; }
    if ((rc = og_table_alter(bt, renamed ? prefix.ptr : NULL, ns, src_cols, &nt, err)) != OG_OK) {
      og_err_prefix(err, "schema apply: rewriting %s", skey);
      goto next;
    }
    /* strict: any row change of this table since the pin is a conflict */
    if ((rc = og_graph_write_stage(w, spec->table_key, nt, OG_GRAPH_STAGE_STRICT, err)) != OG_OK)
      goto next;
    if (renamed) rc = og_graph_write_drop(w, skey, err);
  next:
    og_buf_dispose(&prefix);
    og_table_free(bt);
    og_table_free(nt);
    if (rc != OG_OK) goto cleanup;
  }
  /* accepted tables no desired type takes rows from: dropped */
  for (size_t i = 0; i < bm->ntables; i++) {
    const char *k = bm->tables[i].table_key;
    if (og_map_sget(&used, k, NULL)) continue;
    bool desired = false;
    for (size_t j = 0; j < dt.count && !desired; j++) desired = strcmp(dt.specs[j].table_key, k) == 0;
    if (desired) continue;
    if ((rc = og_graph_write_drop(w, k, err)) != OG_OK) goto cleanup;
    if ((rc = strvec_add(lost, k, err)) != OG_OK) goto cleanup;
  }
cleanup:
  og_free(src_cols);
  og_map_dispose(&used);
  og_exec_tables_dispose(&dt);
  return rc;
}

static og_status check_only_main(og_db *db, og_error *err) {
  og_branch_list l = {0};
  og_buf names = OG_BUF_INIT;
  og_status rc = og_graph_branch_list(db->graph, &l, err);
  if (rc != OG_OK) return rc;
  for (size_t i = 0; i < l.count; i++) {
    if (og_str_eq(l.items[i].name, OG_GRAPH_MAIN)) continue;
    og_buf_printf(&names, "%s%s", names.len ? ", " : "", l.items[i].name);
  }
  if (names.len)
    rc = og_err_set(err, OG_ECONFLICT,
                    "schema apply requires a graph with only main; found non-main branches: %s",
                    names.ptr);
  else if (names.oom)
    rc = og_err_oom(err);
  og_buf_dispose(&names);
  og_branch_list_dispose(&l);
  return rc;
}

/* Jittered pause before retry `attempt` (0-based), up to ~16 ms. */
static void backoff(unsigned attempt) {
  uint32_t r = 0;
  (void)og_random_bytes(&r, sizeof r);
  uint64_t us = 200 + r % (500ull << (attempt < 5 ? attempt : 5));
  struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
  nanosleep(&ts, NULL);
}

/* Schema of the branch head changed since `sha` was pinned? */
static bool schema_moved(og_db *db, const char *branch, const char *sha) {
  og_snapshot *h = NULL;
  bool moved = true;
  if (og_graph_snapshot(db->graph, branch, 0, &h, NULL) == OG_OK)
    moved = strcmp(og_snapshot_manifest(h)->schema_sha256, sha) != 0;
  og_snapshot_free(h);
  return moved;
}

/* One optimistic attempt. *retry is set when the commit lost only to row
 * changes or content-preserving drift (the schema is still the one this
 * attempt planned from): rewriting again from the new head is then the same
 * migration. A lost race against another schema change is final (409). */
static og_status apply_attempt(og_db *db, const og_schema_apply_opts *o, const char *branch,
                               const og_catalog *des, const char *src, size_t len,
                               og_schema_apply_result *out, bool *retry, og_error *err) {
  og_graph_write *w = NULL;
  og_plan *plan = NULL;
  og_snapshot *done = NULL;
  strvec lost = OG_VEC_INIT;
  char pinned_sha[65] = "";
  og_status rc;
  *retry = false;
  if ((rc = og_graph_write_begin(db->graph, branch, &w, err)) != OG_OK) goto cleanup;
  og_snapshot *base = og_graph_write_base(w);
  snprintf(pinned_sha, sizeof pinned_sha, "%s", og_snapshot_manifest(base)->schema_sha256);
  const og_catalog *acc = NULL;
  if ((rc = og_db__catalog(db, base, &acc, err)) != OG_OK) goto cleanup;
  if ((rc = og_plan_build(acc, des, o->allow_data_loss, &plan, err)) != OG_OK) goto cleanup;
  out->supported = plan->supported;
  out->manifest_version = og_snapshot_version(base);
  if ((rc = fill_steps(plan, out, err)) != OG_OK) goto cleanup;
  if (!plan->supported) {
    for (size_t i = 0; i < plan->n_steps; i++) {
      if (plan->steps[i].kind != OG_STEP_UNSUPPORTED) continue;
      og_buf m = OG_BUF_INIT;
      og_plan_step_message(&plan->steps[i], &m);
      rc = og_err_set(err, OG_EINVAL, "%s", m.ptr ? m.ptr : "unsupported schema change");
      og_buf_dispose(&m);
      break;
    }
    if (rc == OG_OK) rc = og_err_set(err, OG_EINVAL, "unsupported schema change");
    goto cleanup;
  }
  if (plan->n_steps == 0) goto cleanup; /* applied: false */
  if (og_str_eq(branch, OG_GRAPH_MAIN) && (rc = check_only_main(db, err)) != OG_OK) goto cleanup;
  if ((rc = stage_tables(db, w, acc, des, &lost, err)) != OG_OK) goto cleanup;
  if ((rc = og_graph_write_set_schema(w, src, len, err)) != OG_OK) goto cleanup;
  if ((rc = OG_FAILPOINT(OG_FP_MAINT_SCHEMA_APPLY_BEFORE_COMMIT, err)) != OG_OK) goto cleanup;
  og_commit_opts co = {.operation = "schema_apply", .actor = o->actor};
  if ((rc = og_graph_commit(w, &co, &done, err)) != OG_OK) {
    if (rc == OG_ECONFLICT) {
      *retry = !schema_moved(db, branch, pinned_sha);
      og_err_prefix(err, "schema apply");
    }
    goto cleanup;
  }
  out->applied = true;
  out->manifest_version = done ? og_snapshot_version(done) : out->manifest_version + 1;
  og_error e2 = OG_ERROR_INIT;
  (void)OG_FAILPOINT(OG_FP_MAINT_SCHEMA_APPLY_AFTER_COMMIT, &e2);
  if (o->allow_data_loss && lost.count) {
    /* hard drops: release every older version of the affected tables, then
     * purge what no retained version still references (best effort: the
     * schema change itself is committed) */
    og_status prc = OG_OK;
    for (size_t i = 0; i < lost.count && prc == OG_OK; i++)
      prc = og_graph_floor_table(db->store, branch, lost.items[i], out->manifest_version, &e2);
    og_cleanup_result cr = {0};
    og_cleanup_opts copts = {0};
    if (prc == OG_OK) prc = og_graph_cleanup(db->store, &copts, &cr, &e2);
    og_cleanup_result_dispose(&cr);
    if (prc != OG_OK) {
      og_buf m = OG_BUF_INIT;
      og_buf_printf(&m, "hard drop purge incomplete (run cleanup): %s", e2.message);
      out->warning = og_buf_detach(&m, NULL);
    }
  }
cleanup:
  strvec_free(&lost);
  og_snapshot_free(done);
  og_plan_free(plan);
  og_graph_write_free(w);
  return rc;
}

og_status og_db_schema_apply(og_db *db, const og_schema_apply_opts *opts, const char *src,
                             size_t len, og_schema_apply_result *out, og_error *err) {
  og_schema_apply_opts o = opts ? *opts : (og_schema_apply_opts){0};
  const char *branch = branch_or_main(o.branch);
  og_catalog *des = NULL;
  og_status rc;
  memset(out, 0, sizeof *out);
  /* everything that can be refused is checked before the first object is written */
  if ((rc = og_catalog_compile(src, len, &des, err)) != OG_OK) goto cleanup;
  for (unsigned attempt = 0;; attempt++) {
    bool retry = false;
    rc = apply_attempt(db, &o, branch, des, src, len, out, &retry, err);
    if (rc == OG_OK || !retry || attempt + 1 >= 5) break;
    og_schema_apply_result_dispose(out);
    og_err_clear(err);
    backoff(attempt);
  }
cleanup:
  og_catalog_free(des);
  if (rc != OG_OK) og_schema_apply_result_dispose(out);
  return rc;
}

/*==================== cleanup ====================*/

og_status og_duration_parse(const char *s, uint64_t *secs_out, og_error *err) {
  *secs_out = 0;
  while (s && isspace((unsigned char)*s)) s++;
  size_t n = s ? strlen(s) : 0;
  while (n && isspace((unsigned char)s[n - 1])) n--;
  if (n == 0) return og_err_set(err, OG_EINVAL, "duration is empty");
  uint64_t mult = 1;
  char last = s[n - 1];
  if (!isdigit((unsigned char)last)) {
    switch (last) {
    case 's': mult = 1; break;
    case 'm': mult = 60; break;
    case 'h': mult = 3600; break;
    case 'd': mult = 86400; break;
    case 'w': mult = 604800; break;
    default:
      return og_err_set(err, OG_EINVAL, "unknown duration unit '%c'. Supported: s, m, h, d, w", last);
    }
    n--;
  }
  if (n == 0 || n > 19) return og_err_set(err, OG_EINVAL, "invalid duration '%s'", s);
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) return og_err_set(err, OG_EINVAL, "invalid duration '%s'", s);
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if (v > UINT64_MAX / 1000 / mult) return og_err_set(err, OG_EINVAL, "duration '%s' is too large", s);
  *secs_out = v * mult;
  return OG_OK;
}

og_status og_db_cleanup(og_db *db, const og_cleanup_db_opts *opts, char **json_out,
                        og_error *err) {
  og_cleanup_db_opts o = opts ? *opts : (og_cleanup_db_opts){0};
  *json_out = NULL;
  if (!o.keep_set && !o.older_than_set)
    return og_err_set(err, OG_EINVAL, "cleanup requires at least one of keep_versions or older_than");
  if (o.keep_set && o.keep == 0)
    return og_err_set(err, OG_EINVAL, "cleanup: --keep must be at least 1 (the head is always kept)");
  og_cleanup_opts co = {.keep_set = o.keep_set, .keep = o.keep, .older_than_set = o.older_than_set,
                        .older_than_ms = o.older_than_secs * 1000, .grace_set = o.grace_set,
                        .grace_ms = o.grace_secs * 1000, .dry_run = o.dry_run};
  og_cleanup_result r = {0};
  og_status rc = og_graph_cleanup(db->store, &co, &r, err);
  if (rc != OG_OK) return rc;
  json_t *root = json_object(), *tables = json_array();
  json_object_set_new(root, "uri", json_string(db->uri));
  json_object_set_new(root, "keep_versions", o.keep_set ? json_integer((json_int_t)o.keep) : json_null());
  json_object_set_new(root, "older_than_secs",
                      o.older_than_set ? json_integer((json_int_t)o.older_than_secs) : json_null());
  json_object_set_new(root, "objects_removed", json_integer((json_int_t)r.objects_removed));
  json_object_set_new(root, "bytes_removed", json_integer((json_int_t)r.bytes_removed));
  json_object_set_new(root, "orphans_removed", json_integer((json_int_t)r.orphans_removed));
  json_object_set_new(root, "versions_released", json_integer((json_int_t)r.versions_released));
  for (size_t i = 0; i < r.count; i++) {
    const og_cleanup_stat *s = &r.tables[i];
    json_t *t = json_object();
    json_object_set_new(t, "table_key", json_string(s->table_key));
    json_object_set_new(t, "bytes_removed", json_integer((json_int_t)s->bytes_removed));
    json_object_set_new(t, "old_versions_removed", json_integer((json_int_t)s->old_versions_removed));
    json_object_set_new(t, "error", s->error ? json_string(s->error) : json_null());
    json_array_append_new(tables, t);
  }
  json_object_set_new(root, "tables", tables);
  og_cleanup_result_dispose(&r);
  return emit(root, json_out, err);
}

og_status og_db_verify_retained(const char *uri, char **report_json, og_error *err) {
  return og_db_verify(uri, report_json, err); /* the same check: verify honours the floors */
}
