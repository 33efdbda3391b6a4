# SPDX-License-Identifier: GPL-2.0-only
# ivshmem-reset: peer reset across the hypervisor's ivshmem device.
# Destroying and re-creating the inmate under a connected root app gives
# the app ECONNRESET once and then a clean channel (no stale message);
# killing the root app leaves the inmate running and serving the next app.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g ivshmem-reset "" 4
guest_wait g
want=$("$BUILD/guest/cellmsg-xfer" -e -n 2000 -s 7) || fail "cellmsg-xfer -e failed"
[ "$(hv_console_count g "cellmsg-echo: ready on $VDEV_A")" -ge 3 ] ||
	fail "cellmsg-echo did not start twice and reopen after the stream"
hv_console_expect g 'Closing cell "ivshmem-demo"' \
	"cellmsg-echo: peer left or restarted" \
	"cellmsg-echo: stream ended after 2000 messages, $want"
hv_console_clean g
