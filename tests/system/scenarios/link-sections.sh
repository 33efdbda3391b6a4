# SPDX-License-Identifier: GPL-2.0-only
# link-sections: root Linux and two inmates on one 3-peer ivshmem link.
# Each peer writes only its own output section: a write into another's
# (or into the state table) stops an inmate and is refused to root Linux,
# each reported naming the device, the section and its owner; every peer
# sees the others' states change in the state table; read-only uio maps
# refuse a writable mmap.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g link-sections "" 4
guest_wait g
hv_console_expect g \
	'link-peer 1: 3 peers, NUM_PEERS 3, output sections of 0x10000 bytes' \
	'link-peer 2: 3 peers, NUM_PEERS 3' \
	"write of 0x3e421008 refused" \
	"ivshmem 00:10.0: peer 1's output section is read-only for peer 0" \
	"write of 0x3e400004 refused" \
	'cell "link-a": write of 0x80031008 refused' \
	"ivshmem 00:10.0: peer 2's output section is read-only for peer 1" \
	'cell "link-a" stopped: write into a read-only part of an ivshmem link' \
	'cell "link-b": write of 0x80000004 refused' \
	"ivshmem 00:10.0: the link's state table is written by the hypervisor only" \
	'cell "link-b" stopped: write into a read-only part of an ivshmem link'
! grep -aq "NOT STOPPED" "$W/g.com1" || fail "an inmate's write into a foreign part went through"
! grep -aq "did not answer" "$W/g.com1" || fail "link-peer did not shut down cleanly"
# Every peer saw every other one's state change, from shared memory alone.
for want in 'link-peer 1: states [01] 1 1' 'link-peer 1: states [01] 1 0' \
	    'link-peer 1: states 1 1 [01]' 'link-peer 1: states 0 1 [01]' \
	    'link-peer 2: states [01] 1 1' 'link-peer 2: states 1 [01] 1' \
	    'link-peer 2: states 0 [01] 1'; do
	grep -aqE "$want" "$W/g.com1" || fail "no '$want' on the hypervisor console"
done
