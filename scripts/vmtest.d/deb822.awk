# SPDX-License-Identifier: GPL-2.0
# "URI SUITE" for every URI and suite of each enabled deb stanza of an apt .sources file (deb822:
# stanzas separated by blank lines, "Field: value", continuation lines indented).

function flush(    n, m, i, j, u, s) {
	if (f["types"] ~ /(^| )deb( |$)/ && tolower(f["enabled"]) != "no") {
		n = split(f["uris"], u, " ")
		m = split(f["suites"], s, " ")
		for (i = 1; i <= n; i++)
			for (j = 1; j <= m; j++)
				print u[i], s[j]
	}
	delete f
	key = ""
}

/^#/ { next }
/^[ \t]*$/ { flush(); next }
/^[ \t]/ { if (key != "") f[key] = f[key] " " $0; next }
{
	key = tolower(substr($0, 1, index($0, ":") - 1))
	f[key] = substr($0, index($0, ":") + 1)
	gsub(/^[ \t]+|[ \t]+$/, "", f[key])
}
END { flush() }
