// SPDX-License-Identifier: GPL-2.0-only
/*
 * The RTOS core (inmates/rtos/core/), built from the same sources as the
 * inmate, on the host port: real context switches (ucontext), simulated
 * time. Each case creates its tasks, runs rtos_start() until everything
 * is done, and compares the log the tasks wrote with the one expected:
 * strict priorities, round-robin within one, delay_until without drift,
 * priority inheritance (and the inversion without it), queues and
 * semaphores full and empty with timeouts, mutex misuse, stack overflow.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rtos_host_port.h"

#define STACK_SIZE	(64 * 1024)

static int failures;
static char log_buf[1024];

static void note(const char *fmt, ...)
{
	size_t n = strlen(log_buf);
	va_list ap;

	if (n)
		log_buf[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(log_buf + n, sizeof(log_buf) - n, fmt, ap);
	va_end(ap);
}

static void expect_log(const char *name, const char *want)
{
	if (strcmp(log_buf, want)) {
		printf("FAIL %s:\n  got  '%s'\n  want '%s'\n", name, log_buf, want);
		failures++;
	} else {
		printf("ok   %s\n", name);
	}
}

static void check(const char *name, int ok)
{
	if (!ok) {
		printf("FAIL %s\n", name);
		failures++;
	}
}

static struct rtos_task tasks[6];
static uint64_t stacks[6][STACK_SIZE / 8] __attribute__((aligned(16)));

static void spawn(int i, const char *name, void (*fn)(void *), unsigned int prio)
{
	int err = rtos_task_create(&tasks[i], name, fn, (void *)name, prio, stacks[i], STACK_SIZE);

	check("task create", err == 0);
}

static void begin(void)
{
	rtos_host_reset();
	log_buf[0] = '\0';
}

/* ---- priorities and round-robin ----------------------------------------------- */

static void say_name(void *arg)
{
	note("%s", (const char *)arg);
}

static void test_priorities(void)
{
	begin();
	spawn(0, "low", say_name, 1);
	spawn(1, "high", say_name, 3);
	spawn(2, "mid", say_name, 2);
	rtos_start();
	expect_log("strict priority order", "high mid low");
}

/* Each does three rounds of work; a tick in the middle ends its slice. */
static void worker(void *arg)
{
	int i;

	for (i = 0; i < 3; i++) {
		note("%s%d", (const char *)arg, i);
		rtos_tick();
	}
}

static void test_round_robin(void)
{
	begin();
	spawn(0, "a", worker, 2);
	spawn(1, "b", worker, 2);
	spawn(2, "z", say_name, 1);	/* lower: only after both */
	rtos_start();
	expect_log("round-robin within a priority", "a0 b0 a1 b1 a2 b2 z");
}

/*
 * B gets its first slice at tick 1 and sleeps until 4; A works alone in
 * between (each slice ends with nobody to rotate with) and must still
 * give way when B comes back (a slice counter stuck at 0 starved B to 6).
 */
static void long_worker(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 6; i++) {
		note("A%d", i);
		rtos_tick();
	}
}

static void late_peer(void *arg)
{
	(void)arg;
	rtos_delay(3);
	note("B@%llu", (unsigned long long)rtos_ticks());
}

static void test_round_robin_late_peer(void)
{
	begin();
	spawn(0, "A", long_worker, 2);
	spawn(1, "B", late_peer, 2);
	rtos_start();
	expect_log("round-robin with a peer that arrives late", "A0 A1 A2 A3 B@4 A4 A5");
}

static void creates_higher(void *arg)
{
	(void)arg;
	note("before");
	spawn(1, "new", say_name, 3);
	note("after");
}

static void test_create_preempts(void)
{
	begin();
	spawn(0, "creator", creates_higher, 2);
	rtos_start();
	expect_log("a higher task created runs at once", "before new after");
}

/* ---- time --------------------------------------------------------------------- */

/* Period 10; its work takes 0, 3, 7, 1 ticks: wakes stay on 10, 20, ... */
static void periodic(void *arg)
{
	static const int work[] = { 0, 3, 7, 1, 9 };
	rtos_tick_t last = rtos_ticks();
	unsigned int i;
	int w;

	(void)arg;
	for (i = 0; i < sizeof(work) / sizeof(work[0]); i++) {
		rtos_delay_until(&last, 10);
		note("%llu", (unsigned long long)rtos_ticks());
		for (w = 0; w < work[i]; w++)
			rtos_tick();
	}
}

