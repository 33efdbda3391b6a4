# SPDX-License-Identifier: GPL-2.0-only
# Turns libcellmsg/API.md into one man3 page per documented function, so
# the reference is written once: every "### name()" section under a
# "## ... (header.h)" heading becomes OUT/name.3 (SYNOPSIS from its C
# block, DESCRIPTION from its text, SEE ALSO from the calls it names);
# a heading naming several functions gets a page for the first and
# ".so" pages for the rest. Sections of headers in SKIP (comma-separated;
# inmate.h: not in the installed library) make no pages.
# Usage: awk -v out=DIR -v version=V -v date=YYYY-MM-DD [-v skip=inmate.h] -f api2man.awk API.md
# Prints the pages it wrote, one per line; with -v list_only=1 it writes
# nothing and prints the functions' names (make uninstall's list).

function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }

# Markdown inline markup to troff, for one line of running text.
function inline(s,    r, code, t) {
	gsub(/\\/, "\\e", s)
	r = ""
	while (match(s, /`[^`]*`/)) {
		code = substr(s, RSTART + 1, RLENGTH - 2)
		gsub(/-/, "\\-", code)	# a minus sign, as typed
		r = r substr(s, 1, RSTART - 1) "\\fB" code "\\fR"
		s = substr(s, RSTART + RLENGTH)
	}
	s = r s
	r = ""
	while (match(s, /\*\*[^*]+\*\*/)) {
		r = r substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 2, RLENGTH - 4) "\\fR"
		s = substr(s, RSTART + RLENGTH)
	}
	s = r s
	# [text](target) keeps the text.
	while (match(s, /\[[^]]*\]\([^)]*\)/)) {
		t = substr(s, RSTART, RLENGTH)
		sub(/\]\(.*/, "", t)
		s = substr(s, 1, RSTART - 1) substr(t, 2) substr(s, RSTART + RLENGTH)
	}
	# A line may not start with a control character.
	if (s ~ /^[.']/)
		s = "\\&" s
	return s
}

# The first sentence of the description, plain, for NAME.
function summary(text,    s) {
	s = text
	gsub(/`|\*\*/, "", s)
	gsub(/\[|\]\([^)]*\)/, "", s)
	if (match(s, /\.( |$)/))
		s = substr(s, 1, RSTART - 1)
	gsub(/\\/, "\\e", s)
	return s
}

function flush(    i, page, see, seen, f, line, inbullet, first) {
	if (nfuncs == 0)
		return
	if (list_only) {
		for (i = 1; i <= nfuncs; i++)
			print funcs[i]
		nfuncs = 0
		return
	}
	page = out "/" funcs[1] ".3"
	print ".\\\" Generated from libcellmsg/API.md by mk/api2man.awk: edit that file." > page
	print ".TH " toupper(funcs[1]) " 3 \"" date "\" \"libcellmsg " version "\" \"libcellmsg Manual\"" > page
	print ".SH NAME" > page
	line = funcs[1]
	for (i = 2; i <= nfuncs; i++)
		line = line ", " funcs[i]
	first = ""
	for (i = 1; i <= nbody && body[i] != ""; i++)
		first = first (first == "" ? "" : " ") body[i]
	print line " \\- " summary(first) > page
	print ".SH SYNOPSIS" > page
	print ".nf" > page
	print ".B #include <cellmsg/" header ">" > page
	print ".PP" > page
	for (i = 1; i <= nsyn; i++) {
		line = syn[i]
		gsub(/\\/, "\\e", line)
		if (line ~ /^[.']/)
			line = "\\&" line
		print line > page
	}
	print ".fi" > page
	print ".SH DESCRIPTION" > page
	inbullet = 0
	for (i = 1; i <= nbody; i++) {
		line = body[i]
		if (line == CODE_ON || line == CODE_OFF) {
			print (line == CODE_ON ? ".PP\n.EX" : ".EE") > page
		} else if (substr(line, 1, 1) == CODE) {
			line = substr(line, 2)
			gsub(/\\/, "\\e", line)
			if (line ~ /^[.']/)
				line = "\\&" line
			print line > page
		} else if (line == "") {
			print ".PP" > page
			inbullet = 0
		} else if (line ~ /^- /) {
			print ".IP \\(bu 2" > page
			print inline(substr(line, 3)) > page
			inbullet = 1
		} else if (match(line, /^[0-9]+\. /)) {
			print ".IP " substr(line, 1, RLENGTH - 1) " 3" > page
			print inline(substr(line, RLENGTH + 1)) > page
			inbullet = 1
		} else if (line ~ /^[ \t]/) {
			# A list item's continuation (or stray indent): troff would break.
			print inline(trim(line)) > page
		} else {
			print inline(line) > page
		}
	}
	# SEE ALSO: the calls the text names, then the overview.
	split("", seen)
	for (i = 1; i <= nfuncs; i++)
		seen[funcs[i]] = 1
	see = ""
	for (i = 1; i <= nbody; i++) {
		line = body[i]
		while (match(line, /cellmsg_[a-z_]+\(\)/)) {
			f = substr(line, RSTART, RLENGTH - 2)
			line = substr(line, RSTART + RLENGTH)
			if (!(f in seen)) {
				seen[f] = 1
				see = see ".BR " f " (3),\n"
			}
		}
	}
	print ".SH SEE ALSO" > page
	printf "%s", see > page
	print ".BR libcellmsg (7)" > page
	close(page)
	print page
	for (i = 2; i <= nfuncs; i++) {
		f = out "/" funcs[i] ".3"
		print ".so man3/" funcs[1] ".3" > f
		close(f)
		print f
	}
	nfuncs = 0
}

BEGIN {
	# Markers in body[]: a code line, and where a code block starts and ends.
	CODE = "\001"
	CODE_ON = "\002"
	CODE_OFF = "\003"
	nfuncs = 0
	n = split(skip, s, ",")
	for (i = 1; i <= n; i++)
		skipped[s[i]] = 1
}

/^## / {
	flush()
	header = ""
	if (match($0, /\([a-z]+\.h\)/))
		header = substr($0, RSTART + 1, RLENGTH - 2)
	if (header in skipped)
		header = ""
	next
}

/^### / {
	flush()
	if (header == "" || $0 !~ /\(\)/ || $0 ~ /^### (struct|enum) /)
		next
	line = substr($0, 5)
	nfuncs = split(line, parts, /, */)
	for (i = 1; i <= nfuncs; i++) {
		funcs[i] = trim(parts[i])
		sub(/\(\)$/, "", funcs[i])
	}
	nsyn = 0; nbody = 0; incode = 0; codeseen = 0; bodycode = 0
	next
}

nfuncs > 0 && /^```/ {
	if (!incode && !codeseen) {
		incode = 1
	} else if (incode) {
		incode = 0
		codeseen = 1
	} else {
		# A code block in the text: an example.
		bodycode = !bodycode
		body[++nbody] = bodycode ? CODE_ON : CODE_OFF
	}
	next
}

nfuncs > 0 {
	if (incode)
		syn[++nsyn] = $0
	else if (bodycode)
		body[++nbody] = CODE $0
	else if (codeseen && !(nbody == 0 && $0 == ""))
		body[++nbody] = $0
}

END { flush() }
