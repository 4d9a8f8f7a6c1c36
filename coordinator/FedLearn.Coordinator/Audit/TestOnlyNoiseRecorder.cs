using System.Globalization;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Coordinator.Security;

namespace FedLearn.Coordinator.Audit;

/// <summary>
/// Logs and records an active <see cref="TestOnlyNoise"/> once the database is migrated (hosted services start after that):
/// CRITICAL in the log and <c>test.noise_understated</c> in the audit log on every start. No configuration turns the
/// switch on: the coordinator registers <see cref="TestOnlyNoise.Honest"/>, and only a host built in code (the integration
/// tests' TestCoordinator) can register another, so a shipped coordinator cannot understate its noise (review-10 S4).
/// </summary>
internal sealed partial class TestOnlyNoiseRecorder(TestOnlyNoise noise, AuditLogRepository auditLog, ILogger<TestOnlyNoiseRecorder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!noise.IsActive)
        {
            return;
        }
        LogActive(noise.Scale);
        await auditLog.AppendAsync("coordinator", "coordinator", "test.noise_understated", "central-noise rounds",
            string.Create(CultureInfo.InvariantCulture, $"noise_scale={noise.Scale:R} (the ledger records the full noise)"), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Critical, Message = "TEST-ONLY NOISE UNDERSTATEMENT: central-noise rounds add {Scale} of the noise their ledger entries record. The ledger's ε is false for every such round. For the audit's tests only.")]
    private partial void LogActive(double scale);
}
