# .pg front end libFuzzer target; included from tests/fuzz/CMakeLists.txt
# (which sets OG_FUZZ_FLAGS and OG_FUZZ_LANG_SRCS and returns early on non-clang).
add_executable(fuzz_schema ${CMAKE_CURRENT_LIST_DIR}/fuzz_schema.c ${OG_FUZZ_LANG_SRCS})
target_include_directories(fuzz_schema PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_compile_options(fuzz_schema PRIVATE ${OG_FUZZ_FLAGS})
target_link_options(fuzz_schema PRIVATE ${OG_FUZZ_FLAGS})
target_link_libraries(fuzz_schema og_util)
