using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.WebUtilities;

namespace Knd.Control;

/// <summary>
/// The control socket's answers: JSON bodies from the source-generated contexts (trimming-safe),
/// each ended by a newline for shells, and errors as RFC 9457 problem documents.
/// </summary>
internal static class ControlResults
{
    public const string ProblemContentType = "application/problem+json";

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private static readonly JsonTypeInfo<ControlProblem> ProblemInfo = ControlJsonContext.ReadableInfo<ControlProblem>();

    public static IResult Json<T>(T value, JsonTypeInfo<T> type) => new JsonResult<T>(value, type);

    /// <summary>A problem answer with a one-line <paramref name="detail"/>; with <paramref name="kuutamod"/>, kuutamod's <c>message</c> too.</summary>
    public static IResult Problem(int status, string detail, bool kuutamod = false) =>
        new JsonResult<ControlProblem>(Document(status, detail, kuutamod), ProblemInfo, status, ProblemContentType);

    public static ControlProblem Document(int status, string detail, bool kuutamod = false)
    {
        var line = detail.ReplaceLineEndings(" ");
        return new("about:blank", ReasonPhrases.GetReasonPhrase(status), status, line, kuutamod ? line : null);
    }

    public static Task WriteProblemAsync(HttpContext context, int status, string detail, bool kuutamod = false) =>
        Problem(status, detail, kuutamod).ExecuteAsync(context);

    public static async Task WriteAsync<T>(HttpResponse response, T value, JsonTypeInfo<T> type, int status, string contentType)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(value, type);
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length + NewLine.Length;
        await response.Body.WriteAsync(body, response.HttpContext.RequestAborted);
        await response.Body.WriteAsync(NewLine, response.HttpContext.RequestAborted);
    }

    private sealed class JsonResult<T>(T value, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK, string contentType = "application/json") : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext.Response, value, type, status, contentType);
    }
}
