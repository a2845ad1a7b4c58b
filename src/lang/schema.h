/*
 * schema.h — the `.pg` schema language: parser, catalog, canonical Schema IR
 * and its hash, write-time validators, schema-lint codes and the migration
 * planner (spec/languages.md §1, §2, §10; docs/schema.md is the user
 * reference).
 *
 * Pipeline:
 *   .pg text --og_schema_parse--> og_schema (declarations in source order,
 *            parse-phase validation done, interfaces injected, property
 *            @key/@unique/@index desugared into constraints)
 *   og_schema --og_catalog_build--> og_catalog (catalog validation done,
 *            canonical order, stable ids, IR JSON + hash, lookup maps)
 *   IR JSON --og_catalog_from_ir--> og_catalog (the engine's path on open)
 *   og_catalog x2 --og_plan_build--> og_plan (migration steps)
 *
 * Invariants:
 *  - An og_schema / og_catalog / og_plan owns all its memory (one arena plus
 *    maps); every pointer reachable from it lives until its *_free. Objects
 *    are immutable after construction and safe to read from many threads
 *    (validators included: compiled regexes are only read).
 *  - Catalog order is canonical: interfaces, nodes, edges each sorted by name
 *    (byte order); properties sorted by name; annotations sorted by
 *    (name, value); implements sorted; constraints sorted by their textual
 *    key (og_constraint_key). The IR JSON and hash depend only on this
 *    canonical content, never on source order, formatting or comments.
 *  - Parse errors are OG_EPARSE with "parse error: …", catalog errors are
 *    OG_EPARSE with "catalog error: …" (they are schema input errors); both
 *    carry a 1-based line/column when a source position exists, and
 *    err->details holds {"span":{"start":<byte>,"end":<byte>}} (zero-width
 *    spans widened to 1).
 *    Validator failures are OG_ECONSTRAINT (range/check/enum/unique/card/
 *    required) or OG_EINVAL (value cannot be converted), unprefixed, with the
 *    §2.9 message texts.
 *  - Lookups are O(1) (og_map): node/edge/interface by name, edge by
 *    case-folded name, property by name within a type.
 *  - Node table layout is `id: Utf8` then the properties in catalog order;
 *    edge layout is `id, src, dst` (Utf8) then the properties.
 */
#ifndef OG_LANG_SCHEMA_H
#define OG_LANG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "og_status.h"
#include "util/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/*==================== types ====================*/

/* Same order as og_qscalar (query.h) so the two convert by cast. */
typedef enum og_scalar {
  OG_SC_STRING = 0, OG_SC_BOOL, OG_SC_I32, OG_SC_I64, OG_SC_U32, OG_SC_U64,
  OG_SC_F32, OG_SC_F64, OG_SC_DATE, OG_SC_DATETIME, OG_SC_BLOB, OG_SC_VECTOR
} og_scalar;

typedef struct og_proptype {
  og_scalar scalar;
  uint32_t dim;                   /* Vector(dim), 1..2147483647 */
  bool list;                      /* [T] */
  bool nullable;                  /* T? */
  const char *const *enum_values; /* enum(...): sorted, deduplicated; scalar is String */
  size_t n_enum;                  /* 0 = not an enum */
} og_proptype;

const char *og_scalar_name(og_scalar s); /* "String", "I32", "Vector", ... */
bool og_scalar_numeric(og_scalar s);     /* I32 I64 U32 U64 F32 F64 */
/* Display form used in messages: `[String]?`, `Vector(3)`, `enum(a, b)`, `I32?`. */
void og_proptype_display(const og_proptype *t, char *out, size_t cap);
bool og_proptype_equal(const og_proptype *a, const og_proptype *b);

/*==================== schema objects ====================*/

typedef struct og_spos {
  int line, col; /* 1-based; 0 when the object came from IR JSON */
  size_t off;    /* byte offset in the source */
} og_spos;

