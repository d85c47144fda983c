/*
 * cmd_explain: classify any CRIU log, criuctl's or another tool's (runc's
 * dump.log, podman's): the verdict, the decisive lines, the remedy, and how
 * far criu got.  Exit 0 when the log shows success, 1 when it shows a
 * failure (a verdict is printed), 2 when it cannot be read.  The log is
 * read in pieces into a digest (log_digest.h): a log of any size, or a
 * file that is no log at all, takes bounded memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "options.h"
#include "criu_log.h"
#include "jsonutil.h"
#include "fsutil.h"
#include "log_digest.h"
#include "phase.h"

/* Read the log (path, or "-" for standard input; a path the user gave, so
 * symlinks are followed) into d.  Returns 0, or -1 with c->err set. */
static int read_input(struct cli *c, const char *path, struct log_digest *d)
{
	int from_stdin = strcmp(path, "-") == 0, rc, saved;
	int fd = from_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_sys(&c->err, CC_EXIT_USAGE, "log-unreadable", errno, "log %s", path);
	rc = fs_digest_fd(fd, d);
	saved = errno;
	if (!from_stdin)
		close(fd);
	if (rc < 0 && saved == ENOMEM)
		return cli_oom(c), -1;
	if (rc < 0)
		return err_sys(&c->err, CC_EXIT_USAGE, "log-unreadable", saved, "%s%s",
			       from_stdin ? "" : "log ", from_stdin ? "standard input" : path);
	return 0;
}

/* The phase the log ends in, and in *reached where criu was when it
 * failed: the phase at the decisive line (the verdict's first evidence,
 * when given and found), else at the first error that is not a harmless
 * probe.  After a failure criu still unfreezes the tree, which is not where
 * it failed; and some failures show first as a Warn (a traced task:
 * "Unable to interrupt task"), with the first Error only after that. */
static enum phase log_phase(const char *buf, size_t len, const char *decisive, enum phase *reached)
{
	enum phase ph = PHASE_STARTING, at_error = ph, at_decisive = ph;
	const char *p = buf;
	size_t dlen = decisive ? strlen(decisive) : 0;
	int failed = 0, found = 0;
	struct log_line l;

	while (criu_log_next(&p, buf + len, &l)) {
		ph = phase_next(ph, &l);
		failed |= l.level == LOG_ERROR && !criu_log_harmless(&l);
		if (!failed && ph != PHASE_FAILED && ph != PHASE_FINISHED)
			at_error = ph;
		if (!found && decisive && dlen && l.msg_len == dlen &&
		    memcmp(l.msg, decisive, dlen) == 0 && ph != PHASE_FAILED &&
		    ph != PHASE_FINISHED) {
			found = 1;
			at_decisive = ph;
		}
	}
	*reached = found ? at_decisive : at_error;
	return ph;
}

static int explain(struct cli *c, const char *path, const char *buf, size_t len)
{
	struct criu_end end = {.exited = 1, .exit_status = 1};
	enum phase reached, ph = log_phase(buf, len, NULL, &reached);
	char version[64], title[160];
	struct verdict v;

	criu_log_version(buf, len, version, sizeof(version));
	json_object_set_new(c->out, "log", json_text(path));
	json_object_set_new(c->out, "criu_version",
			    version[0] ? json_string(version) : json_null());
	json_object_set_new(c->out, "phase", json_string(phase_id(ph)));
	json_object_set_new(c->out, "reached", json_string(phase_id(reached)));
	json_object_set_new(c->out, "succeeded", json_boolean(ph == PHASE_FINISHED));
	if (ph == PHASE_FINISHED) {
		if (!c->json)
			printf("%s: criu%s%s finished successfully\n", path, version[0] ? " " : "",
			       version);
		return 0;
	}
	if (verdict_classify(buf, len, &end, &v) < 0)
		return cli_oom(c);
	if (v.evidence.n) {
		log_phase(buf, len, v.evidence.v[0], &reached);
		json_object_set_new(c->out, "reached", json_string(phase_id(reached)));
	}
	if (ph != PHASE_FAILED && v.kind == V_CRIU_FAILED)
		verdict_set(&v, V_LOG_INCOMPLETE);
	verdict_words(&v, title, sizeof(title));
	cli_verdict(c, CC_EXIT_CRIU_FAILED, &v, strcmp(path, "-") ? path : NULL);
	err_prefix(&c->err, "criu failed while %s", phase_name(reached));
	verdict_free(&v);
	return CC_EXIT_CRIU_FAILED;
}

/* The registry: every verdict criuctl can give, with its words. */
static int list_verdicts(struct cli *c)
{
	json_t *list = json_array();

	for (size_t k = 0; verdict_row(k); k++) {
		const struct verdict_row *row = verdict_row(k);
		json_t *sigs = json_array();

		for (size_t i = 0; i < 4 && row->log[i]; i++)
			json_array_append_new(sigs, json_string(row->log[i]));
		json_array_append_new(
			list,
			json_pack("{s:s, s:o, s:s, s:s, s:o}", "id", row->id, "exit_code",
				  row->exit_code >= 0 ? json_integer(row->exit_code) : json_null(),
				  "title", row->title, "remedy", row->remedy, "signatures", sigs));
		if (!c->json)
			printf("%-30s %s\n", row->id, row->title);
	}
	json_object_set_new(c->out, "verdicts", list);
	return 0;
}

enum { OPT_LIST = 1 };

static int explain_option(struct cli *c, int id, const char *arg, void *ctx)
{
	(void)c;
	(void)arg;
	*(int *)ctx = id == OPT_LIST;
	return -1;
}

int cmd_explain(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt own[] = {
		{"list", 0, NULL, "list every verdict criuctl can give, and exit", OPT_LIST}, {0}};
	struct log_digest d;
	int code, list = 0;

	code = cli_parse_options(c, argc, argv,
				 &(struct cli_parse){.cmd = "explain",
						     .synopsis = "criuctl explain FILE|-\n"
								 "       criuctl explain --list",
						     .own = own,
						     .fn = explain_option,
						     .ctx = &list});
	if (code >= 0)
		return code;
	if (list && optind != argc)
		return cli_usage(c, "explain", "--list takes no log");
	if (list)
		return list_verdicts(c);
	if (optind + 1 != argc)
		return cli_usage(c, "explain", "which log? (criuctl explain FILE, or - for stdin)");
	argv += optind - 1;
	log_digest_init(&d);
	if (read_input(c, argv[1], &d) < 0) {
		log_digest_free(&d);
		return c->err.exit_code;
	}
	/* Some line has CRIU's form: a "(SS.UUUUUU)" timestamp or a level tag
	 * with its source position. */
	if (!d.criu_form) {
		log_digest_free(&d);
		err_set(&c->err, CC_EXIT_USAGE, "not-a-criu-log",
			"%s does not look like a CRIU log (no timestamped or Error/Warn lines)",
			strcmp(argv[1], "-") ? argv[1] : "standard input");
		err_remedy(&c->err, "Give the log criu wrote with -o (criuctl keeps dump.log and "
				    "restore.log; runc and podman keep dump.log in their work "
				    "directory).");
		return CC_EXIT_USAGE;
	}
	code = explain(c, argv[1], d.text, d.len);
	log_digest_free(&d);
	return code;
}
