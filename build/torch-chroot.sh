#!/usr/bin/env bash
# Runs a command inside a Debian 13 (trixie) root, for TorchSharp code on hosts whose libstdc++ is older than
# GCC 13 (libtorch 2.10 needs GLIBCXX_3.4.32; Debian 12 has 3.4.30).
#
# Usage: build/torch-chroot.sh [--ensure] [COMMAND [ARGS...]]
#   --ensure   only create (or check) the root, then exit 0 when it is usable.
#   COMMAND runs inside the root, in the current directory (which must be inside the repository or another
#   mounted folder), e.g.  build/torch-chroot.sh dotnet samples/Ascend.Interop.TorchSharp.Sample/bin/Release/net10.0/Ascend.Interop.TorchSharp.Sample.dll
#
# The root is made once with `debootstrap --variant=minbase --include=libstdc++6,libicu76,ca-certificates trixie`
# into .rootfs/trixie (git-ignored) and reused; debootstrap is installed with apt-get when missing. Inside it,
# at their host paths: the .NET install (read-only), the NuGet cache (read-only), the repository and /proc.
# The mounts live in a private mount namespace (unshare) and are also unmounted by an exit trap, so they are
# gone when the command ends, whether it passed, failed or was interrupted.
#
# Across runs (fresh clones on one machine, e.g. CI after a session) the freshly made root is also kept as a
# tarball in the build cache: <cache>/debian-root/trixie-<key>.tar.zst (or .tar.gz without zstd) with a .sha256
# beside it. <key> is a hash of this script, the suite, the package list and the architecture, so a change to
# how the root is made never reuses an old one. A tarball is used only when its .sha256 exists (written last,
# after the tarball is complete and renamed into place), matches, it is younger than ASCEND_ROOT_CACHE_MAX_DAYS
# and the unpacked root passes the same check as a new one; otherwise the entry is deleted and debootstrap runs.
# The cache holds the root as debootstrap made it (before the host libraries below are copied in).
#
# Needs root (mount, chroot). Environment:
#   ASCEND_TORCH_ROOTFS    the root's folder (default: <repo>/.rootfs/trixie)
#   ASCEND_DEBIAN_MIRROR   Debian mirror for debootstrap (default: http://deb.debian.org/debian)
#   ASCEND_TORCH_BIND      extra host folders to mount at the same path, separated by ':'
#   ASCEND_BUILD_CACHE     the build cache folder (default: ${XDG_CACHE_HOME:-~/.cache}/ascend-interop);
#                          "off" disables the tarball cache
#   ASCEND_ROOT_CACHE_MAX_DAYS  age after which a cached root is made again from Debian (default: 14)
# Exit codes: the command's; 97 when the root cannot be made or used (the reason is printed).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
self="$repo/build/$(basename "${BASH_SOURCE[0]}")"
rootfs="${ASCEND_TORCH_ROOTFS:-$repo/.rootfs/trixie}"
mirror="${ASCEND_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=trixie
packages=libstdc++6,libicu76,ca-certificates
unusable=97
build_cache="${ASCEND_BUILD_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/ascend-interop}"
cache_max_days="${ASCEND_ROOT_CACHE_MAX_DAYS:-14}"

say() { echo "torch-chroot: $*" >&2; }
fail() { say "$*"; exit "$unusable"; }

has_glibcxx_3_4_32() { [ -f "$1" ] && grep -aq 'GLIBCXX_3\.4\.32' "$1"; }

rootfs_ready() {
  [ -f "$rootfs/etc/debian_version" ] \
    && has_glibcxx_3_4_32 "$rootfs/usr/lib/x86_64-linux-gnu/libstdc++.so.6" \
    && compgen -G "$rootfs/usr/lib/x86_64-linux-gnu/libicuuc.so.76*" >/dev/null
}

# Something is mounted at or below $1 (a crashed run outside a namespace could leave that behind).
mounted_below() { awk -v p="$1" '$5 == p || index($5, p "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; }

# ---- the tarball cache of the root (see the header) --------------------------------------------------------------
cache_entry=""   # <cache>/debian-root/<suite>-<key>.tar.<ext>, set by cache_init when the cache is on
cache_init() {
  [ "$build_cache" != off ] || return 0
  command -v sha256sum >/dev/null 2>&1 && command -v tar >/dev/null 2>&1 || return 0
  local key ext=gz
  key="$( { sha256sum <"$self"; echo "$suite $packages $(uname -m)"; } | sha256sum | cut -c1-16)"
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
    say "the root from $cache_entry lacks GLIBCXX_3.4.32 or libicu76: dropped, making a fresh one"
    cache_drop
    rm -rf "$rootfs"
  fi
  command -v debootstrap >/dev/null 2>&1 || {
    command -v apt-get >/dev/null 2>&1 || fail "debootstrap is missing and there is no apt-get to install it."
    say "installing debootstrap"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap; } </dev/null >&2 \
      || fail "apt-get could not install debootstrap."
  }
  say "creating the Debian 13 root in $rootfs (debootstrap from $mirror; log: $log)"
  # In its own mount namespace, so whatever debootstrap mounts (proc, sys) cannot outlive it.
  if ! unshare --mount --propagation private -- \
      debootstrap --variant=minbase --include="$packages" "$suite" "$partial" "$mirror" >"$log" 2>&1; then
    tail -n 15 "$log" >&2 || true
    fail "debootstrap failed (see $log)."
  fi
  rm -rf "$rootfs"
  mv "$partial" "$rootfs"
  rootfs_ready || fail "$rootfs was created but lacks GLIBCXX_3.4.32 or libicu76."
  say "root ready in $((SECONDS - started)) s"
  cache_store "$rootfs"
}

