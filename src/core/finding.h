/*
 * finding: one result of the doctor (criuctl check) or of dump's preflight:
 * a stable id, a level, a message, a remedy, and, for target findings, the
 * criu flag that deals with it (what --auto-flags adds), which the flag
 * table (flags.h) says.  Pure.
 */
#ifndef CRIUCTL_FINDING_H
#define CRIUCTL_FINDING_H

#include <stddef.h>

enum level { LEVEL_OK = 0, LEVEL_WARN, LEVEL_FAIL };

struct finding {
	char id[48];
	enum level level;
	char message[512];
	char remedy[512];
	char flag[32]; /* the key of the flag that deals with it ("tcp_established"), from the
			  flag table; "" when no flag helps */
};

struct findings {
	struct finding *v;
	size_t n, cap;
};

/* Add a finding; remedy may be NULL.  Returns 0, or -1 when out of memory. */
int findings_add(struct findings *f, const char *id, enum level level, const char *remedy,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The worst level present (LEVEL_OK when empty). */
enum level findings_worst(const struct findings *f);

/* The finding with this id, or NULL. */
const struct finding *findings_get(const struct findings *f, const char *id);

/* "ok", "warn", "fail". */
const char *level_name(enum level l);

void findings_free(struct findings *f);

#endif
