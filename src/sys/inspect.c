/*
 * inspect: the environment's facts for the doctor (inspect.h): criu, its
 * version, `criu check` and its features, privileges, the store, the
 * kernel config.  The target tree's facts are in inspect_target.c.
 */
#include "inspect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "cleanup.h"
#include "criu.h"
#include "flags.h"
#include "fsutil.h"
#include "supervisor.h"
#include "tidy.h"

/* criuctl's own CapEff and TracerPid, from /proc/self/status. */
static void self_status(struct env_facts *f)
{
	char *buf;
	size_t len;
	const char *p;

	if (fs_read_at(AT_FDCWD, "/proc/self/status", 1 << 16, &buf, &len) < 0)
		return;
	if ((p = strstr(buf, "\nCapEff:")))
		f->cap_eff = strtoull(p + 8, NULL, 16);
	if ((p = strstr(buf, "\nTracerPid:")))
		f->tracer = atoi(p + 11);
	free(buf);
}

/* Run criu with args (and the flags of every run), capturing its output;
 * returns the exit status or -1. */
static int run_capture(const char *criu, const char *const *args, char **out, size_t *len)
{
	cleanup_strv struct strv argv = {0};
	struct sup_spec spec = {.timeout = 30};
	struct sup_result res;
	struct cc_err e;
	int status;

	if (strv_push(&argv, criu) < 0)
		return -1;
	for (int i = 0; args[i]; i++)
		if (strv_push(&argv, args[i]) < 0)
			return -1;
	if (flags_always(&argv) < 0)
		return -1;
	spec.argv = argv.v;
	if (supervisor_run(&spec, &res, &e) < 0)
		return -1;
	status = res.end.exited ? res.end.exit_status : 128 + res.end.term_signal;
	*out = res.output;
	*len = res.output_len;
	res.output = NULL;
	sup_result_free(&res);
	return status;
}

/* criu check --feature name: 1 supported (exit 0), 0 not, -1 criu did not
 * run; *out gets what it printed (caller frees). */
static int feature(const char *criu, const char *name, char **out)
{
	const char *const args[] = {"check", "--feature", name, NULL};
	size_t len = 0;
	int st = run_capture(criu, args, out, &len);

	return st < 0 ? -1 : st == 0;
}

int inspect_dirty_track(const char *criu)
{
	char *out = NULL;
	int on = feature(criu, "mem_dirty_track", &out);

	/* Not supported is "Dirty tracking is OFF"; anything else is unknown. */
	if (on == 0 && !(out && strstr(out, "OFF")))
		on = -1;
	free(out);
	return on;
}

static void probe_criu(struct env_facts *f)
{
	static const char *const check[] = {"check", NULL};
	char *out = NULL;
	size_t len = 0;

	f->criu_check_status = run_capture(f->criu_path, check, &out, &len);
	f->criu_check_ran = 1;
	f->criu_check_out = out ? out : "";
	f->criu_check_len = len;
	f->dirty_track = inspect_dirty_track(f->criu_path);
	/* A criu whose own check fails cannot say what it supports. */
	for (size_t i = 0; f->criu_check_status == 0 && i < N_CRIU_FEATURES; i++) {
		char *fout = NULL;

		f->feature[i] = feature(f->criu_path, criu_features[i].name, &fout);
		free(fout);
	}
}

/* Whether criuctl can write the store, seen without creating or changing
 * anything (the doctor is read-only). */
static void probe_store(struct env_facts *f, const char *root)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 8];
	struct statvfs vfs;

	snprintf(f->store_root, sizeof(f->store_root), "%s", root);
	if (fs_nearest_dir(root, dir, sizeof(dir)) < 0) {
		snprintf(f->store_error, sizeof(f->store_error), "%s: %s", dir, strerror(errno));
		return;
	}
	if (strcmp(dir, root) != 0)
		snprintf(f->store_made_in, sizeof(f->store_made_in), "%s", dir);
	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	if (!f->store_made_in[0] && faccessat(AT_FDCWD, tmp, W_OK | X_OK, AT_EACCESS) < 0 &&
	    errno != ENOENT) {
		snprintf(f->store_error, sizeof(f->store_error), "cannot write in %s: %s", tmp,
			 strerror(errno));
		return;
	}
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0) {
		snprintf(f->store_error, sizeof(f->store_error), "cannot write in %s: %s", dir,
			 strerror(errno));
		return;
	}
	f->store_ok = 1;
	if (statvfs(dir, &vfs) == 0)
		f->store_free = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
}

void inspect_env(struct env_facts *f, const char *criu_want, const char *store_root, int run_check)
{
	struct utsname u;
	struct cc_err e;

	memset(f, 0, sizeof(*f));
	f->dirty_track = -1;
	for (size_t i = 0; i < N_CRIU_FEATURES; i++)
		f->feature[i] = -1;
	if (uname(&u) == 0)
		snprintf(f->kernel, sizeof(f->kernel), "%s", u.release);
	f->is_root = geteuid() == 0;
	self_status(f);
	if (criu_resolve(criu_want, f->criu_path, sizeof(f->criu_path), &e) < 0 ||
	    criu_version(f->criu_path, f->criu_version, sizeof(f->criu_version), &e) < 0) {
		snprintf(f->criu_error, sizeof(f->criu_error), "%s", e.msg);
		f->criu_found = 0;
		if (!f->criu_path[0] || access(f->criu_path, X_OK) < 0)
			goto store;
		/* It exists but "criu --version" fails: criu check will say why. */
	}
	f->criu_found = 1;
	if (run_check)
		probe_criu(f);
store:
	probe_store(f, store_root);
}

/* gzip-compressed text (/proc/config.gz) into a new buffer. */
static int read_gz(const char *path, char **text, size_t *len)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap + 1);
	int r;

	if (!gz || !b) {
		if (gz)
			gzclose(gz);
		free(b);
		return -1;
	}
	while ((r = gzread(gz, b + n, (unsigned)(cap - n))) > 0) {
		n += (size_t)r;
		if (n == cap) {
			char *nb = cap < (64u << 20) ? realloc(b, (cap *= 2) + 1) : NULL;

			if (!nb)
				break;
			b = nb;
		}
	}
	gzclose(gz);
	b[n] = '\0';
	*text = b;
	*len = n;
	return r < 0 ? (free(b), -1) : 0;
}

int inspect_kconfig(const char *path, char **text, size_t *len, char *source, size_t size,
		    struct cc_err *e)
{
	struct utsname u;
	char boot[300];

	if (path) {
		int rc = strstr(path, ".gz") ? read_gz(path, text, len)
					     : fs_read_path(path, 64u << 20, text, len);

		snprintf(source, size, "%s", path);
		if (rc < 0)
			return err_sys(e, CC_EXIT_USAGE, "kernel-config-unreadable", errno,
				       "kernel config %s", path);
		return 0;
	}
	if (read_gz("/proc/config.gz", text, len) == 0) {
		snprintf(source, size, "/proc/config.gz");
		return 0;
	}
	if (uname(&u) == 0) {
		snprintf(boot, sizeof(boot), "/boot/config-%s", u.release);
		if (fs_read_at(AT_FDCWD, boot, 64u << 20, text, len) == 0) {
			snprintf(source, size, "%s", boot);
			return 0;
		}
	}
	return 1;
}
