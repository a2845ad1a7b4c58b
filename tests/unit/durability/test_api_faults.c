/* Durability through the public write API (docs/durability.md §7): a load
 * (in small chunks, so it makes intermediate table versions) and a
 * multi-statement mutation, with EIO, ENOSPC and a torn write injected at
 * every store operation in turn. Each time: a clear error or success, the
 * graph in the before-state or the complete after-state, and after recovery
 * no orphan object and no write intent; the graph stays writable.
 * The og_db handle is pointed at a fault-injecting store through the api
 * layer's internals (the public API opens stores by URI only). */
#include "og_test.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/api_int.h"
#include "graph/graph.h"
#include "omnigraph.h"
#include "store/store.h"

static const char schema[] =
    "node Person { name: String @key  age: I32? }\nnode Company { name: String @key }\n"
    "edge WorksAt: Person -> Company\n";
static const char seed_data[] =
    "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}\n"
    "{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}\n";
static const char load_data[] =
    "{\"type\":\"Person\",\"data\":{\"name\":\"Cy\",\"age\":40}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Di\",\"age\":41}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Ed\",\"age\":42}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":31}}\n"
    "{\"edge\":\"WorksAt\",\"from\":\"Cy\",\"to\":\"Acme\"}\n";
static const char mutation[] =
    "query q() { insert Person { name: \"Zed\", age: 9 } update Person set { age: 26 } where name = \"Bob\" }";

typedef enum { OP_LOAD, OP_MUTATE } api_op;

static int seq;

static char *seeded(void) {
  og_error err = OG_ERROR_INIT;
  char uri[64];
  snprintf(uri, sizeof uri, "memory://durability-%d", ++seq);
  og_db *db = NULL;
  OG_ASSERT_OK(og_db_init(&db, uri, schema, sizeof schema - 1, "t", &err), &err);
  og_load_opts lo = {NULL, OG_LOAD_OVERWRITE, "t", 0};
  og_load_result lr = {0};
  OG_ASSERT_OK(og_db_load_mem(db, &lo, seed_data, sizeof seed_data - 1, &lr, &err), &err);
  og_load_result_dispose(&lr);
  og_db_close(db);
  return og_strdup(uri);
}

static og_status run(og_db *db, api_op op, og_error *err) {
  if (op == OP_LOAD) {
    og_load_opts lo = {NULL, OG_LOAD_MERGE, "t", 2};
    og_load_result lr = {0};
    og_status rc = og_db_load_mem(db, &lo, load_data, sizeof load_data - 1, &lr, err);
    og_load_result_dispose(&lr);
    return rc;
  }
  og_mutate_opts mo = {NULL, NULL, NULL, "t"};
  og_mutate_result mr = {0};
  og_status rc = og_db_mutate(db, mutation, sizeof mutation - 1, &mo, &mr, err);
  og_mutate_result_dispose(&mr);
  return rc;
}

static char *state(const char *uri) {
  og_error err = OG_ERROR_INIT;
  og_db *db = NULL;
  char *js = NULL;
  OG_ASSERT_OK(og_db_open(&db, uri, OG_DB_READ_ONLY, &err), &err);
  OG_ASSERT_OK(og_db_snapshot_json(db, "main", &js, &err), &err);
  og_db_close(db);
  /* table paths carry ULIDs (differ between runs): compare without them */
  json_t *j = json_loads(js, 0, NULL);
  og_string_free(js);
  assert_non_null(j);
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(j, "tables"), i, t) json_object_del(t, "table_path");
  char *txt = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(j);
  char *copy = og_strdup(txt);
  free(txt);
  return copy;
}

static void assert_clean(og_store *st, const char *what) {
  og_error err = OG_ERROR_INIT;
  og_buf rep = OG_BUF_INIT;
  OG_ASSERT_OK(og_graph_verify(st, &rep, &err), &err);
  json_t *j = json_loads(rep.ptr, 0, NULL);
  assert_non_null(j);
  if (json_integer_value(json_object_get(j, "orphans")) ||
      json_integer_value(json_object_get(j, "intents")))
    fail_msg("%s: leftovers after recovery: %s", what, rep.ptr);
  json_decref(j);
  og_buf_dispose(&rep);
}

