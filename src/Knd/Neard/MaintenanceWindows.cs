using System.Text.Json;

namespace Knd.Neard;

/// <summary>
/// The result of <c>maintenance_windows</c>: <c>[[start,end],...]</c> until early 2025, then
/// <c>[{"start":..,"end":..},...]</c> (nearcore PR #12961). Both are half-open ranges.
/// </summary>
internal static class MaintenanceWindows
{
    /// <summary>Parses the <c>result</c> of a JSON-RPC answer (already checked to be valid UTF-8 by <see cref="JsonRpc"/>).</summary>
    public static NeardRpcResult<IReadOnlyList<BlockRange>> Parse(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Array)
        {
            return Malformed("the result is not an array");
        }

        var windows = new List<BlockRange>();
        foreach (var item in result.EnumerateArray())
        {
            long start, end;
            if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() == 2
                && Height(item[0], out start) && Height(item[1], out end))
            {
                // parsed as a tuple
            }
            else if (item.ValueKind == JsonValueKind.Object
                && item.TryGetProperty("start", out var s) && Height(s, out start)
                && item.TryGetProperty("end", out var e) && Height(e, out end))
            {
                // parsed as a range object
            }
            else
            {
                return Malformed($"window {NeardAnswers.Quote(item.GetRawText())} is neither [start,end] nor {{\"start\",\"end\"}} of block heights");
            }

            if (end < start)
            {
                return Malformed($"window [{start},{end}) ends before it starts");
            }

            windows.Add(new BlockRange(start, end));
        }

        return NeardRpcResult<IReadOnlyList<BlockRange>>.Ok(windows);
    }

    /// <summary>A block height: a JSON integer from 0 to 2^63-1 (TryGetInt64 itself throws on a non-number).</summary>
    private static bool Height(JsonElement element, out long height)
    {
        height = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out height) && height >= 0;
    }

    private static NeardRpcError Malformed(string problem) => new(NeardRpcErrorKind.MalformedResponse, $"maintenance windows: {problem}");
}
