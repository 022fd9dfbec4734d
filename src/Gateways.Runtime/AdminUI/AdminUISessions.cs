using System.Collections.Concurrent;

namespace Gateways.AdminUI;

/// <summary>The session ids the page got at login, each until it expires; at most <c>MaxSessions</c>, the oldest
/// forgotten first, so logins cannot grow it.</summary>
internal sealed class AdminUISessions(AdminUIOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);
    private readonly Lock _addLock = new();

    public int Count => _expiries.Count;

    public string Create()
    {
        var id = Internal.RandomIds.Next();
        var now = time.GetUtcNow();
        lock (_addLock)
        {
            if (_expiries.Count >= options.MaxSessions)
            {
                foreach (var (expired, _) in _expiries.Where(pair => pair.Value <= now))
                {
                    _expiries.TryRemove(expired, out _);
                }
                while (_expiries.Count >= options.MaxSessions
                    && _expiries.MinBy(pair => pair.Value) is { Key: { } oldest })
                {
                    _expiries.TryRemove(oldest, out _);
                }
            }
            _expiries[id] = now + options.SessionLifetime;
        }
        return id;
    }

    public bool IsValid(string sessionId)
    {
        if (!_expiries.TryGetValue(sessionId, out var expiry))
        {
            return false;
        }
        if (expiry > time.GetUtcNow())
        {
            return true;
        }
        _expiries.TryRemove(sessionId, out _);
        return false;
    }
}
