using System.Security.Authentication;
using FedLearn.Coordinator.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace FedLearn.Coordinator.Hosting;

/// <summary>
/// Kestrel serves gRPC over HTTP/2 on TLS 1.3 only and asks every client for its certificate. The handshake lets a client
/// without one (or with a foreign one) through so that the authorization interceptor can refuse its call with a clear
/// UNAUTHENTICATED status instead of a bare TLS failure; only Enroll and GetFederationCa accept such calls.
/// Plain text only with Coordinator:InsecureDevelopmentPlaintext, and then loudly.
/// </summary>
public static partial class TransportSecurity
{
    public static void AddTransportSecurity(this WebApplicationBuilder builder, CoordinatorOptions options)
    {
        var urls = (builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries);
        if (options.InsecureDevelopmentPlaintext)
        {
            if (urls.Any(u => u.StartsWith("https:", StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException("Coordinator:InsecureDevelopmentPlaintext serves plain http:// only; remove it to serve https://.");
            }
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(e => e.Protocols = HttpProtocols.Http2));
            return;
        }
        if (urls.Any(u => !u.StartsWith("https:", StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException(
                $"The coordinator serves only https:// (mutual TLS); '{string.Join(";", urls)}' has a plain-text address. " +
                "Use https://HOST:PORT in Urls, or set Coordinator:InsecureDevelopmentPlaintext=true for development without any security.");
        }
        var federation = FederationCredentials.Load(options);
        builder.Services.AddSingleton(federation);
        builder.Services.AddSingleton<RevocationList>();
        builder.Services.AddSingleton<IRevocationList>(sp => sp.GetRequiredService<RevocationList>());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureEndpointDefaults(e => e.Protocols = HttpProtocols.Http2);
            kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = federation.ServerCertificate;
                https.SslProtocols = SslProtocols.Tls13;
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                // Validated per call by AuthorizationInterceptor against the federation CA and the revocation list.
                https.ClientCertificateValidation = (_, _, _) => true;
                https.CheckCertificateRevocation = false;
                // Kestrel's 10 s default drops handshakes on a busy machine (many daemons connecting at once).
                https.HandshakeTimeout = TimeSpan.FromSeconds(60);
            });
        });
    }

    /// <summary>Says loudly, at every start, that nothing is protected.</summary>
    public static void WarnIfInsecure(this WebApplication app)
    {
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CoordinatorOptions>>().Value.InsecureDevelopmentPlaintext)
        {
            LogInsecure(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FedLearn.Coordinator.Security"));
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "INSECURE DEVELOPMENT MODE (Coordinator:InsecureDevelopmentPlaintext=true): gRPC in plain text, no authentication, no roles; anyone who reaches this port can run, stop and export sessions and act as any participant. Never use it beyond a development machine.")]
    private static partial void LogInsecure(ILogger logger);
}
