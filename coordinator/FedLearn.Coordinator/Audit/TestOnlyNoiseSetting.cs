using System.Globalization;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Coordinator.Security;

namespace FedLearn.Coordinator.Audit;

/// <summary>
/// Reads <see cref="TestOnlyNoise"/> from configuration and refuses it anywhere but a test host; when it is active, says so
/// at CRITICAL and in the audit log on every start.
/// </summary>
internal static partial class TestOnlyNoiseSetting
{
    public const string ScaleKey = "Coordinator:TestOnly:NoiseScale";
    public const string AllowKey = "Coordinator:TestOnly:AllowUnderstatedNoise";

    /// <exception cref="InvalidOperationException">The scale is set outside the Testing environment or without the explicit allow setting.</exception>
    public static TestOnlyNoise Read(IConfiguration configuration, IHostEnvironment environment)
    {
        var text = configuration[ScaleKey];
        if (string.IsNullOrEmpty(text))
        {
            return TestOnlyNoise.Honest;
        }
        if (environment.EnvironmentName != "Testing" || !string.Equals(configuration[AllowKey], "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"{ScaleKey} makes the coordinator add less noise than its ledger records; it exists only for the audit's own tests and is refused " +
                $"unless the host runs in the Testing environment with {AllowKey}=true.");
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) && scale is > 0 and <= 1
            ? new TestOnlyNoise(scale)
            : throw new InvalidOperationException($"{ScaleKey} must be a number in (0, 1]; got '{text}'.");
    }

    /// <summary>Logs and records an active switch once the database is migrated (hosted services start after that).</summary>
    internal sealed partial class Recorder(TestOnlyNoise noise, AuditLogRepository auditLog, ILogger<Recorder> logger) : IHostedService
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
}
