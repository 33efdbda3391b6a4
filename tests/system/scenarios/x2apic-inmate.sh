# SPDX-License-Identifier: GPL-2.0-only
# x2apic-inmate: inmates in x2APIC mode under SVM (QEMU 10, -cpu
# EPYC,+x2apic; root Linux stays in xAPIC mode without interrupt
# remapping). apic-demo's timer and EOIs do not exit (fewer MSR exits
# than timer lines); misbehave's x2APIC NMI, INIT, fixed, logical,
# broadcast and out-of-range IPIs and an INIT in LINT0 are refused and
# reported, its self IPI arrives; root Linux gets no NMI and goes on; a
# doorbell round trip costs the x2APIC inmate one exit (its doorbell
# write), where xAPIC adds its EOI (ivshmem-bench: 2).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

use_qemu10
GUEST_CPU=EPYC,+x2apic
GUEST_APPEND=$HV_MEMMAP
guest_start g x2apic-inmate "" 4
guest_wait g
grep -aq 'x2apic: IRQ remapping doesn.t support X2APIC mode' "$W/g.com2" ||
	fail "root Linux did not say why it stays in xAPIC mode (is the CPU's x2apic flag gone?)"
hv_console_expect g 'Using x2APIC' 'Calibrated APIC frequency' 'Closing cell "apic-demo"'
ticks=$(sed -n '/Started cell "apic-demo"/,/Closing cell "apic-demo"/p' "$W/g.com1" |
	grep -acE '^Timer fired, jitter: +-?[0-9]+ ns')
[ "$ticks" -ge 10 ] || fail "only $ticks timer lines from the x2APIC apic-demo (want at least 10)"
msr=$(hv_cell_exits g msr)
[ -n "$msr" ] || fail "no msr row in apic-demo's stats"
[ "$msr" -lt "$ticks" ] || fail "$msr MSR exits for $ticks timer ticks: the x2APIC timer or EOI exits"

hv_console_expect g \
	'misbehave: x2APIC mode, APIC ID 3' \
	'CPU 3: cell "misbehave": IPI to a CPU of another cell (ICR 0x0:00004400) refused' \
	'CPU 3: cell "misbehave": INIT/SIPI outside the root cell or to itself (ICR 0x0:00004500) refused' \
	'CPU 3: cell "misbehave": IPI to a CPU of another cell (ICR 0x0:00004041) refused' \
	'CPU 3: cell "misbehave": logical IPI partly outside the cell (ICR 0x1:00004841) refused' \
	'CPU 3: cell "misbehave": broadcast INIT/SIPI/NMI (ICR 0x0:000c4400) refused' \
	'CPU 3: cell "misbehave": x2APIC IPI beyond the CPUs the hypervisor knows (ICR 0x100:00004041) refused' \
	'CPU 3: cell "misbehave": local vector with SMI/INIT/ExtINT delivery (register 0x350, value 0x500) ignored' \
	'misbehave: x2APIC IPIs sent; self IPIs arrived: 1; LINT0 reads 0x' \
	'Cell "misbehave" shut down'
lint0=$(tr -d '\r' <"$W/g.com1" | sed -n 's/^misbehave: x2APIC IPIs sent.*LINT0 reads //p')
[ $(((lint0 >> 8) & 7)) != 5 ] || fail "LINT0 reads $lint0: the INIT went in"

hv_console_expect g 'cellmsg-echo: using x2APIC'
sed -n '/BENCH-CSV-BEGIN/,/BENCH-CSV-END/p' "$W/g.com2" | tr -d '\r' |
	grep -v 'BENCH-CSV' >"$W/bench.csv"
cat "$W/bench.csv"
grep -q '^doorbell,0,' "$W/bench.csv" || fail "no doorbell row in the benchmark's CSV"
awk -F, '$1 == "doorbell" { printf "doorbell round trip, inmate in x2APIC mode: %s exits (%s MMIO), inmate %s\n", $9, $10, $12 }' \
	"$W/bench.csv" | tee "$W/note"
awk -F, '$1 == "doorbell" && $12 > 1.1 { exit 1 }' "$W/bench.csv" ||
	fail "the x2APIC inmate took more than its doorbell write per round trip: $(cat "$W/note")"
hv_console_lacks g 'stopped:'
