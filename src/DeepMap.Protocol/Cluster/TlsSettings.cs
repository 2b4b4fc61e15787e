using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Protocol.Cluster;

/// <summary>
/// TLS for Akka remoting, on when DEEPMAP_TLS_CERT names a PKCS#12 (.pfx) file with its private key, opened with
/// DEEPMAP_TLS_PASSWORD. Both ends of every connection present a certificate (mutual TLS). A peer is accepted when it
/// presents the very certificate this node has (one cluster certificate, mounted into every node), or one whose chain
/// this machine trusts; host names are not compared, because nodes are addressed by IP as often as by name.
/// </summary>
public sealed record TlsSettings(string Path, X509Certificate2 Certificate)
{
    /// <summary>The settings, or null when DEEPMAP_TLS_CERT is not set (remoting in plain TCP).</summary>
    public static TlsSettings? From(IConfiguration configuration)
    {
        var read = new SettingsReader(configuration);
        var path = read.ExistingFile("DEEPMAP_TLS_CERT");
        var password = read.Text("DEEPMAP_TLS_PASSWORD");
        if (path is null)
            return password is null ? null : throw new ArgumentException("DEEPMAP_TLS_PASSWORD is set but DEEPMAP_TLS_CERT is not: name the .pfx file");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"DEEPMAP_TLS_CERT: '{path}' is not a PKCS#12 (.pfx) file that DEEPMAP_TLS_PASSWORD opens ({e.Message.TrimEnd('.')})");
        }
        if (!certificate.HasPrivateKey) throw new ArgumentException($"DEEPMAP_TLS_CERT: '{path}' holds no private key; export the certificate with its key");
        return new TlsSettings(path, certificate);
    }

    /// <summary>Whether a peer's certificate is accepted (see the type's summary).</summary>
    public bool Accepts(X509Certificate2? peer, SslPolicyErrors errors)
    {
        if (peer is null) return false;
        if (peer.RawDataMemory.Span.SequenceEqual(Certificate.RawDataMemory.Span)) return true;
        return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
    }
}
