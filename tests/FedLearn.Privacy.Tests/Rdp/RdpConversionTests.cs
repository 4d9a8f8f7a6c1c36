using FedLearn.Privacy.Rdp;

namespace FedLearn.Privacy.Tests.Rdp;

public sealed class RdpConversionTests
{
    [Fact]
    public void EpsilonFromRdp_ConstantCurve_MatchesHandComputedValue()
    {
        // rdp_privacy_accountant_test.py, test_compute_epsilon_delta_pure_dp: orders 2..32, RDP ≡ 1.1,
        // δ = 1e-5 → ε = 1.32783806176 ("computed by hand"), and compute_delta inverts it.
        var orders = Enumerable.Range(2, 31).Select(i => (double)i).ToArray();
        var rdp = orders.Select(_ => 1.1).ToArray();

        Assert.Equal(1.32783806176, RdpConversion.EpsilonFromRdp(orders, rdp, 1e-5), 1e-10);
        Assert.Equal(1e-5, RdpConversion.DeltaFromRdp(orders, rdp, 1.32783806176), 1e-12);
    }

    [Fact]
    public void EpsilonFromRdp_TinyRdp_IsZeroByKlBound()
    {
        // δ² + e^{−r} − 1 > 0 ⇒ ε = 0 (dp_accounting compute_epsilon).
        Assert.Equal(0.0, RdpConversion.EpsilonFromRdp([2.0, 10.0], [1e-12, 1e-11], 1e-5));
    }

    [Fact]
    public void EpsilonFromRdp_NaNRdp_CertifiesNothing()
    {
        // Fail closed: a NaN order is skipped, so with no other order ε is +∞ (never NaN, which `ε > budget` would pass).
        Assert.True(double.IsPositiveInfinity(RdpConversion.EpsilonFromRdp([2.0], [double.NaN], 1e-5)));
        Assert.Equal(1.0, RdpConversion.DeltaFromRdp([2.0], [double.NaN], 1.0));
        Assert.Equal(RdpConversion.EpsilonFromRdp([3.0], [1.1], 1e-5), RdpConversion.EpsilonFromRdp([2.0, 3.0], [double.NaN, 1.1], 1e-5));
    }

    [Fact]
    public void EpsilonFromRdp_InfiniteRdp_IsInfinite()
    {
        Assert.True(double.IsPositiveInfinity(RdpConversion.EpsilonFromRdp([2.0], [double.PositiveInfinity], 1e-5)));
        Assert.Equal(1.0, RdpConversion.DeltaFromRdp([2.0], [double.PositiveInfinity], 1.0));
    }
}
