/*
 * catalog.c — catalog construction (§2.7), canonical Schema IR and hash
 * (§2.8), lookups and the canonical `.pg` rendering.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/schema_int.h"
#include "lang/schema_json.h"

typedef struct cat_priv {
  og_sch_mem *mem;
  og_map *nodes, *edges, *edges_ci, *ifaces; /* name -> index + 1 */
} cat_priv;

static og_status cat_err(og_error *err, og_spos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static og_status cat_err(og_error *err, og_spos pos, const char *fmt, ...) {
  char msg[OG_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (pos.line) {
    og_status rc = og_err_set_pos(err, OG_EPARSE, pos.line, pos.col, "catalog error: %s", msg);
    og_err_details(err, "{\"span\":{\"start\":%zu,\"end\":%zu}}", pos.off, pos.off + 1);
    return rc;
  }
  return og_err_set(err, OG_EPARSE, "catalog error: %s", msg);
}

/*==================== deep copy ====================*/

static const char *cp_str(og_arena *a, const char *s) { return s ? og_arena_strdup(a, s) : NULL; }

static og_status cp_annots(og_arena *a, const og_annot *src, size_t n, const og_annot **out) {
  og_annot *d = og_arena_alloc(a, (n ? n : 1) * sizeof(*d));
  if (!d) return OG_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    d[i] = src[i];
    d[i].name = cp_str(a, src[i].name);
    d[i].value = cp_str(a, src[i].value);
    if (!d[i].name || (src[i].value && !d[i].value)) return OG_ENOMEM;
  }
  *out = d;
  return OG_OK;
}

static og_status cp_strs(og_arena *a, const char *const *src, size_t n, const char *const **out) {
  const char **d = og_arena_alloc(a, (n ? n : 1) * sizeof(*d));
  if (!d) return OG_ENOMEM;
  for (size_t i = 0; i < n; i++)
    if (!(d[i] = cp_str(a, src[i]))) return OG_ENOMEM;
  *out = d;
  return OG_OK;
}

static og_status cp_type(og_arena *a, const og_type *s, og_type *d) {
  memset(d, 0, sizeof(*d));
  d->kind = s->kind;
  d->pos = s->pos;
  d->card_min = s->card_min;
  d->card_has_max = s->card_has_max;
  d->card_max = s->card_max;
  if (!(d->name = cp_str(a, s->name))) return OG_ENOMEM;
  if (s->from_type && !(d->from_type = cp_str(a, s->from_type))) return OG_ENOMEM;
  if (s->to_type && !(d->to_type = cp_str(a, s->to_type))) return OG_ENOMEM;
  if (cp_annots(a, s->annots, s->n_annots, &d->annots)) return OG_ENOMEM;
  d->n_annots = s->n_annots;
  if (cp_strs(a, s->implements, s->n_implements, &d->implements)) return OG_ENOMEM;
  d->n_implements = s->n_implements;
  og_prop *props = og_arena_zalloc(a, (s->n_props ? s->n_props : 1) * sizeof(*props));
  if (!props) return OG_ENOMEM;
  for (size_t i = 0; i < s->n_props; i++) {
    const og_prop *sp = &s->props[i];
    og_prop *dp = &props[i];
    dp->pos = sp->pos;
    dp->type = sp->type;
    if (!(dp->name = cp_str(a, sp->name))) return OG_ENOMEM;
    if (cp_strs(a, sp->type.enum_values, sp->type.n_enum, &dp->type.enum_values)) return OG_ENOMEM;
    if (cp_annots(a, sp->annots, sp->n_annots, &dp->annots)) return OG_ENOMEM;
    dp->n_annots = sp->n_annots;
  }
  d->props = props;
  d->n_props = s->n_props;
  og_constraint *cons = og_arena_zalloc(a, (s->n_cons ? s->n_cons : 1) * sizeof(*cons));
  if (!cons) return OG_ENOMEM;
  for (size_t i = 0; i < s->n_cons; i++) {
    cons[i] = s->cons[i];
    cons[i].regex = NULL;
    cons[i].regex_error = NULL;
    if (cp_strs(a, s->cons[i].cols, s->cons[i].n_cols, &cons[i].cols)) return OG_ENOMEM;
    if (s->cons[i].pattern && !(cons[i].pattern = cp_str(a, s->cons[i].pattern))) return OG_ENOMEM;
  }
  d->cons = cons;
  d->n_cons = s->n_cons;
  return OG_OK;
}

/*==================== build from a parsed schema ====================*/

static bool map_has(og_map *m, const char *k) {
  void *v;
  return og_map_sget(m, k, &v);
}

og_status og_catalog_build(const og_schema *s, og_catalog **out, og_error *err) {
  og_status rc = OG_OK;
  og_sch_mem *mem = NULL;
  og_map seen_n = OG_MAP_INIT, seen_e = OG_MAP_INIT, seen_i = OG_MAP_INIT, seen_ci = OG_MAP_INIT;
  *out = NULL;
  if (!(mem = og_sch_mem_new())) return og_err_oom(err);
  og_arena *a = &mem->arena;
  size_t nd = s->n_decls ? s->n_decls : 1;
  og_type *ifs = og_arena_alloc(a, nd * sizeof(og_type));
  og_type *ns = og_arena_alloc(a, nd * sizeof(og_type));
  og_type *es = og_arena_alloc(a, nd * sizeof(og_type));
  size_t ni = 0, nn = 0, ne = 0;
  og_catalog *cat = og_arena_zalloc(a, sizeof(*cat));
  if (!ifs || !ns || !es || !cat) goto oom;
  /* Nodes and interfaces first so edge endpoints can be resolved. */
  for (size_t i = 0; i < s->n_decls; i++) {
    const og_type *t = &s->decls[i];
    if (t->kind == OG_KIND_INTERFACE) {
      if (map_has(&seen_i, t->name)) {
        rc = cat_err(err, t->pos, "duplicate interface type: %s", t->name);
        goto cleanup;
      }
      if (og_map_sput(&seen_i, t->name, NULL)) goto oom;
      if (cp_type(a, t, &ifs[ni++])) goto oom;
    } else if (t->kind == OG_KIND_NODE) {
      if (map_has(&seen_n, t->name)) {
        rc = cat_err(err, t->pos, "duplicate node type: %s", t->name);
        goto cleanup;
      }
      if (og_map_sput(&seen_n, t->name, NULL)) goto oom;
      if (cp_type(a, t, &ns[nn++])) goto oom;
    }
  }
  for (size_t i = 0; i < s->n_decls; i++) {
    const og_type *t = &s->decls[i];
    if (t->kind != OG_KIND_EDGE) continue;
    if (map_has(&seen_e, t->name)) {
      rc = cat_err(err, t->pos, "duplicate edge type: %s", t->name);
      goto cleanup;
    }
    if (!map_has(&seen_n, t->from_type)) {
      rc = cat_err(err, t->pos, "edge %s references unknown source type: %s", t->name, t->from_type);
      goto cleanup;
    }
    if (!map_has(&seen_n, t->to_type)) {
      rc = cat_err(err, t->pos, "edge %s references unknown target type: %s", t->name, t->to_type);
      goto cleanup;
    }
    char *low = og_arena_strdup(a, t->name);
    if (!low) goto oom;
    for (char *c = low; *c; c++)
      if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
    void *prev;
    if (og_map_sget(&seen_ci, low, &prev)) {
      rc = cat_err(err, t->pos, "edge name collision after case folding: '%s' conflicts with '%s'", t->name,
                   (const char *)prev);
      goto cleanup;
    }
    if (og_map_sput(&seen_e, t->name, NULL) || og_map_sput(&seen_ci, low, (void *)t->name)) goto oom;
    if (cp_type(a, t, &es[ne++])) goto oom;
  }
  if ((rc = og_catalog_finish(cat, mem, ifs, ni, ns, nn, es, ne, err)) != OG_OK) goto cleanup;
  *out = cat;
  mem = NULL;
  goto cleanup;
oom:
  rc = og_err_oom(err);
cleanup:
  og_map_dispose(&seen_n);
  og_map_dispose(&seen_e);
  og_map_dispose(&seen_i);
  og_map_dispose(&seen_ci);
  og_sch_mem_free(mem);
  return rc;
}

og_status og_catalog_compile(const char *src, size_t len, og_catalog **out, og_error *err) {
  og_schema *s = NULL;
  og_status rc = og_schema_parse(src, len, &s, err);
  if (rc == OG_OK) rc = og_catalog_build(s, out, err);
  og_schema_free(s);
  return rc;
}

void og_catalog_free(og_catalog *c) {
  if (!c) return;
  cat_priv *p = c->priv;
  og_sch_mem_free(p->mem);
}

/*==================== canonicalisation ====================*/

static int cmp_cstr(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}
static int cmp_prop(const void *a, const void *b) {
  return strcmp(((const og_prop *)a)->name, ((const og_prop *)b)->name);
}
static int cmp_type(const void *a, const void *b) {
  return strcmp(((const og_type *)a)->name, ((const og_type *)b)->name);
}
static int cmp_annot(const void *a, const void *b) {
  const og_annot *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c) return c;
  if (!x->value || !y->value) return (x->value != NULL) - (y->value != NULL);
  return strcmp(x->value, y->value);
}

