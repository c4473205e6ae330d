using Knd.Consul;

namespace Knd.DevConsul;

/// <summary><c>/v1/status/leader</c>, <c>/v1/status/peers</c> and <c>/v1/agent/self</c>.</summary>
internal static class AgentEndpoints
{
    public const string Version = "1.21.0-knd-dev";

    private static readonly string NodeId = Guid.NewGuid().ToString();

    /// <summary>The leader's RPC address, or <c>""</c> without a leader (never an error, never ACL-checked).</summary>
    public static DevResponse Leader(DevApi api, HttpRequest request)
    {
        if (request.Method != "GET")
        {
            return DevResponse.MethodNotAllowed(request.Method, "GET");
        }

        var leader = api.Store.Leader().HasLeader ? api.LeaderAddress : string.Empty;
        return DevResponse.Json(leader, DevConsulJsonContext.Default.String);
    }

    public static DevResponse Peers(DevApi api, HttpRequest request)
    {
        if (request.Method != "GET")
        {
            return DevResponse.MethodNotAllowed(request.Method, "GET");
        }

        List<string> peers = api.Store.Leader().HasLeader ? [api.LeaderAddress] : [];
        return DevResponse.Json(peers, DevConsulJsonContext.Default.ListString);
    }

    /// <summary>The local agent's configuration; answers without a leader, as a real agent does.</summary>
    public static DevResponse Self(DevApi api, HttpRequest request)
    {
        if (request.Method != "GET")
        {
            return DevResponse.MethodNotAllowed(request.Method, "GET");
        }

        var host = api.LeaderAddress[..api.LeaderAddress.LastIndexOf(':')].Trim('[', ']');
        var self = new DevAgentSelfWire
        {
            Config = new AgentConfigWire
            {
                Datacenter = api.Options.Datacenter,
                PrimaryDatacenter = api.Options.Datacenter,
                NodeName = api.Options.NodeName,
                NodeId = NodeId,
                Server = true,
                Revision = "knd-dev-consul",
                Version = Version,
            },
            Member = new DevMemberWire { Name = api.Options.NodeName, Addr = host },
        };
        return DevResponse.Json(self, DevConsulJsonContext.Default.DevAgentSelfWire);
    }
}
