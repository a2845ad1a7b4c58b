/*
 * og_test.h — helpers shared by the cmocka test programs.
 * Include after <cmocka.h>'s prerequisites; this header pulls them in.
 */
#ifndef OG_TEST_H
#define OG_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/util.h"

/* Assert a status is OG_OK, printing the error message otherwise. */
#define OG_ASSERT_OK(expr, errp)                                                   \
  do {                                                                             \
    og_status og__rc = (expr);                                                     \
    if (og__rc != OG_OK)                                                           \
      fail_msg("%s -> %s: %s", #expr, og_status_name(og__rc), (errp)->message);  \
  } while (0)

/* A fresh empty directory under $TMPDIR (or /tmp); caller frees the string
 * with og_free after og_test_rmtree. Aborts the test on failure. */
char *og_test_tmpdir(const char *tag);
/* rm -rf (test-only; production code never touches files directly). */
void og_test_rmtree(const char *path);
/* Read a whole file into a NUL-terminated heap string (og_free). NULL if absent. */
char *og_test_read_file(const char *path, size_t *len_out);
/* Where log key `key` ("log/<name>/<20 digits>") of the posix store rooted
 * at `root` keeps its bytes: the segment file (`path`) and the record's
 * offset and length in it (the posix layout of docs/store.md). Fails the
 * test when the key has no live record. */
void og_test_log_record(const char *root, const char *key, char *path, size_t cap,
                        uint64_t *off, uint64_t *len);
/* Path of a file under the source tree / the shared spec folder (static buffer). */
const char *og_test_source_path(const char *rel);
const char *og_test_shared_path(const char *rel);
/* Path of a built binary in the build directory (static buffer). */
const char *og_test_bin_path(const char *name);
/* Run a shell command, capture stdout+stderr into *out (og_free); return exit status
 * (or 128+signal). */
int og_test_run(const char *cmd, char **out);

#endif
