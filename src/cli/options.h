/*
 * options: a command's options as one table, read by getopt_long to parse
 * and by --help to describe them, so that the two never disagree.  dump and
 * restore take the rows of the flag table (flags.h) that their section of
 * the configuration sets, and the parser applies those itself: a switch
 * turns on (and --no-SWITCH off, remembered so that auto flags leave it
 * off), a list's first value on the command line replaces the configured
 * list, a choice or a duration is checked.  Every usage error is exit 2,
 * in the same words for every command.
 *
 * The global options (cli.h) are in every command's table too, so that
 * they are taken after the command as before it, up to a "--" (and, for a
 * command whose options end at its first operand, up to that): a first
 * pass takes them, then the configuration is read (cli_globals_done()),
 * then the command's prepare() (which may read it), then a second pass
 * takes the command's own options.  No option of a command may share a
 * name or letter with a global one (the table is refused at once).
 */
#ifndef CRIUCTL_OPTIONS_H
#define CRIUCTL_OPTIONS_H

#include <getopt.h>

#include "cli.h"
#include "criu_argv.h"

/* One of the command's own options. */
struct cli_opt {
	const char *name; /* long option, without "--"; NULL ends the table */
	char short_opt;	  /* or 0 */
	const char *arg;  /* the value's name in --help ("PID"); NULL for a switch */
	const char *help; /* one line */
	int id;		  /* what the handler is given; CLI_FLAGS_HERE places the flags */
};

/* A row whose id is this marks where the flag table's options go in --help. */
#define CLI_FLAGS_HERE (-1)

/* What a command parses its options into. */
struct cli_parse {
	const char *cmd;	   /* "dump": for messages and --help */
	const char *synopsis;	   /* "criuctl dump (-t PID | --pidfile FILE) [OPTIONS]" */
	const char *about;	   /* lines after the options in --help, or NULL */
	int in_order;		   /* options end at the first operand (run -- CMD) */
	const struct cli_opt *own; /* may be NULL: no options but --help */
	unsigned flags;		   /* CONF_DUMP, CONF_RESTORE or 0: which flag rows */
	struct criu_opts *opts;	   /* where those go */
	struct strv *refused;	   /* keys of the flags turned off by --no-FLAG; may be NULL */
	/* The command's own option id with its value (NULL for a switch):
	 * -1 to go on, or an exit code. */
	int (*fn)(struct cli *c, int id, const char *arg, void *ctx);
	void *ctx;
	/* Called with ctx once the configuration is read, before the
	 * command's own options (which override it) are taken: -1 to go on,
	 * or an exit code.  May be NULL. */
	int (*prepare)(struct cli *c, void *ctx);
};

/* "  -t, --tree PID          help": one line of a --help's options. */
void cli_help_line(FILE *out, char short_opt, const char *name, const char *arg, const char *help);

/*
 * Parse argv (argv[0] is the command's name): -1 once every option was
 * taken (optind then points at the first operand), 0 after --help (the
 * usage was printed, or put in the JSON document), or an exit code (2 for a
 * usage error, with c->err set).
 */
int cli_parse_options(struct cli *c, int argc, char **argv, const struct cli_parse *p);

#endif
