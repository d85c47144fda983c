/*
 * cmd_containers: the containers kata-agent runs in this guest, found by
 * their bundles under --kata-root ([kata] root, /run/kata-containers):
 * each with its init (from its cgroup or kata-agent's children), its
 * command (process.args), its cgroup and whether dump's preflight passes,
 * so that `criuctl dump --container ID` can be tried with confidence.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "container.h"
#include "doctor.h"
#include "inspect.h"
#include "jsonutil.h"
#include "options.h"
#include "preflight.h"

static int containers_option(struct cli *c, int id, const char *arg, void *ctx)
{
	(void)c, (void)id, (void)arg, (void)ctx;
	return -1;
}

/* The preflight of dump, as "ok" or the id of the finding that refuses it
 * (its message in msg). */
static const char *preflight_of(struct cli *c, int pid, char *msg, size_t size)
{
	static char id[64];
	struct target_facts facts;
	struct findings f = {0};
	const struct finding *fatal;
	struct cc_err quiet = {0};

	msg[0] = '\0';
	if (inspect_target(pid, c->store_root, &facts, &quiet) < 0)
		return snprintf(msg, size, "%s", quiet.msg), "gone";
	if (doctor_target(&facts, &f) < 0)
		snprintf(id, sizeof(id), "unknown");
	else if ((fatal = preflight_fatal(&f)))
		snprintf(id, sizeof(id), "%s", fatal->id),
			snprintf(msg, size, "%s", fatal->message);
	else
		snprintf(id, sizeof(id), "ok");
	inspect_target_free(&facts);
	findings_free(&f);
	return id;
}

static void join_args(char *dst, size_t size, const struct strv *args)
{
	size_t n = 0;

	dst[0] = '\0';
	for (size_t i = 0; i < args->n && n < size; i++)
		n += (size_t)snprintf(dst + n, size - n, "%s%s", i ? " " : "", args->v[i]);
}

/* One container: its JSON object, and its line unless --json. */
static json_t *one(struct cli *c, const char *cid)
{
	struct container ct;
	json_t *o;
	char msg[1024], cmd[512];
	const char *pf = NULL;

	c->err = (struct cc_err){0};
	if (container_resolve(c, cid, &ct) < 0) {
		o = json_pack("{s:o, s:n, s:o}", "id", json_text(cid), "init_pid", "error",
			      json_text(c->err.msg));
		if (!c->json)
			cli_print(stdout, "%-20s %7s  %s", cid, "-", c->err.msg);
		c->err = (struct cc_err){0};
		container_free(&ct);
		return o;
	}
	pf = preflight_of(c, ct.init.pid, msg, sizeof(msg));
	o = container_json(&ct);
	json_object_set_new(o, "preflight",
			    json_pack("{s:b, s:s, s:o}", "ok", strcmp(pf, "ok") == 0, "finding", pf,
				      "message", msg[0] ? json_text(msg) : json_null()));
	if (!c->json) {
		join_args(cmd, sizeof(cmd), &ct.spec.args);
		cli_print(stdout, "%-20s %7d  %-24s %s  %s", cid, ct.init.pid, pf,
			  ct.init.cgroup[0] ? ct.init.cgroup : "-", cmd);
	}
	container_free(&ct);
	return o;
}

int cmd_containers(struct cli *c, int argc, char **argv)
{
	struct strv ids = {0};
	json_t *list;
	int rc = cli_parse_options(
		c, argc, argv,
		&(struct cli_parse){
			.cmd = "containers",
			.synopsis = "criuctl containers [OPTIONS]",
			.about = "List the containers of a Kata guest (their bundles): id, init "
				 "pid, whether\ndump's preflight passes, cgroup, command.  Dump "
				 "one by its id with\n'criuctl dump' and its container option.\n",
			.fn = containers_option});

	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cli_usage(c, "containers", "unexpected argument '%s'", argv[optind]);
	if (kata_list(c->kata_root, &ids, &c->err) < 0)
		return c->err.exit_code;
	json_object_set_new(c->out, "root", json_text(c->kata_root));
	list = json_array();
	if (!c->json && ids.n)
		printf("%-20s %7s  %-24s %s  %s\n", "ID", "INIT", "PREFLIGHT", "CGROUP", "COMMAND");
	for (size_t i = 0; i < ids.n; i++)
		json_array_append_new(list, one(c, ids.v[i]));
	json_object_set_new(c->out, "containers", list);
	if (!ids.n)
		cli_say(c,
			"no containers under %s (a Kata guest keeps them there; --kata-root "
			"for another root)",
			c->kata_root);
	strv_free(&ids);
	return 0;
}
