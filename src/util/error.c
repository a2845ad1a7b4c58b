/* Error object filling and status-code tables (DESIGN.md §5). */
#include "util/util.h"

#include <stdio.h>
#include <string.h>

og_status og_err_setv(og_error *err, og_status code, const char *fmt, va_list ap) {
  if (!err) return code;
  err->code = code;
  err->line = 0;
  err->column = 0;
  err->details[0] = '\0';
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  return code;
}

og_status og_err_set(og_error *err, og_status code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  og_err_setv(err, code, fmt, ap);
  va_end(ap);
  return code;
}

og_status og_err_set_pos(og_error *err, og_status code, int line, int column, const char *fmt,
                         ...) {
  va_list ap;
  va_start(ap, fmt);
  og_err_setv(err, code, fmt, ap);
  va_end(ap);
  if (err) {
    err->line = line;
    err->column = column;
  }
  return code;
}

void og_err_details(og_error *err, const char *fmt, ...) {
  if (!err) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->details, sizeof err->details, fmt, ap);
  va_end(ap);
}

void og_err_prefix(og_error *err, const char *fmt, ...) {
  if (!err) return;
  char prefix[OG_ERROR_MESSAGE_MAX];
  char old[OG_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  memcpy(old, err->message, sizeof old);
  snprintf(err->message, sizeof err->message, "%s: %s", prefix, old);
}

void og_err_clear(og_error *err) {
  if (!err) return;
  err->code = OG_OK;
  err->line = err->column = 0;
  err->message[0] = '\0';
  err->details[0] = '\0';
}

og_status og_err_oom(og_error *err) {
  if (!err) return OG_ENOMEM;
  err->code = OG_ENOMEM;
  err->line = err->column = 0;
  err->details[0] = '\0';
  strcpy(err->message, "out of memory");
  return OG_ENOMEM;
}

const char *og_status_name(og_status code) {
  switch (code) {
  case OG_OK: return "ok";
  case OG_ERROR: return "internal";
  case OG_ENOMEM: return "out_of_memory";
  case OG_EINVAL: return "invalid";
  case OG_ENOTFOUND: return "not_found";
  case OG_EEXISTS: return "already_exists";
  case OG_ECONFLICT: return "conflict";
  case OG_ESTALE: return "stale";
  case OG_EBUSY: return "busy";
  case OG_EPARSE: return "parse";
  case OG_ETYPE: return "type";
  case OG_EPERM: return "forbidden";
  case OG_EIO: return "io";
  case OG_EFULL: return "storage_full";
  case OG_ECORRUPT: return "corrupt";
  case OG_ERECOVERY: return "recovery_required";
  case OG_EINTERRUPTED: return "interrupted";
  case OG_EUNAUTH: return "unauthorized";
  case OG_ETOOLARGE: return "too_large";
  case OG_EUNSUPPORTED: return "unsupported";
  case OG_ECONSTRAINT: return "constraint";
  }
  return "unknown";
}

int og_status_http(og_status code) {
  switch (code) {
  case OG_OK: return 200;
  case OG_EINVAL: case OG_EPARSE: case OG_ETYPE: case OG_EUNSUPPORTED: case OG_ECONSTRAINT:
    return 400;
  case OG_EUNAUTH: return 401;
  case OG_EPERM: return 403;
  case OG_ENOTFOUND: return 404;
  case OG_EEXISTS: case OG_ECONFLICT: case OG_ESTALE: return 409;
  case OG_ETOOLARGE: return 413;
  case OG_EBUSY: return 429;
  case OG_EFULL: return 507;
  case OG_EINTERRUPTED: return 499;
  default: return 500;
  }
}

int og_status_exit(og_status code) {
  /* The reference CLI's contract: 0 success, 1 any runtime error (including
   * bad input files, conflicts, not found); 2 is reserved for argument-parse
   * errors, which the CLI reports itself. */
  return code == OG_OK ? 0 : 1;
}
