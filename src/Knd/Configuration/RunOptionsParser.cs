using System.Text.RegularExpressions;
using static Knd.Configuration.RunOptionCatalog;

namespace Knd.Configuration;

/// <summary>
/// Turns the flags, environment and config file of <c>knd run</c> into validated
/// <see cref="KndRunOptions"/> and <see cref="FailoverTimings"/>, or the first error. Every value
/// is checked the same way whichever source gave it; nothing is started or written.
/// </summary>
internal sealed partial class RunOptionsParser
{
    private readonly RunOptionsInput _input;
    private readonly OptionSources _sources;
    private readonly List<string> _warnings = [];
    private readonly Dictionary<string, OptionOrigin> _origins = new(StringComparer.Ordinal);

    private RunOptionsParser(RunOptionsInput input)
    {
        _input = input;
        _sources = new OptionSources(input);
    }

    public static RunOptionsResult Parse(RunOptionsInput input)
    {
        var parser = new RunOptionsParser(input);
        try
        {
            return parser.ParseAll();
        }
        catch (RunOptionException ex)
        {
            return RunOptionsResult.Failure(ex.Error, parser._warnings);
        }
    }

    private RunOptionsResult ParseAll()
    {
        _sources.LoadConfigFile();
        var logFormat = ParseChoice(RunOptionCatalog.LogFormat, Logging.LogFormat.Text, ("text", Logging.LogFormat.Text), ("json", Logging.LogFormat.Json));
        var nodeId = ParseNodeId();
        var consulUrl = ParseConsulUrl();
        var tokenFile = ParseConsulTokenFile();
        var dcs = ParseDcs();
        var etcd = ParseEtcd(dcs);
        var lockKeyPrefix = ParseLockKeyPrefix();
        var sessionTtl = ParseSessionTtl(dcs);
        // Not given: FailoverTimings picks the default, which fast failover raises to cover the fence bound.
        var lockDelay = Find(LockDelay) is null ? (TimeSpan?)null : ParseDuration(LockDelay, RunOptionDefaults.DefaultLockDelay, allowZero: true, max: RunOptionDefaults.ConsulMaxLockDelay, maxReason: "Consul's maximum lock delay (Consul would silently cap it)");
        var stopTimeout = Find(NeardStopTimeout) is null ? (TimeSpan?)null : ParseDuration(NeardStopTimeout, TimeSpan.Zero, allowZero: false);
        var stallTimeout = ParseDuration(NeardStallTimeout, RunOptionDefaults.DefaultNeardStallTimeout, allowZero: false);
        var exporter = ParseEndpoint(ExporterAddress, RunOptionDefaults.ExporterAddress, allowPortZero: true);
        var validatorAddr = ParseEndpoint(ValidatorNetworkAddr, RunOptionDefaults.ValidatorNetworkAddr, allowPortZero: false);
        var voterAddr = ParseEndpoint(VoterNetworkAddr, RunOptionDefaults.VoterNetworkAddr, allowPortZero: false);
        var publicAddresses = ParsePublicAddresses();
        var promotion = ParseChoice(Promotion, PromotionMode.Restart, ("restart", PromotionMode.Restart), ("hot-swap", PromotionMode.HotSwap));
        var bootnodes = ParseBootnodes();
        var home = ParseNeardHome();
        var controlSocket = ParseControlSocket(home);
        var neardBin = ParseNeardBin();
        var validatorKey = ParseValidatorKey();
        var accountId = ParseAccountId(validatorKey);
        var validatorNodeKey = ParseKeyFile(ValidatorNodeKey, CredentialsDefault(RunOptionDefaults.ValidatorNodeKeyFileName));
        var voterNodeKey = ParseKeyFile(VoterNodeKey, (Path.Combine(home, RunOptionDefaults.VoterNodeKeyFileName), new OptionOrigin(OptionOriginKind.Default, NeardHome.Flag)));
        var logDir = ParseLogDir();
        var production = new ProductionRules
        {
            MischanceConfidence = ParseCount(MischanceConfidence, ProductionRules.DefaultMischanceConfidence),
            MaxMischance = ParseCount(MaxMischance, ProductionRules.DefaultMaxMischance),
        };
        var peers = ParsePeers(sessionTtl);
        var tags = new MemberTags { NoFailover = ParseFlag(NoFailover), Priority = ParsePriority() };
        var hooks = ParseHooks();

        var options = new KndRunOptions
        {
            NodeId = nodeId,
            AccountId = accountId,
            ConsulUrl = consulUrl,
            ConsulTokenFile = tokenFile,
            Dcs = dcs,
            EtcdEndpoints = etcd.Endpoints,
            EtcdCaFile = etcd.CaFile,
            EtcdCertFile = etcd.CertFile,
            EtcdKeyFile = etcd.KeyFile,
            EtcdUser = etcd.User,
            EtcdPasswordFile = etcd.PasswordFile,
            LockKeyPrefix = lockKeyPrefix,
            ExporterAddress = exporter,
            ControlSocket = controlSocket,
            NeardBin = neardBin,
            NeardHome = home,
            ValidatorKey = validatorKey.Path,
            ValidatorNodeKey = validatorNodeKey.Path,
            VoterNodeKey = voterNodeKey.Path,
            ValidatorNetworkAddr = validatorAddr,
            VoterNetworkAddr = voterAddr,
            PublicAddresses = publicAddresses,
            NeardBootnodes = bootnodes,
            Promotion = promotion,
            LogDir = logDir,
            LogFormat = logFormat,
            Production = production,
            PeerAddress = peers.Address,
            PeerAdvertiseAddress = peers.Advertise,
            ClusterSecretFile = peers.SecretFile,
            Peers = peers.Rules,
            Tags = tags,
            Hooks = new HookSettings(hooks.OnRoleChange, hooks.PrePromote, hooks.Timeout),
            Warnings = _warnings,
        };
        var timings = FailoverTimings.From(sessionTtl, lockDelay, stopTimeout, stallTimeout, peers.Rules.FastFailover)
            with { PrePromoteTimeout = hooks.PrePromote is null ? null : hooks.Timeout };
        var keys = new RunOptionKeys(validatorKey, validatorNodeKey, voterNodeKey);
        if (peers.Rules.Failsafe && peers.Rules.PromiseBudget(timings) is var budget && budget < PeerRules.PromiseBudgetWarnBelow)
        {
            _warnings.Add(new RunOptionError(Failsafe.Flag, OriginOf(Failsafe).Describe(),
                $"at a {DurationParser.Format(sessionTtl)} session TTL a leader cut off from a Consul that answers nothing has {Math.Max(0, budget.TotalMilliseconds):0} ms to collect every member's promise before it fences, "
                + "which a loaded host can miss (then it fences as without the failsafe); a TTL of 6s or more leaves 900 ms").ToString());
        }

        if (RunOptionsValidator.Validate(options, timings, keys, OriginOf) is { } error)
        {
            return RunOptionsResult.Failure(error, _warnings);
        }

        return RunOptionsResult.Success(options, timings, _warnings);
    }

