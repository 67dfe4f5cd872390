/*
 * sis/status.h - status codes, their names, and the error message that
 * reaches the admin.
 *
 * Every operation of the plugin ABI returns an int: SIS_OK (0) on success,
 * one of the negative codes below on failure.  Codes are only ever
 * appended; a value, once released, keeps its meaning forever.
 *
 * On failure the callee also writes a human-readable sentence into the
 * caller's sis_error: what went wrong and what the admin can do about it.
 * The message never contains secrets or record payloads.
 */
#ifndef SIS_STATUS_H
#define SIS_STATUS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
    SIS_ERR_RATE_LIMITED = -13,  /* still throttled when the time budget ran out */
    SIS_ERR_SERVER = -14,        /* the server failed (5xx) after every retry */
    SIS_ERR_PROTOCOL = -15,      /* the server's answer was malformed */
    SIS_ERR_CANCELLED = -16,     /* the host asked to stop */
    SIS_ERR_STATE = -17,         /* OAuth state missing, wrong or expired */
    SIS_ERR_DENIED = -18,        /* the user refused consent */
    SIS_ERR_INCONSISTENT = -19,  /* data changed or lied while being read */
    SIS_ERR_SINK = -20,          /* the host's sink refused a record */
    SIS_ERR_CLOCK_SKEW = -21,    /* the local clock differs from the server's */
    SIS_ERR_TOO_SMALL = -22,     /* a caller-supplied buffer is too small */
    SIS_ERR_DATA = -23           /* the source's data is invalid (file, line) */
} sis_status;

/* The code's name ("SIS_ERR_AUTH"), for logs and tests; never NULL. */
static inline const char *sis_status_name(int code)
{
    static const char *const names[] = {
        "SIS_OK", "SIS_ERR_GENERIC", "SIS_ERR_NOMEM", "SIS_ERR_INVALID_ARG",
        "SIS_ERR_NOT_SUPPORTED", "SIS_ERR_ABI", "SIS_ERR_CONFIG", "SIS_ERR_AUTH",
        "SIS_ERR_PERMISSION", "SIS_ERR_NOT_FOUND", "SIS_ERR_NETWORK", "SIS_ERR_TLS",
        "SIS_ERR_TIMEOUT", "SIS_ERR_RATE_LIMITED", "SIS_ERR_SERVER", "SIS_ERR_PROTOCOL",
        "SIS_ERR_CANCELLED", "SIS_ERR_STATE", "SIS_ERR_DENIED", "SIS_ERR_INCONSISTENT",
        "SIS_ERR_SINK", "SIS_ERR_CLOCK_SKEW", "SIS_ERR_TOO_SMALL", "SIS_ERR_DATA"};
    if (code > 0 || (size_t)-code >= sizeof names / sizeof names[0])
        return "SIS_ERR_UNKNOWN";
    return names[-code];
}

/*
 * Where a callee writes why it failed.  Owned by the caller (usually on its
 * stack, with a buffer beside it: SIS_ERROR_INIT); `message` is the
 * caller's buffer of `message_cap` bytes, borrowed by the callee for the
 * call.  The callee fills it with sis_error_set, which always
 * NUL-terminates and truncates rather than overflows.  On success its
 * content is unspecified.
 */
typedef struct sis_error {
    uint32_t struct_size;        /* sizeof(sis_error) as the caller built it */
    int code;                    /* the sis_status returned */
    char *message;               /* one or two sentences for the admin */
    size_t message_cap;          /* bytes at message, NUL included; 512 is plenty */
} sis_error;

#define SIS_ERROR_INIT(buf, cap) {(uint32_t)sizeof(sis_error), SIS_OK, (buf), (cap)}

/* A sis_error with its own buffer, for a local variable:
 *     sis_error err = SIS_ERROR_LOCAL;
 * The buffer is a compound literal that lives as long as the enclosing
 * block. */
#define SIS_ERROR_MESSAGE_MAX 512
#define SIS_ERROR_LOCAL {(uint32_t)sizeof(sis_error), SIS_OK, (char[SIS_ERROR_MESSAGE_MAX]){0}, \
                         SIS_ERROR_MESSAGE_MAX}

/* Sets code and message; returns `code`, so `return sis_error_set(...)`
 * reads naturally.  `err` may be NULL. */
static inline int sis_error_set(sis_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static inline int sis_error_set(sis_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL)
        return code;
    err->code = code;
    if (err->message == NULL || err->message_cap == 0)
        return code;
    va_start(ap, fmt);
    vsnprintf(err->message, err->message_cap, fmt, ap);
    va_end(ap);
    return code;
}

#endif /* SIS_STATUS_H */
