# SPDX-License-Identifier: GPL-2.0-only
# Guest half of ivshmem-isolation: ivshmem-violator misroutes its MSI-X
# vectors, rings peers that do not exist, and reads past its shared
# memory. Root Linux must get no stray interrupt or NMI, see the inmate
# stopped (failed), and keep working, its device too.
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

must insmod /modules/uio.ko
must insmod /modules/uio_ivshmem.ko
load_bulkhead
hv_enable
uio=/dev/$(ls /sys/bus/pci/devices/0000:00:0e.0/uio)
# NMIs root Linux took, summed over its online CPUs.
nmis() {
	grep '^ *NMI:' /proc/interrupts | awk '{ n = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) n += $i; print n }'
}
nmi_before=$(nmis)
must bulkhead cell create /configs/ivshmem-demo.cell
must bulkhead cell load ivshmem-demo /inmates/ivshmem-violator.bin
must bulkhead cell start ivshmem-demo

step "ring the inmate's misrouted vectors"
i=0
until ivshmem-ping -d $uio state | grep -q "peer state: *1"; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "the inmate never became ready"
	sleep 0.1
done
must ivshmem-ping -d $uio ring 1 0 then ring 1 1 then ring 1 0
step "root rings a peer that does not exist"
must ivshmem-ping -d $uio ring 7 0
step "let the inmate misbehave"
must ivshmem-ping -d $uio write 0 go
wait_state failed
[ "$(ivshmem-ping -d $uio read 16)" = rung ] || fail "the inmate did not get through its doorbells"
dmesg | grep -i "no irq handler\|unexpected irq\|uhhuh\|spurious" && fail "root Linux got a stray interrupt"
[ "$(nmis)" = "$nmi_before" ] || fail "root Linux got an NMI: $(grep NMI /proc/interrupts)"
must ivshmem-ping -d $uio state

step "root Linux and its device still work"
must bulkhead cell destroy ivshmem-demo
must bulkhead cell create /configs/ivshmem-demo.cell
must bulkhead cell load ivshmem-demo /inmates/ivshmem-demo.bin
must bulkhead cell start ivshmem-demo
sleep 1
must ivshmem-ping -d $uio -t 5000 ring 1 then wait
must bulkhead cell destroy ivshmem-demo
hv_disable
