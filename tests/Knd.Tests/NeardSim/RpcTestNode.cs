using System.Text;
using System.Text.Json;
using NeardSim.Chain;
using NeardSim.Node;
using NeardSim.Rpc;
using NeardSim.Signing;

namespace Knd.Tests.NeardSim;

/// <summary>The RPC layer of a sim over a <see cref="SimTestHome"/>, without Kestrel.</summary>
internal sealed class RpcTestNode
{
    public RpcTestNode(SimTestHome home)
    {
        Home = home;
        State = home.CreateState();
        var genesis = State.Genesis;
        Clock = new ChainClock(genesis.GenesisTime, genesis.BlockIntervalMs, genesis.EpochLength, home.Time);
        Views = new NodeViews(State, Clock, new DutySchedule(genesis.DutySeed, genesis.DutyPercent), new LedgerIndex(home.LedgerPath, genesis.EpochLength))
        {
            RpcAddr = "127.0.0.1:3030",
        };
        Handler = new JsonRpcHandler(new RpcMethods(Views, State));
    }

    public SimTestHome Home { get; }

    public NodeState State { get; }

    public ChainClock Clock { get; }

    public NodeViews Views { get; }

    public JsonRpcHandler Handler { get; }

    public (int Status, JsonElement Body) Call(string requestJson)
    {
        var (status, body) = Handler.Handle(Encoding.UTF8.GetBytes(requestJson));
        return (status, JsonDocument.Parse(body).RootElement.Clone());
    }

    public (int Status, string Body) CallRaw(string requestJson)
    {
        var (status, body) = Handler.Handle(Encoding.UTF8.GetBytes(requestJson));
        return (status, Encoding.UTF8.GetString(body));
    }
}
