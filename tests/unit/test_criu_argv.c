/* Unit tests of criu_argv: criu's dump and restore command lines. */
#include "unit.h"

#include "criu_argv.h"

/* A struct criu_opts spelled as constants. */
struct opts_spec {
	int leave_running, tcp_established, ext_unix_sk, shell_job, file_locks;
	const char *skip_mnt[4];
	const char *external[4];
	const char *network_lock;
	const char *manage_cgroups;
	const char *criu_opt[4];
};

static void push_all(struct strv *sv, const char *const *list)
{
	for (; *list; list++)
		assert_int_equal(strv_push(sv, *list), 0);
}

static void opts_build(struct criu_opts *o, const struct opts_spec *s)
{
	memset(o, 0, sizeof(*o));
	o->leave_running = s->leave_running;
	o->tcp_established = s->tcp_established;
	o->ext_unix_sk = s->ext_unix_sk;
	o->shell_job = s->shell_job;
	o->file_locks = s->file_locks;
	push_all(&o->skip_mnt, s->skip_mnt);
	push_all(&o->external, s->external);
	push_all(&o->criu_opt, s->criu_opt);
	snprintf(o->network_lock, sizeof(o->network_lock), "%s",
		 s->network_lock ? s->network_lock : "");
	snprintf(o->manage_cgroups, sizeof(o->manage_cgroups), "%s",
		 s->manage_cgroups ? s->manage_cgroups : "");
}

/* out must equal want exactly, NULL terminator included. */
static void check_argv(const char *row, const struct strv *out, const char *const *want)
{
	size_t n = 0;

	while (want[n])
		n++;
	for (size_t i = 0; i < n && i < out->n; i++)
		if (strcmp(out->v[i], want[i]) != 0)
			fail_msg("%s: argv[%zu] is \"%s\", want \"%s\"", row, i, out->v[i],
				 want[i]);
	check_int(row, out->n, n);
	if (out->v[n] != NULL)
		fail_msg("%s: argv is not NULL-terminated", row);
}

#define DUMP_HEAD                                                                                  \
	"/usr/sbin/criu", "dump", "-D", "/st/web/images", "-W", "/st/web", "-o", "dump.log",       \
		"-v4", "--tree=42", "--no-default-config"

static const struct {
	const char *name;
	struct opts_spec opts;
	const char *want[32];
} dump_cases[] = {
	{"no flags", {0}, {DUMP_HEAD, NULL}},
	{"leave_running", {.leave_running = 1}, {DUMP_HEAD, "--leave-running", NULL}},
	{"tcp_established", {.tcp_established = 1}, {DUMP_HEAD, "--tcp-established", NULL}},
	{"ext_unix_sk", {.ext_unix_sk = 1}, {DUMP_HEAD, "--ext-unix-sk", NULL}},
	{"shell_job", {.shell_job = 1}, {DUMP_HEAD, "--shell-job", NULL}},
	{"file_locks", {.file_locks = 1}, {DUMP_HEAD, "--file-locks", NULL}},
	{"network_lock",
	 {.network_lock = "nftables"},
	 {DUMP_HEAD, "--network-lock=nftables", NULL}},
	{"manage_cgroups", {.manage_cgroups = "soft"}, {DUMP_HEAD, "--manage-cgroups=soft", NULL}},
	{"one skip_mnt", {.skip_mnt = {"/proc/sys"}}, {DUMP_HEAD, "--skip-mnt", "/proc/sys", NULL}},
	{"repeated skip_mnt",
	 {.skip_mnt = {"/a", "/b c", "/d"}},
	 {DUMP_HEAD, "--skip-mnt", "/a", "--skip-mnt", "/b c", "--skip-mnt", "/d", NULL}},
	{"repeated external",
	 {.external = {"mnt[/data]:data", "veth[eth0]:br0"}},
	 {DUMP_HEAD, "--external", "mnt[/data]:data", "--external", "veth[eth0]:br0", NULL}},
	{"criu_opt alone",
	 {.criu_opt = {"--timeout=30", "--ghost-limit=1M"}},
	 {DUMP_HEAD, "--timeout=30", "--ghost-limit=1M", NULL}},
	{"every flag, criu_opt last",
	 {.leave_running = 1,
	  .tcp_established = 1,
	  .ext_unix_sk = 1,
	  .shell_job = 1,
	  .file_locks = 1,
	  .skip_mnt = {"/x", "/y"},
	  .external = {"mnt[/a]:a", "mnt[/b]:b"},
	  .network_lock = "skip",
	  .manage_cgroups = "full",
	  .criu_opt = {"--no-tcp-established", "-v0"}},
	 {DUMP_HEAD, "--leave-running", "--network-lock=skip", "--tcp-established", "--ext-unix-sk",
	  "--shell-job", "--file-locks", "--manage-cgroups=full", "--external", "mnt[/a]:a",
	  "--external", "mnt[/b]:b", "--skip-mnt", "/x", "--skip-mnt", "/y", "--no-tcp-established",
	  "-v0", NULL}},
};

