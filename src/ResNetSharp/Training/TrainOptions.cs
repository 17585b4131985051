using ResNetSharp.Data;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Pretrained;
using ResNetSharp.Settings;
using ResNetSharp.TransferLearning;

namespace ResNetSharp.Training;

/// <summary>The optimizers a <see cref="Trainer"/> can use.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with (optionally Nesterov) momentum and L2 weight decay.</summary>
    Sgd,
    /// <summary>AdamW with decoupled weight decay (Loshchilov &amp; Hutter 2019).</summary>
    AdamW,
}

/// <summary>
/// Everything a training run depends on. The defaults are the tuned out-of-the-box run: resnet20 on the built-in
/// synthetic data, which reaches over 90% validation accuracy in well under three minutes on two CPU cores.
/// </summary>
public sealed record TrainOptions
{
    /// <summary>A model name from the zoo: built when no model instance is given to the <see cref="Trainer"/>, else the name recorded for the instance.</summary>
    [Setting("model", "A named model (see 'resnet models').")]
    public string Model { get; init; } = "resnet20";

    /// <summary>A data spec for <see cref="DataSpec.Open"/>.</summary>
    [Setting("data", "Dataset: " + DataSpec.Forms + ".")]
    public string Data { get; init; } = DataSpec.Default;

    /// <summary>Whether missing dataset files may be downloaded.</summary>
    [Setting("download", "Download missing dataset files.")]
    public bool Download { get; init; }

    /// <summary>Input side for folder data (default: small images at their own size, others at 224); <see cref="DataSpec.Open"/>.</summary>
    [Setting("image-size", "Input side for folder:DIR data (default: small images at their own size, others 224).")]
    public int? ImageSize { get; init; }

    /// <summary>Epochs to train (default 2, the tuned synthetic run).</summary>
    [Setting("epochs", "Epochs to train.")]
    public int Epochs { get; init; } = 2;
    /// <summary>Images per optimisation step; per rank in a data-parallel run (default 64).</summary>
    [Setting("batch-size", "Images per step (per rank with --distributed).")]
    public int BatchSize { get; init; } = 64;

    /// <summary>Peak learning rate (the base rate of the schedule).</summary>
    [Setting("lr", "Peak learning rate, or auto[=steep|valley|minimum]: run the LR range test (resnet lr-find) first and train with that rule's suggestion (default steep).")]
    public double Lr { get; init; } = 0.2;

    /// <summary>The optimizer: SGD (default) or AdamW.</summary>
    [Setting("optimizer", "sgd or adamw.")]
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;
    /// <summary>SGD momentum in [0, 1) (default 0.9); AdamW ignores it.</summary>
    [Setting("momentum", "SGD momentum in [0, 1).")]
    public double Momentum { get; init; } = 0.9;
    /// <summary>Nesterov momentum for SGD (default on).</summary>
    [Setting("nesterov", "Nesterov momentum (SGD).")]
    public bool Nesterov { get; init; } = true;
    /// <summary>L2 weight decay (SGD) or decoupled weight decay (AdamW), default 5e-4; not applied to batch-norm parameters and biases unless <see cref="DecayNormAndBias"/>.</summary>
    [Setting("weight-decay", "Weight decay (not on batch-norm parameters and biases).")]
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Apply weight decay to batch-norm parameters and biases too (off: the usual practice).</summary>
    public bool DecayNormAndBias { get; init; }

    /// <summary>Label smoothing of the cross-entropy targets, in [0, 1) (default 0).</summary>
    [Setting("label-smoothing", "Label smoothing in [0, 1).")]
    public double LabelSmoothing { get; init; }
    /// <summary>The learning-rate schedule, applied per step (default one-cycle).</summary>
    [Setting("schedule", "step, multistep, cosine or onecycle (per-step).")]
    public ScheduleKind Schedule { get; init; } = ScheduleKind.OneCycle;
    /// <summary>Linear warmup from zero to <see cref="Lr"/>, in epochs (fractions allowed); 0 with one-cycle means its rising phase, 30% of the run.</summary>
    [Setting("warmup-epochs", "Linear warmup epochs (onecycle: the rising phase; default 30%).")]
    public double WarmupEpochs { get; init; }

    /// <summary>Training augmentation, in <see cref="Augmentation.Parse"/>'s syntax.</summary>
    [Setting("augment", "standard, none, or a list of crop[=PAD], flip, cutout[=SIZE], mixup[=ALPHA] (0.2), cutmix[=ALPHA] (1.0), trivialaugment, randaugment[=N:M], autoaugment[=imagenet|cifar10|svhn], erasing[=P].")]
    public string Augment { get; init; } = "flip";

