/*
 * Unit tests of doctor: version numbers, and the rules of `criuctl check`
 * over tables of facts: the environment (criu and kernel versions, a real
 * failed `criu check`, privileges, the store) and target trees (sessions,
 * task states, resources that need a flag, namespaces, space).
 */
#include "unit.h"

#include "doctor.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

#define CAP_NET_ADMIN	 12
#define CAP_SYS_PTRACE	 19
#define CAP_SYS_ADMIN	 21
#define CAP_SYS_RESOURCE 24
#define ALL_CAPS	 0x1ffffffffffULL

static const struct {
	const char *v;
	long want;
} version_cases[] = {
	{"4.2.1", 4002001},
	{"3.17.1", 3017001},
	{"6.18.44-fc-v595", 6018044},
	{"4.2", 4002000},
	{"4", 4000000},
	{"6.13.0", 6013000},
	{"4.1.1", 4001001},
	{"10.0.0-rc1", 10000000},
	{"", 0},
	{"x", 0},
	{"v4.2.1", 0},
	{"999.999.999", 999999999},
	/* Parts that do not fit the encoding: 0, not a wrong order. */
	{"4.1000", 0},
	{"1000.1", 0},
	{"4.2.1000", 0},
	/* strtol's overflow, then signed overflow in the encoding (UBSan). */
	{"99999999999999999999.1", 0},
	/* fuzz_strings, crash-22d459935babf774fb1332e87e3047c07dcf8ef4: negative */
	{"-8.\24144-fc-v595", 0},
	{"+4.2", 0},
	{" 4.2", 0},
};

static void test_version_number(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(version_cases) / sizeof(version_cases[0]); i++)
		check_int(version_cases[i].v, version_number(version_cases[i].v),
			  version_cases[i].want);
	/* The order that matters: 3.17 < 4.1.1 < 4.2 < 4.2.1; 6.12 < 6.13 < 6.18. */
	assert_true(version_number("3.17.1") < version_number("4.1.1"));
	assert_true(version_number("4.1.1") < version_number("4.2"));
	assert_true(version_number("4.2") < version_number("4.2.1"));
	assert_true(version_number("6.12.9") < version_number("6.13"));
	assert_true(version_number("6.13") < version_number("6.18.44-fc-v595"));
}

/* Every finding has a lowercase-dash id and a message; every non-ok one a remedy. */
static void check_well_formed(const char *row, const struct findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];

		if (!x->id[0] ||
		    strspn(x->id, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(x->id))
			fail_msg("%s: bad id \"%s\"", row, x->id);
		if (!x->message[0])
			fail_msg("%s: %s has no message", row, x->id);
		if (x->level != LEVEL_OK && !x->remedy[0])
			fail_msg("%s: %s is %s without a remedy", row, x->id, level_name(x->level));
	}
}

static size_t count_id(const struct findings *f, const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += strcmp(f->v[i].id, id) == 0;
	return n;
}

/* ---- the environment ---- */

/* A good environment: criu 4.2.1 on 6.18, `criu check` passes, root with every capability. */
static void good_env(struct env_facts *f)
{
	static const char looks_good[] = "Looks good.\n";

	memset(f, 0, sizeof(*f));
	f->criu_found = 1;
	snprintf(f->criu_path, sizeof(f->criu_path), "/usr/sbin/criu");
	snprintf(f->criu_version, sizeof(f->criu_version), "4.2.1");
	snprintf(f->kernel, sizeof(f->kernel), "6.18.44-fc-v595");
	f->criu_check_ran = 1;
	f->criu_check_out = looks_good;
	f->criu_check_len = strlen(looks_good);
	f->dirty_track = 1;
	f->is_root = 1;
	f->cap_eff = ALL_CAPS;
	for (size_t i = 0; i < N_CRIU_FEATURES; i++)
		f->feature[i] = 1;
	f->store_ok = 1;
	snprintf(f->store_root, sizeof(f->store_root), "/var/lib/criuctl");
	f->store_free = 10 * GiB;
}

