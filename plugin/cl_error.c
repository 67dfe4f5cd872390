#include "cl_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cl_fail(sis_error *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void cl_error_prefix(sis_error *err, const char *context)
{
    char tmp[SIS_ERROR_MESSAGE_MAX];
    if (err == NULL)
        return;
    snprintf(tmp, sizeof tmp, "%s: %s", context, err->message);
    memcpy(err->message, tmp, sizeof tmp);
}
