using System.Globalization;
using System.Text;

namespace Knd.Configuration;

/// <summary>Quotes a value for a one-line error: control characters escaped, long values cut.</summary>
internal static class ValueText
{
    private const int MaxLength = 200;

    public static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value.Length > MaxLength ? value[..MaxLength] : value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                default:
                    if (char.IsControl(c))
                    {
                        text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        if (value.Length > MaxLength)
        {
            text.Append("...");
        }

        return text.Append('"').ToString();
    }

    public static bool HasWhitespaceOrControl(string value) =>
        value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));
}
