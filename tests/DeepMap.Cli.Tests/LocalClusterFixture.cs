namespace DeepMap.Cli.Tests;

/// <summary>One real local cluster (coordinator + one worker), started and stopped through the CLI itself.</summary>
public sealed class LocalClusterFixture : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("deepmap-cli-").FullName;

    public CliRunner Cli { get; private set; } = null!;

    public int Port { get; } = CliRunner.FreePort();

    public async Task InitializeAsync()
    {
        Cli = new CliRunner(new CliSettings($"http://127.0.0.1:{CliRunner.FreePort()}", null, _home));
        var (exit, output, error) = await Cli.Run("local", "up", "--workers", "1", "--port", Port.ToString());
        if (exit != 0) throw new InvalidOperationException($"local up failed ({exit}): {output}{error}");
    }

    public async Task DisposeAsync()
    {
        await Cli.Run("local", "down");
        Directory.Delete(_home, recursive: true);
    }
}
