# SPDX-License-Identifier: GPL-2.0-only
# uio-plain: one guest with ivshmem-plain backed by a host file. The guest
# reads what the host wrote and writes a pattern through /dev/uioN; the host
# checks the file holds it. Also checks the INTx path (no MSI-X here).
source "$(dirname "$0")/../lib.sh"

shm=$W/shm.img
token=host$RANDOM$RANDOM
host_seed=$RANDOM guest_seed=$((RANDOM + 1))
truncate -s 1M "$shm"
"$BUILD/tools/ivshmem-ping" -f "$shm" write 8192 "$token" >/dev/null || fail "host write"
"$BUILD/tools/ivshmem-ping" -f "$shm" fill 65536 4096 "$host_seed" >/dev/null || fail "host fill"

guest_start plain uio-plain "$token,$host_seed,$guest_seed" 4 \
	-object "memory-backend-file,id=hm,share=on,mem-path=$shm,size=1M" \
	-device ivshmem-plain,memdev=hm
guest_wait plain

"$BUILD/tools/ivshmem-ping" -f "$shm" verify 131072 65536 "$guest_seed" ||
	fail "the guest's pattern is not in the host file"
got=$("$BUILD/tools/ivshmem-ping" -f "$shm" read 4096)
[ "$got" = "guest-$token" ] || fail "host file holds '$got' at 4096, expected 'guest-$token'"
# The pattern must be exactly where the guest put it, not beside it.
"$BUILD/tools/ivshmem-ping" -f "$shm" verify 131072 65537 "$guest_seed" 2>/dev/null &&
	fail "pattern runs past its end: the check cannot tell"
exit 0
