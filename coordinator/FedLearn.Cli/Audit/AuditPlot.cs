using FedLearn.Privacy.Audit;

namespace FedLearn.Cli.Audit;

/// <summary>
/// The report's picture (docs/audit.md, "The plot"): one panel per threat model, final model on the left, all iterates on the
/// right. Red bars: histogram of the inserted canaries' scores. Blue outlined bars: the unseen canaries' scores, or, with the
/// analytic null, a blue curve of the null's density scaled to the same area. A canary distribution sitting well right
/// of the blue one is what a large ε_est looks like; overlapping ones are a small ε_est.
/// </summary>
internal static class AuditPlot
{
    private const int PanelWidth = 480;
    private const int PanelHeight = 320;
    private const int Margin = 20;
    private const int Bins = 30;
    private static readonly (byte, byte, byte) Canary = (214, 39, 40);
    private static readonly (byte, byte, byte) Null = (31, 119, 180);
    private static readonly (byte, byte, byte) Axis = (0, 0, 0);

    public static void Save(AuditReportDocument report, string path)
    {
        var image = new PngImage(2 * PanelWidth + 3 * Margin, PanelHeight + 2 * Margin);
        for (var p = 0; p < report.ThreatModels.Count && p < 2; p++)
        {
            Panel(image, report.ThreatModels[p], Margin + p * (PanelWidth + Margin), Margin);
        }
        image.Save(path);
    }

    private static void Panel(PngImage image, AuditThreatModel threat, int left, int top)
    {
        var all = threat.CanaryScores.Concat(threat.UnseenScores).ToList();
        var lo = Math.Min(all.Min(), threat.NullMean - 4 * threat.NullStd);
        var hi = Math.Max(all.Max(), threat.NullMean + 4 * threat.NullStd);
        var width = (hi - lo) / Bins;
        if (!(width > 0))
        {
            return;
        }
        int[] Histogram(IReadOnlyList<double> scores)
        {
            var counts = new int[Bins];
            foreach (var s in scores)
            {
                counts[Math.Clamp((int)((s - lo) / width), 0, Bins - 1)]++;
            }
            return counts;
        }
        var canary = Histogram(threat.CanaryScores);
        var unseen = Histogram(threat.UnseenScores);
        // Heights as densities, so K and K' of different sizes compare.
        double Density(int count, int total) => total == 0 ? 0 : count / (total * width);
        double NullDensity(double x) =>
            Math.Exp(-(x - threat.NullMean) * (x - threat.NullMean) / (2 * threat.NullStd * threat.NullStd)) / (threat.NullStd * Math.Sqrt(2 * Math.PI));
        var peak = Enumerable.Range(0, Bins).Max(b => Math.Max(Density(canary[b], threat.CanaryScores.Count), Density(unseen[b], threat.UnseenScores.Count)));
        peak = Math.Max(peak, threat.UnseenScores.Count == 0 ? NullDensity(threat.NullMean) : 0);
        var bottom = top + PanelHeight - 1;
        int Y(double density) => bottom - (int)Math.Round(density / peak * (PanelHeight - 10));
        int X(double score) => left + (int)Math.Round((score - lo) / (hi - lo) * (PanelWidth - 1));
        var barWidth = PanelWidth / Bins;
        for (var b = 0; b < Bins; b++)
        {
            var x0 = left + b * barWidth;
            image.FillRectangle(x0 + 1, Y(Density(canary[b], threat.CanaryScores.Count)), x0 + barWidth - 1, bottom, Canary);
            if (threat.UnseenScores.Count > 0 && unseen[b] > 0)
            {
                var y = Y(Density(unseen[b], threat.UnseenScores.Count));
                image.Line(x0, y, x0 + barWidth, y, Null);
                image.Line(x0, y, x0, bottom, Null);
                image.Line(x0 + barWidth, y, x0 + barWidth, bottom, Null);
            }
        }
        if (threat.UnseenScores.Count == 0)
        {
            var previous = (X(lo), Y(NullDensity(lo)));
            for (var px = 1; px < PanelWidth; px++)
            {
                var x = lo + px * (hi - lo) / (PanelWidth - 1);
                var point = (X(x), Y(NullDensity(x)));
                image.Line(previous.Item1, previous.Item2, point.Item1, point.Item2, Null);
                previous = point;
            }
        }
        image.Line(left, bottom, left + PanelWidth - 1, bottom, Axis);
        image.Line(left, top, left, bottom, Axis);
        // A tick at cosine 0.
        if (lo < 0 && hi > 0)
        {
            image.Line(X(0), bottom, X(0), bottom + 6, Axis);
        }
    }
}
