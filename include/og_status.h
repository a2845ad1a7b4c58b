/*
 * og_status.h — status codes and the error object shared by every layer and
 * by the public API (DESIGN.md §5).
 *
 * Invariants:
 *  - Every fallible call returns an og_status; OG_OK is 0, failures are negative.
 *  - On failure the callee fills the caller's og_error (when non-NULL) exactly
 *    once, at the place the failure happened; callers above may prefix context
 *    but never replace a lower layer's code.
 *  - og_error holds no heap memory: filling it cannot fail and it needs no free.
 */
#ifndef OG_STATUS_H
#define OG_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum og_status {
  OG_OK = 0,
  OG_ERROR = -1,        /* internal error (a bug) — HTTP 500 */
  OG_ENOMEM = -2,       /* out of memory — 500 */
  OG_EINVAL = -3,       /* bad argument, bad input — 400 */
  OG_ENOTFOUND = -4,    /* no such graph, branch, object, row — 404 */
  OG_EEXISTS = -5,      /* already exists — 409 */
  OG_ECONFLICT = -6,    /* write / merge conflict — 409 */
  OG_ESTALE = -7,       /* precondition failed: the head moved — 409 */
  OG_EBUSY = -8,        /* admission refused, lock held — 429/503 */
  OG_EPARSE = -9,       /* schema/query syntax error — 400 */
  OG_ETYPE = -10,       /* schema/query type error — 400 */
  OG_EPERM = -11,       /* policy denied — 403 */
  OG_EIO = -12,         /* storage I/O error — 500 */
  OG_EFULL = -13,       /* storage full (ENOSPC) — 507/500 */
  OG_ECORRUPT = -14,    /* checksum or structure mismatch — 500 */
  OG_ERECOVERY = -15,   /* handle must be reopened to run recovery — 500 */
  OG_EINTERRUPTED = -16,/* cancelled — 499/500 */
  OG_EUNAUTH = -17,     /* missing/invalid credentials — 401 */
  OG_ETOOLARGE = -18,   /* body or value over a limit — 413 */
  OG_EUNSUPPORTED = -19,/* valid request the system refuses (e.g. newer format) — 400 */
  OG_ECONSTRAINT = -20  /* data violates a schema constraint — 400 (409 on merge) */
} og_status;

#define OG_ERROR_MESSAGE_MAX 1024
#define OG_ERROR_DETAILS_MAX 1024

/* Filled by a failing call. `details` is a JSON object text ("" when none),
 * e.g. {"table":"node:Person","expected_version":3,"actual_version":4}. */
typedef struct og_error {
  og_status code;
  int line;   /* 1-based source position for parse/type/input errors, 0 if none */
  int column; /* 1-based, 0 if none */
  char message[OG_ERROR_MESSAGE_MAX];
  char details[OG_ERROR_DETAILS_MAX];
} og_error;

#define OG_ERROR_INIT {OG_OK, 0, 0, {0}, {0}}

/* Stable lower-case name of a code ("conflict", "not_found", ...). */
const char *og_status_name(og_status code);
/* HTTP status for a code (DESIGN.md §5 / spec/surface.md). */
int og_status_http(og_status code);
/* CLI exit code for a code: 0 ok, 1 any runtime error (2 = usage, set by the CLI). */
int og_status_exit(og_status code);

#ifdef __cplusplus
}
#endif
#endif
