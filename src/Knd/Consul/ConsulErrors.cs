using System.Net;

namespace Knd.Consul;

/// <summary>Turns a non-2xx Consul answer into a <see cref="ConsulError"/>. Messages never include the token.</summary>
internal static class ConsulErrors
{
    private const int MaxBodyInMessage = 400;

    public static ConsulError FromStatus(int status, string body)
    {
        var text = Trim(body);
        if (status == (int)HttpStatusCode.Forbidden)
        {
            return new ConsulError(ConsulErrorKind.PermissionDenied, status, $"Consul refused the ACL token (403): {text}");
        }

        // Through a client agent the text is "rpc error making call: No cluster leader": match on contains.
        if (status >= 500 && text.Contains("No cluster leader", StringComparison.OrdinalIgnoreCase))
        {
            return new ConsulError(ConsulErrorKind.NoClusterLeader, status, $"Consul has no cluster leader ({status}): {text}");
        }

        if (status is >= 400 and < 500)
        {
            return new ConsulError(ConsulErrorKind.BadRequest, status, $"Consul rejected the request ({status}): {text}");
        }

        return new ConsulError(ConsulErrorKind.ServerError, status, $"Consul failed the request ({status}): {text}");
    }

    public static ConsulError Malformed(int status, string what) =>
        new(ConsulErrorKind.MalformedResponse, status, $"Consul answered with {what}");

    /// <summary>One line, bounded, so a proxy's HTML error page does not flood the log.</summary>
    public static string Trim(string body)
    {
        var text = body.ReplaceLineEndings(" ").Trim();
        if (text.Length == 0)
        {
            return "(empty body)";
        }

        return text.Length <= MaxBodyInMessage ? text : string.Concat(text.AsSpan(0, MaxBodyInMessage), "...");
    }
}
