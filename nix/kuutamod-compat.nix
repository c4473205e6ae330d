# Lets a NixOS configuration written for kuutamod's module (`kuutamo.kuutamod.*`) drive knd:
#
#   imports = [ ./nix/module.nix ./nix/kuutamod-compat.nix ];   # instead of kuutamod's module
#
# Importing kuutamod's module enabled kuutamod, so importing this one enables knd. The other
# kuutamod options (kuutamo.neard.*, Consul) are not provided: set services.knd.neardPackage and
# configure Consul yourself (docs/deployment.md, "Moving from kuutamod").
{ lib, ... }:

let
  alias = name: lib.mkAliasOptionModule [ "kuutamo" "kuutamod" name ] [ "services" "knd" name ];
in
{
  imports = map alias [
    "validatorKeyFile"
    "validatorNodeKeyFile"
    "nodeId"
    "consulTokenFile"
    "accountId"
    "openFirewall"
    "publicAddress"
    "package"
  ];

  config.services.knd.enable = lib.mkDefault true;
}