static void test_delay_until(void)
{
	begin();
	spawn(0, "periodic", periodic, 2);
	rtos_start();
	expect_log("delay_until keeps the phase", "10 20 30 40 50");
}

/* Overrun: work longer than the period returns at once, phase kept. */
static void overrunning(void *arg)
{
	rtos_tick_t last = 0;
	int w;

	(void)arg;
	rtos_delay_until(&last, 5);
	for (w = 0; w < 12; w++)
		rtos_tick();			/* now 17: 10 and 15 passed */
	rtos_delay_until(&last, 5);		/* 10: at once */
	note("%llu", (unsigned long long)rtos_ticks());
	rtos_delay_until(&last, 5);		/* 15: at once */
	rtos_delay_until(&last, 5);		/* 20 */
	note("%llu", (unsigned long long)rtos_ticks());
}

static void test_overrun(void)
{
	begin();
	spawn(0, "over", overrunning, 2);
	rtos_start();
	expect_log("an overrun period returns at once", "17 20");
}

static void sleeper(void *arg)
{
	rtos_delay(strcmp(arg, "s7") ? 3 : 7);
	note("%s@%llu", (const char *)arg, (unsigned long long)rtos_ticks());
}

static void test_delay(void)
{
	begin();
	spawn(0, "s7", sleeper, 2);
	spawn(1, "s3", sleeper, 1);
	rtos_start();
	expect_log("delays wake in time order", "s3@3 s7@7");
}

/* ---- priority inheritance ---------------------------------------------------- */

static struct rtos_mutex mtx;

static void pi_high(void *arg)
{
	(void)arg;
	rtos_delay(5);
	note("H-try");
	check("high locks", rtos_mutex_lock(&mtx, RTOS_FOREVER) == 0);
	note("H-got");
	rtos_mutex_unlock(&mtx);
}

static void pi_mid(void *arg)
{
	(void)arg;
	rtos_delay(5);
	note("M-run");
}

static void pi_low(void *arg)
{
	(void)arg;
	check("low locks", rtos_mutex_lock(&mtx, RTOS_FOREVER) == 0);
	note("L-locked");
	while (rtos_ticks() < 10)
		rtos_tick();			/* work; at 5, H and M wake */
	note("L-prio%u", rtos_task_prio(rtos_current()));
	rtos_mutex_unlock(&mtx);
	note("L-prio%u", rtos_task_prio(rtos_current()));
}

static void test_priority_inheritance(void)
{
	begin();
	rtos_mutex_init(&mtx);
	spawn(0, "H", pi_high, 3);
	spawn(1, "M", pi_mid, 2);
	spawn(2, "L", pi_low, 1);
	rtos_start();
	/* Without inheritance M would run before L lets go: "L-locked H-try M-run ...". */
	expect_log("priority inheritance", "L-locked H-try L-prio3 H-got M-run L-prio1");
}

/* A waiter that gives up takes its boost back. */
static void pi_impatient(void *arg)
{
	(void)arg;
	rtos_delay(2);
	check("impatient times out", rtos_mutex_lock(&mtx, 3) == -ETIMEDOUT);
	note("I-gave-up@%llu", (unsigned long long)rtos_ticks());
}

static void pi_holder(void *arg)
{
	(void)arg;
	rtos_mutex_lock(&mtx, RTOS_FOREVER);
	while (rtos_ticks() < 3)
		rtos_tick();
	note("holder-prio%u", rtos_task_prio(rtos_current()));
	while (rtos_ticks() < 8)
		rtos_tick();
	note("holder-prio%u", rtos_task_prio(rtos_current()));
	rtos_mutex_unlock(&mtx);
}

static void test_inheritance_timeout(void)
{
	begin();
	rtos_mutex_init(&mtx);
	spawn(0, "I", pi_impatient, 4);
	spawn(1, "holder", pi_holder, 1);
	rtos_start();
	expect_log("a timed-out waiter's boost goes", "holder-prio4 I-gave-up@5 holder-prio1");
}

static void mutex_misuse(void *arg)
{
	(void)arg;
	check("unlock unowned", rtos_mutex_unlock(&mtx) == -EPERM);
	check("lock", rtos_mutex_lock(&mtx, 0) == 0);
	check("lock twice", rtos_mutex_lock(&mtx, RTOS_FOREVER) == -EDEADLK);
	note("misuse-done");
}

