#!/usr/bin/env bash
# Builds the release binary of knd: one self-contained native executable for linux-x64, compiled
# ahead of time with NativeAOT (no JIT, no .NET runtime needed on the host).
#
#   deploy/release.sh [OUTPUT_DIR]        (default: publish/ at the repository root)
#
# The output is `knd` and `knd.dbg` (its debug symbols, optional: stack traces carry method names
# without them). NativeAOT links with the platform C toolchain: gcc or clang, with libc6-dev and
# binutils' objcopy (test.sh installs them when missing).
# Intermediate files go to a temporary directory, so a release build never mixes with (or
# disturbs) a developer's bin/ and obj/, and always starts clean.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/publish}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# PublishAot=true: the idle daemon's memory was mostly the runtime's: mapped framework and
# ReadyToRun code, the JIT, and the type data and stubs it builds at run time. Native code holds
# only what knd reaches: measured 43 MB RSS idle against 70 MB for the trimmed ReadyToRun single
# file it replaces (docs/benchmarks.md). knd's build runs the trim and AOT analyzers, so its own
# code cannot add reflection or run-time code generation the compiler would break; its packages
# publish without warnings.
# --disable-build-servers: a clean build that leaves no compiler server behind.
dotnet publish "$repo/src/Knd/Knd.csproj" \
  -c Release -r linux-x64 \
  -p:PublishAot=true \
  -p:PublishDocumentationFile=false -p:PublishReferencesDocumentationFiles=false -p:StaticWebAssetsEnabled=false \
  --artifacts-path "$work" --disable-build-servers \
  -o "$out"

"$out/knd" --version
