/* finding: a growable list of findings. */
#include "finding.h"

#include "flags.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int findings_add(struct findings *f, const char *id, enum level level, const char *remedy,
		 const char *fmt, ...)
{
	const struct criu_flag *flag = flag_by_finding(id);
	struct finding *x;
	va_list ap;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct finding *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return -1;
		f->v = v;
		f->cap = cap;
	}
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->id, sizeof(x->id), "%s", id);
	x->level = level;
	snprintf(x->flag, sizeof(x->flag), "%s", flag ? flag->key : "");
	snprintf(x->remedy, sizeof(x->remedy), "%s", remedy ? remedy : "");
	va_start(ap, fmt);
	vsnprintf(x->message, sizeof(x->message), fmt, ap);
	va_end(ap);
	return 0;
}

enum level findings_worst(const struct findings *f)
{
	enum level worst = LEVEL_OK;

	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].level > worst)
			worst = f->v[i].level;
	return worst;
}

const struct finding *findings_get(const struct findings *f, const char *id)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].id, id) == 0)
			return &f->v[i];
	return NULL;
}

const char *level_name(enum level l)
{
	return l == LEVEL_FAIL ? "fail" : l == LEVEL_WARN ? "warn" : "ok";
}

void findings_free(struct findings *f)
{
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}