typedef struct keyed_con {
  const char *key;
  og_constraint c;
} keyed_con;
static int cmp_keyed(const void *a, const void *b) {
  return strcmp(((const keyed_con *)a)->key, ((const keyed_con *)b)->key);
}

static og_status canon_type(og_sch_mem *mem, og_type *t, og_error *err) {
  og_arena *a = &mem->arena;
  og_prop *props = (og_prop *)t->props;
  og_sch_sort(props, t->n_props, sizeof(*props), cmp_prop);
  for (size_t i = 0; i < t->n_props; i++) {
    og_sch_sort((og_annot *)props[i].annots, props[i].n_annots, sizeof(og_annot), cmp_annot);
    /* enum values are sorted/deduplicated already by the parser and IR reader */
  }
  og_sch_sort((og_annot *)t->annots, t->n_annots, sizeof(og_annot), cmp_annot);
  const char **impl = (const char **)t->implements;
  og_sch_sort(impl, t->n_implements, sizeof(*impl), cmp_cstr);
  size_t w = 0;
  for (size_t i = 0; i < t->n_implements; i++)
    if (w == 0 || strcmp(impl[w - 1], impl[i]) != 0) impl[w++] = impl[i];
  t->n_implements = w;
  if (t->n_cons) {
    keyed_con *kc = og_arena_alloc(a, t->n_cons * sizeof(*kc));
    if (!kc) return og_err_oom(err);
    og_buf b = OG_BUF_INIT;
    for (size_t i = 0; i < t->n_cons; i++) {
      og_constraint *c = (og_constraint *)&t->cons[i];
      if (c->kind == OG_CK_KEY || c->kind == OG_CK_UNIQUE || c->kind == OG_CK_INDEX)
        og_sch_sort((const char **)c->cols, c->n_cols, sizeof(char *), cmp_cstr);
      og_buf_clear(&b);
      og_constraint_key(c, &b);
      if (b.oom || !(kc[i].key = og_arena_strdup(a, b.ptr ? b.ptr : ""))) {
        og_buf_dispose(&b);
        return og_err_oom(err);
      }
      kc[i].c = *c;
    }
    og_buf_dispose(&b);
    og_sch_sort(kc, t->n_cons, sizeof(*kc), cmp_keyed);
    for (size_t i = 0; i < t->n_cons; i++) ((og_constraint *)t->cons)[i] = kc[i].c;
  }
  return OG_OK;
}

