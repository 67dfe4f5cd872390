/* cl_error.h - filling a sis_error with a message an admin can act on. */
#ifndef CL_ERROR_H
#define CL_ERROR_H

#include <sis/status.h>

/* Writes the formatted message into err (when err is not NULL), sets
 * err->code and returns `code`, so callers can `return cl_fail(...)`. */
int cl_fail(sis_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes err->message with a context phrase ("reading users: ..."). */
void cl_error_prefix(sis_error *err, const char *context);

#endif
