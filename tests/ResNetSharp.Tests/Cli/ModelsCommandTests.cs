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
    }
}
