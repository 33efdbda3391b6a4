# SPDX-License-Identifier: GPL-2.0-only
# Guest half of hw-check. Args: reserved|none (whether the kernel command
# line has the memmap= reservation)
# `bulkhead hardware check` on -cpu EPYC: SVM and NPT there; with the
# reservation enable can work (exit 0), without it not (exit 1); with the
# system config its hypervisor memory is checked against Linux's RAM.
. /tests/guest/lib.sh
mode=$1

# hwcheck WANT_RC [ARGS]: run it, show it, check the exit code.
hwcheck() {
	want=$1
	shift
	out=$(bulkhead hardware check "$@" 2>&1)
	rc=$?
	echo "$out"
	[ $rc = "$want" ] || fail "hardware check $* exited $rc, expected $want"
}

# has LINE-REGEX: a line of the last output matches.
has() {
	echo "$out" | grep -q "$1" || fail "hardware check lacks '$1'"
}

step "hardware check"
case $mode in
reserved)
	hwcheck 0
	has "^  SVM (AMD-V) *yes$"
	has "^  nested paging (NPT) *yes$"
	has "^  decode assists *no "
	has "^  reservation *0x3a000000-0x3effffff (80 MiB"
	has "^  memory reserved for Bulkhead *yes$"
	has "^Result: enable can work"
	step "hardware check with the system config"
	hwcheck 0 "$BH_SYSCONFIG"
	has "^  hypervisor memory not Linux's *yes$"
	step "and enable does work"
	load_bulkhead
	hv_enable
	step "not while the hypervisor runs"
	hwcheck 1
	has "the hypervisor is enabled"
	hv_disable
	;;
none)
	hwcheck 1
	has "^  SVM (AMD-V) *yes$"
	has "^  memory reserved for Bulkhead *no *NEEDED: no memmap="
	has "^Result: enable cannot work here: 1 needed item missing"
	step "hardware check with the system config"
	hwcheck 1 "$BH_SYSCONFIG"
	has "^  hypervisor memory not Linux's *no *NEEDED: .*is Linux RAM"
	step "and enable fails for the same reason"
	load_bulkhead
	refused "is Linux RAM" bulkhead enable "$BH_SYSCONFIG"
	;;
*)
	fail "bad argument '$mode'"
	;;
esac
