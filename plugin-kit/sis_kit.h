/*
 * sis_kit.h - small helpers every SIS plugin needs, compiled into the plugin.
 *
 * Not part of the ABI: the host never sees these symbols (each plugin links
 * its own copy with hidden visibility), so a plugin built against an older
 * kit keeps working.  What the kit gives is the behaviour the contract asks
 * of every plugin, written once:
 *   - the entry's ABI check and the size check of every struct the host
 *     hands in (sis/plugin.h: whoever receives a struct checks struct_size);
 *   - reading a declared integer setting within its declared range;
 *   - the standard OneRoster-shaped apply_mappings (default fields, the
 *     admin's per-role choice, metadata switch, role and location maps).
 * Every function borrows its arguments for the call and keeps nothing.
 */
#ifndef SIS_KIT_H
#define SIS_KIT_H

#include <stddef.h>
#include <stdint.h>

#include <sis/connector.h>

/* True when `p` is non-NULL and was built at least as large as this
 * plugin's view of `type` up to `last` (the last member it reads). */
#define SIS_KIT_FITS(p, type, last) ((p) != NULL && SIS_HAS_MEMBER(p, type, last))

/* The entry symbol's checks: the host speaks this ABI major and its
 * services table reaches is_cancelled.  `who` names the plugin in the
 * sentence ("the ClassLink connector").  SIS_OK or SIS_ERR_ABI. */
int sis_kit_entry_check(uint32_t host_abi, const sis_host *host, const char *who,
                        sis_error *err);

/* Size checks of the structs each operation receives: SIS_OK, or
 * SIS_ERR_ABI with "the host passed a sis_X older than SIS ABI M.N". */
int sis_kit_check_auth(const sis_auth_request *req, const sis_auth_result *res, sis_error *err);
int sis_kit_check_schema_sink(const sis_schema_sink *sink, sis_error *err);
int sis_kit_check_fetch(const sis_fetch_request *req, const sis_sink *sink,
                        const sis_fetch_result *res, sis_error *err);
int sis_kit_check_apply(const sis_record *record, const sis_mapping *mapping, sis_error *err);

/* The app's value of the declared integer SETTING `name` (`decls` is the
 * plugin's table of `n`); the declared default when the host has none or
 * it is out of the declared range; 0 when `name` is not a declared integer
 * setting (a programming error).  Call only where host.h allows config_get. */
long long sis_kit_setting_int(const sis_decl *const *decls, size_t n, const sis_host *host,
                              sis_host_app *app, const char *name);

/* The field of `record` at `path`, or NULL. */
const sis_field *sis_kit_field(const sis_record *record, const char *path);

/* The standard mapping of a OneRoster-shaped record to a host user: the
 * admin's fields for the record's role (or the defaults: givenName,
 * familyName, email, username, identifier, and grades for students),
 * metadata.* only when the admin switched it on, the portal role from the
 * role map, locations from the location map (each once), unmapped orgs
 * listed.  Nothing is dropped: any number of fields and orgs.  Pure (reads
 * only its arguments), so the host may call it from any thread; `emit`
 * receives the user once.  SIS_OK, SIS_ERR_INVALID_ARG, SIS_ERR_NOMEM, or
 * SIS_ERR_SINK when `emit` refuses the user. */
int sis_kit_apply_mappings(const sis_record *record, const sis_mapping *mapping,
                           sis_user_fn emit, void *ctx, sis_error *err);

#endif
