/*
 * cmd_migrate: move a running tree to `criuctl receive` on another host.
 *
 * Steps (migrate.h): connect to the receiver's control channel and wait
 * for READY (criu page-server listens there); criuctl dump with
 * --leave-running --page-server --address HOST --port PORT (the memory
 * goes straight to the page server; the tree runs on); the other images
 * and the manifest over the control channel; RESTORE; and only on RUNNING
 * the source tree is ended.  Whatever fails before RUNNING leaves the
 * source tree running (migrate_plan() decides).  The local checkpoint
 * holds no pages, so it is removed once sent, whatever the outcome.
 *
 * Downtime: the tree restored is the tree as criu froze it, early in the
 * dump; what the source did after criu let it run on is lost when it is
 * ended.  So downtime_ms runs from the start of the dump to RUNNING (an
 * upper bound: criu freezes the tree a little after it starts), and
 * lost_ms from the end of the dump to the end of the source tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dump.h"
#include "migrate.h"
#include "netchan.h"
#include "options.h"
#include "proc.h"
#include "tidy.h"

enum { MG_TREE, MG_PIDFILE, MG_TO, MG_NAME, MG_TIMEOUT, MG_LAZY };

static const struct cli_opt migrate_opts[] = {
	{"tree", 't', "PID", "root of the tree to move", MG_TREE},
	{"pidfile", 0, "FILE", "read the root pid from FILE", MG_PIDFILE},
	{"to", 0, "HOST:PORT", "where criuctl receive listens", MG_TO},
	{"name", 'n', "NAME", "the name of the dump here (default COMM-PID-UTCSTAMP)", MG_NAME},
	{"timeout", 0, "SEC", "bound each wait for the receiver (default 300; 0: none)",
	 MG_TIMEOUT},
	{"lazy", 0, NULL, "post-copy over the network (not yet supported)", MG_LAZY},
	{NULL, 0, NULL, NULL, 0},
};

struct migrate {
	int pid;
	const char *pidfile, *name, *to;
	char host[MIG_HOST_MAX];
	unsigned port;
	double timeout;
	int conn;
	char ckname[NAME_MAX_LEN + 1];
	unsigned long long starttime; /* the root's, at the start */
	size_t files;
	uint64_t bytes;
	double t_dump, t_dumped, t_running, t_ended; /* monotonic seconds */
	int remote_pid;
	char remote_err[MIG_LINE_MAX];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int migrate_option(struct cli *c, int id, const char *arg, void *ctx)
{
	struct migrate *g = ctx;
	char why[256], *end;

	switch (id) {
	case MG_TREE: return cli_parse_pid(c, "--tree", arg, &g->pid) < 0 ? c->err.exit_code : -1;
	case MG_PIDFILE: g->pidfile = arg; break;
	case MG_NAME: g->name = arg; break;
	case MG_TO:
		g->to = arg;
		if (migrate_parse_hostport(arg, g->host, sizeof(g->host), &g->port, why,
					   sizeof(why)) < 0)
			return cli_usage(c, "migrate", "--to %s", why);
		break;
	case MG_TIMEOUT:
		g->timeout = strtod(arg, &end);
		if (*end || !*arg || g->timeout < 0)
			return cli_usage(c, "migrate", "--timeout '%s' is not a number of seconds",
					 arg);
		break;
	case MG_LAZY:
		return cli_usage(c, "migrate",
				 "--lazy is not yet supported (post-copy over the network)");
	}
	return -1;
}

static int parse_migrate(struct cli *c, int argc, char **argv, struct migrate *g)
{
	int rc = cli_parse_options(
		c, argc, argv,
		&(struct cli_parse){.cmd = "migrate",
				    .synopsis = "criuctl migrate (-t PID | --pidfile FILE) --to "
						"HOST:PORT",
				    .own = migrate_opts,
				    .fn = migrate_option,
				    .ctx = g});

	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cli_usage(c, "migrate", "unexpected argument '%s'", argv[optind]);
	if (!!g->pid + !!g->pidfile != 1)
		return cli_usage(c, "migrate",
				 "say which tree, once: --tree PID or --pidfile FILE");
	if (!g->to)
		return cli_usage(c, "migrate", "where to? (--to HOST:PORT)");
	if (g->pidfile && cli_read_pidfile(c, g->pidfile, &g->pid) < 0)
		return c->err.exit_code;
	return -1;
}

