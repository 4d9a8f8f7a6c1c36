using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Protos.V1;
using FedLearn.Training;

namespace FedLearn.IntegrationTests;

/// <summary>A participant process killed with SIGKILL in the middle of a round must not stall the session.</summary>
public sealed class ParticipantFailureTests : CoordinatorTestBase
{
    private const string FashionMnist = "/usr/share/datasets/fashion-mnist";
    private const int DeadlineSeconds = 8;

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("fedlearn-kill-").FullName;
    private readonly List<InProcessParticipant> _survivors = [];

    public override async ValueTask DisposeAsync()
    {
        foreach (var participant in _survivors)
        {
            await participant.DisposeAsync();
        }
        await base.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    /// <param name="secure">
    /// With secure aggregation the keys are exchanged before training, so the victim dies after sharing its keys: the
    /// coordinator must rebuild its masks from the survivors' shares.
    /// </param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ParticipantKilledMidRound_RoundClosesAtDeadlineWithSurvivors_SessionCompletes(bool secure)
    {
        // The victim trains on all 60,000 Fashion-MNIST images (seconds of work), so the kill lands mid-training;
        // the two survivors hold 1,000 images each and finish at once.
        var full = IdxDatasetLoader.LoadDirectory(FashionMnist, "train");
        _survivors.Add(new InProcessParticipant(Coordinator.Address, "survivor-a", full.Subset([.. Enumerable.Range(0, 1000)])));
        _survivors.Add(new InProcessParticipant(Coordinator.Address, "survivor-b", full.Subset([.. Enumerable.Range(1000, 1000)])));
        if (secure)
        {
            // Secure aggregation tolerates a dropout from four participants on (k = 3 neighbours, threshold 2).
            _survivors.Add(new InProcessParticipant(Coordinator.Address, "survivor-c", full.Subset([.. Enumerable.Range(2000, 1000)])));
        }
        var cohort = _survivors.Count + 1;
        using var victim = new ParticipantProcess(Coordinator.Address, "victim", FashionMnist);
        await Sessions.WaitForParticipantsAsync(Coordinator.Admin, 784, 10, cohort, Ct);

        // The secure variant's key stages (15% and 30% of the round) must also fit a participant process starting cold.
        var deadline = secure ? 20 : DeadlineSeconds;
        var config = Sessions.Config(784, 10, rounds: 2, perRound: cohort, min: 2, deadline, hidden: 256, epochs: 3);
        if (secure)
        {
            // ρ = 0: a cohort this small cannot open beside 5% colluders of the population (c(n) ≥ its threshold).
            config.Privacy = new PrivacyConfig { EpsilonBudget = 100, Delta = 1e-5, NoiseMultiplier = 1.0, ClipNorm = 1, SamplingRate = 1.0, ColluderFraction = 0 };
        }
        var created = await Coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        await Coordinator.Admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);
        await victim.TrainingStarted.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        victim.Kill();

        var final = await Sessions.WatchUntilFinishedAsync(Coordinator.Admin, created.SessionId, TimeSpan.FromSeconds(90));

        Assert.Equal(SessionState.Completed, final.State);
        var first = await Coordinator.Admin.GetRoundAsync(new GetRoundRequest { SessionId = created.SessionId, Round = 1 }, cancellationToken: Ct);
        Assert.Equal(("committed", cohort, cohort - 1), (first.Outcome, first.ParticipantsSelected, first.ParticipantsAggregated));
        var roundSeconds = (first.CompletedAt.ToDateTimeOffset() - first.StartedAt.ToDateTimeOffset()).TotalSeconds;
        // A plain round waits for its deadline; a secure round closes the masked-input stage at 85% of it, then unmasks.
        Assert.InRange(roundSeconds, (secure ? 0.85 : 1.0) * deadline - 1, deadline + 10);
        var second = await Coordinator.Admin.GetRoundAsync(new GetRoundRequest { SessionId = created.SessionId, Round = 2 }, cancellationToken: Ct);
        Assert.Equal(("committed", cohort - 1), (second.Outcome, second.ParticipantsAggregated));
    }
}
