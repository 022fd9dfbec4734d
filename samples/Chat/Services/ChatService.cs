using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Chat.Services;

/// <summary>A saved chat message, as clients receive it.</summary>
public sealed record ChatMessage(long Id, string RoomId, string UserId, string Text, string CreatedAt);

/// <summary>Saves and reads room messages in SQLite (the seed's ChatService).</summary>
public sealed class ChatService
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    // Every user who ever connected: their personal rooms stay private while they are offline too.
    private readonly ConcurrentDictionary<string, byte> _users = new(StringComparer.Ordinal);

    public ChatService(ChatSettings settings, TimeProvider time)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = settings.DatabasePath }.ToString();
        _time = time;
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
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

    /// <summary>Remembers a user who connected, so that the room named by their id is known as theirs.</summary>
    public void RememberUser(string userId)
    {
        if (userId.Length == 0 || !_users.TryAdd(userId, 0))
        {
            return;
        }
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO users (id) VALUES ($id)";
        command.Parameters.AddWithValue("$id", userId);
        command.ExecuteNonQuery();
    }

    /// <summary>Whether <paramref name="roomId"/> is the personal room of a user other than <paramref name="userId"/>.</summary>
    public bool IsPersonalRoomOfAnother(string roomId, string userId) => roomId != userId && _users.ContainsKey(roomId);

    public async Task<ChatMessage> SaveMessageAsync(string roomId, string userId, string text, CancellationToken cancellationToken)
    {
        var createdAt = _time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO messages (room_id, user_id, text, created_at) VALUES ($room, $user, $text, $created);
            SELECT last_insert_rowid();
            """;
        command.Parameters.AddWithValue("$room", roomId);
        command.Parameters.AddWithValue("$user", userId);
        command.Parameters.AddWithValue("$text", text);
        command.Parameters.AddWithValue("$created", createdAt);
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new ChatMessage(id, roomId, userId, text, createdAt);
    }

    /// <summary>The last <paramref name="count"/> messages of a room, oldest first.</summary>
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

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
