/* Unit tests of config: criuctl.conf text into struct config. */
#include "config_util.h"

static void test_defaults(void **state)
{
	struct config c;
	struct cc_err e;

	(void)state;
	assert_int_equal(parse(&c, "", &e), 0);
	assert_string_equal(c.criu_path, "");
	assert_string_equal(c.store_root, "/var/lib/criuctl");
	assert_string_equal(c.restore_root, "");
	assert_int_equal(c.keep, 0);
	assert_int_equal(c.keep_failed, DEFAULT_KEEP_FAILED);
	assert_int_equal(c.auto_flags, 1);
	assert_true(c.dump.timeout == DEFAULT_TIMEOUT && c.restore.timeout == DEFAULT_TIMEOUT);
	assert_true(c.dump.stall_timeout == DEFAULT_STALL_TIMEOUT &&
		    c.restore.stall_timeout == DEFAULT_STALL_TIMEOUT);
	assert_int_equal(c.criu_env.n, 0);
	assert_int_equal(c.dump.leave_running + c.dump.tcp_established + c.dump.shell_job, 0);
	config_free(&c);
}

static const char full[] = "# every key\n"
			   "[criu]\n"
			   "path = /opt/criu/sbin/criu\n"
			   "env = CRIU_FAULT=0\n"
			   "env = LANG=C\n"
			   "\n"
			   "[store]\n"
			   "root = /srv/criuctl\n"
			   "keep = 5\n"
			   "keep_failed = 2\n"
			   "\n"
			   "; flags\n"
			   "[dump]\n"
			   "leave_running = yes\n"
			   "tcp_established = true\n"
			   "ext_unix_sk = on\n"
			   "shell_job = 1\n"
			   "file_locks = TRUE\n"
			   "skip_mnt = /proc/sys, /sys/fs/cgroup\n"
			   "skip_mnt = /dev/shm\n"
			   "external = mnt[/data]:data\n"
			   "network_lock = nftables\n"
			   "manage_cgroups = soft\n"
			   "criu_opt = --ghost-limit=1M,--link-remap\n"
			   "timeout = 5m\n"
			   "stall_timeout = 1.5\n"
			   "auto_flags = off\n"
			   "\n"
			   "[restore]\n"
			   "external = mnt[/data]:/srv/data ,veth[eth0]:br0\n"
			   "root = /mnt/root\n"
			   "criu_opt = --restore-sibling\n"
			   "timeout = 2h\n"
			   "stall_timeout = 10s\n";

static void test_every_key(void **state)
{
	struct config c;
	struct cc_err e;

	(void)state;
	assert_int_equal(parse(&c, full, &e), 0);
	assert_string_equal(c.criu_path, "/opt/criu/sbin/criu");
	check_list("criu.env", &c.criu_env, (const char *const[]){"CRIU_FAULT=0", "LANG=C", NULL});
	assert_string_equal(c.store_root, "/srv/criuctl");
	assert_int_equal(c.keep, 5);
	assert_int_equal(c.keep_failed, 2);
	assert_int_equal(c.dump.leave_running, 1);
	assert_int_equal(c.dump.tcp_established, 1);
	assert_int_equal(c.dump.ext_unix_sk, 1);
	assert_int_equal(c.dump.shell_job, 1);
	assert_int_equal(c.dump.file_locks, 1);
	check_list("dump.skip_mnt", &c.dump.skip_mnt,
		   (const char *const[]){"/proc/sys", "/sys/fs/cgroup", "/dev/shm", NULL});
	check_list("dump.external", &c.dump.external,
		   (const char *const[]){"mnt[/data]:data", NULL});
	assert_string_equal(c.dump.network_lock, "nftables");
	assert_string_equal(c.dump.manage_cgroups, "soft");
	check_list("dump.criu_opt", &c.dump.criu_opt,
		   (const char *const[]){"--ghost-limit=1M", "--link-remap", NULL});
	assert_true(c.dump.timeout == 300);
	assert_true(c.dump.stall_timeout == 1.5);
	assert_int_equal(c.auto_flags, 0);
	check_list("restore.external", &c.restore.external,
		   (const char *const[]){"mnt[/data]:/srv/data", "veth[eth0]:br0", NULL});
	assert_string_equal(c.restore_root, "/mnt/root");
	check_list("restore.criu_opt", &c.restore.criu_opt,
		   (const char *const[]){"--restore-sibling", NULL});
	assert_true(c.restore.timeout == 7200);
	assert_true(c.restore.stall_timeout == 10);
	/* Restore flags come from the manifest, never from the config. */
	assert_int_equal(c.restore.shell_job + c.restore.skip_mnt.n, 0);
	config_free(&c);
}

