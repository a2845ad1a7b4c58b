/*
 * omnigraph.yaml: parsed with libyaml's event API into a small tree of
 * mappings, sequences and scalars. Only what the surface reads is looked
 * up; everything else is kept and ignored (unknown keys are not errors).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "omnigraph.h"
#include "util/util.h"

typedef enum node_kind { N_SCALAR, N_MAP, N_SEQ } node_kind;

typedef struct node node;
struct node {
  node_kind kind;
  char *scalar;      /* N_SCALAR */
  char **keys;       /* N_MAP: keys[i] -> items[i] */
  node **items;      /* N_MAP values, N_SEQ items */
  size_t count, cap, kcap;
};

struct og_config {
  char *path;
  char *base_dir;
  node *root;
};

static void node_free(node *n) {
  if (!n) return;
  og_free(n->scalar);
  for (size_t i = 0; i < n->count; i++) {
    if (n->keys) og_free(n->keys[i]);
    node_free(n->items[i]);
  }
  og_free(n->keys);
  og_free(n->items);
  og_free(n);
}

static node *node_new(node_kind k) {
  node *n = og_calloc(1, sizeof *n);
  if (n) n->kind = k;
  return n;
}

static og_status node_add(node *parent, char *key, node *child) {
  if (og_array_reserve((void **)&parent->items, &parent->cap, parent->count + 1, sizeof(node *)))
    return OG_ENOMEM;
  if (parent->kind == N_MAP) {
    if (og_array_reserve((void **)&parent->keys, &parent->kcap, parent->count + 1, sizeof(char *)))
      return OG_ENOMEM;
    parent->keys[parent->count] = key;
  }
  parent->items[parent->count++] = child;
  return OG_OK;
}

typedef struct parser_ctx {
  yaml_parser_t p;
  const char *file;
  og_error *err;
} parser_ctx;

static og_status yaml_fail(parser_ctx *cx, const yaml_mark_t *m, const char *what) {
  return og_err_set_pos(cx->err, OG_EINVAL, (int)m->line + 1, (int)m->column + 1,
                        "invalid config %s at line %zu, column %zu: %s", cx->file, m->line + 1,
                        m->column + 1, what);
}

/* Parse one node whose first event is `ev` (consumed by the caller). */
static og_status parse_node(parser_ctx *cx, yaml_event_t *ev, node **out, int depth) {
  og_status rc = OG_OK;
  node *n = NULL;
  *out = NULL;
  if (depth > 64) return yaml_fail(cx, &ev->start_mark, "nesting too deep");
  switch (ev->type) {
  case YAML_SCALAR_EVENT:
    if (!(n = node_new(N_SCALAR)) ||
        !(n->scalar = og_strndup((const char *)ev->data.scalar.value, ev->data.scalar.length))) {
      node_free(n);
      return og_err_oom(cx->err);
    }
    *out = n;
    return OG_OK;
  case YAML_ALIAS_EVENT:
    return yaml_fail(cx, &ev->start_mark, "YAML aliases are not supported");
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT: {
    bool is_map = ev->type == YAML_MAPPING_START_EVENT;
    if (!(n = node_new(is_map ? N_MAP : N_SEQ))) return og_err_oom(cx->err);
    for (;;) {
      yaml_event_t e;
      if (!yaml_parser_parse(&cx->p, &e)) {
        rc = yaml_fail(cx, &cx->p.problem_mark, cx->p.problem ? cx->p.problem : "syntax error");
        break;
      }
      if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) {
        yaml_event_delete(&e);
        break;
      }
      char *key = NULL;
      if (is_map) {
        if (e.type != YAML_SCALAR_EVENT) {
          rc = yaml_fail(cx, &e.start_mark, "mapping keys must be plain scalars");
          yaml_event_delete(&e);
          break;
        }
        key = og_strndup((const char *)e.data.scalar.value, e.data.scalar.length);
        yaml_event_delete(&e);
        if (!key || !yaml_parser_parse(&cx->p, &e)) {
          og_free(key);
          rc = key ? yaml_fail(cx, &cx->p.problem_mark, cx->p.problem ? cx->p.problem : "syntax error")
                   : og_err_oom(cx->err);
          break;
        }
      }
      node *child = NULL;
      rc = parse_node(cx, &e, &child, depth + 1);
      yaml_event_delete(&e);
      if (!rc && node_add(n, key, child)) {
        node_free(child);
        rc = og_err_oom(cx->err);
      }
      if (rc) {
        og_free(key);
        break;
      }
    }
    if (rc) {
      node_free(n);
      return rc;
    }
    *out = n;
    return OG_OK;
  }
  default:
    return yaml_fail(cx, &ev->start_mark, "unexpected YAML event");
  }
}

