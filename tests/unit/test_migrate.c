/*
 * Unit tests of migrate: HOST:PORT, the control channel's messages (every
 * message, and what must never pass: paths, bad numbers, stray words), and
 * the plan after each step, which ends the source tree only on RUNNING.
 */
#include "unit.h"

#include "migrate.h"

static const struct {
	const char *in;
	const char *host; /* NULL: refused */
	unsigned port;
} hostports[] = {
	{"10.0.0.2:7000", "10.0.0.2", 7000},
	{"dst.example:1", "dst.example", 1},
	{"[fd00::2]:7000", "fd00::2", 7000},
	{"0.0.0.0:65534", "0.0.0.0", 65534},
	{"10.0.0.2:65535", NULL, 0}, /* PORT+1 would not exist */
	{"10.0.0.2:0", NULL, 0},
	{"10.0.0.2:", NULL, 0},
	{"10.0.0.2", NULL, 0},
	{":7000", NULL, 0},
	{"fd00::2:7000", NULL, 0}, /* ambiguous without [] */
	{"[fd00::2]7000", NULL, 0},
	{"[fd00::2:7000", NULL, 0},
	{"a b:7000", NULL, 0},
	{"a/b:7000", NULL, 0},
	{"host:70x", NULL, 0},
	{"host:-1", NULL, 0},
	{"host:+7", NULL, 0},
	{"host:99999999999999999999", NULL, 0},
};

static void test_hostport(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hostports) / sizeof(hostports[0]); i++) {
		char host[MIG_HOST_MAX] = "", why[256] = "";
		unsigned port = 0;
		int rc = migrate_parse_hostport(hostports[i].in, host, sizeof(host), &port, why,
						sizeof(why));

		check_int(hostports[i].in, rc, hostports[i].host ? 0 : -1);
		if (!hostports[i].host) {
			check_int(hostports[i].in, why[0] != 0, 1);
			continue;
		}
		check_str(hostports[i].in, host, hostports[i].host);
		check_int(hostports[i].in, port, hostports[i].port);
	}
}

static const struct {
	const char *line;
	enum mig_msg_kind kind;
	const char *name;
	unsigned long long size;
	int pid, exit_code;
	const char *text;
} msgs[] = {
	{"READY", MIG_READY, "", 0, 0, 0, NULL},
	{"RESTORE", MIG_RESTORE, "", 0, 0, 0, NULL},
	{"ABORT", MIG_ABORT, "", 0, 0, 0, NULL},
	{"FILE core-42.img 1234", MIG_FILE, "core-42.img", 1234, 0, 0, NULL},
	{"FILE manifest.json 0", MIG_FILE, "manifest.json", 0, 0, 0, NULL},
	{"FILE a 4294967296", MIG_FILE, "a", 4294967296ULL, 0, 0, NULL},
	{"RUNNING 42", MIG_RUNNING, "", 0, 42, 0, NULL},
	{"FAILED 1 pid-in-use pid 42 is taken", MIG_FAILED, "pid-in-use", 0, 0, 1,
	 "pid 42 is taken"},
	{"FAILED 128 x ", MIG_FAILED, "x", 0, 0, 128, ""},
	{"", MIG_BAD, "", 0, 0, 0, NULL},
	{"READY ", MIG_BAD, "", 0, 0, 0, NULL},
	{"ready", MIG_BAD, "", 0, 0, 0, NULL},
	{"FILE a 4294967297", MIG_BAD, "", 0, 0, 0, NULL}, /* over MIG_FILE_MAX */
	{"FILE ../etc/passwd 1", MIG_BAD, "", 0, 0, 0, NULL},
	{"FILE a/b 1", MIG_BAD, "", 0, 0, 0, NULL},
	{"FILE .hidden 1", MIG_BAD, "", 0, 0, 0, NULL},
	{"FILE .. 1", MIG_BAD, "", 0, 0, 0, NULL},
	{"FILE a -1", MIG_BAD, "", 0, 0, 0, NULL},
	{"FILE a 1 2", MIG_BAD, "", 0, 0, 0, NULL},
	{"FILE a", MIG_BAD, "", 0, 0, 0, NULL},
	{"FILE  1", MIG_BAD, "", 0, 0, 0, NULL},
	{"RUNNING 0", MIG_BAD, "", 0, 0, 0, NULL},
	{"RUNNING -3", MIG_BAD, "", 0, 0, 0, NULL},
	{"RUNNING 42x", MIG_BAD, "", 0, 0, 0, NULL},
	{"FAILED 0 x y", MIG_BAD, "", 0, 0, 0, NULL},
	{"FAILED 256 x y", MIG_BAD, "", 0, 0, 0, NULL},
	{"FAILED 1", MIG_BAD, "", 0, 0, 0, NULL},
	{"FAILED 1 a/b text", MIG_BAD, "", 0, 0, 0, NULL},
};

