/* Public API: graph handles, snapshots, branches, commits, verify. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "exec/exec.h"
#include "graph/maint.h"

static og_status emit_json(json_t *v, char **out, og_error *err) {
  *out = NULL;
  if (!v) return og_err_oom(err);
  char *s = json_dumps(v, JSON_PRESERVE_ORDER | JSON_COMPACT);
  json_decref(v);
  if (!s) return og_err_oom(err);
  *out = og_strdup(s);
  free(s);
  return *out ? OG_OK : og_err_oom(err);
}


og_status og_db__open_store(const char *uri, og_store **st, og_error *err) {
  og_status rc = og_graph_env_check(err);
  if (rc == OG_OK) rc = og_store_open(st, uri ? uri : "", false, err);
  if (rc == OG_ENOTFOUND) og_err_set(err, OG_ENOTFOUND, "no graph at '%s'", uri ? uri : "");
  return rc;
}

static og_status db_new(og_db **out, const char *uri, og_error *err) {
  /* a mistyped setting is refused before anything is opened or written */
  og_status rc = og_graph_env_check(err);
  if (rc != OG_OK) return rc;
  og_db *db = og_calloc(1, sizeof *db);
  if (!db) return og_err_oom(err);
  pthread_mutex_init(&db->lock, NULL);
  if (!(db->uri = og_strdup(uri))) {
    og_db_close(db);
    return og_err_oom(err);
  }
  *out = db;
  return OG_OK;
}

og_status og_db_init(og_db **out, const char *uri, const char *schema_src, size_t schema_len,
                     const char *actor, og_error *err) {
  og_catalog *cat = NULL;
  og_exec_tables tables = {0};
  og_db *db = NULL;
  og_status rc;
  *out = NULL;
  /* Everything that can be refused is checked before the first byte is written. */
  if ((rc = og_catalog_compile(schema_src, schema_len, &cat, err))) goto cleanup;
  if ((rc = og_exec_tables_build(cat, &tables, err))) goto cleanup;
  if ((rc = db_new(&db, uri, err))) goto cleanup;
  if ((rc = og_store_open(&db->store, uri, true, err))) goto cleanup;
  og_graph_init_opts opts = {.schema = schema_src, .schema_len = schema_len, .tables = tables.specs,
                             .ntables = tables.count, .actor = actor};
  rc = og_graph_init(db->store, &opts, &db->graph, err);
  if (rc == OG_EEXISTS) og_err_set(err, OG_EEXISTS, "graph already initialized at '%s'", uri);
  if (rc) goto cleanup;
  *out = db;
  db = NULL;
cleanup:
  og_db_close(db);
  og_exec_tables_dispose(&tables);
  og_catalog_free(cat);
  return rc;
}

og_status og_db_open(og_db **out, const char *uri, unsigned flags, og_error *err) {
  og_db *db = NULL;
  og_status rc;
  *out = NULL;
  if ((rc = db_new(&db, uri, err))) goto cleanup;
  if ((rc = og_store_open(&db->store, uri, false, err))) {
    if (rc == OG_ENOTFOUND) og_err_set(err, OG_ENOTFOUND, "no graph at '%s'", uri);
    goto cleanup;
  }
  rc = og_graph_open(db->store, (flags & OG_DB_READ_ONLY) ? OG_GRAPH_READ_ONLY : 0, &db->graph, err);
  if (rc == OG_ENOTFOUND) og_err_set(err, OG_ENOTFOUND, "no graph at '%s'", uri);
  if (rc) goto cleanup;
  *out = db;
  db = NULL;
cleanup:
  og_db_close(db);
  return rc;
}

