# SPDX-License-Identifier: GPL-2.0-only
# link-channels: libcellmsg on a 3-peer ivshmem link (root Linux + two
# link-echo inmates): a channel per pair of peers, its halves in slots of
# the two peers' output sections (each peer writes only its own section,
# as nested paging and uio enforce), two checked streams at once from
# root Linux, one to each inmate; each inmate reports its count, and no
# CPU is stopped for a write into another peer's section. A peer
# destroyed and re-created does not disturb the stream to the other one
# (nothing lost, nothing stale: checksums). Then inmate to
# inmate round trips (peer 1 with peer 2, no root Linux in the path):
# the raw cache line, polled libcellmsg, the bare doorbell (at most 4 MMIO exits per round
# trip: two doorbell writes, two EOIs in xAPIC mode), libcellmsg in
# interrupt mode; the figures go to the note (measured, not asserted).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

count=20000
GUEST_APPEND=$HV_MEMMAP
guest_start g link-channels "$count" 4
guest_wait g
hv_console_expect g \
	'link-echo 1: channels with the other 2 peers open' \
	'link-echo 2: channels with the other 2 peers open' \
	"link-echo 1: peer 0: $count messages echoed" \
	"link-echo 2: peer 0: $count messages echoed" \
	"link-echo 1: peer 0: $((10 * count)) messages echoed"
# The long stream ended after peer 2 was back: the two overlapped.
restarted=$(grep -an 'Started cell "link-b"' "$W/g.com1" | sed -n 2p | cut -d: -f1)
ended=$(grep -an "link-echo 1: peer 0: $((10 * count)) messages echoed" "$W/g.com1" | cut -d: -f1)
[ -n "$restarted" ] && [ "$ended" -gt "$restarted" ] ||
	fail "the long stream to peer 1 ended (console line $ended) before peer 2 was back (line $restarted): no overlap"
hv_console_clean g
note=
for kind in 4 1 2 3; do
	case $kind in 1) name="poll 8 B" ;; 2) name=doorbell ;; 3) name="irq 8 B" ;; 4) name="raw 64 B" ;; esac
	line=$(grep -a "^link-echo 1 -> 2: $name:" "$W/g.com1" | tr -d '\r' | tail -n 1)
	[ -n "$line" ] || fail "no inmate<->inmate result for $name"
	rts=$(echo "$line" | sed -n 's/.*: \([0-9]*\) round trips.*/\1/p')
	lost=$(echo "$line" | sed -n 's/.*, \([0-9]*\) lost$/\1/p')
	[ "$lost" = 0 ] || fail "$name: $lost round trips lost: $line"
	exits=$(tr -d '\r' <"$W/g.com2" | sed -n "s/^BENCH kind $kind exits //p")
	per=$(awk -v e="$exits" -v n="$rts" 'BEGIN { printf "%.2f", e / n }')
	note="$note${line#link-echo 1 -> 2: }, $per MMIO exits per round trip (both inmates)
"
	if [ $kind = 2 ]; then
		awk -v p="$per" 'BEGIN { exit !(p <= 4.2) }' ||
			fail "bare doorbell: $per MMIO exits per round trip, want at most 4"
	fi
done
printf '%s' "$note" | tee "$W/note"
