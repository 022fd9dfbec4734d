using System.Buffers.Text;
using System.Security.Cryptography;

namespace Gateways.Internal;

/// <summary>
/// Unguessable ids (Engine.IO session ids, Socket.IO socket ids): 15 random bytes as 20 base64url characters, as
/// socket.io's are. Random bytes come from the OS generator in 4 KB batches: one call per id cost about 12 µs, a
/// noticeable share of a whole connection handshake.
/// </summary>
internal static class RandomIds
{
    private const int IdBytes = 15;
    private static readonly Lock Gate = new();
    private static readonly byte[] Batch = new byte[IdBytes * 273];
    private static int _next = Batch.Length;

    public static string Next()
    {
        Span<byte> random = stackalloc byte[IdBytes];
        lock (Gate)
        {
            if (_next == Batch.Length)
            {
                RandomNumberGenerator.Fill(Batch);
                _next = 0;
            }
            Batch.AsSpan(_next, IdBytes).CopyTo(random);
            // Each byte is handed out once.
            Batch.AsSpan(_next, IdBytes).Clear();
            _next += IdBytes;
        }
        return Base64Url.EncodeToString(random);
    }
}
