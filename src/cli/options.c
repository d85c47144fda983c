/*
 * options: the table to getopt_long and to --help (see options.h).  Option
 * codes: the command's own rows are 256 + their index, the flag rows
 * 512 + their index in the flag table, their --no- forms 768 + that, the
 * global options 1024 + their row in cli_globals; a short option is its
 * letter.
 */
#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "flags.h"

#define OWN	   256
#define FLAG	   512
#define NO_FLAG	   768
#define GLOBAL	   1024
#define MAX_OPTS   64
#define HELP_COL   26
#define HELP_WIDTH 79

static int takes(const struct cli_parse *p, const struct criu_flag *f)
{
	return (f->where & p->flags) && f->option;
}

struct table {
	struct option longopts[MAX_OPTS];
	char shortopts[2 * MAX_OPTS];
	size_t n;
};

static void add(struct table *t, const char *name, int has_arg, int code, char short_opt)
{
	if (t->n + 1 >= MAX_OPTS)
		abort(); /* a table this large is a bug, never a user error */
	/* So is an option twice: a command's own with a global's name or letter. */
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->longopts[i].name, name) == 0)
			abort();
	if (short_opt && strchr(t->shortopts, short_opt))
		abort();
	t->longopts[t->n++] = (struct option){name, has_arg, NULL, code};
	if (short_opt) {
		size_t k = strlen(t->shortopts);

		t->shortopts[k++] = short_opt;
		if (has_arg)
			t->shortopts[k++] = ':';
		t->shortopts[k] = '\0';
	}
}

/* The next option code: a short option is its letter, for getopt_long. */
static void build(const struct cli_parse *p, struct table *t)
{
	memset(t, 0, sizeof(*t));
	/* '+': stop at the first operand; ':': a missing value is ':'. */
	snprintf(t->shortopts, sizeof(t->shortopts), "%s:", p->in_order ? "+" : "");
	for (size_t i = 0; cli_globals[i].name; i++)
		if (cli_globals[i].anywhere)
			add(t, cli_globals[i].name,
			    cli_globals[i].arg ? required_argument : no_argument,
			    cli_globals[i].short_opt ? cli_globals[i].short_opt : GLOBAL + (int)i,
			    cli_globals[i].short_opt);
	for (size_t i = 0; p->own && p->own[i].name; i++)
		if (p->own[i].id != CLI_FLAGS_HERE)
			add(t, p->own[i].name, p->own[i].arg ? required_argument : no_argument,
			    p->own[i].short_opt ? p->own[i].short_opt : OWN + (int)i,
			    p->own[i].short_opt);
	for (size_t i = 0; p->flags && flag_at(i); i++) {
		const struct criu_flag *f = flag_at(i);

		if (!takes(p, f))
			continue;
		add(t, f->option, f->kind == FLAG_BOOL ? no_argument : required_argument,
		    f->short_opt ? f->short_opt : FLAG + (int)i, f->short_opt);
	}
	add(t, "help", no_argument, 'h', 'h');
}

/* The negative forms, "no-" + the switch's option, kept for the parse. */
static void build_negations(const struct cli_parse *p, struct table *t, char names[][40])
{
	for (size_t i = 0; p->flags && flag_at(i); i++) {
		const struct criu_flag *f = flag_at(i);

		if (takes(p, f) && f->kind == FLAG_BOOL) {
			snprintf(names[i], 40, "no-%s", f->option);
			add(t, names[i], no_argument, NO_FLAG + (int)i, 0);
		}
	}
}

void cli_help_line(FILE *out, char short_opt, const char *name, const char *arg, const char *help)
{
	char left[64];
	int n = snprintf(left, sizeof(left), "  %c%c%s--%s%s%s", short_opt ? '-' : ' ',
			 short_opt ? short_opt : ' ', short_opt ? ", " : "  ", name, arg ? " " : "",
			 arg ? arg : "");

	if (n >= HELP_COL - 1)
		fprintf(out, "%s\n%*s%s\n", left, HELP_COL, "", help);
	else
		fprintf(out, "%-*s%s\n", HELP_COL, left, help);
}

/* The --no- forms of the switches, after the flags, wrapped. */
static void negation_lines(FILE *out, const struct cli_parse *p)
{
	int col = 0;

	for (size_t i = 0; flag_at(i); i++) {
		const struct criu_flag *f = flag_at(i);
		int w;

		if (!takes(p, f) || f->kind != FLAG_BOOL)
			continue;
		w = (int)strlen(f->option) + 6; /* "--no-" and ", " or "" */
		if (!col) {
			fprintf(out, "%*s%s\n", 6, "",
				"a switch the configuration turns on is turned off by its "
				"negation:");
			col = fprintf(out, "%*s", HELP_COL, "");
		} else if (col + w + 2 > HELP_WIDTH) {
			col = fprintf(out, ",\n%*s", HELP_COL, "") - 2;
		} else {
			col += fprintf(out, ", ");
		}
		col += fprintf(out, "--no-%s", f->option);
	}
	if (col)
		fputc('\n', out);
}

static void flag_lines(FILE *out, const struct cli_parse *p)
{
	for (size_t i = 0; flag_at(i); i++)
		if (takes(p, flag_at(i)))
			cli_help_line(out, flag_at(i)->short_opt, flag_at(i)->option,
				      flag_at(i)->arg, flag_at(i)->help);
	negation_lines(out, p);
}

