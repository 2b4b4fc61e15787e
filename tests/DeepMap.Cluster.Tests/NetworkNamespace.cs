using System.ComponentModel;
using System.Diagnostics;

namespace DeepMap.Cluster.Tests;

/// <summary>
/// A Linux network namespace of this test run joined to the host by a veth pair on a private /30 (10.253.x.y/30 not in
/// use here): the host end has <see cref="HostAddress"/>, the namespace end <see cref="InnerAddress"/>, and the
/// namespace's loopback is up. <see cref="Cut"/> takes the host end down (packets between the two sides are lost, as
/// with a pulled cable; each side still reaches its own addresses), <see cref="Restore"/> brings it up again. Dispose
/// deletes the veth pair and the namespace. Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2's `ip`; without
/// them <see cref="Create"/> throws, saying so.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private const string Prefix = "deepmap-test-";

    private NetworkNamespace(string name, string hostLink, string innerLink, string hostAddress, string innerAddress)
    {
        Name = name;
        HostLink = hostLink;
        InnerLink = innerLink;
        HostAddress = hostAddress;
        InnerAddress = innerAddress;
    }

    /// <summary>The namespace's name, for `ip netns exec`.</summary>
    public string Name { get; }

    /// <summary>The host end of the veth pair.</summary>
    public string HostLink { get; }

    /// <summary>The namespace end of the veth pair.</summary>
    public string InnerLink { get; }

    public string HostAddress { get; }

    public string InnerAddress { get; }

    public static NetworkNamespace Create()
    {
        RemoveStale();
        var suffix = $"{Environment.ProcessId}-{Random.Shared.Next(0x10000):x4}";
        var name = Prefix + suffix;
        // Interface names have at most 15 characters.
        var tag = $"{Random.Shared.Next(0x1000000):x6}";
        var (hostAddress, innerAddress) = FreeSubnet();
        var (code, text) = Ip("netns", "add", name);
        if (code != 0)
            throw new InvalidOperationException(
                $"this test needs Linux network namespaces: `ip netns add {name}` failed ({text.Trim()}); run it as root (CAP_NET_ADMIN and CAP_SYS_ADMIN) on Linux with iproute2");
        var created = new NetworkNamespace(name, $"dmh{tag}", $"dmn{tag}", hostAddress, innerAddress);
        try
        {
            Run("link", "add", created.HostLink, "type", "veth", "peer", "name", created.InnerLink, "netns", name);
            Run("addr", "add", $"{hostAddress}/30", "dev", created.HostLink);
            Run("link", "set", created.HostLink, "up");
            Run("-n", name, "addr", "add", $"{innerAddress}/30", "dev", created.InnerLink);
            Run("-n", name, "link", "set", created.InnerLink, "up");
            Run("-n", name, "link", "set", "lo", "up");
            return created;
        }
        catch
        {
            created.Dispose();
            throw;
        }
    }

    /// <summary>Cuts the link: the host end goes down, and nothing passes between the namespace and the host.</summary>
    public void Cut() => Run("link", "set", HostLink, "down");

    /// <summary>Brings the host end up again.</summary>
    public void Restore() => Run("link", "set", HostLink, "up");

    public void Dispose()
    {
        // Deleting one end of a veth pair deletes both; the namespace's end goes with the namespace anyway.
        Ip("link", "del", HostLink);
        Ip("netns", "del", Name);
    }

    /// <summary>Deletes namespaces this class made in test runs that are gone (a test host killed before it disposed).</summary>
    private static void RemoveStale()
    {
        var (code, list) = Ip("netns", "list");
        if (code != 0) return;
        foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = line.Split(' ')[0];
            if (!name.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            if (name[Prefix.Length..].Split('-')[0] is var pid && int.TryParse(pid, out var id) && !Directory.Exists($"/proc/{id}"))
                Ip("netns", "del", name);
        }
    }

    /// <summary>A /30 in 10.253.0.0/16 that no address here is in: its first host address and its second.</summary>
    private static (string Host, string Inner) FreeSubnet()
    {
        var (_, used) = Ip("-4", "-o", "addr", "show");
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var x = Random.Shared.Next(256);
            var y = 4 * Random.Shared.Next(64);
            string Address(int offset) => $"10.253.{x}.{y + offset}";
            if (Enumerable.Range(0, 4).All(o => !used.Contains($" {Address(o)}/", StringComparison.Ordinal)))
                return (Address(1), Address(2));
        }
        throw new InvalidOperationException("no free /30 in 10.253.0.0/16");
    }

    private static void Run(params string[] arguments)
    {
        var (code, text) = Ip(arguments);
        if (code != 0) throw new InvalidOperationException($"`ip {string.Join(' ', arguments)}` failed ({code}): {text.Trim()}");
    }

    private static (int Code, string Output) Ip(params string[] arguments)
    {
        var info = new ProcessStartInfo("ip", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr);
        }
        catch (Win32Exception e)
        {
            return (-1, $"cannot run `ip`: {e.Message}");
        }
    }
}
