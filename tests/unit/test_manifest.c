/* Unit tests of manifest: JSON encoding and decoding of struct manifest. */
#include "unit.h"

#include "criu_log.h"
#include "manifest.h"

static void fill(struct manifest *m)
{
	static const struct manifest_proc procs[] = {
		{.pid = 14,
		 .ppid = 1,
		 .pgid = 14,
		 .sid = 14,
		 .comm = "sh",
		 .cmdline = "sh\0-c\0while :; do sleep 1; done\0",
		 .cmdline_len = 32},
		{.pid = 15,
		 .ppid = 14,
		 .pgid = 14,
		 .sid = 14,
		 .comm = "sleep",
		 .cmdline = "sleep\0"
			    "1\0",
		 .cmdline_len = 8},
	};

	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "web-1");
	snprintf(m->created, sizeof(m->created), "2026-11-23T05:54:19Z");
	snprintf(m->criuctl_version, sizeof(m->criuctl_version), "0.1.0");
	snprintf(m->criu_version, sizeof(m->criu_version), "4.2.1");
	snprintf(m->kernel, sizeof(m->kernel), "6.18.44-fc-v595");
	m->root_pid = 14;
	m->n_procs = 2;
	m->procs = malloc(sizeof(procs));
	assert_non_null(m->procs);
	memcpy(m->procs, procs, sizeof(procs));
	m->opts.leave_running = 1;
	m->opts.tcp_established = 1;
	m->opts.ext_unix_sk = 1;
	m->opts.shell_job = 1;
	m->opts.file_locks = 1;
	strv_push(&m->opts.skip_mnt, "/proc/sys");
	strv_push(&m->opts.skip_mnt, "/sys/fs/cgroup");
	strv_push(&m->opts.external, "mnt[/data]:data");
	snprintf(m->opts.network_lock, sizeof(m->opts.network_lock), "nftables");
	snprintf(m->opts.manage_cgroups, sizeof(m->opts.manage_cgroups), "soft");
	strv_push(&m->opts.criu_opt, "--ghost-limit=1M");
	m->opts.timeout = 600;
	m->opts.stall_timeout = 1.5;
	strv_push(&m->criu_argv, "criu");
	strv_push(&m->criu_argv, "dump");
	strv_push(&m->criu_argv, "--tree=14");
	m->duration_ms = 1234;
	m->images_bytes = 5000000000ULL;
	m->n_files = 2;
	m->files = calloc(2, sizeof(*m->files));
	assert_non_null(m->files);
	m->files[0] = (struct image_file){"pre/1/pages-1.img", 4096, {0, 0, 0xbe, 0xef}};
	m->files[1] = (struct image_file){
		"images/core-14.img", 5000000000ULL, {0xfe, 0xdc, 0xba, 0x98, [15] = 0x01}};
	m->sealed = 1;
	m->stats.kind = 1;
	m->stats.n = 2;
	m->stats.f[0] = (struct stats_field){"frozen_time_us", 6109};
	m->stats.f[1] = (struct stats_field){"pages_written", 59};
	m->pre_dumps = 2;
	m->hook_wait_ms = 42;
	snprintf(m->recovered, sizeof(m->recovered), "committed from tmp/");
}

static char *dump_text(const struct manifest *m)
{
	json_t *j = manifest_to_json(m);
	char *text;

	assert_non_null(j);
	text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	assert_non_null(text);
	return text;
}

static void check_strv(const char *what, const struct strv *got, const struct strv *want)
{
	check_int(what, got->n, want->n);
	for (size_t i = 0; i < want->n; i++)
		check_str(what, got->v[i], want->v[i]);
}

