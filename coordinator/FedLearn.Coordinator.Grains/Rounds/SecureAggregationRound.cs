using FedLearn.Privacy;
using FedLearn.SecureAggregation;
using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Protocol;

namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>
/// The coordinator's side of one secure-aggregation attempt (Bonawitz et al. 2017, §4, with the SecAgg+ graph of Bell et al.
/// 2020): it relays keys and encrypted shares, adds masked inputs to a running sum as they arrive, and learns only the
/// sum of the survivors' encoded, noised updates. Stages close when every expected message is in, or at their deadline.
/// The round's minimum survivors s_min (the plan's, at least the round's minimum) is checked when each stage closes and
/// finally when the masked inputs are in, before any unmask share is asked for: with fewer the attempt aborts and the
/// coordinator never learns their sum. So every released sum holds at least s_min − c(n) certainly honest noise shares (c(n): the colluders
/// the cohort may hold),
/// the noise the attempt was charged for when it opened. The release is the decoded noisy sum over q·N.
/// </summary>
internal sealed class SecureAggregationRound : IRoundAggregator
{
    private readonly SecAggCoordinator _protocol;
    private readonly Dictionary<string, int> _indexOf;
    private readonly HashSet<int> _unmasked = [];
    private readonly SecureAggregationPlan _plan;
    private readonly int _minimum;
    private readonly double _samplingRate;
    private readonly int _eligible;
    private UnmaskRequest? _unmaskRequest;

    public SecureAggregationRound(RoundPlan round)
    {
        var task = round.Task;
        var participants = round.SelectedParticipants;
        _plan = task.SecureAggregation ?? throw new ArgumentException("The task has no secure-aggregation plan.", nameof(round));
        // s_min ≥ the round's minimum by construction (DistributedNoiseGuarantee.MinimumSurvivors); the max keeps it so.
        _minimum = Math.Max(round.MinParticipants, _plan.MinimumSurvivors);
        _samplingRate = task.Privacy?.SamplingRate ?? throw new ArgumentException("A secure round needs a privacy plan.", nameof(round));
        _eligible = round.Eligible;
        Encoding = SecureAggregationEncoding.For(task);
        _indexOf = participants.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        _adaptive = task.Privacy.AdaptiveClipping is not null;
        VectorLength = SecureAggregationEncoding.VectorLength(Encoding, task.Privacy);
        var configuration = new RoundConfiguration(_plan.RoundId, new SecAggParameters(participants.Count, _plan.Neighbors, _plan.Threshold),
            VectorLength, _plan.GraphSeed);
        _protocol = new SecAggCoordinator(configuration);
    }

    public SecureRoundStage Stage { get; private set; } = SecureRoundStage.AdvertiseKeys;

    public EncodingParameters Encoding { get; }

    /// <summary>The masked vector's length: D, and with adaptive clipping one more word for the reports.</summary>
    public int VectorLength { get; }

    // Adaptive clipping: the last word of the sum is Σr plus the survivors' noise shares on it.
    private readonly bool _adaptive;

    public string? AbortReason { get; private set; }

    public bool IsOver => Stage is SecureRoundStage.Finished or SecureRoundStage.Aborted;

    /// <summary>Participants whose masked input is in the running sum: the survivors, if the unmasking succeeds.</summary>
    public int Count => _protocol.MaskedInputs.Count;

    /// <summary>Whether everyone still in the protocol has sent this stage's message, so it can close before its deadline.</summary>
    public bool StageComplete => Stage switch
    {
        SecureRoundStage.AdvertiseKeys => _protocol.Advertised.Count == _indexOf.Count,
        SecureRoundStage.ShareKeys => _protocol.SharedKeys.Count == _protocol.Advertised.Count,
        SecureRoundStage.MaskedInput => _protocol.MaskedInputs.Count == _protocol.SharedKeys.Count,
        SecureRoundStage.Unmask => _unmasked.Count == _protocol.MaskedInputs.Count,
        _ => false,
    };

