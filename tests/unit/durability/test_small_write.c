/* Small writes through the public C API on a posix store (docs/durability.md
 * §6, docs/format-graph.md §3.1): a mutation holds its table objects in
 * memory and commits as one durable object — the manifest, which embeds
 * them under slice keys when they fit in OMNIGRAPH_EMBED_MAX (64 KiB by
 * default), else they are written out under fresh names after a late write
 * intent. Checked here: the I/O of a one-row insert, the written-out path
 * (limit 0 and a mutation over the limit), racing writers whose held rows
 * are re-created on a newer head (carry_append), a multi-statement
 * mutation and a chunked load committing one version whose parent is the
 * pinned version, time travel before and after `cleanup --keep 1`, and a
 * corrupt embedded region reported as corruption.
 * The store counters and manifests are read through the api layer's
 * internals (db->store, db->graph); everything else is the public API. */
#include "og_api_fix.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "api/api_int.h"
#include "graph/graph.h"
#include "omnigraph.h"
#include "store/store.h"
#include "table/table.h"

static const char schema[] =
    "node Person { name: String @key  age: I32? }\nnode Company { name: String @key }\n";
static const char seed_data[] =
    "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}\n"
    "{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}\n";
static const char people_q[] = "query q() { match { $p: Person } return { $p.name, $p.age } }";

/*---- helpers ----*/

static og_db *open_db(const char *dir) {
  og_error err = OG_ERROR_INIT;
  og_db *db = NULL;
  OG_ASSERT_OK(og_db_open(&db, dir, 0, &err), &err);
  return db;
}

/* A graph in a fresh directory: schema, Alice, Bob, Acme. */
static char *seeded(const char *tag) {
  og_error err = OG_ERROR_INIT;
  char *dir = og_test_tmpdir(tag);
  og_db *db = NULL;
  OG_ASSERT_OK(og_db_init(&db, dir, schema, sizeof schema - 1, "t", &err), &err);
  og_load_opts lo = {NULL, OG_LOAD_OVERWRITE, "t", 0};
  og_load_result lr = {0};
  OG_ASSERT_OK(og_db_load_mem(db, &lo, seed_data, sizeof seed_data - 1, &lr, &err), &err);
  og_load_result_dispose(&lr);
  og_db_close(db);
  return dir;
}

static void done(char *dir) {
  og_test_rmtree(dir);
  og_free(dir);
}

static og_status try_mutate(og_db *db, const char *gq, og_mutate_result *mr, og_error *err) {
  og_mutate_opts mo = {NULL, NULL, NULL, "t"};
  return og_db_mutate(db, gq, strlen(gq), &mo, mr, err);
}

/* Run a mutation that must commit; the new head version. */
static uint64_t mutate(og_db *db, const char *gq) {
  og_error err = OG_ERROR_INIT;
  og_mutate_result mr = {0};
  OG_ASSERT_OK(try_mutate(db, gq, &mr, &err), &err);
  assert_true(mr.committed);
  uint64_t v = mr.manifest_version;
  og_mutate_result_dispose(&mr);
  return v;
}

/* Every row of a read query as sorted "cell,cell\n" lines (og_free). */
static og_status try_query(og_db *db, const char *gq, const char *snapshot, char **out,
                           og_error *err) {
  og_result *r = NULL;
  og_query_opts qo = {.snapshot = snapshot};
  *out = NULL;
  og_status rc = og_db_query(db, gq, strlen(gq), &qo, &r, err);
  if (rc != OG_OK) return rc;
  *out = og_afix_rows_text(r);
  og_result_free(r);
  return OG_OK;
}

static char *query(og_db *db, const char *gq, const char *snapshot) {
  og_error err = OG_ERROR_INIT;
  char *out = NULL;
  OG_ASSERT_OK(try_query(db, gq, snapshot, &out, &err), &err);
  return out;
}

static bool has_line(const char *text, const char *line) {
  size_t n = strlen(line);
  for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
    if ((p == text || p[-1] == '\n') && p[n] == '\n') return true;
  return false;
}

static size_t count_lines(const char *text) {
  size_t n = 0;
  for (const char *p = text; *p; p++) n += *p == '\n';
  return n;
}

