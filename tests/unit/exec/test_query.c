/* Read execution: the acceptance cases of languages-cases.md §E and
 * data-cases.md §J/O, run against graphs built through the graph API. */
#include "query_fixture.h"

static const char *Q_TEST =
    "query get_person($name: String) { match { $p: Person { name: $name } } return { $p.name, $p.age } }\n"
    "query adults() { match { $p: Person  $p.age > 30 } return { $p.name, $p.age } order { $p.age desc } }\n"
    "query friends_of($name: String) { match { $p: Person { name: $name }  $p knows $f } return { $f.name, $f.age } }\n"
    "query employees_of($company: String) { match { $c: Company { name: $company }  $p worksAt $c } return { $p.name } }\n"
    "query friends_of_friends($name: String) { match { $p: Person { name: $name }  $p knows $mid  $mid knows $fof } return { $fof.name } }\n"
    "query unemployed() { match { $p: Person  not { $p worksAt $_ } } return { $p.name } }\n"
    "query friend_counts() { match { $p: Person  $p knows $f } return { $p.name  count($f) as friends } order { friends desc } limit 20 }\n"
    "query top_by_age() { match { $p: Person } return { $p.name, $p.age } order { $p.age desc } limit 2 }\n"
    "query total_people() { match { $p: Person } return { count($p) as total } }\n"
    "query age_stats() { match { $p: Person  $p worksAt $c }\n"
    "  return { $c.name  sum($p.age) as total_age  avg($p.age) as avg_age  min($p.age) as youngest  max($p.age) as oldest  count($p) as headcount } }\n"
    "query top_connected() { match { $p: Person  $p knows $f } return { $p.name, count($f) as friends } order { friends desc } limit 1 }\n";

static og_status run_named(xq *x, const char *name, const char *params, bool sorted, char **rows,
                           og_error *err) {
  return xq_run_at(x, "main", 0, Q_TEST, name, params, sorted, rows, err);
}

#define NAMED(x, name, params, sorted, want)                                    \
  do {                                                                          \
    og_error e_ = OG_ERROR_INIT;                                                \
    char *r_ = NULL;                                                            \
    OG_ASSERT_OK(run_named((x), (name), (params), (sorted), &r_, &e_), &e_);    \
    if (strcmp(r_, (want))) fail_msg("%s: got %s want %s", (name), r_, (want)); \
    og_free(r_);                                                                \
  } while (0)

