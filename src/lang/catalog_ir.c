/*
 * catalog_ir.c — build a catalog from Schema IR JSON (§2.8): the path the
 * engine takes when it opens a graph. Strict about shape; the result is
 * re-canonicalised so its hash equals the hash of the catalog that wrote it.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "lang/schema_int.h"

typedef struct irp {
  og_arena *a;
  og_error *err;
} irp;

static og_status bad(irp *p, const char *what) {
  return og_err_set(p->err, OG_ECORRUPT, "schema IR: malformed %s", what);
}

static og_status get_str(irp *p, json_t *o, const char *k, bool nullable, const char **out) {
  json_t *v = json_object_get(o, k);
  if (nullable && (!v || json_is_null(v))) {
    *out = NULL;
    return OG_OK;
  }
  if (!json_is_string(v)) return bad(p, k);
  if (!(*out = og_arena_strndup(p->a, json_string_value(v), json_string_length(v)))) return og_err_oom(p->err);
  return OG_OK;
}

/* Names must be what the .pg grammar can produce, so every catalog read from
 * IR renders back to valid .pg. kind: 'T' TypeName, 'i' ident, 'e' enum word. */
static bool valid_word(const char *w, char kind) {
  if (!w || !*w) return false;
  unsigned char c0 = (unsigned char)w[0];
  if (kind == 'T' && !(c0 >= 'A' && c0 <= 'Z')) return false;
  if (kind == 'i' && !((c0 >= 'a' && c0 <= 'z') || c0 == '_')) return false;
  for (const unsigned char *p = (const unsigned char *)w; *p; p++) {
    bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              (kind == 'e' && *p == '-');
    if (!ok) return false;
  }
  if (kind == 'i' && (!strcmp(w, "true") || !strcmp(w, "false"))) return false;
  return true;
}

static og_status get_word(irp *p, json_t *o, const char *k, char kind, const char **out) {
  og_status rc = get_str(p, o, k, false, out);
  if (rc == OG_OK && !valid_word(*out, kind)) return bad(p, k);
  return rc;
}

static og_status get_arr(irp *p, json_t *o, const char *k, json_t **out) {
  json_t *v = json_object_get(o, k);
  if (!json_is_array(v)) return bad(p, k);
  *out = v;
  return OG_OK;
}

static og_status rd_strs(irp *p, json_t *arr, const char *const **out, size_t *n) {
  size_t cnt = json_array_size(arr);
  const char **d = og_arena_alloc(p->a, (cnt ? cnt : 1) * sizeof(*d));
  if (!d) return og_err_oom(p->err);
  for (size_t i = 0; i < cnt; i++) {
    json_t *s = json_array_get(arr, i);
    if (!json_is_string(s)) return bad(p, "string list");
    if (!(d[i] = og_arena_strndup(p->a, json_string_value(s), json_string_length(s)))) return og_err_oom(p->err);
  }
  *out = d;
  *n = cnt;
  return OG_OK;
}

static og_status rd_annots(irp *p, json_t *o, const og_annot **out, size_t *n) {
  og_status rc;
  json_t *arr = NULL;
  if ((rc = get_arr(p, o, "annotations", &arr)) != OG_OK) return rc;
  size_t cnt = json_array_size(arr);
  og_annot *d = og_arena_zalloc(p->a, (cnt ? cnt : 1) * sizeof(*d));
  if (!d) return og_err_oom(p->err);
  for (size_t i = 0; i < cnt; i++) {
    json_t *e = json_array_get(arr, i);
    if (!json_is_object(e)) return bad(p, "annotation");
    if ((rc = get_word(p, e, "name", 'i', &d[i].name)) != OG_OK) return rc;
    if ((rc = get_str(p, e, "value", true, &d[i].value)) != OG_OK) return rc;
  }
  *out = d;
  *n = cnt;
  return OG_OK;
}

static const char *const SCALARS[] = {"String", "Bool", "I32", "I64", "U32", "U64",
                                      "F32", "F64", "Date", "DateTime", "Blob"};

