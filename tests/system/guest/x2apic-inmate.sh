# SPDX-License-Identifier: GPL-2.0-only
# Guest half of x2apic-inmate (QEMU 10, -cpu EPYC,+x2apic; root Linux in
# xAPIC mode, as it stays without interrupt remapping): apic-demo runs in
# x2APIC mode and its CPU comes back; misbehave's x2APIC IPIs at root
# Linux are refused (no NMI, no INIT reaches it); cellmsg-echo in x2APIC
# mode answers doorbells, and the benchmark's CSV counts the exits.
. /tests/guest/lib.sh

grep -qw x2apic /proc/cpuinfo || fail "the CPU has no x2apic flag (wanted: QEMU 10, -cpu EPYC,+x2apic)"
cell_state() {
	for d in /sys/devices/bulkhead/cells/*; do
		[ "$(cat $d/name)" = "$1" ] && cat $d/$2
	done
}
# cpu_back N: CPU N online in Linux again.
cpu_back() {
	[ "$(cat /sys/devices/system/cpu/cpu$1/online)" = 1 ] || fail "CPU $1 not back in Linux"
}

load_uio_modules
load_bulkhead
hv_enable
nmi_before=$(root_nmis)

step "apic-demo in x2APIC mode on CPU 2"
must bulkhead cell create /configs/apic-demo.cell
must bulkhead cell load apic-demo /inmates/apic-demo.bin
must bulkhead cell start apic-demo
must sleep 3
step "cell stats"
must bulkhead cell stats apic-demo
must bulkhead cell shutdown apic-demo
must bulkhead cell destroy apic-demo
cpu_back 2

step "misbehave's x2APIC IPIs at root Linux, on CPU 3"
printf x >/tmp/mode.bin
must bulkhead cell create /configs/misbehave.cell
must bulkhead cell load misbehave /inmates/misbehave.bin /tmp/mode.bin -a 0x80000
must bulkhead cell start misbehave
must sleep 2
[ "$(cell_state misbehave state)" = running ] || fail "misbehave is '$(cell_state misbehave state)', expected running"
must bulkhead cell shutdown misbehave
[ "$(cell_state misbehave state)" = "shut down" ] ||
	fail "misbehave is '$(cell_state misbehave state)' after shutdown"
must bulkhead cell destroy misbehave
cpu_back 3
[ "$(root_nmis)" = "$nmi_before" ] || fail "root Linux got an NMI: $(grep NMI /proc/interrupts)"
must dd if=/dev/urandom of=/tmp/x bs=4096 count=16 2>/dev/null
must md5sum /tmp/x

step "doorbell round trips, cellmsg-echo in x2APIC mode"
uio=/dev/$(ls /sys/bus/pci/devices/0000:00:0e.0/uio)
start_cellmsg_echo
for irq in $(grep 'uio_ivshmem\[0000:00:0e.0\]' /proc/interrupts | cut -d: -f1); do
	echo 1 >/proc/irq/$irq/smp_affinity || fail "cannot steer IRQ $irq to CPU 0"
done
must bulkhead-bench -d $uio -m doorbell,irq,poll -n 300 -i 100 -s 8 -C /tmp/bench.csv
echo "BENCH-CSV-BEGIN"
cat /tmp/bench.csv
echo "BENCH-CSV-END"
must bulkhead cell shutdown ivshmem-demo
must bulkhead cell destroy ivshmem-demo
cpu_back 3
hv_disable
