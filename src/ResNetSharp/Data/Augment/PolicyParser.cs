namespace ResNetSharp.Data.Augment;

/// <summary>The policy items of <see cref="Augmentation.Parse"/>: trivialaugment, randaugment[=N:M], autoaugment[=DATASET].</summary>
internal static class PolicyParser
{
    /// <summary>
    /// The policy <paramref name="name"/> (lower case) with its optional <paramref name="value"/> names; null when the
    /// name is not a policy; a bad value is one clear error quoting <paramref name="token"/>.
    /// </summary>
    public static AugmentPolicy? TryParse(string name, string? value, string token) => (name, value) switch
    {
        ("trivialaugment", null) => new TrivialAugmentWide(),
        ("trivialaugment", _) => throw new ResNetSharpException($"'{token}' takes no value: write 'trivialaugment'."),
        ("randaugment", null) => new RandAugment(),
        ("randaugment", _) => RandAugmentOf(value, token),
        ("autoaugment", null) => new AutoAugment(),
        ("autoaugment", _) => Enum.TryParse<AutoAugmentDataset>(value, ignoreCase: true, out var dataset) && !int.TryParse(value, out _)
            ? new AutoAugment(dataset)
            : throw new ResNetSharpException($"unknown AutoAugment policy in '{token}'; use autoaugment=imagenet, autoaugment=cifar10 or autoaugment=svhn."),
        _ => null,
    };

    private static RandAugment RandAugmentOf(string value, string token)
    {
        var parts = value.Split(':');
        return parts.Length == 2 && int.TryParse(parts[0], out int ops) && int.TryParse(parts[1], out int magnitude)
            ? new RandAugment(ops, magnitude)
            : throw new ResNetSharpException($"'{token}' is not randaugment=N:M; write e.g. randaugment=2:9 (2 ops per image at magnitude 9 of 0–30).");
    }
}
