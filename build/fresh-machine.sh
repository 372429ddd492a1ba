#!/usr/bin/env bash
# The FreshMachine tests (Cake target FreshMachine, part of ./build.sh --target=Test): the README's promise that a machine
# with nothing but Linux x64 and the .NET SDK 10 runs the main job, and that the NuGet packages work on such a machine.
#
# Usage: build/fresh-machine.sh [--results artifacts/test-results] [--packages artifacts/packages]
#
# A minimal Debian 12 root (debootstrap --variant=minbase bookworm, plus the .NET SDK's own runtime dependencies:
# ca-certificates, libicu72, libssl3, libgssapi-krb5-2, zlib1g, libstdc++6, libgcc-s1), unpacked fresh for every run
# from the build cache (build/debian-root.sh; debootstrap only when the cache has no valid entry), with the host's .NET
# SDK mounted read-only at its host path and nothing else from the host but its trust store (/etc/ssl/certs), its
# resolv.conf and NUGET_CERT_REVOCATION_MODE (machines behind a TLS-inspecting proxy need them; harmless elsewhere).
# NuGet caches start empty. In that one root, in this order:
#   (b) before anything is installed: the root has no Gloo, cmake, gcc or g++; a new console app (`dotnet new console`,
#       its Program.cs replaced by the capture + replay program of tests/Ascend.Interop.AotSmoke) restores
#       Ascend.Interop and Ascend.Interop.Simulator from the packed packages (a local folder) and builds, runs a
#       capture + replay, and `ldd` of the packaged libascend_sim.so shows no Gloo and no missing library;
#   (a) a `git clone` of this repository (its committed HEAD: uncommitted changes are not in it): as a user without root
#       or sudo, ./build.sh --target=Demo stops at once with the apt-get command; as root it installs what the Demo
#       needs through apt-get, exactly as on a newcomer's machine, and runs the Demo to the end, whose own check (graph
#       tokens == eager tokens) must pass; GoogleTest, Google Benchmark and Gloo must not have been installed.
# Results: <results>/fresh-machine-junit.xml (one test case per check; build/TestSummary.cs counts them) and the logs
# in <results>/fresh-machine/. Without root, a mount namespace, debootstrap or a Debian mirror every case is reported
# skipped with the reason. The root (about 1.5 GB after the Demo) is deleted at the end; ASCEND_FRESH_MACHINE_KEEP=1
# keeps it in artifacts/fresh-machine/root.
#
# Environment: ASCEND_DEBIAN_MIRROR, ASCEND_BUILD_CACHE, ASCEND_ROOT_CACHE_MAX_DAYS (build/debian-root.sh);
# ASCEND_FRESH_MACHINE_TIMEOUT (seconds per step, default 2400).
# Exit code: 0 when no case failed (skipped ones included), 1 otherwise.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
self="$repo/build/$(basename "${BASH_SOURCE[0]}")"
results="$repo/artifacts/test-results"
packages_dir="$repo/artifacts/packages"
rootfs="$repo/artifacts/fresh-machine/root"
suite=bookworm
packages=ca-certificates,libc6,libgcc-s1,libgssapi-krb5-2,libicu72,libssl3,libstdc++6,zlib1g
unusable=97
step_timeout="${ASCEND_FRESH_MACHINE_TIMEOUT:-2400}"


while [ "$#" -gt 0 ]; do
  case "$1" in
    --results) results="$2"; shift 2 ;;
    --results=*) results="${1#*=}"; shift ;;
    --packages) packages_dir="$2"; shift 2 ;;
    --packages=*) packages_dir="${1#*=}"; shift ;;
    *) echo "fresh-machine: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

mkdir -p "$results"
results="$(cd "$results" && pwd -P)"
packages_dir="$(cd "$packages_dir" 2>/dev/null && pwd -P || echo "$packages_dir")"

say() { echo "fresh-machine: $*" >&2; }
fail() { say "$*"; exit "$unusable"; }

# shellcheck source=build/debian-root.sh
. "$repo/build/debian-root.sh"

