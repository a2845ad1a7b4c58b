/*
 * JSONL load: classify → convert/validate → per-type chunked batches →
 * fragments on a running table version → RI / @card → one graph commit.
 * See load.h for the invariants and docs/load.md for the user contract.
 */
#include "load/load.h"

#include "load/jdom.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CHUNK 262144
#define MAX_UNIQUE 16

typedef OG_VEC(uint64_t) u64vec;

typedef struct deferred {
  uint64_t row;  /* 1-based row of the edge type */
  uint64_t rec;
  uint64_t line;
  char *id;      /* in the type's arena */
  bool is_dst;
} deferred;

/* Endpoint resolution of one edge chunk (see resolve_begin), reused chunk
 * after chunk: fresh scratch of this size per chunk cost page faults that
 * showed up in profiles. */
typedef struct epside {
  size_t m;        /* endpoints that need phase B */
  bool all;        /* ... every row of the chunk (rows[] unused) */
  size_t cap;
  size_t *rows;    /* else: their batch rows */
  /* phase B scratch */
  uint32_t *ref;   /* per endpoint: index into the distinct lookups, or a cached answer */
  size_t qcap;
  const char **qkeys;
  size_t *qlens;
  uint64_t *qhash;
  uint64_t *qfound;
} epside;

typedef struct epwork {
  epside s[2];     /* 0 src, 1 dst */
  bool probe[2];
  struct probe *pr[2]; /* the committed table each side is looked up in */
  uint64_t first_row; /* 1-based type row of batch row 0 */
  const u64vec *rec, *line; /* record number and line of each batch row */
} epwork;

typedef struct ltype {
  const og_type *t;
  bool is_edge;
  char key[320];
  og_table *base;  /* pinned version */
  og_table *cur;   /* running version (base + flushed chunks) */
  const og_table_schema *schema;
  int *prop_col;   /* table column of each catalog property */
  og_value *vals;  /* one row, by table column */
  og_batch bufs[2]; /* double buffer: one fills while the writer writes the other */
  epwork wk[2];     /* edges: endpoint work of each buffer's chunk */
  int cur_buf;
  u64vec rec[2], line[2]; /* record number and first line of each buffered row, per buffer */
  OG_VEC(uint8_t) explicit_id;
  uint64_t rows;    /* rows of this type seen so far */
  uint64_t flushed; /* rows already written */
  og_map ids;       /* id → 1-based row (nodes: all; edges: explicit ids only) */
  og_unique_set uniq[MAX_UNIQUE];
  size_t nuniq;
  og_map umaps[MAX_UNIQUE];
  bool truncated;
  bool replaced_any;
  bool probed[2];   /* overwrite: endpoints (from, to) resolved against committed rows */
  OG_VEC(deferred) deferred;
  og_arena darena;
} ltype;

/* The background writer: encodes, compresses and durably writes one chunk
 * (og_table_apply) while the main thread parses the next one. At most one
 * chunk is in flight; the main thread waits for it before submitting
 * another or reading a running table version. */
enum { PB_NONE, PB_PENDING, PB_WRITER, PB_MAIN };

typedef struct writer {
  pthread_t th;
  bool started, busy, quit;
  /* phase B of the chunk in flight (see writer_wait): run by whichever
   * thread gets to it first, the writer after its write or the main thread
   * when it comes to wait for the writer */
  int pb;              /* PB_*: not needed, waiting, taken by the writer / by main */
  struct ltype *pbT;
  const og_batch *pbb;
  struct epwork *pbw;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  struct loader *L;
  struct ltype *T;     /* job: apply `batch` (+ `dels`) onto T->cur */
  og_batch *batch;
  OG_VEC(uint64_t) dels;
  uint32_t frag_rows;
  og_status rc;        /* sticky */
  og_error err;
} writer;

typedef struct loader {
  const og_load_req *req;
  og_graph_write *w;
  og_snapshot *snap;
  const og_catalog *cat;
  og_catalog *owned_cat;
  OG_VEC(ltype *) types; /* first-appearance order */
  og_map by_key;         /* table key → ltype* */
  og_map probes;         /* table key → probe* (committed tables not in the input) */
  og_arena rowarena;     /* per-chunk scratch for converted values */
  og_buf tmp;
  size_t chunk;
  /* the first chunk of a load is a quarter of the others: the writer idles
   * until it is parsed, the main thread waits for the last one's write, and
   * the first is the one that can be shorter without knowing the input */
  size_t first_chunk;
  writer bg;
  char ulid[OG_ULID_LEN + 1]; /* last generated id (see next_ulid) */
  uint32_t ulid_left;         /* ids of its block not handed out yet */
  /* records of one type come in runs: the last type name's catalog entry
   * and the last ltype spare a catalog lookup and a key format per record */
  char last_name[256];
  size_t last_len;
  bool last_is_edge;
  const og_type *last_t;
  ltype *last_T;
} loader;

#define BATCH(T) (&(T)->bufs[(T)->cur_buf])

/*==================== helpers ====================*/

static const char *mode_names[] = {"overwrite", "append", "merge"};

const char *og_load_mode_name(og_load_mode m) {
  return (unsigned)m < 3 ? mode_names[m] : "?";
}

og_status og_load_mode_parse(const char *s, og_load_mode *out, og_error *err) {
  for (int i = 0; i < 3; i++)
    if (s && strcmp(s, mode_names[i]) == 0) {
      *out = (og_load_mode)i;
      return OG_OK;
    }
  return og_err_set(err, OG_EINVAL, "invalid load mode '%s' (expected overwrite, append or merge)",
                    s ? s : "");
}

void og_load_result_dispose(og_load_result *r) {
  if (!r) return;
  for (size_t i = 0; i < r->ntypes; i++) og_free(r->types[i].name);
  og_free(r->types);
  memset(r, 0, sizeof *r);
}

/* Prefix a row error with its record number and point err at its line. */
static og_status at_record(og_status rc, og_error *err, uint64_t rec, uint64_t line) {
  if (rc && err) {
    og_err_prefix(err, "record %llu", (unsigned long long)rec);
    if (!err->line) {
      err->line = (int)line;
      err->column = 1;
    }
  }
  return rc;
}

static void epwork_dispose(epwork *wk);

static void ltype_free(ltype *T) {
  if (!T) return;
  og_table_free(T->base);
  og_table_free(T->cur);
  og_free(T->prop_col);
  og_free(T->vals);
  og_batch_dispose(&T->bufs[0]);
  og_batch_dispose(&T->bufs[1]);
  for (int b = 0; b < 2; b++) {
    epwork_dispose(&T->wk[b]);
    OG_VEC_FREE(&T->rec[b]);
    OG_VEC_FREE(&T->line[b]);
  }
  OG_VEC_FREE(&T->explicit_id);
  og_map_dispose(&T->ids);
  for (size_t i = 0; i < MAX_UNIQUE; i++) og_map_dispose(&T->umaps[i]);
  OG_VEC_FREE(&T->deferred);
  og_arena_dispose(&T->darena);
  og_free(T);
}

/* Capacity for `rows` rows in b's scalar columns (a guess for string
 * bytes), so a chunk fills without reallocating and copying as it grows.
 * Reserved pages that are never filled cost address space only. Best
 * effort: a failed reservation leaves the growth to the pushes. */
static void reserve_rows(og_batch *b, size_t rows) {
  for (size_t c = 0; c < b->ncols; c++) {
    og_column *col = &b->cols[c];
    size_t w = og_coltype_width(col->type);
    if (col->type == OG_COL_STRING || col->type == OG_COL_BLOB) {
      w = 16;
      if (og_array_reserve((void **)&col->offsets.items, &col->offsets.cap, rows + 1,
                           sizeof *col->offsets.items))
        return;
    }
    if (!w) continue; /* lists, vectors */
    if (og_buf_grow(&col->data, w * rows) || og_buf_grow(&col->validity, rows / 8 + 1)) {
      col->data.oom = col->validity.oom = false; /* not sticky: the pushes retry */
      return;
    }
    col->data.ptr[col->data.len] = '\0'; /* og_buf: NUL-terminated when allocated */
    col->validity.ptr[col->validity.len] = '\0';
  }
}

