/*
 * jsonl — the framing of load input (spec data.md §2.1): a stream of JSON
 * values separated by optional whitespace. A record may span lines and
 * several records may share a line; there is no comment syntax. Records are
 * numbered from 1 in stream order.
 *
 * The reader pulls bytes through a caller-supplied read function (the CLI
 * reads a file, the server a request body), so memory stays bounded by the
 * largest single record plus one chunk, never by the input size.
 */
#ifndef OG_LOAD_JSONL_H
#define OG_LOAD_JSONL_H

#include <jansson.h>

#include "load/jdom.h"
#include "util/util.h"

/* Fill buf with up to cap bytes; return the count, 0 at end of input, or -1
 * on a read error (the reader reports OG_EIO). */
typedef long (*og_read_fn)(void *ctx, char *buf, size_t cap);

typedef struct og_jsonl og_jsonl;

og_status og_jsonl_open(og_jsonl **out, og_read_fn read, void *ctx, og_error *err);
/* In-memory input (borrowed until og_jsonl_free). */
og_status og_jsonl_open_mem(og_jsonl **out, const char *data, size_t len, og_error *err);
/* Next record: *value_out is a new reference (json_decref it), NULL at the
 * end of input. Malformed JSON: OG_EINVAL "invalid JSON at record N: <detail>"
 * with the input line and column of the error. */
og_status og_jsonl_next(og_jsonl *r, json_t **value_out, og_error *err);
/* Same framing without parsing: *p_out, *n_out = the record's text (NULL at
 * the end), borrowed until the next call. */
og_status og_jsonl_next_raw(og_jsonl *r, const char **p_out, size_t *n_out, og_error *err);
/* Next record parsed into doc (escaped strings in `a`); *got = false at the
 * end of input. The same records, numbers and errors as og_jsonl_next_raw +
 * og_jdoc_parse + og_jsonl_raw_error, but an object record is framed by its
 * parse: one pass over its bytes instead of two. */
og_status og_jsonl_next_doc(og_jsonl *r, og_jdoc *doc, og_arena *a, bool *got, og_error *err);
/* The next record's first byte (*p_out; leading whitespace skipped, input
 * read as needed) and the bytes buffered from it (*avail_out, 0 at the end
 * of input), borrowed until the next call; nothing is consumed. With
 * og_jsonl_consume, a caller frames a record it parses itself. */
og_status og_jsonl_peek(og_jsonl *r, const char **p_out, size_t *avail_out, og_error *err);
/* Consume the next n bytes (from og_jsonl_peek's *p_out) as one record:
 * numbered and line-counted like the records the other calls return. */
void og_jsonl_consume(og_jsonl *r, size_t n);
/* The OG_EINVAL "invalid JSON at record N: ..." error for the record last
 * returned by og_jsonl_next_raw (text p, n), with jansson's detail. */
og_status og_jsonl_raw_error(og_jsonl *r, const char *p, size_t n, og_error *err);
/* Number of the record last returned (1-based) and its first line. */
uint64_t og_jsonl_record_no(const og_jsonl *r);
uint64_t og_jsonl_record_line(const og_jsonl *r);
void og_jsonl_free(og_jsonl *r);

#endif
