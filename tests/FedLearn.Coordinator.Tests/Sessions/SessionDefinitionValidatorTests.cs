using System.Text.RegularExpressions;
using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Sessions;

namespace FedLearn.Coordinator.Tests.Sessions;

public sealed class SessionDefinitionValidatorTests
{
    private static readonly SessionDefinition Good = new(
        Name: "mnist-fedavg",
        Model: new ModelDefinition("mlp", 784, 10, [256], "relu"),
        Rounds: 20,
        ParticipantsPerRound: 10,
        MinParticipants: 5,
        LocalEpochs: 1,
        BatchSize: 32,
        LearningRate: 0.05,
        ServerLearningRate: 1.0,
        Seed: 0,
        RoundDeadlineSeconds: 120);

    [Fact]
    public void Validate_GoodDefinition_Accepts()
    {
        SessionDefinitionValidator.Validate(Good);
    }

    [Fact]
    public void Validate_BoundaryValues_Accepts()
    {
        SessionDefinitionValidator.Validate(Good with
        {
            Name = new string('n', 200),
            Model = new ModelDefinition("softmax", 1, 2, [], "relu"),
            Rounds = SessionDefinitionValidator.MaxRounds,
            ParticipantsPerRound = 1,
            MinParticipants = 1,
            LocalEpochs = 1000,
            BatchSize = 65_536,
            LearningRate = 100,
            ServerLearningRate = 100,
            RoundDeadlineSeconds = SessionDefinitionValidator.MaxDeadlineSeconds,
        });
    }

    [Theory]
    [InlineData("empty name", "name must")]
    [InlineData("blank name", "name must")]
    [InlineData("long name", "name must")]
    [InlineData("no model", "model is required")]
    [InlineData("unknown model kind", "model: ")]
    [InlineData("mlp without hidden layers", "model: ")]
    [InlineData("one class", "model: ")]
    [InlineData("unknown activation", "model: ")]
    [InlineData("zero rounds", "rounds must")]
    [InlineData("too many rounds", "rounds must")]
    [InlineData("zero participants per round", "participants_per_round must")]
    [InlineData("zero min participants", "min_participants must")]
    [InlineData("min above per round", "min_participants must")]
    [InlineData("zero local epochs", "local_epochs must")]
    [InlineData("too many local epochs", "local_epochs must")]
    [InlineData("zero batch size", "batch_size must")]
    [InlineData("huge batch size", "batch_size must")]
    [InlineData("zero learning rate", "learning_rate must")]
    [InlineData("negative learning rate", "learning_rate must")]
    [InlineData("NaN learning rate", "learning_rate must")]
    [InlineData("infinite learning rate", "learning_rate must")]
    [InlineData("huge learning rate", "learning_rate must")]
    [InlineData("zero server learning rate", "server_learning_rate must")]
    [InlineData("NaN server learning rate", "server_learning_rate must")]
    [InlineData("zero deadline", "round_deadline_seconds must")]
    [InlineData("deadline over a day", "round_deadline_seconds must")]
    [InlineData("negative update norm", "robustness.max_update_norm must")]
    [InlineData("NaN update norm", "robustness.max_update_norm must")]
    [InlineData("infinite update norm", "robustness.max_update_norm must")]
    [InlineData("unknown norm policy", "robustness.update_norm_policy must")]
    [InlineData("negative max examples", "robustness.max_examples_per_participant must")]
    [InlineData("max examples near overflow", "robustness.max_examples_per_participant must")]
    [InlineData("unknown aggregation", "robustness.aggregation must")]
    [InlineData("trim half", "robustness.trim_fraction must")]
    [InlineData("NaN trim", "robustness.trim_fraction must")]
    [InlineData("median with privacy", "robustness.aggregation median needs")]
    [InlineData("NaN dropout allowance", "privacy.dropout_allowance must be in")]
    [InlineData("dropout allowance above half", "privacy.dropout_allowance must be in")]
    [InlineData("negative dropout allowance", "privacy.dropout_allowance must be in")]
    [InlineData("dropout allowance with central noise", "privacy.dropout_allowance applies")]
    [InlineData("colluder fraction one half", "privacy.colluder_fraction must be in [0, 0.5)")]
    [InlineData("NaN colluder fraction", "privacy.colluder_fraction must be in [0, 0.5)")]
    [InlineData("negative colluder fraction", "privacy.colluder_fraction must be in [0, 0.5)")]
    [InlineData("colluder fraction with central noise", "privacy.colluder_fraction applies")]
    [InlineData("unknown server optimizer", "server_optimizer.kind must")]
    [InlineData("negative beta1", "server_optimizer.beta1 must")]
    [InlineData("beta1 one", "server_optimizer.beta1 must")]
    [InlineData("NaN beta2", "server_optimizer.beta2 must")]
    [InlineData("zero tau", "server_optimizer.tau must")]
    [InlineData("NaN tau", "server_optimizer.tau must")]
    [InlineData("beta2 for fedavgm", "server_optimizer.beta2 does not apply")]
    [InlineData("tau for fedavgm", "server_optimizer.tau does not apply")]
    [InlineData("beta1 for fedavg", "server_optimizer.beta1 does not apply")]
    [InlineData("beta2 for fedadagrad", "server_optimizer.beta2 does not apply")]
    [InlineData("negative proximal mu", "training.proximal_mu must")]
    [InlineData("NaN proximal mu", "training.proximal_mu must")]
    [InlineData("proximal step overshoots", "training.proximal_mu × training.learning_rate must")]
    [InlineData("proximal mu with DP-SGD", "training.proximal_mu is not supported together with example_privacy")]
    public void Validate_BadField_RejectsNamingTheField(string scenario, string expectedProblem)
    {
        var definition = Bad(scenario);

        var e = Assert.Throws<ArgumentException>(() => SessionDefinitionValidator.Validate(definition));

        // Each problem follows ": " or "; ", so "learning_rate must" does not match inside "server_learning_rate must".
        Assert.Matches($"(: |; ){Regex.Escape(expectedProblem)}", e.Message);
    }

