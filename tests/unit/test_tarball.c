/* Unit tests of tarball: the entry policy of import, table by table, the
 * compression by file name, default names and podman's dump files. */
#include "unit.h"

#include "tarball.h"

#define T TB_TAKE
#define L TB_LEAVE
#define R TB_REFUSE
#define B TB_BOUND

static const struct {
	const char *row;
	struct tarball_entry e;
	enum tarball_action want;
	const char *dest; /* TB_TAKE: where it goes; else a word of the reason */
} entry_cases[] = {
	/* What export writes, and podman and CRI-O too. */
	{"images dir", {"checkpoint/", TB_DIR, 0755, NULL, 0}, T, "images"},
	{"images dir ./", {"./checkpoint", TB_DIR, 0700, NULL, 0}, T, "images"},
	{"image", {"checkpoint/pages-1.img", TB_FILE, 0644, NULL, 8192}, T, "images/pages-1.img"},
	{"image ././",
	 {"././checkpoint//core-1.img", TB_FILE, 0600, NULL, 10},
	 T,
	 "images/core-1.img"},
	{"manifest", {"manifest.json", TB_FILE, 0600, NULL, 100}, T, "archive.manifest.json"},
	{"dump.log", {"dump.log", TB_FILE, 0600, NULL, 100}, T, "archive.dump.log"},
	{"restore.log", {"restore.log", TB_FILE, 0600, NULL, 1}, T, "restore.log"},
	{"stats", {"stats-dump", TB_FILE, 0644, NULL, 46}, T, "stats-dump"},
	{"config.dump", {"config.dump", TB_FILE, 0644, NULL, 2}, T, "config.dump"},
	{"spec.dump", {"./spec.dump", TB_FILE, 0644, NULL, 2}, T, "spec.dump"},
	{"pre dir", {"pre/1/", TB_DIR, 0700, NULL, 0}, T, "pre/1"},
	{"pre image", {"pre/1/pages-1.img", TB_FILE, 0600, NULL, 4}, T, "pre/1/pages-1.img"},
	{"criu's parent link",
	 {"checkpoint/parent", TB_SYMLINK, 0777, "../pre/1", 0},
	 T,
	 "images/parent"},
	{"pre's parent link", {"pre/2/parent", TB_SYMLINK, 0777, "../1", 0}, T, "pre/2/parent"},
	{"hard link to an image",
	 {"checkpoint/b.img", TB_HARDLINK, 0600, "checkpoint/a.img", 0},
	 T,
	 "images/b.img"},
	{"sticky dir", {"checkpoint", TB_DIR, 01777, NULL, 0}, T, "images"},
	/* podman's files criuctl has no use for. */
	{"root", {"./", TB_DIR, 0755, NULL, 0}, L, "root"},
	{"rootfs-diff", {"rootfs-diff.tar", TB_FILE, 0644, NULL, 1024}, L, "rootfs-diff.tar"},
	{"network.status", {"network.status", TB_FILE, 0644, NULL, 2}, L, "left out"},
	{"artifacts dir", {"artifacts/", TB_DIR, 0755, NULL, 0}, L, "left out"},
	{"inside link elsewhere", {"bind.mounts", TB_SYMLINK, 0777, "spec.dump", 0}, L, "left out"},
	/* Hostile: paths. */
	{"absolute", {"/etc/passwd", TB_FILE, 0644, NULL, 1}, R, "absolute"},
	{"absolute images", {"/checkpoint/x", TB_FILE, 0644, NULL, 1}, R, "absolute"},
	{"dotdot", {"../x", TB_FILE, 0644, NULL, 1}, R, "'..'"},
	{"dotdot inside", {"checkpoint/../../x", TB_FILE, 0644, NULL, 1}, R, "'..'"},
	{"dotdot last", {"checkpoint/..", TB_DIR, 0755, NULL, 0}, R, "'..'"},
	{"dot inside", {"checkpoint/./x", TB_FILE, 0644, NULL, 1}, R, "'.'"},
	{"empty", {"", TB_FILE, 0644, NULL, 1}, R, "empty"},
	{"control char", {"checkpoint/a\nb", TB_FILE, 0644, NULL, 1}, R, "control"},
	{"too deep", {"pre/1/2/3/4/5/6/7/8", TB_FILE, 0644, NULL, 1}, R, "deeper"},
	/* Hostile: links. */
	{"symlink absolute", {"checkpoint/x", TB_SYMLINK, 0777, "/etc/shadow", 0}, R, "out"},
	{"symlink up", {"checkpoint/x", TB_SYMLINK, 0777, "../../etc", 0}, R, "out"},
	{"symlink up at top", {"x", TB_SYMLINK, 0777, "..", 0}, R, "out"},
	{"symlink empty", {"checkpoint/x", TB_SYMLINK, 0777, "", 0}, R, "out"},
	{"symlink up and down", {"checkpoint/x", TB_SYMLINK, 0777, "a/../../../y", 0}, R, "out"},
	{"symlink as manifest",
	 {"manifest.json", TB_SYMLINK, 0777, "checkpoint/x", 0},
	 R,
	 "regular file"},
	{"hard link out", {"checkpoint/x", TB_HARDLINK, 0644, "/etc/shadow", 0}, R, "out"},
	{"hard link dotdot", {"checkpoint/x", TB_HARDLINK, 0644, "../etc/shadow", 0}, R, "out"},
	{"hard link to a top file",
	 {"checkpoint/x", TB_HARDLINK, 0644, "manifest.json", 0},
	 R,
	 "not an image"},
	{"hard link to podman's file",
	 {"checkpoint/x", TB_HARDLINK, 0644, "rootfs-diff.tar", 0},
	 R,
	 "not an image"},
	/* Hostile: types and modes. */
	{"device", {"checkpoint/sda", TB_OTHER, 0600, NULL, 0}, R, "device"},
	{"device left out anyway", {"dev/null", TB_OTHER, 0666, NULL, 0}, R, "device"},
	{"setuid", {"checkpoint/x", TB_FILE, 04755, NULL, 1}, R, "setuid"},
	{"setgid dir", {"checkpoint", TB_DIR, 02755, NULL, 0}, R, "setgid"},
	{"images as a file", {"checkpoint", TB_FILE, 0644, NULL, 1}, R, "directory"},
	{"manifest as a dir", {"manifest.json", TB_DIR, 0755, NULL, 0}, R, "regular file"},
	{"root as a file", {".", TB_FILE, 0644, NULL, 1}, R, "root"},
	{"negative size", {"checkpoint/x", TB_FILE, 0644, NULL, -1}, R, "negative"},
};

