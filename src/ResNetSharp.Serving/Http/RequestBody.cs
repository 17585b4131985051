using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ResNetSharp.Serving.Http;

/// <summary>Reads request bodies up to the size limit (413 beyond it) and splits multipart uploads into files.</summary>
internal static class RequestBody
{
    /// <summary>The longest multipart boundary RFC 2046 allows.</summary>
    private const int MaxBoundary = 70;

    /// <summary>The whole body, at most <paramref name="limit"/> bytes; an empty body is a 400.</summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, long limit, CancellationToken cancel)
    {
        if (request.ContentLength > limit) throw TooLarge(limit);
        // The server's own limit (Kestrel: 30 MB) gives way to ours, which answers with a clear message.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = null;
        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancel)) > 0)
        {
            if (body.Length + read > limit) throw TooLarge(limit);
            body.Write(buffer, 0, read);
        }
        return body.Length > 0 ? body.ToArray()
            : throw new ServingException(400, "the request body is empty: send the image bytes (or multipart/form-data files, or an inference request).");
    }

    /// <summary>
    /// The images of a classify request: the raw body (<c>image/*</c> or <c>application/octet-stream</c>), or each
    /// file of a <c>multipart/form-data</c> body, with its file name (null for a raw body).
    /// </summary>
    public static async Task<List<(string? File, byte[] Data)>> ImagesAsync(HttpRequest request, long limit, CancellationToken cancel)
    {
        var type = request.ContentType ?? "";
        bool multipart = type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase);
        if (!multipart && !type.StartsWith("image/", StringComparison.OrdinalIgnoreCase) && !type.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase))
            throw new ServingException(400, $"unsupported Content-Type '{type}': send the image bytes as image/* or application/octet-stream, or files as multipart/form-data.");
        var body = await ReadAsync(request, limit, cancel);
        if (!multipart) return [(null, body)];
        if (!MediaTypeHeaderValue.TryParse(type, out var mediaType))
            throw new ServingException(400, $"the Content-Type '{type}' is not a valid media type: let the HTTP client build the multipart body and its header.");
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            throw new ServingException(400, "the multipart/form-data Content-Type has no boundary: let the HTTP client build the multipart body.");
        // RFC 2046 allows at most 70 characters; MultipartReader throws ArgumentOutOfRangeException on one longer than its buffer.
        if (boundary.Length > MaxBoundary)
            throw new ServingException(400, $"the multipart boundary is {boundary.Length} characters long, over RFC 2046's {MaxBoundary}: let the HTTP client build the multipart body.");
        var reader = new MultipartReader(boundary, new MemoryStream(body));
        var files = new List<(string?, byte[])>();
        try
        {
            while (await reader.ReadNextSectionAsync(cancel) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition()) continue;
                using var data = new MemoryStream();
                await section.Body.CopyToAsync(data, cancel);
                files.Add((HeaderUtilities.RemoveQuotes(disposition.FileName).Value, data.ToArray()));
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new ServingException(400, $"the multipart/form-data body is malformed ({e.Message}): let the HTTP client build it.");
        }
        return files.Count > 0 ? files
            : throw new ServingException(400, "the multipart/form-data body has no files: send each image as a file field (e.g. curl -F file=@cat.jpg).");
    }

    private static ServingException TooLarge(long limit) =>
        new(413, $"the request body is over the limit of {limit / (1024.0 * 1024):0.##} MiB: send smaller or fewer images per request, or start the server with a larger --max-body-mb.");
}
