/*
 * Unit tests of kconfig: reading one option from config text, checking a
 * config against the requirement table, and the table against the
 * fragment it ships as (guest-image/kernel/criu.conf).
 */
#include "unit.h"

#include "kconfig.h"

/* The fragment, read from the repository (the tests run from its root). */
#define FRAGMENT "../../guest-image/kernel/criu.conf"

static const char config_text[] = "#\n"
				  "# Automatically generated file; DO NOT EDIT.\n"
				  "#\n"
				  "CONFIG_LOCALVERSION=\"-fc\"\n"
				  "CONFIG_NR_CPUS=64\n"
				  "CONFIG_TUNE=y\n"
				  "# CONFIG_TUN is not set\n"
				  "CONFIG_TUN_VNET_CROSS_LE=y\n"
				  "CONFIG_NF_TABLES=m\n"
				  "CONFIG_EMPTY=\n"
				  "# see CONFIG_COMMENTED=y\n"
				  " CONFIG_INDENTED=y\n"
				  "CONFIG_PID_NS=y\n"
				  "CONFIG_LAST=y"; /* no newline at the end */

static const struct {
	const char *option;
	const char *want; /* NULL: unset or absent */
} value_cases[] = {
	{"CONFIG_PID_NS", "y"},
	{"CONFIG_NF_TABLES", "m"},
	{"CONFIG_LOCALVERSION", "\"-fc\""}, /* the value as written, quotes included */
	{"CONFIG_NR_CPUS", "64"},
	{"CONFIG_EMPTY", ""},
	{"CONFIG_LAST", "y"},
	/* "# CONFIG_TUN is not set", although CONFIG_TUNE and CONFIG_TUN_* are. */
	{"CONFIG_TUN", NULL},
	{"CONFIG_TUNE", "y"},
	{"CONFIG_TUN_VNET_CROSS_LE", "y"},
	/* A prefix of an option is not the option. */
	{"CONFIG_TUN_VNET", NULL},
	{"CONFIG_NR_CPU", NULL},
	{"CONFIG_ABSENT", NULL},
	/* Only at the start of a line. */
	{"CONFIG_COMMENTED", NULL},
	{"CONFIG_INDENTED", NULL},
};

static void test_value(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		const char *row = value_cases[i].option;
		char val[64] = "untouched";
		const char *got =
			kconfig_value(config_text, strlen(config_text), row, val, sizeof(val));

		if (!value_cases[i].want) {
			if (got)
				fail_msg("%s: got \"%s\", want NULL", row, got);
			continue;
		}
		check_str(row, got, value_cases[i].want);
		if (got != val)
			fail_msg("%s: the value is not returned in val", row);
	}
}

/* A value longer than the buffer is cut, NUL-terminated. */
static void test_value_truncated(void **state)
{
	char val[4];

	(void)state;
	assert_string_equal(kconfig_value(config_text, strlen(config_text), "CONFIG_LOCALVERSION",
					  val, sizeof(val)),
			    "\"-f");
	assert_null(kconfig_value("", 0, "CONFIG_X", val, sizeof(val)));
	/* The length bounds the text: an option past len is not seen. */
	assert_null(kconfig_value("CONFIG_A=y\nCONFIG_B=y\n", 11, "CONFIG_B", val, sizeof(val)));
}

static char *fragment(size_t *len)
{
	return fixture_read(FRAGMENT, len);
}