/* A second file applies on top of the first: scalars replaced, lists appended. */
static void test_layered(void **state)
{
	static const char local[] = "[store]\nkeep = 2\n[dump]\nskip_mnt = /b\n";
	struct config c;
	struct cc_err e;

	(void)state;
	assert_int_equal(parse(&c, "[store]\nkeep = 1\n[dump]\nskip_mnt = /a\n", &e), 0);
	assert_int_equal(config_parse(&c, local, strlen(local), "local.conf", &e), 0);
	assert_int_equal(c.keep, 2);
	check_list("skip_mnt", &c.dump.skip_mnt, (const char *const[]){"/a", "/b", NULL});
	config_free(&c);
}

/* A NUL byte ends the text for inih: what follows it must not pass unread. */
static void test_nul_byte(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		const char *msg;
	} cases[] = {
		{"\0[bogus]\n", 10, "criuctl.conf:1: a NUL byte"},
		{"[store]\nkeep = 1\0junk\n[bogus]\n", 30, "criuctl.conf:2: a NUL byte"},
		{"[store]\nkeep = 1\n\0", 18, "criuctl.conf:3: a NUL byte"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		struct cc_err e = {0};

		config_defaults(&c);
		check_int(cases[i].msg,
			  config_parse(&c, cases[i].text, cases[i].len, "criuctl.conf", &e), -1);
		check_int(cases[i].msg, e.exit_code, CC_EXIT_USAGE);
		check_str(cases[i].msg, e.code, "config-invalid");
		if (strncmp(e.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
			fail_msg("message \"%s\", want \"%s...\"", e.msg, cases[i].msg);
		config_free(&c);
	}
}

static const struct {
	const char *s;
	int ok, value;
} bool_cases[] = {
	{"true", 0, 1},	  {"yes", 0, 1},   {"on", 0, 1},      {"1", 0, 1},	{"TRUE", 0, 1},
	{"Yes", 0, 1},	  {"oN", 0, 1},	   {"false", 0, 0},   {"no", 0, 0},	{"off", 0, 0},
	{"0", 0, 0},	  {"FALSE", 0, 0}, {"No", 0, 0},      {"OFF", 0, 0},	{"", -1, 0},
	{"2", -1, 0},	  {"y", -1, 0},	   {"n", -1, 0},      {"truee", -1, 0}, {" true", -1, 0},
	{"true ", -1, 0}, {"01", -1, 0},   {"enable", -1, 0},
};

static void test_parse_bool(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bool_cases) / sizeof(bool_cases[0]); i++) {
		int v = 42;

		check_int(bool_cases[i].s, config_parse_bool(bool_cases[i].s, &v),
			  bool_cases[i].ok);
		check_int(bool_cases[i].s, v, bool_cases[i].ok ? 42 : bool_cases[i].value);
	}
}

/* Every spelling also works in a file. */
static void test_bool_in_file(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bool_cases) / sizeof(bool_cases[0]); i++) {
		struct config c;
		struct cc_err e;
		char text[64];

		if (bool_cases[i].ok || !bool_cases[i].s[0])
			continue;
		snprintf(text, sizeof(text), "[dump]\nshell_job = %s\n", bool_cases[i].s);
		check_int(bool_cases[i].s, parse(&c, text, &e), 0);
		check_int(bool_cases[i].s, c.dump.shell_job, bool_cases[i].value);
		config_free(&c);
	}
}

