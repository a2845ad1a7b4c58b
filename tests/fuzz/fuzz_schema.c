/*
 * fuzz_schema.c — libFuzzer target for the `.pg` front end (parser, catalog,
 * IR, canonical rendering, planner). Seed corpus: tests/fuzz/corpus/schema.
 *   CC=clang cmake -DOG_BUILD_FUZZERS=ON ... && ninja fuzz_schema
 *   ./fuzz_schema -max_len=4096 tests/fuzz/corpus/schema
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_schema_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  og_fuzz_schema_one(data, size);
  return 0;
}