static og_status get_type(loader *L, const og_type *t, ltype **out, og_error *err) {
  if (L->last_T && L->last_T->t == t) {
    *out = L->last_T;
    return OG_OK;
  }
  char key[320];
  og_exec_table_key(t, key, sizeof key);
  void *found;
  if (og_map_sget(&L->by_key, key, &found)) {
    *out = L->last_T = found;
    return OG_OK;
  }
  og_status rc;
  ltype *T = og_calloc(1, sizeof *T);
  if (!T) return og_err_oom(err);
  T->t = t;
  T->is_edge = t->kind == OG_KIND_EDGE;
  snprintf(T->key, sizeof T->key, "%s", key);
  og_arena_init(&T->darena, 4096);
  if ((rc = og_snapshot_table(L->snap, key, &T->base, err))) {
    if (rc == OG_ENOTFOUND) og_err_set(err, OG_ECORRUPT, "no table %s in the branch head", key);
    goto fail;
  }
  T->cur = og_table_ref(T->base);
  T->schema = og_table_schema_get(T->base);
  T->prop_col = og_calloc(t->n_props ? t->n_props : 1, sizeof *T->prop_col);
  T->vals = og_calloc(T->schema->ncols, sizeof *T->vals);
  if (!T->prop_col || !T->vals) {
    rc = og_err_oom(err);
    goto fail;
  }
  for (size_t i = 0; i < t->n_props; i++) {
    T->prop_col[i] = og_table_schema_find(T->schema, t->props[i].name);
    if (T->prop_col[i] < 0) {
      rc = og_err_set(err, OG_ECORRUPT, "table %s has no column '%s'", key, t->props[i].name);
      goto fail;
    }
  }
  if ((rc = og_batch_init(&T->bufs[0], T->schema, err)) || (rc = og_batch_init(&T->bufs[1], T->schema, err)))
    goto fail;
  {
    size_t rows = L->chunk < DEFAULT_CHUNK ? L->chunk : DEFAULT_CHUNK;
    reserve_rows(&T->bufs[0], rows);
    reserve_rows(&T->bufs[1], rows);
    for (int b = 0; b < 2; b++) {
      (void)og_array_reserve((void **)&T->rec[b].items, &T->rec[b].cap, rows, sizeof *T->rec[b].items);
      (void)og_array_reserve((void **)&T->line[b].items, &T->line[b].cap, rows, sizeof *T->line[b].items);
    }
    (void)og_array_reserve((void **)&T->explicit_id.items, &T->explicit_id.cap, rows, 1);
  }
  T->nuniq = og_write_unique_sets(t, T->schema, T->uniq, MAX_UNIQUE);
  if ((rc = OG_VEC_PUSH(&L->types, T))) {
    rc = og_err_oom(err);
    goto fail;
  }
  if (og_map_sput(&L->by_key, key, T)) {
    L->types.count--;
    rc = og_err_oom(err);
    goto fail;
  }
  *out = L->last_T = T;
  return OG_OK;
fail:
  ltype_free(T);
  return rc;
}

/* A committed table of the pinned head that endpoints are looked up in,
 * with its cache of answers (see resolve_finish). */
typedef struct kslot {
  uint64_t h;
  uint32_t off; /* of the key (u32 length, bytes) in keys; 0 = empty slot */
  uint32_t val; /* HIT_FOUND / HIT_MISSING, or within a chunk a pending lookup */
} kslot;

/* An exact cache key → answer (open addressing on 64-bit hashes, keys in
 * one buffer): cheaper than og_map (no allocation per key, one compact
 * slot array) on the hot path of edge loads. */
typedef struct kcache {
  kslot *slots;
  size_t cap, count;
  og_buf keys;
} kcache;

typedef struct probe {
  og_table *t;
  kcache hits;
  bool complete; /* hits holds every id of t: a key not in it is missing */
} probe;

static void probe_free(probe *p) {
  if (!p) return;
  og_table_free(p->t);
  og_free(p->hits.slots);
  og_buf_dispose(&p->hits.keys);
  og_free(p);
}

static og_status probe_get(loader *L, const char *key, probe **out, og_error *err) {
  void *found;
  if (og_map_sget(&L->probes, key, &found)) {
    *out = found;
    return OG_OK;
  }
  probe *p = og_calloc(1, sizeof *p);
  if (!p) return og_err_oom(err);
  og_status rc = og_snapshot_table(L->snap, key, &p->t, err);
  if (rc) {
    og_free(p);
    return rc;
  }
  if (og_map_sput(&L->probes, key, p)) {
    probe_free(p);
    return og_err_oom(err);
  }
  *out = p;
  return OG_OK;
}

static og_status probe_table(loader *L, const char *key, og_table **out, og_error *err) {
  probe *p;
  og_status rc = probe_get(L, key, &p, err);
  if (!rc) *out = p->t;
  return rc;
}

static ltype *find_loaded(loader *L, const char *kind, const char *name) {
  char key[320];
  snprintf(key, sizeof key, "%s:%s", kind, name);
  void *found;
  return og_map_sget(&L->by_key, key, &found) ? found : NULL;
}

/* A fresh ULID for a row without an id (monotonic within the process, so
 * consecutive ids share prefixes and compress well), from a reserved block:
 * a lock and a clock read per id were ~5% of an edge load. */
#define ULID_BLOCK 4096
static og_status next_ulid(loader *L, og_error *err) {
  if (L->ulid_left) {
    og_ulid_incr(L->ulid);
    L->ulid_left--;
    return OG_OK;
  }
  if (og_ulid_new_block(L->ulid, ULID_BLOCK)) return og_err_set(err, OG_EIO, "could not generate an id");
  L->ulid_left = ULID_BLOCK - 1;
  return OG_OK;
}

/*==================== value conversion (data.md §2.5) ====================*/

/* JSON → typed value with the loader's rules: a value of the wrong JSON kind
 * for a scalar becomes null (the required check then names the property);
 * out-of-range integers, bad dates, bad lists and vectors are errors. */
static og_status jv_value(loader *L, const og_jdoc *doc, const og_jnode *j, og_value *out,
                          og_error *err) {
  memset(out, 0, sizeof *out);
  switch (j->k) {
  case OG_J_NULL: return OG_OK;
  case OG_J_TRUE:
  case OG_J_FALSE: out->kind = OG_V_BOOL; out->u.b = j->k == OG_J_TRUE; return OG_OK;
  case OG_J_INT: out->kind = OG_V_INT; out->u.i = j->i; return OG_OK;
  case OG_J_REAL: out->kind = OG_V_FLOAT; out->u.f = j->d; return OG_OK;
  case OG_J_STR: out->kind = OG_V_STRING; out->u.s.ptr = j->s; out->u.s.len = j->slen; return OG_OK;
  case OG_J_ARR: {
    og_value *items = og_arena_alloc(&L->rowarena, (j->n ? j->n : 1) * sizeof *items);
    if (!items) return og_err_oom(err);
    size_t i = 0;
    for (const og_jnode *c = og_jnode_at(doc, j->first); c; c = og_jnode_at(doc, c->next)) {
      og_status rc = jv_value(L, doc, c, &items[i++], err);
      if (rc) return rc;
    }
    out->kind = OG_V_LIST;
    out->u.list.items = items;
    out->u.list.n = j->n;
    return OG_OK;
  }
  case OG_J_OBJ: break;
  }
  return og_err_set(err, OG_EINVAL, "unsupported JSON value (object) for a property");
}

/* JSON → typed value with the loader's rules: a value of the wrong JSON kind
 * for a scalar becomes null (the required check then names the property);
 * out-of-range integers, bad dates, bad lists and vectors are errors. */
static og_status load_value(loader *L, const og_type *t, const og_prop *p, const og_jdoc *doc,
                            const og_jnode *j, og_value *out, og_error *err) {
  memset(out, 0, sizeof *out);
  og_status rc;
  if (j && j->k != OG_J_NULL) {
    bool ok = true;
    if (p->type.list && j->k != OG_J_ARR)
      return og_err_set(err, OG_EINVAL, "list property '%s' expects a JSON array, got %.*s", p->name,
                        (int)(j->rawlen > 200 ? 200 : j->rawlen), j->raw);
    if (!p->type.list && p->type.scalar == OG_SC_VECTOR && j->k != OG_J_ARR) ok = false;
    if (!p->type.list && p->type.scalar != OG_SC_VECTOR && p->type.scalar != OG_SC_BLOB) {
      switch (p->type.scalar) {
      case OG_SC_STRING: ok = j->k == OG_J_STR; break;
      case OG_SC_BOOL: ok = j->k == OG_J_TRUE || j->k == OG_J_FALSE; break;
      case OG_SC_I32:
      case OG_SC_I64:
      case OG_SC_U32:
      case OG_SC_U64: ok = j->k == OG_J_INT; break;
      case OG_SC_F32:
      case OG_SC_F64: ok = j->k == OG_J_INT || j->k == OG_J_REAL; break;
      case OG_SC_DATE:
      case OG_SC_DATETIME: ok = j->k == OG_J_INT || j->k == OG_J_STR; break;
      default: break;
      }
    }
    if (ok) {
      og_value in;
      if ((rc = jv_value(L, doc, j, &in, err))) return rc;
      if (in.kind == OG_V_STRING && !p->type.list && p->type.scalar == OG_SC_STRING && !p->type.n_enum) {
        *out = in; /* the common case: no conversion needed */
      } else if ((rc = og_value_convert(t, p, &in, &L->rowarena, out, err))) {
        return rc;
      }
    }
  }
  if (out->kind == OG_V_NULL) {
    if (p->type.nullable) return OG_OK;
    if (!p->type.list && p->type.scalar == OG_SC_VECTOR)
      return og_err_set(err, OG_ECONSTRAINT, "non-nullable vector property '%s' has null values",
                        p->name);
    if (!p->type.list && p->type.scalar == OG_SC_BLOB)
      return og_err_set(err, OG_ECONSTRAINT, "non-nullable blob property '%s' has null values",
                        p->name);
    return og_validate_required(t, p, out, OG_REQ_LOAD, err);
  }
  return og_validate_value(t, p, out, err);
}

/*==================== uniqueness within the load ====================*/

