/*
 * cmd_log: a checkpoint's criu log (dump.log, or restore.log with
 * --restore), or of a failed attempt; --errors keeps only the lines that
 * decide a failure, not CRIU's harmless probe errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "options.h"
#include "jsonutil.h"
#include "criu_log.h"
#include "fsutil.h"

enum { LOG_RESTORE, LOG_ERRORS };

static const struct cli_opt log_opts[] = {
	{"restore", 0, NULL, "the log of the last restore", LOG_RESTORE},
	{"errors", 0, NULL, "only the lines that matter for a failure", LOG_ERRORS},
	{NULL, 0, NULL, NULL, 0},
};

struct log_args {
	const char *file;
	int errors;
};

static int log_option(struct cli *c, int id, const char *arg, void *ctx)
{
	struct log_args *a = ctx;

	(void)c, (void)arg;
	if (id == LOG_RESTORE)
		a->file = "restore.log";
	else
		a->errors = 1;
	return -1;
}

/* failed/NAME, else checkpoints/NAME; returns the dir fd and its path.  A
 * name with '/' or a leading '.' is never looked up (it is no entry). */
static int open_entry(struct cli *c, const char *name, char *path, size_t size)
{
	int entry = name[0] != '.' && !strchr(name, '/');
	int fd = entry ? openat(c->store.failed_fd, name,
				O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
		       : -1;

	if (fd >= 0) {
		snprintf(path, size, "%s/failed/%s", c->store.root, name);
		return fd;
	}
	if (entry && fs_is_link_at(c->store.failed_fd, name))
		return err_set(
			&c->err, CC_EXIT_STORE, "store-io",
			"%s/failed/%s is a symbolic link, not a failed attempt: not followed",
			c->store.root, name);
	fd = store_open_checkpoint(&c->store, name, &c->err);
	snprintf(path, size, "%s/checkpoints/%s", c->store.root, name);
	return fd;
}

static int print_log(struct cli *c, const char *path, const char *text, size_t len, int errors)
{
	struct strv lines = {0};

	json_object_set_new(c->out, "path", json_text(path));
	if (!errors) {
		json_object_set_new(c->out, "text", json_stringn(text, len));
		if (!c->json)
			fwrite(text, 1, len, stdout);
		return 0;
	}
	/* A run that succeeded has no lines that matter, only harmless probes. */
	if (!criu_log_succeeded(text, len) && criu_log_decisive(text, len, 64, &lines) < 0)
		return cli_oom(c);
	if (!lines.n)
		cli_say(c, "%s: no errors that matter", path);
	for (size_t i = 0; !c->json && i < lines.n; i++)
		printf("%s\n", lines.v[i]);
	json_object_set_new(c->out, "lines", json_strv(&lines));
	strv_free(&lines);
	return 0;
}

/* Without --restore: dump.log, or for a failed attempt whatever log it has
 * (a failed restore keeps restore.log, a failed pre-dump pre-dump-K.log). */
static const char *default_log(int fd)
{
	static char pre[32];
	struct stat st;

	if (fstatat(fd, "dump.log", &st, AT_SYMLINK_NOFOLLOW) == 0)
		return "dump.log";
	if (fstatat(fd, "restore.log", &st, AT_SYMLINK_NOFOLLOW) == 0)
		return "restore.log";
	for (int k = 16; k > 0; k--) {
		snprintf(pre, sizeof(pre), "pre-dump-%d.log", k);
		if (fstatat(fd, pre, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return pre;
	}
	return "dump.log";
}

int cmd_log(struct cli *c, int argc, char **argv)
{
	struct log_args a = {0};
	const char *name, *file;
	char dir[PATH_MAX + 80], path[PATH_MAX + 96];
	int errors, fd, code;
	char *text;
	size_t len;

	code = cli_parse_options(c, argc, argv,
				 &(struct cli_parse){.cmd = "log",
						     .synopsis = "criuctl log NAME [OPTIONS]",
						     .own = log_opts,
						     .fn = log_option,
						     .ctx = &a});
	if (code >= 0)
		return code;
	if (optind >= argc)
		return cli_usage(c, "log", "which checkpoint? (criuctl log NAME)");
	if (optind + 1 < argc)
		return cli_usage(c, "log", "unexpected argument '%s'", argv[optind + 1]);
	if (cli_store(c, STORE_READ) < 0)
		return c->err.exit_code;
	name = argv[optind];
	file = a.file;
	errors = a.errors;
	fd = open_entry(c, name, dir, sizeof(dir));
	if (fd < 0)
		return c->err.exit_code;
	if (!file)
		file = default_log(fd);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (fs_read_at(fd, file, 256u << 20, &text, &len) < 0) {
		err_sys(&c->err, CC_EXIT_STORE, "no-log", errno, "%s", path);
		close(fd);
		return CC_EXIT_STORE;
	}
	close(fd);
	code = print_log(c, path, text, len, errors);
	free(text);
	return code;
}
