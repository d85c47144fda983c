/*
 * tidy_nft: criu's nftables network lock, found and removed.  criu locks
 * the network with one table of its own, inet CRIU-<run id>; criuctl
 * lists and deletes it over nfnetlink in the tree's network namespace
 * (netns.h), so no nft binary is needed in the guest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "criu_log.h"
#include "netlock.h"
#include "netns.h"
#include "tidy_int.h"

struct nlbuf {
	char b[2048];
	size_t len;
};

static struct nlmsghdr *put_msg(struct nlbuf *nb, unsigned type, unsigned flags, unsigned seq,
				unsigned family, unsigned res_id)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(nb->b + nb->len);
	struct nfgenmsg *g = NLMSG_DATA(h);

	memset(h, 0, NLMSG_SPACE(sizeof(*g)));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*g));
	h->nlmsg_type = (unsigned short)type;
	h->nlmsg_flags = (unsigned short)flags;
	h->nlmsg_seq = seq;
	g->nfgen_family = (unsigned char)family;
	g->version = NFNETLINK_V0;
	g->res_id = htons((unsigned short)res_id);
	nb->len += NLMSG_ALIGN(h->nlmsg_len);
	return h;
}

static void put_name(struct nlbuf *nb, struct nlmsghdr *h, const char *name)
{
	struct nlattr *a = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
	size_t len = strlen(name) + 1;

	a->nla_type = NFTA_TABLE_NAME;
	a->nla_len = (unsigned short)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, name, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + NLA_ALIGN(a->nla_len);
	nb->len = (size_t)((char *)h - nb->b) + NLMSG_ALIGN(h->nlmsg_len);
}

/* The NFTA_TABLE_NAME of a NEWTABLE message, or NULL. */
static const char *table_name(const struct nlmsghdr *h)
{
	const struct nlattr *a = (const struct nlattr *)((const char *)NLMSG_DATA(h) +
							 NLMSG_ALIGN(sizeof(struct nfgenmsg)));
	int left = (int)h->nlmsg_len - (int)NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct nfgenmsg)));

	while (left >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && (int)a->nla_len <= left) {
		if ((a->nla_type & NLA_TYPE_MASK) == NFTA_TABLE_NAME &&
		    memchr((const char *)a + NLA_HDRLEN, '\0', a->nla_len - NLA_HDRLEN))
			return (const char *)a + NLA_HDRLEN;
		left -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

/* The inet tables of run_id (any run's when run_id is NULL) in the
 * socket's namespace, into names. */
int tidy_nft_list(int sk, const char *run_id, struct strv *names)
{
	static char buf[16384];
	struct nlbuf nb = {.len = 0};
	ssize_t n;

	put_msg(&nb, NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETTABLE, NLM_F_REQUEST | NLM_F_DUMP, 1,
		NFPROTO_INET, 0);
	if (send(sk, nb.b, nb.len, 0) < 0)
		return -1;
	while ((n = recv(sk, buf, sizeof(buf), 0)) > 0) {
		int left = (int)n;

		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			const char *name;

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
				return -1;
			}
			name = table_name(h);
			if (name &&
			    (run_id ? criu_lock_table_of(name, run_id)
				    : !strncmp(name, "CRIU-", 5)) &&
			    strv_push(names, name) < 0)
				return -1;
		}
	}
	return n < 0 ? -1 : 0;
}

/* Delete table inet name: one nfnetlink batch; 0 once the kernel acks. */
static int delete_table(int sk, const char *name)
{
	static char buf[4096];
	struct nlbuf nb = {.len = 0};
	struct nlmsghdr *del;
	ssize_t n;

	put_msg(&nb, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, 10, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
	del = put_msg(&nb, NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_DELTABLE, NLM_F_REQUEST | NLM_F_ACK,
		      11, NFPROTO_INET, 0);
	put_name(&nb, del, name);
	put_msg(&nb, NFNL_MSG_BATCH_END, NLM_F_REQUEST, 12, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
	if (send(sk, nb.b, nb.len, 0) < 0)
		return -1;
	while ((n = recv(sk, buf, sizeof(buf), 0)) > 0) {
		int left = (int)n;

		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left))
			if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_seq == 11) {
				errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
				return errno ? -1 : 0;
			}
	}
	return -1;
}

void tidy_nft_unlock(int pid, const char *run_id, struct tidy_result *r)
{
	struct strv names = {0};
	int sk = netns_socket(pid, AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);

	if (sk < 0 || tidy_nft_list(sk, run_id, &names) < 0) {
		if (errno != EPROTONOSUPPORT && errno != ENOENT)
			strv_pushf(&r->failed, "list the nftables tables of pid %d: %s", pid,
				   strerror(errno));
	}
	for (size_t i = 0; sk >= 0 && i < names.n; i++) {
		if (delete_table(sk, names.v[i]) == 0)
			strv_pushf(&r->unlocked, "inet %s", names.v[i]);
		else
			strv_pushf(&r->failed, "nft delete table inet %s (network of pid %d): %s",
				   names.v[i], pid, strerror(errno));
	}
	strv_free(&names);
	if (sk >= 0)
		close(sk);
}
