using ResNetSharp.Cli.Commands;
using ResNetSharp.Models;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Cli;

/// <summary>
/// The recipe files in recipes/: each binds through <c>resnet train --config</c> to valid options of a known model, and
/// says in a comment what it measured and on what machine, or that it was not run here and why.
/// </summary>
public class RecipeFileTests
{
    private static string[] Names() =>
        [.. Directory.GetFiles(Path.Combine(Repository.Root(), "recipes"), "*.yaml").Select(f => Path.GetFileName(f)).Order()];

    public static TheoryData<string> Recipes() => new(Names());

    [Fact]
    public void The_issue_recipes_are_there() =>
        Assert.Equal(["cifar10-resnet56-he2015.yaml", "fashion-mnist-resnet.yaml", "imagenet-resnet50-torchvision.yaml", "imagenette-resnet50.yaml"], Names());

    [Theory]
    [MemberData(nameof(Recipes))]
    public void A_recipe_binds_to_valid_options_and_records_its_result(string name)
    {
        string path = Path.Combine(Repository.Root(), "recipes", name);
        TrainOptions? bound = null;
        var command = TrainCommand.Create(run: (_, options) => { bound = options; return 0; });
        var parsed = command.Parse(["--config", path]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(0, parsed.Invoke());
        bound!.Validate();
        Assert.NotEqual(new TrainOptions().Epochs, bound.Epochs);   // the file was read
        Assert.NotNull(ModelZoo.Config(bound.Model));   // a zoo model: an unknown name throws
        string comments = string.Join('\n', File.ReadLines(path).Where(l => l.StartsWith('#')));
        Assert.True(comments.Contains("Measured:") || comments.Contains("Not run here:"), $"{name} states neither its measured result nor why it was not run");
    }

    [Fact]
    public void The_fashion_mnist_recipe_fits_the_parameter_budget()
    {
        string path = Path.Combine(Repository.Root(), "recipes", "fashion-mnist-resnet.yaml");
        TrainOptions? bound = null;
        var command = TrainCommand.Create(run: (_, options) => { bound = options; return 0; });
        Assert.Equal(0, command.Parse(["--config", path]).Invoke());
        using var model = ResNet.Create(bound!.Model, numClasses: 10, inChannels: 1);
        long parameters = model.parameters().Sum(p => p.numel());
        Assert.InRange(parameters, 1, 1_500_000);
        Assert.Equal("fashion-mnist", bound.Data);
    }
}
