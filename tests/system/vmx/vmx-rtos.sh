# SPDX-License-Identifier: GPL-2.0-only
# vmx-rtos (host half; guest: guest/cell-lifecycle.sh with bochs-freertos-demo
# on CPU 1): the RTOS port under Intel VMX. Its twenty tasks were created
# and ran (T01 at least two loops, each at its period), the queue
# delivered, an FPU task's result is right (CR0.TS, #NM and FXSAVE under
# VMX), and the cell shut down while the tasks ran and was closed.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

hv_console_expect g 'Created cell "FreeRTOS"' 'Started cell "FreeRTOS"' 'rtos_start goes active' \
	'Create task 19 with prio 2' 'Value received: 1' 'FT0: 1.11^1 = 1.110000' \
	'Cell "FreeRTOS" shut down' 'Closing cell "FreeRTOS"'
hv_console_lacks g 'rtos: task|FPU state lost'
tr -d '\r' <"$W/g.com1" | awk '
	/^T01 period: 100; loop: [0-9]+; tick: [0-9]+$/ {
		l = $5 + 0; k = $7 + 0
		if (!n++) first = k
		else if (k < first + l * 100 || k > first + l * 100 + 50) bad = 1
		last = l
	}
	END { printf "T01: %d loops\n", n; exit bad || n < 3 || last != n - 1 }' >"$W/note" ||
	fail "T01 did not run at its period under VMX ($(cat "$W/note"))"
hv_console_clean g
