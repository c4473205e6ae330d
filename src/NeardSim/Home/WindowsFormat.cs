namespace NeardSim.Home;

/// <summary>The two maintenance-window shapes nearcore has shipped.</summary>
internal enum WindowsFormat
{
    /// <summary>Up to early 2025: <c>[[start,end],...]</c>.</summary>
    Tuple,

    /// <summary>After nearcore PR #12961: <c>[{"start":..,"end":..},...]</c>.</summary>
    Object,
}
