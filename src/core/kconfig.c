/*
 * kconfig: the requirement table.  Levels follow what breaks: without
 * CHECKPOINT_RESTORE (kcmp, map_files, PR_SET_MM) or the *_DIAG socket
 * interfaces nothing can be dumped; without soft-dirty, userfaultfd or
 * nf_tables one feature (pre-dump, lazy restore, the nftables network lock)
 * is lost.
 */
#include "kconfig.h"

#include "text.h"

#include <stdio.h>
#include <string.h>

static const struct kconfig_need needs[] = {
	{"CONFIG_CHECKPOINT_RESTORE", LEVEL_FAIL,
	 "kcmp(), /proc/PID/map_files, prctl(PR_SET_MM), the ns_last_pid sysctl: dump and restore"},
	{"CONFIG_NAMESPACES", LEVEL_FAIL, "namespaces at all: containers are trees in namespaces"},
	{"CONFIG_PID_NS", LEVEL_FAIL, "pid namespaces: a container's init and its pids"},
	{"CONFIG_UTS_NS", LEVEL_WARN, "uts namespaces of containers"},
	{"CONFIG_IPC_NS", LEVEL_WARN, "ipc namespaces of containers"},
	{"CONFIG_NET_NS", LEVEL_WARN, "network namespaces of containers"},
	{"CONFIG_FHANDLE", LEVEL_FAIL, "open_by_handle_at(): inotify and fanotify watches"},
	{"CONFIG_EVENTFD", LEVEL_FAIL, "eventfd files"},
	{"CONFIG_EPOLL", LEVEL_FAIL, "epoll files"},
	{"CONFIG_INOTIFY_USER", LEVEL_FAIL, "inotify files"},
	{"CONFIG_FANOTIFY", LEVEL_WARN, "fanotify files"},
	{"CONFIG_MEMBARRIER", LEVEL_FAIL, "membarrier(): CRIU's kernel feature probe and restore"},
	{"CONFIG_PROC_PAGE_MONITOR", LEVEL_FAIL, "/proc/PID/pagemap and smaps: the memory dump"},
	{"CONFIG_UNIX_DIAG", LEVEL_FAIL, "sock_diag for unix sockets"},
	{"CONFIG_INET_DIAG", LEVEL_FAIL, "sock_diag for TCP and UDP sockets"},
	{"CONFIG_INET_UDP_DIAG", LEVEL_WARN, "sock_diag for UDP sockets"},
	{"CONFIG_PACKET_DIAG", LEVEL_WARN, "sock_diag for packet sockets"},
	{"CONFIG_NETLINK_DIAG", LEVEL_WARN, "sock_diag for netlink sockets"},
	{"CONFIG_TUN", LEVEL_WARN, "tun/tap devices of the tree"},
	{"CONFIG_NF_TABLES", LEVEL_WARN, "--network-lock nftables for established TCP connections"},
	{"CONFIG_USERFAULTFD", LEVEL_WARN, "lazy (post-copy) restore"},
	{"CONFIG_MEM_SOFT_DIRTY", LEVEL_WARN,
	 "dirty-memory tracking: pre-dump and incremental dumps"},
	{"CONFIG_TIME_NS", LEVEL_WARN, "time namespaces"},
	{"CONFIG_CGROUPS", LEVEL_WARN, "cgroup membership of the tree (--manage-cgroups)"},
};

#define N_NEEDS (sizeof(needs) / sizeof(needs[0]))

const struct kconfig_need *kconfig_need_at(size_t i)
{
	return i < N_NEEDS ? &needs[i] : NULL;
}

/* "OPTION=" at the start of a line. */
const char *kconfig_value(const char *text, size_t len, const char *option, char *val, size_t size)
{
	return text_value(text, len, option, '=', val, size);
}

int kconfig_check(const char *text, size_t len, const char *source, struct findings *out)
{
	static const char remedy[] = "Rebuild the guest kernel with the missing options.";
	size_t missing_fail = 0, missing_warn = 0;
	char val[64], id[64];

	for (size_t i = 0; i < N_NEEDS; i++) {
		const struct kconfig_need *k = &needs[i];
		const char *v = kconfig_value(text, len, k->option, val, sizeof(val));
		int on = v && (strcmp(v, "y") == 0 || strcmp(v, "m") == 0);

		snprintf(id, sizeof(id), "kconfig-%s", k->option + strlen("CONFIG_"));
		if (on && findings_add(out, id, LEVEL_OK, NULL, "%s=%s", k->option, v) < 0)
			return -1;
		if (!on && findings_add(out, id, k->missing,
					"Rebuild the guest kernel with this option "
					"(guest-image/kernel/criu.conf lists them all).",
					"%s is not set: %s", k->option, k->why) < 0)
			return -1;
		missing_fail += !on && k->missing == LEVEL_FAIL;
		missing_warn += !on && k->missing == LEVEL_WARN;
	}
	return findings_add(out, "kernel-config",
			    missing_fail   ? LEVEL_FAIL
			    : missing_warn ? LEVEL_WARN
					   : LEVEL_OK,
			    missing_fail || missing_warn ? remedy : NULL,
			    "%s: %zu required option%s missing, %zu optional missing", source,
			    missing_fail, missing_fail == 1 ? "" : "s", missing_warn);
}