static void test_judge_entries(void **state)
{
	const struct tarball_bounds b = {.max_bytes = 1 << 20, .max_files = 100};

	(void)state;
	for (size_t i = 0; i < sizeof(entry_cases) / sizeof(entry_cases[0]); i++) {
		struct tarball_totals t = {0};
		struct tarball_plan p;

		check_int(entry_cases[i].row, tarball_judge(&b, &t, &entry_cases[i].e, &p),
			  entry_cases[i].want);
		check_int(entry_cases[i].row, p.action, entry_cases[i].want);
		if (entry_cases[i].want == TB_TAKE)
			check_str(entry_cases[i].row, p.dest, entry_cases[i].dest);
		else if (!strstr(p.reason, entry_cases[i].dest))
			fail_msg("%s: reason '%s' does not say '%s'", entry_cases[i].row, p.reason,
				 entry_cases[i].dest);
		/* A refused entry counts nothing; the others count one. */
		check_int(entry_cases[i].row, t.files, entry_cases[i].want == TB_REFUSE ? 0 : 1);
	}
}

/* What links become: a symlink keeps its target, a hard link names its
 * twin's place in the checkpoint. */
static void test_judge_links(void **state)
{
	const struct tarball_bounds b = {.max_bytes = 1 << 20, .max_files = 100};
	struct tarball_totals t = {0};
	struct tarball_plan p;
	struct tarball_entry sym = {"checkpoint/parent", TB_SYMLINK, 0777, "../pre/1", 0};
	struct tarball_entry hard = {"pre/1/b.img", TB_HARDLINK, 0600, "./checkpoint/a.img", 0};

	(void)state;
	assert_int_equal(tarball_judge(&b, &t, &sym, &p), TB_TAKE);
	assert_string_equal(p.link, "../pre/1");
	assert_int_equal(tarball_judge(&b, &t, &hard, &p), TB_TAKE);
	assert_string_equal(p.dest, "pre/1/b.img");
	assert_string_equal(p.link, "images/a.img");
}

