namespace FedLearn.Privacy;

/// <summary>
/// How many attempts a participant's calibrated DP-SGD noise leaves room for: the planned rounds plus a rerun allowance of
/// max(3, ⌈rounds / 4⌉). Every attempt a participant trains for is spent (a coordinator crash or an aborted round reruns
/// an attempt after the training happened), so σ calibrated for exactly the planned rounds would run out of budget before
/// the session ends. One formula for the participants that calibrate with it and the ledger header that declares it
/// (<c>example_calibration_attempts</c>, docs/ledger.md).
/// </summary>
public static class CalibrationAttempts
{
    /// <summary>max(3, ⌈max(1, rounds) / 4⌉).</summary>
    public static int RerunAllowance(int plannedRounds) => Math.Max(3, (Math.Max(1, plannedRounds) + 3) / 4);

    /// <summary>max(1, rounds) + <see cref="RerunAllowance"/>: the attempts σ is calibrated for.</summary>
    public static int For(int plannedRounds) => Math.Max(1, plannedRounds) + RerunAllowance(plannedRounds);
}