static void test_fixture_queries(void **state) {
  (void)state;
  xq x;
  xq_init(&x, XQ_TEST_SCHEMA);
  xq_load(&x, XQ_TEST_DATA);
  /* R01 R02 */
  NAMED(&x, "get_person", "{\"name\":\"Alice\"}", false, "[{\"p.name\":\"Alice\",\"p.age\":30}]");
  NAMED(&x, "get_person", "{\"name\":\"Nobody\"}", false, "[]");
  /* adults, R04 */
  NAMED(&x, "adults", NULL, false, "[{\"p.name\":\"Charlie\",\"p.age\":35}]");
  NAMED(&x, "top_by_age", NULL, false, "[{\"p.name\":\"Charlie\",\"p.age\":35},{\"p.name\":\"Alice\",\"p.age\":30}]");
  /* R05: reference order Bob, Charlie */
  NAMED(&x, "friends_of", "{\"name\":\"Alice\"}", false,
        "[{\"f.name\":\"Bob\",\"f.age\":25},{\"f.name\":\"Charlie\",\"f.age\":35}]");
  /* T01 reverse expand */
  NAMED(&x, "employees_of", "{\"company\":\"Acme\"}", false, "[{\"p.name\":\"Alice\"}]");
  /* R07 */
  NAMED(&x, "friends_of_friends", "{\"name\":\"Alice\"}", false, "[{\"fof.name\":\"Diana\"}]");
  /* R08 */
  NAMED(&x, "unemployed", NULL, true, "[{\"p.name\":\"Charlie\"},{\"p.name\":\"Diana\"}]");
  /* R10 R13 */
  NAMED(&x, "friend_counts", NULL, false, "[{\"p.name\":\"Alice\",\"friends\":2},{\"p.name\":\"Bob\",\"friends\":1}]");
  NAMED(&x, "top_connected", NULL, false, "[{\"p.name\":\"Alice\",\"friends\":2}]");
  /* R11 */
  NAMED(&x, "total_people", NULL, false, "[{\"total\":4}]");
  NAMED(&x, "age_stats", NULL, true,
        "[{\"c.name\":\"Acme\",\"total_age\":30.0,\"avg_age\":30.0,\"youngest\":30,\"oldest\":30,\"headcount\":1},"
        "{\"c.name\":\"Globex\",\"total_age\":25.0,\"avg_age\":25.0,\"youngest\":25,\"oldest\":25,\"headcount\":1}]");
  /* R14 */
  XQ_EXPECT(&x, "query fc() { match { $p: Person  $p knows $f } return { $p.name, count($f) as friends } order { friends desc } }",
            NULL, false, "[{\"p.name\":\"Alice\",\"friends\":2},{\"p.name\":\"Bob\",\"friends\":1}]");
  /* R17 */
  XQ_EXPECT(&x, "query q() { match { $p: Person } return { min($p.name) as first_name  max($p.name) as last_name } }",
            NULL, false, "[{\"first_name\":\"Alice\",\"last_name\":\"Diana\"}]");
  /* R19 R20: predicated negation, slow path */
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $p worksAt $c  $c.name = \"Acme\" } } return { $p.name } }",
            NULL, true, "[{\"p.name\":\"Bob\"},{\"p.name\":\"Charlie\"},{\"p.name\":\"Diana\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $p worksAt $c  $c: Company { name: \"Acme\" } } } return { $p.name } }",
            NULL, true, "[{\"p.name\":\"Bob\"},{\"p.name\":\"Charlie\"},{\"p.name\":\"Diana\"}]");
  /* R25 */
  XQ_EXPECT(&x, "query q() { match { $p: Person } return { $p.name, $p.age } order { $p.age asc } }", NULL, false,
            "[{\"p.name\":\"Bob\",\"p.age\":25},{\"p.name\":\"Diana\",\"p.age\":28},"
            "{\"p.name\":\"Alice\",\"p.age\":30},{\"p.name\":\"Charlie\",\"p.age\":35}]");
  /* R26 */
  XQ_EXPECT(&x, "query young($age: I32) { match { $p: Person  $p.age < $age } return { $p.name, $p.age } order { $p.age asc } }",
            "{\"age\":28}", false, "[{\"p.name\":\"Bob\",\"p.age\":25}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  $p.age >= 30 } return { $p.name } order { $p.age asc } }", NULL, false,
            "[{\"p.name\":\"Alice\"},{\"p.name\":\"Charlie\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  $p.age <= 28 } return { $p.name } order { $p.age asc } }", NULL, false,
            "[{\"p.name\":\"Bob\"},{\"p.name\":\"Diana\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  $p.name != \"Alice\" } return { $p.name } }", NULL, true,
            "[{\"p.name\":\"Bob\"},{\"p.name\":\"Charlie\"},{\"p.name\":\"Diana\"}]");
  /* R28 / T07 destination binding pushdown */
  XQ_EXPECT(&x, "query q() { match { $p: Person  $p worksAt $c  $c: Company { name: \"Acme\" } } return { $p.name } }",
            NULL, false, "[{\"p.name\":\"Alice\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  $p worksAt $c  $c: Company { name: \"Acme\" } } return { $p.name, $c.name } }",
            NULL, false, "[{\"p.name\":\"Alice\",\"c.name\":\"Acme\"}]");
  XQ_EXPECT(&x, "query q($company: String) { match { $p: Person  $p worksAt $c  $c: Company { name: $company } } return { $p.name, $c.name } }",
            "{\"company\":\"Globex\"}", false, "[{\"p.name\":\"Bob\",\"c.name\":\"Globex\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  $p worksAt $c  $c: Company { name: \"NonExistent\" } } return { $p.name } }",
            NULL, false, "[]");
  /* R29 */
  XQ_EXPECT(&x, "query q() { match { $p: Person  $p worksAt $c  $c: Company } return { $p.name, $c.name } }", NULL, true,
            "[{\"p.name\":\"Alice\",\"c.name\":\"Acme\"},{\"p.name\":\"Bob\",\"c.name\":\"Globex\"}]");
  XQ_EXPECT(&x, "query q($name: String) { match { $p: Person { name: $name }  $p knows $mid  $mid knows $fof } return { $p.name, $mid.name, $fof.name } }",
            "{\"name\":\"Alice\"}", false, "[{\"p.name\":\"Alice\",\"mid.name\":\"Bob\",\"fof.name\":\"Diana\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person {name:\"Alice\"}  $p knows $mid  $mid: Person {name:\"Bob\"}  $mid knows $fof } return { $fof.name } }",
            NULL, false, "[{\"fof.name\":\"Diana\"}]");
  /* R31 fan-out */
  XQ_EXPECT(&x, "query q($name: String) { match { $p: Person { name: $name }  $p knows $f  $p worksAt $c } return { $f.name, $c.name } }",
            "{\"name\":\"Alice\"}", true,
            "[{\"f.name\":\"Bob\",\"c.name\":\"Acme\"},{\"f.name\":\"Charlie\",\"c.name\":\"Acme\"}]");
  /* R32 quote injection */
  XQ_EXPECT(&x, "query filter_date($d: String) { match { $p: Person { name: $d } } return { $p.name } }",
            "{\"d\":\"2025-01-01' OR '1'='1\"}", false, "[]");
  /* T12 cross join, left-major */
  XQ_EXPECT(&x, "query q() { match { $p: Person  $c: Company } return { $p.name, $c.name } }", NULL, false,
            "[{\"p.name\":\"Alice\",\"c.name\":\"Acme\"},{\"p.name\":\"Alice\",\"c.name\":\"Globex\"},"
            "{\"p.name\":\"Bob\",\"c.name\":\"Acme\"},{\"p.name\":\"Bob\",\"c.name\":\"Globex\"},"
            "{\"p.name\":\"Charlie\",\"c.name\":\"Acme\"},{\"p.name\":\"Charlie\",\"c.name\":\"Globex\"},"
            "{\"p.name\":\"Diana\",\"c.name\":\"Acme\"},{\"p.name\":\"Diana\",\"c.name\":\"Globex\"}]");
  /* R50 traversal-only match: implicit scan (recommended fix) */
  XQ_EXPECT(&x, "query q() { match { $a knows $b } return { $b.name } }", NULL, true,
            "[{\"b.name\":\"Bob\"},{\"b.name\":\"Charlie\"},{\"b.name\":\"Diana\"}]");
  /* node variable projects its id; param and literal columns */
  XQ_EXPECT(&x, "query q($n: String) { match { $p: Person { name: $n } } return { $p, $n, 42, 1.5, \"s\" as lit } }",
            "{\"n\":\"Bob\"}", false, "[{\"p\":\"Bob\",\"n\":\"Bob\",\"literal\":42,\"literal\":1.5,\"lit\":\"s\"}]");
  /* R49 now() in a read (injected clock) */
  XQ_EXPECT(&x, "query q() { match { $p: Person { name: \"Bob\" } } return { now() as ts } }", NULL, false,
            "[{\"ts\":\"2026-01-01T00:00:00.000Z\"}]");
  /* explicit filters on the root are evaluated by its scan: same answers */
  XQ_EXPECT(&x, "query q() { match { $p: Person { name: \"Alice\" }  $p.name = \"Bob\" } return { $p.name } }", NULL, false, "[]");
  XQ_EXPECT(&x, "query q() { match { $p: Person { name: \"Alice\" }  $p.age >= 30 } return { $p.name } }", NULL, false,
            "[{\"p.name\":\"Alice\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  30 < $p.age  $p knows $f } return { $f.name } }", NULL, false, "[]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  $p knows $f  28 <= $p.age  $f.age < 30 } return { $p.name, $f.name } }",
            NULL, false, "[{\"p.name\":\"Alice\",\"f.name\":\"Bob\"}]");
  XQ_EXPECT(&x, "query q($n: String) { match { $p: Person  $p.name = $n } return { $p.age } }", "{\"n\":\"Diana\"}", false,
            "[{\"p.age\":28}]");
  /* two bindings of one variable: both prop-matches apply */
  XQ_EXPECT(&x, "query q() { match { $p: Person { name: \"Alice\" }  $p: Person { age: 30 } } return { $p.name } }", NULL,
            false, "[{\"p.name\":\"Alice\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person { name: \"Alice\" }  $p: Person { age: 31 } } return { $p.name } }", NULL,
            false, "[]");
  /* a binding after the traversal that introduced the variable filters it */
  XQ_EXPECT(&x, "query q() { match { $a: Person { name: \"Alice\" }  $a knows $f  $f: Person { age: 35 } } return { $f.name } }",
            NULL, false, "[{\"f.name\":\"Charlie\"}]");
  /* alias references inside return */
  XQ_EXPECT(&x, "query q() { match { $p: Person { name: \"Bob\" } } return { $p.name as n, n as m, $p.age as a } order { m } }",
            NULL, false, "[{\"n\":\"Bob\",\"m\":\"Bob\",\"a\":25}]");
  /* cycle closing: $p knows $f  $f knows $p */
  XQ_EXPECT(&x, "query q() { match { $p: Person  $p knows $f  $f knows $p } return { $p.name } }", NULL, false, "[]");
  xq_dispose(&x);
}

