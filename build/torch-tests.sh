#!/usr/bin/env bash
# Builds and runs the TorchSharp bridge tests (tests/Ascend.Interop.TorchSharp.Tests) where libtorch can run,
# and writes their TRX into the results folder so build/TestSummary.cs counts them. Called by the Cake task
# TorchTest (./build.sh --target=TorchTest, and part of --target=Test).
#
# Usage: build/torch-tests.sh [--configuration Release] [--results artifacts/test-results]
#        build/torch-tests.sh --prepare [--results artifacts/test-results]
#          only makes the Debian 13 root when the auto mode would pick chroot (output: <results>/torch/prepare.log);
#          the Cake Test target runs it in the background at the start of the run.
#
# libtorch 2.10 needs libstdc++ from GCC 13+ (GLIBCXX_3.4.32). In order of preference:
#   direct  the host's libstdc++ is new enough: the test assembly runs on the host;
#   chroot  otherwise, as root: it runs inside a Debian 13 root (build/torch-chroot.sh, made once, reused);
#   skip    neither is possible: the test assembly runs on the host with ASCEND_TORCH_TESTS_SKIP set, so
#           every test is reported SKIPPED with the reason (never silently passed, never silently absent).
# ASCEND_TORCH_TESTS_MODE=direct|chroot|skip forces a mode (default: auto). The build itself always runs on
# the host. Exit code: the test run's (0 when every test passed or, in skip mode, was skipped).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd -P)"

configuration=Release
results=artifacts/test-results
prepare=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --prepare) prepare=1; shift ;;
    --configuration) configuration="$2"; shift 2 ;;
    --configuration=*) configuration="${1#*=}"; shift ;;
    --results) results="$2"; shift 2 ;;
    --results=*) results="${1#*=}"; shift ;;
    *) echo "torch-tests: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

say() { echo "torch-tests: $*" >&2; }

name=Ascend.Interop.TorchSharp.Tests
project="tests/$name/$name.csproj"
mkdir -p "$results/torch"
results="$(cd "$results" && pwd -P)"

# ---- where can libtorch run? --------------------------------------------------------------------------------
has_glibcxx_3_4_32() { [ -n "$1" ] && [ -f "$1" ] && grep -aq 'GLIBCXX_3\.4\.32' "$1"; }
# The library the dynamic loader gives libtorch (LD_LIBRARY_PATH first, then the ld.so cache).
host_libstdcxx() {
  local dir
  IFS=':' read -r -a dirs <<<"${LD_LIBRARY_PATH:-}"
  for dir in "${dirs[@]}"; do
    [ -n "$dir" ] && [ -f "$dir/libstdc++.so.6" ] && { readlink -f "$dir/libstdc++.so.6"; return; }
  done
  ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ { print $NF; exit }' | xargs -r readlink -f
}

mode="${ASCEND_TORCH_TESTS_MODE:-auto}"
skip_reason=""
host_lib="$(host_libstdcxx || true)"
if [ "$mode" = auto ]; then
  if has_glibcxx_3_4_32 "$host_lib"; then
    mode=direct
  else
    mode=chroot
    [ "$prepare" = 1 ] || say "the host's libstdc++ (${host_lib:-not found}) lacks GLIBCXX_3.4.32 (GCC 13+), which libtorch 2.10 needs: running inside a Debian 13 root"
  fi
fi

if [ "$prepare" = 1 ]; then
  exec >"$results/torch/prepare.log" 2>&1 </dev/null
  if [ "$mode" != chroot ] || [ "$(id -u)" -ne 0 ]; then
    say "mode $mode$([ "$(id -u)" -eq 0 ] || echo ', not root'): no Debian 13 root to prepare"
    exit 0
  fi
  started=$SECONDS
  status=0
  build/torch-chroot.sh --ensure || status=$?
  say "the Debian 13 root was prepared in $((SECONDS - started)) s (exit code $status)"
  exit "$status"
fi

rm -f "$results/$name"*.trx "$results/torch/"*.trx

# ---- build on the host (TorchSharp's managed code and the simulator build fine with any libstdc++) ----------
started=$SECONDS
dotnet build "$project" -c "$configuration" -nologo -v quiet -p:AscendSimTests=OFF
assembly="$(dotnet msbuild "$project" -nologo -getProperty:TargetPath -p:Configuration="$configuration")"
[ -f "$assembly" ] || { say "the build did not produce $assembly"; exit 1; }
say "built in $((SECONDS - started)) s: $assembly"

trx_args=(--report-trx --report-trx-filename "$name.trx" --results-directory "$results/torch")
timeout_s="${ASCEND_TORCH_TESTS_TIMEOUT:-1800}"
status=0
case "$mode" in
  direct)
    say "running on the host"
    timeout --kill-after=30 "$timeout_s" dotnet "$assembly" "${trx_args[@]}" </dev/null || status=$?
    ;;
  chroot)
    started=$SECONDS
    ensure_log="$results/torch/chroot-ensure.log"
    set +e
    build/torch-chroot.sh --ensure 2>&1 | tee "$ensure_log" >&2
    chroot_status=${PIPESTATUS[0]}
    set -e
    if [ "$chroot_status" -eq 0 ]; then
      bind_extra="$results"
      case "$assembly" in "$repo"/*) ;; *) bind_extra="$bind_extra:$(dirname "$assembly")" ;; esac
      ASCEND_TORCH_BIND="$bind_extra" timeout --kill-after=30 "$timeout_s" \
        build/torch-chroot.sh dotnet "$assembly" "${trx_args[@]}" </dev/null || status=$?
      say "chroot run took $((SECONDS - started)) s (exit code $status)"
      if [ "$status" -eq 97 ]; then
        mode=skip
        skip_reason="the Debian 13 root could not be used (see the torch-chroot messages above)"
        status=0
      fi
    else
      mode=skip
      why="$(grep '^torch-chroot: ' "$ensure_log" | tail -n 1 | sed 's/^torch-chroot: //')"
      skip_reason="libstdc++ on this host lacks GLIBCXX_3.4.32 (GCC 13+) and no Debian 13 root could be used: ${why:-build/torch-chroot.sh exited with $chroot_status}"
    fi
    ;;
  skip)
    skip_reason="${ASCEND_TORCH_TESTS_SKIP:-ASCEND_TORCH_TESTS_MODE=skip was set}"
    ;;
  *)
    say "ASCEND_TORCH_TESTS_MODE='$mode' is not one of auto, direct, chroot, skip"
    exit 2
    ;;
esac

if [ "$mode" = skip ]; then
  rm -f "$results/torch/"*.trx
  say "SKIPPED: the TorchSharp bridge tests cannot run here: $skip_reason"
  # The host can load the test assembly (libtorch is only loaded by a test that runs): every test reports
  # itself skipped with the reason, so the count line shows them.
  ASCEND_TORCH_TESTS_SKIP="$skip_reason" dotnet "$assembly" "${trx_args[@]}" </dev/null || status=$?
  # Microsoft.Testing.Platform exits 8 when no test ran (all skipped): that is this mode's expected outcome.
  if [ "$status" -eq 8 ]; then status=0; fi
fi

# The TRX also goes to the results folder itself, where the Test target's count line reads every suite.
if compgen -G "$results/torch/*.trx" >/dev/null; then
  cp "$results/torch/"*.trx "$results/"
else
  say "the test run wrote no TRX into $results/torch"
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
