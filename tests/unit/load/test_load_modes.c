/* Load modes, versions and commits, chunked streaming, atomicity and
 * concurrency (spec/cases/data-cases.md D, engine-cases.md C-16..C-24). */
#include "lfix.h"

#include <pthread.h>

#define O OG_LOAD_OVERWRITE
#define A OG_LOAD_APPEND
#define M OG_LOAD_MERGE

static size_t manifests(lfix *f) {
  og_error err = OG_ERROR_INIT;
  og_keylist l = {0};
  OG_ASSERT_OK(og_store_list(f->st, "log/", &l, &err), &err);
  size_t n = l.count;
  og_keylist_dispose(&l);
  return n;
}

/* L25, C-24 */
static void test_overwrite_and_append(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  LOAD_OK(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}");
  LOAD_OK(&f, A, "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}");
  assert_int_equal(lfix_rows(&f, "node:Person"), 2);
  LOAD_OK(&f, O, FTEST_DATA);
  LOAD_OK(&f, A, "{\"type\":\"Person\",\"data\":{\"name\":\"Eve\",\"age\":22}}");
  assert_int_equal(lfix_rows(&f, "node:Person"), 5);
  LOAD_OK(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"Zara\",\"age\":40}}");
  DUMP_EQ(&f, "node:Person", "id,age", "Zara|40\n");
  assert_int_equal(lfix_rows(&f, "node:Company"), 2); /* absent types keep their rows */
  lfix_free(&f);
}

/* L26: append of an existing key is refused (reference quirk fixed). */
static void test_append_existing_id(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  LOAD_OK(&f, O, FTEST_DATA);
  LOAD_FAILS(&f, A, "{\"type\":\"Person\",\"data\":{\"name\":\"Eve\",\"age\":1}}\n{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":99}}",
             OG_ECONSTRAINT, "record 2: node Person id 'Alice' already exists on branch main");
  assert_int_equal(lfix_rows(&f, "node:Person"), 4);
  DUMP_EQ(&f, "node:Person", "id,age", "Alice|30\nBob|25\nCharlie|35\nDiana|28\n");
  lfix_free(&f);
}

/* L28, C-19: merge replaces whole rows, keeps row ids. */
static void test_merge(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, "node Thing { key: String @key\n required_val: String\n optional_val: String? }\n");
  LOAD_OK(&f, O, "{\"type\":\"Thing\",\"data\":{\"key\":\"TEST-1\",\"required_val\":\"r\",\"optional_val\":\"optional 1\"}}\n"
                 "{\"type\":\"Thing\",\"data\":{\"key\":\"TEST-2\",\"required_val\":\"r2\"}}\n");
  og_error err = OG_ERROR_INIT;
  og_snapshot *s = NULL;
  og_table *t = NULL;
  uint64_t rid_before = 0, rid_after = 0;
  OG_ASSERT_OK(og_graph_snapshot(f.g, "main", 0, &s, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(s, "node:Thing", &t, &err), &err);
  OG_ASSERT_OK(og_table_lookup(t, "TEST-1", 6, &rid_before, &err), &err);
  og_table_free(t);
  og_snapshot_free(s);
  const char *m = "{\"type\":\"Thing\",\"data\":{\"key\":\"TEST-1\",\"required_val\":\"x\"}}\n"
                  "{\"type\":\"Thing\",\"data\":{\"key\":\"TEST-3\",\"required_val\":\"y\"}}\n";
  LOAD_OK(&f, M, m);
  DUMP_EQ(&f, "node:Thing", "id,required_val,optional_val", "TEST-2|r2|null\nTEST-1|x|null\nTEST-3|y|null\n");
  OG_ASSERT_OK(og_graph_snapshot(f.g, "main", 0, &s, &err), &err);
  OG_ASSERT_OK(og_snapshot_table(s, "node:Thing", &t, &err), &err);
  OG_ASSERT_OK(og_table_lookup(t, "TEST-1", 6, &rid_after, &err), &err);
  assert_int_equal(rid_before, rid_after);
  og_table_free(t);
  og_snapshot_free(s);
  LOAD_OK(&f, M, m);
  assert_int_equal(lfix_rows(&f, "node:Thing"), 3);
  lfix_free(&f);

  /* L23: edges without ids are always inserted; explicit ids upsert */
  lfix_init(&f, "node Person { name: String @key }\nnode Company { name: String @key }\n"
                "edge WorksAt: Person -> Company @card(0..1)\n");
  LOAD_OK(&f, O, "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\"}}{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}");
  LOAD_OK(&f, M, "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\"}");
  LOAD_FAILS(&f, M, "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\"}", OG_ECONSTRAINT,
             "@card violation on edge WorksAt: source 'Alice' has 2 edges (max 1)");
  LOAD_OK(&f, O, "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\",\"data\":{\"id\":\"w1\"}}");
  LOAD_OK(&f, M, "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\",\"data\":{\"id\":\"w1\"}}");
  assert_int_equal(lfix_rows(&f, "edge:WorksAt"), 1);
  /* repeated explicit ids in one merge: the last row wins */
  LOAD_OK(&f, M, "{\"type\":\"Company\",\"data\":{\"name\":\"Beta\"}}"
                 "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\",\"data\":{\"id\":\"w1\"}}"
                 "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Beta\",\"data\":{\"id\":\"w1\"}}");
  DUMP_EQ(&f, "edge:WorksAt", "id,src,dst", "w1|Alice|Beta\n");
  lfix_free(&f);
}

