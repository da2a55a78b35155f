#!/usr/bin/env bash
# `npm test`: install what is missing, run the whole vitest suite, and end with the plain
# summary line `N passed, N failed` (CI reads that line, not vitest's own summary).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || exit 1
mkdir -p build
rm -f build/test-results.json
npx vitest run "$@"
status=$?
node -e '
  // Failed tests, plus test files that failed before running any test (an import error, say).
  const fs = require("fs");
  let r = null;
  try { r = JSON.parse(fs.readFileSync("build/test-results.json", "utf8")); } catch {}
  if (!r) { console.log("0 passed, 1 failed"); process.exit(0); }
  // A file can fail outside its tests (an import error, a failing beforeAll: its tests are then skipped).
  const broken = (r.testResults || []).filter((f) => f.status === "failed" && !(f.assertionResults || []).some((a) => a.status === "failed")).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + broken} failed`);
'
exit $status
