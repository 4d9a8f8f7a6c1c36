using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FedLearn.Ledger;
using FedLearn.Protos.V1;

namespace FedLearn.Cli.Output;

/// <summary>
/// <c>fedlearn session report</c>'s page: the curves the notebooks draw (test accuracy, losses, ε per round against the
/// budget), a table of rounds, and the plotted figures again as JSON in a <c>script type="application/json"</c> block
/// with id <c>fedlearn-report-data</c>, so a reader (or a test) can check the pictures against the numbers.
/// </summary>
internal static class SessionReportHtml
{
    public static string Build(SessionStatus status, IReadOnlyList<RoundDetails> rounds, LedgerDocument? ledger, DateTimeOffset generatedAt)
    {
        var html = new StringBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>FedLearn session {E(status.SessionId)}</title>
            <style>body{"{"}font-family:sans-serif;margin:2em;max-width:1340px{"}"} table{"{"}border-collapse:collapse;font-size:13px{"}"} td,th{"{"}border:1px solid #ccc;padding:3px 8px;text-align:right{"}"} .charts svg{"{"}margin:0 12px 12px 0;border:1px solid #eee{"}"}</style>
            </head><body>
            <h1>Session {E(status.SessionId)} ({E(status.Name)})</h1>
            <p>{E(StatusText.State(status.State))}: {status.CompletedRounds} of {status.TotalRounds} rounds committed. {E(status.Message)}</p>
            <p>{E(PrivacyLine(status, ledger))}</p>
            <div class="charts">
            """);
        double Round(RoundDetails r) => r.Round;
        html.Append(SvgLineChart.Draw("Test accuracy", "accuracy",
            [new ChartSeries("test accuracy", "#2a9d3a", [.. rounds.Select(r => (Round(r), r.TestAccuracy))])], yRange: (0, 1)));
        var losses = new List<ChartSeries> { new("test loss", "#e07b00", [.. rounds.Select(r => (Round(r), r.TestLoss))]) };
        if (rounds.Any(r => double.IsFinite(r.TrainLoss) && r.TrainLoss != 0))
        {
            losses.Insert(0, new ChartSeries("train loss (participants' mean)", "#1f66b5", [.. rounds.Select(r => (Round(r), r.TrainLoss))]));
        }
        html.Append(SvgLineChart.Draw("Loss", "loss", losses));
        if (ledger is not null && ledger.Header.HasParticipantLevel)
        {
            html.Append(PrivacyChart(ledger));
        }
        html.Append("</div>\n<h2>Rounds</h2>\n<table><tr><th>round</th><th>attempt</th><th>participants aggregated / selected</th><th>train loss</th><th>test loss</th><th>test accuracy</th><th>checkpoint sha256</th></tr>\n");
        foreach (var r in rounds)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{r.Round}</td><td>{r.Attempt}</td><td>{r.ParticipantsAggregated} / {r.ParticipantsSelected}</td><td>{StatusText.Number(r.TrainLoss)}</td><td>{StatusText.Number(r.TestLoss)}</td><td>{StatusText.Percent(r.TestAccuracy)}</td><td><code>{E(r.CheckpointSha256)}</code></td></tr>\n");
        }
        html.Append("</table>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p><small>Generated {generatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC by <code>fedlearn session report</code>. The ledger figures are as recorded; check them with <code>fedlearn ledger verify</code>.</small></p>\n");
        html.Append("<script type=\"application/json\" id=\"fedlearn-report-data\">");
        html.Append(Data(status, rounds, ledger).Replace("</", "<\\/", StringComparison.Ordinal));
        html.Append("</script>\n</body></html>\n");
        return html.ToString();
    }

    private static string PrivacyChart(LedgerDocument ledger)
    {
        double Round(LedgerEntry e) => e.Round;
        var series = new List<ChartSeries>
        {
            new("ε, RDP (release consumers)", "#1f66b5", [.. ledger.Entries.Where(e => e.EpsilonRdp is not null).Select(e => (Round(e), e.EpsilonRdp!.Value))]),
            new("ε, PLD (release consumers)", "#e07b00", [.. ledger.Entries.Where(e => e.EpsilonPld is not null).Select(e => (Round(e), e.EpsilonPld!.Value))]),
        };
        if (ledger.Entries.Any(e => e.EpsilonAgainstCoordinatorRdp is not null))
        {
            series.Add(new ChartSeries("ε against the coordinator (RDP, worst case)", "#7b3fb5",
                [.. ledger.Entries.Where(e => e.EpsilonAgainstCoordinatorRdp is not null).Select(e => (Round(e), e.EpsilonAgainstCoordinatorRdp!.Value))]));
        }
        var budget = ledger.Header.EpsilonBudget is { } b ? new ChartReference(string.Create(CultureInfo.InvariantCulture, $"budget ε = {b:G4}"), b) : null;
        var delta = ledger.Header.Delta is { } d ? d.ToString("G3", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal) : "?";
        return SvgLineChart.Draw("Participant-level ε spent (cumulative)", $"ε at δ = {delta}", series, budget);
    }

    private static string PrivacyLine(SessionStatus status, LedgerDocument? ledger)
    {
        if (ledger is null || !ledger.Header.HasParticipantLevel)
        {
            return StatusText.Privacy(status);
        }
        var last = ledger.Entries.Count > 0 ? ledger.Entries[^1] : null;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"Privacy ledger: {ledger.Entries.Count} entries, {ledger.Header.NeighbouringRelation ?? "unstated"} neighbours; ε spent {last?.EpsilonRdp:G4} (RDP), {last?.EpsilonPld:G4} (PLD) of a budget of {ledger.Header.EpsilonBudget:G4} at δ = {ledger.Header.Delta:G3}, against release consumers; against the coordinator: {ledger.Header.AgainstCoordinator ?? "unstated"}.");
        return line + DeltaTotalLine(ledger.Header, last);
    }

    /// <summary>
    /// Accounting version 2 and later: the δ each adversary's figures truly hold at, with the samplers' error paid
    /// (<c>delta_total</c>, docs/ledger.md), and the worst case against the coordinator when the ledger records it.
    /// </summary>
    private static string DeltaTotalLine(LedgerHeader header, LedgerEntry? last)
    {
        if (!header.RecordsSamplerResidue || last?.DeltaTotal is not { } consumers)
        {
            return "";
        }
        var line = string.Create(CultureInfo.InvariantCulture,
            $" With the noise samplers' error paid, the guarantee against release consumers holds at δ_total = {consumers:G4}.");
        if (header.RecordsEpsilonAgainstCoordinator && last.DeltaTotalAgainstCoordinator is { } coordinator)
        {
            line += string.Create(CultureInfo.InvariantCulture,
                $" Against the coordinator (worst case, a participant in every charged step): ε {last.EpsilonAgainstCoordinatorRdp:G4} (RDP), {last.EpsilonAgainstCoordinatorPld:G4} (PLD) at δ_total = {coordinator:G4}.");
        }
        return line;
    }

    private static string Data(SessionStatus status, IReadOnlyList<RoundDetails> rounds, LedgerDocument? ledger) => JsonSerializer.Serialize(new
    {
        session_id = status.SessionId,
        rounds = rounds.Select(r => r.Round),
        test_accuracy = rounds.Select(r => Finite(r.TestAccuracy)),
        test_loss = rounds.Select(r => Finite(r.TestLoss)),
        train_loss = rounds.Select(r => Finite(r.TrainLoss)),
        ledger_rounds = ledger?.Entries.Select(e => e.Round),
        epsilon_rdp = ledger?.Entries.Select(e => e.EpsilonRdp),
        epsilon_pld = ledger?.Entries.Select(e => e.EpsilonPld),
        epsilon_against_coordinator_rdp = ledger?.Entries.Select(e => e.EpsilonAgainstCoordinatorRdp),
        epsilon_budget = ledger?.Header.EpsilonBudget,
        delta = ledger?.Header.Delta,
        delta_total = ledger?.Entries.Select(e => e.DeltaTotal),
        delta_total_against_coordinator = ledger?.Entries.Select(e => e.DeltaTotalAgainstCoordinator),
    });

    /// <summary>JSON has no NaN: a figure that is not a number (the training loss withheld in private sessions) is null.</summary>
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
