using FedLearn.Protos.V1;

namespace FedLearn.Cli.Output;

/// <summary>
/// The live line of <c>session watch</c>: a bar of committed rounds, updates in for the current round, and the latest
/// round's loss and accuracy, and the ε spent at each declared guarantee level. On a terminal it redraws in place; piped, it prints one line per change.
/// </summary>
internal sealed class ProgressLine(TextWriter output, bool interactive)
{
    private const int BarWidth = 30;
    private int _lastLength;

    public void Show(SessionStatus s)
    {
        var filled = s.TotalRounds == 0 ? 0 : BarWidth * s.CompletedRounds / s.TotalRounds;
        var bar = new string('#', filled) + new string('.', BarWidth - filled);
        var current = s.CurrentRound > 0 ? $" | round {s.CurrentRound}: {s.CurrentReported}/{s.CurrentSelected} reported" : "";
        var last = s.LastRound is { } r
            ? $" | loss {StatusText.Number(r.TrainLoss)} | test acc {StatusText.Percent(r.TestAccuracy)}"
            : "";
        var privacy = s.Privacy is { } p
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" | participant ε {p.EpsilonSpent:F3}/{p.Parameters.EpsilonBudget:G4}")
            : "";
        // The example level: the largest ε a participant reported for its own records, against the per-record budget.
        var example = s.HasExampleEpsilonReported && s.Config?.ExamplePrivacy is { } e
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" | example ε {s.ExampleEpsilonReported:F3}/{e.EpsilonBudget:G4}")
            : "";
        var message = s.CurrentRound == 0 && !string.IsNullOrEmpty(s.Message) ? $" | {s.Message}" : "";
        var line = $"[{bar}] {s.CompletedRounds}/{s.TotalRounds} {StatusText.State(s.State)}{current}{last}{privacy}{example}{message}";
        if (interactive)
        {
            output.Write('\r' + line.PadRight(_lastLength));
            _lastLength = line.Length;
        }
        else
        {
            output.WriteLine(line);
        }
    }

    public void Finish()
    {
        if (interactive)
        {
            output.WriteLine();
        }
    }
}
