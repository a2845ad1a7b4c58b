/* Public recovery API (include/omnigraph/recovery.h) over graph.h's write
 * intents and audit log. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/api_int.h"

static og_status open_store(const char *uri, og_store **st, og_error *err) {
  return og_db__open_store(uri, st, err);
}

static og_status emit(json_t *o, char **out, og_error *err) {
  char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  if (!txt) return og_err_oom(err);
  *out = og_strdup(txt);
  free(txt); /* jansson's allocation */
  return *out ? OG_OK : og_err_oom(err);
}

og_status og_db_recovery_list(const char *uri, char **json_out, og_error *err) {
  og_store *st = NULL;
  og_recovery_list l = {0};
  json_t *arr = NULL;
  *json_out = NULL;
  og_status rc = open_store(uri, &st, err);
  if (rc == OG_OK) rc = og_graph_recovery_list(st, &l, err);
  if (rc == OG_OK && !(arr = json_array())) rc = og_err_oom(err);
  for (size_t i = 0; rc == OG_OK && i < l.count; i++) {
    json_t *r = json_loads(l.items[i].json, 0, NULL);
    if (!r || json_array_append_new(arr, r) != 0) rc = og_err_oom(err);
  }
  if (rc == OG_OK) {
    rc = emit(json_pack("{s:o}", "records", arr), json_out, err);
    arr = NULL;
  }
  json_decref(arr);
  og_recovery_list_dispose(&l);
  og_store_free(st);
  return rc;
}

og_status og_db_intents(const char *uri, char **json_out, og_error *err) {
  og_store *st = NULL;
  og_intent_list l = {0};
  json_t *arr = NULL;
  *json_out = NULL;
  og_status rc = open_store(uri, &st, err);
  if (rc == OG_OK) rc = og_graph_intents(st, &l, err);
  if (rc == OG_OK && !(arr = json_array())) rc = og_err_oom(err);
  for (size_t i = 0; rc == OG_OK && i < l.count; i++) {
    json_t *in = json_loads(l.items[i].json, JSON_DECODE_ANY, NULL);
    json_t *r = json_pack("{s:s, s:b, s:s, s:o}", "id", l.items[i].id, "live", l.items[i].live,
                          "reason", l.items[i].reason, "intent", in ? in : json_null());
    if (!r || json_array_append_new(arr, r) != 0) rc = og_err_oom(err);
  }
  if (rc == OG_OK) {
    rc = emit(json_pack("{s:o}", "intents", arr), json_out, err);
    arr = NULL;
  }
  json_decref(arr);
  og_intent_list_dispose(&l);
  og_store_free(st);
  return rc;
}

og_status og_db_recover(const char *uri, char **json_out, og_error *err) {
  og_store *st = NULL;
  og_recover_result r = {0};
  *json_out = NULL;
  og_status rc = open_store(uri, &st, err);
  if (rc == OG_OK) rc = og_graph_recover(st, NULL, &r, err);
  if (rc == OG_OK)
    rc = emit(json_pack("{s:I, s:I, s:I, s:I, s:I}", "live", (json_int_t)r.live, "rolled_forward",
                        (json_int_t)r.rolled_forward, "rolled_back", (json_int_t)r.rolled_back,
                        "deferred", (json_int_t)r.deferred, "objects_removed",
                        (json_int_t)r.objects_removed),
              json_out, err);
  og_store_free(st);
  return rc;
}
