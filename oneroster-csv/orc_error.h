/*
 * orc_error.h - the OneRoster CSV plugin's own error codes and message.
 *
 * The plugin's modules do not know the host ABI: they report an ORC_ERR_*
 * code and one sentence for the district admin (naming the file and line
 * when the fault is in the data).  connector.c translates the code into
 * the ABI's status.  Messages never contain secrets or record payloads
 * beyond an identifier (a sourcedId, a column name).
 */
#ifndef ORC_ERROR_H
#define ORC_ERROR_H

#include <stddef.h>

typedef enum orc_code {
    ORC_OK = 0,
    ORC_ERR_NOMEM = -1,
    ORC_ERR_CONFIG = -2,      /* the source or an option is missing or unusable */
    ORC_ERR_NOT_FOUND = -3,   /* no such file, entry or remote path */
    ORC_ERR_DATA = -4,        /* the CSV content is invalid: file and line named */
    ORC_ERR_ARCHIVE = -5,     /* a zip is corrupt, truncated, a bomb or unsafe */
    ORC_ERR_IO = -6,          /* a local read failed */
    ORC_ERR_NETWORK = -7,     /* could not reach or download from the server */
    ORC_ERR_TLS = -8,         /* certificate verification failed */
    ORC_ERR_HOSTKEY = -9,     /* the SSH host key is unknown or changed */
    ORC_ERR_AUTH = -10,       /* the server refused the credentials */
    ORC_ERR_TOO_LARGE = -11,  /* a download or entry exceeded its limit */
    ORC_ERR_CANCELLED = -12,  /* the host asked to stop */
    ORC_ERR_SINK = -13        /* the host refused a record */
} orc_code;

#define ORC_MSG_MAX 512

/* Owned by the caller (usually on its stack).  On failure the callee sets
 * `code` and a NUL-terminated message, truncated rather than overflowed. */
typedef struct orc_err {
    int code;
    char msg[ORC_MSG_MAX];
} orc_err;

/* Records code and message in `err` (which may be NULL); returns `code`. */
int orc_fail(orc_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
