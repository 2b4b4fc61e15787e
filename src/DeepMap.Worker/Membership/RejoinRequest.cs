namespace DeepMap.Worker.Membership;

/// <summary>
/// Set by the node's actors when it must leave its cluster and join again; the worker's host loop reads it after the
/// actor system has stopped, to tell that apart from an ordinary stop.
/// </summary>
public sealed class RejoinRequest
{
    private volatile string? _reason;

    public void Request(string reason) => _reason = reason;

    /// <summary>The reason given, clearing the request for the node's next life.</summary>
    public string? Take() => Interlocked.Exchange(ref _reason, null);
}
