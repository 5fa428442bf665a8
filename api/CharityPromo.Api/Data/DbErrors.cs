using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Data;

internal static class DbErrors
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    /// <summary>True when the save failed because a unique index refused a duplicate.</summary>
    public static bool IsUniqueViolation(DbUpdateException ex) =>
        ex.InnerException is SqliteException { SqliteErrorCode: SqliteConstraint } sqlite
        && sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey;

    /// <summary>True when a unique violation names this index column (SQLite says "UNIQUE constraint failed: Purchases.OrderId").</summary>
    public static bool IsUniqueViolationOn(DbUpdateException ex, string tableDotColumn) =>
        IsUniqueViolation(ex) && ex.InnerException!.Message.Contains(tableDotColumn, StringComparison.Ordinal);
}
