// An ASP.NET Core app of its own that mounts the ResNetSharp classifier behind its own authorisation: an API-key
// scheme, a policy that needs the "classify" scope, and the classifier's endpoints (classify, Open Inference Protocol,
// metrics, web page) all under that policy, beside the app's own public route. The sample starts the app on a
// loopback port, calls it without, with a wrong and with a right key, checks the status codes and exits
// (exit code 1 when a check fails).
using System.Net;
using System.Text.Json;
using AspNetCoreApp;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Samples;
using ResNetSharp.Serving;
using SkiaSharp;
using static TorchSharp.torch;

var checks = new Checks();
string dir = Directory.CreateTempSubdirectory("resnetsharp-aspnetcore-").FullName;
try
{
    // The model to serve: a small ResNet's weights and its labels (in a real app: your trained checkpoint,
    // `Checkpoint = "runs/.../best.safetensors"`), and an image to classify.
    string weights = Path.Combine(dir, "small_resnet.safetensors"), labels = Path.Combine(dir, "labels.txt"), image = Path.Combine(dir, "image.png");
    manual_seed(5);
    using (var model = ResNet.Create("small_resnet"))
    using (var state = WeightLoading.StateDict(model))
        SafeTensors.Save(weights, state.Tensors);
    File.WriteAllLines(labels, ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]);
    WriteImage(image);

    // The app: its own authentication and authorisation, then the classifier mounted under its policy.
    var builder = WebApplication.CreateBuilder(args);
    builder.WebHost.UseUrls("http://127.0.0.1:0");   // loopback, any free port
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddAuthentication(ApiKeyHandler.SchemeName)
        .AddScheme<ApiKeyOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, o => o.Keys = new()
        {
            ["demo-classify-key"] = ["classify"],
            ["demo-read-only-key"] = ["read"],
        });
    builder.Services.AddResNetClassifier(o =>
    {
        o.Model = "small_resnet";
        o.Weights = weights;
        o.Labels = labels;
        o.Device = "cpu";
    });
    // The classifier's endpoints require the policy named ServingExtensions.AuthorizationPolicy. Left alone it is the
    // library's own (its API keys when configured, else open); the app defines it as its own rule instead, after
    // AddResNetClassifier: callers of its scheme holding the "classify" scope.
    builder.Services.AddAuthorization(o => o.AddPolicy(ServingExtensions.AuthorizationPolicy,
        p => p.AddAuthenticationSchemes(ApiKeyHandler.SchemeName).RequireClaim("scope", "classify")));

    await using var app = builder.Build();
    app.UseAuthentication();
    app.UseAuthorization();
    app.MapGet("/hello", () => "the app's own public route").AllowAnonymous();
    // Every classifier endpoint but health (and metrics, unless ProtectMetrics) now needs the classify scope; the group
    // takes further conventions of the app's own, e.g. .RequireAuthorization("another policy") or .RequireRateLimiting(...).
    app.MapResNetClassifier();
    await app.StartAsync();
    string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    Console.WriteLine($"  listening on {url}");

    using var http = new HttpClient { BaseAddress = new Uri(url) };
    checks.That((await http.GetAsync("/hello")).StatusCode == HttpStatusCode.OK, "GET /hello (the app's own route, anonymous): 200");
    await WaitUntilReady(http);

    // The classifier's endpoints answer only callers with the "classify" scope.
    checks.That(await Classify(http, image, key: null) == HttpStatusCode.Unauthorized, "POST /v1/models/small_resnet/classify without a key: 401");
    checks.That(await Classify(http, image, key: "wrong-key") == HttpStatusCode.Unauthorized, "... with an unknown key: 401");
    checks.That(await Classify(http, image, key: "demo-read-only-key") == HttpStatusCode.Forbidden, "... with a key lacking the classify scope: 403");
    using var allowed = Request(image, "demo-classify-key");
    using var answer = await http.SendAsync(allowed);
    checks.That(answer.StatusCode == HttpStatusCode.OK, $"... with the classify key: {(int)answer.StatusCode}");
    using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
    var top = json.RootElement.GetProperty("predictions")[0].GetProperty("top");
    string best = top[0].GetProperty("label").GetString()!;
    checks.That(top.GetArrayLength() == 5 && File.ReadAllLines(labels).Contains(best),
        $"the answer: top-5 classes, first '{best}' ({top[0].GetProperty("prob").GetDouble():P1})");
    await app.StopAsync();
}
finally
{
    Directory.Delete(dir, recursive: true);
}
return checks.ExitCode;

// The model loads in the background when the app starts; /v2/health/ready answers 200 (to anyone) once it is ready.
static async Task WaitUntilReady(HttpClient http)
{
    for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(100))
    {
        using var response = await http.GetAsync("/v2/health/ready");   // health is open: load balancers call it
        if (response.StatusCode == HttpStatusCode.OK) return;
    }
    throw new TimeoutException("the classifier did not become ready within 60 s.");
}

static async Task<HttpStatusCode> Classify(HttpClient http, string image, string? key)
{
    using var request = Request(image, key);
    using var response = await http.SendAsync(request);
    return response.StatusCode;
}

static HttpRequestMessage Request(string image, string? key)
{
    var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/small_resnet/classify") { Content = new ByteArrayContent(File.ReadAllBytes(image)) };
    request.Content.Headers.ContentType = new("image/png");
    if (key is not null) request.Headers.Add(ApiKeyHandler.Header, key);
    return request;
}

// A 32x32 test image: a red square on blue.
static void WriteImage(string path)
{
    using var bitmap = new SKBitmap(32, 32);
    using (var canvas = new SKCanvas(bitmap))
    {
        canvas.Clear(new SKColor(30, 60, 200));
        using var paint = new SKPaint { Color = new SKColor(220, 40, 40) };
        canvas.DrawRect(8, 8, 16, 16, paint);
    }
    using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
    using var file = File.Create(path);
    data.SaveTo(file);
}
