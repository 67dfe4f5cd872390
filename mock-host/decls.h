/* decls.h - a plugin's declarations (sis/plugin.h) as the host uses them:
 * vetting them at load, finding one, checking a value against it, and the
 * host's own per-app settings declared the same way. */
#ifndef MH_DECLS_H
#define MH_DECLS_H

#include <stddef.h>

#include <sis/plugin.h>

/* The most credential fields a plugin may declare (a connect form's worth). */
#define MH_MAX_CREDENTIALS 32

/* A plugin's declarations are sound: names, types, ranges, defaults.
 * 0, or -1 with a sentence for the plugin's author in errbuf. */
int mh_decls_vet(const sis_plugin_header *h, char *errbuf, size_t cap);

/* The declaration of `name` in `scope`, or NULL.  Borrowed from the plugin. */
const sis_decl *mh_decl_find(const sis_plugin_header *h, sis_decl_scope scope, const char *name);

/* 0 when `value` is valid for `d`; otherwise -1 and a sentence in errbuf
 * that names the setting, what was given (never for secrets) and what is
 * allowed ("page_size must be a whole number from 1 to 10000, not \"abc\""). */
int mh_decl_check(const sis_decl *d, const char *value, char *errbuf, size_t cap);

/* How many declarations of `scope` the plugin has. */
size_t mh_decl_count(const sis_plugin_header *h, sis_decl_scope scope);

/* "--client-secret" for "client_secret". */
void mh_decl_flag(const sis_decl *d, char *buf, size_t cap);

/* What values the declaration allows, in words: "1..10000", "on|off",
 * "oauth1|oauth2", "https URL", "text". */
void mh_decl_allowed(const sis_decl *d, char *buf, size_t cap);

/* The host's own per-app settings (deactivation threshold, full-run
 * period, fetch projection): the same shape as a plugin's SETTINGs, kept
 * by the host.  Static. */
extern const sis_decl *const mh_host_decls[];
extern const size_t mh_n_host_decls;
const sis_decl *mh_host_decl_find(const char *name);

#endif
