/*
 * supervisor_stop: when and how the supervisor stops criu.  The deadline
 * timer, the 100 ms tick's stall check and criuctl's own signals
 * (interrupt.h) only feed the escalation machine (escalate.h); what it
 * decides is carried out in one place, sup_act(): a snapshot from /proc
 * before any signal, SIGSTOP (until criu is really stopped), SIGTERM, the
 * grace timer, SIGKILL, criu's process group, the answer to criu's hook.
 */
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "interrupt.h"
#include "proc.h"
#include "supervisor_int.h"

static double pending_idle(const struct sup_spec *spec)
{
	return spec->pending_idle > 0 ? spec->pending_idle : PENDING_IDLE;
}

static void kill_child(struct sup *s, int sig)
{
	if (s->exited)
		return;
	/* With a session of its own, criu's helpers share its process group:
	 * they are stopped, continued and killed with it. */
	if (s->spec->new_session && (sig == SIGKILL || sig == SIGSTOP || sig == SIGCONT))
		uv_kill(-s->proc.pid, sig);
	uv_process_kill(&s->proc, sig);
}

static void on_grace(uv_timer_t *t);

/* After SIGSTOP: until criu is really stopped (a task in D state stops only
 * when it leaves it), at most 200 ms; the loop waits meanwhile. */
static void wait_stopped(int pid)
{
	struct proc_stat st;
	const struct timespec ms = {0, 1000000};

	for (int i = 0; i < 200; i++) {
		if (proc_stat(pid, &st) < 0 || st.state == 'T' || st.state == 't' ||
		    st.state == 'Z')
			return;
		nanosleep(&ms, NULL);
	}
}

/* Carry out what the escalation machine decided. */
void sup_act(struct sup *s, unsigned actions)
{
	if (actions & ESC_ACT_DISARM) {
		uv_timer_stop(&s->deadline);
		if (!s->exited)
			s->res->idle_at_stop = sup_since(s->last_line_at);
	}
	if (actions & ESC_ACT_SNAPSHOT) {
		struct sup_status st;

		sup_follow_log(s);
		sup_fill_status(s, &st);
		if (s->spec->on_snapshot)
			s->spec->on_snapshot(s->spec->arg, &st);
	}
	if (actions & ESC_ACT_FREEZE && !s->exited) {
		kill_child(s, SIGSTOP);
		wait_stopped(s->proc.pid);
		if (s->spec->on_freeze)
			s->spec->on_freeze(s->spec->arg);
	}
	if (actions & ESC_ACT_TERM) {
		kill_child(s, SIGTERM);
		kill_child(s, SIGCONT); /* a stopped criu cannot act on SIGTERM */
	}
	if (actions & ESC_ACT_ARM_GRACE)
		uv_timer_start(&s->grace, on_grace,
			       sup_ms(s->spec->grace > 0 ? s->spec->grace : ESC_DEFAULT_GRACE), 0);
	if (actions & ESC_ACT_KILL)
		kill_child(s, SIGKILL);
	/* criu has exited: its pid still names the group while members live. */
	if (actions & ESC_ACT_REAP && s->spec->new_session)
		uv_kill(-s->res->pid, SIGKILL);
	if (actions & ESC_ACT_WORK)
		sup_start_work(s);
	if (actions & ESC_ACT_ALLOW)
		sup_answer_hook(s, "ok\n");
	if (actions & ESC_ACT_REFUSE)
		sup_answer_hook(
			s, s->res->esc.reason == ESC_BY_WORK ? "no criuctl could not commit\n"
			   : s->res->esc.reason != ESC_NONE  ? "no criuctl is stopping the run\n"
							     : "no criuctl is busy\n");
}

static void on_grace(uv_timer_t *t)
{
	struct sup *s = t->data;

	sup_act(s, esc_step(&s->res->esc, ESC_GRACE_OVER, 0));
}

void sup_on_deadline(uv_timer_t *t)
{
	struct sup *s = t->data;

	sup_act(s, esc_step(&s->res->esc, ESC_DEADLINE, 0));
}

/* One byte per signal criuctl received (interrupt.h): each is an event, so
 * that a second Ctrl-C insists. */
void sup_take_signals(struct sup *s)
{
	unsigned char buf[16];
	ssize_t n;

	while (intr_fd() >= 0 && (n = read(intr_fd(), buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			/* Before the child runs, or once it has ended, a signal
			 * ends the companion: there is nothing to stop softly. */
			if (!s->child_spawned || s->exited)
				sup_comp_stop(s, SUP_COMP_SIGNAL, buf[i]);
			if (s->child_spawned)
				sup_act(s, esc_step(&s->res->esc, ESC_SIGNAL, buf[i]));
		}
}

void sup_on_interrupt(uv_poll_t *h, int status, int events)
{
	(void)status;
	(void)events;
	sup_take_signals(h->data);
}

void sup_on_tick(uv_timer_t *t)
{
	struct sup *s = t->data;
	struct sup_status st;

	if (s->spec->companion)
		sup_comp_tick(s);
	if (!s->child_spawned)
		return;
	if (sup_follow_log(s))
		s->last_line_at = uv_hrtime();
	if (s->exited)
		return;
	/* Not while criu waits for criuctl's answer (deciding): that is
	 * criuctl's time, bounded by the deadline. */
	if ((s->res->esc.state == ESC_PENDING &&
	     sup_since(s->last_line_at) >= pending_idle(s->spec)) ||
	    (s->spec->stall_timeout > 0 &&
	     (s->res->esc.state == ESC_RUNNING || s->res->esc.state == ESC_COMMITTED) &&
	     sup_since(s->last_line_at) >= s->spec->stall_timeout))
		sup_act(s, esc_step(&s->res->esc, ESC_STALL, 0));
	if (s->spec->on_tick) {
		sup_fill_status(s, &st);
		s->spec->on_tick(s->spec->arg, &st);
	}
}