    private string ParseNodeId()
    {
        var value = FindSingle(NodeId) ?? DefaultValue(NodeId, _input.HostName ?? Environment.MachineName);
        if (value.Text.Length == 0 || ValueText.HasWhitespaceOrControl(value.Text))
        {
            throw Fail(value, $"{ValueText.Quote(value.Text)} must be non-empty, without spaces or control characters");
        }

        return value.Text;
    }

    private Uri ParseConsulUrl()
    {
        var value = FindSingle(ConsulUrl) ?? DefaultValue(ConsulUrl, RunOptionDefaults.ConsulUrl);
        if (!Uri.TryCreate(value.Text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            throw Fail(value, $"malformed URL {ValueText.Quote(value.Text)}: expected http://HOST:PORT or https://HOST:PORT");
        }

        if (uri.UserInfo.Length > 0)
        {
            // Do not echo the value: it holds a credential.
            throw Fail(value, "the URL must not contain user:password@; give the ACL token with --consul-token-file");
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw Fail(value, $"malformed URL {ValueText.Quote(value.Text)}: no query or fragment allowed");
        }

        // A trailing slash keeps a path prefix (a proxy) when request paths are resolved against it.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    private string ParseLockKeyPrefix()
    {
        var value = FindSingle(LockKeyPrefix) ?? DefaultValue(LockKeyPrefix, RunOptionDefaults.LockKeyPrefix);
        var text = value.Text;
        var problem = text switch
        {
            _ when !text.EndsWith('/') => "must end with '/'",
            _ when text.StartsWith('/') => "must not start with '/' (Consul KV keys are relative)",
            _ when !LockKeyCharacters().IsMatch(text) => "may contain only letters, digits and , - _ . /",
            _ => null,
        };
        return problem is null ? text : throw Fail(value, $"{ValueText.Quote(text)} {problem}");
    }

    /// <summary>A whole number from 1 to <see cref="MaxCount"/>, in decimal digits only.</summary>
    private int ParseCount(RunOptionSpec spec, int fallback)
    {
        if (FindSingle(spec) is not { } value)
        {
            return fallback;
        }

        var text = value.Text.Trim();
        var digits = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            throw Fail(value, $"{ValueText.Quote(value.Text)} is not a whole number");
        }

        // A sign or more digits than an int holds is a number too, just not one that is allowed.
        return !text.StartsWith('-') && digits.Length <= 9 && int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) is var count and >= 1 and <= MaxCount
            ? count
            : throw Fail(value, $"{text} is out of range: it must be from 1 to {MaxCount}");
    }

