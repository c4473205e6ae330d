#!/usr/bin/env python3
"""Regenerates nix/deps.json from the restore of src/Knd (what `nix-build nix/default.nix -A knd.fetch-deps`
would produce, for machines without Nix): every package the build restores, with the SRI sha256 of its
.nupkg in the local NuGet cache. Run after a package change: `dotnet restore src/Knd && eng/update-nix-deps.py`."""
import base64, hashlib, json, os, pathlib

root = pathlib.Path(__file__).resolve().parent.parent
assets = json.loads((root / "src/Knd/obj/project.assets.json").read_text())
cache = pathlib.Path(os.environ.get("NUGET_PACKAGES", pathlib.Path.home() / ".nuget/packages"))
deps = []
for key, library in sorted(assets["libraries"].items(), key=lambda kv: kv[0].lower()):
    if library["type"] != "package":
        continue
    name, version = key.split("/")
    nupkg = cache / library["path"] / f"{name.lower()}.{version.lower()}.nupkg"
    digest = base64.b64encode(hashlib.sha256(nupkg.read_bytes()).digest()).decode()
    deps.append({"pname": name, "version": version, "hash": f"sha256-{digest}"})
(root / "nix/deps.json").write_text(json.dumps(deps, indent=2) + "\n")
print(f"nix/deps.json: {len(deps)} packages")
