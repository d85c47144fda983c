/*
 * Unit tests of config: [profile.NAME] sections (kept at parse time, values
 * checked there with their line, applied on demand with origins), the key
 * table as `criuctl config` enumerates it, key values as text, and the
 * duration and age parsers at their limits.
 */
#include "config_util.h"

/* The index of section.name in the key table; fails the test when missing. */
static size_t key_at(const char *section, const char *name)
{
	for (size_t i = 0; config_key_section(i); i++)
		if (strcmp(config_key_section(i), section) == 0 &&
		    strcmp(config_key_name(i), name) == 0)
			return i;
	fail_msg("no key %s.%s in the table", section, name);
	return 0;
}

static const char *origin_of(const struct config *c, const char *section, const char *name)
{
	return c->origin[key_at(section, name)];
}

static const struct config_profile *profile_named(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->n_profiles; i++)
		if (strcmp(c->profiles[i].name, name) == 0)
			return &c->profiles[i];
	fail_msg("no profile %s", name);
	return NULL;
}

static const char profiles[] = "[dump]\n"		    /* 1 */
			       "tcp_established = true\n"   /* 2 */
			       "timeout = 1h\n"		    /* 3 */
			       "skip_mnt = /d1, /d2\n"	    /* 4 */
			       "external = mnt[/x]:x\n"	    /* 5 */
			       "network_lock = iptables\n"  /* 6 */
			       "\n"			    /* 7 */
			       "[profile.fast]\n"	    /* 8 */
			       "timeout = 30s\n"	    /* 9 */
			       "skip_mnt = /p1\n"	    /* 10 */
			       "tcp_established = no\n"	    /* 11 */
			       "skip_mnt = /p2,/p3\n"	    /* 12 */
			       "auto_flags = off\n"	    /* 13 */
			       "[profile.slow]\n"	    /* 14 */
			       "stall_timeout = 10m\n"	    /* 15 */
			       "[store]\n"		    /* 16 */
			       "keep = 4\n"		    /* 17 */
			       "[profile.fast]\n"	    /* 18 */
			       "manage_cgroups = soft\n"    /* 19 */
			       "criu_opt = --link-remap\n"; /* 20 */

/* Profiles are kept as text with their lines; [dump] is untouched until applied. */
static void test_profiles_kept(void **state)
{
	const struct config_profile *fast, *slow;
	struct config c;
	struct cc_err e;

	(void)state;
	assert_int_equal(parse(&c, profiles, &e), 0);
	assert_int_equal(c.n_profiles, 2);
	fast = profile_named(&c, "fast");
	slow = profile_named(&c, "slow");
	check_list("fast keys", &fast->keys,
		   (const char *const[]){"timeout", "skip_mnt", "tcp_established", "skip_mnt",
					 "auto_flags", "manage_cgroups", "criu_opt", NULL});
	check_list("fast values", &fast->values,
		   (const char *const[]){"30s", "/p1", "no", "/p2,/p3", "off", "soft",
					 "--link-remap", NULL});
	{
		static const int want[] = {9, 10, 11, 12, 13, 19, 20};

		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			check_int(fast->values.v[i], fast->lines[i], want[i]);
	}
	check_list("slow keys", &slow->keys, (const char *const[]){"stall_timeout", NULL});
	check_int("slow line", slow->lines[0], 15);
	/* Nothing of the profiles reached [dump]. */
	assert_true(c.dump.timeout == 3600);
	assert_int_equal(c.dump.tcp_established, 1);
	assert_int_equal(c.auto_flags, 1);
	assert_string_equal(c.dump.manage_cgroups, "");
	check_list("skip_mnt", &c.dump.skip_mnt, (const char *const[]){"/d1", "/d2", NULL});
	assert_int_equal(c.dump.criu_opt.n, 0);
	assert_string_equal(origin_of(&c, "dump", "timeout"), "criuctl.conf:3");
	assert_string_equal(origin_of(&c, "dump", "skip_mnt"), "criuctl.conf:4");
	assert_string_equal(origin_of(&c, "store", "keep"), "criuctl.conf:17");
	assert_string_equal(origin_of(&c, "dump", "manage_cgroups"), "");
	config_free(&c);
	assert_int_equal(c.n_profiles, 0);
	assert_null(c.profiles);
}

