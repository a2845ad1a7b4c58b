/* JSONL framing: records across lines, several per line, chunk boundaries, errors. */
#include "og_test.h"

#include <string.h>

#include "load/jsonl.h"

static size_t count_records(og_jsonl *r, og_error *err, og_status *rc_out) {
  size_t n = 0;
  for (;;) {
    json_t *v = NULL;
    og_status rc = og_jsonl_next(r, &v, err);
    if (rc) {
      *rc_out = rc;
      return n;
    }
    if (!v) break;
    n++;
    json_decref(v);
  }
  *rc_out = OG_OK;
  return n;
}

static void test_framing(void **state) {
  (void)state;
  const char *in =
      "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\"}}\n"
      "\n"
      "{\"type\":\"Person\",\n  \"data\": {\"name\": \"B}ob\\\"\"}\n}\n"
      "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Bob\"} {\"type\":\"X\"}\n";
  og_error err = OG_ERROR_INIT;
  og_jsonl *r = NULL;
  OG_ASSERT_OK(og_jsonl_open_mem(&r, in, strlen(in), &err), &err);
  json_t *v = NULL;
  OG_ASSERT_OK(og_jsonl_next(r, &v, &err), &err);
  assert_string_equal(json_string_value(json_object_get(v, "type")), "Person");
  json_decref(v);
  OG_ASSERT_OK(og_jsonl_next(r, &v, &err), &err);
  assert_int_equal(og_jsonl_record_no(r), 2);
  assert_int_equal(og_jsonl_record_line(r), 3);
  assert_string_equal(json_string_value(json_object_get(json_object_get(v, "data"), "name")), "B}ob\"");
  json_decref(v);
  og_status rc;
  assert_int_equal(count_records(r, &err, &rc), 2);
  assert_int_equal(rc, OG_OK);
  og_jsonl_free(r);
}

static void test_errors(void **state) {
  (void)state;
  const char *cases[] = {"{\"a\":1}\n// comment\n", "{\"a\":1}\n{\"b\":}\n", "{\"a\":1}\n{\"b\":2\n"};
  for (size_t i = 0; i < 3; i++) {
    og_error err = OG_ERROR_INIT;
    og_jsonl *r = NULL;
    OG_ASSERT_OK(og_jsonl_open_mem(&r, cases[i], strlen(cases[i]), &err), &err);
    og_status rc;
    assert_int_equal(count_records(r, &err, &rc), 1);
    assert_int_equal(rc, OG_EINVAL);
    assert_non_null(strstr(err.message, "invalid JSON at record 2: "));
    assert_int_equal(err.line, i == 2 ? 3 : 2); /* a truncated record fails at end of input */
    og_jsonl_free(r);
  }
  /* empty input is valid and yields nothing */
  og_error err = OG_ERROR_INIT;
  og_jsonl *r = NULL;
  OG_ASSERT_OK(og_jsonl_open_mem(&r, " \n\n", 3, &err), &err);
  og_status rc;
  assert_int_equal(count_records(r, &err, &rc), 0);
  assert_int_equal(rc, OG_OK);
  og_jsonl_free(r);
}

/* A reader that hands out at most `step` bytes per call, to cut records anywhere. */
typedef struct slow_src {
  const char *data;
  size_t len, pos, step;
} slow_src;

static long slow_read(void *ctx, char *buf, size_t cap) {
  slow_src *s = ctx;
  size_t n = s->len - s->pos;
  if (n > s->step) n = s->step;
  if (n > cap) n = cap;
  memcpy(buf, s->data + s->pos, n);
  s->pos += n;
  return (long)n;
}

static void test_streaming_chunks(void **state) {
  (void)state;
  og_buf in = OG_BUF_INIT;
  for (int i = 0; i < 3000; i++)
    og_buf_printf(&in, "{\"type\":\"P\",\"data\":{\"name\":\"n%d\",\"v\":[%d,%d]}}%s", i, i, i + 1,
                  i % 3 ? "\n" : " ");
  og_buf_puts(&in, "42"); /* a bare scalar at end of input is a record too */
  for (size_t step = 1; step <= 4097; step = step * 3 + 1) {
    slow_src src = {in.ptr, in.len, 0, step};
    og_error err = OG_ERROR_INIT;
    og_jsonl *r = NULL;
    OG_ASSERT_OK(og_jsonl_open(&r, slow_read, &src, &err), &err);
    og_status rc;
    assert_int_equal(count_records(r, &err, &rc), 3001);
    assert_int_equal(rc, OG_OK);
    og_jsonl_free(r);
  }
  og_buf_dispose(&in);
}

