/*
 * flags: the table (see flags.h).  Its order is the order of criu's
 * arguments and of --help.
 */
#include "flags.h"

#include <stdio.h>
#include <string.h>

#define F(field) offsetof(struct criu_opts, field)

static const char *const network_locks[] = {"iptables", "nftables", "skip", NULL};
static const char *const cgroup_modes[] = {"none",   "props",  "soft", "full",
					   "strict", "ignore", NULL};

#define FINDINGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct criu_flag table[] = {
	/* criu reads /etc/criu/default.conf (and ~/.criu/default.conf) unless
	 * told not to: a host's file must never change what criuctl runs. */
	{"--no-default-config", NULL, 0, NULL, FLAG_ALWAYS, 0,
	 FOR_DUMP | FOR_PRE_DUMP | FOR_RESTORE, NULL, NULL, NULL,
	 "criu ignores /etc/criu/default.conf (always given)"},
	/* A pre-dump always leaves the tree running; criu refuses the flag. */
	{"--leave-running", "leave-running", 'R', "leave_running", FLAG_BOOL, F(leave_running),
	 FOR_DUMP | CONF_DUMP, NULL, NULL, NULL, "keep the tree running after the dump"},
	/* Only on dump: criu 4.2 warns that restore ignores it. */
	{"--network-lock", "network-lock", 0, "network_lock", FLAG_CHOICE, F(network_lock),
	 FOR_DUMP | FOR_PRE_DUMP | CONF_DUMP, NULL, network_locks, "M",
	 "iptables, nftables or skip"},
	{"--tcp-established", "tcp-established", 0, "tcp_established", FLAG_BOOL,
	 F(tcp_established), FOR_DUMP | FOR_PRE_DUMP | FOR_RESTORE | CONF_DUMP | REPLAY,
	 FINDINGS("tcp-established"), NULL, NULL, "dump established TCP connections"},
	{"--ext-unix-sk", "ext-unix-sk", 0, "ext_unix_sk", FLAG_BOOL, F(ext_unix_sk),
	 FOR_DUMP | FOR_PRE_DUMP | FOR_RESTORE | CONF_DUMP | REPLAY, FINDINGS("ext-unix-sk"), NULL,
	 NULL, "allow unix sockets with a peer outside the tree"},
	{"--shell-job", "shell-job", 'j', "shell_job", FLAG_BOOL, F(shell_job),
	 FOR_DUMP | FOR_PRE_DUMP | FOR_RESTORE | CONF_DUMP | REPLAY,
	 FINDINGS("controlling-tty", "shell-job-needed"), NULL, NULL,
	 "the tree uses the caller's terminal/session"},
	{"--file-locks", "file-locks", 'l', "file_locks", FLAG_BOOL, F(file_locks),
	 FOR_DUMP | FOR_PRE_DUMP | FOR_RESTORE | CONF_DUMP | REPLAY, FINDINGS("file-locks"), NULL,
	 NULL, "dump file locks"},
	{"--manage-cgroups", "manage-cgroups", 0, "manage_cgroups", FLAG_CHOICE, F(manage_cgroups),
	 FOR_DUMP | FOR_PRE_DUMP | FOR_RESTORE | CONF_DUMP | REPLAY, NULL, cgroup_modes, "M",
	 "criu's cgroup mode"},
	/* The preflight names mounts from outside (auto flags): restore maps
	 * them back from the manifest, not by repeating the dump's. */
	{"--external", "external", 0, "external", FLAG_LIST, F(external),
	 FOR_DUMP | FOR_PRE_DUMP | FOR_RESTORE | CONF_DUMP | CONF_RESTORE,
	 FINDINGS("external-mount"), NULL, "SPEC",
	 "declare or map an external resource (repeatable)"},
	{"--skip-mnt", "skip-mnt", 0, "skip_mnt", FLAG_LIST, F(skip_mnt),
	 FOR_DUMP | FOR_PRE_DUMP | CONF_DUMP, NULL, NULL, "PATH",
	 "do not dump this mount (repeatable)"},
	/* criuctl runs criu lazy-pages beside the restore (lazy.h). */
	{"--lazy-pages", "lazy", 0, "lazy", FLAG_BOOL, F(lazy_pages), FOR_RESTORE | CONF_RESTORE,
	 NULL, NULL, NULL, "run the tree before its memory is in (post-copy, userfaultfd)"},
	/* migrate sets these three for its dump, receive the last two for
	 * criu page-server: no option, no configuration key of their own. */
	{"--page-server", NULL, 0, "page_server", FLAG_BOOL, F(page_server), FOR_DUMP, NULL, NULL,
	 NULL, "send the memory to criu page-server (migrate)"},
	{"--address", NULL, 0, "page_server_address", FLAG_LIST, F(page_server_address),
	 FOR_DUMP | FOR_PAGE_SERVER, NULL, NULL, "ADDR", "the page server's address (migrate)"},
	{"--port", NULL, 0, "page_server_port", FLAG_LIST, F(page_server_port),
	 FOR_DUMP | FOR_PAGE_SERVER, NULL, NULL, "PORT", "the page server's port (migrate)"},
	{NULL, "timeout", 0, "timeout", FLAG_DURATION, F(timeout), CONF_DUMP | CONF_RESTORE, NULL,
	 NULL, "SEC", "deadline for the whole criu run (0: none)"},
	{NULL, "stall-timeout", 0, "stall_timeout", FLAG_DURATION, F(stall_timeout),
	 CONF_DUMP | CONF_RESTORE, NULL, NULL, "SEC",
	 "deadline for criu writing no new log line (0: none)"},
	{"", "criu-opt", 0, "criu_opt", FLAG_RAW, F(criu_opt),
	 FOR_DUMP | FOR_PRE_DUMP | FOR_RESTORE | CONF_DUMP | CONF_RESTORE, NULL, NULL, "ARG",
	 "raw argument for criu, after all others (repeatable)"},
};

