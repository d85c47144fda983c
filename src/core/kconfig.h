/*
 * kconfig: the kernel options CRIU needs, and checking a kernel config text
 * (a full .config, /proc/config.gz decompressed, or a fragment) against
 * them.  Pure.  The same list, with the reason for each option, ships as
 * guest-image/kernel/criu.conf (a Kata-style config fragment).
 */
#ifndef CRIUCTL_KCONFIG_H
#define CRIUCTL_KCONFIG_H

#include <stddef.h>

#include "finding.h"

struct kconfig_need {
	const char *option; /* "CONFIG_CHECKPOINT_RESTORE" */
	enum level missing; /* LEVEL_FAIL: CRIU cannot work; LEVEL_WARN: a feature is lost */
	const char *why;
};

/* The i-th requirement, NULL past the end. */
const struct kconfig_need *kconfig_need_at(size_t i);

/* The value of option in config text: "y", "m", a string, or NULL when
 * unset ("# ... is not set") or absent.  Writes into val (size bytes). */
const char *kconfig_value(const char *text, size_t len, const char *option, char *val, size_t size);

/*
 * Add one finding per requirement ("kconfig-CHECKPOINT_RESTORE", ok when
 * =y or =m, else its missing level) and a summary finding "kernel-config"
 * naming source.  Returns 0, or -1 when out of memory.
 */
int kconfig_check(const char *text, size_t len, const char *source, struct findings *out);

#endif
