// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rate-limited violation reports (hypervisor/core/report.c). printk is
 * faked here and keeps every line, so each check can say exactly which
 * count lines appeared. What is expected comes from report.h: the first
 * report of a kind and key is due, identical repeats are not and are
 * counted, a count line appears at the 2nd, 4th, 8th, ... repeat, and a
 * different report first prints the final count unless the last count
 * line already said it.
 *
 * report.c is included as source, so this test builds with the
 * Makefile's generic rule for tests/unit/test_*.c plus the hypervisor
 * include paths the Makefile adds for it.
 */
#include "../../hypervisor/core/report.c"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

/* ---- printk: every line kept ---------------------------------------------- */

#define MAX_LINES	64

static char lines[MAX_LINES][160];
static unsigned int num_lines;

void printk(const char *fmt, ...)
{
	va_list ap;

	if (num_lines == MAX_LINES) {
		CHECK(0, "more than %d lines printed", MAX_LINES);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(lines[num_lines++], sizeof(lines[0]), fmt, ap);
	va_end(ap);
}

static void lines_clear(void)
{
	num_lines = 0;
}

/* The count line report.h describes, as it must read. */
static const char *count_line(unsigned int cpu, const char *what,
			      uint64_t key, uint64_t n)
{
	static char buf[160];

	snprintf(buf, sizeof(buf), "CPU %u: the last report (%s 0x%llx) repeated %llu times\n",
		 cpu, what, (unsigned long long)key, (unsigned long long)n);
	return buf;
}

/* Exactly one line since the last lines_clear(), and it is @want. */
static void check_one_line_at(int line, const char *what, const char *want)
{
	CHECK(num_lines == 1 && !strcmp(lines[0], want),
	      "line %d: %s: %u line(s), first \"%s\", want \"%s\"", line, what,
	      num_lines, num_lines ? lines[0] : "", want);
	lines_clear();
}
#define check_one_line(...) check_one_line_at(__LINE__, __VA_ARGS__)

static void check_no_line_at(int line, const char *what)
{
	CHECK(num_lines == 0, "line %d: %s: %u line(s), first \"%s\"", line,
	      what, num_lines, num_lines ? lines[0] : "");
	lines_clear();
}
#define check_no_line(...) check_no_line_at(__LINE__, __VA_ARGS__)

/* Kinds, as the callers pass them: literals, compared by address. */
static const char PORT[] = "I/O port";
static const char MSR[] = "APIC base";

static int is_power_of_two(uint64_t n)
{
	return n && !(n & (n - 1));
}

/* ---- tests ------------------------------------------------------------------ */

static void test_first_due(void)
{
	struct report_limit limit = { 0 };

	lines_clear();
	CHECK_EQ(report_due(&limit, 0, PORT, 0x80), 1, "first report");
	check_no_line("first report");		/* the caller prints it */
	/* key 0 on a fresh limit is a report too */
	memset(&limit, 0, sizeof(limit));
	CHECK_EQ(report_due(&limit, 0, PORT, 0), 1, "first report, key 0");
	check_no_line("first report, key 0");
}

/* Repeats: never due; a count line at exactly the 2nd, 4th, 8th, ... */
static void test_repeats(void)
{
	struct report_limit limit = { 0 };
	uint64_t n;

	lines_clear();
	CHECK_EQ(report_due(&limit, 3, PORT, 0x64), 1, "first");
	for (n = 1; n <= 300; n++) {
		int due = report_due(&limit, 3, PORT, 0x64);

		CHECK(due == 0, "repeat %llu due", (unsigned long long)n);
		if (n >= 2 && is_power_of_two(n)) {
			check_one_line("count line", count_line(3, PORT, 0x64, n));
		} else if (num_lines) {
			CHECK(0, "repeat %llu printed \"%s\"", (unsigned long long)n,
			      lines[0]);
			lines_clear();
		}
	}
}

/*
 * A different report after N repeats of the last one: the final count
 * line unless N is 0 or a count line already said N.
 */
struct test_final_case {
	uint64_t repeats;
	int final_line;
};

static const struct test_final_case test_final_cases[] = {
	{ 0, 0 }, { 1, 1 }, { 2, 0 }, { 3, 1 }, { 4, 0 }, { 5, 1 }, { 6, 1 },
	{ 7, 1 }, { 8, 0 }, { 9, 1 }, { 15, 1 }, { 16, 0 }, { 17, 1 },
	{ 255, 1 }, { 256, 0 },
};

static void test_final_count(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test_final_cases); i++) {
		const struct test_final_case *c = &test_final_cases[i];
		struct report_limit limit = { 0 };
		unsigned int counted = 0;
		uint64_t n;

		lines_clear();
		report_due(&limit, 1, PORT, 0x70);
		for (n = 1; n <= c->repeats; n++)
			report_due(&limit, 1, PORT, 0x70);
		for (n = 2; n <= c->repeats; n *= 2)
			counted++;
		CHECK(num_lines == counted, "%llu repeats: %u count lines, want %u",
		      (unsigned long long)c->repeats, num_lines, counted);
		lines_clear();

		CHECK(report_due(&limit, 1, MSR, 0xfee00900) == 1,
		      "%llu repeats: the next report not due",
		      (unsigned long long)c->repeats);
		if (c->final_line)
			check_one_line("final count",
				       count_line(1, PORT, 0x70, c->repeats));
		else
			check_no_line("no final count");

		/* the new report counts from 1 */
		CHECK_EQ(report_due(&limit, 1, MSR, 0xfee00900), 0, "new report repeated");
		check_no_line("its first repeat");
		CHECK_EQ(report_due(&limit, 1, MSR, 0xfee00900), 0, "new report repeated");
		check_one_line("its second repeat", count_line(1, MSR, 0xfee00900, 2));
	}
}

