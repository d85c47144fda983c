/*
 * doctor: rules.  The known criu/kernel incompatibilities were measured on
 * these machines (GUEST-NOTES): criu 3.17 dies at start-up on kernel 6.18
 * ("vdso: Unexpected rt vDSO area bounds"), 4.1.1 fails on any TCP socket
 * (SO_PASSCRED refused on TCP), 4.2.1 works.
 */
#include "doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "verdict.h"

#define CAP_NET_ADMIN	 12
#define CAP_SYS_PTRACE	 19
#define CAP_SYS_ADMIN	 21
#define CAP_SYS_RESOURCE 24
#define LOW_SPACE	 (1ULL << 30)

long version_number(const char *v)
{
	long part[3] = {0, 0, 0};

	/* Up to three digits a part, no sign, no space (strtol takes both): a
	 * negative part, or one that overflows the encoding (or long), would
	 * compare as nonsense, not as "cannot compare". */
	for (int i = 0; i < 3; i++) {
		const char *start = v;

		while (*v >= '0' && *v <= '9' && v - start < 4)
			part[i] = part[i] * 10 + (*v++ - '0');
		if (v - start > 3)
			return 0;
		if (v == start)
			return i ? part[0] * 1000000 + part[1] * 1000 : 0;
		if (*v != '.')
			break;
		v++;
	}
	return part[0] * 1000000 + part[1] * 1000 + part[2];
}

static int check_versions(const struct env_facts *f, struct findings *out)
{
	long criu = version_number(f->criu_version), kernel = version_number(f->kernel);
	static const char remedy[] = "Install criu 4.2 or newer (Debian unstable has 4.2.1); "
				     "the guest image of this project carries it.";

	if (!criu || !kernel)
		return findings_add(out, "criu-kernel-compat", LEVEL_WARN, remedy,
				    "cannot compare criu '%s' with kernel '%s'", f->criu_version,
				    f->kernel);
	if (kernel >= 6013000 && criu < 4000000)
		return findings_add(out, "criu-too-old-for-kernel", LEVEL_FAIL, remedy,
				    "criu %s is too old for kernel %s: criu 3.x fails at start-up "
				    "on kernels >= 6.13 (vdso: Unexpected rt vDSO area bounds)",
				    f->criu_version, f->kernel);
	if (kernel >= 6013000 && criu < 4002000)
		return findings_add(out, "criu-too-old-for-kernel", LEVEL_WARN, remedy,
				    "criu %s fails on TCP sockets with kernel %s (Can't get 1:16 "
				    "opt: SO_PASSCRED on TCP); plain trees work",
				    f->criu_version, f->kernel);
	return findings_add(out, "criu-kernel-compat", LEVEL_OK, NULL,
			    "no known incompatibility between criu %s and kernel %s",
			    f->criu_version, f->kernel);
}

/* "criu check" said something other than "Looks good.": classify it. */
static int check_criu_check(const struct env_facts *f, struct findings *out)
{
	struct criu_end end = {.exited = 1, .exit_status = f->criu_check_status};
	struct verdict v;
	int rc;

	if (!f->criu_check_ran)
		return 0;
	if (f->criu_check_status == 0)
		return findings_add(out, "criu-check", LEVEL_OK, NULL, "criu check: looks good");
	if (verdict_classify(f->criu_check_out, f->criu_check_len, &end, &v) < 0)
		return -1;
	rc = findings_add(out, "criu-check", LEVEL_FAIL, v.remedy,
			  "criu check failed (exit %d): %s%s%s", f->criu_check_status, v.title,
			  v.evidence.n ? " -- " : "", v.evidence.n ? v.evidence.v[0] : "");
	if (rc == 0 && strcmp(v.id, "criu-too-old-for-kernel") == 0 &&
	    !findings_get(out, "criu-too-old-for-kernel"))
		rc = findings_add(out, "criu-too-old-for-kernel", LEVEL_FAIL, v.remedy,
				  "criu %s cannot run on kernel %s: %s", f->criu_version, f->kernel,
				  v.evidence.n ? v.evidence.v[0] : v.title);
	verdict_free(&v);
	return rc;
}

static int has_cap(const struct env_facts *f, int cap)
{
	return (f->cap_eff >> cap) & 1;
}

