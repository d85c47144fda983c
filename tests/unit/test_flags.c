/*
 * Unit tests of flags: the flag table is whole (every row says what its
 * kind needs), and what reads it agrees with it: criu's argv for each kind
 * of run, the manifest's round trip, the restore's replay, auto flags by
 * finding.  A new row is covered by these loops; its own test is a row of
 * test_criu_argv's tables.
 */
#include "unit.h"

#include "criu_argv.h"
#include "flags.h"
#include "manifest.h"

static const unsigned runs[] = {FOR_DUMP, FOR_PRE_DUMP, FOR_RESTORE};

static void test_rows_whole(void **state)
{
	(void)state;
	assert_non_null(flag_at(0));
	for (size_t i = 0; flag_at(i); i++) {
		const struct criu_flag *f = flag_at(i);
		const char *row = f->key ? f->key : f->criu;

		assert_non_null(row);
		check_int(row, f->help && *f->help, 1);
		/* criu's own options are spelled as criu spells them. */
		if (f->criu && *f->criu)
			check_int(row, strncmp(f->criu, "--", 2), 0);
		/* What a section of the configuration sets has a key and an option. */
		if (f->where & (CONF_DUMP | CONF_RESTORE))
			check_int(row, f->key && f->option, 1);
		/* A value needs its name in --help; a switch has none. */
		check_int(row, !!f->arg, f->kind != FLAG_BOOL && f->kind != FLAG_ALWAYS);
		check_int(row, !!f->choices, f->kind == FLAG_CHOICE);
		/* What restore repeats is something criu restore takes. */
		if (f->where & REPLAY)
			check_int(row, !!(f->where & FOR_RESTORE), 1);
		/* criuctl's own settings never reach criu. */
		check_int(row, f->kind == FLAG_DURATION, !f->criu);
		if (f->key)
			check_int(row, flag_by_key(f->key) == f, 1);
		if (f->option)
			check_int(row, flag_by_option(f->option) == f, 1);
		for (const char *const *x = f->findings; x && *x; x++)
			check_int(*x, flag_by_finding(*x) == f, 1);
	}
	assert_null(flag_by_key("no-such-key"));
	assert_null(flag_by_option(NULL));
	assert_null(flag_by_finding("tree"));
}

/* Every row set, for argv and the manifest. */
static void set_all(struct criu_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; flag_at(i); i++) {
		const struct criu_flag *f = flag_at(i);
		void *v = flag_field(o, f);

		switch (f->kind) {
		case FLAG_BOOL: *(int *)v = 1; break;
		case FLAG_CHOICE: snprintf(v, CRIU_CHOICE_MAX, "%s", f->choices[1]); break;
		case FLAG_DURATION: *(double *)v = 12.5; break;
		case FLAG_LIST:
		case FLAG_RAW: assert_int_equal(strv_pushf(v, "--%s-value", f->key), 0); break;
		case FLAG_ALWAYS: break;
		}
	}
}

static int argv_has(const struct strv *sv, const char *word)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], word) == 0 ||
		    (strncmp(sv->v[i], word, strlen(word)) == 0 && sv->v[i][strlen(word)] == '='))
			return 1;
	return 0;
}

/* A row reaches criu's argv exactly for the runs it names. */
static void test_argv_by_run(void **state)
{
	struct criu_opts o;

	(void)state;
	set_all(&o);
	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		struct strv out = {0};

		assert_int_equal(flags_argv(&o, runs[r], &out), 0);
		for (size_t i = 0; flag_at(i); i++) {
			const struct criu_flag *f = flag_at(i);
			char row[96];

			snprintf(row, sizeof(row), "%s in run %u", f->key ? f->key : f->criu,
				 runs[r]);
			if (f->kind == FLAG_RAW)
				check_int(row, argv_has(&out, "--criu_opt-value"),
					  !!(f->where & runs[r]));
			else if (f->criu)
				check_int(row, argv_has(&out, f->criu), !!(f->where & runs[r]));
		}
		/* Raw arguments come last. */
		check_str("last", out.v[out.n - 1], "--criu_opt-value");
		strv_free(&out);
	}
	criu_opts_free(&o);
}

/* A host's /etc/criu/default.conf never reaches a run: every kind of run,
 * and criu's --version and check, get --no-default-config. */
static void test_no_default_config(void **state)
{
	struct criu_opts o = {0};
	struct strv out = {0};

	(void)state;
	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		assert_int_equal(flags_argv(&o, runs[r], &out), 0);
		check_int("flags_argv", argv_has(&out, "--no-default-config"), 1);
		strv_free(&out);
	}
	assert_int_equal(flags_always(&out), 0);
	check_int("flags_always", argv_has(&out, "--no-default-config"), 1);
	strv_free(&out);
}

/* The manifest keeps every row with a key, by that key. */
static void test_manifest_round_trip(void **state)
{
	struct manifest m = {.root_pid = 7}, back;
	char why[256], *text;
	json_t *j;

	(void)state;
	snprintf(m.name, sizeof(m.name), "n");
	snprintf(m.created, sizeof(m.created), "2026-12-02T00:00:00Z");
	set_all(&m.opts);
	j = manifest_to_json(&m);
	assert_non_null(j);
	text = json_dumps(j, 0);
	json_decref(j);
	assert_int_equal(manifest_from_json(text, strlen(text), &back, why, sizeof(why)), 0);
	for (size_t i = 0; flag_at(i); i++) {
		const struct criu_flag *f = flag_at(i);
		const void *a = flag_field_const(&m.opts, f), *b = flag_field_const(&back.opts, f);

		if (!f->key)
			continue;
		if (f->kind == FLAG_LIST || f->kind == FLAG_RAW)
			check_str(f->key,
				  ((const struct strv *)b)->n ? ((const struct strv *)b)->v[0] : "",
				  ((const struct strv *)a)->v[0]);
		else if (f->kind == FLAG_CHOICE)
			check_str(f->key, b, a);
		else if (f->kind == FLAG_DURATION)
			check_int(f->key, *(const double *)b == *(const double *)a, 1);
		else
			check_int(f->key, *(const int *)b, *(const int *)a);
	}
	free(text);
	manifest_free(&back);
	manifest_free(&m);
}

/* Restore takes what the dump used for the REPLAY rows, and only those. */
static void test_replay(void **state)
{
	struct criu_opts dumped, o = {0};

	(void)state;
	set_all(&dumped);
	assert_int_equal(flags_replay(&o, &dumped), 0);
	for (size_t i = 0; flag_at(i); i++) {
		const struct criu_flag *f = flag_at(i);
		const void *v = flag_field_const(&o, f);
		int set = f->kind == FLAG_BOOL	     ? *(const int *)v
			  : f->kind == FLAG_CHOICE   ? *(const char *)v != 0
			  : f->kind == FLAG_DURATION ? *(const double *)v != 0
			  : f->kind == FLAG_ALWAYS   ? 0
						     : ((const struct strv *)v)->n != 0;

		check_int(f->key ? f->key : f->criu, set, !!(f->where & REPLAY));
	}
	criu_opts_free(&o);
	criu_opts_free(&dumped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_whole),
		cmocka_unit_test(test_argv_by_run),
		cmocka_unit_test(test_no_default_config),
		cmocka_unit_test(test_manifest_round_trip),
		cmocka_unit_test(test_replay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