/* Scalars replace, lists replace (and accumulate within the profile), origins say so. */
static void test_apply_fast(void **state)
{
	struct config c;
	struct cc_err e;

	(void)state;
	assert_int_equal(parse(&c, profiles, &e), 0);
	assert_int_equal(config_apply_profile(&c, "fast", &e), 0);
	assert_true(c.dump.timeout == 30);
	assert_int_equal(c.dump.tcp_established, 0);
	assert_int_equal(c.auto_flags, 0);
	assert_string_equal(c.dump.manage_cgroups, "soft");
	check_list("skip_mnt", &c.dump.skip_mnt, (const char *const[]){"/p1", "/p2", "/p3", NULL});
	check_list("criu_opt", &c.dump.criu_opt, (const char *const[]){"--link-remap", NULL});
	/* What the profile does not set keeps [dump]'s value and origin. */
	check_list("external", &c.dump.external, (const char *const[]){"mnt[/x]:x", NULL});
	assert_string_equal(c.dump.network_lock, "iptables");
	assert_true(c.dump.stall_timeout == DEFAULT_STALL_TIMEOUT);
	assert_string_equal(origin_of(&c, "dump", "timeout"), "criuctl.conf:9 [profile.fast]");
	assert_string_equal(origin_of(&c, "dump", "skip_mnt"), "criuctl.conf:12 [profile.fast]");
	assert_string_equal(origin_of(&c, "dump", "tcp_established"),
			    "criuctl.conf:11 [profile.fast]");
	assert_string_equal(origin_of(&c, "dump", "auto_flags"), "criuctl.conf:13 [profile.fast]");
	assert_string_equal(origin_of(&c, "dump", "manage_cgroups"),
			    "criuctl.conf:19 [profile.fast]");
	assert_string_equal(origin_of(&c, "dump", "criu_opt"), "criuctl.conf:20 [profile.fast]");
	assert_string_equal(origin_of(&c, "dump", "external"), "criuctl.conf:5");
	assert_string_equal(origin_of(&c, "dump", "network_lock"), "criuctl.conf:6");
	assert_string_equal(origin_of(&c, "dump", "stall_timeout"), "");
	assert_string_equal(origin_of(&c, "restore", "timeout"), "");
	assert_string_equal(origin_of(&c, "store", "keep"), "criuctl.conf:17");
	/* The restore side is never touched by a profile. */
	assert_true(c.restore.timeout == DEFAULT_TIMEOUT);
	assert_int_equal(c.restore.criu_opt.n, 0);
	config_free(&c);
}

/* Another profile of the same file: only its own keys change. */
static void test_apply_slow(void **state)
{
	struct config c;
	struct cc_err e;

	(void)state;
	assert_int_equal(parse(&c, profiles, &e), 0);
	assert_int_equal(config_apply_profile(&c, "slow", &e), 0);
	assert_true(c.dump.stall_timeout == 600);
	assert_true(c.dump.timeout == 3600);
	assert_int_equal(c.dump.tcp_established, 1);
	check_list("skip_mnt", &c.dump.skip_mnt, (const char *const[]){"/d1", "/d2", NULL});
	assert_string_equal(origin_of(&c, "dump", "stall_timeout"),
			    "criuctl.conf:15 [profile.slow]");
	assert_string_equal(origin_of(&c, "dump", "timeout"), "criuctl.conf:3");
	config_free(&c);
}

/* A profile's list replaces even a list [dump] does not set; built-ins stay. */
static void test_apply_on_defaults(void **state)
{
	struct config c;
	struct cc_err e;

	(void)state;
	assert_int_equal(parse(&c, "[profile.p]\nexternal = a, b\nexternal = c\n", &e), 0);
	assert_int_equal(config_apply_profile(&c, "p", &e), 0);
	check_list("external", &c.dump.external, (const char *const[]){"a", "b", "c", NULL});
	assert_string_equal(origin_of(&c, "dump", "external"), "criuctl.conf:3 [profile.p]");
	assert_true(c.dump.timeout == DEFAULT_TIMEOUT);
	assert_string_equal(origin_of(&c, "dump", "timeout"), "");
	config_free(&c);
}

