# SPDX-License-Identifier: GPL-2.0-only
# Guest half of uio-plain. Args: TOKEN HOST_SEED GUEST_SEED
. /tests/guest/lib.sh
token=$1 host_seed=$2 guest_seed=$3

step "load the driver"
load_uio_ivshmem
must ivshmem-ping info
[ "$(cat /sys/class/uio/uio0/maps/map1/size)" = 0x0000000000100000 ] ||
	fail "map1 size is $(cat /sys/class/uio/uio0/maps/map1/size), expected 1 MiB"

step "read what the host wrote"
got=$(ivshmem-ping read 8192)
[ "$got" = "$token" ] || fail "read '$got' at 8192, expected '$token'"
must ivshmem-ping verify 65536 4096 "$host_seed"

step "write for the host"
must ivshmem-ping fill 131072 65536 "$guest_seed"
must ivshmem-ping write 4096 "guest-$token"

step "no interrupt: waiting is refused, not a hang"
# QEMU 7.2's ivshmem-plain has neither MSI-X nor an INTx pin.
dmesg | grep -q "uio_ivshmem.*no interrupt" || fail "driver did not report 'no interrupt'"
expect_rc 2 ivshmem-ping -t 3000 wait
