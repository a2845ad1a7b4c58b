/* Fixture of the mutation tests: a graph in a memory store, mutations from
 * .gq text, row dumps and manifest snapshots. */
#ifndef TEST_MUTATE_FIX_H
#define TEST_MUTATE_FIX_H

#include "og_graph_fix.h"

typedef og_gfix mfix;
#define mfix_init og_gfix_init
#define mfix_free og_gfix_free
#define mfix_head og_gfix_head
#define mfix_manifest_text og_gfix_manifest_text
#define S0 OG_GFIX_SCHEMA

typedef struct mopts {
  const char *name;
  const char *params;
  const char *actor;
  const char *branch;
  uint64_t now_ms;
  void (*hook)(void *);
  void *hook_ctx;
} mopts;

static og_status mfix_run(mfix *f, const char *src, const mopts *o, og_mutate_result *res,
                          og_error *err) {
  og_mutate_req req = {.graph = f->g, .source = src, .source_len = strlen(src),
                       .query_name = o->name, .params_json = o->params,
                       .params_len = o->params ? strlen(o->params) : 0, .actor = o->actor,
                       .branch = o->branch, .now_ms = o->now_ms, .before_commit = o->hook,
                       .hook_ctx = o->hook_ctx};
  og_mutate_result tmp;
  og_status rc = og_exec_mutate(&req, res ? res : &tmp, err);
  if (!res && !rc) og_mutate_result_dispose(&tmp);
  return rc;
}

/* Run and expect success with the given counts. */
#define MUT_OK(f, src, nm, prm, nodes, edges)                                      \
  do {                                                                           \
    og_error e_ = OG_ERROR_INIT;                                                 \
    og_mutate_result r_;                                                         \
    mopts o_ = {.name = (nm), .params = (prm)};                                  \
    OG_ASSERT_OK(mfix_run((f), (src), &o_, &r_, &e_), &e_);                      \
    assert_int_equal(r_.affected_nodes, (nodes));                                \
    assert_int_equal(r_.affected_edges, (edges));                                \
    og_mutate_result_dispose(&r_);                                               \
  } while (0)

/* Run and expect failure (code, message substring) leaving the head unchanged. */
#define MUT_FAILS(f, src, nm, prm, code, sub)                                            \
  OG_GFIX_FAILS((f), "mutate", mfix_run((f), (src), &(mopts){.name = (nm), .params = (prm)}, NULL, &e_), \
                (code), (sub))

/* Live rows of a table, "a|b\n" per row, sorted (scan order is not part of
 * the mutation contract). */
static char *mfix_dump(mfix *f, const char *key, const char *cols) {
  return og_gfix_dump(f, key, cols, true);
}

#define DUMP_EQ(f, key, cols, want)                                              \
  do {                                                                           \
    char *d_ = mfix_dump((f), (key), (cols));                                    \
    assert_string_equal(d_, (want));                                             \
    og_free(d_);                                                                 \
  } while (0)

static const char *const MQ =
    "query insert_person($name: String, $age: I32) { insert Person { name: $name, age: $age } }\n"
    "query add_friend($from: String, $to: String) { insert Knows { from: $from, to: $to } }\n"
    "query set_age($name: String, $age: I32) { update Person set { age: $age } where name = $name }\n"
    "query remove_person($name: String) { delete Person where name = $name }\n"
    "query remove_friendship($from: String) { delete Knows where from = $from }\n"
    "query insert_person_and_friend($name: String, $age: I32, $friend: String) {\n"
    "  insert Person { name: $name, age: $age }\n"
    "  insert Knows { from: $name, to: $friend }\n"
    "}\n";

static const char *const SEED =
    "query seed() {\n"
    "  insert Person { name: \"Alice\", age: 30 }\n"
    "  insert Person { name: \"Bob\", age: 25 }\n"
    "  insert Person { name: \"Charlie\", age: 35 }\n"
    "  insert Person { name: \"Diana\", age: 28 }\n"
    "  insert Company { name: \"Acme\" }\n"
    "  insert Company { name: \"Globex\" }\n"
    "  insert Knows { from: \"Alice\", to: \"Bob\" }\n"
    "  insert Knows { from: \"Alice\", to: \"Charlie\" }\n"
    "  insert Knows { from: \"Bob\", to: \"Diana\" }\n"
    "  insert WorksAt { from: \"Alice\", to: \"Acme\" }\n"
    "  insert WorksAt { from: \"Bob\", to: \"Globex\" }\n"
    "}\n";

/* init(S0) + D0 */
static void mfix_loaded(mfix *f) {
  mfix_init(f, S0);
  MUT_OK(f, SEED, NULL, NULL, 6, 5);
}

#endif
