using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Knd.Neard;
using Microsoft.Extensions.Logging.Abstractions;
using Knd.Testing;

namespace Knd.Tests.Neard;

/// <summary>
/// Every neard answer parser is total: real answers, mutated in structure (nulls, wrong types,
/// numbers beyond 64 bits, removed fields, deep nesting) and in bytes (truncated, flipped, spliced),
/// give a value or a typed error and never throw. The seeds are fixed, so a failure names a body
/// that reproduces.
/// </summary>
public sealed class NeardRpcFuzzTests
{
    private const int MutationsPerSeed = 1000;

    /// <summary>Raw JSON put in place of a node: every kind of wrong value, and numbers no long holds.</summary>
    private static readonly string[] OddValues =
    [
        "null", "true", "false", "0", "-1", "1.5", "-0", "1e400", "-1e400", "1e18", "18446744073709551615",
        "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "\"\"", "\"x\"",
        "\"12\"", "\"\\u0000\"", "[]", "[null]", "[[]]", "{}", "{\"a\":null}", Nest(200), "\"" + new string('y', 5000) + "\"",
    ];

    /// <summary>Bytes that change JSON's structure, and one that is never valid UTF-8 alone.</summary>
    private static readonly byte[] JsonBytes = [.. "{}[]\",:0-e.\\n"u8, 0xff];

    private static readonly string[] Fixed =
    [
        string.Empty, " ", "null", "[]", "{}", "[null]", "\"x\"", "1", "true", "{", "}", "[", "{\"", "\uFEFF{}",
        "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":\"knd\"}", "{\"jsonrpc\":\"2.0\",\"error\":null,\"id\":\"knd\"}",
        "{\"jsonrpc\":\"2.0\",\"error\":{\"name\":null,\"cause\":null,\"code\":null,\"data\":null},\"id\":\"knd\"}",
        "{\"jsonrpc\":\"2.0\",\"error\":\"boom\",\"id\":\"knd\"}", "{\"sync_info\":null}", "{\"result\":[[1,2]],\"result\":5}",
        Nest(5000), "# only a comment\n", "name{a=\"b\" 1\n", "x 1 2 3\n", "near_block_expected_shutdown 1e300\n",
        "near_config_reloads_total NaN\n", "near_config_mutable_field{field_name=\"expected_shutdown\",value=\"Some(99999999999999999999)\"} 1\n",
    ];

    /// <summary>The account whose counts the production parser reads from the validators sample (it has every kind).</summary>
    private const string ProductionAccount = "kiln.pool.f863973.m0";

    public static TheoryData<string> Parsers() => ["status", "block", "validators", "windows", "metrics", "production", "authored-block", "chunk"];

    [Theory]
    [MemberData(nameof(Parsers))]
    public void Parser_MutatedAnswers_GiveAValueOrATypedError_NeverAnException(string parser)
    {
        var random = new Random(20261122 + parser.Length);
        var checkedBodies = 0;
        foreach (var body in Bodies(parser, random))
        {
            Check(parser, body);
            checkedBodies++;
        }

        Assert.True(checkedBodies > MutationsPerSeed, $"only {checkedBodies} bodies");
    }

    [Fact(Timeout = 120_000)]
    public async Task Client_MutatedAnswersOverHttp_EveryCallIsAValueOrATypedError()
    {
        var random = new Random(7);
        var queue = new Queue<(int Status, byte[] Body)>();
        await using var server = await LoopbackHttpServer.StartAsync(async context =>
        {
            (int Status, byte[] Body) next;
            lock (queue)
            {
                next = queue.Dequeue();
            }

            context.Response.StatusCode = next.Status;
            await context.Response.Body.WriteAsync(next.Body, context.RequestAborted);
        });
        using var client = new NeardRpcClient(server.BaseAddress, TimeSpan.FromSeconds(5), TimeProvider.System, NullLogger.Instance);
        int[] statuses = [200, 200, 200, 400, 500, 503];
        foreach (var parser in new[] { "status", "block", "validators", "windows", "metrics", "production", "authored-block", "chunk" })
        {
            foreach (var body in Bodies(parser, random).Take(120))
            {
                lock (queue)
                {
                    queue.Clear();

                    // The windows call may ask twice (old and new method names).
                    var status = statuses[random.Next(statuses.Length)];
                    queue.Enqueue((status, body));
                    queue.Enqueue((status, body));
                }

                var error = parser switch
                {
                    "status" => (await client.GetStatusAsync(CancellationToken.None)).Error,
                    "block" => (await client.GetFinalBlockHeightAsync(CancellationToken.None)).Error,
                    "validators" => (await client.GetValidatorsAsync(CancellationToken.None)).Error,
                    "windows" => (await client.GetMaintenanceWindowsAsync("a", CancellationToken.None)).Error,
                    "production" => (await client.GetProductionAsync(ProductionAccount, null, CancellationToken.None)).Error,
                    "authored-block" => (await client.GetBlockAsync(187310138, CancellationToken.None)).Error,
                    "chunk" => (await client.GetChunkAsync(187310140, 0, CancellationToken.None)).Error,
                    _ => (await client.GetMetricsAsync(CancellationToken.None)).Error,
                };
                Assert.True(error is null || Enum.IsDefined(error.Kind), $"{parser}: {error}");
            }
        }
    }

