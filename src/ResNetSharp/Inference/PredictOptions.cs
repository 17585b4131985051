using ResNetSharp.Settings;

namespace ResNetSharp.Inference;

/// <summary>What <c>resnet predict</c> classifies with and how: the model, the top-k, and the engine and run settings.</summary>
public sealed record PredictOptions
{
    /// <summary>The classifier: a checkpoint, a named model with weights, or an ONNX model file.</summary>
    [SettingsGroup]
    public ModelSource Source { get; init; } = new();

    /// <summary>Classes shown per image, most probable first (default 5).</summary>
    [Setting("topk", "How many classes to show per image.")]
    public int TopK { get; init; } = 5;

    /// <summary>Device, batch size (default 32), pixel limit and JSON output; predict keeps the layout its engine chooses (<see cref="InferenceSettings.ChannelsLast"/> unused).</summary>
    [SettingsGroup]
    public InferenceSettings Run { get; init; } = new();

    /// <summary>The engine (default auto) and the fused path; predict runs in fp32 (<see cref="EngineSettings.Precision"/> unused).</summary>
    [SettingsGroup]
    public EngineSettings Engine { get; init; } = new(Engines.EngineKind.Auto);

    /// <summary>Throws a <see cref="ResNetSharpException"/> naming the first bad setting; returns the engine settings in effect.</summary>
    public EngineSettings Validate()
    {
        CheckTopK(TopK);
        Run.Validate();
        return Engine.Validate();
    }

    /// <summary>The one check of a top-k (<see cref="TopK"/>, and <see cref="Predictor.Predict(IEnumerable{string}, int, int)"/>'s).</summary>
    public static void CheckTopK(int k)
    {
        if (k < 1) throw new ResNetSharpException($"PredictOptions.TopK must be at least 1, not {k}.");
    }
}
