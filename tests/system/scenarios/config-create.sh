# SPDX-License-Identifier: GPL-2.0-only
# config-create: `bulkhead config create` in QEMU guests generates the
# running machine's system config; on the tests' machine it reproduces
# configs/x86/qemu-q35.c (the guest compares the blobs, the host compiles
# the generated C and compares it with the build's qemu-q35.cell, also
# with the 3-peer link), on others (-m 2G -smp 6 and an extra PCI device;
# one serial port, Linux's, so the hypervisor logs to memory only) the
# generated C compiles to the blob the guest made; each enables, runs a
# cell and 2,000 checked messages through ivshmem.
source "$(dirname "$0")/../lib.sh"
src=$(cd "$(dirname "$0")/../../.." && pwd)

# compile NAME: the C the guest printed, compiled as `make configs` does.
compile() {
	tr -d '\r' <"$W/$1.com2" | sed -n '/^== generated C begin/,/^== generated C end/p' |
		sed '1d;$d' >"$W/$1.c"
	[ -s "$W/$1.c" ] || fail "$1: no generated C on the console"
	cc -std=gnu11 -Wall -Werror -I"$src/include" -c -o "$W/$1.o" "$W/$1.c" ||
		fail "$1: the generated C does not compile"
	objcopy -O binary -j .bhconfig "$W/$1.o" "$W/$1.cell"
}

GUEST_APPEND=$HV_MEMMAP
guest_start q35 config-create q35 4
guest_wait q35
compile q35
cmp "$W/q35.cell" "$BUILD/configs/qemu-q35.cell" ||
	fail "the generated C does not compile to configs/x86/qemu-q35.c's blob"

# same_blob NAME: the C compiled here is the blob the guest generated.
same_blob() {
	local want
	want=$(tr -d '\r' <"$W/$1.com2" | sed -n 's/^generated blob sha256 //p')
	[ "$(sha256sum <"$W/$1.cell" | cut -d' ' -f1)" = "$want" ] ||
		fail "$1: the generated C and the generated blob differ"
}

GUEST_MEM=2G
guest_start big config-create other 6 -device edu
guest_wait big
compile big
same_blob big
grep -q '0x80000000' "$W/big.c" || fail "-m 2G: RAM up to 2 GiB is not in the generated config"
grep -q '\.cpus = { 0x3f }' "$W/big.c" || fail "-smp 6: the generated config does not give root CPUs 0-5"

GUEST_MEM=1G GUEST_SERIALS=1
guest_start one config-create one-serial 4
guest_wait one
compile one
same_blob one
! grep -q 'debug_console' "$W/one.c" || fail "one serial port (Linux's): the hypervisor got a UART"
grep -q '{ .base = 0x0, .length = 0x8000 }' "$W/one.c" || fail "one serial port: root lacks ports"
[ ! -s "$W/one.com1" ] || fail "a COM1 log on the one-port machine"