static void mutex_try(void *arg)
{
	(void)arg;
	check("try a held mutex", rtos_mutex_lock(&mtx, 0) == -EAGAIN);
	check("unlock another's", rtos_mutex_unlock(&mtx) == -EPERM);
	note("try-done");
}

static void test_mutex_errors(void)
{
	begin();
	rtos_mutex_init(&mtx);
	spawn(0, "misuse", mutex_misuse, 2);
	spawn(1, "try", mutex_try, 1);
	rtos_start();
	expect_log("mutex misuse is refused", "misuse-done try-done");
}

/* ---- queues and semaphores ----------------------------------------------------- */

static struct rtos_queue queue;
static int qbuf[2];

static void q_producer(void *arg)
{
	int i;

	(void)arg;
	for (i = 1; i <= 2; i++)
		check("send", rtos_queue_send(&queue, &i, 0) == 0);
	check("send to a full queue, no wait", rtos_queue_send(&queue, &i, 0) == -EAGAIN);
	check("send to a full queue, timeout", rtos_queue_send(&queue, &i, 4) == -ETIMEDOUT);
	note("full@%llu", (unsigned long long)rtos_ticks());
	i = 3;
	check("send, waiting for room", rtos_queue_send(&queue, &i, RTOS_FOREVER) == 0);
	note("sent3@%llu", (unsigned long long)rtos_ticks());
}

static void q_consumer(void *arg)
{
	int v, i;

	(void)arg;
	rtos_delay(10);
	for (i = 0; i < 3; i++) {
		check("receive", rtos_queue_receive(&queue, &v, RTOS_FOREVER) == 0);
		note("got%d", v);
	}
	check("receive from empty, no wait", rtos_queue_receive(&queue, &v, 0) == -EAGAIN);
	check("receive from empty, timeout", rtos_queue_receive(&queue, &v, 6) == -ETIMEDOUT);
	note("empty@%llu", (unsigned long long)rtos_ticks());
}

static void test_queue(void)
{
	begin();
	rtos_queue_init(&queue, qbuf, sizeof(int), 2);
	spawn(0, "producer", q_producer, 2);
	spawn(1, "consumer", q_consumer, 3);
	rtos_start();
	/*
	 * At 10 the consumer (higher) takes 1 and 2, blocks on the empty
	 * queue; the producer's 3 wakes it at once, before "sent3".
	 */
	expect_log("queue full and empty with timeouts",
		   "full@4 got1 got2 got3 sent3@10 empty@16");
}

static struct rtos_sem sem;

static void sem_waiter(void *arg)
{
	check("take", rtos_sem_take(&sem, RTOS_FOREVER) == 0);
	note("%s", (const char *)arg);
}

static void sem_giver(void *arg)
{
	(void)arg;
	rtos_delay(1);			/* both waiters queue up */
	rtos_sem_give(&sem);
	rtos_sem_give(&sem);
	check("give past max", rtos_sem_give(&sem) == 0 && rtos_sem_give(&sem) == 0 &&
	      rtos_sem_give(&sem) == -EOVERFLOW);
	check("take with timeout 0", rtos_sem_take(&sem, 0) == 0);
	note("giver");
}

static void test_semaphore(void)
{
	begin();
	rtos_sem_init(&sem, 0, 2);
	spawn(0, "w-low", sem_waiter, 2);
	spawn(1, "w-high", sem_waiter, 4);
	spawn(2, "giver", sem_giver, 1);
	rtos_start();
	expect_log("semaphore wakes by priority", "w-high w-low giver");
}

/* ---- software timers ---------------------------------------------------------- */

static struct rtos_timer timers[3];
static struct rtos_sem timer_sem;

static void timer_note(struct rtos_timer *t, void *arg)
{
	(void)arg;
	note("%s@%llu", t->name, (unsigned long long)rtos_ticks());
	if (t == &timers[0] && t->fired == 3)
		rtos_timer_stop(t);		/* from its own callback */
	if (t == &timers[2])
		rtos_sem_give(&timer_sem);	/* a task woken from the tick */
}

