#!/usr/bin/env bash
# Builds the release binary of knd: one self-contained file for linux-x64, trimmed and ReadyToRun-compiled
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

# PublishReadyToRunComposite=false: compile only knd and its packages ahead of time; the runtime
# pack's framework assemblies already are ReadyToRun. The SDK's default for a self-contained
# publish, one composite image of the whole framework, took 10 times longer to build, made the
# file 20 MB larger and the idle daemon's RSS about 15 MB higher (docs/deployment.md).
# PublishTrimmed=true: drop the framework code knd never calls. The mapped framework is most of
# an idle daemon's memory; trimmed, knd measured 56 to 58 MB RSS instead of 78 to 81 MB
# (docs/benchmarks.md). knd's build runs the trim analyzer, so its own code cannot add reflection
# the trimmer would break; its packages (Serilog 4, prometheus-net) publish without trim warnings.
# --disable-build-servers: a clean build that leaves no compiler server behind.
dotnet publish "$repo/src/Knd/Knd.csproj" \
  -c Release -r linux-x64 --self-contained \
  -p:PublishSingleFile=true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=false \
  -p:PublishTrimmed=true \
  -p:PublishDocumentationFile=false -p:PublishReferencesDocumentationFiles=false -p:StaticWebAssetsEnabled=false \
  --artifacts-path "$work" --disable-build-servers \
  -o "$out"

"$out/knd" --version