static og_status derive_type(og_sch_mem *mem, og_type *t, og_error *err) {
  og_status rc;
  og_prop *props = (og_prop *)t->props;
  og_map *pm = og_sch_map_new(mem);
  if (!pm) return og_err_oom(err);
  char kind_owner[512];
  for (size_t i = 0; i < t->n_props; i++) {
    og_prop *p = &props[i];
    if (i > 0 && strcmp(props[i - 1].name, p->name) == 0)
      return cat_err(err, p->pos, "duplicate property '%s' on %s %s", p->name, og_type_kind_name(t->kind),
                     t->name);
    if (og_map_sput(pm, p->name, (void *)(uintptr_t)(i + 1))) return og_err_oom(err);
    p->index = (uint32_t)i;
    p->is_key = false;
    p->embed_source = NULL;
    p->description = NULL;
    og_annot_find(p->annots, p->n_annots, "embed", &p->embed_source);
    og_annot_find(p->annots, p->n_annots, "description", &p->description);
    const char *pid_src = og_arena_printf(&mem->arena, "%s:%s:%s", og_type_kind_name(t->kind), t->name, p->name);
    if (!pid_src) return og_err_oom(err);
    p->prop_id = og_schema_id32(pid_src);
  }
  /* prop id collisions (distinct names hashing alike) */
  for (size_t i = 0; i < t->n_props; i++)
    for (size_t j = i + 1; j < t->n_props && t->n_props <= 64; j++)
      if (props[i].prop_id == props[j].prop_id)
        return cat_err(err, props[j].pos, "property id collision on %s: '%s' and '%s' both hash to %u", t->name,
                       props[i].name, props[j].name, props[i].prop_id);
  if (t->n_props > 64) {
    og_u64map ids = OG_U64MAP_INIT;
    for (size_t i = 0; i < t->n_props; i++) {
      uint64_t prev;
      if (og_u64map_get(&ids, props[i].prop_id, &prev)) {
        og_u64map_dispose(&ids);
        return cat_err(err, props[i].pos, "property id collision on %s: '%s' and '%s' both hash to %u", t->name,
                       props[prev].name, props[i].name, props[i].prop_id);
      }
      if (og_u64map_put(&ids, props[i].prop_id, i)) {
        og_u64map_dispose(&ids);
        return og_err_oom(err);
      }
    }
    og_u64map_dispose(&ids);
  }
  t->prop_map = pm;
  snprintf(kind_owner, sizeof(kind_owner), "%s:%s", og_type_kind_name(t->kind), t->name);
  t->type_id = og_schema_id32(kind_owner);
  t->key_prop = NULL;
  for (size_t i = 0; i < t->n_cons; i++) {
    og_constraint *c = (og_constraint *)&t->cons[i];
    if (c->kind == OG_CK_KEY && c->n_cols && !t->key_prop) {
      const og_prop *kp = og_type_prop(t, c->cols[0]);
      if (kp) {
        props[kp->index].is_key = true;
        t->key_prop = kp;
      }
    }
    if (c->kind == OG_CK_CHECK && (rc = og_sch_compile_check(mem, c, err)) != OG_OK) return rc;
  }
  t->description = t->instruction = NULL;
  og_annot_find(t->annots, t->n_annots, "description", &t->description);
  og_annot_find(t->annots, t->n_annots, "instruction", &t->instruction);
  char *low = og_arena_strdup(&mem->arena, t->name);
  if (!low) return og_err_oom(err);
  for (char *c = low; *c; c++)
    if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
  t->lower_name = low;
  return OG_OK;
}

