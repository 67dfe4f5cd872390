/* oauth2.h - OAuth 2.0 client credentials for OneRoster providers. */
#ifndef CL_OAUTH2_H
#define CL_OAUTH2_H

#include "auth.h"
#include "client.h"

/* Makes sure a->access_token is valid for at least another minute, asking
 * the token URL through c when it is missing, expiring, or `force` is set
 * (after a 401).  Returns SIS_OK or a failure explained in err. */
int cl_oauth2_ensure_token(cl_auth *a, cl_client *c, int force, sis_error *err);

#endif
