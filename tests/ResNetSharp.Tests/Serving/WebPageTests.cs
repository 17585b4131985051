using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ResNetSharp.Cli;

namespace ResNetSharp.Tests.Serving;

// The page in Debian's Chromium (headless, offline), against resnet serve's app on Kestrel.
public class WebPageTests(ServingModel model) : IClassFixture<ServingModel>
{
    [Fact]
    public async Task The_page_shows_the_top_classes_of_the_json_api_and_errors_using_only_the_keyboard()
    {
        await using var app = ServeHost.Build(model.Options(), b => b.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0)));
        await app.StartAsync();
        await app.Services.GetRequiredService<ResNetSharp.Serving.ResNetClassifier>().WhenReady;
        var url = app.Urls.First();
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        var content = new ByteArrayContent(File.ReadAllBytes(model.Wide));
        content.Headers.ContentType = new("image/png");
        var api = (await (await client.PostAsync("/v1/models/small_resnet/classify", content)).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("predictions")[0].GetProperty("top");

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        await page.GotoAsync(url);
        await Assertions.Expect(page.Locator("#model")).ToContainTextAsync("Model small_resnet");
        Assert.Equal("0", await page.Locator("#drop").GetAttributeAsync("tabindex"));   // in the tab order
        await page.Locator("#drop").FocusAsync();
        await Assertions.Expect(page.Locator("#drop")).ToBeFocusedAsync();
        await EnterAndSpaceOpenThePickerAsync(page);
        await page.Locator("#files").SetInputFilesAsync(model.Wide);   // what the user picks in the opened chooser
        var bars = page.Locator(".result .bar");
        await Assertions.Expect(bars).ToHaveCountAsync(5);
        Assert.Equal(api[0].GetProperty("label").GetString(), await bars.First.Locator(".label").TextContentAsync());
        Assert.Equal((api[0].GetProperty("prob").GetDouble() * 100).ToString("F2", CultureInfo.InvariantCulture) + "%", await bars.First.Locator(".prob").TextContentAsync());
        Assert.Matches(@"^\d+ ms$", await page.Locator(".latency").First.TextContentAsync() ?? "");
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "artifacts", "serving-page.png"), FullPage = true });

        var bad = Path.Combine(Path.GetDirectoryName(model.Wide)!, "notes.png");
        await File.WriteAllTextAsync(bad, "not an image");
        await page.Locator("#files").SetInputFilesAsync(bad);   // the picker's input directly (a second chooser is flaky under load)
        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("notes.png: cannot decode image");
        await app.StopAsync();
    }

    // With API keys the page still loads (it is static); it says a key is needed, and classifies once one is pasted in.
    [Fact]
    public async Task With_keys_the_page_is_open_and_its_calls_carry_the_pasted_key()
    {
        using var temp = new TempDir();
        var options = model.Options();
        options.ApiKeyFile = temp.Combine("keys.txt");
        File.WriteAllText(options.ApiKeyFile, "page-key\n");
        await using var app = ServeHost.Build(options, b => b.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0)));
        await app.StartAsync();
        await app.Services.GetRequiredService<ResNetSharp.Serving.ResNetClassifier>().WhenReady;
        var url = app.Urls.First();
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        Assert.Equal(200, (int)(await client.GetAsync("/")).StatusCode);
        Assert.Equal(401, (int)(await client.GetAsync("/v2")).StatusCode);   // the API still needs the key

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        await page.GotoAsync(url);
        await Assertions.Expect(page.Locator("#model")).ToContainTextAsync("needs an API key");
        await page.Locator("#files").SetInputFilesAsync(model.Wide);
        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("wide.png: this server needs an API key");
        await page.Locator("#key").FillAsync("page-key");
        await page.Locator("#key").DispatchEventAsync("change");
        await Assertions.Expect(page.Locator("#model")).ToContainTextAsync("Model small_resnet ·");
        await page.Locator("#files").SetInputFilesAsync(model.Wide);
        await Assertions.Expect(page.Locator(".result .bar")).ToHaveCountAsync(5);
        await app.StopAsync();
    }

    /// <summary>
    /// Enter and Space on the focused drop zone open the file picker: each clicks the hidden file input, which is what
    /// opens the browser's chooser. The clicks are counted and the chooser itself kept closed (Chromium opens one
    /// chooser at a time and, when busy, now and then drops one, which made waiting for the dialog flaky under load).
    /// </summary>
    private static async Task EnterAndSpaceOpenThePickerAsync(IPage page)
    {
        await page.EvaluateAsync("() => { window.pickerClicks = 0; document.querySelector('#files').addEventListener('click', e => { window.pickerClicks++; e.preventDefault(); }); }");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => window.pickerClicks === 1");
        await page.Keyboard.PressAsync("Space");
        await page.WaitForFunctionAsync("() => window.pickerClicks === 2");
    }
}