/* The bounds against a decompression bomb: the running totals stop it at
 * the entry that would pass them, whatever it is. */
static void test_judge_bounds(void **state)
{
	const struct tarball_bounds b = {.max_bytes = 1000, .max_files = 3};
	struct tarball_totals t = {0};
	struct tarball_plan p;
	struct tarball_entry small = {"checkpoint/a.img", TB_FILE, 0600, NULL, 600};
	struct tarball_entry big = {"checkpoint/b.img", TB_FILE, 0600, NULL, 401};
	struct tarball_entry fits = {"checkpoint/c.img", TB_FILE, 0600, NULL, 400};
	struct tarball_entry left = {"rootfs-diff.tar", TB_FILE, 0600, NULL, 1};
	struct tarball_entry huge = {"checkpoint/d.img", TB_FILE, 0600, NULL, INT64_MAX};

	(void)state;
	assert_int_equal(tarball_judge(&b, &t, &small, &p), TB_TAKE);
	assert_int_equal(tarball_judge(&b, &t, &big, &p), TB_BOUND);
	assert_non_null(strstr(p.reason, "more than 1000 bytes"));
	assert_int_equal(t.bytes, 600);
	assert_int_equal(tarball_judge(&b, &t, &huge, &p), TB_BOUND);
	assert_int_equal(tarball_judge(&b, &t, &fits, &p), TB_TAKE);
	assert_int_equal(t.bytes, 1000);
	assert_int_equal(tarball_judge(&b, &t, &left, &p), TB_BOUND);
	assert_int_equal(t.files, 2);
	t.bytes = 0;
	assert_int_equal(tarball_judge(&b, &t, &left, &p), TB_LEAVE);
	assert_int_equal(tarball_judge(&b, &t, &small, &p), TB_BOUND);
	assert_non_null(strstr(p.reason, "more than 3 entries"));
}

static const struct {
	const char *file;
	enum tarball_kind kind;
	const char *name;
} file_cases[] = {
	{"web.tar.zst", TARBALL_ZSTD, "web"},
	{"/tmp/x/web.tar.gz", TARBALL_GZIP, "web"},
	{"web.tgz", TARBALL_GZIP, "web"},
	{"dir.d/web.1.tar", TARBALL_TAR, "web.1"},
	{"checkpoint-pod_default-ctr-2026-12-07T21:00:00Z.tar", TARBALL_TAR,
	 "checkpoint-pod_default-ctr-2026-12-07T21_00_00Z"},
	{"web.zip", TARBALL_UNKNOWN, "web.zip"},
	{"web.tar.xz", TARBALL_UNKNOWN, "web.tar.xz"},
	{"web", TARBALL_UNKNOWN, "web"},
	{".tar", TARBALL_UNKNOWN, "tar"},
	{"x/.tar.gz", TARBALL_UNKNOWN, "tar.gz"},
	{"--.tar", TARBALL_TAR, "imported"},
	{"caf\xc3\xa9.tar", TARBALL_TAR, "caf__"},
};

static void test_file_names(void **state)
{
	char name[NAME_MAX_LEN + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
		check_int(file_cases[i].file, tarball_kind_of(file_cases[i].file),
			  file_cases[i].kind);
		tarball_default_name(name, file_cases[i].file);
		check_str(file_cases[i].file, name, file_cases[i].name);
		check_int(file_cases[i].file, name_valid(name), 1);
	}
	memset(name, 0, sizeof(name));
	{
		char longf[200];

		memset(longf, 'a', sizeof(longf));
		memcpy(longf + sizeof(longf) - 5, ".tar", 5);
		tarball_default_name(name, longf);
		assert_int_equal(strlen(name), NAME_MAX_LEN);
	}
}