/* L29, C-16, C-21: versions move once per load, never on failure. */
static void test_versions_and_atomicity(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  uint64_t v0 = lfix_head(&f);
  size_t m0 = manifests(&f);
  LOAD_OK(&f, O, FTEST_DATA);
  assert_int_equal(lfix_head(&f), v0 + 1);
  assert_int_equal(manifests(&f), m0 + 1);
  /* a failing load at the very end (RI after every chunk was written) */
  char *before = lfix_manifest_text(&f);
  og_error err = OG_ERROR_INIT;
  lopts o = {.mode = A, .chunk = 1};
  assert_int_equal(lfix_load_opts(&f, &o,
                                  "{\"type\":\"Person\",\"data\":{\"name\":\"Mallory\"}}\n"
                                  "{\"edge\":\"Knows\",\"from\":\"Mallory\",\"to\":\"Ghost\"}\n",
                                  NULL, &err),
                   OG_ECONSTRAINT);
  assert_non_null(strstr(err.message, "not found"));
  char *after = lfix_manifest_text(&f);
  assert_string_equal(before, after);
  og_free(before);
  og_free(after);
  assert_int_equal(manifests(&f), m0 + 1);
  LOAD_OK(&f, A, "{\"type\":\"Person\",\"data\":{\"name\":\"Pat\"}}");
  assert_int_equal(lfix_rows(&f, "node:Person"), 5);
  assert_int_equal(lfix_rows(&f, "edge:Knows"), 3);
  /* empty input: nothing loaded, no commit */
  og_load_result res;
  lopts e = {.mode = O};
  uint64_t v = lfix_head(&f);
  OG_ASSERT_OK(lfix_load_opts(&f, &e, " \n\n ", &res, &err), &err);
  assert_false(res.committed);
  assert_int_equal(res.nodes_loaded + res.edges_loaded, 0);
  assert_int_equal(res.manifest_version, v);
  og_load_result_dispose(&res);
  assert_int_equal(lfix_head(&f), v);
  lfix_free(&f);
}

