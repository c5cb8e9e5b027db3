# shellcheck shell=bash
# Installs what Parley's build and tests need, skipping whatever is already present at the right
# version, so a second run costs a second or two. Sourced by scripts/run and scripts/test; can
# also be run on its own: `bash scripts/lib/ensure-tools.sh [--browser]`.
#
# Only package registries are used (crates.io through `cargo install`, npm, Debian apt): trunk
# must never download a tool itself (Trunk.toml sets `offline = true`), so everything it calls
# has to be on PATH before it runs.
#
#   wasm32 target        rustup target add wasm32-unknown-unknown               seconds
#   std sources          rustup component add rust-src (the bundle rebuilds std) seconds
#   trunk 0.21.14        cargo install --locked trunk@0.21.14                    ~8 min
#   wasm-bindgen-cli     cargo install wasm-bindgen-cli@<Cargo.lock version>     ~2 min
#   wasm-opt, e2e deps   npm ci in e2e/ (binaryen@132.0.0, esbuild, playwright-core, …) seconds
#   crate sources        cargo fetch, also std's (trunk builds with --offline)   ~1 min
#   chromium + driver    apt-get install chromium chromium-driver (--browser)    ~45 s

set -euo pipefail

PARLEY_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)"
PARLEY_TRUNK_VERSION="0.21.14"

# trunk 0.21 asks a web API for updates (unreachable offline) and exits 2 on NO_COLOR=1.
export TRUNK_SKIP_VERSION_CHECK=true
if [[ -n "${NO_COLOR+set}" ]]; then
  export NO_COLOR=true
fi

# Tools installed by cargo and npm must be found by this script, trunk and the test runners.
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) export PATH="$HOME/.cargo/bin:$PATH" ;; esac
export PATH="$PARLEY_ROOT/e2e/node_modules/.bin:$PATH"

