namespace DeepMap.Cli.Local;

/// <summary>What `deepmap local up` started, kept in {home}/local.json so `status` and `down` find it.</summary>
public sealed record LocalClusterState(string Api, int Port, int CoordinatorPid, int[] WorkerPids, string Logs, DateTimeOffset Started);