static void test_null_semantics(void **state) {
  (void)state;
  xq x;
  xq_init(&x, XQ_TEST_SCHEMA);
  xq_load(&x, XQ_TEST_DATA);
  xq_load(&x, "{\"type\":\"Person\",\"data\":{\"name\":\"Eve\"}}\n");
  /* R35 */
  XQ_EXPECT(&x, "query q() { match { $p: Person  $p.age != 30 } return { $p.name } }", NULL, true,
            "[{\"p.name\":\"Bob\"},{\"p.name\":\"Charlie\"},{\"p.name\":\"Diana\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person } return { $p.name } order { $p.age asc } }", NULL, false,
            "[{\"p.name\":\"Eve\"},{\"p.name\":\"Bob\"},{\"p.name\":\"Diana\"},{\"p.name\":\"Alice\"},{\"p.name\":\"Charlie\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person } return { $p.name } order { $p.age desc } }", NULL, false,
            "[{\"p.name\":\"Charlie\"},{\"p.name\":\"Alice\"},{\"p.name\":\"Diana\"},{\"p.name\":\"Bob\"},{\"p.name\":\"Eve\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $p.age > 30 } } return { $p.name } }", NULL, true,
            "[{\"p.name\":\"Alice\"},{\"p.name\":\"Bob\"},{\"p.name\":\"Diana\"},{\"p.name\":\"Eve\"}]");
  /* aggregates skip nulls; count($p) counts rows */
  XQ_EXPECT(&x, "query q() { match { $p: Person } return { count($p) as n, count($p.age) as aged, sum($p.age) as s, avg($p.age) as a } }",
            NULL, false, "[{\"n\":5,\"aged\":4,\"s\":118.0,\"a\":29.5}]");
  /* a nullable param omitted binds to null: the predicate matches nothing */
  XQ_EXPECT(&x, "query q($a: I32?) { match { $p: Person  $p.age = $a } return { $p.name } }", NULL, false, "[]");
  XQ_EXPECT(&x, "query q($a: I32?) { match { $p: Person { age: $a } } return { $p.name } }", NULL, false, "[]");
  /* projected null */
  XQ_EXPECT(&x, "query q() { match { $p: Person { name: \"Eve\" } } return { $p.name, $p.age } }", NULL, false,
            "[{\"p.name\":\"Eve\",\"p.age\":null}]");
  xq_dispose(&x);
}

static void test_order_limit(void **state) {
  (void)state;
  xq x;
  xq_init(&x, XQ_TEST_SCHEMA);
  xq_load(&x, XQ_TEST_DATA);
  /* O02 */
  XQ_EXPECT(&x, "query q() { match { $p: Person } return { $p.name, $p.age } order { $p.age desc } limit 2 }", NULL,
            false, "[{\"p.name\":\"Charlie\",\"p.age\":35},{\"p.name\":\"Alice\",\"p.age\":30}]");
  /* limit 0; order by an unreturned property; by alias; two keys */
  XQ_EXPECT(&x, "query q() { match { $p: Person } return { $p.name } order { $p.age desc } limit 0 }", NULL, false, "[]");
  XQ_EXPECT(&x, "query q() { match { $p: Person { name: \"Nobody\" } } return { $p.name } order { $p.age desc } }", NULL,
            false, "[]");
  XQ_EXPECT(&x, "query q() { match { $p: Person { name: \"Nobody\" } } return { $p.name, count($p) as n } order { n } }",
            NULL, false, "[]");
  XQ_EXPECT(&x, "query q() { match { $p: Person } return { $p.name } order { $p.age desc } limit 3 }", NULL, false,
            "[{\"p.name\":\"Charlie\"},{\"p.name\":\"Alice\"},{\"p.name\":\"Diana\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person } return { $p.name as n } order { n desc } }", NULL, false,
            "[{\"n\":\"Diana\"},{\"n\":\"Charlie\"},{\"n\":\"Bob\"},{\"n\":\"Alice\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  $p worksAt $c } return { $c.name, $p.name } order { $c.name desc, $p.name asc } }",
            NULL, false, "[{\"c.name\":\"Globex\",\"p.name\":\"Bob\"},{\"c.name\":\"Acme\",\"p.name\":\"Alice\"}]");
  /* stable ties: equal keys keep scan order */
  xq_load(&x, "{\"type\":\"Person\",\"data\":{\"name\":\"Zed\",\"age\":30}}\n");
  XQ_EXPECT(&x, "query q() { match { $p: Person  $p.age = 30 } return { $p.name } order { $p.age asc } }", NULL, false,
            "[{\"p.name\":\"Alice\"},{\"p.name\":\"Zed\"}]");
  /* ordering with a small limit keeps the top k (ties in scan order) */
  og_buf many = OG_BUF_INIT;
  for (int i = 0; i < 40; i++) og_buf_printf(&many, "{\"type\":\"Person\",\"data\":{\"name\":\"P%02d\",\"age\":%d}}\n", i, 100 + i % 5);
  xq_load(&x, many.ptr);
  og_buf_dispose(&many);
  XQ_EXPECT(&x, "query q() { match { $p: Person } return { $p.name } order { $p.age desc } limit 3 }", NULL, false,
            "[{\"p.name\":\"P04\"},{\"p.name\":\"P09\"},{\"p.name\":\"P14\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  $p.age >= 100 } return { $p.name } order { $p.age asc, $p.name desc } limit 2 }",
            NULL, false, "[{\"p.name\":\"P35\"},{\"p.name\":\"P30\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person } return { $p.name } order { $p.age desc } limit 0 }", NULL, false, "[]");
  XQ_EXPECT(&x, "query q() { match { $p: Person } return { $p.name, $p.age } order { $p.age asc } limit 1 }", NULL, false,
            "[{\"p.name\":\"Bob\",\"p.age\":25}]");
  /* unknown alias in order: run-time error (T: passes typecheck) */
  XQ_EXPECT_ERR(&x, "query q() { match { $p: Person } return { $p.name } order { nope } }", NULL, OG_EINVAL,
                "alias 'nope' not found for ordering");
  /* aggregate ordering by a written-out aggregate is not supported */
  xq_dispose(&x);
}

