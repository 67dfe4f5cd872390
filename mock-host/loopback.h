/* loopback.h - the host's one rule for "this machine": plain http and a
 * console without a login of its own are allowed only to it.  The plugins
 * apply the same rule with libcurl's URL parser (plugin-kit/sis_kit_url.c);
 * the host does not link libcurl, so it parses the few URLs it checks
 * itself, and refuses what it cannot read plainly. */
#ifndef MH_LOOPBACK_H
#define MH_LOOPBACK_H

#include <stddef.h>

/* 1 when host[0..len) names this machine: "localhost", an IPv4 address in
 * 127.0.0.0/8 or the IPv6 loopback (bare or in brackets); by address, so
 * that "127.example.org" is not. */
int mh_host_is_loopback(const char *host, size_t len);

/* 1 when url may be used: https:// with a host, or http:// to this
 * machine; never with a user name or password in it (URLs are shown and
 * logged; credentials belong in the declared secret fields). */
int mh_url_is_allowed(const char *url);

#endif
