using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CharityPromo.Api.Data;

internal static class DbErrors
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    /// <summary>True when the save failed because a unique index (or primary key) refused a duplicate.</summary>
    public static bool IsUniqueViolation(DbUpdateException ex) => IsUniqueViolation(ex.InnerException);

    /// <summary>True when a statement (run by <see cref="DirectSql"/>, say) was refused by a unique index or primary key.</summary>
    public static bool IsUniqueViolation(Exception? ex) => ex switch
    {
        SqliteException { SqliteErrorCode: SqliteConstraint } sqlite => sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>
    /// True when a unique violation is about this table's column: SQLite names it ("UNIQUE constraint failed:
    /// Purchases.ClientId, Purchases.OrderId"); PostgreSQL names the index ("IX_Purchases_ClientId_OrderId").
    /// </summary>
    public static bool IsUniqueViolationOn(DbUpdateException ex, string tableDotColumn)
    {
        if (!IsUniqueViolation(ex)) return false;
        if (ex.InnerException is PostgresException { ConstraintName: { } index })
        {
            var (table, column) = (tableDotColumn.Split('.')[0], tableDotColumn.Split('.')[1]);
            return index.StartsWith($"IX_{table}_", StringComparison.Ordinal) && index.Split('_').Contains(column);
        }
        return ex.InnerException!.Message.Contains(tableDotColumn, StringComparison.Ordinal);
    }

    /// <summary>
    /// True when PostgreSQL gave up on a statement because of another transaction (deadlock, serialization
    /// failure): rolled back to a savepoint, the same work can simply run again.
    /// </summary>
    public static bool IsTransientConflict(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
            if (e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure }) return true;
        return false;
    }

    /// <summary>SaveChanges, <see cref="GuardedAsync"/>.</summary>
    public static Task SaveChangesGuardedAsync(this AppDb db, CancellationToken ct = default) => db.GuardedAsync(db.SaveChangesAsync, ct);

    /// <summary>
    /// A save inside a savepoint of the current transaction on PostgreSQL: when a constraint refuses it, the
    /// transaction is rolled back to just before the save and can carry on (PostgreSQL would otherwise refuse every
    /// later command). SQLite undoes just the failed statement by itself, so there it is a plain save.
    /// </summary>
    public static async Task GuardedAsync(this AppDb db, Func<CancellationToken, Task> save, CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is not { } tx || !db.Database.IsNpgsql())
        {
            await save(ct);
            return;
        }
        await tx.CreateSavepointAsync("guard", ct);
        try
        {
            await save(ct);
        }
        catch (DbUpdateException)
        {
            await tx.RollbackToSavepointAsync("guard", ct);
            throw;
        }
        await tx.ReleaseSavepointAsync("guard", ct);
    }
}