static og_status check_unique(loader *L, ltype *T, uint64_t row, og_error *err) {
  for (size_t u = 0; u < T->nuniq; u++) {
    const og_unique_set *s = &T->uniq[u];
    /* a node's single-column key is its id: covered by the id set */
    if (!T->is_edge && s->is_key && s->ncols == 1) continue;
    og_buf_clear(&L->tmp);
    bool has_null = false;
    for (size_t k = 0; k < s->ncols && !has_null; k++) {
      const og_value *v = &T->vals[s->table_cols[k]];
      if (v->kind == OG_V_NULL) has_null = true;
      else {
        if (k) og_buf_putc(&L->tmp, '\x1f'); /* unit separator: "a, b"+"c" != "a"+"b, c" */
        og_write_value_key(v, &L->tmp);
      }
    }
    if (has_null) continue;
    if (L->tmp.oom) return og_err_oom(err);
    void *prev;
    if (og_map_get(&T->umaps[u], L->tmp.ptr, L->tmp.len, &prev)) {
      og_buf cols = OG_BUF_INIT, val = OG_BUF_INIT;
      for (size_t k = 0; k < s->ncols; k++) og_buf_printf(&cols, "%s%s", k ? ", " : "", s->cols[k]);
      for (size_t k = 0; k < L->tmp.len; k++) {
        if (L->tmp.ptr[k] == '\x1f') og_buf_puts(&val, ", ");
        else og_buf_putc(&val, L->tmp.ptr[k]);
      }
      og_status rc = og_err_set(err, OG_ECONSTRAINT,
                                "@unique violation on %s.%s%s%s: value '%.*s' appears in rows %llu and %llu",
                                T->t->name, s->ncols > 1 ? "(" : "", cols.ptr ? cols.ptr : "",
                                s->ncols > 1 ? ")" : "", (int)(val.len > 300 ? 300 : val.len),
                                val.ptr ? val.ptr : "", (unsigned long long)((uintptr_t)prev - 1),
                                (unsigned long long)(row - 1));
      og_buf_dispose(&cols);
      og_buf_dispose(&val);
      return rc;
    }
    if (og_map_put(&T->umaps[u], L->tmp.ptr, L->tmp.len, (void *)(uintptr_t)row)) return og_err_oom(err);
  }
  return OG_OK;
}

/*==================== rows ====================*/

static og_status flush(loader *L, ltype *T, og_error *err);

static og_status push_row(loader *L, ltype *T, uint64_t rec, uint64_t line, bool explicit_id,
                          og_error *err) {
  og_status rc;
  for (size_t c = 0; c < T->schema->ncols; c++)
    if ((rc = og_write_push_value(&BATCH(T)->cols[c], &T->vals[c], err))) return rc;
  if (OG_VEC_PUSH(&T->rec[T->cur_buf], rec) || OG_VEC_PUSH(&T->line[T->cur_buf], line) ||
      OG_VEC_PUSH(&T->explicit_id, (uint8_t)explicit_id))
    return og_err_oom(err);
  if (og_batch_rows(BATCH(T)) >= L->first_chunk) {
    L->first_chunk = L->chunk;
    return flush(L, T, err);
  }
  return OG_OK;
}

/* Record the row's id; duplicates are errors except for explicit ids of
 * keyless types / edges in merge mode (last wins, resolved at flush). */
static og_status note_id(loader *L, ltype *T, const char *id, size_t len, uint64_t row,
                         og_error *err) {
  void *prev;
  if (og_map_get(&T->ids, id, len, &prev)) {
    const og_prop *kp = T->is_edge ? NULL : T->t->key_prop;
    if (kp)
      return og_err_set(err, OG_ECONSTRAINT,
                        "@unique violation on %s.%s: value '%.*s' appears in rows %llu and %llu",
                        T->t->name, kp->name, (int)(len > 300 ? 300 : len), id,
                        (unsigned long long)((uintptr_t)prev - 1), (unsigned long long)(row - 1));
    if (L->req->mode != OG_LOAD_MERGE)
      return og_err_set(err, OG_ECONSTRAINT,
                        "duplicate id '%.*s' for %s %s in rows %llu and %llu (only merge mode "
                        "lets a later row replace an earlier one)",
                        (int)(len > 300 ? 300 : len), id, T->is_edge ? "edge" : "node", T->t->name,
                        (unsigned long long)((uintptr_t)prev - 1), (unsigned long long)(row - 1));
  }
  if (og_map_put(&T->ids, id, len, (void *)(uintptr_t)row)) return og_err_oom(err);
  return OG_OK;
}

static og_status load_props(loader *L, ltype *T, const og_jdoc *doc, const og_jnode *data,
                            og_error *err) {
  og_status rc;
  if (!data || T->t->n_props == 0) {
    for (size_t i = 0; i < T->t->n_props; i++)
      if ((rc = load_value(L, T->t, &T->t->props[i], doc, NULL, &T->vals[T->prop_col[i]], err))) return rc;
    return OG_OK;
  }
  for (size_t i = 0; i < T->t->n_props; i++) {
    const og_prop *p = &T->t->props[i];
    const og_jnode *j = og_jobj_get(doc, data, p->name);
    if ((rc = load_value(L, T->t, p, doc, j, &T->vals[T->prop_col[i]], err))) return rc;
  }
  return OG_OK;
}

static og_status node_record(loader *L, const og_type *t, const og_jdoc *doc,
                             const og_jnode *data, uint64_t rec, uint64_t line, og_error *err) {
  ltype *T;
  og_status rc = get_type(L, t, &T, err);
  if (rc) return rc;
  uint64_t row = T->rows + 1;
  if (t->key_prop) {
    /* the key is checked before any other property (data.md §2.3) */
    const og_jnode *kj = og_jobj_get(doc, data, t->key_prop->name);
    bool ok = kj && kj->k != OG_J_NULL;
    if (ok && t->key_prop->type.scalar == OG_SC_STRING && kj->k != OG_J_STR) ok = false;
    if (!ok)
      return og_err_set(err, OG_EINVAL, "node %s missing @key property '%s'", t->name,
                        t->key_prop->name);
  }
  if ((rc = load_props(L, T, doc, data, err))) return rc;
  const og_jnode *jid = og_jobj_get(doc, data, "id");
  const char *eid = jid && jid->k == OG_J_STR ? jid->s : NULL;
  size_t eid_len = eid ? jid->slen : 0;
  og_value *idv = &T->vals[0];
  bool explicit_id = true;
  if (t->key_prop) {
    const og_value *kv = &T->vals[T->prop_col[t->key_prop->index]];
    if (kv->kind == OG_V_NULL)
      return og_err_set(err, OG_EINVAL, "node %s missing @key property '%s'", t->name,
                        t->key_prop->name);
    og_buf_clear(&L->tmp);
    og_write_value_key(kv, &L->tmp);
    if (L->tmp.oom) return og_err_oom(err);
    char *id = og_arena_memdup(&L->rowarena, L->tmp.ptr, L->tmp.len + 1);
    if (!id) return og_err_oom(err);
    if (eid && (eid_len != L->tmp.len || memcmp(eid, id, eid_len) != 0))
      return og_err_set(err, OG_EINVAL,
                        "node %s has explicit id '%.*s' that does not match @key property '%s' value '%s'",
                        t->name, (int)(eid_len > 300 ? 300 : eid_len), eid, t->key_prop->name, id);
    *idv = (og_value){.kind = OG_V_STRING, .u.s = {id, L->tmp.len}};
  } else if (eid) {
    *idv = (og_value){.kind = OG_V_STRING, .u.s = {eid, eid_len}};
  } else {
    if ((rc = next_ulid(L, err))) return rc;
    *idv = (og_value){.kind = OG_V_STRING, .u.s = {L->ulid, OG_ULID_LEN}};
    explicit_id = false;
  }
  if ((rc = note_id(L, T, idv->u.s.ptr, idv->u.s.len, row, err))) return rc;
  if ((rc = check_unique(L, T, row, err))) return rc;
  T->rows++;
  return push_row(L, T, rec, line, explicit_id, err);
}

/* An edge row from its endpoints and its optional data object (doc and
 * data NULL: none). */
static og_status edge_row(loader *L, const og_type *t, const char *from, size_t flen, const char *to,
                          size_t tlen, const og_jdoc *doc, const og_jnode *data, uint64_t rec, uint64_t line,
                          og_error *err) {
  ltype *T;
  og_status rc = get_type(L, t, &T, err);
  if (rc) return rc;
  uint64_t row = T->rows + 1;
  if ((rc = load_props(L, T, doc, data, err))) return rc;
  T->vals[1] = (og_value){.kind = OG_V_STRING, .u.s = {from, flen}};
  T->vals[2] = (og_value){.kind = OG_V_STRING, .u.s = {to, tlen}};
  const og_jnode *jid = og_jobj_get(doc, data, "id");
  bool explicit_id = jid && jid->k == OG_J_STR;
  if (explicit_id) {
    T->vals[0] = (og_value){.kind = OG_V_STRING, .u.s = {jid->s, jid->slen}};
    if ((rc = note_id(L, T, jid->s, jid->slen, row, err))) return rc;
  } else {
    if ((rc = next_ulid(L, err))) return rc;
    T->vals[0] = (og_value){.kind = OG_V_STRING, .u.s = {L->ulid, OG_ULID_LEN}};
  }
  if ((rc = check_unique(L, T, row, err))) return rc;
  T->rows++;
  return push_row(L, T, rec, line, explicit_id, err);
}