/* The head manifest of main (version 0) or a past version, through db->graph. */
static og_snapshot *snap(og_db *db, uint64_t version) {
  og_error err = OG_ERROR_INIT;
  og_snapshot *s = NULL;
  OG_ASSERT_OK(og_graph_snapshot(db->graph, "main", version, &s, &err), &err);
  return s;
}

/* The store key of main's manifest at `version` (og_free). */
static char *manifest_key(og_db *db, uint64_t version) {
  og_snapshot *s = snap(db, version);
  char *key = og_strdup(og_snapshot_manifest(s)->key);
  og_snapshot_free(s);
  return key;
}

/* The descriptor key of `table` at `version` (0 = head), copied. */
static char *descriptor_of(og_db *db, uint64_t version, const char *table) {
  og_snapshot *s = snap(db, version);
  const og_table_entry *e = og_manifest_find(og_snapshot_manifest(s), table);
  assert_non_null(e);
  char *d = og_strdup(e->descriptor);
  og_snapshot_free(s);
  return d;
}

/* Whether `key` is a slice of the manifest of `version` (0 = head). */
static bool embedded_in(og_db *db, uint64_t version, const char *key) {
  og_snapshot *s = snap(db, version);
  const char *mk = og_snapshot_manifest(s)->key;
  size_t bl = 0;
  bool yes = og_store_slice_parse(key, &bl, NULL, NULL) && bl == strlen(mk) &&
             strncmp(key, mk, bl) == 0;
  og_snapshot_free(s);
  return yes;
}

static size_t count_dir(const char *dir, const char *sub) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, sub);
  DIR *d = opendir(path);
  if (!d) return 0;
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

/* verify passes, with no orphan and no intent (after a read-write open,
 * which runs recovery). */
static void verify_clean(const char *dir, const char *what) {
  og_error err = OG_ERROR_INIT;
  og_db_close(open_db(dir));
  char *rep = NULL;
  og_status rc = og_db_verify(dir, &rep, &err);
  if (rc != OG_OK) fail_msg("%s: verify -> %s: %s\n%s", what, og_status_name(rc), err.message, rep ? rep : "");
  json_t *j = json_loads(rep, 0, NULL);
  assert_non_null(j);
  if (!json_is_true(json_object_get(j, "ok")) ||
      json_integer_value(json_object_get(j, "orphans")) ||
      json_integer_value(json_object_get(j, "intents")))
    fail_msg("%s: verify not clean: %s", what, rep);
  json_decref(j);
  og_string_free(rep);
}

static void set_embed_max(const char *v) {
  if (v) setenv("OMNIGRAPH_EMBED_MAX", v, 1);
  else unsetenv("OMNIGRAPH_EMBED_MAX");
}

/*---- (a) a one-row insert: one durable object ----*/

