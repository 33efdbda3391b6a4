# SPDX-License-Identifier: GPL-2.0-only
# vmx-pingpong (host half; guest: check_vmx_pingpong in guest/vmx.sh): as
# ivshmem-pingpong on QEMU, COUNT messages each way busy-polling and on
# doorbells, every echo checked by root Linux, both sides' stream
# checksums the one computed here; then bulkhead-bench's VM exits per
# round trip, reported (a polled round trip must not exit: at most 0.5).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

read -r count seed <<<"${CHECK_ARGS:-10000 1}"
s=$seed
for mode in poll block; do
	want=$("$BUILD/guest/cellmsg-xfer" -e -n "$count" -s $s) || fail "cellmsg-xfer -e failed"
	line=$(grep -a "^side 0 (sender, $mode): $count messages, $want" "$W/g.com2" | tr -d '\r')
	[ -n "$line" ] || fail "root side ($mode) did not report '$want'" \
		"($(grep -a '^side ' "$W/g.com2" | tr -d '\r' | tr '\n' ' '))"
	echo "root: $line"
	hv_console_expect g "cellmsg-echo: stream ended after $count messages, $want"
	s=$((s + 1))
done
sed -n '/BENCH-CSV-BEGIN/,/BENCH-CSV-END/p' "$W/g.com2" | tr -d '\r' |
	grep -v 'BENCH-CSV' >"$W/bench.csv"
cat "$W/bench.csv"
for row in poll,8 doorbell,0 irq,8; do
	grep -q "^$row," "$W/bench.csv" || fail "no '$row' row in the benchmark's CSV"
done
# exits_per_rt, mmio_exits_per_rt, inmate_exits_per_rt: columns 9, 10, 12
awk -F, 'NR > 1 { printf "%s/%s: %s exits/rt (%s mmio), inmate %s; ", $1, $2, $9, $10, $12 }' \
	"$W/bench.csv" | sed 's/; $/\n/' | tee "$W/note"
awk -F, '($1 == "poll" || $1 == "raw") && $9 > 0.5 { bad = bad " " $1 "/" $2 " " $9 }
	 END { if (bad) { print bad; exit 1 } }' "$W/bench.csv" >"$W/bad" ||
	fail "polled round trips exit:$(cat "$W/bad") exits/rt"
hv_console_clean g
