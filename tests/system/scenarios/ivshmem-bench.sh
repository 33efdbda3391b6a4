# SPDX-License-Identifier: GPL-2.0-only
# ivshmem-bench: bulkhead-bench runs every case against cellmsg-echo and
# checks each echo; its CSV has every case for every size. VM exits are
# counted, not timed: the bare doorbell round trip must take no more MMIO
# exits than its two doorbells and two EOIs (4; root Linux's timer EOIs
# add a little: at most 4.9 here), and a polled round trip (libcellmsg or
# the raw line across the cells) none at all.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g bench "300,100,8:4096" 4
guest_wait g
sed -n '/BENCH-CSV-BEGIN/,/BENCH-CSV-END/p' "$W/g.com2" | tr -d '\r' |
	grep -v 'BENCH-CSV' >"$W/bench.csv"
cat "$W/bench.csv"
for row in floor,64 raw,64 poll,8 adaptive,8 doorbell,0 irq,8 poll,4096 irq,4096; do
	grep -q "^$row," "$W/bench.csv" || fail "no '$row' row in the benchmark's CSV"
done
awk -F, '$1 == "doorbell" && $10 > 4.9 { bad = bad " doorbell " $10 }
	 ($1 == "poll" || $1 == "raw") && $10 > 0.5 { bad = bad " " $1 "/" $2 " " $10 }
	 END { if (bad) { print "MMIO exits per round trip too high:" bad; exit 1 } }' \
	"$W/bench.csv" || fail "$(awk -F, '$1 == "doorbell" || $1 == "poll" || $1 == "raw" { printf "%s/%s: %s mmio/rt; ", $1, $2, $10 }' "$W/bench.csv")"
hv_console_clean g
