/* instance.h - the state of one connector instance (one installed app). */
#ifndef CL_INSTANCE_H
#define CL_INSTANCE_H

#include <sis/connector.h>

struct sis_instance {
    const sis_host *host;   /* borrowed from the host until destroy */
    sis_host_app *app;      /* borrowed from the host until destroy */
};

#endif
