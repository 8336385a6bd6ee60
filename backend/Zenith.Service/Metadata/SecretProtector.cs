using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Zenith.Service.Metadata;

/// <summary>Encrypts connection secrets at rest with ASP.NET Data Protection (key ring in <c>keys/</c> beside the database).</summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("Zenith.Metadata.ConnectionPasswords.v1");

    public string? Protect(string? secret) => secret is null ? null : protector.Protect(secret);

    public string? Unprotect(string? cipherText) => cipherText is null ? null : protector.Unprotect(cipherText);

    /// <summary>
    /// Decrypts, or says it cannot: the key that encrypted it is not in the key ring (a database copied without <c>keys/</c>) or
    /// the text was altered.
    /// </summary>
    public bool TryUnprotect(string? cipherText, out string? secret)
    {
        try
        {
            secret = Unprotect(cipherText);
            return true;
        }
        catch (CryptographicException)
        {
            secret = null;
            return false;
        }
    }
}
