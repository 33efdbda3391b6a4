# SPDX-License-Identifier: GPL-2.0-only
# Shared by the hv- scenarios (sourced after lib.sh): checks of the
# hypervisor's console, which is the guest's COM1 (file NAME.com1).

# hv_console_expect NAME TEXT...: each TEXT must appear on the console.
hv_console_expect() {
	local name=$1 text
	shift
	for text in "$@"; do
		grep -aqF -- "$text" "$W/$name.com1" ||
			fail "hypervisor console lacks '$text' (see $W/$name.com1)"
	done
}

# hv_console_count NAME TEXT: how often TEXT appears.
hv_console_count() {
	grep -acF -- "$2" "$W/$1.com1"
}

# hv_cell_exits NAME REASON: the count of REASON in the first
# `bulkhead cell stats` table after a `== cell stats` step on Linux's
# console (NAME.com2): a row per reason, the last column the total.
hv_cell_exits() {
	tr -d '\r' <"$W/$1.com2" | sed -n '/^== cell stats/,$p' |
		awk -v r="$2" '$1 == r { print $NF; exit }'
}

# hv_console_lacks NAME REGEX: no line of the hypervisor's console
# matches REGEX (extended); else fail with the first three that do.
hv_console_lacks() {
	local bad
	bad=$(grep -aE "$2" "$W/$1.com1" | head -n 3)
	[ -z "$bad" ] || fail "hypervisor reported: $bad"
}

# hv_console_clean NAME: no CPU was stopped and nothing was refused.
hv_console_clean() {
	hv_console_lacks "$1" 'stopped:|refused|FAILED|Config problem'
}

# hv_console_cycles NAME N: the hypervisor was activated and shut down N times.
hv_console_cycles() {
	local name=$1 want=$2 n
	n=$(hv_console_count "$name" "Activating hypervisor")
	[ "$n" = "$want" ] || fail "hypervisor activated $n times, expected $want"
	n=$(hv_console_count "$name" "Shutting down hypervisor")
	[ "$n" = "$want" ] || fail "hypervisor shut down $n times, expected $want"
}