typedef struct og_annot {
  const char *name;  /* without '@' */
  const char *value; /* decoded argument text, NULL when written without (...) */
  og_spos pos;
} og_annot;

typedef enum og_ckind {
  OG_CK_KEY = 0, OG_CK_UNIQUE, OG_CK_INDEX, OG_CK_RANGE, OG_CK_CHECK
} og_ckind;

typedef struct og_bound {
  bool present;
  bool is_float; /* Float(x) vs Integer(n) */
  int64_t i;
  double f;
} og_bound;

typedef struct og_constraint {
  og_ckind kind;
  /* KEY/UNIQUE/INDEX: the columns (sorted in the catalog; source order in an
   * og_schema). RANGE/CHECK: cols[0] is the property, n_cols = 1. Edges may
   * name the implicit columns "src" / "dst" in UNIQUE/INDEX. */
  const char *const *cols;
  size_t n_cols;
  og_bound min, max;   /* RANGE */
  const char *pattern; /* CHECK (the regex source text) */
  og_spos pos;
  void *regex;         /* CHECK, catalog only: compiled regex (private) */
  const char *regex_error; /* CHECK: non-NULL when the pattern did not compile */
} og_constraint;

typedef enum og_type_kind { OG_KIND_INTERFACE = 0, OG_KIND_NODE, OG_KIND_EDGE } og_type_kind;
const char *og_type_kind_name(og_type_kind k); /* "interface" | "node" | "edge" */

typedef struct og_prop {
  const char *name;
  uint32_t prop_id;   /* fnv1a32("<kind>:<Owner>:<name>"), catalog only */
  og_proptype type;
  const og_annot *annots;
  size_t n_annots;
  og_spos pos;
  /* Derived conveniences (catalog and schema): */
  const char *embed_source; /* @embed(src) value, else NULL */
  const char *description;  /* @description value, else NULL */
  bool is_key;              /* the first column of the type's key */
  uint32_t index;           /* position in the owner's props array */
} og_prop;

typedef struct og_type {
  og_type_kind kind;
  const char *name;
  uint32_t type_id;                /* fnv1a32("<kind>:<Name>"), catalog only */
  const og_annot *annots;          /* node/edge only */
  size_t n_annots;
  const char *const *implements;   /* node only; sorted in the catalog */
  size_t n_implements;
  const og_prop *props;
  size_t n_props;
  const og_constraint *cons;
  size_t n_cons;
  /* edge only */
  const char *from_type, *to_type;
  uint32_t card_min;
  bool card_has_max;               /* false = unbounded */
  uint32_t card_max;
  og_spos pos;
  /* Derived conveniences: */
  const og_prop *key_prop;         /* first key column, NULL when no key (nodes) */
  const char *description, *instruction; /* NULL when absent */
  const char *lower_name;          /* edge name lowercased (case-insensitive lookup) */
  void *prop_map;                  /* private: og_map name -> og_prop* */
} og_type;

/* Property by name, NULL when absent (O(1) on catalog and schema types). */
const og_prop *og_type_prop(const og_type *t, const char *name);
/* Annotation value lookup: true when present (value may be NULL). */
bool og_annot_find(const og_annot *a, size_t n, const char *name, const char **value_out);
/* Whether a single-column index on `col` exists (key implies index). */
bool og_type_has_index(const og_type *t, const char *col);
/* Which index the engine builds for a node property (§2.4): a single-column
 * @index (or the @key, which implies an index) on a non-list String →
 * full-text; on a Vector → vector (IVF-flat, L2); anything else, composite
 * indexes and every edge property → none (edges only get id/src/dst BTREEs). */
typedef enum og_index_kind { OG_IDX_NONE = 0, OG_IDX_FTS, OG_IDX_VECTOR } og_index_kind;
og_index_kind og_prop_index_kind(const og_type *t, const og_prop *p);
/* Textual constraint key of §2.8 (`key:a,b`, `unique:email`, `index:age`,
 * `range:age:Some(Integer(0)):None`, `check:code:<pattern>`), appended. */