static void test_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		struct mig_msg m;

		check_int(msgs[i].line, migrate_parse_msg(msgs[i].line, &m), msgs[i].kind);
		check_int(msgs[i].line, m.kind, msgs[i].kind);
		if (m.kind == MIG_BAD)
			continue;
		check_str(msgs[i].line, m.name, msgs[i].name);
		check_int(msgs[i].line, m.size, msgs[i].size);
		check_int(msgs[i].line, m.pid, msgs[i].pid);
		check_int(msgs[i].line, m.exit_code, msgs[i].exit_code);
		if (msgs[i].text)
			check_str(msgs[i].line, m.text, msgs[i].text);
	}
}

static void test_long_line(void **state)
{
	char line[MIG_LINE_MAX + 8];
	struct mig_msg m;

	(void)state;
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "FAILED 1 x ", 11);
	assert_int_equal(migrate_parse_msg(line, &m), MIG_BAD);
}

static const struct {
	enum mig_step step;
	enum mig_end end;
	int end_source, exit_code;
	const char *id;
} plans[] = {
	{MIG_STEP_CONNECT, MIG_END_OK, 0, 0, NULL},
	{MIG_STEP_DUMP, MIG_END_OK, 0, 0, NULL},
	{MIG_STEP_SEND, MIG_END_OK, 0, 0, NULL},
	{MIG_STEP_RESTORE, MIG_END_OK, 1, 0, NULL}, /* RUNNING: only now */
	{MIG_STEP_END_TREE, MIG_END_OK, 0, 0, NULL},
	{MIG_STEP_CONNECT, MIG_END_LOST, 0, 6, "receiver-unreachable"},
	{MIG_STEP_CONNECT, MIG_END_FAILED, 0, 6, "receiver-unreachable"},
	{MIG_STEP_READY, MIG_END_LOST, 0, 6, "receiver-not-ready"},
	{MIG_STEP_DUMP, MIG_END_FAILED, 0, -1, NULL}, /* the dump's own verdict */
	{MIG_STEP_SEND, MIG_END_LOST, 0, 6, "receiver-lost"},
	{MIG_STEP_RESTORE, MIG_END_FAILED, 0, 1, "remote-restore-failed"},
	{MIG_STEP_RESTORE, MIG_END_LOST, 0, 6, "receiver-lost-after-restore"},
};

static void test_plan(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
		struct mig_plan p;
		char row[64];

		snprintf(row, sizeof(row), "%s/%d", migrate_step_name(plans[i].step), plans[i].end);
		migrate_plan(plans[i].step, plans[i].end, &p);
		check_int(row, p.end_source, plans[i].end_source);
		check_int(row, p.exit_code, plans[i].exit_code);
		if (plans[i].id)
			check_str(row, p.id, plans[i].id);
		else
			check_int(row, p.id == NULL, 1);
		check_int(row, (p.remedy != NULL), plans[i].exit_code > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostport),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
