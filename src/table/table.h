/*
 * table — versioned columnar tables over the object store (DESIGN.md §3.5).
 * Byte formats: docs/format-table.md.
 *
 * Model. A table version is an immutable *descriptor* object
 * ("<prefix>/ver/<ULID>") listing immutable fragments ("<prefix>/frag/<ULID>"),
 * their deletion vectors ("<prefix>/dv/<ULID>") and key-index segments
 * ("<prefix>/kidx/<ULID>"). Every operation writes new objects only and returns
 * a handle on a NEW descriptor; the input version is never modified. This
 * layer commits nothing: a descriptor becomes visible when the graph layer
 * references its key from a graph manifest. There is no table HEAD, no lock.
 *
 * Invariants:
 *  T1 Every row has a u64 row id, unique within the table's lineage, stable for
 *     the life of the row: it survives update (delete + re-append with the
 *     same id) and compaction. New rows get ids next_row_id, next_row_id+1, ...
 *  T2 Within a fragment row ids are strictly ascending (fragment row offset
 *     order == row id order); the descriptor records each fragment's min/max id.
 *  T3 A row id is live in at most one fragment of a version.
 *  T4 Deleting never rewrites a fragment: it writes a new deletion vector
 *     (previous one ∪ new offsets) for each touched fragment.
 *  T5 table_version = parent's + 1. content_version = parent's + 1 when the
 *     live rows changed (apply that deleted, updated or inserted a row;
 *     alter), unchanged otherwise (compact; an apply that matched nothing).
 *     Version 1 (create) has content_version 1.
 *  T6 Every object is checksummed (xxh3-64); any mismatch, truncation or
 *     malformed structure is OG_ECORRUPT with a message naming the object key.
 *     No byte read from the store is trusted.
 *  T7 og_table handles are immutable and refcounted; they may be shared by
 *     threads (internal caches are mutex-protected). Batches are not
 *     thread-safe.
 *  T8 A fragment whose rows are all deleted is dropped from the next
 *     descriptor; compaction drops deleted rows. Scan order is fragment order,
 *     then row id within a fragment (not globally sorted).
 *
 * Key column. A schema may name one STRING column as its key. Each fragment
 * then gets a key-index segment (sorted hash → row), and og_table_lookup
 * finds live rows by key in O(log n) per fragment without scanning data.
 * Key uniqueness is NOT enforced here (the graph layer checks it); when
 * several live rows share a key, lookup returns the one with the highest
 * row id.
 *
 * API changes after first publication are noted here:
 *  - predicate literal og_value/og_valkind/OG_VAL_* renamed og_cell/og_cellkind/
 *    OG_CELL_* (og_value belongs to lang).
 *  - og_column_init / og_column_dispose / og_column_clear made public.
 *  - og_table_alter added (schema rewrite preserving row ids).
 *  - og_table_cache_set_budget / og_table_cache_clear added.
 *  - og_table_write_opts.store and og_table_encode_moved added (small writes
 *    embedded in the graph manifest); object keys may be store slices.
 *  - og_table_write_opts.merge_tail_rows added (row-by-row writers).
 */
#ifndef OG_TABLE_H
#define OG_TABLE_H

#include "store/store.h"

/*==================== types and schema ====================*/

typedef enum og_coltype {
  OG_COL_INVALID = 0,
  OG_COL_BOOL = 1,
  OG_COL_I32 = 2,
  OG_COL_I64 = 3,
  OG_COL_U32 = 4,
  OG_COL_U64 = 5,
  OG_COL_F32 = 6,
  OG_COL_F64 = 7,
  OG_COL_DATE = 8,     /* i32 days since 1970-01-01 */
  OG_COL_DATETIME = 9, /* i64 ms since the epoch, UTC */
  OG_COL_STRING = 10,  /* UTF-8 (validated on append) */
  OG_COL_BLOB = 11,    /* arbitrary bytes */
  OG_COL_VECTOR = 12,  /* dim × f32 */
  OG_COL_LIST = 13     /* list of `elem` (any scalar except LIST / VECTOR) */
} og_coltype;

/* "bool", "i32", ... "list"; "?" for an unknown value. */
const char *og_coltype_name(og_coltype t);
/* Bytes per value for fixed-width scalars (BOOL is 1 byte in memory); 0 otherwise. */
size_t og_coltype_width(og_coltype t);

