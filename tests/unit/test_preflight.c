/*
 * Unit tests of preflight and retention, the dump's two policies: what
 * each finding of the target makes criuctl do (a table of findings and
 * policies), and which checkpoints a prune removes (a table of stores).
 */
#include "unit.h"

#include "preflight.h"
#include "retention.h"

/* A finding as doctor_target() makes it ("id:level", level o, w or f). */
struct fx {
	const char *id;
	enum level level;
};

#define OK(id)                                                                                     \
	{                                                                                          \
		id, LEVEL_OK                                                                       \
	}
#define WARN(id)                                                                                   \
	{                                                                                          \
		id, LEVEL_WARN                                                                     \
	}
#define FAIL(id)                                                                                   \
	{                                                                                          \
		id, LEVEL_FAIL                                                                     \
	}

static const struct strv no_refused = {0};
static char tcp_key[] = "tcp_established";
static char *tcp_refused_v[] = {tcp_key};
static const struct strv tcp_refused = {tcp_refused_v, 1, 1};

static const struct {
	const char *row;
	struct fx f[4];
	struct pf_policy p;
	const char *actions; /* per finding: q quiet, s say, a add its flag */
	const char *added[4];
	const char *fatal; /* NULL: none */
	int exit_code;
} cases[] = {
	{"nothing to say",
	 {OK("session"), OK("space")},
	 {1, 0, &no_refused},
	 "qq",
	 {NULL},
	 NULL,
	 0},
	{"a TCP connection: its flag is added",
	 {OK("session"), WARN("tcp-established")},
	 {1, 0, &no_refused},
	 "qa",
	 {NULL, "tcp_established"},
	 NULL,
	 0},
	{"every flagged warning gets its own flag",
	 {WARN("ext-unix-sk"), WARN("file-locks"), WARN("controlling-tty"), WARN("external-mount")},
	 {1, 0, &no_refused},
	 "aaaa",
	 {"ext_unix_sk", "file_locks", "shell_job", "external"},
	 NULL,
	 0},
	{"--no-auto-flags: said, not added",
	 {WARN("tcp-established"), WARN("file-locks")},
	 {0, 0, &no_refused},
	 "ss",
	 {NULL},
	 NULL,
	 0},
	{"--no-tcp-established wins over the auto flag",
	 {WARN("tcp-established"), WARN("file-locks")},
	 {1, 0, &tcp_refused},
	 "sa",
	 {NULL, "file_locks"},
	 NULL,
	 0},
	{"a warning no flag deals with is said",
	 {WARN("task-stopped"), WARN("task-zombie")},
	 {1, 0, &no_refused},
	 "ss",
	 {NULL},
	 NULL,
	 0},
	{"a failure refuses the dump (exit 3); flags are still decided",
	 {WARN("tcp-established"), FAIL("session-leader-outside-pidns")},
	 {1, 0, &no_refused},
	 "as",
	 {"tcp_established"},
	 "session-leader-outside-pidns",
	 3},
	{"the first failure is the one named",
	 {FAIL("task-traced"), FAIL("no-space")},
	 {1, 0, &no_refused},
	 "ss",
	 {NULL},
	 "task-traced",
	 3},
	{"too little space is a store error (exit 5)",
	 {OK("session"), FAIL("no-space")},
	 {1, 0, &no_refused},
	 "qs",
	 {NULL},
	 "no-space",
	 5},
	{"--force dumps despite a failure, which is still named",
	 {FAIL("session-leader-outside-pidns")},
	 {1, 1, &no_refused},
	 "s",
	 {NULL},
	 "session-leader-outside-pidns",
	 0},
	{"a shell's job: shell-job-needed is a warning --shell-job deals with",
	 {WARN("shell-job-needed")},
	 {1, 0, NULL},
	 "a",
	 {"shell_job"},
	 NULL,
	 0},
};

