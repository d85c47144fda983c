/*
 * criu_argv: criu command lines.  criu always runs with -v4 and a log file
 * in the work directory: the log is both what criuctl follows while criu
 * runs and what a user reads afterwards.  Raw --criu-opt arguments come
 * last so that they can override anything criuctl chose.
 */
#include "criu_argv.h"

#include <string.h>

static const char *const network_locks[] = {"iptables", "nftables", "skip", NULL};
static const char *const cgroup_modes[] = {"none",   "props",  "soft", "full",
					   "strict", "ignore", NULL};

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

int criu_network_lock_valid(const char *s)
{
	return in_list(network_locks, s);
}

int criu_manage_cgroups_valid(const char *s)
{
	return in_list(cgroup_modes, s);
}

static int push_common(struct strv *out, const char *criu, const char *action, const char *images,
		       const char *work, const char *log, const char *script)
{
	if (strv_push(out, criu) || strv_push(out, action) || strv_push(out, "-D") ||
	    strv_push(out, images) || strv_push(out, "-W") || strv_push(out, work) ||
	    strv_push(out, "-o") || strv_push(out, log) || strv_push(out, "-v4"))
		return -1;
	if (script && (strv_push(out, "--action-script") || strv_push(out, script)))
		return -1;
	return 0;
}

/* The flags that must be the same on dump and restore. */
static int push_shared_flags(struct strv *out, const struct criu_opts *o)
{
	if (o->tcp_established && strv_push(out, "--tcp-established"))
		return -1;
	if (o->ext_unix_sk && strv_push(out, "--ext-unix-sk"))
		return -1;
	if (o->shell_job && strv_push(out, "--shell-job"))
		return -1;
	if (o->file_locks && strv_push(out, "--file-locks"))
		return -1;
	if (o->manage_cgroups[0] && strv_pushf(out, "--manage-cgroups=%s", o->manage_cgroups))
		return -1;
	for (size_t i = 0; i < o->external.n; i++)
		if (strv_push(out, "--external") || strv_push(out, o->external.v[i]))
			return -1;
	return 0;
}

int criu_argv_dump(const struct dump_req *req, struct strv *out)
{
	const struct criu_opts *o = req->opts;
	int pre = req->action && strcmp(req->action, "pre-dump") == 0;

	if (push_common(out, req->criu, pre ? "pre-dump" : "dump", req->images_dir, req->work_dir,
			req->log_name, req->action_script) ||
	    strv_pushf(out, "--tree=%d", req->pid))
		return -1;
	/* A pre-dump always leaves the tree running; criu refuses the flag. */
	if (o->leave_running && !pre && strv_push(out, "--leave-running"))
		return -1;
	if (req->track_mem && strv_push(out, "--track-mem"))
		return -1;
	if (req->prev_images_dir &&
	    (strv_push(out, "--prev-images-dir") || strv_push(out, req->prev_images_dir)))
		return -1;
	/* Only on dump: criu 4.2 warns that restore ignores it. */
	if (o->network_lock[0] && strv_pushf(out, "--network-lock=%s", o->network_lock))
		return -1;
	if (push_shared_flags(out, o))
		return -1;
	for (size_t i = 0; i < o->skip_mnt.n; i++)
		if (strv_push(out, "--skip-mnt") || strv_push(out, o->skip_mnt.v[i]))
			return -1;
	return strv_extend(out, &o->criu_opt);
}

int criu_argv_restore(const struct restore_req *req, struct strv *out)
{
	if (push_common(out, req->criu, "restore", req->images_dir, req->work_dir, req->log_name,
			req->action_script) ||
	    strv_push(out, "--pidfile") || strv_push(out, req->pidfile))
		return -1;
	if (req->detach && strv_push(out, "--restore-detached"))
		return -1;
	if (req->root && (strv_push(out, "--root") || strv_push(out, req->root)))
		return -1;
	if (push_shared_flags(out, req->opts))
		return -1;
	return strv_extend(out, &req->opts->criu_opt);
}

int criu_opts_copy(struct criu_opts *dst, const struct criu_opts *src)
{
	*dst = *src;
	memset(&dst->skip_mnt, 0, sizeof(dst->skip_mnt));
	memset(&dst->external, 0, sizeof(dst->external));
	memset(&dst->criu_opt, 0, sizeof(dst->criu_opt));
	if (strv_extend(&dst->skip_mnt, &src->skip_mnt) ||
	    strv_extend(&dst->external, &src->external) ||
	    strv_extend(&dst->criu_opt, &src->criu_opt)) {
		criu_opts_free(dst);
		return -1;
	}
	return 0;
}

void criu_opts_free(struct criu_opts *o)
{
	strv_free(&o->skip_mnt);
	strv_free(&o->external);
	strv_free(&o->criu_opt);
}