static og_status edge_record(loader *L, const og_type *t, const og_jdoc *doc, const og_jnode *from,
                             const og_jnode *to, const og_jnode *data, uint64_t rec, uint64_t line,
                             og_error *err) {
  if (!from || from->k != OG_J_STR) return og_err_set(err, OG_EINVAL, "edge missing 'from'");
  if (!to || to->k != OG_J_STR) return og_err_set(err, OG_EINVAL, "edge missing 'to'");
  return edge_row(L, t, from->s, from->slen, to->s, to->slen, doc, data, rec, line, err);
}

/* A type name as a NUL-terminated string (names are short; long ones are
 * unknown anyway). */
static const char *jname(const char *s, size_t len, char *buf, size_t cap) {
  size_t n = len < cap - 1 ? len : cap - 1;
  memcpy(buf, s, n);
  buf[n] = '\0';
  return buf;
}

/* The catalog type a record names (s, len; NULL when unknown), through the
 * one-entry cache of the last name. */
static const og_type *record_type_s(loader *L, const char *s, size_t len, bool is_edge) {
  if (L->last_t && L->last_is_edge == is_edge && len == L->last_len && len < sizeof L->last_name &&
      memcmp(s, L->last_name, len) == 0)
    return L->last_t;
  char name[256];
  jname(s, len, name, sizeof name);
  const og_type *t = is_edge ? og_catalog_edge(L->cat, name) : og_catalog_node(L->cat, name);
  if (!t && is_edge) t = og_catalog_edge_ci(L->cat, name);
  if (t && len < sizeof L->last_name) {
    memcpy(L->last_name, s, len);
    L->last_len = len;
    L->last_is_edge = is_edge;
    L->last_t = t;
  }
  return t;
}

static const og_type *record_type(loader *L, const og_jnode *j, bool is_edge) {
  return record_type_s(L, j->s, j->slen, is_edge);
}

/*---- the fast path of plain edge records ----*/

/* A record {"edge": E, "from": F, "to": T} (members in any order, each
 * once, nothing else, strings without escapes or control bytes) read
 * straight from the input text: the common shape of bulk edge loads, which
 * then skips the DOM. Anything else (or a record cut by the end of the
 * buffer) returns 0 and takes the general path, which gives the same rows
 * and the same errors for these records. */
typedef struct plain_edge {
  const char *v[3]; /* edge, from, to */
  size_t n[3];
} plain_edge;

static inline bool pe_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* The string at p[i] == '"' ends at the returned index (its closing
 * quote), 0 when it has an escape or a control byte or runs past n. */
static size_t pe_string(const char *p, size_t i, size_t n) {
  for (i++; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c == '"') return i;
    if (c == '\\' || c < 0x20) return 0;
  }
  return 0;
}

static size_t plain_edge_parse(const char *p, size_t n, plain_edge *out) {
  size_t i = 1; /* past '{' */
  unsigned seen = 0;
  for (;;) {
    while (i < n && pe_ws(p[i])) i++;
    if (i >= n || p[i] != '"') return 0;
    size_t ke = pe_string(p, i, n);
    if (!ke) return 0;
    const char *k = p + i + 1;
    size_t kl = ke - i - 1;
    int f = kl == 4 && memcmp(k, "edge", 4) == 0 ? 0 : kl == 4 && memcmp(k, "from", 4) == 0 ? 1
          : kl == 2 && memcmp(k, "to", 2) == 0 ? 2 : -1;
    if (f < 0 || (seen & (1u << f))) return 0;
    seen |= 1u << f;
    i = ke + 1;
    while (i < n && pe_ws(p[i])) i++;
    if (i >= n || p[i] != ':') return 0;
    i++;
    while (i < n && pe_ws(p[i])) i++;
    if (i >= n || p[i] != '"') return 0;
    size_t ve = pe_string(p, i, n);
    if (!ve) return 0;
    out->v[f] = p + i + 1;
    out->n[f] = ve - i - 1;
    i = ve + 1;
    while (i < n && pe_ws(p[i])) i++;
    if (i >= n) return 0;
    if (p[i] == '}') return seen == 7 ? i + 1 : 0;
    if (p[i] != ',') return 0;
    i++;
  }
}

/* Load the next record through the fast path if it has the plain shape and
 * names an edge type without properties: *done = true then (rc as for any
 * record), else nothing is consumed. */
static og_status plain_edge_record(loader *L, bool *done, og_error *err) {
  const char *p;
  size_t avail, len;
  plain_edge pe;
  *done = false;
  og_status rc = og_jsonl_peek(L->req->reader, &p, &avail, err);
  if (rc || !avail || p[0] != '{' || !(len = plain_edge_parse(p, avail, &pe))) return rc;
  const og_type *t = record_type_s(L, pe.v[0], pe.n[0], true);
  if (!t || t->n_props) return OG_OK;
  og_jsonl_consume(L->req->reader, len);
  *done = true;
  uint64_t rec = og_jsonl_record_no(L->req->reader), line = og_jsonl_record_line(L->req->reader);
  rc = edge_row(L, t, pe.v[1], pe.n[1], pe.v[2], pe.n[2], NULL, NULL, rec, line, err);
  /* as classify: flush errors already carry their own record */
  if (rc && !og_str_startswith(err ? err->message : "", "record ")) at_record(rc, err, rec, line);
  return rc;
}

static og_status classify(loader *L, const og_jdoc *doc, uint64_t rec, uint64_t line, og_error *err) {
  const og_jnode *root = og_jdoc_root(doc);
  /* one pass over the top-level members; the last of a repeated key wins
   * (og_jobj_get's rule) */
  const og_jnode *type = NULL, *edge = NULL, *data = NULL, *from = NULL, *to = NULL;
  if (root->k == OG_J_OBJ)
    for (const og_jnode *m = og_jnode_at(doc, root->first); m; m = og_jnode_at(doc, m->next)) {
      if (m->klen == 4) {
        if (memcmp(m->key, "type", 4) == 0) type = m;
        else if (memcmp(m->key, "edge", 4) == 0) edge = m;
        else if (memcmp(m->key, "data", 4) == 0) data = m;
        else if (memcmp(m->key, "from", 4) == 0) from = m;
      } else if (m->klen == 2 && memcmp(m->key, "to", 2) == 0) {
        to = m;
      }
    }
  if (data && data->k != OG_J_OBJ) data = NULL;
  og_status rc;
  if (type && type->k == OG_J_STR) {
    const og_type *t = record_type(L, type, false);
    if (!t)
      return at_record(og_err_set(err, OG_EINVAL, "unknown node type '%.*s'",
                                  (int)(type->slen > 200 ? 200 : type->slen), type->s),
                       err, rec, line);
    rc = node_record(L, t, doc, data, rec, line, err);
  } else if (edge && edge->k == OG_J_STR) {
    const og_type *t = record_type(L, edge, true);
    if (!t)
      return at_record(og_err_set(err, OG_EINVAL, "unknown edge type '%.*s'",
                                  (int)(edge->slen > 200 ? 200 : edge->slen), edge->s),
                       err, rec, line);
    rc = edge_record(L, t, doc, from, to, data, rec, line, err);
  } else {
    return at_record(og_err_set(err, OG_EINVAL, "expected 'type' or 'edge' field"), err, rec, line);
  }
  /* flush errors already carry their own record */
  if (rc && !og_str_startswith(err ? err->message : "", "record ")) at_record(rc, err, rec, line);
  return rc;
}

/*==================== flush ====================*/

static og_status all_rowids(og_table *t, u64vec *out, og_error *err) {
  static const uint32_t none = 0;
  og_scan_opts o = {.cols = &none, .ncols = 0};
  og_scan *s = NULL;
  og_status rc = og_table_scan(t, &o, &s, err);
  const og_batch *b;
  while (!rc && !(rc = og_scan_next(s, &b, err)) && b) {
    for (size_t i = 0; i < b->rowids.count; i++)
      if (OG_VEC_PUSH(out, b->rowids.items[i])) {
        rc = og_err_oom(err);
        break;
      }
  }
  og_scan_free(s);
  return rc;
}

static og_status defer_endpoint(ltype *T, uint64_t row, uint64_t rec, uint64_t line, const char *p,
                                size_t n, bool is_dst, og_error *err) {
  char *id = og_arena_strndup(&T->darena, p, n);
  if (!id) return og_err_oom(err);
  deferred d = {row, rec, line, id, is_dst};
  return OG_VEC_PUSH(&T->deferred, d) ? og_err_oom(err) : OG_OK;
}

/* Endpoint resolution of one edge chunk, in two phases. Phase A (main
 * thread, before the chunk is handed to the writer) drops endpoints found
 * among this load's nodes and lists the others; phase B (while or after the
 * writer writes the chunk: both only read the batch) looks those up among
 * the committed rows (except in overwrite, where a type that is in the
 * input must not be looked up there) and defers what is still missing to
 * the end of the input. Phase B runs on whichever thread is free first
 * (see writer_wait): which of parsing and writing is longer depends on the
 * machine and the input. */

static void epwork_dispose(epwork *wk) {
  for (int s = 0; s < 2; s++) {
    epside *e = &wk->s[s];
    og_free(e->rows);
    og_free(e->ref);
    og_free(e->qkeys);
    og_free(e->qlens);
    og_free(e->qhash);
    og_free(e->qfound);
  }
  memset(wk, 0, sizeof *wk);
}

