using ResNetSharp.Data;
using ResNetSharp.Data.Sources;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

public class ImageFolderTests
{
    private static readonly SKColor[] ClassColors = [new(255, 0, 0), new(0, 0, 255)];

    /// <summary>Classes "b_blue" and "a_red" (so sorting matters), solid-colour images of the given size.</summary>
    internal static void WriteFolder(string root, int width, int height, int perClass = 3)
    {
        foreach (var split in new[] { "train", "val" })
            for (int i = 0; i < perClass; i++)
            {
                TestImages.Write(Path.Combine(root, split, "a_red", $"{i}.png"), width, height, (_, _) => ClassColors[0]);
                TestImages.Write(Path.Combine(root, split, "b_blue", $"{i}.jpg"), width, height, (_, _) => ClassColors[1]);
            }
        File.WriteAllText(Path.Combine(root, "train", "a_red", "notes.txt"), "ignored");
    }

    [Fact]
    public void Small_images_load_into_memory_with_sorted_classes()
    {
        using var dir = new TempDir();
        WriteFolder(dir.Path, 8, 6);
        TestImages.Write(dir.Combine("train", "a_red", "sub", "x.png"), 8, 6, TestImages.Gradient);
        using var source = (InMemoryDataSource)DataSpec.Open($"folder:{dir.Path}");
        Assert.Equal(["a_red", "b_blue"], source.Classes);
        Assert.Equal((3, 6, 8), source.InputSize);
        var train = source.Get(Split.Train);
        Assert.Equal(new long[] { 0, 0, 0, 0, 1, 1, 1 }, train.Labels.data<long>().ToArray());
        Assert.Equal(255, train.Images[0, 0, 2, 3].item<byte>());
        Assert.Equal(50, train.Images[3, 0, 2, 5].item<byte>());   // sub/x.png sorts last in a_red; red = x·10
    }

    [Fact]
    public void Large_images_stream_with_deterministic_crops_at_the_requested_size()
    {
        using var dir = new TempDir();
        WriteFolder(dir.Path, 40, 30);
        using var source = DataSpec.Open($"folder:{dir.Path}", imageSize: 16);
        Assert.Equal((3, 16, 16), source.InputSize);
        Assert.Equal([0.485f, 0.456f, 0.406f], source.Mean);
        using var train = source.CreateLoader(Split.Train, 4, CPU, seed: 3, Augmentation.Standard);
        Assert.Equal(1, train.BatchesPerEpoch);
        using (var a = train.Epoch(0).Single())
        using (var b = train.Epoch(0).Single())
        {
            Assert.Equal(new long[] { 4, 3, 16, 16 }, a.Images.shape);
            Assert.True(a.Images.equal(b.Images).all().item<bool>());
            Assert.True(a.Labels.equal(b.Labels).all().item<bool>());
        }
        using var val = source.CreateLoader(Split.Val, 4, CPU, seed: 0, Augmentation.Standard);
        var batches = val.Epoch(0).ToList();
        Assert.Equal([4, 2], batches.Select(b => b.Size));
        // A solid red PNG stays exactly red after resize + crop: (1 - 0.485) / 0.229 and (0 - 0.456) / 0.224.
        Assert.Equal((1 - 0.485f) / 0.229f, batches[0].Images[0, 0, 5, 5].item<float>(), 4);
        Assert.Equal((0 - 0.456f) / 0.224f, batches[0].Images[0, 1, 5, 5].item<float>(), 4);
        Assert.Equal(new long[] { 0, 0, 0, 1 }, batches[0].Labels.data<long>().ToArray());
        batches.ForEach(b => b.Dispose());
    }

    [Fact]
    public void A_corrupt_image_is_one_clear_error_naming_the_file_in_both_paths()
    {
        using var dir = new TempDir();
        WriteFolder(dir.Path, 40, 30, perClass: 2);
        string bad = dir.Combine("val", "b_blue", "zz.jpg");
        File.WriteAllBytes(bad, [1, 2, 3]);
        using var source = DataSpec.Open($"folder:{dir.Path}", imageSize: 16);
        using var val = source.CreateLoader(Split.Val, 2, CPU, seed: 0, Augmentation.None);
        var e = Assert.Throws<ResNetSharpException>(() => val.Epoch(0).ToList().ForEach(b => b.Dispose()));
        Assert.Contains($"'{bad}'", e.Message);

        using var small = new TempDir();
        WriteFolder(small.Path, 8, 8, perClass: 2);
        string badSmall = small.Combine("val", "a_red", "zz.png");
        File.WriteAllBytes(badSmall, [1, 2, 3]);
        using var inMemory = (InMemoryDataSource)DataSpec.Open($"folder:{small.Path}");
        Assert.Contains($"'{badSmall}'", Assert.Throws<ResNetSharpException>(() => inMemory.Get(Split.Val)).Message);
    }

