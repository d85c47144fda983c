/*
 * cmd_run: start a workload so that CRIU can checkpoint it later.
 *
 * What makes a process tree checkpointable here: a session of its own
 * (setsid: otherwise CRIU says "A session leader of N(M) is outside of its
 * pid namespace"), no inherited descriptors above 2 (CRIU would have to
 * dump them as external resources and fails on them), stdin from /dev/null
 * and stdout/stderr on a log file, all opened by us in the caller's mount
 * namespace.  criuctl does not stay around: the workload is reparented to
 * init (or the nearest subreaper) as soon as run returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "options.h"

/* run's options (options.h); the command comes after them. */
enum { RUN_PIDFILE, RUN_LOG, RUN_CWD };

static const struct cli_opt run_opts[] = {
	{"pidfile", 0, "FILE", "write the workload's pid to FILE", RUN_PIDFILE},
	{"log", 0, "FILE", "its stdout and stderr (default /dev/null)", RUN_LOG},
	{"cwd", 0, "DIR", "its working directory", RUN_CWD},
	{NULL, 0, NULL, NULL, 0},
};

/*
 * Back to the default action.  Through the raw syscall: glibc's signal()
 * refuses its own two real-time signals (32, 33), and an ignored signal
 * inherited from the caller would stay ignored in the workload.
 */
static void default_action(int sig)
{
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		unsigned long mask;
	} ksa = {0};

	syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
}

/* In the child: reset what the caller may have changed, then the stdio. */
static int child_setup(const struct run_req *r)
{
	sigset_t none;
	int in, out;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		default_action(sig);
	if (setsid() < 0)
		return -1;
	/* --log is relative to the caller's directory, like --pidfile. */
	in = open("/dev/null", O_RDONLY);
	out = open(r->log ? r->log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY, 0600);
	if (in < 0 || out < 0)
		return -1;
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		return -1;
	return r->cwd && chdir(r->cwd) < 0 ? -1 : 0;
}

/* Close every fd above 2 except keep (the exec-error pipe, close-on-exec). */
static void close_fds_except(int keep)
{
	if (syscall(SYS_close_range, 3, keep - 1, 0) == 0 &&
	    syscall(SYS_close_range, keep + 1, ~0U, 0) == 0)
		return;
	for (int fd = 3; fd < 65536; fd++)
		if (fd != keep)
			close(fd);
}

static void run_child(const struct run_req *r, int errfd)
{
	int err;

	if (child_setup(r) == 0) {
		close_fds_except(errfd);
		execvp(r->argv[0], r->argv);
	}
	err = errno;
	if (write(errfd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

static int run_option(struct cli *c, int id, const char *arg, void *ctx)
{
	struct run_req *r = ctx;

	(void)c;
	if (id == RUN_PIDFILE)
		r->pidfile = arg;
	else if (id == RUN_LOG)
		r->log = arg;
	else
		r->cwd = arg;
	return -1;
}

static int parse_run(struct cli *c, int argc, char **argv, struct run_req *r)
{
	int rc = cli_parse_options(
		c, argc, argv,
		&(struct cli_parse){
			.cmd = "run",
			.synopsis = "criuctl run [OPTIONS] -- CMD [ARG...]",
			.about = "Start CMD in a new session, with stdin from /dev/null, "
				 "stdout and stderr on --log\nFILE and no other "
				 "inherited descriptor; print its pid.\n",
			.in_order = 1,
			.own = run_opts,
			.fn = run_option,
			.ctx = r});

	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return cli_usage(c, "run", "no command given (criuctl run -- CMD [ARG...])");
	r->argv = argv + optind;
	return -1;
}

int run_start(struct cli *c, const struct run_req *r, int *pid_out)
{
	int pipefd[2], err = 0;
	pid_t pid;
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return err_sys(&c->err, CC_EXIT_ENV, "run-failed", errno, "run: pipe");
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return err_sys(&c->err, CC_EXIT_ENV, "run-failed", errno, "run: fork");
	}
	if (pid == 0)
		run_child(r, pipefd[1]);
	close(pipefd[1]);
	do
		n = read(pipefd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n > 0) {
		waitpid(pid, NULL, 0);
		err_sys(&c->err, CC_EXIT_USAGE, "run-failed", err, "run: cannot start '%s'",
			r->argv[0]);
		err_remedy(&c->err, "Check the command, --cwd and --log paths.");
		return -1;
	}
	*pid_out = pid;
	return 0;
}

int cmd_run(struct cli *c, int argc, char **argv)
{
	struct run_req r = {0};
	int pid, rc = parse_run(c, argc, argv, &r);

	if (rc >= 0)
		return rc;
	if (run_start(c, &r, &pid) < 0)
		return c->err.exit_code;
	if (r.pidfile && cli_write_pidfile(c, r.pidfile, pid) < 0)
		return c->err.exit_code;
	json_object_set_new(c->out, "pid", json_integer(pid));
	if (!c->json)
		printf("%d\n", pid);
	return 0;
}
