using System.Security.Claims;
using CharityPromo.Api.Data;

namespace CharityPromo.Api.Audit;

/// <summary>
/// Appends to the audit trail, inside the caller's write transaction (DirectSql refuses to run outside one), so an
/// entry exists exactly when its change committed: a write the writer rolls back takes its entry with it.
/// </summary>
internal static class AuditTrail
{
    /// <summary>The actor of what Stripe's events changed (refunds made in its Dashboard, disputes, transfers).</summary>
    public const string Stripe = "stripe";

    /// <summary>The API key's name: key names are unique for ever, revoked ones included, so it names one key.</summary>
    public static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";

    /// <summary>The operator running the keys CLI, by their login on the machine.</summary>
    public static string CliActor() => $"cli ({Environment.UserName})";

    public static Task RecordAsync(AppDb db, string actor, string kind, string subject, AuditChanges changes, DateTime now,
        CancellationToken ct = default) =>
        AuditChain.AppendAsync(db, actor, kind, subject, changes.ToJson(), now, ct);
}
