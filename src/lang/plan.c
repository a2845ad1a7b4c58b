/*
 * plan.c — schema migration planner (§10.1), step renderings and the
 * schema-lint code registry (§10.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/schema_int.h"
#include "lang/schema_json.h"

/*==================== lint codes ====================*/

static const og_lint_code LINT_CODES[] = {
    {"OG-DS-101", "DS", "destructive", "error", "drop graph type with rows", false},
    {"OG-DS-102", "DS", "destructive", "error", "drop node type with rows", false},
    {"OG-DS-103", "DS", "destructive", "error", "drop edge type with rows", false},
    {"OG-DS-104", "DS", "destructive", "error", "drop property with rows", false},
    {"OG-DS-105", "DS", "destructive", "error", "drop populated vector column", false},
    {"OG-MF-103", "MF", "validated", "error", "add required property without default to populated type", true},
    {"OG-MF-104", "MF", "validated", "error", "tighten nullable to non-nullable", false},
    {"OG-MF-106", "MF", "destructive", "error", "narrowing scalar type (any property type change)", true},
};

const og_lint_code *og_lint_codes(size_t *n) {
  *n = sizeof(LINT_CODES) / sizeof(LINT_CODES[0]);
  return LINT_CODES;
}

const og_lint_code *og_lint_code_find(const char *code) {
  if (!code) return NULL;
  for (size_t i = 0; i < sizeof(LINT_CODES) / sizeof(LINT_CODES[0]); i++)
    if (strcmp(LINT_CODES[i].code, code) == 0) return &LINT_CODES[i];
  return NULL;
}

bool og_lint_code_valid(const char *code) {
  static const char *const fams[] = {"DS", "MF", "CD", "BC", "NM", "OW", "NL", "VE", "ED", "LK"};
  if (!code || strlen(code) != 9 || strncmp(code, "OG-", 3) != 0 || code[5] != '-') return false;
  bool fam = false;
  for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
    if (code[3] == fams[i][0] && code[4] == fams[i][1]) fam = true;
  for (int i = 6; i < 9; i++)
    if (code[i] < '0' || code[i] > '9') return false;
  return fam;
}

/*==================== planner ====================*/

typedef struct pl {
  og_sch_mem *mem;
  og_arena *a;
  og_plan_step *steps;
  size_t n, cap;
  bool hard;
  og_error *err;
  og_status rc; /* sticky OOM */
} pl;

static void push(pl *p, const og_plan_step *s) {
  if (p->rc) return;
  og_plan_step *ns = og_sch_grow(p->a, p->steps, &p->cap, p->n + 1, sizeof(*ns));
  if (!ns) {
    p->rc = og_err_oom(p->err);
    return;
  }
  p->steps = ns;
  p->steps[p->n++] = *s;
}

static const char *fmt(pl *p, const char *f, ...) __attribute__((format(printf, 2, 3)));
static const char *fmt(pl *p, const char *f, ...) {
  va_list ap;
  og_buf b = OG_BUF_INIT;
  va_start(ap, f);
  og_buf_vprintf(&b, f, ap);
  va_end(ap);
  const char *s = b.ptr && !b.oom ? og_arena_strdup(p->a, b.ptr) : NULL;
  og_buf_dispose(&b);
  if (!s && !p->rc) p->rc = og_err_oom(p->err);
  return s ? s : "";
}

static void unsupported(pl *p, const char *entity, const char *reason, const char *code) {
  og_plan_step s;
  memset(&s, 0, sizeof(s));
  s.kind = OG_STEP_UNSUPPORTED;
  s.entity = entity;
  s.reason = reason;
  s.code = code;
  push(p, &s);
}

static bool ignored_annot(const char *n) {
  return !strcmp(n, "description") || !strcmp(n, "instruction") || !strcmp(n, "rename_from") ||
         !strcmp(n, "key") || !strcmp(n, "unique") || !strcmp(n, "index");
}

static bool str_eq_null(const char *a, const char *b) {
  if (!a || !b) return a == b;
  return strcmp(a, b) == 0;
}