/* Streaming: many chunks per type, merges across chunks, RI across chunks. */
static void test_chunked(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  og_buf in = OG_BUF_INIT;
  for (int i = 0; i < 50; i++) og_buf_printf(&in, "{\"edge\":\"Knows\",\"from\":\"p%d\",\"to\":\"p%d\"}\n", i, (i + 1) % 50);
  for (int i = 0; i < 50; i++) og_buf_printf(&in, "{\"type\":\"Person\",\"data\":{\"name\":\"p%d\",\"age\":%d}}\n", i, i);
  og_error err = OG_ERROR_INIT;
  og_load_result res;
  lopts o = {.mode = O, .chunk = 7};
  OG_ASSERT_OK(lfix_load_opts(&f, &o, in.ptr, &res, &err), &err);
  assert_int_equal(res.nodes_loaded, 50);
  assert_int_equal(res.edges_loaded, 50);
  og_load_result_dispose(&res);
  assert_int_equal(lfix_rows(&f, "node:Person"), 50);
  assert_int_equal(lfix_rows(&f, "edge:Knows"), 50);
  /* merge in chunks: half updates, half inserts */
  og_buf_clear(&in);
  for (int i = 25; i < 75; i++) og_buf_printf(&in, "{\"type\":\"Person\",\"data\":{\"name\":\"p%d\",\"age\":%d}}\n", i, 1000 + i);
  o.mode = M;
  OG_ASSERT_OK(lfix_load_opts(&f, &o, in.ptr, NULL, &err), &err);
  assert_int_equal(lfix_rows(&f, "node:Person"), 75);
  char *d = lfix_dump(&f, "node:Person", "id,age");
  assert_non_null(strstr(d, "p24|24\n"));
  assert_non_null(strstr(d, "p25|1025\n"));
  assert_non_null(strstr(d, "p74|1074\n"));
  og_free(d);
  /* a duplicate key far apart (different chunks) is still caught */
  og_buf_clear(&in);
  for (int i = 0; i < 20; i++) og_buf_printf(&in, "{\"type\":\"Person\",\"data\":{\"name\":\"q%d\"}}\n", i % 19);
  char *before = lfix_manifest_text(&f);
  assert_int_equal(lfix_load_opts(&f, &o, in.ptr, NULL, &err), OG_ECONSTRAINT);
  assert_non_null(strstr(err.message, "record 20: @unique violation on Person.name: value 'q0' appears in rows 0 and 19"));
  char *after = lfix_manifest_text(&f);
  assert_string_equal(before, after);
  og_free(before);
  og_free(after);
  og_buf_dispose(&in);
  lfix_free(&f);
}

/* Edge chunks resolved against committed nodes: endpoints repeat within
 * and across chunks (answered from the loader's cache after the first
 * lookup), missing ones are reported by their first row whichever chunk
 * and side they are in. */
/* Plain edge records ({"edge","from","to"} only, a type without
 * properties) take a fast path around the DOM: the same rows, record
 * numbers, lines and errors as the general path (forced here by an empty
 * "data" member), in memory and streamed in small pieces. */
typedef struct piece_src {
  const char *data;
  size_t len, pos, step;
} piece_src;

static long piece_read(void *ctx, char *buf, size_t cap) {
  piece_src *s = ctx;
  size_t n = s->len - s->pos;
  if (n > s->step) n = s->step;
  if (n > cap) n = cap;
  memcpy(buf, s->data + s->pos, n);
  s->pos += n;
  return (long)n;
}

static og_status load_pieces(lfix *f, const char *data, size_t step, og_error *err) {
  piece_src src = {data, strlen(data), 0, step};
  og_jsonl *r = NULL;
  og_status rc = step ? og_jsonl_open(&r, piece_read, &src, err) : og_jsonl_open_mem(&r, data, src.len, err);
  if (rc) return rc;
  og_load_req req = {.graph = f->g, .mode = OG_LOAD_APPEND, .chunk_rows = 3, .reader = r};
  og_load_result res;
  rc = og_load_run(&req, &res, err);
  if (!rc) og_load_result_dispose(&res);
  og_jsonl_free(r);
  return rc;
}

