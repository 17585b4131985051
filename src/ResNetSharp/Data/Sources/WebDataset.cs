using ResNetSharp.Data.Loading;
using TorchSharp;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// <c>wds:DIR</c>: WebDataset tar shards, DIR/train-*.tar and DIR/val-*.tar (see <see cref="WebDatasetShards"/>), with
/// the class names in DIR/classes.txt (one per line, line i naming class index i). Images stream at the input side
/// (default 224) with ImageNet normalisation through <see cref="WebDatasetLoader"/>, split across ranks by a
/// <see cref="Distributed.DistributedSampler"/> when one is given.
/// </summary>
public static class WebDataset
{
    /// <summary>The file with the class names.</summary>
    public const string ClassesFile = "classes.txt";

    /// <summary>The shards of one split, sorted by name.</summary>
    public static IReadOnlyList<string> Shards(string dir, Split split) => Directory.Exists(dir)
        ? [.. Directory.GetFiles(dir, $"{(split == Split.Train ? "train" : "val")}-*.tar").Order(StringComparer.Ordinal)]
        : [];

    /// <summary>Opens DIR; <paramref name="imageSize"/> is the input side (default 224).</summary>
    public static DataSource Open(string dir, int? imageSize, float cropFraction, LoaderSettings? loader)
    {
        string classesFile = Path.Combine(dir, ClassesFile);
        if (!File.Exists(classesFile))
            throw new ResNetSharpException($"'{classesFile}' does not exist; a wds:DIR dataset needs classes.txt (one class name per line) beside its train-*.tar and val-*.tar shards.");
        var classes = File.ReadAllLines(classesFile).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (classes.Count == 0) throw new ResNetSharpException($"'{classesFile}' names no classes; write one class name per line.");
        if (Shards(dir, Split.Val).Count == 0 && Shards(dir, Split.Train).Count == 0)
            throw new ResNetSharpException($"'{dir}' has no train-*.tar or val-*.tar shards; write them with 'resnet data pack folder:DIR' (PackOptions.Out {dir}).");
        if (imageSize is < 8) throw new ResNetSharpException($"image size must be at least 8 pixels, not {imageSize}.");
        return new Source(dir, classes, imageSize ?? ImageFolder.DefaultSize, cropFraction, (loader ?? LoaderSettings.Default).Validate());
    }

    private sealed class Source(string dir, IReadOnlyList<string> classes, int size, float cropFraction, LoaderSettings settings) : DataSource
    {
        public override string Name => "wds";
        public override IReadOnlyList<string> Classes => classes;
        public override (int Channels, int Height, int Width) InputSize => (3, size, size);
        public override float[] Mean => ImageFolder.ImageNetMean;
        public override float[] Std => ImageFolder.ImageNetStd;
        public override bool AllowFlip => true;

        public override IDataLoader CreateLoader(Split split, int batchSize, torch.Device device, int seed, Augmentation augment,
            Distributed.DistributedSampler? sampler = null)
        {
            var shards = Shards(dir, split);
            if (shards.Count == 0)
                throw new ResNetSharpException($"'{dir}' has no {(split == Split.Train ? "train" : "val")}-*.tar shards; write them with 'resnet data pack folder:DIR' (PackOptions.Out {dir}).");
            return new WebDatasetLoader(shards, classes.Count, split, size, batchSize, device, seed, augment, Mean, Std, cropFraction, settings, sampler);
        }
    }
}
