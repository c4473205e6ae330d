# knd built with nixpkgs' buildDotnetModule (framework-dependent; the NixOS module runs it).
#
#   nix-build nix/default.nix -A knd
#
# deps.json pins every NuGet package of src/Knd (name, version, sha256 of the .nupkg). After a
# package change regenerate it: `$(nix-build nix/default.nix -A knd.fetch-deps) nix/deps.json`, or
# without Nix `eng/update-nix-deps.py` (from the restore); NixDepsTests fails while it is stale.
# CI only parses this file (nix-instantiate --parse): nixpkgs cannot be evaluated there.
{ lib
, buildDotnetModule
, dotnetCorePackages
, util-linux
}:

let
  buildOutputs = [ "bin" "obj" "publish" "artifacts" "TestResults" ".localnet" ];
in
buildDotnetModule {
  pname = "knd";
  version = "0.1.0";

  src = lib.cleanSourceWith {
    src = lib.cleanSource ../.;
    filter = path: type: !(type == "directory" && builtins.elem (baseNameOf path) buildOutputs);
  };

  projectFile = "src/Knd/Knd.csproj";
  nugetDeps = ./deps.json;

  dotnet-sdk = dotnetCorePackages.sdk_10_0;
  # knd is an ASP.NET Core app (Kestrel serves /metrics): it needs the ASP.NET Core runtime.
  dotnet-runtime = dotnetCorePackages.aspnetcore_10_0;

  executables = [ "knd" ];
  # knd starts neard through `setsid setpriv --pdeathsig KILL`.
  makeWrapperArgs = [ "--prefix" "PATH" ":" (lib.makeBinPath [ util-linux ]) ];

  # The tests start real processes and sockets; CI runs them (dotnet test Knd.sln), not the Nix build.
  doCheck = false;

  meta = {
    description = "Active-passive failover supervisor for NEAR validators (a kuutamod successor)";
    mainProgram = "knd";
    platforms = lib.platforms.linux;
  };
}
