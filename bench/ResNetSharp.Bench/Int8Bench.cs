using System.Diagnostics;
using Google.Protobuf;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Models;
using ResNetSharp.Quantization;
using static TorchSharp.torch;

namespace ResNetSharp.Bench;

/// <summary>
/// int8 against fp32 in ONNX Runtime, side by side: for each model and batch size, the project's fp32 engine
/// (<see cref="OnnxRuntimeEngine"/>), the U8S8 QDQ model and the S8S8 QDQ model (random weights, calibrated on 16
/// random images; speed does not depend on the values), timed in interleaved rounds, medians and ratios.
/// Options: --models resnet20,resnet18,resnet50 --batches 1,16 --rounds 5 --steps N (per round, default 32/B + 1)
/// --threads N (ONNX Runtime intra-op threads; default the machine's cores, as the engine uses), --no-s8s8,
/// --save DIR (also write MODEL-fp32.onnx and MODEL-int8.onnx model files there, as <c>resnet serve --model-file</c> reads).
/// One JSON line per (model, batch): <c>dotnet run -c Release --project bench/ResNetSharp.Bench -- int8</c>.
/// </summary>
internal static class Int8Bench
{
    public static void Run(string[] args)
    {
        string[] models = Text(args, "--models", "resnet20,resnet18,resnet50").Split(',');
        int[] batches = [.. Text(args, "--batches", "1,16").Split(',').Select(int.Parse)];
        int rounds = int.Parse(Text(args, "--rounds", "5")), threads = int.Parse(Text(args, "--threads", "0"));
        foreach (var name in models)
        {
            manual_seed(0);
            using var model = new ResNet(ModelZoo.Config(name));
            model.eval();
            var input = model.Config.Stem == StemKind.Cifar ? InputShape.For(model.Config) : new InputShape(3, 224, 224);
            var info = new Interop.Onnx.OnnxModelInfo(name, [.. Enumerable.Range(0, model.Config.NumClasses).Select(i => i.ToString())],
                Predictor.ImageNetMean, Predictor.ImageNetStd, input, 0.875f);
            var calibration = Enumerable.Range(0, 2).Select(_ => randn(input.Batch(8))).ToList();
            var u8 = Int8Quantizer.Quantize(model, info, calibration, new QuantizeOptions { CalibrationImages = 16 });
            var s8 = Int8Quantizer.Quantize(model, info, calibration, new QuantizeOptions { CalibrationImages = 16, Activations = ActivationType.Int8 });
            bool withS8 = !args.Contains("--no-s8s8");
            if (Array.IndexOf(args, "--save") >= 0)
            {
                string dir = Text(args, "--save", ".");
                Interop.Onnx.OnnxModelFile.Export(model, info, Path.Combine(dir, $"{name}-fp32.onnx"), new Interop.Onnx.OnnxExportOptions { DynamicBatch = true });
                u8.Save(Path.Combine(dir, $"{name}-int8.onnx"));
            }
            Console.Error.WriteLine($"{name} U8S8: {u8.Report}");
            Console.Error.WriteLine($"{name} S8S8: {s8.Report}");
            using var fp32 = new OnnxRuntimeEngine(Interop.Onnx.OnnxExport.Build(model, new Interop.Onnx.OnnxExportOptions { DynamicBatch = true }).ToByteArray(), model.Config.NumClasses, threads);
            using var engineU8 = new OnnxRuntimeEngine(u8.Proto.ToByteArray(), model.Config.NumClasses, threads);
            using var engineS8 = new OnnxRuntimeEngine(s8.Proto.ToByteArray(), model.Config.NumClasses, threads);
            foreach (int b in batches)
            {
                var x = randn(input.Batch(b)).data<float>().ToArray();
                long[] shape = input.Batch(b);
                int steps = int.Parse(Text(args, "--steps", (32 / b + 1).ToString()));
                IInferenceEngine[] engines = withS8 ? [fp32, engineU8, engineS8] : [fp32, engineU8];
                var times = engines.Select(_ => new List<double>()).ToArray();
                foreach (var e in engines) e.Logits(x, shape); // warm-up
                for (int r = 0; r < rounds; r++)
                    for (int e = 0; e < engines.Length; e++)
                    {
                        var watch = Stopwatch.StartNew();
                        for (int s = 0; s < steps; s++) engines[e].Logits(x, shape);
                        times[e].Add(watch.Elapsed.TotalMilliseconds / steps);
                    }
                var ms = times.Select(Median).ToArray();
                double? s8Ms = withS8 ? ms[2] : null;
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                {
                    model = name, batch = b, cores = Environment.ProcessorCount, threads, rounds, steps,
                    fp32_ms = ms[0], u8s8_ms = ms[1], s8s8_ms = s8Ms,
                    fp32_img_s = b * 1000 / ms[0], u8s8_img_s = b * 1000 / ms[1], s8s8_img_s = b * 1000 / s8Ms,
                    u8s8_speedup = ms[0] / ms[1], s8s8_speedup = ms[0] / s8Ms,
                    u8s8_int8_ops = u8.Report.Int8Ops, u8s8_fp32_ops = u8.Report.Fp32Ops, s8s8_int8_ops = s8.Report.Int8Ops, s8s8_fp32_ops = s8.Report.Fp32Ops,
                }));
            }
            calibration.ForEach(t => t.Dispose());
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string Text(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
