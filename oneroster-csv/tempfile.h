/*
 * tempfile.h - the plugin's temporary files: downloads (source.c) and the
 * duplicate-sourcedId runs (idset.c).
 *
 * One rule for both: created in $TMPDIR (else /tmp) with mkstemp, unlinked
 * at once, used through the descriptor, so nothing is left behind even
 * after a crash, and an operator who points TMPDIR at a larger disk gets
 * every temporary byte there.  (tmpfile() would ignore TMPDIR in glibc.)
 */
#ifndef ORC_TEMPFILE_H
#define ORC_TEMPFILE_H

/* The folder temporary files go to: $TMPDIR when set and not empty, else
 * "/tmp".  Borrowed (the environment's string or a literal), for messages. */
const char *orc_temp_dir(void);

/* A new, already unlinked, read-write file in orc_temp_dir() whose name
 * starts with "oneroster-`what`-".  The descriptor belongs to the caller;
 * -1 with errno set when the file cannot be created. */
int orc_temp_fd(const char *what);

#endif
