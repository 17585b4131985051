using ResNetSharp.Data;
using ResNetSharp.Distributed;
using ResNetSharp.Models;
using ResNetSharp.Runtime;
using ResNetSharp.TransferLearning;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// What a training run and the LR finder both set up from the options, in this order: torch's seed, the data (or the
/// given source), the model (<see cref="TrainingModel.Prepare"/>), the augmented training loader (sharded by the
/// sampler when data-parallel) and the optimizer with its parameter names in optimizer order; <see cref="CreateStep"/>
/// makes the training step over them. Disposes what it created (also after a failed <see cref="Create"/>).
/// </summary>
internal sealed class TrainingSetup : IDisposable
{
    private readonly DataSource? _ownedData;
    private readonly ResNet? _ownedModel;

    private TrainingSetup(TrainOptions o, ResNet? model, DataSource? data, bool loadWeights, Device device, DistributedSampler? sampler)
    {
        Options = o;
        try
        {
            torch.manual_seed(o.Seed);
            _ownedData = data is null ? DataSpec.Open(o.Data, o.Download, o.ImageSize, loader: o.Loader) : null;
            Source = data ?? _ownedData!;
            var augment = Augmentation.Parse(o.Augment);
            Net = TrainingModel.Prepare(o, Source, model, loadWeights, device, out var freeze);
            Freeze = freeze;
            _ownedModel = model is null ? Net : null;
            TrainLoader = Source.CreateLoader(Split.Train, o.BatchSize, device, o.Seed, augment, sampler);
            Optimizer = ParameterGroups.CreateOptimizer(Net, o);
            Names = ParameterGroups.OrderedNames(Net, o.DecayNormAndBias);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TrainOptions Options { get; }
    public DataSource Source { get; }
    public ResNet Net { get; }
    public FreezeSpec Freeze { get; }
    public IDataLoader TrainLoader { get; }
    public optim.Optimizer Optimizer { get; }

    /// <summary>The parameters' state_dict names in optimizer order (for the optimizer's checkpoint).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>
    /// Sets up <paramref name="model"/> (or the named one) on <paramref name="data"/> (or the options' data);
    /// <paramref name="loadWeights"/> is false on resume, whose checkpoint holds the weights.
    /// </summary>
    public static TrainingSetup Create(TrainOptions options, ResNet? model, DataSource? data, bool loadWeights, Device device,
        DistributedSampler? sampler = null) => new(options, model, data, loadWeights, device, sampler);

    /// <summary>The training step over the model and optimizer, in the options' layout and precision; <paramref name="schedule"/> null keeps the optimizer's rate.</summary>
    public TrainStep CreateStep(LrSchedule? schedule) =>
        new(Net, Optimizer, schedule, Options.LabelSmoothing, Options.ClipGrad)
        {
            InputTransform = FastPath.InputTransform(Options.ChannelsLast),
            ForwardWrapper = FastPath.ForwardWrapper(Options.Precision),
        };

    /// <summary>Training mode, with the batch norms of frozen layers kept in evaluation mode.</summary>
    public void TrainMode() => TrainingModel.TrainMode(Net, Freeze);

    /// <summary>Disposes what was created, in reverse order.</summary>
    public void Dispose()
    {
        Optimizer?.Dispose();
        TrainLoader?.Dispose();
        _ownedModel?.Dispose();
        _ownedData?.Dispose();
    }
}