typedef struct og_colspec {
  const char *name;   /* unique within the schema, non-empty */
  og_coltype type;
  og_coltype elem;    /* LIST only: element type (not LIST/VECTOR) */
  uint32_t dim;       /* VECTOR only: >= 1 */
  bool nullable;
} og_colspec;

typedef struct og_table_schema {
  og_colspec *cols;
  size_t ncols;
  int key_col;        /* index of the STRING key column, or -1 */
} og_table_schema;

/* Validate (names unique, types consistent, key column a non-nullable STRING). */
og_status og_table_schema_check(const og_table_schema *s, og_error *err);
/* Column index by name, or -1. */
int og_table_schema_find(const og_table_schema *s, const char *name);
/* Deep copy into *dst (dst owns everything; free with og_table_schema_dispose). */
og_status og_table_schema_copy(og_table_schema *dst, const og_table_schema *src);
void og_table_schema_dispose(og_table_schema *s);

/*==================== in-memory columnar batch ====================*/

/*
 * A column of `count` rows. Layout (all buffers owned by the column):
 *  validity  bit i (LSB-first) = 1 when row i is non-null; always sized for
 *            `count` rows.
 *  BOOL/ints/floats/DATE/DATETIME: `data` holds count × width bytes
 *            (native little-endian values; BOOL one byte 0/1; null rows zero).
 *  VECTOR:   `data` holds count × dim floats (null rows zero).
 *  STRING/BLOB: `offsets` has count+1 entries; row i is
 *            data[offsets[i] .. offsets[i+1]) (null rows are empty).
 *  LIST:     `offsets` has count+1 entries indexing ELEMENTS; elements are
 *            stored like a column of type `elem` without validity: fixed-width
 *            elements in `data`; STRING/BLOB elements use `elem_offsets`
 *            (nelems+1 entries) into `data`.
 * Use the builder/accessor functions; the fields are public for fast loops.
 */
typedef struct og_column {
  og_coltype type;
  og_coltype elem;
  uint32_t dim;
  bool nullable;
  size_t count;       /* rows */
  size_t null_count;
  og_buf validity;
  og_buf data;
  OG_VEC(uint64_t) offsets;
  OG_VEC(uint64_t) elem_offsets;
  bool in_list;       /* builder state: a list row is open */
} og_column;

typedef struct og_batch {
  og_column *cols;
  size_t ncols;
  uint32_t *col_index;       /* cols[i] is table column col_index[i] */
  OG_VEC(uint64_t) rowids;   /* per row; filled by scans/fetch, by callers for updates */
} og_batch;
#define OG_BATCH_INIT {NULL, 0, NULL, OG_VEC_INIT}

/* A standalone empty column of spec's type (OG_ENOMEM only); dispose frees
 * its buffers (NULL/zeroed ok); clear drops the rows and keeps the memory. */
og_status og_column_init(og_column *c, const og_colspec *spec);
void og_column_dispose(og_column *c);
void og_column_clear(og_column *c);

/* A batch with every column of `s` (col_index = 0..ncols-1), or with the
 * listed columns only (cols == NULL → all). */
og_status og_batch_init(og_batch *b, const og_table_schema *s, og_error *err);
og_status og_batch_init_cols(og_batch *b, const og_table_schema *s, const uint32_t *cols,
                             size_t ncols, og_error *err);
/* Drop all rows, keep the allocations (for reuse in a loop). */
void og_batch_clear(og_batch *b);
void og_batch_dispose(og_batch *b);
/* Rows in the batch (= cols[0].count; 0 with no columns → rowids.count). */
size_t og_batch_rows(const og_batch *b);
/* Every column has the same row count, no list is open, rowids empty or equal. */
og_status og_batch_check(const og_batch *b, og_error *err);
/* Position of table column `table_col` in the batch, or -1. */
int og_batch_find(const og_batch *b, uint32_t table_col);

/* Builders: append one row value to a column. Type rules:
 *  push_int  : I32, I64, U32, DATE, DATETIME, U64 (range-checked → OG_EINVAL);
 *              F32/F64 (converted)
 *  push_uint : U64, the integer types when it fits, F32/F64 (converted)
 *  push_f64  : F32, F64 (an integer column → OG_ETYPE)
 *  push_bool : BOOL
 *  push_bytes: STRING (UTF-8 checked → OG_EINVAL), BLOB
 *  push_vector: VECTOR with n == dim
 *  push_null : any nullable column (OG_ECONSTRAINT when not nullable)
 * While a list row is open (list_begin … list_end) push_int/uint/f64/bool/
 * bytes append ELEMENTS of that row instead (nulls inside lists are not
 * supported). On a type/range/constraint error the column is unchanged
 * (a wrong type is OG_ETYPE). */
