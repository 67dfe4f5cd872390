/* authn.h - authenticate: manual credentials (and, later, ClassLink Login). */
#ifndef CL_AUTHN_H
#define CL_AUTHN_H

#include <sis/connector.h>

#include "conn.h"

int cl_authenticate(sis_instance *inst, const sis_auth_request *req, sis_auth_result *res,
                    sis_error *err);

/* Proves a connection works with a real roster request (/users?limit=1)
 * and learns the OneRoster version and how many users the app can see. */
int cl_verify_connection(cl_conn *c, uint64_t *visible_users, sis_error *err);

/* Stores a verified connection through the host. */
int cl_store_connection(const cl_conn *c, const sis_host *host, sis_host_app *app, sis_error *err);

#endif
