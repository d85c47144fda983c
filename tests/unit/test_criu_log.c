/*
 * Unit tests of criu_log: line parsing, harmless probes, the decisive lines
 * and success detection, on synthetic lines and on the real CRIU logs of
 * tests/fixtures.
 */
#include "unit.h"

#include "criu_log.h"

#define SRC_100                                                                                    \
	"criu/"                                                                                    \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"     \
	"aaaaaaaaa.c:1"

static const struct {
	const char *line;
	int has_ts;
	double ts;
	int pid;
	enum log_level level;
	const char *src;
	const char *msg;
} line_cases[] = {
	{"(00.026290) Error (criu/cr-dump.c:1528): A session leader of 14(14) is outside of its "
	 "pid "
	 "namespace",
	 1, 0.02629, 0, LOG_ERROR, "criu/cr-dump.c:1528",
	 "A session leader of 14(14) is outside of its pid namespace"},
	{"(10.025632) Error (criu/cr-dump.c:1655): Timeout reached. Try to interrupt: 0", 1,
	 10.025632, 0, LOG_ERROR, "criu/cr-dump.c:1655", "Timeout reached. Try to interrupt: 0"},
	{"(00.012345)      1: Error (criu/x.c:1): msg", 1, 0.012345, 1, LOG_ERROR, "criu/x.c:1",
	 "msg"},
	{"(00.001528)     14: timens: monotonic -1 984788325", 1, 0.001528, 14, LOG_INFO, "",
	 "timens: monotonic -1 984788325"},
	{"(00.071927) Warn  (compel/arch/x86/src/lib/infect.c:419): Will restore 15 with "
	 "interrupted system call",
	 1, 0.071927, 0, LOG_WARN, "compel/arch/x86/src/lib/infect.c:419",
	 "Will restore 15 with interrupted system call"},
	{"Warn  (criu/config.c:1063): --network-lock will be ignored in restore command", 0, 0, 0,
	 LOG_WARN, "criu/config.c:1063", "--network-lock will be ignored in restore command"},
	{"Error (criu/x.c:2): no timestamp", 0, 0, 0, LOG_ERROR, "criu/x.c:2", "no timestamp"},
	{"(00.031177) fault: CRIU sudden detach", 1, 0.031177, 0, LOG_INFO, "",
	 "fault: CRIU sudden detach"},
	{"(10.025788) \tUnseizing 15 into 1", 1, 10.025788, 0, LOG_INFO, "",
	 "\tUnseizing 15 into 1"},
	{"sh: 1: iptables: not found", 0, 0, 0, LOG_INFO, "", "sh: 1: iptables: not found"},
	{"pie: 14: Trimmed message received (12/0)", 0, 0, 0, LOG_INFO, "",
	 "pie: 14: Trimmed message received (12/0)"},
	{"", 0, 0, 0, LOG_INFO, "", ""},
	{"    ", 0, 0, 0, LOG_INFO, "", ""},
	{"garbage ((( ))) :::", 0, 0, 0, LOG_INFO, "", "garbage ((( ))) :::"},
	{"(12.5 unterminated", 0, 0, 0, LOG_INFO, "", "(12.5 unterminated"},
	{"() empty stamp", 0, 0, 0, LOG_INFO, "", "() empty stamp"},
	{"(00.000100)", 1, 0.0001, 0, LOG_INFO, "", ""},
	{"(00.000100) Error", 1, 0.0001, 0, LOG_INFO, "", "Error"},
	{"(00.000100) Error (criu/x.c:1)", 1, 0.0001, 0, LOG_INFO, "", "Error (criu/x.c:1)"},
	{"(00.000100) Error: not a tag", 1, 0.0001, 0, LOG_INFO, "", "Error: not a tag"},
	{"(00.000100) Errors (x.c:1): not a tag", 1, 0.0001, 0, LOG_INFO, "",
	 "Errors (x.c:1): not a tag"},
	{"(00.000100) 14:no space", 1, 0.0001, 0, LOG_INFO, "", "14:no space"},
	/* More digits than any pid: text, not a pid prefix. */
	{"(00.000100) 123456789012: x", 1, 0.0001, 0, LOG_INFO, "", "123456789012: x"},
	{"Error (" SRC_100 "): long source", 0, 0, 0, LOG_ERROR,
	 "criu/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "long source"},
};

static void test_parse_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const char *row = line_cases[i].line;
		struct log_line l;
		char msg[256];

		criu_log_parse_line(row, strlen(row), &l);
		check_int(row, l.has_ts, line_cases[i].has_ts);
		if (l.has_ts && (l.ts < line_cases[i].ts - 1e-9 || l.ts > line_cases[i].ts + 1e-9))
			fail_msg("%s: ts is %f, want %f", row, l.ts, line_cases[i].ts);
		check_int(row, l.pid, line_cases[i].pid);
		check_int(row, l.level, line_cases[i].level);
		check_str(row, l.src, line_cases[i].src);
		/* msg points into the line itself. */
		if (l.msg < row || l.msg + l.msg_len != row + strlen(row))
			fail_msg("%s: msg does not end the line", row);
		snprintf(msg, sizeof(msg), "%.*s", (int)l.msg_len, l.msg);
		check_str(row, msg, line_cases[i].msg);
	}
}