static char *usage_text(const struct cli_parse *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	fprintf(out, "usage: %s\n", p->synopsis);
	for (size_t i = 0; p->own && p->own[i].name; i++) {
		const struct cli_opt *o = &p->own[i];

		if (o->id == CLI_FLAGS_HERE)
			flag_lines(out, p);
		else
			cli_help_line(out, o->short_opt, o->name, o->arg, o->help);
	}
	cli_help_line(out, 'h', "help", NULL, "this help");
	fputs("global options (also before the command):\n", out);
	for (size_t i = 0; cli_globals[i].name; i++)
		if (cli_globals[i].anywhere)
			cli_help_line(out, cli_globals[i].short_opt, cli_globals[i].name,
				      cli_globals[i].arg, cli_globals[i].help);
	if (p->about)
		fputs(p->about, out);
	fclose(out);
	return text;
}

/* A flag of the table, given on the command line. */
static int take_flag(struct cli *c, const struct cli_parse *p, const struct criu_flag *f,
		     const char *arg, int *seen)
{
	void *v = flag_field(p->opts, f);

	switch (f->kind) {
	case FLAG_BOOL: *(int *)v = 1; return -1;
	case FLAG_LIST:
	case FLAG_RAW: return cli_list(c, v, seen, arg);
	case FLAG_CHOICE:
		if (!flag_choice_valid(f, arg))
			return cli_usage(c, p->cmd, "--%s '%s' is not one of criu's modes",
					 f->option, arg);
		snprintf(v, CRIU_CHOICE_MAX, "%s", arg);
		return -1;
	case FLAG_DURATION:
		if (config_parse_duration(arg, v) < 0)
			return cli_usage(c, p->cmd, "--%s '%s' is not a duration", f->option, arg);
		return -1;
	case FLAG_ALWAYS: break;
	}
	return -1;
}

static int help(struct cli *c, const struct cli_parse *p)
{
	char *text = usage_text(p);
	int rc = text ? cli_help(c, text) : cli_oom(c);

	free(text);
	return rc;
}

/* --no-SWITCH: off, and remembered as refused, so that a finding of the
 * doctor does not turn it back on.  Only switches have a negative form
 * (build_negations). */
static int refuse_flag(struct cli *c, const struct cli_parse *p, const struct criu_flag *f)
{
	*(int *)flag_field(p->opts, f) = 0;
	if (p->refused && strv_push(p->refused, f->key) < 0)
		return cli_oom(c);
	return -1;
}

/* The row of cli_globals of an option code, or -1 when it is none. */
static int global_row(int code)
{
	for (size_t i = 0; cli_globals[i].name; i++)
		if (cli_globals[i].anywhere &&
		    (cli_globals[i].short_opt ? cli_globals[i].short_opt : GLOBAL + (int)i) == code)
			return (int)i;
	return -1;
}

/* One option getopt_long returned; -1 to go on, else the exit code.  The
 * global options were taken by the first pass. */
static int take(struct cli *c, const struct cli_parse *p, int code, const char *arg, int *seen)
{
	if (global_row(code) >= 0)
		return -1;
	if (code == 'h')
		return help(c, p);
	if (code == ':')
		return cli_usage(c, p->cmd, "'%s' needs an argument", arg);
	if (code == '?')
		return cli_usage(c, p->cmd, "unknown option '%s'", arg);
	if (code >= NO_FLAG)
		return refuse_flag(c, p, flag_at((size_t)(code - NO_FLAG)));
	if (code >= FLAG)
		return take_flag(c, p, flag_at((size_t)(code - FLAG)), arg, &seen[code - FLAG]);
	if (code >= OWN)
		return p->fn(c, p->own[code - OWN].id, arg, p->ctx);
	for (size_t i = 0; flag_at(i); i++) /* a short option: a flag's, or the command's */
		if (takes(p, flag_at(i)) && flag_at(i)->short_opt == code)
			return take_flag(c, p, flag_at(i), arg, &seen[i]);
	for (size_t i = 0; p->own && p->own[i].name; i++)
		if (p->own[i].short_opt == code)
			return p->fn(c, p->own[i].id, arg, p->ctx);
	return cli_usage(c, p->cmd, "unknown option '%s'", arg);
}

/* The first pass: the global options only; the rest is the second's. */
static int take_globals(struct cli *c, int argc, char **argv, const struct table *t)
{
	int code, row, rc;

	optind = 0; /* 0: glibc re-initialises its state after main's own parse */
	opterr = 0;
	while ((code = getopt_long(argc, argv, t->shortopts, t->longopts, NULL)) != -1) {
		row = global_row(code);
		if (row >= 0 && (rc = cli_global_take(c, (size_t)row, optarg)) >= 0)
			return rc;
	}
	return -1;
}

int cli_parse_options(struct cli *c, int argc, char **argv, const struct cli_parse *p)
{
	static char negations[64][40];
	int seen[64] = {0}; /* values given on the command line, by flag index */
	struct table t;
	int code, rc;

	build(p, &t);
	build_negations(p, &t, negations);
	if ((rc = take_globals(c, argc, argv, &t)) >= 0 || (rc = cli_globals_done(c)) >= 0)
		return rc;
	if (p->prepare && (rc = p->prepare(c, p->ctx)) >= 0)
		return rc;
	optind = 0;
	opterr = 0;
	while ((code = getopt_long(argc, argv, t.shortopts, t.longopts, NULL)) != -1) {
		const char *arg = optarg;

		if (code == '?' || code == ':')
			arg = cli_refused(argc, argv);
		rc = take(c, p, code, arg, seen);
		if (rc >= 0)
			return rc;
	}
	return -1;
}