static void test_roundtrip(void **state)
{
	struct manifest m, back;
	char why[128] = "";
	char *text;

	(void)state;
	fill(&m);
	text = dump_text(&m);
	assert_int_equal(manifest_from_json(text, strlen(text), &back, why, sizeof(why)), 0);
	assert_string_equal(back.name, m.name);
	assert_string_equal(back.created, m.created);
	assert_string_equal(back.criuctl_version, m.criuctl_version);
	assert_string_equal(back.criu_version, m.criu_version);
	assert_string_equal(back.kernel, m.kernel);
	assert_int_equal(back.root_pid, 14);
	assert_int_equal(back.n_procs, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(back.procs[i].pid, m.procs[i].pid);
		assert_int_equal(back.procs[i].ppid, m.procs[i].ppid);
		assert_int_equal(back.procs[i].pgid, m.procs[i].pgid);
		assert_int_equal(back.procs[i].sid, m.procs[i].sid);
		assert_string_equal(back.procs[i].comm, m.procs[i].comm);
		assert_int_equal(back.procs[i].cmdline_len, m.procs[i].cmdline_len);
		assert_memory_equal(back.procs[i].cmdline, m.procs[i].cmdline,
				    m.procs[i].cmdline_len);
	}
	assert_int_equal(back.opts.leave_running, 1);
	assert_int_equal(back.opts.tcp_established, 1);
	assert_int_equal(back.opts.ext_unix_sk, 1);
	assert_int_equal(back.opts.shell_job, 1);
	assert_int_equal(back.opts.file_locks, 1);
	check_strv("skip_mnt", &back.opts.skip_mnt, &m.opts.skip_mnt);
	check_strv("external", &back.opts.external, &m.opts.external);
	check_strv("criu_opt", &back.opts.criu_opt, &m.opts.criu_opt);
	assert_string_equal(back.opts.network_lock, "nftables");
	assert_string_equal(back.opts.manage_cgroups, "soft");
	assert_true(back.opts.timeout == 600 && back.opts.stall_timeout == 1.5);
	check_strv("criu_argv", &back.criu_argv, &m.criu_argv);
	assert_int_equal(back.duration_ms, 1234);
	assert_true(back.images_bytes == 5000000000ULL);
	assert_int_equal(back.pre_dumps, 2);
	assert_int_equal(back.hook_wait_ms, 42);
	assert_string_equal(back.recovered, "committed from tmp/");
	/* Files come back sorted by path. */
	assert_int_equal(back.sealed, 1);
	assert_int_equal(back.n_files, 2);
	assert_string_equal(back.files[0].path, "images/core-14.img");
	assert_true(back.files[0].size == 5000000000ULL);
	assert_memory_equal(back.files[0].xxh128, m.files[1].xxh128, 16);
	assert_string_equal(back.files[1].path, "pre/1/pages-1.img");
	assert_true(back.files[1].size == 4096);
	assert_memory_equal(back.files[1].xxh128, m.files[0].xxh128, 16);
	/* Stats are written, not read back (see manifest.h). */
	assert_int_equal(back.stats.n, 0);
	manifest_free(&back);
	free(text);
	manifest_free(&m);
}

/* The encoding itself: the field names scripts read. */
static void test_encoding(void **state)
{
	struct manifest m;
	json_t *j, *opts;

	(void)state;
	fill(&m);
	m.opts.network_lock[0] = '\0';
	j = manifest_to_json(&m);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "web-1");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(j, "files"), 1), "xxh128")),
			    "fedcba98000000000000000000000001");
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(j, "stats"), "frozen_time_us")),
		6109);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(j, "stats"), "pages_written")),
		59);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(j, "tree"), "root_pid")), 14);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "tree"), "processes")),
			 2);
	opts = json_object_get(j, "options");
	/* An unset mode is null, not "". */
	assert_true(json_is_null(json_object_get(opts, "network_lock")));
	assert_true(json_is_true(json_object_get(opts, "shell_job")));
	assert_int_equal(json_array_size(json_object_get(opts, "skip_mnt")), 2);
	json_decref(j);
	manifest_free(&m);
}

/*
 * Text that is not UTF-8 (a comm set with prctl, a cut cmdline, a path)
 * loses no process and no argument: its other bytes become \xHH; a command
 * line comes back byte for byte (its base64 twin, cmdline.h).
 */
