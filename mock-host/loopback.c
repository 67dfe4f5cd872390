/*
 * loopback.c - see loopback.h.
 */
#include "loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

int mh_host_is_loopback(const char *host, size_t len)
{
    char bare[INET6_ADDRSTRLEN + 1];
    struct in_addr a4;
    struct in6_addr a6;
    if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
        host++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof bare)
        return 0;
    memcpy(bare, host, len);
    bare[len] = '\0';
    if (strcasecmp(bare, "localhost") == 0)
        return 1;
    if (inet_pton(AF_INET, bare, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, bare, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

int mh_url_is_allowed(const char *url)
{
    const char *auth, *end, *host_end;
    int https = strncasecmp(url, "https://", 8) == 0;
    if (!https && strncasecmp(url, "http://", 7) != 0)
        return 0;
    auth = url + (https ? 8 : 7);
    end = auth + strcspn(auth, "/?#");
    /* user info, or a backslash some parsers read as a slash: refused */
    if (end == auth || memchr(auth, '@', (size_t)(end - auth)) != NULL ||
        memchr(auth, '\\', (size_t)(end - auth)) != NULL)
        return 0;
    if (https)
        return 1;
    if (auth[0] == '[') {
        host_end = memchr(auth, ']', (size_t)(end - auth));
        if (host_end == NULL)
            return 0;
        host_end++;
    } else {
        host_end = memchr(auth, ':', (size_t)(end - auth));
        if (host_end == NULL)
            host_end = end;
    }
    return mh_host_is_loopback(auth, (size_t)(host_end - auth));
}
