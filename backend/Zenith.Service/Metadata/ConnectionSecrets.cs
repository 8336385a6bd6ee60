using System.Text.Json;
using Zenith.Core.Connections;
using Zenith.Service.Domain;

namespace Zenith.Service.Metadata;

/// <summary>
/// How a connection string is kept in SQLite: the text with every secret masked (<see cref="ConnectionString.Masked"/>), the
/// user-info password as one ciphertext and the secret options (<c>tlsCertificateKeyFilePassword</c>, <c>AWS_SESSION_TOKEN</c>, …)
/// as another (a JSON object, encrypted). Sealing applies the reuse rule against what is stored; unsealing may find the
/// ciphertexts unreadable.
/// </summary>
public sealed class ConnectionSecrets(SecretProtector protector)
{
    /// <summary>A sealed URI: what the row stores.</summary>
    public readonly record struct Sealed(string MaskedUri, string? Password, string? Options);

    /// <summary>
    /// Seals a URI a client sent, after a masked or missing secret took the stored one (<paramref name="stored"/>, unsealed; null
    /// when nothing is stored or it cannot be read). A masked secret for another endpoint throws <see cref="PasswordRequiredException"/>.
    /// </summary>
    /// <param name="unreadable">The stored secrets exist but cannot be decrypted (then the exception says so).</param>
    public Sealed Seal(string uri, ConnectionString? stored, string end, bool unreadable = false)
    {
        var reuse = ConnectionString.Parse(uri).ReuseStoredPassword(stored);
        if (reuse.Choice == PasswordChoice.MaskRefused || (unreadable && ConnectionString.Parse(uri).HasMaskedSecret))
        {
            throw new PasswordRequiredException(end, unreadable);
        }

        var sealedUri = ConnectionString.Parse(reuse.Uri);
        var options = sealedUri.Secrets.Where(s => s.Key != ConnectionString.PasswordKey).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        return new Sealed(
            sealedUri.Masked,
            protector.Protect(sealedUri.Password),
            options.Count == 0 ? null : protector.Protect(JsonSerializer.Serialize(options)));
    }

    /// <summary>The URI with its secrets back in place; false when a ciphertext cannot be decrypted.</summary>
    public bool TryUnseal(Sealed stored, out string uri)
    {
        uri = stored.MaskedUri;
        if (!protector.TryUnprotect(stored.Password, out var password) || !protector.TryUnprotect(stored.Options, out var options))
        {
            return false;
        }

        var values = options is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(options) ?? [];
        if (password is not null)
        {
            values[ConnectionString.PasswordKey] = password;
        }

        uri = ConnectionString.Parse(stored.MaskedUri).WithSecrets(values);
        return true;
    }

    /// <summary>
    /// A row written before secret options were masked kept them in its URI: they move into the encrypted column (the password
    /// was already masked). Null when the row holds none in clear.
    /// </summary>
    public Sealed? SealClearOptions(Sealed stored)
    {
        var parsed = ConnectionString.Parse(stored.MaskedUri);
        var clear = parsed.Secrets.Where(s => s.Key != ConnectionString.PasswordKey && s.Value != ConnectionString.Mask).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        if (clear.Count == 0 || stored.Options is not null)
        {
            return null;
        }

        return stored with { MaskedUri = parsed.Masked, Options = protector.Protect(JsonSerializer.Serialize(clear)) };
    }
}