rootfs_ready() {
  grep -q '^12\.' "$rootfs/etc/debian_version" 2>/dev/null \
    && compgen -G "$rootfs/usr/lib/x86_64-linux-gnu/libicuuc.so.72*" >/dev/null \
    && compgen -G "$rootfs/usr/lib/x86_64-linux-gnu/libssl.so.3*" >/dev/null \
    && [ -x "$rootfs/usr/bin/apt-get" ] && [ ! -e "$rootfs/usr/bin/cmake" ] && [ ! -e "$rootfs/usr/bin/g++" ]
}

# ---- the test cases: names in report order, results appended to cases.tsv as they finish ----------------------------
case_names=(
  "b0: the minimal root has no Gloo, cmake, gcc or g++"
  "b1: a new console app restores Ascend.Interop and Ascend.Interop.Simulator from the local package folder and builds"
  "b2: the app captures and replays a graph on the packaged simulator"
  "b3: ldd of the packaged libascend_sim.so shows no Gloo and no missing library"
  "b4: without Gloo, the app's first HCCL call is an HcclException naming libgloo and its package"
  "a0: without root or sudo, ./build.sh --target=Demo stops at once with the apt-get command"
  "a1: ./build.sh --target=Demo installs cmake, make and g++ with apt-get"
  "a2: ./build.sh --target=Demo runs to the end in a git clone"
  "a3: the Demo's graph-mode tokens equal its eager tokens"
  "a4: the Demo installed neither GoogleTest nor Google Benchmark"
  "a5: the Demo installed no Gloo"
)
logs="$results/fresh-machine"
cases_file="$logs/cases.tsv"
junit="$results/fresh-machine-junit.xml"

# record ID passed|failed|skipped SECONDS MESSAGE [LOG]: ID is the case's prefix (b0, a3, ...).
record() {
  local message
  message="$(printf '%s' "$4" | tr '\t\n' '  ')"
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$message" "${5:-}" >>"$cases_file"
  say "$1 $2${message:+: $message}"
}

xml_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' | tr -d '\000-\010\013\014\016-\037'; }

# Every case gets a line: a case the run never reached is a failure ("not run"), unless a skip reason covers them all.
write_junit() {
  local skip_all="${1:-}" name id line status seconds message log total=0 failures=0 skipped=0 body=""
  for name in "${case_names[@]}"; do
    id="${name%%:*}"
    line="$(grep -m1 "^$id	" "$cases_file" 2>/dev/null || true)"
    if [ -n "$skip_all" ]; then status=skipped; seconds=0; message="$skip_all"; log=""
    elif [ -z "$line" ]; then status=failed; seconds=0; message="not run: the script ended before this check"; log=""
    else IFS=$'\t' read -r _ status seconds message log <<<"$line"
    fi
    total=$((total + 1))
    body+="  <testcase classname=\"FreshMachine\" name=\"$(printf '%s' "$name" | xml_escape)\" time=\"$seconds\""
    case "$status" in
      passed) body+=" />"$'\n' ;;
      skipped) skipped=$((skipped + 1)); body+=">"$'\n'"    <skipped message=\"$(printf '%s' "$message" | xml_escape)\" />"$'\n'"  </testcase>"$'\n' ;;
      *)
        failures=$((failures + 1))
        body+=">"$'\n'"    <failure message=\"$(printf '%s' "$message" | xml_escape)\">"
        if [ -n "$log" ] && [ -f "$log" ]; then body+="$(printf '%s\n(last lines of %s)\n' "$message" "$log" | xml_escape)$(tail -n 40 "$log" | xml_escape)"
        else body+="$(printf '%s' "$message" | xml_escape)"; fi
        body+="</failure>"$'\n'"  </testcase>"$'\n' ;;
    esac
  done
  {
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo "<testsuite name=\"FreshMachine\" tests=\"$total\" failures=\"$failures\" skipped=\"$skipped\">"
    printf '%s' "$body"
    echo '</testsuite>'
  } >"$junit"
  say "$total checks: $((total - failures - skipped)) passed, $failures failed, $skipped skipped ($junit)"
  [ "$failures" -eq 0 ]
}

