using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using Gateways;
using Gateways.Dispatch;
using Gateways.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers generated gateways.</summary>
public static class GatewaysBuilderExtensions
{
    /// <summary>
    /// Adds a gateway class: registers it as a DI singleton (constructor injection works) and adds its generated
    /// handlers to its namespace. The Gateways source generator must have run for <typeparamref name="TGateway"/>,
    /// which it does for every <see cref="WebSocketGatewayAttribute"/> class of a project that references
    /// Gateways.Runtime.
    /// </summary>
    /// <typeparam name="TGateway">The gateway class.</typeparam>
    /// <param name="gateways">The builder.</param>
    /// <exception cref="InvalidOperationException">No generated dispatcher exists for the class.</exception>
    public static IGatewaysBuilder AddGateway<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TGateway>(
        this IGatewaysBuilder gateways) where TGateway : class
    {
        // Generated module initializers fill the registry; make sure the gateway's own module has run its one.
        RuntimeHelpers.RunModuleConstructor(typeof(TGateway).Module.ModuleHandle);
        if (!GatewayRegistry.TryGet(typeof(TGateway), out var descriptor))
        {
            throw new InvalidOperationException(
                $"'{typeof(TGateway).FullName}' has no generated dispatcher. Mark it [WebSocketGateway] and make sure the " +
                "Gateways source generator runs for its project (it ships in the Gateways.Runtime package; a project " +
                "reference needs OutputItemType=\"Analyzer\" on Gateways.SourceGen), and check the build for GW diagnostics.");
        }
        gateways.Services.TryAddSingleton<TGateway>();
        return gateways.AddGateway(descriptor);
    }

    /// <summary>
    /// Replaces the in-memory adapter with the one <typeparamref name="TFactory"/> creates for each namespace (a
    /// cluster adapter on a message bus, say). The factory is a DI singleton, so its constructor takes services; the
    /// adapter it creates sees its namespace through <see cref="Gateways.Adapters.IGatewayAdapterContext"/> only
    /// (docs/scaling.md, "Writing an adapter").
    /// </summary>
    /// <typeparam name="TFactory">The adapter factory.</typeparam>
    /// <param name="gateways">The builder.</param>
    public static IGatewaysBuilder AddAdapter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TFactory>(
        this IGatewaysBuilder gateways) where TFactory : class, Gateways.Adapters.IGatewayAdapterFactory
    {
        gateways.Services.Replace(ServiceDescriptor.Singleton<Gateways.Adapters.IGatewayAdapterFactory, TFactory>());
        return gateways;
    }

    /// <summary>Adds every generated gateway found in <paramref name="assemblies"/> (gateways that ship in other
    /// projects or packages, say): Scrutor registers each <see cref="WebSocketGatewayAttribute"/> class of them in the
    /// service collection as a singleton, and each one's generated descriptor adds its handlers.</summary>
    /// <param name="gateways">The builder.</param>
    /// <param name="assemblies">The assemblies to scan.</param>
    [RequiresUnreferencedCode("Assembly scanning finds types by reflection; use AddGateway<T>() in trimmed or Native AOT apps.")]
    public static IGatewaysBuilder AddGatewaysFromAssemblies(this IGatewaysBuilder gateways, params Assembly[] assemblies)
    {
        gateways.Services.Scan(scan => scan.FromAssemblies(assemblies)
            .AddClasses(classes => classes.WithAttribute<WebSocketGatewayAttribute>(), publicOnly: false)
            .UsingRegistrationStrategy(Scrutor.RegistrationStrategy.Skip)
            .AsSelf()
            .WithSingletonLifetime());
        foreach (var assembly in assemblies)
        {
            // The generated module initializer puts the assembly's descriptors in the registry.
            RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        }
        var scanned = new HashSet<Assembly>(assemblies);
        foreach (var descriptor in GatewayRegistry.All.Where(d => scanned.Contains(d.GatewayType.Assembly))
                     .OrderBy(d => d.GatewayType.FullName, StringComparer.Ordinal))
        {
            gateways.AddGateway(descriptor);
        }
        return gateways;
    }

    /// <summary>Adds every generated gateway of the assembly that declares <typeparamref name="TMarker"/>.</summary>
    /// <typeparam name="TMarker">Any type of that assembly.</typeparam>
    /// <param name="gateways">The builder.</param>
    [RequiresUnreferencedCode("Assembly scanning finds types by reflection; use AddGateway<T>() in trimmed or Native AOT apps.")]
    public static IGatewaysBuilder AddGatewaysFromAssemblyOf<TMarker>(this IGatewaysBuilder gateways) =>
        gateways.AddGatewaysFromAssemblies(typeof(TMarker).Assembly);

    /// <summary>Gives the gateways JSON metadata for the app's types — bodies, results, emitted arguments — from a
    /// source-generated <see cref="JsonSerializerContext"/>, ahead of the defaults. Needed where reflection is off
    /// (Native AOT, trimming): a type no resolver knows fails at startup, naming every such type.</summary>
    /// <param name="gateways">The builder.</param>
    /// <param name="context">The context, such as <c>AppJsonContext.Default</c>; the first added is asked first.</param>
    public static IGatewaysBuilder AddJsonSerializerContext(this IGatewaysBuilder gateways, JsonSerializerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Before the runtime's own metadata and the reflection fallback, after contexts added earlier.
        gateways.Services.Configure<GatewaysJsonOptions>(o =>
        {
            var chain = o.SerializerOptions.TypeInfoResolverChain;
            var defaults = chain.IndexOf(Gateways.Internal.GatewaysJsonContext.Default);
            chain.Insert(defaults < 0 ? chain.Count : defaults, context);
        });
        return gateways;
    }

    private static IGatewaysBuilder AddGateway(this IGatewaysBuilder gateways, GatewayDescriptor descriptor)
    {
        var declarations = ((GatewaysBuilder)gateways).Declarations;
        if (!declarations.Gateways.Contains(descriptor))
        {
            declarations.Gateways.Add(descriptor);
        }
        return gateways.AddNamespace(descriptor.Namespace, _ => { });
    }
}
