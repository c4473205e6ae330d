namespace NeardSim.Home;

/// <summary>A home file is missing or does not have the shape neard expects. The message is one line.</summary>
internal sealed class HomeFileException : Exception
{
    public HomeFileException(string message)
        : base(message)
    {
    }

    public HomeFileException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public HomeFileException()
    {
    }
}