static void test_preflight(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *row = cases[i].row;
		struct findings f = {0};
		const struct finding *fatal;

		for (size_t k = 0; k < 4 && cases[i].f[k].id; k++)
			assert_int_equal(findings_add(&f, cases[i].f[k].id, cases[i].f[k].level,
						      NULL, "%s", "msg"),
					 0);
		check_int(row, f.n, strlen(cases[i].actions));
		for (size_t k = 0; k < f.n; k++) {
			const struct criu_flag *fl = (const void *)1;
			enum pf_action a = preflight_action(&f.v[k], &cases[i].p, &fl);
			char want = cases[i].actions[k];

			check_int(row, a,
				  want == 'a'	? PF_ADD_FLAG
				  : want == 's' ? PF_SAY
						: PF_QUIET);
			if (a == PF_ADD_FLAG)
				check_str(row, fl->key, cases[i].added[k]);
			else if (fl)
				fail_msg("%s: finding %zu: a flag without PF_ADD_FLAG", row, k);
		}
		fatal = preflight_fatal(&f);
		check_str(row, fatal ? fatal->id : "", cases[i].fatal ? cases[i].fatal : "");
		check_int(row, preflight_exit(fatal, &cases[i].p), cases[i].exit_code);
		findings_free(&f);
	}
}

#define S 1000000000LL /* a second in nanoseconds */

static const struct {
	const char *row;
	struct retention r;
	const char *names[6]; /* mtimes: names[k] is k hours old */
	const char *held;     /* cannot be removed (a running criuctl holds it) */
	const char *removed;  /* newest first, space-separated */
} stores[] = {
	{"no limits: nothing goes", {0, 0, NULL, 0}, {"a", "b", "c"}, NULL, ""},
	{"keep 2 of 4: the two oldest go", {2, 0, NULL, 0}, {"a", "b", "c", "d"}, NULL, "c d"},
	{"keep 2, but the newest is the spare", {2, 0, "a", 0}, {"a", "b", "c"}, NULL, "c"},
	{"keep 1, the spare is the oldest: kept as well",
	 {1, 0, "c", 0},
	 {"a", "b", "c"},
	 NULL,
	 "b"},
	{"older than 90 min", {0, 90 * 60, NULL, 0}, {"a", "b", "c", "d"}, NULL, "c d"},
	{"older than 90 min and keep 1", {1, 90 * 60, NULL, 0}, {"a", "b", "c"}, NULL, "b c"},
	{"keep 2: a held old entry counts as kept",
	 {2, 0, NULL, 0},
	 {"a", "b", "c", "d"},
	 "c",
	 "d"},
	{"keep 2, older than 30 min: a held old one counts, the next goes",
	 {2, 30 * 60, NULL, 0},
	 {"a", "b", "c"},
	 "b",
	 "c"},
	{"an empty store", {1, 1, NULL, 0}, {NULL}, NULL, ""},
};

static void test_retention(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
		const char *row = stores[i].row;
		struct retention r = stores[i].r;
		struct aged v[6];
		char removed[64] = "";
		size_t n = 0, kept = 0;

		r.now = 100 * 3600 * S;
		/* Given oldest first, so that the sort has work to do. */
		while (n < 6 && stores[i].names[n])
			n++;
		for (size_t k = 0; k < n; k++)
			v[k] = (struct aged){stores[i].names[n - 1 - k],
					     r.now - (long long)(n - 1 - k) * 3600 * S};
		retention_sort(v, n);
		for (size_t k = 0; k < n; k++) {
			int held = stores[i].held && strcmp(v[k].name, stores[i].held) == 0;

			if (retention_removes(&v[k], kept, &r) && !held)
				snprintf(removed + strlen(removed),
					 sizeof(removed) - strlen(removed), "%s%s",
					 removed[0] ? " " : "", v[k].name);
			else
				kept++;
		}
		check_str(row, removed, stores[i].removed);
	}
}

/* Entries of the same time are ordered by name, so that "the newest" is
 * never a coin toss. */
static void test_retention_ties(void **state)
{
	struct aged v[] = {{"c", 5}, {"a", 5}, {"b", 7}};

	(void)state;
	retention_sort(v, 3);
	assert_string_equal(v[0].name, "b");
	assert_string_equal(v[1].name, "a");
	assert_string_equal(v[2].name, "c");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preflight),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_retention_ties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