og_status og_column_push_null(og_column *c, og_error *err);
og_status og_column_push_int(og_column *c, int64_t v, og_error *err);
og_status og_column_push_uint(og_column *c, uint64_t v, og_error *err);
og_status og_column_push_f64(og_column *c, double v, og_error *err);
og_status og_column_push_bool(og_column *c, bool v, og_error *err);
og_status og_column_push_bytes(og_column *c, const void *p, size_t n, og_error *err);
og_status og_column_push_vector(og_column *c, const float *v, size_t n, og_error *err);
og_status og_column_list_begin(og_column *c, og_error *err);
og_status og_column_list_end(og_column *c, og_error *err);
/* Append row `row` of `src` (same type) to `dst`. */
og_status og_column_push_from(og_column *dst, const og_column *src, size_t row, og_error *err);

/* Borrowed readers (row < count; no type conversion beyond the noted). */
static inline bool og_column_is_null(const og_column *c, size_t row) {
  return !(((const uint8_t *)c->validity.ptr)[row >> 3] & (1u << (row & 7)));
}
/* BOOL, I32, I64, U32, DATE, DATETIME (U64 reinterpreted). 0 for null. */
int64_t og_column_get_i64(const og_column *c, size_t row);
uint64_t og_column_get_u64(const og_column *c, size_t row);
/* F32/F64 (ints converted). */
double og_column_get_f64(const og_column *c, size_t row);
bool og_column_get_bool(const og_column *c, size_t row);
/* STRING/BLOB bytes (not NUL-terminated); *len_out set. */
const char *og_column_get_bytes(const og_column *c, size_t row, size_t *len_out);
/* VECTOR: dim floats, 4-byte aligned. */
const float *og_column_get_vector(const og_column *c, size_t row);
/* LIST accessors. */
size_t og_column_list_len(const og_column *c, size_t row);
int64_t og_column_list_get_i64(const og_column *c, size_t row, size_t i);
uint64_t og_column_list_get_u64(const og_column *c, size_t row, size_t i);
double og_column_list_get_f64(const og_column *c, size_t row, size_t i);
const char *og_column_list_get_bytes(const og_column *c, size_t row, size_t i, size_t *len_out);

/*==================== table handles ====================*/

typedef struct og_table og_table;

/* Write tuning (NULL → defaults). */
typedef struct og_table_write_opts {
  uint32_t max_fragment_rows;   /* default 65536 */
  uint64_t max_fragment_bytes;  /* uncompressed estimate; default 64 MiB */
  uint32_t page_bytes;          /* target uncompressed page size; default 128 KiB */
  int zstd_level;               /* default 1 */
  og_store *store;              /* create the new version's objects through this store
                                   (a graph write's pack) and read the new handle
                                   through it; NULL = the base table's store */
  uint32_t merge_tail_rows;     /* a change that only inserts rewrites the trailing
                                   fragments no larger than what it writes, up to
                                   this many rows, into one (row ids kept, deleted
                                   rows dropped); 0 = never. Keeps a table written
                                   row by row at O(log) small fragments instead of
                                   one per write. */
} og_table_write_opts;
/* The merge_tail_rows the graph's writers use. */
#define OG_TABLE_MERGE_TAIL_ROWS 4096u

/* Empty table, version 1, under `prefix` (a store key prefix without a
 * trailing '/', e.g. "t/3f0a9c"). Writes one descriptor. */
og_status og_table_create(og_store *st, const char *prefix, const og_table_schema *schema,
                          og_table **out, og_error *err);
/* Open a descriptor by key (reads and verifies the descriptor only). */
og_status og_table_open(og_store *st, const char *descriptor_key, og_table **out, og_error *err);
og_table *og_table_ref(og_table *t);
void og_table_free(og_table *t); /* drops one reference; NULL ok */

const char *og_table_key(const og_table *t);        /* this descriptor's key */
const char *og_table_prefix(const og_table *t);
const char *og_table_parent_key(const og_table *t); /* "" for version 1 */
const og_table_schema *og_table_schema_get(const og_table *t);
uint64_t og_table_version(const og_table *t);
uint64_t og_table_content_version(const og_table *t);
uint64_t og_table_row_count(const og_table *t);      /* live rows */
uint64_t og_table_next_row_id(const og_table *t);
size_t og_table_fragment_count(const og_table *t);
og_store *og_table_store(const og_table *t);          /* borrowed */

