namespace ResNetSharp.Evaluation;

/// <summary>
/// Test-time augmentation in <see cref="Evaluator.Run"/>: the views of each image whose softmax probabilities are
/// averaged into its prediction (Simonyan &amp; Zisserman 2015's flip averaging; timm's <c>--tta</c> averages logits
/// instead, which ranks classes differently only when the views disagree in confidence).
/// </summary>
public enum TestTimeAugmentation
{
    /// <summary>The image alone.</summary>
    None,

    /// <summary>The image and its left-right mirror image, probabilities averaged.</summary>
    Flip,
}

/// <summary>The text forms of <see cref="TestTimeAugmentation"/>.</summary>
public static class TestTimeAugmentations
{
    /// <summary>Parses "none" or "flip" (any case); anything else is one clear error.</summary>
    public static TestTimeAugmentation Parse(string text) =>
        Enum.TryParse<TestTimeAugmentation>(text, ignoreCase: true, out var tta) && !int.TryParse(text, out _)
            ? tta : throw new ResNetSharpException($"unknown test-time augmentation '{text}'; use 'none' or 'flip' (average the image's and its mirror image's probabilities).");
}
