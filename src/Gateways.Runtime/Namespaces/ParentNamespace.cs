using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Gateways.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateways.Namespaces;

/// <summary>
/// A dynamic namespace (socket.io's parent namespace, <c>io.of(/regex/)</c>): every name its pattern matches becomes a
/// child namespace of its own — its own sockets, rooms and adapter, its parent's handlers — created when a client
/// connects to it or the app asks for it. As an <see cref="IGatewayServer"/> it reaches every child on this server.
/// </summary>
/// <remarks>
/// Clients choose the names, so children are bounded (<see cref="DynamicNamespaceOptions.MaxChildren"/>, name length;
/// at the limit an empty child makes room) and a child made for a CONNECT that was refused goes away with it. A CONNECT holds its child while the middlewares
/// run, so cleanup never removes a child a socket is joining.
/// </remarks>
internal sealed class ParentNamespace : NamespaceServer
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, Child> _children = new(StringComparer.Ordinal);
    private readonly Func<string, FrozenDictionary<string, string>, GatewayNamespace> _create;
    private readonly DynamicNamespaceOptions _options;
    private readonly ILogger _logger;
    private readonly IBroadcastOperator _all;
    private bool _limitLogged;
    private bool _disposed;
    // Bumped whenever a child may have become empty; an eviction scan that found none is not repeated until it moves,
    // so CONNECTs refused at the limit do not each walk every child.
    private long _emptyingVersion;
    private long _fruitlessScanAt = -1;

    public ParentNamespace(NamespacePattern pattern, DynamicNamespaceOptions options, ILogger logger,
        Func<string, FrozenDictionary<string, string>, GatewayNamespace> create)
    {
        Pattern = pattern;
        _options = options;
        _logger = logger;
        _create = create;
        _all = new ParentBroadcastOperator(this, static server => server);
    }

    /// <summary>A child and what keeps it: CONNECTs in progress, and whether anything but a refused CONNECT wanted it.</summary>
    private sealed class Child(GatewayNamespace @namespace)
    {
        public GatewayNamespace Namespace { get; } = @namespace;

        public int Pending { get; set; }

        public bool Provisional { get; set; } = true;
    }

    /// <summary>The pattern of the names this namespace serves.</summary>
    public NamespacePattern Pattern { get; }

    /// <summary>The pattern's text, such as <c>/tenant-{id}</c>.</summary>
    public override string Name => Pattern.Text;

    /// <summary>The children that exist on this server now.</summary>
    public IEnumerable<GatewayNamespace> Children => _children.Values.Select(static child => child.Namespace);

    /// <inheritdoc/>
    public override int LocalSocketCount => _children.Values.Sum(static child => child.Namespace.LocalSocketCount);

    /// <summary>Finds or creates the child <paramref name="name"/> for a CONNECT and holds it until
    /// <see cref="Release"/>.</summary>
    public NamespaceLookup TryReserve(string name, out GatewayNamespace? child) => Find(name, reserve: true, out child);

    /// <summary>Finds or creates the child <paramref name="name"/> for the app (<c>Of(name)</c>); it stays.</summary>
    public NamespaceLookup TryGetOrCreate(string name, out GatewayNamespace? child) => Find(name, reserve: false, out child);

    private NamespaceLookup Find(string name, bool reserve, out GatewayNamespace? child)
    {
        child = null;
        if (name.Length > _options.MaxNameLength)
        {
            return NamespaceLookup.NotFound;
        }
        lock (_lock)
        {
            if (_children.TryGetValue(name, out var existing))
            {
                child = Hold(existing, reserve);
                return NamespaceLookup.Found;
            }
        }
        // Matched outside the lock: an app's expression may take its time (bounded by its timeout).
        FrozenDictionary<string, string> values;
        try
        {
            if (!Pattern.TryMatch(name, out values))
            {
                return NamespaceLookup.NotFound;
            }
        }
        catch (RegexMatchTimeoutException)
        {
            NamespaceLog.PatternTimedOut(_logger, Name, name.Length);
            return NamespaceLookup.NotFound;
        }
        if (TryHoldOrRefuse(name, reserve, out child) is { } early)
        {
            return early;
        }
        // Made outside the lock: its adapter may talk to Redis (subscriptions), and other CONNECTs should not wait.
        var created = _create(name, values);
        lock (_lock)
        {
            if (TryHoldOrRefuse(name, reserve, out child) is not { } outcome)
            {
                _children[name] = new Child(created);
                NamespaceLog.ChildCreated(_logger, name, Name);
                child = Hold(_children[name], reserve);
                if (!reserve)
                {
                    Interlocked.Increment(ref _emptyingVersion); // made empty, for the app (Of)
                }
                return NamespaceLookup.Found;
            }
            // Another CONNECT made it first, or the server stopped, or the limit was reached meanwhile.
            _ = created.DisposeResourcesAsync();
            return outcome;
        }
    }

    /// <summary>The existing child held, or why none may be made (stopped, full); null when a new one may be made.
    /// Takes the lock (re-entrant).</summary>
    private NamespaceLookup? TryHoldOrRefuse(string name, bool reserve, out GatewayNamespace? child)
    {
        child = null;
        lock (_lock)
        {
            if (_disposed)
            {
                return NamespaceLookup.NotFound;
            }
            if (_children.TryGetValue(name, out var existing))
            {
                child = Hold(existing, reserve);
                return NamespaceLookup.Found;
            }
            if (_children.Count >= _options.MaxChildren && !TryEvictEmptyChild())
            {
                if (!_limitLogged)
                {
                    // Once until a child goes away: a client hammering new names cannot flood the log.
                    _limitLogged = true;
                    NamespaceLog.ChildLimitReached(_logger, Name, _options.MaxChildren);
                }
                return NamespaceLookup.Full;
            }
            return null;
        }
    }

    /// <summary>At the limit, a child nobody is in makes room for a new one: only children with sockets (or a CONNECT in
    /// progress) count against <see cref="DynamicNamespaceOptions.MaxChildren"/>, so names minted and left cannot lock
    /// new ones out. Called under the lock.</summary>
    private bool TryEvictEmptyChild()
    {
        var version = Interlocked.Read(ref _emptyingVersion);
        if (version == _fruitlessScanAt)
        {
            return false;
        }
        foreach (var entry in _children.Values)
        {
            if (entry.Pending == 0 && entry.Namespace.LocalSocketCount == 0)
            {
                Remove(entry);
                return true;
            }
        }
        _fruitlessScanAt = version;
        return false;
    }

    private static GatewayNamespace Hold(Child entry, bool reserve)
    {
        if (reserve)
        {
            entry.Pending++;
        }
        else
        {
            entry.Provisional = false;
        }
        return entry.Namespace;
    }

    /// <summary>A CONNECT that held <paramref name="child"/> is over, its socket admitted or not.</summary>
    public void Release(GatewayNamespace child, bool admitted)
    {
        lock (_lock)
        {
            if (!_children.TryGetValue(child.Name, out var entry) || entry.Namespace != child)
            {
                return;
            }
            entry.Pending--;
            if (admitted)
            {
                entry.Provisional = false;
            }
            Interlocked.Increment(ref _emptyingVersion); // it may be an empty child the app keeps now
            RemoveIfUnused(entry);
        }
    }

    /// <summary>A socket left <paramref name="child"/>: with cleanup on, an empty child goes away
    /// (socket.io's <c>cleanupEmptyChildNamespaces</c>).</summary>
    public void OnSocketLeft(GatewayNamespace child)
    {
        Interlocked.Increment(ref _emptyingVersion);
        if (!_options.CleanupEmptyChildren)
        {
            return;
        }
        lock (_lock)
        {
            if (_children.TryGetValue(child.Name, out var entry) && entry.Namespace == child)
            {
                RemoveIfUnused(entry);
            }
        }
    }

    private void RemoveIfUnused(Child entry)
    {
        if (entry.Pending > 0 || entry.Namespace.LocalSocketCount > 0 || !(_options.CleanupEmptyChildren || entry.Provisional))
        {
            return;
        }
        Remove(entry);
    }

    private void Remove(Child entry)
    {
        _children.TryRemove(entry.Namespace.Name, out _);
        _limitLogged = false;
        NamespaceLog.ChildRemoved(_logger, entry.Namespace.Name, Name);
        // Its adapter may hold subscriptions (Redis): released off the caller's path.
        _ = entry.Namespace.DisposeResourcesAsync();
    }

    /// <summary>The app stops: every child's resources are released.</summary>
    public async ValueTask DisposeAsync()
    {
        Child[] children;
        lock (_lock)
        {
            _disposed = true;
            children = [.. _children.Values];
            _children.Clear();
        }
        foreach (var child in children)
        {
            await child.Namespace.DisposeResourcesAsync();
        }
    }

    /// <inheritdoc/>
    protected override IBroadcastOperator All => _all;

    /// <inheritdoc/>
    public override void ServerSideEmit(string eventName, params object?[] args) => throw NoServerSideEmits();

    /// <inheritdoc/>
    public override Task<IReadOnlyList<EventArguments>> ServerSideEmitWithAckAsync(string eventName, TimeSpan timeout, params object?[] args) =>
        throw NoServerSideEmits();

    /// <inheritdoc/>
    public override IDisposable OnServerSideEmit(string eventName, Func<EventArguments, ValueTask<object?>> listener) =>
        throw NoServerSideEmits();

    private NotSupportedException NoServerSideEmits() => new(
        $"'{Name}' is a dynamic namespace: server-side emits belong to one namespace. Use a child (Of(\"{Name}\") gives " +
        "the parent; Of(\"/a-child-name\") a child) or a namespace declared by its name.");

    /// <summary>The parent's operations: the same operation on every child that exists on this server (socket.io's
    /// parent namespace does the same; children that exist only on other servers are not reached).</summary>
    private sealed class ParentBroadcastOperator(ParentNamespace parent, Func<IBroadcastOperator, IBroadcastOperator> narrow)
        : IBroadcastOperator
    {
        private ParentBroadcastOperator Then(Func<IBroadcastOperator, IBroadcastOperator> next) => new(parent, target => next(narrow(target)));

        public IBroadcastOperator To(string room) => Then(target => target.To(room));

        public IBroadcastOperator To(IEnumerable<string> rooms)
        {
            var list = rooms.ToArray();
            return Then(target => target.To(list));
        }

        public IBroadcastOperator Except(string room) => Then(target => target.Except(room));

        public IBroadcastOperator Volatile => Then(static target => target.Volatile);

        public IBroadcastOperator Local => Then(static target => target.Local);

        private IEnumerable<IBroadcastOperator> Targets => parent.Children.Select(child => narrow(child));

        public void Emit(string eventName, params object?[] args)
        {
            foreach (var target in Targets)
            {
                target.Emit(eventName, args);
            }
        }

        public async Task<IReadOnlyList<EventArguments>> EmitWithAckAsync(string eventName, TimeSpan timeout, params object?[] args)
        {
            var answers = await Task.WhenAll(Targets.Select(target => target.EmitWithAckAsync(eventName, timeout, args)));
            return [.. answers.SelectMany(static each => each)];
        }

        public void SocketsJoin(string room)
        {
            foreach (var target in Targets)
            {
                target.SocketsJoin(room);
            }
        }

        public void SocketsLeave(string room)
        {
            foreach (var target in Targets)
            {
                target.SocketsLeave(room);
            }
        }

        public void DisconnectSockets(bool close = false)
        {
            foreach (var target in Targets)
            {
                target.DisconnectSockets(close);
            }
        }

        public async Task<IReadOnlyList<IGatewaySocket>> FetchSocketsAsync()
        {
            var sockets = await Task.WhenAll(Targets.Select(static target => target.FetchSocketsAsync()));
            return [.. sockets.SelectMany(static each => each)];
        }
    }
}

/// <summary>What looking a namespace up by name found.</summary>
internal enum NamespaceLookup
{
    /// <summary>The namespace, declared or a dynamic namespace's child.</summary>
    Found,

    /// <summary>No namespace has this name and no pattern matches it.</summary>
    NotFound,

    /// <summary>A pattern matches, but its children are at their limit.</summary>
    Full,
}
