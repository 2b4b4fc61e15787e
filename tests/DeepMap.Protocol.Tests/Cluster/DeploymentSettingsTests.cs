using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DeepMap.Protocol.Cluster;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Protocol.Tests.Cluster;

/// <summary>The deployment settings (TLS, advertised and bound addresses): defaults, and one-line errors that name the variable.</summary>
public sealed class DeploymentSettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("deepmap-settings-").FullName;

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static string Error(Action bind) => Assert.Throws<ArgumentException>(bind).Message;

    [Fact]
    public void Without_settings_a_node_joins_by_seeds_in_plain_tcp_bound_to_the_address_it_advertises()
    {
        var node = NodeSettings.From(Config(("SEEDS", "10.0.0.1:4053")), 0);
        Assert.Equal(["10.0.0.1:4053"], node.Seeds);
        Assert.Null(node.Tls);
        Assert.Null(node.BindHost);
        Assert.Equal("127.0.0.1", node.Host);
    }

    [Fact]
    public void A_node_can_advertise_a_dns_name_while_listening_on_every_interface()
    {
        // The coordinator's pod on Kubernetes: its StatefulSet pod's stable name under the headless Service.
        const string name = "deepmap-coordinator-0.deepmap-coordinator.deepmap.svc.cluster.local";
        var node = NodeSettings.From(Config(("HOST", name), ("BIND_HOST", "0.0.0.0"), ("SEEDS", $"{name}:4053")), 4053);
        Assert.Equal((name, "0.0.0.0", 4053), (node.Host, node.BindHost, node.Port));
        Assert.Equal([$"{name}:4053"], node.Seeds);
    }

    [Theory]
    [InlineData("SEEDS", "coordinator", "DEEPMAP_SEEDS: 'coordinator' is not host:port")]
    [InlineData("PORT", "65536", "DEEPMAP_PORT: '65536' is not a whole number in [0, 65535]")]
    [InlineData("TLS_PASSWORD", "secret", "DEEPMAP_TLS_PASSWORD is set but DEEPMAP_TLS_CERT is not: name the .pfx file")]
    public void A_bad_value_is_refused_in_one_line_naming_the_variable(string key, string value, string expected) =>
        Assert.Equal(expected, Error(() => NodeSettings.From(Config((key, value)), 0)));

    [Fact]
    public void Host_auto_advertises_a_non_loopback_ipv4_address_of_this_machine()
    {
        var host = NodeSettings.From(Config(("HOST", "auto")), 0).Host;
        var address = System.Net.IPAddress.Parse(host);
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetwork, address.AddressFamily);
        Assert.False(System.Net.IPAddress.IsLoopback(address), host);
        var own = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(a => a.Address));
        Assert.Contains(address, own);
        Assert.Equal("node-7.example", NodeSettings.From(Config(("HOST", "node-7.example")), 0).Host);
    }

    [Fact]
    public void A_tls_certificate_loads_with_its_password_and_accepts_only_itself_or_a_trusted_chain()
    {
        var path = Pfx("node.pfx", "CN=deepmap", "pw", withKey: true);
        var tls = NodeSettings.From(Config(("SEEDS", "a:1"), ("TLS_CERT", path), ("TLS_PASSWORD", "pw")), 0).Tls!;
        Assert.Equal(path, tls.Path);
        Assert.True(tls.Certificate.HasPrivateKey);

        using var same = X509CertificateLoader.LoadPkcs12FromFile(path, "pw");
        using var other = X509CertificateLoader.LoadPkcs12FromFile(Pfx("other.pfx", "CN=other", "pw", withKey: true), "pw");
        Assert.True(tls.Accepts(same, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(tls.Accepts(other, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.True(tls.Accepts(other, SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(tls.Accepts(null, SslPolicyErrors.None));
    }

    [Fact]
    public void A_missing_unreadable_or_keyless_certificate_is_refused_naming_the_variable()
    {
        var missing = Path.Combine(_folder, "none.pfx");
        Assert.Equal($"DEEPMAP_TLS_CERT: '{missing}' does not exist", Error(() => TlsSettings.From(Config(("TLS_CERT", missing)))));
        var node = Pfx("node.pfx", "CN=deepmap", "pw", withKey: true);
        Assert.StartsWith($"DEEPMAP_TLS_CERT: '{node}' is not a PKCS#12 (.pfx) file that DEEPMAP_TLS_PASSWORD opens (",
            Error(() => TlsSettings.From(Config(("TLS_CERT", node), ("TLS_PASSWORD", "wrong")))));
        var keyless = Pfx("public.pfx", "CN=deepmap", "pw", withKey: false);
        Assert.Equal($"DEEPMAP_TLS_CERT: '{keyless}' holds no private key; export the certificate with its key",
            Error(() => TlsSettings.From(Config(("TLS_CERT", keyless), ("TLS_PASSWORD", "pw")))));
    }

    private string Pfx(string file, string subject, string password, bool withKey)
    {
        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var exported = withKey ? certificate : X509CertificateLoader.LoadCertificate(certificate.RawData);
        var path = Path.Combine(_folder, file);
        File.WriteAllBytes(path, exported.Export(X509ContentType.Pfx, password));
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