/* The line ends at len: nothing past it is read. */
static void test_parse_line_bounded(void **state)
{
	static const char text[] = "(00.5) Error (a.c:1): hello world";
	struct log_line l;

	(void)state;
	criu_log_parse_line(text, strlen("(00.5) Error (a.c:1): hello"), &l);
	assert_int_equal(l.level, LOG_ERROR);
	assert_int_equal(l.msg_len, 5);
	assert_memory_equal(l.msg, "hello", 5);

	/* Cut inside the tag: not an error line. */
	criu_log_parse_line(text, strlen("(00.5) Error (a.c:1)"), &l);
	assert_int_equal(l.level, LOG_INFO);
	assert_int_equal(l.msg_len, strlen("Error (a.c:1)"));

	criu_log_parse_line(text, 3, &l);
	assert_int_equal(l.has_ts, 0);
	assert_int_equal(l.msg_len, 3);
}

static const struct {
	const char *line;
	int harmless;
} harmless_cases[] = {
	{"(00.001595) Error (criu/tun.c:85): tun: Unable to create tun: No such file or directory",
	 1},
	{"(00.028025) Error (criu/util.c:1534): rlimit: Can't setup RLIMIT_NOFILE for self: "
	 "Operation not permitted",
	 1},
	{"(00.000761)      1: Error (criu/util.c:1534): rlimit: Can't setup RLIMIT_NOFILE for "
	 "self: "
	 "Operation not permitted",
	 1},
	{"(00.026290) Error (criu/cr-dump.c:1528): A session leader of 14(14) is outside of its "
	 "pid "
	 "namespace",
	 0},
	{"(00.036538) Error (criu/util.c:657): exited, status=127", 0},
	{"(00.036551) Error (criu/netfilter.c:105): Iptables configuration failed", 0},
	{"(00.001272) Error (criu/cr-restore.c:1237): Can't fork for 14: File exists", 0},
	{"(00.001294) Error (criu/cr-restore.c:2331): Restoring FAILED.", 0},
	{"", 0},
};

static void test_harmless(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(harmless_cases) / sizeof(harmless_cases[0]); i++) {
		struct log_line l;

		criu_log_parse_line(harmless_cases[i].line, strlen(harmless_cases[i].line), &l);
		check_int(harmless_cases[i].line, criu_log_harmless(&l),
			  harmless_cases[i].harmless);
	}
}

/*
 * Every fixture log: whether it succeeded and its decisive lines (max 8).
 * A log without decisive errors gives its last 8 lines: only the last one is
 * spelled out (last_only).
 */