static const char *CHAIN = "node Person { name: String @key }\nedge Knows: Person -> Person\n";

static void chain(xq *x, const char *edges) {
  xq_init(x, CHAIN);
  og_buf b = OG_BUF_INIT;
  og_buf_puts(&b, "{\"type\":\"Person\",\"data\":{\"name\":\"A\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"B\"}}\n"
                  "{\"type\":\"Person\",\"data\":{\"name\":\"C\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"D\"}}\n");
  for (const char *p = edges; *p; p += 3)
    og_buf_printf(&b, "{\"edge\":\"Knows\",\"from\":\"%c\",\"to\":\"%c\"}\n", p[0], p[1]);
  xq_load(x, b.ptr);
  og_buf_dispose(&b);
}

#define FROM_A(hops) "query q() { match { $p: Person { name: \"A\" }  $p knows" hops " $f } return { $f.name } }"

static void test_traversal(void **state) {
  (void)state;
  xq x;
  /* F-CHAIN A→B→C→D */
  chain(&x, "AB BC CD ");
  XQ_EXPECT(&x, FROM_A("{1,3}"), NULL, false, "[{\"f.name\":\"B\"},{\"f.name\":\"C\"},{\"f.name\":\"D\"}]");
  XQ_EXPECT(&x, FROM_A("{2,3}"), NULL, false, "[{\"f.name\":\"C\"},{\"f.name\":\"D\"}]");
  XQ_EXPECT(&x, FROM_A("{2,2}"), NULL, false, "[{\"f.name\":\"C\"}]");
  XQ_EXPECT(&x, FROM_A(""), NULL, false, "[{\"f.name\":\"B\"}]");
  /* reverse direction with hops: who reaches D within 3 hops */
  XQ_EXPECT(&x, "query q() { match { $d: Person { name: \"D\" }  $p knows{1,3} $d } return { $p.name } }", NULL, false,
            "[{\"p.name\":\"C\"},{\"p.name\":\"B\"},{\"p.name\":\"A\"}]");
  /* T10: anti-join with {2,2} uses real traversal semantics (C fix) → {C, D} */
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $p knows{2,2} $x } } return { $p.name } }", NULL, true,
            "[{\"p.name\":\"C\"},{\"p.name\":\"D\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $p knows $_ } } return { $p.name } }", NULL, false,
            "[{\"p.name\":\"D\"}]");
  xq_dispose(&x);
  /* T03: shortest-distance semantics; A→B, B→C, A→C, C→D */
  chain(&x, "AB BC AC CD ");
  XQ_EXPECT(&x, FROM_A("{2,2}"), NULL, false, "[{\"f.name\":\"D\"}]");
  XQ_EXPECT(&x, FROM_A("{1,2}"), NULL, false, "[{\"f.name\":\"B\"},{\"f.name\":\"C\"},{\"f.name\":\"D\"}]");
  xq_dispose(&x);
  /* R22: A→B, A→C, B→C */
  chain(&x, "AB AC BC ");
  XQ_EXPECT(&x, FROM_A("{2,2}"), NULL, false, "[]");
  XQ_EXPECT(&x, FROM_A("{1,2}"), NULL, false, "[{\"f.name\":\"B\"},{\"f.name\":\"C\"}]");
  xq_dispose(&x);
  /* R23 / T04: cycles and self loops; parallel edges collapse */
  chain(&x, "AB BA AA AB ");
  XQ_EXPECT(&x, FROM_A("{1,2}"), NULL, false, "[{\"f.name\":\"B\"}]");
  XQ_EXPECT(&x, FROM_A("{1,3}"), NULL, false, "[{\"f.name\":\"B\"}]");
  XQ_EXPECT(&x, FROM_A(""), NULL, false, "[{\"f.name\":\"B\"}]");
  /* the {1,1} anti-join fast path counts self loops (T10 self-loop case) */
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $p knows $_ } } return { $p.name } }", NULL, true,
            "[{\"p.name\":\"C\"},{\"p.name\":\"D\"}]");
  xq_dispose(&x);
  /* dangling: A→X (X is no node), X→C. X is traversable, never returned */
  xq_init(&x, CHAIN);
  xq_load(&x, "{\"type\":\"Person\",\"data\":{\"name\":\"A\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"C\"}}\n"
              "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"X\"}\n{\"edge\":\"Knows\",\"from\":\"X\",\"to\":\"C\"}\n");
  XQ_EXPECT(&x, FROM_A(""), NULL, false, "[]");
  XQ_EXPECT(&x, FROM_A("{1,2}"), NULL, false, "[{\"f.name\":\"C\"}]");
  /* multi-hop negation: A reaches C through the dangling X; C reaches nothing */
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $p knows{1,2} $f } } return { $p.name } }", NULL, false,
            "[{\"p.name\":\"C\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $p knows{2,3} $f } } return { $p.name } }", NULL, false,
            "[{\"p.name\":\"C\"}]");
  /* ...but a dangling edge counts for the {1,1} anti-join fast path (§9.6) */
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $p knows $_ } } return { $p.name } }", NULL, false,
            "[{\"p.name\":\"C\"}]");
  xq_dispose(&x);
}

