#include "cl_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cl_fail(sis_error *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        err->code = code;
        if (err->message != NULL && err->message_cap > 0) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err->message, err->message_cap, fmt, ap);
            va_end(ap);
        }
    }
    return code;
}

void cl_error_prefix(sis_error *err, const char *context)
{
    size_t n, m;
    if (err == NULL || err->message == NULL || err->message_cap == 0)
        return;
    /* Shift the message right in place; truncation keeps the prefix. */
    n = strlen(context) + 2;
    if (n >= err->message_cap) {
        snprintf(err->message, err->message_cap, "%s", context);
        return;
    }
    m = strnlen(err->message, err->message_cap - 1);
    if (m > err->message_cap - 1 - n)
        m = err->message_cap - 1 - n;
    memmove(err->message + n, err->message, m);
    err->message[n + m] = '\0';
    memcpy(err->message, context, n - 2);
    memcpy(err->message + n - 2, ": ", 2);
}