static void no_criu(struct env_facts *f)
{
	f->criu_found = 0;
	f->criu_version[0] = '\0';
	f->criu_check_ran = 0;
	snprintf(f->criu_error, sizeof(f->criu_error), "criu binary 'criu' not found on PATH");
}
static void criu_3_17(struct env_facts *f)
{
	snprintf(f->criu_version, sizeof(f->criu_version), "3.17.1");
}
static void criu_3_17_old_kernel(struct env_facts *f)
{
	criu_3_17(f);
	snprintf(f->kernel, sizeof(f->kernel), "6.1.0-27-amd64");
}
static void criu_4_1(struct env_facts *f)
{
	snprintf(f->criu_version, sizeof(f->criu_version), "4.1.1");
}
static void unknown_version(struct env_facts *f)
{
	f->criu_version[0] = '\0';
}
static void check_not_run(struct env_facts *f)
{
	f->criu_check_ran = 0;
}
static void no_dirty_track(struct env_facts *f)
{
	f->dirty_track = 0;
}
static void dirty_track_unknown(struct env_facts *f)
{
	f->dirty_track = -1;
}
static void not_root(struct env_facts *f)
{
	f->is_root = 0;
}
static void no_sys_admin(struct env_facts *f)
{
	f->cap_eff &= ~(1ULL << CAP_SYS_ADMIN);
}
static void no_sys_ptrace(struct env_facts *f)
{
	f->cap_eff &= ~(1ULL << CAP_SYS_PTRACE);
}
static void no_sys_resource(struct env_facts *f)
{
	f->cap_eff &= ~(1ULL << CAP_SYS_RESOURCE);
}
static void no_net_admin(struct env_facts *f)
{
	f->cap_eff &= ~(1ULL << CAP_NET_ADMIN);
}
static void no_file_locks(struct env_facts *f)
{
	f->feature[1] = 0; /* fdinfo_lock */
}
static void features_unknown(struct env_facts *f)
{
	for (size_t i = 0; i < N_CRIU_FEATURES; i++)
		f->feature[i] = -1;
}
static void traced(struct env_facts *f)
{
	f->tracer = 77;
}
static void store_broken(struct env_facts *f)
{
	f->store_ok = 0;
	snprintf(f->store_error, sizeof(f->store_error),
		 "mkdir /var/lib/criuctl: Read-only file "
		 "system");
}
static void store_low(struct env_facts *f)
{
	f->store_free = 100 * MiB;
}
static void store_in_ram(struct env_facts *f)
{
	snprintf(f->store_root, sizeof(f->store_root), "/run/criuctl");
	f->store_fallback = 1;
}
static void store_not_yet(struct env_facts *f)
{
	snprintf(f->store_made_in, sizeof(f->store_made_in), "/var/lib");
}