static void test_non_utf8_text(void **state)
{
	struct manifest m, back;
	char why[128] = "";
	char *text;

	(void)state;
	fill(&m);
	snprintf(m.procs[1].comm, sizeof(m.procs[1].comm), "caf\xe9");
	memcpy(m.procs[1].cmdline, "sleep\0\xc3\n\x1b\0", 10);
	m.procs[1].cmdline_len = 10;
	strv_push(&m.criu_argv, "/st/\xff/images");
	text = dump_text(&m);
	assert_int_equal(manifest_from_json(text, strlen(text), &back, why, sizeof(why)), 0);
	assert_int_equal(back.n_procs, 2);
	assert_int_equal(back.procs[1].pid, 15);
	assert_string_equal(back.procs[1].comm, "caf\\xe9");
	assert_int_equal(back.procs[1].cmdline_len, 10);
	assert_memory_equal(back.procs[1].cmdline, "sleep\0\xc3\n\x1b\0", 10);
	assert_int_equal(back.procs[0].cmdline_len, m.procs[0].cmdline_len);
	assert_int_equal(back.criu_argv.n, 4);
	assert_string_equal(back.criu_argv.v[3], "/st/\\xff/images");
	manifest_free(&back);
	free(text);
	manifest_free(&m);
}

/*
 * The text fields a dump fills from outside (the criu version from criu's
 * log, the kernel from uname) or a manifest read back can hold any bytes;
 * the manifest is written all the same, with '?' for what is not ASCII.
 * Before, json_pack() refused such a field and the whole manifest with it:
 * a successful dump was not committed.
 */
static const struct {
	const char *row;
	const char *log; /* a criu log, whose version the dump records */
	const char *want;
} version_cases[] = {
	{"a plain version", "(00.000030) Version: 4.2.1 (gitid 0)\n", "4.2.1"},
	{"no version line", "(00.000030) Running on x86_64\n", ""},
	/* fuzz_criu_log, crash-c5a45b027ebaef618f9d69be35b8a8bb97e326d8 */
	{"fuzz: a version that is not UTF-8",
	 "tun: Unable to create tun 65c8e99,-c097-4950-b2d5-6cb698c4bfaf\n"
	 "(00.000032) Version: 4.\317\317\317\317\317\317\317\317\317\317\317\317\317\317\317\317"
	 "\317\317\317\317Can't setup RLIMIT_NOFILE for self: Operation n0.000792) cpu: fpug "
	 "tasks run after:1 f ",
	 "4.\\xcf\\xcf\\xcf\\xcf\\xcf\\xcf\\xcf\\xcf\\xcf\\xcf\\xcf\\xcf\\xcf\\xcf\\xcf"
	 "\\xcf\\xcf\\xcf\\xcf\\xcfCan't"},
	/* 63 bytes fit: the second "é" is cut in two, and the JSON string
	 * keeps the UTF-8 and escapes the byte left over (jsonutil.h). */
	{"a version cut inside a character",
	 "(00.1) Version: 4.2-01234567890123456789012345678901234567890123456789012345\303\251\303"
	 "\251\n",
	 "4.2-01234567890123456789012345678901234567890123456789012345\303\251\\xc3"},
};

static void test_version_from_log(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(version_cases) / sizeof(version_cases[0]); i++) {
		const char *row = version_cases[i].row, *log = version_cases[i].log;
		struct manifest m;
		json_t *j;

		fill(&m);
		criu_log_version(log, strlen(log), m.criu_version, sizeof(m.criu_version));
		j = manifest_to_json(&m);
		if (!j)
			fail_msg("%s: manifest_to_json failed", row);
		check_str(row, json_string_value(json_object_get(j, "criu_version")),
			  version_cases[i].want);
		json_decref(j);
		manifest_free(&m);
	}
}

static const char *get_created(const struct manifest *m)
{
	return m->created;
}

static const char *get_kernel(const struct manifest *m)
{
	return m->kernel;
}

static const char *get_comm(const struct manifest *m)
{
	return m->n_procs ? m->procs[0].comm : "";
}

/* Only fields of free text: a name, a network lock or a mount key must be
 * what criuctl writes (see test_invalid). */
