using System.Globalization;
using System.Security.Cryptography;

namespace Gateways.AdminUI;

/// <summary>
/// Hashes the Admin UI's password for <see cref="AdminUIOptions.PasswordHash"/>: PBKDF2 with HMAC-SHA256, a 16-byte
/// random salt, in the text form <c>pbkdf2-sha256$iterations$salt$hash</c> (base64). Node's admin-ui takes a bcrypt
/// hash; .NET has PBKDF2 built in, so this one needs no package.
/// </summary>
public static class AdminUIPassword
{
    /// <summary>The iterations <see cref="Hash(string)"/> uses: OWASP's recommendation for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;

    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Hashes <paramref name="password"/> with <see cref="DefaultIterations"/>.</summary>
    /// <param name="password">The plain password.</param>
    public static string Hash(string password) => Hash(password, DefaultIterations);

    /// <summary>Hashes <paramref name="password"/> with a chosen cost (fewer iterations log in faster and resist
    /// guessing less).</summary>
    /// <param name="password">The plain password.</param>
    /// <param name="iterations">PBKDF2 iterations, at least 10,000.</param>
    public static string Hash(string password, int iterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 10_000);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt),
            Convert.ToBase64String(hash));
    }

    /// <summary>Whether <paramref name="hash"/> is in the form <see cref="Hash(string)"/> makes.</summary>
    internal static bool IsValid(string? hash) => TryParse(hash, out _, out _, out _);

    /// <summary>Whether <paramref name="password"/> is the one <paramref name="hash"/> was made from; compared in
    /// constant time.</summary>
    internal static bool Verify(string hash, string password)
    {
        if (!TryParse(hash, out var iterations, out var salt, out var expected))
        {
            return false;
        }
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static bool TryParse(string? text, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        var parts = text?.Split('$');
        if (parts is not [Scheme, var count, var saltText, var hashText]
            || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < 10_000)
        {
            return false;
        }
        try
        {
            salt = Convert.FromBase64String(saltText);
            hash = Convert.FromBase64String(hashText);
        }
        catch (FormatException)
        {
            return false;
        }
        return salt.Length >= 8 && hash.Length >= 16;
    }
}