static const struct {
	const char *s;
	int ok;
	double value;
} duration_cases[] = {
	{"30", 0, 30},	   {"1.5", 0, 1.5},	 {"5m", 0, 300},
	{"2h", 0, 7200},   {"10s", 0, 10},	 {"0", 0, 0},
	{"0.5m", 0, 30},   {"1.5h", 0, 5400},	 {"600", 0, 600},
	{"", -1, 0},	   {"m", -1, 0},	 {"s", -1, 0},
	{"-1", -1, 0},	   {"-5m", -1, 0},	 {"5x", -1, 0},
	{"5mm", -1, 0},	   {"5ms", -1, 0},	 {"5 m", -1, 0},
	{"5d", 0, 432000}, {"30d", 0, 2592000},	 {"31d", -1, 0},
	{"nan", -1, 0},	   {"inf", -1, 0},	 {".5", 0, 0.5},
	{"5.", 0, 5},	   {"720h", 0, 2592000}, {"2592000s", 0, 2592000},
	{"721h", -1, 0},   {"2592001", -1, 0},	 {"1e3", -1, 0},
	{"0x10", -1, 0},   {"1.2.3", -1, 0},	 {"+5", -1, 0},
	{" 5", -1, 0},	   {"infinity", -1, 0},	 {"1e999", -1, 0},
	{"1e308h", -1, 0}, {"ten", -1, 0},
};

static void test_parse_duration(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(duration_cases) / sizeof(duration_cases[0]); i++) {
		double v = 42;

		check_int(duration_cases[i].s, config_parse_duration(duration_cases[i].s, &v),
			  duration_cases[i].ok);
		if (v != (duration_cases[i].ok ? 42 : duration_cases[i].value))
			fail_msg("%s: value %g", duration_cases[i].s, v);
	}
}