static void test_one_row_insert_io(void **state) {
  (void)state;
  char *dir = seeded("sw-io");
  og_db *db = open_db(dir);
  mutate(db, "query q() { insert Person { name: \"Warm\", age: 1 } }");
  og_store_stats s;
  size_t log_files = count_dir(dir, "log/main@1");
  og_store_stats_reset(db->store);
  uint64_t v = mutate(db, "query q() { insert Person { name: \"Zed\", age: 9 } }");
  og_store_stats_get(db->store, &s);
  print_message("warm 1-row insert (posix): %" PRIu64 " gets, %" PRIu64 " get_ranges, %" PRIu64
                " heads, %" PRIu64 " puts, %" PRIu64 " put_if_absents, %" PRIu64 " lists, %" PRIu64
                " deletes, %" PRIu64 " fsyncs, %" PRIu64 " bytes written\n",
                s.gets, s.get_ranges, s.heads, s.puts, s.put_if_absents, s.lists, s.deletes,
                s.fsyncs, s.bytes_written);
  /* the manifest (one append to the log segment, one fdatasync) and the
   * head hint, in place: no file is created */
  assert_int_equal(s.fsyncs, 1);
  assert_int_equal(count_dir(dir, "log/main@1"), log_files);
  assert_int_equal(s.put_if_absents, 1);
  assert_int_equal(s.puts, 1);
  assert_int_equal(s.deletes, 0); /* no intent was written, so none deleted */
  assert_int_equal(count_dir(dir, "intents"), 0);
  /* the head names an embedded descriptor, whose objects are slices too */
  char *d = descriptor_of(db, 0, "node:Person");
  assert_false(og_store_key_plain(d));
  assert_true(embedded_in(db, v, d));
  {
    og_snapshot *h = snap(db, 0);
    og_error err = OG_ERROR_INIT;
    og_table *t = NULL;
    OG_ASSERT_OK(og_snapshot_table(h, "node:Person", &t, &err), &err);
    og_keylist kl = {0};
    OG_ASSERT_OK(og_table_objects(t, &kl, &err), &err);
    size_t slices = 0;
    for (size_t i = 0; i < kl.count; i++) slices += embedded_in(db, v, kl.keys[i]);
    assert_true(slices >= 2); /* the descriptor and at least the new fragment */
    og_keylist_dispose(&kl);
    og_table_free(t);
    og_snapshot_free(h);
  }
  char *rows = query(db, people_q, NULL);
  assert_true(has_line(rows, "\"Zed\",9"));
  assert_int_equal(count_lines(rows), 4);
  og_db_close(db);
  /* a fresh handle reads the slices from the file */
  db = open_db(dir);
  char *again = query(db, people_q, NULL);
  assert_string_equal(again, rows);
  char *d2 = descriptor_of(db, 0, "node:Person");
  assert_string_equal(d2, d);
  og_db_close(db);
  verify_clean(dir, "one-row insert");
  og_free(d);
  og_free(d2);
  og_free(rows);
  og_free(again);
  done(dir);
}

/*---- (b) OMNIGRAPH_EMBED_MAX=0: written out, plain keys ----*/

static void test_embed_disabled(void **state) {
  (void)state;
  set_embed_max("0");
  char *dir = seeded("sw-off");
  og_db *db = open_db(dir);
  og_store_stats s;
  og_store_stats_reset(db->store);
  uint64_t v = mutate(db, "query q() { insert Person { name: \"Zed\", age: 9 } }");
  og_store_stats_get(db->store, &s);
  print_message("1-row insert written out (posix): %" PRIu64 " puts, %" PRIu64
                " put_if_absents, %" PRIu64 " deletes, %" PRIu64 " fsyncs\n",
                s.puts, s.put_if_absents, s.deletes, s.fsyncs);
  /* intent, fragment, key index, descriptor, manifest, hint; intent deleted */
  assert_true(s.fsyncs > 2);
  assert_int_equal(s.put_if_absents, 1);
  assert_int_equal(s.deletes, 1);
  char *d = descriptor_of(db, v, "node:Person");
  assert_true(og_store_key_plain(d));
  og_error err = OG_ERROR_INIT;
  og_snapshot *h = snap(db, 0);
  og_table *t = NULL;
  OG_ASSERT_OK(og_snapshot_table(h, "node:Person", &t, &err), &err);
  og_keylist kl = {0};
  OG_ASSERT_OK(og_table_objects(t, &kl, &err), &err);
  for (size_t i = 0; i < kl.count; i++) assert_true(og_store_key_plain(kl.keys[i]));
  og_keylist_dispose(&kl);
  og_table_free(t);
  og_snapshot_free(h);
  og_db_close(db);
  db = open_db(dir);
  char *rows = query(db, people_q, NULL);
  assert_true(has_line(rows, "\"Zed\",9"));
  assert_int_equal(count_lines(rows), 3);
  og_db_close(db);
  verify_clean(dir, "embedding disabled");
  set_embed_max(NULL);
  og_free(rows);
  og_free(d);
  done(dir);
}

/*---- (c) a mutation over the limit ----*/

