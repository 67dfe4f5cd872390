/* fetch.h - fetch_users: orgs, then users, streamed to the host's sink. */
#ifndef CL_FETCH_H
#define CL_FETCH_H

#include <sis/connector.h>

int cl_fetch_users(sis_instance *inst, const sis_fetch_request *req, const sis_sink *sink,
                   sis_fetch_result *res, sis_error *err);

/* Parses an ISO 8601 UTC time ("2026-01-02T03:04:05.678Z", fraction and
 * zone optional) to ms since the epoch; -1 when it is not one. */
long long cl_iso_to_ms(const char *s);
void cl_ms_to_iso(long long ms, char *buf, size_t cap);

#endif