    public SecureStageReply Handle(string participantId, SecureAggregationStage stage, byte[] payload)
    {
        if (!_indexOf.TryGetValue(participantId, out var index))
        {
            return SecureStageReply.Failed("the participant was not selected for this round");
        }
        if (Stage == SecureRoundStage.Aborted)
        {
            return SecureStageReply.Failed($"the round aborted: {AbortReason}");
        }
        try
        {
            return stage switch
            {
                SecureAggregationStage.AdvertiseKeys => Send(SecureRoundStage.AdvertiseKeys, () => _protocol.Receive(Read<KeyAdvertisement>(payload, index, a => a.Participant))),
                SecureAggregationStage.ShareKeys => Send(SecureRoundStage.ShareKeys, () => _protocol.Receive(Read<ShareKeysMessage>(payload, index, m => m.From))),
                SecureAggregationStage.Unmask => Send(SecureRoundStage.Unmask, () =>
                {
                    _protocol.Receive(Read<UnmaskResponse>(payload, index, r => r.From));
                    _unmasked.Add(index);
                }),
                SecureAggregationStage.NeighborKeys => Await(SecureRoundStage.ShareKeys, _protocol.Advertised.Contains(index), () => _protocol.KeysFor(index)),
                SecureAggregationStage.ForwardedShares => Await(SecureRoundStage.MaskedInput, _protocol.SharedKeys.Contains(index), () => _protocol.SharesFor(index)),
                SecureAggregationStage.UnmaskRequest => Await(SecureRoundStage.Unmask, _protocol.MaskedInputs.Contains(index), () => _unmaskRequest!),
                _ => SecureStageReply.Failed($"unknown stage {stage}"),
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException)
        {
            return SecureStageReply.Failed($"rejected {stage}: {e.Message}");
        }
    }

    public string? SubmitMaskedInput(string participantId, uint[] values)
    {
        if (!_indexOf.TryGetValue(participantId, out var index))
        {
            return "the participant was not selected for this round";
        }
        if (Stage != SecureRoundStage.MaskedInput)
        {
            return $"masked inputs are not accepted in stage {Stage}";
        }
        try
        {
            _protocol.Receive(new MaskedInput(index, values));
            return null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Closes the current stage (all in, or its deadline passed) and moves to the next; fewer than s_min left aborts (an
    /// attempt that can no longer reach s_min masked inputs stops before its participants train).
    /// </summary>
    public void CloseStage()
    {
        try
        {
            switch (Stage)
            {
                case SecureRoundStage.AdvertiseKeys:
                    if (TooFew(_protocol.Advertised.Count, "advertised keys"))
                    {
                        return;
                    }
                    _protocol.CloseAdvertisement();
                    Stage = SecureRoundStage.ShareKeys;
                    break;
                case SecureRoundStage.ShareKeys:
                    if (TooFew(_protocol.SharedKeys.Count, "shared their keys"))
                    {
                        return;
                    }
                    _protocol.CloseShareKeys();
                    Stage = SecureRoundStage.MaskedInput;
                    break;
                case SecureRoundStage.MaskedInput:
                    // Checked before any unmask share is asked for: an attempt that cannot commit releases nothing, and a sum
                    // of fewer than s_min inputs could hold fewer honest noise shares than the attempt was charged for.
                    if (TooFew(_protocol.MaskedInputs.Count, "sent masked inputs"))
                    {
                        return;
                    }
                    _unmaskRequest = _protocol.CloseMaskedInput();
                    Stage = SecureRoundStage.Unmask;
                    break;
                case SecureRoundStage.Unmask:
                    Stage = SecureRoundStage.Finished;
                    break;
            }
        }
        catch (SecAggAbortedException e)
        {
            (Stage, AbortReason) = (SecureRoundStage.Aborted, e.Message);
        }
    }

    /// <summary>
    /// The survivors' noisy sum over q·N in update units, and the noise it carries; only after the unmask stage closed.
    /// </summary>
    /// <exception cref="SecAggAbortedException">Too few unmask responses or shares to remove the masks.</exception>
    public AggregateRelease Release()
    {
        var (sum, noise, count) = Finish();
        return new(ExpectedCohort.Mean(sum, _samplingRate, _eligible), noise, count);
    }

    private (float[] Sum, NoiseInSum Noise, double? Count) Finish()
    {
        var result = _protocol.Finish();
        var decoded = UpdateEncoder.Decode(result.Sum.AsSpan(0, Encoding.PaddedDimension), Encoding, _plan.RotationSeed);
        var survivors = result.Contributors.Count;
        // Adaptive clipping: Σr + the survivors' shares, in two's complement (|Σr| ≤ n, the noise far below 2^31).
        double? count = _adaptive
            ? AdaptiveClipping.UnclippedCount(UpdateEncoder.Signed(result.Sum[Encoding.PaddedDimension], 32), survivors)
            : null;
        // Every survivor added discrete Gaussian noise of variance σ_int² on the grid; only s − c(n) shares are certainly
        // honest (the cohort's colluders may all have survived), as a sum of discrete Gaussians against the grid
        // sensitivity Δ₂ (Kairouz, Liu & Steinke 2021, Prop. 14). Reported with the result; the ledger charges the attempt's
        // opening charge (s = s_min), which this never falls below since s ≥ s_min was enforced before unmasking.
        var noiseMultiplier = Encoding.GuaranteedNoiseMultiplier(survivors);
        return ([.. decoded.Select(v => (float)v)], new NoiseInSum(noiseMultiplier, Encoding.EffectiveSensitivity(), survivors), count);
    }

    private bool TooFew(int count, string what)
    {
        if (count >= _minimum)
        {
            return false;
        }
        (Stage, AbortReason) = (SecureRoundStage.Aborted,
            $"only {count} of {_indexOf.Count} participants {what}; at least {_minimum} are required, so nothing was unmasked");
        return true;
    }

    private SecureStageReply Send(SecureRoundStage expected, Action receive)
    {
        if (Stage != expected)
        {
            return SecureStageReply.Failed($"this message belongs to stage {expected}; the round is in stage {Stage}");
        }
        receive();
        return SecureStageReply.Done();
    }

    private SecureStageReply Await<T>(SecureRoundStage availableFrom, bool participated, Func<T> output)
    {
        if (Stage < availableFrom)
        {
            return SecureStageReply.NotReady;
        }
        return participated
            ? SecureStageReply.Done(ProtocolJson.Serialize(output()))
            : SecureStageReply.Failed("the participant missed the previous stage's deadline");
    }

    private static T Read<T>(byte[] payload, int index, Func<T, int> sender)
    {
        var message = ProtocolJson.Deserialize<T>(payload);
        if (sender(message) != index)
        {
            throw new InvalidDataException($"the message claims participant {sender(message)}; the sender is {index}");
        }
        return message;
    }
}

internal enum SecureRoundStage
{
    AdvertiseKeys = 1,
    ShareKeys = 2,
    MaskedInput = 3,
    Unmask = 4,
    Finished = 5,
    Aborted = 6,
}
