/* jsonutil: byte-safe JSON strings (see jsonutil.h). */
#include "jsonutil.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

json_t *json_text(const char *s)
{
	size_t len = strlen(s), size = 4 * len + 1;
	json_t *j = json_string(s);
	char *copy;

	if (j || !(copy = malloc(size)))
		return j;
	j = json_string(text_escape_bytes(s, len, copy, size));
	free(copy);
	return j;
}

json_t *json_strv(const struct strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < sv->n; i++)
		json_array_append_new(a, json_text(sv->v[i]));
	return a;
}
