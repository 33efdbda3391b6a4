# SPDX-License-Identifier: GPL-2.0-only
# Guest half of link-pubsub: publish/subscribe on the 3-peer link of
# qemu-q35-link.cell (root Linux peer 0, link-a peer 1, link-b peer 2,
# both running link-echo; link-echo.c has the commands). Every message of
# the stream (common/ps_pattern.h) is checked by each subscriber.
#   1. link-a publishes 50,000 messages (WAIT) once link-b has subscribed;
#      root Linux subscribes late, while the stream runs: it gets an
#      unbroken tail of it.
#   2. root Linux publishes 50,000 messages (WAIT) to both inmates.
#   3. link-a publishes again; link-b is destroyed in the middle of the
#      stream: the producer stops waiting for it (the state table says it
#      is gone) and root Linux, subscribed from the start, loses nothing.
. /tests/guest/lib.sh
BH_SYSCONFIG=/configs/qemu-q35-link.cell

load_uio_modules
load_bulkhead
hv_enable
n=$(ls -d /sys/bus/pci/devices/0000:00:10.0/uio/uio* | sed 's/.*uio//') ||
	fail "the link device 00:10.0 has no uio"
uio=/dev/uio$n
for peer in a b; do
	must bulkhead cell create /configs/link-$peer.cell
	must bulkhead cell load link-$peer /inmates/link-echo.bin
	must bulkhead cell start link-$peer
done
must link-tool $n wait-state 1 1
must link-tool $n wait-state 2 1

# command PEER SEQ TARGET KIND: link-echo's command word (link-echo.c).
command() {
	must link-tool $n command $1 $((($2 << 16) | ($3 << 8) | $4))
}
done_wait() {
	must link-tool $n wait-word $1 1 $2
}

step "link-a publishes, link-b subscribed, root Linux comes late"
command 2 1 1 6			# link-b: subscribe to peer 1
command 1 1 1 5			# link-a: publish once 1 subscriber is there
sleep 0.3
cellmsg-ps -d $uio sub 1 >/tmp/late.out 2>&1
rc=$?
cat /tmp/late.out
[ $rc = 0 ] || fail "root Linux's late subscription failed (exit $rc)"
done_wait 1 1
done_wait 2 1
first=$(sed -n 's/.*messages (\([0-9]*\) to .*/\1/p' /tmp/late.out)
[ -n "$first" ] && [ "$first" -gt 0 ] || fail "root Linux was not late: it got the stream from $first"
grep -q "to 49999), 0 wrong, 0 lost" /tmp/late.out || fail "root Linux did not get the stream's tail whole"

step "root Linux publishes to both inmates"
command 1 2 0 6
command 2 2 0 6
cellmsg-ps -d $uio pub 50000 2 >/tmp/pub.out 2>&1
rc=$?
cat /tmp/pub.out
[ $rc = 0 ] || fail "root Linux's publication failed (exit $rc)"
done_wait 1 2
done_wait 2 2

step "link-a publishes; link-b is destroyed in the middle"
command 2 3 1 6
command 1 3 2 5			# both subscribers first
cellmsg-ps -d $uio sub 1 >/tmp/whole.out 2>&1 &
sub=$!
sleep 0.4
must bulkhead cell destroy link-b
wait $sub
rc=$?
cat /tmp/whole.out
[ $rc = 0 ] || fail "root Linux's subscription failed when link-b went (exit $rc)"
grep -q "50000 messages (0 to 49999), 0 wrong, 0 lost" /tmp/whole.out ||
	fail "root Linux lost messages when link-b went"
done_wait 1 3
must bulkhead cell destroy link-a
hv_disable
