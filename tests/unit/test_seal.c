/*
 * Unit tests of seal: a checkpoint directory made in a temporary directory
 * is sealed, then damaged in each way restore must catch.
 */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "seal.h"

struct ck {
	char dir[64];
	int fd;
};

static void put(const struct ck *c, const char *rel, const char *text)
{
	int fd = openat(c->fd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* images/{core-1.img,pages-1.img}, pre/1/pages-1.img, and criu's "parent"
 * link of a dump after pre-dumps, pointing out of images/. */
static int setup_ck(void **state)
{
	struct ck *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	snprintf(c->dir, sizeof(c->dir), "/tmp/criuctl-seal.XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	c->fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(c->fd >= 0);
	assert_int_equal(mkdirat(c->fd, "images", 0700), 0);
	assert_int_equal(mkdirat(c->fd, "pre", 0700), 0);
	assert_int_equal(mkdirat(c->fd, "pre/1", 0700), 0);
	put(c, "images/core-1.img", "core");
	put(c, "images/pages-1.img", "pages of memory");
	put(c, "pre/1/pages-1.img", "older pages");
	put(c, "dump.log", "not an image");
	assert_int_equal(symlinkat("../pre/1", c->fd, "images/parent"), 0);
	*state = c;
	return 0;
}

static int teardown_ck(void **state)
{
	struct ck *c = *state;
	char cmd[128];

	close(c->fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->dir);
	assert_int_equal(system(cmd), 0);
	free(c);
	return 0;
}

static void seal(const struct ck *c, struct image_file **files, size_t *n)
{
	struct cc_err e = {0};
	uint64_t bytes = 0;

	assert_int_equal(seal_files(c->fd, seal_dirs, SEAL_FSYNC, files, n, &bytes, &e), 0);
	assert_true(bytes == strlen("core") + strlen("pages of memory") + strlen("older pages"));
}

static void test_seal_lists_sorted_files(void **state)
{
	const struct ck *c = *state;
	struct image_file *files = NULL;
	size_t n = 0;

	seal(c, &files, &n);
	/* The symlink is not followed: pre/1 is sealed once, where it lives. */
	assert_int_equal(n, 3);
	assert_string_equal(files[0].path, "images/core-1.img");
	assert_string_equal(files[1].path, "images/pages-1.img");
	assert_string_equal(files[2].path, "pre/1/pages-1.img");
	assert_true(files[1].size == strlen("pages of memory"));
	{
		XXH128_canonical_t want;

		XXH128_canonicalFromHash(&want, XXH3_128bits("pages of memory", 15));
		assert_memory_equal(files[1].xxh128, want.digest, 16);
	}
	free(files);
}

static void test_verify_intact(void **state)
{
	const struct ck *c = *state;
	struct image_file *files = NULL;
	struct cc_err e = {0};
	size_t n = 0;

	seal(c, &files, &n);
	/* A file that was not sealed (a log, a new file) changes nothing. */
	put(c, "images/restore-extra.img", "x");
	assert_int_equal(seal_verify(c->fd, seal_dirs, files, n, "ck", &e), 0);
	free(files);
}

static const struct {
	const char *row;
	const char *rel;
	const char *text; /* NULL: remove the file */
	const char *msg;
} damage_cases[] = {
	{"a flipped byte", "images/pages-1.img", "pages of mEmory",
	 "checkpoint 'ck' is damaged: images/pages-1.img has XXH128 "},
	{"truncated", "images/pages-1.img", "pages",
	 "checkpoint 'ck' is damaged: images/pages-1.img is 5 bytes, sealed at 15"},
	{"removed", "pre/1/pages-1.img", NULL,
	 "checkpoint 'ck' is damaged: pre/1/pages-1.img is missing"},
};

static void test_verify_damage(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(damage_cases) / sizeof(damage_cases[0]); i++) {
		struct ck *c;
		struct image_file *files = NULL;
		struct cc_err e = {0};
		size_t n = 0;
		void *st;

		setup_ck(&st);
		c = st;
		seal(c, &files, &n);
		if (damage_cases[i].text)
			put(c, damage_cases[i].rel, damage_cases[i].text);
		else
			assert_int_equal(unlinkat(c->fd, damage_cases[i].rel, 0), 0);
		check_int(damage_cases[i].row, seal_verify(c->fd, seal_dirs, files, n, "ck", &e),
			  -1);
		check_int(damage_cases[i].row, e.exit_code, CC_EXIT_STORE);
		check_str(damage_cases[i].row, e.code, "images-damaged");
		if (strncmp(e.msg, damage_cases[i].msg, strlen(damage_cases[i].msg)) != 0)
			fail_msg("%s: message \"%s\", want \"%s...\"", damage_cases[i].row, e.msg,
				 damage_cases[i].msg);
		if (!strstr(e.remedy, "--no-verify"))
			fail_msg("%s: remedy \"%s\"", damage_cases[i].row, e.remedy);
		free(files);
		teardown_ck(&st);
	}
}

/* An empty image file (criu writes some) is sealed and checked like any. */
static void test_empty_file(void **state)
{
	const struct ck *c = *state;
	struct image_file *files = NULL;
	struct cc_err e = {0};
	size_t n = 0;

	put(c, "images/empty.img", "");
	seal(c, &files, &n);
	assert_int_equal(n, 4);
	assert_string_equal(files[1].path, "images/empty.img");
	assert_true(files[1].size == 0);
	assert_int_equal(seal_verify(c->fd, seal_dirs, files, n, "ck", &e), 0);
	put(c, "images/empty.img", "x");
	assert_int_equal(seal_verify(c->fd, seal_dirs, files, n, "ck", &e), -1);
	assert_non_null(strstr(e.msg, "images/empty.img is 1 bytes, sealed at 0"));
	free(files);
}

/* A checkpoint without pre-dumps has no pre/: nothing to seal there. */
static void test_missing_dir_skipped(void **state)
{
	const struct ck *c = *state;
	struct image_file *files = NULL;
	struct cc_err e = {0};
	uint64_t bytes = 0;
	size_t n = 0;

	assert_int_equal(unlinkat(c->fd, "images/parent", 0), 0);
	assert_int_equal(unlinkat(c->fd, "pre/1/pages-1.img", 0), 0);
	assert_int_equal(unlinkat(c->fd, "pre/1", AT_REMOVEDIR), 0);
	assert_int_equal(unlinkat(c->fd, "pre", AT_REMOVEDIR), 0);
	assert_int_equal(seal_files(c->fd, seal_dirs, SEAL_FSYNC, &files, &n, &bytes, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(seal_verify(c->fd, seal_dirs, files, n, "ck", &e), 0);
	free(files);
}

/* images/ replaced by a symlink: not followed, an error naming it. */
static void test_symlinked_dir_refused(void **state)
{
	const struct ck *c = *state;
	struct image_file *files = NULL;
	struct cc_err e = {0};
	uint64_t bytes = 0;
	size_t n = 0;

	assert_int_equal(renameat(c->fd, "images", c->fd, "elsewhere"), 0);
	assert_int_equal(symlinkat("elsewhere", c->fd, "images"), 0);
	assert_int_equal(seal_files(c->fd, seal_dirs, SEAL_FSYNC, &files, &n, &bytes, &e), -1);
	assert_int_equal(e.exit_code, CC_EXIT_STORE);
	assert_string_equal(e.code, "store-io");
	assert_non_null(strstr(e.msg, "seal the images: images"));
	assert_null(files);
}

/* A link criu could follow out of the checkpoint: refused by a reading
 * (with or without the seal), naming it and its target; criu's own
 * "parent" links to the pre-dump before are not. */
static void test_links_refused(void **state)
{
	static const struct {
		const char *link, *target, *why;
	} cases[] = {
		{"images/parent", NULL, NULL}, /* setup_ck's ../pre/1 */
		{"pre/1/parent", "../0", NULL},
		{"images/pages-9.img", "/etc/shadow",
		 "images/pages-9.img is a symbolic link (to /etc/shadow)"},
		{"images/parent", "/etc", "images/parent is a symbolic link (to /etc)"},
		{"images/parent", "../pre/../../x", "(to ../pre/../../x)"},
		{"images", "/etc", "images is a symbolic link (to /etc), not followed"},
	};
	const struct ck *c = *state;
	struct image_file *files = NULL;
	struct cc_err e = {0};
	uint64_t bytes = 0;
	size_t n = 0;

	assert_int_equal(seal_files(c->fd, seal_dirs, SEAL_FSYNC, &files, &n, &bytes, &e), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *row = cases[i].link;

		if (cases[i].target) {
			char cmd[256];

			snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", c->dir, row);
			assert_int_equal(system(cmd), 0);
			assert_int_equal(symlinkat(cases[i].target, c->fd, row), 0);
		}
		memset(&e, 0, sizeof(e));
		check_int(row, seal_check_links(c->fd, seal_dirs, "ck", &e), cases[i].why ? -1 : 0);
		if (cases[i].why) {
			check_str(row, e.code, "images-damaged");
			check_int(row, e.exit_code, CC_EXIT_STORE);
			if (!strstr(e.msg, cases[i].why))
				fail_msg("%s: \"%s\" lacks \"%s\"", row, e.msg, cases[i].why);
			memset(&e, 0, sizeof(e));
			check_int(row, seal_verify(c->fd, seal_dirs, files, n, "ck", &e), -1);
			check_str(row, e.code, "images-damaged");
			assert_int_equal(unlinkat(c->fd, row, 0), 0);
		}
	}
	free(files);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seal_lists_sorted_files, setup_ck,
						teardown_ck),
		cmocka_unit_test_setup_teardown(test_verify_intact, setup_ck, teardown_ck),
		cmocka_unit_test(test_verify_damage),
		cmocka_unit_test_setup_teardown(test_empty_file, setup_ck, teardown_ck),
		cmocka_unit_test_setup_teardown(test_missing_dir_skipped, setup_ck, teardown_ck),
		cmocka_unit_test_setup_teardown(test_symlinked_dir_refused, setup_ck, teardown_ck),
		cmocka_unit_test_setup_teardown(test_links_refused, setup_ck, teardown_ck),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
