using System.Security.Cryptography;
using FedLearn.SecureAggregation.Crypto;
using FedLearn.SecureAggregation.Shamir;

namespace FedLearn.SecureAggregation.Protocol;

/// <summary>
/// One participant's side of a round (Bonawitz et al. 2017, Figure 4, "User"; neighbours restricted to the SecAgg+
/// graph of Bell et al. 2020). Call the four stages once each, in order; any other order throws. Transport-agnostic:
/// every stage consumes the coordinator's previous message and returns the next one to send.
/// </summary>
public sealed class SecAggParticipant : IDisposable
{
    private readonly RoundConfiguration _config;
    private readonly ECDiffieHellman _cipherKey = KeyAgreement.NewKeyPair();
    private readonly ECDiffieHellman _maskKey = KeyAgreement.NewKeyPair();
    private readonly byte[] _selfMaskSeed = RandomNumberGenerator.GetBytes(MaskKey.SeedBytes);
    private readonly Dictionary<int, ECDiffieHellman> _neighborMaskKeys = [];
    private readonly Dictionary<int, byte[]> _receiveKeys = [];
    private readonly Dictionary<int, SharePlaintext> _heldShares = [];
    private readonly HashSet<int> _badKeys = [];
    private Stage _stage;

    public SecAggParticipant(RoundConfiguration config, int id)
    {
        config.CheckParticipant(id);
        _config = config;
        Id = id;
    }

    private enum Stage { New, Advertised, Shared, Masked, Unmasked }

    public int Id { get; }

    /// <summary>Neighbours dropped in round 1 because a key they advertised is not a valid P-256 public key.</summary>
    public IReadOnlyCollection<int> DroppedForBadKeys => _badKeys;

    /// <summary>Round 0: fresh key pairs (c_u, s_u) for this round only.</summary>
    public KeyAdvertisement AdvertiseKeys()
    {
        Advance(Stage.New, Stage.Advertised);
        return new(Id, KeyAgreement.ExportPublicKey(_cipherKey), KeyAgreement.ExportPublicKey(_maskKey));
    }

    /// <summary>
    /// Round 1: draw b_u, t-out-of-k Shamir-share b_u and s_u^SK among the live neighbours, encrypt each holder's shares
    /// under KA(c_u^SK, c_v^PK). A neighbour whose advertised key is not a valid P-256 key is dropped (no shares, no mask),
    /// like one that never advertised: the check is deterministic, so every honest neighbour drops it alike. Aborts if fewer
    /// than t usable neighbours remain (u's secrets could never be rebuilt).
    /// </summary>
    public ShareKeysMessage ShareKeys(NeighborKeys keys)
    {
        Advance(Stage.Advertised, Stage.Shared);
        var holders = new List<(int Id, ECDiffieHellman CipherKey)>();
        foreach (var advert in keys.Keys.DistinctBy(k => k.Participant))
        {
            if (!_config.Graph.AreNeighbors(Id, advert.Participant))
            {
                throw new InvalidOperationException($"Participant {advert.Participant} is not a neighbour of {Id}.");
            }

            if (PublicKeyValidation.Problem(advert.CipherPublicKey) is not null || PublicKeyValidation.Problem(advert.MaskPublicKey) is not null)
            {
                _badKeys.Add(advert.Participant);
                continue;
            }
            var cipherKey = KeyAgreement.ImportPublicKey(advert.CipherPublicKey);
            _neighborMaskKeys[advert.Participant] = KeyAgreement.ImportPublicKey(advert.MaskPublicKey);
            holders.Add((advert.Participant, cipherKey));
        }

        RequireThreshold(holders.Count, "neighbours advertised keys");
        var xs = holders.Select(h => (ulong)h.Id + 1).ToArray();
        var selfShares = SecretChunks.Split(_selfMaskSeed, _config.Threshold, xs);
        var scalar = KeyAgreement.ExportPrivateScalar(_maskKey);
        var keyShares = SecretChunks.Split(scalar, _config.Threshold, xs);
        CryptographicOperations.ZeroMemory(scalar);
        var shares = new List<EncryptedShare>(holders.Count);
        for (var i = 0; i < holders.Count; i++)
        {
            var (holder, cipherKey) = holders[i];
            var (sendKey, receiveKey) = KeyAgreement.ShareEncryptionKeys(_cipherKey, cipherKey, _config.RoundId, Id, holder);
            _receiveKeys[holder] = receiveKey;
            var plaintext = new SharePlaintext(Id, holder, selfShares[i], keyShares[i]).Encode();
            shares.Add(new(Id, holder, ShareCipher.Encrypt(sendKey, _config.RoundId, Id, holder, plaintext)));
            CryptographicOperations.ZeroMemory(plaintext);
            CryptographicOperations.ZeroMemory(sendKey);
            cipherKey.Dispose();
        }

        return new(Id, shares);
    }

