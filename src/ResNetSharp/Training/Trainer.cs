using System.Diagnostics;
using System.Text.Json;
using ResNetSharp.Data;
using ResNetSharp.Evaluation;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Trains a <see cref="ResNet"/> on a <see cref="DataSource"/>: per-step scheduled SGD or AdamW (<see cref="TrainStep"/>),
/// validation loss, top-1 and top-5 after every epoch, best/last checkpoints, metrics files, TensorBoard events and a
/// curves plot in the run directory, optional EMA, early stopping and gradient clipping, exact resume, and a clean stop
/// on cancellation (the current step finishes, then the state is saved). Without a model instance the model is
/// <see cref="TrainOptions.Model"/>; without a data source it is <see cref="TrainOptions.Data"/>.
/// </summary>
public sealed class Trainer(TrainOptions options, ResNet? model = null, DataSource? data = null)
{
    /// <summary>Raised after every epoch's validation.</summary>
    public event Action<EpochMetrics>? EpochEnd;

    /// <summary>Raised after a checkpoint file is written.</summary>
    public event Action<CheckpointSaved>? CheckpointSaved;

    /// <summary>Raised every <see cref="TrainOptions.ProgressEvery"/> steps (one host-device sync each) and at the end of each epoch's training.</summary>
    public event Action<TrainProgress>? Progress;

