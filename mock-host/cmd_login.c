/* cmd_login.c - ClassLink Login from the command line. */
#include "cli.h"

int mh_connect_login(mh_ctx *ctx, sis_host_app *happ, int no_browser)
{
    (void)ctx; (void)no_browser;
    return mh_fail("ClassLink Login for %s is not available yet in this build; connect with "
                   "--server URL --client-id ID --client-secret-env VAR", happ->app.name);
}
