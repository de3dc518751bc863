#!/usr/bin/env bash
# A bounded schemathesis run against a fresh embedded server: every JSON API operation, as a
# signed-in learner, a fixed example budget and a time cap. Fails on any server error (5xx) or
# a status code the OpenAPI document does not list. Signing out and changing the password are
# left out: they would end the fuzzing learner's sign-in (their own tests cover them).
#   scripts/api-fuzz.sh [EXAMPLES] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES="${1:-10}"
SECONDS_CAP="${2:-180}"
BIN=.venv/bin
DATA="$(mktemp -d)"
PORT="$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT"
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT

(cd "$DATA" && env -u LEARNINGOS_DATABASE_URL -u LEARNINGOS_REDIS_URL -u LEARNINGOS_QDRANT_URL \
  LEARNINGOS_DATA_DIR="$DATA" LEARNINGOS_DEMO_SEED=false LEARNINGOS_LOG_LEVEL=WARNING \
  "$OLDPWD/$BIN/learningos" serve --host 127.0.0.1 --port "$PORT" > "$DATA/server.log" 2>&1) &
SERVER=$!
for _ in $(seq 1 120); do curl -sf "$URL/health" >/dev/null && break; sleep 1; done
curl -sf "$URL/health" >/dev/null || { echo "the server did not start"; cat "$DATA/server.log"; exit 1; }

EMAIL="learner-$PORT@example.com"
PASSWORD="correct horse battery staple"
curl -sf -o /dev/null -X POST "$URL/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d "{\"email\": \"$EMAIL\", \"name\": \"Learner\", \"password\": \"$PASSWORD\"}"
TOKEN="$(curl -sf -X POST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\": \"$EMAIL\", \"password\": \"$PASSWORD\"}" \
  | "$BIN/python" -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

"$BIN/schemathesis" run "$URL/openapi.json" \
  --header "Authorization: Bearer $TOKEN" \
  --exclude-path-regex '/auth/logout$|/me/password$' \
  --checks not_a_server_error,status_code_conformance \
  --max-examples "$EXAMPLES" --max-time "$SECONDS_CAP" --phases examples,fuzzing \
  --workers 2 --seed 1
