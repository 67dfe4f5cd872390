/*
 * declarations.c - what the admin and the host's operator can tell the
 * ClassLink connector, in one table.
 *
 * CREDENTIAL fields become `connect classlink --server URL --client-id ID
 * --client-secret-env VAR ...`; SETTINGs become `config classlink NAME
 * VALUE`, validated by the host against the range below; HOST_SETTINGs are
 * the vendor's ClassLink app (the same for every district).  Defaults live
 * here and nowhere else.
 */
#include "declarations.h"

#include "sis_kit.h"

#define CRED(n, l, t, req, def, h) \
    {sizeof(sis_decl), SIS_DECL_CREDENTIAL, n, l, t, req, def, 0, 0, NULL, 0, h}
#define INT(n, l, def, lo, hi, h) \
    {sizeof(sis_decl), SIS_DECL_SETTING, n, l, SIS_VALUE_INTEGER, 0, def, lo, hi, NULL, 0, h}
#define HOST(n, l, t, def, h) \
    {sizeof(sis_decl), SIS_DECL_HOST_SETTING, n, l, t, 0, def, 0, 0, NULL, 0, h}

static const char *const auth_modes[] = {"oauth1", "oauth1-sha1", "oauth2", "bearer"};

static const sis_decl server = CRED("server", "Roster Server URL", SIS_VALUE_URL, 1, NULL,
    "The district's Roster Server: its address (https://district.oneroster.com) or its OneRoster "
    "root (.../ims/oneroster/v1p1).");
static const sis_decl client_id = CRED("client_id", "Client ID", SIS_VALUE_TEXT, 0, NULL,
    "The Roster Server application's client id (not needed with --auth bearer).");
static const sis_decl client_secret = CRED("client_secret", "Client secret", SIS_VALUE_SECRET, 1,
    NULL, "The Roster Server application's secret; with --auth bearer, the proxy's token.");
static const sis_decl auth = {sizeof(sis_decl), SIS_DECL_CREDENTIAL, "auth", "Signing",
    SIS_VALUE_CHOICE, 0, "oauth1", 0, 0, auth_modes, 4,
    "oauth1 (HMAC-SHA256, ClassLink's default), oauth1-sha1, oauth2 (client credentials) or "
    "bearer (the OneRoster proxy's token)."};
static const sis_decl token_url = CRED("token_url", "OAuth 2.0 token URL", SIS_VALUE_URL, 0, NULL,
    "With --auth oauth2, required: the provider's token endpoint (e.g. "
    "https://sis.example.org/oauth2/token); there is no default.");

static const sis_decl page_size = INT("page_size", "Records per page", "10000", 1, 10000,
    "How many users to ask for per request.");
static const sis_decl concurrency = INT("concurrency", "Pages in flight", "4", 1, 16,
    "Requests to the Roster Server at once.");
static const sis_decl delta_overlap_s = INT("delta_overlap_s", "Delta overlap (s)", "300", 0, 86400,
    "A delta run re-reads changes this many seconds before the last one, against clock skew.");
static const sis_decl max_record_bytes = INT("max_record_bytes", "Largest record (bytes)",
    "1048576", 4096, 16777216, "A user record larger than this is skipped as invalid.");
static const sis_decl request_timeout_ms = INT("request_timeout_ms", "Request deadline (ms)",
    "300000", 100, 3600000, "The longest one request may take, body included.");
static const sis_decl connect_timeout_ms = INT("connect_timeout_ms", "Connect timeout (ms)",
    "10000", 100, 120000, "The longest a connection attempt may take.");
static const sis_decl stall_timeout_s = INT("stall_timeout_s", "Stall timeout (s)", "25", 1, 3600,
    "A request that receives nothing for this long is tried once more, then given up.");
static const sis_decl max_attempts = INT("max_attempts", "Attempts per request", "6", 1, 20,
    "Tries per request on server errors and dropped connections (throttling does not count).");
static const sis_decl retry_budget_ms = INT("retry_budget_ms", "Retry time budget (ms)", "120000",
    0, 3600000, "The most time one request may spend waiting between its retries.");
static const sis_decl retry_base_ms = INT("retry_base_ms", "First retry delay (ms)", "500", 0,
    60000, "The first backoff delay; it doubles, with jitter.");
static const sis_decl retry_max_ms = INT("retry_max_ms", "Longest retry delay (ms)", "30000", 0,
    600000, "The longest single backoff delay.");

static const sis_decl hs_client_id = HOST("client_id", "LaunchPad OAuth client id",
    SIS_VALUE_TEXT, NULL, "The vendor's ClassLink app, for ClassLink Login.");
static const sis_decl hs_client_secret = HOST("client_secret", "LaunchPad OAuth client secret",
    SIS_VALUE_SECRET, NULL, "The vendor's ClassLink app secret, for ClassLink Login.");
static const sis_decl hs_partner_key = HOST("partner_key", "Roster Server partner API key",
    SIS_VALUE_SECRET, NULL, "Finds a district's Roster Server after ClassLink Login.");
static const sis_decl hs_launchpad = HOST("launchpad_url", "LaunchPad base URL", SIS_VALUE_URL,
    "https://launchpad.classlink.com", NULL);
static const sis_decl hs_nodeapi = HOST("nodeapi_url", "nodeapi base URL", SIS_VALUE_URL,
    "https://nodeapi.classlink.com", NULL);
static const sis_decl hs_proxy = HOST("proxy_url", "OneRoster proxy base URL", SIS_VALUE_URL,
    "https://oneroster-proxy.classlink.io", NULL);
static const sis_decl hs_domains = HOST("allowed_domains", "Allowed roster server domains",
    SIS_VALUE_TEXT, "oneroster.com,classlink.com,classlink.io",
    "Comma-separated domains a roster server found through ClassLink Login may be under.");
static const sis_decl hs_ca_file = HOST("ca_file", "Extra CA bundle", SIS_VALUE_PATH, NULL,
    "A PEM file of extra certificate authorities to trust (in addition to the system's).");

const sis_decl *const cl_decls[] = {
    &server, &client_id, &client_secret, &auth, &token_url,
    &page_size, &concurrency, &delta_overlap_s, &max_record_bytes, &request_timeout_ms,
    &connect_timeout_ms, &stall_timeout_s, &max_attempts, &retry_budget_ms, &retry_base_ms,
    &retry_max_ms,
    &hs_client_id, &hs_client_secret, &hs_partner_key, &hs_launchpad, &hs_nodeapi, &hs_proxy,
    &hs_domains, &hs_ca_file,
};
_Static_assert(sizeof cl_decls / sizeof cl_decls[0] == CL_N_DECLS, "update CL_N_DECLS");

long long cl_setting_int(const sis_host *host, sis_host_app *app, const char *name)
{
    return sis_kit_setting_int(cl_decls, CL_N_DECLS, host, app, name);
}