/* Compare the non-ignored annotations (both lists are sorted). */
static bool structural_annots_equal(const og_annot *a, size_t na, const og_annot *b, size_t nb) {
  size_t i = 0, j = 0;
  for (;;) {
    while (i < na && ignored_annot(a[i].name)) i++;
    while (j < nb && ignored_annot(b[j].name)) j++;
    if (i == na || j == nb) return i == na && j == nb;
    if (strcmp(a[i].name, b[j].name) != 0 || !str_eq_null(a[i].value, b[j].value)) return false;
    i++;
    j++;
  }
}

static bool meta_equal(const og_annot *a, size_t na, const og_annot *b, size_t nb) {
  static const char *const metas[] = {"description", "instruction"};
  for (int m = 0; m < 2; m++) {
    const char *va = NULL, *vb = NULL;
    bool ha = og_annot_find(a, na, metas[m], &va), hb = og_annot_find(b, nb, metas[m], &vb);
    if (ha != hb || !str_eq_null(va, vb)) return false;
  }
  return true;
}

/* The desired description/instruction annotations. */
static void meta_annots(pl *p, const og_annot *a, size_t n, const og_annot **out, size_t *nout) {
  og_annot *d = og_arena_alloc(p->a, (n ? n : 1) * sizeof(*d));
  size_t k = 0;
  if (!d) {
    p->rc = og_err_oom(p->err);
    *out = NULL;
    *nout = 0;
    return;
  }
  for (size_t i = 0; i < n; i++)
    if (!strcmp(a[i].name, "description") || !strcmp(a[i].name, "instruction")) d[k++] = a[i];
  *out = d;
  *nout = k;
}

static const char *rename_from(const og_annot *a, size_t n) {
  const char *v = NULL;
  if (og_annot_find(a, n, "rename_from", &v)) return v;
  return NULL;
}

static const char *tk(og_type_kind k) { return og_type_kind_name(k); }

/* Property-level planning for a matched pair of types. Fills `renames`
 * (accepted name -> desired name) for constraint comparison. */
static void plan_props(pl *p, og_type_kind kind, const og_type *acc, const og_type *des, og_map *renames) {
  const char *T = des->name;
  bool *matched = og_arena_zalloc(p->a, (acc->n_props ? acc->n_props : 1) * sizeof(bool));
  if (!matched) {
    p->rc = og_err_oom(p->err);
    return;
  }
  for (size_t i = 0; i < des->n_props; i++) {
    const og_prop *dp = &des->props[i];
    const og_prop *ap = og_type_prop(acc, dp->name);
    const char *rf = rename_from(dp->annots, dp->n_annots);
    const char *ent = fmt(p, "%s:%s.%s", tk(kind), T, dp->name);
    bool renamed = false;
    if (!ap && rf) {
      ap = og_type_prop(acc, rf);
      if (!ap) {
        unsupported(p, ent,
                    fmt(p, "property '%s.%s' declares @rename_from(\"%s\") but no accepted property with that name exists",
                        T, dp->name, rf),
                    NULL);
        continue;
      }
      renamed = true;
    }
    if (ap && matched[ap->index]) ap = NULL; /* consumed already (two claims): treat as new */
    og_plan_step s;
    memset(&s, 0, sizeof(s));
    s.type_kind = kind;
    s.type_name = T;
    if (!ap) {
      if (dp->type.nullable) {
        s.kind = OG_STEP_ADD_PROPERTY;
        s.property_name = dp->name;
        s.property_type = dp->type;
        push(p, &s);
      } else {
        unsupported(p, ent,
                    fmt(p, "adding required property '%s.%s' requires a backfill and is not supported in schema migration v1",
                        T, dp->name),
                    "OG-MF-103");
      }
      continue;
    }
    matched[ap->index] = true;
    if (renamed) {
      s.kind = OG_STEP_RENAME_PROPERTY;
      s.from = ap->name;
      s.to = dp->name;
      push(p, &s);
      if (og_map_sput(renames, ap->name, (void *)dp->name) && !p->rc) p->rc = og_err_oom(p->err);
    }
    if (!og_proptype_equal(&ap->type, &dp->type))
      unsupported(p, ent, fmt(p, "changing property type for '%s.%s' is not supported in schema migration v1", T,
                              dp->name),
                  "OG-MF-106");
    if (!structural_annots_equal(ap->annots, ap->n_annots, dp->annots, dp->n_annots)) {
      unsupported(p, ent, "changing annotations beyond @description/@instruction is not supported in schema migration v1",
                  NULL);
    } else if (!meta_equal(ap->annots, ap->n_annots, dp->annots, dp->n_annots)) {
      og_plan_step m;
      memset(&m, 0, sizeof(m));
      m.kind = OG_STEP_UPDATE_PROPERTY_METADATA;
      m.type_kind = kind;
      m.type_name = T;
      m.property_name = dp->name;
      meta_annots(p, dp->annots, dp->n_annots, &m.annots, &m.n_annots);
      push(p, &m);
    }
  }
  for (size_t i = 0; i < acc->n_props; i++) {
    if (matched[i]) continue;
    og_plan_step s;
    memset(&s, 0, sizeof(s));
    s.kind = OG_STEP_DROP_PROPERTY;
    s.type_kind = kind;
    s.type_name = T;
    s.property_name = acc->props[i].name;
    s.hard = p->hard;
    push(p, &s);
  }
}

