using System.Text.Json;

namespace Knd.Neard;

/// <summary>
/// The result of <c>maintenance_windows</c>: <c>[[start,end],...]</c> until early 2025, then
/// <c>[{"start":..,"end":..},...]</c> (nearcore PR #12961). Both are half-open ranges.
/// </summary>
internal static class MaintenanceWindows
{
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
                && item[0].TryGetInt64(out start) && item[1].TryGetInt64(out end))
            {
                // parsed as a tuple
            }
            else if (item.ValueKind == JsonValueKind.Object
                && item.TryGetProperty("start", out var s) && s.TryGetInt64(out start)
                && item.TryGetProperty("end", out var e) && e.TryGetInt64(out end))
            {
                // parsed as a range object
            }
            else
            {
                return Malformed($"window {item.GetRawText()} is neither [start,end] nor {{\"start\",\"end\"}}");
            }

            if (end < start)
            {
                return Malformed($"window [{start},{end}) ends before it starts");
            }

            windows.Add(new BlockRange(start, end));
        }

        return NeardRpcResult<IReadOnlyList<BlockRange>>.Ok(windows);
    }

    private static NeardRpcError Malformed(string problem) => new(NeardRpcErrorKind.MalformedResponse, $"maintenance windows: {problem}");
}