static const struct {
	const char *file;
	int succeeded;
	int last_only;
	const char *decisive[9];
} fixture_cases[] = {
	{"criu-4.2.1/dump-ok.log", 1, 1, {"Dumping finished successfully", NULL}},
	{"criu-4.2.1/dump-tcp-ok.log", 1, 1, {"Dumping finished successfully", NULL}},
	{"criu-4.2.1/restore-ok.log", 1, 1, {"Running post-resume scripts", NULL}},
	{"criu-4.2.1/restore-tcp-ok.log", 1, 1, {"Running post-resume scripts", NULL}},
	{"criu-4.2.1/dump-session-leader.log",
	 0,
	 0,
	 {"A session leader of 14(14) is outside of its pid namespace", NULL}},
	{"criu-4.2.1/dump-tcp-no-established.log",
	 0,
	 0,
	 {"inet: Connected TCP socket, consider using --tcp-established option.",
	  "Dump files (pid: 14) failed with -1", NULL}},
	{"criu-4.2.1/dump-tcp-iptables.log",
	 0,
	 0,
	 {"exited, status=127", "Iptables configuration failed",
	  "tcp: Failed to lock TCP connection 5387", "Dump files (pid: 14) failed with -1", NULL}},
	{"criu-4.2.1/dump-vfork-dstate.log",
	 0,
	 0,
	 {"Timeout reached. Try to interrupt: 0",
	  "Unseizable non-zombie 15 found, state D, err -1/4",
	  "Unable to detach from 15: No such process", NULL}},
	/* No Error line at all: the log just stops. */
	{"criu-4.2.1/dump-fault-detach.log",
	 0,
	 0,
	 {"pie: 14: Daemon waits for command", "Wait for parasite being daemonized...",
	  "Wait for ack 2 on daemon socket", "Fetched ack: 2 2 0",
	  "Parasite 14 has been switched to daemon mode", "fault: CRIU sudden detach",
	  "pie: 14: Trimmed message received (12/0)",
	  "pie: 14: 14: new_sp=0x7fd146ff8fc8 ip 0x7fd147096a00", NULL}},
	{"criu-4.2.1/restore-pid-in-use.log", 0, 0, {"Can't fork for 14: File exists", NULL}},
	/* Its two "exited, status=1" lines are probes criu_log_harmless() does not know. */
	{"criu-3.17/check-vdso.log",
	 0,
	 0,
	 {"exited, status=1", "exited, status=1", "vdso: Unexpected rt vDSO area bounds",
	  "vdso: Failed to fill self vdso symtable",
	  "kerndat_vdso_fill_symtable failed when initializing kerndat.",
	  "Could not initialize kernel features detection.", NULL}},
};

static void check_fixture_decisive(size_t i, const struct strv *out)
{
	const char *row = fixture_cases[i].file;
	const char *const *want = fixture_cases[i].decisive;
	size_t n = 0;

	/* No probe line ever decides anything. */
	for (size_t k = 0; k < out->n; k++)
		if (strstr(out->v[k], "tun: Unable") || strstr(out->v[k], "RLIMIT_NOFILE"))
			fail_msg("%s: harmless line \"%s\" is decisive", row, out->v[k]);
	if (fixture_cases[i].last_only) {
		check_int(row, out->n, 8);
		check_str(row, out->v[7], want[0]);
		return;
	}
	for (; want[n]; n++)
		check_str(row, n < out->n ? out->v[n] : NULL, want[n]);
	check_int(row, out->n, n);
}

static void test_fixture_logs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fixture_cases) / sizeof(fixture_cases[0]); i++) {
		const char *row = fixture_cases[i].file;
		struct strv out = {0};
		size_t len;
		char *log = fixture_read(row, &len);

		check_int(row, criu_log_succeeded(log, len), fixture_cases[i].succeeded);
		check_int(row, criu_log_decisive(log, len, 8, &out), out.n);
		check_fixture_decisive(i, &out);
		strv_free(&out);
		free(log);
	}
}

