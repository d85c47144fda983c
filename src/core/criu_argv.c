/*
 * criu_argv: criu command lines.  criu always runs with -v4 and a log file
 * in the work directory: the log is both what criuctl follows while criu
 * runs and what a user reads afterwards.  The flags are the table's
 * (flags.h): raw --criu-opt arguments come last so that they can override
 * anything criuctl chose.
 */
#include "criu_argv.h"

#include "flags.h"

#include <string.h>

int criu_network_lock_valid(const char *s)
{
	return flag_choice_valid(flag_by_key("network_lock"), s);
}

int criu_manage_cgroups_valid(const char *s)
{
	return flag_choice_valid(flag_by_key("manage_cgroups"), s);
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

int criu_argv_dump(const struct dump_req *req, struct strv *out)
{
	int pre = req->action && strcmp(req->action, "pre-dump") == 0;

	if (push_common(out, req->criu, pre ? "pre-dump" : "dump", req->images_dir, req->work_dir,
			req->log_name, req->action_script) ||
	    strv_pushf(out, "--tree=%d", req->pid))
		return -1;
	if (req->track_mem && strv_push(out, "--track-mem"))
		return -1;
	if (req->prev_images_dir &&
	    (strv_push(out, "--prev-images-dir") || strv_push(out, req->prev_images_dir)))
		return -1;
	return flags_argv(req->opts, pre ? FOR_PRE_DUMP : FOR_DUMP, out);
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
	return flags_argv(req->opts, FOR_RESTORE, out);
}

int criu_argv_lazy_pages(const struct restore_req *req, const char *log_name, struct strv *out)
{
	if (push_common(out, req->criu, "lazy-pages", req->images_dir, req->work_dir, log_name,
			NULL))
		return -1;
	return flags_always(out);
}

int criu_argv_page_server(const struct restore_req *req, const char *log_name, struct strv *out)
{
	if (push_common(out, req->criu, "page-server", req->images_dir, req->work_dir, log_name,
			NULL) ||
	    flags_always(out))
		return -1;
	return flags_argv(req->opts, FOR_PAGE_SERVER, out);
}

int criu_opts_copy(struct criu_opts *dst, const struct criu_opts *src)
{
	*dst = *src;
	memset(&dst->skip_mnt, 0, sizeof(dst->skip_mnt));
	memset(&dst->external, 0, sizeof(dst->external));
	memset(&dst->criu_opt, 0, sizeof(dst->criu_opt));
	memset(&dst->page_server_address, 0, sizeof(dst->page_server_address));
	memset(&dst->page_server_port, 0, sizeof(dst->page_server_port));
	if (strv_extend(&dst->skip_mnt, &src->skip_mnt) ||
	    strv_extend(&dst->page_server_address, &src->page_server_address) ||
	    strv_extend(&dst->page_server_port, &src->page_server_port) ||
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
	strv_free(&o->page_server_address);
	strv_free(&o->page_server_port);
}