/* og_jsonl_next_doc frames exactly like og_jsonl_next_raw: the same
 * records (text, number, first line) and the same errors, in memory and
 * streamed in pieces of any size (records cut by the buffer's end). */
static void compare_doc_raw(const char *in, size_t len, size_t step) {
  slow_src s1 = {in, len, 0, step}, s2 = {in, len, 0, step};
  og_error e1 = OG_ERROR_INIT, e2 = OG_ERROR_INIT;
  og_jsonl *r1 = NULL, *r2 = NULL;
  if (step) {
    OG_ASSERT_OK(og_jsonl_open(&r1, slow_read, &s1, &e1), &e1);
    OG_ASSERT_OK(og_jsonl_open(&r2, slow_read, &s2, &e2), &e2);
  } else {
    OG_ASSERT_OK(og_jsonl_open_mem(&r1, in, len, &e1), &e1);
    OG_ASSERT_OK(og_jsonl_open_mem(&r2, in, len, &e2), &e2);
  }
  og_jdoc d1 = OG_JDOC_INIT, d2 = OG_JDOC_INIT;
  og_arena a;
  og_arena_init(&a, 4096);
  for (;;) {
    bool got;
    og_status rc1 = og_jsonl_next_doc(r1, &d1, &a, &got, &e1);
    const char *p;
    size_t n;
    bool ok = true;
    og_status rc2 = og_jsonl_next_raw(r2, &p, &n, &e2);
    if (!rc2 && p) {
      assert_int_equal(og_jdoc_parse(&d2, p, n, &a, &ok), OG_OK);
      if (!ok) rc2 = og_jsonl_raw_error(r2, p, n, &e2);
    }
    assert_int_equal(rc1, rc2);
    if (rc1) {
      assert_string_equal(e1.message, e2.message);
      assert_int_equal(e1.line, e2.line);
      assert_int_equal(e1.column, e2.column);
      break;
    }
    assert_int_equal(got, p != NULL);
    if (!got) break;
    assert_int_equal(og_jsonl_record_no(r1), og_jsonl_record_no(r2));
    assert_int_equal(og_jsonl_record_line(r1), og_jsonl_record_line(r2));
    assert_int_equal(og_jdoc_root(&d1)->k, og_jdoc_root(&d2)->k);
    assert_int_equal(og_jdoc_root(&d1)->rawlen, og_jdoc_root(&d2)->rawlen);
    assert_memory_equal(og_jdoc_root(&d1)->raw, og_jdoc_root(&d2)->raw, og_jdoc_root(&d1)->rawlen);
    assert_int_equal(d1.nodes.count, d2.nodes.count);
  }
  og_jdoc_dispose(&d1);
  og_jdoc_dispose(&d2);
  og_arena_dispose(&a);
  og_jsonl_free(r1);
  og_jsonl_free(r2);
}

static void test_next_doc(void **state) {
  (void)state;
  const char *cases[] = {
      "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\"}}\n\n{\"type\":\"Person\",\n  \"data\": "
      "{\"name\": \"B}ob\\\"\"}\n}\n{\"edge\":\"K\",\"from\":\"A\",\"to\":\"B\"} {\"type\":\"X\"}\n",
      "{\"a\":1}\n// comment\n", "{\"a\":1}\n{\"b\":}\n", "{\"a\":1}\n{\"b\":2\n", " \n\n",
      "{\"a\":1}{\"b\":[1,{\"c\":\"\\u00e9\"}]}\n[1,2]\n\"s\"\n{\"a\":1 x}\n{\"z\":1}",
      "{\"a\":1}\n{\"b\":1}}\n", "{\"a\":tru}\n", "{\"a\":\"x\ty\"}\n"};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    for (size_t step = 0; step <= 9; step += 3) compare_doc_raw(cases[i], strlen(cases[i]), step);
  og_buf in = OG_BUF_INIT;
  for (int i = 0; i < 3000; i++)
    og_buf_printf(&in, "{\"type\":\"P\",\n\"data\":{\"name\":\"n%d\",\"v\":[%d,%d]}}%s", i, i, i + 1,
                  i % 3 ? "\n" : " ");
  og_buf_puts(&in, "{\"type\":\"P\" \"data\":1}\n{}\n");
  for (size_t step = 1; step <= 300000; step = step * 5 + 3) compare_doc_raw(in.ptr, in.len, step);
  compare_doc_raw(in.ptr, in.len, 0);
  og_buf_dispose(&in);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_framing),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_streaming_chunks),
      cmocka_unit_test(test_next_doc),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
