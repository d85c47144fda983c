/* mountinfo: parsing and resolving bind mounts (see mountinfo.h). */
#include "mountinfo.h"

#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static int parse_line(const char *line, struct mnt *m)
{
	const char *dash = strstr(line, " - ");

	memset(m, 0, sizeof(*m));
	/* id parent major:minor root mountpoint options [optional...] - fstype ... */
	if (!dash ||
	    sscanf(line, "%d %d %u:%u %1023s %1023s", &m->id, &m->parent, &m->major, &m->minor,
		   m->root, m->point) != 6 ||
	    sscanf(dash + 3, "%63s", m->fstype) != 1)
		return -1;
	unescape(m->root);
	unescape(m->point);
	return 0;
}

int mountinfo_parse(const char *buf, size_t len, struct mnt_table *out)
{
	const char *p = buf, *text;
	size_t cap = 0, n;

	memset(out, 0, sizeof(*out));
	while (text_next_line(&p, buf + len, &text, &n)) {
		char line[4096];

		snprintf(line, sizeof(line), "%.*s", (int)n, text);
		if (out->n == cap) {
			struct mnt *v = realloc(out->v, (cap = cap ? cap * 2 : 32) * sizeof(*v));

			if (!v)
				return -1;
			out->v = v;
		}
		if (parse_line(line, &out->v[out->n]) == 0)
			out->n++;
	}
	return 0;
}

void mountinfo_free(struct mnt_table *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

const struct mnt *mountinfo_at(const struct mnt_table *t, const char *point)
{
	const struct mnt *found = NULL;

	/* The last one wins: it is on top of the others. */
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].point, point) == 0)
			found = &t->v[i];
	return found;
}

/* 1 when prefix is a path prefix of path ("/a" of "/a/b", not of "/ab"). */
static size_t path_prefix(const char *prefix, const char *path)
{
	size_t n = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return 1;
	if (strncmp(prefix, path, n) == 0 && (path[n] == '\0' || path[n] == '/'))
		return n + 1;
	return 0;
}

int mountinfo_resolve(const struct mnt_table *ours, const struct mnt *m, char *dst, size_t size)
{
	const struct mnt *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < ours->n; i++) {
		const struct mnt *o = &ours->v[i];
		size_t k;

		if (o->major != m->major || o->minor != m->minor)
			continue;
		k = path_prefix(o->root, m->root);
		if (k > best_len) {
			best = o;
			best_len = k;
		}
	}
	if (!best)
		return -1;
	{
		const char *rest = m->root + strlen(strcmp(best->root, "/") ? best->root : "");
		int joined = strcmp(best->point, "/") == 0 && *rest
				     ? snprintf(dst, size, "%s", rest)
				     : snprintf(dst, size, "%s%s", best->point, rest);

		return joined < 0 || (size_t)joined >= size ? -1 : 0;
	}
}

int mountinfo_is_bind(const struct mnt *m)
{
	return strcmp(m->root, "/") != 0;
}

void mountinfo_key(const char *point, char *dst, size_t size)
{
	size_t n = 0;

	for (const char *p = point; *p && n + 1 < size; p++) {
		char c = *p;

		if (c == '/' && (p == point || !p[1]))
			continue;
		dst[n++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					   (c >= '0' && c <= '9') || c == '.' || c == '-'
				   ? c
				   : '_';
	}
	if (n == 0)
		dst[n++] = 'r';
	dst[n] = '\0';
}