#define MANIFEST                                                                                   \
	"{\"name\": \"n\", \"created\": \"%1$s\", \"kernel\": \"%1$s\", "                          \
	"\"tree\": {\"processes\": [{\"pid\": 1, \"comm\": \"%1$s\"}]}}"

/*
 * A string longer than its field is cut at a character boundary, so that
 * what was read can be written again (list, show and a dump's manifest
 * would otherwise lose it).
 */
static const struct {
	const char *row;
	const char *(*get)(const struct manifest *m);
	size_t size; /* of the field */
} long_cases[] = {
	{"created", get_created, 32},
	{"kernel", get_kernel, 160},
	{"comm", get_comm, 32},
};

static void check_cut(const char *row, const struct manifest *m,
		      const char *(*get)(const struct manifest *), size_t size, const char *ch)
{
	const char *got = get(m);
	size_t n = strlen(got), k = strlen(ch);

	if (n >= size || n + k < size || n % k != 0 || strncmp(got, ch, k) != 0)
		fail_msg("%s (%s): %zu bytes, want the most whole characters in %zu", row, ch, n,
			 size - 1);
}

static void test_long_text_cut_at_a_character(void **state)
{
	static const char *const chars[] = {"\303\251", "\342\202\254", "\360\235\204\236"};

	(void)state;
	for (size_t c = 0; c < sizeof(chars) / sizeof(chars[0]); c++) {
		char value[400] = "", *text;
		struct manifest m;
		char why[128] = "";
		json_t *j;

		while (strlen(value) + strlen(chars[c]) < 200)
			strcat(value, chars[c]);
		assert_true(asprintf(&text, MANIFEST, value) > 0);
		check_int(chars[c], manifest_from_json(text, strlen(text), &m, why, sizeof(why)),
			  0);
		for (size_t i = 0; i < sizeof(long_cases) / sizeof(long_cases[0]); i++)
			check_cut(long_cases[i].row, &m, long_cases[i].get, long_cases[i].size,
				  chars[c]);
		j = manifest_to_json(&m);
		if (!j)
			fail_msg("%s: the manifest cannot be written again", chars[c]);
		json_decref(j);
		manifest_free(&m);
		free(text);
	}
}