/* Room for n entries in every per-row array of e (phase A and B alike). */
static og_status epside_reserve(epside *e, size_t n) {
  if (n <= e->cap) return OG_OK;
  size_t ncap = e->cap ? e->cap : 1024;
  while (ncap < n) ncap *= 2;
#define RE(f) do { void *np = og_realloc(e->f, ncap * sizeof *e->f); if (!np) return OG_ENOMEM; e->f = np; } while (0)
  RE(rows); RE(ref);
#undef RE
  e->cap = ncap;
  return OG_OK;
}

static og_status epside_reserve_q(epside *e, size_t n) {
  if (n <= e->qcap) return OG_OK;
  size_t ncap = e->qcap ? e->qcap : 1024;
  while (ncap < n) ncap *= 2;
#define RE(f) do { void *np = og_realloc(e->f, ncap * sizeof *e->f); if (!np) return OG_ENOMEM; e->f = np; } while (0)
  RE(qkeys); RE(qlens); RE(qhash); RE(qfound);
#undef RE
  e->qcap = ncap;
  return OG_OK;
}

static og_status resolve_begin(loader *L, ltype *T, epwork **out, og_error *err) {
  size_t n = og_batch_rows(BATCH(T));
  epwork *wk = &T->wk[T->cur_buf];
  *out = NULL;
  wk->first_row = T->flushed + 1;
  wk->rec = &T->rec[T->cur_buf];
  wk->line = &T->line[T->cur_buf];
  for (int side = 0; side < 2; side++) {
    const char *tname = side ? T->t->to_type : T->t->from_type;
    ltype *N = find_loaded(L, "node", tname);
    epside *e = &wk->s[side];
    if (epside_reserve(e, n)) return og_err_oom(err);
    size_t m = 0;
    e->all = !N;
    if (!N) {
      m = n; /* nothing of this type in the input (yet): every endpoint goes on */
    } else {
      const og_column *col = &BATCH(T)->cols[1 + side];
      for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *p = og_column_get_bytes(col, i, &len);
        void *dummy;
        if (!og_map_get(&N->ids, p, len, &dummy)) e->rows[m++] = i;
      }
    }
    e->m = m;
    /* overwrite: a type not (yet) in the input is looked up among the
     * committed rows; if it shows up later, recheck_committed_hits redoes
     * those rows against the input's ids */
    wk->probe[side] = L->req->mode != OG_LOAD_OVERWRITE || !N;
    if (m && wk->probe[side] && L->req->mode == OG_LOAD_OVERWRITE) T->probed[side] = true;
    wk->pr[side] = NULL;
    if (m && wk->probe[side]) {
      char key[320];
      snprintf(key, sizeof key, "node:%s", tname);
      og_status rc = probe_get(L, key, &wk->pr[side], err);
      if (rc) return rc;
    }
  }
  *out = wk;
  return OG_OK;
}

/*---- answers of committed tables (see probe) ----*/

#define HIT_FOUND UINT32_MAX
#define HIT_MISSING (UINT32_MAX - 1)
/* entries and key bytes per probed table: bounds a cache's memory (32 MiB
 * of slots + 32 MiB of keys at most); beyond, keys are looked up uncached */
#define PROBE_CACHE_MAX ((size_t)1 << 20)
#define PROBE_CACHE_BYTES ((size_t)1 << 25)

/* The answer cache's key identity: a key of at most 7 bytes is its own
 * identity (its bytes and its length in the top byte), so a probe settles
 * in its slot without reading the stored key; longer keys get a hash with
 * the top byte 0xff (never equal to a short identity) and a byte compare.
 * Ids are mostly short, and the 2M probes per million edges were random
 * reads of both the slots and the keys. Only this process sees these. */
static inline uint64_t kc_hash(const char *p, size_t n) {
  if (n <= 7) {
    uint64_t a = 0;
    memcpy(&a, p, n);
    return a | (uint64_t)n << 56;
  }
  uint64_t h;
  if (n > 16) {
    h = og_hash64(p, n);
  } else {
    uint64_t a, b;
    memcpy(&a, p, 8);
    memcpy(&b, p + n - 8, 8);
    h = (a ^ 0x9e3779b97f4a7c15ull) * 0xbf58476d1ce4e5b9ull ^ (b + n) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    h *= 0xd6e8feb86659fd93ull;
    h ^= h >> 32;
  }
  return h | 0xffull << 56;
}

static inline bool kc_short(uint64_t h) { return (h >> 56) < 8; }