static void test_plain_edges(void **state) {
  (void)state;
  /* %s: "" (plain) or ",\"data\":{}" (general) */
  const char *good =
      "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\"%s}\n"
      "{ \"to\" : \"Acme\" , \"from\" :\"Bob\",\n \"edge\":\"worksat\"%s}"
      "{\"edge\":\"WorksAt\",\"from\":\"Al\\u0069ce\",\"to\":\"Acme\"%s}\n\n"
      "{\"from\":\"Diana\",\"edge\":\"WorksAt\",\"to\":\"Acme\"%s}\n";
  const char *bad[] = {
      "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\"%s}\n{\"edge\":\"WorksAt\",\"from\":"
      "\"Alice\",\"to\":\"Nope\"%s}\n{\"edge\":\"WorksAt\",\"from\":\"Zed\",\"to\":\"Acme\"%s}\n",
      "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\"%s}\n{\"edge\":\"WorksAt\",\"from\":"
      "\"Al\xff" "ce\",\"to\":\"Acme\"%s}\n",
      "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\"%s}\n{\"edge\":\"Nothing\",\"from\":"
      "\"Alice\",\"to\":\"Acme\"%s}\n",
      "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\"%s}\n{\"edge\":\"WorksAt\",\"from\":"
      "\"Alice\",\"to\":\"Acme\"%s\n",
  };
  char in[2][1024];
  size_t steps[] = {0, 1, 5, 17};
  for (size_t si = 0; si < sizeof steps / sizeof *steps; si++) {
    char *dump[2];
    for (int g = 0; g < 2; g++) {
      const char *x = g ? ",\"data\":{}" : "";
      lfix f;
      lfix_init(&f, FTEST_SCHEMA);
      LOAD_OK(&f, O, FTEST_DATA);
      og_error err = OG_ERROR_INIT;
      snprintf(in[g], sizeof in[g], good, x, x, x, x);
      OG_ASSERT_OK(load_pieces(&f, in[g], steps[si], &err), &err);
      dump[g] = lfix_dump(&f, "edge:WorksAt", "src,dst");
      lfix_free(&f);
    }
    assert_string_equal(dump[0], dump[1]);
    assert_non_null(strstr(dump[0], "Diana|Acme"));
    og_free(dump[0]);
    og_free(dump[1]);
    for (size_t b = 0; b < sizeof bad / sizeof *bad; b++) {
      og_error e[2] = {OG_ERROR_INIT, OG_ERROR_INIT};
      og_status rc[2];
      for (int g = 0; g < 2; g++) {
        const char *x = g ? ",\"data\":{}" : "";
        lfix f;
        lfix_init(&f, FTEST_SCHEMA);
        LOAD_OK(&f, O, FTEST_DATA);
        char *before = lfix_manifest_text(&f);
        snprintf(in[g], sizeof in[g], bad[b], x, x, x);
        rc[g] = load_pieces(&f, in[g], steps[si], &e[g]);
        char *after = lfix_manifest_text(&f);
        assert_string_equal(before, after);
        og_free(before);
        og_free(after);
        lfix_free(&f);
      }
      assert_int_not_equal(rc[0], OG_OK);
      assert_int_equal(rc[0], rc[1]);
      assert_string_equal(e[0].message, e[1].message);
      assert_int_equal(e[0].line, e[1].line);
      assert_non_null(strstr(e[0].message, "record 2"));
    }
  }
}