parley_say() { printf '==> %s\n' "$*"; }
parley_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
parley_as_root() {
  if [[ "$(id -u)" == 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    parley_die "need root (or sudo) to run: $*"
  fi
}

# The version of a package as pinned in Cargo.lock (first entry of that name).
parley_locked_version() {
  awk -v name="$1" '
    $0 == "name = \"" name "\"" { found = 1; next }
    found && /^version = / { gsub(/version = |"/, ""); print; exit }
  ' "$PARLEY_ROOT/Cargo.lock"
}

ensure_rust() {
  command -v cargo >/dev/null 2>&1 && command -v rustup >/dev/null 2>&1 \
    || parley_die "cargo/rustup not found: install Rust with rustup (https://rustup.rs), then re-run"
}

# rustfmt and clippy are needed by scripts/test only.
ensure_rust_components() {
  local installed missing=()
  installed="$(rustup component list --installed)"
  grep -q '^rustfmt' <<<"$installed" || missing+=(rustfmt)
  grep -q '^clippy' <<<"$installed" || missing+=(clippy)
  if ((${#missing[@]})); then
    parley_say "installing rust components: ${missing[*]}"
    rustup component add "${missing[@]}"
  fi
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
    parley_say "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown || parley_die "rustup target add wasm32-unknown-unknown failed"
  fi
}

# scripts/lib/bundle.sh rebuilds the standard library for the release bundle (-Zbuild-std).
ensure_std_sources() {
  if ! rustup component list --installed | grep -q '^rust-src'; then
    parley_say "installing the rust-src component (the release bundle rebuilds std)"
    rustup component add rust-src || parley_die "rustup component add rust-src failed"
  fi
}

ensure_trunk() {
  local want="trunk $PARLEY_TRUNK_VERSION"
  if [[ "$(trunk --version 2>/dev/null || true)" != "$want" ]]; then
    parley_say "installing trunk $PARLEY_TRUNK_VERSION (cargo install, ~8 min on 2 cores)"
    cargo install --locked "trunk@$PARLEY_TRUNK_VERSION" \
      || parley_die "cargo install --locked trunk@$PARLEY_TRUNK_VERSION failed"
    [[ "$(trunk --version)" == "$want" ]] \
      || parley_die "installed $want but '$(command -v trunk)' reports '$(trunk --version)'"
  fi
}

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly: trunk and
# wasm-bindgen-test-runner refuse (or silently miscompile) otherwise.
ensure_wasm_bindgen() {
  local version want
  version="$(parley_locked_version wasm-bindgen)"
  [[ -n "$version" ]] || parley_die "wasm-bindgen is not in Cargo.lock"
  want="wasm-bindgen $version"
  if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "$want" ]] \
    || ! command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
    parley_say "installing wasm-bindgen-cli $version (cargo install, ~2 min on 2 cores)"
    # --locked can fail when a pinned transitive version was yanked; then resolve afresh.
    cargo install --locked "wasm-bindgen-cli@$version" \
      || cargo install "wasm-bindgen-cli@$version" \
      || parley_die "cargo install wasm-bindgen-cli@$version failed"
    [[ "$(wasm-bindgen --version)" == "$want" ]] \
      || parley_die "installed $want but '$(command -v wasm-bindgen)' reports '$(wasm-bindgen --version)'"
  fi
}

# e2e/ holds the Node tooling: playwright-core for the end-to-end tests and binaryen@132.0.0,
# whose wasm-opt trunk uses (Debian's binaryen 108 breaks the bundle). `npm ci` runs again only
# when package-lock.json changed since the last successful install.
ensure_node_deps() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
    || parley_die "node and npm not found: install Node.js 20 or newer, then re-run"
  local e2e="$PARLEY_ROOT/e2e" stamp lock_sum
  stamp="$e2e/node_modules/.parley-lock.sha256"
  lock_sum="$(sha256sum "$e2e/package-lock.json" | cut -d' ' -f1)"
  if [[ "$(cat "$stamp" 2>/dev/null || true)" != "$lock_sum" ]] \
    || [[ ! -x "$e2e/node_modules/.bin/wasm-opt" ]]; then
    parley_say "installing e2e/ npm packages (npm ci)"
    (cd "$e2e" && npm ci --no-audit --no-fund) || parley_die "npm ci in e2e/ failed"
    printf '%s\n' "$lock_sum" >"$stamp"
  fi
  [[ "$(wasm-opt --version)" == *"(version_132)"* ]] \
    || parley_die "wasm-opt on PATH is '$(command -v wasm-opt)' ($(wasm-opt --version)), expected binaryen 132 from e2e/node_modules"
}

# trunk builds with `cargo build --offline`, so every crate must already be downloaded: the
# workspace's, and those of the standard library the release bundle rebuilds (bundle.sh).
ensure_crate_sources() {
  (cd "$PARLEY_ROOT" && cargo fetch --quiet) || parley_die "cargo fetch failed (crates.io unreachable?)"
  (cd "$PARLEY_ROOT" && RUSTC_BOOTSTRAP=1 cargo fetch --quiet -Zbuild-std=std,panic_abort \
    --target wasm32-unknown-unknown) || parley_die "cargo fetch of the standard library's crates failed"
}

# Debian's chromium and its matching chromedriver: the wasm component tests and the end-to-end
# tests drive them headless. `apt-get update` runs only when the package lists lack them.
ensure_browser() {
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 \
      || parley_die "chromium and chromedriver not found and apt-get is unavailable: install them, then re-run"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-cache show chromium-driver >/dev/null 2>&1; then
      parley_say "refreshing apt package lists"
      parley_as_root apt-get update
    fi
    parley_say "installing chromium and chromium-driver (apt, ~45 s)"
    parley_as_root apt-get install -y chromium chromium-driver \
      || parley_die "apt-get install chromium chromium-driver failed"
  fi
  CHROMEDRIVER="$(command -v chromedriver)"
  PARLEY_CHROMIUM="$(command -v chromium)"
  # wasm-bindgen-test-runner adds --headless --no-sandbox; webdriver.json adds the flags that keep
  # Chromium off the (closed) network.
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PARLEY_ROOT/frontend/webdriver.json"
  export CHROMEDRIVER PARLEY_CHROMIUM WASM_BINDGEN_TEST_WEBDRIVER_JSON
}

# ensure_tools [--browser]: everything `scripts/run` needs, plus the browser with --browser.
ensure_tools() {
  local started=$SECONDS
  ensure_rust
  ensure_wasm_target
  ensure_std_sources
  ensure_trunk
  ensure_wasm_bindgen
  ensure_node_deps
  ensure_crate_sources
  if [[ "${1:-}" == "--browser" ]]; then
    ensure_rust_components
    ensure_browser
  fi
  parley_say "tools ready ($((SECONDS - started)) s)"
}

# Run directly (not sourced): just make sure the tools are there.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  ensure_tools "$@"
fi
