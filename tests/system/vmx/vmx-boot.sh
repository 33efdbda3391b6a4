# SPDX-License-Identifier: GPL-2.0-only
# vmx-boot (host half; guest: check_vmx_boot in guest/vmx.sh): Linux booted
# in Bochs on every CPU, saw VMX with EPT and the machine bochs-i440fx.c
# describes, loaded bulkhead.ko; nothing but the section marker reached
# COM1, since the hypervisor never ran.
source "$(dirname "$0")/../lib.sh"

extra=$(grep -av 'BULKHEAD-SECTION' "$W/g.com1" | grep -av '^[[:space:]]*$' | head -n 1)
[ -z "$extra" ] || fail "COM1 has output with no hypervisor running: $extra"
grep -a 'vmx flags' "$W/g.com2" | head -n 1 || true
grep -a 'PM-Timer\|BIOS-e820' "$W/g.com2" || true
