/* iso_time.h - ISO 8601 UTC times, as OneRoster writes dateLastModified and
 * as delta filters and watermarks carry them.  Pure functions, no state. */
#ifndef CL_ISO_TIME_H
#define CL_ISO_TIME_H

#include <stddef.h>

/* Parses "2026-01-02T03:04:05.678Z" (fraction and zone optional, a space
 * allowed for the T) to ms since the epoch; -1 when it is not one.  Runs
 * for every record, so it avoids sscanf. */
long long cl_iso_to_ms(const char *s);

/* Writes ms since the epoch as "YYYY-MM-DDTHH:MM:SS.fffZ" into buf (cap
 * bytes, 25 are enough). */
void cl_ms_to_iso(long long ms, char *buf, size_t cap);

#endif
