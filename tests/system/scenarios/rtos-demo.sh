# SPDX-License-Identifier: GPL-2.0-only
# rtos-demo: the tutorial's FreeRTOS cell on Bulkhead's RTOS
# (inmates/rtos/demos/freertos-demo.c), with the tutorial's commands.
# Checked from the hypervisor console: twenty tasks created; every
# periodic task's loop count advances at its period's rate (loop L
# printed at its first tick + L * period, none missing); the RTOS tick
# keeps time with Linux; the queue delivers every value in order; the
# two FPU tasks, interleaved by the tick, compute what awk computes and
# never lose their SSE state; the cell is shut down while its tasks run,
# destroyed, and its CPU goes back to Linux.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

SECONDS_RUN=8
GUEST_APPEND=$HV_MEMMAP
guest_start g cell-lifecycle "freertos-demo,freertos-demo,3,$SECONDS_RUN,FreeRTOS" 4
guest_wait g
hv_console_expect g 'Created cell "FreeRTOS"' 'Started cell "FreeRTOS"' \
	'rtos_start goes active' 'Cell "FreeRTOS" shut down' 'Closing cell "FreeRTOS"'
hv_console_clean g
hv_console_lacks g 'rtos: task|FPU state lost|cannot create'
n=$(grep -acE '^Create task [0-9]+ with prio [1-6]' "$W/g.com1")
[ "$n" = 20 ] || fail "$n 'Create task' lines, want 20"

# Every periodic task: loops 0, 1, 2, ... with no gap, loop L within
# 50 ticks of first + L * period (printing waits for the console), and
# as many loops as the run's last tick allows.
tr -d '\r' <"$W/g.com1" | awk -v secs=$SECONDS_RUN '
	/^T[0-9][0-9] period: [0-9]+; loop: [0-9]+; tick: [0-9]+$/ {
		t = substr($1, 2) + 0; p = $3 + 0; l = $5 + 0; k = $7 + 0
		if (!(t in next_loop)) { first[t] = k; next_loop[t] = 0; period[t] = p }
		if (l != next_loop[t]) { printf "T%02d: loop %d after %d\n", t, l, next_loop[t] - 1; bad = 1 }
		want = first[t] + l * p
		if (k < want || k > want + 50) { printf "T%02d loop %d at tick %d, want %d\n", t, l, k, want; bad = 1 }
		next_loop[t] = l + 1
		if (k > last) last = k
	}
	END {
		for (t = 1; t <= 20; t++) {
			if (!(t in next_loop)) { printf "T%02d never ran\n", t; bad = 1; continue }
			due = int((last - first[t]) / period[t])
			if (next_loop[t] < due) { printf "T%02d: %d loops by tick %d, want %d\n", t, next_loop[t], last, due; bad = 1 }
		}
		# The tick keeps time: Linux slept secs seconds while the cell ran.
		if (last < secs * 1000 * 0.7 || last > secs * 1000 * 1.5) { printf "last tick %d after %d s of Linux time\n", last, secs; bad = 1 }
		printf "T01 ran %d loops, T20 %d, last tick %d\n", next_loop[1], next_loop[20], last
		exit bad
	}' || fail "periodic tasks off their periods (above)"

# The queue: Sending ... N and Value received: N for N = 1, 2, ... in order.
tr -d '\r' <"$W/g.com1" | awk '
	/^Sending \.\.\. [0-9]+$/ { s = $3 + 0; if (s != sent + 1) bad = 1; sent = s }
	/^Value received: [0-9]+$/ { r = $3 + 0; if (r != got + 1) bad = 1; got = r }
	END { printf "queue: %d sent, %d received\n", sent, got; exit bad || got < 10 || sent - got > 1 }' ||
	fail "the queue lost, reordered or stalled values"

# The FPU tasks: FTi: b^n = x with x = b^n to 6 places, both tasks.
tr -d '\r' <"$W/g.com1" | awk '
	/^FT[01]: [0-9]+\.[0-9]+\^[0-9]+ = [0-9]+\.[0-9]+$/ {
		split($2, a, "^"); b = a[1] + 0; e = a[2] + 0; x = $4 + 0
		w = 1; for (i = 0; i < e; i++) w *= b
		if (x - w > 0.000002 || w - x > 0.000002) { printf "%s wrong, want %.6f\n", $0, w; bad = 1 }
		seen[$1]++; if (e > 3) deep++
	}
	END { printf "FPU: %d + %d results\n", seen["FT0:"], seen["FT1:"]; exit bad || seen["FT0:"] < 3 || seen["FT1:"] < 3 || !deep }' ||
	fail "the FPU tasks computed wrong or too few results"