/* Each error names the file and the line of the first bad line. */
static const struct {
	const char *name;
	const char *text;
	const char *msg;
} error_cases[] = {
	{"unknown section", "[dump]\nshell_job = yes\n\n[dumps]\nshell_job = yes\n",
	 "criuctl.conf:4: unknown section [dumps]"},
	{"an unknown section without keys", "[dump]\n[bogus]\n[store]\n",
	 "criuctl.conf:2: unknown section [bogus]"},
	{"key outside any section", "keep = 1\n", "criuctl.conf:1: unknown section []"},
	{"unknown key", "[dump]\n# typo\ntcp_establshed = yes\n",
	 "criuctl.conf:3: unknown key 'tcp_establshed' in [dump]"},
	{"key of another section", "[restore]\nleave_running = yes\n",
	 "criuctl.conf:2: unknown key 'leave_running' in [restore]"},
	{"bad boolean", "[dump]\nshell_job = maybe\n",
	 "criuctl.conf:2: shell_job: 'maybe' is not a boolean (true/false, yes/no, on/off, 1/0)"},
	{"empty boolean", "[dump]\nfile_locks =\n",
	 "criuctl.conf:2: file_locks: '' is not a boolean (true/false, yes/no, on/off, 1/0)"},
	{"bad duration", "[restore]\n\n\ntimeout = 5 minutes\n",
	 "criuctl.conf:4: timeout: '5 minutes' is not a duration (seconds, or with s/m/h/d)"},
	{"negative duration", "[dump]\nstall_timeout = -1\n",
	 "criuctl.conf:2: stall_timeout: '-1' is not a duration (seconds, or with s/m/h/d)"},
	{"bad count", "[store]\nkeep = five\n",
	 "criuctl.conf:2: keep: 'five' is not a count (0 or more)"},
	{"negative count", "[store]\nkeep_failed = -1\n",
	 "criuctl.conf:2: keep_failed: '-1' is not a count (0 or more)"},
	{"huge count", "[store]\nkeep = 99999999999\n",
	 "criuctl.conf:2: keep: '99999999999' is not a count (0 or more)"},
	{"count with suffix", "[store]\nkeep = 5k\n",
	 "criuctl.conf:2: keep: '5k' is not a count (0 or more)"},
	{"bad network_lock", "[dump]\nnetwork_lock = ipfw\n",
	 "criuctl.conf:2: network_lock: 'ipfw' is not a valid mode"},
	{"bad manage_cgroups", "[dump]\nmanage_cgroups = all\n",
	 "criuctl.conf:2: manage_cgroups: 'all' is not a valid mode"},
	{"scalar twice", "[store]\nkeep = 1\nroot = /x\nkeep = 1\n",
	 "criuctl.conf:4: keep: given twice in [store]"},
	{"path twice across sections", "[criu]\npath = /a\n[store]\nkeep = 1\n[criu]\npath = /b\n",
	 "criuctl.conf:6: path: given twice in [criu]"},
	{"empty path", "[store]\nroot =\n", "criuctl.conf:2: root: bad path ''"},
	{"empty list item", "[dump]\nskip_mnt = /a,,/b\n",
	 "criuctl.conf:2: empty item in list '/a,,/b'"},
	{"blank list item", "[dump]\nexternal = mnt[/a]:a, ,mnt[/b]:b\n",
	 "criuctl.conf:2: empty item in list 'mnt[/a]:a, ,mnt[/b]:b'"},
	{"leading comma", "[restore]\ncriu_opt = ,-v0\n",
	 "criuctl.conf:2: empty item in list ',-v0'"},
	{"trailing comma", "[dump]\nskip_mnt = /a,\n", "criuctl.conf:2: empty item in list '/a,'"},
	{"trailing comma and space", "[dump]\nskip_mnt = /a, \n",
	 "criuctl.conf:2: empty item in list '/a,'"},
	{"env without =", "[criu]\nenv = LANG\n", "criuctl.conf:2: env: 'LANG' is not NAME=VALUE"},
	{"env without name", "[criu]\nenv = =C\n", "criuctl.conf:2: env: '=C' is not NAME=VALUE"},
	{"line without =", "[dump]\nshell_job = yes\nleave_running\n",
	 "criuctl.conf:3: syntax error"},
	{"unclosed section", "[store]\nkeep = 1\n[dump\nshell_job = yes\n",
	 "criuctl.conf:3: syntax error"},
	/* inih goes on after the first bad line: the message must stay the first's. */
	{"two bad lines", "[dump]\nshell_job = maybe\ntimeout = soon\n",
	 "criuctl.conf:2: shell_job: 'maybe' is not a boolean (true/false, yes/no, on/off, 1/0)"},
	{"bad key, then a bad value", "[store]\nkepe = 1\nkeep = x\n",
	 "criuctl.conf:2: unknown key 'kepe' in [store]"},
	{"syntax error, then a bad key", "[dump]\noops\nbogus = 1\n",
	 "criuctl.conf:2: syntax error"},
	{"bad key, then a syntax error", "[dump]\nbogus = 1\noops\n",
	 "criuctl.conf:2: unknown key 'bogus' in [dump]"},
	/* [profile.NAME] sections: checked when read, whether used or not. */
	{"unknown key", "[profile.p]\ntimeout = 1\nbogus = 1\n",
	 "criuctl.conf:3: unknown key 'bogus' in [profile.p] (profiles take [dump] keys)"},
	{"key of [store]", "[profile.p]\nkeep = 1\n",
	 "criuctl.conf:2: unknown key 'keep' in [profile.p] (profiles take [dump] keys)"},
	{"key of [criu]", "[profile.p]\nenv = A=1\n",
	 "criuctl.conf:2: unknown key 'env' in [profile.p] (profiles take [dump] keys)"},
	{"key of [restore]", "[profile.p]\nwait = true\n",
	 "criuctl.conf:2: unknown key 'wait' in [profile.p] (profiles take [dump] keys)"},
	{"scalar twice", "[profile.p]\ntimeout = 1\nskip_mnt = /a\ntimeout = 2\n",
	 "criuctl.conf:4: timeout: given twice in [profile.p]"},
	{"scalar twice across sections",
	 "[profile.p]\nshell_job = on\n[dump]\n[profile.p]\nshell_job = off\n",
	 "criuctl.conf:5: shell_job: given twice in [profile.p]"},
	{"bad boolean", "[profile.p]\n\nfile_locks = maybe\n",
	 "criuctl.conf:3: file_locks: 'maybe' is not a boolean (true/false, yes/no, on/off, 1/0)"},
	{"bad duration", "[profile.p]\ntimeout = soon\n",
	 "criuctl.conf:2: timeout: 'soon' is not a duration (seconds, or with s/m/h/d)"},
	{"duration too long", "[profile.p]\nstall_timeout = 31d\n",
	 "criuctl.conf:2: stall_timeout: '31d' is not a duration (seconds, or with s/m/h/d)"},
	{"bad network_lock", "[profile.p]\nnetwork_lock = ebtables\n",
	 "criuctl.conf:2: network_lock: 'ebtables' is not a valid mode"},
	{"bad manage_cgroups", "[profile.p]\nmanage_cgroups = all\n",
	 "criuctl.conf:2: manage_cgroups: 'all' is not a valid mode"},
	{"empty list item", "[profile.p]\nskip_mnt = /a,,/b\n",
	 "criuctl.conf:2: empty item in list '/a,,/b'"},
	/* Section errors name the header's line. */
	{"empty profile name", "[profile.]\ntimeout = 1\n", "criuctl.conf:1: bad profile name ''"},
	{"profile name with a space", "[profile.a b]\ntimeout = 1\n",
	 "criuctl.conf:1: bad profile name 'a b'"},
	{"unknown section", "[profile.p]\ntimeout = 1\n[profiles.q]\ntimeout = 1\n",
	 "criuctl.conf:3: unknown section [profiles.q]"},
	{"section 'profile' without a dot", "[profile]\ntimeout = 1\n",
	 "criuctl.conf:1: unknown section [profile]"},
	/* The first failure wins, also when it is inside a profile. */
	{"bad profile value, then a bad key", "[profile.p]\ntimeout = x\n[dump]\nbogus = 1\n",
	 "criuctl.conf:2: timeout: 'x' is not a duration (seconds, or with s/m/h/d)"},
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		struct config c;
		struct cc_err e;

		check_int(error_cases[i].name, parse(&c, error_cases[i].text, &e), -1);
		check_str(error_cases[i].name, e.msg, error_cases[i].msg);
		check_int(error_cases[i].name, e.exit_code, CC_EXIT_USAGE);
		check_str(error_cases[i].name, e.code, "config-invalid");
		if (!e.remedy[0])
			fail_msg("%s: no remedy", error_cases[i].name);
		config_free(&c);
	}
}

