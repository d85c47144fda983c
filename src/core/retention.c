/* retention: see retention.h. */
#include "retention.h"

#include <stdlib.h>
#include <string.h>

static int newest_first(const void *a, const void *b)
{
	const struct aged *x = a, *y = b;

	if (x->mtime != y->mtime)
		return (y->mtime > x->mtime) - (y->mtime < x->mtime);
	return strcmp(x->name, y->name);
}

void retention_sort(struct aged *v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(*v), newest_first);
}

int retention_removes(const struct aged *x, size_t kept, const struct retention *r)
{
	int too_many = r->keep > 0 && kept >= (size_t)r->keep;
	int too_old = r->older_than > 0 && (double)(r->now - x->mtime) / 1e9 > r->older_than;

	if (r->spare && strcmp(x->name, r->spare) == 0)
		return 0;
	return too_many || too_old;
}