static void test_unknown_profile(void **state)
{
	struct config c;
	struct cc_err e;

	(void)state;
	assert_int_equal(parse(&c, profiles, &e), 0);
	memset(&e, 0, sizeof(e));
	assert_int_equal(config_apply_profile(&c, "Fast", &e), -1);
	assert_int_equal(e.exit_code, CC_EXIT_USAGE);
	assert_string_equal(e.code, "no-such-profile");
	assert_string_equal(e.msg, "no [profile.Fast] in criuctl.conf");
	assert_true(e.remedy[0] != '\0');
	/* Nothing applied. */
	assert_true(c.dump.timeout == 3600);
	assert_string_equal(origin_of(&c, "dump", "timeout"), "criuctl.conf:3");
	config_free(&c);

	/* Built-in defaults only: no file to name. */
	config_defaults(&c);
	memset(&e, 0, sizeof(e));
	assert_int_equal(config_apply_profile(&c, "fast", &e), -1);
	assert_string_equal(e.code, "no-such-profile");
	assert_string_equal(e.msg,
			    "no [profile.fast] in the configuration (no config file was read)");
	config_free(&c);
}

/* Errors inside profiles name the file and the line, at parse time. */

/* A profile's list keys may repeat.  inih keeps 49 characters of a section
 * name, so a profile name is at most 40: longer is an error, not cut short. */
static void test_profile_edges(void **state)
{
	const struct config_profile *p;
	struct config c;
	struct cc_err e;
	char text[256], name[64], want[256];

	(void)state;
	memset(name, 'n', 40);
	name[40] = '\0';
	snprintf(text, sizeof(text), "[profile.%s]\ncriu_opt = -a\ncriu_opt = -b, -c\n", name);
	assert_int_equal(parse(&c, text, &e), 0);
	p = profile_named(&c, name);
	check_list("values", &p->values, (const char *const[]){"-a", "-b, -c", NULL});
	assert_int_equal(config_apply_profile(&c, name, &e), 0);
	check_list("criu_opt", &c.dump.criu_opt, (const char *const[]){"-a", "-b", "-c", NULL});
	config_free(&c);

	for (size_t len = 41; len <= 63; len += 22) {
		memset(name, 'n', len);
		name[len] = '\0';
		snprintf(text, sizeof(text), "[dump]\n[profile.%s]\n\ntimeout = 1\n", name);
		assert_int_equal(parse(&c, text, &e), -1);
		check_str(name, e.code, "config-invalid");
		snprintf(want, sizeof(want),
			 "criuctl.conf:2: profile name '%s' is too long (at most 40 "
			 "characters)",
			 name);
		check_str(name, e.msg, want);
		config_free(&c);
	}
}

/* inih reads lines into a 200-byte buffer: a longer setting is an error on
 * its own line (not a "syntax error" one line further down), a long comment
 * is fine, a line of 199 characters fits, and later line numbers stay right. */
static void test_long_lines(void **state)
{
	struct config c;
	struct cc_err e;
	char text[2048], item[200];
	size_t n;

	(void)state;
	/* "skip_mnt = " (11) + 188 characters = 199. */
	memset(item, 'a', 188);
	item[0] = '/';
	item[188] = '\0';
	snprintf(text, sizeof(text), "[dump]\nskip_mnt = %s\ntimeout = 5\ntimeout = 6\n", item);
	assert_int_equal(parse(&c, text, &e), -1);
	assert_string_equal(e.msg, "criuctl.conf:4: timeout: given twice in [dump]");
	config_free(&c);
	snprintf(text, sizeof(text), "[dump]\nskip_mnt = %s\ntimeout = 5\n", item);
	assert_int_equal(parse(&c, text, &e), 0);
	assert_int_equal(c.dump.skip_mnt.n, 1);
	assert_int_equal(strlen(c.dump.skip_mnt.v[0]), 188);
	assert_string_equal(origin_of(&c, "dump", "timeout"), "criuctl.conf:3");
	config_free(&c);

	/* One character more. */
	snprintf(text, sizeof(text), "[dump]\ntimeout = 5\nskip_mnt = %sb\nshell_job = on\n", item);
	assert_int_equal(parse(&c, text, &e), -1);
	assert_string_equal(e.msg, "criuctl.conf:3: line longer than 199 characters (a list can "
				   "go on over repeated keys)");
	config_free(&c);

	/* A long list, and an earlier syntax error still comes first. */
	n = (size_t)snprintf(text, sizeof(text), "[dump]\noops\nexternal = ");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "mnt[/m%d]:m%d, ", i, i);
	snprintf(text + n, sizeof(text) - n, "mnt[/end]:end\n");
	assert_int_equal(parse(&c, text, &e), -1);
	assert_string_equal(e.msg, "criuctl.conf:2: syntax error");
	config_free(&c);

	/* A long comment, then a bad line: the right number. */
	memset(item, 'c', 199);
	item[0] = '#';
	item[199] = '\0';
	snprintf(text, sizeof(text), "%s%s\n[dump]\n  ; %s\nbogus = 1\n", item, item, item);
	assert_int_equal(parse(&c, text, &e), -1);
	assert_string_equal(e.msg, "criuctl.conf:4: unknown key 'bogus' in [dump]");
	config_free(&c);
}

