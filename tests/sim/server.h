/* server.h - starting the simulator's HTTP(S) server. */
#ifndef SIM_SERVER_H
#define SIM_SERVER_H

#include <microhttpd.h>

#include "sim.h"

/* Listens on 127.0.0.1:port (0 picks a free port, returned in *bound).
 * With cert/key PEM strings it serves HTTPS.  NULL on failure. */
struct MHD_Daemon *sim_server_start(sim_server *s, unsigned short port, unsigned short *bound,
                                    const char *cert_pem, const char *key_pem);

#endif