    /// <summary>A whole number from <see cref="MemberTags.MinPriority"/> to <see cref="MemberTags.MaxPriority"/>.</summary>
    private int ParsePriority()
    {
        if (FindSingle(Priority) is not { } value)
        {
            return 0;
        }

        var text = value.Text.Trim();
        var digits = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            throw Fail(value, $"{ValueText.Quote(value.Text)} is not a whole number");
        }

        return digits.Length <= 9 && int.Parse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture) is var priority
            && priority is >= MemberTags.MinPriority and <= MemberTags.MaxPriority
            ? priority
            : throw Fail(value, $"{text} is out of range: it must be from {MemberTags.MinPriority} to {MemberTags.MaxPriority}");
    }

    private T ParseChoice<T>(RunOptionSpec spec, T fallback, params (string Name, T Value)[] choices)
    {
        if (FindSingle(spec) is not { } value)
        {
            return fallback;
        }

        foreach (var (name, choice) in choices)
        {
            if (value.Text == name)
            {
                return choice;
            }
        }

        throw Fail(value, $"{ValueText.Quote(value.Text)} is not one of: {string.Join(", ", choices.Select(c => c.Name))}");
    }

    private OptionValue? Find(RunOptionSpec spec)
    {
        var value = _sources.Find(spec);
        if (value is not null)
        {
            _origins[spec.Name] = value.Origin;
        }

        return value;
    }

    private OptionValue? FindSingle(RunOptionSpec spec) =>
        Find(spec) is { } value ? value with { Values = [OptionSources.Single(value)] } : null;

    private OptionValue DefaultValue(RunOptionSpec spec, string text, OptionOrigin? origin = null)
    {
        var value = new OptionValue(spec, [text], origin ?? OptionOrigin.Default);
        _origins[spec.Name] = value.Origin;
        return value;
    }

    private static RunOptionException Fail(OptionValue value, string problem) =>
        new(new RunOptionError(value.Spec.Flag, value.Origin.Describe(), problem));

    /// <summary>The largest --mischance-confidence or --max-mischance: more duties in a row than most validators have in an epoch.</summary>
    internal const int MaxCount = 10_000;

    [GeneratedRegex(@"^[A-Za-z0-9,\-_./]+$")]
    private static partial Regex LockKeyCharacters();
}
