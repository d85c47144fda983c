/*
 * dump_preflight: what `criuctl dump` decides about the tree before
 * anything is frozen.  The target is inspected once (inspect.h), the doctor
 * turns its facts into findings, and preflight.h's policy says for each
 * finding whether dump refuses, adds a criu flag or only says it; mounts
 * from outside are named for criu and recorded in the manifest.  Also the
 * checks of the kernel's dirty-memory tracking (--pre-dump) and the choice
 * of criu's network lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dump.h"
#include "flags.h"
#include "inspect.h"
#include "preflight.h"

/* criu locks the network with iptables unless told otherwise, for
 * established connections and for a network namespace of the tree's own.
 * criuctl asks for nftables instead whenever nothing was chosen: a guest
 * may have no iptables-restore (GUEST-NOTES), and criu's nftables lock is
 * one table of its own (inet CRIU-<run id>) that criuctl finds and removes
 * when criu is killed or an unrestored checkpoint is removed. */
void dump_pick_network_lock(struct cli *c, struct criu_opts *o, int netns)
{
	if (!(o->tcp_established || netns) || o->network_lock[0])
		return;
	snprintf(o->network_lock, sizeof(o->network_lock), "nftables");
	cli_say(c, "network lock: nftables (criuctl removes it if criu is killed; "
		   "--network-lock iptables for criu's default)");
}

/* 1 when the user names mounts as external already (--external mnt[...]). */
static int user_names_mounts(const struct criu_opts *o)
{
	for (size_t i = 0; i < o->external.n; i++)
		if (strncmp(o->external.v[i], "mnt[", 4) == 0)
			return 1;
	return 0;
}

/* Name each mount from outside for criu (mnt[POINT]:KEY) and remember where
 * it comes from, so that restore can map it back without being told. */
static int name_external_mounts(struct dump_args *a, struct manifest *m,
				const struct target_facts *facts)
{
	if (user_names_mounts(&a->opts) || !facts->n_ext)
		return 0;
	m->ext = calloc(facts->n_ext, sizeof(*m->ext));
	if (!m->ext)
		return 0;
	memcpy(m->ext, facts->ext, facts->n_ext * sizeof(*m->ext));
	m->n_ext = facts->n_ext;
	for (size_t i = 0; i < m->n_ext; i++)
		strv_pushf(&a->opts.external, "mnt[%s]:%s", m->ext[i].point, m->ext[i].key);
	return 1;
}

/* Turn on the flag a finding asks for (the flag table's row of the key);
 * returns 1 when that changed anything. */
static int apply_flag(struct dump_args *a, struct manifest *m, const struct target_facts *facts,
		      const struct criu_flag *f)
{
	int *b, was;

	if (f->kind == FLAG_LIST && strcmp(f->key, "external") == 0)
		return name_external_mounts(a, m, facts);
	if (f->kind != FLAG_BOOL)
		return 0;
	b = flag_field(&a->opts, f);
	was = *b;
	*b = 1;
	return !was;
}

/* Say and do what preflight.h decided for each finding. */
static void follow_findings(struct cli *c, struct dump_args *a, struct manifest *m,
			    const struct target_facts *facts, const struct findings *f,
			    const struct pf_policy *p)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];
		const struct criu_flag *fl;
		enum pf_action act = preflight_action(x, p, &fl);

		if (act == PF_ADD_FLAG && apply_flag(a, m, facts, fl)) {
			strv_pushf(&m->auto_flags, "%s", fl->key);
			cli_say(c, "preflight: added --%s: %s", fl->option, x->message);
		} else if (act != PF_QUIET) {
			cli_say(c, "preflight: %s %s: %s", level_name(x->level), x->id, x->message);
		}
	}
}

/*
 * The target preflight, before anything is frozen: refuse on a failure
 * (unless --force), add the flags the tree needs (unless --no-auto-flags).
 * Returns -1 to go on, else the exit code.
 */
int dump_preflight(struct cli *c, struct dump_args *a, struct manifest *m)
{
	struct target_facts facts;
	struct findings f = {0};
	struct pf_policy p = {
		.auto_flags = a->auto_flags, .force = a->force, .refused = &a->refused};
	const struct finding *fatal;
	int code;

	if (inspect_target(a->pid, c->store.root, &facts, &c->err) < 0)
		return c->err.exit_code;
	if (doctor_target(&facts, &f) < 0) {
		inspect_target_free(&facts);
		return cli_oom(c);
	}
	m->own_mntns = facts.mntns_differs;
	m->own_pidns = facts.pidns_differs;
	a->netns = facts.netns_differs;
	if (!m->root_source[0]) /* --container: the spec's root.path (container.h) */
		snprintf(m->root_source, sizeof(m->root_source), "%s", facts.root_source);
	follow_findings(c, a, m, &facts, &f, &p);
	inspect_target_free(&facts);
	json_object_set_new(c->out, "preflight", cli_findings_json(&f));
	fatal = preflight_fatal(&f);
	code = preflight_exit(fatal, &p);
	if (code) {
		char pid[16];

		err_set(&c->err, code, fatal->id, "dump refused: %s", fatal->message);
		err_remedy(&c->err, "%s (--force dumps anyway)", fatal->remedy);
		snprintf(pid, sizeof(pid), "%d", a->pid);
		cli_next(c, (const char *[]){"check", "--tree", pid,
					     NULL}); /* every finding, in words */
	} else if (fatal) {
		cli_say(c, "preflight: --force: dumping despite %s", fatal->id);
	}
	findings_free(&f);
	return code ? code : -1;
}

/* --pre-dump needs dirty-memory tracking: refuse before anything is frozen
 * (criu pre-dump would abort mid-way, BUG at criu/mem.c:46). */
int dump_check_pre_dump(struct cli *c, const struct dump_args *a)
{
	int on = a->pre_dumps ? inspect_dirty_track(c->criu) : 1;

	if (on == 1)
		return -1;
	err_set(&c->err, CC_EXIT_REFUSED, verdict_row(V_MEM_TRACKING_UNSUPPORTED)->id,
		"dump refused: --pre-dump %d needs dirty-memory tracking, which %s (criu check "
		"--feature mem_dirty_track)",
		a->pre_dumps, on == 0 ? "this kernel does not have" : "criu could not confirm");
	err_remedy(&c->err, "Dump without --pre-dump, or use a kernel with CONFIG_MEM_SOFT_DIRTY.");
	return CC_EXIT_REFUSED;
}
