#include "text_out.h"

#include <stdlib.h>
#include <string.h>

static int keep_text(void *ctx, const char *value)
{
    char **slot = ctx, *copy = strdup(value);
    if (copy == NULL)
        return SIS_ERR_NOMEM;
    free(*slot);
    *slot = copy;
    return SIS_OK;
}

sis_text_out mh_text_out(char **slot)
{
    sis_text_out t = {slot, keep_text};
    return t;
}