og_status og_constraint_key(const og_constraint *c, og_buf *out);

/* Parsed schema: declarations in source order. */
typedef struct og_schema {
  const og_type *decls; /* interfaces, nodes and edges interleaved as written */
  size_t n_decls;
  void *priv;
} og_schema;

/*==================== parse ====================*/

/* Parse `.pg` text and run every parse-phase validation (§2.1–§2.6):
 * OG_EPARSE "parse error: …" at a line:column. */
og_status og_schema_parse(const char *src, size_t len, og_schema **out, og_error *err);
void og_schema_free(og_schema *s);

/*==================== catalog ====================*/

typedef struct og_catalog {
  const og_type *interfaces; size_t n_interfaces;
  const og_type *nodes;      size_t n_nodes;
  const og_type *edges;      size_t n_edges;
  const char *ir_json;       /* canonical compact IR JSON (NUL-terminated) */
  size_t ir_json_len;
  char hash[80];             /* "sha256:" + 64 hex */
  void *priv;
} og_catalog;

/* §2.7 validation + canonical IR. OG_EPARSE "catalog error: …". */
og_status og_catalog_build(const og_schema *s, og_catalog **out, og_error *err);
/* Parse + build in one step. */
og_status og_catalog_compile(const char *src, size_t len, og_catalog **out, og_error *err);
/* Build from IR JSON (compact or pretty). Rejects ir_version != 1 with
 * "catalog error: unsupported schema ir_version 2 (expected 1)"; malformed
 * JSON is OG_ECORRUPT. The result has the same hash as the catalog the JSON
 * was rendered from. */
og_status og_catalog_from_ir(const char *json, size_t len, og_catalog **out, og_error *err);
void og_catalog_free(og_catalog *c);

const og_type *og_catalog_node(const og_catalog *c, const char *name);
const og_type *og_catalog_edge(const og_catalog *c, const char *name);     /* exact */
const og_type *og_catalog_edge_ci(const og_catalog *c, const char *name);  /* ASCII case-insensitive */
const og_type *og_catalog_interface(const og_catalog *c, const char *name);

/* Pretty IR JSON (2-space indent, serde_json style) for `_schema.ir.json`. */
og_status og_catalog_ir_pretty(const og_catalog *c, og_buf *out, og_error *err);
/* Canonical `.pg` text (for `schema show`): compiling it yields the same hash. */
og_status og_catalog_render_pg(const og_catalog *c, og_buf *out, og_error *err);
/* FNV-1a 32 (0 mapped to 1) — exposed for tests and tooling. */
uint32_t og_schema_id32(const char *s);

/*==================== values and write-time validators ====================*/

typedef enum og_vkind {
  OG_V_NULL = 0, OG_V_BOOL, OG_V_INT, OG_V_UINT, OG_V_FLOAT, OG_V_STRING,
  OG_V_DATE, OG_V_DATETIME, OG_V_BLOB, OG_V_VECTOR, OG_V_LIST
} og_vkind;

/* A generic value. Borrowed pointers: the owner of the buffers decides their
 * lifetime (converters allocate into the og_arena they are given). */
typedef struct og_value {
  og_vkind kind;
  union {
    bool b;
    int64_t i;             /* INT */
    uint64_t u;            /* UINT */
    double f;              /* FLOAT */
    int32_t days;          /* DATE: days since 1970-01-01 */
    int64_t ms;            /* DATETIME: ms since epoch, UTC */
    struct { const char *ptr; size_t len; } s;      /* STRING, BLOB */
    struct { const float *v; uint32_t dim; } vec;   /* VECTOR */
    struct { const struct og_value *items; size_t n; } list; /* LIST */
  } u;
} og_value;

