/*
 * omnigraph/recovery.h — public API: crash recovery (write intents and the
 * recovery audit log). Included by omnigraph.h; see its conventions. User
 * documentation: docs/durability.md.
 *
 * Every multi-object write records a write intent before it creates its
 * first object and deletes it after its commit. A read-write og_db_open
 * resolves the intents of writers that are gone (crashed, killed, or whose
 * lease expired): rolled forward when their commit landed, rolled back (the
 * orphan objects deleted) when it did not. Intents of running writers are
 * never touched. Each resolution writes an immutable audit record.
 */
#ifndef OMNIGRAPH_RECOVERY_H
#define OMNIGRAPH_RECOVERY_H

#include "og_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The recovery audit log, oldest first, as JSON:
 *  {"records":[{"intent":ULID,"outcome":"rolled_forward"|"rolled_back",
 *    "operation":..,"committed_operation":..,"committed_actor":..,
 *    "branch":..,"generation":n,
 *    "base_version":n,"committed_version":n,"owner":{host,boot_id,pid,
 *    start_ticks,lease_expiry_ms},"actor":"omnigraph:recovery",
 *    "recovered_by":{host,pid},"reason":..,"time_ms":n,
 *    "objects_removed":[keys]}]}
 * Read-only. Free with og_string_free. */
og_status og_db_recovery_list(const char *uri, char **json_out, og_error *err);

/* The write intents present now, each judged live or not:
 *  {"intents":[{"id":ULID,"live":bool,"reason":..,"intent":{...}}]}
 * Read-only. Free with og_string_free. */
og_status og_db_intents(const char *uri, char **json_out, og_error *err);

/* Run recovery now (what a read-write open does):
 *  {"live":n,"rolled_forward":n,"rolled_back":n,"deferred":n,"objects_removed":n} */
og_status og_db_recover(const char *uri, char **json_out, og_error *err);

#ifdef __cplusplus
}
#endif

#endif