static void test_over_the_limit(void **state) {
  (void)state;
  set_embed_max("2000");
  char *dir = seeded("sw-big");
  og_db *db = open_db(dir);
  /* 200 Persons (well over 2000 bytes) and one Company in one query */
  og_buf gq = OG_BUF_INIT;
  og_buf_puts(&gq, "query q() {");
  for (int i = 0; i < 200; i++)
    og_buf_printf(&gq, " insert Person { name: \"person-with-a-long-name-%04d\", age: %d }", i, i);
  og_buf_puts(&gq, " insert Company { name: \"Initech\" } }");
  assert_false(gq.oom);
  uint64_t v = mutate(db, gq.ptr);
  og_buf_dispose(&gq);
  char *dp = descriptor_of(db, v, "node:Person");
  assert_true(og_store_key_plain(dp)); /* written out */
  char *dc = descriptor_of(db, v, "node:Company");
  og_snapshot *h = snap(db, 0);
  assert_non_null(og_snapshot_manifest(h)->commit.intent); /* the late intent is named */
  og_snapshot_free(h);
  assert_int_equal(count_dir(dir, "intents"), 0);           /* and gone */
  /* an update of every row: over the limit again */
  v = mutate(db, "query q() { update Person set { age: 7 } where age >= 0 }");
  char *du = descriptor_of(db, v, "node:Person");
  assert_true(og_store_key_plain(du));
  og_db_close(db);
  db = open_db(dir);
  char *rows = query(db, people_q, NULL);
  assert_int_equal(count_lines(rows), 202);
  assert_true(has_line(rows, "\"person-with-a-long-name-0000\",7"));
  assert_true(has_line(rows, "\"person-with-a-long-name-0199\",7"));
  assert_true(has_line(rows, "\"Alice\",7"));
  char *co = query(db, "query q() { match { $c: Company } return { $c.name } }", NULL);
  assert_string_equal(co, "\"Acme\"\n\"Initech\"\n");
  og_db_close(db);
  verify_clean(dir, "over the limit");
  print_message("over the limit: Person %s, Company %s\n", og_store_key_plain(dp) ? "written out" : "embedded",
                og_store_key_plain(dc) ? "written out" : "embedded");
  set_embed_max(NULL);
  og_free(rows);
  og_free(co);
  og_free(dp);
  og_free(dc);
  og_free(du);
  done(dir);
}

/*---- (d) racing writers ----*/

static bool exists(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0;
}

/* A writer in another process pins the head and pauses before its
 * commit's put_if_absent; this process commits meanwhile; the paused
 * writer then loses the race and re-creates its held rows on the newer
 * head. Both land. */
static void race_paused(const char *embed_max) {
  set_embed_max(embed_max);
  char *dir = seeded("sw-race");
  char *fpdir = og_test_tmpdir("sw-race-fp");
  setenv("OMNIGRAPH_FAILPOINT_DIR", fpdir, 1);
  og_db *db = open_db(dir);
  uint64_t pinned = 0;
  {
    og_snapshot *h = snap(db, 0);
    pinned = og_snapshot_manifest(h)->version;
    og_snapshot_free(h);
  }
  og_db_close(db);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    og_error e = OG_ERROR_INIT;
    og_db *cdb = NULL;
    if (og_fp_configure("graph.commit.before_put=pause@1", &e) != OG_OK) _exit(2);
    if (og_db_open(&cdb, dir, 0, &e) != OG_OK) _exit(3);
    og_mutate_result mr = {0};
    og_status rc = try_mutate(cdb, "query q() { insert Person { name: \"Racer\", age: 1 } }", &mr, &e);
    if (rc != OG_OK) fprintf(stderr, "racer: %s\n", e.message);
    bool ok = rc == OG_OK && mr.committed && mr.manifest_version == pinned + 2;
    og_mutate_result_dispose(&mr);
    og_db_close(cdb);
    _exit(ok ? 0 : 5);
  }
  char paused[4096], release[4096];
  snprintf(paused, sizeof paused, "%s/graph.commit.before_put.paused", fpdir);
  snprintf(release, sizeof release, "%s/graph.commit.before_put.release", fpdir);
  for (int i = 0; i < 3000 && !exists(paused); i++) usleep(10000);
  assert_true(exists(paused));
  /* held in memory: no intent unless the objects had to be written out */
  assert_int_equal(count_dir(dir, "intents"), embed_max && !strcmp(embed_max, "0") ? 1 : 0);
  db = open_db(dir); /* read-write: recovery leaves the paused writer alone */
  assert_int_equal(mutate(db, "query q() { insert Person { name: \"Other\", age: 2 } }"), pinned + 1);
  FILE *f = fopen(release, "w");
  assert_non_null(f);
  fclose(f);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  og_db_close(db);
  db = open_db(dir);
  char *rows = query(db, people_q, NULL);
  assert_string_equal(rows, "\"Alice\",30\n\"Bob\",25\n\"Other\",2\n\"Racer\",1\n");
  /* the racer's rows were re-created on the newer head, in its own manifest */
  char *d = descriptor_of(db, pinned + 2, "node:Person");
  if (!embed_max) assert_true(embedded_in(db, pinned + 2, d));
  else assert_true(og_store_key_plain(d));
  og_db_close(db);
  verify_clean(dir, embed_max ? "paused race, written out" : "paused race, embedded");
  unsetenv("OMNIGRAPH_FAILPOINT_DIR");
  set_embed_max(NULL);
  og_free(rows);
  og_free(d);
  og_test_rmtree(fpdir);
  og_free(fpdir);
  done(dir);
}