    [Theory]
    [InlineData("fedavg", null, null, null)]
    [InlineData("FedAdam", 0.0, 0.0, 1e-9)]
    [InlineData("fedyogi", 0.99, 0.999, 0.1)]
    [InlineData("fedadagrad", 0.5, null, 1.0)]
    [InlineData("fedavgm", 0.0, null, null)]
    [InlineData("", null, null, null)]
    public void Validate_ServerOptimizerInRange_Accepts(string kind, double? beta1, double? beta2, double? tau)
    {
        SessionDefinitionValidator.Validate(Good with { ServerOptimizer = new ServerOptimizerDefinition(kind, beta1, beta2, tau), ProximalMu = 0.01 });
    }

    [Fact]
    public void Validate_SeveralBadFields_NamesEachOne()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            SessionDefinitionValidator.Validate(Good with { Name = "", BatchSize = 0, RoundDeadlineSeconds = 0 }));

        Assert.Contains("name must", e.Message, StringComparison.Ordinal);
        Assert.Contains("batch_size must", e.Message, StringComparison.Ordinal);
        Assert.Contains("round_deadline_seconds must", e.Message, StringComparison.Ordinal);
        Assert.DoesNotMatch("(: |; )rounds must", e.Message);
    }

    [Theory]
    [InlineData(RobustnessDefinition.Median)]
    [InlineData(RobustnessDefinition.TrimmedMean)]
    public void Validate_RobustAggregationWithExampleLevelPrivacyOnly_Accepts(string aggregation)
    {
        // Example-level DP happens on the participants; the coordinator still sees every update, so it may combine them robustly.
        SessionDefinitionValidator.Validate(Good with
        {
            Robustness = RobustnessDefinition.Default with { Aggregation = aggregation, UpdateNormPolicy = RobustnessDefinition.Clip },
            ExamplePrivacy = new ExamplePrivacyDefinition(4, 1e-5, "rdp", 0, 1.0, 64),
        });
    }

    [Fact]
    public void Validate_UnsetRobustnessMembers_TakeDefaults()
    {
        SessionDefinitionValidator.Validate(Good with { Robustness = new RobustnessDefinition(0, "", 0, "", 0) });

        Assert.Equal(RobustnessDefinition.Default, new RobustnessDefinition(0, " ", 0, "", 0).WithDefaults());
    }

    [Fact]
    public void Validate_SoftmaxWithoutActivation_AcceptedAndParsedAsParticipantsParseIt()
    {
        // A session the coordinator accepts must be one every participant can run: both read the model with ModelSpec.Parse.
        var definition = Good with { Model = new ModelDefinition("softmax", 784, 10, [], "") };

        SessionDefinitionValidator.Validate(definition);

        var coordinator = ModelSpecMapping.ToSpec(definition.Model);
        var participant = FedLearn.Training.ModelSpec.Parse("softmax", 784, 10, [], "");
        Assert.Equal(coordinator, participant);
    }

    [Fact]
    public void Validate_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => SessionDefinitionValidator.Validate(null!));
    }

    private static SessionDefinition Bad(string scenario) => scenario switch
    {
        "empty name" => Good with { Name = "" },
        "blank name" => Good with { Name = "   " },
        "long name" => Good with { Name = new string('n', 201) },
        "no model" => Good with { Model = null! },
        "unknown model kind" => Good with { Model = Good.Model with { Kind = "cnn" } },
        "mlp without hidden layers" => Good with { Model = Good.Model with { HiddenSizes = [] } },
        "one class" => Good with { Model = Good.Model with { NumClasses = 1 } },
        "unknown activation" => Good with { Model = Good.Model with { Activation = "gelu" } },
        "zero rounds" => Good with { Rounds = 0 },
        "too many rounds" => Good with { Rounds = SessionDefinitionValidator.MaxRounds + 1 },
        "zero participants per round" => Good with { ParticipantsPerRound = 0 },
        "zero min participants" => Good with { MinParticipants = 0 },
        "min above per round" => Good with { MinParticipants = Good.ParticipantsPerRound + 1 },
        "zero local epochs" => Good with { LocalEpochs = 0 },
        "too many local epochs" => Good with { LocalEpochs = 1001 },
        "zero batch size" => Good with { BatchSize = 0 },
        "huge batch size" => Good with { BatchSize = 65_537 },
        "zero learning rate" => Good with { LearningRate = 0 },
        "negative learning rate" => Good with { LearningRate = -0.1 },
        "NaN learning rate" => Good with { LearningRate = double.NaN },
        "infinite learning rate" => Good with { LearningRate = double.PositiveInfinity },
        "huge learning rate" => Good with { LearningRate = 100.5 },
        "zero server learning rate" => Good with { ServerLearningRate = 0 },
        "NaN server learning rate" => Good with { ServerLearningRate = double.NaN },
        "zero deadline" => Good with { RoundDeadlineSeconds = 0 },
        "deadline over a day" => Good with { RoundDeadlineSeconds = SessionDefinitionValidator.MaxDeadlineSeconds + 1 },
        "negative update norm" => Good with { Robustness = RobustnessDefinition.Default with { MaxUpdateNorm = -1 } },
        "NaN update norm" => Good with { Robustness = RobustnessDefinition.Default with { MaxUpdateNorm = double.NaN } },
        "infinite update norm" => Good with { Robustness = RobustnessDefinition.Default with { MaxUpdateNorm = double.PositiveInfinity } },
        "unknown norm policy" => Good with { Robustness = RobustnessDefinition.Default with { UpdateNormPolicy = "ignore" } },
        "negative max examples" => Good with { Robustness = RobustnessDefinition.Default with { MaxExamplesPerParticipant = -1 } },
        "max examples near overflow" => Good with { Robustness = RobustnessDefinition.Default with { MaxExamplesPerParticipant = long.MaxValue } },
        "unknown aggregation" => Good with { Robustness = RobustnessDefinition.Default with { Aggregation = "krum" } },
        "trim half" => Good with { Robustness = RobustnessDefinition.Default with { TrimFraction = 0.5 } },
        "NaN trim" => Good with { Robustness = RobustnessDefinition.Default with { TrimFraction = double.NaN } },
        "median with privacy" => Good with
        {
            Robustness = RobustnessDefinition.Default with { Aggregation = RobustnessDefinition.Median },
            Privacy = new PrivacyDefinition(4, 1e-5, "rdp", 1.0, 1.0, 0.5),
        },
        "NaN dropout allowance" => Good with { Privacy = new PrivacyDefinition(4, 1e-5, "rdp", 1.0, 1.0, 0.5, DropoutAllowance: double.NaN) },
        "dropout allowance above half" => Good with { Privacy = new PrivacyDefinition(4, 1e-5, "rdp", 1.0, 1.0, 0.5, DropoutAllowance: 0.51) },
        "negative dropout allowance" => Good with { Privacy = new PrivacyDefinition(4, 1e-5, "rdp", 1.0, 1.0, 0.5, DropoutAllowance: -0.1) },
        "colluder fraction one half" => Good with { Privacy = new PrivacyDefinition(4, 1e-5, "rdp", 1.0, 1.0, 0.5, ColluderFraction: 0.5) },
        "NaN colluder fraction" => Good with { Privacy = new PrivacyDefinition(4, 1e-5, "rdp", 1.0, 1.0, 0.5, ColluderFraction: double.NaN) },
        "negative colluder fraction" => Good with { Privacy = new PrivacyDefinition(4, 1e-5, "rdp", 1.0, 1.0, 0.5, ColluderFraction: -0.01) },
        "colluder fraction with central noise" => Good with
        {
            Privacy = new PrivacyDefinition(4, 1e-5, "rdp", 1.0, 1.0, 0.5, CentralNoise: true, ColluderFraction: 0.05),
        },
        "dropout allowance with central noise" => Good with
        {
            Privacy = new PrivacyDefinition(4, 1e-5, "rdp", 1.0, 1.0, 0.5, CentralNoise: true, DropoutAllowance: 0.1),
        },
        "unknown server optimizer" => Good with { ServerOptimizer = new ServerOptimizerDefinition("fedsgd") },
        "negative beta1" => Good with { ServerOptimizer = new ServerOptimizerDefinition("fedadam", Beta1: -0.1) },
        "beta1 one" => Good with { ServerOptimizer = new ServerOptimizerDefinition("fedavgm", Beta1: 1) },
        "NaN beta2" => Good with { ServerOptimizer = new ServerOptimizerDefinition("fedyogi", Beta2: double.NaN) },
        "zero tau" => Good with { ServerOptimizer = new ServerOptimizerDefinition("fedadam", Tau: 0) },
        "NaN tau" => Good with { ServerOptimizer = new ServerOptimizerDefinition("fedadagrad", Tau: double.NaN) },
        "beta2 for fedavgm" => Good with { ServerOptimizer = new ServerOptimizerDefinition("fedavgm", Beta2: 0.99) },
        "tau for fedavgm" => Good with { ServerOptimizer = new ServerOptimizerDefinition("fedavgm", Tau: 0.01) },
        "beta1 for fedavg" => Good with { ServerOptimizer = new ServerOptimizerDefinition("fedavg", Beta1: 0.9) },
        "beta2 for fedadagrad" => Good with { ServerOptimizer = new ServerOptimizerDefinition("fedadagrad", Beta2: 0.9) },
        "negative proximal mu" => Good with { ProximalMu = -0.01 },
        "NaN proximal mu" => Good with { ProximalMu = double.NaN },
        "proximal step overshoots" => Good with { ProximalMu = 20, LearningRate = 0.05 },
        "proximal mu with DP-SGD" => Good with { ProximalMu = 0.01, ExamplePrivacy = new ExamplePrivacyDefinition(4, 1e-5, "rdp", 0, 1.0, 64) },
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "unknown scenario"),
    };
}
