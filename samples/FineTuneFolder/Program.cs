// Fine-tuning on an image folder with a frozen backbone: the classifier of a (pre)trained ResNet is replaced for the
// folder's classes, only it is trained, the result is evaluated and exported to ONNX, and ONNX Runtime gives the same
// logits. Every step checks itself; the exit code is 1 when a check fails.
using FineTuneFolder;
using Microsoft.ML.OnnxRuntime;
using ResNetSharp.Data;
using ResNetSharp.Evaluation;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using ResNetSharp.Reports;
using ResNetSharp.Samples;
using ResNetSharp.Training;
using static TorchSharp.torch;

var checks = new Checks();
string dir = Directory.CreateTempSubdirectory("resnetsharp-finetune-").FullName;
try
{
    // 1. The data: DIR/train/CLASS/*.png and DIR/val/CLASS/*.png (here generated: 3 colour classes, 32x32).
    string data = Path.Combine(dir, "data");
    ImageFolderMaker.Write(data, ImageFolderMaker.NewTask, perClass: 24, side: 32, seed: 1);

    // 2. The pretrained weights: .safetensors or .pth of the same architecture, e.g. torchvision's resnet18 file with
    //    Model = "resnet18". Without network access the sample pretrains its own: a CIFAR ResNet-20 trained on six
    //    other colours, saved as .safetensors.
    string pretrained = Path.Combine(dir, "pretrained.safetensors");
    string pretrainData = Path.Combine(dir, "pretrain");
    ImageFolderMaker.Write(pretrainData, ImageFolderMaker.Pretraining, perClass: 24, side: 32, seed: 2);
    manual_seed(0);
    using (var source = ResNet.Create("resnet20", numClasses: ImageFolderMaker.Pretraining.Length))
    {
        var pretraining = new TrainOptions
        {
            Data = $"folder:{pretrainData}", Epochs = 6, BatchSize = 16, Lr = 0.05, Device = "cpu", OutDir = Path.Combine(dir, "pretrain-run"),
        };
        var pre = new Trainer(pretraining, source).Run();
        Console.WriteLine($"  pretraining: val top-1 {pre.History[^1].ValTop1:P0}");
        using var state = WeightLoading.StateDict(source);
        SafeTensors.Save(pretrained, state.Tensors);
    }

    // 3. Fine-tune: the model is built for the folder's 3 classes, the backbone weights are loaded (the 6-class
    //    classifier is skipped as intended), everything but fc is frozen, and its batch norms keep their statistics.
    using var model = ResNet.Create("resnet20", numClasses: ImageFolderMaker.NewTask.Length);
    var options = new TrainOptions
    {
        Model = "resnet20", Data = $"folder:{data}", Weights = pretrained, Freeze = "backbone",
        Epochs = 8, BatchSize = 16, Optimizer = OptimizerKind.AdamW, Lr = 0.02, Augment = "flip", Device = "cpu", OutDir = Path.Combine(dir, "run"),
    };
    var trainer = new Trainer(options, model);
    CurvesPlot.DrawEachEpoch(trainer);   // curves.png in the run directory after every epoch, as `resnet train` draws it
    var result = trainer.Run();
    checks.That(File.Exists(result.Curves), $"the loss and accuracy curves are drawn: {Path.GetFileName(result.Curves)}");
    foreach (var epoch in result.History)
        Console.WriteLine($"  epoch {epoch.Epoch}: train loss {epoch.TrainLoss:F3}, val top-1 {epoch.ValTop1:P0}");
    using (var weights = WeightLoading.ReadFile(pretrained))
    using (no_grad())
    {
        var state = model.state_dict();
        bool backboneKept = weights.Tensors.Where(kv => !kv.Key.StartsWith("fc.")).All(kv => state[kv.Key].allclose(kv.Value, rtol: 0, atol: 0));
        checks.That(backboneKept, "the frozen backbone's weights are the pretrained ones, unchanged by training");
    }

    // 4. Evaluate on the validation split: loss, top-1 and the confusion matrix.
    using var folder = DataSpec.Open($"folder:{data}");
    using var valLoader = folder.CreateLoader(Split.Val, 16, CPU, seed: 0, Augmentation.None);
    var eval = Evaluator.Run(model, valLoader, folder.Classes);
    checks.That(eval.Count == 36 && eval.Top1 > 0.9, $"evaluation: top-1 {eval.Top1:P0} on {eval.Count} validation images (chance: 33%)");
    for (int i = 0; i < eval.Classes.Count; i++)
        Console.WriteLine($"  {eval.Classes[i],-6} {string.Join(" ", eval.Confusion[i].Select(n => $"{n,3}"))}");

    // 5. Export to ONNX and run the file in ONNX Runtime: the same logits as TorchSharp's, to 1e-4.
    string onnx = Path.Combine(dir, "finetuned.onnx");
    OnnxExport.Save(model, onnx, new OnnxExportOptions { DynamicBatch = true });
    using var batch = valLoader.Epoch(0).First();
    float[] expected;
    model.eval();
    using (no_grad())
    using (var logits = model.call(batch.Images))
        expected = logits.data<float>().ToArray();
    using var session = new InferenceSession(onnx);
    using var input = OrtValue.CreateTensorValueFromMemory(batch.Images.contiguous().data<float>().ToArray(), batch.Images.shape);
    using var outputs = session.Run(new RunOptions(), ["input"], [input], ["output"]);
    var actual = outputs[0].GetTensorDataAsSpan<float>().ToArray();
    double maxDiff = actual.Zip(expected).Max(p => Math.Abs(p.First - p.Second));
    checks.That(actual.Length == expected.Length && maxDiff < 1e-4,
        $"ONNX Runtime on the exported model: max |logit difference| {maxDiff:E1} over {batch.Size} images (limit 1e-4)");
}
finally
{
    Directory.Delete(dir, recursive: true);
}
return checks.ExitCode;
