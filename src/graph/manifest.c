/* Object codecs of the graph layer: keys, sealed JSON, manifests, hints,
 * branch records (docs/format-graph.md). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_int.h"

/*==================== keys ====================*/

bool og_graph_branch_name_valid(const char *name) {
  if (!name || !*name) return false;
  size_t n = strlen(name);
  if (n > OG_GRAPH_BRANCH_NAME_MAX) return false;
  if (name[0] == '/' || name[n - 1] == '/') return false;
  if (strstr(name, "..") || strstr(name, "//")) return false;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '/' || c == '-';
    if (!ok) return false;
  }
  /* a "." segment would be an invalid store key segment on some backends */
  const char *seg = name;
  for (;;) {
    const char *slash = strchr(seg, '/');
    size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
    if (len == 1 && seg[0] == '.') return false;
    if (!slash) break;
    seg = slash + 1;
  }
  return true;
}

og_status og_gkey_name(og_buf *out, const char *name) {
  for (const char *p = name; *p; p++) og_buf_putc(out, *p == '/' ? '~' : *p);
  return out->oom ? OG_ENOMEM : OG_OK;
}

bool og_gkey_name_decode(const char *seg, size_t n, char *out, size_t cap) {
  if (n + 1 > cap) return false;
  for (size_t i = 0; i < n; i++) out[i] = seg[i] == '~' ? '/' : seg[i];
  out[n] = 0;
  return og_graph_branch_name_valid(out);
}

og_status og_gkey_log_prefix(og_buf *out, const char *branch, uint64_t gen) {
  og_buf_puts(out, OG_GK_LOG);
  og_gkey_name(out, branch);
  og_buf_printf(out, "@%" PRIu64 "/", gen);
  return out->oom ? OG_ENOMEM : OG_OK;
}

og_status og_gkey_log(og_buf *out, const char *branch, uint64_t gen, uint64_t version) {
  og_gkey_log_prefix(out, branch, gen);
  og_buf_printf(out, "%020" PRIu64, version);
  return out->oom ? OG_ENOMEM : OG_OK;
}

og_status og_gkey_head(og_buf *out, const char *branch) {
  og_buf_puts(out, OG_GK_HEAD);
  og_gkey_name(out, branch);
  return out->oom ? OG_ENOMEM : OG_OK;
}

og_status og_gkey_branch(og_buf *out, const char *branch, uint64_t gen) {
  og_buf_puts(out, OG_GK_BRANCHES);
  og_gkey_name(out, branch);
  og_buf_printf(out, "@%" PRIu64, gen);
  return out->oom ? OG_ENOMEM : OG_OK;
}

