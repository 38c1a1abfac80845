#!/usr/bin/env bash
# Sourced by scripts/setup-build-host.sh and scripts/build-images.sh. Fails, naming the files it read, when no
# source names the suite.

# Debian mirror named by the machine's own apt sources, for the suite the machine runs (read at run time).
debian_mirror() {
  local codename=$1 uri f
  uri=$(
    {
      for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] || continue
        awk -v s="$codename" '
          $1 == "deb" { i = 2
            if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
            if ($(i+1) == s) print $i }' "$f"
      done
      for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        awk -v s="$codename" 'BEGIN { RS = ""; FS = "\n" }
          { types = ""; uris = ""; suites = ""; enabled = "yes"
            for (j = 1; j <= NF; j++) {
              line = $j
              if (line ~ /^[ \t]*#/) continue
              k = tolower(line); sub(/:.*/, "", k); v = line; sub(/^[^:]*:[ \t]*/, "", v)
              if (k == "types") types = v; else if (k == "uris") uris = v
              else if (k == "suites") suites = v; else if (k == "enabled") enabled = tolower(v)
            }
            if (enabled == "no" || (" " types " ") !~ / deb /) next
            n = split(suites, a, /[ \t]+/)
            for (j = 1; j <= n; j++) if (a[j] == s) { split(uris, u, /[ \t]+/); print u[1]; break }
          }' "$f"
      done
    } | head -n1
  )
  if [[ -z $uri ]]; then
    echo "no apt source for suite '$codename' found in /etc/apt/sources.list{,.d/*.list,.d/*.sources}" >&2
    return 1
  fi
  printf '%s' "${uri%/}"
}