static og_status rd_props(irp *p, json_t *o, og_type *t) {
  og_status rc;
  json_t *arr = NULL;
  if ((rc = get_arr(p, o, "properties", &arr)) != OG_OK) return rc;
  size_t cnt = json_array_size(arr);
  og_prop *d = og_arena_zalloc(p->a, (cnt ? cnt : 1) * sizeof(*d));
  if (!d) return og_err_oom(p->err);
  for (size_t i = 0; i < cnt; i++) {
    json_t *e = json_array_get(arr, i);
    if (!json_is_object(e)) return bad(p, "property");
    if ((rc = get_word(p, e, "name", 'i', &d[i].name)) != OG_OK) return rc;
    json_t *pt = json_object_get(e, "prop_type");
    if (!json_is_object(pt)) return bad(p, "prop_type");
    json_t *sc = json_object_get(pt, "scalar");
    og_proptype *ty = &d[i].type;
    if (json_is_string(sc)) {
      size_t k;
      for (k = 0; k < sizeof(SCALARS) / sizeof(SCALARS[0]); k++)
        if (!strcmp(json_string_value(sc), SCALARS[k])) break;
      if (k == sizeof(SCALARS) / sizeof(SCALARS[0])) return bad(p, "scalar");
      ty->scalar = (og_scalar)k;
    } else if (json_is_object(sc) && json_is_integer(json_object_get(sc, "Vector"))) {
      json_int_t dim = json_integer_value(json_object_get(sc, "Vector"));
      if (dim < 1 || dim > 2147483647) return bad(p, "vector dimension");
      ty->scalar = OG_SC_VECTOR;
      ty->dim = (uint32_t)dim;
    } else {
      return bad(p, "scalar");
    }
    json_t *nb = json_object_get(pt, "nullable"), *ls = json_object_get(pt, "list");
    if (!json_is_boolean(nb) || !json_is_boolean(ls)) return bad(p, "prop_type");
    ty->nullable = json_is_true(nb);
    ty->list = json_is_true(ls);
    json_t *ev = json_object_get(pt, "enum_values");
    if (ev && !json_is_null(ev)) {
      if (!json_is_array(ev) || json_array_size(ev) == 0) return bad(p, "enum_values");
      if ((rc = rd_strs(p, ev, &ty->enum_values, &ty->n_enum)) != OG_OK) return rc;
      for (size_t k = 0; k < ty->n_enum; k++)
        if (!valid_word(ty->enum_values[k], 'e')) return bad(p, "enum value");
      for (size_t k = 1; k < ty->n_enum; k++)
        if (strcmp(ty->enum_values[k - 1], ty->enum_values[k]) >= 0) return bad(p, "enum_values order");
      if (ty->scalar != OG_SC_STRING) return bad(p, "enum scalar");
    }
    if ((rc = rd_annots(p, e, &d[i].annots, &d[i].n_annots)) != OG_OK) return rc;
  }
  t->props = d;
  t->n_props = cnt;
  return OG_OK;
}

static og_status rd_bound(irp *p, json_t *v, og_bound *b) {
  memset(b, 0, sizeof(*b));
  if (!v || json_is_null(v)) return OG_OK;
  if (!json_is_object(v)) return bad(p, "range bound");
  json_t *i = json_object_get(v, "Integer"), *f = json_object_get(v, "Float");
  b->present = true;
  if (json_is_integer(i)) {
    b->i = json_integer_value(i);
    b->f = (double)b->i;
  } else if (json_is_number(f)) {
    b->is_float = true;
    b->f = json_number_value(f);
  } else {
    return bad(p, "range bound");
  }
  return OG_OK;
}

static og_status rd_cons(irp *p, json_t *o, og_type *t) {
  og_status rc;
  json_t *arr = NULL;
  if ((rc = get_arr(p, o, "constraints", &arr)) != OG_OK) return rc;
  size_t cnt = json_array_size(arr);
  og_constraint *d = og_arena_zalloc(p->a, (cnt ? cnt : 1) * sizeof(*d));
  if (!d) return og_err_oom(p->err);
  for (size_t i = 0; i < cnt; i++) {
    json_t *e = json_array_get(arr, i), *v;
    if (!json_is_object(e) || json_object_size(e) != 1) return bad(p, "constraint");
    const char *tag = json_object_iter_key(json_object_iter(e));
    v = json_object_get(e, tag);
    og_constraint *c = &d[i];
    if (!strcmp(tag, "Key") || !strcmp(tag, "Unique") || !strcmp(tag, "Index")) {
      c->kind = !strcmp(tag, "Key") ? OG_CK_KEY : !strcmp(tag, "Unique") ? OG_CK_UNIQUE : OG_CK_INDEX;
      if (!json_is_array(v) || json_array_size(v) == 0) return bad(p, "constraint columns");
      if ((rc = rd_strs(p, v, &c->cols, &c->n_cols)) != OG_OK) return rc;
      for (size_t k = 0; k < c->n_cols; k++)
        if (!valid_word(c->cols[k], 'i')) return bad(p, "constraint column");
    } else if (!strcmp(tag, "Range") || !strcmp(tag, "Check")) {
      if (!json_is_object(v)) return bad(p, "constraint");
      const char **cols = og_arena_alloc(p->a, sizeof(*cols));
      if (!cols) return og_err_oom(p->err);
      if ((rc = get_word(p, v, "property", 'i', &cols[0])) != OG_OK) return rc;
      c->cols = cols;
      c->n_cols = 1;
      if (tag[0] == 'R') {
        c->kind = OG_CK_RANGE;
        if ((rc = rd_bound(p, json_object_get(v, "min"), &c->min)) != OG_OK) return rc;
        if ((rc = rd_bound(p, json_object_get(v, "max"), &c->max)) != OG_OK) return rc;
      } else {
        c->kind = OG_CK_CHECK;
        if ((rc = get_str(p, v, "pattern", false, &c->pattern)) != OG_OK) return rc;
      }
    } else {
      return bad(p, "constraint kind");
    }
  }
  t->cons = d;
  t->n_cons = cnt;
  return OG_OK;
}

