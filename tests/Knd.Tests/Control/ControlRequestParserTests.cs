using System.Text;
using Knd.Control;

namespace Knd.Tests.Control;

public sealed class ControlRequestParserTests
{
    [Fact]
    public void Maintenance_FullRequest_IsRead()
    {
        var request = ControlRequestParser.Maintenance(Body("""{"kind":"restart","minimum_length":30,"cancel":false}"""), out var error);

        Assert.Null(error);
        Assert.Equal(new MaintenanceRequest(MaintenanceKind.Restart, 30, null, false), request);
    }

    [Fact]
    public void Maintenance_NullsCountAsAbsent()
    {
        var request = ControlRequestParser.Maintenance(Body("""{"kind":"shutdown","minimum_length":null,"shutdown_at":1234,"cancel":null}"""), out var error);

        Assert.Null(error);
        Assert.Equal(new MaintenanceRequest(MaintenanceKind.Shutdown, null, 1234, false), request);
    }

    [Fact]
    public void Maintenance_LengthZero_MeansTheLargestWindow()
    {
        Assert.Equal(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, false), ControlRequestParser.Maintenance(Body("""{"kind":"shutdown","minimum_length":0}"""), out _));
    }

    [Theory]
    [InlineData("", "field \"kind\" is required: \"shutdown\" or \"restart\"")]
    [InlineData("""{"kind":"reboot"}""", "field \"kind\" must be \"shutdown\" or \"restart\", not \"reboot\"")]
    [InlineData("""{"kind":1}""", "field \"kind\" must be a string, not a number")]
    [InlineData("""{"kind":"shutdown","minimum_length":-1}""", "field \"minimum_length\" must be a whole number of at least 0, not -1")]
    [InlineData("""{"kind":"shutdown","minimum_length":1.5}""", "field \"minimum_length\" must be a whole number of at least 0, not 1.5")]
    [InlineData("""{"kind":"shutdown","minimum_length":"5"}""", "field \"minimum_length\" must be a whole number of at least 0, not a string")]
    [InlineData("""{"kind":"shutdown","shutdown_at":0}""", "field \"shutdown_at\" must be a whole number of at least 1, not 0")]
    [InlineData("""{"kind":"shutdown","shutdown_at":99999999999999999999}""", "field \"shutdown_at\" must be a whole number of at least 1, not 99999999999999999999")]
    [InlineData("""{"kind":"shutdown","cancel":"yes"}""", "field \"cancel\" must be true or false, not a string")]
    [InlineData("""{"kind":"shutdown","minimum_length":5,"shutdown_at":1000}""", "give either minimum_length or shutdown_at, not both")]
    [InlineData("""{"kind":"shutdown","shutdown_at":1000,"cancel":true}""", "cancel takes no minimum_length or shutdown_at")]
    [InlineData("""{"kind":"shutdown","force":true}""", "unknown field \"force\"; known fields: kind, minimum_length, shutdown_at, cancel")]
    [InlineData("""{"kind":"shutdown","kind":"restart"}""", "field \"kind\" is given twice")]
    [InlineData("""[1,2]""", "the body must be a JSON object, not an array")]
    [InlineData("null", "the body must be a JSON object, not null")]
    public void Maintenance_BadRequest_IsRefusedWithOneLine(string body, string expected)
    {
        Assert.Null(ControlRequestParser.Maintenance(Body(body), out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("{\"kind\":")]
    [InlineData("{'kind':'shutdown'}")]
    [InlineData("\u0001\u0002garbage")]
    [InlineData("{\"kind\":\"shutdown\",}")]
    public void Maintenance_MalformedJson_IsRefused(string body)
    {
        Assert.Null(ControlRequestParser.Maintenance(Body(body), out var error));
        Assert.StartsWith("the body is not valid JSON: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error!);
    }

    [Fact]
    public void Maintenance_DeepNesting_IsRefusedNotThrown()
    {
        var body = "{\"kind\":" + new string('[', 5000) + new string(']', 5000) + "}";

        Assert.Null(ControlRequestParser.Maintenance(Body(body), out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Switchover_EmptyBody_AsksForAnyPassive()
    {
        Assert.Equal(new SwitchoverRequest(null), ControlRequestParser.Switchover(Body(string.Empty), out var error));
        Assert.Null(error);
        Assert.Equal(new SwitchoverRequest("node-b"), ControlRequestParser.Switchover(Body("""{"to":"node-b"}"""), out _));
    }

    [Theory]
    [InlineData("""{"to":""}""")]
    [InlineData("""{"to":"a b"}""")]
    [InlineData("""{"to":"a\nb"}""")]
    [InlineData("""{"to":7}""")]
    [InlineData("""{"node":"a"}""")]
    public void Switchover_BadTarget_IsRefused(string body)
    {
        Assert.Null(ControlRequestParser.Switchover(Body(body), out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void NoFields_AcceptsEmptyBodyAndEmptyObject_RefusesFields()
    {
        Assert.Null(ControlRequestParser.NoFields(Body(string.Empty)));
        Assert.Null(ControlRequestParser.NoFields(Body(" {} \n")));
        Assert.Equal("unknown field \"all\": this request takes no fields", ControlRequestParser.NoFields(Body("""{"all":true}""")));
    }

    private static byte[] Body(string text) => Encoding.UTF8.GetBytes(text);
}
