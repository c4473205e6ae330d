using System.Security.Cryptography;
using System.Text;
using static Knd.Configuration.RunOptionCatalog;

namespace Knd.Configuration;

/// <summary>The options that name files and directories: each must exist and be what it claims.</summary>
internal sealed partial class RunOptionsParser
{
    /// <summary>sockaddr_un.sun_path is 108 bytes including the terminating NUL.</summary>
    private const int MaxSocketPathBytes = 107;

    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private string? ParseConsulTokenFile()
    {
        if (FindSingle(ConsulTokenFile) is not { } value)
        {
            return null;
        }

        var path = FullPath(value);
        var kind = FileProbe.Kind(path);
        if (kind != FileKind.Regular)
        {
            throw Fail(value, $"{ValueText.Quote(path)} {FileProbe.Describe(kind)}");
        }

        byte[] token;
        try
        {
            token = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail(value, $"{ValueText.Quote(path)} cannot be read: {(ex is UnauthorizedAccessException ? "permission denied" : ex.Message)}");
        }

        // Only whether a token is there matters here; the content is never kept or printed.
        var empty = Encoding.UTF8.GetString(token).Trim().Length == 0;
        CryptographicOperations.ZeroMemory(token);
        return empty ? throw Fail(value, $"{ValueText.Quote(path)} is empty; it must hold the Consul ACL token") : path;
    }

    private string ParseNeardHome()
    {
        var value = FindSingle(NeardHome)
            ?? throw Fail(new OptionValue(NeardHome, [], OptionOrigin.Flag), $"missing: set {NeardHome.Flag} or {NeardHome.EnvName} (kuutamod: {NeardHome.KuutamoAlias})");
        var home = FullPath(value);
        var kind = FileProbe.Kind(home);
        if (kind != FileKind.Directory)
        {
            throw Fail(value, $"{ValueText.Quote(home)} {FileProbe.Describe(kind)}{(kind == FileKind.Missing ? string.Empty : ", not a directory")}");
        }

        if (FileProbe.Kind(Path.Combine(home, "config.json")) != FileKind.Regular)
        {
            throw Fail(value, $"{ValueText.Quote(home)} has no config.json (not a neard home? run neard init first)");
        }

        return home;
    }

    private string ParseControlSocket(string home)
    {
        var value = FindSingle(ControlSocket) ?? DefaultValue(ControlSocket, Path.Combine(home, RunOptionDefaults.ControlSocketFileName));
        var path = FullPath(value);
        var bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxSocketPathBytes)
        {
            throw Fail(value, $"{ValueText.Quote(path)} is {bytes} bytes long; a unix socket path must fit in {MaxSocketPathBytes} bytes (sockaddr_un)");
        }

        var directory = Path.GetDirectoryName(path)!;
        if (FileProbe.Kind(directory) != FileKind.Directory)
        {
            throw Fail(value, $"the directory {ValueText.Quote(directory)} does not exist");
        }

        var kind = FileProbe.Kind(path);
        if (kind is not (FileKind.Missing or FileKind.Socket))
        {
            // A stale socket is replaced at start; anything else may be an operator's file.
            throw Fail(value, $"{ValueText.Quote(path)} exists and {FileProbe.Describe(kind)}; knd replaces only a socket");
        }

