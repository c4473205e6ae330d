#!/usr/bin/env bash
# The README's test command: installs what the tests need and a fresh Debian machine with only the
# .NET SDK lacks, then runs every test. Extra arguments go to `dotnet test` (e.g. --filter ...).
set -euo pipefail
cd "$(dirname "$0")"

# tool -> the Debian package that provides it
declare -A packages=(
  [promtool]=prometheus          # promtool check metrics/rules, and a real Prometheus server to scrape knd
  [prometheus]=prometheus
  [nix-instantiate]=nix-bin      # nix-instantiate --parse checks the NixOS module
  [shellcheck]=shellcheck        # lints the shipped shell scripts
  [setpriv]=util-linux           # knd starts neard through setpriv --pdeathsig
  [setsid]=util-linux
  [systemd-analyze]=systemd      # verifies the shipped unit
  [etcd]=etcd-server             # a real etcd for the etcd backend's tests
  [etcdctl]=etcd-client
)

need=()
for tool in "${!packages[@]}"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    need+=("${packages[$tool]}")
  fi
done

# deploy/release.sh (run by the release tests) links knd with NativeAOT: a C compiler driver as the
# linker, the C library's start files and objcopy to split off the debug symbols.
if ! command -v gcc >/dev/null 2>&1 && ! command -v clang >/dev/null 2>&1; then
  need+=(gcc)
fi
dpkg-query -W -f='${Status}' libc6-dev 2>/dev/null | grep -q "ok installed" || need+=(libc6-dev)
command -v objcopy >/dev/null 2>&1 || need+=(binutils)

if [ "${#need[@]}" -gt 0 ]; then
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  echo "test.sh: installing ${need[*]} with apt-get" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts the packaged servers when it can; the tests start their own on free ports.
  for service in prometheus etcd; do
    "${sudo_cmd[@]}" systemctl disable --now "$service" >/dev/null 2>&1 || true
  done
fi

exec dotnet test Knd.sln "$@"
