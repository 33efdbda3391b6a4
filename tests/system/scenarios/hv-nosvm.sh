# SPDX-License-Identifier: GPL-2.0-only
# hv-nosvm: QEMU CPUs without SVM, without NPT, and an Intel CPU without
# VMX (neither backend): enable fails with a clear message, nothing stays
# loaded, the hypervisor never started; `bulkhead hardware check` names
# the missing feature and exits 1.
source "$(dirname "$0")/../lib.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start nosvm hv-nosvm svm 2 -cpu EPYC,-svm
guest_wait nosvm
guest_start nonpt hv-nosvm npt 2 -cpu EPYC,-npt
guest_wait nonpt
guest_start novmx hv-nosvm vmx 2 -cpu qemu64,vendor=GenuineIntel,-svm
guest_wait novmx
for g in nosvm nonpt novmx; do
	[ ! -s "$W/$g.com1" ] || fail "hypervisor printed on $g: $(head -n 1 "$W/$g.com1")"
done
