using System.Text.Json.Nodes;

namespace Knd.IntegrationTests.Deploy;

/// <summary>nix/deps.json pins every package knd's build restores; a package change must regenerate it (eng/update-nix-deps.py).</summary>
public sealed class NixDepsTests
{
    [Fact]
    public void NixDeps_PinExactlyThePackagesKndRestores()
    {
        var assets = JsonNode.Parse(File.ReadAllText(RepoPaths.Combine("src", "Knd", "obj", "project.assets.json")))!;
        var restored = assets["libraries"]!.AsObject()
            .Where(l => l.Value!["type"]!.GetValue<string>() == "package")
            .Select(l => l.Key)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
        var pinned = JsonNode.Parse(File.ReadAllText(RepoPaths.Combine("nix", "deps.json")))!.AsArray()
            .Select(d => $"{d!["pname"]!.GetValue<string>()}/{d["version"]!.GetValue<string>()}")
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();

        Assert.True(restored.SequenceEqual(pinned), $"nix/deps.json is stale: run eng/update-nix-deps.py\nrestored: {string.Join(", ", restored)}\npinned:   {string.Join(", ", pinned)}");
    }
}
