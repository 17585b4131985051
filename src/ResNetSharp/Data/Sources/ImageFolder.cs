using ResNetSharp.Data.Images;
using ResNetSharp.Data.Loading;
using ResNetSharp.Data.Transforms;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// The ImageFolder layout: DIR/train/CLASS/*.jpg|png…, DIR/val/CLASS/*; class names are the sorted folder names
/// (ordinal), the same for both splits. Without train/, only evaluation works (e.g. ImageNet's validation set alone). Files with other extensions are ignored, as torchvision does.
/// Small images (the first 32 training files all one size of at most 64 px) are decoded once into memory and
/// augmented like CIFAR; anything else streams from disk at <c>imageSize</c> (default 224) through
/// <see cref="StreamingLoader"/> with ImageNet normalisation.
/// </summary>
public static class ImageFolder
{
    /// <summary>Largest side of images treated as a small-image dataset and held in memory.</summary>
    public const int SmallImageMax = 64;

    /// <summary>Default input side for ImageNet-style data.</summary>
    public const int DefaultSize = 224;

    // torchvision's ImageNet normalisation (torchvision.transforms docs and reference training scripts).
    internal static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f], ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>One split's files and labels.</summary>
    public sealed record Listing(IReadOnlyList<string> Files, IReadOnlyList<int> Labels);

    /// <summary>
    /// Opens DIR; <paramref name="imageSize"/> forces the input side (and the streaming path for large images), whose
    /// validation images are resized to imageSize / <paramref name="cropFraction"/> before the centre crop.
    /// </summary>
    public static DataSource Open(string dir, int? imageSize = null, float cropFraction = ImageTransforms.CenterCropFraction, LoaderSettings? loader = null)
    {
        var (valClasses, val) = Scan(dir, "val");
        (List<string> classes, Listing? train) = Directory.Exists(Path.Combine(dir, "train")) ? Scan(dir, "train") : (valClasses, null);
        if (!classes.SequenceEqual(valClasses))
            throw new ResNetSharpException(
                $"'{dir}': train and val have different classes (only in train: {string.Join(", ", classes.Except(valClasses).DefaultIfEmpty("none"))}; " +
                $"only in val: {string.Join(", ", valClasses.Except(classes).DefaultIfEmpty("none"))}); give both splits the same class folders.");
        Listing Get(Split split) => (split == Split.Train ? train : val) ?? throw new ResNetSharpException(
            $"missing folder '{Path.Combine(dir, "train")}': training (and the normalisation of small images) needs train/CLASS/IMAGE files; evaluation of large images needs only val/.");
        var size = SmallSize(train ?? val);
        if (size is { } s && (imageSize is null || imageSize == s.Width && s.Width == s.Height))
            return new InMemoryDataSource("folder", classes, split => LoadAll(Get(split), s.Width, s.Height));
        if (imageSize is < 8)
            throw new ResNetSharpException($"image size must be at least 8 pixels, not {imageSize}.");
        return new StreamingDataSource(classes, Get, imageSize ?? DefaultSize, ImageNetMean, ImageNetStd, cropFraction, (loader ?? LoaderSettings.Default).Validate());
    }

    /// <summary>The sorted class folders of DIR/<paramref name="split"/> and its image files with their labels.</summary>
    internal static (List<string> Classes, Listing Listing) Scan(string dir, string split)
    {
        string root = Path.Combine(dir, split);
        if (!Directory.Exists(root))
            throw new ResNetSharpException($"missing folder '{root}'; a folder dataset needs {split}/CLASS/IMAGE files (ImageFolder layout).");
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        if (classes.Count == 0)
            throw new ResNetSharpException($"'{root}' has no class folders; put each class's images in {split}/CLASS/.");
        var files = new List<string>();
        var labels = new List<int>();
        for (int label = 0; label < classes.Count; label++)
        {
            string folder = Path.Combine(root, classes[label]);
            var images = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => ImageFiles.Extensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal).ToList();
            if (images.Count == 0)
                throw new ResNetSharpException($"class folder '{folder}' has no images (JPEG, PNG, BMP, GIF, WebP); add some or remove it.");
            files.AddRange(images);
            labels.AddRange(Enumerable.Repeat(label, images.Count));
        }
        return (classes, new Listing(files, labels));
    }

    /// <summary>A split's files and labels, in the order its loader yields them unshuffled (class folders, then file names, ordinal).</summary>
    public static Listing List(string dir, Split split) => Scan(dir, split == Split.Train ? "train" : "val").Listing;

    /// <summary>The common size of the first training images when they are all equal and small, else null.</summary>
    private static (int Width, int Height)? SmallSize(Listing train)
    {
        var sizes = train.Files.Take(32).Select(ImageFiles.ReadSize).Distinct().ToList();
        return sizes is [var s] && Math.Max(s.Width, s.Height) <= SmallImageMax ? s : null;
    }

    private static LabelledImages LoadAll(Listing listing, int width, int height)
    {
        int plane = 3 * width * height;
        var pixels = new byte[(long)listing.Files.Count * plane];
        Workers.For(listing.Files.Count, i =>
        {
            string file = listing.Files[i];
            using var bitmap = ImageFiles.Decode(file);
            if (bitmap.Width != width || bitmap.Height != height)
                throw new ResNetSharpException(
                    $"'{file}' is {bitmap.Width}x{bitmap.Height} but this small-image folder's images are {width}x{height}; resize it or pass an image size.");
            Transforms.ImageTransforms.ToChw(bitmap).CopyTo(pixels, (long)i * plane);
        });
        return new LabelledImages(pixels, [.. listing.Labels.Select(l => (long)l)], 3, height, width);
    }
}