static void test_decisive_max(void **state)
{
	struct strv out = {0};
	size_t len;
	char *log = fixture_read("criu-4.2.1/dump-tcp-iptables.log", &len);

	(void)state;
	/* The first errors are kept: they are the causes. */
	assert_int_equal(criu_log_decisive(log, len, 2, &out), 2);
	assert_string_equal(out.v[0], "exited, status=127");
	assert_string_equal(out.v[1], "Iptables configuration failed");
	strv_free(&out);
	assert_int_equal(criu_log_decisive(log, len, 0, &out), 0);
	assert_int_equal(out.n, 0);
	strv_free(&out);
	free(log);

	/* The fallback keeps the last lines. */
	log = fixture_read("criu-4.2.1/dump-ok.log", &len);
	assert_int_equal(criu_log_decisive(log, len, 1, &out), 1);
	assert_string_equal(out.v[0], "Dumping finished successfully");
	assert_null(out.v[1]);
	strv_free(&out);
	free(log);
}

/* Lines already in out stay; only the added lines count. */
static void test_decisive_appends(void **state)
{
	struct strv out = {0};
	size_t len;
	char *log = fixture_read("criu-4.2.1/dump-session-leader.log", &len);

	(void)state;
	strv_push(&out, "earlier");
	assert_int_equal(criu_log_decisive(log, len, 8, &out), 1);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[0], "earlier");
	assert_string_equal(out.v[1], "A session leader of 14(14) is outside of its pid namespace");
	free(log);

	log = fixture_read("criu-4.2.1/dump-fault-detach.log", &len);
	assert_int_equal(criu_log_decisive(log, len, 2, &out), 2);
	assert_int_equal(out.n, 4);
	assert_string_equal(out.v[0], "earlier");
	assert_string_equal(out.v[2], "pie: 14: Trimmed message received (12/0)");
	assert_string_equal(out.v[3], "pie: 14: 14: new_sp=0x7fd146ff8fc8 ip 0x7fd147096a00");
	assert_null(out.v[4]);
	strv_free(&out);
	free(log);
}

static const struct {
	const char *name;
	const char *log;
	size_t max;
	const char *want[4];
} synthetic_cases[] = {
	{"empty log", "", 8, {NULL}},
	{"blank lines only", "\n\n   \n", 8, {NULL}},
	{"errors after FAILED are ignored",
	 "Error (a.c:1): first\nError (b.c:2): Dumping FAILED.\nError (c.c:3): after\n",
	 8,
	 {"first", NULL}},
	{"Restoring FAILED stops too",
	 "(0.1)     1: Error (a.c:1): cause\n(0.2) Error (b.c:2): Restoring FAILED.\nError "
	 "(c.c:3): "
	 "later",
	 8,
	 {"cause", NULL}},
	{"Pre-dumping FAILED stops too",
	 "Error (a.c:1): cause\nError (b.c:2): Pre-dumping FAILED.\nError (c.c:3): later",
	 8,
	 {"cause", NULL}},
	{"warnings are not decisive",
	 "Warn  (a.c:1): a warning\nError (b.c:2): the error\nlast info line",
	 8,
	 {"the error", NULL}},
	{"no trailing newline", "info\nError (a.c:1): last", 8, {"last", NULL}},
	{"no error: last lines, blank lines skipped",
	 "(0.1) one\n(0.2) two\n\n(0.3) three\n\n",
	 2,
	 {"two", "three", NULL}},
	{"only harmless errors: last lines",
	 "(0.1) Error (criu/tun.c:85): tun: Unable to create tun: x\n(0.2) info\n",
	 1,
	 {"info", NULL}},
};

static void test_decisive_synthetic(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(synthetic_cases) / sizeof(synthetic_cases[0]); i++) {
		const char *row = synthetic_cases[i].name;
		struct strv out = {0};
		size_t n = 0;
		int rc = criu_log_decisive(synthetic_cases[i].log, strlen(synthetic_cases[i].log),
					   synthetic_cases[i].max, &out);

		for (; synthetic_cases[i].want[n]; n++)
			check_str(row, n < out.n ? out.v[n] : NULL, synthetic_cases[i].want[n]);
		check_int(row, out.n, n);
		check_int(row, rc, n);
		strv_free(&out);
	}
}

