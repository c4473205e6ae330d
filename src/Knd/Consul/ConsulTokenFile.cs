namespace Knd.Consul;

/// <summary>
/// The ACL token from <c>--consul-token-file</c>, trailing newline trimmed (kuutamod's format).
/// <see cref="Reload"/> re-reads it (on SIGHUP); a failed re-read keeps the previous token.
/// The token itself is never logged or put in an exception message.
/// </summary>
internal sealed class ConsulTokenFile
{
    private readonly string? _path;
    private volatile string? _token;

    public ConsulTokenFile(string? path)
    {
        _path = path;
        if (path is not null)
        {
            _token = Read(path);
        }
    }

    public string? Token => _token;

    /// <summary>False when no <c>--consul-token-file</c> is set: a reload has nothing to read.</summary>
    public bool HasFile => _path is not null;

    /// <summary>Re-reads the file. Returns an error message (without the token) or null.</summary>
    public string? Reload()
    {
        if (_path is null)
        {
            return null;
        }

        try
        {
            _token = Read(_path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"could not re-read the Consul token file {_path}: {e.GetType().Name}; keeping the previous token";
        }
    }

    private static string Read(string path) => File.ReadAllText(path).TrimEnd('\r', '\n');
}
