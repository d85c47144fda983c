/*
 * Unit tests of stats: the real stats-dump / stats-restore images of
 * tests/fixtures (values from its README) and synthetic images built here.
 */
#include "unit.h"

#include "stats.h"

struct want_field {
	const char *name;
	uint64_t value;
};

static const struct want_field dump_fields[] = {
	{"freezing_time_us", 196},
	{"frozen_time_us", 6109},
	{"memdump_time_us", 959},
	{"memwrite_time_us", 188},
	{"pages_scanned", 103},
	{"pages_skipped_parent", 0},
	{"pages_written", 59},
	{"irmap_resolve_us", 0},
	{"pages_lazy", 0},
	{"page_pipes", 12},
	{"page_pipe_bufs", 12},
	{"shpages_scanned", 0},
	{"shpages_skipped_parent", 0},
	{"shpages_written", 0},
};

static const struct want_field restore_fields[] = {
	{"pages_compared", 0},	   {"pages_skipped_cow", 0}, {"forking_time_us", 364},
	{"restore_time_us", 4870}, {"pages_restored", 59},
};

static void check_fields(const char *row, const struct stats *s, const struct want_field *want,
			 size_t n)
{
	check_int(row, s->n, n);
	for (size_t i = 0; i < n; i++) {
		check_str(row, s->f[i].name, want[i].name);
		/* A default that no field has: the value must come from the image. */
		check_int(want[i].name, stats_get(s, want[i].name, 777777), want[i].value);
	}
}

static void test_fixture_images(void **state)
{
	static const struct {
		const char *file;
		int kind;
		const struct want_field *fields;
		size_t n;
	} cases[] = {
		{"criu-4.2.1/stats-dump.img", 1, dump_fields,
		 sizeof(dump_fields) / sizeof(dump_fields[0])},
		{"criu-4.2.1/stats-restore.img", 2, restore_fields,
		 sizeof(restore_fields) / sizeof(restore_fields[0])},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct stats s;
		size_t len;
		char *img = fixture_read(cases[i].file, &len);

		check_int(cases[i].file, stats_decode((const uint8_t *)img, len, &s), 0);
		check_int(cases[i].file, s.kind, cases[i].kind);
		check_fields(cases[i].file, &s, cases[i].fields, cases[i].n);
		free(img);
	}
}

/* Every strict prefix of a real image is truncated, hence rejected. */
static void test_truncated(void **state)
{
	static const char *const files[] = {"criu-4.2.1/stats-dump.img",
					    "criu-4.2.1/stats-restore.img"};

	(void)state;
	for (size_t f = 0; f < 2; f++) {
		size_t len;
		char *img = fixture_read(files[f], &len);

		for (size_t cut = 0; cut < len; cut++) {
			struct stats s;
			/* A copy of exactly cut bytes, so valgrind sees any read past it. */
			uint8_t *copy = malloc(cut ? cut : 1);

			assert_non_null(copy);
			memcpy(copy, img, cut);
			if (stats_decode(copy, cut, &s) != -1)
				fail_msg("%s cut at %zu: decoded", files[f], cut);
			check_int(files[f], s.kind, 0);
			free(copy);
		}
		free(img);
	}
}

/* Building synthetic images. */
struct buf {
	uint8_t b[512];
	size_t n;
};

static void put_u8(struct buf *b, uint8_t v)
{
	assert_true(b->n < sizeof(b->b));
	b->b[b->n++] = v;
}

static void put_le32(struct buf *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		put_u8(b, (uint8_t)(v >> (8 * i)));
}

