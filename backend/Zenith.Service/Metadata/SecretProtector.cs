using Microsoft.AspNetCore.DataProtection;

namespace Zenith.Service.Metadata;

/// <summary>Encrypts connection passwords at rest with ASP.NET Data Protection (key ring in <c>keys/</c> beside the database).</summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("Zenith.Metadata.ConnectionPasswords.v1");

    public string? Protect(string? secret) => secret is null ? null : protector.Protect(secret);

    public string? Unprotect(string? cipherText) => cipherText is null ? null : protector.Unprotect(cipherText);
}
