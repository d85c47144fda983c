/*
 * cmdline: a process's command line as /proc/PID/cmdline gives it (each
 * argument ended by a NUL), kept byte for byte, and its JSON form.  An
 * argument can hold any byte but NUL: newlines, escape sequences, bytes
 * that are not UTF-8.  JSON strings take only UTF-8, so the JSON form is
 * the text (exact whenever the command line is UTF-8) and, only when it is
 * not, a base64 twin of the raw bytes, which is exact always.  Pure.
 */
#ifndef CRIUCTL_CMDLINE_H
#define CRIUCTL_CMDLINE_H

#include <jansson.h>
#include <stddef.h>

/* How much of a command line is kept (longer ones are cut there). */
#define CMDLINE_MAX 4096

/*
 * Set in obj: line_key (unless NULL), the arguments joined by spaces;
 * "argv", the arguments; and, when any byte is not UTF-8, "argv_base64",
 * the raw bytes in base64.  Strings go through json_text(): exact when
 * UTF-8, else with \xHH for the bytes that are not.  Returns 0, or -1 when
 * out of memory.
 */
int cmdline_to_json(json_t *obj, const char *line_key, const char *raw, size_t len);

/*
 * The raw bytes back from what cmdline_to_json() set in obj: from
 * "argv_base64" when there, else "argv", else (manifests written before
 * "argv") the line_key text as one argument.  Into dst (cut to size);
 * returns the length (0 when obj has none of them).
 */
size_t cmdline_from_json(json_t *obj, const char *line_key, char *dst, size_t size);

#endif