    /// <summary>Runs (or, with <see cref="TrainOptions.Resume"/>, continues) training until the last epoch, early stopping or cancellation.</summary>
    public TrainResult Run(CancellationToken cancel = default)
    {
        var (o, resumed) = Prepare(options);
        var device = Devices.Resolve(o.Device);
        torch.manual_seed(o.Seed);
        using var ownedData = data is null ? DataSpec.Open(o.Data, o.Download, o.ImageSize, loader: o.Loader) : null;
        var source = data ?? ownedData!;
        var augment = Augmentation.Parse(o.Augment);
        using var ownedModel = model is null ? ResNet.Create(o.Model, numClasses: source.Classes.Count, inChannels: source.InputSize.Channels) : null;
        var net = model ?? ownedModel!;
        if (o.DropPath is { } rate) net.DropPathRate = rate;
        if (o.NumClasses is { } n && n != source.Classes.Count)
            throw new ResNetSharpException($"--num-classes {n} does not match '{source.Name}', which has {source.Classes.Count} classes: leave --num-classes out or use {source.Classes.Count}.");
        if (net.Config.NumClasses != source.Classes.Count)
            throw new ResNetSharpException($"the model has {net.Config.NumClasses} outputs but '{source.Name}' has {source.Classes.Count} classes: create it with numClasses: {source.Classes.Count}.");
        if (o.Weights is not null && resumed is null) Transfer.LoadBackboneFile(net, PretrainedWeights.Resolve(o.Model, o.Weights));
        var freeze = FreezeSpec.Parse(o.Freeze);
        Transfer.Freeze(net, freeze);
        void TrainMode()
        {
            net.train();
            Transfer.ApplyFrozenBatchNormEval(net, freeze);
        }
        net.to(device);
        Runtime.FastPath.Prepare(net, o.ChannelsLast);   // before the optimizer: channels_last weights, cuDNN benchmark

        using var files = new RunFiles(o.OutDir!);
        using var train = source.CreateLoader(Split.Train, o.BatchSize, device, o.Seed, augment);
        using var val = source.CreateLoader(Split.Val, o.BatchSize, device, o.Seed, Augmentation.None);
        using var optimizer = ParameterGroups.CreateOptimizer(net, o);
        var names = ParameterGroups.OrderedNames(net, o.DecayNormAndBias);
        var schedule = new LrSchedule(o.Schedule, o.Lr, train.BatchesPerEpoch, o.Epochs, o.WarmupEpochs);
        using var step = new TrainStep(net, optimizer, schedule, o.LabelSmoothing, o.ClipGrad)
        {
            InputTransform = Runtime.FastPath.InputTransform(o.ChannelsLast),
            ForwardWrapper = Runtime.FastPath.ForwardWrapper(o.Precision),
        };
        using var ema = o.Ema is { } decay ? new WeightAverage(net, decay) : null;
        var (c, h, w) = source.InputSize;
        CheckpointInfo Info(int epoch, double? top1) => new(o.Model, net.Config, source.Classes,
            source.Mean, source.Std, new InputShape(c, h, w), epoch, top1);

        var state = resumed is null
            ? new TrainState("", o, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, [], "")
            : Restore(files, resumed, net, optimizer, names, step, ema);
        if (resumed is null) files.WriteJson(RunFiles.Config, new { options = o, model = net.Config, data = new { source.Name, source.Classes, InputSize = $"{c}x{h}x{w}", source.Mean, source.Std } });
        var history = state.History.ToList();

        void SaveLast(int epoch, int stepInEpoch, double epochSeconds)
        {
            var (lossSum, correct, count) = step.Metrics.Totals();
            string id = Guid.NewGuid().ToString("N");
            var extra = new Dictionary<string, string> { ["save_id"] = id };
            Checkpoint.Save(files[RunFiles.Last], net, Info(epoch, history.LastOrDefault()?.ValTop1), extra);
            var tensors = OptimizerCheckpoint.Capture(optimizer, names);
            if (ema is not null)
                foreach (var (k, t) in ema.Model.state_dict()) tensors[$"ema.{k}"] = t.detach().cpu().clone();
            try { SafeTensors.Save(files[RunFiles.LastState], tensors, extra); }
            finally { foreach (var t in tensors.Values) t.Dispose(); }
            using var rng = torch.get_rng_state();
            state = state with
            {
                SaveId = id, Epoch = epoch, StepInEpoch = stepInEpoch, GlobalStep = step.Step, LossSum = lossSum, Correct = correct,
                Count = count, EpochSeconds = epochSeconds, History = history, TorchRngState = Convert.ToBase64String(rng.data<byte>().ToArray()),
            };
            files.WriteJson(RunFiles.LastStateJson, state);
            CheckpointSaved?.Invoke(new("last", files[RunFiles.Last], epoch));
        }

        TrainMode();
        for (int epoch = state.Epoch; epoch < o.Epochs; epoch++)
        {
            int skip = epoch == state.Epoch ? state.StepInEpoch : 0;
            if (skip == 0) step.Metrics.Restore(0, 0, 0);
            double carried = epoch == state.Epoch ? state.EpochSeconds : 0;
            var clock = Stopwatch.StartNew();
            long images = 0;
            int index = 0;
            foreach (var batch in train.Epoch(epoch))
            {
                using (batch)
                {
                    if (index++ < skip) continue;
                    step.Run(batch);
                    ema?.Update();
                    images += batch.Size;
                }
                if (index % o.ProgressEvery == 0 || index == train.BatchesPerEpoch)
                    Report(epoch, o.Epochs, index, train.BatchesPerEpoch, step.Metrics, images, clock.Elapsed);
                if (cancel.IsCancellationRequested && index < train.BatchesPerEpoch)
                {
                    SaveLast(epoch, index, carried + clock.Elapsed.TotalSeconds);
                    return Result(files, history, state, interrupted: true, stoppedEarly: false);
                }
            }
            double trainSeconds = clock.Elapsed.TotalSeconds;
            var (trainLoss, trainAcc) = step.Metrics.Read();
            var eval = Evaluator.Run(ema?.Model ?? (nn.Module<Tensor, Tensor>)net, val, source.Classes, o.Precision, o.ChannelsLast);
            TrainMode();
            var metrics = new EpochMetrics(epoch + 1, step.LearningRate, trainLoss, trainAcc, eval.Loss, eval.Top1, eval.Top5,
                carried + clock.Elapsed.TotalSeconds, images / Math.Max(trainSeconds, 1e-9), train.BadImages + val.BadImages);
            history.Add(metrics);
            files.WriteEpoch(history);
            bool better = eval.Top1 > state.BestTop1;
            state = state with
            {
                BestEpoch = better ? epoch + 1 : state.BestEpoch, BestTop1 = better ? eval.Top1 : state.BestTop1,
                SinceBest = better ? 0 : state.SinceBest + 1,
            };
            if (better)
            {
                Checkpoint.Save(files[RunFiles.Best], ema?.Model ?? net, Info(epoch + 1, eval.Top1));
                CheckpointSaved?.Invoke(new("best", files[RunFiles.Best], epoch + 1));
            }
            step.Metrics.Restore(0, 0, 0);
            SaveLast(epoch + 1, 0, 0);
            EpochEnd?.Invoke(metrics);
            if (o.EarlyStopping is { } patience && state.SinceBest >= patience && epoch + 1 < o.Epochs)
                return Result(files, history, state, interrupted: false, stoppedEarly: true);
            if (cancel.IsCancellationRequested && epoch + 1 < o.Epochs)
                return Result(files, history, state, interrupted: true, stoppedEarly: false);
        }
        return Result(files, history, state, interrupted: false, stoppedEarly: false);
    }