static const struct {
	const char *name;
	const char *text;
	const char *why; /* a substring of the reason */
} bad_cases[] = {
	{"empty", "", "invalid JSON"},
	{"cut", "{\"name\": \"a\"", "invalid JSON"},
	{"not an object", "[1, 2]", "missing name, created or tree"},
	{"missing name",
	 "{\"created\": \"2026-11-23T05:54:19Z\", \"tree\": {\"root_pid\": 1, \"processes\": []}}",
	 "missing name"},
	{"name not a string",
	 "{\"name\": 7, \"created\": \"x\", \"tree\": {\"root_pid\": 1, \"processes\": []}}",
	 "missing name"},
	{"missing created", "{\"name\": \"a\", \"tree\": {\"root_pid\": 1, \"processes\": []}}",
	 "created"},
	{"missing tree", "{\"name\": \"a\", \"created\": \"x\"}", "tree"},
	{"tree not an object", "{\"name\": \"a\", \"created\": \"x\", \"tree\": []}", "tree"},
	{"tree without processes",
	 "{\"name\": \"a\", \"created\": \"x\", \"tree\": {\"root_pid\": 1}}", "tree"},
#define WITH_FILES(files)                                                                          \
	"{\"name\": \"a\", \"created\": \"x\", \"tree\": {\"processes\": []}, \"files\": " files "}"
	{"files not an array", WITH_FILES("{}"), "files is not an array"},
	{"file without a path",
	 WITH_FILES("[{\"size\": 1, \"xxh128\": \"00000000000000000000000000000000\"}]"),
	 "files[0] is not"},
	{"file with an empty path",
	 WITH_FILES("[{\"path\": \"\", \"size\": 1, \"xxh128\": "
		    "\"00000000000000000000000000000000\"}]"),
	 "files[0]"},
	{"xxh128 too short",
	 WITH_FILES("[{\"path\": \"images/a\", \"size\": 1, \"xxh128\": \"0000000\"}]"),
	 "files[0]"},
	{"xxh128 not lowercase hex",
	 WITH_FILES("[{\"path\": \"images/a\", \"size\": 1, \"xxh128\": "
		    "\"0000000000000000000000000000000A\"}]"),
	 "files[0]"},
	{"a CRC-32 instead",
	 WITH_FILES("[{\"path\": \"images/a\", \"size\": 1, \"crc32\": \"00000000\"}]"),
	 "files[0] is not a path, size and xxh128"},
	{"negative size",
	 WITH_FILES("[{\"path\": \"images/a\", \"size\": 1, \"xxh128\": "
		    "\"00000000000000000000000000000000\"},"
		    " {\"path\": \"images/b\", \"size\": -1, \"xxh128\": "
		    "\"00000000000000000000000000000000\"}]"),
	 "files[1] is not a path, size and xxh128"},
	{"size not a number",
	 WITH_FILES("[{\"path\": \"images/a\", \"size\": \"1\", \"xxh128\": "
		    "\"00000000000000000000000000000000\"}]"),
	 "files[0]"},
#define WITH_PATH(path)                                                                            \
	WITH_FILES("[{\"path\": \"" path "\", \"size\": 1, \"xxh128\": "                           \
		   "\"00000000000000000000000000000000\"}]")
	{"a file up and out", WITH_PATH("images/../../../etc/passwd"),
	 "files[0]: 'images/../../../etc/passwd' is not a path below the checkpoint"},
	{"an absolute file", WITH_PATH("/etc/shadow"), "is not a path below"},
	{"a file named ..", WITH_PATH(".."), "is not a path below"},
	{"a . component", WITH_PATH("images/./a"), "is not a path below"},
	{"an empty component", WITH_PATH("images//a"), "is not a path below"},
	{"a trailing slash", WITH_PATH("images/a/"), "is not a path below"},
#undef WITH_PATH
#undef WITH_FILES
#define WITH(fields)                                                                               \
	"{\"name\": \"a\", \"created\": \"x\", \"tree\": {\"processes\": []}, " fields "}"
	{"a name that is none",
	 "{\"name\": \"../x\", \"created\": \"x\", \"tree\": {\"processes\": []}}",
	 "name '../x' is not a checkpoint name"},
	{"a relative root", WITH("\"mounts\": {\"root\": \"rootfs\"}"),
	 "mounts.root 'rootfs' is not an absolute path"},
	{"a key that breaks criu's syntax",
	 WITH("\"mounts\": {\"external\": [{\"key\": \"a]:/x\", \"source\": \"/s\"}]}"),
	 "mounts.external[0]: key 'a]:/x' is not a key"},
	{"an empty key", WITH("\"mounts\": {\"external\": [{\"key\": \"\", \"source\": \"/s\"}]}"),
	 "mounts.external[0]: key"},
	{"a relative source",
	 WITH("\"mounts\": {\"external\": [{\"key\": \"k\", \"source\": \"../s\"}]}"),
	 "mounts.external[0]: source '../s' is not an absolute path"},
	{"a cgroup mode that is none", WITH("\"options\": {\"manage_cgroups\": \"soft --x\"}"),
	 "manage_cgroups or network_lock"},
	{"a network lock that is none", WITH("\"options\": {\"network_lock\": \"ebtables\"}"),
	 "manage_cgroups or network_lock"},
	{"format 0", WITH("\"format\": 0"), "format is not a positive integer"},
	{"format as text", WITH("\"format\": \"1\""), "format is not a positive integer"},
#undef WITH
};

static void test_invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct manifest m;
		char why[128] = "";

		check_int(bad_cases[i].name,
			  manifest_from_json(bad_cases[i].text, strlen(bad_cases[i].text), &m, why,
					     sizeof(why)),
			  -1);
		if (!strstr(why, bad_cases[i].why))
			fail_msg("%s: reason \"%s\" lacks \"%s\"", bad_cases[i].name, why,
				 bad_cases[i].why);
		if (m.procs || m.n_procs || m.opts.skip_mnt.v || m.criu_argv.v || m.files)
			fail_msg("%s: memory left in the manifest", bad_cases[i].name);
	}
}

