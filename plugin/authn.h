/* authn.h - authenticate: manual credentials (and, later, ClassLink Login). */
#ifndef CL_AUTHN_H
#define CL_AUTHN_H

#include <sis/connector.h>

#include "conn.h"

int cl_authenticate(sis_instance *inst, const sis_auth_request *req, sis_auth_result *res,
                    sis_error *err);

#endif
