/*
 * og_cli_test.h — helpers for process tests of the `omnigraph` binary: each
 * test runs in a fresh temp directory (og_cli_dir), runs the real binary
 * there and checks exit codes and output.
 */
#ifndef OG_CLI_TEST_H
#define OG_CLI_TEST_H

#include "og_test.h"

#include <stdbool.h>
#include <string.h>

/* The current test's working directory (made by og_cli_setup). */
extern char *og_cli_dir;

/* cmocka setup/teardown: a fresh og_cli_dir, removed afterwards. */
int og_cli_setup(void **state);
int og_cli_teardown(void **state);
/* Run `omnigraph <args>` in og_cli_dir; *out gets stdout+stderr (og_free).
 * Returns the exit code. */
int og_cli(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, stdout only (stderr discarded), for exact comparisons. */
int og_cli_stdout(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write a file under og_cli_dir. */
void og_cli_write(const char *name, const char *text);
bool og_cli_exists(const char *rel);

/* Run and require an exit code and an output substring. */
#define OG_CLI_EXPECT(code, substr, ...)                                                      \
  do {                                                                                        \
    char *o_ = NULL;                                                                          \
    int rc_ = og_cli(&o_, __VA_ARGS__);                                                       \
    if (rc_ != (code) || !strstr(o_, (substr)))                                               \
      fail_msg("omnigraph " #__VA_ARGS__ ": exit %d (want %d), output:\n%s\n(wanted: %s)",    \
               rc_, (code), o_, (substr));                                                    \
    og_free(o_);                                                                              \
  } while (0)

#endif
