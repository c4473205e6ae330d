namespace Knd.Neard;

/// <summary>A neard home file is missing, unreadable or malformed. One line; never contains key material.</summary>
internal sealed class NeardHomeException : Exception
{
    public NeardHomeException(string message)
        : base(message)
    {
    }

    public NeardHomeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NeardHomeException()
    {
    }
}