og_status og_catalog_finish(og_catalog *cat, og_sch_mem *mem, og_type *ifaces, size_t ni, og_type *nodes,
                            size_t nn, og_type *edges, size_t ne, og_error *err) {
  og_status rc;
  cat_priv *p = og_arena_zalloc(&mem->arena, sizeof(*p));
  if (!p) return og_err_oom(err);
  p->mem = mem;
  og_sch_sort(ifaces, ni, sizeof(og_type), cmp_type);
  og_sch_sort(nodes, nn, sizeof(og_type), cmp_type);
  og_sch_sort(edges, ne, sizeof(og_type), cmp_type);
  og_type *lists[3] = {ifaces, nodes, edges};
  size_t counts[3] = {ni, nn, ne};
  og_map **maps[3] = {&p->ifaces, &p->nodes, &p->edges};
  og_u64map ids = OG_U64MAP_INIT;
  const og_type **by_slot = og_arena_alloc(&mem->arena, (ni + nn + ne + 1) * sizeof(*by_slot));
  if (!by_slot) return og_err_oom(err);
  size_t slot = 0;
  if (!(p->edges_ci = og_sch_map_new(mem))) return og_err_oom(err);
  for (int k = 0; k < 3; k++) {
    if (!(*maps[k] = og_sch_map_new(mem))) return og_err_oom(err);
    for (size_t i = 0; i < counts[k]; i++) {
      og_type *t = &lists[k][i];
      if ((rc = canon_type(mem, t, err)) != OG_OK) goto fail;
      if ((rc = derive_type(mem, t, err)) != OG_OK) goto fail;
      void *prev;
      if (og_map_sget(*maps[k], t->name, &prev)) {
        rc = cat_err(err, t->pos, "duplicate %s type: %s", og_type_kind_name(t->kind), t->name);
        goto fail;
      }
      if (og_map_sput(*maps[k], t->name, (void *)(uintptr_t)(i + 1))) goto oom;
      if (k == 2) {
        if (og_map_sget(p->edges_ci, t->lower_name, &prev)) {
          rc = cat_err(err, t->pos, "edge name collision after case folding: '%s' conflicts with '%s'", t->name,
                       edges[(uintptr_t)prev - 1].name);
          goto fail;
        }
        if (og_map_sput(p->edges_ci, t->lower_name, (void *)(uintptr_t)(i + 1))) goto oom;
      }
      uint64_t prev_slot;
      if (og_u64map_get(&ids, t->type_id, &prev_slot)) {
        rc = cat_err(err, t->pos, "type id collision: '%s' and '%s' both hash to %u", by_slot[prev_slot]->name,
                     t->name, t->type_id);
        goto fail;
      }
      by_slot[slot] = t;
      if (og_u64map_put(&ids, t->type_id, slot++)) goto oom;
    }
  }
  og_u64map_dispose(&ids);
  for (size_t i = 0; i < ne; i++) {
    og_type *t = &edges[i];
    void *v;
    if (!og_map_sget(p->nodes, t->from_type, &v))
      return cat_err(err, t->pos, "edge %s references unknown source type: %s", t->name, t->from_type);
    if (!og_map_sget(p->nodes, t->to_type, &v))
      return cat_err(err, t->pos, "edge %s references unknown target type: %s", t->name, t->to_type);
  }
  cat->interfaces = ifaces;
  cat->n_interfaces = ni;
  cat->nodes = nodes;
  cat->n_nodes = nn;
  cat->edges = edges;
  cat->n_edges = ne;
  cat->priv = p;
  og_buf b = OG_BUF_INIT;
  og_sch_render_ir(cat, 0, &b);
  if (b.oom || !b.ptr) {
    og_buf_dispose(&b);
    return og_err_oom(err);
  }
  char *json = og_arena_memdup(&mem->arena, b.ptr, b.len + 1);
  char hex[65];
  og_sha256_hex(b.ptr, b.len, hex);
  og_buf_dispose(&b);
  if (!json) return og_err_oom(err);
  cat->ir_json = json;
  cat->ir_json_len = strlen(json);
  snprintf(cat->hash, sizeof(cat->hash), "sha256:%s", hex);
  return OG_OK;
oom:
  rc = og_err_oom(err);
fail:
  og_u64map_dispose(&ids);
  return rc;
}