    private static void Check(string parser, byte[] body)
    {
        try
        {
            switch (parser)
            {
                case "status":
                    AssertValueOrMalformed(NeardAnswers.Status(body), s => s.LatestBlockHeight >= 0);
                    break;
                case "metrics":
                    var metrics = new NeardMetrics(PrometheusText.Parse(Encoding.UTF8.GetString(body), out _));
                    _ = (metrics.ConfigReloadsTotal, metrics.BlockExpectedShutdown, metrics.MutableExpectedShutdown);
                    break;
                default:
                    foreach (var status in new[] { HttpStatusCode.OK, HttpStatusCode.InternalServerError })
                    {
                        var answer = JsonRpc.ParseAnswer(parser, status, body);
                        if (answer.Error is { } error)
                        {
                            Assert.True(Enum.IsDefined(error.Kind));
                            continue;
                        }

                        Assert.NotEqual(JsonValueKind.Undefined, answer.Value.ValueKind);
                        switch (parser)
                        {
                            case "block":
                                AssertValueOrMalformed(NeardAnswers.BlockHeight(answer.Value), h => h >= 0);
                                break;
                            case "validators":
                                AssertValueOrMalformed(NeardAnswers.Validators(answer.Value), v => v.Current.All(c => c.AccountId.Length > 0));
                                break;
                            case "production":
                                AssertValueOrMalformed(ProductionAnswers.Production(answer.Value, ProductionAccount), ValidProduction);
                                break;
                            case "authored-block":
                                AssertValueOrMalformed(ProductionAnswers.Block(answer.Value), b => b.Height >= 0 && b.Author.Length > 0 && b.TimestampNanos >= 0 && b.Chunks!.All(c => c.ShardId >= 0 && c.HeightCreated >= 0));
                                break;
                            case "chunk":
                                AssertValueOrMalformed(ProductionAnswers.Chunk(answer.Value), c => c.Author.Length > 0 && c.HeightCreated >= 0 && c.ShardId >= 0);
                                break;
                            default:
                                AssertValueOrMalformed(MaintenanceWindows.Parse(answer.Value), w => w.All(r => r.Start >= 0 && r.End >= r.Start));
                                break;
                        }
                    }

                    break;
            }
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"{parser} threw {e.GetType().Name}: {e.Message}\non the body: {Show(body)}");
        }
    }

    private static bool ValidProduction(EpochProduction production) =>
        production.EpochStartHeight >= 0
        && production.EpochHeight is null or >= 0
        && (production.Account is not { } account
            || (Valid(account.Blocks) && Valid(account.Chunks) && (account.Endorsements is not { } endorsements || Valid(endorsements))));

    private static bool Valid(DutyCount count) => count.Expected >= 0 && count.Produced >= 0 && count.Missed >= 0;

    private static void AssertValueOrMalformed<T>(NeardRpcResult<T> result, Func<T, bool> valid)
    {
        if (result.Error is { } error)
        {
            Assert.Equal(NeardRpcErrorKind.MalformedResponse, error.Kind);
            Assert.False(string.IsNullOrEmpty(error.Message));
        }
        else
        {
            Assert.NotNull(result.Value);
            Assert.True(valid(result.Succeeded()), "a parsed value out of range");
        }
    }

    private static IEnumerable<byte[]> Bodies(string parser, Random random)
    {
        var seeds = parser switch
        {
            "status" => [NeardRpcSamples.Status, NeardRpcSamples.StatusPassiveSyncing],
            "block" => [NeardRpcSamples.FinalBlock, NeardRpcSamples.UnknownEpoch],
            "authored-block" => [NeardRpcSamples.FinalBlock, NeardRpcSamples.BlockWithChunks, NeardRpcSamples.UnknownBlock],
            "chunk" => [NeardRpcSamples.Chunk, NeardRpcSamples.UnknownChunk],
            "production" => [NeardRpcSamples.Validators, NeardRpcSamples.UnknownEpoch],
            "validators" => [NeardRpcSamples.Validators, NeardRpcSamples.MethodNotFound],
            "windows" => [NeardRpcSamples.WindowsTuples, NeardRpcSamples.WindowsObjects, NeardRpcSamples.MethodNotFound],
            _ => new[] { NeardRpcSamples.Metrics },
        };
        foreach (var text in Fixed.Concat(seeds))
        {
            yield return Encoding.UTF8.GetBytes(text);
        }

        foreach (var seed in seeds)
        {
            var bytes = Encoding.UTF8.GetBytes(seed);
            for (var i = 0; i < MutationsPerSeed; i++)
            {
                yield return (i % 3) switch
                {
                    0 => parser == "metrics" ? MutateLines(seed, random) : MutateStructure(seed, random),
                    1 => MutateBytes(bytes, random),
                    _ => bytes[..random.Next(bytes.Length)],
                };
            }
        }
    }

    /// <summary>Replaces one node of the JSON tree by an odd value, or removes one property.</summary>
    private static byte[] MutateStructure(string seed, Random random)
    {
        var root = JsonNode.Parse(seed)!;
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[random.Next(nodes.Count)];
        const string Marker = "\"__fuzz__\"";
        if (target.Parent is null)
        {
            return Encoding.UTF8.GetBytes(random.Next(2) == 0 ? "[" + seed + "]" : OddValues[random.Next(OddValues.Length)]);
        }

        if (target.Parent is JsonObject parentObject && random.Next(4) == 0)
        {
            parentObject.Remove(target.GetPropertyName());
            return Encoding.UTF8.GetBytes(root.ToJsonString());
        }

        target.ReplaceWith(JsonValue.Create("__fuzz__"));
        return Encoding.UTF8.GetBytes(root.ToJsonString().Replace(Marker, OddValues[random.Next(OddValues.Length)], StringComparison.Ordinal));
    }

    private static void Collect(JsonNode? node, List<JsonNode> nodes)
    {
        if (node is null)
        {
            return;
        }

        nodes.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList())
                {
                    Collect(child, nodes);
                }

                break;
            case JsonArray array:
                foreach (var child in array.ToList())
                {
                    Collect(child, nodes);
                }

                break;
        }
    }

    private static byte[] MutateBytes(byte[] bytes, Random random)
    {
        var copy = new List<byte>(bytes);
        var edits = 1 + random.Next(4);
        for (var i = 0; i < edits && copy.Count > 0; i++)
        {
            var at = random.Next(copy.Count);
            switch (random.Next(4))
            {
                case 0:
                    copy[at] = (byte)random.Next(256);
                    break;
                case 1:
                    copy.Insert(at, JsonBytes[random.Next(JsonBytes.Length)]);
                    break;
                case 2:
                    copy.RemoveRange(at, Math.Min(copy.Count - at, 1 + random.Next(20)));
                    break;
                default:
                    var length = Math.Min(copy.Count - at, 1 + random.Next(40));
                    copy.InsertRange(random.Next(copy.Count), copy.GetRange(at, length).ToArray());
                    break;
            }
        }

        return [.. copy];
    }

    private static byte[] MutateLines(string seed, Random random)
    {
        var lines = seed.Split('\n').ToList();
        var at = random.Next(lines.Count);
        lines[at] = random.Next(3) switch
        {
            0 => lines[at] + " " + OddValues[random.Next(OddValues.Length)],
            1 => lines[at].Replace("1", OddValues[random.Next(OddValues.Length)], StringComparison.Ordinal),
            _ => lines[at][..random.Next(lines[at].Length + 1)],
        };
        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }

    private static string Nest(int depth) => new string('[', depth) + new string(']', depth);

    private static string Show(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        return text.Length > 600 ? text[..600] + $"... ({text.Length} chars)" : text;
    }
}
