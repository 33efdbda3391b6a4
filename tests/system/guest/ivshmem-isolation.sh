# SPDX-License-Identifier: GPL-2.0-only
# Guest half of ivshmem-isolation: ivshmem-violator misroutes its MSI-X
# vectors, rings peers that do not exist, and reads past its shared
# memory. Root Linux must get no stray interrupt or NMI, see the inmate
# stopped (failed), and keep working, its device too. Root moving its
# device's BAR0 over the I/O APIC, the local APIC and ECAM and back costs
# no pool page.
. /tests/guest/lib.sh
cells=/sys/devices/bulkhead/cells

wait_state() {
	i=0
	while [ "$(cat $cells/1/state)" != "$1" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "cell state '$(cat $cells/1/state)', not '$1', after 10 s"
		sleep 0.1
	done
}

load_uio_modules
load_bulkhead
hv_enable
uio=/dev/$(ls /sys/bus/pci/devices/$BH_VDEV_A/uio)
nmi_before=$(root_nmis)
must bulkhead cell create /configs/ivshmem-demo.cell
must bulkhead cell load ivshmem-demo /inmates/ivshmem-violator.bin
must bulkhead cell start ivshmem-demo

step "ring the inmate's misrouted vectors"
wait_peer_ready $uio
must ivshmem-ping -d $uio ring 1 0 then ring 1 1 then ring 1 0
step "root rings a peer that does not exist"
must ivshmem-ping -d $uio ring 7 0
step "let the inmate misbehave"
must ivshmem-ping -d $uio write 0 go
wait_state failed
[ "$(ivshmem-ping -d $uio read 16)" = rung ] || fail "the inmate did not get through its doorbells"
dmesg | grep -i "no irq handler\|unexpected irq\|uhhuh\|spurious" && fail "root Linux got a stray interrupt"
[ "$(root_nmis)" = "$nmi_before" ] || fail "root Linux got an NMI: $(grep NMI /proc/interrupts)"
must ivshmem-ping -d $uio state
must bulkhead cell stats ivshmem-demo
step "the doorbell counters say what happened"
[ "$(ivshmem_counter 0 doorbells_sent)" = 4 ] || fail "root sent 4 doorbells, counted $(ivshmem_counter 0 doorbells_sent)"
[ "$(ivshmem_counter 0 dropped_no_peer)" = 1 ] || fail "root rang peer 7 once, counted $(ivshmem_counter 0 dropped_no_peer)"
[ "$(ivshmem_counter 0 doorbells_delivered)" = 0 ] ||
	fail "root's doorbells to misrouted vectors: $(ivshmem_counter 0 doorbells_delivered) delivered"
# (state changes of root's side ring the inmate's vector 0 too)
[ "$(ivshmem_counter 1 msix_refused)" -ge 3 ] ||
	fail "the inmate's misrouted vectors: $(ivshmem_counter 1 msix_refused) messages refused, want 3 or more"
[ "$(ivshmem_counter 1 dropped_no_peer)" -ge 1 ] || fail "the inmate's rings of absent peers were not counted"
[ "$(ivshmem_counter 0 msix_refused)" = 0 ] || fail "root's own MSI-X entries refused $(ivshmem_counter 0 msix_refused) times"

step "root moves BAR0 over the I/O APIC, the local APIC, ECAM, and back"
cfg=/sys/bus/pci/devices/$BH_VDEV_A/config
# bar0_write VALUE: one 4-byte config write at 0x10.
bar0_write() {
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) \
		$(($1 >> 16 & 255)) $(($1 >> 24 & 255)))" |
		dd of=$cfg bs=4 seek=4 count=1 conv=notrunc 2>/dev/null || fail "BAR0 write failed"
}
bar0=0x$(dd if=$cfg bs=4 skip=4 count=1 2>/dev/null | od -An -tx4 | tr -d ' ')
pool_before=$(cat /sys/devices/bulkhead/mem_pool_used)
for where in 0xfec00000 0xfee00000 0xfee01000 0xb0000000; do
	bar0_write $where
	echo "BAR0 at $where: pool $(cat /sys/devices/bulkhead/mem_pool_used)"
	bar0_write $bar0
	echo "BAR0 back at $bar0: pool $(cat /sys/devices/bulkhead/mem_pool_used)"
done
[ "0x$(dd if=$cfg bs=4 skip=4 count=1 2>/dev/null | od -An -tx4 | tr -d ' ')" = "$bar0" ] ||
	fail "BAR0 did not come back to $bar0"
[ "$(cat /sys/devices/bulkhead/mem_pool_used)" = "$pool_before" ] ||
	fail "BAR0 moves cost pool pages: $pool_before before, $(cat /sys/devices/bulkhead/mem_pool_used) after"

step "root Linux and its device still work"
must bulkhead cell destroy ivshmem-demo
must bulkhead cell create /configs/ivshmem-demo.cell
must bulkhead cell load ivshmem-demo /inmates/ivshmem-demo.bin
must bulkhead cell start ivshmem-demo
wait_peer_ready $uio
must ivshmem-ping -d $uio -t 5000 ring 1 1 then wait
must bulkhead cell destroy ivshmem-demo
hv_disable
