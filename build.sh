#!/usr/bin/env bash
# Bootstraps the build: checks (and where it can, installs) the native prerequisites of the target
# (build/prerequisites.sh), restores the pinned Cake tool (.config/dotnet-tools.json) and runs build.cake.
# Usage: ./build.sh [--target=Test|Demo|Native|NativeTest|BindingsCheck|Build|DotnetTest|TorchTest|Sanitize|Pack|PackageTest|AotSmoke|FreshMachine|HardwareTest|Bench] [other Cake arguments]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The target as Cake reads it (--target=X, --target X, -t X; build.cake's default is Test). Help and dry runs build nothing.
target=Test
check=1
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --target=*|-t=*) target="${args[i]#*=}" ;;
    --target|-t) target="${args[i + 1]:-Test}" ;;
    --help|-h|--version|--info|--description|--tree|--dryrun|--noop|--whatif) check=0 ;;
  esac
done
if [ "$check" = 1 ]; then
  bash build/prerequisites.sh "$target"
fi

dotnet tool restore
exec dotnet cake build.cake "$@"
