/*
 * stats: decoding CRIU's stats image.  Field numbers come from CRIU's
 * images/stats.proto (dump_stats_entry, restore_stats_entry); times are in
 * microseconds, so their names carry "_us" as in criuctl's manifest.
 * Unknown field numbers are skipped, so a newer CRIU adding fields does not
 * break decoding.
 */
#include "stats.h"

#include <string.h>

#define IMG_COMMON_MAGIC  0x54564319u
#define IMG_SERVICE_MAGIC 0x55105940u
#define STATS_MAGIC	  0x57093306u

static const char *const dump_names[] = {
	NULL,
	"freezing_time_us",
	"frozen_time_us",
	"memdump_time_us",
	"memwrite_time_us",
	"pages_scanned",
	"pages_skipped_parent",
	"pages_written",
	"irmap_resolve_us",
	"pages_lazy",
	"page_pipes",
	"page_pipe_bufs",
	"shpages_scanned",
	"shpages_skipped_parent",
	"shpages_written",
};

static const char *const restore_names[] = {
	NULL,
	"pages_compared",
	"pages_skipped_cow",
	"forking_time_us",
	"restore_time_us",
	"pages_restored",
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Read a varint at *p (< end); returns 0, or -1 when truncated or too long. */
static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return -1;
		*v |= (uint64_t)(**p & 0x7f) << shift;
		if (!(*(*p)++ & 0x80))
			return 0;
	}
	return -1;
}

/* Skip a field of the given wire type; returns 0 or -1. */
static int skip_field(const uint8_t **p, const uint8_t *end, unsigned wire)
{
	uint64_t v;

	switch (wire) {
	case 0: return varint(p, end, &v);
	case 1:
		if (end - *p < 8)
			return -1;
		*p += 8;
		return 0;
	case 2:
		if (varint(p, end, &v) < 0 || (uint64_t)(end - *p) < v)
			return -1;
		*p += v;
		return 0;
	case 5:
		if (end - *p < 4)
			return -1;
		*p += 4;
		return 0;
	default: return -1;
	}
}

static int decode_message(const uint8_t *p, const uint8_t *end, const char *const *names,
			  size_t n_names, struct stats *out)
{
	while (p < end) {
		uint64_t key, v;
		unsigned wire;
		uint64_t num;

		if (varint(&p, end, &key) < 0)
			return -1;
		wire = (unsigned)(key & 7);
		num = key >> 3;
		if (wire != 0 || num >= n_names || !names[num]) {
			if (skip_field(&p, end, wire) < 0)
				return -1;
			continue;
		}
		if (varint(&p, end, &v) < 0)
			return -1;
		if (out->n < STATS_MAX_FIELDS)
			out->f[out->n++] = (struct stats_field){names[num], v};
	}
	return 0;
}

int stats_decode(const uint8_t *buf, size_t len, struct stats *out)
{
	const uint8_t *p = buf, *end = buf + len;
	uint32_t size;

	memset(out, 0, sizeof(*out));
	if (len < 12)
		return -1;
	if (le32(p) == IMG_SERVICE_MAGIC || le32(p) == IMG_COMMON_MAGIC)
		p += 4;
	if (le32(p) != STATS_MAGIC)
		return -1;
	p += 4;
	size = le32(p);
	p += 4;
	if ((size_t)(end - p) < size)
		return -1;
	end = p + size;
	while (p < end) {
		uint64_t key, sub;

		if (varint(&p, end, &key) < 0)
			return -1;
		if ((key & 7) != 2 || ((key >> 3) != 1 && (key >> 3) != 2)) {
			if (skip_field(&p, end, (unsigned)(key & 7)) < 0)
				return -1;
			continue;
		}
		if (varint(&p, end, &sub) < 0 || (uint64_t)(end - p) < sub)
			return -1;
		out->kind = (int)(key >> 3);
		if (decode_message(p, p + sub, out->kind == 1 ? dump_names : restore_names,
				   out->kind == 1
					   ? sizeof(dump_names) / sizeof(dump_names[0])
					   : sizeof(restore_names) / sizeof(restore_names[0]),
				   out) < 0)
			return -1;
		p += sub;
	}
	return out->kind ? 0 : -1;
}

uint64_t stats_get(const struct stats *s, const char *name, uint64_t def)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->f[i].name, name) == 0)
			return s->f[i].value;
	return def;
}
