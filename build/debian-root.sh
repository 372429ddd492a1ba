# Sourced by build/torch-chroot.sh (the Debian 13 root of the TorchSharp tests) and build/fresh-machine.sh (the minimal
# Debian 12 root of the FreshMachine tests): Debian roots made with debootstrap, kept in the build cache as checksummed
# tarballs, and bind mounts into them. Everything that runs inside a root runs in a private mount namespace (unshare),
# so the mounts are gone when the command ends, whether it passed, failed or was interrupted.
#
# The caller sets, before calling ensure_rootfs:
#   rootfs      the root's folder
#   suite       the Debian suite (bookworm, trixie)
#   packages    debootstrap's --include list (comma-separated)
# and defines:
#   say MESSAGE         prints a message (with the caller's prefix)
#   fail MESSAGE        prints it and exits with the caller's "root unusable" code
#   rootfs_ready        returns 0 when "$rootfs" holds a usable root
#
# The cache (<cache>/debian-root/<suite>-<key>.tar.zst, or .tar.gz without zstd, with a .sha256 beside it): <key> is a
# hash of this file (it holds the debootstrap command), the suite, the package list and the architecture, so a change to
# how a root is made never reuses an old one. A tarball is used only when its .sha256 exists (written last, after the
# tarball is complete and renamed into place), matches, it is younger than ASCEND_ROOT_CACHE_MAX_DAYS (default 14) and
# the unpacked root passes rootfs_ready; otherwise the entry is deleted and debootstrap runs. The cache holds a root as
# debootstrap made it, before any caller changes it. ASCEND_BUILD_CACHE=off disables it (build/build-cache.sh).
#
# The mirror: ASCEND_DEBIAN_MIRROR, else the Debian mirror the host's apt uses (so a machine whose apt works behind a
# local mirror or proxy makes its roots the same way), else http://deb.debian.org/debian.

# shellcheck source=build/build-cache.sh
. "$(dirname "${BASH_SOURCE[0]}")/build-cache.sh"
debian_root_script="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/$(basename "${BASH_SOURCE[0]}")"
cache_max_days="${ASCEND_ROOT_CACHE_MAX_DAYS:-14}"

# The URI of the host's apt source for its own Debian release (one-line .list entries and deb822 .sources files).
host_debian_mirror() {
  local codename="" file
  [ -r /etc/os-release ] && codename="$(. /etc/os-release && [ "${ID:-}" = debian ] && echo "${VERSION_CODENAME:-}")"
  [ -n "$codename" ] || return 1
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -r "$file" ] || continue
    case "$file" in
      *.sources)   # deb822 stanzas separated by blank lines: Types, URIs, Suites
        awk -v suite="$codename" '
          function check() { if ((" " types " ") ~ / deb / && (" " suites " ") ~ (" " suite " ") && uri != "") { print uri; found = 1; exit } types = suites = uri = "" }
          /^[ \t]*$/ { check(); next }
          $1 == "Types:" { $1 = ""; types = $0 }
          $1 == "URIs:" { uri = $2 }
          $1 == "Suites:" { $1 = ""; suites = $0 }
          END { if (!found) check() }' "$file" ;;
      *)           # deb [options] URI suite components
        awk -v suite="$codename" '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) == suite) { print $i; exit } }' "$file" ;;
    esac
  done 2>/dev/null | head -n 1
}
mirror="${ASCEND_DEBIAN_MIRROR:-$(host_debian_mirror || true)}"
mirror="${mirror:-http://deb.debian.org/debian}"

# Something is mounted at or below $1 (a crashed run outside a namespace could leave that behind).
mounted_below() { awk -v p="$1" '$5 == p || index($5, p "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; }

# Mounting and chroot work here: root, the tools, and a private mount namespace. Prints the reason and fails otherwise.
check_chroot_possible() {
  local tool
  [ "$(id -u)" -eq 0 ] || fail "mounting and chroot need root; run as root (CI does) or with sudo."
  for tool in chroot mount umount unshare; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed."
  done
  unshare --mount --propagation private -- true 2>/dev/null \
    || fail "cannot create a mount namespace here (a container without CAP_SYS_ADMIN?)."
}

# ---- the tarball cache ---------------------------------------------------------------------------------------------
cache_entry=""   # <cache>/debian-root/<suite>-<key>.tar.<ext>, set by cache_init when the cache is on
cache_init() {
  cache_entry=""
  [ "$build_cache" != off ] || return 0
  command -v sha256sum >/dev/null 2>&1 && command -v tar >/dev/null 2>&1 || return 0
  local key ext=gz
  key="$( { sha256sum <"$debian_root_script"; echo "$suite $packages $(uname -m)"; } | sha256sum | cut -c1-16)"
  if command -v zstd >/dev/null 2>&1; then ext=zst; fi
  cache_entry="$build_cache/debian-root/$suite-$key.tar.$ext"
}
cache_compress() { case "$cache_entry" in *.zst) echo "zstd -q -T0 -3" ;; *) echo "gzip -1" ;; esac; }
cache_decompress() { case "$cache_entry" in *.zst) echo "zstd -q -d -c" ;; *) echo "gzip -d -c" ;; esac; }
cache_drop() { rm -f "$cache_entry" "$cache_entry.sha256"; }

