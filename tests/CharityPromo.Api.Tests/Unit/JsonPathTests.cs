using CharityPromo.Api.Infrastructure;

namespace CharityPromo.Api.Tests.Unit;

public class JsonPathTests
{
    [Theory]
    [InlineData("$.amount", "amount")]
    [InlineData("$.payment.method", "payment.method")]
    [InlineData("$", "body")]
    [InlineData(null, "body")]
    public void JsonPathsBecomeFieldNames(string? path, string field) => BadRequestHandler.JsonPathToField(path).ShouldBe(field);
}
