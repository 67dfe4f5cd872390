/* console_html.h - writing the console's HTML: every string that is not a
 * literal of this program goes through the escaping writer, so a district's
 * "<script>" in a user's name is shown as text. */
#ifndef MH_CONSOLE_HTML_H
#define MH_CONSOLE_HTML_H

#include <stdarg.h>

#include "console.h"

/* Appends fmt with its arguments; every %s argument is HTML-escaped (text
 * and attribute values alike); numbers as printf formats them (%d %u %ld
 * %lld %llu %zu %.Nf).  The format itself is markup and must be a literal. */
void mh_html(mh_str *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Escapes s (NULL: nothing). */
void mh_html_text(mh_str *o, const char *s);
/* Percent-encodes s for a path segment or a query value. */
void mh_url_enc(mh_str *o, const char *s);

/* The page around the content: title, the product's navigation, and the
 * app's tabs when `app` is not NULL (ITxM tabs when itxm). */
void mh_html_begin(mh_str *o, const char *title, const char *app, int itxm);
void mh_html_end(mh_str *o);
/* The session's CSRF token as a hidden field; every form has one. */
void mh_html_csrf(mh_str *o, mh_session *s);
/* The flash for `field` of the session, as a note under it; nothing when
 * none is for that field. */
void mh_html_flash(mh_str *o, mh_session *s, const char *field);
/* A command's output, line by line, without the program prefix, in the
 * console's words (mh_console_words). */
void mh_html_output(mh_str *o, const char *text);

/* The console's words for a sentence of the command line, as plain text
 * appended to *out: where the command line tells its user to run a command
 * ("run: mock-host sync APP --full --confirm-deactivations", "map them
 * with: mock-host roles ..."), the browser user is pointed at the
 * console's own page or button instead, and with h (the app's plugin; NULL
 * when none) a credential's flag ("--auth bearer", "--token-url") becomes
 * the form's label ("bearer signing", "OAuth 2.0 token URL").  The command
 * line's own sentences stay as they are: this is their one translation,
 * used wherever the console shows one. */
void mh_console_words(mh_str *out, const char *text, const sis_plugin_header *h);
/* mh_console_words, escaped into the page. */
void mh_html_sentence(mh_str *o, const char *text, const sis_plugin_header *h);

#endif
