# SPDX-License-Identifier: GPL-2.0-only
# Guest half of link-sections: a 3-peer ivshmem link (qemu-q35-link.cell:
# root Linux peer 0, link-a peer 1, link-b peer 2, both running
# link-peer). Root sees the link's parts as separate uio maps (read-only
# ones refuse a writable mmap); every peer sees the others' states in the
# state table; a write into another peer's output section or into the
# state table stops an inmate and is refused to root Linux, and the
# section stays as its owner wrote it.
. /tests/guest/lib.sh
BH_SYSCONFIG=/configs/qemu-q35-link.cell
cells=/sys/devices/bulkhead/cells
# The link's layout (configs/x86/q35-link.h): state table 4 KiB, common
# 64 KiB, then 64 KiB per peer, at 0x3e400000.
link=0x3e400000
out1=$((link + 0x1000 + 0x10000 + 0x10000))

# cell_state ID WANT: wait (10 s) for cell ID's state.
cell_state() {
	i=0
	while [ "$(cat $cells/$1/state)" != "$2" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "cell $1 is '$(cat $cells/$1/state)', not '$2', after 10 s"
		sleep 0.1
	done
}

# output_is PEER TEXT: peer PEER's output section as link-tool prints it.
output_is() {
	got=$(link-tool $n output $1) || fail "link-tool output $1: $got"
	[ "$got" = "$2" ] || fail "peer $1's output section: '$got', expected '$2'"
}

probe() {
	insmod /modules/bh_probe.ko "$@" || fail "insmod bh_probe $* failed"
	rmmod bh_probe || fail "rmmod bh_probe failed"
	dmesg | grep 'bh_probe:' | tail -n 1
}

start_peer() {
	must bulkhead cell create /configs/$1.cell
	must bulkhead cell load $1 /inmates/link-peer.bin
	must bulkhead cell start $1
}

load_uio_modules
load_bulkhead
hv_enable
n=$(ls /sys/bus/pci/devices/0000:00:10.0/uio 2>/dev/null | sed 's/^uio//')
[ -n "$n" ] || fail "no uio device for the link's 00:10.0"

step "uio maps of the link"
for m in 1:state 2:common 3:output 4:outputs; do
	[ "$(cat /sys/class/uio/uio$n/maps/map${m%%:*}/name)" = "${m#*:}" ] ||
		fail "map ${m%%:*} is '$(cat /sys/class/uio/uio$n/maps/map${m%%:*}/name)', not '${m#*:}'"
done
[ "$(cat /sys/bus/pci/devices/0000:00:10.0/ivshmem_peer_id)" = 0 ] || fail "root's peer ID"
[ "$(cat /sys/bus/pci/devices/0000:00:10.0/ivshmem_num_peers)" = 3 ] || fail "number of peers"
must link-tool $n maps
# The pairs keep their one read-write map.
[ "$(cat /sys/bus/pci/devices/0000:00:0e.0/uio/uio*/maps/map1/name)" = shmem ] ||
	fail "the pair 00:0e.0 lost its shmem map"
must link-tool $n write-own "root"

step "two inmate peers"
start_peer link-a
start_peer link-b
must link-tool $n wait-state 1 1
must link-tool $n wait-state 2 1
link-tool $n states
output_is 0 "peer 0: 'root' 0x0"
output_is 1 "peer 1: 'peer 1' 0x0"
output_is 2 "peer 2: 'peer 2' 0x0"

step "peer 2 stops: the state table says so"
must bulkhead cell shutdown link-b
cell_state 2 "shut down"
must link-tool $n wait-state 2 0
must bulkhead cell destroy link-b
start_peer link-b
must link-tool $n wait-state 2 1

step "root Linux writes into peer 1's output section and the state table"
probe phys=$((out1 + 8)) write=1 | grep -q "refused" || fail "root's write into peer 1's section was not refused"
probe phys=$((link + 4)) write=1 | grep -q "refused" || fail "root's write into the state table was not refused"
output_is 1 "peer 1: 'peer 1' 0x0"
must link-tool $n wait-state 1 1
must link-tool $n wait-state 2 1

step "peer 1 writes into peer 2's output section"
must link-tool $n command 1 0x102
cell_state 1 failed
must link-tool $n wait-state 1 0
output_is 2 "peer 2: 'peer 2' 0x0"

step "peer 2 writes into the state table"
must link-tool $n command 2 0x1ff
cell_state 2 failed
must link-tool $n wait-state 2 0
link-tool $n states

step "root Linux goes on"
must bulkhead cell destroy link-a
must bulkhead cell destroy link-b
output_is 0 "peer 0: 'root' 0x0"
hv_disable
