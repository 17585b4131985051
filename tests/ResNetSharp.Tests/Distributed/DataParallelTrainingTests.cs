using System.Text.Json;
using ResNetSharp.Data;
using ResNetSharp.Distributed;
using ResNetSharp.Evaluation;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Runs;
using ResNetSharp.Training;
using ResNetSharp.TransferLearning;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Distributed;

/// <summary>2-rank Open MPI runs of the CLI against one process doing the same arithmetic itself.</summary>
public class DataParallelTrainingTests
{
    private const int Batch = 8, Epochs = 2, Seed = 7;

    private static TrainOptions Options(string data, string init) => new()
    {
        Model = "small_resnet", Data = $"folder:{data}", Epochs = Epochs, BatchSize = Batch, Lr = 0.05, Augment = "none",
        ChannelsLast = false, Device = "cpu", Seed = Seed, Weights = init, Schedule = ScheduleKind.Cosine,
    };

    private static string[] Args(TrainOptions o, string outDir, params string[] extra) =>
    [
        "train", "--distributed", "--model", o.Model, "--data", o.Data, "--epochs", $"{o.Epochs}", "--batch-size", $"{o.BatchSize}",
        "--lr", $"{o.Lr}", "--augment", o.Augment, "--channels-last", "false", "--device", "cpu", "--seed", $"{o.Seed}",
        "--weights", o.Weights!, "--schedule", "cosine", "--out", outDir, .. extra,
    ];

    /// <summary>The dataset and a file of initial weights (the model's own init, saved so every run starts from it).</summary>
    private static (string Data, string Init) Setup(TempDir dir)
    {
        string data = dir.Combine("data"), init = dir.Combine("init.safetensors");
        MpiJob.WriteData(data);
        torch.manual_seed(1);
        using var net = ResNet.Create("small_resnet", numClasses: 2);
        var tensors = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        SafeTensors.Save(init, tensors);
        foreach (var t in tensors.Values) t.Dispose();
        return (data, init);
    }

    private static Dictionary<string, Tensor> Weights(string file)
    {
        using var loaded = SafeTensors.Load(file);
        return loaded.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
    }

