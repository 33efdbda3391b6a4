# SPDX-License-Identifier: GPL-2.0-only
# ivshmem-corrupt: a root app that corrupts its half of the shared region
# (record headers, ring indices, geometry) gets cellmsg-echo to report
# -EPROTO on the hypervisor console and wait, and once the app opens the
# channel again (a new epoch) cellmsg-echo serves it, with no stale message.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

kinds=11	# the scribbles of cellmsg-reset -c
GUEST_APPEND=$HV_MEMMAP
guest_start g ivshmem-corrupt "" 4
guest_wait g
n=$(hv_console_count g 'cellmsg-echo: peer corrupted the channel (-EPROTO): waiting for it to reconnect')
[ "$n" -ge $kinds ] || fail "cellmsg-echo reported $n of $kinds corruptions (see $W/g.com1)"
n=$(hv_console_count g 'cellmsg-echo: peer reconnected')
[ "$n" -ge $kinds ] || fail "cellmsg-echo saw $n of $kinds reconnections (see $W/g.com1)"
[ "$(hv_console_count g 'cellmsg-echo: channel error')" = 0 ] ||
	fail "cellmsg-echo reopened its side: it must resynchronise, not restart"
hv_console_clean g
