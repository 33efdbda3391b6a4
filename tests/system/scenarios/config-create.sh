# SPDX-License-Identifier: GPL-2.0-only
# config-create: `bulkhead config create` in QEMU guests generates the
# running machine's system config; on the tests' machine it reproduces
# configs/x86/qemu-q35.c (the guest compares the blobs, the host compiles
# the generated C and compares it with the build's qemu-q35.cell), on
# another (-m 2G, an extra PCI device) the generated C compiles to the
# blob the guest made; both enable, run a cell and 2,000 checked messages
# through ivshmem.
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

GUEST_MEM=2G
guest_start big config-create other 4 -device edu
guest_wait big
compile big
want=$(tr -d '\r' <"$W/big.com2" | sed -n 's/^generated blob sha256 //p')
[ "$(sha256sum <"$W/big.cell" | cut -d' ' -f1)" = "$want" ] ||
	fail "on -m 2G the generated C and the generated blob differ"
grep -q '0x80000000' "$W/big.c" || fail "-m 2G: RAM up to 2 GiB is not in the generated config"
