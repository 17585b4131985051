using ResNetSharp.Inference;
using ResNetSharp.Settings;

namespace ResNetSharp.Explain;

/// <summary>
/// What <c>resnet explain</c> explains and how: the model (a TorchSharp one: Grad-CAM needs autograd), the classes,
/// the method and target layer, and where the overlays go.
/// </summary>
public sealed record ExplainOptions
{
    /// <summary>The classifier: a checkpoint or a named model with weights (<see cref="ModelSource.ModelFile"/> unused: ONNX has no autograd).</summary>
    [SettingsGroup]
    public ModelSource Source { get; init; } = new();

    /// <summary>The class (index or label) explained for every image; null: each image's predicted class.</summary>
    [Setting("class", "Explain this class (index or label) for every image; default: each image's predicted class.")]
    public string? Class { get; init; }

    /// <summary>Explain each image's N most likely classes; null: one (or <see cref="Class"/>).</summary>
    [Setting("topk", "Explain each image's N most likely classes (one overlay each).")]
    public int? TopK { get; init; }

    /// <summary>Grad-CAM (default) or Grad-CAM++.</summary>
    [Setting("method", "gradcam or gradcam++.")]
    public CamMethod Method { get; init; } = CamMethod.GradCam;

    /// <summary>The target layer, a stage or a block (<see cref="GradCam.LayerNames"/>); null: the last stage.</summary>
    [Setting("layer", "Target layer: a stage (layer4: its last block's output, torchvision's layer4[-1]) or a block (layer4.1); default: the last stage.")]
    public string? Layer { get; init; }

    /// <summary>The directory the overlays are written to.</summary>
    [Setting("out", "Directory for the overlays (IMAGE-stem.CLASS.png).")]
    public string Out { get; init; } = "explain";

    /// <summary>The colour map's opacity over the image, in [0, 1].</summary>
    [Setting("alpha", "Opacity of the colour map over the image, in [0, 1].")]
    public double Alpha { get; init; } = 0.5;

    /// <summary>Device, pixel limit and JSON output (<see cref="InferenceSettings.BatchSize"/> and <see cref="InferenceSettings.ChannelsLast"/> unused).</summary>
    [SettingsGroup]
    public InferenceSettings Run { get; init; } = new();

    /// <summary>Throws a <see cref="ResNetSharpException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (TopK is not null && Class is not null) throw new ResNetSharpException("give ExplainOptions.Class or ExplainOptions.TopK, not both.");
        if (TopK < 1) throw new ResNetSharpException($"ExplainOptions.TopK must be at least 1, not {TopK}.");
        CamOverlay.CheckAlpha(Alpha);
        Run.Validate();
    }

    /// <summary>Parses <c>gradcam</c> or <c>gradcam++</c>.</summary>
    public static CamMethod ParseMethod(string text) => text.Trim().ToLowerInvariant() switch
    {
        "gradcam" => CamMethod.GradCam,
        "gradcam++" => CamMethod.GradCamPlusPlus,
        _ => throw new ResNetSharpException($"unknown Grad-CAM method '{text}': use gradcam or gradcam++."),
    };
}