        return path;
    }

    private string ParseNeardBin()
    {
        var value = FindSingle(NeardBin) ?? DefaultValue(NeardBin, RunOptionDefaults.NeardBin);
        var text = value.Text;
        if (text.Length == 0)
        {
            throw Fail(value, "the binary name is empty");
        }

        if (text.Contains('/', StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(text);
            var kind = FileProbe.Stat(path, out var mode);
            return kind != FileKind.Regular ? throw Fail(value, $"{ValueText.Quote(path)} {FileProbe.Describe(kind)}")
                : (mode & AnyExecute) == 0 ? throw Fail(value, $"{ValueText.Quote(path)} is not executable (mode {KeyFileReader.FormatMode(mode)})")
                : path;
        }

        foreach (var directory in (_sources.Variable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.GetFullPath(Path.Combine(directory, text));
            if (FileProbe.Stat(candidate, out var mode) == FileKind.Regular && (mode & AnyExecute) != 0)
            {
                return candidate;
            }
        }

        throw Fail(value, $"{ValueText.Quote(text)} was not found on PATH; give its path");
    }

    private NearKeyFile ParseValidatorKey()
    {
        var fallback = CredentialsDefault(RunOptionDefaults.ValidatorKeyFileName);
        return ParseKeyFile(ValidatorKey, fallback);
    }

    private (string Path, OptionOrigin Origin)? CredentialsDefault(string fileName) =>
        _sources.Variable(RunOptionDefaults.CredentialsDirectoryVariable) is { } directory
            ? (Path.Combine(directory, fileName), new OptionOrigin(OptionOriginKind.Default, RunOptionDefaults.CredentialsDirectoryVariable))
            : null;

    private NearKeyFile ParseKeyFile(RunOptionSpec spec, (string Path, OptionOrigin Origin)? fallback)
    {
        var value = FindSingle(spec)
            ?? (fallback is { } f ? DefaultValue(spec, f.Path, f.Origin) : null)
            ?? throw Fail(new OptionValue(spec, [], OptionOrigin.Flag), $"missing: set {spec.Flag} or {RunOptionDefaults.CredentialsDirectoryVariable}");
        var path = FullPath(value);
        return KeyFileReader.TryRead(path, out var key, out var problem) ? key! : throw Fail(value, $"{ValueText.Quote(path)} {problem}");
    }

    private string ParseAccountId(NearKeyFile validatorKey)
    {
        if (FindSingle(AccountId) is not { } value)
        {
            _origins[AccountId.Name] = new OptionOrigin(OptionOriginKind.Default, ValidatorKey.Flag);
            return NearAccountId.IsValid(validatorKey.AccountId)
                ? validatorKey.AccountId
                : throw Fail(new OptionValue(ValidatorKey, [validatorKey.Path], OriginOf(ValidatorKey)),
                    $"{ValueText.Quote(validatorKey.Path)} has account_id {ValueText.Quote(validatorKey.AccountId)}, which is not a valid NEAR account id");
        }

        if (!NearAccountId.IsValid(value.Text))
        {
            throw Fail(value, $"{ValueText.Quote(value.Text)} is not a valid NEAR account id (2-64 characters: a-z, 0-9, and - _ . between them)");
        }

        // A key for another account would make knd hold one account's lock while signing for another.
        return value.Text == validatorKey.AccountId ? value.Text
            : throw Fail(value, $"{ValueText.Quote(value.Text)} differs from account_id {ValueText.Quote(validatorKey.AccountId)} of the validator key {ValueText.Quote(validatorKey.Path)}");
    }

    private string? ParseLogDir()
    {
        if (FindSingle(LogDir) is not { } value)
        {
            return null;
        }

        // knd does not create it: a typo would otherwise scatter logs (systemd's LogsDirectory= creates it).
        var path = FullPath(value);
        var kind = FileProbe.Kind(path);
        return kind == FileKind.Directory ? path
            : throw Fail(value, $"{ValueText.Quote(path)} {FileProbe.Describe(kind)}{(kind == FileKind.Missing ? "; create it first" : ", not a directory")}");
    }

    private OptionOrigin OriginOf(RunOptionSpec spec) => _origins.GetValueOrDefault(spec.Name, OptionOrigin.Default);

    private static string FullPath(OptionValue value)
    {
        if (value.Text.Length == 0)
        {
            throw Fail(value, "the path is empty");
        }

        var path = Path.GetFullPath(value.Text);
        return path.Length > 1 ? Path.TrimEndingDirectorySeparator(path) : path;
    }
}
