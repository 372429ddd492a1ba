# Sourced by build/*.sh (and mirrored by build.cake): the build cache shared by the runs on one machine, so a
# fresh clone (CI runs in one) does not redo work an earlier run already did. See docs/testing.md "Build cache".
#
#   ASCEND_BUILD_CACHE   the cache folder (default: ${XDG_CACHE_HOME:-~/.cache}/ascend-interop); "off" disables it.
#   <cache>/ccache       ccache's store, when ccache is installed: compiled objects of the simulator and its tests
#                        (the Release and the sanitizer builds), found again by content in any clone.
#   <cache>/debian-root  the Debian 13 root for the TorchSharp tests (build/torch-chroot.sh).
#
# After sourcing: $build_cache (folder or "off") and $compiler_launcher (ccache's path, or empty), and the CCACHE_*
# variables exported with defaults (never overriding ones already set).
build_cache="${ASCEND_BUILD_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/ascend-interop}"
export ASCEND_BUILD_CACHE="$build_cache"
compiler_launcher=""
if [ "$build_cache" != off ] && command -v ccache >/dev/null 2>&1; then
  compiler_launcher="$(command -v ccache)"
  export CCACHE_DIR="${CCACHE_DIR:-$build_cache/ccache}"
  # Paths below the repository are hashed relative to it, and the build folder is left out of the hash, so a clone
  # in another folder finds the same objects.
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)}"
  export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-3G}"
fi