/* Process-wide cache of decoded fragment metadata (footers, row ids, key
 * indexes) shared by every handle that lists the same fragment object, so
 * reopening a version does not reload them. Objects are immutable, so the
 * cache is never stale; og_table_verify always bypasses it. Default budget
 * 256 MiB; 0 disables caching across handles. */
void og_table_cache_set_budget(size_t bytes);
void og_table_cache_clear(void);

/*==================== writes (each → a new descriptor) ====================*/

/* One row-changing derivation. Any part may be empty; an all-empty change
 * still produces a new version (T5; the reference relies on it).
 *  deletes : row ids to delete; ids not live in `base` → OG_ENOTFOUND
 *            (unless ignore_missing)
 *  inserts : new rows; get fresh row ids (returned in *new_ids_out if non-NULL,
 *            in batch row order, caller frees with og_free)
 *  updates : rows replacing live rows; updates->rowids names the row of each
 *            batch row (must be live, unique) → same ids, new values
 * Batches must have every schema column, in schema order. */
typedef struct og_table_change {
  const uint64_t *deletes;
  size_t ndeletes;
  bool ignore_missing;
  const og_batch *inserts;
  const og_batch *updates;
} og_table_change;

og_status og_table_apply(og_table *base, const og_table_change *chg,
                         const og_table_write_opts *opts, og_table **out,
                         uint64_t **new_ids_out, og_error *err);
/* Conveniences over og_table_apply. */
og_status og_table_append(og_table *base, const og_batch *rows, og_table **out, og_error *err);
og_status og_table_delete_rowids(og_table *base, const uint64_t *ids, size_t n, og_table **out,
                                 og_error *err);
og_status og_table_update(og_table *base, const og_batch *rows, og_table **out, og_error *err);

/*==================== scans ====================*/

typedef enum og_cmp {
  OG_CMP_EQ, OG_CMP_NE, OG_CMP_LT, OG_CMP_LE, OG_CMP_GT, OG_CMP_GE,
  OG_CMP_IS_NULL, OG_CMP_NOT_NULL
} og_cmp;

/* Named og_cell (not og_value): og_value is the lang layer's generic value. */
typedef enum og_cellkind { OG_CELL_NULL, OG_CELL_INT, OG_CELL_UINT, OG_CELL_F64, OG_CELL_BOOL,
                          OG_CELL_BYTES } og_cellkind;
typedef struct og_cell {
  og_cellkind kind;
  union {
    int64_t i;
    uint64_t u;
    double f;
    bool b;
    struct { const char *p; size_t n; } s;
  } v;
} og_cell;

/* column OP literal. Numeric columns compare numerically against INT, UINT or
 * F64 literals; STRING/BLOB bytewise (memcmp, shorter first) against BYTES;
 * BOOL against BOOL. A null cell satisfies only IS_NULL. A literal of an
 * incompatible kind → OG_ETYPE at scan open. LIST/VECTOR: IS_NULL/NOT_NULL only. */
typedef struct og_pred {
  uint32_t col;
  og_cmp op;
  og_cell lit;
} og_pred;

typedef struct og_scan_opts {
  const uint32_t *cols;   /* projection (table column indexes); NULL → all;
                             non-NULL with ncols 0 → row ids only */
  size_t ncols;
  const og_pred *preds;   /* conjunction */
  size_t npreds;
} og_scan_opts;

typedef struct og_scan og_scan;

/* Streams live rows fragment by fragment (memory bounded by one fragment's
 * projected columns). Fragments whose min/max statistics exclude a predicate
 * are skipped without reading their pages. The scan holds a table ref. */
og_status og_table_scan(og_table *t, const og_scan_opts *opts, og_scan **out, og_error *err);
/* *out = next non-empty batch (columns = projection order, rowids filled),
 * borrowed until the next call or og_scan_free; NULL at the end. */
og_status og_scan_next(og_scan *s, const og_batch **out, og_error *err);
void og_scan_free(og_scan *s);
/* True if a batch row satisfies the predicates (same rules as the scan);
 * `b` must contain every predicate column. */
bool og_pred_match(const og_batch *b, size_t row, const og_pred *preds, size_t npreds);

/* Scan with the predicates and delete every matching row. *deleted_out (may
 * be NULL) receives the count. */
