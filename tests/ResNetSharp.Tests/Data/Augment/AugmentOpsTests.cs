using System.Runtime.CompilerServices;
using System.Text.Json;
using ResNetSharp.Data.Augment;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data.Augment;

/// <summary>
/// Every AutoAugment-family op against torchvision 0.14 (Fixtures/augment_reference.py: <c>_apply_op</c> on uint8
/// tensors with fixed magnitudes). All cases of one op and image run as one batch, each image with its own magnitude.
/// Every byte must match, the affine ops' included: they build the same float32 sampling grid as torchvision (same
/// matrix, linspace, bmm and nearest grid_sample), so no sample lands on the other side of a pixel boundary.
/// </summary>
public class AugmentOpsTests
{

    private static string FixturePath([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Fixtures", "augment_reference.json");

    private static readonly Lazy<JsonDocument> Fixture = new(() => JsonDocument.Parse(File.ReadAllText(FixturePath())));

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var (op, image) in Fixture.Value.RootElement.GetProperty("cases").EnumerateArray()
                     .Select(c => (c.GetProperty("op").GetString()!, c.GetProperty("image").GetInt32())).Distinct())
            data.Add(op, image);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Op_matches_torchvision(string opName, int imageIndex)
    {
        using var scope = NewDisposeScope();
        var root = Fixture.Value.RootElement;
        var op = Enum.Parse<AugmentOp>(opName);
        var image = root.GetProperty("images")[imageIndex];
        long[] shape = [.. image.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64())];
        var input = Bytes(image.GetProperty("pixels"), shape);
        var cases = root.GetProperty("cases").EnumerateArray()
            .Where(c => c.GetProperty("op").GetString() == opName && c.GetProperty("image").GetInt32() == imageIndex).ToList();
        double[] magnitudes = [.. cases.Select(c => c.GetProperty("magnitude").GetDouble())];
        var expected = stack(cases.Select(c => Bytes(c.GetProperty("pixels"), shape)).ToArray());

        var actual = AugmentOps.Apply(op, input.unsqueeze(0).expand(cases.Count, -1, -1, -1).contiguous(), magnitudes);

        Assert.Equal(expected.shape, actual.shape);
        double fraction = actual.ne(expected).to(float32).mean().item<float>();
        Assert.True(fraction == 0,
            $"{opName} on image {imageIndex}: {fraction:P2} of the values differ from torchvision's (magnitudes {string.Join(", ", magnitudes)}).");
    }

    [Fact]
    public void Ops_reject_a_float_batch()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => AugmentOps.Apply(AugmentOp.Equalize, zeros(1, 3, 4, 4), [0.0]));
    }

    private static Tensor Bytes(JsonElement base64, long[] shape) => tensor(Convert.FromBase64String(base64.GetString()!)).view(shape);
}
