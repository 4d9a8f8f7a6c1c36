using FedLearn.SecureAggregation.Crypto;

namespace FedLearn.SecureAggregation.Protocol;

/// <summary>
/// The coordinator's side of a round (Bonawitz et al. 2017, Figure 4, "Server", with the SecAgg+ graph of Bell et al.
/// 2020). It relays keys and ciphertexts, streams masked inputs into one running sum (it never holds more than one
/// vector besides the sum), and at the end removes the survivors' self masks and the dropped participants' pairwise
/// masks — the double masking of Bonawitz §4. Single-threaded; the caller serialises calls (e.g. one grain).
/// Stage k closes when the caller decides (deadline or all received); late messages are then rejected.
/// </summary>
public sealed class SecAggCoordinator
{
    private readonly RoundConfiguration _config;
    private readonly Dictionary<int, KeyAdvertisement> _advertised = []; // U1
    private readonly Dictionary<int, List<EncryptedShare>> _inbox = [];
    private readonly HashSet<int> _shared = []; // U2
    private readonly HashSet<int> _masked = []; // U3
    private readonly Dictionary<int, List<(int Holder, ulong[] Chunks)>> _selfMaskShares = [];
    private readonly Dictionary<int, List<(int Holder, ulong[] Chunks)>> _keyShares = [];
    private readonly HashSet<int> _responded = []; // U4
    private uint[]? _sum;
    private Stage _stage = Stage.Advertise;

    public SecAggCoordinator(RoundConfiguration config) => _config = config;

    private enum Stage { Advertise, ShareKeys, MaskedInput, Unmask, Done }

    public IReadOnlyCollection<int> Advertised => _advertised.Keys;

    public IReadOnlyCollection<int> SharedKeys => _shared;

    public IReadOnlyCollection<int> MaskedInputs => _masked;

    /// <exception cref="ArgumentException">A key is not a valid P-256 public key; the participant stays out of U1.</exception>
    public void Receive(KeyAdvertisement advert)
    {
        Expect(Stage.Advertise);
        _config.CheckParticipant(advert.Participant);
        // A key that is not a key would make every neighbour fail its ECDH: refuse it here, before anyone sees it.
        foreach (var (name, key) in new[] { ("cipher", advert.CipherPublicKey), ("mask", advert.MaskPublicKey) })
        {
            if (PublicKeyValidation.Problem(key) is { } problem)
            {
                throw new ArgumentException($"Participant {advert.Participant} advertised an invalid {name} key: {problem}.", nameof(advert));
            }
        }
        if (!_advertised.TryAdd(advert.Participant, advert))
        {
            throw new InvalidOperationException($"Participant {advert.Participant} advertised twice.");
        }
    }

    /// <summary>Closes round 0; aborts if |U1| &lt; t.</summary>
    public void CloseAdvertisement()
    {
        Expect(Stage.Advertise);
        RequireThreshold(_advertised.Count, "participants advertised keys");
        _stage = Stage.ShareKeys;
    }

    /// <summary>The keys participant u needs for round 1: those of its neighbours in U1.</summary>
    public NeighborKeys KeysFor(int participant)
    {
        Expect(Stage.ShareKeys);
        var keys = _config.Graph.NeighborsOf(participant).Where(_advertised.ContainsKey).Select(v => _advertised[v]).ToList();
        return new(participant, keys);
    }

    public void Receive(ShareKeysMessage message)
    {
        Expect(Stage.ShareKeys);
        if (!_advertised.ContainsKey(message.From) || !_shared.Add(message.From))
        {
            throw new InvalidOperationException($"Unexpected or repeated shares from {message.From}.");
        }

        foreach (var share in message.Shares)
        {
            if (share.From != message.From || !_advertised.ContainsKey(share.To) || !_config.Graph.AreNeighbors(share.From, share.To))
            {
                throw new InvalidOperationException($"Share {share.From} → {share.To} is not between live neighbours.");
            }
        }

        foreach (var share in message.Shares)
        {
            (_inbox.TryGetValue(share.To, out var list) ? list : _inbox[share.To] = []).Add(share);
        }
    }

    /// <summary>Closes round 1; aborts if |U2| &lt; t.</summary>
    public void CloseShareKeys()
    {
        Expect(Stage.ShareKeys);
        RequireThreshold(_shared.Count, "participants shared keys");
        _stage = Stage.MaskedInput;
    }

