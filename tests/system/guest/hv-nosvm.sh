# SPDX-License-Identifier: GPL-2.0-only
# Guest half of hv-nosvm. Args: MISSING (svm|npt|vmx)
# On a CPU without SVM (or without NPT), or an Intel CPU without VMX,
# enable fails with a message that says so; nothing stays loaded: the
# module unloads cleanly.
. /tests/guest/lib.sh
missing=$1

load_bulkhead
out=$(bulkhead enable /configs/qemu-q35.cell 2>&1)
rc=$?
echo "$out"
[ $rc = 1 ] || fail "enable exited $rc on a CPU without $missing"
case $missing in
svm) want="CPU lacks SVM" ;;
npt) want="CPU lacks nested paging" ;;
vmx) want="CPU lacks VMX (Intel VT-x), and it is no AMD CPU with SVM either" ;;
*) fail "bad argument '$missing'" ;;
esac
case $out in *"$want"*) ;; *) fail "message lacks '$want'" ;; esac
step "hardware check names what is missing"
out=$(bulkhead hardware check 2>&1)
rc=$?
echo "$out"
[ $rc = 1 ] || fail "hardware check exited $rc on a CPU without $missing"
case $missing in
svm) line="SVM (AMD-V) *no *NEEDED" ;;
npt) line="nested paging (NPT) *no *NEEDED" ;;
vmx) line="VMX (Intel VT-x) *no *NEEDED" ;;
esac
echo "$out" | grep -q "^  $line" || fail "hardware check lacks a line '$line'"
echo "$out" | grep -q "^Result: enable cannot work here" || fail "hardware check gave no negative result"
[ "$(cat /sys/devices/bulkhead/enabled)" = 0 ] || fail "enabled after a failed enable"
must rmmod bulkhead
[ ! -e /dev/bulkhead ] || fail "/dev/bulkhead still there after rmmod"
