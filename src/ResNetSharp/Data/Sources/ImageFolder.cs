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
        var settings = (loader ?? LoaderSettings.Default).Validate();
        var size = SmallSize(train ?? val, settings.OnBadImage);
        if (size is { } s && (imageSize is null || imageSize == s.Width && s.Width == s.Height))
            return new InMemoryDataSource("folder", classes,
                split => LoadAll(Get(split), Path.Combine(dir, split == Split.Train ? "train" : "val"), classes, s.Width, s.Height, settings));
        if (imageSize is < 8)
            throw new ResNetSharpException($"image size must be at least 8 pixels, not {imageSize}.");
        return new StreamingDataSource(classes, Get, imageSize ?? DefaultSize, ImageNetMean, ImageNetStd, cropFraction, settings);
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

    /// <summary>
    /// The common size of the first training images when they are all equal and small, else null. With
    /// <see cref="BadImagePolicy.Skip"/> unreadable headers are passed over (the loader reports them); else they are an error.
    /// </summary>
    private static (int Width, int Height)? SmallSize(Listing train, BadImagePolicy policy)
    {
        var sizes = train.Files.Select(f => TryReadSize(f, policy)).OfType<(int Width, int Height)>().Take(32).Distinct().ToList();
        return sizes is [var s] && Math.Max(s.Width, s.Height) <= SmallImageMax ? s : null;
    }

    private static (int Width, int Height)? TryReadSize(string file, BadImagePolicy policy)
    {
        try
        {
            return ImageFiles.ReadSize(file);
        }
        catch (ResNetSharpException) when (policy == BadImagePolicy.Skip)
        {
            return null;
        }
    }

    /// <summary>
    /// Decodes a split of small images into memory. A bad file (undecodable, truncated, or not width x height) is an
    /// error naming it, or with <see cref="BadImagePolicy.Skip"/> left out, warned about once and counted in
    /// <see cref="LabelledImages.BadImages"/>; a class left without images is an error.
    /// </summary>
    private static LabelledImages LoadAll(Listing listing, string root, IReadOnlyList<string> classes, int width, int height, LoaderSettings settings)
    {
        int plane = 3 * width * height, count = listing.Files.Count;
        var pixels = new byte[(long)count * plane];
        var errors = new string?[count];
        ParallelLoop.For(count, i =>
        {
            try
            {
                DecodeInto(listing.Files[i], width, height, pixels, (long)i * plane);
            }
            catch (ResNetSharpException e) when (settings.OnBadImage == BadImagePolicy.Skip)
            {
                errors[i] = e.Message;
            }
        });
        var bad = new BadImageLog();
        var labels = new List<long>(count);
        for (int i = 0; i < count; i++)
        {
            if (errors[i] is { } message)
            {
                bad.Report(listing.Files[i], message, settings.Warn);
                continue;
            }
            Array.Copy(pixels, (long)i * plane, pixels, (long)labels.Count * plane, plane);   // keep the good images in order
            labels.Add(listing.Labels[i]);
        }
        var kept = labels.ToHashSet();
        foreach (int label in listing.Labels.Distinct().Where(l => !kept.Contains(l)))
            throw new ResNetSharpException(
                $"every image of class '{classes[label]}' in '{Path.Combine(root, classes[label])}' is bad and was skipped; replace them, or remove the class folder from train/ and val/.");
        if (labels.Count < count) Array.Resize(ref pixels, labels.Count * plane);
        return new LabelledImages(pixels, [.. labels], 3, height, width) { BadImages = bad.Count };
    }

    /// <summary>
    /// Decodes one file into <paramref name="pixels"/> at <paramref name="offset"/> as CHW bytes; a missing,
    /// undecodable or truncated file, or one of another size, is an error naming it.
    /// </summary>
    private static void DecodeInto(string file, int width, int height, byte[] pixels, long offset)
    {
        using var bitmap = ImageFiles.Decode(file);
        if (bitmap.Width != width || bitmap.Height != height)
            throw new ResNetSharpException(
                $"'{file}' is {bitmap.Width}x{bitmap.Height} but this small-image folder's images are {width}x{height}; resize it or pass an image size.");
        ImageTransforms.ToChw(bitmap).CopyTo(pixels, offset);
    }
}
