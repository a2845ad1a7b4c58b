/*
 * query.h — the `.gq` query language front end: parser, AST, type checker,
 * IR lowering, parameter binding from JSON and query lint
 * (spec/languages.md §3–§9; docs/queries.md is the user reference).
 *
 * Pipeline:
 *   text --og_qfile_parse--> og_qfile (list of og_qdecl)
 *   og_qdecl + og_catalog --og_query_check--> og_qtyped (read or mutation)
 *   og_qtyped --og_query_lower--> og_qir (a plain pipeline for the executor)
 *   JSON params + og_qdecl --og_qparams_bind--> og_qparams (name -> og_qval)
 *
 * Invariants:
 *  - Every object is arena-owned: freeing the owner (og_qfile_free,
 *    og_qtyped_free, og_qir_free, og_qparams_free) frees all of it. An
 *    og_qtyped borrows its og_qdecl and catalog; an og_qir borrows its
 *    og_qtyped. Free in reverse order of creation.
 *  - Parse errors are OG_EPARSE, messages start "parse error: " and carry a
 *    1-based line/column. Type errors are OG_ETYPE, messages start
 *    "type error: " (most then "Tn: "), positioned at the offending node.
 *    Parameter errors are OG_EINVAL with the §7 messages.
 *  - Parsing is linear in the input size: the file is tokenized once and
 *    the parser looks at most three tokens ahead, never backtracks.
 *  - Identifiers are whole words: `true_count`, `nowhere`, `dates` are
 *    identifiers, never a keyword prefix.
 *  - Mutations: statements apply in order and each sees the effects of the
 *    previous ones; inserts/updates and deletes may be mixed (the whole
 *    mutation commits atomically in one graph manifest, DESIGN.md §3.2).
 */
#ifndef OG_LANG_QUERY_H
#define OG_LANG_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "og_status.h"
#include "util/util.h"

