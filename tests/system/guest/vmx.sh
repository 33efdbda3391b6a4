# SPDX-License-Identifier: GPL-2.0-only
# Guest half of the Bochs (Intel VMX) checks, tests/system/vmx-run.sh.
# Args: CHECK[:ARG:ARG...]...
# A Bochs boot costs minutes, so one boot runs several checks: each named
# check (check_NAME below) runs in order, in its own shell, from a clean
# state (hypervisor disabled, no module loaded), and is reported on this
# console as
#   BULKHEAD-CHECK NAME BEGIN
#   BULKHEAD-CHECK NAME PASS | FAIL reason | SKIP reason
# Before each one "BULKHEAD-SECTION NAME" goes to COM1 (Linux's while the
# hypervisor is off), so the host can cut the hypervisor's console into
# one piece per check. Once an enable has failed, or the hypervisor cannot
# be disabled, the checks that need it are skipped.
# The Bochs machine's config, unless the kernel command line names
# another (BH_SYSCONFIG=... BH_ROOT_CELL=..., passed to /init's environment).
export BH_SYSCONFIG=${BH_SYSCONFIG:-/configs/bochs-i440fx.cell}
export BH_ROOT_CELL=${BH_ROOT_CELL:-bochs-i440fx}
BH_NCPU=$(nproc)
export BH_NCPU
. /tests/guest/lib.sh
# The inmates' CPU (configs/x86/bochs-i440fx.h: BOCHS_INMATE_CPU).
cpu=1

cell_state() {
	for d in /sys/devices/bulkhead/cells/*; do
		[ "$(cat $d/name)" = "$1" ] && cat $d/$2
	done
}

cell_id() {
	for d in /sys/devices/bulkhead/cells/*; do
		[ "$(cat $d/name)" = "$1" ] && echo "${d##*/}"
	done
}

has_word() {
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}

# vmx-boot: Linux runs on every CPU Bochs has, sees VMX with EPT, the
# machine is the one configs/x86/bochs-i440fx.c describes, bulkhead.ko
# loads and accepts every Bochs config. Prints the facts the config was
# written from.
check_vmx_boot() {
	step "CPUs"
	grep -m1 'model name' /proc/cpuinfo
	online=$(cat /sys/devices/system/cpu/online)
	present=$(cat /sys/devices/system/cpu/present)
	echo "online $online, present $present"
	[ "$online" = "$present" ] || fail "CPUs online: $online, present: $present"
	[ "$(nproc)" -ge 2 ] || fail "Linux sees $(nproc) CPU; the cells need CPU $cpu"
	flags=$(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2)
	vflags=$(grep -m1 '^vmx flags' /proc/cpuinfo | cut -d: -f2)
	echo "vmx flags:$vflags"
	has_word vmx "$flags" || fail "no vmx in /proc/cpuinfo's flags"
	for f in ept unrestricted_guest vpid; do
		has_word $f "$vflags" || fail "no $f in /proc/cpuinfo's vmx flags"
	done
	step "the machine (configs/x86/bochs-i440fx.c)"
	dmesg | grep -E 'BIOS-e820|PM-Timer|IOAPIC\[|HPET|ACPI: (RSDP|RSDT|XSDT|FACP|APIC|HPET|MCFG)|smp: Brought|ttyS[0-9]|clocksource: Switched'
	cat /proc/iomem
	cat /proc/ioports
	for d in /sys/bus/pci/devices/*; do
		echo "pci ${d##*/} $(cat $d/vendor):$(cat $d/device) class $(cat $d/class)"
	done
	grep -q '^3a000000-3effffff : Reserved' /proc/iomem ||
		fail "no 'Reserved' [0x3a000000-0x3effffff] in /proc/iomem (memmap=80M\$0x3a000000 missing?)"
	dmesg | grep -q 'PM-Timer IO Port: 0xb008' ||
		fail "PM timer not at 0xb008 as configs/x86/bochs-i440fx.h says: '$(dmesg | grep PM-Timer)'"
	for slot in 0e 0f; do
		[ ! -e /sys/bus/pci/devices/0000:00:$slot.0 ] ||
			fail "PCI 00:$slot.0 exists: the config's ivshmem devices need that slot"
	done
	step "bulkhead.ko and the configs"
	load_bulkhead
	for c in apic-demo mem-violator misbehave tiny-demo ivshmem-demo; do
		must bulkhead config check "$BH_SYSCONFIG" /configs/bochs-$c.cell
	done
	[ "$(cat /sys/devices/bulkhead/enabled)" = 0 ] || fail "enabled before any enable"
	must rmmod bulkhead
}

