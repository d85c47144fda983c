/*
 * jsonutil: JSON values from criuctl's own types, safe for any bytes.
 * jansson refuses strings that are not UTF-8; text from /proc or from
 * criu's log can be anything, so such text keeps its UTF-8 and every byte
 * that is not UTF-8 becomes the four characters \xHH (text_escape_bytes()),
 * instead of the value silently disappearing.  Where the exact bytes
 * matter, a field says so and carries a base64 twin (cmdline.h).  Pure.
 */
#ifndef CRIUCTL_JSONUTIL_H
#define CRIUCTL_JSONUTIL_H

#include <jansson.h>

#include "strv.h"

/* A new JSON string of s (never NULL unless out of memory). */
json_t *json_text(const char *s);

/* A new JSON array of the strings of sv. */
json_t *json_strv(const struct strv *sv);

#endif
