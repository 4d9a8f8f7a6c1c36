using System.Globalization;
using System.Net;
using System.Text;

namespace FedLearn.Cli.Output;

/// <summary>One line of a chart: its label, colour and points (x = round).</summary>
internal sealed record ChartSeries(string Label, string Color, IReadOnlyList<(double X, double Y)> Points);

/// <summary>A horizontal reference line, such as a privacy budget.</summary>
internal sealed record ChartReference(string Label, double Y);

/// <summary>
/// A line chart drawn as inline SVG, so a report is one self-contained HTML file with no script and nothing to fetch.
/// Rounds run along x (whole numbers); each series is a polyline with a marker per point.
/// </summary>
internal static class SvgLineChart
{
    private const int Width = 640;
    private const int Height = 330;
    private const int Left = 64;
    private const int Right = 24;
    private const int Top = 36;
    private const int Bottom = 62;

    public static string Draw(string title, string yLabel, IReadOnlyList<ChartSeries> series, ChartReference? reference = null,
        (double Min, double Max)? yRange = null)
    {
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" role="img" aria-label="{Escape(title)}">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Width / 2}" y="20" text-anchor="middle" font-size="15">{Escape(title)}</text>""");
        if (points.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Width / 2}" y="{Height / 2}" text-anchor="middle" fill="#777">nothing to plot yet</text></svg>""");
            return svg.ToString();
        }
        var (xMin, xMax) = (points.Min(p => p.X), points.Max(p => p.X));
        var (yMin, yMax) = yRange ?? YRange(points, reference);
        double X(double x) => xMax == xMin ? Left + (Width - Left - Right) / 2.0 : Left + (x - xMin) / (xMax - xMin) * (Width - Left - Right);
        double Y(double y) => Height - Bottom - (y - yMin) / (yMax - yMin) * (Height - Top - Bottom);

        Axes(svg, yLabel, xMin, xMax, yMin, yMax, X, Y);
        if (reference is not null)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" x2="{Width - Right}" y1="{F(Y(reference.Y))}" y2="{F(Y(reference.Y))}" stroke="#c00" stroke-dasharray="6 4"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Width - Right - 4}" y="{F(Y(reference.Y) - 5)}" text-anchor="end" font-size="11" fill="#c00">{Escape(reference.Label)}</text>""");
        }
        for (var i = 0; i < series.Count; i++)
        {
            var line = series[i];
            var drawn = line.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            svg.Append(CultureInfo.InvariantCulture, $"""<polyline class="series" data-label="{Escape(line.Label)}" fill="none" stroke="{line.Color}" stroke-width="2" points="{string.Join(' ', drawn.Select(p => $"{F(X(p.X))},{F(Y(p.Y))}"))}"/>""");
            foreach (var p in drawn)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{F(X(p.X))}" cy="{F(Y(p.Y))}" r="3" fill="{line.Color}"><title>round {F(p.X)}: {p.Y.ToString("G6", CultureInfo.InvariantCulture)}</title></circle>""");
            }
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{Left + 10 + i * 200}" y="{Height - 13}" width="12" height="4" fill="{line.Color}"/><text x="{Left + 26 + i * 200}" y="{Height - 8}" font-size="11">{Escape(line.Label)}</text>""");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static (double Min, double Max) YRange(List<(double X, double Y)> points, ChartReference? reference)
    {
        var min = Math.Min(0, points.Min(p => p.Y));
        var max = Math.Max(points.Max(p => p.Y), reference?.Y ?? double.NegativeInfinity);
        return max > min ? (min, max + (max - min) * 0.05) : (min, min + 1);
    }

    private static void Axes(StringBuilder svg, string yLabel, double xMin, double xMax, double yMin, double yMax, Func<double, double> x, Func<double, double> y)
    {
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" x2="{Left}" y1="{Top}" y2="{Height - Bottom}" stroke="#333"/><line x1="{Left}" x2="{Width - Right}" y1="{Height - Bottom}" y2="{Height - Bottom}" stroke="#333"/>""");
        for (var i = 0; i <= 4; i++)
        {
            var value = yMin + (yMax - yMin) * i / 4;
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" x2="{Width - Right}" y1="{F(y(value))}" y2="{F(y(value))}" stroke="#ddd"/><text x="{Left - 6}" y="{F(y(value) + 4)}" text-anchor="end" font-size="11">{value.ToString("G3", CultureInfo.InvariantCulture)}</text>""");
        }
        // Whole rounds only, at most about ten labels.
        var step = Math.Max(1, (int)Math.Ceiling((xMax - xMin) / 10));
        for (var round = Math.Ceiling(xMin); round <= xMax; round += step)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{F(x(round))}" y="{Height - Bottom + 16}" text-anchor="middle" font-size="11">{F(round)}</text>""");
        }
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{(Left + Width - Right) / 2}" y="{Height - Bottom + 31}" text-anchor="middle" font-size="12">round</text>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text transform="translate(16 {(Top + Height - Bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12">{Escape(yLabel)}</text>""");
    }

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
