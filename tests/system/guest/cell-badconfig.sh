# SPDX-License-Identifier: GPL-2.0-only
# Guest half of cell-badconfig. Args: none
# Memory over Linux's kernel, a CPU that does not exist, a CPU given to two
# cells, a region at guest-physical 2^63, an image larger than its
# region: each refused with a clear error
# and nothing leaked (pool usage, CPUs online, cells in sysfs).
. /tests/guest/lib.sh

load_bulkhead
hv_enable
baseline=$(cat /sys/devices/bulkhead/mem_pool_used)

step "memory over Linux's kernel"
must bh-cfgtool mutate-cell rootmem /configs/tiny-demo.cell /tmp/rootmem.cell
refused "overlaps the root cell's memory" bulkhead config check /configs/qemu-q35.cell /tmp/rootmem.cell
refused "refused" bulkhead cell create /tmp/rootmem.cell
no_leak rootmem

step "a CPU that does not exist"
must bh-cfgtool mutate-cell nocpu /configs/tiny-demo.cell /tmp/nocpu.cell
refused "CPU 5 does not exist" bulkhead config check /configs/qemu-q35.cell /tmp/nocpu.cell
refused "CPU 5" bulkhead cell create /tmp/nocpu.cell
no_leak nocpu

step "a CPU given to two cells"
must bh-cfgtool mutate-cell twin /configs/tiny-demo.cell /tmp/twin.cell
refused "CPU 3" bulkhead config check /configs/qemu-q35.cell /configs/tiny-demo.cell /tmp/twin.cell
must bulkhead cell create /configs/tiny-demo.cell
refused "CPU 3" bulkhead cell create /tmp/twin.cell
must bulkhead cell destroy tiny-demo
no_leak twin

step "a region seen at guest-physical 2^63 (past the CLI)"
must bh-cfgtool mutate-cell gpa-huge /configs/tiny-demo.cell /tmp/huge.cell
out=$(bh-cfgtool raw-create /tmp/huge.cell) || fail "a region at 2^63 was accepted: $out"
echo "$out"
no_leak gpa-huge

step "an image larger than its region"
must dd if=/dev/zero of=/tmp/big.bin bs=1024 count=2048 2>/dev/null
must bulkhead cell create /configs/tiny-demo.cell
refused "larger than its region" bulkhead cell load tiny-demo /tmp/big.bin
must bulkhead cell destroy tiny-demo
no_leak bigimage

step "a good cell still runs"
must bulkhead cell create /configs/tiny-demo.cell
must bulkhead cell load tiny-demo /inmates/tiny-demo.bin
must bulkhead cell start tiny-demo
must bulkhead cell destroy tiny-demo
no_leak good
hv_disable