static int check_privileges(const struct env_facts *f, struct findings *out)
{
	if (!f->is_root || !has_cap(f, CAP_SYS_ADMIN) || !has_cap(f, CAP_SYS_PTRACE))
		return findings_add(out, "privileges", LEVEL_FAIL,
				    "Run criuctl as root with CAP_SYS_ADMIN and CAP_SYS_PTRACE.",
				    "criuctl is not root with CAP_SYS_ADMIN and CAP_SYS_PTRACE");
	if (findings_add(out, "privileges", LEVEL_OK, NULL,
			 "root, CAP_SYS_ADMIN, "
			 "CAP_SYS_PTRACE") < 0)
		return -1;
	if (!has_cap(f, CAP_SYS_RESOURCE) &&
	    findings_add(out, "cap-sys-resource", LEVEL_WARN,
			 "Give criuctl CAP_SYS_RESOURCE (a guest agent normally has it), or run "
			 "workloads as root.",
			 "CAP_SYS_RESOURCE is missing: criu cannot read the rlimits of tasks "
			 "running as another user (Can't get rlimit)") < 0)
		return -1;
	if (!has_cap(f, CAP_NET_ADMIN) &&
	    findings_add(out, "cap-net-admin", LEVEL_WARN,
			 "Give criuctl CAP_NET_ADMIN for --tcp-established.",
			 "CAP_NET_ADMIN is missing: the network lock for established "
			 "TCP connections will fail") < 0)
		return -1;
	/* criu inherits the tracer (strace -f, gdb): its own ptrace probe fails. */
	if (f->tracer > 0)
		return findings_add(
			out, "criuctl-traced", LEVEL_WARN,
			"Run criuctl without a tracer around it (strace -f, gdb); to "
			"watch criu, read its -v4 log ('criuctl log').",
			"criuctl is traced by pid %d: criu, started by it, is traced too, "
			"and criu's ptrace probe is refused (ptrace-not-permitted)",
			f->tracer);
	return 0;
}

static int check_store(const struct env_facts *f, struct findings *out)
{
	char free_s[32];

	if (!f->store_ok)
		return findings_add(out, "store", LEVEL_FAIL,
				    "Point --store (or [store] root) at a writable directory.",
				    "store %s is not usable: %s", f->store_root, f->store_error);
	snprintf(free_s, sizeof(free_s), "%.1f GiB", (double)f->store_free / (1 << 30));
	if (f->store_fallback)
		return findings_add(
			out, "store", LEVEL_WARN,
			"Point --store (or [store] root) at a disk if checkpoints must "
			"outlive the guest.",
			"store %s is in RAM (%s cannot be made: a read-only root?); its "
			"checkpoints are lost when the guest stops; %s free",
			f->store_root, STORE_DEFAULT_ROOT, free_s);
	if (f->store_made_in[0])
		return findings_add(
			out, "store", f->store_free < LOW_SPACE ? LEVEL_WARN : LEVEL_OK,
			f->store_free < LOW_SPACE ? "Free space, or use a larger --store." : NULL,
			"store %s is made by the first dump: %s is writable, %s free",
			f->store_root, f->store_made_in, free_s);
	return findings_add(out, "store", f->store_free < LOW_SPACE ? LEVEL_WARN : LEVEL_OK,
			    f->store_free < LOW_SPACE ? "Free space, or use a larger --store."
						      : NULL,
			    "store %s is writable, %s free", f->store_root, free_s);
}

const struct criu_feature criu_features[N_CRIU_FEATURES] = {
	{"network_lock_nftables",
	 "the nftables network lock, for TCP connections and trees with a network namespace of "
	 "their own"},
	{"fdinfo_lock", "--file-locks"},
	{"tcp_half_closed", "--tcp-established with half-closed connections"},
	{"link_nsid", "trees with a network namespace of their own and veth pairs"},
};

/* One finding per feature probe that ran: feature-NAME (with '-' for '_'),
 * ok or warn. */
static int check_features(const struct env_facts *f, struct findings *out)
{
	for (size_t i = 0; i < N_CRIU_FEATURES; i++) {
		const struct criu_feature *x = &criu_features[i];
		char id[64];
		int rc;

		if (f->feature[i] < 0)
			continue;
		snprintf(id, sizeof(id), "feature-%s", x->name);
		for (char *p = id; *p; p++)
			*p = *p == '_' ? '-' : *p; /* ids are lowercase-dash */
		rc = f->feature[i]
			     ? findings_add(out, id, LEVEL_OK, NULL,
					    "criu check --feature %s: supported (used by %s)",
					    x->name, x->used_by)
			     : findings_add(
				       out, id, LEVEL_WARN,
				       "A newer criu, or a kernel with what the feature needs.",
				       "criu check --feature %s: not supported here: %s will fail",
				       x->name, x->used_by);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int doctor_env(const struct env_facts *f, struct findings *out)
{
	if (!f->criu_found) {
		if (findings_add(out, "criu-missing", LEVEL_FAIL,
				 "Install criu 4.2 or newer, or point --criu at it.", "%s",
				 f->criu_error) < 0)
			return -1;
	} else if (findings_add(out, "criu", LEVEL_OK, NULL, "criu %s at %s", f->criu_version,
				f->criu_path) < 0 ||
		   check_versions(f, out) < 0 || check_criu_check(f, out) < 0) {
		return -1;
	}
	if (f->dirty_track == 0 &&
	    findings_add(out, "mem-dirty-track", LEVEL_WARN,
			 "Pre-dump needs CONFIG_MEM_SOFT_DIRTY; dump without --pre-dump.",
			 "the kernel has no dirty-memory tracking: iterative pre-dump is "
			 "impossible (criu pre-dump aborts)") < 0)
		return -1;
	if (check_features(f, out) < 0 || check_privileges(f, out) < 0)
		return -1;
	return check_store(f, out);
}
