namespace FedLearn.Identity.Tests;

public sealed class AuditChainTests
{
    private static IReadOnlyList<AuditRecord> Chain(int count)
    {
        var entries = new List<AuditRecord>();
        var previous = AuditChain.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var at = new DateTimeOffset(2026, 12, 1, 12, 0, i, TimeSpan.Zero).AddTicks(1234567);
            var hash = AuditChain.Hash(i, at, "admin", "admin", "session.start", $"s-{i}", "", previous);
            entries.Add(new AuditRecord(i, at, "admin", "admin", "session.start", $"s-{i}", "", previous, hash));
            previous = hash;
        }
        return entries;
    }

    [Fact]
    public void Verify_IntactChain_NoProblems() => Assert.Empty(AuditChain.Verify(Chain(4)));

    [Fact]
    public void Verify_ChangedEntry_NamesIt()
    {
        var entries = Chain(4).ToList();
        entries[1] = entries[1] with { Actor = "someone-else" };

        Assert.Equal(["entry 2: entry_hash does not match its contents (changed after it was written)."], AuditChain.Verify(entries));
    }

    [Fact]
    public void Verify_RemovedEntry_BreaksSequenceAndLink()
    {
        var entries = Chain(4).ToList();
        entries.RemoveAt(1);

        var problems = AuditChain.Verify(entries);

        Assert.Contains(problems, p => p.Contains("sequence 3, expected 2", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("previous_hash", StringComparison.Ordinal));
    }

    [Fact]
    public void Hash_FieldBoundariesAreUnambiguous()
    {
        var at = DateTimeOffset.UnixEpoch;

        Assert.NotEqual(
            AuditChain.Hash(1, at, "ab", "c", "x", "t", "", AuditChain.GenesisHash),
            AuditChain.Hash(1, at, "a", "bc", "x", "t", "", AuditChain.GenesisHash));
    }
}
