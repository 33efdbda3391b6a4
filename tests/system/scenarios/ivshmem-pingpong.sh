# SPDX-License-Identifier: GPL-2.0-only
# ivshmem-pingpong: 100,000 messages from root Linux to the cellmsg-echo
# inmate and back through the hypervisor's ivshmem device and libcellmsg,
# busy-polling and then on doorbells. Root Linux checks every echo; both
# sides' checksums of the stream must be the one the host computes.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

count=100000 seed=$RANDOM
GUEST_APPEND=$HV_MEMMAP
guest_start g ivshmem-pingpong "$count,$seed" 4
guest_wait g
s=$seed
for mode in poll block; do
	want=$("$BUILD/guest/cellmsg-xfer" -e -n "$count" -s $s) || fail "cellmsg-xfer -e failed"
	line=$(grep -a "^side 0 (sender, $mode): $count messages, $want" "$W/g.com2" | tr -d '\r')
	[ -n "$line" ] || fail "root side ($mode) did not report '$want'" \
		"($(grep -a '^side ' "$W/g.com2" | tr -d '\r' | tr '\n' ' '))"
	echo "root: $line"
	hv_console_expect g "cellmsg-echo: stream ended after $count messages, $want"
	s=$((s + 1))
done
hv_console_clean g