static void test_race_paused(void **state) {
  (void)state;
  race_paused(NULL);
  race_paused("0");
}

/* Two handles of one process (separate branch mutexes) insert different
 * keys at the same time: every insert lands exactly once. */
#define RACE_THREADS 2
#define RACE_INSERTS 12

typedef struct racer {
  const char *dir;
  int id;
  int failed;
  char msg[256];
} racer;

static void *race_main(void *arg) {
  racer *r = arg;
  og_error err = OG_ERROR_INIT;
  og_db *db = NULL;
  if (og_db_open(&db, r->dir, 0, &err) != OG_OK) {
    r->failed = 1;
    snprintf(r->msg, sizeof r->msg, "open: %s", err.message);
    return NULL;
  }
  for (int i = 0; i < RACE_INSERTS && !r->failed; i++) {
    char gq[160];
    snprintf(gq, sizeof gq, "query q() { insert Person { name: \"t%d-%02d\", age: %d } }", r->id, i, i);
    og_mutate_result mr = {0};
    if (try_mutate(db, gq, &mr, &err) != OG_OK || !mr.committed) {
      r->failed = 1;
      snprintf(r->msg, sizeof r->msg, "insert %d: %s", i, err.message);
    }
    og_mutate_result_dispose(&mr);
  }
  og_db_close(db);
  return NULL;
}

static void test_race_threads(void **state) {
  (void)state;
  char *dir = seeded("sw-threads");
  pthread_t th[RACE_THREADS];
  racer rs[RACE_THREADS];
  for (int i = 0; i < RACE_THREADS; i++) {
    rs[i] = (racer){dir, i, 0, ""};
    assert_int_equal(pthread_create(&th[i], NULL, race_main, &rs[i]), 0);
  }
  for (int i = 0; i < RACE_THREADS; i++) {
    pthread_join(th[i], NULL);
    if (rs[i].failed) fail_msg("racer %d: %s", i, rs[i].msg);
  }
  og_db *db = open_db(dir);
  char *rows = query(db, people_q, NULL);
  assert_int_equal(count_lines(rows), 2 + RACE_THREADS * RACE_INSERTS);
  for (int t = 0; t < RACE_THREADS; t++)
    for (int i = 0; i < RACE_INSERTS; i++) {
      char line[64];
      snprintf(line, sizeof line, "\"t%d-%02d\",%d", t, i, i);
      assert_true(has_line(rows, line));
    }
  og_snapshot *h = snap(db, 0);
  assert_int_equal(og_snapshot_manifest(h)->version, 2 + RACE_THREADS * RACE_INSERTS);
  og_snapshot_free(h);
  og_db_close(db);
  verify_clean(dir, "racing threads");
  og_free(rows);
  done(dir);
}

/*---- (e) one version per write, parent = the pinned version ----*/

