using System.Text;
using Chat.Services;
using Microsoft.Data.Sqlite;
using Microsoft.IdentityModel.Tokens;

namespace Gateways.Tests.Chat;

/// <summary>
/// The causes of the chat sample's tail (docs/performance.md): first handlers writing SQLite from the thread pool, where
/// a second writer gets SQLITE_BUSY and Microsoft.Data.Sqlite sleeps 150 ms on the caller's thread before it retries;
/// then the dedicated writer thread that cured it, whose two thread hops per message doubled the p99 on one core. These
/// tests keep both from coming back: the store is in WAL mode, a save nothing contends with completes on its caller's
/// thread before it returns, and a save never blocks its caller, even while another process holds the write lock.
/// </summary>
public sealed class ChatStoreTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"chat-store-{Guid.NewGuid():N}.db");
    private ChatService _chat = null!;

    public Task InitializeAsync()
    {
        _chat = new ChatService(new ChatSettings
        {
            DatabasePath = _path,
            SigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(ChatSettings.DevelopmentSecret)),
        }, TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _chat.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task TheDatabaseIsInWalModeSoReadersNeverWaitForTheWriter()
    {
        await using var connection = new SqliteConnection($"Data Source={_path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task ASaveNothingContendsWithCompletesOnItsCallersThread()
    {
        // No hop to another thread and back: the write is done by the time the call returns.
        var save = _chat.SaveMessageAsync("lobby", "alice", "hello", CancellationToken.None);

        Assert.True(save.IsCompletedSuccessfully, "the save went to another thread");
        Assert.Equal("hello", (await _chat.GetRecentMessagesAsync("lobby", 1, CancellationToken.None)).Single().Text);
        Assert.Equal((await save).Id, (await _chat.GetRecentMessagesAsync("lobby", 1, CancellationToken.None)).Single().Id);
    }

    [Fact]
    public async Task ASaveNeverBlocksItsCallerEvenWhileTheDatabaseIsLocked()
    {
        await using var other = new SqliteConnection($"Data Source={_path}");
        await other.OpenAsync();
        await using var transaction = other.BeginTransaction(deferred: false);
        await using (var write = other.CreateCommand())
        {
            write.CommandText = "INSERT INTO messages (room_id, user_id, text, created_at) VALUES ('r', 'u', 'held', 'now')";
            await write.ExecuteNonQueryAsync();
        }

        // Issued while another connection holds the write lock. In the seed, each call ran the insert on this thread and
        // slept in the driver's busy loop until the lock went away; now the first waits for the lock on a timer and the
        // rest for the gate, none on a thread.
        var saves = Enumerable.Range(0, 20).Select(i => _chat.SaveMessageAsync("lobby", "alice", $"m{i}", CancellationToken.None)).ToList();
        var read = await _chat.GetRecentMessagesAsync("lobby", 50, CancellationToken.None);

        Assert.All(saves, save => Assert.False(save.IsCompleted, "a save completed (or failed) while the database was locked"));
        Assert.Empty(read);
        await transaction.CommitAsync();
        var saved = await Task.WhenAll(saves);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"m{i}"), saved.Select(m => m.Text));
        Assert.Equal(saved.Select(m => m.Id).Order(), saved.Select(m => m.Id));
        var history = await _chat.GetRecentMessagesAsync("lobby", 50, CancellationToken.None);
        Assert.Equal(20, history.Count);
    }
}
