using System.Globalization;
using FedLearn.Participant.Spending;
using FedLearn.Privacy;
using FedLearn.Protos.V1;

namespace FedLearn.Participant.Policy;

/// <summary>
/// Decides, before any training, whether a round's declared privacy parameters are acceptable to the data owner.
/// Besides comparing the declaration with the policy, it does its own accounting: ε after this round is computed here,
/// with the session's declared accountant, from the declared (q, σ, δ), assuming all r rounds so far used them (and
/// counting, at its recorded parameters, every attempt the spend log says this participant trained for, whichever gives
/// the larger ε); and, in secure-aggregation sessions, ε against the coordinator over the attempts this participant
/// contributed to (<see cref="CoordinatorAccounting"/>). It never takes the coordinator's word for ε.
/// Fail closed: parameters that are not finite or out of range, and an ε that comes out NaN or infinite, refuse the
/// round whatever the policy (every limit is checked as <c>!(ε &lt;= limit)</c>, which NaN cannot pass).
/// </summary>
public sealed class PolicyGuard(ParticipantPolicy policy, string participantId)
{
    public const string CentralGaussian = "central_gaussian";

    /// <summary>Secure aggregation with discrete Gaussian noise added by the participants themselves.</summary>
    public const string DistributedDiscreteGaussian = "distributed_discrete_gaussian";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public ParticipantPolicy Policy => policy;

    public PolicyDecision Check(RoundTask task, SpendLog? log) => Check(task, log?.ReadAll() ?? []);

    /// <param name="records">The spend log (other participants' and sessions' records are ignored).</param>
    public PolicyDecision Check(RoundTask task, IReadOnlyList<SpendRecord> records)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(records);
        var history = records.Where(r => r.ParticipantId == participantId && r.SessionId == task.SessionId).ToList();
        if (task.ExamplePrivacy is { } declaredExample && ExampleLevelAccounting.Invalid(declaredExample) is { } invalidExample)
        {
            return Refuse(invalidExample);
        }
        var privacy = task.Privacy;
        if (privacy is null && task.ExamplePrivacy is { } example)
        {
            return CheckExampleOnly(example);
        }
        if (privacy is null)
        {
            var noPrivacy = CoordinatorGuarantee.None(CoordinatorAccounting.NoParticipantLevel);
            var objections = new List<string>();
            if (!policy.AllowNonPrivateSessions)
            {
                objections.Add("the session has no differential privacy and the policy does not allow non-private sessions");
            }
            AgainstCoordinator(noPrivacy, objections);
            return Decide(objections, "the session has no differential privacy: no guarantee for the local data (allowed by the policy)")
                with { Coordinator = noPrivacy };
        }

        var invalid = Invalid(task, privacy);
        if (invalid is not null)
        {
            return Refuse(invalid);
        }

        var problems = new List<string>();
        if (!(privacy.EpsilonBudget <= policy.MaxEpsilonPerSession))
        {
            problems.Add($"the session's budget ε={F(privacy.EpsilonBudget)} exceeds max_epsilon_per_session={F(policy.MaxEpsilonPerSession)}");
        }
        if (!(privacy.Delta <= policy.MaxDelta))
        {
            problems.Add($"the session's δ={F(privacy.Delta)} exceeds max_delta={F(policy.MaxDelta)}");
        }
        if (task.MinParticipants < policy.MinParticipantsPerRound)
        {
            problems.Add($"the round needs only {task.MinParticipants} participants; min_participants_per_round={policy.MinParticipantsPerRound}");
        }
        if (policy.RequireSecureAggregation && !privacy.SecureAggregation)
        {
            problems.Add("the session does not use secure aggregation and the policy requires it");
        }

