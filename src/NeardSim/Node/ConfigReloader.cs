using NeardSim.Home;

namespace NeardSim.Node;

/// <summary>SIGHUP: re-read config.json (expected_shutdown) and the validator key, all or nothing.</summary>
internal sealed class ConfigReloader
{
    private readonly NodeState _state;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    public ConfigReloader(NodeState state, ILogger<ConfigReloader> logger)
    {
        _state = state;
        _logger = logger;
    }

    /// <summary>Returns true when the reload was applied.</summary>
    public bool Reload()
    {
        lock (_lock)
        {
            ConfigFile config;
            KeyFile? validatorKey;
            try
            {
                (config, validatorKey) = _state.Home.LoadUpdatable();
            }
            catch (HomeFileException e)
            {
                _state.MarkReloadFailed();
                _logger.ReloadFailed(e.Message);
                return false;
            }

            var outcome = _state.ApplyReload(config.ExpectedShutdown, validatorKey);
            _logger.Reloaded(NodeState.MutableValue(outcome.ExpectedShutdown), outcome.ReloadsTotal);
            if (outcome.PreviousShutdown != outcome.ExpectedShutdown)
            {
                _logger.ExpectedShutdownChanged(
                    NodeState.MutableValue(outcome.PreviousShutdown), NodeState.MutableValue(outcome.ExpectedShutdown));
            }

            switch (outcome.Key)
            {
                case KeyOutcome.Added:
                case KeyOutcome.Changed:
                    _logger.ValidatorKeySwapped(validatorKey!.AccountId, validatorKey.PublicKey);
                    if (outcome.CatchUpMs > 0)
                    {
                        _logger.CatchingUp(validatorKey.AccountId, outcome.CatchUpMs);
                    }

                    break;
                case KeyOutcome.RemovedButKept:
                    _logger.ValidatorKeyRemovedButKept(_state.ValidatorKey!.AccountId);
                    break;
                case KeyOutcome.Unchanged:
                    break;
            }

            return true;
        }
    }
}
