using FedLearn.Privacy;
using FedLearn.Protos;
using FedLearn.Protos.V1;
using FedLearn.SecureAggregation;
using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;
using FedLearn.SecureAggregation.Protocol;
using Google.Protobuf;
using Grpc.Core;
using ProtoStage = FedLearn.Protos.V1.SecureAggregationStage;

namespace FedLearn.Participant.Work;

/// <summary>
/// This participant's side of a secure-aggregation round (Bonawitz et al. 2017, §4; SecAgg+ graph of Bell et al. 2020):
/// advertise keys and share secrets with the neighbours before training; afterwards encode the update (clip, rotate,
/// round to the grid, add this participant's share of the discrete Gaussian noise), mask it, upload it, and help unmask
/// the sum. The update never leaves the machine unmasked.
/// </summary>
internal sealed class SecureAggregationClient : IDisposable
{
    private readonly ParticipantService.ParticipantServiceClient _client;
    private readonly ParticipantSettings _settings;
    private readonly RoundTask _task;
    private readonly SecureAggregationSetup _setup;
    private readonly EncodingParameters _encoding;
    private readonly SecAggParticipant _protocol;
    private readonly ulong? _reportVariance;

    public SecureAggregationClient(ParticipantService.ParticipantServiceClient client, ParticipantSettings settings, RoundTask task)
    {
        (_client, _settings, _task) = (client, settings, task);
        _setup = task.SecureAggregation;
        var privacy = task.Privacy ?? throw new InvalidDataException("A secure-aggregation round without privacy parameters.");
        if (_setup.Threshold < 2 || _setup.Index < 0 || _setup.Index >= _setup.Participants)
        {
            throw new InvalidDataException($"Implausible secure-aggregation setup: index {_setup.Index} of {_setup.Participants}, threshold {_setup.Threshold}.");
        }
        try
        {
            _encoding = SecureTaskEncoding.For(task, privacy);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Unusable secure-aggregation setup: {e.Message}", e);
        }
        if (_encoding.GridNoiseVariance != _setup.GridNoiseVariance)
        {
            // The noise is ours to add: it follows from the declared σ, C, γ, s_min and n, never from the coordinator's say-so.
            throw new InvalidDataException(
                $"The coordinator announced grid noise variance {_setup.GridNoiseVariance}; σ = {privacy.NoiseMultiplier}, C = {privacy.ClipNorm} give {_encoding.GridNoiseVariance}.");
        }
        if (privacy.AdaptiveClipping is { } adaptive)
        {
            // Adaptive clipping: one more word after the update, this participant's report plus its noise share on it.
            _reportVariance = AdaptiveClipping.SecureReportShareVariance(adaptive.BitNoiseStddev, _encoding.HonestShares);
        }
        var configuration = new RoundConfiguration(_setup.RoundId.ToByteArray(),
            new SecAggParameters(_setup.Participants, _setup.Neighbors, _setup.Threshold),
            _encoding.PaddedDimension + (_reportVariance is null ? 0 : 1), _setup.GraphSeed.ToByteArray());
        _protocol = new SecAggParticipant(configuration, _setup.Index);
    }

    /// <summary>Stages 1–2: advertise keys, receive the neighbours' keys, send them encrypted shares of this participant's secrets.</summary>
    public async Task ShareKeysAsync(CancellationToken ct)
    {
        await SendAsync(ProtoStage.AdvertiseKeys, _protocol.AdvertiseKeys(), ct);
        var keys = await WaitAsync<NeighborKeys>(ProtoStage.NeighborKeys, ct);
        await SendAsync(ProtoStage.ShareKeys, _protocol.ShareKeys(keys), ct);
    }

    /// <summary>Stage 3: encode, noise and mask the update, and upload it. Then, if it was accepted, <see cref="UnmaskAsync"/>.</summary>
    /// <param name="exampleEpsilon">This participant's example-level ε after this round, when the session declares that level.</param>
    /// <param name="clipReport">Adaptive clipping's report on the update before clipping (+1, −1 or 0), when the round adapts.</param>
    public async Task<UploadUpdateReply> UploadMaskedInputAsync(float[] update, double? exampleEpsilon, int? clipReport, CancellationToken ct)
    {
        var shares = await WaitAsync<ForwardedShares>(ProtoStage.ForwardedShares, ct);
        uint[] encoded;
        using (var random = new CryptoRandom())
        {
            encoded = UpdateEncoder.Encode(update, _encoding, _setup.RotationSeed.Span, random);
            if (_reportVariance is { } variance)
            {
                // The report travels only inside the masked sum, with its own discrete Gaussian share (the exact sampler:
                // no distance from N_Z to pay), so the coordinator learns only the noisy sum of the reports.
                var report = clipReport ?? throw new InvalidOperationException("An adaptive-clipping round needs this participant's clip report.");
                encoded = [.. encoded, unchecked((uint)(report + new DiscreteGaussianSampler(variance).Sample(random)))];
            }
        }
        var masked = _protocol.MaskInput(shares, encoded);
        return await UploadAsync(masked.Values, exampleEpsilon, ct);
    }

