using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using ResNetSharp.Data;
using ResNetSharp.Distributed;
using ResNetSharp.Evaluation;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Runs;
using ResNetSharp.Runtime;
using ResNetSharp.TransferLearning;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>How one epoch's training pass ended: the steps run (of the epoch), images, and whether it was cancelled part-way.</summary>
internal readonly record struct EpochPass(int Steps, long Images, double TrainSeconds, double Seconds, bool Interrupted);

/// <summary>
/// The state of one <see cref="Trainer.Run"/>, in named steps: <see cref="Prepare"/> (options, the process group, the
/// <see cref="TrainingSetup"/> shared with the LR finder, validation loader, step, resume), <see cref="TrainEpoch"/>,
/// <see cref="Validate"/>, <see cref="RecordEpoch"/> (metrics files, best checkpoint) and <see cref="SaveLast"/> (the
/// resumable state). Disposes everything it created.
/// One process runs in a <see cref="SingleProcessGroup"/>, whose collectives are identities. <see cref="DataParallel"/>
/// (a group given or launched): every rank prepares and trains on its shard; what all ranks reduce is in
/// <see cref="GlobalTotals"/> and the evaluator, and only rank 0 (<see cref="IsMain"/>) writes files.
/// </summary>
internal sealed class TrainingRun : IDisposable
{
    private readonly TrainingSetup _setup;
    private readonly ProcessGroup? _ownedGroup;
    private readonly SyncBatchNorm? _syncBn;
    private readonly DataParallel? _parallel, _emaParallel;
    private readonly List<EpochMetrics> _history;
    private readonly Stopwatch _wall = new();
    private readonly double _wallCarried;

    private TrainingRun(TrainOptions o, TrainState? resumed, ResNet? model, DataSource? data, ProcessGroup? group)
    {
        Options = o;
        var device = Devices.Resolve(o.Device);
        DataParallel = group is not null || o.Distributed;
        if (group is null && o.Distributed)
        {
            var launch = Launch.FromEnvironment();
            device = launch.Device(device);
            group = _ownedGroup = launch.Create(device, TimeSpan.FromSeconds(o.DistTimeout));
        }
        group ??= _ownedGroup = new SingleProcessGroup(TimeSpan.FromSeconds(o.DistTimeout));
        Group = group;
        try
        {
            CheckSameOptions(o);
            _setup = TrainingSetup.Create(o, model, data, loadWeights: resumed is null, device,
                DataParallel ? new DistributedSampler(Group.Rank, Group.WorldSize, o.Seed) : null);
            var parallel = _parallel = DataParallel ? new DataParallel(Net, Group) : null;
            parallel?.BroadcastState();   // rank 0's initial weights and buffers (before the EMA copies them)
            _syncBn = o.SyncBn && DataParallel ? new SyncBatchNorm(Net, Group) : null;

            Files = IsMain ? new RunFiles(o.OutDir!) : null;
            ValLoader = Source.CreateLoader(Split.Val, o.BatchSize, device, o.Seed, Augmentation.None,
                DataParallel ? DistributedSampler.Exact(Group.Rank, Group.WorldSize) : null);
            var schedule = new LrSchedule(o.Schedule, o.Lr, TrainLoader.BatchesPerEpoch, o.Epochs, o.WarmupEpochs);
            Step = _setup.CreateStep(schedule);
            Step.BeforeForward = parallel is null ? null : parallel.SyncBuffers;
            Step.AfterBackward = parallel is null ? null : parallel.AllReduceGradients;
            Ema = o.Ema is { } decay ? new WeightAverage(Net, decay, schedule.WarmupSteps) : null;
            _emaParallel = Ema is not null && DataParallel ? new DataParallel(Ema.Model, Group) : null;

            State = resumed is null ? new TrainState { Options = o } : Restore(resumed);
            var (c, h, w) = Source.InputSize;
            if (resumed is null) Files?.WriteJson(RunFiles.Config, new { options = o, model = Net.Config, data = new { Source.Name, Source.Classes, InputSize = $"{c}x{h}x{w}", Source.Mean, Source.Std } });
            _history = State.History.ToList();
            _wallCarried = _history.LastOrDefault()?.WallSeconds ?? 0;
        }
        catch (Exception e)
        {
            Group.Failed = true;   // before disposing: no collective shutdown
            Dispose();   // what was created so far
            throw Group.Fail(e);
        }
    }

