using System.Text;
using Knd.Consul;
using Knd.Tests.DevConsul;
using Knd.Tests.Infrastructure;
using Knd.Testing;

namespace Knd.Tests.Consul;

/// <summary>
/// Every operation of the client against every way dev-consul can spoil its answer: each spoiled
/// answer is one failed request of the expected kind, never an exception and never a wrong value.
/// </summary>
public sealed class SpoiledAnswerTests : IAsyncLifetime
{
    private const string Prefix = "spoil/";
    private const string Key = Prefix + "key";

    /// <summary>
    /// Short, so a stalled or dripping answer gives up quickly (the shortest drip, a 4-byte body at
    /// 500 ms a byte, takes 1.5 s); 400 ms timed out a healthy answer once on a loaded runner.
    /// </summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMilliseconds(800);

    /// <summary>For answers that are not meant to time out.</summary>
    private static readonly TimeSpan PatientTimeout = TimeSpan.FromSeconds(10);

    private static readonly string[] BodyModes = ["garbage", "truncated", "wrong-shape", "wrong-types", "missing-fields", "null-entries"];
    private static readonly string[] IndexModes = ["index-missing", "index-garbage", "index-huge", "index-zero"];

    private readonly CancellationTokenSource _deadline = Deadline.After(TimeSpan.FromSeconds(60));
    private DevServerHarness _dev = null!;
    private string _session = null!;
    private ulong _index;

    /// <summary>An operation of the client, the dev-consul operation name its request has, and whether its answer carries an index.</summary>
    internal sealed record Operation(string Name, string DevOp, bool Indexed, bool Blocking, Func<SpoiledAnswerTests, ConsulClient, Task<ConsulError?>> Call)
    {
        public override string ToString() => Name;
    }

    internal static IReadOnlyList<Operation> Operations { get; } =
    [
        new("kv_get", "kv_get", true, false, async (t, c) => (await c.GetKeyAsync(Key, KvQuery.Immediate, t.Ct)).Error),
        new("kv_get blocking", "kv_get", true, true, async (t, c) => (await c.GetKeyAsync(Key, new KvQuery(t._index - 1, TimeSpan.FromSeconds(1)), t.Ct)).Error),
        new("kv_list", "kv_list", true, false, async (t, c) => (await c.ListAsync(Prefix, KvQuery.Immediate, t.Ct)).Error),
        new("kv_list blocking", "kv_list", true, true, async (t, c) => (await c.ListAsync(Prefix, new KvQuery(t._index - 1, TimeSpan.FromSeconds(1)), t.Ct)).Error),
        new("kv_put", "kv_put", false, false, async (t, c) => (await c.PutKeyAsync(Prefix + "other", "x"u8.ToArray(), KvPutOptions.None, t.Ct)).Error),
        new("kv_acquire", "kv_acquire", false, false, async (t, c) => (await c.AcquireAsync(Prefix + "lock", "x"u8.ToArray(), t._session, 0, t.Ct)).Error),
        new("kv_release", "kv_release", false, false, async (t, c) => (await c.ReleaseAsync(Prefix + "lock", "x"u8.ToArray(), t._session, 0, t.Ct)).Error),
        new("kv_delete", "kv_delete", false, false, async (t, c) => (await c.DeleteKeyAsync(Prefix + "gone", null, t.Ct)).Error),
        new("session_create", "session_create", false, false, async (t, c) => (await c.CreateSessionAsync(new SessionCreateRequest("n", TimeSpan.FromSeconds(30), TimeSpan.Zero, "release", []), t.Ct)).Error),
        new("session_renew", "session_renew", false, false, async (t, c) => (await c.RenewSessionAsync(t._session, t.Ct)).Error),
        new("session_destroy", "session_destroy", false, false, async (t, c) => (await c.DestroySessionAsync("00000000-0000-0000-0000-000000000000", t.Ct)).Error),
        new("session_info", "session_info", true, false, async (t, c) => (await c.GetSessionInfoAsync(t._session, t.Ct)).Error),
        new("session_list", "session_list", true, false, async (t, c) => (await c.ListSessionsAsync(null, t.Ct)).Error),
        new("session_node", "session_node", true, false, async (t, c) => (await c.ListSessionsAsync("dev-consul", t.Ct)).Error),
        new("status_leader", "status_leader", false, false, async (t, c) => (await c.GetLeaderAsync(t.Ct)).Error),
        new("agent_self", "agent_self", false, false, async (t, c) => (await c.GetAgentSelfAsync(t.Ct)).Error),
    ];

    public static TheoryData<string, string, string> Cases()
    {
        var cases = new TheoryData<string, string, string>();
        foreach (var op in Operations)
        {
            foreach (var mode in BodyModes)
            {
                cases.Add(op.Name, mode, nameof(ConsulErrorKind.MalformedResponse));
            }

            foreach (var mode in op.Indexed ? IndexModes : [])
            {
                cases.Add(op.Name, mode, nameof(ConsulErrorKind.MalformedResponse));
            }

            if (op.Blocking)
            {
                cases.Add(op.Name, "index-backwards", nameof(ConsulErrorKind.MalformedResponse));
            }

            cases.Add(op.Name, "reset", nameof(ConsulErrorKind.Transport));
            cases.Add(op.Name, "stall", nameof(ConsulErrorKind.Timeout));
            cases.Add(op.Name, "drip", nameof(ConsulErrorKind.Timeout));
        }

        return cases;
    }

