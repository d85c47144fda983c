/*
 * guardian_start: the protocol between criuctl and its guard (guardian.h),
 * both ends of it.  criuctl's side builds the guard's argv, forks and
 * execs it with the attempt directory as fd 3 and the pipe's read end as
 * fd 4, and tells it "criu PID" and "done"; the guard's side reads the
 * same argv back (guard_parse_argv()).  The guard's loop is guardian.c.
 */
#include "guardian.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strv.h"

extern char **environ;

#define DIR_FD	  3
#define CTL_FD	  4
#define FIRST_ARG 7 /* path action log timeout stall grace lock: then the tree */

/* ---- criuctl's side ---- */

static int guard_argv(const char *path, const struct guard_spec *sp, struct strv *argv)
{
	int rc = strv_push(argv, path) | strv_push(argv, sp->action) |
		 strv_push(argv, sp->log_name) | strv_pushf(argv, "%.3f", sp->timeout) |
		 strv_pushf(argv, "%.3f", sp->stall_timeout) | strv_pushf(argv, "%.3f", sp->grace) |
		 strv_push(argv, sp->iptables ? "iptables" : "nftables");

	for (size_t i = 0; rc == 0 && i < sp->tree_n; i++)
		rc = strv_pushf(argv, "%d:%llu", sp->tree[i].pid, sp->tree[i].starttime);
	return rc;
}

static void close_if_open(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* In the forked child: only async-signal-safe calls until exec. */
static void exec_guard(char **argv, int dirfd, int rd)
{
	int null = open("/dev/null", O_RDWR);

	if (setsid() < 0 || null < 0)
		_exit(127);
	/* Orphaned at once: criuctl never reaps it, and it outlives criuctl. */
	if (fork() != 0)
		_exit(0);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	dup2(dirfd, DIR_FD);
	dup2(rd, CTL_FD);
	close_range(CTL_FD + 1, ~0U, 0);
	execve(argv[0], argv, environ);
	_exit(127);
}

int guard_start(const char *path, int dirfd, const struct guard_spec *spec, struct cc_err *e)
{
	struct strv argv = {0};
	int p[2] = {-1, -1}, hi_dir = -1, hi_rd = -1, status;
	pid_t pid = -1;

	/* Above fds 3 and 4, so that the child's dup2()s clobber nothing. */
	if (guard_argv(path, spec, &argv) == 0 && pipe2(p, O_CLOEXEC) == 0 &&
	    (hi_dir = fcntl(dirfd, F_DUPFD_CLOEXEC, 10)) >= 0 &&
	    (hi_rd = fcntl(p[0], F_DUPFD_CLOEXEC, 10)) >= 0)
		pid = fork();
	if (pid == 0)
		exec_guard(argv.v, hi_dir, hi_rd);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	strv_free(&argv);
	close_if_open(p[0]);
	close_if_open(hi_dir);
	close_if_open(hi_rd);
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return p[1];
	close_if_open(p[1]);
	return err_set(e, CC_EXIT_ENV, "hook-missing", "cannot start %s", path);
}

/* A guard that is gone hears nothing: EPIPE (criuctl ignores SIGPIPE) is
 * not an error of the run. */
static void say(int fd, const char *line)
{
	if (fd >= 0 && write(fd, line, strlen(line)) < 0)
		return;
}

void guard_tell_criu(int fd, int pid)
{
	char line[32];

	snprintf(line, sizeof(line), "criu %d\n", pid);
	say(fd, line);
}

void guard_done(int fd)
{
	say(fd, "done\n");
	if (fd >= 0)
		close(fd);
}

int guard_parse_argv(int argc, char **argv, struct guard_spec *spec, struct manifest_proc **tree)
{
	char *end;

	memset(spec, 0, sizeof(*spec));
	*tree = NULL;
	if (argc < FIRST_ARG || (strcmp(argv[1], "dump") != 0 && strcmp(argv[1], "pre-dump") != 0 &&
				 strcmp(argv[1], "restore") != 0))
		return -1;
	spec->action = argv[1];
	spec->log_name = argv[2];
	spec->timeout = strtod(argv[3], NULL);
	spec->stall_timeout = strtod(argv[4], NULL);
	spec->grace = strtod(argv[5], NULL);
	spec->iptables = strcmp(argv[6], "iptables") == 0;
	*tree = calloc((size_t)(argc - FIRST_ARG) + 1, sizeof(**tree));
	if (!*tree)
		return -1;
	for (int i = FIRST_ARG; i < argc; i++) {
		struct manifest_proc *p = &(*tree)[spec->tree_n];

		p->pid = (int)strtol(argv[i], &end, 10);
		if (*end != ':' || p->pid <= 0)
			return -1;
		p->starttime = strtoull(end + 1, NULL, 10);
		spec->tree_n++;
	}
	spec->tree = *tree;
	return 0;
}
