using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;

namespace DeepMap.Cluster.Tests.Deploy;

/// <summary>
/// How long a cluster node's coordinated shutdown may take at most (the sum of its phases' timeouts, Akka.Cluster's
/// included), which a container's stop grace period must outlast so the node leaves and hands its shards off before
/// it is killed.
/// </summary>
internal static partial class Shutdown
{
    private static readonly Lazy<TimeSpan> Total = new(() =>
    {
        var config = ConfigurationFactory.ParseString(
            """
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            """);
        using var system = ActorSystem.Create("shutdown-phases", config);
        var total = CoordinatedShutdown.Get(system).TotalTimeout;
        system.Terminate().Wait(TimeSpan.FromSeconds(30));
        return total;
    });

    public static TimeSpan Longest => Total.Value;

    /// <summary>A Compose duration such as 60s, 1m30s or 1m.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var match = DurationPattern().Match(text);
        Assert.True(match.Success, $"'{text}' is not a duration like 60s or 1m30s");
        return TimeSpan.FromMinutes(match.Groups[1].Success ? int.Parse(match.Groups[1].Value) : 0)
               + TimeSpan.FromSeconds(match.Groups[2].Success ? int.Parse(match.Groups[2].Value) : 0);
    }

    [GeneratedRegex(@"^(?:(\d+)m)?(?:(\d+)s)?$")]
    private static partial Regex DurationPattern();
}