static void test_chunked_endpoints(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  og_buf in = OG_BUF_INIT;
  og_error err = OG_ERROR_INIT;
  for (int i = 0; i < 40; i++) og_buf_printf(&in, "{\"type\":\"Person\",\"data\":{\"name\":\"p%d\"}}\n", i);
  LOAD_OK(&f, O, in.ptr);
  og_buf_clear(&in);
  for (int i = 0; i < 300; i++)
    og_buf_printf(&in, "{\"edge\":\"Knows\",\"from\":\"p%d\",\"to\":\"p%d\"}\n", i * 7 % 40, i * 11 % 40);
  lopts o = {.mode = A, .chunk = 16};
  OG_ASSERT_OK(lfix_load_opts(&f, &o, in.ptr, NULL, &err), &err);
  assert_int_equal(lfix_rows(&f, "edge:Knows"), 300);
  char *d = lfix_dump(&f, "edge:Knows", "src,dst");
  assert_true(strncmp(d, "p0|p0\np7|p11\np14|p22\n", 21) == 0);
  og_free(d);
  /* missing endpoints: a dst in chunk 10, a src in chunk 11, the same dst
   * again (a cached miss) in chunk 12 */
  og_buf_clear(&in);
  for (int i = 0; i < 200; i++)
    og_buf_printf(&in, "{\"edge\":\"Knows\",\"from\":\"%s%d\",\"to\":\"%s%d\"}\n", i == 170 ? "ghost" : "p",
                  i % 40, i == 150 || i == 190 ? "ghost" : "p", (i + 1) % 40);
  char *before = lfix_manifest_text(&f);
  assert_int_equal(lfix_load_opts(&f, &o, in.ptr, NULL, &err), OG_ECONSTRAINT);
  assert_non_null(strstr(err.message, "record 151: edge Knows row 151: dst 'ghost31' not found in Person"));
  char *after = lfix_manifest_text(&f);
  assert_string_equal(before, after);
  og_free(after);
  /* the first bad row wins even when its side is checked later */
  og_buf_clear(&in);
  for (int i = 0; i < 40; i++)
    og_buf_printf(&in, "{\"edge\":\"Knows\",\"from\":\"%s\",\"to\":\"%s\"}\n", i == 33 ? "nobody" : "p1",
                  i == 20 ? "nobody" : "p2");
  assert_int_equal(lfix_load_opts(&f, &o, in.ptr, NULL, &err), OG_ECONSTRAINT);
  assert_non_null(strstr(err.message, "record 21: edge Knows row 21: dst 'nobody' not found in Person"));
  after = lfix_manifest_text(&f);
  assert_string_equal(before, after);
  og_free(after);
  og_free(before);
  /* endpoints among the input's nodes and the committed ones, mixed */
  og_buf_clear(&in);
  for (int i = 0; i < 20; i++) og_buf_printf(&in, "{\"type\":\"Person\",\"data\":{\"name\":\"q%d\"}}\n", i);
  for (int i = 0; i < 100; i++)
    og_buf_printf(&in, "{\"edge\":\"Knows\",\"from\":\"%c%d\",\"to\":\"%c%d\"}\n", i % 2 ? 'q' : 'p', i % 20,
                  i % 2 ? 'p' : 'q', i % 40 % 20);
  o.chunk = 8;
  OG_ASSERT_OK(lfix_load_opts(&f, &o, in.ptr, NULL, &err), &err);
  assert_int_equal(lfix_rows(&f, "edge:Knows"), 400);
  assert_int_equal(lfix_rows(&f, "node:Person"), 60);
  /* overwrite of the edges only: looked up among the committed persons */
  og_buf_clear(&in);
  for (int i = 0; i < 50; i++)
    og_buf_printf(&in, "{\"edge\":\"Knows\",\"from\":\"q%d\",\"to\":\"p%d\"}\n", i % 20, i % 40);
  o.mode = O;
  OG_ASSERT_OK(lfix_load_opts(&f, &o, in.ptr, NULL, &err), &err);
  assert_int_equal(lfix_rows(&f, "edge:Knows"), 50);
  og_buf_printf(&in, "{\"edge\":\"Knows\",\"from\":\"q1\",\"to\":\"p40\"}\n");
  assert_int_equal(lfix_load_opts(&f, &o, in.ptr, NULL, &err), OG_ECONSTRAINT);
  assert_non_null(strstr(err.message, "record 51: edge Knows row 51: dst 'p40' not found in Person"));
  /* the same first bad record whatever the chunking (a chunk's endpoint
   * checks run on either thread, whichever is free first) */
  og_buf_clear(&in);
  for (int i = 0; i < 400; i++)
    og_buf_printf(&in, "{\"edge\":\"Knows\",\"from\":\"%s%d\",\"to\":\"%s%d\"}\n", i == 377 ? "ghost" : "p",
                  i % 40, i == 233 || i == 390 ? "ghost" : "q", i % 20);
  o.mode = A;
  size_t chunks[] = {1, 2, 3, 16, 233, 234, 1000};
  for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
    o.chunk = chunks[c];
    char *b = lfix_manifest_text(&f);
    assert_int_equal(lfix_load_opts(&f, &o, in.ptr, NULL, &err), OG_ECONSTRAINT);
    assert_non_null(strstr(err.message, "record 234: edge Knows row 234: dst 'ghost13' not found in Person"));
    char *a = lfix_manifest_text(&f);
    assert_string_equal(b, a);
    og_free(a);
    og_free(b);
  }
  /* ids of every length class of the answer cache (<= 7 bytes, 8..16,
   * longer), found and missing, through lookups and through a full scan */
  og_buf_clear(&in);
  const char *names[] = {"", "a", "abcdefg", "abcdefgh", "abcdefghijklmnop", "abcdefghijklmnopq",
                         "a-rather-long-person-name-beyond-sixteen-bytes"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (*names[i]) og_buf_printf(&in, "{\"type\":\"Person\",\"data\":{\"name\":\"%s\"}}\n", names[i]);
  o.mode = A;
  o.chunk = 0;
  OG_ASSERT_OK(lfix_load_opts(&f, &o, in.ptr, NULL, &err), &err);
  for (size_t c = 0; c < 2; c++) {
    o.chunk = c ? 1 : 1000;
    og_buf_clear(&in);
    for (size_t i = 1; i < sizeof names / sizeof *names; i++)
      for (size_t j = 1; j < sizeof names / sizeof *names; j++)
        og_buf_printf(&in, "{\"edge\":\"Knows\",\"from\":\"%s\",\"to\":\"%s\"}\n", names[i], names[j]);
    OG_ASSERT_OK(lfix_load_opts(&f, &o, in.ptr, NULL, &err), &err);
    const char *bad[] = {"abcdefh", "abcdefgi", "abcdefghijklmnoq", "abcdefghijklmnopr", ""};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
      og_buf_printf(&in, "{\"edge\":\"Knows\",\"from\":\"abcdefgh\",\"to\":\"%s\"}\n", bad[k]);
      assert_int_equal(lfix_load_opts(&f, &o, in.ptr, NULL, &err), OG_ECONSTRAINT);
      char want[200];
      snprintf(want, sizeof want, "record 37: edge Knows row 37: dst '%s' not found in Person", bad[0]);
      assert_non_null(strstr(err.message, want));
    }
  }
  og_buf_dispose(&in);
  lfix_free(&f);
}