static void test_dump_argv(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dump_cases) / sizeof(dump_cases[0]); i++) {
		struct criu_opts o;
		struct strv out = {0};
		struct dump_req req = {.criu = "/usr/sbin/criu",
				       .pid = 42,
				       .images_dir = "/st/web/images",
				       .work_dir = "/st/web",
				       .log_name = "dump.log",
				       .opts = &o};

		opts_build(&o, &dump_cases[i].opts);
		check_int(dump_cases[i].name, criu_argv_dump(&req, &out), 0);
		check_argv(dump_cases[i].name, &out, dump_cases[i].want);
		strv_free(&out);
		criu_opts_free(&o);
	}
}

/* An iterative dump: pre-dumps chained by --prev-images-dir, then the dump. */
static void test_pre_dump_argv(void **state)
{
	static const struct {
		const char *name, *action, *prev;
		int leave_running;
		const char *want[16];
	} cases[] = {
		{"first pre-dump",
		 "pre-dump",
		 NULL,
		 0,
		 {"/usr/sbin/criu", "pre-dump", "-D", "/st/w/pre/1", "-W", "/st/w", "-o", "p.log",
		  "-v4", "--tree=42", "--track-mem", "--no-default-config", NULL}},
		{"second pre-dump, -R ignored",
		 "pre-dump",
		 "../1",
		 1,
		 {"/usr/sbin/criu", "pre-dump", "-D", "/st/w/pre/1", "-W", "/st/w", "-o", "p.log",
		  "-v4", "--tree=42", "--track-mem", "--prev-images-dir", "../1",
		  "--no-default-config", NULL}},
		{"final dump",
		 "dump",
		 "../pre/2",
		 1,
		 {"/usr/sbin/criu", "dump", "-D", "/st/w/pre/1", "-W", "/st/w", "-o", "p.log",
		  "-v4", "--tree=42", "--track-mem", "--prev-images-dir", "../pre/2",
		  "--no-default-config", "--leave-running", NULL}},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct criu_opts o = {.leave_running = cases[i].leave_running};
		struct strv out = {0};
		struct dump_req req = {.criu = "/usr/sbin/criu",
				       .action = cases[i].action,
				       .track_mem = 1,
				       .prev_images_dir = cases[i].prev,
				       .pid = 42,
				       .images_dir = "/st/w/pre/1",
				       .work_dir = "/st/w",
				       .log_name = "p.log",
				       .opts = &o};

		check_int(cases[i].name, criu_argv_dump(&req, &out), 0);
		check_argv(cases[i].name, &out, cases[i].want);
		strv_free(&out);
	}
}

#define RESTORE_HEAD                                                                               \
	"criu", "restore", "-D", "/st/web/images", "-W", "/st/web/r1", "-o", "restore.log", "-v4", \
		"--pidfile", "/st/web/r1/pid"

static const struct {
	const char *name;
	int detach;
	const char *root;
	struct opts_spec opts;
	const char *want[32];
} restore_cases[] = {
	{"no flags", 0, NULL, {0}, {RESTORE_HEAD, "--no-default-config", NULL}},
	{"detached",
	 1,
	 NULL,
	 {0},
	 {RESTORE_HEAD, "--restore-detached", "--no-default-config", NULL}},
	{"root",
	 0,
	 "/mnt/root",
	 {0},
	 {RESTORE_HEAD, "--root", "/mnt/root", "--no-default-config", NULL}},
	{"detached with root",
	 1,
	 "/mnt/root",
	 {0},
	 {RESTORE_HEAD, "--restore-detached", "--root", "/mnt/root", "--no-default-config", NULL}},
	/* leave_running, network_lock and skip_mnt belong to dump only. */
	{"dump-only flags dropped",
	 1,
	 NULL,
	 {.leave_running = 1, .network_lock = "nftables", .skip_mnt = {"/x"}},
	 {RESTORE_HEAD, "--restore-detached", "--no-default-config", NULL}},
	{"flags shared with dump",
	 0,
	 NULL,
	 {.tcp_established = 1,
	  .ext_unix_sk = 1,
	  .shell_job = 1,
	  .file_locks = 1,
	  .manage_cgroups = "ignore",
	  .external = {"mnt[/a]:/srv/a", "veth[eth0]:br0"}},
	 {RESTORE_HEAD, "--no-default-config", "--tcp-established", "--ext-unix-sk", "--shell-job",
	  "--file-locks", "--manage-cgroups=ignore", "--external", "mnt[/a]:/srv/a", "--external",
	  "veth[eth0]:br0", NULL}},
	{"criu_opt last",
	 1,
	 "/r",
	 {.shell_job = 1, .criu_opt = {"--restore-sibling", "--root", "/other"}},
	 {RESTORE_HEAD, "--restore-detached", "--root", "/r", "--no-default-config", "--shell-job",
	  "--restore-sibling", "--root", "/other", NULL}},
};