    /// <summary>Test-time augmentation of each epoch's validation (<see cref="Evaluation.Evaluator.Run"/>).</summary>
    [Setting("tta", "Test-time augmentation of each epoch's validation: none, or flip (average each image's and its mirror image's probabilities; twice the validation time).")]
    public Evaluation.TestTimeAugmentation Tta { get; init; }

    /// <summary>auto, cpu, cuda or cuda:N.</summary>
    [Setting("device", Runtime.Devices.Description)]
    public string Device { get; init; } = "auto";

    /// <summary>fp32, or bf16 mixed precision (<see cref="Runtime.Autocast"/>).</summary>
    [Setting("precision", "fp32, or bf16 mixed precision (fp32 weights and optimizer state, bf16 convolutions).")]
    public Runtime.Precision Precision { get; init; } = Runtime.Precision.FP32;

    /// <summary>
    /// Inputs and convolution weights in the channels_last layout (<see cref="Runtime.ChannelsLast"/>). On by default: it is
    /// the fast layout for bf16 on GPUs and for oneDNN on CPUs (resnet20 trains about 20% faster on 2 CPU cores).
    /// </summary>
    [Setting("channels-last", "Inputs and convolution weights in the channels_last (NHWC) layout, faster on CPUs and GPUs; '--channels-last false' for NCHW.")]
    public bool ChannelsLast { get; init; } = true;

    /// <summary>Random seed of the weights, the data order and the augmentation (default 42).</summary>
    [Setting("seed", "Random seed (weights, data order, augmentation).")]
    public int Seed { get; init; } = 42;

    /// <summary>Output directory; null means <c>runs/&lt;model&gt;-&lt;data&gt;-&lt;yyyyMMdd-HHmmss&gt;</c>.</summary>
    [Setting("out", "Run directory (default runs/<model>-<data>-<time>).")]
    public string? OutDir { get; init; }

    /// <summary>Continue the run saved in <see cref="OutDir"/> (or in this directory when given) from its last state.</summary>
    [Setting("resume", "Continue the run in this directory from its last state (its saved settings are used).")]
    public string? Resume { get; init; }

    /// <summary>Decay of an exponential moving average of the weights (e.g. 0.999); null: off. Validation and checkpoints then use the averaged weights.</summary>
    [Setting("ema", "Keep an exponential moving average of the weights with this decay (e.g. 0.999); validate and save it.")]
    public double? Ema { get; init; }

    /// <summary>Stop after this many epochs without a better validation top-1; null: never.</summary>
    [Setting("early-stopping", "Stop after this many epochs without a better validation top-1.")]
    public int? EarlyStopping { get; init; }

    /// <summary>Clip the global gradient norm to this value; null: off.</summary>
    [Setting("clip-grad", "Clip the global gradient norm to this value.")]
    public double? ClipGrad { get; init; }

    /// <summary>Stochastic depth: the last block's drop-path rate (<see cref="Models.ResNet.DropPathRate"/>); null: the model's own (0 for named models).</summary>
    [Setting("drop-path", "Stochastic depth: drop the last block's residual branch with this probability in training (e.g. 0.1), earlier blocks less (timm's drop_path_rate).")]
    public double? DropPath { get; init; }

    /// <summary>Pretrained weights (.safetensors, .pth, .pt) to fine-tune from; the classifier is replaced when its class count differs.</summary>
    [Setting("weights", "Fine-tune from these weights: " + PretrainedWeights.Forms + "; a classifier of another class count is replaced.")]
    public string? Weights { get; init; }

    /// <summary>Classifier outputs; must equal the dataset's class count (which is the default).</summary>
    [Setting("num-classes", "Classifier outputs (default and only valid value: the dataset's class count).")]
    public int? NumClasses { get; init; }

    /// <summary>What to freeze when fine-tuning: none, backbone or until:layerN.</summary>
    [Setting("freeze", "When fine-tuning, freeze none, backbone or until:layerN.")]
    public string Freeze { get; init; } = "none";

    /// <summary>Workers, prefetch depth, decode mode and bad-image policy of streaming (folder) data.</summary>
    [SettingsGroup]
    public ResNetSharp.Data.Loading.LoaderSettings Loader { get; init; } = ResNetSharp.Data.Loading.LoaderSettings.Default;

    /// <summary>Read the device-side metrics for the progress callback every this many steps (each read is one host-device sync).</summary>
    public int ProgressEvery { get; init; } = 20;

