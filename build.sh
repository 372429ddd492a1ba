#!/usr/bin/env bash
# Bootstraps the build: restores the pinned Cake tool (.config/dotnet-tools.json) and runs build.cake.
# Usage: ./build.sh [--target=Test|Demo|Native|NativeTest|BindingsCheck|Build|DotnetTest|TorchTest|Sanitize|Pack|PackageTest|AotSmoke|HardwareTest|Bench] [other Cake arguments]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore
exec dotnet cake build.cake "$@"