static void test_restore_argv(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(restore_cases) / sizeof(restore_cases[0]); i++) {
		struct criu_opts o;
		struct strv out = {0};
		struct restore_req req = {.criu = "criu",
					  .images_dir = "/st/web/images",
					  .work_dir = "/st/web/r1",
					  .log_name = "restore.log",
					  .pidfile = "/st/web/r1/pid",
					  .root = restore_cases[i].root,
					  .detach = restore_cases[i].detach,
					  .opts = &o};

		opts_build(&o, &restore_cases[i].opts);
		check_int(restore_cases[i].name, criu_argv_restore(&req, &out), 0);
		check_argv(restore_cases[i].name, &out, restore_cases[i].want);
		strv_free(&out);
		criu_opts_free(&o);
	}
}

/* migrate's dump and receive's page server: the same two rows, where to. */
static void test_page_server_argv(void **state)
{
	static const char *const want_ps[] = {
		"criu",	     "page-server", "-D",     "/st/r/images", "-W",
		"/st/r",     "-o",	    "ps.log", "-v4",	      "--no-default-config",
		"--address", "10.0.0.2",    "--port", "7000",	      NULL};
	static const char *const want_dump[] = {
		DUMP_HEAD,  "--leave-running", "--page-server", "--address",
		"10.0.0.2", "--port",	       "7000",		NULL};
	struct criu_opts o = {.leave_running = 1, .page_server = 1}, copy;
	struct strv out = {0};
	struct restore_req req = {
		.criu = "criu", .images_dir = "/st/r/images", .work_dir = "/st/r", .opts = &o};
	struct dump_req dreq = {.criu = "/usr/sbin/criu",
				.pid = 42,
				.images_dir = "/st/web/images",
				.work_dir = "/st/web",
				.log_name = "dump.log",
				.opts = &o};

	(void)state;
	assert_int_equal(strv_push(&o.page_server_address, "10.0.0.2"), 0);
	assert_int_equal(strv_push(&o.page_server_port, "7000"), 0);
	assert_int_equal(criu_argv_page_server(&req, "ps.log", &out), 0);
	check_argv("page-server", &out, want_ps);
	strv_free(&out);
	assert_int_equal(criu_opts_copy(&copy, &o), 0);
	criu_opts_free(&o);
	dreq.opts = &copy;
	assert_int_equal(criu_argv_dump(&dreq, &out), 0);
	check_argv("dump --page-server", &out, want_dump);
	strv_free(&out);
	criu_opts_free(&copy);
}

static void test_opts_copy_is_deep(void **state)
{
	static const struct opts_spec spec = {.shell_job = 1,
					      .skip_mnt = {"/x"},
					      .external = {"mnt[/a]:a", "mnt[/b]:b"},
					      .network_lock = "nftables",
					      .manage_cgroups = "soft",
					      .criu_opt = {"-v0"}};
	struct criu_opts src, dst;

	(void)state;
	opts_build(&src, &spec);
	src.timeout = 30;
	src.stall_timeout = 1.5;
	assert_int_equal(criu_opts_copy(&dst, &src), 0);
	criu_opts_free(&src);
	assert_int_equal(dst.shell_job, 1);
	assert_int_equal(dst.skip_mnt.n, 1);
	assert_string_equal(dst.skip_mnt.v[0], "/x");
	assert_int_equal(dst.external.n, 2);
	assert_string_equal(dst.external.v[1], "mnt[/b]:b");
	assert_string_equal(dst.criu_opt.v[0], "-v0");
	assert_string_equal(dst.network_lock, "nftables");
	assert_string_equal(dst.manage_cgroups, "soft");
	assert_true(dst.timeout == 30 && dst.stall_timeout == 1.5);
	criu_opts_free(&dst);
}

static const struct {
	const char *s;
	int network_lock, manage_cgroups;
} mode_cases[] = {
	{"iptables", 1, 0},  {"nftables", 1, 0}, {"skip", 1, 0},     {"none", 0, 1},
	{"props", 0, 1},     {"soft", 0, 1},	 {"full", 0, 1},     {"strict", 0, 1},
	{"ignore", 0, 1},    {"", 0, 0},	 {"IPTABLES", 0, 0}, {"nft", 0, 0},
	{"iptables ", 0, 0}, {"Full", 0, 0},	 {"yes", 0, 0},	     {"skip-mnt", 0, 0},
};

static void test_mode_validators(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mode_cases) / sizeof(mode_cases[0]); i++) {
		check_int(mode_cases[i].s, criu_network_lock_valid(mode_cases[i].s),
			  mode_cases[i].network_lock);
		check_int(mode_cases[i].s, criu_manage_cgroups_valid(mode_cases[i].s),
			  mode_cases[i].manage_cgroups);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_argv),	cmocka_unit_test(test_pre_dump_argv),
		cmocka_unit_test(test_restore_argv),	cmocka_unit_test(test_opts_copy_is_deep),
		cmocka_unit_test(test_mode_validators), cmocka_unit_test(test_page_server_argv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