/* The home slot of identity h (mask = capacity - 1 < 2^32). */
static inline size_t kc_slot(uint64_t h, size_t mask) {
  return (size_t)((h * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

/* Equal bytes, inline: keys are short and a memcmp call per probe showed. */
static inline bool key_eq(const char *a, const char *b, size_t n) {
  for (; n >= 8; n -= 8, a += 8, b += 8) {
    uint64_t x, y;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    if (x != y) return false;
  }
  for (; n; n--)
    if (*a++ != *b++) return false;
  return true;
}

/* The slot of key (hash h): its entry, or the empty slot it would take. */
static kslot *kc_find(const kcache *c, const char *k, size_t n, uint64_t h) {
  size_t mask = c->cap - 1;
  for (size_t i = kc_slot(h, mask);; i = (i + 1) & mask) {
    kslot *s = &c->slots[i];
    if (!s->off) return s;
    if (s->h != h) continue;
    if (kc_short(h)) return s;
    uint32_t len;
    memcpy(&len, c->keys.ptr + s->off, sizeof len);
    if (len == n && key_eq(c->keys.ptr + s->off + sizeof len, k, n)) return s;
  }
}

/* Room for n entries at a load factor of at most 1/2. */
static og_status kc_reserve(kcache *c, size_t n) {
  if (n * 2 <= c->cap) return OG_OK;
  size_t ncap = c->cap ? c->cap : 1024;
  while (ncap < n * 2) ncap *= 2;
  kslot *ns = og_calloc(ncap, sizeof *ns);
  if (!ns) return OG_ENOMEM;
  for (size_t i = 0; i < c->cap; i++) {
    if (!c->slots[i].off) continue;
    size_t j = kc_slot(c->slots[i].h, ncap - 1);
    while (ns[j].off) j = (j + 1) & (ncap - 1);
    ns[j] = c->slots[i];
  }
  og_free(c->slots);
  c->slots = ns;
  c->cap = ncap;
  return OG_OK;
}

/* Add key (absent) with value v. Returns false when the cache is full (the
 * key then simply stays unanswered), OG_ENOMEM via *rc. */
static bool kc_add(kcache *c, const char *k, size_t n, uint64_t h, uint32_t v, og_status *rc) {
  *rc = OG_OK;
  if (c->count >= PROBE_CACHE_MAX || c->keys.len + n + 4 > PROBE_CACHE_BYTES) return false;
  if ((*rc = kc_reserve(c, c->count + 1))) return false;
  if (!c->keys.len) og_buf_putc(&c->keys, 0); /* offset 0 marks an empty slot */
  uint32_t len = (uint32_t)n;
  size_t off = c->keys.len;
  og_buf_put(&c->keys, &len, sizeof len);
  og_buf_put(&c->keys, k, n);
  if (c->keys.oom) {
    *rc = OG_ENOMEM;
    return false;
  }
  kslot *s = kc_find(c, k, n, h);
  s->h = h;
  s->off = (uint32_t)off;
  s->val = v;
  c->count++;
  return true;
}

/* Fill the cache with every live id of the probed table (one scan of its
 * id column), when a chunk needs answers for about as many keys as the
 * table has rows: far cheaper than looking them up one by one (an edge load
 * against its committed nodes looked up all 100k persons in its first
 * chunk). Complete unless the cache bound stops it. */
static og_status kc_fill_all(probe *pr, og_error *err) {
  kcache *c = &pr->hits;
  size_t rows = (size_t)og_table_row_count(pr->t);
  if (kc_reserve(c, rows ? rows : 1)) return og_err_oom(err);
  static const uint32_t idcol = 0;
  og_scan_opts so = {.cols = &idcol, .ncols = 1};
  og_scan *sc = NULL;
  const og_batch *b;
  bool full = false;
  og_status rc = og_table_scan(pr->t, &so, &sc, err);
  while (!rc && !full && !(rc = og_scan_next(sc, &b, err)) && b) {
    const og_column *col = &b->cols[0];
    for (size_t i = 0; i < og_batch_rows(b) && !full; i++) {
      size_t n;
      const char *p = og_column_get_bytes(col, i, &n);
      uint64_t h = kc_hash(p, n);
      if (kc_find(c, p, n, h)->off) continue; /* a repeated id */
      if (!kc_add(c, p, n, h, HIT_FOUND, &rc)) {
        if (rc) rc = og_err_oom(err);
        full = true;
      }
    }
  }
  og_scan_free(sc);
  if (!rc && !full) pr->complete = true;
  return rc;
}

/* Phase B of one side (0 src, 1 dst) of the chunk in b: the distinct
 * endpoints without a cached answer are looked up in one batch. */
static og_status resolve_side(ltype *T, const og_batch *b, epwork *wk, int side, og_error *err) {
  og_status rc = OG_OK;
  epside *e = &wk->s[side];
  size_t m = e->m;
  if (!m) return OG_OK;
  const og_column *col = &b->cols[1 + side];
#define ROW(k) (e->all ? (k) : e->rows[k])
  if (wk->probe[side]) {
    probe *pr = wk->pr[side];
    kcache *c = &pr->hits;
    if (!c->cap) {
      /* at most one entry per committed row: size it once, not by doublings */
      size_t rows = (size_t)og_table_row_count(pr->t);
      size_t want = rows < m ? rows : m;
      if (rows <= PROBE_CACHE_MAX && m >= rows / 2) {
        if ((rc = kc_fill_all(pr, err))) return rc;
      } else if (kc_reserve(c, want < PROBE_CACHE_MAX ? want : PROBE_CACHE_MAX) || kc_reserve(c, 1)) {
        return og_err_oom(err);
      }
    }
    /* Each endpoint's answer from the cache; the distinct keys without one
     * go to one batch lookup. The cache probes are random accesses: the
     * keys of the next AHEAD endpoints are hashed in advance (a ring) so
     * that their slots, and then their stored keys, are prefetched. */
    enum { AHEAD = 16 };
    struct { const char *p; size_t n; uint64_t h; } ring[AHEAD];
    for (size_t k = 0; k < m && k < AHEAD; k++) {
      ring[k].p = og_column_get_bytes(col, ROW(k), &ring[k].n);
      ring[k].h = kc_hash(ring[k].p, ring[k].n);
    }
    size_t q = 0;
    for (size_t k = 0; k < m; k++) {
      size_t mask = c->cap - 1;
      const char *p = ring[k % AHEAD].p;
      size_t n = ring[k % AHEAD].n;
      uint64_t h = ring[k % AHEAD].h;
      if (k + AHEAD < m) {
        size_t i = k % AHEAD;
        ring[i].p = og_column_get_bytes(col, ROW(k + AHEAD), &ring[i].n);
        ring[i].h = kc_hash(ring[i].p, ring[i].n);
        __builtin_prefetch(&c->slots[kc_slot(ring[i].h, mask)]);
      }
      if (k + AHEAD / 2 < m && !kc_short(ring[(k + AHEAD / 2) % AHEAD].h)) {
        const kslot *ps = &c->slots[kc_slot(ring[(k + AHEAD / 2) % AHEAD].h, mask)];
        if (ps->off) __builtin_prefetch(c->keys.ptr + ps->off);
      }
      const kslot *s = kc_find(c, p, n, h);
      if (s->off || pr->complete) {
        e->ref[k] = s->off ? s->val : HIT_MISSING;
        continue;
      }
      if (epside_reserve_q(e, q + 1)) return og_err_oom(err);
      e->qkeys[q] = p;
      e->qlens[q] = n;
      e->qhash[q] = h;
      e->ref[k] = (uint32_t)q;
      (void)kc_add(c, p, n, h, (uint32_t)q, &rc);
      if (rc) return og_err_oom(err);
      q++;
    }
    if (q && (rc = og_table_lookup_many(pr->t, e->qkeys, e->qlens, q, e->qfound, err))) return rc;
    for (size_t k = 0; k < m; k++)
      if (e->ref[k] < HIT_MISSING) e->ref[k] = e->qfound[e->ref[k]] != UINT64_MAX ? HIT_FOUND : HIT_MISSING;
    for (size_t j = 0; j < q; j++) {
      kslot *s = kc_find(c, e->qkeys[j], e->qlens[j], e->qhash[j]);
      /* pending answers (value < HIT_MISSING) are this chunk's own */
      if (s->off && s->val == j) s->val = e->qfound[j] != UINT64_MAX ? HIT_FOUND : HIT_MISSING;
    }
  }
  for (size_t k = 0; k < m && !rc; k++) {
    if (wk->probe[side] && e->ref[k] == HIT_FOUND) continue;
    size_t row = ROW(k), n;
    const char *p = og_column_get_bytes(col, row, &n);
    rc = defer_endpoint(T, wk->first_row + row, wk->rec->items[row], wk->line->items[row], p, n, side == 1, err);
  }
#undef ROW
  return rc;
}

static og_status resolve_finish(ltype *T, const og_batch *b, epwork *wk, og_error *err) {
  og_status rc = resolve_side(T, b, wk, 0, err);
  return rc ? rc : resolve_side(T, b, wk, 1, err);
}

/* Run the pending phase B on this thread (`who` claims it); w->mu is held
 * on entry and on return, released while it runs. Its first error sticks. */
static void run_phase_b(writer *w, int who) {
  w->pb = who;
  pthread_mutex_unlock(&w->mu);
  og_error perr = OG_ERROR_INIT;
  og_status prc = resolve_finish(w->pbT, w->pbb, w->pbw, &perr);
  pthread_mutex_lock(&w->mu);
  if (prc && !w->rc) {
    w->rc = prc;
    w->err = perr;
  }
  w->pb = PB_NONE;
}

static void *writer_main(void *arg) {
  writer *w = arg;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->busy && !w->quit) pthread_cond_wait(&w->cv, &w->mu);
    if (!w->busy) break;
    pthread_mutex_unlock(&w->mu);
    ltype *T = w->T;
    og_table_change chg = {.deletes = w->dels.items, .ndeletes = w->dels.count, .inserts = w->batch};
    og_table_write_opts wo = {.max_fragment_rows = w->frag_rows, .store = og_graph_write_store(w->L->w)};
    og_table *nt = NULL;
    og_status rc = og_table_apply(T->cur, &chg, &wo, &nt, NULL, &w->err);
    if (!rc) {
      og_table_free(T->cur);
      T->cur = nt;
    }
    w->dels.count = 0; /* the batch is cleared by the main thread, when it reuses it */
    pthread_mutex_lock(&w->mu);
    if (rc && !w->rc) w->rc = rc;
    if (w->pb == PB_PENDING) run_phase_b(w, PB_WRITER);
    w->busy = false;
    pthread_cond_broadcast(&w->cv);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

/* Wait until no chunk is in flight; returns the writer's first error. A
 * phase B the writer has not taken yet (it is still writing) runs here
 * first: the two threads share that work by who is free, whichever of
 * parsing and writing is the longer on this machine and input. */
static og_status writer_wait(loader *L, og_error *err) {
  writer *w = &L->bg;
  if (!w->started) return OG_OK;
  pthread_mutex_lock(&w->mu);
  if (w->busy && w->pb == PB_PENDING) run_phase_b(w, PB_MAIN);
  while (w->busy) pthread_cond_wait(&w->cv, &w->mu);
  og_status rc = w->rc;
  pthread_mutex_unlock(&w->mu);
  if (rc && err) *err = w->err;
  return rc;
}

static void writer_stop(loader *L) {
  writer *w = &L->bg;
  if (!w->started) return;
  pthread_mutex_lock(&w->mu);
  while (w->busy) pthread_cond_wait(&w->cv, &w->mu);
  w->quit = true;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->th, NULL);
  pthread_mutex_destroy(&w->mu);
  pthread_cond_destroy(&w->cv);
  OG_VEC_FREE(&w->dels);
  w->started = false;
}

/* Give the (empty, idle) batch `dst` the capacity `src` grew to (string
 * bytes beyond reserve_rows' guess), so the next chunk fills it without
 * reallocating and copying as it grows. Best effort. */
static void reserve_like(og_batch *dst, const og_batch *src) {
  for (size_t c = 0; c < dst->ncols && c < src->ncols; c++) {
    og_column *d = &dst->cols[c];
    const og_column *s = &src->cols[c];
    og_buf *db[2] = {&d->data, &d->validity};
    const og_buf *sb[2] = {&s->data, &s->validity};
    for (int i = 0; i < 2; i++) {
      if (db[i]->cap < sb[i]->len + 1 && !og_buf_grow(db[i], sb[i]->len - db[i]->len))
        db[i]->ptr[db[i]->len] = '\0';
      db[i]->oom = false; /* not sticky: the pushes retry */
    }
    (void)og_array_reserve((void **)&d->offsets.items, &d->offsets.cap, s->offsets.count, sizeof *d->offsets.items);
    (void)og_array_reserve((void **)&d->elem_offsets.items, &d->elem_offsets.cap, s->elem_offsets.count,
                           sizeof *d->elem_offsets.items);
  }
}

/* Hand T's current buffer (and the deletes) to the writer and switch T to
 * its other buffer; phase B of the chunk's endpoints (wk) goes with it (see
 * writer_wait). Falls back to writing inline if no thread can start. */
static og_status writer_submit(loader *L, ltype *T, u64vec *dels, epwork *wk, uint32_t frag_rows,
                               og_error *err) {
  writer *w = &L->bg;
  og_status rc = writer_wait(L, err);
  if (rc) return rc;
  if (!w->started) {
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->th, NULL, writer_main, w) != 0) {
      pthread_mutex_destroy(&w->mu);
      pthread_cond_destroy(&w->cv);
      if (wk && (rc = resolve_finish(T, BATCH(T), wk, err))) return rc;
      og_table_change chg = {.deletes = dels->items, .ndeletes = dels->count, .inserts = BATCH(T)};
      og_table_write_opts wo = {.max_fragment_rows = frag_rows, .store = og_graph_write_store(L->w)};
      og_table *nt = NULL;
      if ((rc = og_table_apply(T->cur, &chg, &wo, &nt, NULL, err))) return rc;
      og_table_free(T->cur);
      T->cur = nt;
      og_batch_clear(BATCH(T));
      return OG_OK;
    }
    w->started = true;
  }
  reserve_like(&T->bufs[T->cur_buf ^ 1], BATCH(T));
  pthread_mutex_lock(&w->mu);
  w->L = L;
  w->T = T;
  w->batch = BATCH(T);
  /* swap the delete list in (the writer's old one is empty) */
  u64vec tmp = {w->dels.items, w->dels.count, w->dels.cap};
  w->dels.items = dels->items;
  w->dels.count = dels->count;
  w->dels.cap = dels->cap;
  *dels = tmp;
  w->frag_rows = frag_rows;
  /* phase B only reads the batch, as the write does; the buffer, its
   * records (T->rec/line) and wk stay untouched until this chunk is
   * waited for (the next submit, a merge read, the end) */
  w->pb = wk ? PB_PENDING : PB_NONE;
  w->pbT = T;
  w->pbb = BATCH(T);
  w->pbw = wk;
  w->busy = true;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  T->cur_buf ^= 1;
  og_batch_clear(BATCH(T)); /* written (we waited above): refill it */
  return OG_OK;
}

