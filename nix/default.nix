# Entry point without flakes:
#   nix-build nix/default.nix -A knd               the package
#   imports = [ (import ./nix { }).module ];       the NixOS module (or import ./nix/module.nix)
{ pkgs ? import <nixpkgs> { } }:

{
  knd = pkgs.callPackage ./package.nix { };
  module = ./module.nix;
  kuutamodCompat = ./kuutamod-compat.nix;
}
