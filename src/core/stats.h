/*
 * stats: CRIU's stats-dump / stats-restore images (a CRIU image header, then
 * one length-prefixed protobuf StatsEntry), decoded from a buffer without
 * libprotobuf: only varint fields are needed.
 */
#ifndef CRIUCTL_STATS_H
#define CRIUCTL_STATS_H

#include <stddef.h>
#include <stdint.h>

#define STATS_MAX_FIELDS 16

struct stats_field {
	const char *name; /* e.g. "frozen_time_us"; static storage */
	uint64_t value;
};

struct stats {
	int kind; /* 1 dump, 2 restore, 0 nothing decoded */
	size_t n;
	struct stats_field f[STATS_MAX_FIELDS];
};

/*
 * Decode the image in buf.  Returns 0 with out filled, or -1 when buf is not
 * a stats image (bad magic, truncated, or malformed protobuf).
 */
int stats_decode(const uint8_t *buf, size_t len, struct stats *out);

/* The value of a named field, or def when absent. */
uint64_t stats_get(const struct stats *s, const char *name, uint64_t def);

#endif