/* Read the receiver's next message; MIG_BAD with c->err set when none came. */
static enum mig_msg_kind answer(struct cli *c, struct migrate *g, struct mig_msg *m)
{
	char line[MIG_LINE_MAX];

	if (net_read_line(g->conn, line, sizeof(line), g->timeout) < 0) {
		err_sys(&c->err, CC_EXIT_ENV, "receiver-lost", errno == EPIPE ? ECONNRESET : errno,
			"the receiver");
		return MIG_BAD;
	}
	if (migrate_parse_msg(line, m) == MIG_FAILED) {
		snprintf(g->remote_err, sizeof(g->remote_err), "%s", line + 7);
		err_set(&c->err, m->exit_code, m->name, "the receiver: %s", m->text);
	} else if (m->kind == MIG_BAD) {
		err_set(&c->err, CC_EXIT_ENV, "protocol-error", "the receiver said '%.200s'", line);
	}
	return m->kind;
}

static enum mig_end step_connect(struct cli *c, struct migrate *g)
{
	struct mig_msg m;
	enum mig_msg_kind k;

	g->conn = net_connect(g->host, g->port + 1, g->timeout ? g->timeout : 300, &c->err);
	if (g->conn < 0)
		return MIG_END_LOST;
	k = answer(c, g, &m);
	return k == MIG_READY ? MIG_END_OK : k == MIG_FAILED ? MIG_END_FAILED : MIG_END_LOST;
}

static enum mig_end step_dump(struct cli *c, struct migrate *g)
{
	char pid[16], port[16], cmd[] = "dump", t[] = "-t", n[] = "-n";
	char *argv[] = {cmd, t, pid, n, (char *)g->name, NULL};
	struct criu_opts extra = {.leave_running = 1, .page_server = 1};
	json_t *name;
	int code;

	snprintf(pid, sizeof(pid), "%d", g->pid);
	snprintf(port, sizeof(port), "%u", g->port);
	if (strv_push(&extra.page_server_address, g->host) ||
	    strv_push(&extra.page_server_port, port)) {
		criu_opts_free(&extra);
		return cli_oom(c), MIG_END_FAILED;
	}
	g->t_dump = now();
	code = dump_main(c, g->name ? 5 : 3, argv, &extra);
	g->t_dumped = now();
	criu_opts_free(&extra);
	free(c->next); /* dump's "restore NAME" is no next step here */
	c->next = NULL;
	json_object_del(c->out, "next");
	name = json_object_get(c->out, "name");
	if (json_is_string(name))
		snprintf(g->ckname, sizeof(g->ckname), "%s", json_string_value(name));
	if (code)
		net_write_all(g->conn, "ABORT\n", 6);
	return code ? MIG_END_FAILED : MIG_END_OK;
}

