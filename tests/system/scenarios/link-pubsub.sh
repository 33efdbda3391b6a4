# SPDX-License-Identifier: GPL-2.0-only
# link-pubsub: libcellmsg publish/subscribe on a 3-peer ivshmem link
# (root Linux + two link-echo inmates), each subscriber's read position in
# its own output section. An inmate publishes to the other inmate and to
# root Linux, which subscribes late and gets an unbroken tail; root Linux
# publishes to both inmates; a subscriber destroyed mid-stream holds the
# producer up no longer (the state table), the other loses nothing. Every
# message is checked by every subscriber (common/ps_pattern.h).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g link-pubsub "" 4
guest_wait g
hv_console_expect g \
	'link-echo 2: subscribed to peer 1: 50000 messages (0 to 49999), 0 wrong, 0 lost' \
	'link-echo 1: published 50000 messages (WAIT)' \
	'link-echo 1: subscribed to peer 0: 50000 messages (0 to 49999), 0 wrong, 0 lost' \
	'link-echo 2: subscribed to peer 0: 50000 messages (0 to 49999), 0 wrong, 0 lost' \
	'error 0, subscribers at the end: 1'
n=$(hv_console_count g 'link-echo 1: published 50000 messages (WAIT)')
[ "$n" = 2 ] || fail "link-a finished $n publications, expected 2"
hv_console_lacks g 'stopped:|error -|then an error|cannot subscribe|no pub/sub area'