og_status og_table_delete_where(og_table *base, const og_pred *preds, size_t npreds,
                                og_table **out, uint64_t *deleted_out, og_error *err);

/*==================== point access ====================*/

/* Key lookup (schema must have a key column, else OG_EINVAL). OG_ENOTFOUND
 * when no live row has the key. */
og_status og_table_lookup(og_table *t, const char *key, size_t key_len, uint64_t *rowid_out,
                          og_error *err);
/* Batch lookup: rowids_out[i] = row id of keys[i] or UINT64_MAX when absent. */
og_status og_table_lookup_many(og_table *t, const char *const *keys, const size_t *key_lens,
                               size_t n, uint64_t *rowids_out, og_error *err);
/* Fetch rows by id, in the given order, into `out` (initialised by this call
 * with the projected columns; cols NULL → all). Absent/deleted id → OG_ENOTFOUND. */
og_status og_table_fetch(og_table *t, const uint64_t *rowids, size_t n, const uint32_t *cols,
                         size_t ncols, og_batch *out, og_error *err);
/* Is row id live in this version? */
og_status og_table_row_live(og_table *t, uint64_t rowid, bool *live_out, og_error *err);

/*==================== maintenance ====================*/

typedef struct og_compact_opts {
  uint32_t target_rows;       /* default 65536: fragments smaller than half are merged */
  double max_deleted_ratio;   /* default 0.1: fragments with more deleted are rewritten */
} og_compact_opts;

/* Content-preserving rewrite: merge small fragments, drop deleted rows,
 * keep row ids. *changed_out (may be NULL) = false when there was nothing to
 * do — then *out is a new ref to `base` itself and nothing is written. */
og_status og_table_compact(og_table *base, const og_compact_opts *opts, og_table **out,
                           bool *changed_out, og_error *err);

/* Carry ours' row changes relative to base (appended fragments, newly deleted
 * row ids) onto theirs, which must derive from base by content-preserving
 * changes only (theirs.content_version == base.content_version, else
 * OG_ECONFLICT; same schema, else OG_ECONFLICT). A row deleted by ours that
 * is no longer live in theirs → OG_ECONFLICT. Precondition (not checkable):
 * ours derives from base through row changes only (apply / delete_where /
 * append / update), never through compact or alter. Result: version
 * theirs+1, content_version ours', next_row_id max(ours, theirs). Objects of
 * ours' new fragments are shared, not copied; the result is created
 * through ours' store (which may be a graph write's pack). */
og_status og_table_rebase(og_table *base, og_table *ours, og_table *theirs, og_table **out,
                          og_error *err);

/* Schema change (schema apply's "rewritten" / "renamed" tables). Column i of
 * `schema` takes its values from base column src_cols[i], or is all null when
 * src_cols[i] < 0 (then it must be nullable unless the table is empty).
 * Source and target types must be equal (type, elem, dim); a nullable source
 * feeding a non-nullable column must hold no nulls (else OG_ECONSTRAINT).
 * Row ids are preserved; deleted rows are dropped. new_prefix NULL keeps the
 * prefix (a different prefix writes every object under it: a renamed table).
 * When only names change (same prefix, identity mapping, same types and key
 * column) the fragments are shared and nothing but a descriptor is written.
 * Result: version base+1, content_version base+1. */
og_status og_table_alter(og_table *base, const char *new_prefix, const og_table_schema *schema,
                         const int *src_cols, og_table **out, og_error *err);

/* The descriptor of `t` re-encoded with object keys renamed: map(ctx, key)
 * answers the new name of a referenced object (fragment, deletion vector,
 * key index, parent descriptor) or NULL to keep it. A graph write uses it to
 * move a version's held-back objects into the object that commits it (their
 * names become slices of that object). The result decodes like any
 * descriptor; `t` is unchanged. */
typedef const char *(*og_table_key_map)(void *ctx, const char *key);
og_status og_table_encode_moved(const og_table *t, og_table_key_map map, void *ctx, og_buf *out,
                                og_error *err);

/* Every object key this version references, itself included (sorted, unique). */
og_status og_table_objects(og_table *t, og_keylist *out, og_error *err);

/* Read every referenced object and check checksums, structure, row counts,
 * row-id ranges and key-index consistency. First problem → OG_ECORRUPT
 * (or OG_ENOTFOUND for a missing object), naming the key. */
og_status og_table_verify(og_table *t, og_error *err);

#endif
