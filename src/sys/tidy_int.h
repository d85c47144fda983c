/*
 * tidy_int: what tidy.c (sockets in repair mode, iptables rules,
 * half-restored tasks) and tidy_nft.c (criu's nftables lock) share.  Not
 * for other files: tidy.h is the interface.
 */
#ifndef CRIUCTL_TIDY_INT_H
#define CRIUCTL_TIDY_INT_H

#include "strv.h"
#include "tidy.h"

/* The inet tables of run_id (any run's when run_id is NULL) in the
 * namespace of the nfnetlink socket sk, appended to names.  0 or -1. */
int tidy_nft_list(int sk, const char *run_id, struct strv *names);

/* Delete run_id's lock table in pid's network namespace (criuctl's own
 * when pid is 0); what was removed or failed goes into r. */
void tidy_nft_unlock(int pid, const char *run_id, struct tidy_result *r);

#endif