static void one_version(const char *embed_max) {
  set_embed_max(embed_max);
  char *dir = seeded("sw-multi");
  og_db *db = open_db(dir);
  og_error err = OG_ERROR_INIT;
  og_snapshot *p = snap(db, 0);
  uint64_t pinned = og_snapshot_manifest(p)->version;
  char *pd = og_strdup(og_manifest_find(og_snapshot_manifest(p), "node:Person")->descriptor);
  uint64_t ptv = og_manifest_find(og_snapshot_manifest(p), "node:Person")->table_version;
  og_snapshot_free(p);

  /* insert + update of the same table in one query: one commit */
  uint64_t v = mutate(db, "query q() { insert Person { name: \"Zed\", age: 9 } "
                          "update Person set { age: 26 } where name = \"Bob\" }");
  assert_int_equal(v, pinned + 1);
  og_snapshot *h = snap(db, 0);
  og_table *t = NULL;
  OG_ASSERT_OK(og_snapshot_table(h, "node:Person", &t, &err), &err);
  assert_string_equal(og_table_parent_key(t), pd);
  assert_int_equal(og_table_version(t), ptv + 1);
  assert_int_equal(embedded_in(db, v, og_table_key(t)), embed_max == NULL);
  og_table_free(t);
  og_snapshot_free(h);
  char *rows = query(db, people_q, NULL);
  assert_string_equal(rows, "\"Alice\",30\n\"Bob\",26\n\"Zed\",9\n");
  og_free(rows);

  /* a load in 2-row chunks makes intermediate versions in memory; only the
   * last is committed, its parent renamed to the pinned version */
  og_free(pd);
  pd = descriptor_of(db, v, "node:Person");
  static const char more[] =
      "{\"type\":\"Person\",\"data\":{\"name\":\"Cy\",\"age\":40}}\n"
      "{\"type\":\"Person\",\"data\":{\"name\":\"Di\",\"age\":41}}\n"
      "{\"type\":\"Person\",\"data\":{\"name\":\"Ed\",\"age\":42}}\n"
      "{\"type\":\"Person\",\"data\":{\"name\":\"Fay\",\"age\":43}}\n"
      "{\"type\":\"Person\",\"data\":{\"name\":\"Gus\",\"age\":44}}\n";
  og_load_opts lo = {NULL, OG_LOAD_APPEND, "t", 2};
  og_load_result lr = {0};
  OG_ASSERT_OK(og_db_load_mem(db, &lo, more, sizeof more - 1, &lr, &err), &err);
  assert_int_equal(lr.manifest_version, v + 1);
  og_load_result_dispose(&lr);
  h = snap(db, 0);
  OG_ASSERT_OK(og_snapshot_table(h, "node:Person", &t, &err), &err);
  assert_string_equal(og_table_parent_key(t), pd);
  print_message("chunked load (%s): table version %" PRIu64 ", parent %s\n",
                embed_max ? "written out" : "embedded", og_table_version(t), og_table_parent_key(t));
  og_table_free(t);
  og_snapshot_free(h);
  og_db_close(db);
  db = open_db(dir);
  rows = query(db, people_q, NULL);
  assert_string_equal(rows, "\"Alice\",30\n\"Bob\",26\n\"Cy\",40\n\"Di\",41\n\"Ed\",42\n\"Fay\",43\n"
                            "\"Gus\",44\n\"Zed\",9\n");
  og_free(rows);
  og_db_close(db);
  verify_clean(dir, embed_max ? "one version, written out" : "one version, embedded");
  set_embed_max(NULL);
  og_free(pd);
  done(dir);
}

static void test_one_version_per_write(void **state) {
  (void)state;
  one_version(NULL);
  one_version("0");
}

/*---- (f) time travel to an embedded version, before and after cleanup ----*/

static void test_time_travel_and_cleanup(void **state) {
  (void)state;
  char *dir = seeded("sw-tt");
  og_db *db = open_db(dir);
  uint64_t v = mutate(db, "query q() { insert Person { name: \"Zed\", age: 9 } }");
  char *d = descriptor_of(db, v, "node:Person");
  assert_true(embedded_in(db, v, d));
  char *at_v = query(db, people_q, NULL);
  mutate(db, "query q() { update Person set { age: 10 } where name = \"Zed\" }");
  mutate(db, "query q() { delete Person where name = \"Alice\" }");
  char *head = query(db, people_q, NULL);
  assert_string_equal(head, "\"Bob\",25\n\"Zed\",10\n");
  char sn[64];
  snprintf(sn, sizeof sn, "manifest:main:v%" PRIu64, v);
  char *past = query(db, people_q, sn);
  assert_string_equal(past, at_v);
  og_free(past);

  og_error err = OG_ERROR_INIT;
  og_cleanup_db_opts co = {.keep_set = true, .keep = 1};
  char *js = NULL;
  OG_ASSERT_OK(og_db_cleanup(db, &co, &js, &err), &err);
  og_string_free(js);
  /* the embedded bytes are still in the log, but the version is released */
  char *dummy = NULL;
  assert_int_equal(try_query(db, people_q, sn, &dummy, &err), OG_ENOTFOUND);
  assert_null(dummy);
  assert_non_null(strstr(err.message, "released by cleanup"));
  char *h2 = query(db, people_q, NULL);
  assert_string_equal(h2, head);
  og_db_close(db);
  /* a fresh handle refuses too, reads the head, and verify passes */
  db = open_db(dir);
  err = (og_error)OG_ERROR_INIT;
  assert_int_equal(try_query(db, people_q, sn, &dummy, &err), OG_ENOTFOUND);
  assert_non_null(strstr(err.message, "released by cleanup"));
  og_free(h2);
  h2 = query(db, people_q, NULL);
  assert_string_equal(h2, head);
  og_db_close(db);
  verify_clean(dir, "after cleanup --keep 1");
  og_free(h2);
  og_free(head);
  og_free(at_v);
  og_free(d);
  done(dir);
}

