using System.Net;
using System.Text;
using Knd.Consul;
using Knd.DevConsul;
using Knd.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Knd.Tests.DevConsul;

/// <summary>One in-process dev-consul on 127.0.0.1:0 for a test, with clients and a raw HttpClient, all disposed together.</summary>
internal sealed class DevServerHarness : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];

    private DevServerHarness(DevConsulServer server, CapturingLoggerProvider logs, ILoggerFactory loggerFactory)
    {
        Server = server;
        Logs = logs;
        LoggerFactory = loggerFactory;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public DevConsulServer Server { get; }

    /// <summary>Server and client log lines.</summary>
    public CapturingLoggerProvider Logs { get; }

    /// <summary>A raw client for exact status codes, bodies and headers.</summary>
    public HttpClient Http { get; }

    private ILoggerFactory LoggerFactory { get; }

    public static async Task<DevServerHarness> StartAsync(TimeProvider? time = null, string? aclToken = null, TimeSpan? sessionTtlMin = null, int? maxValueSize = null)
    {
        var logs = new CapturingLoggerProvider();
        var factory = logs.CreateFactory();
        var options = new DevConsulOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            AclToken = aclToken,
            TimeProvider = time ?? TimeProvider.System,
            SessionTtlMin = sessionTtlMin ?? DevConsulOptions.DefaultSessionTtlMin,
            MaxValueSize = maxValueSize ?? DevConsulOptions.DefaultMaxValueSize,
            BlockingStagger = _ => TimeSpan.Zero,
            LoggerFactory = factory,
        };
        return new DevServerHarness(await DevConsulServer.StartAsync(options, CancellationToken.None), logs, factory);
    }

    public ConsulClient Client(string? token = null, string? nodeId = null, TimeSpan? requestTimeout = null, Uri? baseAddress = null)
    {
        var http = ConsulClient.CreateHttpClient(TimeSpan.FromSeconds(2));
        _owned.Add(http);
        var options = new ConsulClientOptions
        {
            BaseAddress = baseAddress ?? Server.BaseAddress,
            TokenProvider = () => token,
            ClientNodeId = nodeId,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10),
        };
        return new ConsulClient(options, http, TimeProvider.System, LoggerFactory.CreateLogger<ConsulClient>());
    }

    /// <summary>PUTs a fault endpoint and asserts it was accepted.</summary>
    public async Task FaultAsync(string name, string json = "")
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PutAsync(new Uri("_dev/" + name, UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Http.Dispose();
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        LoggerFactory.Dispose();
        Logs.Dispose();
    }
}