    public TrainOptions Options { get; }
    public DataSource Source => _setup.Source;
    public ResNet Net => _setup.Net;
    /// <summary>The run directory's files: rank 0's only (null on other ranks).</summary>
    public RunFiles? Files { get; }

    /// <summary>The ranks of the run: a <see cref="SingleProcessGroup"/> for one process.</summary>
    public ProcessGroup Group { get; }

    /// <summary>Whether the run is data-parallel (a group was given or launched): the loaders are sharded and the gradients all-reduced.</summary>
    public bool DataParallel { get; }

    /// <summary>Whether this process writes files and reports: rank 0, or the only process.</summary>
    public bool IsMain => Group.IsMain;

    public IDataLoader TrainLoader => _setup.TrainLoader;
    public IDataLoader ValLoader { get; }
    public optim.Optimizer Optimizer => _setup.Optimizer;
    public IReadOnlyList<string> Names => _setup.Names;
    public TrainStep Step { get; }
    public WeightAverage? Ema { get; }
    public TrainState State { get; private set; }
    public IReadOnlyList<EpochMetrics> History => _history;

    /// <summary>The model validated and saved as "best": the weight average when there is one.</summary>
    private nn.Module<Tensor, Tensor> Evaluated => Ema?.Model ?? (nn.Module<Tensor, Tensor>)Net;

    /// <summary>Step 1: the effective options (a resumed run's saved ones), the data, model, loaders and optimizer, restored when resuming.</summary>
    public static TrainingRun Prepare(TrainOptions options, ResNet? model, DataSource? data, ProcessGroup? group = null)
    {
        var (o, resumed) = EffectiveOptions(options);
        return new TrainingRun(o, resumed, model, data, group);
    }

    /// <summary>Training mode, with frozen batch norms kept in eval mode.</summary>
    public void TrainMode() => _setup.TrainMode();

    /// <summary>
    /// Step 2: trains one epoch (from the saved step when resuming into it), reporting progress every
    /// <see cref="TrainOptions.ProgressEvery"/> steps; stops after the current step when <paramref name="cancel"/> is set.
    /// </summary>
    public EpochPass TrainEpoch(int epoch, CancellationToken cancel, Action<int, long, TimeSpan> report)
    {
        int skip = epoch == State.Epoch ? State.StepInEpoch : 0;
        if (skip == 0) Step.Metrics.Restore(0, 0, 0);
        double carried = epoch == State.Epoch ? State.EpochSeconds : 0;
        var clock = Stopwatch.StartNew();
        long images = 0;
        int index = 0;
        int steps = TrainLoader.BatchesPerEpoch;
        _wall.Start();   // the training clock starts with the first epoch trained in this process
        foreach (var batch in TrainLoader.Epoch(epoch))
        {
            using (batch)
            {
                if (index++ < skip) continue;
                Step.Run(batch);
                Ema?.Update(Step.Step);
                images += batch.Size;
            }
            if (index % Options.ProgressEvery == 0 || index == steps) report(index, images, clock.Elapsed);
            if (index < steps && Stopping(cancel))
                return new EpochPass(index, images, clock.Elapsed.TotalSeconds, carried + clock.Elapsed.TotalSeconds, Interrupted: true);
        }
        return new EpochPass(index, images, clock.Elapsed.TotalSeconds, carried + clock.Elapsed.TotalSeconds, Interrupted: false);
    }

