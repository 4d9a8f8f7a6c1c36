using FedLearn.Ledger;
using Npgsql;

namespace FedLearn.Coordinator.Grains.Persistence;

/// <summary>
/// Appends the round's ledger entry inside the transaction that commits the round, so a checkpoint never exists without
/// its entry. The chain end is read in the same transaction, which already holds the session row's lock (the guarded
/// UPDATE of sessions), so two commits for one session cannot interleave.
/// </summary>
public sealed class LedgerCommitWriter(LedgerSigner signer) : IRoundCommitWriter
{
    public async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RoundCommit commit, CancellationToken cancellationToken)
    {
        if (commit.Ledger is not { } draft)
        {
            return;
        }
        var (header, last) = await LedgerRepository.LoadChainEndAsync(connection, transaction, commit.SessionId, cancellationToken);
        if (header.PublicKey != signer.PublicKey)
        {
            throw new InvalidOperationException(
                $"Session '{commit.SessionId}' was created under another ledger-signing key; refusing to extend its ledger with this coordinator's key.");
        }
        var unsealed = draft with { Sequence = LedgerChain.NextSequence(last) };
        var sealedEntry = signer.Seal(header, unsealed, LedgerChain.NextPreviousHash(header, last));
        await LedgerRepository.InsertEntryAsync(connection, transaction, sealedEntry, cancellationToken);
    }
}
