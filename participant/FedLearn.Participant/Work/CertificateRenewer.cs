using FedLearn.Identity;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace FedLearn.Participant.Work;

/// <summary>
/// Renews the daemon's certificate once a third of its lifetime is left, with a new key, over its current identity; then
/// switches the channel to the new certificate. A revoked participant cannot renew: that is logged, and the daemon stops
/// being able to call once its certificate is refused.
/// </summary>
public sealed partial class CertificateRenewer(ClientCredentials credentials, CoordinatorChannel channel, Action renewed, ILogger logger)
{
    private static readonly TimeSpan LongestSleep = TimeSpan.FromHours(1);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var wait = EnrollmentClient.RenewalDue(credentials.Certificate) - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait < LongestSleep ? wait : LongestSleep, ct);
                continue;
            }
            try
            {
                var identity = await EnrollmentClient.RenewAsync(channel.Current, credentials, ct);
                channel.Refresh();
                renewed();
                LogRenewed(identity.Name, identity.NotAfter);
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or InvalidDataException or IOException && !ct.IsCancellationRequested)
            {
                LogRenewalFailed(e.Message, credentials.Certificate.NotAfter.ToUniversalTime());
                await Task.Delay(RetryDelay, ct);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Renewed the certificate of participant {ParticipantId}; valid until {NotAfter:u}")]
    private partial void LogRenewed(string participantId, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the certificate (it expires {NotAfter:u}); retrying in a minute: {Reason}")]
    private partial void LogRenewalFailed(string reason, DateTime notAfter);
}
