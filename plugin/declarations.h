/* declarations.h - the ClassLink connector's credential fields and
 * settings, declared once: the host renders and validates them, and the
 * connector reads its settings through the same table. */
#ifndef CL_DECLARATIONS_H
#define CL_DECLARATIONS_H

#include <sis/plugin.h>

#define CL_N_DECLS 24
extern const sis_decl *const cl_decls[CL_N_DECLS];

/* The integer SETTING `name`: the host's (validated) value, else the
 * declared default, kept within the declared range whatever the host
 * does.  `name` must be declared (a programming error otherwise: 0). */
long long cl_setting_int(const sis_host *host, sis_host_app *app, const char *name);

#endif