static const char *const all_keys[] = {
	"criu.path",
	"criu.env",
	"store.root",
	"store.keep",
	"store.keep_failed",
	"store.sync",
	/* [dump] and [restore]: criu's flags in the order of the flag table
	 * (flags.h), then criuctl's own keys of the section. */
	"dump.leave_running",
	"dump.network_lock",
	"dump.tcp_established",
	"dump.ext_unix_sk",
	"dump.shell_job",
	"dump.file_locks",
	"dump.manage_cgroups",
	"dump.external",
	"dump.skip_mnt",
	"dump.timeout",
	"dump.stall_timeout",
	"dump.criu_opt",
	"dump.auto_flags",
	"restore.external",
	"restore.lazy",
	"restore.timeout",
	"restore.stall_timeout",
	"restore.criu_opt",
	"restore.root",
	"restore.wait",
	"restore.verify",
	"kata.root",
};

#define N_ALL (sizeof(all_keys) / sizeof(all_keys[0]))

static void test_key_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; config_key_section(i); i++) {
		char full[64];

		assert_non_null(config_key_name(i));
		snprintf(full, sizeof(full), "%s.%s", config_key_section(i), config_key_name(i));
		if (i >= N_ALL)
			fail_msg("unexpected key %zu: %s", i, full);
		check_str(all_keys[i], full, all_keys[i]);
	}
	check_int("number of keys", i, N_ALL);
	assert_true(i <= CONFIG_MAX_KEYS);
	/* The end is NULL for both, and stays NULL further on. */
	assert_null(config_key_name(i));
	assert_null(config_key_section(i + 1));
	assert_null(config_key_name(i + 1));
	assert_null(config_key_section((size_t)-1));
	assert_null(config_key_name((size_t)-1));
	key_at("restore", "wait");
}

static void value_of(const struct config *c, const char *section, const char *name,
		     const char *want)
{
	char buf[256];

	config_key_value(c, key_at(section, name), buf, sizeof(buf));
	check_str(name, buf, want);
}

