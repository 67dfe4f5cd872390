/* text_out.h - receiving a string a plugin hands back (sis_text_out) into
 * a heap string the host owns. */
#ifndef MH_TEXT_OUT_H
#define MH_TEXT_OUT_H

#include <sis/plugin.h>

/* A setter that keeps a copy in *slot (freeing the previous one).  The
 * caller frees *slot; *slot stays NULL when the plugin sets nothing. */
sis_text_out mh_text_out(char **slot);

#endif