# vmx-enable: twice enable, the workload on every CPU, disable, the
# workload natively (guest/hv-enable.sh).
check_vmx_enable() {
	for round in 1 2; do
		step "round $round"
		sh /tests/guest/hv-enable.sh 3 || exit 1
		must rmmod bulkhead
	done
}

# vmx-apic: apic-demo on CPU 1: created, loaded, started, its timer lines
# on COM1, shut down, destroyed, CPU and pool back (guest/cell-lifecycle.sh).
check_vmx_apic() {
	sh /tests/guest/cell-lifecycle.sh bochs-apic-demo bochs-apic-demo $cpu 3
}

# vmx-rtos: the RTOS demo (bochs-freertos-demo, xAPIC) on CPU 1 with the
# tutorial's commands: its tasks, its FPU switching (CR0.TS, #NM, FXSAVE)
# and its tick under VMX; shut down while the tasks run, destroyed, CPU
# back (guest/cell-lifecycle.sh; the cell is "FreeRTOS", as the tutorial
# names it).
check_vmx_rtos() {
	sh /tests/guest/cell-lifecycle.sh bochs-freertos-demo bochs-freertos-demo $cpu 10 FreeRTOS
}

# violate CELL IMAGE [LOAD ARGS]: the inmate breaks a rule: its cell is
# stopped and failed, CPU 1 listed as failed, and it is destroyed.
violate() {
	cell=$1
	shift
	must bulkhead cell create /configs/$cell.cell
	must bulkhead cell load $cell "$@"
	must bulkhead cell start $cell
	must sleep 1
	[ "$(cell_state $cell state)" = failed ] ||
		fail "$cell is '$(cell_state $cell state)', expected failed"
	[ "$(cell_state $cell cpus_failed)" = $cpu ] || fail "$cell: CPU $cpu not listed as failed"
	must bulkhead cell destroy $cell
	[ "$(cat /sys/devices/system/cpu/cpu$cpu/online)" = 1 ] || fail "$cell: CPU $cpu not back"
}

# vmx-violation: an inmate reading memory outside its cell, then one
# reading an I/O port it was not given: each is stopped, root Linux goes on.
check_vmx_violation() {
	load_bulkhead
	hv_enable
	step "memory: mem-violator reads 0x3a000000"
	violate bochs-mem-violator /inmates/mem-violator.bin
	step "I/O port: misbehave reads port 0x3fd"
	printf i >/tmp/mode.bin
	violate bochs-misbehave /inmates/misbehave.bin /tmp/mode.bin -a 0x80000
	step "root Linux works"
	must dd if=/dev/urandom of=/tmp/x bs=4096 count=16 2>/dev/null
	must md5sum /tmp/x
	must taskset -c $cpu sh -c 'i=0; while [ $i -lt 1000 ]; do i=$((i + 1)); done'
	hv_disable
}

# vmx-cycle CYCLES: create/load/start/destroy tiny-demo on CPU 1 CYCLES
# times, no leak (guest/cell-cycle.sh).
check_vmx_cycle() {
	sh /tests/guest/cell-cycle.sh "${1:-5}" bochs-tiny-demo tiny-demo $cpu
}

# vmx-pingpong COUNT SEED: COUNT checked messages root <-> cellmsg-echo
# busy-polling (seed SEED), COUNT on doorbells (SEED+1), as
# guest/ivshmem-pingpong.sh; then the VM exits of both cells and a short
# bulkhead-bench run (exits per round trip) between markers.
check_vmx_pingpong() {
	count=${1:-10000} seed=${2:-1}
	load_uio_modules
	load_bulkhead
	hv_enable
	[ -d /sys/bus/pci/devices/0000:00:0e.0/uio ] || fail "no uio device for ivshmem 00:0e.0 after enable"
	uio=/dev/$(ls /sys/bus/pci/devices/0000:00:0e.0/uio)
	must bulkhead cell create /configs/bochs-ivshmem-demo.cell
	must bulkhead cell load bochs-ivshmem-demo /inmates/bochs-cellmsg-echo.bin
	must bulkhead cell start bochs-ivshmem-demo
	s=$seed
	for mode in poll block; do
		step "$count messages, root side $mode"
		cellmsg-xfer -d $uio -p 1 -m $mode -n "$count" -s $s -t 300000 ||
			fail "cellmsg-xfer ($mode) failed with exit code $?"
		s=$((s + 1))
	done
	step "VM exits"
	must bulkhead cell stats bochs-ivshmem-demo
	must bulkhead cell stats 0
	step "bulkhead-bench, briefly"
	must bulkhead-bench -d $uio -c "$(cell_id bochs-ivshmem-demo)" -n 1000 -i 200 -s 8 -C /tmp/bench.csv
	echo "BENCH-CSV-BEGIN"
	cat /tmp/bench.csv
	echo "BENCH-CSV-END"
	must bulkhead cell shutdown bochs-ivshmem-demo
	must bulkhead cell destroy bochs-ivshmem-demo
	hv_disable
}

