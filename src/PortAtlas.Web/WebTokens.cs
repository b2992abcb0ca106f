namespace PortAtlas.Web;

/// <summary>Access tokens for <c>ports serve</c> on a non-loopback address.</summary>
public static class WebTokens
{
    /// <summary>A new random token: 32 bytes from the system's cryptographic generator, base64url (43 characters).</summary>
    public static string NewToken() => Security.NewSecret();
}
