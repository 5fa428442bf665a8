using CharityPromo.Api.Access;
using CharityPromo.Api.Audit;
using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Consents;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Payments;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using CharityPromo.Api.Remittances;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CharityPromo.Api.Data;

internal sealed partial class AppDb(DbContextOptions<AppDb> options) : DbContext(options)
{
    public DbSet<Charity> Charities => Set<Charity>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<CampaignCharity> CampaignCharities => Set<CampaignCharity>();
    public DbSet<CharityConsent> CharityConsents => Set<CharityConsent>();
    public DbSet<Purchase> Purchases => Set<Purchase>();
    public DbSet<Refund> Refunds => Set<Refund>();
    public DbSet<Remittance> Remittances => Set<Remittance>();
    public DbSet<RemittanceLine> RemittanceLines => Set<RemittanceLine>();
    public DbSet<LedgerEntry> Ledger => Set<LedgerEntry>();
    public DbSet<CampaignTotal> CampaignTotals => Set<CampaignTotal>();
    public DbSet<DailyTotal> DailyTotals => Set<DailyTotal>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<ServerSecret> ServerSecrets => Set<ServerSecret>();
    public DbSet<StripeEventRecord> StripeEvents => Set<StripeEventRecord>();

    private readonly List<Action<ApiMetrics>> _counts = [];

    /// <summary>
    /// Counts something this write recorded once the writer's transaction has committed, and never if the write is undone
    /// or the batch fails: the business counters count only what was kept.
    /// </summary>
    public void CountOnCommit(Action<ApiMetrics> count) => _counts.Add(count);

    /// <summary>For the writer: how many counts wait, to forget those of a write it undoes (<see cref="ForgetCounts"/>).</summary>
    public int PendingCounts => _counts.Count;

    public void ForgetCounts(int keep) => _counts.RemoveRange(keep, _counts.Count - keep);