/* Convert a loosely typed input value (as it comes from JSON: NULL, BOOL,
 * INT/UINT/FLOAT, STRING, LIST of numbers for vectors) to the property's type.
 * Strict where the reference silently nulls or truncates (spec/data.md §2.5):
 *   integers must be INT/UINT within the column's range (no floats, no
 *   strings, no two's-complement truncation of I32/U32); F32/F64 take any
 *   number (F32 rounded); Date from "YYYY-MM-DD" (1-2 digit month/day,
 *   4-6 digit signed year), "YYYYMMDD", a longer RFC 3339 date-time (its UTC
 *   date) or integer days (`invalid Date literal '<s>'`,
 *   `Date value out of range: <v>`); DateTime from RFC 3339 text (`T` or
 *   space, optional fraction, Z/±hh:mm, none = UTC), a bare date (midnight
 *   UTC) or integer ms (`invalid DateTime literal '<s>'`); Vector from a
 *   list of exactly dim numbers (`vector property 'p' expects n dimensions,
 *   got m`); Blob from "base64:<data>" → BLOB (decoded) or any other string
 *   → STRING (a URI reference); lists element-wise (`list property 'p'
 *   expects a JSON array, got <json>`); enum members only (OG_ECONSTRAINT,
 *   §2.9 text).
 * Output kinds: String/enum→STRING, Bool→BOOL, signed→INT, unsigned→UINT,
 * floats→FLOAT, DATE, DATETIME, BLOB/STRING, VECTOR, LIST. NULL stays NULL
 * (nullability is og_validate_required's job). Other failures are OG_EINVAL
 * naming `Type.prop`. Output memory comes from `a`. */
og_status og_value_convert(const og_type *t, const og_prop *p, const og_value *in, og_arena *a,
                           og_value *out, og_error *err);
/* Convert a jansson value (json_t *) to an og_value (strings/arrays borrowed
 * from the json value, arrays allocated in `a`). */
og_status og_value_from_json(const void *json, og_arena *a, og_value *out, og_error *err);

/* Value-level constraints of one property (after conversion): enum
 * membership, @range, @check, vector dimension. NULL passes. */
og_status og_validate_value(const og_type *t, const og_prop *p, const og_value *v, og_error *err);
/* Required check. mode 0 (mutation): `missing required property 'x'`;
 * mode 1 (load): `non-nullable property 'x' has null or invalid values`. */
enum { OG_REQ_MUTATION = 0, OG_REQ_LOAD = 1 };
og_status og_validate_required(const og_type *t, const og_prop *p, const og_value *v, int mode,
                               og_error *err);
/* Within-batch @unique on one column: values[i] is row i (NULLs exempt).
 * `@unique violation on User.email: value 'x' appears in rows 0 and 1`. */
og_status og_validate_unique_column(const og_type *t, const og_prop *p, const og_value *values,
                                    size_t n, og_error *err);
/* Within-batch uniqueness of a UNIQUE or KEY constraint as a true composite:
 * the tuple of c->cols must be unique; a row with any NULL column is exempt.
 * columns[k][i] is row i's value of c->cols[k] (edges: the caller supplies
 * "src"/"dst" too). One column gives og_validate_unique_column's message;
 * several: `@unique violation on T.(a, b): value '(x, y)' appears in rows 0 and 1`. */
og_status og_validate_unique_constraint(const og_type *t, const og_constraint *c,
                                        const og_value *const *columns, size_t n, og_error *err);
/* Cardinality of one source's out-degree (only call for count >= 1). */
og_status og_validate_card(const og_type *edge, const char *source_id, uint64_t count,
                           og_error *err);
/* The node id a keyed row gets: the text of its (converted) key value,
 * appended to `out`. NULL/absent → OG_ECONSTRAINT
 * `node Person missing @key property 'name'`. Non-String keys (I64 @key …)
 * use their text rendering (the reference's load path rejects them — a
 * quirk we do not copy). */
