# SPDX-License-Identifier: GPL-2.0-only
# Guest half of hv-isolation. Args: none
# Under the hypervisor, root Linux reads and writes the hypervisor's
# memory and reads the hypervisor's UART: all refused. After disable the
# same memory reads natively: the image is intact, the write never landed.
# A store into the interrupt window beside the APIC (an MSI: NMI to CPU 3)
# is refused; an access retried 4096 times is reported in a few lines.
. /tests/guest/lib.sh

# probe ARGS...: load bh_probe, print its line, unload it.
probe() {
	insmod /modules/bh_probe.ko "$@" || fail "insmod bh_probe $* failed"
	rmmod bh_probe || fail "rmmod bh_probe failed"
	dmesg | grep 'bh_probe:' | tail -n 1
}

hv_base=0x3a000000
victim=0x3afff000		# last page of the hypervisor memory
image_magic=0x4547414d494842	# "BHIMAGE\0" as a little-endian word

load_bulkhead
hv_enable
step "read of hypervisor memory"
line=$(probe phys=$hv_base)
echo "$line"
case $line in *"read phys $hv_base: refused"*) ;; *) fail "read not refused: $line" ;; esac
step "write of hypervisor memory"
line=$(probe phys=$victim write=1)
echo "$line"
case $line in *"write phys $victim: refused"*) ;; *) fail "write not refused: $line" ;; esac
step "read of the hypervisor's UART (COM1 line status)"
line=$(probe port=0x3fd)
echo "$line"
case $line in *"value 0xff"*) ;; *) fail "port read not refused: $line" ;; esac
step "a CPU store into the MSI window (NMI to CPU 3)"
nmi_before=$(root_nmis)
line=$(probe phys=0xfee03000 write=1 value=0x400)
echo "$line"
case $line in *"write phys 0xfee03000: refused"*) ;; *) fail "MSI store not refused: $line" ;; esac
[ "$(root_nmis)" = "$nmi_before" ] || fail "the MSI store reached a CPU: $(grep NMI /proc/interrupts)"
step "one refused read, retried 4096 times"
line=$(probe phys=$hv_base count=4096)
case $line in *"read phys $hv_base: refused"*) ;; *) fail "retried read not refused: $line" ;; esac
step "Linux still works"
must dd if=/dev/urandom of=/tmp/x bs=4096 count=16 2>/dev/null
must md5sum /tmp/x
hv_disable
step "natively: the image is intact, the write did not land"
line=$(probe phys=$hv_base)
echo "$line"
case $line in *"read phys $hv_base: done (0) value $image_magic"*) ;;
	*) fail "hypervisor image damaged or unreadable: $line" ;; esac
line=$(probe phys=$victim)
echo "$line"
case $line in *"value 0x5afe5afe5afe5afe"*) fail "the refused write reached memory: $line" ;; esac