/* images/ (regular files), manifest.json, RESTORE. */
static int send_all(struct migrate *g, int ckfd)
{
	int imfd = openat(ckfd, "images", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = imfd >= 0 ? fdopendir(imfd) : NULL;
	struct dirent *de;
	int64_t n = 0;

	if (!d) {
		if (imfd >= 0)
			close(imfd);
		return -1;
	}
	while (n >= 0 && (de = readdir(d)))
		if (de->d_type == DT_REG && (n = net_send_file(g->conn, imfd, de->d_name)) >= 0) {
			g->files++;
			g->bytes += (uint64_t)n;
		}
	closedir(d);
	if (n < 0 || (n = net_send_file(g->conn, ckfd, "manifest.json")) < 0)
		return -1;
	return net_write_all(g->conn, "RESTORE\n", 8);
}

static enum mig_end step_send(struct cli *c, struct migrate *g)
{
	int ckfd = store_open_checkpoint(&c->store, g->ckname, &c->err), rc;

	if (ckfd < 0)
		return MIG_END_FAILED;
	rc = send_all(g, ckfd);
	if (rc < 0)
		err_sys(&c->err, CC_EXIT_ENV, "receiver-lost", errno, "send checkpoint '%s'",
			g->ckname);
	close(ckfd);
	return rc < 0 ? MIG_END_LOST : MIG_END_OK;
}

static enum mig_end step_restore(struct cli *c, struct migrate *g)
{
	struct mig_msg m;
	enum mig_msg_kind k = answer(c, g, &m);

	g->t_running = now();
	g->remote_pid = m.pid;
	return k == MIG_RUNNING ? MIG_END_OK : k == MIG_FAILED ? MIG_END_FAILED : MIG_END_LOST;
}

/* The source tree, each task only while it is the same one. */
static enum mig_end step_end_tree(struct cli *c, struct migrate *g)
{
	struct manifest_proc *procs = NULL;
	struct tidy_result t = {0};
	struct proc_stat st;
	size_t n = 0;

	if (proc_stat(g->pid, &st) == 0 && st.starttime == g->starttime &&
	    proc_tree(g->pid, &procs, &n, &c->err) == 0)
		tidy_restored(procs, &n, &t);
	g->t_ended = now();
	json_object_set_new(c->out, "source_ended", json_integer((json_int_t)t.killed.n));
	tidy_result_free(&t);
	free(procs);
	return MIG_END_OK;
}

static void report(struct cli *c, const struct migrate *g)
{
	double down = (g->t_running - g->t_dump) * 1000, lost = (g->t_ended - g->t_dumped) * 1000;

	json_object_set_new(c->out, "to", json_string(g->to));
	json_object_set_new(c->out, "remote_pid", json_integer(g->remote_pid));
	json_object_set_new(c->out, "files_sent", json_integer((json_int_t)g->files));
	json_object_set_new(c->out, "bytes_sent", json_integer((json_int_t)g->bytes));
	json_object_set_new(c->out, "downtime_ms", json_integer((json_int_t)down));
	json_object_set_new(c->out, "lost_ms", json_integer((json_int_t)lost));
	cli_say(c,
		"migrated tree %d to %s: pid %d there; downtime %.0f ms (dump start to running "
		"there), source ran on %.0f ms (discarded)",
		g->pid, g->to, g->remote_pid, down, lost);
	if (!c->json)
		printf("%d\n", g->remote_pid);
}

/* A step did not end well: the plan's exit code, id and remedy. */
static int failed(struct cli *c, const struct migrate *g, enum mig_step step, enum mig_end end)
{
	struct mig_plan p;

	migrate_plan(step, end, &p);
	json_object_set_new(c->out, "step", json_string(migrate_step_name(step)));
	json_object_set_new(c->out, "source_running", json_true());
	if (g->remote_err[0])
		json_object_set_new(c->out, "remote_error", json_string(g->remote_err));
	if (p.exit_code < 0) /* the dump's own verdict */
		return c->err.exit_code ? c->err.exit_code : 1;
	c->err.exit_code = p.exit_code;
	snprintf(c->err.code, sizeof(c->err.code), "%s", p.id);
	err_prefix(&c->err, "migrate to %s: %s", g->to, migrate_step_name(step));
	err_remedy(&c->err, "The source tree (pid %d) keeps running. %s", g->pid, p.remedy);
	return p.exit_code;
}

static int migrate_run(struct cli *c, struct migrate *g)
{
	static enum mig_end (*const steps[])(struct cli *, struct migrate *) = {
		[MIG_STEP_CONNECT] = step_connect, [MIG_STEP_READY] = NULL,
		[MIG_STEP_DUMP] = step_dump,	   [MIG_STEP_SEND] = step_send,
		[MIG_STEP_RESTORE] = step_restore, [MIG_STEP_END_TREE] = step_end_tree,
	};
	enum mig_step s;
	enum mig_end end = MIG_END_OK;
	int code = 0;

	for (s = MIG_STEP_CONNECT; s <= MIG_STEP_END_TREE && end == MIG_END_OK; s++)
		if (steps[s])
			end = steps[s](c, g);
	s--;
	if (end != MIG_END_OK)
		code = failed(c, g, s, end);
	else
		report(c, g);
	/* Its pages are elsewhere: the local dump restores nothing. */
	if (g->ckname[0] && store_remove(&c->store, g->ckname, &(struct cc_err){0}) < 0)
		cli_say(c, "criuctl: cannot remove the local dump '%s'", g->ckname);
	return code;
}

int cmd_migrate(struct cli *c, int argc, char **argv)
{
	struct migrate g = {.conn = -1, .timeout = 300};
	struct proc_stat st;
	int code = parse_migrate(c, argc, argv, &g);

	if (code < 0 && proc_stat(g.pid, &st) < 0) {
		err_sys(&c->err, CC_EXIT_USAGE, "no-such-tree", errno, "tree %d", g.pid);
		code = CC_EXIT_USAGE;
	}
	if (code < 0) {
		g.starttime = st.starttime;
		code = migrate_run(c, &g);
	}
	if (g.conn >= 0)
		close(g.conn);
	return code;
}
