/*
 * declarations.h - what the admin and the host's operator can tell the
 * OneRoster CSV plugin (sis/plugin.h declarations), in one table, and the
 * one way to read a declared integer setting.
 */
#ifndef ORC_DECLARATIONS_H
#define ORC_DECLARATIONS_H

#include <sis/plugin.h>

#define ORC_N_DECLS 11

/* Static, handed to the host through the plugin header. */
extern const sis_decl *const orc_decls[ORC_N_DECLS];

/* The app's value of the declared integer SETTING `name` (the host hands
 * back the declared default when the admin never set one); the declared
 * default when the host has none or it is out of range.  Call only where
 * host.h allows config_get. */
long long orc_setting_int(const sis_host *host, sis_host_app *app, const char *name);

#endif