/* A format newer than MANIFEST_FORMAT: -2, whatever else it holds; format
 * 1 and none (manifests before the field) read as ever. */
static void test_format(void **state)
{
	static const char newer[] = "{\"format\": 2, \"name\": 7, \"everything\": \"new\"}";
	static const char one[] = "{\"format\": 1, \"name\": \"a\", \"created\": \"x\", \"tree\": "
				  "{\"processes\": []}}";
	struct manifest m, back;
	char why[128] = "";
	char *text;
	json_t *j;

	(void)state;
	assert_int_equal(manifest_from_json(newer, strlen(newer), &m, why, sizeof(why)), -2);
	assert_non_null(strstr(why, "format 2 is newer than criuctl"));
	assert_null(m.procs);
	assert_int_equal(manifest_from_json(one, strlen(one), &m, why, sizeof(why)), 0);
	manifest_free(&m);
	fill(&m);
	j = manifest_to_json(&m);
	assert_int_equal(json_integer_value(json_object_get(j, "format")), MANIFEST_FORMAT);
	json_object_del(j, "format");
	text = json_dumps(j, 0);
	assert_int_equal(manifest_from_json(text, strlen(text), &back, why, sizeof(why)), 0);
	free(text);
	json_decref(j);
	manifest_free(&back);
	manifest_free(&m);
}

static void test_why_truncated(void **state)
{
	struct manifest m;
	char why[8];

	(void)state;
	memset(why, '#', sizeof(why));
	assert_int_equal(manifest_from_json("{}", 2, &m, why, sizeof(why)), -1);
	assert_string_equal(why, "missing");
}

static void test_unknown_fields_ignored(void **state)
{
	static const char text[] =
		"{\"name\": \"a\", \"created\": \"2026-11-23T05:54:19Z\", \"future\": {\"x\": [1]},"
		" \"tree\": {\"root_pid\": 9, \"mystery\": true, \"processes\": ["
		"{\"pid\": 9, \"ppid\": 1, \"pgid\": 9, \"sid\": 9, \"comm\": \"top\","
		" \"cmdline\": \"top\", \"cgroup\": \"/x\"}]},"
		" \"options\": {\"shell_job\": true, \"new_flag\": 3, \"external\": "
		"[\"mnt[/a]:a\", 5]},"
		" \"pre_dumps\": 1, \"duration_ms\": 20}"
		"trailing bytes past len";
	struct manifest m;
	char why[128] = "";

	(void)state;
	assert_int_equal(manifest_from_json(text, strlen(text) - strlen("trailing bytes past len"),
					    &m, why, sizeof(why)),
			 0);
	assert_string_equal(m.name, "a");
	assert_int_equal(m.root_pid, 9);
	assert_int_equal(m.n_procs, 1);
	assert_string_equal(m.procs[0].comm, "top");
	assert_int_equal(m.opts.shell_job, 1);
	assert_int_equal(m.opts.leave_running, 0);
	/* Non-string entries of a list are skipped. */
	assert_int_equal(m.opts.external.n, 1);
	assert_string_equal(m.opts.external.v[0], "mnt[/a]:a");
	assert_int_equal(m.pre_dumps, 1);
	assert_int_equal(m.duration_ms, 20);
	assert_string_equal(m.criu_version, "");
	assert_int_equal(m.images_bytes, 0);
	/* A manifest from before sealing: no files, nothing to verify. */
	assert_int_equal(m.sealed, 0);
	assert_null(m.files);
	manifest_free(&m);
}

