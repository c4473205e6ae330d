using System.Text;
using Knd.Control;

namespace Knd.Tests.Control;

/// <summary>The typed request records as the control socket binds them: every wrong body is one line naming the field.</summary>
public sealed class ControlBodyTests
{
    [Fact]
    public void Maintenance_FullRequest_IsRead()
    {
        Assert.Equal(new MaintenanceRequest(MaintenanceKind.Restart, 30, null, false), Maintenance("""{"kind":"restart","minimum_length":30,"cancel":false}""").ToRequest());
    }

    [Fact]
    public void Maintenance_NullsCountAsAbsent()
    {
        Assert.Equal(
            new MaintenanceRequest(MaintenanceKind.Shutdown, null, 1234, false),
            Maintenance("""{"kind":"shutdown","minimum_length":null,"shutdown_at":1234,"cancel":null}""").ToRequest());
    }

    [Fact]
    public void Maintenance_LengthZero_MeansTheLargestWindow()
    {
        Assert.Equal(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, false), Maintenance("""{"kind":"shutdown","minimum_length":0}""").ToRequest());
    }

    [Fact]
    public void Maintenance_WhatTheCliSends_RoundTrips()
    {
        var request = new MaintenanceRequest(MaintenanceKind.Restart, null, 1020, false);
        var bytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(MaintenanceBody.From(request), ControlRequestJsonContext.Default.MaintenanceBody);

        Assert.Equal("""{"kind":"restart","minimum_length":null,"shutdown_at":1020,"cancel":false}""", Encoding.UTF8.GetString(bytes));
        Assert.Equal(request, ControlBody.Parse<MaintenanceBody>(bytes).ToRequest());
    }

    [Theory]
    [InlineData("", "field \"kind\" is required: \"shutdown\" or \"restart\"")]
    [InlineData("""{"kind":"reboot"}""", "field \"kind\" must be \"shutdown\" or \"restart\", not \"reboot\"")]
    [InlineData("""{"kind":1}""", "field \"kind\" must be \"shutdown\" or \"restart\"")]
    [InlineData("""{"kind":"shutdown","minimum_length":-1}""", "field \"minimum_length\" must be a whole number of at least 0, not -1")]
    [InlineData("""{"kind":"shutdown","minimum_length":1.5}""", "field \"minimum_length\" must be a whole number of at least 0")]
    [InlineData("""{"kind":"shutdown","minimum_length":"5"}""", "field \"minimum_length\" must be a whole number of at least 0")]
    [InlineData("""{"kind":"shutdown","shutdown_at":0}""", "field \"shutdown_at\" must be a whole number of at least 1, not 0")]
    [InlineData("""{"kind":"shutdown","shutdown_at":99999999999999999999}""", "field \"shutdown_at\" must be a whole number of at least 1")]
    [InlineData("""{"kind":"shutdown","cancel":"yes"}""", "field \"cancel\" must be true or false")]
    [InlineData("""{"kind":"shutdown","minimum_length":5,"shutdown_at":1000}""", "give either minimum_length or shutdown_at, not both")]
    [InlineData("""{"kind":"shutdown","shutdown_at":1000,"cancel":true}""", "cancel takes no minimum_length or shutdown_at")]
    [InlineData("""{"kind":"shutdown","force":true}""", "unknown field \"force\"; known fields: kind, minimum_length, shutdown_at, cancel")]
    [InlineData("""{"Kind":"shutdown"}""", "unknown field \"Kind\"; known fields: kind, minimum_length, shutdown_at, cancel")]
    [InlineData("""{"kind":"shutdown","we ird":1}""", "unknown field \"we ird\"; known fields: kind, minimum_length, shutdown_at, cancel")]
    [InlineData("""{"kind":"shutdown","kind":"restart"}""", "field \"kind\" is given twice")]
    [InlineData("""{"kind":"shutdown","cancel":false,"cancel":true}""", "field \"cancel\" is given twice")]
    [InlineData("""[1,2]""", "the body must be a JSON object, not an array")]
    [InlineData("null", "the body must be a JSON object, not null")]
    [InlineData(" 42", "the body must be a JSON object, not a number")]
    [InlineData("\"shutdown\"", "the body must be a JSON object, not a string")]
    public void Maintenance_BadRequest_IsRefusedWithOneLine(string body, string expected)
    {
        Assert.Equal(expected, Refusal<MaintenanceBody>(body));
    }

    [Theory]
    [InlineData("{\"kind\":")]
    [InlineData("{'kind':'shutdown'}")]
    [InlineData("\u0001\u0002garbage")]
    [InlineData("{\"kind\":\"shutdown\",}")]
    [InlineData("{\"kind\":\"shutdown\"} trailing")]
    public void Maintenance_MalformedJson_IsRefusedWithItsPosition(string body)
    {
        var error = Refusal<MaintenanceBody>(body);

        Assert.StartsWith("the body is not valid JSON: ", error, StringComparison.Ordinal);
        Assert.Matches(@"\(at line \d+, byte \d+\)$", error);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void Maintenance_DeepNesting_IsRefusedNotThrown()
    {
        var inField = "{\"kind\":" + new string('[', 5000) + new string(']', 5000) + "}";
        var inUnknownField = "{\"x\":" + new string('[', 5000) + new string(']', 5000) + "}";

        Assert.Equal("field \"kind\" must be \"shutdown\" or \"restart\"", Refusal<MaintenanceBody>(inField));
        Assert.StartsWith("unknown field \"x\"", Refusal<MaintenanceBody>(inUnknownField), StringComparison.Ordinal);
    }

    [Fact]
    public void Switchover_EmptyBody_AsksForAnyPassive()
    {
        Assert.Null(ControlBody.Parse<SwitchoverBody>(Bytes(string.Empty)).To);
        Assert.Null(ControlBody.Parse<SwitchoverBody>(Bytes("""{"to":null}""")).To);
        Assert.Equal("node-b", ControlBody.Parse<SwitchoverBody>(Bytes("""{"to":"node-b"}""")).To);
    }

    [Theory]
    [InlineData("""{"to":""}""", "field \"to\" must be a node id (non-empty, no spaces or control characters), not \"\"")]
    [InlineData("""{"to":"a b"}""", "field \"to\" must be a node id (non-empty, no spaces or control characters), not \"a b\"")]
    [InlineData("""{"to":"a\nb"}""", "field \"to\" must be a node id (non-empty, no spaces or control characters), not \"a\\u000ab\"")]
    [InlineData("""{"to":7}""", "field \"to\" must be a node id (a string)")]
    [InlineData("""{"node":"a"}""", "unknown field \"node\"; known fields: to, dry_run")]
    public void Switchover_BadTarget_IsRefused(string body, string expected)
    {
        Assert.Equal(expected, Refusal<SwitchoverBody>(body));
    }

    [Fact]
    public void NoFields_AcceptsEmptyBodyAndEmptyObject_RefusesFields()
    {
        Assert.NotNull(ControlBody.Parse<NoFieldsBody>(Bytes(string.Empty)));
        Assert.NotNull(ControlBody.Parse<NoFieldsBody>(Bytes(" {} \n")));
        Assert.Equal("unknown field \"all\": this request takes no fields", Refusal<NoFieldsBody>("""{"all":true}"""));
    }

    private static MaintenanceBody Maintenance(string body)
    {
        var parsed = ControlBody.Parse<MaintenanceBody>(Bytes(body));
        Assert.Null(parsed.Check());
        return parsed;
    }

    /// <summary>The one line a body is refused with, by the JSON contract or by the record's own rules.</summary>
    private static string Refusal<T>(string body)
        where T : class, IControlBody<T>
    {
        try
        {
            return ControlBody.Parse<T>(Bytes(body)).Check() ?? throw new Xunit.Sdk.XunitException($"{body} was accepted");
        }
        catch (ControlRequestException ex)
        {
            return ex.Message;
        }
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