    private CancellationToken Ct => _deadline.Token;

    public async Task InitializeAsync()
    {
        _dev = await DevServerHarness.StartAsync();
        var client = _dev.Client();
        _session = (await client.CreateSessionAsync(new SessionCreateRequest("holder", TimeSpan.FromSeconds(60), TimeSpan.Zero, "release", []), Ct)).Succeeded();
        for (var i = 0; i < 3; i++)
        {
            await client.PutKeyAsync(Key, Encoding.UTF8.GetBytes($"v{i}"), KvPutOptions.None, Ct);
        }

        await client.PutKeyAsync(Prefix + "gone", "x"u8.ToArray(), KvPutOptions.None, Ct);
        _index = (await client.GetKeyAsync(Key, KvQuery.Immediate, Ct)).Succeeded().Index;
    }

    public async Task DisposeAsync()
    {
        await _dev.DisposeAsync();
        _deadline.Dispose();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ASpoiledAnswer_IsOneFailedRequest(string operation, string mode, string expected)
    {
        var op = Operations.Single(o => o.Name == operation);
        var node = $"{operation}-{mode}".Replace(' ', '-');
        // Only a stalled or dripping answer needs the short timeout; the healthy calls around it (the
        // first one pays for warming up dev-consul on a loaded runner) and the other modes get a long one.
        var patient = _dev.Client(nodeId: node, requestTimeout: PatientTimeout);
        var client = mode is "stall" or "drip" ? _dev.Client(nodeId: node, requestTimeout: RequestTimeout) : patient;
        Assert.Null(await op.Call(this, patient));
        await _dev.FaultAsync("spoil", $$"""{"mode":"{{mode}}","op":"{{op.DevOp}}","node":"{{node}}","count":1,"dripMs":500}""");

        var error = await op.Call(this, client);

        Assert.True(error is not null, $"{operation} accepted an answer spoiled with {mode}");
        Assert.Equal(expected, error.Kind.ToString());
        Assert.Null(await op.Call(this, patient));
    }

    [Fact]
    public async Task ASpoiledAnswer_IsLoggedOnce_AsAWarningNamingTheOperation()
    {
        var client = _dev.Client(nodeId: "logged");
        await _dev.FaultAsync("spoil", """{"mode":"null-entries","op":"session_renew","node":"logged","count":3}""");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ConsulErrorKind.MalformedResponse, (await client.RenewSessionAsync(_session, Ct)).Error?.Kind);
        }

        Assert.True((await client.RenewSessionAsync(_session, Ct)).IsSuccess);
        var warnings = _dev.Logs.Lines.Where(l => l.StartsWith("Warning Knd.Consul.ConsulClient", StringComparison.Ordinal) && l.Contains("session_renew", StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Count == 1, string.Join("\n", warnings));
        Assert.Contains("a renew answer with a null entry", warnings[0], StringComparison.Ordinal);
        Assert.Contains(_dev.Logs.Lines, l => l.Contains("session_renew works again after 3 failures", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARefusedAcquire_WhoseFollowUpReadIsSpoiled_IsOneFailedAcquire()
    {
        var other = (await _dev.Client().CreateSessionAsync(new SessionCreateRequest("other", TimeSpan.FromSeconds(60), TimeSpan.Zero, "release", []), Ct)).Succeeded();
        Assert.Equal(AcquireOutcome.Acquired, (await _dev.Client().AcquireAsync(Prefix + "taken", "x"u8.ToArray(), other, 0, Ct)).Succeeded().Outcome);
        var client = _dev.Client(nodeId: "refused");
        await _dev.FaultAsync("spoil", """{"mode":"null-entries","op":"kv_get","node":"refused","count":1}""");

        var refused = await client.AcquireAsync(Prefix + "taken", "y"u8.ToArray(), _session, 0, Ct);
        var again = await client.AcquireAsync(Prefix + "taken", "y"u8.ToArray(), _session, 0, Ct);

        Assert.Equal(ConsulErrorKind.MalformedResponse, refused.Error?.Kind);
        Assert.Equal(new AcquireResult(AcquireOutcome.HeldByOther, other), again.Value);
    }

    [Fact]
    public async Task AKvAnswerForAnotherKeyOrNoKey_IsMalformed_NotAMissingKey()
    {
        var client = _dev.Client(nodeId: "empty-array");
        await _dev.FaultAsync("spoil", """{"mode":"missing-fields","op":"kv_get","node":"empty-array","count":1}""");

        var read = await client.GetKeyAsync(Key, KvQuery.Immediate, Ct);

        Assert.Equal(ConsulErrorKind.MalformedResponse, read.Error?.Kind);
    }
}
