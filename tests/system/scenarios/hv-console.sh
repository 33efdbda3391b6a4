# SPDX-License-Identifier: GPL-2.0-only
# hv-console: the hypervisor's log read from root Linux with `bulkhead
# console` holds every line the hypervisor printed on COM1 (its own and
# the inmate's), `console -f` follows a running cell, the log survives
# disable, a hypervisor with no serial port configured still keeps it,
# and a cell the hypervisor refuses shows its reason under the CLI's
# error (no serial cable needed).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g hv-console "" 4
guest_wait g
tr -d '\r' <"$W/g.com2" | sed -n '/^== log begin/,/^== log end/p' | sed '1d;$d' >"$W/log.txt"
[ -s "$W/log.txt" ] || fail "bulkhead console printed nothing after disable"
# Every non-empty line COM1 got from the hypervisor is in the log, in order.
tr -d '\r' <"$W/g.com1" | grep -a -v '^$' | sed -n '/^Initializing Bulkhead hypervisor/,$p' >"$W/com1.txt"
[ -s "$W/com1.txt" ] || fail "no hypervisor output on COM1"
grep -a -v '^$' "$W/log.txt" >"$W/log-lines.txt"
diff "$W/com1.txt" "$W/log-lines.txt" >"$W/log.diff" ||
	fail "bulkhead console differs from COM1: $(head -n 4 "$W/log.diff" | tr '\n' ' ')"
grep -q 'Shutting down hypervisor' "$W/log.txt" || fail "the log lacks the disable"
# The second enable had no UART: COM1 heard of one enable only.
n=$(grep -ac 'Initializing Bulkhead hypervisor' "$W/g.com1")
[ "$n" = 1 ] || fail "COM1 shows $n hypervisor starts: the one without a UART printed there"
hv_console_expect g 'Cell config problem: cell "apic-demo"'
echo "bulkhead console: $(wc -l <"$W/log-lines.txt") lines, the same as COM1"
