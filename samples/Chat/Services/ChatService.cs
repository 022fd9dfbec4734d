using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Chat.Services;

/// <summary>A saved chat message, as clients receive it.</summary>
public sealed record ChatMessage(long Id, string RoomId, string UserId, string Text, string CreatedAt);

/// <summary>
/// Saves and reads room messages in SQLite (the seed's ChatService), the way a production app should use it from a
/// server: the database in WAL mode (readers never wait for the writer, nor it for them), and every write done by one
/// writer on a thread of its own, one connection, through a bounded queue.
/// </summary>
/// <remarks>
/// Why: Microsoft.Data.Sqlite runs its "async" methods synchronously, and when two connections write at once the
/// second gets SQLITE_BUSY, which the driver answers by sleeping 150 ms on the calling thread and retrying. Writes from
/// concurrent handlers on the thread pool therefore stalled for 150 ms, 300 ms, … and blocked pool threads meanwhile:
/// the seed's p99 of 300-600 ms under load (docs/performance.md, "The chat sample's tail"). One writer never contends,
/// and the thread pool never waits on disk.
/// </remarks>
public sealed class ChatService : IAsyncDisposable
{
    /// <summary>Writes waiting for the writer at most; past it <see cref="SaveMessageAsync"/> waits (backpressure).</summary>
    private const int WriteQueueCapacity = 1024;

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    // Every user who ever connected: their personal rooms stay private while they are offline too.
    private readonly ConcurrentDictionary<string, byte> _users = new(StringComparer.Ordinal);
    private readonly Channel<Write> _writes = Channel.CreateBounded<Write>(new BoundedChannelOptions(WriteQueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly Thread _writer;

    public ChatService(ChatSettings settings, TimeProvider time)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = settings.DatabasePath }.ToString();
        _time = time;
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
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
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                _users.TryAdd(reader.GetString(0), 0);
            }
        }
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "ChatService writer" };
        _writer.Start();
    }

    /// <summary>Saves a message; completes once it is in the database, with its id and time.</summary>
    public async Task<ChatMessage> SaveMessageAsync(string roomId, string userId, string text, CancellationToken cancellationToken)
    {
        var createdAt = _time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var write = new SaveMessageWrite(roomId, userId, text, createdAt);
        await _writes.Writer.WriteAsync(write, cancellationToken);
        var id = await write.Completion.Task.WaitAsync(cancellationToken);
        return new ChatMessage(id, roomId, userId, text, createdAt);
    }

    /// <summary>Remembers a user who connected, so that the room named by their id is known as theirs.</summary>
    public void RememberUser(string userId)
    {
        if (userId.Length > 0 && _users.TryAdd(userId, 0))
        {
            // Fire and forget: the in-memory set already answers; the row only makes it outlive a restart.
            _writes.Writer.TryWrite(new RememberUserWrite(userId));
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
        _writes.Writer.TryComplete();
        await Task.Run(() => _writer.Join(TimeSpan.FromSeconds(5)));
    }

    private void WriteLoop()
    {
        using var connection = Open();
        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO messages (room_id, user_id, text, created_at) VALUES ($room, $user, $text, $created)
            RETURNING id;
            """;
        var room = insert.Parameters.Add("$room", SqliteType.Text);
        var user = insert.Parameters.Add("$user", SqliteType.Text);
        var text = insert.Parameters.Add("$text", SqliteType.Text);
        var created = insert.Parameters.Add("$created", SqliteType.Text);
        using var remember = connection.CreateCommand();
        remember.CommandText = "INSERT OR IGNORE INTO users (id) VALUES ($id)";
        var id = remember.Parameters.Add("$id", SqliteType.Text);
        var reader = _writes.Reader;
        // Blocking on purpose: this thread is the database's, not the pool's.
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var write))
            {
                try
                {
                    switch (write)
                    {
                        case SaveMessageWrite message:
                            (room.Value, user.Value, text.Value, created.Value) = (message.RoomId, message.UserId, message.Text, message.CreatedAt);
                            message.Completion.TrySetResult((long)insert.ExecuteScalar()!);
                            break;
                        case RememberUserWrite rememberUser:
                            id.Value = rememberUser.UserId;
                            remember.ExecuteNonQuery();
                            break;
                    }
                }
                catch (Exception ex) when (write is SaveMessageWrite message)
                {
                    message.Completion.TrySetException(ex);
                }
                catch (SqliteException)
                {
                    // A user row that could not be written is remembered in memory all the same.
                }
            }
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private abstract record Write;

    private sealed record SaveMessageWrite(string RoomId, string UserId, string Text, string CreatedAt) : Write
    {
        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record RememberUserWrite(string UserId) : Write;
}
