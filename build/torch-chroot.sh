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
# tarball in the build cache, <cache>/debian-root/trixie-<key>.tar.zst, by build/debian-root.sh (shared with the
# FreshMachine root; its header has the rules). The cache holds the root as debootstrap made it (before the host
# libraries below are copied in).
#
# Needs root (mount, chroot). Environment:
#   ASCEND_TORCH_ROOTFS    the root's folder (default: <repo>/.rootfs/trixie)
#   ASCEND_DEBIAN_MIRROR   Debian mirror for debootstrap (default: the host's apt mirror, else http://deb.debian.org/debian)
#   ASCEND_TORCH_BIND      extra host folders to mount at the same path, separated by ':'
#   ASCEND_BUILD_CACHE     the build cache folder (default: ${XDG_CACHE_HOME:-~/.cache}/ascend-interop);
#                          "off" disables the tarball cache
#   ASCEND_ROOT_CACHE_MAX_DAYS  age after which a cached root is made again from Debian (default: 14)
# Exit codes: the command's; 97 when the root cannot be made or used (the reason is printed).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
self="$repo/build/$(basename "${BASH_SOURCE[0]}")"
rootfs="${ASCEND_TORCH_ROOTFS:-$repo/.rootfs/trixie}"
suite=trixie
packages=libstdc++6,libicu76,ca-certificates
unusable=97

say() { echo "torch-chroot: $*" >&2; }
fail() { say "$*"; exit "$unusable"; }

# shellcheck source=build/debian-root.sh
. "$repo/build/debian-root.sh"

has_glibcxx_3_4_32() { [ -f "$1" ] && grep -aq 'GLIBCXX_3\.4\.32' "$1"; }

rootfs_ready() {
  [ -f "$rootfs/etc/debian_version" ] \
    && has_glibcxx_3_4_32 "$rootfs/usr/lib/x86_64-linux-gnu/libstdc++.so.6" \
    && compgen -G "$rootfs/usr/lib/x86_64-linux-gnu/libicuuc.so.76*" >/dev/null
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
  check_chroot_possible
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

trap unmount_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mount_proc
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
