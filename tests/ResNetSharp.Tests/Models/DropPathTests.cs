using ResNetSharp.Models;
using ResNetSharp.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Models;

/// <summary>Stochastic depth: per-sample dropping of residual branches in training, timm's linear rule over blocks.</summary>
public class DropPathTests
{
    // A basic block without batch norm and with an identity shortcut: out = relu(branch(x) + x), with
    // branch(x) = conv2(relu(conv1(x))), computed here from the block's own weights with functional ops.
    private static (BasicBlock Block, Tensor Input, Tensor Branch) BlockAndBranch(double rate)
    {
        var block = new BasicBlock(4, 4, 1, new BlockOptions(ShortcutKind.Projection, Residual: true, Groups: 1, WidthPerGroup: 64, BatchNorm: false))
        {
            DropPathRate = rate,
        };
        var weights = block.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach());
        var x = randn(400, 4, 3, 3, generator: new Generator(3));
        var branch = nn.functional.conv2d(nn.functional.relu(nn.functional.conv2d(x, weights["conv1.weight"], padding: [1, 1])), weights["conv2.weight"], padding: [1, 1]);
        return (block, x, branch);
    }

    [Fact]
    public void In_training_each_sample_keeps_its_branch_scaled_by_one_over_keep_or_drops_it()
    {
        using var scope = NewDisposeScope();
        var (block, x, branch) = BlockAndBranch(0.3);
        using var _ = block;
        manual_seed(8);
        block.train();
        Tensor y;
        using (no_grad()) y = block.call(x);
        var dropped = nn.functional.relu(x);
        var kept = nn.functional.relu(branch / 0.7 + x);
        int droppedCount = 0;
        for (int i = 0; i < 400; i++)
        {
            bool isDropped = y[i].allclose(dropped[i], rtol: 1e-5, atol: 1e-5);
            Assert.True(isDropped || y[i].allclose(kept[i], rtol: 1e-4, atol: 1e-4), $"sample {i} is neither dropped nor kept and scaled");
            if (isDropped) droppedCount++;
        }
        // Binomial(400, 0.3): 120 ± 9.2 (one standard deviation).
        Assert.InRange(droppedCount, 92, 148);
    }

    [Fact]
    public void In_evaluation_the_branch_is_never_dropped()
    {
        using var scope = NewDisposeScope();
        var (block, x, branch) = BlockAndBranch(0.9);
        using var _ = block;
        block.eval();
        using (no_grad())
            Assert.True(block.call(x).allclose(nn.functional.relu(branch + x), rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void The_rate_rises_linearly_from_zero_at_the_first_block_to_the_given_rate_at_the_last()
    {
        using var model = ResNet.Create("resnet20");
        using var plain = ResNet.Create("resnet20");
        model.DropPathRate = 0.2;
        var rates = model.Stages.SelectMany(s => s.children()).Cast<IResidualBlock>().Select(b => b.DropPathRate).ToArray();
        Assert.Equal(9, rates.Length);
        for (int i = 0; i < 9; i++) Assert.Equal(0.2 * i / 8, rates[i], 1e-12);
        Assert.Equal(0.2, model.Config.DropPathRate);
        // No parameters or state: the state_dict is unchanged.
        Assert.Equal(plain.state_dict().Keys, model.state_dict().Keys);

        using var fromConfig = new ResNet(ModelZoo.Config("resnet20") with { DropPathRate = 0.2 });
        Assert.Equal(rates, fromConfig.Stages.SelectMany(s => s.children()).Cast<IResidualBlock>().Select(b => b.DropPathRate));
    }

    [Theory]
    [InlineData("plain20", 0.1, "a plain net has none")]
    [InlineData("resnet20", 1.0, "must be in [0, 1)")]
    [InlineData("resnet20", -0.1, "must be in [0, 1)")]
    public void Invalid_rates_are_a_clear_error(string name, double rate, string message)
    {
        using var model = ResNet.Create(name);
        Assert.Contains(message, Assert.Throws<ResNetSharpException>(() => model.DropPathRate = rate).Message);
        Assert.Equal(0, model.DropPathRate);
    }
}
