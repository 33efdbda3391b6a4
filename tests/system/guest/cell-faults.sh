# SPDX-License-Identifier: GPL-2.0-only
# Guest half of cell-faults. Args: none
# misbehave breaks one rule per run (memory, I/O port, triple fault,
# moving its APIC) and is stopped and marked failed; a run that loops with
# interrupts off cannot answer the shutdown request: it is stopped and
# marked failed at shutdown; an INIT in a local vector is refused; stores
# to reserved APIC registers, a new APIC ID and SMIs to itself are
# ignored and shutdown still reaches it; a reserved EFER bit fails it; MSRs
# show the cell's own values; an interrupt it leaves pending does not
# reach Linux. Each time the cell is destroyed and CPU 3 comes back.
. /tests/guest/lib.sh

state() {
	for d in /sys/devices/bulkhead/cells/*; do
		[ "$(cat $d/name)" = misbehave ] && cat $d/$1
	done
}

# run_mode MODE STATE [STATE AFTER SHUTDOWN]
run_mode() {
	mode=$1 want=$2 after=${3:-}
	step "mode $mode"
	printf '%s' "$mode" >/tmp/mode.bin
	must bulkhead cell create /configs/misbehave.cell
	must bulkhead cell load misbehave /inmates/misbehave.bin /tmp/mode.bin -a 0x80000
	must bulkhead cell start misbehave
	must sleep 1
	[ "$(state state)" = "$want" ] || fail "mode $mode: cell is '$(state state)', expected $want"
	if [ "$want" = failed ]; then
		[ "$(state cpus_failed)" = 3 ] || fail "mode $mode: CPU 3 not listed as failed"
	fi
	must bulkhead cell shutdown misbehave
	# A failed cell stays failed; one that could not answer is failed.
	[ "$want" = failed ] && after=failed
	if [ -n "$after" ]; then
		[ "$(state state)" = "$after" ] ||
			fail "mode $mode: '$(state state)' after shutdown, expected $after"
	fi
	if [ "$after" = failed ]; then
		[ "$(state cpus_failed)" = 3 ] || fail "mode $mode: CPU 3 not listed as failed after shutdown"
	fi
	must bulkhead cell destroy misbehave
	[ "$(cat /sys/devices/system/cpu/cpu3/online)" = 1 ] || fail "mode $mode: CPU 3 not back"
}

load_bulkhead
hv_enable
run_mode m failed
run_mode i failed
run_mode t failed
run_mode l running failed
run_mode a failed
run_mode v "shut down"
run_mode z "shut down"
run_mode d running "shut down"
run_mode s running "shut down"
run_mode e failed
run_mode r "shut down"
run_mode p running failed
step "root Linux took nothing of the inmate's"
dmesg | grep -i "stale irr\|no irq handler\|uhhuh\|NMI received" && fail "root Linux got the inmate's interrupts"
must dd if=/dev/urandom of=/tmp/x bs=4096 count=16 2>/dev/null
hv_disable