static void put_varint(struct buf *b, uint64_t v)
{
	while (v >= 0x80) {
		put_u8(b, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put_u8(b, (uint8_t)v);
}

static void put_key(struct buf *b, unsigned field, unsigned wire)
{
	put_varint(b, (uint64_t)field << 3 | wire);
}

static void put_bytes(struct buf *b, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_u8(b, ((const uint8_t *)p)[i]);
}

/* The image: magics, u32 size, stats_entry { field: entry }. */
static void image(struct buf *img, unsigned field, const struct buf *entry)
{
	struct buf msg = {0};

	put_key(&msg, field, 2);
	put_varint(&msg, entry->n);
	put_bytes(&msg, entry->b, entry->n);
	img->n = 0;
	put_le32(img, 0x55105940u);
	put_le32(img, 0x57093306u);
	put_le32(img, (uint32_t)msg.n);
	put_bytes(img, msg.b, msg.n);
}

static void test_unknown_fields_skipped(void **state)
{
	struct buf entry = {0}, img;
	struct stats s;

	(void)state;
	put_key(&entry, 20, 0); /* varint of a future field */
	put_varint(&entry, 123456789);
	put_key(&entry, 21, 2); /* bytes */
	put_varint(&entry, 3);
	put_bytes(&entry, "abc", 3);
	put_key(&entry, 22, 1); /* fixed64 */
	put_bytes(&entry, "12345678", 8);
	put_key(&entry, 23, 5); /* fixed32 */
	put_bytes(&entry, "1234", 4);
	put_key(&entry, 2, 1); /* a known number with an unexpected wire type */
	put_bytes(&entry, "12345678", 8);
	put_key(&entry, 2, 0); /* frozen_time */
	put_varint(&entry, 300);
	put_key(&entry, 7, 0); /* pages_written, beyond 32 bits */
	put_varint(&entry, 1ULL << 40);
	image(&img, 1, &entry);

	assert_int_equal(stats_decode(img.b, img.n, &s), 0);
	assert_int_equal(s.kind, 1);
	assert_int_equal(s.n, 2);
	assert_int_equal(stats_get(&s, "frozen_time_us", 0), 300);
	assert_true(stats_get(&s, "pages_written", 0) == 1ULL << 40);

	/* An unknown top-level field before the restore entry. */
	entry.n = 0;
	put_key(&entry, 5, 0);
	put_varint(&entry, 4870);
	image(&img, 2, &entry);
	{
		struct buf top = {0};

		put_le32(&top, 0x55105940u);
		put_le32(&top, 0x57093306u);
		put_le32(&top, (uint32_t)(img.n - 12 + 3));
		put_key(&top, 9, 2);
		put_varint(&top, 1);
		put_u8(&top, 0xff);
		put_bytes(&top, img.b + 12, img.n - 12);
		assert_int_equal(stats_decode(top.b, top.n, &s), 0);
	}
	assert_int_equal(s.kind, 2);
	assert_int_equal(s.n, 1);
	assert_int_equal(stats_get(&s, "pages_restored", 0), 4870);
}

static void test_field_cap(void **state)
{
	struct buf entry = {0}, img;
	struct stats s;

	(void)state;
	for (unsigned i = 0; i < STATS_MAX_FIELDS + 5; i++) {
		put_key(&entry, 1, 0);
		put_varint(&entry, i);
	}
	image(&img, 1, &entry);
	assert_int_equal(stats_decode(img.b, img.n, &s), 0);
	assert_int_equal(s.n, STATS_MAX_FIELDS);
	assert_int_equal(s.f[STATS_MAX_FIELDS - 1].value, STATS_MAX_FIELDS - 1);
}

static void test_only_stats_magic(void **state)
{
	struct buf entry = {0}, img;
	struct stats s;

	(void)state;
	put_key(&entry, 3, 0);
	put_varint(&entry, 364);
	image(&img, 2, &entry);
	/* Without the leading service magic the image still decodes. */
	assert_int_equal(stats_decode(img.b + 4, img.n - 4, &s), 0);
	assert_int_equal(stats_get(&s, "forking_time_us", 0), 364);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *name;
		uint8_t entry[16];
		size_t n;
	} cases[] = {
		{"wire type 3", {0x0b}, 1},
		{"wire type 7", {0x0f}, 1},
		{"varint without end", {0x08, 0x80, 0x80}, 3},
		{"varint of 11 bytes",
		 {0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
		 12},
		{"bytes longer than the entry", {0xaa, 0x01, 0x05, 'a'}, 4},
		{"fixed64 cut", {0xa9, 0x01, 1, 2, 3}, 5},
		{"fixed32 cut", {0xad, 0x01, 1, 2}, 4},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf entry = {0}, img;
		struct stats s;

		put_bytes(&entry, cases[i].entry, cases[i].n);
		image(&img, 1, &entry);
		check_int(cases[i].name, stats_decode(img.b, img.n, &s), -1);
	}
}

static void test_bad_headers(void **state)
{
	struct buf entry = {0}, img;
	struct stats s;
	size_t len;
	uint8_t *real = (uint8_t *)fixture_read("criu-4.2.1/stats-dump.img", &len);

	(void)state;
	real[4] ^= 0x01; /* the stats magic */
	assert_int_equal(stats_decode(real, len, &s), -1);
	real[4] ^= 0x01;
	real[0] = 0x00; /* an unknown first magic */
	assert_int_equal(stats_decode(real, len, &s), -1);
	real[0] = 0x40;
	real[8] = 0xff; /* entry size beyond the buffer */
	assert_int_equal(stats_decode(real, len, &s), -1);
	real[8] = 0x22;
	assert_int_equal(stats_decode(real, len, &s), 0);
	free(real);

	/* An empty stats_entry has neither dump nor restore. */
	image(&img, 1, &entry);
	img.n = 12;
	img.b[8] = 0;
	assert_int_equal(stats_decode(img.b, img.n, &s), -1);
	/* A field 1 that is not a message is skipped: nothing is decoded. */
	img.n = 0;
	put_le32(&img, 0x55105940u);
	put_le32(&img, 0x57093306u);
	put_le32(&img, 2);
	put_key(&img, 1, 0);
	put_varint(&img, 5);
	assert_int_equal(stats_decode(img.b, img.n, &s), -1);
}

static void test_get_default(void **state)
{
	struct stats s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(stats_get(&s, "frozen_time_us", 42), 42);
	s.f[0] = (struct stats_field){"frozen_time_us", 0};
	s.n = 1;
	assert_int_equal(stats_get(&s, "frozen_time_us", 42), 0);
	assert_int_equal(stats_get(&s, "frozen_time", 42), 42);
	assert_int_equal(stats_get(&s, "", 7), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_images),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_unknown_fields_skipped),
		cmocka_unit_test(test_field_cap),
		cmocka_unit_test(test_only_stats_magic),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_get_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