    [Fact]
    public void Layout_problems_give_one_clear_error()
    {
        using var dir = new TempDir();
        WriteFolder(dir.Path, 8, 8, perClass: 1);
        TestImages.Write(dir.Combine("val", "c_green", "0.png"), 8, 8, (_, _) => SKColors.Green);
        Assert.Contains("only in val: c_green", Assert.Throws<ResNetSharpException>(() => DataSpec.Open($"folder:{dir.Path}")).Message);
        Directory.CreateDirectory(dir.Combine("train", "c_green"));
        Assert.Contains("has no images", Assert.Throws<ResNetSharpException>(() => DataSpec.Open($"folder:{dir.Path}")).Message);
        Directory.Delete(dir.Combine("train", "c_green"));
        Directory.Delete(dir.Combine("val", "c_green"), recursive: true);
        Directory.Move(dir.Combine("train"), dir.Combine("train-away"));
        using (var valOnly = DataSpec.Open($"folder:{dir.Path}", imageSize: 16))   // evaluation needs only val/; training says what is missing
            Assert.Contains($"missing folder '{dir.Combine("train")}'", Assert.Throws<ResNetSharpException>(() => valOnly.CreateLoader(Split.Train, 1, CPU, 0, Augmentation.None)).Message);
        Directory.Move(dir.Combine("train-away"), dir.Combine("train"));
        Directory.Delete(dir.Combine("val"), recursive: true);
        Assert.Contains("missing folder", Assert.Throws<ResNetSharpException>(() => DataSpec.Open($"folder:{dir.Path}")).Message);
        Assert.Contains("unknown data spec", Assert.Throws<ResNetSharpException>(() => DataSpec.Open("qmnist:x")).Message);
    }

    [Fact]
    public void Only_folder_data_takes_an_image_size()
    {
        var e = Assert.Throws<ResNetSharpException>(() => DataSpec.Open("cifar10:/nonexistent", imageSize: 64));
        Assert.Contains("'cifar10:/nonexistent' has 32x32 images, not 64x64: only folder:DIR data can be resized", e.Message);
        Assert.Contains("has 32x32 images", Assert.Throws<ResNetSharpException>(() => DataSpec.Open("synthetic", imageSize: 224)).Message);
        using var dir = new TempDir();
        WriteFolder(dir.Path, 6, 6, perClass: 1);
        using (var own = DataSpec.Open($"folder:{dir.Path}", imageSize: 6))   // small images at their own size stay in memory
            Assert.IsType<InMemoryDataSource>(own);
        Assert.Contains("at least 8 pixels", Assert.Throws<ResNetSharpException>(() => DataSpec.Open($"folder:{dir.Path}", imageSize: 4)).Message);
    }

    [Fact]
    public void Train_at_an_image_size_then_eval_and_predict_at_the_same_size()
    {
        using var dir = new TempDir();
        WriteFolder(dir.Combine("data"), 40, 30, perClass: 4);
        var run = dir.Combine("run");
        var train = Cli.CliTests.Run("train", "--data", $"folder:{dir.Combine("data")}", "--image-size", "24", "--model", "small_resnet",
            "--epochs", "1", "--batch-size", "4", "--device", "cpu", "--out", run);
        Assert.True(train.Code == 0, train.Err);
        var (model, info) = ResNetSharp.Runs.Checkpoint.Load(Path.Combine(run, "best.safetensors"));
        model.Dispose();
        Assert.Equal(new ResNetSharp.Models.InputShape(3, 24, 24), info.InputSize);
        var eval = Cli.CliTests.Run("eval", "--checkpoint", Path.Combine(run, "best.safetensors"), "--data", $"folder:{dir.Combine("data")}", "--device", "cpu", "--json");
        Assert.True(eval.Code == 0, eval.Err);
        var report = System.Text.Json.JsonDocument.Parse(eval.Out).RootElement;
        Assert.Equal(8, report.GetProperty("count").GetInt32());
        // The same images at the same size as the run's validation: the same loss (at 224 it would differ).
        var epoch = System.Text.Json.JsonDocument.Parse(File.ReadLines(Path.Combine(run, "metrics.jsonl")).Single()).RootElement;
        Assert.Equal(epoch.GetProperty("val_loss").GetDouble(), report.GetProperty("loss").GetDouble(), 1e-6);
        TestImages.Write(dir.Combine("other", "val", "c_green", "0.png"), 40, 30, (_, _) => SKColors.Green);
        var other = Cli.CliTests.Run("eval", "--checkpoint", Path.Combine(run, "best.safetensors"), "--data", $"folder:{dir.Combine("other")}", "--device", "cpu");
        Assert.Contains("the checkpoint was trained on 2 classes (a_red, b_blue, ...) but 'folder' has 1 (c_green, ...)", other.Err);
        var predict = Cli.CliTests.Run("predict", "--checkpoint", Path.Combine(run, "best.safetensors"), "--device", "cpu", "--json", dir.Combine("data", "val", "a_red", "0.png"));
        Assert.True(predict.Code == 0, predict.Err);
        Assert.Equal(2, System.Text.Json.JsonDocument.Parse(predict.Out).RootElement.GetProperty("top").GetArrayLength());
    }

