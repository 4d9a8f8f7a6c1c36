namespace FedLearn.Ledger.Tests;

public sealed class LedgerJsonTests
{
    [Fact]
    public void Deserialize_SerializedLedger_RoundTripsAndStillVerifies()
    {
        var (document, signer) = TestLedger.Build(5);

        var json = LedgerJson.Serialize(document);
        var imported = LedgerJson.Deserialize(json);

        Assert.Contains("\"format\": \"fedlearn-ledger/1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"model_sha256\":", json, StringComparison.Ordinal);
        Assert.Equal(document.Header, imported.Header);
        Assert.Equal(document.Entries, imported.Entries);
        Assert.Equal(document.Checkpoints, imported.Checkpoints);
        Assert.True(LedgerVerifierTests.Verify(imported, signer.PublicKey).IsValid);
    }

    [Fact]
    public void Deserialize_EditedExport_FailsVerification()
    {
        var (document, signer) = TestLedger.Build(2);
        var json = LedgerJson.Serialize(document).Replace("\"participants_aggregated\": 48", "\"participants_aggregated\": 47", StringComparison.Ordinal);

        var report = LedgerVerifierTests.Verify(LedgerJson.Deserialize(json), signer.PublicKey);

        Assert.Equal(2, report.OfKind(LedgerDiscrepancyKinds.HashMismatch).Count());
    }

    [Theory]
    [InlineData("not json", "Malformed")]
    [InlineData("[]", "format")]
    [InlineData("{\"format\": \"fedlearn-ledger/2\"}", "Unsupported ledger format")]
    [InlineData("{\"format\": \"fedlearn-ledger/1\", \"entries\": [], \"checkpoints\": []}", "header")]
    public void Deserialize_MalformedInput_ThrowsLedgerFormatException(string json, string messagePart)
    {
        var ex = Assert.Throws<LedgerFormatException>(() => LedgerJson.Deserialize(json));

        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"round\": 10,", "\"round\": 10, \"round\": 11,")]
    [InlineData("\"round\": 10,", "\"round\": 10.0,")]
    [InlineData("\"sampling_rate\": 0.5,", "\"sampling_rate\": NaN,")]
    [InlineData("\"entry_hash\":", "\"unexpected\": 1, \"entry_hash\":")]
    public void Deserialize_DuplicateUnknownOrMistypedMember_ThrowsLedgerFormatException(string find, string replace)
    {
        var (document, _) = TestLedger.Build(1);
        var json = LedgerJson.Serialize(document);
        Assert.Contains(find, json, StringComparison.Ordinal);

        Assert.Throws<LedgerFormatException>(() => LedgerJson.Deserialize(json.Replace(find, replace, StringComparison.Ordinal)));
    }

    [Fact]
    public void Deserialize_ExportWithTheLegacyDerivedMember_StillReads()
    {
        var (document, _) = TestLedger.Build(1);
        var json = LedgerJson.Serialize(document).Replace("\"header\": {", "\"header\": {\n    \"has_participant_level\": true,", StringComparison.Ordinal);

        Assert.Equal(document.Header, LedgerJson.Deserialize(json).Header);
    }

    [Fact]
    public void Deserialize_MistypedField_NamesItsPath()
    {
        var (document, _) = TestLedger.Build(1);
        var json = LedgerJson.Serialize(document).Replace("\"round\": 10", "\"round\": \"ten\"", StringComparison.Ordinal);

        var ex = Assert.Throws<LedgerFormatException>(() => LedgerJson.Deserialize(json));

        Assert.Contains("$.entries[0].round", ex.Message, StringComparison.Ordinal);
    }
}