static const struct {
	const char *row;
	void (*edit)(struct env_facts *f); /* NULL: the good environment */
	const char *check_log;		   /* a fixture: `criu check` failed with this output */
	const char *id;			   /* the finding under test */
	enum level level;
	const char *message_has[3];
	const char *absent; /* a finding that must not be there */
	enum level worst;
} env_cases[] = {
	{"good",
	 NULL,
	 NULL,
	 "criu-kernel-compat",
	 LEVEL_OK,
	 {"no known incompatibility between criu 4.2.1 and kernel 6.18.44-fc-v595"},
	 "criu-too-old-for-kernel",
	 LEVEL_OK},
	{"good: criu",
	 NULL,
	 NULL,
	 "criu",
	 LEVEL_OK,
	 {"criu 4.2.1 at /usr/sbin/criu"},
	 "criu-missing",
	 LEVEL_OK},
	{"good: criu check",
	 NULL,
	 NULL,
	 "criu-check",
	 LEVEL_OK,
	 {"looks good"},
	 "mem-dirty-track",
	 LEVEL_OK},
	{"good: privileges",
	 NULL,
	 NULL,
	 "privileges",
	 LEVEL_OK,
	 {"root"},
	 "cap-sys-resource",
	 LEVEL_OK},
	{"good: store",
	 NULL,
	 NULL,
	 "store",
	 LEVEL_OK,
	 {"/var/lib/criuctl", "10.0 GiB free"},
	 "cap-net-admin",
	 LEVEL_OK},
	{"criu missing",
	 no_criu,
	 NULL,
	 "criu-missing",
	 LEVEL_FAIL,
	 {"criu binary 'criu' not found on PATH"},
	 "criu-check",
	 LEVEL_FAIL},
	{"criu missing: no version finding",
	 no_criu,
	 NULL,
	 "criu-missing",
	 LEVEL_FAIL,
	 {""},
	 "criu-kernel-compat",
	 LEVEL_FAIL},
	{"criu 3.17.1 on 6.18",
	 criu_3_17,
	 NULL,
	 "criu-too-old-for-kernel",
	 LEVEL_FAIL,
	 {"criu 3.17.1", "6.18.44-fc-v595", "vdso: Unexpected rt vDSO area bounds"},
	 "criu-kernel-compat",
	 LEVEL_FAIL},
	{"criu 3.17.1 on 6.1",
	 criu_3_17_old_kernel,
	 NULL,
	 "criu-kernel-compat",
	 LEVEL_OK,
	 {"3.17.1", "6.1.0-27-amd64"},
	 "criu-too-old-for-kernel",
	 LEVEL_OK},
	{"criu 4.1.1 on 6.18",
	 criu_4_1,
	 NULL,
	 "criu-too-old-for-kernel",
	 LEVEL_WARN,
	 {"criu 4.1.1", "TCP"},
	 "criu-kernel-compat",
	 LEVEL_WARN},
	{"criu version unknown",
	 unknown_version,
	 NULL,
	 "criu-kernel-compat",
	 LEVEL_WARN,
	 {"cannot compare"},
	 "criu-too-old-for-kernel",
	 LEVEL_WARN},
	{"criu check not run", check_not_run, NULL, "criu", LEVEL_OK, {""}, "criu-check", LEVEL_OK},
	/* The real `criu check` of criu 3.17.1 on 6.18. */
	{"criu check: vdso",
	 criu_3_17,
	 "criu-3.17/check-vdso.log",
	 "criu-check",
	 LEVEL_FAIL,
	 {"criu check failed (exit 1)", "vdso: Unexpected rt vDSO area bounds"},
	 NULL,
	 LEVEL_FAIL},
	/* Without a version to compare, the check's verdict names the incompatibility. */
	{"criu check: vdso, version unknown",
	 unknown_version,
	 "criu-3.17/check-vdso.log",
	 "criu-too-old-for-kernel",
	 LEVEL_FAIL,
	 {"cannot run on kernel 6.18.44-fc-v595", "vdso: Unexpected rt vDSO area bounds"},
	 NULL,
	 LEVEL_FAIL},
	{"no dirty tracking",
	 no_dirty_track,
	 NULL,
	 "mem-dirty-track",
	 LEVEL_WARN,
	 {"no dirty-memory tracking", "pre-dump"},
	 NULL,
	 LEVEL_WARN},
	{"dirty tracking unknown",
	 dirty_track_unknown,
	 NULL,
	 "criu",
	 LEVEL_OK,
	 {""},
	 "mem-dirty-track",
	 LEVEL_OK},
	{"not root",
	 not_root,
	 NULL,
	 "privileges",
	 LEVEL_FAIL,
	 {"not root"},
	 "cap-sys-resource",
	 LEVEL_FAIL},
	{"no CAP_SYS_ADMIN",
	 no_sys_admin,
	 NULL,
	 "privileges",
	 LEVEL_FAIL,
	 {"CAP_SYS_ADMIN"},
	 NULL,
	 LEVEL_FAIL},
	{"no CAP_SYS_PTRACE",
	 no_sys_ptrace,
	 NULL,
	 "privileges",
	 LEVEL_FAIL,
	 {"CAP_SYS_PTRACE"},
	 NULL,
	 LEVEL_FAIL},
	{"no CAP_SYS_RESOURCE",
	 no_sys_resource,
	 NULL,
	 "cap-sys-resource",
	 LEVEL_WARN,
	 {"CAP_SYS_RESOURCE is missing", "rlimit"},
	 NULL,
	 LEVEL_WARN},
	{"no CAP_SYS_RESOURCE: privileges still ok",
	 no_sys_resource,
	 NULL,
	 "privileges",
	 LEVEL_OK,
	 {""},
	 NULL,
	 LEVEL_WARN},
	{"no CAP_NET_ADMIN",
	 no_net_admin,
	 NULL,
	 "cap-net-admin",
	 LEVEL_WARN,
	 {"CAP_NET_ADMIN is missing"},
	 NULL,
	 LEVEL_WARN},
	{"good: a feature the flags need",
	 NULL,
	 NULL,
	 "feature-fdinfo-lock",
	 LEVEL_OK,
	 {"criu check --feature fdinfo_lock: supported (used by --file-locks)"},
	 NULL,
	 LEVEL_OK},
	{"a feature not supported",
	 no_file_locks,
	 NULL,
	 "feature-fdinfo-lock",
	 LEVEL_WARN,
	 {"criu check --feature fdinfo_lock: not supported here: --file-locks will fail"},
	 NULL,
	 LEVEL_WARN},
	{"features unknown (criu check failed): no feature finding",
	 features_unknown,
	 NULL,
	 "criu",
	 LEVEL_OK,
	 {""},
	 "feature-network-lock-nftables",
	 LEVEL_OK},
	{"criuctl under a tracer",
	 traced,
	 NULL,
	 "criuctl-traced",
	 LEVEL_WARN,
	 {"traced by pid 77", "ptrace-not-permitted"},
	 NULL,
	 LEVEL_WARN},
	{"not traced: no such finding",
	 NULL,
	 NULL,
	 "privileges",
	 LEVEL_OK,
	 {""},
	 "criuctl-traced",
	 LEVEL_OK},
	{"store not usable",
	 store_broken,
	 NULL,
	 "store",
	 LEVEL_FAIL,
	 {"/var/lib/criuctl", "Read-only file system"},
	 NULL,
	 LEVEL_FAIL},
	{"store low on space",
	 store_low,
	 NULL,
	 "store",
	 LEVEL_WARN,
	 {"0.1 GiB free"},
	 NULL,
	 LEVEL_WARN},
	{"the built-in store fell back to RAM",
	 store_in_ram,
	 NULL,
	 "store",
	 LEVEL_WARN,
	 {"store /run/criuctl is in RAM", "/var/lib/criuctl cannot be made",
	  "lost when the guest stops"},
	 NULL,
	 LEVEL_WARN},
	{"store not made yet",
	 store_not_yet,
	 NULL,
	 "store",
	 LEVEL_OK,
	 {"is made by the first dump: /var/lib is writable", "10.0 GiB free"},
	 NULL,
	 LEVEL_OK},
};

