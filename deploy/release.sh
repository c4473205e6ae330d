#!/usr/bin/env bash
# Builds the release binary of knd: one self-contained file for linux-x64, ReadyToRun-compiled
# (NativeAOT's runtime pack is not available to this project, see docs/deployment.md).
#
#   deploy/release.sh [OUTPUT_DIR]        (default: publish/ at the repository root)
#
# The output is `knd` (no .NET install needed on the host) and `knd.pdb` (symbols, optional).
# Intermediate files go to a temporary directory, so a release build never mixes with (or
# disturbs) a developer's bin/ and obj/, and always starts clean.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/publish}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --disable-build-servers: a clean, self-contained build that leaves no compiler server behind.
dotnet publish "$repo/src/Knd/Knd.csproj" \
  -c Release -r linux-x64 --self-contained \
  -p:PublishSingleFile=true -p:PublishReadyToRun=true \
  -p:PublishDocumentationFile=false -p:StaticWebAssetsEnabled=false \
  --artifacts-path "$work" --disable-build-servers \
  -o "$out"

"$out/knd" --version
