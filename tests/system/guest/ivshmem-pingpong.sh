# SPDX-License-Identifier: GPL-2.0-only
# Guest half of ivshmem-pingpong. Args: COUNT SEED
# Root Linux sends COUNT checked messages through libcellmsg (uio backend)
# to cellmsg-echo in the ivshmem-demo cell and checks every echo: once
# busy-polling (seed SEED), once sleeping on the doorbell (seed SEED+1).
. /tests/guest/lib.sh
count=$1 seed=$2

load_uio_modules
load_bulkhead
hv_enable
uio=/dev/$(ls /sys/bus/pci/devices/$BH_VDEV_A/uio)
start_cellmsg_echo

s=$seed
for mode in poll block; do
	step "$count messages, root side $mode"
	cellmsg-xfer -d $uio -p 1 -m $mode -n "$count" -s $s -t 120000 ||
		fail "cellmsg-xfer ($mode) failed with exit code $?"
	s=$((s + 1))
done
must bulkhead cell stats ivshmem-demo
step "the doorbell counters add up"
for c in 0 1; do
	sent=$(ivshmem_counter $c doorbells_sent)
	sum=$(($(ivshmem_counter $c doorbells_delivered) + $(ivshmem_counter $c dropped_no_peer) +
	       $(ivshmem_counter $c dropped_not_running) + $(ivshmem_counter $c dropped_no_vector) +
	       $(ivshmem_counter $c dropped_masked)))
	[ "$sent" = "$sum" ] || fail "cell $c sent $sent doorbells, its counters account for $sum"
	[ "$(ivshmem_counter $c msix_refused)" = 0 ] || fail "cell $c: MSI-X messages refused"
	[ "$(ivshmem_counter $c dropped_no_peer)" = 0 ] || fail "cell $c rang a peer that is not there"
done
[ "$(ivshmem_counter 0 doorbells_sent)" -gt 0 ] || fail "root slept on the doorbell and never rang"
[ "$(ivshmem_counter 1 interrupts_received)" -ge "$(ivshmem_counter 0 doorbells_delivered)" ] ||
	fail "the inmate received fewer interrupts than root delivered"
[ "$(ivshmem_counter 0 interrupts_received)" -ge "$(ivshmem_counter 1 doorbells_delivered)" ] ||
	fail "root received fewer interrupts than the inmate delivered"
before=$(ivshmem_counter 0 doorbells_sent) nv_before=$(ivshmem_counter 0 dropped_no_vector)
must ivshmem-ping -d $uio ring 5 then ring 5 then ring 1 1000
[ "$(ivshmem_counter 0 doorbells_sent)" = $((before + 3)) ] || fail "3 more doorbells, counted $(($(ivshmem_counter 0 doorbells_sent) - before))"
[ "$(ivshmem_counter 0 dropped_no_peer)" = 2 ] || fail "2 doorbells to peer 5, counted $(ivshmem_counter 0 dropped_no_peer)"
[ "$(ivshmem_counter 0 dropped_no_vector)" = $((nv_before + 1)) ] ||
	fail "the doorbell to vector 1000 was not counted as one to no vector"
must ivshmem-ping -d $uio state
must bulkhead cell shutdown ivshmem-demo
must bulkhead cell destroy ivshmem-demo
hv_disable