static void timer_user(void *arg)
{
	(void)arg;
	check("timer: bad delay refused", rtos_timer_start(&timers[1], 0, 0) == -EINVAL);
	check("timer: start", rtos_timer_start(&timers[0], 4, 5) == 0 &&
	      rtos_timer_start(&timers[1], 7, 0) == 0 &&
	      rtos_timer_start(&timers[2], 12, 0) == 0);
	check("timer: armed", rtos_timer_armed(&timers[1]));
	rtos_sem_take(&timer_sem, RTOS_FOREVER);
	note("task@%llu", (unsigned long long)rtos_ticks());
	check("timer: one-shot disarmed", !rtos_timer_armed(&timers[1]));
}

/* Every period fires, missed ones too; a callback's give runs after the tick. */
static void test_timers(void)
{
	begin();
	rtos_sem_init(&timer_sem, 0, 1);
	rtos_timer_init(&timers[0], "p5", timer_note, 0);
	rtos_timer_init(&timers[1], "o7", timer_note, 0);
	rtos_timer_init(&timers[2], "o12", timer_note, 0);
	spawn(0, "user", timer_user, 2);
	rtos_start();
	expect_log("software timers: periodic, one-shot, stopped from a callback",
		   "p5@4 o7@7 p5@9 o12@12 task@12 p5@14");
}

static void jumper(void *arg)
{
	(void)arg;
	check("timer: start", rtos_timer_start(&timers[0], 2, 3) == 0);
	rtos_tick_advance(10);			/* 10: expiries 2, 5, 8 missed */
	rtos_timer_stop(&timers[0]);
	note("now %llu", (unsigned long long)rtos_ticks());
}

static void test_timer_jump(void)
{
	begin();
	rtos_timer_init(&timers[0], "p3", timer_note, 0);
	spawn(0, "jumper", jumper, 2);
	rtos_start();
	expect_log("a timer fires once for each period a jump skipped",
		   "p3@10 p3@10 p3@10 now 10");
}

/* Tickless: the same periodic task, the same wakes, far fewer idle turns. */
static void test_tickless(void)
{
	begin();
	rtos_host_tickless = 1;
	spawn(0, "periodic", periodic, 2);
	rtos_start();
	expect_log("tickless idle keeps delay_until's phase", "10 20 30 40 50");
	check("tickless idle sleeps once per wait", rtos_host_idle_sleeps <= 6);
	printf("     tickless: %u idle sleeps for 50 ticks\n", rtos_host_idle_sleeps);
}

/* ---- stack overflow --------------------------------------------------------------- */

static void overflower(void *arg)
{
	(void)arg;
	tasks[0].stack_low[1] = 0;	/* what a too-deep call chain would do */
	rtos_delay(1);
	note("not reached");
}

static void test_stack_overflow(void)
{
	begin();
	spawn(0, "deep", overflower, 2);
	rtos_start();
	check("stack overflow detected", rtos_host_fatal && !strcmp(rtos_host_fatal, "stack overflow") &&
	      rtos_host_fatal_task == &tasks[0]);
	expect_log("the overflowing task stops", "");
}

static void test_bad_create(void)
{
	begin();
	check("prio 0 refused", rtos_task_create(&tasks[0], "x", say_name, 0, 0, stacks[0],
						   STACK_SIZE) == -EINVAL);
	check("prio 32 refused", rtos_task_create(&tasks[0], "x", say_name, 0, 32, stacks[0],
						    STACK_SIZE) == -EINVAL);
	check("small stack refused", rtos_task_create(&tasks[0], "x", say_name, 0, 1, stacks[0],
							512) == -EINVAL);
	check("unaligned stack refused", rtos_task_create(&tasks[0], "x", say_name, 0, 1,
							    (char *)stacks[0] + 8, 4096) == -EINVAL);
	printf("ok   bad task parameters\n");
}

int main(void)
{
	test_priorities();
	test_round_robin();
	test_round_robin_late_peer();
	test_create_preempts();
	test_delay();
	test_delay_until();
	test_overrun();
	test_priority_inheritance();
	test_inheritance_timeout();
	test_mutex_errors();
	test_queue();
	test_semaphore();
	test_timers();
	test_timer_jump();
	test_tickless();
	test_stack_overflow();
	test_bad_create();
	if (failures) {
		printf("%d check(s) failed\n", failures);
		return 1;
	}
	printf("all RTOS core checks passed\n");
	return 0;
}
