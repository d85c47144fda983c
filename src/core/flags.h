/*
 * flags: every criu option criuctl knows, one row each: the one place to
 * add one.
 *
 * A row says how the option is spelled for criu, on criuctl's command line
 * and in the configuration and the manifest (its key), which criu runs get
 * it, which section of the configuration sets it, whether a restore repeats
 * what the dump used, which preflight finding turns it on (auto flags), and
 * its line of help.  criu's argv (criu_argv.c), the configuration
 * (config.c), the manifest's "options" (manifest.c), the options and --help
 * of dump and restore (src/cli/options.c), auto flags and the restore's
 * replay read the rows; tests check the man page and the completion
 * against them.  Pure.
 */
#ifndef CRIUCTL_FLAGS_H
#define CRIUCTL_FLAGS_H

#include <stddef.h>

#include "criu_argv.h"

enum flag_kind {
	FLAG_BOOL,     /* int: criu's option, or nothing; --no-OPTION turns it off */
	FLAG_LIST,     /* struct strv: criu's option once per value */
	FLAG_CHOICE,   /* char[16], one of choices: "--option=value" */
	FLAG_DURATION, /* double, seconds: criuctl's own, never given to criu */
	FLAG_RAW,      /* struct strv: criu arguments as they are, after all others */
	FLAG_ALWAYS,   /* no field, no option: given to every criu run */
};

/* Which criu runs get a flag, where it is set, and what restore does with it. */
enum {
	FOR_DUMP = 1 << 0,	  /* criu dump */
	FOR_PRE_DUMP = 1 << 1,	  /* criu pre-dump */
	FOR_RESTORE = 1 << 2,	  /* criu restore */
	CONF_DUMP = 1 << 3,	  /* a [dump] (and [profile.NAME]) key, a dump option */
	CONF_RESTORE = 1 << 4,	  /* a [restore] key, a restore option */
	REPLAY = 1 << 5,	  /* restore repeats what the dump used (from the manifest) */
	FOR_PAGE_SERVER = 1 << 6, /* criu page-server (receive) */
};

struct criu_flag {
	const char *criu;	     /* criu's option ("--tcp-established"); NULL: criuctl's own */
	const char *option;	     /* criuctl's long option; NULL: none */
	char short_opt;		     /* its short option, or 0 */
	const char *key;	     /* configuration and manifest key; NULL: none */
	enum flag_kind kind;	     /* and with it the type of the field */
	size_t off;		     /* of the field in struct criu_opts */
	unsigned where;		     /* FOR_* | CONF_* | REPLAY */
	const char *const *findings; /* the preflight findings that turn it on, or NULL */
	const char *const *choices;  /* FLAG_CHOICE: the values criu takes (NULL-terminated) */
	const char *arg;	     /* the value's name in --help ("PATH"); NULL for a switch */
	const char *help;	     /* one line, for --help */
};

/* The i-th row, NULL past the last. */
const struct criu_flag *flag_at(size_t i);

/* The row of a configuration/manifest key, of a criuctl option, of a
 * finding that turns the flag on; NULL when there is none. */
const struct criu_flag *flag_by_key(const char *key);
const struct criu_flag *flag_by_option(const char *option);
const struct criu_flag *flag_by_finding(const char *finding);

/* 1 when value is one of a FLAG_CHOICE row's choices. */
int flag_choice_valid(const struct criu_flag *f, const char *value);

/* The field of row f in o (its type is f->kind's). */
void *flag_field(struct criu_opts *o, const struct criu_flag *f);
const void *flag_field_const(const struct criu_opts *o, const struct criu_flag *f);

/*
 * Append criu's arguments for the run kind (FOR_DUMP, FOR_PRE_DUMP or
 * FOR_RESTORE) from o to out, in table order, the raw ones last.
 * Returns 0, or -1 when out of memory.
 */
int flags_argv(const struct criu_opts *o, unsigned run, struct strv *out);

/* Append the FLAG_ALWAYS rows (for every criu run: --version, check too).
 * Returns 0, or -1 when out of memory. */
int flags_always(struct strv *out);

/* A restore's options take what the dump used for every REPLAY row. */
int flags_replay(struct criu_opts *o, const struct criu_opts *dumped);

#endif
