/* server.h - starting the simulator's HTTP(S) server. */
#ifndef SIM_SERVER_H
#define SIM_SERVER_H

#include <microhttpd.h>

#include "sim.h"

/* Listens on 127.0.0.1:port (0 picks a free port, returned in *bound).
 * With cert/key PEM strings it serves HTTPS.  NULL on failure. */
struct MHD_Daemon *sim_server_start(sim_server *s, unsigned short port, unsigned short *bound,
                                    const char *cert_pem, const char *key_pem);

/* Shared by the route files. */
enum MHD_Result sim_send_json(struct MHD_Connection *c, unsigned status, const char *body);
enum MHD_Result sim_roster(sim_server *s, struct MHD_Connection *c, const char *method,
                           const char *url, const char *rest);

/* Fault injection shared by the route files: takes the fault for `path`
 * (copied to *out) and answers it when it replaces the whole response. */
int sim_take_fault(sim_server *s, const char *path, sim_fault *out);
enum MHD_Result sim_fault_response(sim_server *s, struct MHD_Connection *c, const sim_fault *f);

/* LaunchPad, nodeapi and /applications (launchpad.c); MHD_NO when the
 * path is not one of theirs. */
enum MHD_Result sim_login_routes(sim_server *s, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *body);

#endif
