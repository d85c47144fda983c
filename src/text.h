/*
 * text: walking text buffers line by line, as /proc files, kernel configs
 * and CRIU logs come.  Pure.
 */
#ifndef CRIUCTL_TEXT_H
#define CRIUCTL_TEXT_H

#include <stddef.h>

/*
 * The next line of [*p, end): its start in *line and its length (without
 * the '\n') in *len; *p moves past it.  Returns 1, or 0 at the end.
 */
int text_next_line(const char **p, const char *end, const char **line, size_t *len);

/*
 * The rest of the first line that starts with key followed by sep ("KEY=" of
 * a kernel config, "Key:" of /proc/PID/status), NUL-terminated into dst
 * (cut to size).  Returns dst, or NULL when no line has it.
 */
char *text_value(const char *buf, size_t len, const char *key, char sep, char *dst, size_t size);

#endif
