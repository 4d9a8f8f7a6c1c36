using System.Globalization;
using FedLearn.Protos.V1;
using Google.Protobuf;

namespace FedLearn.Cli.Output;

/// <summary>Human and JSON renderings of sessions and rounds.</summary>
internal static class StatusText
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static string Json(IMessage message) => Formatter.Format(message);

    public static string State(SessionState state) => state switch
    {
        SessionState.Created => "created",
        SessionState.Running => "running",
        SessionState.Completed => "completed",
        SessionState.BudgetExhausted => "budget-exhausted",
        SessionState.Failed => "failed",
        SessionState.Stopped => "stopped",
        _ => "unknown",
    };

    public static string Percent(double value) =>
        double.IsFinite(value) && value > 0 ? value.ToString("P2", CultureInfo.InvariantCulture) : "n/a";

    public static string Number(double value) =>
        double.IsFinite(value) && value != 0 ? value.ToString("F4", CultureInfo.InvariantCulture) : "n/a";

    public static string Describe(SessionStatus s)
    {
        var lines = new List<string>
        {
            $"session   {s.SessionId}  ({s.Name})",
            $"state     {State(s.State)}",
            $"rounds    {s.CompletedRounds}/{s.TotalRounds} committed",
        };
        lines.Add(Privacy(s));
        if (s.CurrentRound > 0)
        {
            lines.Add($"current   round {s.CurrentRound} attempt {s.CurrentAttempt}: {s.CurrentReported}/{s.CurrentSelected} updates");
        }
        if (s.LastRound is { } r)
        {
            lines.Add($"last      round {r.Round}: {r.ParticipantsAggregated}/{r.ParticipantsSelected} participants, train loss {Number(r.TrainLoss)}, " +
                      $"test loss {Number(r.TestLoss)}, test accuracy {Percent(r.TestAccuracy)}");
            lines.Add($"checkpoint sha256 {r.CheckpointSha256}");
        }
        if (!string.IsNullOrEmpty(s.Message))
        {
            lines.Add($"message   {s.Message}");
        }
        if (s.LedgerKeySha256.Length > 0)
        {
            lines.Add($"ledger    key sha256 {s.LedgerKeySha256}");
        }
        if (s.LedgerKeyProblem.Length > 0)
        {
            lines.Add($"WARNING   {s.LedgerKeyProblem}");
        }
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>The session's guarantees, participant level and example level, or a plain statement that it has none.</summary>
    public static string Privacy(SessionStatus s)
    {
        var example = s.Config?.ExamplePrivacy is { } e
            ? string.Create(CultureInfo.InvariantCulture,
                $"{Environment.NewLine}examples  DP-SGD on each participant: ε ≤ {e.EpsilonBudget:G4} per record (δ={e.Delta:G3}, {e.Accountant}, C={e.ClipNorm:G4}), enforced by each participant") +
              (s.HasExampleEpsilonReported
                ? string.Create(CultureInfo.InvariantCulture, $"; largest reported so far ε={s.ExampleEpsilonReported:G4}")
                : "")
            : "";
        if (s.Privacy is not { } p)
        {
            return (example.Length == 0
                ? "privacy   none: this session has NO differential-privacy guarantee"
                : "privacy   no participant-level guarantee (whole participants are not protected)") + example;
        }
        var m = p.Parameters;
        return string.Create(CultureInfo.InvariantCulture,
            $"privacy   {m.Mechanism} q={m.SamplingRate:G4} σ={m.NoiseMultiplier:G4} C={m.ClipNorm:G4}; ε spent {p.EpsilonSpent:G4} of {m.EpsilonBudget:G4} " +
            $"(δ={m.Delta:G3}, {m.Accountant}); all {s.TotalRounds} rounds would spend ε={p.EpsilonPlanned:G4}") + example;
    }

    public static string Describe(RoundDetails r) => string.Join(Environment.NewLine,
        $"round        {r.Round} (attempt {r.Attempt}, {r.Outcome})",
        $"participants {r.ParticipantsAggregated} aggregated of {r.ParticipantsSelected} selected, {r.ExamplesAggregated} examples",
        $"train loss   {Number(r.TrainLoss)}",
        $"test         loss {Number(r.TestLoss)}, accuracy {Percent(r.TestAccuracy)}",
        $"checkpoint   {(string.IsNullOrEmpty(r.CheckpointSha256) ? "none" : r.CheckpointSha256)}",
        $"time         {r.StartedAt.ToDateTimeOffset():u} → {r.CompletedAt.ToDateTimeOffset():u}");
}