static void test_env(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(env_cases) / sizeof(env_cases[0]); i++) {
		const char *row = env_cases[i].row;
		struct env_facts f;
		struct findings out = {0};
		const struct finding *x;
		char *log = NULL;
		size_t len;

		good_env(&f);
		if (env_cases[i].edit)
			env_cases[i].edit(&f);
		if (env_cases[i].check_log) {
			log = fixture_read(env_cases[i].check_log, &len);
			f.criu_check_status = 1;
			f.criu_check_out = log;
			f.criu_check_len = len;
		}
		check_int(row, doctor_env(&f, &out), 0);
		check_well_formed(row, &out);
		x = findings_get(&out, env_cases[i].id);
		if (!x)
			fail_msg("%s: no finding %s", row, env_cases[i].id);
		check_int(row, x->level, env_cases[i].level);
		for (size_t k = 0; k < 3 && env_cases[i].message_has[k]; k++)
			if (!strstr(x->message, env_cases[i].message_has[k]))
				fail_msg("%s: %s says \"%s\", not \"%s\"", row, x->id, x->message,
					 env_cases[i].message_has[k]);
		if (env_cases[i].absent && findings_get(&out, env_cases[i].absent))
			fail_msg("%s: unexpected finding %s: %s", row, env_cases[i].absent,
				 findings_get(&out, env_cases[i].absent)->message);
		check_int(row, count_id(&out, env_cases[i].id), 1);
		check_int(row, findings_worst(&out), env_cases[i].worst);
		/* Target flags are for target findings only. */
		for (size_t k = 0; k < out.n; k++)
			check_str(row, out.v[k].flag, "");
		findings_free(&out);
		free(log);
	}
}

/* criu 3.17.1's failed `criu check` quotes the vdso line, once, and says
 * the incompatibility once: the version rule and the check agree. */
static void test_env_vdso_check(void **state)
{
	struct env_facts f;
	struct findings out = {0};
	size_t len;
	char *log = fixture_read("criu-3.17/check-vdso.log", &len);
	const struct finding *x;

	(void)state;
	good_env(&f);
	criu_3_17(&f);
	f.criu_check_status = 1;
	f.criu_check_out = log;
	f.criu_check_len = len;
	assert_int_equal(doctor_env(&f, &out), 0);
	x = findings_get(&out, "criu-check");
	assert_non_null(x);
	assert_string_equal(x->message,
			    "criu check failed (exit 1): This criu is too old for the running "
			    "kernel. -- vdso: Unexpected rt vDSO area bounds");
	assert_int_equal(count_id(&out, "criu-too-old-for-kernel"), 1);
	assert_int_equal(findings_get(&out, "criu-too-old-for-kernel")->level, LEVEL_FAIL);
	findings_free(&out);
	free(log);
}

/* ---- the target tree ---- */

/* A plain task: its own session leader, in its pid namespace, running. */
#define TASK(p, c)                                                                                 \
	{                                                                                          \
		.pid = (p), .ppid = 1, .comm = (c), .state = 'S', .sid_inner = (p), .sid = (p)     \
	}

