/*
 * The crash suite (DESIGN.md §4): every CLI writer is run once with failpoint
 * tracing to learn which failpoints it passes, then once per (failpoint, hit)
 * with `crash` armed there (the process _exits at that instant). After each
 * crash the graph must reopen to exactly the before-state or the after-state,
 * `verify` must pass, a second look must change nothing, and a follow-up
 * write must succeed. The same is done with `error` armed: the command fails
 * cleanly and the graph is again before or after. CTest runs the writers in
 * shards; a separate run checks that every catalogued failpoint is reached.
 */
#include "og_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *tmp;
static og_buf reached = OG_BUF_INIT; /* "|name|" for every failpoint some writer hit */

static int sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh(char **out, const char *fmt, ...) {
  char cmd[16384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  return og_test_run(cmd, out);
}

static const char *OG(void) { return og_test_bin_path("omnigraph"); }

static char *help_text; /* `omnigraph --help`, read once */

static bool cli_has(const char *command) {
  if (!help_text) sh(&help_text, "'%s' --help", OG());
  char needle[64];
  snprintf(needle, sizeof needle, "\n  %s ", command);
  return help_text && strstr(help_text, needle) != NULL;
}

/* Logical state of the graph in dir: branches, and per branch the manifest
 * version and every table's version and row count (object names, which are
 * ULIDs, are left out), plus the export when the CLI has one. */
static char *state(const char *dir) {
  og_buf s = OG_BUF_INIT;
  char *out = NULL;
  if (sh(&out, "cd '%s' && '%s' branch list ./g", dir, OG()) != 0) {
    og_free(out);
    og_buf_puts(&s, "NOGRAPH");
    return og_buf_detach(&s, NULL);
  }
  og_buf_printf(&s, "branches:\n%s", out);
  char *save = NULL;
  for (char *b = strtok_r(out, "\n", &save); b; b = strtok_r(NULL, "\n", &save)) {
    char *snap = NULL;
    sh(&snap, "cd '%s' && '%s' snapshot --branch '%s' ./g", dir, OG(), b);
    og_buf_printf(&s, "[%s]\n%s", b, snap);
    og_free(snap);
    if (cli_has("export")) {
      char *exp = NULL;
      /* generated ids (ULIDs) differ from run to run: compare without them */
      sh(&exp, "cd '%s' && '%s' export --branch '%s' ./g | sed -E 's/\"id\":\"[0-9A-Z]{26}\",?//' | LC_ALL=C sort",
         dir, OG(), b);
      og_buf_printf(&s, "export:\n%s", exp);
      og_free(exp);
    }
  }
  og_free(out);
  return og_buf_detach(&s, NULL);
}

typedef struct writer {
  const char *name;
  const char *needs;  /* CLI command that must exist, or NULL */
  const char *setup;  /* shell run in the graph's parent dir before the op */
  const char *op;     /* omnigraph arguments */
  const char *env;    /* environment assignments for the op, or NULL */
} writer;

#define INIT "'%1$s' init --schema s.pg ./g >/dev/null"

static const writer writers[] = {
    {"init", NULL, "true", "init --schema s.pg ./g", NULL},
    {"branch_create", NULL, INIT, "branch create --from main b1 ./g", NULL},
    {"branch_delete", NULL, INIT " && '%1$s' branch create b1 ./g >/dev/null", "branch delete b1 ./g", NULL},
    {"load", "load", INIT, "load --data d.jsonl ./g", NULL},
    {"load_merge", "load", INIT " && '%1$s' load --data d.jsonl ./g >/dev/null", "load --mode merge --data d2.jsonl ./g", NULL},
    {"mutate_insert", "mutate", INIT " && '%1$s' load --data d.jsonl ./g >/dev/null",
     "mutate -e 'query q() { insert Person { name: \"Zed\", age: 9 } }' ./g", NULL},
    /* a small write's objects embedded in its manifest (above) or, past the
     * embedding limit, written out under fresh names after a late intent */
    {"mutate_insert_flushed", "mutate", INIT " && '%1$s' load --data d.jsonl ./g >/dev/null",
     "mutate -e 'query q() { insert Person { name: \"Zed\", age: 9 } }' ./g", "OMNIGRAPH_EMBED_MAX=0"},
    {"mutate_delete", "mutate", INIT " && '%1$s' load --data d.jsonl ./g >/dev/null",
     "mutate -e 'query q() { delete Person where name = \"Bob\" }' ./g", NULL},
    {"branch_merge_ff", "load", INIT " && '%1$s' load --data d.jsonl ./g >/dev/null && '%1$s' branch create b1 ./g >/dev/null"
     " && '%1$s' load --mode merge --branch b1 --data d2.jsonl ./g >/dev/null", "branch merge b1 ./g", NULL},
    {"branch_merge", "mutate", INIT " && '%1$s' load --data d.jsonl ./g >/dev/null && '%1$s' branch create b1 ./g >/dev/null"
     " && '%1$s' load --mode merge --branch b1 --data d2.jsonl ./g >/dev/null"
     " && '%1$s' mutate -e 'query q() { insert Person { name: \"Mx\", age: 5 } }' ./g >/dev/null",
     "branch merge b1 --into main ./g", NULL},
    {"optimize", "optimize", INIT " && '%1$s' load --data d.jsonl ./g >/dev/null"
     " && '%1$s' load --mode merge --data d2.jsonl ./g >/dev/null", "optimize ./g", NULL},
    {"schema_apply", "schema apply", INIT " && '%1$s' load --data d.jsonl ./g >/dev/null",
     "schema apply --schema s2.pg ./g", NULL},
    {"schema_apply_hard", "schema apply", INIT " && '%1$s' load --data d.jsonl ./g >/dev/null",
     "schema apply --schema s3.pg --allow-data-loss ./g", NULL},
    /* recovery itself: a load crashed before its commit left an intent and
     * orphans; `recovery run` is crashed at each of its failpoints */
    {"recovery", "recovery run", INIT " && '%1$s' load --data d.jsonl ./g >/dev/null"
     " && (OMNIGRAPH_EMBED_MAX=0 OMNIGRAPH_FAILPOINTS=graph.commit.before_put=crash '%1$s' load --mode merge --data d2.jsonl ./g"
     " >/dev/null 2>&1; true)", "recovery run ./g", NULL},
    {"cleanup", "cleanup", INIT " && '%1$s' load --data d.jsonl ./g >/dev/null"
     " && '%1$s' load --mode merge --data d2.jsonl ./g >/dev/null && '%1$s' branch create b2 ./g >/dev/null"
     " && '%1$s' load --mode merge --branch b2 --data d2.jsonl ./g >/dev/null && '%1$s' branch delete b2 ./g >/dev/null",
     "cleanup --keep 1 --confirm ./g", NULL},
};

static void write_inputs(const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/s.pg", dir);
  FILE *f = fopen(path, "w");
  fputs("node Person { name: String @key  age: I32? }\nnode Company { name: String @key }\n"
        "edge WorksAt: Person -> Company\n", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/s2.pg", dir);
  f = fopen(path, "w");
  fputs("node Person { name: String @key  age: I32?  nickname: String? }\nnode Company { name: String @key }\n"
        "edge WorksAt: Person -> Company\n", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/s3.pg", dir);
  f = fopen(path, "w");
  fputs("node Person { name: String @key }\nnode Company { name: String @key }\n", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/d.jsonl", dir);
  f = fopen(path, "w");
  fputs("{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\n"
        "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\",\"age\":25}}\n"
        "{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}\n"
        "{\"edge\":\"WorksAt\",\"from\":\"Alice\",\"to\":\"Acme\"}\n"
        "{\"edge\":\"WorksAt\",\"from\":\"Bob\",\"to\":\"Acme\"}\n", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/d2.jsonl", dir);
  f = fopen(path, "w");
  fputs("{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":31}}\n"
        "{\"type\":\"Person\",\"data\":{\"name\":\"Cy\",\"age\":40}}\n", f);
  fclose(f);
}

/* A fresh copy of the prepared template in <tmp>/<tag>. */
static void clone_template(const char *tmpl, const char *dst) {
  char *out = NULL;
  int rc = sh(&out, "rm -rf '%s' && cp -a '%s' '%s'", dst, tmpl, dst);
  if (rc) fail_msg("cp: %s", out);
  og_free(out);
}

/* After a read-write open recovered: no write intent and no object that no
 * manifest references is left (docs/durability.md). */
static void check_no_leftovers(const char *w, const char *fp, const char *dir) {
  char *out = NULL;
  int rc = sh(&out, "cd '%s' && '%s' verify --json ./g", dir, OG());
  if (rc != 0 || !strstr(out, "\"orphans\": 0") || !strstr(out, "\"intents\": 0"))
    fail_msg("%s crashed at %s: leftovers after recovery:\n%s", w, fp, out);
  og_free(out);
}

static void check_recovered(const char *w, const char *fp, const char *dir, const char *before,
                            const char *after) {
  char *s1 = state(dir);
  if (strcmp(s1, before) != 0 && strcmp(s1, after) != 0)
    fail_msg("%s crashed at %s: state is neither before nor after:\n--- got\n%s\n--- before\n%s\n--- after\n%s",
             w, fp, s1, before, after);
  char *out = NULL;
  if (strcmp(s1, "NOGRAPH") != 0) {
    int rc = sh(&out, "cd '%s' && '%s' verify ./g", dir, OG());
    if (rc != 0) fail_msg("%s crashed at %s: verify failed:\n%s", w, fp, out);
    og_free(out);
    char *s2 = state(dir);
    if (strcmp(s1, s2) != 0) fail_msg("%s crashed at %s: a second look changed the state", w, fp);
    og_free(s2);
    rc = sh(&out, "cd '%s' && '%s' branch create followup ./g", dir, OG());
    if (rc != 0) fail_msg("%s crashed at %s: follow-up write failed:\n%s", w, fp, out);
  } else {
    int rc = sh(&out, "cd '%s' && '%s' init --schema s.pg ./g", dir, OG());
    if (rc != 0) fail_msg("%s crashed at %s: init after the crash failed:\n%s", w, fp, out);
  }
  /* the follow-up (or the new init) opened read-write: recovery ran */
  check_no_leftovers(w, fp, dir);
  og_free(out);
  og_free(s1);
}

/* Runs w once with tracing to learn its failpoints (recorded in `reached`),
 * then, unless trace_only, once per (failpoint, hit) with crash and error. */
static void run_writer(const writer *w, bool trace_only) {
  char tmpl[4096], work[4096], trace[4096];
  snprintf(tmpl, sizeof tmpl, "%s/%s-template", tmp, w->name);
  snprintf(work, sizeof work, "%s/%s-work", tmp, w->name);
  snprintf(trace, sizeof trace, "%s/%s.trace", tmp, w->name);
  char *out = NULL;
  sh(&out, "mkdir -p '%s'", tmpl);
  og_free(out);
  write_inputs(tmpl);
  char setup[4096];
  snprintf(setup, sizeof setup, w->setup, OG());
  if (sh(&out, "cd '%s' && %s", tmpl, setup) != 0) fail_msg("%s setup failed: %s", w->name, out);
  og_free(out);
  char *before = state(tmpl);

  clone_template(tmpl, work);
  const char *env = w->env ? w->env : "";
  if (sh(&out, "cd '%s' && %s OMNIGRAPH_FAILPOINTS_TRACE='%s' '%s' %s", work, env, trace, OG(), w->op) != 0)
    fail_msg("%s failed without a failpoint: %s", w->name, out);
  og_free(out);
  char *after = state(work);
  /* cleanup and recovery change no logical state: only unreachable objects go */
  if (strcmp(w->name, "cleanup") != 0 && strcmp(w->name, "recovery") != 0)
    assert_string_not_equal(before, after);

  size_t tlen = 0;
  char *tr = og_test_read_file(trace, &tlen);
  assert_non_null(tr);
  int points = 0;
  char *save = NULL;
  for (char *line = strtok_r(tr, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char name[200];
    unsigned long long hit = 0;
    if (sscanf(line, "%199s %llu", name, &hit) != 2) continue;
    char tag[256];
    snprintf(tag, sizeof tag, "|%s|", name);
    if (!reached.ptr || !strstr(reached.ptr, tag)) og_buf_puts(&reached, tag);
    for (int mode = 0; mode < 2 && !trace_only; mode++) {
      const char *action = mode == 0 ? "crash" : "error";
      clone_template(tmpl, work);
      int rc = sh(&out, "cd '%s' && %s OMNIGRAPH_FAILPOINTS='%s=%s@%llu' '%s' %s", work, env, name, action,
                  hit, OG(), w->op);
      /* An injected error after the commit point may be reported as success
       * (the write is durable); before it, the command must fail cleanly. */
      bool ok = mode == 0 ? rc == OG_FP_CRASH_EXIT : (rc == 1 || rc == 0);
      if (!ok) fail_msg("%s with %s=%s@%llu: exit %d: %s", w->name, name, action, hit, rc, out);
      og_free(out);
      char fp[300];
      snprintf(fp, sizeof fp, "%s=%s@%llu", name, action, hit);
      check_recovered(w->name, fp, work, before, after);
      points++;
    }
  }
  if (trace_only) points = 1;
  else print_message("  %s: %d crash/error runs\n", w->name, points);
  assert_true(points > 0);
  og_free(tr);
  og_free(before);
  og_free(after);
}

/* The suite is sharded (argv: <shard> <of>) so CTest runs the shards side by
 * side, each under its own timeout; `--coverage` only traces every writer. */
static int shard, shards = 1;
static bool coverage_only;

static void test_crash_writers(void **state_) {
  (void)state_;
  for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++) {
    if ((int)(i % (size_t)shards) != shard) continue;
    if (writers[i].needs && !cli_has(writers[i].needs))
      fail_msg("%s: the CLI has no `omnigraph %s`", writers[i].name, writers[i].needs);
    run_writer(&writers[i], false);
  }
}

/* Every catalogued failpoint is passed by some writer (DESIGN.md §4): a
 * point no test reaches is a point nobody knows the outcome of. Only the
 * util self-test point is exempt. */
static void test_every_failpoint_reached(void **state_) {
  (void)state_;
  for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++) run_writer(&writers[i], true);
  for (int i = 0; i < OG_FP__COUNT; i++) {
    const char *name = og_fp_name((og_fp_id)i);
    if (!strcmp(name, "util.selftest")) continue;
    char tag[128];
    snprintf(tag, sizeof tag, "|%s|", name);
    if (!reached.ptr || !strstr(reached.ptr, tag)) fail_msg("failpoint %s reached by no writer", name);
  }
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "--coverage")) coverage_only = true;
  else if (argc == 3) {
    shard = atoi(argv[1]);
    shards = atoi(argv[2]);
    if (shards < 1 || shard < 0 || shard >= shards) {
      fprintf(stderr, "usage: %s [<shard> <of> | --coverage]\n", argv[0]);
      return 2;
    }
  }
  /* one host: no clock skew to wait out before recovery deletes orphans */
  setenv("OMNIGRAPH_RECOVERY_SKEW_MS", "0", 1);
  tmp = og_test_tmpdir("crash");
  const struct CMUnitTest writers_test[] = {cmocka_unit_test(test_crash_writers)};
  const struct CMUnitTest coverage_test[] = {cmocka_unit_test(test_every_failpoint_reached)};
  int rc = coverage_only ? cmocka_run_group_tests(coverage_test, NULL, NULL)
                         : cmocka_run_group_tests(writers_test, NULL, NULL);
  og_free(help_text);
  og_test_rmtree(tmp);
  og_free(tmp);
  og_buf_dispose(&reached);
  return rc;
}
