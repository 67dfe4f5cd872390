/* services.h - the mock host's implementation of the sis_host table. */
#ifndef MH_SERVICES_H
#define MH_SERVICES_H

#include <signal.h>

#include <sis/host.h>

#include "loader.h"
#include "store.h"

struct mh_progress;

/* The host's handle for one installed app while a plugin works on it. */
struct sis_host_app {
    mh_store *store;                  /* borrowed */
    mh_app app;
    const mh_plugin *plugin;          /* borrowed */
    struct mh_progress *progress;     /* borrowed; NULL: no progress display */
};

/* The one services table this host offers (static, lives forever). */
const sis_host *mh_services(void);

/* Set by the SIGINT/SIGTERM handler; plugins see it through is_cancelled. */
extern volatile sig_atomic_t mh_cancel_requested;

/* The environment variable that sets host setting `name` of a plugin:
 * "classlink", "client_id" -> CLASSLINK_CLIENT_ID. */
void mh_host_setting_env(const char *plugin_id, const char *name, char *buf, size_t cap);

/* Makes an instance of the app's plugin.  Returns 0, or -1 with errbuf. */
int mh_instance_create(sis_instance **out, sis_host_app *happ, char *errbuf, size_t cap);

#endif
