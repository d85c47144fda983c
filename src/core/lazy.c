/* lazy: the lazy-pages daemon's log, line by line (lazy.h). */
#include "lazy.h"

#include <string.h>

#include "err.h"

/* The text after needle in line[0..len), or NULL. */
static const char *after(const char *line, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(line + i, needle, n) == 0)
			return line + i + n;
	return NULL;
}

/* A decimal number at p (before end); 0 when none. */
static uint64_t number(const char *p, const char *end)
{
	uint64_t v = 0;

	for (; p < end && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	return v;
}

int lazy_take_line(struct lazy_progress *p, const char *line, size_t len)
{
	const char *end = line + len, *v;

	if (after(line, len, "uffd: Waiting for incoming connections")) {
		p->listening = 1;
		return 1;
	}
	if ((v = after(line, len, "uffd_copy: 0x"))) {
		const char *slash = memchr(v, '/', (size_t)(end - v));

		if (!slash)
			return 0;
		p->pages_copied += (number(slash + 1, end) + LAZY_PAGE - 1) / LAZY_PAGE;
		return 1;
	}
	if ((v = after(line, len, "Found ")) && after(line, len, " pages to be handled by UFFD")) {
		p->tasks++;
		p->pages_total += number(v, end);
		return 1;
	}
	if (after(line, len, "UFFD transferred pages: (")) {
		p->tasks_done++;
		return 1;
	}
	return 0;
}

int lazy_complete(const struct lazy_progress *p)
{
	return p->tasks > 0 && p->tasks_done >= p->tasks;
}

void lazy_judge(const struct lazy_end *e, struct lazy_judgement *j)
{
	*j = (struct lazy_judgement){.kill_tree = 1};
	switch (e->stopped) {
	case LAZY_STOP_SIGNAL:
		j->kind = V_INTERRUPTED;
		j->exit_code = 128 + e->signal;
		return;
	case LAZY_STOP_STALL:
		j->kind = V_STALLED;
		j->exit_code = CC_EXIT_TIMEOUT;
		return;
	case LAZY_STOP_DEADLINE:
		j->kind = V_TIMEOUT;
		j->exit_code = CC_EXIT_TIMEOUT;
		return;
	case LAZY_STOP_NONE: break;
	}
	/* Every page in: what the daemon did afterwards cannot hurt the tree. */
	if (e->complete) {
		*j = (struct lazy_judgement){.ok = 1, .kind = V_COUNT};
		return;
	}
	j->kind = V_LAZY_PAGES_LOST;
	j->exit_code = verdict_row(V_LAZY_PAGES_LOST)->exit_code;
}