/* A second writer commits while a load is staged. */
typedef struct race {
  lfix *f;
  og_load_mode mode;
  const char *data;
} race;

static void racing_load(void *ctx) {
  race *r = ctx;
  og_error err = OG_ERROR_INIT;
  og_graph *g2 = NULL;
  OG_ASSERT_OK(og_graph_open(r->f->st, 0, &g2, &err), &err);
  lfix other = {r->f->st, g2};
  OG_ASSERT_OK(lfix_load(&other, r->mode, r->data, &err), &err);
  og_graph_free(g2);
}

static void test_concurrent_loads(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  LOAD_OK(&f, O, FTEST_DATA);
  /* append racing append: both land (insert-only tables rebase) */
  race r = {&f, A, "{\"type\":\"Person\",\"data\":{\"name\":\"Frank\"}}"};
  og_error err = OG_ERROR_INIT;
  lopts o = {.mode = A, .hook = racing_load, .hook_ctx = &r};
  OG_ASSERT_OK(lfix_load_opts(&f, &o, "{\"type\":\"Person\",\"data\":{\"name\":\"Eve\"}}", NULL, &err), &err);
  assert_int_equal(lfix_rows(&f, "node:Person"), 6);
  /* the same with our rows spread over several chunk versions */
  r.data = "{\"type\":\"Person\",\"data\":{\"name\":\"Hal\"}}";
  o.chunk = 1;
  OG_ASSERT_OK(lfix_load_opts(&f, &o,
                              "{\"type\":\"Person\",\"data\":{\"name\":\"Ida\"}}{\"type\":\"Person\",\"data\":{\"name\":\"Jo\"}}"
                              "{\"type\":\"Person\",\"data\":{\"name\":\"Kim\"}}{\"edge\":\"Knows\",\"from\":\"Ida\",\"to\":\"Jo\"}",
                              NULL, &err),
               &err);
  assert_int_equal(lfix_rows(&f, "node:Person"), 10);
  assert_int_equal(lfix_rows(&f, "edge:Knows"), 4);
  DUMP_EQ(&f, "node:Person", "id", "Alice\nBob\nCharlie\nDiana\nFrank\nEve\nHal\nIda\nJo\nKim\n");
  o.chunk = 0;
  /* overwrite racing a content change: conflict, nothing of ours visible */
  r.data = "{\"type\":\"Person\",\"data\":{\"name\":\"Gina\"}}";
  o.mode = O;
  assert_int_equal(lfix_load_opts(&f, &o, "{\"type\":\"Person\",\"data\":{\"name\":\"Solo\"}}", NULL, &err), OG_ECONFLICT);
  assert_non_null(strstr(err.details, "node:Person"));
  assert_int_equal(lfix_rows(&f, "node:Person"), 11);
  /* edges resolved against committed persons, racing a change of Person */
  r = (race){&f, A, "{\"type\":\"Person\",\"data\":{\"name\":\"Late\"}}"};
  o.mode = A;
  assert_int_equal(lfix_load_opts(&f, &o, "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Diana\"}", NULL, &err),
                   OG_ECONFLICT);
  assert_int_equal(lfix_rows(&f, "edge:Knows"), 4);
  lfix_free(&f);
}

