/* fetch.h - fetch_users: orgs, then users, streamed to the host's sink. */
#ifndef CL_FETCH_H
#define CL_FETCH_H

#include <sis/connector.h>

int cl_fetch_users(sis_instance *inst, const sis_fetch_request *req, const sis_sink *sink,
                   sis_fetch_result *res, sis_error *err);

#endif
