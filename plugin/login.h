/* login.h - "ClassLink Login": LaunchPad OAuth 2.0 authorization code, then
 * the district's roster server found through the vendor's /applications. */
#ifndef CL_LOGIN_H
#define CL_LOGIN_H

#include <sis/connector.h>

int cl_login_begin(sis_instance *inst, const sis_auth_request *req, sis_auth_result *res,
                   sis_error *err);
int cl_login_complete(sis_instance *inst, const sis_auth_request *req, sis_auth_result *res,
                      sis_error *err);

/* 1 when `host` is one of the comma-separated domains or below one. */
int cl_host_allowed(const char *host, const char *domains);

#endif