/* Concurrent appends through one graph handle (the server's case): all land. */
typedef struct ljob {
  lfix *f;
  int i;
  og_status rc;
} ljob;

static void *load_thread(void *arg) {
  ljob *j = arg;
  char in[512];
  snprintf(in, sizeof in,
           "{\"type\":\"Person\",\"data\":{\"name\":\"T%da\"}}{\"type\":\"Person\",\"data\":{\"name\":\"T%db\"}}"
           "{\"edge\":\"Knows\",\"from\":\"T%da\",\"to\":\"Alice\"}",
           j->i, j->i, j->i);
  og_error err = OG_ERROR_INIT;
  lopts o = {.mode = A, .chunk = 1};
  j->rc = lfix_load_opts(j->f, &o, in, NULL, &err);
  return NULL;
}

static void test_threads(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  LOAD_OK(&f, O, FTEST_DATA);
  enum { NT = 8 };
  pthread_t th[NT];
  ljob jobs[NT];
  for (int i = 0; i < NT; i++) {
    jobs[i] = (ljob){&f, i, OG_ERROR};
    assert_int_equal(pthread_create(&th[i], NULL, load_thread, &jobs[i]), 0);
  }
  for (int i = 0; i < NT; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < NT; i++) assert_int_equal(jobs[i].rc, OG_OK);
  assert_int_equal(lfix_rows(&f, "node:Person"), 4 + 2 * NT);
  assert_int_equal(lfix_rows(&f, "edge:Knows"), 3 + NT);
  lfix_free(&f);
}

