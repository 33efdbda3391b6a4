# SPDX-License-Identifier: GPL-2.0-only
# Guest half of hv-enable. Args: ITERATIONS
# The same workload runs under the hypervisor and natively after disable:
# busy loops pinned to every CPU, module load/unload, tmpfs file I/O and
# timers; every part must finish and check its own result.
. /tests/guest/lib.sh
iterations=$1
ncpu=$(nproc)
[ "$ncpu" = "$BH_NCPU" ] || fail "expected $BH_NCPU CPUs, Linux sees $ncpu"

workload() {
	rm -f /tmp/cpu.*
	c=0
	while [ $c -lt "$ncpu" ]; do
		taskset -c $c sh -c "i=0; while [ \$i -lt 2000 ]; do i=\$((i + 1)); done
			echo \$i >/tmp/cpu.$c" &
		c=$((c + 1))
	done
	for i in $(seq "$iterations"); do
		must insmod /modules/uio.ko
		must rmmod uio
		must dd if=/dev/urandom of=/tmp/data bs=4096 count=64 2>/dev/null
		must cp /tmp/data /tmp/copy
		must cmp /tmp/data /tmp/copy
		[ "$(md5sum </tmp/data)" = "$(md5sum </tmp/copy)" ] || fail "md5 differs ($1)"
		t0=$(cut -d' ' -f1 /proc/uptime)
		must sleep 0.05
		t1=$(cut -d' ' -f1 /proc/uptime)
		[ "$t0" != "$t1" ] || fail "time does not advance ($1)"
	done
	wait
	c=0
	while [ $c -lt "$ncpu" ]; do
		[ "$(cat /tmp/cpu.$c 2>/dev/null)" = 2000 ] || fail "loop on CPU $c did not finish ($1)"
		# A process's port I/O through the TSS bitmap (ioperm).
		taskset -c $c ioport-probe >/dev/null ||
			fail "ioperm port I/O on CPU $c failed with exit code $? ($1)"
		c=$((c + 1))
	done
	echo "workload $1: $iterations iterations, loops on $ncpu CPUs: ok"
}

load_bulkhead
step "enable"
hv_enable
step "workload under the hypervisor"
workload "under the hypervisor"
root=/sys/devices/bulkhead/cells/0
cells="$(cat $root/name) $(cat $root/state) $(cat $root/cpus_assigned)"
[ "$cells" = "$BH_ROOT_CELL running 0-$((ncpu - 1))" ] || fail "sysfs root cell: '$cells'"
step "disable"
hv_disable
[ ! -e /sys/devices/bulkhead/cells ] || fail "cells listed after disable"
step "workload natively"
workload "after disable"
