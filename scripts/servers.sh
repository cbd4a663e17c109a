# Shared functions of the set-up scripts: install what is missing, start Kafka (tansu) and
# ClickHouse with their data under $DEV_DIR, record PIDs, wait until they answer.
# Every function is idempotent: a server already answering is left alone.
# Sourced by dev-up, dev-down and test; not run on its own.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEV_DIR="${CIVICPULSE_DEV_DIR:-$ROOT/.dev}"
PID_DIR="$DEV_DIR/pids"
APT_PACKAGES=(cmake build-essential pkg-config libcurl4-openssl-dev libssl-dev libsasl2-dev libzstd-dev
  clickhouse-server clickhouse-client prometheus prometheus-alertmanager curl
  chromium poppler-utils zookeeper)
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

install_packages() {
  local missing=()
  for package in "${APT_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

install_tansu() {
  if tansu --help 2>/dev/null | grep -q "Storage engines: .*libsql"; then
    return
  fi
  log "building the tansu Kafka broker (about 12-18 minutes on 2 cores, once)"
  cargo install tansu --locked --features dynostore,libsql
}

# The OpenAPI fuzzer the test suite runs against the dashboard API, in a virtualenv.
SCHEMATHESIS_VERSION=4.32.5
install_schemathesis() {
  local venv="$DEV_DIR/venv"
  if "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    return
  fi
  log "installing schemathesis $SCHEMATHESIS_VERSION (PyPI) in $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
}

# openapi-spec-validator (PyPI): what client generators and most tools check a document
# against before they accept it.
OPENAPI_VALIDATOR_VERSION=0.9.0
install_openapi_validator() {
  local venv="$DEV_DIR/venv"
  if "$venv/bin/pip" show openapi-spec-validator 2>/dev/null | grep -q "^Version: $OPENAPI_VALIDATOR_VERSION$"; then
    return
  fi
  log "installing openapi-spec-validator $OPENAPI_VALIDATOR_VERSION (PyPI) in $venv"
  [[ -x "$venv/bin/pip" ]] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q "openapi-spec-validator==$OPENAPI_VALIDATOR_VERSION"
}

# csvw (PyPI): its `csvwvalidate` checks a report's open data (CSV files and their
# csv-metadata.json) against the W3C CSV on the Web rules, as a data portal would.
CSVW_VERSION=4.1.1
install_csvw() {
  local venv="$DEV_DIR/venv"
  if "$venv/bin/pip" show csvw 2>/dev/null | grep -q "^Version: $CSVW_VERSION$"; then
    return
  fi
  log "installing csvw $CSVW_VERSION (PyPI) in $venv"
  [[ -x "$venv/bin/pip" ]] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q "csvw==$CSVW_VERSION"
}

# Grafana's published dashboard schema (@grafana/schema, npm: TypeScript types generated from
# Grafana's CUE schema) and the compiler that checks the dashboards against it.
GRAFANA_SCHEMA_VERSION=13.2.3
TYPESCRIPT_VERSION=5.9.3
install_grafana_schema() {
  local dir="$DEV_DIR/grafana-schema"
  if [[ -f "$dir/node_modules/@grafana/schema/package.json" ]] &&
    grep -q "\"version\": \"$GRAFANA_SCHEMA_VERSION\"" "$dir/node_modules/@grafana/schema/package.json" &&
    "$dir/node_modules/.bin/tsc" --version 2>/dev/null | grep -q "$TYPESCRIPT_VERSION"; then
    return
  fi
  log "installing @grafana/schema $GRAFANA_SCHEMA_VERSION and typescript $TYPESCRIPT_VERSION (npm) in $dir"
  mkdir -p "$dir"
  (cd "$dir" && npm install --silent --no-audit --no-fund --no-save \
    "@grafana/schema@$GRAFANA_SCHEMA_VERSION" "typescript@$TYPESCRIPT_VERSION")
}

# A current ClickHouse engine in-process (chDB, PyPI), to replay the statements an e2e run
# issued against 18.16 on ClickHouse 26.
CHDB_VERSION=4.4.0
install_chdb() {
  local venv="$DEV_DIR/chdb"
  if "$venv/bin/python" -c "import chdb, sys; sys.exit(chdb.__version__ != '$CHDB_VERSION')" 2>/dev/null; then
    return
  fi
  log "installing chdb $CHDB_VERSION (PyPI, ClickHouse 26 in-process) in $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "chdb==$CHDB_VERSION"
}

# What the browser tests drive Debian's Chromium with: puppeteer-core (24: the last line
# that runs on Debian's node 20) and axe-core, the accessibility rules engine (npm).
PUPPETEER_VERSION=24.43.1
AXE_VERSION=4.14.1
install_browser_tools() {
  local dir="$DEV_DIR/browser-tools"
  if [[ -f "$dir/node_modules/puppeteer-core/package.json" ]] &&
    grep -q "\"version\": \"$PUPPETEER_VERSION\"" "$dir/node_modules/puppeteer-core/package.json" &&
    grep -q "\"version\": \"$AXE_VERSION\"" "$dir/node_modules/axe-core/package.json"; then
    return
  fi
  log "installing puppeteer-core $PUPPETEER_VERSION and axe-core $AXE_VERSION (npm) in $dir"
  mkdir -p "$dir"
  (cd "$dir" && npm install --silent --no-audit --no-fund --no-save \
    "puppeteer-core@$PUPPETEER_VERSION" "axe-core@$AXE_VERSION")
}

# wait_for NAME COMMAND... : retry COMMAND for up to 60 s.
wait_for() {
  local name=$1; shift
  for _ in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  log "$name did not come up; see $DEV_DIR/*/log"
  return 1
}

pid_alive() { [[ -f "$PID_DIR/$1.pid" ]] && kill -0 "$(cat "$PID_DIR/$1.pid")" 2>/dev/null; }

clickhouse_answers() { curl -sf "http://127.0.0.1:8123/?query=SELECT%201" >/dev/null; }

kafka_answers() { (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null; }

# spawn NAME DIR LOG COMMAND ARGS...: start a daemon in DIR, output to LOG, PID recorded.
# start-stop-daemon detaches it and closes inherited descriptors, so a caller's stdout pipe
# (CI's) is not held open by the server after the script ends.
spawn() {
  local name=$1 dir=$2 logfile=$3; shift 3
  mkdir -p "$PID_DIR" "$(dirname "$logfile")"
  start-stop-daemon --start --background --make-pidfile --pidfile "$PID_DIR/$name.pid" \
    --chdir "$dir" --output "$logfile" --exec "$(command -v "$1")" -- "${@:2}"
}

# server_command SERVER ARGS...: prepares the server's directory and prints its command line,
# one word per line. The test kit (crates/testkit/src/servers.rs) defines it, and the e2e tests
# start their private servers with the same definition.
server_command() {
  cargo run -q --locked -p civicpulse-testkit --bin server-command -- "$@"
}

# start_server NAME DIR LOG SERVER ARGS...: spawn NAME from server_command SERVER ARGS.
start_server() {
  local name=$1 dir=$2 logfile=$3; shift 3
  local words
  words=$(server_command "$@") || { log "cannot build the $name command line"; return 1; }
  local command
  mapfile -t command <<<"$words"
  spawn "$name" "$dir" "$logfile" "${command[@]}"
}

start_clickhouse() {
  if clickhouse_answers; then return; fi
  local dir="$DEV_DIR/clickhouse"
  log "starting ClickHouse (data in $dir)"
  start_server clickhouse "$dir" "$dir/log/stdout.log" clickhouse "$dir"
  wait_for ClickHouse clickhouse_answers
}

start_kafka() {
  if kafka_answers; then return; fi
  local dir="$DEV_DIR/kafka"
  log "starting the tansu Kafka broker (data in $dir/tansu.db)"
  start_server kafka "$dir" "$dir/log/broker.log" tansu "$dir" 9092
  wait_for Kafka kafka_answers
}

prometheus_answers() { curl -sf http://127.0.0.1:9090/-/ready >/dev/null; }
alertmanager_answers() { curl -sf http://127.0.0.1:9093/-/ready >/dev/null; }

# Prometheus and Alertmanager with the configuration of deploy/alerts/ (for dev-up; the
# e2e alerting test starts its own, faster ones).
start_monitoring() {
  if ! alertmanager_answers; then
    local dir="$DEV_DIR/alertmanager"
    log "starting Alertmanager (state in $dir)"
    start_server alertmanager "$dir" "$dir/log/alertmanager.log" \
      alertmanager "$ROOT/deploy/alerts/alertmanager.yml" "$dir" 9093
    wait_for Alertmanager alertmanager_answers
  fi
  if ! prometheus_answers; then
    local dir="$DEV_DIR/prometheus"
    log "starting Prometheus (data in $dir)"
    start_server prometheus "$dir" "$dir/log/prometheus.log" \
      prometheus "$ROOT/deploy/alerts/prometheus.yml" "$dir" 9090
    wait_for Prometheus prometheus_answers
  fi
}

# The end-to-end tests give each pipeline its own e2e_* database and keep it for a failed
# test's post-mortem; drop those of earlier runs so repeated runs do not fill the disk.
drop_test_databases() {
  local name
  for name in $(curl -sf "http://127.0.0.1:8123/" --data-binary \
      "SELECT name FROM system.databases WHERE name LIKE 'e2e\\_%'"); do
    curl -sf "http://127.0.0.1:8123/" --data-binary "DROP DATABASE IF EXISTS \`$name\`" >/dev/null \
      || log "could not drop the test database $name"
  done
}

servers_up() {
  install_packages
  install_tansu
  start_clickhouse
  start_kafka
}

# stop NAME: stop the process whose PID we recorded, and only that one.
stop() {
  local file="$PID_DIR/$1.pid"
  [[ -f "$file" ]] || return 0
  local pid; pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $1 (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$file"
}
