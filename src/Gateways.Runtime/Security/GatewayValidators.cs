#pragma warning disable ASP0029 // Microsoft.Extensions.Validation is marked experimental in .NET 10; its generator is the AOT-safe path.
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;

namespace Gateways.Security;

/// <summary>
/// Validates bodies with the metadata Microsoft.Extensions.Validation's source generator emits (the app calls
/// <c>AddValidation()</c> and marks its DTOs <c>[ValidatableType]</c>): reflection-free and Native AOT-safe.
/// </summary>
internal sealed class GeneratedGatewayValidator(IServiceProvider services) : IGatewayValidator
{
    private ValidationOptions? Options => (services.GetService(typeof(IOptions<ValidationOptions>)) as IOptions<ValidationOptions>)?.Value;

    public bool CanValidate(Type type) => Options?.TryGetValidatableTypeInfo(type, out _) == true;

    public bool TryValidate(object value, out IReadOnlyDictionary<string, string[]> errors)
    {
        var options = Options;
        if (options is null || !options.TryGetValidatableTypeInfo(value.GetType(), out var info))
        {
            errors = new Dictionary<string, string[]>();
            return true;
        }
        var context = new ValidateContext
        {
            ValidationOptions = options,
            ValidationContext = new ValidationContext(value, value.GetType().Name, services, items: null),
        };
        // The DataAnnotations attributes are synchronous, so this completes at once.
        info.ValidateAsync(value, context, CancellationToken.None).GetAwaiter().GetResult();
        errors = context.ValidationErrors is { Count: > 0 } found
            ? found.ToDictionary(e => e.Key, e => e.Value)
            : new Dictionary<string, string[]>();
        return errors.Count == 0;
    }
}

/// <summary>
/// Validates bodies with DataAnnotations' reflection-based <see cref="Validator"/>: works for any type, but is not
/// trimming- or AOT-safe. Opt in with <c>AddDataAnnotationsValidation()</c>; it is tried after the generated metadata.
/// </summary>
[RequiresUnreferencedCode("DataAnnotations validation reflects over the validated types' properties.")]
internal sealed class DataAnnotationsGatewayValidator(IServiceProvider services) : IGatewayValidator
{
    private readonly GeneratedGatewayValidator _generated = new(services);

    public bool CanValidate(Type type) => true;

    public bool TryValidate(object value, out IReadOnlyDictionary<string, string[]> errors)
    {
        if (_generated.CanValidate(value.GetType()))
        {
            return _generated.TryValidate(value, out errors);
        }
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(value, new ValidationContext(value, services, items: null), results, validateAllProperties: true);
        errors = results
            .SelectMany(r => (r.MemberNames.Any() ? r.MemberNames : [string.Empty]).Select(m => (Member: m, Message: r.ErrorMessage ?? "Invalid value.")))
            .GroupBy(e => e.Member)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        return errors.Count == 0;
    }
}
