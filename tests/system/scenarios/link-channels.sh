# SPDX-License-Identifier: GPL-2.0-only
# link-channels: libcellmsg on a 3-peer ivshmem link (root Linux + two
# link-echo inmates): a channel per pair of peers, its halves in slots of
# the two peers' output sections (each peer writes only its own section,
# as nested paging and uio enforce), two checked streams at once from
# root Linux, one to each inmate; each inmate reports its count, and no
# CPU is stopped for a write into another peer's section.
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
	"link-echo 2: peer 0: $count messages echoed"
hv_console_clean g
