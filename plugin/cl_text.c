#include "cl_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int cl_text_setf(const sis_text_out *t, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n, rc;

    if (t->set == NULL)
        return SIS_OK;
    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return SIS_ERR_NOMEM;
    rc = t->set(t->ctx, s);
    free(s);
    return rc;
}
