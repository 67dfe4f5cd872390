/*
 * sis_kit_url.h - the one rule for the URLs an SIS plugin sends roster data
 * and credentials to, compiled into each plugin that speaks http(s).
 *
 * Kept apart from sis_kit.h because it needs libcurl: a plugin that fetches
 * nothing over http compiles sis_kit.c alone.  The URL is read by libcurl's
 * own parser (curl_url), the one that decides where a request goes, so a
 * URL cannot look local to this check and reach another host: in
 * "http://127.0.0.1@example.org" the host is example.org, and
 * "127.example.org" is a name, not an address.
 */
#ifndef SIS_KIT_URL_H
#define SIS_KIT_URL_H

#include <sis/status.h>

/* Checks `url` (borrowed) before anything is sent to it:
 *   - an absolute http:// or https:// URL that libcurl can parse;
 *   - no user name or password in it (credentials belong in the declared
 *     secret fields; a URL is shown and logged);
 *   - plain http only to a loopback host (sis_kit_host_is_loopback).
 * SIS_OK, SIS_ERR_NOMEM, or SIS_ERR_CONFIG with a sentence for the admin
 * that says what is wrong and what to do.  The message names the host but
 * never the user info.  Thread-safe; keeps nothing. */
int sis_kit_check_http_url(const char *url, sis_error *err);

/* 1 when `host` (as libcurl gives it: IPv6 in brackets) is this machine:
 * "localhost" (any case), ::1 ("[::1]" or "::1", in any IPv6 spelling) or
 * an IPv4 address in 127.0.0.0/8 written as a dotted quad.  Names that only
 * start like one ("127.example.org", "localhost.example.org") are not. */
int sis_kit_host_is_loopback(const char *host);

#endif