static og_status flush(loader *L, ltype *T, og_error *err) {
  size_t n = og_batch_rows(BATCH(T));
  if (n == 0) return OG_OK;
  og_status rc = OG_OK;
  u64vec dels = OG_VEC_INIT;
  u64vec upd_ids = OG_VEC_INIT;
  const char **keys = NULL;
  size_t *lens = NULL, *rows = NULL;
  uint64_t *found = NULL;
  uint8_t *dest = NULL; /* 0 insert, 1 update, 2 dropped */
  og_batch ins = OG_BATCH_INIT, upd = OG_BATCH_INIT;
  og_map last = OG_MAP_INIT;
  og_table *nt = NULL;
  og_table_change chg = {0};
  epwork *wk = NULL;

  if (T->is_edge && (rc = resolve_begin(L, T, &wk, err))) goto cleanup;
  /* merge reads the running version: nothing may be in flight */
  if (L->req->mode == OG_LOAD_MERGE && (rc = writer_wait(L, err))) goto cleanup;
  if (L->req->mode == OG_LOAD_OVERWRITE && !T->truncated) {
    if ((rc = all_rowids(T->base, &dels, err))) goto cleanup;
    T->truncated = true;
  }
  size_t nexplicit = 0;
  if (L->req->mode != OG_LOAD_OVERWRITE)
    for (size_t i = 0; i < n; i++) nexplicit += T->explicit_id.items[i];
  /* rows without an explicit id (generated ULIDs) are always inserts */
  if (nexplicit) {
    keys = og_calloc(n, sizeof *keys);
    lens = og_calloc(n, sizeof *lens);
    rows = og_calloc(n, sizeof *rows);
    found = og_calloc(n, sizeof *found);
    dest = og_calloc(n, 1);
    if (!keys || !lens || !rows || !found || !dest) {
      rc = og_err_oom(err);
      goto cleanup;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
      if (!T->explicit_id.items[i]) continue;
      keys[m] = og_column_get_bytes(&BATCH(T)->cols[0], i, &lens[m]);
      rows[m++] = i;
    }
    if (m) {
      /* append: against the committed rows; merge: against the running
       * version, so a later chunk replaces an earlier chunk's row */
      if (L->req->mode == OG_LOAD_APPEND)
        rc = og_table_lookup_many(T->base, keys, lens, m, found, err);
      else /* merge waited for the writer above: T->cur is stable */
        rc = og_table_lookup_many(T->cur, keys, lens, m, found, err);
      if (rc) goto cleanup;
    }
    for (size_t k = 0; k < m; k++) {
      if (found[k] == UINT64_MAX) continue;
      size_t i = rows[k];
      if (L->req->mode == OG_LOAD_APPEND) {
        rc = og_err_set(err, OG_ECONSTRAINT,
                        "%s %s id '%.*s' already exists on branch %s (append only adds rows; "
                        "use merge to replace them)",
                        T->is_edge ? "edge" : "node", T->t->name, (int)(lens[k] > 300 ? 300 : lens[k]),
                        keys[k], L->req->branch ? L->req->branch : OG_GRAPH_MAIN);
        at_record(rc, err, T->rec[T->cur_buf].items[i], T->line[T->cur_buf].items[i]);
        goto cleanup;
      }
      dest[i] = 1;
    }
    if (L->req->mode == OG_LOAD_MERGE) {
      /* last row wins among repeated explicit ids inside the chunk */
      for (size_t k = 0; k < m; k++)
        if (og_map_put(&last, keys[k], lens[k], (void *)(uintptr_t)(rows[k] + 1))) {
          rc = og_err_oom(err);
          goto cleanup;
        }
      for (size_t k = 0; k < m; k++) {
        void *v;
        og_map_get(&last, keys[k], lens[k], &v);
        if ((size_t)(uintptr_t)v - 1 != rows[k]) dest[rows[k]] = 2;
      }
    }
  }
  bool split = false;
  for (size_t i = 0; dest && i < n; i++)
    if (dest[i]) split = true;
  if (!split) {
    chg.inserts = BATCH(T);
  } else {
    if ((rc = og_batch_init(&ins, T->schema, err)) || (rc = og_batch_init(&upd, T->schema, err)))
      goto cleanup;
    size_t fi = 0;
    for (size_t i = 0; i < n; i++) {
      /* found[] is indexed by explicit-id rank; recover this row's rank */
      uint64_t rowid = UINT64_MAX;
      if (T->explicit_id.items[i]) rowid = found[fi++];
      if (dest[i] == 2) continue;
      og_batch *b = dest[i] == 1 ? &upd : &ins;
      for (size_t c = 0; c < T->schema->ncols && !rc; c++)
        rc = og_column_push_from(&b->cols[c], &BATCH(T)->cols[c], i, err);
      if (rc) goto cleanup;
      if (dest[i] == 1 && OG_VEC_PUSH(&upd.rowids, rowid)) {
        rc = og_err_oom(err);
        goto cleanup;
      }
    }
    if (og_batch_rows(&ins)) chg.inserts = &ins;
    if (og_batch_rows(&upd)) {
      chg.updates = &upd;
      T->replaced_any = true;
    }
  }
  (void)upd_ids;
  chg.deletes = dels.items;
  chg.ndeletes = dels.count;
  /* one fragment per chunk: every object is a durable put (two fsyncs on
   * posix), so fewer, larger fragments are what makes bulk loads fast */
  uint32_t frag_rows = (uint32_t)(L->chunk > 65536 ? L->chunk : 65536);
  if (!split) {
    if ((rc = writer_submit(L, T, &dels, wk, frag_rows, err))) goto cleanup;
  } else {
    if (wk && (rc = resolve_finish(T, BATCH(T), wk, err))) goto cleanup;
    og_table_write_opts wo = {.max_fragment_rows = frag_rows, .store = og_graph_write_store(L->w)};
    if ((rc = og_table_apply(T->cur, &chg, &wo, &nt, NULL, err))) goto cleanup;
    og_table_free(T->cur);
    T->cur = nt;
    og_batch_clear(BATCH(T));
  }
  T->flushed += n;
  /* the buffer just sent keeps its records for phase B (see writer_submit) */
  T->rec[T->cur_buf].count = T->line[T->cur_buf].count = T->explicit_id.count = 0;
cleanup:
  OG_VEC_FREE(&dels);
  OG_VEC_FREE(&upd_ids);
  og_free(keys);
  og_free(lens);
  og_free(rows);
  og_free(found);
  og_free(dest);
  og_batch_dispose(&ins);
  og_batch_dispose(&upd);
  og_map_dispose(&last);
  return rc;
}

/*==================== end of input ====================*/

/* Overwrite only: endpoints that were found among the committed rows of a
 * node type that the input turned out to replace. The edge table holds
 * exactly this load's rows in input order, so it is scanned once. */
static og_status recheck_committed_hits(loader *L, ltype *T, og_error *err) {
  for (int side = 0; side < 2; side++) {
    if (!T->probed[side]) continue;
    const char *tname = side ? T->t->to_type : T->t->from_type;
    ltype *N = find_loaded(L, "node", tname);
    if (!N) continue;
    uint32_t col = (uint32_t)(1 + side);
    og_scan_opts so = {.cols = &col, .ncols = 1};
    og_scan *sc = NULL;
    const og_batch *b;
    uint64_t row = 0;
    og_status rc = og_table_scan(T->cur, &so, &sc, err);
    while (!rc && !(rc = og_scan_next(sc, &b, err)) && b) {
      for (size_t i = 0; i < og_batch_rows(b) && !rc; i++) {
        size_t len;
        const char *p = og_column_get_bytes(&b->cols[0], i, &len);
        void *dummy;
        row++;
        if (og_map_get(&N->ids, p, len, &dummy)) continue;
        rc = og_err_set(err, OG_ECONSTRAINT, "edge %s row %llu: %s '%.*s' not found in %s", T->t->name,
                        (unsigned long long)row, side ? "dst" : "src", (int)(len > 300 ? 300 : len), p, tname);
      }
    }
    og_scan_free(sc);
    if (rc) return rc;
  }
  return OG_OK;
}

/* Endpoints that were not found while their chunk was written: nodes that
 * came later in the input, or (overwrite) types that never appeared and are
 * therefore looked up among the committed rows, in batches. */
