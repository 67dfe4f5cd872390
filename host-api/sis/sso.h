/*
 * sis/sso.h - the SSO plugin kind: single sign-on providers the
 * Integration Marketplace lists in its own section.
 *
 * An SSO plugin answers the entry (sis/plugin.h) with a sis_sso_provider
 * whose header.kind is SIS_KIND_SSO.  The host lists it from the header
 * alone; what a host does with a sign-in is its own business, so this
 * table only carries what every SSO provider must answer: where to send a
 * user to sign in, and who came back.
 */
#ifndef SIS_SSO_H
#define SIS_SSO_H

#include <stddef.h>
#include <stdint.h>

#include <sis/host.h>
#include <sis/plugin.h>
#include <sis/records.h>
#include <sis/status.h>

typedef struct sis_sso_session sis_sso_session;  /* opaque, owned by the plugin */

/* Who signed in.  Filled by the plugin through the host's setters. */
typedef struct sis_sso_identity {
    uint32_t struct_size;
    sis_text_out subject;        /* the provider's stable id for the person */
    sis_text_out email;
    sis_text_out display_name;
} sis_sso_identity;

typedef struct sis_sso_provider {
    /* header.kind == SIS_KIND_SSO; header.struct_size = sizeof(sis_sso_provider). */
    sis_plugin_header header;

    /* Required.  Bind a session to one installed app; *out belongs to the
     * host until destroy. */
    int (*create)(sis_sso_session **out, const sis_host *host, sis_host_app *app,
                  sis_error *err);
    void (*destroy)(sis_sso_session *s);

    /* Required.  Where to send the browser; `state` is the host's, checked
     * by the host when the redirect comes back. */
    int (*sign_in_url)(sis_sso_session *s, const char *redirect_uri, const char *state,
                       sis_text_out *url, sis_error *err);

    /* Required.  The redirect's query parameters (borrowed) to an identity. */
    int (*complete)(sis_sso_session *s, const char *redirect_uri, const sis_kv *params,
                    size_t n_params, sis_sso_identity *who, sis_error *err);
} sis_sso_provider;

#endif /* SIS_SSO_H */