/* text without the lines that set any of the options (NULL-terminated). */
static char *without(const char *text, const char *const *options)
{
	char *out = malloc(strlen(text) + 1), *o = out;
	const char *p = text;

	assert_non_null(out);
	while (*p) {
		size_t n = strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n');
		int drop = 0;

		for (const char *const *opt = options; *opt; opt++)
			drop |= strncmp(p, *opt, strlen(*opt)) == 0 && p[strlen(*opt)] == '=';
		if (!drop) {
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	*o = '\0';
	return out;
}

static size_t n_needs(void)
{
	size_t n = 0;

	while (kconfig_need_at(n))
		n++;
	return n;
}

/* The finding kconfig-OPTION (OPTION without CONFIG_) must exist. */
static const struct finding *kfinding(const struct findings *f, const char *option)
{
	char id[64];
	const struct finding *x;

	snprintf(id, sizeof(id), "kconfig-%s", option + strlen("CONFIG_"));
	x = findings_get(f, id);
	if (!x)
		fail_msg("no finding %s", id);
	return x;
}

static void test_check_fragment(void **state)
{
	struct findings f = {0};
	size_t len, n = n_needs();
	char *text = fragment(&len);
	const struct finding *k;

	(void)state;
	assert_int_equal(kconfig_check(text, len, "criu.conf", &f), 0);
	assert_int_equal(f.n, n + 1);
	for (size_t i = 0; i < n; i++) {
		const struct kconfig_need *need = kconfig_need_at(i);
		const struct finding *x = kfinding(&f, need->option);
		char want[128];

		check_int(need->option, x->level, LEVEL_OK);
		snprintf(want, sizeof(want), "%s=y", need->option);
		check_str(need->option, x->message, want);
		/* Findings come in the table's order, the summary last. */
		check_str(need->option, f.v[i].id, x->id);
	}
	k = &f.v[n];
	assert_string_equal(k->id, "kernel-config");
	assert_int_equal(k->level, LEVEL_OK);
	assert_string_equal(k->message,
			    "criu.conf: 0 required options missing, 0 optional missing");
	assert_string_equal(k->remedy, "");
	assert_int_equal(findings_worst(&f), LEVEL_OK);
	findings_free(&f);
	free(text);
}

static void test_check_required_missing(void **state)
{
	static const char *const gone[] = {"CONFIG_CHECKPOINT_RESTORE", "CONFIG_MEMBARRIER", NULL};
	struct findings f = {0};
	size_t len, n = n_needs(), failing = 0;
	char *full = fragment(&len), *text = without(full, gone);
	const struct finding *k;

	(void)state;
	assert_int_equal(kconfig_check(text, strlen(text), "small.config", &f), 0);
	for (size_t i = 0; i < n; i++) {
		const struct kconfig_need *need = kconfig_need_at(i);
		const struct finding *x = kfinding(&f, need->option);
		int is_gone =
			strcmp(need->option, gone[0]) == 0 || strcmp(need->option, gone[1]) == 0;

		check_int(need->option, x->level, is_gone ? LEVEL_FAIL : LEVEL_OK);
		if (is_gone) {
			char want[256];

			snprintf(want, sizeof(want), "%s is not set: %s", need->option, need->why);
			check_str(need->option, x->message, want);
			if (!strstr(x->remedy, "guest-image/kernel/criu.conf"))
				fail_msg("%s: remedy \"%s\"", need->option, x->remedy);
		}
		failing += x->level == LEVEL_FAIL;
	}
	assert_int_equal(failing, 2);
	k = findings_get(&f, "kernel-config");
	assert_non_null(k);
	assert_int_equal(k->level, LEVEL_FAIL);
	assert_non_null(strstr(k->message, "2 required options missing"));
	assert_string_equal(k->message,
			    "small.config: 2 required options missing, 0 optional missing");
	assert_true(k->remedy[0] != '\0');
	findings_free(&f);
	free(text);
	free(full);
}

/* "# CONFIG_X is not set" and "=n" are as missing as an absent line; =m is on. */
static void test_check_not_set(void **state)
{
	static const char *const gone[] = {"CONFIG_CHECKPOINT_RESTORE", "CONFIG_PID_NS",
					   "CONFIG_EPOLL", NULL};
	struct findings f = {0};
	size_t len;
	char *full = fragment(&len), *base = without(full, gone), *text;

	(void)state;
	assert_true(asprintf(&text,
			     "%s# CONFIG_CHECKPOINT_RESTORE is not set\nCONFIG_PID_NS=n\n"
			     "CONFIG_EPOLL=m\n",
			     base) > 0);
	assert_int_equal(kconfig_check(text, strlen(text), "x", &f), 0);
	assert_int_equal(findings_get(&f, "kconfig-CHECKPOINT_RESTORE")->level, LEVEL_FAIL);
	assert_int_equal(findings_get(&f, "kconfig-PID_NS")->level, LEVEL_FAIL);
	assert_int_equal(findings_get(&f, "kconfig-EPOLL")->level, LEVEL_OK);
	assert_string_equal(findings_get(&f, "kconfig-EPOLL")->message, "CONFIG_EPOLL=m");
	assert_string_equal(findings_get(&f, "kernel-config")->message,
			    "x: 2 required options missing, 0 optional missing");
	findings_free(&f);
	free(text);
	free(base);
	free(full);
}

static void test_check_optional_missing(void **state)
{
	static const char *const one[] = {"CONFIG_MEM_SOFT_DIRTY", NULL};
	static const char *const two[] = {"CONFIG_TUN", "CONFIG_USERFAULTFD", NULL};
	static const struct {
		const char *const *gone;
		const char *message;
	} cases[] = {
		{one, "cfg: 0 required options missing, 1 optional missing"},
		{two, "cfg: 0 required options missing, 2 optional missing"},
	};
	size_t len;
	char *full = fragment(&len);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct findings f = {0};
		char *text = without(full, cases[i].gone);
		const struct finding *k;

		assert_int_equal(kconfig_check(text, strlen(text), "cfg", &f), 0);
		for (const char *const *g = cases[i].gone; *g; g++)
			check_int(*g, kfinding(&f, *g)->level, LEVEL_WARN);
		k = findings_get(&f, "kernel-config");
		check_int(cases[i].message, k->level, LEVEL_WARN);
		check_str(cases[i].message, k->message, cases[i].message);
		check_int(cases[i].message, findings_worst(&f), LEVEL_WARN);
		if (!k->remedy[0])
			fail_msg("%s: no remedy", cases[i].message);
		findings_free(&f);
		free(text);
	}
	free(full);
}

/* An empty config: every requirement at its missing level. */
static void test_check_empty(void **state)
{
	struct findings f = {0};
	size_t n = n_needs(), fails = 0, warns = 0;
	char want[128];

	(void)state;
	assert_int_equal(kconfig_check("", 0, "empty", &f), 0);
	for (size_t i = 0; i < n; i++) {
		const struct kconfig_need *need = kconfig_need_at(i);

		check_int(need->option, kfinding(&f, need->option)->level, need->missing);
		fails += need->missing == LEVEL_FAIL;
		warns += need->missing == LEVEL_WARN;
	}
	snprintf(want, sizeof(want), "empty: %zu required options missing, %zu optional missing",
		 fails, warns);
	assert_string_equal(findings_get(&f, "kernel-config")->message, want);
	findings_free(&f);
}

/*
 * The table and the fragment list the same options in the same order; the
 * comment above each says "# required: WHY" (LEVEL_FAIL) or "# optional:
 * WHY" (LEVEL_WARN) with the table's WHY; every option is =y.
 */
static void test_table_matches_fragment(void **state)
{
	size_t len, i = 0;
	char *text = fragment(&len), *save = NULL, *prev = NULL;

	(void)state;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const struct kconfig_need *need;
		char want[256];
		size_t n;

		if (strncmp(line, "CONFIG_", 7) != 0) {
			prev = line;
			continue;
		}
		need = kconfig_need_at(i++);
		if (!need)
			fail_msg("%s: not in the table (it has %zu options)", line, i - 1);
		n = strcspn(line, "=");
		if (n != strlen(need->option) || strncmp(line, need->option, n) != 0)
			fail_msg("option %zu: the fragment has %.*s, the table %s", i - 1, (int)n,
				 line, need->option);
		check_str(need->option, line + n, "=y");
		snprintf(want, sizeof(want), "# %s: %s",
			 need->missing == LEVEL_FAIL ? "required" : "optional", need->why);
		if (need->missing != LEVEL_FAIL && need->missing != LEVEL_WARN)
			fail_msg("%s: missing level %d", need->option, need->missing);
		check_str(need->option, prev, want);
		prev = line;
	}
	if (kconfig_need_at(i))
		fail_msg("%s: in the table, not in the fragment", kconfig_need_at(i)->option);
	assert_true(i > 10);
	free(text);
}

static void test_need_at(void **state)
{
	size_t n = n_needs();

	(void)state;
	assert_null(kconfig_need_at(n + 1));
	assert_null(kconfig_need_at((size_t)-1));
	assert_string_equal(kconfig_need_at(0)->option, "CONFIG_CHECKPOINT_RESTORE");
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (strcmp(kconfig_need_at(i)->option, kconfig_need_at(k)->option) == 0)
				fail_msg("%s listed twice", kconfig_need_at(i)->option);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_value_truncated),
		cmocka_unit_test(test_check_fragment),
		cmocka_unit_test(test_check_required_missing),
		cmocka_unit_test(test_check_not_set),
		cmocka_unit_test(test_check_optional_missing),
		cmocka_unit_test(test_check_empty),
		cmocka_unit_test(test_table_matches_fragment),
		cmocka_unit_test(test_need_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