    /// <summary>
    /// Round 2: store the shares received (their senders are U2 ∩ N(u)) and mask the encoded input:
    /// y_u = x_u + PRG(b_u) + Σ_{v ∈ U2 ∩ N(u), u &lt; v} PRG(s_{u,v}) − Σ_{v ∈ U2 ∩ N(u), u &gt; v} PRG(s_{u,v})  (mod 2^32).
    /// </summary>
    public MaskedInput MaskInput(ForwardedShares received, ReadOnlySpan<uint> encoded)
    {
        Advance(Stage.Shared, Stage.Masked);
        if (encoded.Length != _config.VectorLength)
        {
            throw new ArgumentException($"Expected {_config.VectorLength} values, got {encoded.Length}.", nameof(encoded));
        }

        foreach (var share in received.Shares)
        {
            if (share.To == Id && _badKeys.Contains(share.From))
            {
                continue; // Dropped in round 1: it holds none of our shares and we use no mask with it.
            }
            if (share.To != Id || !_receiveKeys.TryGetValue(share.From, out var key))
            {
                throw new InvalidOperationException($"Unexpected share from {share.From} to {share.To}.");
            }

            var plaintext = SharePlaintext.Decode(ShareCipher.Decrypt(key, _config.RoundId, share.From, Id, share.Ciphertext));
            if (plaintext.Owner != share.From || plaintext.Holder != Id)
            {
                throw new CryptographicException("Share plaintext names the wrong parties.");
            }

            _heldShares[share.From] = plaintext;
        }

        RequireThreshold(_heldShares.Count, "neighbours shared keys");
        var masks = new List<(MaskKey, bool)> { (new MaskKey(_selfMaskSeed), false) };
        foreach (var v in _heldShares.Keys)
        {
            var seed = KeyAgreement.PairwiseMaskSeed(_maskKey, _neighborMaskKeys[v], _config.RoundId, Id, v);
            masks.Add((new MaskKey(seed), Id > v));
            CryptographicOperations.ZeroMemory(seed);
        }

        var values = encoded.ToArray();
        MaskAccumulator.ApplyParallel(values, masks);
        foreach (var (key, _) in masks)
        {
            key.Dispose();
        }

        return new(Id, values);
    }

    /// <summary>
    /// Round 3: for each neighbour that shared keys, reveal the b-share if it survived and the s^SK-share if it dropped —
    /// never both for the same neighbour (that is what keeps a dropped-then-late input private, Bonawitz §4).
    /// Aborts if fewer than t survivors remain.
    /// </summary>
    public UnmaskResponse Unmask(UnmaskRequest request)
    {
        Advance(Stage.Masked, Stage.Unmasked);
        var survivors = request.Survivors.ToHashSet();
        var dropped = request.Dropped.ToHashSet();
        if (survivors.Overlaps(dropped))
        {
            throw new InvalidOperationException("A participant cannot be both a survivor and dropped.");
        }

        RequireThreshold(survivors.Count, "participants survived");
        var selfMaskShares = new List<RevealedShare>();
        var keyShares = new List<RevealedShare>();
        foreach (var (owner, share) in _heldShares)
        {
            if (survivors.Contains(owner))
            {
                selfMaskShares.Add(new(owner, share.SelfMaskChunks));
            }
            else if (dropped.Contains(owner))
            {
                keyShares.Add(new(owner, share.KeyChunks));
            }
        }

        _heldShares.Clear();
        return new(Id, selfMaskShares, keyShares);
    }

    public void Dispose()
    {
        _cipherKey.Dispose();
        _maskKey.Dispose();
        foreach (var key in _neighborMaskKeys.Values)
        {
            key.Dispose();
        }

        CryptographicOperations.ZeroMemory(_selfMaskSeed);
    }

    private void Advance(Stage expected, Stage next)
    {
        if (_stage != expected)
        {
            throw new InvalidOperationException($"Stage {next} requires stage {expected}; participant is at {_stage}.");
        }

        _stage = next;
    }

    private void RequireThreshold(int count, string what)
    {
        if (count < _config.Threshold)
        {
            throw new SecAggAbortedException($"Only {count} {what}; threshold is {_config.Threshold}.");
        }
    }
}