og_status og_key_text(const og_type *t, const og_value *v, og_buf *out, og_error *err);
/* Render a value as text (strings raw, numbers as JSON, dates ISO). */
og_status og_value_text(const og_value *v, og_buf *out);

/*==================== schema lint codes (§10.2) ====================*/

typedef struct og_lint_code {
  const char *code;     /* "OG-MF-103" */
  const char *family;   /* "MF" */
  const char *tier;     /* "safe" | "validated" | "destructive" */
  const char *severity; /* "error" | "warn" | "info" */
  const char *meaning;
  bool emitted;         /* emitted by v0.6.2 */
} og_lint_code;

const og_lint_code *og_lint_code_find(const char *code); /* NULL when unknown */
const og_lint_code *og_lint_codes(size_t *n);
/* `OG-` + 2 uppercase letters of a known family + `-` + 3 digits. */
bool og_lint_code_valid(const char *code);

/*==================== migration plan (§10.1) ====================*/

typedef enum og_step_kind {
  OG_STEP_ADD_TYPE = 0, OG_STEP_RENAME_TYPE, OG_STEP_ADD_PROPERTY, OG_STEP_RENAME_PROPERTY,
  OG_STEP_ADD_CONSTRAINT, OG_STEP_UPDATE_TYPE_METADATA, OG_STEP_UPDATE_PROPERTY_METADATA,
  OG_STEP_DROP_TYPE, OG_STEP_DROP_PROPERTY, OG_STEP_UNSUPPORTED
} og_step_kind;

typedef struct og_plan_step {
  og_step_kind kind;
  og_type_kind type_kind;
  const char *name;          /* ADD_TYPE, UPDATE_TYPE_METADATA, DROP_TYPE */
  const char *type_name;     /* property/constraint steps */
  const char *from, *to;     /* RENAME_* */
  const char *property_name; /* ADD/DROP_PROPERTY, UPDATE_PROPERTY_METADATA */
  og_proptype property_type; /* ADD_PROPERTY */
  const og_constraint *constraint; /* ADD_CONSTRAINT (borrowed from the desired catalog) */
  const og_annot *annots;    /* *_METADATA: desired description/instruction annotations */
  size_t n_annots;
  bool hard;                 /* DROP_*: mode hard (allow_data_loss) */
  const char *entity;        /* UNSUPPORTED: "node:Person.email" */
  const char *reason;
  const char *code;          /* UNSUPPORTED: "OG-MF-103" or NULL */
} og_plan_step;

typedef struct og_plan {
  bool supported;
  const og_plan_step *steps;
  size_t n_steps;
  void *priv;
} og_plan;

/* Steps borrow names, constraints and annotations from both catalogs: keep
 * `accepted` and `desired` alive while the plan is used. */
og_status og_plan_build(const og_catalog *accepted, const og_catalog *desired,
                        bool allow_data_loss, og_plan **out, og_error *err);
void og_plan_free(og_plan *p);
/* {"supported":true,"steps":[{"kind":"add_property",...}]} */
og_status og_plan_json(const og_plan *p, og_buf *out);
og_status og_plan_step_json(const og_plan_step *s, og_buf *out);
/* One CLI line without the "- " prefix: `add node type 'X'`, ... */
og_status og_plan_step_text(const og_plan_step *s, og_buf *out);
/* The user-facing message of an unsupported step: `[CODE] reason` or `reason`. */
og_status og_plan_step_message(const og_plan_step *s, og_buf *out);
/* Schema-lint diagnostics of a plan: a JSON array with one object per
 * unsupported step:
 * {"code":"OG-MF-103"|null,"family":"MF"|null,"tier":"validated"|null,
 *  "severity":"error","entity":"node:Person.email","message":"[OG-MF-103] …"}. */
og_status og_plan_lint_json(const og_plan *p, og_buf *out);

#ifdef __cplusplus
}
#endif
#endif
