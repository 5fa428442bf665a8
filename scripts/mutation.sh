#!/usr/bin/env bash
# Mutation testing of the code that moves money: Stryker.NET (pinned in .config/dotnet-tools.json, settings in
# scripts/mutation/stryker-config.json) mutates each money file below and runs the API's tests (SQLite) against every
# mutant, then this prints the score per file and each survivor. Not part of CI: it takes tens of minutes.
# docs/QUALITY.md records the last run.
#   scripts/mutation.sh                                   every money file, group by group (below)
#   scripts/mutation.sh "TEST-FILTER|GLOB [GLOB…]"         one group of your own
# The HTML and JSON reports land in artifacts/mutation/.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet tool restore >/dev/null
out="$PWD/artifacts/mutation"
rm -rf "$out"
# Each group: the tests that exercise its files (vstest filter), then the files. Pure rules run against the unit tests
# (milliseconds a mutant); code that writes runs against the integration tests that drive it over HTTP.
groups=(
  "FullyQualifiedName~.Unit.|**/Pledges/PledgeMath.cs **/Pledges/Currencies.cs"
  "FullyQualifiedName~RefundTests|FullyQualifiedName~RefundIdTests|FullyQualifiedName~.Stripe.|FullyQualifiedName~TelemetryTests|FullyQualifiedName~AuditTrailTests|**/Purchases/RefundPurchase.cs **/Payments/PaymentTransitions.cs **/Payments/StripeRefunds.cs"
  "FullyQualifiedName~PurchaseFlowTests|FullyQualifiedName~LedgerWriterTests|FullyQualifiedName~CampaignTests|FullyQualifiedName~ForgetCustomerTests|FullyQualifiedName~IdempotencyTests|FullyQualifiedName~TelemetryTests|FullyQualifiedName~StripePaymentTests|FullyQualifiedName~StripeLifecycleTests|FullyQualifiedName~StripeRetryTests|FullyQualifiedName~RemittanceTests|**/Pledges/DonationPricer.cs **/Purchases/RecordPurchase.cs **/Ledger/LedgerWriter.cs **/Data/AppDb.Totals.cs **/Data/AppDb.Purchases.cs"
  "FullyQualifiedName~Remittance|FullyQualifiedName~ReportTests|FullyQualifiedName~Reconciliation|FullyQualifiedName~StripeConnectTests|FullyQualifiedName~AuditTrailTests|**/Remittances/RemittanceEndpoints.cs **/Data/AppDb.Remittances.cs **/Reports/Reconciliation.cs **/Reports/SummaryReports.cs"
)
if [ "$#" -gt 0 ]; then groups=("$@"); fi # e.g. scripts/mutation.sh "FullyQualifiedName~.Unit.|**/Pledges/*.cs"

for group in "${groups[@]}"; do
  filter="${group%|\**}"
  read -r -a globs <<<"${group##*|}" # read splits on spaces and expands no glob
  mutate=()
  for glob in "${globs[@]}"; do mutate+=(--mutate "$glob"); done
  name=$(echo "${globs[*]}" | sed 's|\*\*/||g; s|/|-|g; s|\.cs||g; s| |_|g')
  (cd tests/CharityPromo.Api.Tests && dotnet stryker --config-file ../../scripts/mutation/stryker-config.json \
    --output "$out/$name" --test-case-filter "($filter)&Provider!=Postgres" "${mutate[@]}")
done

python3 - $(find "$out" -name 'mutation-report.json') <<'PY'
import json, sys
report = {"files": {}}
for path in sys.argv[1:]:  # one report a group: each file's mutants come from the group that tested them
    for name, f in json.load(open(path))["files"].items():
        if any(m["status"] in ("Killed", "Timeout", "Survived", "NoCoverage") for m in f["mutants"]):
            report["files"][name] = f
detected = {"Killed", "Timeout"}
undetected = {"Survived", "NoCoverage"}
rows, worst = [], 100.0
for path, f in sorted(report["files"].items()):
    statuses = [m["status"] for m in f["mutants"]]
    d = sum(s in detected for s in statuses)
    u = sum(s in undetected for s in statuses)
    if d + u == 0: continue  # not mutated this run
    score = 100.0 * d / (d + u) if d + u else 100.0
    worst = min(worst, score)
    name = path.split("CharityPromo.Api/")[-1]
    rows.append(f"{name:45} {score:6.1f}%  killed {d:4}  survived {u:3}  (ignored or not compiling: {len(statuses) - d - u})")
print("Mutation score per file (killed / (killed + survived)):")
print("\n".join(rows))
for path, f in sorted(report["files"].items()):
    for m in f["mutants"]:
        if m["status"] in undetected:
            line = m["location"]["start"]["line"]
            print(f"  survived: {path.split('CharityPromo.Api/')[-1]}:{line} {m['mutatorName']}: {m.get('replacement', '')[:90]}")
print(f"Lowest file score: {worst:.1f}%")
PY
