namespace ResNetSharp.Data;

/// <summary>Batches over one split of a <see cref="DataSource"/>.</summary>
public interface IDataLoader : IDisposable
{
    /// <summary>Number of samples in the split.</summary>
    long Count { get; }

    /// <summary>Batches one <see cref="Epoch"/> yields. Training drops the last incomplete batch (a batch of one
    /// breaks batch norm); validation keeps it.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>
    /// The batches of one epoch, deterministic for a given (seed, epoch): shuffled and augmented for
    /// <see cref="Split.Train"/>, in file order and unaugmented for <see cref="Split.Val"/>.
    /// The caller disposes each <see cref="Batch"/>.
    /// </summary>
    IEnumerable<Batch> Epoch(int epoch);

    /// <summary>Distinct undecodable images skipped so far (with <see cref="Loading.BadImagePolicy.Skip"/>; else 0).</summary>
    long BadImages => 0;
}
