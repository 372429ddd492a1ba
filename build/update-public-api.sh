#!/usr/bin/env bash
# Rewrites the public API baseline (PublicAPI.Unshipped.txt of every shipped project) from the current code.
#
#   bash build/update-public-api.sh
#
# The shipped projects set AscendPublicApi=true (Directory.Build.targets), which turns on
# Microsoft.CodeAnalysis.PublicApiAnalyzers: a public symbol that is not recorded (RS0016) or a recorded one that is
# gone (RS0017) fails the build. This script empties each PublicAPI.Unshipped.txt (PublicAPI.Shipped.txt, the API of
# released versions, is never touched), builds the shipped projects once with those diagnostics as warnings, and
# records what the analyzer reports: every RS0016 symbol as a line of PublicAPI.Unshipped.txt (the analyzer's own
# spelling, the same text its code fix writes), every RS0017 symbol of PublicAPI.Shipped.txt as a *REMOVED* line.
# It then builds the projects again with the diagnostics as errors, and fails if they still report any.
# Review the diff of the PublicAPI.*.txt files and commit them with the change that caused it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_NOLOGO=1

projects=(
  bindings/Ascend.Interop.Native/Ascend.Interop.Native.csproj
  src/Ascend.Interop/Ascend.Interop.csproj
  src/Ascend.Interop.TorchSharp/Ascend.Interop.TorchSharp.csproj
  src/Ascend.Interop.Testing/Ascend.Interop.Testing.csproj
  native/Ascend.Interop.Simulator/Ascend.Interop.Simulator.csproj
)
# Building these builds all of the above (TorchSharp references Ascend.Interop, which references the bindings).
roots=(
  src/Ascend.Interop.TorchSharp/Ascend.Interop.TorchSharp.csproj
  src/Ascend.Interop.Testing/Ascend.Interop.Testing.csproj
  native/Ascend.Interop.Simulator/Ascend.Interop.Simulator.csproj
)
configuration="${CONFIGURATION:-Debug}"

for project in "${projects[@]}"; do
  grep -q '<AscendPublicApi>true</AscendPublicApi>' "$project" || { echo "$project does not set AscendPublicApi=true" >&2; exit 1; }
  dir=$(dirname "$project")
  [[ -f "$dir/PublicAPI.Shipped.txt" ]] || printf '#nullable enable\n' > "$dir/PublicAPI.Shipped.txt"
  printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for root in "${roots[@]}"; do
  echo "update-public-api: building $root with RS0016/RS0017 as warnings"
  if ! dotnet build "$root" -c "$configuration" -p:TreatWarningsAsErrors=false "-p:WarningsAsErrors=" >> "$log" 2>&1; then
    grep -E ": error " "$log" | sort -u | head -20 >&2
    echo "update-public-api: $root does not build (errors above); fix them first." >&2
    exit 1
  fi
done

for project in "${projects[@]}"; do
  dir=$(dirname "$project")
  full="$PWD/$project"
  {
    printf '#nullable enable\n'
    { grep -F "[$full]" "$log" || true; } | { grep -o "RS0016: Symbol '.*' is not part of the declared public API" || true; } \
      | sed "s/^RS0016: Symbol '\(.*\)' is not part of the declared public API$/\1/" | LC_ALL=C sort -u
    { grep -F "[$full]" "$log" || true; } | { grep -o "RS0017: Symbol '.*' is part of the declared API" || true; } \
      | sed "s/^RS0017: Symbol '\(.*\)' is part of the declared API$/\1/" | LC_ALL=C sort -u \
      | while IFS= read -r symbol; do
          if grep -qxF "$symbol" "$dir/PublicAPI.Shipped.txt"; then printf '*REMOVED*%s\n' "$symbol"; fi
        done
  } > "$dir/PublicAPI.Unshipped.txt"
done

status=0
: > "$log"
for root in "${roots[@]}"; do
  dotnet build "$root" -c "$configuration" >> "$log" 2>&1 || status=1
done
if [[ $status -ne 0 ]]; then
  grep -E ": error " "$log" | sort -u | head -20 >&2
  echo "update-public-api: the projects still fail to build with the new baseline (errors above)." >&2
  exit 1
fi
for project in "${projects[@]}"; do
  dir=$(dirname "$project")
  echo "update-public-api: $dir: $(grep -vc '^#' "$dir/PublicAPI.Shipped.txt" || true) shipped, $(grep -vc '^#' "$dir/PublicAPI.Unshipped.txt" || true) unshipped lines"
done
echo "update-public-api: baseline matches the code; review and commit the PublicAPI.*.txt changes."
