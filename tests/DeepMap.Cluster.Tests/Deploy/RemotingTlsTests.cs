using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace DeepMap.Cluster.Tests.Deploy;

/// <summary>
/// Akka remoting over TLS between real node processes (DEEPMAP_TLS_CERT, DEEPMAP_TLS_PASSWORD), with self-signed
/// certificates made by the test: nodes that share the cluster's certificate form a cluster; a node with another is
/// refused.
/// </summary>
public sealed class RemotingTlsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("deepmap-tls-").FullName;
    private readonly List<NodeProcess> _nodes = [];

    [Fact]
    public async Task A_worker_with_the_clusters_certificate_joins_over_tls_and_one_with_another_certificate_is_refused()
    {
        var cluster = SelfSigned("cluster.pfx", "deepmap-cluster", "cluster-secret");
        var stranger = SelfSigned("stranger.pfx", "deepmap-stranger", "other-secret");
        var remoting = Repository.FreePort();
        var api = $"http://127.0.0.1:{Repository.FreePort()}";
        var coordinator = NodeProcess.Start("DeepMap.Coordinator", new Dictionary<string, string>
        {
            ["DEEPMAP_PORT"] = remoting.ToString(), ["DEEPMAP_API"] = api, ["DEEPMAP_STATE"] = Path.Combine(_folder, "state"),
            ["DEEPMAP_THREADS"] = "1", ["DEEPMAP_TLS_CERT"] = cluster, ["DEEPMAP_TLS_PASSWORD"] = "cluster-secret",
        });
        _nodes.Add(coordinator);
        var member = Worker(remoting, cluster, "cluster-secret");
        using var http = new HttpClient { BaseAddress = new Uri(api) };

        await WaitForWorkers(http, 1, TimeSpan.FromSeconds(60));
        Assert.Contains("(tls)", coordinator.Output);
        Assert.Contains("(tls)", member.Output);

        var refused = Worker(remoting, stranger, "other-secret");
        await Task.Delay(TimeSpan.FromSeconds(15));
        Assert.Equal(1, await Workers(http));
        Assert.Contains("TLS handshake failed", refused.Output);
        Assert.Contains("due to TLS handshake failure", coordinator.Output);
    }

    [Fact]
    public void A_node_refuses_to_start_with_a_wrong_certificate_password_and_names_the_variable()
    {
        var cluster = SelfSigned("cluster.pfx", "deepmap-cluster", "cluster-secret");
        var node = NodeProcess.Start("DeepMap.Worker", new Dictionary<string, string>
        {
            ["DEEPMAP_SEEDS"] = "127.0.0.1:4053", ["DEEPMAP_TLS_CERT"] = cluster, ["DEEPMAP_TLS_PASSWORD"] = "wrong",
        });
        _nodes.Add(node);
        Assert.True(node.WaitForExit(TimeSpan.FromSeconds(30)), node.Output);
        Assert.Equal(2, node.ExitCode);
        Assert.Contains($"deepmap-worker: DEEPMAP_TLS_CERT: '{cluster}' is not a PKCS#12 (.pfx) file that DEEPMAP_TLS_PASSWORD opens", node.Output);
    }

    private NodeProcess Worker(int remoting, string certificate, string password)
    {
        var worker = NodeProcess.Start("DeepMap.Worker", new Dictionary<string, string>
        {
            ["DEEPMAP_SEEDS"] = $"127.0.0.1:{remoting}", ["DEEPMAP_THREADS"] = "1",
            ["DEEPMAP_TLS_CERT"] = certificate, ["DEEPMAP_TLS_PASSWORD"] = password,
        });
        _nodes.Add(worker);
        return worker;
    }

    private string SelfSigned(string file, string name, string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(_folder, file);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return path;
    }

    private static async Task<int> Workers(HttpClient http)
    {
        var members = (await http.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("members").EnumerateArray();
        return members.Count(m => m.GetProperty("status").GetString() == "up" && m.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "worker"));
    }

    private async Task WaitForWorkers(HttpClient http, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (await Workers(http) >= count) return;
            }
            catch (HttpRequestException)
            {
                // The coordinator is still starting.
            }
            Assert.True(DateTime.UtcNow < deadline, $"{count} worker(s) did not join over TLS:\n{string.Join("\n---\n", _nodes.Select(n => n.Output))}");
            await Task.Delay(500);
        }
    }

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
