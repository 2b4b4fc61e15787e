using System.Net;
using System.Net.Sockets;

namespace DeepMap.Cli.Tests;

/// <summary>Runs the deepmap command in this process, as a user would type it, and captures what it prints.</summary>
public sealed class CliRunner(CliSettings settings)
{
    public CliSettings Settings { get; } = settings;

    public async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliApp.RunAsync(args, output, error, Settings);
        return (exit, output.ToString(), error.ToString());
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DeepMap.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("repository root not found");
    }
}
