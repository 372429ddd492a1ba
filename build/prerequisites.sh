#!/usr/bin/env bash
# The native prerequisites of a build target: checks what the target uses, installs what is missing (apt-get, or dnf
# where there is no apt-get) when it runs as root or with passwordless sudo, and otherwise stops at once with the exact
# command to run. Called by ./build.sh with the Cake target before anything else (and by .ci/run for Test), so the
# README's two commands work on a machine that has only the .NET SDK.
#
# Usage: build/prerequisites.sh [--no-install] TARGET
#   --no-install   never install; print the command and stop when something required is missing
#                  (the same as ASCEND_INSTALL_PREREQUISITES=0 in the environment)
# Exit codes: 0 everything required is there (now); 1 something required is missing and was not installed (the
# message says what and the command that installs it); 2 bad usage.
#
# Each target needs only what it uses (docs/testing.md "Prerequisites"): the Demo builds only the simulator library
# (CMake, make, a C++17 compiler), never its GoogleTest suite nor the Google Benchmark baselines. "Optional" items make
# a target faster or let more of its tests run (ccache, debootstrap for the Debian roots, git for the fresh-machine
# clone); they are installed together with the required ones when installing is possible and only mentioned otherwise.
set -euo pipefail

install_allowed="${ASCEND_INSTALL_PREREQUISITES:-1}"
target=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --no-install) install_allowed=0; shift ;;
    -*) echo "prerequisites: unknown option '$1'" >&2; exit 2 ;;
    *) target="$1"; shift ;;
  esac
done
[ -n "$target" ] || { echo "usage: build/prerequisites.sh [--no-install] TARGET" >&2; exit 2; }

say() { echo "prerequisites: $*" >&2; }

# ---- what each target uses ------------------------------------------------------------------------------------------
# The simulator library's CMake build (native/CMakeLists.txt): libascend_sim.so needs only CMake, make and a C++17
# compiler; its HCCL library (libascend_sim_hccl.so) also needs Gloo, so Gloo is required only by the targets that run
# HCCL (the GoogleTests, the .NET suites with the distributed tests) or ship it (the packages).
library="cmake make cxx"
hccl="$library gloo"
case "$target" in
  Demo)                       required="$library"; optional="" ;;
  Native|NativeTest|Sanitize) required="$hccl gtest"; optional="ccache" ;;
  BenchBaseline|Bench)        required="$hccl gtest benchmark"; optional="ccache" ;;
  BindingsCheck)              required="cxx"; optional="" ;;   # gcc -print-file-name=include: the builtin headers
  Build|DotnetTest|HardwareTest) required="$hccl"; optional="" ;;
  TorchTest)                  required="$hccl"; optional="debootstrap" ;;
  Pack|PackageTest)           required="$hccl"; optional="" ;;
  AotSmoke)                   required="$library zlib"; optional="" ;;   # the NativeAOT link: gcc and -lz
  FreshMachine)               required="$hccl"; optional="debootstrap git" ;;   # Pack's packages carry the HCCL library
  Test)                       required="$hccl gtest benchmark zlib"; optional="ccache debootstrap git" ;;
  CleanTestResults|PrepareTorchRoot) required=""; optional="" ;;
  *) say "no prerequisites known for target '$target' (Cake will say whether it exists)"; exit 0 ;;
esac