    /// <summary>
    /// Data-parallel training, one process per rank (<see cref="Distributed.Launch"/>: started by mpirun or torchrun):
    /// <see cref="BatchSize"/> is then per rank, the global batch is BatchSize × world size.
    /// </summary>
    [Setting("distributed", "Data-parallel training, one process per rank, started by mpirun (CPU: Open MPI) or torchrun --no-python (GPUs: NCCL); --batch-size is per rank.")]
    public bool Distributed { get; init; }

    /// <summary>With <see cref="Distributed"/>: batch-norm statistics over the global batch (<see cref="ResNetSharp.Distributed.SyncBatchNorm"/>).</summary>
    [Setting("sync-bn", "With --distributed: batch-norm statistics over the global batch (SyncBatchNorm).")]
    public bool SyncBn { get; init; }

    /// <summary>Seconds a collective may take before the job is declared failed (a rank died or hangs).</summary>
    [Setting("dist-timeout", "Seconds a collective may wait for the other ranks before the job fails.")]
    public double DistTimeout { get; init; } = 300;

    /// <summary>
    /// Throws a <see cref="ResNetSharpException"/> naming the first out-of-range value (as <c>TrainOptions.Property</c>,
    /// which the CLI shows as its flag) and its valid range.
    /// </summary>
    public void Validate()
    {
        Check(Epochs >= 1, $"TrainOptions.Epochs must be at least 1, not {Epochs}.");
        Check(BatchSize >= 1, $"TrainOptions.BatchSize must be at least 1, not {BatchSize}.");
        Check(Lr > 0 && double.IsFinite(Lr), $"TrainOptions.Lr must be a positive number, not {Lr}.");
        Check(Momentum >= 0 && Momentum < 1, $"TrainOptions.Momentum must be in [0, 1), not {Momentum}.");
        Check(!Nesterov || Optimizer != OptimizerKind.Sgd || Momentum > 0, "TrainOptions.Nesterov needs a TrainOptions.Momentum above 0.");
        Check(WeightDecay >= 0 && double.IsFinite(WeightDecay), $"TrainOptions.WeightDecay must be 0 or more, not {WeightDecay}.");
        Check(LabelSmoothing >= 0 && LabelSmoothing < 1, $"TrainOptions.LabelSmoothing must be in [0, 1), not {LabelSmoothing}.");
        Check(WarmupEpochs >= 0 && WarmupEpochs < Epochs, $"TrainOptions.WarmupEpochs must be in [0, TrainOptions.Epochs = {Epochs}), not {WarmupEpochs}.");
        Check(Ema is null || (Ema > 0 && Ema < 1), $"TrainOptions.Ema must be a decay in (0, 1) such as 0.999, not {Ema}.");
        Check(EarlyStopping is null || EarlyStopping >= 1, $"TrainOptions.EarlyStopping must be at least 1 epoch, not {EarlyStopping}.");
        Check(ClipGrad is null || ClipGrad > 0, $"TrainOptions.ClipGrad must be a positive norm, not {ClipGrad}.");
        Check(DropPath is null || (DropPath >= 0 && DropPath < 1), $"TrainOptions.DropPath must be a rate in [0, 1) such as 0.1, not {DropPath}.");
        if (DropPath > 0) (Models.ModelZoo.Config(Model) with { DropPathRate = DropPath.Value }).Validate();   // e.g. a plain net
        Check(ProgressEvery >= 1, $"TrainOptions.ProgressEvery must be at least 1 step, not {ProgressEvery}.");
        Check(ImageSize is null || ImageSize >= 8, $"TrainOptions.ImageSize must be at least 8 pixels, not {ImageSize}.");
        Check(!SyncBn || Distributed, "TrainOptions.SyncBn needs TrainOptions.Distributed (it synchronises batch statistics across ranks).");
        Check(DistTimeout > 0 && double.IsFinite(DistTimeout), $"TrainOptions.DistTimeout must be a positive number of seconds, not {DistTimeout}.");
        Check(NumClasses is null || NumClasses >= 1, $"TrainOptions.NumClasses must be at least 1, not {NumClasses}.");
        Loader.Validate();
        Augmentation.Parse(Augment);
        FreezeSpec.Parse(Freeze);
    }

    /// <summary>Parses an optimizer name (sgd, adamw).</summary>
    public static OptimizerKind ParseOptimizer(string name) => name.Trim().ToLowerInvariant() switch
    {
        "sgd" => OptimizerKind.Sgd,
        "adamw" => OptimizerKind.AdamW,
        _ => throw new ResNetSharpException($"unknown optimizer '{name}': use sgd or adamw."),
    };

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new ResNetSharpException(message);
    }
}
