namespace FedLearn.Cli;

/// <summary>The CLI's exit codes, documented in docs/cli.md.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Error = 1;
    public const int InvalidInput = 2;
    public const int Unavailable = 3;
    public const int NotFound = 4;
    /// <summary>`session watch`: the session ended other than Completed (Failed, Stopped, BudgetExhausted).</summary>
    public const int SessionNotCompleted = 5;
    /// <summary>`ledger verify`: the ledger has at least one discrepancy (each is printed).</summary>
    public const int VerificationFailed = 6;
    /// <summary>The coordinator refused the caller: no valid certificate (UNAUTHENTICATED) or the wrong role (PERMISSION_DENIED).</summary>
    public const int Refused = 7;
}
