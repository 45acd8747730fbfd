#!/usr/bin/env bash
# Prints the package dependency graph of each module's src/main/java and fails (exit 1) when packages depend on
# each other in a circle; names one concrete cycle per tangle, with the file and class behind each step.
#   runtime/package-cycles.sh                      runtime/server and runtime/engine
#   runtime/package-cycles.sh runtime/cli ...      any module folders
# A dependency is an import (static and wildcard included) or a fully qualified ai.appliance.* name in code;
# comments and string literals do not count. Only packages of the same module are nodes: Maven already keeps
# modules from depending on each other in a circle. PackageCyclesTest (server) and EnginePackageCyclesTest
# do the same check inside the build, so a cycle fails the tests too.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -eq 0 ]]; then
  set -- runtime/server runtime/engine
fi

# Stage 1: one line per package declaration ("P<TAB>package<TAB>file") and per reference
# ("R<TAB>package<TAB>referenced package<TAB>file<TAB>class"), from code with comments and literals removed.
references() {
  find "$1" -name '*.java' -print0 | sort -z | xargs -0 -r awk '
    FNR == 1 { block = 0; text = 0; pkg = "" }
    {
      line = $0; code = ""; i = 1; n = length(line)
      while (i <= n) {
        c = substr(line, i, 1); two = substr(line, i, 2)
        if (block) { if (two == "*/") { block = 0; i += 2 } else i++; continue }
        if (text) { if (substr(line, i, 3) == "\"\"\"") { text = 0; i += 3 } else i++; continue }
        if (two == "/*") { block = 1; i += 2; code = code " "; continue }
        if (two == "//") break
        if (substr(line, i, 3) == "\"\"\"") { text = 1; i += 3; code = code "\"\""; continue }
        if (c == "\"" || c == "\047") {
          q = c; i++
          while (i <= n && substr(line, i, 1) != q) { if (substr(line, i, 1) == "\\") i++; i++ }
          i++; code = code q q; continue
        }
        code = code c; i++
      }
      if (pkg == "" && match(code, /^[ \t]*package[ \t]+[a-zA-Z0-9_.]+/)) {
        pkg = substr(code, RSTART, RLENGTH); sub(/^[ \t]*package[ \t]+/, "", pkg)
        print "P\t" pkg "\t" FILENAME
      }
      if (match(code, /^[ \t]*import[ \t]+ai\.appliance\.[a-zA-Z0-9_.]+\.\*/)) {
        ref = substr(code, RSTART, RLENGTH); sub(/^[ \t]*import[ \t]+/, "", ref); sub(/\.\*$/, "", ref)
        print "R\t" pkg "\t" ref "\t" FILENAME "\t*"
      }
      rest = code
      while (match(rest, /ai\.appliance(\.[a-z_][a-z0-9_]*)+\.[A-Z][A-Za-z0-9_]*/)) {
        before = RSTART > 1 ? substr(rest, RSTART - 1, 1) : " "
        name = substr(rest, RSTART, RLENGTH); rest = substr(rest, RSTART + RLENGTH)
        if (before ~ /[A-Za-z0-9_.$]/) continue
        ref = name; sub(/\.[A-Z][A-Za-z0-9_]*$/, "", ref); cls = substr(name, length(ref) + 2)
        print "R\t" pkg "\t" ref "\t" FILENAME "\t" cls
      }
    }'
}

# Stage 2: the graph, its tangles (strongly connected packages) and one shortest cycle through each.
graph() {
  awk -F '\t' -v module="$1" -v base="$2/" '
    function short(p) { return substr(p, 1, length(prefix)) == prefix ? substr(p, length(prefix) + 1) : p }
    # Node numbers from a back to a, breadth first over edges that can still lead back to a.
    function shortestCycle(a,    seen, from, queue, head, tail, b, x, path) {
      split("", seen); split("", from); head = 1; tail = 0
      for (b = 1; b <= count; b++) if ((nodes[a] SUBSEP nodes[b]) in edge && reach[b, a]) { queue[++tail] = b; seen[b] = 1; from[b] = a }
      while (head <= tail && !(a in seen)) {
        x = queue[head++]
        for (b = 1; b <= count; b++) if (!(b in seen) && (nodes[x] SUBSEP nodes[b]) in edge && reach[b, a]) {
          queue[++tail] = b; seen[b] = 1; from[b] = x
        }
      }
      path = a; x = from[a]
      while (x != a) { path = x " " path; x = from[x] }
      return a " " path
    }
    $1 == "P" { if (!($2 in node)) { node[$2] = 1; nodes[++count] = $2 } }
    $1 == "R" { ref[++refs] = $0 }
    END {
      prefix = "ai.appliance.runtime."
      for (r = 1; r <= refs; r++) {
        split(ref[r], f, "\t")
        if (!(f[3] in node) || f[2] == f[3] || !(f[2] in node)) continue
        key = f[2] SUBSEP f[3]
        if (!(key in edge)) {
          file = f[4]; if (substr(file, 1, length(base)) == base) file = substr(file, length(base) + 1)
          edge[key] = file " (" f[5] ")"; edges++
        }
      }
      # Sorted node list (insertion sort: a few dozen packages).
      for (a = 2; a <= count; a++) {
        v = nodes[a]
        for (b = a - 1; b >= 1 && nodes[b] > v; b--) nodes[b + 1] = nodes[b]
        nodes[b + 1] = v
      }
      printf "%s: %d packages, %d dependencies\n", module, count, edges
      for (a = 1; a <= count; a++) {
        out = ""
        for (b = 1; b <= count; b++) if ((nodes[a] SUBSEP nodes[b]) in edge) out = out (out == "" ? "" : ", ") short(nodes[b])
        printf "  %-14s -> %s\n", short(nodes[a]), out == "" ? "(none)" : out
      }
      # Reachability (Warshall), then tangles: packages that reach each other.
      for (a = 1; a <= count; a++) for (b = 1; b <= count; b++) reach[a, b] = ((nodes[a] SUBSEP nodes[b]) in edge)
      for (k = 1; k <= count; k++) for (a = 1; a <= count; a++) if (reach[a, k]) for (b = 1; b <= count; b++) if (reach[k, b]) reach[a, b] = 1
      # One shortest cycle through each package of a tangle that no cycle printed so far passes through.
      cycles = 0
      for (a = 1; a <= count; a++) {
        if (!reach[a, a] || (a in covered)) continue
        cycles++
        members = ""
        for (b = 1; b <= count; b++) if (reach[a, b] && reach[b, a]) members = members " " short(nodes[b])
        n = split(shortestCycle(a), step, " ")
        text = short(nodes[step[1]])
        for (s = 2; s <= n; s++) { text = text " -> " short(nodes[step[s]]); covered[step[s]] = 1 }
        printf "CYCLE in %s: %s   (tangle:%s)\n", module, text, members
        for (s = 1; s < n; s++) printf "    %s -> %s: %s\n", short(nodes[step[s]]), short(nodes[step[s + 1]]), edge[nodes[step[s]] SUBSEP nodes[step[s + 1]]]
      }
      if (cycles == 0) printf "  no cycles\n"
      exit cycles > 0
    }'
}

status=0
for module in "$@"; do
  module="${module%/}"
  src="$root/$module/src/main/java"
  if [[ ! -d "$src" ]]; then
    echo "$module: no src/main/java under $root" >&2
    exit 2
  fi
  references "$src" | graph "$module" "$src" || status=1
  echo
done
exit "$status"
