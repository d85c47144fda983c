/*
 * cmd_receive: the destination of `criuctl migrate`.  One-shot: it listens
 * for one sender on the control channel (PORT+1, migrate.h), closes the
 * listening socket once it has one (a second sender is refused by the
 * kernel), runs criu page-server on PORT under the supervisor and says
 * READY once criu listens; when the dump's pages are in and criu
 * page-server has ended, it takes the other images over the control
 * channel, commits them as a checkpoint (the commit of a dump, sealed
 * here), restores it and answers RUNNING PID, or FAILED with the error.
 * Until the tree runs, a failure removes what it wrote: the attempt, or the
 * committed checkpoint (the logs of a failed criu stay in failed/).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commit.h"
#include "fault.h"
#include "fsutil.h"
#include "migrate.h"
#include "netchan.h"
#include "options.h"
#include "receive.h"

enum { RC_LISTEN, RC_NAME, RC_TIMEOUT };

static const struct cli_opt receive_opts[] = {
	{"listen", 0, "ADDR:PORT", "criu page-server's address and port (control: PORT+1)",
	 RC_LISTEN},
	{"name", 'n', "NAME", "the checkpoint's name here (default: received-UTCSTAMP)", RC_NAME},
	{"timeout", 0, "SEC", "bound each wait for the sender (default 300; 0: none)", RC_TIMEOUT},
	{NULL, 0, NULL, NULL, 0},
};

static int receive_option(struct cli *c, int id, const char *arg, void *ctx)
{
	struct receive *r = ctx;
	char why[256], *end;

	switch (id) {
	case RC_LISTEN:
		if (migrate_parse_hostport(arg, r->host, sizeof(r->host), &r->port, why,
					   sizeof(why)) < 0)
			return cli_usage(c, "receive", "--listen %s", why);
		break;
	case RC_NAME: r->name = arg; break;
	case RC_TIMEOUT:
		r->timeout = strtod(arg, &end);
		if (*end || !*arg || r->timeout < 0)
			return cli_usage(c, "receive", "--timeout '%s' is not a number of seconds",
					 arg);
		break;
	}
	return -1;
}

static int parse_receive(struct cli *c, int argc, char **argv, struct receive *r)
{
	int rc = cli_parse_options(
		c, argc, argv,
		&(struct cli_parse){.cmd = "receive",
				    .synopsis = "criuctl receive --listen ADDR:PORT [--name NAME]",
				    .own = receive_opts,
				    .fn = receive_option,
				    .ctx = r});

	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cli_usage(c, "receive", "unexpected argument '%s'", argv[optind]);
	if (!r->port)
		return cli_usage(c, "receive", "where to listen? (--listen ADDR:PORT)");
	if (r->name && !name_valid(r->name))
		return cli_usage(c, "receive",
				 "invalid checkpoint name '%s': use 1-64 of [A-Za-z0-9._-], "
				 "starting with a letter or digit",
				 r->name);
	if (r->name)
		snprintf(r->ckname, sizeof(r->ckname), "%s", r->name);
	else {
		time_t now = time(NULL);
		struct tm tm;

		strftime(r->ckname, sizeof(r->ckname), "received-%Y%m%dT%H%M%S",
			 gmtime_r(&now, &tm));
	}
	return -1;
}

/* Tell the sender why nothing runs (best effort: it may be gone). */
static void answer_failed(struct receive *r, const struct cc_err *e)
{
	char line[MIG_LINE_MAX];
	int n = snprintf(line, sizeof(line), "FAILED %d %s %s", e->exit_code ? e->exit_code : 1,
			 e->code[0] ? e->code : "receive-failed", e->msg);

	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	for (int i = 0; i < n; i++)
		if (line[i] == '\n')
			line[i] = ' ';
	line[n] = '\n';
	net_write_all(r->conn, line, (size_t)n + 1);
}

/* Listen, take one sender, refuse the next ones. */
static int take_sender(struct cli *c, struct receive *r)
{
	int lfd = net_listen(r->host, r->port + 1, &c->err);

	if (lfd < 0)
		return c->err.exit_code;
	cli_say(c, "receive: waiting for a sender on %s:%u (criu page-server on port %u)", r->host,
		r->port + 1, r->port);
	r->conn = net_accept(lfd, r->timeout, &c->err);
	close(lfd);
	return r->conn < 0 ? c->err.exit_code : 0;
}

static int receive_run(struct cli *c, struct receive *r)
{
	int code = take_sender(c, r);

	if (code == 0 && store_begin(&c->store, r->ckname, ATTEMPT_DUMP, &r->at, &c->err) < 0)
		code = c->err.exit_code;
	else if (code == 0)
		r->have_attempt = 1;
	if (code == 0)
		code = receive_pages(c, r);
	if (code == 0)
		code = receive_images(c, r);
	if (code == 0) {
		fault_point("receive-restore");
		code = receive_commit(c, r);
	}
	if (code == 0)
		code = receive_restore(c, r);
	if (code && r->conn >= 0)
		answer_failed(r, &c->err);
	if (code && r->have_attempt)
		store_abort(&c->store, &r->at);
	return code;
}

int cmd_receive(struct cli *c, int argc, char **argv)
{
	struct receive r = {.conn = -1, .timeout = 300};
	int code = parse_receive(c, argc, argv, &r);

	if (code < 0 && (cli_criu(c) < 0 || cli_store(c, STORE_WRITE) < 0))
		code = c->err.exit_code;
	if (code < 0)
		code = receive_run(c, &r);
	if (r.conn >= 0)
		close(r.conn);
	return code;
}