    public void CountCommitted(ApiMetrics metrics)
    {
        foreach (var count in _counts) count(metrics);
        _counts.Clear();
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Charity>(e =>
        {
            e.HasIndex(c => c.Slug).IsUnique();
            e.Property(c => c.Slug).HasMaxLength(Limits.Slug);
            e.Property(c => c.Name).HasMaxLength(Limits.Name);
            e.Property(c => c.Description).HasMaxLength(Limits.Description);
            e.Property(c => c.Website).HasMaxLength(Limits.Url);
            e.Property(c => c.RegistrationNumber).HasMaxLength(Limits.Reference);
            e.Property(c => c.StripeAccountId).HasMaxLength(Limits.StripeId);
            e.HasIndex(c => c.StripeAccountId).IsUnique();
        });

        model.Entity<Campaign>(e =>
        {
            e.HasIndex(c => c.Slug).IsUnique();
            e.Property(c => c.Slug).HasMaxLength(Limits.Slug);
            e.Property(c => c.Name).HasMaxLength(Limits.Name);
            e.Property(c => c.Description).HasMaxLength(Limits.Description);
            e.Property(c => c.Currency).HasMaxLength(3);
            e.Property(c => c.ImpactSingular).HasMaxLength(CampaignRequestValidator.MaxImpactWord);
            e.Property(c => c.ImpactPlural).HasMaxLength(CampaignRequestValidator.MaxImpactWord);
            e.HasMany(c => c.Charities).WithOne().HasForeignKey(cc => cc.CampaignId);
            e.Ignore(c => c.Rule);
            e.Ignore(c => c.ConsentedCharities);
            e.Ignore(c => c.MerchantCapLeft);
        });

        model.Entity<CampaignCharity>(e =>
        {
            e.HasKey(cc => new { cc.CampaignId, cc.CharityId });
            e.HasOne(cc => cc.Charity).WithMany().HasForeignKey(cc => cc.CharityId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<CharityConsent>(e =>
        {
            e.HasIndex(k => k.CharityId);
            e.Property(k => k.GrantedBy).HasMaxLength(Limits.Name);
            e.Property(k => k.Document).HasMaxLength(Limits.Url);
            e.HasOne<Charity>().WithMany().HasForeignKey(k => k.CharityId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(k => k.Campaigns).WithOne().HasForeignKey(x => x.ConsentId);
        });

        model.Entity<CharityConsentCampaign>(e =>
        {
            e.ToTable("CharityConsentCampaigns");
            e.HasKey(x => new { x.ConsentId, x.CampaignId });
            e.HasIndex(x => x.CampaignId);
            e.HasOne<Campaign>().WithMany().HasForeignKey(x => x.CampaignId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<Purchase>(e =>
        {
            e.HasIndex(p => new { p.ClientId, p.OrderId }).IsUnique();
            e.HasIndex(p => p.ReceiptCode).IsUnique();
            e.HasIndex(p => new { p.CustomerHash, p.Status });
            e.HasIndex(p => new { p.CampaignId, p.CreatedUtc });
            e.Property(p => p.OrderId).HasMaxLength(Limits.Reference);
            e.Property(p => p.ReceiptCode).HasMaxLength(32);
            e.Property(p => p.Currency).HasMaxLength(3);
            e.Property(p => p.Status).HasConversion<string>().HasMaxLength(24);
            e.Property(p => p.CustomerHash).HasMaxLength(64);
            e.Property(p => p.PaymentMethod).HasMaxLength(16);
            e.Property(p => p.PaymentReference).HasMaxLength(Limits.Reference);
            e.Property(p => p.PaymentStatus).HasMaxLength(32);
            e.Property(p => p.PaymentIntentId).HasMaxLength(Limits.StripeId);
            e.Property(p => p.PaymentError).HasMaxLength(Limits.Description);
            e.Property(p => p.DisputeId).HasMaxLength(Limits.StripeId);
            e.Property(p => p.DisputeStatus).HasMaxLength(32);
            e.Property(p => p.CreationKey).HasMaxLength(Limits.IdempotencyKey);
            e.Property(p => p.CreationFingerprint).HasMaxLength(64);
            e.HasIndex(p => p.PaymentIntentId).IsUnique();
            e.Property(p => p.CheckoutSessionId).HasMaxLength(Limits.StripeId);
            e.HasIndex(p => p.CheckoutSessionId).IsUnique();
            e.HasIndex(p => new { p.ClientId, p.CreationKey }).IsUnique();
            e.HasIndex(p => new { p.PaymentMethod, p.ConfirmedUtc, p.CreatedUtc });
            e.HasOne<Campaign>().WithMany().HasForeignKey(p => p.CampaignId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Charity>().WithMany().HasForeignKey(p => p.CharityId).OnDelete(DeleteBehavior.Restrict);
            e.Property(p => p.Refunded).IsConcurrencyToken(); // two refunds racing on another instance cannot both count
        });

        model.Entity<Refund>(e =>
        {
            e.HasIndex(r => r.PurchaseId);
            e.Property(r => r.Reference).HasMaxLength(Limits.Reference);
            e.Property(r => r.StripeRefundId).HasMaxLength(Limits.StripeId);
            e.Property(r => r.StripeStatus).HasMaxLength(32);
            e.HasIndex(r => r.StripeRefundId).IsUnique();
            e.Ignore(r => r.Reversed);
            e.HasOne<Purchase>().WithMany().HasForeignKey(r => r.PurchaseId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<LedgerEntry>(e =>
        {
            e.HasIndex(l => new { l.PurchaseId, l.Kind, l.Cause }).IsUnique();
            e.HasIndex(l => new { l.CampaignId, l.CharityId, l.Currency });
            e.Property(l => l.Currency).HasMaxLength(3);
            e.Property(l => l.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(l => l.Cause).HasMaxLength(Limits.Reference + 32);
            e.Property(l => l.Reference).HasMaxLength(Limits.Reference + 32);
            e.HasOne<Purchase>().WithMany().HasForeignKey(l => l.PurchaseId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<Remittance>(e =>
        {
            e.HasIndex(r => new { r.CharityId, r.Currency, r.CreatedUtc });
            e.Property(r => r.Currency).HasMaxLength(3);
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.Reference).HasMaxLength(Limits.Reference);
            e.Property(r => r.TransferId).HasMaxLength(Limits.StripeId);
            e.HasIndex(r => r.TransferId).IsUnique();
            e.HasOne<Charity>().WithMany().HasForeignKey(r => r.CharityId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<RemittanceLine>(e =>
        {
            e.HasKey(l => new { l.RemittanceId, l.PurchaseId });
            e.HasIndex(l => l.PurchaseId);
            e.HasOne<Remittance>().WithMany().HasForeignKey(l => l.RemittanceId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Purchase>().WithMany().HasForeignKey(l => l.PurchaseId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<CampaignTotal>(e =>
        {
            e.HasKey(t => new { t.CampaignId, t.CharityId, t.Currency });
            e.Property(t => t.Currency).HasMaxLength(3);
            e.Ignore(t => t.Raised);
        });

        model.Entity<DailyTotal>(e => e.HasKey(t => new { t.CampaignId, t.Day }));

        model.Entity<ApiKey>(e =>
        {
            e.HasIndex(k => k.Name).IsUnique();
            e.HasIndex(k => k.Hash).IsUnique();
            e.Property(k => k.Name).HasMaxLength(Limits.Name);
            e.Property(k => k.Hash).HasMaxLength(64);
            e.Property(k => k.Prefix).HasMaxLength(16);
            e.Property(k => k.Scopes).HasMaxLength(64);
        });

        model.Entity<IdempotencyRecord>(e =>
        {
            e.HasKey(r => new { r.ClientId, r.Key });
            e.HasIndex(r => r.CreatedUtc); // the retention sweep finds expired records without reading the table
            e.Property(r => r.Key).HasMaxLength(Limits.IdempotencyKey);
            e.Property(r => r.Fingerprint).HasMaxLength(64);
            e.Property(r => r.ContentType).HasMaxLength(128);
            e.Property(r => r.Location).HasMaxLength(512);
        });

        model.Entity<ServerSecret>(e =>
        {
            e.HasKey(s => s.Name);
            e.Property(s => s.Name).HasMaxLength(64);
        });

        model.Entity<StripeEventRecord>(e =>
        {
            e.HasKey(r => r.Id);
            e.Property(r => r.Id).HasMaxLength(Limits.StripeId);
            e.Property(r => r.Type).HasMaxLength(64);
            e.Property(r => r.Outcome).HasMaxLength(200);
        });

        model.Entity<AuditEntry>(e =>
        {
            e.HasIndex(a => new { a.Kind, a.Id }); // ?kind= pages through one kind without reading the others
            e.Property(a => a.Actor).HasMaxLength(Limits.Name);
            e.Property(a => a.Kind).HasMaxLength(64);
            e.Property(a => a.Subject).HasMaxLength(Limits.Name);
            e.Property(a => a.Hash).HasMaxLength(64);
        });

        ConfigureWebhooks(model);

        // The donation's parts keep the column names they have always had.
        model.Entity<Purchase>().ComplexProperty(p => p.Donation, DonationColumns);
        model.Entity<Refund>().ComplexProperty(r => r.Donation, DonationColumns);
        model.Entity<LedgerEntry>().ComplexProperty(l => l.Donation, DonationColumns);
    }

    private static void DonationColumns(ComplexPropertyBuilder<DonationBreakdown> donation)
    {
        donation.Property(d => d.MerchantPledge).HasColumnName(nameof(DonationBreakdown.MerchantPledge));
        donation.Property(d => d.Match).HasColumnName(nameof(DonationBreakdown.Match));
        donation.Property(d => d.RoundUp).HasColumnName(nameof(DonationBreakdown.RoundUp));
        donation.Property(d => d.AddOn).HasColumnName(nameof(DonationBreakdown.AddOn));
    }
}

/// <summary>String length limits, shared by the schema and the request validators.</summary>
internal static class Limits
{
    public const int Slug = 64;
    public const int Name = 200;
    public const int Description = 4000;
    public const int Url = 500;
    public const int Reference = 100;
    public const int IdempotencyKey = 255;
    public const int StripeId = 255;
    public const long MaxAmount = 99_999_999_999; // far above any real purchase, far below overflow in pledge math
}