# vmx-x2apic: the x2APIC build of apic-demo on CPU 1 (last in the boot:
# its CPU may not come back): timer lines, the cell's VM exits, shutdown
# and destroy. Then CPU 1 is back in Linux, or (Bochs: its APIC cannot be
# re-enabled after x2APIC) the hypervisor keeps it parked: Linux's
# bring-up fails, disable is refused while the CPU is out, root Linux
# goes on.
check_vmx_x2apic() {
	load_bulkhead
	hv_enable
	must bulkhead cell create /configs/bochs-apic-demo.cell
	must bulkhead cell load bochs-apic-demo /inmates/bochs-x2apic-demo.bin
	must bulkhead cell start bochs-apic-demo
	must sleep 3
	step "cell stats"
	must bulkhead cell stats bochs-apic-demo
	must bulkhead cell shutdown bochs-apic-demo
	bulkhead cell destroy bochs-apic-demo || echo "cell destroy: exit code $?"
	[ -z "$(cell_id bochs-apic-demo)" ] || fail "bochs-apic-demo still listed after destroy"
	online=$(cat /sys/devices/system/cpu/cpu$cpu/online)
	say "CPU $cpu online after destroy: $online"
	if [ "$online" = 1 ]; then
		hv_disable
		return
	fi
	out=$(bulkhead disable 2>&1) && fail "disable succeeded with CPU $cpu parked"
	say "disable refused: $out"
	must dd if=/dev/urandom of=/tmp/x bs=4096 count=16 2>/dev/null
	must md5sum /tmp/x
}

# say LINE: LINE alone on the console. Bochs' UART sends at its baud
# rate, so output queues; the kernel's own messages do not (they go
# straight to the UART) and could land inside a marker. Drain the queue
# (stty sets modes with TCSADRAIN) before and after.
say() {
	stty "$(stty -g)" 2>/dev/null
	echo "$*"
	stty "$(stty -g)" 2>/dev/null
}

loaded() {
	grep -q "^$1 " /proc/modules
}

# settle: back to no hypervisor and no modules; 1 if it stays enabled.
settle() {
	if [ "$(cat /sys/devices/bulkhead/enabled 2>/dev/null)" = 1 ]; then
		for d in /sys/devices/bulkhead/cells/*; do
			[ "${d##*/}" = 0 ] || bulkhead cell destroy "${d##*/}"
		done
		bulkhead disable
	fi
	[ "$(cat /sys/devices/bulkhead/enabled 2>/dev/null)" = 1 ] && return 1
	! loaded bulkhead || rmmod bulkhead
	! loaded uio_ivshmem || rmmod uio_ivshmem
	! loaded uio || rmmod uio
	return 0
}

skip= failed= prev=
for arg in "$@"; do
	name=${arg%%:*}
	params=
	[ "$name" = "$arg" ] || params=$(echo "${arg#*:}" | tr : ' ')
	if [ -n "$skip" ] && [ "$name" != vmx-boot ]; then
		say "BULKHEAD-CHECK $name SKIP $skip"
		continue
	fi
	if ! settle; then
		skip="the hypervisor stayed enabled after $prev"
		say "BULKHEAD-CHECK $name SKIP $skip"
		continue
	fi
	timeout 30 sh -c "echo 'BULKHEAD-SECTION $name' >/dev/ttyS0"
	say "BULKHEAD-CHECK $name BEGIN"
	rm -f /tmp/reason
	# shellcheck disable=SC2086
	(check_$(echo "$name" | tr - _) $params)
	rc=$?
	if [ $rc = 0 ]; then
		say "BULKHEAD-CHECK $name PASS"
	else
		reason=$(cat /tmp/reason 2>/dev/null || echo "exit code $rc")
		say "BULKHEAD-CHECK $name FAIL $reason"
		failed="$failed $name"
		case $reason in "bulkhead enable failed"*) skip="enable failed (see $name)" ;; esac
	fi
	prev=$name
done
settle
[ -z "$failed" ] || fail "failed:$failed"