og_status og_db__catalog(og_db *db, og_snapshot *snap, const og_catalog **out, og_error *err) {
  const og_manifest *m = og_snapshot_manifest(snap);
  og_buf src = OG_BUF_INIT;
  og_catalog *cat = NULL;
  void *found = NULL;
  og_status rc = OG_OK;
  *out = NULL;
  pthread_mutex_lock(&db->lock);
  bool hit = og_map_sget(&db->catalogs, m->schema_sha256, &found);
  pthread_mutex_unlock(&db->lock);
  if (hit) {
    *out = found;
    return OG_OK;
  }
  if ((rc = og_snapshot_schema(snap, &src, err))) goto cleanup;
  if ((rc = og_catalog_compile(src.ptr ? src.ptr : "", src.len, &cat, err))) {
    og_err_prefix(err, "stored schema %s", m->schema_key);
    goto cleanup;
  }
  pthread_mutex_lock(&db->lock);
  if (og_map_sget(&db->catalogs, m->schema_sha256, &found)) {
    *out = found; /* another thread compiled it first */
  } else if (og_map_sput(&db->catalogs, m->schema_sha256, cat) == OG_OK) {
    *out = cat;
    cat = NULL;
  } else {
    rc = og_err_oom(err);
  }
  pthread_mutex_unlock(&db->lock);
cleanup:
  og_catalog_free(cat);
  og_buf_dispose(&src);
  return rc;
}

og_graph *og_db__graph(og_db *db) { return db->graph; }

void og_db_close(og_db *db) {
  if (!db) return;
  size_t pos = 0;
  og_map_entry *e;
  while ((e = og_map_next(&db->catalogs, &pos))) og_catalog_free(e->value);
  og_map_dispose(&db->catalogs);
  if (db->exec_cache && db->exec_cache_free) db->exec_cache_free(db->exec_cache);
  pthread_mutex_destroy(&db->lock);
  og_graph_free(db->graph);
  og_store_free(db->store);
  og_free(db->uri);
  og_free(db);
}

static const char *branch_or_main(const char *b) { return b && *b ? b : OG_GRAPH_MAIN; }

/* "nodes/abc/ver/01J..." → "nodes/abc" */
static json_t *table_path(const char *descriptor) {
  const char *v = strstr(descriptor, "/ver/");
  return v ? json_stringn(descriptor, (size_t)(v - descriptor)) : json_string(descriptor);
}

og_status og_db_snapshot_json(og_db *db, const char *branch, char **json_out, og_error *err) {
  og_snapshot *snap = NULL;
  og_status rc = og_graph_snapshot(db->graph, branch_or_main(branch), 0, &snap, err);
  if (rc) return rc;
  const og_manifest *m = og_snapshot_manifest(snap);
  json_t *o = json_object(), *tables = json_array();
  json_object_set_new(o, "branch", json_string(m->branch));
  json_object_set_new(o, "manifest_version", json_integer((json_int_t)m->version));
  for (size_t i = 0; i < m->ntables; i++) {
    const og_table_entry *e = &m->tables[i];
    json_t *t = json_object();
    json_object_set_new(t, "table_key", json_string(e->table_key));
    json_object_set_new(t, "table_path", table_path(e->descriptor));
    json_object_set_new(t, "table_version", json_integer((json_int_t)e->table_version));
    json_object_set_new(t, "table_branch", json_null());
    json_object_set_new(t, "row_count", json_integer((json_int_t)e->row_count));
    json_array_append_new(tables, t);
  }
  json_object_set_new(o, "tables", tables);
  og_snapshot_free(snap);
  return emit_json(o, json_out, err);
}

og_status og_db_schema_source(og_db *db, const char *branch, char **src_out, og_error *err) {
  og_snapshot *snap = NULL;
  og_buf b = OG_BUF_INIT;
  *src_out = NULL;
  og_status rc = og_graph_snapshot(db->graph, branch_or_main(branch), 0, &snap, err);
  if (!rc) rc = og_snapshot_schema(snap, &b, err);
  if (!rc && og_buf_puts(&b, "")) rc = og_err_oom(err);
  if (!rc) *src_out = og_buf_detach(&b, NULL);
  og_buf_dispose(&b);
  og_snapshot_free(snap);
  return rc;
}

og_status og_db_branch_create(og_db *db, const char *name, const char *from, const char *actor,
                              og_error *err) {
  return og_graph_branch_create(db->graph, name, branch_or_main(from), 0, actor, err);
}