/* manifest_compare_files: the first sealed file that is not as sealed. */
static void test_compare_files(void **state)
{
	static const struct image_file want[] = {
		{"images/core-1.img", 10, {1}},
		{"images/pages-1.img", 4096, {2}},
		{"pre/1/pages-1.img", 20, {3}},
	};
	static const struct {
		const char *row;
		struct image_file got[4];
		size_t n_got;
		enum file_damage damage;
		size_t at;
	} cases[] = {
		{"intact",
		 {{"images/core-1.img", 10, {1}},
		  {"images/pages-1.img", 4096, {2}},
		  {"pre/1/pages-1.img", 20, {3}}},
		 3,
		 DAMAGE_NONE,
		 0},
		{"an extra file does not matter",
		 {{"images/core-1.img", 10, {1}},
		  {"images/extra", 1, {9}},
		  {"images/pages-1.img", 4096, {2}},
		  {"pre/1/pages-1.img", 20, {3}}},
		 4,
		 DAMAGE_NONE,
		 0},
		{"truncated",
		 {{"images/core-1.img", 10, {1}},
		  {"images/pages-1.img", 4095, {2}},
		  {"pre/1/pages-1.img", 20, {3}}},
		 3,
		 DAMAGE_SIZE,
		 1},
		{"flipped",
		 {{"images/core-1.img", 10, {1}},
		  {"images/pages-1.img", 4096, {2}},
		  {"pre/1/pages-1.img", 20, {7}}},
		 3,
		 DAMAGE_HASH,
		 2},
		{"missing",
		 {{"images/pages-1.img", 4096, {2}}, {"pre/1/pages-1.img", 20, {3}}},
		 2,
		 DAMAGE_MISSING,
		 0},
		{"nothing found", {{"", 0, {0}}}, 0, DAMAGE_MISSING, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct image_file *found = want;
		size_t at = 99;
		enum file_damage d =
			manifest_compare_files(want, 3, cases[i].got, cases[i].n_got, &at, &found);

		check_int(cases[i].row, d, cases[i].damage);
		if (d == DAMAGE_NONE) {
			if (found)
				fail_msg("%s: a twin found for no damage", cases[i].row);
			continue;
		}
		check_int(cases[i].row, at, cases[i].at);
		if ((d == DAMAGE_MISSING) != (found == NULL))
			fail_msg("%s: twin %p for damage %d", cases[i].row, (const void *)found, d);
		if (found)
			check_str(cases[i].row, found->path, want[at].path);
	}
	/* Nothing sealed: nothing can be damaged. */
	{
		const struct image_file *found = want;
		size_t at = 99;

		assert_int_equal(manifest_compare_files(want, 0, want, 3, &at, &found),
				 DAMAGE_NONE);
	}
}

static void test_format_time(void **state)
{
	static const struct {
		long long t;
		const char *want;
	} cases[] = {
		{0, "1970-01-01T00:00:00Z"},
		{1795413259, "2026-11-23T05:54:19Z"},
		{951782400, "2000-02-29T00:00:00Z"},
		{4102444799, "2099-12-31T23:59:59Z"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dst[32];

		manifest_format_time(dst, sizeof(dst), cases[i].t);
		check_str(cases[i].want, dst, cases[i].want);
	}
}

/* A manifest written at criu's point of no return for a tree that runs on
 * is not sealed yet: it must come back unsealed (not "sealed, no files"),
 * and a normal commit has no "recovered" note. */
static void test_unsealed_draft(void **state)
{
	struct manifest m, back;
	char why[256], *text;

	(void)state;
	fill(&m);
	free(m.files);
	m.files = NULL;
	m.n_files = 0;
	m.sealed = 0;
	m.recovered[0] = '\0';
	text = dump_text(&m);
	assert_null(strstr(text, "\"files\""));
	assert_null(strstr(text, "\"recovered\""));
	assert_int_equal(manifest_from_json(text, strlen(text), &back, why, sizeof(why)), 0);
	assert_int_equal(back.sealed, 0);
	assert_int_equal(back.n_files, 0);
	assert_string_equal(back.recovered, "");
	free(text);
	manifest_free(&back);
	manifest_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_non_utf8_text),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_why_truncated),
		cmocka_unit_test(test_unknown_fields_ignored),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_time),
		cmocka_unit_test(test_compare_files),
		cmocka_unit_test(test_unsealed_draft),
		cmocka_unit_test(test_version_from_log),
		cmocka_unit_test(test_long_text_cut_at_a_character),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
