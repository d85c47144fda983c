/*
 * cli: what main() hands every command: the merged configuration, criu
 * (when the command's table entry asks for it), the store (which a command
 * opens once its arguments are good, cli_store()), the output mode, and
 * where the command leaves its result (JSON fields) or its error.
 */
#ifndef CRIUCTL_CLI_H
#define CRIUCTL_CLI_H

#include <jansson.h>
#include <limits.h>
#include <stdio.h>

#include "config.h"
#include "err.h"
#include "store.h"
#include "strv.h"
#include "verdict.h"

struct cli {
	struct config cfg;
	const char *config_path;  /* the file read, or NULL when built-in defaults */
	const char *config_arg;	  /* -c, else NULL */
	const char *store_root;	  /* NULL until cli_store_root() picks it */
	int store_fallback;	  /* the built-in store is STORE_FALLBACK_ROOT */
	const char *criu_want;	  /* --criu, else [criu] path */
	const char *progress_arg; /* --progress, else NULL (auto) */
	const char *kata_root;	  /* --kata-root, else [kata] root */
	int store_given;	  /* --store and --criu were on the command line */
	int criu_given;
	int version;	     /* -V */
	int globals_done;    /* cli_globals_done() ran */
	char criu[PATH_MAX]; /* resolved, for commands that need criu */
	struct store store;  /* cli_store(): opened for reading or writing */
	int json;
	int quiet;
	int verbose;
	int progress;	      /* enum progress_mode, resolved from --progress */
	json_t *out;	      /* the command's result fields (an object) */
	struct cc_err err;    /* set by the command when it fails */
	struct strv evidence; /* log lines that decided a verdict */
	int passthrough;      /* the exit code is a workload's status, not an error */
	char *next;	      /* cli_next(): the command to run next, shell-quoted; owned */
};

/* A global option: a row of the one table (main.c), which main takes
 * before the command and every command's parser after it (options.h). */
struct cli_global {
	const char *name; /* long option, without "--"; NULL ends the table */
	char short_opt;	  /* or 0 */
	const char *arg;  /* the value's name in --help; NULL for a switch */
	const char *help;
	int anywhere; /* also after the command (not --help, --version) */
};

extern const struct cli_global cli_globals[];

/* Take row i of cli_globals with its value (NULL for a switch): -1 to go
 * on, else an exit code (2 for a bad value, 0 after --help). */
int cli_global_take(struct cli *c, size_t i, const char *arg);

/* Once every global option is taken: the progress mode, the configuration
 * (-c, $CRIUCTL_CONFIG or the default file), the store and criu defaults
 * from it.  Runs once; -1 to go on, else an exit code with c->err set. */
int cli_globals_done(struct cli *c);

/* A command: parse its own options from argv (argv[0] is its name), do the
 * work, fill c->out, return the exit code (on failure with c->err set). */
typedef int (*cmd_fn)(struct cli *c, int argc, char **argv);

