using FedLearn.Training;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>Turns the grains' <see cref="ModelDefinition"/> into the training library's validated <see cref="ModelSpec"/>.</summary>
public static class ModelSpecMapping
{
    /// <exception cref="ArgumentException">The model definition is invalid.</exception>
    public static ModelSpec ToSpec(ModelDefinition model)
    {
        // The same parsing the participants apply to a round task's model (an empty activation means relu on both sides).
        ArgumentNullException.ThrowIfNull(model);
        return ModelSpec.Parse(model.Kind ?? "", model.InputSize, model.NumClasses, model.HiddenSizes ?? [], model.Activation);
    }
}