static void test_cross_type_and_negation(void **state) {
  (void)state;
  xq x;
  xq_init(&x, XQ_TEST_SCHEMA);
  xq_load(&x, XQ_TEST_DATA);
  /* cross-type multi-hop: only hop 1 can match */
  XQ_EXPECT(&x, "query q() { match { $p: Person { name: \"Alice\" }  $p worksAt{1,3} $c } return { $c.name } }", NULL,
            false, "[{\"c.name\":\"Acme\"}]");
  XQ_EXPECT(&x, "query q() { match { $p: Person { name: \"Alice\" }  $p worksAt{2,3} $c } return { $c.name } }", NULL,
            false, "[]");
  /* reverse cross-type */
  XQ_EXPECT(&x, "query q() { match { $c: Company  $p worksAt $c } return { $c.name, $p.name } order { $c.name } }", NULL,
            false, "[{\"c.name\":\"Acme\",\"p.name\":\"Alice\"},{\"c.name\":\"Globex\",\"p.name\":\"Bob\"}]");
  /* negation: people nobody knows; companies without employees */
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $x knows $p } } return { $p.name } }", NULL, false,
            "[{\"p.name\":\"Alice\"}]");
  XQ_EXPECT(&x, "query q() { match { $c: Company  not { $p worksAt $c  $p.age > 26 } } return { $c.name } }", NULL,
            false, "[{\"c.name\":\"Globex\"}]");
  /* cross-type multi-hop negation: hop 2 never matches, so nobody is removed */
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $p worksAt{2,2} $c } } return { count($p) as n } }", NULL, false,
            "[{\"n\":4}]");
  /* two negations */
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $p worksAt $_ }  not { $p.age > 30 } } return { $p.name } }",
            NULL, false, "[{\"p.name\":\"Diana\"}]");
  xq_dispose(&x);
  /* T09: no edges at all */
  xq_init(&x, XQ_TEST_SCHEMA);
  xq_load(&x, "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"Bob\"}}\n"
              "{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}\n");
  XQ_EXPECT(&x, "query q() { match { $p: Person { name: \"Alice\" }  $p knows $f } return { $f.name } }", NULL, false, "[]");
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $p worksAt $_ } } return { $p.name } }", NULL, true,
            "[{\"p.name\":\"Alice\"},{\"p.name\":\"Bob\"}]");
  xq_dispose(&x);
  /* the general anti-join path over more outer rows than one chunk */
  xq_init(&x, XQ_TEST_SCHEMA);
  {
    og_buf b = OG_BUF_INIT;
    for (int i = 0; i < 2500; i++) og_buf_printf(&b, "{\"type\":\"Person\",\"data\":{\"name\":\"n%04d\",\"age\":%d}}\n", i, i % 50);
    for (int i = 0; i + 1 < 2500; i += 2) og_buf_printf(&b, "{\"edge\":\"Knows\",\"from\":\"n%04d\",\"to\":\"n%04d\"}\n", i, i + 1);
    xq_load(&x, b.ptr);
    og_buf_dispose(&b);
  }
  /* even i knows i+1 (age (i+1) % 50); excluded when that age > 25 */
  XQ_EXPECT(&x, "query q() { match { $p: Person  not { $p knows $f  $f.age > 25 } } return { count($p) as n } }", NULL,
            false, "[{\"n\":1900}]");
  xq_dispose(&x);
  /* R16: empty graph */
  xq_init(&x, XQ_TEST_SCHEMA);
  XQ_EXPECT(&x, "query tc() { match { $p: Person } return { count($p) as total } }", NULL, false, "[{\"total\":0}]");
  XQ_EXPECT(&x, "query tc() { match { $p: Person } return { $p.name, count($p) as total } }", NULL, false, "[]");
  XQ_EXPECT(&x, "query tc() { match { $p: Person } return { min($p.age) as m, sum($p.age) as s } }", NULL, false,
            "[{\"m\":null,\"s\":null}]");
  xq_dispose(&x);
}

