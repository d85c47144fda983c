/*
 * container: a Kata container by its id (container.h).
 */
#include "container.h"

#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "jsonutil.h"

void container_free(struct container *ct)
{
	kata_spec_free(&ct->spec);
}

int container_resolve(struct cli *c, const char *cid, struct container *ct)
{
	memset(ct, 0, sizeof(*ct));
	ct->id = cid;
	if (kata_read_spec(c->kata_root, cid, &ct->spec, &c->err) < 0)
		return -1;
	kata_find_init(&ct->spec, cid, &ct->init);
	if (ct->init.pid)
		return 0;
	err_set(&c->err, CC_EXIT_USAGE, "container-not-running",
		"container '%s' (%s/%s) has no running init: none in its cgroup%s%s, none among "
		"the children of %s whose pid in its namespace is 1",
		cid, c->kata_root, cid, ct->init.cgroup[0] ? " " : "", ct->init.cgroup,
		KATA_AGENT_COMM);
	err_remedy(&c->err, "Is the container started?  'criuctl containers' lists what runs.");
	return -1;
}

json_t *container_json(const struct container *ct)
{
	const struct kata_init *in = &ct->init;
	static const char *const args[] = {"differ", "same-program", "same"};

	return json_pack("{s:o, s:o, s:i, s:o, s:o, s:o, s:s, s:o}", "id", json_text(ct->id),
			 "bundle_root", json_text(ct->spec.root ? ct->spec.root : ""), "init_pid",
			 in->pid, "command", json_strv(&ct->spec.args), "cgroup",
			 in->cgroup[0] ? json_text(in->cgroup) : json_null(), "found_by",
			 json_text(in->found_by), "args_match", args[in->args], "terminal",
			 json_boolean(ct->spec.terminal));
}

/* The spec's bind mounts, named for criu and recorded for restore. */
static int name_mounts(struct cli *c, const struct container *ct, struct criu_opts *o,
		       struct manifest *m)
{
	if (kata_external_mounts(&ct->spec, &m->ext, &m->n_ext) < 0)
		return cli_oom(c);
	for (size_t i = 0; i < m->n_ext; i++)
		if (strv_pushf(&o->external, "mnt[%s]:%s", m->ext[i].point, m->ext[i].key) < 0)
			return cli_oom(c);
	if (m->n_ext)
		strv_push(&m->auto_flags, "external");
	cli_say(c, "container %s: %zu bind mount%s of its spec named external", ct->id, m->n_ext,
		m->n_ext == 1 ? "" : "s");
	return -1;
}

int container_for_dump(struct cli *c, const char *cid, int *pid, struct criu_opts *o,
		       struct manifest *m)
{
	struct container ct;
	int code = -1;

	if (container_resolve(c, cid, &ct) < 0)
		code = c->err.exit_code;
	if (code < 0) {
		*pid = ct.init.pid;
		snprintf(m->container, sizeof(m->container), "%s", cid);
		snprintf(m->root_source, sizeof(m->root_source), "%s", ct.spec.root);
		cli_say(c, "container %s: init %d (from its %s)%s", cid, ct.init.pid,
			ct.init.found_by,
			ct.init.args == KATA_ARGS_DIFFER ? ", its command differs from process.args"
							 : "");
		json_object_set_new(c->out, "container", container_json(&ct));
		code = name_mounts(c, &ct, o, m);
	}
	container_free(&ct);
	return code;
}
