/*
 * criu_argv: turning a dump or restore request into criu's command line.
 *
 * Pure: no I/O.  The effective options (struct criu_opts) are what the user
 * asked for after config and command line were merged; they are recorded
 * in the manifest so that a restore repeats the flags the dump used.
 */
#ifndef CRIUCTL_CRIU_ARGV_H
#define CRIUCTL_CRIU_ARGV_H

#include "strv.h"

/* The size of a choice field (network_lock, manage_cgroups). */
#define CRIU_CHOICE_MAX 16

struct criu_opts {
	int leave_running;
	int tcp_established;
	int ext_unix_sk;
	int shell_job;
	int file_locks;
	int lazy_pages;			 /* restore: the tree runs before its memory is in */
	int page_server;		 /* dump: the pages go to criu page-server (migrate) */
	struct strv page_server_address; /* dump, page-server: --address (one value) */
	struct strv page_server_port;	 /* dump, page-server: --port (one value) */
	struct strv skip_mnt;
	struct strv external;
	char network_lock[CRIU_CHOICE_MAX];   /* "" = criu's default; iptables, nftables or skip */
	char manage_cgroups[CRIU_CHOICE_MAX]; /* "" = criu's default */
	struct strv criu_opt;		      /* raw arguments appended last */
	double timeout;			      /* whole-operation deadline, seconds; 0 = none */
	double stall_timeout;		      /* no-new-log-line deadline, seconds; 0 = none */
};

struct dump_req {
	const char *criu;	     /* criu binary */
	const char *action;	     /* "dump" (NULL means it too) or "pre-dump" */
	int track_mem;		     /* --track-mem: part of an iterative dump */
	const char *prev_images_dir; /* --prev-images-dir, relative to images_dir, or NULL */
	int pid;		     /* root of the tree */
	const char *images_dir;	     /* absolute */
	const char *work_dir;	     /* absolute; the log is written here */
	const char *log_name;	     /* relative to work_dir */
	const char *action_script;   /* criuctl-hook (--action-script), or NULL */
	const struct criu_opts *opts;
};

struct restore_req {
	const char *criu;
	const char *images_dir;
	const char *work_dir;
	const char *log_name;
	const char *pidfile;	   /* absolute; criu writes the restored root's pid */
	const char *root;	   /* --root, or NULL */
	int detach;		   /* 1: criu returns once the tree runs */
	const char *action_script; /* criuctl-hook (--action-script), or NULL */
	const struct criu_opts *opts;
};

/* Valid values of network_lock / manage_cgroups; 1 when s is one of them. */
int criu_network_lock_valid(const char *s);
int criu_manage_cgroups_valid(const char *s);

/*
 * Build criu's argv into out (which must be empty).  Returns 0, or -1 when
 * out of memory.  The caller frees out with strv_free().
 */
int criu_argv_dump(const struct dump_req *req, struct strv *out);
int criu_argv_restore(const struct restore_req *req, struct strv *out);

/* criu lazy-pages for req's images, its log log_name in req's work dir:
 * the daemon a restore with opts->lazy_pages connects to (lazy.h). */
int criu_argv_lazy_pages(const struct restore_req *req, const char *log_name, struct strv *out);

/* criu page-server writing into req's images dir, its log log_name in
 * req's work dir, listening where opts->page_server_address/port say
 * (receive; migrate's dump sends there). */
int criu_argv_page_server(const struct restore_req *req, const char *log_name, struct strv *out);

/* Deep copy / release of a struct criu_opts. */
int criu_opts_copy(struct criu_opts *dst, const struct criu_opts *src);
void criu_opts_free(struct criu_opts *o);

#endif
