using System.CommandLine;
using System.Globalization;
using FedLearn.Privacy;

namespace FedLearn.Cli.Commands;

/// <summary>
/// <c>fedlearn privacy epsilon|calibrate</c>: the accountants' maths on the command line, so anyone can check a
/// privacy claim without a coordinator.
/// </summary>
internal static class PrivacyCommands
{
    public static Command Create()
    {
        var privacy = new Command("privacy", "Compute differential-privacy guarantees of the Poisson-subsampled Gaussian (no coordinator needed).");
        privacy.Add(EpsilonCommand());
        privacy.Add(CalibrateCommand());
        return privacy;
    }

    private static Command EpsilonCommand()
    {
        var (sigma, q, rounds, delta, accountant) = (NoiseMultiplier(), SamplingRate(), Rounds(), Delta(), Accountant());
        var command = new Command("epsilon", "The epsilon that T rounds at sampling rate q and noise multiplier sigma satisfy at delta.")
        {
            sigma, q, rounds, delta, accountant,
        };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var input = Inputs.Read(parse, q, rounds, delta, accountant);
            var z = parse.GetValue(sigma);
            Require(z > 0 && double.IsFinite(z), $"--noise-multiplier must be a finite number > 0; got {Show(z)}.");
            var epsilon = await Task.Run(
                () => WithoutParameterName(() => Accountants.Create(input.Kind).GetEpsilon(
                    [new SubsampledGaussianStep(input.Q, z, input.Rounds)], input.Delta)),
                ct);
            Console.WriteLine(parse.GetValue(CoordinatorConnection.Json)
                ? $"{{\"noise_multiplier\":{Json(z)},{input.Json},\"epsilon\":{Json(epsilon)}}}"
                : $"epsilon = {Show(epsilon)} at delta = {Show(input.Delta)} after {input.Rounds} round(s) with noise multiplier {Show(z)} "
                    + $"and sampling rate {Show(input.Q)} ({input.Name} accountant).");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CalibrateCommand()
    {
        var target = new Option<double>("--target-epsilon") { Description = "The privacy budget epsilon to meet (> 0).", Required = true };
        var (q, rounds, delta, accountant) = (SamplingRate(), Rounds(), Delta(), Accountant());
        var command = new Command("calibrate", "The smallest noise multiplier (within 0.1%) with which T rounds at sampling rate q meet (epsilon, delta).")
        {
            target, q, rounds, delta, accountant,
        };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var input = Inputs.Read(parse, q, rounds, delta, accountant);
            var epsilon = parse.GetValue(target);
            Require(epsilon > 0 && double.IsFinite(epsilon), $"--target-epsilon must be a finite number > 0; got {Show(epsilon)}.");
            var sigma = await Task.Run(
                () => WithoutParameterName(() => NoiseCalibrator.CalibrateNoiseMultiplier(epsilon, input.Delta, input.Q, input.Rounds, input.Kind)),
                ct);
            Console.WriteLine(parse.GetValue(CoordinatorConnection.Json)
                ? $"{{\"target_epsilon\":{Json(epsilon)},{input.Json},\"noise_multiplier\":{Json(sigma)}}}"
                : $"noise multiplier {Show(sigma)} meets epsilon = {Show(epsilon)} at delta = {Show(input.Delta)} for {input.Rounds} round(s) "
                    + $"at sampling rate {Show(input.Q)} ({input.Name} accountant).");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Option<double> NoiseMultiplier() =>
        new("--noise-multiplier") { Description = "Noise standard deviation / L2 clipping norm (sigma > 0).", Required = true };

    private static Option<double> SamplingRate() =>
        new("--sampling-rate") { Description = "Poisson sampling probability per round, q in (0, 1].", Required = true };

    private static Option<int> Rounds() => new("--rounds") { Description = "Number of rounds T (>= 1).", Required = true };

    private static Option<double> Delta() => new("--delta") { Description = "Target delta in (0, 1).", Required = true };

    private static Option<string> Accountant() =>
        new("--accountant") { Description = "rdp (fast, slightly loose) or pld (tighter, slower).", DefaultValueFactory = _ => "rdp" };

    /// <summary>The inputs both commands share, validated with messages that name the options.</summary>
    private sealed record Inputs(double Q, int Rounds, double Delta, AccountantKind Kind, string Name)
    {
        public static Inputs Read(ParseResult parse, Option<double> q, Option<int> rounds, Option<double> delta, Option<string> accountant)
        {
            var (rate, count, d, name) = (parse.GetValue(q), parse.GetValue(rounds), parse.GetValue(delta), parse.GetValue(accountant) ?? "rdp");
            Require(rate > 0 && rate <= 1, $"--sampling-rate must be in (0, 1]; got {Show(rate)}.");
            Require(count >= 1, $"--rounds must be >= 1; got {count}.");
            Require(d > 0 && d < 1, $"--delta must be in (0, 1); got {Show(d)}.");
            var kind = name.Trim().ToLowerInvariant() switch
            {
                "rdp" => AccountantKind.Rdp,
                "pld" => AccountantKind.Pld,
                _ => throw new ArgumentException($"--accountant must be \"rdp\" or \"pld\"; got \"{name}\"."),
            };
            return new Inputs(rate, count, d, kind, Accountants.Name(kind));
        }

        /// <summary>The shared JSON members, without braces.</summary>
        public string Json =>
            $"\"sampling_rate\":{PrivacyCommands.Json(Q)},\"rounds\":{Rounds},\"delta\":{PrivacyCommands.Json(Delta)},\"accountant\":\"{Name}\"";
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }

    /// <summary>A JSON number that parses back to the same double; ∞ (an uncertifiable ε) has no JSON number, so null.</summary>
    private static string Json(double value) =>
        double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "null";

    private static string Show(double value) => value switch
    {
        double.PositiveInfinity => "infinity",
        _ => value.ToString("g6", CultureInfo.InvariantCulture),
    };

    /// <summary>Library errors name their C# parameter ("(Parameter 'targetEpsilon')"); the CLI user never sees one.</summary>
    private static T WithoutParameterName<T>(Func<T> compute)
    {
        try
        {
            return compute();
        }
        catch (ArgumentException e) when (e.ParamName is not null)
        {
            var message = e.Message;
            var cut = message.IndexOf($" (Parameter '{e.ParamName}')", StringComparison.Ordinal);
            throw new ArgumentException(cut >= 0 ? message[..cut] : message, e);
        }
    }
}
