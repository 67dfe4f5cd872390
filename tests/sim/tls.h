/* tls.h - a throwaway CA and server certificate, made at start-up with
 * libcrypto, so tests can exercise real certificate verification. */
#ifndef SIM_TLS_H
#define SIM_TLS_H

/* Writes DIR/ca.pem; returns the server's certificate and key as PEM
 * strings (malloc'd) for `dns_name`.  0 on success. */
int sim_tls_make(const char *dir, const char *dns_name, char **cert_pem, char **key_pem);

#endif