# Unpacks a valid cache entry into $1 (which must not exist). Returns non-zero (and drops a bad entry) otherwise.
cache_restore() {
  local dest="$1" expected actual age_days
  [ -n "$cache_entry" ] && [ -f "$cache_entry" ] && [ -f "$cache_entry.sha256" ] || return 1
  age_days=$(( ($(date +%s) - $(stat -c %Y "$cache_entry.sha256")) / 86400 ))
  if [ "$age_days" -ge "$cache_max_days" ]; then
    say "the cached root $cache_entry is $age_days days old (limit $cache_max_days): making a fresh one"
    cache_drop; return 1
  fi
  expected="$(cut -d' ' -f1 <"$cache_entry.sha256")"
  actual="$(sha256sum <"$cache_entry" | cut -d' ' -f1)"
  if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
    say "the cached root $cache_entry does not match its checksum: dropped"
    cache_drop; return 1
  fi
  mkdir -p "$dest"
  # shellcheck disable=SC2046
  if ! $(cache_decompress) <"$cache_entry" | tar -x --numeric-owner -p -C "$dest"; then
    say "the cached root $cache_entry could not be unpacked: dropped"
    rm -rf "$dest"; cache_drop; return 1
  fi
  return 0
}

# Stores the root in $1 (as debootstrap left it) in the cache: tarball and checksum under temporary names, then
# renamed into place, checksum last; older entries of the suite go. Failure here only costs the cache.
cache_store() {
  local src="$1" tmp sum
  [ -n "$cache_entry" ] || return 0
  mkdir -p "$(dirname "$cache_entry")" || return 0
  tmp="$cache_entry.tmp.$$"
  # shellcheck disable=SC2046
  if tar -c --numeric-owner -C "$src" . | $(cache_compress) >"$tmp" && sum="$(sha256sum <"$tmp" | cut -d' ' -f1)" \
      && mv -f "$tmp" "$cache_entry" && echo "$sum" >"$tmp.sha256" && mv -f "$tmp.sha256" "$cache_entry.sha256"; then
    find "$(dirname "$cache_entry")" -maxdepth 1 -name "$suite-*.tar.*" ! -name "$(basename "$cache_entry")*" \
      -mmin +5 -delete 2>/dev/null || true
    find "$(dirname "$cache_entry")" -maxdepth 1 -name "$(basename "$cache_entry").tmp.*" -mmin +60 -delete 2>/dev/null || true
    say "root kept in the build cache: $cache_entry ($(du -h "$cache_entry" | cut -f1))"
  else
    rm -f "$tmp" "$tmp.sha256"
    say "could not write the build cache entry $cache_entry (the run goes on without it)"
  fi
}

# ---- making the root -----------------------------------------------------------------------------------------------
ensure_debootstrap() {
  command -v debootstrap >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || fail "debootstrap is missing and there is no apt-get to install it."
  say "installing debootstrap"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap; } </dev/null >&2 \
    || fail "apt-get could not install debootstrap."
}

# Makes "$rootfs" usable: keeps a ready one, else unpacks the cached tarball, else runs debootstrap (and caches it).
ensure_rootfs() {
  rootfs_ready && return 0
  local partial="$rootfs.partial" log="$rootfs.debootstrap.log" started=$SECONDS
  mounted_below "$partial" && fail "$partial has mounts below it (an interrupted run?); unmount them first."
  # An unusable root is replaced; never delete one with something mounted in it (a bind mount of the repository).
  mounted_below "$rootfs" && fail "$rootfs is not usable and has mounts below it (an interrupted run?); unmount them first."
  mkdir -p "$(dirname "$rootfs")"
  rm -rf "$partial"
  cache_init
  if cache_restore "$partial"; then
    rm -rf "$rootfs"
    mv "$partial" "$rootfs"
    if rootfs_ready; then
      say "root unpacked from the build cache ($cache_entry) in $((SECONDS - started)) s"
      return 0
    fi
    say "the root from $cache_entry does not pass the root check: dropped, making a fresh one"
    cache_drop
    rm -rf "$rootfs"
  fi
  ensure_debootstrap
  say "creating the Debian $suite root in $rootfs (debootstrap from $mirror; log: $log)"
  # In its own mount namespace, so whatever debootstrap mounts (proc, sys) cannot outlive it.
  if ! unshare --mount --propagation private -- \
      debootstrap --variant=minbase --include="$packages" "$suite" "$partial" "$mirror" >"$log" 2>&1; then
    tail -n 15 "$log" >&2 || true
    fail "debootstrap of $suite from $mirror failed (see $log)."
  fi
  rm -rf "$rootfs"
  mv "$partial" "$rootfs"
  rootfs_ready || fail "$rootfs was created but does not pass the root check."
  say "root ready in $((SECONDS - started)) s"
  cache_store "$rootfs"
}

# ---- inside the private mount namespace ----------------------------------------------------------------------------
mounted=()
unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || say "could not unmount ${mounted[i]}"
  done
  mounted=()
}
bind() { # bind HOST_DIR [ro]: mounts HOST_DIR at the same path inside "$rootfs"
  local source="$1" target="$rootfs$1"
  [ -d "$source" ] || return 0
  mkdir -p "$target"
  mount --bind "$source" "$target"
  mounted+=("$target")
  if [ "${2:-}" = ro ]; then mount -o remount,bind,ro "$target"; fi
}
mount_proc() {
  mkdir -p "$rootfs/proc"
  mount -t proc proc "$rootfs/proc"
  mounted+=("$rootfs/proc")
}
