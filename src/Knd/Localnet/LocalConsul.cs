using System.Net;
using Knd.DevConsul;

namespace Knd.Localnet;

/// <summary>The localnet's dev-consul, in process; its own fault switches do the faults.</summary>
internal sealed class LocalConsul : LocalDcs
{
    private readonly LocalnetOptions _options;
    private readonly TimeProvider _time;
    private readonly int _port;
    private DevConsulServer? _server;

    private LocalConsul(LocalnetOptions options, TimeProvider time, DevConsulServer server)
    {
        _options = options;
        _time = time;
        _server = server;
        _port = server.BaseAddress.Port;
    }

    public override string Kind => "consul";

    public override string Describe => $"dev-consul http://127.0.0.1:{_port}";

    /// <summary>The running dev-consul; throws while it is stopped (a fault in progress).</summary>
    public DevConsulServer Server => _server ?? throw new InvalidOperationException("dev-consul is stopped");

    public static async Task<LocalConsul> StartAsync(LocalnetOptions options, TimeProvider time, CancellationToken cancellationToken) =>
        new(options, time, await StartServerAsync(options, port: 0, time, cancellationToken));

    public override IReadOnlyList<string> RunArguments(string nodeId) => ["--consul-url", $"http://127.0.0.1:{_port}/"];

    public override void SetBlackhole(string nodeId, bool enabled) => Server.Faults.SetBlackhole(nodeId, enabled);

    public override void SetLatency(TimeSpan latency) => Server.Faults.Latency = latency;

    public override string StartGarbage(TimeSpan duration)
    {
        Server.Spoiler.Add(SpoilModes.All, [], null, null, LocalnetTimings.GarbageEvery, null, AnswerSpoiler.DefaultDripInterval);
        return $"every {LocalnetTimings.GarbageEvery}rd Consul answer spoiled ({SpoilModes.All.Count} modes in turn) for {duration.TotalSeconds:0} s";
    }

    public override void StopGarbage() => Server.Spoiler.Clear();

    public override Task<string> LoseLeaderAsync(CancellationToken cancellationToken)
    {
        Server.Store.SetLeader(false);
        return Task.FromResult("no Consul leader");
    }

    public override Task RestoreLeaderAsync(CancellationToken cancellationToken)
    {
        Server.Store.SetLeader(true);
        return Task.CompletedTask;
    }

    public override async Task StopAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync();
        }
    }

    public override async Task StartEmptyAsync(CancellationToken cancellationToken) =>
        _server = await StartServerAsync(_options, _port, _time, cancellationToken);

    public override ValueTask DisposeAsync() => new(StopAsync());

    private static Task<DevConsulServer> StartServerAsync(LocalnetOptions options, int port, TimeProvider time, CancellationToken cancellationToken) =>
        DevConsulServer.StartAsync(
            new DevConsulOptions
            {
                Listen = new IPEndPoint(IPAddress.Loopback, port),
                SessionTtlMin = options.SessionTtl < DevConsulOptions.DefaultSessionTtlMin ? options.SessionTtl : DevConsulOptions.DefaultSessionTtlMin,
                TimeProvider = time,
            },
            cancellationToken);
}
