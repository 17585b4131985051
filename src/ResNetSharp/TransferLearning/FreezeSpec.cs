
namespace ResNetSharp.TransferLearning;

/// <summary>
/// Which part of a ResNet to freeze for fine-tuning: nothing (<c>none</c>), everything but the classifier
/// (<c>backbone</c>), or the stem and stages 1..N (<c>until:layerN</c>).
/// </summary>
public sealed record FreezeSpec
{
    /// <summary>Freeze nothing.</summary>
    public static readonly FreezeSpec None = new(0, false);
    /// <summary>Freeze everything except the classifier <c>fc</c>.</summary>
    public static readonly FreezeSpec Backbone = new(0, true);

    /// <summary>Freeze the stem (conv1, bn1) and stages layer1..layer<paramref name="stage"/>.</summary>
    public static FreezeSpec UntilStage(int stage) =>
        stage >= 1 ? new(stage, false) : throw new ResNetSharpException($"until:layer{stage} is not a stage: stages are numbered from 1 (until:layer1, until:layer2, ...).");

    /// <summary>The last frozen stage for <c>until:layerN</c>, else 0.</summary>
    public int UntilLayer { get; }
    /// <summary>True for <c>backbone</c>.</summary>
    public bool WholeBackbone { get; }

    private FreezeSpec(int untilLayer, bool wholeBackbone) => (UntilLayer, WholeBackbone) = (untilLayer, wholeBackbone);

    /// <summary>Parses <c>none</c>, <c>backbone</c> or <c>until:layerN</c>.</summary>
    public static FreezeSpec Parse(string text)
    {
        string s = text.Trim().ToLowerInvariant();
        if (s == "none") return None;
        if (s == "backbone") return Backbone;
        if (s.StartsWith("until:layer") && int.TryParse(s["until:layer".Length..], out int n)) return UntilStage(n);
        throw new ResNetSharpException($"unknown freeze setting '{text}': use none, backbone or until:layerN (e.g. until:layer3).");
    }

    /// <summary>Whether the parameter or buffer with this state_dict name (e.g. <c>layer2.0.bn1.weight</c>) is frozen.</summary>
    public bool Freezes(string name)
    {
        string top = name.Split('.')[0];
        if (WholeBackbone) return top != "fc";
        if (top is "conv1" or "bn1") return UntilLayer > 0;
        return top.StartsWith("layer") && int.TryParse(top["layer".Length..], out int stage) && stage <= UntilLayer;
    }

    public override string ToString() => WholeBackbone ? "backbone" : UntilLayer == 0 ? "none" : $"until:layer{UntilLayer}";
}