static const struct target_case {
	const char *row;
	struct target_task tasks[3];
	size_t n;
	int sid_in_tree;
	int mntns_differs;
	const char *ext_mounts[3];
	int pidns_differs;
	const char *pidns_others[3];
	const char *repair_left[3], *locks_left[2];
	unsigned long long rss, store_free;
	int store_free_known;
	/* the finding under test */
	const char *id;
	enum level level;
	const char *flag; /* NULL: none */
	const char *message;
	const char *absent; /* a finding that must not be there */
} target_cases[] = {
	{"plain tree",
	 {TASK(14, "sh")},
	 1,
	 1,
	 .id = "tree",
	 .level = LEVEL_OK,
	 .message = "tree 14 (sh): 1 process",
	 .absent = "shell-job-needed"},
	{"plain tree: session",
	 {TASK(14, "sh"), TASK(15, "sleep")},
	 2,
	 1,
	 .id = "session",
	 .level = LEVEL_OK,
	 .message = "the tree has its own session (leader 14)",
	 .absent = "session-leader-outside-pidns"},
	{"two processes",
	 {TASK(14, "sh"), TASK(15, "sleep")},
	 2,
	 1,
	 .id = "tree",
	 .level = LEVEL_OK,
	 .message = "tree 14 (sh): 2 processes"},
	/* NSsid unknown (an old kernel): not taken for "outside". */
	{"NSsid unknown",
	 {{.pid = 14, .comm = "sh", .state = 'S', .sid_inner = -1, .sid = 14}},
	 1,
	 1,
	 .id = "session",
	 .level = LEVEL_OK,
	 .message = "the tree has its own session (leader 14)"},
	{"session leader outside the pid ns",
	 {{.pid = 14, .comm = "sh", .state = 'S', .sid_inner = 0, .sid = 14}},
	 1,
	 1,
	 .id = "session-leader-outside-pidns",
	 .level = LEVEL_FAIL,
	 .message = "the session leader of 14 (sh) is outside its pid namespace: CRIU cannot "
		    "dump it, with or without --shell-job",
	 .absent = "shell-job-needed"},
	/* Kata 2.5-4.0: the container's init in kata-agent's session. */
	{"session held by kata-agent",
	 {{.pid = 231,
	   .comm = "python3",
	   .state = 'S',
	   .sid_inner = 0,
	   .sid = 216,
	   .sid_comm = "kata-agent"}},
	 1,
	 0,
	 .id = "kata-agent-session",
	 .level = LEVEL_FAIL,
	 .message = "the session leader of 231 (python3) is kata-agent (pid 216), outside the "
		    "container's pid namespace: Kata 2.5 to 4.0 start a container without a "
		    "terminal in the agent's session, and CRIU cannot dump it, with or without "
		    "--shell-job",
	 .absent = "session-leader-outside-pidns"},
	{"session outside held by another process",
	 {{.pid = 231,
	   .comm = "python3",
	   .state = 'S',
	   .sid_inner = 0,
	   .sid = 216,
	   .sid_comm = "bash"}},
	 1,
	 0,
	 .id = "session-leader-outside-pidns",
	 .level = LEVEL_FAIL,
	 .message = "the session leader of 231 (python3) is outside its pid namespace: CRIU "
		    "cannot dump it, with or without --shell-job",
	 .absent = "kata-agent-session"},
	{"session leader outside the tree",
	 {{.pid = 17, .comm = "sh", .state = 'S', .sid_inner = 14, .sid = 14}},
	 1,
	 0,
	 .id = "shell-job-needed",
	 .level = LEVEL_WARN,
	 .flag = "shell_job",
	 .message = "the session leader of 17 (session 14) is not in the tree",
	 .absent = "session"},
	{"vfork parent in D",
	 {TASK(14, "sh"),
	  {.pid = 15,
	   .comm = "vfork-hang",
	   .state = 'D',
	   .wchan = "kernel_clone",
	   .sid_inner = 14,
	   .sid = 14}},
	 2,
	 1,
	 .id = "task-uninterruptible",
	 .level = LEVEL_FAIL,
	 .message = "task 15 (vfork-hang) is in uninterruptible sleep (state D, kernel_clone): "
		    "probably a vfork parent"},
	{"D without wchan",
	 {{.pid = 14, .comm = "dd", .state = 'D', .sid_inner = 14, .sid = 14}},
	 1,
	 1,
	 .id = "task-uninterruptible",
	 .level = LEVEL_FAIL,
	 .message = "task 14 (dd) is in uninterruptible sleep (state D)"},
	{"D in I/O",
	 {{.pid = 14,
	   .comm = "dd",
	   .state = 'D',
	   .wchan = "io_schedule",
	   .sid_inner = 14,
	   .sid = 14}},
	 1,
	 1,
	 .id = "task-uninterruptible",
	 .level = LEVEL_FAIL,
	 .message = "task 14 (dd) is in uninterruptible sleep (state D, io_schedule)"},
	{"traced",
	 {{.pid = 14, .comm = "sh", .state = 'S', .tracer = 99, .sid_inner = 14, .sid = 14}},
	 1,
	 1,
	 .id = "task-traced",
	 .level = LEVEL_FAIL,
	 .message = "task 14 (sh) is traced by pid 99",
	 .absent = "task-stopped"},
	/* Stopped by its tracer: the tracer is the problem. */
	{"traced, in tracing stop",
	 {{.pid = 14, .comm = "sh", .state = 't', .tracer = 99, .sid_inner = 14, .sid = 14}},
	 1,
	 1,
	 .id = "task-traced",
	 .level = LEVEL_FAIL,
	 .message = "task 14 (sh) is traced by pid 99",
	 .absent = "task-stopped"},
	{"stopped",
	 {{.pid = 14, .comm = "sh", .state = 'T', .sid_inner = 14, .sid = 14}},
	 1,
	 1,
	 .id = "task-stopped",
	 .level = LEVEL_WARN,
	 .message = "task 14 (sh) is stopped",
	 .absent = "task-traced"},
	{"zombie child",
	 {TASK(14, "sh"), {.pid = 15, .comm = "true", .state = 'Z', .sid_inner = 14, .sid = 14}},
	 2,
	 1,
	 .id = "task-zombie",
	 .level = LEVEL_WARN,
	 .message = "task 15 (true) is a zombie"},
	{"one TCP connection",
	 {{.pid = 14,
	   .comm = "py",
	   .state = 'S',
	   .sid_inner = 14,
	   .sid = 14,
	   .tcp_established = 1}},
	 1,
	 1,
	 .id = "tcp-established",
	 .level = LEVEL_WARN,
	 .flag = "tcp_established",
	 .message = "1 established TCP connection"},
	{"TCP connections summed over the tree",
	 {{.pid = 14, .comm = "py", .state = 'S', .sid_inner = 14, .sid = 14, .tcp_established = 1},
	  {.pid = 15,
	   .comm = "py",
	   .state = 'S',
	   .sid_inner = 14,
	   .sid = 14,
	   .tcp_established = 2}},
	 2,
	 1,
	 .id = "tcp-established",
	 .level = LEVEL_WARN,
	 .flag = "tcp_established",
	 .message = "3 established TCP connections"},
	{"one external unix peer",
	 {{.pid = 18,
	   .comm = "client",
	   .state = 'S',
	   .sid_inner = 18,
	   .sid = 18,
	   .unix_ext_peer = 1}},
	 1,
	 1,
	 .id = "ext-unix-sk",
	 .level = LEVEL_WARN,
	 .flag = "ext_unix_sk",
	 .message = "1 unix socket connected to a peer outside the tree"},
	{"two external unix peers",
	 {{.pid = 18,
	   .comm = "client",
	   .state = 'S',
	   .sid_inner = 18,
	   .sid = 18,
	   .unix_ext_peer = 2}},
	 1,
	 1,
	 .id = "ext-unix-sk",
	 .level = LEVEL_WARN,
	 .flag = "ext_unix_sk",
	 .message = "2 unix sockets connected to a peer outside the tree"},
	{"one lock",
	 {{.pid = 14, .comm = "flock", .state = 'S', .sid_inner = 14, .sid = 14, .locks = 1}},
	 1,
	 1,
	 .id = "file-locks",
	 .level = LEVEL_WARN,
	 .flag = "file_locks",
	 .message = "1 file lock held"},
	{"two locks",
	 {{.pid = 14, .comm = "flock", .state = 'S', .sid_inner = 14, .sid = 14, .locks = 1},
	  {.pid = 15, .comm = "flock", .state = 'S', .sid_inner = 14, .sid = 14, .locks = 1}},
	 2,
	 1,
	 .id = "file-locks",
	 .level = LEVEL_WARN,
	 .flag = "file_locks",
	 .message = "2 file locks held"},
	{"controlling tty, one task",
	 {{.pid = 14, .comm = "sh", .state = 'S', .sid_inner = 14, .sid = 14, .tty_nr = 34816}},
	 1,
	 1,
	 .id = "controlling-tty",
	 .level = LEVEL_WARN,
	 .flag = "shell_job",
	 .message = "1 task of the tree has a controlling terminal"},
	{"controlling tty, two tasks",
	 {{.pid = 14, .comm = "sh", .state = 'S', .sid_inner = 14, .sid = 14, .tty_nr = 34816},
	  {.pid = 15, .comm = "vi", .state = 'S', .sid_inner = 14, .sid = 14, .tty_nr = 34816}},
	 2,
	 1,
	 .id = "controlling-tty",
	 .level = LEVEL_WARN,
	 .flag = "shell_job",
	 .message = "2 tasks of the tree have a controlling terminal"},
	{"one external mount",
	 {TASK(16, "sh")},
	 1,
	 1,
	 .mntns_differs = 1,
	 .ext_mounts = {"/etc/hosts"},
	 .id = "external-mount",
	 .level = LEVEL_WARN,
	 .flag = "external",
	 .message = "1 mount of the tree comes from outside its mount namespace: /etc/hosts"},
	{"two external mounts",
	 {TASK(16, "sh")},
	 1,
	 1,
	 .mntns_differs = 1,
	 .ext_mounts = {"/etc/hosts", "/etc/resolv.conf"},
	 .id = "external-mount",
	 .level = LEVEL_WARN,
	 .flag = "external",
	 .message = "2 mounts of the tree come from outside its mount namespace: /etc/hosts, ..."},
	/* In criuctl's own mount namespace, bind mounts are no one's business. */
	{"bind mounts, same mount ns",
	 {TASK(16, "sh")},
	 1,
	 1,
	 .ext_mounts = {"/etc/hosts"},
	 .id = "tree",
	 .level = LEVEL_OK,
	 .message = "tree 16 (sh): 1 process",
	 .absent = "external-mount"},
	{"one outsider in the pid ns",
	 {TASK(16, "sh")},
	 1,
	 1,
	 .pidns_differs = 1,
	 .pidns_others = {"23 bash"},
	 .id = "pidns-outsiders",
	 .level = LEVEL_WARN,
	 .message = "1 process shares the tree's pid namespace but not the tree (joined from "
		    "outside): 23 bash"},
	{"two outsiders in the pid ns",
	 {TASK(16, "sh")},
	 1,
	 1,
	 .pidns_differs = 1,
	 .pidns_others = {"23 bash", "24 sleep"},
	 .id = "pidns-outsiders",
	 .level = LEVEL_WARN,
	 .message = "2 processes share the tree's pid namespace but not the tree (joined "
		    "from outside): 23 bash, ..."},
	{"others, same pid ns",
	 {TASK(16, "sh")},
	 1,
	 1,
	 .pidns_others = {"23 bash"},
	 .id = "tree",
	 .level = LEVEL_OK,
	 .message = "tree 16 (sh): 1 process",
	 .absent = "pidns-outsiders"},
	{"a socket left in repair mode",
	 {TASK(14, "python3")},
	 1,
	 1,
	 .repair_left = {"pid 14 fd 4"},
	 .id = "tcp-repair-left",
	 .level = LEVEL_WARN,
	 .message = "1 TCP socket of the tree is in repair mode (pid 14 fd 4): every recv() on it "
		    "fails with EPERM"},
	{"two sockets left in repair mode",
	 {TASK(14, "python3")},
	 1,
	 1,
	 .repair_left = {"pid 14 fd 4", "pid 14 fd 5"},
	 .id = "tcp-repair-left",
	 .level = LEVEL_WARN,
	 .message = "2 TCP sockets of the tree are in repair mode (pid 14 fd 4, ...): every recv() "
		    "on them fails with EPERM"},
	{"a lock left in the tree's network namespace",
	 {TASK(16, "sh")},
	 1,
	 1,
	 .locks_left = {"inet CRIU-0d11f73c-c60b-479f-98"},
	 .id = "criu-lock-left",
	 .level = LEVEL_WARN,
	 .message =
		 "the tree's network namespace holds criu's network lock (inet "
		 "CRIU-0d11f73c-c60b-479f-98), left by a criu that did not finish: its traffic is "
		 "dropped"},
	{"nothing left",
	 {TASK(16, "sh")},
	 1,
	 1,
	 .id = "tree",
	 .level = LEVEL_OK,
	 .message = "tree 16 (sh): 1 process",
	 .absent = "criu-lock-left"},
	{"memory fits",
	 {TASK(14, "sh")},
	 1,
	 1,
	 .rss = 512 * MiB,
	 .store_free = GiB,
	 .store_free_known = 1,
	 .id = "space",
	 .level = LEVEL_OK,
	 .message = "the tree's memory (512.0 MiB) fits the store (1024.0 MiB free)",
	 .absent = "no-space"},
	{"memory does not fit",
	 {TASK(14, "sh")},
	 1,
	 1,
	 .rss = 2 * GiB,
	 .store_free = GiB,
	 .store_free_known = 1,
	 .id = "no-space",
	 .level = LEVEL_FAIL,
	 .message = "the tree's memory (2048.0 MiB) does not fit the store's free space "
		    "(1024.0 MiB)",
	 .absent = "space"},
	{"free space unknown",
	 {TASK(14, "sh")},
	 1,
	 1,
	 .rss = 2 * GiB,
	 .id = "tree",
	 .level = LEVEL_OK,
	 .message = "tree 14 (sh): 1 process",
	 .absent = "no-space"},
	{"no such process",
	 {{0}},
	 0,
	 0,
	 .id = "no-such-process",
	 .level = LEVEL_FAIL,
	 .message = "process 4242 does not exist",
	 .absent = "tree"},
};

