/*
 * retention: which checkpoints (or failed attempts) a prune removes.  Pure:
 * the store (src/sys/store.c) reads the entries' times and removes what
 * this decides.
 */
#ifndef CRIUCTL_RETENTION_H
#define CRIUCTL_RETENTION_H

#include <stddef.h>

struct aged {
	const char *name;
	long long mtime; /* nanoseconds: its manifest.json (report.json) */
};

struct retention {
	int keep;	   /* keep the newest keep entries; 0: no limit */
	double older_than; /* remove entries older than this many seconds; 0: no limit */
	const char *spare; /* never removed (the checkpoint just made); NULL: none */
	long long now;	   /* nanoseconds, the same clock as mtime */
};

/* Sort newest first; ties by name, so that the order is total. */
void retention_sort(struct aged *v, size_t n);

/*
 * Whether x, the next entry newest first, goes: it is beyond the newest
 * keep (kept: how many before it stay, including those that could not be
 * removed because a running criuctl holds them) or older than older_than,
 * and it is not spare.
 */
int retention_removes(const struct aged *x, size_t kept, const struct retention *r);

#endif
