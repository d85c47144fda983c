/*
 * doctor: the rules of `criuctl check` and of dump's preflight, from facts
 * gathered elsewhere (inspect.c reads /proc, runs criu check).  Pure: each
 * rule turns facts into findings with a level, a remedy and, for target
 * findings, the criu flag that deals with them.
 */
#ifndef CRIUCTL_DOCTOR_H
#define CRIUCTL_DOCTOR_H

#include <stddef.h>

#include "finding.h"
#include "mountinfo.h"
#include "strv.h"

/* ---- the environment ---- */

/* The `criu check --feature` probes that criuctl's flags need. */
enum { N_CRIU_FEATURES = 4 };
struct criu_feature {
	const char *name;    /* as criu check --feature takes it */
	const char *used_by; /* what needs it, in words */
};
extern const struct criu_feature criu_features[N_CRIU_FEATURES];

struct env_facts {
	int criu_found;
	char criu_path[4096];
	char criu_version[64]; /* "4.2.1", "" when unknown */
	char criu_error[512];  /* why criu is missing or broken */
	char kernel[128];      /* uname release, "6.18.44-..." */
	int criu_check_ran;
	int criu_check_status;	    /* exit status of "criu check" */
	const char *criu_check_out; /* its output and log */
	size_t criu_check_len;
	int dirty_track;	      /* criu check --feature mem_dirty_track: 1, 0, -1 unknown */
	int feature[N_CRIU_FEATURES]; /* criu_features[i]: 1 supported, 0 not, -1 unknown */
	int is_root;
	unsigned long long cap_eff; /* CapEff of criuctl */
	int tracer;		    /* TracerPid of criuctl: 0 when not traced */
	int store_ok;
	char store_root[4096];
	char store_made_in[4096]; /* "": the store exists; else where it would be made */
	int store_fallback;	  /* the built-in store is in RAM (config.h) */
	char store_error[512];
	unsigned long long store_free; /* bytes */
};

/* Parse "4.2.1" / "6.18.44-fc" into a comparable number (major*1e6 +
 * minor*1e3 + patch); 0 when unparsable (no digit first, or a part of
 * more than three digits). */
long version_number(const char *v);

/* Environment findings (kernel config findings come from kconfig_check()). */
int doctor_env(const struct env_facts *f, struct findings *out);

/* ---- the target tree ---- */

struct target_task {
	int pid, ppid;
	char comm[32];
	char state;
	char wchan[64];
	int tracer; /* TracerPid */
	int tty_nr;
	long sid_inner; /* innermost NSsid: 0 = the session leader is outside the pid ns */
	int sid;
	char sid_comm[32]; /* the comm of the session leader (sid), "" when unknown */
	size_t tcp_established;
	size_t unix_ext_peer; /* unix sockets whose peer is outside the tree */
	size_t locks;
};

struct target_facts {
	int root;
	const struct target_task *tasks; /* the root first */
	size_t n;
	int sid_in_tree;       /* the root's session leader is a task of the tree */
	int mntns_differs;     /* the tree has a mount namespace of its own */
	struct ext_mount *ext; /* its mounts that come from outside (bind mounts) */
	size_t n_ext;
	char root_source[1024]; /* its root in criuctl's namespace; "" when unknown */
	int pidns_differs;
	int netns_differs;	  /* criu then locks the network: iptables or nftables */
	struct strv pidns_others; /* "PID COMM" in the tree's pid ns but not in the tree */
	/* What a criu that did not finish left (tidy.h): "pid 42 fd 5" sockets
	 * in TCP repair mode; "inet CRIU-..." lock tables in the network
	 * namespace of a tree that has its own (in a shared one a table may be
	 * the lock kept for an unrestored checkpoint). */
	struct strv repair_left;
	struct strv locks_left;
	unsigned long long rss; /* bytes */
	unsigned long long store_free;
	int store_free_known;
};

/* Target findings.  Returns 0, or -1 when out of memory. */
int doctor_target(const struct target_facts *f, struct findings *out);

#endif
