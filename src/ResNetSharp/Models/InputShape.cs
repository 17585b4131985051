using System.Globalization;

namespace ResNetSharp.Models;

/// <summary>The shape of one input image, channels x height x width (e.g. <c>3x224x224</c>).</summary>
public readonly record struct InputShape(int Channels, int Height, int Width)
{
    /// <summary>The largest side accepted, so that a typo cannot ask for terabytes of activations.</summary>
    public const int MaxSide = 8192;

    /// <summary>The natural input of a configuration: 224x224 for an ImageNet stem, 32x32 for a CIFAR stem.</summary>
    public static InputShape For(ResNetConfig config) => config.Stem == StemKind.Cifar
        ? new(config.InChannels, 32, 32)
        : new(config.InChannels, 224, 224);

    /// <summary>Parses <c>CxHxW</c>; anything else is a <see cref="ResNetSharpException"/> saying what is expected.</summary>
    public static InputShape Parse(string text)
    {
        var parts = (text ?? "").Trim().ToLowerInvariant().Split('x');
        var sides = new int[3];
        bool ok = parts.Length == 3;
        for (int i = 0; ok && i < 3; i++)
            ok = int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sides[i]) && sides[i] >= 1 && sides[i] <= MaxSide;
        if (!ok)
            throw new ResNetSharpException($"malformed input size '{text}': write channels x height x width as three positive whole numbers up to {MaxSide}, e.g. 3x224x224.");
        return new(sides[0], sides[1], sides[2]);
    }

    /// <summary>The shape of a batch of such images: [batch, C, H, W].</summary>
    public long[] Batch(long batch) => [batch, Channels, Height, Width];

    /// <inheritdoc/>
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
