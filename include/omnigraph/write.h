/*
 * omnigraph/write.h — public API: the write side (load JSONL, mutations).
 * Included by omnigraph.h; see its conventions.
 */
#ifndef OMNIGRAPH_WRITE_H
#define OMNIGRAPH_WRITE_H

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
