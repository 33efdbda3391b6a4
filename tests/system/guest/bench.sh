# SPDX-License-Identifier: GPL-2.0-only
# Guest half of `make run` and of ivshmem-bench. Args: COUNT IRQ_COUNT SIZES
# (SIZES with ':' between them). Enables the hypervisor, starts
# cellmsg-echo in the ivshmem-demo cell, runs bulkhead-bench against it,
# prints its CSV files between markers for the host, and tears down.
. /tests/guest/lib.sh
count=$1 irq_count=$2 sizes=$(echo "$3" | tr : ,)

load_uio_modules
load_bulkhead
step "bulkhead enable /configs/qemu-q35.cell"
hv_enable
uio=/dev/$(ls /sys/bus/pci/devices/$BH_VDEV_A/uio)
step "bulkhead cell create / load / start: cellmsg-echo in ivshmem-demo"
start_cellmsg_echo
must bulkhead cell list
# Interrupts of the device go to the CPU the benchmark runs on (CPU 0):
# elsewhere, waking it would take a rescheduling IPI, more exits.
for irq in $(grep "uio_ivshmem\[$BH_VDEV_A\]" /proc/interrupts | cut -d: -f1); do
	echo 1 >/proc/irq/$irq/smp_affinity || fail "cannot steer IRQ $irq to CPU 0"
done
grep 'uio_ivshmem' /proc/interrupts
step "bulkhead-bench -d $uio"
must bulkhead-bench -d $uio -n "$count" -i "$irq_count" -s "$sizes" \
	-C /tmp/bench.csv -S /tmp/samples.csv
echo "BENCH-CSV-BEGIN"
cat /tmp/bench.csv
echo "BENCH-CSV-END"
echo "BENCH-SAMPLES-BEGIN"
cat /tmp/samples.csv
echo "BENCH-SAMPLES-END"
step "bulkhead cell shutdown / destroy, bulkhead disable"
must bulkhead cell shutdown ivshmem-demo
must bulkhead cell destroy ivshmem-demo
hv_disable