static og_status rd_types(irp *p, json_t *root, const char *key, og_type_kind kind, og_type **out, size_t *n) {
  og_status rc;
  json_t *arr = NULL;
  if ((rc = get_arr(p, root, key, &arr)) != OG_OK) return rc;
  size_t cnt = json_array_size(arr);
  og_type *d = og_arena_zalloc(p->a, (cnt ? cnt : 1) * sizeof(*d));
  if (!d) return og_err_oom(p->err);
  for (size_t i = 0; i < cnt; i++) {
    json_t *e = json_array_get(arr, i);
    og_type *t = &d[i];
    if (!json_is_object(e)) return bad(p, key);
    t->kind = kind;
    if ((rc = get_word(p, e, "name", 'T', &t->name)) != OG_OK) return rc;
    if ((rc = rd_props(p, e, t)) != OG_OK) return rc;
    if (kind == OG_KIND_INTERFACE) continue;
    if ((rc = rd_annots(p, e, &t->annots, &t->n_annots)) != OG_OK) return rc;
    if ((rc = rd_cons(p, e, t)) != OG_OK) return rc;
    if (kind == OG_KIND_NODE) {
      json_t *im = NULL;
      if ((rc = get_arr(p, e, "implements", &im)) != OG_OK) return rc;
      if ((rc = rd_strs(p, im, &t->implements, &t->n_implements)) != OG_OK) return rc;
      for (size_t k = 0; k < t->n_implements; k++)
        if (!valid_word(t->implements[k], 'T')) return bad(p, "implements");
    } else {
      if ((rc = get_word(p, e, "from_type", 'T', &t->from_type)) != OG_OK) return rc;
      if ((rc = get_word(p, e, "to_type", 'T', &t->to_type)) != OG_OK) return rc;
      json_t *card = json_object_get(e, "cardinality");
      if (!json_is_object(card)) return bad(p, "cardinality");
      json_t *mn = json_object_get(card, "min"), *mx = json_object_get(card, "max");
      if (!json_is_integer(mn) || json_integer_value(mn) < 0 || json_integer_value(mn) > UINT32_MAX)
        return bad(p, "cardinality");
      t->card_min = (uint32_t)json_integer_value(mn);
      if (mx && !json_is_null(mx)) {
        if (!json_is_integer(mx) || json_integer_value(mx) < 0 || json_integer_value(mx) > UINT32_MAX)
          return bad(p, "cardinality");
        t->card_has_max = true;
        t->card_max = (uint32_t)json_integer_value(mx);
      }
    }
  }
  *out = d;
  *n = cnt;
  return OG_OK;
}

og_status og_catalog_from_ir(const char *json, size_t len, og_catalog **out, og_error *err) {
  og_status rc = OG_OK;
  og_sch_mem *mem = NULL;
  json_t *root = NULL;
  json_error_t jerr;
  *out = NULL;
  root = json_loadb(json, len, 0, &jerr);
  if (!root || !json_is_object(root)) {
    rc = og_err_set(err, OG_ECORRUPT, "schema IR: invalid JSON: %s", root ? "not an object" : jerr.text);
    goto cleanup;
  }
  json_t *ver = json_object_get(root, "ir_version");
  if (!json_is_integer(ver)) {
    rc = og_err_set(err, OG_ECORRUPT, "schema IR: malformed ir_version");
    goto cleanup;
  }
  if (json_integer_value(ver) != 1) {
    rc = og_err_set(err, OG_EPARSE, "catalog error: unsupported schema ir_version %lld (expected 1)",
                    (long long)json_integer_value(ver));
    goto cleanup;
  }
  if (!(mem = og_sch_mem_new())) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  irp p = {&mem->arena, err};
  og_type *ifs, *ns, *es;
  size_t ni, nn, ne;
  if ((rc = rd_types(&p, root, "interfaces", OG_KIND_INTERFACE, &ifs, &ni)) != OG_OK) goto cleanup;
  if ((rc = rd_types(&p, root, "nodes", OG_KIND_NODE, &ns, &nn)) != OG_OK) goto cleanup;
  if ((rc = rd_types(&p, root, "edges", OG_KIND_EDGE, &es, &ne)) != OG_OK) goto cleanup;
  og_catalog *cat = og_arena_zalloc(&mem->arena, sizeof(*cat));
  if (!cat) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if ((rc = og_catalog_finish(cat, mem, ifs, ni, ns, nn, es, ne, err)) != OG_OK) goto cleanup;
  *out = cat;
  mem = NULL;
cleanup:
  json_decref(root);
  og_sch_mem_free(mem);
  return rc;
}
