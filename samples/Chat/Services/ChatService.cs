using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Chat.Services;

/// <summary>A saved chat message, as clients receive it.</summary>
public sealed record ChatMessage(long Id, string RoomId, string UserId, string Text, string CreatedAt);

/// <summary>
/// Saves and reads room messages in SQLite (the seed's ChatService), the way a server that owns its database file
/// should: WAL mode (readers never wait for the writer, nor it for them), one write connection with its statements
/// prepared once, writes run inline on the caller's thread behind an async gate, and checkpoints on a thread of their
/// own.
/// </summary>
/// <remarks>
/// Why (docs/performance.md, "The chat sample's tail"): Microsoft.Data.Sqlite runs its "async" methods synchronously,
/// and on SQLITE_BUSY it sleeps 150 ms on the calling thread and retries. Handlers writing through several connections
/// from the thread pool therefore stalled for 150 ms, 300 ms, … (the seed's 300-600 ms p99). A dedicated writer thread
/// cured that but cost two thread hops per message, which on a one-core server doubled the ack's p99; so now:
/// <list type="bullet">
/// <item>One connection writes, and only one caller at a time (the gate): we never contend with ourselves.</item>
/// <item>A write is a WAL append into the page cache (microseconds), so it runs on the caller's thread: no hop.</item>
/// <item>Another process holding the write lock makes SQLite answer SQLITE_BUSY at once (no busy timeout), and the
/// write is retried after an async delay: no thread ever sleeps on the lock (the statements are stepped through
/// SQLitePCL, below the driver's sleeping retry loop).</item>
/// <item>The fsyncs happen at checkpoints, which the write connection never runs (<c>wal_autocheckpoint = 0</c>): a
/// background thread runs a passive checkpoint every second, which does not block the writer.</item>
/// </list>
/// </remarks>
public sealed class ChatService : IAsyncDisposable
{
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FirstBusyRetry = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan LongestBusyRetry = TimeSpan.FromMilliseconds(100);

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    // Every user who ever connected: their personal rooms stay private while they are offline too.
    private readonly ConcurrentDictionary<string, byte> _users = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SqliteConnection _writer;
    private readonly sqlite3_stmt _insertMessage;
    private readonly sqlite3_stmt _insertUser;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _checkpointer;