/* Lists may repeat; so may env. */
static void test_repeated_lists_are_fine(void **state)
{
	struct config c;
	struct cc_err e;

	(void)state;
	assert_int_equal(parse(&c,
			       "[dump]\nexternal = a\nexternal = b,c\n[restore]\ncriu_opt = -v0\n"
			       "criu_opt = -v4\n[criu]\nenv = A=1\nenv = A=2\n",
			       &e),
			 0);
	check_list("external", &c.dump.external, (const char *const[]){"a", "b", "c", NULL});
	check_list("criu_opt", &c.restore.criu_opt, (const char *const[]){"-v0", "-v4", NULL});
	check_list("env", &c.criu_env, (const char *const[]){"A=1", "A=2", NULL});
	config_free(&c);
}

/* Which built-in store: the fallback in RAM only where /var/lib/criuctl
 * neither exists nor can be made, or where only the fallback exists. */
static void test_store_fallback(void **state)
{
	static const struct {
		const char *row;
		struct store_seen seen;
		int fallback;
	} rows[] = {
		{"the default exists", {1, 0, 0}, 0},
		{"the default exists, and so does the fallback", {1, 0, 1}, 0},
		{"the default can be made", {0, 1, 0}, 0},
		{"a read-only root: neither there nor makeable", {0, 0, 0}, 1},
		{"only the fallback exists (made on a read-only root)", {0, 0, 1}, 1},
		{"the fallback exists although the default could be made", {0, 1, 1}, 1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_int(rows[i].row, config_store_fallback(&rows[i].seen), rows[i].fallback);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_layered),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_bool_in_file),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_repeated_lists_are_fine),
		cmocka_unit_test(test_store_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
