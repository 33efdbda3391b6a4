# SPDX-License-Identifier: GPL-2.0-only
# Guest half of hv-console. Args: none
# The hypervisor's log from root Linux: `bulkhead console` while it runs
# (copied to /tmp for the host to compare with COM1), `-f` following a
# cell's output as it comes, the log kept after disable, and the lines of
# a failed cell create under its error.
. /tests/guest/lib.sh

load_bulkhead
step "no log before the first enable"
out=$(bulkhead console) || fail "bulkhead console failed before any enable"
[ -z "$out" ] || fail "a log before any enable: $out"
hv_enable
step "console -f follows the cell"
bulkhead console -f > /tmp/follow.txt &
follower=$!
must bulkhead cell create /configs/apic-demo.cell
must bulkhead cell load apic-demo /inmates/apic-demo.bin
must bulkhead cell start apic-demo
must sleep 3
must bulkhead cell destroy apic-demo
must sleep 1
kill $follower
wait $follower
grep -q 'Started cell "apic-demo"' /tmp/follow.txt || fail "console -f missed the start"
grep -q '^Timer fired' /tmp/follow.txt || fail "console -f missed the inmate's output"
grep -q 'Closing cell "apic-demo"' /tmp/follow.txt || fail "console -f missed the destroy"
step "a refused cell shows the hypervisor's reason"
must bh-cfgtool mutate-cell rootmem /configs/apic-demo.cell /tmp/bad.cell
out=$(bulkhead cell create /tmp/bad.cell 2>&1)
rc=$?
echo "$out"
[ $rc = 1 ] || fail "cell create over Linux's memory exited $rc, expected 1"
case $out in *"hypervisor's console said"*"overlaps the root cell's memory region"*) ;;
*) fail "the hypervisor's reason is not under the cell create error" ;; esac
step "the log after disable"
hv_disable
echo "== log begin"
bulkhead console || fail "bulkhead console failed after disable"
echo "== log end"
step "no serial port configured: the log is still there"
must bh-cfgtool mutate nouart "$BH_SYSCONFIG" /tmp/nouart.cell
out=$(bulkhead enable /tmp/nouart.cell 2>&1) || fail "enable without a UART failed: $out"
out=$(bulkhead console) || fail "bulkhead console failed without a UART"
case $out in *"Initializing Bulkhead hypervisor"*"Activating hypervisor"*) ;;
*) fail "no log without a UART: $out" ;; esac
hv_disable