    /// <summary>Step 3: validates the model (or its weight average) after an epoch's training pass; back in training mode after.</summary>
    public EpochMetrics Validate(int epoch, EpochPass pass)
    {
        var (lossSum, correct, count) = GlobalTotals();
        _parallel?.SyncBuffers();   // every rank validates with rank 0's running statistics
        _emaParallel?.SyncBuffers();
        var eval = Evaluator.Run(Evaluated, ValLoader, Source.Classes, Options.Precision, Options.ChannelsLast, Group, Options.Tta);
        TrainMode();
        return new EpochMetrics
        {
            Epoch = epoch + 1, Lr = Step.LearningRate,
            TrainLoss = count == 0 ? 0 : lossSum / count, TrainAcc = count == 0 ? 0 : (double)correct / count,
            ValLoss = eval.Loss, ValTop1 = eval.Top1, ValTop5 = eval.Top5,
            Seconds = pass.Seconds, ImagesPerS = pass.Images * Group.WorldSize / Math.Max(pass.TrainSeconds, 1e-9),
            BadImages = GlobalBadImages(), WallSeconds = _wallCarried + _wall.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Whether to stop: cancellation on any rank stops them all at the same step (one tiny all-reduce per call).</summary>
    public bool Stopping(CancellationToken cancel)
    {
        if (Group.WorldSize == 1) return cancel.IsCancellationRequested;
        using var flag = torch.tensor(new[] { cancel.IsCancellationRequested ? 1L : 0L });
        Group.AllReduce(flag, ReduceOp.Max);
        return flag.item<long>() != 0;
    }

    /// <summary>The undecodable images skipped so far (<c>--on-bad-image skip</c>), summed over the ranks.</summary>
    private long GlobalBadImages()
    {
        long bad = TrainLoader.BadImages + ValLoader.BadImages;
        using var total = torch.tensor(new[] { bad });
        Group.AllReduce(total);
        return total.item<long>();
    }

    /// <summary>The epoch's training loss sum, correct count and sample count so far, summed over the ranks.</summary>
    public (double LossSum, long Correct, long Count) GlobalTotals()
    {
        var local = Step.Metrics.Totals();
        using var totals = torch.tensor(new[] { local.LossSum, local.Correct, local.Count });
        Group.AllReduce(totals);
        var t = totals.data<double>().ToArray();
        return (t[0], (long)t[1], (long)t[2]);
    }

    /// <summary>Step 4: adds an epoch to the history and metrics files; saves "best" when its top-1 is the best so far (returned, else null).</summary>
    public CheckpointSaved? RecordEpoch(EpochMetrics metrics)
    {
        _history.Add(metrics);
        Files?.WriteEpoch(_history);
        bool better = metrics.ValTop1 > State.BestTop1;
        State = State with
        {
            BestEpoch = better ? metrics.Epoch : State.BestEpoch, BestTop1 = better ? metrics.ValTop1 : State.BestTop1,
            SinceBest = better ? 0 : State.SinceBest + 1,
        };
        if (!better || Files is null) return null;
        Checkpoint.Save(Files[RunFiles.Best], Evaluated, Info(metrics.Epoch, metrics.ValTop1));
        return new("best", Files[RunFiles.Best], metrics.Epoch);
    }

    /// <summary>
    /// Step 5: saves the resumable state: weights, optimizer (and EMA) tensors and last.state.json, tied by one save id,
    /// with the metric totals of all ranks; null on ranks other than 0, which write nothing.
    /// </summary>
    public CheckpointSaved? SaveLast(int epoch, int stepInEpoch, double epochSeconds)
    {
        var (lossSum, correct, count) = GlobalTotals();
        if (Files is null) return null;
        string id = Guid.NewGuid().ToString("N");
        var extra = new Dictionary<string, string> { ["save_id"] = id };
        Checkpoint.Save(Files[RunFiles.Last], Net, Info(epoch, _history.LastOrDefault()?.ValTop1), extra);
        var tensors = OptimizerCheckpoint.Capture(Optimizer, Names);
        if (Ema is not null)
            foreach (var (k, t) in Ema.Model.state_dict()) tensors[$"ema.{k}"] = t.detach().cpu().clone();
        try { SafeTensors.Save(Files[RunFiles.LastState], tensors, extra); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
        using var rng = torch.get_rng_state();
        State = State with
        {
            SaveId = id, WorldSize = Group.WorldSize, Epoch = epoch, StepInEpoch = stepInEpoch, GlobalStep = Step.Step, LossSum = lossSum, Correct = correct,
            Count = count, EpochSeconds = epochSeconds, History = _history.ToList(), TorchRngState = Convert.ToBase64String(rng.data<byte>().ToArray()),
        };
        Files.WriteJson(RunFiles.LastStateJson, State);
        return new("last", Files[RunFiles.Last], epoch);
    }

    /// <summary>How the run ended; data-parallel ranks return together (after rank 0 has written its files).</summary>
    public TrainResult Result(bool interrupted, bool stoppedEarly)
    {
        Group.Barrier();
        return new(Options.OutDir!, _history.ToList(), State.BestEpoch, Math.Max(0, State.BestTop1), interrupted, stoppedEarly)
        {
            IsMain = IsMain,
            Distributed = !DataParallel ? null : (Group.WorldSize, Group.Backend, Group.CommunicationTime.TotalSeconds),
        };
    }

    private CheckpointInfo Info(int epoch, double? top1)
    {
        var (c, h, w) = Source.InputSize;
        return new(Options.Model, Net.Config, Source.Classes, Source.Mean, Source.Std, new InputShape(c, h, w), epoch, top1);
    }

    /// <summary>The effective options (a resumed run's saved ones) and the saved state, if resuming.</summary>
    private static (TrainOptions, TrainState?) EffectiveOptions(TrainOptions o)
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
            throw new ResNetSharpException($"cannot resume: '{stateFile}' does not exist. TrainOptions.Resume takes a run directory written by 'resnet train' (its TrainOptions.OutDir).");
        TrainState saved;
        try { saved = JsonSerializer.Deserialize<TrainState>(File.ReadAllText(stateFile), Checkpoint.Json)!; }
        catch (JsonException e) { throw new ResNetSharpException($"cannot resume: '{stateFile}' is damaged ({e.Message}); start a new run."); }
        var effective = saved.Options with { Resume = o.Resume, OutDir = o.Resume, Device = o.Device };
        effective.Validate();
        return (effective, saved);
    }

    /// <summary>Every rank checks that rank 0's options are its own (the same flags on every rank).</summary>
    private void CheckSameOptions(TrainOptions o)
    {
        if (Group.WorldSize == 1) return;
        var shared = o with { OutDir = null, Resume = null, Device = "" };
        using var mine = torch.tensor(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(shared, Checkpoint.Json)));
        using var all = Group.AllGather(mine);
        if (!mine.eq(all[0]).all().item<bool>())
            throw new ResNetSharpException("this rank was started with other training options than rank 0: start every rank with the same flags.");
    }

    private TrainState Restore(TrainState saved)
    {
        string dir = Options.OutDir!;
        int world = Group.WorldSize;
        if (saved.WorldSize != world)
            throw new ResNetSharpException($"cannot resume '{dir}' on {world} process(es): it was trained on {saved.WorldSize}. Resume it at the same world size ({(saved.WorldSize > 1 ? $"mpirun -np {saved.WorldSize} resnet train TrainOptions.Resume {dir}" : $"resnet train TrainOptions.Resume {dir}")}).");
        using var weights = SafeTensors.Load(Path.Combine(dir, RunFiles.Last));
        using var tensors = SafeTensors.Load(Path.Combine(dir, RunFiles.LastState));
        if (weights.Metadata.GetValueOrDefault("save_id") != saved.SaveId || tensors.Metadata.GetValueOrDefault("save_id") != saved.SaveId)
            throw new ResNetSharpException($"cannot resume from '{dir}': last.safetensors, last.state.safetensors and last.state.json come from different saves (an interrupted write); start a new run.");
        WeightLoading.LoadInto(Net, weights.Tensors, strict: true);
        OptimizerCheckpoint.Restore(Optimizer, Names, tensors.Tensors);
        Ema?.CopyFrom(tensors.Tensors.Where(kv => kv.Key.StartsWith("ema.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["ema.".Length..], kv => kv.Value));
        Step.Step = saved.GlobalStep;
        if (IsMain) Step.Metrics.Restore(saved.LossSum, saved.Correct, saved.Count);   // the saved totals are all ranks' sums
        else Step.Metrics.Restore(0, 0, 0);
        if (saved.TorchRngState.Length > 0)
        {
            using var rng = torch.tensor(Convert.FromBase64String(saved.TorchRngState));
            torch.set_rng_state(rng);
        }
        return saved;
    }

    /// <summary>Disposes what was created, in reverse order (also after a failed <see cref="Prepare"/>).</summary>
    public void Dispose()
    {
        Ema?.Dispose();
        Step?.Dispose();
        ValLoader?.Dispose();
        Files?.Dispose();
        _syncBn?.Dispose();
        _setup?.Dispose();
        _ownedGroup?.Dispose();
    }
}
