namespace FedLearn.Coordinator.Grains.Optimization;

/// <summary>
/// What a server optimizer carries from round to round, checkpointed with each committed round's model in PostgreSQL
/// (table server_optimizer_states) so that a restarted coordinator resumes exactly: the number of steps taken (rounds
/// whose aggregate moved the model), the first moment m (FedAvgM's momentum buffer) and the second moment v, each one
/// float32 per parameter or null when the optimizer has none.
/// </summary>
public sealed record ServerOptimizerState(long Steps, float[]? FirstMoment, float[]? SecondMoment)
{
    /// <summary>Checks the state fits a model of <paramref name="parameterCount"/> and holds only finite numbers (v ≥ 0).</summary>
    /// <exception cref="InvalidDataException">It does not: a stored state that does not fit is never used.</exception>
    public void Validate(int parameterCount, bool hasFirstMoment, bool hasSecondMoment)
    {
        if (Steps < 0)
        {
            throw new InvalidDataException($"The server optimizer's step count is negative ({Steps}).");
        }
        Check(FirstMoment, hasFirstMoment, "first moment", parameterCount, allowNegative: true);
        Check(SecondMoment, hasSecondMoment, "second moment", parameterCount, allowNegative: false);
    }

    private static void Check(float[]? moment, bool expected, string name, int parameterCount, bool allowNegative)
    {
        if (moment is null != !expected)
        {
            throw new InvalidDataException($"The server optimizer's state {(expected ? "lacks" : "has an unexpected")} {name}.");
        }
        if (moment is null)
        {
            return;
        }
        if (moment.Length != parameterCount)
        {
            throw new InvalidDataException($"The server optimizer's {name} has {moment.Length} values; the model has {parameterCount}.");
        }
        foreach (var value in moment)
        {
            if (!float.IsFinite(value) || (!allowNegative && value < 0))
            {
                throw new InvalidDataException($"The server optimizer's {name} holds {value}; refusing to use it.");
            }
        }
    }
}