static og_status parse_yaml(const char *file, const char *text, size_t len, node **out,
                            og_error *err) {
  parser_ctx cx = {.file = file, .err = err};
  og_status rc = OG_OK;
  *out = NULL;
  if (!yaml_parser_initialize(&cx.p)) return og_err_oom(err);
  yaml_parser_set_input_string(&cx.p, (const unsigned char *)text, len);
  for (;;) {
    yaml_event_t e;
    if (!yaml_parser_parse(&cx.p, &e)) {
      rc = yaml_fail(&cx, &cx.p.problem_mark, cx.p.problem ? cx.p.problem : "syntax error");
      break;
    }
    yaml_event_type_t t = e.type;
    if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT || t == YAML_SCALAR_EVENT) {
      if (*out) {
        rc = yaml_fail(&cx, &e.start_mark, "only one YAML document is allowed");
        yaml_event_delete(&e);
        break;
      }
      rc = parse_node(&cx, &e, out, 0);
      if (!rc && (*out)->kind != N_MAP)
        rc = yaml_fail(&cx, &e.start_mark, "the top level must be a mapping");
    }
    yaml_event_delete(&e);
    if (rc || t == YAML_STREAM_END_EVENT) break;
  }
  yaml_parser_delete(&cx.p);
  if (rc) {
    node_free(*out);
    *out = NULL;
  }
  return rc;
}

og_status og_config_load(og_config **out, const char *path, og_error *err) {
  og_config *c = NULL;
  og_buf text = OG_BUF_INIT;
  og_status rc = OG_OK;
  FILE *f = NULL;
  *out = NULL;
  if (!(c = og_calloc(1, sizeof *c))) return og_err_oom(err);
  const char *p = path ? path : "omnigraph.yaml";
  f = fopen(p, "rb");
  if (!f) {
    if (path || errno != ENOENT) {
      rc = og_err_set(err, errno == ENOENT ? OG_ENOTFOUND : OG_EIO, "config %s: %s", p, strerror(errno));
      goto cleanup;
    }
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");
    if (!(c->base_dir = og_strdup(cwd)) || !(c->root = node_new(N_MAP))) rc = og_err_oom(err);
    goto cleanup;
  }
  char chunk[8192];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) og_buf_put(&text, chunk, n);
  if (text.oom) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  if ((rc = parse_yaml(p, text.ptr ? text.ptr : "", text.len, &c->root, err))) goto cleanup;
  if (!c->root && !(c->root = node_new(N_MAP))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  char abs[PATH_MAX];
  if (!realpath(p, abs)) snprintf(abs, sizeof abs, "%s", p);
  if (!(c->path = og_strdup(abs))) {
    rc = og_err_oom(err);
    goto cleanup;
  }
  char *slash = strrchr(abs, '/');
  if (slash == abs) abs[1] = '\0';
  else if (slash) *slash = '\0';
  else snprintf(abs, sizeof abs, ".");
  if (!(c->base_dir = og_strdup(abs))) rc = og_err_oom(err);
cleanup:
  if (f) fclose(f);
  og_buf_dispose(&text);
  if (rc) og_config_free(c);
  else *out = c;
  return rc;
}

void og_config_free(og_config *c) {
  if (!c) return;
  node_free(c->root);
  og_free(c->path);
  og_free(c->base_dir);
  og_free(c);
}

const char *og_config_base_dir(const og_config *c) { return c->base_dir; }
const char *og_config_path(const og_config *c) { return c->path; }

/* Walk a dotted path through mappings. */
static const node *lookup(const og_config *c, const char *path) {
  const node *n = c->root;
  const char *p = path;
  while (n && *p) {
    const char *dot = strchr(p, '.');
    size_t len = dot ? (size_t)(dot - p) : strlen(p);
    if (n->kind != N_MAP) return NULL;
    const node *next = NULL;
    for (size_t i = 0; i < n->count; i++)
      if (strlen(n->keys[i]) == len && strncmp(n->keys[i], p, len) == 0) next = n->items[i];
    n = next;
    p = dot ? dot + 1 : p + len;
  }
  return n;
}

const char *og_config_get(const og_config *c, const char *path) {
  const node *n = lookup(c, path);
  return n && n->kind == N_SCALAR ? n->scalar : NULL;
}

size_t og_config_list_len(const og_config *c, const char *path) {
  const node *n = lookup(c, path);
  return n && n->kind == N_SEQ ? n->count : 0;
}

const char *og_config_list_get(const og_config *c, const char *path, size_t i) {
  const node *n = lookup(c, path);
  if (!n || n->kind != N_SEQ || i >= n->count || n->items[i]->kind != N_SCALAR) return NULL;
  return n->items[i]->scalar;
}

size_t og_config_keys_len(const og_config *c, const char *path) {
  const node *n = lookup(c, path);
  return n && n->kind == N_MAP ? n->count : 0;
}

const char *og_config_key(const og_config *c, const char *path, size_t i) {
  const node *n = lookup(c, path);
  return n && n->kind == N_MAP && i < n->count ? n->keys[i] : NULL;
}

char *og_config_resolve_path(const og_config *c, const char *p) {
  if (!p) return NULL;
  if (p[0] == '/' || strstr(p, "://")) return og_strdup(p);
  og_buf b = OG_BUF_INIT;
  og_buf_printf(&b, "%s/%s", c->base_dir, p);
  return og_buf_detach(&b, NULL);
}