    private static void AssertWeightsEqual(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, e) in expected)
        {
            double diff = (e.to(ScalarType.Float64) - actual[name].to(ScalarType.Float64)).abs().max().item<double>();
            Assert.True(diff <= tolerance, $"{name} differs by {diff:E2}");
        }
    }

    private static List<JsonElement> Metrics(string outDir) =>
        [.. File.ReadAllLines(Path.Combine(outDir, RunFiles.MetricsJsonl)).Select(l => JsonDocument.Parse(l).RootElement)];

    // The reference: one process runs rank 0's and rank 1's batches itself, each from the same buffers (as DDP's
    // broadcast_buffers does), averages their gradients and steps; the buffers kept are rank 0's.
    [Fact]
    public void Two_ranks_equal_one_process_averaging_both_ranks_gradients()
    {
        using var dir = new TempDir();
        var (data, init) = Setup(dir);
        var o = Options(data, init);
        string outDir = dir.Combine("run");
        var r = MpiJob.Run(2, Args(o, outDir));
        Assert.True(r.Code == 0, r.Out + r.Err);

        using var source = DataSpec.Open(o.Data);
        using var net = ResNet.Create(o.Model, numClasses: 2);
        Transfer.LoadBackboneFile(net, init);
        net.train();
        using var optimizer = ParameterGroups.CreateOptimizer(net, o);
        var loaders = Enumerable.Range(0, 2).Select(rank =>
            source.CreateLoader(Split.Train, Batch, CPU, Seed, Augmentation.None, new DistributedSampler(rank, 2, Seed))).ToArray();
        using var val = source.CreateLoader(Split.Val, Batch, CPU, 0, Augmentation.None);
        var schedule = new LrSchedule(o.Schedule, o.Lr, loaders[0].BatchesPerEpoch, o.Epochs, o.WarmupEpochs);
        var parameters = net.parameters().ToArray();
        var buffers = net.buffers().ToArray();
        var metrics = Metrics(outDir);
        Assert.Equal(Epochs, metrics.Count);
        long step = 0;
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            double lossSum = 0;
            long correct = 0, count = 0;
            var batches = loaders.Select(l => l.Epoch(epoch).ToList()).ToArray();
            for (int i = 0; i < batches[0].Count; i++)
            {
                using var scope = NewDisposeScope();
                ParameterGroups.SetLearningRate(optimizer, schedule.At(step++));
                var start = buffers.Select(b => b.clone()).ToArray();
                Tensor[] rank0Buffers = [];
                var gradSum = parameters.Select(p => zeros_like(p)).ToArray();
                for (int rank = 0; rank < 2; rank++)
                {
                    using (no_grad()) for (int b = 0; b < buffers.Length; b++) buffers[b].copy_(start[b]);
                    optimizer.zero_grad();
                    var batch = batches[rank][i];
                    var logits = net.forward(batch.Images);
                    var loss = nn.functional.cross_entropy(logits, batch.Labels);
                    loss.backward();
                    for (int p = 0; p < parameters.Length; p++) gradSum[p].add_(parameters[p].grad!);
                    if (rank == 0) rank0Buffers = [.. buffers.Select(b => b.clone())];
                    lossSum += loss.item<float>() * batch.Size;
                    correct += logits.argmax(1).eq(batch.Labels).sum().item<long>();
                    count += batch.Size;
                }
                using (no_grad())
                {
                    for (int p = 0; p < parameters.Length; p++) parameters[p].grad!.copy_(gradSum[p] / 2);
                    for (int b = 0; b < buffers.Length; b++) buffers[b].copy_(rank0Buffers[b]);
                }
                optimizer.step();
            }
            foreach (var list in batches) foreach (var b in list) b.Dispose();

            // The 2-rank metrics are the reduced per-rank values: train over both ranks' batches, validation over the whole split.
            var eval = Evaluator.Run(net, val, source.Classes);
            net.train();
            Assert.Equal(lossSum / count, metrics[epoch].GetProperty("train_loss").GetDouble(), 1e-5);
            Assert.Equal((double)correct / count, metrics[epoch].GetProperty("train_acc").GetDouble(), 1e-9);
            Assert.Equal(eval.Loss, metrics[epoch].GetProperty("val_loss").GetDouble(), 1e-5);
            Assert.Equal(eval.Top1, metrics[epoch].GetProperty("val_top1").GetDouble(), 1e-9);
        }
        foreach (var l in loaders) l.Dispose();

        var expected = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        AssertWeightsEqual(expected, Weights(Path.Combine(outDir, RunFiles.Last)));

        // Only rank 0 wrote: one TensorBoard file, one line per epoch, one console summary.
        Assert.Single(Directory.GetFiles(outDir, "events.out.tfevents.*"));
        Assert.Single(r.Out.Split('\n'), l => l.Contains("best validation top-1", StringComparison.Ordinal));
        Assert.Matches(@"data-parallel on 2 ranks \(mpi\): rank 0 spent \d+\.\d s in communication", r.Out);
        Assert.Equal(Epochs, System.Text.RegularExpressions.Regex.Count(r.Out, @"epoch +\d+  lr "));
    }

    // SyncBatchNorm's semantics: 2 ranks with --sync-bn equal one process on the concatenated batch (twice the batch).
    [Fact]
    public void Sync_bn_on_two_ranks_equals_one_process_on_the_concatenated_batch()
    {
        using var dir = new TempDir();
        var (data, init) = Setup(dir);
        var o = Options(data, init);
        string outDir = dir.Combine("run");
        var r = MpiJob.Run(2, Args(o, outDir, "--sync-bn"));
        Assert.True(r.Code == 0, r.Out + r.Err);

        // One process, world size 1 (the same sampler permutation), batch 2 x 8, plain batch norm.
        string single = dir.Combine("single");
        using (var group = new SingleProcessGroup(TimeSpan.FromSeconds(10)))
            new Trainer(o with { BatchSize = 2 * Batch, OutDir = single }, group: group).Run();
        AssertWeightsEqual(Weights(Path.Combine(single, RunFiles.Last)), Weights(Path.Combine(outDir, RunFiles.Last)));
        var one = Metrics(single);
        var two = Metrics(outDir);
        for (int e = 0; e < Epochs; e++)
            foreach (var key in new[] { "train_loss", "val_loss", "val_top1" })
                Assert.Equal(one[e].GetProperty(key).GetDouble(), two[e].GetProperty(key).GetDouble(), 1e-5);
    }
}
