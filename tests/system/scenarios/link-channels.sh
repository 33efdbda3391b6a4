# SPDX-License-Identifier: GPL-2.0-only
# link-channels: libcellmsg on a 3-peer ivshmem link (root Linux + two
# link-echo inmates): a channel per pair of peers, its halves in slots of
# the two peers' output sections (each peer writes only its own section,
# as nested paging and uio enforce), 100,000 checked messages on every
# pair at once (root Linux to each inmate, peer 1 to peer 2, each echo
# checked); each inmate reports its count, and no
# CPU is stopped for a write into another peer's section. A peer
# destroyed and re-created does not disturb the stream to the other one
# (nothing lost, nothing stale: checksums). Then inmate to
# inmate round trips (peer 1 with peer 2, no root Linux in the path):
# the raw cache line, polled libcellmsg, the bare doorbell (at most 4 MMIO exits per round
# trip: two doorbell writes, two EOIs in xAPIC mode), libcellmsg in
# interrupt mode, and the hypervisor's own time per exit (exit_cycles);
# the figures go to the note (measured, not asserted), beside the floor
# of one exit measured in the same run (a CPUID; an emulated MMIO read),
# each of which must take exactly one exit of its kind.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

count=20000 pairs=100000
GUEST_APPEND=$HV_MEMMAP
GUEST_TIMEOUT=400
guest_start g link-channels "$count,$pairs" 4
guest_wait g
hv_console_expect g \
	'link-echo 1: channels with the other 2 peers open' \
	'link-echo 2: channels with the other 2 peers open' \
	"link-echo 1: peer 0: $pairs messages echoed" \
	"link-echo 2: peer 0: $pairs messages echoed" \
	"link-echo 1 -> 2: stream: $pairs messages sent, $pairs echoed, 0 wrong" \
	"link-echo 1: peer 0: $((10 * count)) messages echoed"
# The long stream ended after peer 2 was back: the two overlapped.
restarted=$(grep -an 'Started cell "link-b"' "$W/g.com1" | sed -n 2p | cut -d: -f1)
ended=$(grep -an "link-echo 1: peer 0: $((10 * count)) messages echoed" "$W/g.com1" | cut -d: -f1)
[ -n "$restarted" ] && [ "$ended" -gt "$restarted" ] ||
	fail "the long stream to peer 1 ended (console line $ended) before peer 2 was back (line $restarted): no overlap"
hv_console_clean g
# bulkhead-bench -L's rows (the figures link-echo left in its result
# block) against link-echo's own console lines for the same runs.
note=
for name in "null exit" "mmio read" "raw 64 B" "poll 8 B" doorbell "irq 8 B"; do
	row=$(tr -d '\r' <"$W/g.com2" | sed -n "s/^BENCH $name  *//p" | tail -n 1)
	[ -n "$row" ] || fail "bulkhead-bench printed no row for $name"
	set -- $row		# round trips, p50, p99, max (us), lost, exits per trip, hv us per exit
	line=$(grep -a "^link-echo 1 -> 2: $name:" "$W/g.com1" | tr -d '\r' | tail -n 1)
	[ -n "$line" ] || fail "no inmate<->inmate result for $name on the console"
	p50=$(echo "$line" | sed -n 's/.*p50 \([0-9]*\) ns.*/\1/p')
	awk -v a="$2" -v b="$p50" 'BEGIN { exit !(a * 1000 - b < 10 && b - a * 1000 < 10) }' ||
		fail "$name: bulkhead-bench says p50 $2 us, link-echo $p50 ns"
	[ "$5" = 0 ] || fail "$name: $5 round trips lost"
	what=MMIO
	[ "$name" = "null exit" ] && what=CPUID
	note="$note$name: $1 round trips, p50 $2 us, p99 $3 us, max $4 us, $6 $what exits per round trip (both inmates), hypervisor $7 us per exit
"
	# The floor cases take exactly one exit each, of their own kind.
	case $name in "null exit"|"mmio read")
		awk -v p="$6" 'BEGIN { exit !(p >= 0.99 && p <= 1.01) }' ||
			fail "$name: $6 $what exits per round trip, want 1";;
	esac
	if [ "$name" = doorbell ]; then
		awk -v p="$6" 'BEGIN { exit !(p <= 4.2) }' ||
			fail "bare doorbell: $6 MMIO exits per round trip, want at most 4"
		awk -v h="$7" 'BEGIN { exit !(h > 0) }' ||
			fail "bare doorbell: the hypervisor's time per exit reads '$7' us (exit_cycles)"
	fi
done
printf '%s' "$note" | tee "$W/note"