# ---- one line per prerequisite: what it is for, its Debian and Fedora packages, and how to find it -----------------
describe() {
  case "$1" in
    cmake) echo "CMake >= 3.20 (builds the simulator)" ;;
    make) echo "make (CMake's build tool)" ;;
    cxx) echo "a C and C++17 compiler (gcc, g++)" ;;
    gloo) echo "Gloo headers and library (the simulator's HCCL collectives)" ;;
    gtest) echo "GoogleTest (the simulator's C tests)" ;;
    benchmark) echo "Google Benchmark (the C++ baselines)" ;;
    zlib) echo "zlib headers (the NativeAOT link)" ;;
    ccache) echo "ccache (the build cache of the CMake builds)" ;;
    debootstrap) echo "debootstrap (the Debian roots of TorchTest and FreshMachine)" ;;
    git) echo "git (FreshMachine clones the repository)" ;;
  esac
}
label() {
  case "$1" in
    cmake) echo CMake ;; cxx) echo gcc/g++ ;; gloo) echo Gloo ;; gtest) echo GoogleTest ;; benchmark) echo "Google Benchmark" ;;
    *) echo "$1" ;;
  esac
}
apt_package() {
  case "$1" in
    cxx) echo "g++" ;; gloo) echo "libgloo-dev" ;; gtest) echo "libgtest-dev" ;; benchmark) echo "libbenchmark-dev" ;;
    zlib) echo "zlib1g-dev" ;; *) echo "$1" ;;
  esac
}
dnf_package() {
  case "$1" in
    cxx) echo "gcc-c++" ;; gloo) echo "gloo-devel" ;; gtest) echo "gtest-devel" ;; benchmark) echo "google-benchmark-devel" ;;
    zlib) echo "zlib-devel" ;; *) echo "$1" ;;
  esac
}
header() { local h; for h in "/usr/include/$1" "/usr/local/include/$1"; do [ -f "$h" ] && return 0; done; return 1; }
have() {
  case "$1" in
    cmake)
      command -v cmake >/dev/null 2>&1 || return 1
      local version
      version="$(cmake --version 2>/dev/null | awk 'NR == 1 { print $3 }')"
      [ "$(printf '%s\n3.20\n' "$version" | sort -V | head -n 1)" = 3.20 ] ;;
    make) command -v make >/dev/null 2>&1 ;;
    cxx) command -v g++ >/dev/null 2>&1 && command -v gcc >/dev/null 2>&1 ;;
    gloo) header gloo/allreduce.h ;;
    gtest) header gtest/gtest.h ;;
    benchmark) header benchmark/benchmark.h ;;
    zlib) header zlib.h ;;
    ccache) command -v ccache >/dev/null 2>&1 ;;
    debootstrap) command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] ;;
    git) command -v git >/dev/null 2>&1 ;;
  esac
}

# ---- the .NET SDK: needed by every target, never installed here ----------------------------------------------------
if ! command -v dotnet >/dev/null 2>&1; then
  say "the .NET SDK 10 is not installed (no 'dotnet' on PATH). Install it (https://learn.microsoft.com/dotnet/core/install/linux,"
  say "or: curl -sSL https://dot.net/v1/dotnet-install.sh | bash -s -- --channel 10.0), put it on PATH and run this again."
  exit 1
fi
if ! dotnet --list-sdks 2>/dev/null | grep -Eq '^(1[0-9]|[2-9][0-9])\.'; then
  say "the .NET SDK 10 is needed (global.json), but 'dotnet --list-sdks' shows: $(dotnet --list-sdks 2>/dev/null | tr '\n' ' ')"
  say "install it (https://learn.microsoft.com/dotnet/core/install/linux) and run this again."
  exit 1
fi

missing_required=()
missing_optional=()
for item in $required; do have "$item" || missing_required+=("$item"); done
for item in $optional; do have "$item" || missing_optional+=("$item"); done
if [ "${#missing_required[@]}" -eq 0 ] && [ "${#missing_optional[@]}" -eq 0 ]; then
  [ -z "$required$optional" ] || say "$target: all present ($(for item in $required $optional; do label "$item"; done | paste -sd, - | sed 's/,/, /g'))"
  exit 0
fi

# ---- how to install: the package manager, and root or passwordless sudo ---------------------------------------------
manager=""
if command -v apt-get >/dev/null 2>&1; then manager=apt-get; elif command -v dnf >/dev/null 2>&1; then manager=dnf; fi
as_root=()
can_install=0
if [ "$(id -u)" -eq 0 ]; then can_install=1
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then can_install=1; as_root=(sudo)
fi
[ "$install_allowed" != 0 ] || can_install=0
[ -n "$manager" ] || can_install=0