/* Two CPUs, two limits: neither sees the other's reports. */
static void test_two_limits(void)
{
	struct report_limit a = { 0 }, b = { 0 };

	lines_clear();
	CHECK_EQ(report_due(&a, 0, PORT, 0x80), 1, "CPU 0 first");
	CHECK_EQ(report_due(&b, 1, PORT, 0x80), 1, "CPU 1, the same report: due");
	CHECK_EQ(report_due(&a, 0, PORT, 0x80), 0, "CPU 0 repeat 1");
	CHECK_EQ(report_due(&b, 1, MSR, 0x1b), 1, "CPU 1 something else");
	check_no_line("CPU 1 had no repeats");
	CHECK_EQ(report_due(&a, 0, PORT, 0x80), 0, "CPU 0 repeat 2");
	check_one_line("CPU 0's count", count_line(0, PORT, 0x80, 2));
	CHECK_EQ(report_due(&b, 1, MSR, 0x1b), 0, "CPU 1 repeat 1");
	CHECK_EQ(report_due(&a, 0, PORT, 0x80), 0, "CPU 0 repeat 3");
	CHECK_EQ(report_due(&b, 1, MSR, 0x1b), 0, "CPU 1 repeat 2");
	check_one_line("CPU 1's count", count_line(1, MSR, 0x1b, 2));
	CHECK_EQ(a.repeats, 3, "CPU 0 repeats");
	CHECK_EQ(b.repeats, 2, "CPU 1 repeats");
	/* CPU 1 moving on prints nothing of CPU 0's */
	CHECK_EQ(report_due(&b, 1, PORT, 0x80), 1, "CPU 1 back to the port");
	check_no_line("CPU 1's 2 were announced");
	CHECK_EQ(report_due(&a, 0, MSR, 0x1b), 1, "CPU 0 moves on");
	check_one_line("CPU 0's final count", count_line(0, PORT, 0x80, 3));
}

/* Same kind, other key (and other kind, same key): a new report. */
static void test_other_key(void)
{
	struct report_limit limit = { 0 };

	lines_clear();
	CHECK_EQ(report_due(&limit, 2, PORT, 0x80), 1, "port 0x80");
	CHECK_EQ(report_due(&limit, 2, PORT, 0x81), 1, "port 0x81");
	CHECK_EQ(report_due(&limit, 2, PORT, 0x80), 1, "port 0x80 again");
	check_no_line("no repeats yet");
	CHECK_EQ(report_due(&limit, 2, PORT, 0x80), 0, "port 0x80 repeated");
	CHECK_EQ(report_due(&limit, 2, PORT, 0x80 | 1ull << 32), 1,
		 "a key differing in the upper half");
	check_one_line("final count of 0x80", count_line(2, PORT, 0x80, 1));
	CHECK_EQ(report_due(&limit, 2, MSR, 0x80 | 1ull << 32), 1,
		 "the same key, another kind");
	check_no_line("no repeats of the previous");
	CHECK_EQ(report_due(&limit, 2, MSR, 0x80 | 1ull << 32), 0, "and repeated");
}

int main(void)
{
	RUN(test_first_due);
	RUN(test_repeats);
	RUN(test_final_count);
	RUN(test_two_limits);
	RUN(test_other_key);
	return check_exit();
}