static void sweep(api_op op, og_fault_kind kind) {
  /* the complete after-state, from a run without faults */
  char *ref = seeded();
  {
    og_error err = OG_ERROR_INIT;
    og_db *db = NULL;
    OG_ASSERT_OK(og_db_open(&db, ref, 0, &err), &err);
    OG_ASSERT_OK(run(db, op, &err), &err);
    og_db_close(db);
  }
  char *after = state(ref);
  og_store_memory_drop(ref);
  og_free(ref);
  int failed = 0;
  for (uint64_t n = 1;; n++) {
    og_error err = OG_ERROR_INIT;
    char *uri = seeded();
    char *before = state(uri);
    og_store *inner = NULL, *fs = NULL;
    OG_ASSERT_OK(og_store_open(&inner, uri, false, &err), &err);
    OG_ASSERT_OK(og_store_open_fault(&fs, inner, &err), &err);
    og_db *db = NULL;
    OG_ASSERT_OK(og_db_open(&db, uri, 0, &err), &err);
    /* route every store operation of this handle through the fault store */
    og_graph_free(db->graph);
    db->graph = NULL;
    OG_ASSERT_OK(og_graph_open(fs, 0, &db->graph, &err), &err);
    og_store_free(db->store);
    db->store = og_store_ref(fs);
    og_fault_spec spec = {kind == OG_FAULT_TORN ? OG_STORE_OP_WRITES : OG_STORE_OP_ALL, n, false,
                          kind, 5, NULL};
    og_store_fault_arm(fs, &spec);
    og_status rc = run(db, op, &err);
    bool fired = og_store_fault_fired(fs) > 0;
    og_store_fault_disarm(fs);
    og_db_close(db);
    og_store_free(fs);
    if (rc != OG_OK) {
      failed++;
      if (!err.message[0]) fail_msg("op %d fault %d at %" PRIu64 ": error without message", op, kind, n);
    }
    /* the next read-write open recovers */
    og_recover_opts ro = {UINT64_MAX};
    og_error re = OG_ERROR_INIT;
    OG_ASSERT_OK(og_graph_recover(inner, &ro, NULL, &re), &re);
    char *now = state(uri);
    if (strcmp(now, before) != 0 && strcmp(now, after) != 0)
      fail_msg("op %d fault %d at op %" PRIu64 " (rc %s): state\n%s\nis neither before\n%s\nnor after\n%s",
               op, kind, n, og_status_name(rc), now, before, after);
    if (rc == OG_OK && strcmp(now, after) != 0)
      fail_msg("op %d fault %d at op %" PRIu64 ": success but not the after-state", op, kind, n);
    char what[64];
    snprintf(what, sizeof what, "op %d fault %d at op %" PRIu64, op, kind, n);
    assert_clean(inner, what);
    /* writable afterwards */
    OG_ASSERT_OK(og_db_open(&db, uri, 0, &err), &err);
    og_mutate_opts mo = {NULL, NULL, NULL, "t"};
    og_mutate_result mr = {0};
    static const char more[] = "query q() { insert Person { name: \"After\", age: 1 } }";
    OG_ASSERT_OK(og_db_mutate(db, more, sizeof more - 1, &mo, &mr, &err), &err);
    og_mutate_result_dispose(&mr);
    og_db_close(db);
    assert_clean(inner, what);
    og_free(now);
    og_free(before);
    og_store_free(inner);
    og_store_memory_drop(uri);
    og_free(uri);
    if (!fired) break;
  }
  print_message("  %s, fault %d: %d failing operations checked\n", op == OP_LOAD ? "load" : "mutation",
                (int)kind, failed);
  assert_true(failed > 0);
  og_free(after);
}

static void test_load_faults(void **state_) {
  (void)state_;
  sweep(OP_LOAD, OG_FAULT_EIO);
  sweep(OP_LOAD, OG_FAULT_ENOSPC);
  sweep(OP_LOAD, OG_FAULT_TORN);
}

static void test_mutation_faults(void **state_) {
  (void)state_;
  sweep(OP_MUTATE, OG_FAULT_EIO);
  sweep(OP_MUTATE, OG_FAULT_ENOSPC);
  sweep(OP_MUTATE, OG_FAULT_TORN);
}

int main(void) {
  setenv("OMNIGRAPH_RECOVERY_SKEW_MS", "0", 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_load_faults),
      cmocka_unit_test(test_mutation_faults),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
