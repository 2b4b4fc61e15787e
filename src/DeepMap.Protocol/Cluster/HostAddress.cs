using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace DeepMap.Protocol.Cluster;

/// <summary>
/// The address a node advertises (DEEPMAP_HOST). <c>auto</c> picks this machine's own non-loopback IPv4 address: the
/// one its host name resolves to (what `hostname -i` prints in a container), else the first interface that is up. It
/// lets replicas of one container image (`docker compose up --scale worker=4`) each advertise their own address.
/// </summary>
public static class HostAddress
{
    public const string Auto = "auto";

    public static string Resolve(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting)) return "127.0.0.1";
        if (setting != Auto) return setting;
        return FromHostName() ?? FromInterfaces()
            ?? throw new ArgumentException("DEEPMAP_HOST=auto: this machine has no non-loopback IPv4 address; set DEEPMAP_HOST to the address other nodes reach it at");
    }

    private static string? FromHostName()
    {
        try
        {
            return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(IsUsable)?.ToString();
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static string? FromInterfaces() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(a => a.Address))
            .FirstOrDefault(IsUsable)?.ToString();

    private static bool IsUsable(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address) && !address.Equals(IPAddress.Any);
}
