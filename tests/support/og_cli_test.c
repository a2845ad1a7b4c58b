/* Process-test helpers for the omnigraph binary (see og_cli_test.h). */
#include "og_cli_test.h"

#include <stdio.h>
#include <sys/stat.h>

char *og_cli_dir;

int og_cli_setup(void **state) {
  (void)state;
  og_cli_dir = og_test_tmpdir("cli");
  return og_cli_dir ? 0 : -1;
}

int og_cli_teardown(void **state) {
  (void)state;
  og_test_rmtree(og_cli_dir);
  og_free(og_cli_dir);
  og_cli_dir = NULL;
  return 0;
}

static int run(char **out, const char *redirect, const char *fmt, va_list ap) {
  char args[8192], cmd[16384];
  vsnprintf(args, sizeof args, fmt, ap);
  snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s%s", og_cli_dir, og_test_bin_path("omnigraph"), args,
           redirect);
  return og_test_run(cmd, out);
}

int og_cli(char **out, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = run(out, "", fmt, ap);
  va_end(ap);
  return rc;
}

int og_cli_stdout(char **out, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = run(out, " 2>/dev/null", fmt, ap);
  va_end(ap);
  return rc;
}

void og_cli_write(const char *name, const char *text) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", og_cli_dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

bool og_cli_exists(const char *rel) {
  char path[4096];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", og_cli_dir, rel);
  return stat(path, &st) == 0;
}