#define N_FLAGS (sizeof(table) / sizeof(table[0]))

const struct criu_flag *flag_at(size_t i)
{
	return i < N_FLAGS ? &table[i] : NULL;
}

static const struct criu_flag *find(size_t field, const char *want)
{
	for (size_t i = 0; want && i < N_FLAGS; i++) {
		const char *have = *(const char *const *)((const char *)&table[i] + field);

		if (have && strcmp(have, want) == 0)
			return &table[i];
	}
	return NULL;
}

const struct criu_flag *flag_by_key(const char *key)
{
	return find(offsetof(struct criu_flag, key), key);
}

const struct criu_flag *flag_by_option(const char *option)
{
	return find(offsetof(struct criu_flag, option), option);
}

const struct criu_flag *flag_by_finding(const char *finding)
{
	for (size_t i = 0; finding && i < N_FLAGS; i++)
		for (const char *const *f = table[i].findings; f && *f; f++)
			if (strcmp(*f, finding) == 0)
				return &table[i];
	return NULL;
}

int flag_choice_valid(const struct criu_flag *f, const char *value)
{
	for (const char *const *c = f->choices; c && *c; c++)
		if (strcmp(*c, value) == 0)
			return 1;
	return 0;
}

void *flag_field(struct criu_opts *o, const struct criu_flag *f)
{
	return (char *)o + f->off;
}

const void *flag_field_const(const struct criu_opts *o, const struct criu_flag *f)
{
	return (const char *)o + f->off;
}

static int push_flag(const struct criu_opts *o, const struct criu_flag *f, struct strv *out)
{
	const void *v = flag_field_const(o, f);
	const struct strv *sv = v;

	switch (f->kind) {
	case FLAG_ALWAYS: return strv_push(out, f->criu);
	case FLAG_BOOL: return *(const int *)v ? strv_push(out, f->criu) : 0;
	case FLAG_CHOICE:
		return *(const char *)v ? strv_pushf(out, "%s=%s", f->criu, (const char *)v) : 0;
	case FLAG_LIST:
		for (size_t i = 0; i < sv->n; i++)
			if (strv_push(out, f->criu) || strv_push(out, sv->v[i]))
				return -1;
		return 0;
	case FLAG_DURATION:
	case FLAG_RAW: break;
	}
	return 0;
}

int flags_argv(const struct criu_opts *o, unsigned run, struct strv *out)
{
	for (size_t i = 0; i < N_FLAGS; i++)
		if ((table[i].where & run) && table[i].kind != FLAG_RAW &&
		    push_flag(o, &table[i], out) < 0)
			return -1;
	/* Raw arguments last, so that they can override what criuctl chose. */
	for (size_t i = 0; i < N_FLAGS; i++)
		if ((table[i].where & run) && table[i].kind == FLAG_RAW &&
		    strv_extend(out, flag_field_const(o, &table[i])) < 0)
			return -1;
	return 0;
}

int flags_always(struct strv *out)
{
	for (size_t i = 0; i < N_FLAGS; i++)
		if (table[i].kind == FLAG_ALWAYS && strv_push(out, table[i].criu) < 0)
			return -1;
	return 0;
}

int flags_replay(struct criu_opts *o, const struct criu_opts *dumped)
{
	for (size_t i = 0; i < N_FLAGS; i++) {
		const struct criu_flag *f = &table[i];
		void *dst = flag_field(o, f);
		const void *src = flag_field_const(dumped, f);

		if (!(f->where & REPLAY))
			continue;
		if (f->kind == FLAG_BOOL)
			*(int *)dst = *(const int *)src;
		else if (f->kind == FLAG_CHOICE)
			snprintf(dst, CRIU_CHOICE_MAX, "%s", (const char *)src);
		else if (f->kind == FLAG_LIST &&
			 (strv_free(dst), strv_extend(dst, (const struct strv *)src) < 0))
			return -1;
	}
	return 0;
}
