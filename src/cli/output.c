/*
 * output: criuctl's own words.  Human text goes to stderr (stdout carries
 * data: pids, tables, logs); with --json nothing human is printed and
 * main() emits the one JSON document.  Nothing here adds colour or control
 * characters.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "criu.h"
#include "jsonutil.h"
#include "fsutil.h"
#include "text.h"

/* Names, paths and /proc text in a message can hold any bytes: a name
 * with ESC must not drive the terminal, one with '\n' not fake a line. */
static void vprint(FILE *f, const char *fmt, va_list ap)
{
	char raw[4096], safe[4 * sizeof(raw)];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	fputs(text_escape(raw, safe, sizeof(safe)), f);
	fputc('\n', f);
}

void cli_print(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(f, fmt, ap);
	va_end(ap);
}

void cli_say(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (c->json || c->quiet)
		return;
	va_start(ap, fmt);
	vprint(stderr, fmt, ap);
	va_end(ap);
}

void cli_detail(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (c->json || !c->verbose)
		return;
	va_start(ap, fmt);
	vprint(stderr, fmt, ap);
	va_end(ap);
}

void cli_next(struct cli *c, const char *const *words)
{
	struct strv argv = {0};
	char *line = NULL;
	size_t len = 0;
	FILE *out;

	strv_push(&argv, "criuctl");
	if (c->config_arg)
		strv_push(&argv, "-c"), strv_push(&argv, c->config_arg);
	if (c->store_given)
		strv_push(&argv, "--store"), strv_push(&argv, c->store_root);
	if (c->criu_given)
		strv_push(&argv, "--criu"), strv_push(&argv, c->criu_want);
	for (; *words; words++)
		strv_push(&argv, *words);
	out = open_memstream(&line, &len);
	for (size_t i = 0; out && i < argv.n; i++) {
		char word[2 * PATH_MAX];

		fprintf(out, "%s%s", i ? " " : "", text_shell_quote(argv.v[i], word, sizeof(word)));
	}
	if (out && fclose(out) == 0 && line) {
		free(c->next);
		c->next = line;
		json_object_set_new(c->out, "next",
				    json_pack("{s:o, s:o}", "argv", json_strv(&argv), "command",
					      json_text(line)));
	}
	strv_free(&argv);
}

int cli_verdict(struct cli *c, int exit_code, const struct verdict *v, const char *log)
{
	err_set(&c->err, exit_code, v->id, "%s", v->title);
	err_remedy(&c->err, "%s", v->remedy);
	snprintf(c->err.log, sizeof(c->err.log), "%s", log ? log : "");
	strv_free(&c->evidence);
	strv_extend(&c->evidence, &v->evidence);
	json_object_set_new(c->out, "verdict",
			    json_pack("{s:s, s:o, s:s, s:o}", "id", v->id, "title",
				      json_text(v->title), "remedy", v->remedy, "evidence",
				      json_strv(&v->evidence)));
	return exit_code;
}

const char *cli_refused(int argc, char **argv)
{
	/* getopt_long() leaves optind on a cluster ("-xq") until its last
	 * letter: an unknown letter before that is in argv[optind]. */
	if (optopt && optind < argc && argv[optind][0] == '-' && argv[optind][1] != '-' &&
	    strchr(argv[optind] + 1, optopt))
		return argv[optind];
	return argv[optind - 1];
}

int cli_help(struct cli *c, const char *usage)
{
	if (c->json)
		json_object_set_new(c->out, "usage", json_string(usage));
	else
		fputs(usage, stdout);
	return 0;
}

int cli_list(struct cli *c, struct strv *list, int *seen, const char *value)
{
	if (!(*seen)++)
		strv_free(list);
	return strv_push(list, value) < 0 ? cli_oom(c) : -1;
}

void cli_unlocked(struct cli *c)
{
	for (size_t i = 0; i < c->store.unlocked.n; i++)
		cli_say(c, "released the network lock criu kept for the unrestored checkpoint %s",
			c->store.unlocked.v[i]);
	if (c->store.unlocked.n)
		json_object_set_new(c->out, "unlocked", json_strv(&c->store.unlocked));
}