static const struct {
	const char *json;
	const char *want;
} time_cases[] = {
	{"{\"checkpointedTime\": \"2026-12-07T21:00:01.123456789Z\"}", "2026-12-07T21:00:01Z"},
	{"{\"createdTime\": \"2026-12-07T20:00:00Z\"}", "2026-12-07T20:00:00Z"},
	{"{\"checkpointedTime\": \"0001-01-01T00:00:00Z\", \"createdTime\": "
	 "\"2026-01-01T00:00:00Z\"}",
	 "2026-01-01T00:00:00Z"},
	{"{\"checkpointedTime\": \"2026-12-07T21:00:01+01:00\"}", ""},
	{"{\"checkpointedTime\": 5}", ""},
	{"{}", ""},
	{"not json", ""},
};

static void test_config_time(void **state)
{
	char t[32];

	(void)state;
	for (size_t i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		tarball_config_time(time_cases[i].json, strlen(time_cases[i].json), t, sizeof(t));
		check_str(time_cases[i].json, t, time_cases[i].want);
	}
}

/* config.dump and spec.dump of a manifest: what checkpointctl reads. */
static void test_dumps(void **state)
{
	struct manifest m;
	struct manifest_proc proc = {.pid = 42, .cmdline = "python3\0-c\0x", .cmdline_len = 13};
	json_t *c, *s;

	(void)state;
	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "web");
	snprintf(m.created, sizeof(m.created), "2026-12-07T21:00:00Z");
	m.root_pid = 42;
	m.procs = &proc;
	m.n_procs = 1;
	c = tarball_config_dump(&m);
	s = tarball_spec_dump(&m);
	assert_non_null(c);
	assert_non_null(s);
	assert_string_equal(json_string_value(json_object_get(c, "checkpointedTime")),
			    "2026-12-07T21:00:00Z");
	assert_string_equal(json_string_value(json_object_get(c, "name")), "web");
	assert_int_equal(json_array_size(json_object_get(json_object_get(s, "process"), "args")),
			 3);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(s, "process"), "args"), 2)),
			    "x");
	assert_string_equal(json_string_value(json_object_get(json_object_get(s, "annotations"),
							      "io.container.manager")),
			    "libpod");
	assert_string_equal(json_string_value(json_object_get(json_object_get(s, "root"), "path")),
			    "/");
	json_decref(c);
	json_decref(s);
}

static const struct {
	const char *s;
	int rc;
	uint64_t want;
} size_cases[] = {
	{"0", 0, 0},
	{"4096", 0, 4096},
	{"64K", 0, 65536},
	{"2M", 0, 2 << 20},
	{"1G", 0, 1ull << 30},
	{"3T", 0, 3ull << 40},
	{"", -1, 0},
	{"K", -1, 0},
	{"1k", -1, 0},
	{"1KB", -1, 0},
	{"-1", -1, 0},
	{"1.5G", -1, 0},
	{"99999999999999999999", -1, 0},
	{"20000000T", -1, 0},
};

static void test_parse_size(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(size_cases) / sizeof(size_cases[0]); i++) {
		uint64_t got = 0;

		check_int(size_cases[i].s, tarball_parse_size(size_cases[i].s, &got),
			  size_cases[i].rc);
		if (size_cases[i].rc == 0 && got != size_cases[i].want)
			fail_msg("%s: %llu, want %llu", size_cases[i].s, (unsigned long long)got,
				 (unsigned long long)size_cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_entries), cmocka_unit_test(test_judge_links),
		cmocka_unit_test(test_judge_bounds),  cmocka_unit_test(test_file_names),
		cmocka_unit_test(test_config_time),   cmocka_unit_test(test_dumps),
		cmocka_unit_test(test_parse_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