static void target_facts_of(const struct target_case *c, struct target_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->root = c->n ? c->tasks[0].pid : 4242;
	f->tasks = c->tasks;
	f->n = c->n;
	f->sid_in_tree = c->sid_in_tree;
	f->mntns_differs = c->mntns_differs;
	f->ext = calloc(3, sizeof(*f->ext));
	assert_non_null(f->ext);
	for (; f->n_ext < 3 && c->ext_mounts[f->n_ext]; f->n_ext++) {
		struct ext_mount *m = &f->ext[f->n_ext];

		snprintf(m->point, sizeof(m->point), "%s", c->ext_mounts[f->n_ext]);
		mountinfo_key(m->point, m->key, sizeof(m->key));
	}
	f->pidns_differs = c->pidns_differs;
	for (size_t i = 0; i < 3 && c->pidns_others[i]; i++)
		assert_int_equal(strv_push(&f->pidns_others, c->pidns_others[i]), 0);
	for (size_t i = 0; i < 3 && c->repair_left[i]; i++)
		assert_int_equal(strv_push(&f->repair_left, c->repair_left[i]), 0);
	for (size_t i = 0; i < 2 && c->locks_left[i]; i++)
		assert_int_equal(strv_push(&f->locks_left, c->locks_left[i]), 0);
	f->rss = c->rss;
	f->store_free = c->store_free;
	f->store_free_known = c->store_free_known;
}