static int cmp_cstr(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

typedef struct ckey {
  const char *key;
  const og_constraint *c;
} ckey;
static int cmp_ckey(const void *a, const void *b) { return strcmp(((const ckey *)a)->key, ((const ckey *)b)->key); }

static const char *ren(og_map *renames, const char *col) {
  void *v;
  return og_map_sget(renames, col, &v) ? (const char *)v : col;
}

static void plan_cons(pl *p, og_type_kind kind, const og_type *acc, const og_type *des, og_map *renames) {
  const char *T = des->name;
  og_map have = OG_MAP_INIT;
  og_buf b = OG_BUF_INIT;
  ckey *dk = og_arena_alloc(p->a, (des->n_cons ? des->n_cons : 1) * sizeof(*dk));
  if (!dk) goto oom;
  /* accepted keys after renames */
  for (size_t i = 0; i < acc->n_cons; i++) {
    og_constraint c = acc->cons[i];
    const char **cols = og_arena_alloc(p->a, (c.n_cols ? c.n_cols : 1) * sizeof(*cols));
    if (!cols) goto oom;
    for (size_t k = 0; k < c.n_cols; k++) cols[k] = ren(renames, c.cols[k]);
    if (c.kind == OG_CK_KEY || c.kind == OG_CK_UNIQUE || c.kind == OG_CK_INDEX)
      og_sch_sort(cols, c.n_cols, sizeof(*cols), cmp_cstr);
    c.cols = cols;
    og_buf_clear(&b);
    og_constraint_key(&c, &b);
    if (b.oom || og_map_put(&have, b.ptr, b.len, NULL)) goto oom;
  }
  og_map want = OG_MAP_INIT;
  for (size_t i = 0; i < des->n_cons; i++) {
    og_buf_clear(&b);
    og_constraint_key(&des->cons[i], &b);
    if (b.oom || !(dk[i].key = og_arena_strdup(p->a, b.ptr))) {
      og_map_dispose(&want);
      goto oom;
    }
    dk[i].c = &des->cons[i];
    if (og_map_sput(&want, dk[i].key, NULL)) {
      og_map_dispose(&want);
      goto oom;
    }
  }
  size_t pos = 0;
  og_map_entry *e;
  bool removed = false;
  while ((e = og_map_next(&have, &pos)) != NULL) {
    void *v;
    if (!og_map_get(&want, e->key, e->key_len, &v)) removed = true;
  }
  og_map_dispose(&want);
  if (removed)
    unsupported(p, fmt(p, "%s:%s", tk(kind), T),
                fmt(p, "removing constraints from '%s' is not supported in schema migration v1", T), NULL);
  og_sch_sort(dk, des->n_cons, sizeof(*dk), cmp_ckey);
  for (size_t i = 0; i < des->n_cons; i++) {
    void *v;
    if (i > 0 && strcmp(dk[i - 1].key, dk[i].key) == 0) continue;
    if (og_map_sget(&have, dk[i].key, &v)) continue;
    if (dk[i].c->kind == OG_CK_INDEX) {
      og_plan_step s;
      memset(&s, 0, sizeof(s));
      s.kind = OG_STEP_ADD_CONSTRAINT;
      s.type_kind = kind;
      s.type_name = T;
      s.constraint = dk[i].c;
      push(p, &s);
    } else {
      unsupported(p, fmt(p, "%s:%s", tk(kind), T),
                  fmt(p, "adding constraint '%s' to '%s' is not supported in schema migration v1", dk[i].key, T),
                  NULL);
    }
  }
  goto cleanup;
oom:
  if (!p->rc) p->rc = og_err_oom(p->err);
cleanup:
  og_map_dispose(&have);
  og_buf_dispose(&b);
}

typedef const og_type *(*lookup_fn)(const og_catalog *, const char *);

/* Nodes or edges. `node_renames` maps accepted node names to desired ones
 * (filled for nodes, read for edges). */
static void plan_types(pl *p, og_type_kind kind, const og_catalog *acc, const og_catalog *des, og_map *node_renames) {
  const og_type *alist = kind == OG_KIND_NODE ? acc->nodes : acc->edges;
  size_t an = kind == OG_KIND_NODE ? acc->n_nodes : acc->n_edges;
  const og_type *dlist = kind == OG_KIND_NODE ? des->nodes : des->edges;
  size_t dn = kind == OG_KIND_NODE ? des->n_nodes : des->n_edges;
  lookup_fn look = kind == OG_KIND_NODE ? og_catalog_node : og_catalog_edge;
  bool *matched = og_arena_zalloc(p->a, (an ? an : 1) * sizeof(bool));
  if (!matched) {
    p->rc = og_err_oom(p->err);
    return;
  }
  for (size_t i = 0; i < dn && !p->rc; i++) {
    const og_type *d = &dlist[i];
    const og_type *a = look(acc, d->name);
    const char *rf = rename_from(d->annots, d->n_annots);
    const char *ent = fmt(p, "%s:%s", tk(kind), d->name);
    if (!a && rf && strcmp(rf, d->name) != 0) a = look(acc, rf);
    if (a && matched[a - alist]) a = NULL;
    og_plan_step s;
    memset(&s, 0, sizeof(s));
    s.type_kind = kind;
    if (!a) {
      if (rf) {
        unsupported(p, ent,
                    fmt(p, "%s '%s' declares @rename_from(\"%s\") but no accepted %s with that name exists", tk(kind),
                        d->name, rf, tk(kind)),
                    NULL);
      } else {
        s.kind = OG_STEP_ADD_TYPE;
        s.name = d->name;
        push(p, &s);
      }
      continue;
    }
    matched[a - alist] = true;
    if (strcmp(a->name, d->name) != 0) {
      s.kind = OG_STEP_RENAME_TYPE;
      s.from = a->name;
      s.to = d->name;
      push(p, &s);
      if (kind == OG_KIND_NODE && og_map_sput(node_renames, a->name, (void *)d->name) && !p->rc)
        p->rc = og_err_oom(p->err);
    }
    if (kind == OG_KIND_NODE) {
      bool same = a->n_implements == d->n_implements;
      for (size_t k = 0; same && k < a->n_implements; k++) same = !strcmp(a->implements[k], d->implements[k]);
      if (!same)
        unsupported(p, ent,
                    fmt(p, "changing implemented interfaces on node '%s' is not supported in schema migration v1",
                        d->name),
                    NULL);
    } else {
      if (strcmp(ren(node_renames, a->from_type), d->from_type) != 0 ||
          strcmp(ren(node_renames, a->to_type), d->to_type) != 0)
        unsupported(p, ent,
                    fmt(p, "changing edge endpoints on '%s' is not supported in schema migration v1", d->name), NULL);
      if (a->card_min != d->card_min || a->card_has_max != d->card_has_max ||
          (a->card_has_max && a->card_max != d->card_max))
        unsupported(p, ent,
                    fmt(p, "changing cardinality on edge '%s' is not supported in schema migration v1", d->name),
                    NULL);
    }
    if (!structural_annots_equal(a->annots, a->n_annots, d->annots, d->n_annots)) {
      unsupported(p, ent, "changing annotations beyond @description/@instruction is not supported in schema migration v1",
                  NULL);
    } else if (!meta_equal(a->annots, a->n_annots, d->annots, d->n_annots)) {
      og_plan_step m;
      memset(&m, 0, sizeof(m));
      m.kind = OG_STEP_UPDATE_TYPE_METADATA;
      m.type_kind = kind;
      m.name = d->name;
      meta_annots(p, d->annots, d->n_annots, &m.annots, &m.n_annots);
      push(p, &m);
    }
    og_map renames = OG_MAP_INIT;
    plan_props(p, kind, a, d, &renames);
    plan_cons(p, kind, a, d, &renames);
    og_map_dispose(&renames);
  }
  for (size_t i = 0; i < an; i++) {
    if (matched[i]) continue;
    og_plan_step s;
    memset(&s, 0, sizeof(s));
    s.kind = OG_STEP_DROP_TYPE;
    s.type_kind = kind;
    s.name = alist[i].name;
    s.hard = p->hard;
    push(p, &s);
  }
}

og_status og_plan_build(const og_catalog *accepted, const og_catalog *desired, bool allow_data_loss, og_plan **out,
                        og_error *err) {
  pl p;
  og_map node_renames = OG_MAP_INIT;
  memset(&p, 0, sizeof(p));
  *out = NULL;
  p.err = err;
  p.hard = allow_data_loss;
  if (!(p.mem = og_sch_mem_new())) return og_err_oom(err);
  p.a = &p.mem->arena;
  /* 1. interfaces */
  for (size_t i = 0; i < desired->n_interfaces && !p.rc; i++) {
    const og_type *d = &desired->interfaces[i];
    const og_type *a = og_catalog_interface(accepted, d->name);
    if (a) {
      og_map renames = OG_MAP_INIT;
      plan_props(&p, OG_KIND_INTERFACE, a, d, &renames);
      og_map_dispose(&renames);
    } else {
      og_plan_step s;
      memset(&s, 0, sizeof(s));
      s.kind = OG_STEP_ADD_TYPE;
      s.type_kind = OG_KIND_INTERFACE;
      s.name = d->name;
      push(&p, &s);
    }
  }
  for (size_t i = 0; i < accepted->n_interfaces && !p.rc; i++) {
    const og_type *a = &accepted->interfaces[i];
    if (!og_catalog_interface(desired, a->name))
      unsupported(&p, fmt(&p, "interface:%s", a->name),
                  fmt(&p, "removing interface '%s' is not supported in schema migration v1", a->name), NULL);
  }
  plan_types(&p, OG_KIND_NODE, accepted, desired, &node_renames);
  plan_types(&p, OG_KIND_EDGE, accepted, desired, &node_renames);
  og_map_dispose(&node_renames);
  if (p.rc) {
    og_sch_mem_free(p.mem);
    return p.rc;
  }
  og_plan *plan = og_arena_zalloc(p.a, sizeof(*plan));
  if (!plan) {
    og_sch_mem_free(p.mem);
    return og_err_oom(err);
  }
  plan->supported = true;
  for (size_t i = 0; i < p.n; i++)
    if (p.steps[i].kind == OG_STEP_UNSUPPORTED) plan->supported = false;
  plan->steps = p.steps;
  plan->n_steps = p.n;
  plan->priv = p.mem;
  *out = plan;
  return OG_OK;
}

void og_plan_free(og_plan *p) {
  if (!p) return;
  og_sch_mem_free(p->priv);
}

/*==================== renderings ====================*/

static const char *step_kind_name(og_step_kind k) {
  static const char *const n[] = {"add_type", "rename_type", "add_property", "rename_property", "add_constraint",
                                  "update_type_metadata", "update_property_metadata", "drop_type", "drop_property",
                                  "unsupported_change"};
  return n[k];
}

static void j_step(og_jw *w, const og_plan_step *s) {
  og_jw_obj(w);
  og_jw_kstr(w, "kind", step_kind_name(s->kind));
  if (s->kind != OG_STEP_UNSUPPORTED) og_jw_kstr(w, "type_kind", tk(s->type_kind));
  switch (s->kind) {
    case OG_STEP_ADD_TYPE:
      og_jw_kstr(w, "name", s->name);
      break;
    case OG_STEP_RENAME_TYPE:
      og_jw_kstr(w, "from", s->from);
      og_jw_kstr(w, "to", s->to);
      break;
    case OG_STEP_ADD_PROPERTY:
      og_jw_kstr(w, "type_name", s->type_name);
      og_jw_kstr(w, "property_name", s->property_name);
      og_jw_key(w, "property_type");
      og_jw_proptype(w, &s->property_type);
      break;
    case OG_STEP_RENAME_PROPERTY:
      og_jw_kstr(w, "type_name", s->type_name);
      og_jw_kstr(w, "from", s->from);
      og_jw_kstr(w, "to", s->to);
      break;
    case OG_STEP_ADD_CONSTRAINT:
      og_jw_kstr(w, "type_name", s->type_name);
      og_jw_key(w, "constraint");
      og_jw_constraint(w, s->constraint);
      break;
    case OG_STEP_UPDATE_TYPE_METADATA:
    case OG_STEP_UPDATE_PROPERTY_METADATA:
      if (s->kind == OG_STEP_UPDATE_TYPE_METADATA) {
        og_jw_kstr(w, "name", s->name);
      } else {
        og_jw_kstr(w, "type_name", s->type_name);
        og_jw_kstr(w, "property_name", s->property_name);
      }
      og_jw_key(w, "annotations");
      og_jw_arr(w);
      for (size_t i = 0; i < s->n_annots; i++) {
        og_jw_obj(w);
        og_jw_kstr(w, "name", s->annots[i].name);
        og_jw_kstr(w, "value", s->annots[i].value);
        og_jw_end_obj(w);
      }
      og_jw_end_arr(w);
      break;
    case OG_STEP_DROP_TYPE:
      og_jw_kstr(w, "name", s->name);
      og_jw_kstr(w, "mode", s->hard ? "hard" : "soft");
      break;
    case OG_STEP_DROP_PROPERTY:
      og_jw_kstr(w, "type_name", s->type_name);
      og_jw_kstr(w, "property_name", s->property_name);
      og_jw_kstr(w, "mode", s->hard ? "hard" : "soft");
      break;
    case OG_STEP_UNSUPPORTED:
      og_jw_kstr(w, "entity", s->entity);
      og_jw_kstr(w, "reason", s->reason);
      if (s->code) og_jw_kstr(w, "code", s->code);
      break;
  }
  og_jw_end_obj(w);
}

og_status og_plan_step_json(const og_plan_step *s, og_buf *out) {
  og_jw w;
  og_jw_init(&w, out, 0);
  j_step(&w, s);
  return out->oom ? OG_ENOMEM : OG_OK;
}

og_status og_plan_json(const og_plan *p, og_buf *out) {
  og_jw w;
  og_jw_init(&w, out, 0);
  og_jw_obj(&w);
  og_jw_key(&w, "supported");
  og_jw_bool(&w, p->supported);
  og_jw_key(&w, "steps");
  og_jw_arr(&w);
  for (size_t i = 0; i < p->n_steps; i++) j_step(&w, &p->steps[i]);
  og_jw_end_arr(&w);
  og_jw_end_obj(&w);
  return out->oom ? OG_ENOMEM : OG_OK;
}

og_status og_plan_step_message(const og_plan_step *s, og_buf *out) {
  if (s->kind == OG_STEP_UNSUPPORTED) {
    if (s->code) og_buf_printf(out, "[%s] %s", s->code, s->reason);
    else og_buf_puts(out, s->reason);
  } else {
    og_plan_step_text(s, out);
  }
  return out->oom ? OG_ENOMEM : OG_OK;
}

static void text_type(og_buf *b, const og_proptype *t) {
  if (!t->n_enum) {
    char d[1024];
    og_proptype_display(t, d, sizeof(d));
    og_buf_puts(b, d);
    return;
  }
  if (t->list) og_buf_putc(b, '[');
  og_buf_puts(b, "Enum(");
  for (size_t i = 0; i < t->n_enum; i++) og_buf_printf(b, "%s%s", i ? "|" : "", t->enum_values[i]);
  og_buf_putc(b, ')');
  if (t->list) og_buf_putc(b, ']');
  if (t->nullable) og_buf_putc(b, '?');
}

static void text_constraint(og_buf *b, const og_constraint *c) {
  static const char *const kn[] = {"key", "unique", "index", "range", "check"};
  og_buf_printf(b, "@%s(", kn[c->kind]);
  for (size_t i = 0; i < c->n_cols; i++) og_buf_printf(b, "%s%s", i ? ", " : "", c->cols[i]);
  if (c->kind == OG_CK_RANGE) {
    char f[64];
    og_buf_puts(b, ", ");
    if (c->min.present) {
      if (c->min.is_float) og_sch_fmt_f64(c->min.f, f, sizeof(f));
      else snprintf(f, sizeof(f), "%lld", (long long)c->min.i);
      og_buf_puts(b, f);
    }
    og_buf_puts(b, "..");
    if (c->max.present) {
      if (c->max.is_float) og_sch_fmt_f64(c->max.f, f, sizeof(f));
      else snprintf(f, sizeof(f), "%lld", (long long)c->max.i);
      og_buf_puts(b, f);
    }
  } else if (c->kind == OG_CK_CHECK) {
    og_buf_printf(b, ", \"%s\"", c->pattern);
  }
  og_buf_putc(b, ')');
}

og_status og_plan_step_text(const og_plan_step *s, og_buf *b) {
  const char *k = tk(s->type_kind);
  switch (s->kind) {
    case OG_STEP_ADD_TYPE: og_buf_printf(b, "add %s type '%s'", k, s->name); break;
    case OG_STEP_RENAME_TYPE: og_buf_printf(b, "rename %s type '%s' -> '%s'", k, s->from, s->to); break;
    case OG_STEP_ADD_PROPERTY:
      og_buf_printf(b, "add property '%s.%s' (", s->type_name, s->property_name);
      text_type(b, &s->property_type);
      og_buf_printf(b, ") on %s '%s'", k, s->type_name);
      break;
    case OG_STEP_RENAME_PROPERTY:
      og_buf_printf(b, "rename property '%s.%s' -> '%s.%s' on %s '%s'", s->type_name, s->from, s->type_name, s->to, k,
                    s->type_name);
      break;
    case OG_STEP_ADD_CONSTRAINT:
      og_buf_puts(b, "add constraint ");
      text_constraint(b, s->constraint);
      og_buf_printf(b, " on %s '%s'", k, s->type_name);
      break;
    case OG_STEP_UPDATE_TYPE_METADATA:
    case OG_STEP_UPDATE_PROPERTY_METADATA:
      if (s->kind == OG_STEP_UPDATE_TYPE_METADATA) og_buf_printf(b, "update metadata on %s '%s' (", k, s->name);
      else og_buf_printf(b, "update metadata on property '%s.%s' of %s '%s' (", s->type_name, s->property_name, k,
                         s->type_name);
      for (size_t i = 0; i < s->n_annots; i++) {
        og_buf_printf(b, "%s@%s", i ? ", " : "", s->annots[i].name);
        if (s->annots[i].value) og_buf_printf(b, "(%s)", s->annots[i].value);
      }
      og_buf_putc(b, ')');
      break;
    case OG_STEP_DROP_TYPE:
      og_buf_printf(b, "drop %s type '%s' (%s mode)", k, s->name, s->hard ? "hard" : "soft");
      break;
    case OG_STEP_DROP_PROPERTY:
      og_buf_printf(b, "drop property '%s.%s' of %s '%s' (%s mode)", s->type_name, s->property_name, k, s->type_name,
                    s->hard ? "hard" : "soft");
      break;
    case OG_STEP_UNSUPPORTED: {
      const og_lint_code *lc = og_lint_code_find(s->code);
      if (s->code)
        og_buf_printf(b, "unsupported change on %s [%s, %s]: %s", s->entity, s->code, lc ? lc->tier : "unknown",
                      s->reason);
      else og_buf_printf(b, "unsupported change on %s: %s", s->entity, s->reason);
      break;
    }
  }
  return b->oom ? OG_ENOMEM : OG_OK;
}

og_status og_plan_lint_json(const og_plan *p, og_buf *out) {
  og_jw w;
  og_jw_init(&w, out, 0);
  og_jw_arr(&w);
  for (size_t i = 0; i < p->n_steps; i++) {
    const og_plan_step *s = &p->steps[i];
    if (s->kind != OG_STEP_UNSUPPORTED) continue;
    const og_lint_code *lc = og_lint_code_find(s->code);
    og_buf msg = OG_BUF_INIT;
    og_plan_step_message(s, &msg);
    og_jw_obj(&w);
    og_jw_kstr(&w, "code", s->code);
    og_jw_kstr(&w, "family", lc ? lc->family : NULL);
    og_jw_kstr(&w, "tier", lc ? lc->tier : NULL);
    og_jw_kstr(&w, "severity", lc ? lc->severity : "error");
    og_jw_kstr(&w, "entity", s->entity);
    og_jw_kstr(&w, "message", msg.ptr ? msg.ptr : "");
    og_jw_end_obj(&w);
    og_buf_dispose(&msg);
  }
  og_jw_end_arr(&w);
  return out->oom ? OG_ENOMEM : OG_OK;
}
