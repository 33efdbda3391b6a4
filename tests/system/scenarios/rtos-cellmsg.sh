# SPDX-License-Identifier: GPL-2.0-only
# rtos-cellmsg: RTOS tasks and a root app talk through libcellmsg
# (inmates/rtos/demos/rtos-echo.c): the echo task blocks in the scheduler
# on the channel's doorbell; two streams of 10,000 checked messages, each
# echo checked by the app and the whole stream by its checksum in the
# inmate; a low-priority task keeps running meanwhile; bare doorbells are
# answered by a task; shutdown while the tasks wait. Then two channels
# (both ivshmem pairs in one cell), each with its own echo task, and two
# root apps at once.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

COUNT=10000 SEED=11
want=$("$BUILD/guest/cellmsg-xfer" -e -n $COUNT -s $SEED) || fail "cellmsg-xfer -e failed"
want_b=$("$BUILD/guest/cellmsg-xfer" -e -n $COUNT -s $((SEED + 1))) || fail "cellmsg-xfer -e failed"
GUEST_APPEND=$HV_MEMMAP
guest_start g rtos-cellmsg "$COUNT,$SEED" 4
guest_wait g
hv_console_clean g
hv_console_lacks g 'rtos: task|channel error|cannot'
n=$(hv_console_count g "rtos-echo: $VDEV_A: stream ended after $COUNT messages, $want")
[ "$n" = 3 ] || fail "rtos-echo on $VDEV_A reported the checksum of $COUNT messages ($want) $n times, want 3"
n=$(hv_console_count g "rtos-echo: $VDEV_B: stream ended after $COUNT messages, $want_b")
[ "$n" = 1 ] || fail "rtos-echo on $VDEV_B reported the checksum of $COUNT messages ($want_b) $n times, want 1"
# The ticker (priority 1) ran while the echo task served: it is not busy-waiting.
tr -d '\r' <"$W/g.com1" | awk '/^rtos-echo: [0-9a-f:.]+: stream ended/ { n++; if ($(NF - 2) + 0 < 1) bad = 1 }
	END { exit bad || n < 4 }' || fail "the ticker task did not run during a stream"
hv_console_expect g 'rtos-echo: interrupt to task, 1000 doorbells (batch 1)' \
	'Cell "ivshmem-demo" shut down' 'Cell "rtos-channels" shut down'