#ifdef __cplusplus
extern "C" {
#endif

struct og_catalog; /* lang/schema.h */
struct json_t;     /* jansson */

/*==================== types ====================*/

typedef enum og_qscalar {
  OG_QS_STRING = 0, OG_QS_BOOL, OG_QS_I32, OG_QS_I64, OG_QS_U32, OG_QS_U64,
  OG_QS_F32, OG_QS_F64, OG_QS_DATE, OG_QS_DATETIME, OG_QS_BLOB, OG_QS_VECTOR
} og_qscalar;

/* A value type (property, param or expression). */
typedef struct og_qtype {
  og_qscalar scalar;
  uint32_t dim;   /* Vector(dim) */
  bool list;
  bool nullable;
  /* enum(...) values, sorted; scalar is String. Borrowed. */
  const char *const *enum_values;
  size_t n_enum;
} og_qtype;

bool og_qscalar_numeric(og_qscalar s);
bool og_qscalar_integer(og_qscalar s);
const char *og_qscalar_name(og_qscalar s); /* "String", "I32", "Vector" ... */
/* Display form used in messages: `[String]?`, `Vector(3)`, `enum(a, b)`. */
void og_qtype_display(const og_qtype *t, char *out, size_t cap);

/*==================== AST ====================*/

typedef struct og_qpos { int line, col; } og_qpos;

typedef enum og_qlit_kind {
  OG_QL_STRING, OG_QL_INT, OG_QL_FLOAT, OG_QL_BOOL, OG_QL_DATE, OG_QL_DATETIME, OG_QL_LIST
} og_qlit_kind;

typedef struct og_qlit {
  og_qlit_kind kind;
  og_qpos pos;
  const char *s;   /* decoded STRING; text of DATE/DATETIME */
  size_t len;      /* bytes of s (strings may hold NUL via escapes? no: no \0 escape) */
  int64_t i;       /* INT */
  double f;        /* FLOAT */
  bool b;          /* BOOL */
  struct og_qlit *items; /* LIST */
  size_t n_items;
} og_qlit;

/* A value in a binding prop-match, assignment or predicate. */
typedef enum og_qvalue_kind { OG_QVAL_LIT, OG_QVAL_VAR, OG_QVAL_NOW } og_qvalue_kind;
typedef struct og_qvalue {
  og_qvalue_kind kind;
  og_qpos pos;
  og_qlit lit;
  const char *var; /* without '$' */
} og_qvalue;

typedef enum og_qexpr_kind {
  OG_QE_NOW, OG_QE_PROP, OG_QE_VAR, OG_QE_LIT, OG_QE_ALIAS, OG_QE_AGG,
  OG_QE_NEAREST, OG_QE_SEARCH, OG_QE_FUZZY, OG_QE_MATCH_TEXT, OG_QE_BM25, OG_QE_RRF
} og_qexpr_kind;

typedef enum og_qagg { OG_QA_COUNT, OG_QA_SUM, OG_QA_AVG, OG_QA_MIN, OG_QA_MAX } og_qagg;

typedef struct og_qexpr {
  og_qexpr_kind kind;
  og_qpos pos;
  const char *var;   /* PROP, VAR (no '$'), NEAREST (vector owner). A VAR naming a
                      * declared param is that param everywhere, else a match variable. */
  const char *name;  /* PROP property, ALIAS name, NEAREST property */
  og_qlit lit;       /* LIT */
  og_qagg agg;       /* AGG */
  /* AGG: args[0]; NEAREST: args[0] = query; SEARCH/FUZZY/MATCH_TEXT/BM25:
   * field, query[, max_edits]; RRF: rank1, rank2[, k]. */
  struct og_qexpr *args[3];
  int nargs;
} og_qexpr;

typedef enum og_qop {
  OG_QOP_EQ, OG_QOP_NE, OG_QOP_LT, OG_QOP_LE, OG_QOP_GT, OG_QOP_GE, OG_QOP_CONTAINS
} og_qop;
const char *og_qop_text(og_qop op);

typedef struct og_qpmatch {
  const char *prop;
  og_qpos pos;
  og_qvalue value;
} og_qpmatch;

typedef enum og_qclause_kind {
  OG_QC_BINDING, OG_QC_TRAVERSAL, OG_QC_FILTER, OG_QC_SEARCH, OG_QC_NOT
} og_qclause_kind;

typedef struct og_qclause {
  og_qclause_kind kind;
  og_qpos pos;
  /* BINDING */
  const char *var;
  const char *type_name;
  og_qpmatch *pmatches;
  size_t n_pmatches;
  /* TRAVERSAL (var = src) */
  const char *edge;  /* as written */
  const char *dst;
  uint32_t min_hops, max_hops;
  bool has_bounds, has_max;
  /* FILTER: left op right; SEARCH: left = the call (sugar for `= true`) */
  og_qexpr *left, *right;
  og_qop op;
  /* NOT */
  struct og_qclause *inner;
  size_t n_inner;
} og_qclause;

typedef struct og_qproj {
  og_qexpr *expr;
  const char *alias; /* NULL when absent */
} og_qproj;

typedef struct og_qorder {
  og_qexpr *expr;
  bool desc;
  bool has_dir;
} og_qorder;

typedef enum og_qmut_kind { OG_QM_INSERT, OG_QM_UPDATE, OG_QM_DELETE } og_qmut_kind;

typedef struct og_qassign {
  const char *prop;
  og_qpos pos;
  og_qvalue value;
} og_qassign;

typedef struct og_qmut {
  og_qmut_kind kind;
  og_qpos pos;
  const char *type_name;
  og_qassign *assigns; /* INSERT, UPDATE */
  size_t n_assigns;
  /* UPDATE, DELETE: where pred_prop pred_op pred_value */
  const char *pred_prop;
  og_qpos pred_pos;
  og_qop pred_op;
  og_qvalue pred_value;
} og_qmut;

typedef struct og_qparam {
  const char *name;   /* without '$' */
  og_qpos pos;
  og_qtype type;      /* nullable = declared with '?' */
  const char *type_text; /* normalised: "Vector(3)", "[String]" (no '?') */
  bool type_ok;       /* false: Vector(0) or a dimension out of range */
} og_qparam;

typedef struct og_qdecl {
  const char *name;
  og_qpos pos;
  og_qparam *params;
  size_t n_params;
  const char *description; /* NULL when absent */
  const char *instruction;
  bool is_mutation;
  /* read */
  og_qclause *clauses;
  size_t n_clauses;
  og_qproj *projs;
  size_t n_projs;
  og_qorder *orders;
  size_t n_orders;
  bool has_limit;
  int64_t limit;
  /* mutation */
  og_qmut *muts;
  size_t n_muts;
} og_qdecl;

typedef struct og_qfile {
  og_arena arena;
  og_qdecl *decls;
  size_t n_decls;
} og_qfile;

og_status og_qfile_parse(const char *src, size_t len, og_qfile **out, og_error *err);
void og_qfile_free(og_qfile *f);
/* First declaration with that name; NULL if none. */
const og_qdecl *og_qfile_find(const og_qfile *f, const char *name);
/* Selection rule of §3.2: by name ("query 'x' not found", OG_EINVAL = 400), or
 * with name NULL the single query ("query file contains multiple queries;
 * pass --name", OG_EINVAL). */
og_status og_qfile_select(const og_qfile *f, const char *name, const og_qdecl **out,
                          og_error *err);
/* Stored-query catalog kind of a param type (§7): "string", "bool", "int"
 * (I32/U32), "bigint" (I64/U64), "float", "date", "datetime", "blob",
 * "vector", "list" (the element kind is og_qparam_kind of the scalar). */
const char *og_qparam_kind(const og_qtype *t);
/* JSON array [{name, kind, item_kind?, vector_dim?, nullable}] of the declared
 * params, for the stored-query catalog (GET /queries). */
og_status og_qdecl_params_json(const og_qdecl *d, og_buf *out);
/* Canonical source text of a declaration (parses back to the same AST). */
og_status og_qdecl_render(const og_qdecl *d, og_buf *out);

/*==================== type checking ====================*/

typedef enum og_qdir { OG_QDIR_OUT, OG_QDIR_IN } og_qdir;

/* A match variable and the node type it ranges over. */
typedef struct og_qvar {
  const char *name;
  const char *type_name;
} og_qvar;

/* Resolution of one traversal clause (indexed like the clauses, depth-first). */
typedef struct og_qtrav_info {
  const og_qclause *clause;
  const char *edge_name; /* canonical catalog name */
  og_qdir dir;
  const char *src_type;  /* node type of clause->var (the written source) */
  const char *dst_type;  /* node type of clause->dst */
} og_qtrav_info;

struct og_qcat;

/* Result column of a read query (one per return item, §5.5). */
typedef struct og_qcol {
  const char *name;      /* alias or the default column name */
  og_qtype type;         /* value type (node variables: String id; count: I64;
                          * sum/avg: F64 nullable; min/max: the argument's type,
                          * nullable; search/fuzzy/match_text: Bool; scores: F64) */
  const char *node_type; /* `$x` items: the variable's node type, else NULL */
  bool is_agg;
  bool unknown;          /* an alias that names no earlier item (fails at run time) */
} og_qcol;

typedef struct og_qtyped {
  og_arena arena;
  const og_qdecl *decl;
  const struct og_catalog *cat;
  const struct og_qcat *view; /* private catalog view (query_int.h) */
  og_arena view_arena;        /* owns `view` when og_query_check built it */
  void *trav_index;           /* private: clause -> travs index (O(1) og_qtyped_trav) */
  bool is_mutation;
  /* read */
  og_qvar *vars; /* outer variables, in order of binding */
  size_t n_vars;
  og_qtrav_info *travs; /* every traversal, including inside `not` */
  size_t n_travs;
  bool has_aggregate;
  og_qcol *cols; /* result columns, in return order */
  size_t n_cols;
  /* mutation: canonical target type name of each statement, in order */
  const char **targets;
  bool *target_is_edge;
  size_t n_targets;
} og_qtyped;

/* Check any declaration (read or mutation). */
og_status og_query_check(const struct og_catalog *cat, const og_qdecl *d, og_qtyped **out,
                         og_error *err);
/* Read-query API: a mutation → "type error: mutation query cannot be typechecked
 * with read-query API". */
og_status og_query_check_read(const struct og_catalog *cat, const og_qdecl *d, og_qtyped **out,
                              og_error *err);
/* Mutation API: a read → "mutation execution called on a read query; use query instead". */
og_status og_query_check_mutation(const struct og_catalog *cat, const og_qdecl *d,
                                  og_qtyped **out, og_error *err);
void og_qtyped_free(og_qtyped *t);
const char *og_qtyped_var_type(const og_qtyped *t, const char *var);
const og_qtrav_info *og_qtyped_trav(const og_qtyped *t, const og_qclause *c);

/*==================== IR ====================*/

/*
 * What the executor owes the IR (recommended fixes of spec §12 that the
 * front end only prepares):
 *  - comparisons promote numbers (`$p.age < 30.5` on I32 includes 30);
 *  - now() reads OG_QNOW_PARAM in reads and mutations (og_qparams_set_now);
 *  - alias references in return items (og_qir_proj.ref) and score/search
 *    projections are evaluated, not rejected;
 *  - preds inside a NodeScan / Expand filter before any ranking op that
 *    follows the scan (k-NN after filtering);
 *  - mutation ops apply in order, each seeing the previous ones' effects,
 *    and commit together or not at all.
 */

/* Name of the reserved runtime parameter that `now()` lowers to. */
#define OG_QNOW_PARAM "__nanograph_now"

typedef enum og_qir_kind {
  OG_QIR_NODE_SCAN,  /* var: type, pushed-down prop filters, text filters */
  OG_QIR_CROSS_JOIN, /* join the current rows with a sub-pipeline (another root) */
  OG_QIR_EXPAND,     /* src -edge-> dst, direction, hops, destination filters */
  OG_QIR_FILTER,     /* left op right over the wide row */
  OG_QIR_ANTI_JOIN,  /* keep rows for which the sub-pipeline yields nothing */
  OG_QIR_PROJECT,
  OG_QIR_AGGREGATE,
  OG_QIR_ORDER,
  OG_QIR_LIMIT,
  OG_QIR_VECTOR_TOPK, /* nearest() ordering: k-NN over var's scan, k = limit */
  OG_QIR_BM25_RANK,   /* bm25() ordering: text-ranked scan of var */
  OG_QIR_RRF,         /* rrf() ordering: fuse two rankings of var */
  OG_QIR_INSERT, OG_QIR_UPDATE, OG_QIR_DELETE
} og_qir_kind;

/* A pushed-down predicate `prop op value` (binding prop-match: op EQ, or
 * CONTAINS for list properties; mutation predicates). `value` is literal,
 * param or now (= param OG_QNOW_PARAM). */
typedef struct og_qir_pred {
  const char *prop;
  og_qop op;
  og_qvalue value;
  og_qtype prop_type;
} og_qir_pred;

typedef struct og_qir_op og_qir_op;

typedef struct og_qir_pipe {
  og_qir_op *ops;
  size_t n_ops;
} og_qir_pipe;

typedef struct og_qir_proj {
  const og_qexpr *expr;
  const char *column; /* output column name (§5.5) */
  bool is_agg;
  int ref;            /* expr is an alias of an earlier item: its index; else -1 */
} og_qir_proj;

typedef struct og_qir_okey {
  const og_qexpr *expr; /* the key as written */
  const char *column;   /* set when the key reads a projected column */
  int proj;             /* index of that projected column, -1 when unknown/none
                         * (an unknown alias fails at run time:
                         * "alias 'x' not found for ordering") */
  bool desc;
} og_qir_okey;

struct og_qir_op {
  og_qir_kind kind;
  /* NODE_SCAN / EXPAND / VECTOR_TOPK / BM25_RANK / RRF */
  const char *var;       /* scan var; EXPAND src */
  const char *type_name; /* scan type; EXPAND destination type */
  og_qir_pred *preds;    /* scan / expand-destination / update/delete filters */
  size_t n_preds;
  const og_qexpr **text_filters; /* search/fuzzy/match_text hoisted into a scan */
  size_t n_text;
  /* EXPAND */
  const char *dst;
  const char *edge;
  og_qdir dir;
  uint32_t min_hops, max_hops;
  const char *check_var; /* cycle closing: dst is `__temp_<v>`; keep dst.id = v.id */
  /* FILTER */
  const og_qexpr *left, *right;
  og_qop op;
  /* CROSS_JOIN / ANTI_JOIN */
  og_qir_pipe sub;
  /* PROJECT */
  og_qir_proj *projs;
  size_t n_projs;
  /* AGGREGATE: group keys are the non-aggregate projections */
  /* ORDER */
  og_qir_okey *keys;
  size_t n_keys;
  /* LIMIT, VECTOR_TOPK (k) */
  int64_t limit;
  /* VECTOR_TOPK / BM25_RANK / RRF: the ranking expression */
  const og_qexpr *rank;
  /* INSERT / UPDATE / DELETE */
  bool is_edge;
  const og_qassign *assigns;
  size_t n_assigns;
};

typedef struct og_qir {
  og_arena arena;
  const og_qtyped *typed;
  og_qir_pipe pipe;
} og_qir;

og_status og_query_lower(const og_qtyped *t, og_qir **out, og_error *err);
void og_qir_free(og_qir *ir);
/* Debug text, one op per line, nested pipelines indented by two spaces. */
og_status og_qir_render(const og_qir *ir, og_buf *out);

/*==================== parameters ====================*/

typedef enum og_qval_kind {
  OG_QV_NULL, OG_QV_STRING, OG_QV_INT, OG_QV_FLOAT, OG_QV_BOOL, OG_QV_DATE, OG_QV_DATETIME,
  OG_QV_LIST
} og_qval_kind;

typedef struct og_qval {
  og_qval_kind kind;
  const char *s;   /* STRING; source text of DATE / DATETIME */
  size_t len;
  int64_t i;       /* INT; DATE = days since 1970-01-01; DATETIME = ms since epoch (UTC) */
  double f;        /* FLOAT */
  bool b;
  struct og_qval *items; /* LIST (Vector params are lists of FLOAT) */
  size_t n_items;
} og_qval;

typedef struct og_qparam_entry {
  const char *name;
  og_qval value;
  bool declared;
} og_qparam_entry;

typedef struct og_qparams {
  og_arena arena;
  og_qparam_entry *items;
  size_t n, cap;
  og_map index; /* name -> item index + 1 */
} og_qparams;

typedef enum og_qbind_mode { OG_QBIND_STANDARD, OG_QBIND_JS } og_qbind_mode;

/* Bind JSON text (NULL/empty/"null" = no params) against d's declared params.
 * Errors (OG_EINVAL) use §7's messages; a missing non-nullable declared param
 * is rejected with "parameter 'x' not provided"; omitted nullable ones bind to
 * null; undeclared keys are inferred. */
og_status og_qparams_bind(const og_qdecl *d, const char *json, size_t len, og_qbind_mode mode,
                          og_qparams **out, og_error *err);
og_status og_qparams_bind_json(const og_qdecl *d, const struct json_t *obj, og_qbind_mode mode,
                               og_qparams **out, og_error *err);
void og_qparams_free(og_qparams *p);
const og_qval *og_qparams_get(const og_qparams *p, const char *name);
/* Set `__nanograph_now` (what now() reads), unless the caller already set it. */
og_status og_qparams_set_now(og_qparams *p, uint64_t ms, og_error *err);
/* Calendar helpers shared with the executor. Return false on malformed text. */
bool og_qparse_date(const char *s, size_t len, int64_t *days_out);
bool og_qparse_datetime(const char *s, size_t len, int64_t *ms_out);
/* Literal → value (DATE/DATETIME parsed; "invalid Date literal 'x'" on error). */
og_status og_qlit_value(og_arena *a, const og_qlit *lit, og_qval *out, og_error *err);
/* Resolve a binding/assignment/predicate value: a literal, a param (missing →
 * "parameter 'x' not provided", OG_EINVAL) or now() (reads OG_QNOW_PARAM; set
 * it with og_qparams_set_now before running reads and mutations alike).
 * Param values are borrowed from `p`; literal lists are built in `a`. */
og_status og_qvalue_resolve(const og_qvalue *v, const og_qparams *p, og_arena *a, og_qval *out,
                            og_error *err);

/*==================== lint ====================*/

typedef struct og_qlint_opts {
  const char *schema_kind; /* "file" (default) or "graph" */
  const char *schema_path; /* path for kind file, uri for kind graph */
  const char *query_path;
} og_qlint_opts;

/* Lint a whole query file against a catalog; writes the §9 JSON object
 * (json_out) and/or the human text (text_out) — either may be NULL. Sets
 * *status_error when the lint status is "error". Fails only on OOM. */
og_status og_qlint(const struct og_catalog *cat, const char *src, size_t len,
                   const og_qlint_opts *opts, og_buf *json_out, og_buf *text_out,
                   bool *status_error, og_error *err);

#ifdef __cplusplus
}
#endif
#endif
