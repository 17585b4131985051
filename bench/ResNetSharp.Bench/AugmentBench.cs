using System.Diagnostics;
using ResNetSharp.Data;
using ResNetSharp.Data.Augment;
using ResNetSharp.Data.Transforms;
using static TorchSharp.torch;

namespace ResNetSharp.Bench;

/// <summary>
/// The cost of the per-image policies and random erasing in <see cref="BatchAugmenter"/> on the CPU device: each
/// --augment setting (options: --batch N, default 256; --size S, default 32; --rounds N, default 5) runs one batch
/// per round, the settings interleaved so that load on the machine hits them alike; the median ms per batch and its
/// ratio to "standard" (crop + flip + normalise) are printed; then each op alone on the whole batch.
/// </summary>
internal static class AugmentBench
{
    private static readonly string[] Settings =
        ["standard", "standard,erasing=0.25", "standard,trivialaugment", "standard,randaugment=2:9", "standard,autoaugment=imagenet"];

    public static void Run(string[] args)
    {
        int batch = DataLoadingBench.Option(args, "--batch", 256), size = DataLoadingBench.Option(args, "--size", 32);
        int rounds = DataLoadingBench.Option(args, "--rounds", 5);
        Console.WriteLine($"cores: {Environment.ProcessorCount}, torch threads: {get_num_threads()}, batch {batch}×3×{size}×{size} uint8");
        using var images = randint(0, 256, [batch, 3, size, size], generator: new Generator(1)).to(ScalarType.Byte);
        using var labels = zeros(batch, int64);
        var augmenters = Settings.Select(s => new BatchAugmenter(Augmentation.Parse(s), allowFlip: true, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f])).ToArray();
        var times = Settings.Select(_ => new List<double>()).ToArray();
        for (int round = -1; round < rounds; round++)   // round -1 warms up
            for (int i = 0; i < augmenters.Length; i++)
            {
                using var generator = new Generator((ulong)round + 10);
                var watch = Stopwatch.StartNew();
                using (augmenters[i].Apply(images, labels, generator)) { }
                if (round >= 0) times[i].Add(watch.Elapsed.TotalMilliseconds);
            }
        double baseline = Median(times[0]);
        for (int i = 0; i < Settings.Length; i++)
            Console.WriteLine($"{Settings[i],-32} {Median(times[i]),8:F1} ms/batch  {Median(times[i]) / baseline,6:F2}× standard  {batch / Median(times[i]) * 1000,8:F0} images/s");
        var magnitudes = Enumerable.Repeat(0.5, batch).ToArray();
        foreach (var op in Enum.GetValues<AugmentOp>())
        {
            var watch = Stopwatch.StartNew();
            for (int r = 0; r < rounds; r++)
                using (AugmentOps.Apply(op, images, op == AugmentOp.Posterize ? [.. magnitudes.Select(_ => 4.0)] : magnitudes)) { }
            Console.WriteLine($"  {op,-14} {watch.Elapsed.TotalMilliseconds / rounds,8:F1} ms/batch");
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
