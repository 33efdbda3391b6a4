# SPDX-License-Identifier: GPL-2.0-only
# Guest half of hv-badconfig. Args: none
# Each broken config is refused by the CLI with a clear line, and again by
# the driver or the hypervisor when the CLI is bypassed (raw ioctl); the
# hypervisor stays off and Linux keeps running. A good config still works.
# ram-short (a root cell without Linux's kernel) only the driver can see.
. /tests/guest/lib.sh
good=/configs/qemu-q35.cell

# check KIND CLI_TEXT RAW_TEXT [LOG_TEXT: in bulkhead console after the raw enable]
check() {
	kind=$1 cli_text=$2 raw_text=$3 bad=/tmp/bad-$1.cell
	step "$kind"
	must bh-cfgtool mutate "$kind" $good $bad
	out=$(bulkhead enable $bad 2>&1)
	rc=$?
	echo "$out"
	[ $rc = 1 ] || fail "$kind: bulkhead enable exited $rc, expected 1"
	case $out in *"$cli_text"*) ;; *) fail "$kind: CLI message lacks '$cli_text'" ;; esac
	out=$(bh-cfgtool raw-enable $bad) || fail "$kind: raw enable was accepted"
	echo "$out"
	case $out in *"$raw_text"*) ;; *) fail "$kind: driver reason lacks '$raw_text'" ;; esac
	[ "$(cat /sys/devices/bulkhead/enabled)" = 0 ] || fail "$kind: left enabled"
	# What the hypervisor said about a config it refused stays readable.
	if [ -n "$4" ]; then
		out=$(bulkhead console) || fail "$kind: bulkhead console failed after the refused enable"
		case $out in *"$4"*) ;; *) fail "$kind: bulkhead console lacks '$4'" ;; esac
	fi
	must ls / >/dev/null
}

load_bulkhead
check magic "not a system config" "not a Bulkhead system config"
check revision "revision" "config revision"
check overlap "overlaps" "the hypervisor refused to start" "Config problem: "
check outside "hypervisor memory" "is Linux RAM: reserve it with memmap="
# Linux's kernel outside the root cell: without the driver's check root
# Linux faulted on its own memory forever once it ran as the root cell.
check ram-short "does not cover Linux RAM" \
	'root cell "qemu-q35" does not cover Linux RAM 0x1000000-0x39ffffff: add it to the root cell'"'"'s memory regions'
# (The x2APIC machine has the IOMMU: x2apic-root checks the converse.)
if [ "$BH_MACHINE" != x2apic ]; then
	step "a config naming an IOMMU this machine does not have"
	refused "refused to start" bulkhead enable /configs/qemu-q35-iommu.cell
	# The hypervisor's reason, under the error, with no serial cable.
	case $out in *"hypervisor's console said"*"no VT-d unit answers at 0xfed90000"*) ;;
	*) fail "enable with an absent IOMMU: the hypervisor's reason is not on the terminal" ;; esac
	[ "$(cat /sys/devices/bulkhead/enabled)" = 0 ] || fail "enabled without the config's IOMMU"
fi
step "the good config still enables"
hv_enable
hv_disable
