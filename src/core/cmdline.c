/* cmdline: exact command lines in JSON (see cmdline.h). */
#include "cmdline.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "proc_parse.h"
#include "text.h"

/* The arguments of raw: each ended by a NUL; bytes after the last NUL (a
 * cut command line, or one a process rewrote) are one more. */
static json_t *argv_json(const char *raw, size_t len)
{
	cleanup_json json_t *a = json_array();
	size_t i = 0;

	while (a && i < len) {
		const char *nul = memchr(raw + i, '\0', len - i);
		size_t k = nul ? (size_t)(nul - (raw + i)) : len - i;
		cleanup_free char *arg = strndup(raw + i, k);

		if (!arg || json_array_append_new(a, json_text(arg)) < 0)
			return NULL;
		i += k + 1;
	}
	return take_ptr(a);
}

/* Whether every argument is UTF-8 (the NULs between them are not text). */
static int argv_is_utf8(const char *raw, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *nul = memchr(raw + i, '\0', len - i);
		size_t k = nul ? (size_t)(nul - (raw + i)) : len - i;

		if (!text_is_utf8(raw + i, k))
			return 0;
		i += k + 1;
	}
	return 1;
}

int cmdline_to_json(json_t *obj, const char *line_key, const char *raw, size_t len)
{
	cleanup_json json_t *argv = argv_json(raw, len);
	cleanup_free char *line = malloc(len + 1);
	cleanup_free char *b64 = malloc((len + 2) / 3 * 4 + 1);
	int rc = argv && line && b64 ? 0 : -1;

	if (rc == 0 && line_key) {
		proc_parse_cmdline(raw, len, line, len + 1);
		rc = json_object_set_new(obj, line_key, json_text(line));
	}
	if (rc == 0)
		rc = json_object_set(obj, "argv", argv);
	if (rc == 0 && !argv_is_utf8(raw, len)) {
		text_base64(raw, len, b64, (len + 2) / 3 * 4 + 1);
		rc = json_object_set_new(obj, "argv_base64", json_string(b64));
	}
	return rc;
}

size_t cmdline_from_json(json_t *obj, const char *line_key, char *dst, size_t size)
{
	const char *b64 = json_string_value(json_object_get(obj, "argv_base64"));
	json_t *argv = json_object_get(obj, "argv"), *v;
	const char *line = json_string_value(json_object_get(obj, line_key));
	size_t i, n = 0;
	long got;

	if (b64 && (got = text_unbase64(b64, dst, size)) >= 0)
		return (size_t)got;
	if (!json_is_array(argv)) {
		if (!line || !*line)
			return 0;
		n = strlen(line) + 1 < size ? strlen(line) + 1 : size;
		memcpy(dst, line, n);
		return n;
	}
	json_array_foreach (argv, i, v) {
		const char *s = json_string_value(v);
		size_t k = s ? strlen(s) + 1 : 0; /* with its NUL */

		if (n + k > size)
			k = size - n;
		memcpy(dst + n, s ? s : "", k);
		n += k;
	}
	return n;
}
