/*
 * kata_proc: bundles, config.json and the init of a Kata container from
 * the guest's files (kata_proc.h).
 */
#include "kata_proc.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fsutil.h"
#include "proc.h"

#define CGROUP2_MAGIC  0x63677270
#define SPEC_MAX       (4 << 20)
#define MAX_CANDIDATES 256

/* Where the cgroup hierarchies are mounted: $CRIUCTL_CGROUP_ROOT (tests
 * mount a hierarchy of their own), else /sys/fs/cgroup. */
static const char *cgroup_root(void)
{
	const char *r = getenv("CRIUCTL_CGROUP_ROOT");

	return r && *r ? r : "/sys/fs/cgroup";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kata_list(const char *root, struct strv *out, struct cc_err *e)
{
	DIR *d = opendir(root);
	struct dirent *de;
	char path[PATH_MAX];

	if (!d)
		return errno == ENOENT ? 0
				       : err_sys(e, CC_EXIT_ENV, "kata-root", errno,
						 "read the Kata containers' root %s", root);
	while ((de = readdir(d))) {
		if (!kata_cid_valid(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/config.json", root, de->d_name);
		if (access(path, F_OK) == 0 && strv_push(out, de->d_name) < 0) {
			closedir(d);
			return err_set(e, CC_EXIT_ENV, "out-of-memory", "out of memory");
		}
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	return 0;
}

int kata_read_spec(const char *root, const char *cid, struct kata_spec *s, struct cc_err *e)
{
	char path[PATH_MAX], why[512];
	char *buf = NULL;
	size_t len = 0;
	struct stat st;

	memset(s, 0, sizeof(*s));
	if (!kata_cid_valid(cid))
		return err_set(e, CC_EXIT_USAGE, "no-such-container",
			       "invalid container id '%s': use 1-128 of [A-Za-z0-9._-]", cid);
	snprintf(path, sizeof(path), "%s/%s", root, cid);
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err_set(e, CC_EXIT_USAGE, "no-such-container",
			"no container '%s': %s is not a Kata bundle directory", cid, path);
		err_remedy(e,
			   "'criuctl containers' lists the containers under %s (--kata-root "
			   "or [kata] root for another root).",
			   root);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s/config.json", root, cid);
	if (fs_read_path(path, SPEC_MAX, &buf, &len) < 0)
		return err_sys(e, CC_EXIT_USAGE, "no-such-container", errno,
			       "container '%s': read %s", cid, path);
	if (kata_spec_parse(buf, len, s, why, sizeof(why)) < 0) {
		free(buf);
		kata_spec_free(s);
		return err_set(e, CC_EXIT_USAGE, "bad-container-spec",
			       "container '%s': %s is not a usable OCI spec: %s", cid, path, why);
	}
	free(buf);
	return 0;
}

/* One process's facts for kata_pick_init(); argv into *argv. */
static int candidate(int pid, int agent, struct kata_candidate *c, struct strv *argv)
{
	char path[64], *buf = NULL, raw[8192];
	size_t len = 0, n;
	struct proc_stat st;

	if (proc_stat(pid, &st) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%d/status", proc_root(), pid);
	if (fs_read_path(path, 1 << 16, &buf, &len) < 0)
		return -1;
	c->pid = pid;
	c->nspid = (int)proc_parse_nsid(buf, len, "NSpid");
	free(buf);
	c->start = st.starttime;
	c->parent_is_agent = agent > 0 && st.ppid == agent;
	n = proc_argv(pid, raw, sizeof(raw));
	for (size_t i = 0; i < n; i += strlen(raw + i) + 1)
		if (strv_push(argv, raw + i) < 0)
			return -1;
	c->argv = argv;
	return 0;
}

/* The pids listed in a cgroup.procs file; 0 when it cannot be read. */
static size_t read_procs(const char *path, int *pids, size_t max)
{
	char *buf = NULL, *p, *end;
	size_t len = 0, n = 0;

	if (fs_read_path(path, 1 << 20, &buf, &len) < 0)
		return 0;
	for (p = buf; n < max && p < buf + len; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (v > 0 && v <= INT_MAX)
			pids[n++] = (int)v;
	}
	free(buf);
	return n;
}

/* The v1 hierarchies kata-agent places a container in, most common first. */
static const char *const v1_hierarchies[] = {"freezer", "pids",	   "memory",  "cpu,cpuacct",
					     "cpu",	"systemd", "unified", NULL};

/* The pids of the container's cgroup; the directory read into out->cgroup. */
static size_t cgroup_pids(const struct kata_spec *s, const char *cid, struct kata_init *out,
			  int *pids, size_t max)
{
	struct strv dirs = {0};
	struct statfs sf;
	size_t n = 0;
	char path[PATH_MAX];

	out->cgroup_v2 = statfs(cgroup_root(), &sf) == 0 && (long)sf.f_type == CGROUP2_MAGIC;
	if (kata_cgroup_dirs(s->cgroups_path, cid, &dirs) < 0)
		return 0;
	for (size_t i = 0; i < dirs.n && !n; i++) {
		for (size_t h = 0; !n && (out->cgroup_v2 ? h < 2 : v1_hierarchies[h] != NULL);
		     h++) {
			/* v2: processes go to <dir>/init when that exists (fs/mod.rs). */
			if (out->cgroup_v2)
				snprintf(path, sizeof(path), "%s%s%s", cgroup_root(), dirs.v[i],
					 h ? "/init" : "");
			else
				snprintf(path, sizeof(path), "%s/%s%s", cgroup_root(),
					 v1_hierarchies[h], dirs.v[i]);
			snprintf(path + strlen(path), sizeof(path) - strlen(path), "/cgroup.procs");
			n = read_procs(path, pids, max);
			if (n)
				snprintf(out->cgroup, sizeof(out->cgroup), "%.*s",
					 (int)(strlen(path) - 13), path);
		}
	}
	strv_free(&dirs);
	return n;
}

/* Every process whose comm is kata-agent, and its children: *agent is the
 * first agent found (0 when none). */
static size_t agent_children(int *agent, int *pids, size_t max)
{
	DIR *d = opendir(proc_root());
	struct dirent *de;
	struct proc_stat st;
	int all[4096];
	size_t n_all = 0, n = 0;

	*agent = 0;
	if (!d)
		return 0;
	while ((de = readdir(d)) && n_all < sizeof(all) / sizeof(all[0])) {
		int pid = atoi(de->d_name);

		if (pid <= 0 || proc_stat(pid, &st) < 0)
			continue;
		all[n_all++] = pid;
		if (!*agent && strcmp(st.comm, KATA_AGENT_COMM) == 0)
			*agent = pid;
	}
	closedir(d);
	for (size_t i = 0; *agent && i < n_all && n < max; i++)
		if (proc_stat(all[i], &st) == 0 && st.ppid == *agent)
			pids[n++] = all[i];
	return n;
}

/* Pick the init among pids (agent: kata-agent's pid, or 0); 1 when found. */
static int pick_among(const struct kata_spec *s, const int *pids, size_t n, int agent,
		      struct kata_init *out)
{
	struct kata_candidate c[MAX_CANDIDATES];
	struct strv argv[MAX_CANDIDATES];
	size_t k = 0;
	long best;

	memset(argv, 0, sizeof(argv));
	memset(c, 0, sizeof(c));
	for (size_t i = 0; i < n && k < MAX_CANDIDATES; i++)
		if (candidate(pids[i], agent, &c[k], &argv[k]) == 0)
			k++;
		else
			strv_free(&argv[k]);
	best = kata_pick_init(c, k, &s->args, agent > 0);
	if (best >= 0) {
		out->pid = c[best].pid;
		out->start = c[best].start;
		out->args = kata_args_match(c[best].argv, &s->args);
	}
	for (size_t i = 0; i < k; i++)
		strv_free(&argv[i]);
	return best >= 0;
}

void kata_find_init(const struct kata_spec *s, const char *cid, struct kata_init *out)
{
	int pids[MAX_CANDIDATES], agent = 0;
	size_t n;

	memset(out, 0, sizeof(*out));
	n = cgroup_pids(s, cid, out, pids, MAX_CANDIDATES);
	snprintf(out->found_by, sizeof(out->found_by), "cgroup");
	if (n && pick_among(s, pids, n, 0, out))
		return;
	/* No cgroupfs here (the debug console's mount namespace may have none),
	 * a v1 hierarchy without the path, or a pod-shared pid namespace. */
	n = agent_children(&agent, pids, MAX_CANDIDATES);
	snprintf(out->found_by, sizeof(out->found_by), "%s's children", KATA_AGENT_COMM);
	if (!pick_among(s, pids, n, agent, out))
		out->found_by[0] = '\0';
}
