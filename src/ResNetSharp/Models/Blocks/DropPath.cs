using static TorchSharp.torch;

namespace ResNetSharp.Models.Blocks;

/// <summary>
/// Stochastic depth (Huang et al. 2016), as timm's <c>drop_path</c>: in training, each sample's residual branch is
/// dropped with probability <c>rate</c> and kept ones are scaled by 1 / (1 − rate), so the expectation is unchanged;
/// in evaluation the branch passes unchanged. The mask comes from the global torch generator on the branch's device.
/// </summary>
internal static class DropPath
{
    public static Tensor Apply(Tensor branch, double rate, bool training)
    {
        if (!training || rate <= 0) return branch;
        double keep = 1 - rate;
        using var mask = empty([branch.shape[0], 1, 1, 1], branch.dtype, branch.device).bernoulli_(keep).div_(keep);
        return branch.mul(mask);
    }
}