        var limit = Math.Min(policy.MaxEpsilonPerSession, privacy.EpsilonBudget);
        if (!(task.EpsilonSpent <= limit))
        {
            problems.Add($"the coordinator's ledger already records ε={F(task.EpsilonSpent)} > limit {F(limit)}");
        }
        var accountant = Accountants.Create(Accountants.Parse(privacy.Accountant));
        double projected;
        CoordinatorGuarantee coordinator;
        try
        {
            projected = Project(task, privacy, accountant, history);
            coordinator = CoordinatorAccounting.Assess(task, history);
        }
        catch (ArgumentException e)
        {
            return Refuse($"the declared privacy parameters cannot be accounted for: {e.Message}");
        }
        if (!double.IsFinite(projected) || coordinator.Epsilon is { } c && !double.IsFinite(c))
        {
            return Refuse($"the declared privacy parameters give no finite ε (ε after round {task.Round} = {F(projected)}, "
                          + $"against the coordinator {F(coordinator.Epsilon ?? double.NaN)})");
        }
        if (!(projected <= limit))
        {
            problems.Add($"ε after round {task.Round} projected locally ({accountant.Name}) is {F(projected)} > limit {F(limit)}");
        }
        AgainstCoordinator(coordinator, problems);
        var within = $"ε after round {task.Round} projected locally ({accountant.Name}) is {F(projected)} <= limit {F(limit)}; "
                     + Describe(coordinator);
        return Decide(problems, within) with { ProjectedEpsilon = projected, Accountant = accountant.Name, Coordinator = coordinator };
    }

    /// <summary>Only records are protected (DP-SGD, enforced by this participant's own accountant): the policy's limits
    /// apply to that guarantee, which holds against the coordinator too (it never learns which records a step sampled).</summary>
    private PolicyDecision CheckExampleOnly(ExamplePrivacyParameters example)
    {
        var problems = new List<string>();
        if (!(example.EpsilonBudget <= policy.MaxEpsilonPerSession))
        {
            problems.Add($"the example-level budget ε = {F(example.EpsilonBudget)} is above the policy's {F(policy.MaxEpsilonPerSession)}");
        }
        if (!(example.Delta <= policy.MaxDelta))
        {
            problems.Add($"the example-level δ = {F(example.Delta)} is above the policy's {F(policy.MaxDelta)}");
        }
        if (policy.MaxEpsilonAgainstCoordinator is { } max && !(example.EpsilonBudget <= max))
        {
            problems.Add($"the example-level budget ε = {F(example.EpsilonBudget)}, the only guarantee this session gives against the "
                         + $"coordinator, is above max_epsilon_against_coordinator={F(max)}");
        }
        return Decide(problems,
                $"example-level DP-SGD (ε ≤ {F(example.EpsilonBudget)} per record, enforced here); no participant-level guarantee")
            with { Coordinator = CoordinatorGuarantee.None(CoordinatorAccounting.NoParticipantLevel) };
    }

    private void AgainstCoordinator(CoordinatorGuarantee coordinator, List<string> problems)
    {
        if (policy.MaxEpsilonAgainstCoordinator is not { } max)
        {
            return;
        }
        if (coordinator.Epsilon is not { } epsilon)
        {
            problems.Add($"the session gives no guarantee against the coordinator ({coordinator.NoGuarantee}) and the policy sets "
                         + $"max_epsilon_against_coordinator={F(max)}");
        }
        else if (!(epsilon <= max))
        {
            problems.Add($"ε against the coordinator after this attempt (q = 1, σ = {F(coordinator.NoiseMultiplier ?? double.NaN)}) would be "
                         + $"{F(epsilon)} > max_epsilon_against_coordinator={F(max)}");
        }
    }

    private static string Describe(CoordinatorGuarantee coordinator) => coordinator.Epsilon is { } epsilon
        ? $"against the coordinator ε after this attempt is {F(epsilon)} (q = 1, σ = {F(coordinator.NoiseMultiplier ?? double.NaN)})"
        : $"no guarantee against the coordinator ({coordinator.NoGuarantee})";

    private PolicyDecision Decide(List<string> problems, string within)
    {
        if (problems.Count == 0)
        {
            return new PolicyDecision(true, within);
        }
        var reasons = string.Join("; ", problems);
        return policy.Enforced
            ? new PolicyDecision(false, reasons)
            : new PolicyDecision(true, $"accepted because no policy file is given, but a policy would object: {reasons}");
    }

    /// <summary>Parameters no accountant can vouch for: declined with or without a policy file.</summary>
    private static PolicyDecision Refuse(string reason) => new(false, reason);

    /// <summary>
    /// ε after this round: r rounds at the declared parameters, or — when the spend log shows attempts this participant
    /// trained for — each of those attempts as one step at its recorded parameters plus the rounds it has no record of at
    /// the declared ones, whichever is larger. Attempts are never de-duplicated: a round rerun, under any attempt number,
    /// was trained for again (design decision D3). Every step is composed at q = 1, whatever q the session samples with:
    /// the coordinator publishes each round's cohort size, so amplification by sampling does not hold for what is
    /// released (review-10 S7, docs/threat-model.md; the ledger claims none from accounting version 4).
    /// </summary>
    private static double Project(RoundTask task, PrivacyParameters privacy, IPrivacyAccountant accountant, List<SpendRecord> history)
    {
        const double Unamplified = 1.0;
        var sigma = WorstCaseNoiseMultiplier(task, privacy);
        var epsilon = accountant.GetEpsilon([new SubsampledGaussianStep(Unamplified, sigma, task.Round)], privacy.Delta);
        var recorded = history.Where(r => r.SamplingRate is not null && r.NoiseMultiplier is not null).ToList();
        if (recorded.Count == 0)
        {
            return epsilon;
        }
        // A record at today's declared (q, σ) counts at today's worst-case σ (with distributed noise the record holds the
        // declared target, not what s_min survivors guarantee); one under other parameters counts as recorded.
        var steps = recorded.Select(r => r.SamplingRate == privacy.SamplingRate && r.NoiseMultiplier == privacy.NoiseMultiplier
                ? new SubsampledGaussianStep(Unamplified, sigma)
                : new SubsampledGaussianStep(Unamplified, r.NoiseMultiplier!.Value))
            .ToList();
        var roundsRecorded = recorded.Where(r => r.Round < task.Round).Select(r => r.Round).Distinct().Count();
        steps.Add(new SubsampledGaussianStep(Unamplified, sigma, task.Round - roundsRecorded));
        return Math.Max(epsilon, accountant.GetEpsilon(steps, privacy.Delta));
    }

    /// <summary>
    /// The least noise the round can carry, relative to its sensitivity: σ with central noise; with distributed noise, the
    /// certainly honest shares of the s_min survivors' noise over the clip norm inflated by rounding to the grid — the same σ that bounds an
    /// attempt against the coordinator (<see cref="CoordinatorAccounting.NoiseMultiplier"/>).
    /// </summary>
    private static double WorstCaseNoiseMultiplier(RoundTask task, PrivacyParameters privacy) =>
        task.SecureAggregation is not null && privacy.Mechanism == DistributedDiscreteGaussian
            ? CoordinatorAccounting.NoiseMultiplier(task, privacy)
            : privacy.NoiseMultiplier;

    private static string? Invalid(RoundTask task, PrivacyParameters p)
    {
        if (p.Mechanism is not (CentralGaussian or DistributedDiscreteGaussian))
        {
            return $"unknown privacy mechanism \"{p.Mechanism}\"; this participant can check only \"{CentralGaussian}\" and \"{DistributedDiscreteGaussian}\"";
        }
        if ((p.Mechanism == DistributedDiscreteGaussian) != (p.SecureAggregation && task.SecureAggregation is not null))
        {
            return "the declared mechanism and the round's secure-aggregation setup disagree";
        }
        if (task.SecureAggregation is { } s && !(s.Gamma > 0 && double.IsFinite(s.Gamma) && s.Threshold >= 2 && s.Threshold <= s.Participants
                                                 && task.ParameterCount is >= 1 and <= int.MaxValue))
        {
            return $"the secure-aggregation setup is invalid (γ={F(s.Gamma)}, t={s.Threshold} of {s.Participants}, {task.ParameterCount} parameters)";
        }
        if (p.Accountant.Trim().ToLowerInvariant() is not ("rdp" or "pld"))
        {
            return $"unknown privacy accountant \"{p.Accountant}\"; expected \"rdp\" or \"pld\"";
        }
        if (!(p.SamplingRate > 0 && p.SamplingRate <= 1)
            || !(p.NoiseMultiplier > 0) || !double.IsFinite(p.NoiseMultiplier)
            || !(p.ClipNorm > 0) || !double.IsFinite(p.ClipNorm)
            || !(p.Delta > 0 && p.Delta < 1)
            || !(p.EpsilonBudget > 0) || !double.IsFinite(p.EpsilonBudget)
            || !(task.EpsilonSpent >= 0) || !double.IsFinite(task.EpsilonSpent) || task.Round < 1)
        {
            return $"the declared privacy parameters are invalid (q={F(p.SamplingRate)}, σ={F(p.NoiseMultiplier)}, C={F(p.ClipNorm)}, "
                   + $"δ={F(p.Delta)}, ε budget={F(p.EpsilonBudget)}, ε spent={F(task.EpsilonSpent)}, round {task.Round})";
        }
        return null;
    }

    private static string F(double value) => value.ToString("G4", Invariant);
}
