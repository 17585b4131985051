using System.Security.Cryptography;
using ResNetSharp.Data.Transforms;
using ResNetSharp.Inference;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Pretrained;
using ResNetSharp.Interop.Torch;
using ResNetSharp.Models;
using ResNetSharp.Tests.Data;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Interop;

public class PretrainedWeightsTests
{
    [Fact]
    public void Every_entry_is_a_named_model_with_a_hash_prefix_and_DEFAULT_is_the_newest()
    {
        Assert.Equal(16, PretrainedWeights.All.Count);
        Assert.All(PretrainedWeights.All, e =>
        {
            Assert.Contains(e.Model, ModelZoo.Names);
            Assert.Matches("^[0-9a-f]{8}$", e.Sha256Prefix);
            Assert.Equal(e.Tag == "IMAGENET1K_V2" ? 232 : 256, e.ResizeSize);
        });
        Assert.Equal("resnet50-11ad3fa6.pth", PretrainedWeights.Find("resnet50").FileName);
        Assert.Equal("resnet50-11ad3fa6.pth", PretrainedWeights.Find("resnet50", "imagenet").FileName);
        Assert.Equal("resnet50-0676ba61.pth", PretrainedWeights.Find("resnet50", "imagenet1k_v1").FileName);
        Assert.Equal("IMAGENET1K_V1", PretrainedWeights.Find("resnet18", "DEFAULT").Tag);
        Assert.Equal(PretrainedWeights.Find("resnet101"), PretrainedWeights.ForFile("/cache/resnet101-cd907fc2.pth"));
        Assert.Null(PretrainedWeights.ForFile("mine.pth"));
    }

    [Fact]
    public void Unknown_models_and_tags_are_clear_errors()
    {
        var e = Assert.Throws<ResNetSharpException>(() => PretrainedWeights.Find("resnet20"));
        Assert.Contains("no ImageNet weights for 'resnet20'; models with weights: resnet18, resnet34, resnet50", e.Message);
        e = Assert.Throws<ResNetSharpException>(() => PretrainedWeights.Find("resnet18", "IMAGENET1K_V2"));
        Assert.Contains("'resnet18' has no weights 'IMAGENET1K_V2'; it has IMAGENET1K_V1", e.Message);
    }

    [Fact]
    public void V2_weights_resize_to_232_before_the_224_crop()
    {
        // Resize 464 → 232 halves the image; the centre 224 of 232 starts 4 resized = 8 original pixels in.
        var fraction = PretrainedWeights.Find("resnet50", "IMAGENET1K_V2").CropFraction;
        Assert.Equal(SKRect.Create(8, 8, 448, 448), ImageTransforms.CenterCropRect(464, 464, 224, 224, fraction));
        Assert.Equal(SKRect.Create(32, 32, 448, 448), ImageTransforms.CenterCropRect(512, 512, 224, 224, PretrainedWeights.Find("resnet18").CropFraction));   // 512 → 256, crop from 16
    }

    [Fact]
    public void Fetch_downloads_checks_the_sha256_prefix_and_then_uses_the_cache()
    {
        using var dir = new TempDir();
        manual_seed(1);
        using var model = ResNet.Create("small_resnet");
        string source = dir.Combine("source.pth");
        using (var state = WeightLoading.StateDict(model)) TorchCheckpoint.Save(source, state.Tensors);
        byte[] bytes = File.ReadAllBytes(source);
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var good = new PretrainedEntry("small_resnet", "TEST", $"small_resnet-{sha[..8]}.pth", 256, 0);
        var bad = good with { FileName = "small_resnet-00000000.pth" };
        string cache = dir.Combine("cache");
        string? said = null;
        using (var server = new LoopbackServer((good.FileName, bytes), (bad.FileName, bytes)))
        {
            var e = Assert.Throws<ResNetSharpException>(() => PretrainedWeights.Fetch(bad, cache, server.Url));
            Assert.Contains($"has SHA-256 {sha}, which does not start with 00000000", e.Message);
            Assert.Empty(Directory.EnumerateFileSystemEntries(cache));   // nothing half-written is left

            string path = PretrainedWeights.Fetch(good, cache, server.Url, downloading: m => said = m);
            Assert.Equal(Path.Combine(cache, good.FileName), path);
            Assert.Equal($"downloading {server.Url}{good.FileName} to {path}", said);
            Assert.Equal(bytes, File.ReadAllBytes(path));
            Assert.Equal(2, server.Requests);
            var missing = good with { FileName = "small_resnet-11111111.pth" };
            Assert.Contains("could not download", Assert.Throws<ResNetSharpException>(() => PretrainedWeights.Fetch(missing, cache, server.Url)).Message);
        }
        said = null;
        Assert.Equal(Path.Combine(cache, good.FileName), PretrainedWeights.Fetch(good, cache, "http://127.0.0.1:1/", m => said = m));   // cached: no request
        Assert.Null(said);
    }

    [Fact]
    public void Predict_with_a_tag_finds_the_cached_file_and_uses_its_232_resize()
    {
        using var dir = new TempDir();
        string? torchHome = Environment.GetEnvironmentVariable("TORCH_HOME");
        Environment.SetEnvironmentVariable("TORCH_HOME", dir.Combine("torch"));
        try
        {
            manual_seed(2);
            using var model = ResNet.Create("resnet50");
            model.eval();
            string cached = Path.Combine(PretrainedWeights.CacheDirectory(), "resnet50-11ad3fa6.pth");
            Assert.Equal(dir.Combine("torch", "hub", "checkpoints", "resnet50-11ad3fa6.pth"), cached);
            Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
            using (var state = WeightLoading.StateDict(model)) TorchCheckpoint.Save(cached, state.Tensors);
            Assert.Equal(cached, PretrainedWeights.Resolve("resnet50", "IMAGENET1K_V2"));
            Assert.Equal("mine.pth", PretrainedWeights.Resolve("resnet50", "mine.pth"));

            // A 232x232 image: resize 232 is the identity, so the input is the centre 224x224 (from pixel 4), normalised by hand.
            string png = dir.Combine("x.png");
            TestImages.Write(png, 232, 232, (x, y) => new SKColor((byte)x, (byte)y, (byte)((x + y) % 256)));
            using var predictor = Predictor.FromWeights("resnet50", "DEFAULT");
            var top = predictor.Predict(png, k: 3);
            var pixels = new float[3, 224, 224];
            for (int y = 0; y < 224; y++)
                for (int x = 0; x < 224; x++)
                    (pixels[0, y, x], pixels[1, y, x], pixels[2, y, x]) = ((x + 4) / 255f, (y + 4) / 255f, (x + y + 8) % 256 / 255f);
            using var scope = NewDisposeScope();
            var input = (tensor(pixels) - tensor(Predictor.ImageNetMean).view(3, 1, 1)) / tensor(Predictor.ImageNetStd).view(3, 1, 1);
            var logits = model.call(input.unsqueeze(0))[0];
            Assert.All(top, p => Assert.Equal(logits[p.Index].item<float>(), p.Logit, 1e-3));
            Assert.Equal(logits.argmax().item<long>(), top[0].Index);
        }
        finally
        {
            Environment.SetEnvironmentVariable("TORCH_HOME", torchHome);
        }
    }
}
