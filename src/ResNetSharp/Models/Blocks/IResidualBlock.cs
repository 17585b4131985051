namespace ResNetSharp.Models.Blocks;

/// <summary>
/// A block with a residual branch: it can be made to start as zero (so the block starts as the identity), and dropped
/// per sample in training (stochastic depth).
/// </summary>
public interface IResidualBlock
{
    /// <summary>The probability, in training, that a sample's residual branch is dropped (0: never).</summary>
    double DropPathRate { get; set; }

    /// <summary>Zeroes the last BN weight (post-activation) or last conv weight (pre-activation) of the residual branch.</summary>
    void ZeroInitLast();
}
