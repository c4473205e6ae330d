using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NeardSim.Rpc;

/// <summary>A method's answer: a result writer or an error.</summary>
internal sealed class RpcOutcome
{
    private RpcOutcome(Action<Utf8JsonWriter>? writeResult, RpcError? error)
    {
        WriteResult = writeResult;
        Error = error;
    }

    public Action<Utf8JsonWriter>? WriteResult { get; }

    public RpcError? Error { get; }

    public static RpcOutcome Ok<T>(T value, JsonTypeInfo<T> typeInfo) =>
        new(writer => JsonSerializer.Serialize(writer, value, typeInfo), null);

    public static RpcOutcome Null() => new(writer => writer.WriteNullValue(), null);

    public static RpcOutcome Fail(RpcError error) => new(null, error);

    public static implicit operator RpcOutcome(RpcError error) => Fail(error);
}
