namespace Knd.IntegrationTests.Deploy;

/// <summary>
/// The Nix files can only be parsed here (no nixpkgs to evaluate them against), so CI checks their
/// syntax, and that the module carries the sandbox of the shipped unit.
/// </summary>
public sealed class NixSyntaxTests
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Parse_EveryNixFileInTheRepo_Succeeds()
    {
        var tool = ExternalTool.Require("nix-instantiate", "nix-bin");
        var files = RepoPaths.FilesEndingWith(".nix");
        Assert.Contains(files, f => RepoPaths.Relative(f) == Path.Combine("nix", "module.nix"));
        Assert.Contains(files, f => RepoPaths.Relative(f) == Path.Combine("nix", "package.nix"));

        var failures = new List<string>();
        foreach (var file in files)
        {
            // Without build users nix warns about a missing nixbld group; parsing needs none.
            var result = await tool.RunAsync(["--parse", file], ToolTimeout, environment: new Dictionary<string, string?> { ["NIX_CONFIG"] = "build-users-group =" });
            if (result.ExitCode != 0)
            {
                failures.Add(result.Describe($"nix-instantiate --parse {RepoPaths.Relative(file)}"));
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public void Module_SetsEveryServiceSettingOfTheShippedUnit()
    {
        var module = File.ReadAllText(RepoPaths.Combine("nix", "module.nix"));
        var unit = UnitFile.Load(RepoPaths.Combine("deploy", "systemd", "knd.service"));

        // Environment/EnvironmentFile are the module's `environment`; ExecStart/ExecReload use store paths.
        var notAsKeys = new HashSet<string>(StringComparer.Ordinal) { "Environment", "EnvironmentFile" };
        var missing = unit.Settings
            .Where(s => s.Section == "Service" && !notAsKeys.Contains(s.Key))
            .Select(s => s.Key)
            .Distinct()
            .Where(key => !module.Contains($" {key} = ", StringComparison.Ordinal))
            .ToList();

        Assert.True(missing.Count == 0, $"nix/module.nix does not set: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Module_OffersTheKuutamodOptionNames()
    {
        var module = File.ReadAllText(RepoPaths.Combine("nix", "module.nix"));
        var compat = File.ReadAllText(RepoPaths.Combine("nix", "kuutamod-compat.nix"));
        string[] kuutamodOptions = ["validatorKeyFile", "validatorNodeKeyFile", "nodeId", "consulTokenFile", "accountId", "openFirewall", "publicAddress", "package"];

        Assert.All(kuutamodOptions, name => Assert.Contains($"\n    {name} = mkOption", module, StringComparison.Ordinal));
        Assert.All(kuutamodOptions, name => Assert.Contains($"\"{name}\"", compat, StringComparison.Ordinal));
    }
}
