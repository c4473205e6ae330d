using System.Text.Json.Nodes;

namespace Knd.Tests.Hosting;

/// <summary>
/// The runtime settings that keep an idle knd under its memory and CPU targets
/// (docs/benchmarks.md, "Footprint") are in the runtimeconfig.json every knd process starts with.
/// </summary>
public sealed class RuntimeSettingsTests
{
    private static JsonObject ConfigProperties()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "knd.runtimeconfig.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        return config["runtimeOptions"]!["configProperties"]!.AsObject();
    }

    [Fact]
    public void Knd_RunsServerGcWithDynamicAdaptation_SoItsHeapFollowsTheLiveData()
    {
        var properties = ConfigProperties();

        Assert.True(properties["System.GC.Server"]!.GetValue<bool>());
        Assert.Equal(1, properties["System.GC.DynamicAdaptationMode"]!.GetValue<int>());
    }

    [Fact]
    public void Knd_CompilesOnceFullyOptimised_WithoutTiers()
    {
        Assert.False(ConfigProperties()["System.Runtime.TieredCompilation"]!.GetValue<bool>());
    }
}
