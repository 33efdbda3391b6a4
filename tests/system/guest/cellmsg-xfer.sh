# SPDX-License-Identifier: GPL-2.0-only
# Guest half of the cellmsg- scenarios. Args: ROLE(a|b) MODE COUNT SEED
# a has ID 0 and sends, b has ID 1 and echoes; both check every message.
. /tests/guest/lib.sh
role=$1 mode=$2 count=$3 seed=$4

load_uio_ivshmem
case $role in
a) peer=1 ;;
b) peer=0 ;;
*) fail "bad role '$role'" ;;
esac
id=$(own_id)
[ "$id" = $((1 - peer)) ] || fail "own ID is '$id', expected $((1 - peer))"

step "$count messages, mode $mode"
cellmsg-xfer -p $peer -m "$mode" -n "$count" -s "$seed" -t 60000 2>/tmp/xfer.err
rc=$?
cat /tmp/xfer.err
[ $rc = 0 ] || fail "cellmsg-xfer ($mode) failed with exit code $rc: $(head -n 1 /tmp/xfer.err)"