static void test_literal_filters(void **state) {
  (void)state;
  xq x;
  xq_init(&x, "node Metric { name: String @key  score: F64?  ratio: F32?  count: I32?  active: Bool?  born: Date?  seen: DateTime?  big: U64?  tags: [String]? }\n");
  xq_load(&x,
          "{\"type\":\"Metric\",\"data\":{\"name\":\"m1\",\"score\":2.5,\"ratio\":0.5,\"count\":1,\"active\":true,\"born\":\"2024-06-01\",\"seen\":\"2024-06-01T12:00:00Z\",\"big\":9223372036854775807,\"tags\":[\"red\",\"blue\"]}}\n"
          "{\"type\":\"Metric\",\"data\":{\"name\":\"m2\",\"score\":1.0,\"ratio\":0.25,\"count\":2,\"active\":false,\"born\":\"2023-01-01\",\"seen\":\"2023-01-01T00:00:00Z\",\"big\":5,\"tags\":[\"green\"]}}\n"
          "{\"type\":\"Metric\",\"data\":{\"name\":\"m3\",\"score\":3.0,\"ratio\":0.75,\"count\":3,\"active\":true,\"born\":\"2025-01-01\",\"seen\":\"2025-01-01T00:00:00Z\",\"tags\":[\"red\",\"green\"]}}\n"
          "{\"type\":\"Metric\",\"data\":{\"name\":\"m4\",\"score\":0.5,\"ratio\":0.1,\"count\":4,\"active\":false,\"born\":\"2022-12-31\",\"seen\":\"2022-01-01T00:00:00Z\",\"tags\":[]}}\n");
#define M(where, want) \
  XQ_EXPECT(&x, "query q() { match { $m: Metric " where " } return { $m.name } }", NULL, true, want)
  /* R37 */
  M("$m.score > 1.5", "[{\"m.name\":\"m1\"},{\"m.name\":\"m3\"}]");
  M("$m.ratio <= 0.25", "[{\"m.name\":\"m2\"},{\"m.name\":\"m4\"}]");
  /* F32 columns compare at f32 precision: a stored 0.1f equals 0.1 */
  M("$m.ratio = 0.1", "[{\"m.name\":\"m4\"}]");
  M("{ ratio: 0.1 }", "[{\"m.name\":\"m4\"}]");
  M("$m.ratio > 0.1", "[{\"m.name\":\"m1\"},{\"m.name\":\"m2\"},{\"m.name\":\"m3\"}]");
  XQ_EXPECT(&x, "query q() { match { $m: Metric  $m.name != \"x\"  $m.ratio < 0.1 } return { $m.name } }", NULL, false, "[]");
  /* ...and so do in-memory filters (inside a negation) */
  M("not { $m.ratio > 0.1 }", "[{\"m.name\":\"m4\"}]");
  M("not { $m.ratio != 0.1 }", "[{\"m.name\":\"m4\"}]");
  M("{ score: 3.0 }", "[{\"m.name\":\"m3\"}]");
  M("{ count: 2 }", "[{\"m.name\":\"m2\"}]");
  M("$m.count >= 3", "[{\"m.name\":\"m3\"},{\"m.name\":\"m4\"}]");
  M("$m.active = true", "[{\"m.name\":\"m1\"},{\"m.name\":\"m3\"}]");
  M("$m.active != true", "[{\"m.name\":\"m2\"},{\"m.name\":\"m4\"}]");
  M("$m.born >= date(\"2024-01-01\")", "[{\"m.name\":\"m1\"},{\"m.name\":\"m3\"}]");
  M("$m.seen < datetime(\"2024-01-01T00:00:00Z\")", "[{\"m.name\":\"m2\"},{\"m.name\":\"m4\"}]");
  M("{ born: date(\"2024-06-01\") }", "[{\"m.name\":\"m1\"}]");
  /* numeric comparisons never truncate (quirk fixed): 2 < 2.5 on an I32 column */
  M("$m.count < 2.5", "[{\"m.name\":\"m1\"},{\"m.name\":\"m2\"}]");
  M("$m.count > 2.5", "[{\"m.name\":\"m3\"},{\"m.name\":\"m4\"}]");
  M("{ count: 2.5 }", "[]");
  M("$m.count = 2.0", "[{\"m.name\":\"m2\"}]");
  /* 64-bit values compare exactly (no float rounding) */
  M("$m.big > 9223372036854775806", "[{\"m.name\":\"m1\"}]");
  M("$m.big < 10", "[{\"m.name\":\"m2\"}]");
  /* R34 list membership (binding) and contains (filter) */
  M("{ tags: \"green\" }", "[{\"m.name\":\"m2\"},{\"m.name\":\"m3\"}]");
  M("$m.tags contains \"red\"", "[{\"m.name\":\"m1\"},{\"m.name\":\"m3\"}]");
  /* string ordering by bytes, and date/datetime values in JSON (R38) */
  XQ_EXPECT(&x, "query q() { match { $m: Metric { name: \"m1\" } } return { $m.born, $m.seen, $m.ratio, $m.big, $m.tags, $m.active } }",
            NULL, false,
            "[{\"m.born\":\"2024-06-01\",\"m.seen\":\"2024-06-01T12:00:00.000Z\",\"m.ratio\":0.5,"
            "\"m.big\":9223372036854775807,\"m.tags\":[\"red\",\"blue\"],\"m.active\":true}]");
  XQ_EXPECT(&x, "query q() { match { $m: Metric { name: \"m4\" } } return { $m.ratio, $m.tags } }", NULL, false,
            "[{\"m.ratio\":0.10000000149011612,\"m.tags\":[]}]");
  XQ_EXPECT(&x, "query q() { match { $m: Metric } return { max($m.score) as hi, min($m.name) as first, sum($m.count) as c, avg($m.ratio) as r } }",
            NULL, false, "[{\"hi\":3.0,\"first\":\"m1\",\"c\":10.0,\"r\":0.40000000037252903}]");
#undef M
  xq_dispose(&x);
}

