using ResNetSharp.Settings;

namespace ResNetSharp.Models;

/// <summary>What <c>resnet summary</c> shows: a named model, its classifier outputs and input size.</summary>
public sealed record SummaryOptions
{
    /// <summary>A named model (<see cref="ModelZoo"/>).</summary>
    [Setting("model", "A named model (see 'resnet models').", Required = true)]
    public string? Model { get; init; }

    /// <summary>Classifier outputs; null: the model's.</summary>
    [Setting("num-classes", "Classifier outputs (default: the model's).")]
    public int? NumClasses { get; init; }

    /// <summary>The input as <c>CxHxW</c> (<see cref="InputShape.Parse"/>); null: the model's (<see cref="InputShape.For"/>).</summary>
    [Setting("input-size", "Input image CxHxW (default 3x224x224 for ImageNet nets, 3x32x32 for CIFAR nets).")]
    public string? InputSize { get; init; }

    /// <summary>Throws a <see cref="ResNetSharpException"/> naming the first bad setting; returns the model's name and the input shape (null: the model's).</summary>
    public (string Model, InputShape? Input) Validate() =>
        (Model ?? throw new ResNetSharpException("SummaryOptions.Model is required: a named model (see 'resnet models')."),
         InputSize is { } text ? InputShape.Parse(text) : null);
}