static og_status check_deferred(loader *L, ltype *T, og_error *err) {
  enum { BLOCK = 65536 };
  og_status rc = OG_OK;
  const char **keys = NULL;
  size_t *lens = NULL;
  uint64_t *found = NULL;
  int8_t *state = NULL; /* 0 resolved, 1 probe from, 2 probe to, 3 missing */
  const deferred *worst = NULL;
  if (!T->deferred.count) return OG_OK;
  keys = og_calloc(BLOCK, sizeof *keys);
  lens = og_calloc(BLOCK, sizeof *lens);
  found = og_calloc(BLOCK, sizeof *found);
  state = og_calloc(BLOCK, sizeof *state);
  if (!keys || !lens || !found || !state) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  for (size_t base = 0; base < T->deferred.count && !rc; base += BLOCK) {
    size_t n = T->deferred.count - base < BLOCK ? T->deferred.count - base : BLOCK;
    for (size_t i = 0; i < n; i++) {
      const deferred *d = &T->deferred.items[base + i];
      ltype *N = find_loaded(L, "node", d->is_dst ? T->t->to_type : T->t->from_type);
      void *dummy;
      if (N && og_map_sget(&N->ids, d->id, &dummy)) state[i] = 0;
      else if (N && L->req->mode == OG_LOAD_OVERWRITE) state[i] = 3;
      else state[i] = d->is_dst ? 2 : 1;
    }
    for (int side = 1; side <= 2 && !rc; side++) {
      size_t m = 0;
      for (size_t i = 0; i < n; i++)
        if (state[i] == side) {
          keys[m] = T->deferred.items[base + i].id;
          lens[m++] = strlen(T->deferred.items[base + i].id);
        }
      if (!m) continue;
      char key[320];
      snprintf(key, sizeof key, "node:%s", side == 2 ? T->t->to_type : T->t->from_type);
      og_table *nt;
      if ((rc = probe_table(L, key, &nt, err)) || (rc = og_table_lookup_many(nt, keys, lens, m, found, err)))
        break;
      size_t k = 0;
      for (size_t i = 0; i < n; i++)
        if (state[i] == side) state[i] = found[k++] == UINT64_MAX ? 3 : 0;
    }
    /* entries are side-major within a chunk: report the first row (src
     * before dst), not the first entry */
    for (size_t i = 0; i < n; i++) {
      if (state[i] != 3) continue;
      const deferred *d = &T->deferred.items[base + i];
      if (!worst || d->row < worst->row || (d->row == worst->row && !d->is_dst)) worst = d;
    }
  }
  if (!rc && worst)
    rc = at_record(og_err_set(err, OG_ECONSTRAINT, "edge %s row %llu: %s '%s' not found in %s", T->t->name,
                              (unsigned long long)worst->row, worst->is_dst ? "dst" : "src", worst->id,
                              worst->is_dst ? T->t->to_type : T->t->from_type),
                   err, worst->rec, worst->line);
cleanup:
  og_free(keys);
  og_free(lens);
  og_free(found);
  og_free(state);
  return rc;
}

/* @card over the resulting edge table (data.md §2.7: sources with edges). */
static og_status check_card(ltype *T, og_error *err) {
  const og_type *e = T->t;
  if (e->card_min == 0 && !e->card_has_max) return OG_OK;
  uint32_t col = 1;
  og_scan_opts o = {.cols = &col, .ncols = 1};
  og_scan *s = NULL;
  og_map counts = OG_MAP_INIT;
  const og_batch *b;
  og_status rc = og_table_scan(T->cur, &o, &s, err);
  while (!rc && !(rc = og_scan_next(s, &b, err)) && b) {
    for (size_t i = 0; i < og_batch_rows(b) && !rc; i++) {
      size_t len;
      const char *p = og_column_get_bytes(&b->cols[0], i, &len);
      void *v = NULL;
      og_map_get(&counts, p, len, &v);
      if (og_map_put(&counts, p, len, (void *)((uintptr_t)v + 1))) rc = og_err_oom(err);
    }
  }
  og_scan_free(s);
  size_t pos = 0;
  og_map_entry *me;
  while (!rc && (me = og_map_next(&counts, &pos)))
    rc = og_validate_card(e, me->key, (uint64_t)(uintptr_t)me->value, err);
  og_map_dispose(&counts);
  return rc;
}

static og_status fill_result(loader *L, og_load_result *out, og_error *err) {
  out->types = og_calloc(L->types.count ? L->types.count : 1, sizeof *out->types);
  if (!out->types) return og_err_oom(err);
  for (size_t i = 0; i < L->types.count; i++) {
    ltype *T = L->types.items[i];
    og_load_type_count *c = &out->types[out->ntypes++];
    c->name = og_strdup(T->t->name);
    if (!c->name) return og_err_oom(err);
    c->is_edge = T->is_edge;
    c->rows = T->rows;
    if (T->is_edge) {
      out->edges_loaded += T->rows;
      out->edge_types_loaded++;
    } else {
      out->nodes_loaded += T->rows;
      out->node_types_loaded++;
    }
  }
  return OG_OK;
}

og_status og_load_run(const og_load_req *req, og_load_result *out, og_error *err) {
  loader L = {.req = req, .chunk = req->chunk_rows ? req->chunk_rows : DEFAULT_CHUNK};
  L.first_chunk = L.chunk >= 4 * 16384 ? L.chunk / 4 : L.chunk;
  og_snapshot *committed = NULL;
  og_jdoc doc = OG_JDOC_INIT;
  og_status rc;
  memset(out, 0, sizeof *out);
  og_arena_init(&L.rowarena, 64 * 1024);
  const char *branch = req->branch && *req->branch ? req->branch : OG_GRAPH_MAIN;
  if ((unsigned)req->mode > OG_LOAD_MERGE) {
    rc = og_err_set(err, OG_EINVAL, "invalid load mode %d", (int)req->mode);
    goto cleanup;
  }
  if ((rc = og_graph_write_begin(req->graph, branch, &L.w, err))) {
    if (rc == OG_ENOTFOUND) og_err_set(err, OG_ENOTFOUND, "branch '%s' not found", branch);
    goto cleanup;
  }
  L.snap = og_graph_write_base(L.w);
  if ((rc = og_write_catalog(req->catalog, req->catalog_ctx, L.snap, &L.cat, &L.owned_cat, err)))
    goto cleanup;
  for (;;) {
    bool got;
    if ((rc = plain_edge_record(&L, &got, err))) goto cleanup;
    if (got) continue;
    if ((rc = og_jsonl_next_doc(req->reader, &doc, &L.rowarena, &got, err))) goto cleanup;
    if (!got) break;
    uint64_t rec = og_jsonl_record_no(req->reader), line = og_jsonl_record_line(req->reader);
    if ((rc = classify(&L, &doc, rec, line, err))) goto cleanup;
    if (L.rowarena.total > ((size_t)1 << 20)) {
      /* converted values are copied into the batches: the scratch can go */
      og_arena_dispose(&L.rowarena);
      og_arena_init(&L.rowarena, 64 * 1024);
    }
  }
  for (size_t i = 0; i < L.types.count; i++)
    if ((rc = flush(&L, L.types.items[i], err))) goto cleanup;
  if ((rc = writer_wait(&L, err))) goto cleanup;
  for (size_t i = 0; i < L.types.count; i++) {
    ltype *T = L.types.items[i];
    if (!T->is_edge) continue;
    if ((rc = check_deferred(&L, T, err)) || (rc = recheck_committed_hits(&L, T, err)) ||
        (rc = check_card(T, err)))
      goto cleanup;
  }
  if ((rc = fill_result(&L, out, err))) goto cleanup;
  out->manifest_version = og_snapshot_version(L.snap);
  if (L.types.count == 0) goto cleanup; /* empty input: nothing to commit */
  for (size_t i = 0; i < L.types.count; i++) {
    ltype *T = L.types.items[i];
    unsigned flags = (req->mode == OG_LOAD_OVERWRITE || T->replaced_any) ? OG_GRAPH_STAGE_STRICT : 0;
    if ((rc = og_graph_write_stage(L.w, T->key, T->cur, flags, err))) goto cleanup;
  }
  if (req->before_commit) req->before_commit(req->hook_ctx);
  /* node tables that resolved endpoints from committed rows are read
   * dependencies: a concurrent change of their rows is a conflict */
  {
    size_t pos = 0;
    og_map_entry *pe;
    while ((pe = og_map_next(&L.probes, &pos)))
      if ((rc = og_graph_write_expect(L.w, pe->key, err))) goto cleanup;
  }
  og_commit_opts co = {.operation = "load", .actor = req->actor};
  if ((rc = og_graph_commit(L.w, &co, &committed, err))) goto cleanup;
  out->committed = true;
  out->manifest_version = og_snapshot_version(committed);
  snprintf(out->commit_id, sizeof out->commit_id, "%s",
           og_snapshot_manifest(committed)->commit.commit_id);
cleanup:
  writer_stop(&L); /* before the tables it writes go away */
  if (rc) og_load_result_dispose(out);
  og_jdoc_dispose(&doc);
  og_snapshot_free(committed);
  for (size_t i = 0; i < L.types.count; i++) ltype_free(L.types.items[i]);
  OG_VEC_FREE(&L.types);
  og_map_dispose(&L.by_key);
  size_t pos = 0;
  og_map_entry *me;
  while ((me = og_map_next(&L.probes, &pos))) probe_free(me->value);
  og_map_dispose(&L.probes);
  og_graph_write_free(L.w);
  og_catalog_free(L.owned_cat);
  og_arena_dispose(&L.rowarena);
  og_buf_dispose(&L.tmp);
  return rc;
}
