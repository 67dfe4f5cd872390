/*
 * sis/status.h - status codes and the error message that reaches the admin.
 *
 * Every operation of the SIS plugin ABI returns an int: SIS_OK (0) on
 * success, one of the negative codes below on failure.  Codes are only ever
 * appended; a value, once released, keeps its meaning forever.
 *
 * On failure the callee also writes a human-readable sentence into the
 * caller's sis_error: what went wrong and what the admin can do about it.
 * The message never contains secrets or record payloads.
 */
#ifndef SIS_STATUS_H
#define SIS_STATUS_H

#include <stddef.h>

typedef enum sis_status {
    SIS_OK = 0,
    SIS_ERR_GENERIC = -1,        /* unexpected failure; the message says more */
    SIS_ERR_NOMEM = -2,          /* out of memory */
    SIS_ERR_INVALID_ARG = -3,    /* a caller passed a bad argument */
    SIS_ERR_NOT_SUPPORTED = -4,  /* operation not implemented by this plugin */
    SIS_ERR_ABI = -5,            /* incompatible ABI version or struct size */
    SIS_ERR_CONFIG = -6,         /* a required setting is missing or invalid */
    SIS_ERR_AUTH = -7,           /* credentials were rejected */
    SIS_ERR_PERMISSION = -8,     /* authenticated, but not allowed */
    SIS_ERR_NOT_FOUND = -9,      /* no such key, resource or URL */
    SIS_ERR_NETWORK = -10,       /* could not reach the server */
    SIS_ERR_TLS = -11,           /* certificate or TLS handshake failure */
    SIS_ERR_TIMEOUT = -12,       /* the server did not answer in time */
    SIS_ERR_RATE_LIMITED = -13,  /* still throttled after every retry */
    SIS_ERR_SERVER = -14,        /* the server failed (5xx) after every retry */
    SIS_ERR_PROTOCOL = -15,      /* the server's answer was malformed */
    SIS_ERR_CANCELLED = -16,     /* the host asked to stop */
    SIS_ERR_STATE = -17,         /* OAuth state missing, wrong or expired */
    SIS_ERR_DENIED = -18,        /* the user refused consent */
    SIS_ERR_INCONSISTENT = -19,  /* data changed or lied while being read */
    SIS_ERR_SINK = -20,          /* the host's sink refused a record */
    SIS_ERR_CLOCK_SKEW = -21,    /* the local clock differs from the server's */
    SIS_ERR_TOO_SMALL = -22      /* a caller-supplied buffer is too small */
} sis_status;

/* Size of the message buffer in sis_error, terminating NUL included. */
#define SIS_ERROR_MESSAGE_MAX 512

/*
 * Owned by the caller (usually on its stack), filled by the callee on
 * failure.  The callee always NUL-terminates `message` and truncates rather
 * than overflows.  On success its content is unspecified.
 */
typedef struct sis_error {
    int code;                                /* the sis_status returned */
    char message[SIS_ERROR_MESSAGE_MAX];     /* one or two sentences for the admin */
} sis_error;

#endif /* SIS_STATUS_H */
