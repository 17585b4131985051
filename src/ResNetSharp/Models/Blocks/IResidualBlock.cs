namespace ResNetSharp.Models.Blocks;

/// <summary>A block whose residual branch can be made to start as zero, so the block starts as the identity.</summary>
public interface IResidualBlock
{
    /// <summary>Zeroes the last BN weight (post-activation) or last conv weight (pre-activation) of the residual branch.</summary>
    void ZeroInitLast();
}
