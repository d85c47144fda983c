/* progress: drawing the live line (see progress.h). */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "text.h"

enum progress_mode progress_mode_for(const char *setting, int json, int quiet)
{
	if (!setting || strcmp(setting, "auto") == 0)
		return !json && !quiet && isatty(STDERR_FILENO) ? PROGRESS_LINE : PROGRESS_NEVER;
	if (strcmp(setting, "always") == 0)
		return isatty(STDERR_FILENO) ? PROGRESS_LINE : PROGRESS_PLAIN;
	return PROGRESS_NEVER;
}

static void draw_line(struct progress *p, const struct sup_status *st)
{
	char done[32], want[32];
	uint64_t bytes = 0;

	if (p->images_fd >= 0 && (st->phase == PHASE_MEMORY || st->phase == PHASE_WRITING))
		bytes = fs_size_at(p->images_fd, ".");
	fprintf(stderr, "\r\033[K%s  %5.1f s  %s", p->action, st->elapsed, phase_name(st->phase));
	if (bytes) {
		text_human_size(done, sizeof(done), bytes);
		fprintf(stderr, "  %s", done);
		if (p->expected) {
			text_human_size(want, sizeof(want), p->expected);
			fprintf(stderr, " of ~%s", want);
		}
	}
	if (st->idle >= 2)
		fprintf(stderr, "  (no log line for %.0f s)", st->idle);
	fflush(stderr);
	p->drawn = 1;
}

void progress_tick(struct progress *p, const struct sup_status *st)
{
	if (p->mode == PROGRESS_LINE && st->elapsed - p->last_draw >= 0.2) {
		draw_line(p, st);
		p->last_draw = st->elapsed;
	} else if (p->mode == PROGRESS_PLAIN && st->phase != p->shown) {
		fprintf(stderr, "%s: %.1f s: %s\n", p->action, st->elapsed, phase_name(st->phase));
	}
	p->shown = st->phase;
}

void progress_end(struct progress *p, const struct sup_result *res)
{
	if (p->mode == PROGRESS_LINE && p->drawn)
		fputs("\r\033[K", stderr);
	/* A run shorter than a tick still says how it ended. */
	if (p->mode == PROGRESS_PLAIN && res && res->phase != p->shown)
		fprintf(stderr, "%s: %.1f s: %s\n", p->action, res->duration,
			phase_name(res->phase));
	p->drawn = 0;
	p->shown = res ? res->phase : p->shown;
}
