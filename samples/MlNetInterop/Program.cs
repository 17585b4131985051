// A ResNetSharp model scored by ML.NET: the network is exported to ONNX, then ApplyOnnxModel runs it as one
// transform of an ML.NET pipeline over an IDataView of images. The check: ML.NET's logits equal TorchSharp's to 1e-4
// (the exit code is 1 otherwise).
using Microsoft.ML;
using MlNetInterop;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using ResNetSharp.Samples;
using static TorchSharp.torch;

const int Images = 8, Side = 32;
var checks = new Checks();
string dir = Directory.CreateTempSubdirectory("resnetsharp-mlnet-").FullName;
try
{
    // 1. A ResNet (CIFAR ResNet-20: 32x32 images, 10 classes; train one with `resnet train` or the Trainer) exported
    //    to ONNX in inference mode, batch size 1: ML.NET scores one row at a time.
    manual_seed(7);
    using var model = ResNet.Create("resnet20");
    model.eval();
    string onnx = Path.Combine(dir, "resnet20.onnx");
    OnnxExport.Save(model, onnx, new OnnxExportOptions { BatchSize = 1 });

    // 2. The images as ML.NET rows (normalised pixels, channels first), and TorchSharp's logits as the reference.
    using var batch = randn(Images, 3, Side, Side);
    var rows = Enumerable.Range(0, Images).Select(i => new ImageRow { Pixels = batch[i].data<float>().ToArray() }).ToList();
    float[][] expected;
    using (no_grad())
    using (var logits = model.call(batch))
        expected = [.. Enumerable.Range(0, Images).Select(i => logits[i].data<float>().ToArray())];

    // 3. The ML.NET pipeline: ApplyOnnxModel maps the "input" column to the model's "output" column. The exported
    //    height and width are symbolic, so the shape dictionary fixes them to this data's 32x32. The last three
    //    arguments are the defaults, named so that the call picks one of ML.NET 6's two overloads.
    var ml = new MLContext(seed: 0);
    var data = ml.Data.LoadFromEnumerable(rows);
    var pipeline = ml.Transforms.ApplyOnnxModel(
        outputColumnNames: ["output"], inputColumnNames: ["input"], modelFile: onnx,
        shapeDictionary: new Dictionary<string, int[]> { ["input"] = [1, 3, Side, Side] }, gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100);
    using var transformer = pipeline.Fit(data);
    var scored = ml.Data.CreateEnumerable<ScoredRow>(transformer.Transform(data), reuseRowObject: false).ToList();

    // 4. The same logits, row by row.
    double maxDiff = scored.Zip(expected).Max(p => p.First.Logits.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
    checks.That(scored.Count == Images && scored.All(r => r.Logits.Length == 10),
        $"ML.NET scored {scored.Count} images through ApplyOnnxModel, {scored[0].Logits.Length} logits each");
    checks.That(maxDiff < 1e-4, $"ML.NET's logits vs TorchSharp's: max |difference| {maxDiff:E1} (limit 1e-4)");
    int agree = scored.Zip(expected).Count(p => ArgMax(p.First.Logits) == ArgMax(p.Second));
    checks.That(agree == Images, $"predicted classes agree on {agree}/{Images} images");
}
finally
{
    Directory.Delete(dir, recursive: true);
}
return checks.ExitCode;

static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());
