# SPDX-License-Identifier: GPL-2.0-only
. /tests/guest/lib.sh
load_bulkhead
step "enable"
hv_enable
cat /sys/devices/bulkhead/mem_pool_used
step "still alive"
ls /
step "disable"
hv_disable
echo done