    /// <summary>Ciphertexts for participant v from senders in U2 (shares from senders that did not finish are dropped).</summary>
    public ForwardedShares SharesFor(int participant)
    {
        Expect(Stage.MaskedInput);
        var shares = _inbox.TryGetValue(participant, out var list) ? list.Where(s => _shared.Contains(s.From)).ToList() : [];
        return new(participant, shares);
    }

    /// <summary>Adds y_u into the running sum at once (mod 2^32); the vector can be released after the call.</summary>
    public void Receive(MaskedInput input)
    {
        Expect(Stage.MaskedInput);
        if (!_shared.Contains(input.From) || _masked.Contains(input.From))
        {
            throw new InvalidOperationException($"Unexpected or repeated masked input from {input.From}.");
        }

        if (input.Values.Length != _config.VectorLength)
        {
            throw new ArgumentException($"Masked input of {input.Values.Length} values, expected {_config.VectorLength}.", nameof(input));
        }

        _sum ??= new uint[_config.VectorLength];
        MaskAccumulator.Add(_sum, input.Values);
        _masked.Add(input.From);
    }

    /// <summary>Closes round 2; aborts if |U3| &lt; t. The request goes to every survivor.</summary>
    public UnmaskRequest CloseMaskedInput()
    {
        Expect(Stage.MaskedInput);
        RequireThreshold(_masked.Count, "participants sent masked inputs");
        _stage = Stage.Unmask;
        return new(_masked.Order().ToList(), _shared.Except(_masked).Order().ToList());
    }

    public void Receive(UnmaskResponse response)
    {
        Expect(Stage.Unmask);
        if (!_masked.Contains(response.From) || !_responded.Add(response.From))
        {
            throw new InvalidOperationException($"Unexpected or repeated unmask response from {response.From}.");
        }

        Collect(response.From, response.SelfMaskShares, _masked, _selfMaskShares);
        Collect(response.From, response.KeyShares, _shared.Except(_masked).ToHashSet(), _keyShares);
    }

    /// <summary>
    /// Closes round 3: rebuilds b_u for u ∈ U3 and s_u^SK for u ∈ U2 \ U3 from ≥ t shares each, then
    /// z = Σ y_u − Σ_{u ∈ U3} PRG(b_u) ∓ Σ_{u ∈ U2\U3, v ∈ U3 ∩ N(u)} PRG(s_{u,v}) (Bonawitz et al. 2017, Figure 4, round 4).
    /// </summary>
    public AggregationResult Finish()
    {
        Expect(Stage.Unmask);
        RequireThreshold(_responded.Count, "participants answered the unmask request");
        _stage = Stage.Done;
        var masks = new UnmaskPlan(_config, _advertised);
        foreach (var u in _masked)
        {
            masks.RemoveSelfMask(u, Shares(_selfMaskShares, u));
        }

        foreach (var u in _shared.Except(_masked))
        {
            masks.RemovePairwiseMasks(u, Shares(_keyShares, u), _masked);
        }

        var sum = _sum!;
        _sum = null;
        masks.ApplyTo(sum);
        return new(sum, _masked.Order().ToList());
    }

    private IReadOnlyList<(int Holder, ulong[] Chunks)> Shares(Dictionary<int, List<(int, ulong[])>> store, int owner)
    {
        var shares = store.TryGetValue(owner, out var list) ? list : [];
        if (shares.Count < _config.Threshold)
        {
            throw new SecAggAbortedException($"Only {shares.Count} shares of participant {owner}'s secret; threshold is {_config.Threshold}.");
        }

        return shares;
    }

    private void Collect(int holder, IReadOnlyList<RevealedShare> shares, IReadOnlySet<int> owners, Dictionary<int, List<(int, ulong[])>> store)
    {
        foreach (var share in shares)
        {
            if (!owners.Contains(share.Owner) || !_config.Graph.AreNeighbors(holder, share.Owner))
            {
                throw new InvalidOperationException($"Participant {holder} revealed an unexpected share of {share.Owner}.");
            }

            (store.TryGetValue(share.Owner, out var list) ? list : store[share.Owner] = []).Add((holder, share.Chunks));
        }
    }

    private void Expect(Stage stage)
    {
        if (_stage != stage)
        {
            throw new InvalidOperationException($"Coordinator is at stage {_stage}, not {stage}.");
        }
    }

    private void RequireThreshold(int count, string what)
    {
        if (count < _config.Threshold)
        {
            _stage = Stage.Done;
            throw new SecAggAbortedException($"Only {count} {what}; threshold is {_config.Threshold}.");
        }
    }
}