static const struct {
	const char *log;
	int ok;
} succeeded_cases[] = {
	{"", 0},
	{"(0.1) Dumping finished successfully\n", 1},
	{"(0.1) Restore finished successfully. Tasks resumed.\n", 1},
	{"(0.1) Pre-dumping finished successfully\n", 1},
	{"(0.1) Error (criu/cr-dump.c:1975): Dumping FAILED.\n", 0},
	{"(0.1) Dumping finished succ", 0},
};

static void test_succeeded_synthetic(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(succeeded_cases) / sizeof(succeeded_cases[0]); i++)
		check_int(
			succeeded_cases[i].log,
			criu_log_succeeded(succeeded_cases[i].log, strlen(succeeded_cases[i].log)),
			succeeded_cases[i].ok);
}

/* The version and run id at the head of real logs; the lock table name
 * CRIU derives from the run id (seen in dump-tcp-ok.log's nftables lines). */
static void test_head_fields(void **state)
{
	static const struct {
		const char *file, *version, *run_id;
	} cases[] = {
		{"criu-4.2.1/dump-tcp-ok.log", "4.2.1", "0a7b0276-d46c-4abb-a604-0040824aac5b"},
		{"criu-4.2.1/restore-pid-in-use.log", "4.2.1",
		 "85a2176a-8bdf-4f1a-ad60-e016898079c5"},
		/* criu 3.17 logs no run id. */
		{"criu-3.17/dump-vdso.log", "3.17.1", ""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		char *log = fixture_read(cases[i].file, &len);
		char version[16], id[64];

		criu_log_version(log, len, version, sizeof(version));
		check_str(cases[i].file, version, cases[i].version);
		criu_log_run_id(log, len, id, sizeof(id));
		check_str(cases[i].file, id, cases[i].run_id);
		free(log);
	}
	{
		char id[8];

		criu_log_run_id("(00.0) CRIU run id = 0a7b0276-d46c", 34, id, sizeof(id));
		assert_string_equal(id, "0a7b027"); /* cut to the buffer */
		criu_log_run_id("no id here\n", 11, id, sizeof(id));
		assert_string_equal(id, "");
		criu_log_run_id(NULL, 0, id, sizeof(id));
		assert_string_equal(id, "");
	}
}

static void test_lock_table_of(void **state)
{
	static const char id[] = "0a7b0276-d46c-4abb-a604-0040824aac5b";
	static const struct {
		const char *name;
		int ours;
	} cases[] = {
		{"CRIU-0a7b0276-d46c-4abb-a6", 1},
		{"CRIU-0a7b0276-d46c-4abb-a604-0040824aac5b", 1},
		{"CRIU-0a7b0276", 1},
		{"CRIU-0a7b027", 0},		   /* too short to be sure */
		{"CRIU-0a7b0276-d46c-4abb-a7", 0}, /* another run */
		{"CRIU-0a7b0276-d46c-4abb-a604-0040824aac5bx", 0},
		{"CRIU", 0},
		{"criu-0a7b0276-d46c-4abb-a6", 0},
		{"filter", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_int(cases[i].name, criu_lock_table_of(cases[i].name, id), cases[i].ours);
	assert_int_equal(criu_lock_table_of("CRIU-0a7b0276-d46c", ""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_fields),
		cmocka_unit_test(test_lock_table_of),
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_parse_line_bounded),
		cmocka_unit_test(test_harmless),
		cmocka_unit_test(test_fixture_logs),
		cmocka_unit_test(test_decisive_max),
		cmocka_unit_test(test_decisive_appends),
		cmocka_unit_test(test_decisive_synthetic),
		cmocka_unit_test(test_succeeded_synthetic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