int cli_criu(struct cli *c)
{
	return criu_resolve(c->criu_want, c->criu, sizeof(c->criu), &c->err);
}

int cli_store(struct cli *c, enum cli_store_mode mode)
{
	struct store *s = &c->store;
	const char *root = cli_store_root(c);

	if ((mode == STORE_WRITE ? store_open(s, root, &c->err)
				 : store_open_read(s, root, &c->err)) < 0)
		return -1;
	/* Set after the start-up recovery, which always syncs. */
	s->sync_none = config_sync_none(&c->cfg);
	for (size_t i = 0; i < s->recovered.n; i++)
		cli_say(c, "criuctl: tmp/: %s", s->recovered.v[i]);
	if (s->recovered.n)
		json_object_set_new(c->out, "recovered", json_strv(&s->recovered));
	for (size_t i = 0; i < s->pending.n; i++)
		cli_say(c,
			"criuctl: tmp/%s: left by a criuctl that ended; the next dump, restore, "
			"rm or prune resolves it",
			s->pending.v[i]);
	if (s->pending.n)
		json_object_set_new(c->out, "pending", json_strv(&s->pending));
	return 0;
}

void cli_retention(struct cli *c, const char *spare)
{
	struct strv removed = {0};
	struct cc_err e;

	store_prune(&c->store, c->cfg.keep, 0, c->cfg.keep_failed, spare, &removed, &e);
	for (size_t i = 0; i < removed.n; i++)
		cli_detail(c, "retention: removed %s", removed.v[i]);
	if (removed.n)
		json_object_set_new(c->out, "pruned", json_strv(&removed));
	strv_free(&removed);
	cli_unlocked(c);
}

int cli_oom(struct cli *c)
{
	err_set(&c->err, CC_EXIT_ENV, "out-of-memory", "out of memory");
	return CC_EXIT_ENV;
}

int cli_usage(struct cli *c, const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strcmp(cmd, "criuctl") == 0) {
		err_set(&c->err, CC_EXIT_USAGE, "usage", "%s", msg);
		err_remedy(&c->err, "See 'criuctl --help'.");
	} else {
		err_set(&c->err, CC_EXIT_USAGE, "usage", "%s: %s", cmd, msg);
		err_remedy(&c->err, "See 'criuctl %s --help'.", cmd);
	}
	return CC_EXIT_USAGE;
}

int cli_parse_pid(struct cli *c, const char *what, const char *s, int *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	while (*end == '\n' || *end == ' ')
		end++;
	if (end == s || *end || errno || v < 1 || v > 0x3fffffff)
		return err_set(&c->err, CC_EXIT_USAGE, "invalid-pid", "%s: '%s' is not a pid", what,
			       s);
	*pid = (int)v;
	return 0;
}

int cli_read_pidfile(struct cli *c, const char *path, int *pid)
{
	char *buf;
	size_t len;
	int rc;

	if (fs_read_path(path, 64, &buf, &len) < 0)
		return err_sys(&c->err, CC_EXIT_USAGE, "pidfile-unreadable", errno, "pidfile %s",
			       path);
	rc = cli_parse_pid(c, path, buf, pid);
	free(buf);
	return rc;
}

int cli_write_pidfile(struct cli *c, const char *path, int pid)
{
	char text[32], *copy = strdup(path), *dir, *base;
	int dirfd, rc;

	if (!copy)
		return cli_oom(c);
	base = strrchr(copy, '/');
	dir = base ? (base == copy ? (char *)"/" : copy) : (char *)".";
	base = base ? base + 1 : copy;
	if (base != copy)
		base[-1] = '\0';
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(text, sizeof(text), "%d\n", pid);
	rc = dirfd < 0 ? -1 : fs_write_at(dirfd, base, text, strlen(text), 0644);
	if (rc < 0)
		err_sys(&c->err, CC_EXIT_USAGE, "pidfile-unwritable", errno, "pidfile %s", path);
	if (dirfd >= 0)
		close(dirfd);
	free(copy);
	return rc;
}
