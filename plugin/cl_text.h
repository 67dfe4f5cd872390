/* cl_text.h - handing strings back to the host through its setters
 * (sis_text_out), formatted, any length. */
#ifndef CL_TEXT_H
#define CL_TEXT_H

#include <sis/plugin.h>

/* Formats and hands the text to `t`; SIS_OK, SIS_ERR_NOMEM, or what the
 * host's setter returned. */
int cl_text_setf(const sis_text_out *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
