# SPDX-License-Identifier: GPL-2.0-only
# Guest half of platform experiments (no scenario runs it yet): reports
# what the machine gives Linux: CPU flags, APIC mode, IOMMU and interrupt
# remapping, PCI devices; then runs edu-dma commands.
# Args: [EDU-DMA ARGS [+ EDU-DMA ARGS]...] (commas on the kernel command
# line: bh.args=selftest,+,read,0x1000,16).
. /tests/guest/lib.sh
step "uptime $(cut -d' ' -f1 /proc/uptime) s"
flags=$(grep -m1 '^flags' /proc/cpuinfo)
for f in x2apic svm npt nrip_save avic; do
	case " $flags " in *" $f "*) echo "cpu flag $f: yes" ;; *) echo "cpu flag $f: no" ;; esac
done
dmesg | grep -iE 'x2apic|AMD-Vi|DMAR|IOMMU|remap|IR:' | head -40
step "PCI devices"
for d in /sys/bus/pci/devices/*; do
	drv=$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)
	grp=$(basename "$(readlink "$d/iommu_group" 2>/dev/null)" 2>/dev/null)
	echo "${d##*/} $(cat "$d/vendor"):$(cat "$d/device") class $(cat "$d/class") driver ${drv:--} group ${grp:--}"
done
for d in /sys/kernel/iommu_groups/*; do
	[ -e "$d/type" ] && echo "iommu group ${d##*/}: $(cat "$d/type")"
done 2>/dev/null | head -5
grep -E 'IR-|PCI-MSI|APIC' /proc/interrupts | head -8

run_edu() {
	[ $# -gt 0 ] || return 0
	step "edu-dma $*"
	edu-dma "$@"
	echo "edu-dma exit $?"
}
cmd=
for a in "$@"; do
	if [ "$a" = + ]; then
		# shellcheck disable=SC2086
		run_edu $cmd
		cmd=
	else
		cmd="$cmd $a"
	fi
done
# shellcheck disable=SC2086
run_edu $cmd
if [ $# -gt 0 ]; then
	sleep 0.2
	step "IOMMU faults in dmesg"
	dmesg | grep -iE 'IO_PAGE_FAULT|DMAR.*fault|iommu.*fault|Event logged|AMD-Vi:.*(event|fault)' | head -10
fi
step "uptime $(cut -d' ' -f1 /proc/uptime) s"
