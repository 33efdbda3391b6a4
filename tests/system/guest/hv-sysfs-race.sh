# SPDX-License-Identifier: GPL-2.0-only
# Guest half of hv-sysfs-race. Args: CYCLES
# Readers on every CPU read each file under /sys/devices/bulkhead/cells/0
# (state, cpus_failed, statistics/cpu*/*: the ones that ask the hypervisor)
# and the pool counters in a tight loop while the hypervisor is enabled
# and disabled CYCLES times. A show() that issued its hypercall after the
# CPUs had left the hypervisor would execute VMMCALL natively: #UD, an
# oops in the reader. Afterwards every reader must still be alive and the
# kernel log free of oopses.
. /tests/guest/lib.sh
cycles=$1
top=/sys/devices/bulkhead

load_bulkhead
hv_enable
# The file list while the tree exists; later the files come and go.
files=$(find $top/cells/0 -type f | sort)
nstat=$(echo "$files" | grep -c /statistics/)
[ "$nstat" -ge 36 ] || fail "only $nstat statistics files under $top/cells/0"
files="$files $top/mem_pool_used $top/mem_pool_size $top/enabled"
hv_disable

# read_all: one pass, without forking (read is a shell builtin), so the
# pass is short and the window is hit often. Missing files just fail.
read_all() {
	for f in $files; do
		read -r v <"$f"
	done 2>/dev/null
}

# One reader pinned to each CPU: CPUs leave the hypervisor one by one.
pids=
for c in 0 1 2 3; do
	( while :; do read_all; done ) &
	must taskset -p -c $c $! >/dev/null
	pids="$pids $!"
done

for i in $(seq "$cycles"); do
	hv_enable
	hv_disable
done

for p in $pids; do
	kill -0 "$p" 2>/dev/null || fail "reader $p died: $(dmesg | grep -m1 -E 'invalid opcode|Oops|BUG')"
done
kill $pids
wait 2>/dev/null
bad=$(dmesg | grep -m3 -E 'invalid opcode|Oops|BUG|WARNING: CPU')
[ -z "$bad" ] || fail "kernel complained: $bad"
echo "$cycles cycles with 4 readers of $(echo $files | wc -w) files: no oops"
must rmmod bulkhead
