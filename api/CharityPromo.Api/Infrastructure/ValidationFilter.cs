using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using FluentValidation;
using FluentValidation.Internal;

namespace CharityPromo.Api.Infrastructure;

/// <summary>Runs the FluentValidation validator of the endpoint's <typeparamref name="T"/> argument and answers 400 naming each field.</summary>
internal sealed class ValidationFilter<T>(IValidator<T> validator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var argument = context.Arguments.OfType<T>().FirstOrDefault();
        if (argument is null) return await next(context);

        var result = await validator.ValidateAsync(argument, context.HttpContext.RequestAborted);
        if (result.IsValid) return await next(context);

        var errors = result.Errors
            .GroupBy(e => e.PropertyName)
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray());
        return Problems.Invalid(errors);
    }
}

internal static class ValidationFilterExtensions
{
    /// <summary>Validates the <typeparamref name="T"/> body before the handler runs.</summary>
    public static RouteHandlerBuilder Validate<T>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<ValidationFilter<T>>().ProducesValidationProblem();
}

/// <summary>Field names in errors as the client wrote them: "payment.reference", not "Payment.Reference".</summary>
internal static class ValidationNames
{
    public static string? JsonPath(Type type, MemberInfo? member, LambdaExpression? expression)
    {
        var name = expression is not null ? PropertyChain.FromExpression(expression).ToString() : member?.Name;
        return string.IsNullOrEmpty(name) ? null : string.Join('.', name.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));
    }
}