static void test_target(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(target_cases) / sizeof(target_cases[0]); i++) {
		const struct target_case *c = &target_cases[i];
		struct target_facts f;
		struct findings out = {0};
		const struct finding *x;

		target_facts_of(c, &f);
		check_int(c->row, doctor_target(&f, &out), 0);
		check_well_formed(c->row, &out);
		x = findings_get(&out, c->id);
		if (!x)
			fail_msg("%s: no finding %s", c->row, c->id);
		check_int(c->row, x->level, c->level);
		check_str(c->row, x->flag, c->flag ? c->flag : "");
		check_str(c->row, x->message, c->message);
		check_int(c->row, count_id(&out, c->id), 1);
		if (c->absent && findings_get(&out, c->absent))
			fail_msg("%s: unexpected finding %s: %s", c->row, c->absent,
				 findings_get(&out, c->absent)->message);
		/* The tree finding (or no-such-process alone) comes first. */
		check_str(c->row, out.v[0].id, c->n ? "tree" : "no-such-process");
		if (!c->n)
			check_int(c->row, out.n, 1);
		/* The worst level is what the preflight acts on. */
		if (c->level == LEVEL_FAIL)
			check_int(c->row, findings_worst(&out), LEVEL_FAIL);
		if (!strcmp(c->id, "criu-lock-left") &&
		    strcmp(x->remedy, "Remove it: nsenter -t 16 -n nft delete table inet "
				      "CRIU-0d11f73c-c60b-479f-98") != 0)
			fail_msg("%s: remedy \"%s\"", c->row, x->remedy);
		free(f.ext);
		strv_free(&f.pidns_others);
		strv_free(&f.repair_left);
		strv_free(&f.locks_left);
		findings_free(&out);
	}
}

/* One finding per bad task: two tasks in D give two findings. */
static void test_target_each_task(void **state)
{
	const struct target_task tasks[] = {
		TASK(14, "sh"),
		{.pid = 15, .comm = "a", .state = 'D', .sid_inner = 14, .sid = 14},
		{.pid = 16, .comm = "b", .state = 'D', .sid_inner = 14, .sid = 14},
		{.pid = 17, .comm = "c", .state = 'Z', .sid_inner = 14, .sid = 14},
	};
	struct target_facts f = {.root = 14, .tasks = tasks, .n = 4, .sid_in_tree = 1};
	struct findings out = {0};

	(void)state;
	assert_int_equal(doctor_target(&f, &out), 0);
	assert_int_equal(count_id(&out, "task-uninterruptible"), 2);
	assert_int_equal(count_id(&out, "task-zombie"), 1);
	assert_int_equal(findings_worst(&out), LEVEL_FAIL);
	findings_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_number),	 cmocka_unit_test(test_env),
		cmocka_unit_test(test_env_vdso_check),	 cmocka_unit_test(test_target),
		cmocka_unit_test(test_target_each_task),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