/*---- (g) a corrupt embedded region ----*/

/* Flip a byte of the object at `key` and store it back through the store
 * (so the log record's own checksum holds and the graph layer's checks are
 * what must catch it); `at` counts from the end when negative. */
static void damage_object(const char *dir, const char *key, int64_t at, uint8_t mask) {
  og_error err = OG_ERROR_INIT;
  og_store *st = NULL;
  OG_ASSERT_OK(og_store_open_posix(&st, dir, false, &err), &err);
  og_buf b = OG_BUF_INIT;
  OG_ASSERT_OK(og_store_get(st, key, &b, &err), &err);
  size_t i = at < 0 ? b.len - (size_t)-at : (size_t)at;
  assert_true(i < b.len);
  b.ptr[i] ^= (char)mask;
  OG_ASSERT_OK(og_store_put(st, key, b.ptr, b.len, &err), &err);
  og_buf_dispose(&b);
  og_store_free(st);
}

/* The embedded region's length from a manifest's container trailer. */
static uint64_t embedded_len(const char *dir, const char *key) {
  og_error err = OG_ERROR_INIT;
  og_store *st = NULL;
  OG_ASSERT_OK(og_store_open_posix(&st, dir, false, &err), &err);
  og_buf b = OG_BUF_INIT;
  OG_ASSERT_OK(og_store_get(st, key, &b, &err), &err);
  assert_true(b.len > 24);
  /* the container trailer: [u64 elen][u64 xxh3][u32 format][u32 "OGMC"] */
  const uint8_t *t = (const uint8_t *)b.ptr + b.len - 24;
  assert_int_equal(og_get_u32le(t + 20), 0x434d474fu);
  assert_int_equal(og_get_u32le(t + 16), 1);
  uint64_t elen = og_get_u64le(t);
  assert_true(elen > 0 && elen < b.len - 24);
  og_buf_dispose(&b);
  og_store_free(st);
  return elen;
}

static void test_corrupt_embedded(void **state) {
  (void)state;
  char *dir = seeded("sw-corrupt");
  og_db *db = open_db(dir);
  char *key = manifest_key(db, mutate(db, "query q() { insert Person { name: \"Zed\", age: 9 } }"));
  og_db_close(db);
  /* one byte in the middle of the embedded objects */
  damage_object(dir, key, (int64_t)(embedded_len(dir, key) / 2), 0x20);
  og_free(key);

  og_error err = OG_ERROR_INIT;
  db = NULL;
  og_status rc = og_db_open(&db, dir, OG_DB_READ_ONLY, &err);
  if (rc == OG_OK) {
    char *rows = NULL;
    rc = try_query(db, people_q, NULL, &rows, &err);
    assert_null(rows);
    og_db_close(db);
  }
  assert_int_equal(rc, OG_ECORRUPT);
  assert_non_null(strstr(err.message, "bad embedded objects"));
  char *rep = NULL;
  err = (og_error)OG_ERROR_INIT;
  assert_int_equal(og_db_verify(dir, &rep, &err), OG_ECORRUPT);
  assert_non_null(rep);
  json_t *j = json_loads(rep, 0, NULL);
  assert_non_null(j);
  assert_true(json_is_false(json_object_get(j, "ok")));
  assert_non_null(strstr(rep, "bad embedded objects"));
  json_decref(j);
  og_string_free(rep);
  done(dir);
}