    /// <summary>Stage 4: once the masked inputs are in, reveal the shares that unmask the survivors' sum.</summary>
    public async Task UnmaskAsync(CancellationToken ct)
    {
        var request = await WaitAsync<UnmaskRequest>(ProtoStage.UnmaskRequest, ct);
        RefuseImplausible(request, _setup.Participants, _setup.MinimumSurvivors);
        await SendAsync(ProtoStage.Unmask, _protocol.Unmask(request), ct);
    }

    /// <summary>
    /// Our noise was sized for at least s_min survivors; a sum of fewer may hold less honest noise than we charged ourselves
    /// for, so we reveal no share that would unmask it. Survivors are counted as distinct cohort indices: a request that
    /// repeats an index, names one outside 0..n−1, or lists a participant as both survivor and dropped is refused, since it
    /// could pass a count with fewer real survivors. This checks the request we see; it cannot see whether the coordinator
    /// told other participants something else (a consistency round, Bonawitz et al. 2017, §4, would be needed for that), so
    /// it guards against bugs and inconsistent requests, not against a coordinator that lies to everyone alike.
    /// </summary>
    /// <exception cref="InvalidDataException">The request is refused; nothing is revealed.</exception>
    internal static void RefuseImplausible(UnmaskRequest request, int cohort, int minimumSurvivors)
    {
        var survivors = request.Survivors.ToHashSet();
        var dropped = request.Dropped.ToHashSet();
        if (survivors.Count != request.Survivors.Count || dropped.Count != request.Dropped.Count)
        {
            throw new InvalidDataException("The unmask request lists a participant more than once.");
        }
        if (survivors.Concat(dropped).Any(i => i < 0 || i >= cohort))
        {
            throw new InvalidDataException($"The unmask request names a participant outside the cohort of {cohort}.");
        }
        if (survivors.Overlaps(dropped))
        {
            throw new InvalidDataException("The unmask request lists a participant both as a survivor and as dropped.");
        }
        if (survivors.Count < minimumSurvivors)
        {
            throw new InvalidDataException(
                $"The unmask request lists {survivors.Count} survivors; this round's noise needs at least {minimumSurvivors}.");
        }
    }

    public void Dispose() => _protocol.Dispose();

    private Task SendAsync<T>(ProtoStage stage, T message, CancellationToken ct) =>
        CallAsync(stage, ByteString.CopyFrom(ProtocolJson.Serialize(message)), ct);

    private async Task<T> WaitAsync<T>(ProtoStage stage, CancellationToken ct) =>
        ProtocolJson.Deserialize<T>((await CallAsync(stage, ByteString.Empty, ct)).Payload.Span);

    private async Task<SecureAggregationStepReply> CallAsync(ProtoStage stage, ByteString payload, CancellationToken ct) =>
        await _client.SecureAggregationStepAsync(new SecureAggregationStepRequest
        {
            ParticipantId = _settings.ParticipantId,
            SessionId = _task.SessionId,
            Round = _task.Round,
            Attempt = _task.Attempt,
            Stage = stage,
            Payload = payload,
        }, deadline: _task.Deadline.ToDateTime(), cancellationToken: ct);

    private async Task<UploadUpdateReply> UploadAsync(uint[] masked, double? exampleEpsilon, CancellationToken ct)
    {
        using var call = _client.UploadMaskedInput(deadline: _task.Deadline.ToDateTime(), cancellationToken: ct);
        // The chunks carry raw 32-bit words; reinterpreting them as floats copies the bits unchanged.
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<uint, float>(masked).ToArray();
        return await Uploads.SendAsync(call, Uploads.Header(_settings.ParticipantId, _task, masked.Length, numExamples: 0, exampleEpsilon), words, ct);
    }
}