static bool parse_u64(const char *s, size_t n, uint64_t *out) {
  if (n == 0 || n > 20) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    uint64_t d = (uint64_t)(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool og_gkey_parse_log(const char *key, char *name_out, size_t cap, uint64_t *gen_out,
                       uint64_t *version_out) {
  if (!og_str_startswith(key, OG_GK_LOG)) return false;
  const char *p = key + strlen(OG_GK_LOG);
  const char *slash = strchr(p, '/');
  if (!slash) return false;
  const char *at = NULL;
  for (const char *q = p; q < slash; q++)
    if (*q == '@') at = q;
  if (!at) return false;
  if (!og_gkey_name_decode(p, (size_t)(at - p), name_out, cap)) return false;
  if (!parse_u64(at + 1, (size_t)(slash - at - 1), gen_out) || *gen_out == 0) return false;
  const char *v = slash + 1;
  if (strlen(v) != 20) return false;
  return parse_u64(v, 20, version_out) && *version_out > 0;
}

/*==================== sealed JSON ====================*/

static void hex16(uint64_t h, char out[17]) {
  snprintf(out, 17, "%016" PRIx64, h);
}

og_status og_gseal(json_t *obj, og_buf *out, og_error *err) {
  og_status rc = OG_OK;
  char *body = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
  if (!body) return og_err_oom(err);
  size_t n = strlen(body);
  if (n < 3 || body[0] != '{' || body[n - 1] != '}') {
    rc = og_err_set(err, OG_ERROR, "graph: cannot seal an empty JSON object");
    goto cleanup;
  }
  char hex[17];
  hex16(og_hash64(body, n), hex);
  og_buf_put(out, body, n - 1);
  og_buf_printf(out, ",\"checksum\":\"%s\"}", hex);
  if (out->oom) rc = og_err_oom(err);
cleanup:
  free(body); /* allocated by jansson */
  return rc;
}

og_status og_gunseal(const char *key, const char *data, size_t len, json_t **out,
                     og_error *err) {
  og_status rc = OG_OK;
  char *body = NULL;
  *out = NULL;
  static const char pat[] = ",\"checksum\":\"";
  size_t pl = sizeof pat - 1;
  if (len < OG_GSEAL_TRAILER_LEN + 2 || data[0] != '{' ||
      memcmp(data + len - OG_GSEAL_TRAILER_LEN, pat, pl) != 0 || data[len - 2] != '"' ||
      data[len - 1] != '}') {
    rc = og_err_set(err, OG_ECORRUPT, "graph: object '%s' is truncated or has no checksum", key);
    goto cleanup;
  }
  size_t blen = len - OG_GSEAL_TRAILER_LEN;
  body = og_malloc(blen + 2);
  if (!body) { rc = og_err_oom(err); goto cleanup; }
  memcpy(body, data, blen);
  body[blen] = '}';
  body[blen + 1] = 0;
  char hex[17];
  hex16(og_hash64(body, blen + 1), hex);
  if (memcmp(hex, data + len - OG_GSEAL_TRAILER_LEN + pl, 16) != 0) {
    rc = og_err_set(err, OG_ECORRUPT, "graph: checksum mismatch in object '%s'", key);
    goto cleanup;
  }
  json_error_t je;
  json_t *j = json_loadb(body, blen + 1, JSON_REJECT_DUPLICATES, &je);
  if (!j || !json_is_object(j)) {
    json_decref(j);
    rc = og_err_set(err, OG_ECORRUPT, "graph: object '%s' is not a JSON object: %s", key,
                    je.text);
    goto cleanup;
  }
  *out = j;
cleanup:
  og_free(body);
  return rc;
}

/*==================== manifests ====================*/

typedef struct manifest_box {
  og_manifest m; /* first: og_manifest* and manifest_box* convert */
  og_arena arena;
} manifest_box;

og_manifest *og_manifest_new(void) {
  manifest_box *b = og_calloc(1, sizeof *b);
  if (!b) return NULL;
  og_arena_init(&b->arena, 4096);
  b->m.format = OG_GRAPH_FORMAT;
  return &b->m;
}

og_arena *og_manifest_arena(og_manifest *m) { return &((manifest_box *)m)->arena; }

char *og_manifest_strdup(og_manifest *m, const char *s) {
  return s ? og_arena_strdup(og_manifest_arena(m), s) : NULL;
}

void og_manifest_free(og_manifest *m) {
  if (!m) return;
  manifest_box *b = (manifest_box *)m;
  og_arena_dispose(&b->arena);
  og_free(b);
}

const og_table_entry *og_manifest_find(const og_manifest *m, const char *table_key) {
  size_t lo = 0, hi = m->ntables;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(m->tables[mid].table_key, table_key);
    if (c == 0) return &m->tables[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

static int entry_cmp(const void *a, const void *b) {
  return strcmp(((const og_table_entry *)a)->table_key, ((const og_table_entry *)b)->table_key);
}

bool og_manifest_sort_tables(og_manifest *m) {
  if (m->ntables > 1) qsort(m->tables, m->ntables, sizeof *m->tables, entry_cmp);
  for (size_t i = 1; i < m->ntables; i++)
    if (strcmp(m->tables[i - 1].table_key, m->tables[i].table_key) == 0) return false;
  return true;
}

static bool copy_ref(og_manifest *dst, og_commit_ref *d, const og_commit_ref *s) {
  d->commit_id = og_manifest_strdup(dst, s->commit_id);
  d->branch = og_manifest_strdup(dst, s->branch);
  d->generation = s->generation;
  d->version = s->version;
  return d->commit_id && d->branch;
}

og_manifest *og_manifest_clone(const og_manifest *s, size_t extra_tables) {
  og_manifest *m = og_manifest_new();
  if (!m) return NULL;
  og_arena *a = og_manifest_arena(m);
  m->format = s->format;
  m->generation = s->generation;
  m->version = s->version;
  m->deleted = s->deleted;
  m->branch = og_manifest_strdup(m, s->branch);
  m->schema_key = og_manifest_strdup(m, s->schema_key);
  m->schema_sha256 = og_manifest_strdup(m, s->schema_sha256);
  m->key = og_manifest_strdup(m, s->key);
  m->tables = og_arena_zalloc(a, (s->ntables + extra_tables + 1) * sizeof *m->tables);
  if (!m->branch || !m->tables || (s->schema_key && !m->schema_key)) goto fail;
  for (size_t i = 0; i < s->ntables; i++) {
    og_table_entry *d = &m->tables[i];
    *d = s->tables[i];
    d->table_key = og_manifest_strdup(m, s->tables[i].table_key);
    d->descriptor = og_manifest_strdup(m, s->tables[i].descriptor);
    if (!d->table_key || !d->descriptor) goto fail;
  }
  m->ntables = s->ntables;
  const og_commit_info *sc = &s->commit;
  og_commit_info *c = &m->commit;
  c->commit_id = og_manifest_strdup(m, sc->commit_id);
  c->actor = og_manifest_strdup(m, sc->actor);
  c->operation = og_manifest_strdup(m, sc->operation);
  c->message = og_manifest_strdup(m, sc->message);
  c->intent = og_manifest_strdup(m, sc->intent);
  c->time_ms = sc->time_ms;
  c->nparents = sc->nparents;
  for (size_t i = 0; i < sc->nparents; i++)
    if (!copy_ref(m, &c->parents[i], &sc->parents[i])) goto fail;
  return m;
fail:
  og_manifest_free(m);
  return NULL;
}

static json_t *ref_json(const og_commit_ref *r) {
  return json_pack("{s:s, s:s, s:I, s:I}", "id", r->commit_id, "branch", r->branch,
                   "generation", (json_int_t)r->generation, "version",
                   (json_int_t)r->version);
}

og_status og_manifest_encode(const og_manifest *m, og_buf *out, og_error *err) {
  og_status rc = OG_OK;
  json_t *root = NULL;
  json_t *tables = json_array();
  json_t *parents = json_array();
  if (!tables || !parents) { rc = og_err_oom(err); goto cleanup; }
  for (size_t i = 0; i < m->ntables; i++) {
    const og_table_entry *e = &m->tables[i];
    json_t *t = json_pack("{s:s, s:I, s:s, s:I, s:I}", "table_key", e->table_key,
                          "table_version", (json_int_t)e->table_version, "descriptor",
                          e->descriptor, "row_count", (json_int_t)e->row_count,
                          "content_version", (json_int_t)e->content_version);
    if (!t || json_array_append_new(tables, t) != 0) { rc = og_err_oom(err); goto cleanup; }
  }
  for (size_t i = 0; i < m->commit.nparents; i++) {
    json_t *p = ref_json(&m->commit.parents[i]);
    if (!p || json_array_append_new(parents, p) != 0) { rc = og_err_oom(err); goto cleanup; }
  }
  const og_commit_info *c = &m->commit;
  json_t *commit = json_pack("{s:s, s:O, s:s, s:I, s:s, s:o}", "id", c->commit_id, "parents",
                             parents, "actor", c->actor ? c->actor : "", "time_ms",
                             (json_int_t)c->time_ms, "operation", c->operation, "message",
                             c->message ? json_string(c->message) : json_null());
  if (!commit) { rc = og_err_oom(err); goto cleanup; }
  if (c->intent && json_object_set_new(commit, "intent", json_string(c->intent)) != 0) {
    json_decref(commit);
    rc = og_err_oom(err);
    goto cleanup;
  }
  root = json_pack("{s:i, s:s, s:s, s:I, s:I, s:b, s:{s:s, s:s}, s:O, s:o}", "format",
                   (int)m->format, "kind", "graph_manifest", "branch", m->branch, "generation",
                   (json_int_t)m->generation, "version", (json_int_t)m->version, "deleted",
                   (int)m->deleted, "schema", "key", m->schema_key, "sha256", m->schema_sha256,
                   "tables", tables, "commit", commit);
  if (!root) { rc = og_err_set(err, OG_ERROR, "graph: cannot encode manifest"); goto cleanup; }
  rc = og_gseal(root, out, err);
cleanup:
  json_decref(root);
  json_decref(tables);
  json_decref(parents);
  return rc;
}

og_status og_manifest_encode_container(const og_manifest *m, const og_buf *embedded, og_buf *out,
                                       og_error *err) {
  size_t elen = embedded ? embedded->len : 0;
  if (elen == 0) return og_manifest_encode(m, out, err);
  size_t start = out->len;
  og_buf_put(out, embedded->ptr, elen);
  og_status rc = og_manifest_encode(m, out, err);
  if (rc != OG_OK) return rc;
  og_buf_put_u64le(out, (uint64_t)elen);
  og_buf_put_u64le(out, og_hash64(out->ptr + start, elen));
  og_buf_put_u32le(out, OG_GMC_FORMAT);
  og_buf_put_u32le(out, OG_GMC_MAGIC);
  return out->oom ? og_err_oom(err) : OG_OK;
}

/* Strict field readers: a missing or mistyped field is corruption. */
typedef struct jrd {
  const char *key;
  og_error *err;
  og_status rc;
} jrd;

static bool jfail(jrd *r, const char *field) {
  if (r->rc == OG_OK)
    r->rc = og_err_set(r->err, OG_ECORRUPT, "graph: object '%s': field '%s' missing or invalid",
                       r->key, field);
  return false;
}

static bool jstr(jrd *r, json_t *o, const char *field, og_manifest *m, char **out) {
  json_t *v = json_object_get(o, field);
  if (!json_is_string(v)) return jfail(r, field);
  *out = og_manifest_strdup(m, json_string_value(v));
  if (!*out) {
    if (r->rc == OG_OK) r->rc = og_err_oom(r->err);
    return false;
  }
  return true;
}

static bool ju64(jrd *r, json_t *o, const char *field, uint64_t *out) {
  json_t *v = json_object_get(o, field);
  if (!json_is_integer(v) || json_integer_value(v) < 0) return jfail(r, field);
  *out = (uint64_t)json_integer_value(v);
  return true;
}

static bool jref(jrd *r, json_t *o, og_manifest *m, og_commit_ref *out) {
  if (!json_is_object(o)) return jfail(r, "commit.parents");
  return jstr(r, o, "id", m, &out->commit_id) && jstr(r, o, "branch", m, &out->branch) &&
         ju64(r, o, "generation", &out->generation) && ju64(r, o, "version", &out->version) &&
         (og_ulid_valid(out->commit_id) || jfail(r, "commit.parents.id")) &&
         ((out->generation > 0 && out->version > 0) || jfail(r, "commit.parents.version")) &&
         (og_graph_branch_name_valid(out->branch) || jfail(r, "commit.parents.branch"));
}

/* A container ([embedded objects][sealed JSON][trailer]) split; a plain
 * sealed manifest has no trailer (it ends with '}'). */
static og_status split_container(const char *key, const char *data, size_t len,
                                 uint64_t *embedded_out, og_error *err) {
  *embedded_out = 0;
  if (len < OG_GMC_TRAILER || og_get_u32le((const uint8_t *)data + len - 4) != OG_GMC_MAGIC)
    return OG_OK;
  const uint8_t *t = (const uint8_t *)data + len - OG_GMC_TRAILER;
  uint64_t elen = og_get_u64le(t), h = og_get_u64le(t + 8);
  uint32_t fmt = og_get_u32le(t + 16);
  if (fmt > OG_GMC_FORMAT)
    return og_err_set(err, OG_EUNSUPPORTED,
                      "graph: manifest '%s' has container format %u, newer than this build reads: "
                      "upgrade omnigraph to open this graph", key, fmt);
  if (fmt == 0 || elen == 0 || elen > len - OG_GMC_TRAILER || og_hash64(data, (size_t)elen) != h)
    return og_err_set(err, OG_ECORRUPT, "graph: corrupt manifest '%s': bad embedded objects", key);
  *embedded_out = elen;
  return OG_OK;
}

og_status og_manifest_decode(const char *key, const char *data, size_t len, og_manifest **out,
                             og_error *err) {
  json_t *root = NULL;
  og_manifest *m = NULL;
  uint64_t embedded = 0;
  *out = NULL;
  og_status rc = split_container(key, data, len, &embedded, err);
  if (rc != OG_OK) return rc;
  if (embedded) {
    data += embedded;
    len -= (size_t)embedded + OG_GMC_TRAILER;
  }
  rc = og_gunseal(key, data, len, &root, err);
  if (rc != OG_OK) goto cleanup;
  m = og_manifest_new();
  if (!m) { rc = og_err_oom(err); goto cleanup; }
  jrd r = {key, err, OG_OK};
  uint64_t fmt = 0;
  if (!ju64(&r, root, "format", &fmt)) goto bad;
  if (fmt == 0) goto bad;
  if (fmt > OG_GRAPH_FORMAT) {
    rc = og_err_set(err, OG_EUNSUPPORTED,
                    "graph: manifest '%s' has format %" PRIu64 ", newer than this build reads (up to %d): "
                    "upgrade omnigraph to open this graph",
                    key, fmt, OG_GRAPH_FORMAT);
    goto cleanup;
  }
  m->format = (uint32_t)fmt;
  json_t *kind = json_object_get(root, "kind");
  if (!json_is_string(kind) || strcmp(json_string_value(kind), "graph_manifest") != 0) {
    jfail(&r, "kind");
    goto bad;
  }
  json_t *del = json_object_get(root, "deleted");
  if (!json_is_boolean(del)) { jfail(&r, "deleted"); goto bad; }
  m->deleted = json_is_true(del);
  if (!jstr(&r, root, "branch", m, &m->branch) || !ju64(&r, root, "generation", &m->generation) ||
      !ju64(&r, root, "version", &m->version))
    goto bad;
  if (!og_graph_branch_name_valid(m->branch)) { jfail(&r, "branch"); goto bad; }
  if (m->generation == 0) { jfail(&r, "generation"); goto bad; }
  if (m->version == 0) { jfail(&r, "version"); goto bad; }
  json_t *schema = json_object_get(root, "schema");
  if (!json_is_object(schema)) { jfail(&r, "schema"); goto bad; }
  if (!jstr(&r, schema, "key", m, &m->schema_key) || !jstr(&r, schema, "sha256", m, &m->schema_sha256))
    goto bad;
  if (strlen(m->schema_sha256) != 64 || !og_str_startswith(m->schema_key, OG_GK_SCHEMA) ||
      strcmp(m->schema_key + strlen(OG_GK_SCHEMA), m->schema_sha256) != 0) {
    jfail(&r, "schema.key");
    goto bad;
  }
  json_t *tables = json_object_get(root, "tables");
  if (!json_is_array(tables)) { jfail(&r, "tables"); goto bad; }
  size_t nt = json_array_size(tables);
  m->tables = og_arena_zalloc(og_manifest_arena(m), (nt + 1) * sizeof *m->tables);
  if (!m->tables) { rc = og_err_oom(err); goto cleanup; }
  for (size_t i = 0; i < nt; i++) {
    json_t *t = json_array_get(tables, i);
    og_table_entry *e = &m->tables[i];
    if (!json_is_object(t)) { jfail(&r, "tables[]"); goto bad; }
    if (!jstr(&r, t, "table_key", m, &e->table_key) || !jstr(&r, t, "descriptor", m, &e->descriptor) ||
        !ju64(&r, t, "table_version", &e->table_version) ||
        !ju64(&r, t, "row_count", &e->row_count) ||
        !ju64(&r, t, "content_version", &e->content_version))
      goto bad;
    /* a descriptor embedded here must lie inside the embedded objects */
    size_t bl = 0;
    uint64_t soff = 0, slen = 0;
    if (og_store_slice_parse(e->descriptor, &bl, &soff, &slen) && bl == strlen(key) &&
        strncmp(e->descriptor, key, bl) == 0 && soff + slen > embedded) {
      jfail(&r, "tables[].descriptor (outside the embedded objects)");
      goto bad;
    }
    if (!og_store_key_valid(e->descriptor)) {
      jfail(&r, "tables[].descriptor");
      goto bad;
    }
    if (i > 0 && strcmp(m->tables[i - 1].table_key, e->table_key) >= 0) {
      jfail(&r, "tables (not sorted by table_key or duplicate)");
      goto bad;
    }
    m->ntables++;
  }
  json_t *commit = json_object_get(root, "commit");
  if (!json_is_object(commit)) { jfail(&r, "commit"); goto bad; }
  og_commit_info *c = &m->commit;
  if (!jstr(&r, commit, "id", m, &c->commit_id) || !jstr(&r, commit, "actor", m, &c->actor) ||
      !jstr(&r, commit, "operation", m, &c->operation) || !ju64(&r, commit, "time_ms", &c->time_ms))
    goto bad;
  if (!og_ulid_valid(c->commit_id)) { jfail(&r, "commit.id"); goto bad; }
  json_t *msg = json_object_get(commit, "message");
  if (json_is_string(msg)) {
    if (!jstr(&r, commit, "message", m, &c->message)) goto bad;
  } else if (!json_is_null(msg)) {
    jfail(&r, "commit.message");
    goto bad;
  }
  json_t *intent = json_object_get(commit, "intent");
  if (intent && (!json_is_string(intent) || !og_ulid_valid(json_string_value(intent)))) {
    jfail(&r, "commit.intent");
    goto bad;
  }
  if (intent && !jstr(&r, commit, "intent", m, &c->intent)) goto bad;
  json_t *parents = json_object_get(commit, "parents");
  if (!json_is_array(parents) || json_array_size(parents) > 2) { jfail(&r, "commit.parents"); goto bad; }
  for (size_t i = 0; i < json_array_size(parents); i++) {
    if (!jref(&r, json_array_get(parents, i), m, &c->parents[i])) goto bad;
    c->nparents++;
  }
  m->key = og_manifest_strdup(m, key);
  if (!m->key) { rc = og_err_oom(err); goto cleanup; }
  *out = m;
  m = NULL;
  goto cleanup;
bad:
  rc = r.rc != OG_OK ? r.rc : og_err_set(err, OG_ECORRUPT, "graph: bad manifest '%s'", key);
cleanup:
  og_manifest_free(m);
  json_decref(root);
  return rc;
}

og_status og_manifest_load(og_store *st, const char *key, og_manifest **out, og_error *err) {
  og_buf b = OG_BUF_INIT;
  og_status rc = og_store_get(st, key, &b, err);
  if (rc == OG_OK) rc = og_manifest_decode(key, b.ptr ? b.ptr : "", b.len, out, err);
  og_buf_dispose(&b);
  return rc;
}

og_status og_manifest_load_at(og_store *st, const char *branch, uint64_t gen, uint64_t version,
                              og_manifest **out, og_error *err) {
  og_buf k = OG_BUF_INIT;
  og_status rc = og_gkey_log(&k, branch, gen, version);
  if (rc != OG_OK) { rc = og_err_oom(err); goto cleanup; }
  rc = og_manifest_load(st, k.ptr, out, err);
  if (rc != OG_OK) goto cleanup;
  /* the key names the position; the body must agree (a copied object is corruption) */
  if (strcmp((*out)->branch, branch) != 0 || (*out)->generation != gen ||
      (*out)->version != version) {
    og_manifest_free(*out);
    *out = NULL;
    rc = og_err_set(err, OG_ECORRUPT, "graph: manifest '%s' names a different position", k.ptr);
  }
cleanup:
  og_buf_dispose(&k);
  return rc;
}

/*==================== hints and branch records ====================*/

og_status og_ghint_encode(uint64_t gen, uint64_t version, og_buf *out, og_error *err) {
  json_t *j = json_pack("{s:i, s:s, s:I, s:I}", "format", OG_GRAPH_FORMAT, "kind", "head_hint",
                        "generation", (json_int_t)gen, "version", (json_int_t)version);
  if (!j) return og_err_oom(err);
  og_status rc = og_gseal(j, out, err);
  json_decref(j);
  return rc;
}

bool og_ghint_decode(const char *data, size_t len, uint64_t *gen, uint64_t *version) {
  json_t *j = NULL;
  if (og_gunseal("head hint", data, len, &j, NULL) != OG_OK) return false;
  json_t *g = json_object_get(j, "generation"), *v = json_object_get(j, "version");
  bool ok = json_is_integer(g) && json_is_integer(v) && json_integer_value(g) > 0 &&
            json_integer_value(v) > 0;
  if (ok) {
    *gen = (uint64_t)json_integer_value(g);
    *version = (uint64_t)json_integer_value(v);
  }
  json_decref(j);
  return ok;
}

og_status og_gbranch_record_encode(const char *name, uint64_t gen, og_buf *out, og_error *err) {
  json_t *j = json_pack("{s:i, s:s, s:s, s:I}", "format", OG_GRAPH_FORMAT, "kind", "branch",
                        "name", name, "generation", (json_int_t)gen);
  if (!j) return og_err_oom(err);
  og_status rc = og_gseal(j, out, err);
  json_decref(j);
  return rc;
}
