# SPDX-License-Identifier: GPL-2.0-only
# Guest half of link-channels: on the 3-peer link of qemu-q35-link.cell
# (root Linux peer 0, link-a peer 1, link-b peer 2, both running
# link-echo) root Linux streams checked messages to both inmates at once,
# one libcellmsg channel per pair in the pair's output-section slots, both
# busy-polled; each stream's checksum is compared with the one cellmsg-xfer
# computes on its own. Then peer 1 measures round trips with peer 2,
# inmate to inmate, on root Linux's command (link-echo.c: the raw cache
# line, polled libcellmsg, the bare doorbell, libcellmsg in interrupt
# mode), and the
# cells' VM exits are counted around each. In between, peer 2 is
# destroyed and re-created while root Linux streams to peer 1: that
# stream loses nothing, and the new peer 2 talks at once. Args: COUNT
# (the long stream is 10 COUNT), PAIRS (messages on each pair at once)
. /tests/guest/lib.sh
BH_SYSCONFIG=/configs/qemu-q35-link.cell
count=$1
pairs=$2

load_uio_modules
load_bulkhead
hv_enable
uio=/dev/$(ls /sys/bus/pci/devices/0000:00:10.0/uio) || fail "the link device 00:10.0 has no uio"
for peer in a b; do
	must bulkhead cell create /configs/link-$peer.cell
	must bulkhead cell load link-$peer /inmates/link-echo.bin
	must bulkhead cell start link-$peer
done

n=$(ls -d /sys/bus/pci/devices/0000:00:10.0/uio/uio* | sed 's/.*uio//')
seq=0

step "$pairs messages on every pair at once: 0-1, 0-2 and 1-2"
want=$(cellmsg-xfer -e -n "$pairs" -s 5) || fail "cellmsg-xfer -e failed"
seq=$((seq + 1))
# link-echo kind 7: peer 1 streams to peer 2 and checks the echoes
must link-tool $n command 1 $(((seq << 16) | (2 << 8) | 7))
cellmsg-xfer -d $uio -p 1 -m poll -n "$pairs" -s 5 -t 300000 >/tmp/p1.out 2>&1 &
one=$!
cellmsg-xfer -d $uio -p 2 -m poll -n "$pairs" -s 5 -t 300000 >/tmp/p2.out 2>&1 &
two=$!
wait $one
rc1=$?
wait $two
rc2=$?
cat /tmp/p1.out /tmp/p2.out
[ $rc1 = 0 ] || fail "the stream to peer 1 failed (exit $rc1)"
[ $rc2 = 0 ] || fail "the stream to peer 2 failed (exit $rc2)"
for f in /tmp/p1.out /tmp/p2.out; do
	grep -q "^side 0 (sender, poll): $pairs messages, $want" $f ||
		fail "$f: not $pairs messages with '$want'"
done
must link-tool $n wait-word 1 1 $seq

step "peer 2 destroyed and re-created while peer 1's stream runs"
long=$((10 * count))
want3=$(cellmsg-xfer -e -n $long -s 6) || fail "cellmsg-xfer -e failed"
cellmsg-xfer -d $uio -p 1 -m poll -n $long -s 6 -t 120000 >/tmp/p1.out 2>&1 &
one=$!
must bulkhead cell destroy link-b
must bulkhead cell create /configs/link-b.cell
must bulkhead cell load link-b /inmates/link-echo.bin
must bulkhead cell start link-b
wait $one
rc1=$?
cat /tmp/p1.out
[ $rc1 = 0 ] || fail "the stream to peer 1 failed while peer 2 came and went (exit $rc1)"
grep -q "^side 0 (sender, poll): $long messages, $want3" /tmp/p1.out ||
	fail "peer 1's stream lost or changed messages while peer 2 came and went"
must cellmsg-xfer -d $uio -p 2 -m poll -n "$count" -s 7 -t 120000

step "inmate<->inmate round trips: bulkhead-bench -L 1,2"
bulkhead-bench -d $uio -L 1,2 >/tmp/bench.out 2>&1
rc=$?
sed 's/^/BENCH /' /tmp/bench.out
[ $rc = 0 ] || fail "bulkhead-bench -L 1,2 failed (exit $rc)"

must bulkhead cell destroy link-a
must bulkhead cell destroy link-b
hv_disable