og_status og_db_branch_delete(og_db *db, const char *name, const char *actor, og_error *err) {
  if (og_str_eq(name, OG_GRAPH_MAIN))
    return og_err_set(err, OG_EINVAL, "cannot delete branch 'main'");
  og_status rc = og_graph_branch_delete(db->graph, name, actor, err);
  if (rc == OG_ENOTFOUND) og_err_set(err, OG_ENOTFOUND, "branch '%s' not found", name);
  return rc;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

og_status og_db_branch_list_json(og_db *db, char **json_out, og_error *err) {
  og_branch_list l = {0};
  og_status rc = og_graph_branch_list(db->graph, &l, err);
  if (rc) return rc;
  const char **names = og_calloc(l.count ? l.count : 1, sizeof *names);
  if (!names) {
    og_branch_list_dispose(&l);
    return og_err_oom(err);
  }
  for (size_t i = 0; i < l.count; i++) names[i] = l.items[i].name;
  qsort(names, l.count, sizeof *names, cmp_str);
  json_t *arr = json_array();
  for (size_t i = 0; i < l.count; i++) json_array_append_new(arr, json_string(names[i]));
  json_t *o = json_object();
  json_object_set_new(o, "branches", arr);
  og_free(names);
  og_branch_list_dispose(&l);
  return emit_json(o, json_out, err);
}

static json_t *commit_json(const og_manifest *m) {
  const og_commit_info *c = &m->commit;
  json_t *o = json_object();
  json_object_set_new(o, "graph_commit_id", json_string(c->commit_id));
  json_object_set_new(o, "manifest_branch",
                      og_str_eq(m->branch, OG_GRAPH_MAIN) ? json_null() : json_string(m->branch));
  json_object_set_new(o, "manifest_version", json_integer((json_int_t)m->version));
  json_object_set_new(o, "parent_commit_id",
                      c->nparents > 0 ? json_string(c->parents[0].commit_id) : json_null());
  json_object_set_new(o, "merged_parent_commit_id",
                      c->nparents > 1 ? json_string(c->parents[1].commit_id) : json_null());
  json_object_set_new(o, "actor_id", c->actor && *c->actor ? json_string(c->actor) : json_null());
  json_object_set_new(o, "created_at", json_integer((json_int_t)c->time_ms * 1000));
  json_object_set_new(o, "operation", json_string(c->operation ? c->operation : ""));
  return o;
}

og_status og_db_commit_list_json(og_db *db, const char *branch, char **json_out, og_error *err) {
  og_commit_list l = {0};
  og_status rc = og_graph_log(db->graph, branch_or_main(branch), 0, &l, err);
  if (rc) return rc;
  json_t *arr = json_array();
  for (size_t i = l.count; i-- > 0;) json_array_append_new(arr, commit_json(l.items[i])); /* oldest first */
  json_t *o = json_object();
  json_object_set_new(o, "commits", arr);
  og_commit_list_dispose(&l);
  return emit_json(o, json_out, err);
}

og_status og_db_commit_show_json(og_db *db, const char *commit_id, char **json_out,
                                 og_error *err) {
  og_manifest *m = NULL;
  og_status rc = og_graph_show_commit(db->graph, commit_id, &m, err);
  if (rc == OG_ENOTFOUND) og_err_set(err, OG_ENOTFOUND, "commit '%s' not found", commit_id);
  if (rc) return rc;
  json_t *o = commit_json(m);
  og_manifest_free(m);
  return emit_json(o, json_out, err);
}

og_status og_db_verify(const char *uri, char **report_json, og_error *err) {
  og_store *st = NULL;
  og_buf report = OG_BUF_INIT;
  if (report_json) *report_json = NULL;
  og_status rc = og_db__open_store(uri, &st, err);
  if (rc) goto cleanup;
  rc = og_graph_verify_retained(st, &report, err); /* honours cleanup's retention floors */
  if (report_json && report.ptr && !report.oom) *report_json = og_buf_detach(&report, NULL);
cleanup:
  og_buf_dispose(&report);
  og_store_free(st);
  return rc;
}
