/* criu: locating and probing the criu binary. */
#include "criu.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flags.h"
#include "supervisor.h"

extern char **environ;

static int executable(const char *path)
{
	return access(path, X_OK) == 0;
}

int criu_resolve(const char *want, char *out, size_t size, struct cc_err *e)
{
	const char *name = want && *want ? want : "criu";
	const char *path = getenv("PATH");

	if (strchr(name, '/')) {
		if (!executable(name)) {
			err_sys(e, CC_EXIT_ENV,
				errno == ENOENT ? "criu-missing" : "criu-not-executable", errno,
				"criu binary %s", name);
			err_remedy(
				e,
				"Install criu 4.2 or newer, or point --criu / [criu] path at it.");
			return -1;
		}
		if (!realpath(name, out) || strlen(out) >= size)
			snprintf(out, size, "%s", name);
		return 0;
	}
	for (const char *p = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin"; *p;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);

		if (n && (size_t)snprintf(out, size, "%.*s/%s", (int)n, p, name) < size &&
		    executable(out))
			return 0;
		p += n + (colon ? 1 : 0);
	}
	err_set(e, CC_EXIT_ENV, "criu-missing", "criu binary '%s' not found on PATH", name);
	err_remedy(e, "Install criu 4.2 or newer, or point --criu / [criu] path at it.");
	return -1;
}

int criu_version(const char *path, char *out, size_t size, struct cc_err *e)
{
	struct strv argv = {0};
	struct sup_spec spec = {.timeout = 10};
	struct sup_result res;
	const char *v;
	int rc;

	if (strv_push(&argv, path) < 0 || strv_push(&argv, "--version") < 0 ||
	    flags_always(&argv) < 0) {
		strv_free(&argv);
		return err_set(e, CC_EXIT_ENV, "out-of-memory", "out of memory");
	}
	spec.argv = argv.v;
	rc = supervisor_run(&spec, &res, e);
	strv_free(&argv);
	if (rc < 0)
		return -1;
	v = res.output ? strstr(res.output, "Version: ") : NULL;
	if (!res.end.exited || res.end.exit_status != 0 || !v) {
		err_set(e, CC_EXIT_ENV, "criu-broken", "%s --version failed (%s %d)", path,
			res.end.exited ? "exit status" : "signal",
			res.end.exited ? res.end.exit_status : res.end.term_signal);
		sup_result_free(&res);
		return -1;
	}
	v += strlen("Version: ");
	snprintf(out, size, "%.*s", (int)strcspn(v, " \n"), v);
	sup_result_free(&res);
	return 0;
}

/* The bundle criuctl runs from (tools/bundle sets it in its wrappers), or
 * NULL. */
static const char *bundle_dir(void)
{
	const char *b = getenv("CRIUCTL_BUNDLE");

	return b && b[0] == '/' ? b : NULL;
}

const char *criuctl_self(void)
{
	static char path[PATH_MAX];
	const char *b = bundle_dir();

	if (b && (size_t)snprintf(path, sizeof(path), "%s/bin/criuctl", b) < sizeof(path) &&
	    executable(path))
		return path;
	return "/proc/self/exe";
}

int criu_helper_path(const char *name, char *out, size_t size, struct cc_err *e)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *b = bundle_dir();
	char *slash;

	if (b && (size_t)snprintf(out, size, "%s/bin/%s", b, name) < size && executable(out))
		return 0;
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash &&
		    (size_t)snprintf(out, size, "%.*s/%s", (int)(slash - self), self, name) <
			    size &&
		    executable(out))
			return 0;
	}
	if ((size_t)snprintf(out, size, "%s/criuctl/%s", LIBEXECDIR, name) < size &&
	    executable(out))
		return 0;
	err_set(e, CC_EXIT_ENV, "hook-missing", "%s is neither beside %s nor in %s/criuctl", name,
		n > 0 ? self : "criuctl", LIBEXECDIR);
	err_remedy(e, "Install criuctl completely (make install installs it).");
	return -1;
}

int criu_environ(const struct strv *extra, struct strv *out)
{
	for (char **env = environ; *env; env++) {
		size_t n = strcspn(*env, "=");
		int overridden = 0;

		for (size_t i = 0; i < extra->n; i++)
			if (strncmp(extra->v[i], *env, n + 1) == 0)
				overridden = 1;
		if (!overridden && strv_push(out, *env) < 0)
			return -1;
	}
	return strv_extend(out, extra);
}
