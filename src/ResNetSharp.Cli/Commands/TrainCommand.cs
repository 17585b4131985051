using ResNetSharp.Runtime;
using System.CommandLine;
using ResNetSharp.Data;
using ResNetSharp.Training;
using Spectre.Console;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet train</c>: trains a model (by default resnet20 on the synthetic data, to over 90% in under 3 minutes on 2 CPU cores).</summary>
internal static class TrainCommand
{
    /// <summary>
    /// The train command; <paramref name="name"/> and <paramref name="run"/> reuse its flags for another command
    /// (lr-find), which then runs instead of training.
    /// </summary>
    public static Command Create(string name = "train", string? description = null, Func<ParseResult, TrainOptions, int>? run = null)
    {
        var d = new TrainOptions();
        var model = new Option<string>("--model") { Description = "A named model (see 'resnet models').", DefaultValueFactory = _ => d.Model };
        var data = new Option<string>("--data") { Description = $"Dataset: {DataSpec.Forms}.", DefaultValueFactory = _ => d.Data };
        var download = new Option<bool>("--download") { Description = "Download missing dataset files." };
        var imageSize = new Option<int?>("--image-size") { Description = "Input side for folder:DIR data (default: small images at their own size, others 224)." };
        var epochs = new Option<int>("--epochs") { Description = "Epochs to train.", DefaultValueFactory = _ => d.Epochs };
        var batch = new Option<int>("--batch-size") { Description = "Images per step (per rank with --distributed).", DefaultValueFactory = _ => d.BatchSize };
        var lr = new Option<string>("--lr") { Description = "Peak learning rate, or auto[=steep|valley|minimum]: run the LR range test (resnet lr-find) first and train with that rule's suggestion (default steep).", DefaultValueFactory = _ => d.Lr.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd or adamw.", DefaultValueFactory = _ => "sgd" };
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum in [0, 1).", DefaultValueFactory = _ => d.Momentum };
        var nesterov = new Option<bool>("--nesterov") { Description = "Nesterov momentum (SGD).", DefaultValueFactory = _ => d.Nesterov };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Weight decay (not on batch-norm parameters and biases).", DefaultValueFactory = _ => d.WeightDecay };
        var smoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing in [0, 1).", DefaultValueFactory = _ => d.LabelSmoothing };
        var schedule = new Option<string>("--schedule") { Description = "step, multistep, cosine or onecycle (per-step).", DefaultValueFactory = _ => "onecycle" };
        var warmup = new Option<double>("--warmup-epochs") { Description = "Linear warmup epochs (onecycle: the rising phase; default 30%).", DefaultValueFactory = _ => d.WarmupEpochs };
        var augment = new Option<string>("--augment") { Description = "standard, none, or a list of crop[=PAD], flip, cutout[=SIZE], mixup[=ALPHA] (0.2), cutmix[=ALPHA] (1.0).", DefaultValueFactory = _ => d.Augment };
        var device = CliOptions.Device();
        var precision = new Option<string>("--precision") { Description = "fp32, or bf16 mixed precision (fp32 weights and optimizer state, bf16 convolutions).", DefaultValueFactory = _ => "fp32" };
        precision.AcceptOnlyFromAmong(Precisions.Names);
        var channelsLast = new Option<bool>("--channels-last") { Description = "Inputs and convolution weights in the channels_last (NHWC) layout, faster on CPUs and GPUs; '--channels-last false' for NCHW.", DefaultValueFactory = _ => d.ChannelsLast };
        var seed = new Option<int>("--seed") { Description = "Random seed (weights, data order, augmentation).", DefaultValueFactory = _ => d.Seed };
        var outDir = new Option<string?>("--out") { Description = "Run directory (default runs/<model>-<data>-<time>)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this directory from its last state (its saved settings are used)." };
        var ema = new Option<double?>("--ema") { Description = "Keep an exponential moving average of the weights with this decay (e.g. 0.999); validate and save it." };
        var early = new Option<int?>("--early-stopping") { Description = "Stop after this many epochs without a better validation top-1." };
        var clip = new Option<double?>("--clip-grad") { Description = "Clip the global gradient norm to this value." };
        var dropPath = new Option<double?>("--drop-path") { Description = "Stochastic depth: drop the last block's residual branch with this probability in training (e.g. 0.1), earlier blocks less (timm's drop_path_rate)." };
        var weights = new Option<string?>("--weights") { Description = $"Fine-tune from these weights: {CliOptions.WeightsForms}; a classifier of another class count is replaced." };
        var numClasses = new Option<int?>("--num-classes") { Description = "Classifier outputs (default and only valid value: the dataset's class count)." };
        var distributed = new Option<bool>("--distributed") { Description = "Data-parallel training, one process per rank, started by mpirun (CPU: Open MPI) or torchrun --no-python (GPUs: NCCL); --batch-size is per rank." };
        var syncBn = new Option<bool>("--sync-bn") { Description = "With --distributed: batch-norm statistics over the global batch (SyncBatchNorm)." };
        var distTimeout = new Option<double>("--dist-timeout") { Description = "Seconds a collective may wait for the other ranks before the job fails.", DefaultValueFactory = _ => d.DistTimeout };
        var freeze = new Option<string>("--freeze") { Description = "When fine-tuning, freeze none, backbone or until:layerN.", DefaultValueFactory = _ => d.Freeze };
        var report = new Option<bool>("--report") { Description = "After training, write report.html (resnet report) into the run directory." };
        var command = new Command(name, description ?? "Train a model; writes checkpoints, metrics, TensorBoard events and curves.png to the run directory.")
        {
            model, data, download, imageSize, epochs, batch, lr, optimizer, momentum, nesterov, weightDecay, smoothing, schedule, warmup,
            augment, device, precision, channelsLast, seed, outDir, resume, ema, early, clip, dropPath, weights, numClasses, freeze,
            distributed, syncBn, distTimeout,
        };
        var loader = new LoaderOptions().AddTo(command);
        if (run is null) command.Options.Add(report);
        command.SetAction(result =>
        {
            var options = new TrainOptions
            {
                Model = result.GetValue(model)!, Data = result.GetValue(data)!, Download = result.GetValue(download), ImageSize = result.GetValue(imageSize),
                Epochs = result.GetValue(epochs), BatchSize = result.GetValue(batch), Lr = AutoLr.Parse(result.GetValue(lr)!),
                Optimizer = TrainOptions.ParseOptimizer(result.GetValue(optimizer)!), Momentum = result.GetValue(momentum),
                Nesterov = result.GetValue(nesterov), WeightDecay = result.GetValue(weightDecay), LabelSmoothing = result.GetValue(smoothing),
                Schedule = LrSchedule.ParseKind(result.GetValue(schedule)!), WarmupEpochs = result.GetValue(warmup),
                Augment = result.GetValue(augment)!, Device = result.GetValue(device)!,
                Precision = Precisions.Parse(result.GetValue(precision)!), ChannelsLast = result.GetValue(channelsLast), Seed = result.GetValue(seed),
                OutDir = result.GetValue(outDir), Resume = result.GetValue(resume), Ema = result.GetValue(ema),
                EarlyStopping = result.GetValue(early), ClipGrad = result.GetValue(clip), DropPath = result.GetValue(dropPath),
                Weights = result.GetValue(weights), NumClasses = result.GetValue(numClasses), Freeze = result.GetValue(freeze)!,
                Distributed = result.GetValue(distributed), SyncBn = result.GetValue(syncBn), DistTimeout = result.GetValue(distTimeout),
                Loader = loader.Read(result),
            };
            options.Validate();   // bad flags fail before any download
            if (options.Weights is { } w) options = options with { Weights = CliOptions.WeightsFile(result, options.Model, w) };
            if (run is not null) return run(result, options);
            return AutoLr.Train(result, options, AutoLr.Rule(result.GetValue(lr)!), result.GetValue(report));
        });
        return command;
    }
}