    public ChatService(ChatSettings settings, TimeProvider time)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = settings.DatabasePath }.ToString();
        _time = time;
        _writer = Open();
        using (var command = _writer.CreateCommand())
        {
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                PRAGMA wal_autocheckpoint = 0;
                PRAGMA busy_timeout = 0;
                CREATE TABLE IF NOT EXISTS messages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    room_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    text TEXT NOT NULL,
                    created_at TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS messages_by_room ON messages (room_id, id);
                CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY);
                """;
            command.ExecuteNonQuery();
            command.CommandText = "SELECT id FROM users";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                _users.TryAdd(reader.GetString(0), 0);
            }
        }
        _insertMessage = Prepare("INSERT INTO messages (room_id, user_id, text, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id");
        _insertUser = Prepare("INSERT OR IGNORE INTO users (id) VALUES (?1)");
        _checkpointer = new Thread(CheckpointLoop) { IsBackground = true, Name = "ChatService checkpoints" };
        _checkpointer.Start();
    }

    /// <summary>Saves a message; completes once it is in the database, with its id and time.</summary>
    public async Task<ChatMessage> SaveMessageAsync(string roomId, string userId, string text, CancellationToken cancellationToken)
    {
        var createdAt = _time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var id = await WriteAsync(_insertMessage, [roomId, userId, text, createdAt], cancellationToken);
            return new ChatMessage(id, roomId, userId, text, createdAt);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Remembers a user who connected, so that the room named by their id is known as theirs.</summary>
    public void RememberUser(string userId)
    {
        if (userId.Length > 0 && _users.TryAdd(userId, 0))
        {
            // Fire and forget: the in-memory set already answers; the row only makes it outlive a restart.
            _ = RememberUserAsync(userId);
        }
    }

    /// <summary>Whether <paramref name="roomId"/> is the personal room of a user other than <paramref name="userId"/>.</summary>
    public bool IsPersonalRoomOfAnother(string roomId, string userId) => roomId != userId && _users.ContainsKey(roomId);

    /// <summary>The last <paramref name="count"/> messages of a room, oldest first. A read in WAL mode never waits
    /// for the writer.</summary>
    public async Task<IReadOnlyList<ChatMessage>> GetRecentMessagesAsync(string roomId, int count, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, room_id, user_id, text, created_at FROM
                (SELECT * FROM messages WHERE room_id = $room ORDER BY id DESC LIMIT $count)
            ORDER BY id;
            """;
        command.Parameters.AddWithValue("$room", roomId);
        command.Parameters.AddWithValue("$count", count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var messages = new List<ChatMessage>();
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(new ChatMessage(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        }
        return messages;
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await Task.Run(() => _checkpointer.Join(TimeSpan.FromSeconds(5)));
        // The last write finishes first; none starts after (the gate is never released again).
        await _writeGate.WaitAsync();
        _insertMessage.Dispose();
        _insertUser.Dispose();
        await _writer.DisposeAsync();
        // _stopping is not disposed: a RememberUser racing shutdown still reads its token (and gives up).
    }

    private async Task RememberUserAsync(string userId)
    {
        try
        {
            await _writeGate.WaitAsync(_stopping.Token);
            try
            {
                await WriteAsync(_insertUser, [userId], _stopping.Token);
            }
            finally
            {
                _writeGate.Release();
            }
        }
        catch (Exception ex) when (ex is SqliteException or OperationCanceledException)
        {
            // A user row that could not be written is remembered in memory all the same.
        }
    }

    /// <summary>Runs one prepared write (under the gate) and returns its first column, or the last row id. SQLITE_BUSY
    /// — another process holds the write lock — is retried after a delay that no thread spends waiting.</summary>
    private async ValueTask<long> WriteAsync(sqlite3_stmt statement, string[] values, CancellationToken cancellationToken)
    {
        var retry = FirstBusyRetry;
        while (true)
        {
            for (var i = 0; i < values.Length; i++)
            {
                raw.sqlite3_bind_text(statement, i + 1, values[i]);
            }
            var rc = raw.sqlite3_step(statement);
            var id = rc == raw.SQLITE_ROW ? raw.sqlite3_column_int64(statement, 0) : raw.sqlite3_last_insert_rowid(_writer.Handle);
            while (rc == raw.SQLITE_ROW)
            {
                rc = raw.sqlite3_step(statement);
            }
            raw.sqlite3_reset(statement);
            if (rc == raw.SQLITE_DONE)
            {
                return id;
            }
            if (rc != raw.SQLITE_BUSY)
            {
                SqliteException.ThrowExceptionForRC(rc, _writer.Handle);
            }
            await Task.Delay(retry, _time, cancellationToken);
            retry = retry * 2 < LongestBusyRetry ? retry * 2 : LongestBusyRetry;
        }
    }

    private void CheckpointLoop()
    {
        // A connection of its own: a passive checkpoint copies committed WAL frames into the database and fsyncs it,
        // without blocking the writer (and SQLite restarts the WAL once everything in it has been copied).
        using var connection = Open();
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        while (!_stopping.Token.WaitHandle.WaitOne(CheckpointInterval))
        {
            try
            {
                checkpoint.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // Tried again at the next interval; until then the WAL is only longer.
            }
        }
    }

    private sqlite3_stmt Prepare(string sql)
    {
        var rc = raw.sqlite3_prepare_v2(_writer.Handle, sql, out var statement);
        SqliteException.ThrowExceptionForRC(rc, _writer.Handle);
        return statement;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