static void test_params_every_type(void **state) {
  (void)state;
  xq x;
  xq_init(&x, "node T { k: String @key  s: String?  i: I32?  l: I64?  u: U32?  w: U64?  f: F32?  d: F64?  b: Bool?  dt: Date?  ts: DateTime?  tags: [String]? }\n");
  xq_load(&x,
          "{\"type\":\"T\",\"data\":{\"k\":\"a\",\"s\":\"x\",\"i\":1,\"l\":10000000000,\"u\":7,\"w\":9,\"f\":1.5,\"d\":2.25,\"b\":true,\"dt\":\"2024-01-02\",\"ts\":\"2024-01-02T03:04:05.678Z\",\"tags\":[\"p\",\"q\"]}}\n"
          "{\"type\":\"T\",\"data\":{\"k\":\"b\",\"s\":\"y\",\"i\":2,\"l\":-5,\"u\":8,\"w\":10,\"f\":-1.5,\"d\":0.5,\"b\":false,\"dt\":\"2025-01-02\",\"ts\":\"2025-01-02T00:00:00Z\",\"tags\":[\"q\"]}}\n");
#define P(decl, where, params, want) \
  XQ_EXPECT(&x, "query q(" decl ") { match { $t: T " where " } return { $t.k } }", params, true, want)
  P("$v: String", "{ s: $v }", "{\"v\":\"x\"}", "[{\"t.k\":\"a\"}]");
  P("$v: I32", "$t.i = $v", "{\"v\":2}", "[{\"t.k\":\"b\"}]");
  P("$v: I64", "$t.l > $v", "{\"v\":0}", "[{\"t.k\":\"a\"}]");
  P("$v: U32", "{ u: $v }", "{\"v\":8}", "[{\"t.k\":\"b\"}]");
  P("$v: U64", "$t.w >= $v", "{\"v\":9}", "[{\"t.k\":\"a\"},{\"t.k\":\"b\"}]");
  P("$v: F32", "$t.f < $v", "{\"v\":0}", "[{\"t.k\":\"b\"}]");
  P("$v: F64", "{ d: $v }", "{\"v\":2.25}", "[{\"t.k\":\"a\"}]");
  P("$v: Bool", "{ b: $v }", "{\"v\":false}", "[{\"t.k\":\"b\"}]");
  P("$v: Date", "$t.dt > $v", "{\"v\":\"2024-06-01\"}", "[{\"t.k\":\"b\"}]");
  P("$v: Date", "{ dt: $v }", "{\"v\":\"2024-01-02\"}", "[{\"t.k\":\"a\"}]");
  P("$v: DateTime", "$t.ts < $v", "{\"v\":\"2024-06-01T00:00:00Z\"}", "[{\"t.k\":\"a\"}]");
  P("$v: DateTime", "{ ts: $v }", "{\"v\":\"2024-01-02T03:04:05.678Z\"}", "[{\"t.k\":\"a\"}]");
  P("$v: String", "$t.tags contains $v", "{\"v\":\"q\"}", "[{\"t.k\":\"a\"},{\"t.k\":\"b\"}]");
  P("$v: String", "{ tags: $v }", "{\"v\":\"p\"}", "[{\"t.k\":\"a\"}]");
  P("$v: String?", "{ s: $v }", NULL, "[]");
  /* param values project under their own names, typed */
  XQ_EXPECT(&x, "query q($d: Date, $ts: DateTime, $l: [I64], $f: F64) { match { $t: T { k: \"a\" } } return { $d, $ts, $l, $f } }",
            "{\"d\":\"2024-02-29\",\"ts\":\"2024-02-29T23:59:59.5+01:00\",\"l\":[1,2],\"f\":3}", false,
            "[{\"d\":\"2024-02-29\",\"ts\":\"2024-02-29T22:59:59.500Z\",\"l\":[1,2],\"f\":3.0}]");
  /* missing required param: rejected before execution (quirk fixed) */
  XQ_EXPECT_ERR(&x, "query q($v: String) { match { $t: T { s: $v } } return { $t.k } }", NULL, OG_EINVAL,
                "parameter 'v' not provided");
  XQ_EXPECT_ERR(&x, "query q($v: I32) { match { $t: T } return { $t.k } }", "{\"v\":\"abc\"}", OG_EINVAL,
                "param 'v'");
#undef P
  xq_dispose(&x);
}

static void test_unsupported_search(void **state) {
  (void)state;
  xq x;
  xq_init(&x, "node Doc { slug: String @key  title: String @index  embedding: Vector(2) }\n");
  xq_load(&x, "{\"type\":\"Doc\",\"data\":{\"slug\":\"d1\",\"title\":\"alpha\",\"embedding\":[0.0,1.0]}}\n");
  XQ_EXPECT_ERR(&x, "query q($q: Vector(2)) { match { $d: Doc } return { $d.slug } order { nearest($d.embedding, $q) } limit 3 }",
                "{\"q\":[1,0]}", OG_EUNSUPPORTED, "nearest()");
  XQ_EXPECT_ERR(&x, "query q($q: String) { match { $d: Doc } return { $d.slug } order { bm25($d.title, $q) } limit 3 }",
                "{\"q\":\"alpha\"}", OG_EUNSUPPORTED, "bm25()");
  XQ_EXPECT_ERR(&x, "query q($q: String) { match { $d: Doc  search($d.title, $q) } return { $d.slug } }",
                "{\"q\":\"alpha\"}", OG_EUNSUPPORTED, "search()");
  XQ_EXPECT_ERR(&x, "query q($q: String) { match { $d: Doc  fuzzy($d.title, $q) } return { $d.slug } }",
                "{\"q\":\"alpha\"}", OG_EUNSUPPORTED, "fuzzy()");
  XQ_EXPECT_ERR(&x, "query q($q: String) { match { $d: Doc } return { match_text($d.title, $q) as m } }",
                "{\"q\":\"alpha\"}", OG_EUNSUPPORTED, "match_text()");
  /* vectors project as arrays of widened floats */
  XQ_EXPECT(&x, "query q() { match { $d: Doc } return { $d.embedding } }", NULL, false,
            "[{\"d.embedding\":[0.0,1.0]}]");
  xq_dispose(&x);
}

