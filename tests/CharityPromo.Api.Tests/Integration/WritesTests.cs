using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>The one rule of <see cref="Writes"/>: the answer decides what stays, and a request's answer is stored for its key. Both providers.</summary>
public class WritesTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private Writes Writes => app.Services.GetRequiredService<Writes>();

    /// <summary>A request as the IdempotencyKeyFilter leaves it: who sent it, under which key, with which body.</summary>
    private static HttpContext Request(AsyncServiceScope scope, string key, string fingerprint = "same-body")
    {
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Features.Set(new IdempotentRequest(Guid.Parse("0193a1b2-0000-7000-8000-000000000001"), key, fingerprint));
        return http;
    }

    private static Charity NewCharity(string slug) => new() { Slug = slug, Name = slug };

    private Task<bool> ExistsAsync(string slug) => app.WithDbAsync(db => db.Charities.AnyAsync(c => c.Slug == slug));

    [Fact]
    public async Task WhatAWorkLeftTrackedIsSavedWhenItsAnswerIsASuccess()
    {
        _ = app.Client();
        await using var scope = app.Services.CreateAsyncScope();
        var answer = await Writes.RunAsync(Request(scope, "kept-1"), db =>
        {
            db.Charities.Add(NewCharity("writes-kept")); // never saved by the work itself
            return Task.FromResult<IResult>(TypedResults.Created("/x", new { }));
        });
        ((IStatusCodeHttpResult)answer).StatusCode.ShouldBe(201);
        (await ExistsAsync("writes-kept")).ShouldBeTrue();
    }

    [Fact]
    public async Task ARetryThatRanBeforeTheFirstAttemptCommittedIsUndoneAndAnsweredAsTheFirst()
    {
        _ = app.Client();
        await using var scope = app.Services.CreateAsyncScope();
        var started = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        var first = Writes.RunAsync(Request(scope, "raced-1"), async db =>
        {
            started.SetResult();
            await gate.Task; // the first attempt's batch is still open when the retry looks for a stored answer
            db.Charities.Add(NewCharity("writes-raced-first"));
            return TypedResults.Created("/first", new { attempt = 1 });
        });
        await started.Task;
        // Finds no stored answer, so it runs, in the next batch: its own work is kept until the answer cannot be stored.
        var retry = Writes.RunAsync(Request(scope, "raced-1"), db =>
        {
            db.Charities.Add(NewCharity("writes-raced-retry"));
            return Task.FromResult<IResult>(TypedResults.Created("/retry", new { attempt = 2 }));
        });
        gate.SetResult();

        ((IStatusCodeHttpResult)await first).StatusCode.ShouldBe(201);
        var answer = await retry;
        ((IStatusCodeHttpResult)answer).StatusCode.ShouldBe(201);
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider, Response = { Body = new MemoryStream() } };
        await answer.ExecuteAsync(http);
        http.Response.Headers.Location.ToString().ShouldBe("/first"); // the first attempt's answer, replayed
        (await ExistsAsync("writes-raced-first")).ShouldBeTrue();
        (await ExistsAsync("writes-raced-retry")).ShouldBeFalse(); // the retry's own work undone
        // The writer carries on: the next write in the same kind of batch is kept as usual.
        await Writes.RunAsync(Request(scope, "raced-2"), db =>
        {
            db.Charities.Add(NewCharity("writes-raced-after"));
            return Task.FromResult<IResult>(TypedResults.Created("/after", new { }));
        });
        (await ExistsAsync("writes-raced-after")).ShouldBeTrue();
    }

    [Fact]
    public async Task ARefusalUndoesWhatTheWorkDidAndIsStoredSoARetryIsAnsweredWithoutRunningItAgain()
    {
        _ = app.Client();
        var runs = 0;
        async Task<IResult> Work(AppDb db)
        {
            runs++;
            db.Charities.Add(NewCharity("writes-refused"));
            await db.SaveChangesAsync(); // written, then refused: the refusal must take it back
            return Problems.Conflict("slug", "refused after writing");
        }
        await using var scope = app.Services.CreateAsyncScope();
        var first = await Writes.RunAsync(Request(scope, "refused-1"), Work);
        ((IStatusCodeHttpResult)first).StatusCode.ShouldBe(409);
        (await ExistsAsync("writes-refused")).ShouldBeFalse();

        var again = await Writes.RunAsync(Request(scope, "refused-1"), Work);
        ((IStatusCodeHttpResult)again).StatusCode.ShouldBe(409);
        runs.ShouldBe(1); // replayed from the stored answer
        var other = await Writes.RunAsync(Request(scope, "refused-1", "another-body"), Work);
        ((IStatusCodeHttpResult)other).StatusCode.ShouldBe(422); // the key with another request
    }

    [Fact]
    public async Task ABadRequestIsUndoneAndNotStoredSoTheCorrectedRequestRunsUnderTheSameKey()
    {
        _ = app.Client();
        await using var scope = app.Services.CreateAsyncScope();
        var bad = await Writes.RunAsync(Request(scope, "corrected-1"), async db =>
        {
            db.Charities.Add(NewCharity("writes-bad"));
            await db.SaveChangesAsync();
            return Problems.Invalid("name", "bad");
        });
        ((IStatusCodeHttpResult)bad).StatusCode.ShouldBe(400);
        (await ExistsAsync("writes-bad")).ShouldBeFalse();
        var fixedUp = await Writes.RunAsync(Request(scope, "corrected-1"), db =>
        {
            db.Charities.Add(NewCharity("writes-corrected"));
            return Task.FromResult<IResult>(TypedResults.Ok());
        });
        ((IStatusCodeHttpResult)fixedUp).StatusCode.ShouldBe(200);
        (await ExistsAsync("writes-corrected")).ShouldBeTrue();
    }

    [Fact]
    public async Task AWorkWithoutARequestIsKeptUnlessItThrowsAndThenNothingOfItStays()
    {
        _ = app.Client();
        await Writes.RunAsync(db =>
        {
            db.Charities.Add(NewCharity("writes-background"));
            return Task.CompletedTask;
        });
        (await ExistsAsync("writes-background")).ShouldBeTrue();

        await Should.ThrowAsync<InvalidOperationException>(() => Writes.RunAsync(async db =>
        {
            db.Charities.Add(NewCharity("writes-thrown"));
            await db.SaveChangesAsync();
            throw new InvalidOperationException("failed after writing");
        }));
        (await ExistsAsync("writes-thrown")).ShouldBeFalse();

        var refused = await Writes.RunAsync(async db =>
        {
            db.Charities.Add(NewCharity("writes-step-refused"));
            await db.SaveChangesAsync();
            return (IResult)Problems.Unprocessable("amount", "too small");
        });
        ((IStatusCodeHttpResult)refused).StatusCode.ShouldBe(422);
        (await ExistsAsync("writes-step-refused")).ShouldBeFalse();
    }
}
