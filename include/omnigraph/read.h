/*
 * omnigraph/read.h — public API: the read side (queries, results, export).
 * Included by omnigraph.h; see its conventions.
 */
#ifndef OMNIGRAPH_READ_H
#define OMNIGRAPH_READ_H

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