/* A damaged object embedded in an older manifest that the head still names
 * (the table did not change since): the head manifest is intact, so the
 * table layer's own checksum must catch it. */
static void test_corrupt_embedded_older(void **state) {
  (void)state;
  char *dir = seeded("sw-corrupt-old");
  og_db *db = open_db(dir);
  uint64_t vc = mutate(db, "query q() { insert Company { name: \"Initech\" } }");
  mutate(db, "query q() { insert Person { name: \"Zed\", age: 9 } }");
  char *dc = descriptor_of(db, 0, "node:Company");
  assert_true(embedded_in(db, vc, dc)); /* the head names v_c's slice */
  char *key = manifest_key(db, vc);
  og_db_close(db);
  /* the descriptor is the last embedded object: flip a byte inside it */
  damage_object(dir, key, (int64_t)embedded_len(dir, key) - 12, 0x01);
  og_free(key);
  og_error err = OG_ERROR_INIT;
  db = open_db(dir);
  char *rows = NULL;
  assert_int_equal(try_query(db, "query q() { match { $c: Company } return { $c.name } }", NULL, &rows, &err),
                   OG_ECORRUPT);
  assert_null(rows);
  /* the untouched table still reads */
  char *people = query(db, people_q, NULL);
  assert_int_equal(count_lines(people), 3);
  og_free(people);
  og_db_close(db);
  char *rep = NULL;
  err = (og_error)OG_ERROR_INIT;
  assert_int_equal(og_db_verify(dir, &rep, &err), OG_ECORRUPT);
  og_string_free(rep);
  og_free(dc);
  done(dir);
}

/*---- (h) a power loss that tore the last commit ----*/

/* The manifest's slot reached the disk, its bytes did not (simulated by
 * zeroing them in the log segment): the commit was never acknowledged, so
 * the graph opens at the version before it, verifies clean, and the next
 * commit takes the version number again. */
static void test_torn_last_commit(void **state) {
  (void)state;
  char *dir = seeded("sw-torn");
  og_db *db = open_db(dir);
  uint64_t v = mutate(db, "query q() { insert Person { name: \"Zed\", age: 9 } }");
  char *key = manifest_key(db, v);
  og_db_close(db);
  char path[4096];
  uint64_t off = 0, len = 0;
  og_test_log_record(dir, key, path, sizeof path, &off, &len);
  int fd = open(path, O_RDWR);
  assert_true(fd >= 0);
  char *zeros = og_calloc(1, (size_t)len);
  assert_int_equal(pwrite(fd, zeros, (size_t)len, (off_t)off), (ssize_t)len);
  og_free(zeros);
  close(fd);

  db = open_db(dir); /* the head hint still names v: it is probed and passed over */
  char *rows = query(db, people_q, NULL);
  assert_int_equal(count_lines(rows), 2);
  assert_false(has_line(rows, "\"Zed\",9"));
  og_free(rows);
  uint64_t v2 = mutate(db, "query q() { insert Person { name: \"Yan\", age: 7 } }");
  assert_int_equal(v2, v);
  rows = query(db, people_q, NULL);
  assert_true(has_line(rows, "\"Yan\",7"));
  assert_int_equal(count_lines(rows), 3);
  og_free(rows);
  og_db_close(db);
  verify_clean(dir, "after a torn last commit");
  og_free(key);
  done(dir);
}

int main(void) {
  setenv("OMNIGRAPH_RECOVERY_SKEW_MS", "0", 1);
  unsetenv("OMNIGRAPH_EMBED_MAX");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_one_row_insert_io),
      cmocka_unit_test(test_embed_disabled),
      cmocka_unit_test(test_over_the_limit),
      cmocka_unit_test(test_race_paused),
      cmocka_unit_test(test_race_threads),
      cmocka_unit_test(test_one_version_per_write),
      cmocka_unit_test(test_time_travel_and_cleanup),
      cmocka_unit_test(test_corrupt_embedded),
      cmocka_unit_test(test_corrupt_embedded_older),
      cmocka_unit_test(test_torn_last_commit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
