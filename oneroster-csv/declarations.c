/*
 * declarations.c - the OneRoster CSV plugin's credential fields and
 * settings.  The host renders from them `connect oneroster-csv --source
 * PATH|URL [--username U] [--password-env VAR | --password-file F]
 * [--private-key-file F] [--known-hosts F] [--source-query-env VAR |
 * --source-query-file F]`, `config oneroster-csv NAME
 * VALUE` for the limits, and ONEROSTER_CSV_CA_FILE for the operator's extra
 * CA.  Defaults live here and nowhere else.
 */
#include "declarations.h"

#include "sis_kit.h"

#define CRED(n, l, t, req, h) \
    {sizeof(sis_decl), SIS_DECL_CREDENTIAL, n, l, t, req, NULL, 0, 0, NULL, 0, h}
#define INT(n, l, def, lo, hi, h) \
    {sizeof(sis_decl), SIS_DECL_SETTING, n, l, SIS_VALUE_INTEGER, 0, def, lo, hi, NULL, 0, h}

static const sis_decl source = CRED("source", "OneRoster CSV export", SIS_VALUE_TEXT, 1,
    "A OneRoster 1.1 CSV zip or folder on this machine, an https:// URL of a zip, or an sftp:// "
    "URL of a zip or of a folder (ending with /).");
/* A pre-signed URL's query is a bearer credential: it may stay in --source
 * (the plugin seals it either way), or come from here, off the command
 * line (ps, shell history) like every other secret. */
static const sis_decl source_query = CRED("source_query", "Pre-signed URL query", SIS_VALUE_SECRET,
    0, "The query of a pre-signed https:// URL (what follows '?', e.g. S3's X-Amz-...&"
    "X-Amz-Signature=... or Azure's sv=...&sig=...), to keep it off the command line: then give "
    "the URL without it as the source.");
static const sis_decl username = CRED("username", "SFTP user name", SIS_VALUE_TEXT, 0,
    "The account on the SFTP server.");
static const sis_decl password = CRED("password", "SFTP password", SIS_VALUE_SECRET, 0,
    "The SFTP password, or the private key's passphrase when a key is given.");
static const sis_decl private_key_file = CRED("private_key_file", "SFTP private key",
    SIS_VALUE_PATH, 0, "A private key file for the SFTP account (OpenSSH or PEM format).");
static const sis_decl known_hosts = CRED("known_hosts", "SFTP known-hosts file", SIS_VALUE_PATH,
    0, "Holds the SFTP server's host key; unknown or changed keys are refused (default: "
    "~/.ssh/known_hosts).");

static const sis_decl max_download_mb = INT("max_download_mb", "Largest download (MiB)", "2048",
    1, 65536, "An https:// or sftp:// download larger than this is refused.");
static const sis_decl max_entry_mb = INT("max_entry_mb", "Largest zip entry (MiB)", "2048", 1,
    65536, "A zip entry that inflates to more than this is refused (zip bombs).");
static const sis_decl max_ratio = INT("max_ratio", "Highest zip compression ratio", "250", 1,
    100000, "A zip entry that inflates more than this many times its stored size is refused.");
static const sis_decl schema_sample = INT("schema_sample", "Users sampled by schema", "10000",
    1, 10000000, "How many users schema discovery reads for types and fill rates.");

static const sis_decl ca_file = {sizeof(sis_decl), SIS_DECL_HOST_SETTING, "ca_file",
    "Extra CA bundle for https://", SIS_VALUE_PATH, 0, NULL, 0, 0, NULL, 0,
    "A PEM file of extra certificate authorities to trust (in addition to the system's)."};

const sis_decl *const orc_decls[ORC_N_DECLS] = {
    &source, &source_query, &username, &password, &private_key_file, &known_hosts,
    &max_download_mb, &max_entry_mb, &max_ratio, &schema_sample,
    &ca_file,
};

long long orc_setting_int(const sis_host *host, sis_host_app *app, const char *name)
{
    return sis_kit_setting_int(orc_decls, ORC_N_DECLS, host, app, name);
}
