namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>Why a private session may not take its next step: over the budget, or a cost that cannot be computed.</summary>
public sealed record StepRefusal(bool OverBudget, string Reason);
