using System.Text.Json;
using ResNetSharp.Models;

namespace ResNetSharp.Tests.Cli;

// 'resnet models' counts parameters on the meta device.
public class ModelsCommandTests
{
    [Fact]
    public void Models_json_lists_every_model_with_its_count()
    {
        var r = CliTests.Run("models", "--json");
        Assert.Equal(0, r.Code);
        var rows = JsonDocument.Parse(r.Out).RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("parameters").GetInt64());
        Assert.Equal(ModelZoo.Names, rows.Keys);
        Assert.Equal(11_689_512, rows["resnet18"]);
        Assert.Equal(269_722, rows["resnet20"]);
        var weights = JsonDocument.Parse(r.Out).RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!,
            e => e.GetProperty("weights").EnumerateArray().Select(w => w.GetString()).ToList());
        Assert.Equal(["IMAGENET1K_V1 (76.13%)", "IMAGENET1K_V2 (80.86%)"], weights["resnet50"]);
        Assert.Empty(weights["resnet20"]);
    }
}