# =====================================================================================================================
# Inside the private mount and PID namespaces: the checks themselves. Every process started in the root dies with the
# namespace (no build server or MSBuild node outlives the run).
# =====================================================================================================================
if [ "${_ASCEND_FRESH_IN_NAMESPACE:-}" = 1 ]; then
  dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
  trap unmount_all EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  mount_proc
  bind "$dotnet_root" ro

  # The environment of a newcomer's shell: the .NET SDK on PATH, a home folder, and the host's network settings.
  env_args=(PATH="$dotnet_root:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" DOTNET_ROOT="$dotnet_root"
    TERM=dumb DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 UseSharedCompilation=false)
  for name in NUGET_CERT_REVOCATION_MODE http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [ -n "${!name:-}" ] && env_args+=("$name=${!name}")
  done
  # in_root LOG [--user UID] SCRIPT: runs SCRIPT with bash inside the root (as root, HOME=/root, unless --user).
  in_root() {
    local log="$1" user=() home=/root
    shift
    if [ "$1" = --user ]; then user=(--userspec="$2:$2"); home=/tmp; shift 2; fi
    timeout --kill-after=30 "$step_timeout" chroot "${user[@]}" "$rootfs" /usr/bin/env -i "${env_args[@]}" HOME="$home" \
      /bin/bash -c "$1" </dev/null >>"$log" 2>&1
  }
  quietly() { in_root /dev/null "$1"; }   # a probe whose output does not matter, only its exit code

  newcomer=/home/newcomer
  app="$newcomer/FreshApp"
  clone="$newcomer/ascend-interop"
  library="$app/bin/Release/net10.0/runtimes/linux-x64/native/libascend_sim.so"

  # ---- (b) the packages, in the untouched minimal root ----
  started=$SECONDS
  found="$(in_root "$logs/b0-probe.log" 'for t in cmake gcc g++ c++; do command -v "$t"; done; ldconfig -p | grep -i gloo; ls /usr/include/gloo 2>/dev/null; true'; cat "$logs/b0-probe.log")"
  if [ -z "$found" ]; then record b0 passed $((SECONDS - started)) ""
  else record b0 failed $((SECONDS - started)) "found in the root: $(echo "$found" | paste -sd ' ' -)" "$logs/b0-probe.log"; fi

  started=$SECONDS
  version="$(ls "$rootfs/packages" 2>/dev/null | sed -n 's/^Ascend\.Interop\.Simulator\.\([0-9].*\)\.nupkg$/\1/p' | head -n 1)"
  if [ -z "$version" ] || [ ! -f "$rootfs/packages/Ascend.Interop.$version.nupkg" ]; then
    record b1 failed 0 "no Ascend.Interop and Ascend.Interop.Simulator packages in $packages_dir (did Pack run?)"
    record b2 failed 0 "not run: no packages"
    record b3 failed 0 "not run: no packages"
    record b4 failed 0 "not run: no packages"
  else
    log="$logs/b1-restore-build.log"
    in_root "$log" "set -ex
      export NUGET_PACKAGES=/root/nuget-packages-app
      mkdir -p $newcomer && cd $newcomer
      dotnet new console -o FreshApp -n FreshApp --framework net10.0
      cd FreshApp
      printf '%s\n' '<?xml version=\"1.0\" encoding=\"utf-8\"?>' '<configuration><packageSources>' \
        '<add key=\"ascend-local\" value=\"/packages\" />' '</packageSources></configuration>' >nuget.config
      dotnet add package Ascend.Interop --version $version
      dotnet add package Ascend.Interop.Simulator --version $version
      cp $newcomer/capture-replay.cs Program.cs
      dotnet build -c Release
      grep -q '\"source\": \"/packages' \$NUGET_PACKAGES/ascend.interop/$version/.nupkg.metadata
      grep -q '\"source\": \"/packages' \$NUGET_PACKAGES/ascend.interop.simulator/$version/.nupkg.metadata
      test -f $library"
    status=$?
    if [ "$status" -eq 0 ]; then record b1 passed $((SECONDS - started)) "" "$log"
    else record b1 failed $((SECONDS - started)) "exit code $status (restore from /packages, build, or the restored packages' source)" "$log"; fi

    if [ "$status" -ne 0 ]; then
      record b2 failed 0 "not run: the app did not build"
      record b3 failed 0 "not run: the app did not build"
      record b4 failed 0 "not run: the app did not build"
    else
      started=$SECONDS
      log="$logs/b2-run.log"
      in_root "$log" "cd /tmp && dotnet $app/bin/Release/net10.0/FreshApp.dll fresh-machine --hccl-probe"
      status=$?
      if [ "$status" -ne 0 ]; then record b2 failed $((SECONDS - started)) "the app exited with code $status" "$log"
      elif ! grep -q 'fresh-machine: check=ok backend=Simulator operations=2 replays=2' "$log"; then
        record b2 failed $((SECONDS - started)) "no 'check=ok backend=Simulator operations=2 replays=2' line" "$log"
      elif ! grep -qF "fresh-machine: libraries=$library" "$log"; then
        record b2 failed $((SECONDS - started)) "the simulator was not loaded from the package's runtimes folder" "$log"
      else record b2 passed $((SECONDS - started)) "" "$log"; fi

      started=$SECONDS
      log="$logs/b3-ldd.log"
      in_root "$log" "ldd $library"
      status=$?
      if [ "$status" -ne 0 ]; then record b3 failed $((SECONDS - started)) "ldd exited with code $status" "$log"
      elif grep -qi gloo "$log"; then record b3 failed $((SECONDS - started)) "links Gloo: $(grep -i gloo "$log" | xargs)" "$log"
      elif grep -q 'not found' "$log"; then record b3 failed $((SECONDS - started)) "missing: $(grep 'not found' "$log" | xargs)" "$log"
      else record b3 passed $((SECONDS - started)) "" "$log"; fi

      # b4: the same run's first HCCL call, without Gloo in the root: an HcclException naming the library and package.
      log="$logs/b2-run.log"
      if grep -q 'fresh-machine: hccl=unavailable code=HCCL_E_NOT_FOUND .*libgloo.*apt-get install libgloo0' "$log"; then
        record b4 passed 0 "" "$log"
      else record b4 failed 0 "no 'hccl=unavailable code=HCCL_E_NOT_FOUND' line naming libgloo and 'apt-get install libgloo0'" "$log"; fi
    fi
  fi

  # ---- (a) the README's main-job command in a clone ----
  if ! command -v git >/dev/null 2>&1; then
    for id in a0 a1 a2 a3 a4 a5; do record "$id" skipped 0 "git is not installed here, so the repository cannot be cloned into the root"; done
    exit 0
  elif [ ! -d "$rootfs$clone/.git" ]; then
    for id in a0 a1 a2 a3 a4 a5; do record "$id" failed 0 "not run: git clone of $repo failed" "$logs/clone.log"; done
    exit 0
  fi

  started=$SECONDS
  log="$logs/a0-demo-without-root.log"
  in_root "$log" --user 65534 "cd $clone && ./build.sh --target=Demo"
  status=$?
  elapsed=$((SECONDS - started))
  if [ "$status" -eq 0 ]; then record a0 failed "$elapsed" "./build.sh succeeded without root, sudo, cmake or g++" "$log"
  elif ! grep -q 'apt-get install -y --no-install-recommends .*cmake' "$log" || ! grep -q 'g++' "$log"; then
    record a0 failed "$elapsed" "exit code $status without the apt-get command for cmake and g++" "$log"
  elif grep -qi 'cake.tool\|Restore' "$log"; then record a0 failed "$elapsed" "it went on to the .NET tool restore" "$log"
  elif [ "$elapsed" -gt 60 ]; then record a0 failed "$elapsed" "it took $elapsed s to stop" "$log"
  else record a0 passed "$elapsed" "" "$log"; fi

  started=$SECONDS
  log="$logs/a-demo.log"
  in_root "$log" "cd $clone && ./build.sh --target=Demo"
  demo_status=$?
  elapsed=$((SECONDS - started))
  if quietly 'command -v cmake && command -v make && command -v g++' \
      && grep -q 'prerequisites: Demo: installing with apt-get' "$log"; then record a1 passed 0 "" "$log"
  else record a1 failed 0 "cmake, make or g++ missing after the run, or no 'installing with apt-get' line" "$log"; fi
  if [ "$demo_status" -eq 0 ]; then record a2 passed "$elapsed" "" "$log"
  else record a2 failed "$elapsed" "./build.sh --target=Demo exited with code $demo_status" "$log"; fi
  if grep -Eq '^Graph-mode decoding (\(.*\) )?emitted exactly the eager tokens for every batch' "$log"; then record a3 passed 0 "" "$log"
  else record a3 failed 0 "no 'Graph-mode decoding ... emitted exactly the eager tokens for every batch' line in the Demo's output" "$log"; fi
  if quietly 'dpkg -s libgtest-dev || dpkg -s libbenchmark-dev || test -e /usr/include/gtest || test -e /usr/include/benchmark'; then
    record a4 failed 0 "GoogleTest or Google Benchmark is installed in the root" "$log"
  else record a4 passed 0 ""; fi
  if quietly 'dpkg -s libgloo-dev || ls /usr/lib/x86_64-linux-gnu/libgloo* || test -e /usr/include/gloo'; then
    record a5 failed 0 "Gloo is installed in the root" "$log"
  else record a5 passed 0 ""; fi
  exit 0
