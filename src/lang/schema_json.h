/*
 * schema_json.h — a tiny JSON writer that reproduces serde_json's compact
 * and pretty (2-space) layouts byte for byte; the IR hash depends on it.
 */
#ifndef OG_LANG_SCHEMA_JSON_H
#define OG_LANG_SCHEMA_JSON_H

#include "lang/schema.h"
#include "util/util.h"

typedef struct og_jw {
  og_buf *b;
  int indent;       /* 0 = compact */
  int depth;
  bool after_key;   /* the next value follows "key": directly */
  size_t count[64]; /* items written per open container */
} og_jw;

void og_jw_init(og_jw *w, og_buf *b, int indent);
void og_jw_obj(og_jw *w);
void og_jw_arr(og_jw *w);
void og_jw_end_obj(og_jw *w);
void og_jw_end_arr(og_jw *w);
void og_jw_key(og_jw *w, const char *k);
void og_jw_str(og_jw *w, const char *s);
void og_jw_strn(og_jw *w, const char *s, size_t n);
void og_jw_null(og_jw *w);
void og_jw_bool(og_jw *w, bool v);
void og_jw_i64(og_jw *w, int64_t v);
void og_jw_u64(og_jw *w, uint64_t v);
void og_jw_f64(og_jw *w, double v);
/* key + string/null value */
void og_jw_kstr(og_jw *w, const char *k, const char *s_or_null);

/* Schema IR pieces shared by the IR rendering (catalog.c) and migration
 * plans (plan.c): a property type {"scalar","nullable","list","enum_values"}
 * and one constraint ({"Key":[..]}, {"Range":{"property","min","max"}}, ...). */
void og_jw_proptype(og_jw *w, const og_proptype *t);
void og_jw_constraint(og_jw *w, const og_constraint *c);

#endif
