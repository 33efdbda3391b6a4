# SPDX-License-Identifier: GPL-2.0-only
# Guest half of hv-cycle. Args: CYCLES
# Enable and disable CYCLES times; the page pool usage seen right after
# each enable must equal the first one's (nothing leaks across cycles).
. /tests/guest/lib.sh
cycles=$1

load_bulkhead
baseline=
for i in $(seq "$cycles"); do
	hv_enable
	used=$(cat /sys/devices/bulkhead/mem_pool_used)
	[ -n "$baseline" ] || baseline=$used
	[ "$used" = "$baseline" ] ||
		fail "cycle $i: pool usage $used pages, first enable had $baseline"
	hv_disable
done
echo "$cycles cycles, pool usage $baseline pages after every enable"
must rmmod bulkhead
