using static TorchSharp.torch;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// The built-in "synthetic" dataset: procedurally drawn 32×32 RGB images of 10 classes — five shapes (circle, square,
/// triangle, cross, ring) and five textures (horizontal stripes, vertical stripes, checkerboard, dots, gradient).
/// Every image has random foreground and background colours (so colour says nothing about the class), random
/// position, scale, rotation (±0.3 rad; any direction for the gradient), texture period and phase, soft edges
/// and uniform pixel noise. A small conv net learns it in a few epochs; a linear model on pixels cannot.
/// Image i of a split depends only on (seed, split, i): deterministic and generated in parallel.
/// </summary>
public static class SyntheticShapes
{
    /// <summary>Class names, in label order.</summary>
    public static IReadOnlyList<string> Classes { get; } =
        ["circle", "square", "triangle", "cross", "ring", "h-stripes", "v-stripes", "checker", "dots", "gradient"];

    /// <summary>Side of the generated images.</summary>
    public const int Size = 32;

    /// <summary>Default number of training images.</summary>
    public const int TrainCount = 10_000;

    /// <summary>Default number of validation images.</summary>
    public const int ValCount = 2_000;

    /// <summary>The "synthetic" data source: <paramref name="trainCount"/> + <paramref name="valCount"/> images of side <paramref name="size"/> (see <see cref="Generate"/>).</summary>
    public static InMemoryDataSource Open(int trainCount = TrainCount, int valCount = ValCount, int seed = 0, int size = Size) =>
        new("synthetic", Classes, split => Generate(split == Split.Train ? trainCount : valCount, seed, split, size));

    /// <summary>
    /// Draws <paramref name="count"/> images (labels cycle through the classes) as a uint8 [N,3,size,size] split; a
    /// <paramref name="size"/> below 32 (16 or 8) averages the drawn 32x32 images down, for 4x or 16x less compute.
    /// </summary>
    public static LabelledImages Generate(int count, int seed, Split split, int size = Size)
    {
        CheckSize(size);
        var full = DrawAll(count, seed, split);
        if (size == Size) return full;
        using (full)
        using (var scope = NewDisposeScope())
        {
            var small = nn.functional.avg_pool2d(full.Images.to(float32), Size / size).round().to(uint8);
            return new LabelledImages(small.MoveToOuterDisposeScope(), full.Labels.clone().MoveToOuterDisposeScope());
        }
    }

    /// <summary>Throws <see cref="ResNetSharpException"/> unless <paramref name="size"/> is a side <see cref="Generate"/> makes (32, 16 or 8).</summary>
    public static void CheckSize(int size)
    {
        if (size is not (Size or 16 or 8))
            throw new ResNetSharpException($"the synthetic image size must be 32, 16 or 8, not {size}.");
    }

    private static LabelledImages DrawAll(int count, int seed, Split split)
    {
        const int pixels = Size * Size;
        var data = new byte[(long)count * 3 * pixels];
        var labels = new long[count];
        ParallelLoop.For(count, i =>
        {
            labels[i] = i % Classes.Count;
            Draw((int)labels[i], Seeds.Fast(seed, (int)split, i), data.AsSpan(i * 3 * pixels, 3 * pixels));
        });
        return new LabelledImages(data, labels, 3, Size, Size);
    }

    private static void Draw(int label, SplitMix rng, Span<byte> chw)
    {
        const int pixels = Size * Size;
        Span<float> bg = stackalloc float[3], fg = stackalloc float[3];
        for (int c = 0; c < 3; c++)
        {
            bg[c] = rng.NextSingle();
            fg[c] = (bg[c] + 0.35f + 0.3f * rng.NextSingle()) % 1f;   // every channel differs by 0.35–0.65
        }
        var shape = new Shape(label, ref rng);
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                float cover = shape.Coverage(x + 0.5f, y + 0.5f);
                for (int c = 0; c < 3; c++)
                {
                    float v = bg[c] + (fg[c] - bg[c]) * cover + 0.16f * (rng.NextSingle() - 0.5f);
                    chw[c * pixels + y * Size + x] = (byte)(Math.Clamp(v, 0f, 1f) * 255f + 0.5f);
                }
            }
    }

    /// <summary>One class's drawing parameters; <see cref="Coverage"/> is the foreground fraction at a pixel centre.</summary>
    private readonly struct Shape
    {
        private readonly int _label;
        private readonly float _cx, _cy, _r, _cos, _sin, _period, _phase;

        public Shape(int label, ref SplitMix rng)
        {
            _label = label;
            _cx = 10f + 12f * rng.NextSingle();
            _cy = 10f + 12f * rng.NextSingle();
            _r = 6f + 5f * rng.NextSingle();
            float angle = label == 9 ? 2f * MathF.PI * rng.NextSingle() : 0.6f * (rng.NextSingle() - 0.5f);
            (_sin, _cos) = MathF.SinCos(angle);
            _period = 5f + 4f * rng.NextSingle();
            _phase = 2f * MathF.PI * rng.NextSingle();
        }

        public float Coverage(float px, float py)
        {
            float dx = px - _cx, dy = py - _cy;
            float u = _cos * dx + _sin * dy, v = -_sin * dx + _cos * dy;   // rotated coordinates, pixels
            float d = MathF.Sqrt(u * u + v * v);
            float k = 2f * MathF.PI / _period;
            return _label switch
            {
                0 => Edge(_r - d),
                1 => Edge(0.8f * _r - MathF.Max(MathF.Abs(u), MathF.Abs(v))),
                2 => Edge(Triangle(u, v)),
                3 => Edge(MathF.Max(MathF.Min(_r - MathF.Abs(u), 0.3f * _r - MathF.Abs(v)), MathF.Min(_r - MathF.Abs(v), 0.3f * _r - MathF.Abs(u)))),
                4 => Edge(MathF.Min(_r - d, d - 0.55f * _r)),
                5 => Edge(1.5f * MathF.Sin(k * v + _phase)),
                6 => Edge(1.5f * MathF.Sin(k * u + _phase)),
                7 => Edge(3f * MathF.Sin(k * u + _phase) * MathF.Sin(k * v)),
                8 => Edge(0.3f * _period - Dot(u, v)),
                _ => Math.Clamp(0.5f + u / (4f * _r), 0f, 1f),
            };
        }

        /// <summary>Signed distance (positive inside) to an upward equilateral triangle of circumradius r.</summary>
        private float Triangle(float u, float v)
        {
            float inradius = 0.5f * _r, s = MathF.Sqrt(3f) / 2f;
            float a = inradius - v;                     // bottom edge, normal (0, 1)
            float b = inradius - (s * u - 0.5f * v);    // upper-right edge
            float c = inradius - (-s * u - 0.5f * v);   // upper-left edge
            return MathF.Min(a, MathF.Min(b, c));
        }

        /// <summary>Distance to the nearest point of a square grid of pitch <c>period</c>.</summary>
        private float Dot(float u, float v)
        {
            float gu = u - _period * MathF.Round(u / _period), gv = v - _period * MathF.Round(v / _period);
            return MathF.Sqrt(gu * gu + gv * gv);
        }

        /// <summary>Anti-aliased coverage from a signed distance in pixels.</summary>
        private static float Edge(float inside) => Math.Clamp(0.5f + inside, 0f, 1f);
    }
}