static void test_snapshots(void **state) {
  (void)state;
  xq x;
  xq_init(&x, XQ_TEST_SCHEMA);
  uint64_t v1 = xq_load(&x, XQ_TEST_DATA);
  const char *all = "query q() { match { $p: Person } return { count($p) as n } }";
  const char *eve = "query q() { match { $p: Person { name: \"Eve\" } } return { $p.name, $p.age } }";
  og_error err = OG_ERROR_INIT;
  char *rows = NULL;
  /* B-01/B-03: a pinned snapshot does not see a later commit */
  og_snapshot *pinned = NULL;
  OG_ASSERT_OK(og_graph_snapshot(x.g, "main", 0, &pinned, &err), &err);
  uint64_t v2 = xq_load(&x, "{\"type\":\"Person\",\"data\":{\"name\":\"Eve\",\"age\":22}}\n");
  assert_true(v2 > v1);
  OG_ASSERT_OK(xq_run_at(&x, "main", og_snapshot_version(pinned), all, NULL, NULL, false, &rows, &err), &err);
  assert_string_equal(rows, "[{\"n\":4}]");
  og_free(rows);
  OG_ASSERT_OK(xq_run_at(&x, "main", 0, all, NULL, NULL, false, &rows, &err), &err);
  assert_string_equal(rows, "[{\"n\":5}]");
  og_free(rows);
  og_snapshot_free(pinned);
  /* B-04: update and delete through the mutation executor; every version readable */
  og_mutate_result mr = {0};
  og_mutate_req rq = {.graph = x.g, .source = "query s() { update Person set { age: 50 } where name = \"Eve\" }"};
  rq.source_len = strlen(rq.source);
  OG_ASSERT_OK(og_exec_mutate(&rq, &mr, &err), &err);
  uint64_t v3 = mr.manifest_version;
  og_mutate_result_dispose(&mr);
  rq.source = "query d() { delete Person where name = \"Eve\" }";
  rq.source_len = strlen(rq.source);
  OG_ASSERT_OK(og_exec_mutate(&rq, &mr, &err), &err);
  og_mutate_result_dispose(&mr);
  struct { uint64_t v; const char *want; } at[] = {
      {v1, "[]"}, {v2, "[{\"p.name\":\"Eve\",\"p.age\":22}]"}, {v3, "[{\"p.name\":\"Eve\",\"p.age\":50}]"}, {0, "[]"}};
  for (size_t i = 0; i < 4; i++) {
    OG_ASSERT_OK(xq_run_at(&x, "main", at[i].v, eve, NULL, NULL, false, &rows, &err), &err);
    if (strcmp(rows, at[i].want)) fail_msg("version %llu: %s", (unsigned long long)at[i].v, rows);
    og_free(rows);
  }
  /* B-06: a version beyond the head */
  assert_int_equal(xq_run_at(&x, "main", 99999, all, NULL, NULL, false, &rows, &err), OG_ENOTFOUND);
  /* B-09: branch time travel isolated from main */
  OG_ASSERT_OK(og_graph_branch_create(x.g, "feature", "main", 0, NULL, &err), &err);
  uint64_t vm;
  OG_ASSERT_OK(og_graph_head(x.g, "main", &vm, &err), &err);
  xq_load_on(&x, "main", "{\"type\":\"Person\",\"data\":{\"name\":\"Eve\"}}\n");
  xq_load_on(&x, "feature", "{\"type\":\"Person\",\"data\":{\"name\":\"Frank\"}}\n");
  const char *names = "query q() { match { $p: Person } return { $p.name } order { $p.name } }";
  OG_ASSERT_OK(xq_run_at(&x, "main", vm, names, NULL, NULL, false, &rows, &err), &err);
  assert_null(strstr(rows, "Eve"));
  assert_null(strstr(rows, "Frank"));
  og_free(rows);
  OG_ASSERT_OK(xq_run_at(&x, "main", 0, names, NULL, NULL, false, &rows, &err), &err);
  assert_non_null(strstr(rows, "Eve"));
  assert_null(strstr(rows, "Frank"));
  og_free(rows);
  OG_ASSERT_OK(xq_run_at(&x, "feature", 0, names, NULL, NULL, false, &rows, &err), &err);
  assert_null(strstr(rows, "Eve"));
  assert_non_null(strstr(rows, "Frank"));
  og_free(rows);
  xq_dispose(&x);
}

static void test_path_counting(void **state) {
  (void)state;
  xq x;
  /* A→B, A→C, B→D, C→D, D→A: 2-hop paths a→b→c counted with multiplicity */
  chain(&x, "AB AC BD CD DA ");
  /* paths: A→B→D, A→C→D, B→D→A, C→D→A, D→A→B, D→A→C = 6 */
  XQ_EXPECT(&x, "query q() { match { $a: Person  $a knows $b  $b knows $c } return { count($c) as n } }", NULL, false,
            "[{\"n\":6}]");
  /* grouped by destination: D reached twice from A, A twice (from B, C) */
  XQ_EXPECT(&x, "query q() { match { $a: Person  $a knows $b  $b knows $c } return { $c.name, count($b) as n } order { $c.name } }",
            NULL, false,
            "[{\"c.name\":\"A\",\"n\":2},{\"c.name\":\"B\",\"n\":1},{\"c.name\":\"C\",\"n\":1},{\"c.name\":\"D\",\"n\":2}]");
  /* non-aggregate projection after merged rows repeats each row by its multiplicity */
  XQ_EXPECT(&x, "query q() { match { $a: Person { name: \"A\" }  $a knows $b  $b knows $c } return { $c.name } }", NULL,
            false, "[{\"c.name\":\"D\"},{\"c.name\":\"D\"}]");
  XQ_EXPECT(&x, "query q() { match { $a: Person  $a knows $b  $b knows $c  $c knows $d } return { count($d) as n, sum(1) as s } }",
            NULL, false, "[{\"n\":8,\"s\":8.0}]");
  xq_dispose(&x);
  /* dangling source ids: X is no node; only A→B→C is a path of live nodes */
  xq_init(&x, CHAIN);
  xq_load(&x, "{\"type\":\"Person\",\"data\":{\"name\":\"A\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"B\"}}\n"
              "{\"type\":\"Person\",\"data\":{\"name\":\"C\"}}\n"
              "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"X\"}\n{\"edge\":\"Knows\",\"from\":\"X\",\"to\":\"B\"}\n"
              "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"B\"}\n{\"edge\":\"Knows\",\"from\":\"B\",\"to\":\"C\"}\n");
  XQ_EXPECT(&x, "query q() { match { $a: Person  $a knows $b  $b knows $c } return { count($c) as n } }", NULL, false,
            "[{\"n\":1}]");
  XQ_EXPECT(&x, "query q() { match { $a: Person  $a knows $b } return { count($b) as n } }", NULL, false,
            "[{\"n\":2}]");
  /* a filtered frontier (not every source, weight 1) */
  XQ_EXPECT(&x, "query q() { match { $a: Person  $a.name != \"B\"  $a knows $b  $b knows $c } return { count($c) as n } }",
            NULL, false, "[{\"n\":1}]");
  xq_dispose(&x);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixture_queries),  cmocka_unit_test(test_null_semantics),
      cmocka_unit_test(test_order_limit),      cmocka_unit_test(test_traversal),
      cmocka_unit_test(test_cross_type_and_negation), cmocka_unit_test(test_literal_filters),
      cmocka_unit_test(test_params_every_type), cmocka_unit_test(test_unsupported_search),
      cmocka_unit_test(test_snapshots),        cmocka_unit_test(test_path_counting),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