int cmd_run(struct cli *c, int argc, char **argv);
int cmd_dump(struct cli *c, int argc, char **argv);
int cmd_restore(struct cli *c, int argc, char **argv);
int cmd_list(struct cli *c, int argc, char **argv);
int cmd_show(struct cli *c, int argc, char **argv);
int cmd_verify(struct cli *c, int argc, char **argv);
int cmd_log(struct cli *c, int argc, char **argv);
int cmd_rm(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_import(struct cli *c, int argc, char **argv);
int cmd_migrate(struct cli *c, int argc, char **argv);
int cmd_receive(struct cli *c, int argc, char **argv);
int cmd_recover(struct cli *c, int argc, char **argv);
int cmd_check(struct cli *c, int argc, char **argv);
int cmd_explain(struct cli *c, int argc, char **argv);
int cmd_config(struct cli *c, int argc, char **argv);
int cmd_prune(struct cli *c, int argc, char **argv);
int cmd_containers(struct cli *c, int argc, char **argv);
int cmd_canary(struct cli *c, int argc, char **argv);

/* How `criuctl run` starts a workload (also used by the selftest). */
struct run_req {
	const char *pidfile;
	const char *log;
	const char *cwd;
	char **argv;
};

/*
 * Start r->argv the checkpointable way: a new session, stdin /dev/null,
 * stdout/stderr on r->log (or /dev/null), no fd above 2.  Returns 0 with
 * its pid once it has exec'd, or -1 with c->err set.
 */
int run_start(struct cli *c, const struct run_req *r, int *pid);

/* JSON array of findings (new reference). */
struct findings;
json_t *cli_findings_json(const struct findings *f);

/* One line on f (no '\n' in fmt): the text with control characters and
 * bytes that are not UTF-8 escaped (text_escape()), then a newline. */
void cli_print(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Human message on stderr (not with --json or --quiet), escaped as cli_print(). */
void cli_say(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Human detail on stderr, only with --verbose. */
void cli_detail(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The one command to run next (restore after a dump, the log of a failed
 * one): "criuctl", the global options -c, --store and --criu as given on
 * this command line (so that it finds the same store), then words (an
 * array ended by NULL).  Puts "next": {"argv": [...], "command": "LINE"} in the JSON
 * document and keeps LINE (shell-quoted) in c->next, which main prints
 * after the result or the error (not with -q).
 */
void cli_next(struct cli *c, const char *const *words);

/*
 * Record a criu failure: c->err from the verdict (its id as error code),
 * the evidence, and a "verdict" object in c->out.  Returns exit_code.
 */
int cli_verdict(struct cli *c, int exit_code, const struct verdict *v, const char *log);

/* The word of argv that getopt_long() just refused ('?' or ':'), whole
 * ("-xq", not the command before it). */
const char *cli_refused(int argc, char **argv);

/* A command's --help: the usage on stdout, or as "usage" in the JSON
 * document with --json.  Returns 0. */
int cli_help(struct cli *c, const char *usage);

/*
 * A repeatable option's value: the first one on the command line drops the
 * configured list (command line over profile over config).  Returns -1 to
 * go on, or 6 when out of memory.
 */
int cli_list(struct cli *c, struct strv *list, int *seen, const char *value);

/* [store] retention after a dump (spare: the checkpoint just made). */
void cli_retention(struct cli *c, const char *spare);

/* Say which network locks removing checkpoints released (store.unlocked),
 * and put them in the JSON document as "unlocked". */
void cli_unlocked(struct cli *c);

/* Find the criu to run (--criu, [criu] path, else PATH) into c->criu.
 * Returns 0, or -1 with c->err set (exit 6). */
int cli_criu(struct cli *c);

enum cli_store_mode {
	STORE_READ,  /* list, show, log, verify: nothing created or changed */
	STORE_WRITE, /* dump, restore, rm, prune: created when missing */
};

/* Open the store at c->store_root and say what it found in tmp/: for
 * writing, what it resolved ("recovered", recover.h); for reading, what
 * the next writer will resolve ("pending").  Returns 0, or -1 with c->err
 * set (exit 5). */
int cli_store(struct cli *c, enum cli_store_mode mode);
/* The store's root, chosen on first use (settings.c). */
const char *cli_store_root(struct cli *c);
/* Read the configuration into c->cfg (settings.c): the file named (by -c),
 * else $CRIUCTL_CONFIG (both must exist), else the default path (may be
 * missing).  0, or -1 with c->err set. */
int cli_load_config(struct cli *c, const char *named);

/* Out of memory: sets c->err, returns 6. */
int cli_oom(struct cli *c);

/* A usage error for command cmd; returns 2. */
int cli_usage(struct cli *c, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse a pid (1..INT_MAX) from s, naming what in the error; 0 or -1. */
int cli_parse_pid(struct cli *c, const char *what, const char *s, int *pid);
/* Read a pid from the pidfile path; 0 or -1 with c->err set. */
int cli_read_pidfile(struct cli *c, const char *path, int *pid);
/* Write "pid\n" to path atomically; 0 or -1 with c->err set. */
int cli_write_pidfile(struct cli *c, const char *path, int pid);

#endif