packages_of() { local item; for item in "$@"; do if [ "$manager" = dnf ]; then dnf_package "$item"; else apt_package "$item"; fi; done | xargs; }
command_for() { # the command a user runs for these items: as is when root, else through sudo (or su without sudo)
  local install
  if [ "$manager" = dnf ]; then install="dnf install -y $(packages_of "$@")"
  else install="apt-get install -y --no-install-recommends $(packages_of "$@")"; fi
  if [ "$(id -u)" -eq 0 ]; then echo "$install"
  elif command -v sudo >/dev/null 2>&1; then echo "sudo $install"
  else echo "su -c '$install'"; fi
}
list() { local item; for item in "$@"; do echo "  - $(describe "$item")"; done; }

stop_missing() {
  say "$target needs what this machine lacks:"
  list "${missing_required[@]}" >&2
  if [ -n "$manager" ]; then
    say "install them with:"
    echo "    $(command_for "${missing_required[@]}" "${missing_optional[@]}")" >&2
  else
    say "install these with your package manager (Debian package names: $(manager=apt-get packages_of "${missing_required[@]}"))."
  fi
  say "then run the command again.${reason:+ ($reason)}"
  exit 1
}

if [ "$can_install" = 0 ]; then
  if [ "${#missing_required[@]}" -gt 0 ]; then
    reason=""
    if [ "$install_allowed" = 0 ]; then reason="installing was turned off (--no-install or ASCEND_INSTALL_PREREQUISITES=0)"
    elif [ -z "$manager" ]; then reason="found neither apt-get nor dnf"
    else reason="not root, and sudo needs a password or is not installed"; fi
    stop_missing
  fi
  say "optional, not installed (${manager:-no package manager}; not root): $(packages_of "${missing_optional[@]}") — $(for i in "${missing_optional[@]}"; do describe "$i"; done | paste -sd ';' -)"
  exit 0
fi

wanted=("${missing_required[@]}" "${missing_optional[@]}")
say "$target: installing with $manager:"
for item in "${wanted[@]}"; do say "  $(packages_of "$item"): $(describe "$item")"; done
status=0
if [ "$manager" = apt-get ]; then
  apt_options=(-q -o DPkg::Lock::Timeout=600)
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_options[@]}" update </dev/null >&2 \
    || say "apt-get update failed; trying the install with the package lists this machine has"
  # shellcheck disable=SC2046
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_options[@]}" install -y --no-install-recommends \
    $(packages_of "${wanted[@]}") </dev/null >&2 || status=$?
else
  # shellcheck disable=SC2046
  "${as_root[@]}" dnf install -y $(packages_of "${wanted[@]}") </dev/null >&2 || status=$?
fi
if [ "$status" -ne 0 ] && [ "${#missing_optional[@]}" -gt 0 ]; then
  # An optional package the mirror does not carry must not block the required ones.
  say "$manager failed (exit code $status); trying the required ones alone"
  status=0
  if [ "${#missing_required[@]}" -gt 0 ]; then
    if [ "$manager" = apt-get ]; then
      # shellcheck disable=SC2046
      "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
        $(packages_of "${missing_required[@]}") </dev/null >&2 || status=$?
    else
      # shellcheck disable=SC2046
      "${as_root[@]}" dnf install -y $(packages_of "${missing_required[@]}") </dev/null >&2 || status=$?
    fi
  fi
fi

still=()
for item in "${missing_required[@]}"; do have "$item" || still+=("$item"); done
if [ "${#still[@]}" -gt 0 ]; then
  missing_required=("${still[@]}")
  missing_optional=()
  reason="$manager exited with code $status"
  stop_missing
fi
say "$target: installed; all required prerequisites present"
