namespace Knd.Control;

/// <summary>The control socket cannot be created; the message is one line naming the path and why.</summary>
internal sealed class ControlSocketException : IOException
{
    public ControlSocketException(string message)
        : base(message)
    {
    }

    public ControlSocketException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ControlSocketException()
    {
    }
}