# The simulator links the host's Gloo (libgloo.so.0, Debian 12's libgloo-dev), which the Debian 13 root lacks.
# Copies that library and every dependency of it the root does not have into $rootfs/usr/local/lib/ascend-host
# (libraries built on Debian 12 run on Debian 13's newer glibc and libstdc++) and registers the folder with
# the root's dynamic loader. Runs on every use, so a rebuilt host library is picked up; cheap when unchanged.
provide_host_libraries() {
  local gloo dest="$rootfs/usr/local/lib/ascend-host" lib name copied=0
  gloo="$(ldconfig -p 2>/dev/null | awk '/libgloo\.so\.0 / { print $NF; exit }')"
  [ -n "$gloo" ] || return 0                # no Gloo on the host: the simulator was built without it
  mkdir -p "$dest"
  for lib in "$gloo" $(ldd "$gloo" | awk '$3 ~ /^\// { print $3 }'); do
    name="$(basename "$lib")"
    if [ "$lib" != "$gloo" ] && compgen -G "$rootfs/usr/lib/x86_64-linux-gnu/$name" >/dev/null; then continue; fi
    if ! cmp -s "$lib" "$dest/$name"; then cp -L "$lib" "$dest/$name"; copied=1; fi
  done
  if [ ! -f "$rootfs/etc/ld.so.conf.d/ascend-host.conf" ] || [ "$copied" = 1 ]; then
    echo /usr/local/lib/ascend-host >"$rootfs/etc/ld.so.conf.d/ascend-host.conf"
    chroot "$rootfs" /sbin/ldconfig || fail "ldconfig in the root failed."
  fi
}

if [ "${_ASCEND_TORCH_IN_NAMESPACE:-}" != 1 ]; then
  ensure_only=0
  if [ "${1:-}" = "--ensure" ]; then ensure_only=1; shift; fi
  [ "$(id -u)" -eq 0 ] || fail "mounting and chroot need root; run as root (CI does) or with sudo."
  for tool in chroot mount umount unshare; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed."
  done
  unshare --mount --propagation private -- true 2>/dev/null \
    || fail "cannot create a mount namespace here (a container without CAP_SYS_ADMIN?)."
  mkdir -p "$(dirname "$rootfs")"
  exec 9>"$rootfs.lock"
  flock 9                                   # one creator at a time; later runs reuse the root
  ensure_rootfs
  provide_host_libraries
  flock -u 9
  if [ "$ensure_only" = 1 ]; then exit 0; fi
  [ "$#" -gt 0 ] || fail "no command given."
  export _ASCEND_TORCH_IN_NAMESPACE=1
  exec unshare --mount --propagation private -- "$self" "$@"
fi

# ---- inside the private mount namespace -------------------------------------------------------------------
dotnet_path="$(command -v dotnet)" || fail "dotnet is not on PATH."
dotnet_root="$(dirname "$(readlink -f "$dotnet_path")")"
nuget="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
workdir="$(pwd -P)"

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || say "could not unmount ${mounted[i]}"
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bind() { # bind HOST_DIR [ro]
  local source="$1" target="$rootfs$1"
  [ -d "$source" ] || return 0
  mkdir -p "$target"
  mount --bind "$source" "$target"
  mounted+=("$target")
  if [ "${2:-}" = ro ]; then mount -o remount,bind,ro "$target"; fi
}

mkdir -p "$rootfs/proc"
mount -t proc proc "$rootfs/proc"
mounted+=("$rootfs/proc")
bind "$dotnet_root" ro
bind "$nuget" ro
bind "$repo"
IFS=':' read -r -a extra <<<"${ASCEND_TORCH_BIND:-}"
for dir in "${extra[@]}"; do [ -n "$dir" ] && bind "$(cd "$dir" && pwd -P)"; done

# A clean environment: the host's library paths and temp folders mean nothing in the root.
env_args=(PATH="$dotnet_root:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" HOME=/root
  DOTNET_ROOT="$dotnet_root" NUGET_PACKAGES="$nuget" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 TERM="${TERM:-dumb}")
for name in $(compgen -e); do
  case "$name" in ASCEND_*|CI) env_args+=("$name=${!name}") ;; esac
done

status=0
chroot "$rootfs" /usr/bin/env -i "${env_args[@]}" /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$workdir" "$@" || status=$?
exit "$status"
