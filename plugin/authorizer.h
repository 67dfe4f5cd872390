/* authorizer.h - the client authoriser (client.h) of a roster endpoint's
 * requests, over its credentials (auth.h): OAuth 1.0a signs each request,
 * OAuth 2.0 sends a token it fetches (and fetches again after a 401), a
 * static bearer is sent as it is. */
#ifndef CL_AUTHORIZER_H
#define CL_AUTHORIZER_H

#include <sis/status.h>

#include "auth.h"
#include "client.h"

/* The "Authorization: ..." header line for one request.  *out malloc'd;
 * the caller wipes and frees it. */
int cl_auth_header(cl_auth *a, cl_client *c, const char *method, const char *url, char **out,
                   sis_error *err);

/* Fills *out with an authoriser over `a`, borrowed for as long as *out is
 * used. */
void cl_auth_authorizer(cl_auth *a, cl_authorizer *out);

#endif
