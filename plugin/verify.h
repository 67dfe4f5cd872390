/* verify.h - the end of every way of connecting an app: a real roster
 * request proves the new connection, and only then is it stored. */
#ifndef CL_VERIFY_H
#define CL_VERIFY_H

#include <stdint.h>

#include <sis/connector.h>

#include "conn.h"

/* Proves a connection works with a real roster request (/users?limit=1)
 * and learns the OneRoster version and how many users the app can see
 * (*visible_users, UINT64_MAX when the server does not say). */
int cl_verify_connection(cl_conn *c, uint64_t *visible_users, sis_error *err);

/* Stores a verified connection through the host: settings as config, the
 * secret through the host's secret store.  Borrows everything. */
int cl_store_connection(const cl_conn *c, const sis_host *host, sis_host_app *app, sis_error *err);

#endif
