# SPDX-License-Identifier: GPL-2.0-only
# link-config: the link rules of `bulkhead config check`, on the host with
# the real tool and in the guest against the hypervisor. A 16-peer link
# (root Linux and 15 inmates, configs built from qemu-q35.c and link-a.c
# with more CPUs and peers) is accepted, a 17-peer one refused with one
# line naming the link and the field; in the guest the CLI and the
# hypervisor (bypassing the CLI: bh-cfgtool raw-enable/raw-create) refuse
# a 17-peer system config, a root region that is not the link's memory,
# a peer ID that is the root's or past the link's peers, link memory
# without ROOTSHARED, and a peer ID taken by a running cell.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

src=$(cd "$(dirname "$0")/../../.." && pwd)
# build_cell OUT SOURCE DEFINES...: a .cell blob as the Makefile makes one.
build_cell() {
	local out=$1 source=$2
	shift 2
	cc -std=gnu11 -Wall -Werror -I"$src/include" "$@" -c -o "$W/$out.o" "$src/configs/x86/$source" ||
		fail "cannot build $out from $source"
	objcopy -O binary -j .bhconfig "$W/$out.o" "$W/$out.cell" || fail "objcopy of $out"
}

# peers N: the system config and inmates 1..N-1 of an N-peer link.
peers() {
	local n=$1 p cells=
	build_cell sys$n qemu-q35.c -DQ35_LINK -DQ35_CPUS=0x1ffff -DQ35_LINK_PEERS=$n
	for p in $(seq 1 $((n - 1))); do
		build_cell peer$n-$p link-a.c -DQ35_LINK_PEERS=$n -DLINK_CELL_NAME="\"peer-$p\"" \
			-DLINK_CELL_CPU=$p -DLINK_CELL_RAM=$((0x3b000000 + p * 0x100000)) \
			-DLINK_CELL_PEER=$p
		cells="$cells $W/peer$n-$p.cell"
	done
	echo "$W/sys$n.cell$cells"
}

out=$("$BUILD/tools/bulkhead" config check $(peers 16) 2>&1) ||
	fail "16-peer link refused: $out"
[ "$(echo "$out" | grep -c ': ok$')" = 16 ] || fail "16-peer link: not 16 configs ok: $out"
echo "$out" | grep -q "peer16-15.cell: ok" || fail "no peer 15: $out"

out=$("$BUILD/tools/bulkhead" config check $(peers 17) 2>&1) && fail "17-peer link accepted: $out"
echo "$out"
echo "$out" | grep -qF "ivshmem link 0 (00:10.0): num_peers 17 is outside 2..16" ||
	fail "17-peer link: no report of num_peers: $out"
echo "$out" | grep -qF 'cell "peer-16": pci device 0 (00:10.0): ivshmem shmem_peer_id 16 is not below 16, the most peers a link has' ||
	fail "17-peer link: no report of peer 16: $out"

GUEST_APPEND=$HV_MEMMAP
guest_start g link-config "" 4
guest_wait g
hv_console_expect g \
	"Config problem: ivshmem link 0 (00:10.0): num_peers 17 is outside 2..16" \
	"Config problem: root cell pci device 2 (00:10.0): ivshmem shared memory [0x3e400000-0x3e43ffff] is not ivshmem link 0's memory [0x3e400000-0x3e440fff]" \
	"Cell config problem: cell \"link-a\": pci device 0 (00:10.0): ivshmem shmem_peer_id 0 is the root cell's on the link" \
	"Cell config problem: cell \"link-a\": pci device 0 (00:10.0): ivshmem shmem_peer_id 3 is not below ivshmem link 0's num_peers 3" \
	"Cell config problem: cell \"link-a\": pci device 0 (00:10.0): ivshmem shmem_region 1 lacks the ROOTSHARED flag" \
	"Cell config problem: cell \"Tink-a\": pci device 0 (00:10.0): ivshmem shmem_peer_id 1 is also cell \"link-a\"'s on the link"
n=$(hv_console_count g "Activating hypervisor")
[ "$n" = 1 ] || fail "hypervisor activated $n times, expected once (the good config)"