/* Loads into a branch leave main alone. */
static void test_branch(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  LOAD_OK(&f, O, FTEST_DATA);
  og_error err = OG_ERROR_INIT;
  OG_ASSERT_OK(og_graph_branch_create(f.g, "feature", "main", 0, NULL, &err), &err);
  lopts o = {.mode = A, .branch = "feature"};
  OG_ASSERT_OK(lfix_load_opts(&f, &o, "{\"type\":\"Person\",\"data\":{\"name\":\"Eve\"}}", NULL, &err), &err);
  assert_int_equal(lfix_rows(&f, "node:Person"), 4);
  o.branch = "nope";
  assert_int_equal(lfix_load_opts(&f, &o, "{\"type\":\"Person\",\"data\":{\"name\":\"Eve\"}}", NULL, &err), OG_ENOTFOUND);
  assert_string_equal(err.message, "branch 'nope' not found");
  lfix_free(&f);
}

/* Every store write of a load failing in turn: each failure leaves the
 * branch exactly as it was; once no fault fires the load commits. */
static void test_fault_sweep(void **state) {
  (void)state;
  lfix f;
  lfix_init(&f, FTEST_SCHEMA);
  LOAD_OK(&f, O, FTEST_DATA);
  og_error err = OG_ERROR_INIT;
  og_store *fs = NULL;
  OG_ASSERT_OK(og_store_open_fault(&fs, f.st, &err), &err);
  og_graph *g2 = NULL;
  OG_ASSERT_OK(og_graph_open(fs, 0, &g2, &err), &err);
  lfix ff = {fs, g2};
  for (int mode = 0; mode < 3; mode++) {
    char in[1024];
    snprintf(in, sizeof in,
             "{\"type\":\"Person\",\"data\":{\"name\":\"E%d\"}}{\"type\":\"Person\",\"data\":{\"name\":\"F%d\"}}"
             "{\"type\":\"Person\",\"data\":{\"name\":\"G%d\"}}{\"edge\":\"Knows\",\"from\":\"E%d\",\"to\":\"F%d\"}"
             "{\"edge\":\"Knows\",\"from\":\"F%d\",\"to\":\"G%d\"}{\"type\":\"Company\",\"data\":{\"name\":\"C%d\"}}",
             mode, mode, mode, mode, mode, mode, mode, mode);
    bool done = false;
    for (uint64_t n = 1; n < 200 && !done; n++) {
      char *before = lfix_manifest_text(&f);
      og_fault_spec spec = {.ops = OG_STORE_OP_WRITES, .countdown = n, .kind = OG_FAULT_EIO};
      og_store_fault_arm(fs, &spec);
      lopts o = {.mode = (og_load_mode)mode, .chunk = 2};
      og_status rc = lfix_load_opts(&ff, &o, in, NULL, &err);
      bool fired = og_store_fault_fired(fs) > 0;
      if (rc && !fired) fail_msg("mode %d: load failed without a fault: %s", mode, err.message);
      og_store_fault_disarm(fs);
      char *after = lfix_manifest_text(&f);
      if (rc) {
        assert_true(fired);
        assert_string_equal(before, after);
      } else {
        /* success (a failed head-hint write after the commit is ignored) */
        assert_string_not_equal(before, after);
        done = true;
      }
      og_free(before);
      og_free(after);
    }
    assert_true(done);
  }
  og_graph_free(g2);
  og_store_free(fs);
  lfix_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_overwrite_and_append),
      cmocka_unit_test(test_append_existing_id),
      cmocka_unit_test(test_merge),
      cmocka_unit_test(test_versions_and_atomicity),
      cmocka_unit_test(test_chunked),
      cmocka_unit_test(test_chunked_endpoints),
      cmocka_unit_test(test_plain_edges),
      cmocka_unit_test(test_concurrent_loads),
      cmocka_unit_test(test_branch),
      cmocka_unit_test(test_fault_sweep),
      cmocka_unit_test(test_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