    private void Report(int epoch, int epochs, int index, int steps, RunningMetrics metrics, long images, TimeSpan elapsed)
    {
        if (Progress is null) return;
        var (loss, acc) = metrics.Read();
        Progress(new TrainProgress(epoch + 1, epochs, index, steps, loss, acc, images / Math.Max(elapsed.TotalSeconds, 1e-9), elapsed));
    }

    private static TrainResult Result(RunFiles files, List<EpochMetrics> history, TrainState state, bool interrupted, bool stoppedEarly) =>
        new(files.Directory, history, state.BestEpoch, Math.Max(0, state.BestTop1), interrupted, stoppedEarly);

    /// <summary>The effective options (a resumed run's saved ones) and the saved state, if resuming.</summary>
    private static (TrainOptions, TrainState?) Prepare(TrainOptions o)
    {
        if (o.Resume is null)
        {
            o.Validate();
            string name = DataSpec.Default;
            var spec = o.Data.Split(':', 2)[0];
            string dir = o.OutDir ?? Path.Combine("runs", $"{o.Model}-{(string.IsNullOrEmpty(spec) ? name : spec)}-{DateTime.Now:yyyyMMdd-HHmmss}");
            return (o with { OutDir = dir }, null);
        }
        string stateFile = Path.Combine(o.Resume, RunFiles.LastStateJson);
        if (!File.Exists(stateFile))
            throw new ResNetSharpException($"cannot resume: '{stateFile}' does not exist. --resume takes a run directory written by 'resnet train' (its --out).");
        TrainState saved;
        try { saved = JsonSerializer.Deserialize<TrainState>(File.ReadAllText(stateFile), Checkpoint.Json)!; }
        catch (JsonException e) { throw new ResNetSharpException($"cannot resume: '{stateFile}' is damaged ({e.Message}); start a new run."); }
        var effective = saved.Options with { Resume = o.Resume, OutDir = o.Resume, Device = o.Device };
        effective.Validate();
        return (effective, saved);
    }

    private static TrainState Restore(RunFiles files, TrainState saved, ResNet net, optim.Optimizer optimizer, IReadOnlyList<string> names,
        TrainStep step, WeightAverage? ema)
    {
        using var weights = SafeTensors.Load(files[RunFiles.Last]);
        using var tensors = SafeTensors.Load(files[RunFiles.LastState]);
        if (weights.Metadata.GetValueOrDefault("save_id") != saved.SaveId || tensors.Metadata.GetValueOrDefault("save_id") != saved.SaveId)
            throw new ResNetSharpException($"cannot resume from '{files.Directory}': last.safetensors, last.state.safetensors and last.state.json come from different saves (an interrupted write); start a new run.");
        WeightLoading.LoadInto(net, weights.Tensors, strict: true);
        OptimizerCheckpoint.Restore(optimizer, names, tensors.Tensors);
        ema?.CopyFrom(tensors.Tensors.Where(kv => kv.Key.StartsWith("ema.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["ema.".Length..], kv => kv.Value));
        step.Step = saved.GlobalStep;
        step.Metrics.Restore(saved.LossSum, saved.Correct, saved.Count);
        if (saved.TorchRngState.Length > 0)
        {
            using var rng = torch.tensor(Convert.FromBase64String(saved.TorchRngState));
            torch.set_rng_state(rng);
        }
        return saved;
    }
}