static void test_key_values(void **state)
{
	struct config c;
	struct cc_err e;

	(void)state;
	/* Built-in defaults. */
	config_defaults(&c);
	value_of(&c, "criu", "path", "");
	value_of(&c, "criu", "env", "");
	value_of(&c, "store", "root", "/var/lib/criuctl");
	value_of(&c, "store", "keep", "0");
	value_of(&c, "store", "keep_failed", "20");
	value_of(&c, "dump", "shell_job", "false");
	value_of(&c, "dump", "auto_flags", "true");
	value_of(&c, "dump", "skip_mnt", "");
	value_of(&c, "dump", "network_lock", "");
	value_of(&c, "dump", "timeout", "600");
	value_of(&c, "dump", "stall_timeout", "120");
	value_of(&c, "restore", "wait", "false");
	value_of(&c, "restore", "verify", "true");
	config_free(&c);

	assert_int_equal(
		parse(&c,
		      "[criu]\npath = /opt/criu\nenv = A=1\nenv = B=2, C=3\n"
		      "[store]\nkeep = 7\n"
		      "[dump]\nfile_locks = yes\nskip_mnt = /a,/b\nskip_mnt = /c\n"
		      "network_lock = nftables\nmanage_cgroups = soft\ntimeout = 1.5\n"
		      "stall_timeout = 30d\n"
		      "[restore]\nwait = on\nverify = no\ntimeout = 12d\nstall_timeout = 0.5m\n"
		      "root = /mnt/r\n",
		      &e),
		0);
	value_of(&c, "criu", "path", "/opt/criu");
	value_of(&c, "criu", "env", "A=1, B=2, C=3");
	value_of(&c, "store", "keep", "7");
	value_of(&c, "dump", "file_locks", "true");
	value_of(&c, "dump", "skip_mnt", "/a, /b, /c");
	value_of(&c, "dump", "external", "");
	value_of(&c, "dump", "network_lock", "nftables");
	value_of(&c, "dump", "manage_cgroups", "soft");
	value_of(&c, "dump", "timeout", "1.5");
	/* Large durations stay plain numbers that the parser takes back. */
	value_of(&c, "dump", "stall_timeout", "2592000");
	value_of(&c, "restore", "timeout", "1036800");
	value_of(&c, "restore", "stall_timeout", "30");
	value_of(&c, "restore", "wait", "true");
	value_of(&c, "restore", "verify", "false");
	value_of(&c, "restore", "root", "/mnt/r");
	{
		char buf[64];
		double back;

		config_key_value(&c, key_at("restore", "timeout"), buf, sizeof(buf));
		assert_int_equal(config_parse_duration(buf, &back), 0);
		assert_true(back == 12 * 86400.0);
	}
	/* A small buffer truncates, NUL-terminated. */
	{
		char small[8];

		memset(small, 'x', sizeof(small));
		config_key_value(&c, key_at("criu", "env"), small, sizeof(small));
		assert_string_equal(small, "A=1, B=");
		config_key_value(&c, key_at("dump", "skip_mnt"), small, 3);
		assert_string_equal(small, "/a");
	}
	config_free(&c);
}

static const struct {
	const char *s;
	int ok;
	double value;
} age_cases[] = {
	{"7d", 0, 7 * 86400.0},
	{"3650d", 0, 3650 * 86400.0},
	{"3651d", -1, 0},
	{"30m", 0, 1800},
	{"12h", 0, 43200},
	{"90", 0, 90},
	{"0.5d", 0, 43200},
	{"87600h", 0, 315360000},
	{"87601h", -1, 0},
	{"315360001", -1, 0},
	{"31d", 0, 31 * 86400.0},
	{"", -1, 0},
	{"d", -1, 0},
	{"-1d", -1, 0},
	{"7 d", -1, 0},
	{"7w", -1, 0},
	{"1e3", -1, 0},
	{"inf", -1, 0},
};

static void test_parse_age(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(age_cases) / sizeof(age_cases[0]); i++) {
		double v = 42;

		check_int(age_cases[i].s, config_parse_age(age_cases[i].s, &v), age_cases[i].ok);
		if (v != (age_cases[i].ok ? 42 : age_cases[i].value))
			fail_msg("%s: value %g", age_cases[i].s, v);
	}
}

static const struct {
	const char *s;
	int ok;
	double value;
} duration_cases[] = {
	{"30d", 0, 30 * 86400.0}, {"31d", -1, 0},	  {"1d", 0, 86400},
	{"720h", 0, 2592000},	  {"721h", -1, 0},	  {"7d", 0, 604800},
	{"3650d", -1, 0},	  {"43200m", 0, 2592000}, {"43201m", -1, 0},
};

static void test_parse_duration_limit(void **state)
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profiles_kept),
		cmocka_unit_test(test_apply_fast),
		cmocka_unit_test(test_apply_slow),
		cmocka_unit_test(test_apply_on_defaults),
		cmocka_unit_test(test_unknown_profile),
		cmocka_unit_test(test_profile_edges),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_key_table),
		cmocka_unit_test(test_key_values),
		cmocka_unit_test(test_parse_age),
		cmocka_unit_test(test_parse_duration_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
