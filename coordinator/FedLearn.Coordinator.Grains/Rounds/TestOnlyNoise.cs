namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>
/// A switch for tests of the empirical privacy audit only (docs/audit.md, "Proof that it can fail"): central-noise rounds add
/// <see cref="Scale"/>·σ·Δ noise while the ledger still records σ, so the ledger understates ε and the audit must flag the
/// session. The coordinator registers <see cref="Honest"/> and no configuration changes it; only a host built in code (the
/// integration tests) can register another scale. When it is active the coordinator logs it at CRITICAL on start, records
/// it in the audit log, and every audit report states it.
/// </summary>
public sealed class TestOnlyNoise
{
    public static readonly TestOnlyNoise Honest = new(1.0);

    public TestOnlyNoise(double scale)
    {
        if (!(scale > 0 && scale <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The test-only noise scale must be in (0, 1].");
        }
        Scale = scale;
    }

    /// <summary>The fraction of the recorded noise actually added (1: all of it).</summary>
    public double Scale { get; }

    public bool IsActive => Scale < 1;
}