/*==================== lookups ====================*/

static const og_type *lookup(const og_map *m, const og_type *arr, const char *name) {
  void *v;
  if (!m || !name || !og_map_sget(m, name, &v)) return NULL;
  return &arr[(uintptr_t)v - 1];
}

const og_type *og_catalog_node(const og_catalog *c, const char *name) {
  return c ? lookup(((cat_priv *)c->priv)->nodes, c->nodes, name) : NULL;
}
const og_type *og_catalog_edge(const og_catalog *c, const char *name) {
  return c ? lookup(((cat_priv *)c->priv)->edges, c->edges, name) : NULL;
}
const og_type *og_catalog_interface(const og_catalog *c, const char *name) {
  return c ? lookup(((cat_priv *)c->priv)->ifaces, c->interfaces, name) : NULL;
}
const og_type *og_catalog_edge_ci(const og_catalog *c, const char *name) {
  if (!c || !name) return NULL;
  char buf[256];
  size_t n = strlen(name);
  char *low = n < sizeof(buf) ? buf : og_malloc(n + 1);
  if (!low) return NULL;
  for (size_t i = 0; i <= n; i++) {
    char ch = name[i];
    low[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
  }
  const og_type *t = lookup(((cat_priv *)c->priv)->edges_ci, c->edges, low);
  if (low != buf) og_free(low);
  return t;
}

/*==================== IR JSON ====================*/

static void ir_annots(og_jw *w, const og_annot *a, size_t n) {
  og_jw_arr(w);
  for (size_t i = 0; i < n; i++) {
    og_jw_obj(w);
    og_jw_kstr(w, "name", a[i].name);
    og_jw_kstr(w, "value", a[i].value);
    og_jw_end_obj(w);
  }
  og_jw_end_arr(w);
}

static void ir_props(og_jw *w, const og_type *t) {
  og_jw_arr(w);
  for (size_t i = 0; i < t->n_props; i++) {
    const og_prop *p = &t->props[i];
    og_jw_obj(w);
    og_jw_kstr(w, "name", p->name);
    og_jw_key(w, "prop_id");
    og_jw_u64(w, p->prop_id);
    og_jw_key(w, "prop_type");
    og_jw_proptype(w, &p->type);
    og_jw_key(w, "annotations");
    ir_annots(w, p->annots, p->n_annots);
    og_jw_end_obj(w);
  }
  og_jw_end_arr(w);
}

static void ir_cons(og_jw *w, const og_type *t) {
  og_jw_arr(w);
  for (size_t i = 0; i < t->n_cons; i++) og_jw_constraint(w, &t->cons[i]);
  og_jw_end_arr(w);
}

og_status og_sch_render_ir(const og_catalog *cat, int indent, og_buf *out) {
  og_jw w;
  og_jw_init(&w, out, indent);
  og_jw_obj(&w);
  og_jw_key(&w, "ir_version");
  og_jw_u64(&w, 1);
  og_jw_key(&w, "interfaces");
  og_jw_arr(&w);
  for (size_t i = 0; i < cat->n_interfaces; i++) {
    const og_type *t = &cat->interfaces[i];
    og_jw_obj(&w);
    og_jw_kstr(&w, "name", t->name);
    og_jw_key(&w, "type_id");
    og_jw_u64(&w, t->type_id);
    og_jw_key(&w, "properties");
    ir_props(&w, t);
    og_jw_end_obj(&w);
  }
  og_jw_end_arr(&w);
  og_jw_key(&w, "nodes");
  og_jw_arr(&w);
  for (size_t i = 0; i < cat->n_nodes; i++) {
    const og_type *t = &cat->nodes[i];
    og_jw_obj(&w);
    og_jw_kstr(&w, "name", t->name);
    og_jw_key(&w, "type_id");
    og_jw_u64(&w, t->type_id);
    og_jw_key(&w, "annotations");
    ir_annots(&w, t->annots, t->n_annots);
    og_jw_key(&w, "implements");
    og_jw_arr(&w);
    for (size_t k = 0; k < t->n_implements; k++) og_jw_str(&w, t->implements[k]);
    og_jw_end_arr(&w);
    og_jw_key(&w, "properties");
    ir_props(&w, t);
    og_jw_key(&w, "constraints");
    ir_cons(&w, t);
    og_jw_end_obj(&w);
  }
  og_jw_end_arr(&w);
  og_jw_key(&w, "edges");
  og_jw_arr(&w);
  for (size_t i = 0; i < cat->n_edges; i++) {
    const og_type *t = &cat->edges[i];
    og_jw_obj(&w);
    og_jw_kstr(&w, "name", t->name);
    og_jw_key(&w, "type_id");
    og_jw_u64(&w, t->type_id);
    og_jw_kstr(&w, "from_type", t->from_type);
    og_jw_kstr(&w, "to_type", t->to_type);
    og_jw_key(&w, "cardinality");
    og_jw_obj(&w);
    og_jw_key(&w, "min");
    og_jw_u64(&w, t->card_min);
    og_jw_key(&w, "max");
    if (t->card_has_max) og_jw_u64(&w, t->card_max);
    else og_jw_null(&w);
    og_jw_end_obj(&w);
    og_jw_key(&w, "annotations");
    ir_annots(&w, t->annots, t->n_annots);
    og_jw_key(&w, "properties");
    ir_props(&w, t);
    og_jw_key(&w, "constraints");
    ir_cons(&w, t);
    og_jw_end_obj(&w);
  }
  og_jw_end_arr(&w);
  og_jw_end_obj(&w);
  return out->oom ? OG_ENOMEM : OG_OK;
}

og_status og_catalog_ir_pretty(const og_catalog *c, og_buf *out, og_error *err) {
  if (og_sch_render_ir(c, 2, out) != OG_OK) return og_err_oom(err);
  return OG_OK;
}

/*==================== canonical .pg ====================*/

static void pg_str(og_buf *b, const char *s) {
  og_buf_putc(b, '"');
  for (; *s; s++) {
    switch (*s) {
      case '"': og_buf_puts(b, "\\\""); break;
      case '\\': og_buf_puts(b, "\\\\"); break;
      case '\n': og_buf_puts(b, "\\n"); break;
      case '\r': og_buf_puts(b, "\\r"); break;
      case '\t': og_buf_puts(b, "\\t"); break;
      default: og_buf_putc(b, *s);
    }
  }
  og_buf_putc(b, '"');
}

static void pg_annots(og_buf *b, const og_annot *a, size_t n) {
  for (size_t i = 0; i < n; i++) {
    og_buf_printf(b, " @%s", a[i].name);
    if (a[i].value) {
      og_buf_putc(b, '(');
      pg_str(b, a[i].value);
      og_buf_putc(b, ')');
    }
  }
}

/* Positional (never exponent) float text that the lexer accepts. */
static void pg_float(og_buf *b, double v) {
  char f[400];
  og_sch_fmt_f64(v, f, sizeof(f));
  if (!strchr(f, 'e')) {
    og_buf_puts(b, f);
    return;
  }
  for (int prec = 1; prec < 360; prec++) {
    snprintf(f, sizeof(f), "%.*f", prec, v);
    if (strtod(f, NULL) == v) break;
  }
  og_buf_puts(b, f);
}

static void pg_bound(og_buf *b, const og_bound *x) {
  if (!x->present) return;
  if (x->is_float) pg_float(b, x->f);
  else og_buf_printf(b, "%lld", (long long)x->i);
}

static void pg_body(og_buf *b, const og_type *t, og_arena *a) {
  /* Single-column key/unique/index constraints regenerated by a property
   * annotation are not written again (each annotation covers one). */
  bool *covered = t->n_cons ? og_arena_zalloc(a, t->n_cons * sizeof(bool)) : NULL;
  if (t->n_cons && !covered) {
    b->oom = true; /* reported as OOM by og_catalog_render_pg */
    return;
  }
  for (size_t i = 0; i < t->n_props; i++) {
    const og_prop *p = &t->props[i];
    og_buf_printf(b, "    %s: ", p->name);
    og_sch_put_type(b, &p->type);
    pg_annots(b, p->annots, p->n_annots);
    og_buf_putc(b, '\n');
    for (size_t k = 0; k < p->n_annots && covered; k++) {
      const char *an = p->annots[k].name;
      og_ckind want;
      if (!strcmp(an, "key")) want = OG_CK_KEY;
      else if (!strcmp(an, "unique")) want = OG_CK_UNIQUE;
      else if (!strcmp(an, "index")) want = OG_CK_INDEX;
      else continue;
      for (size_t c = 0; c < t->n_cons; c++)
        if (!covered[c] && t->cons[c].kind == want && t->cons[c].n_cols == 1 &&
            !strcmp(t->cons[c].cols[0], p->name)) {
          covered[c] = true;
          break;
        }
    }
  }
  for (size_t i = 0; i < t->n_cons; i++) {
    if (covered && covered[i]) continue;
    const og_constraint *c = &t->cons[i];
    static const char *const kn[] = {"key", "unique", "index", "range", "check"};
    og_buf_printf(b, "    @%s(", kn[c->kind]);
    if (c->kind == OG_CK_RANGE) {
      og_buf_printf(b, "%s, ", c->cols[0]);
      pg_bound(b, &c->min);
      og_buf_puts(b, "..");
      pg_bound(b, &c->max);
    } else if (c->kind == OG_CK_CHECK) {
      og_buf_printf(b, "%s, ", c->cols[0]);
      pg_str(b, c->pattern);
    } else {
      for (size_t k = 0; k < c->n_cols; k++) og_buf_printf(b, "%s%s", k ? ", " : "", c->cols[k]);
    }
    og_buf_puts(b, ")\n");
  }
}

og_status og_catalog_render_pg(const og_catalog *c, og_buf *out, og_error *err) {
  og_arena a = OG_ARENA_INIT;
  bool first = true;
  for (size_t i = 0; i < c->n_interfaces; i++) {
    const og_type *t = &c->interfaces[i];
    og_buf_printf(out, "%sinterface %s {\n", first ? "" : "\n", t->name);
    first = false;
    pg_body(out, t, &a);
    og_buf_puts(out, "}\n");
  }
  for (size_t i = 0; i < c->n_nodes; i++) {
    const og_type *t = &c->nodes[i];
    og_buf_printf(out, "%snode %s", first ? "" : "\n", t->name);
    first = false;
    pg_annots(out, t->annots, t->n_annots);
    for (size_t k = 0; k < t->n_implements; k++)
      og_buf_printf(out, "%s%s", k ? ", " : " implements ", t->implements[k]);
    og_buf_puts(out, " {\n");
    pg_body(out, t, &a);
    og_buf_puts(out, "}\n");
  }
  for (size_t i = 0; i < c->n_edges; i++) {
    const og_type *t = &c->edges[i];
    og_buf_printf(out, "%sedge %s: %s -> %s", first ? "" : "\n", t->name, t->from_type, t->to_type);
    first = false;
    if (t->card_min != 0 || t->card_has_max) {
      og_buf_printf(out, " @card(%u..", t->card_min);
      if (t->card_has_max) og_buf_printf(out, "%u", t->card_max);
      og_buf_putc(out, ')');
    }
    pg_annots(out, t->annots, t->n_annots);
    if (t->n_props || t->n_cons) {
      og_buf_puts(out, " {\n");
      pg_body(out, t, &a);
      og_buf_puts(out, "}\n");
    } else {
      og_buf_putc(out, '\n');
    }
  }
  og_arena_dispose(&a);
  if (out->oom) return og_err_oom(err);
  return OG_OK;
}
