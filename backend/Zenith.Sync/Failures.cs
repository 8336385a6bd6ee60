using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Zenith.Core.Connections;

namespace Zenith.Sync;

/// <summary>A failure as a person reads it: one short line, and the drivers' own text behind it (both with passwords masked).</summary>
internal readonly record struct Described(string Line, string? Detail);

/// <summary>What the adapters' error messages share: what the network said, the drivers' text, a line kept short.</summary>
internal static class Failures
{
    /// <summary>The drivers' text kept as details: enough for any driver dump, bounded for the SQLite file.</summary>
    private const int MaxDetail = 4000;

    /// <summary>The socket error somewhere in the chain (DNS, refused, timed out...), if the network is what failed.</summary>
    public static SocketError? Socket(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }

    /// <summary>Whether the connection was refused (nothing listens there), as opposed to unreachable.</summary>
    public static bool Refused(Exception ex) => Socket(ex) == SocketError.ConnectionRefused;

    /// <summary>Whether a host name could not be resolved: a typo in the host, or a name only another network knows.</summary>
    public static bool HostNotFound(Exception ex) => Socket(ex) is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain;

    /// <summary>The TLS handshake's own error, if that is what failed.</summary>
    public static AuthenticationException? Tls(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException tls)
            {
                return tls;
            }
        }

        return null;
    }

    /// <summary>Why a TLS handshake failed, in a few words: no TLS on the port, or what is wrong with the certificate.</summary>
    public static string TlsReason(AuthenticationException tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var text = tls.Message;
        bool Says(string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);
        return Says("frame") || Says("unexpected packet") || Says("closed the transport stream") ? "does the server speak TLS on this port?"
            : Says("NameMismatch") ? "the certificate does not name this host"
            : Says("UntrustedRoot") || Says("PartialChain") ? "the certificate is not trusted: unknown certificate authority"
            : Says("NotTimeValid") ? "the certificate has expired or is not valid yet"
            : FirstLine(text, 70);
    }

    /// <summary>Server messages can quote the statement; keep the first line and cap it (no row contents).</summary>
    public static string FirstLine(string message, int max = 300)
    {
        ArgumentNullException.ThrowIfNull(message);
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > max ? line[..max] + "…" : line;
    }

    /// <summary>Each exception of the chain as "Type: message", the way the drivers said it; bounded, passwords masked.</summary>
    public static string Detail(Exception ex, params ReadOnlySpan<string?> uris)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var text = new StringBuilder();
        for (var e = ex; e is not null && text.Length < MaxDetail; e = e.InnerException)
        {
            text.Append(text.Length == 0 ? string.Empty : "\n---> ").Append(e.GetType().FullName).Append(": ").Append(e.Message.Trim());
        }

        var detail = text.Length > MaxDetail ? text.ToString(0, MaxDetail) + "…" : text.ToString();
        return Redaction.Redact(detail, uris);
    }

    /// <summary>"5 s", "1.5 s", "2 min": how long a timeout waited, as the line says it.</summary>
    public static string Seconds(TimeSpan time) => time.TotalSeconds >= 120
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{time.TotalMinutes:0.#} min")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.#} s");
}