fi

# =====================================================================================================================
# Outside: the root, the files the checks need, then the checks in their namespace, then the report.
# =====================================================================================================================
mkdir -p "$logs"
rm -f "$logs"/*.log "$cases_file" "$junit"
: >"$cases_file"
run_started=$SECONDS

if ! reason="$( (check_chroot_possible) 2>&1)"; then
  write_junit "no minimal Debian 12 root can be used here: ${reason#fresh-machine: }"
  exit 0
fi
mkdir -p "$(dirname "$rootfs")"
exec 9>"$rootfs.lock"
flock 9
mounted_below "$rootfs" && { say "$rootfs has mounts below it (an interrupted run?); unmount them first."; write_junit "" ; exit 1; }
rm -rf "$rootfs"
if ! (ensure_rootfs) 2>&1 | tee "$logs/root.log" >&2 || ! rootfs_ready; then
  why="$(grep '^fresh-machine: ' "$logs/root.log" | tail -n 1 | sed 's/^fresh-machine: //')"
  write_junit "no minimal Debian 12 root could be made: ${why:-see $logs/root.log}"
  rm -rf "$rootfs"
  exit 0
fi

# The host's trust store and name resolution (see the header); the packages, and the program the new app runs.
rm -rf "$rootfs/etc/ssl/certs"
mkdir -p "$rootfs/etc/ssl/certs"
cp -rL /etc/ssl/certs/. "$rootfs/etc/ssl/certs/" 2>/dev/null || true
cp -L /etc/resolv.conf "$rootfs/etc/resolv.conf" 2>/dev/null || true
mkdir -p "$rootfs/packages" "$rootfs/home/newcomer"
cp "$packages_dir"/*.nupkg "$rootfs/packages/" 2>/dev/null || true
cp "$repo/tests/Ascend.Interop.AotSmoke/Program.cs" "$rootfs/home/newcomer/capture-replay.cs"
if command -v git >/dev/null 2>&1; then
  git -C "$repo" status --porcelain --untracked-files=no | grep -q . \
    && say "the working tree has uncommitted changes: the clone in the root has HEAD ($(git -C "$repo" rev-parse --short HEAD)) without them"
  git clone -q "$repo" "$rootfs/home/newcomer/ascend-interop" >"$logs/clone.log" 2>&1 || say "git clone failed (see $logs/clone.log)"
fi
say "root ready in $((SECONDS - run_started)) s; running the checks (logs: $logs)"

_ASCEND_FRESH_IN_NAMESPACE=1 unshare --mount --pid --fork --propagation private -- "$self" --results "$results" --packages "$packages_dir"
inner_status=$?
[ "$inner_status" -eq 0 ] || say "the checks ended with exit code $inner_status"

if [ "${ASCEND_FRESH_MACHINE_KEEP:-}" = 1 ]; then
  say "the root is kept in $rootfs (ASCEND_FRESH_MACHINE_KEEP=1)"
elif mounted_below "$rootfs"; then
  say "not deleting $rootfs: something is still mounted below it"
else
  rm -rf "$rootfs"
fi
say "took $((SECONDS - run_started)) s"
write_junit ""