    [Fact]
    public void Validation_resize_follows_the_crop_fraction()
    {
        // Red = 6x on a 40x40 image. At fraction 0.8 the side 16 is cropped from a resize to 20 (half size), starting
        // 2 resized = 4 original pixels in: column 0 averages x = 4 and 5, red ≈ 27. At 0.875 (resize to 18.3) it is ≈ 17.
        using var dir = new TempDir();
        foreach (var split in new[] { "train", "val" })
            TestImages.Write(dir.Combine(split, "a", "0.png"), 40, 40, (x, _) => new SKColor((byte)(6 * x), 0, 0));
        float Column0Red(float fraction)
        {
            using var source = DataSpec.Open($"folder:{dir.Path}", imageSize: 16, cropFraction: fraction);
            using var val = source.CreateLoader(Split.Val, 1, CPU, seed: 0, Augmentation.None);
            using var batch = val.Epoch(0).Single();
            return (batch.Images[0, 0, 8, 0].item<float>() * 0.229f + 0.485f) * 255;
        }
        Assert.InRange(Column0Red(0.8f), 24, 30);
        Assert.InRange(Column0Red(0.875f), 14, 20);
    }

    [Fact]
    public void Eval_takes_a_named_model_with_weights_on_folder_data()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 2; i++)   // val/ only, as ImageNet's validation set alone; PNG: exact colours (JPEG would shift them)
        {
            TestImages.Write(dir.Combine("data", "val", "a_red", $"{i}.png"), 40, 30, (_, _) => ClassColors[0]);
            TestImages.Write(dir.Combine("data", "val", "b_blue", $"{i}.png"), 40, 30, (_, _) => ClassColors[1]);
        }
        manual_seed(3);
        using var model = ResNetSharp.Models.ResNet.Create("small_resnet", numClasses: 2);
        model.eval();
        string weights = dir.Combine("w.safetensors");
        using (var state = ResNetSharp.Interop.WeightLoading.StateDict(model)) ResNetSharp.Interop.SafeTensors.Save(weights, state.Tensors);
        var r = Cli.CliTests.Run("eval", "--model", "small_resnet", "--weights", weights, "--data", $"folder:{dir.Combine("data")}", "--device", "cpu", "--json");
        Assert.True(r.Code == 0, r.Err);
        var report = System.Text.Json.JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal(4, report.GetProperty("count").GetInt32());
        // Independent: solid images stay solid through resize and crop, so each is its ImageNet-normalised colour at 224x224.
        using var scope = NewDisposeScope();
        var mean = tensor(new[] { 0.485f, 0.456f, 0.406f }).view(3, 1, 1);
        var std = tensor(new[] { 0.229f, 0.224f, 0.225f }).view(3, 1, 1);
        Tensor Solid(SKColor c) => ((tensor(new[] { c.Red / 255f, c.Green / 255f, c.Blue / 255f }).view(3, 1, 1) - mean) / std).expand(3, 224, 224);
        var logits = model.call(stack([Solid(ClassColors[0]), Solid(ClassColors[1])]));
        var loss = nn.functional.cross_entropy(logits, tensor(new long[] { 0, 1 })).item<float>();
        Assert.Equal(loss, report.GetProperty("loss").GetDouble(), loss * 1e-4);   // relative: eval runs ONNX Runtime on the CPU
        var bad = Cli.CliTests.Run("eval", "--model", "small_resnet", "--weights", weights, "--data", "synthetic", "--device", "cpu");
        Assert.Contains("the weights have 2 classes but 'synthetic' has 10", bad.Err);
    }
}
