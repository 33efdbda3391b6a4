# SPDX-License-Identifier: GPL-2.0-only
# rtos-overflow: a task of the RTOS cell overflows its stack
# (inmates/rtos/demos/rtos-overflow.c); the canary check at the next
# switch names the task, the cell reports failure and is failed, the
# task never runs on, the other task ran until then, and the destroy
# gives the CPU back to Linux.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g rtos-overflow "" 4
guest_wait g
hv_console_expect g 'deep: recursing past the end of its 4096-byte stack' \
	'rtos: task deep: stack overflow: the cell stops' \
	'Cell "FreeRTOS" (CPU 3) reports failure' 'heartbeat 2' 'Closing cell "FreeRTOS"'
hv_console_lacks g 'overflow went unnoticed'
