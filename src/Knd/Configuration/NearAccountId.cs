using System.Text.RegularExpressions;

namespace Knd.Configuration;

/// <summary>NEAR's account id rules (nearcore <c>AccountId</c>): 2 to 64 characters of a-z, 0-9 and - _ . separators.</summary>
internal static partial class NearAccountId
{
    public static bool IsValid(string value) => value.Length is >= 2 and <= 64 && Pattern().IsMatch(value);

    [GeneratedRegex(@"^(([a-z\d]+[\-_])*[a-z\d]+\.)*([a-z\d]+[\-_])*[a-z\d]+$")]
    private static partial Regex Pattern();
}
